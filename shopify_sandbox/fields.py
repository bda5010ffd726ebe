"""Resolvers of the non-root object types that need more than an attribute read.

Money comes out as Shopify's MoneyBag (shop and presentment money, same
currency here); list-valued connections go through ``connection`` so that
``first``/``after`` behave as on Shopify.
"""

from __future__ import annotations

from decimal import Decimal

from .amounts import current_total, order_tax_lines, order_totals
from .resolvers import SCHEMA, _set, _tax_lines, bag, connection

for _type, _field, _attr in [
    ("Order", "lineItems", "line_items"),
    ("Order", "fulfillmentOrders", "fulfillment_orders"),
    ("FulfillmentOrder", "lineItems", "lines"),
    ("Fulfillment", "fulfillmentLineItems", "lines"),
    ("Fulfillment", "fulfillmentOrders", "fulfillment_orders"),
]:
    SCHEMA.type_map[_type].fields[_field].resolve = lambda obj, _info, _a=_attr, **args: connection(
        getattr(obj, _a), **args
    )


@_set("Location", "fulfillsOnlineOrders")
def _fulfills_online(loc, _info):
    return loc.is_active


@_set("Location", "fulfillmentService")
def _fulfillment_service(loc, _info):
    if not loc.is_3pl:
        return None
    handle = loc.fulfillment_service_handle
    return {
        "id": f"gid://shopify/FulfillmentService/{loc.num}",
        "handle": handle,
        "serviceName": handle.replace("-", " ").title(),
        "location": loc,
    }


@_set("Order", "fulfillments")
def _order_fulfillments(order, _info, first=None):
    return order.fulfillments[:first] if first is not None else order.fulfillments


@_set("Order", "displayFinancialStatus")
def _financial(order, _info):
    return order.financial_status


@_set("Order", "shippingLines")
def _shipping_lines(order, _info, includeRemovals=False, **args):
    cur = order.currency_code
    lines = [
        {
            "num": s["num"],
            "id": f"gid://shopify/ShippingLine/{s['num']}",
            "title": s["title"],
            "code": s["code"],
            "originalPriceSet": bag(s["price"], cur),
            "discountedPriceSet": bag(s["price"], cur),
            "taxLines": _tax_lines(s["tax_lines"], cur),
        }
        for s in order.shipping_lines
    ]
    return connection(lines, **args)


@_set("Order", "taxLines")
def _order_tax_lines(order, _info):
    return _tax_lines(order_tax_lines(order), order.currency_code)


for _field, _key in [
    ("subtotalPriceSet", "subtotal"),
    ("totalShippingPriceSet", "shipping"),
    ("totalTaxSet", "tax"),
    ("totalPriceSet", "total"),
]:
    SCHEMA.type_map["Order"].fields[_field].resolve = lambda order, _info, _k=_key: bag(
        order_totals(order)[_k], order.currency_code
    )


@_set("Order", "currentTotalPriceSet")
def _current_total(order, _info):
    return bag(current_total(order), order.currency_code)


@_set("Order", "shippingAddress")
def _shipping_address(order, _info):
    return _mailing_address(order.shipping_address)


@_set("Order", "billingAddress")
def _billing_address(order, _info):
    """The billing address given, else, like a checkout that bills where it
    ships, the shipping address under the customer's name."""
    if order.billing_address:
        return _mailing_address(order.billing_address)
    if not order.shipping_address:
        return None
    names = {k: (order.customer or {}).get(k) for k in ("first_name", "last_name")}
    if not any(names.values()):
        return _mailing_address(order.shipping_address)
    full = " ".join(v for v in names.values() if v)
    return _mailing_address({**order.shipping_address, **names, "name": full})


def _mailing_address(a):
    if not a:
        return None
    return {
        "name": a.get("name"),
        "firstName": a.get("first_name"),
        "lastName": a.get("last_name"),
        "company": a.get("company"),
        "address1": a.get("address1"),
        "address2": a.get("address2"),
        "city": a.get("city"),
        "zip": a.get("zip"),
        "provinceCode": a.get("province_code"),
        "countryCodeV2": a.get("country_code"),
        "phone": a.get("phone"),
    }


@_set("Order", "customer")
def _customer(order, _info):
    c = order.customer
    if not c:
        return None
    return {
        "id": f"gid://shopify/Customer/{c['num']}",
        "email": c.get("email"),
        "firstName": c.get("first_name"),
        "lastName": c.get("last_name"),
    }


@_set("LineItem", "originalUnitPriceSet")
def _unit_price(li, _info):
    return bag(li.price, li.order.currency_code)


@_set("LineItem", "discountedUnitPriceSet")
def _discounted_price(li, _info):
    discount = sum((Decimal(d["amount"]) for d in li.discount_allocations), Decimal(0))
    unit = (Decimal(li.price) - discount / li.quantity).quantize(Decimal("0.01"))
    return bag(unit, li.order.currency_code)


@_set("LineItem", "discountAllocations")
def _discounts(li, _info):
    return [
        {"allocatedAmountSet": bag(d["amount"], li.order.currency_code)}
        for d in li.discount_allocations
    ]


@_set("LineItem", "taxLines")
def _li_tax_lines(li, _info, first=None):
    return _tax_lines(li.tax_lines, li.order.currency_code)[:first]


@_set("LineItem", "currentQuantity")
def _current_quantity(li, _info):
    return li.current_quantity


@_set("LineItem", "requiresShipping")
def _requires_shipping(_li, _info):
    return True


@_set("FulfillmentOrder", "orderId")
def _order_id(fo, _info):
    return fo.order.id


@_set("FulfillmentOrder", "assignedLocation")
def _assigned_location(fo, _info):
    return {"name": fo.location.name, "location": fo.location}


@_set("FulfillmentOrder", "supportedActions")
def _supported_actions(fo, info):
    return [{"action": a, "externalUrl": None} for a in info.context.supported_actions(fo)]


@_set("FulfillmentOrder", "fulfillmentHolds")
def _holds(fo, _info):
    return [
        {
            "id": f"gid://shopify/FulfillmentHold/{h['num']}",
            "reason": h["reason"],
            "reasonNotes": h.get("reason_notes"),
        }
        for h in fo.holds
    ]


@_set("FulfillmentOrder", "fulfillments")
def _fo_fulfillments(fo, _info, **args):
    return connection([f for f in fo.order.fulfillments if fo in f.fulfillment_orders], **args)


@_set("FulfillmentOrderLineItem", "variant")
def _fo_line_variant(line, _info):
    return line.line_item.variant


@_set("Fulfillment", "trackingInfo")
def _tracking_info(f, _info, first=None):
    return f.tracking[:first] if first is not None else f.tracking


@_set("WebhookSubscription", "includeFields")
def _include_fields(_sub, _info):
    return []
