"""Order edits, refunds of unfulfilled units and stacked holds, as Shopify
applies them.

An edit or a refund changes ``LineItem.currentQuantity`` (``quantity`` stays
what was ordered) and the fulfillment order lines drop or grow with it: the
unfulfilled units are what goes. Units already fulfilled cannot be edited
away. Each change fires what Shopify fires: ``orders/edited`` (with the
edit's additions and removals) or ``refunds/create``, then
``orders/updated``. Holds stack (2025-01) and are released by id.
"""

from __future__ import annotations

from decimal import Decimal

from . import amounts, payloads
from .models import FulfillmentOrder, FulfillmentOrderLine, LineItem, now_iso

LIVE = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED")


class EditError(Exception):
    """A refused edit or refund; nothing was changed."""


class EditOps:
    """Mixin of Store (which provides lookups, next_id, emit, touch)."""

    # ------------------------------------------------------------------ edit
    def edit_order(self, order, set_quantities=(), additions=()):
        """orderEditBegin / orderEditSetQuantity / orderEditAddVariant /
        orderEditCommit in one call. ``set_quantities``: [{line_item_id,
        quantity}]; ``additions``: [{variant_id or sku, quantity,
        location_id}]. Returns the added line items."""
        if order.cancelled_at:
            raise EditError("a cancelled order cannot be edited")
        changes = [(self._edit_line(order, s), int(s["quantity"])) for s in set_quantities]
        for line, quantity in changes:
            if quantity < 0:
                raise EditError("quantity must not be negative")
            if quantity < order.fulfilled_quantity(line):
                raise EditError(
                    f"line {line.num}: {order.fulfilled_quantity(line)} already fulfilled"
                )
        planned = [self._addition(a) for a in additions]
        removals, grown = [], []
        for line, quantity in changes:
            delta = quantity - line.current_quantity
            if delta < 0:
                self._drop_units(line, -delta)
                removals.append({"id": line.num, "delta": -delta})
            elif delta > 0:
                self._add_units(line, delta, self._line_location(line))
                grown.append({"id": line.num, "delta": delta})
            line.current_quantity = quantity
        added = [self._add_line(order, *spec) for spec in planned]
        self._close_empty(order)
        edit = {
            "id": self.next_id(),
            "order_id": order.num,
            "created_at": now_iso(),
            "committed_at": now_iso(),
            "notify_customer": False,
            "staff_note": "",
            "user_id": None,
            "app_id": None,
            "line_items": {
                "additions": grown + [{"id": li.num, "delta": li.quantity} for li in added],
                "removals": removals,
            },
            "discounts": {"line_item": {"additions": [], "removals": []}},
            "shipping_lines": {"additions": [], "removals": []},
        }
        self.emit("orders/edited", {"order_edit": edit})
        self.touch(order)
        return added

    def _edit_line(self, order, spec) -> LineItem:
        ident = str(spec.get("line_item_id"))
        for line in order.line_items:
            if ident in (line.id, str(line.num)):
                return line
        raise EditError(f"unknown line item {ident}")

    def _addition(self, spec):
        ident = spec.get("variant_id")
        variant = (
            self._find(self.variants(), ident, "ProductVariant")
            if ident
            else self.variant_by_sku(spec.get("sku"))
        )
        if variant is None:
            raise EditError(f"unknown variant {ident or spec.get('sku')!r}")
        quantity = int(spec.get("quantity", 1))
        if quantity <= 0:
            raise EditError("quantity must be positive")
        location = self.location(spec["location_id"]) if spec.get("location_id") else None
        if spec.get("location_id") and location is None:
            raise EditError(f"unknown location {spec['location_id']}")
        return variant, quantity, location or self.default_location()

    def _add_line(self, order, variant, quantity, location) -> LineItem:
        line = LineItem(
            num=self.next_id(),
            order=order,
            variant=variant,
            title=variant.product.title,
            sku=variant.sku,
            quantity=quantity,
            price=variant.price,
        )
        line.current_quantity = 0
        order.line_items.append(line)
        self._add_units(line, quantity, location)
        line.current_quantity = quantity
        return line

    def _line_location(self, line):
        fos = [fo for fo in line.order.fulfillment_orders if _fo_line(fo, line)]
        return fos[-1].location if fos else self.default_location()

    def _add_units(self, line, quantity, location) -> None:
        """Onto the line's open, untouched fulfillment order at ``location``,
        or a new fulfillment order there."""
        order = line.order
        fo = next(
            (
                fo
                for fo in order.fulfillment_orders
                if fo.location is location and fo.status == "OPEN"
            ),
            None,
        )
        if fo is None:
            fo = FulfillmentOrder(self.next_id(), order, location)
            order.fulfillment_orders.append(fo)
        fo_line = _fo_line(fo, line)
        if fo_line is None:
            fo.lines.append(FulfillmentOrderLine(self.next_id(), fo, line, quantity, quantity))
        else:
            fo_line.total_quantity += quantity
            fo_line.remaining_quantity += quantity
        fo.updated_at = now_iso()

    def _drop_units(self, line, quantity) -> None:
        """Take ``quantity`` unfulfilled units off the line's fulfillment
        order lines, newest fulfillment order first."""
        for fo in reversed(line.order.fulfillment_orders):
            fo_line = _fo_line(fo, line)
            if quantity and fo_line and fo.status in LIVE and fo_line.remaining_quantity:
                take = min(quantity, fo_line.remaining_quantity)
                fo_line.remaining_quantity -= take
                fo_line.total_quantity -= take
                fo.updated_at = now_iso()
                quantity -= take
        if quantity:
            raise EditError(f"line {line.num}: not enough unfulfilled units")

    def _close_empty(self, order) -> None:
        for fo in order.fulfillment_orders:
            fo.lines = [line for line in fo.lines if line.total_quantity > 0]
            if fo.status in LIVE and not fo.lines:
                fo.status, fo.holds = "CLOSED", []
            elif fo.status in ("OPEN", "IN_PROGRESS"):
                fo.status = fo.progress_status()

    # ---------------------------------------------------------------- refund
    def refund(self, order, line_items, restock_type="cancel"):
        """A refund of line units (refundCreate). Units not yet fulfilled go
        first, as Shopify cancels them (``restock_type`` cancel); beyond
        them, fulfilled units are refunded (``return`` or ``no_restock``)."""
        refund_lines = []
        for spec in line_items:
            line = self._edit_line(order, spec)
            quantity = int(spec["quantity"])
            if quantity <= 0 or quantity > line.current_quantity:
                raise EditError(f"line {line.num}: cannot refund {quantity}")
            refund_lines.append((line, quantity))
        rows = []
        for line, quantity in refund_lines:
            unfulfilled = line.current_quantity - order.fulfilled_quantity(line)
            dropped = min(quantity, unfulfilled)
            if dropped:
                self._drop_units(line, dropped)
            line.current_quantity -= quantity
            # Fulfilled units refunded with restock type "return" come back
            # to the location that shipped them (a restocking refund).
            kind = restock_type if dropped or restock_type == "return" else "no_restock"
            rows.append(_refund_line(self.next_id(), line, quantity, kind))
            if kind == "return":
                rows[-1]["location_id"] = next(
                    f.location.num
                    for f in order.fulfillments
                    if any(fl.line_item is line for fl in f.lines)
                )
        self._close_empty(order)
        refund_id = self.next_id()
        self.emit("refunds/create", _refund(refund_id, order, rows))
        self.touch(order)
        return refund_id

    # ----------------------------------------------------------------- holds
    def release_holds(self, fo, hold_ids=None) -> None:
        """fulfillmentOrderReleaseHold(id, holdIds): the named holds go (all
        when none is named); the order stays on hold while others remain."""
        if fo.status != "ON_HOLD":
            raise EditError("fulfillment order is not on hold")
        wanted = {_hold_num(h) for h in hold_ids} if hold_ids else None
        known = {h["num"] for h in fo.holds}
        if wanted and not wanted <= known:
            raise EditError("Hold ids are invalid: " + ", ".join(str(n) for n in wanted - known))
        fo.holds = [h for h in fo.holds if wanted is not None and h["num"] not in wanted]
        if not fo.holds:
            fo.status = fo.progress_status()
        fo.updated_at = now_iso()
        self.emit(
            "fulfillment_orders/hold_released",
            {"fulfillment_order": {"id": fo.id, "status": fo.status.lower()}},
        )


