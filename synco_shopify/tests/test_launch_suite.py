"""The five launch checks of the mission, in both directions, end to end:
a full single-line fulfillment, a partial one with a backorder, tracking
added after the fact, a webhook replay, and a cross-warehouse case.

The store is driven only through the public GraphQL Admin API (the
repository's ``shopify_sandbox.launch.StoreDriver``, which the addon does
not ship): orders are placed with ``orderCreate`` and imported by the
addon's own job, Shopify-side fulfillments are made with
``fulfillmentCreate``, and the webhooks Shopify would send are signed and
posted to the real controller over HTTP by the suite (a development store
cannot reach an Odoo on this machine). So the same suite runs against the
sandbox (the default, in CI) and against a Shopify development store:
``scripts/launch_suite.sh`` with ``SYNCO_LAUNCH_SHOP`` and credentials set
(see the README). Odoo's side lives in the test database and is rolled back;
the orders made on the store stay there, tagged ``synco-launch-check``.
"""

from odoo.tests import tagged

from ..shopify.ids import legacy_id
from .launch_case import LaunchCase


@tagged("post_install", "-at_install", "synco_launch")
class TestLaunchSuite(LaunchCase):
    # -- Odoo leads: a delivery validated in Odoo fulfills in Shopify -------------

    def test_odoo_full_single_line(self):
        self.odoo_leads()
        order, sale = self.place(2)
        self.validate(sale.picking_ids, tracking="1ZLAUNCH1")
        self.run_jobs()
        self.assertEqual(self.status(order), "FULFILLED")
        (fulfillment,) = self.fulfillments(order)
        self.assertEqual(self.quantities(fulfillment), [2])
        self.assertEqual(self.tracking(fulfillment), [("UPS", "1ZLAUNCH1")])
        self.assertEqual(fulfillment["location"]["id"], self.main["id"])
        self.assertEqual(sale.synco_state, "synced")
        # Shopify's fulfillments/create for it comes back: nothing changes.
        self.relay("fulfillments/create", fulfillment)
        self.run_jobs()
        self.assertEqual(len(sale.picking_ids), 1)
        self.assertEqual(len(sale.synco_fulfillment_ids), 1)

    def test_odoo_partial_with_backorder(self):
        self.odoo_leads()
        order, sale = self.place(3)
        backorder = self.validate(sale.picking_ids, 1, tracking="1ZPART1")
        self.assertEqual(backorder.move_ids.product_uom_qty, 2)
        self.run_jobs()
        self.assertEqual(self.status(order), "PARTIALLY_FULFILLED")
        self.validate(backorder, tracking="1ZPART2")
        self.run_jobs()
        self.assertEqual(self.status(order), "FULFILLED")
        fulfillments = self.fulfillments(order)
        self.assertEqual(sorted(q for f in fulfillments for q in self.quantities(f)), [1, 2])
        self.assertEqual(
            sorted(self.tracking(f)[0][1] for f in fulfillments), ["1ZPART1", "1ZPART2"]
        )

    def odoo_ships_one(self):
        """An order of one, imported, its delivery validated and pushed."""
        self.odoo_leads()
        order, sale = self.place(1)
        self.validate(sale.picking_ids)
        self.run_jobs()
        (fulfillment,) = self.fulfillments(order)
        return order, sale.picking_ids, fulfillment

    def test_odoo_tracking_after_the_fact(self):
        order, picking, fulfillment = self.odoo_ships_one()
        self.assertEqual(self.tracking(fulfillment), [])
        picking.write({"carrier_id": self.ups.id, "carrier_tracking_ref": "1ZLATE"})
        self.run_jobs()
        (fulfillment,) = self.fulfillments(order)
        self.assertEqual(self.tracking(fulfillment), [("UPS", "1ZLATE")])

    def test_odoo_replay_is_a_no_op(self):
        order, picking, fulfillment = self.odoo_ships_one()
        # The job replayed (its worker died after Shopify made the
        # fulfillment, before the commit of the link and of the job's end),
        # the trigger fired again, Shopify's webhook delivered twice.
        push = self.env["synco.job"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )
        picking.synco_fulfillment_ids.unlink()
        push.write({"state": "running", "result": False, "finished_at": False})
        self.env.flush_all()
        self.env["synco.push"]._enqueue(picking)
        webhook_id = self.relay("fulfillments/create", fulfillment)
        self.relay("fulfillments/create", fulfillment, webhook_id)
        with self.assertLogs("odoo.addons.synco_shopify.queue.recovery", "WARNING") as logs:
            self.run_jobs()
        self.assertIn("taken over", logs.output[0])
        self.assertEqual(push.state, "done", push.last_error)
        self.assertIn("linked existing fulfillment", push.result)
        self.assertEqual(len(self.fulfillments(order)), 1)
        self.assertEqual(len(picking.synco_fulfillment_ids), 1)
        events = self.env["synco.webhook.event"].search([("webhook_id", "=", webhook_id)])
        self.assertEqual(len(events), 1)

    def test_odoo_cross_warehouse(self):
        # Odoo plans the delivery from East; then Shopify's assignment is
        # Main (routing or a merchant changed it). East ships: the push moves
        # the fulfillment order to East, then fulfills there.
        self.odoo_leads()
        order, sale = self.place(2, odoo_location=self.east)
        picking = sale.picking_ids
        self.assertEqual(picking.picking_type_id.warehouse_id, self.warehouse_east)
        self.move_to(order, self.main)
        self.validate(picking, tracking="1ZCROSS")
        self.run_jobs()
        self.assertEqual(self.status(order), "FULFILLED")
        (fulfillment,) = self.fulfillments(order)
        self.assertEqual(fulfillment["location"]["id"], self.east["id"])
        self.assertEqual(self.quantities(fulfillment), [2])

    # -- Shopify leads: a fulfillment made in Shopify validates the delivery ------

    def test_shopify_full_single_line(self):
        self.shopify_leads()
        order, sale = self.place(2)
        before = self.on_hand(self.warehouse)
        self.ship_in_shopify(order)
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "1ZSHOP")
        self.assertEqual(picking.carrier_id, self.ups)
        self.assertEqual(self.on_hand(self.warehouse), before - 2)
        self.assertEqual(sale.order_line.filtered("product_id").qty_delivered, 2)

    def test_shopify_partial_with_backorder(self):
        self.shopify_leads()
        order, sale = self.place(3)
        self.ship_in_shopify(order, 1)
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(done.move_ids.quantity, 1)
        backorder = sale.picking_ids - done
        self.assertEqual((backorder.state, backorder.move_ids.product_uom_qty), ("assigned", 2))
        self.ship_in_shopify(order, tracking=("UPS", "1ZSHOP2"))
        self.assertEqual(set(sale.picking_ids.mapped("state")), {"done"})
        self.assertEqual(backorder.carrier_tracking_ref, "1ZSHOP2")
        self.assertEqual(self.status(order), "FULFILLED")

    def test_shopify_tracking_after_the_fact(self):
        self.shopify_leads()
        order, sale = self.place(1)
        fulfillment = self.ship_in_shopify(order, tracking=None)
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertFalse(picking.carrier_tracking_ref)
        updated = self.store.update_tracking(fulfillment["id"], "UPS", "1ZAFTER")
        self.relay("fulfillments/update", updated)
        self.run_jobs()
        self.assertEqual(picking.carrier_tracking_ref, "1ZAFTER")
        self.assertEqual(picking.synco_fulfillment_ids.tracking_number, "1ZAFTER")

    def test_shopify_replay_is_a_no_op(self):
        self.shopify_leads()
        order, sale = self.place(2)
        before = self.on_hand(self.warehouse)
        fulfillment = self.store.fulfill(order["id"], None, {"company": "UPS", "number": "1ZR"})
        webhook_id = self.relay("fulfillments/create", fulfillment)
        for _ in range(2):  # Shopify retrying that delivery
            self.relay("fulfillments/create", fulfillment, webhook_id)
        self.relay("fulfillments/update", fulfillment)  # and another delivery of it
        self.run_jobs()
        self.relay("fulfillments/create", fulfillment, webhook_id)  # a late retry
        self.run_jobs()
        self.assertEqual(self.on_hand(self.warehouse), before - 2)
        self.assertEqual(len(sale.picking_ids.filtered(lambda p: p.state == "done")), 1)
        self.assertEqual(len(sale.synco_fulfillment_ids), 1)
        events = self.env["synco.webhook.event"].search([("webhook_id", "=", webhook_id)])
        self.assertEqual(len(events), 1)

    def test_shopify_cross_warehouse(self):
        # Odoo planned the delivery from Main; the merchant moves the work to
        # East in Shopify and East ships two of three.
        self.shopify_leads()
        order, sale = self.place(3)
        self.assertEqual(sale.picking_ids.picking_type_id.warehouse_id, self.warehouse)
        main_before, east_before = self.on_hand(self.warehouse), self.on_hand(self.warehouse_east)
        self.move_to(order, self.east)
        fulfillment = self.ship_in_shopify(order, 2)
        self.assertEqual(fulfillment["location"]["id"], self.east["id"])
        self.assertEqual(self.on_hand(self.warehouse_east), east_before - 2)
        self.assertEqual(self.on_hand(self.warehouse), main_before)
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(done.picking_type_id.warehouse_id, self.warehouse_east)
        still_open = sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(still_open.picking_type_id.warehouse_id, self.warehouse)
        self.assertEqual(still_open.move_ids.product_uom_qty, 1)
        self.assertEqual(legacy_id(fulfillment["order"]["id"]), sale.shopify_order_id)
