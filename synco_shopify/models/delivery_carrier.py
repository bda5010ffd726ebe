from odoo import api, fields, models

from ..shopify.const import TRACKING_COMPANIES


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    shopify_tracking_company = fields.Char(
        help="Shopify's exact company name (case matters), e.g. UPS or DHL Express. With a "
        "name Shopify knows, Shopify builds the tracking link itself; when empty, the "
        "carrier's name is sent together with Odoo's tracking URL.",
    )
    shopify_tracking_company_known = fields.Selection(
        [(name, name) for name in TRACKING_COMPANIES],
        string="Known Shopify Company",
        compute="_compute_shopify_tracking_company_known",
        inverse="_inverse_shopify_tracking_company_known",
        help="Pick one of the names Shopify knows to fill in the tracking company.",
    )

    @api.depends("shopify_tracking_company")
    def _compute_shopify_tracking_company_known(self):
        for carrier in self:
            name = carrier.shopify_tracking_company
            carrier.shopify_tracking_company_known = name if name in TRACKING_COMPANIES else False

    def _inverse_shopify_tracking_company_known(self):
        for carrier in self.filtered("shopify_tracking_company_known"):
            carrier.shopify_tracking_company = carrier.shopify_tracking_company_known

    @api.model
    def _synco_from_tracking_company(self, company, owner=None):
        """The carrier Shopify's tracking company stands for: by its Shopify
        name first, then by the carrier's own name; among the carriers of
        ``owner`` (a res.company, the job's by default) and shared ones."""
        if not company:
            return self.browse()
        # Only the delivery's company's carriers (and shared ones): never another's.
        own = [("company_id", "in", [(owner or self.env.company).id, False])]
        return self.search(
            [("shopify_tracking_company", "=", company), *own], limit=1, order="company_id, id"
        ) or self.search([("name", "=ilike", company), *own], limit=1, order="company_id, id")

    def _synco_tracking_company(self):
        """The company name to send to Shopify, and whether Shopify knows it
        (so that the caller adds the tracking URL when it does not)."""
        self.ensure_one()
        name = self.shopify_tracking_company or self.name
        return name, name in TRACKING_COMPANIES
