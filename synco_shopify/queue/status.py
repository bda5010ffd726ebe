"""What a merchant sees on an order or a delivery: synced, pending, or
needs attention, from the record's open and failed jobs."""

from odoo import api, models
from odoo.tools import SQL

SYNC_STATES = [("synced", "Synced"), ("pending", "Pending"), ("attention", "Needs Attention")]


def sync_state(job_flags, link_states, is_shopify):
    """The status of a record from its open and failed jobs' flags
    (``attention`` or ``pending``) and its fulfillment links' states."""
    if "attention" in job_flags or "attention" in link_states:
        return "attention"
    if "pending" in job_flags:
        return "pending"
    return "synced" if is_shopify else False


class SyncoJobStatus(models.Model):
    _inherit = "synco.job"

    @api.model
    def _flags_of(self, where):
        """Rows ``(res_model, res_id, shop_id, order_id, flag)`` of the open
        and failed jobs matching the SQL condition ``where``; one query per
        batch of records, whatever the user may read of the queue."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT res_model, res_id, shop_id, payload->>'order_id',
                       CASE WHEN state = 'failed' OR needs_attention THEN 'attention'
                            ELSE 'pending' END
                  FROM synco_job
                 WHERE state IN ('pending', 'running', 'failed') AND (%s)
                """,
                where,
            )
        )
        return self.env.cr.fetchall()
