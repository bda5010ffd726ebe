from odoo.tests import tagged

from ..shopify import queries
from ..shopify.const import REQUIRED_SCOPES
from .common import ACCESS_TOKEN, SyncoCase


@tagged("post_install", "-at_install")
class TestShopConnection(SyncoCase):
    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.sandbox.config(
            scopes=[*REQUIRED_SCOPES["fulfillment"]],
            api_versions=None,
            domain=self.shop.shop_domain,
        )

    def test_models_load_and_reach_the_sandbox(self):
        data = self.shop._shopify_client().execute(queries.SHOP)
        self.assertEqual(data["shop"]["myshopifyDomain"], self.shop.shop_domain)

    def test_connection_success_records_store_and_scopes(self):
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "connected")
        self.assertEqual(self.shop.shopify_shop_name, "Acme Test")
        self.assertIn("write_merchant_managed_fulfillment_orders", self.shop.granted_scopes)
        self.assertTrue(self.shop.last_connection_at)

    def test_bad_credentials_give_error_state_and_actionable_message(self):
        self.shop.client_secret = "not-the-secret"
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "error")
        self.assertIn("client ID", self.shop.connection_message)
        self.assertNotIn("not-the-secret", self.shop.connection_message)

    def test_missing_scopes_are_named_each(self):
        granted = [s for s in REQUIRED_SCOPES["fulfillment"] if "fulfillment" not in s]
        self.sandbox.config(scopes=granted)
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "error")
        for scope in REQUIRED_SCOPES["fulfillment"]:
            if scope not in granted:
                self.assertIn(scope, self.shop.connection_message)

    def test_other_store_domain_is_refused(self):
        self.sandbox.config(domain="someone-else.myshopify.com")
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "error")
        self.assertIn("someone-else.myshopify.com", self.shop.connection_message)

    def test_retired_api_version_is_named(self):
        self.sandbox.config(api_versions=["2026-07", "2026-10"])
        self.shop.api_version = "2026-01"
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "error")
        self.assertIn("2026-01", self.shop.connection_message)
        self.assertIn("newer version", self.shop.connection_message)

    def test_forbidden_answer_gives_error_state(self):
        # The grant succeeds; the store then refuses the token itself.
        self.sandbox.fault("http_403", count=5)
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "error")
        self.assertIn("403", self.shop.connection_message)

    def test_unreachable_host_gives_error_state(self):
        self.shop.api_base_url = "http://127.0.0.1:9"
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "error")
        self.assertIn("127.0.0.1:9", self.shop.connection_message)

    def test_legacy_access_token_auth(self):
        self.shop.write({"auth_method": "access_token", "access_token": ACCESS_TOKEN})
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "connected", self.shop.connection_message)
