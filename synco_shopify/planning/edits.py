"""What an order edit or a refund in Shopify changes on the Odoo sale order.

Shopify keeps what is left of each line item in ``currentQuantity`` (edits
and refunds lower it, an edit can raise it or add line items). Odoo follows
the units still to ship: a refund of units already fulfilled in Shopify
(refunded after shipping, restocked or not) lowers ``currentQuantity`` but
leaves the fulfillment order lines alone, so those units stay on the sale
line (they did ship); only what Shopify still has open, or took off its
fulfillment orders, is an edit. Odoo follows by setting each sale line's
ordered quantity; its own sale line logic then changes the open
deliveries. A sale line never goes below what Odoo already picked or
shipped for it: that is for a person to sort out, so the plan names those
units and the caller changes nothing.
"""

from dataclasses import dataclass, field

from ..shopify.ids import legacy_id
from . import notes
from .notes import _lt, note

# Fulfillment order statuses whose remaining units Shopify will still ship.
LIVE = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED")

TEXTS = notes.register(
    {
        "edits.blocked_one": _lt(
            "%(label)s: Shopify now has %(target)g, but %(committed)g is already picked or "
            "shipped in Odoo (%(where)s)"
        ),
        "edits.blocked": _lt(
            "%(label)s: Shopify now has %(target)g, but %(committed)g are already picked or "
            "shipped in Odoo (%(where)s)"
        ),
    }
)


@dataclass
class EditPlan:
    quantities: dict = field(default_factory=dict)  # sale line key -> new quantity
    added: list = field(default_factory=list)  # Shopify line item nodes Odoo lacks
    changes: list = field(default_factory=list)  # (label, old, new) for the chatter
    blocked: list = field(default_factory=list)  # Notes: why the edit cannot be applied

    @property
    def empty(self):
        return not (self.quantities or self.added or self.blocked)


def current_quantity(item):
    """What is left of a GraphQL line item node (``currentQuantity``) or a
    REST webhook line item (``current_quantity``); ``quantity`` without it."""
    quantity = item.get("currentQuantity", item.get("current_quantity"))
    if quantity is None:
        quantity = item.get("quantity") or 0
    return int(quantity)


def current_quantities(items):
    """{legacy line item id: current quantity} of line items."""
    return {legacy_id(item["id"]): current_quantity(item) for item in items}


def progress(fulfillment_orders):
    """{legacy line item id: (fulfilled, open)} from the order's fulfillment
    orders (GraphQL nodes): the units Shopify fulfilled (``totalQuantity``
    less ``remainingQuantity`` of every fulfillment order not cancelled)
    and the units it still has open (``remainingQuantity`` of the live
    ones). A refund of an unfulfilled unit takes it off both quantities; a
    refund of a fulfilled unit touches neither."""
    found = {}
    for fo in fulfillment_orders:
        status = fo.get("status")
        if status == "CANCELLED":
            continue
        for fo_line in (fo.get("lineItems") or {}).get("nodes") or ():
            item = legacy_id(fo_line["lineItem"]["id"])
            remaining = int(fo_line.get("remainingQuantity") or 0)
            done = int(fo_line.get("totalQuantity") or 0) - remaining
            fulfilled, open_ = found.get(item, (0, 0))
            found[item] = (fulfilled + done, open_ + (remaining if status in LIVE else 0))
    return found


def to_ship_target(current, fulfilled, open_):
    """What the sale line should hold for a line item: ``current`` plus the
    units refunded after they were fulfilled (fulfilled and open units that
    ``current`` no longer counts, never more than the fulfilled ones)."""
    return current + min(max(fulfilled + open_ - current, 0), fulfilled)


