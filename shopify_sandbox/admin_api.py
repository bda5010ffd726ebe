"""The test-control JSON API under ``/_sandbox/`` (no auth; loopback only).

Each route is ``(method, regex, function(sandbox, body, **groups))`` and
returns ``(status, json)``. Ids in paths may be numbers or URL-encoded
gids. The endpoints are documented in the package docstring.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from . import payloads, returns, views
from .edits import EditError
from .store import SandboxError

ROUTES = []


def route(method: str, pattern: str):
    def deco(fn):
        ROUTES.append((method, re.compile(f"^/_sandbox/{pattern}$"), fn))
        return fn

    return deco


def dispatch(sandbox, method: str, path: str, body: dict):
    for verb, regex, fn in ROUTES:
        match = regex.match(path)
        if match and verb == method:
            groups = {k: unquote(v) for k, v in match.groupdict().items()}
            try:
                if fn.__name__ == "wait_webhooks":  # must not hold the store lock
                    return fn(sandbox, body, **groups)
                with sandbox.store.lock:
                    return fn(sandbox, body, **groups)
            except (SandboxError, EditError) as exc:
                return 422, {"error": str(exc)}
            except (KeyError, ValueError, TypeError) as exc:
                return 400, {"error": f"{type(exc).__name__}: {exc}"}
    return 404, {"error": f"no admin route {method} {path}"}


def _need(obj, what: str, ident):
    if obj is None:
        raise SandboxError(f"unknown {what} {ident}")
    return obj


@route("POST", "reset")
def reset(sb, body):
    sb.reset(body.get("seed"))
    return 200, {"ok": True, "seed": body.get("seed") or sb.seed}


@route("POST", "config")
def config(sb, body):
    sb.store.configure(body)
    bucket = body.get("bucket") or {}
    if "available" in bucket:
        sb.store.bucket.set_available(bucket["available"])
    elif "maximum" in bucket:
        sb.store.bucket.set_available(bucket["maximum"])
    return 200, sb.store.config.as_dict()


@route("GET", "config")
def get_config(sb, body):
    return 200, sb.store.config.as_dict()


@route("POST", "clock")
def clock(sb, body):
    advance = getattr(sb.store.clock, "advance", None)
    if advance is None:
        raise SandboxError("this sandbox runs on an injected clock")
    advance(float(body.get("advance", 0)))
    return 200, {"ok": True}


@route("POST", "locations")
def add_location(sb, body):
    loc = sb.store.add_location(
        body["name"], body.get("active", True), body.get("fulfillment_service") or None
    )
    return 200, views.location(loc)


@route("POST", "locations/(?P<ident>[^/]+)")
def update_location(sb, body, ident):
    loc = _need(sb.store.location(ident), "location", ident)
    if "name" in body:
        loc.name = body["name"]
    if "active" in body:
        loc.is_active = bool(body["active"])
    if "fulfillment_service" in body:
        handle = body["fulfillment_service"]
        loc.fulfillment_service_handle = (
            loc.name.lower().replace(" ", "-") if handle is True else handle or None
        )
    return 200, views.location(loc)


@route("GET", "locations")
def list_locations(sb, body):
    return 200, [views.location(loc) for loc in sb.store.locations]


@route("POST", "products")
def add_product(sb, body):
    product = sb.store.add_product(
        body["title"],
        body.get("sku"),
        body.get("barcode"),
        body.get("price", "10.00"),
        body.get("locations"),
    )
    return 200, views.product(product)


@route("POST", "orders")
def create_order(sb, body):
    return 200, views.order(sb.store, sb.store.create_order(body))


@route("GET", "orders")
def list_orders(sb, body):
    return 200, [views.order(sb.store, o) for o in sb.store.orders]


@route("GET", "orders/(?P<ident>[^/]+)")
def get_order(sb, body, ident):
    return 200, views.order(sb.store, _need(sb.store.order(ident), "order", ident))


@route("POST", "orders/(?P<ident>[^/]+)/cancel")
def cancel_order(sb, body, ident):
    order = _need(sb.store.order(ident), "order", ident)
    sb.store.cancel_order(order)
    return 200, views.order(sb.store, order)


@route("POST", "fulfillment_orders/(?P<ident>[^/]+)/hold")
def hold(sb, body, ident):
    fo = _need(sb.store.fulfillment_order(ident), "fulfillment order", ident)
    sb.store.hold(fo, body.get("reason") or "OTHER", body.get("reason_notes") or body.get("notes"))
    return 200, views.fulfillment_order(sb.store, fo)


@route("POST", "fulfillment_orders/(?P<ident>[^/]+)/release_hold")
def release_hold(sb, body, ident):
    fo = _need(sb.store.fulfillment_order(ident), "fulfillment order", ident)
    sb.store.release_hold(fo, body.get("hold_ids"))
    return 200, views.fulfillment_order(sb.store, fo)


@route("POST", "orders/(?P<ident>[^/]+)/edit")
def edit_order(sb, body, ident):
    """A merchant's order edit: {"set_quantities": [{line_item_id, quantity}],
    "add": [{sku or variant_id, quantity, location_id}]}."""
    order = _need(sb.store.order(ident), "order", ident)
    sb.store.edit_order(order, body.get("set_quantities") or (), body.get("add") or ())
    return 200, views.order(sb.store, order)


@route("POST", "orders/(?P<ident>[^/]+)/refund")
def refund(sb, body, ident):
    """A refund of line units: {"line_items": [{line_item_id, quantity}], "restock_type"}."""
    order = _need(sb.store.order(ident), "order", ident)
    refund_id = sb.store.refund(order, body["line_items"], body.get("restock_type") or "cancel")
    return 200, dict(views.order(sb.store, order), refund_id=refund_id)


@route("POST", "fulfillment_orders/(?P<ident>[^/]+)/move")
def move(sb, body, ident):
    """The merchant moves a fulfillment order in the Shopify admin:
    {"location_id", "line_items": [{id, quantity}] (all when absent)}."""
    moved, _original, _rest, errors = sb.store.move_fulfillment_order(
        ident, body["location_id"], body.get("line_items")
    )
    if errors:
        raise SandboxError(errors[0]["message"])
    return 200, views.fulfillment_order(sb.store, moved)


@route("POST", "fulfillment_orders/(?P<ident>[^/]+)/request_status")
def set_request_status(sb, body, ident):
    """Simulate the 3PL request/accept flow (e.g. {"request_status": "ACCEPTED"})."""
    fo = _need(sb.store.fulfillment_order(ident), "fulfillment order", ident)
    fo.request_status = body["request_status"].upper()
    return 200, views.fulfillment_order(sb.store, fo)


@route("POST", "fulfillments")
def admin_fulfill(sb, body):
    order = _need(sb.store.order(body["order_id"]), "order", body["order_id"])
    tracking = body.get("tracking")
    fulfillment = sb.store.admin_fulfill(
        order, body.get("line_items"), tracking, body.get("location_id"), body.get("status")
    )
    return 200, views.fulfillment(fulfillment)


@route("POST", "fulfillments/(?P<ident>[^/]+)/status")
def set_fulfillment_status(sb, body, ident):
    fulfillment = _need(sb.store.fulfillment(ident), "fulfillment", ident)
    errors = sb.store.set_fulfillment_status(fulfillment, body["status"])
    if errors:
        raise SandboxError(errors[0]["message"])
    return 200, views.fulfillment(fulfillment)


@route("POST", "fulfillments/(?P<ident>[^/]+)/tracking")
def update_tracking(sb, body, ident):
    fulfillment = _need(sb.store.fulfillment(ident), "fulfillment", ident)
    errors = sb.store.update_tracking(fulfillment, body.get("tracking", body))
    if errors:
        raise SandboxError(errors[0]["message"])
    return 200, views.fulfillment(fulfillment)


@route("POST", "fulfillments/(?P<ident>[^/]+)/cancel")
def cancel_fulfillment(sb, body, ident):
    fulfillment = _need(sb.store.fulfillment(ident), "fulfillment", ident)
    errors = sb.store.cancel_fulfillment(fulfillment)
    if errors:
        raise SandboxError(errors[0]["message"])
    return 200, views.fulfillment(fulfillment)


@route("POST", "webhooks/subscriptions")
def subscribe(sb, body):
    sub, errors = sb.store.create_subscription(body["topic"], body["uri"], body.get("format"))
    if errors:
        raise SandboxError(errors[0]["message"])
    return 200, views.subscription(sub)


@route("GET", "webhooks/subscriptions")
def subscriptions(sb, body):
    return 200, [views.subscription(s) for s in sb.store.subscriptions]


@route("DELETE", "webhooks/subscriptions/(?P<ident>[^/]+)")
def unsubscribe(sb, body, ident):
    sub = _need(sb.store.subscription(ident), "webhook subscription", ident)
    sb.store.subscriptions.remove(sub)
    return 200, views.subscription(sub)


@route("POST", "webhooks/fire")
def fire(sb, body):
    topic = body["topic"]
    payload = body.get("payload") or payloads.for_resource(sb.store, topic, body.get("resource_id"))
    if payload is None:
        raise SandboxError(f"no resource {body.get('resource_id')} for {topic}")
    deliveries = sb.dispatcher.enqueue(
        topic, payload, uri=body.get("uri"), duplicates=int(body.get("duplicates", 0))
    )
    return 200, {
        "webhook_ids": sorted({d.webhook_id for d in deliveries}),
        "deliveries": len(deliveries),
    }


@route("GET", "webhooks/deliveries")
def deliveries(sb, body):
    return 200, list(sb.dispatcher.log)


@route("POST", "webhooks/wait")
def wait_webhooks(sb, body):
    idle = sb.dispatcher.wait_idle(float(body.get("timeout", 10)))
    return (200 if idle else 408), {"idle": idle, "pending": sb.dispatcher.pending()}


@route("DELETE", "webhooks/subscriptions")
def drop_subscriptions(sb, body):
    """Shopify deleted subscriptions: those of a topic and/or uri, or all."""
    return 200, {"dropped": sb.store.drop_subscriptions(body.get("topic"), body.get("uri"))}


@route("POST", "outage")
def outage(sb, body):
    """Shopify down for ``seconds``: ``mode`` "503" answers 503 to every API
    and OAuth call; "refuse" closes the port (the admin API too) and every
    open connection, then listens again. ``seconds`` 0 ends a 503 outage."""
    seconds = float(body.get("seconds", 60))
    mode = str(body.get("mode", "503"))
    if mode == "503":
        sb.go_down(seconds)
    elif mode == "refuse":
        sb.refuse_connections(seconds)
    else:
        raise ValueError(f"unknown outage mode {mode!r}: 503 or refuse")
    return 200, {"mode": mode, "seconds": seconds}


@route("POST", "rotate_secret")
def rotate_secret(sb, body):
    """The app's secret rotated and the old one revoked (see Store.rotate_secret)."""
    return 200, sb.store.rotate_secret(body.get("client_secret"), body.get("access_token"))


