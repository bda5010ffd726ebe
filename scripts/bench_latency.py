"""End to end under load: validation to fulfillment while webhooks pour in.

    .venv/bin/python scripts/bench_latency.py [--duration S] [--rate R] [--workers N]
        [--senders K] [--phases idle,floor,webhooks] [--db NAME] [--keep-db]

Starts the sandbox, installs synco_shopify in a fresh database, connects a
shop with Odoo-led deliveries (one Shopify location mapped to Odoo's
warehouse, led by Odoo) and subscribes its webhooks at the server (so the
sandbox sends Shopify's own webhooks too, the echo of each push included),
imports the orders through the addon's own job, then starts Odoo's prefork
server (``--workers`` HTTP workers, 2 by default, and one cron worker:
``--max-cron-threads=1``). For each phase, ``--duration`` seconds (60):

- ``idle``: nothing else;
- ``floor``: ``--rate`` (50) POSTs a second to Odoo's most trivial JSON
  route (``/web/webclient/version_info``): the same load with nothing to do;
- ``webhooks``: ``--rate`` signed ``orders/updated`` deliveries a second at
  Odoo's webhook route, each a new one (its own webhook id), for orders
  Odoo holds, with the bodies the sandbox itself builds for them; each is
  stored and queued, and its job (one per delivery) runs on the same cron
  worker as the pushes.

and meanwhile a warehouse user validates deliveries one after another
through XML-RPC (the moves picked, then ``button_validate``) and waits for
each one's fulfillment to exist in the sandbox (polled every 20 ms). Prints
per phase: the validations, click to fulfillment p50 / p95 / max, what the
time is made of (the click's answer; the answer to the push's first Shopify
call, which is the cron worker's wake-up and the jobs queued before the
push; the push's Shopify calls, first to fulfillmentCreate, from the
sandbox's call log), the load's achieved rate, its answers (5xx counted),
its answer times and how late the sender was against its schedule (to show
it is not the bottleneck), the jobs left queued at the end of the phase and
the load average at its start and end (os.getloadavg()).

The sender is open-loop: a clock thread schedules request n at start + n /
rate and ``--senders`` (32) threads with kept-alive connections send them,
so a slow server does not slow the sender; its lateness is printed. Not a
test: it prints figures, and exits 1 when a delivery got no fulfillment or
more than one. The start-up is scripts/benchkit.py's.
"""

import argparse
import http.client
import os
import queue
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_webhooks as bw
import benchkit as kit

from synco_shopify.shopify.webhooks import sign

TOPIC = "orders/updated"
LOAD_ORDERS = 40  # orders whose orders/updated bodies the load repeats, each a new delivery
WARM_VALIDATIONS = 5  # before the phases, not counted
PHASES = ("idle", "floor", "webhooks")
PUSH_CALLS = ("SyncoOrderFulfillments", "SyncoOrderFulfillmentOrders", "SyncoFulfillmentCreate")
CREATE = "SyncoFulfillmentCreate"
# Open jobs the runner takes before the delivery's push (same priority,
# lower id), counted as the click is answered.
AHEAD = (
    "SELECT count(*) FROM synco_job job, (SELECT max(id) AS id, max(priority) AS priority"
    " FROM synco_job WHERE job_type = 'push_fulfillment' AND res_model = 'stock.picking'"
    " AND res_id = %d) push WHERE job.state IN ('pending', 'running')"
    " AND (job.priority, job.id) < (push.priority, push.id)"
)


# -- the load ----------------------------------------------------------------------------


