from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..shopify.const import REQUIRED_SCOPES
from .common import SyncoCase, SyncoHttpOrderCase, SyncoOrderCase, SyncoShopifyLedCase


@tagged("post_install", "-at_install")
class TestShopifyReturnOdooLed(SyncoHttpOrderCase):
    """Odoo-led: a return approved (or created open) in Shopify becomes a
    Ready return receipt linked as Odoo's Return button links it; its
    validation tells Shopify what came back."""

    TOPICS = ("returns/approve", "returns/decline", "returns/cancel", "returns/reopen")

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"

    def shipped(self, *lines):
        """An order whose deliveries Odoo validated and pushed."""
        shopify, sale = self.order(*lines)
        for picking in sale.picking_ids:
            self.validate(picking)
        self.run_jobs()
        order = self.shopify_order(shopify)
        flines = {fl["sku"]: fl["id"] for f in order["fulfillments"] for fl in f["line_items"]}
        return shopify, sale, flines

    def shopify_return(self, shopify, flines, status="REQUESTED", **quantities):
        lines = [
            {"fulfillment_line_item_id": flines[sku], "quantity": qty}
            for sku, qty in quantities.items()
        ]
        return self.sandbox.create_return(shopify["id"], lines, status=status)

    def link(self, ret):
        return self.env["synco.return"].search([("shopify_return_id", "=", str(ret["legacy_id"]))])

    def receipts(self, ret):
        return self.link(ret).picking_ids

    def test_an_approved_return_becomes_a_ready_receipt_linked_as_odoos_return_button(self):
        shopify, sale, flines = self.shipped((self.anvil, 3, self.loc_main))
        delivery = sale.picking_ids
        ret = self.shopify_return(shopify, flines, ANVIL=2)
        self.deliver()
        self.assertFalse(self.link(ret), "a requested return waits for its approval")
        self.sandbox.return_action(ret["id"], "approve")
        self.deliver()
        receipt = self.receipts(ret)
        self.assertEqual(len(receipt), 1)
        self.assertEqual((receipt.state, receipt.picking_type_code), ("assigned", "incoming"))
        self.assertEqual(receipt.return_id, delivery)
        self.assertEqual(receipt.partner_id, delivery.partner_id)
        self.assertEqual(receipt.picking_type_id.warehouse_id, self.warehouse)
        move = receipt.move_ids
        self.assertEqual((move.product_id, move.product_uom_qty), (self.anvil, 2))
        self.assertEqual(move.origin_returned_move_id, delivery.move_ids)
        self.assertEqual(move.sale_line_id, sale.order_line)
        self.assertEqual(self.link(ret).sale_order_id, sale)
        self.assertEqual(self.link(ret).status, "OPEN")

        self.validate(receipt)
        self.assertEqual(sale.order_line.qty_delivered, 1)
        self.deliver()
        after = self.sandbox.get_return(ret["id"])
        self.assertEqual(after["status"], "CLOSED")
        self.assertEqual(after["line_items"][0]["processed_quantity"], 2)
        dispositions = after["reverse_fulfillment_orders"][0]["line_items"][0]["dispositions"]
        self.assertEqual(
            dispositions, [{"quantity": 2, "type": "RESTOCKED", "location_id": self.loc_main["id"]}]
        )
        self.assertEqual(self.link(ret).status, "CLOSED")

    def test_one_receipt_per_delivery_that_shipped_the_units(self):
        shopify, sale = self.order((self.anvil, 1, self.loc_main), (self.skates, 2, self.loc_main))
        first = sale.picking_ids
        second = self.validate(first, {self.anvil: 1})
        self.validate(second)
        self.run_jobs()
        order = self.shopify_order(shopify)
        flines = {fl["sku"]: fl["id"] for f in order["fulfillments"] for fl in f["line_items"]}
        ret = self.shopify_return(shopify, flines, status="OPEN", ANVIL=1, SKATES=1)
        self.deliver()
        receipts = self.receipts(ret)
        self.assertEqual(
            sorted((r.return_id.name, r.move_ids.product_id.name) for r in receipts),
            sorted([(first.name, "Anvil"), (second.name, "Rocket Skates")]),
        )
        self.assertTrue(all(r.state == "assigned" for r in receipts))

    def test_a_partial_receipt_tells_shopify_about_what_came_and_keeps_a_backorder(self):
        shopify, _sale, flines = self.shipped((self.anvil, 3, self.loc_main))
        ret = self.shopify_return(shopify, flines, status="OPEN", ANVIL=3)
        self.deliver()
        receipt = self.receipts(ret)
        backorder = self.validate(receipt, {self.anvil: 2})
        self.deliver()
        after = self.sandbox.get_return(ret["id"])
        self.assertEqual(
            (after["status"], after["line_items"][0]["processed_quantity"]), ("OPEN", 2)
        )
        self.assertEqual(backorder.synco_return_id, self.link(ret))
        self.assertEqual((backorder.state, backorder.move_ids.product_uom_qty), ("assigned", 1))
        self.validate(backorder)
        self.deliver()
        after = self.sandbox.get_return(ret["id"])
        self.assertEqual(
            (after["status"], after["line_items"][0]["processed_quantity"]), ("CLOSED", 3)
        )

    def test_replays_and_a_second_run_change_nothing(self):
        shopify, _sale, flines = self.shipped((self.anvil, 2, self.loc_main))
        ret = self.shopify_return(shopify, flines, status="OPEN", ANVIL=2)
        self.deliver()
        self.sandbox.fire("returns/approve", ret["id"], duplicates=1)
        self.deliver()
        receipt = self.receipts(ret)
        self.assertEqual(len(receipt), 1)
        job = self.env["synco.job"]._enqueue(
            self.shop,
            "sync_return",
            model="synco.return",
            payload={"return_id": str(ret["legacy_id"]), "order_id": str(shopify["legacy_id"])},
        )
        self.run_jobs()
        self.assertEqual((job.state, job.result), ("done", "receipts already made"))
        self.assertEqual(self.receipts(ret), receipt)
        self.validate(receipt)
        self.deliver()
        process = self.env["synco.job"]._enqueue(self.shop, "process_return", record=receipt)
        self.run_jobs()
        self.assertEqual(process.state, "done", process.last_error)
        after = self.sandbox.get_return(ret["id"])
        self.assertEqual(after["line_items"][0]["processed_quantity"], 2)
        self.assertEqual(
            len(after["reverse_fulfillment_orders"][0]["line_items"][0]["dispositions"]), 1
        )

    def test_declined_or_cancelled_cancels_the_open_receipt_never_a_validated_one(self):
        shopify, sale, flines = self.shipped((self.anvil, 3, self.loc_main))
        first = self.shopify_return(shopify, flines, status="OPEN", ANVIL=1)
        second = self.shopify_return(shopify, flines, status="OPEN", ANVIL=1)
        self.deliver()
        self.validate(self.receipts(second))
        self.sandbox.return_action(first["id"], "cancel")
        self.deliver()
        self.assertEqual(self.receipts(first).state, "cancel")
        self.assertEqual(self.link(first).status, "CANCELED")
        self.assertEqual(self.receipts(second).state, "done")

        third = self.shopify_return(shopify, flines, ANVIL=1)
        self.sandbox.return_action(third["id"], "decline", reason="FINAL_SALE")
        self.deliver()
        self.assertFalse(self.receipts(third))
        self.assertEqual(len(sale.picking_ids.filtered(lambda p: p.state == "done")), 2)

    def test_a_reopened_return_gets_its_receipt_back(self):
        shopify, _sale, flines = self.shipped((self.anvil, 2, self.loc_main))
        ret = self.shopify_return(shopify, flines, status="OPEN", ANVIL=2)
        self.deliver()
        self.receipts(ret).action_cancel()
        self.sandbox.return_action(ret["id"], "close")
        self.sandbox.return_action(ret["id"], "reopen")
        self.deliver()
        live = self.receipts(ret).filtered(lambda p: p.state == "assigned")
        self.assertEqual(live.move_ids.product_uom_qty, 2)

    def test_a_return_of_units_odoo_did_not_ship_stops_with_a_reason_and_a_todo(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        fulfillment = self.sandbox.fulfill(shopify["id"])
        fline = fulfillment["line_items"][0]["id"]
        line = [{"fulfillment_line_item_id": fline, "quantity": 1}]
        self.sandbox.create_return(shopify["id"], line, status="OPEN")
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "sync_return")])
        self.assertEqual(job.state, "failed")
        self.assertIn("no Odoo delivery", job.last_error)
        self.assertTrue(
            sale.activity_ids.filtered(lambda a: "needs attention" in (a.summary or ""))
        )
        self.assertFalse(self.env["stock.picking"].search([("synco_return_id", "!=", False)]))


