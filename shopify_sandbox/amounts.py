"""Amounts of a sandbox order as Shopify computes them: money sets, tax
lines summed per title and rate, the order's totals and its current total
after edits and refunds. Plain data in, strings of two decimals out.
"""

from __future__ import annotations

from decimal import Decimal


def money_set(amount: str, currency: str) -> dict:
    money = {"amount": amount, "currency_code": currency}
    return {"shop_money": money, "presentment_money": dict(money)}


def amount_sum(values) -> str:
    return str(sum((Decimal(v) for v in values), Decimal("0.00")).quantize(Decimal("0.01")))


def rest_tax_lines(lines: list[dict], currency: str) -> list[dict]:
    return [
        {
            "title": t["title"],
            "rate": t["rate"],
            "price": t["amount"],
            "price_set": money_set(t["amount"], currency),
        }
        for t in lines
    ]


def order_tax_lines(o) -> list[dict]:
    """The order's tax lines: as given, else the line and shipping tax lines
    summed per title and rate, as Shopify aggregates them."""
    if o.tax_lines:
        return o.tax_lines
    merged: dict[tuple, Decimal] = {}
    every = [t for li in o.line_items for t in li.tax_lines]
    every += [t for s in o.shipping_lines for t in s["tax_lines"]]
    for t in every:
        key = (t["title"], t["rate"])
        merged[key] = merged.get(key, Decimal(0)) + Decimal(t["amount"])
    return [{"title": k[0], "rate": k[1], "amount": amount_sum([v])} for k, v in merged.items()]


def order_totals(o) -> dict:
    """Shopify's order amounts: the subtotal is after discounts, the total
    adds shipping and, unless prices include it, tax."""
    before = amount_sum(Decimal(li.price) * li.quantity for li in o.line_items)
    discounts = amount_sum(d["amount"] for li in o.line_items for d in li.discount_allocations)
    subtotal = amount_sum([Decimal(before) - Decimal(discounts)])
    shipping = amount_sum(s["price"] for s in o.shipping_lines)
    tax = amount_sum(t["amount"] for t in order_tax_lines(o))
    total = amount_sum([subtotal, shipping] + ([] if o.taxes_included else [tax]))
    return {
        "line_items": before,
        "discounts": discounts,
        "subtotal": subtotal,
        "shipping": shipping,
        "tax": tax,
        "total": total,
    }


def current_total(o) -> str:
    """``currentTotalPriceSet``: the total after edits and refunds lowered
    line items' current quantities (each line's discounts and taxes in
    proportion); shipping as charged."""
    total = Decimal(0)
    for li in o.line_items:
        share = Decimal(li.current_quantity) / li.quantity if li.quantity else Decimal(0)
        discounts = sum((Decimal(d["amount"]) for d in li.discount_allocations), Decimal(0))
        total += Decimal(li.price) * li.current_quantity - discounts * share
        if not o.taxes_included:
            total += sum((Decimal(t["amount"]) for t in li.tax_lines), Decimal(0)) * share
    for ship in o.shipping_lines:
        total += Decimal(ship["price"])
        if not o.taxes_included:
            total += sum((Decimal(t["amount"]) for t in ship["tax_lines"]), Decimal(0))
    if o.tax_lines and not o.taxes_included:
        full = order_totals(o)
        before = Decimal(full["subtotal"]) or Decimal(1)
        total += Decimal(full["tax"]) * (total - Decimal(full["shipping"])) / before
    return amount_sum([total])
