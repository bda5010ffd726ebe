"""The queue's registry is the one list of job types and webhook topics, and
each handler it names is a method of the model it names."""

import re
from pathlib import Path

import pytest

from synco_shopify.queue import registry
from synco_shopify.shopify import const, webhooks

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    path
    for addon in ("synco_shopify", "synco_shopify_mrp")
    for path in (ROOT / addon).rglob("*.py")
    if "tests" not in path.relative_to(ROOT).parts
]


def _classes_of(model):
    """The source of every Odoo class defining or extending ``model``."""
    found = []
    for path in SOURCES:
        text = path.read_text()
        for block in re.split(r"\n(?=class )", text):
            if re.search(rf"""_(name|inherit) = ["']{re.escape(model)}["']""", block):
                found.append(block)
    return found


TOPIC_HANDLERS = {t.handler for t in registry.TOPICS.values() if t.handler}


def test_the_job_type_selection_is_the_registry():
    assert [job_type for job_type, _label in registry.JOB_TYPES] == list(registry.JOBS)
    assert all(label for _type, label in registry.JOB_TYPES)


def test_the_shop_subscribes_to_exactly_the_topics_with_a_job():
    # The fulfillment service's notification is stored as an event too, but
    # Shopify posts it to the service's callback, without a subscription.
    unsubscribed = {const.FULFILLMENT_NOTIFICATION_TOPIC}
    assert set(registry.TOPICS) - unsubscribed == set(const.WEBHOOK_TOPICS)


def test_each_topic_queues_a_registered_job_type_and_only_webhook_jobs_name_a_handler():
    for name, topic in registry.TOPICS.items():
        assert topic.job_type in registry.JOBS, name
        assert (topic.handler is not None) == (topic.job_type == "webhook"), name


@pytest.mark.parametrize(
    "handler",
    sorted({entry.handler for entry in registry.JOBS.values()} | TOPIC_HANDLERS),
)
def test_each_handler_is_a_method_of_its_model(handler):
    classes = _classes_of(handler.model)
    assert classes, f"no class defines {handler.model}"
    assert any(f"    def {handler.method}(" in block for block in classes), handler


def test_job_and_topic_handlers_follow_their_naming():
    assert all(e.handler.method.startswith("_synco_job_") for e in registry.JOBS.values())
    assert all(h.method.startswith("_synco_on_") for h in TOPIC_HANDLERS)


def test_unknown_topics_have_no_job():
    assert registry.topic("products/update") is None
    assert registry.topic("fulfillments/create").job_type == "apply_fulfillment"
    with pytest.raises(KeyError):
        registry.job_handler("no_such_type")


def test_no_handler_name_is_built_from_a_string():
    built = re.compile(r"""f["']_synco_(job|on)_""")
    offenders = [str(p.relative_to(ROOT)) for p in SOURCES if built.search(p.read_text())]
    assert offenders == []


# -- what each topic's job takes from the body -----------------------------------

BIG = 4508234567890123456  # above 2**53: ids stay exact


def test_a_fulfillment_delivery_queues_its_apply_with_status_and_tracking():
    job = registry.topic("fulfillments/update").parse(
        "fulfillments/update",
        {
            "id": BIG,
            "order_id": BIG + 1,
            "status": "success",
            "tracking_company": "UPS",
            "tracking_numbers": ["1Z1", "1Z2"],
            "line_items": [{"id": 1}],
        },
    )
    assert job.payload == {
        "fulfillment_id": str(BIG),
        "order_id": str(BIG + 1),
        "status": "success",
        "tracking_numbers": ["1Z1", "1Z2"],
        "tracking_company": "UPS",
    }
    assert (job.dedupe_key, job.order_ref) == (f"fulfillment:{BIG}", str(BIG + 1))
    assert set(job.snapshot_keys) == {
        "status",
        "tracking_numbers",
        "tracking_company",
        "fulfillment",
    }


