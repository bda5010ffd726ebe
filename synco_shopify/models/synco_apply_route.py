"""The Shopify-led apply's route mechanics, on the moves and deliveries
themselves: which open moves hold goods on their way to a customer and how
far along they are, a re-ship from the warehouse Shopify says shipped, and
the validation of every step of a route, the delivery last.

Quantities are set as Odoo's own validation sets them, in batch: the moves
Shopify shipped whole keep their reservation as it is, the others get one
write per quantity, and the picked flags one write per picking; what Shopify
did not ship keeps its reservation and goes to the backorder. Then Odoo
validates once per picking.
"""

from collections import defaultdict

from odoo import Command, models
from odoo.tools.float_utils import float_compare, float_is_zero

from .. import odoo_compat
from ..queue.policy import NeedsAttention
from ..shopify.tracking import first_tracking, tracking_reference
from .stock_picking import SHIPPING_CODES


class StockMove(models.Model):
    _inherit = "stock.move"

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

    def _synco_plan_move(self, warehouse):
        """This move as the apply planner sees it, in the sale line's unit.
        At the shipping warehouse the goods closest to the customer go
        first; elsewhere what is least far along is taken off first."""
        self.ensure_one()
        steps = self._synco_steps_left()
        own = self._synco_warehouse()
        target = own == warehouse
        return {
            "move_id": self.id,
            "line_item_id": self.sale_line_id.shopify_line_item_id,
            "warehouse": own.id,
            "picking_id": self.picking_id.id,
            "remaining": self._synco_to_line_qty(self.product_uom_qty),
            "rank": steps if target else -steps,
        }

    def _synco_steps_left(self):
        """How many validations this move's goods still need to reach the
        customer: 1 for a delivery, more for a pick or a pack."""
        self.ensure_one()
        if self.picking_code in SHIPPING_CODES:
            return 1
        warehouse = self.picking_type_id.warehouse_id
        return 2 if self.location_id != warehouse.lot_stock_id else 3

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
        reduced = self.browse()
        for move in self:
            left = move.product_uom_qty - quantities[move.id]
            if float_compare(left, 0, precision_rounding=move.product_uom.rounding) > 0:
                move.product_uom_qty = left
                reduced |= move
        (self - reduced)._action_cancel()
        reduced._action_assign()
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

    def _synco_ship_route(self, quantities, fulfillment):
        """Validate ``quantities`` ({move id: quantity in the move's unit}) of
        these open moves of one warehouse through every step left of its
        route (pick, pack, then ship), each step keeping a backorder for what
        Shopify did not ship; the goods a step validates are the next step's
        to take. Returns the validated delivery (the last step)."""
        Picking = self.env["stock.picking"]
        while True:
            moves = self.browse(list(quantities))
            earlier = moves.filtered(lambda m: m.picking_code not in SHIPPING_CODES)
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

    def _synco_short(self, quantities):
        """The moves among ``self`` whose reservation does not cover their
        quantity in ``quantities``."""
        return self.filtered(
            lambda m: (
                float_compare(
                    m.quantity, quantities[m.id], precision_rounding=m.product_uom.rounding
                )
                < 0
            )
        )

    def _synco_set_quantities(self, quantities):
        """Set each move's quantity to ``quantities[move.id]`` (in the move's
        unit), which its reservation covers: the moves shipped whole are
        left as they are, the others written together per quantity, so
        their move lines are reduced in one pass (``_set_quantity``)."""
        by_quantity = defaultdict(list)
        for move in self:
            if float_compare(
                move.quantity, quantities[move.id], precision_rounding=move.product_uom.rounding
            ):
                by_quantity[quantities[move.id]].append(move.id)
        for quantity, move_ids in by_quantity.items():
            self.browse(move_ids).quantity = quantity


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _synco_validate_shipped(self, quantities, fulfillment):
        """Validate this delivery for ``quantities`` ({move id: quantity})
        from its reserved stock (and so its reserved lots and serials), with
        Shopify's tracking; the rest goes to a backorder, reserved as it was,
        without a wizard. Short stock stops everything: nothing is half-done."""
        self.ensure_one()
        if self.state == "draft":
            self.action_confirm()
        moves = self.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        shipped = moves.filtered(lambda m: m.id in quantities)
        if shipped._synco_short(quantities):
            self.action_assign()
            self._synco_stop_short(shipped._synco_short(quantities), quantities)
        shipped._synco_set_quantities(quantities)
        # What Shopify did not ship is not validated: a move someone picked
        # in Odoo goes back, reserved, to the backorder.
        (moves - shipped).filtered("picked").picked = False
        shipped.filtered(lambda m: not m.picked).picked = True
        vals = self._synco_tracking_vals(fulfillment) if fulfillment else {}
        # No wizard may stop a validation nobody watches: the backorder is
        # kept, and Shopify, not Odoo, tells the customer (no SMS prompt).
        context = {
            "skip_backorder": True,
            "skip_sanity_check": True,
            "skip_sms": True,
            "synco_from_shopify": True,
        }
        if vals:
            self.with_context(**context).write(vals)
        if self.picking_type_id.create_backorder == "never":
            # Odoo's validation would drop the rest, but Shopify keeps those
            # lines open and may still ship them: they stay on a backorder.
            self.with_context(**context, cancel_backorder=False)._action_done()
        else:
            self.with_context(**context).button_validate()
        if self.state != "done":
            raise NeedsAttention(self.env._("Odoo did not validate %s.", self.name))

    def _synco_stop_short(self, short, quantities):
        """Stop, naming every move of ``short`` and what it lacks."""
        if not short:
            return
        raise NeedsAttention(
            self.env._(
                "Not enough stock to validate %(picking)s: %(moves)s",
                picking=self.name,
                moves="; ".join(
                    self.env._(
                        "%(qty)s of %(product)s in %(warehouse)s (%(reserved)s available)",
                        qty=quantities[move.id],
                        product=move.product_id.display_name,
                        warehouse=self.picking_type_id.warehouse_id.name,
                        reserved=move.quantity,
                    )
                    for move in short
                ),
            )
        )

    def _synco_tracking_vals(self, fulfillment):
        """Shopify's tracking, and the carrier it names, as the delivery
        values that differ from its own: a tracked field written with its
        own value is still a write (a chatter check, a tracking job asked)."""
        vals = {}
        reference = tracking_reference(fulfillment)
        if reference != (self.carrier_tracking_ref or False):
            vals["carrier_tracking_ref"] = reference
        company = first_tracking(fulfillment).get("company")
        carrier = self.env["delivery.carrier"]._synco_from_tracking_company(
            company, self.company_id
        )
        if carrier and carrier != self.carrier_id:
            vals["carrier_id"] = carrier.id
        return vals
