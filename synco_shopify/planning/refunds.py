"""A Shopify refund (the ``refunds/create`` payload) as plain data, and the
note that tells the sale order's readers about it.

What a refund changes in Odoo's deliveries is the edit planner's business
(``edits``: units refunded after they shipped change nothing there, units
Shopify took off its fulfillment orders are an edit). This module only
reads the refund: its id (what makes the note once), its line items with
their units and ``restock_type``, and the amount refunded.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from ..shopify.ids import legacy_id
from . import notes
from .notes import _lt, note

TEXTS = notes.register(
    {
        "refunds.note": _lt(
            "Refunded in Shopify (refund %(ref)s): %(parts)s. Amount refunded: %(amount)s "
            "%(currency)s."
        ),
        "refunds.note_amount": _lt(
            "Refunded in Shopify (refund %(ref)s): %(amount)s %(currency)s, no units."
        ),
        "refunds.line": _lt("%(label)s: %(quantity)s %(restock)s"),
        "refunds.no_restock": _lt("(not restocked)"),
        "refunds.return": _lt("(returned, restocked)"),
        "refunds.cancel": _lt("(not shipped, cancelled)"),
        "refunds.legacy_restock": _lt("(restocked)"),
    }
)

RESTOCK_TYPES = ("no_restock", "return", "cancel", "legacy_restock")


@dataclass(frozen=True)
class RefundLine:
    line_item_id: str
    quantity: int
    restock_type: str  # one of RESTOCK_TYPES, as Shopify's REST payload spells it
    label: str  # the SKU, else the line item's name
    location_id: str | None = None  # where a restock goes, when Shopify says

    @property
    def restocked(self):
        return self.restock_type != "no_restock"


@dataclass(frozen=True)
class Refund:
    refund_id: str
    order_id: str
    amount: Decimal
    currency: str
    lines: tuple = field(default_factory=tuple)  # RefundLine


def parse_refund(payload):
    """The ``refunds/create`` body as a ``Refund``. The amount is what the
    successful refund transactions paid back; without any (a refund
    recorded without money moving), the refunded lines' subtotals and
    taxes."""
    lines = tuple(_line(row) for row in payload.get("refund_line_items") or ())
    paid = [
        t
        for t in payload.get("transactions") or ()
        if t.get("kind") == "refund" and t.get("status") == "success"
    ]
    if paid:
        amount = sum((Decimal(str(t.get("amount") or 0)) for t in paid), Decimal(0))
        currency = paid[0].get("currency") or ""
    else:
        rows = payload.get("refund_line_items") or ()
        amount = sum(
            (Decimal(str(r.get("subtotal") or 0)) + Decimal(str(r.get("total_tax") or 0)))
            for r in rows
        ) or Decimal(0)
        currency = next((_currency(r.get("subtotal_set")) for r in rows), "")
    return Refund(
        refund_id=legacy_id(payload["id"]),
        order_id=legacy_id(payload["order_id"]),
        amount=amount,
        currency=currency,
        lines=lines,
    )


def _line(row):
    item = row.get("line_item") or {}
    restock = str(row.get("restock_type") or "no_restock").lower()
    location = row.get("location_id")
    return RefundLine(
        line_item_id=legacy_id(row["line_item_id"]),
        quantity=int(row.get("quantity") or 0),
        restock_type=restock if restock in RESTOCK_TYPES else "no_restock",
        label=item.get("sku") or item.get("name") or str(row["line_item_id"]),
        location_id=legacy_id(location) if location else None,
    )


def _currency(money_set):
    return ((money_set or {}).get("shop_money") or {}).get("currency_code") or ""


def refund_note(refund):
    """The chatter note of ``refund``: its units per line, how each was
    restocked, and the amount."""
    values = {
        "ref": refund.refund_id,
        "amount": f"{refund.amount:.2f}",
        "currency": refund.currency,
    }
    if not refund.lines:
        return note("refunds.note_amount", **values)
    parts = tuple(
        note(
            "refunds.line",
            label=line.label,
            quantity=line.quantity,
            restock=note(f"refunds.{line.restock_type}"),
        )
        for line in refund.lines
    )
    return notes.Note("refunds.note", values, parts)
