"""Needs attention: a to-do for the Shopify managers when a job fails for
good or waits on the merchant, closed when it succeeds or is cancelled."""

from markupsafe import Markup
from odoo import models


class SyncoJobAttention(models.Model):
    _inherit = "synco.job"

    def _attention_record(self):
        """Where a person looks for this job: its record, the record of the
        order it is about (the shop says which), else the shop."""
        self.ensure_one()
        record = None
        if self.res_model and self.res_id:
            record = self.env[self.res_model].browse(self.res_id).exists()
        elif self.order_ref:
            record = self.shop_id._synco_order_record(self.order_ref)
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
        managers = self.shop_id._synco_managers()
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
