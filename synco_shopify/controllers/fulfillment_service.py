import uuid

from odoo import http
from odoo.http import request

from ..shopify.const import FULFILLMENT_NOTIFICATION_ROUTE, FULFILLMENT_NOTIFICATION_TOPIC
from .webhook import SyncoWebhookController


class SyncoFulfillmentServiceController(http.Controller):
    """Shopify's notifications to Odoo as a fulfillment service
    (``{"kind": "FULFILLMENT_REQUEST" | "CANCELLATION_REQUEST"}``, signed
    like webhooks). Each is handled exactly as a webhook delivery is, by the
    webhook endpoint's own code: verified with the shop's secret, stored as a
    webhook event of its own topic, queued and acknowledged at once, a 4xx
    for bad input and never a 5xx. The notification is only a ping: the
    queued job reads Shopify's ``assignedFulfillmentOrders``."""

    @http.route(
        FULFILLMENT_NOTIFICATION_ROUTE,
        type="http",
        auth="none",  # authenticated by signature, as the webhook endpoint
        readonly=False,
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def synco_fulfillment_order_notification(self, **kwargs):
        environ = request.httprequest.environ
        # The notification names no topic: it gets its own. Shopify is not
        # documented to send a delivery id with it; without one each
        # notification is an event of its own (the job it queues is deduped,
        # and a second read finds nothing left to answer). Request headers
        # are read from the environ, so the webhook code sees these.
        environ["HTTP_X_SHOPIFY_TOPIC"] = FULFILLMENT_NOTIFICATION_TOPIC
        if not (environ.get("HTTP_X_SHOPIFY_WEBHOOK_ID") or "").strip():
            environ["HTTP_X_SHOPIFY_WEBHOOK_ID"] = f"fsvc-{uuid.uuid4()}"
        return SyncoWebhookController().synco_webhook(**kwargs)
