"""JSON views of the store for the admin API, and the HTML status page.

Admin JSON carries both id forms: ``id`` (the gid) and ``legacy_id``
(the number, as a JSON integer above 2**53).
"""

from __future__ import annotations

import html

from . import returns


def location(loc) -> dict:
    return {
        "id": loc.id,
        "legacy_id": loc.num,
        "name": loc.name,
        "active": loc.is_active,
        "fulfillment_service": loc.fulfillment_service_handle,
    }


def product(p) -> dict:
    v = p.variants[0]
    return {
        "id": p.id,
        "legacy_id": p.num,
        "title": p.title,
        "variant_id": v.id,
        "variant_legacy_id": v.num,
        "sku": v.sku,
        "barcode": v.barcode,
        "price": v.price,
        "location_ids": sorted(f"gid://shopify/Location/{n}" for n in v.location_nums),
    }


def fulfillment_order(store, fo) -> dict:
    return {
        "id": fo.id,
        "legacy_id": fo.num,
        "status": fo.status,
        "request_status": fo.request_status,
        "delivery_method": fo.delivery_method,
        "prepared_for_pickup": fo.prepared_for_pickup,
        "location_id": fo.location.id,
        "location_name": fo.location.name,
        "supported_actions": store.supported_actions(fo),
        "holds": [
            {
                "id": f"gid://shopify/FulfillmentHold/{h['num']}",
                "reason": h["reason"],
                "reason_notes": h.get("reason_notes"),
            }
            for h in fo.holds
        ],
        "line_items": [
            {
                "id": line.id,
                "legacy_id": line.num,
                "line_item_id": line.line_item.id,
                "sku": line.sku,
                "total_quantity": line.total_quantity,
                "remaining_quantity": line.remaining_quantity,
            }
            for line in fo.lines
        ],
    }


def fulfillment(f) -> dict:
    return {
        "id": f.id,
        "legacy_id": f.num,
        "name": f.name,
        "status": f.status,
        "origin": f.origin,
        "order_id": f.order.id,
        "location_id": f.location.id if f.location else None,
        "tracking": list(f.tracking),
        "created_at": f.created_at,
        "updated_at": f.updated_at,
        "fulfillment_order_ids": [fo.id for fo in f.fulfillment_orders],
        "line_items": [
            {
                "id": fl.id,
                "line_item_id": fl.line_item.id,
                "sku": fl.line_item.sku,
                "quantity": fl.quantity,
            }
            for fl in f.lines
        ],
    }


def order(store, o) -> dict:
    return {
        "id": o.id,
        "legacy_id": o.num,
        "name": o.name,
        "email": o.email,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
        "cancelled_at": o.cancelled_at,
        "test": o.test,
        "currency": o.currency_code,
        "display_fulfillment_status": o.display_fulfillment_status,
        "line_items": [
            {
                "id": li.id,
                "legacy_id": li.num,
                "sku": li.sku,
                "title": li.title,
                "quantity": li.quantity,
                "current_quantity": li.current_quantity,
                "price": li.price,
                "variant_id": li.variant.id if li.variant else None,
                "fulfilled_quantity": o.fulfilled_quantity(li),
            }
            for li in o.line_items
        ],
        "fulfillment_orders": [fulfillment_order(store, fo) for fo in o.fulfillment_orders],
        "fulfillments": [fulfillment(f) for f in o.fulfillments],
        "refunds": list(o.refunds),
        "returns": [returns.view(r) for r in o.returns],
    }


def subscription(s) -> dict:
    return {"id": s.id, "legacy_id": s.num, "topic": s.topic, "uri": s.uri, "format": s.format}


def state(store) -> dict:
    return {
        "config": store.config.as_dict(),
        "bucket": store.bucket.status(),
        "locations": [location(loc) for loc in store.locations],
        "products": [product(p) for p in store.products],
        "orders": [order(store, o) for o in store.orders],
        "webhook_subscriptions": [subscription(s) for s in store.subscriptions],
    }


def status_page(store) -> str:
    """A read-only overview for humans trying the flow without a store."""
    e = html.escape
    rows = []
    for o in store.orders:
        rows.append(
            f"<h2>{e(o.name)} &middot; {e(o.display_fulfillment_status)}"
            f"{' &middot; CANCELLED' if o.cancelled_at else ''}</h2>"
        )
        rows.append(f"<p>{e(o.email or '')} &middot; <code>{e(o.id)}</code></p><ul>")
        for fo in o.fulfillment_orders:
            lines = ", ".join(
                f"{e(line.sku or '?')} {line.remaining_quantity}/{line.total_quantity}"
                for line in fo.lines
            )
            rows.append(
                f"<li>Fulfillment order <code>{fo.num}</code> at {e(fo.location.name)}: "
                f"{e(fo.status)} ({lines})</li>"
            )
        for f in o.fulfillments:
            tracking = "; ".join(
                f"{e(t.get('company') or '')} {e(t.get('number') or '')}" for t in f.tracking
            )
            rows.append(f"<li>Fulfillment {e(f.name)}: {e(f.status)} &middot; {tracking}</li>")
        rows.append("</ul>")
    cfg = store.config
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>synco sandbox</title></head>"
        f"<body><h1>{e(cfg.shop_name)} ({e(cfg.shop_domain)})</h1>"
        f"<p>Locations: {e(', '.join(loc.name for loc in store.locations)) or 'none'}</p>"
        + ("".join(rows) or "<p>No orders.</p>")
        + "</body></html>"
    )
