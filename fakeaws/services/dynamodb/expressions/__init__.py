"""DynamoDB's expression languages: one parser, cached, used by every operation.

Each expression text is parsed once per grammar (``parser.parse`` is cached)
into an immutable tree; a request binds its ExpressionAttributeNames and
ExpressionAttributeValues to it, which gives the objects below::

    attrs = ExpressionAttributes(params.get("ExpressionAttributeNames"),
                                 params.get("ExpressionAttributeValues"))
    cond = condition("attribute_not_exists(pk) OR #v < :v", attrs)
    upd = update("SET #v = #v + :one REMOVE tmp", attrs)
    attrs.check_all_used()          # after every expression of the request is bound
    if cond.evaluate(old_item):
        new_item, changed = upd.apply(old_item, {"pk"})

Every problem is a ``ValidationException`` with DynamoDB's message; bound
objects hold copies, never the request's own dicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from fakeaws.errors import validation_error
from fakeaws.services.dynamodb.expressions import checks, keys, legacy
from fakeaws.services.dynamodb.expressions.ast import (
    AddAction,
    DeleteAction,
    DocumentPath,
    Node,
    Scope,
    SetAction,
    UpdateExpression,
    static_type,
    walk,
)
from fakeaws.services.dynamodb.expressions.keys import KeyCondition, RangeCondition
from fakeaws.services.dynamodb.expressions.parser import parse
from fakeaws.services.dynamodb.expressions.paths import Path, project, put, remove
from fakeaws.services.dynamodb.types import AttributeValue, copy_item, validate_value, value_type

__all__ = [
    "Condition",
    "ExpressionAttributes",
    "KeyCondition",
    "Path",
    "Projection",
    "RangeCondition",
    "Update",
    "attribute_updates",
    "condition",
    "expected",
    "key_condition",
    "legacy_filter",
    "project",
    "projection",
    "update",
]

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")

T = TypeVar("T")


class ExpressionAttributes:
    """ExpressionAttributeNames / ExpressionAttributeValues of ONE request; tracks which are used.

    The maps are checked (empty maps, key syntax, each value) and copied here,
    before any expression is parsed, as DynamoDB does.
    """

    def __init__(
        self, names: Mapping[str, str] | None, values: Mapping[str, AttributeValue] | None
    ) -> None:
        self._names = dict(_checked_keys("ExpressionAttributeNames", names, _NAME_KEY))
        self._values = {
            key: validate_value(value, where=key)
            for key, value in _checked_keys("ExpressionAttributeValues", values, _VALUE_KEY)
        }
        self._unused_names = dict.fromkeys(self._names)
        self._unused_values = dict.fromkeys(self._values)

    def name(self, placeholder: str) -> str | None:
        self._unused_names.pop(placeholder, None)
        return self._names.get(placeholder)

    def value(self, placeholder: str) -> AttributeValue | None:
        self._unused_values.pop(placeholder, None)
        return self._values.get(placeholder)

    def check_all_used(self) -> None:
        """DynamoDB's error for a name or value that no expression of the request used."""
        for what, unused in (("Names", self._unused_names), ("Values", self._unused_values)):
            if unused:
                raise validation_error(
                    f"Value provided in ExpressionAttribute{what} unused in expressions: "
                    f"keys: {{{', '.join(unused)}}}"
                )


def _checked_keys(parameter: str, entries: Mapping | None, pattern: re.Pattern) -> list:
    if entries is None:
        return []
    if not entries:
        raise validation_error(f"{parameter} must not be empty")
    for key in entries:
        if not pattern.fullmatch(key):
            raise validation_error(f'{parameter} contains invalid key: Syntax error; key: "{key}"')
    return list(entries.items())


class Condition:
    """A bound ConditionExpression or FilterExpression."""

    def __init__(self, tree: Node, scope: Scope) -> None:
        self._tree, self._scope = tree, scope

    @property
    def paths(self) -> list[Path]:
        """The document paths the condition reads, in source order."""
        return list(self._scope.paths.values())

    def evaluate(self, item: dict | None) -> bool:
        """Whether ``item`` (None: there is no such item) satisfies the condition."""
        return self._tree.evaluate(item or {}, self._scope)


