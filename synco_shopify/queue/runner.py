"""The runner: the cron that claims due jobs and runs them one at a time,
each in its own transaction (outcome.py runs one and records how it ended;
recovery.py takes over the jobs of a worker that died). The jobs of a shop
that is paused (Shopify unreachable, or refusing the app's credentials; see
synco_shop_circuit.py) are not claimed, except its probe."""

import contextlib
import time
from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL

from .. import odoo_compat
from . import wake

# A claimed job is expected to finish within its lease (shown on the job).
# A runner takes a running job over as soon as its worker is dead, lease or
# not (recovery.py), so every handler must be idempotent.
LEASE = timedelta(minutes=10)
# One cron run works this long at most, then re-triggers itself.
TIME_BUDGET = 50
# Odoo's cron workers look at future triggers only when they poll, once a
# minute: a job due sooner (a paused shop's probe, a throttled job) gets a
# wake-up of its own at its time, this much after it.
WAKE_MARGIN = 0.2


class SyncoJobRunner(models.Model):
    _inherit = "synco.job"

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
                       AND (job.job_type = 'shop_probe' OR NOT EXISTS (
                            SELECT 1 FROM synco_shop paused
                             WHERE paused.id = job.shop_id AND paused.pause_reason IS NOT NULL))
                       AND NOT EXISTS (
                            SELECT 1 FROM synco_job earlier
                             WHERE job.order_ref IS NOT NULL
                               AND earlier.order_ref = job.order_ref
                               AND earlier.shop_id = job.shop_id
                               AND earlier.id < job.id
                               AND earlier.state IN ('pending', 'running'))
                       AND NOT EXISTS (
                            SELECT 1 FROM synco_job earlier
                             WHERE job.ordering_key IS NOT NULL
                               AND earlier.ordering_key = job.ordering_key
                               AND earlier.shop_id = job.shop_id
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

    def _schedule_next_run(self):
        self.env.cr.execute("SELECT min(next_attempt_at) FROM synco_job WHERE state = 'pending'")
        (next_at,) = self.env.cr.fetchone()
        if next_at:
            self._wake(next_at)
            delay = (next_at - self._now()).total_seconds()
            if 0 < delay < 60 and not odoo_compat.in_test_mode(self.env):
                wake.notify_later(self.env.cr.dbname, delay + WAKE_MARGIN)

    @api.model
    def _commit_unit(self):
        """Make the claim or the outcome just written durable and visible.
        Under tests the test's transaction must live on: only flush."""
        self.env.flush_all()
        if odoo_compat.in_test_mode(self.env):
            return
        # The runner is the unit of work, not the request (see _claim_and_run_next).
        self.env.cr.commit()  # pylint: disable=invalid-commit
        self.env.invalidate_all()

    @api.model
    def _rollback_unit(self):
        if not odoo_compat.in_test_mode(self.env):
            with contextlib.suppress(Exception):
                self.env.cr.rollback()
