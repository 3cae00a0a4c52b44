"""Check fake responses against botocore output shapes.

fakeaws answers API calls in place of AWS, so every response dict it hands
back must be something botocore could have produced by parsing a real AWS
response for that operation.  :func:`check_output` walks a response against
the operation's output shape and lists what is wrong, one problem per item,
each starting with a path such as ``Items[3].Name.S``.

The rules follow what botocore's response parsers actually return (which is
not what ``botocore.validate`` checks for *input* parameters):

* structures are dicts without unknown keys; members are omitted rather than
  ``None``; ``required`` members (the output models do use it) must be there;
  a tagged union has exactly one member set (botocore's parser raises
  otherwise), or the ``SDK_UNKNOWN_MEMBER`` placeholder;
* lists are lists, maps are dicts with ``str`` keys;
* strings are ``str`` and inside their ``enum`` if one is modelled; ``min`` /
  ``max`` bound string length and numeric values (but not list, map or blob
  sizes); ``pattern`` is not checked;
* integer/long are ``int``, float/double ``int`` or ``float``, never ``bool``;
* timestamps are timezone-aware ``datetime.datetime`` objects;
* blobs are ``bytes``, except streaming blobs (``streaming`` trait, or a blob
  that is the output's payload) which are file-like objects with ``.read()``;
* document types and ``jsonvalue`` headers hold any JSON-like value; event
  streams are not checked.

At the top level ``ResponseMetadata`` is always allowed, and so is the
``ExpiresString`` key botocore adds while parsing outputs with an ``Expires``
header (S3 GetObject/HeadObject).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from botocore.model import Shape

__all__ = ["ResponseShapeError", "assert_output", "check_error_fields", "check_output"]

RESPONSE_METADATA = "ResponseMetadata"
UNKNOWN_UNION_MEMBER = "SDK_UNKNOWN_MEMBER"  # what botocore returns for a union tag it doesn't know
EXPIRES_STRING = "ExpiresString"  # added by botocore's before-parse handler for S3

_MAX_REPR = 60
# Modelled bounds that AWS itself breaks in responses, as (shape name, bound) pairs.
# DynamoDB's ProvisionedThroughputDescription.NumberOfDecreasesToday is a PositiveLongObject
# (min 1), yet DescribeTable returns 0 for every table not scaled down today.
_BOUNDS_ERRATA = frozenset({("PositiveLongObject", "min")})
_MAX_ENUM_SHOWN = 8


class ResponseShapeError(AssertionError):
    """A fake response that botocore could not have parsed from AWS."""

    def __init__(
        self, operation_name: str, problems: Iterable[str], service_name: str | None = None
    ) -> None:
        self.operation_name = operation_name
        self.service_name = service_name
        self.problems = list(problems)
        where = f"{service_name} {operation_name}" if service_name else operation_name
        count = len(self.problems)
        header = (
            f"{where} response does not match its botocore output shape "
            f"({count} problem{'s' if count != 1 else ''}):"
        )
        super().__init__("\n".join([header, *(f"  {problem}" for problem in self.problems)]))

    def __reduce__(self):
        return type(self), (self.operation_name, self.problems, self.service_name)


def check_output(shape: Shape | None, value: dict) -> list[str]:
    """Problems (empty list = valid) of `value` against an operation's output shape.
    Each problem names a path like 'Items[3].Name.S' and says what is wrong."""
    problems: list[str] = []
    if not isinstance(value, dict):
        problems.append(f"(response): expected dict, got {_describe(value)}")
        return problems
    extras: dict[str, type] = {RESPONSE_METADATA: dict}
    if shape is None:
        for key, item in value.items():
            if key == RESPONSE_METADATA:
                _check_extra(key, item, dict, problems)
            else:
                problems.append(
                    f"{_key_path('', key)}: unexpected key, the operation has no output"
                )
        return problems
    if _has_expires_header(shape):
        extras[EXPIRES_STRING] = str
    _check_structure(shape, value, "", problems, extras, shape.serialization.get("payload"))
    return problems


def assert_output(operation_model, value: dict) -> None:
    """Raise ResponseShapeError if check_output(operation_model.output_shape, value)
    finds problems."""
    problems = check_output(operation_model.output_shape, value)
    if problems:
        service_model = getattr(operation_model, "service_model", None)
        service_name = getattr(service_model, "service_name", None)
        raise ResponseShapeError(operation_model.name, problems, service_name)


def check_error_fields(operation_model, err) -> None:
    """Raise ResponseShapeError if an AWSError's extra fields are not its error shape's members."""
    from fakeaws.responses import error_shape

    shape = error_shape(operation_model.service_model, err.code)
    members = shape.members if shape is not None else {}
    problems: list[str] = []
    for name, value in err.fields.items():
        member = members.get(name)
        if member is None:
            problems.append(f"{name}: not a member of the error shape {err.code}")
        else:
            _check(member, value, name, problems)
    if problems:
        service_name = getattr(operation_model.service_model, "service_name", None)
        raise ResponseShapeError(f"{operation_model.name} ({err.code})", problems, service_name)


# --- the walk ---------------------------------------------------------------------------------


def _check(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    serialization = shape.serialization
    if serialization.get("eventstream"):
        return  # an EventStream object; nothing to compare it with
    if shape.metadata.get("document") or (
        serialization.get("jsonvalue") and serialization.get("location") == "header"
    ):
        _check_json(value, path, problems)
        return
    checker = _CHECKERS.get(shape.type_name)
    if checker is None:
        problems.append(f"{path}: shape {shape.name} has unsupported type {shape.type_name!r}")
    else:
        checker(shape, value, path, problems)


def _check_structure(
    shape: Shape,
    value: Any,
    path: str,
    problems: list[str],
    extras: dict[str, type] | None = None,
    payload: str | None = None,
) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: expected dict ({shape.name}), got {_describe(value)}")
        return
    members = shape.members
    for key, item in value.items():
        member = members.get(key)
        member_path = _key_path(path, key)
        if member is None:
            if extras and key in extras:
                _check_extra(member_path, item, extras[key], problems)
            elif not (key == UNKNOWN_UNION_MEMBER and shape.metadata.get("union")):
                problems.append(f"{member_path}: unknown key, not a member of {shape.name}")
        elif item is None:
            problems.append(f"{member_path}: is None (botocore omits members that are not set)")
        elif key == payload and member.type_name == "blob":
            _check_stream(item, member_path, problems)  # botocore hands back the body unread
        else:
            _check(member, item, member_path, problems)
    for name in shape.required_members:
        if name not in value:
            problems.append(f"{_key_path(path, name)}: required member of {shape.name} is missing")
    if shape.metadata.get("union"):
        set_members = [key for key in value if key in members or key == UNKNOWN_UNION_MEMBER]
        if len(set_members) != 1:
            problems.append(
                f"{path or '(response)'}: union {shape.name} must have exactly one member set, "
                f"got {len(set_members)}: {sorted(set_members)}"
            )


def _check_list(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, list):
        problems.append(f"{path}: expected list, got {_describe(value)}")
        return
    member = shape.member
    for index, item in enumerate(value):
        _check(member, item, f"{path}[{index}]", problems)


def _check_map(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: expected dict, got {_describe(value)}")
        return
    key_shape = shape.key
    value_shape = shape.value
    for key, item in value.items():
        if not isinstance(key, str):
            problems.append(f"{path}: map key {key!r} is {type(key).__name__}, expected str")
            continue
        _check_bounds(key_shape, len(key), f"{path}: map key {key!r} length", problems)
        _check(value_shape, item, _key_path(path, key), problems)


def _check_string(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, str):
        problems.append(f"{path}: expected str, got {_describe(value)}")
        return
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        shown = ", ".join(enum[:_MAX_ENUM_SHOWN]) + (", ..." if len(enum) > _MAX_ENUM_SHOWN else "")
        problems.append(f"{path}: {value!r} is not a valid {shape.name} (expected one of: {shown})")
    _check_bounds(shape, len(value), f"{path}: length", problems)


def _check_integer(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{path}: expected int ({shape.type_name}), got {_describe(value)}")
        return
    _check_bounds(shape, value, f"{path}: value", problems)


def _check_float(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{path}: expected float ({shape.type_name}), got {_describe(value)}")
        return
    _check_bounds(shape, value, f"{path}: value", problems)


def _check_boolean(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, bool):
        problems.append(f"{path}: expected bool, got {_describe(value)}")


def _check_timestamp(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, datetime.datetime):
        problems.append(f"{path}: expected timezone-aware datetime, got {_describe(value)}")
    elif value.utcoffset() is None:
        problems.append(
            f"{path}: naive datetime {value.isoformat()}; botocore returns timezone-aware "
            "datetimes (tzinfo=tzutc())"
        )


def _check_blob(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if shape.serialization.get("streaming"):
        _check_stream(value, path, problems)
    elif not isinstance(value, (bytes, bytearray)):
        problems.append(f"{path}: expected bytes, got {_describe(value)}")


_CHECKERS: dict[str, Callable[[Shape, Any, str, list[str]], None]] = {
    "structure": _check_structure,
    "list": _check_list,
    "map": _check_map,
    "string": _check_string,
    "integer": _check_integer,
    "long": _check_integer,
    "float": _check_float,
    "double": _check_float,
    "boolean": _check_boolean,
    "timestamp": _check_timestamp,
    "blob": _check_blob,
}


# --- helpers ----------------------------------------------------------------------------------


def _check_stream(value: Any, path: str, problems: list[str]) -> None:
    if not callable(getattr(value, "read", None)):
        problems.append(
            f"{path}: expected a streaming body with .read() "
            f"(e.g. botocore.response.StreamingBody), got {_describe(value)}"
        )


def _check_json(value: Any, path: str, problems: list[str]) -> None:
    """Document types: anything json.loads could return."""
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]", problems)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                _check_json(item, _key_path(path, key), problems)
            else:
                problems.append(f"{path}: document key {key!r} is {type(key).__name__}, not str")
    else:
        problems.append(f"{path}: document value is not JSON-like: {_describe(value)}")


def _check_extra(path: str, value: Any, expected: type, problems: list[str]) -> None:
    if not isinstance(value, expected):
        problems.append(f"{path}: expected {expected.__name__}, got {_describe(value)}")


def _check_bounds(shape: Shape, measured: float, what: str, problems: list[str]) -> None:
    metadata = shape.metadata
    low = metadata.get("min")
    if low is not None and measured < low and (shape.name, "min") not in _BOUNDS_ERRATA:
        problems.append(f"{what} {measured} is below the minimum {low} of {shape.name}")
    high = metadata.get("max")
    if high is not None and measured > high and (shape.name, "max") not in _BOUNDS_ERRATA:
        problems.append(f"{what} {measured} is above the maximum {high} of {shape.name}")


def _has_expires_header(shape: Shape) -> bool:
    # Mirrors botocore.handlers._has_expires_shape, which gates the ExpiresString key.
    member = shape.members.get("Expires")
    return (
        member is not None
        and member.name == "Expires"
        and member.serialization.get("name") == "Expires"
    )


def _key_path(path: str, key: Any) -> str:
    if isinstance(key, str) and key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return f"{type(value).__name__} {text}"
