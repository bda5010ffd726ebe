from odoo import api, models
from odoo.tools.float_utils import float_compare

from .. import odoo_compat
from ..planning import notes
from ..planning import push as push_planner
from ..shopify import queries, reads
from ..shopify.ids import legacy_id, to_gid
from .stock_picking import SHIPPING_CODES


class SyncoFulfillmentOrder(models.AbstractModel):
    """What a Shopify fulfillment order's holds and moves do to the Odoo
    deliveries of its order. Each handler reads the fulfillment order as it
    is now, so replays and events out of order end the same way."""

    _name = "synco.fulfillment.order"
    _description = "Shopify Fulfillment Order Events"

    @api.model
    def _synco_read(self, job, fo_id):
        """(the fulfillment order now, its Odoo sale order), or (None, None)."""
        fo = reads.fulfillment_order(job._client(), to_gid("FulfillmentOrder", legacy_id(fo_id)))
        if not fo:
            return None, None
        return fo, self.env["sale.order"]._synco_find(job.shop_id, fo["order"]["id"])

    @api.model
    def _synco_deliveries(self, sale, fo, warehouse=None, open_only=True):
        """The deliveries (and dropships) of ``sale`` carrying ``fo``'s line
        items (at ``warehouse`` when given)."""
        items = {legacy_id(n["lineItem"]["id"]) for n in fo["lineItems"]["nodes"]}
        return sale.picking_ids.filtered(
            lambda p: (
                p.picking_type_code in SHIPPING_CODES
                and p.state not in (("done", "cancel") if open_only else ("cancel",))
                and (not warehouse or p._synco_warehouse() == warehouse)
                and set(p.move_ids.sale_line_id.mapped("shopify_line_item_id")) & items
            )
        )

    # -- holds ------------------------------------------------------------------

    @api.model
    def _synco_on_hold_webhook(self, job):
        """placed_on_hold and hold_released: the deliveries show the holds
        Shopify has now (several can stack); once none is left, the pushes
        waiting for the release run at once."""
        fo, sale = self._synco_read(job, job.payload["fulfillment_order_id"])
        if not sale:
            return self._synco_import_missing(job, fo, again=True)
        return self._synco_show_holds(job.shop_id, fo, sale)

    @api.model
    def _synco_import_missing(self, job, fo, again=False):
        """An event about an order Odoo lacks (its orders/create lost or
        late; its payload does not name the order, so the intake could not
        queue the import ahead): the order's import is queued now. With
        ``again``, the job runs once more after the import, in the order's
        sequence, so the new deliveries show what it says (a hold)."""
        if not fo:
            return "fulfillment order not in Shopify"
        order_id = legacy_id(fo["order"]["id"])
        if job.payload.get("after_import"):
            return "order still not in Odoo after its import"
        topic = job.payload.get("topic")
        import_job = self.env["sale.order"]._synco_enqueue_import(job.shop_id, order_id, topic)
        if again:
            self.env["synco.job"]._enqueue(
                job.shop_id,
                job.job_type,
                model=job.res_model,
                payload={**job.payload, "after_import": True},
                dedupe_key=f"{job.dedupe_key}:after-import",
                order_ref=order_id,
            )
        return f"order not in Odoo: import queued as job {import_job.id}"

    @api.model
    def _synco_show_holds(self, shop, fo, sale):
        """The deliveries of ``fo``'s lines show its holds as they are now;
        once none is left, the pushes waiting for the release run at once."""
        mapping = shop.location_map_ids._find(location_id=self._location_id(fo))
        deliveries = self._synco_deliveries(sale, fo, mapping.warehouse_id, open_only=False)
        deliveries = deliveries.filtered(lambda p: p.state != "done" or not p.synco_fulfillment_ids)
        reason = notes.render(push_planner.hold_reason(fo), self.env._)
        holds = fo.get("fulfillmentHolds") or [] if reason else []
        for picking in deliveries.filtered(lambda p: (p.shopify_hold_reason or "") != reason):
            picking.write(
                {
                    "shopify_hold_reason": reason or False,
                    "shopify_hold_ids": ",".join(h["id"] for h in holds if h.get("id")) or False,
                }
            )
            picking._synco_post(
                self.env._(
                    "Shopify: %(picking)s waits, %(reason)s.", picking=picking.name, reason=reason
                )
                if reason
                else self.env._("Shopify released the hold on %s.", picking.name)
            )
        if reason:
            return f"{len(deliveries)} deliveries wait: {reason}"
        woken = self._synco_run_waiting(sale)
        return f"released; {woken} waiting pushes run now"

    @api.model
    def _synco_release_holds(self, picking, job):
        """Release in Shopify the holds this delivery shows, by their ids:
        a hold placed since (they stack) is not released with them."""
        shown = set((picking.shopify_hold_ids or "").split(",")) - {""}
        if not shown:
            return "no Shopify hold on this delivery"
        client = job._client()
        order_gid = to_gid("Order", picking.sale_id.shopify_order_id)
        variables = {"id": order_gid, "first": 5}
        released = []
        for fo in client.paginate(
            queries.ORDER_FULFILLMENT_ORDERS, variables, ("order", "fulfillmentOrders")
        ):
            hold_ids = [h["id"] for h in fo.get("fulfillmentHolds") or () if h.get("id") in shown]
            if not hold_ids:
                continue
            result = client.mutate(
                queries.FULFILLMENT_ORDER_RELEASE_HOLD,
                {"id": fo["id"], "holdIds": hold_ids},
                "fulfillmentOrderReleaseHold",
            )
            self._synco_show_holds(job.shop_id, result["fulfillmentOrder"], picking.sale_id)
            released += hold_ids
        if not released:
            return "already released in Shopify"
        return f"released {len(released)} holds"

    @api.model
    def _synco_run_waiting(self, sale):
        """Make the order's pushes that wait (for a hold) due now."""
        jobs = self.env["synco.job"].search(
            [
                ("res_model", "=", "stock.picking"),
                ("res_id", "in", sale.picking_ids.ids),
                ("job_type", "=", "push_fulfillment"),
                ("state", "=", "pending"),
            ]
        )
        if jobs:
            jobs.write({"next_attempt_at": jobs._now()})
            jobs._wake()
        return len(jobs)

    @staticmethod
    def _location_id(fo):
        location = (fo.get("assignedLocation") or {}).get("location") or {}
        return location.get("legacyResourceId") or location.get("id")

    # -- moves ------------------------------------------------------------------

    @api.model
    def _synco_on_moved_webhook(self, job):
        """fulfillment_orders/moved: the open Odoo work for the moved lines
        goes to the warehouse mapped to the new location, or the order says
        why it cannot (already picked, location unmapped, other company)."""
        fo, sale = self._synco_read(job, job.payload["fulfillment_order_id"])
        if not sale:
            # The import places each line at its fulfillment order's
            # location as it is now: nothing is left to move.
            return self._synco_import_missing(job, fo)
        shop = job.shop_id
        mapping = shop.location_map_ids._find(location_id=self._location_id(fo))
        source = shop.location_map_ids._find(
            location_id=job.payload.get("source_location_id")
        ).warehouse_id
        warehouse = mapping.warehouse_id
        moves = self._synco_moves_elsewhere(sale, fo, warehouse, source)
        if not moves:
            return "nothing open elsewhere in Odoo: already there"
        location = (fo.get("assignedLocation") or {}).get("name") or self._location_id(fo)
        reason = self._synco_move_problem(sale, moves, warehouse, location)
        if reason:
            sale.message_post(
                body=self.env._(
                    "Shopify moved %(items)s to %(location)s; Odoo left the delivery as it "
                    "is: %(reason)s.",
                    items=", ".join(dict.fromkeys(m.product_id.display_name for m, _q in moves)),
                    location=location,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
            return f"not moved: {reason}"
        pickings = self._synco_move_to(moves, warehouse)
        for picking in pickings:
            picking._synco_post(
                self.env._(
                    "Shopify moved this work to %(location)s: %(picking)s now ships from %(wh)s.",
                    location=location,
                    picking=picking.name,
                    wh=warehouse.name,
                )
            )
        return f"moved to {warehouse.name}: {', '.join(pickings.mapped('name'))}"

    @api.model
    def _synco_moves_elsewhere(self, sale, fo, warehouse, source):
        """[(move, quantity)]: the open delivery moves of ``fo``'s remaining
        units that sit in another warehouse than ``warehouse`` (those of
        ``source`` first), with the units of each that move."""
        wanted = {}
        for node in fo["lineItems"]["nodes"]:
            item = legacy_id(node["lineItem"]["id"])
            wanted[item] = wanted.get(item, 0) + int(node.get("remainingQuantity") or 0)
        moves = sale.order_line.move_ids.filtered(
            lambda m: (
                m.picking_code == "outgoing"
                and m.state not in ("done", "cancel")
                and m.sale_line_id.shopify_line_item_id in wanted
                and m.picking_type_id.warehouse_id != warehouse
            )
        ).sorted(lambda m: (m.picking_type_id.warehouse_id != source, m.id))
        taken = []
        for move in moves:
            item = move.sale_line_id.shopify_line_item_id
            quantity = min(wanted[item], move.product_uom_qty)
            if quantity > 0:
                wanted[item] -= quantity
                taken.append((move, quantity))
        return taken

    def _synco_move_problem(self, sale, taken, warehouse, location):
        """Why the work cannot move, or ""."""
        if not warehouse:
            return self.env._("%s is mapped to no Odoo warehouse", location)
        if warehouse.company_id != sale.company_id:
            return self.env._(
                "its warehouse %(wh)s belongs to %(company)s, not to %(own)s",
                wh=warehouse.name,
                company=warehouse.company_id.name,
                own=sale.company_id.name,
            )
        moves = self.env["stock.move"].union(*(move for move, _qty in taken))
        picked = moves.filtered(lambda m: m.picked).picking_id
        if picked:
            return self.env._("%s is already picked", ", ".join(picked.mapped("name")))
        chained = moves.filtered("move_orig_ids").picking_id
        if chained:
            return self.env._(
                "%s is the last step of a multi-step delivery; move it by hand",
                ", ".join(chained.mapped("name")),
            )
        return ""

    def _synco_move_to(self, taken, warehouse):
        """Move the units of ``taken`` to ``warehouse``'s delivery type: a
        delivery that moves whole is retargeted (Odoo renames it after the
        new type and keeps its history), the rest go to a new delivery
        there. Returns the deliveries that now hold them."""
        Move = self.env["stock.move"]
        moving = Move
        for move, quantity in taken:
            rounding = move.product_uom.rounding
            if float_compare(quantity, move.product_uom_qty, precision_rounding=rounding) < 0:
                rest = move.product_uom._compute_quantity(quantity, move.product_id.uom_id)
                split = Move.create(move._split(rest))
                split._action_confirm(merge=False)
                move = split
            moving |= move
        moving._do_unreserve()
        out = warehouse.out_type_id
        targets = self.env["stock.picking"]
        for picking in moving.picking_id:
            mine = moving.filtered(lambda m, p=picking: m.picking_id == p)
            rest = picking.move_ids.filtered(lambda m: m.state != "cancel") - mine
            target = picking
            if rest:
                target = picking.copy(
                    {
                        "move_ids": [],
                        "picking_type_id": out.id,
                        **odoo_compat.picking_procurement_vals(picking.move_ids[:1]),
                        "backorder_id": False,
                    }
                )
            vals = {"picking_type_id": out.id, "location_id": out.default_location_src_id.id}
            target.write(vals)
            mine.write(dict(vals, picking_id=target.id, warehouse_id=warehouse.id))
            target.action_assign()
            targets |= target
        return targets
