from odoo.tests import tagged

from .. import odoo_compat
from .common import SyncoCase

CONSTRAINTS = {
    "synco_shop_shop_domain_uniq": "UNIQUE (shop_domain)",
    "synco_location_map_location_uniq": "UNIQUE (shop_id, shopify_location_id)",
    "synco_location_map_warehouse_uniq": "UNIQUE (shop_id, warehouse_id)",
    "synco_fulfillment_fulfillment_uniq": "UNIQUE (shop_id, shopify_fulfillment_id)",
    "synco_webhook_event_webhook_uniq": "UNIQUE (shop_id, webhook_id)",
    "sale_order_synco_shopify_order_uniq": "UNIQUE (synco_shop_id, shopify_order_id)",
}


@tagged("post_install", "-at_install")
class TestOdooCompat(SyncoCase):
    """What odoo_compat declares once for Odoo 18 and 19 exists on the
    version this runs on: 19 silently drops `_sql_constraints`, and security
    XML written for one version does not load on the other."""

    def test_unique_constraints_exist_in_the_database(self):
        self.env.cr.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conname IN %s",
            [tuple(CONSTRAINTS)],
        )
        self.assertEqual(dict(self.env.cr.fetchall()), CONSTRAINTS)

    def test_groups_have_a_heading_and_the_administrator_manages(self):
        category = self.env.ref("synco_shopify.module_category_synco")
        user = self.env.ref("synco_shopify.group_synco_user")
        manager = self.env.ref("synco_shopify.group_synco_manager")
        for group in (user, manager):
            if odoo_compat.ODOO_VERSION >= 19:
                self.assertEqual(group.privilege_id.category_id, category)
            else:
                self.assertEqual(group.category_id, category)
        self.assertIn(self.env.ref("base.user_admin"), manager[odoo_compat.GROUP_USERS])
        self.assertTrue(self.env.ref("base.user_admin").has_group("synco_shopify.group_synco_user"))
