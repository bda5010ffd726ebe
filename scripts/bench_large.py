"""Benchmark pushes and applies by size: 1, 50, 250 and 600 lines.

    .venv/bin/python scripts/bench_large.py [--widths 1,50,250,600] [--db NAME]

Installs synco_shopify in a fresh database against the Shopify sandbox (its
single-query limit of 1,000 points, paging at 250 and 512 lines per
fulfillment order input all enforced; its bucket unlimited so that nothing
waits), then for each width runs, in one ``odoo shell``:

- push: a sandbox order of that many lines, its sale order, the delivery
  validated, then the one push job;
- apply: the same at a Shopify-led (3PL) location: Shopify fulfils every
  line, then the one apply job validates the delivery.

For each job it prints the SQL queries (counted in the Odoo process), the
Shopify calls, the points requested and actually charged (the sandbox's own
call log), the largest single request, the Python memory peak of the job
(tracemalloc) and its wall time with the load average, so the growth with
size is visible. Not a test: it prints figures and checks each job ended
done with every line fulfilled.
"""

import argparse
import os
import sys
import tempfile

from cryptography.fernet import Fernet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_webhooks as bw

from shopify_sandbox.admin import SandboxAdmin

DOMAIN = "bench-large.myshopify.com"
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret-0123456789abcdef"
UNLIMITED = 10**9

