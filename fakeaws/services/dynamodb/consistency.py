"""Read consistency: what an eventually consistent read may see.

Two models, chosen by ``cloud.settings.dynamodb.consistency`` ("strong", the
default, or "eventual") and per table by ``table_consistency`` ({table name:
model}):

* **strong**: every read sees the latest write (DynamoDB Local's behaviour).
  Nothing is recorded: the write path pays one ``None`` check.
* **eventual**: each table keeps a ``Journal`` of its items' recent versions,
  with the virtual time each was replaced, pruned once older than
  ``replication_lag`` seconds. An eventually consistent read (the default of
  GetItem, Query, Scan, BatchGetItem and PartiQL SELECT) draws, for each item
  with recent versions, a lag ``d`` in ``[0, replication_lag)`` from
  ``cloud.random`` and sees the item as it was at ``now - d``: a write just
  made (the clock has not moved) is never seen; after ``replication_lag``
  seconds it always is; in between, it depends on the draw (per item, per
  read, so two reads may disagree, as two replicas do). Deleted items may
  still be returned, new ones may be missing, in Query and Scan results too.
  Global secondary indexes are always read this way (they are updated
  asynchronously); local ones follow ``ConsistentRead``.

``ConsistentRead=True``, conditions, transactions (TransactGetItems,
ExecuteTransaction, the checks of TransactWriteItems) and the read half of
UpdateItem always see the latest write: transactions are serializable.
Advancing the clock by the lag (``cloud.clock.advance(lag)``, or
``cloud.settle(within=lag)``: each write's replication is a timer) converges
every replica; so does ``cloud.backend("dynamodb").converge()``, at once.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from fakeaws.services.dynamodb.storage import Item, KeyedStore

if TYPE_CHECKING:
    from fakeaws.services.dynamodb.table import Index, Table

MODELS = ("strong", "eventual")
_CURRENT = object()  # "the latest version" (a read that is not stale for this item)


def model_of(settings: Any, table_name: str) -> str:
    """The consistency model of a table, from the cloud's settings."""
    model = settings.consistency
    per_table = settings.table_consistency
    if per_table:
        model = per_table.get(table_name, model)
    if model not in MODELS:
        raise ValueError(
            f"cloud.settings.dynamodb consistency must be 'strong' or 'eventual', not {model!r}"
        )
    return model


def sync(table: Table, settings: Any, scheduler: Any, rng: Any) -> None:
    """Give the table a journal in the eventual model, drop it in the strong one."""
    if model_of(settings, table.name) == "eventual":
        lag = float(settings.replication_lag)
        if table.journal is None:
            table.journal = Journal(scheduler, rng, lag)
        else:
            table.journal.lag = lag
    elif table.journal is not None:
        table.journal = None


def identity(table: Table, key: Item) -> tuple:
    """An item's place in its table: its key's sort order, hashable."""
    items = table.items
    return (items.partition_id(key), items.position(key))


class Journal:
    """Recent versions of a table's items: ``{identity: (key, [(replaced at, old item)])}``.

    ``(t, old)`` says "until ``t`` the item was ``old``" (None: absent).
    Stored items are never mutated, so versions are shared, not copied.
    """

    def __init__(self, scheduler: Any, rng: Any, lag: float) -> None:
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.random = rng
        self.lag = lag
        self.history: dict[tuple, tuple[Item, list[tuple[float, Item | None]]]] = {}
        self._sweep_at = 1024

    def record(self, table: Table, key: Item, old: Item | None) -> None:
        if self.lag <= 0:
            return
        now = self.clock.time()
        place = identity(table, key)
        found = self.history.get(place)
        if found is None:
            self.history[place] = (key, [(now, old)])
        else:
            versions = found[1]
            _prune(versions, now - self.lag)
            versions.append((now, old))
        # Replicated by then: a timer, so that settling the cloud over the lag converges.
        self.scheduler.call_at(now + self.lag, self.replicated, place, name="dynamodb replication")
        if len(self.history) >= self._sweep_at:
            self.sweep(now)

    def replicated(self, place: tuple) -> None:
        """A write's replication lag has passed: forget the versions no read can see."""
        found = self.history.get(place)
        if found is not None:
            _prune(found[1], self.clock.time() - self.lag)
            if not found[1]:
                del self.history[place]

    def sweep(self, now: float | None = None) -> None:
        """Forget versions no read can see any more."""
        now = self.clock.time() if now is None else now
        horizon = now - self.lag
        for place in list(self.history):
            versions = self.history[place][1]
            _prune(versions, horizon)
            if not versions:
                del self.history[place]
        self._sweep_at = max(1024, 2 * len(self.history))

    def clear(self) -> None:
        self.history.clear()

    # -- reading ---------------------------------------------------------------------
    def _as_of(self, versions: list[tuple[float, Item | None]], now: float) -> Any:
        """The version a read drawing its lag now sees (``_CURRENT``: the latest)."""
        seen_at = now - self.random.random() * self.lag
        for replaced, old in versions:
            if replaced > seen_at:
                return old
        return _CURRENT

    def item(self, table: Table, key: Item, current: Item | None) -> Item | None:
        """What an eventually consistent read of one item sees (GetItem, BatchGetItem)."""
        if not self.history:
            return current
        found = self.history.get(identity(table, key))
        if found is None:
            return current
        now = self.clock.time()
        versions = found[1]
        _prune(versions, now - self.lag)
        if not versions:
            return current
        seen = self._as_of(versions, now)
        return current if seen is _CURRENT else seen

    def view(self, table: Table, index: Index | None) -> tuple[dict, dict]:
        """One read's draw over every item with recent versions.

        Returns ``(as_of, changed)``: ``as_of`` maps each identity the read
        sees an older version of to that version (for LSI fetches);
        ``changed`` maps the identities whose entry in the store read (the
        table's, or ``index``'s) differs from the current one to the entry
        the read sees instead (None: no entry).
        """
        as_of: dict[tuple, Item | None] = {}
        changed: dict[tuple, Item | None] = {}
        if not self.history:
            return as_of, changed
        now = self.clock.time()
        horizon = now - self.lag
        for place in list(self.history):
            key, versions = self.history[place]
            _prune(versions, horizon)
            if not versions:
                del self.history[place]
                continue
            seen = self._as_of(versions, now)
            if seen is _CURRENT:
                continue
            as_of[place] = seen
            current = table.items.get(key)
            entry, now_entry = _entry(table, index, seen), _entry(table, index, current)
            if entry is not now_entry and entry != now_entry:
                changed[place] = entry
        return as_of, changed


