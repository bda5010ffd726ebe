import hashlib

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.float_utils import float_compare, float_is_zero

from ..planning import fulfillment as planner
from ..planning.retry import NeedsAttention, RetryLater
from ..shopify import queries
from . import odoo_compat
from .synco_job import SYNC_STATES, sync_state

# A held fulfillment order is the merchant's to release; look again this often.
HOLD_RECHECK = 15 * 60
# Moves and re-plans per push: a move changes the fulfillment orders, so the
# job reads them again; more rounds than this means something else changes them.
MAX_PLAN_ROUNDS = 3


class StockPicking(models.Model):
    _inherit = "stock.picking"

    synco_fulfillment_ids = fields.One2many(
        "synco.fulfillment", "picking_id", string="Shopify Fulfillments", readonly=True
    )

    synco_state = fields.Selection(
        SYNC_STATES, compute="_compute_synco_state", string="Shopify Status"
    )
    shopify_admin_url = fields.Char(compute="_compute_shopify_admin_url", string="Shopify Admin")

    @api.depends("synco_fulfillment_ids.state", "sale_id.shopify_order_id", "state")
    def _compute_synco_state(self):
        ids = [picking.id for picking in self if picking.id]
        flags = {}
        if ids:
            rows = self.env["synco.job"]._flags_of(
                SQL("res_model = 'stock.picking' AND res_id = ANY(%s)", ids)
            )
            for _model, res_id, _shop, _order, flag in rows:
                flags.setdefault(res_id, set()).add(flag)
        for picking in self:
            picking.synco_state = sync_state(
                flags.get(picking.id, ()),
                picking.sudo().synco_fulfillment_ids.mapped("state"),
                picking.picking_type_code == "outgoing" and bool(picking.sale_id.shopify_order_id),
            )

    @api.depends("sale_id.shopify_admin_url")
    def _compute_shopify_admin_url(self):
        for picking in self:
            picking.shopify_admin_url = picking.sale_id.shopify_admin_url

    def action_open_in_shopify(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.shopify_admin_url, "target": "new"}

    def _synco_post(self, body):
        """Note what went to or came from Shopify on the delivery and its order."""
        self.ensure_one()
        for record in (self, self.sale_id):
            if record:
                record.message_post(body=body, subtype_xmlid="mail.mt_note")

    # -- triggers -------------------------------------------------------------

    def _action_done(self):
        res = super()._action_done()
        self._synco_enqueue_push()
        return res

    def _synco_shop(self):
        """The shop of a Shopify order's outgoing delivery, or an empty one."""
        self.ensure_one()
        if self.picking_type_code != "outgoing" or not self.sale_id.shopify_order_id:
            return self.env["synco.shop"]
        return self.sale_id.synco_shop_id

    def _synco_is_odoo_led(self):
        shop = self._synco_shop()
        return bool(shop) and (
            shop._direction_for(warehouse=self.picking_type_id.warehouse_id) == "odoo_to_shopify"
        )

    def _synco_enqueue_push(self):
        """Queue one push per done delivery that Odoo leads; never call
        Shopify here: this is the warehouse user's transaction."""
        if self.env.context.get("synco_from_shopify"):
            return
        for picking in self.filtered(lambda p: p.state == "done"):
            if picking._synco_is_odoo_led():
                self.env["synco.job"]._enqueue(
                    picking._synco_shop(),
                    "push_fulfillment",
                    record=picking,
                    dedupe_key=f"push:{picking.id}",
                    ordering_key=f"order:{picking.sale_id.shopify_order_id}",
                )

    def write(self, vals):
        res = super().write(vals)
        if {"carrier_tracking_ref", "carrier_id"} & vals.keys():
            self._synco_enqueue_tracking_update()
        return res

    def _synco_enqueue_tracking_update(self):
        for picking in self.filtered(lambda p: p.state == "done"):
            links = picking.synco_fulfillment_ids.filtered(
                lambda link: link.origin == "odoo" and link.state == "done"
            )
            if not links:
                continue  # not pushed yet: the push sends the current tracking
            # The key carries the values, so a second change while the first
            # update runs is queued after it rather than folded into it.
            values = f"{picking.carrier_id.id}:{picking.carrier_tracking_ref or ''}"
            digest = hashlib.sha1(values.encode()).hexdigest()[:12]
            self.env["synco.job"]._enqueue(
                links.shop_id,
                "update_tracking",
                record=picking,
                dedupe_key=f"tracking:{picking.id}:{digest}",
                ordering_key=f"order:{picking.sale_id.shopify_order_id}",
            )

    def action_cancel(self):
        backorders = self.filtered(
            lambda p: p.backorder_id and p.state != "cancel" and p._synco_is_odoo_led()
        )
        res = super().action_cancel()
        for picking in backorders.filtered(lambda p: p.state == "cancel"):
            picking.sale_id.message_post(
                body=self.env._(
                    "Backorder %(picking)s was cancelled in Odoo. Shopify keeps its lines "
                    "open: fulfill them elsewhere or cancel them in Shopify.",
                    picking=picking.name,
                )
            )
        return res

    # -- Shopify-led: validate what Shopify shipped ----------------------------

    def _synco_validate_shipped(self, quantities, fulfillment):
        """Validate this delivery for ``quantities`` ({move id: quantity})
        from its reserved stock (and so its reserved lots and serials), with
        Shopify's tracking; the rest goes to a backorder, without a wizard.
        Short stock stops everything: nothing is half-done."""
        self.ensure_one()
        if self.state == "draft":
            self.action_confirm()
        self.action_assign()
        short = [
            self.env._(
                "%(qty)s of %(product)s in %(warehouse)s (%(reserved)s available)",
                qty=quantities[move.id],
                product=move.product_id.display_name,
                warehouse=self.picking_type_id.warehouse_id.name,
                reserved=move.quantity,
            )
            for move in self.move_ids
            if move.id in quantities
            and float_compare(
                move.quantity, quantities[move.id], precision_rounding=move.product_uom.rounding
            )
            < 0
        ]
        if short:
            raise NeedsAttention(
                self.env._("Not enough stock to validate %s: %s", self.name, "; ".join(short))
            )
        for move in self.move_ids:
            move.quantity = quantities.get(move.id, 0.0)
            move.picked = True
        info = (fulfillment.get("trackingInfo") or [{}])[0]
        vals = {
            "carrier_tracking_ref": ",".join(
                filter(None, [t.get("number") for t in fulfillment.get("trackingInfo") or []])
            )
            or False
        }
        carrier = self.env["delivery.carrier"]._synco_from_tracking_company(info.get("company"))
        if carrier:
            vals["carrier_id"] = carrier.id
        # No wizard may stop a validation nobody watches: the backorder is
        # kept, and Shopify, not Odoo, tells the customer (no SMS prompt).
        context = {
            "skip_backorder": True,
            "skip_sanity_check": True,
            "skip_sms": True,
            "synco_from_shopify": True,
        }
        self.with_context(**context).write(vals)
        self.with_context(**context).button_validate()
        if self.state != "done":
            raise NeedsAttention(self.env._("Odoo did not validate %s.", self.name))

    # -- the push job -----------------------------------------------------------

    def _synco_push_lines(self):
        """Done quantity per Shopify line item, in the sale line's unit."""
        self.ensure_one()
        quantities = {}
        for move in self.move_ids:
            line = move.sale_line_id
            if move.state != "done" or not line.shopify_line_item_id:
                continue
            line_uom = line[odoo_compat.SALE_LINE_UOM]
            qty = move.product_uom._compute_quantity(move.quantity, line_uom)
            if float_is_zero(qty, precision_rounding=line_uom.rounding):
                continue
            quantities[line.shopify_line_item_id] = (
                quantities.get(line.shopify_line_item_id, 0) + qty
            )
        return [{"line_item_id": key, "quantity": qty} for key, qty in quantities.items()]

    def _synco_location(self, shop):
        mapping = shop.location_map_ids._find(warehouse=self.picking_type_id.warehouse_id)
        if not mapping:
            raise NeedsAttention(
                self.env._(
                    "Warehouse %s is mapped to no Shopify location of %s: map it, then retry.",
                    self.picking_type_id.warehouse_id.name,
                    shop.name,
                )
            )
        return mapping

    def _synco_tracking_input(self):
        carrier = self.carrier_id
        company, known = carrier._synco_tracking_company() if carrier else (False, False)
        return planner.tracking_input(
            self.carrier_tracking_ref, company, known, self.carrier_tracking_url or None
        )

    def _synco_job_push_fulfillment(self, job):
        """Make Shopify hold exactly one fulfillment for this delivery. Reads
        Shopify first, so a replay, a duplicate trigger or a retry after a
        lost answer links what exists instead of creating it again."""
        self.ensure_one()
        if self.synco_fulfillment_ids.filtered(lambda link: link.origin == "odoo"):
            return "already linked"
        shop = job.shop_id
        lines = self._synco_push_lines()
        if not lines:
            return "no Shopify line in this delivery"
        location = self._synco_location(shop)
        client = job._client()
        order_gid = f"gid://shopify/Order/{self.sale_id.shopify_order_id}"
        linked = self.env["synco.fulfillment"].search(
            [("shop_id", "=", shop.id), ("sale_order_id", "=", self.sale_id.id)]
        )
        fulfillments = client.execute(queries.ORDER_FULFILLMENTS, {"id": order_gid})["order"]
        existing = planner.match_existing(
            lines,
            (fulfillments or {}).get("fulfillments") or [],
            location.shopify_location_id,
            exclude_ids={
                f"gid://shopify/Fulfillment/{i}" for i in linked.mapped("shopify_fulfillment_id")
            },
        )
        if existing:
            link = self.env["synco.fulfillment"]._link(
                self, shop, existing, "odoo", "linked after a retry"
            )
            self._synco_post(
                self.env._(
                    "Shopify already had fulfillment %(id)s for %(picking)s: linked to it.",
                    id=link.shopify_fulfillment_id,
                    picking=self.name,
                )
            )
            return f"linked existing fulfillment {existing['id']}"
        for _round in range(MAX_PLAN_ROUNDS):
            fulfillment_orders = list(
                client.paginate(
                    queries.ORDER_FULFILLMENT_ORDERS,
                    {"id": order_gid, "first": 5},
                    ("order", "fulfillmentOrders"),
                )
            )
            plan = planner.plan_push(
                lines,
                fulfillment_orders,
                location.shopify_location_id,
                {m.shopify_location_id: m.name for m in shop.location_map_ids},
            )
            if plan.kind != "move":
                break
            for move in plan.moves:
                variables = {key: value for key, value in move.items() if key != "from_location"}
                client.mutate(queries.FULFILLMENT_ORDER_MOVE, variables, "fulfillmentOrderMove")
        return self._synco_apply_push_plan(plan, job, shop, client)

    def _synco_apply_push_plan(self, plan, job, shop, client):
        if plan.kind == "nothing":
            return "Shopify already has these lines fulfilled"
        if plan.kind == "stop":
            raise NeedsAttention(plan.reason)
        if plan.kind == "wait" or plan.held:
            raise RetryLater(
                self.env._("Waiting for Shopify: %s", plan.reason or plan.held[0]["reason"]),
                HOLD_RECHECK,
            )
        if plan.kind != "fulfill":
            raise NeedsAttention(self.env._("The fulfillment orders kept changing; retry later."))
        fulfillment = dict(plan.fulfillment_input, notifyCustomer=shop.notify_customer)
        tracking = self._synco_tracking_input()
        if tracking:
            fulfillment["trackingInfo"] = tracking
        result = client.mutate(
            queries.FULFILLMENT_CREATE, {"fulfillment": fulfillment}, "fulfillmentCreate"
        )["fulfillment"]
        link = self.env["synco.fulfillment"]._link(self, shop, result, "odoo")
        self._synco_post(
            self.env._(
                "Sent to Shopify: fulfillment %(id)s of %(picking)s created%(tracking)s.",
                id=link.shopify_fulfillment_id,
                picking=self.name,
                tracking=self.env._(" with tracking %s", link.tracking_number)
                if link.tracking_number
                else "",
            )
        )
        return f"created fulfillment {result['id']}"

    def _synco_job_update_tracking(self, job):
        """Bring the tracking of this delivery's Shopify fulfillment in line
        with Odoo's; a no-op when Shopify already shows it."""
        self.ensure_one()
        link = self.synco_fulfillment_ids.filtered(
            lambda f: f.origin == "odoo" and f.state == "done"
        )[:1]
        if not link:
            return "not pushed yet: the push carries the tracking"
        tracking = self._synco_tracking_input() or {}
        numbers = tracking.get("numbers") or [tracking.get("number")]
        if link.tracking_number == numbers[0] and link.tracking_company == tracking.get("company"):
            return "tracking already up to date"
        result = job._client().mutate(
            queries.FULFILLMENT_TRACKING_UPDATE,
            {
                "fulfillmentId": link._gid(),
                "trackingInfoInput": tracking,
                "notifyCustomer": job.shop_id.notify_customer,
            },
            "fulfillmentTrackingInfoUpdate",
        )["fulfillment"]
        info = (result.get("trackingInfo") or [{}])[0]
        link.write(
            {
                "tracking_number": info.get("number"),
                "tracking_company": info.get("company"),
                "tracking_url": info.get("url"),
            }
        )
        self._synco_post(
            self.env._(
                "Sent to Shopify: tracking of %(picking)s updated to %(number)s.",
                picking=self.name,
                number=info.get("number") or "-",
            )
        )
        return f"tracking updated to {info.get('number')}"
