"""The machinery of the live suite: a private PostgreSQL, Odoo server
processes, the Shopify sandbox process, XML-RPC and signed webhooks.

Odoo is found as in scripts/lib.sh (``ODOO_PATH`` and ``ODOO_PYTHON``, else
``python3 -m odoo``). PostgreSQL is a private cluster of this run (initdb in a
temporary directory, a free loopback port), so that restarting it disturbs
nobody else; where the PostgreSQL server binaries are missing the suite uses
the usual PG* server and the restart test skips itself. Everything listens on
127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import xmlrpc.client
from datetime import datetime, timezone

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from shopify_sandbox.admin import SandboxAdmin  # noqa: E402, F401 - for conftest
from synco_shopify.queue.policy import RUNNER_LOCK  # noqa: E402
from synco_shopify.shopify.const import WEBHOOK_ROUTE  # noqa: E402
from synco_shopify.shopify.webhooks import sign  # noqa: E402

SHOP_DOMAIN = "live-faults.myshopify.com"
CLIENT_ID = "live-client-id"
CLIENT_SECRET = "live-client-secret-0123456789"
API_VERSION = "2026-10"
WEBHOOK_PATH = WEBHOOK_ROUTE
# A running job whose runner lock nobody holds: its worker died.
RUNNER_LOCK_HELD = (
    "EXISTS (SELECT 1 FROM pg_locks held WHERE held.locktype = 'advisory' AND held.granted"
    f" AND held.classid = {RUNNER_LOCK} AND held.objid = synco_job.id::oid"
    " AND held.objsubid = 2)"
)
DB_USER = "synco_live"  # Odoo refuses to connect as "postgres"


class LiveUnavailable(Exception):
    """The live suite cannot run here; the message says why."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, interval=0.2, what="a condition"):
    """Poll ``predicate`` until it returns a true value; bounded by ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# -- Odoo -------------------------------------------------------------------------

ODOO_PROBE = (
    "import odoo.release as r, psycopg2, lxml, werkzeug\n"
    'assert r.version_info[0] in (18, 19), "Odoo %s, not 18 or 19" % r.version\n'
)


def find_odoo():
    """(command list, Odoo root) or LiveUnavailable with the reason."""
    odoo_path = os.environ.get("ODOO_PATH")
    if odoo_path:
        py = os.environ.get("ODOO_PYTHON", "python3")
        if not os.path.isfile(os.path.join(odoo_path, "odoo-bin")):
            raise LiveUnavailable(f"ODOO_PATH={odoo_path} holds no odoo-bin")
        probe = subprocess.run(
            [py, "-c", ODOO_PROBE], cwd=odoo_path, capture_output=True, text=True
        )
        if probe.returncode:
            raise LiveUnavailable(
                f"ODOO_PATH={odoo_path} is set but {py} cannot import Odoo 18 or 19: "
                + probe.stderr.strip()[-500:]
            )
        return [py, os.path.join(odoo_path, "odoo-bin")], odoo_path
    if shutil.which("python3"):
        probe = subprocess.run(["python3", "-c", ODOO_PROBE], capture_output=True, text=True)
        if probe.returncode == 0:
            where = subprocess.run(
                [
                    "python3",
                    "-c",
                    "import os, odoo; print(os.path.dirname(os.path.dirname(odoo.__file__)))",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            return ["python3", "-m", "odoo"], where
    raise LiveUnavailable(
        "no Odoo 18 or 19 here: set ODOO_PATH (and ODOO_PYTHON), "
        "or make 'import odoo' work for python3."
    )


def addons_path(odoo_root):
    paths = [ROOT]
    for sub in ("addons", os.path.join("odoo", "addons")):
        if os.path.isdir(os.path.join(odoo_root, sub)):
            paths.insert(0, os.path.join(odoo_root, sub))
    return ",".join(paths)


# -- PostgreSQL -----------------------------------------------------------------------


def _pg_bindir():
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.isfile(os.path.join(candidate, "initdb")):
            return candidate
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


class PrivatePostgres:
    """A PostgreSQL cluster of this run only: restartable at will. As root,
    the server runs as the ``postgres`` system user (it refuses root)."""

    def __init__(self, workdir):
        self.bindir = _pg_bindir()
        if not self.bindir or not shutil.which("psql"):
            raise LiveUnavailable("no PostgreSQL server binaries (initdb, pg_ctl) found")
        self.as_user = None
        if os.geteuid() == 0:
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError:
                raise LiveUnavailable(
                    "running as root and there is no postgres user to run a cluster as"
                ) from None
            self.as_user = "postgres"
        self.dir = os.path.join(workdir, "pg")
        os.makedirs(self.dir)
        if self.as_user:
            os.chmod(workdir, 0o755)
            shutil.chown(self.dir, self.as_user, self.as_user)
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user = DB_USER

    def _run(self, *cmd, check=True, timeout=120):
        full = [os.path.join(self.bindir, cmd[0]), *cmd[1:]]
        if self.as_user:
            full = ["runuser", "-u", self.as_user, "--", *full]
        result = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode:
            raise LiveUnavailable(f"{' '.join(cmd[:2])} failed: {result.stderr.strip()[-800:]}")
        return result

    def start(self):
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self._pg_ctl("start")
        self._run(
            "psql", "-h", self.host, "-p", str(self.port), "-U", "postgres", "-d", "postgres",
            "-c", f"CREATE ROLE {self.user} SUPERUSER LOGIN",
        )  # fmt: skip
        return self

    def _pg_ctl(self, action):
        options = (
            f"-p {self.port} -c listen_addresses={self.host} -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            "pg_ctl", action, "-D", self.data, "-w", "-t", "60", "-m", "fast",
            "-o", options, "-l", os.path.join(self.dir, "server.log"),
        )  # fmt: skip

    def restart(self):
        self._pg_ctl("restart")

    def postmaster_pid(self):
        with open(os.path.join(self.data, "postmaster.pid")) as handle:
            return int(handle.readline())

    def stop(self):
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "stop", "-D", self.data, "-m", "immediate", check=False)

    def env(self):
        return {"PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user}

    def odoo_args(self):
        return [
            f"--db_host={self.host}",
            f"--db_port={self.port}",
            f"--db_user={self.user}",
        ]

    restartable = True


class SharedPostgres:
    """The server the PG* variables name: not ours to restart."""

    restartable = False

    def __init__(self):
        if not shutil.which("psql"):
            raise LiveUnavailable("no PostgreSQL client (psql) found")
        probe = subprocess.run(
            ["psql", "-d", "postgres", "-tAc", "select 1"], capture_output=True, text=True
        )
        if probe.returncode:
            raise LiveUnavailable(f"PostgreSQL is not reachable: {probe.stderr.strip()}")

    def env(self):
        return {}

    def odoo_args(self):
        return []

    def stop(self):
        pass


# -- processes ------------------------------------------------------------------------


class Processes:
    """The processes this suite started, stopped by their own ids."""

    def __init__(self):
        self.procs = []

    def start(self, cmd, **kwargs):
        proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
        self.procs.append(proc)
        return proc

    def stop(self, proc, timeout=20, sig=signal.SIGTERM):
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        if proc in self.procs:
            self.procs.remove(proc)

    def kill9(self, proc):
        self.stop(proc, sig=signal.SIGKILL)

    def stop_all(self):
        for proc in list(reversed(self.procs)):
            self.stop(proc)


def start_sandbox(procs, python, log_path):
    log = open(log_path, "w")  # noqa: SIM115 - lives as long as the process
    proc = procs.start(
        [python, "-m", "shopify_sandbox", "--port", "0", "--seed", "empty"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    found = {}

    def read():
        for line in proc.stdout:
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                found["url"] = match[1]
                break

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(60)
    if "url" not in found:
        raise LiveUnavailable(f"the sandbox did not say where it listens; see {log_path}")
    return proc, found["url"]


class Odoo:
    """One database with synco_shopify, its server processes and its shell."""

    def __init__(self, procs, cmd, root, pg, workdir, db):
        self.procs = procs
        self.cmd = cmd
        self.pg = pg
        self.workdir = workdir
        self.db = db
        self.port = free_port()  # one port for the session: webhooks and restarts
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = ["-d", db, f"--addons-path={addons_path(root)}", *pg.odoo_args()]
        from cryptography.fernet import Fernet

        self.env = dict(os.environ, SYNCO_SHOPIFY_KEY=Fernet.generate_key().decode(), **pg.env())
        self.server = None
        self.uid = None
        self._local = threading.local()
        self._starts = 0

    # database
    def psql(self, sql, db=None):
        result = subprocess.run(
            ["psql", "-d", db or self.db, "-v", "ON_ERROR_STOP=1", "-tAc", sql],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
        )
        if result.returncode:
            raise AssertionError(f"psql failed: {result.stderr.strip()}\n{sql}")
        return result.stdout.strip()

    def psql_json(self, sql):
        out = self.psql(f"SELECT coalesce(json_agg(t), '[]') FROM ({sql}) t")
        return json.loads(out)

    def install(self):
        subprocess.run(
            ["dropdb", "--if-exists", self.db], env=self.env, check=False, capture_output=True
        )
        self._run_logged(
            [
                *self.cmd, *self.args, "-i", "synco_shopify", "--without-demo=all",
                "--stop-after-init", "--log-level=warn", f"--http-port={free_port()}",
            ],
            "install.log",
            "installing synco_shopify",
        )  # fmt: skip

    def drop(self):
        subprocess.run(
            ["dropdb", "--if-exists", self.db], env=self.env, check=False, capture_output=True
        )

    def shell(self, script, extra_env=None):
        """Run ``script`` in ``odoo shell``; its stdout."""
        return self._run_logged(
            [*self.cmd, "shell", *self.args, "--log-level=warn", "--no-http"],
            "shell.log",
            "odoo shell",
            stdin=script,
            extra_env=extra_env,
        )

    def _run_logged(self, cmd, log_name, what, stdin=None, extra_env=None):
        log_path = os.path.join(self.workdir, log_name)
        with open(log_path, "a") as log:
            result = subprocess.run(
                cmd,
                input=stdin,
                env=dict(self.env, **(extra_env or {})),
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                timeout=900,
            )
        if result.returncode:
            with open(log_path) as log:
                tail = "".join(log.readlines()[-40:])
            raise LiveUnavailable(
                f"{what} failed ({result.returncode}): {result.stdout[-2000:]}\n{tail}"
            )
        return result.stdout

    # server
    def start(self, cron_threads=0):
        """Odoo's threaded server on this session's port; returns once it answers."""
        assert self.server is None, "a server is already running"
        self._starts += 1
        log_path = os.path.join(self.workdir, f"server-{self._starts}.log")
        out = open(log_path + ".out", "w")  # noqa: SIM115 - lives as long as the process
        self.server = self.procs.start(
            [
                *self.cmd, *self.args, "--http-interface=127.0.0.1",
                f"--http-port={self.port}", f"--max-cron-threads={cron_threads}",
                f"--logfile={log_path}", "--log-level=info", "--workers=0",
            ],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.log_path = log_path

        def up():
            if self.server.poll() is not None:
                raise AssertionError(f"the Odoo server exited; see {log_path}")
            with contextlib.suppress(requests.RequestException):
                return requests.get(self.url + "/web/health", timeout=5).status_code == 200
            return False

        wait_until(up, 180, 0.5, "the Odoo server to answer")
        self._local = threading.local()
        return self

    def stop(self):
        if self.server is not None:
            self.procs.stop(self.server)
            self.server = None

    def kill9(self):
        """What a crash or an OOM kill does: no cleanup, no rollback sent."""
        proc, self.server = self.server, None
        self.procs.kill9(proc)

    # XML-RPC as admin
    def _proxy(self):
        proxy = getattr(self._local, "proxy", None)
        if proxy is None:
            proxy = self._local.proxy = xmlrpc.client.ServerProxy(
                f"{self.url}/xmlrpc/2/object", allow_none=True
            )
        return proxy

    def login(self):
        common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common")
        self.uid = common.authenticate(self.db, "admin", "admin", {})
        assert self.uid, "admin/admin does not log in"
        return self.uid

    def call(self, model, method, *args, **kwargs):
        if self.uid is None:
            self.login()
        return self._proxy().execute_kw(
            self.db, self.uid, "admin", model, method, list(args), kwargs
        )

    def search_read(self, model, domain, fields, **kwargs):
        return self.call(model, "search_read", domain, fields, **kwargs)

    def run_queue(self, rounds=20, timeout=240):
        """Run the job queue as its cron does (the cron's "Run manually", in
        the server), until no job is due; returns the number of rounds."""
        cron_id = self.call(
            "ir.model.data", "check_object_reference", "synco_shopify", "ir_cron_synco_jobs"
        )[1]
        deadline = time.monotonic() + timeout
        for n in range(1, rounds + 1):
            self.call("ir.cron", "method_direct_trigger", [cron_id])
            due = int(
                self.psql(
                    "SELECT count(*) FROM synco_job WHERE (state = 'pending' AND "
                    "next_attempt_at <= now() at time zone 'UTC') OR (state = 'running' AND "
                    f"NOT {RUNNER_LOCK_HELD})"
                )
            )
            if not due or time.monotonic() > deadline:
                return n
        return rounds

    def drain(self, timeout=300):
        """Run the queue until no job is open, waiting (really) for jobs
        whose next attempt is later, such as throttled ones; returns the
        number of cron runs."""
        deadline = time.monotonic() + timeout
        runs = 0
        while time.monotonic() < deadline:
            runs += self.run_queue(rounds=1)
            wait = self.psql(
                "SELECT extract(epoch FROM min(next_attempt_at) - now() at time zone 'UTC'),"
                " count(*) FROM synco_job WHERE state IN ('pending', 'running')"
            )
            seconds, open_jobs = wait.split("|")
            if not int(open_jobs):
                return runs
            time.sleep(min(max(float(seconds or 0), 0.2), 5.0))
        raise AssertionError(f"the queue did not drain within {timeout} s")

    def time_passes(self, job_ids=None):
        """What waiting does to the queue: every pending job is due now."""
        where = f" AND id IN ({','.join(map(str, job_ids))})" if job_ids else ""
        self.psql(
            "UPDATE synco_job SET next_attempt_at = now() at time zone 'UTC' - interval '1 second'"
            f" WHERE state = 'pending'{where}"
        )


# -- the world: shop, locations, warehouses, products -------------------------------

SETUP_SCRIPT = """
import json, os
ICP = env["ir.config_parameter"]
ICP.set_param("web.base.url", os.environ["LIVE_ODOO_URL"])
ICP.set_param("web.base.url.freeze", "True")
shop = env["synco.shop"].create({
    "name": "Live faults",
    "shop_domain": os.environ["LIVE_SHOP_DOMAIN"],
    "api_base_url": os.environ["LIVE_SANDBOX_URL"],
    "auth_method": "client_credentials",
    "client_id": os.environ["LIVE_CLIENT_ID"],
    "client_secret": os.environ["LIVE_CLIENT_SECRET"],
    "fulfillment_direction": "per_location",
})
shop.action_test_connection()
assert shop.state == "connected", shop.connection_message
shop.action_sync_locations()
Warehouse = env["stock.warehouse"]
main = Warehouse.search([("company_id", "=", shop.company_id.id)], limit=1)
tpl = Warehouse.create({"name": "3PL", "code": "3PL"})
for mapping in shop.location_map_ids:
    if mapping.is_fulfillment_service:
        mapping.write({"warehouse_id": tpl.id, "direction": "shopify_to_odoo"})
    else:
        mapping.write({"warehouse_id": main.id, "direction": "odoo_to_shopify"})
