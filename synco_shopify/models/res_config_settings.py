from odoo import fields, models

from ..queue.policy import DEFAULT_MAX_ATTEMPTS
from ..shopify.const import MAX_WEBHOOK_BODY


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    synco_shop_count = fields.Integer(compute="_compute_synco_shop_count")
    synco_webhook_max_bytes = fields.Integer(
        string="Largest Webhook Body (bytes)",
        config_parameter="synco_shopify.webhook_max_bytes",
        default=MAX_WEBHOOK_BODY,
    )
    synco_job_max_attempts = fields.Integer(
        string="Attempts Before a Job Fails",
        config_parameter="synco_shopify.job_max_attempts",
        default=DEFAULT_MAX_ATTEMPTS,
    )
    synco_retention_days = fields.Integer(
        string="Keep History (days)",
        config_parameter="synco_shopify.retention_days",
        default=30,
    )

    def _compute_synco_shop_count(self):
        count = self.env["synco.shop"].search_count([])
        for settings in self:
            settings.synco_shop_count = count

    def action_synco_open_shops(self):
        return self.env["ir.actions.act_window"]._for_xml_id("synco_shopify.action_synco_shop")
