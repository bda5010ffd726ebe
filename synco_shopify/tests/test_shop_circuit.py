from types import SimpleNamespace

from odoo.tests import new_test_user, tagged

from ..queue import registry
from ..queue.policy import PROBE_SCHEDULE
from ..shopify import clients, const
from .common import ACCESS_TOKEN, CLIENT_SECRET, SyncoOrderCase

MANY_PROBES = len(PROBE_SCHEDULE) + 4


@tagged("post_install", "-at_install")
class TestShopCircuit(SyncoOrderCase):
    """Shopify unreachable or refusing the app: the shop pauses, its jobs
    wait without using attempts, and they all run once it is back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="circuit-manager",
            groups="base.group_user,synco_shopify.group_synco_manager",
        )

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.sandbox.outage(0)
        self.addCleanup(self.sandbox.outage, 0)
        # Attempts would run out within this test if an outage counted them.
        self.env["ir.config_parameter"].set_param("synco_shopify.job_max_attempts", "2")

    def jobs(self, job_type="push_fulfillment"):
        return self.env["synco.job"].search(
            [("shop_id", "=", self.shop.id), ("job_type", "=", job_type)], order="id"
        )

    def validated(self, count):
        sales = []
        for _ in range(count):
            _shopify, sale = self.order((self.anvil, 1, self.loc_main))
            self.validate(sale.picking_ids)
            sales.append(sale)
        return sales

    def shopify_fulfillments(self, sale):
        order = self.sandbox.order(sale.shopify_order_id)
        return [f for f in order["fulfillments"] if f["status"] != "CANCELLED"]

    def test_outage_pauses_the_shop_and_its_jobs_never_fail_however_long(self):
        self.sandbox.outage(3600)
        sales = self.validated(3)
        self.run_jobs()
        pushes = self.jobs()
        self.assertEqual(self.shop.pause_reason, "unreachable")
        self.assertIn("503", self.shop.pause_error)
        self.assertTrue(self.shop.paused_since)
        self.assertEqual(pushes.mapped("state"), ["pending"] * 3)
        self.assertEqual(pushes.mapped("attempts"), [0, 0, 0])
        self.assertFalse(any(pushes.mapped("needs_attention")))
        self.assertEqual(len(pushes.filtered("last_error")), 1, "only the first push was tried")
        self.assertIn("Shopify is unreachable", self.shop.message_ids[0].body)
        probe = self.jobs("shop_probe")
        self.assertEqual(len(probe), 1)
        for probes in range(1, MANY_PROBES + 1):
            self.make_due(*pushes)
            before = probe.next_attempt_at
            self.assertEqual(self.run_jobs(), probe, "only the probe runs while Shopify is down")
            self.assertEqual((probe.state, probe.attempts), ("pending", 0))
            self.assertEqual(self.shop.probe_count, probes)
            self.assertGreater(probe.next_attempt_at, before)
        self.assertEqual(pushes.mapped("state"), ["pending"] * 3)
        self.assertEqual(pushes.mapped("attempts"), [0, 0, 0])
        self.sandbox.outage(0)  # Shopify is back
        self.make_due(*pushes)
        ran = self.run_jobs()
        self.assertEqual(ran, probe | pushes, "the probe, then every waiting push in one run")
        self.assertEqual(probe.state, "done")
        self.assertFalse(self.shop.pause_reason)
        self.assertEqual(pushes.mapped("state"), ["done"] * 3)
        self.assertEqual(pushes.mapped("attempts"), [1, 1, 1])
        self.assertEqual(sorted(pushes.mapped("finished_at")), pushes.mapped("finished_at"))
        for sale in sales:
            self.assertEqual(len(self.shopify_fulfillments(sale)), 1)
        self.assertIn("waiting jobs run now", self.shop.message_ids[0].body)

    def test_refused_connection_pauses_and_a_probe_resumes(self):
        url = self.shop.api_base_url
        self.addCleanup(setattr, self.shop, "api_base_url", url)
        self.shop.api_base_url = "http://127.0.0.1:9"  # nothing listens there
        clients.forget(self.shop._client_store())
        self.validated(1)
        self.run_jobs()
        push = self.jobs()
        self.assertEqual(
            (self.shop.pause_reason, push.state, push.attempts), ("unreachable", "pending", 0)
        )
        self.shop.api_base_url = url
        clients.forget(self.shop._client_store())
        self.make_due(push)
        self.run_jobs()
        self.assertFalse(self.shop.pause_reason)
        self.assertEqual(push.state, "done", push.last_error)

    def test_rotated_secret_puts_the_shop_in_error_until_new_credentials_pass_the_test(self):
        self.sandbox.rotate_secret(client_secret="the-new-secret", access_token=ACCESS_TOKEN)
        self.addCleanup(
            self.sandbox.rotate_secret, client_secret=CLIENT_SECRET, access_token=ACCESS_TOKEN
        )
        clients.forget(self.shop._client_store())
        (sale,) = self.validated(1)
        self.run_jobs()
        push = self.jobs()
        self.assertEqual((push.state, push.attempts), ("pending", 0))
        self.assertFalse(push.needs_attention)
        self.assertEqual((self.shop.state, self.shop.pause_reason), ("error", "credentials"))
        self.assertIn("refused the client credentials", self.shop.connection_message)
        self.assertIn("Shopify refuses the app", self.shop.message_ids[0].body)
        todos = self.shop.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertEqual(len(todos), 1, "one to-do for each manager")
        self.assertFalse(self.jobs("shop_probe"), "no probe: the merchant must act")
        self.make_due(push)
        self.assertFalse(self.run_jobs(), "nothing is sent")
        # The catch-up leaves the shop alone while it is in Error.
        with self.assertNoLogs("odoo.addons.synco_shopify.models.sale_order", "WARNING"):
            self.env["sale.order"]._synco_cron_catch_up()
        self.shop.client_secret = "the-new-secret"
        self.shop.action_test_connection()
        self.assertEqual((self.shop.state, self.shop.pause_reason), ("connected", False))
        self.assertFalse(self.shop.activity_ids.filtered(lambda a: a.user_id == self.manager))
        self.run_jobs()
        self.assertEqual((push.state, push.attempts), ("done", 1), push.last_error)
        self.assertEqual(len(self.shopify_fulfillments(sale)), 1)
        self.shop.client_secret = CLIENT_SECRET

    def test_app_uninstalled_pauses_the_shop_saying_the_app_was_removed(self):
        self.assertIn("app/uninstalled", const.WEBHOOK_TOPICS)
        handler = registry.topic("app/uninstalled").handler
        job = SimpleNamespace(shop_id=self.shop, payload={"topic": "app/uninstalled"})
        getattr(self.env[handler.model], handler.method)(job)
        self.assertEqual((self.shop.state, self.shop.pause_reason), ("error", "uninstalled"))
        self.assertIn("removed from the Shopify store", self.shop.connection_message)
        self.validated(1)
        self.assertFalse(self.run_jobs())
        self.shop.action_test_connection()
        self.assertFalse(self.shop.pause_reason)
        self.run_jobs()
        self.assertEqual(self.jobs().state, "done")

    def test_lost_subscriptions_are_created_again_at_the_current_address(self):
        self.shop.action_register_webhooks()
        self.addCleanup(self.sandbox.drop_subscriptions)
        wanted = len(const.WEBHOOK_TOPICS)
        self.assertEqual(len(self.sandbox.subscriptions()), wanted)
        self.sandbox.drop_subscriptions(topic="orders/create")
        self.sandbox.drop_subscriptions(topic="app/uninstalled")
        self.env["synco.shop"]._synco_cron_check_subscriptions()
        subscriptions = self.sandbox.subscriptions()
        self.assertEqual(len(subscriptions), wanted)
        self.assertEqual(len({s["uri"] for s in subscriptions}), 1)
        body = self.shop.message_ids[0].body
        self.assertIn("ORDERS_CREATE", body)
        self.assertIn("APP_UNINSTALLED", body)
        # Nothing lost: no message.
        count = len(self.shop.message_ids)
        self.env["synco.shop"]._synco_cron_check_subscriptions()
        self.assertEqual(len(self.shop.message_ids), count)
        # Every Test Connection checks them too.
        self.sandbox.drop_subscriptions()
        self.shop.action_test_connection()
        self.assertEqual(len(self.sandbox.subscriptions()), wanted)

    def test_a_5xx_only_one_call_meets_pauses_once_then_that_job_backs_off(self):
        self.sandbox.add_fault("http_500", count=2, match="fulfillmentCreate")
        self.validated(1)
        self.run_jobs()
        push = self.jobs()
        self.assertEqual((self.shop.pause_reason, push.attempts), ("unreachable", 0))
        self.make_due(push)
        self.run_jobs()  # the probe gets an answer; the push meets its 500 again
        self.assertFalse(self.shop.pause_reason, "Shopify answers: the shop goes on")
        self.assertEqual((push.state, push.attempts), ("pending", 1))
        self.assertGreater(push.next_attempt_at, self.env["synco.job"]._now())
        self.make_due(push)
        self.run_jobs()
        self.assertEqual(push.state, "done", push.last_error)
