"""Returns, both ways, as plain data: which Odoo deliveries a Shopify
return's units go back to, what Shopify is told once they arrived, and
what a return made in Odoo asks Shopify to record.

Ids are Shopify's legacy numeric ids as text; a "delivery" is whatever key
the caller uses for an Odoo picking. Quantities are whole units of the
sale line, as Shopify counts them.
"""

from dataclasses import dataclass, field

from ..shopify.ids import legacy_id, to_gid
from . import notes
from .notes import _lt

# A return Odoo receives goods for.
OPEN = "OPEN"
# Returns whose open receipts are cancelled.
DEAD = ("DECLINED", "CANCELED")

TEXTS = notes.register(
    {
        "return_not_delivered": _lt(
            "Return %(name)s: %(quantity)s x line item %(line)s came from Shopify fulfillment "
            "line %(fline)s, which no Odoo delivery of this order shipped: receive them by hand."
        ),
        "return_short": _lt(
            "Return %(name)s: %(quantity)s x line item %(line)s do not fit on delivery "
            "%(delivery)s, which has %(available)s left to return: receive the rest by hand."
        ),
        "return_order_missing": _lt(
            "Return %(name)s is for Shopify order %(order)s, which Odoo has not imported."
        ),
        "return_done_receipt": _lt(
            "Return %(name)s was %(status)s in Shopify, but receipt %(receipt)s is already "
            "validated: the goods are in stock. Return them to the customer or ask the "
            "merchant to reopen the return."
        ),
    }
)


@dataclass(frozen=True)
class ReturnLine:
    id: str
    fulfillment_line_id: str
    line_item_id: str
    quantity: int
    processed: int = 0


@dataclass(frozen=True)
class ShopifyReturn:
    id: str
    name: str
    status: str
    order_id: str
    lines: tuple
    # {fulfillment line id: [(reverse fulfillment order line id, left to dispose)]}
    reverse_lines: dict = field(default_factory=dict, hash=False)
    # {fulfillment line id: [(disposition type, quantity, location id or None)]}
    dispositions: dict = field(default_factory=dict, hash=False)


def parse_return(data):
    """A ``ShopifyReturn`` from the SyncoReturn read."""
    lines = []
    for node in data["returnLineItems"]["nodes"]:
        fline = node.get("fulfillmentLineItem")
        if not fline:  # an unverified line (no fulfillment behind it)
            continue
        lines.append(
            ReturnLine(
                legacy_id(node["id"]),
                legacy_id(fline["id"]),
                legacy_id(fline["lineItem"]["id"]),
                int(node["quantity"]),
                int(node.get("processedQuantity") or 0),
            )
        )
    reverse, dispositions = {}, {}
    for rfo in data["reverseFulfillmentOrders"]["nodes"]:
        for node in rfo["lineItems"]["nodes"]:
            if not node.get("fulfillmentLineItem"):
                continue
            key = legacy_id(node["fulfillmentLineItem"]["id"])
            done = node.get("dispositions") or []
            left = int(node["totalQuantity"]) - sum(int(d["quantity"]) for d in done)
            if rfo["status"] == "OPEN":
                reverse.setdefault(key, []).append((node["id"], left))
            dispositions.setdefault(key, []).extend(
                (d["type"], int(d["quantity"]), (d.get("location") or {}).get("id")) for d in done
            )
    return ShopifyReturn(
        legacy_id(data["id"]),
        data["name"],
        data["status"],
        legacy_id(data["order"]["id"]),
        tuple(lines),
        reverse,
        dispositions,
    )


@dataclass
class ReceiptPlan:
    # {delivery: [(line item id, return line id, quantity)]}
    receipts: dict = field(default_factory=dict)
    stops: list = field(default_factory=list)


def plan_receipts(ret, covered, shipped_by, returnable):
    """What receipts a return still needs.

    ``covered``: {return line id: units already on the return's live
    receipts}; ``shipped_by``: {fulfillment line id: the delivery that
    shipped it}; ``returnable``: {(delivery, line item id): units of that
    line the delivery can still take back}. Units no delivery can take are
    stops (notes), never guessed."""
    plan = ReceiptPlan()
    left = dict(returnable)
    for line in ret.lines:
        wanted = line.quantity - covered.get(line.id, 0)
        if wanted <= 0:
            continue
        delivery = shipped_by.get(line.fulfillment_line_id)
        values = {"name": ret.name, "line": line.line_item_id}
        if delivery is None:
            plan.stops.append(
                notes.note(
                    "return_not_delivered",
                    quantity=wanted,
                    fline=line.fulfillment_line_id,
                    **values,
                )
            )
            continue
        available = left.get((delivery, line.line_item_id), 0)
        take = min(wanted, available)
        if take:
            plan.receipts.setdefault(delivery, []).append((line.line_item_id, line.id, take))
            left[(delivery, line.line_item_id)] = available - take
        if wanted > take:
            plan.stops.append(
                notes.note(
                    "return_short",
                    quantity=wanted - take,
                    delivery=delivery,
                    available=available,
                    **values,
                )
            )
    return plan


