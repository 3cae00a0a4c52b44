"""From a parsed PartiQL statement and its parameters to what runs against a table.

A statement is bound to the request's ``Parameters`` and its table, then made
into a plan:

* ``SelectPlan``: a Query of one partition when the WHERE has an equality on
  the partition key (of the table or the index) and a Scan otherwise; the
  whole WHERE is the filter, evaluated by the expression evaluator's nodes;
* ``WritePlan`` (INSERT / UPDATE / DELETE / EXISTS): one item by its full key,
  the rest of the WHERE as its condition, an UPDATE's SET/REMOVE as an
  ``expressions.Update``;
* ``GetPlan``: a SELECT by full key, for BatchExecuteStatement and
  ExecuteTransaction.

Plans check; ``WritePlan.failure`` and ``WritePlan.new_item`` let a
transaction check every statement before it writes any.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fakeaws.errors import validation_error
from fakeaws.services.dynamodb import expressions
from fakeaws.services.dynamodb.expressions import ast
from fakeaws.services.dynamodb.expressions.paths import get as get_path
from fakeaws.services.dynamodb.expressions.paths import overlap_problem
from fakeaws.services.dynamodb.items import (
    _check_index_keys,
    _check_update_against_schema,
    updated_item,
)
from fakeaws.services.dynamodb.partiql import parser
from fakeaws.services.dynamodb.storage import range_bounds
from fakeaws.services.dynamodb.table import Index, Table
from fakeaws.services.dynamodb.types import (
    copy_item,
    copy_value,
    sort_key,
    validate_item,
    validate_key_attributes,
    validate_value,
    value_type,
)

INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"
DUPLICATE_ITEM = "Duplicate primary key exists in table"
CONDITION_FAILED = "The conditional request failed"

_RANGE_OPERATORS = {"=", "<", "<=", ">", ">="}
_MIRRORED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass
class Bound:
    """A statement with its parameters bound and its table found."""

    statement: parser.Statement
    table: Table
    values: dict[str, dict]  # Value node name -> AttributeValue
    parameters: list[dict]

    def scope(self, *roots: ast.Node | None) -> ast.Scope:
        scope = ast.Scope()
        scope.values = self.values
        for root in roots:
            if root is None:
                continue
            for node in ast.walk(root):
                if isinstance(node, ast.DocumentPath):
                    scope.paths[node] = node.elements
        return scope

    def condition(self, tree: ast.Node | None) -> expressions.Condition | None:
        return None if tree is None else expressions.Condition(tree, self.scope(tree))


def bind(backend: Any, statement: parser.Statement, parameters: list[dict] | None) -> Bound:
    """Bind ``Parameters`` (too few is an error; DynamoDB ignores extra ones), find the table."""
    checked = [validate_value(p) for p in parameters or []]
    values = {name: literal.bind(checked) for name, literal in statement.literals.items()}
    return Bound(statement, backend.table(statement.table), values, checked)


# -- WHERE analysis ----------------------------------------------------------------------------


def conjuncts(tree: ast.Node | None) -> list[ast.Node]:
    """The conditions a WHERE joins with AND at its top."""
    if tree is None:
        return []
    if isinstance(tree, ast.And):
        return [leaf for term in tree.terms for leaf in conjuncts(term)]
    if isinstance(tree, ast.Group):
        return conjuncts(tree.inner)
    return [tree]


def _attribute(node: ast.Node) -> str | None:
    if isinstance(node, ast.DocumentPath) and len(node.elements) == 1:
        return node.elements[0]
    return None


def _equality(term: ast.Node, values: dict) -> tuple[str, dict] | None:
    """``attr = value`` (either way round): the attribute and the value."""
    if not isinstance(term, ast.Compare) or term.operator != "=":
        return None
    for left, right in ((term.left, term.right), (term.right, term.left)):
        name = _attribute(left)
        if name is not None and isinstance(right, ast.Value):
            return name, values[right.name]
    return None


def full_key(bound: Bound, tree: ast.Node | None) -> tuple[dict, ast.Node | None]:
    """The item key a WHERE names by equalities, and the rest of the WHERE (its condition)."""
    table = bound.table
    key: dict[str, dict] = {}
    rest = []
    for term in conjuncts(tree):
        found = _equality(term, bound.values)
        if found is not None and found[0] in table.key_attributes:
            name, value = found
            if name in key:
                raise validation_error(
                    f"Multiple conditions on same key {name}. Only single item "
                    "Update/Insert/Delete are supported"
                )
            key[name] = value
        else:
            rest.append(term)
    if set(key) != set(table.key_attributes):
        raise validation_error(INCOMPLETE_KEY)
    for name in table.key_attributes:
        if value_type(key[name]) != table.attribute_types[name]:
            raise validation_error(
                "Key attribute's data type should match its data type in table's schema: "
                f"Key {name}"
            )
    validate_key_attributes(key, table.key_schema, table.attribute_types, what="key")
    condition = None
    if rest:
        condition = rest[0] if len(rest) == 1 else ast.And(tuple(rest))
    return key, condition


# -- projections ---------------------------------------------------------------------------


class Projection:
    """``SELECT a, b.c, d[0]``: each path's value under its last name (``c``, ``d``)."""

    def __init__(self, paths: tuple | None) -> None:
        self.paths = None if paths is None else [p.elements for p in paths]
        if self.paths is None:
            return
        self.names = []
        for path in self.paths:
            name = next(e for e in reversed(path) if isinstance(e, str))
            if name in self.names:
                raise validation_error(f"Duplicate identifiers in select clause: {name}")
            self.names.append(name)

    def apply(self, item: dict) -> dict:
        if self.paths is None:
            return copy_item(item)
        out = {}
        for name, path in zip(self.names, self.paths):
            value = get_path(item, path)
            if value is not None:
                out[name] = copy_value(value)
        return out


