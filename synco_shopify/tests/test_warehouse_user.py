from odoo.tests import tagged

from ..odoo_compat import USER_GROUPS
from .common import SyncoOrderCase


@tagged("post_install", "-at_install")
class TestWarehouseUser(SyncoOrderCase):
    """Warehouse staff work as they always do: a user of Inventory who is in
    no Shopify group validates, re-tracks and cancels Shopify deliveries,
    and the addon's work is queued all the same."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls.env["res.users"].create(
            {
                "name": "Warehouse Clerk",
                "login": "synco-clerk",
                "email": "clerk@example.com",
                "company_id": cls.shop.company_id.id,
                "company_ids": [(6, 0, cls.shop.company_id.ids)],
                USER_GROUPS: [(6, 0, cls.env.ref("stock.group_stock_user").ids)],
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.assertFalse(self.clerk.has_group("synco_shopify.group_synco_user"))

    def test_odoo_led_validate_and_retrack_as_a_warehouse_user(self):
        self.shop.fulfillment_direction = "odoo_to_shopify"
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        picking = sale.picking_ids.with_user(self.clerk)
        backorder = self.validate(picking, {self.anvil: 2}, tracking="CLERK-1")
        self.run_jobs()
        (fulfillment,) = self.shopify_order(shopify)["fulfillments"]
        self.assertEqual(fulfillment["tracking"][0]["number"], "CLERK-1")
        picking.carrier_tracking_ref = "CLERK-2"
        self.run_jobs()
        (fulfillment,) = self.shopify_order(shopify)["fulfillments"]
        self.assertEqual(fulfillment["tracking"][0]["number"], "CLERK-2")
        backorder.with_user(self.clerk).action_cancel()
        self.assertEqual(backorder.state, "cancel")
        self.run_jobs()
        self.assertEqual(sale.synco_state, "attention")  # Shopify keeps the third open

    def test_shopify_led_cancel_as_a_warehouse_user(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        _shopify, sale = self.order((self.anvil, 1, self.loc_main))
        sale.picking_ids.with_user(self.clerk).action_cancel()
        self.assertEqual(sale.picking_ids.state, "cancel")
        # Shopify may still ship it: the order's to-do names the line.
        (todo,) = sale.activity_ids
        self.assertIn(sale.order_line.shopify_line_item_id, str(todo.note))