@tagged("post_install", "-at_install")
class TestShopifyReturnCatchUp(SyncoOrderCase):
    """A lost returns/* webhook: the order catch-up lists the returns of
    changed orders and queues each unseen status once."""

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"

    def test_the_catch_up_finds_a_return_whose_webhook_was_lost(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        self.validate(sale.picking_ids)
        self.run_jobs()
        self.shop.orders_synced_at = fields.Datetime.now() - timedelta(hours=1)
        fulfillment = self.shopify_order(shopify)["fulfillments"][0]
        line = [{"fulfillment_line_item_id": fulfillment["line_items"][0]["id"], "quantity": 1}]
        ret = self.sandbox.create_return(shopify["id"], line, status="OPEN")
        self.env["sale.order"]._synco_cron_catch_up()
        self.run_jobs()
        link = self.env["synco.return"].search([("shopify_return_id", "=", str(ret["legacy_id"]))])
        self.assertEqual(link.picking_ids.state, "assigned")
        self.shop.orders_synced_at = fields.Datetime.now() - timedelta(hours=1)
        self.env["sale.order"]._synco_cron_catch_up()
        self.assertFalse(self.env["synco.job"].search([("state", "=", "pending")]))

    def test_without_the_returns_scopes_the_catch_up_leaves_returns_alone(self):
        shopify, sale = self.order((self.anvil, 2, self.loc_main))
        self.validate(sale.picking_ids)
        self.run_jobs()
        fulfillment = self.shopify_order(shopify)["fulfillments"][0]
        line = [{"fulfillment_line_item_id": fulfillment["line_items"][0]["id"], "quantity": 1}]
        self.sandbox.create_return(shopify["id"], line, status="OPEN")
        self.shop.granted_scopes = ",".join(REQUIRED_SCOPES["fulfillment"])
        self.shop.orders_synced_at = fields.Datetime.now() - timedelta(hours=1)
        self.env["sale.order"]._synco_cron_catch_up()
        self.assertFalse(self.env["synco.job"].search([("job_type", "=", "sync_return")]))


@tagged("post_install", "-at_install")
class TestOdooReturnToShopify(SyncoOrderCase):
    """A return validated in Odoo with the Return button reaches Shopify
    as a return of those line items, processed as restocked."""

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"
        self.shop.send_odoo_returns = True

    def return_in_odoo(self, delivery, quantity):
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        wizard.product_return_moves.quantity = quantity
        receipt = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self.validate(receipt)
        return receipt

    def shipped(self, quantity):
        shopify, sale = self.order((self.anvil, quantity, self.loc_main))
        self.validate(sale.picking_ids)
        self.run_jobs()
        return shopify, sale.picking_ids

    def test_a_validated_odoo_return_becomes_a_processed_shopify_return(self):
        shopify, delivery = self.shipped(3)
        receipt = self.return_in_odoo(delivery, 2)
        self.run_jobs()
        job = self.env["synco.job"].search([("job_type", "=", "create_return")])
        self.assertEqual(job.state, "done", job.last_error)
        (ret,) = self.shopify_order(shopify)["returns"]
        self.assertEqual(ret["status"], "CLOSED")
        self.assertEqual(
            [(li["quantity"], li["processed_quantity"]) for li in ret["line_items"]], [(2, 2)]
        )
        dispositions = ret["reverse_fulfillment_orders"][0]["line_items"][0]["dispositions"]
        self.assertEqual(
            dispositions, [{"quantity": 2, "type": "RESTOCKED", "location_id": self.loc_main["id"]}]
        )
        self.assertEqual(receipt.synco_return_id.origin, "odoo")
        self.assertEqual(receipt.synco_return_id.shopify_return_id, str(ret["legacy_id"]))
        self.assertEqual(delivery.sale_id.synco_return_ids, receipt.synco_return_id)

        again = self.env["synco.job"]._enqueue(self.shop, "create_return", record=receipt)
        self.run_jobs()
        self.assertEqual(again.state, "done", again.last_error)
        self.assertEqual(len(self.shopify_order(shopify)["returns"]), 1)

    def test_the_shop_option_turns_it_off(self):
        self.shop.send_odoo_returns = False
        shopify, delivery = self.shipped(1)
        self.return_in_odoo(delivery, 1)
        self.run_jobs()
        self.assertFalse(self.env["synco.job"].search([("job_type", "=", "create_return")]))
        self.assertEqual(self.shopify_order(shopify)["returns"], [])

    def test_a_receipt_made_from_a_shopify_return_is_never_sent_back(self):
        shopify, delivery = self.shipped(2)
        fline = self.shopify_order(shopify)["fulfillments"][0]["line_items"][0]["id"]
        line = [{"fulfillment_line_item_id": fline, "quantity": 1}]
        ret = self.sandbox.create_return(shopify["id"], line, status="OPEN")
        self.env["synco.return"]._synco_enqueue_sync(self.shop, ret["legacy_id"], shopify["id"])
        self.run_jobs()
        receipt = delivery.return_ids
        self.assertEqual(receipt.synco_return_id.origin, "shopify")
        self.validate(receipt)
        self.run_jobs()
        self.assertFalse(self.env["synco.job"].search([("job_type", "=", "create_return")]))
        self.assertEqual(len(self.shopify_order(shopify)["returns"]), 1)
        self.assertEqual(self.sandbox.get_return(ret["id"])["status"], "CLOSED")


@tagged("post_install", "-at_install")
class TestReturnScopes(SyncoCase):
    """Without read_returns/write_returns the shop connects, says returns
    wait, and subscribes every topic but the returns'."""

    def test_missing_returns_scopes_wait_and_block_nothing_else(self):
        self.sandbox.config(scopes=[*REQUIRED_SCOPES["fulfillment"]])
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "connected")
        self.assertIn("read_returns, write_returns", self.shop.connection_message)
        topics = self.shop._webhook_topics()
        self.assertIn("fulfillments/create", topics)
        self.assertFalse([t for t in topics if t.startswith("returns/")])
        self.sandbox.config(scopes=[*REQUIRED_SCOPES["fulfillment"], *REQUIRED_SCOPES["returns"]])
        self.shop.action_test_connection()
        self.assertNotIn("read_returns", self.shop.connection_message)
        self.assertIn("returns/approve", self.shop._webhook_topics())