products = {}
for sku, name in [("ANVIL", "Anvil"), ("SKATES", "Rocket Skates")]:
    product = env["product.product"].create(
        {"name": name, "default_code": sku, "is_storable": True, "type": "consu"}
    )
    for warehouse in (main, tpl):
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 100000)
    products[sku] = product.id
partner = env["res.partner"].create({"name": "Wile E. Coyote", "email": "wile@example.com"})
env.cr.commit()
print("LIVE_WORLD " + json.dumps({
    "shop": shop.id, "state": shop.state, "message": shop.connection_message,
    "secret_set": bool(shop._webhook_secrets()),
    "main": main.id, "tpl": tpl.id, "products": products, "partner": partner.id,
    "maps": {m.shopify_location_id: m.direction for m in shop.location_map_ids},
}))
"""


class World:
    """The session's shop, sandbox and Odoo, with the helpers the tests share."""

    def __init__(self, odoo, sandbox, sandbox_proc):
        self.odoo = odoo
        self.sandbox = sandbox
        self.sandbox_proc = sandbox_proc

    def setup(self):
        sb = self.sandbox
        sb.config(
            name="Live faults", domain=SHOP_DOMAIN, client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )  # fmt: skip
        self.loc_main = sb.create_location(name="Main Warehouse")
        self.loc_3pl = sb.create_location(name="3PL Co", fulfillment_service=True)
        sb.add_product("Anvil", sku="ANVIL")
        sb.add_product("Rocket Skates", sku="SKATES")
        out = self.odoo.shell(
            SETUP_SCRIPT,
            {
                "LIVE_ODOO_URL": self.odoo.url,
                "LIVE_SANDBOX_URL": sb.url,
                "LIVE_SHOP_DOMAIN": SHOP_DOMAIN,
                "LIVE_CLIENT_ID": CLIENT_ID,
                "LIVE_CLIENT_SECRET": CLIENT_SECRET,
            },
        )
        line = next((x for x in out.splitlines() if x.startswith("LIVE_WORLD ")), None)
        if line is None:
            raise LiveUnavailable(f"the setup script printed no result: {out[-2000:]}")
        info = json.loads(line[len("LIVE_WORLD ") :])
        if info["state"] != "connected" or not info["secret_set"]:
            raise LiveUnavailable(f"the shop did not connect to the sandbox: {info}")
        self.info = info
        self.shop_id = info["shop"]
        self.products = info["products"]
        return self

    # orders
    def orders(self, lines_per_order, location):
        """Shopify orders in the sandbox and their confirmed Odoo sale orders.
        ``lines_per_order``: a list of [(sku, quantity)] per order, shipped
        from ``location`` ("main" or "3pl")."""
        loc = self.loc_main if location == "main" else self.loc_3pl
        warehouse = self.info["main"] if location == "main" else self.info["tpl"]
        shopify = [
            self.sandbox.create_order(
                email="wile@example.com",
                line_items=[
                    {"sku": sku, "quantity": qty, "location_id": loc["id"]} for sku, qty in lines
                ],
            )
            for lines in lines_per_order
        ]
        vals = [
            {
                "partner_id": self.info["partner"],
                "warehouse_id": warehouse,
                "synco_shop_id": self.shop_id,
                "shopify_order_id": str(order["legacy_id"]),
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.products[sku],
                            "product_uom_qty": qty,
                            "shopify_line_item_id": str(item["legacy_id"]),
                        },
                    )
                    for (sku, qty), item in zip(lines, order["line_items"], strict=True)
                ],
            }
            for lines, order in zip(lines_per_order, shopify, strict=True)
        ]
        sale_ids = self.odoo.call("sale.order", "create", vals)
        self.odoo.call("sale.order", "action_confirm", sale_ids)
        return list(zip(shopify, sale_ids, strict=True))

    def open_pickings(self, sale_ids):
        return self.odoo.search_read(
            "stock.picking",
            [("sale_id", "in", sale_ids), ("state", "not in", ("done", "cancel"))],
            ["id", "sale_id", "move_ids"],
            order="id",
        )

    def validate(self, picking_ids, quantity=None):
        """Ship the given deliveries as a warehouse user does: everything, or
        ``quantity`` of each move with the rest on a backorder."""
        moves = self.odoo.search_read(
            "stock.move",
            [("picking_id", "in", picking_ids), ("state", "!=", "cancel")],
            ["id", "product_uom_qty"],
        )
        if quantity is None:
            for move in moves:
                self.odoo.call(
                    "stock.move", "write", [move["id"]],
                    {"quantity": move["product_uom_qty"], "picked": True},
                )  # fmt: skip
        else:
            self.odoo.call(
                "stock.move", "write", [m["id"] for m in moves],
                {"quantity": quantity, "picked": True},
            )  # fmt: skip
        self.odoo.call(
            "stock.picking", "button_validate", picking_ids,
            context={"skip_backorder": True, "skip_sanity_check": True, "skip_sms": True},
        )  # fmt: skip

    # what each side holds
    def shopify_fulfillments(self, order):
        """The order's fulfillments in the sandbox, cancelled ones left out."""
        return [
            f for f in self.sandbox.order(order["id"])["fulfillments"] if f["status"] != "CANCELLED"
        ]

    def links(self, sale_ids):
        return self.odoo.search_read(
            "synco.fulfillment",
            [("sale_order_id", "in", sale_ids)],
            ["id", "sale_order_id", "picking_id", "shopify_fulfillment_id", "origin", "state"],
        )

    def jobs(self, where):
        return self.odoo.psql_json(
            "SELECT id, job_type, state, attempts, crash_count, ordering_key, res_model, res_id,"
            f" last_error, result, finished_at FROM synco_job WHERE {where} ORDER BY id"
        )

    def assert_agree(self, orders):
        """Shopify and Odoo agree on these orders: every non-cancelled
        Shopify fulfillment is linked once in Odoo, every link names one,
        every linked delivery is done, nothing is linked twice."""
        sale_ids = [sale for _order, sale in orders]
        links = self.links(sale_ids)
        by_id = {}
        for link in links:
            assert link["shopify_fulfillment_id"] not in by_id, f"linked twice: {link}"
            by_id[link["shopify_fulfillment_id"]] = link
        shopify_ids = set()
        for order, sale in orders:
            for fulfillment in self.shopify_fulfillments(order):
                fid = str(fulfillment["legacy_id"])
                shopify_ids.add(fid)
                link = by_id.get(fid)
                assert link, f"Shopify fulfillment {fid} of order {order['legacy_id']} not in Odoo"
                assert link["sale_order_id"][0] == sale
        assert set(by_id) == shopify_ids, "Odoo links fulfillments Shopify does not hold"
        picking_ids = [link["picking_id"][0] for link in links if link["picking_id"]]
        assert len(picking_ids) == len(set(picking_ids)), "a delivery has two fulfillments"
        if picking_ids:
            states = self.odoo.search_read("stock.picking", [("id", "in", picking_ids)], ["state"])
            assert {p["state"] for p in states} == {"done"}
        return links


