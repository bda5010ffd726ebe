from odoo import Command, models
from odoo.tools.float_utils import float_compare, float_is_zero, float_round

from ..planning.retry import NeedsAttention
from . import odoo_compat


class StockMove(models.Model):
    _inherit = "stock.move"

    # -- Shopify-led: which moves hold what Shopify may ship --------------------

    def _synco_open_delivery_moves(self):
        """The open moves among ``self`` that hold goods on their way to the
        customer and that no other open move feeds: in a pick + ship
        warehouse the pick move of what is not picked yet, the ship move of
        what is. Every unit still to ship sits in exactly one of them."""
        return self.filtered(
            lambda m: (
                m.state not in ("done", "cancel")
                and m.sale_line_id.shopify_line_item_id
                and (m.location_final_id or m.location_dest_id).usage == "customer"
                and not m.move_orig_ids.filtered(lambda o: o.state not in ("done", "cancel"))
            )
        )

    def _synco_steps_left(self):
        """How many validations this move's goods still need to reach the
        customer: 1 for a delivery, more for a pick or a pack."""
        self.ensure_one()
        if self.picking_code == "outgoing":
            return 1
        warehouse = self.picking_type_id.warehouse_id
        return 2 if self.location_id != warehouse.lot_stock_id else 3

    def _synco_to_line_qty(self, quantity):
        """``quantity`` in this move's unit, in its sale line's unit, rounded
        down: Shopify counts in the sale line's unit."""
        self.ensure_one()
        line_uom = self.sale_line_id[odoo_compat.SALE_LINE_UOM] or self.product_uom
        return self.product_uom._compute_quantity(quantity, line_uom, rounding_method="DOWN")

    def _synco_from_line_qty(self, quantity):
        """``quantity`` in the sale line's unit, in this move's unit, rounded
        down, so Odoo never ships more than Shopify says."""
        self.ensure_one()
        line_uom = self.sale_line_id[odoo_compat.SALE_LINE_UOM] or self.product_uom
        if line_uom == self.product_uom:
            return quantity
        return float_round(
            line_uom._compute_quantity(quantity, self.product_uom, round=False),
            precision_rounding=self.product_uom.rounding,
            rounding_method="DOWN",
        )

    def _synco_plan_group(self):
        """Moves of one group are laid over Shopify's quantities together;
        None for a plain move. The kits module gives each kit component its
        own group, so that every component ships for each kit."""
        return None

    def _synco_shipped_per_line(self):
        """{sale line: quantity in its unit} these done moves shipped; the
        kits module counts complete kits."""
        shipped = {}
        for move in self:
            line = move.sale_line_id
            shipped[line] = shipped.get(line, 0.0) + move._synco_to_line_qty(move.quantity)
        return shipped

    # -- Shopify-led: validate every step of the route ------------------------

    def _synco_ship_route(self, quantities, fulfillment):
        """Validate ``quantities`` ({move id: quantity in the move's unit}) of
        these open moves of one warehouse through every step left of its
        route (pick, pack, then ship), each step keeping a backorder for what
        Shopify did not ship; the goods a step validates are the next step's
        to take. Returns the validated delivery (the last step)."""
        Picking = self.env["stock.picking"]
        while True:
            moves = self.browse(list(quantities))
            earlier = moves.filtered(lambda m: m.picking_code != "outgoing")
            if not earlier:
                break
            for picking in earlier.picking_id:
                picking._synco_validate_shipped(
                    {m.id: quantities[m.id] for m in earlier if m.picking_id == picking}, None
                )
            carried = {m.id: quantities[m.id] for m in moves - earlier}
            for move in earlier:
                move._synco_carry(quantities[move.id], carried)
            quantities = carried
        deliveries = Picking.browse(self.browse(list(quantities)).picking_id.ids)
        if len(deliveries) != 1:
            raise NeedsAttention(
                self.env._(
                    "This fulfillment spans %s Odoo deliveries; validate them by hand.",
                    len(deliveries),
                )
            )
        deliveries._synco_validate_shipped(quantities, fulfillment)
        return deliveries

    def _synco_carry(self, quantity, carried):
        """Hand the ``quantity`` this done move validated to the open moves
        of the next step (the ones Odoo's push rule just made or fed)."""
        self.ensure_one()
        left = quantity
        for dest in self.move_dest_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            room = dest.product_uom_qty - carried.get(dest.id, 0.0)
            take = min(left, dest.product_uom._compute_quantity(room, self.product_uom))
            if take <= 0:
                continue
            carried[dest.id] = carried.get(dest.id, 0.0) + self.product_uom._compute_quantity(
                take, dest.product_uom
            )
            left -= take
        if not float_is_zero(left, precision_rounding=self.product_uom.rounding):
            raise NeedsAttention(
                self.env._(
                    "%(picking)s was validated, but Odoo made no next step for %(qty)s of "
                    "%(product)s: check the delivery route of %(warehouse)s.",
                    picking=self.picking_id.name,
                    qty=left,
                    product=self.product_id.display_name,
                    warehouse=self.picking_type_id.warehouse_id.name,
                )
            )

    # -- Shopify-led: shipped from another warehouse than planned --------------

    def _synco_reship(self, warehouse, quantities):
        """Shopify shipped part of these moves from ``warehouse``, not from
        the warehouse Odoo planned: create the first step of ``warehouse``'s
        delivery route (the delivery itself, or its pick) for those
        quantities (same sale lines, same procurement group, the shop's
        company) and take them off the planned moves. Returns the new moves,
        confirmed; Odoo's push rules make the later steps as each is done."""
        first = self[:1]
        multi_step = warehouse.delivery_steps != "ship_only"
        picking_type = warehouse.pick_type_id if multi_step else warehouse.out_type_id
        source = picking_type.default_location_src_id or warehouse.lot_stock_id
        customer = first.location_final_id or first.location_dest_id
        dest = picking_type.default_location_dest_id if multi_step else customer
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "company_id": warehouse.company_id.id,
                "partner_id": first.picking_id.partner_id.id,
                "origin": first.picking_id.origin,
                "location_id": source.id,
                "location_dest_id": dest.id,
                **odoo_compat.picking_procurement_vals(first),
                "move_ids": [
                    Command.create(
                        move._synco_prepare_reship_vals(
                            quantities[move.id], picking_type, source, dest, customer
                        )
                    )
                    for move in self
                ],
            }
        )
        picking.action_confirm()
        for move in self:
            left = move.product_uom_qty - quantities[move.id]
            if float_compare(left, 0, precision_rounding=move.product_uom.rounding) <= 0:
                move._action_cancel()
            else:
                move.product_uom_qty = left
                move._action_assign()
        return picking.move_ids

    def _synco_prepare_reship_vals(self, quantity, picking_type, source, dest, customer):
        """The values of the move that ships ``quantity`` of this move from
        ``picking_type``'s warehouse instead."""
        self.ensure_one()
        warehouse = picking_type.warehouse_id
        return {
            **odoo_compat.move_copy_vals(self),
            "company_id": warehouse.company_id.id,
            "product_id": self.product_id.id,
            "product_uom_qty": quantity,
            "product_uom": self.product_uom.id,
            "sale_line_id": self.sale_line_id.id,
            "location_id": source.id,
            "location_dest_id": dest.id,
            "location_final_id": customer.id,
            "warehouse_id": warehouse.id,
            "picking_type_id": picking_type.id,
        }
