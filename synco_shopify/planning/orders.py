"""A Shopify order as the values of an Odoo sale order ("Orders in").

Odoo keeps a discount percent per line where Shopify keeps discount amounts,
and one warehouse per line where a Shopify line can be split over locations.
So each Shopify line becomes one plan line per warehouse holding it, with a
percent precise enough that Odoo's line total equals Shopify's to the cent.
Amounts are ``Decimal`` (Shopify sends strings; floats would lose cents);
tax rates are floats (Shopify's ``TaxLine.rate``, e.g. 0.0825).
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from ..shopify.ids import legacy_id
from . import notes
from .edits import current_quantity
from .notes import _lt, note

CENT = Decimal("0.01")
# Ten decimals of a percent keep any line below 10**8 exact to the cent.
DISCOUNT_PRECISION = Decimal("1e-10")
HUNDRED = Decimal(100)

TEXTS = notes.register(
    {
        "orders.test": _lt("test order"),
        "orders.cancelled": _lt("cancelled order"),
        "orders.unmapped_locations": _lt(
            "fulfillment orders at unmapped Shopify locations: %(locations)s"
        ),
        "orders.no_sku": _lt("(no SKU) %(name)s"),
    }
)


@dataclass(frozen=True)
class OrderLine:
    line_item_id: str  # legacy id; repeated when a line is split over warehouses
    product: object  # the caller's product key
    name: str
    sku: str
    quantity: int
    price_unit: Decimal
    discount: Decimal  # percent, DISCOUNT_PRECISION places
    tax_rates: tuple  # floats
    warehouse: object  # the caller's warehouse key, None when no FO holds the line
    shipped_before: int = 0  # units Shopify fulfilled before the import (``remaining``)


@dataclass(frozen=True)
class ShippingLine:
    title: str
    code: str
    price: Decimal
    tax_rates: tuple


@dataclass
class OrderPlan:
    order_id: str
    name: str
    currency: str
    taxes_included: bool
    email: str
    shipping_address: dict | None
    lines: list = field(default_factory=list)
    shipping: list = field(default_factory=list)
    tax_total: Decimal = Decimal(0)  # Shopify's tax amounts, lines and shipping
    skip_reason: notes.Note | None = None  # set: create nothing, by design
    # Non-empty: create nothing, a person maps products. SKUs or barcodes,
    # a Note for a line that has neither.
    unmatched_skus: tuple = ()

    @property
    def ok(self):
        return not self.skip_reason and not self.unmatched_skus


def plan_order(order, products, locations, discount_digits=None, remaining=False):
    """The sale order values for the GraphQL ``order``. ``products`` maps
    {"sku": {sku: key}, "barcode": {barcode: key}}; ``locations`` maps legacy
    location id -> warehouse key (unmapped ones absent); ``discount_digits``
    is how many decimals the caller keeps of a discount percent (see
    ``discount_percent``). ``remaining``: the lines hold only what the
    fulfillment orders have left to ship (an order partly fulfilled in
    Shopify before the shop went live); each line says in
    ``shipped_before`` how many units that leaves out, and its discount
    stays the line's per-unit discount. The caller creates nothing unless
    ``plan.ok``."""
    locations = {legacy_id(k): v for k, v in locations.items()}
    customer = order.get("customer") or {}
    plan = OrderPlan(
        order_id=legacy_id(order["id"]),
        name=order.get("name") or "",
        currency=order.get("currencyCode") or "",
        taxes_included=bool(order.get("taxesIncluded")),
        email=order.get("email") or customer.get("email") or "",
        shipping_address=order.get("shippingAddress"),
        skip_reason=_skip_reason(order, locations),
    )
    split = _split(order, locations, "remainingQuantity" if remaining else "totalQuantity")
    unmatched = set()
    for item in _nodes(order.get("lineItems")):
        if not current_quantity(item):
            continue  # removed by an edit or refunded before the import
        product, label = _match_product(item, products)
        if product is None:
            unmatched.add(label)
            continue
        parts = split.get(legacy_id(item["id"]), [])
        plan.lines += _plan_lines(item, product, parts, discount_digits, remaining)
        plan.tax_total += _tax_amount(item)
    for ship in _nodes(order.get("shippingLines")):
        plan.shipping.append(_shipping_line(ship))
        plan.tax_total += _tax_amount(ship)
    plan.unmatched_skus = tuple(sorted(unmatched, key=str))
    return plan


def _skip_reason(order, locations):
    """Why the order must not become a sale order (a Note), or None."""
    if order.get("test"):
        return note("orders.test")
    if order.get("cancelledAt"):
        return note("orders.cancelled")
    unmapped = {loc for fo in _live_fos(order) if (loc := _fo_location(fo)) not in locations}
    if unmapped:
        ids = ", ".join(sorted(unmapped, key=lambda x: (len(x), x)))
        return note("orders.unmapped_locations", locations=ids)
    return None


def _split(order, locations, quantity_field="totalQuantity"):
    """Per line item id: [(warehouse key, quantity)] over the live FOs,
    merged per warehouse, in FO id order."""
    split = {}
    fos = sorted(_live_fos(order), key=lambda fo: int(legacy_id(fo["id"])))
    for fo in fos:
        warehouse = locations.get(_fo_location(fo))
        for node in _nodes(fo.get("lineItems")):
            parts = split.setdefault(legacy_id(node["lineItem"]["id"]), {})
            parts[warehouse] = parts.get(warehouse, 0) + int(node.get(quantity_field) or 0)
    return {item: [(w, q) for w, q in parts.items() if q] for item, parts in split.items()}


def _match_product(item, products):
    """(product key, None) by variant SKU, line SKU, then variant barcode;
    (None, label for the merchant) when none matches."""
    variant = item.get("variant") or {}
    keys = [
        ("sku", variant.get("sku")),
        ("sku", item.get("sku")),
        ("barcode", variant.get("barcode")),
    ]
    for kind, value in keys:
        if value and value in (products.get(kind) or {}):
            return products[kind][value], None
    label = next((v for _, v in keys if v), None)
    return None, label or note("orders.no_sku", name=item.get("name") or legacy_id(item["id"]))


def _plan_lines(item, product, parts, discount_digits=None, remaining=False):
    """One OrderLine per warehouse part; the line's discount is shared out
    in whole cents so that each part's total is exact. ``remaining``: the
    parts are what is left to ship, the rest shipped before."""
    quantity = current_quantity(item)
    before = 0
    if remaining:
        left = min(sum(q for _, q in parts), quantity)
        before = quantity - left
        if not left:
            parts = [(None, 0)]
        quantity = left
    if sum(q for _, q in parts) != quantity:
        parts = [(parts[0][0] if parts else None, quantity)]
    price = _money(item.get("originalUnitPriceSet"))
    discount = sum(
        (_money(a.get("allocatedAmountSet")) for a in item.get("discountAllocations") or ()),
        Decimal(0),
    )
    # What shipped before takes its share of the discount, left out here.
    shares = split_amount(discount, [q for _, q in parts] + [before])[: len(parts)]
    rates = _rates(item)
    return [
        OrderLine(
            line_item_id=legacy_id(item["id"]),
            product=product,
            name=item.get("name") or "",
            sku=(item.get("variant") or {}).get("sku") or item.get("sku") or "",
            quantity=q,
            price_unit=price,
            discount=discount_percent(share, q * price, discount_digits),
            tax_rates=rates,
            warehouse=warehouse,
            shipped_before=before if i == 0 else 0,
        )
        for i, ((warehouse, q), share) in enumerate(zip(parts, shares, strict=True))
    ]


def _shipping_line(ship):
    return ShippingLine(
        title=ship.get("title") or "",
        code=ship.get("code") or "",
        # What the customer paid: after shipping discounts when Shopify says.
        price=_money(ship.get("discountedPriceSet") or ship.get("originalPriceSet")),
        tax_rates=_rates(ship),
    )


def split_amount(amount, weights):
    """``amount`` shared out over ``weights`` in its smallest unit (the cent,
    or finer when Shopify sends more decimals); the parts add up exactly and
    the leftover units go to the first parts."""
    total = sum(weights)
    if not total:
        return [Decimal(0) for _ in weights]
    unit = min(CENT, Decimal(1).scaleb(amount.as_tuple().exponent))
    units = int(amount / unit)
    shares = [units * w // total for w in weights]
    for i in range(units - sum(shares)):
        shares[i % len(shares)] += 1
    return [s * unit for s in shares]


def discount_percent(discount, subtotal, digits=None):
    """The percent that takes ``subtotal`` down by ``discount``: with
    ``DISCOUNT_PRECISION`` places, or, when the caller keeps only ``digits``
    decimals, the shortest percent that still lands on the cent (10 rather
    than 9.9999999999), falling back to ``digits`` places."""
    if not subtotal or not discount:
        return Decimal(0)
    exact = discount * HUNDRED / subtotal
    if digits is None:
        return exact.quantize(DISCOUNT_PRECISION, ROUND_DOWN)
    target = (subtotal - discount).quantize(CENT, ROUND_HALF_UP)
    for places in range(0, digits + 1):
        percent = exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        if (subtotal * (1 - percent / HUNDRED)).quantize(CENT, ROUND_HALF_UP) == target:
            return percent
    return exact.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def line_total(line):
    """What Odoo computes for ``line`` before tax, rounded to the cent."""
    gross = line.quantity * line.price_unit * (1 - line.discount / HUNDRED)
    return gross.quantize(CENT, ROUND_HALF_UP)


def plan_total(plan):
    """Lines and shipping; with tax on top unless prices include it."""
    total = sum((line_total(line) for line in plan.lines), Decimal(0))
    total += sum((s.price for s in plan.shipping), Decimal(0))
    return total if plan.taxes_included else total + plan.tax_total


def total_matches(plan, order_total):
    """Whether the plan adds up to Shopify's order total (its
    ``totalPriceSet`` amount) within a cent."""
    return abs(plan_total(plan) - Decimal(str(order_total))) <= CENT


def _rates(node):
    return tuple(float(t["rate"]) for t in node.get("taxLines") or () if t.get("rate") is not None)


def _tax_amount(node):
    return sum((_money(t.get("priceSet")) for t in node.get("taxLines") or ()), Decimal(0))


def money(money_set):
    """The shop-currency amount of a GraphQL MoneyBag, as a Decimal."""
    return _money(money_set)


def _money(money_set):
    amount = ((money_set or {}).get("shopMoney") or {}).get("amount")
    return Decimal(str(amount)) if amount is not None else Decimal(0)


def _live_fos(order):
    return [fo for fo in _nodes(order.get("fulfillmentOrders")) if fo.get("status") != "CANCELLED"]


def _fo_location(fo):
    location = (fo.get("assignedLocation") or {}).get("location") or {}
    if location.get("legacyResourceId"):
        return legacy_id(location["legacyResourceId"])
    return legacy_id(location["id"]) if location.get("id") else "unknown"


def _nodes(connection):
    if isinstance(connection, dict):
        return connection.get("nodes") or []
    return connection or []
