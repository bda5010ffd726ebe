from odoo import models
from odoo.addons.synco_shopify import odoo_compat
from odoo.tools.float_utils import float_round


class StockMove(models.Model):
    """A kit sold in Shopify is one line item; in Odoo its phantom bill of
    materials makes one move per component, each with the kit's sale line.
    Shopify's quantities are kits: a component move counts in kits."""

    _inherit = "stock.move"

    def _synco_kit_bom(self):
        """The phantom bill of materials of the kit this move is a component
        of, sold as its sale line's product; an empty one otherwise."""
        self.ensure_one()
        bom = self.bom_line_id.bom_id
        product = self.sale_line_id.product_id
        if (
            bom.type == "phantom"
            and product
            and (
                bom.product_id == product
                or (not bom.product_id and bom.product_tmpl_id == product.product_tmpl_id)
            )
        ):
            return bom
        return self.env["mrp.bom"]

    def _synco_per_kit(self):
        """This component's quantity, in the move's unit, for one kit in the
        sale line's unit."""
        bom = self._synco_kit_bom()
        bom_line = self.bom_line_id
        per_bom_unit = bom_line.product_uom_id._compute_quantity(
            bom_line.product_qty / bom.product_qty, self.product_uom, round=False
        )
        return (
            self.sale_line_id[odoo_compat.SALE_LINE_UOM]._compute_quantity(
                1.0, bom.product_uom_id, round=False
            )
            * per_bom_unit
        )

    def _synco_plan_group(self):
        self.ensure_one()
        if self._synco_kit_bom():
            return f"kit component {self.bom_line_id.id}"
        return super()._synco_plan_group()

    def _synco_to_line_qty(self, quantity):
        self.ensure_one()
        if not self._synco_kit_bom():
            return super()._synco_to_line_qty(quantity)
        # Whole kits only: a part of one is not a kit Shopify can ship.
        return float_round(quantity / self._synco_per_kit() + 1e-9, 0, rounding_method="DOWN")

    def _synco_from_line_qty(self, quantity):
        self.ensure_one()
        if not self._synco_kit_bom():
            return super()._synco_from_line_qty(quantity)
        return float_round(
            quantity * self._synco_per_kit() + 1e-9,
            precision_rounding=self.product_uom.rounding,
            rounding_method="DOWN",
        )

    def _synco_shipped_per_line(self):
        """Complete kits, by Odoo's own kit logic (``_compute_kit_quantities``):
        the kits this delivery completes are those complete once it is done,
        less those complete before it, so a kit split over two deliveries
        counts once, with the one that completes it."""
        kits = self.filtered(lambda move: move._synco_kit_bom())
        shipped = super(StockMove, self - kits)._synco_shipped_per_line()
        for line in kits.sale_line_id:
            moves = kits.filtered(lambda move, line=line: move.sale_line_id == line)
            shipped[line] = shipped.get(line, 0.0) + moves._synco_kits_completed()
        return shipped

    def _synco_kits_completed(self):
        line = self.sale_line_id
        bom = self[0]._synco_kit_bom()
        picking = self.picking_id

        def rank(move):
            return (move.picking_id.date_done, move.picking_id.id)

        done = line.move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
        )
        through = done.filtered(lambda m: m.picking_id == picking or rank(m) < rank(self[0]))
        before = through.filtered(lambda m: m.picking_id != picking)
        return line._synco_kits(through, bom) - line._synco_kits(before, bom)

    def _synco_prepare_reship_vals(self, quantity, picking_type, source, dest, customer):
        vals = super()._synco_prepare_reship_vals(quantity, picking_type, source, dest, customer)
        if self.bom_line_id:
            vals["bom_line_id"] = self.bom_line_id.id
        return vals
