"""Shared set-up for the Odoo suite: a Shopify sandbox in its own process,
and a shop connected to it.

The sandbox is the project's own fake Shopify, the package
``shopify_sandbox`` beside the addon in the repository (it never ships in
the addon): these tests find it in the checkout, and skip, saying why, where
the addon is installed without it. It runs with ``SYNCO_SANDBOX_PYTHON``
(the test script points it at the project's virtual environment, which has
graphql-core), else with Odoo's own interpreter. One sandbox serves the
whole run; each test class resets it.
"""

import atexit
import importlib
import os
import select
import subprocess
import sys
import unittest
from unittest.mock import patch

from cryptography.fernet import Fernet
from odoo import Command
from odoo.tests import HttpCase, TransactionCase
from odoo.tools import config

from .. import odoo_compat
from ..shopify import clients
from ..shopify.const import WEBHOOK_ROUTE

ADDONS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANDBOX_PACKAGE = "shopify_sandbox"
START_TIMEOUT = 20

CLIENT_ID = "synco-test-client"
CLIENT_SECRET = "synco-test-secret-0123456789"
ACCESS_TOKEN = "shpat_synco_test_token"
SHOP_DOMAIN = "acme-test.myshopify.com"

_sandbox = {}


def sandbox_module(name):
    """``shopify_sandbox.<name>`` from the repository checkout holding this
    addon; the test is skipped when the addon is installed without it."""
    if not os.path.isfile(os.path.join(ADDONS_DIR, SANDBOX_PACKAGE, "__init__.py")):
        raise unittest.SkipTest(
            f"no {SANDBOX_PACKAGE} package beside the addon in {ADDONS_DIR}: these tests need "
            "the Shopify sandbox of the synco_shopify repository, which the addon does not ship"
        )
    if ADDONS_DIR not in sys.path:
        sys.path.append(ADDONS_DIR)
    return importlib.import_module(f"{SANDBOX_PACKAGE}.{name}")


def sandbox_admin():
    """The admin API of the running sandbox (started on first use)."""
    return sandbox_module("admin").SandboxAdmin(sandbox_url())


def sandbox_url():
    """Start the sandbox (once, until ``stop_sandbox``) and return its URL."""
    sandbox_module("admin")  # skips the test when the sandbox is not here
    if "url" in _sandbox and _sandbox["proc"].poll() is None:
        return _sandbox["url"]
    python = os.environ.get("SYNCO_SANDBOX_PYTHON") or sys.executable
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [ADDONS_DIR, os.environ.get("PYTHONPATH")])),
    )
    proc = subprocess.Popen(
        [python, "-m", SANDBOX_PACKAGE, "--port", "0", "--seed", "empty"],
        cwd=ADDONS_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
    line = proc.stdout.readline() if ready else ""
    if "listening on " not in line:
        proc.kill()
        rest = proc.stdout.read() if proc.stdout else ""
        raise RuntimeError(
            f"the Shopify sandbox did not start with {python} (set SYNCO_SANDBOX_PYTHON to an "
            f"interpreter with graphql-core): {line}{rest}"
        )
    atexit.register(proc.terminate)
    _sandbox.update(url=line.rsplit("listening on ", 1)[1].strip(), proc=proc)
    return _sandbox["url"]


def stop_sandbox():
    """A test class's cleanup: Odoo 19's runner reaps the child processes a
    test class leaves behind, so each class stops the sandbox it used."""
    proc = _sandbox.pop("proc", None)
    _sandbox.pop("url", None)
    if proc and proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)


def ups_carrier(env):
    """A carrier whose Shopify tracking company is UPS."""
    service = env["product.product"].create({"name": "UPS", "type": "service"})
    return env["delivery.carrier"].create(
        {"name": "UPS Ground", "product_id": service.id, "shopify_tracking_company": "UPS"}
    )


