"""Webhook verification and parsing, without Odoo.

The controller calls these in order: ``WebhookHeaders.from_headers`` (400 if
a required header is missing), ``normalize_shop_domain`` to find the shop,
``verify`` over the raw body with the shop's secrets (401 if it fails), and
``parse_payload`` (400 for a body that is not a JSON object).
"""

import base64
import dataclasses
import hashlib
import hmac
import json
import re

_MYSHOPIFY = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
# A sandbox or a development proxy: localhost, an IPv4 address, or any host
# name with an explicit port.
_LOCAL_HOST = re.compile(r"^(localhost|\d{1,3}(\.\d{1,3}){3})(:\d{1,5})?$")
_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
_HOST_WITH_PORT = re.compile(rf"^{_LABEL}(\.{_LABEL})*:\d{{1,5}}$")


def sign(body, secret):
    """Return Shopify's signature of ``body``: base64(HMAC-SHA256(secret, body))."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(body, hmac_header, secrets):
    """True if ``hmac_header`` is the signature of ``body`` by one of ``secrets``.

    ``secrets`` holds the current secret and, for an hour after a rotation,
    the previous one; empty or None values are skipped. Fails closed: an
    empty header or no usable secret gives False. Every comparison is
    constant-time.
    """
    if not hmac_header:
        return False
    expected = hmac_header.strip().encode("ascii", "replace")
    valid = False
    for secret in secrets:
        if secret and hmac.compare_digest(sign(body, secret).encode("ascii"), expected):
            valid = True
    return valid


class MissingWebhookHeader(ValueError):
    """A webhook request lacks headers Shopify always sends; ``missing``
    names them."""

    def __init__(self, missing):
        self.missing = tuple(missing)
        super().__init__("missing webhook header(s): " + ", ".join(self.missing))


@dataclasses.dataclass(frozen=True)
class WebhookHeaders:
    """The X-Shopify-* headers of one webhook delivery.

    ``webhook_id`` is unique per delivery and is the dedupe key; ``event_id``
    is shared by all deliveries caused by one merchant action. Values are
    stripped; ``shop_domain`` is lower-cased but not otherwise validated
    (see ``normalize_shop_domain``).
    """

    topic: str
    hmac: str
    shop_domain: str
    webhook_id: str
    api_version: str | None = None
    event_id: str | None = None
    triggered_at: str | None = None

    _HEADERS = {
        "topic": "X-Shopify-Topic",
        "hmac": "X-Shopify-Hmac-Sha256",
        "shop_domain": "X-Shopify-Shop-Domain",
        "webhook_id": "X-Shopify-Webhook-Id",
        "api_version": "X-Shopify-API-Version",
        "event_id": "X-Shopify-Event-Id",
        "triggered_at": "X-Shopify-Triggered-At",
    }
    _REQUIRED = ("topic", "hmac", "shop_domain", "webhook_id")

    @classmethod
    def from_headers(cls, headers):
        """Build from any mapping of header names to values (a dict, werkzeug
        ``Headers``), matching names case-insensitively.

        Raises ``MissingWebhookHeader`` naming every required header that is
        absent or empty.
        """
        lowered = {str(name).lower(): value for name, value in headers.items()}
        values = {}
        for attr, name in cls._HEADERS.items():
            value = lowered.get(name.lower())
            values[attr] = str(value).strip() if value is not None and str(value).strip() else None
        missing = [cls._HEADERS[attr] for attr in cls._REQUIRED if not values[attr]]
        if missing:
            raise MissingWebhookHeader(missing)
        values["shop_domain"] = values["shop_domain"].lower()
        return cls(**values)


def parse_payload(body):
    """Decode a webhook body into a dict.

    Raises ValueError for a body that is not UTF-8, not JSON, or not a JSON
    object. Integers keep full precision (Shopify ids exceed 2**53).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("webhook body is not UTF-8") from exc
    try:
        payload = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"webhook body is not JSON: {exc.msg}") from exc
    if not isinstance(payload, dict):
        raise ValueError("webhook body is not a JSON object")
    return payload


def _reject_constant(name):
    # NaN and Infinity are not JSON; Python would accept them by default.
    raise ValueError(f"webhook body contains {name}, which is not JSON")


def normalize_shop_domain(value):
    """Return the shop's host as the addon stores it: ``acme.myshopify.com``.

    Accepts what a merchant pastes (``https://Acme.myshopify.com/admin``) and
    strips scheme, path and whitespace. Valid results are a
    ``*.myshopify.com`` domain, or, for a sandbox, ``localhost``, an IPv4
    address or a host with an explicit port. Raises ValueError otherwise,
    notably for a storefront domain such as ``shop.acme.com``.
    """
    text = (value or "").strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0].rstrip(".")
    if _MYSHOPIFY.match(text) or _LOCAL_HOST.match(text) or _HOST_WITH_PORT.match(text):
        return text
    raise ValueError(
        f"{value!r} is not a Shopify store domain: use the store's "
        "myshopify.com domain, e.g. acme.myshopify.com."
    )
