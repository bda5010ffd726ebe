from . import (
    delivery_carrier,
    res_config_settings,
    sale_order,
    sale_order_line,
    stock_move,
    stock_picking,
    synco_fulfillment,
    synco_job,
    synco_location_map,
    synco_log,
    synco_shop,
    synco_webhook_event,
)
