"""Authentication: the client credentials grant, token caching and renewal,
the single retry after a 401, and secrets kept out of errors and logs."""

import logging
from urllib.parse import parse_qs

import pytest
import requests
from shopify_fakes import (
    ADMIN_TOKEN,
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    GRANTED_TOKEN,
    TOKEN_URL,
    Clock,
    FakeSession,
    graphql,
    response,
    token_answer,
)

from synco_shopify.shopify import queries
from synco_shopify.shopify.client import ShopifyClient
from synco_shopify.shopify.const import DEFAULT_TIMEOUT
from synco_shopify.shopify.errors import AuthError, RetryableError, ShopifyError
from synco_shopify.shopify.tokens import MemoryTokenStore

SECRETS = (CLIENT_SECRET, GRANTED_TOKEN, ADMIN_TOKEN)


def make_client(*script, clock=None, token_store=None, records=None):
    clock = clock or Clock()
    session = FakeSession(*script)
    client = ShopifyClient(
        BASE_URL,
        "2026-10",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        token_store=token_store,
        session=session,
        on_call=records.append if records is not None else None,
        clock=clock,
        sleep=clock.sleep,
    )
    return client, session


def shop():
    return graphql({"shop": {"name": "Acme"}})


def test_first_call_obtains_a_token_with_the_client_credentials_grant():
    records = []
    client, session = make_client(token_answer(), shop(), records=records)

    client.execute(queries.SHOP)

    grant, query = session.calls
    assert grant["url"] == TOKEN_URL
    assert grant["data"] == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_type": "client_credentials",
    }
    assert grant["timeout"] == DEFAULT_TIMEOUT
    assert query["headers"]["X-Shopify-Access-Token"] == GRANTED_TOKEN
    assert query["timeout"] == DEFAULT_TIMEOUT
    assert client.granted_scopes == ("read_orders", "read_locations")
    assert [r["operation"] for r in records] == ["access_token", "SyncoShop"]
    assert records[0]["path"] == "/admin/oauth/access_token"


class RecordingAdapter(requests.adapters.BaseAdapter):
    """A transport under a real ``requests.Session``: keeps each request as
    the session prepared it for the wire, and answers from a script."""

    def __init__(self, *answers):
        super().__init__()
        self.answers = list(answers)
        self.sent = []

    def send(self, request, **_kwargs):
        self.sent.append(request)
        answer = self.answers.pop(0)
        answer.request, answer.url = request, request.url
        return answer

    def close(self):
        pass


def test_the_grant_is_form_encoded_on_the_wire():
    # The client's own request, through a real session's preparation: what
    # Shopify's token endpoint receives, not the keyword arguments.
    adapter = RecordingAdapter(token_answer(), shop())
    session = requests.Session()
    session.mount("https://", adapter)
    client = ShopifyClient(
        BASE_URL, "2026-10", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, session=session
    )

    client.execute(queries.SHOP)

    grant, query = adapter.sent
    assert (grant.method, grant.url) == ("POST", TOKEN_URL)
    assert grant.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(grant.body) == {
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
        "grant_type": ["client_credentials"],
    }
    assert query.headers["X-Shopify-Access-Token"] == GRANTED_TOKEN


def test_the_token_is_cached_with_its_expiry_and_reused():
    clock = Clock()
    store = MemoryTokenStore()
    client, session = make_client(
        token_answer(expires_in=86399), shop(), shop(), clock=clock, token_store=store
    )

    client.execute(queries.SHOP)
    clock.advance(3600)
    client.execute(queries.SHOP)

    assert len(session.token_calls) == 1
    assert store.get() == (GRANTED_TOKEN, pytest.approx(clock.now - 3600 + 86399))


def test_a_token_expiring_within_five_minutes_is_renewed_before_the_call():
    clock = Clock()
    store = MemoryTokenStore()
    store.set("old-token-about-to-expire", clock.now + 299)
    client, session = make_client(token_answer(), shop(), clock=clock, token_store=store)

    client.execute(queries.SHOP)

    assert len(session.token_calls) == 1
    assert session.graphql_calls[0]["headers"]["X-Shopify-Access-Token"] == GRANTED_TOKEN


def test_a_token_valid_for_more_than_five_minutes_is_used_as_is():
    clock = Clock()
    store = MemoryTokenStore()
    store.set("stored-token-still-good", clock.now + 301)
    client, session = make_client(shop(), clock=clock, token_store=store)

    client.execute(queries.SHOP)

    assert session.token_calls == []
    assert (
        session.graphql_calls[0]["headers"]["X-Shopify-Access-Token"] == "stored-token-still-good"
    )


