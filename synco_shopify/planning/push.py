"""What to send to Shopify for one validated Odoo delivery (Odoo-led push).

Shopify fulfils against fulfillment orders (FOs), one per order and location;
a delivery ships quantities per order line from one warehouse, i.e. one
location. So the quantities go onto the open FO lines there, a move is planned
when the work sits at another merchant location, and otherwise the plan says
in merchant terms why not. The crash window (a fulfillment a lost response
already created) is here too.
"""

from dataclasses import dataclass
from datetime import datetime, timezone

from ..shopify.ids import legacy_id, to_gid
from .notes import _lt, note, register

TEXTS = register(
    {
        "push.sku": _lt("SKU %(sku)s"),
        "push.line_item": _lt("line item %(item)s"),
        "push.location": _lt("location %(location)s"),
        "push.unknown_location": _lt("an unknown location"),
        "push.no_quantity": _lt("the delivery ships no quantity"),
        "push.all_fulfilled": _lt("Shopify has already fulfilled every line"),
        "push.not_on_order": _lt("%(label)s is not on this Shopify order"),
        "push.not_whole": _lt("%(quantity)s of %(label)s is not a whole number of Shopify units"),
        "push.none_open": _lt("%(label)s: %(count)s shipped but Shopify has 0 open"),
        "push.short": _lt("%(label)s: %(count)s shipped but Shopify has only %(open)s open"),
        "push.service": _lt(
            "%(left)s of %(label)s assigned to the fulfillment service %(location)s;"
            " the addon does not fulfill those"
        ),
        "push.no_fulfillment_here": _lt(
            "%(left)s of %(label)s open at %(location)s (%(status)s),"
            " but Shopify offers no fulfillment there"
        ),
        "push.cannot_move": _lt(
            "%(left)s of %(label)s needed at %(location)s but open at %(others)s,"
            " which cannot be moved"
        ),
        "push.held": _lt("%(quantity)s of %(label)s at %(location)s: %(hold)s"),
        "push.move": _lt("move from %(sources)s to %(location)s"),
        "push.scheduled": _lt("scheduled for later"),
        "push.on_hold": _lt("on hold: %(reasons)s"),
        "push.no_hold_reason": _lt("on hold: no reason given"),
    }
)

OPEN_STATUSES = frozenset({"OPEN", "IN_PROGRESS"})
WAITING_STATUSES = frozenset({"ON_HOLD", "SCHEDULED"})
# Fulfillments in these states fulfil nothing, so they never match a delivery.
DEAD_FULFILLMENT_STATUSES = frozenset({"CANCELLED", "ERROR", "FAILURE"})
# Shopify takes at most this many line items per fulfillment order in one
# fulfillmentCreate, and one fulfillment order at most once per call.
MAX_FULFILLMENT_ORDER_LINES = 512
_EPSILON = 1e-6


@dataclass(frozen=True)
class PushPlan:
    kind: str  # "fulfill", "move", "wait", "nothing" or "stop"
    fulfillment_input: dict | None = None  # FulfillmentInput, for "fulfill"
    moves: tuple = ()  # fulfillmentOrderMove arguments (+ from_location), for "move"
    # Why, as notes: one for "nothing" and "move" (what moves where), one per
    # problem for "stop", one per held line for "wait"; notes.render shows them.
    reason: object = ()
    held: tuple = ()  # {line_item_id, quantity, fulfillment_order_id, reason (a note)}


@dataclass(frozen=True)
class _FoLine:
    fo_id: str  # the fulfillment order's gid
    line_id: str  # the fulfillment order line's gid
    remaining: int
    kind: str  # "here", "move", "held", "3pl", "stuck" or "closed"
    here: bool  # assigned to the delivery's location
    location: object  # the location's name (or a note), for messages
    note: object  # the hold (a note), or the FO status


