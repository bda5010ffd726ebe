"""Returns, as Shopify's Admin GraphQL API (2025-07 and later) models them.

A ``Return`` is REQUESTED (a customer's request), OPEN (approved, or made
by the merchant with ``returnCreate``), CLOSED, DECLINED or CANCELED. Its
line items point at fulfillment line items; what a return may take back is
bounded by what was fulfilled and not yet in another live return. Approving
(or creating) a return makes its ``ReverseFulfillmentOrder``: one line per
return line, disposed (RESTOCKED at a location, NOT_RESTOCKED, ...) by
``reverseFulfillmentOrderDispose`` or by ``returnProcess``, which also
counts the return lines' processed quantities. Every action fires its
webhook (``returns/<action>``, ``reverse_fulfillment_orders/dispose``).
Wrong requests answer ReturnUserErrors and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Node, now_iso, parse_gid

DEAD = ("DECLINED", "CANCELED")


class ReturnError(Exception):
    """A refused return action: (code, field path, message)."""

    def __init__(self, code, path, message):
        super().__init__(message)
        self.error = {"code": code, "field": list(path) if path else None, "message": message}


@dataclass(eq=False)
class ReturnLine(Node):
    GID_TYPE = "ReturnLineItem"
    num: int
    fulfillment_line_item: object
    quantity: int
    return_reason: str = "UNKNOWN"
    return_reason_note: str = ""
    customer_note: str | None = None
    processed_quantity: int = 0

    @property
    def unprocessed_quantity(self) -> int:
        return self.quantity - self.processed_quantity

    @property
    def processable_quantity(self) -> int:
        return self.unprocessed_quantity


@dataclass(eq=False)
class Disposition(Node):
    GID_TYPE = "ReverseFulfillmentOrderDisposition"
    num: int
    quantity: int
    type: str
    location: object = None


@dataclass(eq=False)
class ReverseLine(Node):
    GID_TYPE = "ReverseFulfillmentOrderLineItem"
    num: int
    return_line: ReturnLine
    dispositions: list[Disposition] = field(default_factory=list)

    @property
    def total_quantity(self) -> int:
        return self.return_line.quantity

    @property
    def fulfillment_line_item(self):
        return self.return_line.fulfillment_line_item

    @property
    def disposed(self) -> int:
        return sum(d.quantity for d in self.dispositions)


@dataclass(eq=False)
class ReverseFulfillmentOrder(Node):
    GID_TYPE = "ReverseFulfillmentOrder"
    num: int
    order: object = field(repr=False)
    status: str = "OPEN"
    lines: list[ReverseLine] = field(default_factory=list)


@dataclass(eq=False)
class Return(Node):
    GID_TYPE = "Return"
    num: int
    order: object = field(repr=False)
    name: str
    status: str
    lines: list[ReturnLine] = field(default_factory=list)
    reverse_fulfillment_orders: list[ReverseFulfillmentOrder] = field(default_factory=list)
    decline: dict | None = None
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    closed_at: str | None = None
    request_approved_at: str | None = None

    @property
    def total_quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


class ReturnOps:
    """Mixin of Store (which provides orders, next_id, emit, location)."""

    # ------------------------------------------------------------- lookups
    def all_returns(self) -> list[Return]:
        return [r for o in self.orders for r in o.returns]

    def return_(self, ident) -> Return | None:
        return self._find(self.all_returns(), ident, "Return")

    def _live_return(self, ident) -> Return:
        found = self.return_(ident)
        if found is None:
            raise ReturnError("NOT_FOUND", ["id"], "Return does not exist.")
        return found

    def returnable_quantity(self, fulfillment_line) -> int:
        """Fulfilled on that line, less what live returns already take."""
        taken = sum(
            line.quantity
            for r in self.all_returns()
            if r.status not in DEAD
            for line in r.lines
            if line.fulfillment_line_item is fulfillment_line
        )
        return fulfillment_line.quantity - taken

    # ------------------------------------------------------------- actions
    def return_request(self, order_ident, items, status="REQUESTED") -> Return:
        """returnRequest (REQUESTED) or returnCreate (``status`` OPEN)."""
        order = self.order(order_ident)
        if order is None:
            raise ReturnError("NOT_FOUND", ["input", "orderId"], "Order does not exist.")
        if not items:
            raise ReturnError("BLANK", ["input", "returnLineItems"], "Return line items are blank.")
        lines, wanted = [], {}
        for index, item in enumerate(items):
            path = ["input", "returnLineItems", str(index)]
            fl = self._fulfillment_line(order, item.get("fulfillmentLineItemId"))
            if fl is None:
                msg = "Fulfillment line item does not exist."
                raise ReturnError("NOT_FOUND", [*path, "fulfillmentLineItemId"], msg)
            quantity = int(item.get("quantity") or 0)
            wanted[fl.num] = wanted.get(fl.num, 0) + quantity
            if quantity <= 0:
                msg = "Quantity must be greater than 0."
                raise ReturnError("GREATER_THAN", [*path, "quantity"], msg)
            if wanted[fl.num] > self.returnable_quantity(fl):
                msg = "Quantity is not available for return."
                raise ReturnError("INVALID", [*path, "quantity"], msg)
            lines.append(
                ReturnLine(
                    self.next_id(),
                    fl,
                    quantity,
                    (item.get("returnReason") or "UNKNOWN"),
                    item.get("returnReasonNote") or "",
                    item.get("customerNote"),
                )
            )
        ret = Return(
            self.next_id(), order, f"{order.name}-R{len(order.returns) + 1}", status, lines
        )
        order.returns.append(ret)
        if status == "OPEN":
            self._open(ret)
            self.emit("returns/approve", return_payload(ret))
        else:
            self.emit("returns/request", return_payload(ret))
        return ret

    def _fulfillment_line(self, order, ident):
        num = parse_gid(ident, "FulfillmentLineItem")
        return next(
            (
                fl
                for f in order.fulfillments
                if f.status == "SUCCESS"
                for fl in f.lines
                if fl.num == num
            ),
            None,
        )

    def _open(self, ret: Return) -> None:
        ret.status = "OPEN"
        ret.request_approved_at = now_iso()
        rfo = ReverseFulfillmentOrder(self.next_id(), ret.order)
        rfo.lines = [ReverseLine(self.next_id(), line) for line in ret.lines]
        ret.reverse_fulfillment_orders.append(rfo)
        self._touch_return(ret)

    def return_approve(self, ident) -> Return:
        ret = self._live_return(ident)
        self._expect(ret, "REQUESTED", "approved")
        self._open(ret)
        self.emit("returns/approve", return_payload(ret))
        return ret

    def return_decline(self, ident, reason, note=None) -> Return:
        ret = self._live_return(ident)
        self._expect(ret, "REQUESTED", "declined")
        ret.status = "DECLINED"
        ret.decline = {"reason": reason, "note": note}
        self._touch_return(ret)
        self.emit("returns/decline", return_payload(ret))
        return ret

    def return_cancel(self, ident) -> Return:
        """Only before any work was done on it (nothing processed or disposed)."""
        ret = self._live_return(ident)
        if ret.status not in ("REQUESTED", "OPEN"):
            self._expect(ret, "OPEN", "canceled")
        if any(line.processed_quantity for line in ret.lines) or _disposed(ret):
            msg = "Return has processed items and can't be canceled."
            raise ReturnError("INVALID_STATE", ["id"], msg)
        ret.status = "CANCELED"
        for rfo in ret.reverse_fulfillment_orders:
            rfo.status = "CANCELED"
        self._touch_return(ret)
        self.emit("returns/cancel", return_payload(ret))
        return ret

    def return_close(self, ident) -> Return:
        ret = self._live_return(ident)
        self._expect(ret, "OPEN", "closed")
        ret.status, ret.closed_at = "CLOSED", now_iso()
        for rfo in ret.reverse_fulfillment_orders:
            if rfo.status == "OPEN":
                rfo.status = "CLOSED"
        self._touch_return(ret)
        self.emit("returns/close", return_payload(ret))
        return ret

    def return_reopen(self, ident) -> Return:
        ret = self._live_return(ident)
        self._expect(ret, "CLOSED", "reopened")
        ret.status, ret.closed_at = "OPEN", None
        for rfo in ret.reverse_fulfillment_orders:
            if rfo.status == "CLOSED" and any(rl.disposed < rl.total_quantity for rl in rfo.lines):
                rfo.status = "OPEN"
        self._touch_return(ret)
        self.emit("returns/reopen", return_payload(ret))
        return ret

    def _expect(self, ret, status, action):
        if ret.status != status:
            msg = f"Return is {ret.status.lower()} and can't be {action}."
            raise ReturnError("INVALID_STATE", ["id"], msg)

    def _touch_return(self, ret) -> None:
        ret.updated_at = now_iso()
        ret.order.updated_at = ret.updated_at

    # ---------------------------------------------------- process, dispose
    def return_process(self, ident, items) -> Return:
        """returnProcess: confirm quantities of return lines, each with its
        dispositions (which dispose the matching reverse lines)."""
        ret = self.return_(ident)
        if ret is None:
            raise ReturnError("NOT_FOUND", ["input", "returnId"], "Return does not exist.")
        if ret.status != "OPEN":
            msg = f"Return is {ret.status.lower()} and can't be processed."
            raise ReturnError("INVALID_STATE", ["input", "returnId"], msg)
        plan = []
        for index, item in enumerate(items or []):
            path = ["input", "returnLineItems", str(index)]
            line = self._find(ret.lines, item.get("id"), "ReturnLineItem")
            if line is None:
                raise ReturnError("NOT_FOUND", [*path, "id"], "Return line item does not exist.")
            quantity = int(item.get("quantity") or 0)
            done = sum(q for ln, q, _ in plan if ln is line)
            if quantity <= 0 or quantity + done > line.unprocessed_quantity:
                msg = f"Quantity must be between 1 and {line.unprocessed_quantity - done}."
                raise ReturnError("INVALID", [*path, "quantity"], msg)
            dispositions = item.get("dispositions") or []
            if dispositions and sum(int(d["quantity"]) for d in dispositions) != quantity:
                msg = "Disposition quantities must add up to the processed quantity."
                raise ReturnError("INVALID", [*path, "dispositions"], msg)
            for spec in dispositions:
                rline = self._reverse_line(spec.get("reverseFulfillmentOrderLineItemId"))
                if rline is not None and rline.return_line is not line:
                    msg = "Disposition is not for this return line item."
                    raise ReturnError("INVALID", [*path, "dispositions"], msg)
            plan.append((line, quantity, dispositions))
        if not plan:
            msg = "Return line items are blank."
            raise ReturnError("BLANK", ["input", "returnLineItems"], msg)
        checked = self._check_dispositions(
            [d for _, _, ds in plan for d in ds], ["input", "returnLineItems"]
        )
        for line, quantity, _ in plan:
            line.processed_quantity += quantity
        self._dispose(checked)
        self._touch_return(ret)
        self.emit("returns/process", process_payload(ret, plan))
        return ret

    def dispose(self, inputs) -> list[ReverseLine]:
        """reverseFulfillmentOrderDispose."""
        checked = self._check_dispositions(inputs, ["dispositionInputs"])
        self._dispose(checked)
        rfos = []
        for rline, _ in checked:
            if rl_rfo(self, rline) not in rfos:
                rfos.append(rl_rfo(self, rline))
        for rfo in rfos:
            self.emit("reverse_fulfillment_orders/dispose", dispose_payload(rfo, checked))
        return [rl for rl, _ in checked]

    def _check_dispositions(self, inputs, path):
        checked, taken = [], {}
        for index, spec in enumerate(inputs):
            where = [*path, str(index)]
            rline = self._reverse_line(spec.get("reverseFulfillmentOrderLineItemId"))
            if rline is None:
                msg = "Reverse fulfillment order line item does not exist."
                raise ReturnError("NOT_FOUND", [*where, "reverseFulfillmentOrderLineItemId"], msg)
            quantity = int(spec.get("quantity") or 0)
            taken[rline.num] = taken.get(rline.num, 0) + quantity
            if quantity <= 0 or taken[rline.num] > rline.total_quantity - rline.disposed:
                msg = "Quantity exceeds what is left to dispose."
                raise ReturnError("INVALID", [*where, "quantity"], msg)
            kind = spec.get("dispositionType")
            location = self.location(spec["locationId"]) if spec.get("locationId") else None
            if kind == "RESTOCKED" and location is None:
                msg = "A location is required to restock."
                raise ReturnError("INVALID", [*where, "locationId"], msg)
            if rl_rfo(self, rline).status != "OPEN":
                msg = "Reverse fulfillment order is not open."
                raise ReturnError("INVALID_STATE", where, msg)
            checked.append((rline, Disposition(self.next_id(), quantity, kind, location)))
        return checked

    def _dispose(self, checked) -> None:
        for rline, disposition in checked:
            rline.dispositions.append(disposition)
        for rline, _ in checked:
            rfo = rl_rfo(self, rline)
            if all(rl.disposed >= rl.total_quantity for rl in rfo.lines):
                rfo.status = "CLOSED"

    def _reverse_line(self, ident):
        every = [
            rl
            for r in self.all_returns()
            for rfo in r.reverse_fulfillment_orders
            for rl in rfo.lines
        ]
        return self._find(every, ident, "ReverseFulfillmentOrderLineItem")


def rl_rfo(store, rline) -> ReverseFulfillmentOrder:
    return next(
        rfo
        for r in store.all_returns()
        for rfo in r.reverse_fulfillment_orders
        if rline in rfo.lines
    )


def _disposed(ret) -> bool:
    return any(rl.dispositions for rfo in ret.reverse_fulfillment_orders for rl in rfo.lines)


# ------------------------------------------------------------ payloads
def _ref(node) -> dict:
    return {"id": node.num, "admin_graphql_api_id": node.id}


def _line_payload(line: ReturnLine) -> dict:
    fl = line.fulfillment_line_item
    return {
        **_ref(line),
        "fulfillment_line_item": {**_ref(fl), "line_item": _ref(fl.line_item)},
        "quantity": line.quantity,
        "return_reason": line.return_reason.lower(),
        "return_reason_note": line.return_reason_note,
        "customer_note": line.customer_note,
        "restocking_fee": None,
    }


def return_payload(ret: Return) -> dict:
    """The body of the returns/* webhooks (REST shape)."""
    return {
        **_ref(ret),
        "name": ret.name,
        "status": ret.status.lower(),
        "order": _ref(ret.order),
        "total_return_line_items": len(ret.lines),
        "return_line_items": [_line_payload(line) for line in ret.lines],
        "exchange_line_items": [],
        "decline": ret.decline
        and {"reason": ret.decline["reason"].lower(), "note": ret.decline.get("note")},
    }


def process_payload(ret: Return, plan) -> dict:
    return {
        **_ref(ret),
        "order": _ref(ret.order),
        "return_line_items": [
            {**_ref(line), "quantity": quantity, "processed_quantity": line.processed_quantity}
            for line, quantity, _ in plan
        ],
        "exchange_line_items": [],
    }


def dispose_payload(rfo, checked) -> dict:
    return {
        **_ref(rfo),
        "order_id": rfo.order.num,
        "dispositions": [
            {
                "reverse_fulfillment_order_line_item": {
                    **_ref(rl),
                    "fulfillment_line_item": _ref(rl.fulfillment_line_item),
                },
                "type": d.type.lower(),
                "location": d.location and _ref(d.location),
                "quantity": d.quantity,
            }
            for rl, d in checked
            if rl in rfo.lines
        ],
    }


def view(ret: Return) -> dict:
    """The admin API's view of a return (``/_sandbox/returns/<id>``)."""
    return {
        "id": ret.id,
        "legacy_id": ret.num,
        "name": ret.name,
        "status": ret.status,
        "order_id": ret.order.id,
        "line_items": [
            {
                "id": line.id,
                "fulfillment_line_item_id": line.fulfillment_line_item.id,
                "line_item_id": line.fulfillment_line_item.line_item.id,
                "quantity": line.quantity,
                "processed_quantity": line.processed_quantity,
            }
            for line in ret.lines
        ],
        "reverse_fulfillment_orders": [
            {
                "id": rfo.id,
                "status": rfo.status,
                "line_items": [
                    {
                        "id": rl.id,
                        "return_line_item_id": rl.return_line.id,
                        "total_quantity": rl.total_quantity,
                        "dispositions": [
                            {
                                "quantity": d.quantity,
                                "type": d.type,
                                "location_id": d.location.id if d.location else None,
                            }
                            for d in rl.dispositions
                        ],
                    }
                    for rl in rfo.lines
                ],
            }
            for rfo in ret.reverse_fulfillment_orders
        ],
    }
