"""Shopify unreachable, or refusing the app, on a real server: the shop
pauses, its pushes wait without using attempts, and they all run once
Shopify answers again (the probe) or once the merchant's new secret passes
Test Connection (through XML-RPC, as the form's buttons do)."""

from __future__ import annotations

import time

from livekit import CLIENT_SECRET

NEW_SECRET = "live-rotated-secret-0123456789"


def _shop(live, *fields):
    (shop,) = live.odoo.search_read("synco.shop", [("id", "=", live.shop_id)], list(fields))
    return shop


def _validate_one(live):
    ((order, sale),) = live.orders([[("ANVIL", 1)]], "main")
    mark = int(live.odoo.psql("SELECT coalesce(max(id), 0) FROM synco_job"))
    (picking,) = live.open_pickings([sale])
    live.validate([picking["id"]])
    return order, f"id > {mark} AND job_type = 'push_fulfillment'"


def test_refused_connections_pause_the_shop_then_the_push_runs_once_it_listens(live):
    odoo, sandbox = live.odoo, live.sandbox
    order, pushes = _validate_one(live)
    sandbox.outage(4, mode="refuse")  # the sandbox's port closes (its admin API too)
    time.sleep(0.5)
    odoo.run_queue(rounds=2)
    shop = _shop(live, "pause_reason", "pause_error")
    assert shop["pause_reason"] == "unreachable", shop
    ((push,),) = [live.jobs(pushes)]
    assert (push["state"], push["attempts"]) == ("pending", 0), push
    time.sleep(5)  # the port listens again
    odoo.time_passes()
    odoo.drain(timeout=60)
    assert not _shop(live, "pause_reason")["pause_reason"]
    ((push,),) = [live.jobs(pushes)]
    assert (push["state"], push["attempts"]) == ("done", 1), push
    assert len(live.shopify_fulfillments(order)) == 1


def test_rotated_secret_puts_the_shop_in_error_until_the_new_one_passes_the_test(live):
    odoo, sandbox = live.odoo, live.sandbox
    sandbox.rotate_secret(client_secret=NEW_SECRET)
    try:
        order, pushes = _validate_one(live)
        odoo.run_queue(rounds=2)
        shop = _shop(live, "state", "pause_reason", "connection_message")
        assert (shop["state"], shop["pause_reason"]) == ("error", "credentials"), shop
        assert "refused the client credentials" in shop["connection_message"]
        odoo.time_passes()
        odoo.run_queue(rounds=2)
        ((push,),) = [live.jobs(pushes)]
        assert (push["state"], push["attempts"]) == ("pending", 0), push
        assert not any("fulfillmentCreate" in c["root_fields"] for c in sandbox.calls())
        odoo.call("synco.shop", "write", [live.shop_id], {"client_secret": NEW_SECRET})
        odoo.call("synco.shop", "action_test_connection", [live.shop_id])
        assert _shop(live, "state", "pause_reason") == {
            "id": live.shop_id,
            "state": "connected",
            "pause_reason": False,
        }
        odoo.drain(timeout=60)
        ((push,),) = [live.jobs(pushes)]
        assert (push["state"], push["attempts"]) == ("done", 1), push
        assert len(live.shopify_fulfillments(order)) == 1
    finally:
        sandbox.rotate_secret(client_secret=CLIENT_SECRET)
        odoo.call("synco.shop", "write", [live.shop_id], {"client_secret": CLIENT_SECRET})
        odoo.call("synco.shop", "action_test_connection", [live.shop_id])