def plan_push(lines, fulfillment_orders, location_id, location_names=None):
    """The plan for one delivery's ``lines`` ({line_item_id, quantity}) at
    ``location_id`` given the order's ``fulfillment_orders``.

    Each line item takes its quantity from FO lines at the location first,
    then from movable FOs elsewhere, then from held ones. Any move makes a
    "move" plan (re-plan after moving); else fulfillable quantity makes a
    "fulfill" plan carrying the held rest in ``held``; only held quantity
    makes "wait"; nothing open for every line makes "nothing"; anything a
    merchant must fix makes "stop" with all the reasons."""
    location_id = legacy_id(location_id)
    by_item, skus, ours = _index(fulfillment_orders, location_id)
    names = {legacy_id(k): v for k, v in (location_names or {}).items()}
    ours = names.get(location_id) or ours or note("push.location", location=location_id)
    wanted = _sum_lines(lines)
    if not wanted:
        return PushPlan("nothing", reason=note("push.no_quantity"))
    problems, done, takes = [], [], []
    for item, quantity in wanted.items():
        label = (
            note("push.sku", sku=skus[item])
            if skus.get(item)
            else note("push.line_item", item=item)
        )
        problem, item_takes = _plan_item(quantity, by_item.get(item), label, ours)
        if problem and problem.code == "push.none_open":
            done.append(problem)
        elif problem:
            problems.append(problem)
        takes += [(item, label, fl, q) for fl, q in item_takes]
    if problems or (done and takes):
        return PushPlan("stop", reason=tuple(problems + done))
    if not takes:
        return PushPlan("nothing", reason=note("push.all_fulfilled"))
    return _verdict(takes, location_id, ours)


def _plan_item(quantity, fo_lines, label, ours):
    """(problem note or None, [(FO line, quantity)]) for one line item; a
    "push.none_open" problem means Shopify has fulfilled it all already."""
    count = _whole(quantity)
    if fo_lines is None:
        return note("push.not_on_order", label=label), []
    if count is None:
        return note("push.not_whole", quantity=f"{quantity:g}", label=label), []
    if not any(fl.remaining for fl in fo_lines):
        return note("push.none_open", label=label, count=count), []
    takes, left = _allocate(count, fo_lines)
    return (_shortfall(label, count, left, fo_lines, ours) if left else None), takes


def _verdict(takes, location_id, ours):
    """The plan for allocated ``takes`` ((item, label, FO line, quantity))."""
    held = tuple(
        {
            "line_item_id": item,
            "quantity": q,
            "fulfillment_order_id": fl.fo_id,
            "reason": note(
                "push.held", quantity=q, label=label, location=fl.location, hold=fl.note
            ),
        }
        for item, label, fl, q in takes
        if fl.kind == "held"
    )
    moving = [(fl, q) for _, _, fl, q in takes if fl.kind == "move"]
    if moving:
        moves = _moves(moving, location_id)
        names = _join(m["from_location"] for m in moves)
        reason = note("push.move", sources=names, location=ours)
        return PushPlan("move", moves=moves, held=held, reason=reason)
    here = [(fl, q) for _, _, fl, q in takes if fl.kind == "here"]
    if here:
        return PushPlan("fulfill", fulfillment_input=_fulfillment_input(here), held=held)
    return PushPlan("wait", held=held, reason=tuple(h["reason"] for h in held))


def _index(fulfillment_orders, location_id):
    """FO lines per line item id, sorted by FO id then line id; SKUs per
    item; the name of ``location_id`` when an FO is assigned there."""
    by_item, skus, ours = {}, {}, None
    for fo in sorted(fulfillment_orders, key=lambda fo: _num(fo["id"])):
        kind, here, name, note = _classify(fo, location_id)
        ours = name if here else ours
        nodes = (fo.get("lineItems") or {}).get("nodes") or ()
        for node in sorted(nodes, key=lambda n: _num(n["id"])):
            item = legacy_id(node["lineItem"]["id"])
            remaining = int(node.get("remainingQuantity") or 0)
            by_item.setdefault(item, []).append(
                _FoLine(fo["id"], node["id"], remaining, kind, here, name, note)
            )
            if node.get("sku") and not skus.get(item):
                skus[item] = node["sku"]
    return by_item, skus, ours


