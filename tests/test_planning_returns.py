"""The returns planner: receipts for a Shopify return, what Shopify is told
once goods arrived, and the Shopify return of a return made in Odoo."""

from synco_shopify.planning import returns as planner


def _read(status="OPEN", quantity=3, processed=0, dispositions=()):
    return {
        "id": "gid://shopify/Return/9",
        "name": "#1001-R1",
        "status": status,
        "order": {"id": "gid://shopify/Order/1"},
        "returnLineItems": {
            "nodes": [
                {
                    "id": "gid://shopify/ReturnLineItem/5",
                    "quantity": quantity,
                    "processedQuantity": processed,
                    "fulfillmentLineItem": {
                        "id": "gid://shopify/FulfillmentLineItem/7",
                        "lineItem": {"id": "gid://shopify/LineItem/3"},
                    },
                }
            ]
        },
        "reverseFulfillmentOrders": {
            "nodes": [
                {
                    "id": "gid://shopify/ReverseFulfillmentOrder/8",
                    "status": "OPEN",
                    "lineItems": {
                        "nodes": [
                            {
                                "id": "gid://shopify/ReverseFulfillmentOrderLineItem/6",
                                "totalQuantity": quantity,
                                "fulfillmentLineItem": {
                                    "id": "gid://shopify/FulfillmentLineItem/7"
                                },
                                "dispositions": list(dispositions),
                            }
                        ]
                    },
                }
            ]
        },
    }


def test_parse_reads_legacy_ids_and_what_is_left_to_dispose():
    ret = planner.parse_return(
        _read(dispositions=[{"quantity": 1, "type": "NOT_RESTOCKED", "location": None}])
    )
    assert ret.lines == (planner.ReturnLine("5", "7", "3", 3, 0),)
    assert ret.reverse_lines == {"7": [("gid://shopify/ReverseFulfillmentOrderLineItem/6", 2)]}
    assert (ret.id, ret.order_id, ret.status) == ("9", "1", "OPEN")


def test_units_go_back_to_the_delivery_that_shipped_them():
    ret = planner.parse_return(_read())
    plan = planner.plan_receipts(ret, {}, {"7": "WH/OUT/1"}, {("WH/OUT/1", "3"): 5})
    assert plan.receipts == {"WH/OUT/1": [("3", "5", 3)]}
    assert plan.stops == []


def test_covered_units_are_not_received_twice():
    ret = planner.parse_return(_read())
    plan = planner.plan_receipts(ret, {"5": 3}, {"7": "D"}, {("D", "3"): 5})
    assert plan.receipts == {}
    assert planner.plan_receipts(ret, {"5": 1}, {"7": "D"}, {("D", "3"): 5}).receipts == {
        "D": [("3", "5", 2)]
    }


def test_units_no_odoo_delivery_shipped_stop_with_a_reason():
    ret = planner.parse_return(_read())
    plan = planner.plan_receipts(ret, {}, {}, {})
    assert plan.receipts == {}
    assert [n.code for n in plan.stops] == ["return_not_delivered"]
    assert "no Odoo delivery" in str(plan.stops[0])


def test_more_than_the_delivery_can_take_back_is_placed_in_part_and_stops():
    ret = planner.parse_return(_read())
    plan = planner.plan_receipts(ret, {}, {"7": "D"}, {("D", "3"): 2})
    assert plan.receipts == {"D": [("3", "5", 2)]}
    assert [n.code for n in plan.stops] == ["return_short"]


def test_process_restocks_what_arrived_and_completes_when_all_did():
    ret = planner.parse_return(_read())
    items, complete = planner.plan_process(ret, {"5": 2}, {"5": "44"})
    assert items == [
        {
            "id": "gid://shopify/ReturnLineItem/5",
            "quantity": 2,
            "dispositions": [
                {
                    "reverseFulfillmentOrderLineItemId": (
                        "gid://shopify/ReverseFulfillmentOrderLineItem/6"
                    ),
                    "quantity": 2,
                    "dispositionType": "RESTOCKED",
                    "locationId": "gid://shopify/Location/44",
                }
            ],
        }
    ]
    assert complete is False
    assert planner.plan_process(ret, {"5": 3}, {"5": "44"})[1] is True


def test_process_sends_nothing_already_processed():
    ret = planner.parse_return(_read(processed=2))
    items, complete = planner.plan_process(ret, {"5": 2}, {"5": "44"})
    assert (items, complete) == ([], False)


def test_restocked_counts_dispositions_at_the_location_only():
    ret = planner.parse_return(
        _read(
            dispositions=[
                {
                    "quantity": 1,
                    "type": "RESTOCKED",
                    "location": {"id": "gid://shopify/Location/44"},
                },
                {"quantity": 1, "type": "NOT_RESTOCKED", "location": None},
            ]
        )
    )
    assert planner.restocked(ret, "44") == {"5": 1}


def test_create_spreads_returned_units_over_fulfillment_lines():
    lines, left = planner.plan_create({"3": 3, "4": 1}, [("70", "3", 2), ("71", "3", 2)])
    assert lines == [
        {"fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/70", "quantity": 2},
        {"fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/71", "quantity": 1},
    ]
    assert left == {"4": 1}


def _orders(*returns):
    nodes = [{"id": f"gid://shopify/Return/{rid}", "status": status} for rid, status in returns]
    return [{"legacyResourceId": "1", "returns": {"nodes": nodes}}]


def test_catch_up_finds_returns_whose_webhook_was_lost_once():
    orders = _orders(("9", "OPEN"), ("10", "REQUESTED"), ("11", "CLOSED"), ("12", "CANCELED"))
    assert planner.catch_up(orders, {"12": "OPEN"}, set()) == [
        ("9", "1", "OPEN"),
        ("12", "1", "CANCELED"),
    ]
    assert planner.catch_up(orders, {"12": "CANCELED"}, {("9", "OPEN")}) == []


def _shop_answer(*scopes):
    return {
        "shop": {"myshopifyDomain": "a.myshopify.com"},
        "currentAppInstallation": {"accessScopes": [{"handle": s} for s in scopes]},
    }


def test_missing_returns_scopes_wait_without_failing_the_connection():
    from synco_shopify.planning import connection, launch

    optional = {"Returns": ("read_returns", "write_returns")}
    verdict = connection.verify(
        _shop_answer("read_orders"), "a.myshopify.com", "2026-10", ["read_orders"], None, optional
    )
    assert verdict.problems == []
    assert "Returns (read_returns, write_returns)" in str(verdict.waiting)
    scopes = launch.check_scopes(verdict, ["read_orders"])
    assert scopes.ok is True
    assert "Returns" in str(scopes.rendered().message)
    granted = connection.verify(
        _shop_answer("read_orders", "write_returns"),
        "a.myshopify.com",
        "2026-10",
        ["read_orders"],
        None,
        optional,
    )
    assert granted.waiting is None


def test_shopify_led_validates_what_was_restocked_here_and_drops_what_was_not():
    here = {"quantity": 1, "type": "RESTOCKED", "location": {"id": "gid://shopify/Location/44"}}
    scrap = {"quantity": 2, "type": "NOT_RESTOCKED", "location": None}
    ret = planner.parse_return(_read(dispositions=[here]))
    assert planner.plan_shopify_received(ret, "44", {}, {"5": 3}) == ({"5": 1}, True)
    assert planner.plan_shopify_received(ret, "44", {"5": 1}, {"5": 2}) == ({}, True)
    done = planner.parse_return(_read(dispositions=[here, scrap]))
    assert planner.plan_shopify_received(done, "44", {}, {"5": 3}) == ({"5": 1}, False)
