"""Odoo as a Shopify fulfillment service: a warehouse run in Odoo that
Shopify routes orders to as it routes them to a 3PL app.

The shop's button registers the service (``fulfillmentServiceCreate``, its
callback on Odoo's public address); Shopify makes its location, which is
mapped to a warehouse and led by Odoo. Shopify's notification (controllers/
fulfillment_service.py) is a ping: it queues ``fsvc_read``, which reads
``assignedFulfillmentOrders`` and queues one ``fsvc_answer`` per request,
behind the order's import. The answer accepts a request once the order is
in Odoo and every line maps to a product, or rejects it naming what is
missing; it accepts a cancellation while nothing has shipped (the Odoo
delivery is cancelled) and rejects it once something has. Accepted
requests are fulfilled by the usual Odoo-led push (planning/push.py). A
cron reads every few minutes, so a lost notification costs minutes.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..planning import fulfillment_service as planner
from ..queue.policy import NeedsAttention, RetryLater
from ..shopify import const, queries, reads
from ..shopify.errors import ShopifyError
from ..shopify.ids import legacy_id, to_gid
from ..shopify.webhooks import FSVC_READ

_logger = logging.getLogger(__name__)

# How long an accepted-but-not-yet-imported order waits between looks.
IMPORT_WAIT = 60
# Three cron rounds without a read: the launch checks say so.
STALE_MINUTES = 15
PAGE = 5  # fulfillment orders per read: 50 lines each stays under 1,000 points


class SyncoShopFulfillmentService(models.Model):
    _inherit = "synco.shop"

    fulfillment_service_gid = fields.Char(
        string="Fulfillment Service ID",
        readonly=True,
        copy=False,
        help="Shopify's id of Odoo as a fulfillment service of this store, once registered.",
    )
    fulfillment_service_location_id = fields.Char(
        string="Fulfillment Service Location ID",
        readonly=True,
        copy=False,
        help="The numeric id of the Shopify location the fulfillment service owns.",
    )
    fulfillment_service_warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        help="The warehouse that fulfills the requests Shopify sends Odoo as a fulfillment "
        "service. Empty: the first warehouse of the company no other location maps to.",
    )
    fulfillment_service_checked_at = fields.Datetime(
        string="Requests Last Read",
        readonly=True,
        copy=False,
        help="When Odoo last read the fulfillment and cancellation requests assigned to it.",
    )

    # -- registering -------------------------------------------------------------

    def _fulfillment_service_address(self):
        """The callback URL: Odoo's public address (the one webhooks use,
        with its checks) and the service's route."""
        webhook = self._webhook_address()
        return webhook.removesuffix(const.WEBHOOK_ROUTE) + const.FULFILLMENT_SERVICE_ROUTE

    def action_register_fulfillment_service(self):
        """Register Odoo as a fulfillment service of the store, once; map its
        location to a warehouse, Odoo-led."""
        self.ensure_one()
        if self.fulfillment_service_gid:
            raise UserError(
                self.env._("Odoo is already a fulfillment service of %s.", self.shop_domain)
            )
        callback = self._fulfillment_service_address()
        try:
            answer = self._shopify_client().execute(
                queries.FULFILLMENT_SERVICE_CREATE,
                {"name": self._fulfillment_service_name(), "callbackUrl": callback},
            )["fulfillmentServiceCreate"]
        except ShopifyError as exc:
            raise UserError(str(exc)) from None
        if answer.get("userErrors"):
            raise UserError(
                self.env._(
                    "Shopify refused to register the fulfillment service: %s",
                    planner.refused(answer),
                )
            )
        service = answer["fulfillmentService"]
        location_id = legacy_id(service["location"]["id"])
        self.write(
            {
                "fulfillment_service_gid": service["id"],
                "fulfillment_service_location_id": location_id,
            }
        )
        try:
            self.env["synco.location.map"]._sync_from_shopify(self)
        except ShopifyError as exc:
            raise UserError(str(exc)) from None
        mapping = self.location_map_ids._find(location_id=location_id)
        warehouse = self._fulfillment_service_warehouse(mapping)
        self._synco_fsvc_lead(mapping, warehouse)
        message = self.env._(
            "Registered as the Shopify fulfillment service '%(name)s' (callback %(url)s); its "
            "location is mapped to %(warehouse)s, Odoo-led.",
            name=service["serviceName"],
            url=callback,
            warehouse=warehouse.name or self.env._("no warehouse yet: map one"),
        )
        self.message_post(body=message)
        return self._notify(message, "success")

    def _synco_fsvc_lead(self, mapping, warehouse):
        """Map the service's location to ``warehouse``, Odoo-led. A
        Shopify-led shop becomes per location, its other locations staying
        Shopify-led."""
        if warehouse and self.fulfillment_direction == const.SHOPIFY_TO_ODOO:
            (self.location_map_ids - mapping).write({"direction": const.SHOPIFY_TO_ODOO})
            self.fulfillment_direction = const.PER_LOCATION
        mapping.write({"direction": const.ODOO_TO_SHOPIFY, "warehouse_id": warehouse.id})

    def _fulfillment_service_name(self):
        return f"{self.company_id.name} (Odoo)"

    def _fulfillment_service_warehouse(self, mapping):
        """The chosen warehouse, else the company's first no other location
        of the shop maps to (the empty recordset when every one is taken)."""
        if self.fulfillment_service_warehouse_id:
            return self.fulfillment_service_warehouse_id
        if mapping.warehouse_id:
            return mapping.warehouse_id
        taken = (self.location_map_ids - mapping).warehouse_id
        return self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id), ("id", "not in", taken.ids)],
            order="sequence, id",
            limit=1,
        )

    def _fulfillment_service_mapping(self):
        self.ensure_one()
        return self.location_map_ids._find(location_id=self.fulfillment_service_location_id)

    # -- reading the requests --------------------------------------------------------

    def _synco_enqueue_fsvc_read(self):
        for shop in self.filtered("fulfillment_service_gid"):
            self.env["synco.job"]._enqueue(
                shop, "fsvc_read", model=self._name, dedupe_key=FSVC_READ
            )

    @api.model
    def _synco_cron_fulfillment_service(self):
        """Every few minutes: a lost notification is found by reading."""
        self.search(
            [
                ("state", "=", "connected"),
                ("pause_reason", "=", False),
                ("fulfillment_service_gid", "!=", False),
            ]
        )._synco_enqueue_fsvc_read()

    @api.model
    def _synco_job_fsvc_read(self, job):
        """Queue one answer per fulfillment or cancellation request assigned
        to the service's location, behind its order's import. Queued by
        Shopify's notification (a ping: ``shopify/webhooks.py``) and by the
        cron."""
        shop = job.shop_id
        kind = (job.payload or {}).get("kind")
        if not shop.fulfillment_service_gid:
            return f"{kind or 'read'}: this shop has no fulfillment service registered"
        return shop._synco_read_fsvc_requests(job)

    def _synco_read_fsvc_requests(self, job):
        self.ensure_one()
        client = job._client()
        location = to_gid("Location", self.fulfillment_service_location_id)
        queued = 0
        for status in (planner.REQUESTED, planner.CANCELLING):
            variables = {"status": status, "locationIds": [location], "first": PAGE}
            for fo in client.paginate(
                queries.ASSIGNED_FULFILLMENT_ORDERS, variables, ("assignedFulfillmentOrders",)
            ):
                order_id = legacy_id(fo["order"]["id"])
                self.env["sale.order"]._synco_import_first(self, order_id, "fsvc_answer")
                self.env["synco.job"]._enqueue(
                    self,
                    "fsvc_answer",
                    model=self._name,
                    payload={"fulfillment_order_id": fo["id"], "order_id": order_id},
                    dedupe_key=f"fsvc_answer:{legacy_id(fo['id'])}:{fo['requestStatus']}",
                    order_ref=order_id,
                )
                queued += 1
        self.fulfillment_service_checked_at = fields.Datetime.now()
        return f"{queued} request(s) to answer"

    # -- answering one request ---------------------------------------------------------

    @api.model
    def _synco_job_fsvc_answer(self, job):
        """Answer the fulfillment order's request as it is now: a replay, or
        a request answered meanwhile, finds nothing left to answer."""
        shop = job.shop_id
        client = job._client()
        # Read through the order: every line of the request, however many.
        wanted = legacy_id(job.payload["fulfillment_order_id"])
        order_gid = to_gid("Order", job.payload["order_id"])
        fo = next(
            (
                f
                for f in reads.fulfillment_orders(client, order_gid)
                if legacy_id(f["id"]) == wanted
            ),
            None,
        )
        if not fo:
            return "the fulfillment order no longer exists"
        status = fo.get("requestStatus")
        sale = self.env["sale.order"]._synco_find(shop, job.payload["order_id"])
        if status == "SUBMITTED":
            return shop._synco_fsvc_answer_request(client, fo, sale)
        if status == "CANCELLATION_REQUESTED":
            return shop._synco_fsvc_answer_cancellation(client, fo, sale)
        return f"nothing to answer: request {status}"

    def _synco_fsvc_answer_request(self, client, fo, sale):
        lines = planner.lines_of(fo)
        skus = {sku for _item, sku in lines if sku}
        known = set(
            self.env["product.product"]
            .with_company(self.company_id)
            .search(
                [
                    ("default_code", "in", list(skus)),
                    ("company_id", "in", [self.company_id.id, False]),
                ]
            )
            .mapped("default_code")
        )
        items = sale.order_line.mapped("shopify_line_item_id") if sale else None
        decision = planner.decide_request(fo, items, known)
        if decision.action == planner.WAIT:
            raise RetryLater(
                self.env._("The order is not in Odoo yet: the request waits for its import."),
                delay=IMPORT_WAIT,
            )
        if decision.action == planner.ACCEPT:
            self._synco_fsvc_mutate(
                client, queries.FULFILLMENT_REQUEST_ACCEPT, {"id": fo["id"], "message": None}
            )
            sale.message_post(
                body=self.env._("Shopify's fulfillment request accepted: Odoo ships this order.")
            )
            return "fulfillment request accepted"
        self._synco_fsvc_mutate(
            client,
            queries.FULFILLMENT_REQUEST_REJECT,
            {"id": fo["id"], "message": decision.message, "reason": decision.reason},
        )
        (sale or self).message_post(
            body=self.env._(
                "Shopify's fulfillment request of %(order)s rejected: %(why)s",
                order=(fo.get("order") or {}).get("name") or fo["id"],
                why=decision.message,
            )
        )
        return f"fulfillment request rejected: {decision.message}"

    def _synco_fsvc_answer_cancellation(self, client, fo, sale):
        warehouse = self._fulfillment_service_mapping().warehouse_id
        pickings = self._synco_fsvc_pickings(sale, fo, warehouse)
        shipped = pickings.filtered(lambda p: p.state == "done")
        decision = planner.decide_cancellation(shipped.mapped("name"))
        if decision.action == planner.ACCEPT:
            open_ones = pickings.filtered(lambda p: p.state != "cancel")
            open_ones.with_context(synco_from_shopify=True).action_cancel()
            self._synco_fsvc_mutate(
                client,
                queries.CANCELLATION_REQUEST_ACCEPT,
                {"id": fo["id"], "message": decision.message},
            )
            if sale:
                sale.message_post(
                    body=self.env._(
                        "Shopify asked to cancel its fulfillment request: accepted, delivery "
                        "%s cancelled.",
                        ", ".join(open_ones.mapped("name")) or "-",
                    )
                )
            return f"cancellation accepted: {len(open_ones)} delivery(ies) cancelled"
        self._synco_fsvc_mutate(
            client,
            queries.CANCELLATION_REQUEST_REJECT,
            {"id": fo["id"], "message": decision.message},
        )
        sale.message_post(
            body=self.env._(
                "Shopify asked to cancel its fulfillment request: rejected, %s",
                decision.message,
            )
        )
        return f"cancellation rejected: {decision.message}"

    def _synco_fsvc_pickings(self, sale, fo, warehouse):
        """The order's deliveries from the service's warehouse that carry
        the fulfillment order's lines."""
        items = {str(item) for item, _sku in planner.lines_of(fo)}
        if not sale:
            return self.env["stock.picking"]
        return sale.picking_ids.filtered(
            lambda p: (
                p.picking_type_code == "outgoing"
                and (not warehouse or p.picking_type_id.warehouse_id == warehouse)
                and any(m.sale_line_id.shopify_line_item_id in items for m in p.move_ids)
            )
        )

    def _synco_fsvc_mutate(self, client, document, variables):
        """Send one answer; a refusal needs a person (the request changed)."""
        answer = next(iter(client.execute(document, variables).values()))
        refused = planner.refused(answer)
        if refused:
            raise NeedsAttention(self.env._("Shopify refused the answer: %s", refused))
        return answer

    # -- the launch checks -------------------------------------------------------------

    def _synco_fsvc_launch_facts(self):
        """What the launch checks report of the fulfillment service; None
        when the shop registered none (the feature is optional)."""
        self.ensure_one()
        if not self.fulfillment_service_gid:
            return None
        mapping = self._fulfillment_service_mapping()
        checked = self.fulfillment_service_checked_at
        recent = fields.Datetime.now() - timedelta(minutes=STALE_MINUTES)
        waiting = self.env["synco.job"].search_count(
            [
                ("shop_id", "=", self.id),
                ("job_type", "=", "fsvc_answer"),
                ("state", "in", ("pending", "running", "failed")),
            ]
        )
        return {
            "location_id": self.fulfillment_service_location_id,
            "location_name": mapping.name or self.fulfillment_service_location_id,
            "warehouse": mapping.warehouse_id.name,
            "odoo_led": self._direction_for(
                shopify_location_id=self.fulfillment_service_location_id
            )
            == const.ODOO_TO_SHOPIFY,
            "scopes": list(const.REQUIRED_SCOPES["fulfillment_service"]),
            "read_recently": bool(checked and checked >= recent),
            "last_read": fields.Datetime.to_string(checked) if checked else None,
            "waiting": waiting,
        }

    # -- the push: a request still submitted when its delivery ships ------------------

    def _synco_fsvc_accept_before_push(self, client, fulfillment_orders, location_id):
        """The push found the service's own request still SUBMITTED (the
        delivery shipped before the answer job ran): accept it now, so the
        push can fulfill it. Returns whether anything was accepted."""
        self.ensure_one()
        if str(location_id) != str(self.fulfillment_service_location_id or ""):
            return False
        accepted = False
        for fo in fulfillment_orders:
            location = (fo.get("assignedLocation") or {}).get("location") or {}
            here = str(location.get("legacyResourceId") or "") == str(location_id)
            if here and fo.get("requestStatus") == "SUBMITTED":
                self._synco_fsvc_mutate(
                    client, queries.FULFILLMENT_REQUEST_ACCEPT, {"id": fo["id"], "message": None}
                )
                accepted = True
        return accepted
