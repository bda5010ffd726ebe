"""Local pickup, Odoo-led: which fulfillment orders a delivery ready for
pickup marks "prepared" in Shopify (the customer's "ready for pickup"
email). Plain data in (fulfillment orders as read), decisions out."""

from ..shopify.ids import legacy_id

PICK_UP = "PICK_UP"
PREPARABLE = ("OPEN", "IN_PROGRESS")
# Shopify's answer for a fulfillment order with nothing (more) to prepare:
# one already marked prepared.
NOTHING_TO_PREPARE = "NO_LINE_ITEMS_TO_PREPARE_FOR_FULFILLMENT_ORDER"


def method_of(fo):
    """The delivery method type of a fulfillment order (SHIPPING when absent)."""
    return ((fo.get("deliveryMethod") or {}).get("methodType")) or "SHIPPING"


def is_pickup(fulfillment_orders):
    """Whether the customer collects the order: a live PICK_UP fulfillment order."""
    return any(
        method_of(fo) == PICK_UP and fo.get("status") != "CANCELLED" for fo in fulfillment_orders
    )


def to_prepare(fulfillment_orders, line_item_ids, location_id):
    """The ids of the PICK_UP fulfillment orders at ``location_id`` (legacy
    id) that hold units still to collect of ``line_item_ids`` (legacy ids)."""
    wanted = {str(item) for item in line_item_ids}
    found = []
    for fo in fulfillment_orders:
        location = ((fo.get("assignedLocation") or {}).get("location")) or {}
        if method_of(fo) != PICK_UP or fo.get("status") not in PREPARABLE:
            continue
        if legacy_id(location.get("legacyResourceId") or location["id"]) != legacy_id(location_id):
            continue
        lines = (fo.get("lineItems") or {}).get("nodes") or []
        if any(
            legacy_id(node["lineItem"]["id"]) in wanted and int(node.get("remainingQuantity") or 0)
            for node in lines
        ):
            found.append(fo["id"])
    return found


def refused(user_errors):
    """The user errors that are real refusals: "nothing to prepare" means a
    fulfillment order already prepared (a retry after a lost answer)."""
    return [error for error in user_errors if error.get("code") != NOTHING_TO_PREPARE]
