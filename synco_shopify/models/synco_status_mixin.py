"""What a Shopify order's sale order and its deliveries both show of their
sync: the status, the link to Shopify's admin, and the two filters "Needs
Attention" and "Not in Shopify Yet"."""

from odoo import fields, models
from odoo.tools import SQL

from ..queue.status import SYNC_STATES

# Open or failed jobs a person must look at.
ATTENTION_JOBS = SQL(
    "state IN ('pending', 'running', 'failed') AND (state = 'failed' OR needs_attention)"
)


class SyncoStatusMixin(models.AbstractModel):
    """The Shopify status of a sale order or a delivery. Each model computes
    its own ``_compute_synco_state`` and ``_compute_shopify_admin_url``, and
    says which of its records the filters find (``_synco_attention_ids``,
    ``_synco_not_in_shopify_ids``)."""

    _name = "synco.status.mixin"
    _description = "Shopify Status"

    synco_state = fields.Selection(
        SYNC_STATES, compute="_compute_synco_state", string="Shopify Status"
    )
    shopify_admin_url = fields.Char(compute="_compute_shopify_admin_url", string="Shopify Admin")
    synco_needs_attention = fields.Boolean(
        string="Shopify Needs Attention",
        compute="_compute_synco_filters",
        search="_search_synco_needs_attention",
    )
    synco_not_in_shopify = fields.Boolean(
        string="Not in Shopify Yet",
        compute="_compute_synco_filters",
        search="_search_synco_not_in_shopify",
        help="Shipped in Odoo, but no Shopify fulfillment is linked yet.",
    )

    def action_open_in_shopify(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.shopify_admin_url, "target": "new"}

    def _compute_synco_filters(self):
        attention = set(self._synco_attention_ids())
        missing = set(self._synco_not_in_shopify_ids())
        for record in self:
            record.synco_needs_attention = record.id in attention
            record.synco_not_in_shopify = record.id in missing

    def _search_synco_needs_attention(self, operator, value):
        return self._synco_bool_search(self._synco_attention_ids(), operator, value)

    def _search_synco_not_in_shopify(self, operator, value):
        return self._synco_bool_search(self._synco_not_in_shopify_ids(), operator, value)

    def _synco_bool_search(self, ids, operator, value):
        """A domain for a Boolean filter field from the ids that are True."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(f"cannot search on {operator} {value!r}")
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    def _synco_query_ids(self, query):
        """The first column of ``query``'s rows."""
        self.env.cr.execute(query)
        return [row[0] for row in self.env.cr.fetchall()]
