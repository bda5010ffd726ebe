import logging
import threading
import time
import traceback
from datetime import timedelta
from functools import partial

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from psycopg2 import OperationalError

from ..planning import retry
from ..shopify.errors import ShopifyError
from . import cron_wake, odoo_compat
from .odoo_compat import GROUP_USERS

_logger = logging.getLogger(__name__)

OPEN_STATES = ("pending", "running")
# A claimed job is expected to finish within its lease (shown on the job).
# A runner takes a running job over as soon as its worker is dead, lease or
# not (synco_job_runner), so every handler must be idempotent.
LEASE = timedelta(minutes=10)
# One cron run works this long at most, then re-triggers itself.
TIME_BUDGET = 50

JOB_TYPES = [
    ("webhook", "Webhook"),
    ("push_fulfillment", "Push fulfillment"),
    ("update_tracking", "Update tracking"),
    ("import_order", "Import order"),
    ("apply_fulfillment", "Apply Shopify fulfillment"),
    ("release_hold", "Release Shopify hold"),
    ("left_open", "Shopify lines left open"),
]

# What a merchant sees on an order or a delivery.
SYNC_STATES = [("synced", "Synced"), ("pending", "Pending"), ("attention", "Needs Attention")]


def sync_state(job_flags, link_states, is_shopify):
    """The status of a record from its open and failed jobs' flags
    (``attention`` or ``pending``) and its fulfillment links' states."""
    if "attention" in job_flags or "attention" in link_states:
        return "attention"
    if "pending" in job_flags:
        return "pending"
    return "synced" if is_shopify else False


# The Shopify calls of the job running in this thread; written with the
# job's outcome, so they survive a rollback of the job's own work.
_calls = threading.local()

# Waking the cron workers: ir.cron._notifydb borrows a connection to the
# "postgres" database from Odoo's pool, under the pool's lock, for each
# NOTIFY. Once per webhook delivery that serializes a burst of deliveries
# behind it (and can exhaust the pool). Here each process sends at most one
# NOTIFY per NOTIFY_INTERVAL, on its own connection outside the pool
# (cron_wake): at once when none was sent in the interval, else from a
# timer at its end, so always after the commit that asked.
NOTIFY_INTERVAL = 0.025
_notify = {"lock": threading.Lock(), "pending": set(), "timer": None, "last": 0.0}


def _notify_soon(dbname):
    with _notify["lock"]:
        _notify["pending"].add(dbname)
        if _notify["timer"] is not None:
            return  # the timer's NOTIFY comes after this commit
        wait = _notify["last"] + NOTIFY_INTERVAL - time.monotonic()
        if wait > 0:
            # Not a daemon: a process that stops now still sends it.
            _notify["timer"] = threading.Timer(wait, _send_notify)
            _notify["timer"].start()
            return
    _send_notify()


def _send_notify():
    with _notify["lock"]:
        dbnames, _notify["pending"] = _notify["pending"], set()
        _notify["timer"] = None
        _notify["last"] = time.monotonic()
    if not dbnames:  # another call sent them already
        return
    try:
        cron_wake.waker.notify(dbnames)
    except Exception:  # the cron workers also poll every minute
        _logger.warning("could not wake the cron workers of %s", dbnames, exc_info=True)


