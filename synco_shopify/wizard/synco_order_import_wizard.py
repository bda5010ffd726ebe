from odoo import api, fields, models
from odoo.exceptions import UserError

from ..shopify import queries
from ..shopify.errors import ShopifyError


class SyncoOrderImportWizard(models.TransientModel):
    """Import one Shopify order by its number or name: the order is looked
    up in Shopify here, then imported by the queue like any other."""

    _name = "synco.order.import.wizard"
    _description = "Import a Shopify Order"

    shop_id = fields.Many2one("synco.shop", required=True, ondelete="cascade")
    order_ref = fields.Char(
        string="Order", required=True, help="The order's number or name, e.g. 1001 or #1001."
    )

    @api.model
    def _order_name(self, ref):
        """``1001``, ``#1001`` and `` #1001 `` all name order #1001."""
        ref = (ref or "").strip()
        if not ref:
            raise UserError(self.env._("Enter an order number, e.g. #1001."))
        return ref if ref.startswith("#") or not ref.isdigit() else f"#{ref}"

    def action_import(self):
        self.ensure_one()
        name = self._order_name(self.order_ref)
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        try:
            client = self.shop_id._shopify_client()
            found = client.execute(queries.ORDERS, {"first": 5, "query": f'name:"{quoted}"'})[
                "orders"
            ]["nodes"]
        except ShopifyError as exc:
            raise UserError(str(exc)) from None
        order = next((o for o in found if o["name"] == name), None)
        if not order:
            raise UserError(self.env._("Shopify has no order %s in this shop.", name))
        job = self.env["sale.order"]._synco_enqueue_import(self.shop_id, order["id"], "manual")
        return self.shop_id._notify(
            self.env._(
                "Order %(name)s is queued for import (job %(job)s); it appears in Sales "
                "within a minute.",
                name=name,
                job=job.id,
            ),
            "success",
        )
