"""The nodes of a parsed expression, and how each evaluates.

A tree is parsed once per expression text and shared (it is immutable);
everything a request brings is in the ``Scope`` it is evaluated with: the
resolved document paths and the ExpressionAttributeValues. Quotes are from
the DynamoDB Developer Guide ("Condition and filter expressions, operators,
and functions" and "Update expressions").
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Context, Decimal
from typing import ClassVar

from fakeaws.errors import validation_error
from fakeaws.services.dynamodb.expressions import paths
from fakeaws.services.dynamodb.types import (
    AttributeValue,
    compare,
    copy_value,
    equal,
    format_number,
    value_type,
)

MISSING_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item"
WRONG_DATA_TYPE = "An operand in the update expression has an incorrect data type"

SET_TYPES = ("SS", "NS", "BS")
# Exact for any two storable numbers (exponents -130..125, 38 digits): no rounding before
# format_number applies DynamoDB's limits to the result.
_EXACT = Context(prec=300)


class Scope:
    """What one request binds into a tree: each DocumentPath resolved, and the values."""

    __slots__ = ("paths", "values")

    def __init__(self) -> None:
        self.paths: dict[DocumentPath, paths.Path] = {}
        self.values: dict[str, AttributeValue] = {}


class Node:
    """Base of all nodes; ``children`` finds sub-nodes in source order."""

    __slots__ = ()


def children(node: Node) -> Iterator[Node]:
    for field in fields(node):
        value = getattr(node, field.name)
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, Node):
                yield child


def walk(node: Node, *, post: bool = False) -> Iterator[Node]:
    """``node`` and everything below it in source order (parents first, or last if ``post``)."""
    if not post:
        yield node
    for child in children(node):
        yield from walk(child, post=post)
    if post:
        yield node


def _node(cls):
    # Nodes compare and hash by identity: a Scope maps each DocumentPath node to its path.
    return dataclass(frozen=True, eq=False, slots=True)(cls)


# -- operands -------------------------------------------------------------------------------


@_node
class Placeholder(Node):
    """An ExpressionAttributeNames key used as a path element, e.g. ``#status``."""

    text: str


@_node
class DocumentPath(Node):
    """``a.#b[0]``: elements are names (str), placeholders and list indexes (int)."""

    elements: tuple

    def evaluate(self, item: dict, scope: Scope) -> AttributeValue | None:
        return paths.get(item, scope.paths[self])


@_node
class Value(Node):
    """An ExpressionAttributeValues key, e.g. ``:v``."""

    name: str

    def evaluate(self, item: dict, scope: Scope) -> AttributeValue:
        return scope.values[self.name]


def present(operand: Node, item: dict, scope: Scope) -> AttributeValue:
    """An update operand's value; a path to a missing attribute is an error there."""
    value = operand.evaluate(item, scope)
    if value is None:
        raise validation_error(MISSING_ATTRIBUTE)
    return value


@_node
class Arithmetic(Node):
    """``a + b`` or ``a - b`` in a SET action: "Both operands must be of type Number"."""

    operator: str
    left: Node
    right: Node

    def evaluate(self, item: dict, scope: Scope) -> AttributeValue:
        a, b = present(self.left, item, scope), present(self.right, item, scope)
        if "N" not in a or "N" not in b:
            raise validation_error(WRONG_DATA_TYPE)
        math = _EXACT.add if self.operator == "+" else _EXACT.subtract
        return {"N": format_number(math(Decimal(a["N"]), Decimal(b["N"])))}


# -- functions ------------------------------------------------------------------------------


@_node
class Call(Node):
    """A function call. Subclasses are DynamoDB's functions; ``name`` is as written."""

    name: str
    args: tuple

    ARITY: ClassVar[int] = 0
    USE: ClassVar[str] = ""  # "condition" (boolean), "operand" (size) or "update"


class UnknownCall(Call):
    """A name that is no function; only ever reported, never evaluated."""

    __slots__ = ()


class AttributeExists(Call):
    """attribute_exists (path): "True if the item contains the attribute specified by path"."""

    __slots__ = ()
    ARITY, USE = 1, "condition"

    def evaluate(self, item: dict, scope: Scope) -> bool:
        return self.args[0].evaluate(item, scope) is not None


class AttributeNotExists(Call):
    """attribute_not_exists (path): "True if the attribute ... does not exist in the item"."""

    __slots__ = ()
    ARITY, USE = 1, "condition"

    def evaluate(self, item: dict, scope: Scope) -> bool:
        return self.args[0].evaluate(item, scope) is None


class AttributeType(Call):
    """attribute_type (path, type): "True if the attribute at the specified path is of a
    particular data type"; type is an ExpressionAttributeValue such as ``{"S": "SS"}``."""

    __slots__ = ()
    ARITY, USE = 2, "condition"

    def evaluate(self, item: dict, scope: Scope) -> bool:
        value = self.args[0].evaluate(item, scope)
        wanted = self.args[1].evaluate(item, scope)["S"]  # a string value: checked when bound
        return value is not None and value_type(value) == wanted


