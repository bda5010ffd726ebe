from odoo import Command
from odoo.tests import tagged

from .common import SyncoOrderCase, SyncoShopifyLedCase


class PickupMixin:
    def pickup_order(self, *lines, method="PICK_UP"):
        """A Shopify order the customer collects, and its confirmed sale order
        (marked as the import marks it). ``lines``: (product, quantity)."""
        shopify = self.sandbox.create_order(
            email="wile@example.com",
            delivery_method=method,
            line_items=[
                {"sku": self._skus[p], "quantity": qty, "location_id": self.loc_main["id"]}
                for p, qty in lines
            ],
        )
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "warehouse_id": self.warehouse.id,
                "synco_shop_id": self.shop.id,
                "shopify_order_id": str(shopify["legacy_id"]),
                "shopify_pickup": method == "PICK_UP",
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "shopify_line_item_id": str(item["legacy_id"]),
                        }
                    )
                    for (product, qty), item in zip(lines, shopify["line_items"], strict=True)
                ],
            }
        )
        sale.action_confirm()
        return shopify, sale

    def shopify_fo(self, shopify):
        return self.shopify_order(shopify)["fulfillment_orders"][0]

    def pickup_jobs(self):
        return self.env["synco.job"].search([("job_type", "=", "pickup_ready")])


@tagged("post_install", "-at_install")
class TestPickup(PickupMixin, SyncoOrderCase):
    """Odoo-led local pickup: "ready for pickup" in Shopify when the goods are
    ready, a fulfillment without tracking when the customer collected."""

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"

    def test_ready_button_marks_shopify_prepared_and_collection_fulfills_without_tracking(self):
        shopify, sale = self.pickup_order((self.anvil, 2))
        delivery = sale.picking_ids
        self.assertEqual(delivery.state, "assigned")
        delivery.action_synco_ready_for_pickup()
        self.run_jobs()
        job = self.pickup_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        fo = self.shopify_fo(shopify)
        self.assertEqual((fo["prepared_for_pickup"], fo["status"]), (True, "IN_PROGRESS"))
        self.assertTrue(delivery.shopify_ready_for_pickup)
        self.assertIn("ready for pickup", delivery.message_ids[0].body)
        # The customer collects: a carrier left on the delivery sends no tracking.
        self.validate(delivery, tracking="NOT-A-PARCEL")
        self.run_jobs()
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")
        self.assertEqual(order["fulfillments"][0]["tracking"], [])
        self.assertEqual(delivery.synco_fulfillment_ids.state, "done")

    def test_import_marks_the_order_a_pickup(self):
        shopify = self.sandbox.create_order(
            email="wile@example.com",
            delivery_method="PICK_UP",
            line_items=[{"sku": "ANVIL", "quantity": 1, "location_id": self.loc_main["id"]}],
        )
        shipped = self.sandbox.create_order(
            email="wile@example.com",
            line_items=[{"sku": "ANVIL", "quantity": 1, "location_id": self.loc_main["id"]}],
        )
        Sale = self.env["sale.order"]
        for order in (shopify, shipped):
            Sale._synco_enqueue_import(self.shop, order["legacy_id"], "manual")
        self.run_jobs()
        sales = {
            order["legacy_id"]: Sale.search([("shopify_order_id", "=", str(order["legacy_id"]))])
            for order in (shopify, shipped)
        }
        self.assertTrue(sales[shopify["legacy_id"]].shopify_pickup)
        self.assertFalse(sales[shipped["legacy_id"]].shopify_pickup)
        self.assertTrue(sales[shopify["legacy_id"]].picking_ids.shopify_pickup)

    def test_last_step_before_the_delivery_marks_ready_in_a_two_step_warehouse(self):
        self.warehouse.delivery_steps = "pick_ship"
        shopify, sale = self.pickup_order((self.anvil, 1), (self.skates, 1))
        pick = sale.picking_ids.filtered(lambda p: p.picking_type_code == "internal")
        self.assertEqual(len(pick), 1)
        self.validate(pick)
        delivery = sale.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(self.pickup_jobs().res_id, delivery.id)
        self.run_jobs()
        self.assertTrue(self.shopify_fo(shopify)["prepared_for_pickup"])
        self.assertTrue(delivery.shopify_ready_for_pickup)
        self.validate(delivery)
        self.run_jobs()
        self.assertEqual(self.shopify_order(shopify)["display_fulfillment_status"], "FULFILLED")

    def test_a_partial_pick_does_not_mark_ready(self):
        self.warehouse.delivery_steps = "pick_ship"
        _shopify, sale = self.pickup_order((self.anvil, 2))
        pick = sale.picking_ids.filtered(lambda p: p.picking_type_code == "internal")
        self.validate(pick, {self.anvil: 1})
        self.assertFalse(self.pickup_jobs())

    def test_retry_after_a_lost_answer_finds_the_pickup_prepared(self):
        self.sandbox.clear_calls()
        _shopify, sale = self.pickup_order((self.anvil, 1))
        delivery = sale.picking_ids
        delivery.action_synco_ready_for_pickup()
        self.run_jobs()
        # Shopify prepared it but Odoo never heard: the retry finds nothing to prepare.
        delivery.shopify_ready_for_pickup = False
        delivery.action_synco_ready_for_pickup()
        self.run_jobs()
        jobs = self.pickup_jobs()
        self.assertEqual(jobs.mapped("state"), ["done", "done"], jobs.mapped("last_error"))
        self.assertTrue(delivery.shopify_ready_for_pickup)
        calls = [c["operation_name"] for c in self.sandbox.calls()]
        self.assertEqual(calls.count("SyncoPreparedForPickup"), 2)

    def test_a_shipping_order_is_not_marked_ready(self):
        shopify, sale = self.pickup_order((self.anvil, 1), method="SHIPPING")
        sale.picking_ids.action_synco_ready_for_pickup()
        self.assertFalse(self.pickup_jobs())
        # Forced through (a sale marked by hand), Shopify's answer stops it.
        sale.shopify_pickup = True
        sale.picking_ids.action_synco_ready_for_pickup()
        self.run_jobs()
        job = self.pickup_jobs()
        self.assertEqual(job.state, "failed")
        self.assertIn("no open pickup", job.last_error)
        self.assertFalse(self.shopify_fo(shopify)["prepared_for_pickup"])


@tagged("post_install", "-at_install")
class TestPickupShopifyLed(PickupMixin, SyncoShopifyLedCase):
    """Shopify-led local pickup: the pickup completed in Shopify validates the
    Odoo delivery like any fulfillment; Odoo marks nothing ready itself."""

    def test_pickup_completed_in_shopify_validates_the_delivery(self):
        shopify, sale = self.pickup_order((self.anvil, 2))
        delivery = sale.picking_ids
        delivery.action_synco_ready_for_pickup()
        self.assertFalse(self.pickup_jobs())
        self.sandbox.fulfill(shopify["id"], location_id=self.loc_main["id"])
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(sale.order_line.qty_delivered, 2)
