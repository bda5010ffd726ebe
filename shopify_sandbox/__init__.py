"""A fake Shopify store on loopback, for tests and for trying the flow.

A real HTTP server (stdlib ``ThreadingHTTPServer`` + graphql-core) that
speaks the subset of the Admin GraphQL API, the client credentials grant
and the signed-webhook protocol that synco_shopify uses, with the state
semantics of a real store. It never imports odoo nor the addon: it lives
beside the addon in the repository, for its tests, benchmarks and
``scripts/run.sh``, and is not part of what a merchant installs. Its
``launch`` module is the launch suite's store driver (``StoreDriver``),
which drives any store, this one or a development store, through the
Admin API.

Start it::

    python -m shopify_sandbox --port 8765 --seed demo
    # prints "synco sandbox listening on http://127.0.0.1:8765"

    from shopify_sandbox import SandboxServer
    with SandboxServer(port=0, seed="demo") as srv:   # or .start() / .stop()
        srv.url, srv.store

Shopify endpoints
-----------------
``POST /admin/api/<version>/graphql.json``  header ``X-Shopify-Access-Token``;
    unsupported versions are served as the oldest supported one; every
    answer has ``X-Shopify-API-Version``. Cost in ``extensions.cost``.
``POST /admin/oauth/access_token``  client credentials grant (form or JSON).
``GET /``  read-only HTML status page.

Admin API (JSON, no auth; ids are numbers or URL-encoded gids)
----------------------------------------------------------------
``POST /_sandbox/reset``  {seed: "empty"|"demo"}: state, config, faults,
    call log, webhook queue and delivery log back to the start.
``GET|POST /_sandbox/config``  {name, domain, email, currency, taxes_included,
    timezone, scopes: [...] (null: all), client_id, client_secret, previous (old secret,
    still accepted), sign_with_previous, access_token (static, never
    expires; null disables), token_ttl, api_versions: [...] (null: default),
    bucket: {maximum, restore_rate, available}, max_query_cost (null: no
    limit), webhook_retry_schedule: [seconds...], webhook_timeout,
    webhook_api_version, echo_app_fulfillments (default true: a fulfillment
    the app creates is announced by webhook as Shopify does; false: not)}.
``POST /_sandbox/clock``  {advance: seconds}: moves the bucket/token clock.
``POST /_sandbox/locations``  {name, active, fulfillment_service: handle|true};
    ``GET /_sandbox/locations``; ``POST /_sandbox/locations/<id>`` {name,
    active, fulfillment_service} changes one.
``POST /_sandbox/products``  {title, sku, barcode, price, locations: [ids]}
    (default: stocked at every location); returns variant_id too.
``POST /_sandbox/orders``  {email, name?, line_items: [{sku, quantity, price?,
    location_id?, title?, discounts?, tax_lines?}], shipping_lines?,
    shipping_address?, customer?, tax_lines?, test?} -> order json with the
    ids of line items, fulfillment orders and their lines; fires orders/create.
``GET /_sandbox/orders``, ``GET /_sandbox/orders/<id>``  order(s) with FOs and
    fulfillments.
``POST /_sandbox/orders/<id>/cancel``  fires orders/cancelled + orders/updated.
``POST /_sandbox/fulfillment_orders/<id>/hold``  {reason, reason_notes};
    ``.../release_hold``; ``.../request_status`` {request_status} (3PL flow).
``GET|POST /_sandbox/fulfillment_services``  {name, callback_url}: the app's
    fulfillment services (as fulfillmentServiceCreate makes them);
    ``GET /_sandbox/fulfillment_orders/<id>`` one, with its merchant requests;
    ``POST .../submit_request`` and ``.../request_cancellation`` {message,
    notify: false loses the notification}: the merchant's requests
    (fulfillment_service.py).
``POST /_sandbox/fulfillments``  {order_id, line_items: [{line_item_id|sku,
    quantity}] (default: all remaining), tracking: {company, number(s),
    url(s)}, location_id?}: a fulfillment made in the Shopify admin or by a
    3PL (3PL FOs allowed); fires fulfillments/create.
``POST /_sandbox/fulfillments/<id>/tracking``  {tracking: {...}};
    ``.../cancel``. Both fire fulfillments/update.
``GET|POST /_sandbox/webhooks/subscriptions``  {topic: "orders/create" or
    ORDERS_CREATE, uri}; ``DELETE /_sandbox/webhooks/subscriptions/<id>``.
``POST /_sandbox/webhooks/fire``  {topic, resource_id | payload, duplicates:
    extra copies with the same webhook id, uri?: deliver there instead}.
``GET /_sandbox/webhooks/deliveries``  every attempt: webhook_id, event_id,
    topic, uri, attempt, copy, status, error, ok.
``POST /_sandbox/webhooks/wait``  {timeout}: 200 once nothing is queued or in
    flight (retries included), else 408.
``DELETE /_sandbox/webhooks/subscriptions``  {topic?, uri?}: Shopify deletes
    subscriptions (config drop_failing_subscriptions: after a delivery's last retry).
``POST /_sandbox/outage``  {seconds, mode: "503"|"refuse"}: Shopify down; 503 to
    every API and OAuth call, or the port closed (admin API too) then reopened.
``POST /_sandbox/rotate_secret``  {client_secret?, access_token?}: the old secret's
    grant answers invalid_client, every issued token 401.
``POST /_sandbox/uninstall``  fires app/uninstalled, deletes the subscriptions,
    revokes the tokens (grants refused until ``POST /_sandbox/install``).
``POST|GET|DELETE /_sandbox/faults``  {kind: http_500|http_503|http_429|
    http_401|http_403|hang|drop_after_apply|throttled, count, match
    (operation name or root field), retry_after, seconds}.
``GET|DELETE /_sandbox/calls``  GraphQL call log: operation_name,
    root_fields, status, requested_cost, actual_cost, throttled, fault.
``GET /_sandbox/state``  everything.

Refused admin requests answer 422 {error}; malformed ones 400.
``shopify_sandbox.admin.SandboxAdmin`` wraps all of this.
"""

import importlib

# Loaded on first use: ``shopify_sandbox.admin`` (requests only) and
# ``shopify_sandbox.launch`` (the store driver) must import in an
# interpreter without graphql-core, such as Odoo's own, which runs the Odoo
# suite against a sandbox in another process.
_LAZY = {
    "SandboxConfig": ".config",
    "SandboxServer": ".server",
    "SandboxError": ".store",
    "Store": ".store",
    "StoreDriver": ".launch",
    "sign": ".webhooks",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
