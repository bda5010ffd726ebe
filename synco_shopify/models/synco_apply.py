"""The Shopify-led apply: a fulfillment made in Shopify (by the merchant or
a 3PL) becomes a validated Odoo delivery from the mapped warehouse. Top to
bottom: the webhook queues the apply job; ``synco.apply`` (the service)
decides its outcome in ``planning/apply.py`` (an echo of Odoo's own push
ends there, without reading Shopify), finds the warehouse, the order and the
moves, and has ``synco_apply_route.py`` re-ship from another warehouse and
validate every step of the route, the delivery last."""

from datetime import timezone

from odoo import api, models

from ..planning import notes
from ..planning.apply import (
    decide_apply,
    fulfillment_location,
    is_echo,
    plan_apply_groups,
    webhook_fulfillment,
)
from ..queue.policy import NeedsAttention, RetryLater
from ..shopify import reads
from ..shopify.const import ODOO_TO_SHOPIFY
from ..shopify.ids import legacy_id, to_gid
from ..shopify.tracking import first_tracking
from ..shopify.webhooks import FULFILLMENT_SNAPSHOT

ORDER_RECHECK = 10 * 60  # a fulfillment can arrive before its order is in Odoo


class SyncoFulfillment(models.Model):
    _inherit = "synco.fulfillment"

    @api.model
    def _synco_enqueue_apply(self, shop, fulfillment_id, order_id):
        """The one apply job of a Shopify fulfillment, in its order's
        sequence, behind the order's import when Odoo lacks it (the
        reconciliation's; fulfillments/* webhooks queue it themselves, with
        the status and tracking they carry: ``queue/registry.py``). It folds
        into the webhook's job without hiding what it found: the payloads
        differ, so the job reads the fulfillment."""
        order_id = str(order_id or "")
        self.env["sale.order"]._synco_import_first(shop, order_id, "apply_fulfillment")
        return self.env["synco.job"]._enqueue(
            shop,
            "apply_fulfillment",
            model="synco.fulfillment",
            payload={"fulfillment_id": str(fulfillment_id), "order_id": order_id},
            dedupe_key=f"fulfillment:{fulfillment_id}",
            order_ref=order_id or None,
            fold=True,
            snapshot_keys=FULFILLMENT_SNAPSHOT,
        )

    @api.model
    def _synco_job_apply_fulfillment(self, job):
        """Apply jobs queued with this model as theirs (``_synco_enqueue_apply``
        today, and every job queued before the apply became a service) run
        the service."""
        return self.env["synco.apply"]._synco_job_apply_fulfillment(job)


