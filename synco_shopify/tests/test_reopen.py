from odoo.tests import new_test_user, tagged

from ..shopify import queries
from .common import SyncoShopifyLedCase

TODO = "Shopify lines without an Odoo delivery"


@tagged("post_install", "-at_install")
class TestReopen(SyncoShopifyLedCase):
    """Shopify-led, when Odoo will not ship what Shopify may still ship ("No
    backorder", a type that never makes backorders, a cancelled delivery or
    sale order): the order gets a to-do naming the lines, and a later
    Shopify fulfillment of them makes their delivery again, from the
    warehouse that shipped, and validates it; a cancelled sale order stops
    the apply until it is confirmed again."""

    def on_hand(self, warehouse=None):
        warehouse = warehouse or self.warehouse
        return self.anvil.with_context(warehouse_id=warehouse.id).qty_available

    def ship(self, shopify, quantity, location=None):
        return self.sandbox.fulfill(
            shopify["id"],
            line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": quantity}],
            tracking={"company": "UPS", "number": "1ZAGAIN"},
            location_id=(location or self.loc_main)["id"],
        )

    def todo(self, sale):
        return sale.activity_ids.filtered(lambda a: a.summary == TODO)

    def apply_job(self):
        return self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])

    def open_pickings(self, sale):
        return sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

    def assert_noted(self, sale, shopify, quantity):
        todo = self.todo(sale)
        self.assertEqual(len(todo), 1)
        for text in (str(shopify["line_items"][0]["legacy_id"]), f": {quantity}", "Anvil"):
            self.assertIn(text, todo.note)
        self.assertFalse(
            self.env["synco.job"].search([("job_type", "=", "left_open")]),
            "no failing job: Shopify may still ship them",
        )
        self.assertNotEqual(sale.synco_state, "attention")

    def assert_applied(self, sale, fulfillment, shipped):
        job = self.apply_job()
        self.assertEqual(job.state, "done", job.last_error)
        delivery = sale.synco_fulfillment_ids.picking_id
        self.assertEqual((delivery.state, delivery.move_ids.quantity), ("done", shipped))
        self.assertEqual(delivery.carrier_tracking_ref, "1ZAGAIN")
        warehouse = delivery.picking_type_id.warehouse_id
        notes = "".join(sale.message_ids.mapped("body"))
        self.assertIn(f"from {warehouse.name} again", notes, "the order says what was made")
        # A replay of the fulfillment moves nothing again.
        pickings, stock = sale.picking_ids, self.on_hand(warehouse)
        self.sandbox.fire("fulfillments/update", resource_id=fulfillment["id"])
        self.deliver()
        self.assertEqual(sale.picking_ids, pickings)
        self.assertEqual(self.on_hand(warehouse), stock)
        self.assertEqual(len(sale.synco_fulfillment_ids), 1)
        return delivery

    def test_no_backorder_then_shopify_ships_part_of_the_rest(self):
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        self.validate(sale.picking_ids, {self.anvil: 1}, backorder=False)
        self.assertFalse(self.open_pickings(sale))
        self.assert_noted(sale, shopify, 2.0)
        before = self.on_hand()
        fulfillment = self.ship(shopify, 1)
        self.deliver()
        self.assert_applied(sale, fulfillment, 1.0)
        self.assertEqual(self.on_hand(), before - 1)
        # What Shopify may still ship stays open, so the to-do is done.
        self.assertEqual(self.open_pickings(sale).move_ids.product_uom_qty, 1.0)
        self.assertFalse(self.todo(sale))
        self.assertEqual(sale.order_line.qty_delivered, 2.0)

    def test_type_that_never_backorders(self):
        self.warehouse.out_type_id.create_backorder = "never"
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        self.validate(sale.picking_ids, {self.anvil: 1})
        self.assert_noted(sale, shopify, 2.0)
        fulfillment = self.ship(shopify, 2)
        self.deliver()
        self.assert_applied(sale, fulfillment, 2.0)
        self.assertFalse(self.open_pickings(sale))
        self.assertEqual(sale.order_line.qty_delivered, 3.0)

    def test_cancelled_delivery(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        # A warehouse user, with no sales rights, cancels it.
        picker = new_test_user(
            self.env, login="picker", groups="stock.group_stock_user,synco_shopify.group_synco_user"
        )
        sale.picking_ids.with_user(picker).action_cancel()
        self.assert_noted(sale, shopify, 2.0)
        fulfillment = self.ship(shopify, 2)
        self.deliver()
        delivery = self.assert_applied(sale, fulfillment, 2.0)
        self.assertEqual(delivery.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(sale.order_line.qty_delivered, 2.0)
        self.assertFalse(self.todo(sale))

    def test_cancelled_delivery_shipped_from_another_warehouse(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        sale.picking_ids.action_cancel()
        main_before, east_before = self.on_hand(), self.on_hand(self.warehouse_east)
        self.shop._shopify_client().mutate(
            queries.FULFILLMENT_ORDER_MOVE,
            {"id": shopify["fulfillment_orders"][0]["id"], "newLocationId": self.loc_east["id"]},
            "fulfillmentOrderMove",
        )
        fulfillment = self.ship(shopify, 2, location=self.loc_east)
        self.deliver()
        delivery = self.assert_applied(sale, fulfillment, 2.0)
        self.assertEqual(delivery.picking_type_id, self.warehouse_east.out_type_id)
        self.assertEqual(len(sale.picking_ids), 2, "the cancelled one and East's, no detour")
        self.assertEqual(self.on_hand(self.warehouse_east), east_before - 2)
        self.assertEqual(self.on_hand(), main_before)

    def test_cancelled_sale_order_stops_until_confirmed_again(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        sale.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(sale.state, "cancel")
        self.assert_noted(sale, shopify, 2.0)
        before = self.on_hand()
        fulfillment = self.ship(shopify, 2)
        self.deliver()
        job = self.apply_job()
        self.assertEqual((job.state, job.needs_attention), ("failed", True))
        for text in (sale.name, str(shopify["line_items"][0]["legacy_id"]), "back to quotation"):
            self.assertIn(text, job.last_error)
        self.assertEqual(set(sale.picking_ids.mapped("state")), {"cancel"}, "nothing revived")
        self.assertEqual(self.on_hand(), before)
        # The merchant confirms the order again, and retries.
        sale.action_draft()
        sale.action_confirm()
        self.assertFalse(self.todo(sale), "every line has a delivery again")
        job.action_retry()
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(sale.order_line.qty_delivered, 2.0)
        self.assertEqual(self.on_hand(), before - 2)
        self.sandbox.fire("fulfillments/update", resource_id=fulfillment["id"])
        self.deliver()
        self.assertEqual(self.on_hand(), before - 2)

    def test_cancelled_pick_in_a_pick_ship_warehouse(self):
        self.warehouse.delivery_steps = "pick_ship"
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        sale.picking_ids.action_cancel()
        self.assert_noted(sale, shopify, 2.0)
        fulfillment = self.ship(shopify, 1)
        self.deliver()
        delivery = self.assert_applied(sale, fulfillment, 1.0)
        self.assertEqual(delivery.picking_type_id, self.warehouse.out_type_id)
        open_ = self.open_pickings(sale)
        self.assertEqual(open_.picking_type_id, self.warehouse.pick_type_id)
        self.assertEqual(open_.move_ids.product_uom_qty, 1.0, "what Shopify may still ship")
        done_pick = sale.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_id == self.warehouse.pick_type_id
        )
        self.assertEqual(done_pick.move_ids.quantity, 1.0)
