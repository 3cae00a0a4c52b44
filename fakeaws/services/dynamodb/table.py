"""A DynamoDB table: its definition, its items and its secondary indexes.

``Table.write`` is the one place every change of an item goes through: it
updates the table and each index the change touches and reports what it did
(the old item and the index entries written or deleted), which is what
capacity accounting, streams and replication hook into.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from fakeaws.services.dynamodb.storage import Item, KeyedStore


def _key_names(key_schema: list[dict]) -> tuple[str, str | None]:
    hash_key = next(k["AttributeName"] for k in key_schema if k["KeyType"] == "HASH")
    range_key = next((k["AttributeName"] for k in key_schema if k["KeyType"] == "RANGE"), None)
    return hash_key, range_key


@dataclass
class Throughput:
    read: int = 0
    write: int = 0
    last_increase: float | None = None
    last_decrease: float | None = None
    decreases_today: int = 0

    def describe(self) -> dict:
        out: dict[str, Any] = {
            "NumberOfDecreasesToday": self.decreases_today,
            "ReadCapacityUnits": self.read,
            "WriteCapacityUnits": self.write,
        }
        if self.last_increase is not None:
            out["LastIncreaseDateTime"] = _dt(self.last_increase)
        if self.last_decrease is not None:
            out["LastDecreaseDateTime"] = _dt(self.last_decrease)
        return out


@dataclass
class Index:
    """A GSI or LSI: its own key, projection and sorted store of projected items."""

    name: str
    kind: str  # "GSI" or "LSI"
    arn: str
    key_schema: list[dict]
    projection: dict
    table_keys: tuple[str, ...]
    status: str = "ACTIVE"
    backfilling: bool | None = None  # reported only for a GSI added by UpdateTable
    throughput: Throughput | None = None  # GSIs of provisioned tables
    store: KeyedStore = field(init=False)

    def __post_init__(self) -> None:
        self.hash_key, self.range_key = _key_names(self.key_schema)
        self.store = KeyedStore(self.hash_key, self.range_key, tiebreak=self.table_keys)
        kind = self.projection.get("ProjectionType", "ALL")
        keys = {self.hash_key, *self.table_keys} | ({self.range_key} if self.range_key else set())
        self.key_attributes = keys
        self.projected: set[str] | None = None  # None = ALL
        if kind == "KEYS_ONLY":
            self.projected = set(keys)
        elif kind == "INCLUDE":
            self.projected = keys | set(self.projection.get("NonKeyAttributes", []))

    def project(self, item: Item) -> Item:
        if self.projected is None:
            return item
        return {name: value for name, value in item.items() if name in self.projected}

    def describe(self) -> dict:
        out: dict[str, Any] = {
            "IndexName": self.name,
            "KeySchema": [dict(k) for k in self.key_schema],
            "Projection": _copy_projection(self.projection),
            "IndexSizeBytes": self.store.size_bytes(),
            "ItemCount": len(self.store),
            "IndexArn": self.arn,
        }
        if self.kind == "GSI":
            out["IndexStatus"] = self.status
            if self.status == "CREATING" and self.backfilling is not None:
                out["Backfilling"] = self.backfilling
            out["ProvisionedThroughput"] = (self.throughput or Throughput()).describe()
        return out


@dataclass
class WriteResult:
    """What one item write changed (for ReturnValues, capacity, streams)."""

    old: Item | None
    new: Item | None
    index_puts: list[str] = field(default_factory=list)
    index_deletes: list[str] = field(default_factory=list)


class Table:
    def __init__(
        self,
        *,
        name: str,
        arn: str,
        table_id: str,
        key_schema: list[dict],
        attribute_types: dict[str, str],
        billing_mode: str,
        throughput: Throughput,
        created: float,
    ) -> None:
        self.name = name
        self.arn = arn
        self.table_id = table_id
        self.key_schema = [dict(k) for k in key_schema]
        self.attribute_types = dict(attribute_types)
        self.hash_key, self.range_key = _key_names(key_schema)
        self.key_attributes = (self.hash_key,) + ((self.range_key,) if self.range_key else ())
        self.billing_mode = billing_mode
        self.billing_mode_updated: float | None = (
            created if billing_mode == "PAY_PER_REQUEST" else None
        )
        self.throughput = throughput
        self.created = created
        self.status = "CREATING"
        self.items = KeyedStore(self.hash_key, self.range_key)
        self.indexes: dict[str, Index] = {}
        self.tags: dict[str, str] = {}
        self.stream_specification: dict | None = None
        self.stream_label: str | None = None  # the latest stream's, kept after it is disabled
        self.deletion_protection = False
        self.table_class = "STANDARD"
        self.sse: dict | None = None

    # -- items -----------------------------------------------------------------------
    def key_of(self, item: Item) -> Item:
        return {name: item[name] for name in self.key_attributes}

    def get(self, key: Item) -> Item | None:
        return self.items.get(key)

    def write(self, key: Item, new: Item | None, old: Item | None | object = ...) -> WriteResult:
        """Put (``new``) or delete (``None``) the item at ``key``, keeping indexes in step.

        ``old`` is the current item when the caller has just read it (saves a lookup).
        """
        if old is ...:
            old = self.items.get(key)
        if new is None:
            if old is not None:
                self.items.remove(old)
        else:
            self.items.put(new)
        result = WriteResult(old, new)
        for index in self.indexes.values():
            before = old is not None and self.in_index(index, old)
            after = new is not None and self.in_index(index, new)
            if before and (
                not after
                or index.store.position(old) != index.store.position(new)  # type: ignore[arg-type]
                or index.store.partition_id(old) != index.store.partition_id(new)  # type: ignore[arg-type]
            ):
                index.store.remove(old)  # type: ignore[arg-type]
                result.index_deletes.append(index.name)
            if after:
                index.store.put(index.project(new))  # type: ignore[arg-type]
                result.index_puts.append(index.name)
        return result

    def in_index(self, index: Index, item: Item) -> bool:
        """Whether an item has an entry in the index.

        Sparse indexes leave out items without the index's key attributes, and
        an index added later leaves out items whose index key it cannot hold (a
        value of another type, or an empty string or binary).
        """
        for name in (index.hash_key, index.range_key):
            if name is None:
                continue
            value = item.get(name)
            if value is None:
                return False
            kind, raw = next(iter(value.items()))
            if kind != self.attribute_types.get(name) or (kind in ("S", "B") and not raw):
                return False
        return True

    def add_index(self, index: Index) -> None:
        """Create an index and backfill it from the items already in the table."""
        self.indexes[index.name] = index
        for item in self.items.items():
            if self.in_index(index, item):
                index.store.put(index.project(item))

    # -- description --------------------------------------------------------------------
    def size_bytes(self) -> int:
        return self.items.size_bytes()

    def describe(self) -> dict:
        out: dict[str, Any] = {
            "AttributeDefinitions": [
                {"AttributeName": n, "AttributeType": t}
                for n, t in sorted(self.attribute_types.items())
            ],
            "TableName": self.name,
            "KeySchema": [dict(k) for k in self.key_schema],
            "TableStatus": self.status,
            "CreationDateTime": _dt(self.created),
            "ProvisionedThroughput": self.throughput.describe(),
            "TableSizeBytes": self.size_bytes(),
            "ItemCount": len(self.items),
            "TableArn": self.arn,
            "TableId": self.table_id,
            "DeletionProtectionEnabled": self.deletion_protection,
        }
        if self.billing_mode_updated is not None:
            out["BillingModeSummary"] = {
                "BillingMode": self.billing_mode,
                "LastUpdateToPayPerRequestDateTime": _dt(self.billing_mode_updated),
            }
        lsis = [i.describe() for i in self.indexes.values() if i.kind == "LSI"]
        gsis = [i.describe() for i in self.indexes.values() if i.kind == "GSI"]
        if lsis:
            out["LocalSecondaryIndexes"] = lsis
        if gsis:
            out["GlobalSecondaryIndexes"] = gsis
        if self.stream_specification and self.stream_specification.get("StreamEnabled"):
            out["StreamSpecification"] = dict(self.stream_specification)
        if self.stream_label:
            out["LatestStreamLabel"] = self.stream_label
            out["LatestStreamArn"] = f"{self.arn}/stream/{self.stream_label}"
        if self.sse:
            out["SSEDescription"] = dict(self.sse)
        if self.table_class != "STANDARD":
            out["TableClassSummary"] = {"TableClass": self.table_class}
        return out


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def _copy_projection(projection: dict) -> dict:
    out = {"ProjectionType": projection.get("ProjectionType", "ALL")}
    if projection.get("NonKeyAttributes"):
        out["NonKeyAttributes"] = sorted(projection["NonKeyAttributes"])
    return out
