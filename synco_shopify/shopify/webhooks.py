"""Webhook verification and parsing, without Odoo.

The controller calls these in order: ``WebhookHeaders.from_headers`` (400 if
a required header is missing), ``normalize_shop_domain`` to find the shop,
``verify`` over the raw body with the shop's secrets (401 if it fails), and
``parse_payload`` (400 for a body that is not a JSON object). The body is
parsed there, once: the topic's parser below (``queue.registry.TOPICS``
names it) takes from it what the topic's job needs, and the queue never
reads the body again.
"""

import base64
import dataclasses
import hashlib
import hmac
import json
import re

from .ids import legacy_id, to_gid

_MYSHOPIFY = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
# A sandbox or a development proxy: localhost, an IPv4 address, or any host
# name with an explicit port.
_LOCAL_HOST = re.compile(r"^(localhost|\d{1,3}(\.\d{1,3}){3})(:\d{1,5})?$")
_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
_HOST_WITH_PORT = re.compile(rf"^{_LABEL}(\.{_LABEL})*:\d{{1,5}}$")


def sign(body, secret):
    """Return Shopify's signature of ``body``: base64(HMAC-SHA256(secret, body))."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(body, hmac_header, secrets):
    """True if ``hmac_header`` is the signature of ``body`` by one of ``secrets``.

    ``secrets`` holds the current secret and, for an hour after a rotation,
    the previous one; empty or None values are skipped. Fails closed: an
    empty header or no usable secret gives False. Every comparison is
    constant-time.
    """
    if not hmac_header:
        return False
    expected = hmac_header.strip().encode("ascii", "replace")
    valid = False
    for secret in secrets:
        if secret and hmac.compare_digest(sign(body, secret).encode("ascii"), expected):
            valid = True
    return valid


class MissingWebhookHeader(ValueError):
    """A webhook request lacks headers Shopify always sends; ``missing``
    names them."""

    def __init__(self, missing):
        self.missing = tuple(missing)
        super().__init__("missing webhook header(s): " + ", ".join(self.missing))


@dataclasses.dataclass(frozen=True)
class WebhookHeaders:
    """The X-Shopify-* headers of one webhook delivery.

    ``webhook_id`` is unique per delivery and is the dedupe key; ``event_id``
    is shared by all deliveries caused by one merchant action. Values are
    stripped; ``shop_domain`` is lower-cased but not otherwise validated
    (see ``normalize_shop_domain``).
    """

    topic: str
    hmac: str
    shop_domain: str
    webhook_id: str
    api_version: str | None = None
    event_id: str | None = None
    triggered_at: str | None = None

    _HEADERS = {
        "topic": "X-Shopify-Topic",
        "hmac": "X-Shopify-Hmac-Sha256",
        "shop_domain": "X-Shopify-Shop-Domain",
        "webhook_id": "X-Shopify-Webhook-Id",
        "api_version": "X-Shopify-API-Version",
        "event_id": "X-Shopify-Event-Id",
        "triggered_at": "X-Shopify-Triggered-At",
    }
    _REQUIRED = ("topic", "hmac", "shop_domain", "webhook_id")

    @classmethod
    def from_headers(cls, headers):
        """Build from any mapping of header names to values (a dict, werkzeug
        ``Headers``), matching names case-insensitively.

        Raises ``MissingWebhookHeader`` naming every required header that is
        absent or empty.
        """
        lowered = {str(name).lower(): value for name, value in headers.items()}
        values = {}
        for attr, name in cls._HEADERS.items():
            value = lowered.get(name.lower())
            values[attr] = str(value).strip() if value is not None and str(value).strip() else None
        missing = [cls._HEADERS[attr] for attr in cls._REQUIRED if not values[attr]]
        if missing:
            raise MissingWebhookHeader(missing)
        values["shop_domain"] = values["shop_domain"].lower()
        return cls(**values)


def parse_payload(body):
    """Decode a webhook body into a dict.

    Raises ValueError for a body that is not UTF-8, not JSON, or not a JSON
    object. Integers keep full precision (Shopify ids exceed 2**53).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("webhook body is not UTF-8") from exc
    try:
        payload = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"webhook body is not JSON: {exc.msg}") from exc
    if not isinstance(payload, dict):
        raise ValueError("webhook body is not a JSON object")
    return payload


def _reject_constant(name):
    # NaN and Infinity are not JSON; Python would accept them by default.
    raise ValueError(f"webhook body contains {name}, which is not JSON")


