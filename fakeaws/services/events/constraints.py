"""The server-side checks of the botocore model that botocore leaves to EventBridge.

botocore validates types, required members and minimums before a request is
sent; EventBridge (a Coral service) checks the rest: ``max`` lengths and
values, ``pattern`` and ``enum``. It reports all of them at once as one
``ValidationException``::

    2 validation errors detected: Value 'x y' at 'name' failed to satisfy
    constraint: Member must have length less than or equal to 64; Value ...

Member paths are the model's member names with a lower-case first letter,
list members as ``targets.1.member.id``. Values are printed the way the Java
service prints them (``null``, ``[a, b]``, ``Shape(member=value, ...)``);
``PutEventsRequestEntry`` carries two more fields in AWS's rendering than the
public model has, recorded from a real response.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timezone
from typing import Any

from botocore.model import Shape

from fakeaws.errors import AWSError

# Members AWS prints for these structures beyond the public model (from real responses).
_LENGTH = "have length less than or equal to {}"
_VALUE = "have value less than or equal to {}"
_PATTERN = "satisfy regular expression pattern: {}"
_EXTRA_FIELDS = {"PutEventsRequestEntry": ("kmsKeyIdentifier", "internalMetadata")}


def check(operation_model: Any, params: dict) -> None:
    """Raise AWS's ``ValidationException`` if ``params`` break the model's server-side rules."""
    errors: list[str] = []
    shape = operation_model.input_shape
    if shape is not None:
        _check_structure(shape, params, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise AWSError(
            "ValidationException", f"{count} validation {noun} detected: " + "; ".join(errors)
        )


def _member_path(prefix: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{prefix}.{member}" if prefix else member


def _check_structure(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    if not isinstance(value, dict):
        return
    for name, member in shape.members.items():
        if name in value and value[name] is not None:
            _check(member, value[name], _member_path(path, name), errors)


def _check(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    meta = shape.metadata
    kind = shape.type_name
    if kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(_message(value, shape, path, _LENGTH.format(meta["max"])))
        if "pattern" in meta and not _matches(meta["pattern"], value):
            errors.append(_message(value, shape, path, _PATTERN.format(meta["pattern"])))
        if "enum" in meta and value not in meta["enum"]:
            errors.append(
                _message(value, shape, path, f"satisfy enum value set: [{', '.join(meta['enum'])}]")
            )
    elif kind in ("integer", "long") and isinstance(value, int):
        if "max" in meta and value > meta["max"]:
            errors.append(_message(value, shape, path, _VALUE.format(meta["max"])))
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(_message(value, shape, path, _LENGTH.format(meta["max"])))
        for index, item in enumerate(value, start=1):
            if item is not None:
                _check(shape.member, item, f"{path}.{index}.member", errors)
    elif kind == "map" and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(_message(value, shape, path, _LENGTH.format(meta["max"])))
        for key, item in value.items():
            _check(shape.key, key, f"{path}.{key}.key", errors)
            if item is not None:
                _check(shape.value, item, f"{path}.{key}.value", errors)
    elif kind == "structure":
        _check_structure(shape, value, path, errors)


def _message(value: Any, shape: Shape, path: str, constraint: str) -> str:
    return (
        f"Value '{render(value, shape)}' at '{path}' failed to satisfy constraint: "
        f"Member must {constraint}"
    )


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except re.error:  # a Java-only construct (\p{L}...): not checked
        return None


def _matches(pattern: str, value: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is None or compiled.fullmatch(value) is not None


def render(value: Any, shape: Shape | None = None) -> str:
    """A value as the Java service prints it in validation messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list):
        member = shape.member if shape is not None and shape.type_name == "list" else None
        return "[" + ", ".join(render(item, member) for item in value) + "]"
    if isinstance(value, dict):
        if shape is not None and shape.type_name == "structure":
            fields = [
                f"{name[:1].lower() + name[1:]}={render(value.get(name), member)}"
                for name, member in shape.members.items()
            ]
            fields += [f"{extra}=null" for extra in _EXTRA_FIELDS.get(shape.name, ())]
            return f"{shape.name}({', '.join(fields)})"
        return "{" + ", ".join(f"{k}={render(v)}" for k, v in value.items()) + "}"
    return str(value)
