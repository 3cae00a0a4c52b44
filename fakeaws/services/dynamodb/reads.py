"""DynamoDB Query and Scan: ordered reads, paging, filters, projections, indexes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb import consistency, expressions
from fakeaws.services.dynamodb.capacity import Consumption, check_mode, read_units, wants
from fakeaws.services.dynamodb.control import table_resource
from fakeaws.services.dynamodb.items import _attributes, _TopLevel
from fakeaws.services.dynamodb.storage import KeyedStore, range_bounds
from fakeaws.services.dynamodb.table import Index, Table
from fakeaws.services.dynamodb.types import copy_item, item_size, sort_key, validate_item
from fakeaws.services.dynamodb.validation import invalid

if TYPE_CHECKING:
    from fakeaws.calls import Call

PAGE_BYTES = 1024 * 1024  # a Query or Scan reads at most 1 MB before filtering


class Reads:
    """Mixin of DynamoDBBackend: Query and Scan."""

    def table(self, name_or_arn: str) -> Table: ...  # from ControlPlane

    # from Accounting
    admit_read: Any
    charge: Any

    @permission(resources=table_resource)
    def query(self, call: Call) -> dict:
        p = call.params
        check_mode(p)
        _refuse_mixing(
            p,
            ("KeyConditions", "QueryFilter", "AttributesToGet"),
            ("KeyConditionExpression", "FilterExpression", "ProjectionExpression"),
        )
        table = self.table(p["TableName"])
        index = _index(table, p)
        store = index.store if index else table.items
        attrs = _attributes(p)
        if "KeyConditionExpression" in p:
            text = p["KeyConditionExpression"]
        elif "KeyConditions" in p:
            text, attrs = _legacy_key_conditions(p["KeyConditions"], attrs)
        else:
            raise validation_error(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified "
                "in the request."
            )
        keys = index or table
        key_condition = expressions.key_condition(
            text, attrs, keys.hash_key, keys.range_key, key_types=table.attribute_types
        )
        reader = _Reader(table, index, p, attrs, legacy_filter="QueryFilter")
        start = reader.start_key()
        if key_condition.range is None:
            low, high, inclusive = None, None, (True, True)
        else:
            values = [sort_key(v) for v in key_condition.range.values]
            low, high, inclusive = range_bounds(key_condition.range.operator, values)
        now = call.time
        self.admit_read(table, index, now)
        forward = p.get("ScanIndexForward", True)
        items = store.query(key_condition.hash_value, low, high, inclusive, forward, after=start)
        if not reader.consistent and table.journal is not None:
            items, reader.as_of = consistency.stale_query(
                table.journal,
                table,
                index,
                items,
                key_condition.hash_value,
                low,
                high,
                inclusive,
                forward,
                start,
            )
        return self._answer(reader, reader.page(items), now)

    @permission(resources=table_resource)
    def scan(self, call: Call) -> dict:
        p = call.params
        check_mode(p)
        _refuse_mixing(
            p, ("ScanFilter", "AttributesToGet"), ("FilterExpression", "ProjectionExpression")
        )
        table = self.table(p["TableName"])
        index = _index(table, p)
        store = index.store if index else table.items
        segment, total = p.get("Segment"), p.get("TotalSegments")
        if total is not None and segment is None:
            raise validation_error(
                "The Segment parameter is required but was not present in the request when "
                "parameter TotalSegments is present"
            )
        if segment is not None and total is None:
            raise validation_error(
                "The TotalSegments parameter is required but was not present in the request when "
                "Segment parameter is present"
            )
        if segment is not None and segment >= total:
            raise validation_error(
                f"The Segment parameter is zero-based and must be less than parameter "
                f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
            )
        reader = _Reader(table, index, p, _attributes(p), legacy_filter="ScanFilter")
        start = reader.start_key()
        now = call.time
        self.admit_read(table, index, now)
        items = store.scan(start, segment or 0, total or 1)
        if not reader.consistent and table.journal is not None:
            items, reader.as_of = consistency.stale_scan(
                table.journal, table, index, items, start, segment or 0, total or 1
            )
        return self._answer(reader, reader.page(items), now)

    def _answer(self, reader: _Reader, out: dict, now: float) -> dict:
        consumption = reader.consumption()
        self.charge(reader.table, consumption, False, now)
        mode = wants(reader.p)
        if mode is not None:
            out["ConsumedCapacity"] = consumption.response(mode)
        return out


def _refuse_mixing(p: dict, legacy: tuple[str, ...], modern: tuple[str, ...]) -> None:
    old = [n for n in legacy if n in p]
    new = [n for n in modern if n in p]
    if old and new:
        raise validation_error(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(old)}}} "
            f"Expression parameters: {{{', '.join(new)}}}"
        )


# KeyConditions operators that a key condition can express, and how.
_KEY_OPERATORS = {
    "EQ": "{k} = {v0}",
    "LE": "{k} <= {v0}",
    "LT": "{k} < {v0}",
    "GE": "{k} >= {v0}",
    "GT": "{k} > {v0}",
    "BEGINS_WITH": "begins_with({k}, {v0})",
    "BETWEEN": "{k} BETWEEN {v0} AND {v1}",
}


def _legacy_key_conditions(conditions: dict, attrs: Any) -> tuple[str, Any]:
    """Legacy KeyConditions, rewritten as a key condition expression for the one parser."""
    names: dict[str, str] = {}
    values: dict[str, dict] = {}
    clauses = []
    for n, (name, spec) in enumerate(conditions.items()):
        operator = spec["ComparisonOperator"]
        operands = spec.get("AttributeValueList", [])
        template = _KEY_OPERATORS.get(operator)
        if template is None:
            raise validation_error("Attempted conditional constraint is not an indexable operation")
        if len(operands) != (2 if operator == "BETWEEN" else 1):
            raise validation_error(
                f"One or more parameter values were invalid: Invalid number of argument(s) for "
                f"the {operator} ComparisonOperator"
            )
        names[f"#k{n}"] = name
        placeholders = {}
        for i, operand in enumerate(operands):
            values[f":k{n}v{i}"] = operand
            placeholders[f"v{i}"] = f":k{n}v{i}"
        clauses.append(template.format(k=f"#k{n}", **placeholders))
    merged = _attributes({"ExpressionAttributeNames": names, "ExpressionAttributeValues": values})
    return " AND ".join(clauses), merged


def _index(table: Table, p: dict) -> Index | None:
    name = p.get("IndexName")
    if name is None:
        return None
    index = table.indexes.get(name)
    if index is None:
        raise validation_error(f"The table does not have the specified index: {name}")
    if index.kind == "GSI" and p.get("ConsistentRead"):
        raise validation_error("Consistent reads are not supported on global secondary indexes")
    if index.status != "ACTIVE":
        raise validation_error(f"Cannot read from backfilling global secondary index: {name}")
    return index


class _Reader:
    """The parts Query and Scan share: start key, filter, projection, Select, Limit, paging."""

    def __init__(
        self, table: Table, index: Index | None, p: dict, attrs: Any, legacy_filter: str
    ) -> None:
        self.table, self.index, self.p = table, index, p
        if "FilterExpression" in p:
            self.filter = expressions.condition(
                p["FilterExpression"], attrs, kind="FilterExpression"
            )
        elif legacy_filter in p:
            self.filter = expressions.legacy_filter(p[legacy_filter], p.get("ConditionalOperator"))
        else:
            self.filter = None
        if "ProjectionExpression" in p:
            self.projection = expressions.projection(p["ProjectionExpression"], attrs)
        elif "AttributesToGet" in p:
            self.projection = _TopLevel(p["AttributesToGet"])
        else:
            self.projection = None
        attrs.check_all_used()
        self._check_gsi_projection()
        self.select = self._select()
        self.limit = p.get("Limit")
        # GSIs are always read eventually consistently (ConsistentRead is refused on them)
        self.consistent = bool(p.get("ConsistentRead")) and (index is None or index.kind != "GSI")
        self.fetches = self._fetches()
        self.as_of: dict = {}  # an eventually consistent read's older versions (consistency)
        self.read_bytes = 0  # the page's entries, before the filter
        self.fetched_units = 0  # LSI fetches: each table item rounded on its own

    def _fetches(self) -> bool:
        """Whether an LSI query must fetch items from the table.

        It must when it asks for attributes the index does not project: in
        ``Select``, the projection or (to evaluate it) the filter.
        """
        index = self.index
        if index is None or index.kind != "LSI" or index.projected is None:
            return False
        if self.select == "ALL_ATTRIBUTES":
            return True
        names: set[str] = set()
        if isinstance(self.projection, _TopLevel):
            names.update(self.projection.names)
        elif self.projection is not None:
            names.update(path[0] for path in self.projection.paths)
        if self.filter is not None:
            names.update(path[0] for path in self.filter.paths)
        return not names <= index.projected

    def consumption(self) -> Consumption:
        """The read units of the page: its entries' summed size, rounded once (4 KB)."""
        factor = 1.0 if self.consistent else 0.5
        units = read_units(self.read_bytes) * factor
        index = self.index
        if index is None:
            return Consumption(self.table.name, units)
        consumption = Consumption(self.table.name, self.fetched_units * factor)
        consumption.add_index(index, units)
        return consumption

    def _check_gsi_projection(self) -> None:
        """A GSI cannot fetch from the table: asking it for an attribute it lacks is an error."""
        index = self.index
        if (
            index is None
            or index.kind != "GSI"
            or index.projected is None
            or self.projection is None
        ):
            return
        if isinstance(self.projection, _TopLevel):
            wanted = list(self.projection.names)
        else:
            wanted = [path[0] for path in self.projection.paths]
        missing = [name for name in dict.fromkeys(wanted) if name not in index.projected]
        if missing:
            raise invalid(
                f"Global secondary index {index.name} does not project [{', '.join(missing)}]"
            )

    def _select(self) -> str:
        p, index = self.p, self.index
        select = p.get("Select")
        allowed = ["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"]
        if select is not None and select not in allowed:
            raise validation_error(
                f"1 validation error detected: Value '{select}' at 'select' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
            )
        if select is None:
            if self.projection is not None:
                return "SPECIFIC_ATTRIBUTES"
            return "ALL_PROJECTED_ATTRIBUTES" if index else "ALL_ATTRIBUTES"
        if self.projection is not None and select != "SPECIFIC_ATTRIBUTES":
            given = "ProjectionExpression" if "ProjectionExpression" in p else "AttributesToGet"
            raise validation_error(f"Cannot specify the {given} when choosing to get {select}")
        if select == "SPECIFIC_ATTRIBUTES" and self.projection is None:
            raise validation_error(
                "SPECIFIC_ATTRIBUTES requires AttributesToGet or ProjectionExpression"
            )
        if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
            raise validation_error(
                "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
            )
        if (
            select == "ALL_ATTRIBUTES"
            and index is not None
            and index.kind == "GSI"
            and index.projected is not None
        ):
            raise invalid(
                f"Select type ALL_ATTRIBUTES is not supported for global secondary index "
                f"{index.name} because its projection type is not ALL"
            )
        return select

    def start_key(self) -> dict | None:
        start = self.p.get("ExclusiveStartKey")
        if start is None:
            return None
        store: KeyedStore = self.index.store if self.index else self.table.items
        expected = set(self.table.key_attributes)
        if self.index is not None:
            expected |= {store.hash_attr} | ({store.range_attr} if store.range_attr else set())
        if set(start) != expected:
            raise validation_error(
                "The provided starting key is invalid: The provided key element does not match "
                "the schema"
            )
        mismatch = validation_error(
            "The provided starting key is invalid: The provided key element does not match "
            "the schema"
        )
        try:
            start = validate_item(start)
        except AWSError:
            raise mismatch from None
        for name, value in start.items():  # key values must have the key attributes' types
            if next(iter(value)) != self.table.attribute_types.get(name):
                raise mismatch
        return start

    def page(self, candidates: Iterator[dict]) -> dict:
        items: list[dict] = []
        scanned = 0
        size = 0
        last: dict | None = None
        for entry in candidates:
            entry_size = item_size(entry)
            if scanned and size + entry_size > PAGE_BYTES:
                break
            scanned += 1
            size += entry_size
            last = entry
            item = self._full_item(entry)
            if self.filter is None or self.filter.evaluate(item):
                items.append(self._shape(item, entry))
            if self.limit is not None and scanned >= self.limit:
                break
        else:
            last = None  # ran out of items: no more pages
        self.read_bytes = size
        out: dict[str, Any] = {"Count": len(items), "ScannedCount": scanned}
        if self.select != "COUNT":
            out["Items"] = items
        if last is not None:
            out["LastEvaluatedKey"] = self._key_of(last)
        return out

    def _full_item(self, entry: dict) -> dict:
        """The item the filter and projection see.

        An LSI fetches attributes it does not project from the table, as DynamoDB
        does; a GSI cannot, so only its projected attributes exist.
        """
        if not self.fetches:
            return entry
        table = self.table
        key = table.key_of(entry)
        item = table.get(key)
        if self.as_of:  # an eventually consistent read: the version the index entry shows
            item = self.as_of.get(consistency.identity(table, key), item)
        self.fetched_units += read_units(item_size(item) if item is not None else 0)
        return item or entry

    def _shape(self, item: dict, entry: dict) -> dict:
        if self.projection is not None:
            return self.projection.apply(item)
        if self.select == "ALL_PROJECTED_ATTRIBUTES":
            return copy_item(entry)
        return copy_item(item)

    def _key_of(self, entry: dict) -> dict:
        names = set(self.table.key_attributes)
        if self.index is not None:
            names |= {self.index.hash_key} | (
                {self.index.range_key} if self.index.range_key else set()
            )
        return copy_item({n: entry[n] for n in names})