def normalize_shop_domain(value):
    """Return the shop's host as the addon stores it: ``acme.myshopify.com``.

    Accepts what a merchant pastes (``https://Acme.myshopify.com/admin``) and
    strips scheme, path and whitespace. Valid results are a
    ``*.myshopify.com`` domain, or, for a sandbox, ``localhost``, an IPv4
    address or a host with an explicit port. Raises ValueError otherwise,
    notably for a storefront domain such as ``shop.acme.com``.
    """
    text = (value or "").strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0].rstrip(".")
    if _MYSHOPIFY.match(text) or _LOCAL_HOST.match(text) or _HOST_WITH_PORT.match(text):
        return text
    raise ValueError(
        f"{value!r} is not a Shopify store domain: use the store's "
        "myshopify.com domain, e.g. acme.myshopify.com."
    )


# -- what each topic's job needs ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TopicJob:
    """What one delivery asks of the queue: the job's ``payload``, the
    ``dedupe_key`` that folds deliveries about the same thing into one
    queued job, the Shopify order it is about (``order_ref``, its jobs run
    in turn), or else the ``ordering_key`` of its sequence, and the payload
    keys that describe the delivery's moment (``snapshot_keys``: kept only
    while every delivery folded into the job agrees on them)."""

    payload: dict
    dedupe_key: str
    order_ref: str | None = None
    ordering_key: str | None = None
    snapshot_keys: tuple = ()


class BadWebhookPayload(ValueError):
    """A signed JSON body that lacks what its topic's job needs."""


def _id(value, what):
    try:
        return legacy_id(value)
    except (TypeError, ValueError) as exc:
        raise BadWebhookPayload(f"webhook body has no valid {what} id: {value!r}") from exc


def _without_none(values):
    return {key: value for key, value in values.items() if value is not None}


# The fulfillment's state as the webhook saw it; an apply job folded from
# deliveries that disagree on it reads the fulfillment instead.
FULFILLMENT_SNAPSHOT = ("status", "tracking_numbers", "tracking_company", "fulfillment")


def fulfillment_of_webhook(data):
    """The fulfillment a fulfillments/* body describes, in the shape
    ``reads.fulfillment`` gives Shopify's read (``planning/apply.py`` says
    when it may stand for one), or None when the body lacks its status,
    location or lines."""
    status, location, lines = data.get("status"), data.get("location_id"), data.get("line_items")
    if not status or not location or not isinstance(lines, list):
        return None
    try:
        nodes = [
            {"quantity": int(line["quantity"]), "lineItem": {"id": to_gid("LineItem", line["id"])}}
            for line in lines
        ]
        location = to_gid("Location", location)
        fulfillment_id = to_gid("Fulfillment", data["id"])
        order_id = to_gid("Order", data["order_id"])
    except (KeyError, TypeError, ValueError):
        return None
    numbers = [n for n in data.get("tracking_numbers") or [data.get("tracking_number")] if n]
    urls = list(data.get("tracking_urls") or filter(None, [data.get("tracking_url")]))
    company = data.get("tracking_company")
    tracking = [
        {"number": n, "company": company, "url": urls[i] if i < len(urls) else None}
        for i, n in enumerate(numbers)
    ]
    if not numbers and (company or urls):  # a carrier named, no number yet
        tracking = [{"number": None, "company": company, "url": urls[0] if urls else None}]
    return {
        "id": fulfillment_id,
        "status": str(status).upper(),
        "updatedAt": data.get("updated_at"),
        "location": {"id": location},
        "order": {"id": order_id},
        "trackingInfo": tracking,
        "fulfillmentLineItems": {"nodes": nodes, "pageInfo": {"hasNextPage": False}},
    }


def fulfillment_job(_topic, data):
    """fulfillments/create and fulfillments/update: the apply job of the
    fulfillment, with the status and tracking the delivery carries and the
    fulfillment it describes."""
    fulfillment_id = _id(data.get("id"), "fulfillment")
    order_id = _id(data.get("order_id"), "order")
    numbers = data.get("tracking_numbers")
    if numbers is None and data.get("tracking_number"):
        numbers = [data["tracking_number"]]
    payload = _without_none(
        {
            "fulfillment_id": fulfillment_id,
            "order_id": order_id,
            "status": data.get("status"),
            "tracking_numbers": list(numbers) if numbers is not None else None,
            "tracking_company": data.get("tracking_company"),
            "fulfillment": fulfillment_of_webhook(data),
        }
    )
    return TopicJob(
        payload, f"fulfillment:{fulfillment_id}", order_id, snapshot_keys=FULFILLMENT_SNAPSHOT
    )


