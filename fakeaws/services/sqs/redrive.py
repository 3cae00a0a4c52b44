"""Dead-letter queues: the redrive on receive, their checks, and message move tasks.

A message received more than ``maxReceiveCount`` times from a queue moves to
its dead-letter queue on the receive that would exceed the count (it is not
returned): same MessageId, body, attributes and SentTimestamp, with
``DeadLetterQueueSourceArn`` set and its ApproximateReceiveCount carried over
(SQS counts receives "across all queues"). Retention counts from the original
enqueue time for standard queues and restarts for FIFO queues, as AWS
documents.

A FIFO dead-letter queue gets the message with its MessageId as deduplication
id (AWS: "the original message's deduplication ID will be replaced with the
original message's ID").

Move tasks (StartMessageMoveTask) run on the virtual clock: every second a
running task moves up to MaxNumberOfMessagesPerSecond available messages
(the ``move_task_rate`` knob when not given) from the dead-letter queue to
the destination, or back to each message's source queue. A moved message is
a new message (AWS's redrive guide): a new MessageId, SentTimestamp and
retention period, no receives yet.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import json
from typing import TYPE_CHECKING, Any

from fakeaws.services.base import permission
from fakeaws.services.messaging import parse_json
from fakeaws.services.sqs import attributes as attrs
from fakeaws.services.sqs.addressing import parse_arn, parse_queue_arn
from fakeaws.services.sqs.errors import (
    DESTINATION_ARN_FORMAT,
    NO_DESTINATION,
    NO_SOURCE,
    NOT_A_DLQ,
    SOURCE_ARN_FORMAT,
    TASK_RUNNING,
    invalid_parameter,
    invalid_value,
    sqs_error,
)
from fakeaws.services.sqs.queue import Message, MoveTask, Queue
from fakeaws.services.sqs.queues import paginate

if TYPE_CHECKING:
    from fakeaws.calls import Call

MAX_RATE = 500
MAX_TASKS_LISTED = 10
ACTIVE = ("RUNNING", "CANCELLING")


def _resources(backend: Any, call: Call) -> list[str]:
    from fakeaws.services.sqs.backend import queue_resource

    return queue_resource(backend, call)


def encode_task_handle(task_id: str, source_arn: str) -> str:
    doc = json.dumps({"taskId": task_id, "sourceArn": source_arn}, separators=(",", ":"))
    return base64.b64encode(doc.encode()).decode()


def decode_task_handle(handle: str) -> tuple[str, str] | None:
    try:
        doc = parse_json(base64.b64decode(handle, validate=True))
        task_id, source_arn = doc["taskId"], doc["sourceArn"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    if not isinstance(task_id, str) or not isinstance(source_arn, str):
        return None
    return task_id, source_arn


@functools.lru_cache(maxsize=1024)
def _stored_redrive_policy(text: str) -> tuple[str, int]:
    """A stored (valid) RedrivePolicy's target and count: read on every receive."""
    target, count, _ = attrs.parse_redrive_policy(text)
    return target, count


