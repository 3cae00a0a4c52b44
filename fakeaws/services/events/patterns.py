"""Event patterns through the project's shared engine (``fakeaws.eventpatterns``).

Each distinct pattern text is compiled once and kept (rules hold only the
text, so snapshots never pickle compiled patterns). The engine's
``PatternError(message)`` becomes EventBridge's ``InvalidEventPatternException``
"Event pattern is not valid. Reason: <message>".
"""

from __future__ import annotations

import functools
from typing import Any

from fakeaws.errors import UnsupportedOperation
from fakeaws.services.events.common import invalid_pattern


def _engine() -> tuple[Any, type[Exception]]:
    try:
        from fakeaws.eventpatterns import PatternError, compile_pattern
    except ImportError as exc:  # the shared engine is not installed in this tree
        raise UnsupportedOperation(
            "events", "event patterns", "the shared pattern engine fakeaws.eventpatterns is missing"
        ) from exc
    return compile_pattern, PatternError


@functools.lru_cache(maxsize=4096)
def _compiled(text: str) -> Any:
    compile_pattern, _ = _engine()
    return compile_pattern(text, dialect="eventbridge")


def compile_event_pattern(text: str) -> Any:
    """The compiled pattern, or AWS's ``InvalidEventPatternException``."""
    _, pattern_error = _engine()
    try:
        return _compiled(text)
    except pattern_error as err:
        reason = getattr(err, "reason", None) or str(err)
        raise invalid_pattern(reason) from None


def matches(text: str, event: dict) -> bool:
    return bool(compile_event_pattern(text).matches(event))
