"""Fulfillment semantics of the sandbox, driven through the addon's own documents."""

import pytest

from synco_shopify.shopify import queries

QTY_ERROR = "Invalid fulfillment order line item quantity requested."


def _order(sandbox, *lines):
    items = [
        {"sku": sku, "quantity": qty, **({"location_id": loc} if loc else {})}
        for sku, qty, loc in lines
    ]
    return sandbox.admin.create_order(email="c@example.com", line_items=items)


def _create(sandbox, groups, tracking=None):
    fulfillment = {"lineItemsByFulfillmentOrder": groups}
    if tracking:
        fulfillment["trackingInfo"] = tracking
    body = sandbox.gql(queries.FULFILLMENT_CREATE, {"fulfillment": fulfillment})
    assert "errors" not in body, body
    return body["data"]["fulfillmentCreate"]


def _group(fo, *quantities):
    lines = [
        {"id": line["id"], "quantity": q}
        for line, q in zip(fo["line_items"], quantities, strict=False)
    ]
    return {"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": lines}


def test_order_creation_makes_one_fulfillment_order_per_location(sandbox, shop):
    order = _order(
        sandbox, ("ANVIL", 1, None), ("SKATES", 2, None), ("ANVIL", 1, shop["east"]["id"])
    )
    fos = order["fulfillment_orders"]
    assert [fo["location_id"] for fo in fos] == [shop["main"]["id"], shop["east"]["id"]]
    assert all(fo["status"] == "OPEN" and fo["request_status"] == "UNSUBMITTED" for fo in fos)
    assert [line["total_quantity"] for line in fos[0]["line_items"]] == [1, 2]
    assert fos[0]["supported_actions"] == ["CREATE_FULFILLMENT", "HOLD", "MOVE"]
    assert order["display_fulfillment_status"] == "UNFULFILLED"


def test_three_pl_fulfillment_orders_support_only_requests(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 1, shop["tpl"]["id"]))
    fo = order["fulfillment_orders"][0]
    assert "CREATE_FULFILLMENT" not in fo["supported_actions"]
    assert "REQUEST_FULFILLMENT" in fo["supported_actions"]


def test_fulfillment_create_happy_path(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 2, None))
    fo = order["fulfillment_orders"][0]
    result = _create(
        sandbox, [{"fulfillmentOrderId": fo["id"]}], {"company": "UPS", "number": "1Z9"}
    )
    assert result["userErrors"] == []
    created = result["fulfillment"]
    assert created["status"] == "SUCCESS"
    assert created["trackingInfo"] == [
        {"company": "UPS", "number": "1Z9", "url": "https://www.ups.com/track?tracknum=1Z9"}
    ]
    after = sandbox.admin.order(order["id"])
    assert after["fulfillment_orders"][0]["status"] == "CLOSED"
    assert after["fulfillment_orders"][0]["line_items"][0]["remaining_quantity"] == 0
    assert after["display_fulfillment_status"] == "FULFILLED"
    assert after["fulfillments"][0]["name"] == "#1001.1"


def test_partial_then_complete(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 3, None), ("SKATES", 1, None))
    fo = order["fulfillment_orders"][0]
    result = _create(sandbox, [_group(fo, 1)], {"company": "Acme Post", "number": "A1"})
    assert result["userErrors"] == []
    assert result["fulfillment"]["trackingInfo"][0]["url"] is None  # unknown company, no url
    mid = sandbox.admin.order(order["id"])
    assert mid["fulfillment_orders"][0]["status"] == "IN_PROGRESS"
    assert [li["remaining_quantity"] for li in mid["fulfillment_orders"][0]["line_items"]] == [2, 1]
    assert mid["display_fulfillment_status"] == "PARTIALLY_FULFILLED"
    data = sandbox.gql(queries.FULFILLMENT, {"id": result["fulfillment"]["id"]})["data"]
    assert data["fulfillment"]["fulfillmentLineItems"]["nodes"][0]["quantity"] == 1
    result = _create(sandbox, [{"fulfillmentOrderId": fo["id"]}])  # omitted lines: the rest
    assert result["userErrors"] == []
    done = sandbox.admin.order(order["id"])
    assert done["fulfillment_orders"][0]["status"] == "CLOSED"
    assert done["display_fulfillment_status"] == "FULFILLED"
    assert [f["line_items"][0]["quantity"] for f in done["fulfillments"]] == [1, 2]


