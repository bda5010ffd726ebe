"""plan_order on GraphQL-shaped orders: products, prices, discounts, warehouses."""

from decimal import Decimal

from synco_shopify.planning.orders import (
    discount_percent,
    line_total,
    plan_order,
    plan_total,
    split_amount,
    total_matches,
)

BIG = 2**53
MAIN, EAST = str(BIG + 4001), str(BIG + 4002)
LOCATIONS = {MAIN: "wh-main", EAST: "wh-east"}
PRODUCTS = {"sku": {"ANVIL": 7, "SKATES": 8}, "barcode": {"4006381333931": 9}}
ITEM_A, ITEM_B = BIG + 1101, BIG + 1102


def gid(kind, number):
    return f"gid://shopify/{kind}/{number}"


def money(amount):
    return {"shopMoney": {"amount": amount}}


def line(item, sku, quantity, price, discounts=(), taxes=(), barcode=None):
    return {
        "id": gid("LineItem", item),
        "sku": sku,
        "name": f"Product {sku}",
        "quantity": quantity,
        "variant": {"id": gid("ProductVariant", item + 100), "sku": sku, "barcode": barcode},
        "originalUnitPriceSet": money(price),
        "discountAllocations": [{"allocatedAmountSet": money(d)} for d in discounts],
        "taxLines": [{"rate": r, "title": "Tax", "priceSet": money(a)} for r, a in taxes],
    }


def fo(n, location, pairs, status="OPEN"):
    return {
        "id": gid("FulfillmentOrder", BIG + 2000 + n),
        "status": status,
        "assignedLocation": {
            "location": {"id": gid("Location", location), "legacyResourceId": location}
        },
        "lineItems": {
            "nodes": [
                {
                    "id": gid("FulfillmentOrderLineItem", BIG + 3000 + n * 10 + i),
                    "totalQuantity": q,
                    "remainingQuantity": q,
                    "lineItem": {"id": gid("LineItem", item)},
                }
                for i, (item, q) in enumerate(pairs)
            ]
        },
    }


def order(lines, fos, shipping=(), **extra):
    result = {
        "id": gid("Order", BIG + 9001),
        "name": "#1001",
        "email": "ada@example.com",
        "test": False,
        "cancelledAt": None,
        "currencyCode": "USD",
        "taxesIncluded": False,
        "lineItems": {"nodes": list(lines)},
        "shippingLines": {"nodes": list(shipping)},
        "fulfillmentOrders": {"nodes": list(fos)},
    }
    result.update(extra)
    return result


def test_single_line():
    plan = plan_order(
        order([line(ITEM_A, "ANVIL", 2, "50.00")], [fo(1, MAIN, [(ITEM_A, 2)])]),
        PRODUCTS,
        LOCATIONS,
    )
    assert plan.ok
    assert plan.order_id == str(BIG + 9001)
    [only] = plan.lines
    assert (only.line_item_id, only.product, only.quantity) == (str(ITEM_A), 7, 2)
    assert (only.price_unit, only.discount, only.warehouse) == (Decimal("50.00"), 0, "wh-main")
    assert line_total(only) == Decimal("100.00")


def test_discount_exact_to_the_cent():
    plan = plan_order(
        order(
            [line(ITEM_A, "ANVIL", 3, "19.99", discounts=["3.00", "2.00"])],
            [fo(1, MAIN, [(ITEM_A, 3)])],
        ),
        PRODUCTS,
        LOCATIONS,
    )
    [only] = plan.lines
    assert Decimal("8.337") < only.discount < Decimal("8.338")
    assert line_total(only) == Decimal("54.97")


def test_discount_percent_holds_for_awkward_amounts():
    for quantity, price, discount in [
        (7, "123.45", "17.33"),
        (1, "9999.99", "0.01"),
        (13, "0.07", "0.05"),
    ]:
        subtotal = quantity * Decimal(price)
        percent = discount_percent(Decimal(discount), subtotal)
        got = (subtotal * (1 - percent / 100)).quantize(Decimal("0.01"))
        assert got == subtotal - Decimal(discount), (quantity, price, discount)


