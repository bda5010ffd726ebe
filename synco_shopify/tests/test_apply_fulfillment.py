from unittest.mock import patch

from odoo.tests import tagged

from ..shopify import queries
from .common import SyncoShopifyLedCase


@tagged("post_install", "-at_install")
class TestApplyFulfillment(SyncoShopifyLedCase):
    """Shopify-led: a fulfillment made in Shopify (or by a 3PL) reaches the
    controller as a signed webhook over HTTP and becomes a validated delivery."""

    def ship_in_shopify(self, shopify, items, location=None, tracking=None):
        """A fulfillment made in Shopify; ``items``: [(line index, quantity)]."""
        lines = [
            {"line_item_id": shopify["line_items"][index]["id"], "quantity": qty}
            for index, qty in items
        ]
        return self.sandbox.fulfill(
            shopify["id"],
            line_items=lines,
            tracking=tracking or {"company": "UPS", "number": "1ZSHOPIFY"},
            location_id=(location or self.loc_main)["id"],
        )

    def done_pickings(self, sale):
        return sale.picking_ids.filtered(lambda p: p.state == "done")

    def test_full_fulfillment_validates_the_delivery(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        before = self.on_hand(self.anvil)
        fulfillment = self.ship_in_shopify(shopify, [(0, 2)])
        self.deliver()
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, "1ZSHOPIFY")
        self.assertEqual(picking.carrier_id, self.ups)
        self.assertEqual(self.on_hand(self.anvil), before - 2)
        link = picking.synco_fulfillment_ids
        self.assertEqual(
            (link.origin, link.shopify_fulfillment_id), ("shopify", str(fulfillment["legacy_id"]))
        )
        self.assertEqual(sale.order_line.qty_delivered, 2)

    def test_no_wizard_stops_the_validation(self):
        # Outside tests, Odoo's first validation of a delivery to a customer
        # with a phone asks in a wizard about SMS confirmations (stock_sms
        # disables that prompt in test mode: bring it back). Nobody is there
        # to answer it.
        Picking = type(self.env["stock.picking"])
        if not hasattr(Picking, "_check_warn_sms"):
            self.skipTest("stock_sms is not installed")
        self.startPatcher(patch.object(Picking, "_check_warn_sms", lambda pickings: pickings))
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        self.ship_in_shopify(shopify, [(0, 1)])
        self.deliver()
        self.assertEqual(sale.picking_ids.state, "done")

    def test_partial_fulfillment_leaves_a_backorder(self):
        shopify, sale = self.order((self.anvil, 3, self.loc_main), (self.skates, 1, self.loc_main))
        self.ship_in_shopify(shopify, [(0, 2)])
        self.deliver()
        done = self.done_pickings(sale)
        self.assertEqual(done.move_ids.filtered("quantity").mapped("quantity"), [2.0])
        backorder = sale.picking_ids - done
        self.assertEqual(backorder.state, "assigned")
        self.assertEqual(
            sorted(backorder.move_ids.mapped("product_uom_qty")), [1.0, 1.0], "1 anvil, 1 skates"
        )
        self.ship_in_shopify(
            shopify, [(0, 1), (1, 1)], tracking={"company": "UPS", "number": "2ND"}
        )
        self.deliver()
        self.assertEqual(set(sale.picking_ids.mapped("state")), {"done"})
        self.assertEqual(len(sale.synco_fulfillment_ids), 2)

    def test_tracking_added_later_updates_the_delivery(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        fulfillment = self.ship_in_shopify(shopify, [(0, 1)], tracking={"company": "UPS"})
        self.deliver()
        picking = sale.picking_ids
        self.assertFalse(picking.carrier_tracking_ref)
        self.sandbox.update_tracking(fulfillment["id"], company="UPS", number="1ZLATER")
        self.deliver()
        self.assertEqual(picking.carrier_tracking_ref, "1ZLATER")
        self.assertEqual(picking.synco_fulfillment_ids.tracking_number, "1ZLATER")

    def test_the_same_fulfillment_ten_times_moves_stock_once(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        before = self.on_hand(self.anvil)
        fulfillment = self.ship_in_shopify(shopify, [(0, 2)])
        # Nine retries of the delivery Shopify already made, then ten more
        # deliveries of the same fulfillment with webhook ids of their own.
        self.sandbox.fire("fulfillments/create", resource_id=fulfillment["id"], duplicates=8)
        for _ in range(10):
            self.sandbox.fire("fulfillments/update", resource_id=fulfillment["id"])
        self.deliver()
        self.deliver()
        self.assertEqual(self.on_hand(self.anvil), before - 2)
        self.assertEqual(len(self.done_pickings(sale)), 1)
        self.assertEqual(len(sale.synco_fulfillment_ids), 1)
        events = self.env["synco.webhook.event"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(len(events), 12, "1 create + 1 fired create (with 8 copies) + 10 updates")

    def test_cross_warehouse_ships_from_the_mapped_warehouse(self):
        # Odoo planned the delivery from Main; Shopify says East shipped it.
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        main_before = self.on_hand(self.anvil)
        east_before = self.on_hand(self.anvil, self.warehouse_east)
        # The merchant moves the work to East in Shopify, and East ships 2.
        self.shop._shopify_client().mutate(
            queries.FULFILLMENT_ORDER_MOVE,
            {"id": shopify["fulfillment_orders"][0]["id"], "newLocationId": self.loc_east["id"]},
            "fulfillmentOrderMove",
        )
        self.ship_in_shopify(shopify, [(0, 2)], location=self.loc_east)
        self.deliver()
        self.assertEqual(self.on_hand(self.anvil, self.warehouse_east), east_before - 2)
        self.assertEqual(self.on_hand(self.anvil), main_before)
        east_delivery = self.done_pickings(sale)
        self.assertEqual(east_delivery.picking_type_id.warehouse_id, self.warehouse_east)
        main_open = sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(main_open.picking_type_id.warehouse_id, self.warehouse)
        self.assertEqual(main_open.move_ids.product_uom_qty, 1.0, "only what is still to ship")
        self.assertEqual(sale.order_line.qty_delivered, 2)

    def test_hybrid_shop_leads_each_location_its_own_way(self):
        self.shop.fulfillment_direction = "per_location"
        self._map(self.loc_main).direction = "odoo_to_shopify"
        self._map(self.loc_east).direction = "shopify_to_odoo"
        shopify, sale = self.order((self.anvil, 1, self.loc_main), (self.skates, 1, self.loc_east))
        # Odoo plans both lines in one delivery from Main; Shopify has the
        # skates at East.
        self.assertEqual(sale.picking_ids.picking_type_id.warehouse_id, self.warehouse)
        self.assertEqual(sale.picking_ids.move_ids.product_id, self.anvil | self.skates)
        east_before = self.on_hand(self.skates, self.warehouse_east)
        main_before = self.on_hand(self.skates)
        # East (Shopify-led): a 3PL ships the skates from East, and Odoo
        # follows from the East warehouse.
        self.ship_in_shopify(shopify, [(1, 1)], location=self.loc_east)
        self.deliver()
        east_done = self.done_pickings(sale)
        self.assertEqual(east_done.picking_type_id.warehouse_id, self.warehouse_east)
        self.assertEqual(east_done.move_ids.product_id, self.skates)
        self.assertEqual(self.on_hand(self.skates, self.warehouse_east), east_before - 1)
        self.assertEqual(self.on_hand(self.skates), main_before)
        # Main (Odoo-led): Shopify's fulfillment validated nothing there; the
        # warehouse validates the anvil in Odoo.
        main = sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(main.picking_type_id.warehouse_id, self.warehouse)
        open_moves = main.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(open_moves.product_id, self.anvil)
        self.validate(main)
        self.deliver()  # the push, then its fulfillments/create echo
        self.deliver()
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")
        self.assertEqual(len([f for f in order["fulfillments"] if f["status"] == "SUCCESS"]), 2)
        self.assertEqual(len(sale.synco_fulfillment_ids), 2)
        self.assertEqual(set(sale.synco_fulfillment_ids.mapped("origin")), {"odoo", "shopify"})

    def test_echo_of_an_odoo_created_fulfillment_is_ignored(self):
        self.shop.fulfillment_direction = "odoo_to_shopify"
        _shopify, sale = self.order((self.anvil, 2, self.loc_main))
        self.validate(sale.picking_ids, {self.anvil: 1})
        self.deliver()  # pushes; Shopify sends fulfillments/create back
        before = self.on_hand(self.anvil)
        self.deliver()
        echo = self.env["synco.job"].search(
            [("job_type", "=", "apply_fulfillment"), ("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(echo.state, "done", echo.last_error)
        self.assertEqual(self.on_hand(self.anvil), before, "the echo moved nothing")
        self.assertEqual(len(self.done_pickings(sale)), 1)
        self.assertEqual(sale.synco_fulfillment_ids.origin, "odoo")

    def test_stock_unavailable_needs_attention_then_retry_succeeds(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        quant = self.env["stock.quant"]._gather(self.anvil, self.warehouse.lot_stock_id)
        sale.picking_ids.do_unreserve()
        quant.with_context(inventory_mode=True).write({"inventory_quantity": 1})
        quant.with_context(inventory_mode=True).action_apply_inventory()
        state_before = sale.picking_ids.state
        self.ship_in_shopify(shopify, [(0, 2)])
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(job.state, "failed")
        self.assertIn("Anvil", job.last_error)
        self.assertIn(self.warehouse.name, job.last_error)
        self.assertEqual(sale.picking_ids.state, state_before, "nothing half-done")
        self.assertEqual(len(sale.picking_ids), 1, "no backorder either")
        self.assertEqual(self.on_hand(self.anvil), 1)
        self.env["stock.quant"]._update_available_quantity(
            self.anvil, self.warehouse.lot_stock_id, 5
        )
        job.action_retry()
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(
            sale.picking_ids.filtered(lambda p: p.state == "done").move_ids.quantity, 2
        )

    def test_lot_and_serial_tracked_products_use_reserved_numbers(self):
        lot_product = self._tracked("Dynamite", "DYNAMITE", "lot")
        serial_product = self._tracked("Jet Pack", "JETPACK", "serial")
        lot = self._stock_with(lot_product, "LOT-7", 5)
        serial = self._stock_with(serial_product, "SN-0001", 1)
        shopify, sale = self.order(
            (lot_product, 2, self.loc_main), (serial_product, 1, self.loc_main)
        )
        self.ship_in_shopify(shopify, [(0, 2), (1, 1)])
        self.deliver()
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_line_ids.lot_id, lot | serial)

    def test_cancelled_shopify_fulfillment_is_flagged_not_undone(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        fulfillment = self.ship_in_shopify(shopify, [(0, 1)])
        self.deliver()
        picking = sale.picking_ids
        self.sandbox.cancel_fulfillment(fulfillment["id"])
        self.deliver()
        link = picking.synco_fulfillment_ids
        self.assertEqual(link.state, "cancelled")
        self.assertEqual(picking.state, "done", "a return stays a person's decision")
        self.assertTrue(picking.activity_ids)
        self.assertIn(link.shopify_fulfillment_id, picking.activity_ids.note)

    # -- fixtures ------------------------------------------------------------

    def _tracked(self, name, sku, tracking):
        self.sandbox.add_product(name, sku=sku)
        product = self.env["product.product"].create(
            {"name": name, "default_code": sku, "is_storable": True, "tracking": tracking}
        )
        self._skus[product] = sku
        return product

    def _stock_with(self, product, lot_name, qty):
        lot = self.env["stock.lot"].create({"name": lot_name, "product_id": product.id})
        self.env["stock.quant"]._update_available_quantity(
            product, self.warehouse.lot_stock_id, qty, lot_id=lot
        )
        return lot
