"""plan_push and match_existing on GraphQL-shaped dicts."""

from synco_shopify.planning import notes
from synco_shopify.planning.push import hold_reason, match_existing, plan_push
from synco_shopify.planning.snapshot import OrderSnapshot

BIG = 2**53
MAIN, EAST, TPL = str(BIG + 4001), str(BIG + 4002), str(BIG + 4003)
NAMES = {MAIN: "Main", EAST: "East", TPL: "Speedy 3PL"}
ITEM_A, ITEM_B = str(BIG + 1101), str(BIG + 1102)
SKUS = {ITEM_A: "ANVIL", ITEM_B: "SKATES"}


def gid(kind, number):
    return f"gid://shopify/{kind}/{number}"


def fo_line(n, item, remaining, total=None):
    return {
        "id": gid("FulfillmentOrderLineItem", BIG + 3000 + n),
        "totalQuantity": total if total is not None else remaining,
        "remainingQuantity": remaining,
        "sku": SKUS[item],
        "lineItem": {"id": gid("LineItem", item)},
    }


def fo(n, location, lines, status="OPEN", actions=None, holds=(), service=False):
    if actions is None:
        actions = (
            ["CREATE_FULFILLMENT", "HOLD", "MOVE"] if status in ("OPEN", "IN_PROGRESS") else []
        )
    return {
        "id": gid("FulfillmentOrder", BIG + 2000 + n),
        "status": status,
        "requestStatus": "UNSUBMITTED",
        "assignedLocation": {
            "name": NAMES[location],
            "location": {
                "id": gid("Location", location),
                "legacyResourceId": location,
                "name": NAMES[location],
                "fulfillmentService": {"id": gid("FulfillmentService", 77), "handle": "speedy"}
                if service
                else None,
            },
        },
        "supportedActions": [{"action": a} for a in actions],
        "fulfillmentHolds": [{"reason": r, "reasonNotes": None} for r in holds],
        "lineItems": {"nodes": lines},
    }


def fo_id(n):
    return gid("FulfillmentOrder", BIG + 2000 + n)


def line_id(n):
    return gid("FulfillmentOrderLineItem", BIG + 3000 + n)


def group(fo_n, *pairs):
    return {
        "fulfillmentOrderId": fo_id(fo_n),
        "fulfillmentOrderLineItems": [{"id": line_id(n), "quantity": q} for n, q in pairs],
    }


def test_full_single_line():
    plan = plan_push(
        [{"line_item_id": gid("LineItem", ITEM_A), "quantity": 3.0}],
        [fo(1, MAIN, [fo_line(1, ITEM_A, 3)])],
        MAIN,
    )
    assert plan.kind == "fulfill"
    assert plan.fulfillment_input == {"lineItemsByFulfillmentOrder": [group(1, (1, 3))]}
    assert plan.held == ()


def test_partial_takes_only_the_delivered_quantity():
    plan = plan_push(
        [{"line_item_id": ITEM_A, "quantity": 2.0}], [fo(1, MAIN, [fo_line(1, ITEM_A, 5)])], MAIN
    )
    assert plan.fulfillment_input == {"lineItemsByFulfillmentOrder": [group(1, (1, 2))]}


def test_backorder_fulfils_the_rest():
    first_shipped = fo(1, MAIN, [fo_line(1, ITEM_A, 3, total=5)], status="IN_PROGRESS")
    plan = plan_push([{"line_item_id": ITEM_A, "quantity": 3}], [first_shipped], MAIN)
    assert plan.kind == "fulfill"
    assert plan.fulfillment_input["lineItemsByFulfillmentOrder"] == [group(1, (1, 3))]