class Load:
    """``rate`` requests a second to ``path``, open loop: request n is due
    at start + n / rate whatever the answers; ``make(n)`` gives its (body,
    headers)."""

    def __init__(self, base_url, path, make, rate, senders):
        self.host, self.port = base_url.split("//")[1].split(":")
        self.path, self.make, self.rate, self.senders = path, make, rate, senders
        self.queue = queue.Queue()
        self.stopping = threading.Event()
        self.results = []  # (status or None, answer seconds, lateness seconds)
        self.lock = threading.Lock()
        self.threads = []

    def start(self):
        self.started = time.monotonic()
        self.threads = [threading.Thread(target=self._clock, daemon=True)]
        self.threads += [
            threading.Thread(target=self._send, daemon=True) for _ in range(self.senders)
        ]
        for thread in self.threads:
            thread.start()
        return self

    def _clock(self):
        n = 0
        while not self.stopping.is_set():
            due = self.started + n / self.rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self.queue.put((n, due))
            n += 1
        for _ in range(self.senders):
            self.queue.put(None)

    def _send(self):
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=60)
        while True:
            item = self.queue.get()
            if item is None:
                break
            n, due = item
            body, headers = self.make(n)
            t0 = time.monotonic()
            try:
                conn.request("POST", self.path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = None
                conn.close()
                conn = http.client.HTTPConnection(self.host, int(self.port), timeout=60)
            with self.lock:
                self.results.append((status, time.monotonic() - t0, t0 - due))
        conn.close()

    def stop(self):
        self.stopping.set()
        self.stopped = time.monotonic()
        for thread in self.threads:
            thread.join(90)
        return self

    def report(self):
        results = self.results
        elapsed = self.stopped - self.started
        answers = sorted(r[1] for r in results)
        late = sorted(r[2] for r in results)
        statuses = [r[0] for r in results]
        return {
            "sent": len(results),
            "rate": len(results) / elapsed if elapsed else float("nan"),
            "ok": sum(1 for s in statuses if s and 200 <= s < 300),
            "5xx": sum(1 for s in statuses if s and s >= 500),
            "other": sum(1 for s in statuses if s is None or (s < 200 or 300 <= s < 500)),
            "p50": bw.percentile(answers, 50),
            "p95": bw.percentile(answers, 95),
            "late95": bw.percentile(late, 95),
            "late_max": late[-1] if late else float("nan"),
        }


def floor_request(_n):
    return bw.FLOOR_BODY, bw.FLOOR_HEADERS


def webhook_requests(bodies, run_id):
    """make(n) for the webhook load: the bodies in turn, each delivery new."""

    def make(n):
        body, signature = bodies[n % len(bodies)]
        webhook_id = f"{run_id}-{n:07d}"
        return body, {
            "Content-Type": "application/json",
            "X-Shopify-Topic": TOPIC,
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": kit.DOMAIN,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-API-Version": bw.API_VERSION,
            "X-Shopify-Event-Id": webhook_id,
            "X-Shopify-Triggered-At": datetime.now(timezone.utc).isoformat(),
            "User-Agent": "Shopify-Captain-Hook",
        }

    return make


def capture_bodies(sandbox, order_gids):
    """The orders/updated bodies the sandbox builds for these orders,
    caught by a little receiver on this machine; signed with the app's
    secret."""
    bodies = []
    done = threading.Condition()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            with done:
                bodies.append(raw)
                done.notify_all()
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    uri = f"http://127.0.0.1:{server.server_address[1]}/capture"
    try:
        for gid in order_gids:
            sandbox.fire(TOPIC, resource_id=gid, uri=uri)
        with done:
            done.wait_for(lambda: len(bodies) >= len(order_gids), 60)
    finally:
        server.shutdown()
        server.server_close()
    if len(bodies) < len(order_gids):
        raise bw.BenchError(f"captured {len(bodies)} of {len(order_gids)} orders/updated bodies")
    return [(raw, sign(raw, kit.CLIENT_SECRET)) for raw in bodies]


# -- one phase -----------------------------------------------------------------------------


def at(call):
    return datetime.fromisoformat(call["at"]).timestamp()


def run_phase(bench, base_url, phase, load, pickings, gids, duration):
    """Validate deliveries one after another for ``duration`` seconds
    under ``load`` (None: none); returns the phase's figures."""
    sandbox = bench.sandbox
    kit.wait_idle(bench)
    mark = int(bench.psql("SELECT coalesce(max(id), 0) FROM synco_job") or 0)
    user = kit.Warehouse(base_url, bench.db)
    sandbox.clear_calls()
    load_start = os.getloadavg()
    if load:
        load.start()
        time.sleep(3)  # the load in its stride before the first click
    rows, missing = [], []
    started = time.monotonic()
    while pickings and time.monotonic() - started < duration:
        picking_id, name = pickings.pop(0)
        user.pick(picking_id)
        wall = time.time()
        clicked = user.validate(picking_id)
        answered = time.monotonic()
        ahead = int(bench.psql(AHEAD % picking_id))
        seen = kit.wait_fulfilled(sandbox, gids[name])
        if seen is None:
            missing.append(name)
            continue
        rows.append(
            {
                "wall": wall,
                "answer": answered - clicked,
                "total": seen - clicked,
                "name": name,
                "ahead": ahead,
            }
        )
    load_report = load.stop().report() if load else None
    backlog = int(bench.psql(kit.OPEN_JOBS))
    load_end = os.getloadavg()
    elapsed = time.monotonic() - started
    # The push's calls from the sandbox's log: after each click, its first
    # push call and the fulfillmentCreate that made the fulfillment.
    calls = sorted(
        (c for c in sandbox.calls() if c.get("status") == 200 and c.get("operation_name")),
        key=at,
    )
    for row in rows:
        after = [c for c in calls if at(c) >= row["wall"]]
        create = next((c for c in after if c["operation_name"] == CREATE), None)
        first = next((c for c in after if c["operation_name"] in PUSH_CALLS), None)
        if create and first:
            row["to_first_call"] = at(first) - row["wall"] - row["answer"]
            row["calls"] = at(create) - at(first)
    jobs = bench.psql(
        "SELECT job_type, count(*), count(*) FILTER (WHERE state = 'done'),"
        " round(avg(duration)::numeric, 3), round(sum(duration)::numeric, 1) FROM synco_job"
        f" WHERE id > {mark} GROUP BY job_type ORDER BY job_type"
    )
    return {
        "phase": phase,
        "rows": rows,
        "missing": missing,
        "load": load_report,
        "backlog": backlog,
        "loadavg": (load_start, load_end),
        "jobs": [line.split("|") for line in jobs.splitlines() if line],
        "elapsed": elapsed,
    }


def pct(values, p):
    return bw.percentile(sorted(values), p) if values else float("nan")


def print_phase(result, rate, duration):
    rows = result["rows"]
    phase = result["phase"]
    what = {
        "idle": "no other load",
        "floor": f"{rate:g} POSTs/s to {bw.FLOOR_PATH} (the floor)",
        "webhooks": f"{rate:g} signed {TOPIC} deliveries/s",
    }[phase]
    la = [" ".join(f"{x:.2f}" for x in avg) for avg in result["loadavg"]]
    print(f"== {phase}: {what}, {duration} s")
    print(f"  load average {la[0]} at the start, {la[1]} at the end")
    totals = [r["total"] for r in rows]
    print(
        f"  {len(rows)} validations; click to fulfillment p50 {pct(totals, 50):.3f} s, "
        f"p95 {pct(totals, 95):.3f} s, max {max(totals, default=float('nan')):.3f} s"
        + (f"; NO FULFILLMENT for {result['missing']}" if result["missing"] else "")
    )
    parts = [
        ("the click's answer (validation, commit)", [r["answer"] for r in rows]),
        (
            "answer to the push's first Shopify call (cron wake-up, jobs ahead)",
            [r["to_first_call"] for r in rows if "to_first_call" in r],
        ),
        (
            "the push's Shopify calls, first to fulfillmentCreate",
            [r["calls"] for r in rows if "calls" in r],
        ),
    ]
    ahead = [r["ahead"] for r in rows]
    print(
        f"    jobs ahead of the push in the queue at the click's answer: p50 {pct(ahead, 50)}, "
        f"p95 {pct(ahead, 95)}, max {max(ahead, default=0)}"
    )
    for label, values in parts:
        print(
            f"    {label}: p50 {pct(values, 50):.3f} s, p95 {pct(values, 95):.3f} s, "
            f"max {max(values, default=float('nan')):.3f} s"
        )
    load = result["load"]
    if load:
        print(
            f"  load: {load['sent']} requests, {load['rate']:.1f}/s achieved; answers 2xx "
            f"{load['ok']}, 5xx {load['5xx']}, other or none {load['other']}; answer p50 "
            f"{load['p50'] * 1000:.0f} ms, p95 {load['p95'] * 1000:.0f} ms; sender late "
            f"p95 {load['late95'] * 1000:.1f} ms, max {load['late_max'] * 1000:.1f} ms"
        )
    jobs = (
        ", ".join(f"{t} {n} ({done} done, mean {d} s)" for t, n, done, d, _s in result["jobs"])
        or "none"
    )
    busy = sum(float(s or 0) for *_x, s in result["jobs"])
    print(f"  jobs queued in the phase: {jobs}; still due at its end: {result['backlog']}")
    print(
        f"  the cron worker ran jobs {busy:.1f} s of the phase's {result['elapsed']:.1f} s "
        f"({busy / result['elapsed']:.0%}, the jobs' own durations)"
    )


# -- the run -------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per phase")
    parser.add_argument("--rate", type=float, default=50, help="requests a second")
    parser.add_argument("--workers", type=int, default=2, help="the prefork server's workers")
    parser.add_argument("--senders", type=int, default=32, help="the load's connections")
    parser.add_argument("--phases", default=",".join(PHASES))
    parser.add_argument("--deliveries", type=int, default=120, help="at most, per phase")
    parser.add_argument("--db", default="synco_bench_latency")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    phases = args.phases.split(",")
    if set(phases) - set(PHASES) or args.workers < 2:
        parser.error(f"--phases: some of {','.join(PHASES)}; --workers: at least 2")
    failed = False
    with kit.Bench(args.db, "latency", args.keep_db) as bench:
        port = kit.bw.free_port()
        base_url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        batches = [(phase, args.deliveries) for phase in phases]
        batches += [("load", LOAD_ORDERS), ("warm", WARM_VALIDATIONS)]
        pickings = bench.setup_shop(batches, base_url=base_url)
        gids = bench.order_gids()
        print(
            f"== set-up: {len(pickings)} orders imported in {time.monotonic() - started:.0f} s; "
            "webhooks subscribed at the server"
        )
        bench.psql(kit.CATCH_UP_CRON % "false")  # its five-minute listing is not the load
        bench.sandbox.config(bucket={**kit.STANDARD, "available": kit.STANDARD["maximum"]})
        load_gids = [gids[v[1]] for k, v in pickings.items() if k.startswith("load-")]
        bodies = capture_bodies(bench.sandbox, load_gids)
        extra = [
            f"--workers={args.workers}",
            "--max-cron-threads=1",
            f"--gevent-port={bw.free_port()}",
        ]
        _server, _url, _log = bench.start_server("prefork", extra, port=port)
        print(f"== Odoo's prefork server: {' '.join(extra[:2])}, at {base_url}", flush=True)
        # Warm-up: every worker's registry and caches, the shop's token.
        warm = Load(base_url, bw.FLOOR_PATH, floor_request, args.rate, args.senders)
        warm.start()
        time.sleep(3)
        warm.stop()
        # and the push's path in the workers and the cron worker, not counted
        batch = [(v[0], v[1]) for k, v in pickings.items() if k.startswith("warm-")]
        run_phase(bench, base_url, "warm", None, batch, gids, args.duration)
        run_id = uuid.uuid4().hex[:10]
        for phase in phases:
            load = {
                "idle": None,
                "floor": Load(base_url, bw.FLOOR_PATH, floor_request, args.rate, args.senders),
                "webhooks": Load(
                    base_url,
                    bw.WEBHOOK_PATH,
                    webhook_requests(bodies, f"{run_id}-{phase}"),
                    args.rate,
                    args.senders,
                ),
            }[phase]
            batch = [(v[0], v[1]) for k, v in pickings.items() if k.startswith(f"{phase}-")]
            result = run_phase(bench, base_url, phase, load, batch, gids, args.duration)
            print_phase(result, args.rate, args.duration)
            sys.stdout.flush()
            failed |= bool(result["missing"])
        kit.wait_idle(bench)
        sandbox = bench.sandbox
        twice = [o["name"] for o in sandbox.orders() if len(o.get("fulfillments") or []) > 1]
        print(f"== check: orders with more than one fulfillment: {twice or 'none'}")
        events = bench.psql(f"SELECT count(*) FROM synco_webhook_event WHERE topic = '{TOPIC}'")
        print(f"  {TOPIC} events stored: {events}")
        return 1 if failed or twice else 0


if __name__ == "__main__":
    sys.exit(main())
