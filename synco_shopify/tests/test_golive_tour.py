"""The guided go-live in a real browser (Odoo 19's tours, headless Chromium)
against the sandbox's demo store: a new shop's guide from Test Connection
to the launch checks, the open orders imported (the store's orders placed
days before, one partly fulfilled, one fulfilled), then the overview and a
graph. Screenshots go where test_merchant_tour.py puts its own."""

from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from ..odoo_compat import ODOO_VERSION
from .common import ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, SHOP_DOMAIN, SyncoCase
from .test_merchant_tour import _handle_console, screenshots_dir

SCREENSHOTS = ("golive_guide", "open_orders_import", "overview", "fulfillment_graph")
PRODUCTS = {
    "ACME-ANVIL": "Anvil",
    "ACME-SKATES": "Rocket Skates",
    "ACME-MAGNET": "Giant Magnet",
    "ACME-SEED": "Bird Seed",
}


@tagged("post_install", "-at_install")
class TestGoliveTour(SyncoCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox.reset(seed="demo")
        cls.sandbox.config(
            name="Acme Test",
            domain=SHOP_DOMAIN,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            access_token=ACCESS_TOKEN,
        )
        cls.shop.name = "Acme Go-Live"
        Warehouse = cls.env["stock.warehouse"]
        cls.warehouse.name = "Tour Warehouse"
        cls.east = Warehouse.create({"name": "Tour East", "code": "TEST"})
        cls.tpl = Warehouse.create({"name": "Tour 3PL", "code": "T3PL"})
        for sku, name in PRODUCTS.items():
            product = cls.env["product.product"].create(
                {"name": name, "default_code": sku, "is_storable": True, "type": "consu"}
            )
            for warehouse in (cls.warehouse, cls.east):
                cls.env["stock.quant"]._update_available_quantity(
                    product, warehouse.lot_stock_id, 20
                )
        # Every carrier but one has its Shopify name: the guide asks for that one.
        cls.env["delivery.carrier"].search([]).write({"shopify_tracking_company": "UPS"})
        service = cls.env["product.product"].create({"name": "Freight", "type": "service"})
        cls.freight = cls.env["delivery.carrier"].create(
            {"name": "Acme Freight", "product_id": service.id}
        )

    def setUp(self):
        super().setUp()
        if ODOO_VERSION < 19:
            self.skipTest("the browser tours run on Odoo 19 (see test_merchant_tour.py)")
        for name in SCREENSHOTS:
            (screenshots_dir() / f"{name}.png").unlink(missing_ok=True)
        self.startPatcher(
            patch.object(
                ChromeBrowser, "_handle_console", _handle_console(ChromeBrowser._handle_console)
            )
        )

    def tour(self, url, name):
        self.start_tour(url, name, login="admin", timeout=240)
        self.env.invalidate_all()

    def test_guided_go_live_with_the_open_orders_then_the_overview(self):
        shop_url = f"/odoo/action-synco_shopify.action_synco_shop/{self.shop.id}"
        self.assertEqual(self.shop.golive_step, "connect")
        self.tour(shop_url, "synco_golive")
        self.assertEqual(self.shop.state, "connected")
        self.assertFalse(self.shop.location_map_ids.filtered(lambda m: not m.warehouse_id))
        self.assertEqual(self.freight.shopify_tracking_company, "Acme Freight Co")
        self.assertTrue(self.shop.webhooks_uri)
        run = self.shop.open_orders_import_ids
        self.assertEqual(
            run.listed_count, 6, "#1001-#1005, #1008 (pickup): not #1006 (fulfilled), #1007 (old)"
        )
        self.run_jobs()
        self.assertEqual(run.imported_count, 6, run.job_ids.mapped("last_error"))
        partly = run.job_ids.filtered(lambda j: "shipped before" in (j.result or ""))
        self.assertEqual(len(partly), 1)

        run_url = f"/odoo/action-synco_shopify.action_synco_open_orders_import/{run.id}"
        self.tour(run_url, "synco_golive_orders")
        self.tour(shop_url, "synco_golive_launch")
        launch_ok = self.shop.launch_checks_passed_at
        self.assertEqual(self.shop.golive_step, "live" if launch_ok else "launch")
        # The partly fulfilled order's earlier fulfillment: linked, but no
        # delivery moved, so not counted as received today.
        self.assertEqual(len(self.env["synco.fulfillment"].search([("picking_id", "=", False)])), 1)
        self.assertEqual(self.shop.applied_today, 0)
        self.tour("/odoo/action-synco_shopify.action_synco_overview", "synco_overview")
        for name in SCREENSHOTS:
            self.assertTrue((screenshots_dir() / f"{name}.png").exists(), name)
