"""What a merchant sees on an order or a delivery: synced, pending, needs
attention, waiting or not sent, from the record's open and failed jobs and
its fulfillment links."""

from odoo import api, models
from odoo.tools import SQL

SYNC_STATES = [
    ("synced", "Synced"),
    ("pending", "Pending"),
    ("attention", "Needs Attention"),
    ("waiting", "Waiting"),
    ("not_sent", "Not Sent"),
]


def sync_state(job_flags, link_states, is_shopify, delivery_state=None):
    """The status of a record from its open and failed jobs' flags
    (``attention`` or ``pending``) and its fulfillment links' states.

    With no job at work, a record is synced when Shopify has heard of it;
    for a delivery (``delivery_state``, its Odoo state) that takes a
    fulfillment link: without one it is ``waiting`` until it is done, then
    ``not_sent`` (its push was cancelled, or nothing sends it)."""
    if "attention" in job_flags or "attention" in link_states:
        return "attention"
    if "pending" in job_flags:
        return "pending"
    if not is_shopify:
        return False
    if delivery_state is None or link_states:
        return "synced"
    return "not_sent" if delivery_state in ("done", "cancel") else "waiting"


class SyncoJobStatus(models.Model):
    _inherit = "synco.job"

    @api.model
    def _flags_of(self, where):
        """Rows ``(res_model, res_id, shop_id, order_ref, flag)`` of the open
        and failed jobs matching the SQL condition ``where``; one query per
        batch of records, whatever the user may read of the queue."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT res_model, res_id, shop_id, order_ref,
                       CASE WHEN state = 'failed' OR needs_attention THEN 'attention'
                            ELSE 'pending' END
                  FROM synco_job
                 WHERE state IN ('pending', 'running', 'failed') AND (%s)
                """,
                where,
            )
        )
        return self.env.cr.fetchall()
