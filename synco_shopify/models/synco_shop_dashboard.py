from odoo import fields, models

from ..planning.launch import failures_table


class SyncoShopDashboard(models.Model):
    """What the shop form shows of the queue and the webhooks: counts, the
    last of each direction, failures by reason, and the lists behind them."""

    _inherit = "synco.shop"

    job_pending_count = fields.Integer(compute="_compute_monitoring")
    job_failed_count = fields.Integer(compute="_compute_monitoring")
    webhook_event_count = fields.Integer(compute="_compute_monitoring")
    last_webhook_at = fields.Datetime(compute="_compute_monitoring", string="Last Webhook")
    last_push_at = fields.Datetime(
        compute="_compute_dashboard",
        string="Last Sent to Shopify",
        help="When a delivery validated in Odoo last became a Shopify fulfillment.",
    )
    last_apply_at = fields.Datetime(
        compute="_compute_dashboard",
        string="Last Received from Shopify",
        help="When a Shopify fulfillment last validated an Odoo delivery.",
    )
    last_import_at = fields.Datetime(compute="_compute_dashboard", string="Last Order Import")
    failures_html = fields.Html(compute="_compute_dashboard", string="Failures by Reason")

    def _compute_monitoring(self):
        jobs = {
            (shop.id, state): count
            for shop, state, count in self.env["synco.job"]._read_group(
                [("shop_id", "in", self.ids), ("state", "in", ("pending", "running", "failed"))],
                ["shop_id", "state"],
                ["__count"],
            )
        }
        events = {
            shop.id: (count, last)
            for shop, count, last in self.env["synco.webhook.event"]._read_group(
                [("shop_id", "in", self.ids)], ["shop_id"], ["__count", "create_date:max"]
            )
        }
        for shop in self:
            shop.job_pending_count = jobs.get((shop.id, "pending"), 0) + jobs.get(
                (shop.id, "running"), 0
            )
            shop.job_failed_count = jobs.get((shop.id, "failed"), 0)
            shop.webhook_event_count, shop.last_webhook_at = events.get(shop.id, (0, False))

    def _compute_dashboard(self):
        Job = self.env["synco.job"]
        last = {
            (shop.id, job_type): at
            for shop, job_type, at in Job._read_group(
                [
                    ("shop_id", "in", self.ids),
                    ("state", "=", "done"),
                    ("job_type", "in", ("push_fulfillment", "apply_fulfillment", "import_order")),
                ],
                ["shop_id", "job_type"],
                ["finished_at:max"],
            )
        }
        failures = {}
        for shop, reason, count in Job._read_group(
            [("shop_id", "in", self.ids), ("state", "=", "failed")],
            ["shop_id", "last_error"],
            ["__count"],
        ):
            failures.setdefault(shop.id, []).append((reason, count))
        for shop in self:
            shop.last_push_at = last.get((shop.id, "push_fulfillment"), False)
            shop.last_apply_at = last.get((shop.id, "apply_fulfillment"), False)
            shop.last_import_at = last.get((shop.id, "import_order"), False)
            shop.failures_html = (
                failures_table(failures[shop.id], self.env._) if shop.id in failures else False
            )

    def _action_open(self, xmlid, domain, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(domain=domain, context=context or {})
        return action

    def action_open_jobs(self):
        self.ensure_one()
        state = self.env.context.get("synco_job_state")
        domain = [("shop_id", "=", self.id)]
        if state == "failed":
            domain.append(("state", "=", "failed"))
        elif state == "pending":
            domain.append(("state", "in", ("pending", "running")))
        return self._action_open("synco_shopify.action_synco_job", domain)

    def action_open_webhook_events(self):
        self.ensure_one()
        return self._action_open(
            "synco_shopify.action_synco_webhook_event", [("shop_id", "=", self.id)]
        )