@tagged("post_install", "-at_install")
class TestReturnViews(SyncoCase):
    """The merchant sees returns where they look: a Shopify tab on return
    receipts, the returns in the order's Shopify tab, the shop's option."""

    def test_views_show_returns(self):
        picking = self.env["stock.picking"].get_view(view_type="form")["arch"]
        self.assertIn('name="synco_return_id"', picking)
        order = self.env["sale.order"].get_view(view_type="form")["arch"]
        self.assertIn('name="synco_return_ids"', order)
        shop = self.env["synco.shop"].get_view(view_type="form")["arch"]
        self.assertIn('name="send_odoo_returns"', shop)
        action = self.env.ref("synco_shopify.action_synco_return")
        self.assertEqual(action.res_model, "synco.return")


@tagged("post_install", "-at_install")
class TestShopifyReturnShopifyLed(SyncoShopifyLedCase):
    """Shopify-led: the receipt is made the same way and validated when
    Shopify reports the units restocked at its location; units disposed as
    not restocked never come back to stock."""

    TOPICS = (
        "fulfillments/create",
        "fulfillments/update",
        "returns/approve",
        "returns/process",
        "reverse_fulfillment_orders/dispose",
    )

    def test_restocked_units_validate_the_receipt_the_others_never_reach_stock(self):
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        fulfillment = self.sandbox.fulfill(shopify["id"])
        self.deliver()
        self.assertEqual(sale.picking_ids.state, "done")
        before = self.on_hand(self.anvil)
        line = [{"fulfillment_line_item_id": fulfillment["line_items"][0]["id"], "quantity": 3}]
        ret = self.sandbox.create_return(shopify["id"], line, status="OPEN")
        self.deliver()
        link = self.env["synco.return"].search([("shopify_return_id", "=", str(ret["legacy_id"]))])
        receipt = link.picking_ids
        self.assertEqual(receipt.state, "assigned")
        reverse_line = ret["reverse_fulfillment_orders"][0]["line_items"][0]["id"]
        restock = {"reverse_line_id": reverse_line, "quantity": 2, "type": "RESTOCKED"}
        self.sandbox.dispose_return(ret["id"], [{**restock, "location_id": self.loc_main["id"]}])
        self.deliver()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(self.on_hand(self.anvil), before + 2)
        backorder = link.picking_ids - receipt
        self.assertEqual((backorder.state, backorder.move_ids.product_uom_qty), ("assigned", 1))
        scrap = {"reverse_line_id": reverse_line, "quantity": 1, "type": "NOT_RESTOCKED"}
        self.sandbox.dispose_return(ret["id"], [scrap])
        self.deliver()
        self.assertEqual(backorder.state, "cancel")
        self.assertEqual(self.on_hand(self.anvil), before + 2)
        self.assertFalse(self.env["synco.job"].search([("job_type", "=", "process_return")]))
        self.assertEqual(
            self.sandbox.get_return(ret["id"])["line_items"][0]["processed_quantity"], 0
        )


