"""What the Shopify-led apply does with a Shopify fulfillment, and which Odoo
stock moves it validates.

First the outcome, from plain data: a webhook about a fulfillment Odoo
itself pushed, which says what Odoo already holds, is its echo and costs no
Shopify read (``is_echo``); otherwise the fulfillment (the webhook's own,
while it is fresh: ``webhook_fulfillment``, else Shopify's read) and its
link decide (``decide_apply``) whether it ships, updates tracking,
flags a cancellation or waits.

Then, for one that ships: a fulfillment made in Shopify (by the merchant or
a 3PL) names order line items and quantities, not Odoo moves. Its quantity
is laid over the open moves of each line: the fulfillment's own warehouse
first, then the others (those quantities shipped from a warehouse other
than the one Odoo planned, so the caller delivers them from the target
warehouse and reduces the other move). What no open move can take is
reported, never dropped.
"""

from dataclasses import dataclass, field
from datetime import datetime

from ..shopify.ids import legacy_id
from .notes import _lt, note, register

TEXTS = register(
    {
        "apply.no_open_move": _lt(
            "line item %(item)s: %(quantity)s fulfilled in Shopify, no open Odoo move"
        ),
        "apply.short": _lt(
            "line item %(item)s: %(quantity)s fulfilled in Shopify but only %(open)s open in Odoo"
        ),
    }
)

_EPSILON = 1e-6

# Shopify's fulfillment status (upper case in GraphQL, lower case in a
# webhook) -> the state of a link that holds it.
LINK_STATE_OF_STATUS = {"SUCCESS": "done", "CANCELLED": "cancelled"}
# Only SUCCESS means the goods left.
SHIPPED = "SUCCESS"


def is_echo(payload, link):
    """True when the webhook job ``payload`` is about a fulfillment Odoo
    pushed (``link``: {origin, state, tracking_number, tracking_company},
    or None) and says what the link already holds: its status, its first
    tracking number and its carrier. Such a webhook is Shopify announcing
    Odoo's own push, so nothing needs reading. A job queued by the
    reconciliation or the catch-up carries no ``status``: never an echo."""
    if not link or link.get("origin") != "odoo" or "status" not in payload:
        return False
    status = str(payload.get("status") or "").upper()
    if LINK_STATE_OF_STATUS.get(status) != link.get("state"):
        return False
    numbers = [n for n in payload.get("tracking_numbers") or () if n]
    first = numbers[0] if numbers else None
    return first == (link.get("tracking_number") or None) and (
        payload.get("tracking_company") or None
    ) == (link.get("tracking_company") or None)


# How old a webhook's fulfillment may be and still stand for Shopify's read.
BODY_FRESH_SECONDS = 120


def webhook_fulfillment(payload, linked, now):
    """The fulfillment the webhook job ``payload`` carries, when it may
    stand for Shopify's read; else None, and the fulfillment is read.

    Shopify's fulfillments are created whole: their lines and location
    never change, only their status and tracking, each change announced by
    a fulfillments/update. So a body says what a read would, unless a later
    change was made before the job runs: the body must be of a fulfillment Odoo
    has not linked, folded from deliveries that agree (the queue drops it
    otherwise), its ``updatedAt`` within ``BODY_FRESH_SECONDS`` of ``now``
    (an aware datetime; a retried or requeued delivery is older). The
    caller reads as well when an earlier job was about the same fulfillment
    (a cancellation can overtake its creation). What is left is a change
    made in those seconds whose webhook is lost: it ends as a change after
    the apply does (a cancellation flagged, tracking updated)."""
    body = payload.get("fulfillment")
    if linked or not isinstance(body, dict):
        return None
    try:
        updated = datetime.fromisoformat(str(body.get("updatedAt")).replace("Z", "+00:00"))
    except ValueError:
        return None
    if updated.tzinfo is None or abs((now - updated).total_seconds()) > BODY_FRESH_SECONDS:
        return None
    return body


def fulfillment_location(fulfillment):
    """The legacy id of the location ``fulfillment`` shipped from, "0" for none."""
    return legacy_id(((fulfillment or {}).get("location") or {}).get("id") or "0")


@dataclass(frozen=True)
class ApplyDecision:
    # "gone" (Shopify has no such fulfillment), "cancel" (flag the linked
    # one), "cancelled_unlinked", "tracking" (compare the link's tracking),
    # "not_shipped" (not SUCCESS yet), "odoo_led" (its location is Odoo's
    # to validate) or "ship".
    kind: str
    status: str = ""
    location_id: str = ""
    order_id: str = ""
    lines: tuple = ()  # {line_item_id, quantity}, for "ship"


