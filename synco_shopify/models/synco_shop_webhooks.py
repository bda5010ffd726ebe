import logging
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..planning.webhooks import plan_webhook_subscriptions
from ..shopify import const, queries
from ..shopify.errors import ShopifyError
from .synco_shop import LOOPBACK_HOSTS

_logger = logging.getLogger(__name__)


class SyncoShopWebhooks(models.Model):
    """Where Shopify sends the webhooks, and subscribing the topics there."""

    _inherit = "synco.shop"

    webhook_message = fields.Text(readonly=True, copy=False)
    webhooks_registered_at = fields.Datetime(
        readonly=True,
        copy=False,
        help="When Register Webhooks last ran; from then on the subscriptions are checked "
        "hourly and at every Test Connection, and re-created when Shopify lost them.",
    )

    def _webhook_address(self):
        """Where Shopify must send webhooks, or a UserError when Shopify could
        not reach it (a sandbox on this machine can)."""
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        parts = urlsplit(base)
        if not self._is_sandbox() and (
            parts.scheme != "https" or (parts.hostname or "") in LOOPBACK_HOSTS
        ):
            raise UserError(
                self.env._(
                    "Shopify cannot reach %s: webhooks need a public HTTPS address. Set the "
                    "system parameter web.base.url to this Odoo's public https URL.",
                    base or "an empty web.base.url",
                )
            )
        return f"{base.rstrip('/')}{const.WEBHOOK_ROUTE}"

    def action_register_webhooks(self):
        """Subscribe each wanted topic once to this Odoo, fixing subscriptions
        that point elsewhere; running it twice changes nothing."""
        self.ensure_one()
        uri = self._webhook_address()
        try:
            plan = self._synco_subscribe(uri)
        except ShopifyError as exc:
            raise UserError(str(exc)) from None
        message = self.env._(
            "Webhooks at %(uri)s: %(created)s created, %(updated)s repointed, %(deleted)s "
            "duplicates removed, %(kept)s already in place.",
            uri=uri,
            created=len(plan.create),
            updated=len(plan.update),
            deleted=len(plan.delete),
            kept=len(plan.keep),
        )
        self.write({"webhook_message": message, "webhooks_registered_at": fields.Datetime.now()})
        return self._notify(message, "success")

    def _synco_subscribe(self, uri):
        """Make Shopify's subscriptions what the shop needs at ``uri``;
        returns the plan carried out (``planning.webhooks``)."""
        wanted = [const.WEBHOOK_TOPICS[topic] for topic in self._webhook_topics()]
        client = self._shopify_client()
        existing = list(
            client.paginate(
                queries.WEBHOOK_SUBSCRIPTIONS, {"first": 100}, ("webhookSubscriptions",)
            )
        )
        plan = plan_webhook_subscriptions(wanted, uri, existing)
        for topic in plan.create:
            client.mutate(
                queries.WEBHOOK_SUBSCRIPTION_CREATE,
                {"topic": topic, "webhookSubscription": {"uri": uri, "format": "JSON"}},
                "webhookSubscriptionCreate",
            )
        for sub_id, _topic in plan.update:
            client.mutate(
                queries.WEBHOOK_SUBSCRIPTION_UPDATE,
                {"id": sub_id, "webhookSubscription": {"uri": uri, "format": "JSON"}},
                "webhookSubscriptionUpdate",
            )
        for sub_id in plan.delete:
            client.mutate(
                queries.WEBHOOK_SUBSCRIPTION_DELETE, {"id": sub_id}, "webhookSubscriptionDelete"
            )
        return plan

    @api.model
    def _synco_cron_check_subscriptions(self):
        """About hourly: Shopify deletes subscriptions after repeated failed
        deliveries; put back what the registered shops need."""
        self.search(
            [
                ("state", "=", "connected"),
                ("pause_reason", "=", False),
                ("webhooks_registered_at", "!=", False),
            ]
        )._synco_check_subscriptions()

    def _synco_check_subscriptions(self):
        """Re-create the subscriptions Shopify lost (or that point at an
        old address) for shops whose webhooks were registered, saying so in
        the chatter. A failure is logged: the next check tries again."""
        for shop in self.filtered("webhooks_registered_at"):
            try:
                uri = shop._webhook_address()
                plan = shop._synco_subscribe(uri)
            except (ShopifyError, UserError) as exc:
                _logger.warning("shop %s: webhook subscription check failed: %s", shop.id, exc)
                continue
            fixed = list(plan.create) + [topic for _sub_id, topic in plan.update]
            if fixed:
                shop.message_post(
                    body=self.env._(
                        "Shopify no longer sent %(topics)s here: subscribed again at %(uri)s.",
                        topics=", ".join(fixed),
                        uri=uri,
                    )
                )
                _logger.info("shop %s: re-subscribed %s", shop.id, fixed)

    def _webhook_topics(self):
        """Every topic, less those of features whose scopes Shopify did not
        grant (it refuses such a subscription): they wait for the scopes."""
        returns = self._synco_has_scopes("returns")
        return [
            t
            for t in const.WEBHOOK_TOPICS
            if returns or not t.startswith(("returns/", "reverse_fulfillment_orders/"))
        ]
