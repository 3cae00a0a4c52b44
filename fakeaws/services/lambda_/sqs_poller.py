"""The SQS poller of an event source mapping, on the cloud's scheduler.

As Lambda does: receive up to ``BatchSize`` messages (waiting up to
``MaximumBatchingWindowInSeconds`` to fill a batch, the messages in flight
meanwhile), drop and delete those the ``FilterCriteria`` reject, invoke the
function synchronously with the SQS event, then delete the batch on success.
On a function error nothing is deleted: the messages come back after their
visibility timeout, and the queue's redrive policy moves them to its DLQ after
``maxReceiveCount`` receives. With ``ReportBatchItemFailures`` only the
reported items stay. A throttled invocation leaves the messages to come back.

The poller wakes when the queue gets a message (SQS tells it) and when an
in-flight or delayed message becomes visible; it never spins on the clock.
Batches of one mapping run one at a time (concurrency 1 per mapping).
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError

if TYPE_CHECKING:
    from fakeaws.services.lambda_.invoke import Run

_FIFO_ATTRIBUTES = ("SequenceNumber", "MessageGroupId", "MessageDeduplicationId")
_RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "AWSTraceHeader",
    "SentTimestamp",
    *_FIFO_ATTRIBUTES,
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
)


class SqsPolling:
    def start_polling(self, uuid: str, delay: float = 0.0) -> None:
        """Make sure a poll of SQS mapping ``uuid`` is due within ``delay`` seconds."""
        config = self.schedule_poll(uuid, delay, self._poll_sqs, "sqs")
        if config is not None:
            arn = config["EventSourceArn"]
            self._queue_backend(arn).watch_internal(arn, self.start_polling, uuid)

    def schedule_poll(self, uuid: str, delay: float, poll, kind: str) -> dict | None:
        """Have ``poll(uuid)`` due within ``delay`` seconds (one pending poll per mapping).

        Returns the mapping's configuration, or None if the mapping is gone.
        """
        due = self.cloud.clock.time() + delay
        task = self._poll_tasks.get(uuid)
        if task is not None and not task.cancelled and task.due <= due:
            return self.mappings.get(uuid)
        if task is not None:
            task.cancel()
        config = self.mappings.get(uuid)
        if config is None:
            return None
        self._poll_tasks[uuid] = self.cloud.scheduler.call_at(
            due, poll, uuid, name=f"lambda {kind} poller {uuid}", locked=False
        )
        return config

    def _queue_backend(self, queue_arn: str):
        parts = queue_arn.split(":")
        return self.cloud.backend("sqs", parts[4], parts[3])

    def _poll_sqs(self, uuid: str) -> None:
        with self.cloud.lock:
            self._poll_tasks.pop(uuid, None)
            config = self.mappings.get(uuid)
            if config is None or config["State"] != "Enabled":
                return
            run = self._next_sqs_batch(uuid, config)
        if run is None:
            return
        result = self.execute(run)
        with self.cloud.lock:
            self._sqs_batch_done(config, run, result)
            self.start_polling(uuid)  # there may be more

    def _next_sqs_batch(self, uuid: str, config: dict) -> Run | None:
        queue_arn = config["EventSourceArn"]
        sqs = self._queue_backend(queue_arn)
        name, _, qualifier = config["FunctionArn"].split(":", 6)[6].partition(":")
        fn = self.functions.get(name)
        if fn is None:
            config["LastProcessingResult"] = "PROBLEM: Function does not exist."
            return None
        buffer = self._sqs_buffers.setdefault(uuid, [])
        size = config["BatchSize"]
        try:
            while len(buffer) < size:
                got = sqs.receive_internal(queue_arn, min(10, size - len(buffer)))
                if not got:
                    break
                buffer.extend(got)
        except AWSError as err:  # the queue is gone
            config["LastProcessingResult"] = f"PROBLEM: {err.message}"
            return None
        now = self.cloud.clock.time()
        buffer[:] = self._filtered(config, sqs, buffer)
        if not buffer:
            self._sqs_windows.pop(uuid, None)
            self._wait_for_messages(uuid, sqs, queue_arn)
            return None
        window = config.get("MaximumBatchingWindowInSeconds") or 0
        opened = self._sqs_windows.setdefault(uuid, now)
        if len(buffer) < size and now < opened + window:
            self.start_polling(uuid, opened + window - now)
            return None
        batch = self._sqs_buffers.pop(uuid)
        self._sqs_windows.pop(uuid, None)
        event = {"Records": [_record(m, queue_arn, self.region) for m in batch]}
        try:
            version = self._routed_version(fn, qualifier or None)
            run = self.start_run(fn, version, qualifier or None, event, self.cloud.new_request_id())
        except AWSError:  # throttled: the messages come back after their visibility timeout
            config["LastProcessingResult"] = "PROBLEM: Function call failed"
            self._wait_for_messages(uuid, sqs, queue_arn)
            return None
        run.batch = batch
        return run

    def _filtered(self, config: dict, sqs: Any, messages: list[dict]) -> list[dict]:
        filters = (config.get("FilterCriteria") or {}).get("Filters")
        if not filters:
            return messages
        from fakeaws.eventpatterns import compile_pattern, lambda_filters_match, lambda_json_data

        patterns = [compile_pattern(f["Pattern"], "lambda") for f in filters]  # cached by text
        kept = []
        for message in messages:
            record = _record(message, config["EventSourceArn"], self.region)
            record["body"] = lambda_json_data(record["body"])[0]  # JSON bodies match as JSON
            if lambda_filters_match(patterns, record, "body"):
                kept.append(message)
            else:  # Lambda deletes the messages its filters reject
                sqs.delete_internal(config["EventSourceArn"], message["ReceiptHandle"])
        return kept

    def _sqs_batch_done(self, config: dict, run: Run, result: Any) -> None:
        queue_arn = config["EventSourceArn"]
        sqs = self._queue_backend(queue_arn)
        if result.function_error:
            config["LastProcessingResult"] = "PROBLEM: Function call failed"
            return
        config["LastProcessingResult"] = "OK"
        failed: set[str] = set()
        if "ReportBatchItemFailures" in config.get("FunctionResponseTypes", ()):
            failed = _reported_failures(result.payload, [m["MessageId"] for m in run.batch])
        for message in run.batch:
            if message["MessageId"] not in failed:
                sqs.delete_internal(queue_arn, message["ReceiptHandle"])

    def _wait_for_messages(self, uuid: str, sqs: Any, queue_arn: str) -> None:
        """Sleep until a message is sent (SQS wakes us) or a hidden one becomes visible."""
        when = sqs.next_visible_internal(queue_arn)
        if when is not None:
            self.start_polling(uuid, max(0.0, when - self.cloud.clock.time()))


def _reported_failures(payload: bytes, ids: list[str]) -> set[str]:
    """The items a partial batch response reports as failed; all of them if it is malformed."""
    everything = set(ids)
    try:
        response = json.loads(payload) if payload else None
    except ValueError:
        return everything
    if response is None:
        return set()
    if not isinstance(response, dict):
        return everything
    failures = response.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return everything
    failed = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in everything:
            return everything
        failed.add(identifier)
    return failed


def _record(message: dict, queue_arn: str, region: str) -> dict:
    """One message as the SQS event gives it to the function."""
    system = message.get("Attributes") or {}
    attributes = {name: system[name] for name in _RECORD_ATTRIBUTES if name in system}
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": {
            name: _attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record.update(eventSource="aws:sqs", eventSourceARN=queue_arn, awsRegion=region)
    return record


def _attribute(value: dict) -> dict:
    out: dict[str, Any] = {}
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
    out["stringListValues"] = list(value.get("StringListValues") or [])
    out["binaryListValues"] = [
        base64.b64encode(v).decode("ascii") for v in value.get("BinaryListValues") or []
    ]
    out["dataType"] = value["DataType"]
    return out
