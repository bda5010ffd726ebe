"""The job runner's hold on a running job, and what it does when the worker
that ran a job died.

While a runner works on a job, its connection (the cron's own, no other)
holds a session-level advisory lock on the job: it outlives the claim's
commit and ends with the connection. PostgreSQL drops it the moment a
worker dies (killed, out of memory, its host gone), so a job that is
``running`` while nobody holds its lock is an orphan, and the next claim
takes it over at once, with no lease to wait for. A job that keeps killing
its worker fails after ``policy.MAX_CRASHES`` deaths, with that reason.
"""

import logging

from odoo import api, fields, models
from odoo.tools import SQL

from . import wake
from .policy import MAX_CRASHES, RUNNER_LOCK

_logger = logging.getLogger(__name__)

# After a (re)start, the cron workers listen only once the registry is
# loaded: the wake-up for orphaned jobs comes this many seconds later.
BOOT_WAKE_DELAY = 3.0


class SyncoJobRecovery(models.Model):
    _inherit = "synco.job"

    crash_count = fields.Integer(
        readonly=True,
        help="Times the worker running this job died before it recorded an outcome.",
    )

    def _register_hook(self):
        super()._register_hook()
        # Jobs a dead worker left running, or due while the server was down:
        # the cron workers come for them now, not at their next poll.
        self.env.cr.execute(
            "SELECT 1 FROM synco_job WHERE state = 'running' OR (state = 'pending'"
            " AND next_attempt_at <= now() at time zone 'UTC') LIMIT 1"
        )
        if self.env.cr.fetchone():
            wake.notify_later(self.env.cr.dbname, BOOT_WAKE_DELAY)

    @api.model
    def _runner_lock_held_sql(self, job_id):
        """SQL: whether any session holds the runner's lock of ``job_id``."""
        return SQL(
            """EXISTS (
                SELECT 1 FROM pg_locks held
                 WHERE held.locktype = 'advisory' AND held.granted
                   AND held.database = (SELECT oid FROM pg_database
                                         WHERE datname = current_database())
                   AND held.classid = %s AND held.objid = (%s)::oid AND held.objsubid = 2)""",
            RUNNER_LOCK,
            job_id,
        )

    @api.model
    def _runner_try_lock(self, job_id):
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUNNER_LOCK, job_id])
        return self.env.cr.fetchone()[0]

    @api.model
    def _runner_unlock(self, job_id):
        # Session locks stay with a pooled connection: always let go.
        try:
            self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", [RUNNER_LOCK, job_id])
        except Exception:  # a connection that is gone holds nothing
            _logger.warning("synco job %s: could not release its lock", job_id, exc_info=True)

    def _take_over(self):
        """This running job's worker died (nobody holds its lock): count
        it; return whether to run it again, or fail it for good."""
        self.ensure_one()
        crashes = self.crash_count + 1
        _logger.warning(
            "synco job %s (%s): the worker running it died (%s so far); taken over",
            self.id,
            self.job_type,
            crashes,
        )
        if crashes < MAX_CRASHES:
            self.write({"crash_count": crashes})
            return True
        self.write(
            {
                "crash_count": crashes,
                "state": "failed",
                "last_error": self.env._(
                    "The worker running this job died %(count)s times before it finished "
                    "(killed, out of memory, past its time limit, or its database connection "
                    "lost); it is not run again by itself.",
                    count=crashes,
                ),
                "needs_attention": True,
                "lease_until": False,
                "finished_at": self._now(),
            }
        )
        try:
            with self.env.cr.savepoint():
                self._schedule_attention()
        except Exception:
            _logger.exception("synco job %s: could not schedule its to-do", self.id)
        return False
