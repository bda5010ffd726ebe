import json
import logging

from odoo import api, fields, models
from odoo.tools import SQL

from ..queue.registry import topic_handler
from .odoo_compat import Constraint

_logger = logging.getLogger(__name__)


class SyncoWebhookEvent(models.Model):
    """A verified webhook delivery, stored before it is acknowledged. The
    unique (shop, webhook id) makes Shopify's retries and concurrent
    duplicates one event."""

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
    state = fields.Selection(
        [("queued", "Queued"), ("done", "Processed"), ("ignored", "Ignored"), ("failed", "Failed")],
        required=True,
        default="queued",
        readonly=True,
        index=True,
    )
    result = fields.Text(readonly=True)
    job_id = fields.Many2one("synco.job", compute="_compute_job_id", string="Latest Job")

    _webhook_uniq = Constraint(
        "UNIQUE (shop_id, webhook_id)", "This webhook delivery is already stored."
    )

    def _compute_job_id(self):
        jobs = self.env["synco.job"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], order="id"
        )
        latest = {job.res_id: job for job in jobs}
        for event in self:
            event.job_id = latest.get(event.id, False)

    @api.model
    def _receive(self, shop, headers, body):
        """Store a verified delivery once and queue its processing. Returns
        the new event, or an empty recordset for a duplicate. One INSERT that
        yields to the unique constraint: a duplicate already committed is
        skipped; one committed by a concurrent transaction makes PostgreSQL
        fail this one with a serialization error, and Odoo's retry of the
        request then finds it."""
        topic = headers.topic
        handled = topic_handler(topic) is not None
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO synco_webhook_event (shop_id, company_id, webhook_id, event_id, topic,
                    api_version, triggered_at, payload, state, create_uid, write_uid,
                    create_date, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                    now() at time zone 'UTC', now() at time zone 'UTC')
                ON CONFLICT (shop_id, webhook_id) DO NOTHING
                RETURNING id
                """,
                shop.id,
                shop.company_id.id,
                headers.webhook_id,
                headers.event_id,
                topic,
                headers.api_version,
                headers.triggered_at,
                body.decode(),
                "queued" if handled else "ignored",
                self.env.uid,
                self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return self.browse()
        event = self.browse(row[0])
        if handled:
            self.env["synco.job"]._enqueue(
                shop, "webhook", record=event, dedupe_key=f"webhook:{headers.webhook_id}"
            )
        return event

    def _payload(self):
        self.ensure_one()
        return json.loads(self.payload)

    def _synco_job_webhook(self, job):
        """Hand the event to the handler registry.TOPICS names for its topic."""
        handler = topic_handler(self.topic)
        if handler is None:
            self.write({"state": "ignored", "result": "no handler for this topic"})
            return "ignored"
        result = getattr(self.env[handler.model], handler.method)(self, job)
        self.write({"state": "done", "result": result or False})
        return result

    def action_requeue(self):
        for event in self.filtered(lambda e: e.state in ("failed", "done")):
            event.write({"state": "queued"})
            self.env["synco.job"]._enqueue(
                event.shop_id, "webhook", record=event, dedupe_key=f"webhook:{event.webhook_id}"
            )
        return True

    @api.model
    def _purge(self, cutoff):
        self.search([("state", "in", ("done", "ignored")), ("create_date", "<", cutoff)]).unlink()
