"""The start-up the push benchmarks share (bench_push.py, bench_outage.py,
bench_latency.py): Odoo and PostgreSQL found, the sandbox started, a fresh
database with synco_shopify, a shop connected to the sandbox with Odoo-led
deliveries ready to validate, Odoo's server started, a delivery validated
through XML-RPC as a warehouse user does.

Finding Odoo, the processes and the sandbox are scripts/bench_webhooks.py's
(which uses the live suite's tests_live/livekit.py). Not a script.
"""

import os
import subprocess
import sys
import tempfile
import time
import xmlrpc.client

from cryptography.fernet import Fernet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_webhooks as bw

from shopify_sandbox.admin import SandboxAdmin

DOMAIN = "bench-push.myshopify.com"
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret-0123456789abcdef"
UNLIMITED = 10**9  # the set-up's bucket: it must spend nothing of the measured one
STANDARD = {"maximum": 2000, "restore_rate": 100}  # Shopify's standard plan
VALIDATE_CONTEXT = {"skip_backorder": True, "skip_sms": True}
CATCH_UP_CRON = (
    "UPDATE ir_cron SET active = %s WHERE id = (SELECT res_id FROM ir_model_data"
    " WHERE module = 'synco_shopify' AND name = 'ir_cron_synco_orders_catch_up')"
)

# The shop, its products and the sandbox's orders imported through the
# addon's own job; prints every order's delivery as key -> [picking id,
# order name]. With a ``base_url``, Odoo's address is
# that of the server the benchmark starts later, and the shop subscribes
# its webhooks there (Register Webhooks).
SETUP = r"""
import json
from shopify_sandbox.admin import SandboxAdmin
sandbox = SandboxAdmin(%(url)r)
main = sandbox.add_location("Main")
skus = ["SKU-%%03d" %% i for i in range(%(products)d)]
for sku in skus:
    sandbox.add_product(sku, sku=sku)
    product = env["product.product"].create({"name": sku, "default_code": sku, "is_storable": True})
    env["stock.quant"]._update_available_quantity(
        product, env.ref("stock.warehouse0").lot_stock_id, 10000)
shop = env["synco.shop"].create({
    "name": "Bench", "shop_domain": %(domain)r, "api_base_url": %(url)r,
    "client_id": %(client_id)r, "client_secret": %(secret)r, "notify_customer": False})
shop.action_test_connection()
shop.action_sync_locations()
shop.location_map_ids.warehouse_id = env.ref("stock.warehouse0")
if %(base_url)r:
    ICP = env["ir.config_parameter"]
    ICP.set_param("web.base.url", %(base_url)r)
    ICP.set_param("web.base.url.freeze", "True")
    shop.action_register_webhooks()
names = {}
for width in %(widths)r:
    order = sandbox.create_order(email="w@example.com", line_items=[
        {"sku": sku, "quantity": 1, "location_id": main["id"]} for sku in skus[:width]])
    names["wide-%%d" %% width] = order["name"]
for prefix, count in %(batches)r:
    for n in range(count):
        order = sandbox.create_order(email="n@example.com", line_items=[
            {"sku": skus[0], "quantity": 1, "location_id": main["id"]}])
        names["%%s-%%d" %% (prefix, n)] = order["name"]
env.cr.commit()
env["sale.order"]._synco_cron_catch_up()
env.cr.commit()
while env["synco.job"]._cron_run_jobs(time_budget=600):
    env.cr.commit()
env.cr.commit()
pickings = {}
for key, name in names.items():
    sale = env["sale.order"].search([("client_order_ref", "=", name)])
    pickings[key] = [sale.picking_ids.id, name]
print("SETUP " + json.dumps(pickings))
"""


class LegacySetup(str):
    """SETUP taking main's keys too (``deliveries``, ``bulk``: the orders
    "one-<n>" and "bulk-<n>"), for scripts written against them."""

    def __mod__(self, values):
        values = dict(values)
        values.setdefault("batches", (("one", values.get("deliveries", 0)),
                                      ("bulk", values.get("bulk", 0))))  # fmt: skip
        values.setdefault("base_url", None)
        return str.__mod__(self, values)