@route("POST", "uninstall")
def uninstall(sb, body):
    return 200, {"subscriptions_deleted": sb.store.uninstall()}


@route("POST", "install")
def install(sb, body):
    sb.store.install()
    return 200, {"installed": True}


@route("POST", "faults")
def add_fault(sb, body):
    return 200, sb.add_fault(body)


@route("GET", "faults")
def list_faults(sb, body):
    return 200, list(sb.faults)


@route("DELETE", "faults")
def clear_faults(sb, body):
    sb.faults.clear()
    return 200, {"ok": True}


@route("GET", "calls")
def calls(sb, body):
    return 200, list(sb.calls)


@route("DELETE", "calls")
def clear_calls(sb, body):
    sb.calls.clear()
    return 200, {"ok": True}


@route("GET", "state")
def state(sb, body):
    return 200, views.state(sb.store)


# ------------------------------------------------------------------ returns
# A customer's request or the merchant's actions in Shopify's admin, as the
# GraphQL return mutations make them (same checks, same webhooks).
def _return_call(fn):
    try:
        return 200, returns.view(fn())
    except returns.ReturnError as exc:
        return 422, {"error": exc.error["message"], "code": exc.error["code"]}


@route("POST", "returns")
def return_create(sb, body):
    """{"order_id", "line_items": [{fulfillment_line_item_id, quantity}],
    "status": "REQUESTED" (a customer's request, default) or "OPEN"}."""
    items = [
        {"fulfillmentLineItemId": i["fulfillment_line_item_id"], "quantity": i["quantity"]}
        for i in body["line_items"]
    ]
    status = (body.get("status") or "REQUESTED").upper()
    return _return_call(lambda: sb.store.return_request(body["order_id"], items, status))


