from odoo import api, fields, models

from ..planning import notes
from ..planning import refunds as refund_planner


class SaleOrderRefund(models.Model):
    """Shopify refunds on the sale order: each noted once in its chatter
    (units, restocking, amount), whatever the number of deliveries of its
    ``refunds/create``. What a refund changes in the deliveries is the
    import job's business (``_synco_follow_shopify``, queued here too): units
    refunded after they shipped change nothing there."""

    _inherit = "sale.order"

    shopify_refund_ids = fields.Char(
        string="Shopify Refunds",
        copy=False,
        readonly=True,
        help="The Shopify refunds already noted on the order (numeric ids, comma separated).",
    )

    @api.model
    def _synco_on_refund_webhook(self, job):
        """refunds/create: note the refund on the sale order (once), then
        queue the order's import job, as for any change of quantities (it
        reads the order as it is when it runs)."""
        refund = refund_planner.parse_refund(job.payload["refund"])
        sale = self._synco_find(job.shop_id, refund.order_id)
        noted = sale._synco_take_refund(refund) if sale else False
        edit = self._synco_enqueue_import(
            job.shop_id, refund.order_id, job.payload["topic"], fold=True
        )
        result = f"order update queued as job {edit.id}"
        return f"refund {refund.refund_id} noted; {result}" if noted else result

    def _synco_take_refund(self, refund):
        """Note ``refund`` (a ``planning.refunds.Refund``) unless it already
        is; True when noted now. Writing the id on the order makes two
        deliveries handled at once collide on its row: one of them retries
        and finds the id."""
        self.ensure_one()
        known = set(filter(None, (self.shopify_refund_ids or "").split(",")))
        if refund.refund_id in known:
            return False
        self.shopify_refund_ids = ",".join(sorted(known | {refund.refund_id}))
        self.message_post(
            body=notes.render(refund_planner.refund_note(refund), self.env._),
            subtype_xmlid="mail.mt_note",
        )
        self._synco_on_shopify_refund(refund)
        return True

    def _synco_on_shopify_refund(self, refund):
        """Called once per Shopify refund of this order, after its note,
        with the parsed refund (its lines carry ``restock_type`` and, when
        restocked, Shopify's ``location_id``). Nothing moves in the
        warehouse here: a refund without restocking moves nothing, and a
        restocking refund of shipped units (``return``) is for the returns
        handling to turn into a receipt. Override to act on it."""
        return None
