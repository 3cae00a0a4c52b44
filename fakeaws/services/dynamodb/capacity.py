"""DynamoDB capacity: units, ConsumedCapacity, the capacity meter, token buckets and throttling.

The rules, as the developer guide gives them ("Capacity unit consumption for
reads/writes", "Transactions capacity", the LSI and GSI "provisioned
throughput considerations"), with the details measured against DynamoDB by
the nubo-db conformance captures (eu-west-2, 2026):

* a read unit is 4 KB, a write unit 1 KB, rounded up, at least one unit;
  an eventually consistent read costs half, a transactional read or write
  twice (the factor reaches only the table, not index writes);
* GetItem and BatchGetItem round each item (a missing one costs the
  minimum); Query and Scan round the sum of the items read, before the
  filter and the projection, once per page; an LSI query that fetches
  non-projected attributes is also charged each fetched table item, rounded
  on its own, on the table;
* a write costs the larger of the item before and after (a failed
  conditional write too, at least one unit); every index whose stored view
  the write changes is charged on its projected entries: an entry put or
  deleted costs its size, one changed in place the larger of its two
  images, one moved to another index key a delete plus a put, and an
  identical entry nothing;
* only transactional operations report the ``ReadCapacityUnits`` /
  ``WriteCapacityUnits`` split; the rest report ``CapacityUnits`` alone.

``CapacityMeter`` keeps the same numbers per table and per index for tests
(``cloud.backend("dynamodb").capacity``). ``Bucket`` is a token bucket on the
virtual clock: PROVISIONED tables and each of their GSIs have one for reads
and one for writes, refilled at the provisioned rate and holding at most
``burst_seconds`` (300, DynamoDB's burst capacity) of unused capacity.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.dynamodb.validation import Constraints

if TYPE_CHECKING:
    from fakeaws.services.dynamodb.table import Index, Table

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024

# AWS's messages: the table's as a recent SDK log shows it, the GSI's as DynamoDB's workshop
# captures show it (no final period); both listed in the TransactWriteItems API reference.
MSG_TABLE_THROTTLED = (
    "The level of configured provisioned throughput for the table was exceeded. Consider "
    "increasing your provisioning level with the UpdateTable API."
)
MSG_INDEX_THROTTLED = (
    "The level of configured provisioned throughput for one or more global secondary indexes "
    "of the table was exceeded. Consider increasing your provisioning level for the "
    "under-provisioned global secondary indexes with the UpdateTable API"
)


def read_units(size: int) -> int:
    """Strongly consistent read units of ``size`` bytes (4 KB each, at least one)."""
    return (size + READ_UNIT_BYTES - 1) // READ_UNIT_BYTES or 1


def write_units(size: int) -> int:
    """Write units of ``size`` bytes (1 KB each, at least one)."""
    return (size + WRITE_UNIT_BYTES - 1) // WRITE_UNIT_BYTES or 1


def throttled(message: str = MSG_TABLE_THROTTLED) -> AWSError:
    return AWSError("ProvisionedThroughputExceededException", message)


# -- what one request consumed on one table --------------------------------------------------


class Consumption:
    """Units one request consumed on one table: its table arm and each index arm.

    ``split`` is "read" or "write" for transactional operations, which also
    report ``ReadCapacityUnits`` / ``WriteCapacityUnits``; None for the rest.
    """

    __slots__ = ("table_name", "table", "gsi", "lsi", "split")

    def __init__(self, table_name: str, table: float = 0.0, split: str | None = None) -> None:
        self.table_name = table_name
        self.table = table
        self.gsi: dict[str, float] | None = None
        self.lsi: dict[str, float] | None = None
        self.split = split

    def add_index(self, index: Index, units: float) -> None:
        if index.kind == "GSI":
            arms = self.gsi if self.gsi is not None else self._new("gsi")
        else:
            arms = self.lsi if self.lsi is not None else self._new("lsi")
        arms[index.name] = arms.get(index.name, 0.0) + units

    def add_indexes(self, table: Table, units: dict[str, float] | None) -> None:
        if units:
            for name, value in units.items():
                self.add_index(table.indexes[name], value)

    def merge(self, other: Consumption) -> None:
        """Add ``other``'s units (of the same table) to these."""
        self.table += other.table
        for which in ("gsi", "lsi"):
            arms = getattr(other, which)
            if arms:
                mine = getattr(self, which)
                if mine is None:
                    mine = self._new(which)
                for name, units in arms.items():
                    mine[name] = mine.get(name, 0.0) + units

    def _new(self, which: str) -> dict[str, float]:
        arms: dict[str, float] = {}
        setattr(self, which, arms)
        return arms

    def total(self) -> float:
        total = self.table
        if self.gsi:
            total += sum(self.gsi.values())
        if self.lsi:
            total += sum(self.lsi.values())
        return total

    def response(self, mode: str) -> dict:
        """The ``ConsumedCapacity`` entry for ``ReturnConsumedCapacity`` TOTAL or INDEXES."""
        out: dict[str, Any] = {"TableName": self.table_name}
        _units(out, self.total(), self.split)
        if mode == "INDEXES":
            _units(table := {}, self.table, self.split)
            out["Table"] = table
            if self.gsi:
                out["GlobalSecondaryIndexes"] = _arms(self.gsi, self.split)
            if self.lsi:
                out["LocalSecondaryIndexes"] = _arms(self.lsi, self.split)
        return out


