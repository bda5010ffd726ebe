"""Faults survived, nothing lost: each test ends with Shopify (the sandbox)
and Odoo agreeing, and nothing done twice.

Real processes throughout: Odoo's threaded server (killed with SIGKILL in
one test), a private PostgreSQL (restarted in another), the sandbox over
HTTP. The queue is run as its cron runs it, inside the server; "time
passing" (a back-off delay, a lease running out) is a write of the job's
timestamps, which is all that waiting would change.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter

import pytest
import requests
from livekit import (
    WEBHOOK_PATH,
    fulfillment_payload,
    order_payload,
    post_all,
    signed_delivery,
    wait_until,
)


def job_watermark(odoo):
    return int(odoo.psql("SELECT coalesce(max(id), 0) FROM synco_job"))


def event_rows(odoo, webhook_ids):
    quoted = ",".join(f"'{w}'" for w in webhook_ids)
    return odoo.psql_json(
        f"SELECT webhook_id, state, topic FROM synco_webhook_event WHERE webhook_id IN ({quoted})"
    )


def assert_jobs_done(jobs):
    bad = [j for j in jobs if j["state"] != "done"]
    assert not bad, f"{len(bad)} jobs not done, e.g. {bad[:3]}"


# -- 1 ---------------------------------------------------------------------------------


def test_worker_killed_during_push_after_shopify_applied_it(live):
    """The server running a push is killed with SIGKILL while Shopify holds
    its fulfillmentCreate (the sandbox's ``hang``: it sleeps, then applies
    the mutation and answers a client that is gone). The job stays
    ``running``, but nobody holds its runner lock any more: once a server
    with a cron thread is up again, its runner takes the job over at once
    (its 10-minute lease has hardly begun), finds the fulfillment and links
    it: one fulfillment. Prints the restart-to-recovery time."""
    odoo, sandbox = live.odoo, live.sandbox
    ((order, sale),) = live.orders([[("ANVIL", 2), ("SKATES", 1)]], "main")
    (picking,) = live.open_pickings([sale])
    odoo.stop()
    odoo.start(cron_threads=1)  # the worker: the cron thread runs the push
    sandbox.add_fault("hang", count=1, match="fulfillmentCreate", seconds=4)
    live.validate([picking["id"]])
    wait_until(
        lambda: any(c["fault"] == "hang" for c in sandbox.calls()),
        90,
        what="the push's fulfillmentCreate to reach the sandbox",
    )
    odoo.kill9()
    wait_until(
        lambda: len(live.shopify_fulfillments(order)) == 1,
        20,
        what="the sandbox to apply the held fulfillmentCreate",
    )
    (job,) = live.jobs(f"res_model = 'stock.picking' AND res_id = {picking['id']}")
    assert (job["job_type"], job["state"], job["attempts"]) == ("push_fulfillment", "running", 1)
    links = odoo.psql(f"SELECT count(*) FROM synco_fulfillment WHERE picking_id = {picking['id']}")
    assert links == "0"

    try:
        restarted = time.monotonic()
        odoo.start(cron_threads=1)  # a runner alive again; nothing else is done
        answering = time.monotonic()
        wait_until(
            lambda: live.jobs(f"id = {job['id']}")[0]["state"] != "running",
            60,
            interval=0.1,
            what="the restarted server's runner to take the killed worker's job over",
        )
        recovered = time.monotonic()
    finally:
        odoo.stop()
        odoo.start(cron_threads=0)
    print(
        f"\n  killed worker's job: done {recovered - restarted:.1f} s after the restart "
        f"({recovered - answering:.1f} s after the server answered)"
    )
    (job,) = live.jobs(f"id = {job['id']}")
    assert job["state"] == "done", job["last_error"]
    assert (job["attempts"], job["crash_count"]) == (2, 1)
    assert "linked existing" in job["result"]
    links = live.assert_agree([(order, sale)])
    assert len(links) == 1 and links[0]["picking_id"][0] == picking["id"]
    (fulfillment,) = live.shopify_fulfillments(order)
    assert links[0]["shopify_fulfillment_id"] == str(fulfillment["legacy_id"])
    creates = [c for c in sandbox.calls() if "fulfillmentCreate" in c["root_fields"]]
    assert len(creates) == 1, "the taken-over job did not create a second fulfillment"


# -- 2 ---------------------------------------------------------------------------------


def test_postgres_restarted_during_webhook_intake(live):
    """Signed deliveries stream in from three senders while PostgreSQL is
    restarted; every delivery not answered 200 is sent again, as Shopify's
    retries would. Each webhook id is stored once and all the work is done."""
    odoo, sandbox = live.odoo, live.sandbox
    if not odoo.pg.restartable:
        pytest.skip("PostgreSQL is the shared PG* server, not ours to restart")
    orders = live.orders([[("ANVIL", 1), ("SKATES", 2)]] * 5, "3pl")
    fulfillments = [(sandbox.fulfill(order["id"]), order) for order, _sale in orders]
    url = odoo.url + WEBHOOK_PATH
    counter = iter(range(3000))
    lock = threading.Lock()
    sent, answers, failed = {}, Counter(), {}
    stop = threading.Event()
    window = {}

    def next_delivery():
        with lock:
            n = next(counter, None)
        if n is None:
            return None
        fulfillment, order = fulfillments[n % len(fulfillments)]
        topic = "fulfillments/create" if n < len(fulfillments) else "fulfillments/update"
        item = signed_delivery(topic, fulfillment_payload(fulfillment, order), f"pgrestart-{n:05d}")
        with lock:
            sent[item[1]["X-Shopify-Webhook-Id"]] = item
        return item

    def on_answer(item, status, _text):
        webhook_id = item[1]["X-Shopify-Webhook-Id"]
        with lock:
            answers[status] += 1
            if status == 200:
                failed.pop(webhook_id, None)
            else:
                failed[webhook_id] = item

    def sender():
        import requests

        session = requests.Session()
        deadline = time.monotonic() + 90
        while not stop.is_set() and time.monotonic() < deadline:
            item = next_delivery()
            if item is None:
                break
            try:
                response = session.post(url, data=item[0], headers=item[1], timeout=10)
                on_answer(item, response.status_code, response.text)
            except requests.RequestException:
                on_answer(item, None, "")
                session.close()
                session = requests.Session()
            time.sleep(0.005)
        session.close()

    def restarter():
        wait_until(lambda: len(sent) >= 60, 60, 0.05, "60 deliveries sent")
        before = odoo.pg.postmaster_pid()
        window["start"], window["sent_before"] = time.monotonic(), len(sent)
        odoo.pg.restart()
        window["end"] = time.monotonic()
        window["restarted"] = odoo.pg.postmaster_pid() != before
        time.sleep(2)  # deliveries keep coming after the server is back
        stop.set()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(3)]
    restart = threading.Thread(target=restarter, daemon=True)
    for thread in [*threads, restart]:
        thread.start()
    for thread in [restart, *threads]:
        thread.join(120)
    assert window.get("restarted"), "PostgreSQL was not restarted during the intake"
    first_pass = dict(answers)
    failed_first = len(failed)
    # Shopify's retries: every delivery without a 200, again, until each has one.
    for _round in range(20):
        if not failed:
            break
        time.sleep(1)
        with lock:
            again = list(failed.values())
        post_all(url, again, 3, on_answer)
    assert not failed, f"{len(failed)} deliveries never answered 200"
    print(
        f"\n  PostgreSQL restart took {window['end'] - window['start']:.1f} s after "
        f"{window['sent_before']} deliveries; {len(sent)} deliveries, first answers "
        f"{first_pass}, {failed_first} re-sent until answered 200"
    )

    rows = event_rows(odoo, sent)
    assert len(rows) == len(sent), "a delivery answered 200 was not stored, or stored twice"
    assert Counter(r["webhook_id"] for r in rows).most_common(1)[0][1] == 1
    odoo.run_queue()
    rows = event_rows(odoo, sent)
    assert {r["state"] for r in rows} == {"done"}
    sale_ids = [sale for _order, sale in orders]
    jobs = live.jobs(
        "id IN (SELECT job_id FROM synco_webhook_event WHERE webhook_id LIKE 'pgrestart-%')"
        " OR (job_type = 'apply_fulfillment' AND payload->>'order_id' IN ("
        + ",".join(f"'{o['legacy_id']}'" for o, _s in orders)
        + "))"
    )
    assert_jobs_done(jobs)
    links = live.assert_agree(orders)
    assert len(links) == len(orders) and {lk["origin"] for lk in links} == {"shopify"}
    pickings = odoo.search_read("stock.picking", [("sale_id", "in", sale_ids)], ["state"])
    assert [p["state"] for p in pickings] == ["done"] * len(orders)


# -- 3 ---------------------------------------------------------------------------------


def test_sandbox_down_pauses_the_shop_then_backlog_drains_in_order(live):
    """Shopify answers 503 to everything while three orders each get three
    partial deliveries validated in Odoo (nine pushes, three per order).
    The first push pauses the shop; the queue runs again and again, time
    passing between the runs, and only the shop's probe is tried: no push
    uses an attempt. Then Shopify is back, the probe's answer resumes the
    shop and the backlog drains: every push done with one attempt, each
    order's fulfillments created in the order of its deliveries."""
    odoo, sandbox = live.odoo, live.sandbox
    orders = live.orders([[("ANVIL", 3), ("SKATES", 3)]] * 3, "main")
    sale_ids = [sale for _order, sale in orders]
    mark = job_watermark(odoo)
    sandbox.outage(3600)
    validated = []  # picking ids, in the order the warehouse validated them
    for _round in range(3):
        pickings = [p["id"] for p in live.open_pickings(sale_ids)]
        assert len(pickings) == len(orders)
        live.validate(pickings, quantity=1)
        validated.extend(pickings)
    pushes = f"id > {mark} AND job_type = 'push_fulfillment'"
    assert len(live.jobs(pushes)) == 9
    for _run in range(6):  # time passes between the runs: the probe is due each time
        odoo.run_queue(rounds=1)
        odoo.time_passes()
    (shop,) = odoo.search_read(
        "synco.shop", [("id", "=", live.shop_id)], ["pause_reason", "probe_count", "pause_error"]
    )
    assert shop["pause_reason"] == "unreachable" and "503" in shop["pause_error"], shop
    assert shop["probe_count"] >= 4, shop
    for job in live.jobs(pushes):
        assert (job["state"], job["attempts"]) == ("pending", 0), job
    calls = sandbox.calls()
    assert calls and {c["status"] for c in calls} == {503}
    assert all(not live.shopify_fulfillments(order) for order, _sale in orders)

    sandbox.outage(0)  # Shopify is back
    odoo.time_passes()
    odoo.drain(timeout=120)
    (shop,) = odoo.search_read("synco.shop", [("id", "=", live.shop_id)], ["pause_reason"])
    assert not shop["pause_reason"]
    jobs = live.jobs(pushes)
    assert_jobs_done(jobs)
    assert all(j["attempts"] == 1 for j in jobs), jobs
    links = live.assert_agree(orders)
    assert len(links) == 9
    picking_of = {lk["shopify_fulfillment_id"]: lk["picking_id"][0] for lk in links}
    job_of_picking = {j["res_id"]: j for j in jobs}
    for order, _sale in orders:
        created = sorted(live.shopify_fulfillments(order), key=lambda f: f["legacy_id"])
        assert len(created) == 3
        pickings = [picking_of[str(f["legacy_id"])] for f in created]
        assert pickings == sorted(pickings, key=validated.index), (
            "Shopify received this order's deliveries out of order"
        )
        finished = [job_of_picking[p]["finished_at"] for p in pickings]
        assert finished == sorted(finished)
        assert [sum(li["quantity"] for li in f["line_items"]) for f in created] == [2, 2, 2]


