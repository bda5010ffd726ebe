"""The launch suite's test case: the store it drives (a sandbox store or a
Shopify development store, see ``launch_store``), Odoo's side of it, and
the helpers both directions share."""

import uuid
from unittest.mock import patch

import werkzeug.urls
from cryptography.fernet import Fernet
from odoo.tests import HttpCase
from odoo.tests.common import _super_send
from odoo.tools import config

from .. import odoo_compat
from ..shopify import clients
from ..shopify.const import WEBHOOK_ROUTE
from .common import sandbox_module, stop_sandbox, ups_carrier
from .launch_store import store_settings


class LaunchCase(odoo_compat.LoopbackTimeouts, HttpCase):
    settings = {}

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # Odoo's tests refuse requests off this machine; a development store
        # is the one remote host this suite talks to.
        if werkzeug.urls.url_parse(r.url).host == cls.settings.get("domain"):
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.addClassCleanup(stop_sandbox)
        store_driver = sandbox_module("launch").StoreDriver
        cls.settings = settings = store_settings()
        cls.startClassPatcher(
            patch.dict(config.options, {"synco_shopify_key": Fernet.generate_key().decode()})
        )
        auth = (
            {"auth_method": "access_token", "access_token": settings["access_token"]}
            if settings["access_token"]
            else {"auth_method": "client_credentials", "client_id": settings["client_id"]}
        )
        cls.shop = cls.env["synco.shop"].create(
            {
                "name": "Launch suite",
                "shop_domain": settings["domain"],
                "api_version": settings["api_version"],
                "client_secret": settings["client_secret"],
                **({"api_base_url": settings["base_url"]} if settings["base_url"] else {}),
                **auth,
            }
        )
        cls.shop.action_test_connection()
        assert cls.shop.state == "connected", cls.shop.connection_message
        cls.store = store_driver(
            cls.shop._shopify_client(),
            settings["domain"],
            settings["client_secret"],
            order_interval=settings["order_interval"],
        )
        cls.main, cls.east = cls.store.locations(settings["locations"])[:2]
        cls.variant = cls.store.variant(settings["sku"])
        cls.warehouse = cls.env.ref("stock.warehouse0")
        cls.warehouse_east = cls.env["stock.warehouse"].create({"name": "East", "code": "EST"})
        cls.shop.action_sync_locations()
        for location, warehouse in ((cls.main, cls.warehouse), (cls.east, cls.warehouse_east)):
            cls.shop.location_map_ids.filtered(
                lambda m, loc=location: m.shopify_location_id == loc["legacyResourceId"]
            ).warehouse_id = warehouse
        cls._prepare_company(cls.store.shop()["currencyCode"])
        cls.product = cls.env["product.product"].create(
            {
                "name": cls.variant["title"],
                "default_code": settings["sku"],
                "is_storable": True,
                "type": "consu",
            }
        )
        for warehouse in (cls.warehouse, cls.warehouse_east):
            cls.env["stock.quant"]._update_available_quantity(
                cls.product, warehouse.lot_stock_id, 100
            )
        cls.ups = ups_carrier(cls.env)

    @classmethod
    def _prepare_company(cls, currency_code):
        """Orders come in the store's currency: give Odoo a pricelist in it."""
        currency = (
            cls.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", currency_code)])
        )
        currency.active = True
        if currency != cls.shop.company_id.currency_id:
            cls.env["product.pricelist"].create(
                {"name": f"Shopify {currency_code}", "currency_id": currency.id}
            )

    def setUp(self):
        super().setUp()
        clients.forget(self.shop._client_store())

    # -- helpers ---------------------------------------------------------------

    def run_jobs(self):
        """Run the queue as its cron would; every job it ran must be done."""
        with odoo_compat.holding_test_cursor(self):
            ran = self.env["synco.job"]._cron_run_jobs()
        self.env.invalidate_all()
        for job in ran:
            self.assertEqual(job.state, "done", f"{job.display_name}: {job.last_error}")
        return ran

    def place(self, quantity, odoo_location=None):
        """An order of ``quantity`` on the store, imported by the addon. The
        fulfillment order is moved to ``odoo_location`` first when given, so
        that Odoo plans the delivery from that location's warehouse."""
        order = self.store.create_order(
            [(self.variant["id"], quantity)], f"launch+{uuid.uuid4().hex[:8]}@example.com"
        )
        if odoo_location:
            self.move_to(order, odoo_location)
        self.env["sale.order"]._synco_enqueue_import(
            self.shop, order["legacyResourceId"], "launch suite"
        )
        self.run_jobs()
        sale = self.env["sale.order"].search(
            [
                ("synco_shop_id", "=", self.shop.id),
                ("shopify_order_id", "=", order["legacyResourceId"]),
            ]
        )
        self.assertEqual(sale.state, "sale", f"order {order['name']} was not imported")
        return order, sale

    def move_to(self, order, location):
        for fo in self.store.order(order["id"])["fulfillmentOrders"]["nodes"]:
            assigned = fo["assignedLocation"]["location"]["id"]
            if fo["status"] == "OPEN" and assigned != location["id"]:
                self.store.move(fo["id"], location["id"])

    def validate(self, picking, quantity=None, tracking=None):
        """Ship ``quantity`` (default all) as a warehouse user would; the
        rest goes to a backorder."""
        if tracking:
            picking.write({"carrier_id": self.ups.id, "carrier_tracking_ref": tracking})
        picking.move_ids.write({"quantity": quantity or picking.move_ids.product_uom_qty})
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, skip_sanity_check=True).button_validate()
        self.assertEqual(picking.state, "done")
        return picking.backorder_ids

    def fulfillments(self, order):
        found = self.store.order(order["id"])["fulfillments"]
        return [f for f in found if f["status"] != "CANCELLED"]

    def relay(self, topic, fulfillment, webhook_id=None):
        """Post what Shopify would send for ``fulfillment`` to the real
        controller, signed with the app's secret; returns the webhook id."""
        body, headers = self.store.delivery(topic, fulfillment, webhook_id)
        response = self.url_open(WEBHOOK_ROUTE, data=body, headers=headers)
        self.assertEqual(response.status_code, 200, response.text)
        return headers["X-Shopify-Webhook-Id"]

    def on_hand(self, warehouse):
        return self.product.with_context(warehouse_id=warehouse.id).qty_available

    def quantities(self, fulfillment):
        return [n["quantity"] for n in fulfillment["fulfillmentLineItems"]["nodes"]]

    def tracking(self, fulfillment):
        return [(t["company"], t["number"]) for t in fulfillment["trackingInfo"]]

    def status(self, order):
        return self.store.order(order["id"])["displayFulfillmentStatus"]

    # -- the two directions ----------------------------------------------------

    def odoo_leads(self):
        self.shop.fulfillment_direction = "odoo_to_shopify"

    def shopify_leads(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"

    def ship_in_shopify(self, order, quantity=None, tracking=("UPS", "1ZSHOP")):
        info = {"company": tracking[0], "number": tracking[1]} if tracking else None
        quantities = {self.settings["sku"]: quantity} if quantity else None
        fulfillment = self.store.fulfill(order["id"], quantities, info)
        self.relay("fulfillments/create", fulfillment)
        self.run_jobs()
        return fulfillment
