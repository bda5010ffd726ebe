"""The sandbox's orders search answers as Shopify's does for the queries the
addon sends: dates, status, fulfillment status, OR and parentheses."""

from datetime import datetime, timedelta, timezone

import pytest

from synco_shopify.planning.golive import open_orders_query
from synco_shopify.shopify import queries


def _names(sandbox, query):
    body = sandbox.gql(queries.ORDERS, {"first": 50, "query": query})
    assert "errors" not in body, body.get("errors")
    return sorted(node["name"] for node in body["data"]["orders"]["nodes"])


@pytest.fixture
def demo(sandbox):
    sandbox.admin.reset("demo")
    return sandbox


def _since(days):
    return datetime.now(timezone.utc) - timedelta(days=days)


def test_open_orders_query_leaves_out_fulfilled_and_older_orders(demo):
    # #1004 open (5 days), #1005 partly fulfilled (3 days), #1006 fulfilled,
    # #1007 open but 45 days old; #1001-#1003 and #1008 (a pickup) placed now.
    assert _names(demo, open_orders_query(_since(30))) == [
        "#1001",
        "#1002",
        "#1003",
        "#1004",
        "#1005",
        "#1008",
    ]
    assert "#1007" in _names(demo, open_orders_query(_since(60)))


def test_fulfillment_status_filters(demo):
    assert _names(demo, "fulfillment_status:partial") == ["#1005"]
    assert _names(demo, "fulfillment_status:shipped") == ["#1006"]
    assert "#1005" not in _names(demo, "fulfillment_status:unshipped")
    unfulfilled = _names(demo, "fulfillment_status:unfulfilled")
    assert "#1005" in unfulfilled and "#1006" not in unfulfilled


def test_or_binds_looser_than_and(demo):
    since = _since(4).strftime("%Y-%m-%dT%H:%M:%SZ")
    grouped = _names(demo, f"created_at:<'{since}' (name:#1004 OR name:#1005)")
    assert grouped == ["#1004"]
    loose = _names(demo, f"created_at:<'{since}' name:#1004 OR name:#1005")
    assert loose == ["#1004", "#1005"]


def test_status_open_leaves_out_cancelled(demo):
    order = demo.admin.state()["orders"][0]
    demo.admin.cancel_order(order["id"])
    assert order["name"] not in _names(demo, "status:open")
    assert _names(demo, "status:cancelled") == [order["name"]]


def test_unknown_search_field_is_refused(demo):
    body = demo.gql(queries.ORDERS, {"first": 5, "query": "financial_status:paid"})
    assert body.get("errors")
