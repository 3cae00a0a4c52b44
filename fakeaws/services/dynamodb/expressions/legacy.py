"""The legacy (pre-expression) parameters, translated into expression trees.

``Expected`` (with ``ConditionalOperator``) becomes the tree of a
ConditionExpression and ``AttributeUpdates`` the tree of an UpdateExpression,
built from the same nodes the parser produces, so one evaluator runs both. The
translation follows the developer guide's "Legacy conditional parameters"
pages (each comparison operator has an expression equivalent):

    Exists: false               attribute_not_exists(a)
    Value (Exists absent/true)  a = :v
    EQ NE LE LT GE GT           a = :v, a <> :v, a <= :v ...
    NULL / NOT_NULL             attribute_not_exists(a) / attribute_exists(a)
    CONTAINS / NOT_CONTAINS     contains(a, :v) / NOT contains(a, :v)
    BEGINS_WITH IN BETWEEN      begins_with(a, :v), a IN (...), a BETWEEN :l AND :h
    PUT / DELETE (no value)     SET a = :v / REMOVE a
    ADD / DELETE (a value)      ADD a :v / DELETE a :v (legacy ADD also appends lists)

The validation messages and their order are dynalite's
(``validations/index.js`` ``validateAttributeConditions`` and
``validations/updateItem.js``, written against DynamoDB); the
ConditionalOperator messages are those of AWS's DAX client request validator
and of ExtendDB's tests run against DynamoDB.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fakeaws.errors import validation_error
from fakeaws.services.dynamodb.expressions.ast import (
    And,
    AttributeExists,
    AttributeNotExists,
    BeginsWith,
    Between,
    Clause,
    Compare,
    Contains,
    DocumentPath,
    In,
    LegacyAddAction,
    LegacyDeleteAction,
    Node,
    Not,
    Or,
    RemoveAction,
    Scope,
    SetAction,
    UpdateExpression,
    Value,
)
from fakeaws.services.dynamodb.types import compare, validate_value, value_type

_INVALID = "One or more parameter values were invalid: "

# ComparisonOperator -> how many values it takes (None: one or more)
_ARITY: dict[str, int | None] = {
    "EQ": 1,
    "NE": 1,
    "LE": 1,
    "LT": 1,
    "GE": 1,
    "GT": 1,
    "CONTAINS": 1,
    "NOT_CONTAINS": 1,
    "BEGINS_WITH": 1,
    "NULL": 0,
    "NOT_NULL": 0,
    "IN": None,
    "BETWEEN": 2,
}
_COMPARATORS = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
_ACTIONS = ["ADD", "PUT", "DELETE"]  # DynamoDB's order in its enum message


def check_conditional_operator(operator: str | None, conditions: Mapping | None) -> None:
    """ConditionalOperator needs an Expected (or filter) map of two or more conditions."""
    if operator is None:
        return
    if operator not in ("AND", "OR"):
        raise validation_error(
            f"1 validation error detected: Value '{operator}' at 'conditionalOperator' failed "
            "to satisfy constraint: Member must satisfy enum value set: [OR, AND]"
        )
    if not conditions:
        raise validation_error("ConditionalOperator cannot be used without Filter or Expected")
    if len(conditions) < 2:
        raise validation_error(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements"
        )


def expected(conditions: Mapping[str, Mapping], operator: str | None) -> tuple[Node, Scope]:
    """The condition tree and scope of an ``Expected`` map (checked, values normalized)."""
    scope = Scope()
    terms = []
    for name, spec in conditions.items():
        op, values = _checked_condition(name, spec)
        terms.append(_term(scope, name, op, values))
    return _joined(terms, operator), scope


def _checked_condition(name: str, spec: Mapping[str, Any]) -> tuple[str, list[dict]]:
    """The comparison operator and values of one Expected entry, or DynamoDB's complaint."""
    if "AttributeValueList" in spec and "Value" in spec:
        raise validation_error(
            f"{_INVALID}Value and AttributeValueList cannot be used together for Attribute: {name}"
        )
    if "ComparisonOperator" in spec:
        op = spec["ComparisonOperator"]
        if op not in _ARITY:
            raise validation_error(
                f"1 validation error detected: Value '{op}' at 'expected.{name}.member."
                "comparisonOperator' failed to satisfy constraint: Member must satisfy enum "
                f"value set: [{', '.join(_ARITY)}]"
            )
        if "Exists" in spec:
            raise validation_error(
                f"{_INVALID}Exists and ComparisonOperator cannot be used together for "
                f"Attribute: {name}"
            )
        raw = spec.get("AttributeValueList")
        if raw is None and "Value" in spec:
            raw = [spec["Value"]]
        if raw is None and op not in ("NULL", "NOT_NULL"):
            raise validation_error(
                f"{_INVALID}Value or AttributeValueList must be used with ComparisonOperator: "
                f"{op} for Attribute: {name}"
            )
        raw = raw or []
        arity = _ARITY[op]
        if (arity is None and not raw) or (arity is not None and len(raw) != arity):
            raise validation_error(
                f"{_INVALID}Invalid number of argument(s) for the {op} ComparisonOperator"
            )
        values = [validate_value(value) for value in raw]
        if len({value_type(value) for value in values}) > 1:
            raise validation_error(
                f"{_INVALID}AttributeValues inside AttributeValueList must be of same type"
            )
        if op == "BETWEEN" and (compare(values[0], values[1]) or 0) > 0:
            raise validation_error(
                "The BETWEEN condition was provided a range where the lower bound is greater "
                "than the upper bound"
            )
        return op, values
    if "AttributeValueList" in spec:
        raise validation_error(
            f"{_INVALID}AttributeValueList can only be used with a ComparisonOperator for "
            f"Attribute: {name}"
        )
    exists = spec.get("Exists")
    if exists is not False and "Value" not in spec:
        shown = "null" if exists is None else "true"
        raise validation_error(
            f"{_INVALID}Value must be provided when Exists is {shown} for Attribute: {name}"
        )
    if exists is False:
        if "Value" in spec:
            raise validation_error(
                f"{_INVALID}Value cannot be used when Exists is false for Attribute: {name}"
            )
        return "NULL", []
    return "EQ", [validate_value(spec["Value"])]


