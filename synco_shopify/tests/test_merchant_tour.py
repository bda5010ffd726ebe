"""The merchant's path in a real browser (Odoo's tours, headless Chromium):
Inventory settings to the shop, Test Connection against the sandbox, Sync
Locations, a warehouse and a direction mapped, Launch Checks, an order
imported, its delivery validated and shown synced with its Shopify link.

Screenshots of the shop form, the launch checks, the job list and the
delivery's Shopify tab are saved to ``SYNCO_SCREENSHOTS`` (scripts/test.sh
points it at the git-ignored ``build/screenshots/odoo<version>``), else to
Odoo's screenshots folder.
"""

import binascii
import os
import pathlib
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser
from odoo.tools import config

from ..odoo_compat import ODOO_VERSION
from .common import SyncoCase, ups_carrier

SCREENSHOT_SIGNAL = "synco_screenshot:"
SCREENSHOTS = ("shop_form", "launch_checks", "delivery_shopify_tab", "job_list")


def screenshots_dir():
    folder = os.environ.get("SYNCO_SCREENSHOTS") or os.path.join(
        config["screenshots"], "synco_shopify"
    )
    path = pathlib.Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _handle_console(original):
    """Chrome's console handler, plus: a tour step logging
    ``synco_screenshot:<name>`` gets the page saved as ``<name>.png``."""

    def handler(browser, type, args=None, stackTrace=None, **kw):
        first = args and browser._from_remoteobject(args[0])
        if type == "log" and isinstance(first, str) and first.startswith(SCREENSHOT_SIGNAL):
            name = first[len(SCREENSHOT_SIGNAL) :]
            future = browser._websocket_send("Page.captureScreenshot", with_future=True)
            future.add_done_callback(
                lambda f: (screenshots_dir() / f"{name}.png").write_bytes(
                    binascii.a2b_base64(f.result()["data"])
                )
            )
        return original(browser, type, args=args, stackTrace=stackTrace, **kw)

    return handler


@tagged("post_install", "-at_install")
class TestMerchantTour(SyncoCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loc_main = cls.sandbox.create_location(name="Main Warehouse")
        cls.sandbox.create_location(name="3PL Partner")
        cls.sandbox.add_product("Anvil", sku="ANVIL", barcode="0001")
        cls.warehouse.name = "Tour Warehouse"
        cls.warehouse_3pl = cls.env["stock.warehouse"].create({"name": "Tour 3PL", "code": "T3PL"})
        cls.anvil = cls.env["product.product"].create(
            {"name": "Anvil", "default_code": "ANVIL", "is_storable": True, "type": "consu"}
        )
        cls.env["stock.quant"]._update_available_quantity(cls.anvil, cls.warehouse.lot_stock_id, 10)
        cls.ups = ups_carrier(cls.env)

    def setUp(self):
        super().setUp()
        if ODOO_VERSION < 19:
            self.skipTest(
                "the browser tour runs on Odoo 19: the Odoo 18 source copy on this machine "
                "lacks its own web/static/lib (filled with Odoo 19's files only so that asset "
                "bundles build), so its web client cannot be trusted to run"
            )
        for name in SCREENSHOTS:
            (screenshots_dir() / f"{name}.png").unlink(missing_ok=True)
        self.startPatcher(
            patch.object(
                ChromeBrowser, "_handle_console", _handle_console(ChromeBrowser._handle_console)
            )
        )

    def tour(self, url, name):
        self.start_tour(url, name, login="admin", timeout=180)
        self.env.invalidate_all()

    def test_merchant_path_from_settings_to_a_synced_delivery(self):
        shopify = self.sandbox.create_order(
            email="wile@example.com",
            line_items=[{"sku": "ANVIL", "quantity": 1, "location_id": self.loc_main["id"]}],
        )
        self.assertEqual(shopify["name"], "#1001", "the tour imports #1001")

        self.tour("/odoo/action-stock.action_stock_config_settings", "synco_shopify_setup")
        self.assertEqual(self.shop.state, "connected")
        self.assertEqual(self.shop.fulfillment_direction, "per_location")
        self.assertEqual(
            {(m.name, m.warehouse_id, m.direction) for m in self.shop.location_map_ids},
            {
                ("Main Warehouse", self.warehouse, "odoo_to_shopify"),
                ("3PL Partner", self.warehouse_3pl, "shopify_to_odoo"),
            },
        )

        self.run_jobs()
        sale = self.env["sale.order"].search(
            [
                ("synco_shop_id", "=", self.shop.id),
                ("shopify_order_id", "=", str(shopify["legacy_id"])),
            ]
        )
        self.assertEqual(sale.state, "sale")
        picking = sale.picking_ids
        picking.write({"carrier_id": self.ups.id, "carrier_tracking_ref": "1ZTOUR"})

        picking_url = f"/odoo/action-stock.action_picking_tree_all/{picking.id}"
        self.tour(picking_url, "synco_shopify_validate")
        self.assertEqual(picking.state, "done")

        self.run_jobs()
        self.assertEqual(picking.synco_state, "synced")
        fulfillments = self.sandbox.order(shopify["id"])["fulfillments"]
        self.assertEqual(len(fulfillments), 1)
        self.assertEqual(fulfillments[0]["tracking"][0]["number"], "1ZTOUR")

        self.tour(picking_url, "synco_shopify_synced")
        self.tour("/odoo/action-synco_shopify.action_synco_job", "synco_shopify_jobs")
        for name in SCREENSHOTS:
            self.assertTrue((screenshots_dir() / f"{name}.png").exists(), name)
