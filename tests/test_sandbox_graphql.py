"""The sandbox's GraphQL surface: documents, auth, versions, errors, scopes, tokens."""

import pytest
import requests

from synco_shopify.shopify import queries

INVALID = "[API] Invalid API key or access token (unrecognized login or wrong password)"


def _documents():
    return {
        name: getattr(queries, name)
        for name in dir(queries)
        if name.isupper() and not name.endswith("_FIELDS")
    }


def _variables(name: str, state: dict) -> dict:
    """Suitable variables for each document, against the demo seed."""
    order = state["orders"][2]  # split across Main and East
    fo = order["fulfillment_orders"][-1]  # the demo fixture fulfilled the first one
    fulfillment = order["fulfillments"][0] if order["fulfillments"] else None
    east = next(loc for loc in state["locations"] if loc["name"] == "East Warehouse")
    sub = state["webhook_subscriptions"][0] if state["webhook_subscriptions"] else None
    held = state["orders"][1]["fulfillment_orders"][0]
    pickup = next(
        fo
        for o in state["orders"]
        for fo in o["fulfillment_orders"]
        if fo["delivery_method"] == "PICK_UP"
    )
    return {
        "SHOP": {},
        "LOCATIONS": {"first": 50},
        "ORDER": {"id": order["id"]},
        "ORDER_FULFILLMENT_ORDERS": {"id": order["id"], "first": 5},
        "ORDER_FULFILLMENTS": {"id": order["id"], "first": 50},
        "FULFILLMENT_ORDER_LINES": {"id": fo["id"]},
        "FULFILLMENT_ORDER_FULFILLMENTS": {"id": order["fulfillment_orders"][0]["id"]},
        "ORDERS": {"first": 50, "query": "updated_at:>'2000-01-01T00:00:00Z'"},
        "ORDERS_RECONCILE": {"first": 25, "query": "updated_at:>'2000-01-01T00:00:00Z'"},
        "ORDERS_RETURNS": {"first": 25, "query": "updated_at:>'2000-01-01T00:00:00Z'"},
        "FULFILLMENT": {"id": fulfillment and fulfillment["id"]},
        "FULFILLMENT_ORDER": {"id": fo["id"]},
        "FULFILLMENT_ORDER_RELEASE_HOLD": {
            "id": held["id"],
            "holdIds": [h["id"] for h in held["holds"]],
        },
        "FULFILLMENT_CREATE": {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}],
                "trackingInfo": {"company": "UPS", "number": "1Z1"},
                "notifyCustomer": True,
            }
        },
        "FULFILLMENT_TRACKING_UPDATE": {
            "fulfillmentId": fulfillment and fulfillment["id"],
            "trackingInfoInput": {"company": "FedEx", "number": "999"},
            "notifyCustomer": False,
        },
        "FULFILLMENT_ORDER_MOVE": {
            "id": state["orders"][0]["fulfillment_orders"][0]["id"],
            "newLocationId": east["id"],
            "fulfillmentOrderLineItems": None,
        },
        "FULFILLMENT_CANCEL": {"id": fulfillment and fulfillment["id"]},
        "FULFILLMENT_ORDER_PREPARED_FOR_PICKUP": {
            "input": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": pickup["id"]}]}
        },
        "WEBHOOK_SUBSCRIPTIONS": {"first": 50},
        "WEBHOOK_SUBSCRIPTION_CREATE": {
            "topic": "ORDERS_UPDATED",
            "webhookSubscription": {"uri": "https://example.com/new", "format": "JSON"},
        },
        "WEBHOOK_SUBSCRIPTION_UPDATE": {
            "id": sub and sub["id"],
            "webhookSubscription": {"uri": "https://example.com/changed"},
        },
        "WEBHOOK_SUBSCRIPTION_DELETE": {"id": sub and sub["id"]},
        **_return_variables(state.get("synco_return")),
        **_service_variables(state.get("synco_service")),
    }[name]


def _service_variables(service):
    """The fulfillment service's documents: one request submitted, one
    cancellation requested, at the app's own service location."""
    if service is None:
        return {}
    return {
        "FULFILLMENT_SERVICE_CREATE": {
            "name": "Another Service",
            "callbackUrl": "https://example.com/fs",
        },
        "ASSIGNED_FULFILLMENT_ORDERS": {"first": 5, "status": "FULFILLMENT_REQUESTED"},
        "FULFILLMENT_REQUEST_ACCEPT": {"id": service["submitted"], "message": "On it"},
        "FULFILLMENT_REQUEST_REJECT": {
            "id": service["submitted"],
            "reason": "INVALID_SKU",
            "message": "Unknown SKU",
            "lineItems": None,
        },
        "CANCELLATION_REQUEST_ACCEPT": {"id": service["cancelling"]},
        "CANCELLATION_REQUEST_REJECT": {"id": service["cancelling"], "message": "Shipped"},
    }


