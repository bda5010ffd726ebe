import os
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged
from odoo.tools import config

from ..odoo_compat import USER_GROUPS
from .common import CLIENT_SECRET, SyncoCase


@tagged("post_install", "-at_install")
class TestSecrets(SyncoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Shopify Manager",
                "login": "synco_manager",
                USER_GROUPS: [
                    Command.set(
                        [
                            cls.env.ref("synco_shopify.group_synco_manager").id,
                            cls.env.ref("base.group_allow_export").id,
                        ]
                    )
                ],
            }
        )

    def _column(self, name):
        self.env.flush_all()
        self.env.cr.execute(f"SELECT {name} FROM synco_shop WHERE id = %s", [self.shop.id])
        return self.env.cr.fetchone()[0]

    def test_database_column_holds_no_secret_in_clear(self):
        stored = self._column("client_secret_encrypted")
        self.assertTrue(stored)
        self.assertNotIn(CLIENT_SECRET, stored)
        self.assertEqual(self.shop._read_secret("client_secret"), CLIENT_SECRET)

    def test_non_system_user_cannot_read_a_secret(self):
        shop = self.shop.with_user(self.manager)
        self.assertTrue(shop.client_secret_set)
        self.assertFalse(shop.read(["client_secret"])[0]["client_secret"])
        rows = shop.search_read([("id", "=", shop.id)], ["client_secret", "access_token"])
        self.assertNotIn(CLIENT_SECRET, str(rows))
        exported = shop.export_data(["client_secret"])["datas"]
        self.assertNotIn(CLIENT_SECRET, str(exported))
        with self.assertRaises(AccessError):
            shop.read(["client_secret_encrypted"])
        with self.assertRaises(AccessError):
            shop.export_data(["client_secret_encrypted"])

    def test_manager_can_replace_a_secret_without_seeing_it(self):
        self.shop.with_user(self.manager).client_secret = "rotated-secret"
        self.assertEqual(self.shop._read_secret("client_secret"), "rotated-secret")

    def test_previous_secret_verifies_webhooks_for_two_hours(self):
        self.shop.client_secret = "rotated-secret"
        self.assertEqual(self.shop._webhook_secrets(), ["rotated-secret", CLIENT_SECRET])
        later = fields.Datetime.now() + timedelta(hours=2, minutes=1)
        with patch.object(fields.Datetime, "now", return_value=later):
            self.assertEqual(self.shop._webhook_secrets(), ["rotated-secret"])

    def test_without_usable_key_no_secret_is_stored(self):
        with (
            patch.dict(config.options, {"synco_shopify_key": "not-a-key"}),
            self.assertRaisesRegex(UserError, "not a valid Fernet key"),
        ):
            self.shop.client_secret = "another"
        with (
            patch.dict(config.options, {"synco_shopify_key": "", "data_dir": "/proc/no-such-dir"}),
            patch.dict(os.environ, {"SYNCO_SHOPIFY_KEY": ""}),
            self.assertRaisesRegex(UserError, "synco_shopify_key"),
        ):
            self.shop.client_secret = "another"
        self.assertEqual(self.shop._read_secret("client_secret"), CLIENT_SECRET)

    def test_neutralize_blanks_secrets_and_deactivates_shops(self):
        queries = get_neutralization_queries(["synco_shopify"])
        for query in queries:
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self._column("client_secret_encrypted"))
        self.assertFalse(self.shop.with_context(active_test=False).active)

    def test_second_company_cannot_see_the_first_company_shop(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        other_manager = self.manager.copy(
            {
                "login": "synco_other",
                "company_id": other.id,
                "company_ids": [Command.set([other.id])],
            }
        )
        shops = self.env["synco.shop"].with_user(other_manager).search([])
        self.assertNotIn(self.shop, shops)
        with self.assertRaises(AccessError):
            self.shop.with_user(other_manager).read(["name"])
