"""The "demo" seed: a small but realistic Acme store to click through."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

ADDRESS = {
    "first_name": "Jane",
    "last_name": "Doe",
    "name": "Jane Doe",
    "company": None,
    "address1": "12 Harbour Street",
    "address2": "Unit 4",
    "city": "Boston",
    "zip": "02110",
    "province": "Massachusetts",
    "province_code": "MA",
    "country": "United States",
    "country_code": "US",
    "phone": "+1 617 555 0100",
}


def seed_demo(store) -> None:
    store.config.shop_name = "Acme Demo"
    store.config.shop_domain = store.base_config.shop_domain or "acme.myshopify.com"
    main = store.add_location("Main Warehouse")
    east = store.add_location("East Warehouse")
    tpl = store.add_location("Speedy 3PL", fulfillment_service="speedy-3pl")
    everywhere = [main.id, east.id, tpl.id]
    store.add_product("Anvil", "ACME-ANVIL", "0012345678905", "49.90", everywhere)
    store.add_product("Rocket Skates", "ACME-SKATES", "0012345678912", "129.00", [main.id, east.id])
    store.add_product("Giant Magnet", "ACME-MAGNET", "0012345678929", "35.50", [east.id, tpl.id])
    store.add_product("Bird Seed", "ACME-SEED", "0012345678936", "4.99", everywhere)
    shipping = [{"title": "Standard Shipping", "code": "STANDARD", "price": "7.50"}]
    tax = [{"title": "State Tax", "rate": 0.0625, "price": "6.24"}]  # 6.25% of 2 x 49.90
    customer = {"first_name": "Jane", "last_name": "Doe"}
    store.create_order(
        {
            "email": "jane@example.com",
            "customer": customer,
            "shipping_address": ADDRESS,
            "shipping_lines": shipping,
            "line_items": [{"sku": "ACME-ANVIL", "quantity": 2, "tax_lines": tax}],
        }
    )
    store.create_order(
        {
            "email": "wile@example.com",
            "customer": {"first_name": "Wile", "last_name": "Coyote"},
            "shipping_address": {**ADDRESS, "first_name": "Wile", "name": "Wile Coyote"},
            "shipping_lines": shipping,
            "line_items": [
                {"sku": "ACME-SKATES", "quantity": 1},
                {"sku": "ACME-SEED", "quantity": 3, "discounts": ["1.00"]},
            ],
        }
    )
    store.create_order(
        {
            "email": "road@example.com",
            "customer": {"first_name": "Road", "last_name": "Runner"},
            "shipping_address": ADDRESS,
            "shipping_lines": shipping,
            "line_items": [
                {"sku": "ACME-ANVIL", "quantity": 1, "location_id": main.id},
                {"sku": "ACME-MAGNET", "quantity": 2, "location_id": east.id},
            ],
        }
    )
    _seed_past_orders(store, main, east, customer, shipping)
    # Local pickup: the customer collects at the Main Warehouse's counter.
    store.create_order(
        {
            "email": "marvin@example.com",
            "customer": {"first_name": "Marvin", "last_name": "Martian"},
            "delivery_method": "PICK_UP",
            "line_items": [{"sku": "ACME-SEED", "quantity": 5, "location_id": main.id}],
        }
    )


def _days_ago(days: int) -> str:
    moment = datetime.now(timezone.utc) - timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _seed_past_orders(store, main, east, customer, shipping) -> None:
    """Orders placed days before any shop connects, as a store going live
    has them: open, partly fulfilled (one of three anvils shipped), fully
    fulfilled, and one older than the default 30 days of the open-orders
    import."""
    past = {"email": "past@example.com", "customer": customer, "shipping_address": ADDRESS}
    store.create_order(
        {
            **past,
            "created_at": _days_ago(5),
            "shipping_lines": shipping,
            "line_items": [{"sku": "ACME-SEED", "quantity": 4, "location_id": main.id}],
        }
    )
    partly = store.create_order(
        {
            **past,
            "created_at": _days_ago(3),
            "line_items": [{"sku": "ACME-ANVIL", "quantity": 3, "location_id": main.id}],
        }
    )
    tracking = {"company": "UPS", "number": "1Z999AA10123456784"}
    _ship_before(store, partly, [{"sku": "ACME-ANVIL", "quantity": 1}], tracking, days=2)
    shipped = store.create_order(
        {
            **past,
            "created_at": _days_ago(4),
            "line_items": [{"sku": "ACME-MAGNET", "quantity": 1, "location_id": east.id}],
        }
    )
    _ship_before(store, shipped, None, {"company": "FedEx", "number": "449044304137821"}, days=3)
    store.create_order(
        {
            **past,
            "created_at": _days_ago(45),
            "line_items": [{"sku": "ACME-SKATES", "quantity": 1, "location_id": main.id}],
        }
    )


def _ship_before(store, order, items, tracking, days: int) -> None:
    """A fulfillment made in Shopify ``days`` ago (the order's and its
    fulfillment orders' dates with it)."""
    fulfillment = store.admin_fulfill(order, items, tracking)
    when = _days_ago(days)
    fulfillment.created_at = fulfillment.updated_at = when
    order.updated_at = when
    for fo in order.fulfillment_orders:
        fo.updated_at = when
