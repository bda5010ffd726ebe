"""Encryption of the shop's secrets at rest, with a key that never lives in
the database.

The key comes, in this order, from the Odoo option ``synco_shopify_key``,
the environment variable ``SYNCO_SHOPIFY_KEY``, or a key file that the first
use creates with mode 0600 in Odoo's data directory. A database copied to
another server therefore holds nothing usable: its secrets must be entered
again there. Everything here is plain Python; the Odoo model passes in the
configured values.
"""

import os

from cryptography.fernet import Fernet, InvalidToken

KEY_FILE_NAME = "synco_shopify.key"
ENV_VAR = "SYNCO_SHOPIFY_KEY"
CONFIG_OPTION = "synco_shopify_key"


class VaultError(Exception):
    """No usable key, or a value that this key cannot decrypt. The message
    says what to configure; it never contains a key or a secret."""


def _fernet(key, source):
    try:
        return Fernet(key.strip().encode() if isinstance(key, str) else key.strip())
    except (ValueError, TypeError):
        raise VaultError(
            f"The encryption key from {source} is not a valid Fernet key "
            "(32 url-safe base64-encoded bytes). Generate one with "
            '`python3 -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`.'
        ) from None


def _read_or_create_key_file(data_dir):
    if not data_dir:
        raise VaultError(
            f"No encryption key for Shopify secrets: set `{CONFIG_OPTION}` in the Odoo "
            f"configuration file or the environment variable {ENV_VAR}."
        )
    path = os.path.join(data_dir, KEY_FILE_NAME)
    try:
        os.makedirs(data_dir, exist_ok=True)
        # O_EXCL: two workers starting together must not write two keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fd = None  # made already, by this worker earlier or another one now
    except OSError as exc:
        raise VaultError(
            f"Cannot create the key file {path} ({exc.strerror}): set `{CONFIG_OPTION}` in "
            f"the Odoo configuration file or the environment variable {ENV_VAR}."
        ) from None
    if fd is not None:
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    try:
        with open(path, "rb") as handle:
            return handle.read(), f"the key file {path}"
    except OSError as exc:
        raise VaultError(f"Cannot read the key file {path} ({exc.strerror}).") from None


def load_key(config_value=None, env=None, data_dir=None):
    """Return ``(fernet, source)`` for the first key found; ``source`` names
    where it came from, for messages and the launch checks."""
    env = os.environ if env is None else env
    if config_value:
        return _fernet(config_value, f"the Odoo option `{CONFIG_OPTION}`"), "config"
    if env.get(ENV_VAR):
        return _fernet(env[ENV_VAR], f"the environment variable {ENV_VAR}"), "environment"
    key, source = _read_or_create_key_file(data_dir)
    return _fernet(key, source), "key file"


def encrypt(fernet, plaintext):
    return fernet.encrypt(plaintext.encode()).decode()


def decrypt(fernet, token):
    try:
        return fernet.decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise VaultError(
            "A stored Shopify secret cannot be decrypted with this server's key (the "
            "database was probably copied from another server, or the key changed): "
            "enter the secret again on the shop."
        ) from None
