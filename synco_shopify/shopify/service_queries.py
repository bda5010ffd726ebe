"""The GraphQL documents of Odoo as a Shopify fulfillment service, kept
beside ``queries.py``, which names them too. The service's own fulfillment
orders need ``read_assigned_fulfillment_orders`` /
``write_assigned_fulfillment_orders``; registering it ``write_fulfillments``."""

FULFILLMENT_SERVICE_CREATE = """
mutation SyncoFulfillmentServiceCreate($name: String!, $callbackUrl: URL!) {
  fulfillmentServiceCreate(
    name: $name, callbackUrl: $callbackUrl, trackingSupport: false, inventoryManagement: false
  ) {
    fulfillmentService {
      id
      serviceName
      handle
      callbackUrl
      location { id legacyResourceId name }
    }
    userErrors { field message }
  }
}
"""

# A page of the fulfillment orders assigned to the service's location, with
# the order each belongs to (50 lines each: ~560 points a page of five).
ASSIGNED_FULFILLMENT_ORDERS = """
query SyncoAssignedFulfillmentOrders(
  $status: FulfillmentOrderAssignmentStatus, $locationIds: [ID!], $first: Int!, $after: String
) {
  assignedFulfillmentOrders(
    assignmentStatus: $status, locationIds: $locationIds, first: $first, after: $after
  ) {
    nodes {
      id
      status
      requestStatus
      order { id legacyResourceId name }
      assignedLocation { location { id legacyResourceId } }
      lineItems(first: 50) {
        nodes { id totalQuantity remainingQuantity sku lineItem { id sku } }
        pageInfo { hasNextPage endCursor }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

_ANSWER = """
    fulfillmentOrder { id status requestStatus }
    userErrors { field message }
"""

FULFILLMENT_REQUEST_ACCEPT = (
    """
mutation SyncoAcceptFulfillmentRequest($id: ID!, $message: String) {
  fulfillmentOrderAcceptFulfillmentRequest(id: $id, message: $message) {"""
    + _ANSWER
    + "  }\n}\n"
)

FULFILLMENT_REQUEST_REJECT = (
    """
mutation SyncoRejectFulfillmentRequest(
  $id: ID!, $message: String, $reason: FulfillmentOrderRejectionReason,
  $lineItems: [IncomingRequestLineItemInput!]
) {
  fulfillmentOrderRejectFulfillmentRequest(
    id: $id, message: $message, reason: $reason, lineItems: $lineItems
  ) {"""
    + _ANSWER
    + "  }\n}\n"
)

CANCELLATION_REQUEST_ACCEPT = (
    """
mutation SyncoAcceptCancellationRequest($id: ID!, $message: String) {
  fulfillmentOrderAcceptCancellationRequest(id: $id, message: $message) {"""
    + _ANSWER
    + "  }\n}\n"
)

CANCELLATION_REQUEST_REJECT = (
    """
mutation SyncoRejectCancellationRequest($id: ID!, $message: String) {
  fulfillmentOrderRejectCancellationRequest(id: $id, message: $message) {"""
    + _ANSWER
    + "  }\n}\n"
)
