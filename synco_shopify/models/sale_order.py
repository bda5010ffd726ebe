from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    synco_shop_id = fields.Many2one(
        "synco.shop", string="Shopify Shop", index="btree_not_null", copy=False, readonly=True
    )
    shopify_order_id = fields.Char(
        string="Shopify Order ID", copy=False, readonly=True, help="Numeric id, as text."
    )
    synco_fulfillment_ids = fields.One2many(
        "synco.fulfillment", "sale_order_id", string="Shopify Fulfillments", readonly=True
    )

    _sql_constraints = [
        (
            "synco_shopify_order_uniq",
            "unique(synco_shop_id, shopify_order_id)",
            "This Shopify order is already in Odoo.",
        ),
    ]
