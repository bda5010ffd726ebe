"""Fulfillment services, as Shopify documents them.

``fulfillmentServiceCreate(name, callbackUrl, trackingSupport,
inventoryManagement)`` registers the app as a fulfillment service and makes
its location (named after the service; ``FulfillmentService.location``).
Fulfillment orders assigned there follow the request flow of
``FulfillmentOrder.requestStatus``:

    UNSUBMITTED --merchant submits--> SUBMITTED --service--> ACCEPTED | REJECTED
    ACCEPTED --merchant asks to cancel--> CANCELLATION_REQUESTED
        --service--> CANCELLATION_ACCEPTED | CANCELLATION_REJECTED

Each merchant request POSTs ``{"kind": "FULFILLMENT_REQUEST"}`` or
``{"kind": "CANCELLATION_REQUEST"}`` to ``<callbackUrl>/fulfillment_order_notification``,
signed like a webhook (X-Shopify-Hmac-Sha256 over the raw body with the
app's secret, X-Shopify-Shop-Domain), delivered and retried by the webhook
dispatcher. It is only a ping: the service then reads
``assignedFulfillmentOrders(assignmentStatus: ...)``. ``fulfillmentCreate``
on a fulfillment order at a service location is refused unless its request
was accepted (fulfillment.py).

Where the sandbox deliberately differs from Shopify (simpler, never more
lenient):
- a request is for the whole fulfillment order (Shopify can submit some
  lines and split off the rest: ``fulfillmentOrderLineItems`` is refused here);
- one notification per request, at once (Shopify batches, about one a
  minute); the admin API can drop one (``notify: false``) to stand for a
  lost notification;
- a cancellation accepted before anything shipped gives the fulfillment
  order back to the merchant OPEN (Shopify's exact status after it is
  unconfirmed); only the app's own services answer assignedFulfillmentOrders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import admin_api, views
from .models import Location, Node, now_iso
from .mutations import _mutation
from .resolvers import SCHEMA, _set, connection, require
from .store import SandboxError

NOTIFICATION_PATH = "/fulfillment_order_notification"
NOTIFICATION_TOPIC = "fulfillment_order_notification"
# Shopify's FulfillmentOrderAssignmentStatus -> the request statuses it lists.
ASSIGNMENT = {
    "FULFILLMENT_REQUESTED": ("SUBMITTED",),
    "FULFILLMENT_ACCEPTED": ("ACCEPTED", "CANCELLATION_REJECTED"),
    "CANCELLATION_REQUESTED": ("CANCELLATION_REQUESTED",),
    "FULFILLMENT_UNSUBMITTED": ("UNSUBMITTED",),
}
LIVE = ("OPEN", "IN_PROGRESS")


@dataclass(eq=False)
class FulfillmentService(Node):
    GID_TYPE = "FulfillmentService"
    num: int
    service_name: str
    handle: str
    location: Location
    callback_url: str | None = None
    tracking_support: bool = False
    inventory_management: bool = False
    created_at: str = field(default_factory=now_iso)


def _error(message, *path):
    return {"field": list(path) or None, "message": message}


# ---------------------------------------------------------------- the service
def create_service(store, name, callback_url=None, tracking=False, inventory=False):
    """Returns (service or None, user errors); nothing changes on an error."""
    name = (name or "").strip()
    if not name:
        return None, [_error("Name can't be blank", "name")]
    if any(s.service_name.lower() == name.lower() for s in store.fulfillment_services):
        return None, [_error("Name has already been taken", "name")]
    if callback_url and not str(callback_url).startswith(
        ("https://", "http://127.", "http://local")
    ):
        return None, [_error("Callback url must be a valid https URL", "callbackUrl")]
    handle = name.lower().replace(" ", "-")
    location = store.add_location(name, True, handle)
    location.app_owned = True
    service = FulfillmentService(
        store.next_id(), name, handle, location, callback_url, bool(tracking), bool(inventory)
    )
    store.fulfillment_services.append(service)
    return service, []


def service_of(store, location):
    return next((s for s in store.fulfillment_services if s.location is location), None)


def notify(store, fo, kind):
    """The ping to the fulfillment order's service, when it has a callback."""
    service = service_of(store, fo.location)
    if service and service.callback_url:
        uri = service.callback_url.rstrip("/") + NOTIFICATION_PATH
        store.post(NOTIFICATION_TOPIC, {"kind": kind}, uri)


# ---------------------------------------------------------- the request flow
def _record(fo, kind, message=None, **extra):
    fo.merchant_requests.append({"kind": kind, "message": message, "sent_at": now_iso(), **extra})
    fo.updated_at = now_iso()