def test_tax_excluded_adds_tax_on_top():
    taxed = line(ITEM_A, "ANVIL", 2, "50.00", taxes=[(0.0825, "8.25")])
    plan = plan_order(order([taxed], [fo(1, MAIN, [(ITEM_A, 2)])]), PRODUCTS, LOCATIONS)
    assert plan.lines[0].tax_rates == (0.0825,)
    assert plan.taxes_included is False
    assert plan_total(plan) == Decimal("108.25")
    assert total_matches(plan, "108.25")
    assert not total_matches(plan, "100.00")


def test_tax_included_keeps_the_price():
    taxed = line(ITEM_A, "ANVIL", 1, "119.00", taxes=[(0.19, "19.00"), (0.01, "1.00")])
    plan = plan_order(
        order([taxed], [fo(1, MAIN, [(ITEM_A, 1)])], taxesIncluded=True), PRODUCTS, LOCATIONS
    )
    assert plan.lines[0].tax_rates == (0.19, 0.01)
    assert plan.taxes_included is True
    assert plan_total(plan) == Decimal("119.00")
    assert total_matches(plan, "119.00")


def test_line_split_over_two_locations():
    discounted = line(ITEM_A, "ANVIL", 3, "19.99", discounts=["5.00"])
    fos = [fo(2, EAST, [(ITEM_A, 2)]), fo(1, MAIN, [(ITEM_A, 1)])]
    plan = plan_order(order([discounted], fos), PRODUCTS, LOCATIONS)
    assert [(pl.line_item_id, pl.warehouse, pl.quantity) for pl in plan.lines] == [
        (str(ITEM_A), "wh-main", 1),
        (str(ITEM_A), "wh-east", 2),
    ]
    assert [line_total(pl) for pl in plan.lines] == [Decimal("18.32"), Decimal("36.65")]
    assert total_matches(plan, "54.97")


def test_split_amount_adds_up():
    assert split_amount(Decimal("5.00"), [1, 2]) == [Decimal("1.67"), Decimal("3.33")]
    assert sum(split_amount(Decimal("0.10"), [1, 1, 1])) == Decimal("0.10")


def test_unmatched_skus_listed_sorted_and_unique():
    lines = [
        line(ITEM_A, "ZED-1", 1, "1.00"),
        line(ITEM_B, "ALPHA-2", 1, "1.00"),
        line(BIG + 1103, "ZED-1", 1, "1.00"),
        line(BIG + 1104, "SKATES", 1, "1.00"),
    ]
    fos = [fo(1, MAIN, [(ITEM_A, 1), (ITEM_B, 1), (BIG + 1103, 1), (BIG + 1104, 1)])]
    plan = plan_order(order(lines, fos), PRODUCTS, LOCATIONS)
    assert plan.unmatched_skus == ("ALPHA-2", "ZED-1")
    assert not plan.ok


def test_a_line_without_sku_or_barcode_is_named_by_its_title():
    nameless = dict(line(ITEM_A, "", 1, "1.00"), name="Gift wrap")
    plan = plan_order(order([nameless], [fo(1, MAIN, [(ITEM_A, 1)])]), PRODUCTS, LOCATIONS)
    (unmatched,) = plan.unmatched_skus
    assert (unmatched.code, unmatched.values) == ("orders.no_sku", {"name": "Gift wrap"})
    assert str(unmatched) == "(no SKU) Gift wrap"


def test_barcode_fallback():
    by_barcode = line(ITEM_A, "UNKNOWN-SKU", 1, "5.00", barcode="4006381333931")
    plan = plan_order(order([by_barcode], [fo(1, MAIN, [(ITEM_A, 1)])]), PRODUCTS, LOCATIONS)
    assert plan.unmatched_skus == ()
    assert plan.lines[0].product == 9


def test_test_order_skipped():
    plan = plan_order(
        order([line(ITEM_A, "ANVIL", 1, "1.00")], [fo(1, MAIN, [(ITEM_A, 1)])], test=True),
        PRODUCTS,
        LOCATIONS,
    )
    assert plan.skip_reason.code == "orders.test"
    assert str(plan.skip_reason) == "test order"
    assert not plan.ok


def test_unmapped_location_skipped_naming_it():
    elsewhere = str(BIG + 4999)
    fos = [fo(1, MAIN, [(ITEM_A, 1)]), fo(2, elsewhere, [(ITEM_A, 1)])]
    plan = plan_order(order([line(ITEM_A, "ANVIL", 2, "1.00")], fos), PRODUCTS, LOCATIONS)
    assert plan.skip_reason.code == "orders.unmapped_locations"
    assert plan.skip_reason.values == {"locations": elsewhere}