# Every delivery validated as a warehouse user does, committed in small
# batches; nothing runs the queue here (no server, no cron worker yet).
BULK_VALIDATE = r"""
import json, time
ctx = {"skip_backorder": True, "skip_sms": True, "skip_sanity_check": True}
ids = %(pickings)r
started = time.monotonic()
for n, picking in enumerate(env["stock.picking"].browse(ids)):
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    picking.with_context(**ctx).button_validate()
    if n %% 50 == 49:
        env.cr.commit()
env.cr.commit()
pushes = env["synco.job"].search_count(
    [("job_type", "=", "push_fulfillment"), ("state", "=", "pending"),
     ("res_model", "=", "stock.picking"), ("res_id", "in", ids)])
print("BULK " + json.dumps({"seconds": time.monotonic() - started, "pushes": pushes}))
"""


class Bench:
    """One benchmark's world: Odoo found, the sandbox running (set up as
    the shop's Shopify, on an unlimited bucket), a fresh database with
    synco_shopify. ``with Bench(db, "push") as bench:``; on leaving, every
    process it started is stopped and the database dropped (unless kept)."""

    def __init__(self, db, name, keep_db=False):
        self.db = db
        self.keep_db = keep_db
        self.odoo, self.odoo_root, self.versions = bw.find_odoo()
        self.pg_version = bw.check_postgres()
        self.workdir = tempfile.mkdtemp(prefix=f"synco-bench-{name}-")
        # The odoo shell imports the sandbox's admin API from the repository.
        self.env = dict(
            os.environ, SYNCO_SHOPIFY_KEY=Fernet.generate_key().decode(), PYTHONPATH=bw.ROOT
        )
        self.addons = f"--addons-path={bw.addons_path(self.odoo_root)}"
        self.base = [*self.odoo, "-d", db, self.addons]
        self.server_args = self.base[len(self.odoo) :]
        self.shell_cmd = [*self.odoo, "shell", "-d", db, self.addons, "--log-level=warn"]
        self.log = os.path.join(self.workdir, "odoo.log")
        self.procs = bw.Processes()
        self.url = self.sandbox = None

    def __enter__(self):
        print("== machine")
        print(bw.machine(self.versions, self.pg_version))
        print(f"  load average {bw.loadavg()}; logs in {self.workdir}", flush=True)
        try:
            self.url = bw.start_sandbox(self.procs, os.path.join(self.workdir, "sandbox.log"))
            self.sandbox = SandboxAdmin(self.url)
            self.sandbox.config(domain=DOMAIN, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
            self.sandbox.config(bucket={"maximum": UNLIMITED, "restore_rate": UNLIMITED})
            bw.psql("postgres", f"DROP DATABASE IF EXISTS {self.db}")
            bw.run_odoo(
                [*self.base, "-i", "synco_shopify", "--without-demo=all", "--stop-after-init"],
                self.env,
                self.log,
                what="installing synco_shopify",
            )
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        self.procs.stop_all()
        if not self.keep_db:
            time.sleep(0.5)
            subprocess.run(["dropdb", "--if-exists", self.db], check=False)

    def shell(self, script, what, values=None):
        """Run ``script`` (``%`` ``values``) in ``odoo shell``; its stdout."""
        text = script % values if values is not None else script
        return bw.run_odoo(self.shell_cmd, self.env, self.log, text, what)

    def setup_shop(self, batches, widths=(), products=1, base_url=None):
        """The shop and ``batches`` ((prefix, count), ...) one-line orders
        (plus one order per width in ``widths``), imported; returns
        {key: [picking id, order name]}."""
        values = {
            "url": self.url,
            "domain": DOMAIN,
            "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "widths": tuple(widths),
            "products": max((*widths, products)),
            "batches": tuple(batches),
            "base_url": base_url,
        }
        return bw.marker(self.shell(SETUP, "setup", values), "SETUP")

    def bulk_validate(self, picking_ids):
        return bw.marker(self.shell(BULK_VALIDATE, "validate", {"pickings": picking_ids}), "BULK")

    def start_server(self, name, extra=(), port=None):
        """Odoo's server on ``port`` (a free one by default) with
        ``extra`` options (``--workers``, ``--max-cron-threads``); returns
        (process, base url, log path) once it answers."""
        return start_server(
            self.procs, self.odoo, [*self.server_args, *extra], self.env, self.workdir, name, port
        )

    def order_gids(self):
        """{order name: the sandbox's order gid}."""
        return {order["name"]: order["id"] for order in self.sandbox.orders()}

    def psql(self, sql):
        return bw.psql(self.db, sql)


def start_server(procs, odoo, server_args, env, workdir, name, port=None):
    """bench_webhooks.start_server, on a port chosen beforehand if given."""
    port = port or bw.free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = os.path.join(workdir, f"{name}-server.log")
    open(log_path, "w").close()
    with open(os.path.join(workdir, f"{name}-server.out"), "w") as out_file:
        server = procs.start(
            [
                *odoo,
                *server_args,
                "--http-interface=127.0.0.1",
                f"--http-port={port}",
                f"--logfile={log_path}",
                "--log-level=info",
            ],
            env=env,
            stdout=out_file,
            stderr=subprocess.STDOUT,
        )
    bw.wait_http(base_url + bw.FLOOR_PATH, server, "the Odoo server")
    return server, base_url, log_path


class Warehouse:
    """A warehouse user at Odoo's server, through XML-RPC."""

    def __init__(self, base_url, db):
        self.db = db
        common = xmlrpc.client.ServerProxy(f"{base_url}/xmlrpc/2/common")
        self.uid = common.authenticate(db, "admin", "admin", {})
        self.rpc = xmlrpc.client.ServerProxy(f"{base_url}/xmlrpc/2/object", allow_none=True)

    def call(self, model, method, args, kwargs=None):
        return self.rpc.execute_kw(self.db, self.uid, "admin", model, method, args, kwargs or {})

    def pick(self, picking_id):
        """Every move picked in full, as before the click on Validate."""
        moves = self.call(
            "stock.move",
            "search_read",
            [[("picking_id", "=", picking_id)]],
            {"fields": ["product_uom_qty"]},
        )
        for move in moves:
            self.call(
                "stock.move",
                "write",
                [[move["id"]], {"quantity": move["product_uom_qty"], "picked": True}],
            )

    def validate(self, picking_id):
        """The click on Validate (validation, commit, answer); returns the
        moment of the click (time.monotonic())."""
        clicked = time.monotonic()
        self.call("stock.picking", "button_validate", [[picking_id]], {"context": VALIDATE_CONTEXT})
        return clicked


OPEN_JOBS = (
    "SELECT count(*) FROM synco_job WHERE state = 'running' OR (state = 'pending'"
    " AND next_attempt_at < now() at time zone 'UTC' + interval '10 seconds')"
)


def wait_idle(bench, timeout=180):
    """Until the sandbox has no webhook to send and Odoo's queue no job due
    in the next 10 s (a server with a cron worker must be running); True
    when it got there within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bench.sandbox.wait_webhooks(max(1, min(30, deadline - time.monotonic())))
        # twice: a delivery the second wait let through may have queued a job
        if (
            not int(bench.psql(OPEN_JOBS))
            and bench.sandbox.wait_webhooks(1)
            and not int(bench.psql(OPEN_JOBS))
        ):
            return True
        time.sleep(0.3)
    return False


def wait_fulfilled(sandbox, order_gid, timeout=60, interval=0.02):
    """Poll the sandbox until the order has a fulfillment; returns the
    moment it was seen (time.monotonic()), or None after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sandbox.order(order_gid)["fulfillments"]:
            return time.monotonic()
        time.sleep(interval)
    return None
