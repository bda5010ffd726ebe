"""Benchmark the shop's return after Shopify was down or refused the app.

    .venv/bin/python scripts/bench_outage.py [--scenarios S,...] [--small N]
        [--backlog M] [--db NAME] [--keep-db]

Scenarios (default ``503:60:small,refuse:60:small,503:60:backlog,credentials:small``):
``503:<seconds>:<size>`` (the sandbox answers 503 to every call),
``refuse:<seconds>:<size>`` (its port refuses connections) and
``credentials:<size>`` (the app's secret rotated: the grant answers
invalid_client, old tokens 401; after 20 s the merchant saves the new secret
and presses Test Connection, through XML-RPC). ``<size>`` is ``small``
(``--small`` deliveries) or ``backlog`` (``--backlog``, 500).

Each scenario: its deliveries are validated in an ``odoo shell`` while no
server runs (their push jobs wait), the sandbox goes down (or the secret is
rotated), then Odoo's server starts with one cron worker: its first push
meets the fault and pauses the shop. Timed from Shopify's return (the end of
the outage the sandbox was given, or the Test Connection's answer) to the
last fulfillmentCreate in the sandbox's call log, against the bucket's pace
for that many pushes (a standard plan's 2,000 points, restoring 100 a
second, full at the start; 23 points a push as bench_push.py measures).
Checks that no job failed, that no push used more than one attempt, and
that every delivery got exactly one fulfillment.

The start-up is scripts/benchkit.py's.
"""

import argparse
import os
import sys
import time
import xmlrpc.client
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_webhooks as bw
import benchkit as kit

POINTS_PER_PUSH = 23  # bench_push.py's measure on this sandbox
STANDARD = kit.STANDARD
NEW_SECRET = "bench-rotated-secret-0123456789"
MERCHANT_DELAY = 20  # seconds before the merchant enters the new secret
DEFAULT = "503:60:small,refuse:60:small,503:60:backlog,credentials:small"

JOBS = (
    "SELECT state, count(*), max(attempts) FROM synco_job"
    " WHERE job_type = 'push_fulfillment' AND id > %d GROUP BY state"
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default=DEFAULT)
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--backlog", type=int, default=500)
    parser.add_argument("--db", default="synco_bench_outage")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    scenarios = [s.split(":") for s in args.scenarios.split(",")]
    sizes = [args.backlog if s[-1] == "backlog" else args.small for s in scenarios]
    failures = 0
    with kit.Bench(args.db, "outage", args.keep_db) as bench:
        db, sandbox = bench.db, bench.sandbox
        started = time.monotonic()
        pickings = bench.setup_shop([("bulk", sum(sizes))])
        bulk = [v[0] for k, v in sorted(pickings.items()) if k.startswith("bulk-")]
        print(f"== set-up: {len(bulk)} orders imported in {time.monotonic() - started:.0f} s")
        bench.psql(kit.CATCH_UP_CRON % "false")  # the pushes alone are measured
        context = {
            "procs": bench.procs,
            "odoo": bench.odoo,
            "base": bench.base,
            "env": bench.env,
            "workdir": bench.workdir,
        }
        for n, (scenario, size) in enumerate(zip(scenarios, sizes, strict=True)):
            batch, bulk = bulk[:size], bulk[size:]
            mark = int(bw.psql(db, "SELECT coalesce(max(id), 0) FROM synco_job") or 0)
            validated = bench.bulk_validate(batch)
            pushes = validated["pushes"]
            ok = run_scenario(context, sandbox, scenario, pushes, mark, f"run{n}")
            failures += not ok
        duplicates = [o["name"] for o in sandbox.orders() if len(o.get("fulfillments") or []) > 1]
        print(f"== check: orders with more than one fulfillment: {duplicates or 'none'}")
        return 1 if duplicates or failures else 0


