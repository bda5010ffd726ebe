from datetime import datetime, timedelta, timezone

from odoo.tests import tagged

from ..shopify.ids import to_gid
from .common import SyncoOrderCase


def _days_ago(days):
    return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@tagged("post_install", "-at_install")
class TestOpenOrdersImport(SyncoOrderCase):
    """Going live: the orders open in Shopify before the shop existed come
    in once, fulfilled ones stay out, a partly fulfilled one brings only
    what is left to ship, and the catch-up does not bring any of them again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        main = cls.loc_main["id"]

        def placed(days, *items):
            return cls.sandbox.create_order(
                email="early@example.com", created_at=_days_ago(days), line_items=list(items)
            )

        cls.open_order = placed(5, {"sku": "ANVIL", "quantity": 2, "location_id": main})
        cls.partly = placed(4, {"sku": "ANVIL", "quantity": 3, "location_id": main})
        cls.sandbox.fulfill(
            cls.partly["id"],
            line_items=[{"sku": "ANVIL", "quantity": 1}],
            tracking={"company": "UPS", "number": "1Z001"},
        )
        cls.fulfilled = placed(3, {"sku": "SKATES", "quantity": 1, "location_id": main})
        cls.sandbox.fulfill(cls.fulfilled["id"])
        cls.too_old = placed(45, {"sku": "SKATES", "quantity": 1, "location_id": main})
        cls.cancelled = placed(2, {"sku": "ANVIL", "quantity": 1, "location_id": main})
        cls.sandbox.cancel_order(cls.cancelled["id"])
        cls.unknown = placed(
            1, {"title": "Mystery Box", "sku": "MYSTERY", "quantity": 1, "location_id": main}
        )

    def start(self):
        run = self.env["synco.open.orders.import"].create({"shop_id": self.shop.id})
        run.action_start()
        return run

    def sale_of(self, shopify):
        return self.env["sale.order"].search(
            [
                ("synco_shop_id", "=", self.shop.id),
                ("shopify_order_id", "=", str(shopify["legacy_id"])),
            ]
        )

    def import_jobs(self):
        return self.env["synco.job"].search(
            [("shop_id", "=", self.shop.id), ("job_type", "=", "import_order")]
        )

    def test_open_and_partly_fulfilled_orders_are_queued_and_counted(self):
        run = self.start()
        self.assertEqual(run.state, "running")
        self.assertEqual((run.listed_count, run.queued_count, run.waiting_count), (3, 3, 3))
        queued = {job.payload["order_id"] for job in run.job_ids}
        expected = {str(o["legacy_id"]) for o in (self.open_order, self.partly, self.unknown)}
        self.assertEqual(queued, expected, "fulfilled, cancelled and older orders stay out")
        self.run_jobs()
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual((run.imported_count, run.attention_count, run.waiting_count), (2, 1, 0))
        self.assertIn("2 imported, 1 needing attention", run.summary)
        stuck = run.job_ids.filtered(
            lambda j: j.payload["order_id"] == str(self.unknown["legacy_id"])
        )
        self.assertEqual(run.action_open_attention()["domain"], [("id", "in", stuck.ids)])
        self.assertFalse(self.sale_of(self.fulfilled) | self.sale_of(self.too_old))

    def test_partly_fulfilled_order_comes_in_with_what_is_left_to_ship(self):
        self.start()
        self.run_jobs()
        sale = self.sale_of(self.partly)
        line = sale.order_line.filtered("shopify_line_item_id")
        self.assertEqual((line.product_uom_qty, line.shopify_shipped_before), (2, 1))
        delivery = sale.picking_ids
        self.assertEqual(delivery.move_ids.product_uom_qty, 2)
        link = sale.synco_fulfillment_ids
        self.assertEqual((link.origin, link.tracking_number), ("shopify", "1Z001"))
        self.assertFalse(link.picking_id)
        whole = self.sale_of(self.open_order)
        self.assertEqual(whole.order_line.product_uom_qty, 2)
        self.assertFalse(whole.order_line.shopify_shipped_before)

    def test_catch_up_imports_nothing_twice_and_applies_nothing_shipped_before(self):
        # Shopify leads the location: a fulfillment Odoo has no link for
        # would be applied to the delivery (shipping the anvil again).
        self.shop.fulfillment_direction = "shopify_to_odoo"
        run = self.start()
        self.run_jobs()
        before = self.env["synco.job"].search([("shop_id", "=", self.shop.id)])
        self.shop.orders_synced_at = False
        self.shop.create_date = datetime(2000, 1, 1)  # the catch-up lists every order
        self.env["sale.order"]._synco_cron_catch_up()
        new = self.env["synco.job"].search([("shop_id", "=", self.shop.id)]) - before
        ours = {str(self.open_order["legacy_id"]), str(self.partly["legacy_id"])}
        self.assertFalse(new.filtered(lambda j: (j.payload or {}).get("order_id") in ours))
        self.assertFalse(new.filtered(lambda j: j.job_type == "apply_fulfillment"))
        again = self.start()
        self.assertEqual((again.already_count, again.queued_count), (2, 1))
        self.assertEqual(again.job_ids.payload["order_id"], str(self.unknown["legacy_id"]))
        self.assertEqual(len(self.sale_of(self.partly)), 1)
        self.assertTrue(run.job_ids)

    def test_edit_after_import_keeps_what_shipped_before_out(self):
        # An order of its own: the refund below changes it in Shopify for good,
        # and cancelling it afterwards keeps it out of the other tests' lists.
        partly = self.sandbox.create_order(
            email="early@example.com",
            created_at=_days_ago(4),
            line_items=[{"sku": "ANVIL", "quantity": 3, "location_id": self.loc_main["id"]}],
        )
        self.addCleanup(self.sandbox.cancel_order, partly["id"])
        self.sandbox.fulfill(partly["id"], line_items=[{"sku": "ANVIL", "quantity": 1}])
        self.start()
        self.run_jobs()
        sale = self.sale_of(partly)
        line = sale.order_line.filtered("shopify_line_item_id")
        item_id = to_gid("LineItem", line.shopify_line_item_id)
        self.assertFalse(line._synco_differs_from([{"id": item_id, "current_quantity": 3}]))
        # One of the two left to ship is refunded in Shopify (cancel restock:
        # Shopify takes it off the fulfillment order); the shipped one stays.
        item = self.sandbox.order(partly["id"])["line_items"][0]["id"]
        self.sandbox.refund(
            partly["id"], [{"line_item_id": item, "quantity": 1, "restock_type": "cancel"}]
        )
        client = self.shop._shopify_client()
        order = sale._synco_read_order(client, str(partly["legacy_id"]))
        sale.order_line._synco_follow_shopify(sale, order, client)
        self.assertEqual(line.product_uom_qty, 1, "one of the two left to ship was refunded")