def differs(lines, items, fulfillments=(), refunds=()):
    """Whether Shopify's line items (a webhook's ``line_items``, with the
    order's ``fulfillments`` and ``refunds``) may hold other quantities to
    follow than the sale lines (``lines``: {line_item_id, quantity});
    cheap, no call to Shopify. A difference is left alone only when the
    payload proves it is units refunded after they shipped; when unsure it
    differs (the job then reads Shopify and decides)."""
    odoo = _totals(lines)
    shipped = _payload_units(
        item
        for fulfillment in fulfillments
        if fulfillment.get("status") == "success"
        for item in fulfillment.get("line_items") or ()
    )
    kept = _payload_units(
        {"id": row["line_item_id"], "quantity": row["quantity"]}
        for refund in refunds
        for row in refund.get("refund_line_items") or ()
        if row.get("restock_type") != "cancel"
    )
    for item in items:
        item_id = legacy_id(item["id"])
        current, have = current_quantity(item), odoo.get(item_id, 0)
        if _same(have, current):
            continue
        fulfilled = shipped.get(item_id, 0)
        low, high = max(fulfilled - current, 0), min(fulfilled, kept.get(item_id, 0))
        if low != high or not _same(have, current + low):
            return True
    return False


def _payload_units(rows):
    units = {}
    for row in rows:
        item = legacy_id(row["id"])
        units[item] = units.get(item, 0) + int(row.get("quantity") or 0)
    return units


def plan_edit(lines, items, shipping=None):
    """The plan that brings ``lines`` to Shopify's ``items``.

    ``lines``: one dict per sale line carrying a line item id: ``key``,
    ``line_item_id``, ``quantity`` (ordered), ``committed`` (picked or
    shipped in Odoo), ``label`` (the SKU or product) and ``where`` (the
    deliveries holding the committed units). ``shipping``: ``progress()``
    of the order's fulfillment orders; each line item's target is then
    ``to_ship_target`` (without it, ``currentQuantity``). A lower quantity
    comes off the newest sale lines first, each down to its committed
    units; a higher one goes onto the newest line. Line items Odoo lacks
    come back in ``added`` when they still have units."""
    plan = EditPlan()
    by_item = {}
    for line in lines:
        by_item.setdefault(legacy_id(line["line_item_id"]), []).append(line)
    for item in items:
        item_id = legacy_id(item["id"])
        target = current_quantities([item])[item_id]
        if shipping and item_id in shipping:
            target = to_ship_target(target, *shipping[item_id])
        own = sorted(by_item.get(item_id, ()), key=lambda line: line["key"], reverse=True)
        if not own:
            if target > 0:
                plan.added.append(item)
            continue
        have = sum(line["quantity"] for line in own)
        if _same(have, target):
            continue
        label = own[0]["label"]
        plan.changes.append((label, have, target))
        if target > have:
            plan.quantities[own[0]["key"]] = own[0]["quantity"] + target - have
            continue
        blocked = _lower(plan, own, have - target)
        if blocked:
            committed = sum(line["committed"] for line in own)
            where = ", ".join(dict.fromkeys(w for line in own for w in line["where"]))
            plan.blocked.append(
                note(
                    "edits.blocked_one" if committed == 1 else "edits.blocked",
                    label=label,
                    target=target,
                    committed=committed,
                    where=where,
                )
            )
    return plan


def _lower(plan, own, excess):
    """Take ``excess`` off ``own`` lines; True when committed units stop it."""
    for line in own:
        free = max(line["quantity"] - line["committed"], 0)
        take = min(free, excess)
        if take > 0:
            plan.quantities[line["key"]] = line["quantity"] - take
            excess -= take
    return excess > 1e-6


def _totals(lines):
    totals = {}
    for line in lines:
        item = legacy_id(line["line_item_id"])
        totals[item] = totals.get(item, 0) + line["quantity"]
    return totals


def _same(a, b):
    return abs(a - b) < 1e-6


def added_order(order, added):
    """The GraphQL ``order`` narrowed to the ``added`` line items, each
    with its current quantity as its quantity: what ``plan_order`` turns
    into sale line values."""
    items = [
        dict(item, quantity=current_quantities([item])[legacy_id(item["id"])]) for item in added
    ]
    return dict(order, lineItems={"nodes": items})
