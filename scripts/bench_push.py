"""Benchmark the Odoo-led push on this machine.

    .venv/bin/python scripts/bench_push.py [--deliveries N] [--keep-db]

Installs synco_shopify in a fresh database against the Shopify sandbox,
imports sandbox orders through the addon's own import job, then:

1. per push job, the SQL queries and Shopify calls for deliveries of 1, 10
   and 40 lines (they must not grow with the lines);
2. starts Odoo's server with a cron worker and, for N one-line deliveries,
   validates each through XML-RPC as a warehouse user would and times how
   long until the fulfillment exists in the sandbox (p50/p95): the queue is
   woken on commit, so this is the user-visible delay.

Reuses scripts/bench_webhooks.py's helpers (finding Odoo, processes, the
sandbox). Not a test: it prints figures, and checks that every delivery got
exactly one fulfillment.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import xmlrpc.client

from cryptography.fernet import Fernet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_webhooks as bw

from synco_shopify.sandbox.admin import SandboxAdmin

DOMAIN = "bench-push.myshopify.com"
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret-0123456789abcdef"
WIDTHS = (1, 10, 40)

SETUP = r"""
import json
from odoo.addons.synco_shopify.sandbox.admin import SandboxAdmin
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
names = {}
for width in %(widths)r:
    order = sandbox.create_order(email="w@example.com", line_items=[
        {"sku": sku, "quantity": 1, "location_id": main["id"]} for sku in skus[:width]])
    names["wide-%%d" %% width] = order["name"]
for n in range(%(deliveries)d):
    order = sandbox.create_order(email="n@example.com", line_items=[
        {"sku": skus[0], "quantity": 1, "location_id": main["id"]}])
    names["one-%%d" %% n] = order["name"]
env.cr.commit()
env["sale.order"]._synco_cron_catch_up()
env.cr.commit()
env["synco.job"]._cron_run_jobs(time_budget=600)
env.cr.commit()
pickings = {}
for key, name in names.items():
    sale = env["sale.order"].search([("client_order_ref", "=", name)])
    pickings[key] = [sale.picking_ids.id, name]
print("SETUP " + json.dumps(pickings))
"""

PER_JOB = r"""
import json
import odoo.sql_db
from odoo.addons.synco_shopify.sandbox.admin import SandboxAdmin
sandbox = SandboxAdmin(%(url)r)
result = {}
ctx = {"skip_backorder": True, "skip_sms": True, "skip_sanity_check": True}
for key, picking_id in %(pickings)r.items():
    picking = env["stock.picking"].browse(picking_id)
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    picking.with_context(**ctx).button_validate()
    env.cr.commit()
    calls = len(sandbox.calls())
    before = odoo.sql_db.sql_counter
    jobs = env["synco.job"]._cron_run_jobs(limit=1)
    result[key] = {
        "lines": len(picking.move_ids),
        "sql": odoo.sql_db.sql_counter - before,
        "calls": len(sandbox.calls()) - calls,
        "state": jobs.state,
    }
