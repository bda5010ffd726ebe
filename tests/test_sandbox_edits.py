"""Order edits, refunds and stacked holds in the sandbox, as Shopify does them."""

from decimal import Decimal

import pytest
import requests

from synco_shopify.shopify import queries


def _order(sandbox, *lines):
    items = [
        {"sku": sku, "quantity": qty, **({"location_id": loc} if loc else {})}
        for sku, qty, loc in lines
    ]
    return sandbox.admin.create_order(email="c@example.com", line_items=items)


def _graphql_order(sandbox, order):
    body = sandbox.gql(queries.ORDER, {"id": order["id"]})
    assert "errors" not in body, body
    return {n["id"]: n for n in body["data"]["order"]["lineItems"]["nodes"]}


def _fo_lines(order):
    return [
        (fo["status"], line["line_item_id"], line["total_quantity"], line["remaining_quantity"])
        for fo in order["fulfillment_orders"]
        for line in fo["line_items"]
    ]


def test_edit_lowers_current_quantity_and_the_fulfillment_order_lines(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 3, None), ("SKATES", 2, None))
    anvil, skates = order["line_items"]
    edited = sandbox.admin.edit_order(
        order["id"],
        [
            {"line_item_id": anvil["id"], "quantity": 1},
            {"line_item_id": skates["id"], "quantity": 0},
        ],
    )
    lines = _graphql_order(sandbox, order)
    assert (lines[anvil["id"]]["quantity"], lines[anvil["id"]]["currentQuantity"]) == (3, 1)
    assert lines[skates["id"]]["currentQuantity"] == 0
    assert _fo_lines(edited) == [("OPEN", anvil["id"], 1, 1)]


def test_current_total_follows_the_edit(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 3, None), ("SKATES", 2, None))
    _anvil, skates = order["line_items"]

    def totals():
        body = sandbox.gql(queries.ORDER, {"id": order["id"]})
        o = body["data"]["order"]
        return (
            Decimal(o["totalPriceSet"]["shopMoney"]["amount"]),
            Decimal(o["currentTotalPriceSet"]["shopMoney"]["amount"]),
        )

    before, current = totals()
    assert before == current
    sandbox.admin.edit_order(order["id"], [{"line_item_id": skates["id"], "quantity": 0}])
    _, current = totals()
    assert current == before - Decimal(skates["price"]) * 2


def test_edit_adds_a_variant_at_a_location_and_fires_edited_then_updated(
    sandbox, shop, webhook_receiver
):
    for topic in ("orders/edited", "orders/updated"):
        sandbox.admin.subscribe(topic, webhook_receiver.url)
    order = _order(sandbox, ("ANVIL", 1, None))
    edited = sandbox.admin.edit_order(
        order["id"], add=[{"sku": "SKATES", "quantity": 2, "location_id": shop["east"]["id"]}]
    )
    added = edited["line_items"][-1]
    east = [fo for fo in edited["fulfillment_orders"] if fo["location_id"] == shop["east"]["id"]]
    assert [(li["line_item_id"], li["total_quantity"]) for li in east[0]["line_items"]] == [
        (added["id"], 2)
    ]
    assert sandbox.admin.wait_webhooks(5)
    got = [(h["headers"]["X-Shopify-Topic"], h["json"]) for h in webhook_receiver.received]
    assert [topic for topic, _ in got] == ["orders/edited", "orders/updated"]
    edit = got[0][1]["order_edit"]
    assert edit["order_id"] == order["legacy_id"]
    assert edit["line_items"]["additions"] == [{"id": added["legacy_id"], "delta": 2}]
    assert edit["committed_at"]
    assert got[1][1]["line_items"][-1]["current_quantity"] == 2


def test_edit_cannot_go_below_the_fulfilled_units_and_changes_nothing(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 3, None))
    anvil = order["line_items"][0]
    sandbox.admin.fulfill(order["id"], [{"sku": "ANVIL", "quantity": 2}])
    with pytest.raises(requests.HTTPError) as refused:
        sandbox.admin.edit_order(order["id"], [{"line_item_id": anvil["id"], "quantity": 1}])
    assert "2 already fulfilled" in refused.value.response.text
    assert _graphql_order(sandbox, order)[anvil["id"]]["currentQuantity"] == 3


def test_refund_of_unfulfilled_units_drops_them_and_fires_refunds_create(
    sandbox, shop, webhook_receiver
):
    sandbox.admin.subscribe("refunds/create", webhook_receiver.url)
    order = _order(sandbox, ("ANVIL", 3, None))
    anvil = order["line_items"][0]
    refunded = sandbox.admin.refund(order["id"], [{"line_item_id": anvil["id"], "quantity": 2}])
    assert _fo_lines(refunded) == [("OPEN", anvil["id"], 1, 1)]
    assert sandbox.admin.wait_webhooks(5)
    body = webhook_receiver.received[0]["json"]
    assert body["order_id"] == order["legacy_id"]
    assert [
        (r["line_item_id"], r["quantity"], r["restock_type"]) for r in body["refund_line_items"]
    ] == [(anvil["legacy_id"], 2, "cancel")]


