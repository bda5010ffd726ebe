"""Returns in the sandbox, as Shopify's Admin API (2025-07+) models them."""

import pytest
import requests

from synco_shopify.shopify import queries

REQUEST = """
mutation R($input: ReturnRequestInput!) {
  returnRequest(input: $input) { return { id status } userErrors { code field message } }
}"""
APPROVE = """
mutation A($input: ReturnApproveRequestInput!) {
  returnApproveRequest(input: $input) { return { id status } userErrors { code field message } }
}"""
DECLINE = """
mutation D($input: ReturnDeclineRequestInput!) {
  returnDeclineRequest(input: $input) {
    return { id status decline { reason } } userErrors { code message }
  }
}"""
CANCEL = """
mutation C($id: ID!) {
  returnCancel(id: $id) { return { id status } userErrors { code message } }
}"""
REOPEN = """
mutation O($id: ID!) {
  returnReopen(id: $id) { return { id status } userErrors { code message } }
}"""
DISPOSE = """
mutation X($inputs: [ReverseFulfillmentOrderDisposeInput!]!) {
  reverseFulfillmentOrderDispose(dispositionInputs: $inputs) {
    reverseFulfillmentOrderLineItems { id dispositions { quantity type location { id } } }
    userErrors { code field message }
  }
}"""
ORDER_RETURNS = """
query Q($id: ID!) { order(id: $id) { returns(first: 5) { nodes { id name status } } } }"""


@pytest.fixture
def shipped(sandbox, shop):
    """An order of 3 anvils and 1 skates, all fulfilled at Main."""
    order = sandbox.admin.create_order(
        email="c@example.com",
        line_items=[{"sku": "ANVIL", "quantity": 3}, {"sku": "SKATES", "quantity": 1}],
    )
    fulfillment = sandbox.admin.fulfill(order["id"])
    lines = {fl["sku"]: fl["id"] for fl in fulfillment["line_items"]}
    return {"order": order, "lines": lines, "main": shop["main"]["id"]}


def _mutate(sandbox, document, variables, root):
    body = sandbox.gql(document, variables)
    assert "errors" not in body, body
    return body["data"][root]


def _request(sandbox, shipped, quantity=2, sku="ANVIL"):
    items = [{"fulfillmentLineItemId": shipped["lines"][sku], "quantity": quantity}]
    variables = {"input": {"orderId": shipped["order"]["id"], "returnLineItems": items}}
    return _mutate(sandbox, REQUEST, variables, "returnRequest")


def _create(sandbox, shipped, quantity=2, sku="ANVIL"):
    items = [{"fulfillmentLineItemId": shipped["lines"][sku], "quantity": quantity}]
    variables = {"returnInput": {"orderId": shipped["order"]["id"], "returnLineItems": items}}
    return _mutate(sandbox, queries.RETURN_CREATE, variables, "returnCreate")


def _read(sandbox, return_id):
    return sandbox.gql(queries.RETURN, {"id": return_id})["data"]["return"]


def test_a_request_waits_without_reverse_fulfillment_order_until_approved(sandbox, shipped):
    requested = _request(sandbox, shipped)
    assert requested["userErrors"] == []
    ret = _read(sandbox, requested["return"]["id"])
    assert ret["status"] == "REQUESTED"
    assert ret["reverseFulfillmentOrders"]["nodes"] == []
    line = ret["returnLineItems"]["nodes"][0]
    assert line["fulfillmentLineItem"]["id"] == shipped["lines"]["ANVIL"]
    assert line["fulfillmentLineItem"]["lineItem"]["id"] == shipped["order"]["line_items"][0]["id"]
    approved = _mutate(sandbox, APPROVE, {"input": {"id": ret["id"]}}, "returnApproveRequest")
    assert approved["return"]["status"] == "OPEN"
    rfo = _read(sandbox, ret["id"])["reverseFulfillmentOrders"]["nodes"][0]
    assert rfo["status"] == "OPEN"
    assert [(li["totalQuantity"], li["dispositions"]) for li in rfo["lineItems"]["nodes"]] == [
        (2, [])
    ]


def test_a_return_takes_at_most_what_was_fulfilled_and_not_yet_returned(sandbox, shipped):
    assert _create(sandbox, shipped, quantity=2)["userErrors"] == []
    refused = _create(sandbox, shipped, quantity=2)
    assert refused["return"] is None
    assert refused["userErrors"][0]["code"] == "INVALID"
    assert _create(sandbox, shipped, quantity=1)["userErrors"] == []


