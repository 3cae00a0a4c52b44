"""The cloud's virtual clock and the scheduler of timers and background work.

The clock follows real time by default (``mode="real"``) or stands still
(``mode="frozen"``); either way the test can move it forward. Moving it forward
fires the scheduler's timers in due order, each one seeing the clock at its own
due time, so a 30-second visibility timeout and a 5-second delay fire in the
order AWS would fire them. Nothing here ever sleeps for real.
"""

from __future__ import annotations

import heapq
import threading
import time as _time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from fakeaws.errors import FakeawsError


class Clock:
    """Virtual time, in epoch seconds. Never goes backwards."""

    def __init__(self, mode: str = "real", start: float | datetime | None = None) -> None:
        if mode not in ("real", "frozen"):
            raise ValueError(f"clock mode must be 'real' or 'frozen', not {mode!r}")
        self._frozen = mode == "frozen"
        self._base = _to_epoch(start) if start is not None else _time.time()
        self._mono0 = _time.monotonic()
        self.scheduler: Scheduler | None = None  # set by the cloud; fires timers on advance

    # -- reading -----------------------------------------------------------------
    def time(self) -> float:
        """Current virtual time as epoch seconds (a float, like ``time.time()``)."""
        if self._frozen:
            return self._base
        return self._base + (_time.monotonic() - self._mono0)

    def now(self) -> datetime:
        """Current virtual time as a timezone-aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), timezone.utc)

    def millis(self) -> int:
        """Current virtual time in epoch milliseconds (as many AWS APIs report it)."""
        return int(self.time() * 1000)

    @property
    def frozen(self) -> bool:
        return self._frozen

    # -- moving ------------------------------------------------------------------
    def freeze(self) -> None:
        """Stop following real time; the clock moves only when advanced."""
        self._base = self.time()
        self._frozen = True

    def unfreeze(self) -> None:
        """Follow real time again, from the current virtual time."""
        self._base = self.time()
        self._mono0 = _time.monotonic()
        self._frozen = False

    def advance(self, seconds: float) -> None:
        """Move time forward, firing due timers in order on the way."""
        if seconds < 0:
            raise ValueError("the clock cannot go backwards")
        self.advance_to(self.time() + seconds)

    def advance_to(self, when: float | datetime) -> None:
        target = _to_epoch(when)
        if self.scheduler is not None:
            self.scheduler.run_until(target)
        self._jump_to(target)

    sleep = advance  # what botocore's waiters and retry backoff call instead of time.sleep

    def _jump_to(self, target: float) -> None:
        now = self.time()
        if target > now:
            self._base += target - now

    # -- snapshot support --------------------------------------------------------
    def state(self) -> tuple[bool, float]:
        return (self._frozen, self.time())

    def set_state(self, state: tuple[bool, float]) -> None:
        self._frozen, self._base = state
        self._mono0 = _time.monotonic()


def _to_epoch(value: float | datetime) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("use a timezone-aware datetime for the clock")
        return value.timestamp()
    return float(value)


class Task:
    """A scheduled callback. ``cancel()`` stops it from running.

    ``locked`` tasks run holding the cloud's lock (state changes); unlocked
    ones (running user code that may wait on other threads) take it themselves.
    """

    __slots__ = ("due", "seq", "fn", "args", "name", "locked", "cancelled")

    def __init__(
        self, due: float, seq: int, fn: Callable[..., Any], args: tuple, name: str, locked: bool
    ) -> None:
        self.due, self.seq, self.fn, self.args, self.name = due, seq, fn, args, name
        self.locked = locked
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: Task) -> bool:
        return (self.due, self.seq) < (other.due, other.seq)

    def __repr__(self) -> str:
        return f"<Task {self.name} due={self.due:.3f}{' cancelled' if self.cancelled else ''}>"


class RunawayWork(FakeawsError, RuntimeError):
    """Background work keeps scheduling more work at the same virtual instant."""

    def __init__(self, task: Task, limit: int) -> None:
        super().__init__(
            f"background work does not settle: more than {limit} tasks ran at the same virtual "
            f"time (the last one: {task.name}). Something keeps triggering itself (a function "
            "invoking itself asynchronously, a queue feeding its own producer...); raise "
            "cloud.scheduler.runaway_limit if this much work is expected."
        )


class Scheduler:
    """Timers and background work on the virtual clock.

    Work is due when its time has come; due work runs before the next
    intercepted call is answered (the cloud calls ``run_due``), when the test
    settles the cloud, or when the clock is advanced past it. Tasks are taken
    off the queue one at a time; a task may make boto3 calls, and work those
    calls find due is left to the outer drain (no nested draining per thread).
    """

    def __init__(self, clock: Clock, lock: threading.RLock | None = None) -> None:
        self.clock = clock
        clock.scheduler = self
        self._lock = lock or threading.RLock()  # the cloud's lock, for locked tasks
        self._queue_lock = threading.Lock()  # the heap only
        self._heap: list[Task] = []
        self._seq = 0
        self._draining = threading.local()
        # More tasks than this at one virtual instant is a loop that never settles (a function
        # that invokes itself asynchronously...): fail loudly instead of hanging the test.
        self.runaway_limit = 10_000

    def call_at(
        self, when: float, fn: Callable[..., Any], *args: Any, name: str = "", locked: bool = True
    ) -> Task:
        with self._queue_lock:
            self._seq += 1
            label = name or getattr(fn, "__qualname__", "task")
            task = Task(float(when), self._seq, fn, args, label, locked)
            heapq.heappush(self._heap, task)
        return task

    def call_later(
        self, delay: float, fn: Callable[..., Any], *args: Any, name: str = "", locked: bool = True
    ) -> Task:
        when = self.clock.time() + max(0.0, delay)
        return self.call_at(when, fn, *args, name=name, locked=locked)

    def call_soon(
        self, fn: Callable[..., Any], *args: Any, name: str = "", locked: bool = True
    ) -> Task:
        """Background work due now: it runs before the next call is answered."""
        return self.call_at(self.clock.time(), fn, *args, name=name, locked=locked)

    @property
    def pending(self) -> list[Task]:
        """Tasks not yet run, in due order."""
        with self._queue_lock:
            return sorted(t for t in self._heap if not t.cancelled)

    def next_due(self) -> float | None:
        with self._queue_lock:
            self._drop_cancelled()
            return self._heap[0].due if self._heap else None

    def run_due(self) -> int:
        """Run every task due at the current time (and those they make due). Returns the count."""
        return self._run(None)

    def run_until(self, target: float) -> int:
        """Run tasks due up to ``target`` in order, moving the clock to each one's due time."""
        return self._run(target)

    def _run(self, target: float | None) -> int:
        if getattr(self._draining, "active", False):
            return 0
        self._draining.active = True
        ran = 0
        instant, at_instant = None, 0
        try:
            while (task := self._pop_due(target)) is not None:
                if task.due == instant:
                    at_instant += 1
                    if at_instant > self.runaway_limit:
                        raise RunawayWork(task, self.runaway_limit)
                else:
                    instant, at_instant = task.due, 1
                if task.locked:
                    with self._lock:
                        task.fn(*task.args)
                else:
                    task.fn(*task.args)
                ran += 1
            return ran
        finally:
            self._draining.active = False

    def _pop_due(self, target: float | None) -> Task | None:
        with self._queue_lock:
            self._drop_cancelled()
            horizon = self.clock.time() if target is None else target
            if not self._heap or self._heap[0].due > horizon:
                return None
            task = heapq.heappop(self._heap)
            if target is not None:
                self.clock._jump_to(task.due)
            return task

    def _drop_cancelled(self) -> None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)

    # -- snapshot support --------------------------------------------------------
    def state(self) -> tuple[list[Task], int]:
        return (self._heap, self._seq)

    def set_state(self, state: tuple[list[Task], int]) -> None:
        with self._queue_lock:
            self._heap, self._seq = state