# -- SELECT --------------------------------------------------------------------------------


@dataclass
class SelectPlan:
    table: Table
    index: Index | None
    condition: expressions.Condition | None
    projection: Projection
    hash_value: dict | None  # a Query of this partition; None: a Scan
    bounds: tuple = (None, None, (True, True))
    forward: bool = True

    @property
    def store(self):
        return self.index.store if self.index else self.table.items

    def candidates(self, after: dict | None):
        if self.hash_value is None:
            return self.store.scan(after)
        low, high, inclusive = self.bounds
        return self.store.query(self.hash_value, low, high, inclusive, self.forward, after=after)

    def full_item(self, entry: dict) -> dict:
        """An LSI fetches what it does not project from the table; a GSI cannot."""
        index = self.index
        if index is None or index.projected is None or index.kind != "LSI":
            return entry
        return self.table.get(self.table.key_of(entry)) or entry

    def shape(self, item: dict, entry: dict) -> dict:
        if self.projection.paths is None:
            return copy_item(entry)  # on an index: its projected attributes
        return self.projection.apply(item)

    def key_names(self) -> set[str]:
        names = set(self.table.key_attributes)
        if self.index is not None:
            names |= {n for n in (self.index.hash_key, self.index.range_key) if n}
        return names

    def key_of(self, entry: dict) -> dict:
        return copy_item({n: entry[n] for n in self.key_names()})