def submit_request(store, fo, message=None, lines=None, send=True):
    """The merchant asks the service to fulfill ``fo``. Returns user errors."""
    if fo is None:
        return [_error("Fulfillment order does not exist.", "id")]
    if lines:
        # Deliberate difference: see the module docstring.
        return [_error("The sandbox submits whole fulfillment orders only.", "lineItems")]
    if not fo.location.is_3pl:
        return [_error("Fulfillment order is not assigned to a fulfillment service.", "id")]
    if fo.status != "OPEN" or fo.request_status not in ("UNSUBMITTED", "CANCELLATION_ACCEPTED"):
        msg = f"Cannot request fulfillment for a fulfillment order {fo.request_status.lower()}."
        return [_error(msg, "id")]
    fo.request_status = "SUBMITTED"
    _record(fo, "FULFILLMENT_REQUEST", message)
    if send:
        notify(store, fo, "FULFILLMENT_REQUEST")
    return []


def submit_cancellation(store, fo, message=None, send=True):
    if fo is None:
        return [_error("Fulfillment order does not exist.", "id")]
    if fo.request_status != "ACCEPTED" or fo.status not in LIVE:
        msg = f"Cannot request cancellation of a fulfillment order {fo.request_status.lower()}."
        return [_error(msg, "id")]
    fo.request_status = "CANCELLATION_REQUESTED"
    _record(fo, "CANCELLATION_REQUEST", message)
    if send:
        notify(store, fo, "CANCELLATION_REQUEST")
    return []


def _answer(fo, expected, new_status, response, **extra):
    """The service answers a request of ``fo`` that must be in ``expected``."""
    if fo is None or not fo.location.app_owned:
        return [_error("Fulfillment order does not exist.", "id")]
    if fo.request_status != expected:
        msg = f"Fulfillment order {fo.num} has request status {fo.request_status.lower()}."
        return [_error(msg, "id")]
    fo.request_status = new_status
    _record(fo, response, extra.pop("message", None), **extra)
    return []


def accept_request(fo, message=None):
    errors = _answer(fo, "SUBMITTED", "ACCEPTED", "ACCEPT_FULFILLMENT", message=message)
    if not errors:
        fo.status = "IN_PROGRESS"
    return errors


def reject_request(fo, message=None, reason=None, line_items=None):
    return _answer(
        fo,
        "SUBMITTED",
        "REJECTED",
        "REJECT_FULFILLMENT",
        message=message,
        reason=reason,
        line_items=line_items or [],
    )


def accept_cancellation(fo, message=None):
    errors = _answer(
        fo,
        "CANCELLATION_REQUESTED",
        "CANCELLATION_ACCEPTED",
        "ACCEPT_CANCELLATION",
        message=message,
    )
    if not errors:
        fo.status = fo.progress_status()
    return errors


def reject_cancellation(fo, message=None):
    return _answer(
        fo,
        "CANCELLATION_REQUESTED",
        "CANCELLATION_REJECTED",
        "REJECT_CANCELLATION",
        message=message,
    )


def assigned(store, assignment_status=None, location_ids=None):
    """The fulfillment orders at the app's service locations, CLOSED ones
    left out, filtered as ``assignedFulfillmentOrders`` filters them."""
    statuses = ASSIGNMENT.get(assignment_status) if assignment_status else None
    wanted = {str(i).rsplit("/", 1)[-1] for i in location_ids or ()}
    return [
        fo
        for fo in store.fulfillment_orders()
        if fo.location.app_owned
        and fo.status != "CLOSED"
        and (statuses is None or fo.request_status in statuses)
        and (not wanted or str(fo.location.num) in wanted)
    ]


# ------------------------------------------------------------------ GraphQL
@_set("Location", "fulfillmentService")
def _location_service(loc, info):
    if not loc.is_3pl:
        return None
    service = service_of(info.context, loc)
    if service is not None:
        return service
    handle = loc.fulfillment_service_handle  # another app's service (a 3PL)
    return {
        "id": f"gid://shopify/FulfillmentService/{loc.num}",
        "handle": handle,
        "serviceName": handle.replace("-", " ").title(),
        "location": loc,
        "callbackUrl": None,
        "trackingSupport": False,
        "inventoryManagement": False,
    }


@_set("Query", "assignedFulfillmentOrders")
def _assigned(_root, info, assignmentStatus=None, locationIds=None, **args):
    require(info.context, "assignedFulfillmentOrders", "read_assigned_fulfillment_orders")
    args.pop("sortKey", None)
    return connection(assigned(info.context, assignmentStatus, locationIds), **args)


@_set("FulfillmentOrder", "merchantRequests")
def _merchant_requests(fo, _info, kind=None, **args):
    wanted = [
        {"id": f"gid://shopify/FulfillmentOrderMerchantRequest/{fo.num}{i}", "num": i, **r}
        for i, r in enumerate(fo.merchant_requests)
        if r["kind"] in ("FULFILLMENT_REQUEST", "CANCELLATION_REQUEST")
        and (kind is None or r["kind"] == kind)
    ]
    return connection(
        [{**r, "sentAt": r["sent_at"], "message": r["message"]} for r in wanted], **args
    )