def test_a_fulfillment_delivery_carries_the_fulfillment_as_shopify_reads_it():
    job = registry.topic("fulfillments/create").parse(
        "fulfillments/create",
        {
            "id": BIG,
            "order_id": BIG + 1,
            "status": "success",
            "updated_at": "2026-12-05T10:00:00-05:00",
            "location_id": 9,
            "tracking_company": "UPS",
            "tracking_numbers": ["1Z1", "1Z2"],
            "tracking_urls": ["https://ups.example/1Z1"],
            "line_items": [{"id": BIG + 5, "quantity": 2}, {"id": 7, "quantity": 1}],
        },
    )
    assert job.payload["fulfillment"] == {
        "id": f"gid://shopify/Fulfillment/{BIG}",
        "status": "SUCCESS",
        "updatedAt": "2026-12-05T10:00:00-05:00",
        "location": {"id": "gid://shopify/Location/9"},
        "order": {"id": f"gid://shopify/Order/{BIG + 1}"},
        "trackingInfo": [
            {"number": "1Z1", "company": "UPS", "url": "https://ups.example/1Z1"},
            {"number": "1Z2", "company": "UPS", "url": None},
        ],
        "fulfillmentLineItems": {
            "nodes": [
                {"quantity": 2, "lineItem": {"id": f"gid://shopify/LineItem/{BIG + 5}"}},
                {"quantity": 1, "lineItem": {"id": "gid://shopify/LineItem/7"}},
            ],
            "pageInfo": {"hasNextPage": False},
        },
    }


def test_a_carrier_without_a_number_is_still_the_fulfillments_tracking():
    body = {"id": 1, "order_id": 2, "status": "success", "location_id": 3, "line_items": []}
    body["tracking_company"] = "DHL"
    info = webhooks.fulfillment_of_webhook(body)["trackingInfo"]
    assert info == [{"number": None, "company": "DHL", "url": None}]
    del body["tracking_company"]
    assert webhooks.fulfillment_of_webhook(body)["trackingInfo"] == []


def test_a_body_without_its_location_or_lines_carries_no_fulfillment():
    base = {"id": 1, "order_id": 2, "status": "success", "location_id": 3}
    lines = [{"id": 4, "quantity": 1}]
    for body in (
        base,  # no line_items
        {**base, "location_id": None, "line_items": lines},
        {**base, "status": None, "line_items": lines},
        {**base, "line_items": [{"id": 4}]},  # a line without its quantity
    ):
        assert webhooks.fulfillment_of_webhook(body) is None
        assert "fulfillment" not in webhooks.fulfillment_job("fulfillments/create", body).payload


def test_a_fulfillment_without_tracking_omits_those_keys():
    job = webhooks.fulfillment_job("fulfillments/create", {"id": 1, "order_id": 2})
    assert job.payload == {"fulfillment_id": "1", "order_id": "2"}


@pytest.mark.parametrize(
    ("topic", "body", "what"),
    [
        ("fulfillments/create", {"order_id": 2}, "fulfillment"),
        ("fulfillments/create", {"id": 1}, "order"),
        ("orders/updated", {"name": "#1001"}, "order"),
        ("fulfillment_orders/placed_on_hold", {"fulfillment_order": {}}, "fulfillment order"),
        ("refunds/create", {"id": "x", "order_id": 2}, "refund"),
    ],
)
def test_a_body_lacking_what_its_topic_needs_is_a_clear_error(topic, body, what):
    with pytest.raises(webhooks.BadWebhookPayload, match=f"no valid {what} id"):
        registry.topic(topic).parse(topic, body)


def test_order_deliveries_fold_into_one_import_keyed_by_the_order():
    created = registry.topic("orders/create").parse("orders/create", {"id": 7, "line_items": []})
    edited = registry.topic("orders/edited").parse("orders/edited", {"order_edit": {"order_id": 7}})
    cancelled = registry.topic("orders/cancelled").parse("orders/cancelled", {"id": 7})
    assert created.dedupe_key == edited.dedupe_key == "order:7"
    assert cancelled.dedupe_key == "cancel:7", "a queued import does not absorb a cancellation"
    assert created.payload["snapshot"]["cancelled"] is False
    assert "snapshot" not in edited.payload


def test_jobs_without_an_order_have_a_sequence_of_their_own():
    for topic, body in [
        ("fulfillment_orders/placed_on_hold", {"fulfillment_order": {"id": 5}}),
        ("fulfillment_orders/moved", {"moved_fulfillment_order": {"id": 5}}),
        ("app/uninstalled", {}),
        ("returns/approve", {"id": 9}),
    ]:
        job = registry.topic(topic).parse(topic, body)
        assert job.order_ref is None and job.ordering_key, topic