def plan_process(ret, received, locations):
    """The returnProcess input for units Odoo received and Shopify has not
    processed yet, restocked at each line's location, and whether the return
    is then complete (nothing left unprocessed).

    ``received``: {return line id: units done on its receipts};
    ``locations``: {return line id: Shopify location id (legacy)}."""
    items = []
    complete = True
    for line in ret.lines:
        quantity = min(received.get(line.id, 0), line.quantity) - line.processed
        if quantity > 0 and line.id in locations:
            dispositions = _dispositions(ret, line, quantity, locations[line.id])
            items.append(
                {
                    "id": to_gid("ReturnLineItem", line.id),
                    "quantity": quantity,
                    "dispositions": dispositions,
                }
            )
        else:
            quantity = 0
        if line.processed + quantity < line.quantity:
            complete = False
    return items, complete


def _dispositions(ret, line, quantity, location_id):
    out = []
    for reverse_id, left in ret.reverse_lines.get(line.fulfillment_line_id, []):
        take = min(quantity, left)
        if take > 0:
            out.append(
                {
                    "reverseFulfillmentOrderLineItemId": reverse_id,
                    "quantity": take,
                    "dispositionType": "RESTOCKED",
                    "locationId": to_gid("Location", location_id),
                }
            )
            quantity -= take
    return out


def restocked(ret, location_id):
    """{return line id: units disposed as restocked at ``location_id``}: what a
    Shopify-led location reports received."""
    wanted = to_gid("Location", location_id)
    out = {}
    for line in ret.lines:
        out[line.id] = sum(
            quantity
            for kind, quantity, location in ret.dispositions.get(line.fulfillment_line_id, [])
            if kind == "RESTOCKED" and location == wanted
        )
    return out


def disposed(ret):
    """{return line id: units Shopify disposed, restocked or not}."""
    return {
        line.id: sum(q for _kind, q, _loc in ret.dispositions.get(line.fulfillment_line_id, []))
        for line in ret.lines
    }


def plan_shopify_received(ret, location_id, received, open_lines):
    """Shopify-led: what to validate on a receipt from what Shopify reports.

    ``received``: {return line id: units already validated in Odoo};
    ``open_lines``: {return line id: units open on the receipt}. Returns
    ({return line id: units to validate now}, keep_rest): units restocked
    at ``location_id`` and not yet validated; ``keep_rest`` is whether some
    open units are still to be reported (those disposed otherwise never
    come back to stock)."""
    restocked_here = restocked(ret, location_id)
    gone = disposed(ret)
    validate, keep_rest = {}, False
    for line in ret.lines:
        if line.id not in open_lines:
            continue
        take = min(restocked_here[line.id] - received.get(line.id, 0), open_lines[line.id])
        if take > 0:
            validate[line.id] = take
        if line.quantity - gone[line.id] > 0:
            keep_rest = True
    return validate, keep_rest


def plan_create(returned, fulfilled):
    """The returnCreate lines for units returned in Odoo.

    ``returned``: {line item id: units}; ``fulfilled``: [(fulfillment line
    id, line item id, units still returnable)] of the order's fulfillments
    (newest first). Returns (lines, {line item id: units that found no
    fulfillment line})."""
    left = {}
    lines = []
    room = [list(row) for row in fulfilled]
    for item, quantity in returned.items():
        for row in room:
            if quantity <= 0:
                break
            fline, line_item, available = row
            take = min(quantity, available)
            if line_item == item and take > 0:
                lines.append(
                    {
                        "fulfillmentLineItemId": to_gid("FulfillmentLineItem", fline),
                        "quantity": take,
                    }
                )
                row[2] -= take
                quantity -= take
        if quantity > 0:
            left[item] = quantity
    return lines, left


def catch_up(orders, statuses, tried):
    """The returns a lost webhook left behind, from the ORDERS_RETURNS
    nodes: [(return id, order id, status)] whose status Odoo has not seen
    (``statuses``: {return id: status on its link}) and that no job was
    queued for yet (``tried``: {(return id, status)}). A request waits for
    its approval; a return unknown to Odoo matters once open."""
    out = []
    for order in orders:
        for node in (order.get("returns") or {}).get("nodes", []):
            return_id, status = legacy_id(node["id"]), node["status"]
            seen = statuses.get(return_id)
            if status == "REQUESTED" or seen == status or (return_id, status) in tried:
                continue
            if seen is None and status != OPEN:
                continue
            out.append((return_id, order["legacyResourceId"], status))
    return out
