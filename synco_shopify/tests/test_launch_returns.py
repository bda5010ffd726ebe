"""The launch suite's return case, in both directions, end to end: a
customer's return of shipped units, made in Shopify through the public
GraphQL Admin API (``returnCreate``, as a merchant records it: open at
once), its webhook signed and posted to the real controller as Shopify
would send it, and the units back in stock on both sides.

Odoo-led, the addon makes a Ready return receipt, the warehouse validates
it, and the addon processes the return in Shopify (restocked at the
location the warehouse maps to) and closes it. Shopify-led, the merchant
processes the return in Shopify (``returnProcess``, restocked at the
location) and the addon validates Odoo's receipt. Same store as the rest
of the launch suite (see ``test_launch_suite``); the app also needs
``read_returns`` and ``write_returns``.
"""

from odoo.tests import tagged

from ..shopify.const import WEBHOOK_ROUTE
from ..shopify.ids import legacy_id
from .launch_case import LaunchCase


@tagged("post_install", "-at_install", "synco_launch")
class TestLaunchReturns(LaunchCase):
    def customer_returns(self, order, quantity):
        """The return made in Shopify and its returns/approve posted."""
        ret = self.store.create_return(order["id"], {self.settings["sku"]: quantity})
        self.assertEqual(ret["status"], "OPEN")
        self.relay_return("returns/approve", ret)
        return ret

    def relay_return(self, topic, ret):
        """Post what Shopify would send for ``ret``, then run the queue."""
        body, headers = self.store.return_delivery(topic, ret)
        response = self.url_open(WEBHOOK_ROUTE, data=body, headers=headers)
        self.assertEqual(response.status_code, 200, response.text)
        self.run_jobs()

    def link(self, ret):
        return self.env["synco.return"].search(
            [("shop_id", "=", self.shop.id), ("shopify_return_id", "=", str(legacy_id(ret["id"])))]
        )

    def restocked(self, ret):
        """[(quantity, type, location gid)] of the return's dispositions."""
        return [
            (d["quantity"], d["type"], d["location"] and d["location"]["id"])
            for rfo in ret["reverseFulfillmentOrders"]["nodes"]
            for node in rfo["lineItems"]["nodes"]
            for d in node["dispositions"]
        ]

    def processed(self, ret):
        return [n["processedQuantity"] for n in ret["returnLineItems"]["nodes"]]

    def assert_ready_receipt(self, ret, delivery, quantity):
        """One Ready receipt for the return, linked to the delivery as
        Odoo's Return button links it."""
        sale = delivery.sale_id
        link = self.link(ret)
        self.assertEqual(link.sale_order_id, sale)
        receipt = link.picking_ids
        self.assertEqual(len(receipt), 1)
        self.assertEqual((receipt.state, receipt.picking_type_code), ("assigned", "incoming"))
        self.assertEqual(receipt.return_id, delivery)
        self.assertEqual(receipt.move_ids.origin_returned_move_id, delivery.move_ids)
        self.assertEqual(receipt.picking_type_id.warehouse_id, self.warehouse)
        self.assertEqual(receipt.move_ids.product_id, self.product)
        self.assertEqual(receipt.move_ids.product_uom_qty, quantity)
        return receipt

    def test_odoo_return_received_in_odoo_is_processed_in_shopify(self):
        self.odoo_leads()
        order, sale = self.place(3)
        delivery = sale.picking_ids
        self.validate(delivery, tracking="1ZRET1")
        self.run_jobs()
        self.assertEqual(self.status(order), "FULFILLED")
        ret = self.customer_returns(order, 2)
        receipt = self.assert_ready_receipt(ret, delivery, 2)
        self.assertEqual(self.link(ret).status, "OPEN")
        self.assertEqual(self.processed(self.store.return_(ret["id"])), [0])

        before = self.on_hand(self.warehouse)
        self.validate(receipt)
        self.assertEqual(self.on_hand(self.warehouse), before + 2)
        self.assertEqual(sale.order_line.filtered("product_id").qty_delivered, 1)
        self.run_jobs()
        after = self.store.return_(ret["id"])
        self.assertEqual(after["status"], "CLOSED")
        self.assertEqual(self.processed(after), [2])
        self.assertEqual(self.restocked(after), [(2, "RESTOCKED", self.main["id"])])
        self.assertEqual(self.link(ret).status, "CLOSED")
        # The returns/process Shopify sends for it: Odoo changes nothing.
        self.relay_return("returns/process", after)
        self.assertEqual(self.link(ret).picking_ids, receipt)
        self.assertEqual(self.on_hand(self.warehouse), before + 2)
        self.assertEqual(self.processed(self.store.return_(ret["id"])), [2])

    def test_shopify_return_processed_in_shopify_validates_odoos_receipt(self):
        self.shopify_leads()
        order, sale = self.place(2)
        self.ship_in_shopify(order, tracking=("UPS", "1ZRET2"))
        delivery = sale.picking_ids
        self.assertEqual(delivery.state, "done")
        ret = self.customer_returns(order, 2)
        receipt = self.assert_ready_receipt(ret, delivery, 2)

        before = self.on_hand(self.warehouse)
        processed = self.store.process_return(ret, self.main["id"])
        self.assertEqual(self.processed(processed), [2])
        self.assertEqual(self.restocked(processed), [(2, "RESTOCKED", self.main["id"])])
        self.relay_return("returns/process", processed)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.move_ids.quantity, 2)
        self.assertEqual(self.on_hand(self.warehouse), before + 2)
        self.assertEqual(sale.order_line.filtered("product_id").qty_delivered, 0)
        self.assertEqual(self.link(ret).picking_ids, receipt)
        # Odoo tells Shopify nothing back: the units were processed there.
        self.assertFalse(
            self.env["synco.job"].search([("job_type", "in", ("process_return", "create_return"))])
        )
        self.assertEqual(self.processed(self.store.return_(ret["id"])), [2])
