"""The Odoo-led push: a delivery validated in Odoo becomes a Shopify
fulfillment (``planning/push.py`` plans it), tracking changed afterwards
follows it, and lines Odoo will not ship are flagged as left open."""

import hashlib
import math
from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL

from ..planning import notes
from ..planning import push as planner
from ..queue.policy import NeedsAttention, RetryLater
from ..shopify import queries, reads
from ..shopify.ids import to_gid
from ..shopify.tracking import first_tracking, tracking_input

# A held fulfillment order is the merchant's to release; look again this often.
HOLD_RECHECK = 15 * 60
# Moves and re-plans per push: a move changes the fulfillment orders, so the
# job reads them again; more rounds than this means something else changes them.
MAX_PLAN_ROUNDS = 3
# Shopify's clock and Odoo's may disagree by this much.
CLOCK_MARGIN = timedelta(minutes=10)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # -- triggers: queue, never call Shopify in the user's transaction --------
    # What they read and write (the shop, its jobs, the order's chatter) is
    # the addon's bookkeeping, done as superuser: warehouse staff validate
    # and cancel deliveries without any Shopify rights.

    def _action_done(self):
        res = super()._action_done()
        self.sudo()._synco_enqueue_push()
        self.sudo()._synco_flag_left_open()
        return res

    def write(self, vals):
        res = super().write(vals)
        if {"carrier_tracking_ref", "carrier_id"} & vals.keys():
            self.sudo()._synco_enqueue_tracking_update()
        return res

    def action_cancel(self):
        backorders = self.sudo().filtered(
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
        self.filtered(lambda p: p.state == "cancel").sudo()._synco_flag_left_open()
        return res

    def _synco_is_odoo_led(self):
        shop = self._synco_shop()
        return bool(shop) and (
            shop._direction_for(warehouse=self._synco_warehouse()) == "odoo_to_shopify"
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
                    order_ref=picking.sale_id.shopify_order_id,
                )

    def _synco_enqueue_tracking_update(self):
        """Queue an update of Shopify's tracking after a change in Odoo:
        behind the delivery's push when one is still open (it may have read
        the old value already, so it cannot be trusted to carry the new
        one), else when a pushed fulfillment exists."""
        done = self.filtered(lambda p: p.state == "done")
        for picking in done & done._synco_pushed_or_pushing():
            shop = picking._synco_shop()
            if not shop:
                continue
            # The key carries the values, so a second change while the first
            # update runs is queued after it rather than folded into it.
            values = f"{picking.carrier_id.id}:{picking.carrier_tracking_ref or ''}"
            digest = hashlib.sha1(values.encode()).hexdigest()[:12]
            self.env["synco.job"]._enqueue(
                shop,
                "update_tracking",
                record=picking,
                dedupe_key=f"tracking:{picking.id}:{digest}",
                order_ref=picking.sale_id.shopify_order_id,
            )

    def _synco_pushed_or_pushing(self):
        """The deliveries among these with a live Odoo-led fulfillment link
        or an open push job. One statement, so a push committing meanwhile
        is seen either as open or as linked, never as neither: its link and
        its job's end are one commit."""
        if not self.ids:
            return self
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM stock_picking picking WHERE id = ANY(%s) AND (
                    EXISTS (SELECT 1 FROM synco_fulfillment link
                             WHERE link.picking_id = picking.id AND link.origin = 'odoo'
                               AND link.state = 'done')
                    OR EXISTS (SELECT 1 FROM synco_job job
                                WHERE job.res_model = 'stock.picking' AND job.res_id = picking.id
                                  AND job.job_type = 'push_fulfillment'
                                  AND job.state IN ('pending', 'running')))
                """,
                self.ids,
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    # -- the push job -----------------------------------------------------------

    def _synco_job_push_fulfillment(self, job):
        """Make Shopify hold exactly the fulfillments of this delivery: one,
        or one per ``planner.split_lines`` part past Shopify's 512 line items
        per fulfillment order. Reads Shopify first, so a replay, a duplicate
        trigger or a retry after a lost answer links what exists instead of
        creating it again."""
        self.ensure_one()
        pushed = self.synco_fulfillment_ids.filtered(lambda link: link.origin == "odoo")
        shop = job.shop_id
        lines = self._synco_push_lines()
        if not lines:
            return "already linked" if pushed else "no Shopify line in this delivery"
        parts = planner.split_lines(lines)
        if len(pushed) >= len(parts):
            return "already linked"
        location = self._synco_location(shop)
        client = job._client()
        order_gid = to_gid("Order", self.sale_id.shopify_order_id)
        # One read of the order serves every part: the parts ship disjoint
        # line items, so creating one leaves the others' open lines as read.
        snapshot = {
            "order_gid": order_gid,
            "fulfillments": reads.order_fulfillments(client, order_gid)[1],
            "fulfillment_orders": reads.fulfillment_orders(client, order_gid),
            "lines": {},
        }
        # Parts are pushed in order, so the links made are the first parts.
        results = [
            self._synco_push_part(part, job, client, location, snapshot)
            for part in parts[len(pushed) :]
        ]
        return "; ".join(results)

    def _synco_push_lines(self):
        """Done quantity per Shopify line item, in the sale line's unit."""
        self.ensure_one()
        moves = self.move_ids.filtered(
            lambda m: m.state == "done" and m.sale_line_id.shopify_line_item_id
        )
        quantities = {}
        for line, qty in moves._synco_shipped_per_line().items():
            key = line.shopify_line_item_id
            quantities[key] = quantities.get(key, 0) + qty
        # Shopify counts whole units of the sale line: a part of one (18
        # units of a line sold by the dozen) is not sent, so Shopify never
        # shows more fulfilled than left the warehouse.
        quantities = {key: math.floor(qty + 1e-6) for key, qty in quantities.items()}
        return [{"line_item_id": key, "quantity": qty} for key, qty in quantities.items() if qty]

    def _synco_location(self, shop):
        warehouse = self._synco_warehouse()
        mapping = shop.location_map_ids._find(warehouse=warehouse)
        if not mapping:
            raise NeedsAttention(
                self.env._(
                    "Warehouse %(warehouse)s is mapped to no Shopify location of %(shop)s: "
                    "map it, then retry.",
                    warehouse=warehouse.name,
                    shop=shop.name,
                )
            )
        return mapping

    def _synco_push_part(self, lines, job, client, location, snapshot):
        """Link or create the one Shopify fulfillment of ``lines``."""
        shop = job.shop_id
        existing = self._synco_pushed_before(lines, shop, client, location, snapshot)
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
            plan = planner.plan_push(
                lines,
                snapshot["fulfillment_orders"],
                location.shopify_location_id,
                {m.shopify_location_id: m.name for m in shop.location_map_ids},
            )
            if plan.kind != "move":
                break
            for move in plan.moves:
                variables = {key: value for key, value in move.items() if key != "from_location"}
                client.mutate(queries.FULFILLMENT_ORDER_MOVE, variables, "fulfillmentOrderMove")
            snapshot["fulfillment_orders"] = reads.fulfillment_orders(client, snapshot["order_gid"])
        return self._synco_apply_push_plan(plan, job, shop, client)

    def _synco_pushed_before(self, lines, shop, client, location, snapshot):
        """The unlinked Shopify fulfillment a lost answer made for ``lines``,
        or None. It was made after this delivery was done (less a margin
        for the clocks): older ones need no reading."""
        linked = self.env["synco.fulfillment"].search(
            [("shop_id", "=", shop.id), ("sale_order_id", "=", self.sale_id.id)]
        )
        candidates = planner.candidates(
            snapshot["fulfillments"],
            location.shopify_location_id,
            exclude_ids=set(linked.mapped("shopify_fulfillment_id")),
            created_after=self.date_done and self.date_done - CLOCK_MARGIN,
        )
        cache = snapshot["lines"]
        for found in candidates:
            if found["id"] not in cache:
                cache[found["id"]] = reads.fulfillment(client, found["id"]) or found
        return planner.match_existing(
            lines, [cache[f["id"]] for f in candidates], location.shopify_location_id
        )

    def _synco_apply_push_plan(self, plan, job, shop, client):
        if plan.kind == "nothing":
            return "Shopify already has these lines fulfilled"
        if plan.kind == "stop":
            raise NeedsAttention(notes.render(plan.reason, self.env._))
        if plan.kind == "wait" or plan.held:
            raise RetryLater(
                self.env._(
                    "Waiting for Shopify: %s",
                    notes.render(plan.reason or plan.held[0]["reason"], self.env._),
                ),
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

    def _synco_tracking_input(self):
        carrier = self.carrier_id
        company, known = carrier._synco_tracking_company() if carrier else (False, False)
        return tracking_input(
            self.carrier_tracking_ref, company, known, self.carrier_tracking_url or None
        )

    # -- the tracking update job ------------------------------------------------

    def _synco_job_update_tracking(self, job):
        """Bring the tracking of this delivery's Shopify fulfillments (one,
        or one per part of a split push) in line with Odoo's; a no-op when
        Shopify already shows it. It reads the delivery when it runs, and
        runs after any open push of the order, so Shopify ends with the
        last value Odoo holds."""
        self.ensure_one()
        links = self.synco_fulfillment_ids.filtered(
            lambda f: f.origin == "odoo" and f.state == "done"
        )
        if not links:
            return "not pushed yet: the push carries the tracking"
        tracking = self._synco_tracking_input() or {}
        numbers = tracking.get("numbers") or [tracking.get("number")]
        stale = links.filtered(
            lambda link: (
                (link.tracking_number, link.tracking_company)
                != (numbers[0], tracking.get("company"))
            )
        )
        if not stale:
            return "tracking already up to date"
        client = job._client()
        for link in stale.sorted("id"):
            result = client.mutate(
                queries.FULFILLMENT_TRACKING_UPDATE,
                {
                    "fulfillmentId": link._gid(),
                    "trackingInfoInput": tracking,
                    "notifyCustomer": job.shop_id.notify_customer,
                },
                "fulfillmentTrackingInfoUpdate",
            )["fulfillment"]
            link.write(link._tracking_vals(result))
        number = first_tracking(result).get("number")
        self._synco_post(
            self.env._(
                "Sent to Shopify: tracking of %(picking)s updated to %(number)s.",
                picking=self.name,
                number=number or "-",
            )
        )
        return f"tracking updated to {number}"

    # -- what Odoo will not ship ------------------------------------------------

    def _synco_flag_left_open(self):
        """An Odoo-led delivery done without a backorder for its rest ("No
        backorder", a type that never makes one) or cancelled: Shopify still
        expects those lines; say so on the order."""
        if self.env.context.get("synco_from_shopify"):
            return
        led = self.filtered(
            lambda p: (
                p.sale_id.shopify_order_id
                and p.sale_id.synco_shop_id
                and p.sale_id.synco_shop_id._direction_for(warehouse=p._synco_warehouse())
                == "odoo_to_shopify"
            )
        )
        for sale in led.sale_id:
            self.env["synco.fulfillment"]._synco_flag_left_open(sale)
        (self - led)._synco_note_left_open()


class SyncoFulfillment(models.Model):
    _inherit = "synco.fulfillment"

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
            order_ref=sale.shopify_order_id,
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
