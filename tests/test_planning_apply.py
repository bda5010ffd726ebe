"""The apply's pure steps: its outcome (is_echo, decide_apply), then a
Shopify fulfillment laid over open Odoo stock moves (plan_apply)."""

from datetime import datetime, timedelta, timezone

from synco_shopify.planning.apply import (
    BODY_FRESH_SECONDS,
    decide_apply,
    fulfillment_location,
    is_echo,
    plan_apply,
    plan_apply_groups,
    webhook_fulfillment,
)

BIG = 2**53
ITEM_A, ITEM_B = str(BIG + 1101), str(BIG + 1102)


def gid(number):
    return f"gid://shopify/LineItem/{number}"


def move(move_id, item, remaining, warehouse="main", picking_id=501):
    return {
        "move_id": move_id,
        "line_item_id": item,
        "warehouse": warehouse,
        "picking_id": picking_id,
        "remaining": remaining,
    }


def test_full():
    moves = [move(11, ITEM_A, 2.0), move(12, ITEM_B, 1.0)]
    plan = plan_apply(
        [
            {"line_item_id": gid(ITEM_A), "quantity": 2},
            {"line_item_id": gid(ITEM_B), "quantity": 1},
        ],
        moves,
        "main",
    )
    assert plan.pickings == {501: {11: 2.0, 12: 1.0}}
    assert plan.missing == [] and plan.cross_warehouse == []
    assert plan.complete


def test_partial():
    plan = plan_apply([{"line_item_id": ITEM_A, "quantity": 1}], [move(11, ITEM_A, 5.0)], "main")
    assert plan.pickings == {501: {11: 1}}
    assert plan.complete


def test_spread_over_two_moves_in_move_id_order():
    moves = [move(14, ITEM_A, 3.0, picking_id=502), move(12, ITEM_A, 2.0)]
    plan = plan_apply([{"line_item_id": ITEM_A, "quantity": 4}], moves, "main")
    assert plan.pickings == {501: {12: 2.0}, 502: {14: 2.0}}


def test_cross_warehouse_after_the_target_moves():
    moves = [
        move(11, ITEM_A, 2.0, warehouse="east", picking_id=601),
        move(12, ITEM_A, 1.0, warehouse="main"),
    ]
    plan = plan_apply([{"line_item_id": ITEM_A, "quantity": 2}], moves, "main")
    assert plan.pickings == {501: {12: 1.0}}
    assert plan.cross_warehouse == [{"move_id": 11, "quantity": 1.0, "from_warehouse": "east"}]
    assert plan.complete


def test_missing_line_and_excess_quantity():
    plan = plan_apply(
        [{"line_item_id": ITEM_A, "quantity": 3}, {"line_item_id": ITEM_B, "quantity": 1}],
        [move(11, ITEM_A, 2.0)],
        "main",
    )
    assert plan.pickings == {501: {11: 2.0}}
    assert [(m["line_item_id"], m["quantity"], m["open"]) for m in plan.missing] == [
        (ITEM_A, 1.0, 2.0),
        (ITEM_B, 1, 0),
    ]
    assert [m["reason"].code for m in plan.missing] == ["apply.short", "apply.no_open_move"]
    assert str(plan.missing[0]["reason"]).endswith("3 fulfilled in Shopify but only 2 open in Odoo")
    assert "no open Odoo move" in str(plan.missing[1]["reason"])
    assert not plan.complete


def test_no_target_warehouse_takes_every_move():
    moves = [move(11, ITEM_A, 1.0, warehouse="east", picking_id=601), move(12, ITEM_A, 1.0)]
    plan = plan_apply([{"line_item_id": ITEM_A, "quantity": 2}], moves, None)
    assert plan.pickings == {601: {11: 1.0}, 501: {12: 1.0}}
    assert plan.cross_warehouse == []


def test_groups_ship_every_kit_component_for_each_kit():
    lines = [{"line_item_id": "1", "quantity": 2}, {"line_item_id": "2", "quantity": 1}]
    groups = {
        None: [move(10, "2", 1, warehouse="WH", picking_id=100)],
        "frame": [move(11, "1", 3, warehouse="WH", picking_id=100)],
        "wheel": [move(12, "1", 3, warehouse="WH", picking_id=100)],
    }
    plan = plan_apply_groups(lines, groups, "WH")
    assert plan.pickings == {100: {10: 1, 11: 2, 12: 2}}
    assert not plan.missing


def test_groups_report_a_component_short():
    lines = [{"line_item_id": "1", "quantity": 2}]
    groups = {
        "frame": [move(11, "1", 3, warehouse="WH", picking_id=100)],
        "wheel": [move(12, "1", 1, warehouse="WH", picking_id=100)],
    }
    plan = plan_apply_groups(lines, groups, "WH")
    assert [m["line_item_id"] for m in plan.missing] == ["1"]


def test_rank_puts_goods_closest_to_the_customer_first():
    moves = [
        dict(move(10, "1", 5, warehouse="WH", picking_id=100), rank=3),
        dict(move(11, "1", 1, warehouse="WH", picking_id=101), rank=1),
    ]
    plan = plan_apply([{"line_item_id": "1", "quantity": 2}], moves, "WH")
    assert plan.pickings == {101: {11: 1}, 100: {10: 1}}


# -- the outcome, decided before anything moves ---------------------------------

