"""The queue's registry is the one list of job types and webhook topics, and
each handler it names is a method of the model it names."""

import re
from pathlib import Path

import pytest

from synco_shopify.queue import registry
from synco_shopify.shopify import const

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


def test_the_job_type_selection_is_the_registry():
    assert [job_type for job_type, _label in registry.JOB_TYPES] == list(registry.JOBS)
    assert all(label for _type, label in registry.JOB_TYPES)


def test_the_shop_subscribes_to_exactly_the_topics_with_a_handler():
    # The fulfillment service's notification is stored as an event too, but
    # Shopify posts it to the service's callback, without a subscription.
    unsubscribed = {const.FULFILLMENT_NOTIFICATION_TOPIC}
    assert set(registry.TOPICS) - unsubscribed == set(const.WEBHOOK_TOPICS)


@pytest.mark.parametrize(
    "handler",
    sorted({entry.handler for entry in registry.JOBS.values()} | set(registry.TOPICS.values())),
)
def test_each_handler_is_a_method_of_its_model(handler):
    classes = _classes_of(handler.model)
    assert classes, f"no class defines {handler.model}"
    assert any(f"    def {handler.method}(" in block for block in classes), handler


def test_job_and_topic_handlers_follow_their_naming():
    assert all(e.handler.method.startswith("_synco_job_") for e in registry.JOBS.values())
    assert all(h.method.startswith("_synco_on_") for h in registry.TOPICS.values())


def test_unknown_topics_have_no_handler():
    assert registry.topic_handler("products/update") is None
    assert registry.topic_handler("fulfillments/create").model == "synco.fulfillment"
    with pytest.raises(KeyError):
        registry.job_handler("no_such_type")


def test_no_handler_name_is_built_from_a_string():
    built = re.compile(r"""f["']_synco_(job|on)_""")
    offenders = [str(p.relative_to(ROOT)) for p in SOURCES if built.search(p.read_text())]
    assert offenders == []
