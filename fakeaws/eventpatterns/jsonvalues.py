"""Reading a pattern as the service's streaming JSON parser sees it.

Patterns are parsed keeping what validation needs: the original text of each
number (``Num``), duplicate keys in their order (objects are ``Obj`` lists of
``(key, value)`` pairs) and nothing after the first value (the service stops
reading there).

``parse_text(text, positions=True)`` also records where the service's parser
(Jackson) *is* when each token is current, because SNS puts that location in
its messages (``... at [Source: (String)"..."; line: 1, column: 10]``):

- for ``{ [ } ]``, numbers and literals: just after the token;
- for a string: just after its opening quote, or after its closing quote once
  the text was read (``full`` positions);
- for a field name: where its value's token is (the parser looks ahead).
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any


class Obj(list):
    """A JSON object as its ``(key, value)`` pairs, in order, duplicates kept.

    With positions: ``pos[i]`` / ``full[i]`` are the locations when member ``i``'s
    field name or value is the current token; ``close`` when ``}`` is.
    """

    pos: list[int] | None = None
    full: list[int] | None = None
    close: int | None = None


class Arr(list):
    """A JSON array (with positions as for ``Obj``, per element)."""

    pos: list[int] | None = None
    full: list[int] | None = None
    close: int | None = None


class Num:
    """A JSON number with the text it was written as."""

    __slots__ = ("text", "value")

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self.value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the parser only hands over valid numbers
            self.value = Decimal("NaN")

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Num({self.text})"


class JsonError(ValueError):
    """The pattern text is not JSON; the message imitates the service's parser."""


_WS = " \t\r\n"
_HEX = frozenset("0123456789abcdefABCDEF")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _Parser:
    def __init__(self, text: str, positions: bool) -> None:
        self.s = text
        self.i = 0
        self.n = len(text)
        self.positions = positions

    def ws(self) -> None:
        s, i, n = self.s, self.i, self.n
        while i < n and s[i] in _WS:
            i += 1
        self.i = i

    def unexpected(self, expecting: str) -> JsonError:
        if self.i >= self.n:
            return JsonError(f"Unexpected end-of-input: {expecting}")
        ch = self.s[self.i]
        return JsonError(f"Unexpected character ('{ch}' (code {ord(ch)})): {expecting}")

    def value(self) -> tuple[Any, int, int]:
        """The value at the cursor, with its token's (current, full) locations."""
        self.ws()
        if self.i >= self.n:
            raise JsonError("Unexpected end-of-input: expected a value")
        ch = self.s[self.i]
        if ch == "{":
            start = self.i + 1
            return self.obj(), start, start
        if ch == "[":
            start = self.i + 1
            return self.arr(), start, start
        if ch == '"':
            start = self.i + 1
            text = self.string()
            return text, start, self.i
        if ch == "-" or ch.isdigit():
            num = self.number()
            return num, self.i, self.i
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.s.startswith(word, self.i):
                self.i += len(word)
                return value, self.i, self.i
        raise self.unexpected(
            "expected a valid value (JSON String, Number, Array, Object or token 'null', "
            "'true' or 'false')"
        )

    def obj(self) -> Obj:
        self.i += 1  # {
        out = Obj()
        if self.positions:
            out.pos, out.full = [], []
        self.ws()
        if self.i < self.n and self.s[self.i] == "}":
            self.i += 1
            out.close = self.i
            return out
        while True:
            self.ws()
            if self.i >= self.n or self.s[self.i] != '"':
                raise self.unexpected("was expecting double-quote to start field name")
            key = self.string()
            self.ws()
            if self.i >= self.n or self.s[self.i] != ":":
                raise self.unexpected("was expecting a colon to separate field name and value")
            self.i += 1
            value, cur, full = self.value()
            out.append((key, value))
            if self.positions:
                out.pos.append(cur)  # type: ignore[union-attr]
                out.full.append(full)  # type: ignore[union-attr]
            self.ws()
            if self.i < self.n and self.s[self.i] == ",":
                self.i += 1
                continue
            if self.i < self.n and self.s[self.i] == "}":
                self.i += 1
                out.close = self.i
                return out
            raise self.unexpected("was expecting comma to separate Object entries")

    def arr(self) -> Arr:
        self.i += 1  # [
        out = Arr()
        if self.positions:
            out.pos, out.full = [], []
        self.ws()
        if self.i < self.n and self.s[self.i] == "]":
            self.i += 1
            out.close = self.i
            return out
        while True:
            value, cur, full = self.value()
            out.append(value)
            if self.positions:
                out.pos.append(cur)  # type: ignore[union-attr]
                out.full.append(full)  # type: ignore[union-attr]
            self.ws()
            if self.i < self.n and self.s[self.i] == ",":
                self.i += 1
                continue
            if self.i < self.n and self.s[self.i] == "]":
                self.i += 1
                out.close = self.i
                return out
            raise self.unexpected("was expecting comma to separate Array entries")

    def string(self) -> str:
        s, n = self.s, self.n
        i = self.i + 1  # opening quote
        parts: list[str] = []
        start = i
        while True:
            if i >= n:
                self.i = i
                raise JsonError(
                    "Unexpected end-of-input: was expecting closing quote for a string value"
                )
            ch = s[i]
            if ch == '"':
                parts.append(s[start:i])
                self.i = i + 1
                return "".join(parts)
            if ch == "\\":
                parts.append(s[start:i])
                if i + 1 >= n:
                    self.i = i + 1
                    raise JsonError("Unexpected end-of-input in character escape sequence")
                esc = s[i + 1]
                if esc == "u":
                    hexdigits = s[i + 2 : i + 6]
                    if len(hexdigits) != 4 or any(c not in _HEX for c in hexdigits):
                        self.i = i + 2
                        raise JsonError(
                            "Unexpected character: expected a hex-digit for character "
                            "escape sequence"
                        )
                    code = int(hexdigits, 16)
                    i += 6
                    if 0xD800 <= code < 0xDC00 and s.startswith("\\u", i):
                        low = s[i + 2 : i + 6]
                        if len(low) == 4 and all(c in _HEX for c in low):
                            low_code = int(low, 16)
                            if 0xDC00 <= low_code < 0xE000:
                                code = 0x10000 + ((code - 0xD800) << 10) + (low_code - 0xDC00)
                                i += 6
                    parts.append(chr(code))
                elif esc in _ESCAPES:
                    parts.append(_ESCAPES[esc])
                    i += 2
                else:
                    self.i = i + 1
                    raise JsonError(f"Unrecognized character escape '{esc}' (code {ord(esc)})")
                start = i
                continue
            if ord(ch) < 32:
                self.i = i
                raise JsonError(
                    f"Illegal unquoted character ((CTRL-CHAR, code {ord(ch)})): has to be escaped "
                    "using backslash to be included in string value"
                )
            i += 1

    def number(self) -> Num:
        s, n = self.s, self.n
        i = start = self.i
        if s[i] == "-":
            i += 1
        if i >= n or not s[i].isdigit():
            self.i = i
            raise self.unexpected(
                "expected digit (0-9) to follow minus sign, for valid numeric value"
            )
        if s[i] == "0" and i + 1 < n and s[i + 1].isdigit():
            self.i = i
            raise JsonError("Invalid numeric value: Leading zeroes not allowed")
        while i < n and s[i].isdigit():
            i += 1
        if i < n and s[i] == ".":
            i += 1
            if i >= n or not s[i].isdigit():
                self.i = i
                raise self.unexpected("Decimal point not followed by a digit")
            while i < n and s[i].isdigit():
                i += 1
        if i < n and s[i] in "eE":
            i += 1
            if i < n and s[i] in "+-":
                i += 1
            if i >= n or not s[i].isdigit():
                self.i = i
                raise self.unexpected("Exponent indicator not followed by a digit")
            while i < n and s[i].isdigit():
                i += 1
        self.i = i
        return Num(s[start:i])


