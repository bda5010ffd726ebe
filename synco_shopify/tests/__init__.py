from . import (
    test_apply_fulfillment,
    test_job_queue,
    test_launch_checks,
    test_launch_suite,
    test_locations,
    test_merchant_view,
    test_order_import,
    test_push_fulfillment,
    test_secrets,
    test_shop_connection,
    test_webhook_intake,
    test_webhook_registration,
)
