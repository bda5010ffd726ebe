"""Tracking as Shopify shows it on a fulfillment (a read or a mutation's
answer) and as it takes it (FulfillmentTrackingInput)."""

import re

# Odoo joins several tracking numbers with commas; people type ";" or lines.
# Plain spaces are kept: "1Z 999 AA1 0123 4567 84" is one UPS number.
_TRACKING_SEPARATORS = re.compile(r"[,;\r\n]+")


def first_tracking(fulfillment):
    """The first item of ``fulfillment``'s ``trackingInfo`` ({number,
    company, url}), or {} when it has none (or there is no fulfillment)."""
    return ((fulfillment or {}).get("trackingInfo") or [{}])[0] or {}


def tracking_reference(fulfillment):
    """Every tracking number of ``fulfillment`` as Odoo keeps them (joined
    with commas), or False when it has none."""
    items = (fulfillment or {}).get("trackingInfo") or []
    return ",".join(item["number"] for item in items if item.get("number")) or False


def tracking_input(reference, company, known_company, url=None):
    """FulfillmentTrackingInput from Odoo's tracking ``reference`` (numbers
    separated by commas, semicolons or line breaks; deduplicated, in order)
    and carrier ``company``. ``url`` (text or a list) is sent only for a
    company Shopify does not know. None when there is nothing to send."""
    numbers = list(dict.fromkeys(n.strip() for n in _TRACKING_SEPARATORS.split(reference or "")))
    numbers = [n for n in numbers if n]
    company = (company or "").strip()
    if not numbers and not company:
        return None
    result = {"company": company} if company else {}
    if len(numbers) == 1:
        result["number"] = numbers[0]
    elif numbers:
        result["numbers"] = numbers
    urls = [url] if isinstance(url, str) else list(url or ())
    urls = [u.strip() for u in urls if u and u.strip()]
    if urls and not known_company:
        result.update({"urls": urls} if len(numbers) > 1 else {"url": urls[0]})
    return result