def test_two_fos_at_the_location_each_once_sorted_by_id():
    fos = [fo(2, MAIN, [fo_line(2, ITEM_B, 1)]), fo(1, MAIN, [fo_line(1, ITEM_A, 2)])]
    lines = [
        {"line_item_id": ITEM_B, "quantity": 1},
        {"line_item_id": ITEM_A, "quantity": 1},
        {"line_item_id": ITEM_A, "quantity": 1},  # two moves of one line
    ]
    plan = plan_push(lines, fos, MAIN)
    assert plan.fulfillment_input["lineItemsByFulfillmentOrder"] == [
        group(1, (1, 2)),
        group(2, (2, 1)),
    ]


def test_quantity_spread_over_two_fo_lines():
    fos = [fo(1, MAIN, [fo_line(1, ITEM_A, 2)]), fo(2, MAIN, [fo_line(2, ITEM_A, 3)])]
    plan = plan_push([{"line_item_id": ITEM_A, "quantity": 4}], fos, MAIN)
    assert plan.fulfillment_input["lineItemsByFulfillmentOrder"] == [
        group(1, (1, 2)),
        group(2, (2, 2)),
    ]


def test_cross_location_plans_a_move_of_exactly_the_missing_quantity():
    fos = [fo(1, MAIN, [fo_line(1, ITEM_A, 1)]), fo(2, EAST, [fo_line(2, ITEM_A, 4)])]
    plan = plan_push([{"line_item_id": ITEM_A, "quantity": 3}], fos, MAIN)
    assert plan.kind == "move"
    assert plan.fulfillment_input is None
    assert plan.moves == (
        {
            "id": fo_id(2),
            "newLocationId": gid("Location", MAIN),
            "fulfillmentOrderLineItems": [{"id": line_id(2), "quantity": 2}],
            "from_location": "East",
        },
    )


def test_cross_location_without_move_stops_naming_both_locations():
    east = fo(1, EAST, [fo_line(1, ITEM_A, 2)], actions=["CREATE_FULFILLMENT"])
    plan = plan_push([{"line_item_id": ITEM_A, "quantity": 2}], [east], MAIN, NAMES)
    assert plan.kind == "stop"
    assert [(n.code, n.values["left"], n.values["others"]) for n in plan.reason] == [
        ("push.cannot_move", 2, "East")
    ]
    assert notes.render(plan.reason) == (
        "2 of SKU ANVIL needed at Main but open at East, which cannot be moved"
    )


def test_a_stop_is_translated_with_its_label():
    east = fo(1, EAST, [fo_line(1, ITEM_A, 2)], actions=["CREATE_FULFILLMENT"])
    plan = plan_push([{"line_item_id": "77", "quantity": 1}], [east], MAIN)
    assert plan.reason[0].code == "push.not_on_order"

    def translate(source, **values):
        return ("<" + source + ">") % values

    assert notes.render(plan.reason, translate) == "<<line item 77> is not on this Shopify order>"


def test_held_waits_and_names_the_hold_reason():
    held = fo(1, MAIN, [fo_line(1, ITEM_A, 2)], status="ON_HOLD", holds=["AWAITING_PAYMENT"])
    plan = plan_push([{"line_item_id": ITEM_A, "quantity": 2}], [held], MAIN)
    assert plan.kind == "wait"
    assert "AWAITING_PAYMENT" in notes.render(plan.reason)
    assert plan.held[0]["quantity"] == 2
    assert plan.held[0]["fulfillment_order_id"] == fo_id(1)


def test_hold_reason_is_a_note_or_nothing():
    held = fo(1, MAIN, [], status="ON_HOLD", holds=["AWAITING_PAYMENT", "OTHER"])
    held["fulfillmentHolds"][1]["reasonNotes"] = "call first"
    assert hold_reason(held).code == "push.on_hold"
    assert str(hold_reason(held)) == "on hold: AWAITING_PAYMENT, OTHER (call first)"
    assert str(hold_reason(fo(1, MAIN, [], status="ON_HOLD"))) == "on hold: no reason given"
    assert hold_reason(fo(1, MAIN, [], status="SCHEDULED")).code == "push.scheduled"
    assert hold_reason(fo(1, MAIN, [])) == ""


