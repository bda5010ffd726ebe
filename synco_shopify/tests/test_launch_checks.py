import os
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config

from ..shopify.const import REQUIRED_SCOPES, WEBHOOK_TOPICS
from .common import SyncoOrderCase

READ_OPERATIONS = {"SyncoShop", "SyncoLocations", "SyncoWebhookSubscriptions"}


@tagged("post_install", "-at_install")
class TestLaunchChecks(SyncoOrderCase):
    """The launch checks against the sandbox: each says what to fix, and
    running them writes nothing to Shopify."""

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        # Each test re-registers every topic: a full bucket each time, as the
        # tests follow each other faster than Shopify's 100 points a second
        # refill what registering spends.
        self.sandbox.advance_clock(30)
        self.sandbox.config(scopes=[*REQUIRED_SCOPES["fulfillment"]])
        self._map(self.loc_3pl).warehouse_id = self.env["stock.warehouse"].create(
            {"name": "3PL", "code": "TPL"}
        )
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://127.0.0.1:8069")
        for sub in self.sandbox.subscriptions():
            self.sandbox.delete_subscription(sub["id"])
        self.shop.action_register_webhooks()
        self.sandbox.clear_calls()

    def checks(self):
        wizard = self.env["synco.launch.check.wizard"].create({"shop_id": self.shop.id})
        return {check.key: check for check in wizard._run_checks()}

    def failing(self, key):
        checks = self.checks()
        self.assertFalse(checks[key].ok, checks[key].message)
        return checks[key].message

    def test_well_configured_shop_passes_every_check_and_only_reads(self):
        with patch.dict(os.environ, {"ODOO_MAX_HTTP_THREADS": "16"}):
            action = self.shop.action_launch_checks()
        wizard = self.env["synco.launch.check.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.failed_count, 0, wizard.result_html)
        self.assertEqual(wizard.passed_count, 9)
        self.assertIn("Encryption key", wizard.result_html)
        operations = {call["operation_name"] for call in self.sandbox.calls()}
        self.assertTrue(operations)
        self.assertLessEqual(operations, READ_OPERATIONS, "the checks must only query Shopify")
        self.assertEqual(len(self.sandbox.subscriptions()), len(WEBHOOK_TOPICS))

    def test_server_check_reads_the_running_servers_settings(self):
        # This test server is threaded, with no limit on its request threads.
        with patch.dict(os.environ, {"ODOO_MAX_HTTP_THREADS": ""}):
            message = self.failing("server")
        self.assertIn(f"db_maxconn = {config['db_maxconn']}", message)
        self.assertIn("ODOO_MAX_HTTP_THREADS=", message)
        with (
            patch.dict(os.environ, {"ODOO_MAX_HTTP_THREADS": "16"}),
            patch.dict(config.options, {"dbfilter": "^someone_else$"}),
        ):
            message = self.failing("server")
        self.assertIn("reaches these databases: none", message)
        self.assertIn(f"^{self.env.cr.dbname}$", message)

    def test_location_without_warehouse_is_named_with_where_to_fix(self):
        self._map(self.loc_east).warehouse_id = False
        message = self.failing("locations")
        self.assertIn("Location 'East Warehouse' has no warehouse", message)
        self.assertIn("Inventory > Configuration > Shopify > Locations", message)

    def test_location_not_synced_asks_for_sync(self):
        location = self.sandbox.create_location(name="Pop-up Store")
        self.addCleanup(self.sandbox.update_location, location["id"], active=False)
        self.assertIn(
            "'Pop-up Store' is not in Odoo: press Sync Locations", self.failing("locations")
        )

    def test_bad_credentials_fail_and_the_shopify_checks_wait_for_them(self):
        self.shop.client_secret = "not-the-secret"
        checks = self.checks()
        self.assertFalse(checks["credentials"].ok)
        self.assertIn("Fix the credentials", checks["credentials"].message)
        for key in ("scopes", "locations", "webhooks"):
            self.assertFalse(checks[key].ok)
            self.assertIn("until the credentials work", checks[key].message)

    def test_missing_scope_is_named(self):
        self.sandbox.config(scopes=["read_orders", "read_locations", "read_fulfillments"])
        message = self.failing("scopes")
        self.assertIn("write_merchant_managed_fulfillment_orders", message)
        self.assertNotIn("read_orders", message)

    def test_carrier_without_shopify_name_on_recent_order(self):
        carrier = self.env["delivery.carrier"].create(
            {"name": "Pigeon Post", "product_id": self.ups.product_id.id}
        )
        _shopify, sale = self.order((self.anvil, 1, self.loc_main))
        sale.carrier_id = carrier
        message = self.failing("carriers")
        self.assertIn("'Pigeon Post'", message)
        self.assertNotIn("UPS", message)

    def test_unregistered_webhooks_are_listed(self):
        sub = next(s for s in self.sandbox.subscriptions() if s["topic"] == "FULFILLMENTS_CREATE")
        self.sandbox.delete_subscription(sub["id"])
        message = self.failing("webhooks")
        self.assertIn("FULFILLMENTS_CREATE", message)
        self.assertIn("Register Webhooks", message)

    def test_unreachable_webhook_address_fails_the_check(self):
        with patch.object(
            type(self.shop), "_webhook_address", side_effect=UserError("needs public HTTPS")
        ):
            self.assertIn("needs public HTTPS", self.failing("webhooks"))

    def test_archived_queue_cron(self):
        self.env.ref("synco_shopify.ir_cron_synco_jobs").active = False
        self.assertIn("Scheduled Actions", self.failing("cron"))

    def test_key_source_and_missing_key(self):
        self.assertIn("configuration option", self.checks()["key"].message)
        with patch.dict(config.options, {"synco_shopify_key": "not-a-key"}):
            self.assertIn("not a valid Fernet key", self.failing("key"))

    def test_job_failing_for_more_than_a_day(self):
        job = self.env["synco.job"].create(
            {"shop_id": self.shop.id, "job_type": "import_order", "state": "failed"}
        )
        job.write(
            {"last_error": "Order #1001 has unknown SKUs", "finished_at": fields.Datetime.now()}
        )
        self.assertTrue(self.checks()["failed_jobs"].ok, "a fresh failure is not yet a problem")
        job.finished_at = fields.Datetime.now() - timedelta(days=2)
        message = self.failing("failed_jobs")
        self.assertIn(f"#{job.id}", message)
        self.assertIn("Order #1001 has unknown SKUs", message)