class BeginsWith(Call):
    """begins_with (path, substr): "True if the attribute ... begins with a particular
    substring"; strings and binaries only."""

    __slots__ = ()
    ARITY, USE = 2, "condition"

    def evaluate(self, item: dict, scope: Scope) -> bool:
        whole, prefix = (arg.evaluate(item, scope) for arg in self.args)
        if whole is None or prefix is None:
            return False
        kind = value_type(whole)
        return (
            kind in ("S", "B")
            and kind == value_type(prefix)
            and whole[kind].startswith(prefix[kind])
        )


class Contains(Call):
    """contains (path, operand): a substring of a string (or binary), a member of a set,
    or an element of a list."""

    __slots__ = ()
    ARITY, USE = 2, "condition"

    def evaluate(self, item: dict, scope: Scope) -> bool:
        container, element = (arg.evaluate(item, scope) for arg in self.args)
        if container is None or element is None:
            return False
        kind, part = value_type(container), value_type(element)
        if kind in ("S", "B"):
            return part == kind and element[kind] in container[kind]
        if kind in SET_TYPES:
            return part == kind[0] and _member(kind, element[part], container[kind])
        if kind == "L":
            return any(equal(member, element) for member in container["L"])
        return False


def _member(set_type: str, member, members: list) -> bool:
    if set_type == "NS":  # numbers compare by value
        return Decimal(member) in {Decimal(m) for m in members}
    return member in members


