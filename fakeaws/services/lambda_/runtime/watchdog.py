"""Stopping handlers that run past their timeout, in real time.

One daemon thread for the whole process, started on first use, keeps a heap
of deadlines (``time.monotonic`` seconds). When one passes while its
invocation is still running, it raises :class:`SandboxTimeout` in the
handler's thread with ``PyThreadState_SetAsyncExc``, and again every
``RETRY`` seconds until the invocation ends (a handler may swallow it with a
bare ``except:``). The exception derives from ``BaseException``, so
``except Exception`` in user code does not catch it.

Limits of the mechanism: the exception is delivered only when the thread
runs Python bytecode, so a handler blocked inside a C call (a real
``time.sleep`` in a library, a socket read) is stopped only when that call
returns.
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import threading
import time

RETRY = 0.05  # seconds between two deliveries to a handler that swallowed the first

# Two prototypes of the same C function: one passes an exception type, one passes NULL
# (which clears the exception pending for that thread). PYFUNCTYPE keeps the GIL held.
_raise_in = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)
_clear_in = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)


class SandboxTimeout(BaseException):  # noqa: N818 - named as Lambda names the error
    """Raised inside a handler whose invocation has run out of time.

    ``token`` says which invocation it stops, for nested invocations on one
    thread (a handler invoking another function synchronously): the inner one
    lets a timeout that is not its own pass through.
    """

    token: Token | None = None


class Token:
    """The deadline of one run: ``seconds`` of real time on thread ``thread_id``."""

    __slots__ = ("seconds", "deadline", "thread_id", "done", "fired", "exc_type")

    def __init__(self, seconds: float, thread_id: int | None = None) -> None:
        self.seconds = seconds
        self.deadline = 0.0
        self.thread_id = thread_id or threading.get_ident()
        self.done = False
        self.fired = False
        self.exc_type: type[SandboxTimeout] | None = None


class Watchdog:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Token]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, token: Token) -> Token:
        """Start watching: ``token.seconds`` from now, raise in ``token.thread_id``."""
        token.deadline = time.monotonic() + token.seconds
        with self._cond:
            entry = (token.deadline, next(self._seq), token)
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fakeaws-lambda-watchdog", daemon=True
                )
                self._thread.start()
            elif self._heap[0] is entry:
                self._cond.notify()
        return token

    def disarm(self, token: Token) -> None:
        """The invocation ended: never raise into its thread again, and drop a pending raise.

        Set ``token.done`` first (right where the run ends), then call this in a
        loop that catches :class:`SandboxTimeout`: one raised just before the
        watchdog let go may still arrive here.
        """
        token.done = True
        # The watchdog reads the time before it looks at ``done``, and fires only past the
        # deadline: if the deadline is still ahead now, it cannot be firing this token.
        if time.monotonic() < token.deadline:
            return
        with self._cond:
            token.done = True
            if token.fired:
                _clear_in(token.thread_id, None)

    def _run(self) -> None:
        with self._cond:
            while True:
                if not self._heap:
                    self._cond.wait()
                    continue
                deadline, _, token = self._heap[0]
                now = time.monotonic()
                if token.done:
                    heapq.heappop(self._heap)
                    continue
                if deadline > now:
                    self._cond.wait(deadline - now)
                    continue
                heapq.heappop(self._heap)
                self._fire(token)
                heapq.heappush(self._heap, (now + RETRY, next(self._seq), token))

    def _fire(self, token: Token) -> None:
        if token.exc_type is None:
            token.exc_type = type("SandboxTimeout", (SandboxTimeout,), {"token": token})
        token.fired = True
        _raise_in(token.thread_id, token.exc_type)


watchdog = Watchdog()
