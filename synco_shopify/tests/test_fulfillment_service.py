import json
import uuid

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..shopify.const import FULFILLMENT_NOTIFICATION_ROUTE, FULFILLMENT_NOTIFICATION_TOPIC
from ..shopify.webhooks import sign
from .common import CLIENT_SECRET, SHOP_DOMAIN, SyncoHttpOrderCase


@tagged("post_install", "-at_install")
class TestFulfillmentService(SyncoHttpOrderCase):
    """Odoo registered as the store's fulfillment service: Shopify's
    requests reach it as signed notifications, are accepted or rejected,
    fulfilled by the Odoo-led push, and their cancellations answered."""

    TOPICS = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", cls.base_url())
        cls.warehouse_svc = cls.env["stock.warehouse"].create({"name": "Service", "code": "SVC"})
        for product in (cls.anvil, cls.skates):
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse_svc.lot_stock_id, 100
            )
        cls.shop.fulfillment_service_warehouse_id = cls.warehouse_svc
        cls.shop.action_register_fulfillment_service()
        [service] = cls.sandbox.fulfillment_services()
        cls.service = service
        cls.loc_svc = service["location"]
        cls.sandbox.add_product("Ghost", sku="GHOST")

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()

    # -- helpers -------------------------------------------------------------------

    def service_order(self, quantity=3):
        """A Shopify order assigned to Odoo's service location, mirrored in Odoo."""
        shopify, sale = self.order(
            (self.anvil, quantity, self.loc_svc), warehouse=self.warehouse_svc
        )
        return shopify, sale, shopify["fulfillment_orders"][0]["id"]

    def fo(self, fo_id):
        return self.sandbox.fulfillment_order(fo_id)

    def submit(self, fo_id, notify=True):
        self.sandbox.submit_fulfillment_request(fo_id, notify=notify)
        return self.deliver()

    def accepted_order(self, quantity=3):
        shopify, sale, fo_id = self.service_order(quantity)
        self.submit(fo_id)
        self.assertEqual(self.fo(fo_id)["request_status"], "ACCEPTED")
        return shopify, sale, fo_id

    def jobs(self, job_type):
        return self.env["synco.job"].search([("job_type", "=", job_type)], order="id")

    def notify(self, body=b'{"kind":"FULFILLMENT_REQUEST"}', secret=CLIENT_SECRET, **headers):
        values = {
            "Content-Type": "application/json",
            "X-Shopify-Hmac-Sha256": sign(body, secret),
            "X-Shopify-Shop-Domain": SHOP_DOMAIN,
            **headers,
        }
        values = {k: v for k, v in values.items() if v is not None}
        return self.url_open(FULFILLMENT_NOTIFICATION_ROUTE, data=body, headers=values)

    # -- tests ---------------------------------------------------------------------

    def test_register_button_makes_the_service_with_its_location_mapped_odoo_led(self):
        self.assertEqual(
            self.service["callback_url"], f"{self.base_url()}/synco_shopify/fulfillment_service"
        )
        self.assertEqual(self.shop.fulfillment_service_gid, self.service["id"])
        mapping = self._map(self.loc_svc)
        self.assertTrue(mapping.is_fulfillment_service)
        self.assertEqual(mapping.warehouse_id, self.warehouse_svc)
        self.assertEqual(mapping.direction, "odoo_to_shopify")
        self.assertEqual(self.shop._direction_for(warehouse=self.warehouse_svc), "odoo_to_shopify")
        with self.assertRaises(UserError):
            self.shop.action_register_fulfillment_service()
        self.assertEqual(len(self.sandbox.fulfillment_services()), 1)

    def test_request_is_accepted_once_the_order_is_in_odoo(self):
        _shopify, sale, fo_id = self.service_order()
        self.submit(fo_id)
        event = self.env["synco.webhook.event"].search(
            [("topic", "=", FULFILLMENT_NOTIFICATION_TOPIC)], limit=1
        )
        self.assertEqual(event.state, "done", event.result)
        self.assertEqual(json.loads(event.payload), {"kind": "FULFILLMENT_REQUEST"})
        self.assertEqual(self.jobs("fsvc_answer").mapped("state"), ["done"])
        fo = self.fo(fo_id)
        self.assertEqual((fo["request_status"], fo["status"]), ("ACCEPTED", "IN_PROGRESS"))
        self.assertIn("accepted", sale.message_ids[0].body)

    def test_request_with_an_unknown_sku_is_rejected_naming_it(self):
        shopify = self.sandbox.create_order(
            email="wile@example.com",
            line_items=[
                {"sku": "ANVIL", "quantity": 1, "location_id": self.loc_svc["id"]},
                {"sku": "GHOST", "quantity": 1, "location_id": self.loc_svc["id"]},
            ],
        )
        fo_id = shopify["fulfillment_orders"][0]["id"]
        self.submit(fo_id)
        # The order's import ran first (ordered before the answer) and stopped.
        imports = self.jobs("import_order")
        self.assertEqual(imports.mapped("state"), ["failed"])
        self.assertIn("GHOST", imports.last_error)
        fo = self.fo(fo_id)
        self.assertEqual(fo["request_status"], "REJECTED")
        answer = fo["merchant_requests"][-1]
        self.assertEqual(answer["reason"], "INVALID_SKU")
        self.assertIn("GHOST", answer["message"])
        self.assertNotIn("ANVIL", answer["message"])

    def test_accepted_request_is_fulfilled_by_validations_partial_then_backorder(self):
        shopify, sale, fo_id = self.accepted_order(quantity=3)
        backorder = self.validate(sale.picking_ids, {self.anvil: 2}, tracking="1Z-FIRST")
        self.run_jobs()
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "PARTIALLY_FULFILLED")
        self.assertEqual(order["fulfillments"][0]["tracking"][0]["number"], "1Z-FIRST")
        self.assertEqual(self.fo(fo_id)["line_items"][0]["remaining_quantity"], 1)
        self.validate(backorder, tracking="1Z-SECOND")
        self.run_jobs()
        order = self.shopify_order(shopify)
        self.assertEqual(order["display_fulfillment_status"], "FULFILLED")
        self.assertEqual(len(order["fulfillments"]), 2)
        self.assertEqual(self.jobs("push_fulfillment").mapped("state"), ["done", "done"])

    def test_push_accepts_a_request_still_submitted_when_its_delivery_ships(self):
        shopify, sale, fo_id = self.service_order(quantity=1)
        self.sandbox.submit_fulfillment_request(fo_id, notify=False)
        self.validate(sale.picking_ids)
        self.run_jobs()
        self.assertEqual(self.fo(fo_id)["request_status"], "ACCEPTED")
        self.assertEqual(self.shopify_order(shopify)["display_fulfillment_status"], "FULFILLED")

    def test_cancellation_before_shipping_is_accepted_and_cancels_the_delivery(self):
        _shopify, sale, fo_id = self.accepted_order()
        delivery = sale.picking_ids
        self.sandbox.request_cancellation(fo_id)
        self.deliver()
        self.assertEqual(delivery.state, "cancel")
        fo = self.fo(fo_id)
        self.assertEqual(fo["request_status"], "CANCELLATION_ACCEPTED")
        self.assertIn("cancelled", sale.message_ids[0].body)

    def test_cancellation_after_shipping_is_rejected_with_a_message(self):
        _shopify, sale, fo_id = self.accepted_order(quantity=3)
        shipped = sale.picking_ids
        backorder = self.validate(shipped, {self.anvil: 1})
        self.run_jobs()
        self.sandbox.request_cancellation(fo_id)
        self.deliver()
        fo = self.fo(fo_id)
        self.assertEqual(fo["request_status"], "CANCELLATION_REJECTED")
        self.assertIn(shipped.name, fo["merchant_requests"][-1]["message"])
        self.assertEqual(backorder.state, "assigned")
        # What is left still ships and fulfills.
        self.validate(backorder)
        self.run_jobs()
        self.assertEqual(self.fo(fo_id)["status"], "CLOSED")

    def test_a_lost_notification_is_found_by_the_periodic_read(self):
        _shopify, _sale, fo_id = self.service_order()
        self.submit(fo_id, notify=False)
        self.assertEqual(self.fo(fo_id)["request_status"], "SUBMITTED")
        cron = self.env.ref("synco_shopify.ir_cron_synco_fulfillment_service")
        self.assertEqual((cron.interval_number, cron.interval_type), (5, "minutes"))
        self.env["synco.shop"]._synco_cron_fulfillment_service()
        self.run_jobs()
        self.assertEqual(self.fo(fo_id)["request_status"], "ACCEPTED")
        self.assertTrue(self.shop.fulfillment_service_checked_at)

    def test_notification_endpoint_answers_bad_input_with_4xx_never_5xx(self):
        cases = {
            "no signature": self.notify(**{"X-Shopify-Hmac-Sha256": None}),
            "bad signature": self.notify(secret="wrong"),
            "unknown shop": self.notify(**{"X-Shopify-Shop-Domain": "other.myshopify.com"}),
            "no shop": self.notify(**{"X-Shopify-Shop-Domain": None}),
            "not json": self.notify(body=b"kind=FULFILLMENT_REQUEST"),
        }
        statuses = {name: response.status_code for name, response in cases.items()}
        self.assertEqual(
            statuses,
            {
                "no signature": 401,
                "bad signature": 401,
                "unknown shop": 401,
                "no shop": 400,
                "not json": 400,
            },
        )
        self.assertFalse(
            self.env["synco.webhook.event"].search([("topic", "=", FULFILLMENT_NOTIFICATION_TOPIC)])
        )

    def test_a_replayed_notification_changes_nothing(self):
        _shopify, _sale, fo_id = self.accepted_order()
        delivery_id = str(uuid.uuid4())
        first = self.notify(**{"X-Shopify-Webhook-Id": delivery_id})
        again = self.notify(**{"X-Shopify-Webhook-Id": delivery_id})
        self.assertEqual((first.status_code, first.text), (200, "accepted"))
        self.assertEqual((again.status_code, again.text), (200, "duplicate"))
        answers = len(self.jobs("fsvc_answer"))
        self.run_jobs()
        self.assertEqual(len(self.jobs("fsvc_answer")), answers, "nothing new to answer")
        self.assertEqual(self.jobs("fsvc_read")[-1].result, "0 request(s) to answer")
        # An answer job replayed on a request already answered does nothing.
        answered = self.jobs("fsvc_answer")[-1]
        replay = self.env["synco.job"]._enqueue(
            self.shop,
            "fsvc_answer",
            model="synco.shop",
            payload=answered.payload,
            dedupe_key=f"replay:{answered.id}",
        )
        self.run_jobs()
        self.assertEqual(replay.result, "nothing to answer: request ACCEPTED")
        self.assertEqual(self.fo(fo_id)["request_status"], "ACCEPTED")

    def test_launch_checks_report_the_fulfillment_service(self):
        self.shop.fulfillment_service_checked_at = False
        wizard = self.env["synco.launch.check.wizard"].create({"shop_id": self.shop.id})
        check = {c.key: c for c in wizard._run_checks()}["fulfillment_service"]
        self.assertFalse(check.ok)
        self.assertIn("last read never", check.message)
        self.env["synco.shop"]._synco_cron_fulfillment_service()
        self.run_jobs()
        check = {c.key: c for c in wizard._run_checks()}["fulfillment_service"]
        self.assertTrue(check.ok, check.message)
        self.assertIn("ships from warehouse 'Service', Odoo-led", check.message)

    def test_a_shopify_led_shop_leads_only_the_service_location_from_odoo(self):
        self.shop.fulfillment_direction = "shopify_to_odoo"
        mapping = self._map(self.loc_svc)
        mapping.direction = "shopify_to_odoo"
        self.shop._synco_fsvc_lead(mapping, self.warehouse_svc)
        self.assertEqual(self.shop.fulfillment_direction, "per_location")
        self.assertEqual(self.shop._direction_for(warehouse=self.warehouse_svc), "odoo_to_shopify")
        self.assertEqual(self.shop._direction_for(warehouse=self.warehouse), "shopify_to_odoo")
        self.assertEqual(self.shop._direction_for(warehouse=self.warehouse_east), "shopify_to_odoo")