def test_partly_held_fulfils_now_and_reports_the_rest():
    fos = [
        fo(1, MAIN, [fo_line(1, ITEM_A, 1)]),
        fo(2, MAIN, [fo_line(2, ITEM_A, 2)], status="SCHEDULED"),
    ]
    plan = plan_push([{"line_item_id": ITEM_A, "quantity": 3}], fos, MAIN)
    assert plan.kind == "fulfill"
    assert plan.fulfillment_input["lineItemsByFulfillmentOrder"] == [group(1, (1, 1))]
    assert [(h["line_item_id"], h["quantity"]) for h in plan.held] == [(ITEM_A, 2)]
    assert "scheduled" in str(plan.held[0]["reason"])


def test_open_quantity_here_goes_before_held_and_movable():
    fos = [
        fo(1, MAIN, [fo_line(1, ITEM_A, 2)], status="ON_HOLD", holds=["OTHER"]),
        fo(2, EAST, [fo_line(2, ITEM_A, 2)]),
        fo(3, MAIN, [fo_line(3, ITEM_A, 2)]),
    ]
    plan = plan_push([{"line_item_id": ITEM_A, "quantity": 2}], fos, MAIN)
    assert plan.kind == "fulfill"
    assert plan.fulfillment_input["lineItemsByFulfillmentOrder"] == [group(3, (3, 2))]
    assert plan.held == ()


def test_move_goes_before_held():
    fos = [
        fo(1, MAIN, [fo_line(1, ITEM_A, 2)], status="ON_HOLD", holds=["OTHER"]),
        fo(2, EAST, [fo_line(2, ITEM_A, 2)]),
    ]
    plan = plan_push([{"line_item_id": ITEM_A, "quantity": 2}], fos, MAIN)
    assert plan.kind == "move"
    assert plan.moves[0]["fulfillmentOrderLineItems"] == [{"id": line_id(2), "quantity": 2}]
    assert plan.held == ()


def test_fulfillment_service_stops():
    tpl = fo(1, TPL, [fo_line(1, ITEM_A, 2)], actions=["REQUEST_FULFILLMENT"], service=True)
    plan = plan_push([{"line_item_id": ITEM_A, "quantity": 2}], [tpl], MAIN)
    assert plan.kind == "stop"
    assert "fulfillment service Speedy 3PL" in notes.render(plan.reason)


def test_non_whole_quantity_stops():
    plan = plan_push(
        [{"line_item_id": ITEM_A, "quantity": 2.5}], [fo(1, MAIN, [fo_line(1, ITEM_A, 3)])], MAIN
    )
    assert plan.kind == "stop"
    assert notes.render(plan.reason) == "2.5 of SKU ANVIL is not a whole number of Shopify units"


def test_float_noise_is_a_whole_number():
    plan = plan_push(
        [{"line_item_id": ITEM_A, "quantity": 2.0000000001}],
        [fo(1, MAIN, [fo_line(1, ITEM_A, 3)])],
        MAIN,
    )
    assert plan.fulfillment_input["lineItemsByFulfillmentOrder"] == [group(1, (1, 2))]


def test_over_shipment_stops_with_both_numbers():
    plan = plan_push(
        [{"line_item_id": ITEM_A, "quantity": 5}], [fo(1, MAIN, [fo_line(1, ITEM_A, 3)])], MAIN
    )
    assert plan.kind == "stop"
    assert notes.render(plan.reason) == "SKU ANVIL: 5 shipped but Shopify has only 3 open"


def test_unknown_line_item_stops():
    unknown = str(BIG + 1999)
    plan = plan_push(
        [{"line_item_id": unknown, "quantity": 1}], [fo(1, MAIN, [fo_line(1, ITEM_A, 3)])], MAIN
    )
    assert plan.kind == "stop"
    assert unknown in notes.render(plan.reason)