def _classify(fo, location_id):
    """(kind, at our location, location name, note) of one fulfillment order."""
    assigned = fo.get("assignedLocation") or {}
    location = assigned.get("location") or {}
    name = location.get("name") or assigned.get("name") or note("push.unknown_location")
    here = _location_id(location) == location_id
    status = fo.get("status")
    actions = {a.get("action") for a in fo.get("supportedActions") or ()}
    if status in WAITING_STATUSES:
        return "held", here, name, _hold_note(fo)
    if status not in OPEN_STATUSES:
        return "closed", here, name, status
    if location.get("fulfillmentService"):
        # Odoo's own fulfillment service fulfills the requests it accepted
        # at the location the delivery's warehouse maps to; any other
        # service's work is its own.
        if here and fo.get("requestStatus") in ("ACCEPTED", "CANCELLATION_REJECTED"):
            return "here", here, name, status
        return "3pl", here, name, status
    if here and "CREATE_FULFILLMENT" in actions:
        return "here", here, name, status
    if not here and "MOVE" in actions:
        return "move", here, name, status
    return "stuck", here, name, status


def hold_reason(fo):
    """What holds ``fo`` back, for a person (a note: "on hold: OTHER
    (notes)"), or "" when it is not on hold or scheduled."""
    return _hold_note(fo) if fo.get("status") in WAITING_STATUSES else ""


def _hold_note(fo):
    """Why an ON_HOLD or SCHEDULED fulfillment order waits."""
    if fo.get("status") == "SCHEDULED":
        return note("push.scheduled")
    reasons = [
        f"{h.get('reason')} ({h['reasonNotes']})" if h.get("reasonNotes") else str(h.get("reason"))
        for h in fo.get("fulfillmentHolds") or ()
    ]
    if not reasons:
        return note("push.no_hold_reason")
    return note("push.on_hold", reasons=", ".join(reasons))


def _allocate(needed, fo_lines):
    """Take ``needed`` units from ``fo_lines`` in allocation order; returns
    ([(FO line, quantity)], what is still missing)."""
    takes = []
    for kind in ("here", "move", "held"):
        for fl in fo_lines:
            if needed and fl.kind == kind and fl.remaining:
                quantity = min(needed, fl.remaining)
                takes.append((fl, quantity))
                needed -= quantity
    return takes, needed


def _shortfall(label, count, left, fo_lines, ours):
    """The merchant-actionable reason why ``left`` of ``count`` cannot ship."""
    open_lines = [fl for fl in fo_lines if fl.remaining]
    service = [fl for fl in open_lines if fl.kind == "3pl"]
    if service:
        return note("push.service", left=left, label=label, location=service[0].location)
    stuck = [fl for fl in open_lines if fl.kind == "stuck"]
    if stuck and stuck[0].here:
        status = stuck[0].note
        return note(
            "push.no_fulfillment_here", left=left, label=label, location=ours, status=status
        )
    if stuck:
        others = _join(fl.location for fl in stuck)
        return note("push.cannot_move", left=left, label=label, location=ours, others=others)
    total = sum(fl.remaining for fl in open_lines)
    return note("push.short", label=label, count=count, open=total)


def _join(names):
    """Location names once each, in order, as one text (an unknown one in English)."""
    return ", ".join(str(name) for name in dict.fromkeys(names))


def _fulfillment_input(takes):
    """FulfillmentInput lines, each FO once, FOs and lines sorted by id."""
    return {
        "lineItemsByFulfillmentOrder": [
            {"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": items}
            for fo_id, items, _ in _by_fo(takes)
        ]
    }


def _moves(takes, location_id):
    """One fulfillmentOrderMove per source FO, sorted by FO id."""
    new_location = to_gid("Location", location_id)
    return tuple(
        {
            "id": fo_id,
            "newLocationId": new_location,
            "fulfillmentOrderLineItems": items,
            "from_location": name,
        }
        for fo_id, items, name in _by_fo(takes)
    )


