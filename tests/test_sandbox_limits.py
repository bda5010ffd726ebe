"""Cost accounting, the leaky bucket, and fault injection."""

import time

import pytest
import requests

from shopify_sandbox import SandboxServer
from synco_shopify.shopify import queries

LOCATIONS_10 = {"first": 10}


def _fulfill_variables(order):
    fo = order["fulfillment_orders"][0]
    return {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}}


def test_cost_extension_on_every_answer(sandbox, shop):
    body = sandbox.gql(queries.LOCATIONS, LOCATIONS_10)
    cost = body["extensions"]["cost"]
    # connection 2 + 10 x (node 1 + fulfillmentService 1)
    assert cost["requestedQueryCost"] == 22
    # 3 locations, one with a fulfillment service: 2 + 3 + 1
    assert cost["actualQueryCost"] == 6
    status = cost["throttleStatus"]
    assert status["maximumAvailable"] == 2000
    assert status["restoreRate"] == 100
    assert 1990 <= status["currentlyAvailable"] <= 2000


def test_mutations_cost_ten(sandbox, shop):
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    body = sandbox.gql(queries.FULFILLMENT_CREATE, _fulfill_variables(order))
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10


def test_bucket_throttles_when_empty_and_refills_over_time(sandbox, shop):
    # The sandbox's clock runs in real time too: a slow point-per-second
    # rate keeps the refill during the calls themselves far from the margins
    # (12 s before the first call could pass, 5 s before the second).
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    sandbox.admin.configure(bucket={"maximum": 100, "restore_rate": 1, "available": 10})
    body = sandbox.gql(queries.LOCATIONS, LOCATIONS_10)  # needs 22
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    assert "data" not in body
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 10
    sandbox.admin.configure(bucket={"available": 5})
    body = sandbox.gql(queries.FULFILLMENT_CREATE, _fulfill_variables(order))
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert sandbox.admin.order(order["id"])["fulfillments"] == []  # nothing executed
    sandbox.admin.advance_clock(18)  # +18 points
    body = sandbox.gql(queries.LOCATIONS, LOCATIONS_10)
    assert "errors" not in body
    calls = sandbox.admin.calls()
    assert [c["throttled"] for c in calls] == [True, True, False]


def test_injected_clock_drives_the_bucket():
    now = [1000.0]
    with SandboxServer(port=0, clock=lambda: now[0], bucket_restore_rate=50) as server:
        store = server.store
        assert store.bucket.try_take(2000)
        assert not store.bucket.try_take(1)
        now[0] += 2
        assert store.bucket.status()["currentlyAvailable"] == 100
        store.configure({"token_ttl": 5})
        token = store.issue_token("sandbox-client-id", "sandbox-client-secret")
        assert store.token_valid(token)
        now[0] += 5
        assert not store.token_valid(token)


def test_single_query_max_cost(sandbox, shop):
    query = "query { orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }"
    body = sandbox.gql(query)
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["errors"][0]["extensions"]["maxCost"] == 1000


@pytest.mark.parametrize(
    "kind,status", [("http_500", 500), ("http_503", 503), ("http_401", 401), ("http_403", 403)]
)
def test_http_faults(sandbox, shop, kind, status):
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    sandbox.admin.add_fault(kind, count=1)
    response = sandbox.post_graphql(queries.FULFILLMENT_CREATE, _fulfill_variables(order))
    assert response.status_code == status
    assert "errors" in response.json()
    assert sandbox.admin.order(order["id"])["fulfillments"] == []
    assert sandbox.post_graphql(queries.SHOP).status_code == 200  # count consumed
    assert sandbox.admin.calls()[0]["fault"] == kind


def test_429_carries_retry_after(sandbox):
    sandbox.admin.add_fault("http_429", retry_after=3)
    response = sandbox.post_graphql(queries.SHOP)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"


def test_fault_matches_operation_or_root_field(sandbox, shop):
    sandbox.admin.add_fault("http_500", count=2, match="SyncoLocations")
    assert sandbox.post_graphql(queries.SHOP).status_code == 200
    assert sandbox.post_graphql(queries.LOCATIONS, LOCATIONS_10).status_code == 500
    sandbox.admin.clear_faults()
    sandbox.admin.add_fault("http_503", match="locations")
    assert sandbox.post_graphql(queries.LOCATIONS, LOCATIONS_10).status_code == 503
    assert sandbox.post_graphql(queries.LOCATIONS, LOCATIONS_10).status_code == 200


def test_hang_delays_the_answer(sandbox):
    sandbox.admin.add_fault("hang", seconds=0.6)
    start = time.monotonic()
    with pytest.raises(requests.Timeout):
        sandbox.post_graphql(queries.SHOP, timeout=0.2)
    sandbox.admin.add_fault("hang", seconds=0.3)
    response = sandbox.post_graphql(queries.SHOP)
    assert response.status_code == 200
    assert time.monotonic() - start >= 0.3


def test_drop_after_apply_applies_then_closes(sandbox, shop):
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    sandbox.admin.add_fault("drop_after_apply", match="fulfillmentCreate")
    with pytest.raises(requests.ConnectionError):
        sandbox.post_graphql(queries.FULFILLMENT_CREATE, _fulfill_variables(order))
    after = sandbox.admin.order(order["id"])
    assert len(after["fulfillments"]) == 1  # applied although the client saw nothing
    retry = sandbox.gql(queries.FULFILLMENT_CREATE, _fulfill_variables(order))
    assert retry["data"]["fulfillmentCreate"]["userErrors"]  # a naive retry is refused


def test_forced_throttle(sandbox, shop):
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    sandbox.admin.add_fault("throttled")
    body = sandbox.gql(queries.FULFILLMENT_CREATE, _fulfill_variables(order))
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert sandbox.admin.order(order["id"])["fulfillments"] == []


def test_unknown_fault_kind_is_rejected(sandbox):
    with pytest.raises(requests.HTTPError):
        sandbox.admin.add_fault("explode")
