"""Compiled matchers: one small class per comparison, each with ``match(value)``.

A field of a pattern compiles to a ``FieldSpec`` (the OR of its array's entries);
the fields of a branch form a tree of ``Node`` objects shaped like the event.
Everything here is built once by the compiler; matching only reads.

Value types follow JSON: ``str``, numbers (``int``/``float``/``Decimal``, never
``bool``), ``True``/``False`` and ``None`` (JSON null). Objects (``dict``) are not
leaf values; arrays (``list``) hold several values for one field.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .numbers import NumberFormat, is_number

MISSING: Any = object()


class Matcher:
    """One entry of a field's array that is not a plain value."""

    __slots__ = ()

    def match(self, value: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


class Prefix(Matcher):
    __slots__ = ("prefix",)

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def match(self, value: Any) -> bool:
        return type(value) is str and value.startswith(self.prefix)


class PrefixIgnoreCase(Matcher):
    __slots__ = ("prefix",)

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.lower()

    def match(self, value: Any) -> bool:
        return type(value) is str and value.lower().startswith(self.prefix)


class Suffix(Matcher):
    __slots__ = ("suffix",)

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix

    def match(self, value: Any) -> bool:
        return type(value) is str and value.endswith(self.suffix)


class SuffixIgnoreCase(Matcher):
    __slots__ = ("suffix",)

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix.lower()

    def match(self, value: Any) -> bool:
        return type(value) is str and value.lower().endswith(self.suffix)


class EqualsIgnoreCase(Matcher):
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text.lower()

    def match(self, value: Any) -> bool:
        return type(value) is str and value.lower() == self.text


class Wildcard(Matcher):
    __slots__ = ("regex",)

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex

    def match(self, value: Any) -> bool:
        return type(value) is str and self.regex.fullmatch(value) is not None


class IpEquals(Matcher):
    """A plain string value that is an IP address matches that address in any spelling."""

    __slots__ = ("version", "address", "parse")

    def __init__(self, version: int, address: int, parse: Any) -> None:
        self.version = version
        self.address = address
        self.parse = parse

    def match(self, value: Any) -> bool:
        if type(value) is not str:
            return False
        ip = self.parse(value)
        return ip is not None and ip[0] == self.version and ip[1] == self.address


class Cidr(Matcher):
    __slots__ = ("version", "low", "high", "parse")

    def __init__(self, version: int, low: int, high: int, parse: Any) -> None:
        self.version = version
        self.low = low
        self.high = high
        self.parse = parse

    def match(self, value: Any) -> bool:
        if type(value) is not str:
            return False
        ip = self.parse(value)
        return ip is not None and ip[0] == self.version and self.low <= ip[1] <= self.high


class Numeric(Matcher):
    """``{"numeric": [">", 0, "<=", 5]}``: only JSON numbers inside the comparable range."""

    __slots__ = ("low", "low_open", "high", "high_open", "numbers")

    def __init__(
        self, low: int, low_open: bool, high: int, high_open: bool, numbers: NumberFormat
    ) -> None:
        self.low = low
        self.low_open = low_open
        self.high = high
        self.high_open = high_open
        self.numbers = numbers

    def match(self, value: Any) -> bool:
        n = self.numbers.comparable(value)
        if n is None:
            return False
        if n < self.low or (self.low_open and n == self.low):
            return False
        return not (n > self.high or (self.high_open and n == self.high))


class AnythingBut(Matcher):
    """Any leaf value (of any type, null included) that is not one of the listed ones."""

    __slots__ = ("strings", "numbers", "fmt")

    def __init__(self, strings: frozenset[str], numbers: frozenset[int], fmt: NumberFormat):
        self.strings = strings
        self.numbers = numbers
        self.fmt = fmt

    def match(self, value: Any) -> bool:
        if type(value) is str:
            return value not in self.strings
        if self.numbers and is_number(value):
            n = self.fmt.comparable(value)
            return n is None or n not in self.numbers
        return True


class AnythingButPrefix(Matcher):
    __slots__ = ("prefixes",)

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        self.prefixes = prefixes

    def match(self, value: Any) -> bool:
        return type(value) is not str or not value.startswith(self.prefixes)


class AnythingButSuffix(Matcher):
    __slots__ = ("suffixes",)

    def __init__(self, suffixes: tuple[str, ...]) -> None:
        self.suffixes = suffixes

    def match(self, value: Any) -> bool:
        return type(value) is not str or not value.endswith(self.suffixes)


class AnythingButIgnoreCase(Matcher):
    __slots__ = ("texts",)

    def __init__(self, texts: frozenset[str]) -> None:
        self.texts = texts

    def match(self, value: Any) -> bool:
        return type(value) is not str or value.lower() not in self.texts


class AnythingButWildcard(Matcher):
    __slots__ = ("regexes",)

    def __init__(self, regexes: tuple[re.Pattern[str], ...]) -> None:
        self.regexes = regexes

    def match(self, value: Any) -> bool:
        if type(value) is not str:
            return True
        return not any(r.fullmatch(value) is not None for r in self.regexes)


class FieldSpec:
    """The array of one field: the field matches if any entry matches any value.

    Plain strings, numbers and literals are kept in sets; ``exists`` entries are
    flags; everything else is a ``Matcher``.
    """

    __slots__ = (
        "strings",
        "numbers",
        "raw_numbers",
        "match_true",
        "match_false",
        "match_null",
        "exists",
        "absent",
        "matchers",
        "fmt",
        "only_strings",
        "count",
        "depth",
    )

    def __init__(self, fmt: NumberFormat) -> None:
        self.strings: set[str] = set()
        self.numbers: set[int] = set()
        self.raw_numbers: set[Decimal] = set()
        self.match_true = False
        self.match_false = False
        self.match_null = False
        self.exists = False
        self.absent = False
        self.matchers: list[Matcher] = []
        self.fmt = fmt
        self.only_strings = False
        self.count = 0  # how many entries the field's array has (SNS limits use it)
        self.depth = 1  # how deep in the pattern's objects the field is

    def freeze(self) -> None:
        self.only_strings = not (
            self.numbers
            or self.raw_numbers
            or self.match_true
            or self.match_false
            or self.match_null
            or self.exists
            or self.matchers
        )

    def match_values(self, values: Any) -> bool:
        """``values`` is the sequence of leaf values found at the field."""
        if not values:
            return self.absent
        if self.exists:
            return True
        strings = self.strings
        if self.only_strings:
            for v in values:  # noqa: SIM110 - a plain loop is faster here
                if type(v) is str and v in strings:
                    return True
            return False
        for v in values:
            kind = type(v)
            if kind is str:
                if v in strings:
                    return True
            elif v is None:
                if self.match_null:
                    return True
            elif kind is bool:
                if self.match_true if v else self.match_false:
                    return True
            elif self.numbers or self.raw_numbers:
                n = self.fmt.comparable(v)
                if n is not None and n in self.numbers:
                    return True
                if self.raw_numbers and is_number(v) and Decimal(str(v)) in self.raw_numbers:
                    return True
            for m in self.matchers:
                if m.match(v):
                    return True
        return False


def leaf_values(value: Any) -> list[Any]:
    """The leaf values of an event value: arrays are crushed, objects are not leaves."""
    out: list[Any] = []
    stack = [value]
    while stack:
        v = stack.pop()
        kind = type(v)
        if kind is list:
            stack.extend(reversed(v))
        elif kind is not dict:
            out.append(v)
    return out


class Node:
    """One step of a branch's path tree (a dotted pattern path is split on ``.``)."""

    __slots__ = ("children", "spec", "shortcuts", "ok_missing", "children_ok_missing")

    def __init__(self) -> None:
        self.children: dict[str, Node] = {}
        self.spec: FieldSpec | None = None
        # Dotted keys an event object may use for a deeper path of this tree
        # ("state.status" for state -> status): the service joins keys with dots.
        self.shortcuts: tuple[str, ...] = ()
        self.ok_missing = True
        self.children_ok_missing = True

    def freeze(self) -> None:
        shortcuts: list[str] = []
        for key, child in self.children.items():
            child.freeze()
            shortcuts.extend(f"{key}.{deeper}" for deeper in child._paths())
        self.shortcuts = tuple(shortcuts)
        self.children_ok_missing = all(c.ok_missing for c in self.children.values())
        spec_ok = self.spec.absent if self.spec is not None else True
        self.ok_missing = spec_ok and self.children_ok_missing

    def _paths(self) -> list[str]:
        out = []
        for key, child in self.children.items():
            out.append(key)
            out.extend(f"{key}.{deeper}" for deeper in child._paths())
        return out

    def match(self, value: Any) -> bool:
        if value is MISSING:
            return self.ok_missing
        spec = self.spec
        if spec is not None:
            kind = type(value)
            if kind is list:
                if not spec.match_values(leaf_values(value)):
                    return False
            elif kind is dict:
                if not spec.match_values(()):
                    return False
            elif not spec.match_values((value,)):
                return False
        if not self.children:
            return True
        return self.match_children(value)

    def match_children(self, value: Any) -> bool:
        kind = type(value)
        if kind is dict:
            if self.shortcuts:
                for key in self.shortcuts:
                    if key in value:
                        value = expand_dotted_keys(value)
                        break
            for key, child in self.children.items():  # noqa: SIM110 - faster than all()
                if not child.match(value.get(key, MISSING)):
                    return False
            return True
        if kind is list:
            # Array-consistent matching: the fields below must all match inside
            # the same element of the array.
            objects = [v for v in leaf_objects(value)]
            if not objects:
                return self.children_ok_missing
            return any(self.match_children(obj) for obj in objects)
        return self.children_ok_missing


def leaf_objects(value: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        v = stack.pop()
        kind = type(v)
        if kind is list:
            stack.extend(reversed(v))
        elif kind is dict:
            out.append(v)
    return out


def expand_dotted_keys(obj: dict[str, Any]) -> dict[str, Any]:
    """``{"a.b": 1}`` read as ``{"a": {"b": 1}}``, merged with what ``a`` already holds.

    Where both spellings hold a value for the same path, both values count (as
    when the service flattens the event into dotted names).
    """
    out: dict[str, Any] = {}
    for key, value in obj.items():
        parts = key.split(".")
        _insert(out, parts, value)
    return out


def _insert(target: dict[str, Any], parts: list[str], value: Any) -> None:
    head = parts[0]
    if len(parts) > 1:
        value = _nest(parts[1:], value)
    if head not in target:
        target[head] = value
        return
    existing = target[head]
    if type(existing) is dict and type(value) is dict:
        merged = dict(existing)
        for k, v in value.items():
            _insert(merged, k.split(".") if "." in k else [k], v)
        target[head] = merged
    else:
        left = existing if type(existing) is list else [existing]
        right = value if type(value) is list else [value]
        target[head] = left + right


def _nest(parts: list[str], value: Any) -> Any:
    for part in reversed(parts):
        value = {part: value}
    return value
