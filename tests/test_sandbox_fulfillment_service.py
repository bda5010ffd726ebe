"""Fulfillment services in the sandbox, driven through the addon's own
documents: the service and its location, the request statuses, the signed
notification, fulfillmentCreate refused on a request not accepted, and the
cancellation flow."""

import json

from shopify_sandbox.webhooks import sign
from synco_shopify.shopify import queries


def _service(sandbox, callback):
    body = sandbox.gql(
        queries.FULFILLMENT_SERVICE_CREATE, {"name": "Odoo Warehouse", "callbackUrl": callback}
    )
    payload = body["data"]["fulfillmentServiceCreate"]
    assert payload["userErrors"] == [], payload
    return payload["fulfillmentService"]


def _order_at(sandbox, service, quantity=2):
    return sandbox.admin.create_order(
        email="c@example.com",
        line_items=[
            {"sku": "ANVIL", "quantity": quantity, "location_id": service["location"]["id"]}
        ],
    )["fulfillment_orders"][0]


def _mutate(sandbox, document, variables):
    body = sandbox.gql(document, variables)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def _assigned(sandbox, status=None):
    body = sandbox.gql(queries.ASSIGNED_FULFILLMENT_ORDERS, {"first": 5, "status": status})
    assert "errors" not in body, body
    return [fo["id"] for fo in body["data"]["assignedFulfillmentOrders"]["nodes"]]


def _fulfill(sandbox, fo_id):
    body = sandbox.gql(
        queries.FULFILLMENT_CREATE,
        {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id}]}},
    )
    return body["data"]["fulfillmentCreate"]


def test_service_create_makes_its_location_listed_with_the_service(sandbox, shop):
    service = _service(sandbox, "https://odoo.example.com/synco_shopify/fulfillment_service")
    assert service["location"]["name"] == "Odoo Warehouse"
    assert service["handle"] == "odoo-warehouse"
    nodes = sandbox.gql(queries.LOCATIONS, {"first": 10})["data"]["locations"]["nodes"]
    [listed] = [n for n in nodes if n["id"] == service["location"]["id"]]
    assert listed["fulfillmentService"]["id"] == service["id"]
    again = sandbox.gql(
        queries.FULFILLMENT_SERVICE_CREATE,
        {"name": "odoo warehouse", "callbackUrl": "https://example.com/x"},
    )["data"]["fulfillmentServiceCreate"]
    assert again["userErrors"][0]["message"] == "Name has already been taken"


def test_service_create_needs_write_fulfillments(sandbox, shop):
    sandbox.admin.configure(scopes=["read_orders"])
    body = sandbox.gql(
        queries.FULFILLMENT_SERVICE_CREATE, {"name": "X", "callbackUrl": "https://example.com/x"}
    )
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"


def test_submitted_request_posts_a_signed_ping_to_the_callback(sandbox, shop, webhook_receiver):
    service = _service(sandbox, webhook_receiver.url)
    fo = _order_at(sandbox, service)
    assert _assigned(sandbox, "FULFILLMENT_REQUESTED") == []
    sandbox.admin.submit_fulfillment_request(fo["id"], message="Gift wrap")
    [hit] = webhook_receiver.wait_for(1)
    assert hit["path"] == "/hooks/fulfillment_order_notification"
    assert hit["json"] == {"kind": "FULFILLMENT_REQUEST"}
    secret = sandbox.admin.config()["client_secret"]
    assert hit["headers"]["X-Shopify-Hmac-Sha256"] == sign(secret, hit["raw"])
    assert hit["headers"]["X-Shopify-Shop-Domain"] == "acme.myshopify.com"
    assert _assigned(sandbox, "FULFILLMENT_REQUESTED") == [fo["id"]]
    assert _assigned(sandbox, "FULFILLMENT_ACCEPTED") == []


def test_a_lost_notification_still_leaves_the_request_to_read(sandbox, shop, webhook_receiver):
    service = _service(sandbox, webhook_receiver.url)
    fo = _order_at(sandbox, service)
    sandbox.admin.submit_fulfillment_request(fo["id"], notify=False)
    assert sandbox.server.dispatcher.wait_idle(5)
    assert webhook_receiver.received == []
    assert _assigned(sandbox, "FULFILLMENT_REQUESTED") == [fo["id"]]