def _prune(versions: list[tuple[float, Item | None]], horizon: float) -> None:
    drop = 0
    for replaced, _ in versions:
        if replaced > horizon:
            break
        drop += 1
    if drop:
        del versions[:drop]


def _entry(table: Table, index: Index | None, item: Item | None) -> Item | None:
    """An item's entry in the table's store or an index's (None: it has none)."""
    if item is None or index is None:
        return item
    return index.project(item) if table.in_index(index, item) else None


# -- stale Query and Scan -------------------------------------------------------------------------


def stale_query(
    journal: Journal,
    table: Table,
    index: Index | None,
    candidates: Iterator[Item],
    hash_value: dict,
    low: tuple | None,
    high: tuple | None,
    inclusive: tuple[bool, bool],
    forward: bool,
    after: Item | None,
) -> tuple[Iterator[Item], dict]:
    """A Query's items as an eventually consistent read sees them, and its ``as_of`` map."""
    as_of, changed = journal.view(table, index)
    if not changed:
        return candidates, as_of
    store: KeyedStore = index.store if index is not None else table.items
    partition = store.partition_id({store.hash_attr: hash_value})
    start = store.position(after) if after is not None else None

    def in_range(entry: Item) -> bool:
        if store.partition_id(entry) != partition:
            return False
        position = store.position(entry)
        if low is not None and (position < low if inclusive[0] else position <= low):
            return False
        if high is not None and (position > high if inclusive[1] else position >= high):
            return False
        return start is None or (position > start if forward else position < start)

    return _merged(table, candidates, changed, in_range, store.position, not forward), as_of


def stale_scan(
    journal: Journal,
    table: Table,
    index: Index | None,
    candidates: Iterator[Item],
    after: Item | None,
    segment: int,
    total_segments: int,
) -> tuple[Iterator[Item], dict]:
    """A Scan's items as an eventually consistent read sees them, and its ``as_of`` map."""
    as_of, changed = journal.view(table, index)
    if not changed:
        return candidates, as_of
    store: KeyedStore = index.store if index is not None else table.items

    def order(entry: Item) -> tuple:
        partition = store.partition_id(entry)
        return (store._digest(partition), partition, store.position(entry))

    start = order(after) if after is not None else None

    def in_range(entry: Item) -> bool:
        key = order(entry)
        if total_segments > 1 and int.from_bytes(key[0], "big") * total_segments >> 64 != segment:
            return False
        return start is None or key > start

    return _merged(table, candidates, changed, in_range, order, False), as_of


def _merged(
    table: Table,
    candidates: Iterator[Item],
    changed: dict,
    in_range: Callable[[Item], bool],
    order: Callable[[Item], Any],
    reverse: bool,
) -> Iterator[Item]:
    """The store's entries with the changed ones replaced by what the read sees, in order."""
    older = sorted(
        (entry for entry in changed.values() if entry is not None and in_range(entry)),
        key=order,
        reverse=reverse,
    )
    current = (entry for entry in candidates if identity(table, entry) not in changed)
    return heapq.merge(current, older, key=order, reverse=reverse)
