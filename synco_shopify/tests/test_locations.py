from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger
from psycopg2 import IntegrityError

from .common import SyncoCase


@tagged("post_install", "-at_install")
class TestLocations(SyncoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.main = cls.sandbox.create_location(name="Main Warehouse")
        cls.east = cls.sandbox.create_location(name="East Warehouse")
        cls.tpl = cls.sandbox.create_location(name="3PL Co", fulfillment_service=True)
        cls.warehouse_east = cls.env["stock.warehouse"].create({"name": "East", "code": "EST"})

    def _maps(self):
        return (
            self.env["synco.location.map"]
            .with_context(active_test=False)
            .search([("shop_id", "=", self.shop.id)])
        )

    def _map(self, location):
        return self._maps().filtered(lambda m: m.shopify_location_id == str(location["legacy_id"]))

    def test_sync_creates_one_mapping_per_active_location(self):
        self.shop.action_sync_locations()
        maps = self._maps()
        self.assertEqual(len(maps), 3)
        self.assertEqual(self._map(self.main).name, "Main Warehouse")
        self.assertTrue(self._map(self.tpl).is_fulfillment_service)
        self.assertFalse(self._map(self.main).is_fulfillment_service)

    def test_sync_keeps_choices_and_archives_vanished_locations(self):
        self.shop.action_sync_locations()
        self._map(self.main).write(
            {"warehouse_id": self.warehouse.id, "direction": "shopify_to_odoo"}
        )
        self.sandbox.update_location(self.east["id"], active=False)
        self.sandbox.update_location(self.main["id"], name="Main Warehouse (renamed)")
        self.shop.action_sync_locations()
        main = self._map(self.main)
        self.assertEqual(main.warehouse_id, self.warehouse)
        self.assertEqual(main.direction, "shopify_to_odoo")
        self.assertEqual(main.name, "Main Warehouse (renamed)")
        self.assertFalse(self._map(self.east).active)
        self.assertEqual(len(self._maps()), 3, "a vanished location is archived, not deleted")
        # It comes back when Shopify has it again, with its mapping intact.
        self.sandbox.update_location(self.east["id"], active=True)
        self.shop.action_sync_locations()
        self.assertTrue(self._map(self.east).active)

    def test_warehouse_maps_to_at_most_one_location(self):
        self.shop.action_sync_locations()
        self._map(self.main).warehouse_id = self.warehouse
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self._map(self.east).warehouse_id = self.warehouse
            self.env.flush_all()

    def test_warehouse_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        other_wh = self.env["stock.warehouse"].search([("company_id", "=", other.id)], limit=1)
        self.shop.action_sync_locations()
        with self.assertRaises(ValidationError):
            self._map(self.main).sudo().with_context(
                allowed_company_ids=[other.id, self.env.company.id]
            ).warehouse_id = other_wh

    def test_direction_shop_wide(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        self.assertEqual(self.shop._direction_for(warehouse=self.warehouse), "shopify_to_odoo")
        self.assertEqual(
            self.shop._direction_for(shopify_location_id=self.main["legacy_id"]), "shopify_to_odoo"
        )

    def test_direction_per_location_for_hybrid_shops(self):
        self.shop.action_sync_locations()
        self.shop.fulfillment_direction = "per_location"
        self._map(self.main).write(
            {"warehouse_id": self.warehouse.id, "direction": "odoo_to_shopify"}
        )
        self._map(self.tpl).write(
            {"warehouse_id": self.warehouse_east.id, "direction": "shopify_to_odoo"}
        )
        self.assertEqual(self.shop._direction_for(warehouse=self.warehouse), "odoo_to_shopify")
        self.assertEqual(self.shop._direction_for(warehouse=self.warehouse_east), "shopify_to_odoo")
        self.assertEqual(
            self.shop._direction_for(shopify_location_id=self.tpl["id"]), "shopify_to_odoo"
        )
        self.assertFalse(self.shop._direction_for(shopify_location_id=self.east["legacy_id"]))
