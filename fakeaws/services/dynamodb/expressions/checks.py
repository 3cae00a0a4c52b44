"""DynamoDB's validation of parsed expressions, in the order DynamoDB reports problems.

Problems that need no request (unknown functions, reserved words...) are found
once per parse by ``static_problem`` and cached with the tree. The ``bind_*``
functions then resolve one request's names and values and check the rest.

Where the messages come from: the orders and most messages are dynalite's
(its grammars and validations were written by testing against DynamoDB). The
others follow DynamoDB's validation errors as listed in AWS's DAX client
(``DbValidationError``): functions "not allowed in a condition expression" /
"in an update expression", the IN operand limit, too many nesting levels
(whose wording ScyllaDB's Alternator tests captured from DynamoDB). The
operand-type errors of ``< <= > >= BETWEEN`` on values of other types than
S, N and B are from a 2026 conformance capture against AWS.

Conditions are checked one comparison or function at a time, in source order,
and within one: undefined names and values, operand counts, repeated
operands, then operand types, which the same capture confirms ("DynamoDB
walks the clauses in the order they are written").
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from typing import Protocol

from fakeaws.services.dynamodb.expressions.ast import (
    SET_TYPES,
    AddAction,
    And,
    Arithmetic,
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Between,
    Call,
    Compare,
    Contains,
    DeleteAction,
    DocumentPath,
    Group,
    IfNotExists,
    In,
    ListAppend,
    Node,
    Not,
    Or,
    Placeholder,
    ProjectionExpression,
    Scope,
    Size,
    UnknownCall,
    UpdateExpression,
    Value,
    children,
    walk,
)
from fakeaws.services.dynamodb.expressions.paths import describe, overlap_problem
from fakeaws.services.dynamodb.expressions.reserved import is_reserved
from fakeaws.services.dynamodb.types import AttributeValue, compare, value_type

MAX_PATH_DEPTH = 32
MAX_IN_OPERANDS = 100
REDUNDANT_PARENTHESES = "The expression has redundant parentheses;"
_ORDERING = frozenset({"<", "<=", ">", ">="})
_ORDERABLE = ("S", "N", "B")
_ANY_TYPE = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"  # DynamoDB's "type" of a path for attribute_type
_ATTRIBUTE_TYPES = "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
_TYPE_NAMES = {  # for ADD and DELETE, which name types in words
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "NULL": "NULL",
    "BOOL": "BOOLEAN",
    "L": "LIST",
    "M": "MAP",
}


class Invalid(Exception):
    """A problem in an expression; the caller prefixes ``Invalid <kind>: ``."""


class Attributes(Protocol):
    """The request's ExpressionAttributeNames/Values (``ExpressionAttributes``)."""

    def name(self, placeholder: str) -> str | None: ...

    def value(self, placeholder: str) -> AttributeValue | None: ...


# -- found once per parse -------------------------------------------------------------------


def static_problem(tree: Node, grammar: str, redundant: bool) -> str | None:
    """The first problem that does not depend on the request, in DynamoDB's order."""
    nodes = list(walk(tree))
    parentheses = REDUNDANT_PARENTHESES if redundant else None
    if grammar == "condition":
        return (
            _path_too_deep(nodes)
            or parentheses
            or _function_not_allowed(nodes, "condition")
            or _misused_function(tree)
            or _reserved_word(nodes)
        )
    if grammar == "update":
        return (
            _path_too_deep(nodes)
            or parentheses
            or _reserved_word(nodes)
            or _function_not_allowed(nodes, "update")
            or _repeated_clause(tree)
        )
    return _path_too_deep(nodes) or _reserved_word(nodes)


def _path_too_deep(nodes: list[Node]) -> str | None:
    return _first(
        f"The document path has too many nesting levels; nesting levels: {len(n.elements)}"
        for n in nodes
        if isinstance(n, DocumentPath) and len(n.elements) > MAX_PATH_DEPTH
    )


def _function_not_allowed(nodes: list[Node], grammar: str) -> str | None:
    for node in nodes:
        if isinstance(node, UnknownCall):
            return f"Invalid function name; function: {node.name}"
        if isinstance(node, Call) and (node.USE == "update") != (grammar == "update"):
            where = "an update" if grammar == "update" else "a condition"
            return f"The function is not allowed in {where} expression; function: {node.name}"
    return None


def _misused_function(tree: Node) -> str | None:
    """size() only as an operand; the other functions only as conditions."""
    return _first(
        f"The function is not allowed to be used this way in an expression; function: {n.name}"
        for n, as_condition in _positions(tree, True)
        if isinstance(n, Call) and (n.USE == "operand") == as_condition
    )


