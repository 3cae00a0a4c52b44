"""DynamoDB BatchGetItem and BatchWriteItem."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakeaws.errors import validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb import expressions
from fakeaws.services.dynamodb.items import (
    _check_index_keys,
    _key,
    _TopLevel,
    collection_metrics,
)
from fakeaws.services.dynamodb.table import Table
from fakeaws.services.dynamodb.types import (
    copy_item,
    item_size,
    sort_key,
    validate_item,
    validate_key_attributes,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call

MAX_GET_KEYS = 100
MAX_WRITES = 25
MAX_GET_BYTES = 16 * 1024 * 1024  # a BatchGetItem response holds at most 16 MB


def _tables_resource(backend: Any, call: Call) -> list[str]:
    return [backend.arn(f"table/{name}") for name in call.params.get("RequestItems", {})]


class Batches:
    """Mixin of DynamoDBBackend: batch reads and writes."""

    def table(self, name_or_arn: str) -> Table: ...  # from ControlPlane

    @permission(resources=_tables_resource)
    def batch_get_item(self, call: Call) -> dict:
        requests = call.params["RequestItems"]
        if sum(len(r["Keys"]) for r in requests.values()) > MAX_GET_KEYS:
            raise validation_error("Too many items requested for the BatchGetItem call")
        plans = []
        for name, request in requests.items():
            table = self.table(name)
            attrs = expressions.ExpressionAttributes(request.get("ExpressionAttributeNames"), None)
            projection = None
            if "ProjectionExpression" in request:
                projection = expressions.projection(request["ProjectionExpression"], attrs)
            elif "AttributesToGet" in request:
                projection = _TopLevel(request["AttributesToGet"])
            attrs.check_all_used()
            keys = [_key(table, key) for key in request["Keys"]]
            _refuse_duplicates(table, keys)
            plans.append((name, table, keys, projection))

        responses: dict[str, list[dict]] = {name: [] for name, *_ in plans}
        unprocessed: dict[str, dict] = {}
        size = 0
        for name, table, keys, projection in plans:
            for n, key in enumerate(keys):
                item = table.get(key)
                if item is None:
                    continue
                size += item_size(item)
                if size > MAX_GET_BYTES:  # the rest is left for the caller to ask again
                    request = {k: v for k, v in requests[name].items() if k != "Keys"}
                    unprocessed[name] = {**request, "Keys": [copy_item(k) for k in keys[n:]]}
                    break
                responses[name].append(projection.apply(item) if projection else copy_item(item))
        return {"Responses": responses, "UnprocessedKeys": unprocessed}

    @permission(resources=_tables_resource)
    def batch_write_item(self, call: Call) -> dict:
        requests = call.params["RequestItems"]
        if sum(len(entries) for entries in requests.values()) > MAX_WRITES:
            raise validation_error(
                "1 validation error detected: Value at 'requestItems' failed to satisfy "
                "constraint: Map value must satisfy constraint: [Member must have length less "
                "than or equal to 25, Member must have length greater than or equal to 1]"
            )
        writes: list[tuple[Table, dict, dict | None]] = []
        for name, entries in requests.items():
            table = self.table(name)
            keys = []
            for entry in entries:
                if ("PutRequest" in entry) == ("DeleteRequest" in entry):
                    raise validation_error(
                        "Supplied AttributeValue has more than one datatypes set, must contain "
                        "exactly one of the supported datatypes"
                        if entry
                        else "Supplied AttributeValue is empty, must contain exactly one of the "
                        "supported datatypes"
                    )
                if "PutRequest" in entry:
                    item = validate_item(entry["PutRequest"]["Item"])
                    validate_key_attributes(
                        item, table.key_schema, table.attribute_types, what="item"
                    )
                    _check_index_keys(table, item)
                    key = table.key_of(item)
                    writes.append((table, key, item))
                else:
                    key = _key(table, entry["DeleteRequest"]["Key"])
                    writes.append((table, key, None))
                keys.append(key)
            _refuse_duplicates(table, keys)
        for table, key, item in writes:  # validated as a whole first, then applied
            table.write(key, item)
        out: dict[str, Any] = {"UnprocessedItems": {}}
        if call.params.get("ReturnItemCollectionMetrics") == "SIZE":
            metrics = batch_metrics((table, key) for table, key, _ in writes)
            if metrics:
                out["ItemCollectionMetrics"] = metrics
        return out


def batch_metrics(writes: Any) -> dict[str, list[dict]]:
    """ItemCollectionMetrics per table with LSIs: one entry per item collection written."""
    out: dict[str, list[dict]] = {}
    seen = set()
    for table, key in writes:
        if not any(i.kind == "LSI" for i in table.indexes.values()):
            continue
        collection = (table.name, sort_key(key[table.hash_key]))
        if collection not in seen:
            seen.add(collection)
            out.setdefault(table.name, []).append(collection_metrics(table, key))
    return out


def _refuse_duplicates(table: Table, keys: list[dict]) -> None:
    seen = set()
    for key in keys:
        identity = tuple(sort_key(key[name]) for name in table.key_attributes)
        if identity in seen:
            raise validation_error("Provided list of item keys contains duplicates")
        seen.add(identity)
