"""The edit planner: Shopify's current quantities onto the sale lines."""

from synco_shopify.planning.edits import (
    added_order,
    differs,
    plan_edit,
    progress,
    to_ship_target,
)

ITEM_A = "gid://shopify/LineItem/11"
ITEM_B = "gid://shopify/LineItem/12"


def line(key, item, quantity, committed=0, where=()):
    return {
        "key": key,
        "line_item_id": item.rsplit("/", 1)[-1],
        "quantity": quantity,
        "committed": committed,
        "label": f"SKU{key}",
        "where": list(where),
    }


def item(gid, current, quantity=None):
    return {"id": gid, "quantity": quantity or current, "currentQuantity": current}


def test_unchanged_quantities_plan_nothing():
    assert plan_edit([line(1, ITEM_A, 2)], [item(ITEM_A, 2)]).empty


def test_lower_and_zero_quantities_set_the_lines():
    plan = plan_edit(
        [line(1, ITEM_A, 3), line(2, ITEM_B, 2)], [item(ITEM_A, 1, 3), item(ITEM_B, 0)]
    )
    assert plan.quantities == {1: 1, 2: 0}
    assert not plan.blocked


def test_lower_takes_from_the_newest_split_line_first_down_to_its_picked_units():
    lines = [line(1, ITEM_A, 2), line(2, ITEM_A, 2, committed=1, where=["EST/OUT/1"])]
    plan = plan_edit(lines, [item(ITEM_A, 2, 4)])
    assert plan.quantities == {2: 1, 1: 1}


def test_picked_or_shipped_units_beyond_the_new_quantity_block_and_are_named():
    lines = [line(1, ITEM_A, 3, committed=2, where=["WH/OUT/7"])]
    plan = plan_edit(lines, [item(ITEM_A, 1, 3)])
    assert [(n.code, n.values) for n in plan.blocked] == [
        ("edits.blocked", {"label": "SKU1", "target": 1, "committed": 2, "where": "WH/OUT/7"})
    ]
    assert str(plan.blocked[0]) == (
        "SKU1: Shopify now has 1, but 2 are already picked or shipped in Odoo (WH/OUT/7)"
    )


def test_higher_quantity_goes_onto_the_newest_line_and_new_items_are_added():
    plan = plan_edit([line(1, ITEM_A, 1)], [item(ITEM_A, 3, 1), item(ITEM_B, 2)])
    assert plan.quantities == {1: 3}
    assert [a["id"] for a in plan.added] == [ITEM_B]
    assert added_order({"id": "o"}, plan.added)["lineItems"]["nodes"][0]["quantity"] == 2


def test_an_added_then_removed_item_is_not_added():
    assert plan_edit([line(1, ITEM_A, 1)], [item(ITEM_A, 1), item(ITEM_B, 0, 2)]).empty


def test_differs_reads_webhook_current_quantities():
    lines = [line(1, ITEM_A, 2)]
    assert not differs(lines, [{"id": 11, "quantity": 2, "current_quantity": 2}])
    assert differs(lines, [{"id": 11, "quantity": 2, "current_quantity": 1}])
    assert differs(lines, [{"id": 12, "quantity": 1, "current_quantity": 1}])


def fo(status, *rows):
    """A fulfillment order node; ``rows``: (line item gid, total, remaining)."""
    return {
        "status": status,
        "lineItems": {
            "nodes": [
                {"totalQuantity": total, "remainingQuantity": left, "lineItem": {"id": gid}}
                for gid, total, left in rows
            ]
        },
    }


def test_progress_counts_fulfilled_units_and_the_open_ones_of_live_orders_only():
    fos = [
        fo("CLOSED", (ITEM_A, 2, 0)),
        fo("IN_PROGRESS", (ITEM_A, 3, 1), (ITEM_B, 1, 1)),
        fo("CANCELLED", (ITEM_B, 4, 0)),
        fo("INCOMPLETE", (ITEM_B, 2, 2)),
    ]
    assert progress(fos) == {"11": (4, 1), "12": (0, 1)}


