"""The sandbox fails as Shopify does: down (503, or no connection at all),
the app's secret rotated, the app uninstalled, subscriptions deleted."""

import time

import pytest
import requests

from shopify_sandbox import SandboxServer
from shopify_sandbox.admin import SandboxAdmin
from synco_shopify.shopify import queries
from synco_shopify.shopify.client import ShopifyClient
from synco_shopify.shopify.errors import AuthError, RetryableError

SHOP_QUERY = "query SyncoPing { shop { name } }"


def _client(sandbox, **auth):
    auth = auth or {"client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret"}
    return ShopifyClient(sandbox.url, "2026-10", timeout=5, **auth)


def _wait_until(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_outage_answers_503_to_api_and_grant_then_ends(sandbox):
    client = _client(sandbox)
    assert client.execute(SHOP_QUERY)["shop"]["name"]
    sandbox.admin.outage(60)
    with pytest.raises(RetryableError) as raised:
        client.execute(SHOP_QUERY)
    assert raised.value.code == "http_5xx" and raised.value.status == 503
    grant = requests.post(
        f"{sandbox.url}/admin/oauth/access_token",
        data={"grant_type": "client_credentials"},
        timeout=5,
    )
    assert grant.status_code == 503
    assert sandbox.admin.state()  # the admin API still answers
    sandbox.admin.outage(0)
    assert client.execute(SHOP_QUERY)["shop"]["name"]


def test_outage_of_a_few_seconds_ends_by_itself(sandbox):
    sandbox.admin.outage(0.5)
    assert sandbox.post_graphql(SHOP_QUERY).status_code == 503
    assert _wait_until(lambda: sandbox.post_graphql(SHOP_QUERY).status_code == 200)


def test_refused_connections_then_the_same_port_listens_again():
    server = SandboxServer(port=0).start()
    try:
        client = _client(server)
        assert client.execute(SHOP_QUERY)["shop"]["name"]  # a kept-alive connection
        SandboxAdmin(server.url).outage(1.0, mode="refuse")
        time.sleep(0.3)
        with pytest.raises(RetryableError) as raised:
            client.execute(SHOP_QUERY)
        assert raised.value.code == "connection"
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{server.url}/_sandbox/state", timeout=2)

        def answers():
            try:
                return client.execute(SHOP_QUERY)["shop"]["name"]
            except RetryableError:
                return False

        assert _wait_until(answers)
    finally:
        server.stop()


def test_rotated_secret_refuses_old_secret_and_old_tokens(sandbox):
    client = _client(sandbox)
    assert client.execute(SHOP_QUERY)
    legacy = _client(sandbox, access_token="shpat_sandbox_token")
    assert legacy.execute(SHOP_QUERY)
    new = sandbox.admin.rotate_secret(client_secret="the-new-secret")
    assert new["client_secret"] == "the-new-secret"
    assert new["access_token"] != "shpat_sandbox_token"
    with pytest.raises(AuthError) as raised:
        client.execute(SHOP_QUERY)  # the token is refused, the grant too
    assert (raised.value.operation, raised.value.status) == ("access_token", 401)
    grant = requests.post(
        f"{sandbox.url}/admin/oauth/access_token",
        data={
            "grant_type": "client_credentials",
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
        },
        timeout=5,
    )
    assert grant.json()["error"] == "invalid_client"
    assert sandbox.post_graphql(SHOP_QUERY).status_code == 401  # the old legacy token
    with pytest.raises(AuthError):
        legacy.execute(SHOP_QUERY)
    fresh = _client(sandbox, client_id="sandbox-client-id", client_secret="the-new-secret")
    assert fresh.execute(SHOP_QUERY)["shop"]["name"]


def test_uninstall_sends_app_uninstalled_then_revokes_everything(sandbox, webhook_receiver):
    for topic in ("APP_UNINSTALLED", "ORDERS_CREATE"):
        variables = {"topic": topic, "webhookSubscription": {"uri": webhook_receiver.url}}
        sandbox.gql(queries.WEBHOOK_SUBSCRIPTION_CREATE, variables)
    client = _client(sandbox)
    assert client.execute(SHOP_QUERY)
    assert sandbox.admin.uninstall() == {"subscriptions_deleted": 2}
    [hit] = webhook_receiver.wait_for(1)
    headers = {k.lower(): v for k, v in hit["headers"].items()}
    assert headers["x-shopify-topic"] == "app/uninstalled"
    assert sandbox.admin.subscriptions() == []
    with pytest.raises(AuthError):
        client.execute(SHOP_QUERY)
    sandbox.admin.install()
    assert _client(sandbox).execute(SHOP_QUERY)


def test_subscriptions_can_be_lost(sandbox):
    for topic in ("ORDERS_CREATE", "ORDERS_UPDATED"):
        sandbox.admin.subscribe(topic, "http://127.0.0.1:9/hook")
    assert sandbox.admin.drop_subscriptions(topic="orders/create") == {"dropped": 1}
    assert [s["topic"] for s in sandbox.admin.subscriptions()] == ["ORDERS_UPDATED"]


def test_failing_deliveries_drop_their_subscription_when_configured(
    sandbox, shop, webhook_receiver
):
    sandbox.admin.config(drop_failing_subscriptions=True)
    sandbox.admin.subscribe("ORDERS_CREATE", webhook_receiver.url)
    webhook_receiver.statuses = [500] * 4  # the first try and its three retries
    sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    assert _wait_until(lambda: not sandbox.admin.subscriptions())
