"""Signed webhooks, retries and duplicates; the CLI and the status page."""

import base64
import hashlib
import hmac
import json
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import requests

from shopify_sandbox import sign
from synco_shopify.shopify import queries, reads, webhooks

SECRET = "sandbox-client-secret"
ROOT = Path(__file__).resolve().parents[1]


def _verify(secret: str, raw: bytes, header: str) -> bool:
    """Independent check: HMAC straight from the standard library."""
    digest = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(digest, header)


def _subscribe(sandbox, topic, uri):
    variables = {"topic": topic, "webhookSubscription": {"uri": uri, "format": "JSON"}}
    return sandbox.gql(queries.WEBHOOK_SUBSCRIPTION_CREATE, variables)["data"][
        "webhookSubscriptionCreate"
    ]


def test_sign_matches_shopify_test_vectors():
    assert (
        sign("test_secret_key", b'{"foo": "bar"}') == "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="
    )
    assert sign("secret", b"foo=anything") == "yCGX/RrK4fcuNtr3ztk5tQGsOBjcAzHpGLdMUrbV8yI="
    assert _verify("secret", b"foo=anything", "yCGX/RrK4fcuNtr3ztk5tQGsOBjcAzHpGLdMUrbV8yI=")


def test_fulfillment_via_graphql_is_delivered_signed(sandbox, shop, webhook_receiver):
    created = _subscribe(sandbox, "FULFILLMENTS_CREATE", webhook_receiver.url)
    assert created["userErrors"] == []
    assert created["webhookSubscription"]["topic"] == "FULFILLMENTS_CREATE"
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 2}])
    fo = order["fulfillment_orders"][0]
    variables = {
        "fulfillment": {
            "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}],
            "trackingInfo": {"company": "UPS", "number": "1Z5"},
        }
    }
    result = sandbox.gql(queries.FULFILLMENT_CREATE, variables)["data"]["fulfillmentCreate"]
    [hit] = webhook_receiver.wait_for(1)
    headers = {k.lower(): v for k, v in hit["headers"].items()}
    assert headers["x-shopify-topic"] == "fulfillments/create"
    assert headers["x-shopify-shop-domain"] == "acme.myshopify.com"
    assert headers["x-shopify-api-version"] == "2026-10"
    assert headers["content-type"] == "application/json"
    uuid.UUID(headers["x-shopify-webhook-id"])
    assert headers["x-shopify-event-id"] and headers["x-shopify-triggered-at"]
    assert _verify(SECRET, hit["raw"], headers["x-shopify-hmac-sha256"])
    assert not _verify("other-secret", hit["raw"], headers["x-shopify-hmac-sha256"])
    payload = hit["json"]
    assert payload["admin_graphql_api_id"] == result["fulfillment"]["id"]
    assert payload["id"] == int(result["fulfillment"]["legacyResourceId"])
    assert payload["order_id"] == order["legacy_id"]
    assert payload["status"] == "success"
    assert payload["name"] == "#1001.1"
    assert payload["tracking_company"] == "UPS"
    assert payload["tracking_numbers"] == ["1Z5"]
    assert payload["tracking_url"] == "https://www.ups.com/track?tracknum=1Z5"
    assert payload["location_id"] == shop["main"]["legacy_id"]
    [line] = payload["line_items"]
    assert (line["id"], line["sku"], line["quantity"]) == (
        order["line_items"][0]["legacy_id"],
        "ANVIL",
        2,
    )


def test_big_ids_stay_integers_on_the_wire(sandbox, shop, webhook_receiver):
    sandbox.admin.subscribe("orders/create", webhook_receiver.url)
    order = sandbox.admin.create_order(
        email="x@example.com", line_items=[{"sku": "ANVIL", "quantity": 1}]
    )
    [hit] = webhook_receiver.wait_for(1)
    payload = hit["json"]
    assert isinstance(payload["id"], int) and payload["id"] > 2**53
    assert payload["id"] == order["legacy_id"]
    assert f'"id":{order["legacy_id"]},'.encode() in hit["raw"]
    assert payload["total_price"] == "50.00"
    assert payload["line_items"][0]["fulfillable_quantity"] == 1
    assert payload["fulfillment_status"] is None


