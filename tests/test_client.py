"""ShopifyClient: the request it sends, mutate(), paginate(), ids and
construction. Errors are in test_errors.py, auth in test_client_auth.py,
pacing in test_client_pacing.py."""

import subprocess
import sys

import pytest
from shopify_fakes import (
    ADMIN_TOKEN,
    BASE_URL,
    GRAPHQL_URL,
    FakeSession,
    cost,
    graphql,
)

from synco_shopify.shopify import queries
from synco_shopify.shopify.client import ShopifyClient
from synco_shopify.shopify.const import DEFAULT_TIMEOUT, SUPPORTED_API_VERSIONS, WEBHOOK_TOPICS
from synco_shopify.shopify.errors import ApiVersionError, AuthError, GraphQLError, UserErrors
from synco_shopify.shopify.ids import legacy_id, to_gid


def make_client(*script, **kwargs):
    session = FakeSession(*script)
    kwargs.setdefault("access_token", ADMIN_TOKEN)
    client = ShopifyClient(BASE_URL + "/", "2026-10", session=session, **kwargs)
    return client, session


def test_execute_posts_the_document_to_the_versioned_graphql_endpoint():
    client, session = make_client(graphql({"shop": {"name": "Acme"}}, extensions_cost=cost()))

    data = client.execute(queries.SHOP)

    assert data == {"shop": {"name": "Acme"}}
    (call,) = session.calls
    assert call["url"] == GRAPHQL_URL
    assert call["headers"]["X-Shopify-Access-Token"] == ADMIN_TOKEN
    assert call["json"] == {"query": queries.SHOP, "variables": {}, "operationName": "SyncoShop"}
    assert call["timeout"] == DEFAULT_TIMEOUT
    assert call["allow_redirects"] is False


def test_execute_sends_variables_and_the_configured_timeout():
    client, session = make_client(graphql({"order": None}), timeout=(1.5, 7))

    client.execute(queries.ORDER, {"id": "gid://shopify/Order/1"})

    assert session.calls[0]["json"]["variables"] == {"id": "gid://shopify/Order/1"}
    assert session.calls[0]["json"]["operationName"] == "SyncoOrder"
    assert session.calls[0]["timeout"] == (1.5, 7)


def test_served_api_version_reports_the_version_shopify_actually_served():
    client, _session = make_client(graphql({"shop": {}}, version="2026-01"))
    assert client.served_api_version is None

    client.execute(queries.SHOP)

    assert client.served_api_version == "2026-01"


def test_allow_partial_returns_data_despite_plain_graphql_errors():
    answer = graphql({"shop": {"name": "Acme"}}, errors=[{"message": "field is deprecated"}])
    client, _session = make_client(answer, answer)

    with pytest.raises(GraphQLError):
        client.execute(queries.SHOP)
    assert client.execute(queries.SHOP, allow_partial=True) == {"shop": {"name": "Acme"}}


def test_mutate_returns_the_payload_when_there_are_no_user_errors():
    payload = {"fulfillment": {"id": "gid://shopify/Fulfillment/9"}, "userErrors": []}
    client, _session = make_client(graphql({"fulfillmentCreate": payload}))

    result = client.mutate(queries.FULFILLMENT_CREATE, {"fulfillment": {}}, "fulfillmentCreate")

    assert result == payload


def test_mutate_raises_user_errors_with_fields_and_messages():
    user_errors = [
        {"field": ["fulfillment", "lineItemsByFulfillmentOrder"], "message": "Invalid quantity"},
        {"field": None, "message": "Fulfillment order is closed"},
    ]
    payload = {"fulfillment": None, "userErrors": user_errors}
    client, _session = make_client(graphql({"fulfillmentCreate": payload}))

    with pytest.raises(UserErrors) as info:
        client.mutate(queries.FULFILLMENT_CREATE, {"fulfillment": {}}, "fulfillmentCreate")

    error = info.value
    assert error.user_errors == user_errors
    assert error.retryable is False
    assert error.code == "user_errors"
    assert error.operation == "SyncoFulfillmentCreate"
    assert "fulfillment.lineItemsByFulfillmentOrder: Invalid quantity" in str(error)
    assert "Fulfillment order is closed" in str(error)


def test_mutate_raises_when_the_payload_field_is_missing():
    client, _session = make_client(graphql({"somethingElse": {}}))

    with pytest.raises(GraphQLError, match="fulfillmentCancel"):
        client.mutate(queries.FULFILLMENT_CANCEL, {"id": "x"}, "fulfillmentCancel")


