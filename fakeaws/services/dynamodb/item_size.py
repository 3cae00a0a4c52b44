"""How many bytes DynamoDB counts for an item, a value and a key.

These are the sizes behind the 400 KB item limit, the 2048/1024-byte key
limits, capacity units and the 1 MB Query/Scan page. The rules are the
developer guide's ("DynamoDB item sizes and formats"), made exact:

* a name or a string counts its UTF-8 bytes; a binary its raw bytes;
* BOOL and NULL count 1 byte;
* a number is stored as 1 exponent byte plus its significant digits in base
  100 (one byte per pair of digits, pairs aligned on the decimal point), plus
  a terminator byte when negative; zero is 1 byte. This is the guide's
  "1 byte per two significant digits + 1 byte", exact for digit counts and
  alignments where the guide only says "approximately";
* a List or Map costs 3 bytes, plus 1 byte per element, plus each element's
  size (for a Map, each key's UTF-8 bytes too);
* a set costs the sum of its elements' sizes, with no per-element overhead.

Worked examples and the measurements they agree with are in
``tests/dynamodb/test_types_unit.py``.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

MAX_ITEM_BYTES = 400 * 1024  # an item of exactly 409,600 bytes is accepted
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024


def item_size(item: dict[str, dict[str, Any]]) -> int:
    """Bytes of an item: each attribute's name plus its value."""
    size = 0
    for name, value in item.items():
        size += (len(name) if name.isascii() else len(name.encode("utf-8"))) + value_size(value)
    return size


def value_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value, not counting the attribute's name."""
    for kind, raw in value.items():  # exactly one member
        if kind == "S":
            return len(raw) if raw.isascii() else len(raw.encode("utf-8"))
        if kind == "N":
            return number_size(raw)
        if kind == "B":
            return len(raw) if type(raw) is bytes else len(_as_bytes(raw))
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "M":
            return 3 + sum(1 + _utf8_len(k) + value_size(v) for k, v in raw.items())
        if kind == "L":
            return 3 + sum(1 + value_size(v) for v in raw)
        if kind == "SS":
            return sum(_utf8_len(s) for s in raw)
        if kind == "NS":
            return sum(number_size(n) for n in raw)
        if kind == "BS":
            return sum(len(_as_bytes(b)) for b in raw)
        break
    raise ValueError(f"not a DynamoDB attribute value: {value!r}")


def key_size(value: dict[str, Any]) -> int:
    """Bytes a key attribute's value counts against the 2048/1024-byte key limits.

    Only the value counts, not the attribute's name. A number is at most 21
    bytes, so only strings and binaries ever reach the limits.
    """
    return value_size(value)


@functools.lru_cache(maxsize=4096)
def number_size(text: str) -> int:
    """Bytes of a number: 1 exponent byte + base-100 digits (+1 if negative); 0 is 1 byte."""
    number = Decimal(text)
    if number.is_zero():
        return 1
    sign, digits, _ = number.as_tuple()
    significant = len("".join(map(str, digits)).rstrip("0"))
    top = number.adjusted()  # power of ten of the first significant digit
    bottom = top - significant + 1  # power of ten of the last one
    # A base-100 digit holds the powers 2k+1 and 2k: count the k's spanned.
    centesimal_digits = top // 2 - bottom // 2 + 1
    return 1 + centesimal_digits + sign


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8")) if not text.isascii() else len(text)


def _as_bytes(raw: Any) -> bytes:
    return raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
