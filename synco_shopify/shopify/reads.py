"""Whole lists from Shopify: an order's fulfillment orders with all their
lines, its fulfillments, and one fulfillment with all its lines.

Shopify pages every connection (at most 250 nodes a page) and refuses a
query whose requested cost exceeds 1,000 points, so a nested list cannot
simply be asked for in full. Each reader here asks for a first page that
fits a typical order in one call, and pages on only where Shopify says
there is more (``pageInfo.hasNextPage``), in documents of their own
(``queries``). What they return has the shape of the first page with the
``nodes`` complete, so the planners never see a truncated list.
"""

from . import queries
from .errors import GraphQLError

FULFILLMENT_ORDERS_PAGE = 5
# ``Order.fulfillments`` is a plain list, not a connection: a full first
# list means there may be more, and the fulfillment orders' fulfillments
# (connections) are read instead.
ORDER_FULFILLMENTS_LIST = 50


def fulfillment_orders(client, order_gid):
    """Every fulfillment order of the order, each with every line."""
    fos = list(
        client.paginate(
            queries.ORDER_FULFILLMENT_ORDERS,
            {"id": order_gid, "first": FULFILLMENT_ORDERS_PAGE},
            ("order", "fulfillmentOrders"),
        )
    )
    for fo in fos:
        _complete_lines(client, fo)
    return fos


def fulfillment_order(client, fo_gid):
    """One fulfillment order (with its order's id) and every line, or None."""
    fo = client.execute(queries.FULFILLMENT_ORDER, {"id": fo_gid})["fulfillmentOrder"]
    return fo and _complete_lines(client, fo)


def _complete_lines(client, fo):
    lines = fo.get("lineItems") or {}
    if (lines.get("pageInfo") or {}).get("hasNextPage"):
        fo["lineItems"] = {
            "nodes": list(
                client.paginate(
                    queries.FULFILLMENT_ORDER_LINES,
                    {"id": fo["id"]},
                    ("fulfillmentOrder", "lineItems"),
                )
            ),
            "pageInfo": {"hasNextPage": False, "endCursor": None},
        }
    return fo


def order_fulfillments(client, order_gid, fulfillment_order_ids=None):
    """(displayFulfillmentStatus, every fulfillment of the order, without
    their lines), or (None, []) for an unknown order. Past
    ``ORDER_FULFILLMENTS_LIST`` fulfillments they come from the order's
    fulfillment orders (``fulfillment_order_ids``, read when not given)."""
    variables = {"id": order_gid, "first": ORDER_FULFILLMENTS_LIST}
    order = client.execute(queries.ORDER_FULFILLMENTS, variables)["order"]
    if not order:
        return None, []
    found = order.get("fulfillments") or []
    if len(found) < ORDER_FULFILLMENTS_LIST:
        return order.get("displayFulfillmentStatus"), found
    if fulfillment_order_ids is None:
        fulfillment_order_ids = [fo["id"] for fo in fulfillment_orders(client, order_gid)]
    by_id = {}
    for fo_id in fulfillment_order_ids:
        for node in client.paginate(
            queries.FULFILLMENT_ORDER_FULFILLMENTS,
            {"id": fo_id},
            ("fulfillmentOrder", "fulfillments"),
        ):
            by_id.setdefault(node["id"], node)
    # A fulfillment of no fulfillment order left (Shopify merges and
    # splits them) is still on the order's own list.
    for node in found:
        by_id.setdefault(node["id"], node)
    return order.get("displayFulfillmentStatus"), list(by_id.values())


def fulfillment(client, gid):
    """The fulfillment with every line, or None when Shopify has none."""
    variables = {"id": gid}
    result = None
    cursors = set()
    while True:
        page = client.execute(queries.FULFILLMENT, variables)["fulfillment"]
        if page is None:
            return result
        lines = page["fulfillmentLineItems"]
        if result is None:
            result = page
        else:
            result["fulfillmentLineItems"]["nodes"] += lines["nodes"]
        info = lines.get("pageInfo") or {}
        cursor = info.get("endCursor")
        if not info.get("hasNextPage") or not cursor:
            result["fulfillmentLineItems"]["pageInfo"] = info
            return result
        if cursor in cursors:
            raise GraphQLError(
                "Shopify returned the same page twice while paging a fulfillment's lines.",
                code="pagination",
            )
        cursors.add(cursor)
        variables["after"] = cursor


def with_lines(client, fulfillments):
    """``fulfillments`` (as ``order_fulfillments`` gives them) with their
    lines read: one call per fulfillment, so pass only those needed."""
    return [fulfillment(client, f["id"]) or f for f in fulfillments]
