from odoo.tests import tagged

from ..shopify import queries
from .common import SyncoShopifyLedCase


@tagged("post_install", "-at_install")
class TestApplyStops(SyncoShopifyLedCase):
    """Shopify-led: a fulfillment Odoo cannot place (a location mapped to no
    warehouse, or to another company's) or that Shopify has not finished
    (not SUCCESS) ends its job with the reason and moves nothing."""

    def ship(self, shopify, qty, location=None, status=None):
        return self.sandbox.fulfill(
            shopify["id"],
            line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": qty}],
            tracking={"company": "UPS", "number": "1ZSTOP"},
            location_id=(location or self.loc_main)["id"],
            status=status,
        )

    def move_to(self, shopify, location):
        self.shop._shopify_client().mutate(
            queries.FULFILLMENT_ORDER_MOVE,
            {"id": shopify["fulfillment_orders"][0]["id"], "newLocationId": location["id"]},
            "fulfillmentOrderMove",
        )

    def apply_job(self):
        return self.env["synco.job"].search(
            [("job_type", "=", "apply_fulfillment"), ("shop_id", "=", self.shop.id)],
            order="id desc",
            limit=1,
        )

    def test_location_mapped_to_no_warehouse_stops_then_retry_applies(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        self._map(self.loc_east).warehouse_id = False
        self.move_to(shopify, self.loc_east)
        main_before = self.on_hand(self.anvil)
        self.ship(shopify, 2, location=self.loc_east)
        self.deliver()
        job = self.apply_job()
        self.assertEqual(job.state, "failed", "a stop, not a crash retried")
        self.assertTrue(job.needs_attention)
        self.assertIn("East Warehouse", job.last_error)
        self.assertIn("mapped to no Odoo warehouse", job.last_error)
        self.assertIn("retry", job.last_error)
        self.assertNotIn("NOT NULL", job.last_error)
        self.assertEqual(sale.picking_ids.state, "assigned", "nothing moved")
        self.assertEqual(len(sale.picking_ids), 1)
        self.assertEqual(self.on_hand(self.anvil), main_before)
        # The merchant maps the location and retries: the goods leave East.
        self._map(self.loc_east).warehouse_id = self.warehouse_east
        east_before = self.on_hand(self.anvil, self.warehouse_east)
        job.action_retry()
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.on_hand(self.anvil, self.warehouse_east), east_before - 2)
        self.assertEqual(self.on_hand(self.anvil), main_before)

    def test_location_never_synced_stops_naming_its_id(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self._map(self.loc_east).unlink()  # as if Odoo never heard of it
        self.move_to(shopify, self.loc_east)
        self.ship(shopify, 1, location=self.loc_east)
        self.deliver()
        job = self.apply_job()
        self.assertEqual(job.state, "failed")
        self.assertIn(str(self.loc_east["legacy_id"]), job.last_error)
        self.assertEqual(sale.picking_ids.state, "assigned")

    def test_location_mapped_to_another_companys_warehouse_stops(self):
        foreign = self.map_to_another_company(self.loc_east)
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self.move_to(shopify, self.loc_east)
        self.ship(shopify, 1, location=self.loc_east)
        self.deliver()
        job = self.apply_job()
        self.assertEqual(job.state, "failed")
        for name in ("East Warehouse", "Roadrunner WH", "Roadrunner Inc.", self.env.company.name):
            self.assertIn(name, job.last_error)
        self.assertEqual(sale.picking_ids.state, "assigned", "nothing moved")
        self.assertFalse(
            self.env["stock.picking"].search([("picking_type_id.warehouse_id", "=", foreign.id)])
        )

    def test_pending_fulfillment_waits_then_success_applies_it(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        before = self.on_hand(self.anvil)
        fulfillment = self.ship(shopify, 2, status="PENDING")
        self.deliver()
        job = self.apply_job()
        self.assertEqual(job.state, "done")
        self.assertIn("PENDING", job.result)
        self.assertIn("SUCCESS", job.result)
        self.assertEqual(sale.picking_ids.state, "assigned", "nothing shipped yet")
        self.assertEqual(self.on_hand(self.anvil), before)
        self.sandbox.set_fulfillment_status(fulfillment["id"], "SUCCESS")
        self.deliver()
        self.assertEqual(sale.picking_ids.state, "done")
        self.assertEqual(sale.picking_ids.carrier_tracking_ref, "1ZSTOP")
        self.assertEqual(self.on_hand(self.anvil), before - 2)
        self.assertEqual(len(sale.synco_fulfillment_ids), 1)

    def test_failed_fulfillment_moves_nothing(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        fulfillment = self.ship(shopify, 1, status="OPEN")
        self.deliver()
        self.sandbox.set_fulfillment_status(fulfillment["id"], "FAILURE")
        self.deliver()
        jobs = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(set(jobs.mapped("state")), {"done"})
        self.assertIn("FAILURE", jobs[0].result)
        self.assertEqual(sale.picking_ids.state, "assigned")
        self.assertFalse(sale.synco_fulfillment_ids)
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "UNFULFILLED")
