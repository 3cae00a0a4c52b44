"""Message operations: send, receive (with long polling), delete and visibility, and batches.

Receipt handles: a handle names its queue, message and receive. On a
standard queue any handle of a message deletes it, and deleting a message
that is already gone succeeds; on a FIFO queue only the handle of the current
receive works while the message is in flight ("The receipt handle has
expired." otherwise). A string SQS never issued is ``ReceiptHandleIsInvalid``.

Long polling waits on the virtual clock: with ``clock="frozen"`` the wait
moves the clock from event to event (a hidden message becoming visible,
background work falling due) until a message can be returned or the wait
ends, without ever blocking; with a real clock it waits for real, woken by
sends.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.base import OutsideLock, permission
from fakeaws.services.messaging import (
    attributes_size,
    binary_value,
    parse_number,
    utf8_len,
)
from fakeaws.services.sqs.errors import (
    BATCH_ID,
    BODY_CHARACTERS,
    NEED_DEDUP,
    batch_failure,
    invalid_parameter,
    invalid_value,
    missing_parameter,
    not_available_for_visibility,
    receipt_handle_expired,
    sqs_error,
)
from fakeaws.services.sqs.md5 import md5_of_attributes, md5_of_body
from fakeaws.services.sqs.queue import Message, Queue

if TYPE_CHECKING:
    from fakeaws.calls import Call

MAX_BATCH = 10
MAX_BATCH_BYTES = 1_048_576
MAX_ATTRIBUTES = 10
MAX_VISIBILITY = 43_200
MAX_DELAY = 900
MAX_IN_FLIGHT = 120_000  # messages in flight per queue (AWS's quota, standard and FIFO)
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_ID = re.compile(r"[0-9A-Za-z!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}")
_INVALID_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Letters, digits, "_", "-", "." (and Latin-1/Extended-A letters, which AWS accepts too).
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.\-\u00c0-\u017f]+")
_TYPES = ("String", "Number", "Binary")
_SYSTEM_NAMES = frozenset(
    {
        "SenderId",
        "SentTimestamp",
        "ApproximateReceiveCount",
        "ApproximateFirstReceiveTimestamp",
        "SequenceNumber",
        "MessageDeduplicationId",
        "MessageGroupId",
        "AWSTraceHeader",
        "DeadLetterQueueSourceArn",
    }
)


@dataclass
class Outgoing:
    """A validated message, ready to be enqueued."""

    body: str
    attributes: dict[str, dict]
    system: dict[str, dict]
    size: int
    delay: int | None
    group_id: str | None
    dedup_id: str | None


def _resources(backend: Any, call: Call) -> list[str]:
    from fakeaws.services.sqs.backend import queue_resource

    return queue_resource(backend, call)


def _has_invalid_characters(text: str) -> bool:
    return _INVALID_CHARACTER.search(text) is not None


def check_message_attributes(attributes: dict | None) -> dict[str, dict]:
    """SendMessage's MessageAttributes, validated as SQS does; normalized copies."""
    if not attributes:
        return {}
    if len(attributes) > MAX_ATTRIBUTES:
        raise invalid_parameter(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}]."
        )
    out: dict[str, dict] = {}
    for name, value in attributes.items():
        if not name:
            raise invalid_parameter(
                "The request must contain non-empty message (user) attribute names."
            )
        if utf8_len(name) > 256:
            raise invalid_parameter("Message (user) attribute name must be shorter than 256 bytes.")
        lowered = name.lower()
        if lowered.startswith(("aws.", "amazon.")):
            raise invalid_parameter(
                "You can't use message attribute names beginning with 'AWS.' or 'Amazon'. "
                "These strings are reserved for internal use."
            )
        if (
            not _ATTRIBUTE_NAME.fullmatch(name)
            or name.startswith(".")
            or name.endswith(".")
            or ".." in name
        ):
            raise invalid_parameter(
                f"The message attribute name '{name}' is invalid. Attribute name can contain "
                "A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters."
            )
        out[name] = _check_attribute_value(name, value)
    return out


