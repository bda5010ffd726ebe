"""The fulfillment service's answers, from plain data."""

from synco_shopify.planning import connection, launch, push
from synco_shopify.planning import fulfillment_service as planner


def _fo(*lines, status="SUBMITTED", location="7"):
    return {
        "id": "gid://shopify/FulfillmentOrder/1",
        "status": "OPEN",
        "requestStatus": status,
        "assignedLocation": {
            "location": {
                "id": f"gid://shopify/Location/{location}",
                "legacyResourceId": location,
                "name": "Odoo",
                "fulfillmentService": {"id": "gid://shopify/FulfillmentService/9"},
            }
        },
        "supportedActions": [],
        "lineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/FulfillmentOrderLineItem/{item}0",
                    "totalQuantity": qty,
                    "remainingQuantity": qty,
                    "sku": sku,
                    "lineItem": {"id": f"gid://shopify/LineItem/{item}"},
                }
                for item, sku, qty in lines
            ]
        },
    }


def test_request_accepted_when_every_line_is_in_the_odoo_order():
    fo = _fo((11, "ANVIL", 2), (12, "SKATES", 1))
    assert planner.decide_request(fo, ["11", "12"], set()).action == planner.ACCEPT


def test_request_rejected_naming_only_the_unknown_skus():
    fo = _fo((11, "ANVIL", 2), (12, "GHOST", 1), (13, "", 1))
    decision = planner.decide_request(fo, None, {"ANVIL"})
    assert decision.action == planner.REJECT
    assert decision.reason == "INVALID_SKU"
    assert decision.message == "Odoo has no product for SKU (no SKU), GHOST."


def test_request_waits_for_the_import_when_every_sku_is_known():
    fo = _fo((11, "ANVIL", 2))
    assert planner.decide_request(fo, None, {"ANVIL"}).action == planner.WAIT


def test_a_line_the_odoo_order_lacks_is_rejected():
    fo = _fo((11, "ANVIL", 2), (12, "SKATES", 1))
    decision = planner.decide_request(fo, ["11"], {"ANVIL", "SKATES"})
    assert (decision.action, decision.message) == (
        planner.REJECT,
        "Odoo has no product for SKU SKATES.",
    )


def test_cancellation_accepted_until_something_shipped():
    assert planner.decide_cancellation([]).action == planner.ACCEPT
    decision = planner.decide_cancellation(["WH/OUT/00002", "WH/OUT/00001"])
    assert decision.action == planner.REJECT
    assert decision.message == "Already shipped: WH/OUT/00001, WH/OUT/00002."


def test_push_fulfills_an_accepted_request_at_its_own_location_only():
    lines = [{"line_item_id": "11", "quantity": 2}]
    for status, fulfilled in (
        ("ACCEPTED", True),
        ("CANCELLATION_REJECTED", True),
        ("SUBMITTED", False),
        ("CANCELLATION_REQUESTED", False),
    ):
        plan = push.plan_push(lines, [_fo((11, "ANVIL", 2), status=status)], "7")
        assert (plan.kind == "fulfill") is fulfilled, (status, plan)
    other = push.plan_push(lines, [_fo((11, "ANVIL", 2), status="ACCEPTED", location="8")], "7")
    assert other.kind != "fulfill"


def _service(**values):
    return {
        "location_id": "7",
        "location_name": "Acme (Odoo)",
        "warehouse": "Service",
        "odoo_led": True,
        "scopes": ["read_assigned_fulfillment_orders", "write_assigned_fulfillment_orders"],
        "read_recently": True,
        "last_read": "2026-12-05 08:00:00",
        "waiting": 2,
        **values,
    }


def test_launch_check_reports_a_healthy_service():
    check = launch.check_fulfillment_service(
        _service(), [{"id": "7", "name": "Acme (Odoo)"}], ("write_assigned_fulfillment_orders",)
    )
    assert check.ok
    assert str(check.message) == (
        "Registered: location 'Acme (Odoo)' ships from warehouse 'Service', Odoo-led; "
        "2 request(s) waiting for an answer."
    )


def test_launch_check_names_each_problem_of_the_service():
    check = launch.check_fulfillment_service(
        _service(warehouse=False, read_recently=False), [{"id": "8", "name": "Other"}], ()
    )
    assert not check.ok
    assert [part.code for part in check.message.parts] == [
        "launch.fsvc_no_location",
        "launch.fsvc_no_warehouse",
        "launch.fsvc_scopes",
        "launch.fsvc_stale",
    ]
    led = launch.check_fulfillment_service(_service(odoo_led=False), None, None)
    assert [part.code for part in led.message.parts] == ["launch.fsvc_not_odoo_led"]


def test_the_service_check_is_listed_only_for_a_registered_service():
    facts = {
        "connection": connection.failed("down"),
        "shop_domain": "acme.myshopify.com",
        "required_scopes": [],
    }
    assert "fulfillment_service" not in [c.key for c in launch.launch_checks(facts)]
    facts["fulfillment_service"] = _service()
    assert launch.launch_checks(facts)[-1].key == "fulfillment_service"
