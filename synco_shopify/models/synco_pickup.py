"""Local pickup: a Shopify order whose fulfillment order has the delivery
method PICK_UP is collected by the customer. Odoo-led, when its goods are
ready in Odoo (the last step before the delivery is done in a multi-step
warehouse, the "Ready for Pickup" button on the delivery in a one-step one)
a job marks its lines prepared in Shopify (the customer's "ready for
pickup" email); validating the delivery (the customer collected) is the
usual push, without tracking. Shopify-led, the pickup completed in Shopify
is a fulfillment like any other (synco_apply.py)."""

from odoo import api, fields, models

from ..planning import pickup as planner
from ..queue.policy import NeedsAttention
from ..shopify import queries, reads
from ..shopify.ids import to_gid

OVER = ("done", "cancel")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    shopify_pickup = fields.Boolean(
        string="Shopify Local Pickup",
        readonly=True,
        copy=False,
        help="The customer collects this order: its Shopify fulfillment order's delivery method "
        "is pickup.",
    )

    @api.model
    def _synco_create_from_plan(self, shop, plan, order, client):
        result = super()._synco_create_from_plan(shop, plan, order, client)
        if planner.is_pickup(order.get("fulfillmentOrders") or []):
            self.search(
                [("synco_shop_id", "=", shop.id), ("shopify_order_id", "=", plan.order_id)]
            ).shopify_pickup = True
        return result


class StockPicking(models.Model):
    _inherit = "stock.picking"

    shopify_pickup = fields.Boolean(related="sale_id.shopify_pickup", string="Shopify Pickup")
    shopify_ready_for_pickup = fields.Boolean(
        string="Ready for Pickup in Shopify",
        readonly=True,
        copy=False,
        help="Shopify told the customer the goods of this delivery are ready for pickup.",
    )

    def _synco_enqueue_pickup_ready_after_step(self):
        """A step before the delivery done (pick, pack): once it was the last
        open one, the goods wait at the counter; say so in Shopify (the door
        in stock_picking.py calls it)."""
        steps = self.filtered(lambda p: p.state == "done" and p.picking_type_code == "internal")
        deliveries = steps.move_ids.move_dest_ids.picking_id.filtered(
            lambda p: (
                p.picking_type_code == "outgoing"
                and p.state not in ("done", "cancel")
                and not p.sale_id.picking_ids.filtered(
                    lambda q: q.picking_type_code == "internal" and q.state not in OVER
                )
            )
        )
        deliveries._synco_enqueue_pickup_ready()

    def action_synco_ready_for_pickup(self):
        """The "Ready for Pickup" button of a one-step warehouse's delivery."""
        self.sudo()._synco_enqueue_pickup_ready()
        return True

    def _synco_enqueue_pickup_ready(self):
        """Queue the "ready for pickup" of these Odoo-led pickup deliveries."""
        for picking in self:
            if (
                picking.shopify_pickup
                and not picking.shopify_ready_for_pickup
                and picking._synco_is_odoo_led()
            ):
                self.env["synco.job"]._enqueue(
                    picking._synco_shop(),
                    "pickup_ready",
                    record=picking,
                    dedupe_key=f"pickup_ready:{picking.id}",
                    order_ref=picking.sale_id.shopify_order_id,
                )

    def _synco_job_pickup_ready(self, job):
        """Mark this delivery's lines prepared for pickup in Shopify. A
        fulfillment order Shopify finds nothing left to prepare in was
        prepared already (a retry after a lost answer): done."""
        self.ensure_one()
        if self.shopify_ready_for_pickup:
            return "already ready for pickup"
        if self.state in ("done", "cancel"):
            return f"delivery {self.state}: nothing to prepare"
        location = self._synco_location(job.shop_id)
        client = job._client()
        fos = reads.fulfillment_orders(client, to_gid("Order", self.sale_id.shopify_order_id))
        items = self.move_ids.sale_line_id.filtered("shopify_line_item_id")
        targets = planner.to_prepare(
            fos, items.mapped("shopify_line_item_id"), location.shopify_location_id
        )
        if not targets:
            raise NeedsAttention(
                self.env._(
                    "Shopify has no open pickup of these lines at %(location)s: nothing to mark "
                    "ready for pickup.",
                    location=location.name,
                )
            )
        prepared = [{"fulfillmentOrderId": target} for target in targets]
        answer = client.execute(
            queries.FULFILLMENT_ORDER_PREPARED_FOR_PICKUP,
            {"input": {"lineItemsByFulfillmentOrder": prepared}},
        )["fulfillmentOrderLineItemsPreparedForPickup"]
        refused = planner.refused(answer.get("userErrors") or [])
        if refused:
            raise NeedsAttention(
                self.env._(
                    "Shopify refused to mark %(picking)s ready for pickup: %(errors)s",
                    picking=self.name,
                    errors="; ".join(error["message"] for error in refused),
                )
            )
        self.shopify_ready_for_pickup = True
        self._synco_post(
            self.env._(
                "Sent to Shopify: %(picking)s is ready for pickup (Shopify tells the customer).",
                picking=self.name,
            )
        )
        return f"ready for pickup: {len(targets)} fulfillment order(s)"
