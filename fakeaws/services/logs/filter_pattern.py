"""The CloudWatch Logs filter pattern language, parsed once and cached.

Used by FilterLogEvents (and later by metric and subscription filters).
``compile_pattern(text)`` returns a predicate ``message -> bool`` or raises
``FilterPatternError`` (whose message is what AWS says, e.g. "Invalid filter pattern").

Three kinds of pattern, chosen by the first character:

- term patterns: ``ERROR``, ``"two words"``, ``ERROR -DEBUG``, ``?ERROR ?WARN``.
  Terms are case-sensitive substrings; all plain terms must appear, no ``-`` term
  may appear, and if there are ``?`` terms at least one must appear;
- JSON patterns ``{ $.a.b[0] = "x*" && ($.n > 3 || $.flag IS TRUE) }`` with
  ``= != < <= > >=``, ``IS NULL``, ``IS TRUE``, ``IS FALSE``, ``NOT EXISTS``,
  ``*`` wildcards in strings and ``%regex%`` values;
- space-delimited patterns ``[ip, user, ..., status = 404, size > 100]``.

LIMITATIONS: terms match as substrings (AWS tokenises; ``ERR`` matches ``ERROR``
here); ``$.array[*]`` selectors are not supported.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Callable
from typing import Any

Matcher = Callable[[str], bool]

INVALID = "Invalid filter pattern"
_MISSING = object()
_UNQUOTED_FORBIDDEN = set("@{}[]()!=<>,\"'|&;%$^?")


class FilterPatternError(ValueError):
    """A pattern AWS would refuse; ``str(error)`` is AWS's message."""


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str | None) -> Matcher:
    text = (pattern or "").strip()
    if not text:
        return _match_all
    if text.startswith("{"):
        if not text.endswith("}"):
            raise FilterPatternError("If a filter pattern starts with '{' it must end with '}'")
        return _JsonParser(text[1:-1]).parse()
    if text.startswith("["):
        if not text.endswith("]"):
            raise FilterPatternError(INVALID)
        return _compile_delimited(text[1:-1])
    return _compile_terms(text)


def matches(pattern: str | None, message: str) -> bool:
    return compile_pattern(pattern)(message)


def _match_all(message: str) -> bool:
    return True


# -- term patterns -------------------------------------------------------------------
def _compile_terms(text: str) -> Matcher:
    required: list[str] = []
    excluded: list[str] = []
    optional: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        kind = ""
        if text[i] in "-?":
            kind = text[i]
            i += 1
            if i >= n or text[i].isspace():
                raise FilterPatternError(INVALID)
        if text[i] == '"':
            term, i = _quoted(text, i)
        else:
            start = i
            while i < n and not text[i].isspace():
                i += 1
            term = text[start:i]
            bad = [c for c in term if c in _UNQUOTED_FORBIDDEN]
            if bad:
                raise FilterPatternError(f"Invalid character(s) in term '{term}'")
        {"": required, "-": excluded, "?": optional}[kind].append(term)

    def match(message: str) -> bool:
        if any(t not in message for t in required):
            return False
        if any(t in message for t in excluded):
            return False
        return not optional or any(t in message for t in optional)

    return match


def _quoted(text: str, i: int) -> tuple[str, int]:
    """The string of the double-quoted literal at ``text[i]``, and the index after it."""
    out = []
    i += 1
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise FilterPatternError(INVALID)


