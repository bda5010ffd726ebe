# Fed to `odoo-bin shell` by scripts/run.sh: connect a shop to the sandbox's
# demo store, map its locations to warehouses and register the webhooks.
import os

import requests

ICP = env["ir.config_parameter"]  # noqa: F821 - `env` is given by odoo-bin shell
ICP.set_param("web.base.url", os.environ["SYNCO_ODOO_URL"])
ICP.set_param("web.base.url.freeze", "True")

shop = env["synco.shop"].create(  # noqa: F821
    {
        "name": "Acme Demo (sandbox)",
        "shop_domain": "acme.myshopify.com",
        "api_base_url": os.environ["SYNCO_SANDBOX_URL"],
        "auth_method": "client_credentials",
        "client_id": "sandbox-client-id",
        "client_secret": "sandbox-client-secret",
        "fulfillment_direction": "per_location",
    }
)
shop.action_test_connection()
print(f"shop: {shop.state}: {shop.connection_message}")
shop.action_sync_locations()
Warehouse = env["stock.warehouse"]  # noqa: F821
main = Warehouse.search([("company_id", "=", shop.company_id.id)], limit=1)
for mapping in shop.location_map_ids:
    if mapping.is_fulfillment_service:
        wh = Warehouse.create({"name": "3PL", "code": "3PL"})
        mapping.write({"warehouse_id": wh.id, "direction": "shopify_to_odoo"})
    elif mapping.name == "Main Warehouse":
        mapping.write({"warehouse_id": main.id, "direction": "odoo_to_shopify"})
    else:
        wh = Warehouse.create({"name": mapping.name, "code": "EAST"})
        mapping.write({"warehouse_id": wh.id, "direction": "odoo_to_shopify"})
    print(f"location {mapping.name} -> {mapping.warehouse_id.name} ({mapping.direction})")
shop.action_register_webhooks()
print(shop.webhook_message)

# Odoo as a fulfillment service of the store: Shopify makes its location,
# mapped to a warehouse of its own, Odoo-led.
shop.fulfillment_service_warehouse_id = Warehouse.create(
    {"name": "Odoo Fulfillment", "code": "OFS"}
)
shop.action_register_fulfillment_service()
print(f"fulfillment service: location {shop.fulfillment_service_location_id}")

# The demo store's products, stocked in every warehouse, so its open orders
# import and ship.
Product = env["product.product"]  # noqa: F821
for sku, name, price in [
    ("ACME-ANVIL", "Anvil", 49.90),
    ("ACME-SKATES", "Rocket Skates", 129.00),
    ("ACME-MAGNET", "Giant Magnet", 35.50),
    ("ACME-SEED", "Bird Seed", 4.99),
]:
    product = Product.create(
        {"name": name, "default_code": sku, "list_price": price, "is_storable": True}
    )
    for warehouse in Warehouse.search([]):
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 50)  # noqa: F821
env.cr.commit()  # noqa: F821 - a shell script's own transaction

# An order Shopify routes to Odoo's fulfillment service, its fulfillment
# requested by the merchant (Odoo reads the request below: the notification
# finds no server yet).
SANDBOX = os.environ["SYNCO_SANDBOX_URL"]
routed = requests.post(
    f"{SANDBOX}/_sandbox/orders",
    json={
        "email": "road@example.com",
        "line_items": [
            {
                "sku": "ACME-ANVIL",
                "quantity": 1,
                "location_id": int(shop.fulfillment_service_location_id),
            }
        ],
    },
    timeout=30,
).json()
requests.post(
    f"{SANDBOX}/_sandbox/fulfillment_orders/{routed['fulfillment_orders'][0]['legacy_id']}"
    "/submit_request",
    json={"message": "Demo: fulfill from Odoo"},
    timeout=30,
).raise_for_status()

# Import the store's open orders now rather than at the next catch-up, and
# answer the fulfillment service's request.
env["sale.order"]._synco_cron_catch_up()  # noqa: F821
shop._synco_enqueue_fsvc_read()
env.cr.commit()  # noqa: F821
env["synco.job"]._cron_run_jobs()  # noqa: F821
env.cr.commit()  # noqa: F821
for sale in env["sale.order"].search([("synco_shop_id", "=", shop.id)]):  # noqa: F821
    pickings = ", ".join(
        f"{p.name} ({p.picking_type_id.warehouse_id.name})" for p in sale.picking_ids
    )
    print(f"order {sale.client_order_ref} -> {sale.name}: {pickings}")
