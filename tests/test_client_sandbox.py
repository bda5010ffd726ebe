"""The Shopify client against the running sandbox, over real HTTP: both
auth methods, token renewal, pacing, and each error class."""

import time

import pytest

from synco_shopify.shopify import queries
from synco_shopify.shopify.client import ShopifyClient
from synco_shopify.shopify.errors import (
    AccessDeniedError,
    AuthError,
    GraphQLError,
    RetryableError,
    ThrottledError,
    UserErrors,
)

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret-0123456789"
STATIC_TOKEN = "shpat_sandbox_token"


@pytest.fixture
def store(sandbox):
    sandbox.admin.config(
        domain="acme.myshopify.com", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    return sandbox


def client_for(store, **kwargs):
    auth = kwargs.pop("auth", None) or {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    return ShopifyClient(store.url, "2026-10", timeout=(1, 2), **auth, **kwargs)


def test_static_token_reads_the_shop(store):
    client = client_for(store, auth={"access_token": STATIC_TOKEN})
    data = client.execute(queries.SHOP)
    assert data["shop"]["myshopifyDomain"] == "acme.myshopify.com"
    assert client.served_api_version == "2026-10"


def test_client_credentials_grant_is_cached_then_renewed_before_expiry(store):
    now = [time.time()]
    records = []
    client = client_for(store, on_call=records.append, clock=lambda: now[0])

    def grants():
        return [r for r in records if r["path"].endswith("/oauth/access_token")]

    client.execute(queries.SHOP)
    client.execute(queries.SHOP)
    assert len(grants()) == 1, "the token is cached"
    now[0] += 86399 - 200  # within five minutes of the token's expiry
    client.execute(queries.SHOP)
    assert len(grants()) == 2, "renewed before it expired"
    assert all(r["outcome"] == "ok" for r in records)


def test_token_refused_by_the_store_is_renewed_once(store):
    client = client_for(store)
    client.execute(queries.SHOP)
    store.admin.add_fault("http_401", count=1)
    assert client.execute(queries.SHOP)["shop"]["name"]


def test_wrong_client_secret_is_an_auth_error_without_the_secret(store):
    client = ShopifyClient(
        store.url, "2026-10", client_id=CLIENT_ID, client_secret="wrong-secret-xyz"
    )
    with pytest.raises(AuthError) as raised:
        client.execute(queries.SHOP)
    assert not raised.value.retryable
    assert "wrong-secret-xyz" not in str(raised.value) + repr(raised.value)
    assert CLIENT_ID in str(raised.value)


@pytest.mark.parametrize("kind", ["http_500", "http_503"])
def test_server_errors_are_retryable(store, kind):
    client = client_for(store)
    store.admin.add_fault(kind, count=1)
    with pytest.raises(RetryableError) as raised:
        client.execute(queries.SHOP)
    assert raised.value.retryable
    assert client.execute(queries.SHOP)["shop"]


def test_429_carries_retry_after(store):
    client = client_for(store)
    store.admin.add_fault("http_429", count=1, retry_after=7)
    with pytest.raises(ThrottledError) as raised:
        client.execute(queries.SHOP)
    assert raised.value.retry_after == 7


def test_throttled_answer_says_how_long_the_bucket_needs(store):
    client = client_for(store)
    store.admin.add_fault("throttled", count=1)
    with pytest.raises(ThrottledError) as raised:
        client.execute(queries.SHOP)
    assert raised.value.code == "throttled"
    assert raised.value.retry_after > 0


def test_forbidden_is_permanent(store):
    client = client_for(store)
    store.admin.add_fault("http_403", count=1)
    with pytest.raises(AuthError) as raised:
        client.execute(queries.SHOP)
    assert not raised.value.retryable
    assert raised.value.status == 403


def test_timeout_is_retryable(store):
    client = client_for(store)
    store.admin.add_fault("hang", count=1, seconds=3)
    with pytest.raises(RetryableError) as raised:
        client.execute(queries.SHOP)
    assert raised.value.code == "timeout"


def test_dropped_connection_after_apply_is_retryable_and_says_it_may_have_applied(store, shop):
    order = store.admin.create_order(
        email="a@b.c",
        line_items=[{"sku": "ANVIL", "quantity": 1, "location_id": shop["main"]["id"]}],
    )
    client = client_for(store)
    store.admin.add_fault("drop_after_apply", count=1, match="fulfillmentCreate")
    fo_id = order["fulfillment_orders"][0]["id"]
    with pytest.raises(RetryableError) as raised:
        client.mutate(
            queries.FULFILLMENT_CREATE,
            {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id}]}},
            "fulfillmentCreate",
        )
    assert "may" in str(raised.value)
    assert store.admin.order(order["id"])["display_fulfillment_status"] == "FULFILLED"


def test_user_errors_are_permanent_and_listed(store, shop):
    order = store.admin.create_order(
        email="a@b.c",
        line_items=[{"sku": "ANVIL", "quantity": 1, "location_id": shop["main"]["id"]}],
    )
    fo = order["fulfillment_orders"][0]
    client = client_for(store)
    with pytest.raises(UserErrors) as raised:
        client.mutate(
            queries.FULFILLMENT_CREATE,
            {
                "fulfillment": {
                    "lineItemsByFulfillmentOrder": [
                        {
                            "fulfillmentOrderId": fo["id"],
                            "fulfillmentOrderLineItems": [
                                {"id": fo["line_items"][0]["id"], "quantity": 5}
                            ],
                        }
                    ]
                }
            },
            "fulfillmentCreate",
        )
    assert raised.value.user_errors
    assert not raised.value.retryable


def test_graphql_validation_error_is_permanent(store):
    client = client_for(store)
    with pytest.raises(GraphQLError):
        client.execute("query SyncoBroken { shop { noSuchField } }")


def test_missing_scope_is_access_denied_naming_it(store):
    store.admin.config(scopes=["read_locations"])
    client = client_for(store)
    with pytest.raises(AccessDeniedError) as raised:
        client.execute(queries.ORDERS, {"first": 5})
    assert "read_orders" in str(raised.value)


def test_pacing_keeps_a_busy_queue_off_throttled(store, shop):
    """A small bucket and a burst of calls: the pacer waits for the bucket
    instead of letting Shopify answer THROTTLED."""
    store.admin.config(bucket={"maximum": 120, "restore_rate": 200})
    client = client_for(store, max_pacing_sleep=2.0)
    for _ in range(30):
        client.execute(queries.LOCATIONS, {"first": 10})
    throttled = [c for c in store.admin.calls() if c.get("throttled")]
    assert throttled == []


def test_pagination_follows_cursors(store):
    for index in range(7):
        store.admin.add_location(f"Depot {index}")
    client = client_for(store)
    nodes = list(client.paginate(queries.LOCATIONS, {"first": 3}, ("locations",)))
    assert len(nodes) == 7
    assert len({node["id"] for node in nodes}) == 7


def test_retired_version_is_reported_as_served_version(store):
    store.admin.config(api_versions=["2026-07", "2026-10"])
    client = ShopifyClient(store.url, "2026-01", access_token=STATIC_TOKEN)
    client.execute(queries.SHOP)
    assert client.served_api_version == "2026-07"