# The value types each operator takes in a QueryFilter / ScanFilter (dynalite's
# ``validateConditions``).
_FILTER_TYPES = {
    **dict.fromkeys(("EQ", "NE"), ("S", "N", "B", "SS", "NS", "BS")),
    **dict.fromkeys(
        ("LE", "LT", "GE", "GT", "CONTAINS", "NOT_CONTAINS", "IN", "BETWEEN"), ("S", "N", "B")
    ),
    "BEGINS_WITH": ("S", "B"),
}


def filters(conditions: Mapping[str, Mapping], operator: str | None) -> tuple[Node, Scope]:
    """The condition tree and scope of a legacy QueryFilter or ScanFilter.

    Each entry is a ComparisonOperator and its AttributeValueList, checked as
    DynamoDB checks filters: the values, their number, one type, a type the
    operator takes, BETWEEN's order.
    """
    scope = Scope()
    terms = []
    for name, spec in conditions.items():
        op = spec["ComparisonOperator"]
        values = [validate_value(value) for value in spec.get("AttributeValueList", [])]
        arity = _ARITY[op]
        if (arity is None and not values) or (arity is not None and len(values) != arity):
            raise validation_error(
                f"{_INVALID}Invalid number of argument(s) for the {op} ComparisonOperator"
            )
        if len({value_type(value) for value in values}) > 1:
            raise validation_error(
                f"{_INVALID}AttributeValues inside AttributeValueList must be of same type"
            )
        for value in values:
            if value_type(value) not in _FILTER_TYPES.get(op, ()):
                raise validation_error(
                    f"{_INVALID}ComparisonOperator {op} is not valid for {value_type(value)} "
                    "AttributeValue type"
                )
        if op == "BETWEEN" and (compare(values[0], values[1]) or 0) > 0:
            raise validation_error(
                "The BETWEEN condition was provided a range where the lower bound is greater "
                "than the upper bound"
            )
        terms.append(_term(scope, name, op, values))
    return _joined(terms, operator), scope


def _term(scope: Scope, name: str, op: str, values: list[dict]) -> Node:
    """One legacy condition on a top-level attribute, its values bound as placeholders."""
    path = DocumentPath((name,))
    scope.paths[path] = (name,)
    operands = []
    for value in values:
        placeholder = f":legacy{len(scope.values)}"
        scope.values[placeholder] = value
        operands.append(Value(placeholder))
    return _comparison(op, path, operands)


def _joined(terms: list[Node], operator: str | None) -> Node:
    """Legacy conditions joined by ConditionalOperator (AND unless OR)."""
    if len(terms) == 1:
        return terms[0]
    return (Or if operator == "OR" else And)(tuple(terms))


def _comparison(op: str, path: DocumentPath, operands: list[Value]) -> Node:
    if op in _COMPARATORS:
        return Compare(_COMPARATORS[op], path, operands[0])
    if op == "NULL":
        return AttributeNotExists("attribute_not_exists", (path,))
    if op == "NOT_NULL":
        return AttributeExists("attribute_exists", (path,))
    if op == "CONTAINS":
        return Contains("contains", (path, operands[0]))
    if op == "NOT_CONTAINS":
        return Not(Contains("contains", (path, operands[0])))
    if op == "BEGINS_WITH":
        return BeginsWith("begins_with", (path, operands[0]))
    if op == "IN":
        return In(path, tuple(operands))
    return Between(path, operands[0], operands[1])


def attribute_updates(updates: Mapping[str, Mapping]) -> tuple[UpdateExpression, Scope]:
    """The update tree and scope of an ``AttributeUpdates`` map (checked, values normalized)."""
    scope = Scope()
    actions: list[Node] = []
    for name, spec in updates.items():
        action = spec.get("Action", "PUT")
        if action not in _ACTIONS:
            raise validation_error(
                f"1 validation error detected: Value '{action}' at 'attributeUpdates.{name}."
                "member.action' failed to satisfy constraint: Member must satisfy enum value "
                f"set: [{', '.join(_ACTIONS)}]"
            )
        value = validate_value(spec["Value"]) if "Value" in spec else None
        if value is None and action != "DELETE":
            raise validation_error(
                f"{_INVALID}Only DELETE action is allowed when no attribute value is specified"
            )
        kind = value_type(value) if value is not None else None
        if action == "DELETE" and kind is not None and kind not in ("SS", "NS", "BS"):
            raise validation_error(
                f"{_INVALID}DELETE action with value is not supported for the type {kind}"
            )
        if action == "ADD" and kind not in ("N", "L", "SS", "NS", "BS"):
            raise validation_error(f"{_INVALID}ADD action is not supported for the type {kind}")
        path = DocumentPath((name,))
        scope.paths[path] = (name,)
        if value is None:
            actions.append(RemoveAction(path))
            continue
        placeholder = f":legacy{len(scope.values)}"
        scope.values[placeholder] = value
        operand = Value(placeholder)
        if action == "PUT":
            actions.append(SetAction(path, operand))
        elif action == "ADD":
            actions.append(LegacyAddAction(path, operand))
        else:
            actions.append(LegacyDeleteAction(path, operand))
    return UpdateExpression((Clause("LEGACY", tuple(actions)),)), scope
