"""What one push read of its Shopify order (``synco.push``): plain data."""

from dataclasses import dataclass, field


@dataclass
class OrderSnapshot:
    """What one push read of its Shopify order, shared by the parts of a
    split delivery: they ship disjoint line items, so creating one leaves
    the others' open lines as read. A move changes the fulfillment orders:
    the push then reads them again into ``fulfillment_orders``."""

    order_gid: str
    fulfillments: list  # the order's fulfillments, without their lines
    fulfillment_orders: list
    # Fulfillment id -> that fulfillment read with its lines, once per push.
    details: dict = field(default_factory=dict)

    def detailed(self, fulfillments, read):
        """``fulfillments`` with their lines: ``read(id)`` (None when Shopify
        no longer has it: the listed one is kept), each id read once."""
        for found in fulfillments:
            if found["id"] not in self.details:
                self.details[found["id"]] = read(found["id"]) or found
        return [self.details[found["id"]] for found in fulfillments]