def decide_apply(fulfillment, linked, odoo_led):
    """What to do with ``fulfillment`` (Shopify's read, or None) that Odoo
    has linked or not (``linked``) and whose location Odoo leads or not
    (``odoo_led``). A linked fulfillment is never shipped twice."""
    if not fulfillment:
        return ApplyDecision("gone")
    status = fulfillment["status"]
    if status == "CANCELLED":
        return ApplyDecision("cancel" if linked else "cancelled_unlinked", status)
    if linked:
        return ApplyDecision("tracking", status)
    if status != SHIPPED:
        # Shopify sends fulfillments/update when it gets there, and that
        # queues the apply again.
        return ApplyDecision("not_shipped", status)
    location_id = fulfillment_location(fulfillment)
    if odoo_led:
        return ApplyDecision("odoo_led", status, location_id)
    return ApplyDecision(
        "ship",
        status,
        location_id,
        legacy_id(fulfillment["order"]["id"]),
        tuple(
            {"line_item_id": node["lineItem"]["id"], "quantity": node["quantity"]}
            for node in fulfillment["fulfillmentLineItems"]["nodes"]
        ),
    )


@dataclass
class ApplyPlan:
    pickings: dict = field(default_factory=dict)  # picking_id -> {move_id: quantity}
    cross_warehouse: list = field(default_factory=list)  # {move_id, quantity, from_warehouse}
    missing: list = field(default_factory=list)  # {line_item_id, quantity, open, reason (a note)}

    @property
    def complete(self):
        return not self.missing

    def merge(self, other):
        """Add ``other``'s decisions (a plan over other moves) to this plan."""
        for picking_id, quantities in other.pickings.items():
            mine = self.pickings.setdefault(picking_id, {})
            for move_id, quantity in quantities.items():
                mine[move_id] = mine.get(move_id, 0.0) + quantity
        self.cross_warehouse.extend(other.cross_warehouse)
        self.missing.extend(other.missing)
        return self


def plan_apply_groups(fulfillment_lines, groups, target_warehouse):
    """``plan_apply`` per group of moves: ``groups`` maps a key to moves;
    the moves of key None take every line no other group names, each other
    group (the component moves of one kit, each counted in kits) takes its
    own line items in full, so every component ships for every kit."""
    grouped_items = {
        legacy_id(move["line_item_id"])
        for key, moves in groups.items()
        if key is not None
        for move in moves
    }
    plan = ApplyPlan()
    for key, moves in [(None, groups.get(None, [])), *((k, m) for k, m in groups.items() if k)]:
        if key is None:
            lines = [
                line
                for line in fulfillment_lines
                if legacy_id(line["line_item_id"]) not in grouped_items
            ]
        else:
            items = {legacy_id(move["line_item_id"]) for move in moves}
            lines = [line for line in fulfillment_lines if legacy_id(line["line_item_id"]) in items]
        plan.merge(plan_apply(lines, moves, target_warehouse))
    return plan


def plan_apply(fulfillment_lines, moves, target_warehouse):
    """Lay each fulfillment line ({line_item_id, quantity}) over the open
    ``moves`` ({move_id, line_item_id, warehouse, picking_id, remaining,
    optional rank}) of its line item: moves of ``target_warehouse`` first,
    then the others, each by rank then move_id, never above a move's
    remaining quantity.

    Quantities on target moves go to ``pickings``; on other warehouses'
    moves to ``cross_warehouse``. With no target (unmapped location) every
    move counts as the target's."""
    plan = ApplyPlan()
    by_item = {}
    for move in moves:
        by_item.setdefault(legacy_id(move["line_item_id"]), []).append(move)
    for item, quantity in _sum_lines(fulfillment_lines).items():
        ordered = sorted(
            by_item.get(item, ()),
            key=lambda m: (not _is_target(m, target_warehouse), m.get("rank", 0), m["move_id"]),
        )
        left = _take(plan, ordered, quantity, target_warehouse)
        if left > _EPSILON:
            plan.missing.append(_missing(item, quantity, ordered))
    return plan


def _take(plan, moves, quantity, target_warehouse):
    """Record what ``moves`` take of ``quantity``; return what is left."""
    for move in moves:
        take = min(quantity, max(float(move["remaining"]), 0.0))
        if take <= _EPSILON:
            continue
        quantity -= take
        if _is_target(move, target_warehouse):
            picking = plan.pickings.setdefault(move["picking_id"], {})
            picking[move["move_id"]] = picking.get(move["move_id"], 0.0) + take
        else:
            plan.cross_warehouse.append(
                {"move_id": move["move_id"], "quantity": take, "from_warehouse": move["warehouse"]}
            )
    return quantity


def _missing(item, quantity, moves):
    """What a person must know about a line Odoo cannot fully take."""
    open_quantity = sum(max(float(m["remaining"]), 0.0) for m in moves)
    if not moves:
        reason = note("apply.no_open_move", item=item, quantity=f"{quantity:g}")
    else:
        reason = note("apply.short", item=item, quantity=f"{quantity:g}", open=f"{open_quantity:g}")
    return {
        "line_item_id": item,
        "quantity": quantity - open_quantity,
        "open": open_quantity,
        "reason": reason,
    }


def _is_target(move, target_warehouse):
    return target_warehouse is None or move["warehouse"] == target_warehouse


def _sum_lines(lines):
    """Quantity per legacy line item id, zero lines dropped, sorted by id."""
    totals = {}
    for line in lines:
        item = legacy_id(line["line_item_id"])
        totals[item] = totals.get(item, 0) + line["quantity"]
    return {k: totals[k] for k in sorted(totals, key=int) if totals[k]}
