"""Benchmark the Shopify-led apply against Odoo's own validation: 1, 50, 250 and 600 lines.

    ODOO_PATH=/opt/odoo19 ODOO_PYTHON=/opt/odoo19-venv/bin/python \\
        .venv/bin/python scripts/bench_apply.py [--widths 1,50,250,600] [--repeat 3]
        [--template synco_tpl_19] [--db NAME]

Installs synco_shopify in a fresh database (``--template``: a copy of a
database that already holds its dependencies, which only saves time) against
the Shopify sandbox (its bucket unlimited, so that nothing waits), started
and found as ``bench_large.py`` does. Then, in one ``odoo shell``, for each
width it validates the same kind of delivery twice, each from a warehouse of
its own stock, every line a product of its own (made once, before anything
is measured, a set for each), one unit each:

- the floor: a plain sale order's delivery, reserved, every move picked,
  validated by Odoo's own ``button_validate``;
- the apply: a Shopify order's delivery at a Shopify-led (3PL) location,
  reserved; the sandbox fulfils every line and sends its signed
  fulfillments/create webhook, which the intake stores and queues as the
  webhook controller does (not timed); then the apply job's handler, called
  as the job runner calls it once it has claimed the job, validates the
  delivery (from the webhook's fulfillment, fresh and the first word about
  it: no Shopify read).

Each is timed from a cold ORM cache to the last query flushed, the SQL
queries counted in the Odoo process; ``--repeat`` deliveries each, the
median kept (a first round of one line, not shown, warms the caches). Prints
per width the floor's and the apply's seconds and queries, their ratios,
the apply's queries per line (and per line added past the first width),
the load average (os.getloadavg) when each was measured, the time the
apply spent in Shopify calls (none expected) and, apart, what the floor's
picking cost before its clock started. Not a test: it checks that every
delivery ended done with every line, and that the apply's job result says
it validated it.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile

from cryptography.fernet import Fernet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_large as bl
import bench_webhooks as bw

from shopify_sandbox.admin import SandboxAdmin

TARGET_RATIO = 1.2

SCRIPT = r"""
import http.server, json, os, queue, threading, time
import odoo.sql_db
from odoo.addons.synco_shopify.shopify.webhooks import WebhookHeaders, parse_payload
from odoo import Command
from shopify_sandbox.admin import SandboxAdmin
P = json.loads(PARAMS)
sandbox = SandboxAdmin(P["url"])
tpl = sandbox.add_location("3PL", fulfillment_service="bench-3pl")
floor_wh = env["stock.warehouse"].create({"name": "Floor", "code": "FLR"})
apply_wh = env["stock.warehouse"].create({"name": "3PL", "code": "TPL"})
partner = env["res.partner"].create({"name": "Bench", "email": "b@example.com"})
shop = env["synco.shop"].create({
    "name": "Bench", "shop_domain": P["domain"], "api_base_url": P["url"],
    "client_id": P["client_id"], "client_secret": P["secret"], "notify_customer": False,
    "fulfillment_direction": "shopify_to_odoo"})
shop.action_test_connection()
shop.action_sync_locations()
shop.location_map_ids.filtered(
    lambda m: m.shopify_location_id == str(tpl["legacy_id"])).warehouse_id = apply_wh
