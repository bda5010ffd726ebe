from odoo import Command
from odoo.tests import tagged

from .. import odoo_compat
from .common import SyncoHttpOrderCase


@tagged("post_install", "-at_install")
class TestUnits(SyncoHttpOrderCase):
    """A line sold by the dozen: Shopify counts dozens (the sale line's
    unit), Odoo's moves count the product's units. Both directions convert,
    and round so that no side shows more shipped than the other."""

    TOPICS = ("fulfillments/create", "fulfillments/update")

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.dozen = self.env.ref("uom.product_uom_dozen")

    def dozen_order(self, dozens):
        shopify = self.sandbox.create_order(
            email="wile@example.com",
            line_items=[{"sku": "ANVIL", "quantity": dozens, "location_id": self.loc_main["id"]}],
        )
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "warehouse_id": self.warehouse.id,
                "synco_shop_id": self.shop.id,
                "shopify_order_id": str(shopify["legacy_id"]),
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.anvil.id,
                            "product_uom_qty": dozens,
                            odoo_compat.SALE_LINE_UOM: self.dozen.id,
                            "shopify_line_item_id": str(shopify["line_items"][0]["legacy_id"]),
                        }
                    )
                ],
            }
        )
        sale.action_confirm()
        move = sale.picking_ids.move_ids
        self.assertEqual((move.product_uom, move.product_uom_qty), (self.anvil.uom_id, 12 * dozens))
        return shopify, sale

    def test_shopify_led_dozen_validates_twelve_units(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, sale = self.dozen_order(2)
        self.sandbox.fulfill(
            shopify["id"],
            line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": 1}],
            location_id=self.loc_main["id"],
        )
        self.deliver()
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(done.move_ids.quantity, 12)
        backorder = sale.picking_ids - done
        self.assertEqual(backorder.move_ids.product_uom_qty, 12)
        self.assertEqual(sale.order_line.qty_delivered, 1)

    def test_odoo_led_part_of_a_dozen_is_not_sent(self):
        self.shop.fulfillment_direction = "odoo_to_shopify"
        shopify, sale = self.dozen_order(2)
        self.validate(sale.picking_ids, {self.anvil: 18})  # a dozen and a half
        self.deliver()
        self.deliver()
        push = self.env["synco.job"].search([("job_type", "=", "push_fulfillment")])
        self.assertEqual(push.state, "done", push.last_error)
        order = self.shopify_order(shopify)
        (fulfillment,) = order["fulfillments"]
        self.assertEqual(fulfillment["line_items"][0]["quantity"], 1, "never more than shipped")
