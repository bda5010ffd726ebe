from odoo import api, fields, models


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

    _sql_constraints = [
        (
            "fulfillment_uniq",
            "unique(shop_id, shopify_fulfillment_id)",
            "A Shopify fulfillment is linked once.",
        ),
    ]

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
        order = self.sale_order_id
        return {
            "type": "ir.actions.act_url",
            "url": f"https://{self.shop_id.shop_domain}/admin/orders/{order.shopify_order_id}",
            "target": "new",
        }