def test_retries_on_500_with_the_same_webhook_id(sandbox, shop, webhook_receiver):
    webhook_receiver.statuses = [500, 503]
    sandbox.admin.subscribe("orders/create", webhook_receiver.url)
    sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    hits = webhook_receiver.wait_for(3)
    assert [h["status"] for h in hits] == [500, 503, 200]
    assert len({h["headers"]["X-Shopify-Webhook-Id"] for h in hits}) == 1
    assert sandbox.admin.wait_webhooks(5)
    log = sandbox.admin.deliveries()
    assert [(d["attempt"], d["status"], d["ok"]) for d in log] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]


def test_the_change_is_answered_before_its_webhook_is(sandbox, shop, webhook_receiver):
    # The receiver holds the delivery until the test lets it go (10 s at
    # most): a sandbox that waited for it would answer the change after.
    webhook_receiver.gate = threading.Event()
    sandbox.admin.subscribe("orders/create", webhook_receiver.url)
    try:
        sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
        (hit,) = webhook_receiver.wait_for(1)
        assert "answered" not in hit, "the order was created before its webhook was answered"
    finally:
        webhook_receiver.gate.set()
    assert sandbox.admin.wait_webhooks(10)


def test_gives_up_after_the_schedule_and_logs_errors(sandbox, shop):
    sandbox.admin.subscribe("orders/create", "http://127.0.0.1:9/unreachable")
    sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    assert sandbox.admin.wait_webhooks(10)
    log = sandbox.admin.deliveries()
    assert len(log) == 4  # first try + the three retries of the test schedule
    assert all(d["status"] is None and d["error"] for d in log)


def test_fire_with_duplicates_keeps_the_webhook_id(sandbox, shop, webhook_receiver):
    sandbox.admin.subscribe("orders/updated", webhook_receiver.url)
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    fired = sandbox.admin.fire("orders/updated", order["id"], duplicates=2)
    assert fired["deliveries"] == 3
    hits = webhook_receiver.wait_for(3)
    assert {h["headers"]["X-Shopify-Webhook-Id"] for h in hits} == set(fired["webhook_ids"])
    assert len({h["raw"] for h in hits}) == 1
    assert all(_verify(SECRET, h["raw"], h["headers"]["X-Shopify-Hmac-Sha256"]) for h in hits)


def test_state_changes_fire_their_topics(sandbox, shop, webhook_receiver):
    topics = [
        "orders/cancelled",
        "fulfillments/update",
        "fulfillment_orders/moved",
        "fulfillment_orders/placed_on_hold",
        "fulfillment_orders/hold_released",
    ]
    for topic in topics:
        sandbox.admin.subscribe(topic, webhook_receiver.url)
    admin = sandbox.admin
    order = admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 2}])
    fo = order["fulfillment_orders"][0]
    admin.hold(fo["id"])
    admin.release_hold(fo["id"])
    made = admin.fulfill(order["id"], [{"sku": "ANVIL", "quantity": 1}])
    admin.update_tracking(made["id"], company="GLS", number="G1")
    admin.cancel_fulfillment(made["id"])
    variables = {"id": fo["id"], "newLocationId": shop["east"]["id"]}
    sandbox.gql(queries.FULFILLMENT_ORDER_MOVE, variables)
    admin.cancel_order(order["id"])
    assert admin.wait_webhooks(5)
    got = [h["headers"]["X-Shopify-Topic"] for h in webhook_receiver.received]
    assert got == [
        "fulfillment_orders/placed_on_hold",
        "fulfillment_orders/hold_released",
        "fulfillments/update",
        "fulfillments/update",
        "fulfillment_orders/moved",
        "orders/cancelled",
    ]
    updates = [
        h["json"]
        for h in webhook_receiver.received
        if "fulfillments/" in h["headers"]["X-Shopify-Topic"]
    ]
    assert updates[0]["tracking_number"] == "G1"
    assert updates[1]["status"] == "cancelled"


