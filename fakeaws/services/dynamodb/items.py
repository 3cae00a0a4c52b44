"""DynamoDB single-item operations: PutItem, GetItem, UpdateItem, DeleteItem.

Each operation validates in the order DynamoDB reports problems, which its
error for a request with several problems shows (dynalite's validations and
the nubo-db / ExtendDB conformance suites, recorded against DynamoDB):

1. the request alone: enums; legacy and expression parameters mixed;
   ConditionalOperator; ExpressionAttributeNames/Values with no expression;
   ReturnValues allowed for the operation; the Key or Item values (and the
   item's 400 KB); the legacy Expected / AttributeUpdates; the
   ExpressionAttributeNames/Values maps; each expression (UpdateExpression,
   then ConditionExpression, then ProjectionExpression); unused names and
   values. A request can fail all of these for a table that does not exist;
2. the table (``ResourceNotFoundException``);
3. the key (or item) against the key schema, then the index key types;
4. for UpdateItem, the actions against the schema, before the item is read:
   no key attribute updated, index keys written with their type, no path
   below a key attribute;
5. the item: the condition, then the update itself.

The legacy Expected and AttributeUpdates are translated into the same
expression objects (``expressions.expected`` / ``expressions.attribute_updates``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb import expressions
from fakeaws.services.dynamodb.capacity import Consumption, read_units, wants, write_units
from fakeaws.services.dynamodb.control import table_resource
from fakeaws.services.dynamodb.table import Table
from fakeaws.services.dynamodb.types import (
    MAX_ITEM_BYTES,
    MSG_UPDATE_TOO_LARGE,
    copy_item,
    copy_value,
    item_size,
    validate_item,
    validate_item_sized,
    validate_key_attributes,
    value_type,
)
from fakeaws.services.dynamodb.validation import Constraints, invalid

if TYPE_CHECKING:
    from fakeaws.calls import Call

# Per operation: its expression parameters and its legacy ones, each in the order DynamoDB
# lists them in "Can not use both expression and non-expression parameters" (ExtendDB's
# tests against DynamoDB).
_PARAMETERS = {
    "PutItem": (("ConditionExpression",), ("Expected", "ConditionalOperator")),
    "DeleteItem": (("ConditionExpression",), ("Expected", "ConditionalOperator")),
    "UpdateItem": (
        ("UpdateExpression", "ConditionExpression"),
        ("AttributeUpdates", "Expected", "ConditionalOperator"),
    ),
    "GetItem": (("ProjectionExpression",), ("AttributesToGet",)),
}

# Enum orders as DynamoDB prints them (dynalite's recorded messages).
_RETURN_VALUES = ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"]
_ENUMS = (
    ("ReturnConsumedCapacity", "returnConsumedCapacity", ["INDEXES", "TOTAL", "NONE"]),
    ("ReturnItemCollectionMetrics", "returnItemCollectionMetrics", ["SIZE", "NONE"]),
    ("ReturnValues", "returnValues", _RETURN_VALUES),
    (
        "ReturnValuesOnConditionCheckFailure",
        "returnValuesOnConditionCheckFailure",
        ["ALL_OLD", "NONE"],
    ),
)
_ENUM_PARAMETERS = frozenset(parameter for parameter, _, _ in _ENUMS)

_NOT_VALID = "One or more parameter values are not valid. "
_SCALAR_KEYS = (
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
)


class ItemOperations:
    """Mixin of DynamoDBBackend: the single-item data plane."""

    def table(self, name_or_arn: str) -> Table: ...  # from ControlPlane

    # from Accounting
    admit_read: Any
    admit_write: Any
    charge: Any
    charge_read: Any
    charge_write: Any

    @permission(resources=table_resource)
    def put_item(self, call: Call) -> dict:
        p = call.params
        _check_request(call, allowed_returns=("NONE", "ALL_OLD"))
        item, new_size = validate_item_sized(p["Item"])
        condition, attrs = _condition(p)
        attrs.check_all_used()
        table = self.table(p["TableName"])
        validate_key_attributes(item, table.key_schema, table.attribute_types, what="item")
        _check_index_keys(table, item)
        key = table.key_of(item)
        old = table.get(key)
        now = call.time
        throttling = None
        if table.billing_mode == "PROVISIONED":
            throttling = self.admit_write(table, old, item, now)
        old_size = item_size(old) if old is not None else 0
        units = write_units(old_size if old_size > new_size else new_size)
        if condition is not None:
            self._check_write_condition(table, condition, old, p, units, now)
        result = table.write(key, item, old, old_size, new_size)
        response = _with_metrics(p, table, key, _return_old(p, old))
        return self.charge_write(
            table, units, result.index_units, now, wants(p), response, throttling
        )

    @permission(resources=table_resource)
    def get_item(self, call: Call) -> dict:
        p = call.params
        _check_request(call, allowed_returns=None)
        key = validate_item(p["Key"])
        _check_attributes_to_get(p)
        attrs = _attributes(p)
        projection = _projection(p, attrs)
        attrs.check_all_used()
        table = self.table(p["TableName"])
        validate_key_attributes(key, table.key_schema, table.attribute_types, what="key")
        throttling = None
        if table.billing_mode == "PROVISIONED":
            throttling = self.admit_read(table, None, call.time)
        item = table.get(key)
        consistent = p.get("ConsistentRead", False)
        if not consistent and table.journal is not None:
            item = table.journal.item(table, key, item)
        units = read_units(item_size(item) if item is not None else 0)
        if not consistent:
            units /= 2
        if item is None:
            response = {}
        else:
            response = {"Item": projection.apply(item) if projection else copy_item(item)}
        return self.charge_read(table, units, wants(p), response, throttling)

    @permission(resources=table_resource)
    def delete_item(self, call: Call) -> dict:
        p = call.params
        _check_request(call, allowed_returns=("NONE", "ALL_OLD"))
        key = validate_item(p["Key"])
        condition, attrs = _condition(p)
        attrs.check_all_used()
        table = self.table(p["TableName"])
        validate_key_attributes(key, table.key_schema, table.attribute_types, what="key")
        old = table.get(key)
        now = call.time
        throttling = None
        if table.billing_mode == "PROVISIONED":
            throttling = self.admit_write(table, old, None, now)
        old_size = item_size(old) if old is not None else 0
        units = write_units(old_size)
        if condition is not None:
            self._check_write_condition(table, condition, old, p, units, now)
        index_units = None
        if old is not None:
            index_units = table.write(key, None, old, old_size, 0).index_units
        response = _with_metrics(p, table, key, _return_old(p, old))
        return self.charge_write(table, units, index_units, now, wants(p), response, throttling)

    @permission(resources=table_resource)
    def update_item(self, call: Call) -> dict:
        p = call.params
        returns = p.get("ReturnValues", "NONE")
        _check_request(call, allowed_returns=None)
        key = validate_item(p["Key"])
        update = (
            expressions.attribute_updates(p["AttributeUpdates"])
            if "AttributeUpdates" in p
            else None
        )
        attrs = _attributes(p)
        if "UpdateExpression" in p:
            update = expressions.update(p["UpdateExpression"], attrs)
        condition = _legacy_or_expression_condition(p, attrs)
        attrs.check_all_used()
        table = self.table(p["TableName"])
        validate_key_attributes(key, table.key_schema, table.attribute_types, what="key")
        if update is not None:
            _check_update_against_schema(table, update)
        old = table.get(key)
        # The new item is worked out first (throttling and a failed condition are charged
        # on it), but its errors are reported after the condition's, as DynamoDB does.
        new: dict | None = None
        problem = None
        try:
            new, paths, new_size = _updated(table, key, update, old)
        except AWSError as error:
            problem = error
        now = call.time
        throttling = None
        if table.billing_mode == "PROVISIONED":
            throttling = self.admit_write(table, old, new, now)
        old_size = item_size(old) if old is not None else 0
        if new is None:
            new_size = old_size
        units = write_units(old_size if old_size > new_size else new_size)
        if condition is not None:
            self._check_write_condition(table, condition, old, p, units, now)
        if problem is not None:
            raise problem
        result = table.write(key, new, old, old_size, new_size)
        response = _with_metrics(p, table, key, _updated_attributes(returns, old, new, paths))
        return self.charge_write(
            table, units, result.index_units, now, wants(p), response, throttling
        )

    def _check_write_condition(
        self, table: Table, condition: Any, old: dict | None, p: dict, units: int, now: float
    ) -> None:
        """A failed condition still consumes the write's capacity (at least one unit)."""
        try:
            _check_condition(condition, old, p)
        except AWSError:
            self.charge(table, Consumption(table.name, units), True, now)
            raise


