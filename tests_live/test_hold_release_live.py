"""A hold released in Shopify reaches Odoo as a signed webhook, and the push
that waited for it runs at once, on a real server with its cron thread.

The push of a held delivery is otherwise looked at again after 15 minutes;
here each release must reach Shopify as a fulfillment within a minute, and
the figure printed is the time from the release to the fulfillment.
"""

from __future__ import annotations

import os
import statistics
import time

from livekit import WEBHOOK_PATH, wait_until

TOPICS = ("fulfillment_orders/placed_on_hold", "fulfillment_orders/hold_released")
ROUNDS = int(os.environ.get("SYNCO_LIVE_HOLD_ROUNDS", 5))


def _hold_then_validate(live, order, sale):
    """Hold the order's fulfillment order, wait for Odoo to show it, then
    validate the delivery: its push waits for the release."""
    odoo, sandbox = live.odoo, live.sandbox
    fo = order["fulfillment_orders"][0]
    sandbox.hold(fo["id"], reason="AWAITING_PAYMENT", reason_notes="wire transfer")
    (picking,) = live.open_pickings([sale])
    wait_until(
        lambda: odoo.search_read(
            "stock.picking", [("id", "=", picking["id"])], ["shopify_hold_reason"]
        )[0]["shopify_hold_reason"],
        60,
        what="the delivery to show the Shopify hold",
    )
    live.validate([picking["id"]])
    where = f"res_model = 'stock.picking' AND res_id = {picking['id']}"
    wait_until(
        lambda: any(j["state"] == "pending" and j["last_error"] for j in live.jobs(where)),
        60,
        what="the push to find the hold and wait",
    )
    assert not live.shopify_fulfillments(order)
    return fo, where


def test_hold_release_runs_the_waiting_push_in_seconds(live):
    odoo, sandbox = live.odoo, live.sandbox
    subscriptions = [sandbox.subscribe(topic, odoo.url + WEBHOOK_PATH) for topic in TOPICS]
    odoo.stop()
    odoo.start(cron_threads=1)
    try:
        seconds = []
        for _round in range(ROUNDS):
            ((order, sale),) = live.orders([[("ANVIL", 1)]], "main")
            fo, where = _hold_then_validate(live, order, sale)
            started = time.monotonic()
            sandbox.release_hold(fo["id"])
            wait_until(
                lambda order=order: live.shopify_fulfillments(order),
                60,
                interval=0.05,
                what="the released push to reach Shopify",
            )
            seconds.append(time.monotonic() - started)
            wait_until(
                lambda where=where: all(j["state"] == "done" for j in live.jobs(where)),
                60,
                what="the push job to record its fulfillment",
            )
            live.assert_agree([(order, sale)])
        load = os.getloadavg()[0]
        print(
            f"\n  hold released -> Shopify fulfillment, {ROUNDS} rounds: median "
            f"{statistics.median(seconds):.2f} s, max {max(seconds):.2f} s "
            f"({os.cpu_count()} cores, load average {load:.1f})"
        )
    finally:
        for sub in subscriptions:
            sandbox.delete_subscription(sub["id"])
        odoo.stop()
        odoo.start(cron_threads=0)