def test_subscription_lifecycle(sandbox):
    first = _subscribe(sandbox, "ORDERS_CREATE", "https://example.com/a")
    duplicate = _subscribe(sandbox, "ORDERS_CREATE", "https://example.com/a")
    assert duplicate["webhookSubscription"] is None
    assert duplicate["userErrors"][0]["message"] == "Address for this topic has already been taken"
    sub_id = first["webhookSubscription"]["id"]
    variables = {"id": sub_id, "webhookSubscription": {"uri": "https://example.com/b"}}
    updated = sandbox.gql(queries.WEBHOOK_SUBSCRIPTION_UPDATE, variables)
    assert updated["data"]["webhookSubscriptionUpdate"]["webhookSubscription"]["uri"] == (
        "https://example.com/b"
    )
    listed = sandbox.gql(queries.WEBHOOK_SUBSCRIPTIONS, {"first": 10})["data"]
    assert [n["uri"] for n in listed["webhookSubscriptions"]["nodes"]] == ["https://example.com/b"]
    deleted = sandbox.gql(queries.WEBHOOK_SUBSCRIPTION_DELETE, {"id": sub_id})["data"]
    assert deleted["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"] == sub_id
    assert sandbox.admin.subscriptions() == []


def test_signing_with_previous_secret_during_rotation(sandbox, shop, webhook_receiver):
    sandbox.admin.configure(client_secret="new", previous=SECRET, sign_with_previous=True)
    sandbox.admin.subscribe("orders/create", webhook_receiver.url)
    sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    [hit] = webhook_receiver.wait_for(1)
    assert _verify(SECRET, hit["raw"], hit["headers"]["X-Shopify-Hmac-Sha256"])


def test_status_page_lists_orders(sandbox, shop):
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    sandbox.admin.fulfill(order["id"], tracking={"company": "UPS", "number": "TRACK42"})
    page = requests.get(sandbox.url + "/", timeout=5)
    assert page.status_code == 200
    assert "#1001" in page.text and "FULFILLED" in page.text and "TRACK42" in page.text


def test_cli_starts_prints_one_line_and_stops_on_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "shopify_sandbox", "--port", "0", "--seed", "demo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("synco sandbox listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[-1]
        response = requests.post(
            f"{url}/admin/api/2026-10/graphql.json",
            json={"query": queries.SHOP},
            headers={"X-Shopify-Access-Token": "shpat_sandbox_token"},
            timeout=5,
        )
        assert response.json()["data"]["shop"]["name"] == "Acme Demo"
        state = requests.get(f"{url}/_sandbox/state", timeout=5).json()
        # Three orders placed now, four placed days before (seed.py: going live),
        # and a local pickup.
        assert len(state["orders"]) == 8
        assert len({fo["location_id"] for fo in state["orders"][2]["fulfillment_orders"]}) == 2
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stdout.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()


def test_webhook_payload_json_round_trip(sandbox, shop):
    """Admin JSON keeps legacy ids as integers too."""
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    raw = requests.get(f"{sandbox.url}/_sandbox/orders/{order['legacy_id']}", timeout=5).text
    assert json.loads(raw)["legacy_id"] == order["legacy_id"]
    assert str(order["legacy_id"]) in raw


def test_webhooks_to_other_hosts_are_logged_not_sent(sandbox):
    sandbox.admin.subscribe("orders/create", "https://example.com/hooks")
    sandbox.admin.fire("orders/create", payload={"id": 1})
    assert sandbox.admin.wait_webhooks(timeout=10)
    deliveries = sandbox.admin.deliveries()
    assert deliveries
    assert all(d["status"] is None for d in deliveries)
    assert all("not on this machine" in d["error"] for d in deliveries)


def _fulfill_through_the_api(sandbox, order):
    fo = order["fulfillment_orders"][0]
    variables = {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}}
    result = sandbox.gql(queries.FULFILLMENT_CREATE, variables)["data"]["fulfillmentCreate"]
    assert result["userErrors"] == []
    return result["fulfillment"]


