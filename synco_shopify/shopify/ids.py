"""Shopify ids: global ids (``gid://shopify/Order/123``) and legacy numeric ids.

The addon stores the numeric part as text (it may exceed 2**53, so never a
float) and builds global ids only when it talks GraphQL.
"""

import re

_GID = re.compile(r"^gid://shopify/([A-Za-z]+)/(\d+)(?:\?.*)?$")
_KIND = re.compile(r"^[A-Z][A-Za-z]*$")


def to_gid(kind, legacy_id):
    """Return ``gid://shopify/<kind>/<n>``; ``legacy_id`` may be anything
    ``legacy_id()`` accepts, including a gid of the same kind."""
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise ValueError(f"not a Shopify resource type: {kind!r}")
    if isinstance(legacy_id, str):
        match = _GID.match(legacy_id.strip())
        if match and match.group(1) != kind:
            raise ValueError(f"{legacy_id!r} is a {match.group(1)} id, not a {kind} id")
    return f"gid://shopify/{kind}/{_numeric_id(legacy_id)}"


def legacy_id(gid_or_int):
    """Return the numeric id as text from an int, a numeric string or a gid.

    Raises ValueError for anything else (booleans, negative numbers, floats,
    empty strings, other URIs), so a bad id fails where it enters.
    """
    return _numeric_id(gid_or_int)


def _numeric_id(value):
    # Separate from legacy_id() because to_gid() has a parameter of that name.
    if isinstance(value, bool):
        raise ValueError(f"not a Shopify id: {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"not a Shopify id: {value!r}")
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            return text
        match = _GID.match(text)
        if match:
            return match.group(2)
    raise ValueError(f"not a Shopify id: {value!r}")