def test_a_401_renews_the_token_once_and_retries_once():
    clock = Clock()
    store = MemoryTokenStore()
    store.set("revoked-token", clock.now + 50_000)
    client, session = make_client(
        response(401, b""), token_answer(), shop(), clock=clock, token_store=store
    )

    assert client.execute(queries.SHOP) == {"shop": {"name": "Acme"}}

    tokens = [c["headers"]["X-Shopify-Access-Token"] for c in session.graphql_calls]
    assert tokens == ["revoked-token", GRANTED_TOKEN]
    assert store.get()[0] == GRANTED_TOKEN


def test_a_second_401_after_renewal_is_an_auth_error_without_more_retries():
    client, session = make_client(
        token_answer(), response(401, b""), token_answer(), response(401, b"")
    )

    with pytest.raises(AuthError) as info:
        client.execute(queries.SHOP)

    assert info.value.status == 401
    assert len(session.graphql_calls) == 2
    assert len(session.token_calls) == 2


def test_a_static_token_is_not_renewed_on_401():
    session = FakeSession(response(401, b""))
    client = ShopifyClient(BASE_URL, "2026-10", access_token=ADMIN_TOKEN, session=session)

    with pytest.raises(AuthError):
        client.execute(queries.SHOP)

    assert len(session.calls) == 1


@pytest.mark.parametrize(
    "status, body",
    [
        (401, {"error": "invalid_client", "error_description": "Client authentication failed"}),
        (400, {"error": "invalid_client"}),
    ],
)
def test_a_refused_grant_names_the_client_id_and_never_the_secret(status, body):
    records = []
    client, _session = make_client(response(status, body), records=records)

    with pytest.raises(AuthError) as info:
        client.execute(queries.SHOP)

    error = info.value
    assert (error.status, error.retryable, error.operation) == (status, False, "access_token")
    assert CLIENT_ID in error.message
    assert "client secret does not match" in error.message
    assert CLIENT_SECRET not in str(error) + repr(error) + str(records)
    assert records[0]["outcome"] == "unauthorized"


def test_a_grant_that_times_out_is_retryable():
    client, _session = make_client(requests.exceptions.ReadTimeout("slow"))

    with pytest.raises(RetryableError) as info:
        client.execute(queries.SHOP)

    assert info.value.code == "timeout"


def test_a_grant_server_error_is_retryable():
    client, _session = make_client(response(503, "busy"))

    with pytest.raises(RetryableError) as info:
        client.execute(queries.SHOP)

    assert info.value.code == "http_5xx"


def test_secrets_never_reach_errors_records_or_logs(caplog):
    # Shopify (or a proxy) echoing every secret back in an error body.
    echo = f"client_secret={CLIENT_SECRET} token={GRANTED_TOKEN}"
    records = []
    client, _session = make_client(
        token_answer(),
        response(401, {"errors": echo}),
        token_answer(),
        response(500, {"errors": echo}),
        records=records,
    )

    with (
        caplog.at_level(logging.DEBUG, logger="synco_shopify"),
        pytest.raises(ShopifyError) as info,
    ):
        client.execute(queries.SHOP)

    text = str(info.value) + repr(info.value) + str(records) + caplog.text
    for secret in SECRETS:
        assert secret not in text
    assert len(records) == 4
    assert "syncoshop" in caplog.text.lower()  # the client did log these calls
    assert GRANTED_TOKEN not in repr(client.token_store)


def test_records_carry_the_documented_keys():
    records = []
    client, _session = make_client(token_answer(), shop(), records=records)

    client.execute(queries.SHOP)

    assert set(records[1]) == {
        "operation",
        "path",
        "status",
        "duration_ms",
        "requested_cost",
        "actual_cost",
        "available",
        "outcome",
        "error",
    }
    assert records[1]["outcome"] == "ok" and records[1]["error"] is None
    assert records[1]["path"] == "/admin/api/2026-10/graphql.json"


def test_a_failing_on_call_callback_does_not_fail_the_call():
    def broken(record):
        raise RuntimeError("log sink down")

    session = FakeSession(shop())
    client = ShopifyClient(
        BASE_URL, "2026-10", access_token=ADMIN_TOKEN, session=session, on_call=broken
    )

    assert client.execute(queries.SHOP) == {"shop": {"name": "Acme"}}
