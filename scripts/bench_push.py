"""Benchmark the Odoo-led push on this machine.

    .venv/bin/python scripts/bench_push.py [--deliveries N] [--echo on|off|both]
        [--bucket-pushes M] [--bucket-max P] [--restore-rate R] [--db NAME] [--keep-db]

Installs synco_shopify in a fresh database against the Shopify sandbox,
imports sandbox orders through the addon's own import job, then:

1. per push job, the SQL queries and Shopify calls for deliveries of 1, 10
   and 40 lines (they must not grow with the lines);
2. starts Odoo's server with a cron worker and, for N one-line deliveries,
   validates each through XML-RPC as a warehouse user would and times how
   long until the fulfillment exists in the sandbox (p50/p95): the queue is
   woken on commit, so this is the user-visible delay;
   with ``--echo``, the shop has subscribed its webhooks at that server (as
   Register Webhooks does) and the sandbox announces each fulfillment the
   app creates as Shopify does (``on``: fulfillments/create and
   orders/updated come back to Odoo, the app's own "echo") or not (``off``,
   the sandbox's ``echo_app_fulfillments`` switch); ``both`` runs the two
   on N deliveries each. Once the queue is idle again, per push: the Shopify
   calls and the cost points charged, everything the push and its echo
   caused (by operation), and the jobs queued. The echo must cost nothing:
   ``on`` no more than ``off``. The order catch-up cron is off meanwhile;
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
The start-up is scripts/benchkit.py's. Not a test: it prints figures, and
checks that every delivery got exactly one fulfillment.
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_webhooks as bw
import benchkit as kit

WIDTHS = (1, 10, 40)
DOMAIN, CLIENT_ID, CLIENT_SECRET = kit.DOMAIN, kit.CLIENT_ID, kit.CLIENT_SECRET  # bench_apply.py
SETUP = kit.LegacySetup(kit.SETUP)
BULK_VALIDATE, UNLIMITED = kit.BULK_VALIDATE, kit.UNLIMITED
CATCH_UP_CRON = kit.CATCH_UP_CRON

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=40)
    parser.add_argument(
        "--echo",
        choices=("on", "off", "both"),
        help="subscribe the shop's webhooks; the sandbox echoes the app's fulfillments or not",
    )
    parser.add_argument("--bucket-pushes", type=int, default=0, metavar="M")
    parser.add_argument("--bucket-max", type=float, default=2000)
    parser.add_argument("--restore-rate", type=float, default=100)
    parser.add_argument("--db", default="synco_bench_push")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    echoes = {"on": (True,), "off": (False,), "both": (False, True), None: (None,)}[args.echo]
    with kit.Bench(args.db, "push", args.keep_db) as bench:
        port = bw.free_port()  # the server's, known to the shop's webhooks beforehand
        batches = [(f"one{n}", args.deliveries) for n in range(len(echoes))]
        pickings = bench.setup_shop(
            [*batches, ("bulk", args.bucket_pushes)],
            widths=WIDTHS,
            base_url=f"http://127.0.0.1:{port}" if args.echo else None,
        )
        bench.sandbox.config(bucket={**kit.STANDARD, "available": kit.STANDARD["maximum"]})
        wide = {k: v[0] for k, v in pickings.items() if k.startswith("wide-")}
        values = {"url": bench.url, "pickings": wide}
        per_job = bw.marker(bench.shell(PER_JOB, "per job", values), "PERJOB")
        print("== one push job, by delivery width (SQL queries counted in the Odoo process)")
        for key in sorted(per_job, key=lambda k: per_job[k]["lines"]):
            row = per_job[key]
            print(
                f"  {row['lines']:>3} lines: {row['sql']:>4} SQL queries, "
                f"{row['calls']} Shopify calls, job {row['state']}"
            )
        if args.deliveries:
            gids = bench.order_gids()
            cost = {}
            for n, echo in enumerate(echoes):
                prefix = f"one{n}-"
                batch = [(v[0], gids[v[1]]) for k, v in pickings.items() if k.startswith(prefix)]
                cost[echo] = measure_latency(bench, port, batch, echo)
            if args.echo == "both":
                (on_calls, on_points), (off_calls, off_points) = cost[True], cost[False]
                met = on_calls <= off_calls and on_points <= off_points
                print(
                    f"== Shopify's echo costs {on_calls - off_calls:+.2f} calls and "
                    f"{on_points - off_points:+.1f} points a push: target (no more than "
                    f"without it) {'met' if met else 'MISSED'}"
                )
        if args.bucket_pushes:
            bulk = [v[0] for k, v in sorted(pickings.items()) if k.startswith("bulk-")]
            validated = bench.bulk_validate(bulk)
            print(
                f"== set-up: {len(bulk)} deliveries validated in {validated['seconds']:.0f} s "
                f"in an odoo shell, {validated['pushes']} push jobs waiting"
            )
            bucket = {"maximum": args.bucket_max, "restore_rate": args.restore_rate}
            ok = measure_bucket(
                bench.procs, bench.odoo, bench.base, bench.env, bench.workdir, bench.sandbox,
                bucket, len(bulk),
            )  # fmt: skip
            if not ok:
                return 1
        sandbox = bench.sandbox
        duplicates = [o["name"] for o in sandbox.orders() if len(o.get("fulfillments") or []) > 1]
        print(f"== check: orders with more than one fulfillment: {duplicates or 'none'}")
        return 1 if duplicates else 0


JOBS_SINCE = (
    "SELECT job_type || ' ' || state, count(*) FROM synco_job WHERE id > %d GROUP BY 1 ORDER BY 1"
)


def measure_latency(bench, port, batch, echo):
    """Validate each (picking id, order gid) of ``batch`` through XML-RPC,
    one after another, timing the click to the fulfillment in the sandbox;
    with ``echo`` (True/False), then wait for the queue to be idle and
    print the Shopify calls and points per push, echo included."""
    sandbox = bench.sandbox
    if echo is not None:
        sandbox.config(echo_app_fulfillments=echo)
        bench.psql(CATCH_UP_CRON % "false")  # the pushes and their echoes alone
    server, base_url, _log = bench.start_server("push", ["--max-cron-threads=1"], port=port)
    if echo is not None:  # what earlier steps left (retried webhooks, their jobs) first
        kit.wait_idle(bench)
    mark = int(bench.psql("SELECT coalesce(max(id), 0) FROM synco_job") or 0)
    user = kit.Warehouse(base_url, bench.db)
    load_before = bw.loadavg()
    sandbox.clear_calls()
    since = datetime.now(timezone.utc)
    latencies = []
    for picking_id, order_gid in batch:
        user.pick(picking_id)
        clicked = user.validate(picking_id)
        seen = kit.wait_fulfilled(sandbox, order_gid)
        latencies.append((seen or time.monotonic()) - clicked)
    if echo is not None:
        kit.wait_idle(bench)
    load_after = bw.loadavg()
    bench.procs.stop(server)
    if echo is not None:
        bench.psql(CATCH_UP_CRON % "true")
    label = {None: "no webhooks subscribed", True: "Shopify's echo on", False: "echo off"}[echo]
    print(f"== validation to fulfillment in the sandbox, {len(latencies)} deliveries ({label})")
    print(f"  load average {load_before} before, {load_after} after")
    latencies.sort()
    p50, p95 = bw.percentile(latencies, 50), bw.percentile(latencies, 95)
    print(
        f"  p50 {p50:.2f} s, p95 {p95:.2f} s, "
        f"max {latencies[-1]:.2f} s, mean {statistics.mean(latencies):.2f} s "
        "(Odoo threaded server, one cron worker woken on commit)"
    )
    if echo is None:
        return None
    calls = sandbox.calls()
    graphql = [c for c in calls if c["status"] is not None]
    charged = [c for c in graphql if c["status"] == 200 and not c["throttled"]]
    points = sum(c["actual_cost"] or 0 for c in charged)
    n = len(batch)
    operations = Counter(c["operation_name"] or "?" for c in graphql)
    deliveries = [
        d
        for d in sandbox.deliveries()
        if d.get("attempt") == 1 and datetime.fromisoformat(d["at"]) >= since
    ]
    topics = Counter(d["topic"] for d in deliveries)
    jobs = [row.split("|") for row in bench.psql(JOBS_SINCE % mark).splitlines() if row]
    print(
        f"  per push, echo included: {len(graphql) / n:.2f} Shopify calls, "
        f"{points / n:.1f} cost points charged ({len(graphql)} calls, {points:.0f} points "
        f"for {n} pushes; THROTTLED {sum(1 for c in graphql if c['throttled'])})"
    )
    print("  calls by operation: " + ", ".join(f"{k} {v}" for k, v in operations.most_common()))
    print(
        "  webhooks the sandbox sent: "
        + (", ".join(f"{k} {v}" for k, v in topics.most_common()) or "none")
    )
    print("  jobs queued: " + ", ".join(f"{k} {v}" for k, v in jobs))
    return len(graphql) / n, points / n


PACER_DEFERRAL = "API budget is used up"


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