def _return_variables(ret):
    """The returns' documents: an open return of one of two fulfilled units."""
    if ret is None:
        return {}
    line = ret["returnLineItems"]["nodes"][0]
    rfo_line = ret["reverseFulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]
    disposition = {
        "reverseFulfillmentOrderLineItemId": rfo_line["id"],
        "quantity": 1,
        "dispositionType": "RESTOCKED",
        "locationId": ret["location_id"],
    }
    return {
        "RETURN": {"id": ret["id"]},
        "RETURN_CLOSE": {"id": ret["id"]},
        "RETURN_PROCESS": {
            "input": {
                "returnId": ret["id"],
                "returnLineItems": [
                    {"id": line["id"], "quantity": 1, "dispositions": [disposition]}
                ],
            }
        },
        "RETURN_CREATE": {
            "returnInput": {
                "orderId": ret["order_id"],
                "returnLineItems": [
                    {"fulfillmentLineItemId": ret["fulfillment_line"], "quantity": 1}
                ],
            }
        },
    }


@pytest.fixture
def demo(sandbox):
    """Demo seed plus one fulfillment and one subscription, so every document has a target."""
    sandbox.admin.reset("demo")
    state = sandbox.admin.state()
    sandbox.admin.fulfill(state["orders"][2]["id"], tracking={"company": "UPS", "number": "1"})
    sandbox.admin.subscribe("orders/create", "https://example.com/hooks")
    sandbox.admin.hold(state["orders"][1]["fulfillment_orders"][0]["id"])
    extra = sandbox.admin.create_order(
        email="r@example.com", line_items=[{"sku": "ACME-ANVIL", "quantity": 2}]
    )
    line = sandbox.admin.fulfill(extra["id"])["line_items"][0]["id"]
    items = [{"fulfillmentLineItemId": line, "quantity": 1}]
    body = sandbox.gql(
        queries.RETURN_CREATE, {"returnInput": {"orderId": extra["id"], "returnLineItems": items}}
    )
    sandbox.synco_return = {
        **body["data"]["returnCreate"]["return"],
        "order_id": extra["id"],
        "fulfillment_line": line,
        "location_id": extra["fulfillment_orders"][0]["location_id"],
    }
    service = sandbox.admin.add_fulfillment_service("Odoo Service", "https://example.com/odoo")
    fos = []
    for _ in range(2):
        made = sandbox.admin.create_order(
            email="s@example.com",
            line_items=[
                {"sku": "ACME-ANVIL", "quantity": 1, "location_id": service["location"]["id"]}
            ],
        )
        fos.append(made["fulfillment_orders"][0]["id"])
        sandbox.admin.submit_fulfillment_request(fos[-1])
    sandbox.admin.set_request_status(fos[1], "ACCEPTED")
    sandbox.admin.request_cancellation(fos[1])
    sandbox.synco_service = {"submitted": fos[0], "cancelling": fos[1]}
    return sandbox


@pytest.mark.parametrize("name", sorted(_documents()))
def test_every_document_runs_without_errors(demo, name):
    demo.admin.configure(max_query_cost=None)
    document = _documents()[name]
    state = {
        **demo.admin.state(),
        "synco_return": demo.synco_return,
        "synco_service": demo.synco_service,
    }
    body = demo.gql(document, _variables(name, state))
    assert "errors" not in body, body["errors"]
    root = next(iter(body["data"].values()))
    assert root is not None
    if isinstance(root, dict) and "userErrors" in root:
        assert root["userErrors"] == []
    cost = body["extensions"]["cost"]
    assert cost["actualQueryCost"] <= cost["requestedQueryCost"]


@pytest.mark.parametrize("name", sorted(_documents()))
def test_every_document_fits_shopify_single_query_cost_limit(demo, name):
    """Shopify refuses a query whose requested cost exceeds 1000 (MAX_COST_EXCEEDED)."""
    state = {
        **demo.admin.state(),
        "synco_return": demo.synco_return,
        "synco_service": demo.synco_service,
    }
    body = demo.gql(_documents()[name], _variables(name, state))
    assert "errors" not in body, body["errors"]


def test_missing_or_unknown_token_is_401(sandbox):
    for token in (None, "shpat_wrong"):
        response = sandbox.post_graphql(queries.SHOP, token=token)
        assert response.status_code == 401
        assert response.json() == {"errors": INVALID}
        assert response.headers["X-Shopify-API-Version"] == "2026-10"


def test_unsupported_version_is_served_as_oldest(sandbox):
    response = sandbox.post_graphql(queries.SHOP, version="2023-01")
    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == "2026-01"
    response = sandbox.post_graphql(queries.SHOP, version="2026-07")
    assert response.headers["X-Shopify-API-Version"] == "2026-07"


def test_shop_and_scopes(sandbox):
    sandbox.admin.configure(scopes=["read_orders"], name="Other", currency="EUR")
    data = sandbox.gql(queries.SHOP)["data"]
    assert data["shop"]["name"] == "Other"
    assert data["shop"]["currencyCode"] == "EUR"
    assert data["shop"]["myshopifyDomain"] == "acme.myshopify.com"
    assert data["currentAppInstallation"]["accessScopes"] == [{"handle": "read_orders"}]


def test_validation_errors_are_shaped_like_shopify(sandbox):
    body = sandbox.gql("query { shop { id nope } }")
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "undefinedField"
    assert error["locations"] == [{"line": 1, "column": 19}]
    body = sandbox.gql("query { order(id: 1, bogus: 2) { id } }")
    assert body["errors"][0]["extensions"]["code"] == "argumentNotAccepted"
    body = sandbox.gql("query { shop { id }")
    assert body["errors"][0]["locations"]
    assert "data" not in body


def test_fulfillment_create_uses_real_input_shape(sandbox):
    """The deprecated V2 name and a wrong field name are refused, like on Shopify."""
    body = sandbox.gql(
        "mutation { fulfillmentCreateV2(fulfillment: {}) { userErrors { message } } }"
    )
    assert body["errors"][0]["extensions"]["code"] == "undefinedField"


def test_access_denied_for_missing_scope(sandbox, shop):
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    sandbox.admin.configure(scopes=["read_locations"])
    body = sandbox.gql("query($id: ID!) { order(id: $id) { id } }", {"id": order["id"]})
    [error] = body["errors"]
    assert error["message"] == (
        "Access denied for order field. Required access: `read_orders` access scope."
    )
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert body["data"] == {"order": None}
    assert "errors" not in sandbox.gql(queries.LOCATIONS, {"first": 5})


def test_write_scope_implies_read_and_mutations_need_write(sandbox, shop):
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    sandbox.admin.configure(scopes=["write_orders"])
    assert "errors" not in sandbox.gql(queries.ORDERS, {"first": 5})
    fo = order["fulfillment_orders"][0]
    variables = {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}}
    body = sandbox.gql(queries.FULFILLMENT_CREATE, variables)
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert "write_merchant_managed_fulfillment_orders" in body["errors"][0]["message"]
    assert sandbox.admin.order(order["id"])["fulfillments"] == []