# -- webhooks -------------------------------------------------------------------------


def signed_delivery(topic, payload, webhook_id=None):
    """(body, headers) as Shopify sends them, signed with the app's secret."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, CLIENT_SECRET),
        "X-Shopify-Shop-Domain": SHOP_DOMAIN,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-API-Version": API_VERSION,
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": datetime.now(timezone.utc).isoformat(),
        "User-Agent": "Shopify-Captain-Hook",
    }
    return body, headers


def fulfillment_payload(fulfillment, order):
    return {
        "id": fulfillment["legacy_id"],
        "admin_graphql_api_id": fulfillment["id"],
        "order_id": order["legacy_id"],
        "status": "success",
        "created_at": fulfillment.get("created_at"),
        "line_items": [],
    }


def order_payload(order):
    return {"id": order["legacy_id"], "admin_graphql_api_id": order["id"], "name": order["name"]}


def post_all(url, items, senders, on_answer, timeout=10):
    """POST every (body, headers) of ``items`` from ``senders`` threads, each
    with its own session; ``on_answer(item, status or None, text)`` for each."""
    errors = []

    def sender(chunk):
        session = requests.Session()
        try:
            for item in chunk:
                body, headers = item
                try:
                    response = session.post(url, data=body, headers=headers, timeout=timeout)
                    on_answer(item, response.status_code, response.text)
                except requests.RequestException as exc:
                    on_answer(item, None, repr(exc))
                    session.close()
                    session = requests.Session()
        except Exception as exc:
            errors.append(exc)
        finally:
            session.close()

    threads = [
        threading.Thread(target=sender, args=(items[i::senders],), daemon=True)
        for i in range(senders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads), "senders still running after 600 s"


def tmpdir():
    return tempfile.mkdtemp(prefix="synco-live-")