class Redrive:
    # -- the redrive policy ------------------------------------------------------------
    @staticmethod
    def redrive_policy(queue: Queue) -> tuple[str, int] | None:
        text = queue.attributes.get("RedrivePolicy")
        return _stored_redrive_policy(text) if text else None

    def check_dead_letter_target(self, source_arn: str, fifo: bool, policy: str) -> None:
        """A RedrivePolicy's target must exist, have the source's type and allow the source."""
        target_arn, _, _ = attrs.parse_redrive_policy(policy)
        target = self.queue_for_arn(target_arn)
        if target is None:
            raise invalid_value(policy, "RedrivePolicy", "Dead letter target does not exist.")
        if target.fifo != fifo:
            raise invalid_value(
                policy,
                "RedrivePolicy",
                "Dead-letter queue must be same type of queue as the source..",
            )
        allow = target.attributes.get("RedriveAllowPolicy")
        permission_type, sources = "allowAll", []
        if allow:
            permission_type, sources, _ = attrs.parse_redrive_allow_policy(allow)
        source = parse_queue_arn(source_arn)
        if permission_type == "allowAll":
            allowed = source is not None and (source.account, source.region) == (
                target.account,
                target.region,
            )
        else:
            allowed = permission_type == "byQueue" and source_arn in sources
        if not allowed:  # own wording
            raise invalid_value(
                policy,
                "RedrivePolicy",
                f"The RedriveAllowPolicy of {target_arn} does not allow this queue to use it as "
                "a dead-letter queue.",
            )

    def move_to_dead_letter(
        self, queue: Queue, message: Message, target_arn: str, now: float
    ) -> bool:
        """Move a message over its maxReceiveCount to the dead-letter queue (False: no DLQ)."""
        target = self.queue_for_arn(target_arn)
        if target is None or target.deleted:
            return False
        queue.remove(message)
        self._transfer(
            message,
            target,
            now,
            dlq_source_arn=queue.arn,
            enqueued=now if target.fifo else message.enqueued,
            dedup_id=message.id if target.fifo else None,
        )
        return True

    def _redrive(self, message: Message, target: Queue, now: float) -> None:
        """A move task's move: the message arrives at ``target`` as a new message."""
        self._transfer(
            message,
            target,
            now,
            id=self.cloud.new_request_id(),
            sent_ms=int(now * 1000),
            enqueued=now,
            receive_count=0,
            first_receive_ms=None,
            dlq_source_arn=None,
            dedup_id=message.dedup_id if target.fifo else None,
        )

    def _transfer(self, message: Message, target: Queue, now: float, **changes: Any) -> None:
        target.refresh(now)
        moved = dataclasses.replace(
            message,
            seq=0,
            receives=0,
            in_flight=False,
            generation=0,
            visible_at=now,
            sequence_number=target.new_sequence_number(now) if target.fifo else None,
            **changes,
        )
        target.add(moved, now, 0)
        self.wake(target)

    # -- ListDeadLetterSourceQueues ----------------------------------------------------
    @permission(resources=_resources)
    def list_dead_letter_source_queues(self, call: Call) -> dict:
        queue = self.queue_for_url(call.params["QueueUrl"])
        owner = self.backend_for(queue.account)
        names = sorted(
            q.name
            for q in owner.queues.values()
            if (self.redrive_policy(q) or ("", 0))[0] == queue.arn
        )
        page, token = paginate(names, call)
        out: dict[str, Any] = {"queueUrls": [owner.queues[n].url for n in page]}
        if token:
            out["NextToken"] = token
        return out

    # -- message move tasks ------------------------------------------------------------
    def _source_queue(self, arn: str) -> Queue:
        if parse_arn(arn or "") is None:
            raise invalid_parameter(SOURCE_ARN_FORMAT)
        queue = self.queue_for_arn(arn)
        if queue is None:
            raise sqs_error("ResourceNotFoundException", NO_SOURCE)
        return queue

    def _is_dead_letter_queue(self, queue: Queue) -> bool:
        return any(
            (self.redrive_policy(q) or ("", 0))[0] == queue.arn
            for backend in self.all_backends()
            for q in backend.queues.values()
        )

    @permission(resources=_resources)
    def start_message_move_task(self, call: Call) -> dict:
        p = call.params
        source = self._source_queue(p["SourceArn"])
        if not self._is_dead_letter_queue(source):
            raise invalid_parameter(NOT_A_DLQ)
        destination_arn = p.get("DestinationArn")
        if destination_arn is not None:
            if parse_arn(destination_arn) is None:
                raise invalid_parameter(DESTINATION_ARN_FORMAT)
            destination = self.queue_for_arn(destination_arn)
            if destination is None:
                raise sqs_error("ResourceNotFoundException", NO_DESTINATION)
            if destination is source:
                raise invalid_parameter(
                    "Source queue arn and destination queue arn cannot be the same."
                )
            if destination.fifo != source.fifo:
                raise invalid_parameter(
                    "The source queue and destination queue must be of the same queue type."
                )
        rate = p.get("MaxNumberOfMessagesPerSecond")
        if rate is not None and not 1 <= rate <= MAX_RATE:
            raise invalid_parameter(
                "Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: You must "
                f"enter a number that's between 1 and {MAX_RATE}."
            )
        if any(task.status in ACTIVE for task in source.move_tasks):
            raise invalid_parameter(TASK_RUNNING)
        now = self.now()
        task_id = self.cloud.new_request_id()
        task = MoveTask(
            task_id=task_id,
            handle=encode_task_handle(task_id, source.arn),
            source_arn=source.arn,
            destination_arn=destination_arn,
            rate=rate,
            started_ms=int(now * 1000),
            to_move=source.counts(now)[0],
        )
        source.move_tasks.insert(0, task)
        del source.move_tasks[MAX_TASKS_LISTED:]
        self.cloud.scheduler.call_later(
            1.0, self._move_step, source.arn, source.incarnation, task_id, name="sqs move task"
        )
        return {"TaskHandle": task.handle}

    def _move_step(self, source_arn: str, incarnation: str, task_id: str) -> None:
        """One virtual second of a move task (scheduled, under the cloud's lock)."""
        source = self.queue_for_arn(source_arn)
        if source is None or source.incarnation != incarnation:
            return  # the queue was deleted, and its tasks with it
        task = next((t for t in source.move_tasks if t.task_id == task_id), None)
        if task is None or task.status not in ACTIVE:
            return
        if task.status == "CANCELLING":
            task.status = "CANCELLED"
            return
        now = self.now()
        source.refresh(now)
        budget = task.rate or int(self.settings.move_task_rate)
        while budget > 0:
            if task.moved >= task.to_move or not source.ready:
                task.status = "COMPLETED"
                return
            message = source.messages[source.ready[0]]
            target_arn = task.destination_arn or message.dlq_source_arn
            target = self.queue_for_arn(target_arn) if target_arn else None
            if target is None:
                task.status = "FAILED"
                task.failure_reason = "AWS.SimpleQueueService.NonExistentQueue"
                return
            source.remove(message)
            self._redrive(message, target, now)
            task.moved += 1
            budget -= 1
        if task.moved >= task.to_move or not source.ready:
            task.status = "COMPLETED"
            return
        self.cloud.scheduler.call_later(
            1.0, self._move_step, source_arn, incarnation, task_id, name="sqs move task"
        )

    @permission(resources=_resources)
    def list_message_move_tasks(self, call: Call) -> dict:
        p = call.params
        source = self._source_queue(p["SourceArn"])
        limit = p.get("MaxResults")
        if limit is not None and not 1 <= limit <= MAX_TASKS_LISTED:  # own wording
            raise invalid_value(
                limit,
                "MaxResults",
                f"You must enter a number that's between 1 and {MAX_TASKS_LISTED}.",
            )
        return {"Results": [_task_entry(t) for t in source.move_tasks[: limit or 1]]}

    @permission(resources=_resources)
    def cancel_message_move_task(self, call: Call) -> dict:
        handle = call.params["TaskHandle"]
        decoded = decode_task_handle(handle)
        if decoded is None:
            raise invalid_parameter("Value for parameter TaskHandle is invalid.")
        task_id, source_arn = decoded
        source = self.queue_for_arn(source_arn)
        if source is None:
            raise sqs_error("ResourceNotFoundException", NO_SOURCE)
        task = next((t for t in source.move_tasks if t.task_id == task_id), None)
        if task is None:
            raise sqs_error("ResourceNotFoundException", "Task does not exist.")
        if task.status != "RUNNING":  # own wording
            raise invalid_value(
                handle, "TaskHandle", "Only a task in the RUNNING status can be cancelled."
            )
        task.status = "CANCELLING"
        return {"ApproximateNumberOfMessagesMoved": task.moved}


def _task_entry(task: MoveTask) -> dict:
    out: dict[str, Any] = {"Status": task.status, "SourceArn": task.source_arn}
    if task.status == "RUNNING":
        out["TaskHandle"] = task.handle
    if task.destination_arn:
        out["DestinationArn"] = task.destination_arn
    if task.rate is not None:
        out["MaxNumberOfMessagesPerSecond"] = task.rate
    out["ApproximateNumberOfMessagesMoved"] = task.moved
    out["ApproximateNumberOfMessagesToMove"] = task.to_move
    if task.failure_reason:
        out["FailureReason"] = task.failure_reason
    out["StartedTimestamp"] = task.started_ms
    return out