def _check_attribute_value(name: str, value: dict) -> dict:
    data_type = value.get("DataType") or ""
    string, binary = value.get("StringValue"), value.get("BinaryValue")
    if not data_type:  # own wording
        raise invalid_parameter(
            f"The message (user) attribute '{name}' must contain a non-empty message attribute "
            "type."
        )
    if utf8_len(data_type) > 256:
        raise invalid_parameter("Message (user) attribute type must be shorter than 256 bytes.")
    if value.get("StringListValues") or value.get("BinaryListValues"):
        raise invalid_parameter(
            "Message attribute list values in SendMessage operation are not supported."
        )
    base = data_type.split(".", 1)[0]
    if base not in _TYPES:
        raise invalid_parameter(
            f"The type of message (user) attribute '{name}' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String."
        )
    if string is None and binary is None:
        raise invalid_parameter(
            f"The message (user) attribute '{name}' must contain a non-empty message attribute "
            "value."
        )
    if base == "Binary":
        data = binary_value(binary)
        if not data:
            raise invalid_parameter(
                f"Message (user) attribute '{name}' must contain a non-empty value of type "
                "'Binary'."
            )
        return {"DataType": data_type, "BinaryValue": data}
    if not string:
        raise invalid_parameter(
            f"Message (user) attribute '{name}' must contain a non-empty value of type '{base}'."
        )
    if base == "Number" and parse_number(string) is None:
        raise invalid_parameter(
            f"Can't cast the value of message (user) attribute '{name}' to a number."
        )
    if _has_invalid_characters(string):
        raise invalid_parameter(BODY_CHARACTERS)
    return {"DataType": data_type, "StringValue": string}


def check_system_attributes(system: dict | None) -> dict[str, dict]:
    """MessageSystemAttributes: only AWSTraceHeader exists, a String."""
    out: dict[str, dict] = {}
    for name, value in (system or {}).items():
        if name != "AWSTraceHeader":
            raise invalid_parameter(f"Message system attribute name '{name}' is invalid.")
        if value.get("DataType") != "String" or not value.get("StringValue"):  # own wording
            raise invalid_parameter(
                "Message system attribute 'AWSTraceHeader' must contain a non-empty value of "
                "type 'String'."
            )
        out[name] = {"DataType": "String", "StringValue": value["StringValue"]}
    return out


def _selected(attributes: dict[str, dict], names: list[str]) -> dict[str, dict]:
    """Message attributes matching MessageAttributeNames (All, .*, prefix.*, exact names)."""
    if not attributes or not names:
        return {}
    if "All" in names or ".*" in names:
        return attributes
    prefixes = [n[:-2] for n in names if n.endswith(".*")]
    exact = set(names)
    return {
        name: value
        for name, value in attributes.items()
        if name in exact or any(name.startswith(p) for p in prefixes)
    }