def test_cancelled_fo_at_unmapped_location_does_not_count():
    fos = [fo(1, MAIN, [(ITEM_A, 1)]), fo(2, str(BIG + 4999), [(ITEM_A, 1)], status="CANCELLED")]
    plan = plan_order(order([line(ITEM_A, "ANVIL", 1, "1.00")], fos), PRODUCTS, LOCATIONS)
    assert plan.ok
    assert [pl.warehouse for pl in plan.lines] == ["wh-main"]


def test_shipping_line():
    ship = {
        "title": "Standard",
        "code": "STANDARD",
        "originalPriceSet": money("4.90"),
        "taxLines": [{"rate": 0.0825, "title": "Tax", "priceSet": money("0.40")}],
    }
    plan = plan_order(
        order([line(ITEM_A, "ANVIL", 1, "10.00")], [fo(1, MAIN, [(ITEM_A, 1)])], shipping=[ship]),
        PRODUCTS,
        LOCATIONS,
    )
    [shipping] = plan.shipping
    assert (shipping.title, shipping.code, shipping.price) == (
        "Standard",
        "STANDARD",
        Decimal("4.90"),
    )
    assert shipping.tax_rates == (0.0825,)
    assert plan_total(plan) == Decimal("15.30")


def test_an_order_edited_before_its_import_plans_the_current_quantities():
    """Shopify's ``quantity`` stays what was first ordered; an edit or a
    refund before the import lowers ``currentQuantity`` and the fulfillment
    order lines. A line edited away (an unknown SKU among them) is left out."""
    lowered = dict(line(ITEM_A, "ANVIL", 3, "50.00"), currentQuantity=1)
    removed = dict(line(ITEM_B, "GONE", 2, "10.00"), currentQuantity=0)
    plan = plan_order(
        order([lowered, removed], [fo(1, MAIN, [(ITEM_A, 1)])]),
        PRODUCTS,
        LOCATIONS,
    )
    assert plan.ok, plan
    assert [(ln.line_item_id, ln.quantity, ln.warehouse) for ln in plan.lines] == [
        (str(ITEM_A), 1, "wh-main")
    ]


def _shipped(fo_node, item, left):
    """``fo_node`` with only ``left`` of line ``item`` remaining."""
    for node in fo_node["lineItems"]["nodes"]:
        if node["lineItem"]["id"] == gid("LineItem", item):
            node["remainingQuantity"] = left
    return fo_node


def test_remaining_plans_only_what_is_left_to_ship():
    # 3 anvils, one shipped before go-live, $3.00 off the line ($1 a unit).
    fos = [_shipped(fo(1, MAIN, [(ITEM_A, 3), (ITEM_B, 1)]), ITEM_A, 2)]
    lines = [line(ITEM_A, "ANVIL", 3, "10.00", discounts=["3.00"]), line(ITEM_B, "SKATES", 1, "5")]
    plan = plan_order(order(lines, fos), PRODUCTS, LOCATIONS, remaining=True)
    anvil, skates = plan.lines
    assert (anvil.quantity, anvil.shipped_before, anvil.warehouse) == (2, 1, "wh-main")
    assert line_total(anvil) == Decimal("18.00")
    assert (skates.quantity, skates.shipped_before) == (1, 0)
    whole = plan_order(order(lines, fos), PRODUCTS, LOCATIONS)
    assert [(p.quantity, p.shipped_before) for p in whole.lines] == [(3, 0), (1, 0)]


def test_remaining_keeps_a_wholly_shipped_line_at_zero():
    fos = [
        _shipped(fo(1, MAIN, [(ITEM_A, 2)]), ITEM_A, 0) | {"status": "CLOSED"},
        fo(2, EAST, [(ITEM_B, 1)]),
    ]
    lines = [line(ITEM_A, "ANVIL", 2, "10.00"), line(ITEM_B, "SKATES", 1, "5")]
    plan = plan_order(order(lines, fos), PRODUCTS, LOCATIONS, remaining=True)
    assert [(p.product, p.quantity, p.shipped_before) for p in plan.lines] == [
        (7, 0, 2),
        (8, 1, 0),
    ]
