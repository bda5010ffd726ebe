from odoo.tests import tagged

from .common import SyncoHttpOrderCase


@tagged("post_install", "-at_install")
class TestOrderChanges(SyncoHttpOrderCase):
    """Shopify changes an order Odoo already holds (edits, refunds, holds,
    moves): the signed webhooks reach the controller over HTTP, and the jobs
    bring the sale order and its deliveries in line."""

    TOPICS = (
        "orders/edited",
        "orders/updated",
        "refunds/create",
        "fulfillment_orders/placed_on_hold",
        "fulfillment_orders/hold_released",
        "fulfillment_orders/moved",
        "fulfillments/create",
    )

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"

    # -- helpers ------------------------------------------------------------------

    def imported(self, *lines):
        """A Shopify order imported by the addon's own job; ``lines``:
        (product, quantity, location)."""
        shopify = self.sandbox.create_order(
            email="wile@example.com",
            line_items=[
                {"sku": self._skus[p], "quantity": qty, "location_id": loc["id"]}
                for p, qty, loc in lines
            ],
        )
        self.env["sale.order"]._synco_enqueue_import(self.shop, shopify["id"], "test")
        self.deliver()
        sale = self.env["sale.order"]._synco_find(self.shop, shopify["id"])
        self.assertTrue(sale, "the order was not imported")
        return shopify, sale

    def quantities(self, sale):
        return {
            (line.product_id, line.shopify_line_item_id): line.product_uom_qty
            for line in sale.order_line
            if line.shopify_line_item_id
        }

    def open_moves(self, sale):
        moves = sale.picking_ids.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        return {(m.product_id, m.picking_type_id.warehouse_id): m.product_uom_qty for m in moves}

    def order_jobs(self, shopify, state=None):
        """The order's import jobs after the one that imported it: the
        changes Shopify reported (orders/edited, orders/updated, refunds)."""
        domain = [("job_type", "=", "import_order"), ("order_ref", "=", str(shopify["legacy_id"]))]
        jobs = self.env["synco.job"].search(domain, order="id")[1:]
        return jobs.filtered(lambda j: j.state == state) if state else jobs

    def fulfilled(self, shopify):
        return {
            li["sku"]: li["fulfilled_quantity"] for li in self.shopify_order(shopify)["line_items"]
        }

    @staticmethod
    def notes(record):
        return " ".join(str(m.body) for m in record.message_ids)

    def push(self, picking):
        self.validate(picking)
        self.deliver()
        job = self.env["synco.job"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )
        return job

    # -- edits and refunds --------------------------------------------------------

    def test_edit_lowers_and_removes_lines_and_the_delivery_follows(self):
        shopify, sale = self.imported(
            (self.anvil, 3, self.loc_main), (self.skates, 2, self.loc_main)
        )
        anvil, skates = shopify["line_items"]
        self.sandbox.edit_order(
            shopify["id"],
            [
                {"line_item_id": anvil["id"], "quantity": 1},
                {"line_item_id": skates["id"], "quantity": 0},
            ],
        )
        self.deliver()
        self.assertEqual(
            self.quantities(sale),
            {(self.anvil, str(anvil["legacy_id"])): 1, (self.skates, str(skates["legacy_id"])): 0},
        )
        self.assertEqual(self.open_moves(sale), {(self.anvil, self.warehouse): 1})
        self.assertIn("Changed in Shopify", self.notes(sale))
        # The push ships exactly what Shopify still has open.
        job = self.push(sale.picking_ids.filtered(lambda p: p.state == "assigned"))
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.fulfilled(shopify), {"ANVIL": 1, "SKATES": 0})
        self.assertEqual(self.shopify_order(shopify)["display_fulfillment_status"], "FULFILLED")

    def test_replayed_and_late_edits_change_nothing_twice(self):
        shopify, sale = self.imported((self.anvil, 3, self.loc_main))
        anvil = shopify["line_items"][0]
        self.sandbox.edit_order(shopify["id"], [{"line_item_id": anvil["id"], "quantity": 2}])
        self.sandbox.edit_order(shopify["id"], [{"line_item_id": anvil["id"], "quantity": 1}])
        self.deliver()
        self.assertEqual(list(self.quantities(sale).values()), [1])
        notes = len(sale.message_ids)
        self.sandbox.fire("orders/edited", shopify["id"], duplicates=2)
        self.deliver()
        self.assertEqual(list(self.quantities(sale).values()), [1])
        self.assertEqual(self.open_moves(sale), {(self.anvil, self.warehouse): 1})
        self.assertEqual(len(sale.message_ids), notes)
        results = self.order_jobs(shopify).mapped("result")
        self.assertEqual(len([r for r in results if r.startswith("updated")]), 1, results)

    def test_edit_adds_a_line_at_the_warehouse_of_its_location(self):
        shopify, sale = self.imported((self.anvil, 1, self.loc_main))
        edited = self.sandbox.edit_order(
            shopify["id"],
            add=[{"sku": "SKATES", "quantity": 2, "location_id": self.loc_east["id"]}],
        )
        self.deliver()
        added = edited["line_items"][-1]
        line = sale.order_line.filtered(lambda x: x.shopify_line_item_id == str(added["legacy_id"]))
        self.assertEqual((line.product_id, line.product_uom_qty), (self.skates, 2))
        self.assertEqual(
            self.open_moves(sale),
            {(self.anvil, self.warehouse): 1, (self.skates, self.warehouse_east): 2},
        )
        east = sale.picking_ids.filtered(
            lambda p: p.picking_type_id.warehouse_id == self.warehouse_east
        )
        job = self.push(east)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.fulfilled(shopify), {"ANVIL": 0, "SKATES": 2})

    def test_refund_of_unfulfilled_units_lowers_the_line(self):
        shopify, sale = self.imported((self.anvil, 3, self.loc_main))
        anvil = shopify["line_items"][0]
        self.sandbox.refund(shopify["id"], [{"line_item_id": anvil["id"], "quantity": 2}])
        self.deliver()
        self.assertEqual(list(self.quantities(sale).values()), [1])
        self.assertEqual(self.open_moves(sale), {(self.anvil, self.warehouse): 1})

    def test_picked_units_beyond_the_new_quantity_need_attention_and_nothing_changes(self):
        shopify, sale = self.imported((self.anvil, 3, self.loc_main))
        picking = sale.picking_ids
        picking.move_ids.write({"quantity": 3, "picked": True})
        anvil = shopify["line_items"][0]
        self.sandbox.edit_order(shopify["id"], [{"line_item_id": anvil["id"], "quantity": 1}])
        self.deliver()
        jobs = self.order_jobs(shopify)  # orders/edited, and orders/updated
        self.assertTrue(jobs)
        self.assertEqual(set(jobs.mapped("state")), {"failed"})
        self.assertIn(picking.name, jobs[0].last_error)
        self.assertIn("3 are already picked or shipped", jobs[0].last_error)
        self.assertEqual(list(self.quantities(sale).values()), [3])
        self.assertEqual(sale.synco_state, "attention")

    # -- holds ------------------------------------------------------------------

    def test_stacked_holds_show_on_the_delivery_and_the_release_pushes_at_once(self):
        shopify, sale = self.imported((self.anvil, 1, self.loc_main))
        fo = shopify["fulfillment_orders"][0]
        self.sandbox.hold(fo["id"], reason="AWAITING_PAYMENT", reason_notes="wire")
        held = self.sandbox.hold(fo["id"], reason="HIGH_RISK_OF_FRAUD")
        self.deliver()
        picking = sale.picking_ids
        self.assertIn("AWAITING_PAYMENT (wire)", picking.shopify_hold_reason)
        self.assertIn("HIGH_RISK_OF_FRAUD", picking.shopify_hold_reason)
        self.assertIn("AWAITING_PAYMENT", sale.shopify_hold_reason)
        self.assertEqual(picking.shopify_hold_ids, ",".join(h["id"] for h in held["holds"]))
        job = self.push(picking)
        self.assertEqual(job.state, "pending")
        # One hold released by id: the other still holds.
        self.sandbox.release_hold(fo["id"], [held["holds"][0]["id"]])
        self.deliver()
        self.assertEqual(job.state, "pending")
        self.assertNotIn("AWAITING_PAYMENT", picking.shopify_hold_reason)
        self.assertIn("HIGH_RISK_OF_FRAUD", picking.shopify_hold_reason)
        # The last release runs the waiting push in the same queue run.
        self.sandbox.release_hold(fo["id"], [held["holds"][1]["id"]])
        self.deliver()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertFalse(picking.shopify_hold_reason)
        self.assertFalse(sale.shopify_hold_reason)
        self.assertEqual(self.fulfilled(shopify), {"ANVIL": 1})

    def test_release_from_odoo_releases_by_id_only_the_holds_it_shows(self):
        shopify, sale = self.imported((self.anvil, 1, self.loc_main))
        fo = shopify["fulfillment_orders"][0]
        self.sandbox.hold(fo["id"], reason="AWAITING_PAYMENT")
        self.deliver()
        picking = sale.picking_ids
        picking.action_synco_release_hold()
        # A hold placed in Shopify after Odoo showed the first one stacks on it.
        self.sandbox.hold(fo["id"], reason="HIGH_RISK_OF_FRAUD")
        self.deliver()
        job = self.env["synco.job"].search(
            [("job_type", "=", "release_hold"), ("res_id", "=", picking.id)]
        )
        self.assertEqual((job.state, job.result), ("done", "released 1 holds"), job.last_error)
        holds = self.shopify_order(shopify)["fulfillment_orders"][0]["holds"]
        self.assertEqual([h["reason"] for h in holds], ["HIGH_RISK_OF_FRAUD"])
        self.assertIn("HIGH_RISK_OF_FRAUD", picking.shopify_hold_reason)
        self.assertNotIn("AWAITING_PAYMENT", picking.shopify_hold_reason)

    # -- reroutes -----------------------------------------------------------------

    def test_move_before_picking_moves_the_delivery_and_the_push_fulfills_there(self):
        shopify, sale = self.imported((self.anvil, 2, self.loc_main))
        self.sandbox.move(shopify["fulfillment_orders"][0]["id"], self.loc_east["id"])
        self.deliver()
        picking = sale.picking_ids.filtered(lambda p: p.state != "cancel")
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_id.warehouse_id, self.warehouse_east)
        self.assertEqual(picking.location_id, self.warehouse_east.lot_stock_id)
        self.assertIn("now ships from East", self.notes(sale))
        job = self.push(picking)
        self.assertEqual(job.state, "done", job.last_error)
        (fulfillment,) = self.shopify_order(shopify)["fulfillments"]
        self.assertEqual(fulfillment["location_id"], self.loc_east["id"])

    def test_partial_move_splits_the_delivery(self):
        shopify, sale = self.imported(
            (self.anvil, 3, self.loc_main), (self.skates, 1, self.loc_main)
        )
        fo = shopify["fulfillment_orders"][0]
        anvil_line = fo["line_items"][0]
        self.sandbox.move(fo["id"], self.loc_east["id"], [{"id": anvil_line["id"], "quantity": 2}])
        self.deliver()
        self.assertEqual(
            self.open_moves(sale),
            {
                (self.anvil, self.warehouse): 1,
                (self.skates, self.warehouse): 1,
                (self.anvil, self.warehouse_east): 2,
            },
        )

    def test_shopify_led_move_then_fulfillment_validates_the_new_warehouse(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, sale = self.imported((self.anvil, 2, self.loc_main))
        self.sandbox.move(shopify["fulfillment_orders"][0]["id"], self.loc_east["id"])
        self.deliver()
        self.sandbox.fulfill(
            shopify["id"],
            line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": 2}],
            location_id=self.loc_east["id"],
        )
        self.deliver()
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(done.picking_type_id.warehouse_id, self.warehouse_east)

    def test_move_after_picking_or_to_an_unmapped_location_says_why_on_the_order(self):
        shopify, sale = self.imported((self.anvil, 2, self.loc_main))
        picking = sale.picking_ids
        picking.move_ids.write({"quantity": 2, "picked": True})
        self.sandbox.move(shopify["fulfillment_orders"][0]["id"], self.loc_east["id"])
        self.deliver()
        self.assertEqual(picking.picking_type_id.warehouse_id, self.warehouse)
        self.assertIn(f"{picking.name} is already picked", self.notes(sale))
        other, other_sale = self.imported((self.skates, 1, self.loc_main))
        self.sandbox.move(other["fulfillment_orders"][0]["id"], self.loc_3pl["id"])
        self.deliver()
        self.assertEqual(other_sale.picking_ids.picking_type_id.warehouse_id, self.warehouse)
        self.assertIn("mapped to no Odoo warehouse", self.notes(other_sale))

    def test_move_to_another_companys_warehouse_says_why_on_the_order(self):
        shopify, sale = self.imported((self.anvil, 1, self.loc_main))
        picking = sale.picking_ids
        self.map_to_another_company(self.loc_east)
        self.sandbox.move(shopify["fulfillment_orders"][0]["id"], self.loc_east["id"])
        self.deliver()
        self.assertEqual(picking.picking_type_id.warehouse_id, self.warehouse)
        self.assertEqual(picking.state, "assigned")
        self.assertIn("belongs to Roadrunner Inc.", self.notes(sale))
