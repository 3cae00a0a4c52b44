"""The one event-pattern engine: EventBridge patterns, SNS filter policies, Lambda filters.

::

    from fakeaws.eventpatterns import compile_pattern, PatternError

    pattern = compile_pattern('{"source": ["my.app"]}', "eventbridge")
    pattern.matches({"source": "my.app", "detail": {}})   # True

``compile_pattern`` validates once (raising ``PatternError`` with AWS's message
for the dialect) and returns a ``CompiledPattern`` whose ``matches(event)`` is
cheap: services keep the compiled pattern with the rule, subscription or event
source mapping. See docs/event-patterns.md.
"""

from __future__ import annotations

import functools
from typing import Any

from .compiler import Compiler
from .dialects import (
    DIALECTS,
    Dialect,
    get_dialect,
    lambda_filters_match,
    lambda_json_data,
    sns_attributes_event,
    sns_body_event,
)
from .errors import LAMBDA_INVALID, PatternError
from .jsonvalues import JsonError, Obj, from_python, parse_strict, parse_text, to_compact_text
from .matchers import Node

__all__ = [
    "DIALECTS",
    "LAMBDA_INVALID",
    "CompiledPattern",
    "PatternError",
    "compile_pattern",
    "lambda_filters_match",
    "lambda_json_data",
    "sns_attributes_event",
    "sns_body_event",
]

SNS_BAD_JSON = "failed to parse JSON."
TOO_DEEP = (
    "Document nesting depth (1001) exceeds the maximum allowed (1000, from "
    "`StreamReadConstraints.getMaxNestingDepth()`)"
)


class CompiledPattern:
    """A validated pattern; ``matches(event)`` tells whether an event matches it.

    ``event`` is the parsed JSON document (a ``dict``; anything else never
    matches). ``source`` is the pattern as given, ``dialect`` its dialect's name
    and ``top_level`` maps each top-level key of the pattern to ``"object"`` or
    ``"array"`` (Lambda's data-format check reads it).
    """

    __slots__ = ("branches", "dialect", "source", "top_level", "_single")

    def __init__(
        self, branches: list[Node], dialect: str, source: Any, top_level: dict[str, str]
    ) -> None:
        self.branches = tuple(branches)
        self.dialect = dialect
        self.source = source
        self.top_level = top_level
        self._single = self.branches[0] if len(self.branches) == 1 else None

    def matches(self, event: Any) -> bool:
        if type(event) is not dict:
            return False
        single = self._single
        if single is not None:
            return single.match_children(event)
        for branch in self.branches:  # noqa: SIM110 - faster than any()
            if branch.match_children(event):
                return True
        return False

    def __repr__(self) -> str:
        return f"CompiledPattern({self.dialect}, {self.source!r})"


def compile_pattern(
    pattern: str | dict[str, Any], dialect: str, *, scope: str | None = None
) -> CompiledPattern:
    """Validate ``pattern`` (JSON text or parsed) for ``dialect`` and compile it.

    ``dialect`` is ``"eventbridge"``, ``"sns"`` or ``"lambda"``; for SNS,
    ``scope`` is the subscription's ``FilterPolicyScope`` (``"MessageAttributes"``,
    the default, or ``"MessageBody"``). Raises ``PatternError``, whose
    ``message`` is AWS's words for that dialect. Compiled text patterns are cached.
    """
    try:
        if isinstance(pattern, str):
            return _compile_text(pattern, dialect, scope)
        d = get_dialect(dialect, scope)
        try:
            parsed = from_python(pattern)
        except JsonError as exc:
            raise _json_error(d, str(exc)) from None
        if d.reports_location:
            return _compile_located(parsed, d, pattern)
        return _build(parsed, d, pattern, None, None)
    except RecursionError:
        # The service's parser refuses documents nested deeper than 1000 levels.
        raise _json_error(get_dialect(dialect, scope), TOO_DEEP) from None


@functools.lru_cache(maxsize=4096)
def _compile_text(text: str, dialect: str, scope: str | None) -> CompiledPattern:
    d = get_dialect(dialect, scope)
    if d.reports_location:
        # SNS reads the policy as JSON itself, then hands a compact copy to the
        # matcher, whose messages locate the problem in that copy.
        try:
            parsed = parse_strict(text)
        except JsonError as exc:
            raise _json_error(d, str(exc)) from None
        return _compile_located(parsed, d, text)
    try:
        parsed = parse_text(text)
    except JsonError as exc:
        raise _json_error(d, str(exc)) from None
    return _build(parsed, d, text, None, None)


def _compile_located(parsed: Any, d: Dialect, source: Any) -> CompiledPattern:
    compact = to_compact_text(parsed)
    located, first = parse_text(compact, positions=True)
    return _build(located, d, source, compact, first)


def _json_error(d: Dialect, detail: str) -> PatternError:
    if d.name == "sns":
        return PatternError(SNS_BAD_JSON, d.name)
    return PatternError(detail, d.name)


def _build(
    parsed: Any, d: Dialect, source: Any, text: str | None, first: int | None
) -> CompiledPattern:
    compiler = Compiler(d, text)
    branches = compiler.compile(parsed, first)
    d.finish(branches, compiler, parsed)
    roots = []
    for branch in branches:
        root = Node()
        for path, spec in branch.items():
            node = root
            for part in path.split("."):
                child = node.children.get(part)
                if child is None:
                    child = node.children[part] = Node()
                node = child
            node.spec = spec
        root.freeze()
        roots.append(root)
    top_level = {
        key: ("object" if isinstance(value, Obj) else "array")
        for key, value in parsed
        if isinstance(value, list)
    }
    return CompiledPattern(roots, d.name, source, top_level)
