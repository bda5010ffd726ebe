from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..odoo_compat import Constraint
from ..shopify import queries
from ..shopify.const import ODOO_TO_SHOPIFY, SHOPIFY_TO_ODOO


class SyncoLocationMap(models.Model):
    """One Shopify location of a shop, the Odoo warehouse it stands for, and,
    for hybrid shops, who leads its fulfillment."""

    _name = "synco.location.map"
    _inherit = "synco.shop.owned"
    _description = "Shopify Location Mapping"
    _order = "shop_id, name, id"

    shopify_location_id = fields.Char(
        string="Shopify Location ID", required=True, help="Numeric id, as text."
    )
    name = fields.Char(required=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        ondelete="restrict",
    )
    direction = fields.Selection(
        [
            (ODOO_TO_SHOPIFY, "Odoo-led (warehouse run in Odoo)"),
            (SHOPIFY_TO_ODOO, "Shopify-led (3PL or Shopify admin)"),
        ],
        required=True,
        default=ODOO_TO_SHOPIFY,
        help="Used when the shop's fulfillment direction is 'Per location'.",
    )
    is_fulfillment_service = fields.Boolean(
        string="3PL App Location",
        readonly=True,
        help="Shopify assigns this location's orders to a fulfillment service app.",
    )
    active = fields.Boolean(default=True)

    _location_uniq = Constraint(
        "UNIQUE (shop_id, shopify_location_id)", "A Shopify location is mapped once per shop."
    )
    _warehouse_uniq = Constraint(
        "UNIQUE (shop_id, warehouse_id)",
        "A warehouse maps to at most one Shopify location of a shop.",
    )

    @api.constrains("warehouse_id", "shop_id")
    def _check_warehouse_company(self):
        for mapping in self.filtered("warehouse_id"):
            if mapping.warehouse_id.company_id != mapping.shop_id.company_id:
                raise ValidationError(
                    self.env._(
                        "Warehouse %(warehouse)s belongs to %(company)s, not to the shop's "
                        "company %(shop_company)s.",
                        warehouse=mapping.warehouse_id.display_name,
                        company=mapping.warehouse_id.company_id.name,
                        shop_company=mapping.shop_id.company_id.name,
                    )
                )

    def _find(self, warehouse=None, location_id=None):
        """The active mapping among ``self`` for a warehouse or a Shopify
        location id (numeric text or gid)."""
        if location_id:
            location_id = str(location_id).rsplit("/", 1)[-1]
            return self.filtered(lambda m: m.active and m.shopify_location_id == location_id)[:1]
        if warehouse:
            return self.filtered(lambda m: m.active and m.warehouse_id == warehouse)[:1]
        return self.browse()

    @api.model
    def _sync_from_shopify(self, shop):
        """Create or update one mapping per active Shopify location, keep the
        warehouse and direction already chosen, archive what Shopify lost.
        Returns ``(created, updated, archived)`` counts."""
        client = shop._shopify_client()
        nodes = client.paginate(queries.LOCATIONS, {"first": 100}, ("locations",))
        remote = {node["legacyResourceId"]: node for node in nodes if node["isActive"]}
        existing = self.with_context(active_test=False).search([("shop_id", "=", shop.id)])
        by_id = {m.shopify_location_id: m for m in existing}
        created = updated = archived = 0
        for location_id, node in remote.items():
            vals = {
                "name": node["name"],
                "is_fulfillment_service": bool(node.get("fulfillmentService")),
                "active": True,
            }
            mapping = by_id.get(location_id)
            if not mapping:
                self.create({**vals, "shop_id": shop.id, "shopify_location_id": location_id})
                created += 1
            elif any(mapping[key] != value for key, value in vals.items()):
                mapping.write(vals)
                updated += 1
        gone = existing.filtered(lambda m: m.active and m.shopify_location_id not in remote)
        gone.write({"active": False})
        archived = len(gone)
        return created, updated, archived