# -- request checks (before the table is looked up) -------------------------------------------


def _check_request(call: Call, *, allowed_returns: tuple[str, ...] | None) -> None:
    """What DynamoDB checks of a request before its Key/Item values."""
    p = call.params
    if not _ENUM_PARAMETERS.isdisjoint(p):
        constraints = Constraints()
        for parameter, path, allowed in _ENUMS:
            constraints.enum(p.get(parameter), path, allowed)
        constraints.raise_any()
    expression_names, legacy_names = _PARAMETERS[call.operation]
    used_expressions = [name for name in expression_names if name in p]
    used_legacy = [name for name in legacy_names if name in p]
    if used_expressions and used_legacy:
        raise validation_error(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(used_legacy)}}} "
            f"Expression parameters: {{{', '.join(used_expressions)}}}"
        )
    if "ConditionalOperator" in legacy_names:
        operator = p.get("ConditionalOperator")
        expressions.legacy.check_conditional_operator(operator, p.get("Expected"))
    if "ExpressionAttributeNames" in p and not used_expressions:
        raise validation_error(
            "ExpressionAttributeNames can only be specified when using expressions"
        )
    with_values = [name for name in expression_names if name != "ProjectionExpression"]
    if "ExpressionAttributeValues" in p and with_values and not used_expressions:
        verb = "are" if len(with_values) > 1 else "is"
        raise validation_error(
            "ExpressionAttributeValues can only be specified when using expressions: "
            f"{' and '.join(with_values)} {verb} null"
        )
    if allowed_returns is not None and p.get("ReturnValues", "NONE") not in allowed_returns:
        # Before the values (dynalite checks it after the Item values; rarely both apply).
        raise validation_error("Return values set to invalid value")


