"""Items of a table or an index, kept in the order DynamoDB reads them.

Inside a partition, items are ordered by sort key (numbers numerically,
strings and binaries by their bytes), so a Query is a range scan of one
sorted partition and costs the same whatever the table's size. Partitions
are ordered by a hash of the partition key, as DynamoDB's Scan returns them:
neither insertion nor key order, and split evenly into parallel-scan segments.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from typing import Any

from sortedcontainers import SortedDict, SortedList

from fakeaws.services.dynamodb.types import item_size, sort_key

Item = dict[str, dict]


@functools.total_ordering
class _Top:
    """Greater than every key value: closes a range on a tuple prefix."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Top)

    def __gt__(self, other: object) -> bool:
        return not isinstance(other, _Top)

    def __hash__(self) -> int:
        return 0

    def __deepcopy__(self, memo: dict) -> _Top:
        return self


TOP = _Top()


class KeyedStore:
    """One sorted collection of items keyed by (partition key, sort key[, tie-breakers]).

    A table's store has its own key; an index's store adds the table's key
    attributes as tie-breakers, since index keys need not be unique.
    """

    def __init__(self, hash_attr: str, range_attr: str | None, tiebreak: tuple[str, ...] = ()):
        self.hash_attr = hash_attr
        self.range_attr = range_attr
        self.tiebreak = tuple(a for a in tiebreak if a not in (hash_attr, range_attr))
        self._partitions: dict[tuple, SortedDict] = {}
        self._scan_order = SortedList()  # (digest, partition id)
        self._count = 0
        self._size: int | None = 0  # bytes of all items; None = to be recounted

    # -- keys ------------------------------------------------------------------------
    def partition_id(self, item: Item) -> tuple:
        value = item[self.hash_attr]
        kind = next(iter(value))
        return (kind, sort_key(value))

    def position(self, item: Item) -> tuple:
        """Where an item sits inside its partition."""
        parts = [sort_key(item[self.range_attr])] if self.range_attr else []
        parts.extend(sort_key(item[a]) for a in self.tiebreak)
        return tuple(parts)

    @staticmethod
    def _digest(partition: tuple) -> bytes:
        kind, value = partition
        raw = value if isinstance(value, bytes) else str(value).encode()
        return hashlib.md5(kind.encode() + b":" + raw, usedforsecurity=False).digest()[:8]

    # -- reading ------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._count

    def size_bytes(self) -> int:
        """Total item size, recounted only after a change (DescribeTable is polled often)."""
        if self._size is None:
            self._size = sum(item_size(item) for item in self.items())
        return self._size

    def get(self, key: Item) -> Item | None:
        partition = self._partitions.get(self.partition_id(key))
        return None if partition is None else partition.get(self.position(key))

    def items(self) -> Iterator[Item]:
        for _digest, pid in self._scan_order:
            yield from self._partitions[pid].values()

    def query(
        self,
        hash_value: dict,
        low: tuple | None = None,
        high: tuple | None = None,
        inclusive: tuple[bool, bool] = (True, True),
        forward: bool = True,
        after: Item | None = None,
    ) -> Iterator[Item]:
        """Items of one partition with position in [low, high], in order, after ``after``."""
        partition = self._partitions.get(self.partition_id({self.hash_attr: hash_value}))
        if partition is None:
            return iter(())
        if after is not None:
            start = self.position(after)
            if forward and (low is None or start >= low):
                low, inclusive = start, (False, inclusive[1])
            elif not forward and (high is None or start <= high):
                high, inclusive = start, (inclusive[0], False)
        keys = partition.irange(low, high, inclusive, reverse=not forward)
        return (partition[k] for k in keys)

    def scan(
        self, after: Item | None = None, segment: int = 0, total_segments: int = 1
    ) -> Iterator[Item]:
        """All items in scan order (one parallel-scan segment of them), after ``after``."""
        start = 0
        skip_to = None
        if after is not None:
            pid = self.partition_id(after)
            start = self._scan_order.bisect_left((self._digest(pid), pid))
            # resume inside the partition unless it has gone since the previous page
            skip_to = self.position(after) if pid in self._partitions else None
        for digest, pid in self._scan_order.islice(start):
            if (
                total_segments > 1
                and int.from_bytes(digest, "big") * total_segments >> 64 != segment
            ):
                continue
            partition = self._partitions[pid]
            if skip_to is not None:
                keys = partition.irange(skip_to, None, (False, True))
                skip_to = None
                yield from (partition[k] for k in keys)
            else:
                yield from partition.values()

    # -- writing ---------------------------------------------------------------------------
    def put(self, item: Item) -> None:
        pid = self.partition_id(item)
        partition = self._partitions.get(pid)
        if partition is None:
            partition = self._partitions[pid] = SortedDict()
            self._scan_order.add((self._digest(pid), pid))
        position = self.position(item)
        if position not in partition:
            self._count += 1
        partition[position] = item
        self._size = None

    def remove(self, item: Item) -> None:
        pid = self.partition_id(item)
        partition = self._partitions.get(pid)
        if partition is None or partition.pop(self.position(item), None) is None:
            return
        self._count -= 1
        self._size = None
        if not partition:
            del self._partitions[pid]
            self._scan_order.remove((self._digest(pid), pid))


def range_bounds(
    operator: str, values: list[Any]
) -> tuple[tuple | None, tuple | None, tuple[bool, bool]]:
    """Position bounds inside a partition for a sort-key condition (values are sort keys)."""
    if operator == "=":
        return (values[0],), (values[0], TOP), (True, True)
    if operator == "<":
        return None, (values[0],), (True, False)
    if operator == "<=":
        return None, (values[0], TOP), (True, True)
    if operator == ">":
        return (values[0], TOP), None, (False, True)
    if operator == ">=":
        return (values[0],), None, (True, True)
    if operator == "BETWEEN":
        return (values[0],), (values[1], TOP), (True, True)
    if operator == "begins_with":
        prefix = values[0]
        upper = _prefix_upper(prefix)
        return (prefix,), (None if upper is None else (upper,)), (True, False)
    raise ValueError(operator)


def _prefix_upper(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string that starts with ``prefix``."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])
