"""A store driven as a merchant and Shopify would drive it, for the launch
suite: place orders, fulfill and re-track them in Shopify, read them back,
and sign the webhook deliveries Shopify would send.

Everything goes through the public GraphQL Admin API with the client it is
given (the addon's), so the same suite runs against the sandbox and against
a Shopify development store. Odoo-free, and it imports nothing of the addon:
it lives beside the sandbox, outside what ships to a merchant. Besides the
addon's own scopes the driver needs ``write_orders`` (``orderCreate``),
``read_products`` (to find variants by SKU), and ``read_returns`` and
``write_returns`` (``returnCreate``, ``returnProcess``) for the return cases.
"""

import json
import time
import uuid
from datetime import datetime, timezone

from .models import parse_gid
from .webhooks import sign

SHOP = "query LaunchShop { shop { name currencyCode } }"

LOCATIONS = """
query LaunchLocations {
  locations(first: 50, includeInactive: false) {
    nodes { id legacyResourceId name isActive fulfillmentService { handle } }
  }
}"""

VARIANTS = """
query LaunchVariants($query: String!) {
  productVariants(first: 5, query: $query) { nodes { id sku title } }
}"""

ORDER_CREATE = """
mutation LaunchOrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id legacyResourceId name }
    userErrors { field message }
  }
}"""

FULFILLMENT_FIELDS = """
  id legacyResourceId status
  location { id }
  order { id legacyResourceId }
  trackingInfo(first: 1) { company number }
  fulfillmentLineItems(first: 10) { nodes { id quantity lineItem { id sku } } }
"""

ORDER = f"""
query LaunchOrder($id: ID!) {{
  order(id: $id) {{
    id legacyResourceId name displayFulfillmentStatus
    lineItems(first: 10) {{ nodes {{ id sku quantity }} }}
    fulfillmentOrders(first: 5) {{
      nodes {{
        id status
        assignedLocation {{ location {{ id }} }}
        lineItems(first: 10) {{ nodes {{ id remainingQuantity lineItem {{ id sku }} }} }}
      }}
    }}
    fulfillments(first: 10) {{ {FULFILLMENT_FIELDS} }}
  }}
}}"""

FULFILLMENT = f"""
query LaunchFulfillment($id: ID!) {{ fulfillment(id: $id) {{ {FULFILLMENT_FIELDS} }} }}
"""

MOVE = """
mutation LaunchMove($id: ID!, $newLocationId: ID!) {
  fulfillmentOrderMove(id: $id, newLocationId: $newLocationId) {
    movedFulfillmentOrder { id }
    userErrors { field message }
  }
}"""

FULFILL = f"""
mutation LaunchFulfill($fulfillment: FulfillmentInput!) {{
  fulfillmentCreate(fulfillment: $fulfillment) {{
    fulfillment {{ {FULFILLMENT_FIELDS} }}
    userErrors {{ field message }}
  }}
}}"""

TRACKING_UPDATE = f"""
mutation LaunchTracking($fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!) {{
  fulfillmentTrackingInfoUpdate(
    fulfillmentId: $fulfillmentId, trackingInfoInput: $trackingInfoInput, notifyCustomer: false
  ) {{
    fulfillment {{ {FULFILLMENT_FIELDS} }}
    userErrors {{ field message }}
  }}
}}"""

RETURN_FIELDS = """
  id name status
  order { id legacyResourceId }
  returnLineItems(first: 10) {
    nodes {
      id quantity processedQuantity unprocessedQuantity
      ... on ReturnLineItem { fulfillmentLineItem { id lineItem { id sku } } }
    }
  }
  reverseFulfillmentOrders(first: 2) {
    nodes {
      id status
      lineItems(first: 10) {
        nodes {
          id totalQuantity fulfillmentLineItem { id }
          dispositions { quantity type location { id } }
        }
      }
    }
  }
"""

RETURN = f"""
query LaunchReturn($id: ID!) {{ return(id: $id) {{ {RETURN_FIELDS} }} }}
"""

RETURN_CREATE = """
mutation LaunchReturnCreate($returnInput: ReturnInput!) {
  returnCreate(returnInput: $returnInput) {
    return { id }
    userErrors { field message }
  }
}"""

RETURN_PROCESS = """
mutation LaunchReturnProcess($input: ReturnProcessInput!) {
  returnProcess(input: $input) {
    return { id }
    userErrors { field message }
  }
}"""

OPEN_FO = ("OPEN", "IN_PROGRESS")


