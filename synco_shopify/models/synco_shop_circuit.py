"""The shop's circuit: when Shopify is unreachable, or refuses the app's
credentials, the whole shop waits instead of each job failing alone.

A job that meets it (queue/outcome.py) pauses the shop; the runner claims
none of a paused shop's jobs (queue/runner.py) and no attempt is used.
Unreachable: one probe job reads the shop on ``policy.PROBE_SCHEDULE`` (a
second, growing to five) and its first success resumes the shop.
Credentials refused (or the app removed from the store): the shop is in
Error with the reason and one to-do for its managers, until a Test
Connection succeeds. Resuming releases every waiting job at once: they
are due already and run in their order.
"""

import logging

from markupsafe import Markup
from odoo import api, fields, models

from ..odoo_compat import GROUP_USERS
from ..queue import policy
from ..shopify import queries

_logger = logging.getLogger(__name__)


class SyncoShopCircuit(models.Model):
    _inherit = "synco.shop"

    pause_reason = fields.Selection(
        [
            ("unreachable", "Shopify unreachable"),
            ("credentials", "Credentials refused"),
            ("uninstalled", "App removed from the store"),
        ],
        string="Sync Paused",
        readonly=True,
        copy=False,
        index=True,
        help="While set, the shop's jobs wait (no attempt used, nothing fails) and nothing is "
        "sent to Shopify.",
    )
    paused_since = fields.Datetime(readonly=True, copy=False)
    pause_error = fields.Char(string="Pause Reason", readonly=True, copy=False)
    paused_by_job = fields.Integer(
        readonly=True, copy=False, help="Id of the job whose failure paused the shop last."
    )
    probe_count = fields.Integer(
        readonly=True, copy=False, help="Reads of Shopify that failed since it became unreachable."
    )

    def _synco_pause(self, reason, message, job=None):
        """Pause the shop for ``reason`` (see ``pause_reason``), once: a
        pause already in place keeps its start and takes the latest error; a
        refusal of the credentials outranks an outage. ``job``: the job
        whose failure paused it."""
        self.ensure_one()
        now = fields.Datetime.now()
        if self.pause_reason == reason or (
            self.pause_reason in ("credentials", "uninstalled") and reason == "unreachable"
        ):
            self.write({"pause_error": message})
            return
        self.write(
            {
                "pause_reason": reason,
                "paused_since": now,
                "pause_error": message,
                "probe_count": 0,
                "paused_by_job": job.id if job and job.job_type != "shop_probe" else False,
            }
        )
        _logger.info("shop %s paused (%s): %s", self.id, reason, message)
        if reason == "unreachable":
            self.message_post(
                body=self.env._(
                    "Shopify is unreachable (%s). The shop's jobs wait and use none of their "
                    "attempts; Shopify is asked again every few seconds, and they run as soon "
                    "as it answers.",
                    message,
                )
            )
            self._synco_enqueue_probe()
            return
        self.write({"state": "error", "connection_message": message})
        self.message_post(
            body=self.env._(
                "Shopify refuses the app (%s). Nothing is sent to Shopify and the shop's jobs "
                "wait until new credentials pass Test Connection.",
                message,
            )
        )
        self._synco_pause_todo(message)

    def _synco_resume(self, why):
        """End the pause: every waiting job of the shop is due at once."""
        self.ensure_one()
        if not self.pause_reason:
            return False
        since = self.paused_since
        waiting = self.env["synco.job"].search_count(
            [("shop_id", "=", self.id), ("state", "=", "pending")]
        )
        self.write(
            {"pause_reason": False, "paused_since": False, "pause_error": False, "probe_count": 0}
        )
        _logger.info("shop %s resumed (%s); %s jobs waiting", self.id, why, waiting)
        self.message_post(
            body=self.env._(
                "%(why)s (paused since %(since)s): the %(count)s waiting jobs run now.",
                why=why,
                since=since,
                count=waiting,
            )
        )
        todos = self.sudo().activity_ids.filtered(
            lambda a: a.summary == self._synco_pause_summary()
        )
        todos.action_feedback(feedback=why)
        self.env["synco.job"]._wake()
        return True

    def _synco_enqueue_probe(self, probes=0):
        return self.env["synco.job"]._enqueue(
            self,
            "shop_probe",
            record=self,
            dedupe_key="shop_probe",
            priority=0,
            delay=policy.probe_delay(probes),
        )

    def _synco_probe_failed(self):
        """Count a failed probe; the seconds until the next one."""
        self.ensure_one()
        self.write({"probe_count": self.probe_count + 1})
        return policy.probe_delay(self.probe_count)

    def _synco_job_probe(self, job):
        """The probe: one cheap read of the shop. Failing, it raises and the
        queue schedules the next (queue/outcome.py); answering, it resumes
        the shop."""
        if self.pause_reason != "unreachable":
            return "the shop is not waiting for Shopify"
        data = job._client().execute(queries.SHOP)
        self._synco_resume(
            self.env._("Shopify answers again (%s)", (data.get("shop") or {}).get("name"))
        )
        return "Shopify answers: the shop resumed"

    @api.model
    def _synco_on_app_uninstalled(self, job):
        """app/uninstalled: Shopify revoked the app's tokens; the shop waits
        as for refused credentials."""
        shop = job.shop_id
        shop._synco_pause(
            "uninstalled",
            self.env._(
                "The app was removed from the Shopify store %s. Install it again, enter its "
                "credentials on the shop, then press Test Connection.",
                shop.shop_domain,
            ),
        )
        return "app removed from the store: shop paused"

    def _synco_pause_summary(self):
        return self.env._("Shopify: %s refuses the app", self.name)

    def _synco_managers(self):
        """The active internal Shopify managers of the shop's company: who
        gets a to-do when the shop, or one of its jobs, needs a person."""
        self.ensure_one()
        return (
            self.env.ref("synco_shopify.group_synco_manager")
            .sudo()[GROUP_USERS]
            .filtered(lambda u: u.active and not u.share and self.company_id in u.company_ids)
        )

    def _synco_order_record(self, order_ref):
        """The Odoo record of this shop's Shopify order ``order_ref`` (the
        sale order), for a job about it that has no record of its own."""
        self.ensure_one()
        return self.env["sale.order"]._synco_find(self, order_ref)

    def _synco_pause_todo(self, message):
        """One to-do per Shopify manager of the shop's company."""
        record = self.sudo()
        summary = self._synco_pause_summary()
        managers = self._synco_managers()
        already = record.activity_ids.filtered(lambda a: a.summary == summary).user_id
        note = Markup("<p>%s</p><p>%s</p>") % (
            message,
            self.env._(
                "Enter the app's current credentials on the shop, then press Test Connection: "
                "the waiting jobs run at once."
            ),
        )
        for user in managers - already:
            record.activity_schedule(
                "mail.mail_activity_data_todo", summary=summary, note=note, user_id=user.id
            )
