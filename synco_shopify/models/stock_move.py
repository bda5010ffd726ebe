from odoo import models
from odoo.tools.float_utils import float_round

from .. import odoo_compat


class StockMove(models.Model):
    """Shopify counts in the sale line's unit: what the push and the apply
    both need of a move. The kits module counts kits instead."""

    _inherit = "stock.move"

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

    def _synco_warehouse(self):
        """The warehouse this move ships for: its operation type's, or for a
        dropship (a vendor ships it, the type has no warehouse) its sale
        line's, the one the order took from Shopify's location."""
        self.ensure_one()
        if self.picking_code == "dropship":
            return self.sale_line_id.warehouse_id or self.sale_line_id.order_id.warehouse_id
        return self.picking_type_id.warehouse_id

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
