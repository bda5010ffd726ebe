from odoo import models
from odoo.addons.synco_shopify import odoo_compat


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _synco_kits(self, moves, bom):
        """How many complete kits of this line ``moves`` (done component
        moves) make, in the line's unit."""
        self.ensure_one()
        if not moves:
            return 0.0
        order_qty = self[odoo_compat.SALE_LINE_UOM]._compute_quantity(
            self.product_uom_qty, bom.product_uom_id
        )
        filters = {"incoming_moves": lambda move: True, "outgoing_moves": lambda move: False}
        kits = moves._compute_kit_quantities(self.product_id, order_qty, bom, filters)
        return bom.product_uom_id._compute_quantity(kits, self[odoo_compat.SALE_LINE_UOM])
