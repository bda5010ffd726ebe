"""The returns' GraphQL face: ``return(id:)``, ``Order.returns`` and the
return mutations, behind ``read_returns`` / ``write_returns`` as on Shopify.
A refused action answers its ReturnUserError (HTTP 200), nothing changed."""

from __future__ import annotations

from .resolvers import SCHEMA, _set, connection, require
from .returns import ReturnError

SCHEMA.type_map["ReturnLineItemType"].resolve_type = lambda _obj, _info, _type: "ReturnLineItem"

for _type, _field, _attr in [
    ("Return", "returnLineItems", "lines"),
    ("Return", "reverseFulfillmentOrders", "reverse_fulfillment_orders"),
    ("ReverseFulfillmentOrder", "lineItems", "lines"),
]:
    SCHEMA.type_map[_type].fields[_field].resolve = lambda obj, _info, _a=_attr, **args: connection(
        getattr(obj, _a), **{k: v for k, v in args.items() if k != "query"}
    )


@_set("Query", "return")
def _return(_root, info, id):
    require(info.context, "return", "read_returns")
    return info.context.return_(id)


@_set("Order", "returns")
def _order_returns(order, info, query=None, **args):
    require(info.context, "returns", "read_returns")
    return connection(order.returns, **args)


def _mutation(name, payload_key="return"):
    def deco(fn):
        def resolve(_root, info, **args):
            store = info.context
            require(store, name, "write_returns")
            try:
                return {payload_key: fn(store, **args), "userErrors": []}
            except ReturnError as exc:
                return {payload_key: None, "userErrors": [exc.error]}

        SCHEMA.mutation_type.fields[name].resolve = resolve
        return fn

    return deco


@_mutation("returnRequest")
def _request(store, input):
    return store.return_request(input["orderId"], input["returnLineItems"])


@_mutation("returnCreate")
def _create(store, returnInput):
    return store.return_request(returnInput["orderId"], returnInput["returnLineItems"], "OPEN")


@_mutation("returnApproveRequest")
def _approve(store, input):
    return store.return_approve(input["id"])


@_mutation("returnDeclineRequest")
def _decline(store, input):
    return store.return_decline(input["id"], input["declineReason"], input.get("declineNote"))


@_mutation("returnCancel")
def _cancel(store, id, notifyCustomer=False):
    return store.return_cancel(id)


@_mutation("returnClose")
def _close(store, id):
    return store.return_close(id)


@_mutation("returnReopen")
def _reopen(store, id):
    return store.return_reopen(id)


@_mutation("returnProcess")
def _process(store, input):
    return store.return_process(input["returnId"], input.get("returnLineItems"))


@_mutation("reverseFulfillmentOrderDispose", "reverseFulfillmentOrderLineItems")
def _dispose(store, dispositionInputs):
    return store.dispose(dispositionInputs)
