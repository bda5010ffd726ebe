import select
import time
from contextlib import closing
from unittest.mock import patch

import psycopg2
from odoo import sql_db
from odoo.tests import TransactionCase, tagged

from ..queue import recovery, wake


def listener():
    """A connection to ``postgres`` listening as Odoo's cron workers do."""
    _dbname, info = sql_db.connection_info_for("postgres")
    cnx = psycopg2.connect(**info)
    cnx.autocommit = True
    cnx.cursor().execute("LISTEN cron_trigger")
    return cnx


def received(cnx, wanted, timeout=5.0):
    """The payloads among ``wanted`` that reached ``cnx``, in the order they
    came. Other databases' cron wake-ups on the same PostgreSQL server (a
    benchmark, another suite) reach this listener too and are left out."""

    def seen():
        return [n.payload for n in cnx.notifies if n.payload in wanted]

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(seen()) < len(wanted):
        select.select([cnx], [], [], 0.1)
        cnx.poll()
    return seen()


@tagged("post_install", "-at_install")
class TestCronWake(TransactionCase):
    """Waking the cron workers takes no connection from Odoo's pool."""

    def test_wake_up_reaches_the_cron_workers_without_a_pooled_connection(self):
        waker = wake.CronWaker()
        self.addCleanup(waker.close)
        with (
            closing(listener()) as cron_worker,
            patch.object(sql_db, "db_connect", side_effect=AssertionError("pooled connection")),
        ):
            waker.notify({"synco_db_b", "synco_db_a"})
            self.assertEqual(
                received(cron_worker, {"synco_db_a", "synco_db_b"}), ["synco_db_a", "synco_db_b"]
            )

    def test_wake_up_survives_a_lost_connection(self):
        waker = wake.CronWaker()
        self.addCleanup(waker.close)
        with closing(listener()) as cron_worker:
            waker.notify({"first"})
            self.assertEqual(received(cron_worker, {"first"}), ["first"])
            # PostgreSQL restarted, or an administrator ended the session.
            pid = waker._cnx.get_backend_pid()
            with closing(listener()) as admin:
                admin.cursor().execute("SELECT pg_terminate_backend(%s)", [pid])
            cron_worker.notifies.clear()
            waker.notify({"second"})
            self.assertEqual(received(cron_worker, {"second"}), ["second"])
            self.assertNotEqual(waker._cnx.get_backend_pid(), pid)

    def test_registry_load_wakes_the_cron_workers_for_orphaned_jobs(self):
        shop = self.env["synco.shop"].create({"name": "Boot", "shop_domain": "boot.myshopify.com"})
        Job = self.env["synco.job"]
        with patch.object(recovery.wake, "notify_later") as later:
            Job._register_hook()
            later.assert_not_called()
            job = Job._enqueue(shop, "webhook", dedupe_key="orphan", delay=3600)
            job.write({"state": "running"})
            job.flush_recordset()
            Job._register_hook()
            later.assert_called_once_with(self.env.cr.dbname, recovery.BOOT_WAKE_DELAY)
