from odoo import api, fields, models
from odoo.tools import SQL

from ..queue.status import SYNC_STATES, sync_state

# The operation types whose validation hands goods to the customer: a
# delivery from a warehouse and, with stock_dropshipping, a vendor's
# dropship (its code is only a selection value that module adds).
SHIPPING_CODES = ("outgoing", "dropship")


class StockPicking(models.Model):
    """What a delivery shows of Shopify. The Odoo-led push is in
    synco_push.py, the Shopify-led apply in synco_apply.py."""

    _inherit = "stock.picking"

    synco_fulfillment_ids = fields.One2many(
        "synco.fulfillment", "picking_id", string="Shopify Fulfillments", readonly=True
    )

    synco_state = fields.Selection(
        SYNC_STATES, compute="_compute_synco_state", string="Shopify Status"
    )
    shopify_admin_url = fields.Char(compute="_compute_shopify_admin_url", string="Shopify Admin")
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

    def action_open_in_shopify(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.shopify_admin_url, "target": "new"}

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

    def send_to_shipper(self):
        """Never book a carrier label for goods a 3PL already shipped: a
        delivery validated from a Shopify fulfillment keeps Shopify's."""
        self.ensure_one()
        if self.env.context.get("synco_from_shopify") or self.synco_fulfillment_ids.filtered(
            lambda link: link.origin == "shopify"
        ):
            return None
        return super().send_to_shipper()

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
