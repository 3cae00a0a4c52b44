"""CloudWatch Logs: one account's log groups in one region.

Events live per stream, sorted by (timestamp, arrival). Retention is applied
when reading, on the virtual clock: an event whose timestamp is older than the
group's retention is never returned again (and no longer counted in storedBytes).

``append(group, stream, messages)`` is the Python entry point other services
(the Lambda runtime) use to write output; it creates the group and stream.

LIMITATIONS (see docs/logs.md): KMS keys are stored, not used; deletion
protection, log group classes other than STANDARD, metric and subscription
filters, Insights queries, cross-account identifiers and data protection are
not modelled.
"""

from __future__ import annotations

import base64
import bisect
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.base import Backend, permission
from fakeaws.services.logs.filter_pattern import FilterPatternError, compile_pattern

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.cloud import Cloud

DAY_MS = 86_400_000
RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
    2557, 2922, 3288, 3653,
)  # fmt: skip
MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_RESPONSE_BYTES = 1_048_576
TOO_OLD_MS = 14 * DAY_MS
TOO_NEW_MS = 2 * 3_600_000
MAX_BATCH_SPAN_MS = DAY_MS
MAX_TAGS = 50
GROUP_NAME = re.compile(r"[\.\-_/#A-Za-z0-9]+")
STREAM_NAME = re.compile(r"[^:*]*")

NO_GROUP = "The specified log group does not exist."
NO_STREAM = "The specified log stream does not exist."


def _invalid(message: str) -> AWSError:
    return AWSError("InvalidParameterException", message)


