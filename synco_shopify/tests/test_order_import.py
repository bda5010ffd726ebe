from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import tagged

from .. import odoo_compat
from ..odoo_compat import SALE_LINE_TAXES as TAXES
from ..shopify import queries
from ..shopify.const import WEBHOOK_ROUTE
from ..shopify.ids import to_gid
from .common import SyncoHttpOrderCase

ADDRESS = {
    "name": "Wile E. Coyote",
    "first_name": "Wile",
    "last_name": "Coyote",
    "address1": "1 Mesa Road",
    "city": "Tucson",
    "zip": "85701",
    "province_code": "AZ",
    "country_code": "US",
}


@tagged("post_install", "-at_install")
class TestOrderImport(SyncoHttpOrderCase):
    """Orders in: Shopify orders become confirmed sale orders, from webhooks
    (signed by the sandbox, posted to Odoo's controller over HTTP), the
    catch-up and the manual import, against the sandbox over HTTP."""

    TOPICS = ()  # each test sends the webhooks it is about

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hook_url = f"{cls.base_url()}{WEBHOOK_ROUTE}"
        cls.sandbox.add_product("Widget", sku="WIDGET", barcode="0003")

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()

    # -- helpers ------------------------------------------------------------------

    def new_order(self, *lines, **spec):
        """A Shopify order: ``lines`` are (sku, quantity, location) or dicts."""
        items = [
            {"sku": item[0], "quantity": item[1], "location_id": item[2]["id"]}
            if isinstance(item, tuple)
            else item
            for item in lines
        ]
        spec.setdefault("email", "roadrunner@example.com")
        return self.sandbox.create_order(line_items=items, **spec)

    def webhook(self, topic, shopify, duplicates=0):
        """Have the sandbox send Shopify's webhook for the order to Odoo's
        controller (``duplicates`` more copies of it); returns the events
        stored, once every copy was answered 200."""
        with odoo_compat.serving_requests(self):
            sent = self.sandbox.fire(
                topic, resource_id=shopify["id"], uri=self.hook_url, duplicates=duplicates
            )
            self.assertTrue(self.sandbox.wait_webhooks(timeout=20), "webhooks still in flight")
        copies = [d for d in self.sandbox.deliveries() if d["webhook_id"] in sent["webhook_ids"]]
        self.assertEqual([d["status"] for d in copies], [200] * (1 + duplicates))
        return self.env["synco.webhook.event"].search(
            [("shop_id", "=", self.shop.id), ("webhook_id", "in", sent["webhook_ids"])]
        )

    def sale_of(self, shopify):
        return self.env["sale.order"].search(
            [
                ("synco_shop_id", "=", self.shop.id),
                ("shopify_order_id", "=", str(shopify["legacy_id"])),
            ]
        )

    def import_jobs(self, shopify):
        return self.env["synco.job"].search(
            [("job_type", "=", "import_order"), ("dedupe_key", "like", f"%:{shopify['legacy_id']}")]
        )

    def shopify_total(self, shopify):
        order = self.shop._shopify_client().execute(
            queries.ORDER, {"id": to_gid("Order", shopify["legacy_id"])}
        )["order"]
        return float(Decimal(order["totalPriceSet"]["shopMoney"]["amount"]))

    def imported(self, shopify):
        """Import ``shopify`` through its orders/create webhook."""
        self.webhook("orders/create", shopify)
        self.run_jobs()
        sale = self.sale_of(shopify)
        self.assertEqual(len(sale), 1, self.import_jobs(shopify).mapped("last_error"))
        return sale

    def assertTotal(self, sale, shopify, expected):
        self.assertAlmostEqual(self.shopify_total(shopify), expected, places=2)
        self.assertAlmostEqual(sale.amount_total, expected, places=2)

    # -- what an order becomes ------------------------------------------------------

    def test_single_line_order_becomes_a_confirmed_sale_order(self):
        shopify = self.new_order(
            ("ANVIL", 2, self.loc_main),
            customer={"first_name": "Road", "last_name": "Runner"},
            shipping_address=ADDRESS,
        )
        sale = self.imported(shopify)
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.client_order_ref, shopify["name"])
        self.assertEqual(sale.company_id, self.shop.company_id)
        self.assertEqual(sale.warehouse_id, self.warehouse)
        line = sale.order_line
        self.assertEqual(line.shopify_line_item_id, str(shopify["line_items"][0]["legacy_id"]))
        self.assertEqual(
            (line.product_id, line.product_uom_qty, line.price_unit), (self.anvil, 2, 10)
        )
        self.assertFalse(line[TAXES])
        self.assertEqual(sale.partner_id.email, "roadrunner@example.com")
        self.assertEqual(sale.partner_id.name, "Road Runner")
        self.assertEqual(sale.partner_shipping_id.street, "1 Mesa Road")
        self.assertEqual(sale.partner_shipping_id.state_id.code, "AZ")
        picking = sale.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_id.warehouse_id, self.warehouse)
        self.assertEqual(picking.move_ids.sale_line_id, line)
        self.assertTotal(sale, shopify, 20.00)
        job = self.import_jobs(shopify)
        self.assertEqual((job.state, job.result), ("done", f"imported as {sale.name}"))

    def test_known_customer_matches_by_email(self):
        shopify = self.new_order(("ANVIL", 1, self.loc_main), email="WILE@example.com")
        sale = self.imported(shopify)
        self.assertEqual(sale.partner_id, self.partner)

    def test_multi_line_order_with_discount_tax_and_shipping(self):
        tax = {"title": "AZ State Tax", "rate": 0.0825}
        shopify = self.new_order(
            {
                "sku": "ANVIL",
                "quantity": 3,
                "price": "19.99",
                "location_id": self.loc_main["id"],
                "discounts": ["5.00"],
                "tax_lines": [dict(tax, price="4.54")],  # 8.25 % of 54.97
            },
            {
                "sku": "SKATES",
                "quantity": 7,
                "price": "123.45",
                "location_id": self.loc_main["id"],
                "discounts": ["17.33"],
                "tax_lines": [dict(tax, price="69.86")],  # 8.25 % of 846.82
            },
            shipping_lines=[
                {
                    "title": "UPS Ground",
                    "code": "ups_ground",
                    "price": "12.50",
                    "tax_lines": [dict(tax, price="1.03")],
                },
            ],
            shipping_address=ADDRESS,
        )
        sale = self.imported(shopify)
        anvil, skates = sale.order_line.filtered(lambda sol: not sol.is_delivery)
        self.assertAlmostEqual(anvil.price_subtotal, 54.97, places=2)
        self.assertAlmostEqual(skates.price_subtotal, 846.82, places=2)
        self.assertEqual(anvil[TAXES].amount, 8.25)
        self.assertFalse(anvil[TAXES].price_include)
        shipping = sale.order_line.filtered("is_delivery")
        self.assertEqual(sale.carrier_id, self.ups)
        self.assertEqual((shipping.product_id, shipping.price_unit), (self.ups.product_id, 12.5))
        self.assertEqual(shipping[TAXES], anvil[TAXES])
        self.assertAlmostEqual(sale.amount_tax, 4.54 + 69.86 + 1.03, places=2)
        self.assertTotal(sale, shopify, 54.97 + 846.82 + 12.50 + 4.54 + 69.86 + 1.03)
        self.assertEqual(len(sale.picking_ids.move_ids), 2, "no move for the shipping line")

    def test_unknown_shipping_method_uses_the_shopify_carrier(self):
        shopify = self.new_order(
            ("ANVIL", 1, self.loc_main),
            shipping_lines=[{"title": "Pigeon Post", "price": "3.00"}],
        )
        sale = self.imported(shopify)
        self.assertEqual(sale.carrier_id, self.env.ref("synco_shopify.delivery_carrier_shopify"))
        self.assertEqual(sale.order_line.filtered("is_delivery").name, "Pigeon Post")
        self.assertTotal(sale, shopify, 13.00)

    def test_tax_included_shop(self):
        vat = {"title": "VAT", "rate": 0.2}
        shopify = self.new_order(
            {
                "sku": "SKATES",
                "quantity": 2,
                "price": "60.00",
                "location_id": self.loc_main["id"],
                "discounts": ["10.00"],
                "tax_lines": [dict(vat, price="18.33")],  # 110.00 / 1.2 * 0.2
            },
            shipping_lines=[
                {"title": "Standard", "price": "6.00", "tax_lines": [dict(vat, price="1.00")]}
            ],
            taxes_included=True,
        )
        sale = self.imported(shopify)
        line = sale.order_line.filtered(lambda sol: not sol.is_delivery)
        self.assertTrue(line[TAXES].price_include)
        self.assertEqual(line[TAXES].amount, 20)
        self.assertAlmostEqual(line.price_total, 110.00, places=2)
        self.assertAlmostEqual(sale.amount_tax, 18.33 + 1.00, places=2)
        self.assertTotal(sale, shopify, 116.00)

    def test_order_split_across_two_locations_ships_from_two_warehouses(self):
        shopify = self.new_order(("ANVIL", 2, self.loc_main), ("SKATES", 1, self.loc_east))
        sale = self.imported(shopify)
        by_warehouse = {p.picking_type_id.warehouse_id: p for p in sale.picking_ids}
        self.assertEqual(set(by_warehouse), {self.warehouse, self.warehouse_east})
        self.assertEqual(by_warehouse[self.warehouse].move_ids.product_id, self.anvil)
        self.assertEqual(by_warehouse[self.warehouse_east].move_ids.product_id, self.skates)
        # The deliveries carry the order all the way back to Shopify.
        self.validate(by_warehouse[self.warehouse_east], tracking="EAST-1")
        self.run_jobs()
        (fulfillment,) = self.shopify_order(shopify)["fulfillments"]
        self.assertEqual(fulfillment["location_id"], self.loc_east["id"])
        self.assertEqual(fulfillment["tracking"][0]["number"], "EAST-1")

    # -- what is not imported -----------------------------------------------------------

    def test_unmatched_sku_needs_attention_then_retry_imports(self):
        shopify = self.new_order(("ANVIL", 1, self.loc_main), ("WIDGET", 2, self.loc_main))
        self.webhook("orders/create", shopify)
        self.run_jobs()
        job = self.import_jobs(shopify)
        self.assertEqual(job.state, "failed")
        self.assertTrue(job.needs_attention)
        self.assertIn("WIDGET", job.last_error)
        self.assertNotIn("ANVIL", job.last_error)
        self.assertFalse(self.sale_of(shopify))
        widget = self._product("Widget", "WIDGET")
        job.action_retry()
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sale_of(shopify).order_line.product_id, self.anvil | widget)

    def test_product_matches_by_barcode_without_sku(self):
        self.skates.default_code = False
        self.skates.barcode = "0002"
        shopify = self.new_order(("SKATES", 1, self.loc_main))
        self.assertEqual(self.imported(shopify).order_line.product_id, self.skates)

    def test_test_order_is_skipped(self):
        shopify = self.new_order(("ANVIL", 1, self.loc_main), test=True)
        self.webhook("orders/create", shopify)
        self.run_jobs()
        job = self.import_jobs(shopify)
        self.assertEqual((job.state, job.result), ("done", "skipped: test order"))
        self.assertFalse(self.sale_of(shopify))

    def test_order_of_an_unmapped_location_is_skipped(self):
        shopify = self.new_order(("ANVIL", 1, self.loc_main), ("SKATES", 1, self.loc_3pl))
        self.webhook("orders/create", shopify)
        self.run_jobs()
        job = self.import_jobs(shopify)
        self.assertEqual(job.state, "done")
        self.assertIn("unmapped Shopify locations", job.result)
        self.assertIn(str(self.loc_3pl["legacy_id"]), job.result)
        self.assertFalse(self.sale_of(shopify))

    # -- idempotent -------------------------------------------------------------------------

    def test_same_webhook_three_times_makes_one_order(self):
        shopify = self.new_order(("ANVIL", 1, self.loc_main), ("SKATES", 2, self.loc_main))
        # Shopify's retries of one delivery (one webhook id) are one event...
        events = self.webhook("orders/create", shopify, duplicates=2)
        # ...and separate deliveries for one order fold into one import.
        events |= self.webhook("orders/create", shopify)
        events |= self.webhook("orders/updated", shopify)
        self.assertEqual(len(events), 3)
        self.run_jobs()
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(len(self.import_jobs(shopify)), 1)
        sale = self.sale_of(shopify)
        self.assertEqual(len(sale), 1)
        self.assertEqual(len(sale.order_line), 2)
        self.assertEqual(len(sale.picking_ids), 1)
        # A later update changes nothing.
        self.webhook("orders/updated", shopify)
        self.run_jobs()
        self.assertEqual(len(self.sale_of(shopify).order_line), 2)

    def test_webhook_plus_catch_up_make_one_order(self):
        shopify = self.new_order(("ANVIL", 1, self.loc_main))
        lost = self.new_order(("SKATES", 1, self.loc_east))  # its webhook never came
        sale = self.imported(shopify)
        self.shop.orders_synced_at = False
        self.env["sale.order"]._synco_cron_catch_up()
        self.assertTrue(self.shop.orders_synced_at)
        self.run_jobs()
        self.assertEqual(self.sale_of(shopify), sale)
        self.assertEqual(len(sale.order_line), 1)
        self.assertEqual(len(self.import_jobs(shopify)), 1, "only the webhook's: Odoo has it")
        self.assertEqual(self.sale_of(lost).order_line.product_id, self.skates)
        calls = [c for c in self.sandbox.calls() if c["operation_name"] == "SyncoOrders"]
        self.assertTrue(calls)

    def test_catch_up_brings_a_cancellation_whose_webhook_was_lost(self):
        shopify = self.new_order(("ANVIL", 1, self.loc_main))
        sale = self.imported(shopify)
        self.sandbox.cancel_order(shopify["id"])
        self.shop.orders_synced_at = False
        self.env["sale.order"]._synco_cron_catch_up()
        self.run_jobs()
        self.assertEqual(sale.state, "cancel")
        self.env["sale.order"]._synco_cron_catch_up()  # cancelled on both sides: nothing to do
        self.assertFalse(self.import_jobs(shopify).filtered(lambda j: j.state == "pending"))

    def test_catch_up_asks_only_since_the_last_run_with_an_overlap(self):
        self.shop.orders_synced_at = "2999-01-01 00:00:00"
        shopify = self.new_order(("ANVIL", 1, self.loc_main))
        self.env["sale.order"]._synco_cron_catch_up()
        self.assertFalse(self.import_jobs(shopify))
        self.assertLess(self.shop.orders_synced_at.year, 2999)

    def test_manual_import_by_order_name(self):
        shopify = self.new_order(("ANVIL", 1, self.loc_main))
        wizard = self.env["synco.order.import.wizard"].create(
            {"shop_id": self.shop.id, "order_ref": shopify["name"].lstrip("#")}
        )
        action = wizard.action_import()
        self.assertEqual(action["params"]["type"], "success")
        self.run_jobs()
        self.assertEqual(self.sale_of(shopify).client_order_ref, shopify["name"])
        wizard.order_ref = "#999999"
        with self.assertRaises(UserError):
            wizard.action_import()

    # -- cancellation -----------------------------------------------------------------------

    def test_cancellation_before_shipping_cancels_the_order(self):
        shopify = self.new_order(("ANVIL", 2, self.loc_main))
        sale = self.imported(shopify)
        self.sandbox.cancel_order(shopify["id"])
        self.webhook("orders/cancelled", shopify)
        self.webhook("orders/updated", shopify)
        self.run_jobs()
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(set(sale.picking_ids.mapped("state")), {"cancel"})
        self.assertEqual(set(self.import_jobs(shopify).mapped("state")), {"done"})

    def test_cancellation_after_partial_shipment_needs_attention(self):
        shopify = self.new_order(("ANVIL", 3, self.loc_main))
        sale = self.imported(shopify)
        backorder = self.validate(sale.picking_ids, {self.anvil: 1})
        self.run_jobs()  # the partial delivery reaches Shopify
        self.sandbox.cancel_order(shopify["id"])
        self.webhook("orders/cancelled", shopify)
        self.run_jobs()
        job = self.import_jobs(shopify).filtered(lambda j: j.dedupe_key.startswith("cancel:"))
        self.assertEqual(job.state, "failed")
        self.assertTrue(job.needs_attention)
        self.assertIn(sale.name, job.last_error)
        self.assertEqual(sale.state, "sale")
        self.assertEqual(backorder.state, "assigned")

    def test_cancelled_order_is_not_imported(self):
        shopify = self.new_order(("ANVIL", 1, self.loc_main))
        self.sandbox.cancel_order(shopify["id"])
        self.webhook("orders/create", shopify)
        self.run_jobs()
        self.assertEqual(self.import_jobs(shopify).result, "skipped: cancelled order")
        self.assertFalse(self.sale_of(shopify))
