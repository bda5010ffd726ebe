"""Fulfillment semantics: create, tracking update, cancel, move.

Every operation validates everything first and changes nothing when it
returns user errors, which is what Shopify does and what lets the addon
treat a userError as "nothing happened". Messages follow Shopify's where
we know them (see the report of the sandbox for the guessed ones).
"""

from __future__ import annotations

from . import payloads
from .models import Fulfillment, FulfillmentLine, FulfillmentOrder, FulfillmentOrderLine, now_iso

TRACKING_URLS = {
    "UPS": "https://www.ups.com/track?tracknum={}",
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={}",
    "DHL Express": "https://www.dhl.com/en/express/tracking.html?AWB={}",
    "DHL eCommerce": "https://webtrack.dhlecs.com/?trackingnumber={}",
    "DPD": "https://tracking.dpd.de/status/en_US/parcel/{}",
    "GLS": "https://gls-group.eu/track/{}",
    "Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/{}",
    "Canada Post": "https://www.canadapost-postescanada.ca/track-reperage/en#/details/{}",
    "Australia Post": "https://auspost.com.au/mypost/track/#/details/{}",
    "PostNL": "https://postnl.nl/tracktrace/?B={}",
    "Colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={}",
    "Chronopost": "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={}",
}

FULFILLABLE = ("OPEN", "IN_PROGRESS")
# Request statuses whose fulfillment order the merchant may move: never
# requested, or given back by the fulfillment service.
MOVABLE_REQUESTS = ("UNSUBMITTED", "REJECTED", "CANCELLATION_ACCEPTED", "CLOSED")
FULFILLMENT_STATUSES = ("SUCCESS", "PENDING", "OPEN", "ERROR", "FAILURE", "CANCELLED")
QUANTITY_ERROR = "Invalid fulfillment order line item quantity requested."
# Shopify's limit per fulfillment order input of one fulfillmentCreate (the
# message is the sandbox's guess).
MAX_INPUT_LINES = 512


def build_tracking(spec: dict | None) -> list[dict]:
    """Shopify's trackingInfo list from {company, number|numbers, url|urls}."""
    if not spec:
        return []
    company = spec.get("company")
    numbers = list(spec.get("numbers") or ([spec["number"]] if spec.get("number") else []))
    urls = list(spec.get("urls") or ([spec["url"]] if spec.get("url") else []))
    if not numbers:
        return [{"company": company, "number": None, "url": urls[0] if urls else None}]
    template = TRACKING_URLS.get(company or "")
    result = []
    for i, number in enumerate(numbers):
        url = urls[i] if i < len(urls) else None
        if url is None and template:
            url = template.format(number)
        result.append({"company": company, "number": number, "url": url})
    return result


def _err(errors: list, message: str, *path) -> None:
    errors.append({"field": [str(p) for p in path] or None, "message": message})