PUSHED = {
    "origin": "odoo",
    "state": "done",
    "tracking_number": "1ZECHO",
    "tracking_company": "UPS",
}
WEBHOOK = {
    "fulfillment_id": "77",
    "order_id": "5",
    "status": "success",
    "tracking_numbers": ["1ZECHO"],
    "tracking_company": "UPS",
}


def test_webhook_saying_what_odoo_pushed_is_an_echo():
    assert is_echo(WEBHOOK, PUSHED)
    assert is_echo({**WEBHOOK, "status": "SUCCESS"}, PUSHED)


def test_echo_without_tracking_on_either_side():
    bare = {**PUSHED, "tracking_number": False, "tracking_company": False}
    assert is_echo({**WEBHOOK, "tracking_numbers": [], "tracking_company": None}, bare)


def test_any_difference_is_not_an_echo():
    assert not is_echo({**WEBHOOK, "tracking_numbers": ["1ZOTHER"]}, PUSHED)
    assert not is_echo({**WEBHOOK, "tracking_numbers": []}, PUSHED)
    assert not is_echo({**WEBHOOK, "tracking_company": "FedEx"}, PUSHED)
    assert not is_echo({**WEBHOOK, "status": "cancelled"}, PUSHED)
    assert not is_echo({**WEBHOOK, "status": "pending"}, PUSHED)


def test_a_cancellation_already_flagged_is_an_echo_too():
    assert is_echo({**WEBHOOK, "status": "cancelled"}, {**PUSHED, "state": "cancelled"})
    assert not is_echo({**WEBHOOK, "status": "success"}, {**PUSHED, "state": "attention"})


def test_only_odoo_pushes_with_a_webhook_status_are_echoes():
    assert not is_echo(WEBHOOK, None)
    assert not is_echo(WEBHOOK, {**PUSHED, "origin": "shopify"})
    catch_up = {"fulfillment_id": "77", "order_id": "5"}
    assert not is_echo(catch_up, PUSHED)


def fulfillment(status="SUCCESS", location="gid://shopify/Location/9"):
    return {
        "id": "gid://shopify/Fulfillment/77",
        "status": status,
        "location": {"id": location} if location else None,
        "order": {"id": "gid://shopify/Order/5"},
        "fulfillmentLineItems": {
            "nodes": [{"quantity": 2, "lineItem": {"id": gid(ITEM_A)}}],
        },
    }


def test_decide_ship_carries_location_order_and_lines():
    decision = decide_apply(fulfillment(), False, False)
    assert decision.kind == "ship"
    assert (decision.location_id, decision.order_id) == ("9", "5")
    assert decision.lines == ({"line_item_id": gid(ITEM_A), "quantity": 2},)


def test_decide_the_outcomes_that_move_nothing():
    assert decide_apply(None, True, False).kind == "gone"
    assert decide_apply(fulfillment("CANCELLED"), True, False).kind == "cancel"
    assert decide_apply(fulfillment("CANCELLED"), False, False).kind == "cancelled_unlinked"
    assert decide_apply(fulfillment(), True, False).kind == "tracking"
    pending = decide_apply(fulfillment("OPEN"), False, False)
    assert (pending.kind, pending.status) == ("not_shipped", "OPEN")
    assert decide_apply(fulfillment(), False, True).kind == "odoo_led"


def test_a_linked_fulfillment_never_ships_twice():
    assert decide_apply(fulfillment(), True, False).kind != "ship"


def test_fulfillment_location_without_one_is_zero():
    assert fulfillment_location(fulfillment(location=None)) == "0"
    assert fulfillment_location(None) == "0"


NOW = datetime(2026, 12, 5, 12, 0, 0, tzinfo=timezone.utc)


def carried(seconds_old, stamp=None):
    """A webhook job's payload whose fulfillment was updated ``seconds_old`` ago."""
    updated = stamp or (NOW - timedelta(seconds=seconds_old)).isoformat().replace("+00:00", "Z")
    return {"fulfillment_id": "77", "fulfillment": {**fulfillment(), "updatedAt": updated}}


def test_a_fresh_webhook_fulfillment_stands_for_the_read():
    payload = carried(5)
    assert webhook_fulfillment(payload, False, NOW) is payload["fulfillment"]
    assert webhook_fulfillment(carried(BODY_FRESH_SECONDS), False, NOW) is not None
    # Shopify's offset form, the same moment
    stamp = (NOW - timedelta(seconds=5)).astimezone(timezone(timedelta(hours=-5))).isoformat()
    assert webhook_fulfillment(carried(0, stamp), False, NOW) is not None


def test_a_retried_or_requeued_webhook_is_too_old_to_stand_for_the_read():
    assert webhook_fulfillment(carried(BODY_FRESH_SECONDS + 1), False, NOW) is None
    assert webhook_fulfillment(carried(4 * 3600), False, NOW) is None
    # a clock far ahead of Odoo's is no proof of freshness either
    assert webhook_fulfillment(carried(-BODY_FRESH_SECONDS - 1), False, NOW) is None


def test_a_linked_fulfillment_or_a_body_without_a_moment_is_read():
    assert webhook_fulfillment(carried(5), True, NOW) is None
    assert webhook_fulfillment({"fulfillment_id": "77"}, False, NOW) is None  # catch-up, fold
    for stamp in ("2026-12-05T11:59:55", "yesterday", "None"):  # no zone, not a date
        assert webhook_fulfillment(carried(0, stamp), False, NOW) is None