def _refused(sandbox, order, groups):
    before = sandbox.admin.order(order["id"])
    result = _create(sandbox, groups)
    assert result["fulfillment"] is None
    assert result["userErrors"]
    assert sandbox.admin.order(order["id"]) == before  # nothing changed
    return [e["message"] for e in result["userErrors"]]


def test_refuses_quantity_above_remaining(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 2, None))
    assert _refused(sandbox, order, [_group(order["fulfillment_orders"][0], 3)]) == [QTY_ERROR]


@pytest.mark.parametrize("quantity", [0, -1])
def test_refuses_non_positive_quantity(sandbox, shop, quantity):
    order = _order(sandbox, ("ANVIL", 2, None))
    group = _group(order["fulfillment_orders"][0], quantity)
    assert _refused(sandbox, order, [group]) == [QTY_ERROR]


def test_refuses_unknown_line_item(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 2, None))
    fo = order["fulfillment_orders"][0]
    group = {
        "fulfillmentOrderId": fo["id"],
        "fulfillmentOrderLineItems": [
            {"id": "gid://shopify/FulfillmentOrderLineItem/1", "quantity": 1}
        ],
    }
    assert "does not exist" in _refused(sandbox, order, [group])[0]


def test_refuses_same_fulfillment_order_twice(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 2, None))
    fo = order["fulfillment_orders"][0]
    messages = _refused(sandbox, order, [_group(fo, 1), _group(fo, 1)])
    assert messages == ["Fulfillment orders must be unique."]


def test_refuses_fulfillment_orders_of_different_orders(sandbox, shop):
    one = _order(sandbox, ("ANVIL", 1, None))
    two = _order(sandbox, ("ANVIL", 1, None))
    groups = [{"fulfillmentOrderId": o["fulfillment_orders"][0]["id"]} for o in (one, two)]
    assert "same order" in _refused(sandbox, one, groups)[0]
    assert sandbox.admin.order(two["id"])["fulfillments"] == []


def test_refuses_fulfillment_orders_of_different_locations(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 1, None), ("ANVIL", 1, shop["east"]["id"]))
    groups = [{"fulfillmentOrderId": fo["id"]} for fo in order["fulfillment_orders"]]
    assert "same location" in _refused(sandbox, order, groups)[0]


def test_refuses_closed_fulfillment_order(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 1, None))
    fo = order["fulfillment_orders"][0]
    assert _create(sandbox, [{"fulfillmentOrderId": fo["id"]}])["userErrors"] == []
    assert "status= closed" in _refused(sandbox, order, [{"fulfillmentOrderId": fo["id"]}])[0]


def test_refuses_cancelled_order(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 1, None))
    sandbox.admin.cancel_order(order["id"])
    fo = order["fulfillment_orders"][0]
    assert "status= cancelled" in _refused(sandbox, order, [{"fulfillmentOrderId": fo["id"]}])[0]


def test_hold_blocks_create_until_released(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 1, None))
    fo = order["fulfillment_orders"][0]
    held = sandbox.admin.hold(fo["id"], reason="AWAITING_PAYMENT", reason_notes="wire")
    assert held["status"] == "ON_HOLD"
    assert held["supported_actions"] == ["RELEASE_HOLD"]
    assert "status= on_hold" in _refused(sandbox, order, [{"fulfillmentOrderId": fo["id"]}])[0]
    assert sandbox.admin.release_hold(fo["id"])["status"] == "OPEN"
    assert _create(sandbox, [{"fulfillmentOrderId": fo["id"]}])["userErrors"] == []


def test_refuses_three_pl_fulfillment_order(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 1, shop["tpl"]["id"]))
    fo = order["fulfillment_orders"][0]
    assert "fulfillment service" in _refused(sandbox, order, [{"fulfillmentOrderId": fo["id"]}])[0]


def test_admin_fulfillment_works_on_three_pl(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 2, shop["tpl"]["id"]))
    made = sandbox.admin.fulfill(
        order["id"], [{"sku": "ANVIL", "quantity": 1}], {"company": "DHL Express", "number": "D1"}
    )
    assert made["location_id"] == shop["tpl"]["id"]
    assert made["tracking"][0]["url"].startswith("https://www.dhl.com/")
    after = sandbox.admin.order(order["id"])
    assert after["fulfillment_orders"][0]["status"] == "IN_PROGRESS"


