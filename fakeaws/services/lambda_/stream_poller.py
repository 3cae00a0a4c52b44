"""The DynamoDB stream poller of an event source mapping, on the cloud's scheduler.

As Lambda does for a DynamoDB stream (developer guide: "Using AWS Lambda with
Amazon DynamoDB", "Retaining discarded records for a DynamoDB event source";
the records LocalStack captured from AWS in its ESM tests):

* the mapping starts at ``StartingPosition`` (TRIM_HORIZON: the oldest record
  kept; LATEST: what is written after the mapping turned Enabled) and reads the
  stream's shards in order, parent before child, one batch at a time, so the
  records of an item always reach the function in order;
* a batch holds up to ``BatchSize`` records of one shard; with
  ``MaximumBatchingWindowInSeconds`` the poller waits (up to the window, from
  the first record it saw) for a fuller batch; records the ``FilterCriteria``
  reject are skipped (and count as processed);
* the function gets ``{"Records": [...]}``, each record as GetRecords gives it
  plus ``eventSourceARN`` (timestamps as epoch seconds, binaries in base64);
* a function error blocks the shard: the same batch is retried (after 1 s,
  doubling up to a minute, on the virtual clock) until it succeeds, its
  ``MaximumRetryAttempts`` are spent, or its records are older than
  ``MaximumRecordAgeInSeconds`` (or the stream's 24 h retention); then it is
  discarded and, with an ``OnFailure`` destination (SQS queue or SNS topic), an
  invocation record with ``DDBStreamBatchInfo`` (the shard and sequence range,
  not the records) is sent there, condition ``RetryAttemptsExhausted`` or
  ``RecordAgeExceeded``;
* ``BisectBatchOnFunctionError`` splits a failing batch in two and retries the
  halves in order (a split does not spend a retry);
* with ``ReportBatchItemFailures`` the function's ``batchItemFailures`` (the
  ``SequenceNumber`` of each failed record as ``itemIdentifier``) checkpoint
  the batch before the first reported failure and retry from there; a malformed
  report (an empty, null or unknown identifier) fails the whole batch;
* a throttled invocation is retried without spending an attempt.

The poller wakes when the stream gets a record (the stream calls it) and when a
retry or batching window is due; it never spins on the clock.

LIMITATIONS: ``ParallelizationFactor`` and ``TumblingWindowInSeconds`` are
stored, not applied (one batch per mapping at a time; no window state);
``OnFailure`` destinations in S3 are not faked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.dynamodb.streams import RETENTION
from fakeaws.services.lambda_.destinations import deliver

if TYPE_CHECKING:
    from fakeaws.services.dynamodb.streams import Shard, Stream, StreamRecord
    from fakeaws.services.lambda_.invoke import Run

STREAM_DEFAULT_BATCH = 100
STREAM_MAX_BATCH = 10_000
MAX_PARALLELIZATION = 10
MAX_RETRY_ATTEMPTS = 10_000
MIN_RECORD_AGE, MAX_RECORD_AGE = 60, 604_800
MAX_TUMBLING_WINDOW = 900
RETRY_BASE_DELAY, RETRY_MAX_DELAY = 1.0, 60.0
MAX_PAYLOAD = 6 * 1024 * 1024
STREAM_DESTINATIONS = ("sqs", "sns")


def invalid(message: str) -> AWSError:
    return AWSError("InvalidParameterValueException", message, Type="User")


@dataclass
class StreamCursor:
    """Where one mapping is in its stream, and the batch it is working on."""

    shard: str
    position: int  # the next sequence number to read
    pending: list[list[Any]] = field(default_factory=list)  # batches still to succeed
    attempts: int = 0  # invocations of pending[0] so far
    retry_at: float | None = None
    window_opened: float | None = None
    last: tuple[str, str, str | None] | None = None  # request id, version, function error


class StreamPolling:
    # -- control plane (called from event_sources) --------------------------------------
    def _stream_mapping_settings(self, p: dict, source: str, current: dict | None) -> dict:
        """Validated settings of a create (current None) or an update, for a stream source."""
        from fakeaws.services.lambda_.names import constraint_error

        old = current or {}
        position = p.get("StartingPosition", old.get("StartingPosition"))
        if position is None:
            raise invalid(
                "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
                "constraint: Member must not be null."
            )
        if position not in ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"):
            raise AWSError(
                "ValidationException",
                f"1 validation error detected: Value '{position}' at 'startingPosition' failed "
                "to satisfy constraint: Member must satisfy enum value set: [LATEST, "
                "AT_TIMESTAMP, TRIM_HORIZON]",
            )
        if position == "AT_TIMESTAMP" or p.get("StartingPositionTimestamp") is not None:
            raise invalid(f"Unsupported starting position for arn type: {source}")
        values = {
            name: p.get(name, old.get(name, default))
            for name, default in (
                ("BatchSize", STREAM_DEFAULT_BATCH),
                ("MaximumBatchingWindowInSeconds", 0),
                ("ParallelizationFactor", 1),
                ("MaximumRetryAttempts", -1),
                ("MaximumRecordAgeInSeconds", -1),
                ("BisectBatchOnFunctionError", False),
                ("TumblingWindowInSeconds", 0),
            )
        }
        for name, member, maximum in (
            ("BatchSize", "batchSize", STREAM_MAX_BATCH),
            ("MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 300),
            ("ParallelizationFactor", "parallelizationFactor", MAX_PARALLELIZATION),
            ("MaximumRetryAttempts", "maximumRetryAttempts", MAX_RETRY_ATTEMPTS),
            ("MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", MAX_RECORD_AGE),
            ("TumblingWindowInSeconds", "tumblingWindowInSeconds", MAX_TUMBLING_WINDOW),
        ):
            if values[name] > maximum:
                raise constraint_error(
                    str(values[name]),
                    member,
                    f"Member must have value less than or equal to {maximum}",
                )
        age = values["MaximumRecordAgeInSeconds"]
        if age != -1 and age < MIN_RECORD_AGE:
            raise invalid(
                "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 "
                "(inclusive)"
            )
        destination = p.get("DestinationConfig", old.get("DestinationConfig")) or {}
        if destination.get("OnSuccess"):
            raise invalid(
                "Unsupported DestinationConfig parameter for given event source mapping type."
            )
        target = (destination.get("OnFailure") or {}).get("Destination")
        if target:
            parts = target.split(":")
            if len(parts) < 6 or parts[2] not in STREAM_DESTINATIONS:
                raise invalid(
                    "The provided destination config DestinationConfig(onSuccess=null, "
                    f"onFailure=OnFailure(destination={target})) is invalid."
                )
        out: dict[str, Any] = {"StartingPosition": position, **values}
        out["DestinationConfig"] = {"OnFailure": {"Destination": target} if target else {}}
        criteria = p.get("FilterCriteria", old.get("FilterCriteria"))
        if criteria is not None:
            self._check_filters(criteria)
            if criteria.get("Filters"):
                out["FilterCriteria"] = criteria
            else:
                old.pop("FilterCriteria", None)
        types = p.get("FunctionResponseTypes", old.get("FunctionResponseTypes", []))
        out["FunctionResponseTypes"] = list(types)
        for name in ("MetricsConfig", "KMSKeyArn", "LoggingConfig"):
            value = p.get(name, old.get(name))
            if value is not None:
                out[name] = value
        return out

    def _check_stream_source(self, source: str) -> None:
        if self._stream_of(source) is None:
            raise invalid(f"Stream not found: {source}")

    # -- polling -------------------------------------------------------------------------
    def _stream_of(self, source: str) -> Stream | None:
        parts = source.split(":")
        dynamodb = self.cloud.backend("dynamodb", parts[4], parts[3])
        return dynamodb.stream_internal(source, self.cloud.clock.time())

    @property
    def _stream_cursors(self) -> dict[str, StreamCursor]:
        cursors = self.__dict__.get("_stream_cursor_map")
        if cursors is None:
            cursors = self.__dict__["_stream_cursor_map"] = {}
        return cursors

    def start_stream_polling(self, uuid: str, delay: float = 0.0) -> None:
        """Make sure a poll of stream mapping ``uuid`` is due within ``delay`` seconds."""
        config = self.schedule_poll(uuid, delay, self._poll_stream, "stream")
        if config is not None:
            stream = self._stream_of(config["EventSourceArn"])
            if stream is not None:
                stream.watchers[uuid] = self.start_stream_polling

    def _poll_stream(self, uuid: str) -> None:
        with self.cloud.lock:
            self._poll_tasks.pop(uuid, None)
            config = self.mappings.get(uuid)
            if config is None or config["State"] != "Enabled":
                stream = self._stream_of(config["EventSourceArn"]) if config else None
                if stream is not None and config is None:
                    stream.watchers.pop(uuid, None)
                return
            run = self._next_stream_batch(uuid, config)
        if run is None:
            return
        result = self.execute(run)
        with self.cloud.lock:
            self._stream_batch_done(uuid, config, run, result)
            self.start_stream_polling(uuid)  # there may be more

    def _next_stream_batch(self, uuid: str, config: dict) -> Run | None:
        source = config["EventSourceArn"]
        stream = self._stream_of(source)
        if stream is None:
            config["LastProcessingResult"] = "PROBLEM: Stream not found"
            return None
        name, _, qualifier = config["FunctionArn"].split(":", 6)[6].partition(":")
        fn = self.functions.get(name)
        if fn is None:
            config["LastProcessingResult"] = "PROBLEM: Function does not exist."
            return None
        now = self.cloud.clock.time()
        cursor = self._stream_cursors.get(uuid)
        if cursor is None:
            cursor = self._stream_cursors[uuid] = _starting_cursor(stream, config)
        if cursor.retry_at is not None and now < cursor.retry_at:
            self.start_stream_polling(uuid, cursor.retry_at - now)
            return None
        cursor.retry_at = None
        while True:
            if not cursor.pending and not self._read_batch(uuid, config, stream, cursor, now):
                return None
            batch = self._drop_aged(config, stream, cursor, now)
            if batch:
                break
        event = {"Records": [r.event(stream.view_type, stream.region, source) for r in batch]}
        try:
            version = self._routed_version(fn, qualifier or None)
            run = self.start_run(fn, version, qualifier or None, event, self.cloud.new_request_id())
        except AWSError:  # throttled: try again later, without spending an attempt
            config["LastProcessingResult"] = "PROBLEM: Function call failed"
            cursor.retry_at = now + RETRY_BASE_DELAY
            self.start_stream_polling(uuid, RETRY_BASE_DELAY)
            return None
        run.batch = batch
        return run

    def _read_batch(
        self, uuid: str, config: dict, stream: Stream, cursor: StreamCursor, now: float
    ) -> bool:
        """Fill ``cursor.pending`` with the next batch; False when there is none yet."""
        size = config["BatchSize"]
        while True:
            shard = stream.shard(cursor.shard)
            if shard is None:  # trimmed away: carry on from the oldest shard kept
                shard = stream.shards[0]
                cursor.shard, cursor.position = shard.id, shard.trim_mark
            cursor.position = max(cursor.position, shard.trim_mark)  # expired records are lost
            records = shard.read(cursor.position, size, MAX_PAYLOAD)
            if not records:
                child = stream.child_of(shard) if shard.end is not None else None
                if child is None:
                    cursor.window_opened = None
                    return False  # the stream calls us when a record arrives
                cursor.shard, cursor.position = child.id, child.start
                continue
            window = config.get("MaximumBatchingWindowInSeconds") or 0
            if len(records) < size and window and shard.end is None:
                opened = cursor.window_opened
                if opened is None:
                    opened = cursor.window_opened = records[0].created
                if now < opened + window:
                    self.start_stream_polling(uuid, opened + window - now)
                    return False
            cursor.window_opened = None
            cursor.position = records[-1].seq + 1
            kept = self._stream_filtered(config, stream, records)
            if kept:
                cursor.pending = [kept]
                cursor.attempts, cursor.last = 0, None
                cursor.shard = shard.id
                return True

    def _stream_filtered(self, config: dict, stream: Stream, records: list) -> list:
        filters = (config.get("FilterCriteria") or {}).get("Filters")
        if not filters:
            return records
        from fakeaws.eventpatterns import compile_pattern, lambda_filters_match

        patterns = [compile_pattern(f["Pattern"], "lambda") for f in filters]  # cached by text
        source = config["EventSourceArn"]
        return [
            r
            for r in records
            if lambda_filters_match(
                patterns, r.event(stream.view_type, stream.region, source), "dynamodb"
            )
        ]

    def _drop_aged(self, config: dict, stream: Stream, cursor: StreamCursor, now: float) -> list:
        """The current batch less the records too old to send (discarded to the destination)."""
        batch = cursor.pending[0]
        limit = config.get("MaximumRecordAgeInSeconds", -1)
        limit = RETENTION if limit in (-1, None) else min(limit, RETENTION)
        old = 0
        while old < len(batch) and now - batch[old].created >= limit:
            old += 1
        if old:
            self._discard(config, stream, cursor, batch[:old], "RecordAgeExceeded")
            batch = batch[old:]
            if batch:
                cursor.pending[0] = batch
            else:
                cursor.pending.pop(0)
                cursor.attempts, cursor.last = 0, None
        return batch

    def _stream_batch_done(self, uuid: str, config: dict, run: Run, result: Any) -> None:
        cursor = self._stream_cursors.get(uuid)
        batch = run.batch or []
        if cursor is None or not cursor.pending or cursor.pending[0] is not batch:
            return  # the mapping was reset meanwhile
        cursor.attempts += 1
        cursor.last = (run.request_id, run.version.number, result.function_error)
        failed_from: int | None = 0 if result.function_error else None
        if failed_from is None and "ReportBatchItemFailures" in config.get(
            "FunctionResponseTypes", ()
        ):
            failed_from = _first_failure(result.payload, batch)
        if failed_from is None:
            config["LastProcessingResult"] = "OK"
            cursor.pending.pop(0)
            cursor.attempts, cursor.last = 0, None
            return
        config["LastProcessingResult"] = "PROBLEM: Function call failed"
        if result.function_error and config.get("BisectBatchOnFunctionError") and len(batch) > 1:
            half = len(batch) // 2
            cursor.pending[0:1] = [batch[:half], batch[half:]]
            cursor.attempts, cursor.last = 0, None
            return
        remaining = batch[failed_from:]
        cursor.pending[0] = remaining
        retries = config.get("MaximumRetryAttempts", -1)
        if retries is not None and retries != -1 and cursor.attempts > retries:
            stream = self._stream_of(config["EventSourceArn"])
            self._discard(config, stream, cursor, remaining, "RetryAttemptsExhausted")
            cursor.pending.pop(0)
            cursor.attempts, cursor.last = 0, None
            return
        delay = min(RETRY_MAX_DELAY, RETRY_BASE_DELAY * 2 ** (cursor.attempts - 1))
        cursor.retry_at = self.cloud.clock.time() + delay
        self.start_stream_polling(uuid, delay)

    def _discard(
        self,
        config: dict,
        stream: Stream | None,
        cursor: StreamCursor,
        records: list[StreamRecord],
        condition: str,
    ) -> None:
        """Drop records Lambda gives up on; tell the OnFailure destination where they were."""
        target = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if not target or not records:
            return
        now = datetime.fromtimestamp(self.cloud.clock.time(), timezone.utc)
        request_id, version, error = cursor.last or (self.cloud.new_request_id(), None, None)
        record: dict[str, Any] = {
            "requestContext": {
                "requestId": request_id,
                "functionArn": config["FunctionArn"],
                "condition": condition,
                "approximateInvokeCount": cursor.attempts,
            },
        }
        if version is not None:
            record["responseContext"] = {
                "statusCode": 200,
                "executedVersion": version,
                "functionError": error,
            }
        record.update(
            version="1.0",
            timestamp=now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            DDBStreamBatchInfo={
                "shardId": cursor.shard,
                "startSequenceNumber": records[0].sequence_number,
                "endSequenceNumber": records[-1].sequence_number,
                "approximateArrivalOfFirstRecord": _second(records[0].created),
                "approximateArrivalOfLastRecord": _second(records[-1].created),
                "batchSize": len(records),
                "streamArn": config["EventSourceArn"],
            },
        )
        deliver(self.cloud, target, json.dumps(record), source_arn=config["FunctionArn"])

    def _reset_stream_cursor(self, uuid: str) -> None:
        self._stream_cursors.pop(uuid, None)


def _starting_cursor(stream: Stream, config: dict) -> StreamCursor:
    if config.get("StartingPosition") == "LATEST":
        shard: Shard = stream.shards[-1]
        return StreamCursor(shard.id, shard.upper(stream.next_seq))
    shard = stream.shards[0]
    return StreamCursor(shard.id, shard.trim_mark)


def _first_failure(payload: bytes, batch: list[StreamRecord]) -> int | None:
    """Index of the first record a partial batch response reports (None: all succeeded).

    A malformed report fails the whole batch (index 0), as Lambda does.
    """
    try:
        response = json.loads(payload) if payload else None
    except ValueError:
        return 0
    if response is None:
        return None
    if not isinstance(response, dict):
        return 0
    failures = response.get("batchItemFailures")
    if failures is None:
        return None
    if not isinstance(failures, list):
        return 0
    positions = {r.sequence_number: i for i, r in enumerate(batch)}
    first: int | None = None
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in positions:
            return 0
        index = positions[identifier]
        first = index if first is None else min(first, index)
    return first


def _second(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
