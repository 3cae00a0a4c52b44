"""The three users of the pattern language and where they differ.

- ``eventbridge``: EventBridge rules (PutRule, TestEventPattern); every operator.
- ``sns``: SNS subscription filter policies. SNS runs an older version of the
  language: no ``wildcard``, no ``{"prefix": {"equals-ignore-case": ...}}``,
  ``anything-but`` only with a single ``prefix`` inside ("Unsupported
  anything-but pattern: suffix", as AWS answers); numbers from -10^9 to 10^9
  with five decimals; at most five keys and 150 combinations; attribute-scoped
  policies (the default ``MessageAttributes`` scope) cannot nest; its messages
  carry the parser's location.
- ``lambda``: event source mapping ``FilterCriteria``. The operators EventBridge
  Pipes support (no ``wildcard``, no ``anything-but`` with ``prefix``, ``suffix``,
  ``equals-ignore-case`` or ``wildcard`` inside); every refusal is
  "Invalid filter pattern definition.".
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import PatternError
from .jsonvalues import Obj
from .numbers import EVENTBRIDGE_NUMBERS, SNS_NUMBERS, NumberFormat
from .wildcard import MAX_COMPLEXITY, TOO_COMPLEX, complexity

SNS_MAX_KEYS = 5
SNS_MAX_COMBINATIONS = 150
SNS_SCOPES = ("MessageAttributes", "MessageBody")
LAMBDA_MAX_FILTERS = 5  # default quota; AWS raises it to 10 on request


class Dialect:
    name = "eventbridge"
    numbers: NumberFormat = EVENTBRIDGE_NUMBERS
    #: Whether the service's messages carry the parser's location (SNS's do).
    reports_location = False
    #: Longest pattern text the service takes (its API model's limit), or None.
    max_length: int | None = 4096
    unsupported: frozenset[str] = frozenset({"exactly"})

    def supports(self, operator: str) -> bool:
        """``operator`` is a match type, or ``"outer/inner"`` for a nested one."""
        return operator not in self.unsupported

    def operator(self, op: str, compiler: Any) -> None:
        """Called after each valid match expression."""

    def finish(self, branches: list[dict[str, Any]], compiler: Any, parsed: Any) -> None:
        """The whole pattern compiled: limits that need all of it."""
        for parts in compiler.wildcards:
            if complexity(parts) > MAX_COMPLEXITY:
                raise PatternError(TOO_COMPLEX, self.name)


class EventBridgeDialect(Dialect):
    pass


class SnsDialect(Dialect):
    name = "sns"
    numbers = SNS_NUMBERS
    reports_location = True
    max_length = 256 * 1024  # "The maximum size of a filter policy is 256 KB."
    unsupported = frozenset(
        {
            "exactly",
            "wildcard",
            "prefix/equals-ignore-case",
            "suffix/equals-ignore-case",
            "anything-but/suffix",
            "anything-but/equals-ignore-case",
            "anything-but/wildcard",
            "anything-but/list-set",
        }
    )

    def __init__(self, scope: str = "MessageAttributes") -> None:
        self.scope = scope

    def finish(self, branches: list[dict[str, Any]], compiler: Any, parsed: Any) -> None:
        if _top_level_keys(parsed) > SNS_MAX_KEYS:
            raise PatternError(
                f"Filter policy can not have more than {SNS_MAX_KEYS} keys", self.name
            )
        if self.scope == "MessageAttributes" and compiler.max_depth > 1:
            raise PatternError(
                "Filter policy scope MessageAttributes does not support nested filter policy",
                self.name,
                prefixed=False,
            )
        total = 0
        for branch in branches:
            product = 1
            for spec in branch.values():
                product *= spec.count * spec.depth
            total += product
        if total > SNS_MAX_COMBINATIONS:
            raise PatternError("Filter policy is too complex", self.name)


class LambdaDialect(Dialect):
    name = "lambda"
    unsupported = frozenset(
        {
            "exactly",
            "wildcard",
            "anything-but/prefix",
            "anything-but/suffix",
            "anything-but/equals-ignore-case",
            "anything-but/wildcard",
        }
    )


def _top_level_keys(parsed: Any) -> int:
    """Keys SNS counts: the policy's own keys, and the largest ``$or`` alternative's."""
    if not isinstance(parsed, Obj):
        return 0
    keys: set[str] = set()
    extra = 0
    for key, value in parsed:
        if key == "$or" and isinstance(value, list) and not isinstance(value, Obj):
            extra = max([extra, *(_top_level_keys(v) for v in value)])
        else:
            keys.add(key)
    return len(keys) + extra


DIALECTS: dict[str, Dialect] = {
    "eventbridge": EventBridgeDialect(),
    "sns": SnsDialect("MessageAttributes"),
    "lambda": LambdaDialect(),
}
_SNS_BODY = SnsDialect("MessageBody")


def get_dialect(name: str, scope: str | None = None) -> Dialect:
    if name == "sns" and scope is not None:
        if scope not in SNS_SCOPES:
            raise ValueError(f"unknown SNS filter policy scope {scope!r}")
        return _SNS_BODY if scope == "MessageBody" else DIALECTS["sns"]
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(
            f"unknown event-pattern dialect {name!r}; expected one of {sorted(DIALECTS)}"
        ) from None


# -- turning service data into the event a pattern reads ----------------------


def _refuse(name: str) -> Any:
    raise ValueError(f"non-standard JSON token {name}")


def _loads(text: str) -> Any:
    """Service data as AWS's JSON parser reads it (ValueError if it cannot)."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse)
    except RecursionError:  # too deep for Python is too deep for AWS (1000 levels) too
        raise ValueError("document nested too deeply") from None


