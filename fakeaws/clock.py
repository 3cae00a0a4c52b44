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
    """A scheduled callback. ``cancel()`` stops it from running."""

    __slots__ = ("due", "seq", "fn", "args", "name", "cancelled")

    def __init__(self, due: float, seq: int, fn: Callable[..., Any], args: tuple, name: str):
        self.due, self.seq, self.fn, self.args, self.name = due, seq, fn, args, name
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: Task) -> bool:
        return (self.due, self.seq) < (other.due, other.seq)

    def __repr__(self) -> str:
        return f"<Task {self.name} due={self.due:.3f}{' cancelled' if self.cancelled else ''}>"


class Scheduler:
    """Timers and background work on the virtual clock.

    Work is due when its time has come; due work runs before the next
    intercepted call is answered (the cloud calls ``run_due``), when the test
    settles the cloud, or when the clock is advanced past it. The cloud's lock
    is held while tasks run; tasks may make boto3 calls (they re-enter the lock).
    """

    def __init__(self, clock: Clock, lock: threading.RLock | None = None) -> None:
        self.clock = clock
        clock.scheduler = self
        self._lock = lock or threading.RLock()
        self._heap: list[Task] = []
        self._seq = 0
        self._running = False  # no re-entrant draining from inside a task's own calls

    def call_at(self, when: float, fn: Callable[..., Any], *args: Any, name: str = "") -> Task:
        self._seq += 1
        task = Task(float(when), self._seq, fn, args, name or getattr(fn, "__qualname__", "task"))
        heapq.heappush(self._heap, task)
        return task

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any, name: str = "") -> Task:
        return self.call_at(self.clock.time() + max(0.0, delay), fn, *args, name=name)

    def call_soon(self, fn: Callable[..., Any], *args: Any, name: str = "") -> Task:
        """Background work due now: it runs before the next call is answered."""
        return self.call_at(self.clock.time(), fn, *args, name=name)

    @property
    def pending(self) -> list[Task]:
        """Tasks not yet run, in due order."""
        return sorted(t for t in self._heap if not t.cancelled)

    def next_due(self) -> float | None:
        self._drop_cancelled()
        return self._heap[0].due if self._heap else None

    def run_due(self) -> int:
        """Run every task due at the current time (and those they make due). Returns the count."""
        return self._run(lambda: self.clock.time(), move_clock=False)

    def run_until(self, target: float) -> int:
        """Run tasks due up to ``target`` in order, moving the clock to each one's due time."""
        return self._run(lambda: target, move_clock=True)

    def _run(self, horizon: Callable[[], float], move_clock: bool) -> int:
        with self._lock:
            return self._run_locked(horizon, move_clock)

    def _run_locked(self, horizon: Callable[[], float], move_clock: bool) -> int:
        if self._running:
            return 0
        self._running = True
        ran = 0
        try:
            while True:
                self._drop_cancelled()
                if not self._heap or self._heap[0].due > horizon():
                    return ran
                task = heapq.heappop(self._heap)
                if move_clock:
                    self.clock._jump_to(task.due)
                task.fn(*task.args)
                ran += 1
        finally:
            self._running = False

    def _drop_cancelled(self) -> None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)

    # -- snapshot support --------------------------------------------------------
    def state(self) -> tuple[list[Task], int]:
        return (self._heap, self._seq)

    def set_state(self, state: tuple[list[Task], int]) -> None:
        self._heap, self._seq = state