class SyncoApply(models.AbstractModel):
    """The apply job's handler. Cost: an echo of Odoo's own push, one link
    read and no Shopify call; otherwise one Shopify read (none for the first
    webhook about a fulfillment, while it is fresh), then for a
    shipment the reads of the order's open moves, one write per picking of
    the moves' quantities and picked flags, and Odoo's own validation of
    each step: the queries of Odoo validating the same delivery, plus a
    handful whatever its width (``scripts/bench_apply.py``)."""

    _name = "synco.apply"
    _description = "Shopify-led Apply"

    @api.model
    def _synco_job_apply_fulfillment(self, job):
        """Make Odoo agree with the Shopify fulfillment of ``job``: validate
        the delivery it stands for, update tracking, or flag a cancellation.
        A fulfillment already applied is a no-op; one the webhook shows as
        Odoo's own push, unchanged, is not even read, nor one the webhook
        describes while it is fresh and the first word about it."""
        shop = job.shop_id
        fulfillment_id = legacy_id(job.payload["fulfillment_id"])
        link = self.env["synco.fulfillment"].search(
            [("shop_id", "=", shop.id), ("shopify_fulfillment_id", "=", fulfillment_id)]
        )
        if is_echo(job.payload, self._link_facts(link)):
            return "echo of Odoo's own push: Shopify holds what Odoo sent, nothing read"
        now = job._now().replace(tzinfo=timezone.utc)
        fulfillment = webhook_fulfillment(job.payload, bool(link), now)
        if fulfillment is None or self._earlier_job(job):
            fulfillment = reads.fulfillment(job._client(), to_gid("Fulfillment", fulfillment_id))
        location_id = fulfillment_location(fulfillment)
        decision = decide_apply(
            fulfillment,
            bool(link),
            bool(fulfillment)
            and shop._direction_for(shopify_location_id=location_id) == ODOO_TO_SHOPIFY,
        )
        return self._carry_out(decision, shop, link, fulfillment)

    @api.model
    def _earlier_job(self, job):
        """True when another job of the shop was about ``job``'s fulfillment
        (its key, or its ``:next``): the webhook it came from may be older
        than what that job saw."""
        key = job.dedupe_key or ""
        if not key:
            return True
        keys = [key.removesuffix(":next"), key.removesuffix(":next") + ":next"]
        domain = [("shop_id", "=", job.shop_id.id), ("dedupe_key", "in", keys)]
        return bool(self.env["synco.job"].search_count([*domain, ("id", "!=", job.id)], limit=1))

    @api.model
    def _carry_out(self, decision, shop, link, fulfillment):
        """Do what ``decision`` (planning/apply.py) says; the job's result."""
        if decision.kind == "ship":
            return self._ship(shop, fulfillment, decision)
        if decision.kind == "cancel":
            return link._synco_cancelled()
        if decision.kind == "tracking":
            return link._synco_update_tracking(fulfillment)
        if decision.kind == "not_shipped":
            return self.env._(
                "Not applied: Shopify reports this fulfillment as %s, not SUCCESS, so "
                "nothing shipped yet and Odoo moved nothing. It is applied when Shopify "
                "reports SUCCESS; an ERROR or FAILURE is for the 3PL to resolve in Shopify.",
                decision.status,
            )
        return {
            "gone": "Shopify no longer has this fulfillment",
            "cancelled_unlinked": "cancelled before it reached Odoo",
            "odoo_led": "location led by Odoo: its deliveries are validated in Odoo",
        }[decision.kind]

    @api.model
    def _link_facts(self, link):
        """The link as ``planning/apply.py`` reads it, or None."""
        if not link:
            return None
        return {
            "origin": link.origin,
            "state": link.state,
            "tracking_number": link.tracking_number,
            "tracking_company": link.tracking_company,
        }

    @api.model
    def _ship(self, shop, fulfillment, decision):
        """Validate what ``fulfillment`` shipped from the warehouse of its
        location, link it and say so on the delivery and its order."""
        warehouse = self._warehouse(shop, decision.location_id)
        sale = self.env["sale.order"].search(
            [("synco_shop_id", "=", shop.id), ("shopify_order_id", "=", decision.order_id)],
            limit=1,
        )
        if not sale:
            raise RetryLater(
                self.env._("Shopify order %s is not in Odoo yet.", decision.order_id),
                ORDER_RECHECK,
            )
        picking = self._validate(sale, decision.lines, fulfillment, warehouse)
        number = first_tracking(fulfillment).get("number")
        self.env["synco.fulfillment"]._link(picking, shop, fulfillment, "shopify")
        note = self.env._(
            "Received from Shopify: fulfillment %(id)s validated %(picking)s%(tracking)s.",
            id=legacy_id(fulfillment["id"]),
            picking=picking.name,
            tracking=self.env._(" (tracking %s)", number) if number else "",
        )
        # Logged, not posted: a note nobody is notified of needs no
        # recipients computed (about ten queries for the two).
        picking._synco_log(note)
        return f"validated {picking.name}"

    @api.model
    def _warehouse(self, shop, location_id):
        """The warehouse of the shop's company that a Shopify-led fulfillment
        at ``location_id`` ships from; a clear stop, before anything moves,
        when there is none."""
        mapping = shop.location_map_ids._find(location_id=location_id)
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
    def _plan(self, sale, lines, warehouse):
        """``lines`` laid over the open moves of ``sale`` (planning/apply.py)."""
        open_moves = (
            sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            .move_ids._synco_open_delivery_moves()
            .sorted("id")
        )
        groups = {}
        for move in open_moves:
            groups.setdefault(move._synco_plan_group(), []).append(move._synco_plan_move(warehouse))
        return plan_apply_groups(lines, groups, warehouse.id)

    @api.model
    def _validate(self, sale, lines, fulfillment, warehouse):
        """Validate ``lines`` and return the delivery of ``warehouse`` that
        now holds them; the rest stays on backorders. Lines Odoo holds no
        open move for are made again by Odoo's procurement once
        (synco_reopen.py), then planned a second time."""
        plan = self._plan(sale, lines, warehouse)
        if plan.missing and self.env["synco.fulfillment"]._synco_reopen(
            sale, plan.missing, warehouse
        ):
            plan = self._plan(sale, lines, warehouse)
        if plan.missing:
            raise NeedsAttention(
                self.env._(
                    "The Shopify fulfillment ships more than Odoo has open: %s",
                    notes.render([item["reason"] for item in plan.missing], self.env._),
                )
            )
        Move = self.env["stock.move"]
        planned = {
            move_id: qty for picking in plan.pickings.values() for move_id, qty in picking.items()
        }
        reship = {item["move_id"]: item["quantity"] for item in plan.cross_warehouse}
        # One browse of every move: their fields are read once, not per move.
        moves = Move.browse([*planned, *reship])
        quantities = {
            move.id: move._synco_from_line_qty(planned[move.id])
            for move in moves
            if move.id in planned
        }
        if reship:
            reshipped = moves.filtered(lambda m: m.id in reship)._synco_reship(
                warehouse,
                {
                    move.id: move._synco_from_line_qty(reship[move.id])
                    for move in moves
                    if move.id in reship
                },
            )
            quantities.update({move.id: move.product_uom_qty for move in reshipped})
        return Move.browse(list(quantities))._synco_ship_route(quantities, fulfillment)