class FulfillmentOps:
    """Mixin of Store (which provides lookups, next_id, emit, touch)."""

    def supported_actions(self, fo: FulfillmentOrder) -> list[str]:
        if fo.status == "ON_HOLD":
            return ["RELEASE_HOLD"]
        if fo.status == "SCHEDULED":
            return ["MARK_AS_OPEN"]
        if fo.status not in FULFILLABLE:
            return []
        if fo.location.is_3pl:
            actions = {
                "UNSUBMITTED": ["REQUEST_FULFILLMENT"],
                "CANCELLATION_ACCEPTED": ["REQUEST_FULFILLMENT"],
                "ACCEPTED": ["REQUEST_CANCELLATION"],
            }.get(fo.request_status, [])
        else:
            actions = ["CREATE_FULFILLMENT", "HOLD"]
        others = [loc for loc in self.locations if loc.is_active and loc is not fo.location]
        if others and fo.request_status in MOVABLE_REQUESTS:
            actions.append("MOVE")
        return actions

    # -------------------------------------------------------------- create
    def fulfillment_create(self, data: dict, origin: str = "api"):
        """GraphQL fulfillmentCreate. Returns (fulfillment or None, user errors)."""
        errors: list[dict] = []
        groups = data.get("lineItemsByFulfillmentOrder") or []
        if not groups:
            _err(errors, "Line items by fulfillment order can't be blank", "fulfillment")
        fos: list[FulfillmentOrder] = []
        allocations: list[tuple[FulfillmentOrderLine, int]] = []
        for i, group in enumerate(groups):
            path = ("fulfillment", "lineItemsByFulfillmentOrder", i)
            fo = self.fulfillment_order(group.get("fulfillmentOrderId"))
            if fo is None:
                _err(errors, "Fulfillment order does not exist.", *path, "fulfillmentOrderId")
                continue
            if fo in fos:
                _err(errors, "Fulfillment orders must be unique.", *path, "fulfillmentOrderId")
                continue
            fos.append(fo)
            if fo.status not in FULFILLABLE:
                msg = (
                    f"Fulfillment order {fo.num} has an unfulfillable status= {fo.status.lower()}."
                )
                _err(errors, msg, *path, "fulfillmentOrderId")
                continue
            # A service fulfills what it accepted, also after refusing to cancel it.
            if fo.location.is_3pl and fo.request_status not in (
                "ACCEPTED",
                "CANCELLATION_REJECTED",
            ):
                msg = (
                    f"Fulfillment order {fo.num} is assigned to a fulfillment service location "
                    "and its fulfillment request has not been accepted."
                )
                _err(errors, msg, *path, "fulfillmentOrderId")
                continue
            items = group.get("fulfillmentOrderLineItems")
            if items is not None and len(items) > MAX_INPUT_LINES:
                msg = f"A fulfillment order input takes at most {MAX_INPUT_LINES} line items."
                _err(errors, msg, *path, "fulfillmentOrderLineItems")
                continue
            allocations += self._select_lines(fo, items, errors, path)
        if len({fo.order.num for fo in fos}) > 1:
            msg = "All fulfillment orders must belong to the same order."
            _err(errors, msg, "fulfillment", "lineItemsByFulfillmentOrder")
        if len({fo.location.num for fo in fos}) > 1:
            msg = "All fulfillment orders must be assigned to the same location."
            _err(errors, msg, "fulfillment", "lineItemsByFulfillmentOrder")
        if not errors and not allocations:
            _err(errors, "Fulfillment must contain at least one line item.", "fulfillment")
        if errors:
            return None, errors
        fulfillment = self.apply_fulfillment(
            fos[0].order, fos[0].location, allocations, data.get("trackingInfo"), origin
        )
        return fulfillment, []

    def _select_lines(self, fo, items, errors, path):
        """(line, quantity) pairs requested of one FO; everything remaining when items is None."""
        if items is None:
            return [(line, line.remaining_quantity) for line in fo.lines if line.remaining_quantity]
        wanted: dict[int, int] = {}
        by_gid = {line.id: line for line in fo.lines}
        for j, item in enumerate(items):
            line = by_gid.get(item.get("id"))
            if line is None:
                msg = "Fulfillment order line item does not exist."
                _err(errors, msg, *path, "fulfillmentOrderLineItems", j, "id")
                continue
            quantity = item.get("quantity") or 0
            if quantity <= 0:
                _err(errors, QUANTITY_ERROR, *path, "fulfillmentOrderLineItems", j, "quantity")
                continue
            wanted[line.num] = wanted.get(line.num, 0) + quantity
            if wanted[line.num] > line.remaining_quantity:
                _err(errors, QUANTITY_ERROR, *path, "fulfillmentOrderLineItems", j, "quantity")
        return [(line, wanted[line.num]) for line in fo.lines if line.num in wanted]

    def apply_fulfillment(
        self, order, location, allocations, tracking, origin="api", status="SUCCESS"
    ):
        """Record a fulfillment of already validated allocations, and announce it."""
        number = len(order.fulfillments) + 1
        fulfillment = Fulfillment(self.next_id(), order, location, f"{order.name}.{number}")
        fulfillment.origin = origin
        fulfillment.status = status
        per_line_item: dict[int, FulfillmentLine] = {}
        for fo_line, quantity in allocations:
            fo_line.remaining_quantity -= quantity
            li = fo_line.line_item
            if li.num not in per_line_item:
                per_line_item[li.num] = FulfillmentLine(self.next_id(), li, 0)
                fulfillment.lines.append(per_line_item[li.num])
            per_line_item[li.num].quantity += quantity
        fulfillment.allocations = list(allocations)
        fulfillment.tracking = build_tracking(tracking)
        order.fulfillments.append(fulfillment)
        for fo in fulfillment.fulfillment_orders:
            fo.status = fo.progress_status()
            fo.updated_at = now_iso()
        if origin == "api" and not self.config.echo_app_fulfillments:
            order.updated_at = now_iso()  # changed all the same, announced to nobody
            return fulfillment
        self.emit("fulfillments/create", payloads.fulfillment(fulfillment))
        status = order.display_fulfillment_status
        topic = "orders/fulfilled" if status == "FULFILLED" else "orders/partially_fulfilled"
        self.emit(topic, payloads.order(order, self.config.shop_domain))
        self.touch(order)
        return fulfillment

    def admin_fulfill(self, order, items=None, tracking=None, location_ident=None, status=None):
        """A fulfillment made in the Shopify admin or by a 3PL (3PL FOs allowed);
        a 3PL's can start as PENDING or OPEN (legacy statuses still seen)."""
        from .store import SandboxError

        status = (status or "SUCCESS").upper()
        if status not in FULFILLMENT_STATUSES:
            raise SandboxError(f"unknown fulfillment status {status}")

        open_fos = [fo for fo in order.fulfillment_orders if fo.status in FULFILLABLE]
        if location_ident:
            location = self.location(location_ident)
            if location is None:
                raise SandboxError(f"unknown location {location_ident}")
        else:
            first_sku = (items or [{}])[0]
            candidates = [
                fo
                for fo in open_fos
                for line in fo.lines
                if line.remaining_quantity and _matches(line, first_sku)
            ]
            if not candidates:
                raise SandboxError("nothing left to fulfill")
            location = candidates[0].location
        lines = [line for fo in open_fos if fo.location is location for line in fo.lines]
        if items is None:
            allocations = [
                (line, line.remaining_quantity) for line in lines if line.remaining_quantity
            ]
        else:
            allocations = []
            for item in items:
                need = int(item.get("quantity", 0))
                if need <= 0:
                    raise SandboxError("quantity must be positive")
                for line in lines:
                    if need and line.remaining_quantity and _matches(line, item):
                        take = min(need, line.remaining_quantity)
                        allocations.append((line, take))
                        need -= take
                if need:
                    raise SandboxError(f"not enough open quantity at {location.name} for {item}")
        if not allocations:
            raise SandboxError("nothing left to fulfill")
        return self.apply_fulfillment(
            order, location, allocations, tracking, origin="admin", status=status
        )

    def set_fulfillment_status(self, fulfillment, status: str):
        """A 3PL reports progress: PENDING or OPEN becomes SUCCESS (goods left),
        ERROR or FAILURE (the items open again, as after a cancel). Shopify
        announces it with fulfillments/update."""
        status = status.upper()
        if fulfillment is None:
            return [{"field": ["id"], "message": "Fulfillment does not exist."}]
        if status not in FULFILLMENT_STATUSES or fulfillment.status not in ("PENDING", "OPEN"):
            msg = f"Cannot change a {fulfillment.status.lower()} fulfillment to {status.lower()}."
            return [{"field": ["status"], "message": msg}]
        if status in ("ERROR", "FAILURE", "CANCELLED"):
            self._give_back(fulfillment)
        fulfillment.status = status
        fulfillment.updated_at = now_iso()
        self.emit("fulfillments/update", payloads.fulfillment(fulfillment))
        self.touch(fulfillment.order)
        return []

    # ------------------------------------------------------ tracking, cancel
    def update_tracking(self, fulfillment, tracking: dict):
        if fulfillment is None:
            return [{"field": ["fulfillmentId"], "message": "Fulfillment does not exist."}]
        if fulfillment.status == "CANCELLED":
            msg = "Cannot update tracking of a cancelled fulfillment."
            return [{"field": ["fulfillmentId"], "message": msg}]
        fulfillment.tracking = build_tracking(tracking)
        fulfillment.updated_at = now_iso()
        self.emit("fulfillments/update", payloads.fulfillment(fulfillment))
        return []

    def cancel_fulfillment(self, fulfillment):
        if fulfillment is None:
            return [{"field": ["id"], "message": "Fulfillment does not exist."}]
        if fulfillment.status == "CANCELLED":
            return [{"field": ["id"], "message": "Fulfillment is already cancelled."}]
        fulfillment.status = "CANCELLED"
        fulfillment.updated_at = now_iso()
        self._give_back(fulfillment)
        self.emit("fulfillments/update", payloads.fulfillment(fulfillment))
        self.touch(fulfillment.order)
        return []

    def _give_back(self, fulfillment):
        """Reopen what ``fulfillment`` took off its fulfillment orders."""
        for fo_line, quantity in fulfillment.allocations:
            fo = fo_line.fulfillment_order
            if fo.status == "CANCELLED" or fo_line not in fo.lines:
                continue
            fo_line.remaining_quantity += quantity
        for fo in fulfillment.fulfillment_orders:
            if fo.status in ("OPEN", "IN_PROGRESS", "CLOSED"):
                fo.status = fo.progress_status()
                fo.updated_at = now_iso()

    # ----------------------------------------------------------------- move
    def move_fulfillment_order(self, fo_ident, location_ident, items=None):
        """Returns (moved FO, original FO, remaining FO, user errors)."""
        errors: list[dict] = []
        fo = self.fulfillment_order(fo_ident)
        location = self.location(location_ident)
        if fo is None:
            _err(errors, "Fulfillment order does not exist.", "id")
        if location is None or not location.is_active:
            _err(errors, "Location not found.", "newLocationId")
        if errors:
            return None, None, None, errors
        if fo.status in ("CLOSED", "CANCELLED", "ON_HOLD", "INCOMPLETE"):
            msg = f"Cannot move a fulfillment order with status {fo.status.lower()}."
            _err(errors, msg, "id")
        elif fo.request_status not in MOVABLE_REQUESTS:
            msg = "Cannot move a fulfillment order that has a submitted fulfillment request."
            _err(errors, msg, "id")
        elif location is fo.location:
            msg = "Cannot move a fulfillment order to the location it is already assigned to."
            _err(errors, msg, "newLocationId")
        if errors:
            return None, None, None, errors
        selection = self._select_lines(fo, items, errors, ("fulfillmentOrderLineItems",))
        unstocked = [
            line.sku or line.line_item.title
            for line, _qty in selection
            if line.line_item.variant and location.num not in line.line_item.variant.location_nums
        ]
        if unstocked:
            msg = "Destination location does not stock: " + ", ".join(unstocked) + "."
            _err(errors, msg, "newLocationId")
        if not errors and not selection:
            _err(errors, "Nothing to move.", "fulfillmentOrderLineItems")
        if errors:
            return None, None, None, errors
        source = fo.location
        untouched = all(line.remaining_quantity == line.total_quantity for line in fo.lines)
        chosen = {line.num: qty for line, qty in selection}
        everything = all(chosen.get(line.num, 0) == line.remaining_quantity for line in fo.lines)
        if untouched and everything:
            fo.location = location
            fo.updated_at = now_iso()
            moved, remaining = fo, None
        else:
            moved = FulfillmentOrder(self.next_id(), fo.order, location)
            for line, qty in selection:
                moved.lines.append(
                    FulfillmentOrderLine(self.next_id(), moved, line.line_item, qty, qty)
                )
                line.total_quantity -= qty
                line.remaining_quantity -= qty
            fo.lines = [line for line in fo.lines if line.total_quantity > 0]
            fo.status = fo.progress_status()
            fo.updated_at = now_iso()
            fo.order.fulfillment_orders.append(moved)
            remaining = fo if fo.status != "CLOSED" else None
        self.emit("fulfillment_orders/moved", payloads.fo_moved(fo, moved, source, selection))
        return moved, fo, remaining, []


def _matches(line: FulfillmentOrderLine, item: dict) -> bool:
    """Does an admin-API line spec ({line_item_id} or {sku}) name this FO line?"""
    ident = item.get("line_item_id")
    if ident is not None:
        return str(ident) in (line.line_item.id, str(line.line_item.num))
    if item.get("sku") is not None:
        return line.line_item.sku == item["sku"]
    return True
