"""Plain records for the sandbox store.

Attribute names are the snake_case of the GraphQL field names, so the
resolver layer can read most fields without code of its own. Every record
has a numeric ``num`` (always above 2**53, so a client that parses ids as
floats breaks visibly) and exposes ``id`` as Shopify's gid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

FIRST_ID = 10**16 + 1


def now_iso() -> str:
    """Shopify's DateTime format: UTC, seconds precision, ``Z`` suffix."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_gid(value, type_name: str) -> int | None:
    """Numeric id from a gid of the expected type (or a bare number); None if invalid."""
    text = str(value or "")
    prefix = f"gid://shopify/{type_name}/"
    if text.startswith(prefix):
        text = text[len(prefix) :]
    elif text.startswith("gid://"):
        return None
    text = text.split("?", 1)[0]
    return int(text) if text.isdigit() else None


class Node:
    """Mixin giving a record Shopify's two id forms."""

    GID_TYPE = ""
    num: int

    @property
    def id(self) -> str:
        return f"gid://shopify/{self.GID_TYPE}/{self.num}"

    @property
    def legacy_resource_id(self) -> str:
        return str(self.num)


@dataclass(eq=False)
class Location(Node):
    GID_TYPE = "Location"
    num: int
    name: str
    is_active: bool = True
    # Handle of the fulfillment service (3PL app) owning this location, if any.
    fulfillment_service_handle: str | None = None
    # The location of a fulfillment service this app registered
    # (fulfillment_service.py): its fulfillment orders are the app's to accept.
    app_owned: bool = False

    @property
    def is_3pl(self) -> bool:
        return bool(self.fulfillment_service_handle)


@dataclass(eq=False)
class Variant(Node):
    GID_TYPE = "ProductVariant"
    num: int
    product: Product = field(repr=False)
    title: str
    sku: str | None
    barcode: str | None
    price: str
    # Numeric ids of the locations that stock this variant.
    location_nums: set[int] = field(default_factory=set)


@dataclass(eq=False)
class Product(Node):
    GID_TYPE = "Product"
    num: int
    title: str
    variants: list[Variant] = field(default_factory=list)


@dataclass(eq=False)
class LineItem(Node):
    GID_TYPE = "LineItem"
    num: int
    order: Order = field(repr=False)
    variant: Variant | None
    title: str
    sku: str | None
    quantity: int
    price: str
    tax_lines: list[dict] = field(default_factory=list)
    discount_allocations: list[dict] = field(default_factory=list)
    # What is left after edits and refunds (``quantity`` stays as ordered).
    current_quantity: int | None = None

    def __post_init__(self):
        if self.current_quantity is None:
            self.current_quantity = self.quantity

    @property
    def name(self) -> str:
        return self.title


@dataclass(eq=False)
class FulfillmentOrderLine(Node):
    GID_TYPE = "FulfillmentOrderLineItem"
    num: int
    fulfillment_order: FulfillmentOrder = field(repr=False)
    line_item: LineItem
    total_quantity: int
    remaining_quantity: int

    @property
    def sku(self):
        return self.line_item.sku


@dataclass(eq=False)
class FulfillmentOrder(Node):
    GID_TYPE = "FulfillmentOrder"
    num: int
    order: Order = field(repr=False)
    location: Location
    status: str = "OPEN"
    request_status: str = "UNSUBMITTED"
    lines: list[FulfillmentOrderLine] = field(default_factory=list)
    holds: list[dict] = field(default_factory=list)
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    # DeliveryMethod.methodType (SHIPPING, PICK_UP, ...); see pickup.py.
    delivery_method: str = "SHIPPING"
    prepared_for_pickup: bool = False
    # The merchant's requests and the service's answers, oldest first
    # (fulfillment_service.py).
    merchant_requests: list[dict] = field(default_factory=list)

    def progress_status(self) -> str:
        """OPEN, IN_PROGRESS or CLOSED from the line quantities alone."""
        remaining = sum(line.remaining_quantity for line in self.lines)
        total = sum(line.total_quantity for line in self.lines)
        if remaining == 0:
            return "CLOSED"
        return "OPEN" if remaining == total else "IN_PROGRESS"


@dataclass(eq=False)
class FulfillmentLine(Node):
    GID_TYPE = "FulfillmentLineItem"
    num: int
    line_item: LineItem
    quantity: int


@dataclass(eq=False)
class Fulfillment(Node):
    GID_TYPE = "Fulfillment"
    num: int
    order: Order = field(repr=False)
    location: Location
    name: str
    status: str = "SUCCESS"
    tracking: list[dict] = field(default_factory=list)
    lines: list[FulfillmentLine] = field(default_factory=list)
    # (fulfillment order line, quantity) pairs, so that a cancel can give back.
    allocations: list[tuple[FulfillmentOrderLine, int]] = field(default_factory=list, repr=False)
    origin: str = "api"
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)

    @property
    def fulfillment_orders(self) -> list[FulfillmentOrder]:
        seen: list[FulfillmentOrder] = []
        for fo_line, _qty in self.allocations:
            if fo_line.fulfillment_order not in seen:
                seen.append(fo_line.fulfillment_order)
        return seen

    @property
    def total_quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(eq=False)
class Order(Node):
    GID_TYPE = "Order"
    num: int
    name: str
    email: str | None
    currency_code: str
    taxes_included: bool
    test: bool = False
    note: str | None = None
    line_items: list[LineItem] = field(default_factory=list)
    fulfillment_orders: list[FulfillmentOrder] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    # The refunds/create bodies (REST shape), oldest first.
    refunds: list[dict] = field(default_factory=list)
    # Its returns (shopify_sandbox.returns.Return), oldest first.
    returns: list = field(default_factory=list)
    shipping_lines: list[dict] = field(default_factory=list)
    tax_lines: list[dict] = field(default_factory=list)
    shipping_address: dict | None = None
    billing_address: dict | None = None
    customer: dict | None = None
    financial_status: str = "PAID"
    cancelled_at: str | None = None
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)

    @property
    def processed_at(self) -> str:
        return self.created_at

    def fulfilled_quantity(self, line_item: LineItem) -> int:
        return sum(
            fl.quantity
            for f in self.fulfillments
            if f.status == "SUCCESS"
            for fl in f.lines
            if fl.line_item is line_item
        )

    @property
    def display_fulfillment_status(self) -> str:
        total = sum(li.current_quantity for li in self.line_items)
        done = sum(self.fulfilled_quantity(li) for li in self.line_items)
        if done == 0:
            return "UNFULFILLED"
        return "FULFILLED" if done >= total else "PARTIALLY_FULFILLED"


@dataclass(eq=False)
class WebhookSubscription(Node):
    GID_TYPE = "WebhookSubscription"
    num: int
    topic: str
    uri: str
    format: str = "JSON"
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
