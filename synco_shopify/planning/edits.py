"""What an order edit or a refund in Shopify changes on the Odoo sale order.

Shopify keeps what is left of each line item in ``currentQuantity`` (edits
and refunds lower it, an edit can raise it or add line items). Odoo follows
by setting each sale line's ordered quantity; its own sale line logic then
changes the open deliveries. A sale line never goes below what Odoo already
picked or shipped for it: that is for a person to sort out, so the plan
names those units and the caller changes nothing.
"""

from dataclasses import dataclass, field

from ..shopify.ids import legacy_id
from . import notes
from .notes import _lt, note

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


def differs(lines, items):
    """Whether Shopify's current quantities differ from the sale lines'
    (``lines``: {line_item_id, quantity}); cheap, for webhook payloads."""
    odoo = _totals(lines)
    shopify = current_quantities(items)
    return any(odoo.get(item, 0) != quantity for item, quantity in shopify.items())


def plan_edit(lines, items):
    """The plan that brings ``lines`` to Shopify's ``items``.

    ``lines``: one dict per sale line carrying a line item id: ``key``,
    ``line_item_id``, ``quantity`` (ordered), ``committed`` (picked or
    shipped in Odoo), ``label`` (the SKU or product) and ``where`` (the
    deliveries holding the committed units). A lower quantity comes off
    the newest sale lines first, each down to its committed units; a higher
    one goes onto the newest line. Line items Odoo lacks come back in
    ``added`` when they still have units."""
    plan = EditPlan()
    by_item = {}
    for line in lines:
        by_item.setdefault(legacy_id(line["line_item_id"]), []).append(line)
    for item in items:
        item_id = legacy_id(item["id"])
        target = current_quantities([item])[item_id]
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
