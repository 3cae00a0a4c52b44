"""Turning a handler's return value into the response payload, as the Python runtime does.

The runtime (``awslambdaric``) encodes with ``simplejson`` and an encoder of
its own: ``use_decimal=False`` plus a ``default`` that writes a ``Decimal``
as its literal digits (and a NaN one as a float NaN), ``ensure_ascii`` off
on the python3.12 runtime only, simplejson's defaults otherwise: ``", "`` and
``": "`` separators, ``allow_nan=False``, objects with an ``_asdict()`` method
(named tuples) written as JSON objects, ``bytes`` decoded as UTF-8. A
top-level ``bytes`` result is sent as it is. Anything else that is not JSON
makes the invocation fail with ``Runtime.MarshalError``.

This module reproduces that with the standard library: the C encoder when
the value is plain JSON data (the usual case, and the fast one), an encoder
of its own for the rest.
"""

from __future__ import annotations

import decimal
import json
import math
from typing import Any

_encode_str_ascii = json.encoder.encode_basestring_ascii
_encode_str = json.encoder.encode_basestring


def _fast(encode_str: Any) -> Any:
    """The C encoder, made once: plain values are acyclic and finite (see ``_plain``)."""
    c_make_encoder = json.encoder.c_make_encoder
    if c_make_encoder is None:  # pragma: no cover - CPython always has it
        encoder = json.JSONEncoder(ensure_ascii=encode_str is _encode_str_ascii)
        return lambda value: encoder.encode(value)

    def unexpected(value: Any) -> Any:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    iterencode = c_make_encoder(None, unexpected, encode_str, None, ": ", ", ", False, False, False)
    return lambda value: "".join(iterencode(value, 0))


_fast_ascii = _fast(_encode_str_ascii)
_fast_utf8 = _fast(_encode_str)

_PLAIN_SCALARS = (str, int, bool, type(None))
_MAX_PLAIN_DEPTH = 64


class MarshalError(Exception):
    """The handler's result could not be encoded; ``str()`` is the runtime's message."""


def ensure_ascii_for(runtime: str) -> bool:
    """The runtime writes raw UTF-8 on python3.12 only (it checks AWS_EXECUTION_ENV)."""
    return runtime != "python3.12"


def marshal_response(result: Any, ensure_ascii: bool = True) -> bytes:
    """The payload bytes for a handler's result; raises :class:`MarshalError`."""
    if isinstance(result, bytes):
        return result
    try:
        return to_json(result, ensure_ascii).encode("utf-8")
    except Exception as exc:  # noqa: BLE001 - whatever the encoder raised, as the runtime
        raise MarshalError(f"Unable to marshal response: {exc}") from None


def to_json(value: Any, ensure_ascii: bool = True) -> str:
    """``Encoder().encode(value)`` of the runtime's marshaller."""
    if _plain(value, 0):
        return (_fast_ascii if ensure_ascii else _fast_utf8)(value)
    return "".join(_Writer(ensure_ascii).chunks(value))


def _plain(value: Any, depth: int) -> bool:
    """True when the C encoder writes exactly what simplejson would (checked cheaply)."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return True
    if kind is float:
        return math.isfinite(value)
    if depth > _MAX_PLAIN_DEPTH:
        return False
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not _plain(item, depth + 1):
                return False
        return True
    if kind is list:
        return all(_plain(item, depth + 1) for item in value)
    return False


class _Writer:
    """simplejson's encoding rules, for values the C encoder would write differently."""

    def __init__(self, ensure_ascii: bool) -> None:
        self.string = _encode_str_ascii if ensure_ascii else _encode_str
        self.markers: set[int] = set()

    def chunks(self, value: Any):
        if type(value) is _Raw:
            yield value.text
        elif isinstance(value, str):
            yield self.string(value)
        elif isinstance(value, bytes):
            yield self.string(value.decode("utf-8"))
        elif value is None:
            yield "null"
        elif value is True:
            yield "true"
        elif value is False:
            yield "false"
        elif isinstance(value, int):
            yield int.__repr__(value)
        elif isinstance(value, float):
            yield _float(value)
        elif isinstance(value, list):
            yield from self._array(value)
        elif callable(getattr(value, "_asdict", None)):
            mapping = value._asdict()
            if not isinstance(mapping, dict):
                raise TypeError(f"_asdict() must return a dict, not {type(mapping).__name__}")
            yield from self._object(mapping)
        elif isinstance(value, tuple):
            yield from self._array(value)
        elif isinstance(value, dict):
            yield from self._object(value)
        else:
            yield from self.chunks(self._default(value))

    def _default(self, value: Any) -> Any:
        if isinstance(value, decimal.Decimal):
            if value.is_nan():
                return math.nan
            return _Raw(str(value))
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    def _enter(self, container: Any) -> int:
        marker = id(container)
        if marker in self.markers:
            raise ValueError("Circular reference detected")
        self.markers.add(marker)
        return marker

    def _array(self, items: Any):
        marker = self._enter(items)
        yield "["
        first = True
        for item in items:
            if not first:
                yield ", "
            first = False
            yield from self.chunks(item)
        yield "]"
        self.markers.discard(marker)

    def _object(self, mapping: dict):
        marker = self._enter(mapping)
        yield "{"
        first = True
        for key, item in mapping.items():
            key = self._key(key)
            if not first:
                yield ", "
            first = False
            yield self.string(key)
            yield ": "
            yield from self.chunks(item)
        yield "}"
        self.markers.discard(marker)

    def _key(self, key: Any) -> str:
        if isinstance(key, str):
            return key
        if isinstance(key, bytes):
            return key.decode("utf-8")
        if isinstance(key, float):
            return _float(key)
        if key is True:
            return "true"
        if key is False:
            return "false"
        if key is None:
            return "null"
        if isinstance(key, int):
            return int.__repr__(key)
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


class _Raw:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _float(value: float) -> str:
    if math.isfinite(value):
        return float.__repr__(float(value))
    raise ValueError(f"Out of range float values are not JSON compliant: {float(value)!r}")
