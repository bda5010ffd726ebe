import logging
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..planning import golive
from ..planning.reconcile import DEAD
from ..shopify import queries, reads
from ..shopify.errors import ShopifyError
from ..shopify.ids import legacy_id

_logger = logging.getLogger(__name__)

# The import job's ``source`` for these orders: it plans what is left to ship.
SOURCE = "open orders"
# How far back the import looks unless the merchant says otherwise.
DEFAULT_DAYS = 30
PAGE = 50


class SyncoOpenOrdersImport(models.Model):
    """One import of the orders still open in Shopify (at go-live, for a
    second shop, or after an outage longer than the catch-up's reach):
    every order placed since a date and not, or not wholly, fulfilled is
    queued as an import job; the counts come from those jobs as they run.
    A partly fulfilled order comes in with only what is left to ship."""

    _name = "synco.open.orders.import"
    _inherit = "synco.shop.owned"
    _description = "Shopify Open Orders Import"
    _order = "id desc"

    since = fields.Date(
        string="Orders Placed Since",
        required=True,
        default=lambda self: fields.Date.context_today(self) - timedelta(days=DEFAULT_DAYS),
    )
    state = fields.Selection(
        [("draft", "To Start"), ("running", "Importing"), ("done", "Done")],
        compute="_compute_progress",
    )
    listed_at = fields.Datetime(string="Started", readonly=True)
    job_ids = fields.Many2many("synco.job", string="Import Jobs", readonly=True)
    listed_count = fields.Integer(string="Open Orders Found", readonly=True)
    already_count = fields.Integer(
        string="Already in Odoo", readonly=True, help="Found open, but already imported."
    )
    queued_count = fields.Integer(string="Queued", compute="_compute_progress")
    waiting_count = fields.Integer(string="Waiting", compute="_compute_progress")
    imported_count = fields.Integer(string="Imported", compute="_compute_progress")
    skipped_count = fields.Integer(string="Not Imported", compute="_compute_progress")
    attention_count = fields.Integer(string="Needing Attention", compute="_compute_progress")
    summary = fields.Char(compute="_compute_progress")

    @api.depends("shop_id.name", "since")
    def _compute_display_name(self):
        for run in self:
            run.display_name = self.env._(
                "Open orders of %(shop)s since %(date)s", shop=run.shop_id.name, date=run.since
            )

    @api.depends("job_ids.state", "job_ids.needs_attention", "job_ids.result", "listed_at")
    def _compute_progress(self):
        for run in self:
            jobs = run.job_ids.read(["state", "needs_attention", "result"]) if run.job_ids else []
            counts = golive.progress(jobs)
            run.queued_count = counts.queued
            run.waiting_count = counts.waiting
            run.imported_count = counts.imported
            run.skipped_count = counts.skipped
            run.attention_count = counts.attention
            if not run.listed_at:
                run.state, run.summary = "draft", False
                continue
            run.state = "done" if counts.finished else "running"
            run.summary = self.env._(
                "%(found)s open orders found: %(imported)s imported, %(attention)s needing "
                "attention, %(skipped)s not imported, %(waiting)s waiting; %(already)s were "
                "already in Odoo.",
                found=run.listed_count,
                imported=counts.imported,
                attention=counts.attention,
                skipped=counts.skipped,
                waiting=counts.waiting,
                already=run.already_count,
            )

    def action_start(self):
        """List the open orders in Shopify and queue an import of each one
        Odoo lacks. Orders already imported, or with an import queued, are
        not queued twice (the import job is keyed by the order)."""
        self.ensure_one()
        if self.listed_at:
            raise UserError(self.env._("This import has already started."))
        since = datetime.combine(self.since, time.min)
        try:
            client = self.shop_id._shopify_client()
            variables = {"first": PAGE, "query": golive.open_orders_query(since)}
            nodes = list(client.paginate(queries.ORDERS, variables, ("orders",)))
        except ShopifyError as exc:
            raise UserError(str(exc)) from None
        ids = [legacy_id(n["legacyResourceId"]) for n in nodes]
        known = set(
            self.env["sale.order"]
            .search_fetch(
                [("synco_shop_id", "=", self.shop_id.id), ("shopify_order_id", "in", ids)],
                ["shopify_order_id"],
            )
            .mapped("shopify_order_id")
        )
        SaleOrder = self.env["sale.order"]
        jobs = self.env["synco.job"]
        for order_id in dict.fromkeys(ids):
            if order_id not in known:
                jobs |= SaleOrder._synco_enqueue_import(self.shop_id, order_id, SOURCE)
        self.write(
            {
                "listed_at": fields.Datetime.now(),
                "listed_count": len(set(ids)),
                "already_count": len(known),
                "job_ids": [fields.Command.set(jobs.ids)],
            }
        )
        _logger.info(
            "shop %s: open-orders import since %s found %s orders, queued %s",
            self.shop_id.id,
            self.since,
            len(ids),
            len(jobs),
        )
        return False

    def action_refresh(self):
        """The form reloads with the jobs' progress."""
        return False

    def action_open_attention(self):
        self.ensure_one()
        jobs = self.job_ids.filtered(lambda j: j.state == "failed" or j.needs_attention)
        return self.shop_id._action_open("synco_shopify.action_synco_job", [("id", "in", jobs.ids)])

    def action_open_jobs(self):
        self.ensure_one()
        return self.shop_id._action_open(
            "synco_shopify.action_synco_job", [("id", "in", self.job_ids.ids)]
        )

    # -- the import job's part --------------------------------------------------

    @api.model
    def _link_shipped_before(self, sale, client, order):
        """Record the fulfillments Shopify made before the import as links
        without a delivery, so the reconciliation does not apply them again
        to what is left to ship."""
        Link = self.env["synco.fulfillment"]
        _status, found = reads.order_fulfillments(client, order["id"])
        message = self.env._(
            "Shipped in Shopify before the order was imported: not in this order's deliveries."
        )
        for fulfillment in found:
            fid = legacy_id(fulfillment["id"])
            if fulfillment.get("status") in DEAD or Link.search_count(
                [("shop_id", "=", sale.synco_shop_id.id), ("shopify_fulfillment_id", "=", fid)]
            ):
                continue
            Link.create(
                {
                    "shop_id": sale.synco_shop_id.id,
                    "sale_order_id": sale.id,
                    "shopify_fulfillment_id": fid,
                    "origin": "shopify",
                    **Link._tracking_vals(fulfillment),
                    "message": message,
                }
            )


class SaleOrderOpenOrders(models.Model):
    _inherit = "sale.order"

    def _synco_shipped_before(self, client, order):
        """After importing what is left of a partly fulfilled order: say so
        on the order and link what Shopify shipped before. Shopify's total
        covers the whole order, so it is not compared."""
        self.ensure_one()
        before = sum(self.order_line.mapped("shopify_shipped_before"))
        self.message_post(
            body=self.env._(
                "Partly fulfilled in Shopify before the import: %(units)g units had already "
                "shipped and are left out of this order; it holds what is left to ship.",
                units=before,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.env["synco.open.orders.import"]._link_shipped_before(self, client, order)
        return f"imported as {self.name}, with what is left to ship ({before:g} shipped before)"


class SaleOrderLineOpenOrders(models.Model):
    _inherit = "sale.order.line"

    shopify_shipped_before = fields.Float(
        string="Shipped in Shopify Before Import",
        readonly=True,
        copy=False,
        help="Units of this Shopify line fulfilled in Shopify before the order was imported "
        "by the open-orders import: not in the ordered quantity, not shipped again.",
    )
