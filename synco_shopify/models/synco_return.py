import logging

from odoo import api, fields, models

from ..odoo_compat import Constraint
from ..planning import notes
from ..planning import returns as planner
from ..queue.policy import NeedsAttention
from ..shopify import queries, reads
from ..shopify.errors import ShopifyError
from ..shopify.ids import legacy_id, to_gid

_logger = logging.getLogger(__name__)
# The returns' catch-up reads this many orders a page (~11 points each).
RETURNS_PAGE = 25

STATUSES = [
    ("REQUESTED", "Requested"),
    ("OPEN", "Open"),
    ("CLOSED", "Closed"),
    ("DECLINED", "Declined"),
    ("CANCELED", "Cancelled"),
]


class SyncoReturn(models.Model):
    """A Shopify return and the Odoo return receipts made for it: one per
    delivery that shipped the returned units, made with Odoo's own Return
    wizard so that the sale line's delivered quantity follows. Shopify's
    status decides: an open return gets its receipts, a declined or
    cancelled one loses those not yet validated. The way back (a validated
    receipt processed in Shopify) is in synco_return_sync.py."""

    _name = "synco.return"
    _inherit = "synco.shop.owned"
    _description = "Shopify Return"
    _order = "id desc"

    name = fields.Char(readonly=True)
    shopify_return_id = fields.Char(
        string="Shopify Return ID", required=True, index=True, readonly=True
    )
    sale_order_id = fields.Many2one("sale.order", ondelete="set null", index=True, readonly=True)
    status = fields.Selection(STATUSES, string="Shopify Status", readonly=True)
    origin = fields.Selection(
        [("shopify", "Made in Shopify"), ("odoo", "Returned in Odoo")],
        default="shopify",
        required=True,
        readonly=True,
    )
    picking_ids = fields.One2many(
        "stock.picking", "synco_return_id", string="Return Receipts", readonly=True
    )
    message = fields.Text(readonly=True)

    _return_uniq = Constraint(
        "UNIQUE (shop_id, shopify_return_id)", "A Shopify return is linked once."
    )

    # -- Shopify told us -------------------------------------------------------

    @api.model
    def _synco_enqueue_sync(self, shop, return_id, order_id, reason="catch-up"):
        """The sync job of a return, behind its order's import when Odoo
        lacks the order (returns/* webhooks queue it themselves:
        ``queue/registry.py``)."""
        order_id = str(order_id or "")
        self.env["sale.order"]._synco_import_first(shop, order_id, "sync_return")
        return self.env["synco.job"]._enqueue(
            shop,
            "sync_return",
            model="synco.return",
            payload={"return_id": str(return_id), "order_id": order_id},
            dedupe_key=f"return:{return_id}:{reason}",
            order_ref=order_id or None,
            ordering_key=None if order_id else f"return:{return_id}",
        )

    @api.model
    def _synco_job_sync_return(self, job):
        """Read the return and make Odoo agree: receipts for an open one,
        none left open for a declined or cancelled one. Run twice, it finds
        the receipts it made and changes nothing."""
        shop = job.shop_id
        client = job._client()
        gid = to_gid("Return", job.payload["return_id"])
        data = client.execute(queries.RETURN, {"id": gid})["return"]
        if not data:
            return "Shopify no longer has this return"
        ret = planner.parse_return(data)
        sale = self.env["sale.order"]._synco_find(shop, ret.order_id)
        if not sale:
            note = notes.note("return_order_missing", name=ret.name, order=ret.order_id)
            raise NeedsAttention(note.render(self.env._))
        link = self._synco_link(shop, ret, sale)
        if ret.status == planner.OPEN:
            made = link._synco_receive(ret, client)
            return "; ".join(filter(None, [made, link._synco_apply_received(ret)]))
        if ret.status == "CLOSED":
            return link._synco_apply_received(ret) or "return is closed: nothing to receive"
        if ret.status in planner.DEAD:
            return link._synco_cancel_receipts(ret)
        return f"return is {ret.status.lower()}: nothing to receive"

    @api.model
    def _synco_catch_up(self, shop, client, query):
        """The order catch-up's returns: queue a sync of every return of the
        orders ``query`` lists whose status Odoo has not seen (a lost
        webhook), once per status. A failure here leaves the orders' own
        catch-up alone. Returns the number of syncs queued."""
        if not shop._synco_has_scopes("returns"):
            return 0
        try:
            variables = {"first": RETURNS_PAGE, "query": query}
            nodes = list(client.paginate(queries.ORDERS_RETURNS, variables, ("orders",)))
        except ShopifyError as exc:
            _logger.warning("shop %s: returns catch-up failed, will retry: %s", shop.id, exc)
            return 0
        listed = [
            (legacy_id(r["id"]), r["status"])
            for n in nodes
            for r in (n.get("returns") or {}).get("nodes", [])
        ]
        links = self.search(
            [("shop_id", "=", shop.id), ("shopify_return_id", "in", [r for r, _s in listed])]
        )
        keys = {f"return:{r}:catch-up:{s}": (r, s) for r, s in listed}
        jobs = self.env["synco.job"].search_fetch(
            [("shop_id", "=", shop.id), ("dedupe_key", "in", list(keys))], ["dedupe_key"]
        )
        todo = planner.catch_up(
            nodes,
            {link.shopify_return_id: link.status for link in links},
            {keys[job.dedupe_key] for job in jobs},
        )
        for return_id, order_id, status in todo:
            self._synco_enqueue_sync(shop, return_id, order_id, f"catch-up:{status}")
        return len(todo)

    @api.model
    def _synco_link(self, shop, ret, sale):
        link = self.search([("shop_id", "=", shop.id), ("shopify_return_id", "=", ret.id)], limit=1)
        vals = {"name": ret.name, "status": ret.status, "sale_order_id": sale.id}
        if link:
            link.write(vals)
            return link
        return self.create({**vals, "shop_id": shop.id, "shopify_return_id": ret.id})

    # -- receipts ----------------------------------------------------------------

    def _synco_covered(self):
        """{return line id: units its receipts hold or held}: open and done
        units, and units a person dropped when validating (no backorder)."""
        covered = {}
        for picking in self.picking_ids.filtered(lambda p: p.state != "cancel"):
            for move in picking.move_ids.filtered("shopify_return_line_id"):
                if move.state == "done":
                    qty = move.quantity
                elif move.state != "cancel" or picking.state == "done":
                    qty = move.product_uom_qty
                else:
                    continue
                key = move.shopify_return_line_id
                covered[key] = covered.get(key, 0) + move._synco_to_line_qty(qty)
        return covered

    def _synco_receive(self, ret, client):
        self.ensure_one()
        covered = self._synco_covered()
        if all(covered.get(line.id, 0) >= line.quantity for line in ret.lines):
            return "receipts already made"
        shipped_by = self._synco_shipped_by(client)
        returnable = {}
        for delivery in set(shipped_by.values()):
            for key, qty in delivery._synco_returnable().items():
                returnable[(delivery, key)] = qty
        plan = planner.plan_receipts(ret, covered, shipped_by, returnable)
        receipts = self.env["stock.picking"]
        for delivery, rows in plan.receipts.items():
            receipts |= delivery._synco_make_return_receipt(self, rows)
        if plan.stops:
            message = "\n".join(note.render(self.env._) for note in plan.stops)
            self.message = message
            if receipts:
                self.sale_order_id.message_post(body=message)
            raise NeedsAttention(message)
        return f"receipts made: {', '.join(receipts.mapped('name'))}"

    def _synco_shipped_by(self, client):
        """{fulfillment line id: the Odoo delivery linked to its fulfillment}."""
        links = self.env["synco.fulfillment"].search(
            [
                ("shop_id", "=", self.shop_id.id),
                ("sale_order_id", "=", self.sale_order_id.id),
                ("picking_id", "!=", False),
                ("state", "!=", "cancelled"),
            ]
        )
        shipped_by = {}
        for link in links:
            fulfillment = reads.fulfillment(client, link._gid()) or {}
            for node in (fulfillment.get("fulfillmentLineItems") or {}).get("nodes", []):
                shipped_by[legacy_id(node["id"])] = link.picking_id
        return shipped_by

    def _synco_cancel_receipts(self, ret):
        """A declined or cancelled return: its receipts not yet validated go;
        a validated one stays, and the order says what to do."""
        self.ensure_one()
        live = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        live.with_context(synco_from_shopify=True).action_cancel()
        done = self.picking_ids.filtered(lambda p: p.state == "done")
        for receipt in done:
            summary = self.env._(
                "Shopify return %(name)s: %(receipt)s already received",
                name=ret.name,
                receipt=receipt.name,
            )
            if not self.sale_order_id.activity_ids.filtered(lambda a, s=summary: a.summary == s):
                self.sale_order_id.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=summary,
                    note=notes.note(
                        "return_done_receipt",
                        name=ret.name,
                        status=ret.status.lower(),
                        receipt=receipt.name,
                    ).render(self.env._),
                    user_id=(self.sale_order_id.user_id or self.env.user).id,
                )
        if not live:
            return "no open receipt to cancel"
        return f"receipts cancelled: {', '.join(live.mapped('name'))}"

    def action_open_in_shopify(self):
        self.ensure_one()
        order = self.sale_order_id.shopify_order_id
        path = f"orders/{order}"
        if self.origin != "refund":
            path = f"{path}/returns/{self.shopify_return_id}"
        return {
            "type": "ir.actions.act_url",
            "url": self.shop_id._admin_url(path),
            "target": "new",
        }
