"""The job record: its fields, the enqueue, and the buttons.

A job is one piece of remote work, retried until done; the queue's cron runs
it (runner.py, outcome.py). Who handles each job type is in registry.py.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..planning import retry
from .registry import JOB_TYPES, job_handler

OPEN_STATES = ("pending", "running")


class SyncoJob(models.Model):
    """One piece of remote work, retried until done; the queue's cron runs it.

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
        else on ``model`` (a model name). A job about a Shopify order Odoo
        lacks (``ordering_key`` ``order:<id>``, no record) is queued behind
        that order's import (see ``_synco_import_first``)."""
        self._synco_import_first(shop, job_type, record, ordering_key)
        now = self._now()
        at = now + timedelta(seconds=delay)
        insert = SQL(
            """
            INSERT INTO synco_job (shop_id, company_id, job_type, dedupe_key, ordering_key,
                priority, state, attempts, next_attempt_at, payload, res_model, res_id,
                needs_attention, create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, 'pending', 0, %s, %s, %s, %s, false, %s)
            ON CONFLICT (shop_id, dedupe_key)
                WHERE state IN ('pending', 'running') AND dedupe_key IS NOT NULL
            DO NOTHING
            RETURNING id
            """,
            *(shop.id, shop.company_id.id, job_type, dedupe_key, ordering_key, priority, at),
            self._fields["payload"].convert_to_column(payload, self),
            *((record._name, record.id) if record else (model, None)),
            self._audit_sql(now),
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

    def _audit_sql(self, now):
        """SQL: the values of create_uid, write_uid, create_date, write_date."""
        return SQL("%s, %s, %s, %s", self.env.uid, self.env.uid, now, now)

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
            raise retry.NeedsAttention(
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
