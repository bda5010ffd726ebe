import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..odoo_compat import Constraint
from ..queue import policy
from ..queue.status import sync_state
from ..shopify import queries
from ..shopify.errors import ShopifyError
from ..shopify.ids import legacy_id
from .synco_status_mixin import ATTENTION_JOBS

_logger = logging.getLogger(__name__)

# The catch-up reads again what changed this long before its last run:
# Shopify's updated_at and our clock may disagree, and a write may land late.
CATCH_UP_OVERLAP = timedelta(minutes=10)
# ORDERS_RECONCILE lists fulfillments too: 25 orders keep a page near 780 points.
RECONCILE_PAGE = 25


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "synco.status.mixin"]

    synco_shop_id = fields.Many2one(
        "synco.shop", string="Shopify Shop", index="btree_not_null", copy=False, readonly=True
    )
    shopify_order_id = fields.Char(
        string="Shopify Order ID", copy=False, readonly=True, help="Numeric id, as text."
    )
    synco_fulfillment_ids = fields.One2many(
        "synco.fulfillment", "sale_order_id", string="Shopify Fulfillments", readonly=True
    )

    synco_not_in_shopify = fields.Boolean(
        help="A delivery shipped in Odoo has no Shopify fulfillment linked yet."
    )
    shopify_hold_reason = fields.Char(
        string="Shopify Hold",
        compute="_compute_shopify_hold_reason",
        help="The Shopify holds its deliveries wait for.",
    )

    _synco_shopify_order_uniq = Constraint(
        "UNIQUE (synco_shop_id, shopify_order_id)", "This Shopify order is already in Odoo."
    )

    @api.depends("shopify_order_id", "synco_fulfillment_ids.state", "picking_ids.synco_state")
    def _compute_synco_state(self):
        """From the jobs of the order's deliveries, of the order itself and
        of its Shopify id (imports, Shopify fulfillments), in one query."""
        orders = self.filtered(lambda o: o.id and o.shopify_order_id)
        pickings = orders.picking_ids
        rows = self.env["synco.job"]._flags_of(
            SQL(
                "(res_model = 'stock.picking' AND res_id = ANY(%s))"
                " OR (res_model = 'sale.order' AND res_id = ANY(%s))"
                " OR (shop_id = ANY(%s) AND order_ref = ANY(%s))",
                pickings.ids or [0],
                orders.ids or [0],
                orders.synco_shop_id.ids or [0],
                orders.mapped("shopify_order_id") or [""],
            )
        )
        flags = {}
        picking_order = {p.id: p.sale_id.id for p in pickings}
        by_ref = {(o.synco_shop_id.id, o.shopify_order_id): o.id for o in orders}
        for model, res_id, shop_id, order_ref, flag in rows:
            if model == "stock.picking":
                order_id = picking_order.get(res_id)
            elif model == "sale.order" and res_id:
                order_id = res_id
            else:
                order_id = by_ref.get((shop_id, order_ref))
            flags.setdefault(order_id, set()).add(flag)
        for order in self:
            state = sync_state(
                flags.get(order.id, ()),
                order.sudo().synco_fulfillment_ids.mapped("state"),
                bool(order.shopify_order_id),
            )
            shipped = order.picking_ids.filtered(lambda p: p.state == "done")
            if state == "synced" and "not_sent" in shipped.mapped("synco_state"):
                state = "not_sent"  # a delivery shipped that Shopify never heard of
            order.synco_state = state

    @api.depends("picking_ids.shopify_hold_reason")
    def _compute_shopify_hold_reason(self):
        for order in self:
            reasons = order.picking_ids.filtered("shopify_hold_reason")
            order.shopify_hold_reason = "; ".join(
                dict.fromkeys(f"{p.name}: {p.shopify_hold_reason}" for p in reasons)
            )

    @api.depends("shopify_order_id", "synco_shop_id.shop_domain")
    def _compute_shopify_admin_url(self):
        for order in self:
            shop = order.sudo().synco_shop_id
            order.shopify_admin_url = order.shopify_order_id and shop._admin_url(
                f"orders/{order.shopify_order_id}"
            )

    def _synco_attention_ids(self):
        """Orders whose deliveries need attention, or with an open or failed
        job of their own (imports, edits), by record or by Shopify id."""
        pickings = self.env["stock.picking"]._synco_attention_ids()
        own = self._synco_query_ids(
            SQL(
                """
                SELECT res_id FROM synco_job
                 WHERE res_model = 'sale.order' AND res_id IS NOT NULL AND %s
                UNION
                SELECT so.id FROM synco_job j
                  JOIN sale_order so ON so.synco_shop_id = j.shop_id
                                    AND so.shopify_order_id = j.order_ref
                 WHERE %s
                """,
                ATTENTION_JOBS,
                SQL(
                    "j.state IN ('pending', 'running', 'failed') "
                    "AND (j.state = 'failed' OR j.needs_attention)"
                ),
            )
        )
        via = self.env["stock.picking"].browse(pickings).sale_id.ids
        return list(set(own) | set(via))

    def _synco_not_in_shopify_ids(self):
        """Orders with a delivery done in Odoo that no fulfillment links."""
        pickings = self.env["stock.picking"]._synco_not_in_shopify_ids()
        return self.env["stock.picking"].browse(pickings).sale_id.ids

    # -- the three ways in: webhook, catch-up, manual ---------------------------

    @api.model
    def _synco_enqueue_import(self, shop, order_id, source, key="order", fold=False):
        """Queue the import of one Shopify order. Every source uses this one
        job keyed by the order id, so duplicates fold into one open job and
        jobs of one order run in turn. With ``fold`` (a change Shopify
        reported) a running import, which may have read the order before
        the change, is followed by another (``synco.job._insert_sql``).
        Webhooks queue it themselves (``queue/registry.py``)."""
        order_id = legacy_id(order_id)
        return self.env["synco.job"]._enqueue(
            shop,
            "import_order",
            model="sale.order",
            payload={"order_id": order_id, "source": source},
            dedupe_key=f"{key}:{order_id}",
            order_ref=order_id,
            fold=fold,
        )

    @api.model
    def _synco_cron_catch_up(self):
        """Queue an import of every order Shopify changed since the last
        catch-up (webhooks get lost or come late) that Odoo lacks, or that
        Shopify cancelled and Odoo has not; for the others, reconcile their
        fulfillments (``synco.reconcile``) from the same list, so no order
        is read on its own. Safe to run every minute: what is open or was
        tried is not queued again."""
        shops = self.env["synco.shop"].search(
            [("state", "=", "connected"), ("pause_reason", "=", False)]
        )
        for shop in shops:
            started = fields.Datetime.now()
            since = (shop.orders_synced_at or shop.create_date) - CATCH_UP_OVERLAP
            query = f"updated_at:>'{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
            try:
                client = shop._shopify_client()
                variables = {"first": RECONCILE_PAGE, "query": query}
                nodes = list(client.paginate(queries.ORDERS_RECONCILE, variables, ("orders",)))
                reconciled = self.env["synco.reconcile"]._reconcile(shop, client, nodes, since)
                reconciled += self.env["synco.return"]._synco_catch_up(shop, client, query)
            except ShopifyError as exc:
                reason = policy.pause_reason(exc)
                if reason:  # the shop waits; no warning every five minutes
                    shop._synco_pause(reason, str(exc))
                else:
                    _logger.warning("shop %s: order catch-up failed, will retry: %s", shop.id, exc)
                continue
            known = {
                order.shopify_order_id: order.state
                for order in self.search_fetch(
                    [
                        ("synco_shop_id", "=", shop.id),
                        ("shopify_order_id", "in", [n["legacyResourceId"] for n in nodes]),
                    ],
                    ["shopify_order_id", "state"],
                )
            }
            stale = [
                n
                for n in nodes
                if n["legacyResourceId"] not in known
                or (n["cancelledAt"] and known[n["legacyResourceId"]] != "cancel")
            ]
            for node in stale:
                self._synco_enqueue_import(shop, node["id"], "catch-up")
            shop.orders_synced_at = started
            _logger.info(
                "shop %s: order catch-up listed %s orders, queued %s imports, reconciled %s",
                shop.id,
                len(nodes),
                len(stale),
                reconciled,
            )

    @api.model
    def _synco_find(self, shop, order_id):
        return self.search(
            [("synco_shop_id", "=", shop.id), ("shopify_order_id", "=", legacy_id(order_id))],
            limit=1,
        )
