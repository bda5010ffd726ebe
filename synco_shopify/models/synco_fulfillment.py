from odoo import api, fields, models

from ..odoo_compat import Constraint
from ..shopify.ids import legacy_id, to_gid
from ..shopify.tracking import first_tracking


class SyncoFulfillment(models.Model):
    """The link between an Odoo delivery and a Shopify fulfillment: which side
    made it, with what tracking, and whether Shopify has it. The push
    (synco_push.py) and the apply (synco_apply.py) make these links; when
    Shopify changes a linked fulfillment, the apply job updates it here."""

    _name = "synco.fulfillment"
    _inherit = "synco.shop.owned"
    _description = "Shopify Fulfillment Link"
    _order = "id desc"
    _rec_name = "shopify_fulfillment_id"

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
        return self.create(
            {
                "shop_id": shop.id,
                "sale_order_id": picking.sale_id.id,
                "picking_id": picking.id,
                "shopify_fulfillment_id": legacy_id(fulfillment["id"]),
                "origin": origin,
                **self._tracking_vals(fulfillment),
                "message": message,
            }
        )

    @api.model
    def _tracking_vals(self, fulfillment):
        """The link's tracking fields from what Shopify shows on ``fulfillment``."""
        info = first_tracking(fulfillment)
        return {
            "tracking_number": info.get("number"),
            "tracking_company": info.get("company"),
            "tracking_url": info.get("url"),
        }

    def _gid(self):
        self.ensure_one()
        return to_gid("Fulfillment", self.shopify_fulfillment_id)

    def action_open_in_shopify(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": self.shop_id._admin_url(f"orders/{self.sale_order_id.shopify_order_id}"),
            "target": "new",
        }

    # -- Shopify changed a linked fulfillment ----------------------------------

    def _synco_update_tracking(self, fulfillment):
        """fulfillments/update: bring the delivery's tracking in line."""
        self.ensure_one()
        vals = self._tracking_vals(fulfillment)
        number = vals["tracking_number"]
        if (self.tracking_number or False) == (number or False):
            return "already applied"
        self.write(vals)
        if self.origin == "shopify" and self.picking_id:
            self.picking_id.write({"carrier_tracking_ref": number})
        if self.picking_id:
            self.picking_id._synco_post(
                self.env._(
                    "Received from Shopify: tracking of fulfillment %(id)s is now %(number)s.",
                    id=self.shopify_fulfillment_id,
                    number=number or "-",
                )
            )
        return f"tracking updated to {number}"

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
