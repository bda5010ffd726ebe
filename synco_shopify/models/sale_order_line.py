from odoo import api, fields, models
from odoo.tools.float_utils import float_compare

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
            if float_compare(missing, 0, precision_rounding=line.product_uom.rounding) > 0:
                left.append((line, missing))
        return left
