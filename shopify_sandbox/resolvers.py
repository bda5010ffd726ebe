"""GraphQL schema (from schema.graphql) wired to the store.

Most fields resolve through ``default_resolver`` (camelCase field name ->
snake_case attribute); this module only holds the fields that need logic:
root fields with their access-scope checks, connections, money and the
mutations. ``info.context`` is the Store.
"""

from __future__ import annotations

import base64
from pathlib import Path

from graphql import GraphQLError, build_schema

from . import search

SCHEMA = build_schema((Path(__file__).parent / "schema.graphql").read_text())
SHOP_NUM = 2**56 + 17
MAX_PAGE = 250


def snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def default_resolver(source, info, **_args):
    name = info.field_name
    if isinstance(source, dict):
        return source[name] if name in source else source.get(snake(name))
    return getattr(source, snake(name), None)


def require(store, field: str, *scopes: str) -> None:
    """Raise Shopify's ACCESS_DENIED error unless one of the scopes is granted."""
    if any(store.has_scope(s) for s in scopes):
        return
    needed = " or ".join(f"`{s}` access scope" for s in scopes) + "."
    raise GraphQLError(
        f"Access denied for {field} field. Required access: {needed}",
        extensions={
            "code": "ACCESS_DENIED",
            "documentation": "https://shopify.dev/api/usage/access-scopes",
            "requiredAccess": needed,
        },
    )


def fo_write_scope(fo) -> str:
    if fo is not None and fo.location.app_owned:
        return "write_assigned_fulfillment_orders"
    if fo is not None and fo.location.is_3pl:
        return "write_third_party_fulfillment_orders"
    return "write_merchant_managed_fulfillment_orders"


def _cursor(item) -> str:
    num = item.num if hasattr(item, "num") else item["num"]
    return base64.b64encode(f"cursor:{num}".encode()).decode()


def connection(items, first=None, after=None, last=None, before=None, reverse=False, **_):
    """A Relay connection over a list, with Shopify's argument rules."""
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for value in (first, last):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise GraphQLError(f"The first/last argument must be between 0 and {MAX_PAGE}.")
    items = list(reversed(items)) if reverse else list(items)
    cursors = [_cursor(i) for i in items]
    start, end = 0, len(items)
    if after in cursors:
        start = cursors.index(after) + 1
    if before in cursors:
        end = cursors.index(before)
    window = items[start:end]
    offset = start
    if first is not None:
        window = window[:first]
    if last is not None and len(window) > last:
        offset += len(window) - last
        window = window[-last:]
    page_cursors = cursors[offset : offset + len(window)]
    return {
        "nodes": window,
        "edges": [{"cursor": c, "node": n} for c, n in zip(page_cursors, window, strict=True)],
        "pageInfo": {
            "hasNextPage": offset + len(window) < end,
            "hasPreviousPage": offset > start,
            "startCursor": page_cursors[0] if page_cursors else None,
            "endCursor": page_cursors[-1] if page_cursors else None,
        },
    }


def bag(amount, currency: str) -> dict:
    money = {"amount": str(amount), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": dict(money)}


def _tax_lines(lines, currency):
    return [
        {
            "rate": t["rate"],
            "ratePercentage": t["rate"] * 100,
            "title": t["title"],
            "priceSet": bag(t["amount"], currency),
        }
        for t in lines
    ]


def _set(type_name: str, field: str):
    def deco(fn):
        SCHEMA.type_map[type_name].fields[field].resolve = fn
        return fn

    return deco


# ------------------------------------------------------------------ Query
@_set("Query", "shop")
def _shop(_root, info):
    cfg = info.context.config
    return {
        "id": f"gid://shopify/Shop/{SHOP_NUM}",
        "name": cfg.shop_name,
        "myshopifyDomain": cfg.shop_domain,
        "email": cfg.shop_email,
        "currencyCode": cfg.currency,
        "ianaTimezone": cfg.timezone,
        "taxesIncluded": cfg.taxes_included,
    }


@_set("Query", "currentAppInstallation")
def _installation(_root, info):
    scopes = info.context.config.scopes
    return {
        "id": f"gid://shopify/AppInstallation/{SHOP_NUM + 1}",
        "accessScopes": [{"handle": s, "description": s.replace("_", " ")} for s in scopes],
    }


@_set("Query", "locations")
def _locations(_root, info, includeInactive=False, **args):
    require(info.context, "locations", "read_locations")
    locations = [loc for loc in info.context.locations if includeInactive or loc.is_active]
    if args.get("sortKey") == "NAME":
        locations.sort(key=lambda loc: loc.name)
    return connection(locations, **args)


@_set("Query", "location")
def _location(_root, info, id=None):
    require(info.context, "location", "read_locations")
    return info.context.location(id) if id else info.context.default_location()


@_set("Query", "order")
def _order(_root, info, id):
    require(info.context, "order", "read_orders")
    return info.context.order(id)


@_set("Query", "productVariants")
def _product_variants(_root, info, query=None, **args):
    """Only ``sku:<value>`` (optionally quoted) is understood as a filter."""
    require(info.context, "productVariants", "read_products")
    variants = info.context.variants()
    if query:
        field, _, value = query.partition(":")
        if field.strip() != "sku":
            raise GraphQLError(f"the sandbox only filters product variants by sku, not {query!r}")
        value = value.strip().strip("'\"")
        variants = [v for v in variants if v.sku == value]
    return connection(variants, **args)


@_set("Query", "orders")
def _orders(_root, info, query=None, sortKey="PROCESSED_AT", **args):
    require(info.context, "orders", "read_orders")
    orders = [o for o in info.context.orders if _matches_query(o, query)]
    key = {
        "UPDATED_AT": lambda o: (o.updated_at, o.num),
        "ID": lambda o: o.num,
        "NUMBER": lambda o: o.num,
    }.get(sortKey, lambda o: (o.created_at, o.num))
    return connection(sorted(orders, key=key), **args)


def _matches_query(order, query: str | None) -> bool:
    """Shopify search syntax, the part the addon uses (``search.py``)."""
    try:
        return search.matches(order, query)
    except search.SearchError as exc:
        raise GraphQLError(str(exc)) from None


@_set("Query", "fulfillment")
def _fulfillment(_root, info, id):
    require(info.context, "fulfillment", "read_fulfillments", "read_orders")
    return info.context.fulfillment(id)


@_set("Query", "fulfillmentOrder")
def _fulfillment_order(_root, info, id):
    scopes = ("read_merchant_managed_fulfillment_orders", "read_fulfillments", "read_orders")
    require(info.context, "fulfillmentOrder", *scopes)
    return info.context.fulfillment_order(id)


@_set("Query", "webhookSubscriptions")
def _subscriptions(_root, info, topics=None, uri=None, format=None, **args):
    subs = [
        s
        for s in info.context.subscriptions
        if (not topics or s.topic in topics)
        and (uri is None or s.uri == uri)
        and (format is None or s.format == format)
    ]
    args.pop("sortKey", None)
    args.pop("query", None)
    return connection(subs, **args)
