"""DynamoDB attribute values: validation, numbers, comparison and ordering.

Values are kept as botocore parses them (``{"S": "x"}``, ``{"N": "1.5"}``,
``{"B": b"..."}``, ``{"BOOL": True}``, ``{"NULL": True}``, ``{"M": {...}}``,
``{"L": [...]}``, ``{"SS": [...]}``, ``{"NS": [...]}``, ``{"BS": [...]}``),
with numbers in DynamoDB's normalized string form and binaries as ``bytes``.

botocore has already checked the JSON-level shape of a request (the type of
each member); ``validate_value``, ``validate_item`` and
``validate_key_attributes`` check the rest with DynamoDB's own messages.
Sizes live in ``item_size`` and are re-exported here.

Where a message comes from: the bare messages were captured against DynamoDB
by dynalite's test suite (``test/*.js``, "validations" sections); the empty-key
messages by dynoxide's and other captures (2020 onwards); the nesting message
by a conformance suite's eu-west-2 capture (2026). A message for a value in
``ExpressionAttributeValues`` is wrapped as
``ExpressionAttributeValues contains invalid value: <message> for key :v``.
"""

from __future__ import annotations

import base64
import re
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from fakeaws.errors import AWSError, validation_error
from fakeaws.services.dynamodb.item_size import (
    MAX_ITEM_BYTES,
    MAX_PARTITION_KEY_BYTES,
    MAX_SORT_KEY_BYTES,
    item_size,
    key_size,
    number_size,
    value_size,
)

__all__ = [
    "MAX_ITEM_BYTES",
    "MAX_NESTING_DEPTH",
    "item_size",
    "key_size",
    "number_size",
    "value_size",
    "validate_value",
    "validate_item",
    "validate_item_sized",
    "validate_key_attributes",
]

AttributeValue = dict[str, Any]

# Enough precision that parsing never rounds: DynamoDB refuses > 38 digits instead.
_PARSE = Context(prec=200)
MAX_DIGITS = 38
MAX_EXPONENT = 125  # largest magnitude 9.99...E+125
MIN_EXPONENT = -130  # smallest magnitude 1E-130
MAX_NESTING_DEPTH = 32  # a top-level attribute is level 1

_INVALID = "One or more parameter values were invalid: "
_NOT_VALID = "One or more parameter values are not valid. "

MSG_EMPTY_VALUE = (
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
)
MSG_MULTIPLE_TYPES = (
    "Supplied AttributeValue has more than one datatypes set, "
    "must contain exactly one of the supported datatypes"
)
MSG_NULL_NOT_TRUE = _INVALID + "Null attribute value types must have the value of true"
# AWS's wording, double space included.
MSG_EMPTY_SET = {
    "SS": _INVALID + "An string set  may not be empty",
    "NS": _INVALID + "An number set  may not be empty",
    "BS": _INVALID + "Binary sets should not be empty",
}
MSG_NS_DUPLICATES = "Input collection contains duplicates"  # no prefix, no list, no period
MSG_NOT_A_NUMBER = "The parameter cannot be converted to a numeric value"
MSG_TOO_MANY_DIGITS = "Attempting to store more than 38 significant digits in a Number"
MSG_OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
MSG_UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
MSG_NESTING = (
    "Nesting Levels have exceeded supported limits: "
    "Attributes in the item have nested levels beyond supported limit"
)
MSG_ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"
# UpdateItem's variant, for the backend to use when an update makes the item too large.
MSG_UPDATE_TOO_LARGE = "Item size to update has exceeded the maximum allowed size"
MSG_KEY_MISMATCH = "The provided key element does not match the schema"
MSG_HASH_KEY_TOO_LONG = (  # AWS's wording: no space in "of2048"
    _INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
)
MSG_RANGE_KEY_TOO_LONG = (
    _INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
)

# The grammar DynamoDB accepts: optional sign, digits with an optional point, optional exponent.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE](?P<exponent>[+-]?[0-9]+))?")