@_mutation("fulfillmentServiceCreate")
def _service_create(
    _root, info, name, callbackUrl=None, trackingSupport=False, inventoryManagement=False, **_
):
    store = info.context
    require(store, "fulfillmentServiceCreate", "write_fulfillments")
    service, errors = create_service(store, name, callbackUrl, trackingSupport, inventoryManagement)
    return {"fulfillmentService": service, "userErrors": errors}


def _fo_mutation(name, scope, apply):
    def resolve(_root, info, id, **kwargs):
        store = info.context
        require(store, name, scope)
        fo = store.fulfillment_order(id)
        errors = apply(store, fo, **kwargs)
        if not errors:
            fo.order.updated_at = now_iso()
        return {"fulfillmentOrder": None if errors else fo, "userErrors": errors}

    SCHEMA.mutation_type.fields[name].resolve = resolve


_fo_mutation(
    "fulfillmentOrderAcceptFulfillmentRequest",
    "write_assigned_fulfillment_orders",
    lambda _s, fo, message=None, estimatedShippedAt=None: accept_request(fo, message),
)
_fo_mutation(
    "fulfillmentOrderRejectFulfillmentRequest",
    "write_assigned_fulfillment_orders",
    lambda _s, fo, message=None, reason=None, lineItems=None: reject_request(
        fo, message, reason, lineItems
    ),
)
_fo_mutation(
    "fulfillmentOrderAcceptCancellationRequest",
    "write_assigned_fulfillment_orders",
    lambda _s, fo, message=None: accept_cancellation(fo, message),
)
_fo_mutation(
    "fulfillmentOrderRejectCancellationRequest",
    "write_assigned_fulfillment_orders",
    lambda _s, fo, message=None: reject_cancellation(fo, message),
)
_fo_mutation(
    "fulfillmentOrderSubmitCancellationRequest",
    "write_third_party_fulfillment_orders",
    lambda s, fo, message=None: submit_cancellation(s, fo, message),
)


@_mutation("fulfillmentOrderSubmitFulfillmentRequest")
def _submit(_root, info, id, message=None, notifyCustomer=None, fulfillmentOrderLineItems=None):
    store = info.context
    require(
        store, "fulfillmentOrderSubmitFulfillmentRequest", "write_third_party_fulfillment_orders"
    )
    fo = store.fulfillment_order(id)
    errors = submit_request(store, fo, message, fulfillmentOrderLineItems)
    done = None if errors else fo
    return {
        "originalFulfillmentOrder": done,
        "submittedFulfillmentOrder": done,
        "unsubmittedFulfillmentOrder": None,
        "userErrors": errors,
    }


# -------------------------------------------------------------- admin API
def service_view(service) -> dict:
    return {
        "id": service.id,
        "legacy_id": service.num,
        "name": service.service_name,
        "handle": service.handle,
        "callback_url": service.callback_url,
        "location": views.location(service.location),
    }


def _fo(sb, ident):
    fo = sb.store.fulfillment_order(ident)
    if fo is None:
        raise SandboxError(f"unknown fulfillment order {ident}")
    return fo


def _done(sb, fo, errors):
    if errors:
        raise SandboxError(errors[0]["message"])
    return 200, dict(views.fulfillment_order(sb.store, fo), merchant_requests=fo.merchant_requests)


@admin_api.route("GET", "fulfillment_services")
def list_services(sb, body):
    return 200, [service_view(s) for s in sb.store.fulfillment_services]


@admin_api.route("POST", "fulfillment_services")
def add_service(sb, body):
    service, errors = create_service(sb.store, body.get("name"), body.get("callback_url"))
    if errors:
        raise SandboxError(errors[0]["message"])
    return 200, service_view(service)


@admin_api.route("POST", "fulfillment_orders/(?P<ident>[^/]+)/submit_request")
def admin_submit(sb, body, ident):
    """The merchant requests fulfillment in Shopify's admin; ``notify:
    false`` loses the notification (the service must find it by reading)."""
    fo = _fo(sb, ident)
    errors = submit_request(sb.store, fo, body.get("message"), send=body.get("notify", True))
    return _done(sb, fo, errors)


@admin_api.route("POST", "fulfillment_orders/(?P<ident>[^/]+)/request_cancellation")
def admin_request_cancellation(sb, body, ident):
    fo = _fo(sb, ident)
    errors = submit_cancellation(sb.store, fo, body.get("message"), send=body.get("notify", True))
    return _done(sb, fo, errors)


@admin_api.route("GET", "fulfillment_orders/(?P<ident>[^/]+)")
def admin_fulfillment_order(sb, body, ident):
    fo = _fo(sb, ident)
    return _done(sb, fo, [])