# -- values shared by JSON and space-delimited patterns -----------------------------
class _Value:
    """The right-hand side of a comparison: a number, a string (with ``*``) or a regex."""

    def __init__(self, raw: str, quoted: bool) -> None:
        self.raw = raw
        self.number: float | None = None
        self.regex: re.Pattern | None = None
        if not quoted:
            with contextlib.suppress(ValueError):
                self.number = float(raw)
            if len(raw) >= 2 and raw.startswith("%") and raw.endswith("%"):
                try:
                    self.regex = re.compile(raw[1:-1])
                except re.error as exc:
                    raise FilterPatternError(INVALID) from exc
        if self.regex is None and self.number is None:
            self.regex = re.compile(
                "".join(".*" if c == "*" else re.escape(c) for c in raw) + r"\Z", re.DOTALL
            )
            self.wildcard = True
        else:
            self.wildcard = False

    def equals(self, actual: Any) -> bool:
        if isinstance(actual, bool) or actual is None:
            return False
        if self.number is not None:
            if isinstance(actual, int | float):
                return float(actual) == self.number
            if isinstance(actual, str):
                try:
                    return float(actual) == self.number
                except ValueError:
                    return actual == self.raw
            return False
        if not isinstance(actual, str | int | float):
            return False
        text = actual if isinstance(actual, str) else json.dumps(actual)
        if self.wildcard:
            return self.regex.match(text) is not None
        return self.regex.search(text) is not None


_NUMERIC_OPS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(actual: Any, op: str, value: _Value) -> bool:
    if actual is _MISSING:
        return False
    if op == "=":
        return value.equals(actual)
    if op == "!=":
        return not value.equals(actual)
    if value.number is None:
        raise FilterPatternError(INVALID)
    if isinstance(actual, bool):
        return False
    if isinstance(actual, str):
        try:
            actual = float(actual)
        except ValueError:
            return False
    if not isinstance(actual, int | float):
        return False
    return _NUMERIC_OPS[op](float(actual), value.number)


