import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

import requests
from odoo.tests import HttpCase, tagged

from .. import odoo_compat
from ..controllers import webhook as webhook_controller
from ..shopify import webhooks
from ..shopify.const import WEBHOOK_ROUTE
from ..shopify.webhooks import sign
from .common import CLIENT_ID, CLIENT_SECRET, SHOP_DOMAIN

URL = WEBHOOK_ROUTE
# A fulfillments/create body shaped like Shopify's, ids above 2**53.
PAYLOAD = {
    "id": 4508234567890123456,
    "order_id": 5512345678901234567,
    "status": "success",
    "location_id": 7012345678901234567,
    "tracking_company": "UPS",
    "tracking_number": "1Z999AA10123456784",
    "tracking_numbers": ["1Z999AA10123456784"],
    "line_items": [{"id": 13412345678901234567, "sku": "SKU-1", "quantity": 1}],
    "admin_graphql_api_id": "gid://shopify/Fulfillment/4508234567890123456",
}


@tagged("post_install", "-at_install")
class TestWebhookIntake(HttpCase):
    """The controller over real HTTP. It needs no sandbox: it never calls
    Shopify."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from cryptography.fernet import Fernet
        from odoo.tools import config

        cls.startClassPatcher(
            patch.dict(config.options, {"synco_shopify_key": Fernet.generate_key().decode()})
        )
        cls.shop = cls.env["synco.shop"].create(
            {
                "name": "Acme Test",
                "shop_domain": SHOP_DOMAIN,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            }
        )
        cls.Event = cls.env["synco.webhook.event"]
        cls.Job = cls.env["synco.job"]

    def deliver(
        self,
        body=None,
        topic="fulfillments/create",
        webhook_id=None,
        secret=CLIENT_SECRET,
        drop=(),
        domain=SHOP_DOMAIN,
        own_connection=False,
        **extra,
    ):
        raw = body if isinstance(body, bytes) else json.dumps(body or PAYLOAD).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(raw, secret),
            "X-Shopify-Shop-Domain": domain,
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": "2026-11-27T12:00:00.000Z",
            **extra,
        }
        for name in drop:
            headers.pop(name)
        if own_connection:  # a sender of its own, as Shopify's concurrent deliveries are
            return requests.post(self.base_url() + URL, data=raw, headers=headers, timeout=30)
        return self.url_open(URL, data=raw, headers=headers, allow_redirects=False)

    def events(self, webhook_id):
        return self.Event.search([("webhook_id", "=", webhook_id)])

    def test_valid_delivery_is_stored_queued_and_answered_200(self):
        response = self.deliver(webhook_id="wh-valid")
        self.assertEqual(response.status_code, 200)
        event = self.events("wh-valid")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.topic, "fulfillments/create")
        self.assertEqual(event.api_version, "2026-10")
        self.assertTrue(event.event_id)
        self.assertEqual(event.state, "queued")
        self.assertEqual(
            json.loads(event.payload)["id"], PAYLOAD["id"], "ids above 2**53 stay exact"
        )
        self.assertEqual(event.job_id.state, "pending")
        self.assertFalse(event.result)
        # The event follows its job.
        event.job_id.write({"state": "done"})
        self.assertEqual(event.state, "done")
        event.job_id.write({"state": "failed"})
        self.assertEqual(event.state, "failed")

    def test_a_fulfillment_delivery_is_one_apply_job_from_one_parse_of_the_body(self):
        self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Wile E. Coyote"}).id,
                "synco_shop_id": self.shop.id,
                "shopify_order_id": str(PAYLOAD["order_id"]),
            }
        )
        calls = []
        real = webhook_controller.parse_payload

        def counting(body):
            calls.append(body)
            return real(body)

        with (
            patch.object(webhook_controller, "parse_payload", counting),
            patch.object(type(self.Event), "_payload", side_effect=AssertionError("parsed again")),
        ):
            self.assertEqual(self.deliver(webhook_id="wh-one").status_code, 200)
        self.assertEqual(len(calls), 1, "the body is parsed once, in the controller")
        event = self.events("wh-one")
        jobs = self.Job.search([("shop_id", "=", self.shop.id)])
        self.assertEqual(jobs, event.job_id, "one job for the delivery, no relay job")
        self.assertEqual(jobs.job_type, "apply_fulfillment")
        self.assertEqual(jobs.order_ref, str(PAYLOAD["order_id"]))
        self.assertEqual(jobs.dedupe_key, f"fulfillment:{PAYLOAD['id']}")
        self.assertEqual(
            jobs.payload,
            {
                "fulfillment_id": str(PAYLOAD["id"]),
                "order_id": str(PAYLOAD["order_id"]),
                "status": "success",
                "tracking_numbers": ["1Z999AA10123456784"],
                "tracking_company": "UPS",
                "fulfillment": webhooks.fulfillment_of_webhook(PAYLOAD),
            },
        )
        self.assertEqual(
            jobs.payload["fulfillment"]["fulfillmentLineItems"]["nodes"],
            [{"quantity": 1, "lineItem": {"id": "gid://shopify/LineItem/13412345678901234567"}}],
            "the fulfillment the body describes, its ids whole",
        )

    def test_a_relay_job_queued_before_the_upgrade_queues_the_deliverys_own_job(self):
        # Before one job per webhook, a delivery was stored with a "webhook"
        # job naming its event and no payload; one still queued at the
        # upgrade must do the delivery's work, not drop it.
        self.assertEqual(self.deliver(webhook_id="wh-old").status_code, 200)
        event = self.events("wh-old")
        event.job_id.unlink()
        relay = self.Job._enqueue(self.shop, "webhook", record=event, dedupe_key="webhook:old")
        self.assertFalse(relay.payload)
        relay.sudo()._handler_target()._synco_job_webhook(relay)
        self.assertEqual(event.job_id.job_type, "apply_fulfillment")
        self.assertEqual(event.job_id.payload["fulfillment_id"], str(PAYLOAD["id"]))
        self.assertEqual(event.job_id.order_ref, str(PAYLOAD["order_id"]))

    def test_a_fulfillment_of_an_order_odoo_lacks_queues_the_import_ahead_of_it(self):
        self.deliver(webhook_id="wh-early")
        apply = self.events("wh-early").job_id
        (first, second) = self.Job.search([("shop_id", "=", self.shop.id)], order="id")
        self.assertEqual((first.job_type, second), ("import_order", apply))
        self.assertEqual(first.order_ref, apply.order_ref)
        self.assertEqual(first.payload["source"], "before apply_fulfillment")
        self.deliver(webhook_id="wh-early-2", topic="fulfillments/update")
        self.assertEqual(self.Job.search_count([("shop_id", "=", self.shop.id)]), 2)

    def test_a_later_delivery_with_another_status_does_not_hide_behind_the_queued_job(self):
        self.deliver(webhook_id="wh-first")
        job = self.events("wh-first").job_id
        self.assertEqual(job.payload["status"], "success")
        # The same delivery again under another id (Shopify's "update" of
        # the same state): the queued job keeps what both say.
        self.deliver(webhook_id="wh-same")
        self.assertEqual(self.events("wh-same").job_id, job)
        self.assertEqual(job.payload["tracking_numbers"], ["1Z999AA10123456784"])
        # A newer state: still one job, which no longer claims to know the
        # status or tracking, so it reads the fulfillment.
        newer = {**PAYLOAD, "status": "cancelled", "tracking_numbers": []}
        self.deliver(body=newer, webhook_id="wh-newer", topic="fulfillments/update")
        self.assertEqual(self.events("wh-newer").job_id, job)
        job.invalidate_recordset()
        self.assertEqual(
            job.payload,
            {"fulfillment_id": str(PAYLOAD["id"]), "order_id": str(PAYLOAD["order_id"])},
        )
        # While the job runs (it may have read already), a delivery queues
        # a job of its own behind it, in the order's sequence.
        job.write({"state": "running"})
        self.env.flush_all()
        self.deliver(body=newer, webhook_id="wh-running", topic="fulfillments/update")
        after = self.events("wh-running").job_id
        self.assertNotEqual(after, job)
        self.assertEqual(after.dedupe_key, f"fulfillment:{PAYLOAD['id']}:next")
        self.assertEqual((after.order_ref, after.payload["status"]), (job.order_ref, "cancelled"))
        self.assertGreater(after.id, job.id)

    def test_a_body_lacking_what_its_topic_needs_is_stored_as_failed_without_a_job(self):
        body = {key: value for key, value in PAYLOAD.items() if key != "id"}
        self.assertEqual(self.deliver(body=body, webhook_id="wh-noid").status_code, 200)
        event = self.events("wh-noid")
        self.assertEqual(event.state, "failed")
        self.assertIn("no valid fulfillment id", event.result)
        self.assertFalse(event.job_id)
        self.assertFalse(self.Job.search([("shop_id", "=", self.shop.id)]))

    def test_an_unhandled_topic_queues_nothing(self):
        self.deliver(body={"id": 1}, topic="customers/update", webhook_id="wh-customer")
        self.assertEqual(self.events("wh-customer").state, "ignored")
        self.assertFalse(self.Job.search([("shop_id", "=", self.shop.id)]))

    def test_unhandled_topic_is_stored_as_ignored_without_job(self):
        response = self.deliver(topic="products/update", webhook_id="wh-ignored")
        self.assertEqual(response.status_code, 200)
        event = self.events("wh-ignored")
        self.assertEqual(event.state, "ignored")
        self.assertFalse(event.job_id)
        self.assertFalse(event.result)

    def test_bad_missing_and_foreign_signatures_get_401(self):
        self.assertEqual(self.deliver(secret="wrong", webhook_id="wh-bad").status_code, 401)
        self.assertEqual(
            self.deliver(drop=["X-Shopify-Hmac-Sha256"], webhook_id="wh-none").status_code, 401
        )
        self.assertEqual(
            self.deliver(webhook_id="wh-empty", **{"X-Shopify-Hmac-Sha256": ""}).status_code, 401
        )
        self.assertFalse(
            self.Event.search([("webhook_id", "in", ["wh-bad", "wh-none", "wh-empty"])])
        )

    def test_previous_secret_is_accepted_within_its_window(self):
        self.shop.client_secret = "rotated-secret"
        self.assertEqual(self.deliver(secret=CLIENT_SECRET, webhook_id="wh-old").status_code, 200)
        self.assertEqual(
            self.deliver(secret="rotated-secret", webhook_id="wh-new").status_code, 200
        )
        self.shop.sudo().client_secret_previous_until = "2000-01-01 00:00:00"
        self.assertEqual(self.deliver(secret=CLIENT_SECRET, webhook_id="wh-late").status_code, 401)

    def test_missing_headers_get_400(self):
        for header in ("X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id"):
            response = self.deliver(drop=[header])
            self.assertEqual(response.status_code, 400, header)

    def test_non_json_body_gets_400(self):
        self.assertEqual(self.deliver(body=b"not json", webhook_id="wh-text").status_code, 400)
        self.assertEqual(self.deliver(body=b"[1, 2]", webhook_id="wh-list").status_code, 400)
        self.assertFalse(self.events("wh-text") | self.events("wh-list"))

    def test_oversized_body_gets_413(self):
        self.env["ir.config_parameter"].sudo().set_param("synco_shopify.webhook_max_bytes", "1024")
        big = json.dumps({**PAYLOAD, "note": "x" * 2000}).encode()
        self.assertEqual(self.deliver(body=big, webhook_id="wh-big").status_code, 413)
        self.assertFalse(self.events("wh-big"))

    def test_unknown_shop_gets_401(self):
        response = self.deliver(domain="stranger.myshopify.com", webhook_id="wh-stranger")
        self.assertEqual(response.status_code, 401)

    def test_sequential_duplicates_give_one_event_and_one_job(self):
        for _ in range(3):
            self.assertEqual(self.deliver(webhook_id="wh-dup").status_code, 200)
        event = self.events("wh-dup")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.job_id.job_type, "apply_fulfillment")
        jobs = self.Job.search([("shop_id", "=", self.shop.id)])
        self.assertEqual(sorted(jobs.mapped("job_type")), ["apply_fulfillment", "import_order"])

    def test_twenty_copies_sent_at_once_are_each_answered_200_with_one_event_and_one_job(self):
        # Twenty clients at once, but the test cursor serves their requests
        # one after another: this proves every copy's answer and the dedupe,
        # not the race. Copies racing on their own transactions (ON CONFLICT
        # meeting an uncommitted row, Odoo's retry of a serialization
        # failure) run in the live suite, on a real server:
        # tests_live/test_faults.py::test_concurrent_copies_of_one_delivery_are_all_answered_200.
        raw = json.dumps(PAYLOAD).encode()
        with odoo_compat.serving_requests(self), ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(
                pool.map(
                    lambda _i: (
                        self.deliver(
                            body=raw, webhook_id="wh-burst", own_connection=True
                        ).status_code
                    ),
                    range(20),
                )
            )
        self.assertEqual(statuses, [200] * 20)
        self.assertEqual(len(self.events("wh-burst")), 1)
        jobs = self.Job.search([("shop_id", "=", self.shop.id)])
        self.assertEqual(sorted(jobs.mapped("job_type")), ["apply_fulfillment", "import_order"])

    def test_get_is_not_allowed(self):
        response = self.url_open(URL, allow_redirects=False)
        self.assertGreaterEqual(response.status_code, 400)
        self.assertLess(response.status_code, 500)
