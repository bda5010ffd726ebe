from odoo import Command, api, fields, models
from odoo.tools.float_utils import float_compare

from .. import odoo_compat
from ..planning import edits as edit_planner
from ..planning import notes
from ..queue.policy import NeedsAttention
from ..shopify import reads
from .stock_picking import SHIPPING_CODES

# Decimals of a discount percent that keep a line of up to a million exact
# to the cent (see planning.orders.discount_percent).
DISCOUNT_DIGITS = 6


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_item_id = fields.Char(
        string="Shopify Line Item ID", copy=False, readonly=True, index="btree_not_null"
    )

    @api.model
    def _synco_ensure_discount_precision(self):
        """Shopify discounts are amounts, Odoo's are percents: two decimals
        of a percent cannot express every Shopify discount to the cent, so
        raise the "Discount" precision (never lower it). Called on install."""
        precision = self.env.ref("product.decimal_discount", raise_if_not_found=False)
        if precision and precision.digits < DISCOUNT_DIGITS:
            precision.digits = DISCOUNT_DIGITS

    @api.model
    def _synco_discount_digits(self):
        return self.env["decimal.precision"].precision_get("Discount")

    @api.model
    def _synco_taxes(self, company, rates, included):
        """The sale taxes of ``company`` for Shopify's tax ``rates`` (floats,
        0.0825 for 8.25 %), included in the price or not as the shop is set
        up: an existing percent tax of that amount, else one created."""
        Tax = self.env["account.tax"].sudo().with_company(company)
        taxes = Tax.browse()
        for rate in rates:
            amount = round(float(rate) * 100, 4)
            if not amount:
                continue
            domain = [
                *Tax._check_company_domain(company),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", amount),
                ("price_include", "=", bool(included)),
                ("children_tax_ids", "=", False),
                ("include_base_amount", "=", False),
            ]
            tax = Tax.search(domain, limit=1, order="company_id, sequence, id")
            if not tax:
                tax = Tax.create(self._synco_prepare_tax_vals(company, amount, included))
            taxes |= tax
        return taxes.sudo(False)

    @api.model
    def _synco_prepare_tax_vals(self, company, amount, included):
        label = f"{amount:g}%"
        vals = {
            "name": f"Shopify {label}" + (" incl." if included else ""),
            "description": label,
            "amount": amount,
            "amount_type": "percent",
            "type_tax_use": "sale",
            "price_include_override": "tax_included" if included else "tax_excluded",
            "company_id": company.id,
        }
        country = company.account_fiscal_country_id or company.country_id
        if country:
            vals["country_id"] = country.id
        return vals

    # -- Shopify edits and refunds --------------------------------------------

    def _synco_edit_lines(self):
        """The edit planner's view of these sale lines: ordered quantity and
        what Odoo already picked or shipped of it, in the line's unit."""
        data = []
        for line in self.filtered("shopify_line_item_id"):
            moves = line.move_ids.filtered(
                lambda m: (
                    m.picking_code in SHIPPING_CODES
                    and m.state != "cancel"
                    and (m.state == "done" or m.picked)
                )
            )
            committed = sum(
                m.product_uom._compute_quantity(m.quantity, line[odoo_compat.SALE_LINE_UOM])
                for m in moves
            )
            # Units shipped in Shopify before the import count as Shopify's
            # and as committed: an edit never puts them back in a delivery.
            before = line.shopify_shipped_before
            data.append(
                {
                    "key": line.id,
                    "line_item_id": line.shopify_line_item_id,
                    "quantity": line.product_uom_qty + before,
                    "committed": committed + before,
                    "label": line.product_id.default_code or line.product_id.display_name,
                    "where": moves.picking_id.mapped("name"),
                }
            )
        return data

    def _synco_differs_from(self, items, fulfillments=None, refunds=None):
        """Whether Shopify's line items (a webhook's ``line_items``, with the
        order's ``fulfillments`` and ``refunds``) may hold other quantities
        to follow than these sale lines."""
        return edit_planner.differs(
            self._synco_edit_lines(), items, fulfillments or (), refunds or ()
        )

    def _synco_follow_shopify(self, sale, order, client):
        """Bring the sale lines of ``sale`` (``self``) to the units Shopify's
        ``order`` has now, shipped or still to ship (its fulfillment orders
        say which: units refunded after they shipped stay); sale_stock
        makes the open deliveries follow. Everything or nothing: committed
        units stop it all."""
        shipping = edit_planner.progress(reads.fulfillment_orders(client, order["id"]))
        plan = edit_planner.plan_edit(
            self._synco_edit_lines(), order["lineItems"]["nodes"], shipping
        )
        if plan.empty:
            return f"already up to date: {sale.name}"
        if plan.blocked:
            raise NeedsAttention(
                self.env._(
                    "Shopify changed order %(name)s, but Odoo cannot follow: %(reasons)s. Nothing "
                    "was changed: unpick or return those units (or change the order in Shopify), "
                    "then retry.",
                    name=order.get("name"),
                    reasons=notes.render(plan.blocked, self.env._),
                )
            )
        added = self._synco_added_lines_vals(sale, order, plan.added, client) if plan.added else []
        locked = sale.locked
        if locked:
            sale.action_unlock()
        for line in self.filtered(lambda line: line.id in plan.quantities):
            line.product_uom_qty = plan.quantities[line.id] - line.shopify_shipped_before
        if added:
            sale.write({"order_line": [Command.create(vals) for vals in added]})
        if locked:
            sale.action_lock()
        summary = [f"{label}: {old:g} → {new:g}" for label, old, new in plan.changes]
        summary += [f"{item.get('sku') or item.get('name')}: added" for item in plan.added]
        sale.message_post(
            body=self.env._("Changed in Shopify, changed here too: %s.", "; ".join(summary)),
            subtype_xmlid="mail.mt_note",
        )
        return f"updated {sale.name}: " + "; ".join(summary)

    @api.model
    def _synco_added_lines_vals(self, sale, order, added, client):
        """Sale line values for line items an edit added, each at the
        warehouse of its fulfillment order's location, priced as Shopify."""
        shop = sale.synco_shop_id
        plan = sale._synco_plan(shop, edit_planner.added_order(order, added), client)
        reason = notes.render(plan.skip_reason, self.env._) or (
            plan.unmatched_skus
            and self.env._("products Odoo does not know: %s", sale._synco_unmatched(plan))
        )
        if reason:
            raise NeedsAttention(
                self.env._(
                    "Shopify added lines to order %(name)s that Odoo cannot add: %(reason)s. "
                    "Nothing was changed; fix it, then retry.",
                    name=plan.name,
                    reason=reason,
                )
            )
        taxes = {}
        return [
            sale._synco_prepare_line_vals(sale.company_id, plan, line, sale.warehouse_id, taxes)
            for line in plan.lines
        ]

    def _synco_left_open(self):
        """``[(line, quantity)]``: what of these Shopify lines no done or open
        delivery covers, in the line's unit (what Shopify still expects
        and Odoo will not ship). Per group of moves (each component of a kit
        its own) the goods delivered or on their way count; the fewest
        group decides."""
        left = []
        for line in self.filtered("shopify_line_item_id"):
            delivered = line.move_ids.filtered(
                lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
            )
            groups = {}
            for move in delivered | line.move_ids._synco_open_delivery_moves():
                qty = move.quantity if move.state == "done" else move.product_uom_qty
                qty = move.product_uom._compute_quantity(qty, move.product_id.uom_id)
                key = move._synco_plan_group()
                total, sample = groups.get(key, (0.0, move))
                groups[key] = (total + qty, sample)
            covered = min(
                (
                    sample._synco_to_line_qty(
                        sample.product_id.uom_id._compute_quantity(total, sample.product_uom)
                    )
                    for total, sample in groups.values()
                ),
                default=0.0,
            )
            missing = line.product_uom_qty - covered
            if (
                float_compare(
                    missing, 0, precision_rounding=line[odoo_compat.SALE_LINE_UOM].rounding
                )
                > 0
            ):
                left.append((line, missing))
        return left
