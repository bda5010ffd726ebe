from odoo import api, fields, models


class SyncoLog(models.Model):
    """One HTTP call to Shopify: what, how long, what it cost, how it ended.
    Built from the client's call records, which are redacted at the source."""

    _name = "synco.log"
    _inherit = "synco.shop.owned"
    _description = "Shopify Call Log"
    _order = "id desc"

    job_id = fields.Many2one("synco.job", ondelete="set null", index=True)
    operation = fields.Char(required=True)
    http_status = fields.Integer(string="HTTP Status")
    duration_ms = fields.Float(string="Duration (ms)", digits=(16, 1))
    requested_cost = fields.Integer()
    actual_cost = fields.Integer()
    available_after = fields.Integer(string="Points Left")
    outcome = fields.Char(required=True, index=True)
    message = fields.Text()

    @api.model
    def _record_calls(self, shop, records, job=None):
        self.create(
            [
                {
                    "shop_id": shop.id,
                    "job_id": job.id if job else False,
                    "operation": record.get("operation") or "?",
                    "http_status": record.get("http_status") or record.get("status") or 0,
                    "duration_ms": record.get("duration_ms") or 0.0,
                    "requested_cost": record.get("requested_cost") or 0,
                    "actual_cost": record.get("actual_cost") or 0,
                    "available_after": record.get("available") or 0,
                    "outcome": record.get("outcome") or "ok",
                    "message": record.get("error") or record.get("message") or False,
                }
                for record in records
            ]
        )

    @api.model
    def _purge(self, cutoff):
        self.search(
            [
                ("create_date", "<", cutoff),
                "|",
                ("job_id", "=", False),
                ("job_id.state", "in", ("done", "cancelled")),
            ]
        ).unlink()
