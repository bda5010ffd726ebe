from odoo import api, fields, models
from odoo.exceptions import UserError

from ..planning import golive
from ..shopify.const import TRACKING_COMPANIES


class SyncoShopGolive(models.Model):
    """The guided go-live: which step a shop is at, computed from facts
    (connected, every active location mapped, carriers named, webhooks
    registered at this Odoo's address, the open orders imported, the launch
    checks passed), so the guide never disagrees with the shop."""

    _inherit = "synco.shop"

    golive_step = fields.Selection(
        golive.STEPS, string="Go-Live Step", compute="_compute_golive_step"
    )
    golive_todo = fields.Char(string="What Is Missing", compute="_compute_golive_step")
    webhooks_uri = fields.Char(
        string="Webhooks Address",
        readonly=True,
        copy=False,
        help="The address Register Webhooks last subscribed the topics to.",
    )
    launch_checks_passed_at = fields.Datetime(
        string="Launch Checks Passed",
        readonly=True,
        copy=False,
        help="When the launch checks last ran with every check passed.",
    )
    open_orders_import_ids = fields.One2many(
        "synco.open.orders.import", "shop_id", string="Open Orders Imports"
    )

    @api.depends(
        "state",
        "connection_message",
        "location_map_ids.warehouse_id",
        "location_map_ids.active",
        "webhooks_uri",
        "launch_checks_passed_at",
        "open_orders_import_ids",
    )
    def _compute_golive_step(self):
        for shop in self:
            step, todo = golive.golive_step(shop._golive_facts())
            shop.golive_step = step
            shop.golive_todo = todo.render(self.env._) if todo else False

    def _golive_facts(self):
        self.ensure_one()
        maps = self.location_map_ids.filtered("active")
        try:
            address = self._webhook_address() if self.id else None
        except UserError:
            address = None
        last_run = self.open_orders_import_ids[:1]
        return {
            "connected": self.state == "connected",
            "connection_error": self.state == "error" and self.connection_message,
            "locations": maps.mapped("name"),
            "unmapped": maps.filtered(lambda m: not m.warehouse_id).mapped("name"),
            "carriers": self._golive_unnamed_carriers().mapped("name"),
            "webhooks": bool(self.webhooks_uri) and self.webhooks_uri == address,
            "webhooks_moved": bool(self.webhooks_uri),
            "orders": last_run.state if last_run.listed_at else None,
            "orders_summary": last_run.summary,
            "launch_ok": bool(self.launch_checks_passed_at),
        }

    def _golive_unnamed_carriers(self):
        """The company's carriers Shopify would not know by name."""
        generic = self.env.ref("synco_shopify.delivery_carrier_shopify", raise_if_not_found=False)
        carriers = self.env["delivery.carrier"].search(
            [
                ("company_id", "in", [self.company_id.id, False]),
                ("shopify_tracking_company", "=", False),
                ("name", "not in", list(TRACKING_COMPANIES)),
            ]
        )
        return carriers - (generic or carriers.browse())

    def action_register_webhooks(self):
        result = super().action_register_webhooks()
        self.webhooks_uri = self._webhook_address()
        return result

    def action_import_open_orders(self):
        """The open-orders import: the one running, else a new one."""
        self.ensure_one()
        running = self.open_orders_import_ids.filtered(lambda r: r.state == "running")[:1]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Open Orders"),
            "res_model": "synco.open.orders.import",
            "res_id": running.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_shop_id": self.id},
        }

    def action_golive_carriers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "delivery.action_delivery_carrier_form"
        )
        carriers = self._golive_unnamed_carriers()
        if carriers:
            action["domain"] = [("id", "in", carriers.ids)]
        return action
