"""Return receipts, both ways. From Shopify: a receipt made with Odoo's
Return wizard for a Shopify return (synco_return.py decides when), and,
once the warehouse validates it, Shopify told what came back (processed
as restocked at the mapped location, the return closed when nothing is
left)."""

from odoo import fields, models

from ..planning import returns as planner
from ..queue.policy import NeedsAttention
from ..shopify import queries
from ..shopify.ids import to_gid


class StockMove(models.Model):
    _inherit = "stock.move"

    shopify_return_line_id = fields.Char(
        string="Shopify Return Line ID",
        readonly=True,
        index="btree_not_null",
        help="The Shopify return line item these units come back for.",
    )


class StockPicking(models.Model):
    _inherit = "stock.picking"

    synco_return_id = fields.Many2one(
        "synco.return", string="Shopify Return", readonly=True, index="btree_not_null"
    )
    synco_return_status = fields.Selection(
        related="synco_return_id.status", string="Shopify Return Status"
    )

    # -- a delivery gives units back ---------------------------------------

    def _synco_returnable(self):
        """{Shopify line item id: units of this done delivery not yet on a
        live return}, in the sale line's unit."""
        self.ensure_one()
        out = {}
        for move in self.move_ids.filtered(
            lambda m: m.state == "done" and m.sale_line_id.shopify_line_item_id
        ):
            key = move.sale_line_id.shopify_line_item_id
            out[key] = out.get(key, 0) + max(self._synco_move_room(move), 0)
        return out

    def _synco_make_return_receipt(self, link, rows):
        """The return receipt of ``rows`` ([(line item id, return line id,
        units)]) from this delivery, made as Odoo's Return button makes it."""
        self.ensure_one()
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=self.id, active_model="stock.picking")
            .create({"picking_id": self.id})
        )
        return_line_of = {}
        for line_item, return_line, units in rows:
            for wline in wizard.product_return_moves:
                move = wline.move_id
                if units <= 0 or move.sale_line_id.shopify_line_item_id != line_item:
                    continue
                room = self._synco_move_room(move) - move._synco_to_line_qty(wline.quantity)
                take = min(units, room)
                if take > 0:
                    wline.quantity += move._synco_from_line_qty(take)
                    return_line_of[move.id] = return_line
                    units -= take
        receipt = wizard._create_return()
        for move in receipt.move_ids:
            move.shopify_return_line_id = return_line_of.get(move.origin_returned_move_id.id)
        receipt.synco_return_id = link
        self._synco_post(
            self.env._(
                "Shopify return %(name)s: receipt %(receipt)s made for the units coming back.",
                name=link.name,
                receipt=receipt.name,
            )
        )
        return receipt

    def _synco_move_room(self, move):
        back = move.returned_move_ids.filtered(lambda m: m.state != "cancel")
        left = move.quantity - sum(
            m.quantity if m.state == "done" else m.product_uom_qty for m in back
        )
        return move._synco_to_line_qty(left)

    # -- the warehouse validated a return receipt --------------------------

    def _synco_enqueue_return_process(self):
        """Queue telling Shopify what came back; never call it here (the
        door in stock_picking.py calls it)."""
        for receipt in self.filtered(
            lambda p: p.state == "done" and p.synco_return_id.origin in ("shopify", "odoo")
        ):
            link = receipt.synco_return_id
            self.env["synco.job"]._enqueue(
                link.shop_id,
                "process_return",
                record=receipt,
                dedupe_key=f"return_process:{receipt.id}",
                order_ref=link.sale_order_id.shopify_order_id,
            )

    def _synco_job_process_return(self, job):
        """Process in Shopify the units validated on the return's receipts
        and not yet processed there, restocked at the receipt's mapped
        location; close the return once nothing is left. Reads Shopify
        first: a second run finds them processed and sends nothing."""
        self.ensure_one()
        link = self.synco_return_id
        client = job._client()
        gid = to_gid("Return", link.shopify_return_id)
        data = client.execute(queries.RETURN, {"id": gid})["return"]
        if not data:
            return "Shopify no longer has this return"
        ret = planner.parse_return(data)
        if ret.status != planner.OPEN:
            return f"return is {ret.status.lower()} in Shopify: nothing to process"
        received, locations = link._synco_received()
        items, complete = planner.plan_process(ret, received, locations)
        status = ret.status
        if items:
            answer = client.mutate(
                queries.RETURN_PROCESS,
                {"input": {"returnId": gid, "returnLineItems": items}},
                "returnProcess",
            )
            status = (answer.get("return") or {}).get("status") or status
        if complete and status == planner.OPEN:
            client.mutate(queries.RETURN_CLOSE, {"id": gid}, "returnClose")
            status = "CLOSED"
        link.status = status
        done = sum(item["quantity"] for item in items)
        if done:
            self._synco_post(
                self.env._(
                    "Sent to Shopify: %(count)s unit(s) of return %(name)s received and restocked.",
                    count=done,
                    name=link.name,
                )
            )
        return f"{done} unit(s) processed; return {status.lower()}"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    synco_return_ids = fields.One2many(
        "synco.return", "sale_order_id", string="Shopify Returns", readonly=True
    )


class SyncoReturn(models.Model):
    _inherit = "synco.return"

    def _synco_received(self):
        """({return line id: units validated on the receipts}, {return line
        id: the Shopify location its receipt's warehouse maps to})."""
        self.ensure_one()
        received, locations = {}, {}
        for receipt in self.picking_ids.filtered(lambda p: p.state == "done"):
            warehouse = receipt.picking_type_id.warehouse_id
            mapping = self.shop_id.location_map_ids._find(warehouse=warehouse)
            if not mapping:
                raise NeedsAttention(
                    self.env._(
                        "Warehouse %(warehouse)s is mapped to no Shopify location of "
                        "%(shop)s: map it, then retry.",
                        warehouse=warehouse.name,
                        shop=self.shop_id.name,
                    )
                )
            for move in receipt.move_ids.filtered(
                lambda m: m.state == "done" and m.shopify_return_line_id
            ):
                key = move.shopify_return_line_id
                received[key] = received.get(key, 0) + move._synco_to_line_qty(move.quantity)
                locations[key] = mapping.shopify_location_id
        return received, locations
