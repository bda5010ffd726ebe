from odoo import Command
from odoo.tests import TransactionCase, tagged

from ..queue.policy import NeedsAttention


@tagged("post_install", "-at_install")
class TestApplyRoute(TransactionCase):
    """The apply's route mechanics on Odoo's own records, without Shopify:
    which open moves hold goods for the customer, a validation of what
    Shopify shipped (the rest reserved on a backorder), a stop on short
    stock, every step of a multi-step route, and a re-ship from another
    warehouse."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].create({"name": "Route", "code": "RTE"})
        cls.other = cls.env["stock.warehouse"].create({"name": "Other", "code": "OTH"})
        cls.partner = cls.env["res.partner"].create({"name": "Route customer"})
        cls.anvil = cls._product("Route anvil")
        cls.skates = cls._product("Route skates")

    @classmethod
    def _product(cls, name):
        product = cls.env["product.product"].create({"name": name, "is_storable": True})
        for warehouse in (cls.warehouse, cls.other):
            cls.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10)
        return product

    def sale(self, *lines):
        """A confirmed sale of ``lines`` ((product, quantity)) from the
        test's warehouse, each line a Shopify line item."""
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "shopify_line_item_id": str(9000 + index),
                        }
                    )
                    for index, (product, qty) in enumerate(lines)
                ],
            }
        )
        sale.action_confirm()
        return sale

    def move_of(self, records, product):
        return records.move_ids.filtered(lambda m: m.product_id == product)

    def test_validate_ships_the_quantities_and_keeps_the_rest_reserved_on_a_backorder(self):
        sale = self.sale((self.anvil, 3), (self.skates, 1))
        picking = sale.picking_ids
        skates_lines = self.move_of(picking, self.skates).move_line_ids
        picking._synco_validate_shipped({self.move_of(picking, self.anvil).id: 2}, None)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_ids.filtered("quantity").mapped("quantity"), [2.0])
        backorder = picking.backorder_ids
        self.assertEqual(backorder.state, "assigned")
        self.assertEqual(self.move_of(backorder, self.anvil).product_uom_qty, 1)
        self.assertEqual(
            self.move_of(backorder, self.skates).move_line_ids,
            skates_lines,
            "the line Shopify did not ship keeps the reservation it had",
        )

    def test_a_move_picked_in_odoo_that_shopify_did_not_ship_is_not_validated(self):
        sale = self.sale((self.anvil, 1), (self.skates, 1))
        picking = sale.picking_ids
        self.move_of(picking, self.skates).picked = True
        picking._synco_validate_shipped({self.move_of(picking, self.anvil).id: 1}, None)
        done = picking.move_ids.filtered(lambda m: m.state == "done")
        self.assertEqual(done.product_id, self.anvil)
        backorder_move = self.move_of(picking.backorder_ids, self.skates)
        self.assertEqual(backorder_move.state, "assigned")
        self.assertFalse(backorder_move.picked)
        self.assertEqual(self.skates.with_context(warehouse_id=self.warehouse.id).qty_available, 10)

    def test_short_stock_stops_before_anything_moves(self):
        sale = self.sale((self.anvil, 12))
        picking = sale.picking_ids
        move = picking.move_ids
        with self.assertRaises(NeedsAttention) as stop:
            picking._synco_validate_shipped({move.id: 12}, None)
        self.assertIn("12", str(stop.exception))
        self.assertIn("(10.0 available)", str(stop.exception))
        self.assertNotEqual(picking.state, "done")
        self.assertFalse(picking.backorder_ids)

    def test_type_that_never_backorders_still_keeps_a_backorder(self):
        self.warehouse.out_type_id.create_backorder = "never"
        sale = self.sale((self.anvil, 3))
        picking = sale.picking_ids
        picking._synco_validate_shipped({picking.move_ids.id: 1}, None)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.backorder_ids.move_ids.product_uom_qty, 2)

    def test_open_delivery_moves_of_pick_ship_are_the_pick_until_it_is_done(self):
        self.warehouse.delivery_steps = "pick_ship"
        sale = self.sale((self.anvil, 2))
        moves = sale.picking_ids.move_ids
        pick = moves.filtered(lambda m: m.picking_type_id == self.warehouse.pick_type_id)
        self.assertEqual(moves._synco_open_delivery_moves(), pick)
        plan = pick._synco_plan_move(self.warehouse)
        self.assertEqual(plan["remaining"], 2)
        self.assertGreater(plan["rank"], 1, "here: closest to the customer first")
        elsewhere = pick._synco_plan_move(self.other)
        self.assertEqual(elsewhere["rank"], -plan["rank"], "elsewhere: least far along first")

    def test_ship_route_validates_every_step_and_returns_the_delivery(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        sale = self.sale((self.anvil, 3))
        pick = sale.picking_ids.move_ids._synco_open_delivery_moves()
        delivery = pick._synco_ship_route({pick.id: 2}, None)
        self.assertEqual(delivery.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.move_ids.filtered("quantity").quantity, 2)
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(
            done.picking_type_id,
            self.warehouse.pick_type_id | self.warehouse.pack_type_id | self.warehouse.out_type_id,
        )
        open_ = sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(open_.picking_type_id, self.warehouse.pick_type_id)
        self.assertEqual(open_.move_ids.product_uom_qty, 1)
        self.assertEqual(sale.order_line.qty_delivered, 2)

    def test_reship_starts_the_other_warehouse_route_and_reduces_the_planned_move(self):
        self.other.delivery_steps = "pick_ship"
        sale = self.sale((self.anvil, 3))
        planned = sale.picking_ids.move_ids
        reshipped = planned._synco_reship(self.other, {planned.id: 2})
        self.assertEqual(reshipped.picking_type_id, self.other.pick_type_id)
        self.assertEqual(reshipped.product_uom_qty, 2)
        self.assertEqual(reshipped.sale_line_id, sale.order_line)
        self.assertEqual(planned.product_uom_qty, 1, "only what is still to ship from here")
        delivery = reshipped._synco_ship_route({reshipped.id: 2}, None)
        self.assertEqual(delivery.picking_type_id, self.other.out_type_id)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(self.anvil.with_context(warehouse_id=self.other.id).qty_available, 8)
        self.assertEqual(self.anvil.with_context(warehouse_id=self.warehouse.id).qty_available, 10)
