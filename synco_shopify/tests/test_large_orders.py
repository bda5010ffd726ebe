import time

from odoo import Command
from odoo.tests import tagged

from .common import SyncoHttpOrderCase


@tagged("post_install", "-at_install")
class TestLargeOrders(SyncoHttpOrderCase):
    """Any size, end to end over HTTP: the sandbox pages like Shopify (at
    most 250 a page) and takes at most 512 lines per fulfillment order
    input, so a list read short or an input sent too long fails here."""

    TOPICS = ("fulfillments/create", "fulfillments/update")

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"
        # A Plus plan's restore rate: these tests are about size, and a
        # 600-line push spends about 1,400 points (see bench_large.py).
        self.sandbox.config(bucket={"maximum": 2000, "restore_rate": 1000})
        self.addCleanup(self.sandbox.config, bucket={"maximum": 2000, "restore_rate": 100})

    def big_order(self, count, location=None):
        """A Shopify order of ``count`` lines of one unit each, every line
        an anvil in Odoo (one sale line, so one move, per Shopify line)."""
        location = location or self.loc_main
        shopify = self.sandbox.create_order(
            email="wile@example.com",
            line_items=[
                {
                    "sku": f"PART-{i}",
                    "title": f"Part {i}",
                    "quantity": 1,
                    "location_id": location["id"],
                }
                for i in range(count)
            ],
        )
        self.env["stock.quant"]._update_available_quantity(
            self.anvil, self.warehouse.lot_stock_id, count
        )
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "warehouse_id": self.warehouse.id,
                "synco_shop_id": self.shop.id,
                "shopify_order_id": str(shopify["legacy_id"]),
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.anvil.id,
                            "product_uom_qty": 1,
                            "shopify_line_item_id": str(item["legacy_id"]),
                        }
                    )
                    for item in shopify["line_items"]
                ],
            }
        )
        sale.action_confirm()
        self.assertEqual(len(sale.picking_ids.move_ids), count)
        return shopify, sale

    def deliver_due(self, job, tries=5):
        """Run ``job`` now, and again while Shopify only throttled it (a
        wait for the bucket, not an attempt: a 520-line push spends it)."""
        for _ in range(tries):
            self.make_due(job)
            self.deliver()
            if job.state != "pending" or "throttled" not in (job.last_error or ""):
                return
            time.sleep(1)

    def live(self, shopify):
        return [
            f for f in self.shopify_order(shopify)["fulfillments"] if f["status"] != "CANCELLED"
        ]

    def test_sixty_line_delivery_is_one_fulfillment(self):
        shopify, sale = self.big_order(60)
        self.validate(sale.picking_ids, tracking="BIG-60")
        self.deliver()
        job = self.env["synco.job"].search([("res_id", "=", sale.picking_ids.id)])
        self.assertEqual(job.state, "done", job.last_error)
        (fulfillment,) = self.live(shopify)
        self.assertEqual(len(fulfillment["line_items"]), 60)
        self.assertEqual(self.shopify_order(shopify)["display_fulfillment_status"], "FULFILLED")

    def test_lost_answer_of_a_split_push_links_its_part_and_sends_the_rest(self):
        shopify, sale = self.big_order(520)
        picking = sale.picking_ids
        self.sandbox.add_fault("drop_after_apply", count=1, match="fulfillmentCreate")
        self.validate(picking, tracking="SPLIT-1")
        self.deliver()
        job = self.env["synco.job"].search(
            [("res_id", "=", picking.id), ("job_type", "=", "push_fulfillment")]
        )
        self.assertEqual(job.state, "pending", job.last_error)
        self.assertEqual([len(f["line_items"]) for f in self.live(shopify)], [512])
        self.deliver_due(job)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertIn("linked existing", job.result)
        self.assertEqual(sorted(len(f["line_items"]) for f in self.live(shopify)), [8, 512])
        self.assertEqual(self.shopify_order(shopify)["display_fulfillment_status"], "FULFILLED")
        self.assertEqual(len(picking.synco_fulfillment_ids), 2)
        replay = self.env["synco.job"]._enqueue(
            self.shop, "push_fulfillment", record=picking, dedupe_key="replay"
        )
        self.run_jobs()
        self.assertEqual((replay.state, replay.result), ("done", "already linked"))
        self.assertEqual(len(self.live(shopify)), 2)
        picking.carrier_tracking_ref = "SPLIT-2"
        self.deliver()
        numbers = {f["tracking"][0]["number"] for f in self.live(shopify)}
        self.assertEqual(numbers, {"SPLIT-2"}, "both parts carry the new tracking")

    def test_lost_answer_is_found_past_fifty_earlier_fulfillments(self):
        shopify, sale = self.big_order(52)
        for item in shopify["line_items"][:51]:
            self.sandbox.fulfill(
                shopify["id"], line_items=[{"line_item_id": item["id"], "quantity": 1}]
            )
        self.assertTrue(self.sandbox.wait_webhooks(timeout=20))
        last = sale.order_line.filtered(
            lambda line: line.shopify_line_item_id == str(shopify["line_items"][51]["legacy_id"])
        )
        picking = sale.picking_ids
        for move in picking.move_ids:
            move.quantity = 1 if move.sale_line_id == last else 0
            move.picked = move.sale_line_id == last
        picking.with_context(
            skip_backorder=True, picking_ids_not_to_backorder=picking.ids
        ).button_validate()
        self.assertEqual(picking.state, "done")
        self.sandbox.add_fault("drop_after_apply", count=1, match="fulfillmentCreate")
        self.deliver()
        job = self.env["synco.job"].search(
            [("res_id", "=", picking.id), ("job_type", "=", "push_fulfillment")]
        )
        self.deliver_due(job)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertIn("linked existing", job.result)
        fulfillments = self.live(shopify)
        self.assertEqual(len(fulfillments), 52, "no second fulfillment for the lost answer")
        self.assertEqual(
            picking.synco_fulfillment_ids.shopify_fulfillment_id,
            str(fulfillments[-1]["legacy_id"]),
        )

    def test_shopify_led_fulfillment_of_45_lines_validates_all_45(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, sale = self.big_order(45)
        self.sandbox.fulfill(
            shopify["id"],
            tracking={"company": "UPS", "number": "1Z3PL"},
            location_id=self.loc_main["id"],
        )
        self.deliver()
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(len(picking.move_ids.filtered(lambda m: m.state == "done")), 45)
        self.assertFalse(picking.backorder_ids, "nothing left open")
        self.assertEqual(sum(sale.order_line.mapped("qty_delivered")), 45)
