import logging

from odoo import api, models

from ..planning.reconcile import plan_reconcile
from ..shopify import reads
from ..shopify.const import SHOPIFY_TO_ODOO
from ..shopify.ids import legacy_id
from .stock_picking import SHIPPING_CODES

_logger = logging.getLogger(__name__)

# ORDERS_RECONCILE lists this many fulfillments per order.
LISTED_FULFILLMENTS = 10


class SyncoReconcile(models.AbstractModel):
    """The order catch-up's second half: for orders both sides hold,
    compare what Shopify and Odoo have and queue what is missing, in either
    direction. Cost per run: the catch-up's list (one call per 25 changed
    orders, about 4 points an order actually spent), one more read only for
    an order with ten fulfillments or more, and five SQL queries whatever
    the number of orders; jobs are queued only for real differences, and
    never again for a fulfillment an apply job already tried."""

    _name = "synco.reconcile"
    _description = "Shopify Reconciliation"

    @api.model
    def _reconcile(self, shop, client, nodes, since):
        """Queue what ``nodes`` (ORDERS_RECONCILE order nodes) and the
        deliveries Odoo validated since ``since`` show missing. Returns the
        number of jobs asked for (duplicates fold into open ones)."""
        sales = self.env["sale.order"].search(
            [
                ("synco_shop_id", "=", shop.id),
                ("shopify_order_id", "in", [n["legacyResourceId"] for n in nodes]),
            ]
        )
        held = set(sales.mapped("shopify_order_id"))
        known = [n for n in nodes if n["legacyResourceId"] in held]
        for node in known:
            if len(node.get("fulfillments") or ()) >= LISTED_FULFILLMENTS:
                node["fulfillments"] = reads.order_fulfillments(client, node["id"])[1]
        links = self.env["synco.fulfillment"].search(
            [("shop_id", "=", shop.id), ("sale_order_id", "in", sales.ids)]
        )
        plan = plan_reconcile(
            known,
            {
                link.shopify_fulfillment_id: {
                    "id": link.id,
                    "origin": link.origin,
                    "state": link.state,
                    "tracking_number": link.tracking_number,
                    "picking_id": link.picking_id.id,
                }
                for link in links
            },
            self._tried(shop, known),
            {
                m.shopify_location_id
                for m in shop.location_map_ids
                if shop._direction_for(shopify_location_id=m.shopify_location_id) == SHOPIFY_TO_ODOO
            },
            self._odoo_tracking(links.filtered(lambda link: link.origin == "odoo").picking_id),
            LISTED_FULFILLMENTS,
        )
        order_of = {
            legacy_id(f["id"]): n["legacyResourceId"] for n in known for f in n["fulfillments"]
        }
        Fulfillment = self.env["synco.fulfillment"]
        Push = self.env["synco.push"]
        for fulfillment_id in plan.applies:
            Fulfillment._synco_enqueue_apply(shop, fulfillment_id, order_of[fulfillment_id])
        for link_id, number, company in plan.tracking:
            # The link says what Shopify holds: now it does, and the update
            # job sees the difference with the delivery and sends Odoo's.
            link = Fulfillment.browse(link_id)
            link.write({"tracking_number": number, "tracking_company": company})
            Push._enqueue_tracking_update(link.picking_id)
        pushes = self._unpushed(shop, since)
        Push._enqueue(pushes)
        return len(plan.applies) + len(plan.tracking) + len(pushes)

    @api.model
    def _tried(self, shop, nodes):
        """Fulfillment ids an apply job exists for, in any state."""
        keys = [f"fulfillment:{legacy_id(f['id'])}" for n in nodes for f in n["fulfillments"]]
        if not keys:
            return set()
        jobs = self.env["synco.job"].search_fetch(
            [("shop_id", "=", shop.id), ("dedupe_key", "in", keys)], ["dedupe_key"]
        )
        return {job.dedupe_key.split(":", 1)[1] for job in jobs}

    @api.model
    def _odoo_tracking(self, pickings):
        """(first number, company) Odoo would send, per delivery."""
        result = {}
        for picking in pickings:
            tracking = picking._synco_tracking_input() or {}
            numbers = tracking.get("numbers") or [tracking.get("number")]
            result[picking.id] = (numbers[0] or None, tracking.get("company") or None)
        return result

    @api.model
    def _unpushed(self, shop, since):
        """Odoo-led deliveries of the shop done since ``since`` with no
        fulfillment link and no push job at all (a push that ran and ended
        is not repeated; a failed one waits for a person)."""
        pickings = self.env["stock.picking"].search(
            [
                ("sale_id.synco_shop_id", "=", shop.id),
                ("sale_id.shopify_order_id", "!=", False),
                ("picking_type_code", "in", SHIPPING_CODES),
                ("state", "=", "done"),
                ("date_done", ">=", since),
                ("synco_fulfillment_ids", "=", False),
            ]
        )
        if not pickings:
            return pickings
        jobs = self.env["synco.job"].search_fetch(
            [
                ("res_model", "=", "stock.picking"),
                ("res_id", "in", pickings.ids),
                ("job_type", "=", "push_fulfillment"),
            ],
            ["res_id"],
        )
        pushed = set(jobs.mapped("res_id"))
        return pickings.filtered(lambda p: p.id not in pushed and p._synco_is_odoo_led())
