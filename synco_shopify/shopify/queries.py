"""Every GraphQL document the addon sends to Shopify, in one place.

The sandbox must answer each of them exactly as the Admin API does; the
root test suite runs all of them against it. Operation names start with
``Synco`` so that logs and the sandbox's call log name the operation.
"""

# The returns' documents live in a file of their own; named here too, so
# every document is ``queries.<NAME>``.
from .return_queries import (  # noqa: F401
    ORDERS_RETURNS,
    RETURN,
    RETURN_CLOSE,
    RETURN_CREATE,
    RETURN_PROCESS,
)
from .service_queries import (  # noqa: F401
    ASSIGNED_FULFILLMENT_ORDERS,
    CANCELLATION_REQUEST_ACCEPT,
    CANCELLATION_REQUEST_REJECT,
    FULFILLMENT_REQUEST_ACCEPT,
    FULFILLMENT_REQUEST_REJECT,
    FULFILLMENT_SERVICE_CREATE,
)

# Shopify refuses any single query whose requested cost exceeds 1000 points,
# and nested connections multiply (``first`` x the child's cost). So an
# order is read in three documents, each well under the limit: the order and
# its lines fifty at a time (~550; ``$linesAfter`` pages on), its
# fulfillment orders five at a time with fifty lines each (~560), and its
# fulfillments without their lines (~150). Longer lists page on in their
# own documents, 250 (Shopify's largest page) at a time, ~500 points each:
# a fulfillment order's lines, a fulfillment's lines, and the fulfillments
# of a fulfillment order when an order has more than ``Order.fulfillments``
# lists. ``shopify.reads`` does the paging.

