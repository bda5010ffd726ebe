"""Every way a call to Shopify can fail becomes the right typed error:
retryable or not, with the delay to wait, a machine code and a message a
merchant can act on, and never a secret."""

import email.utils

import pytest
import requests
from shopify_fakes import (
    ADMIN_TOKEN,
    BASE_URL,
    Clock,
    FakeSession,
    cost,
    graphql,
    response,
    throttled,
)

from synco_shopify.shopify import queries
from synco_shopify.shopify.client import ShopifyClient
from synco_shopify.shopify.errors import (
    AccessDeniedError,
    AuthError,
    GraphQLError,
    PermanentError,
    RetryableError,
    ShopifyError,
    ThrottledError,
    UserErrors,
    redact,
)


def call(*script, document=queries.SHOP, clock=None):
    """Run one execute() against a scripted answer; return the raised error
    and the on_call records."""
    records = []
    clock = clock or Clock()
    client = ShopifyClient(
        BASE_URL,
        "2026-10",
        access_token=ADMIN_TOKEN,
        session=FakeSession(*script),
        on_call=records.append,
        clock=clock,
        sleep=clock.sleep,
    )
    with pytest.raises(ShopifyError) as info:
        client.execute(document, {"id": "gid://shopify/Fulfillment/1"})
    return info.value, records


def test_graphql_throttled_is_retryable_after_the_bucket_refills_the_requested_cost():
    error, records = call(throttled(requested=250, available=50, rate=100))

    assert isinstance(error, ThrottledError)
    assert error.retryable is True
    assert error.code == "throttled"
    assert error.retry_after == pytest.approx(2.0)  # (250 - 50) / 100
    assert records[0]["outcome"] == "throttled"
    assert records[0]["requested_cost"] == 250


def test_graphql_throttled_without_cost_waits_one_second():
    answer = graphql(errors=[{"message": "Throttled", "extensions": {"code": "THROTTLED"}}])
    error, _records = call(answer)

    assert isinstance(error, ThrottledError)
    assert error.retry_after == 1.0


def test_http_429_is_retryable_after_retry_after_seconds():
    error, _records = call(response(429, {"errors": "Throttled"}, {"Retry-After": "4.0"}))

    assert isinstance(error, ThrottledError)
    assert (error.code, error.status, error.retry_after) == ("http_429", 429, 4.0)


def test_http_429_understands_an_http_date_retry_after():
    clock = Clock()
    when = email.utils.formatdate(clock.now + 30, usegmt=True)
    error, _records = call(response(429, b"", {"Retry-After": when}), clock=clock)

    assert error.retry_after == pytest.approx(30, abs=1)


def test_http_429_without_retry_after_waits_two_seconds():
    error, _records = call(response(429, b""))

    assert error.retry_after == 2.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retryable_even_with_a_non_json_body(status):
    error, records = call(response(status, "<html>Bad gateway</html>"))

    assert isinstance(error, RetryableError)
    assert (error.code, error.status, error.retryable) == ("http_5xx", status, True)
    assert records[0]["status"] == status


def test_a_server_error_on_a_mutation_says_it_may_have_been_applied():
    error, _records = call(response(502, b""), document=queries.FULFILLMENT_CREATE)

    assert "may or may not have been applied" in error.message


def test_read_timeout_is_retryable_and_warns_the_mutation_may_have_been_applied():
    error, records = call(
        requests.exceptions.ReadTimeout("read timed out"), document=queries.FULFILLMENT_CREATE
    )

    assert isinstance(error, RetryableError)
    assert error.code == "timeout"
    assert error.operation == "SyncoFulfillmentCreate"
    assert "may or may not have been applied" in error.message
    assert records[0]["outcome"] == "timeout"
    assert records[0]["status"] is None


def test_connect_timeout_says_nothing_was_sent():
    error, _records = call(
        requests.exceptions.ConnectTimeout("connect timed out"), document=queries.FULFILLMENT_CREATE
    )

    assert (error.code, error.retryable) == ("timeout", True)
    assert "nothing was sent" in error.message


@pytest.mark.parametrize(
    "exc",
    [
        requests.exceptions.ConnectionError("connection reset by peer"),
        requests.exceptions.ChunkedEncodingError("connection dropped mid-body"),
    ],
)
def test_dropped_connections_are_retryable(exc):
    error, _records = call(exc, document=queries.FULFILLMENT_CREATE)

    assert isinstance(error, RetryableError)
    assert error.code == "connection"
    assert "may or may not have been applied" in error.message