class StoreDriver:
    """Drive one store. ``client`` is a ``ShopifyClient``; ``webhook_secret``
    signs deliveries (the app's client secret). Development stores accept
    five ``orderCreate`` a minute: ``order_interval`` spaces them."""

    def __init__(
        self,
        client,
        shop_domain,
        webhook_secret,
        order_interval=0.0,
        clock=time.monotonic,
        sleep=time.sleep,
    ):
        self.client = client
        self.shop_domain = shop_domain
        self.webhook_secret = webhook_secret
        self.order_interval = order_interval
        self._clock = clock
        self._sleep = sleep
        self._last_order = None

    # -- reading ---------------------------------------------------------------

    def shop(self):
        return self.client.execute(SHOP)["shop"]

    def locations(self, names=None):
        """Active merchant-managed locations, in the order of ``names`` when
        given (each must exist), else as Shopify lists them."""
        nodes = self.client.execute(LOCATIONS)["locations"]["nodes"]
        own = [n for n in nodes if n["isActive"] and not n.get("fulfillmentService")]
        if not names:
            return own
        by_name = {n["name"]: n for n in own}
        missing = [name for name in names if name not in by_name]
        if missing:
            raise LookupError(
                f"no active merchant-managed location named {', '.join(missing)}; "
                f"the store has {', '.join(sorted(by_name)) or 'none'}"
            )
        return [by_name[name] for name in names]

    def variant(self, sku):
        nodes = self.client.execute(VARIANTS, {"query": f"sku:'{sku}'"})["productVariants"]
        found = [n for n in nodes["nodes"] if n["sku"] == sku]
        if len(found) != 1:
            raise LookupError(f"the store has {len(found)} variants with SKU {sku!r}, not one")
        return found[0]

    def order(self, order_gid):
        return self.client.execute(ORDER, {"id": order_gid})["order"]

    def fulfillment(self, gid):
        return self.client.execute(FULFILLMENT, {"id": gid})["fulfillment"]

    def return_(self, gid):
        return self.client.execute(RETURN, {"id": gid})["return"]

    # -- writing, as a merchant in the Shopify admin would ------------------------

    def create_order(self, lines, email, tag="synco-launch-check"):
        """A paid order of ``lines`` ([(variant gid, quantity)]); no receipt
        is sent and inventory is left alone."""
        if self.order_interval and self._last_order is not None:
            wait = self._last_order + self.order_interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        address = {
            "firstName": "Launch",
            "lastName": "Check",
            "address1": "1 Main Street",
            "city": "Ottawa",
            "provinceCode": "ON",
            "countryCode": "CA",
            "zip": "K1A 0B1",
        }
        order = {
            "email": email,
            "tags": [tag],
            "financialStatus": "PAID",
            "shippingAddress": address,
            "billingAddress": address,
            "lineItems": [{"variantId": gid, "quantity": qty} for gid, qty in lines],
        }
        options = {
            "inventoryBehaviour": "BYPASS",
            "sendReceipt": False,
            "sendFulfillmentReceipt": False,
        }
        payload = self.client.mutate(
            ORDER_CREATE, {"order": order, "options": options}, "orderCreate"
        )
        self._last_order = self._clock()
        return self.order(payload["order"]["id"])

    def move(self, fo_gid, location_gid):
        payload = self.client.mutate(
            MOVE, {"id": fo_gid, "newLocationId": location_gid}, "fulfillmentOrderMove"
        )
        return payload["movedFulfillmentOrder"]

    def fulfill(self, order_gid, quantities=None, tracking=None):
        """Fulfill ``quantities`` ({sku: quantity}, default everything
        remaining) from the open fulfillment orders that hold them."""
        groups = []
        wanted = dict(quantities or {})
        for fo in self.order(order_gid)["fulfillmentOrders"]["nodes"]:
            if fo["status"] not in OPEN_FO:
                continue
            items = []
            for line in fo["lineItems"]["nodes"]:
                sku = line["lineItem"]["sku"]
                qty = line["remainingQuantity"]
                if quantities is not None:
                    qty = min(qty, wanted.get(sku, 0))
                    wanted[sku] = wanted.get(sku, 0) - qty
                if qty > 0:
                    items.append({"id": line["id"], "quantity": qty})
            if items:
                groups.append({"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": items})
        left = {sku: qty for sku, qty in wanted.items() if qty > 0}
        if left or not groups:
            raise ValueError(f"nothing left to fulfill for {left or 'this order'}")
        fulfillment = {"lineItemsByFulfillmentOrder": groups, "notifyCustomer": False}
        if tracking:
            fulfillment["trackingInfo"] = tracking
        return self.client.mutate(FULFILL, {"fulfillment": fulfillment}, "fulfillmentCreate")[
            "fulfillment"
        ]

    def update_tracking(self, fulfillment_gid, company, number):
        return self.client.mutate(
            TRACKING_UPDATE,
            {
                "fulfillmentId": fulfillment_gid,
                "trackingInfoInput": {"company": company, "number": number},
            },
            "fulfillmentTrackingInfoUpdate",
        )["fulfillment"]

    def create_return(self, order_gid, quantities):
        """The customer's return of ``quantities`` ({sku: quantity}) of the
        order's fulfilled units, made by the merchant (``returnCreate``):
        open at once, with no request to approve."""
        wanted = dict(quantities)
        items = []
        for fulfillment in self.order(order_gid)["fulfillments"]:
            if fulfillment["status"] != "SUCCESS":
                continue
            for node in fulfillment["fulfillmentLineItems"]["nodes"]:
                qty = min(node["quantity"], wanted.get(node["lineItem"]["sku"], 0))
                if qty > 0:
                    wanted[node["lineItem"]["sku"]] -= qty
                    items.append(
                        {
                            "fulfillmentLineItemId": node["id"],
                            "quantity": qty,
                            "returnReason": "OTHER",
                        }
                    )
        left = {sku: qty for sku, qty in wanted.items() if qty > 0}
        if left or not items:
            raise ValueError(f"nothing fulfilled to return for {left or 'this order'}")
        created = self.client.mutate(
            RETURN_CREATE,
            {
                "returnInput": {
                    "orderId": order_gid,
                    "returnLineItems": items,
                    "notifyCustomer": False,
                }
            },
            "returnCreate",
        )["return"]
        return self.return_(created["id"])

    def process_return(self, ret, location_gid):
        """Process every unprocessed unit of ``ret`` (as read by this
        driver) as received and restocked at ``location_gid``
        (``returnProcess``), as a merchant does in the Shopify admin."""
        reverse = {
            node["fulfillmentLineItem"]["id"]: node["id"]
            for rfo in ret["reverseFulfillmentOrders"]["nodes"]
            for node in rfo["lineItems"]["nodes"]
        }
        items = []
        for line in ret["returnLineItems"]["nodes"]:
            qty = line["unprocessedQuantity"]
            if qty <= 0:
                continue
            disposition = {
                "reverseFulfillmentOrderLineItemId": reverse[line["fulfillmentLineItem"]["id"]],
                "quantity": qty,
                "dispositionType": "RESTOCKED",
                "locationId": location_gid,
            }
            items.append({"id": line["id"], "quantity": qty, "dispositions": [disposition]})
        self.client.mutate(
            RETURN_PROCESS,
            {"input": {"returnId": ret["id"], "returnLineItems": items, "notifyCustomer": False}},
            "returnProcess",
        )
        return self.return_(ret["id"])

    # -- what Shopify would send -------------------------------------------------

    def delivery(self, topic, fulfillment, webhook_id=None):
        """The body and headers of a signed ``fulfillments/*`` delivery of
        ``fulfillment`` (as read by this driver), as Shopify sends it. Pass
        the same ``webhook_id`` again to replay a delivery."""
        info = (fulfillment.get("trackingInfo") or [{}])[0]
        body = {
            "id": int(fulfillment["legacyResourceId"]),
            "admin_graphql_api_id": fulfillment["id"],
            "order_id": int(fulfillment["order"]["legacyResourceId"]),
            "status": fulfillment["status"].lower(),
            "location_id": parse_gid(fulfillment["location"]["id"], "Location")
            if fulfillment.get("location")
            else None,
            "tracking_company": info.get("company"),
            "tracking_number": info.get("number"),
            "line_items": [
                {
                    "id": parse_gid(n["lineItem"]["id"], "LineItem"),
                    "sku": n["lineItem"]["sku"],
                    "quantity": n["quantity"],
                }
                for n in fulfillment["fulfillmentLineItems"]["nodes"]
            ],
        }
        return self._signed(topic, body, webhook_id)

    def return_delivery(self, topic, ret, webhook_id=None):
        """The body and headers of a signed ``returns/*`` delivery of
        ``ret`` (as read by this driver), as Shopify sends it."""
        order = ret["order"]
        body = {
            "id": parse_gid(ret["id"], "Return"),
            "admin_graphql_api_id": ret["id"],
            "name": ret["name"],
            "status": ret["status"].lower(),
            "order": {"id": int(order["legacyResourceId"]), "admin_graphql_api_id": order["id"]},
            "return_line_items": [
                {
                    "id": parse_gid(line["id"], "ReturnLineItem"),
                    "admin_graphql_api_id": line["id"],
                    "quantity": line["quantity"],
                    "processed_quantity": line["processedQuantity"],
                    "fulfillment_line_item": {
                        "id": parse_gid(line["fulfillmentLineItem"]["id"], "FulfillmentLineItem"),
                        "line_item": {
                            "id": parse_gid(
                                line["fulfillmentLineItem"]["lineItem"]["id"], "LineItem"
                            )
                        },
                    },
                }
                for line in ret["returnLineItems"]["nodes"]
            ],
            "exchange_line_items": [],
        }
        return self._signed(topic, body, webhook_id)

    def _signed(self, topic, body, webhook_id=None):
        raw = json.dumps(body).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(self.webhook_secret, raw),
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": datetime.now(timezone.utc).isoformat(),
            "X-Shopify-API-Version": self.client.api_version,
        }
        return raw, headers
