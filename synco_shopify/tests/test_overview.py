from datetime import timedelta

from odoo.tests import tagged

from .common import SyncoOrderCase


@tagged("post_install", "-at_install")
class TestOverview(SyncoOrderCase):
    """The overview's figures per shop (jobs waiting, needing attention,
    fulfillments each way today, the median time from validation to
    Shopify) and the filters "Needs Attention" and "Not in Shopify Yet"."""

    def shipped(self, qty=1):
        _shopify, sale = self.order((self.anvil, qty, self.loc_main))
        self.validate(sale.picking_ids)
        return sale, sale.picking_ids

    def link(self, picking, origin="odoo", seconds=0):
        """A fulfillment link made ``seconds`` after the delivery's validation."""
        link = self.env["synco.fulfillment"].create(
            {
                "shop_id": self.shop.id,
                "sale_order_id": picking.sale_id.id,
                "picking_id": picking.id,
                "shopify_fulfillment_id": f"{picking.id}{origin}",
                "origin": origin,
            }
        )
        picking.date_done = link.create_date - timedelta(seconds=seconds)
        return link

    def test_figures_of_today(self):
        links = [self.link(self.shipped()[1], seconds=s) for s in (10, 60, 20)]
        self.assertEqual([link.delay_seconds for link in links], [10, 60, 20])
        self.link(self.shipped()[1], origin="shopify")
        old = self.link(self.shipped()[1], seconds=500)
        self.env.cr.execute(
            "UPDATE synco_fulfillment SET create_date = create_date - interval '3 days' "
            "WHERE id = %s",
            [old.id],
        )
        self.shop.invalidate_recordset()
        self.assertEqual((self.shop.pushed_today, self.shop.applied_today), (3, 1))
        self.assertEqual(self.shop.median_delay_today, 20)
        action = self.shop.with_context(synco_origin="odoo").action_open_fulfillments_today()
        found = self.env["synco.fulfillment"].search(action["domain"])
        self.assertEqual(found, self.env["synco.fulfillment"].browse([x.id for x in links]))

    def test_jobs_waiting_and_needing_attention(self):
        _sale, picking = self.shipped()  # queues its push
        waiting_before = self.shop.job_pending_count
        Job = self.env["synco.job"]
        waiting = Job._enqueue(self.shop, "push_fulfillment", record=picking, dedupe_key="a")
        failed = Job._enqueue(self.shop, "push_fulfillment", record=picking, dedupe_key="b")
        failed.write({"state": "failed", "last_error": "refused"})
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.job_pending_count, waiting_before + 1)
        self.assertEqual(self.shop.attention_count, 1)
        self.assertEqual(Job.search(self.shop.action_open_attention()["domain"]), failed)
        waiting.write({"needs_attention": True})
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.attention_count, 2)

    def test_filters_on_deliveries_and_sale_orders(self):
        sale, picking = self.shipped()
        Picking, Sale = self.env["stock.picking"], self.env["sale.order"]
        self.assertIn(picking, Picking.search([("synco_not_in_shopify", "=", True)]))
        self.assertIn(sale, Sale.search([("synco_not_in_shopify", "=", True)]))
        self.assertNotIn(picking, Picking.search([("synco_needs_attention", "=", True)]))
        job = self.env["synco.job"]._enqueue(self.shop, "push_fulfillment", record=picking)
        job.write({"state": "failed"})
        self.assertIn(picking, Picking.search([("synco_needs_attention", "=", True)]))
        self.assertIn(sale, Sale.search([("synco_needs_attention", "=", True)]))
        self.link(picking)
        self.assertNotIn(picking, Picking.search([("synco_not_in_shopify", "=", True)]))
        self.assertNotIn(sale, Sale.search([("synco_not_in_shopify", "=", True)]))
        picking.invalidate_recordset()
        self.assertFalse(picking.synco_not_in_shopify)
        self.assertTrue(picking.synco_needs_attention)
