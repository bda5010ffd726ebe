from odoo import api, fields, models

from ..planning.retry import NeedsAttention, RetryLater
from ..planning.shipment import plan_apply_groups
from ..shopify import reads
from ..shopify.ids import legacy_id
from .odoo_compat import Constraint

# An order's fulfillment can arrive before the order itself is in Odoo.
ORDER_RECHECK = 10 * 60


class SyncoFulfillment(models.Model):
    """The link between an Odoo delivery and a Shopify fulfillment: which side
    made it, with what tracking, and whether Shopify has it."""

    _name = "synco.fulfillment"
    _description = "Shopify Fulfillment Link"
    _order = "id desc"
    _rec_name = "shopify_fulfillment_id"

    shop_id = fields.Many2one("synco.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    sale_order_id = fields.Many2one("sale.order", ondelete="set null", index=True)
    picking_id = fields.Many2one("stock.picking", ondelete="set null", index=True)
    shopify_fulfillment_id = fields.Char(string="Shopify Fulfillment ID", index=True)
    origin = fields.Selection(
        [("odoo", "Validated in Odoo"), ("shopify", "Fulfilled in Shopify")], required=True
    )
    tracking_number = fields.Char()
    tracking_company = fields.Char()
    tracking_url = fields.Char(string="Tracking URL")
    state = fields.Selection(
        [
            ("done", "Synced"),
            ("cancelled", "Cancelled in Shopify"),
            ("attention", "Needs Attention"),
        ],
        default="done",
        required=True,
    )
    message = fields.Text(help="What was sent or received, and anything to look at.")

    _fulfillment_uniq = Constraint(
        "UNIQUE (shop_id, shopify_fulfillment_id)", "A Shopify fulfillment is linked once."
    )

    @api.model
    def _link(self, picking, shop, fulfillment, origin, message=False):
        """Record that ``fulfillment`` (Shopify's answer or a read) belongs to
        ``picking``; its tracking is what Shopify holds."""
        tracking = (fulfillment.get("trackingInfo") or [{}])[0] if fulfillment else {}
        return self.create(
            {
                "shop_id": shop.id,
                "sale_order_id": picking.sale_id.id,
                "picking_id": picking.id,
                "shopify_fulfillment_id": fulfillment["id"].rsplit("/", 1)[-1],
                "origin": origin,
                "tracking_number": tracking.get("number"),
                "tracking_company": tracking.get("company"),
                "tracking_url": tracking.get("url"),
                "message": message,
            }
        )

    def _gid(self):
        self.ensure_one()
        return f"gid://shopify/Fulfillment/{self.shopify_fulfillment_id}"

    def action_open_in_shopify(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": self.shop_id._admin_url(f"orders/{self.sale_order_id.shopify_order_id}"),
            "target": "new",
        }

    # -- Shopify-led: a Shopify or 3PL fulfillment becomes an Odoo delivery ----

    @api.model
    def _synco_on_fulfillment_webhook(self, event, job):
        """fulfillments/create and fulfillments/update: queue one apply job
        per Shopify fulfillment; every delivery of it folds into that job."""
        payload = event._payload()
        fulfillment_id = str(payload["id"])
        self._synco_enqueue_apply(event.shop_id, fulfillment_id, payload.get("order_id"))
        return f"apply of fulfillment {fulfillment_id} queued"

    @api.model
    def _synco_enqueue_apply(self, shop, fulfillment_id, order_id):
        """The one apply job of a Shopify fulfillment (webhook or
        reconciliation alike), in its order's sequence."""
        order_id = str(order_id or "")
        return self.env["synco.job"]._enqueue(
            shop,
            "apply_fulfillment",
            model="synco.fulfillment",
            payload={"fulfillment_id": str(fulfillment_id), "order_id": order_id},
            dedupe_key=f"fulfillment:{fulfillment_id}",
            ordering_key=f"order:{order_id}",
        )

    @api.model
    def _synco_job_apply_fulfillment(self, job):
        """Read the fulfillment from Shopify and make Odoo agree with it:
        validate the delivery it stands for, update tracking, or flag a
        cancellation. A fulfillment already applied is a no-op."""
        shop = job.shop_id
        client = job._client()
        gid = f"gid://shopify/Fulfillment/{job.payload['fulfillment_id']}"
        fulfillment = reads.fulfillment(client, gid)
        if not fulfillment:
            return "Shopify no longer has this fulfillment"
        link = self.search(
            [("shop_id", "=", shop.id), ("shopify_fulfillment_id", "=", legacy_id(gid))]
        )
        if fulfillment["status"] == "CANCELLED":
            return link._synco_cancelled() if link else "cancelled before it reached Odoo"
        if link:
            return link._synco_update_tracking(fulfillment)
        if fulfillment["status"] != "SUCCESS":
            # Only SUCCESS means goods left; Shopify sends fulfillments/update
            # when it gets there, and that queues this apply again.
            return self.env._(
                "Not applied: Shopify reports this fulfillment as %s, not SUCCESS, so "
                "nothing shipped yet and Odoo moved nothing. It is applied when Shopify "
                "reports SUCCESS; an ERROR or FAILURE is for the 3PL to resolve in Shopify.",
                fulfillment["status"],
            )
        location_id = legacy_id((fulfillment.get("location") or {}).get("id") or "0")
        mapping = shop.location_map_ids._find(location_id=location_id)
        direction = shop.fulfillment_direction
        if direction == "per_location" and mapping.warehouse_id:
            direction = mapping.direction
        if direction == "odoo_to_shopify":
            return "location led by Odoo: its deliveries are validated in Odoo"
        warehouse = self._synco_apply_warehouse(shop, mapping, location_id)
        order_id = legacy_id(fulfillment["order"]["id"])
        sale = self.env["sale.order"].search(
            [("synco_shop_id", "=", shop.id), ("shopify_order_id", "=", order_id)], limit=1
        )
        if not sale:
            raise RetryLater(
                self.env._("Shopify order %s is not in Odoo yet.", order_id), ORDER_RECHECK
            )
        picking = self._synco_ship(sale, fulfillment, warehouse)
        info = (fulfillment.get("trackingInfo") or [{}])[0]
        self._link(picking, shop, fulfillment, "shopify")
        picking._synco_post(
            self.env._(
                "Received from Shopify: fulfillment %(id)s validated %(picking)s%(tracking)s.",
                id=legacy_id(gid),
                picking=picking.name,
                tracking=self.env._(" (tracking %s)", info["number"]) if info.get("number") else "",
            )
        )
        return f"validated {picking.name}"

    @api.model
    def _synco_apply_warehouse(self, shop, mapping, location_id):
        """The warehouse of the shop's company that a Shopify-led fulfillment
        at ``location_id`` ships from; a clear stop, before anything moves,
        when there is none."""
        warehouse = mapping.warehouse_id
        if not warehouse:
            raise NeedsAttention(
                self.env._(
                    "Shopify location %(location)s of %(shop)s is mapped to no Odoo warehouse, "
                    "so Odoo does not know where these goods left from; nothing was moved. "
                    "Map it (shop > Locations), then retry this job.",
                    location=mapping.name or location_id,
                    shop=shop.name,
                )
            )
        if warehouse.company_id != shop.company_id:
            raise NeedsAttention(
                self.env._(
                    "Shopify location %(location)s is mapped to warehouse %(warehouse)s of "
                    "%(company)s, but shop %(shop)s belongs to %(shop_company)s; nothing was "
                    "moved. Map the location to a warehouse of %(shop_company)s, then retry.",
                    location=mapping.name,
                    warehouse=warehouse.name,
                    company=warehouse.company_id.name,
                    shop=shop.name,
                    shop_company=shop.company_id.name,
                )
            )
        return warehouse

    @api.model
    def _synco_ship(self, sale, fulfillment, warehouse):
        """Validate what ``fulfillment`` shipped and return the delivery of
        ``warehouse`` that now holds it; the rest stays on a backorder."""
        lines = [
            {"line_item_id": node["lineItem"]["id"], "quantity": node["quantity"]}
            for node in fulfillment["fulfillmentLineItems"]["nodes"]
        ]
        open_moves = (
            sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            .move_ids._synco_open_delivery_moves()
            .sorted("id")
        )
        groups = {}
        for move in open_moves:
            groups.setdefault(move._synco_plan_group(), []).append(
                self._synco_plan_move(move, warehouse)
            )
        plan = plan_apply_groups(lines, groups, warehouse.id)
        if plan.missing and self._synco_reopen(sale, plan.missing, warehouse):
            return self.with_context(synco_reopened=True)._synco_ship(sale, fulfillment, warehouse)
        if plan.missing:
            raise NeedsAttention(
                self.env._(
                    "The Shopify fulfillment ships more than Odoo has open: %s",
                    "; ".join(item["reason"] for item in plan.missing),
                )
            )
        Move = self.env["stock.move"]
        quantities = {
            move_id: Move.browse(move_id)._synco_from_line_qty(qty)
            for picking in plan.pickings.values()
            for move_id, qty in picking.items()
        }
        if plan.cross_warehouse:
            moves = Move.browse([item["move_id"] for item in plan.cross_warehouse])
            reshipped = moves._synco_reship(
                warehouse,
                {
                    item["move_id"]: Move.browse(item["move_id"])._synco_from_line_qty(
                        item["quantity"]
                    )
                    for item in plan.cross_warehouse
                },
            )
            quantities.update({move.id: move.product_uom_qty for move in reshipped})
        return Move.browse(list(quantities))._synco_ship_route(quantities, fulfillment)

    @api.model
    def _synco_plan_move(self, move, warehouse):
        """A move as the apply planner sees it, in the sale line's unit. At
        the shipping warehouse the goods closest to the customer go first;
        elsewhere what is least far along is taken off first."""
        steps = move._synco_steps_left()
        target = move.picking_type_id.warehouse_id == warehouse
        return {
            "move_id": move.id,
            "line_item_id": move.sale_line_id.shopify_line_item_id,
            "warehouse": move.picking_type_id.warehouse_id.id,
            "picking_id": move.picking_id.id,
            "remaining": move._synco_to_line_qty(move.product_uom_qty),
            "rank": steps if target else -steps,
        }

    def _synco_update_tracking(self, fulfillment):
        """fulfillments/update: bring the delivery's tracking in line."""
        self.ensure_one()
        info = (fulfillment.get("trackingInfo") or [{}])[0]
        if (self.tracking_number or False) == (info.get("number") or False):
            return "already applied"
        self.write(
            {
                "tracking_number": info.get("number"),
                "tracking_company": info.get("company"),
                "tracking_url": info.get("url"),
            }
        )
        if self.origin == "shopify" and self.picking_id:
            self.picking_id.with_context(synco_from_shopify=True).write(
                {"carrier_tracking_ref": info.get("number")}
            )
        if self.picking_id:
            self.picking_id._synco_post(
                self.env._(
                    "Received from Shopify: tracking of fulfillment %(id)s is now %(number)s.",
                    id=self.shopify_fulfillment_id,
                    number=info.get("number") or "-",
                )
            )
        return f"tracking updated to {info.get('number')}"

    def _synco_cancelled(self):
        """A fulfillment cancelled in Shopify: what shipped stays shipped in
        Odoo, because a return is a person's decision."""
        self.ensure_one()
        if self.state == "cancelled":
            return "already flagged"
        message = self.env._(
            "Shopify fulfillment %s was cancelled. Odoo changed nothing: decide whether "
            "goods come back (a return) or ship again.",
            self.shopify_fulfillment_id,
        )
        self.write({"state": "cancelled", "message": message})
        record = self.picking_id or self.sale_order_id
        if record:
            record.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Shopify fulfillment cancelled"),
                note=message,
                user_id=(self.sale_order_id.user_id or self.env.user).id,
            )
        return "cancellation flagged"

    # -- Odoo-led: what Odoo will not ship -------------------------------------

    @api.model
    def _synco_flag_left_open(self, sale):
        """Shopify lines of ``sale`` that no open or done delivery covers any
        more (a delivery done without backorder, or cancelled, or the order
        cancelled) stay open in Shopify: a job says so, and while it fails
        the order needs attention and the Shopify managers have a to-do. One
        such job per order: its Retry checks again."""
        if not sale.order_line._synco_left_open():
            return self.env["synco.job"]
        key = f"left_open:{sale.id}"
        Job = self.env["synco.job"]
        failed = Job.search([("dedupe_key", "=", key), ("state", "=", "failed")], limit=1)
        return failed or Job._enqueue(
            sale.synco_shop_id,
            "left_open",
            model="synco.fulfillment",
            payload={"sale_id": sale.id, "order_id": sale.shopify_order_id},
            dedupe_key=key,
            ordering_key=f"order:{sale.shopify_order_id}",
        )

    @api.model
    def _synco_job_left_open(self, job):
        sale = self.env["sale.order"].browse(job.payload["sale_id"]).exists()
        left = sale.order_line._synco_left_open() if sale else []
        if not left:
            return "no Shopify line left open"
        lines = self.env["sale.order.line"]._synco_lines_text(left)
        raise NeedsAttention(
            self.env._(
                "Odoo will not ship these lines of %(order)s, which Shopify keeps open: "
                "%(lines)s. Ship them from Odoo (a new delivery), or cancel or refund them in "
                "Shopify.",
                order=sale.name,
                lines=lines,
            )
        )