def test_client_credentials_grant_and_expiry(sandbox):
    token_url = f"{sandbox.url}/admin/oauth/access_token"
    form = {
        "client_id": "sandbox-client-id",
        "client_secret": "sandbox-client-secret",
        "grant_type": "client_credentials",
    }
    sandbox.admin.configure(token_ttl=60, access_token=None)
    response = requests.post(token_url, data=form, timeout=5)
    assert response.status_code == 200
    grant = response.json()
    assert grant["expires_in"] == 60
    assert "read_orders" in grant["scope"].split(",")
    token = grant["access_token"]
    assert sandbox.post_graphql(queries.SHOP, token=token).status_code == 200
    assert sandbox.post_graphql(queries.SHOP).status_code == 401  # static token disabled
    sandbox.admin.advance_clock(61)
    assert sandbox.post_graphql(queries.SHOP, token=token).status_code == 401
    # JSON bodies work too
    response = requests.post(token_url, json=form, timeout=5)
    assert response.status_code == 200


def test_client_credentials_refusals(sandbox):
    token_url = f"{sandbox.url}/admin/oauth/access_token"
    good = {"client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret"}
    bad = requests.post(
        token_url, data={**good, "client_secret": "x", "grant_type": "client_credentials"}
    )
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"
    other = requests.post(token_url, data={**good, "grant_type": "authorization_code"})
    assert other.status_code == 400
    assert other.json()["error"] == "unsupported_grant_type"


def test_previous_secret_still_grants_after_rotation(sandbox):
    sandbox.admin.configure(client_secret="new-secret", previous="sandbox-client-secret")
    form = {
        "client_id": "sandbox-client-id",
        "client_secret": "sandbox-client-secret",
        "grant_type": "client_credentials",
    }
    response = requests.post(f"{sandbox.url}/admin/oauth/access_token", data=form, timeout=5)
    assert response.status_code == 200


def test_ids_are_above_2_53_and_legacy_ids_are_strings(sandbox, shop):
    order = sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    assert order["legacy_id"] > 2**53
    data = sandbox.gql(queries.ORDERS, {"first": 5})["data"]["orders"]["nodes"][0]
    assert data["legacyResourceId"] == str(order["legacy_id"])
    assert data["id"] == f"gid://shopify/Order/{order['legacy_id']}"


