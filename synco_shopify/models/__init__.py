# synco_shop_owned and synco_status_mixin first: the models below inherit them.
from . import synco_shop_owned  # isort: skip
from . import synco_status_mixin  # isort: skip
from . import (
    delivery_carrier,
    res_config_settings,
    res_groups,
    res_partner,
    sale_order,
    sale_order_import,
    sale_order_line,
    sale_order_refund,
    stock_move,
    stock_picking,
    synco_fulfillment,
    synco_fulfillment_order,
    synco_location_map,
    synco_log,
    synco_open_orders,
    synco_reconcile,
    synco_reopen,
    synco_shop,
    synco_shop_circuit,
    synco_shop_connection,
    synco_shop_dashboard,
    synco_shop_secrets,
    synco_shop_webhooks,
    synco_webhook_event,
)

# isort: split
# The two directions extend the models above (synco.fulfillment among them).
from . import synco_apply, synco_apply_route, synco_push

# isort: split
# The guided go-live extends the shop's buttons defined above.
from . import synco_overview, synco_shop_golive

# Returns: the link model, then both directions (which extend it).
from . import synco_return  # isort: skip
from . import synco_return_sync  # isort: skip
from . import synco_return_odoo  # isort: skip
from . import synco_return_apply  # isort: skip
from . import synco_return_refund  # isort: skip

# Local pickup extends the sale order's import.
from . import synco_pickup

# Odoo as a Shopify fulfillment service (the push calls into it).
from . import synco_fulfillment_service  # isort: skip