def _units(out: dict, units: float, split: str | None) -> None:
    out["CapacityUnits"] = float(units)
    if split == "read":
        out["ReadCapacityUnits"] = float(units)
    elif split == "write":
        out["WriteCapacityUnits"] = float(units)


def _arms(arms: dict[str, float], split: str | None) -> dict:
    out = {}
    for name, units in arms.items():
        _units(entry := {}, units, split)
        out[name] = entry
    return out


def single(mode: str, table_name: str, units: float) -> dict:
    """ConsumedCapacity of a request that touched the table alone (the common case)."""
    if mode == "INDEXES":
        return {
            "TableName": table_name,
            "CapacityUnits": float(units),
            "Table": {"CapacityUnits": float(units)},
        }
    return {"TableName": table_name, "CapacityUnits": float(units)}


def wants(p: dict) -> str | None:
    """The ReturnConsumedCapacity mode asked for, or None."""
    mode = p.get("ReturnConsumedCapacity")
    return mode if mode == "TOTAL" or mode == "INDEXES" else None


def check_mode(p: dict) -> None:
    """ReturnConsumedCapacity must be one of DynamoDB's values (the single-item operations
    check it with their other enums)."""
    mode = p.get("ReturnConsumedCapacity")
    if mode is None or mode in _MODES:
        return
    constraints = Constraints()
    constraints.enum(mode, "returnConsumedCapacity", list(_MODES))
    constraints.raise_any()


_MODES = ("INDEXES", "TOTAL", "NONE")  # in the order DynamoDB lists them


# -- the meter ---------------------------------------------------------------------------------


@dataclass
class Usage:
    """Capacity consumed by one table or index (or a sum of them), and requests throttled.

    ``read`` and ``write`` are the units DynamoDB reports as consumed (and
    CloudWatch as ConsumedRead/WriteCapacityUnits): eventually consistent
    reads count half, transactional operations twice.
    """

    read: float = 0.0
    write: float = 0.0
    throttled_reads: int = 0
    throttled_writes: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: Usage) -> Usage:
        return Usage(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))


