"""DynamoDB BatchGetItem and BatchWriteItem."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from fakeaws.errors import validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb import expressions
from fakeaws.services.dynamodb.capacity import (
    Consumption,
    check_mode,
    read_units,
    throttled,
    wants,
    write_units,
)
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
    validate_item_sized,
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
    """Mixin of DynamoDBBackend: batch reads and writes.

    Each key or write is admitted on its own: what a PROVISIONED table (or
    one of its GSIs) has no capacity left for is returned in
    ``UnprocessedKeys`` / ``UnprocessedItems``; only when nothing at all
    could be done does the call fail with ProvisionedThroughputExceededException,
    as DynamoDB documents.
    """

    def table(self, name_or_arn: str) -> Table: ...  # from ControlPlane

    # from Accounting
    throttles: Any
    read_refusal: Any
    write_refusal: Any
    charge: Any

    @permission(resources=_tables_resource)
    def batch_get_item(self, call: Call) -> dict:
        check_mode(call.params)
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

        now = call.time
        responses: dict[str, list[dict]] = {name: [] for name, *_ in plans}
        left: dict[str, list[dict]] = {}  # keys left for the caller to ask again
        spent: dict[str, Consumption] = {}
        size = 0
        full = False
        read = 0
        refusal = None
        for name, table, keys, projection in plans:
            consistent = bool(requests[name].get("ConsistentRead"))
            throttles = self.throttles(table)
            journal = None if consistent else table.journal
            for key in keys:
                if full:
                    left.setdefault(name, []).append(key)
                    continue
                if throttles:
                    refused = self.read_refusal(table, None, now)
                    if refused is not None:
                        refusal = refusal or refused
                        left.setdefault(name, []).append(key)
                        continue
                item = table.get(key)
                if journal is not None:
                    item = journal.item(table, key, item)
                item_bytes = item_size(item) if item is not None else 0
                if size + item_bytes > MAX_GET_BYTES:  # the rest is left for the caller
                    full = True
                    left.setdefault(name, []).append(key)
                    continue
                size += item_bytes
                read += 1
                units = read_units(item_bytes) * (1.0 if consistent else 0.5)
                consumption = Consumption(name, units)
                self.charge(table, consumption, False, now)
                _add(spent, consumption)
                if item is not None:
                    responses[name].append(
                        projection.apply(item) if projection else copy_item(item)
                    )
        if not read and refusal is not None:  # nothing could be read: the whole call throttles
            raise throttled(refusal)
        unprocessed: dict[str, dict] = {}
        for name, keys in left.items():
            request = {k: v for k, v in requests[name].items() if k != "Keys"}
            unprocessed[name] = {**copy.deepcopy(request), "Keys": [copy_item(k) for k in keys]}
        out: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
        mode = wants(call.params)
        if mode is not None:
            out["ConsumedCapacity"] = [c.response(mode) for c in spent.values()]
        return out

    @permission(resources=_tables_resource)
    def batch_write_item(self, call: Call) -> dict:
        check_mode(call.params)
        requests = call.params["RequestItems"]
        if sum(len(entries) for entries in requests.values()) > MAX_WRITES:
            raise validation_error(
                "1 validation error detected: Value at 'requestItems' failed to satisfy "
                "constraint: Map value must satisfy constraint: [Member must have length less "
                "than or equal to 25, Member must have length greater than or equal to 1]"
            )
        writes: list[tuple[str, Table, dict, dict | None, int]] = []
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
                    item, item_bytes = validate_item_sized(entry["PutRequest"]["Item"])
                    validate_key_attributes(
                        item, table.key_schema, table.attribute_types, what="item"
                    )
                    _check_index_keys(table, item)
                    key = table.key_of(item)
                    writes.append((name, table, key, item, item_bytes))
                else:
                    key = _key(table, entry["DeleteRequest"]["Key"])
                    writes.append((name, table, key, None, 0))
                keys.append(key)
            _refuse_duplicates(table, keys)
        # Validated as a whole first, then applied one by one: each write a table (or a GSI)
        # has no capacity left for is left unprocessed, for the caller to send again.
        now = call.time
        unprocessed: dict[str, list[dict]] = {}
        spent: dict[str, Consumption] = {}
        written = []
        refusal = None
        for name, table, key, item, new_size in writes:
            old = table.get(key)
            if self.throttles(table):
                refused = self.write_refusal(table, old, item, now)
                if refused is not None:
                    refusal = refusal or refused
                    entry = (
                        {"PutRequest": {"Item": copy_item(item)}}
                        if item is not None
                        else {"DeleteRequest": {"Key": copy_item(key)}}
                    )
                    unprocessed.setdefault(name, []).append(entry)
                    continue
            old_size = item_size(old) if old is not None else 0
            index_units = None
            if item is not None or old is not None:
                index_units = table.write(key, item, old, old_size, new_size).index_units
            consumption = Consumption(name, write_units(max(old_size, new_size)))
            consumption.add_indexes(table, index_units)
            self.charge(table, consumption, True, now)
            _add(spent, consumption)
            written.append((table, key))
        if not written and refusal is not None:  # nothing could be written: the call throttles
            raise throttled(refusal)
        out: dict[str, Any] = {"UnprocessedItems": unprocessed}
        if call.params.get("ReturnItemCollectionMetrics") == "SIZE":
            metrics = batch_metrics(written)
            if metrics:
                out["ItemCollectionMetrics"] = metrics
        mode = wants(call.params)
        if mode is not None:
            out["ConsumedCapacity"] = [c.response(mode) for c in spent.values()]
        return out


def _add(spent: dict[str, Consumption], consumption: Consumption) -> None:
    """Add one item's units to its table's running total."""
    total = spent.get(consumption.table_name)
    if total is None:
        total = spent[consumption.table_name] = Consumption(consumption.table_name)
    total.merge(consumption)


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
