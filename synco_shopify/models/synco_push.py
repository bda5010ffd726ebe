"""The Odoo-led push: a delivery validated in Odoo becomes a Shopify
fulfillment (``planning/push.py`` plans it), and tracking changed
afterwards follows it. The door in ``stock_picking.py`` calls it."""

import hashlib
import math
from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL

from ..planning import notes
from ..planning import push as planner
from ..planning.snapshot import OrderSnapshot
from ..queue.policy import NeedsAttention, RetryLater
from ..shopify import queries, reads
from ..shopify.ids import to_gid
from ..shopify.tracking import first_tracking

# A held fulfillment order is the merchant's to release; look again this often.
HOLD_RECHECK = 15 * 60
# Moves and re-plans per push: a move changes the fulfillment orders, so the
# job reads them again; more rounds than this means something else changes them.
MAX_PLAN_ROUNDS = 3
# Shopify's clock and Odoo's may disagree by this much.
CLOCK_MARGIN = timedelta(minutes=10)
# A validated delivery's push runs before the queue's other jobs (10): the
# customer's shipping email waits on it, and a storm of webhooks must not
# queue ahead of it. An order's own jobs still run in turn (order_ref).
PUSH_PRIORITY = 5


class SyncoPush(models.AbstractModel):
    """The Odoo-led push, as a service of the door in ``stock_picking.py``:
    it queues the jobs (never calling Shopify in the warehouse user's
    transaction), and runs them for the delivery each job names."""

    _name = "synco.push"
    _description = "Shopify Push"

    # -- queue ------------------------------------------------------------------

    @api.model
    def _enqueue(self, pickings):
        """Queue one push per done delivery (or dropship) among these Odoo-led
        pickings."""
        for picking in pickings.filtered(lambda p: p.state == "done" and p._synco_shop()):
            self.env["synco.job"]._enqueue(
                picking._synco_shop(),
                "push_fulfillment",
                record=picking,
                dedupe_key=f"push:{picking.id}",
                order_ref=picking.sale_id.shopify_order_id,
                priority=PUSH_PRIORITY,
            )

    @api.model
    def _enqueue_tracking_update(self, pickings):
        """Queue an update of Shopify's tracking after a change in Odoo:
        behind the delivery's push when one is still open (it may have read
        the old value already, so it cannot be trusted to carry the new
        one), else when a pushed fulfillment exists."""
        done = pickings.filtered(lambda p: p.state == "done")
        for picking in done & self._pushed_or_pushing(done):
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
                priority=PUSH_PRIORITY,
            )

    @api.model
    def _pushed_or_pushing(self, pickings):
        """The deliveries among these with a live Odoo-led fulfillment link
        or an open push job. One statement, so a push committing meanwhile
        is seen either as open or as linked, never as neither: its link and
        its job's end are one commit."""
        if not pickings.ids:
            return pickings
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
                pickings.ids,
            )
        )
        return pickings.browse([row[0] for row in self.env.cr.fetchall()])

    # -- the push job -----------------------------------------------------------

    @api.model
    def _push(self, picking, job):
        """Make Shopify hold exactly the fulfillments of ``picking``: one,
        or one per ``planner.split_lines`` part past Shopify's 512 line items
        per fulfillment order. Reads Shopify first, so a replay, a duplicate
        trigger or a retry after a lost answer links what exists instead of
        creating it again."""
        picking.ensure_one()
        pushed = picking.synco_fulfillment_ids.filtered(lambda link: link.origin == "odoo")
        lines = self._lines(picking)
        if not lines:
            return "already linked" if pushed else "no Shopify line in this delivery"
        parts = planner.split_lines(lines)
        if len(pushed) >= len(parts):
            return "already linked"
        location = picking._synco_location(job.shop_id)
        client = job._client()
        order_gid = to_gid("Order", picking.sale_id.shopify_order_id)
        snapshot = OrderSnapshot(
            order_gid,
            reads.order_fulfillments(client, order_gid)[1],
            reads.fulfillment_orders(client, order_gid),
        )
        # Odoo's own fulfillment service: accept a request still unanswered first.
        if job.shop_id._synco_fsvc_accept_before_push(
            client, snapshot.fulfillment_orders, location.shopify_location_id
        ):
            snapshot.fulfillment_orders = reads.fulfillment_orders(client, order_gid)
        # Parts are pushed in order, so the links made are the first parts.
        results = [
            self._push_part(picking, part, job, client, location, snapshot)
            for part in parts[len(pushed) :]
        ]
        return "; ".join(results)

    @api.model
    def _lines(self, picking):
        """Done quantity per Shopify line item, in the sale line's unit."""
        moves = picking.move_ids.filtered(
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

    @api.model
    def _push_part(self, picking, lines, job, client, location, snapshot):
        """Link or create the one Shopify fulfillment of ``lines``."""
        shop = job.shop_id
        existing = self._pushed_before(picking, lines, shop, client, location, snapshot)
        if existing:
            link = self.env["synco.fulfillment"]._link(
                picking, shop, existing, "odoo", "linked after a retry"
            )
            picking._synco_post(
                self.env._(
                    "Shopify already had fulfillment %(id)s for %(picking)s: linked to it.",
                    id=link.shopify_fulfillment_id,
                    picking=picking.name,
                )
            )
            return f"linked existing fulfillment {existing['id']}"
        for _round in range(MAX_PLAN_ROUNDS):
            plan = planner.plan_push(
                lines,
                snapshot.fulfillment_orders,
                location.shopify_location_id,
                {m.shopify_location_id: m.name for m in shop.location_map_ids},
            )
            if plan.kind != "move":
                break
            for move in plan.moves:
                variables = {key: value for key, value in move.items() if key != "from_location"}
                client.mutate(queries.FULFILLMENT_ORDER_MOVE, variables, "fulfillmentOrderMove")
            snapshot.fulfillment_orders = reads.fulfillment_orders(client, snapshot.order_gid)
        return self._apply_plan(picking, plan, shop, client)

    @api.model
    def _pushed_before(self, picking, lines, shop, client, location, snapshot):
        """The unlinked Shopify fulfillment a lost answer made for ``lines``,
        or None. It was made after the delivery was done (less a margin
        for the clocks): older ones need no reading."""
        linked = self.env["synco.fulfillment"].search(
            [("shop_id", "=", shop.id), ("sale_order_id", "=", picking.sale_id.id)]
        )
        candidates = planner.candidates(
            snapshot.fulfillments,
            location.shopify_location_id,
            exclude_ids=set(linked.mapped("shopify_fulfillment_id")),
            created_after=picking.date_done and picking.date_done - CLOCK_MARGIN,
        )
        found = snapshot.detailed(candidates, lambda gid: reads.fulfillment(client, gid))
        return planner.match_existing(lines, found, location.shopify_location_id)

    @api.model
    def _apply_plan(self, picking, plan, shop, client):
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
        tracking = picking._synco_tracking_input()
        if tracking:
            fulfillment["trackingInfo"] = tracking
        result = client.mutate(
            queries.FULFILLMENT_CREATE, {"fulfillment": fulfillment}, "fulfillmentCreate"
        )["fulfillment"]
        link = self.env["synco.fulfillment"]._link(picking, shop, result, "odoo")
        picking._synco_post(
            self.env._(
                "Sent to Shopify: fulfillment %(id)s of %(picking)s created%(tracking)s.",
                id=link.shopify_fulfillment_id,
                picking=picking.name,
                tracking=self.env._(" with tracking %s", link.tracking_number)
                if link.tracking_number
                else "",
            )
        )
        return f"created fulfillment {result['id']}"

    # -- the tracking update job ------------------------------------------------

    @api.model
    def _update_tracking(self, picking, job):
        """Bring the tracking of ``picking``'s Shopify fulfillments (one, or
        one per part of a split push) in line with Odoo's; a no-op when
        Shopify already shows it. It reads the delivery when it runs, and
        runs after any open push of the order, so Shopify ends with the
        last value Odoo holds."""
        picking.ensure_one()
        links = picking.synco_fulfillment_ids.filtered(
            lambda f: f.origin == "odoo" and f.state == "done"
        )
        if not links:
            return "not pushed yet: the push carries the tracking"
        tracking = picking._synco_tracking_input() or {}
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
        picking._synco_post(
            self.env._(
                "Sent to Shopify: tracking of %(picking)s updated to %(number)s.",
                picking=picking.name,
                number=number or "-",
            )
        )
        return f"tracking updated to {number}"
