"""Benchmark the Odoo-led push on this machine.

    .venv/bin/python scripts/bench_push.py [--deliveries N] [--bucket-pushes M]
        [--bucket-max P] [--restore-rate R] [--db NAME] [--keep-db]

Installs synco_shopify in a fresh database against the Shopify sandbox,
imports sandbox orders through the addon's own import job, then:

1. per push job, the SQL queries and Shopify calls for deliveries of 1, 10
   and 40 lines (they must not grow with the lines);
2. starts Odoo's server with a cron worker and, for N one-line deliveries,
   validates each through XML-RPC as a warehouse user would and times how
   long until the fulfillment exists in the sandbox (p50/p95): the queue is
   woken on commit, so this is the user-visible delay;
3. with ``--bucket-pushes M``, throughput against the cost bucket: M one-line
   deliveries are validated in one ``odoo shell`` while no server runs (M
   push jobs wait in the queue), the sandbox's bucket is set to a standard
   plan's (``--bucket-max`` 2,000 points, ``--restore-rate`` 100 a second,
   full), then Odoo's server starts with one cron worker and drains the
   queue. Timed from the first Shopify call to the last fulfillmentCreate,
   from the sandbox's own call log: fulfillments a minute overall and once
   the initial burst is spent (the bucket, replayed from the sandbox's
   charges, first down to a push's largest request plus one push: from then
   on the pacer gates every push), the points actually charged per push, the
   rate the bucket allows (restore rate x 60 / points per push), THROTTLED
   answers and the client's own deferrals (pacing waits over 2 s that give
   the job back to the queue).

    .venv/bin/python scripts/bench_push.py --deliveries 0 --bucket-pushes 1500

Set-up (the sandbox's orders, their import through the addon's own job)
runs on an unlimited bucket, so that it spends nothing of the measured one.
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
from collections import Counter
from datetime import datetime

from cryptography.fernet import Fernet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_webhooks as bw

from shopify_sandbox.admin import SandboxAdmin

DOMAIN = "bench-push.myshopify.com"
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret-0123456789abcdef"
WIDTHS = (1, 10, 40)

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
names = {}
for width in %(widths)r:
    order = sandbox.create_order(email="w@example.com", line_items=[
        {"sku": sku, "quantity": 1, "location_id": main["id"]} for sku in skus[:width]])
    names["wide-%%d" %% width] = order["name"]
for prefix, count in (("one", %(deliveries)d), ("bulk", %(bulk)d)):
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

PER_JOB = r"""
import json
import odoo.sql_db
from shopify_sandbox.admin import SandboxAdmin
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=40)
    parser.add_argument("--bucket-pushes", type=int, default=0, metavar="M")
    parser.add_argument("--bucket-max", type=float, default=2000)
    parser.add_argument("--restore-rate", type=float, default=100)
    parser.add_argument("--db", default="synco_bench_push")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    odoo, odoo_root, versions = bw.find_odoo()
    pg_version = bw.check_postgres()
    workdir = tempfile.mkdtemp(prefix="synco-bench-push-")
    db = args.db
    # The odoo shell imports the sandbox's admin API from the repository.
    env = dict(os.environ, SYNCO_SHOPIFY_KEY=Fernet.generate_key().decode(), PYTHONPATH=bw.ROOT)
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
        sandbox.config(bucket={"maximum": UNLIMITED, "restore_rate": UNLIMITED})
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
            "bulk": args.bucket_pushes,
        }
        pickings = bw.marker(bw.run_odoo(shell, env, log, SETUP % values, "setup"), "SETUP")
        standard = {"maximum": 2000, "restore_rate": 100, "available": 2000}
        sandbox.config(bucket=standard)
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
        if args.deliveries:
            latencies = measure_latency(procs, odoo, base, env, workdir, url, pickings)
            print(f"== validation to fulfillment in the sandbox, {len(latencies)} deliveries")
            latencies.sort()
            p50, p95 = bw.percentile(latencies, 50), bw.percentile(latencies, 95)
            print(
                f"  p50 {p50:.2f} s, p95 {p95:.2f} s, "
                f"max {latencies[-1]:.2f} s, mean {statistics.mean(latencies):.2f} s "
                "(Odoo threaded server, one cron worker woken on commit)"
            )
        if args.bucket_pushes:
            bulk = [v[0] for k, v in sorted(pickings.items()) if k.startswith("bulk-")]
            validated = bw.marker(
                bw.run_odoo(shell, env, log, BULK_VALIDATE % {"pickings": bulk}, "validate"),
                "BULK",
            )
            print(
                f"== set-up: {len(bulk)} deliveries validated in {validated['seconds']:.0f} s "
                f"in an odoo shell, {validated['pushes']} push jobs waiting"
            )
            bucket = {"maximum": args.bucket_max, "restore_rate": args.restore_rate}
            ok = measure_bucket(procs, odoo, base, env, workdir, sandbox, bucket, len(bulk))
            if not ok:
                return 1
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


UNLIMITED = 10**9  # the set-up's bucket: it must spend nothing of the measured one
PACER_DEFERRAL = "API budget is used up"
CATCH_UP_CRON = (
    "UPDATE ir_cron SET active = %s WHERE id = (SELECT res_id FROM ir_model_data"
    " WHERE module = 'synco_shopify' AND name = 'ir_cron_synco_orders_catch_up')"
)


