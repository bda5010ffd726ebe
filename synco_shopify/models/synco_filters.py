from odoo import fields, models
from odoo.tools import SQL

from .stock_picking import SHIPPING_CODES

# Open or failed jobs a person must look at.
_ATTENTION_JOBS = SQL(
    "state IN ('pending', 'running', 'failed') AND (state = 'failed' OR needs_attention)"
)


def _ids(env, query):
    env.cr.execute(query)
    return [row[0] for row in env.cr.fetchall()]


def _bool_search(ids, operator, value):
    """A domain for a Boolean filter field from the ids that are True."""
    if operator not in ("=", "!=") or not isinstance(value, bool):
        raise NotImplementedError(f"cannot search on {operator} {value!r}")
    positive = (operator == "=") == value
    return [("id", "in" if positive else "not in", ids)]


class StockPickingFilters(models.Model):
    """The filters "Needs Attention" and "Not in Shopify Yet" on deliveries."""

    _inherit = "stock.picking"

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

    def _compute_synco_filters(self):
        attention = set(self._synco_attention_ids())
        missing = set(self._synco_not_in_shopify_ids())
        for picking in self:
            picking.synco_needs_attention = picking.id in attention
            picking.synco_not_in_shopify = picking.id in missing

    def _synco_attention_ids(self):
        self.env["synco.job"].flush_model()
        self.env["synco.fulfillment"].flush_model()
        return _ids(
            self.env,
            SQL(
                """
                SELECT res_id FROM synco_job
                 WHERE res_model = 'stock.picking' AND res_id IS NOT NULL AND %s
                UNION
                SELECT picking_id FROM synco_fulfillment
                 WHERE state = 'attention' AND picking_id IS NOT NULL
                """,
                _ATTENTION_JOBS,
            ),
        )

    def _synco_not_in_shopify_ids(self):
        return self.search(
            [
                ("sale_id.shopify_order_id", "!=", False),
                ("picking_type_code", "in", SHIPPING_CODES),
                ("state", "=", "done"),
                ("synco_fulfillment_ids", "=", False),
            ]
        ).ids

    def _search_synco_needs_attention(self, operator, value):
        return _bool_search(self._synco_attention_ids(), operator, value)

    def _search_synco_not_in_shopify(self, operator, value):
        return _bool_search(self._synco_not_in_shopify_ids(), operator, value)


class SaleOrderFilters(models.Model):
    """The same two filters on sale orders, through their deliveries and
    their own jobs (imports, edits)."""

    _inherit = "sale.order"

    synco_needs_attention = fields.Boolean(
        string="Shopify Needs Attention",
        compute="_compute_synco_filters",
        search="_search_synco_needs_attention",
    )
    synco_not_in_shopify = fields.Boolean(
        string="Not in Shopify Yet",
        compute="_compute_synco_filters",
        search="_search_synco_not_in_shopify",
        help="A delivery shipped in Odoo has no Shopify fulfillment linked yet.",
    )

    def _compute_synco_filters(self):
        attention = set(self._synco_attention_ids())
        missing = set(self._synco_not_in_shopify_ids())
        for order in self:
            order.synco_needs_attention = order.id in attention
            order.synco_not_in_shopify = order.id in missing

    def _synco_attention_ids(self):
        pickings = self.env["stock.picking"]._synco_attention_ids()
        own = _ids(
            self.env,
            SQL(
                """
                SELECT res_id FROM synco_job
                 WHERE res_model = 'sale.order' AND res_id IS NOT NULL AND %s
                UNION
                SELECT so.id FROM synco_job j
                  JOIN sale_order so ON so.synco_shop_id = j.shop_id
                                    AND so.shopify_order_id = j.payload->>'order_id'
                 WHERE %s
                """,
                _ATTENTION_JOBS,
                SQL(
                    "j.state IN ('pending', 'running', 'failed') "
                    "AND (j.state = 'failed' OR j.needs_attention)"
                ),
            ),
        )
        via = self.env["stock.picking"].browse(pickings).sale_id.ids
        return list(set(own) | set(via))

    def _synco_not_in_shopify_ids(self):
        pickings = self.env["stock.picking"]._synco_not_in_shopify_ids()
        return self.env["stock.picking"].browse(pickings).sale_id.ids

    def _search_synco_needs_attention(self, operator, value):
        return _bool_search(self._synco_attention_ids(), operator, value)

    def _search_synco_not_in_shopify(self, operator, value):
        return _bool_search(self._synco_not_in_shopify_ids(), operator, value)