def parse_text(text: str, positions: bool = False) -> Any:
    """The first JSON value of ``text`` (what follows it is not read)."""
    parser = _Parser(text, positions)
    parser.ws()
    if parser.i >= parser.n:
        raise JsonError("No content to map due to end-of-input")
    value, cur, full = parser.value()
    if positions:
        return value, cur
    return value


def parse_strict(text: str) -> Any:
    """The whole of ``text`` as one JSON value (nothing but whitespace may follow)."""
    parser = _Parser(text, False)
    value, _cur, _full = parser.value()
    parser.ws()
    if parser.i < parser.n:
        raise parser.unexpected("expected end of input")
    return value


def from_python(value: Any) -> Any:
    """A pattern given as Python data, in the parsed form."""
    if isinstance(value, dict):
        return Obj((k if isinstance(k, str) else str(k), from_python(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return Arr(from_python(v) for v in value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return Num(str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise JsonError(f"Non-standard token '{value}'")
        return Num(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise JsonError(f"Non-standard token '{value}'")
        return Num(str(value))
    raise JsonError(f"Unsupported value of type {type(value).__name__}")


def to_compact_text(value: Any) -> str:
    """The parsed value written back without spaces (as SNS hands a policy on)."""
    import json

    if isinstance(value, Obj):
        inner = ",".join(
            f"{json.dumps(k, ensure_ascii=False)}:{to_compact_text(v)}" for k, v in value
        )
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_compact_text(v) for v in value) + "]"
    if isinstance(value, Num):
        return value.text
    return json.dumps(value, ensure_ascii=False)


def token_text(value: Any) -> str:
    """What the service's parser calls the text of the token that starts ``value``."""
    if isinstance(value, Obj):
        return "{"
    if isinstance(value, list):
        return "["
    if isinstance(value, Num):
        return value.text
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def location(text: str, pos: int) -> str:
    """The service parser's location suffix for a position in ``text``."""
    line = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    column = len(text[line_start:pos].encode("utf-16-le")) // 2 + 1
    if len(text) > 500:
        source = f'"{text[:500]}"[truncated {len(text) - 500} chars]'
    else:
        source = f'"{text}"'
    return f"\n at [Source: (String){source}; line: {line}, column: {column}]"