@route("GET", "returns/(?P<ident>[^/]+)")
def return_get(sb, body, ident):
    return 200, returns.view(_need(sb.store.return_(ident), "return", ident))


@route("POST", "returns/(?P<ident>[^/]+)/(?P<action>approve|decline|cancel|close|reopen)")
def return_action(sb, body, ident, action):
    store = sb.store
    calls = {
        "approve": lambda: store.return_approve(ident),
        "decline": lambda: store.return_decline(ident, body.get("reason") or "OTHER"),
        "cancel": lambda: store.return_cancel(ident),
        "close": lambda: store.return_close(ident),
        "reopen": lambda: store.return_reopen(ident),
    }
    return _return_call(calls[action])


@route("POST", "returns/(?P<ident>[^/]+)/dispose")
def return_dispose(sb, body, ident):
    """{"line_items": [{reverse_line_id, quantity, type, location_id}]}:
    reverseFulfillmentOrderDispose, as a 3PL or the merchant reports it."""
    ret = _need(sb.store.return_(ident), "return", ident)
    inputs = [
        {
            "reverseFulfillmentOrderLineItemId": i["reverse_line_id"],
            "quantity": i["quantity"],
            "dispositionType": i.get("type") or "RESTOCKED",
            "locationId": i.get("location_id"),
        }
        for i in body["line_items"]
    ]
    return _return_call(lambda: (sb.store.dispose(inputs), ret)[1])