def test_tracking_update_replaces_tracking(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 1, None))
    fo = order["fulfillment_orders"][0]
    created = _create(sandbox, [{"fulfillmentOrderId": fo["id"]}])["fulfillment"]
    assert created["trackingInfo"] == []
    variables = {
        "fulfillmentId": created["id"],
        "trackingInfoInput": {"company": "FedEx", "numbers": ["F1", "F2"]},
        "notifyCustomer": True,
    }
    body = sandbox.gql(queries.FULFILLMENT_TRACKING_UPDATE, variables)
    result = body["data"]["fulfillmentTrackingInfoUpdate"]
    assert result["userErrors"] == []
    assert [t["number"] for t in result["fulfillment"]["trackingInfo"]] == ["F1", "F2"]
    assert result["fulfillment"]["trackingInfo"][1]["url"].endswith("F2")
    stored = sandbox.admin.order(order["id"])["fulfillments"][0]["tracking"]
    assert [t["company"] for t in stored] == ["FedEx", "FedEx"]


def test_cancel_restores_quantities(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 3, None))
    fo = order["fulfillment_orders"][0]
    first = _create(sandbox, [_group(fo, 1)])["fulfillment"]
    _create(sandbox, [_group(fo, 2)])
    assert sandbox.admin.order(order["id"])["fulfillment_orders"][0]["status"] == "CLOSED"
    body = sandbox.gql(queries.FULFILLMENT_CANCEL, {"id": first["id"]})
    assert body["data"]["fulfillmentCancel"] == {
        "fulfillment": {"id": first["id"], "status": "CANCELLED"},
        "userErrors": [],
    }
    after = sandbox.admin.order(order["id"])
    assert after["fulfillment_orders"][0]["status"] == "IN_PROGRESS"
    assert after["fulfillment_orders"][0]["line_items"][0]["remaining_quantity"] == 1
    assert after["display_fulfillment_status"] == "PARTIALLY_FULFILLED"
    again = sandbox.gql(queries.FULFILLMENT_CANCEL, {"id": first["id"]})
    assert again["data"]["fulfillmentCancel"]["userErrors"]


def _move(sandbox, fo_id, location_id, lines=None):
    variables = {"id": fo_id, "newLocationId": location_id, "fulfillmentOrderLineItems": lines}
    body = sandbox.gql(queries.FULFILLMENT_ORDER_MOVE, variables)
    assert "errors" not in body, body
    return body["data"]["fulfillmentOrderMove"]


def test_move_whole_untouched_fulfillment_order(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 2, None))
    fo = order["fulfillment_orders"][0]
    result = _move(sandbox, fo["id"], shop["east"]["id"])
    assert result["userErrors"] == []
    assert result["movedFulfillmentOrder"]["id"] == fo["id"]
    assert (
        result["movedFulfillmentOrder"]["assignedLocation"]["location"]["id"] == shop["east"]["id"]
    )
    after = sandbox.admin.order(order["id"])
    assert len(after["fulfillment_orders"]) == 1
    assert after["fulfillment_orders"][0]["location_id"] == shop["east"]["id"]


def test_move_part_splits_off_a_new_fulfillment_order(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 3, None))
    fo = order["fulfillment_orders"][0]
    line = fo["line_items"][0]
    result = _move(sandbox, fo["id"], shop["east"]["id"], [{"id": line["id"], "quantity": 2}])
    assert result["userErrors"] == []
    assert result["movedFulfillmentOrder"]["id"] != fo["id"]
    assert result["originalFulfillmentOrder"] == {"id": fo["id"], "status": "OPEN"}
    original, moved = sandbox.admin.order(order["id"])["fulfillment_orders"]
    assert original["line_items"][0]["total_quantity"] == 1
    assert moved["line_items"][0]["remaining_quantity"] == 2
    assert moved["location_id"] == shop["east"]["id"]


def test_move_after_partial_fulfillment_closes_the_original(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 3, None))
    fo = order["fulfillment_orders"][0]
    _create(sandbox, [_group(fo, 1)])
    result = _move(sandbox, fo["id"], shop["east"]["id"])
    assert result["userErrors"] == []
    assert result["originalFulfillmentOrder"] == {"id": fo["id"], "status": "CLOSED"}
    original, moved = sandbox.admin.order(order["id"])["fulfillment_orders"]
    assert (
        original["line_items"][0]["total_quantity"],
        moved["line_items"][0]["total_quantity"],
    ) == (1, 2)