def test_stacked_holds_release_one_by_id(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 1, None))
    fo = order["fulfillment_orders"][0]
    sandbox.admin.hold(fo["id"], reason="AWAITING_PAYMENT")
    held = sandbox.admin.hold(fo["id"], reason="HIGH_RISK_OF_FRAUD")
    first, second = (h["id"] for h in held["holds"])
    assert sandbox.admin.release_hold(fo["id"], [first])["status"] == "ON_HOLD"
    body = sandbox.gql(queries.FULFILLMENT_ORDER, {"id": fo["id"]})["data"]["fulfillmentOrder"]
    assert [h["id"] for h in body["fulfillmentHolds"]] == [second]
    assert body["order"]["id"] == order["id"]
    with pytest.raises(requests.HTTPError):
        sandbox.admin.release_hold(fo["id"], [first])
    assert sandbox.admin.release_hold(fo["id"], [second])["status"] == "OPEN"


def test_admin_move_reassigns_and_fires_moved(sandbox, shop, webhook_receiver):
    sandbox.admin.subscribe("fulfillment_orders/moved", webhook_receiver.url)
    order = _order(sandbox, ("ANVIL", 2, None))
    fo = order["fulfillment_orders"][0]
    moved = sandbox.admin.move(fo["id"], shop["east"]["id"])
    assert moved["location_id"] == shop["east"]["id"]
    assert sandbox.admin.wait_webhooks(5)
    body = webhook_receiver.received[0]["json"]
    assert body["destination_location_id"] == shop["east"]["id"]
    assert body["source_location"]["id"] == shop["main"]["id"]


def test_refund_of_fulfilled_units_lowers_current_quantity_but_not_the_fulfillment_order(
    sandbox, shop, webhook_receiver
):
    for topic in ("refunds/create", "orders/updated"):
        sandbox.admin.subscribe(topic, webhook_receiver.url)
    order = _order(sandbox, ("ANVIL", 2, None))
    anvil = order["line_items"][0]
    sandbox.admin.fulfill(order["id"], [{"sku": "ANVIL", "quantity": 2}])
    assert sandbox.admin.wait_webhooks(5)
    webhook_receiver.received.clear()
    refunded = sandbox.admin.refund(
        order["id"], [{"line_item_id": anvil["id"], "quantity": 1}], restock_type="no_restock"
    )
    assert _fo_lines(refunded) == [("CLOSED", anvil["id"], 2, 0)]
    assert _graphql_order(sandbox, order)[anvil["id"]]["currentQuantity"] == 1
    assert sandbox.admin.wait_webhooks(5)
    got = [(h["headers"]["X-Shopify-Topic"], h["json"]) for h in webhook_receiver.received]
    assert [topic for topic, _ in got] == ["refunds/create", "orders/updated"]
    refund = got[0][1]
    assert refund["id"] == refunded["refund_id"]
    assert [
        (r["line_item_id"], r["quantity"], r["restock_type"], r["location_id"])
        for r in refund["refund_line_items"]
    ] == [(anvil["legacy_id"], 1, "no_restock", None)]
    (transaction,) = refund["transactions"]
    assert (transaction["kind"], transaction["status"]) == ("refund", "success")
    assert Decimal(transaction["amount"]) == Decimal(anvil["price"])
    updated = got[1][1]
    assert updated["line_items"][0]["current_quantity"] == 1
    assert [r["id"] for r in updated["refunds"]] == [refund["id"]]


def test_refund_restock_types_take_the_units_shopify_says(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 4, None))
    anvil = order["line_items"][0]
    sandbox.admin.fulfill(order["id"], [{"sku": "ANVIL", "quantity": 2}])

    def refund(quantity, restock):
        return sandbox.admin.refund(
            order["id"], [{"line_item_id": anvil["id"], "quantity": quantity}], restock
        )

    for quantity, restock, why in (
        (3, "cancel", "only 2 unfulfilled"),
        (3, "return", "only 2 fulfilled"),
        (1, "legacy_restock", "not accepted"),
    ):
        with pytest.raises(requests.HTTPError) as refused:
            refund(quantity, restock)
        assert why in refused.value.response.text
    # A return leaves the fulfillment order; a cancel takes open units off it.
    assert _fo_lines(refund(1, "return")) == [("IN_PROGRESS", anvil["id"], 4, 2)]
    assert _fo_lines(refund(1, "cancel")) == [("IN_PROGRESS", anvil["id"], 3, 1)]
    # Without restock, the fulfilled unit left goes first, then an open one.
    assert _fo_lines(refund(2, "no_restock")) == [("CLOSED", anvil["id"], 2, 0)]
    assert _graphql_order(sandbox, order)[anvil["id"]]["currentQuantity"] == 0


def test_edit_raising_a_quantity_grows_its_fulfillment_order_line(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 1, shop["east"]["id"]))
    anvil = order["line_items"][0]
    edited = sandbox.admin.edit_order(order["id"], [{"line_item_id": anvil["id"], "quantity": 3}])
    assert _fo_lines(edited) == [("OPEN", anvil["id"], 3, 3)]
    assert edited["fulfillment_orders"][0]["location_id"] == shop["east"]["id"]
