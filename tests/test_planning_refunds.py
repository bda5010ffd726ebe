"""A Shopify refund read from its refunds/create payload, and its note."""

from decimal import Decimal

from synco_shopify.planning.refunds import parse_refund, refund_note


def payload(rows, transactions=()):
    return {
        "id": 2**53 + 7,
        "admin_graphql_api_id": f"gid://shopify/Refund/{2**53 + 7}",
        "order_id": 2**53 + 1,
        "refund_line_items": [
            {
                "id": 900 + n,
                "line_item_id": item,
                "quantity": quantity,
                "restock_type": restock,
                "location_id": None,
                "subtotal": subtotal,
                "subtotal_set": {"shop_money": {"amount": subtotal, "currency_code": "EUR"}},
                "total_tax": "1.00",
                "line_item": {"id": item, "sku": sku, "name": "Roller skates"},
            }
            for n, (item, quantity, restock, subtotal, sku) in enumerate(rows)
        ],
        "transactions": list(transactions),
    }


def test_parse_reads_the_ids_units_restock_types_and_paid_amount():
    refund = parse_refund(
        payload(
            [(11, 1, "no_restock", "10.00", "ANVIL"), (12, 2, "return", "8.00", "SKATES")],
            [
                {"kind": "refund", "status": "success", "amount": "15.50", "currency": "EUR"},
                {"kind": "refund", "status": "failure", "amount": "99.00", "currency": "EUR"},
            ],
        )
    )
    assert (refund.refund_id, refund.order_id) == (str(2**53 + 7), str(2**53 + 1))
    assert [(r.line_item_id, r.quantity, r.restock_type, r.restocked) for r in refund.lines] == [
        ("11", 1, "no_restock", False),
        ("12", 2, "return", True),
    ]
    assert (refund.amount, refund.currency) == (Decimal("15.50"), "EUR")


def test_without_a_transaction_the_amount_is_the_lines_subtotals_and_taxes():
    refund = parse_refund(payload([(11, 1, "CANCEL", "10.00", "ANVIL")]))
    assert (refund.amount, refund.currency) == (Decimal("11.00"), "EUR")
    assert refund.lines[0].restock_type == "cancel"


def test_the_note_names_units_restocking_and_amount():
    refund = parse_refund(
        payload([(11, 1, "no_restock", "10.00", "ANVIL"), (12, 2, "cancel", "8.00", None)])
    )
    assert str(refund_note(refund)) == (
        f"Refunded in Shopify (refund {2**53 + 7}): ANVIL: 1 (not restocked); "
        "Roller skates: 2 (not shipped, cancelled). Amount refunded: 20.00 EUR."
    )


def test_a_refund_of_money_only_notes_the_amount():
    refund = parse_refund(
        payload([], [{"kind": "refund", "status": "success", "amount": "5", "currency": "USD"}])
    )
    assert str(refund_note(refund)) == (
        f"Refunded in Shopify (refund {2**53 + 7}): 5.00 USD, no units."
    )