env.cr.commit()
# Shopify's fulfillments/create deliveries, caught on loopback.
DELIVERED = queue.Queue()
class Catch(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        DELIVERED.put((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
catcher = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Catch)
threading.Thread(target=catcher.serve_forever, daemon=True).start()
sandbox.subscribe("fulfillments/create", "http://127.0.0.1:%d/" % catcher.server_port)
ctx = {"skip_backorder": True, "skip_sms": True, "skip_sanity_check": True}
# Every delivery takes one unit of each of the first ``width`` products of
# its kind. The floor and the apply have products of their own, so that
# each finds the same quants (at the customers' location too) as the other.
# They are made once, before anything is measured: creating products
# clears Odoo's caches, which no delivery in production pays for.
def parts(kind, warehouse):
    made = env["product.product"].create([
        {"name": "%s part %d" % (kind, i), "default_code": "%s-%d" % (kind.upper(), i),
         "is_storable": True} for i in range(max(P["widths"]))])
    for product in made:
        env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, len(P["widths"]) * P["repeat"] + 2)
    return made

FLOOR_PARTS, APPLY_PARTS = parts("floor", floor_wh), parts("apply", apply_wh)
env.cr.commit()

def measure(run, ready=lambda: None):
    # run(ready()) from a cold ORM cache to its last query flushed; what
    # ready() does comes before and is not timed.
    env.cr.commit()
    env.invalidate_all()
    before = ready()
    load = os.getloadavg()[0]
    sql = odoo.sql_db.sql_counter
    started = time.monotonic()
    outcome = run(before)
    env.flush_all()
    seconds = time.monotonic() - started
    queries = odoo.sql_db.sql_counter - sql
    env.cr.commit()
    env.invalidate_all()
    return {"seconds": seconds, "sql": queries, "load": load, "outcome": outcome}

def floor(width):
    made = FLOOR_PARTS[:width]
    order = env["sale.order"].create({
        "partner_id": partner.id, "warehouse_id": floor_wh.id,
        "order_line": [Command.create({"product_id": p.id, "product_uom_qty": 1})
                       for p in made]})
    order.action_confirm()
    picking = order.picking_ids
    picking.action_assign()
    pick = measure(lambda _: setattr(picking.move_ids, "picked", True))
    row = measure(lambda _: picking.with_context(**ctx).button_validate())
    row.update(pick_seconds=pick["seconds"], pick_sql=pick["sql"])
    row["ok"] = picking.state == "done" and len(picking.move_ids.filtered(
        lambda m: m.state == "done" and m.quantity == 1)) == width
    return row

def apply(width):
    made = APPLY_PARTS[:width]
    shopify = sandbox.create_order(email="b@example.com", line_items=[
        {"sku": p.default_code, "title": p.name, "quantity": 1, "location_id": tpl["id"]}
        for p in made])
    order = env["sale.order"].create({
        "partner_id": partner.id, "warehouse_id": apply_wh.id, "synco_shop_id": shop.id,
        "shopify_order_id": str(shopify["legacy_id"]),
        "order_line": [Command.create({"product_id": p.id, "product_uom_qty": 1,
                                       "shopify_line_item_id": str(li["legacy_id"])})
                       for p, li in zip(made, shopify["line_items"])]})
    order.action_confirm()
    picking = order.picking_ids
    picking.action_assign()
    sandbox.set_request_status(shopify["fulfillment_orders"][0]["id"], "ACCEPTED")
    sandbox.fulfill(shopify["id"], location_id=tpl["id"])
    # Queued as Shopify's fulfillments/create delivery queues it: the body
    # the sandbox signed and sent, stored and parsed by the webhook's intake.
    headers, body = DELIVERED.get(timeout=30)
    event = env["synco.webhook.event"]._receive(
        shop, WebhookHeaders.from_headers(headers), body, parse_payload(body))
    job = event.job_id
    handler = job_handler("apply_fulfillment")
    # The runner has claimed the job (read it) and found the handler's
    # model before it calls the handler: the handler alone is timed.
    def ready():
        job_outcome._calls.records = []
        return job._handler_target()

    row = measure(lambda target: getattr(target, handler.method)(job), ready)
    row["read_seconds"] = sum(c["duration_ms"] for c in job_outcome._calls.records) / 1000
    row["calls"] = len(job_outcome._calls.records)
    row["ok"] = (picking.state == "done" and str(row["outcome"]).startswith("validated")
                 and len(picking.move_ids.filtered(
                     lambda m: m.state == "done" and m.quantity == 1)) == width)
    job.unlink()
    return row

from odoo.addons.synco_shopify.queue import outcome as job_outcome
from odoo.addons.synco_shopify.queue.registry import job_handler
floor(1), apply(1)  # warm the caches
rows = []
for width in P["widths"]:
    for _ in range(P["repeat"]):
        for kind, run in (("floor", floor), ("apply", apply)):
            row = run(width)
            row.update(kind=kind, lines=width, outcome=str(row["outcome"])[:200])
            rows.append(row)
            print("ROW " + json.dumps(row), flush=True)
print("ROWS " + json.dumps(rows))
"""


def summarize(rows, widths):
    """Per width: the median seconds and queries of the floor and the apply."""
    table = []
    for width in widths:
        pick = {
            kind: [r for r in rows if r["lines"] == width and r["kind"] == kind]
            for kind in ("floor", "apply")
        }
        med = {
            kind: (
                statistics.median(r["seconds"] for r in runs),
                statistics.median(r["sql"] for r in runs),
            )
            for kind, runs in pick.items()
        }
        loads = [r["load"] for r in pick["floor"] + pick["apply"]]
        shopify = (
            statistics.median(r["read_seconds"] for r in pick["apply"]),
            max(r["calls"] for r in pick["apply"]),
        )
        picking = (
            statistics.median(r["pick_seconds"] for r in pick["floor"]),
            statistics.median(r["pick_sql"] for r in pick["floor"]),
        )
        table.append(
            {
                "lines": width,
                "floor_s": med["floor"][0],
                "floor_sql": med["floor"][1],
                "apply_s": med["apply"][0],
                "apply_sql": med["apply"][1],
                "time_ratio": med["apply"][0] / med["floor"][0],
                "sql_ratio": med["apply"][1] / med["floor"][1],
                "apply_sql_per_line": med["apply"][1] / width,
                "floor_sql_per_line": med["floor"][1] / width,
                "load": (min(loads), max(loads)),
                "read_s": shopify[0],
                "calls": shopify[1],
                "pick_s": picking[0],
                "pick_sql": picking[1],
            }
        )
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--widths", default="1,50,250,600")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", default="synco_bench_apply")
    parser.add_argument("--template", help="a database holding the dependencies already")
    args = parser.parse_args(argv)
    widths = [int(w) for w in args.widths.split(",")]
    odoo, odoo_root, versions = bw.find_odoo()
    pg_version = bw.check_postgres()
    workdir = tempfile.mkdtemp(prefix="synco-bench-apply-")
    env = dict(os.environ, SYNCO_SHOPIFY_KEY=Fernet.generate_key().decode(), PYTHONPATH=bw.ROOT)
    addons = f"--addons-path={bw.addons_path(odoo_root)}"
    log = os.path.join(workdir, "odoo.log")
    procs = bw.Processes()
    print("== machine")
    print(bw.machine(versions, pg_version))
    print(f"  log {log}")
    try:
        url = bw.start_sandbox(procs, os.path.join(workdir, "sandbox.log"))
        sandbox = SandboxAdmin(url)
        sandbox.config(domain=bl.DOMAIN, client_id=bl.CLIENT_ID, client_secret=bl.CLIENT_SECRET)
        sandbox.config(bucket={"maximum": bl.UNLIMITED, "restore_rate": bl.UNLIMITED})
        bw.psql("postgres", f"DROP DATABASE IF EXISTS {args.db}")
        if args.template:
            bw.psql("postgres", f"CREATE DATABASE {args.db} TEMPLATE {args.template}")
        base = [*odoo, "-d", args.db, addons]
        bw.run_odoo(
            [*base, "-i", "synco_shopify", "--without-demo=all", "--stop-after-init"], env, log
        )
        shell = [*odoo, "shell", "-d", args.db, addons, "--log-level=warn"]
        params = {
            "url": url,
            "domain": bl.DOMAIN,
            "client_id": bl.CLIENT_ID,
            "secret": bl.CLIENT_SECRET,
            "widths": widths,
            "repeat": args.repeat,
        }
        script = f"PARAMS = {json.dumps(json.dumps(params))}\n" + SCRIPT
        print(f"  load average before {bw.loadavg()}")
        rows = bw.marker(bw.run_odoo(shell, env, log, script, "bench"), "ROWS")
        print(f"  load average after {bw.loadavg()}")
        print(f"== floor (button_validate, every move picked) and apply, median of {args.repeat}")
        print(
            "lines  floor s  floor SQL  apply s  apply SQL  time ratio  SQL ratio"
            "  apply SQL/line  floor SQL/line  load (1 min)  (apply's Shopify read: s, calls)"
            "  (floor's picking: s, SQL)"
        )
        table = summarize(rows, widths)
        first = table[0]
        for t in table:
            print(
                f"{t['lines']:>5}  {t['floor_s']:>7.2f}  {t['floor_sql']:>9}  {t['apply_s']:>7.2f}"
                f"  {t['apply_sql']:>9}  {t['time_ratio']:>10.2f}  {t['sql_ratio']:>9.2f}"
                f"  {t['apply_sql_per_line']:>14.2f}  {t['floor_sql_per_line']:>14.2f}"
                f"  {t['load'][0]:>4.1f}-{t['load'][1]:<4.1f}"
                f"  ({t['read_s']:.3f}, {t['calls']})  ({t['pick_s']:.2f}, {t['pick_sql']})"
            )
        print("== apply's queries per line added, from the first width")
        for t in table[1:]:
            added = t["lines"] - first["lines"]
            print(
                f"{t['lines']:>5}  apply {(t['apply_sql'] - first['apply_sql']) / added:.2f}"
                f"  floor {(t['floor_sql'] - first['floor_sql']) / added:.2f}"
            )
        missed = [t["lines"] for t in table if max(t["time_ratio"], t["sql_ratio"]) > TARGET_RATIO]
        print(
            f"target: at most {TARGET_RATIO} x the floor's time and queries: "
            + (f"missed at {missed} lines" if missed else "met at every width")
        )
        bad = [r for r in rows if not r["ok"]]
        if bad:
            raise bw.BenchError(f"{len(bad)} deliveries did not end done whole: {bad}")
    finally:
        procs.stop_all()
        bw.psql("postgres", f"DROP DATABASE IF EXISTS {args.db}")


if __name__ == "__main__":
    main()