class SyncoJob(models.Model):
    """One piece of remote work, retried until done; the queue's cron runs it.

    The handler of a job of type ``T`` is ``record._synco_job_T(job)`` on the
    job's related record (the shop when there is none). Handlers re-read the
    current state before they write, so replays and duplicates are no-ops.
    """

    _name = "synco.job"
    _description = "Shopify Sync Job"
    _order = "id desc"
    _rec_name = "display_name"

    shop_id = fields.Many2one("synco.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    job_type = fields.Selection(JOB_TYPES, required=True, readonly=True)
    dedupe_key = fields.Char(readonly=True, index=True)
    ordering_key = fields.Char(readonly=True, help="Jobs sharing it run one at a time, in order.")
    priority = fields.Integer(default=10, readonly=True)
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(default=fields.Datetime.now, readonly=True, index=True)
    lease_until = fields.Datetime(readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    duration = fields.Float(readonly=True, help="Seconds the last attempt took.")
    payload = fields.Json(readonly=True)
    res_model = fields.Char(string="Related Model", readonly=True)
    res_id = fields.Many2oneReference(model_field="res_model", readonly=True)
    last_error = fields.Char(readonly=True)
    error_details = fields.Text(readonly=True)
    result = fields.Text(readonly=True)
    needs_attention = fields.Boolean(readonly=True, index=True)
    log_ids = fields.One2many("synco.log", "job_id", string="Shopify Calls", readonly=True)

    @api.depends("job_type", "res_model", "res_id")
    def _compute_display_name(self):
        labels = dict(JOB_TYPES)
        for job in self:
            job.display_name = f"{labels.get(job.job_type, job.job_type)} #{job.id}"

    def init(self):
        # An open job holds its dedupe key: a second enqueue with it, even a
        # concurrent one, finds the first instead of creating another.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS synco_job_open_dedupe_uniq
                ON synco_job (shop_id, dedupe_key)
             WHERE state IN ('pending', 'running') AND dedupe_key IS NOT NULL
            """
        )
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS synco_job_runnable_idx
                ON synco_job (priority, id) WHERE state IN ('pending', 'running')
            """
        )

    # -- enqueue ------------------------------------------------------------

    @api.model
    def _enqueue(
        self,
        shop,
        job_type,
        record=None,
        model=None,
        payload=None,
        dedupe_key=None,
        ordering_key=None,
        priority=10,
        delay=0,
    ):
        """Queue a job and wake the runner; return it, or the open job that
        already holds ``dedupe_key``. Safe under concurrency: one INSERT that
        yields to the partial unique index. The handler runs on ``record``,
        else on ``model`` (a model name), else on the shop. A job about a
        Shopify order Odoo lacks (``ordering_key`` ``order:<id>``, no
        record) is queued behind that order's import (see
        ``_synco_import_first``)."""
        self._synco_import_first(shop, job_type, record, ordering_key)
        now = self._now()
        at = now + timedelta(seconds=delay)
        insert = SQL(
            """
            INSERT INTO synco_job (shop_id, company_id, job_type, dedupe_key, ordering_key,
                priority, state, attempts, next_attempt_at, payload, res_model, res_id,
                needs_attention, create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, 'pending', 0, %s, %s, %s, %s, false,
                %s, %s, %s, %s)
            ON CONFLICT (shop_id, dedupe_key)
                WHERE state IN ('pending', 'running') AND dedupe_key IS NOT NULL
            DO NOTHING
            RETURNING id
            """,
            shop.id,
            shop.company_id.id,
            job_type,
            dedupe_key,
            ordering_key,
            priority,
            at,
            self._fields["payload"].convert_to_column(payload, self),
            record._name if record else model,
            record.id if record else None,
            self.env.uid,
            self.env.uid,
            now,
            now,
        )
        cron_id = self._runner_cron_id()
        if cron_id:
            # The job and the runner cron's trigger (what ir.cron._trigger
            # inserts) in one statement: every webhook delivery pays for it.
            insert = SQL(
                """
                WITH new_job AS (%s), trigger AS (
                    INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid,
                        create_date, write_date)
                    SELECT %s, %s, %s, %s, %s, %s FROM new_job
                )
                SELECT id FROM new_job
                """,
                insert,
                cron_id,
                max(at, now),
                self.env.uid,
                self.env.uid,
                now,
                now,
            )
        self.env.cr.execute(insert)
        row = self.env.cr.fetchone()
        if row is None:
            return self.search(
                [
                    ("shop_id", "=", shop.id),
                    ("dedupe_key", "=", dedupe_key),
                    ("state", "in", OPEN_STATES),
                ],
                limit=1,
            )
        if cron_id and at <= now:
            self._notify_on_commit()
        return self.browse(row[0])

    def _synco_import_first(self, shop, job_type, record, ordering_key):
        """Webhooks come unordered: a fulfillment, a hold or an edit can
        arrive before the order it is about (orders/create lost or late).
        Every job about an order id passes here, so for an order Odoo lacks
        its import is queued first, due now, and so runs ahead of the job in
        the order's sequence (jobs sharing an ordering key run by id)
        instead of the job waiting for the catch-up. One indexed query per
        such job; none for jobs on Odoo records (their order is here)."""
        if record is not None or job_type == "import_order" or not ordering_key:
            return
        prefix, _, order_id = ordering_key.partition(":")
        if prefix != "order" or not order_id.isdigit():
            return
        SaleOrder = self.env["sale.order"].sudo()
        if not SaleOrder._synco_find(shop, order_id):
            SaleOrder._synco_enqueue_import(shop, order_id, f"before {job_type}")

    def _runner_cron_id(self):
        return self.env["ir.model.data"]._xmlid_to_res_id(
            "synco_shopify.ir_cron_synco_jobs", raise_if_not_found=False
        )

    def _wake(self, at=None):
        """Have the runner's cron come at ``at`` (now by default), as
        ``ir.cron._trigger`` does; the cron workers are notified on commit."""
        cron_id = self._runner_cron_id()
        if not cron_id:
            return
        now = fields.Datetime.now()
        self.env.cr.execute(
            """
            INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid,
                create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, %s)
            """,
            [cron_id, max(at or now, now), self.env.uid, self.env.uid, now, now],
        )
        if not at or at <= now:
            self._notify_on_commit()

    def _notify_on_commit(self):
        """Once this transaction commits, wake the cron workers soon."""
        postcommit = self.env.cr.postcommit
        if not postcommit.data.get("synco_shopify.notify"):  # cleared after each commit
            postcommit.data["synco_shopify.notify"] = True
            postcommit.add(partial(_notify_soon, self.env.cr.dbname))

    @api.model
    def _now(self):
        """The queue's clock; tests replace it."""
        return fields.Datetime.now()

    # -- run ----------------------------------------------------------------

    @api.model
    def _cron_run_jobs(self, time_budget=TIME_BUDGET, limit=None):
        """Run due jobs, each in its own transaction, until none is left,
        ``limit`` jobs ran or the time budget is spent; then make sure the
        cron comes back for what remains or waits. Returns the jobs run."""
        deadline = time.monotonic() + time_budget
        self.env.flush_all()  # the claim's SQL must see what the caller wrote
        ran = self.browse()
        while time.monotonic() < deadline and (limit is None or len(ran) < limit):
            job_id = self._claim_and_run_next(done=len(ran))
            if not job_id:
                break
            ran |= self.browse(job_id)
        self._schedule_next_run()
        return ran

    def _claim_and_run_next(self, done=0):
        # On the cron's own cursor: the runner takes no connection of its
        # own from the pool. The claim is committed at once (every runner
        # then sees the job running); the job runs and records its outcome
        # in the next transaction, its handler in a savepoint, so a failure
        # rolls back only that job's work. All along, this connection holds
        # the job's advisory lock: a running job whose lock nobody holds
        # belongs to a worker that died, and the next claim takes it over.
        # This is the one place that commits: the runner is the unit of
        # work, not the request.
        job = self._claim()
        if not job:
            return None
        try:
            odoo_compat.notify_cron_progress(self.env, done + 1)
            self._commit_unit()
            if job.state == "running":
                job._run()
                self._commit_unit()
        except BaseException:
            self._rollback_unit()
            raise
        finally:
            self._runner_unlock(job.id)
        return job.id

    def _claim(self):
        now = self._now()
        skipped = [0]
        while True:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT job.id FROM synco_job job
                     WHERE ((job.state = 'pending' AND job.next_attempt_at <= %(now)s)
                            OR (job.state = 'running' AND NOT %(held)s))
                       AND job.id != ALL(%(skipped)s)
                       AND NOT EXISTS (
                            SELECT 1 FROM synco_job earlier
                             WHERE job.ordering_key IS NOT NULL
                               AND earlier.shop_id = job.shop_id
                               AND earlier.ordering_key = job.ordering_key
                               AND earlier.id < job.id
                               AND earlier.state IN ('pending', 'running'))
                     ORDER BY job.priority, job.id
                     LIMIT 1
                       FOR UPDATE OF job SKIP LOCKED
                    """,
                    now=now,
                    held=self._runner_lock_held_sql(SQL("job.id")),
                    skipped=skipped,
                )
            )
            row = self.env.cr.fetchone()
            if not row:
                return self.browse()
            if self._runner_try_lock(row[0]):
                break
            # Its runner recorded its outcome and has yet to let go of it.
            skipped.append(row[0])
        job = self.browse(row[0])
        if job.state == "running" and not job._take_over():
            return job  # given up: it killed its worker too often
        job.write(
            {
                "state": "running",
                "attempts": job.attempts + 1,
                "lease_until": now + LEASE,
                "started_at": now,
            }
        )
        return job

    def _run(self):
        """Run one claimed job and record its outcome."""
        self.ensure_one()
        _calls.records = []
        started = time.monotonic()
        try:
            with self.env.cr.savepoint():
                handler = getattr(self._handler_target(), f"_synco_job_{self.job_type}")
                result = handler(self)
        except Exception as exc:
            self.env.invalidate_all()
            self._record_failure(exc, time.monotonic() - started)
        else:
            had_error = bool(self.last_error)
            self.write(
                {
                    "state": "done",
                    "result": result if isinstance(result, str) else False,
                    "last_error": False,
                    "needs_attention": False,
                    "lease_until": False,
                    "finished_at": self._now(),
                    "duration": time.monotonic() - started,
                }
            )
            if had_error:
                try:
                    with self.env.cr.savepoint():
                        self._close_attention(self.env._("Job #%s succeeded.", self.id))
                except Exception:
                    _logger.exception("synco job %s: could not close its to-do", self.id)
        self._write_call_logs()

    def _hold_shop_jobs(self, until):
        """The shop's cost budget is spent until ``until``: its other due
        jobs wait as long, instead of each being claimed only to be given
        back at once (the runner goes on with other shops' jobs)."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE synco_job SET next_attempt_at = %s
                 WHERE shop_id = %s AND state = 'pending' AND next_attempt_at < %s AND id != %s
                """,
                until,
                self.shop_id.id,
                until,
                self.id,
            )
        )
        self.invalidate_model(["next_attempt_at"])

    def _handler_target(self):
        """The job's record; its model when the job concerns none yet (an
        order to import); the shop when it names no model. Always in the
        shop's company: what the job creates or matches belongs to it, not to
        the company of the cron's user."""
        env = self.with_company(self.shop_id.company_id).env
        if self.res_model and self.res_id:
            record = env[self.res_model].browse(self.res_id).exists()
            if record:
                return record
            raise retry.NeedsAttention(
                self.env._("The %s record this job was for no longer exists.", self.res_model)
            )
        if self.res_model:
            return env[self.res_model]
        return self.shop_id.with_env(env)

    def _record_failure(self, exc, duration):
        max_attempts = self._max_attempts()
        if isinstance(exc, retry.RetryLater):
            outcome = retry.after_retry_later(exc.delay)
        elif isinstance(exc, ShopifyError):
            outcome = retry.after_failure(
                self.attempts,
                max_attempts,
                exc.retryable,
                exc.retry_after,
                throttled=exc.code == "throttled",
            )
        elif isinstance(exc, retry.NeedsAttention | UserError | ValidationError):
            outcome = retry.Outcome("failed")
        else:
            # Serialization failures and the unexpected: retried, recorded in full.
            if not isinstance(exc, OperationalError):
                _logger.exception("synco job %s (%s) crashed", self.id, self.job_type)
            outcome = retry.after_failure(self.attempts, max_attempts, True)
        message = str(exc) or exc.__class__.__name__
        vals = {
            "state": outcome.state,
            "last_error": message[:500],
            "error_details": "".join(traceback.format_exception(exc))[-20000:],
            # A known wait (a hold) is the merchant's to lift; throttling is not.
            "needs_attention": outcome.state == "failed" or isinstance(exc, retry.RetryLater),
            "lease_until": False,
            "duration": duration,
        }
        if outcome.state == "pending":
            vals["next_attempt_at"] = self._now() + timedelta(seconds=outcome.delay)
            if not outcome.counts:
                vals["attempts"] = self.attempts - 1
            if isinstance(exc, ShopifyError) and exc.code == "throttled":
                self._hold_shop_jobs(vals["next_attempt_at"])
        else:
            vals["finished_at"] = self._now()
        self.write(vals)
        if vals["needs_attention"]:
            # A to-do that cannot be made must not lose the job's outcome.
            try:
                with self.env.cr.savepoint():
                    self._schedule_attention()
            except Exception:
                _logger.exception("synco job %s: could not schedule its to-do", self.id)
        _logger.info(
            "synco job %s (%s): %s in %.0fs: %s",
            self.id,
            self.job_type,
            outcome.state,
            outcome.delay,
            message,
        )

    @api.model
    def _flags_of(self, where):
        """Rows ``(res_model, res_id, shop_id, order_id, flag)`` of the open
        and failed jobs matching the SQL condition ``where``; one query per
        batch of records, whatever the user may read of the queue."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT res_model, res_id, shop_id, payload->>'order_id',
                       CASE WHEN state = 'failed' OR needs_attention THEN 'attention'
                            ELSE 'pending' END
                  FROM synco_job
                 WHERE state IN ('pending', 'running', 'failed') AND (%s)
                """,
                where,
            )
        )
        return self.env.cr.fetchall()

    # -- needs attention: an activity for the Shopify managers ------------------

    def _attention_record(self):
        """Where a person looks for this job: its delivery or order, the
        order an import job is about, else the shop."""
        self.ensure_one()
        record = None
        if self.res_model and self.res_id:
            record = self.env[self.res_model].browse(self.res_id).exists()
        elif self.res_model and (self.payload or {}).get("order_id"):
            record = self.env["sale.order"]._synco_find(self.shop_id, self.payload["order_id"])
        if record and "activity_ids" in record._fields:
            return record
        return self.shop_id

    def _attention_summary(self):
        return self.env._("Shopify: %s needs attention", self.display_name)

    def _schedule_attention(self):
        """One to-do per Shopify manager of the shop's company, once per job:
        the reason and what to do."""
        self.ensure_one()
        record = self._attention_record().sudo()
        summary = self._attention_summary()
        managers = (
            self.env.ref("synco_shopify.group_synco_manager")
            .sudo()[GROUP_USERS]
            .filtered(
                lambda u: u.active and not u.share and self.shop_id.company_id in u.company_ids
            )
        )
        already = record.activity_ids.filtered(lambda a: a.summary == summary).user_id
        note = Markup("<p>%s</p><p>%s</p>") % (
            self.last_error or "",
            self.env._(
                "Fix the cause, then press Retry on job #%s "
                "(Inventory > Configuration > Shopify > Jobs).",
                self.id,
            ),
        )
        for user in managers - already:
            record.activity_schedule(
                "mail.mail_activity_data_todo", summary=summary, note=note, user_id=user.id
            )

    def _close_attention(self, feedback):
        """Mark this job's to-dos done: it succeeded or was cancelled."""
        for job in self:
            record = job._attention_record().sudo()
            summary = job._attention_summary()
            record.activity_ids.filtered(lambda a, s=summary: a.summary == s).action_feedback(
                feedback=feedback
            )

    def _write_call_logs(self):
        records = getattr(_calls, "records", None) or []
        _calls.records = []
        if records:
            self.env["synco.log"]._record_calls(self.shop_id, records, job=self)

    def _client(self):
        """The shop's Shopify client, with every call logged on this job."""
        return self.shop_id._shopify_client(on_call=lambda record: _calls.records.append(record))

    def _schedule_next_run(self):
        self.env.cr.execute("SELECT min(next_attempt_at) FROM synco_job WHERE state = 'pending'")
        (next_at,) = self.env.cr.fetchone()
        if next_at:
            self._wake(next_at)

    def _max_attempts(self):
        param = self.env["ir.config_parameter"].sudo().get_param("synco_shopify.job_max_attempts")
        return int(param or retry.DEFAULT_MAX_ATTEMPTS)

    # -- buttons --------------------------------------------------------------

    def action_retry(self):
        """Bring failed or cancelled jobs back, due now."""
        retryable = self.filtered(lambda j: j.state in ("failed", "cancelled"))
        retryable.write(
            {
                "state": "pending",
                "attempts": 0,
                "crash_count": 0,
                "next_attempt_at": self._now(),
                "needs_attention": False,
                "finished_at": False,
            }
        )
        if retryable:
            self._wake()
        return True

    def action_cancel(self):
        cancelled = self.filtered(lambda j: j.state in ("pending", "failed"))
        cancelled.write(
            {"state": "cancelled", "needs_attention": False, "finished_at": self._now()}
        )
        cancelled._close_attention(self.env._("Job cancelled."))
        return True

    def action_open_record(self):
        self.ensure_one()
        target = self._handler_target()
        return {
            "type": "ir.actions.act_window",
            "res_model": target._name,
            "res_id": target.id,
            "view_mode": "form",
        }

    @api.model
    def _cron_purge(self):
        """Done, cancelled and ignored history older than the retention goes;
        failures stay until someone handles them."""
        days = int(
            self.env["ir.config_parameter"].sudo().get_param("synco_shopify.retention_days") or 30
        )
        cutoff = self._now() - timedelta(days=days)
        self.env["synco.log"]._purge(cutoff)
        self.env["synco.webhook.event"]._purge(cutoff)
        self.search([("state", "in", ("done", "cancelled")), ("write_date", "<", cutoff)]).unlink()
