from odoo.addons.synco_shopify.tests.common import SyncoOrderCase, SyncoShopifyLedCase
from odoo.tests import tagged


class DropshipMixin:
    """A product the vendor ships straight to the customer (the dropship
    route), sold in Shopify as "DROP"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox.add_product("Giant Magnet", sku="DROP")
        cls.vendor = cls.env["res.partner"].create({"name": "Acme Magnets Ltd."})
        cls.magnet = cls.env["product.product"].create(
            {
                "name": "Giant Magnet",
                "default_code": "DROP",
                "type": "consu",
                "seller_ids": [(0, 0, {"partner_id": cls.vendor.id})],
                "route_ids": [(6, 0, cls.env.ref("stock_dropshipping.route_drop_shipping").ids)],
            }
        )
        cls._skus[cls.magnet] = "DROP"

    def dropship(self, sale):
        """Confirm the vendor's purchase order; return the dropship it makes."""
        purchase = sale._get_purchase_orders()
        self.assertEqual(len(purchase), 1)
        purchase.button_confirm()
        dropship = sale.picking_ids.filtered(lambda p: p.picking_type_code == "dropship")
        self.assertEqual(len(dropship), 1)
        return dropship

    def fulfillments(self, shopify):
        return [
            f for f in self.shopify_order(shopify)["fulfillments"] if f["status"] != "CANCELLED"
        ]

    def quantities(self, fulfillment):
        return {line["sku"]: line["quantity"] for line in fulfillment["line_items"]}


@tagged("post_install", "-at_install")
class TestDropshipPush(DropshipMixin, SyncoOrderCase):
    """Odoo-led: a validated dropship is a Shopify fulfillment of its lines."""

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"

    def test_dropship_becomes_a_fulfillment_of_its_lines_with_the_vendor_tracking(self):
        shopify, sale = self.order((self.magnet, 2, self.loc_main), (self.anvil, 1, self.loc_main))
        dropship = self.dropship(sale)
        self.validate(dropship, tracking="VENDOR-1Z-1")
        self.run_jobs()
        job = self.env["synco.job"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", dropship.id)]
        )
        self.assertEqual((job.job_type, job.state), ("push_fulfillment", "done"), job.last_error)
        (fulfillment,) = self.fulfillments(shopify)
        self.assertEqual(self.quantities(fulfillment), {"DROP": 2})
        self.assertEqual(fulfillment["location_id"], self.loc_main["id"])
        self.assertEqual(fulfillment["tracking"][0]["number"], "VENDOR-1Z-1")
        self.assertEqual(fulfillment["tracking"][0]["company"], "UPS")
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "PARTIALLY_FULFILLED")
        self.assertEqual(dropship.synco_fulfillment_ids.origin, "odoo")
        self.assertEqual(dropship.synco_state, "synced")
        # The anvil still leaves from the warehouse, in a fulfillment of its own.
        delivery = sale.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.validate(delivery)
        self.run_jobs()
        self.assertEqual(
            sorted(sorted(self.quantities(f).items()) for f in self.fulfillments(shopify)),
            [[("ANVIL", 1)], [("DROP", 2)]],
        )
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")

    def test_partial_dropship_and_its_backorder_make_two_fulfillments(self):
        shopify, sale = self.order((self.magnet, 3, self.loc_main))
        dropship = self.dropship(sale)
        backorder = self.validate(dropship, {self.magnet: 2}, tracking="PART-1")
        self.assertEqual(backorder.picking_type_code, "dropship")
        self.run_jobs()
        (first,) = self.fulfillments(shopify)
        self.assertEqual(self.quantities(first), {"DROP": 2})
        self.validate(backorder, tracking="PART-2")
        self.run_jobs()
        both = self.fulfillments(shopify)
        self.assertEqual(sorted(f["tracking"][0]["number"] for f in both), ["PART-1", "PART-2"])
        self.assertEqual(sorted(self.quantities(f)["DROP"] for f in both), [1, 2])
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")

    def test_tracking_entered_after_the_dropship_updates_its_fulfillment(self):
        shopify, sale = self.order((self.magnet, 1, self.loc_main))
        dropship = self.dropship(sale)
        self.validate(dropship)
        self.run_jobs()
        (fulfillment,) = self.fulfillments(shopify)
        self.assertFalse(fulfillment["tracking"])
        dropship.write({"carrier_id": self.ups.id, "carrier_tracking_ref": "LATE-VENDOR"})
        self.run_jobs()
        (fulfillment,) = self.fulfillments(shopify)
        self.assertEqual(fulfillment["tracking"][0]["number"], "LATE-VENDOR")
        self.assertEqual(dropship.synco_fulfillment_ids.tracking_number, "LATE-VENDOR")

    def test_dropship_fulfills_at_the_location_of_its_sale_warehouse(self):
        shopify, sale = self.order((self.magnet, 1, self.loc_east), warehouse=self.warehouse_east)
        self.validate(self.dropship(sale))
        self.run_jobs()
        (fulfillment,) = self.fulfillments(shopify)
        self.assertEqual(fulfillment["location_id"], self.loc_east["id"])

    def test_dropship_at_a_shopify_led_location_is_never_pushed(self):
        self.shop.fulfillment_direction = "per_location"
        self._map(self.loc_main).direction = "shopify_to_odoo"
        shopify, sale = self.order((self.magnet, 1, self.loc_main))
        dropship = self.dropship(sale)
        self.validate(dropship, tracking="NOT-SENT")
        self.assertFalse(
            self.env["synco.job"].search(
                [("res_model", "=", "stock.picking"), ("res_id", "=", dropship.id)]
            )
        )
        self.run_jobs()
        self.assertFalse(self.fulfillments(shopify))

    def test_unpushed_dropship_is_found_by_the_catch_up(self):
        _shopify, sale = self.order((self.magnet, 1, self.loc_main))
        dropship = self.dropship(sale)
        self.validate(dropship)
        self.env["synco.job"].search([("res_id", "=", dropship.id)]).unlink()
        since = dropship.date_done
        found = self.env["synco.reconcile"]._unpushed(self.shop, since)
        self.assertEqual(found, dropship)


@tagged("post_install", "-at_install")
class TestDropshipShopifyLed(DropshipMixin, SyncoShopifyLedCase):
    """Shopify-led: the vendor's fulfillment in Shopify validates the dropship."""

    def test_shopify_fulfillment_validates_the_dropship(self):
        shopify, sale = self.order((self.magnet, 2, self.loc_main))
        dropship = self.dropship(sale)
        self.sandbox.fulfill(
            shopify["id"],
            line_items=[{"line_item_id": shopify["line_items"][0]["id"], "quantity": 2}],
            tracking={"company": "UPS", "number": "1ZVENDOR"},
            location_id=self.loc_main["id"],
        )
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "apply_fulfillment")])
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(dropship.state, "done")
        self.assertEqual(dropship.carrier_tracking_ref, "1ZVENDOR")
        self.assertEqual(sale.order_line.qty_delivered, 2)
        # Nothing of it goes back to Shopify.
        self.assertFalse(
            self.env["synco.job"].search([("job_type", "=", "push_fulfillment")]),
        )
