"""DynamoDB single-item operations: PutItem, GetItem, UpdateItem, DeleteItem."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, UnsupportedOperation, validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb import expressions
from fakeaws.services.dynamodb.control import table_resource
from fakeaws.services.dynamodb.table import Table
from fakeaws.services.dynamodb.types import (
    MAX_ITEM_BYTES,
    MSG_UPDATE_TOO_LARGE,
    copy_item,
    item_size,
    validate_item,
    validate_key_attributes,
)
from fakeaws.services.dynamodb.validation import invalid

if TYPE_CHECKING:
    from fakeaws.calls import Call

# Legacy (pre-expression) parameters: not modelled yet; refused loudly rather than ignored.
_LEGACY = ("Expected", "AttributeUpdates", "ConditionalOperator")


class ItemOperations:
    """Mixin of DynamoDBBackend: the single-item data plane."""

    def table(self, name_or_arn: str) -> Table: ...  # from ControlPlane

    @permission(resources=table_resource)
    def put_item(self, call: Call) -> dict:
        p = call.params
        _refuse_legacy(call)
        _check_return_values(p, ("NONE", "ALL_OLD"))
        table = self.table(p["TableName"])
        attrs = _attributes(p)
        item = validate_item(p["Item"])
        validate_key_attributes(item, table.key_schema, table.attribute_types, what="item")
        _check_index_keys(table, item)
        condition = _condition(p, attrs)
        attrs.check_all_used()
        key = table.key_of(item)
        old = table.get(key)
        _check_condition(condition, old, p)
        table.write(key, item)
        return _return_old(p, old)

    @permission(resources=table_resource)
    def get_item(self, call: Call) -> dict:
        p = call.params
        table = self.table(p["TableName"])
        attrs = _attributes(p)
        key = _key(table, p["Key"])
        projection = _projection(p, attrs)
        attrs.check_all_used()
        item = table.get(key)
        if item is None:
            return {}
        return {"Item": projection.apply(item) if projection else copy_item(item)}

    @permission(resources=table_resource)
    def delete_item(self, call: Call) -> dict:
        p = call.params
        _refuse_legacy(call)
        _check_return_values(p, ("NONE", "ALL_OLD"))
        table = self.table(p["TableName"])
        attrs = _attributes(p)
        key = _key(table, p["Key"])
        condition = _condition(p, attrs)
        attrs.check_all_used()
        old = table.get(key)
        _check_condition(condition, old, p)
        if old is not None:
            table.write(key, None)
        return _return_old(p, old)

    @permission(resources=table_resource)
    def update_item(self, call: Call) -> dict:
        p = call.params
        _refuse_legacy(call)
        returns = p.get("ReturnValues", "NONE")
        _check_return_values(p, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"))
        table = self.table(p["TableName"])
        attrs = _attributes(p)
        key = _key(table, p["Key"])
        update = (
            expressions.update(p["UpdateExpression"], attrs) if "UpdateExpression" in p else None
        )
        condition = _condition(p, attrs)
        attrs.check_all_used()
        old = table.get(key)
        _check_condition(condition, old, p)
        base = old if old is not None else key
        if update is None:
            new, paths = dict(base), []
        else:
            new, paths = update.apply(base, set(table.key_attributes))
        if item_size(new) > MAX_ITEM_BYTES:
            raise validation_error(MSG_UPDATE_TOO_LARGE)
        _check_index_keys(table, new)
        table.write(key, new)
        if returns == "ALL_OLD":
            return {"Attributes": copy_item(old)} if old else {}
        if returns == "ALL_NEW":
            return {"Attributes": copy_item(new)}
        if returns in ("UPDATED_OLD", "UPDATED_NEW"):
            source = old if returns == "UPDATED_OLD" else new
            changed = expressions.project(source, paths) if source else {}
            return {"Attributes": changed} if changed else {}
        return {}


# -- shared steps ---------------------------------------------------------------------------


def _refuse_legacy(call: Call) -> None:
    used = [name for name in _LEGACY if name in call.params]
    if used:
        raise UnsupportedOperation(
            "dynamodb", call.operation, f"the legacy parameter {used[0]} is not supported yet"
        )


def _attributes(p: dict) -> expressions.ExpressionAttributes:
    return expressions.ExpressionAttributes(
        p.get("ExpressionAttributeNames"), p.get("ExpressionAttributeValues")
    )


def _condition(p: dict, attrs: expressions.ExpressionAttributes):
    if "ConditionExpression" not in p:
        return None
    return expressions.condition(p["ConditionExpression"], attrs)


def _projection(p: dict, attrs: expressions.ExpressionAttributes):
    if "ProjectionExpression" in p:
        if "AttributesToGet" in p:
            raise validation_error(
                "Can not use both expression and non-expression parameters in the same request: "
                "Non-expression parameters: {AttributesToGet} Expression parameters: "
                "{ProjectionExpression}"
            )
        return expressions.projection(p["ProjectionExpression"], attrs)
    if "AttributesToGet" in p:
        names = p["AttributesToGet"]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate is not None:
            raise validation_error(
                f"One or more parameter values were invalid: Duplicate value in attribute name: "
                f"{duplicate}"
            )
        return _TopLevel(names)
    return None


class _TopLevel:
    """AttributesToGet: a projection of top-level attribute names."""

    def __init__(self, names: list[str]) -> None:
        self.names = list(names)

    def apply(self, item: dict) -> dict:
        return copy_item({n: item[n] for n in self.names if n in item})


def _key(table: Table, key: dict) -> dict:
    key = validate_item(key)  # values first, as DynamoDB reports them first
    validate_key_attributes(key, table.key_schema, table.attribute_types, what="key")
    return key


def _check_index_keys(table: Table, item: dict) -> None:
    """Index key attributes, when present, must have the type the index declares."""
    for index in table.indexes.values():
        for name in (index.hash_key, index.range_key):
            if name is None or name not in item:
                continue
            expected = table.attribute_types[name]
            actual = next(iter(item[name]))
            if actual != expected:
                raise invalid(
                    f"Type mismatch for Index Key {name} Expected: {expected} Actual: {actual} "
                    f"IndexName: {index.name}"
                )


def _check_condition(condition: Any, old: dict | None, p: dict) -> None:
    if condition is None or condition.evaluate(old):
        return
    fields = {}
    if p.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
        fields["Item"] = copy_item(old)
    raise AWSError("ConditionalCheckFailedException", "The conditional request failed", **fields)


def _check_return_values(p: dict, allowed: tuple[str, ...]) -> None:
    value = p.get("ReturnValues", "NONE")
    all_values = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
    if value not in all_values:
        raise validation_error(
            f"1 validation error detected: Value '{value}' at 'returnValues' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(all_values)}]"
        )
    if value not in allowed:
        raise validation_error("Return values set to invalid value")


def _return_old(p: dict, old: dict | None) -> dict:
    if p.get("ReturnValues") == "ALL_OLD" and old is not None:
        return {"Attributes": copy_item(old)}
    return {}
