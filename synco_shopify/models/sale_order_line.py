from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_item_id = fields.Char(
        string="Shopify Line Item ID", copy=False, readonly=True, index="btree_not_null"
    )