def test_move_refusals(sandbox, shop):
    order = _order(sandbox, ("SKATES", 1, None), ("ANVIL", 1, shop["east"]["id"]))
    main_fo, east_fo = order["fulfillment_orders"]
    # the destination does not stock SKATES
    assert (
        "does not stock"
        in _move(sandbox, main_fo["id"], shop["east"]["id"])["userErrors"][0]["message"]
    )
    # same location
    assert _move(sandbox, east_fo["id"], shop["east"]["id"])["userErrors"]
    # closed
    _create(sandbox, [{"fulfillmentOrderId": east_fo["id"]}])
    assert "closed" in _move(sandbox, east_fo["id"], shop["main"]["id"])["userErrors"][0]["message"]
    # submitted fulfillment request
    sandbox.admin.set_request_status(main_fo["id"], "SUBMITTED")
    result = _move(sandbox, main_fo["id"], shop["tpl"]["id"])
    assert "submitted" in result["userErrors"][0]["message"]
    after = sandbox.admin.order(order["id"])
    assert [fo["location_id"] for fo in after["fulfillment_orders"]] == [
        shop["main"]["id"],
        shop["east"]["id"],
    ]


def test_concurrent_creates_never_over_fulfill(sandbox, shop, monkeypatch):
    """The sandbox runs one request at a time (its store lock): a second
    client's fulfillmentCreate, sent while the first one has checked the
    quantity left and not yet taken it, checks after the first took it."""
    import threading

    from conftest import SandboxClient

    from shopify_sandbox.fulfillment import FulfillmentOps

    order = _order(sandbox, ("ANVIL", 1, None))
    fo = order["fulfillment_orders"][0]
    checked, apply = FulfillmentOps._select_lines, FulfillmentOps.apply_fulfillment
    first_checked, second_checked = threading.Event(), threading.Event()

    def select_lines(self, *args):
        if first_checked.is_set():
            second_checked.set()
        return checked(self, *args)

    def apply_fulfillment(self, *args, **kwargs):
        if not first_checked.is_set():
            first_checked.set()
            # The lock keeps the second request out until this one is done:
            # then nothing comes, and this one goes on when the wait gives up.
            second_checked.wait(timeout=0.5)
        return apply(self, *args, **kwargs)

    monkeypatch.setattr(FulfillmentOps, "_select_lines", select_lines)
    monkeypatch.setattr(FulfillmentOps, "apply_fulfillment", apply_fulfillment)
    results = {}

    def create(name):
        results[name] = _create(SandboxClient(sandbox.server), [_group(fo, 1)])["userErrors"]

    first = threading.Thread(target=create, args=("first",))
    first.start()
    assert first_checked.wait(timeout=10)
    second = threading.Thread(target=create, args=("second",))
    second.start()
    first.join()
    second.join()
    assert results["first"] == []
    assert results["second"], "the one unit was taken by the first"
    after = sandbox.admin.order(order["id"])
    assert after["fulfillment_orders"][0]["line_items"][0]["remaining_quantity"] == 0
    assert len(after["fulfillments"]) == 1


def test_a_3pl_fulfillment_reports_success_later(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 2, None))
    pending = sandbox.admin.fulfill(order["id"], status="PENDING")
    assert pending["status"] == "PENDING"
    after = sandbox.admin.order(order["id"])
    assert after["fulfillment_orders"][0]["line_items"][0]["remaining_quantity"] == 0
    assert after["display_fulfillment_status"] == "UNFULFILLED", "only SUCCESS counts as shipped"
    body = sandbox.gql(queries.FULFILLMENT, {"id": pending["id"]})
    assert body["data"]["fulfillment"]["status"] == "PENDING"
    done = sandbox.admin.set_fulfillment_status(pending["id"], "SUCCESS")
    assert done["status"] == "SUCCESS"
    assert sandbox.admin.order(order["id"])["display_fulfillment_status"] == "FULFILLED"
    with pytest.raises(Exception, match="422"):
        sandbox.admin.set_fulfillment_status(pending["id"], "FAILURE")


def test_a_failed_3pl_fulfillment_reopens_its_items(sandbox, shop):
    order = _order(sandbox, ("ANVIL", 2, None))
    opened = sandbox.admin.fulfill(order["id"], status="OPEN")
    sandbox.admin.set_fulfillment_status(opened["id"], "FAILURE")
    after = sandbox.admin.order(order["id"])
    assert after["fulfillment_orders"][0]["line_items"][0]["remaining_quantity"] == 2
    assert after["fulfillment_orders"][0]["status"] == "OPEN"