def sns_attributes_event(message_attributes: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """The document an attribute-scoped SNS filter policy is matched against.

    ``message_attributes`` as Publish takes them (``{"name": {"DataType": ...,
    "StringValue": ...}}``). ``String`` attributes are strings, ``Number``
    attributes numbers, ``String.Array`` attributes their JSON array; ``Binary``
    attributes are not compared ("Amazon SNS compares policy properties only to
    message attributes" of the String, String.Array and Number types).
    Custom type suffixes (``Number.float``) count as their base type.
    """
    event: dict[str, Any] = {}
    for name, attribute in (message_attributes or {}).items():
        data_type = attribute.get("DataType") or attribute.get("Type") or ""
        raw = attribute.get("StringValue", attribute.get("Value"))
        if data_type == "String.Array":
            try:
                value = _loads(raw) if isinstance(raw, str) else None
            except ValueError:
                continue
            if isinstance(value, list):
                event[name] = value
            continue
        base = data_type.split(".", 1)[0]
        if base == "String" and isinstance(raw, str):
            event[name] = raw
        elif base == "Number" and isinstance(raw, str):
            event[name] = _sns_number(raw)
    return event


def _sns_number(text: str) -> Any:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    if number == number.to_integral_value() and "e" not in text.lower() and "." not in text:
        return int(number)
    return number


def sns_body_event(message: str | None) -> dict[str, Any] | None:
    """The document a body-scoped policy reads: the message if it is a JSON object.

    "Filter policies for the message body assume that the message payload is a
    well-formed JSON object"; anything else matches no policy (None).
    """
    if not isinstance(message, str):
        return None
    try:
        body = _loads(message)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def lambda_json_data(value: Any, *, base64_encoded: bool = False) -> tuple[Any, bool]:
    """``(value, is_json)`` for a record's data field as Lambda filtering reads it.

    An SQS ``body`` (or a Kinesis ``data`` blob, base64-encoded) that is a JSON
    object is matched as that object; anything else stays the plain string.
    """
    text = value
    if base64_encoded:
        try:
            text = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
            return value, False
    if not isinstance(text, str):
        return value, False
    try:
        parsed = _loads(text)
    except ValueError:
        return text, False
    if isinstance(parsed, dict):
        return parsed, True
    return text, False


def lambda_filters_match(patterns: Iterable[Any], record: dict[str, Any], data_key: str) -> bool:
    """Whether Lambda passes ``record`` on: any filter matches (no filters: all pass).

    ``record[data_key]`` (``body`` for SQS, ``data`` for Kinesis, ``dynamodb`` for
    DynamoDB streams) holds the parsed JSON object, or the plain string when the
    data is not JSON (see ``lambda_json_data``). As AWS documents, a record whose
    data format does not fit the filter's (a JSON filter for a plain string, or a
    plain-string filter for JSON) is dropped by that filter.
    """
    any_pattern = False
    for pattern in patterns:
        any_pattern = True
        shape = pattern.top_level.get(data_key)
        if shape is not None:
            is_json = isinstance(record.get(data_key), dict)
            if (shape == "object") != is_json:
                continue
        if pattern.matches(record):
            return True
    return not any_pattern
