from odoo.tests import tagged

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
class TestOutOfOrderWebhooks(SyncoHttpOrderCase):
    """A webhook about an order Odoo does not have yet (its orders/create
    lost or late) queues that order's import at once, ahead of itself.
    The sandbox sends signed webhooks to the controller over HTTP; the
    order topics are not subscribed, as if their deliveries were lost."""

    TOPICS = (
        "fulfillments/create",
        "fulfillments/update",
        "orders/edited",
        "fulfillment_orders/placed_on_hold",
    )

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "shopify_to_odoo"

    def new_order(self, quantity=2):
        return self.sandbox.create_order(
            email="wile@example.com",
            shipping_address=ADDRESS,
            line_items=[{"sku": "ANVIL", "quantity": quantity, "location_id": self.loc_main["id"]}],
        )

    def sale_of(self, shopify):
        return self.env["sale.order"].search(
            [
                ("synco_shop_id", "=", self.shop.id),
                ("shopify_order_id", "=", str(shopify["legacy_id"])),
            ]
        )

    def order_jobs(self, shopify):
        return self.env["synco.job"].search(
            [("order_ref", "=", str(shopify["legacy_id"]))], order="id"
        )

    def test_fulfillment_before_its_order_imports_the_order_first(self):
        shopify = self.new_order()
        self.sandbox.fulfill(
            shopify["id"],
            tracking={"company": "UPS", "number": "1ZEARLY"},
            location_id=self.loc_main["id"],
        )
        self.deliver()
        jobs = self.order_jobs(shopify)
        self.assertEqual(jobs.mapped("job_type"), ["import_order", "apply_fulfillment"])
        self.assertEqual(jobs.mapped("state"), ["done", "done"], jobs.mapped("last_error"))
        self.assertEqual(jobs[1].attempts, 1, "the apply never waited for the order")
        sale = self.sale_of(shopify)
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "1ZEARLY")
        self.assertEqual(sale.order_line.qty_delivered, 2)

    def test_two_early_webhooks_share_one_import(self):
        shopify = self.new_order(quantity=3)
        for _ in range(2):
            self.sandbox.fulfill(
                shopify["id"],
                line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": 1}],
                location_id=self.loc_main["id"],
            )
        self.deliver()
        jobs = self.order_jobs(shopify)
        self.assertEqual(jobs.mapped("job_type").count("import_order"), 1)
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("last_error"))
        self.assertEqual(self.sale_of(shopify).order_line.qty_delivered, 2)

    def test_edit_before_its_order_imports_the_current_quantities(self):
        shopify = self.new_order(quantity=3)
        item = shopify["line_items"][0]
        self.sandbox.edit_order(shopify["id"], [{"line_item_id": item["id"], "quantity": 1}])
        self.deliver()
        sale = self.sale_of(shopify)
        self.assertTrue(sale, "the edit did not bring the order in")
        line = sale.order_line.filtered(lambda ln: ln.shopify_line_item_id)
        self.assertEqual(line.product_uom_qty, 1)
        self.assertEqual(sale.picking_ids.move_ids.product_uom_qty, 1)

    def test_hold_before_its_order_shows_on_the_imported_delivery(self):
        shopify = self.new_order()
        fo = shopify["fulfillment_orders"][0]
        self.sandbox.hold(fo["id"], reason="AWAITING_PAYMENT")
        self.deliver()
        sale = self.sale_of(shopify)
        self.assertTrue(sale, "the hold did not bring the order in")
        self.assertIn("AWAITING_PAYMENT", sale.picking_ids.shopify_hold_reason or "")
        states = self.env["synco.job"].search([("shop_id", "=", self.shop.id)]).mapped("state")
        self.assertNotIn("failed", states)

    def test_a_job_queued_about_an_order_odoo_lacks_goes_behind_its_import(self):
        """Outside the webhooks (which queue it in their own statement), the
        code queuing a job about an order asks for the import first: the
        reconciliation's apply, a return's sync. One about an order Odoo
        has is queued alone."""
        shopify = self.new_order()
        order_id = str(shopify["legacy_id"])
        Fulfillment = self.env["synco.fulfillment"]
        job = Fulfillment._synco_enqueue_apply(self.shop, "1", order_id)
        (first, second) = self.order_jobs(shopify)
        self.assertEqual((first.job_type, second), ("import_order", job))
        self.assertEqual(first.payload["source"], "before apply_fulfillment")
        job.action_cancel()
        self.run_jobs()
        self.assertTrue(self.sale_of(shopify))
        again = self.env["synco.return"]._synco_enqueue_sync(self.shop, "2", order_id)
        self.assertEqual(self.order_jobs(shopify)[-1], again)
        self.assertEqual(len(self.order_jobs(shopify)), 3, "no second import")
