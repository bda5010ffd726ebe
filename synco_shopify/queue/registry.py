"""Who does the work of each job type and each webhook topic.

The one place a job type or a topic is added. Each handler is written out as
``(model, method)`` so that a search for a method name finds its one dispatch
entry. The runner calls ``<method>(job)`` on the job's record, or on the model
when the job concerns no record yet; the webhook job calls
``env[model].<method>(event, job)``. Both go through the Odoo model, so a glue
module that overrides the method is called. Plain data: no Odoo import.
"""

from typing import NamedTuple


class Handler(NamedTuple):
    model: str
    method: str


class JobType(NamedTuple):
    label: str
    handler: Handler


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
}

# The job type selection of synco.job.
JOB_TYPES = [(job_type, entry.label) for job_type, entry in JOBS.items()]

# Webhook topic (as in the X-Shopify-Topic header) -> its handler. The shop
# subscribes to exactly these (shopify.const.WEBHOOK_TOPICS, checked by a
# test); a delivery of any other topic is stored as ignored.
TOPICS = {
    "orders/create": Handler("sale.order", "_synco_on_order_webhook"),
    "orders/updated": Handler("sale.order", "_synco_on_order_webhook"),
    "orders/edited": Handler("sale.order", "_synco_on_order_edit_webhook"),
    "refunds/create": Handler("sale.order", "_synco_on_refund_webhook"),
    "orders/cancelled": Handler("sale.order", "_synco_on_order_cancelled_webhook"),
    "fulfillments/create": Handler("synco.fulfillment", "_synco_on_fulfillment_webhook"),
    "fulfillments/update": Handler("synco.fulfillment", "_synco_on_fulfillment_webhook"),
    "fulfillment_orders/placed_on_hold": Handler(
        "synco.fulfillment.order", "_synco_on_hold_webhook"
    ),
    "fulfillment_orders/hold_released": Handler(
        "synco.fulfillment.order", "_synco_on_hold_webhook"
    ),
    "fulfillment_orders/moved": Handler("synco.fulfillment.order", "_synco_on_moved_webhook"),
    "app/uninstalled": Handler("synco.shop", "_synco_on_app_uninstalled"),
    "returns/approve": Handler("synco.return", "_synco_on_return_webhook"),
    "returns/decline": Handler("synco.return", "_synco_on_return_webhook"),
    "returns/cancel": Handler("synco.return", "_synco_on_return_webhook"),
    "returns/reopen": Handler("synco.return", "_synco_on_return_webhook"),
    "returns/process": Handler("synco.return", "_synco_on_return_webhook"),
    "reverse_fulfillment_orders/dispose": Handler("synco.return", "_synco_on_dispose_webhook"),
}


def job_handler(job_type):
    """The handler of a job type; KeyError for a type nobody registered."""
    return JOBS[job_type].handler


def topic_handler(topic):
    """The handler of a webhook topic, or None for a topic the addon ignores."""
    return TOPICS.get(topic)