@tagged("post_install", "-at_install")
class TestRestockingRefund(SyncoHttpOrderCase):
    """refunds/create restocking fulfilled units (restock type return): a
    Ready return receipt, once, never sent back to Shopify."""

    TOPICS = ("refunds/create",)

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self.shop.fulfillment_direction = "odoo_to_shopify"

    def test_a_restocking_refund_makes_a_ready_receipt_once(self):
        shopify, sale = self.order((self.anvil, 3, self.loc_main))
        delivery = sale.picking_ids
        self.validate(delivery)
        self.run_jobs()
        line = {"line_item_id": shopify["line_items"][0]["id"], "quantity": 2}
        refund = self.sandbox.refund(shopify["id"], [line], restock_type="return")
        self.deliver()
        job = self.env["synco.job"].search([("job_type", "=", "restock_refund")])
        self.assertEqual(job.state, "done", job.last_error)
        receipt = delivery.return_ids
        self.assertEqual((receipt.state, receipt.move_ids.product_uom_qty), ("assigned", 2))
        self.assertEqual(receipt.synco_return_id.origin, "refund")
        self.assertIn(str(refund["refund_id"]), receipt.synco_return_id.shopify_return_id)
        again = self.env["synco.job"]._enqueue(
            self.shop, "restock_refund", model="synco.return", payload=job.payload
        )
        self.run_jobs()
        self.assertEqual((again.state, again.result), ("done", "receipt already made"))
        self.validate(receipt)
        self.run_jobs()
        kinds = set(self.env["synco.job"].search([]).mapped("job_type"))
        self.assertFalse(kinds & {"process_return", "create_return"})
        self.assertEqual(self.shopify_order(shopify)["returns"], [])
