"""The GraphQL documents of returns (``read_returns`` / ``write_returns``),
kept beside ``queries.py``, which names them too."""

# Returns (read_returns / write_returns). A return line is the interface
# ReturnLineItemType; its fulfillment line is read on ReturnLineItem.
RETURN = """
query SyncoReturn($id: ID!) {
  return(id: $id) {
    id
    name
    status
    order { id }
    returnLineItems(first: 50) {
      nodes {
        id
        quantity
        processedQuantity
        unprocessedQuantity
        ... on ReturnLineItem { fulfillmentLineItem { id lineItem { id } } }
      }
    }
    reverseFulfillmentOrders(first: 2) {
      nodes {
        id
        status
        lineItems(first: 50) {
          nodes {
            id
            totalQuantity
            fulfillmentLineItem { id }
            dispositions { quantity type location { id } }
          }
        }
      }
    }
  }
}
"""

RETURN_PROCESS = """
mutation SyncoReturnProcess($input: ReturnProcessInput!) {
  returnProcess(input: $input) {
    return { id status }
    userErrors { code field message }
  }
}
"""

RETURN_CLOSE = """
mutation SyncoReturnClose($id: ID!) {
  returnClose(id: $id) {
    return { id status }
    userErrors { code field message }
  }
}
"""

RETURN_CREATE = """
mutation SyncoReturnCreate($returnInput: ReturnInput!) {
  returnCreate(returnInput: $returnInput) {
    return {
      id
      name
      status
      returnLineItems(first: 50) {
        nodes { id quantity ... on ReturnLineItem { fulfillmentLineItem { id } } }
      }
      reverseFulfillmentOrders(first: 5) {
        nodes { id lineItems(first: 50) { nodes { id fulfillmentLineItem { id } } } }
      }
    }
    userErrors { code field message }
  }
}
"""

# The returns' catch-up: the returns of every order changed since the last
# run (a return's actions change its order), ~11 points an order, 25 a page.
ORDERS_RETURNS = """
query SyncoOrdersReturns($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id legacyResourceId returns(first: 10) { nodes { id status } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