# -- 4 ---------------------------------------------------------------------------------


def test_thousand_deliveries_thirty_percent_duplicates_shuffled(live):
    """1,000 signed deliveries, 700 distinct webhook ids and 300 exact
    copies, shuffled, from four senders against the threaded server: forty
    3PL fulfillments (a create and several updates each), order updates and
    an unhandled topic. Each id is stored once; each fulfillment validates
    its delivery once."""
    odoo, sandbox = live.odoo, live.sandbox
    rng = random.Random(20260101)
    orders = live.orders([[("ANVIL", 1)]] * 40, "3pl")
    fulfillments = [(sandbox.fulfill(order["id"]), order) for order, _sale in orders]
    mark = job_watermark(odoo)
    distinct = []
    for n, (fulfillment, order) in enumerate(fulfillments):
        payload = fulfillment_payload(fulfillment, order)
        distinct.append(signed_delivery("fulfillments/create", payload, f"storm-c-{n:04d}"))
    for n in range(260):
        fulfillment, order = rng.choice(fulfillments)
        payload = fulfillment_payload(fulfillment, order)
        distinct.append(signed_delivery("fulfillments/update", payload, f"storm-u-{n:04d}"))
    for n in range(200):
        order, _sale = rng.choice(orders)
        distinct.append(signed_delivery("orders/updated", order_payload(order), f"storm-o-{n:04d}"))
    for n in range(200):
        distinct.append(signed_delivery("customers/update", {"id": n}, f"storm-x-{n:04d}"))
    assert len(distinct) == 700
    deliveries = distinct + [rng.choice(distinct) for _ in range(300)]
    rng.shuffle(deliveries)
    answers = Counter()
    lock = threading.Lock()

    refused = []

    def on_answer(item, status, text):
        with lock:
            answers[(status, text)] += 1
            if status != 200:
                refused.append((item, status, text))

    t0 = time.monotonic()
    post_all(odoo.url + WEBHOOK_PATH, deliveries, 4, on_answer)
    intake = time.monotonic() - t0
    first_answers = dict(answers)
    # Shopify's retries: a delivery not answered 200 comes again, the same.
    for item, _status, _text in list(refused):
        again = requests.post(odoo.url + WEBHOOK_PATH, data=item[0], headers=item[1], timeout=10)
        assert (again.status_code, again.text) == (200, "duplicate"), again.text
    t0 = time.monotonic()
    rounds = odoo.run_queue(rounds=30, timeout=300)
    drain = time.monotonic() - t0
    ids = [d[1]["X-Shopify-Webhook-Id"] for d in distinct]
    rows = event_rows(odoo, ids)
    assert len(rows) == 700 and len({r["webhook_id"] for r in rows}) == 700
    states = Counter(r["state"] for r in rows)
    assert states == {"done": 500, "ignored": 200}, states
    jobs = live.jobs(f"id > {mark}")
    assert_jobs_done(jobs)
    kinds = Counter(j["job_type"] for j in jobs)
    # One job per delivery, no relay: the fulfillments fold into one apply
    # each (a delivery while it runs queues one more), the order updates
    # into the orders' imports.
    assert set(kinds) <= {"apply_fulfillment", "import_order"}, kinds
    assert 40 <= kinds["apply_fulfillment"] <= 300, kinds
    links = live.assert_agree(orders)
    assert len(links) == 40
    sale_ids = [sale for _order, sale in orders]
    per_ref = Counter(
        s["shopify_order_id"]
        for s in odoo.search_read(
            "sale.order",
            [("shopify_order_id", "in", [str(o["legacy_id"]) for o, _s in orders])],
            ["shopify_order_id"],
        )
    )
    assert set(per_ref.values()) == {1}, "an order update imported an order twice"
    moves = odoo.search_read(
        "stock.move", [("sale_line_id.order_id", "in", sale_ids)], ["state", "quantity"]
    )
    assert [(m["state"], m["quantity"]) for m in moves] == [("done", 1.0)] * 40
    print(
        f"\n  1,000 deliveries in {intake:.1f} s ({1000 / intake:.0f}/s, 4 senders), answers "
        f"{first_answers}; queue drained in {drain:.1f} s, {rounds} cron runs, {len(jobs)} "
        f"jobs {dict(kinds)}"
    )
    # Every copy should have been answered 200 the first time: see
    # test_concurrent_copies_of_one_delivery_are_all_answered_200.
    assert first_answers == {(200, "accepted"): 700, (200, "duplicate"): 300}, first_answers


