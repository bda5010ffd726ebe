from odoo.tests import tagged

from ..odoo_compat import GROUP_USERS
from ..queue.policy import NeedsAttention
from .common import SyncoOrderCase


@tagged("post_install", "-at_install")
class TestMerchantView(SyncoOrderCase):
    """What a merchant sees: the Shopify status and links of orders and
    deliveries, the chatter of both directions, a to-do for the managers
    when a job needs attention, and the shop's dashboard."""

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"
        self.managers = self.env.ref("synco_shopify.group_synco_manager")[GROUP_USERS].filtered(
            lambda u: u.active and not u.share
        )

    def push_job(self, picking):
        return self.env["synco.job"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )

    def fulfillments_in_shopify(self, shopify):
        return [f for f in self.shopify_order(shopify)["fulfillments"] if f["status"] == "SUCCESS"]

    def attention(self, record, job):
        return record.activity_ids.filtered(lambda a: f"#{job.id}" in (a.summary or ""))

    def test_status_goes_waiting_then_pending_then_synced_with_links_and_chatter(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        # Imported: the order is as in Shopify; its delivery is not shipped,
        # and Shopify has heard nothing of it.
        self.assertEqual((picking.synco_state, sale.synco_state), ("waiting", "synced"))
        self.assertEqual(
            sale.shopify_admin_url,
            f"https://admin.shopify.com/store/acme-test/orders/{shopify['legacy_id']}",
        )
        self.assertEqual(picking.shopify_admin_url, sale.shopify_admin_url)
        self.validate(picking, tracking="1ZVIEW")
        self.env.invalidate_all()
        self.assertEqual((picking.synco_state, sale.synco_state), ("pending", "pending"))
        self.run_jobs()
        self.assertEqual((picking.synco_state, sale.synco_state), ("synced", "synced"))
        link = picking.synco_fulfillment_ids
        self.assertEqual(sale.synco_fulfillment_ids, link)
        for record in (picking, sale):
            body = record.message_ids[0].body
            self.assertIn("Sent to Shopify", body)
            self.assertIn(link.shopify_fulfillment_id, body)
        action = link.action_open_in_shopify()
        self.assertEqual(action["url"], sale.shopify_admin_url)

    def test_non_shopify_records_have_no_status(self):
        sale = self.env["sale.order"].create({"partner_id": self.partner.id})
        self.assertFalse(sale.synco_state)
        self.assertFalse(sale.shopify_admin_url)

    def test_failed_push_needs_attention_with_a_todo_closed_by_a_successful_retry(self):
        self._map(self.loc_east).warehouse_id = False
        _shopify, sale = self.order((self.anvil, 1, self.loc_main), warehouse=self.warehouse_east)
        picking = sale.picking_ids
        self.validate(picking)
        self.run_jobs()
        job = self.push_job(picking)
        self.assertEqual(job.state, "failed", job.last_error)
        self.assertEqual((picking.synco_state, sale.synco_state), ("attention", "attention"))
        todo = self.attention(picking, job)
        self.assertTrue(self.managers)
        self.assertEqual(todo.user_id, self.managers)
        self.assertEqual(todo.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn("East", todo[0].note)
        self.assertIn(f"Retry on job #{job.id}", todo[0].note)
        # Failing again does not pile up to-dos.
        job.action_retry()
        self.run_jobs()
        self.assertEqual(job.state, "failed")
        self.assertEqual(len(self.attention(picking, job)), len(self.managers))
        # Fixed, retried, done: the to-do is done and the status synced.
        self._map(self.loc_east).warehouse_id = self.warehouse_east
        job.action_retry()
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertFalse(self.attention(picking, job))
        self.assertEqual((picking.synco_state, sale.synco_state), ("synced", "synced"))
        self.assertIn(f"Job #{job.id} succeeded", picking.message_ids[0].body)

    def test_cancelled_job_closes_its_todo(self):
        self._map(self.loc_east).warehouse_id = False
        shopify, sale = self.order((self.anvil, 1, self.loc_main), warehouse=self.warehouse_east)
        self.validate(sale.picking_ids)
        self.run_jobs()
        job = self.push_job(sale.picking_ids)
        self.assertTrue(self.attention(sale.picking_ids, job))
        job.action_cancel()
        self.assertFalse(self.attention(sale.picking_ids, job))
        self.env.invalidate_all()
        # Shipped, never sent, and nothing will send it: not "synced".
        self.assertFalse(self.fulfillments_in_shopify(shopify))
        self.assertEqual((sale.picking_ids.synco_state, sale.synco_state), ("not_sent", "not_sent"))

    def test_delivery_validated_in_odoo_of_a_shopify_led_shop_is_not_sent(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        _shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self.assertEqual(sale.picking_ids.synco_state, "waiting")
        self.validate(sale.picking_ids)
        self.run_jobs()
        self.assertFalse(self.push_job(sale.picking_ids), "Shopify leads: nothing pushes it")
        self.assertEqual((sale.picking_ids.synco_state, sale.synco_state), ("not_sent", "not_sent"))

    def test_job_without_a_record_puts_the_todo_on_the_shop(self):
        job = self.env["synco.job"]._enqueue(
            self.shop, "import_order", model="sale.order", payload={"order_id": "424242"}
        )
        job._record_failure(NeedsAttention("Order #1042 has products Odoo does not know"), 0.1)
        todo = self.attention(self.shop, job)
        self.assertEqual(len(todo), len(self.managers))
        self.assertIn("products Odoo does not know", todo[0].note)

    def test_import_job_status_shows_on_its_order(self):
        _shopify, sale = self.order((self.anvil, 1, self.loc_main))
        job = self.env["sale.order"]._synco_enqueue_import(
            self.shop, sale.shopify_order_id, "orders/cancelled", "cancel"
        )
        self.env.invalidate_all()
        self.assertEqual(sale.synco_state, "pending")
        job._record_failure(NeedsAttention("already shipped"), 0.1)
        self.env.invalidate_all()
        self.assertEqual(sale.synco_state, "attention")
        self.assertTrue(self.attention(sale, job), "the to-do is on the order it is about")

    def test_shopify_led_fulfillment_is_noted_on_order_and_delivery(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        fulfillment = self.sandbox.fulfill(
            shopify["id"],
            line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": 1}],
            tracking={"company": "UPS", "number": "1ZIN"},
            location_id=self.loc_main["id"],
        )
        self.env["synco.job"]._enqueue(
            self.shop,
            "apply_fulfillment",
            model="synco.fulfillment",
            payload={
                "fulfillment_id": str(fulfillment["legacy_id"]),
                "order_id": str(shopify["legacy_id"]),
            },
        )
        self.run_jobs()
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done")
        for record in (picking, sale):
            (note,) = record.message_ids.filtered(lambda m: "Received from Shopify" in m.body)
            self.assertIn("1ZIN", note.body)
        self.assertEqual(sale.synco_state, "synced")
        self.assertTrue(self.shop.last_apply_at)

    def test_dashboard_last_syncs_and_failures_by_reason(self):
        self.assertFalse(self.shop.last_push_at)
        _shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self.validate(sale.picking_ids)
        self.run_jobs()
        self.assertTrue(self.shop.last_push_at)
        self.assertFalse(self.shop.failures_html)
        self._map(self.loc_east).warehouse_id = False
        for _i in range(2):
            _shopify, sale = self.order(
                (self.anvil, 1, self.loc_main), warehouse=self.warehouse_east
            )
            self.validate(sale.picking_ids)
        self.run_jobs()
        self.assertEqual(self.shop.job_failed_count, 2)
        html = str(self.shop.failures_html)
        self.assertIn("Warehouse East is mapped to no Shopify location", html)
        self.assertIn("<td>2</td>", html)
