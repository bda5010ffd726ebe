"""The sandbox store: all state of one fake Shopify shop, behind one lock.

Callers (GraphQL resolvers, admin API) take ``store.lock`` around whole
requests, so every method here may assume it runs alone. State changes
that Shopify announces by webhook call ``self.emit(topic, payload)``;
the server wires that to the webhook dispatcher, which only queues.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from decimal import Decimal

from . import payloads
from .config import Clock, SandboxConfig
from .cost import Bucket
from .edits import EditOps
from .fulfillment import FulfillmentOps
from .models import (
    FIRST_ID,
    FulfillmentOrder,
    FulfillmentOrderLine,
    LineItem,
    Location,
    Order,
    Product,
    Variant,
    WebhookSubscription,
    now_iso,
    parse_gid,
)
from .returns import ReturnOps


class SandboxError(Exception):
    """A refused admin-API request (answered as HTTP 422 with the message)."""


class Store(FulfillmentOps, EditOps, ReturnOps):
    def __init__(self, config: SandboxConfig | None = None, clock: Callable | None = None):
        self.lock = threading.RLock()
        self.base_config = (config or SandboxConfig()).copy()
        self.clock = clock or Clock()
        self.emit: Callable[[str, dict], None] = lambda topic, payload: None
        # A signed POST to one address (a fulfillment service's callback);
        # the server wires it to the webhook dispatcher.
        self.post: Callable[[str, dict, str], None] = lambda topic, payload, uri: None
        self.reset("empty")

    # ----------------------------------------------------------------- setup
    def reset(self, seed: str = "empty") -> None:
        self.config = self.base_config.copy()
        self._next = FIRST_ID
        self._order_number = 1001
        self.locations: list[Location] = []
        self.products: list[Product] = []
        self.orders: list[Order] = []
        self.subscriptions: list[WebhookSubscription] = []
        self.fulfillment_services: list = []  # fulfillment_service.FulfillmentService
        self.tokens: dict[str, float] = {}  # issued token -> expiry (clock seconds)
        self.installed = True  # the app; uninstall() revokes everything
        self.bucket = Bucket(self.config, self.clock)
        if seed == "demo":
            from .seed import seed_demo

            seed_demo(self)
        elif seed != "empty":
            raise SandboxError(f"unknown seed {seed!r}")

    def configure(self, values: dict) -> None:
        self.config.update(values)

    def next_id(self) -> int:
        self._next += 1
        return self._next

    # ----------------------------------------------------------------- auth
    def issue_token(self, client_id: str, client_secret: str) -> str | None:
        """Client credentials grant; None for a wrong id or secret."""
        cfg = self.config
        valid = {cfg.client_secret, cfg.previous_client_secret} - {None}
        if not self.installed or client_id != cfg.client_id or client_secret not in valid:
            return None
        token = "shpat_" + secrets.token_hex(16)
        self.tokens[token] = self.clock() + float(cfg.token_ttl)
        return token

    def token_valid(self, token: str | None) -> bool:
        if not token or not self.installed:
            return False
        if self.config.access_token and secrets.compare_digest(token, self.config.access_token):
            return True
        expiry = self.tokens.get(token)
        return expiry is not None and self.clock() < expiry

    def rotate_secret(self, client_secret: str | None = None, access_token: str | None = None):
        """The merchant rotated the app's secret and revoked the old one: the
        grant refuses the old secret (invalid_client) and every token issued
        so far is refused (401). ``access_token`` replaces a legacy custom
        app's token the same way. Returns the new credentials."""
        cfg = self.config
        cfg.client_secret = client_secret or "rotated-" + secrets.token_hex(8)
        cfg.previous_client_secret = None
        cfg.sign_with_previous = False
        if access_token or cfg.access_token:
            cfg.access_token = access_token or "shpat_" + secrets.token_hex(16)
        self.tokens.clear()
        return {"client_secret": cfg.client_secret, "access_token": cfg.access_token}

    def uninstall(self) -> int:
        """The merchant removed the app: Shopify sends app/uninstalled to its
        subscriptions, then deletes them and revokes every token. Returns the
        number of subscriptions deleted."""
        cfg = self.config
        self.emit(
            "app/uninstalled",
            {
                "id": 1,
                "name": cfg.shop_name,
                "email": cfg.shop_email,
                "domain": cfg.shop_domain,
                "myshopify_domain": cfg.shop_domain,
            },
        )
        return self._uninstalled()

    def _uninstalled(self) -> int:
        removed = len(self.subscriptions)
        self.subscriptions.clear()
        self.tokens.clear()
        self.installed = False
        return removed

    def install(self) -> None:
        """The merchant installed the app again (new tokens are granted)."""
        self.installed = True

    def has_scope(self, scope: str) -> bool:
        """A write scope implies its read scope, as on Shopify."""
        scopes = set(self.config.scopes)
        return scope in scopes or scope.replace("read_", "write_", 1) in scopes

    # ------------------------------------------------------------ lookups
    def _find(self, items, ident, type_name):
        num = parse_gid(ident, type_name)
        return next((item for item in items if item.num == num), None)

    def location(self, ident) -> Location | None:
        return self._find(self.locations, ident, "Location")

    def order(self, ident) -> Order | None:
        return self._find(self.orders, ident, "Order")

    def variants(self) -> list[Variant]:
        return [v for p in self.products for v in p.variants]

    def fulfillment_orders(self) -> list[FulfillmentOrder]:
        return [fo for o in self.orders for fo in o.fulfillment_orders]

    def fulfillment_order(self, ident) -> FulfillmentOrder | None:
        return self._find(self.fulfillment_orders(), ident, "FulfillmentOrder")

    def fulfillment(self, ident):
        every = [f for o in self.orders for f in o.fulfillments]
        return self._find(every, ident, "Fulfillment")

    def subscription(self, ident) -> WebhookSubscription | None:
        return self._find(self.subscriptions, ident, "WebhookSubscription")

    def default_location(self) -> Location:
        for loc in self.locations:
            if loc.is_active and not loc.is_3pl:
                return loc
        raise SandboxError("no active merchant-managed location")

    # ------------------------------------------------------------ catalogue
    def add_location(self, name: str, active: bool = True, fulfillment_service=None) -> Location:
        handle = fulfillment_service
        if handle is True:
            handle = name.lower().replace(" ", "-")
        loc = Location(self.next_id(), name, bool(active), handle or None)
        self.locations.append(loc)
        return loc

    def add_product(self, title, sku=None, barcode=None, price="10.00", locations=None) -> Product:
        product = Product(self.next_id(), title)
        if locations is None:
            nums = {loc.num for loc in self.locations}
        else:
            nums = set()
            for ident in locations:
                loc = self.location(ident)
                if loc is None:
                    raise SandboxError(f"unknown location {ident}")
                nums.add(loc.num)
        variant = Variant(
            self.next_id(), product, "Default Title", sku, barcode, _money(price), nums
        )
        product.variants.append(variant)
        self.products.append(product)
        return product

    def variant_by_sku(self, sku) -> Variant | None:
        return next((v for v in self.variants() if v.sku == sku), None)

    # ---------------------------------------------------------------- orders
    def create_order(self, spec: dict) -> Order:
        """Create an order and, as Shopify does, one fulfillment order per location."""
        cfg = self.config
        number = self._order_number
        self._order_number += 1
        order = Order(
            num=self.next_id(),
            name=spec.get("name") or f"#{number}",
            email=spec.get("email"),
            currency_code=spec.get("currency") or cfg.currency,
            taxes_included=bool(spec.get("taxes_included", cfg.taxes_included)),
            test=bool(spec.get("test", False)),
            note=spec.get("note"),
            shipping_address=spec.get("shipping_address"),
            billing_address=spec.get("billing_address"),
            tax_lines=[_tax_line(t) for t in spec.get("tax_lines", [])],
            shipping_lines=[_shipping_line(s, self) for s in spec.get("shipping_lines", [])],
        )
        if spec.get("created_at"):  # an order placed before the sandbox started
            order.created_at = order.updated_at = spec["created_at"]
        if spec.get("customer"):
            order.customer = {
                "num": self.next_id(),
                "address_num": self.next_id(),
                "email": order.email,
                **spec["customer"],
            }
        groups: dict[int, tuple[Location, list[LineItem]]] = {}
        if not spec.get("line_items"):
            raise SandboxError("an order needs line_items")
        for item in spec["line_items"]:
            line = self._line_item(order, item)
            order.line_items.append(line)
            loc = self._line_location(item)
            groups.setdefault(loc.num, (loc, []))[1].append(line)
        for loc, lines in groups.values():
            fo = FulfillmentOrder(self.next_id(), order, loc)
            fo.delivery_method = spec.get("delivery_method") or "SHIPPING"
            fo.lines = [
                FulfillmentOrderLine(self.next_id(), fo, li, li.quantity, li.quantity)
                for li in lines
            ]
            order.fulfillment_orders.append(fo)
        self.orders.append(order)
        self.emit("orders/create", payloads.order(order, self.config.shop_domain))
        return order

    def _line_item(self, order: Order, item: dict) -> LineItem:
        """A line item of a new order, from its ``line_items`` entry."""
        if item.get("variant_id"):
            variant = self._find(self.variants(), item["variant_id"], "ProductVariant")
            if variant is None:
                raise SandboxError(f"unknown variant {item['variant_id']}")
        else:
            variant = self.variant_by_sku(item.get("sku")) if item.get("sku") else None
        if item.get("sku") and variant is None and not item.get("title"):
            raise SandboxError(f"unknown sku {item['sku']!r}")
        quantity = int(item.get("quantity", 1))
        if quantity <= 0:
            raise SandboxError("quantity must be positive")
        return LineItem(
            num=self.next_id(),
            order=order,
            variant=variant,
            title=item.get("title") or (variant.product.title if variant else "Item"),
            sku=item.get("sku") or (variant.sku if variant else None),
            quantity=quantity,
            price=_money(item.get("price") or (variant.price if variant else "0.00")),
            tax_lines=[_tax_line(t) for t in item.get("tax_lines", [])],
            discount_allocations=[
                {"amount": _money(d.get("amount", d) if isinstance(d, dict) else d)}
                for d in item.get("discounts", [])
            ],
        )

    def _line_location(self, item: dict) -> Location:
        """Where a new order's line item is assigned: its ``location_id``, else
        the store's default location."""
        if not item.get("location_id"):
            return self.default_location()
        loc = self.location(item["location_id"])
        if loc is None:
            raise SandboxError(f"unknown location {item['location_id']}")
        return loc

    def touch(self, order: Order) -> None:
        """Mark an order changed and announce it."""
        order.updated_at = now_iso()
        self.emit("orders/updated", payloads.order(order, self.config.shop_domain))

    def cancel_order(self, order: Order) -> None:
        if order.cancelled_at:
            raise SandboxError("order already cancelled")
        order.cancelled_at = now_iso()
        for fo in order.fulfillment_orders:
            if fo.status not in ("CLOSED", "CANCELLED"):
                fo.status = "CANCELLED" if fo.progress_status() == "OPEN" else "CLOSED"
                for line in fo.lines:
                    line.remaining_quantity = 0
                fo.updated_at = now_iso()
        order.updated_at = now_iso()
        self.emit("orders/cancelled", payloads.order(order, self.config.shop_domain))
        self.emit("orders/updated", payloads.order(order, self.config.shop_domain))

    # --------------------------------------------------------------- holds
    def hold(self, fo: FulfillmentOrder, reason: str = "OTHER", notes: str | None = None) -> None:
        if fo.status not in ("OPEN", "IN_PROGRESS", "ON_HOLD"):
            raise SandboxError(f"cannot hold a fulfillment order with status {fo.status}")
        hold = {"num": self.next_id(), "reason": reason.upper(), "reason_notes": notes}
        fo.holds.append(hold)
        fo.status = "ON_HOLD"
        fo.updated_at = now_iso()
        self.emit("fulfillment_orders/placed_on_hold", payloads.fo_hold(fo, hold))

    def release_hold(self, fo: FulfillmentOrder, hold_ids=None) -> None:
        """Every hold, or only those of ``hold_ids`` (see EditOps.release_holds)."""
        if fo.status != "ON_HOLD":
            raise SandboxError("fulfillment order is not on hold")
        self.release_holds(fo, hold_ids)

    # ------------------------------------------------------------- webhooks
    def create_subscription(self, topic: str, uri: str, fmt: str = "JSON"):
        """Returns (subscription, user_errors)."""
        topic = topic.upper().replace("/", "_")
        if not uri:
            return None, [
                {"field": ["webhookSubscription", "uri"], "message": "Uri can't be blank"}
            ]
        if any(s.topic == topic and s.uri == uri for s in self.subscriptions):
            msg = "Address for this topic has already been taken"
            return None, [{"field": ["webhookSubscription", "callbackUrl"], "message": msg}]
        sub = WebhookSubscription(self.next_id(), topic, uri, fmt or "JSON")
        self.subscriptions.append(sub)
        return sub, []

    def drop_subscriptions(self, topic: str | None = None, uri: str | None = None) -> int:
        """Shopify deleted subscriptions (after repeated failed deliveries, or
        on uninstall): those of ``topic`` and ``uri``, or all. Returns how many."""
        wanted = topic.upper().replace("/", "_") if topic else None
        gone = [
            s
            for s in self.subscriptions
            if (wanted is None or s.topic == wanted) and (uri is None or s.uri == uri)
        ]
        for sub in gone:
            self.subscriptions.remove(sub)
        return len(gone)

    def subscriptions_for(self, topic: str) -> list[WebhookSubscription]:
        wanted = topic.upper().replace("/", "_")
        return [s for s in self.subscriptions if s.topic == wanted]


def _money(value) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def _tax_line(spec: dict) -> dict:
    return {
        "title": spec.get("title", "Tax"),
        "rate": float(spec.get("rate", 0)),
        "amount": _money(spec.get("price", spec.get("amount", "0"))),
    }


def _shipping_line(spec: dict, store: Store) -> dict:
    return {
        "num": store.next_id(),
        "title": spec.get("title", "Standard"),
        "code": spec.get("code", spec.get("title", "Standard")),
        "price": _money(spec.get("price", "0")),
        "tax_lines": [_tax_line(t) for t in spec.get("tax_lines", [])],
    }
