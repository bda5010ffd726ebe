from markupsafe import escape
from odoo import api, fields, models
from odoo.tools import SQL, clean_context
from odoo.tools.mail import generate_tracking_message_id

from ..queue.policy import NeedsAttention
from ..queue.status import sync_state
from ..shopify.const import ODOO_TO_SHOPIFY, SHOPIFY_TO_ODOO
from ..shopify.tracking import tracking_input
from .synco_status_mixin import ATTENTION_JOBS

# The operation types whose validation hands goods to the customer: a
# delivery from a warehouse and, with stock_dropshipping, a vendor's
# dropship (its code is only a selection value that module adds).
SHIPPING_CODES = ("outgoing", "dropship")


class StockPicking(models.Model):
    """What a delivery shows of Shopify, and the addon's one door on
    pickings: every override of stock.picking is here, and branches once on
    who leads the picking (``_synco_direction``). Behind the door, the
    Odoo-led push (``synco.push``, synco_push.py), what Shopify still
    expects of lines Odoo dropped (synco_reopen.py), returns
    (synco_return_sync.py, synco_return_odoo.py) and local pickup
    (synco_pickup.py). The Shopify-led apply (synco_apply.py) validates
    deliveries with ``synco_from_shopify`` in the context: nothing of what
    it does goes back to Shopify."""

    _name = "stock.picking"
    _inherit = ["stock.picking", "synco.status.mixin"]

    synco_fulfillment_ids = fields.One2many(
        "synco.fulfillment", "picking_id", string="Shopify Fulfillments", readonly=True
    )

    shopify_hold_reason = fields.Char(
        string="Shopify Hold",
        readonly=True,
        copy=False,
        help="Shopify holds this delivery's fulfillment order: it waits for the release.",
    )
    shopify_hold_ids = fields.Char(string="Shopify Hold IDs", readonly=True, copy=False)

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
                picking.picking_type_code in SHIPPING_CODES
                and bool(picking.sale_id.shopify_order_id),
                picking.state,
            )

    @api.depends("sale_id.shopify_admin_url")
    def _compute_shopify_admin_url(self):
        for picking in self:
            picking.shopify_admin_url = picking.sale_id.shopify_admin_url

    def _synco_attention_ids(self):
        """Deliveries with an open or failed job a person must look at, or a
        fulfillment link that needs attention."""
        self.env["synco.job"].flush_model()
        self.env["synco.fulfillment"].flush_model()
        return self._synco_query_ids(
            SQL(
                """
                SELECT res_id FROM synco_job
                 WHERE res_model = 'stock.picking' AND res_id IS NOT NULL AND %s
                UNION
                SELECT picking_id FROM synco_fulfillment
                 WHERE state = 'attention' AND picking_id IS NOT NULL
                """,
                ATTENTION_JOBS,
            )
        )

    def _synco_not_in_shopify_ids(self):
        """Deliveries of Shopify orders done in Odoo with no fulfillment link."""
        return self.search(
            [
                ("sale_id.shopify_order_id", "!=", False),
                ("picking_type_code", "in", SHIPPING_CODES),
                ("state", "=", "done"),
                ("synco_fulfillment_ids", "=", False),
            ]
        ).ids

    def action_synco_release_hold(self):
        """Queue the release, in Shopify, of the holds this delivery shows
        (synco_fulfillment_order.py releases them)."""
        self.ensure_one()
        self.env["synco.job"]._enqueue(
            self._synco_shop() or self.sale_id.synco_shop_id,
            "release_hold",
            record=self,
            dedupe_key=f"release:{self.id}:{self.shopify_hold_ids}",
            order_ref=self.sale_id.shopify_order_id,
        )
        return True

    # -- the door ---------------------------------------------------------------
    # Odoo calls these in the warehouse user's transaction: they only queue,
    # never call Shopify. What they read and write (the shop, its jobs, the
    # order's chatter) is the addon's bookkeeping, done as superuser:
    # warehouse staff validate and cancel deliveries without Shopify rights.

    def _action_done(self):
        res = super()._action_done()
        if not self.env.context.get("synco_from_shopify"):
            pickings = self.sudo()
            led = pickings._synco_by_direction()
            pickings.env["synco.push"]._enqueue(led[ODOO_TO_SHOPIFY])
            pickings._synco_left_open(led)
            pickings._synco_enqueue_return_process()  # synco_return_sync.py
            pickings._synco_enqueue_return_create()  # synco_return_odoo.py
            pickings._synco_enqueue_pickup_ready_after_step()  # synco_pickup.py
        return res

    def write(self, vals):
        res = super().write(vals)
        if {"carrier_tracking_ref", "carrier_id"} & vals.keys():
            pickings = self.sudo()
            pickings.env["synco.push"]._enqueue_tracking_update(pickings)
        return res

    def action_cancel(self):
        led = self.sudo()._synco_by_direction()
        backorders = led[ODOO_TO_SHOPIFY].filtered(
            lambda p: p.backorder_id and p.state != "cancel" and p._synco_shop()
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
        if not self.env.context.get("synco_from_shopify"):
            self.filtered(lambda p: p.state == "cancel").sudo()._synco_left_open(led)
        return res

    def send_to_shipper(self):
        """Never book a carrier label for goods a 3PL already shipped: a
        delivery validated from a Shopify fulfillment keeps Shopify's."""
        self.ensure_one()
        if self.env.context.get("synco_from_shopify") or self.synco_fulfillment_ids.filtered(
            lambda link: link.origin == "shopify"
        ):
            return None
        return super().send_to_shipper()

    def _synco_by_direction(self):
        """These pickings by who leads them, ``{ODOO_TO_SHOPIFY: pickings,
        SHOPIFY_TO_ODOO: pickings}``; those of no Shopify order, or of an
        unmapped warehouse of a hybrid shop, are in neither."""
        led = {ODOO_TO_SHOPIFY: self.browse(), SHOPIFY_TO_ODOO: self.browse()}
        for picking in self:
            direction = picking._synco_direction()
            if direction in led:
                led[direction] |= picking
        return led

    def _synco_left_open(self, led):
        """These pickings were done without a backorder for their rest ("No
        backorder", a type that never makes one) or cancelled: Shopify still
        expects those lines. Odoo-led, a job says so on the order;
        Shopify-led, a to-do names them, as Shopify may still ship them
        (both in synco_reopen.py)."""
        for sale in (led[ODOO_TO_SHOPIFY] & self).sale_id:
            self.env["synco.fulfillment"]._synco_flag_left_open(sale)
        for sale in (led[SHOPIFY_TO_ODOO] & self).sale_id:
            sale._synco_note_left_open()

    # -- jobs the services run for one picking (queue/registry.py) ---------------

    def _synco_job_push_fulfillment(self, job):
        return self.env["synco.push"]._push(self, job)

    def _synco_job_update_tracking(self, job):
        return self.env["synco.push"]._update_tracking(self, job)

    def _synco_job_release_hold(self, job):
        return self.env["synco.fulfillment.order"]._synco_release_holds(self, job)

    # -- shared helpers -----------------------------------------------------------

    def _synco_direction(self):
        """Who leads this picking of a Shopify order: ``ODOO_TO_SHOPIFY`` or
        ``SHOPIFY_TO_ODOO``, the shop's direction at the warehouse it ships
        for (``_synco_warehouse``); False for a picking of no Shopify order,
        or of a hybrid shop's unmapped warehouse (the addon leaves it be)."""
        self.ensure_one()
        sale = self.sale_id
        if not sale.shopify_order_id or not sale.synco_shop_id:
            return False
        return sale.synco_shop_id._direction_for(warehouse=self._synco_warehouse())

    def _synco_is_odoo_led(self):
        """A Shopify order's delivery or dropship that Odoo leads."""
        self.ensure_one()
        return bool(self._synco_shop()) and self._synco_direction() == ODOO_TO_SHOPIFY

    def _synco_shop(self):
        """The shop of a Shopify order's delivery or dropship, or an empty one."""
        self.ensure_one()
        if self.picking_type_code not in SHIPPING_CODES or not self.sale_id.shopify_order_id:
            return self.env["synco.shop"]
        return self.sale_id.synco_shop_id

    def _synco_warehouse(self):
        """The warehouse this delivery ships for: its operation type's, or
        for a dropship (whose type has none) the warehouse of its sale
        lines, which the import took from the Shopify location of their
        fulfillment order."""
        self.ensure_one()
        if self.picking_type_code == "dropship" and self.move_ids:
            return self.move_ids[0]._synco_warehouse()
        return self.picking_type_id.warehouse_id

    def _synco_post(self, body):
        """Note what went to or came from Shopify on the delivery and its order."""
        self.ensure_one()
        for record in (self, self.sale_id):
            if record:
                record.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _synco_log(self, body):
        """Log ``body`` on the delivery and its order as ``_message_log``
        logs a note on each (nobody notified, no recipients computed), in
        one create of both messages."""
        self.ensure_one()
        # The author's name and address only, not every column of the user
        # and the partner (the note is logged, nobody is notified).
        self.env.user.fetch(["partner_id"])
        author = self.env.user.partner_id
        author.fetch(["name", "email"])
        author_id, email_from = self._message_compute_author(author.id)
        common = {
            "author_id": author_id,
            "email_from": email_from,
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False],
            "message_type": "notification",
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "is_internal": True,
            "email_add_signature": False,
            "body": escape(body),
        }
        Message = self.env["mail.message"].sudo().with_context(clean_context(self.env.context))
        return Message.create(
            [
                dict(
                    common,
                    model=record._name,
                    res_id=record.id,
                    message_id=generate_tracking_message_id("message-notify"),
                )
                for record in (self, self.sale_id)
                if record
            ]
        )

    def _synco_location(self, shop):
        """The Shopify location of ``shop`` this delivery's warehouse maps to;
        a stop naming both when there is none."""
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

    def _synco_tracking_input(self):
        """The tracking Shopify gets for this delivery (push, tracking update,
        reconciliation); none for a local pickup, which the customer collects."""
        if self.sale_id.shopify_pickup:
            return None
        carrier = self.carrier_id
        company, known = carrier._synco_tracking_company() if carrier else (False, False)
        return tracking_input(
            self.carrier_tracking_ref, company, known, self.carrier_tracking_url or None
        )
