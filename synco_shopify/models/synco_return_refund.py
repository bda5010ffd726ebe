"""Restocking refunds: a Shopify refund of fulfilled units with restock
type ``return`` (goods back without a Shopify return) becomes a Ready
return receipt, as a Shopify return does. Shopify restocked them already,
so the receipt's validation tells Shopify nothing.

Wiring: ``refunds/create`` has one handler in ``queue/registry.py``
(``sale.order._synco_on_refund_webhook``: the note, then the order's
import job); this step runs after it, from the override below, as its own
job."""

from odoo import api, fields, models

from ..queue.policy import NeedsAttention

RESTOCKING = "return"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    def _synco_on_refund_webhook(self, job):
        result = super()._synco_on_refund_webhook(job)
        restock = self.env["synco.return"]._synco_on_refund_webhook(job)
        return f"{result}; {restock}" if restock else result


class SyncoReturn(models.Model):
    _inherit = "synco.return"

    origin = fields.Selection(
        selection_add=[("refund", "Restocking refund")], ondelete={"refund": "cascade"}
    )

    @api.model
    def _synco_on_refund_webhook(self, job):
        """Queue the receipt of the refund's restocked units, if any."""
        data = job.payload["refund"]
        lines = [
            {"line_item_id": str(row["line_item_id"]), "quantity": int(row["quantity"])}
            for row in data.get("refund_line_items") or []
            if row.get("restock_type") == RESTOCKING and int(row.get("quantity") or 0) > 0
        ]
        if not lines:
            return ""
        refund_id, order_id = str(data["id"]), str(data["order_id"])
        self.env["synco.job"]._enqueue(
            job.shop_id,
            "restock_refund",
            model="synco.return",
            payload={"refund_id": refund_id, "order_id": order_id, "lines": lines},
            dedupe_key=f"refund_restock:{refund_id}",
            order_ref=order_id,
        )
        return f"receipt of refund {refund_id} queued"

    @api.model
    def _synco_job_restock_refund(self, job):
        """Make the Ready receipt of a restocking refund from the deliveries
        that shipped the units, newest first; once per refund."""
        shop, payload = job.shop_id, job.payload
        key = f"refund-{payload['refund_id']}"
        if self.search([("shop_id", "=", shop.id), ("shopify_return_id", "=", key)]):
            return "receipt already made"
        sale = self.env["sale.order"]._synco_find(shop, payload["order_id"])
        if not sale:
            raise NeedsAttention(
                self.env._("Shopify order %s is not in Odoo.", payload["order_id"])
            )
        deliveries = sale.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        ).sorted("date_done", reverse=True)
        room = {d: d._synco_returnable() for d in deliveries}
        rows, left = {}, []
        for line in payload["lines"]:
            wanted = line["quantity"]
            for delivery in deliveries:
                take = min(wanted, room[delivery].get(line["line_item_id"], 0))
                if take > 0:
                    rows.setdefault(delivery, []).append((line["line_item_id"], False, take))
                    room[delivery][line["line_item_id"]] -= take
                    wanted -= take
            if wanted:
                left.append(f"{line['line_item_id']}: {wanted}")
        if left:
            raise NeedsAttention(
                self.env._(
                    "Refund %(refund)s restocks units no Odoo delivery of %(order)s shipped "
                    "(line item: units) %(left)s: receive them by hand.",
                    refund=payload["refund_id"],
                    order=sale.name,
                    left=", ".join(left),
                )
            )
        link = self.create(
            {
                "shop_id": shop.id,
                "shopify_return_id": key,
                "name": self.env._("Refund %s", payload["refund_id"]),
                "origin": "refund",
                "sale_order_id": sale.id,
            }
        )
        receipts = self.env["stock.picking"]
        for delivery, lines in rows.items():
            receipts |= delivery._synco_make_return_receipt(link, lines)
        return f"receipts made: {', '.join(receipts.mapped('name'))}"