def run_scenario(ctx, sandbox, scenario, pushes, mark, name):
    """Fault, server start, Shopify's return, the drain; prints one figure.
    True when every push (jobs after ``mark``) was done with one attempt."""
    db = ctx["base"][ctx["base"].index("-d") + 1]
    sandbox.config(bucket={**STANDARD, "available": STANDARD["maximum"]})
    sandbox.clear_calls()
    kind = scenario[0]
    load_before = bw.loadavg()
    if kind == "credentials":
        sandbox.rotate_secret(client_secret=NEW_SECRET)
        label = "the app's secret rotated"
    else:
        seconds = float(scenario[1])
        sandbox.outage(seconds, mode=kind)
        back_at = time.time() + seconds
        label = f"Shopify {'answering 503' if kind == '503' else 'refusing connections'}"
        label += f" for {seconds:.0f} s"
    server, url, _log = bw.start_server(
        ctx["procs"],
        ctx["odoo"],
        [*ctx["base"][len(ctx["odoo"]) :], "--max-cron-threads=1"],
        ctx["env"],
        ctx["workdir"],
        name,
    )
    if kind == "credentials":
        time.sleep(MERCHANT_DELAY)
        paused = bw.psql(db, "SELECT state || ' ' || coalesce(pause_reason, '-') FROM synco_shop")
        back_at = merchant_enters_new_secret(url, db)
        label += f" (shop {paused} before the new secret was entered)"
    else:
        time.sleep(max(back_at - time.time(), 0) + 1)
    open_pushes = (
        "SELECT count(*) FROM synco_job WHERE job_type = 'push_fulfillment'"
        f" AND state IN ('pending', 'running') AND id > {mark}"
    )
    deadline = time.monotonic() + 120 + pushes * POINTS_PER_PUSH / STANDARD["restore_rate"] * 2
    while int(bw.psql(db, open_pushes)) and time.monotonic() < deadline:
        time.sleep(0.5)
    load_after = bw.loadavg()
    ctx["procs"].stop(server)
    if kind == "credentials":
        sandbox.rotate_secret(client_secret=kit.CLIENT_SECRET)
        shop_secret(ctx, db)
    calls = sorted(sandbox.calls(), key=lambda c: c["at"])
    creates = [
        datetime.fromisoformat(c["at"]).timestamp()
        for c in calls
        if c["status"] == 200 and "fulfillmentCreate" in c["root_fields"]
    ]
    states = {
        row.split("|")[0]: (int(row.split("|")[1]), int(row.split("|")[2]))
        for row in bw.psql(db, JOBS % mark).splitlines()
        if row
    }
    bound = max(pushes * POINTS_PER_PUSH - STANDARD["maximum"], 0) / STANDARD["restore_rate"]
    print(f"== {label}; {pushes} deliveries validated meanwhile; one cron worker")
    print(f"  load average {load_before} before, {load_after} after")
    if not creates:
        print(f"  NOTHING REACHED SHOPIFY: jobs {states}")
        return False
    recovery = creates[-1] - back_at
    print(
        f"  from Shopify's return to the last of the {len(creates)} fulfillments: "
        f"{recovery:.1f} s (the bucket's own pace for {pushes} pushes: {bound:.1f} s "
        f"past its burst); first fulfillment {creates[0] - back_at:.1f} s after the return"
    )
    print(f"  push jobs by state (count, most attempts): {states}")
    done, attempts = states.get("done", (0, 0))
    return done == pushes == len(creates) and attempts <= 1 and len(states) == 1


def merchant_enters_new_secret(url, db):
    """The merchant's two clicks, through XML-RPC; returns the moment of
    the click on Test Connection (its answer releases the waiting jobs)."""
    uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, "admin", "admin", {})
    rpc = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    shop_ids = rpc.execute_kw(db, uid, "admin", "synco.shop", "search", [[]])
    rpc.execute_kw(
        db, uid, "admin", "synco.shop", "write", [shop_ids, {"client_secret": NEW_SECRET}]
    )
    clicked = time.time()
    rpc.execute_kw(db, uid, "admin", "synco.shop", "action_test_connection", [shop_ids])
    return clicked


SHOP_SECRET = r"""
shop = env["synco.shop"].search([])
shop.client_secret = %(secret)r
shop.action_test_connection()
env.cr.commit()
print("SECRET " + '"' + shop.state + '"')
"""


def shop_secret(ctx, db):
    """Back to the set-up's secret for the next scenario."""
    shell = [*ctx["odoo"], "shell", *ctx["base"][len(ctx["odoo"]) :], "--log-level=warn"]
    script = SHOP_SECRET % {"secret": kit.CLIENT_SECRET}
    bw.run_odoo(shell, ctx["env"], os.path.join(ctx["workdir"], "odoo.log"), script, "secret")


if __name__ == "__main__":
    sys.exit(main())