def _positions(node: Node, as_condition: bool) -> Iterator[tuple[Node, bool]]:
    """Each node, and whether it stands where a condition (not an operand) goes."""
    yield node, as_condition
    logical = as_condition and isinstance(node, (And, Or, Not, Group))
    for child in children(node):
        yield from _positions(child, logical)


def _reserved_word(nodes: list[Node]) -> str | None:
    return _first(
        f"Attribute name is a reserved keyword; reserved keyword: {element}"
        for n in nodes
        if isinstance(n, DocumentPath)
        for element in n.elements
        if isinstance(element, str) and is_reserved(element)
    )


def _repeated_clause(tree: UpdateExpression) -> str | None:
    keywords = [clause.keyword for clause in tree.clauses]
    return _first(
        f'The "{keyword}" section can only be used once in an update expression;'
        for n, keyword in enumerate(keywords)
        if keyword in keywords[:n]
    )


# -- per request ----------------------------------------------------------------------------


def bind_condition(tree: Node, attrs: Attributes) -> Scope:
    scope = Scope()
    for leaf in _leaves(tree):
        for node in walk(leaf):
            _bind(node, attrs, scope)
        nodes = list(walk(leaf, post=True))
        problem = (
            _first(_operand_count(n) for n in nodes)
            or _first(_repeated_operand(n, scope) for n in nodes)
            or _first(_condition_operand_type(n, scope.values) for n in nodes)
        )
        if problem:
            raise Invalid(problem)
    return scope


def bind_update(tree: UpdateExpression, attrs: Attributes) -> Scope:
    scope = Scope()
    nodes = list(walk(tree))
    for node in nodes:  # every name before any value
        if isinstance(node, DocumentPath):
            _bind(node, attrs, scope)
    for node in nodes:
        if isinstance(node, Value):
            _bind(node, attrs, scope)
    actions = tree.actions
    problem = (
        overlap_problem([scope.paths[action.path] for action in actions])
        or _first(_clause_operand_type(action, scope.values) for action in actions)
        or _first(_update_operand(n, scope.values) for n in walk(tree, post=True))
    )
    if problem:
        raise Invalid(problem)
    return scope


def bind_projection(tree: ProjectionExpression, attrs: Attributes) -> Scope:
    scope = Scope()
    for path in tree.paths:
        _bind(path, attrs, scope)
    problem = overlap_problem([scope.paths[path] for path in tree.paths])
    if problem:
        raise Invalid(problem)
    return scope


def _bind(node: Node, attrs: Attributes, scope: Scope) -> None:
    if isinstance(node, DocumentPath):
        scope.paths[node] = tuple(
            _name(e, attrs) if isinstance(e, Placeholder) else e for e in node.elements
        )
    elif isinstance(node, Value):
        value = attrs.value(node.name)
        if value is None:
            raise Invalid(
                "An expression attribute value used in expression is not defined; "
                f"attribute value: {node.name}"
            )
        scope.values[node.name] = value


def _name(placeholder: Placeholder, attrs: Attributes) -> str:
    name = attrs.name(placeholder.text)
    if name is None:
        raise Invalid(
            "An expression attribute name used in the document path is not defined; "
            f"attribute name: {placeholder.text}"
        )
    return name


def _leaves(node: Node) -> Iterator[Node]:
    """The comparisons and function calls that AND, OR, NOT and parentheses combine."""
    if isinstance(node, (And, Or)):
        for term in node.terms:
            yield from _leaves(term)
    elif isinstance(node, (Not, Group)):
        yield from _leaves(node.inner)
    else:
        yield node


def _operand_count(node: Node) -> str | None:
    if isinstance(node, Call) and len(node.args) != node.ARITY:
        return (
            "Incorrect number of operands for operator or function; "
            f"operator or function: {node.name}, number of operands: {len(node.args)}"
        )
    if isinstance(node, In) and len(node.candidates) > MAX_IN_OPERANDS:
        return (
            "The IN operator is provided with too many operands; "
            f"number of operands: {len(node.candidates)}"
        )
    return None


def _repeated_operand(node: Node, scope: Scope) -> str | None:
    """``a = a``, ``contains(a, a)``: the first operand may not reappear."""
    if isinstance(node, Compare):
        operator, operands = node.operator, (node.left, node.right)
    elif isinstance(node, In):
        operator, operands = "IN", (node.subject, *node.candidates)
    elif isinstance(node, (BeginsWith, Contains)):
        operator, operands = node.name, node.args
    else:
        return None
    first, *rest = operands
    if not isinstance(first, DocumentPath):
        return None
    path = scope.paths[first]
    if any(isinstance(other, DocumentPath) and scope.paths[other] == path for other in rest):
        return (
            "The first operand must be distinct from the remaining operands for this operator "
            f"or function; operator: {operator}, first operand: {describe(path)}"
        )
    return None