def to_decimal(text: str) -> Decimal:
    """Parse a DynamoDB number (already validated) for arithmetic and comparison."""
    return Decimal(text)


def normalize_number(text: str) -> str:
    """DynamoDB's canonical form of a number, or its ValidationException.

    Leading and trailing zeros go, there is no exponent, -0 is 0: what
    DynamoDB returns for a number it stored. Checks, in DynamoDB's order:
    syntax, overflow, underflow, 38 significant digits.
    """
    if not text:
        raise validation_error(MSG_NOT_A_NUMBER)
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise validation_error(f"{MSG_NOT_A_NUMBER}: {text}")
    try:
        value = Decimal(text)
    except InvalidOperation:  # an exponent beyond what Decimal can hold
        exponent = match["exponent"] or ""
        raise validation_error(
            MSG_UNDERFLOW if exponent.startswith("-") else MSG_OVERFLOW
        ) from None
    return format_number(value)


def format_number(value: Decimal) -> str:
    """Canonical text of a Decimal result (of arithmetic or parsing), with DynamoDB's limits."""
    if not value.is_finite():
        raise validation_error(f"{MSG_NOT_A_NUMBER}: {value}")
    if value.is_zero():
        return "0"
    if value.adjusted() > MAX_EXPONENT:
        raise validation_error(MSG_OVERFLOW)
    if value.adjusted() < MIN_EXPONENT:
        raise validation_error(MSG_UNDERFLOW)
    if len("".join(map(str, value.as_tuple().digits)).rstrip("0")) > MAX_DIGITS:
        raise validation_error(MSG_TOO_MANY_DIGITS)
    return format(value.normalize(_PARSE), "f")


# --- validation ---------------------------------------------------------------------------


class _Invalid(Exception):
    """A value's own problem; ``validate_value`` adds the ExpressionAttributeValues wrapper."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def validate_value(value: AttributeValue, *, where: str = "") -> AttributeValue:
    """A normalized deep copy of one attribute value, or DynamoDB's ValidationException.

    Numbers (alone and in sets) come back in canonical form, binaries as
    ``bytes``. Checks: exactly one type member, numbers, NULL is true, sets
    non-empty and without duplicates (numbers compared by value), nesting of
    at most 32 levels (the value itself is level 1). Empty strings and
    binaries are accepted: only key attributes refuse them
    (``validate_key_attributes``).

    ``where`` says where the value came from, which changes the message:

    * ``""`` (default): ``Item``, ``Key``, ``ExclusiveStartKey``, legacy
      ``Expected`` / ``AttributeUpdates`` / ``AttributeValueList``: the bare
      message, e.g. ``One or more parameter values were invalid: An number
      set  may not be empty``;
    * ``":name"``, the placeholder of an ``ExpressionAttributeValues`` entry:
      ``ExpressionAttributeValues contains invalid value: <bare message> for
      key :name``. The nesting message is never wrapped.
    """
    if where and not where.startswith(":"):
        raise ValueError(f"where must be '' or an ExpressionAttributeValues placeholder: {where!r}")
    try:
        return _checked(value, 1)
    except _Invalid as problem:
        message = problem.message
        if where:
            message = f"ExpressionAttributeValues contains invalid value: {message} for key {where}"
        raise validation_error(message) from None


def validate_item(item: dict[str, AttributeValue]) -> dict[str, AttributeValue]:
    """A normalized copy of a whole item: each value checked, then the 400 KB limit.

    Key attributes are checked separately, against the table, by
    ``validate_key_attributes``.
    """
    return validate_item_sized(item)[0]


def validate_item_sized(item: dict[str, AttributeValue]) -> tuple[dict[str, AttributeValue], int]:
    """``validate_item``, and the checked item's size (for capacity)."""
    checked = {name: validate_value(value) for name, value in item.items()}
    size = item_size(checked)
    if size > MAX_ITEM_BYTES:
        raise validation_error(MSG_ITEM_TOO_LARGE)
    return checked, size


