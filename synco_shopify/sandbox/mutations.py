"""Mutation resolvers: scope checks, then the store's validated operations.

User errors come back in the payload (HTTP 200) with nothing changed;
a missing access scope is a top-level ACCESS_DENIED error instead, as on
Shopify.
"""

from __future__ import annotations

from .models import now_iso
from .resolvers import SCHEMA, fo_write_scope, require


def _mutation(name: str):
    def deco(fn):
        SCHEMA.mutation_type.fields[name].resolve = fn
        return fn

    return deco


@_mutation("fulfillmentCreate")
def fulfillment_create(_root, info, fulfillment, message=None):
    store = info.context
    groups = fulfillment.get("lineItemsByFulfillmentOrder") or []
    fos = [store.fulfillment_order(g.get("fulfillmentOrderId")) for g in groups]
    for scope in {fo_write_scope(fo) for fo in fos}:
        require(store, "fulfillmentCreate", scope)
    created, errors = store.fulfillment_create(fulfillment)
    return {"fulfillment": created, "userErrors": errors}


@_mutation("fulfillmentTrackingInfoUpdate")
def fulfillment_tracking_update(_root, info, fulfillmentId, trackingInfoInput, notifyCustomer=None):
    store = info.context
    found = store.fulfillment(fulfillmentId)
    scope = fo_write_scope(found.fulfillment_orders[0] if found and found.allocations else None)
    require(store, "fulfillmentTrackingInfoUpdate", scope)
    errors = store.update_tracking(found, trackingInfoInput)
    return {"fulfillment": None if errors else found, "userErrors": errors}


@_mutation("fulfillmentCancel")
def fulfillment_cancel(_root, info, id):
    store = info.context
    found = store.fulfillment(id)
    scope = fo_write_scope(found.fulfillment_orders[0] if found and found.allocations else None)
    require(store, "fulfillmentCancel", scope)
    errors = store.cancel_fulfillment(found)
    return {"fulfillment": None if errors else found, "userErrors": errors}


@_mutation("fulfillmentOrderMove")
def fulfillment_order_move(_root, info, id, newLocationId, fulfillmentOrderLineItems=None):
    store = info.context
    require(store, "fulfillmentOrderMove", fo_write_scope(store.fulfillment_order(id)))
    moved, original, remaining, errors = store.move_fulfillment_order(
        id, newLocationId, fulfillmentOrderLineItems
    )
    return {
        "movedFulfillmentOrder": moved,
        "originalFulfillmentOrder": original,
        "remainingFulfillmentOrder": remaining,
        "userErrors": errors,
    }


@_mutation("webhookSubscriptionCreate")
def webhook_subscription_create(_root, info, topic, webhookSubscription):
    sub, errors = info.context.create_subscription(
        topic, webhookSubscription.get("uri"), webhookSubscription.get("format") or "JSON"
    )
    return {"webhookSubscription": sub, "userErrors": errors}


@_mutation("webhookSubscriptionUpdate")
def webhook_subscription_update(_root, info, id, webhookSubscription):
    store = info.context
    sub = store.subscription(id)
    if sub is None:
        msg = "Webhook subscription does not exist"
        return {"webhookSubscription": None, "userErrors": [{"field": ["id"], "message": msg}]}
    uri = webhookSubscription.get("uri") or sub.uri
    if any(s is not sub and s.topic == sub.topic and s.uri == uri for s in store.subscriptions):
        msg = "Address for this topic has already been taken"
        errors = [{"field": ["webhookSubscription", "callbackUrl"], "message": msg}]
        return {"webhookSubscription": None, "userErrors": errors}
    sub.uri = uri
    sub.format = webhookSubscription.get("format") or sub.format
    sub.updated_at = now_iso()
    return {"webhookSubscription": sub, "userErrors": []}


@_mutation("webhookSubscriptionDelete")
def webhook_subscription_delete(_root, info, id):
    store = info.context
    sub = store.subscription(id)
    if sub is None:
        msg = "Webhook subscription does not exist"
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [{"field": ["id"], "message": msg}],
        }
    store.subscriptions.remove(sub)
    return {"deletedWebhookSubscriptionId": sub.id, "userErrors": []}
