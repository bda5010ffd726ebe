import logging

from odoo import fields, models
from odoo.exceptions import UserError

from ..planning import connection, notes
from ..queue import policy
from ..shopify import const, queries
from ..shopify.errors import ShopifyError

_logger = logging.getLogger(__name__)


class SyncoShopConnection(models.Model):
    """Whether the credentials work: the Test Connection button and the
    launch checks, both from one check (``planning.connection``)."""

    _inherit = "synco.shop"

    shopify_shop_name = fields.Char(string="Store Name", readonly=True, copy=False)
    granted_scopes = fields.Char(readonly=True, copy=False)
    connection_message = fields.Text(readonly=True, copy=False)
    last_connection_at = fields.Datetime(readonly=True, copy=False)

    def action_launch_checks(self):
        self.ensure_one()
        return self.env["synco.launch.check.wizard"]._open_for(self)

    def action_test_connection(self):
        """Ask Shopify for the store and the granted scopes, and record the
        verdict on the shop; every failure says what to fix."""
        self.ensure_one()
        _client, verdict, data = self._check_connection()
        problems = [notes.render(problem, self.env._) for problem in verdict.problems]
        waiting = [notes.render(verdict.waiting, self.env._)] if verdict.waiting else []
        shop_data = data.get("shop") or {}
        vals = {
            "last_connection_at": fields.Datetime.now(),
            "state": "error" if problems else "connected",
            "connection_message": "\n".join(problems)
            or "\n".join(
                [
                    self.env._(
                        "Connected to %(name)s (%(domain)s), API %(version)s.",
                        name=shop_data.get("name"),
                        domain=shop_data.get("myshopifyDomain"),
                        version=self.api_version,
                    ),
                    *waiting,
                ]
            ),
        }
        if shop_data:
            vals["shopify_shop_name"] = shop_data.get("name")
        if verdict.granted is not None:
            vals["granted_scopes"] = ",".join(sorted(verdict.granted))
        self.write(vals)
        _logger.info("shop %s: connection test %s", self.id, vals["state"])
        if not problems:
            # New credentials work, or Shopify is back: the waiting jobs run.
            self._synco_resume(self.env._("Test Connection succeeded"))
            self._synco_check_subscriptions()
        level = "danger" if problems else ("warning" if waiting else "success")
        return self._notify(vals["connection_message"], level)

    def _check_connection(self):
        """``(client, verdict, data)``: Shopify's answer to the SHOP query
        and the verdict on it (``planning.connection``), the one check of
        the credentials that the button and the launch checks share; the
        client is None when Shopify could not be asked."""
        self.ensure_one()
        try:
            client = self._shopify_client()
            data = client.execute(queries.SHOP)
        except (ShopifyError, UserError) as exc:
            return None, self._connection_failed(exc), {}
        verdict = connection.verify(
            data,
            self.shop_domain,
            self.api_version,
            self._required_scopes(),
            getattr(client, "served_api_version", None),
            {self.env._("Returns"): const.REQUIRED_SCOPES["returns"]},
        )
        return client, verdict, data

    def _connection_failed(self, exc):
        """The verdict when a read of Shopify raised ``exc``."""
        unreachable = isinstance(exc, ShopifyError) and exc.code in ("connection", "timeout")
        if policy.pause_reason(exc) == "credentials":
            self._synco_pause("credentials", str(exc))
        return connection.failed(str(exc), self.api_base_url if unreachable else None)

    def _synco_has_scopes(self, feature):
        """Whether Shopify granted the scopes ``feature`` needs
        (``const.REQUIRED_SCOPES``; a write scope implies its read scope).
        Before any connection test nobody knows: the feature is tried."""
        self.ensure_one()
        granted = set((self.granted_scopes or "").split(",")) - {""}
        return not granted or all(
            scope in granted or scope.replace("read_", "write_", 1) in granted
            for scope in const.REQUIRED_SCOPES[feature]
        )

    def _required_scopes(self):
        return list(const.REQUIRED_SCOPES["fulfillment"])