class CapacityMeter:
    """Per-table and per-index capacity counters of one account's tables in one region.

    Reached as ``cloud.backend("dynamodb").capacity`` (``account_id=`` and
    ``region=`` pick another account or region)::

        meter = cloud.backend("dynamodb").capacity
        with meter.window() as spent:
            handler(event, None)
        assert spent.total("orders").read <= 10     # a capacity budget test
        assert spent.usage("orders", index="by_customer").write == 2

    ``usage(table)`` is the table's own arm, ``usage(table, index=name)`` one
    index's, ``total(table)`` the table and all its indexes, ``total()`` every
    table. Counters outlive a deleted table (by name) and are part of snapshots.
    """

    def __init__(self) -> None:
        self._usage: dict[tuple[str, str | None], Usage] = {}

    # -- reading -----------------------------------------------------------------------
    def usage(self, table: str, index: str | None = None) -> Usage:
        found = self._usage.get((table, index))
        return Usage() if found is None else Usage(**vars(found))

    def total(self, table: str | None = None) -> Usage:
        out = Usage()
        for (name, _), usage in self._usage.items():
            if table is None or name == table:
                out = out + usage
        return out

    def tables(self) -> list[str]:
        return sorted({name for name, _ in self._usage})

    def as_dict(self) -> dict[str, dict[str, Usage]]:
        """{table: {"": table arm, index name: index arm}} (copies)."""
        out: dict[str, dict[str, Usage]] = {}
        for (name, index), usage in sorted(self._usage.items(), key=_by_name):
            out.setdefault(name, {})[index or ""] = Usage(**vars(usage))
        return out

    def reset(self) -> None:
        self._usage.clear()

    @contextlib.contextmanager
    def window(self) -> Iterator[CapacityWindow]:
        """What the block consumed (the window keeps its numbers after the block)."""
        window = CapacityWindow(self)
        try:
            yield window
        finally:
            window.close()

    # -- recording (the backend) -------------------------------------------------------------
    def _get(self, table: str, index: str | None) -> Usage:
        usage = self._usage.get((table, index))
        if usage is None:
            usage = self._usage[(table, index)] = Usage()
        return usage

    def add_read(self, table: str, units: float) -> None:
        self._get(table, None).read += units

    def add_write(self, table: str, units: float) -> None:
        self._get(table, None).write += units

    def add(self, consumption: Consumption, write: bool) -> None:
        name = consumption.table_name
        attribute = "write" if write else "read"
        usage = self._get(name, None)
        setattr(usage, attribute, getattr(usage, attribute) + consumption.table)
        for arms in (consumption.gsi, consumption.lsi):
            if arms:
                for index, units in arms.items():
                    usage = self._get(name, index)
                    setattr(usage, attribute, getattr(usage, attribute) + units)

    def add_throttled(self, table: str, index: str | None, write: bool) -> None:
        usage = self._get(table, index)
        if write:
            usage.throttled_writes += 1
        else:
            usage.throttled_reads += 1

    def __repr__(self) -> str:
        return f"<CapacityMeter {self.total()}>"


def _by_name(entry: tuple) -> tuple[str, str]:
    (table, index), _ = entry
    return (table, index or "")


class CapacityWindow:
    """The capacity consumed between a window's start and its end (or now, while open)."""

    def __init__(self, meter: CapacityMeter) -> None:
        self._meter = meter
        self._start = {key: Usage(**vars(u)) for key, u in meter._usage.items()}
        self._end: dict[tuple[str, str | None], Usage] | None = None

    def close(self) -> None:
        if self._end is None:
            self._end = {key: Usage(**vars(u)) for key, u in self._meter._usage.items()}

    def _delta(self) -> dict[tuple[str, str | None], Usage]:
        end = self._end if self._end is not None else self._meter._usage
        return {key: usage - self._start.get(key, Usage()) for key, usage in end.items()}

    def usage(self, table: str, index: str | None = None) -> Usage:
        return self._delta().get((table, index), Usage())

    def total(self, table: str | None = None) -> Usage:
        out = Usage()
        for (name, _), usage in self._delta().items():
            if table is None or name == table:
                out = out + usage
        return out

    def __repr__(self) -> str:
        return f"<CapacityWindow {self.total()}>"


# -- token buckets -------------------------------------------------------------------------------


class Bucket:
    """Provisioned capacity on the virtual clock: refills at the provisioned rate per second.

    It holds at most ``burst`` seconds of unused capacity. A request is
    admitted while the balance is positive and then pays its full cost, so
    the balance may go negative (one large item on a small table) and the
    refill pays the debt back before the next request goes through.
    """

    __slots__ = ("balance", "updated")

    def __init__(self, balance: float, updated: float) -> None:
        self.balance = balance
        self.updated = updated

    def level(self, rate: float, now: float, burst: float) -> float:
        if now > self.updated:
            self.balance = min(self.balance + (now - self.updated) * rate, rate * burst)
            self.updated = now
        return self.balance
