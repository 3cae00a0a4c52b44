"""DynamoDB Streams: each table's stream of item changes, fed by the change feed.

A stream is created each time a table's stream is enabled (CreateTable or
UpdateTable ``StreamSpecification``): a new ARN and label (the enable time, to
the millisecond). It subscribes to the table's change feed (``Table.write``,
see ``table``) and appends one record per committed change: INSERT, MODIFY or
REMOVE, with the keys and the images its view type asks for, ``SizeBytes`` as
DynamoDB counts it (the keys plus the images it carries, by the item-size
rules: measured against the records LocalStack captured from AWS), increasing
21-digit sequence numbers, and the service ``userIdentity`` for TTL deletions.
A write that changes nothing (an identical overwrite, a delete of an absent
item) makes no record: the change feed does not report it.

Shards: one lineage per stream. A shard is open for ``stream_shard_rollover``
virtual seconds (AWS rolls shards over about every 4 hours), then closed (its
``SequenceNumberRange`` gets an ``EndingSequenceNumber``) and followed by a
child whose ``ParentShardId`` names it. Records are kept 24 hours on the
virtual clock, then trimmed; a shard closed more than 24 hours ago and empty is
forgotten. Disabling the stream (or deleting the table) closes its open shard
and marks it DISABLED; it stays readable for 24 hours, then it is gone.

Everything is maintained lazily, when the stream is written to or read: no
timer runs for a stream. The DynamoDB Streams API (``dynamodbstreams``
package) and the Lambda stream poller read the streams of the DynamoDB backend
of their account and region through the methods here.

LIMITATIONS: one shard lineage per stream (AWS has one per table partition,
with splits); ENABLING/DISABLING are not shown (a stream is ENABLED or DISABLED
at once); GetRecords' 1 MB page is counted on ``SizeBytes``.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, validation_error
from fakeaws.services.dynamodb.item_size import item_size

if TYPE_CHECKING:
    from fakeaws.services.dynamodb.storage import Item
    from fakeaws.services.dynamodb.table import Table

RETENTION = 24 * 3600.0  # records, closed shards and disabled streams
ITERATOR_LIFETIME = 15 * 60.0
MAX_RECORDS = 1000  # per GetRecords
MAX_BYTES = 1024 * 1024  # per GetRecords
_SEQUENCE_BASE = 10**20  # sequence numbers are 21-digit decimal strings

# The messages DynamoDB Streams answers with (seen in SDK and tool reports against AWS).
EXPIRED_ITERATOR = "Shard iterator has expired"
TRIMMED = "The data you are trying to access has been trimmed"
NO_SHARD = "Requested resource not found: Shard does not exist"

NEW_VIEWS = ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
OLD_VIEWS = ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")


def stream_not_found(arn: str) -> AWSError:
    return AWSError(
        "ResourceNotFoundException", f"Requested resource not found: Stream: {arn} not found"
    )


class StreamRecord:
    """One change: what GetRecords and the Lambda event report of it."""

    __slots__ = (
        "seq",
        "event_id",
        "event_name",
        "created",
        "keys",
        "new",
        "old",
        "size",
        "identity",
    )

    def __init__(
        self,
        seq: int,
        event_id: str,
        event_name: str,
        created: float,
        keys: Item,
        new: Item | None,
        old: Item | None,
        size: int,
        identity: dict | None,
    ) -> None:
        self.seq = seq
        self.event_id = event_id
        self.event_name = event_name
        self.created = created
        self.keys, self.new, self.old = keys, new, old
        self.size = size
        self.identity = identity

    @property
    def sequence_number(self) -> str:
        return str(self.seq)

    def api(self, view_type: str, region: str) -> dict:
        """The record as GetRecords returns it (botocore's parsed shape)."""
        data: dict[str, Any] = {
            "ApproximateCreationDateTime": datetime.fromtimestamp(int(self.created), timezone.utc),
            "Keys": _copy(self.keys),
        }
        if self.new is not None:
            data["NewImage"] = _copy(self.new)
        if self.old is not None:
            data["OldImage"] = _copy(self.old)
        data.update(SequenceNumber=str(self.seq), SizeBytes=self.size, StreamViewType=view_type)
        out: dict[str, Any] = {
            "eventID": self.event_id,
            "eventName": self.event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": region,
            "dynamodb": data,
        }
        if self.identity is not None:
            out["userIdentity"] = dict(self.identity)
        return out

    def event(self, view_type: str, region: str, stream_arn: str) -> dict:
        """The record as a Lambda event carries it (JSON: epoch seconds, base64 binaries)."""
        data: dict[str, Any] = {
            "ApproximateCreationDateTime": float(int(self.created)),
            "Keys": _json_item(self.keys),
        }
        if self.new is not None:
            data["NewImage"] = _json_item(self.new)
        if self.old is not None:
            data["OldImage"] = _json_item(self.old)
        data.update(SequenceNumber=str(self.seq), SizeBytes=self.size, StreamViewType=view_type)
        out: dict[str, Any] = {
            "eventID": self.event_id,
            "eventName": self.event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": region,
            "dynamodb": data,
        }
        if self.identity is not None:
            out["userIdentity"] = {
                "type": self.identity["Type"],
                "principalId": self.identity["PrincipalId"],
            }
        out["eventSourceARN"] = stream_arn
        return out


class Shard:
    """A run of records; ``end`` is set once it is closed."""

    __slots__ = ("id", "parent", "start", "end", "last", "opened", "closed", "records", "trim_mark")

    def __init__(self, shard_id: str, parent: str | None, start: int, opened: float) -> None:
        self.id = shard_id
        self.parent = parent
        self.start = start  # the first sequence number it may hold
        self.end: int | None = None  # the last, once closed
        self.last: int | None = None  # the last record appended
        self.opened = opened
        self.closed: float | None = None
        self.records: list[StreamRecord] = []
        self.trim_mark = start  # records below it are gone (trimmed)

    def describe(self) -> dict:
        numbers: dict[str, str] = {"StartingSequenceNumber": str(self.start)}
        if self.end is not None:
            numbers["EndingSequenceNumber"] = str(self.end)
        out: dict[str, Any] = {"ShardId": self.id, "SequenceNumberRange": numbers}
        if self.parent is not None:
            out["ParentShardId"] = self.parent
        return out

    def upper(self, next_seq: int) -> int:
        """One past the last sequence number this shard holds (or will hold so far)."""
        return self.end + 1 if self.end is not None else next_seq

    def read(self, position: int, limit: int, max_bytes: int) -> list[StreamRecord]:
        records = self.records
        first = bisect.bisect_left(records, position, key=_seq)
        out: list[StreamRecord] = []
        size = 0
        for record in records[first : first + limit]:
            size += record.size
            if out and size > max_bytes:
                break
            out.append(record)
        return out


class Stream:
    """One stream of one table: its shards, records and the pollers watching it."""

    def __init__(
        self,
        *,
        arn: str,
        label: str,
        table_name: str,
        key_schema: list[dict],
        view_type: str,
        created: float,
        region: str,
        rng: Any,
        rollover: float,
    ) -> None:
        self.arn = arn
        self.label = label
        self.table_name = table_name
        self.key_schema = [dict(k) for k in key_schema]
        self.view_type = view_type
        self.created = created
        self.region = region
        self.random = rng
        self.rollover = float(rollover)
        self.status = "ENABLED"
        self.disabled_at: float | None = None
        self.next_seq = _SEQUENCE_BASE
        self.shards: list[Shard] = []
        self._open_shard(created, None)
        # key -> callback(key), called after each record is appended (the Lambda poller)
        self.watchers: dict[str, Callable[[str], None]] = {}

    # -- writing (the table's change listener) ------------------------------------------
    def record_change(
        self, table: Table, old: Item | None, new: Item | None, principal: Any, now: float
    ) -> None:
        if self.status != "ENABLED":
            return
        self.maintain(now)
        item = new if new is not None else old
        keys = {name: item[name] for name in table.key_attributes}  # type: ignore[index]
        view = self.view_type
        new_image = new if view in NEW_VIEWS else None
        old_image = old if view in OLD_VIEWS else None
        size = item_size(keys)
        if new_image is not None:
            size += item_size(new_image)
        if old_image is not None:
            size += item_size(old_image)
        name = "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY")
        identity = principal if isinstance(principal, dict) else None
        record = StreamRecord(
            self.next_seq,
            f"{self.random.getrandbits(128):032x}",
            name,
            now,
            keys,
            new_image,
            old_image,
            size,
            identity,
        )
        self.next_seq += 1
        shard = self.shards[-1]
        shard.records.append(record)
        shard.last = record.seq
        for key, callback in list(self.watchers.items()):
            callback(key)

    # -- lifecycle ---------------------------------------------------------------------
    def maintain(self, now: float) -> None:
        """Roll the open shard over and trim what the retention period has passed."""
        current = self.shards[-1]
        if self.rollover > 0 and current.end is None:
            while now >= current.opened + self.rollover:
                at = current.opened + self.rollover
                self._close_shard(current, at)
                current = self._open_shard(at, current.id)
        horizon = now - RETENTION
        for shard in self.shards:
            records = shard.records
            if records and records[0].created < horizon:
                cut = bisect.bisect_left(records, horizon, key=_created)
                shard.trim_mark = records[cut - 1].seq + 1
                del records[:cut]
            if records:
                break  # later shards hold later records
        while len(self.shards) > 1:
            first = self.shards[0]
            if first.records or first.closed is None or first.closed >= horizon:
                break
            self.shards.pop(0)

    def disable(self, now: float) -> None:
        if self.status != "ENABLED":
            return
        self.maintain(now)
        self._close_shard(self.shards[-1], now)
        self.status, self.disabled_at = "DISABLED", now
        for key, callback in list(self.watchers.items()):
            callback(key)  # pollers see the shard closed

    def expired(self, now: float) -> bool:
        return self.disabled_at is not None and now >= self.disabled_at + RETENTION

    def _open_shard(self, at: float, parent: str | None) -> Shard:
        suffix = f"{self.random.getrandbits(32):08x}"
        shard = Shard(f"shardId-{int(at * 1000):020d}-{suffix}", parent, self.next_seq, at)
        self.shards.append(shard)
        return shard

    def _close_shard(self, shard: Shard, at: float) -> None:
        if shard.last is None:  # an empty shard still spans one sequence number
            shard.end = shard.start
            self.next_seq = max(self.next_seq, shard.start + 1)
        else:
            shard.end = shard.last
        shard.closed = at

    # -- reading -----------------------------------------------------------------------
    def shard(self, shard_id: str) -> Shard | None:
        for shard in self.shards:
            if shard.id == shard_id:
                return shard
        return None

    def child_of(self, shard: Shard) -> Shard | None:
        for candidate in self.shards:
            if candidate.parent == shard.id:
                return candidate
        return None

    def describe(self, limit: int = 100, exclusive_start: str | None = None) -> dict:
        shards = self.shards
        if exclusive_start is not None:
            ids = [s.id for s in shards]
            shards = shards[ids.index(exclusive_start) + 1 :] if exclusive_start in ids else []
        page = shards[:limit]
        out: dict[str, Any] = {
            "StreamArn": self.arn,
            "StreamLabel": self.label,
            "StreamStatus": self.status,
            "StreamViewType": self.view_type,
            "CreationRequestDateTime": datetime.fromtimestamp(self.created, timezone.utc),
            "TableName": self.table_name,
            "KeySchema": [dict(k) for k in self.key_schema],
            "Shards": [s.describe() for s in page],
        }
        if len(shards) > limit:
            out["LastEvaluatedShardId"] = page[-1].id
        return out

    def position(self, shard: Shard, kind: str, sequence: str | None) -> int:
        """Where an iterator of ``kind`` starts reading (a sequence number)."""
        if kind == "TRIM_HORIZON":
            return shard.trim_mark
        if kind == "LATEST":
            return shard.upper(self.next_seq)
        if sequence is None:
            raise validation_error(f"SequenceNumber is required for ShardIteratorType {kind}")
        number = int(sequence) if sequence.isdigit() else -1
        if not shard.start <= number < shard.upper(self.next_seq):
            raise validation_error(
                f"Invalid SequenceNumber {sequence} for shard {shard.id} of stream {self.arn}"
            )
        if number < shard.trim_mark:
            raise AWSError("TrimmedDataAccessException", TRIMMED)
        return number if kind == "AT_SEQUENCE_NUMBER" else number + 1

    def read(
        self, shard: Shard, position: int, limit: int = MAX_RECORDS
    ) -> tuple[list[StreamRecord], int | None]:
        """Records from ``position`` on, and the next position (None: closed shard done).

        Raises TrimmedDataAccessException when records at the position were trimmed.
        """
        if position < shard.trim_mark:
            raise AWSError("TrimmedDataAccessException", TRIMMED)
        records = shard.read(position, limit, MAX_BYTES)
        following = records[-1].seq + 1 if records else position
        if shard.end is not None and following > shard.end:
            return records, None
        return records, following


