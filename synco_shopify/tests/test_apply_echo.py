from odoo.tests import tagged

from .common import SyncoOrderCase


@tagged("post_install", "-at_install")
class TestApplyEcho(SyncoOrderCase):
    """Shopify announces every fulfillment Odoo pushes with a fulfillments
    webhook. When the webhook shows what the link already holds (status and
    tracking), its apply job ends without calling Shopify; a change made in
    Shopify after the push is still read and applied, and a job that carries
    no webhook status (reconciliation, catch-up) still reads."""

    def setUp(self):
        super().setUp()
        self.shop.fulfillment_direction = "odoo_to_shopify"
        self.shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self.validate(sale.picking_ids, tracking="1ZECHO", carrier=self.ups)
        self.run_jobs()
        self.link = sale.synco_fulfillment_ids
        self.assertEqual(
            (self.link.origin, self.link.tracking_number, self.link.tracking_company),
            ("odoo", "1ZECHO", "UPS"),
        )

    def shown(self):
        """The pushed fulfillment as the sandbox holds it now."""
        (fulfillment,) = [
            f
            for f in self.shopify_order(self.shopify)["fulfillments"]
            if str(f["legacy_id"]) == self.link.shopify_fulfillment_id
        ]
        return fulfillment

    def queue(self, with_webhook_facts=True):
        """The apply job as the fulfillments webhook queues it: the ids and,
        from the webhook's body, the status and the tracking."""
        fulfillment = self.shown()
        payload = {
            "fulfillment_id": self.link.shopify_fulfillment_id,
            "order_id": str(self.shopify["legacy_id"]),
        }
        if with_webhook_facts:
            tracking = fulfillment["tracking"]
            payload.update(
                status=fulfillment["status"].lower(),
                tracking_numbers=[t["number"] for t in tracking if t.get("number")],
                tracking_company=tracking[0]["company"] if tracking else None,
            )
        return self.env["synco.job"]._enqueue(
            self.shop,
            "apply_fulfillment",
            model="synco.fulfillment",
            payload=payload,
            dedupe_key=f"fulfillment:{self.link.shopify_fulfillment_id}",
        )

    def run_counting_calls(self, job):
        """Run ``job``; the number of Shopify calls it made."""
        before = len(self.sandbox.calls())
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        return len(self.sandbox.calls()) - before

    def test_echo_of_odoo_push_makes_no_shopify_call(self):
        job = self.queue()
        self.assertEqual(self.run_counting_calls(job), 0)
        self.assertIn("echo of Odoo's own push", job.result)
        self.assertEqual((self.link.state, self.link.tracking_number), ("done", "1ZECHO"))

    def test_tracking_changed_in_shopify_after_the_push_is_read_and_applied(self):
        self.sandbox.update_tracking(self.shown()["id"], company="UPS", number="1ZNEW")
        job = self.queue()
        self.assertEqual(self.run_counting_calls(job), 1)
        self.assertEqual(self.link.tracking_number, "1ZNEW")
        self.assertIn("1ZNEW", job.result)

    def test_cancelled_in_shopify_after_the_push_is_read_and_flagged(self):
        self.sandbox.cancel_fulfillment(self.shown()["id"])
        job = self.queue()
        self.assertEqual(self.run_counting_calls(job), 1)
        self.assertEqual(self.link.state, "cancelled")
        self.assertTrue(self.link.picking_id.activity_ids)

    def test_job_without_webhook_facts_still_reads_shopify(self):
        job = self.queue(with_webhook_facts=False)
        self.assertEqual(self.run_counting_calls(job), 1)
        self.assertEqual(job.result, "already applied")
