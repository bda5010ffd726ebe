"""Who does the work of each job type, and which job each webhook topic
queues.

The one place a job type or a topic is added. Each handler is written out as
``(model, method)`` so that a search for a method name finds its one dispatch
entry. The runner calls ``<method>(job)`` on the job's record, or on the model
when the job concerns no record yet; a ``webhook`` job calls its topic's
``env[model].<method>(job)``. Both go through the Odoo model, so a glue
module that overrides the method is called. Plain data: no Odoo import.

A topic names the job type its deliveries queue and the parser
(``shopify.webhooks``) that takes what that job needs from the body the
controller parsed: one job per delivery, queued with the delivery's event,
and the body never parsed again. Topics whose work is one of the queue's
job types (an apply, an import, a return's sync) queue that job itself;
the others queue a ``webhook`` job, which runs the topic's handler.
"""

from collections.abc import Callable
from typing import NamedTuple

from ..shopify import webhooks


class Handler(NamedTuple):
    model: str
    method: str


class JobType(NamedTuple):
    label: str
    handler: Handler


class Topic(NamedTuple):
    job_type: str
    parse: Callable  # (topic, parsed body) -> shopify.webhooks.TopicJob
    handler: Handler | None = None  # for a "webhook" job: who does the work


JOBS = {
    "webhook": JobType("Webhook", Handler("synco.webhook.event", "_synco_job_webhook")),
    "push_fulfillment": JobType(
        "Push fulfillment", Handler("stock.picking", "_synco_job_push_fulfillment")
    ),
    "update_tracking": JobType(
        "Update tracking", Handler("stock.picking", "_synco_job_update_tracking")
    ),
    "import_order": JobType("Import order", Handler("sale.order", "_synco_job_import_order")),
    "apply_fulfillment": JobType(
        "Apply Shopify fulfillment", Handler("synco.apply", "_synco_job_apply_fulfillment")
    ),
    "release_hold": JobType(
        "Release Shopify hold", Handler("stock.picking", "_synco_job_release_hold")
    ),
    "left_open": JobType(
        "Shopify lines left open", Handler("synco.fulfillment", "_synco_job_left_open")
    ),
    "shop_probe": JobType("Is Shopify back?", Handler("synco.shop", "_synco_job_probe")),
    "sync_return": JobType(
        "Receive Shopify return", Handler("synco.return", "_synco_job_sync_return")
    ),
    "process_return": JobType(
        "Tell Shopify what came back", Handler("stock.picking", "_synco_job_process_return")
    ),
    "create_return": JobType(
        "Send Odoo return to Shopify", Handler("stock.picking", "_synco_job_create_return")
    ),
    # refunds/create also queues this (synco_return_refund.py), after its handler.
    "restock_refund": JobType(
        "Receive restocking refund", Handler("synco.return", "_synco_job_restock_refund")
    ),
    "pickup_ready": JobType(
        "Ready for pickup", Handler("stock.picking", "_synco_job_pickup_ready")
    ),
    "fsvc_read": JobType(
        "Read fulfillment service requests", Handler("synco.shop", "_synco_job_fsvc_read")
    ),
    "fsvc_answer": JobType(
        "Answer fulfillment service request", Handler("synco.shop", "_synco_job_fsvc_answer")
    ),
}

# The job type selection of synco.job.
JOB_TYPES = [(job_type, entry.label) for job_type, entry in JOBS.items()]

# Webhook topic (as in the X-Shopify-Topic header) -> the job it queues. The
# shop subscribes to exactly these (shopify.const.WEBHOOK_TOPICS, checked by a
# test); a delivery of any other topic is stored as ignored.
_FULFILLMENT = Topic("apply_fulfillment", webhooks.fulfillment_job)
_ORDER = Topic("import_order", webhooks.order_job)
_HOLD = Topic(
    "webhook", webhooks.hold_job, Handler("synco.fulfillment.order", "_synco_on_hold_webhook")
)
_RETURN = Topic("sync_return", webhooks.return_job)
TOPICS = {
    "orders/create": _ORDER,
    "orders/updated": _ORDER,
    "orders/edited": Topic("import_order", webhooks.order_edit_job),
    "refunds/create": Topic(
        "webhook", webhooks.refund_job, Handler("sale.order", "_synco_on_refund_webhook")
    ),
    "orders/cancelled": Topic("import_order", webhooks.order_cancel_job),
    "fulfillments/create": _FULFILLMENT,
    "fulfillments/update": _FULFILLMENT,
    "fulfillment_orders/placed_on_hold": _HOLD,
    "fulfillment_orders/hold_released": _HOLD,
    "fulfillment_orders/moved": Topic(
        "webhook",
        webhooks.move_job,
        Handler("synco.fulfillment.order", "_synco_on_moved_webhook"),
    ),
    "app/uninstalled": Topic(
        "webhook", webhooks.app_uninstalled_job, Handler("synco.shop", "_synco_on_app_uninstalled")
    ),
    "returns/approve": _RETURN,
    "returns/decline": _RETURN,
    "returns/cancel": _RETURN,
    "returns/reopen": _RETURN,
    "returns/process": _RETURN,
    "reverse_fulfillment_orders/dispose": Topic(
        "webhook",
        webhooks.disposal_job,
        Handler("synco.return", "_synco_on_dispose_webhook"),
    ),
    # Not a subscription: Shopify's notification to Odoo as a fulfillment
    # service (shopify.const.FULFILLMENT_NOTIFICATION_TOPIC), stored as an
    # event; a ping, its job reads what is assigned to the service.
    "fulfillment_service/fulfillment_order_notification": Topic(
        "fsvc_read", webhooks.fulfillment_notification_job
    ),
}


def job_handler(job_type):
    """The handler of a job type; KeyError for a type nobody registered."""
    return JOBS[job_type].handler


def topic(name):
    """The ``Topic`` of a webhook topic, or None for a topic the addon ignores."""
    return TOPICS.get(name)
