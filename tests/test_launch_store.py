"""The launch suite's store driver against the sandbox over HTTP: the same
GraphQL documents must work on a Shopify development store."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shopify_sandbox.launch import StoreDriver
from synco_shopify.shopify import errors, webhooks
from synco_shopify.shopify.client import ShopifyClient

SECRET = "sandbox-client-secret"


@pytest.fixture
def store(sandbox):
    admin = sandbox.admin
    main = admin.add_location("Main Warehouse")
    east = admin.add_location("East Warehouse")
    admin.add_location("3PL Co", fulfillment_service=True)
    admin.add_product("Anvil", sku="ANVIL")
    admin.add_product("Skates", sku="SKATES", locations=[east["id"]])
    client = ShopifyClient(sandbox.url, "2026-10", access_token="shpat_sandbox_token")
    driver = StoreDriver(client, "sandbox.myshopify.com", SECRET)
    yield driver, main, east
    client.close()


def test_locations_are_the_merchant_managed_ones_by_name(store):
    driver, main, east = store
    assert [loc["name"] for loc in driver.locations()] == ["East Warehouse", "Main Warehouse"]
    names = ["East Warehouse", "Main Warehouse"]
    assert [loc["id"] for loc in driver.locations(names)] == [east["id"], main["id"]]
    with pytest.raises(LookupError, match="3PL Co"):
        driver.locations(["3PL Co"])


def test_variant_by_sku(store):
    driver, *_ = store
    assert driver.variant("ANVIL")["sku"] == "ANVIL"
    with pytest.raises(LookupError, match="0 variants"):
        driver.variant("NOPE")


def test_order_create_routes_lines_to_a_stocking_location(store):
    driver, main, east = store
    anvil, skates = driver.variant("ANVIL"), driver.variant("SKATES")
    order = driver.create_order([(anvil["id"], 2), (skates["id"], 1)], "wile@example.com")
    assert order["displayFulfillmentStatus"] == "UNFULFILLED"
    assigned = {
        fo["assignedLocation"]["location"]["id"]: [
            li["lineItem"]["sku"] for li in fo["lineItems"]["nodes"]
        ]
        for fo in order["fulfillmentOrders"]["nodes"]
    }
    assert assigned == {main["id"]: ["ANVIL"], east["id"]: ["SKATES"]}


def test_order_create_refuses_bad_lines_and_needs_write_orders(store, sandbox):
    driver, *_ = store
    with pytest.raises(errors.UserErrors, match="Variant does not exist"):
        driver.create_order([("gid://shopify/ProductVariant/1", 1)], "x@example.com")
    with pytest.raises(errors.UserErrors, match="greater than 0"):
        driver.create_order([(driver.variant("ANVIL")["id"], 0)], "x@example.com")
    assert sandbox.admin.orders() == []
    sandbox.admin.config(scopes=["read_orders", "read_products"])
    with pytest.raises(errors.AccessDeniedError, match="write_orders"):
        driver.create_order([(driver.variant("ANVIL")["id"], 1)], "x@example.com")


def test_orders_are_spaced_for_development_stores(store):
    driver, *_ = store
    now, slept = [100.0], []
    driver.order_interval = 12.5
    driver._clock = lambda: now[0]
    driver._sleep = slept.append
    anvil = driver.variant("ANVIL")["id"]
    driver.create_order([(anvil, 1)], "x@example.com")
    now[0] += 2.5
    driver.create_order([(anvil, 1)], "x@example.com")
    assert slept == [10.0]


def test_partial_fulfill_move_and_tracking(store):
    driver, _main, east = store
    anvil = driver.variant("ANVIL")
    order = driver.create_order([(anvil["id"], 3)], "wile@example.com")
    first = driver.fulfill(order["id"], {"ANVIL": 1}, {"company": "UPS", "number": "1Z1"})
    assert first["trackingInfo"] == [{"company": "UPS", "number": "1Z1"}]
    assert driver.order(order["id"])["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    fo = next(
        fo
        for fo in driver.order(order["id"])["fulfillmentOrders"]["nodes"]
        if fo["status"] == "IN_PROGRESS"
    )
    driver.move(fo["id"], east["id"])
    second = driver.fulfill(order["id"])
    assert second["location"]["id"] == east["id"]
    assert [n["quantity"] for n in second["fulfillmentLineItems"]["nodes"]] == [2]
    assert driver.order(order["id"])["displayFulfillmentStatus"] == "FULFILLED"
    with pytest.raises(ValueError, match="nothing left"):
        driver.fulfill(order["id"])
    updated = driver.update_tracking(second["id"], "FedEx", "999")
    assert updated["trackingInfo"] == [{"company": "FedEx", "number": "999"}]


def test_delivery_is_signed_and_replayable(store):
    driver, *_ = store
    order = driver.create_order([(driver.variant("ANVIL")["id"], 1)], "wile@example.com")
    fulfillment = driver.fulfill(order["id"])
    body, headers = driver.delivery("fulfillments/create", fulfillment)
    parsed = webhooks.WebhookHeaders.from_headers(headers)
    assert webhooks.verify(body, parsed.hmac, [SECRET])
    payload = json.loads(body)
    assert payload["id"] == int(fulfillment["legacyResourceId"])
    assert payload["order_id"] == int(order["legacyResourceId"])
    _body, again = driver.delivery("fulfillments/create", fulfillment, parsed.webhook_id)
    assert again["X-Shopify-Webhook-Id"] == parsed.webhook_id


def test_a_return_created_processed_and_delivered_signed(store, sandbox):
    driver, main, _east = store
    order = driver.create_order([(driver.variant("ANVIL")["id"], 3)], "wile@example.com")
    with pytest.raises(ValueError, match="nothing fulfilled"):
        driver.create_return(order["id"], {"ANVIL": 1})
    driver.fulfill(order["id"])
    with pytest.raises(ValueError, match="ANVIL"):
        driver.create_return(order["id"], {"ANVIL": 4})
    ret = driver.create_return(order["id"], {"ANVIL": 2})
    assert ret["status"] == "OPEN"
    assert ret["order"]["id"] == order["id"]
    assert [n["unprocessedQuantity"] for n in ret["returnLineItems"]["nodes"]] == [2]
    body, headers = driver.return_delivery("returns/approve", ret)
    parsed = webhooks.WebhookHeaders.from_headers(headers)
    assert (parsed.topic, webhooks.verify(body, parsed.hmac, [SECRET])) == ("returns/approve", True)
    payload = json.loads(body)
    assert payload["admin_graphql_api_id"] == ret["id"]
    assert payload["order"]["id"] == int(order["legacyResourceId"])
    done = driver.process_return(ret, main["id"])
    assert [n["processedQuantity"] for n in done["returnLineItems"]["nodes"]] == [2]
    (rfo,) = done["reverseFulfillmentOrders"]["nodes"]
    dispositions = rfo["lineItems"]["nodes"][0]["dispositions"]
    assert dispositions == [{"quantity": 2, "type": "RESTOCKED", "location": {"id": main["id"]}}]
    sandbox.admin.config(scopes=["read_orders", "write_orders", "read_products"])
    with pytest.raises(errors.AccessDeniedError, match="returns"):
        driver.create_return(order["id"], {"ANVIL": 1})


def test_what_odoo_imports_of_the_sandbox_needs_no_graphql_and_nothing_of_the_addon():
    """The Odoo suite imports the admin API and the driver in Odoo's own
    interpreter, from the repository beside the addon."""
    code = (
        "import sys; sys.modules['graphql'] = None; "
        "import shopify_sandbox.admin, shopify_sandbox.launch; "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('odoo', 'synco_shopify')]"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
