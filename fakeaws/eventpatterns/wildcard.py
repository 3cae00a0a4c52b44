"""Wildcard patterns: ``*`` matches any run of characters (also none).

"A backslash escaping any character other than asterisk or backslash is not
allowed"; "consecutive wildcard characters are not allowed". Positions in the
service's messages count UTF-8 bytes of the value with its opening quote
(``"a**"`` fails "at pos 2").
"""

from __future__ import annotations

import re

STAR = object()  # a wildcard in a parsed pattern
MAX_COMPLEXITY = 10
TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating "
    "character sequences after a wildcard character"
)


class WildcardError(ValueError):
    """A malformed wildcard value; the message is the service's."""


def parse(text: str) -> list[object]:
    """The pattern as a list of literal strings and ``STAR`` markers."""
    out: list[object] = []
    literal: list[str] = []
    pos = 1  # UTF-8 byte position in the quoted JSON string, as the service reports it
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "*":
            if i + 1 < n and text[i + 1] == "*":
                raise WildcardError(f"Consecutive wildcard characters at pos {pos}")
            if literal:
                out.append("".join(literal))
                literal = []
            out.append(STAR)
        elif ch == "\\":
            if i + 1 < n and text[i + 1] in "*\\":
                literal.append(text[i + 1])
                i += 2
                pos += 2
                continue
            raise WildcardError(f"Invalid escape character at pos {pos}")
        else:
            literal.append(ch)
        pos += len(ch.encode("utf-8", "surrogatepass"))
        i += 1
    if literal:
        out.append("".join(literal))
    return out


def compile_regex(parts: list[object], ignore_case: bool = False) -> re.Pattern[str]:
    body = "".join(".*" if part is STAR else re.escape(part) for part in parts)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def complexity(parts: list[object]) -> int:
    """How many prefixes of the pattern one worst-case value can match at once.

    This approximates the measure the service caps ("Rule is too complex - try
    using fewer wildcard characters or fewer repeating character sequences after a
    wildcard character"): the largest set of pattern positions (a wildcard and
    the position after it counted apart) a non-deterministic matcher can be in at
    once, over every possible input. The service's own threshold is not
    published; ``MAX_COMPLEXITY`` is fakeaws's choice (see docs/event-patterns.md).
    """
    chars: list[object] = []
    for part in parts:
        if part is STAR:
            chars.append(STAR)
        else:
            chars.extend(part)  # type: ignore[arg-type]
    if STAR not in chars:
        return 1
    n = len(chars)

    def close(states: frozenset[int]) -> frozenset[int]:
        # A position before a wildcard may also be past it (the wildcard matched nothing).
        out = set(states)
        for s in states:
            while s < n and chars[s] is STAR:
                s += 1
                out.add(s)
        return frozenset(out)

    alphabet = {c for c in chars if c is not STAR}
    other = "\x00"
    while other in alphabet:
        other = chr(ord(other) + 1)
    alphabet.add(other)
    start = close(frozenset({0}))
    seen = {start}
    todo = [start]
    best = len(start)
    while todo:
        states = todo.pop()
        for ch in alphabet:
            nxt = set()
            for s in states:
                if s < n:
                    c = chars[s]
                    if c is STAR:
                        nxt.add(s)
                    elif c == ch:
                        nxt.add(s + 1)
            if not nxt:
                continue
            after = close(frozenset(nxt))
            if after not in seen:
                seen.add(after)
                best = max(best, len(after))
                todo.append(after)
                if len(seen) > 20_000:  # pragma: no cover - pathological input
                    return best
    return best