# -- JSON patterns -------------------------------------------------------------------
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))
      | (?P<str>"(?:\\.|[^"\\])*")
      | (?P<regex>%(?:\\.|[^%\\])+%)
      | (?P<word>[^\s()=!<>&|"]+)
    )""",
    re.VERBOSE,
)
_SELECTOR = re.compile(r"\$((?:\.[A-Za-z0-9_\-@:]+|\[\d+\])*)\Z")
_SELECTOR_PART = re.compile(r"\.([A-Za-z0-9_\-@:]+)|\[(\d+)\]")


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    i = 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            raise FilterPatternError(INVALID)
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        i = m.end()
    return out


def _selector(text: str) -> Callable[[Any], Any]:
    m = _SELECTOR.match(text)
    if not m:
        raise FilterPatternError(INVALID)
    path: list[str | int] = []
    for key, index in _SELECTOR_PART.findall(m.group(1)):
        path.append(int(index) if index else key)
    if not path:
        raise FilterPatternError(INVALID)

    def get(doc: Any) -> Any:
        for step in path:
            if isinstance(step, int):
                if not isinstance(doc, list) or step >= len(doc):
                    return _MISSING
                doc = doc[step]
            else:
                if not isinstance(doc, dict) or step not in doc:
                    return _MISSING
                doc = doc[step]
        return doc

    return get


Predicate = Callable[[Any], bool]


class _JsonParser:
    def __init__(self, body: str) -> None:
        self.tokens = _tokens(body)
        self.pos = 0

    def parse(self) -> Matcher:
        if not self.tokens:
            raise FilterPatternError(INVALID)
        predicate = self._or()
        if self.pos != len(self.tokens):
            raise FilterPatternError(INVALID)

        def match(message: str) -> bool:
            try:
                doc = json.loads(message)
            except ValueError:
                return False
            return isinstance(doc, dict | list) and predicate(doc)

        return match

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _next(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise FilterPatternError(INVALID)
        self.pos += 1
        return token

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._peek() == ("op", "||"):
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda d: any(p(d) for p in parts))

    def _and(self) -> Predicate:
        parts = [self._unary()]
        while self._peek() == ("op", "&&"):
            self.pos += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else (lambda d: all(p(d) for p in parts))

    def _unary(self) -> Predicate:
        kind, text = self._next()
        if (kind, text) == ("op", "("):
            inner = self._or()
            if self._next() != ("op", ")"):
                raise FilterPatternError(INVALID)
            return inner
        if kind != "word":
            raise FilterPatternError(INVALID)
        get = _selector(text)
        kind, text = self._next()
        if kind == "word" and text.upper() == "IS":
            _, what = self._next()
            what = what.upper()
            if what == "NULL":
                return lambda d: get(d) is None
            if what == "TRUE":
                return lambda d: get(d) is True
            if what == "FALSE":
                return lambda d: get(d) is False
            raise FilterPatternError(INVALID)
        if kind == "word" and text.upper() == "NOT":
            if self._next()[1].upper() != "EXISTS":
                raise FilterPatternError(INVALID)
            return lambda d: get(d) is _MISSING
        if kind == "word" and text.upper() == "EXISTS":
            return lambda d: get(d) is not _MISSING
        if kind != "op" or text not in ("=", "!=", "<", "<=", ">", ">="):
            raise FilterPatternError(INVALID)
        op = text
        vkind, vtext = self._next()
        if vkind == "str":
            value = _Value(json.loads(vtext), quoted=True)
        elif vkind in ("word", "regex"):
            value = _Value(vtext, quoted=False)
        else:
            raise FilterPatternError(INVALID)
        if op not in ("=", "!=") and value.number is None:
            raise FilterPatternError(INVALID)
        return lambda d: _compare(get(d), op, value)


# -- space-delimited patterns --------------------------------------------------------
_FIELD_CONDITION = re.compile(
    r"\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>!=|<=|>=|=|<|>)\s*(?P<value>\"(?:\\.|[^\"\\])*\"|[^\s&|]+)\s*"
)


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif not quoted and c in "([":
            depth += 1
        elif not quoted and c in ")]":
            depth -= 1
        elif not quoted and depth == 0 and c == sep:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _compile_field(field: str) -> Callable[[str], bool] | None:
    """A predicate on one message field; None for a bare name; "..." handled by caller."""
    field = field.strip()
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field):
        return None
    alternatives = []
    for alt in re.split(r"\|\|", field):
        conjuncts = []
        for part in alt.split("&&"):
            m = _FIELD_CONDITION.fullmatch(part)
            if not m:
                raise FilterPatternError(INVALID)
            raw = m.group("value")
            value = (
                _Value(json.loads(raw), quoted=True)
                if raw.startswith('"')
                else _Value(raw, quoted=False)
            )
            op = m.group("op")
            if op not in ("=", "!=") and value.number is None:
                raise FilterPatternError(INVALID)
            conjuncts.append((op, value))
        alternatives.append(conjuncts)

    def check(actual: str) -> bool:
        return any(all(_compare(actual, op, v) for op, v in c) for c in alternatives)

    return check


_MESSAGE_FIELD = re.compile(r'"[^"]*"|\[[^\]]*\]|\S+')


def _message_fields(message: str) -> list[str]:
    out = []
    for token in _MESSAGE_FIELD.findall(message):
        if len(token) >= 2 and token[0] + token[-1] in ('""', "[]"):
            token = token[1:-1]
        out.append(token)
    return out


def _compile_delimited(body: str) -> Matcher:
    specs: list[Any] = []  # "..." | None (any one field) | predicate
    if not body.strip():
        raise FilterPatternError(INVALID)
    for field in _split_top(body, ","):
        stripped = field.strip()
        if not stripped:
            raise FilterPatternError(INVALID)
        specs.append("..." if stripped == "..." else _compile_field(stripped))

    def fits(fields: list[str], i: int, j: int) -> bool:
        if j == len(specs):
            return i == len(fields)
        spec = specs[j]
        if spec == "...":
            return any(fits(fields, k, j + 1) for k in range(i, len(fields) + 1))
        if i >= len(fields):
            return False
        if spec is not None and not spec(fields[i]):
            return False
        return fits(fields, i + 1, j + 1)

    def match(message: str) -> bool:
        return fits(_message_fields(message), 0, 0)

    return match