def _page(names, has_next, cursor):
    return graphql(
        {
            "locations": {
                "nodes": [{"name": name} for name in names],
                "pageInfo": {"hasNextPage": has_next, "endCursor": cursor},
            }
        }
    )


def test_paginate_follows_end_cursor_until_the_last_page():
    client, session = make_client(_page(["A", "B"], True, "c1"), _page(["C"], False, "c2"))

    nodes = list(client.paginate(queries.LOCATIONS, {"first": 2}, "locations"))

    assert [node["name"] for node in nodes] == ["A", "B", "C"]
    assert session.calls[0]["json"]["variables"] == {"first": 2}
    assert session.calls[1]["json"]["variables"] == {"first": 2, "after": "c1"}


def test_paginate_reads_nested_connections_and_edges():
    answer = graphql(
        {
            "order": {
                "fulfillmentOrders": {
                    "edges": [{"node": {"id": "fo1"}}],
                    "pageInfo": {"hasNextPage": False, "endCursor": None},
                }
            }
        }
    )
    client, _session = make_client(answer)

    nodes = list(client.paginate(queries.ORDER, {"id": "o"}, "order.fulfillmentOrders"))

    assert nodes == [{"id": "fo1"}]


def test_paginate_yields_nothing_for_a_null_object_on_the_path():
    client, _session = make_client(graphql({"order": None}))

    assert list(client.paginate(queries.ORDER, {"id": "o"}, ("order", "fulfillmentOrders"))) == []


def test_paginate_stops_when_shopify_repeats_a_cursor():
    client, _session = make_client(_page(["A"], True, "same"), _page(["B"], True, "same"))

    with pytest.raises(GraphQLError, match="same page twice"):
        list(client.paginate(queries.LOCATIONS, {"first": 1}, "locations"))


@pytest.mark.parametrize("version", ["2026-13", "26-10", "", "latest"])
def test_a_malformed_api_version_is_refused_before_any_request(version):
    with pytest.raises(ApiVersionError) as info:
        ShopifyClient(BASE_URL, version, access_token=ADMIN_TOKEN, session=FakeSession())
    assert info.value.code == "version"


def test_missing_credentials_are_an_auth_error():
    with pytest.raises(AuthError) as info:
        ShopifyClient(BASE_URL, "2026-10", client_id="only-the-id", session=FakeSession())
    assert info.value.code == "credentials"


def test_both_kinds_of_credentials_at_once_are_refused():
    with pytest.raises(ValueError):
        ShopifyClient(
            BASE_URL,
            "2026-10",
            access_token="t",
            client_id="i",
            client_secret="s",
        )


def test_constants_are_consistent():
    assert list(SUPPORTED_API_VERSIONS) == sorted(SUPPORTED_API_VERSIONS)
    assert SUPPORTED_API_VERSIONS[-1] == "2026-10"
    assert WEBHOOK_TOPICS["orders/create"] == "ORDERS_CREATE"
    assert all(enum == topic.upper().replace("/", "_") for topic, enum in WEBHOOK_TOPICS.items())


def test_the_shopify_package_imports_without_odoo():
    code = (
        "import sys; import synco_shopify.shopify.client, synco_shopify.shopify.webhooks; "
        "assert not any(m == 'odoo' or m.startswith('odoo.') for m in sys.modules)"
    )
    root = __file__.rsplit("/tests/", 1)[0]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


# -- ids ------------------------------------------------------------------


def test_to_gid_and_legacy_id_round_trip_ids_above_2_53():
    big = 2**53 + 123
    gid = to_gid("Order", big)
    assert gid == f"gid://shopify/Order/{big}"
    assert legacy_id(gid) == str(big)
    assert legacy_id(str(big)) == str(big)
    assert legacy_id(big) == str(big)
    assert to_gid("Location", "gid://shopify/Location/7") == "gid://shopify/Location/7"


@pytest.mark.parametrize("value", [True, -1, 1.5, "", "abc", "gid://shopify/Order/", None, "12a"])
def test_legacy_id_rejects_what_is_not_an_id(value):
    with pytest.raises(ValueError):
        legacy_id(value)


def test_to_gid_refuses_a_gid_of_another_kind():
    with pytest.raises(ValueError):
        to_gid("Order", "gid://shopify/Fulfillment/5")
    with pytest.raises(ValueError):
        to_gid("order", 5)
