"""Mutation resolvers: scope checks, then the store's validated operations.

User errors come back in the payload (HTTP 200) with nothing changed;
a missing access scope is a top-level ACCESS_DENIED error instead, as on
Shopify.
"""

from __future__ import annotations

from .edits import EditError
from .models import now_iso, parse_gid
from .resolvers import SCHEMA, fo_write_scope, require


def _mutation(name: str):
    def deco(fn):
        SCHEMA.mutation_type.fields[name].resolve = fn
        return fn

    return deco


_ADDRESS_KEYS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "countryCode": "country_code",
    "provinceCode": "province_code",
}


def _address(value):
    if not value:
        return None
    address = {_ADDRESS_KEYS.get(k, k): v for k, v in value.items()}
    names = (address.get("first_name"), address.get("last_name"))
    address["name"] = " ".join(n for n in names if n) or None
    return address


def _route(store, variant):
    """Where Shopify's order routing would send a line: the first active
    merchant-managed location that stocks the variant."""
    for loc in store.locations:
        if (
            loc.is_active
            and not loc.is_3pl
            and (variant is None or loc.num in variant.location_nums)
        ):
            return loc
    return store.default_location()


@_mutation("orderCreate")
def order_create(_root, info, order, options=None):
    """Create an order as the GraphQL Admin API does (2024-10 and later):
    variant lines are routed to a location that stocks them, custom lines
    (title and price, no variant) to the default location. Receipts are
    never sent and inventory is not tracked, whatever the options say."""
    store = info.context
    require(store, "orderCreate", "write_orders")
    errors, items = [], []
    for index, line in enumerate(order.get("lineItems") or []):
        path = ["order", "lineItems", str(index)]
        variant = None
        if line.get("variantId"):
            num = parse_gid(line["variantId"], "ProductVariant")
            variant = next((v for v in store.variants() if v.num == num), None)
            if variant is None:
                errors.append({"field": [*path, "variantId"], "message": "Variant does not exist"})
                continue
        elif not (line.get("title") and line.get("priceSet")):
            msg = "A custom line item needs a title and a price"
            errors.append({"field": path, "message": msg})
            continue
        if line["quantity"] <= 0:
            msg = "Quantity must be greater than 0"
            errors.append({"field": [*path, "quantity"], "message": msg})
            continue
        price = (line.get("priceSet") or {}).get("shopMoney", {}).get("amount")
        items.append(
            {
                "variant_id": variant.num if variant else None,
                "sku": line.get("sku"),
                "title": line.get("title"),
                "quantity": line["quantity"],
                "price": price,
                "location_id": _route(store, variant).num,
            }
        )
    if not items and not errors:
        errors.append({"field": ["order", "lineItems"], "message": "Line items can't be blank"})
    if errors:
        return {"order": None, "userErrors": errors}
    spec = {
        "email": order.get("email"),
        "note": order.get("note"),
        "test": bool(order.get("test")),
        "currency": order.get("currency"),
        "shipping_address": _address(order.get("shippingAddress")),
        "billing_address": _address(order.get("billingAddress")),
        "line_items": items,
    }
    return {"order": store.create_order(spec), "userErrors": []}


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


@_mutation("fulfillmentOrderReleaseHold")
def fulfillment_order_release_hold(_root, info, id, holdIds=None, externalId=None):
    store = info.context
    fo = store.fulfillment_order(id)
    require(store, "fulfillmentOrderReleaseHold", fo_write_scope(fo))
    if fo is None:
        missing = _user_error("id", "Fulfillment order does not exist.")
        return {"fulfillmentOrder": None, "userErrors": [missing]}
    try:
        store.release_holds(fo, holdIds)
    except EditError as exc:
        return {"fulfillmentOrder": None, "userErrors": [_user_error("holdIds", str(exc))]}
    return {"fulfillmentOrder": fo, "userErrors": []}


def _user_error(field, message):
    return {"field": [field], "message": message}


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
