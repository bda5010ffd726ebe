"""Webhook bursts against Odoo's two servers, with wrk: nothing but 2xx?

    .venv/bin/python scripts/bench_load.py [--duration S] [--levels 1,10,50,100]

Installs synco_shopify in a fresh database, connects a shop to the Shopify
sandbox, then, for Odoo's threaded server (``--workers 0``) and its prefork
server (``--workers 4`` by default), each without and with a cron worker
(``--max-cron-threads 0`` / ``1``), fires signed ``orders/create``
deliveries with wrk (Debian's package) from 1, 10, 50 and 100 concurrent
kept-alive connections, ``--duration`` seconds each. Every delivery is a
new one (its own webhook id); with a cron worker, the runner drains the
queue beside the burst (each delivery's job, then the order's import, a
call to the sandbox). Odoo's pool keeps its default size (``db_maxconn``
64) unless ``--db-maxconn`` is given; the server filters databases with
``--db-filter`` as a server holding several would (``--no-db-filter``:
``-d`` alone).

Prints, per server, cron and level: deliveries a second, p50 and p99 as
wrk measures them, and the answers that were not 2xx (wrk's "Non-2xx or
3xx", which counts 4xx and 5xx) and its socket errors, then the lines the
server logged about a full connection pool. Not a test: the exit code is 1
when any answer was not 2xx or any pool error was logged. The machine and
its load average are printed: state figures with them (other processes
share the CPUs, and wrk runs on them too).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_webhooks as bench  # the intake benchmark's helpers
from bench_webhooks import BenchError, SandboxAdmin, sign

from synco_shopify.planning import serving

TOPIC = "orders/create"
LEVELS = (1, 10, 50, 100)
ORDERS = 2000  # distinct signed bodies; webhook ids are unique per request
POOL_ERROR = re.compile(r"PoolError|Connection Pool Is Full")

SHELL_SETUP = """
import json, os
shop = env["synco.shop"].create({
    "name": "Load bench shop",
    "shop_domain": os.environ["BENCH_SHOP_DOMAIN"],
    "api_base_url": os.environ["BENCH_SANDBOX_URL"],
    "auth_method": "client_credentials",
    "client_id": os.environ["BENCH_CLIENT_ID"],
    "client_secret": os.environ["BENCH_CLIENT_SECRET"],
})
env.cr.commit()
print("BENCH_SHOP " + json.dumps({"id": shop.id, "secrets": shop._webhook_secrets() != []}))
"""


def order_payload(n):
    """An orders/create body shaped like Shopify's (REST webhook format)."""
    oid = bench.BIG + 10 * n
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    line = {
        "id": oid + 1,
        "admin_graphql_api_id": f"gid://shopify/LineItem/{oid + 1}",
        "fulfillable_quantity": 1,
        "fulfillment_service": "manual",
        "name": "Trail Runner - 42 / Blue",
        "price": "89.00",
        "product_id": bench.BIG + 501,
        "quantity": 1,
        "requires_shipping": True,
        "sku": "TR-42-BLU",
        "taxable": True,
        "tax_lines": [{"price": "7.12", "rate": 0.08, "title": "State Tax"}],
        "variant_id": bench.BIG + 601,
    }
    return {
        "id": oid,
        "admin_graphql_api_id": f"gid://shopify/Order/{oid}",
        "name": f"#{1000 + n}",
        "created_at": now,
        "updated_at": now,
        "currency": "USD",
        "financial_status": "paid",
        "fulfillment_status": None,
        "total_price": "96.12",
        "test": False,
        "line_items": [line, dict(line, id=oid + 2, sku="TR-43-BLU", quantity=2)],
        "shipping_lines": [{"code": "Standard", "price": "0.00", "title": "Standard"}],
    }


def lua_script(path, count, close=False):
    """wrk's script: each request one of ``count`` signed bodies, under a
    webhook id of its own (per wrk thread and request); ``close``: one
    connection per request, as a proxy in front of Odoo sends them."""
    rows = []
    for n in range(count):
        body = json.dumps(order_payload(n), separators=(",", ":"))
        assert "]==]" not in body
        rows.append(f'{{[==[{body}]==], "{sign(body.encode(), bench.CLIENT_SECRET)}"}}')
    return (
        "local bodies = {\n" + ",\n".join(rows) + "\n}\n"
        "local next_tid = 1\n"
        "function setup(thread)\n"
        "  thread:set('tid', next_tid)\n"
        "  next_tid = next_tid + 1\n"
        "end\n"
        "local counter = 0\n"
        "function init(args)\n"
        "  run = args[1]\n"  # one id per wrk run: each delivery is new
        "end\n"
        "function request()\n"
        "  counter = counter + 1\n"
        "  local d = bodies[(counter * 7919 + tid) % #bodies + 1]\n"
        "  local id = string.format('%s-%d-%d', run, tid, counter)\n"
        "  return wrk.format('POST', path, {\n"
        "    ['Content-Type'] = 'application/json',\n"
        f"    ['X-Shopify-Topic'] = '{TOPIC}',\n"
        "    ['X-Shopify-Hmac-Sha256'] = d[2],\n"
        f"    ['X-Shopify-Shop-Domain'] = '{bench.SHOP_DOMAIN}',\n"
        "    ['X-Shopify-Webhook-Id'] = id,\n"
        f"    ['X-Shopify-API-Version'] = '{bench.API_VERSION}',\n"
        "    ['X-Shopify-Event-Id'] = id,\n"
        "    ['X-Shopify-Triggered-At'] = '2026-12-01T00:00:00Z',\n"
        "    ['User-Agent'] = 'Shopify-Captain-Hook',\n"
        + ("    ['Connection'] = 'close',\n" if close else "")
        + "  }, d[1])\n"
        "end\n"
        f"path = '{path}'\n"
    )


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match[1]) * UNITS[match[2]] if match else float("nan")