def select_plan(bound: Bound, consistent_read: bool = False) -> SelectPlan:
    statement: parser.Select = bound.statement  # type: ignore[assignment]
    table = bound.table
    index = None
    if statement.index is not None:
        index = table.indexes.get(statement.index)
        if index is None:
            raise validation_error(
                f"The table does not have the specified index: {statement.index}"
            )
        if index.kind == "GSI" and consistent_read:
            raise validation_error(
                "Strongly consistent read is not supported on Global Secondary Indexes"
            )
        if index.status != "ACTIVE":
            raise validation_error(
                f"Cannot read from backfilling global secondary index: {statement.index}"
            )
    keys = index or table
    plan = SelectPlan(
        table, index, bound.condition(statement.where), Projection(statement.projection), None
    )
    terms = conjuncts(statement.where)
    for term in terms:
        found = _equality(term, bound.values)
        if (
            found
            and found[0] == keys.hash_key
            and value_type(found[1]) == table.attribute_types[keys.hash_key]
        ):
            plan.hash_value = found[1]
            break
    if plan.hash_value is not None and keys.range_key is not None:
        for term in terms:
            bounds = _range_bounds(term, keys.range_key, table.attribute_types, bound.values)
            if bounds is not None:
                plan.bounds = bounds
                break
    if statement.order:
        if statement.where is None:
            raise validation_error(
                "Must have WHERE clause in the statement when using ORDER BY clause."
            )
        if plan.hash_value is None:
            raise validation_error(
                "Must have at least one non-optional hash key condition in WHERE clause when "
                "using ORDER BY clause."
            )
        for name, descending in statement.order:
            if name not in (keys.hash_key, keys.range_key):
                raise validation_error(
                    f"Variable reference {name} in ORDER BY clause must be part of the primary key"
                )
            if name == keys.range_key:
                plan.forward = not descending
    return plan


def _range_bounds(term: ast.Node, range_key: str, types: dict, values: dict) -> tuple | None:
    """Position bounds in a partition for a sort-key condition the Query can use, if any."""
    expected = types[range_key]
    if isinstance(term, ast.Compare) and term.operator in _RANGE_OPERATORS:
        operator, left, right = term.operator, term.left, term.right
        if _attribute(right) == range_key and isinstance(left, ast.Value):
            operator, left, right = _MIRRORED[operator], right, left
        if _attribute(left) != range_key or not isinstance(right, ast.Value):
            return None
        operands = [values[right.name]]
    elif isinstance(term, ast.Between) and _attribute(term.subject) == range_key:
        if not (isinstance(term.low, ast.Value) and isinstance(term.high, ast.Value)):
            return None
        operator, operands = "BETWEEN", [values[term.low.name], values[term.high.name]]
        if not _typed(operands, expected) or sort_key(operands[0]) > sort_key(operands[1]):
            return None
    elif isinstance(term, ast.BeginsWith) and _attribute(term.args[0]) == range_key:
        if expected == "N" or not isinstance(term.args[1], ast.Value):
            return None
        operator, operands = "begins_with", [values[term.args[1].name]]
    else:
        return None
    if not _typed(operands, expected):
        return None
    return range_bounds(operator, [sort_key(v) for v in operands])


def _typed(operands: list[dict], expected: str) -> bool:
    return all(value_type(v) == expected for v in operands)


# -- writes -----------------------------------------------------------------------------------


@dataclass
class WritePlan:
    """One item write (or an EXISTS check) by its full key."""

    kind: str  # INSERT, UPDATE, DELETE, EXISTS
    table: Table
    key: dict
    condition: expressions.Condition | None = None
    item: dict | None = None  # INSERT
    update: expressions.Update | None = None  # UPDATE
    returning: str | None = None

    def failure(self, old: dict | None) -> tuple[str, str] | None:
        """Why the write may not happen to ``old`` (the current item): (reason code, message)."""
        if self.kind == "INSERT":
            return ("DuplicateItem", DUPLICATE_ITEM) if old is not None else None
        if self.kind in ("UPDATE", "EXISTS") and old is None:
            return "ConditionalCheckFailed", CONDITION_FAILED
        if self.condition is not None and not self.condition.evaluate(old):
            return "ConditionalCheckFailed", CONDITION_FAILED
        return None

    def new_item(self, old: dict | None) -> tuple[dict | None, list]:
        """The item after the write, and the paths an UPDATE wrote."""
        if self.kind == "INSERT":
            return self.item, []
        if self.kind == "DELETE":
            return None, []
        return updated_item(self.table, self.key, self.update, old)

    def returned(self, old: dict | None, new: dict | None, paths: list) -> list[dict]:
        """The ``Items`` of RETURNING."""
        if self.returning is None:
            return []
        source = old if self.returning.endswith("OLD") else new
        if source is None:
            return []
        if self.returning.startswith("ALL"):
            return [copy_item(source)]
        return [expressions.project(source, paths)]


