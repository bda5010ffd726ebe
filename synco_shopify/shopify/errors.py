"""Typed errors for everything that can go wrong talking to Shopify.

The job queue only needs two answers from an error: may the same call be
tried again (``retryable``) and after how long (``retry_after``). Everything
else is for people: ``message`` tells a merchant what to check, ``code`` is a
short machine code for logs and filters, ``status`` the HTTP status if there
was one, ``operation`` the GraphQL operation name.

Contract: no message, ``str()`` or ``repr()`` of these errors ever contains an
access token or a client secret. The client builds every message through
``redact`` with the secrets it holds; ``redact`` also masks anything shaped
like a Shopify token, in case a secret reaches a message by another path.
"""

import re

REDACTED = "[redacted]"

# Shopify's token and secret prefixes: Admin API token, custom app token,
# private app password, shared secret, user token.
_TOKEN_PATTERN = re.compile(r"\bshp(?:at|ca|pa|ss|ua)_[A-Za-z0-9]+")


def redact(text, secrets=()):
    """Return ``text`` with every non-empty secret and token-like string masked.

    ``text`` may be anything (it is converted with ``str``); ``secrets`` is an
    iterable of secret values, ``None`` and empty values are ignored.
    Longer secrets are masked first so a secret containing another is fully
    hidden.
    """
    text = "" if text is None else str(text)
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _TOKEN_PATTERN.sub(REDACTED, text)


class ShopifyError(Exception):
    """Base of every error the Shopify client raises.

    Subclasses fix ``retryable`` and a default ``code``; callers catch
    ``ShopifyError`` and look at ``retryable`` rather than at the class.
    """

    retryable = False
    default_code = "error"

    def __init__(
        self, message, *, code=None, status=None, operation=None, retry_after=None, secrets=()
    ):
        self.message = redact(message, secrets)
        self.code = code or self.default_code
        self.status = status
        self.operation = operation
        self.retry_after = retry_after
        super().__init__(self.message)

    def __str__(self):
        return self.message

    def __repr__(self):
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, "
            f"operation={self.operation!r}, retry_after={self.retry_after!r}, "
            f"message={self.message!r})"
        )


class RetryableError(ShopifyError):
    """The same call may succeed later: a timeout, a 5xx, a dropped connection.

    ``retry_after`` is the suggested delay in seconds, or None for "use your
    own backoff".
    """

    retryable = True
    default_code = "retryable"


class ThrottledError(RetryableError):
    """Shopify's cost bucket is empty (GraphQL THROTTLED or HTTP 429), or the
    client's pacer predicts it would be. ``retry_after`` is always set."""

    default_code = "throttled"


class PermanentError(ShopifyError):
    """Retrying the same call will fail the same way until someone changes
    the configuration or the data."""

    default_code = "permanent"


class ApiVersionError(PermanentError):
    """The configured API version is not one Shopify can serve."""

    default_code = "version"


class AuthError(PermanentError):
    """Shopify refused the credentials (HTTP 401) or the app (HTTP 403)."""

    default_code = "unauthorized"


class AccessDeniedError(PermanentError):
    """A GraphQL field needs an access scope the app was not granted.

    ``missing_scopes`` lists the scope handles Shopify named (may be empty
    when Shopify's message did not name one).
    """

    default_code = "access_denied"

    def __init__(self, message, *, missing_scopes=(), **kwargs):
        super().__init__(message, **kwargs)
        self.missing_scopes = tuple(missing_scopes)


class GraphQLError(PermanentError):
    """Top-level GraphQL ``errors``: an invalid document or argument, a
    missing object, or anything Shopify reports outside ``userErrors``.

    ``errors`` holds Shopify's error objects (messages redacted).
    """

    default_code = "graphql"

    def __init__(self, message, *, errors=(), **kwargs):
        super().__init__(message, **kwargs)
        secrets = kwargs.get("secrets", ())
        self.errors = [_redact_error(error, secrets) for error in errors]


class UserErrors(PermanentError):
    """A mutation ran but refused the input (``userErrors`` not empty).

    ``user_errors`` is the list of ``{"field": [...] | None, "message": str}``
    as Shopify sent it (messages redacted).
    """

    default_code = "user_errors"

    def __init__(self, message, *, user_errors=(), **kwargs):
        super().__init__(message, **kwargs)
        secrets = kwargs.get("secrets", ())
        self.user_errors = [_redact_error(error, secrets) for error in user_errors]


def _redact_error(error, secrets):
    """Copy a GraphQL error or user error dict with its message redacted."""
    if not isinstance(error, dict):
        return {"message": redact(error, secrets)}
    error = dict(error)
    if "message" in error:
        error["message"] = redact(error["message"], secrets)
    return error