def parse_wrk(output):
    """wrk --latency's report as numbers."""

    def find(pattern, cast=int, default=0):
        match = re.search(pattern, output)
        return cast(match[1]) if match else default

    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    kinds = ("connect", "read", "write", "timeout")
    return {
        "requests": find(r"(\d+) requests in"),
        "rps": find(r"Requests/sec:\s+([\d.]+)", float, float("nan")),
        "p50": _ms(find(r"\n\s+50%\s+(\S+)", str, "")),
        "p99": _ms(find(r"\n\s+99%\s+(\S+)", str, "")),
        "non2xx": find(r"Non-2xx or 3xx responses: (\d+)"),
        "socket": dict(zip(kinds, map(int, errors.groups()), strict=True)) if errors else {},
    }


def run_wrk(url, script, level, duration):
    threads = max(1, min(level, 2))  # two cores: more wrk threads only compete with Odoo
    cmd = ["wrk", f"-t{threads}", f"-c{level}", f"-d{duration}s", "--latency", "--timeout", "30s"]
    run_id = uuid.uuid4().hex[:12]
    result = subprocess.run(
        [*cmd, "-s", script, url, "--", run_id],
        capture_output=True,
        text=True,
        timeout=duration + 120,
    )
    if result.returncode:
        raise BenchError(f"wrk failed ({result.returncode}): {result.stderr[-2000:]}")
    return parse_wrk(result.stdout)


def pool_errors(log_path, start):
    with open(log_path, "rb") as handle:
        handle.seek(start)
        text = handle.read().decode("utf-8", "replace")
    return sum(1 for line in text.splitlines() if POOL_ERROR.search(line))


