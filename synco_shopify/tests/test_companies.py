from odoo.tests import new_test_user, tagged

from ..shopify import queries
from .common import SyncoHttpOrderCase, ups_carrier


@tagged("post_install", "-at_install")
class TestSecondCompany(SyncoHttpOrderCase):
    """A shop of a second company, with that company's warehouses and
    carrier, run by the queue while the cron's user works in the first
    company: both directions, cross-warehouse included, stay in the shop's
    company."""

    TOPICS = ("fulfillments/create", "fulfillments/update")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Acme Europe"})
        Warehouse = cls.env["stock.warehouse"].with_company(cls.company_b)
        main_b = Warehouse.create({"name": "EU Main", "code": "EUM"})
        east_b = Warehouse.create({"name": "EU East", "code": "EUE"})
        cls.shop.location_map_ids.write({"warehouse_id": False})
        cls.shop.company_id = cls.company_b
        cls._map(cls.loc_main).warehouse_id = main_b
        cls._map(cls.loc_east).warehouse_id = east_b
        cls.warehouse_a, cls.warehouse, cls.warehouse_east = cls.warehouse, main_b, east_b
        for product in (cls.anvil, cls.skates):
            for warehouse in (main_b, east_b):
                cls.env["stock.quant"]._update_available_quantity(
                    product, warehouse.lot_stock_id, 100
                )
        # Each company its own UPS carrier: the first company's comes first
        # by id, and must never be picked for the second's deliveries.
        cls.ups.company_id = cls.company_a
        cls.ups_b = ups_carrier(cls.env(context={"allowed_company_ids": [cls.company_b.id]}))
        cls.ups_b.write({"name": "UPS Europe", "company_id": cls.company_b.id})

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.assertEqual(self.env.company, self.company_a, "the runner works in company A")

    def order(self, *lines, warehouse=None):
        """The sale order is the second company's, as an import makes it."""
        base = self.env
        self.env = base(context=dict(base.context, allowed_company_ids=[self.company_b.id]))
        try:
            shopify, sale = super().order(*lines, warehouse=warehouse)
        finally:
            self.env = base
        self.assertEqual(sale.company_id, self.company_b)
        return shopify, sale.with_env(base)

    def move_to(self, shopify, location):
        self.shop._shopify_client().mutate(
            queries.FULFILLMENT_ORDER_MOVE,
            {"id": shopify["fulfillment_orders"][0]["id"], "newLocationId": location["id"]},
            "fulfillmentOrderMove",
        )

    def assert_all_of_company_b(self, sale):
        for record in (
            sale.picking_ids,
            sale.picking_ids.move_ids,
            sale.picking_ids.move_line_ids,
            sale.picking_ids.carrier_id,
            sale.synco_fulfillment_ids,
            sale.picking_ids.picking_type_id.warehouse_id,
        ):
            self.assertEqual(record.company_id, self.company_b, record)

    def test_shopify_led_cross_warehouse_stays_in_the_shops_company(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        self.move_to(shopify, self.loc_east)
        self.sandbox.fulfill(
            shopify["id"],
            line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": 2}],
            tracking={"company": "UPS", "number": "1ZEUROPE"},
            location_id=self.loc_east["id"],
        )
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(job.state, "done", job.last_error)
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(done.picking_type_id.warehouse_id, self.warehouse_east)
        self.assertEqual(done.carrier_id, self.ups_b, "the shop's company's carrier")
        self.assertEqual(sale.order_line.qty_delivered, 2)
        self.assert_all_of_company_b(sale)

    def test_odoo_led_cross_warehouse_stays_in_the_shops_company(self):
        self.shop.fulfillment_direction = "odoo_to_shopify"
        # Shopify assigned the order to Main; Odoo ships it from East.
        shopify, sale = self.order((self.anvil, 2, self.loc_main), warehouse=self.warehouse_east)
        picking = sale.picking_ids.with_company(self.company_b)
        self.validate(picking, tracking="1ZEAST", carrier=self.ups_b)
        self.deliver()
        self.deliver()
        push = self.env["synco.job"].search([("job_type", "=", "push_fulfillment")])
        self.assertEqual(push.state, "done", push.last_error)
        self.assertEqual(push.company_id, self.company_b)
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")
        (fulfillment,) = [f for f in order["fulfillments"] if f["status"] == "SUCCESS"]
        self.assertEqual(fulfillment["location_id"], self.loc_east["id"])
        self.assert_all_of_company_b(sale)

    def test_import_picks_the_carrier_of_the_shops_company_by_shopify_name(self):
        shopify = self.sandbox.create_order(
            email="wile@example.com",
            line_items=[{"sku": "ANVIL", "quantity": 1, "location_id": self.loc_main["id"]}],
            shipping_lines=[{"title": "UPS", "price": "5.00"}],
        )
        self.env["sale.order"]._synco_enqueue_import(self.shop, shopify["id"], "test")
        self.run_jobs()
        sale = self.env["sale.order"].search([("shopify_order_id", "=", str(shopify["legacy_id"]))])
        self.assertEqual(sale.company_id, self.company_b)
        self.assertEqual(sale.carrier_id, self.ups_b, "company B's UPS, not company A's")

    def test_a_user_of_one_company_sees_only_its_shops_records(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, _sale = self.order((self.anvil, 1, self.loc_main))
        fulfillment = self.sandbox.fulfill(shopify["id"], location_id=self.loc_main["id"])
        self.deliver()
        # The reconciliation's apply job reads Shopify: a call of the shop, logged.
        self.env["synco.fulfillment"]._synco_enqueue_apply(
            self.shop, fulfillment["legacy_id"], shopify["legacy_id"]
        )
        self.run_jobs()
        user_a = new_test_user(
            self.env,
            "synco_a",
            groups="base.group_user,synco_shopify.group_synco_manager",
            company_id=self.company_a.id,
        )
        # Company A's own shop, with one record of each kind.
        shop_a = self.env["synco.shop"].create(
            {
                "name": "Acme US",
                "company_id": self.company_a.id,
                "shop_domain": "acme-us.myshopify.com",
                "client_id": "a",
            }
        )
        mine = {
            "synco.job": self.env["synco.job"]._enqueue(
                shop_a, "import_order", model="sale.order", payload={"order_id": "1"}
            ),
            "synco.webhook.event": self.env["synco.webhook.event"].create(
                {"shop_id": shop_a.id, "webhook_id": "wh-a", "topic": "orders/create"}
            ),
            "synco.log": self.env["synco.log"].create(
                {"shop_id": shop_a.id, "operation": "SyncoShop", "outcome": "ok"}
            ),
            "synco.fulfillment": self.env["synco.fulfillment"].create(
                {"shop_id": shop_a.id, "shopify_fulfillment_id": "1", "origin": "shopify"}
            ),
        }
        for model, record in mine.items():
            self.assertTrue(self.env[model].search([("shop_id", "=", self.shop.id)]), model)
            self.assertEqual(self.env[model].with_user(user_a).search([]).ids, record.ids, model)
        self.assertEqual(self.env["synco.shop"].with_user(user_a).search([]), shop_a)
