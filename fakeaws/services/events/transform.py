"""What a target receives: the event, a constant ``Input``, an ``InputPath`` or a transformer.

``InputPath`` and the values of ``InputPathsMap`` are JSONPath (read with
jsonpath-ng): dot notation, dashes, array indices and ``*`` wildcards, as
EventBridge documents. A path with a wildcard yields the list of its matches;
a definite path yields the value.

``InputTemplate`` follows EventBridge's quoting rules (the examples of the
"input transformation" guide and recorded responses):

* a template whose text starts with ``{`` or ``[`` is JSON: a placeholder
  standing as a JSON value (``"state": <state>``) becomes that value as JSON,
  a string quoted (``"RUNNING"``); inside a JSON string (``"at <time>"``) it is
  pasted raw, unquoted and unescaped;
* any other template (a quoted string ``"instance <i> is <s>"`` or plain text)
  has every placeholder pasted raw;
* a variable whose path is not in the event is the empty string (so ``""`` as a
  JSON value);
* predefined variables: ``<aws.events.rule-arn>``, ``<aws.events.rule-name>``,
  ``<aws.events.event.ingestion-time>``, ``<aws.events.event>`` (the envelope
  without ``detail``) and ``<aws.events.event.json>`` (the whole event);
* a result that is valid JSON is sent minified; anything else is sent as it is.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from fakeaws.services.events.common import compact, event_time
from fakeaws.services.messaging import parse_json

PREDEFINED = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event",
    "aws.events.event.ingestion-time",
    "aws.events.event.json",
)
PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_MISSING = object()


class PathError(ValueError):
    pass


@functools.lru_cache(maxsize=1024)
def compile_path(path: str):
    """A parsed JSONPath; ``PathError`` if it is not one EventBridge reads."""
    from jsonpath_ng import parse
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError

    if not path.startswith("$"):
        raise PathError(path)
    try:
        return parse(path)
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:  # noqa: BLE001
        raise PathError(path) from exc


def extract(event: Any, path: str) -> Any:
    """The value ``path`` selects in ``event``; ``_MISSING`` when nothing matches."""
    matches = [m.value for m in compile_path(path).find(event)]
    if "*" in path or ".." in path:
        return matches
    return matches[0] if matches else _MISSING


def placeholders(template: str) -> list[str]:
    return PLACEHOLDER.findall(template)


def target_input(target: dict, event: dict, rule_arn: str, rule_name: str, ingested: float) -> str:
    """The body the target receives for ``event``."""
    if "Input" in target:
        return target["Input"]
    if "InputPath" in target:
        value = extract(event, target["InputPath"])
        return compact(None if value is _MISSING else value)
    transformer = target.get("InputTransformer")
    if transformer:
        return render(transformer, event, rule_arn, rule_name, ingested)
    return compact(event)


def event_without_detail(event: dict) -> dict:
    """``<aws.events.event>``: the envelope without ``detail``, as AWS renders it."""
    out = {
        "id": event.get("id"),
        "account": event.get("account"),
        "detailType": event.get("detail-type"),
        "time": event.get("time"),
        "source": event.get("source"),
        "region": event.get("region"),
        "resources": event.get("resources", []),
        "version": event.get("version"),
    }
    if "replay-name" in event:
        out["replayName"] = event["replay-name"]
    return out


def render(transformer: dict, event: dict, rule_arn: str, rule_name: str, ingested: float) -> str:
    values: dict[str, Any] = {
        "aws.events.rule-arn": rule_arn,
        "aws.events.rule-name": rule_name,
        "aws.events.event.ingestion-time": event_time(ingested),
        "aws.events.event": event_without_detail(event),
        "aws.events.event.json": event,
    }
    for key, path in (transformer.get("InputPathsMap") or {}).items():
        value = extract(event, path)
        values[key] = "" if value is _MISSING else value
    template = transformer["InputTemplate"]
    json_mode = template.lstrip()[:1] in ("{", "[")
    out: list[str] = []
    in_string = False
    escaped = False
    i = 0
    while i < len(template):
        char = template[i]
        if char == "<":
            match = PLACEHOLDER.match(template, i)
            if match and match.group(1) in values:
                value = values[match.group(1)]
                bare = json_mode and not in_string
                out.append(compact(value) if bare else _raw(value))
                i = match.end()
                escaped = False
                continue
        if json_mode:
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
        out.append(char)
        i += 1
    text = "".join(out)
    if json_mode:
        try:
            return compact(parse_json(text))
        except ValueError:
            return text
    return text


def _raw(value: Any) -> str:
    """A value pasted into text: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else compact(value)