def test_an_invalid_shop_url_is_permanent():
    error, _records = call(requests.exceptions.InvalidURL("bad url"))

    assert isinstance(error, PermanentError)
    assert error.code == "url"


@pytest.mark.parametrize("status, code", [(401, "unauthorized"), (403, "forbidden")])
def test_401_and_403_are_permanent_auth_errors(status, code):
    error, _records = call(response(status, {"errors": "[API] Invalid API key or access token"}))

    assert isinstance(error, AuthError)
    assert (error.code, error.status, error.retryable) == (code, status, False)


def test_401_message_tells_the_merchant_what_to_check():
    error, _records = call(response(401, b""))

    assert "refused the access token (HTTP 401)" in error.message
    assert "Admin API token" in error.message


@pytest.mark.parametrize(
    "status, code", [(400, "http_400"), (404, "not_found"), (402, "http_402"), (422, "http_422")]
)
def test_other_4xx_are_permanent(status, code):
    error, _records = call(response(status, "nope"))

    assert isinstance(error, PermanentError)
    assert (error.code, error.status, error.retryable) == (code, status, False)


def test_a_redirect_is_permanent_and_names_the_target():
    error, _records = call(response(301, b"", {"Location": "https://acme.com/"}))

    assert error.code == "redirect"
    assert "https://acme.com/" in error.message


def test_non_json_200_is_permanent():
    error, _records = call(response(200, "<html>maintenance</html>"))

    assert isinstance(error, PermanentError)
    assert error.code == "invalid_response"


def test_access_denied_names_the_missing_scope():
    required = "`read_orders` access scope."
    denial = {
        "message": f"Access denied for order field. Required access: {required}",
        "path": ["order"],
        "extensions": {"code": "ACCESS_DENIED", "requiredAccess": required},
    }
    answer = graphql({"order": None}, errors=[denial])
    error, _records = call(answer)

    assert isinstance(error, AccessDeniedError)
    assert (error.code, error.retryable) == ("access_denied", False)
    assert error.missing_scopes == ("read_orders",)
    assert "read_orders" in error.message


def test_other_graphql_errors_are_permanent_graphql_errors():
    errors = [
        {
            "message": "Field 'nope' doesn't exist on type 'Shop'",
            "extensions": {"code": "undefinedField"},
        },
        {"message": "Variable $id is required"},
    ]
    error, _records = call(graphql(errors=errors))

    assert isinstance(error, GraphQLError)
    assert (error.code, error.retryable) == ("graphql", False)
    assert error.errors == errors
    assert "doesn't exist" in error.message and "1 more" in error.message


def test_internal_server_error_in_a_200_is_retryable():
    answer = graphql(
        errors=[{"message": "Internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]
    )
    error, _records = call(answer)

    assert (error.code, error.retryable) == ("internal", True)


def test_a_200_without_data_or_errors_is_permanent():
    error, _records = call(graphql(extensions_cost=cost()))

    assert error.code == "invalid_response"


# -- redaction --------------------------------------------------------------


def test_redact_masks_secrets_and_anything_shaped_like_a_shopify_token():
    text = redact("token abc-secret-123 and shpat_deadbeef00 and shpss_cafe", ["abc-secret-123"])

    assert "abc-secret-123" not in text
    assert "shpat_deadbeef00" not in text
    assert "shpss_cafe" not in text
    assert text.count("[redacted]") == 3


def test_redact_ignores_empty_secrets_and_masks_the_longer_secret_first():
    assert redact("abcdef", ["", None, "abc", "abcdef"]) == "[redacted]"
    assert redact(None) == ""


def test_error_text_and_repr_never_contain_a_secret_from_shopifys_own_words():
    # A proxy or Shopify echoing the token back in an error body.
    answer = graphql(errors=[{"message": f"bad token {ADMIN_TOKEN}"}])
    error, records = call(answer)

    assert ADMIN_TOKEN not in str(error)
    assert ADMIN_TOKEN not in repr(error)
    assert ADMIN_TOKEN not in str(error.errors)
    assert ADMIN_TOKEN not in str(records)
    assert "[redacted]" in str(error)


def test_user_errors_are_redacted_too():
    error = UserErrors(
        "refused", user_errors=[{"field": None, "message": "s3cr3t!"}], secrets=["s3cr3t!"]
    )

    assert "s3cr3t!" not in str(error.user_errors)


def test_repr_shows_code_status_and_operation():
    error = RetryableError("it broke", code="http_5xx", status=503, operation="SyncoShop")

    assert repr(error) == (
        "RetryableError(code='http_5xx', status=503, operation='SyncoShop', "
        "retry_after=None, message='it broke')"
    )
    assert str(error) == "it broke"
