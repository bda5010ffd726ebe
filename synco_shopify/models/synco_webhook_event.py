import json
import logging

from odoo import api, fields, models
from odoo.tools import SQL

from ..odoo_compat import Constraint
from ..queue import registry
from ..shopify.webhooks import BadWebhookPayload

_logger = logging.getLogger(__name__)

# An event's state, from its job's.
EVENT_STATE = {
    "pending": "queued",
    "running": "queued",
    "done": "done",
    "failed": "failed",
    "cancelled": "failed",
}


class SyncoWebhookEvent(models.Model):
    """A verified webhook delivery, stored before it is acknowledged,
    together with the one job that does its work. The unique (shop,
    webhook id) makes Shopify's retries and concurrent duplicates one
    event."""

    _name = "synco.webhook.event"
    _inherit = "synco.shop.owned"
    _description = "Shopify Webhook Event"
    _order = "id desc"
    _rec_name = "topic"

    webhook_id = fields.Char(required=True, readonly=True)
    event_id = fields.Char(readonly=True, index=True)
    topic = fields.Char(required=True, readonly=True, index=True)
    api_version = fields.Char(string="API Version", readonly=True)
    triggered_at = fields.Char(readonly=True)
    payload = fields.Text(readonly=True, help="The raw body, exactly as Shopify sent it.")
    job_id = fields.Many2one(
        "synco.job",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The job doing this delivery's work; deliveries about the same thing share one.",
    )
    state = fields.Selection(
        [("queued", "Queued"), ("done", "Processed"), ("ignored", "Ignored"), ("failed", "Failed")],
        compute="_compute_state",
        store=True,
        readonly=True,
        index=True,
    )
    result = fields.Text(readonly=True)

    _webhook_uniq = Constraint(
        "UNIQUE (shop_id, webhook_id)", "This webhook delivery is already stored."
    )

    @api.depends("job_id.state")
    def _compute_state(self):
        for event in self:
            if event.job_id:
                event.state = EVENT_STATE[event.job_id.state]
            elif event.result:  # its body lacked what its topic needs
                event.state = "failed"
            elif registry.topic(event.topic) is None:
                event.state = "ignored"
            else:  # its job was done, and purged since
                event.state = "done"

    @api.model
    def _receive(self, shop, headers, body, data):
        """Store a verified delivery once, with its job, in one statement.
        ``data`` is the body the controller parsed; the topic's parser
        takes from it what the job needs. Returns the new event, or an
        empty recordset for a duplicate.

        A duplicate already committed is skipped; one committed by a
        concurrent transaction makes PostgreSQL fail this one with a
        serialization error, and Odoo's retry of the request then finds it.
        A body that lacks what its topic needs is stored as failed, with
        the reason, and queues nothing: the delivery is not lost."""
        topic = registry.topic(headers.topic)
        state, result, job = "ignored" if topic is None else "queued", None, None
        if topic is not None:
            try:
                job = topic.parse(headers.topic, data)
            except BadWebhookPayload as exc:
                state, result = "failed", str(exc)
                _logger.info("shop %s: webhook %s not queued: %s", shop.id, headers.topic, exc)
        now = self.env["synco.job"]._now()
        fresh = SQL(
            """SELECT NOT EXISTS (SELECT 1 FROM synco_webhook_event
                WHERE shop_id = %s AND webhook_id = %s) AS new""",
            shop.id,
            headers.webhook_id,
        )
        ctes = [SQL("fresh AS (%s)", fresh)]
        job_id = SQL("NULL::int")
        if job is not None:
            ctes += self._job_ctes(shop, topic, job, now)
            job_id = SQL("(SELECT id FROM job)")
        ctes.append(
            SQL(
                """event AS (
                INSERT INTO synco_webhook_event (shop_id, company_id, webhook_id, event_id, topic,
                    api_version, triggered_at, payload, job_id, state, result, create_uid,
                    write_uid, create_date, write_date)
                SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                    now() at time zone 'UTC', now() at time zone 'UTC'
                ON CONFLICT (shop_id, webhook_id) DO NOTHING
                RETURNING id)""",
                shop.id,
                shop.company_id.id,
                headers.webhook_id,
                headers.event_id,
                headers.topic,
                headers.api_version,
                headers.triggered_at,
                body.decode(),
                job_id,
                state,
                result,
                self.env.uid,
                self.env.uid,
            )
        )
        self.env.cr.execute(SQL("WITH %s SELECT id FROM event", SQL(", ").join(ctes)))
        row = self.env.cr.fetchone()
        if not row:
            return self.browse()
        if job is not None:
            self.env["synco.job"]._notify_on_commit()
        return self.browse(row[0])

    @api.model
    def _job_ctes(self, shop, topic, job, now):
        """The statement's CTEs queuing ``job`` (a ``TopicJob``) for a new
        delivery: a job about an order Odoo lacks goes behind that order's
        import, queued now (webhooks come unordered: a fulfillment, a hold
        or a return can arrive before its orders/create, lost or late); and
        the runner's trigger."""
        Job = self.env["synco.job"]
        handler = registry.job_handler(topic.job_type)
        ctes = []
        source = SQL("FROM fresh WHERE fresh.new")
        if job.order_ref and topic.job_type != "import_order":
            ctes.append(
                SQL(
                    "import_first AS (%s)",
                    self.env["sale.order"]._synco_import_first_sql(
                        shop, job.order_ref, topic.job_type, now=now, source=source
                    ),
                )
            )
            # Joined, so that the import is inserted first: the lower id runs first.
            source = SQL("FROM fresh LEFT JOIN import_first ON true WHERE fresh.new")
        ctes.append(
            SQL(
                "job AS (%s)",
                Job._insert_sql(
                    shop,
                    topic.job_type,
                    SQL("%s", job.dedupe_key),
                    model=handler.model,
                    payload=job.payload,
                    order_ref=job.order_ref,
                    ordering_key=job.ordering_key,
                    at=now,
                    now=now,
                    fold=True,
                    snapshot_keys=job.snapshot_keys,
                    source=source,
                ),
            )
        )
        cron_id = Job._runner_cron_id()
        if cron_id:
            ctes.append(SQL("trigger AS (%s FROM job)", Job._trigger_sql(cron_id, now, now)))
        return ctes

    def _payload(self):
        self.ensure_one()
        return json.loads(self.payload)

    def _synco_job_webhook(self, job):
        """A topic whose work is no job type of its own: its handler
        (registry.TOPICS) does it, from what the topic's parser took.

        A job queued for its event before one job per webhook (it names the
        event, its payload no topic: an upgrade with jobs still queued)
        queues the event's work as the intake now would: nothing is lost."""
        if self and "topic" not in (job.payload or {}):
            self._synco_queue_work()
            return f"queued again as job {self.job_id.id}, from the stored body"
        topic = registry.topic(job.payload.get("topic"))
        if topic is None or topic.handler is None:
            return "ignored: no handler for this topic"
        return getattr(self.env[topic.handler.model], topic.handler.method)(job)

    def action_requeue(self):
        """Queue the work of these deliveries again, from their stored body."""
        self.filtered(lambda e: e.state in ("failed", "done"))._synco_queue_work()
        return True

    def _synco_queue_work(self):
        """Queue each delivery's job from its stored body, as the intake does."""
        for event in self:
            topic = registry.topic(event.topic)
            if topic is None:
                continue
            try:
                job = topic.parse(event.topic, event._payload())
            except BadWebhookPayload as exc:
                event.result = str(exc)
                continue
            event.job_id = self.env["synco.job"]._enqueue(
                event.shop_id,
                topic.job_type,
                model=registry.job_handler(topic.job_type).model,
                payload=job.payload,
                dedupe_key=job.dedupe_key,
                order_ref=job.order_ref,
                ordering_key=job.ordering_key,
                fold=True,
                snapshot_keys=job.snapshot_keys,
            )

    @api.model
    def _purge(self, cutoff):
        self.search([("state", "in", ("done", "ignored")), ("create_date", "<", cutoff)]).unlink()
