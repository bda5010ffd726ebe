"""Waking Odoo's cron workers: the runner cron's triggers, and the NOTIFY
that makes the workers come now, sent without a connection from Odoo's pool.

The cron workers LISTEN on a connection to the ``postgres`` database, so a
wake-up must be a NOTIFY sent there, not in the shop's database.
``ir.cron._notifydb`` borrows a pooled connection for it, under the pool's
lock; under a burst of webhook deliveries that takes a pool slot a request
needs ("The Connection Pool Is Full"). Here each process keeps one
connection of its own to ``postgres``, outside the pool, opened on first
use and reopened after a failure (a restarted PostgreSQL). Once per webhook
delivery, even that would serialize a burst of deliveries behind it: each
process sends at most one NOTIFY per ``NOTIFY_INTERVAL``, at once when none
was sent in the interval, else from a timer at its end, so always after the
commit that asked.
"""

import contextlib
import logging
import os
import threading
import time
from functools import partial

import psycopg2
from odoo import fields, models, sql_db
from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION
from odoo.tools import SQL
from psycopg2 import sql

_logger = logging.getLogger(__name__)

_NOTIFY = sql.SQL("SELECT {}('cron_trigger', %s)").format(sql.Identifier(ODOO_NOTIFY_FUNCTION))


class CronWaker:
    """One process's connection for cron wake-ups; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._cnx = None
        self._pid = None
        # A connection inherited through fork() belongs to the parent:
        # closing it here would end the parent's session, so it is kept.
        self._inherited = []

    def _connection(self):
        if self._cnx is not None and self._pid != os.getpid():
            self._inherited.append(self._cnx)
            self._cnx = None
        if self._cnx is None or self._cnx.closed:
            _dbname, info = sql_db.connection_info_for("postgres")
            cnx = psycopg2.connect(**info)
            cnx.autocommit = True
            self._cnx, self._pid = cnx, os.getpid()
        return self._cnx

    def _discard(self):
        cnx, self._cnx = self._cnx, None
        if cnx is not None and self._pid == os.getpid():
            with contextlib.suppress(psycopg2.Error):
                cnx.close()

    def notify(self, dbnames):
        """Wake the cron workers of each database in ``dbnames``; raise
        the database's error when even a fresh connection fails."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    with self._connection().cursor() as cr:
                        for dbname in sorted(dbnames):
                            cr.execute(_NOTIFY, [dbname])
                    return
                except psycopg2.Error:
                    self._discard()
                    if attempt == 2:
                        raise

    def close(self):
        with self._lock:
            self._discard()


waker = CronWaker()


def notify_once(dbname):
    """One wake-up on a connection opened and closed for it: for a process
    that must not keep one (the prefork server's parent forks workers)."""
    _dbname, info = sql_db.connection_info_for("postgres")
    cnx = psycopg2.connect(**info)
    try:
        cnx.autocommit = True
        with cnx.cursor() as cr:
            cr.execute(_NOTIFY, [dbname])
    finally:
        cnx.close()


def notify_later(dbname, delay):
    """A wake-up ``delay`` seconds from now, from a daemon thread (a
    server's cron workers start listening only after the registry loads)."""

    def send():
        try:
            notify_once(dbname)
        except Exception:  # the cron workers also poll every minute
            _logger.warning("could not wake the cron workers of %s", dbname, exc_info=True)

    timer = threading.Timer(delay, send)
    timer.daemon = True
    timer.start()
    return timer


NOTIFY_INTERVAL = 0.025
_notify = {"lock": threading.Lock(), "pending": set(), "timer": None, "last": 0.0}


def _notify_soon(dbname):
    with _notify["lock"]:
        _notify["pending"].add(dbname)
        if _notify["timer"] is not None:
            return  # the timer's NOTIFY comes after this commit
        wait = _notify["last"] + NOTIFY_INTERVAL - time.monotonic()
        if wait > 0:
            # Not a daemon: a process that stops now still sends it.
            _notify["timer"] = threading.Timer(wait, _send_notify)
            _notify["timer"].start()
            return
    _send_notify()


def _send_notify():
    with _notify["lock"]:
        dbnames, _notify["pending"] = _notify["pending"], set()
        _notify["timer"] = None
        _notify["last"] = time.monotonic()
    if not dbnames:  # another call sent them already
        return
    try:
        waker.notify(dbnames)
    except Exception:  # the cron workers also poll every minute
        _logger.warning("could not wake the cron workers of %s", dbnames, exc_info=True)


class SyncoJobWake(models.Model):
    _inherit = "synco.job"

    def _runner_cron_id(self):
        return self.env["ir.model.data"]._xmlid_to_res_id(
            "synco_shopify.ir_cron_synco_jobs", raise_if_not_found=False
        )

    def _trigger_sql(self, cron_id, at, now):
        """SQL inserting a trigger of the runner's cron at ``at`` (not
        before ``now``), the row ``ir.cron._trigger`` inserts; a query
        may follow (``FROM new_job``)."""
        return SQL(
            """
            INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid,
                create_date, write_date)
            SELECT %s, %s, %s
            """,
            cron_id,
            max(at, now),
            self._audit_sql(now),
        )

    def _wake(self, at=None):
        """Have the runner's cron come at ``at`` (now by default), as
        ``ir.cron._trigger`` does; the cron workers are notified on commit."""
        cron_id = self._runner_cron_id()
        if not cron_id:
            return
        now = fields.Datetime.now()
        self.env.cr.execute(self._trigger_sql(cron_id, at or now, now))
        if not at or at <= now:
            self._notify_on_commit()

    def _notify_on_commit(self):
        """Once this transaction commits, wake the cron workers soon."""
        postcommit = self.env.cr.postcommit
        if not postcommit.data.get("synco_shopify.notify"):  # cleared after each commit
            postcommit.data["synco_shopify.notify"] = True
            postcommit.add(partial(_notify_soon, self.env.cr.dbname))
