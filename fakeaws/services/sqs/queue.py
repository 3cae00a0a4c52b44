"""One queue's messages: ready, in flight and delayed, on the virtual clock.

Every live message is in ``messages`` (keyed by its arrival number ``seq``)
and in exactly one state:

* **ready** (visible): in ``ready``, a sorted list of ``seq``: receives take
  the oldest first;
* **in flight**: received, hidden until ``visible_at``;
* **delayed**: never received from this queue, hidden until ``visible_at``.

Hidden messages have an entry in the ``timers`` heap ``(visible_at, seq,
generation)``; a visibility change bumps the message's generation, so stale
entries are skipped. Time is applied lazily: ``refresh(now)`` makes due
messages ready and drops messages older than the retention period before
anything reads the queue, so counts are right at any moment without
background work. A FIFO queue also keeps its message groups in arrival order
and how many messages of each group are in flight (a group with one in flight
is blocked), its deduplication records and its ReceiveRequestAttemptIds.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sortedcontainers import SortedList

from fakeaws.services.messaging import DEDUP_WINDOW, forget_expired

SEQUENCE_BASE = 10**19  # FIFO sequence numbers have 20 digits, and grow with time


@dataclass(eq=False)
class Message:
    seq: int
    id: str
    body: str
    md5_body: str
    attributes: dict[str, dict]
    md5_attributes: str | None
    system: dict[str, dict]
    md5_system: str | None
    sender_id: str
    sent_ms: int
    enqueued: float  # the retention period counts from here
    size: int
    group_id: str | None = None
    dedup_id: str | None = None
    sequence_number: str | None = None
    dlq_source_arn: str | None = None
    receive_count: int = 0  # ApproximateReceiveCount: receives across all queues
    receives: int = 0  # receives from this queue: receipt number and redrive count
    first_receive_ms: int | None = None
    received_at: float = 0.0  # when the current receive happened
    visible_at: float = 0.0
    in_flight: bool = False
    generation: int = 0


@dataclass
class MoveTask:
    task_id: str
    handle: str
    source_arn: str
    destination_arn: str | None
    rate: int | None  # MaxNumberOfMessagesPerSecond as given
    started_ms: int
    to_move: int
    status: str = "RUNNING"
    moved: int = 0
    failure_reason: str | None = None


@dataclass
class Queue:
    name: str
    url: str
    arn: str
    account: str
    region: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str]
    created: float
    modified: float
    messages: dict[int, Message] = field(default_factory=dict)
    ready: Any = field(default_factory=SortedList)
    timers: list[tuple[float, int, int]] = field(default_factory=list)
    retention: list[tuple[float, int]] = field(default_factory=list)
    next_seq: int = 0
    in_flight: int = 0
    groups: dict[str, dict[int, None]] = field(default_factory=dict)
    group_in_flight: dict[str, int] = field(default_factory=dict)
    dedup: dict[Any, tuple[float, str, str | None]] = field(default_factory=dict)
    attempts: dict[str, tuple[float, list[tuple[int, str, int]]]] = field(default_factory=dict)
    last_sequence: int = 0
    last_purge: float | None = None
    move_tasks: list[MoveTask] = field(default_factory=list)
    deleted: bool = False
    incarnation: str = ""  # distinguishes this queue from earlier ones of the same name

    # -- attributes ----------------------------------------------------------------------
    def int_attribute(self, name: str) -> int:
        return int(self.attributes[name])

    @property
    def visibility_timeout(self) -> int:
        return int(self.attributes["VisibilityTimeout"])

    @property
    def delay_seconds(self) -> int:
        return int(self.attributes["DelaySeconds"])

    @property
    def maximum_message_size(self) -> int:
        return int(self.attributes["MaximumMessageSize"])

    @property
    def retention_period(self) -> int:
        return int(self.attributes["MessageRetentionPeriod"])

    @property
    def content_based_deduplication(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"

    # -- time ----------------------------------------------------------------------------
    def refresh(self, now: float) -> None:
        """Apply the passing of time: due messages become ready, old ones expire."""
        timers = self.timers
        while timers and timers[0][0] <= now:
            _, seq, generation = heapq.heappop(timers)
            message = self.messages.get(seq)
            if message is not None and message.generation == generation:
                self._make_ready(message, message.visible_at)
        cutoff = now - self.retention_period
        retention = self.retention
        while retention and retention[0][0] <= cutoff:
            enqueued, seq = heapq.heappop(retention)
            message = self.messages.get(seq)
            if message is not None and message.enqueued == enqueued:
                self.remove(message)

    def next_change(self) -> float | None:
        """When a hidden message next becomes visible (None: nothing is hidden)."""
        timers = self.timers
        while timers:
            when, seq, generation = timers[0]
            message = self.messages.get(seq)
            if message is not None and message.generation == generation:
                return when
            heapq.heappop(timers)
        return None

    def counts(self, now: float) -> tuple[int, int, int]:
        """(visible, in flight, delayed) right now."""
        self.refresh(now)
        visible = len(self.ready)
        return visible, self.in_flight, len(self.messages) - visible - self.in_flight

    # -- changing messages ---------------------------------------------------------------
    def add(self, message: Message, now: float, delay: float) -> None:
        self.next_seq += 1
        message.seq = self.next_seq
        self.messages[message.seq] = message
        heapq.heappush(self.retention, (message.enqueued, message.seq))
        if message.group_id is not None and self.fifo:
            self.groups.setdefault(message.group_id, {})[message.seq] = None
        if delay > 0:
            message.visible_at = now + delay
            heapq.heappush(self.timers, (message.visible_at, message.seq, message.generation))
        else:
            message.visible_at = now
            self.ready.add(message.seq)

    def take(self, message: Message, now: float, visibility_timeout: int) -> None:
        """Deliver ``message`` (it is ready): it is in flight for ``visibility_timeout``."""
        self.ready.remove(message.seq)
        message.receives += 1
        message.receive_count += 1
        if message.first_receive_ms is None:
            message.first_receive_ms = int(now * 1000)
        message.received_at = now
        message.generation += 1
        message.in_flight = True
        self.in_flight += 1
        if self.fifo:
            group = message.group_id
            self.group_in_flight[group] = self.group_in_flight.get(group, 0) + 1
        if visibility_timeout > 0:
            message.visible_at = now + visibility_timeout
            heapq.heappush(self.timers, (message.visible_at, message.seq, message.generation))
        else:
            self._make_ready(message, now)

    def extend(self, message: Message, now: float, timeout: int) -> None:
        """A new visibility timeout for a message in flight, counted from now."""
        message.generation += 1
        if timeout <= 0:
            self._make_ready(message, now)
            return
        message.visible_at = now + timeout
        heapq.heappush(self.timers, (message.visible_at, message.seq, message.generation))

    def _make_ready(self, message: Message, when: float) -> None:
        message.visible_at = when
        if message.in_flight:
            message.in_flight = False
            self.in_flight -= 1
            if self.fifo:
                self._group_done(message.group_id)
        self.ready.add(message.seq)

    def _group_done(self, group: str | None) -> None:
        left = self.group_in_flight.get(group, 0) - 1
        if left > 0:
            self.group_in_flight[group] = left
        else:
            self.group_in_flight.pop(group, None)

    def remove(self, message: Message) -> None:
        if self.messages.pop(message.seq, None) is None:
            return
        if message.in_flight:
            message.in_flight = False
            self.in_flight -= 1
            if self.fifo:
                self._group_done(message.group_id)
        else:
            self.ready.discard(message.seq)
        message.generation += 1
        if self.fifo and message.group_id is not None:
            group = self.groups.get(message.group_id)
            if group is not None:
                group.pop(message.seq, None)
                if not group:
                    del self.groups[message.group_id]

    def purge(self) -> None:
        for message in list(self.messages.values()):
            self.remove(message)
        self.timers.clear()
        self.retention.clear()
        self.attempts.clear()

    def redelay(self, now: float, delay: int) -> None:
        """FIFO queues apply a new DelaySeconds to messages still delayed (AWS: retroactive)."""
        for message in self.messages.values():
            if message.in_flight or message.receives or message.seq in self.ready:
                continue
            message.generation += 1
            when = message.enqueued + delay
            if when <= now:
                self._make_ready(message, now)
            else:
                message.visible_at = when
                heapq.heappush(self.timers, (when, message.seq, message.generation))

    # -- receiving -----------------------------------------------------------------------
    def candidates(self) -> Iterator[Message]:
        """Ready messages in the order a receive takes them (the caller takes or moves each).

        Standard queues: oldest first. FIFO queues: group by group, oldest group
        first, each group's messages in order from its head, skipping groups
        with a message in flight (AWS returns as many messages of one group as
        it can before moving to the next).
        """
        ready = self.ready
        last = -1
        if not self.fifo:
            while True:
                index = ready.bisect_right(last)
                if index >= len(ready):
                    return
                last = ready[index]
                message = self.messages.get(last)
                if message is not None:
                    yield message
        seen: set[str | None] = set()
        while True:
            index = ready.bisect_right(last)
            if index >= len(ready):
                return
            last = ready[index]
            message = self.messages.get(last)
            if message is None or message.group_id in seen:
                continue
            group = message.group_id
            seen.add(group)
            if self.group_in_flight.get(group):
                continue
            for seq in list(self.groups.get(group, ())):
                if seq not in ready:
                    break
                member = self.messages.get(seq)
                if member is not None:
                    yield member

    # -- FIFO bookkeeping ----------------------------------------------------------------
    def new_sequence_number(self, now: float) -> str:
        base = SEQUENCE_BASE + (int(now * 1000) << 20)
        self.last_sequence = max(self.last_sequence + 1, base)
        return str(self.last_sequence)

    def duplicate_of(self, key: Any, now: float) -> tuple[float, str, str | None] | None:
        """The send a deduplication key repeats within the 5-minute window, if any."""
        forget_expired(self.dedup, now)
        return self.dedup.get(key)

    def remember(self, key: Any, now: float, message_id: str, sequence: str | None) -> None:
        self.dedup[key] = (now, message_id, sequence)

    def attempt(self, attempt_id: str, now: float) -> list[tuple[int, str, int]] | None:
        """The receive a ReceiveRequestAttemptId names, within the 5-minute window."""
        found = self.attempts.get(attempt_id)
        if found is not None and found[0] <= now - DEDUP_WINDOW:
            del self.attempts[attempt_id]  # used again after its window: a new receive
            found = None
        forget_expired(self.attempts, now)
        return found[1] if found else None