class SyncoCase(odoo_compat.LoopbackTimeouts, TransactionCase):
    """A company, a warehouse and a shop connected to a fresh sandbox store."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A key of the test's own: never the data directory's key file.
        cls.startClassPatcher(
            patch.dict(config.options, {"synco_shopify_key": Fernet.generate_key().decode()})
        )
        # The job runner opens cursors of its own; in test mode they are
        # savepoints of the test's transaction.
        odoo_compat.enter_registry_test_mode(cls)
        cls.sandbox = sandbox_admin()
        cls.addClassCleanup(stop_sandbox)
        cls.sandbox.reset(seed="empty")
        cls.sandbox.config(
            name="Acme Test",
            domain=SHOP_DOMAIN,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            access_token=ACCESS_TOKEN,
        )
        cls.warehouse = cls.env.ref("stock.warehouse0")
        cls.shop = cls.env["synco.shop"].create(
            {
                "name": "Acme Test",
                "shop_domain": SHOP_DOMAIN,
                "api_base_url": cls.sandbox.url,
                "auth_method": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            }
        )

    def setUp(self):
        super().setUp()
        # Each test starts with the store's cost bucket unknown, as a new
        # worker would: the pacer is per process and store.
        clients.forget((self.env.cr.dbname, self.shop.id))

    def make_due(self, *jobs):
        """Make ``jobs`` due now, and the shop's probe if Shopify was found
        unreachable (the shop's jobs wait for it; see synco_shop_circuit.py)."""
        probes = self.env["synco.job"].search(
            [("job_type", "=", "shop_probe"), ("state", "=", "pending")]
        )
        for job in (*jobs, *probes):
            job.next_attempt_at = "2000-01-01 00:00:00"

    def run_jobs(self, **kwargs):
        """Run the queue as its cron would, and return the jobs it ran.

        Holding the registry's test lock keeps HTTP requests (the sandbox's
        webhooks, fired by what the jobs do) off the shared test cursor
        until the run is over; they are served right after."""
        with odoo_compat.holding_test_cursor(self):
            ran = self.env["synco.job"]._cron_run_jobs(**kwargs)
        self.env.invalidate_all()
        return ran


class SyncoOrderCase(SyncoCase):
    """Two Shopify locations mapped to two warehouses with stock, two
    products, and helpers to mirror a sandbox order as a confirmed sale
    order and to validate its deliveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loc_main = cls.sandbox.create_location(name="Main Warehouse")
        cls.loc_east = cls.sandbox.create_location(name="East Warehouse")
        cls.loc_3pl = cls.sandbox.create_location(name="3PL Co", fulfillment_service=True)
        cls.sandbox.add_product("Anvil", sku="ANVIL", barcode="0001")
        cls.sandbox.add_product("Rocket Skates", sku="SKATES", barcode="0002")
        cls.warehouse_east = cls.env["stock.warehouse"].create({"name": "East", "code": "EST"})
        cls.shop.action_test_connection()
        cls.shop.action_sync_locations()
        cls._map(cls.loc_main).warehouse_id = cls.warehouse
        cls._map(cls.loc_east).warehouse_id = cls.warehouse_east
        cls.anvil = cls._product("Anvil", "ANVIL")
        cls.skates = cls._product("Rocket Skates", "SKATES")
        cls._skus = {cls.anvil: "ANVIL", cls.skates: "SKATES"}
        cls.partner = cls.env["res.partner"].create(
            {"name": "Wile E.", "email": "wile@example.com"}
        )
        cls.ups = ups_carrier(cls.env)

    @classmethod
    def _map(cls, location):
        return cls.shop.location_map_ids.filtered(
            lambda m: m.shopify_location_id == str(location["legacy_id"])
        )

    def map_to_another_company(self, location):
        """Map ``location`` to a warehouse of a new company, "Roadrunner
        Inc.". The form refuses this mapping; a warehouse given to another
        company afterwards (or a write around the form) gets there."""
        other = self.env["res.company"].create({"name": "Roadrunner Inc."})
        foreign = (
            self.env["stock.warehouse"]
            .with_company(other)
            .create({"name": "Roadrunner WH", "code": "RRW", "company_id": other.id})
        )
        self.env.cr.execute(
            "UPDATE synco_location_map SET warehouse_id = %s WHERE id = %s",
            (foreign.id, self._map(location).id),
        )
        self.env.invalidate_all()
        return foreign

    @classmethod
    def _product(cls, name, sku):
        product = cls.env["product.product"].create(
            {"name": name, "default_code": sku, "is_storable": True, "type": "consu"}
        )
        for warehouse in (cls.warehouse, cls.warehouse_east):
            cls.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 100)
        return product

    def order(self, *lines, warehouse=None):
        """A Shopify order in the sandbox and its confirmed Odoo sale order.
        ``lines``: (product, quantity, shopify location)."""
        shopify = self.sandbox.create_order(
            email="wile@example.com",
            line_items=[
                {"sku": self._skus[p], "quantity": qty, "location_id": loc["id"]}
                for p, qty, loc in lines
            ],
        )
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "warehouse_id": (warehouse or self.warehouse).id,
                "synco_shop_id": self.shop.id,
                "shopify_order_id": str(shopify["legacy_id"]),
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "shopify_line_item_id": str(item["legacy_id"]),
                        }
                    )
                    for (product, qty, _loc), item in zip(lines, shopify["line_items"], strict=True)
                ],
            }
        )
        sale.action_confirm()
        return shopify, sale

    def validate(self, picking, quantities=None, backorder=True, tracking=None, carrier=None):
        """Ship ``quantities`` ({product: qty}, default all) as a warehouse
        user would, keeping or dropping the rest."""
        if carrier or tracking:
            picking.write(
                {"carrier_id": (carrier or self.ups).id, "carrier_tracking_ref": tracking}
            )
        for move in picking.move_ids.filtered(lambda m: m.state != "cancel"):
            qty = move.product_uom_qty if quantities is None else quantities.get(move.product_id, 0)
            move.quantity = qty
            move.picked = True
        context = {"skip_backorder": True, "skip_sanity_check": True}
        if not backorder:
            context["picking_ids_not_to_backorder"] = picking.ids
        picking.with_context(**context).button_validate()
        self.assertEqual(picking.state, "done")
        return picking.backorder_ids

    def shopify_order(self, shopify):
        return self.sandbox.order(shopify["id"])


class SyncoHttpOrderCase(SyncoOrderCase, HttpCase):
    """SyncoOrderCase with Odoo's HTTP server up and the sandbox subscribed
    to it: the sandbox's signed webhooks reach the real controller."""

    TOPICS = ("FULFILLMENTS_CREATE", "FULFILLMENTS_UPDATE")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        uri = f"{cls.base_url()}{WEBHOOK_ROUTE}"
        for topic in cls.TOPICS:
            cls.sandbox.create_subscription(topic=topic, uri=uri)

    def deliver(self):
        """Wait until the sandbox delivered every webhook (the test thread
        stays off the database meanwhile), run the queue, and wait again for
        the webhooks the jobs' own Shopify writes fired: the test thread must
        not share the test cursor with a request still being served."""
        self.wait_webhooks()
        ran = self.run_jobs()
        self.wait_webhooks()
        return ran

    def wait_webhooks(self):
        with odoo_compat.serving_requests(self):
            self.assertTrue(self.sandbox.wait_webhooks(timeout=20), "webhooks still in flight")


class SyncoShopifyLedCase(SyncoHttpOrderCase):
    """Shopify leads the shop: its fulfillments reach the controller as
    signed webhooks and become validated deliveries."""

    TOPICS = ("fulfillments/create", "fulfillments/update")

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "shopify_to_odoo"

    def on_hand(self, product, warehouse=None):
        return product.with_context(warehouse_id=(warehouse or self.warehouse).id).qty_available