SCRIPT = r"""
import json, time, tracemalloc
import odoo.sql_db
from odoo import Command
from shopify_sandbox.admin import SandboxAdmin
sandbox = SandboxAdmin(%(url)r)
main = sandbox.add_location("Main")
tpl = sandbox.add_location("3PL", fulfillment_service="bench-3pl")
wh = env.ref("stock.warehouse0")
wh3 = env["stock.warehouse"].create({"name": "3PL", "code": "TPL"})
product = env["product.product"].create(
    {"name": "Part", "default_code": "PART", "is_storable": True})
for w in (wh, wh3):
    env["stock.quant"]._update_available_quantity(product, w.lot_stock_id, 100000)
partner = env["res.partner"].create({"name": "Bench", "email": "b@example.com"})
shop = env["synco.shop"].create({
    "name": "Bench", "shop_domain": %(domain)r, "api_base_url": %(url)r,
    "client_id": %(client_id)r, "client_secret": %(secret)r, "notify_customer": False,
    "fulfillment_direction": "per_location"})
shop.action_test_connection()
shop.action_sync_locations()
for m in shop.location_map_ids:
    three = m.shopify_location_id == str(tpl["legacy_id"])
    m.write({"warehouse_id": (wh3 if three else wh).id,
             "direction": "shopify_to_odoo" if three else "odoo_to_shopify"})
env.cr.commit()
ctx = {"skip_backorder": True, "skip_sms": True, "skip_sanity_check": True}

def sale_for(width, location, warehouse):
    order = sandbox.create_order(email="b@example.com", line_items=[
        {"sku": "PART-%%d" %% i, "title": "Part %%d" %% i, "quantity": 1,
         "location_id": location["id"]} for i in range(width)])
    sale = env["sale.order"].create({
        "partner_id": partner.id, "warehouse_id": warehouse.id, "synco_shop_id": shop.id,
        "shopify_order_id": str(order["legacy_id"]),
        "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1,
                                       "shopify_line_item_id": str(li["legacy_id"])})
                       for li in order["line_items"]]})
    sale.action_confirm()
    return order, sale

def measure():
    env.cr.commit()
    calls = len(sandbox.calls())
    sql = odoo.sql_db.sql_counter
    tracemalloc.start()
    started = time.monotonic()
    job = env["synco.job"]._cron_run_jobs(limit=1)
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    new = sandbox.calls()[calls:]
    env.invalidate_all()
    return {"state": job.state, "error": job.last_error or "", "sql": odoo.sql_db.sql_counter - sql,
            "calls": len(new), "requested": sum(c["requested_cost"] or 0 for c in new),
            "actual": sum(c["actual_cost"] or 0 for c in new),
            "largest": max((c["requested_cost"] or 0) for c in new) if new else 0,
            "peak_kib": peak // 1024, "seconds": round(seconds, 2)}

rows = []
for width in %(widths)r:
    order, sale = sale_for(width, main, wh)
    picking = sale.picking_ids
    for move in picking.move_ids:
        move.quantity, move.picked = 1, True
    picking.with_context(**ctx).button_validate()
    row = measure()
    state = sandbox.order(order["id"])
    row.update(kind="push", lines=width, fulfillments=len(state["fulfillments"]),
               ok=state["display_fulfillment_status"] == "FULFILLED")
    rows.append(row)
    order, sale = sale_for(width, tpl, wh3)
    sandbox.set_request_status(order["fulfillment_orders"][0]["id"], "ACCEPTED")
    done = sandbox.fulfill(order["id"], location_id=tpl["id"])
    env["synco.fulfillment"]._synco_enqueue_apply(shop, done["legacy_id"], order["legacy_id"])
    row = measure()
    moves = sale.picking_ids.move_ids.filtered(lambda m: m.state == "done")
    row.update(kind="apply", lines=width, fulfillments=1, ok=len(moves) == width)
    rows.append(row)
print("ROWS " + json.dumps(rows))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--widths", default="1,50,250,600")
    parser.add_argument("--db", default="synco_bench_large")
    args = parser.parse_args(argv)
    widths = tuple(int(w) for w in args.widths.split(","))
    odoo, odoo_root, versions = bw.find_odoo()
    pg_version = bw.check_postgres()
    workdir = tempfile.mkdtemp(prefix="synco-bench-large-")
    # The odoo shell imports the sandbox's admin API from the repository.
    env = dict(os.environ, SYNCO_SHOPIFY_KEY=Fernet.generate_key().decode(), PYTHONPATH=bw.ROOT)
    addons = f"--addons-path={bw.addons_path(odoo_root)}"
    log = os.path.join(workdir, "odoo.log")
    procs = bw.Processes()
    print("== machine")
    print(bw.machine(versions, pg_version))
    try:
        url = bw.start_sandbox(procs, os.path.join(workdir, "sandbox.log"))
        sandbox = SandboxAdmin(url)
        sandbox.config(domain=DOMAIN, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        sandbox.config(bucket={"maximum": UNLIMITED, "restore_rate": UNLIMITED})
        bw.psql("postgres", f"DROP DATABASE IF EXISTS {args.db}")
        base = [*odoo, "-d", args.db, addons]
        bw.run_odoo(
            [*base, "-i", "synco_shopify", "--without-demo=all", "--stop-after-init"], env, log
        )
        shell = [*odoo, "shell", "-d", args.db, addons, "--log-level=warn"]
        values = {
            "url": url,
            "domain": DOMAIN,
            "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "widths": widths,
        }
        print(f"  load average before {bw.loadavg()}")
        rows = bw.marker(bw.run_odoo(shell, env, log, SCRIPT % values, "bench"), "ROWS")
        print(f"  load average after {bw.loadavg()}")
        print("== one job, by lines (points: requested / actually charged; largest request)")
        header = "kind   lines  state  SQL    calls  points req/actual  largest  peak KiB  seconds"
        print(header)
        for r in rows:
            print(
                f"{r['kind']:<6} {r['lines']:>5}  {r['state']:<5} {r['sql']:>5}  {r['calls']:>5}"
                f"  {r['requested']:>7} / {r['actual']:<7}  {r['largest']:>7}  {r['peak_kib']:>8}"
                f"  {r['seconds']:>7}  fulfillments={r['fulfillments']} complete={r['ok']}"
                + (f"  error: {r['error']}" if r["error"] else "")
            )
        bad = [r for r in rows if r["state"] != "done" or not r["ok"]]
        if bad:
            raise bw.BenchError(f"{len(bad)} job(s) did not finish whole: {bad}")
    finally:
        procs.stop_all()
        bw.psql("postgres", f"DROP DATABASE IF EXISTS {args.db}")


if __name__ == "__main__":
    main()
