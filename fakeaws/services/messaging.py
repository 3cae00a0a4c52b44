"""What the messaging services (SQS, SNS, EventBridge) read and keep alike.

* Message attributes: SendMessage and Publish take the same
  ``MessageAttributeValue`` shape (``DataType`` plus ``StringValue`` or
  ``BinaryValue``). Both services count an attribute's name, type and value
  towards the message's size, read ``Number`` values with Java's ``BigDecimal``
  syntax, and keep binary values as bytes (a client may pass a ``str``, which
  botocore sends as its UTF-8 bytes). Their validation rules and messages
  differ, and stay with each service.
* FIFO deduplication windows (SQS queues and SNS topics, five minutes).
* JSON documents from callers (policies, event details, filter policies):
  read as AWS's parsers read them, which refuse ``NaN`` and documents nested
  more than 1000 levels deep where Python's ``json`` would accept or crash.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

# Java's BigDecimal(String): a sign, digits with an optional point, an optional exponent.
# No NaN, Infinity, hexadecimal or digit separators (all of which Python's Decimal reads).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: Any) -> Decimal | None:
    """A ``Number`` attribute's value (surrounding white space ignored), or None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    return Decimal(text) if _NUMBER.fullmatch(text) else None


def utf8_len(value: Any) -> int:
    """Bytes a text (UTF-8) or binary value counts for; 0 for anything else."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    return 0


def attributes_size(attributes: dict | None) -> int:
    """What message attributes count towards a message's size: names, types and values."""
    total = 0
    for name, value in (attributes or {}).items():
        total += utf8_len(name)
        if isinstance(value, dict):
            total += utf8_len(value.get("DataType"))
            total += utf8_len(value.get("StringValue")) + utf8_len(value.get("BinaryValue"))
    return total


def binary_value(value: Any) -> bytes:
    """A ``BinaryValue`` as the bytes AWS receives (a ``str`` is sent as UTF-8)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return bytes(value or b"")


# -- FIFO deduplication windows ------------------------------------------------------------------
DEDUP_WINDOW = 300.0  # seconds a FIFO deduplication id (or SQS receive attempt id) is remembered


def forget_expired(window: dict[Any, tuple], now: float) -> None:
    """Drop the entries older than ``DEDUP_WINDOW`` from a deduplication window.

    ``window`` maps ids to tuples whose first item is when the id was recorded, and
    is kept in that order (an id is recorded again only after it expired), so the
    expired entries are at its front.
    """
    cutoff = now - DEDUP_WINDOW
    while window:
        first = next(iter(window))
        if window[first][0] > cutoff:
            return
        del window[first]


# -- JSON documents from callers -----------------------------------------------------------------
JSON_TOO_DEEP = (
    "Document nesting depth (1001) exceeds the maximum allowed (1000, from "
    "`StreamReadConstraints.getMaxNestingDepth()`)"
)


class JsonTooDeep(ValueError):
    """A document nested deeper than Python's parser goes (AWS refuses more than 1000 levels)."""


class JsonNotStandard(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python reads them, AWS's parsers do not."""


def _refuse_constant(name: str) -> Any:
    raise JsonNotStandard(
        f"Non-standard token '{name}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
    )


def parse_json(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` as AWS's parsers read JSON: a ``ValueError`` for documents nested too
    deep and for the non-standard ``NaN`` / ``Infinity`` tokens."""
    try:
        return json.loads(text, parse_constant=_refuse_constant, **kwargs)
    except RecursionError:
        raise JsonTooDeep(JSON_TOO_DEEP) from None
