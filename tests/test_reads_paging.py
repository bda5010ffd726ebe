"""Whole lists at any size: ``shopify.reads`` against the sandbox, which
pages like Shopify (``first`` at most 250, ``after`` honoured) and refuses
queries over 1,000 points; and the push's split at 512 line items."""

import pytest

from synco_shopify.planning.push import (
    MAX_FULFILLMENT_ORDER_LINES,
    candidates,
    match_existing,
    split_lines,
)
from synco_shopify.shopify import queries, reads
from synco_shopify.shopify.client import ShopifyClient
from synco_shopify.shopify.errors import GraphQLError

TOKEN = "shpat_sandbox_token"


@pytest.fixture
def client(sandbox):
    records = []
    c = ShopifyClient(sandbox.url, "2026-10", access_token=TOKEN, on_call=records.append)
    c.records = records
    yield c
    c.close()


def big_order(sandbox, count, location=None):
    lines = [
        {"sku": f"P{i:04d}", "title": f"Part {i}", "quantity": 2, "location_id": location}
        for i in range(count)
    ]
    return sandbox.admin.create_order(email="big@example.com", line_items=lines)


def test_sandbox_refuses_a_page_over_250(sandbox, shop):
    order = big_order(sandbox, 3, shop["main"]["id"])
    body = sandbox.gql(
        "query($id: ID!) { order(id: $id) { lineItems(first: 251) { nodes { id } } } }",
        {"id": order["id"]},
    )
    assert "between 0 and 250" in body["errors"][0]["message"]


def test_fulfillment_orders_come_with_every_line(sandbox, shop, client):
    order = big_order(sandbox, 600, shop["main"]["id"])
    (fo,) = reads.fulfillment_orders(client, order["id"])
    items = [n["lineItem"]["id"] for n in fo["lineItems"]["nodes"]]
    assert items == [li["id"] for li in order["line_items"]]
    assert fo["lineItems"]["pageInfo"]["hasNextPage"] is False
    operations = [r["operation"] for r in client.records]
    # 50 lines with the fulfillment order, then 250 + 250 + 50.
    assert operations.count("SyncoFulfillmentOrderLines") == 3
    assert all(r["requested_cost"] <= 1000 for r in client.records)


def test_small_order_costs_one_call(sandbox, shop, client):
    order = big_order(sandbox, 50, shop["main"]["id"])
    (fo,) = reads.fulfillment_orders(client, order["id"])
    assert len(fo["lineItems"]["nodes"]) == 50
    assert [r["operation"] for r in client.records] == ["SyncoOrderFulfillmentOrders"]


def test_fulfillment_comes_with_every_line(sandbox, shop, client):
    order = big_order(sandbox, 300, shop["tpl"]["id"])
    done = sandbox.admin.fulfill(order["id"], location_id=shop["tpl"]["id"])
    found = reads.fulfillment(client, done["id"])
    assert len(found["fulfillmentLineItems"]["nodes"]) == 300
    assert sum(n["quantity"] for n in found["fulfillmentLineItems"]["nodes"]) == 600
    assert found["order"]["id"] == order["id"]
    assert reads.fulfillment(client, "gid://shopify/Fulfillment/1") is None


def test_order_fulfillments_past_the_plain_list(sandbox, shop, client):
    count = reads.ORDER_FULFILLMENTS_LIST + 5
    order = big_order(sandbox, count, shop["main"]["id"])
    for item in order["line_items"]:
        sandbox.admin.fulfill(order["id"], line_items=[{"sku": item["sku"], "quantity": 2}])
    status, found = reads.order_fulfillments(client, order["id"])
    assert status == "FULFILLED"
    assert len({f["id"] for f in found}) == count == len(found)
    assert all(r["requested_cost"] <= 1000 for r in client.records)


def test_order_fulfillments_of_a_small_order_is_one_call(sandbox, shop, client):
    order = big_order(sandbox, 2, shop["main"]["id"])
    sandbox.admin.fulfill(order["id"])
    status, found = reads.order_fulfillments(client, order["id"])
    assert (status, len(found)) == ("FULFILLED", 1)
    assert [r["operation"] for r in client.records] == ["SyncoOrderFulfillments"]
    assert reads.order_fulfillments(client, "gid://shopify/Order/1") == (None, [])


