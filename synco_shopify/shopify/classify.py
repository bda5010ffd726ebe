"""Turning Shopify's answers into typed errors.

Pure functions of a response (status, headers, parsed body) so each rule can
be read, and tested, on its own. The client calls them; nothing here does
HTTP. Every message is built from the operation name and Shopify's own words
and is redacted by the error class with the ``secrets`` passed in.
"""

import contextlib
import email.utils
import re

import requests

from .errors import (
    AccessDeniedError,
    AuthError,
    GraphQLError,
    PermanentError,
    RetryableError,
    ThrottledError,
    UserErrors,
)

DEFAULT_429_RETRY_AFTER = 2.0
DEFAULT_THROTTLE_RETRY_AFTER = 1.0

MAYBE_APPLIED = (
    " The change may or may not have been applied: re-read the current state before repeating it."
)

_SCOPE = re.compile(r"\b(?:unauthenticated_)?(?:read|write)_[a-z_]+\b")


def retry_after_seconds(value, now, default=DEFAULT_429_RETRY_AFTER):
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or
    an HTTP date (compared with ``now``, a Unix timestamp); ``default`` when
    absent or unreadable."""
    if not value:
        return default
    with contextlib.suppress(ValueError):  # not a number: an HTTP date
        return max(0.0, float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when is None:
        return default
    return max(0.0, when.timestamp() - now)


def refill_seconds(cost):
    """Seconds until the bucket holds the cost Shopify refused: (requested -
    currently available) / restore rate, from ``extensions.cost``; 1 s when
    that cannot be computed."""
    try:
        status = cost["throttleStatus"]
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        rate = float(status["restoreRate"])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_THROTTLE_RETRY_AFTER
    if rate <= 0 or missing <= 0:
        return DEFAULT_THROTTLE_RETRY_AFTER
    return missing / rate


def body_detail(payload, text, limit=200):
    """A short human-readable summary of an error body, for messages."""
    if isinstance(payload, dict):
        for key in ("errors", "error_description", "error", "message"):
            value = payload.get(key)
            if value:
                if isinstance(value, list) and value and isinstance(value[0], dict):
                    value = value[0].get("message", value[0])
                return str(value)[:limit]
    return " ".join((text or "").split())[:limit]


def http_status_error(status, headers, detail, *, operation, path, now, mutation, secrets):
    """The error for a non-2xx answer from the GraphQL endpoint (401 and 403
    included; the client words those itself when it knows the auth method)."""
    common = {"status": status, "operation": operation, "secrets": secrets}
    if status == 429:
        wait = retry_after_seconds(headers.get("Retry-After"), now)
        return ThrottledError(
            f"Shopify is rate-limiting this store (HTTP 429) on {operation}; retry in {wait:g} s.",
            code="http_429",
            retry_after=wait,
            **common,
        )
    if status >= 500:
        extra = MAYBE_APPLIED if mutation else ""
        return RetryableError(
            f"Shopify had a server error (HTTP {status}) on {operation}: {detail}.{extra}",
            code="http_5xx",
            **common,
        )
    if status == 401:
        return AuthError(
            f"Shopify refused the access token (HTTP 401) on {operation}: check the client ID "
            "and secret or the Admin API token on the shop.",
            code="unauthorized",
            **common,
        )
    if status == 403:
        return AuthError(
            f"Shopify refused {operation} (HTTP 403): the app is not allowed to do this on the "
            "store. Check that the app is installed and has the required access scopes.",
            code="forbidden",
            **common,
        )
    if status == 404:
        return PermanentError(
            f"Shopify answered HTTP 404 for {path}: check the shop domain and that the API "
            "version exists.",
            code="not_found",
            **common,
        )
    if status == 402:
        return PermanentError(
            "Shopify answered HTTP 402 (Payment Required): the store is frozen, usually for an "
            "unpaid bill. Synchronisation resumes once the merchant settles it.",
            code="http_402",
            **common,
        )
    if 300 <= status < 400:
        return PermanentError(
            f"Shopify redirected {operation} (HTTP {status}) to {headers.get('Location')}: set "
            "the store's myshopify.com domain on the shop.",
            code="redirect",
            **common,
        )
    return PermanentError(
        f"Shopify refused {operation} (HTTP {status}): {detail}.",
        code=f"http_{status}",
        **common,
    )


def graphql_body_error(payload, *, status, operation, allow_partial, secrets):
    """The error in a 2xx GraphQL answer, or None when its ``data`` is usable.

    Top-level ``errors`` make it an error, except plain GraphQL errors next to
    ``data`` when the caller accepts partial data (throttling, access denial
    and internal errors always count).
    """
    common = {"status": status, "operation": operation, "secrets": secrets}
    if not isinstance(payload, dict):
        return PermanentError(
            f"Shopify answered {operation} with a body that is not a JSON object.",
            code="invalid_response",
            **common,
        )
    data = payload.get("data")
    if payload.get("errors"):
        cost = (payload.get("extensions") or {}).get("cost")
        error = graphql_errors_error(payload["errors"], cost, **common)
        if not (allow_partial and isinstance(data, dict) and type(error) is GraphQLError):
            return error
    if not isinstance(data, dict):
        return PermanentError(
            f"Shopify's answer to {operation} has no data.", code="invalid_response", **common
        )
    return None


def graphql_errors_error(errors, cost, *, operation, status, secrets):
    """The error for a 200 answer carrying top-level GraphQL ``errors``.

    THROTTLED is retryable after the refill time; INTERNAL_SERVER_ERROR is
    retryable; ACCESS_DENIED names the missing scope; anything else is a
    permanent GraphQLError.
    """
    errors = normalize_errors(errors)
    common = {"status": status, "operation": operation, "secrets": secrets}
    codes = [_error_code(error) for error in errors]
    if "THROTTLED" in codes:
        wait = refill_seconds(cost)
        return ThrottledError(
            f"Shopify throttled {operation}: the store's API cost budget is used up; "
            f"retry in {wait:.1f} s.",
            code="throttled",
            retry_after=wait,
            **common,
        )
    if "ACCESS_DENIED" in codes:
        error = errors[codes.index("ACCESS_DENIED")]
        return _access_denied(error, common)
    if "INTERNAL_SERVER_ERROR" in codes:
        return RetryableError(
            f"Shopify reported an internal error on {operation}; it will be retried.",
            code="internal",
            **common,
        )
    first = errors[0].get("message") if errors else "unknown error"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return GraphQLError(
        f"Shopify rejected {operation}: {first}{more}", errors=errors, code="graphql", **common
    )


def normalize_errors(errors):
    """Shopify's ``errors`` as a list of dicts with a ``message`` (it may
    also be a bare string or a dict of field -> messages on older paths)."""
    if isinstance(errors, str):
        return [{"message": errors}]
    if isinstance(errors, dict):
        return [{"message": f"{key}: {value}"} for key, value in errors.items()]
    return [e if isinstance(e, dict) else {"message": str(e)} for e in errors or ()]


def _error_code(error):
    extensions = error.get("extensions")
    return extensions.get("code") if isinstance(extensions, dict) else None


def _access_denied(error, common):
    extensions = error.get("extensions") or {}
    text = f"{extensions.get('requiredAccess') or ''} {error.get('message') or ''}"
    scopes = tuple(dict.fromkeys(_SCOPE.findall(text)))
    where = ".".join(str(part) for part in error.get("path") or ()) or common["operation"]
    if scopes:
        need = ", ".join(scopes)
        message = (
            f"Shopify denied access to {where}: the app lacks the access scope(s) {need}. "
            "Add them to the app's configuration, release the app version, approve it on "
            "the store, then test the connection again."
        )
    else:
        message = (
            f"Shopify denied access to {where}: {error.get('message')}. Check the app's "
            "access scopes."
        )
    return AccessDeniedError(message, missing_scopes=scopes, code="access_denied", **common)


def transport_error(exc, *, timeout, operation, mutation, base_url, secrets):
    """The error for a request that got no HTTP answer: retryable, except a
    malformed shop URL. Only a connect timeout proves nothing was sent."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    maybe = MAYBE_APPLIED if mutation else ""
    common = {"operation": operation, "secrets": secrets}
    bad_url = (
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
    )
    if isinstance(exc, bad_url):
        return PermanentError(
            f"The shop's API URL {base_url} is not valid: check the shop domain.",
            code="url",
            **common,
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return RetryableError(
            f"Could not connect to Shopify within {connect} s for {operation}; nothing was sent.",
            code="timeout",
            **common,
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return RetryableError(
            f"Shopify did not answer {operation} within {read} s.{maybe}",
            code="timeout",
            **common,
        )
    return RetryableError(
        f"The connection to Shopify failed during {operation} ({type(exc).__name__}).{maybe}",
        code="connection",
        **common,
    )


def grant_error(status, headers, detail, *, client_id, now, secrets):
    """The error for a failed client credentials grant. A refusal names the
    client ID (never the secret) and says which two things to check."""
    if status in (400, 401, 403):
        return AuthError(
            f"Shopify refused the client credentials for client ID {client_id} "
            f"(HTTP {status}: {detail}): the client ID is wrong or the client secret does not "
            "match it, or the app is not installed on this store. Copy both from the app's "
            "settings in the Dev Dashboard.",
            code="forbidden" if status == 403 else "unauthorized",
            status=status,
            operation="access_token",
            secrets=secrets,
        )
    if 200 <= status < 300:
        return PermanentError(
            "Shopify's answer to the access token request has no access_token.",
            code="invalid_response",
            status=status,
            operation="access_token",
            secrets=secrets,
        )
    return http_status_error(
        status,
        headers,
        detail,
        operation="access_token",
        path="/admin/oauth/access_token",
        now=now,
        mutation=False,
        secrets=secrets,
    )


def user_errors_error(user_errors, field, *, operation, secrets, limit=3):
    """``UserErrors`` for a mutation payload's non-empty ``userErrors``."""
    parts = []
    for error in user_errors[:limit]:
        path = ".".join(str(part) for part in error.get("field") or ())
        parts.append(f"{path}: {error.get('message')}" if path else str(error.get("message")))
    more = f" (and {len(user_errors) - limit} more)" if len(user_errors) > limit else ""
    return UserErrors(
        f"Shopify refused {field}: " + "; ".join(parts) + more,
        user_errors=user_errors,
        operation=operation,
        status=200,
        secrets=secrets,
    )