class Update:
    """A bound UpdateExpression (or translated legacy AttributeUpdates)."""

    def __init__(self, tree: UpdateExpression, scope: Scope) -> None:
        self._tree, self._actions, self._scope = tree, tree.actions, scope

    @property
    def paths(self) -> list[Path]:
        """The paths the actions write or remove, as written, in source order."""
        return [self._scope.paths[action.path] for action in self._actions]

    def written_types(self) -> list[tuple[Path, str | None]]:
        """Each action's path and the type it certainly writes (None: unknown or a removal).

        DynamoDB checks these against the index key types before it reads the item.
        """
        out = []
        for action in self._actions:
            if isinstance(action, SetAction):
                kind = static_type(action.value, self._scope.values)
            elif isinstance(action, (AddAction, DeleteAction)):
                kind = value_type(self._scope.values[action.value.name])
            else:
                kind = None
            out.append((self._scope.paths[action.path], kind))
        return out

    def dereferenced(self) -> list[str]:
        """Top-level attributes the expression reads or writes below (``a.b``, ``a[0]``)."""
        names: dict[str, None] = {}
        for node in walk(self._tree):
            if isinstance(node, DocumentPath):
                path = self._scope.paths[node]
                if len(path) > 1:
                    names.setdefault(path[0])  # type: ignore[arg-type]
        return list(names)

    def check_keys(self, key_attributes: set[str] | tuple[str, ...]) -> None:
        """DynamoDB refuses any action on a key attribute, whatever the item holds.

        It is checked before the item is read, so it wins over a failing condition.
        """
        for path in self.paths:
            if path[0] in key_attributes:
                raise validation_error(
                    f"One or more parameter values were invalid: Cannot update attribute "
                    f"{path[0]}. This attribute is part of the key"
                )

    def apply(self, item: dict, key_attributes: set[str]) -> tuple[dict, list[Path]]:
        """The updated copy of ``item`` and the paths written or removed, as written.

        Every action reads the item as it was before the update. Writes go in
        path order, so that several SETs past the end of one list append in
        index order ("the elements are sorted in order by element number");
        removals go last and from the highest index down, so that removing
        list elements shifts only what follows them.

        The paths come back as the expression wrote them, which is what
        UPDATED_OLD and UPDATED_NEW project: a SET past the end of a list
        appends, and its written index then holds nothing (DynamoDB returns no
        value for it).
        """
        self.check_keys(key_attributes)
        changes = [
            (self._scope.paths[action.path], action.new_value(item, self._scope))
            for action in self._actions
        ]
        # Paths of one update neither overlap nor conflict (checked), so they compare.
        changes.sort(key=lambda change: change[0])
        new = copy_item(item)
        for path, value in changes:
            if value is not None:
                put(new, path, value)
        for path, value in reversed(changes):
            if value is None:
                remove(new, path)
        return new, self.paths


class Projection:
    """A bound ProjectionExpression."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths

    def apply(self, item: dict) -> dict:
        return project(item, self.paths)


def condition(
    text: str, attrs: ExpressionAttributes, kind: str = "ConditionExpression"
) -> Condition:
    """Bind a ConditionExpression, or a FilterExpression with ``kind="FilterExpression"``."""
    tree = _tree(text, "condition", kind)
    return Condition(tree, _bound(kind, lambda: checks.bind_condition(tree, attrs)))


def update(text: str, attrs: ExpressionAttributes) -> Update:
    tree = _tree(text, "update", "UpdateExpression")
    return Update(tree, _bound("UpdateExpression", lambda: checks.bind_update(tree, attrs)))


def projection(text: str, attrs: ExpressionAttributes) -> Projection:
    tree = _tree(text, "projection", "ProjectionExpression")
    scope = _bound("ProjectionExpression", lambda: checks.bind_projection(tree, attrs))
    return Projection([scope.paths[path] for path in tree.paths])


def expected(conditions: Mapping[str, Mapping], operator: str | None = None) -> Condition:
    """A legacy ``Expected`` map (and ``ConditionalOperator``) as a Condition.

    Checks ConditionalOperator first, then each entry, with DynamoDB's messages.
    """
    legacy.check_conditional_operator(operator, conditions)
    tree, scope = legacy.expected(conditions, operator)
    return Condition(tree, scope)


def legacy_filter(conditions: Mapping[str, Mapping], operator: str | None = None) -> Condition:
    """A legacy ``QueryFilter`` or ``ScanFilter`` (and ``ConditionalOperator``) as a Condition.

    Evaluate it like a FilterExpression; ``ConditionalOperator`` is checked first.
    """
    legacy.check_conditional_operator(operator, conditions)
    tree, scope = legacy.filters(conditions, operator)
    return Condition(tree, scope)


def attribute_updates(updates: Mapping[str, Mapping]) -> Update:
    """A legacy ``AttributeUpdates`` map as an Update, evaluated like an UpdateExpression."""
    tree, scope = legacy.attribute_updates(updates)
    return Update(tree, scope)


def key_condition(
    text: str,
    attrs: ExpressionAttributes,
    hash_key: str,
    range_key: str | None,
    *,
    key_types: Mapping[str, str] | None = None,
) -> KeyCondition:
    """Bind a KeyConditionExpression for a key schema.

    ``key_types`` (attribute name to "S", "N" or "B"), when given, also checks
    that the values have the key attributes' types.
    """
    kind = "KeyConditionExpression"
    tree = _tree(text, "condition", kind)
    scope = _bound(kind, lambda: checks.bind_condition(tree, attrs))
    return _bound(kind, lambda: keys.key_condition(tree, scope, hash_key, range_key, key_types))


def _tree(text: str, grammar: str, kind: str) -> Node:
    parsed = parse(text, grammar)
    if parsed.error:
        raise validation_error(f"Invalid {kind}: {parsed.error}")
    return parsed.tree


def _bound(kind: str, bind: Callable[[], T]) -> T:
    try:
        return bind()
    except checks.Invalid as problem:
        raise validation_error(f"Invalid {kind}: {problem}") from None
