from unittest.mock import patch

from odoo.tests import tagged

from .common import SyncoHttpOrderCase


@tagged("post_install", "-at_install")
class TestLeftOpen(SyncoHttpOrderCase):
    """When Odoo will not ship what Shopify expects: Odoo-led, the order
    needs attention and a to-do names the Shopify lines left open;
    Shopify-led, a backorder stays open for what Shopify may still ship; and
    Odoo books no carrier label for what a 3PL shipped."""

    TOPICS = ("fulfillments/create", "fulfillments/update")

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"

    def assert_flagged(self, sale, shopify, quantity):
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "left_open")])
        self.assertEqual(len(job), 1, "one per order")
        self.assertEqual((job.state, job.needs_attention), ("failed", True))
        for text in (str(shopify["line_items"][0]["legacy_id"]), f": {quantity}", "Anvil"):
            self.assertIn(text, job.last_error)
        self.assertEqual(sale.synco_state, "attention")
        self.assertTrue(sale.activity_ids)
        self.assertIn(str(shopify["line_items"][0]["legacy_id"]), sale.activity_ids[0].note)
        return job

    def test_no_backorder_flags_the_lines_left_open(self):
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        self.validate(sale.picking_ids, {self.anvil: 1}, backorder=False)
        self.assertFalse(sale.picking_ids.filtered(lambda p: p.state != "done"))
        self.assert_flagged(sale, shopify, 2.0)
        self.deliver()
        self.deliver()
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "PARTIALLY_FULFILLED")

    def test_type_that_never_backorders_flags_too(self):
        self.warehouse.out_type_id.create_backorder = "never"
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        self.validate(sale.picking_ids, {self.anvil: 2})
        self.assert_flagged(sale, shopify, 1.0)

    def test_cancelled_delivery_and_cancelled_order_flag_once(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        sale.picking_ids.action_cancel()
        self.assert_flagged(sale, shopify, 2.0)
        sale.with_context(disable_cancel_warning=True).action_cancel()
        self.assert_flagged(sale, shopify, 2.0)  # still one to-do

    def test_full_delivery_flags_nothing(self):
        _shopify, sale = self.order((self.anvil, 2, self.loc_main))
        self.validate(sale.picking_ids)
        self.deliver()
        self.assertEqual(sale.order_line.qty_delivered, 2)
        self.assert_nothing_flagged(sale)

    def test_delivery_with_a_backorder_for_the_rest_flags_nothing(self):
        _shopify, sale = self.order((self.anvil, 2, self.loc_main))
        backorder = self.validate(sale.picking_ids, {self.anvil: 1})
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)
        self.deliver()
        self.assert_nothing_flagged(sale)
        self.validate(backorder)
        self.deliver()
        self.assert_nothing_flagged(sale)

    def assert_nothing_flagged(self, sale):
        # The push's own fulfillments/create came back as an apply job (the
        # echo): the order is pending until it ran.
        self.deliver()
        self.assertFalse(self.env["synco.job"].search([("job_type", "=", "left_open")]))
        self.assertFalse(sale.activity_ids)
        self.assertEqual(sale.synco_state, "synced")

    def test_the_rest_refunded_then_retry_closes_it(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        self.validate(sale.picking_ids, {self.anvil: 1}, backorder=False)
        job = self.assert_flagged(sale, shopify, 1.0)
        # The merchant refunds the rest, and the order line follows.
        sale.order_line.product_uom_qty = 1
        job.action_retry()
        self.deliver()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertNotEqual(sale.synco_state, "attention")

    def test_shopify_led_keeps_a_backorder_where_the_type_never_makes_one(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        self.warehouse.out_type_id.create_backorder = "never"
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        self.sandbox.fulfill(
            shopify["id"],
            line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": 1}],
            tracking={"company": "UPS", "number": "1ZNEVER"},
            location_id=self.loc_main["id"],
        )
        self.deliver()
        open_ = sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(open_.move_ids.product_uom_qty, 2, "what Shopify may still ship")
        self.assertFalse(self.env["synco.job"].search([("job_type", "=", "left_open")]))

    def test_no_carrier_label_for_what_a_3pl_shipped(self):
        Carrier = type(self.ups)
        booked = []
        real = Carrier.send_shipping

        def send_shipping(carrier, pickings):
            booked.extend(pickings.mapped("name"))
            return real(carrier, pickings)

        self.startPatcher(patch.object(Carrier, "send_shipping", send_shipping))
        self.assertEqual(self.ups.integration_level, "rate_and_ship")
        self.shop.fulfillment_direction = "per_location"
        self._map(self.loc_main).direction = "shopify_to_odoo"
        self._map(self.loc_east).direction = "odoo_to_shopify"
        # A 3PL ships from Main and gives no tracking number yet.
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self.sandbox.fulfill(
            shopify["id"], tracking={"company": "UPS"}, location_id=self.loc_main["id"]
        )
        self.deliver()
        picking = sale.picking_ids
        self.assertEqual((picking.state, picking.carrier_id), ("done", self.ups))
        self.assertFalse(booked, "no label for goods a 3PL shipped")
        # The same carrier on a delivery Odoo ships does book one.
        _shopify, own = self.order((self.anvil, 1, self.loc_east), warehouse=self.warehouse_east)
        self.validate(own.picking_ids, carrier=self.ups)
        self.assertEqual(booked, own.picking_ids.mapped("name"))
