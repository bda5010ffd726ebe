"""A return made in Odoo reaches Shopify: when the warehouse validates a
return (Odoo's Return button) of a Shopify order's Odoo-led delivery, the
job makes the Shopify return of those line items (returnCreate) and
processes it as restocked at the mapped location, as for a Shopify return
(synco_return_sync.py). A receipt the addon made from a Shopify return is
linked to it already and never sent back as a new one."""

from odoo import fields, models

from ..planning import returns as planner
from ..queue.policy import NeedsAttention
from ..shopify import queries, reads
from ..shopify.ids import legacy_id, to_gid


class SyncoShop(models.Model):
    _inherit = "synco.shop"

    send_odoo_returns = fields.Boolean(
        string="Send Odoo Returns to Shopify",
        default=True,
        help="A return of a Shopify order's delivery validated in Odoo (the Return button) "
        "becomes a Shopify return of those items, processed as restocked.",
    )


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _synco_odoo_return_shop(self):
        """The shop to tell of this validated receipt, a return made in Odoo
        of an Odoo-led Shopify delivery; an empty one otherwise."""
        self.ensure_one()
        shop = self.env["synco.shop"]
        delivery = self.return_id
        if (
            self.state != "done"
            or self.picking_type_code != "incoming"
            or self.synco_return_id
            or not delivery
            or not delivery._synco_is_odoo_led()
        ):
            return shop
        found = delivery._synco_shop()
        if not found.send_odoo_returns or not found._synco_has_scopes("returns"):
            return shop
        return found

    def _synco_enqueue_return_create(self):
        """Queue sending Shopify the returns made in Odoo among these
        validated pickings (the door in stock_picking.py calls it)."""
        for receipt in self:
            shop = receipt._synco_odoo_return_shop()
            if shop:
                self.env["synco.job"]._enqueue(
                    shop,
                    "create_return",
                    record=receipt,
                    dedupe_key=f"return_create:{receipt.id}",
                    order_ref=receipt.return_id.sale_id.shopify_order_id,
                )

    def _synco_job_create_return(self, job):
        """Make the Shopify return of this receipt's units, link it, then
        process it as the receipt of a Shopify return is processed."""
        self.ensure_one()
        if self.synco_return_id:
            return self._synco_job_process_return(job)
        returned = {}
        for line, qty in (
            self.move_ids.filtered(
                lambda m: m.state == "done" and m.sale_line_id.shopify_line_item_id
            )
            ._synco_shipped_per_line()
            .items()
        ):
            key = line.shopify_line_item_id
            returned[key] = returned.get(key, 0) + int(qty + 1e-6)
        returned = {key: qty for key, qty in returned.items() if qty > 0}
        if not returned:
            return "no Shopify line in this return"
        client = job._client()
        fulfilled = []
        for link in self.return_id.synco_fulfillment_ids.filtered(lambda f: f.state == "done"):
            for node in (
                (reads.fulfillment(client, link._gid()) or {})
                .get("fulfillmentLineItems", {})
                .get("nodes", [])
            ):
                fulfilled.append(
                    (legacy_id(node["id"]), legacy_id(node["lineItem"]["id"]), node["quantity"])
                )
        lines, left = planner.plan_create(returned, fulfilled)
        if left or not lines:
            raise NeedsAttention(
                self.env._(
                    "Return %(receipt)s: Shopify's fulfillments of %(delivery)s do not hold "
                    "these line items (id: units): %(left)s. Record the return in Shopify.",
                    receipt=self.name,
                    delivery=self.return_id.name,
                    left=", ".join(f"{key}: {qty}" for key, qty in left.items()) or "-",
                )
            )
        sale = self.return_id.sale_id
        answer = client.mutate(
            queries.RETURN_CREATE,
            {
                "returnInput": {
                    "orderId": to_gid("Order", sale.shopify_order_id),
                    "returnLineItems": lines,
                }
            },
            "returnCreate",
        )
        self._synco_link_created_return(job.shop_id, sale, answer["return"], fulfilled)
        return self._synco_job_process_return(job)

    def _synco_link_created_return(self, shop, sale, created, fulfilled):
        line_item_of = {fline: item for fline, item, _qty in fulfilled}
        return_line_of = {}
        for node in created["returnLineItems"]["nodes"]:
            fline = legacy_id(node["fulfillmentLineItem"]["id"])
            return_line_of.setdefault(line_item_of.get(fline), legacy_id(node["id"]))
        link = self.env["synco.return"].create(
            {
                "shop_id": shop.id,
                "shopify_return_id": legacy_id(created["id"]),
                "name": created.get("name") or self.name,
                "status": created["status"],
                "origin": "odoo",
                "sale_order_id": sale.id,
            }
        )
        self.synco_return_id = link
        for move in self.move_ids:
            move.shopify_return_line_id = return_line_of.get(move.sale_line_id.shopify_line_item_id)
        return link
