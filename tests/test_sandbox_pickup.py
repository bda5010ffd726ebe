"""Local pickup in the sandbox, driven through the addon's own documents, and
the pure planner that picks what to mark ready."""

from synco_shopify.planning import pickup as planner
from synco_shopify.shopify import queries

NOTHING = "NO_LINE_ITEMS_TO_PREPARE_FOR_FULFILLMENT_ORDER"


def _order(sandbox, shop, method="PICK_UP", quantity=2):
    return sandbox.admin.create_order(
        email="c@example.com",
        delivery_method=method,
        line_items=[{"sku": "ANVIL", "quantity": quantity, "location_id": shop["main"]["id"]}],
    )


def _prepare(sandbox, *fo_ids):
    body = sandbox.gql(
        queries.FULFILLMENT_ORDER_PREPARED_FOR_PICKUP,
        {"input": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": i} for i in fo_ids]}},
    )
    assert "errors" not in body, body
    return body["data"]["fulfillmentOrderLineItemsPreparedForPickup"]["userErrors"]


def _fos(sandbox, order):
    body = sandbox.gql(queries.ORDER_FULFILLMENT_ORDERS, {"id": order["id"], "first": 5})
    return body["data"]["order"]["fulfillmentOrders"]["nodes"]


def test_fulfillment_orders_read_their_delivery_method(sandbox, shop):
    pickup, shipped = _order(sandbox, shop), _order(sandbox, shop, "SHIPPING")
    assert [planner.method_of(fo) for fo in _fos(sandbox, pickup)] == ["PICK_UP"]
    assert [planner.method_of(fo) for fo in _fos(sandbox, shipped)] == ["SHIPPING"]
    assert planner.is_pickup(_fos(sandbox, pickup))
    assert not planner.is_pickup(_fos(sandbox, shipped))


def test_prepared_for_pickup_moves_to_in_progress_and_announces(sandbox, shop, webhook_receiver):
    sandbox.admin.subscribe(
        "fulfillment_orders/line_items_prepared_for_pickup", webhook_receiver.url
    )
    order = _order(sandbox, shop)
    fo = order["fulfillment_orders"][0]
    assert _prepare(sandbox, fo["id"]) == []
    after = sandbox.admin.order(order["id"])["fulfillment_orders"][0]
    assert (after["status"], after["prepared_for_pickup"]) == ("IN_PROGRESS", True)
    [hit] = webhook_receiver.wait_for(1)
    assert hit["headers"]["X-Shopify-Topic"] == "fulfillment_orders/line_items_prepared_for_pickup"
    assert hit["json"]["fulfillment_order"] == {"id": fo["id"], "status": "in_progress"}


def test_preparing_twice_has_nothing_left_to_prepare(sandbox, shop):
    fo = _order(sandbox, shop)["fulfillment_orders"][0]
    assert _prepare(sandbox, fo["id"]) == []
    [error] = _prepare(sandbox, fo["id"])
    assert error["code"] == NOTHING
    assert planner.refused([error]) == []


def test_a_shipping_order_cannot_be_prepared_for_pickup(sandbox, shop):
    order = _order(sandbox, shop, "SHIPPING")
    [error] = _prepare(sandbox, order["fulfillment_orders"][0]["id"])
    assert error["code"] == "FULFILLMENT_ORDER_INVALID"
    assert planner.refused([error]) == [error]
    fo = sandbox.admin.order(order["id"])["fulfillment_orders"][0]
    assert (fo["status"], fo["prepared_for_pickup"]) == ("OPEN", False)


def test_a_refused_fulfillment_order_prepares_none_of_the_others(sandbox, shop):
    pickup, shipped = _order(sandbox, shop), _order(sandbox, shop, "SHIPPING")
    errors = _prepare(
        sandbox, pickup["fulfillment_orders"][0]["id"], shipped["fulfillment_orders"][0]["id"]
    )
    assert [e["field"][-2] for e in errors] == ["1"]
    fo = sandbox.admin.order(pickup["id"])["fulfillment_orders"][0]
    assert fo["prepared_for_pickup"] is False


def test_a_fulfillment_without_tracking_completes_a_prepared_pickup(sandbox, shop):
    order = _order(sandbox, shop)
    fo = order["fulfillment_orders"][0]
    _prepare(sandbox, fo["id"])
    body = sandbox.gql(
        queries.FULFILLMENT_CREATE,
        {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}},
    )
    assert body["data"]["fulfillmentCreate"]["userErrors"] == []
    after = sandbox.admin.order(order["id"])
    assert after["display_fulfillment_status"] == "FULFILLED"
    assert after["fulfillment_orders"][0]["status"] == "CLOSED"
    assert after["fulfillments"][0]["tracking"] == []


def test_planner_prepares_the_pickup_orders_of_the_lines_at_the_location(sandbox, shop):
    pickup = _order(sandbox, shop)
    fos = _fos(sandbox, pickup)
    item = pickup["line_items"][0]["legacy_id"]
    main, east = shop["main"]["legacy_id"], shop["east"]["legacy_id"]
    assert planner.to_prepare(fos, [item], main) == [fos[0]["id"]]
    assert planner.to_prepare(fos, [item], east) == []
    assert planner.to_prepare(fos, ["999"], main) == []
    shipped = _fos(sandbox, _order(sandbox, shop, "SHIPPING"))
    assert planner.to_prepare(shipped, [item], main) == []