def test_app_made_fulfillment_is_echoed_unless_the_echo_is_switched_off(
    sandbox, shop, webhook_receiver
):
    for topic in ("fulfillments/create", "orders/updated", "orders/fulfilled"):
        sandbox.admin.subscribe(topic, webhook_receiver.url)
    echoed = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    silent = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    assert sandbox.admin.wait_webhooks(5)
    webhook_receiver.received.clear()  # the orders' own orders/updated, if any
    made = _fulfill_through_the_api(sandbox, echoed)
    assert sandbox.admin.wait_webhooks(5)
    got = sorted(h["headers"]["X-Shopify-Topic"] for h in webhook_receiver.received)
    assert got == ["fulfillments/create", "orders/fulfilled", "orders/updated"]
    [echo] = [
        h["json"]
        for h in webhook_receiver.received
        if h["headers"]["X-Shopify-Topic"] == "fulfillments/create"
    ]
    assert echo["admin_graphql_api_id"] == made["id"]

    webhook_receiver.received.clear()
    sandbox.admin.configure(echo_app_fulfillments=False)
    _fulfill_through_the_api(sandbox, silent)
    # The merchant's own fulfillment is still announced.
    third = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    sandbox.admin.fulfill(third["id"])
    assert sandbox.admin.wait_webhooks(5)
    got = sorted(h["headers"]["X-Shopify-Topic"] for h in webhook_receiver.received)
    assert got == ["fulfillments/create", "orders/fulfilled", "orders/updated"]
    orders = {h["json"].get("order_id") or h["json"]["id"] for h in webhook_receiver.received}
    assert orders == {third["legacy_id"]}
    assert sandbox.admin.order(silent["id"])["fulfillments"], "fulfilled all the same"


class _Reader:
    """What ``shopify.reads`` needs of a client, over the sandbox's GraphQL."""

    def __init__(self, sandbox):
        self.sandbox = sandbox

    def execute(self, query, variables=None):
        body = self.sandbox.gql(query, variables)
        assert not body.get("errors"), body
        return body["data"]


def _as_the_apply_reads_it(fulfillment):
    """What the apply takes from a fulfillment: its status, location, order,
    tracking and lines."""
    return {
        "id": fulfillment["id"],
        "status": fulfillment["status"],
        "location": fulfillment["location"]["id"],
        "order": fulfillment["order"]["id"],
        "trackingInfo": fulfillment["trackingInfo"],
        "lines": [
            (node["lineItem"]["id"], node["quantity"])
            for node in fulfillment["fulfillmentLineItems"]["nodes"]
        ],
    }


def test_a_fulfillment_webhook_describes_the_fulfillment_as_shopify_reads_it(
    sandbox, shop, webhook_receiver
):
    sandbox.admin.subscribe("fulfillments/create", webhook_receiver.url)
    sandbox.admin.subscribe("fulfillments/update", webhook_receiver.url)
    order = sandbox.admin.create_order(
        line_items=[
            {"sku": "ANVIL", "quantity": 3, "location_id": shop["tpl"]["id"]},
            {"sku": "SKATES", "quantity": 2, "location_id": shop["tpl"]["id"]},
        ]
    )
    sandbox.admin.set_request_status(order["fulfillment_orders"][0]["id"], "ACCEPTED")
    shipments = [
        ([{"sku": "ANVIL", "quantity": 2}], {"company": "UPS", "numbers": ["1Z1", "1Z2"]}),
        ([{"sku": "SKATES", "quantity": 2}], {"company": "DHL"}),  # a carrier, no number
        (None, None),  # the rest, no tracking
    ]
    made = [
        sandbox.admin.fulfill(order["id"], line_items=items, tracking=tracking)
        for items, tracking in shipments
    ]
    assert sandbox.admin.wait_webhooks(5)
    bodies = {h["json"]["id"]: h["json"] for h in webhook_receiver.received}
    for fulfillment in made:
        carried = webhooks.fulfillment_of_webhook(bodies[fulfillment["legacy_id"]])
        read = reads.fulfillment(_Reader(sandbox), fulfillment["id"])
        assert _as_the_apply_reads_it(carried) == _as_the_apply_reads_it(read)
        assert carried["updatedAt"] == read["updatedAt"]
