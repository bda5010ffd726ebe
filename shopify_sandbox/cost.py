"""Query cost and the leaky bucket, after shopify.dev/docs/api/usage/rate-limits.

Cost rules (the documented ones, applied to the operation's AST):
scalars and enums 0, objects 1, connections 2 plus ``first`` (or ``last``)
times the cost of one node, mutations a flat 10 per root field. The
requested cost uses the arguments; the actual cost walks the result and
counts the nodes really returned, so it is usually lower and the
difference is refunded, as on Shopify.
"""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationType,
    get_named_type,
)
from graphql.utilities import value_from_ast_untyped

MUTATION_COST = 10
STATIC = object()  # "no result data": compute the requested cost


class Bucket:
    """Leaky bucket of cost points, refilled continuously by the store's clock."""

    def __init__(self, config, clock):
        self.config = config
        self.clock = clock
        self.available = float(config.bucket_maximum)
        self.last = clock()

    def _refill(self) -> None:
        now = self.clock()
        rate = float(self.config.bucket_restore_rate)
        maximum = float(self.config.bucket_maximum)
        self.available = min(maximum, self.available + max(now - self.last, 0) * rate)
        self.last = now

    def try_take(self, cost: float) -> bool:
        self._refill()
        if cost > self.available:
            return False
        self.available -= cost
        return True

    def refund(self, amount: float) -> None:
        self._refill()
        self.available = min(float(self.config.bucket_maximum), self.available + amount)

    def set_available(self, amount: float) -> None:
        self._refill()
        self.available = float(amount)

    def status(self) -> dict:
        self._refill()
        return {
            "maximumAvailable": float(self.config.bucket_maximum),
            "currentlyAvailable": int(self.available),
            "restoreRate": float(self.config.bucket_restore_rate),
        }


def collect_fields(selection_set, fragments):
    """Field nodes of a selection set, with fragments inlined (our schema has no unions)."""
    if selection_set is None:
        return
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            yield sel
        elif isinstance(sel, FragmentSpreadNode):
            fragment = fragments.get(sel.name.value)
            if fragment is not None:
                yield from collect_fields(fragment.selection_set, fragments)
        elif isinstance(sel, InlineFragmentNode):
            yield from collect_fields(sel.selection_set, fragments)


class CostCalculator:
    def __init__(self, schema, document, operation, variables):
        self.schema = schema
        self.operation = operation
        self.variables = variables or {}
        self.fragments = {
            d.name.value: d for d in document.definitions if d.kind == "fragment_definition"
        }

    def cost(self, data=STATIC) -> int:
        if self.operation.operation == OperationType.MUTATION:
            return MUTATION_COST * sum(
                1
                for f in collect_fields(self.operation.selection_set, self.fragments)
                if not f.name.value.startswith("__")
            )
        return self._selection(self.schema.query_type, self.operation.selection_set, data)

    def _arg(self, field: FieldNode, name: str):
        for arg in field.arguments or ():
            if arg.name.value == name:
                return value_from_ast_untyped(arg.value, self.variables)
        return None

    def _selection(self, parent: GraphQLObjectType, selection_set, data) -> int:
        total = 0
        for field in collect_fields(selection_set, self.fragments):
            name = field.name.value
            if name.startswith("__") or name not in parent.fields:
                continue
            field_type = parent.fields[name].type
            named = get_named_type(field_type)
            if not isinstance(named, GraphQLObjectType):
                continue
            key = field.alias.value if field.alias else name
            value = data.get(key) if isinstance(data, dict) else STATIC
            if named.name.endswith("Connection"):
                total += 2 + self._connection(field, named, value)
            elif _is_list(field_type):
                if value is STATIC:
                    count = self._arg(field, "first") or 1
                    total += count * (1 + self._selection(named, field.selection_set, STATIC))
                else:
                    total += sum(
                        1 + self._selection(named, field.selection_set, item)
                        for item in value or []
                    )
            elif value is not None:  # a null object resolved nothing: free
                total += 1 + self._selection(named, field.selection_set, value)
        return total

    def _connection(self, field: FieldNode, connection: GraphQLObjectType, value) -> int:
        node_type = get_named_type(connection.fields["nodes"].type)
        edge_type = get_named_type(connection.fields["edges"].type)
        total = 0
        for sub in collect_fields(field.selection_set, self.fragments):
            if sub.name.value not in ("nodes", "edges"):
                continue  # pageInfo and cursors are free
            item_type = node_type if sub.name.value == "nodes" else edge_type
            extra = 1 if sub.name.value == "nodes" else 0  # an edge's node counts itself
            if value is STATIC:
                count = self._arg(field, "first") or self._arg(field, "last") or 0
                per_item = extra + self._selection(item_type, sub.selection_set, STATIC)
                total += count * per_item
            else:
                key = sub.alias.value if sub.alias else sub.name.value
                items = (value or {}).get(key) or []
                total += sum(
                    extra + self._selection(item_type, sub.selection_set, item) for item in items
                )
        return total


def _is_list(field_type) -> bool:
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)