def _check_attributes_to_get(p: dict) -> None:
    names = p.get("AttributesToGet")
    if names is None:
        return
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise validation_error(
            f"One or more parameter values were invalid: Duplicate value in attribute name: "
            f"{duplicate}"
        )


def _attributes(p: dict) -> expressions.ExpressionAttributes:
    return expressions.ExpressionAttributes(
        p.get("ExpressionAttributeNames"), p.get("ExpressionAttributeValues")
    )


def _condition(p: dict) -> tuple[Any, expressions.ExpressionAttributes]:
    """PutItem's and DeleteItem's condition: legacy Expected first, then the maps."""
    legacy = None
    if p.get("Expected"):
        legacy = expressions.expected(p["Expected"], p.get("ConditionalOperator"))
    attrs = _attributes(p)
    if "ConditionExpression" in p:
        return expressions.condition(p["ConditionExpression"], attrs), attrs
    return legacy, attrs


def _legacy_or_expression_condition(p: dict, attrs: expressions.ExpressionAttributes):
    if "ConditionExpression" in p:
        return expressions.condition(p["ConditionExpression"], attrs)
    if p.get("Expected"):
        return expressions.expected(p["Expected"], p.get("ConditionalOperator"))
    return None


def _projection(p: dict, attrs: expressions.ExpressionAttributes):
    if "ProjectionExpression" in p:
        return expressions.projection(p["ProjectionExpression"], attrs)
    if "AttributesToGet" in p:
        return _TopLevel(p["AttributesToGet"])
    return None


class _TopLevel:
    """AttributesToGet: a projection of top-level attribute names."""

    def __init__(self, names: list[str]) -> None:
        self.names = list(names)

    def apply(self, item: dict) -> dict:
        return copy_item({n: item[n] for n in self.names if n in item})


# -- checks against the table ------------------------------------------------------------------


def _key(table: Table, key: dict) -> dict:
    """A ``Key`` parameter checked (values, then against the key schema) and normalized.

    For the batch and transaction operations; the single-item operations check
    the values before the table lookup and the schema after it.
    """
    key = validate_item(key)
    validate_key_attributes(key, table.key_schema, table.attribute_types, what="key")
    return key


def _index_keys(table: Table) -> Iterator[tuple[str, str, str]]:
    """(attribute, declared type, index name) of each secondary index key.

    In the order DynamoDB reports a mismatch: global indexes, then local ones,
    each latest-declared first (dynalite's order, which reproduces DynamoDB's
    choice of index in its recorded message).
    """
    for kind in ("GSI", "LSI"):
        for index in reversed([i for i in table.indexes.values() if i.kind == kind]):
            for name in (index.hash_key, index.range_key):
                if name is not None and (kind == "GSI" or name == index.range_key):
                    yield name, table.attribute_types[name], index.name


def _check_index_keys(table: Table, item: dict) -> None:
    """PutItem: index key attributes, when present, have the index's type and are not empty."""
    if not table.indexes:
        return
    for name, expected, index in _index_keys(table):
        if name in item and value_type(item[name]) != expected:
            raise invalid(
                f"Type mismatch for Index Key {name} Expected: {expected} "
                f"Actual: {value_type(item[name])} IndexName: {index}"
            )
    for name, expected, index in _index_keys(table):
        if name in item and expected in ("S", "B") and len(item[name][expected]) == 0:
            kind = "string" if expected == "S" else "binary"
            raise validation_error(
                f"{_NOT_VALID}A value specified for a secondary index key is not supported. "
                f"The AttributeValue for a key attribute cannot contain an empty {kind} value. "
                f"IndexName: {index}, IndexKey: {name}"
            )