def _fo_line(fo, line):
    return next((fl for fl in fo.lines if fl.line_item is line), None)


def _hold_num(ident) -> int:
    text = str(ident).rsplit("/", 1)[-1]
    if not text.isdigit():
        raise EditError(f"invalid hold id {ident}")
    return int(text)


def _refund_line(num, li, quantity, restock_type) -> dict:
    currency = li.order.currency_code
    subtotal = _money_value(li.price, quantity)
    return {
        "id": num,
        "line_item_id": li.num,
        "location_id": None,
        "quantity": quantity,
        "restock_type": restock_type,
        "subtotal": subtotal,
        "subtotal_set": amounts.money_set(subtotal, currency),
        "total_tax": "0.00",
        "total_tax_set": amounts.money_set("0.00", currency),
        "line_item": payloads.line_item(li),
    }


def _money_value(price, quantity) -> str:
    return str((Decimal(price) * quantity).quantize(Decimal("0.01")))


def _refund(num, o, rows) -> dict:
    """The ``refunds/create`` body (REST shape)."""
    return {
        "id": num,
        "admin_graphql_api_id": f"gid://shopify/Refund/{num}",
        "order_id": o.num,
        "created_at": o.updated_at,
        "processed_at": o.updated_at,
        "note": None,
        "restock": any(r["restock_type"] != "no_restock" for r in rows),
        "user_id": None,
        "duties": [],
        "total_duties_set": amounts.money_set("0.00", o.currency_code),
        "return": None,
        "refund_shipping_lines": [],
        "refund_line_items": rows,
        "transactions": [],
        "order_adjustments": [],
    }
