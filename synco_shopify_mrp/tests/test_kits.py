from odoo import Command
from odoo.addons.synco_shopify.shopify import queries
from odoo.addons.synco_shopify.tests.common import SyncoHttpOrderCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestKits(SyncoHttpOrderCase):
    """A kit (phantom bill of materials: 1 frame and 2 wheels) is one Shopify
    line item and one move per component in Odoo: both directions count
    kits."""

    TOPICS = ("fulfillments/create", "fulfillments/update")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox.add_product("Rocket Kit", sku="KIT")
        cls.kit = cls.env["product.product"].create(
            {"name": "Rocket Kit", "default_code": "KIT", "type": "consu"}
        )
        cls._skus[cls.kit] = "KIT"
        cls.frame = cls._product("Frame", "FRAME")
        cls.wheel = cls._product("Wheel", "WHEEL")
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.kit.product_tmpl_id.id,
                "type": "phantom",
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": cls.frame.id, "product_qty": 1}),
                    Command.create({"product_id": cls.wheel.id, "product_qty": 2}),
                ],
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()

    def components(self, pickings):
        return {
            move.product_id: move.quantity if move.state == "done" else move.product_uom_qty
            for move in pickings.move_ids
            if move.product_id in (self.frame, self.wheel)
        }

    def ship_kits(self, shopify, kits, location=None):
        return self.sandbox.fulfill(
            shopify["id"],
            line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": kits}],
            tracking={"company": "UPS", "number": "1ZKIT"},
            location_id=(location or self.loc_main)["id"],
        )

    def test_shopify_led_validates_each_component_for_the_kits_shipped(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, sale = self.order((self.kit, 2, self.loc_main), (self.anvil, 1, self.loc_main))
        self.assertEqual(self.components(sale.picking_ids), {self.frame: 2, self.wheel: 4})
        self.ship_kits(shopify, 1)
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(job.state, "done", job.last_error)
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(self.components(done), {self.frame: 1, self.wheel: 2})
        backorder = sale.picking_ids - done
        self.assertEqual(self.components(backorder), {self.frame: 1, self.wheel: 2})
        kit_line = sale.order_line.filtered(lambda line: line.product_id == self.kit)
        self.assertEqual(kit_line.qty_delivered, 1)
        self.ship_kits(shopify, 1)
        self.deliver()
        self.assertEqual(len(sale.picking_ids.filtered(lambda p: p.state == "done")), 2)
        self.assertEqual(kit_line.qty_delivered, 2)

    def test_shopify_led_more_kits_than_open_stops(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, sale = self.order((self.kit, 2, self.loc_main))
        wheels = sale.picking_ids.move_ids.filtered(lambda m: m.product_id == self.wheel)
        wheels.product_uom_qty = 2  # Odoo holds wheels for one kit only
        self.ship_kits(shopify, 2)
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(job.state, "failed")
        self.assertIn("2 fulfilled in Shopify but only 1 open", job.last_error)
        self.assertEqual(sale.picking_ids.state, "assigned", "nothing moved")

    def test_odoo_led_pushes_complete_kits_and_the_partial_one_later(self):
        self.shop.fulfillment_direction = "odoo_to_shopify"
        shopify, sale = self.order((self.kit, 2, self.loc_main))
        # Wheels for one and a half kits leave first.
        backorder = self.validate(sale.picking_ids, {self.frame: 2, self.wheel: 3})
        self.deliver()
        self.deliver()
        push = self.env["synco.job"].search([("job_type", "=", "push_fulfillment")])
        self.assertEqual(push.state, "done", push.last_error)
        order = self.shopify_order(shopify)
        self.assertEqual([f["line_items"][0]["quantity"] for f in order["fulfillments"]], [1])
        self.validate(backorder)  # the last wheel completes the second kit
        self.deliver()
        self.deliver()
        order = self.shopify_order(shopify)
        self.assertEqual([f["line_items"][0]["quantity"] for f in order["fulfillments"]], [1, 1])
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")

    def test_shopify_led_kit_shipped_from_another_warehouse(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        shopify, sale = self.order((self.kit, 2, self.loc_main))
        self.shop._shopify_client().mutate(
            queries.FULFILLMENT_ORDER_MOVE,
            {"id": shopify["fulfillment_orders"][0]["id"], "newLocationId": self.loc_east["id"]},
            "fulfillmentOrderMove",
        )
        self.ship_kits(shopify, 1, location=self.loc_east)
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(job.state, "done", job.last_error)
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(done.picking_type_id.warehouse_id, self.warehouse_east)
        self.assertEqual(self.components(done), {self.frame: 1, self.wheel: 2})
        planned = sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(self.components(planned), {self.frame: 1, self.wheel: 2})
