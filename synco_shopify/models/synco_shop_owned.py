from odoo import fields, models


class SyncoShopOwned(models.AbstractModel):
    """Belongs to a shop: the shop, and its company stored for the
    multi-company record rules (security/synco_security.xml). Deleting a
    shop deletes what belongs to it."""

    _name = "synco.shop.owned"
    _description = "Belongs to a Shopify Shop"

    shop_id = fields.Many2one("synco.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
