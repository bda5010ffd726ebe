"""The edit planner: Shopify's current quantities onto the sale lines."""

from synco_shopify.planning.edits import added_order, differs, plan_edit

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
