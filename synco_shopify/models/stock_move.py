from odoo import Command, models
from odoo.tools.float_utils import float_compare

from . import odoo_compat


class StockMove(models.Model):
    _inherit = "stock.move"

    def _synco_reship(self, warehouse, quantities):
        """Shopify shipped part of these moves from ``warehouse``, not from
        the warehouse Odoo planned: create a delivery from ``warehouse`` for
        those quantities (same sale lines, same procurement group) and take
        them off the planned moves. Returns the new, confirmed delivery."""
        first = self[:1]
        picking_type = warehouse.out_type_id
        source = picking_type.default_location_src_id or warehouse.lot_stock_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": first.picking_id.partner_id.id,
                "origin": first.picking_id.origin,
                "location_id": source.id,
                "location_dest_id": first.location_dest_id.id,
                **odoo_compat.picking_procurement_vals(first),
                "move_ids": [
                    Command.create(
                        {
                            "product_id": move.product_id.id,
                            "product_uom_qty": quantities[move.id],
                            "product_uom": move.product_uom.id,
                            "sale_line_id": move.sale_line_id.id,
                            "location_id": source.id,
                            "location_dest_id": move.location_dest_id.id,
                            **odoo_compat.move_copy_vals(move),
                            "warehouse_id": warehouse.id,
                        }
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
        return picking