def _checked(value: AttributeValue, level: int) -> AttributeValue:
    if len(value) == 1:  # the usual case
        for kind, raw in value.items():
            check = _CHECKS.get(kind)
            if check is not None:
                return {kind: check(raw, level)}
    # None, several, or unknown type members: unknown ones are ignored, as AWS's parser does.
    out = {kind: _CHECKS[kind](raw, level) for kind, raw in value.items() if kind in _CHECKS}
    if not out:
        raise _Invalid(MSG_EMPTY_VALUE)
    if len(out) > 1:
        raise _Invalid(MSG_MULTIPLE_TYPES)
    return out


def _number(text: str) -> str:
    try:
        return normalize_number(text)
    except AWSError as error:
        raise _Invalid(error.message) from None


def _blob(raw: Any) -> bytes:
    # botocore accepts str (sent as its UTF-8 bytes), bytes and bytearray for a blob.
    return raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)


def _null(raw: bool, level: int) -> bool:
    if raw is not True:
        raise _Invalid(MSG_NULL_NOT_TRUE)
    return True


def _map(raw: dict, level: int) -> dict:
    if raw and level >= MAX_NESTING_DEPTH:
        raise validation_error(MSG_NESTING)
    return {name: _checked(value, level + 1) for name, value in raw.items()}


def _list(raw: list, level: int) -> list:
    if raw and level >= MAX_NESTING_DEPTH:
        raise validation_error(MSG_NESTING)
    return [_checked(value, level + 1) for value in raw]


def _string_set(raw: list, level: int) -> list:
    if not raw:
        raise _Invalid(MSG_EMPTY_SET["SS"])
    if len(set(raw)) != len(raw):
        raise _Invalid(f"{_INVALID}Input collection [{', '.join(raw)}] contains duplicates.")
    return list(raw)


def _number_set(raw: list, level: int) -> list:
    if not raw:
        raise _Invalid(MSG_EMPTY_SET["NS"])
    numbers = [_number(text) for text in raw]
    if len(set(numbers)) != len(numbers):
        raise _Invalid(MSG_NS_DUPLICATES)
    return numbers


def _binary_set(raw: list, level: int) -> list:
    if not raw:
        raise _Invalid(MSG_EMPTY_SET["BS"])
    blobs = [_blob(b) for b in raw]
    if len(set(blobs)) != len(blobs):
        shown = ", ".join(base64.b64encode(b).decode("ascii") for b in blobs)
        raise _Invalid(f"{_INVALID}Input collection [{shown}]of type BS contains duplicates.")
    return blobs


_CHECKS = {
    "S": lambda raw, level: raw,
    "N": lambda raw, level: _number(raw),
    "B": lambda raw, level: _blob(raw),
    "BOOL": lambda raw, level: raw,
    "NULL": _null,
    "M": _map,
    "L": _list,
    "SS": _string_set,
    "NS": _number_set,
    "BS": _binary_set,
}


