"""One GraphQL request, end to end: parse, validate, cost, throttle, execute.

Split in two steps so that the HTTP layer can look at the parsed
operation (name, root fields) to apply fault injection before anything
is executed or charged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import GraphQLError, execute, parse, validate
from graphql.utilities import get_operation_ast

from . import fields, fulfillment_service, mutations, pickup, returns_api  # noqa: F401  (register their resolvers on SCHEMA)
from .cost import CostCalculator, collect_fields
from .resolvers import SCHEMA, default_resolver

RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"

# graphql-core validation messages -> the codes Shopify puts in extensions.
_CODES = [
    (r"^Cannot query field", "undefinedField"),
    (r"^Unknown argument", "argumentNotAccepted"),
    (r"argument .* is required, but it was not provided", "missingRequiredArguments"),
    (r"^Unknown type", "undefinedType"),
    (r"^Unknown fragment", "useAndDefineFragment"),
    (r"^Fragment .* is never used", "useAndDefineFragment"),
    (r"^Variable .* is never used", "variableNotUsed"),
    (r"^Variable .* is not defined", "undefinedVariable"),
    (r"must have a selection of subfields|must not have a selection", "selectionMismatch"),
    (r"used in position expecting", "variableMismatch"),
    (
        r"^(Expected value|Int cannot|String cannot|Enum .* cannot|Boolean cannot)",
        "argumentLiteralsIncompatible",
    ),
    (r"^Variable .* got invalid value|was not provided", "INVALID_VARIABLE"),
    (r"^There can be only one", "uniquelyNamedOperations"),
]


def error_code(message: str) -> str:
    for pattern, code in _CODES:
        if re.search(pattern, message):
            return code
    return "validationError"


def _format(error: GraphQLError, code: str | None = None) -> dict:
    out = error.formatted
    if code and "code" not in (out.get("extensions") or {}):
        out["extensions"] = {**(out.get("extensions") or {}), "code": code}
    return out


@dataclass
class Request:
    """A parsed GraphQL request; ``errors`` set means answer them and stop."""

    query: str
    variables: dict
    operation_name: str | None
    document: object = None
    operation: object = None
    errors: list = field(default_factory=list)
    root_fields: list = field(default_factory=list)
    requested_cost: int = 0

    @property
    def name(self) -> str | None:
        if self.operation is not None and self.operation.name:
            return self.operation.name.value
        return self.operation_name


def prepare(body: dict, config) -> Request:
    """Parse and validate; compute root fields and the requested cost."""
    req = Request(
        query=body.get("query") or "",
        variables=body.get("variables") or {},
        operation_name=body.get("operationName"),
    )
    try:
        req.document = parse(req.query)
    except GraphQLError as exc:
        req.errors = [exc.formatted]
        return req
    errors = validate(SCHEMA, req.document)
    if errors:
        req.errors = [_format(e, error_code(e.message)) for e in errors]
        return req
    req.operation = get_operation_ast(req.document, req.operation_name)
    if req.operation is None:
        msg = (
            "An operation name is required"
            if req.operation_name is None
            else (f'No operation named "{req.operation_name}"')
        )
        req.errors = [{"message": msg, "extensions": {"code": "OPERATION_NOT_FOUND"}}]
        return req
    calc = CostCalculator(SCHEMA, req.document, req.operation, req.variables)
    fragments = calc.fragments
    req.root_fields = [f.name.value for f in collect_fields(req.operation.selection_set, fragments)]
    req.requested_cost = calc.cost()
    limit = config.max_query_cost
    if limit and req.requested_cost > limit:
        msg = (
            f"Query cost is {req.requested_cost}, which exceeds the single query max cost "
            f"limit ({limit}).\n\nSee {RATE_LIMIT_DOCS} for more information on how the cost "
            "of a query is calculated."
        )
        req.errors = [
            {
                "message": msg,
                "extensions": {
                    "code": "MAX_COST_EXCEEDED",
                    "cost": req.requested_cost,
                    "maxCost": limit,
                    "documentation": RATE_LIMIT_DOCS,
                },
            }
        ]
    return req


def cost_extension(store, requested, actual) -> dict:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": store.bucket.status(),
        }
    }


def throttled(store, req: Request) -> dict:
    return {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS},
            }
        ],
        "extensions": cost_extension(store, req.requested_cost, None),
    }


def run(store, req: Request) -> tuple[dict, bool]:
    """Charge the bucket and execute. Returns (response body, throttled?).

    The caller holds ``store.lock``.
    """
    if req.errors:
        return {"errors": req.errors}, False
    # Without a single-query limit (a sandbox-only relaxation) a charge is
    # capped at the bucket size, or a huge query could never run at all.
    charge = min(req.requested_cost, int(store.config.bucket_maximum))
    if not store.bucket.try_take(charge):
        return throttled(store, req), True
    result = execute(
        SCHEMA,
        req.document,
        context_value=store,
        variable_values=req.variables,
        operation_name=req.operation_name,
        field_resolver=default_resolver,
    )
    body: dict = {}
    if result.errors:
        body["errors"] = [_format(e, _execution_code(e)) for e in result.errors]
    if not (result.data is None and result.errors and _is_variable_error(result.errors)):
        body["data"] = result.data
    calc = CostCalculator(SCHEMA, req.document, req.operation, req.variables)
    actual = calc.cost(result.data or {}) if result.data is not None else req.requested_cost
    actual = min(actual, charge)
    store.bucket.refund(charge - actual)
    body["extensions"] = cost_extension(store, req.requested_cost, actual)
    return body, False


def _is_variable_error(errors) -> bool:
    return all(e.path is None for e in errors)


def _execution_code(error: GraphQLError) -> str | None:
    if error.path is None:  # variable coercion, before any resolver ran
        return "INVALID_VARIABLE"
    return None
