import logging
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

from ..planning import notes
from ..planning import orders as planner
from ..planning.retry import NeedsAttention
from ..shopify import queries, reads
from ..shopify.errors import ShopifyError
from ..shopify.ids import legacy_id, to_gid
from . import odoo_compat
from .odoo_compat import Constraint
from .synco_job import SYNC_STATES, sync_state

_logger = logging.getLogger(__name__)

# The catch-up reads again what changed this long before its last run:
# Shopify's updated_at and our clock may disagree, and a write may land late.
CATCH_UP_OVERLAP = timedelta(minutes=10)
# ORDERS_RECONCILE lists fulfillments too: 25 orders keep a page near 780 points.
RECONCILE_PAGE = 25


class SaleOrder(models.Model):
    _inherit = "sale.order"

    synco_shop_id = fields.Many2one(
        "synco.shop", string="Shopify Shop", index="btree_not_null", copy=False, readonly=True
    )
    shopify_order_id = fields.Char(
        string="Shopify Order ID", copy=False, readonly=True, help="Numeric id, as text."
    )
    synco_fulfillment_ids = fields.One2many(
        "synco.fulfillment", "sale_order_id", string="Shopify Fulfillments", readonly=True
    )

    synco_state = fields.Selection(
        SYNC_STATES, compute="_compute_synco_state", string="Shopify Status"
    )
    shopify_admin_url = fields.Char(compute="_compute_shopify_admin_url", string="Shopify Admin")
    shopify_hold_reason = fields.Char(
        string="Shopify Hold",
        compute="_compute_shopify_hold_reason",
        help="The Shopify holds its deliveries wait for.",
    )

    _synco_shopify_order_uniq = Constraint(
        "UNIQUE (synco_shop_id, shopify_order_id)", "This Shopify order is already in Odoo."
    )

    @api.depends("shopify_order_id", "synco_fulfillment_ids.state")
    def _compute_synco_state(self):
        """From the jobs of the order's deliveries, of the order itself and
        of its Shopify id (imports, Shopify fulfillments), in one query."""
        orders = self.filtered(lambda o: o.id and o.shopify_order_id)
        pickings = orders.picking_ids
        rows = self.env["synco.job"]._flags_of(
            SQL(
                "(res_model = 'stock.picking' AND res_id = ANY(%s))"
                " OR (res_model = 'sale.order' AND res_id = ANY(%s))"
                " OR (shop_id = ANY(%s) AND payload->>'order_id' = ANY(%s))",
                pickings.ids or [0],
                orders.ids or [0],
                orders.synco_shop_id.ids or [0],
                orders.mapped("shopify_order_id") or [""],
            )
        )
        flags = {}
        picking_order = {p.id: p.sale_id.id for p in pickings}
        by_ref = {(o.synco_shop_id.id, o.shopify_order_id): o.id for o in orders}
        for model, res_id, shop_id, order_ref, flag in rows:
            if model == "stock.picking":
                order_id = picking_order.get(res_id)
            elif model == "sale.order" and res_id:
                order_id = res_id
            else:
                order_id = by_ref.get((shop_id, order_ref))
            flags.setdefault(order_id, set()).add(flag)
        for order in self:
            order.synco_state = sync_state(
                flags.get(order.id, ()),
                order.sudo().synco_fulfillment_ids.mapped("state"),
                bool(order.shopify_order_id),
            )

    @api.depends("picking_ids.shopify_hold_reason")
    def _compute_shopify_hold_reason(self):
        for order in self:
            reasons = order.picking_ids.filtered("shopify_hold_reason")
            order.shopify_hold_reason = "; ".join(
                dict.fromkeys(f"{p.name}: {p.shopify_hold_reason}" for p in reasons)
            )

    @api.depends("shopify_order_id", "synco_shop_id.shop_domain")
    def _compute_shopify_admin_url(self):
        for order in self:
            shop = order.sudo().synco_shop_id
            order.shopify_admin_url = order.shopify_order_id and shop._admin_url(
                f"orders/{order.shopify_order_id}"
            )

    def action_open_in_shopify(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.shopify_admin_url, "target": "new"}

    # -- the three ways in: webhook, catch-up, manual ---------------------------

    @api.model
    def _synco_enqueue_import(self, shop, order_id, source, key="order"):
        """Queue the import of one Shopify order. Every source uses this one
        job keyed by the order id, so duplicates fold into one open job and
        jobs of one order run in turn."""
        order_id = legacy_id(order_id)
        return self.env["synco.job"]._enqueue(
            shop,
            "import_order",
            model="sale.order",
            payload={"order_id": order_id, "source": source},
            dedupe_key=f"{key}:{order_id}",
            ordering_key=f"order:{order_id}",
        )

    @api.model
    def _synco_on_order_webhook(self, event, job):
        """orders/create and orders/updated: queue an import; an order
        already in Odoo needs nothing unless Shopify cancelled it."""
        data = event._payload()
        existing = self._synco_find(event.shop_id, data["id"])
        if existing and not data.get("cancelled_at"):
            if existing.order_line._synco_differs_from(data.get("line_items") or ()):
                return self._synco_on_order_edit_webhook(event, job)
            return f"already imported as {existing.name}"
        import_job = self._synco_enqueue_import(event.shop_id, data["id"], event.topic)
        return f"import queued as job {import_job.id}"

    @api.model
    def _synco_on_order_edit_webhook(self, event, job):
        """orders/edited, refunds/create, and orders/updated with other
        quantities than Odoo's: a job of its own per delivery (one already
        running may have read the order before this change), in the order's
        turn; it reads the order as it is now, so replays change nothing."""
        data = event._payload()
        order_id = (data.get("order_edit") or {}).get("order_id") or data.get("order_id")
        order_id = order_id or data["id"]
        if not self._synco_find(event.shop_id, order_id):
            import_job = self._synco_enqueue_import(event.shop_id, order_id, event.topic)
            return f"not in Odoo: import queued as job {import_job.id}, it reads the order as it is"
        edit_job = self._synco_enqueue_import(
            event.shop_id, order_id, event.topic, f"edit:{event.webhook_id}"
        )
        return f"update queued as job {edit_job.id}"

    @api.model
    def _synco_on_order_cancelled_webhook(self, event, job):
        """orders/cancelled: queued as its own job (an import already
        running must not swallow it), after the order's other jobs; the job
        reads the order and applies the cancellation."""
        data = event._payload()
        cancel_job = self._synco_enqueue_import(event.shop_id, data["id"], event.topic, "cancel")
        return f"cancellation queued as job {cancel_job.id}"

    @api.model
    def _synco_cron_catch_up(self):
        """Queue an import of every order Shopify changed since the last
        catch-up (webhooks get lost or come late) that Odoo lacks, or that
        Shopify cancelled and Odoo has not; for the others, reconcile their
        fulfillments (``synco.reconcile``) from the same list, so no order
        is read on its own. Safe to run every minute: what is open or was
        tried is not queued again."""
        for shop in self.env["synco.shop"].search([("state", "=", "connected")]):
            started = fields.Datetime.now()
            since = (shop.orders_synced_at or shop.create_date) - CATCH_UP_OVERLAP
            query = f"updated_at:>'{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
            try:
                client = shop._shopify_client()
                variables = {"first": RECONCILE_PAGE, "query": query}
                nodes = list(client.paginate(queries.ORDERS_RECONCILE, variables, ("orders",)))
                reconciled = self.env["synco.reconcile"]._reconcile(shop, client, nodes, since)
            except ShopifyError as exc:
                _logger.warning("shop %s: order catch-up failed, will retry: %s", shop.id, exc)
                continue
            known = {
                order.shopify_order_id: order.state
                for order in self.search_fetch(
                    [
                        ("synco_shop_id", "=", shop.id),
                        ("shopify_order_id", "in", [n["legacyResourceId"] for n in nodes]),
                    ],
                    ["shopify_order_id", "state"],
                )
            }
            stale = [
                n
                for n in nodes
                if n["legacyResourceId"] not in known
                or (n["cancelledAt"] and known[n["legacyResourceId"]] != "cancel")
            ]
            for node in stale:
                self._synco_enqueue_import(shop, node["id"], "catch-up")
            shop.orders_synced_at = started
            _logger.info(
                "shop %s: order catch-up listed %s orders, queued %s imports, reconciled %s",
                shop.id,
                len(nodes),
                len(stale),
                reconciled,
            )

    @api.model
    def _synco_find(self, shop, order_id):
        return self.search(
            [("synco_shop_id", "=", shop.id), ("shopify_order_id", "=", legacy_id(order_id))],
            limit=1,
        )

    # -- the job ------------------------------------------------------------------

    @api.model
    def _synco_job_import_order(self, job):
        """Make Odoo hold the Shopify order as it is now: read it, then
        create it once (confirmed, so its deliveries exist), or apply its
        cancellation to the sale order already here."""
        shop = job.shop_id
        order_id = legacy_id(job.payload["order_id"])
        client = job._client()
        order = self._synco_read_order(client, order_id)
        if not order:
            return self._synco_skip(shop, order_id, "the order no longer exists in Shopify")
        existing = self._synco_find(shop, order_id)
        if existing:
            return existing._synco_apply_shopify_state(order, client)
        plan = self._synco_plan(shop, order, client)
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
        return self._synco_create_from_plan(shop, plan, order)

    @api.model
    def _synco_plan(self, shop, order, client):
        """The sale order plan of ``order``, with its fulfillment orders read."""
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
    def _synco_create_from_plan(self, shop, plan, order):
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
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
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
