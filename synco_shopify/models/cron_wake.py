"""Waking Odoo's cron workers without a connection from Odoo's pool.

The cron workers LISTEN on a connection to the ``postgres`` database, so a
wake-up must be a NOTIFY sent there, not in the shop's database.
``ir.cron._notifydb`` borrows a pooled connection for it, under the pool's
lock; under a burst of webhook deliveries that takes a pool slot a request
needs ("The Connection Pool Is Full"). Here each process keeps one
connection of its own to ``postgres``, outside the pool, opened on first
use and reopened after a failure (a restarted PostgreSQL).
"""

import contextlib
import logging
import os
import threading

import psycopg2
from odoo import sql_db
from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION
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