def test_concurrent_copies_of_one_delivery_are_all_answered_200(live):
    """Shopify may deliver the same webhook twice at once. Each copy is
    validly signed: one is stored, every other is a 200 "duplicate".

    Six copies race on six connections to a real server (the Odoo suite's
    test cursor serializes requests, so this is where the race happens): a
    copy's INSERT ... ON CONFLICT DO NOTHING meets another's uncommitted
    row and, under Odoo's REPEATABLE READ, fails with a serialization error;
    Odoo runs the request again, and the controller, which keeps the body it
    read (get_data(cache=True)), verifies the same body and answers 200
    "duplicate". With the body read uncached, the retry verified an empty
    body and answered 401 "bad signature"."""
    odoo = live.odoo
    url = odoo.url + WEBHOOK_PATH
    answers = Counter()
    lock = threading.Lock()
    for n in range(15):
        item = signed_delivery("customers/update", {"id": n}, f"twin-{n:03d}-{time.time_ns()}")
        barrier = threading.Barrier(6)

        def send(item=item, barrier=barrier):
            session = requests.Session()
            session.get(odoo.url + "/web/health", timeout=10)
            barrier.wait(timeout=30)
            response = session.post(url, data=item[0], headers=item[1], timeout=30)
            with lock:
                answers[(response.status_code, response.text)] += 1
            session.close()

        threads = [threading.Thread(target=send, daemon=True) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    print(f"\n  15 deliveries x 6 simultaneous copies: {dict(answers)}")
    assert answers == {(200, "accepted"): 15, (200, "duplicate"): 75}, dict(answers)


# -- 5 ---------------------------------------------------------------------------------

STORM_JOBS = int(os.environ.get("SYNCO_LIVE_STORM_JOBS", 100))


def test_throttled_storm_pacing_keeps_throttles_rare(live):
    """A small cost bucket (1,000 points, 50 a second: Shopify's standard
    plan before 2024; a push's first query requests 851 points, so a bucket
    under that would never let it through) and a hundred pushes at once:
    the client's pacing waits for the bucket instead of running into it,
    so THROTTLED answers stay rare, and every push still completes."""
    odoo, sandbox = live.odoo, live.sandbox
    orders = live.orders([[("ANVIL", 1)]] * STORM_JOBS, "main")
    sale_ids = [sale for _order, sale in orders]
    mark = job_watermark(odoo)
    live.validate([p["id"] for p in live.open_pickings(sale_ids)])
    jobs = live.jobs(f"id > {mark}")
    assert len(jobs) == STORM_JOBS
    sandbox.config(bucket={"maximum": 1000, "restore_rate": 50, "available": 1000})
    sandbox.clear_calls()
    t0 = time.monotonic()
    try:
        rounds = odoo.drain(timeout=240)
    except AssertionError:
        calls = sandbox.calls()
        print(f"\n  not drained: {len(calls)} calls, the last: {calls[-3:]}")
        print(f"  open jobs: {live.jobs(f'id > {mark} AND state != {chr(39)}done{chr(39)}')[:3]}")
        raise
    elapsed = time.monotonic() - t0
    jobs = live.jobs(f"id > {mark}")
    assert_jobs_done(jobs)
    links = live.assert_agree(orders)
    assert len(links) == STORM_JOBS
    calls = sandbox.calls()
    graphql = [c for c in calls if c["status"] is not None]
    throttled = sum(1 for c in graphql if c["throttled"])
    share = throttled / len(graphql)
    cost = sum(c["actual_cost"] or 0 for c in graphql)
    print(
        f"\n  {STORM_JOBS} pushes in {elapsed:.1f} s ({rounds} cron runs): {len(graphql)} "
        f"Shopify calls, {cost:.0f} cost points, {throttled} THROTTLED ({share:.1%}); "
        f"attempts {dict(Counter(j['attempts'] for j in jobs))}"
    )
    assert share < 0.05