def write_plan(bound: Bound) -> WritePlan:
    statement = bound.statement
    table = bound.table
    if isinstance(statement, parser.Insert):
        item = _insert_item(bound)
        return WritePlan("INSERT", table, table.key_of(item), item=item)
    if isinstance(statement, parser.Exists):
        select = statement.select
        if select.index is not None:
            raise validation_error("Operations on indices are not supported in transactions")
        key, rest = full_key(bound, select.where)
        if rest is None:
            raise validation_error(
                "EXISTS() must contain a single item read with additional condition"
            )
        return WritePlan("EXISTS", table, key, condition=bound.condition(rest))
    if statement.where is None:
        raise validation_error(INCOMPLETE_KEY)
    key, rest = full_key(bound, statement.where)
    condition = bound.condition(rest)
    if isinstance(statement, parser.Delete):
        return WritePlan("DELETE", table, key, condition, returning=statement.returning)
    update_tree = _update_tree(statement.actions)
    scope = bound.scope(update_tree)
    problem = overlap_problem([scope.paths[a.path] for a in update_tree.actions])
    if problem:
        raise validation_error(problem)
    update = expressions.Update(update_tree, scope)
    _check_update_against_schema(table, update)
    return WritePlan("UPDATE", table, key, condition, update=update, returning=statement.returning)


def _update_tree(actions: tuple) -> ast.UpdateExpression:
    clauses = []
    for keyword, kind in (
        ("SET", ast.SetAction),
        ("REMOVE", ast.RemoveAction),
        ("ADD", ast.AddAction),
        ("DELETE", ast.DeleteAction),
    ):
        chosen = tuple(a for a in actions if type(a) is kind)
        if chosen:
            clauses.append(ast.Clause(keyword, chosen))
    return ast.UpdateExpression(tuple(clauses))


def _insert_item(bound: Bound) -> dict:
    statement: parser.Insert = bound.statement  # type: ignore[assignment]
    table = bound.table
    # the item literal is bound like any value: numbers checked, parameters substituted
    raw = statement.item.bind(bound.parameters, "root")["M"]
    for name in table.key_attributes:
        if name not in raw:
            raise validation_error(f"Key attribute should be present in the item: Key {name}")
        if value_type(raw[name]) != table.attribute_types[name]:
            raise validation_error(
                "Key attribute's data type should match its data type in table's schema: "
                f"Key {name}"
            )
    item = validate_item(raw)
    validate_key_attributes(item, table.key_schema, table.attribute_types, what="item")
    _check_index_keys(table, item)
    return item


# -- reads by key ------------------------------------------------------------------------------


@dataclass
class GetPlan:
    """A SELECT by full key (BatchExecuteStatement and ExecuteTransaction reads)."""

    table: Table
    key: dict
    condition: expressions.Condition | None
    projection: Projection

    def item(self) -> dict | None:
        return self.shown(self.table.get(self.key))

    def shown(self, item: dict | None) -> dict | None:
        """What the statement returns of ``item`` (the item read by its key)."""
        if item is None or (self.condition is not None and not self.condition.evaluate(item)):
            return None
        return self.projection.apply(item)


def get_plan(bound: Bound) -> GetPlan:
    statement: parser.Select = bound.statement  # type: ignore[assignment]
    key, rest = full_key(bound, statement.where)
    return GetPlan(bound.table, key, bound.condition(rest), Projection(statement.projection))
