"""The go-live guide's step from facts, and an import run's counts."""

from synco_shopify.planning.golive import golive_step, progress

READY = {
    "connected": True,
    "locations": ["Main"],
    "unmapped": [],
    "carriers": [],
    "webhooks": True,
    "orders": "done",
    "launch_ok": True,
}


def test_every_fact_there_is_live():
    assert golive_step(READY) == ("live", None)


def test_the_first_missing_fact_is_the_step():
    step, todo = golive_step({**READY, "unmapped": ["East"], "webhooks": False})
    assert step == "locations" and "East" in str(todo)
    assert golive_step({**READY, "connected": False})[0] == "connect"
    assert golive_step({**READY, "carriers": ["Acme Freight"]})[0] == "carriers"
    assert golive_step({**READY, "orders": "running", "orders_summary": "2 found"})[0] == "orders"
    assert golive_step({**READY, "launch_ok": False})[0] == "launch"


def test_a_moved_odoo_asks_to_register_again():
    _step, todo = golive_step({**READY, "webhooks": False, "webhooks_moved": True})
    assert "address changed" in str(todo)


def test_progress_counts_each_job_once():
    jobs = [
        {"state": "done", "result": "imported as S00001"},
        {"state": "done", "result": "skipped: test order"},
        {"state": "failed", "result": ""},
        {"state": "pending", "needs_attention": True},
        {"state": "pending"},
    ]
    counts = progress(jobs)
    assert (counts.queued, counts.imported, counts.skipped, counts.attention, counts.waiting) == (
        5,
        1,
        1,
        2,
        1,
    )
    assert not counts.finished
