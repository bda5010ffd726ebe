from odoo.tests import tagged

from .common import SyncoCase


@tagged("post_install", "-at_install")
class TestGoliveSteps(SyncoCase):
    """The guided go-live: the step a shop is at comes from facts, and
    undoing a fact (a new location, a moved Odoo) takes the guide back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox.create_location(name="Main Warehouse")
        cls.sandbox.create_location(name="East Warehouse")
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://127.0.0.1:8069")
        # Carriers Shopify knows by name need nothing; others need one.
        cls.env["delivery.carrier"].search([]).write({"shopify_tracking_company": "UPS"})
        service = cls.env["product.product"].create({"name": "Freight", "type": "service"})
        cls.freight = cls.env["delivery.carrier"].create(
            {"name": "Acme Freight", "product_id": service.id}
        )

    def assertStep(self, step, missing=None):
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.golive_step, step, self.shop.golive_todo)
        if missing:
            self.assertIn(missing, self.shop.golive_todo)

    def test_steps_follow_the_facts_up_to_live(self):
        self.assertStep("connect", "Test Connection")
        self.shop.action_test_connection()
        self.assertStep("locations", "Sync Locations")
        self.shop.action_sync_locations()
        self.assertStep("locations", "East Warehouse")
        main, east = self.shop.location_map_ids.sorted("name")[::-1]
        main.warehouse_id = self.env.ref("stock.warehouse0")
        self.assertStep("locations", "East Warehouse")
        east.warehouse_id = self.env["stock.warehouse"].create({"name": "East", "code": "EST"})
        self.assertStep("carriers", "Acme Freight")
        action = self.shop.action_golive_carriers()
        self.assertEqual(action["domain"], [("id", "in", self.freight.ids)])
        self.freight.shopify_tracking_company = "Acme Freight Co"
        self.assertStep("webhooks", "Register Webhooks")
        self.shop.action_register_webhooks()
        self.assertStep("orders", "Import Open Orders")
        action = self.shop.action_import_open_orders()
        run = self.env[action["res_model"]].with_context(**action["context"]).create({})
        self.assertEqual(run.shop_id, self.shop)
        self.sandbox.create_order(line_items=[{"title": "Gift card", "quantity": 1}])
        run.action_start()
        self.assertStep("orders", "being imported")
        self.assertEqual(self.shop.action_import_open_orders()["res_id"], run.id)
        self.run_jobs()
        self.assertStep("launch", "Launch Checks")
        wizard = self.env["synco.launch.check.wizard"].create({"shop_id": self.shop.id})
        wizard.action_run()
        self.assertEqual(bool(self.shop.launch_checks_passed_at), not wizard.failed_count)
        self.shop.launch_checks_passed_at = "2026-01-01 00:00:00"
        self.assertStep("live")

    def test_a_moved_odoo_takes_the_guide_back_to_the_webhooks(self):
        self.shop.action_test_connection()
        self.shop.action_register_webhooks()
        self.assertTrue(self.shop.webhooks_uri.startswith("http://127.0.0.1:8069/"))
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://127.0.0.1:9000")
        self.shop.action_sync_locations()
        self.shop.location_map_ids.unlink()  # no location: the guide stops there first
        self.assertStep("locations")
        facts = self.shop._golive_facts()
        self.assertFalse(facts["webhooks"])
        self.assertTrue(facts["webhooks_moved"])

    def test_a_refused_connection_says_why(self):
        self.shop.api_base_url = "http://127.0.0.1:9"  # nothing listens there
        self.shop.action_test_connection()
        self.assertStep("connect", "The connection failed")