def test_everything_already_fulfilled_is_nothing():
    closed = fo(1, MAIN, [fo_line(1, ITEM_A, 0, total=3)], status="CLOSED")
    plan = plan_push([{"line_item_id": ITEM_A, "quantity": 3}], [closed], MAIN)
    assert plan.kind == "nothing"
    assert plan.fulfillment_input is None


def test_one_line_fulfilled_another_open_stops():
    fos = [
        fo(1, MAIN, [fo_line(1, ITEM_A, 0, total=3)], status="CLOSED"),
        fo(2, MAIN, [fo_line(2, ITEM_B, 1)]),
    ]
    lines = [{"line_item_id": ITEM_A, "quantity": 3}, {"line_item_id": ITEM_B, "quantity": 1}]
    plan = plan_push(lines, fos, MAIN)
    assert plan.kind == "stop"
    assert "SKU ANVIL: 3 shipped but Shopify has 0 open" in notes.render(plan.reason)


def fulfillment(n, location, pairs, status="SUCCESS"):
    return {
        "id": gid("Fulfillment", BIG + 5000 + n),
        "status": status,
        "location": {"id": gid("Location", location), "legacyResourceId": location},
        "fulfillmentLineItems": {
            "nodes": [{"quantity": q, "lineItem": {"id": gid("LineItem", i)}} for i, q in pairs]
        },
        "trackingInfo": [],
    }


LINES = [{"line_item_id": ITEM_A, "quantity": 2.0}, {"line_item_id": ITEM_B, "quantity": 1.0}]
LINES_PAIRS = [(ITEM_A, 2), (ITEM_B, 1)]


def test_match_existing_exact():
    wanted = fulfillment(2, MAIN, [(ITEM_B, 1), (ITEM_A, 2)])
    other = fulfillment(1, MAIN, [(ITEM_A, 1)])
    assert match_existing(LINES, [other, wanted], MAIN) is wanted


def test_match_existing_other_quantities_or_location():
    found = [fulfillment(1, MAIN, [(ITEM_A, 1), (ITEM_B, 1)]), fulfillment(2, EAST, LINES_PAIRS)]
    assert match_existing(LINES, found, MAIN) is None


def test_match_existing_excluded_and_ambiguous():
    first, second = fulfillment(1, MAIN, LINES_PAIRS), fulfillment(2, MAIN, LINES_PAIRS)
    assert match_existing(LINES, [first, second], MAIN) is None
    excluded = gid("Fulfillment", BIG + 5001)
    assert match_existing(LINES, [first, second], MAIN, exclude_ids=[excluded]) is second


def test_match_existing_ignores_cancelled():
    cancelled = fulfillment(1, MAIN, LINES_PAIRS, status="CANCELLED")
    assert match_existing(LINES, [cancelled], MAIN) is None
    live = fulfillment(2, MAIN, LINES_PAIRS)
    assert match_existing(LINES, [cancelled, live], MAIN) is live


def test_snapshot_reads_each_fulfillment_once_and_keeps_a_vanished_one_as_listed():
    reads = []
    with_lines = {"gid://shopify/Fulfillment/1": {"id": "gid://shopify/Fulfillment/1", "n": 1}}

    def read(fulfillment_id):
        reads.append(fulfillment_id)
        return with_lines.get(fulfillment_id)

    snapshot = OrderSnapshot("gid://shopify/Order/9", [], [])
    listed = [{"id": "gid://shopify/Fulfillment/1"}, {"id": "gid://shopify/Fulfillment/2"}]
    first = snapshot.detailed(listed, read)
    again = snapshot.detailed(listed[:1], read)
    assert first == [with_lines["gid://shopify/Fulfillment/1"], listed[1]]
    assert again == first[:1]
    assert reads == ["gid://shopify/Fulfillment/1", "gid://shopify/Fulfillment/2"]
