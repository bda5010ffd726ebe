"""The job record: its fields, the enqueue, and the buttons.

A job is one piece of remote work; the queue's cron runs
it (runner.py, outcome.py). Who handles each job type is in registry.py.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .policy import NeedsAttention
from .registry import JOB_TYPES, job_handler

OPEN_STATES = ("pending", "running")


class SyncoJob(models.Model):
    """One piece of remote work; the queue's cron runs it (policy.py says when again).

    The handler of a job is the method registry.JOBS names for its type,
    called on the job's related record (on its model when the job concerns
    no record yet). Handlers re-read the current state before they write, so
    replays and duplicates are no-ops.
    """

    _name = "synco.job"
    _inherit = "synco.shop.owned"
    _description = "Shopify Sync Job"
    _order = "id desc"
    _rec_name = "display_name"

    job_type = fields.Selection(JOB_TYPES, required=True, readonly=True)
    dedupe_key = fields.Char(readonly=True, index=True)
    order_ref = fields.Char(
        string="Shopify Order",
        readonly=True,
        index=True,
        help="The Shopify order (numeric id) the job is about: an order's jobs run one at a "
        "time, in order.",
    )
    ordering_key = fields.Char(
        readonly=True,
        index="btree_not_null",
        help="Jobs sharing it run one at a time, in order (for a sequence that is not an order's).",
    )
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
        order_ref=None,
        ordering_key=None,
        priority=10,
        delay=0,
        fold=False,
        snapshot_keys=(),
    ):
        """Queue a job and wake the runner; return it, or the open job that
        already holds ``dedupe_key``. Safe under concurrency: one INSERT that
        yields to the partial unique index. The handler runs on ``record``,
        else on ``model`` (a model name). Jobs of one ``order_ref`` (or one
        ``ordering_key``) run one at a time, by id. ``fold`` and
        ``snapshot_keys``: see ``_insert_sql``."""
        now = self._now()
        at = now + timedelta(seconds=delay)
        insert = self._insert_sql(
            shop,
            job_type,
            SQL("%s", dedupe_key),
            record=record,
            model=model,
            payload=payload,
            order_ref=order_ref,
            ordering_key=ordering_key,
            priority=priority,
            at=at,
            now=now,
            fold=fold,
            snapshot_keys=snapshot_keys,
        )
        cron_id = self._runner_cron_id()
        if cron_id:
            # The job and the runner cron's trigger in one statement: every
            # webhook delivery pays for it.
            insert = SQL(
                "WITH new_job AS (%s), trigger AS (%s FROM new_job) SELECT id FROM new_job",
                insert,
                self._trigger_sql(cron_id, at, now),
            )
        self.env.cr.execute(insert)
        row = self.env.cr.fetchone()
        if row is None:
            open_job = [("state", "in", OPEN_STATES), ("dedupe_key", "=", dedupe_key)]
            return self.search([("shop_id", "=", shop.id), *open_job], limit=1)
        if cron_id and at <= now:
            self._notify_on_commit()
        return self.browse(row[0])

    def _insert_sql(
        self,
        shop,
        job_type,
        dedupe_key,
        *,
        record=None,
        model=None,
        payload=None,
        order_ref=None,
        ordering_key=None,
        priority=10,
        at,
        now,
        fold=False,
        snapshot_keys=(),
        source=None,
    ):
        """SQL: INSERT one job ``RETURNING id`` (none when it folds into
        the open job holding ``dedupe_key``, an SQL expression). ``source``:
        an SQL ``FROM ... WHERE ...`` the row is inserted for (a statement
        queuing the job with other work).

        Without ``fold`` a request whose key an open job holds is that job.
        With it, a request is never hidden by the job already there: it
        folds into a pending one, whose payload keeps the ``snapshot_keys``
        (what describes the moment of a request: a webhook's statuses) only
        when both payloads agree, so that its handler reads the current
        state when they differ; and it queues a job of its own, behind a
        running one (which may have read before this request), keyed
        ``<key>:next``. The job of a request must then share a sequence
        with the job it follows: an ``order_ref`` or an ``ordering_key``."""
        if fold:
            running = SQL(
                """EXISTS (SELECT 1 FROM synco_job running WHERE running.shop_id = %s
                   AND running.dedupe_key = (%s) AND running.state = 'running')""",
                shop.id,
                dedupe_key,
            )
            dedupe_key = SQL(
                "CASE WHEN %s THEN (%s) || ':next' ELSE (%s) END", running, dedupe_key, dedupe_key
            )
            conflict = SQL(
                """DO UPDATE SET payload = CASE WHEN synco_job.payload = EXCLUDED.payload
                       THEN synco_job.payload ELSE synco_job.payload - %s::text[] END,
                       write_date = EXCLUDED.write_date
                 WHERE synco_job.state = 'pending'""",
                list(snapshot_keys),
            )
        else:
            conflict = SQL("DO NOTHING")
        return SQL(
            """
            INSERT INTO synco_job (shop_id, company_id, job_type, dedupe_key, order_ref,
                ordering_key, priority, state, attempts, next_attempt_at, payload, res_model,
                res_id, needs_attention, create_uid, write_uid, create_date, write_date)
            SELECT %s, %s, %s, %s, %s, %s, %s, 'pending', 0, %s, %s::jsonb, %s, %s, false, %s
              %s
            ON CONFLICT (shop_id, dedupe_key)
                WHERE state IN ('pending', 'running') AND dedupe_key IS NOT NULL
            %s
            RETURNING id
            """,
            *(shop.id, shop.company_id.id, job_type, dedupe_key),
            *(str(order_ref) if order_ref else None, ordering_key, priority, at),
            self._fields["payload"].convert_to_column(payload, self),
            *((record._name, record.id) if record else (model, None)),
            self._audit_sql(now),
            source or SQL(),
            conflict,
        )

    def _audit_sql(self, now):
        """SQL: the values of create_uid, write_uid, create_date, write_date."""
        return SQL("%s, %s, %s, %s", self.env.uid, self.env.uid, now, now)

    @api.model
    def _now(self):
        """The queue's clock; tests replace it."""
        return fields.Datetime.now()

    def _handler_target(self):
        """The job's record; its model when the job concerns none yet (an
        order to import), the handler's when it names none. Always in the
        shop's company: what the job creates or matches belongs to it, not to
        the company of the cron's user."""
        env = self.with_company(self.shop_id.company_id).env
        model = self.res_model or job_handler(self.job_type).model
        if self.res_id:
            record = env[model].browse(self.res_id).exists()
            if record:
                return record
            raise NeedsAttention(
                self.env._("The %s record this job was for no longer exists.", model)
            )
        return env[model]

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
