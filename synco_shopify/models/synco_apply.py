"""The Shopify-led apply: a fulfillment made in Shopify (by the merchant or
a 3PL) becomes a validated Odoo delivery from the mapped warehouse. Top to
bottom: webhook, apply job, warehouse, ``planning/apply.py``'s plan, re-ship
from another warehouse, every step of the route validated, the delivery last."""

from odoo import Command, api, models
from odoo.tools.float_utils import float_compare, float_is_zero

from ..planning import notes
from ..planning.apply import plan_apply_groups
from ..queue.policy import NeedsAttention, RetryLater
from ..shopify import reads
from ..shopify.ids import legacy_id, to_gid
from ..shopify.tracking import first_tracking, tracking_reference
from ..shopify.webhooks import FULFILLMENT_SNAPSHOT
from . import odoo_compat
from .stock_picking import SHIPPING_CODES

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
        """Read the fulfillment from Shopify and make Odoo agree with it:
        validate the delivery it stands for, update tracking, or flag a
        cancellation. A fulfillment already applied is a no-op."""
        shop = job.shop_id
        fulfillment_id = legacy_id(job.payload["fulfillment_id"])
        fulfillment = reads.fulfillment(job._client(), to_gid("Fulfillment", fulfillment_id))
        if not fulfillment:
            return "Shopify no longer has this fulfillment"
        link = self.search(
            [("shop_id", "=", shop.id), ("shopify_fulfillment_id", "=", fulfillment_id)]
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
        if shop._direction_for(shopify_location_id=location_id) == "odoo_to_shopify":
            return "location led by Odoo: its deliveries are validated in Odoo"
        warehouse = self._synco_apply_warehouse(shop, location_id)
        order_id = legacy_id(fulfillment["order"]["id"])
        sale = self.env["sale.order"].search(
            [("synco_shop_id", "=", shop.id), ("shopify_order_id", "=", order_id)], limit=1
        )
        if not sale:
            raise RetryLater(
                self.env._("Shopify order %s is not in Odoo yet.", order_id), ORDER_RECHECK
            )
        picking = self._synco_ship(sale, fulfillment, warehouse)
        number = first_tracking(fulfillment).get("number")
        self._link(picking, shop, fulfillment, "shopify")
        picking._synco_post(
            self.env._(
                "Received from Shopify: fulfillment %(id)s validated %(picking)s%(tracking)s.",
                id=fulfillment_id,
                picking=picking.name,
                tracking=self.env._(" (tracking %s)", number) if number else "",
            )
        )
        return f"validated {picking.name}"

    @api.model
    def _synco_apply_warehouse(self, shop, location_id):
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
            groups.setdefault(move._synco_plan_group(), []).append(move._synco_plan_move(warehouse))
        plan = plan_apply_groups(lines, groups, warehouse.id)
        if plan.missing and self._synco_reopen(sale, plan.missing, warehouse):
            return self.with_context(synco_reopened=True)._synco_ship(sale, fulfillment, warehouse)
        if plan.missing:
            raise NeedsAttention(
                self.env._(
                    "The Shopify fulfillment ships more than Odoo has open: %s",
                    notes.render([item["reason"] for item in plan.missing], self.env._),
                )
            )
        Move = self.env["stock.move"]
        quantities = {
            move_id: Move.browse(move_id)._synco_from_line_qty(qty)
            for picking in plan.pickings.values()
            for move_id, qty in picking.items()
        }
        if plan.cross_warehouse:
            reship = {
                item["move_id"]: Move.browse(item["move_id"])._synco_from_line_qty(item["quantity"])
                for item in plan.cross_warehouse
            }
            reshipped = Move.browse(list(reship))._synco_reship(warehouse, reship)
            quantities.update({move.id: move.product_uom_qty for move in reshipped})
        return Move.browse(list(quantities))._synco_ship_route(quantities, fulfillment)


class StockMove(models.Model):
    _inherit = "stock.move"

    def _synco_open_delivery_moves(self):
        """The open moves among ``self`` that hold goods on their way to the
        customer and that no other open move feeds: in a pick + ship
        warehouse the pick move of what is not picked yet, the ship move of
        what is. Every unit still to ship sits in exactly one of them."""
        return self.filtered(
            lambda m: (
                m.state not in ("done", "cancel")
                and m.sale_line_id.shopify_line_item_id
                and (m.location_final_id or m.location_dest_id).usage == "customer"
                and not m.move_orig_ids.filtered(lambda o: o.state not in ("done", "cancel"))
            )
        )

    def _synco_plan_move(self, warehouse):
        """This move as the apply planner sees it, in the sale line's unit.
        At the shipping warehouse the goods closest to the customer go
        first; elsewhere what is least far along is taken off first."""
        self.ensure_one()
        steps = self._synco_steps_left()
        own = self._synco_warehouse()
        target = own == warehouse
        return {
            "move_id": self.id,
            "line_item_id": self.sale_line_id.shopify_line_item_id,
            "warehouse": own.id,
            "picking_id": self.picking_id.id,
            "remaining": self._synco_to_line_qty(self.product_uom_qty),
            "rank": steps if target else -steps,
        }

    def _synco_steps_left(self):
        """How many validations this move's goods still need to reach the
        customer: 1 for a delivery, more for a pick or a pack."""
        self.ensure_one()
        if self.picking_code in SHIPPING_CODES:
            return 1
        warehouse = self.picking_type_id.warehouse_id
        return 2 if self.location_id != warehouse.lot_stock_id else 3

    def _synco_reship(self, warehouse, quantities):
        """Shopify shipped part of these moves from ``warehouse``, not from
        the warehouse Odoo planned: create the first step of ``warehouse``'s
        delivery route (the delivery itself, or its pick) for those
        quantities (same sale lines, same procurement group, the shop's
        company) and take them off the planned moves. Returns the new moves,
        confirmed; Odoo's push rules make the later steps as each is done."""
        first = self[:1]
        multi_step = warehouse.delivery_steps != "ship_only"
        picking_type = warehouse.pick_type_id if multi_step else warehouse.out_type_id
        source = picking_type.default_location_src_id or warehouse.lot_stock_id
        customer = first.location_final_id or first.location_dest_id
        dest = picking_type.default_location_dest_id if multi_step else customer
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "company_id": warehouse.company_id.id,
                "partner_id": first.picking_id.partner_id.id,
                "origin": first.picking_id.origin,
                "location_id": source.id,
                "location_dest_id": dest.id,
                **odoo_compat.picking_procurement_vals(first),
                "move_ids": [
                    Command.create(
                        move._synco_prepare_reship_vals(
                            quantities[move.id], picking_type, source, dest, customer
                        )
                    )
                    for move in self
                ],
            }
        )
        picking.action_confirm()
        for move in self:
            left = move.product_uom_qty - quantities[move.id]
            if float_compare(left, 0, precision_rounding=move.product_uom.rounding) <= 0:
                move._action_cancel()
            else:
                move.product_uom_qty = left
                move._action_assign()
        return picking.move_ids

    def _synco_prepare_reship_vals(self, quantity, picking_type, source, dest, customer):
        """The values of the move that ships ``quantity`` of this move from
        ``picking_type``'s warehouse instead."""
        self.ensure_one()
        warehouse = picking_type.warehouse_id
        return {
            **odoo_compat.move_copy_vals(self),
            "company_id": warehouse.company_id.id,
            "product_id": self.product_id.id,
            "product_uom_qty": quantity,
            "product_uom": self.product_uom.id,
            "sale_line_id": self.sale_line_id.id,
            "location_id": source.id,
            "location_dest_id": dest.id,
            "location_final_id": customer.id,
            "warehouse_id": warehouse.id,
            "picking_type_id": picking_type.id,
        }

    def _synco_ship_route(self, quantities, fulfillment):
        """Validate ``quantities`` ({move id: quantity in the move's unit}) of
        these open moves of one warehouse through every step left of its
        route (pick, pack, then ship), each step keeping a backorder for what
        Shopify did not ship; the goods a step validates are the next step's
        to take. Returns the validated delivery (the last step)."""
        Picking = self.env["stock.picking"]
        while True:
            moves = self.browse(list(quantities))
            earlier = moves.filtered(lambda m: m.picking_code not in SHIPPING_CODES)
            if not earlier:
                break
            for picking in earlier.picking_id:
                picking._synco_validate_shipped(
                    {m.id: quantities[m.id] for m in earlier if m.picking_id == picking}, None
                )
            carried = {m.id: quantities[m.id] for m in moves - earlier}
            for move in earlier:
                move._synco_carry(quantities[move.id], carried)
            quantities = carried
        deliveries = Picking.browse(self.browse(list(quantities)).picking_id.ids)
        if len(deliveries) != 1:
            raise NeedsAttention(
                self.env._(
                    "This fulfillment spans %s Odoo deliveries; validate them by hand.",
                    len(deliveries),
                )
            )
        deliveries._synco_validate_shipped(quantities, fulfillment)
        return deliveries

    def _synco_carry(self, quantity, carried):
        """Hand the ``quantity`` this done move validated to the open moves
        of the next step (the ones Odoo's push rule just made or fed)."""
        self.ensure_one()
        left = quantity
        for dest in self.move_dest_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            room = dest.product_uom_qty - carried.get(dest.id, 0.0)
            take = min(left, dest.product_uom._compute_quantity(room, self.product_uom))
            if take <= 0:
                continue
            carried[dest.id] = carried.get(dest.id, 0.0) + self.product_uom._compute_quantity(
                take, dest.product_uom
            )
            left -= take
        if not float_is_zero(left, precision_rounding=self.product_uom.rounding):
            raise NeedsAttention(
                self.env._(
                    "%(picking)s was validated, but Odoo made no next step for %(qty)s of "
                    "%(product)s: check the delivery route of %(warehouse)s.",
                    picking=self.picking_id.name,
                    qty=left,
                    product=self.product_id.display_name,
                    warehouse=self.picking_type_id.warehouse_id.name,
                )
            )