def test_refund_of_shipped_units_keeps_them_on_the_line_and_plans_nothing():
    # 2 ordered, 2 shipped in both systems, 1 refunded after shipping.
    lines = [line(1, ITEM_A, 2, committed=2, where=["WH/OUT/1"])]
    shipping = progress([fo("CLOSED", (ITEM_A, 2, 0))])
    assert to_ship_target(1, *shipping["11"]) == 2
    plan = plan_edit(lines, [item(ITEM_A, 1, 2)], shipping)
    assert plan.empty
    # Without the fulfillment orders it would read as an edit Odoo cannot follow.
    assert plan_edit(lines, [item(ITEM_A, 1, 2)]).blocked


def test_refund_of_unshipped_units_is_still_an_edit():
    lines = [line(1, ITEM_A, 3)]
    shipping = progress([fo("OPEN", (ITEM_A, 1, 1))])  # 2 cancelled off the order
    assert plan_edit(lines, [item(ITEM_A, 1, 3)], shipping).quantities == {1: 1}


def test_refund_of_part_of_a_partly_shipped_line_follows_only_the_unshipped_part():
    # 3 ordered, 2 shipped, 1 open; refunded: the open one and one shipped.
    lines = [line(1, ITEM_A, 3, committed=2, where=["WH/OUT/1"])]
    shipping = progress([fo("CLOSED", (ITEM_A, 2, 0))])
    plan = plan_edit(lines, [item(ITEM_A, 1, 3)], shipping)
    assert plan.quantities == {1: 2}
    assert not plan.blocked
    assert plan.changes == [("SKU1", 3, 2)]


def test_a_lowering_beyond_the_shipped_refunds_that_reaches_picked_units_still_blocks():
    # 3 ordered, 1 shipped in Shopify, Odoo has picked all 3; 2 open units refunded.
    lines = [line(1, ITEM_A, 3, committed=3, where=["WH/OUT/1"])]
    shipping = progress([fo("IN_PROGRESS", (ITEM_A, 1, 0))])
    plan = plan_edit(lines, [item(ITEM_A, 1, 3)], shipping)
    assert [n.values["target"] for n in plan.blocked] == [1]


def test_the_target_never_adds_back_more_than_the_fulfilled_units():
    assert to_ship_target(1, 0, 3) == 1  # open units beyond current: nothing was shipped
    assert to_ship_target(0, 2, 0) == 2  # all refunded after shipping
    assert to_ship_target(2, 1, 0) == 2  # fewer fulfilled and open than current


def _payload(fulfilled=0, refunds=()):
    fulfillments = [{"status": "success", "line_items": [{"id": 11, "quantity": fulfilled}]}]
    fulfillments.append({"status": "cancelled", "line_items": [{"id": 11, "quantity": 5}]})
    return fulfillments, [
        {"refund_line_items": [{"line_item_id": 11, "quantity": q, "restock_type": t}]}
        for q, t in refunds
    ]


def test_differs_leaves_alone_what_the_payload_proves_was_refunded_after_shipping():
    lines = [line(1, ITEM_A, 2, committed=2)]
    now = [{"id": 11, "quantity": 2, "current_quantity": 1}]
    fulfillments, refunds = _payload(2, [(1, "no_restock")])
    assert not differs(lines, now, fulfillments, refunds)
    fulfillments, refunds = _payload(2, [(1, "return")])
    assert not differs(lines, now, fulfillments, refunds)
    # A cancel is an unshipped unit; nothing shipped proves nothing.
    assert differs(lines, now, *_payload(2, [(1, "cancel")]))
    assert differs(lines, now, *_payload(0, [(1, "no_restock")]))
    assert differs(lines, now)


def test_differs_when_the_payload_cannot_tell_shipped_from_unshipped_refunds():
    # 3 ordered, 1 shipped, 1 refunded without restock: which unit is unknown.
    lines = [line(1, ITEM_A, 3)]
    now = [{"id": 11, "quantity": 3, "current_quantity": 2}]
    assert differs(lines, now, *_payload(1, [(1, "no_restock")]))
