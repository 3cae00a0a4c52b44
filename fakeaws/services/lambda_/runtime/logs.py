"""Where a function's output goes: its ``sys.stdout``/``sys.stderr``, its ``logging`` handler.

Lambda turns each line a function writes to stdout or stderr into one log
event; the runtime's logging handler writes each record as one event
(a multi-line record stays one event); the runtime writes an unhandled error
as one event. All of them end up in the environment's ``LogSink``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from fakeaws.services.lambda_.runtime.logformat import LEVELS, record_level

# levelno (after the runtime's rounding to tens) -> Lambda's level
_LEVEL_OF_NUMBER = {0: 0, 10: 1, 20: 2, 30: 3, 40: 4, 50: 5}


class LogSink:
    """The events of one execution environment, until they are handed to the log stream."""

    def __init__(
        self,
        now_ms: Callable[[], int],
        sink: Callable[[list[tuple[int, str]]], Any] | None,
        echo: bool,
        app_level: str | None,
    ) -> None:
        self._now_ms = now_ms
        self._sink = sink
        self._echo = echo
        self._lock = threading.Lock()
        self.events: list[tuple[int, str]] = []
        # JSON log format: Lambda drops application records below this level.
        self.app_level = None if app_level is None else LEVELS.get(app_level.upper(), 2)

    def emit(self, message: str, ms: int | None = None) -> None:
        if ms is None:
            ms = self._now_ms()
        with self._lock:
            self.events.append((ms, message))
        if self._echo:
            _echo(message)

    def emit_all(self, events: Any) -> None:
        with self._lock:
            self.events.extend(events)
        if self._echo:
            for _, message in events:
                _echo(message)

    def emit_output(self, line: str) -> None:
        """A line the function wrote to stdout or stderr."""
        if self.app_level is not None:
            level = record_level(line)
            if level is not None and level < self.app_level:
                return
        self.emit(line)

    def take(self) -> list[tuple[int, str]]:
        with self._lock:
            events, self.events = self.events, []
        return events

    def mark(self) -> int:
        return len(self.events)

    def flush(self) -> list[tuple[int, str]]:
        """Hand the pending events to the log stream; returns them."""
        events = self.take()
        if events and self._sink is not None:
            self._sink(events)
        return events


def _echo(message: str) -> None:
    out = sys.stdout
    if out is not None:
        # A closed capture stream: the copy is a convenience, not worth failing for.
        with contextlib.suppress(ValueError, OSError):
            out.write(message if message.endswith("\n") else message + "\n")


class LogStream(io.TextIOBase):
    """A function's ``sys.stdout`` or ``sys.stderr``: every line becomes one log event."""

    def __init__(self, sink: LogSink, name: str) -> None:
        super().__init__()
        self._sink = sink
        self._name = name
        self._pending = ""
        self._lock = threading.Lock()
        self.buffer = _BinaryAdapter(self)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"<{self._name}>"

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return "strict"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self._lock:
            data = self._pending + text
            if "\n" not in data:
                self._pending = data
                return len(text)
            *lines, self._pending = data.split("\n")
        for line in lines:
            self._sink.emit_output(line + "\n")
        return len(text)

    def flush(self) -> None:
        """Lines are written as they complete; a partial line waits for its end."""

    def end_phase(self) -> None:
        """An invocation (or the init) ended: a partial last line is written as it is."""
        if not self._pending:
            return
        with self._lock:
            pending, self._pending = self._pending, ""
        if pending:
            self._sink.emit_output(pending)

    def close(self) -> None:
        """Closing the function's stdout closes nothing."""


class _BinaryAdapter:
    def __init__(self, stream: LogStream) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        self._stream.write(bytes(data).decode("utf-8", "replace"))
        return len(data)

    def flush(self) -> None:
        pass


class RequestFilter(logging.Filter):
    """The runtime's ``LambdaLoggerFilter``: tags records with the current request id."""

    def __init__(self, state: Any) -> None:
        super().__init__()
        self._state = state

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self._state.request_id or ""
        record.tenant_id = self._state.tenant_id
        return True


class LambdaHandler(logging.Handler):
    """The handler the runtime puts on the root logger: one event per record."""

    def __init__(self, sink: LogSink, formatter: logging.Formatter, state: Any) -> None:
        super().__init__()
        self.log_sink = sink
        self.setFormatter(formatter)
        self.addFilter(RequestFilter(state))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
        except Exception:  # noqa: BLE001 - logging reports it, as for any handler
            self.handleError(record)
            return
        app_level = self.log_sink.app_level
        if app_level is not None:
            level = _LEVEL_OF_NUMBER.get(min(50, max(0, record.levelno)) // 10 * 10, 0)
            if level < app_level:
                return
        self.log_sink.emit(message)


def lambda_level(value: str | None) -> str:
    """The runtime's reading of AWS_LAMBDA_LOG_LEVEL (``_get_log_level_from_env_var``)."""
    return {None: "", "TRACE": "DEBUG"}.get(value, value).upper()
