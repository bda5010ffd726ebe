from unittest.mock import patch

from odoo.tests import tagged

from .common import SyncoOrderCase


@tagged("post_install", "-at_install")
class TestTrackingRaces(SyncoOrderCase):
    """A tracking or carrier change at any moment of a push: Shopify ends
    with the last value Odoo holds. Against the sandbox over HTTP.

    The test cursor is one transaction: a change "during" the push is
    written inside the push's own transaction, once it has read the
    tracking. That proves the order of the work (an update queued behind
    the open push, sent after it), not two transactions racing; the change
    committing on its own connection while a push is open runs on a real
    server in tests_live/test_races_live.py."""

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"
        self.fedex = self.ups.copy({"name": "FedEx Ground", "shopify_tracking_company": "FedEx"})

    def shopify_tracking(self, shopify):
        (fulfillment,) = [
            f for f in self.shopify_order(shopify)["fulfillments"] if f["status"] != "CANCELLED"
        ]
        return fulfillment["tracking"][0]["company"], fulfillment["tracking"][0]["number"]

    def jobs(self, picking, job_type):
        return self.env["synco.job"].search(
            [
                ("res_id", "=", picking.id),
                ("res_model", "=", "stock.picking"),
                ("job_type", "=", job_type),
            ]
        )

    def change_during_push(self, picking, vals):
        """Run the queue with ``vals`` written to the delivery (as a user
        would, but in the push's transaction) once the push has read its
        tracking, before it sends it."""
        Picking = self.registry["stock.picking"]
        real = Picking._synco_tracking_input

        def read_then_change(record):
            tracking = real(record)
            if not getattr(read_then_change, "done", False):
                read_then_change.done = True
                record.browse(picking.id).write(vals)
            return tracking

        with patch.object(Picking, "_synco_tracking_input", read_then_change):
            self.run_jobs(limit=1)
        self.run_jobs()

    def test_tracking_typed_while_the_push_is_in_flight_reaches_shopify(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        self.validate(picking, tracking="OLD-1")
        self.change_during_push(picking, {"carrier_tracking_ref": "NEW-1"})
        self.assertEqual(self.jobs(picking, "push_fulfillment").state, "done")
        update = self.jobs(picking, "update_tracking")
        self.assertEqual(update.state, "done", update.last_error)
        self.assertEqual(self.shopify_tracking(shopify), ("UPS", "NEW-1"))
        self.assertEqual(picking.synco_fulfillment_ids.tracking_number, "NEW-1")

    def test_carrier_changed_while_the_push_is_in_flight_reaches_shopify(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        self.validate(picking, tracking="CARRIER-1")
        self.change_during_push(picking, {"carrier_id": self.fedex.id})
        self.assertEqual(self.shopify_tracking(shopify), ("FedEx", "CARRIER-1"))

    def test_change_before_the_push_runs_is_sent_once(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        self.validate(picking, tracking="EARLY-1")
        picking.carrier_tracking_ref = "EARLY-2"
        self.sandbox.clear_calls()
        self.run_jobs()
        self.assertEqual(self.shopify_tracking(shopify), ("UPS", "EARLY-2"))
        self.assertEqual(
            self.jobs(picking, "update_tracking").result, "tracking already up to date"
        )
        calls = [c["operation_name"] for c in self.sandbox.calls()]
        self.assertNotIn("SyncoFulfillmentTrackingUpdate", calls)

    def test_two_changes_after_the_push_end_on_the_last(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        self.validate(picking, tracking="AFTER-1")
        self.run_jobs()
        picking.carrier_tracking_ref = "AFTER-2"
        picking.write({"carrier_tracking_ref": "AFTER-3", "carrier_id": self.fedex.id})
        self.run_jobs()
        self.assertEqual(self.shopify_tracking(shopify), ("FedEx", "AFTER-3"))

    def test_no_update_is_queued_for_a_delivery_nobody_pushes(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        _shopify, sale = self.order((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        self.validate(picking)
        picking.carrier_tracking_ref = "NOT-PUSHED"
        self.assertFalse(self.jobs(picking, "update_tracking"))
