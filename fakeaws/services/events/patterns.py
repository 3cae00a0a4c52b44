"""Event patterns through the project's shared engine (``fakeaws.eventpatterns``).

Each distinct pattern text is compiled once and kept (rules hold only the
text, so snapshots never pickle compiled patterns). The engine's
``PatternError(message)`` becomes EventBridge's ``InvalidEventPatternException``
"Event pattern is not valid. Reason: <message>".
"""

from __future__ import annotations

import functools
from typing import Any

from fakeaws.eventpatterns import CompiledPattern, PatternError, compile_pattern
from fakeaws.services.events.common import invalid_pattern


@functools.lru_cache(maxsize=4096)
def _compiled(text: str) -> CompiledPattern:
    return compile_pattern(text, dialect="eventbridge")


def compile_event_pattern(text: str) -> CompiledPattern:
    """The compiled pattern, or AWS's ``InvalidEventPatternException``."""
    try:
        return _compiled(text)
    except PatternError as err:
        raise invalid_pattern(err.reason) from None


def matches(text: str, event: dict[str, Any]) -> bool:
    """Whether ``event`` matches a pattern that PutRule (or CreateArchive) accepted."""
    return _compiled(text).matches(event)