class Size(Call):
    """size (path): the length of a string or binary, or the number of elements of a set,
    list or map; other types have no size. DynamoDB counts a string in UTF-16 code units
    (ExtendDB's capture against AWS: size("é𝄞") is 3)."""

    __slots__ = ()
    ARITY, USE = 1, "operand"

    def evaluate(self, item: dict, scope: Scope) -> AttributeValue | None:
        value = self.args[0].evaluate(item, scope)
        if value is None:
            return None
        kind, raw = next(iter(value.items()))
        if kind == "S":
            return {"N": str(len(raw.encode("utf-16-le")) // 2)}
        if kind in ("B", "L", "M", *SET_TYPES):
            return {"N": str(len(raw))}
        return None


class IfNotExists(Call):
    """if_not_exists (path, value): "If the item does not contain an attribute at the
    specified path, then if_not_exists evaluates to value; otherwise, it evaluates to path"."""

    __slots__ = ()
    ARITY, USE = 2, "update"

    def evaluate(self, item: dict, scope: Scope) -> AttributeValue:
        existing = self.args[0].evaluate(item, scope)
        return existing if existing is not None else present(self.args[1], item, scope)


class ListAppend(Call):
    """list_append (list1, list2): "evaluates to a list with a new element added to it"."""

    __slots__ = ()
    ARITY, USE = 2, "update"

    def evaluate(self, item: dict, scope: Scope) -> AttributeValue:
        first, second = (present(arg, item, scope) for arg in self.args)
        if "L" not in first or "L" not in second:
            raise validation_error(WRONG_DATA_TYPE)
        return {"L": first["L"] + second["L"]}


FUNCTIONS = {
    "attribute_exists": AttributeExists,
    "attribute_not_exists": AttributeNotExists,
    "attribute_type": AttributeType,
    "begins_with": BeginsWith,
    "contains": Contains,
    "size": Size,
    "if_not_exists": IfNotExists,
    "list_append": ListAppend,
}


def call(name: str, args: tuple) -> Call:
    """The node for ``name(args)``; "These function names are case-sensitive"."""
    return FUNCTIONS.get(name, UnknownCall)(name, args)


# -- conditions -----------------------------------------------------------------------------

_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@_node
class Compare(Node):
    """``a = b``, ``a <> b``, ``a < b``... Values of different types are never equal or
    ordered; a missing attribute is unequal to everything, itself included."""

    operator: str
    left: Node
    right: Node

    def evaluate(self, item: dict, scope: Scope) -> bool:
        a, b = self.left.evaluate(item, scope), self.right.evaluate(item, scope)
        if self.operator == "<>":
            return a is None or b is None or not equal(a, b)
        if a is None or b is None:
            return False
        if self.operator == "=":
            return equal(a, b)
        order = compare(a, b)
        return order is not None and _ORDER[self.operator](order, 0)


@_node
class Between(Node):
    """``a BETWEEN b AND c``: "true if a is greater than or equal to b, and less than or
    equal to c"."""

    subject: Node
    low: Node
    high: Node

    def evaluate(self, item: dict, scope: Scope) -> bool:
        value, low, high = (n.evaluate(item, scope) for n in (self.subject, self.low, self.high))
        if value is None or low is None or high is None:
            return False
        above, below = compare(value, low), compare(value, high)
        return above is not None and below is not None and above >= 0 and below <= 0


@_node
class In(Node):
    """``a IN (b, c, d)``: "true if a is equal to any value in the list"."""

    subject: Node
    candidates: tuple

    def evaluate(self, item: dict, scope: Scope) -> bool:
        value = self.subject.evaluate(item, scope)
        if value is None:
            return False
        candidates = (c.evaluate(item, scope) for c in self.candidates)
        return any(c is not None and equal(value, c) for c in candidates)


@_node
class Not(Node):
    inner: Node

    def evaluate(self, item: dict, scope: Scope) -> bool:
        return not self.inner.evaluate(item, scope)


@_node
class And(Node):
    terms: tuple

    def evaluate(self, item: dict, scope: Scope) -> bool:
        return all(term.evaluate(item, scope) for term in self.terms)


@_node
class Or(Node):
    terms: tuple

    def evaluate(self, item: dict, scope: Scope) -> bool:
        return any(term.evaluate(item, scope) for term in self.terms)


@_node
class Group(Node):
    """A parenthesized condition (kept to find DynamoDB's "redundant parentheses")."""

    inner: Node

    def evaluate(self, item: dict, scope: Scope) -> bool:
        return self.inner.evaluate(item, scope)


# -- update actions -------------------------------------------------------------------------
# Each computes the new value at its path from the item as it was before the update ("DynamoDB
# evaluates every action against the item's attribute values as they were before the update");
# None means "remove the path".


@_node
class SetAction(Node):
    path: DocumentPath
    value: Node

    def new_value(self, item: dict, scope: Scope) -> AttributeValue:
        return copy_value(present(self.value, item, scope))


@_node
class RemoveAction(Node):
    path: DocumentPath

    def new_value(self, item: dict, scope: Scope) -> None:
        return None


@_node
class AddAction(Node):
    """ADD: numbers are added (a missing attribute counts as 0) and sets united."""

    path: DocumentPath
    value: Value

    MISMATCH: ClassVar[str] = WRONG_DATA_TYPE  # the current value has another type

    def new_value(self, item: dict, scope: Scope) -> AttributeValue:
        addend = scope.values[self.value.name]
        current = self.path.evaluate(item, scope)
        if current is None:
            return copy_value(addend)
        kind = value_type(addend)
        if value_type(current) != kind:
            raise validation_error(self.MISMATCH)
        if kind == "N":
            return {"N": format_number(_EXACT.add(Decimal(current["N"]), Decimal(addend["N"])))}
        members = current[kind]
        return {kind: members + [m for m in addend[kind] if not _member(kind, m, members)]}


@_node
class DeleteAction(Node):
    """DELETE: removes elements from a set; a set left empty is removed."""

    path: DocumentPath
    value: Value

    MISMATCH: ClassVar[str] = WRONG_DATA_TYPE

    def new_value(self, item: dict, scope: Scope) -> AttributeValue | None:
        removed = scope.values[self.value.name]
        current = self.path.evaluate(item, scope)
        if current is None:
            return None
        kind = value_type(removed)
        if value_type(current) != kind:
            raise validation_error(self.MISMATCH)
        kept = [m for m in current[kind] if not _member(kind, m, removed[kind])]
        return {kind: kept} if kept else None


# The legacy AttributeUpdates actions ADD and DELETE (``legacy.attribute_updates``) are these
# same actions with the legacy wording for a type mismatch; legacy ADD also appends lists.
LEGACY_MISMATCH = "Type mismatch for attribute to update"


class LegacyAddAction(AddAction):
    """AttributeUpdates ADD: as ADD, and "ADD ... a list" appends to an existing list."""

    __slots__ = ()
    MISMATCH = LEGACY_MISMATCH

    def new_value(self, item: dict, scope: Scope) -> AttributeValue:
        addend = scope.values[self.value.name]
        if "L" not in addend:
            return super().new_value(item, scope)
        current = self.path.evaluate(item, scope)
        if current is None:
            return copy_value(addend)
        if "L" not in current:
            raise validation_error(self.MISMATCH)
        return {"L": [copy_value(v) for v in current["L"] + addend["L"]]}


class LegacyDeleteAction(DeleteAction):
    """AttributeUpdates DELETE with a Value: as DELETE."""

    __slots__ = ()
    MISMATCH = LEGACY_MISMATCH


def static_type(node: Node, values: dict[str, AttributeValue]) -> str | None:
    """The type an update operand certainly has before any item is read, if any.

    A value has its own type, ``+``/``-`` give a number, list_append a list and
    if_not_exists its fallback's type; a path can be anything.
    """
    if isinstance(node, Value):
        return value_type(values[node.name])
    if isinstance(node, Arithmetic):
        return "N"
    if isinstance(node, ListAppend):
        return "L"
    if isinstance(node, IfNotExists) and len(node.args) == 2:
        return static_type(node.args[1], values)
    return None


@_node
class Clause(Node):
    """``SET a = :v, b = :w``: one keyword and its actions."""

    keyword: str
    actions: tuple


@_node
class UpdateExpression(Node):
    clauses: tuple

    @property
    def actions(self) -> list[Node]:
        return [action for clause in self.clauses for action in clause.actions]


@_node
class ProjectionExpression(Node):
    paths: tuple
