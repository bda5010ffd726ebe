# synco_shop_owned first: the models below inherit it.
from . import synco_shop_owned  # isort: skip
from . import (
    delivery_carrier,
    res_config_settings,
    res_groups,
    res_partner,
    sale_order,
    sale_order_import,
    sale_order_line,
    stock_move,
    stock_picking,
    synco_fulfillment,
    synco_fulfillment_order,
    synco_location_map,
    synco_log,
    synco_reconcile,
    synco_reopen,
    synco_shop,
    synco_shop_connection,
    synco_shop_dashboard,
    synco_shop_secrets,
    synco_shop_webhooks,
    synco_webhook_event,
)

# isort: split
# The two directions extend the models above (synco.fulfillment among them).
from . import synco_apply, synco_push

# isort: split
# Local pickup extends the push (its deliveries carry no tracking).
from . import synco_pickup