def _check_update_against_schema(table: Table, update: expressions.Update) -> None:
    """UpdateItem's checks of the actions against the schema, before the item is read.

    In DynamoDB's order (dynalite's ``validateUpdates``): an action on a key
    attribute; a top-level index key written with a value of another type; a
    path below a key or index key attribute, anywhere in the update.
    """
    update.check_keys(table.key_attributes)
    written = dict(
        (path[0], kind) for path, kind in update.written_types() if len(path) == 1 and kind
    )
    for name, expected, index in _index_keys(table):
        actual = written.get(name)
        if actual is not None and actual != expected:
            raise invalid(
                f"Type mismatch for Index Key {name} Expected: {expected} Actual: {actual} "
                f"IndexName: {index}"
            )
    below = set(update.dereferenced())
    for name in table.key_attributes:
        if name in below:
            raise validation_error(f"{_SCALAR_KEYS}Key: {name}")
    for name, _, _ in _index_keys(table):
        if name in below:
            raise validation_error(f"{_SCALAR_KEYS}IndexKey: {name}")


def updated_item(
    table: Table, key: dict, update: expressions.Update | None, old: dict | None
) -> tuple[dict, list]:
    """The item an update makes of ``old`` (or of the bare key), checked, and the paths it wrote.

    UpdateItem and TransactWriteItems' Update share it.
    """
    new, paths, _ = _updated(table, key, update, old)
    return new, paths


def _updated(
    table: Table, key: dict, update: expressions.Update | None, old: dict | None
) -> tuple[dict, list, int]:
    """``updated_item``, and the new item's size."""
    base = old if old is not None else key
    if update is None:
        new, paths = copy_item(base), []
    else:
        new, paths = update.apply(base, set(table.key_attributes))
        _check_updated_index_keys(table, update, new)
    size = item_size(new)
    if size > MAX_ITEM_BYTES:
        raise validation_error(MSG_UPDATE_TOO_LARGE)
    return new, paths, size


def _check_updated_index_keys(table: Table, update: expressions.Update, new: dict) -> None:
    """Index keys an update wrote from the item (``SET c = b``) must suit the index."""
    written = {path[0] for path in update.paths if len(path) == 1}
    for name, expected, _ in _index_keys(table):
        if name not in written or name not in new:
            continue
        value = new[name]
        if value_type(value) != expected:
            raise validation_error(
                "The update expression attempted to update the secondary index key to "
                "unsupported type"
            )
        if expected in ("S", "B") and len(value[expected]) == 0:
            raise validation_error(
                f"{_NOT_VALID}The update expression attempted to update a secondary index key "
                "to a value that is not supported. The AttributeValue for a key attribute "
                "cannot contain an empty string value."
            )


# -- conditions and results ---------------------------------------------------------------


def _check_condition(condition: Any, old: dict | None, p: dict) -> None:
    if condition is None or condition.evaluate(old):
        return
    fields = {}
    if p.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
        fields["Item"] = copy_item(old)
    raise AWSError("ConditionalCheckFailedException", "The conditional request failed", **fields)


def _updated_attributes(returns: str, old: dict | None, new: dict, paths: list) -> dict:
    """UpdateItem's ReturnValues: whole items, or only the paths the update wrote."""
    if returns == "ALL_OLD":
        return {"Attributes": copy_item(old)} if old else {}
    if returns == "ALL_NEW":
        return {"Attributes": copy_item(new)}
    if returns in ("UPDATED_OLD", "UPDATED_NEW"):
        source = old if returns == "UPDATED_OLD" else new
        changed = expressions.project(source, paths) if source else {}
        return {"Attributes": changed} if changed else {}
    return {}


def collection_metrics(table: Table, key: dict) -> dict:
    """ItemCollectionMetrics of the item collection (partition) ``key`` belongs to.

    The estimate covers the table's items with that partition key plus their
    local secondary index entries, as DynamoDB's does, in whole-GB bounds.
    """
    hash_value = key[table.hash_key]
    size = sum(item_size(i) for i in table.items.query(hash_value))
    for index in table.indexes.values():
        if index.kind == "LSI":
            size += sum(item_size(i) for i in index.store.query(hash_value))
    low = float(size // 1024**3)
    return {
        "ItemCollectionKey": {table.hash_key: copy_value(hash_value)},
        "SizeEstimateRangeGB": [low, low + 1.0],
    }


def _with_metrics(p: dict, table: Table, key: dict, response: dict) -> dict:
    """Add ItemCollectionMetrics when asked for, on tables that have item collections (LSIs)."""
    if p.get("ReturnItemCollectionMetrics") == "SIZE" and any(
        i.kind == "LSI" for i in table.indexes.values()
    ):
        response["ItemCollectionMetrics"] = collection_metrics(table, key)
    return response


def _return_old(p: dict, old: dict | None) -> dict:
    if p.get("ReturnValues") == "ALL_OLD" and old is not None:
        return {"Attributes": copy_item(old)}
    return {}