# -- iterators: opaque to clients, self-contained (nothing to keep or snapshot) -------------


def encode_iterator(stream: Stream, shard: Shard, position: int, issued: float) -> str:
    token = f"{shard.id}|{position}|{int(issued * 1000)}".encode()
    return f"{stream.arn}|1|{base64.b64encode(token).decode('ascii')}"


def decode_iterator(iterator: str) -> tuple[str, str, int, float]:
    """``(stream ARN, shard id, position, issued at)``; ValidationException if malformed."""
    try:
        arn, version, token = iterator.rsplit("|", 2)
        shard_id, position, issued = base64.b64decode(token, validate=True).decode().split("|")
        if version != "1":
            raise ValueError(version)
        return arn, shard_id, int(position), int(issued) / 1000
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise validation_error("Invalid ShardIterator") from None


# -- the DynamoDB backend's side ------------------------------------------------------------


class StreamsOwner:
    """Mixin of DynamoDBBackend: the streams of its tables (enabled or still readable)."""

    cloud: Any
    region: str
    streams: dict[str, Stream]

    def stream_enabled(self, table: Table, now: float) -> Stream:
        """The table's stream was just enabled (``table.stream_label`` is set): start it."""
        spec = table.stream_specification or {}
        arn = f"{table.arn}/stream/{table.stream_label}"
        stream = Stream(
            arn=arn,
            label=table.stream_label or "",
            table_name=table.name,
            key_schema=table.key_schema,
            view_type=spec["StreamViewType"],
            created=now,
            region=self.region,
            rng=self.cloud.random,
            rollover=self.cloud.settings.dynamodb.stream_shard_rollover,
        )
        self.streams[arn] = stream
        table.subscribe(stream.record_change, self.cloud.clock)
        return stream

    def stream_disabled(self, table: Table, now: float) -> None:
        """The table's stream was disabled, or the table deleted: close its stream."""
        for listener in list(table.listeners):
            stream = getattr(listener, "__self__", None)
            if isinstance(stream, Stream):
                table.unsubscribe(listener)
                stream.disable(now)

    def live_streams(self, now: float) -> list[Stream]:
        """Every stream still readable, oldest first (expired ones are forgotten)."""
        for arn in [a for a, s in self.streams.items() if s.expired(now)]:
            del self.streams[arn]
        return list(self.streams.values())

    def stream_internal(self, arn: str, now: float) -> Stream | None:
        """The stream an ARN names, maintained to ``now``; None if it does not exist."""
        stream = self.streams.get(arn)
        if stream is None:
            return None
        if stream.expired(now):
            del self.streams[arn]
            return None
        stream.maintain(now)
        return stream


def _seq(record: StreamRecord) -> int:
    return record.seq


def _created(record: StreamRecord) -> float:
    return record.created


def _copy(item: Item) -> Item:
    from fakeaws.services.dynamodb.types import copy_item

    return copy_item(item)


def _json_item(item: Item) -> dict:
    return {name: _json_value(value) for name, value in item.items()}


def _json_value(value: dict) -> dict:
    """An attribute value as DynamoDB's JSON wire format writes it (binaries in base64)."""
    kind, raw = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64encode(raw).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(v).decode("ascii") for v in raw]}
    if kind == "M":
        return {"M": {k: _json_value(v) for k, v in raw.items()}}
    if kind == "L":
        return {"L": [_json_value(v) for v in raw]}
    if kind in ("SS", "NS"):
        return {kind: list(raw)}
    return {kind: raw}
