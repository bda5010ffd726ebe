from odoo.tests import tagged

from .common import SyncoOrderCase


@tagged("post_install", "-at_install")
class TestPushFulfillment(SyncoOrderCase):
    """Odoo-led: a delivery validated in Odoo becomes the right Shopify
    fulfillment, end to end against the sandbox over HTTP."""

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"

    def fulfillments(self, shopify):
        return [
            f for f in self.shopify_order(shopify)["fulfillments"] if f["status"] != "CANCELLED"
        ]

    def push_jobs(self, picking):
        return self.env["synco.job"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )

    def test_full_single_line(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        picking = sale.picking_ids
        self.validate(picking, tracking="1Z999AA10123456784")
        job = self.push_jobs(picking)
        self.assertEqual((len(job), job.job_type, job.state), (1, "push_fulfillment", "pending"))
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")
        (fulfillment,) = self.fulfillments(shopify)
        self.assertEqual(fulfillment["tracking"][0]["number"], "1Z999AA10123456784")
        self.assertEqual(fulfillment["tracking"][0]["company"], "UPS")
        link = picking.synco_fulfillment_ids
        self.assertEqual(link.shopify_fulfillment_id, str(fulfillment["legacy_id"]))
        self.assertEqual(
            (link.origin, link.state, link.tracking_number), ("odoo", "done", "1Z999AA10123456784")
        )
        self.assertEqual(sale.synco_fulfillment_ids, link)
        self.assertIn(link.shopify_fulfillment_id, picking.message_ids[0].body)

    def test_push_runs_before_jobs_of_other_orders_queued_ahead_of_it(self):
        # A storm of webhooks queues imports of other orders first; the
        # validated delivery's push still runs next (the customer's email
        # waits on it), and the imports after it.
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        imports = self.env["synco.job"]
        for order_id in ("990001", "990002", "990003"):
            imports |= self.env["sale.order"]._synco_enqueue_import(self.shop, order_id, "storm")
        self.validate(sale.picking_ids)
        push = self.push_jobs(sale.picking_ids)
        self.assertGreater(push.id, max(imports.ids))
        self.run_jobs(limit=1)
        self.assertEqual(push.state, "done", push.last_error)
        self.assertEqual(set(imports.mapped("state")), {"pending"})
        self.assertEqual(self.shopify_order(shopify)["display_fulfillment_status"], "FULFILLED")

    def test_partial_with_backorder_gives_two_fulfillments(self):
        shopify, sale = self.order((self.anvil, 3, self.loc_main), (self.skates, 1, self.loc_main))
        first = sale.picking_ids
        backorder = self.validate(first, {self.anvil: 2}, tracking="TRACK-1")
        self.run_jobs()
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "PARTIALLY_FULFILLED")
        (one,) = self.fulfillments(shopify)
        self.assertEqual([li["quantity"] for li in one["line_items"]], [2])
        self.validate(backorder, tracking="TRACK-2")
        self.run_jobs()
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")
        two = self.fulfillments(shopify)
        self.assertEqual(len(two), 2)
        self.assertEqual(sorted(f["tracking"][0]["number"] for f in two), ["TRACK-1", "TRACK-2"])
        self.assertEqual(len(sale.synco_fulfillment_ids), 2)

    def test_tracking_after_the_fact_twice(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        self.validate(picking)
        self.run_jobs()
        picking.write({"carrier_id": self.ups.id, "carrier_tracking_ref": "LATE-1"})
        self.run_jobs()
        self.assertEqual(self.fulfillments(shopify)[0]["tracking"][0]["number"], "LATE-1")
        picking.carrier_tracking_ref = "LATE-2"
        self.run_jobs()
        (fulfillment,) = self.fulfillments(shopify)
        self.assertEqual(fulfillment["tracking"][0]["number"], "LATE-2")
        self.assertEqual(picking.synco_fulfillment_ids.tracking_number, "LATE-2")
        calls = [c["operation_name"] for c in self.sandbox.calls()]
        self.assertEqual(calls.count("SyncoFulfillmentTrackingUpdate"), 2)

    def test_replayed_job_and_trigger_create_one_fulfillment(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        self.validate(picking)
        self.run_jobs()
        job = self.push_jobs(picking)
        # A replay of the job: its worker died after Shopify made the
        # fulfillment, before the commit of the link and of the job's end.
        picking.synco_fulfillment_ids.unlink()
        job.write({"state": "running", "result": False, "finished_at": False})
        self.env.flush_all()
        self.env["synco.push"]._enqueue(picking)  # and of the trigger, meanwhile
        with self.assertLogs("odoo.addons.synco_shopify.queue.recovery", "WARNING") as logs:
            self.run_jobs()
        self.assertIn("the worker running it died (1 so far); taken over", logs.output[0])
        self.assertEqual((job.state, job.crash_count), ("done", 1), job.last_error)
        self.assertIn("linked existing fulfillment", job.result)
        # And of the trigger once it is done.
        self.env["synco.push"]._enqueue(picking)
        self.run_jobs()
        self.assertEqual(self.push_jobs(picking).mapped("result"), ["already linked", job.result])
        self.assertEqual(len(self.fulfillments(shopify)), 1)
        self.assertEqual(len(picking.synco_fulfillment_ids), 1)

    def test_cross_warehouse_moves_then_fulfills(self):
        # Shopify assigned the order to Main; Odoo ships it from East.
        shopify, sale = self.order((self.anvil, 2, self.loc_main), warehouse=self.warehouse_east)
        picking = sale.picking_ids
        self.assertEqual(picking.picking_type_id.warehouse_id, self.warehouse_east)
        self.validate(picking)
        self.run_jobs()
        (fulfillment,) = self.fulfillments(shopify)
        self.assertEqual(fulfillment["location_id"], self.loc_east["id"])
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")
        operations = [c["operation_name"] for c in self.sandbox.calls()]
        self.assertIn("SyncoFulfillmentOrderMove", operations)

    def test_cross_warehouse_that_cannot_move_needs_attention(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main), warehouse=self.warehouse_east)
        fo = shopify["fulfillment_orders"][0]
        self.sandbox.set_request_status(fo["id"], "SUBMITTED")
        self.validate(sale.picking_ids)
        self.run_jobs()
        job = self.push_jobs(sale.picking_ids)
        self.assertEqual(job.state, "failed", job.last_error)
        self.assertIn("Main Warehouse", job.last_error)
        self.assertIn("East Warehouse", job.last_error)
        self.assertFalse(self.fulfillments(shopify))

    def test_held_fulfillment_order_waits_then_fulfills_after_release(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        fo = shopify["fulfillment_orders"][0]
        self.sandbox.hold(fo["id"], reason="AWAITING_PAYMENT")
        self.validate(sale.picking_ids)
        self.run_jobs()
        job = self.push_jobs(sale.picking_ids)
        self.assertEqual(job.state, "pending", job.last_error)
        self.assertTrue(job.needs_attention)
        self.assertIn("AWAITING_PAYMENT", job.last_error)
        self.assertFalse(self.fulfillments(shopify))
        self.sandbox.release_hold(fo["id"])
        job.next_attempt_at = "2000-01-01 00:00:00"
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(self.fulfillments(shopify)), 1)

    def test_third_party_fulfillment_order_is_not_fulfilled(self):
        self._map(self.loc_3pl).warehouse_id = self.env["stock.warehouse"].create(
            {"name": "3PL", "code": "TPL"}
        )
        shopify, sale = self.order((self.anvil, 1, self.loc_3pl))
        self.validate(sale.picking_ids)
        self.run_jobs()
        job = self.push_jobs(sale.picking_ids)
        self.assertEqual(job.state, "failed", job.last_error)
        self.assertIn("fulfillment service", job.last_error)
        self.assertFalse(self.fulfillments(shopify))

    def test_server_errors_pause_the_shop_until_its_probe_gets_an_answer(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self.sandbox.add_fault("http_500", count=2)
        self.validate(sale.picking_ids)
        job = self.push_jobs(sale.picking_ids)
        self.run_jobs()  # the push meets the first 500
        self.assertEqual(self.shop.pause_reason, "unreachable")
        self.assertEqual((job.state, job.attempts), ("pending", 0), job.last_error)
        self.make_due(job)
        self.run_jobs()  # the probe meets the second; the push is not tried
        self.assertEqual((job.state, job.attempts, self.shop.probe_count), ("pending", 0, 1))
        self.make_due(job)
        self.run_jobs()  # the probe gets an answer: the push runs in the same run
        self.assertFalse(self.shop.pause_reason)
        self.assertEqual((job.state, job.attempts), ("done", 1), job.last_error)
        self.assertEqual(len(self.fulfillments(shopify)), 1)

    def test_lost_answer_after_shopify_applied_links_instead_of_creating_again(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        self.sandbox.add_fault("drop_after_apply", count=1, match="fulfillmentCreate")
        picking = sale.picking_ids
        self.validate(picking, tracking="LOST-1")
        self.run_jobs()
        job = self.push_jobs(picking)
        self.assertEqual(job.state, "pending", "a dropped connection is retried")
        self.assertEqual(len(self.fulfillments(shopify)), 1, "Shopify applied it")
        self.make_due(job)
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertIn("linked existing", job.result)
        (fulfillment,) = self.fulfillments(shopify)
        self.assertEqual(
            picking.synco_fulfillment_ids.shopify_fulfillment_id, str(fulfillment["legacy_id"])
        )

    def test_throttled_mid_run_waits_and_completes(self):
        # A Plus plan's restore rate: the bucket needs well under a second.
        self.sandbox.config(bucket={"maximum": 2000, "restore_rate": 1000})
        self.addCleanup(self.sandbox.config, bucket={"maximum": 2000, "restore_rate": 100})
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self.sandbox.add_fault("throttled", count=1, match="fulfillmentCreate")
        self.validate(sale.picking_ids)
        self.run_jobs()
        job = self.push_jobs(sale.picking_ids)
        self.assertEqual((job.state, job.attempts), ("pending", 0), job.last_error)
        job.next_attempt_at = "2000-01-01 00:00:00"
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(self.fulfillments(shopify)), 1)

    def test_validation_succeeds_while_shopify_is_down(self):
        _shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self.sandbox.add_fault("http_503", count=50)
        self.validate(sale.picking_ids)  # asserts the picking is done
        self.run_jobs()
        self.assertEqual(self.push_jobs(sale.picking_ids).state, "pending")

    def test_cancelled_backorder_is_noted_on_the_order(self):
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        backorder = self.validate(sale.picking_ids, {self.anvil: 1})
        backorder.action_cancel()
        self.assertIn(backorder.name, sale.message_ids[0].body)
        self.assertIn("Shopify keeps its lines open", sale.message_ids[0].body)
        self.run_jobs()
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "PARTIALLY_FULFILLED")

    def test_shopify_led_warehouse_pushes_nothing(self):
        self.shop.fulfillment_direction = "per_location"
        self._map(self.loc_main).direction = "shopify_to_odoo"
        _shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self.validate(sale.picking_ids)
        self.assertFalse(self.push_jobs(sale.picking_ids))

    def test_unmapped_warehouse_needs_attention(self):
        self._map(self.loc_east).warehouse_id = False
        _shopify, sale = self.order((self.anvil, 1, self.loc_main), warehouse=self.warehouse_east)
        self.validate(sale.picking_ids)
        self.run_jobs()
        job = self.push_jobs(sale.picking_ids)
        self.assertEqual(job.state, "failed", job.last_error)
        self.assertIn("East", job.last_error)