def bench_server(procs, odoo, server_args, env, workdir, name, script, levels, duration):
    """One server: a warm-up (the first row, level None), then each level;
    returns the rows."""
    server, base_url, log_path = bench.start_server(procs, odoo, server_args, env, workdir, name)
    url = base_url + bench.WEBHOOK_PATH
    rows = []
    try:
        warm = run_wrk(url, script, 10, 3)  # warm-up: every worker's caches
        rows.append(dict(warm, level=None, pool_errors=pool_errors(log_path, 0)))
        for level in levels:
            start = os.path.getsize(log_path)
            row = run_wrk(url, script, level, duration)
            row.update(level=level, pool_errors=pool_errors(log_path, start), load=bench.loadavg())
            rows.append(row)
            socket = sum(row["socket"].values())
            print(
                f"{level:>7}{row['rps']:>10.0f}{row['p50']:>10.1f}{row['p99']:>10.1f}"
                f"{row['requests']:>10}{row['non2xx']:>9}{socket:>8}{row['pool_errors']:>8}"
                f"   {row['load']}",
                flush=True,
            )
    finally:
        procs.stop(server)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per level")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="senders, e.g. 1,50")
    parser.add_argument("--workers", type=int, default=4, help="the prefork server's workers")
    parser.add_argument("--db-maxconn", type=int, help="Odoo's db_maxconn (default: Odoo's, 64)")
    parser.add_argument("--no-db-filter", dest="db_filter", action="store_false")
    parser.add_argument(
        "--servers",
        default="threaded,threaded-capped,prefork",
        help="threaded (Odoo's default), threaded-capped (ODOO_MAX_HTTP_THREADS as the launch "
        "check asks, one connection per request as behind a proxy), prefork",
    )
    parser.add_argument("--cron", default="0,1", help="cron workers to run beside: 0, 1 or both")
    parser.add_argument("--db", default=f"synco_bench_load_{os.getpid()}", help="dropped first")
    parser.add_argument(
        "--template", help="create the database from this one (e.g. with sale_stock installed)"
    )
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db):
        parser.error("--db: lower-case letters, digits and _ only")
    db = args.db
    if not shutil.which("wrk"):
        print("Cannot benchmark: wrk is not installed (Debian: apt install wrk).", file=sys.stderr)
        return 1
    try:
        odoo_cmd, odoo_root, odoo_versions = bench.find_odoo()
        pg_version = bench.check_postgres()
    except BenchError as exc:
        print(f"Cannot benchmark: {exc}", file=sys.stderr)
        return 1

    workdir = tempfile.mkdtemp(prefix="synco-bench-load-")
    procs = bench.Processes()
    env = dict(
        os.environ,
        SYNCO_SHOPIFY_KEY=bench._fernet_key(),
        BENCH_SHOP_DOMAIN=bench.SHOP_DOMAIN,
        BENCH_CLIENT_ID=bench.CLIENT_ID,
        BENCH_CLIENT_SECRET=bench.CLIENT_SECRET,
    )
    odoo = [*odoo_cmd, "-d", db, f"--addons-path={bench.addons_path(odoo_root)}"]
    created = False
    bad = answered = 0
    try:
        print("== machine")
        print(bench.machine(odoo_versions, pg_version).replace("requests", "wrk; requests"))
        print(f"  load average {bench.loadavg()} (1, 5, 15 min); logs in {workdir}")
        print(f"== fresh database {db} with synco_shopify", flush=True)
        subprocess.run(["dropdb", "--if-exists", db], check=True)
        created = True
        if args.template:
            subprocess.run(["createdb", "-T", args.template, db], check=True)
        bench.run_odoo(
            [*odoo, "-i", "synco_shopify", "--without-demo=all", "--stop-after-init",
             "--log-level=warn", f"--http-port={bench.free_port()}"],
            env, os.path.join(workdir, "install.log"), what="installing synco_shopify",
        )  # fmt: skip
        sandbox_url = bench.start_sandbox(procs, os.path.join(workdir, "sandbox.log"))
        SandboxAdmin(sandbox_url).config(
            domain=bench.SHOP_DOMAIN, client_id=bench.CLIENT_ID, client_secret=bench.CLIENT_SECRET
        )
        shell = [*odoo_cmd, "shell", "-d", db, f"--addons-path={bench.addons_path(odoo_root)}"]
        out = bench.run_odoo(
            [*shell, "--log-level=warn", "--no-http"],
            dict(env, BENCH_SANDBOX_URL=sandbox_url),
            os.path.join(workdir, "shell.log"),
            SHELL_SETUP,
            what="creating the shop",
        )
        if not bench.marker(out, "BENCH_SHOP")["secrets"]:
            raise BenchError("the shop's client secret did not store")
        scripts = {}
        for close in (False, True):
            scripts[close] = os.path.join(workdir, f"deliveries{'-close' if close else ''}.lua")
            with open(scripts[close], "w") as handle:
                handle.write(lua_script(bench.WEBHOOK_PATH, ORDERS, close))

        common = [f"--db-filter=^{db}$"] if args.db_filter else []
        if args.db_maxconn:
            common.append(f"--db_maxconn={args.db_maxconn}")
        maxconn = args.db_maxconn or 64
        servers = {
            "threaded": ["--workers=0"],
            "threaded-capped": ["--workers=0"],
            "prefork": [f"--workers={args.workers}"],
        }
        for name in args.servers.split(","):
            for cron in map(int, args.cron.split(",")):
                server_args = [*servers[name], f"--max-cron-threads={cron}", *common]
                server_env, note, close = env, "", False
                if name == "threaded-capped":
                    # What the launch check asks for; a proxy's upstream
                    # requests (nginx's default), one connection each.
                    cap = maxconn - serving.CRON_CONNECTIONS * cron
                    server_env = dict(env, **{serving.THREADS_ENV: str(cap)})
                    note, close = f", {serving.THREADS_ENV}={cap}, Connection: close", True
                print(
                    f"== {name} server, {cron} cron worker(s): {' '.join(server_args)} "
                    f"(db_maxconn {maxconn}{note}); {args.duration} s per level"
                )
                header = (
                    f"{'senders':>7}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'answers':>10}"
                    f"{'non-2xx':>9}{'socket':>8}{'pool':>8}   load average"
                )
                print(header + "\n" + "-" * len(header), flush=True)
                rows = bench_server(
                    procs, odoo, server_args, server_env, workdir, f"{name}-cron{cron}",
                    scripts[close], levels, args.duration,
                )  # fmt: skip
                bad += sum(r["non2xx"] + r["pool_errors"] for r in rows)
                answered += sum(r["requests"] - r["non2xx"] for r in rows)
        events = bench.psql(db, "select count(*) from synco_webhook_event")
        jobs = bench.psql(
            db, "select string_agg(state || ': ' || n, ', ') from "
            "(select state, count(*) n from synco_job group by state) s",
        )  # fmt: skip
        print(
            f"== stored: {events} events for {answered} deliveries answered 2xx (each one new; "
            f"wrk may cut a few at the end of a level); jobs {jobs}; "
            f"load average {bench.loadavg()}"
        )
        if int(events) < answered:
            print(f"== {answered - int(events)} deliveries answered 2xx were NOT stored")
            bad += answered - int(events)
        print(f"== {'every answer 2xx' if not bad else f'{bad} answers not 2xx or pool errors'}")
        return 1 if bad else 0
    except BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        procs.stop_all()
        if created and not args.keep_db:
            time.sleep(1)
            subprocess.run(["dropdb", "--if-exists", db], check=False)


if __name__ == "__main__":
    sys.exit(main())