def validate_key_attributes(
    item: dict[str, AttributeValue],
    key_schema: list[dict],
    attribute_types: dict[str, str],
    *,
    what: str,
) -> None:
    """Check the primary key attributes of an item or of a ``Key`` parameter.

    Each key attribute, in key-schema order: present, of its declared type
    (S, N or B), not an empty string or binary, within 2048 bytes (partition
    key) or 1024 bytes (sort key). ``what`` picks DynamoDB's message family:

    * ``"item"`` (PutItem, BatchWriteItem put, TransactWriteItems put): ``Missing
      the key pk in the item`` / ``Type mismatch for key pk expected: S actual: N``;
    * ``"key"`` (GetItem, DeleteItem, UpdateItem, ConditionCheck... ``Key``): any
      missing, extra or mistyped attribute is ``The provided key element does
      not match the schema``.

    The empty-value and size messages are the same for both. Values are
    expected to have passed ``validate_value`` already.
    """
    if what not in ("item", "key"):
        raise ValueError(f"what must be 'item' or 'key', not {what!r}")
    if what == "key" and len(item) != len(key_schema):
        raise validation_error(MSG_KEY_MISMATCH)
    for element in key_schema:
        name = element["AttributeName"]
        expected = attribute_types[name]
        value = item.get(name)
        if value is None:
            if what == "key":
                raise validation_error(MSG_KEY_MISMATCH)
            raise validation_error(f"{_INVALID}Missing the key {name} in the item")
        actual = value_type(value)
        if actual != expected:
            if what == "key":
                raise validation_error(MSG_KEY_MISMATCH)
            raise validation_error(
                f"{_INVALID}Type mismatch for key {name} expected: {expected} actual: {actual}"
            )
        if actual in ("S", "B") and len(value[actual]) == 0:
            kind = "string" if actual == "S" else "binary"
            raise validation_error(
                f"{_NOT_VALID}The AttributeValue for a key attribute cannot contain an empty "
                f"{kind} value. Key: {name}"
            )
        if element["KeyType"] == "HASH":
            if key_size(value) > MAX_PARTITION_KEY_BYTES:
                raise validation_error(MSG_HASH_KEY_TOO_LONG)
        elif key_size(value) > MAX_SORT_KEY_BYTES:
            raise validation_error(MSG_RANGE_KEY_TOO_LONG)


# --- comparison and copying -----------------------------------------------------------------


def value_type(value: AttributeValue) -> str:
    """The type descriptor of a value: "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"."""
    return next(iter(value))


def sort_key(value: AttributeValue) -> Any:
    """An orderable Python value for a key attribute (S, N or B) in DynamoDB's order.

    Strings order by their UTF-8 bytes, binaries by unsigned bytes, numbers
    numerically.
    """
    kind, raw = next(iter(value.items()))
    if kind == "N":
        return Decimal(raw)
    if kind == "S":
        return raw.encode("utf-8")
    if kind == "B":
        return bytes(raw)
    raise AWSError("ValidationException", f"Invalid key type {kind}")


def compare(a: AttributeValue, b: AttributeValue) -> int | None:
    """-1, 0 or 1 for two scalar values of the same type (S, N or B); None if not comparable.

    This is the ordering of the comparators and BETWEEN in expressions; values
    of different or non-scalar types never compare (the condition is false).
    """
    kind = value_type(a)
    if kind != value_type(b) or kind not in ("S", "N", "B"):
        return None
    x, y = sort_key(a), sort_key(b)
    return (x > y) - (x < y)


def equal(a: AttributeValue, b: AttributeValue) -> bool:
    """DynamoDB equality: same type and same value (sets compare as sets, numbers numerically)."""
    kind = value_type(a)
    if kind != value_type(b):
        return False
    x, y = a[kind], b[kind]
    if kind == "N":
        return Decimal(x) == Decimal(y)
    if kind == "NS":
        return {Decimal(v) for v in x} == {Decimal(v) for v in y}
    if kind in ("SS", "BS"):
        return set(x) == set(y)
    if kind == "M":
        return x.keys() == y.keys() and all(equal(x[k], y[k]) for k in x)
    if kind == "L":
        return len(x) == len(y) and all(equal(p, q) for p, q in zip(x, y))
    return x == y


def copy_value(value: AttributeValue) -> AttributeValue:
    """A deep copy (values are nested dicts and lists; bytes and str are immutable)."""
    kind, raw = next(iter(value.items()))
    if kind == "M":
        return {"M": {k: copy_value(v) for k, v in raw.items()}}
    if kind == "L":
        return {"L": [copy_value(v) for v in raw]}
    if kind in ("SS", "NS", "BS"):
        return {kind: list(raw)}
    return {kind: raw}


def copy_item(item: dict[str, AttributeValue]) -> dict[str, AttributeValue]:
    return {name: copy_value(value) for name, value in item.items()}
