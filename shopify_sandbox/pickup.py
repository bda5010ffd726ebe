"""Local pickup, as Shopify documents it.

A fulfillment order's ``deliveryMethod.methodType`` says how its goods reach
the customer (an order created with ``delivery_method: "PICK_UP"`` through
the admin API gets it on every fulfillment order).
``fulfillmentOrderLineItemsPreparedForPickup`` marks every line of the
fulfillment orders it names (``lineItemsByFulfillmentOrder``, by
``fulfillmentOrderId`` only) ready for pickup: Shopify sends the customer
the "ready for pickup" email, moves the fulfillment order to IN_PROGRESS
and announces ``fulfillment_orders/line_items_prepared_for_pickup``. A
fulfillment (without tracking) then completes the pickup.

Refused, with nothing changed: an unknown fulfillment order, one that is not
a pickup, or one already closed, cancelled or held
(FULFILLMENT_ORDER_INVALID); one with nothing left to prepare, which includes
one already prepared (NO_LINE_ITEMS_TO_PREPARE_FOR_FULFILLMENT_ORDER).
"""

from __future__ import annotations

from .models import now_iso
from .mutations import _mutation
from .resolvers import _set, fo_write_scope, require

PREPARABLE = ("OPEN", "IN_PROGRESS")
INVALID = "FULFILLMENT_ORDER_INVALID"
NOTHING = "NO_LINE_ITEMS_TO_PREPARE_FOR_FULFILLMENT_ORDER"


@_set("FulfillmentOrder", "deliveryMethod")
def _delivery_method(fo, _info):
    return {"id": f"gid://shopify/DeliveryMethod/{fo.num}", "methodType": fo.delivery_method}


def _error(index, message, code):
    field = ["input", "lineItemsByFulfillmentOrder", str(index), "fulfillmentOrderId"]
    return {"field": field, "message": message, "code": code}


def check(fo, index) -> dict | None:
    """The user error preparing ``fo`` would meet, or None."""
    if fo is None:
        return _error(index, "Invalid fulfillment order ID provided.", INVALID)
    if fo.delivery_method != "PICK_UP":
        return _error(index, f"Fulfillment order {fo.num} is not a pickup order.", INVALID)
    if fo.status not in PREPARABLE:
        message = f"Fulfillment order {fo.num} has status {fo.status.lower()}."
        return _error(index, message, INVALID)
    if fo.prepared_for_pickup or not any(line.remaining_quantity for line in fo.lines):
        message = "The fulfillment order does not have any line items that can be prepared."
        return _error(index, message, NOTHING)
    return None


def prepare(store, fos) -> None:
    """Mark ``fos`` (already checked) ready for pickup and announce each."""
    for fo in fos:
        fo.prepared_for_pickup = True
        fo.status = "IN_PROGRESS"
        fo.updated_at = now_iso()
        store.emit(
            "fulfillment_orders/line_items_prepared_for_pickup",
            {
                "fulfillment_order": {"id": fo.id, "status": fo.status.lower()},
                "line_items": [
                    {"id": line.id, "quantity": line.remaining_quantity}
                    for line in fo.lines
                    if line.remaining_quantity
                ],
            },
        )


@_mutation("fulfillmentOrderLineItemsPreparedForPickup")
def prepared_for_pickup(_root, info, input):
    store = info.context
    groups = input.get("lineItemsByFulfillmentOrder") or []
    fos = [store.fulfillment_order(group["fulfillmentOrderId"]) for group in groups]
    for scope in {fo_write_scope(fo) for fo in fos}:
        require(store, "fulfillmentOrderLineItemsPreparedForPickup", scope)
    errors = [error for index, fo in enumerate(fos) if (error := check(fo, index))]
    if not errors:
        prepare(store, fos)
    return {"userErrors": errors}
