from odoo.exceptions import UserError
from odoo.tests import tagged

from ..shopify.const import WEBHOOK_ROUTE, WEBHOOK_TOPICS
from .common import SyncoCase


@tagged("post_install", "-at_install")
class TestWebhookRegistration(SyncoCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://odoo.example.com")
        for sub in self.sandbox.subscriptions():
            self.sandbox.delete_subscription(sub["id"])

    def _ours(self):
        uri = f"https://odoo.example.com{WEBHOOK_ROUTE}"
        return [s for s in self.sandbox.subscriptions() if s["uri"] == uri]

    def test_registers_every_topic_once_and_twice_changes_nothing(self):
        self.shop.action_register_webhooks()
        first = self._ours()
        self.assertEqual(sorted(s["topic"] for s in first), sorted(WEBHOOK_TOPICS.values()))
        self.shop.action_register_webhooks()
        self.assertEqual(self._ours(), first)
        self.assertIn("0 created", self.shop.webhook_message)

    def test_subscription_pointing_elsewhere_is_repointed(self):
        stale = self.sandbox.create_subscription(
            topic="FULFILLMENTS_CREATE", uri=f"https://old-odoo.example.com{WEBHOOK_ROUTE}"
        )
        self.shop.action_register_webhooks()
        subs = {s["id"]: s for s in self.sandbox.subscriptions()}
        self.assertEqual(subs[stale["id"]]["uri"], f"https://odoo.example.com{WEBHOOK_ROUTE}")
        self.assertEqual(len(self._ours()), len(WEBHOOK_TOPICS))
        self.assertIn("1 repointed", self.shop.webhook_message)

    def test_unreachable_base_url_is_refused_for_a_real_store(self):
        self.shop.api_base_url = "https://acme-test.myshopify.com"
        for base in ("http://odoo.example.com", "https://localhost:8069"):
            self.env["ir.config_parameter"].sudo().set_param("web.base.url", base)
            with self.assertRaisesRegex(UserError, "public HTTPS address"):
                self.shop.action_register_webhooks()

    def test_sandbox_accepts_a_loopback_address(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://127.0.0.1:8069")
        self.shop.action_register_webhooks()
        uris = {s["uri"] for s in self.sandbox.subscriptions()}
        self.assertEqual(uris, {f"http://127.0.0.1:8069{WEBHOOK_ROUTE}"})