class StockPicking(models.Model):
    _inherit = "stock.picking"

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
                self.env._(
                    "Not enough stock to validate %(picking)s: %(moves)s",
                    picking=self.name,
                    moves="; ".join(short),
                )
            )
        for move in self.move_ids:
            move.quantity = quantities.get(move.id, 0.0)
            move.picked = True
        vals = self._synco_tracking_vals(fulfillment) if fulfillment else {}
        # No wizard may stop a validation nobody watches: the backorder is
        # kept, and Shopify, not Odoo, tells the customer (no SMS prompt).
        context = {
            "skip_backorder": True,
            "skip_sanity_check": True,
            "skip_sms": True,
            "synco_from_shopify": True,
        }
        self.with_context(**context).write(vals)
        if self.picking_type_id.create_backorder == "never":
            # Odoo's validation would drop the rest, but Shopify keeps those
            # lines open and may still ship them: they stay on a backorder.
            self.with_context(**context, cancel_backorder=False)._action_done()
        else:
            self.with_context(**context).button_validate()
        if self.state != "done":
            raise NeedsAttention(self.env._("Odoo did not validate %s.", self.name))

    def _synco_tracking_vals(self, fulfillment):
        """Shopify's tracking, and the carrier it names, as delivery values."""
        vals = {"carrier_tracking_ref": tracking_reference(fulfillment)}
        company = first_tracking(fulfillment).get("company")
        carrier = self.env["delivery.carrier"]._synco_from_tracking_company(
            company, self.company_id
        )
        if carrier:
            vals["carrier_id"] = carrier.id
        return vals
