"""What the reconciliation queues for orders both sides hold: plain data in,
plain decisions out.

Webhooks get lost (Shopify gives up after its retries; a subscription is
removed), so the catch-up compares, for every order that changed, the
fulfillments Shopify lists with the links Odoo keeps. Every decision
names a job the queue already knows; the jobs re-read Shopify before they
write, so queuing one too many costs a read, never a wrong write. What
was tried and ended (a done or failed job) is not queued again, so the
comparison can run every minute without repeating work.
"""

from dataclasses import dataclass, field

from ..shopify.ids import legacy_id
from ..shopify.tracking import first_tracking

DEAD = frozenset({"CANCELLED", "ERROR", "FAILURE"})


@dataclass
class ReconcilePlan:
    applies: list = field(default_factory=list)  # Shopify fulfillment ids to apply
    tracking: list = field(default_factory=list)  # (link id, Shopify's number, company)
    full: list = field(default_factory=list)  # order ids whose fulfillment list was full


def tracking_of(fulfillment):
    """(first number, company) Shopify shows for a fulfillment."""
    info = first_tracking(fulfillment)
    return info.get("number") or None, info.get("company") or None


def plan_reconcile(orders, links, tried, shopify_led, odoo_tracking, list_size):
    """Decide for ``orders`` (Shopify order nodes with their
    ``fulfillments``) given Odoo's ``links`` ({fulfillment id: {id, origin,
    state, tracking_number, picking_id}}), the fulfillment ids an apply job
    was ever ``tried`` for, the ``shopify_led`` location ids and
    ``odoo_tracking`` ({picking id: (number, company)} of Odoo-led
    deliveries). An order listing ``list_size`` fulfillments may list only
    some: it goes to ``full`` to be read whole."""
    plan = ReconcilePlan()
    for order in orders:
        fulfillments = order.get("fulfillments") or []
        if len(fulfillments) >= list_size:
            plan.full.append(legacy_id(order["id"]))
        for fulfillment in fulfillments:
            _compare(plan, fulfillment, links, tried, shopify_led, odoo_tracking)
    return plan


def _compare(plan, fulfillment, links, tried, shopify_led, odoo_tracking):
    fid = legacy_id(fulfillment["id"])
    status = fulfillment.get("status")
    link = links.get(fid)
    if link is None:
        location = legacy_id((fulfillment.get("location") or {}).get("legacyResourceId") or 0)
        if status not in DEAD and location in shopify_led and fid not in tried:
            plan.applies.append(fid)
        return
    if status == "CANCELLED":
        if link["state"] != "cancelled":
            plan.applies.append(fid)
        return
    if status in DEAD or link["state"] != "done":
        return
    shown = tracking_of(fulfillment)
    if link["origin"] == "shopify":
        if shown[0] != (link["tracking_number"] or None):
            plan.applies.append(fid)
    elif link["picking_id"] in odoo_tracking and odoo_tracking[link["picking_id"]] != shown:
        plan.tracking.append((link["id"], shown[0], shown[1]))
