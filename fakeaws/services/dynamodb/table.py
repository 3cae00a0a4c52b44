"""A DynamoDB table: its definition, its items and its secondary indexes.

``Table.write`` is the one place every change of an item goes through: it
updates the table and each index the change touches and reports what it did
(the old item, the index entries written or deleted and the write units each
index consumed), which is what capacity accounting, streams and replication
hook into. In the eventual consistency model it also records the item's
previous version in the table's ``journal`` (see ``consistency``).

The change feed
---------------
Every committed change of an item (PutItem, UpdateItem, DeleteItem, batches,
transactions, PartiQL, TTL deletions, replication: anything that calls
``Table.write``) is reported to the table's change listeners::

    table.subscribe(listener, clock)      # clock: the cloud's (``cloud.clock``)
    table.unsubscribe(listener)
    listener(table, old, new, principal, now)

``old`` / ``new`` are the item before and after (``None``: absent; the stored
items themselves, never mutated afterwards, so a listener may keep them but
must not change them); ``principal`` is what the writer passed to
``Table.write(..., principal=...)``: ``None`` for a client's request, the
``userIdentity`` dict a stream record reports for a service's change
(``TTL_PRINCIPAL`` for TTL deletions), or any other marker a subsystem uses
for its own writes (e.g. replication, to recognise and not re-replicate
them); ``now`` is the virtual time of the commit (``clock.time()``). A write
that changes nothing (deleting an absent item, an identical overwrite, equal
by DynamoDB's rules) is not reported. Listeners run synchronously inside the
write, under the cloud's lock, in subscription order, and must not raise nor
write to the table: they record and schedule. With no listener the write
path pays one truth test of an empty list. Streams (``streams.py``)
subscribe while a table has a stream (enabled or still readable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from fakeaws.services.dynamodb.capacity import write_units
from fakeaws.services.dynamodb.item_size import item_size
from fakeaws.services.dynamodb.storage import Item, KeyedStore
from fakeaws.services.dynamodb.types import equal

# The principal of TTL deletions: what their stream records report as ``userIdentity``.
TTL_PRINCIPAL = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}

# listener(table, old item or None, new item or None, principal, virtual time)
ChangeListener = Callable[["Table", "Item | None", "Item | None", Any, float], None]


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
    # Token buckets of a GSI of a PROVISIONED table (capacity.Bucket), made on first use;
    # they accumulate from ``throttle_origin`` (None: the table's).
    read_bucket: Any = field(default=None, init=False, repr=False)
    write_bucket: Any = field(default=None, init=False, repr=False)
    throttle_origin: float | None = field(default=None, init=False, repr=False)

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


class WriteResult:
    """What one item write changed (for ReturnValues, capacity, streams).

    ``index_units``: the write units each index consumed, for the indexes
    whose stored entry changed (None when none did).
    """

    __slots__ = ("old", "new", "index_puts", "index_deletes", "index_units")

    def __init__(self, old: Item | None, new: Item | None) -> None:
        self.old, self.new = old, new
        self.index_puts: list[str] = []
        self.index_deletes: list[str] = []
        self.index_units: dict[str, int] | None = None


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
        # Throttling (PROVISIONED only): token buckets made on first use, accumulating from
        # ``throttle_origin`` (the creation, or the switch to PROVISIONED).
        self.read_bucket: Any = None
        self.write_bucket: Any = None
        self.throttle_origin = created
        # Eventual consistency: the versions an eventually consistent read may still see
        # (consistency.Journal), kept only while the table's model is "eventual".
        self.journal: Any = None
        # The change feed (see the module's docstring).
        self.listeners: list[ChangeListener] = []
        self.clock: Any = None
        # Time to Live (see ``ttl``): the attribute (None: disabled), when it last changed,
        # and when the next sweep is due (None: none planned).
        self.ttl_attribute: str | None = None
        self.ttl_changed: float | None = None
        self.ttl_due: float | None = None

    # -- change feed -----------------------------------------------------------------
    def subscribe(self, listener: ChangeListener, clock: Any) -> None:
        """Report every committed change to ``listener`` (once, however often subscribed)."""
        self.clock = clock
        if listener not in self.listeners:
            self.listeners.append(listener)

    def unsubscribe(self, listener: ChangeListener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    # -- items -----------------------------------------------------------------------
    def key_of(self, item: Item) -> Item:
        return {name: item[name] for name in self.key_attributes}

    def get(self, key: Item) -> Item | None:
        return self.items.get(key)

    def write(
        self,
        key: Item,
        new: Item | None,
        old: Item | None | object = ...,
        old_size: int | None = None,
        new_size: int | None = None,
        *,
        principal: Any = None,
    ) -> WriteResult:
        """Put (``new``) or delete (``None``) the item at ``key``, keeping indexes in step.

        ``old`` is the current item when the caller has just read it (saves a
        lookup); ``old_size`` / ``new_size`` the items' sizes when known (an
        index projecting ALL is charged on them); ``principal`` who commits the
        change, for the change feed (None: a client's request).
        """
        if old is ...:
            old = self.items.get(key)
        if self.journal is not None:
            self.journal.record(self, key, old)
        if new is None:
            if old is not None:
                self.items.remove(old)
        else:
            self.items.put(new)
        result = WriteResult(old, new)
        if self.indexes:
            self._write_indexes(result, old, new, old_size, new_size)  # type: ignore[arg-type]
        if self.listeners and not same_item(old, new):  # type: ignore[arg-type]
            now = self.clock.time()
            for listener in tuple(self.listeners):
                listener(self, old, new, principal, now)  # type: ignore[arg-type]
        return result

    def _write_indexes(
        self,
        result: WriteResult,
        old: Item | None,
        new: Item | None,
        old_size: int | None,
        new_size: int | None,
    ) -> None:
        """Update each index and charge it for the change of its stored entry.

        The rules measured against DynamoDB: an entry put or deleted costs its
        projected size, one moved to another index key a delete plus a put,
        one changed in place the larger of its two images, an unchanged one
        nothing (``capacity`` has the sources).
        """
        units: dict[str, int] = {}
        for index in self.indexes.values():
            before = old is not None and self.in_index(index, old)
            after = new is not None and self.in_index(index, new)
            if not before and not after:
                continue
            store = index.store
            old_entry = index.project(old) if before else None  # type: ignore[arg-type]
            new_entry = index.project(new) if after else None  # type: ignore[arg-type]
            moved = (
                before
                and after
                and (
                    store.position(old) != store.position(new)  # type: ignore[arg-type]
                    or store.partition_id(old) != store.partition_id(new)  # type: ignore[arg-type]
                )
            )
            if before and (not after or moved):
                store.remove(old)  # type: ignore[arg-type]
                result.index_deletes.append(index.name)
            if after:
                store.put(new_entry)  # type: ignore[arg-type]
                result.index_puts.append(index.name)
            full = index.projected is None
            if before:
                old_units = write_units(
                    old_size if full and old_size is not None else item_size(old_entry)  # type: ignore[arg-type]
                )
            if after:
                new_units = write_units(
                    new_size if full and new_size is not None else item_size(new_entry)  # type: ignore[arg-type]
                )
            if moved:
                units[index.name] = old_units + new_units
            elif before and after:
                if old_entry != new_entry:
                    units[index.name] = max(old_units, new_units)
            else:
                units[index.name] = old_units if before else new_units
        if units:
            result.index_units = units

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


def same_item(a: Item | None, b: Item | None) -> bool:
    """Whether two versions of an item are equal by DynamoDB's rules (None: absent)."""
    if a is b:
        return True
    if a is None or b is None or a.keys() != b.keys():
        return False
    return a == b or all(equal(value, b[name]) for name, value in a.items())


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def _copy_projection(projection: dict) -> dict:
    out = {"ProjectionType": projection.get("ProjectionType", "ALL")}
    if projection.get("NonKeyAttributes"):
        out["NonKeyAttributes"] = sorted(projection["NonKeyAttributes"])
    return out
