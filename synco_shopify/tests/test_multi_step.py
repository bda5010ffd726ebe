from odoo.tests import tagged

from ..shopify import queries
from .common import SyncoShopifyLedCase


@tagged("post_install", "-at_install")
class TestMultiStep(SyncoShopifyLedCase):
    """Warehouses that deliver in two or three steps (pick + ship, pick +
    pack + ship): Shopify-led, what shipped goes through every step and the
    rest waits on backorders at each step; Odoo-led pushes the last step."""

    def ship(self, shopify, items, location=None, number="1ZSTEPS"):
        return self.sandbox.fulfill(
            shopify["id"],
            line_items=[
                {"line_item_id": shopify["line_items"][index]["id"], "quantity": qty}
                for index, qty in items
            ],
            tracking={"company": "UPS", "number": number},
            location_id=(location or self.loc_main)["id"],
        )

    def of_type(self, sale, picking_type, states=None):
        return sale.picking_ids.filtered(
            lambda p: p.picking_type_id == picking_type and (not states or p.state in states)
        )

    def open_pickings(self, sale):
        return sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

    def test_pick_ship_partial_ships_through_both_steps(self):
        self.warehouse.delivery_steps = "pick_ship"
        shopify, sale = self.order((self.anvil, 3, self.loc_main), (self.skates, 1, self.loc_main))
        self.assertEqual(sale.picking_ids.picking_type_id, self.warehouse.pick_type_id)
        before = self.on_hand(self.anvil)
        self.ship(shopify, [(0, 2)])
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(job.state, "done", job.last_error)
        done_out = self.of_type(sale, self.warehouse.out_type_id, ("done",))
        self.assertEqual(len(done_out), 1)
        self.assertEqual(done_out.move_ids.quantity, 2)
        self.assertEqual(done_out.carrier_tracking_ref, "1ZSTEPS")
        self.assertEqual(done_out.synco_fulfillment_ids.origin, "shopify")
        done_pick = self.of_type(sale, self.warehouse.pick_type_id, ("done",))
        self.assertEqual(done_pick.move_ids.filtered("quantity").quantity, 2)
        # What did not ship waits on the pick backorder; no open delivery holds
        # a shipped unit.
        open_ = self.open_pickings(sale)
        self.assertEqual(open_.picking_type_id, self.warehouse.pick_type_id)
        self.assertEqual(
            sorted(open_.move_ids.mapped("product_uom_qty")), [1.0, 1.0], "1 anvil, 1 skates"
        )
        self.assertEqual(self.on_hand(self.anvil), before - 2)
        self.assertEqual(sale.order_line[0].qty_delivered, 2)
        self.ship(shopify, [(0, 1), (1, 1)], number="2ND")
        self.deliver()
        self.assertFalse(self.open_pickings(sale))
        self.assertEqual(sale.order_line.mapped("qty_delivered"), [3.0, 1.0])
        self.assertEqual(len(sale.synco_fulfillment_ids), 2)

    def test_pick_pack_ship_keeps_reserved_lots_and_what_was_already_picked(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        self.sandbox.add_product("Dynamite", sku="DYNAMITE")
        dynamite = self.env["product.product"].create(
            {"name": "Dynamite", "default_code": "DYNAMITE", "is_storable": True, "tracking": "lot"}
        )
        self._skus[dynamite] = "DYNAMITE"
        lot = self.env["stock.lot"].create({"name": "LOT-9", "product_id": dynamite.id})
        self.env["stock.quant"]._update_available_quantity(
            dynamite, self.warehouse.lot_stock_id, 10, lot_id=lot
        )
        shopify, sale = self.order((dynamite, 4, self.loc_main))
        # The warehouse already picked 1 in Odoo: it waits at the pack step.
        self.validate(sale.picking_ids, {dynamite: 1})
        self.assertEqual(
            self.of_type(sale, self.warehouse.pack_type_id).move_ids.product_uom_qty, 1
        )
        self.ship(shopify, [(0, 3)])
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(job.state, "done", job.last_error)
        done_out = self.of_type(sale, self.warehouse.out_type_id, ("done",))
        self.assertEqual(sum(done_out.move_ids.mapped("quantity")), 3)
        self.assertEqual(done_out.move_line_ids.lot_id, lot)
        # The unit left is the one still to pick; it was picked already
        # once, so the one at the pack step went first.
        open_ = self.open_pickings(sale)
        self.assertEqual(open_.picking_type_id, self.warehouse.pick_type_id)
        self.assertEqual(open_.move_ids.product_uom_qty, 1)
        self.assertEqual(sale.order_line.qty_delivered, 3)

    def test_odoo_led_pick_ship_pushes_only_the_delivery(self):
        self.shop.fulfillment_direction = "odoo_to_shopify"
        self.warehouse.delivery_steps = "pick_ship"
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        self.validate(sale.picking_ids)
        self.deliver()
        self.assertFalse(self.env["synco.job"].search([("job_type", "=", "push_fulfillment")]))
        self.assertEqual(self.shopify_order(shopify)["display_fulfillment_status"], "UNFULFILLED")
        out = self.of_type(sale, self.warehouse.out_type_id)
        self.validate(out, tracking="1ZODOO")
        self.deliver()
        self.deliver()
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")
        self.assertEqual(out.synco_fulfillment_ids.origin, "odoo")

    def test_cross_warehouse_from_a_pick_ship_warehouse(self):
        self.warehouse.delivery_steps = "pick_ship"
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        main_before = self.on_hand(self.anvil)
        east_before = self.on_hand(self.anvil, self.warehouse_east)
        self.move_to(shopify, self.loc_east)
        self.ship(shopify, [(0, 2)], location=self.loc_east)
        self.deliver()
        self.assertEqual(self.on_hand(self.anvil, self.warehouse_east), east_before - 2)
        self.assertEqual(self.on_hand(self.anvil), main_before)
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(done.picking_type_id, self.warehouse_east.out_type_id)
        open_ = self.open_pickings(sale)
        self.assertEqual(open_.picking_type_id, self.warehouse.pick_type_id)
        self.assertEqual(open_.move_ids.product_uom_qty, 1.0, "only what is still to ship")

    def test_cross_warehouse_into_a_pick_pack_ship_warehouse(self):
        self.warehouse_east.delivery_steps = "pick_pack_ship"
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        east_before = self.on_hand(self.anvil, self.warehouse_east)
        self.move_to(shopify, self.loc_east)
        self.ship(shopify, [(0, 2)], location=self.loc_east)
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.on_hand(self.anvil, self.warehouse_east), east_before - 2)
        east = self.warehouse_east
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(
            done.picking_type_id, east.pick_type_id | east.pack_type_id | east.out_type_id
        )
        self.assertEqual(
            done.filtered(lambda p: p.picking_type_id == east.out_type_id).carrier_tracking_ref,
            "1ZSTEPS",
        )
        self.assertFalse(
            self.open_pickings(sale).filtered(lambda p: p.picking_type_id.warehouse_id == east)
        )
        self.assertEqual(self.open_pickings(sale).move_ids.product_uom_qty, 1.0)
        self.assertEqual(sale.order_line.qty_delivered, 2)

    def move_to(self, shopify, location):
        self.shop._shopify_client().mutate(
            queries.FULFILLMENT_ORDER_MOVE,
            {"id": shopify["fulfillment_orders"][0]["id"], "newLocationId": location["id"]},
            "fulfillmentOrderMove",
        )
