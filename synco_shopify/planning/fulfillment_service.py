"""Odoo as a Shopify fulfillment service: what to answer Shopify's requests.

Plain data in (a fulfillment order as ``assignedFulfillmentOrders`` reads
it, what Odoo holds of its order), a ``Decision`` out. The answers go to
Shopify, where the merchant reads them: they are written in English, as
Shopify's own messages are.
"""

from dataclasses import dataclass

from ..shopify.ids import legacy_id

ACCEPT, REJECT, WAIT = "accept", "reject", "wait"
# FulfillmentOrderRejectionReason
INVALID_SKU = "INVALID_SKU"
# What the service's read asks for (FulfillmentOrderAssignmentStatus) and
# the request status each stands for.
REQUESTED = "FULFILLMENT_REQUESTED"
CANCELLING = "CANCELLATION_REQUESTED"
KINDS = {"SUBMITTED": REQUESTED, "CANCELLATION_REQUESTED": CANCELLING}
# Request statuses whose fulfillment order the service fulfills.
FULFILLABLE = ("ACCEPTED", "CANCELLATION_REJECTED")


@dataclass(frozen=True)
class Decision:
    action: str  # ACCEPT, REJECT or WAIT
    message: str = ""
    reason: str | None = None  # Shopify's rejection reason


def lines_of(fo):
    """(line item legacy id, SKU) of the fulfillment order's lines with
    units to fulfill."""
    nodes = (fo.get("lineItems") or {}).get("nodes") or ()
    found = []
    for node in nodes:
        if int(node.get("totalQuantity") or node.get("remainingQuantity") or 0) <= 0:
            continue
        item = node.get("lineItem") or {}
        found.append((legacy_id(item["id"]), node.get("sku") or item.get("sku") or ""))
    return found


def decide_request(fo, sale_line_items, known_skus):
    """Accept a fulfillment request once the order is in Odoo and every line
    maps to a product; reject it naming what is missing.

    ``sale_line_items``: the Shopify line item ids (legacy) of the Odoo sale
    order's lines, None while the order is not in Odoo; ``known_skus``: the
    SKUs of the request that match an Odoo product."""
    lines = lines_of(fo)
    if not lines:
        return Decision(REJECT, "Nothing to fulfill in this request.", INVALID_SKU)
    if sale_line_items is None:
        unknown = sorted({sku or "(no SKU)" for _item, sku in lines if sku not in known_skus})
        if unknown:
            return Decision(REJECT, _unknown(unknown), INVALID_SKU)
        return Decision(WAIT, "The order is not in Odoo yet.")
    wanted = {str(item) for item in sale_line_items}
    missing = sorted({sku or f"line {item}" for item, sku in lines if str(item) not in wanted})
    if missing:
        return Decision(REJECT, _unknown(missing), INVALID_SKU)
    return Decision(ACCEPT, "Accepted by Odoo.")


def _unknown(names):
    return "Odoo has no product for SKU " + ", ".join(names) + "."


def decide_cancellation(shipped):
    """Accept a cancellation while nothing has shipped; ``shipped``: the
    names of the order's deliveries done from the service's warehouse."""
    if shipped:
        return Decision(REJECT, "Already shipped: " + ", ".join(sorted(shipped)) + ".")
    return Decision(ACCEPT, "Cancelled in Odoo: nothing had shipped.")


def is_fulfillable(fo):
    """Whether the service may fulfill ``fo`` (its request accepted)."""
    return fo.get("requestStatus") in FULFILLABLE


def refused(answer):
    """The user errors of a mutation's answer, as one text ('' when none)."""
    return "; ".join(error.get("message", "") for error in answer.get("userErrors") or ())
