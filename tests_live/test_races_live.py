"""Races between two real transactions on a real server: the Odoo suite's
test cursor is one transaction, so a change "during" a push there is written
inside the push's own transaction (synco_shopify/tests/test_races.py); here
the push runs in the server and the change commits on a connection of its
own while the push's transaction is open."""

from __future__ import annotations

import threading

from livekit import wait_until


def test_tracking_committed_while_the_push_is_in_flight_reaches_shopify(live):
    """The push job has read the delivery's tracking and waits for Shopify
    (the sandbox holds its fulfillmentCreate: ``hang``) when a user's new
    tracking number commits in a request of its own. That transaction sees
    the push open, not yet linked (_synco_pushed_or_pushing), and queues a
    tracking update behind it; Shopify ends with the new number."""
    odoo, sandbox = live.odoo, live.sandbox
    ((order, sale),) = live.orders([[("ANVIL", 1)]], "main")
    (picking,) = live.open_pickings([sale])
    odoo.call("stock.picking", "write", [picking["id"]], {"carrier_tracking_ref": "RACE-OLD"})
    live.validate([picking["id"]])
    where = f"res_model = 'stock.picking' AND res_id = {picking['id']}"
    sandbox.add_fault("hang", count=1, match="fulfillmentCreate", seconds=4)
    runner = threading.Thread(target=odoo.run_queue, kwargs={"rounds": 1}, daemon=True)
    runner.start()
    wait_until(
        lambda: any(c["fault"] == "hang" for c in sandbox.calls()),
        90,
        what="the push's fulfillmentCreate to reach the sandbox",
    )
    odoo.call("stock.picking", "write", [picking["id"]], {"carrier_tracking_ref": "RACE-NEW"})
    # Committed while the push was open: the update is queued behind it.
    jobs = [(j["job_type"], j["state"]) for j in live.jobs(where)]
    assert jobs == [("push_fulfillment", "running"), ("update_tracking", "pending")], jobs
    runner.join(120)
    assert not runner.is_alive()
    odoo.drain()
    jobs = {j["job_type"]: j for j in live.jobs(where)}
    assert set(jobs) == {"push_fulfillment", "update_tracking"}, jobs
    assert {j["state"] for j in jobs.values()} == {"done"}, jobs
    # Updated, not "already up to date": the push had sent the old number.
    assert jobs["update_tracking"]["result"] == "tracking updated to RACE-NEW"
    (fulfillment,) = live.shopify_fulfillments(order)
    assert [t["number"] for t in fulfillment["tracking"]] == ["RACE-NEW"]
    live.assert_agree([(order, sale)])