def test_pagination(sandbox, shop):
    for _ in range(3):
        sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    seen, after = [], None
    while True:
        page = sandbox.gql(queries.ORDERS, {"first": 2, "after": after})["data"]["orders"]
        seen += [n["name"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["#1001", "#1002", "#1003"]


def test_orders_query_filters_on_updated_at(sandbox, shop):
    sandbox.admin.create_order(line_items=[{"sku": "ANVIL", "quantity": 1}])
    later = sandbox.gql(queries.ORDERS, {"first": 5, "query": "updated_at:>'2999-01-01'"})
    assert later["data"]["orders"]["nodes"] == []
    earlier = sandbox.gql(queries.ORDERS, {"first": 5, "query": "updated_at:>='2000-01-01'"})
    assert len(earlier["data"]["orders"]["nodes"]) == 1


def test_sale_order_fields(sandbox, shop):
    order = sandbox.admin.create_order(
        email="a@example.com",
        customer={"first_name": "Ann", "last_name": "Lee"},
        shipping_address={"name": "Ann Lee", "city": "Paris", "country_code": "FR"},
        shipping_lines=[{"title": "Express", "code": "EXP", "price": "9.90"}],
        tax_lines=[{"title": "VAT", "rate": 0.2, "price": "20.00"}],
        line_items=[{"sku": "ANVIL", "quantity": 2, "price": "50.00", "discounts": ["5.00"]}],
    )
    query = """query($id: ID!) { order(id: $id) {
      name email currencyCode taxesIncluded
      totalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: 10) { nodes { originalUnitPriceSet { shopMoney { amount currencyCode } }
        discountAllocations { allocatedAmountSet { shopMoney { amount } } } } }
      taxLines { rate title priceSet { shopMoney { amount } } }
      shippingLines(first: 5) { nodes { title code originalPriceSet { shopMoney { amount } } } }
      shippingAddress { name city countryCodeV2 }
      customer { id email firstName lastName }
    } }"""
    data = sandbox.gql(query, {"id": order["id"]})["data"]["order"]
    # 2 x 50.00 - 5.00 discount + 9.90 shipping + 20.00 tax
    assert data["totalPriceSet"]["shopMoney"] == {"amount": "124.90", "currencyCode": "USD"}
    line = data["lineItems"]["nodes"][0]
    assert line["originalUnitPriceSet"]["shopMoney"]["amount"] == "50.00"
    assert line["discountAllocations"][0]["allocatedAmountSet"]["shopMoney"]["amount"] == "5.00"
    assert data["taxLines"][0]["title"] == "VAT"
    assert data["shippingLines"]["nodes"][0]["code"] == "EXP"
    assert data["shippingAddress"]["countryCodeV2"] == "FR"
    assert data["customer"]["firstName"] == "Ann"


def test_admin_helper_covers_locations_subscriptions_and_config(sandbox):
    admin = sandbox.admin
    loc = admin.create_location(name="Depot", fulfillment_service=True)
    assert loc["fulfillment_service"] == "depot"
    admin.update_location(loc["id"], active=False, name="Old Depot")
    body = sandbox.gql(queries.LOCATIONS, {"first": 5})["data"]["locations"]["nodes"]
    assert [(n["name"], n["isActive"]) for n in body] == [("Old Depot", False)]
    active_only = sandbox.gql("query { locations(first: 5) { nodes { id } } }")
    assert active_only["data"]["locations"]["nodes"] == []
    sub = admin.create_subscription(topic="FULFILLMENTS_CREATE", uri="https://x.example/h")
    assert [s["topic"] for s in admin.subscriptions()] == ["FULFILLMENTS_CREATE"]
    admin.delete_subscription(sub["id"])
    assert admin.subscriptions() == []
    admin.config(api_versions=["2026-07", "2026-10"])
    served = sandbox.post_graphql(queries.SHOP, version="2026-01")
    assert served.headers["X-Shopify-API-Version"] == "2026-07"
    admin.config(api_versions=None, scopes=None)
    assert admin.config()["api_versions"] == ["2026-01", "2026-04", "2026-07", "2026-10"]
    served = sandbox.post_graphql(queries.SHOP, version="2026-01")
    assert served.headers["X-Shopify-API-Version"] == "2026-01"


def test_admin_refusals_are_http_errors(sandbox):
    with pytest.raises(requests.HTTPError) as info:
        sandbox.admin.create_order(line_items=[{"sku": "NOPE", "quantity": 1}])
    assert info.value.response.status_code == 422
    with pytest.raises(requests.HTTPError):
        sandbox.admin.config(bogus=1)