def test_split_lines_keeps_every_part_within_shopify_limit():
    lines = [{"line_item_id": str(1000 + i), "quantity": 1} for i in range(1100)]
    parts = split_lines(list(reversed(lines)))
    assert [len(p) for p in parts] == [512, 512, 76]
    assert [line["line_item_id"] for p in parts for line in p] == [
        line["line_item_id"] for line in lines
    ]
    assert split_lines(lines) == parts, "the same lines give the same parts"
    assert split_lines(lines[:3]) == [
        [{"line_item_id": str(1000 + i), "quantity": 1.0} for i in range(3)]
    ]
    assert MAX_FULFILLMENT_ORDER_LINES == 512


def test_sandbox_refuses_a_fulfillment_order_input_over_512_lines(sandbox, shop, client):
    order = big_order(sandbox, 513, shop["main"]["id"])
    (fo,) = reads.fulfillment_orders(client, order["id"])
    items = [{"id": n["id"], "quantity": 1} for n in fo["lineItems"]["nodes"]]
    variables = {
        "fulfillment": {
            "lineItemsByFulfillmentOrder": [
                {"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": items}
            ]
        }
    }
    with pytest.raises(Exception, match="at most 512"):
        client.mutate(queries.FULFILLMENT_CREATE, variables, "fulfillmentCreate")
    variables["fulfillment"]["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderLineItems"] = items[
        :512
    ]
    created = client.mutate(queries.FULFILLMENT_CREATE, variables, "fulfillmentCreate")
    assert created["fulfillment"]["status"] == "SUCCESS"


def test_lost_answer_candidates_are_live_unlinked_and_here():
    here = {"legacyResourceId": "7"}
    fulfillments = [
        {"id": "gid://shopify/Fulfillment/1", "status": "SUCCESS", "location": here},
        {"id": "gid://shopify/Fulfillment/2", "status": "CANCELLED", "location": here},
        {
            "id": "gid://shopify/Fulfillment/3",
            "status": "SUCCESS",
            "location": {"id": "gid://shopify/Location/8"},
        },
        {"id": "gid://shopify/Fulfillment/4", "status": "SUCCESS", "location": here},
    ]
    found = candidates(fulfillments, "7", exclude_ids={"gid://shopify/Fulfillment/4"})
    assert [f["id"] for f in found] == ["gid://shopify/Fulfillment/1"]
    lines = {"nodes": [{"quantity": 2, "lineItem": {"id": "gid://shopify/LineItem/5"}}]}
    found[0]["fulfillmentLineItems"] = lines
    assert match_existing([{"line_item_id": "5", "quantity": 2}], found, "7") is found[0]


def test_paging_the_same_page_twice_is_an_error(sandbox, shop, client, monkeypatch):
    order = big_order(sandbox, 260, shop["tpl"]["id"])
    done = sandbox.admin.fulfill(order["id"], location_id=shop["tpl"]["id"])
    real = client.execute

    def stuck(document, variables=None, **kwargs):
        return real(document, {k: v for k, v in (variables or {}).items() if k != "after"})

    monkeypatch.setattr(client, "execute", stuck)
    with pytest.raises(GraphQLError, match="same page twice"):
        reads.fulfillment(client, done["id"])


def test_candidates_made_before_the_delivery_are_not_read():
    from datetime import datetime

    here = {"legacyResourceId": "7"}
    fulfillments = [
        {
            "id": "gid://shopify/Fulfillment/1",
            "status": "SUCCESS",
            "location": here,
            "createdAt": "2026-12-01T10:00:00Z",
        },
        {
            "id": "gid://shopify/Fulfillment/2",
            "status": "SUCCESS",
            "location": here,
            "createdAt": "2026-12-01T12:00:00+01:00",
        },
        {"id": "gid://shopify/Fulfillment/3", "status": "SUCCESS", "location": here},
    ]
    found = candidates(fulfillments, "7", created_after=datetime(2026, 12, 1, 10, 30))
    assert [f["id"][-1] for f in found] == ["2", "3"]