def measure_bucket(procs, odoo, base, env, workdir, sandbox, bucket, pushes):
    """Drain ``pushes`` waiting push jobs against a full ``bucket``; print
    the figures from the sandbox's call log. True when every push made one
    fulfillment."""
    db = base[base.index("-d") + 1]
    # The order catch-up lists every order the pushes just touched (1,500
    # orders: 31 pages, about 1,600 points, once per run of it): the push
    # alone is measured.
    bw.psql(db, CATCH_UP_CRON % "false")
    sandbox.config(bucket={**bucket, "available": bucket["maximum"]})
    sandbox.clear_calls()
    load_before = bw.loadavg()
    started = time.monotonic()
    server, _url, server_log = bw.start_server(
        procs, odoo, [*base[len(odoo) :], "--max-cron-threads=1"], env, workdir, "bucket"
    )
    open_pushes = (
        "SELECT count(*) FROM synco_job WHERE job_type = 'push_fulfillment'"
        " AND state IN ('pending', 'running')"
    )
    deadline = started + 300 + pushes * 1.0
    while int(bw.psql(db, open_pushes)) and time.monotonic() < deadline:
        time.sleep(1)
    load_after = bw.loadavg()
    procs.stop(server)
    bw.psql(db, CATCH_UP_CRON % "true")
    left = int(bw.psql(db, open_pushes))
    calls = sorted(sandbox.calls(), key=lambda c: c["at"])
    graphql = [c for c in calls if c["status"] is not None]
    charged = [c for c in graphql if c["status"] == 200 and not c["throttled"]]
    throttled = [c for c in graphql if c["throttled"]]
    creates = [c for c in charged if "fulfillmentCreate" in c["root_fields"]]
    at = {id(c): datetime.fromisoformat(c["at"]).timestamp() for c in calls}
    first, last = at[id(calls[0])], at[id(creates[-1])]
    elapsed = last - first
    points = sum(c["actual_cost"] or 0 for c in charged)
    requested = sum(c["requested_cost"] or 0 for c in charged)
    per_push = points / len(creates)
    largest = max(c["requested_cost"] or 0 for c in charged)
    # Replay the bucket from the sandbox's charges: the burst is spent once
    # it is down to a push's largest request plus one push.
    level, previous, burst_end = bucket["maximum"], first, None
    charged_ids = {id(c) for c in charged}
    for call in calls:
        level = min(bucket["maximum"], level + (at[id(call)] - previous) * bucket["restore_rate"])
        previous = at[id(call)]
        if id(call) in charged_ids:
            level -= call["actual_cost"] or 0
        if burst_end is None and level < largest + per_push:
            burst_end = at[id(call)]
    steady = [c for c in creates if burst_end is not None and at[id(c)] > burst_end]
    allowed = bucket["restore_rate"] * 60 / per_push
    overall = len(creates) / elapsed * 60
    with open(server_log) as handle:
        deferrals = sum(1 for line in handle if PACER_DEFERRAL in line)
    per_minute = Counter(int((at[id(c)] - first) // 60) for c in creates)
    print(
        f"== throughput against the bucket: {bucket['maximum']:.0f} points, restoring "
        f"{bucket['restore_rate']:.0f} a second, full at the start; one cron worker"
    )
    print(f"  load average {load_before} before, {load_after} after")
    print(
        f"  {len(creates)} pushes in {elapsed:.1f} s (first Shopify call to last "
        f"fulfillmentCreate): {overall:.1f} fulfillments a minute overall"
    )
    if steady:
        steady_rate = len(steady) / (last - burst_end) * 60
        print(
            f"  burst spent after {burst_end - first:.1f} s and "
            f"{len(creates) - len(steady)} pushes; then {len(steady)} pushes in "
            f"{last - burst_end:.1f} s: {steady_rate:.1f} a minute in steady state"
        )
    else:
        steady_rate = None
        print("  the burst was never spent: the bucket did not bound this run")
    print(
        f"  per push: {len(graphql) / len(creates):.2f} Shopify calls "
        f"({len(charged) / len(creates):.2f} charged), {per_push:.1f} points charged "
        f"({requested / len(creates):.0f} requested, refunded down to the actual cost; "
        f"largest single request {largest})"
    )
    print(
        f"  the bucket allows {bucket['restore_rate']:.0f} x 60 / {per_push:.1f} = "
        f"{allowed:.1f} a minute; measured / allowed: overall {overall / allowed:.2f}"
        + (f", steady state {steady_rate / allowed:.2f}" if steady_rate else "")
    )
    print(
        f"  THROTTLED answers {len(throttled)} of {len(graphql)} calls; the client's own "
        f"deferrals (pacing wait over 2 s, job given back) {deferrals}"
    )
    operations = Counter()
    for call in charged:
        operations[call["operation_name"] or "?"] += 1
    print(
        "  charged calls by operation: "
        + ", ".join(f"{name} {count}" for name, count in operations.most_common())
    )
    print(
        "  fulfillments per minute of the run: "
        + ", ".join(str(per_minute[m]) for m in range(max(per_minute) + 1))
    )
    if left or len(creates) != pushes:
        print(f"  NOT DRAINED: {left} push jobs open, {len(creates)} of {pushes} created")
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
