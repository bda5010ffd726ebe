import time
from contextlib import closing
from datetime import timedelta
from types import SimpleNamespace
from unittest.mock import patch

import psycopg2
from odoo import fields, sql_db
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..queue import registry, wake
from ..queue.policy import MAX_CRASHES, RUNNER_LOCK, NeedsAttention, RetryLater
from ..shopify import classify, queries
from ..shopify.errors import AuthError, RetryableError, ThrottledError
from .common import CLIENT_SECRET, SyncoCase

NOW = fields.Datetime.from_string("2026-11-27 12:00:00")
RUNNER_LOGGER = "odoo.addons.synco_shopify.queue.recovery"
OUTCOME_LOGGER = "odoo.addons.synco_shopify.queue.outcome"


@tagged("post_install", "-at_install")
class TestJobQueue(SyncoCase):
    """The runner opens its own cursors; in test mode they are savepoints of
    the test's transaction, so everything here rolls back at the end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["synco.job"]
        # The webhook job type's model: the tests' jobs concern no record.
        cls.handler_class = type(cls.env["synco.webhook.event"])

    def setUp(self):
        super().setUp()
        self.now = NOW
        self.startPatcher(patch.object(type(self.Job), "_now", lambda _self: self.now))
        self.calls = []
        self.behaviour = {}

    def handler(self, shop, job):
        """Stands in for a real handler: does what ``self.behaviour`` says
        for the job's dedupe key."""
        self.calls.append(job.dedupe_key)
        action = self.behaviour.get(job.dedupe_key)
        if isinstance(action, Exception):
            raise action
        if callable(action):
            return action(shop, job)
        return f"handled {job.dedupe_key}"

    def run_jobs(self, **kwargs):
        test = self

        def _synco_job_webhook(events, job):
            return test.handler(job.shop_id, job)

        with patch.object(self.handler_class, "_synco_job_webhook", _synco_job_webhook):
            ran = self.Job._cron_run_jobs(**kwargs)
        self.env.invalidate_all()
        return ran

    def enqueue(self, key, **kwargs):
        return self.Job._enqueue(self.shop, "webhook", dedupe_key=key, **kwargs)

    def test_open_dedupe_key_gives_the_same_job(self):
        first = self.enqueue("order:1")
        self.assertEqual(self.enqueue("order:1"), first)
        self.assertEqual(self.Job.search_count([("dedupe_key", "=", "order:1")]), 1)
        self.run_jobs()
        self.assertEqual(first.state, "done")
        # Once done, the key is free: new work on the same thing is queued.
        second = self.enqueue("order:1")
        self.assertNotEqual(second, first)

    def test_enqueue_wakes_the_cron(self):
        cron = self.env.ref("synco_shopify.ir_cron_synco_jobs")
        before = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.enqueue("wake")
        after = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.assertEqual(after, before + 1)

    def test_jobs_of_one_order_run_one_at_a_time_in_order(self):
        first = self.enqueue("a", order_ref="9")
        second = self.enqueue("b", order_ref="9")
        other = self.enqueue("c", order_ref="10")
        self.behaviour["a"] = RetryableError("Shopify: internal error", code="internal")
        self.run_jobs()
        self.assertEqual(self.calls, ["a", "c"], "b waits for a, c does not")
        self.assertEqual((first.state, second.state, other.state), ("pending", "pending", "done"))
        self.now += timedelta(minutes=5)
        self.behaviour.pop("a")
        self.run_jobs()
        self.assertEqual(self.calls, ["a", "c", "a", "b"])
        self.assertEqual((first.state, second.state), ("done", "done"))

    def test_retryable_errors_back_off_exponentially(self):
        job = self.enqueue("flaky")
        self.behaviour["flaky"] = RetryableError("Shopify reported error 500", code="internal")
        expected = [10, 30, 120, 600, 1800, 3600]
        with patch("random.random", return_value=0.5):  # no jitter
            for delay in expected:
                self.run_jobs()
                self.assertEqual(job.state, "pending")
                self.assertEqual(job.next_attempt_at, self.now + timedelta(seconds=delay))
                self.run_jobs()  # not due yet: nothing runs
                self.now = job.next_attempt_at
        self.assertEqual(job.attempts, len(expected))
        self.assertIn("500", job.last_error)

    def test_throttled_waits_for_the_bucket_and_does_not_count(self):
        # Every way the client says "throttled": its pacer, a THROTTLED
        # GraphQL error, an HTTP 429.
        common = {"operation": "SyncoShop", "secrets": ()}
        bucket = {"currentlyAvailable": 100, "restoreRate": 100}
        cost = {"requestedQueryCost": 450, "throttleStatus": bucket}
        errors = {
            "paced": ThrottledError("Throttled", retry_after=3.5),
            "graphql": classify.graphql_errors_error(
                [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                cost,
                status=200,
                **common,
            ),
            "http_429": classify.http_status_error(
                429, {"Retry-After": "3.5"}, "", path="/", now=0, mutation=False, **common
            ),
        }
        for key, error in errors.items():
            with self.subTest(key):
                job = self.enqueue(key)
                self.behaviour[key] = error
                self.run_jobs()
                self.assertEqual(job.state, "pending")
                self.assertEqual(job.attempts, 0)
                self.assertFalse(job.needs_attention, "nothing for a person to do")
                self.assertEqual(job.next_attempt_at, self.now + timedelta(seconds=3.5))
                self.now = job.next_attempt_at
                self.behaviour.pop(key)
                self.run_jobs()
                self.assertEqual(job.state, "done")

    def test_what_belongs_to_a_shop_goes_with_it_and_has_its_company(self):
        owned = ["synco.job", "synco.webhook.event", "synco.log", "synco.location.map"]
        for name in [*owned, "synco.fulfillment"]:
            with self.subTest(name):
                shop_id, company_id = (self.env[name]._fields[f] for f in ("shop_id", "company_id"))
                self.assertEqual(
                    (shop_id.comodel_name, shop_id.ondelete), ("synco.shop", "cascade")
                )
                self.assertTrue(shop_id.required and shop_id.index)
                self.assertEqual(company_id.related, "shop_id.company_id")
                self.assertTrue(company_id.store)
        job = self.enqueue("owned")
        self.assertEqual(job.company_id, self.shop.company_id)
        self.shop.unlink()
        self.assertFalse(job.exists())

    def test_every_registered_handler_is_a_method_of_its_model(self):
        handlers = [entry.handler for entry in registry.JOBS.values()]
        topics = [topic.handler for topic in registry.TOPICS.values() if topic.handler]
        for model, method in handlers + topics:
            with self.subTest(model=model, method=method):
                self.assertTrue(callable(getattr(self.env[model], method, None)))
        job_types = self.Job._fields["job_type"].selection
        self.assertEqual(job_types, registry.JOB_TYPES)

    def test_throttled_holds_the_shops_other_jobs_not_other_shops(self):
        first, second = self.enqueue("busy"), self.enqueue("next")
        other_shop = self.shop.copy({"shop_domain": "other-shop.myshopify.com"})
        other = self.Job._enqueue(other_shop, "webhook", dedupe_key="elsewhere")
        self.behaviour["busy"] = ThrottledError("Throttled", retry_after=3.5)
        self.run_jobs()
        self.assertEqual(self.calls, ["busy", "elsewhere"], "next was not claimed for nothing")
        self.assertEqual(other.state, "done")
        later = self.now + timedelta(seconds=3.5)
        self.assertEqual((first.next_attempt_at, second.next_attempt_at), (later, later))
        self.behaviour.pop("busy")
        self.now = later
        self.run_jobs()
        self.assertEqual((first.state, second.state), ("done", "done"))
        self.assertEqual(self.calls[2:], ["busy", "next"], "still in order")

    def test_max_attempts_then_failed_then_manual_retry(self):
        self.env["ir.config_parameter"].set_param("synco_shopify.job_max_attempts", "3")
        job = self.enqueue("down")
        self.behaviour["down"] = RetryableError(
            "Shopify reported an internal error", code="internal"
        )
        for _attempt in range(3):
            self.run_jobs()
            self.now += timedelta(hours=2)
        self.assertEqual(job.state, "failed")
        self.assertTrue(job.needs_attention)
        self.assertEqual(job.attempts, 3)
        self.behaviour.pop("down")
        job.action_retry()
        self.assertEqual((job.state, job.attempts), ("pending", 0))
        self.run_jobs()
        self.assertEqual(job.state, "done")

    def test_permanent_error_fails_at_once(self):
        job = self.enqueue("denied")
        # A 403 on a call: this call is not allowed (the credentials work).
        self.behaviour["denied"] = AuthError(
            f"Shopify refused SyncoShop (HTTP 403) [{CLIENT_SECRET}]",
            code="forbidden",
            status=403,
            secrets=[CLIENT_SECRET],
        )
        self.run_jobs()
        self.assertEqual((job.state, job.attempts), ("failed", 1))
        self.assertIn("HTTP 403", job.last_error)
        self.assertNotIn(CLIENT_SECRET, job.last_error + job.error_details)

    def test_an_unexpected_exception_fails_the_job_at_once_with_its_traceback(self):
        job = self.enqueue("bug")
        self.behaviour["bug"] = KeyError("fulfillment_id")
        with self.assertLogs(OUTCOME_LOGGER, "ERROR") as logs:
            self.run_jobs()
        self.assertIn("crashed", logs.output[0])
        self.assertEqual((job.state, job.attempts), ("failed", 1))
        self.assertTrue(job.needs_attention)
        self.assertEqual(job.last_error, "KeyError: 'fulfillment_id'")
        self.assertIn("Traceback (most recent call last)", job.error_details)
        self.assertIn("KeyError: 'fulfillment_id'", job.error_details)
        self.assertIn("in handler", job.error_details, "the frame that raised it")

    def test_a_serialization_failure_is_retried_with_the_backoff(self):
        job = self.enqueue("conflict")

        def conflict(_shop, job):
            # What PostgreSQL raises when a concurrent transaction won.
            job.env.cr.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent"
                " update' USING ERRCODE = 'serialization_failure'; END $$"
            )

        self.behaviour["conflict"] = conflict
        with patch("random.random", return_value=0.5), mute_logger("odoo.sql_db"):
            self.run_jobs()
        self.assertEqual((job.state, job.attempts), ("pending", 1))
        self.assertEqual(job.next_attempt_at, self.now + timedelta(seconds=10))
        self.assertFalse(job.needs_attention)
        self.behaviour.pop("conflict")
        self.now = job.next_attempt_at
        self.run_jobs()
        self.assertEqual(job.state, "done")

    def test_needs_attention_and_retry_later(self):
        stuck = self.enqueue("stuck")
        held = self.enqueue("held")
        self.behaviour["stuck"] = NeedsAttention("SKU ABC-1 matches no product")
        self.behaviour["held"] = RetryLater("fulfillment order on hold", delay=900)
        self.run_jobs()
        self.assertEqual(stuck.state, "failed")
        self.assertIn("ABC-1", stuck.last_error)
        self.assertEqual((held.state, held.attempts), ("pending", 0))
        self.assertTrue(held.needs_attention)
        self.assertEqual(held.next_attempt_at, self.now + timedelta(seconds=900))

    def test_a_failing_job_does_not_roll_back_the_others(self):
        def rename(name):
            def action(shop, job):
                shop.name = name
                if name == "broken":
                    raise RuntimeError("handler bug")
                return "renamed"

            return action

        self.enqueue("ok-1")
        self.enqueue("bad")
        self.enqueue("ok-2")
        self.behaviour.update(
            {"ok-1": rename("first"), "bad": rename("broken"), "ok-2": rename("second")}
        )
        with self.assertLogs(OUTCOME_LOGGER, "ERROR"):
            self.run_jobs()
        self.assertEqual(self.shop.name, "second")
        jobs = self.Job.search([("dedupe_key", "in", ["ok-1", "bad", "ok-2"])])
        states = dict(jobs.mapped(lambda j: (j.dedupe_key, j.state)))
        self.assertEqual(states, {"ok-1": "done", "bad": "failed", "ok-2": "done"})

    def test_running_job_is_taken_over_as_soon_as_its_worker_is_gone(self):
        job = self.enqueue("crashed")
        job.write(
            {"state": "running", "attempts": 1, "lease_until": self.now + timedelta(minutes=5)}
        )
        self.env.flush_all()
        # A live worker: another connection holds the job's runner lock.
        _dbname, info = sql_db.connection_info_for(self.env.cr.dbname)
        with closing(psycopg2.connect(**info)) as worker:
            worker.cursor().execute("SELECT pg_advisory_lock(%s, %s)", [RUNNER_LOCK, job.id])
            self.run_jobs()
            self.assertEqual(self.calls, [], "a live worker's job is left to it")
            self.assertEqual((job.state, job.crash_count), ("running", 0))
        # Its connection is gone (the worker died): taken over at once,
        # though its lease has 5 minutes to go. (Closing returns before the
        # server has ended the session: wait for that.)
        held = self.Job._runner_lock_held_sql(job.id)
        for _ in range(50):
            self.env.cr.execute(SQL("SELECT %s", held))
            if not self.env.cr.fetchone()[0]:
                break
            time.sleep(0.1)
        with self.assertLogs(RUNNER_LOGGER, "WARNING") as logs:
            self.run_jobs()
        self.assertIn("the worker running it died (1 so far); taken over", logs.output[0])
        self.assertEqual(self.calls, ["crashed"])
        self.assertEqual((job.state, job.attempts, job.crash_count), ("done", 2, 1))

    def test_a_job_that_keeps_killing_its_worker_fails_with_that_reason(self):
        job = self.enqueue("killer")
        for crashes in range(1, MAX_CRASHES + 1):
            # What a worker that dies mid-job leaves: running, nobody's lock.
            job.write({"state": "running", "attempts": crashes})
            with self.assertLogs(RUNNER_LOGGER, "WARNING"):
                self.run_jobs()
            self.assertEqual(job.crash_count, crashes)
        self.assertEqual(len(self.calls), MAX_CRASHES - 1, "not run a third time after dying")
        self.assertEqual(job.state, "failed")
        self.assertTrue(job.needs_attention)
        self.assertIn(f"died {MAX_CRASHES} times", job.last_error)
        job.action_retry()
        self.assertEqual((job.state, job.crash_count), ("pending", 0))

    def test_runner_releases_its_lock_and_takes_no_connection_of_its_own(self):
        for i in range(3):
            self.enqueue(f"own-{i}")
        self.behaviour["own-1"] = RuntimeError("handler bug")
        opened = []
        real_cursor = type(self.registry).cursor

        def cursor(registry, *args, **kwargs):
            opened.append("registry.cursor")
            return real_cursor(registry, *args, **kwargs)

        with (
            patch.object(type(self.registry), "cursor", cursor),
            patch.object(sql_db, "db_connect", side_effect=AssertionError("pooled connection")),
            self.assertLogs(OUTCOME_LOGGER, "ERROR"),
        ):
            ran = self.run_jobs()
        self.assertEqual(len(ran), 3)
        self.assertEqual(opened, [])
        self.env.cr.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s"
            " AND pid = pg_backend_pid()",
            [RUNNER_LOCK],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0, "a runner lock outlived its job")

    def test_runner_stops_at_its_limit_and_comes_back_for_the_rest(self):
        for i in range(5):
            self.enqueue(f"bulk-{i}")
        ran = self.run_jobs(limit=2)
        self.assertEqual(len(ran), 2)
        self.assertEqual(self.Job.search_count([("state", "=", "pending")]), 3)
        cron = self.env.ref("synco_shopify.ir_cron_synco_jobs")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id)], order="id desc", limit=1
        )
        self.assertLessEqual(trigger.call_at, fields.Datetime.now())

    def test_shopify_calls_are_logged_on_the_job_without_secrets(self):
        self.behaviour["call"] = lambda shop, job: job._client().execute(queries.SHOP)["shop"][
            "name"
        ]
        job = self.enqueue("call")
        self.run_jobs()
        self.assertEqual(job.state, "done")
        operations = job.log_ids.mapped("operation")
        self.assertIn("SyncoShop", operations)
        log_text = str(job.log_ids.read())
        self.assertNotIn(CLIENT_SECRET, log_text)

    def test_cancel_and_purge(self):
        done = self.enqueue("old")
        self.run_jobs()
        failed = self.enqueue("broken")
        self.behaviour["broken"] = NeedsAttention("fix me")
        self.run_jobs()
        cancelled = self.enqueue("unwanted")
        cancelled.action_cancel()
        self.assertEqual(cancelled.state, "cancelled")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE synco_job SET write_date = %s WHERE id IN %s",
            [self.now - timedelta(days=31), (done.id, failed.id, cancelled.id)],
        )
        self.Job._cron_purge()
        self.assertFalse(done.exists())
        self.assertFalse(cancelled.exists())
        self.assertTrue(failed.exists(), "failures stay until handled")

    def test_shop_form_counts_pending_and_failed_jobs(self):
        self.enqueue("waiting")
        self.enqueue("broken")
        self.behaviour["broken"] = NeedsAttention("fix me")
        self.behaviour["waiting"] = RetryLater("later", delay=600)
        self.run_jobs()
        self.shop.invalidate_recordset()
        self.assertEqual((self.shop.job_pending_count, self.shop.job_failed_count), (1, 1))
        action = self.shop.with_context(synco_job_state="failed").action_open_jobs()
        self.assertEqual(self.Job.search(action["domain"]).mapped("dedupe_key"), ["broken"])

    def test_cron_wake_ups_are_coalesced_and_none_is_lost(self):
        # A burst of commits asking to wake the cron workers: one NOTIFY at
        # once, one more at the end of the interval, after the last. The
        # clock stands still and the timer fires when the test says.
        sent, timers = [], []

        class Timer:
            def __init__(self, delay, function):
                self.delay, self.function = delay, function
                timers.append(self)

            def start(self):
                pass

        notify = patch.object(wake.waker, "notify", side_effect=lambda d: sent.extend(sorted(d)))
        self.startPatcher(notify)
        self.startPatcher(patch.object(wake, "time", SimpleNamespace(monotonic=lambda: 1000.0)))
        self.startPatcher(patch.object(wake, "threading", SimpleNamespace(Timer=Timer)))
        wake._notify["last"] = 0.0
        for dbname in ["db1"] * 20 + ["db2"]:
            wake._notify_soon(dbname)
        self.assertEqual(sent, ["db1"])
        (timer,) = timers
        self.assertIs(wake._notify["timer"], timer)
        self.assertAlmostEqual(timer.delay, wake.NOTIFY_INTERVAL)
        timer.function()
        self.assertEqual(sent, ["db1", "db1", "db2"])
        self.assertIsNone(wake._notify["timer"])
