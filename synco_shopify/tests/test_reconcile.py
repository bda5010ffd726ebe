import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..models.sale_order import CATCH_UP_OVERLAP
from .common import SyncoOrderCase


@tagged("post_install", "-at_install")
class TestReconcile(SyncoOrderCase):
    """The catch-up compares Shopify and Odoo for the orders that changed
    and queues what is missing in either direction. No webhook reaches
    Odoo in this class (none is subscribed): every one is lost."""

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        # Only this test's orders changed since ``since``: Shopify's search
        # is by the second, so start on a fresh one.
        self.since = fields.Datetime.now()
        time.sleep(1.1)

    def catch_up(self):
        """One catch-up run; returns the jobs it queued and its calls."""
        self.shop.orders_synced_at = self.since + CATCH_UP_OVERLAP
        Job = self.env["synco.job"]
        before = Job.search([]).ids
        self.sandbox.clear_calls()
        self.env["sale.order"]._synco_cron_catch_up()
        self.env.flush_all()
        calls = [c["operation_name"] for c in self.sandbox.calls()]
        return Job.search([("id", "not in", before)]), calls

    def shopify_fulfillments(self, shopify):
        return [
            f for f in self.shopify_order(shopify)["fulfillments"] if f["status"] != "CANCELLED"
        ]

    def assert_settled(self):
        """A second run finds nothing to do and reads nothing more."""
        jobs, calls = self.catch_up()
        self.assertFalse(jobs, jobs.mapped("job_type"))
        # One page of orders, and the same page's returns (granted returns scopes).
        self.assertEqual(calls, ["SyncoOrdersReconcile", "SyncoOrdersReturns"])

    def test_lost_shopify_led_fulfillment_is_applied(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        self.sandbox.fulfill(
            shopify["id"],
            tracking={"company": "UPS", "number": "1ZLOST"},
            location_id=self.loc_main["id"],
        )
        jobs, calls = self.catch_up()
        self.assertEqual(jobs.mapped("job_type"), ["apply_fulfillment"])
        # One page of orders, and the same page's returns (granted returns scopes).
        self.assertEqual(calls, ["SyncoOrdersReconcile", "SyncoOrdersReturns"])
        self.run_jobs()
        self.assertEqual(sale.picking_ids.state, "done")
        self.assertEqual(sale.picking_ids.carrier_tracking_ref, "1ZLOST")
        self.assert_settled()

    def test_lost_shopify_tracking_change_and_cancellation_are_applied(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        done = self.sandbox.fulfill(
            shopify["id"],
            tracking={"company": "UPS", "number": "1ZONE"},
            location_id=self.loc_main["id"],
        )
        self.catch_up()
        self.run_jobs()
        self.sandbox.update_tracking(done["id"], company="UPS", number="1ZTWO")
        jobs, _calls = self.catch_up()
        self.assertEqual(jobs.mapped("job_type"), ["apply_fulfillment"])
        self.run_jobs()
        self.assertEqual(sale.picking_ids.carrier_tracking_ref, "1ZTWO")
        self.sandbox.cancel_fulfillment(done["id"])
        self.catch_up()
        self.run_jobs()
        self.assertEqual(sale.synco_fulfillment_ids.state, "cancelled")
        self.assert_settled()

    def test_done_delivery_without_a_push_is_pushed(self):
        self.shop.fulfillment_direction = "odoo_to_shopify"
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        self.validate(picking, tracking="1ZUNSENT")
        # The push was never queued (a lost trigger, a job deleted by hand).
        self.env["synco.job"].search([("res_id", "=", picking.id)]).unlink()
        jobs, _calls = self.catch_up()
        self.assertEqual(jobs.mapped("job_type"), ["push_fulfillment"])
        self.run_jobs()
        (fulfillment,) = self.shopify_fulfillments(shopify)
        self.assertEqual(fulfillment["tracking"][0]["number"], "1ZUNSENT")
        self.assert_settled()

    def test_tracking_that_differs_in_shopify_is_set_to_odoos(self):
        self.shop.fulfillment_direction = "odoo_to_shopify"
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        self.validate(picking, tracking="1ZODOO")
        self.run_jobs()
        (fulfillment,) = self.shopify_fulfillments(shopify)
        self.sandbox.update_tracking(fulfillment["id"], company="UPS", number="1ZSTALE")
        jobs, _calls = self.catch_up()
        self.assertEqual(jobs.mapped("job_type"), ["update_tracking"])
        self.run_jobs()
        (fulfillment,) = self.shopify_fulfillments(shopify)
        self.assertEqual(fulfillment["tracking"][0]["number"], "1ZODOO")
        self.assertEqual(picking.synco_fulfillment_ids.tracking_number, "1ZODOO")
        self.assert_settled()

    def test_odoo_led_fulfillment_made_in_shopify_is_left_alone(self):
        """A fulfillment at an Odoo-led location that Odoo did not make is
        not applied, and not read again at every run."""
        self.shop.fulfillment_direction = "odoo_to_shopify"
        shopify, _sale = self.order((self.anvil, 1, self.loc_main))
        self.sandbox.fulfill(shopify["id"], location_id=self.loc_main["id"])
        self.assert_settled()

    def test_cost_is_one_call_per_page_of_orders(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        orders = [self.order((self.anvil, 1, self.loc_main)) for _ in range(3)]
        for shopify, _sale in orders:
            self.sandbox.fulfill(shopify["id"], location_id=self.loc_main["id"])
        jobs, calls = self.catch_up()
        self.assertEqual(len(jobs), 3)
        # One page of orders, and the same page's returns (granted returns scopes).
        self.assertEqual(calls, ["SyncoOrdersReconcile", "SyncoOrdersReturns"])
        (call,) = [c for c in self.sandbox.calls() if c["operation_name"] == "SyncoOrdersReconcile"]
        # The page and four points an order (one fulfillment each).
        self.assertLessEqual(call["requested_cost"], 1000)
        self.assertLessEqual(call["actual_cost"], 2 + 3 * 4)
        self.run_jobs()
        self.assertEqual({s.picking_ids.state for _o, s in orders}, {"done"})
        self.assert_settled()

    def test_an_order_with_many_fulfillments_is_read_whole(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, _sale = self.order((self.anvil, 12, self.loc_main))
        for _ in range(12):
            self.sandbox.fulfill(
                shopify["id"],
                line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": 1}],
                location_id=self.loc_main["id"],
            )
        jobs, calls = self.catch_up()
        self.assertEqual(len(jobs), 12, "the ones past the list's ten too")
        self.assertIn("SyncoOrderFulfillments", calls)
        self.assertGreater(self.shop.orders_synced_at, self.since - timedelta(seconds=1))