def _condition_operand_type(node: Node, values: dict[str, AttributeValue]) -> str | None:
    if isinstance(node, (AttributeExists, AttributeNotExists)):
        return None if isinstance(node.args[0], DocumentPath) else _needs_path(node.name)
    if isinstance(node, AttributeType):
        kind = _static_type(node.args[1], values)
        if kind != "S":
            return _operand_type(node.name, kind or _ANY_TYPE)
        name = values[node.args[1].name]["S"]
        if name not in _ATTRIBUTE_TYPES[1:-1].split(","):
            return (
                f"Invalid attribute type name found; type: {name}, valid types: {_ATTRIBUTE_TYPES}"
            )
        return None
    if isinstance(node, BeginsWith):
        return _first_bad_type(node.name, node.args, values, ("S", "B"))
    if isinstance(node, Size):
        kind = _static_type(node.args[0], values)
        return _operand_type(node.name, kind) if kind in ("N", "BOOL", "NULL") else None
    if isinstance(node, Compare) and node.operator in _ORDERING:
        return _first_bad_type(node.operator, (node.left, node.right), values, _ORDERABLE)
    if isinstance(node, Between):
        operands = (node.subject, node.low, node.high)
        return _first_bad_type("BETWEEN", operands, values, _ORDERABLE) or _bounds(node, values)
    return None


def _bounds(node: Between, values: dict[str, AttributeValue]) -> str | None:
    """Bounds given as values must be of one type and in order."""
    if not (isinstance(node.low, Value) and isinstance(node.high, Value)):
        return None
    low, high = values[node.low.name], values[node.high.name]
    shown = f"lower bound operand: {_shown(low)}, upper bound operand: {_shown(high)}"
    if value_type(low) != value_type(high):
        return f"The BETWEEN operator requires same data type for lower and upper bounds; {shown}"
    if compare(low, high) > 0:
        return (
            "The BETWEEN operator requires upper bound to be greater than or equal to lower "
            f"bound; {shown}"
        )
    return None


def _shown(value: AttributeValue) -> str:
    kind, raw = next(iter(value.items()))
    text = base64.b64encode(raw).decode("ascii") if kind == "B" else raw
    return f"AttributeValue: {{{kind}:{text}}}"


def _clause_operand_type(action: Node, values: dict[str, AttributeValue]) -> str | None:
    """ADD takes a number or a set, DELETE a set."""
    if isinstance(action, AddAction):
        operator, allowed = "ADD", ("N", *SET_TYPES)
    elif isinstance(action, DeleteAction):
        operator, allowed = "DELETE", SET_TYPES
    else:
        return None
    kind = value_type(values[action.value.name])
    if kind in allowed:
        return None
    return (
        "Incorrect operand type for operator or function; "
        f"operator: {operator}, operand type: {_TYPE_NAMES[kind]}"
    )


def _update_operand(node: Node, values: dict[str, AttributeValue]) -> str | None:
    """Function arity and the operand types that values (not paths) make certain."""
    if isinstance(node, Call) and len(node.args) != node.ARITY:
        return _operand_count(node)
    if isinstance(node, IfNotExists):
        return None if isinstance(node.args[0], DocumentPath) else _needs_path(node.name)
    if isinstance(node, ListAppend):
        return _first_bad_type(node.name, node.args, values, ("L",), values_only=True)
    if isinstance(node, Arithmetic):
        operands = (node.left, node.right)
        return _first_bad_type(node.operator, operands, values, ("N",), values_only=True)
    return None


def _first_bad_type(
    operator: str,
    operands: Iterable[Node],
    values: dict[str, AttributeValue],
    allowed: tuple[str, ...],
    *,
    values_only: bool = False,
) -> str | None:
    for operand in operands:
        if values_only and not isinstance(operand, Value):
            continue
        kind = _static_type(operand, values)
        if kind is not None and kind not in allowed:
            return _operand_type(operator, kind)
    return None


def _static_type(node: Node, values: dict[str, AttributeValue]) -> str | None:
    """The type an operand is known to have before any item is read, if any."""
    if isinstance(node, Value):
        return value_type(values[node.name])
    if isinstance(node, Size):
        return "N"
    return None  # a path; other functions are never operands once the static checks pass


def _operand_type(operator: str, kind: str) -> str:
    return (
        "Incorrect operand type for operator or function; "
        f"operator or function: {operator}, operand type: {kind}"
    )


def _needs_path(function: str) -> str:
    return f"Operator or function requires a document path; operator or function: {function}"


def _first(problems: Iterable[str | None]) -> str | None:
    return next((p for p in problems if p), None)