def _by_fo(takes):
    """(FO id, [{id, quantity}] sorted by line id, location name) per FO, by FO id."""
    groups, names = {}, {}
    for fl, quantity in takes:
        lines = groups.setdefault(fl.fo_id, {})
        lines[fl.line_id] = lines.get(fl.line_id, 0) + quantity
        names[fl.fo_id] = fl.location
    for fo_id in sorted(groups, key=_num):
        lines = groups[fo_id]
        items = [{"id": i, "quantity": lines[i]} for i in sorted(lines, key=_num)]
        yield fo_id, items, names[fo_id]


def split_lines(lines, size=MAX_FULFILLMENT_ORDER_LINES):
    """One delivery's ``lines`` in parts of at most ``size`` line items,
    sorted by line item id: each part is one fulfillment. A line item sits
    on one line of each fulfillment order, so no fulfillment order input of
    a part exceeds Shopify's limit. The same lines always give the same
    parts, so a retry finds the parts a lost answer already created."""
    totals = list(_sum_lines(lines).items())
    return [
        [{"line_item_id": item, "quantity": q} for item, q in totals[i : i + size]]
        for i in range(0, len(totals), size)
    ]


def candidates(fulfillments, location_id, exclude_ids=(), created_after=None):
    """The live fulfillments at ``location_id`` whose id is not in
    ``exclude_ids`` (and, given a naive UTC datetime ``created_after``,
    made since): the only ones ``match_existing`` can pick, so the only
    ones whose lines need reading."""
    location_id = legacy_id(location_id)
    excluded = {legacy_id(i) for i in exclude_ids}
    return [
        f
        for f in fulfillments
        if f.get("status") not in DEAD_FULFILLMENT_STATUSES
        and _location_id(f.get("location") or {}) == location_id
        and legacy_id(f["id"]) not in excluded
        and not (created_after and _before(f.get("createdAt"), created_after))
    ]


def _before(stamp, moment):
    """Whether Shopify's ISO ``stamp`` is before the naive UTC ``moment``;
    False when the stamp is missing or unreadable (keep the candidate)."""
    try:
        when = datetime.fromisoformat((stamp or "").replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when < moment


def match_existing(lines, fulfillments, location_id, exclude_ids=()):
    """The one live fulfillment at ``location_id`` whose line items and
    quantities equal ``lines`` exactly and whose id is not in
    ``exclude_ids``; None when there is none or more than one."""
    wanted = {item: _whole(q) for item, q in _sum_lines(lines).items()}
    if not wanted or None in wanted.values():
        return None
    found = [
        f for f in candidates(fulfillments, location_id, exclude_ids) if _fulfilled(f) == wanted
    ]
    return found[0] if len(found) == 1 else None


def _fulfilled(fulfillment):
    """Quantities per line item id of one fulfillment."""
    result = {}
    for node in (fulfillment.get("fulfillmentLineItems") or {}).get("nodes") or ():
        item = legacy_id(node["lineItem"]["id"])
        result[item] = result.get(item, 0) + int(node["quantity"])
    return result


def _sum_lines(lines):
    """Quantity per legacy line item id, zero lines dropped, sorted by id."""
    totals = {}
    for line in lines:
        item = legacy_id(line["line_item_id"])
        totals[item] = totals.get(item, 0.0) + float(line["quantity"])
    return {k: totals[k] for k in sorted(totals, key=int) if abs(totals[k]) > _EPSILON}


def _whole(quantity):
    """``quantity`` as a positive int, or None when it is not a whole number."""
    count = round(quantity)
    return count if count > 0 and abs(quantity - count) < _EPSILON else None


def _location_id(location):
    if location.get("legacyResourceId"):
        return legacy_id(location["legacyResourceId"])
    return legacy_id(location["id"]) if location.get("id") else None


def _num(gid):
    return int(legacy_id(gid))
