from . import (
    delivery_carrier,
    res_config_settings,
    synco_job,
    synco_location_map,
    synco_log,
    synco_shop,
    synco_webhook_event,
)