def test_a_declined_or_cancelled_return_gives_its_units_back(sandbox, shipped):
    first = _request(sandbox, shipped, quantity=3)["return"]["id"]
    declined = _mutate(
        sandbox,
        DECLINE,
        {"input": {"id": first, "declineReason": "FINAL_SALE"}},
        "returnDeclineRequest",
    )
    assert declined["return"]["status"] == "DECLINED"
    second = _create(sandbox, shipped, quantity=3)["return"]["id"]
    assert _mutate(sandbox, CANCEL, {"id": second}, "returnCancel")["return"]["status"] == (
        "CANCELED"
    )
    assert _create(sandbox, shipped, quantity=3)["userErrors"] == []


def test_only_a_requested_return_can_be_approved_or_declined(sandbox, shipped):
    opened = _create(sandbox, shipped)["return"]
    assert opened["status"] == "OPEN"
    refused = _mutate(sandbox, APPROVE, {"input": {"id": opened["id"]}}, "returnApproveRequest")
    assert refused["userErrors"][0]["code"] == "INVALID_STATE"


def _process(sandbox, ret, quantity, kind="RESTOCKED", location=None):
    line = ret["returnLineItems"]["nodes"][0]
    rfo_line = ret["reverseFulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]
    disposition = {
        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
        "quantity": quantity,
        "dispositionType": kind,
        "locationId": location,
    }
    item = {"id": line["id"], "quantity": quantity, "dispositions": [disposition]}
    variables = {"input": {"returnId": ret["id"], "returnLineItems": [item]}}
    return _mutate(sandbox, queries.RETURN_PROCESS, variables, "returnProcess")


def test_process_restocks_at_a_location_and_counts_what_is_left(sandbox, shipped):
    ret = _read(sandbox, _create(sandbox, shipped, quantity=3)["return"]["id"])
    no_location = _process(sandbox, ret, 2)
    assert no_location["userErrors"][0]["field"][-1] == "locationId"
    assert _process(sandbox, ret, 2, location=shipped["main"])["userErrors"] == []
    after = _read(sandbox, ret["id"])
    line = after["returnLineItems"]["nodes"][0]
    assert (line["processedQuantity"], line["unprocessedQuantity"]) == (2, 1)
    rfo = after["reverseFulfillmentOrders"]["nodes"][0]
    assert rfo["lineItems"]["nodes"][0]["dispositions"] == [
        {"quantity": 2, "type": "RESTOCKED", "location": {"id": shipped["main"]}}
    ]
    too_many = _process(sandbox, after, 2, location=shipped["main"])
    assert too_many["userErrors"][0]["code"] == "INVALID"
    assert _mutate(sandbox, CANCEL, {"id": ret["id"]}, "returnCancel")["userErrors"]
    assert _process(sandbox, after, 1, "NOT_RESTOCKED")["userErrors"] == []
    done = _read(sandbox, ret["id"])
    assert done["status"] == "OPEN"
    assert done["reverseFulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"


def test_close_and_reopen(sandbox, shipped):
    ret = _create(sandbox, shipped)["return"]
    closed = _mutate(sandbox, queries.RETURN_CLOSE, {"id": ret["id"]}, "returnClose")
    assert closed["return"]["status"] == "CLOSED"
    again = _mutate(sandbox, queries.RETURN_CLOSE, {"id": ret["id"]}, "returnClose")
    assert again["userErrors"][0]["code"] == "INVALID_STATE"
    reopened = _mutate(sandbox, REOPEN, {"id": ret["id"]}, "returnReopen")
    assert reopened["return"]["status"] == "OPEN"
    rfo = _read(sandbox, ret["id"])["reverseFulfillmentOrders"]["nodes"][0]
    assert rfo["status"] == "OPEN"


def test_dispose_without_process_and_the_orders_returns(sandbox, shipped):
    ret = _read(sandbox, _create(sandbox, shipped, quantity=1, sku="SKATES")["return"]["id"])
    rfo_line = ret["reverseFulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]
    spec = {
        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
        "quantity": 1,
        "dispositionType": "RESTOCKED",
        "locationId": shipped["main"],
    }
    disposed = _mutate(sandbox, DISPOSE, {"inputs": [spec]}, "reverseFulfillmentOrderDispose")
    assert disposed["userErrors"] == []
    again = _mutate(sandbox, DISPOSE, {"inputs": [spec]}, "reverseFulfillmentOrderDispose")
    assert again["userErrors"][0]["code"] in ("INVALID", "INVALID_STATE")
    line = _read(sandbox, ret["id"])["returnLineItems"]["nodes"][0]
    assert line["processedQuantity"] == 0
    returns = sandbox.gql(ORDER_RETURNS, {"id": shipped["order"]["id"]})["data"]["order"]
    assert [(r["id"], r["status"]) for r in returns["returns"]["nodes"]] == [(ret["id"], "OPEN")]


def test_each_action_fires_its_signed_webhook(sandbox, shipped, webhook_receiver):
    topics = [
        "returns/request",
        "returns/approve",
        "returns/decline",
        "returns/cancel",
        "returns/close",
        "returns/reopen",
        "returns/process",
        "reverse_fulfillment_orders/dispose",
    ]
    for topic in topics:
        sandbox.admin.subscribe(topic, webhook_receiver.url)
    declined = _request(sandbox, shipped, quantity=1)["return"]["id"]
    _mutate(
        sandbox,
        DECLINE,
        {"input": {"id": declined, "declineReason": "OTHER"}},
        "returnDeclineRequest",
    )
    requested = _request(sandbox, shipped, quantity=1)["return"]["id"]
    _mutate(sandbox, APPROVE, {"input": {"id": requested}}, "returnApproveRequest")
    ret = _read(sandbox, requested)
    _process(sandbox, ret, 1, location=shipped["main"])
    _mutate(sandbox, queries.RETURN_CLOSE, {"id": requested}, "returnClose")
    _mutate(sandbox, REOPEN, {"id": requested}, "returnReopen")
    cancelled = _create(sandbox, shipped, quantity=1, sku="SKATES")["return"]["id"]
    _mutate(sandbox, CANCEL, {"id": cancelled}, "returnCancel")
    other = _read(sandbox, _create(sandbox, shipped, quantity=1)["return"]["id"])
    rfo_line = other["reverseFulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]
    spec = {
        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
        "quantity": 1,
        "dispositionType": "NOT_RESTOCKED",
    }
    _mutate(sandbox, DISPOSE, {"inputs": [spec]}, "reverseFulfillmentOrderDispose")
    received = webhook_receiver.wait_for(11)
    seen = [r["headers"]["X-Shopify-Topic"] for r in received]
    assert sorted(set(seen)) == sorted(topics)
    approve = next(
        r["json"] for r in received if r["headers"]["X-Shopify-Topic"] == "returns/approve"
    )
    assert approve["status"] == "open"
    assert (
        approve["return_line_items"][0]["fulfillment_line_item"]["admin_graphql_api_id"]
        == (shipped["lines"]["ANVIL"])
    )
    assert all(r["headers"].get("X-Shopify-Hmac-Sha256") for r in received)


def test_returns_need_their_access_scopes(sandbox, shipped):
    sandbox.admin.configure(scopes=["read_orders", "read_returns"])
    body = sandbox.gql(
        queries.RETURN_CREATE,
        {
            "returnInput": {
                "orderId": shipped["order"]["id"],
                "returnLineItems": [
                    {"fulfillmentLineItemId": shipped["lines"]["ANVIL"], "quantity": 1}
                ],
            }
        },
    )
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    sandbox.admin.configure(scopes=["read_orders"])
    body = sandbox.gql(ORDER_RETURNS, {"id": shipped["order"]["id"]})
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"


def test_the_admin_api_requests_approves_and_disposes_as_the_mutations_do(sandbox, shipped):
    admin = sandbox.admin
    line = {"fulfillment_line_item_id": shipped["lines"]["ANVIL"], "quantity": 3}
    ret = admin.create_return(shipped["order"]["id"], [line])
    assert (ret["status"], ret["reverse_fulfillment_orders"]) == ("REQUESTED", [])
    opened = admin.return_action(ret["id"], "approve")
    reverse_line = opened["reverse_fulfillment_orders"][0]["line_items"][0]
    with pytest.raises(requests.HTTPError):
        admin.create_return(shipped["order"]["id"], [{**line, "quantity": 1}])
    spec = {"reverse_line_id": reverse_line["id"], "quantity": 2, "type": "NOT_RESTOCKED"}
    disposed = admin.dispose_return(ret["id"], [spec])
    assert disposed["reverse_fulfillment_orders"][0]["line_items"][0]["dispositions"] == [
        {"quantity": 2, "type": "NOT_RESTOCKED", "location_id": None}
    ]
    assert admin.get_return(ret["id"])["status"] == "OPEN"


def test_a_restocking_refund_of_fulfilled_units_says_return_and_where(
    sandbox, shipped, webhook_receiver
):
    sandbox.admin.subscribe("refunds/create", webhook_receiver.url)
    line_id = shipped["order"]["line_items"][0]["id"]
    sandbox.admin.refund(
        shipped["order"]["id"], [{"line_item_id": line_id, "quantity": 1}], restock_type="return"
    )
    (received,) = webhook_receiver.wait_for(1)
    (row,) = received["json"]["refund_line_items"]
    assert (row["restock_type"], row["quantity"]) == ("return", 1)
    assert f"gid://shopify/Location/{row['location_id']}" == shipped["main"]