print("PERJOB " + json.dumps(result))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=40)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    odoo, odoo_root, versions = bw.find_odoo()
    pg_version = bw.check_postgres()
    workdir = tempfile.mkdtemp(prefix="synco-bench-push-")
    db = "synco_bench_push"
    env = dict(os.environ, SYNCO_SHOPIFY_KEY=Fernet.generate_key().decode())
    addons = f"--addons-path={bw.addons_path(odoo_root)}"
    log = os.path.join(workdir, "odoo.log")
    procs = bw.Processes()
    print("== machine")
    print(bw.machine(versions, pg_version))
    print(f"  load average {bw.loadavg()}")
    try:
        url = bw.start_sandbox(procs, os.path.join(workdir, "sandbox.log"))
        sandbox = SandboxAdmin(url)
        sandbox.config(domain=DOMAIN, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        bw.psql("postgres", f"DROP DATABASE IF EXISTS {db}")
        base = [*odoo, "-d", db, addons]
        bw.run_odoo(
            [*base, "-i", "synco_shopify", "--without-demo=all", "--stop-after-init"], env, log
        )
        shell = [*odoo, "shell", "-d", db, addons, "--log-level=warn"]
        values = {
            "url": url,
            "domain": DOMAIN,
            "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "widths": WIDTHS,
            "products": max(WIDTHS),
            "deliveries": args.deliveries,
        }
        pickings = bw.marker(bw.run_odoo(shell, env, log, SETUP % values, "setup"), "SETUP")
        wide = {k: v[0] for k, v in pickings.items() if k.startswith("wide-")}
        per_job = bw.marker(
            bw.run_odoo(shell, env, log, PER_JOB % {"url": url, "pickings": wide}, "per job"),
            "PERJOB",
        )
        print("== one push job, by delivery width (SQL queries counted in the Odoo process)")
        for key in sorted(per_job, key=lambda k: per_job[k]["lines"]):
            row = per_job[key]
            print(
                f"  {row['lines']:>3} lines: {row['sql']:>4} SQL queries, "
                f"{row['calls']} Shopify calls, job {row['state']}"
            )
        latencies = measure_latency(procs, odoo, base, env, workdir, url, pickings)
        print(f"== validation to fulfillment in the sandbox, {len(latencies)} deliveries")
        latencies.sort()
        p50, p95 = bw.percentile(latencies, 50), bw.percentile(latencies, 95)
        print(
            f"  p50 {p50:.2f} s, p95 {p95:.2f} s, "
            f"max {latencies[-1]:.2f} s, mean {statistics.mean(latencies):.2f} s "
            "(Odoo threaded server, one cron worker woken on commit)"
        )
        duplicates = [o["name"] for o in sandbox.orders() if len(o.get("fulfillments") or []) > 1]
        print(f"== check: orders with more than one fulfillment: {duplicates or 'none'}")
        return 1 if duplicates else 0
    finally:
        procs.stop_all()
        if not args.keep_db:
            bw.psql("postgres", f"DROP DATABASE IF EXISTS {db}")


def measure_latency(procs, odoo, base, env, workdir, sandbox_url, pickings):
    server, base_url, _log = bw.start_server(
        procs, odoo, [*base[len(odoo) :], "--max-cron-threads=1"], env, workdir, "push"
    )
    db = base[base.index("-d") + 1]
    uid = xmlrpc.client.ServerProxy(f"{base_url}/xmlrpc/2/common").authenticate(
        db, "admin", "admin", {}
    )
    rpc = xmlrpc.client.ServerProxy(f"{base_url}/xmlrpc/2/object", allow_none=True)
    sandbox = SandboxAdmin(sandbox_url)
    context = {"skip_backorder": True, "skip_sms": True}
    latencies = []
    for key, (picking_id, name) in sorted(pickings.items()):
        if not key.startswith("one-"):
            continue
        moves = rpc.execute_kw(
            db,
            uid,
            "admin",
            "stock.move",
            "search_read",
            [[("picking_id", "=", picking_id)]],
            {"fields": ["product_uom_qty"]},
        )
        for move in moves:
            rpc.execute_kw(
                db,
                uid,
                "admin",
                "stock.move",
                "write",
                [[move["id"]], {"quantity": move["product_uom_qty"], "picked": True}],
            )
        order_id = next(o["id"] for o in sandbox.orders() if o["name"] == name)
        clicked = time.monotonic()  # the user's click: validation, commit, answer
        rpc.execute_kw(
            db,
            uid,
            "admin",
            "stock.picking",
            "button_validate",
            [[picking_id]],
            {"context": context},
        )
        while time.monotonic() - clicked < 60:
            if sandbox.order(order_id)["fulfillments"]:
                break
            time.sleep(0.02)
        latencies.append(time.monotonic() - clicked)
    procs.stop(server)
    return latencies


if __name__ == "__main__":
    sys.exit(main())
