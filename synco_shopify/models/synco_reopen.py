"""Shopify lines Odoo has no done or open delivery for any more.

Odoo-led, Shopify still expects them: a job says so on the order (while it
fails, the order needs attention), until they ship from a new delivery or
are cancelled or refunded in Shopify.

Shopify-led, what Shopify may still ship: a warehouse that Shopify leads
ships what Shopify (or its 3PL) says shipped. When Odoo drops what is left
of a line (a delivery validated with "No backorder" or of a type that never
makes one, a cancelled delivery, a sale order cancelled in Odoo), Shopify
still shows the line open and may ship it. Odoo does not fight that
decision when it is made: the order gets a to-do naming the lines. When
Shopify does ship them, the apply asks Odoo's own procurement (sale_stock's
``_action_launch_stock_rule``, which recomputes what no done or open move
covers) for a new delivery from the warehouse of the shipping location,
through its route, and says so on the order. A sale order that is not
confirmed (cancelled, or back to quotation) is never revived silently: the
apply stops, naming the lines and what to do.
"""

from odoo import api, models

from ..queue.policy import NeedsAttention
from ..shopify.ids import legacy_id


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _prepare_procurement_values(self, *args, **kwargs):
        # 18 passes group_id, 19 nothing: both go through unchanged.
        values = super()._prepare_procurement_values(*args, **kwargs)
        warehouse_id = self.env.context.get("synco_reopen_warehouse")
        if warehouse_id:
            values["warehouse_id"] = self.env["stock.warehouse"].browse(warehouse_id)
        return values

    @api.model
    def _synco_lines_text(self, left):
        """``[(line, quantity)]`` as a person reads it."""
        return "; ".join(
            self.env._(
                "%(product)s (Shopify line %(line)s): %(qty)s",
                product=line.product_id.display_name,
                line=line.shopify_line_item_id,
                qty=qty,
            )
            for line, qty in left
        )


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        res = super().action_confirm()
        # Confirmed again (after a cancel): the to-do says what is still open.
        summary = self._synco_left_open_summary()
        for sale in self:
            if sale.activity_ids.filtered(lambda a: a.summary == summary):
                sale._synco_note_left_open()
        return res

    def _synco_left_open_summary(self):
        return self.env._("Shopify lines without an Odoo delivery")

    def _synco_note_left_open(self):
        """A to-do on this Shopify-led order (one, kept current) naming the
        Shopify lines Odoo has no done or open delivery for. The to-do is
        the addon's, written as superuser: whoever cancelled (a warehouse
        user) needs no rights on the order's activities."""
        self.ensure_one()
        left = self.order_line._synco_left_open()
        summary = self._synco_left_open_summary()
        todo = self.sudo().activity_ids.filtered(lambda a: a.summary == summary)
        if not left:
            if todo:
                todo.action_feedback(feedback=self.env._("Every Shopify line has a delivery."))
            return
        note = self.env._(
            "Shopify keeps these lines of %(order)s open, but Odoo has no open delivery for "
            "them (validated without a backorder, or cancelled): %(lines)s. Shopify leads this "
            "warehouse: when Shopify (or its 3PL) ships them, Odoo makes their delivery again "
            "from the warehouse of the shipping location and validates it (a cancelled order "
            "must first be set back to quotation and confirmed). If they will not ship, cancel "
            "or refund them in Shopify.",
            order=self.name,
            lines=self.env["sale.order.line"]._synco_lines_text(left),
        )
        if todo:
            todo.write({"note": note})
            return
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=note,
            user_id=(self.user_id or self.env.user).id,
        )


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

    @api.model
    def _synco_reopen(self, sale, missing, warehouse):
        """Shopify shipped ``missing`` ({line_item_id, quantity}, the apply
        planner's) that no open move of ``sale`` holds: have Odoo's
        procurement make, from ``warehouse``, the moves for what of those
        lines no done or open move covers. True when it made some (the
        apply plans again, once); a sale order that is not confirmed stops
        with the lines and what to do."""
        items = {legacy_id(item["line_item_id"]): item["quantity"] for item in missing}
        lines = sale.order_line.filtered(
            lambda line: line.shopify_line_item_id and legacy_id(line.shopify_line_item_id) in items
        )
        left = lines._synco_left_open()
        if not left:
            return False
        if sale.state != "sale":
            shipped = [(line, items[legacy_id(line.shopify_line_item_id)]) for line, _qty in left]
            self._synco_stop_unconfirmed(sale, shipped)
        before = lines.move_ids
        locked = sale.locked
        if locked:
            sale.action_unlock()
        lines.with_context(synco_reopen_warehouse=warehouse.id)._action_launch_stock_rule()
        if locked:
            sale.action_lock()
        made = lines.move_ids - before
        if not made:
            return False
        sale.message_post(
            body=self.env._(
                "Shopify shipped lines Odoo had no open delivery for: Odoo made %(pickings)s "
                "from %(warehouse)s again for %(lines)s, to validate what Shopify shipped; "
                "what Shopify has not shipped stays open.",
                pickings=", ".join(made.picking_id.mapped("name")),
                warehouse=warehouse.name,
                lines=self.env["sale.order.line"]._synco_lines_text(left),
            ),
            subtype_xmlid="mail.mt_note",
        )
        sale._synco_note_left_open()
        return True

    @api.model
    def _synco_stop_unconfirmed(self, sale, shipped):
        state = dict(sale._fields["state"]._description_selection(self.env))[sale.state]
        raise NeedsAttention(
            self.env._(
                "Sale order %(order)s is %(state)s in Odoo, but Shopify shipped %(lines)s of it; "
                "Odoo moved nothing. If the goods left: set the order back to quotation and "
                "confirm it (Odoo makes its deliveries again), then retry this job. If they did "
                "not, cancel the fulfillment in Shopify.",
                order=sale.name,
                state=state,
                lines=self.env["sale.order.line"]._synco_lines_text(shipped),
            )
        )
