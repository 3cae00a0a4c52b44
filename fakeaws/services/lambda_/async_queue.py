"""Asynchronous (Event) invocations: Lambda's internal queue, retries and destinations.

An Event invocation is accepted at once (202) and runs as background work on
the cloud's scheduler, so it happens before the next intercepted call, when
the test settles the cloud, or when the clock is advanced past it. As on AWS:

* a function error is retried ``MaximumRetryAttempts`` times (default 2), one
  minute before the first retry and two before the second;
* a throttled event waits and tries again with a growing delay (1 s doubling
  up to 5 minutes) for as long as it is younger than ``MaximumEventAgeInSeconds``
  (default 6 hours); throttles do not count as attempts;
* the outcome goes to the OnSuccess / OnFailure destination of the function's
  event invoke config, and a discarded event also to its dead-letter queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.lambda_.destinations import deliver

if TYPE_CHECKING:
    from fakeaws.services.lambda_.model import Function

DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE = 21600
RETRY_DELAYS = (60.0, 120.0)  # before the first and the second retry
MAX_THROTTLE_DELAY = 300.0


@dataclass
class AsyncEvent:
    function: str
    qualifier: str | None
    event: Any
    payload: bytes
    request_id: str
    enqueued: float
    attempts: int = 0
    throttles: int = 0


class AsyncQueue:
    def enqueue(
        self, fn: Function, qualifier: str | None, event: Any, payload: bytes, request_id: str
    ) -> None:
        """Accept an Event invocation; it runs as background work."""
        record = AsyncEvent(fn.name, qualifier, event, payload, request_id, self.cloud.clock.time())
        self._schedule_async(record, 0.0)

    def _schedule_async(self, record: AsyncEvent, delay: float) -> None:
        self.cloud.scheduler.call_later(
            delay, self._run_async, record, name=f"lambda async {record.function}", locked=False
        )

    def _run_async(self, record: AsyncEvent) -> None:
        with self.cloud.lock:
            fn = self.functions.get(record.function)
            if fn is None:
                return  # deleted meanwhile: the event is gone, as on AWS
            config = self.event_invoke_config(fn, record.qualifier) or {}
            age = self.cloud.clock.time() - record.enqueued
            if age > _setting(config, "MaximumEventAgeInSeconds", DEFAULT_MAX_AGE):
                self._async_outcome(fn, record, "EventAgeExceeded", None, None)
                return
            try:
                version = self._routed_version(fn, record.qualifier)
                run = self.start_run(fn, version, record.qualifier, record.event, record.request_id)
            except AWSError as err:
                if err.code != "TooManyRequestsException":
                    self._async_outcome(fn, record, "RetriesExhausted", None, None)
                    return
                record.throttles += 1
                delay = min(MAX_THROTTLE_DELAY, 2.0 ** (record.throttles - 1))
                self._schedule_async(record, delay)
                return
        result = self.execute(run)
        with self.cloud.lock:
            record.attempts += 1
            if not result.function_error:
                self._async_outcome(fn, record, "Success", result, version.number)
            elif record.attempts <= _setting(config, "MaximumRetryAttempts", DEFAULT_RETRIES):
                self._schedule_async(record, RETRY_DELAYS[min(record.attempts, 2) - 1])
            else:
                self._async_outcome(fn, record, "RetriesExhausted", result, version.number)

    def _async_outcome(
        self, fn: Function, record: AsyncEvent, condition: str, result: Any, executed: str | None
    ) -> None:
        config = self.event_invoke_config(fn, record.qualifier) or {}
        which = "OnSuccess" if condition == "Success" else "OnFailure"
        target = ((config.get("DestinationConfig") or {}).get(which) or {}).get("Destination")
        if target:
            body = json.dumps(self._invocation_record(fn, record, condition, result, executed))
            deliver(self.cloud, target, body, source_arn=fn.arn)
        if condition == "Success":
            return
        version = fn.version(executed or "$LATEST") or fn.latest
        dlq = (version.config.get("DeadLetterConfig") or {}).get("TargetArn")
        if dlq:
            error = _payload_value(result.payload) if result is not None else {}
            error = error if isinstance(error, dict) else {}
            attributes = {
                "RequestID": record.request_id,
                "ErrorCode": "200",
                "ErrorMessage": str(error.get("errorMessage", condition)),
            }
            deliver(
                self.cloud,
                dlq,
                record.payload.decode("utf-8") or "{}",
                attributes=attributes,
                source_arn=fn.arn,
            )

    def _invocation_record(
        self, fn: Function, record: AsyncEvent, condition: str, result: Any, executed: str | None
    ) -> dict:
        """What a destination receives, as Lambda documents the invocation record."""
        now = datetime.fromtimestamp(self.cloud.clock.time(), timezone.utc)
        out: dict[str, Any] = {
            "version": "1.0",
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "requestContext": {
                "requestId": record.request_id,
                "functionArn": self.function_arn(fn.name, record.qualifier or "$LATEST"),
                "condition": condition,
                "approximateInvokeCount": record.attempts,
            },
            "requestPayload": record.event,
        }
        if result is not None:
            context: dict[str, Any] = {"statusCode": 200, "executedVersion": executed}
            if result.function_error:
                context["functionError"] = result.function_error
            out["responseContext"] = context
            out["responsePayload"] = _payload_value(result.payload)
        return out


def _setting(config: dict, name: str, default: int) -> int:
    value = config.get(name)
    return default if value is None else value


def _payload_value(payload: bytes) -> Any:
    """A function's response as JSON, or as text when the handler returned something else."""
    if not payload:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", errors="replace")