class Messages:
    # -- sending ---------------------------------------------------------------------------
    def prepare_message(
        self,
        queue: Queue,
        body: str,
        delay: int | None,
        attributes: dict | None,
        system: dict | None,
        dedup_id: str | None,
        group_id: str | None,
        body_parameter: str = "MessageBody",
    ) -> Outgoing:
        """Validate one message for ``queue`` in SQS's order; AWSError if it is refused."""
        if not body:
            raise missing_parameter(body_parameter)
        if delay is not None:
            if not 0 <= delay <= MAX_DELAY:
                raise invalid_value(
                    delay, "DelaySeconds", f"DelaySeconds must be >= 0 and <= {MAX_DELAY}."
                )
            if queue.fifo and delay:
                raise invalid_value(
                    delay,
                    "DelaySeconds",
                    "The request include parameter that is not valid for this queue type.",
                )
        if group_id is None:
            if queue.fifo:
                raise missing_parameter("MessageGroupId")
        elif not _FIFO_ID.fullmatch(group_id):
            raise invalid_value(
                group_id,
                "MessageGroupId",
                "MessageGroupId can only include alphanumeric and punctuation characters. "
                "1 to 128 in length.",
            )
        if not queue.fifo:
            if dedup_id is not None:
                raise invalid_value(
                    dedup_id,
                    "MessageDeduplicationId",
                    "The request include parameter that is not valid for this queue type.",
                )
        elif dedup_id is not None:
            if not _FIFO_ID.fullmatch(dedup_id):
                raise invalid_value(
                    dedup_id,
                    "MessageDeduplicationId",
                    "MessageDeduplicationId can only include alphanumeric and punctuation "
                    "characters. 1 to 128 in length.",
                )
        elif queue.content_based_deduplication:
            dedup_id = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
        else:
            raise invalid_parameter(NEED_DEDUP)
        if _has_invalid_characters(body):
            raise sqs_error("InvalidMessageContents", BODY_CHARACTERS)
        checked = check_message_attributes(attributes)
        checked_system = check_system_attributes(system)
        size = utf8_len(body) + attributes_size(checked)
        if size > queue.maximum_message_size:
            raise invalid_parameter(
                "One or more parameters are invalid. Reason: Message must be shorter than "
                f"{queue.maximum_message_size} bytes."
            )
        return Outgoing(body, checked, checked_system, size, delay, group_id, dedup_id)

    def enqueue(self, queue: Queue, out: Outgoing, sender_id: str, now: float) -> dict:
        """Put a validated message on ``queue``; SendMessage's response."""
        result: dict[str, Any] = {"MD5OfMessageBody": md5_of_body(out.body)}
        md5_attributes = md5_of_attributes(out.attributes)
        md5_system = md5_of_attributes(out.system)
        if md5_attributes:
            result["MD5OfMessageAttributes"] = md5_attributes
        if md5_system:
            result["MD5OfMessageSystemAttributes"] = md5_system
        sequence = None
        key: Any = None
        if queue.fifo:
            scope = queue.attributes.get("DeduplicationScope", "queue")
            key = out.dedup_id if scope == "queue" else (out.group_id, out.dedup_id)
            duplicate = queue.duplicate_of(key, now)
            if duplicate is not None:  # accepted, not delivered again
                result["MessageId"] = duplicate[1]
                result["SequenceNumber"] = duplicate[2]
                return result
            sequence = queue.new_sequence_number(now)
        message = Message(
            seq=0,
            id=self.cloud.new_request_id(),
            body=out.body,
            md5_body=result["MD5OfMessageBody"],
            attributes=out.attributes,
            md5_attributes=md5_attributes,
            system=out.system,
            md5_system=md5_system,
            sender_id=sender_id,
            sent_ms=int(now * 1000),
            enqueued=now,
            size=out.size,
            group_id=out.group_id,
            dedup_id=out.dedup_id if queue.fifo else None,
            sequence_number=sequence,
        )
        # FIFO queues only have the queue's delay (a message's own can only be 0).
        delay = out.delay if out.delay is not None and not queue.fifo else queue.delay_seconds
        queue.add(message, now, delay)
        if queue.fifo:
            queue.remember(key, now, message.id, sequence)
            result["SequenceNumber"] = sequence
        result["MessageId"] = message.id
        if delay <= 0:
            self.wake(queue)
        return result

    @permission(resources=_resources)
    def send_message(self, call: Call) -> dict:
        p = call.params
        queue = self.queue_for_url(p["QueueUrl"])
        out = self.prepare_message(
            queue,
            p["MessageBody"],
            p.get("DelaySeconds"),
            p.get("MessageAttributes"),
            p.get("MessageSystemAttributes"),
            p.get("MessageDeduplicationId"),
            p.get("MessageGroupId"),
        )
        return self.enqueue(queue, out, call.caller.user_id, self.now())

    @permission(action="sqs:SendMessage", resources=_resources)
    def send_message_batch(self, call: Call) -> dict:
        queue = self.queue_for_url(call.params["QueueUrl"])
        entries = call.params["Entries"]
        _check_batch(entries, "SendMessageBatchRequestEntry")
        total = sum(
            utf8_len(e.get("MessageBody")) + attributes_size(e.get("MessageAttributes"))
            for e in entries
        )
        if total > MAX_BATCH_BYTES:
            raise sqs_error(
                "BatchRequestTooLong",
                f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent "
                f"{total} bytes.",
            )
        failed: list[dict] = []
        prepared: list[tuple[str, Outgoing]] = []
        for index, entry in enumerate(entries, 1):
            try:
                out = self.prepare_message(
                    queue,
                    entry["MessageBody"],
                    entry.get("DelaySeconds"),
                    entry.get("MessageAttributes"),
                    entry.get("MessageSystemAttributes"),
                    entry.get("MessageDeduplicationId"),
                    entry.get("MessageGroupId"),
                    body_parameter=f"SendMessageBatchRequestEntry.{index}.MessageBody",
                )
            except AWSError as err:
                if queue.fifo:  # a FIFO batch is refused whole
                    raise
                failed.append(batch_failure(entry["Id"], err))
                continue
            prepared.append((entry["Id"], out))
        now = self.now()
        successful = [
            {"Id": entry_id, **self.enqueue(queue, out, call.caller.user_id, now)}
            for entry_id, out in prepared
        ]
        return {"Successful": successful, "Failed": failed}

    # -- receiving -------------------------------------------------------------------------
    @permission(resources=_resources)
    def receive_message(self, call: Call) -> dict | OutsideLock:
        p = call.params
        queue = self.queue_for_url(p["QueueUrl"])
        count = p.get("MaxNumberOfMessages")
        if count is not None and not 1 <= count <= 10:
            raise invalid_value(
                count, "MaxNumberOfMessages", "Must be between 1 and 10, if provided."
            )
        visibility = p.get("VisibilityTimeout")
        if visibility is not None and not 0 <= visibility <= MAX_VISIBILITY:
            raise invalid_value(
                visibility,
                "VisibilityTimeout",
                f"Must be >= 0 and <= {MAX_VISIBILITY}, if provided.",
            )
        wait = p.get("WaitTimeSeconds")
        if wait is not None and not 0 <= wait <= 20:
            raise invalid_value(wait, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.")
        attempt = p.get("ReceiveRequestAttemptId")
        if attempt is not None and not _FIFO_ID.fullmatch(attempt):  # own wording
            raise invalid_value(
                attempt,
                "ReceiveRequestAttemptId",
                "ReceiveRequestAttemptId can only include alphanumeric and punctuation "
                "characters. 1 to 128 in length.",
            )
        request = _ReceiveRequest(
            count or 1,
            visibility,
            attempt if queue.fifo else None,
            set(p.get("MessageSystemAttributeNames") or ()) | set(p.get("AttributeNames") or ()),
            list(p.get("MessageAttributeNames") or ()),
        )
        now = self.now()
        response = self._receive_response(queue, now, request)
        if wait is None:
            wait = queue.int_attribute("ReceiveMessageWaitTimeSeconds")
        if response or wait <= 0:
            return response
        return OutsideLock(functools.partial(self._long_poll, queue, now + wait, request))

    def _receive_response(self, queue: Queue, now: float, request: _ReceiveRequest) -> dict:
        timeout = queue.visibility_timeout if request.visibility is None else request.visibility
        received = self.receive_now(queue, now, request.count, timeout, request.attempt)
        if not received:
            return {}
        return {
            "Messages": [
                self.render(queue, m, handle, request.system_names, request.attribute_names)
                for m, handle in received
            ]
        }

    def _long_poll(self, queue: Queue, deadline: float, request: _ReceiveRequest) -> dict:
        """Wait (on the virtual clock) until messages can be returned or the wait is over."""
        from fakeaws.services.sqs.backend import waker

        cloud = self.cloud
        clock = cloud.clock
        while True:
            cloud.scheduler.run_due()
            with cloud.lock:
                if queue.deleted:
                    return {}
                now = clock.time()
                response = self._receive_response(queue, now, request)
                if response or now >= deadline:
                    return response
                wake = deadline
                for when in (queue.next_change(), cloud.scheduler.next_due()):
                    if when is not None and now < when < wake:
                        wake = when
                seen = waker(cloud).version
            if clock.frozen:
                clock.advance_to(wake)
            else:
                waker(cloud).wait(seen, wake - now)

    def receive_now(
        self,
        queue: Queue,
        now: float,
        count: int,
        visibility_timeout: int,
        attempt: str | None,
    ) -> list[tuple[Message, str]]:
        """Take up to ``count`` messages now (applying the redrive policy); with handles."""
        queue.refresh(now)
        if attempt is not None:
            repeated = self._repeat_attempt(queue, attempt, now, visibility_timeout)
            if repeated:
                return repeated
        if not queue.fifo and queue.in_flight >= MAX_IN_FLIGHT:  # own wording
            raise sqs_error(
                "OverLimit",
                f"The queue has reached the limit of {MAX_IN_FLIGHT} messages in flight.",
            )
        redrive = self.redrive_policy(queue)
        received: list[tuple[Message, str]] = []
        for message in queue.candidates():
            if len(received) >= count or queue.in_flight >= MAX_IN_FLIGHT:
                break  # a FIFO queue at its in-flight quota returns no more, without an error
            if (
                redrive is not None
                and message.receives >= redrive[1]
                and self.move_to_dead_letter(queue, message, redrive[0], now)
            ):
                continue
            queue.take(message, now, visibility_timeout)
            received.append((message, self.receipt_handle(queue, message.seq, message.receives)))
        if attempt is not None and received:
            queue.attempts.pop(attempt, None)  # re-recorded at the end: the window's order
            queue.attempts[attempt] = (now, [(m.seq, h, m.generation) for m, h in received])
        return received

    @staticmethod
    def _repeat_attempt(
        queue: Queue, attempt: str, now: float, visibility_timeout: int
    ) -> list[tuple[Message, str]]:
        """A retried ReceiveRequestAttemptId: the same messages and handles, if none changed."""
        previous = queue.attempt(attempt, now)
        if not previous:
            return []
        found = []
        for seq, handle, generation in previous:
            message = queue.messages.get(seq)
            if message is None or message.generation != generation or not message.in_flight:
                return []
            found.append((message, handle))
        for message, _ in found:
            queue.extend(message, now, visibility_timeout)
        started = queue.attempts[attempt][0]
        queue.attempts[attempt] = (started, [(m.seq, h, m.generation) for m, h in found])
        return found

    def render(
        self,
        queue: Queue,
        message: Message,
        handle: str,
        system_names: set[str],
        attribute_names: list[str],
    ) -> dict:
        """A received message as ReceiveMessage returns it."""
        out: dict[str, Any] = {
            "MessageId": message.id,
            "ReceiptHandle": handle,
            "MD5OfBody": message.md5_body,
            "Body": message.body,
        }
        system = _system_attributes(queue, message, system_names)
        if system:
            out["Attributes"] = system
        selected = _selected(message.attributes, attribute_names)
        if selected:
            out["MessageAttributes"] = {name: dict(value) for name, value in selected.items()}
            out["MD5OfMessageAttributes"] = (
                message.md5_attributes
                if len(selected) == len(message.attributes)
                else md5_of_attributes(selected)
            )
        return out

    # -- deleting and visibility -----------------------------------------------------------
    @permission(resources=_resources)
    def delete_message(self, call: Call) -> dict:
        queue = self.queue_for_url(call.params["QueueUrl"])
        handle = call.params["ReceiptHandle"]
        if not handle.strip():
            raise missing_parameter("ReceiptHandle")
        self.delete_one(queue, handle, self.now())
        return {}

    def delete_one(self, queue: Queue, handle: str, now: float) -> None:
        queue.refresh(now)
        found = self.read_receipt_handle(queue, handle)
        if found is None:
            return
        seq, receives = found
        message = queue.messages.get(seq)
        if message is None:
            return  # already deleted (or expired): deleting again is fine
        if queue.fifo and (message.receives != receives or not message.in_flight):
            raise receipt_handle_expired(handle)
        queue.remove(message)
        if queue.fifo:
            self.wake(queue)  # the group may be free again

    @permission(action="sqs:DeleteMessage", resources=_resources)
    def delete_message_batch(self, call: Call) -> dict:
        queue = self.queue_for_url(call.params["QueueUrl"])
        entries = call.params["Entries"]
        _check_batch(entries, "DeleteMessageBatchRequestEntry")
        now = self.now()
        return _per_entry(
            entries, lambda _, entry: self.delete_one(queue, entry["ReceiptHandle"], now)
        )

    @permission(resources=_resources)
    def change_message_visibility(self, call: Call) -> dict:
        p = call.params
        queue = self.queue_for_url(p["QueueUrl"])
        if not p["ReceiptHandle"].strip():
            raise missing_parameter("ReceiptHandle")
        timeout = p["VisibilityTimeout"]
        if timeout is None:
            raise missing_parameter("VisibilityTimeout")
        if not 0 <= timeout <= MAX_VISIBILITY:
            raise invalid_value(
                timeout, "VisibilityTimeout", f"Must be between 0 and {MAX_VISIBILITY}."
            )
        self.change_visibility_one(queue, p["ReceiptHandle"], timeout, self.now())
        return {}

    def change_visibility_one(self, queue: Queue, handle: str, timeout: int, now: float) -> None:
        if not 0 <= timeout <= MAX_VISIBILITY:
            raise invalid_value(
                timeout, "VisibilityTimeout", f"Must be between 0 and {MAX_VISIBILITY}."
            )
        queue.refresh(now)
        found = self.read_receipt_handle(queue, handle)
        message = queue.messages.get(found[0]) if found is not None else None
        if message is None:
            raise not_available_for_visibility(handle)
        if message.receives != found[1] or not message.in_flight:
            if queue.fifo:
                raise receipt_handle_expired(handle)
            if not message.in_flight:
                return  # visible again already: nothing to change
        if now - message.received_at + timeout > MAX_VISIBILITY:
            raise invalid_value(
                timeout,
                "VisibilityTimeout",
                f"Total VisibilityTimeout for the message is beyond the limit [{MAX_VISIBILITY} "
                "seconds]",
            )
        queue.extend(message, now, timeout)
        if timeout == 0:
            self.wake(queue)

    @permission(action="sqs:ChangeMessageVisibility", resources=_resources)
    def change_message_visibility_batch(self, call: Call) -> dict:
        queue = self.queue_for_url(call.params["QueueUrl"])
        entries = call.params["Entries"]
        _check_batch(entries, "ChangeMessageVisibilityBatch")
        now = self.now()

        def change(index: int, entry: dict) -> None:
            timeout = entry.get("VisibilityTimeout")
            if timeout is None:
                raise missing_parameter(
                    f"ChangeMessageVisibilityBatchRequestEntry.{index}.VisibilityTimeout"
                )
            if not 0 <= timeout <= MAX_VISIBILITY:
                raise invalid_value(
                    timeout,
                    "VisibilityTimeout",
                    f"VisibilityTimeout must be an integer between 0 and {MAX_VISIBILITY}.",
                )
            self.change_visibility_one(queue, entry["ReceiptHandle"], timeout, now)

        return _per_entry(entries, change)


def _per_entry(entries: list[dict], act: Any) -> dict:
    """A receipt-handle batch: ``act(index, entry)`` each entry; AWSErrors fail only theirs."""
    successful, failed = [], []
    for index, entry in enumerate(entries, 1):
        try:
            if not entry["ReceiptHandle"].strip():
                raise missing_parameter("ReceiptHandle")
            act(index, entry)
        except AWSError as err:
            failed.append(batch_failure(entry["Id"], err))
        else:
            successful.append({"Id": entry["Id"]})
    return {"Successful": successful, "Failed": failed}


@dataclass(frozen=True)
class _ReceiveRequest:
    count: int
    visibility: int | None
    attempt: str | None
    system_names: set[str]
    attribute_names: list[str]


def _check_batch(entries: list[dict], entry_name: str) -> None:
    if not entries:
        raise sqs_error(
            "EmptyBatchRequest", f"There should be at least one {entry_name} in the request."
        )
    if len(entries) > MAX_BATCH:
        raise sqs_error(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_BATCH}. You have sent {len(entries)}.",
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry["Id"]
        if not _BATCH_ID.fullmatch(entry_id):
            raise sqs_error("InvalidBatchEntryId", BATCH_ID)
        if entry_id in seen:
            raise sqs_error("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")
        seen.add(entry_id)


def _system_attributes(queue: Queue, message: Message, names: set[str]) -> dict[str, str]:
    wanted = _SYSTEM_NAMES if "All" in names else names & _SYSTEM_NAMES
    if not wanted:
        return {}
    values: dict[str, str | None] = {
        "SenderId": message.sender_id,
        "SentTimestamp": str(message.sent_ms),
        "ApproximateReceiveCount": str(message.receive_count),
        "ApproximateFirstReceiveTimestamp": str(message.first_receive_ms),
        "MessageGroupId": message.group_id,
        "MessageDeduplicationId": message.dedup_id if queue.fifo else None,
        "SequenceNumber": message.sequence_number if queue.fifo else None,
        "AWSTraceHeader": (message.system.get("AWSTraceHeader") or {}).get("StringValue"),
        "DeadLetterQueueSourceArn": message.dlq_source_arn,
    }
    return {name: value for name, value in values.items() if name in wanted and value is not None}
