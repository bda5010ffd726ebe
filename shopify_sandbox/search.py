"""Shopify's search syntax for the ``orders`` query, the part the addon uses.

Terms are ``field:value`` with an optional comparator (``>``, ``>=``, ``<``,
``<=``) for dates; whitespace or ``AND`` joins terms, ``OR`` offers
alternatives (``AND`` binds tighter, as in Shopify's syntax), parentheses
group, ``NOT`` or ``-`` negates. Fields: ``created_at``, ``updated_at``,
``name``, ``id``, ``status`` (``open``, ``closed``, ``cancelled``,
``not_closed``, ``any``) and ``fulfillment_status`` (``unshipped``,
``shipped``, ``fulfilled``, ``partial``, ``unfulfilled`` (none or some
shipped, as Shopify's REST filter), ``any``). An unknown field or value is
refused, so a query the sandbox would answer wrongly fails loudly."""

from __future__ import annotations

import re
from datetime import datetime, timezone

_TOKEN = re.compile(r'\(|\)|-?[\w.]+:(?:[<>]=?)?(?:"[^"]*"|\'[^\']*\'|[^\s()]+)|\S+')

_FULFILLMENT = {
    "unshipped": {"UNFULFILLED"},
    "shipped": {"FULFILLED"},
    "fulfilled": {"FULFILLED"},
    "partial": {"PARTIALLY_FULFILLED"},
    "unfulfilled": {"UNFULFILLED", "PARTIALLY_FULFILLED"},
}


class SearchError(ValueError):
    pass


def matches(order, query: str | None) -> bool:
    tokens = _TOKEN.findall(query or "")
    if not tokens:
        return True
    pos, result = _or(order, tokens, 0)
    if pos != len(tokens):
        raise SearchError(f"cannot read the search query {query!r}")
    return result


def _or(order, tokens, pos):
    pos, result = _and(order, tokens, pos)
    while pos < len(tokens) and tokens[pos] == "OR":
        pos, other = _and(order, tokens, pos + 1)
        result = result or other
    return pos, result


def _and(order, tokens, pos):
    result = True
    while pos < len(tokens) and tokens[pos] not in ("OR", ")"):
        if tokens[pos] == "AND":
            pos += 1
            continue
        pos, value = _unary(order, tokens, pos)
        result = result and value
    return pos, result


def _unary(order, tokens, pos):
    token = tokens[pos]
    if token == "NOT":
        pos, value = _unary(order, tokens, pos + 1)
        return pos, not value
    if token == "(":
        pos, value = _or(order, tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos] != ")":
            raise SearchError("unbalanced parentheses in the search query")
        return pos + 1, value
    if token.startswith("-"):
        return pos + 1, not _term(order, token[1:])
    return pos + 1, _term(order, token)


def _term(order, term: str) -> bool:
    field, sep, raw = term.partition(":")
    if not sep:
        raise SearchError(f"the sandbox searches orders by field only, not {term!r}")
    op = next((o for o in (">=", "<=", ">", "<") if raw.startswith(o)), "")
    value = raw[len(op) :].strip("'\"")
    if field in ("updated_at", "created_at"):
        return _compare_dates(getattr(order, field), op, value)
    if field in ("name", "id"):
        mine = order.name if field == "name" else str(order.num)
        return mine.lstrip("#") == value.lstrip("#").rsplit("/", 1)[-1]
    if field == "status":
        return _status(order, value.lower())
    if field == "fulfillment_status":
        value = value.lower()
        if value == "any":
            return True
        if value not in _FULFILLMENT:
            raise SearchError(f"unknown fulfillment_status {value!r}")
        return order.display_fulfillment_status in _FULFILLMENT[value]
    raise SearchError(f"the sandbox does not search orders by {field!r}")


def _status(order, value: str) -> bool:
    # The sandbox closes (archives) no order by itself: closed means cancelled.
    closed = bool(order.cancelled_at)
    known = {
        "open": not closed,
        "not_closed": not closed,
        "closed": closed,
        "cancelled": bool(order.cancelled_at),
        "any": True,
    }
    if value not in known:
        raise SearchError(f"unknown order status {value!r}")
    return known[value]


def _compare_dates(mine_text, op, value) -> bool:
    mine, other = _parse_dt(mine_text), _parse_dt(value)
    if other is None:
        raise SearchError(f"cannot read the date {value!r}")
    ok = {">": mine > other, ">=": mine >= other, "<": mine < other, "<=": mine <= other}
    return ok.get(op, mine == other)


def _parse_dt(text):
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