def test_fulfillment_refused_until_the_request_is_accepted(sandbox, shop):
    service = _service(sandbox, "https://example.com/fs")
    fo = _order_at(sandbox, service)
    for submit in (True, False):  # refused unsubmitted, then submitted
        refused = _fulfill(sandbox, fo["id"])
        assert refused["fulfillment"] is None
        assert "has not been accepted" in refused["userErrors"][0]["message"]
        if submit:
            sandbox.admin.submit_fulfillment_request(fo["id"])
    accepted = _mutate(sandbox, queries.FULFILLMENT_REQUEST_ACCEPT, {"id": fo["id"]})
    assert accepted["fulfillmentOrder"]["requestStatus"] == "ACCEPTED"
    assert accepted["fulfillmentOrder"]["status"] == "IN_PROGRESS"
    assert _assigned(sandbox, "FULFILLMENT_ACCEPTED") == [fo["id"]]
    created = _fulfill(sandbox, fo["id"])
    assert created["userErrors"] == []
    assert sandbox.admin.fulfillment_order(fo["id"])["status"] == "CLOSED"
    assert _assigned(sandbox) == []  # CLOSED ones are not listed


def test_rejected_request_keeps_the_reason_and_cannot_be_fulfilled(sandbox, shop):
    service = _service(sandbox, "https://example.com/fs")
    fo = _order_at(sandbox, service)
    unsubmitted = _mutate(sandbox, queries.FULFILLMENT_REQUEST_REJECT, {"id": fo["id"]})
    assert "request status unsubmitted" in unsubmitted["userErrors"][0]["message"]
    sandbox.admin.submit_fulfillment_request(fo["id"])
    rejected = _mutate(
        sandbox,
        queries.FULFILLMENT_REQUEST_REJECT,
        {"id": fo["id"], "reason": "INVALID_SKU", "message": "Unknown SKU: ANVIL"},
    )
    assert rejected["fulfillmentOrder"]["requestStatus"] == "REJECTED"
    state = sandbox.admin.fulfillment_order(fo["id"])
    assert state["merchant_requests"][-1]["reason"] == "INVALID_SKU"
    assert state["merchant_requests"][-1]["message"] == "Unknown SKU: ANVIL"
    assert _fulfill(sandbox, fo["id"])["fulfillment"] is None


def test_cancellation_flow_accepted_and_rejected(sandbox, shop, webhook_receiver):
    service = _service(sandbox, webhook_receiver.url)
    first, second = _order_at(sandbox, service), _order_at(sandbox, service)
    for fo in (first, second):
        sandbox.admin.submit_fulfillment_request(fo["id"])
        _mutate(sandbox, queries.FULFILLMENT_REQUEST_ACCEPT, {"id": fo["id"]})
        sandbox.admin.request_cancellation(fo["id"])
    hits = webhook_receiver.wait_for(4)
    assert [json.loads(h["raw"])["kind"] for h in hits].count("CANCELLATION_REQUEST") == 2
    assert sorted(_assigned(sandbox, "CANCELLATION_REQUESTED")) == sorted(
        [first["id"], second["id"]]
    )
    ok = _mutate(sandbox, queries.CANCELLATION_REQUEST_ACCEPT, {"id": first["id"]})
    assert ok["fulfillmentOrder"]["requestStatus"] == "CANCELLATION_ACCEPTED"
    assert ok["fulfillmentOrder"]["status"] == "OPEN"
    assert _fulfill(sandbox, first["id"])["fulfillment"] is None
    # Given back to the merchant, it can go elsewhere.
    assert "MOVE" in sandbox.admin.fulfillment_order(first["id"])["supported_actions"]
    sandbox.admin.move(first["id"], shop["main"]["id"])
    no = _mutate(
        sandbox, queries.CANCELLATION_REQUEST_REJECT, {"id": second["id"], "message": "Shipped"}
    )
    assert no["fulfillmentOrder"]["requestStatus"] == "CANCELLATION_REJECTED"
    # The service still fulfills what it refused to cancel.
    assert _fulfill(sandbox, second["id"])["userErrors"] == []


def test_cancellation_only_of_an_accepted_request(sandbox, shop):
    service = _service(sandbox, "https://example.com/fs")
    fo = _order_at(sandbox, service)
    sandbox.admin.submit_fulfillment_request(fo["id"])
    response = sandbox.admin.session.post(
        f"{sandbox.url}/_sandbox/fulfillment_orders/{fo['legacy_id']}/request_cancellation",
        json={},
    )
    assert response.status_code == 422
    answer = _mutate(sandbox, queries.CANCELLATION_REQUEST_ACCEPT, {"id": fo["id"]})
    assert "request status submitted" in answer["userErrors"][0]["message"]


def test_another_apps_service_is_not_assigned_to_us(sandbox, shop):
    sandbox.admin.create_order(
        line_items=[{"sku": "ANVIL", "quantity": 1, "location_id": shop["tpl"]["id"]}]
    )
    assert _assigned(sandbox) == []
    body = sandbox.gql(queries.ASSIGNED_FULFILLMENT_ORDERS, {"first": 5})
    assert "errors" not in body
    sandbox.admin.configure(scopes=["read_orders"])
    body = sandbox.gql(queries.ASSIGNED_FULFILLMENT_ORDERS, {"first": 5})
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
