import logging

from odoo import Command, api, models
from odoo.tools import SQL

from .. import odoo_compat
from ..planning import notes
from ..planning import orders as planner
from ..queue.policy import NeedsAttention
from ..shopify import queries, reads
from ..shopify.ids import legacy_id, to_gid
from .stock_picking import SHIPPING_CODES
from .synco_open_orders import SOURCE as OPEN_ORDERS

_logger = logging.getLogger(__name__)


class SaleOrderImport(models.Model):
    """The import job: a Shopify order read as it is now, planned by
    ``planning.orders`` and created once, or followed by the sale order
    already here (edits, refunds, the cancellation)."""

    _inherit = "sale.order"

    @api.model
    def _synco_job_import_order(self, job):
        """Make Odoo hold the Shopify order as it is now: read it, then
        create it once (confirmed, so its deliveries exist), or apply its
        cancellation to the sale order already here."""
        shop = job.shop_id
        order_id = legacy_id(job.payload["order_id"])
        unchanged = self._synco_unchanged(shop, order_id, job.payload.get("snapshot"))
        if unchanged:
            return f"already imported as {unchanged.name}"
        client = job._client()
        order = self._synco_read_order(client, order_id)
        if not order:
            return self._synco_skip(shop, order_id, "the order no longer exists in Shopify")
        existing = self._synco_find(shop, order_id)
        if existing:
            return existing._synco_apply_shopify_state(order, client)
        # The open-orders import: only what is left to ship comes in.
        remaining = job.payload.get("source") == OPEN_ORDERS
        if remaining and order.get("displayFulfillmentStatus") == "FULFILLED":
            return self._synco_skip(shop, order.get("name"), "fulfilled before the import")
        plan = self._synco_plan(shop, order, client, remaining=remaining)
        if plan.skip_reason:
            return self._synco_skip(shop, plan.name or order_id, plan.skip_reason)
        if plan.unmatched_skus:
            raise NeedsAttention(
                self.env._(
                    "Order %(name)s has products Odoo does not know: %(skus)s. Create them "
                    "(matching SKU as Internal Reference, or barcode), then retry.",
                    name=plan.name,
                    skus=self._synco_unmatched(plan),
                )
            )
        return self._synco_create_from_plan(shop, plan, order, client)

    @api.model
    def _synco_unchanged(self, shop, order_id, snapshot):
        """The sale order of ``order_id`` when the webhook's ``snapshot``
        (orders/create, orders/updated) proves there is nothing to follow:
        not cancelled, and the same quantities as Odoo's (units refunded
        after they shipped do not count); else an empty recordset, and the
        job reads the order."""
        if not snapshot or snapshot.get("cancelled"):
            return self.browse()
        existing = self._synco_find(shop, order_id)
        if existing and not existing.order_line._synco_differs_from(
            snapshot.get("line_items") or (), snapshot.get("fulfillments"), snapshot.get("refunds")
        ):
            return existing
        return self.browse()

    @api.model
    def _synco_import_first(self, shop, order_id, before):
        """Jobs about an order come unordered: a fulfillment, a return or a
        refund can arrive before the order (its orders/create lost or late).
        The code queuing such a job calls this first: for an order Odoo
        lacks, the order's import is queued now, due now, so it runs ahead
        of the job in the order's sequence (an order's jobs run by id)
        instead of the job waiting for the catch-up. One indexed query."""
        if order_id and not self._synco_find(shop, order_id):
            self._synco_enqueue_import(shop, order_id, f"before {before}")

    @api.model
    def _synco_import_first_sql(self, shop, order_id, before, now, source):
        """``_synco_import_first`` as SQL: the INSERT of the import for a
        statement that queues a job about ``order_id`` (the webhook
        intake's), done only ``source`` (``FROM ... WHERE ...``) gives a row
        and Odoo lacks the order."""
        order_id = legacy_id(order_id)
        missing = SQL(
            """%s AND NOT EXISTS (SELECT 1 FROM sale_order
                WHERE synco_shop_id = %s AND shopify_order_id = %s)""",
            source,
            shop.id,
            order_id,
        )
        return self.env["synco.job"]._insert_sql(
            shop,
            "import_order",
            SQL("%s", f"order:{order_id}"),
            model="sale.order",
            payload={"order_id": order_id, "source": f"before {before}"},
            order_ref=order_id,
            at=now,
            now=now,
            source=missing,
        )

    @api.model
    def _synco_plan(self, shop, order, client, remaining=False):
        """The sale order plan of ``order``, with its fulfillment orders read;
        ``remaining``: of what is left to ship (``planning.orders``)."""
        order["fulfillmentOrders"] = reads.fulfillment_orders(client, order["id"])
        return planner.plan_order(
            order,
            self._synco_product_index(shop, order),
            {
                m.shopify_location_id: m.warehouse_id
                for m in shop.location_map_ids
                if m.warehouse_id
            },
            discount_digits=self.env["sale.order.line"]._synco_discount_digits(),
            remaining=remaining,
        )

    @api.model
    def _synco_read_order(self, client, order_id):
        """The order with all its lines (fifty a page), or None."""
        variables = {"id": to_gid("Order", order_id)}
        order = client.execute(queries.ORDER, variables)["order"]
        lines = order and order["lineItems"]
        while lines and lines["pageInfo"]["hasNextPage"]:
            variables["linesAfter"] = lines["pageInfo"]["endCursor"]
            page = client.execute(queries.ORDER, variables)["order"]["lineItems"]
            lines["nodes"] += page["nodes"]
            lines["pageInfo"] = page["pageInfo"]
        return order

    @api.model
    def _synco_skip(self, shop, order_ref, reason):
        """``reason``: a planner's Note or text."""
        _logger.info("shop %s: order %s not imported: %s", shop.id, order_ref, reason)
        return f"skipped: {notes.render(reason, self.env._)}"

    @api.model
    def _synco_unmatched(self, plan):
        """The plan's unknown SKUs, as text for the merchant."""
        return ", ".join(notes.render(sku, self.env._) for sku in plan.unmatched_skus)

    @api.model
    def _synco_product_index(self, shop, order):
        """The planner's product lookup for this order's SKUs and barcodes."""
        skus, barcodes = set(), set()
        for item in order["lineItems"]["nodes"]:
            variant = item.get("variant") or {}
            skus |= {s for s in (variant.get("sku"), item.get("sku")) if s}
            barcodes |= {variant["barcode"]} if variant.get("barcode") else set()
        Product = self.env["product.product"].with_company(shop.company_id)
        company = [("company_id", "in", [shop.company_id.id, False])]
        index = {"sku": {}, "barcode": {}}
        for kind, field, values in (
            ("sku", "default_code", skus),
            ("barcode", "barcode", barcodes),
        ):
            found = (
                Product.search([(field, "in", list(values)), *company], order="id")
                if values
                else Product
            )
            for product in found:
                index[kind].setdefault(product[field], product)
        return index

    @api.model
    def _synco_create_from_plan(self, shop, plan, order, client):
        company = shop.company_id
        customer, delivery = self.env["res.partner"]._synco_customer(
            company, plan.email, order.get("billingAddress"), plan.shipping_address
        )
        first = next((line.warehouse for line in plan.lines if line.warehouse), None)
        warehouse = first or self.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        taxes = {}  # tax rates -> account.tax ids: one lookup per rate set, not per line
        vals = {
            "company_id": company.id,
            "partner_id": customer.id,
            "partner_shipping_id": delivery.id,
            "warehouse_id": warehouse.id,
            "client_order_ref": plan.name,
            "origin": plan.name,
            "synco_shop_id": shop.id,
            "shopify_order_id": plan.order_id,
            "order_line": [
                Command.create(self._synco_prepare_line_vals(company, plan, line, warehouse, taxes))
                for line in plan.lines
            ],
        }
        pricelist = self._synco_pricelist(company, plan.currency)
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        sale = self.with_company(company).create(vals)
        for ship in plan.shipping:
            sale._synco_add_shipping(shop, ship, plan.taxes_included)
        sale.action_confirm()
        sale.message_post(
            body=self.env._("Imported from Shopify order %s.", plan.name),
            subtype_xmlid="mail.mt_note",
        )
        if any(line.shipped_before for line in plan.lines):
            return sale._synco_shipped_before(client, order)
        # After edits and refunds, what Odoo imported (current quantities).
        total = planner.money(order.get("currentTotalPriceSet") or order.get("totalPriceSet"))
        if sale.currency_id.compare_amounts(sale.amount_total, float(total)):
            sale.message_post(
                body=self.env._(
                    "Odoo's total %(odoo)s differs from Shopify's %(shopify)s: check the taxes "
                    "and discounts.",
                    odoo=sale.amount_total,
                    shopify=total,
                ),
                subtype_xmlid="mail.mt_note",
            )
            _logger.warning("shop %s: order %s total differs from Shopify's", shop.id, plan.name)
            return f"imported as {sale.name}, total differs from Shopify's"
        return f"imported as {sale.name}"

    def _synco_prepare_line_vals(self, company, plan, line, warehouse, taxes):
        rates = tuple(line.tax_rates)
        if rates not in taxes:
            taxes[rates] = (
                self.env["sale.order.line"]._synco_taxes(company, rates, plan.taxes_included).ids
            )
        vals = {
            "product_id": line.product.id,
            "product_uom_qty": line.quantity,
            "price_unit": float(line.price_unit),
            "discount": float(line.discount),
            odoo_compat.SALE_LINE_TAXES: [Command.set(taxes[rates])],
            "shopify_line_item_id": line.line_item_id,
            "shopify_shipped_before": line.shipped_before,
        }
        if line.warehouse and line.warehouse != warehouse:
            # The line's warehouse is computed from its route: the delivery
            # route of another warehouse makes procurement ship from there.
            vals.update(odoo_compat.sale_line_route_vals(line.warehouse.delivery_route_id))
        return vals

    @api.model
    def _synco_pricelist(self, company, currency_code):
        """A pricelist in the order's currency when it is not the company's;
        the partner's default otherwise."""
        if not currency_code or currency_code == company.currency_id.name:
            return self.env["product.pricelist"]
        pricelist = self.env["product.pricelist"].search(
            [("currency_id.name", "=", currency_code), ("company_id", "in", [company.id, False])],
            limit=1,
        )
        if not pricelist:
            raise NeedsAttention(
                self.env._(
                    "The order is in %s: create a pricelist in that currency, then retry.",
                    currency_code,
                )
            )
        return pricelist

    def _synco_add_shipping(self, shop, ship, taxes_included):
        """A delivery line as Shopify charged it, with the mapped carrier."""
        self.ensure_one()
        carrier = self._synco_carrier(ship)
        if not self.carrier_id:
            self.carrier_id = carrier
        vals = self._prepare_delivery_line_vals(carrier, float(ship.price))
        taxes = self.env["sale.order.line"]._synco_taxes(
            self.company_id, ship.tax_rates, taxes_included
        )
        vals[odoo_compat.SALE_LINE_TAXES] = [Command.set(taxes.ids)]
        vals["name"] = ship.title or vals["name"]
        self.env["sale.order.line"].create(vals)

    def _synco_carrier(self, ship):
        """The carrier named like Shopify's shipping line (title or code, by
        name or Shopify tracking company), else the generic Shopify one."""
        Carrier = self.env["delivery.carrier"]
        company = [("company_id", "in", [self.company_id.id, False])]
        for label in (ship.title, ship.code):
            if not label:
                continue
            carrier = Carrier.search(
                [
                    "|",
                    ("name", "=ilike", label),
                    ("shopify_tracking_company", "=ilike", label),
                    *company,
                ],
                limit=1,
            )
            if carrier:
                return carrier
        return self.env.ref("synco_shopify.delivery_carrier_shopify")

    # -- an order already in Odoo ---------------------------------------------------

    def _synco_apply_shopify_state(self, order, client):
        """Shopify's edits and refunds set the sale lines to the current
        quantities (a replay finds nothing to change); a Shopify
        cancellation cancels, but only while nothing has shipped."""
        self.ensure_one()
        if not order.get("cancelledAt"):
            return self.order_line._synco_follow_shopify(self, order, client)
        if self.state == "cancel":
            return f"already cancelled: {self.name}"
        shipped = self.picking_ids.filtered(
            lambda p: p.picking_type_code in SHIPPING_CODES and p.state == "done"
        )
        if shipped:
            raise NeedsAttention(
                self.env._(
                    "Shopify cancelled order %(name)s, but %(order)s has already shipped "
                    "%(pickings)s: Odoo left it unchanged; decide what to do with the rest.",
                    name=order.get("name"),
                    order=self.name,
                    pickings=", ".join(shipped.mapped("name")),
                )
            )
        if self.locked:
            self.action_unlock()
        # Shopify cancelled it: nothing is left open there to flag.
        self.with_context(disable_cancel_warning=True, synco_from_shopify=True).action_cancel()
        self.message_post(
            body=self.env._("Cancelled in Shopify: cancelled here too."),
            subtype_xmlid="mail.mt_note",
        )
        return f"cancelled {self.name}"