def _constraint(value: Any, member: str, constraint: str) -> AWSError:
    return _invalid(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


@dataclass
class Event:
    timestamp: int
    seq: int  # arrival order within the group, breaks timestamp ties
    message: str
    ingestion_time: int
    size: int

    @property
    def key(self) -> tuple[int, int]:
        return (self.timestamp, self.seq)


@dataclass
class LogStream:
    name: str
    arn: str
    creation_time: int
    events: list[Event] = field(default_factory=list)
    keys: list[tuple[int, int]] = field(default_factory=list)
    first_event: int | None = None
    last_event: int | None = None
    last_ingestion: int | None = None

    def add(self, event: Event) -> None:
        key = event.key
        if not self.keys or key >= self.keys[-1]:  # the usual case: in time order
            self.keys.append(key)
            self.events.append(event)
        else:
            index = bisect.bisect(self.keys, key)
            self.keys.insert(index, key)
            self.events.insert(index, event)
        if self.first_event is None or event.timestamp < self.first_event:
            self.first_event = event.timestamp
        if self.last_event is None or event.timestamp > self.last_event:
            self.last_event = event.timestamp
        self.last_ingestion = event.ingestion_time


@dataclass
class LogGroup:
    name: str
    arn: str  # without the trailing ":*"
    creation_time: int
    kms_key_id: str | None = None
    retention: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    streams: dict[str, LogStream] = field(default_factory=dict)
    seq: int = 0

    def cutoff(self, now_ms: int) -> int:
        """The oldest timestamp still retained."""
        return now_ms - self.retention * DAY_MS if self.retention else -(2**63)


def _encode(data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def _decode(token: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError) as exc:
        raise _invalid("The specified nextToken is invalid.") from exc


def group_resource(backend: Any, call: Call) -> list[str]:
    p = call.params
    ident = p.get("logGroupIdentifier") or p.get("logGroupName")
    if p.get("resourceArn"):
        return [p["resourceArn"]]
    if not ident:
        return ["*"]
    if ident.startswith("arn:"):
        return [ident]
    return [backend.arn(f"log-group:{ident}")]


class LogsBackend(Backend):
    service = "logs"
    iam_prefix = "logs"

    def __init__(self, cloud: Cloud, account_id: str, region: str) -> None:
        super().__init__(cloud, account_id, region)
        self.groups: dict[str, LogGroup] = {}
        self._upload_seq = 0

    # -- helpers -----------------------------------------------------------------------
    def _now_ms(self) -> int:
        return self.cloud.clock.millis()

    def _new_group(self, name: str, now_ms: int) -> LogGroup:
        group = LogGroup(name, self.arn(f"log-group:{name}"), now_ms)
        self.groups[name] = group
        return group

    def _new_stream(self, group: LogGroup, name: str, now_ms: int) -> LogStream:
        stream = LogStream(name, f"{group.arn}:log-stream:{name}", now_ms)
        group.streams[name] = stream
        return stream

    def _group(self, p: dict, *, name_key: str = "logGroupName") -> LogGroup:
        name = p.get(name_key)
        ident = p.get("logGroupIdentifier")
        if name and ident:
            raise _invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        name = name or ident
        if not name:
            raise _invalid("Should provide either name or ARN of the log group.")
        if name.startswith("arn:"):
            name = self._name_from_arn(name)
        group = self.groups.get(name)
        if group is None:
            raise AWSError("ResourceNotFoundException", NO_GROUP)
        return group

    def _name_from_arn(self, arn: str) -> str:
        rest = arn.split(":log-group:", 1)
        if len(rest) != 2:
            raise AWSError("ResourceNotFoundException", NO_GROUP)
        name = rest[1]
        return name[:-2] if name.endswith(":*") else name

    def _stream(self, group: LogGroup, name: str) -> LogStream:
        stream = group.streams.get(name)
        if stream is None:
            raise AWSError("ResourceNotFoundException", NO_STREAM)
        return stream

    def _add(self, group: LogGroup, stream: LogStream, ts: int, message: str, now: int) -> None:
        group.seq += 1
        size = len(message.encode("utf-8"))
        stream.add(Event(ts, group.seq, message, now, size))

    def _retained(self, group: LogGroup, stream: LogStream) -> list[Event]:
        cutoff = group.cutoff(self._now_ms())
        start = bisect.bisect_left(stream.keys, (cutoff, -1))
        return stream.events[start:]

    def _stored_bytes(self, group: LogGroup) -> int:
        return sum(e.size for s in group.streams.values() for e in self._retained(group, s))

    @staticmethod
    def _check_group_name(name: str) -> None:
        if not GROUP_NAME.fullmatch(name):
            raise _constraint(
                name,
                "logGroupName",
                "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
            )

    @staticmethod
    def _check_stream_name(name: str) -> None:
        if not STREAM_NAME.fullmatch(name):
            raise _constraint(
                name, "logStreamName", "Member must satisfy regular expression pattern: [^:*]*"
            )

    @staticmethod
    def _check_tags(tags: dict[str, str]) -> None:
        if len(tags) > MAX_TAGS:
            raise _invalid(f"A log group can have a maximum of {MAX_TAGS} tags.")

    # -- Python API --------------------------------------------------------------------
    def append(self, group: str, stream: str, messages: list[tuple[int, str]]) -> None:
        """Write ``(timestamp_ms, message)`` pairs, creating the group and stream if needed."""
        with self.cloud.lock:
            now = self._now_ms()
            log_group = self.groups.get(group) or self._new_group(group, now)
            log_stream = log_group.streams.get(stream) or self._new_stream(log_group, stream, now)
            for ts, message in messages:
                self._add(log_group, log_stream, int(ts), message, now)

    def events(self, group: str, stream: str) -> list[tuple[int, str]]:
        """The retained ``(timestamp_ms, message)`` pairs of a stream, oldest first."""
        log_group = self.groups[group]
        return [
            (e.timestamp, e.message) for e in self._retained(log_group, log_group.streams[stream])
        ]

    # -- log groups --------------------------------------------------------------------
    @permission(resources=group_resource)
    def create_log_group(self, call: Call) -> dict:
        p = call.params
        name = p["logGroupName"]
        self._check_group_name(name)
        if p.get("deletionProtectionEnabled"):
            raise UnsupportedOperation("logs", "CreateLogGroup", "deletionProtectionEnabled")
        if p.get("logGroupClass", "STANDARD") != "STANDARD":
            raise UnsupportedOperation(
                "logs", "CreateLogGroup", "logGroupClass other than STANDARD"
            )
        tags = dict(p.get("tags") or {})
        self._check_tags(tags)
        if name in self.groups:
            raise AWSError(
                "ResourceAlreadyExistsException", "The specified log group already exists"
            )
        group = self._new_group(name, int(call.time * 1000))
        group.kms_key_id = p.get("kmsKeyId")
        group.tags = tags
        return {}

    @permission(resources=group_resource)
    def delete_log_group(self, call: Call) -> dict:
        group = self._group(call.params)
        del self.groups[group.name]
        return {}

    @permission()
    def describe_log_groups(self, call: Call) -> dict:
        p = call.params
        prefix, pattern = p.get("logGroupNamePrefix"), p.get("logGroupNamePattern")
        if prefix is not None and pattern is not None:
            raise _invalid(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
            )
        if p.get("logGroupIdentifiers") and (prefix is not None or pattern is not None):
            raise _invalid(
                "LogGroup identifiers and LogGroup name prefix or pattern are mutually exclusive."
            )
        if p.get("logGroupClass", "STANDARD") != "STANDARD":
            return {"logGroups": []}
        limit = p.get("limit", 50)
        names = sorted(self.groups)
        if prefix:
            names = [n for n in names if n.startswith(prefix)]
        if pattern:
            names = [n for n in names if pattern.lower() in n.lower()]
        if p.get("logGroupIdentifiers"):
            wanted = {
                self._name_from_arn(i) if i.startswith("arn:") else i
                for i in p["logGroupIdentifiers"]
            }
            names = [n for n in names if n in wanted]
        if p.get("nextToken"):
            after = _decode(p["nextToken"])
            names = [n for n in names if n > after]
        page = names[:limit]
        out: dict = {"logGroups": [self._describe_group(self.groups[n]) for n in page]}
        if len(names) > limit:
            out["nextToken"] = _encode(page[-1])
        return out

    def _describe_group(self, group: LogGroup) -> dict:
        out = {
            "logGroupName": group.name,
            "creationTime": group.creation_time,
            "metricFilterCount": 0,
            "arn": group.arn + ":*",
            "logGroupArn": group.arn,
            "storedBytes": self._stored_bytes(group),
            "logGroupClass": "STANDARD",
        }
        if group.retention:
            out["retentionInDays"] = group.retention
        if group.kms_key_id:
            out["kmsKeyId"] = group.kms_key_id
        return out

    @permission(resources=group_resource)
    def put_retention_policy(self, call: Call) -> dict:
        p = call.params
        days = p["retentionInDays"]
        if days not in RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in RETENTION_DAYS)
            raise _constraint(
                days, "retentionInDays", f"Member must satisfy enum value set: [{allowed}]"
            )
        self._group(p).retention = days
        return {}

    @permission(resources=group_resource)
    def delete_retention_policy(self, call: Call) -> dict:
        self._group(call.params).retention = None
        return {}

    # -- tags --------------------------------------------------------------------------
    def _group_by_arn(self, arn: str) -> LogGroup:
        if ":log-group:" not in arn or ":log-stream:" in arn:
            raise _invalid(f"Invalid resource ARN: {arn}")
        group = self.groups.get(self._name_from_arn(arn))
        if group is None:
            raise AWSError("ResourceNotFoundException", NO_GROUP)
        return group

    @permission(resources=group_resource)
    def tag_resource(self, call: Call) -> dict:
        group = self._group_by_arn(call.params["resourceArn"])
        merged = {**group.tags, **call.params["tags"]}
        self._check_tags(merged)
        group.tags = merged
        return {}

    @permission(resources=group_resource)
    def untag_resource(self, call: Call) -> dict:
        group = self._group_by_arn(call.params["resourceArn"])
        for key in call.params["tagKeys"]:
            group.tags.pop(key, None)
        return {}

    @permission(resources=group_resource)
    def list_tags_for_resource(self, call: Call) -> dict:
        return {"tags": dict(self._group_by_arn(call.params["resourceArn"]).tags)}

    @permission(resources=group_resource)
    def tag_log_group(self, call: Call) -> dict:
        group = self._group(call.params)
        merged = {**group.tags, **call.params["tags"]}
        self._check_tags(merged)
        group.tags = merged
        return {}

    @permission(resources=group_resource)
    def untag_log_group(self, call: Call) -> dict:
        group = self._group(call.params)
        for key in call.params["tags"]:
            group.tags.pop(key, None)
        return {}

    @permission(resources=group_resource)
    def list_tags_log_group(self, call: Call) -> dict:
        return {"tags": dict(self._group(call.params).tags)}

    # -- log streams -------------------------------------------------------------------
    @permission(resources=group_resource)
    def create_log_stream(self, call: Call) -> dict:
        p = call.params
        self._check_stream_name(p["logStreamName"])
        group = self._group(p)
        if p["logStreamName"] in group.streams:
            raise AWSError(
                "ResourceAlreadyExistsException", "The specified log stream already exists"
            )
        self._new_stream(group, p["logStreamName"], int(call.time * 1000))
        return {}

    @permission(resources=group_resource)
    def delete_log_stream(self, call: Call) -> dict:
        group = self._group(call.params)
        self._stream(group, call.params["logStreamName"])
        del group.streams[call.params["logStreamName"]]
        return {}

    @permission(resources=group_resource)
    def describe_log_streams(self, call: Call) -> dict:
        p = call.params
        group = self._group(p)
        order = p.get("orderBy", "LogStreamName")
        prefix = p.get("logStreamNamePrefix")
        if order == "LastEventTime" and prefix is not None:
            raise _invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        limit = p.get("limit", 50)
        streams = [s for s in group.streams.values() if not prefix or s.name.startswith(prefix)]
        if order == "LastEventTime":
            streams.sort(key=lambda s: (s.last_event or 0, s.name))
        else:
            streams.sort(key=lambda s: s.name)
        if p.get("descending"):
            streams.reverse()
        start = 0
        if p.get("nextToken"):
            start = _decode(p["nextToken"])
            if not isinstance(start, int) or start < 0:
                raise _invalid("The specified nextToken is invalid.")
        page = streams[start : start + limit]
        out: dict = {"logStreams": [self._describe_stream(s) for s in page]}
        if start + limit < len(streams):
            out["nextToken"] = _encode(start + limit)
        return out

    def _describe_stream(self, stream: LogStream) -> dict:
        out = {
            "logStreamName": stream.name,
            "creationTime": stream.creation_time,
            "arn": stream.arn,
            "storedBytes": 0,  # AWS: "no longer supported ... always reported as zero"
        }
        if stream.first_event is not None:
            out["firstEventTimestamp"] = stream.first_event
            out["lastEventTimestamp"] = stream.last_event
            out["lastIngestionTime"] = stream.last_ingestion
            out["uploadSequenceToken"] = self._sequence_token()
        return out

    def _sequence_token(self) -> str:
        return f"{49_000_000_000 + self._upload_seq:056d}"

    # -- events ------------------------------------------------------------------------
    @permission(resources=group_resource)
    def put_log_events(self, call: Call) -> dict:
        p = call.params
        events = p["logEvents"]
        if p.get("entity"):
            raise UnsupportedOperation("logs", "PutLogEvents", "entity")
        if len(events) > MAX_BATCH_EVENTS:
            raise _constraint(
                "[...]", "logEvents", "Member must have length less than or equal to 10000"
            )
        size = sum(len(e["message"].encode("utf-8")) + EVENT_OVERHEAD for e in events)
        if size > MAX_BATCH_BYTES:
            raise _invalid(f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}")
        stamps = [e["timestamp"] for e in events]
        if any(b < a for a, b in zip(stamps, stamps[1:])):
            raise _invalid(
                "Log events in a single PutLogEvents request must be in chronological order."
            )
        if stamps[-1] - stamps[0] > MAX_BATCH_SPAN_MS:
            raise _invalid(
                "The batch of log events in a single PutLogEvents request cannot span more "
                "than 24 hours."
            )
        group = self._group(p)
        stream = self._stream(group, p["logStreamName"])
        now = int(call.time * 1000)
        too_old = [i for i, ts in enumerate(stamps) if ts < now - TOO_OLD_MS]
        too_new = [i for i, ts in enumerate(stamps) if ts > now + TOO_NEW_MS]
        cutoff = group.cutoff(now)
        expired = [i for i, ts in enumerate(stamps) if ts < cutoff]
        rejected: dict = {}
        if too_old:
            rejected["tooOldLogEventEndIndex"] = too_old[-1] + 1
        if too_new:
            rejected["tooNewLogEventStartIndex"] = too_new[0]
        if expired:
            rejected["expiredLogEventEndIndex"] = expired[-1] + 1
        skip = set(too_old) | set(too_new) | set(expired)
        for i, event in enumerate(events):
            if i not in skip:
                self._add(group, stream, event["timestamp"], event["message"], now)
        self._upload_seq += 1
        out: dict = {"nextSequenceToken": self._sequence_token()}
        if rejected:
            out["rejectedLogEventsInfo"] = rejected
        return out

    @permission(resources=group_resource)
    def get_log_events(self, call: Call) -> dict:
        p = call.params
        if p.get("unmask"):
            raise UnsupportedOperation("logs", "GetLogEvents", "unmask")
        group = self._group(p)
        stream = self._stream(group, p["logStreamName"])
        start = p.get("startTime")
        end = p.get("endTime")
        events = [
            e
            for e in self._retained(group, stream)
            if (start is None or e.timestamp >= start) and (end is None or e.timestamp < end)
        ]
        limit = p.get("limit", 10_000)
        token = p.get("nextToken")
        forward = bool(p.get("startFromHead"))
        if token:
            direction, key = _parse_position(token)
            forward = direction == "f"
            if forward:
                events = [e for e in events if e.key > key]
            else:
                events = [e for e in events if e.key < key]
        page = _take(events, limit, from_head=forward)
        if page:
            first, last = page[0].key, page[-1].key
        elif token:
            first = last = key
        else:
            first = last = (0, 0)
        return {
            "events": [
                {"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time}
                for e in page
            ],
            "nextForwardToken": _position("f", last),
            "nextBackwardToken": _position("b", first),
        }

    @permission(resources=group_resource)
    def filter_log_events(self, call: Call) -> dict:
        p = call.params
        if p.get("unmask"):
            raise UnsupportedOperation("logs", "FilterLogEvents", "unmask")
        names, prefix = p.get("logStreamNames"), p.get("logStreamNamePrefix")
        if names is not None and prefix is not None:
            raise _invalid(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
            )
        try:
            matcher = compile_pattern(p.get("filterPattern"))
        except FilterPatternError as exc:
            raise _invalid(str(exc)) from exc
        group = self._group(p)
        if names is not None:
            missing = [n for n in names if n not in group.streams]
            if missing:
                raise AWSError("ResourceNotFoundException", NO_STREAM)
            streams = [group.streams[n] for n in names]
        else:
            streams = [s for s in group.streams.values() if not prefix or s.name.startswith(prefix)]
        start, end = p.get("startTime"), p.get("endTime")
        after = None
        if p.get("nextToken"):
            decoded = _decode(p["nextToken"])
            if not (isinstance(decoded, list) and len(decoded) == 3):
                raise _invalid("The specified nextToken is invalid.")
            after = tuple(decoded)
        found = []
        for stream in streams:
            for e in self._retained(group, stream):
                if start is not None and e.timestamp < start:
                    continue
                if end is not None and e.timestamp > end:
                    continue
                key = (e.timestamp, stream.name, e.seq)
                if after is not None and key <= after:
                    continue
                found.append((key, stream, e))
        found.sort(key=lambda t: t[0])
        limit = p.get("limit", 10_000)
        out_events: list[dict] = []
        size = 0
        last_key = None
        more = False
        for key, stream, e in found:
            if not matcher(e.message):
                continue
            if len(out_events) >= limit or size + e.size + EVENT_OVERHEAD > MAX_RESPONSE_BYTES:
                more = True
                break
            size += e.size + EVENT_OVERHEAD
            last_key = key
            out_events.append(
                {
                    "logStreamName": stream.name,
                    "timestamp": e.timestamp,
                    "message": e.message,
                    "ingestionTime": e.ingestion_time,
                    "eventId": f"{e.timestamp:020d}{e.seq:036d}",
                }
            )
        out: dict = {"events": out_events}
        if more and last_key is not None:
            out["nextToken"] = _encode(list(last_key))
        return out


def _take(events: list[Event], limit: int, *, from_head: bool) -> list[Event]:
    """Up to ``limit`` events and 1 MB from the head (or tail) of ``events``, oldest first."""
    ordered = events if from_head else list(reversed(events))
    page, size = [], 0
    for e in ordered:
        if len(page) >= limit or size + e.size + EVENT_OVERHEAD > MAX_RESPONSE_BYTES:
            break
        size += e.size + EVENT_OVERHEAD
        page.append(e)
    return page if from_head else list(reversed(page))


def _position(direction: str, key: tuple[int, int]) -> str:
    return f"{direction}/{key[0]:020d}{key[1]:036d}/s"


def _parse_position(token: str) -> tuple[str, tuple[int, int]]:
    m = re.fullmatch(r"([fb])/(\d{20})(\d{36})/s", token)
    if not m:
        raise _invalid("The specified nextToken is invalid.")
    return m.group(1), (int(m.group(2)), int(m.group(3)))
