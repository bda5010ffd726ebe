"""Running one claimed job, and writing down its outcome when its handler
raised (policy.py decides it)."""

import logging
import threading
import time
import traceback
from datetime import timedelta

from odoo import models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..shopify.errors import ThrottledError
from . import policy
from .registry import job_handler

_logger = logging.getLogger(__name__)

# The Shopify calls of the job running in this thread; written with the
# job's outcome, so they survive a rollback of the job's own work.
_calls = threading.local()


class SyncoJobOutcome(models.Model):
    _inherit = "synco.job"

    def _run(self):
        """Run one claimed job and record its outcome."""
        self.ensure_one()
        _calls.records = []
        started = time.monotonic()
        try:
            with self.env.cr.savepoint():
                handler = job_handler(self.job_type)
                result = getattr(self._handler_target(), handler.method)(self)
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

    def _record_failure(self, exc, duration):
        reason = policy.pause_reason(exc)
        if reason == "unreachable" and self._paused_its_shop_before():
            reason = None  # Shopify answers others: this error is this job's
        if reason:
            self._wait_with_shop(exc, reason, duration)
            return
        outcome = policy.after_exception(exc, self.attempts, self._max_attempts())
        if not policy.is_expected(exc) and not isinstance(exc, UserError | ValidationError):
            # A bug, or a failure nobody foresaw: failed now, its traceback
            # in the job's details and in the log.
            _logger.exception("synco job %s (%s) crashed", self.id, self.job_type)
            message = f"{exc.__class__.__name__}: {exc}"
        else:
            message = str(exc) or exc.__class__.__name__
        vals = {
            "state": outcome.state,
            "last_error": message[:500],
            "error_details": "".join(traceback.format_exception(exc))[-20000:],
            # A known wait (a hold) is the merchant's to lift; throttling is not.
            "needs_attention": outcome.state == "failed" or isinstance(exc, policy.RetryLater),
            "lease_until": False,
            "duration": duration,
        }
        if outcome.state == "pending":
            vals["next_attempt_at"] = self._now() + timedelta(seconds=outcome.delay)
            if not outcome.counts:
                vals["attempts"] = self.attempts - 1
            if isinstance(exc, ThrottledError):
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

    def _paused_its_shop_before(self):
        """Whether this job paused its shop last time and the shop's probe
        has had an answer since: a 5xx or a timeout only this call meets
        must not pause the shop over and over (it backs off instead)."""
        shop = self.shop_id
        return (
            self.job_type != "shop_probe"
            and not shop.pause_reason
            and shop.paused_by_job == self.id
        )

    def _wait_with_shop(self, exc, reason, duration):
        """Shopify is unreachable or refuses the app's credentials: nothing
        this job can change. The shop is paused (``synco.shop._synco_pause``:
        its jobs are not claimed until it resumes) and this job waits with
        the others, due now, its attempt not counted, no to-do of its own.
        The shop's probe job reads again on the probe schedule instead."""
        message = (str(exc) or exc.__class__.__name__)[:500]
        shop = self.shop_id.sudo()
        try:
            with self.env.cr.savepoint():
                shop._synco_pause(reason, message, job=self)
        except Exception:  # another worker paused it at the same moment
            _logger.warning(
                "synco job %s: could not pause shop %s", self.id, shop.id, exc_info=True
            )
        vals = {
            "state": "pending",
            "attempts": self.attempts - 1,
            "next_attempt_at": self._now(),
            "last_error": message,
            "needs_attention": False,
            "lease_until": False,
            "duration": duration,
        }
        if self.job_type == "shop_probe":
            if reason == "unreachable":
                vals["next_attempt_at"] += timedelta(seconds=shop._synco_probe_failed())
            else:  # the merchant's new credentials end this pause, not a probe
                vals.update(state="done", result=message, finished_at=self._now())
        self.write(vals)
        _logger.info(
            "synco job %s (%s): waits with its shop (%s): %s",
            self.id,
            self.job_type,
            reason,
            message,
        )

    def _write_call_logs(self):
        records = getattr(_calls, "records", None) or []
        _calls.records = []
        if records:
            self.env["synco.log"]._record_calls(self.shop_id, records, job=self)

    def _client(self):
        """The shop's Shopify client, with every call logged on this job."""
        return self.shop_id._shopify_client(on_call=lambda record: _calls.records.append(record))

    def _max_attempts(self):
        param = self.env["ir.config_parameter"].sudo().get_param("synco_shopify.job_max_attempts")
        return int(param or policy.DEFAULT_MAX_ATTEMPTS)