def order_job(topic, data):
    """orders/create and orders/updated: the order's import job, with what
    tells an order already in Odoo apart from Shopify's (``snapshot``)."""
    order_id = _id(data.get("id"), "order")
    snapshot = {
        "cancelled": bool(data.get("cancelled_at")),
        "line_items": data.get("line_items") or [],
        "fulfillments": data.get("fulfillments") or [],
        "refunds": data.get("refunds") or [],
    }
    payload = {"order_id": order_id, "source": topic, "snapshot": snapshot}
    return TopicJob(payload, f"order:{order_id}", order_id, snapshot_keys=("snapshot",))


def order_edit_job(topic, data):
    """orders/edited: the order's import job; it reads the order as it is."""
    edit = data.get("order_edit") or {}
    order_id = _id(edit.get("order_id") or data.get("order_id") or data.get("id"), "order")
    payload = {"order_id": order_id, "source": topic}
    return TopicJob(payload, f"order:{order_id}", order_id, snapshot_keys=("snapshot",))


def order_cancel_job(topic, data):
    """orders/cancelled: a job of its own (a queued import must not absorb
    it), which reads the order and applies the cancellation."""
    order_id = _id(data.get("id"), "order")
    payload = {"order_id": order_id, "source": topic}
    return TopicJob(payload, f"cancel:{order_id}", order_id, snapshot_keys=("snapshot",))


def refund_job(topic, data):
    """refunds/create: the refund's note, then the order's quantities."""
    refund_id = _id(data.get("id"), "refund")
    order_id = _id(data.get("order_id"), "order")
    refund = {
        "id": refund_id,
        "order_id": order_id,
        "refund_line_items": data.get("refund_line_items") or [],
        "transactions": data.get("transactions") or [],
    }
    return TopicJob({"topic": topic, "refund": refund}, f"refund:{refund_id}", order_id)


def hold_job(topic, data):
    """placed_on_hold and hold_released: the fulfillment order's holds as
    they are when the job runs (it reads them)."""
    fo_id = _id((data.get("fulfillment_order") or {}).get("id"), "fulfillment order")
    key = f"fulfillment_order:{fo_id}"
    return TopicJob({"topic": topic, "fulfillment_order_id": fo_id}, f"hold:{fo_id}", None, key)


def move_job(topic, data):
    """fulfillment_orders/moved: the moved fulfillment order and where from."""
    fo_id = _id((data.get("moved_fulfillment_order") or {}).get("id"), "fulfillment order")
    source = (data.get("source_location") or {}).get("id")
    payload = _without_none(
        {
            "topic": topic,
            "fulfillment_order_id": fo_id,
            "source_location_id": source and _id(source, "location"),
        }
    )
    key = f"fulfillment_order:{fo_id}"
    return TopicJob(payload, f"move:{fo_id}", None, key)


# The dedupe key of the job reading what is assigned to Odoo as a
# fulfillment service: notifications and the cron fold into one read.
FSVC_READ = "fsvc_read"


def fulfillment_notification_job(_topic, data):
    """A fulfillment service notification (``{"kind": ...}``): a ping, read
    what is assigned to the service."""
    return TopicJob({"kind": str(data.get("kind") or "")}, FSVC_READ)


def app_uninstalled_job(topic, _data):
    """app/uninstalled: the shop waits for new credentials."""
    return TopicJob({"topic": topic}, "app_uninstalled", None, "app_uninstalled")


def return_job(topic, data):
    """returns/*: the return's sync job, which reads the return."""
    return_id = _id(data.get("admin_graphql_api_id") or data.get("id"), "return")
    order = (data.get("order") or {}).get("id") or data.get("order_id")
    order_id = _id(order, "order") if order else None
    payload = {"return_id": return_id, "order_id": order_id or ""}
    return TopicJob(
        payload,
        f"return:{return_id}:{topic}",
        order_id,
        None if order_id else f"return:{return_id}",
    )


def disposal_job(topic, data):
    """reverse_fulfillment_orders/dispose names its order, not its return."""
    order = data.get("order_id")
    order_id = _id(order, "order") if order else None
    payload = _without_none({"topic": topic, "order_id": order_id})
    return TopicJob(payload, f"disposal:{order_id}", order_id, None if order_id else "disposal")