FULFILLMENT_ORDER_FIELDS = """
fragment SyncoFulfillmentOrder on FulfillmentOrder {
  id
  status
  requestStatus
  assignedLocation {
    name
    location { id legacyResourceId name fulfillmentService { id handle } }
  }
  supportedActions { action }
  fulfillmentHolds { id reason reasonNotes }
  deliveryMethod { methodType }
  lineItems(first: 50) {
    nodes { id totalQuantity remainingQuantity sku lineItem { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

FULFILLMENT_FIELDS = """
fragment SyncoFulfillment on Fulfillment {
  id
  legacyResourceId
  status
  createdAt
  updatedAt
  location { id legacyResourceId }
  trackingInfo { company number url }
}
"""

SHOP = """
query SyncoShop {
  shop { id name myshopifyDomain email currencyCode ianaTimezone taxesIncluded }
  currentAppInstallation { accessScopes { handle } }
}
"""

LOCATIONS = """
query SyncoLocations($first: Int!, $after: String) {
  locations(first: $first, after: $after, includeInactive: true) {
    nodes {
      id
      legacyResourceId
      name
      isActive
      fulfillsOnlineOrders
      fulfillmentService { id handle serviceName }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ORDER = """
query SyncoOrder($id: ID!, $linesAfter: String) {
  order(id: $id) {
    id
    legacyResourceId
    name
    email
    createdAt
    updatedAt
    cancelledAt
    test
    currencyCode
    taxesIncluded
    displayFulfillmentStatus
    totalPriceSet { shopMoney { amount } }
    currentTotalPriceSet { shopMoney { amount } }
    shippingAddress {
      name firstName lastName company address1 address2 city zip provinceCode countryCodeV2 phone
    }
    billingAddress { name firstName lastName company }
    shippingLines(first: 5) {
      nodes {
        title
        code
        originalPriceSet { shopMoney { amount } }
        discountedPriceSet { shopMoney { amount } }
        taxLines { rate title priceSet { shopMoney { amount } } }
      }
    }
    lineItems(first: 50, after: $linesAfter) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        sku
        name
        quantity
        currentQuantity
        variant { id sku barcode }
        originalUnitPriceSet { shopMoney { amount } }
        discountAllocations { allocatedAmountSet { shopMoney { amount } } }
        taxLines { rate title priceSet { shopMoney { amount } } }
      }
    }
  }
}
"""

ORDER_FULFILLMENT_ORDERS = (
    """
query SyncoOrderFulfillmentOrders($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    id
    fulfillmentOrders(first: $first, after: $after) {
      nodes { ...SyncoFulfillmentOrder }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
    + FULFILLMENT_ORDER_FIELDS
)

ORDER_FULFILLMENTS = (
    """
query SyncoOrderFulfillments($id: ID!, $first: Int!) {
  order(id: $id) {
    id
    displayFulfillmentStatus
    fulfillments(first: $first) { ...SyncoFulfillment }
  }
}
"""
    + FULFILLMENT_FIELDS
)

ORDERS = """
query SyncoOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id legacyResourceId name updatedAt cancelledAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# The reconciliation's list: every order changed since the last run with
# the first ten of its fulfillments, enough to compare them with Odoo's
# links (~31 points an order requested, 4 or so spent; 25 a page, ~780).
# An order with ten or more is read whole (``reads.order_fulfillments``).
ORDERS_RECONCILE = """
query SyncoOrdersReconcile($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      id
      legacyResourceId
      name
      updatedAt
      cancelledAt
      fulfillments(first: 10) {
        id
        status
        location { legacyResourceId }
        trackingInfo(first: 1) { company number }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

FULFILLMENT = (
    """
query SyncoFulfillmentById($id: ID!, $after: String) {
  fulfillment(id: $id) {
    ...SyncoFulfillment
    order { id legacyResourceId }
    fulfillmentLineItems(first: 250, after: $after) {
      nodes { id quantity lineItem { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
    + FULFILLMENT_FIELDS
)

FULFILLMENT_ORDER_LINES = """
query SyncoFulfillmentOrderLines($id: ID!, $after: String) {
  fulfillmentOrder(id: $id) {
    id
    lineItems(first: 250, after: $after) {
      nodes { id totalQuantity remainingQuantity sku lineItem { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

FULFILLMENT_ORDER_FULFILLMENTS = (
    """
query SyncoFulfillmentOrderFulfillments($id: ID!, $after: String) {
  fulfillmentOrder(id: $id) {
    id
    fulfillments(first: 250, after: $after) {
      nodes { ...SyncoFulfillment }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
    + FULFILLMENT_FIELDS
)

FULFILLMENT_ORDER = (
    """
query SyncoFulfillmentOrder($id: ID!) {
  fulfillmentOrder(id: $id) {
    ...SyncoFulfillmentOrder
    order { id legacyResourceId }
  }
}
"""
    + FULFILLMENT_ORDER_FIELDS
)

FULFILLMENT_CREATE = """
mutation SyncoFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id legacyResourceId status trackingInfo { company number url } }
    userErrors { field message }
  }
}
"""

FULFILLMENT_TRACKING_UPDATE = """
mutation SyncoFulfillmentTrackingUpdate(
  $fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!, $notifyCustomer: Boolean
) {
  fulfillmentTrackingInfoUpdate(
    fulfillmentId: $fulfillmentId,
    trackingInfoInput: $trackingInfoInput,
    notifyCustomer: $notifyCustomer
  ) {
    fulfillment { id status trackingInfo { company number url } }
    userErrors { field message }
  }
}
"""

FULFILLMENT_ORDER_MOVE = """
mutation SyncoFulfillmentOrderMove(
  $id: ID!, $newLocationId: ID!, $fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]
) {
  fulfillmentOrderMove(
    id: $id, newLocationId: $newLocationId, fulfillmentOrderLineItems: $fulfillmentOrderLineItems
  ) {
    movedFulfillmentOrder { id status assignedLocation { location { id legacyResourceId } } }
    originalFulfillmentOrder { id status }
    userErrors { field message }
  }
}
"""

FULFILLMENT_ORDER_RELEASE_HOLD = (
    """
mutation SyncoFulfillmentOrderReleaseHold($id: ID!, $holdIds: [ID!]) {
  fulfillmentOrderReleaseHold(id: $id, holdIds: $holdIds) {
    fulfillmentOrder { ...SyncoFulfillmentOrder }
    userErrors { field message }
  }
}
"""
    + FULFILLMENT_ORDER_FIELDS
)

FULFILLMENT_CANCEL = """
mutation SyncoFulfillmentCancel($id: ID!) {
  fulfillmentCancel(id: $id) {
    fulfillment { id status }
    userErrors { field message }
  }
}
"""

WEBHOOK_SUBSCRIPTIONS = """
query SyncoWebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    nodes { id topic uri format }
    pageInfo { hasNextPage endCursor }
  }
}
"""

WEBHOOK_SUBSCRIPTION_CREATE = """
mutation SyncoWebhookSubscriptionCreate(
  $topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri format }
    userErrors { field message }
  }
}
"""

WEBHOOK_SUBSCRIPTION_UPDATE = """
mutation SyncoWebhookSubscriptionUpdate(
  $id: ID!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri format }
    userErrors { field message }
  }
}
"""

WEBHOOK_SUBSCRIPTION_DELETE = """
mutation SyncoWebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}
"""

FULFILLMENT_ORDER_PREPARED_FOR_PICKUP = """
mutation SyncoPreparedForPickup($input: FulfillmentOrderLineItemsPreparedForPickupInput!) {
  fulfillmentOrderLineItemsPreparedForPickup(input: $input) {
    userErrors { field message code }
  }
}
"""
