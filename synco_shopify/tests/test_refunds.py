from unittest.mock import patch

from odoo.tests import tagged

from ..shopify import webhooks
from .common import SyncoHttpOrderCase


@tagged("post_install", "-at_install")
class TestRefunds(SyncoHttpOrderCase):
    """Refunds in Shopify of an order Odoo holds, over HTTP as Shopify sends
    them (refunds/create, then orders/updated): units refunded after they
    shipped change no delivery and stop nothing; units Shopify had open are
    an edit Odoo follows; each refund is noted once on the sale order."""

    TOPICS = ("orders/updated", "refunds/create", "fulfillments/create")

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"

    def shipped(self, quantity, ship):
        """An order of ``quantity`` anvils imported by the addon's job, with
        ``ship`` of them shipped from Odoo and pushed to Shopify."""
        shopify = self.sandbox.create_order(
            email="wile@example.com",
            line_items=[{"sku": "ANVIL", "quantity": quantity, "location_id": self.loc_main["id"]}],
        )
        self.env["sale.order"]._synco_enqueue_import(self.shop, shopify["id"], "test")
        self.deliver()
        sale = self.env["sale.order"]._synco_find(self.shop, shopify["id"])
        if ship:
            self.validate(sale.picking_ids, {self.anvil: ship})
            self.deliver()
        fulfilled = self.shopify_order(shopify)["line_items"][0]["fulfilled_quantity"]
        self.assertEqual(fulfilled, ship, "the push did not reach Shopify")
        return shopify, sale

    def refund(self, shopify, *rows):
        """Refund ``rows`` ((quantity, restock type)) of the order's line."""
        item = shopify["line_items"][0]["id"]
        specs = [{"line_item_id": item, "quantity": q, "restock_type": t} for q, t in rows]
        self.sandbox.refund(shopify["id"], specs)
        self.deliver()

    def assert_nothing_stopped(self, sale):
        jobs = self.env["synco.job"].search([("shop_id", "=", self.shop.id)])
        self.assertFalse(jobs.filtered(lambda j: j.state == "failed").mapped("last_error"))
        self.assertNotEqual(sale.synco_state, "attention")
        self.assertFalse(sale.activity_ids)

    def refund_notes(self, sale):
        return [m for m in sale.message_ids if "Refunded in Shopify" in str(m.body)]

    def moves(self, sale):
        """(state, quantity) of the order's delivery moves."""
        return sorted((m.state, m.product_uom_qty) for m in sale.picking_ids.move_ids)

    # -- units already shipped --------------------------------------------------

    def test_refund_of_a_shipped_unit_without_restock_changes_nothing_and_is_noted_once(self):
        shopify, sale = self.shipped(2, 2)
        self.refund(shopify, (1, "no_restock"))
        self.assert_nothing_stopped(sale)
        self.assertEqual(sale.order_line.filtered("shopify_line_item_id").product_uom_qty, 2)
        self.assertEqual(self.moves(sale), [("done", 2)])
        (note,) = self.refund_notes(sale)
        self.assertIn("ANVIL: 1 (not restocked)", str(note.body))
        price = self.shopify_order(shopify)["line_items"][0]["price"]
        self.assertIn(f"Amount refunded: {float(price):.2f}", str(note.body))
        # The same refund delivered again, twice (new webhook ids), and an
        # orders/updated of the order: still one note, no edit to follow.
        refund = self.shopify_order(shopify)["refunds"][0]
        for _ in range(2):
            self.sandbox.fire("refunds/create", payload=refund)
        self.sandbox.fire("orders/updated", shopify["id"])
        self.deliver()
        self.assertEqual(len(self.refund_notes(sale)), 1)
        self.assertEqual(sale.shopify_refund_ids, str(refund["id"]))
        self.assert_nothing_stopped(sale)
        self.assertEqual(self.moves(sale), [("done", 2)])
        updated = self.env["synco.webhook.event"].search([("topic", "=", "orders/updated")])
        self.assertEqual(set(updated.job_id.mapped("state")), {"done"})
        # The last delivery's body, as its job took it: nothing to follow.
        snapshot = webhooks.order_job("orders/updated", updated[0]._payload()).payload["snapshot"]
        self.assertEqual(
            self.env["sale.order"]._synco_unchanged(self.shop, str(shopify["legacy_id"]), snapshot),
            sale,
            "an orders/updated after a shipped refund has something to follow",
        )

    def test_restocking_refund_of_a_shipped_unit_leaves_the_delivery_and_reaches_the_seam(self):
        shopify, sale = self.shipped(2, 2)
        seen = []

        def record(_sale, refund):
            seen.append(refund)

        model = type(self.env["sale.order"])
        with patch.object(model, "_synco_on_shopify_refund", autospec=True, side_effect=record):
            self.refund(shopify, (1, "return"))
        self.assert_nothing_stopped(sale)
        delivery = sale.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual([(m.state, m.quantity) for m in delivery.move_ids], [("done", 2)])
        # The restocked unit's Ready receipt is the returns' business (#21,
        # synco_return_refund.py), queued beside the refund's note.
        receipt = sale.picking_ids - delivery
        self.assertEqual(receipt.picking_type_code, "incoming")
        self.assertEqual(receipt.state, "assigned")
        self.assertEqual(receipt.move_ids.product_uom_qty, 1)
        (note,) = self.refund_notes(sale)
        self.assertIn("ANVIL: 1 (returned, restocked)", str(note.body))
        (refund,) = seen
        self.assertEqual(
            [(r.quantity, r.restock_type, r.location_id) for r in refund.lines],
            [(1, "return", str(self.loc_main["legacy_id"]))],
        )

    # -- units still to ship ----------------------------------------------------

    def test_refund_of_an_unshipped_unit_is_an_edit_the_open_delivery_follows(self):
        shopify, sale = self.shipped(3, 0)
        self.refund(shopify, (2, "cancel"))
        self.assert_nothing_stopped(sale)
        self.assertEqual(sale.order_line.filtered("shopify_line_item_id").product_uom_qty, 1)
        self.assertEqual([(s, q) for s, q in self.moves(sale) if s != "cancel"], [("assigned", 1)])
        self.assertIn("ANVIL: 3 → 1", " ".join(str(m.body) for m in sale.message_ids))
        self.assertEqual(len(self.refund_notes(sale)), 1)

    def test_refund_of_part_of_a_partly_shipped_line_follows_only_the_unshipped_part(self):
        shopify, sale = self.shipped(3, 2)  # 2 shipped, a backorder of 1 open
        self.refund(shopify, (1, "cancel"), (1, "no_restock"))
        self.assert_nothing_stopped(sale)
        self.assertEqual(sale.order_line.filtered("shopify_line_item_id").product_uom_qty, 2)
        open_moves = [q for s, q in self.moves(sale) if s not in ("done", "cancel")]
        self.assertEqual(open_moves, [], "the backorder's unit was refunded")
        self.assertIn(("done", 2), self.moves(sale))
        self.assertIn("ANVIL: 3 → 2", " ".join(str(m.body) for m in sale.message_ids))
        (note,) = self.refund_notes(sale)
        self.assertIn("ANVIL: 1 (not shipped, cancelled); ANVIL: 1 (not restocked)", str(note.body))
