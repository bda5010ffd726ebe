import os
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import api, fields, http, models
from odoo.exceptions import UserError
from odoo.tools import config

from ..planning import launch, serving
from ..shopify import const, queries, vault
from ..shopify.errors import ShopifyError

RECENT_ORDERS = timedelta(days=30)
FAILING_FOR = timedelta(days=1)


class SyncoLaunchCheckWizard(models.TransientModel):
    """The launch checks of a shop, safe on a live store: Shopify is only
    queried and nothing in Odoo but this wizard is written."""

    _name = "synco.launch.check.wizard"
    _description = "Shopify Launch Checks"

    shop_id = fields.Many2one("synco.shop", required=True, ondelete="cascade", readonly=True)
    result_html = fields.Html(string="Checks", readonly=True, sanitize=True)
    passed_count = fields.Integer(readonly=True)
    failed_count = fields.Integer(readonly=True)

    def action_run(self):
        """Run the checks again and show them."""
        self.ensure_one()
        checks = self._run_checks()
        failed = [check for check in checks if not check.ok]
        self.write(
            {
                "result_html": launch.checks_table(checks, self.env._),
                "passed_count": len(checks) - len(failed),
                "failed_count": len(failed),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Launch Checks: %s", self.shop_id.name),
        }

    def _run_checks(self):
        """The checks, their label and message in the reader's language."""
        checks = [*launch.launch_checks(self._gather_facts()), self._server_check()]
        return [check.rendered(self.env._) for check in checks]

    def _server_check(self):
        """The running server's settings against what webhooks need."""
        cron = config["max_cron_threads"]
        maxconn = config["db_maxconn"]
        self.env.cr.execute(
            "SELECT current_setting('max_connections')::int,"
            " current_setting('superuser_reserved_connections')::int"
        )
        pg_max, pg_reserved = self.env.cr.fetchone()
        try:
            address = urlsplit(self.shop_id._webhook_address())
        except UserError:
            address = None  # the webhooks check says why
        return serving.check_server(
            {
                "workers": config["workers"],
                "cron_threads": cron,
                "db_maxconn": maxconn,
                "http_threads": serving.http_threads(
                    os.environ.get(serving.THREADS_ENV), maxconn, cron
                ),
                "pg_max_connections": pg_max,
                "pg_reserved": pg_reserved,
                "proxy_mode": config["proxy_mode"],
                "https": bool(address and address.scheme == "https"),
                "dbname": self.env.cr.dbname,
                # What Odoo does with a request that carries no session.
                "webhook_dbs": http.db_list(force=True, host=address.netloc) if address else None,
            }
        )

    def _gather_facts(self):
        shop = self.shop_id
        facts = {
            "shop_domain": shop.shop_domain,
            "required_scopes": shop._required_scopes(),
            "company": shop.company_id.name,
            "per_location": shop.fulfillment_direction == const.PER_LOCATION,
            "mappings": {
                m.shopify_location_id: {
                    "warehouse": m.warehouse_id.name,
                    "company": m.warehouse_id.company_id.name,
                    "direction": m.direction,
                }
                for m in shop.location_map_ids
            },
            "webhook_topics": [const.WEBHOOK_TOPICS[t] for t in shop._webhook_topics()],
            "unmapped_carriers": self._unmapped_carriers(),
            "cron_active": self._cron_active(),
            "failed_jobs": self._old_failures(),
            "fulfillment_service": shop._synco_fsvc_launch_facts(),
        }
        facts.update(self._key_facts())
        try:
            facts["webhook_address"] = shop._webhook_address()
        except UserError as exc:
            facts["webhook_address_error"] = str(exc)
        facts.update(self._shopify_facts())
        return facts

    def _shopify_facts(self):
        """What Shopify says, through queries only."""
        shop = self.shop_id
        client, verdict, _data = shop._check_connection()
        if client is None:
            return {"connection": verdict}
        try:
            locations = client.paginate(queries.LOCATIONS, {"first": 100}, ("locations",))
            return {
                "connection": verdict,
                "locations": [
                    {"id": node["legacyResourceId"], "name": node["name"]}
                    for node in locations
                    if node["isActive"]
                ],
                "subscriptions": list(
                    client.paginate(
                        queries.WEBHOOK_SUBSCRIPTIONS, {"first": 100}, ("webhookSubscriptions",)
                    )
                ),
            }
        except (ShopifyError, UserError) as exc:
            return {"connection": shop._connection_failed(exc)}

    def _key_facts(self):
        try:
            _fernet, source = self.env["synco.shop"]._vault_load()
        except vault.VaultError as exc:
            return {"key_error": str(exc)}
        return {"key_source": source}

    def _unmapped_carriers(self):
        orders = self.env["sale.order"].search(
            [
                ("synco_shop_id", "=", self.shop_id.id),
                ("create_date", ">=", fields.Datetime.now() - RECENT_ORDERS),
            ]
        )
        carriers = orders.carrier_id | orders.picking_ids.carrier_id
        return carriers.filtered(lambda c: not c.shopify_tracking_company).mapped("name")

    def _cron_active(self):
        cron = self.env.ref("synco_shopify.ir_cron_synco_jobs", raise_if_not_found=False)
        return bool(cron and cron.sudo().active)

    def _old_failures(self):
        jobs = self.env["synco.job"].search(
            [
                ("shop_id", "=", self.shop_id.id),
                ("state", "=", "failed"),
                ("finished_at", "<", fields.Datetime.now() - FAILING_FOR),
            ],
            order="finished_at",
        )
        return [{"id": j.id, "name": j.display_name, "error": j.last_error or ""} for j in jobs]

    @api.model
    def _open_for(self, shop):
        return self.create({"shop_id": shop.id}).action_run()
