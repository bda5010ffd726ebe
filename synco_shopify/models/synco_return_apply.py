"""Shopify-led returns: at a location Shopify leads (a 3PL's), the return
receipt is made as for an Odoo-led one, and validated by the addon when
Shopify reports the units received (processed or disposed as restocked at
that location); units disposed otherwise are never put back in stock."""

from odoo import api, models

from ..planning import returns as planner
from ..shopify.const import SHOPIFY_TO_ODOO


class SyncoReturn(models.Model):
    _inherit = "synco.return"

    @api.model
    def _synco_on_dispose_webhook(self, job):
        """reverse_fulfillment_orders/dispose names its order, not its
        return: sync every open return of that order Odoo knows."""
        order_id = job.payload.get("order_id")
        sale = self.env["sale.order"]._synco_find(job.shop_id, order_id) if order_id else None
        links = self.search(
            [("sale_order_id", "=", sale.id), ("status", "=", planner.OPEN)]
            if sale
            else [("id", "=", 0)]
        )
        for link in links:
            self._synco_enqueue_sync(
                job.shop_id, link.shopify_return_id, order_id, job.payload["topic"]
            )
        return f"sync of {len(links)} return(s) queued"

    def _synco_apply_received(self, ret):
        """Validate on the receipts at Shopify-led locations what Shopify
        reports restocked there and Odoo has not validated yet."""
        self.ensure_one()
        shop = self.shop_id
        done = []
        for receipt in self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
            warehouse = receipt.picking_type_id.warehouse_id
            mapping = shop.location_map_ids._find(warehouse=warehouse)
            if not mapping or shop._direction_for(warehouse=warehouse) != SHOPIFY_TO_ODOO:
                continue
            moves = receipt.move_ids.filtered(
                lambda m: m.state not in ("done", "cancel") and m.shopify_return_line_id
            )
            open_lines = {}
            for move in moves:
                key = move.shopify_return_line_id
                open_lines[key] = open_lines.get(key, 0) + move._synco_to_line_qty(
                    move.product_uom_qty
                )
            received = self._synco_received()[0]
            validate, keep_rest = planner.plan_shopify_received(
                ret, mapping.shopify_location_id, received, open_lines
            )
            if not validate and not keep_rest:
                receipt.with_context(synco_from_shopify=True).action_cancel()
                done.append(f"{receipt.name} cancelled: nothing came back to stock")
                continue
            if validate:
                receipt._synco_validate_received(moves, validate, keep_rest)
                done.append(f"{receipt.name} validated")
        return "; ".join(done)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _synco_validate_received(self, moves, validate, keep_rest):
        """Validate ``validate`` ({return line id: units}) of ``moves``; a
        backorder keeps the rest only while Shopify still expects some."""
        self.ensure_one()
        left = dict(validate)
        for move in moves:
            key = move.shopify_return_line_id
            take = min(left.get(key, 0), move._synco_to_line_qty(move.product_uom_qty))
            move.quantity = move._synco_from_line_qty(take)
            move.picked = True
            left[key] = left.get(key, 0) - take
        context = {"skip_backorder": True, "skip_sanity_check": True, "synco_from_shopify": True}
        if not keep_rest:
            context["picking_ids_not_to_backorder"] = self.ids
        self.with_context(**context).button_validate()
        self._synco_post(
            self.env._(
                "Received from Shopify: %(count)s unit(s) of return %(name)s restocked; "
                "receipt %(receipt)s validated.",
                count=sum(validate.values()),
                name=self.synco_return_id.name,
                receipt=self.name,
            )
        )
