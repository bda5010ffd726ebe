from datetime import datetime, timedelta, timezone

from odoo.tests import tagged

from ..planning.apply import BODY_FRESH_SECONDS
from ..shopify.const import WEBHOOK_ROUTE
from .common import SyncoShopifyLedCase

READ = "SyncoFulfillmentById"  # the apply's read of one fulfillment


@tagged("post_install", "-at_install")
class TestApplyWebhookBody(SyncoShopifyLedCase):
    """The first webhook about a fulfillment, fresh, stands for Shopify's
    read: the apply validates from its body. A body that may be behind
    Shopify (a cancellation heard first, a delivery retried for hours) is
    read instead. Only fulfillments/update is subscribed: each test sends
    fulfillments/create itself, when it wants it to arrive."""

    TOPICS = ("FULFILLMENTS_UPDATE",)

    def send_create(self, fulfillment, **changes):
        """Shopify's fulfillments/create for ``fulfillment``: its body as
        the sandbox sends it now, or, with ``changes``, a body written by
        hand as Shopify sent it earlier."""
        uri = f"{self.base_url()}{WEBHOOK_ROUTE}"
        if changes:
            self.sandbox.fire("fulfillments/create", uri=uri, payload=changes)
        else:
            self.sandbox.fire("fulfillments/create", resource_id=fulfillment["id"], uri=uri)

    def created_body(self, shopify, fulfillment, updated_at):
        """The fulfillments/create body Shopify sent for ``fulfillment``
        (one anvil, shipped by UPS) when it was made at ``updated_at``."""
        return {
            "id": fulfillment["legacy_id"],
            "order_id": shopify["legacy_id"],
            "status": "success",
            "updated_at": updated_at.isoformat().replace("+00:00", "Z"),
            "location_id": self.loc_main["legacy_id"],
            "tracking_company": "UPS",
            "tracking_numbers": ["1ZLATE"],
            "line_items": [{"id": shopify["line_items"][0]["legacy_id"], "quantity": 1}],
        }

    def deliver_counting_reads(self):
        """Deliver and run the queue; the apply's reads of a fulfillment."""
        self.sandbox.clear_calls()
        self.deliver()
        return sum(call["operation_name"] == READ for call in self.sandbox.calls())

    def test_a_fresh_first_webhook_validates_without_reading_shopify(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        fulfillment = self.sandbox.fulfill(
            shopify["id"],
            tracking={"company": "UPS", "number": "1ZBODY"},
            location_id=self.loc_main["id"],
        )
        self.send_create(fulfillment)
        self.assertEqual(self.deliver_counting_reads(), 0)
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertEqual((picking.carrier_tracking_ref, picking.carrier_id), ("1ZBODY", self.ups))
        self.assertEqual(picking.synco_fulfillment_ids.tracking_number, "1ZBODY")
        self.assertEqual(sale.order_line.qty_delivered, 2)

    def test_a_creation_heard_after_its_cancellation_is_read_and_ships_nothing(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        fulfillment = self.sandbox.fulfill(shopify["id"], location_id=self.loc_main["id"])
        made = datetime.now(timezone.utc)
        self.sandbox.cancel_fulfillment(fulfillment["id"])
        self.deliver()  # fulfillments/update, cancelled: nothing of Odoo's to undo
        self.assertFalse(sale.picking_ids.filtered(lambda p: p.state == "done"))
        # fulfillments/create arrives late, fresh and saying SUCCESS.
        self.send_create(fulfillment, **self.created_body(shopify, fulfillment, made))
        self.assertEqual(self.deliver_counting_reads(), 1)
        self.assertFalse(sale.picking_ids.filtered(lambda p: p.state == "done"))
        self.assertFalse(sale.synco_fulfillment_ids)

    def test_a_webhook_retried_for_hours_is_read_not_trusted(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main))
        fulfillment = self.sandbox.fulfill(shopify["id"], location_id=self.loc_main["id"])
        hours_ago = datetime.now(timezone.utc) - timedelta(seconds=BODY_FRESH_SECONDS + 3 * 3600)
        self.send_create(fulfillment, **self.created_body(shopify, fulfillment, hours_ago))
        self.assertEqual(self.deliver_counting_reads(), 1)
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done")
        self.assertFalse(picking.carrier_tracking_ref, "Shopify's fulfillment has no tracking")
