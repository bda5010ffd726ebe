import logging

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request
from werkzeug.exceptions import RequestEntityTooLarge

from ..shopify.const import MAX_WEBHOOK_BODY, WEBHOOK_ROUTE
from ..shopify.webhooks import (
    MissingWebhookHeader,
    WebhookHeaders,
    normalize_shop_domain,
    parse_payload,
    verify,
)

_logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
WEBHOOK_SHOP_FIELDS = [
    "company_id",
    "client_secret_encrypted",
    "client_secret_previous_encrypted",
    "client_secret_previous_until",
]


def _answer(status, text):
    return request.make_response(text, headers=[("Content-Type", "text/plain")], status=status)


class SyncoWebhookController(http.Controller):
    """Shopify's webhook endpoint: verify, parse, store and queue (one
    statement), answer. It never calls Shopify; the delivery's job does the
    work, so Shopify's five seconds are never at risk. Bad input gets a 4xx,
    never a 5xx."""

    @http.route(
        WEBHOOK_ROUTE,
        type="http",
        # Shopify authenticates by signature: no user to look up per delivery
        # ("public" would). Such routes get a read-only cursor unless told.
        auth="none",
        readonly=False,
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def synco_webhook(self, **_kwargs):
        body = self._read_body()
        if body is None:
            return _answer(413, "body too large")
        try:
            headers = WebhookHeaders.from_headers(request.httprequest.headers)
            domain = normalize_shop_domain(headers.shop_domain)
        except MissingWebhookHeader as exc:
            if exc.missing == (SIGNATURE_HEADER,):  # everything but the signature
                return _answer(401, "missing signature")
            return _answer(400, str(exc))
        except ValueError as exc:
            return _answer(400, str(exc))
        # The public user (its id is cached: no query) writes the event and job.
        public = request.env["ir.model.data"]._xmlid_to_res_id("base.public_user")
        env = request.env(user=public, su=True)
        # One query reads the shop with what verification needs.
        shop = env["synco.shop"].search_fetch(
            [("shop_domain", "=", domain)], WEBHOOK_SHOP_FIELDS, limit=1
        )
        if not shop:
            _logger.info("webhook for unknown shop %s refused", domain)
            return _answer(401, "unknown shop")
        try:
            secrets = shop._webhook_secrets()
        except UserError as exc:  # no key, or a secret this server cannot decrypt
            _logger.error("webhook for shop %s cannot be verified: %s", shop.id, exc)
            return _answer(401, "signature cannot be verified")
        if not verify(body, headers.hmac, secrets):
            _logger.info("webhook for shop %s with a bad signature refused", shop.id)
            return _answer(401, "bad signature")
        try:
            data = parse_payload(body)  # the one parse of the body
        except ValueError as exc:
            return _answer(400, str(exc))
        event = env["synco.webhook.event"]._receive(shop, headers, body, data)
        return _answer(200, "accepted" if event else "duplicate")

    def _read_body(self):
        """The raw body, or None when it is over the limit; a body that
        announces itself too large is refused before any of it is read, and
        werkzeug stops reading one without a length at the limit."""
        limit = int(
            request.env["ir.config_parameter"].sudo().get_param("synco_shopify.webhook_max_bytes")
            or MAX_WEBHOOK_BODY
        )
        httprequest = request.httprequest
        if httprequest.content_length is not None and httprequest.content_length > limit:
            return None
        httprequest.max_content_length = limit
        try:
            # Cached: when two copies of one delivery race, PostgreSQL fails
            # one transaction with a serialization error and Odoo runs this
            # endpoint again; that second run must see the same body.
            return httprequest.get_data(cache=True)
        except RequestEntityTooLarge:
            return None
