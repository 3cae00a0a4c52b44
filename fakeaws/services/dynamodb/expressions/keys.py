"""KeyConditionExpression: a condition narrowed to what a Query can use.

"You must specify the partition key name and value as an equality condition.
You can optionally provide a second condition for the sort key": ``=``, ``<``,
``<=``, ``>``, ``>=``, ``BETWEEN`` or ``begins_with``, joined by AND.

The messages prefixed ``Invalid KeyConditionExpression:`` are dynalite's
(``convertKeyCondition``) as a 2026 capture words them; the unprefixed ones
come from DynamoDB's Query checks against the key schema (dynalite's
``actions/query.js``; the condition count from the 2026 capture).
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from fakeaws.errors import validation_error
from fakeaws.services.dynamodb.expressions.ast import (
    And,
    BeginsWith,
    Between,
    Call,
    Compare,
    DocumentPath,
    Group,
    In,
    Node,
    Not,
    Or,
    Scope,
    Value,
)
from fakeaws.services.dynamodb.expressions.checks import Invalid
from fakeaws.services.dynamodb.types import AttributeValue, compare, copy_value, value_type

_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_WORDS = {Or: "OR", Not: "NOT", In: "IN"}
_MIRRORED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}  # for ":v < sk"


@dataclass(frozen=True)
class RangeCondition:
    """The sort key condition: ``operator`` is one of ``= < <= > >= BETWEEN begins_with``."""

    operator: str
    values: list[AttributeValue]

    def matches(self, value: AttributeValue | None) -> bool:
        if value is None:
            return False
        if self.operator == "begins_with":
            prefix = self.values[0]
            kind = value_type(prefix)
            return value_type(value) == kind and value[kind].startswith(prefix[kind])
        orders = [compare(value, bound) for bound in self.values]
        if None in orders:
            return False
        if self.operator == "BETWEEN":
            return orders[0] >= 0 and orders[1] <= 0
        if self.operator == "=":
            return orders[0] == 0
        return _ORDER[self.operator](orders[0], 0)


@dataclass(frozen=True)
class KeyCondition:
    hash_key: str
    hash_value: AttributeValue
    range_key: str | None
    range: RangeCondition | None

    def matches(self, range_value: AttributeValue | None) -> bool:
        """Whether an item's sort key value satisfies the sort key condition (if any)."""
        return self.range is None or self.range.matches(range_value)


def key_condition(
    tree: Node,
    scope: Scope,
    hash_key: str,
    range_key: str | None,
    key_types: Mapping[str, str] | None,
) -> KeyCondition:
    """The KeyCondition of a bound condition tree, or DynamoDB's complaint about it."""
    conditions: dict[str, tuple[str, list[AttributeValue]]] = {}
    for leaf in _leaves(tree):
        attribute, condition = _key_leaf(leaf, scope)
        if attribute in conditions:
            raise Invalid("KeyConditionExpressions must only contain one condition per key")
        conditions[attribute] = condition

    limit = 1 if range_key is None else 2
    if len(conditions) > limit:
        raise validation_error(
            f"The number of query conditions ({len(conditions)}) exceeds the number of key "
            f"attributes defined in the schema ({limit})"
        )
    if hash_key not in conditions:
        raise validation_error(f"Query condition missed key schema element: {hash_key}")
    hash_operator, hash_values = conditions.pop(hash_key)
    _check_types(hash_key, hash_values, key_types)
    if hash_operator != "=":
        raise validation_error("Query key condition not supported")
    sort = None
    if conditions:
        if range_key not in conditions:
            raise validation_error(f"Query condition missed key schema element: {range_key}")
        sort_operator, sort_values = conditions[range_key]
        _check_types(range_key, sort_values, key_types)
        sort = RangeCondition(sort_operator, sort_values)
    return KeyCondition(hash_key, hash_values[0], range_key, sort)


def _leaves(node: Node) -> Iterator[Node]:
    """The conditions joined by AND; any other way of combining them is refused."""
    if isinstance(node, And):
        for term in node.terms:
            yield from _leaves(term)
    elif isinstance(node, Group):
        yield from _leaves(node.inner)
    elif isinstance(node, (Or, Not, In)):
        raise Invalid(f"Invalid operator used in KeyConditionExpression: {_WORDS[type(node)]}")
    elif isinstance(node, Compare) and node.operator == "<>":
        raise Invalid("Invalid operator used in KeyConditionExpression: <>")
    elif isinstance(node, Call) and not isinstance(node, BeginsWith):
        raise Invalid(f"Invalid operator used in KeyConditionExpression: {node.name}")
    else:
        yield node


def _key_leaf(leaf: Node, scope: Scope) -> tuple[str, tuple[str, list[AttributeValue]]]:
    """The key attribute of one condition, and its operator and values (key on the left)."""
    if isinstance(leaf, Compare):
        operator_name, operands = leaf.operator, (leaf.left, leaf.right)
    elif isinstance(leaf, Between):
        operator_name, operands = "BETWEEN", (leaf.subject, leaf.low, leaf.high)
    else:
        operator_name, operands = "begins_with", leaf.args
    if operator_name in ("BETWEEN", "begins_with") and not isinstance(operands[0], DocumentPath):
        raise Invalid(
            f"Invalid condition in KeyConditionExpression: {operator_name} operator must have "
            "the key attribute as its first operand"
        )
    attribute, position = None, 0
    for n, operand in enumerate(operands):
        if isinstance(operand, Call):
            raise Invalid("KeyConditionExpressions cannot contain nested operations")
        if isinstance(operand, DocumentPath):
            if attribute is not None:
                raise Invalid(
                    "Invalid condition in KeyConditionExpression: "
                    "Multiple attribute names used in one condition"
                )
            path = scope.paths[operand]
            if len(path) > 1:
                raise Invalid("KeyConditionExpressions cannot have conditions on nested attributes")
            attribute, position = path[0], n
    if attribute is None:
        raise Invalid("Invalid condition in KeyConditionExpression: No key attribute specified")
    if position:  # ":v < sk" is "sk > :v"
        operator_name = _MIRRORED[operator_name]
    values = [copy_value(scope.values[o.name]) for o in operands if isinstance(o, Value)]
    return attribute, (operator_name, values)


def _check_types(
    attribute: str, values: list[AttributeValue], key_types: Mapping[str, str] | None
) -> None:
    expected = key_types and key_types.get(attribute)
    if expected and any(value_type(v) != expected for v in values):
        raise validation_error(
            "One or more parameter values were invalid: "
            "Condition parameter type does not match schema type"
        )
