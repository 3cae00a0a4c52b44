"""Publish, PublishBatch, and the Python entry points other services publish through.

A published message is validated in AWS's order, deduplicated (FIFO topics,
five minutes, by topic or by message group per ``FifoThroughputScope``),
numbered (FIFO ``SequenceNumber``) and fanned out: every confirmed
subscription whose filter policy matches gets its own delivery, scheduled on
the cloud's scheduler (see ``delivery.py``). Subscriptions are taken as they
are at publish time.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.base import permission
from fakeaws.services.messaging import (
    attributes_size,
    forget_expired,
    parse_json,
    parse_number,
    utf8_len,
)
from fakeaws.services.sns import filter
from fakeaws.services.sns.envelope import Notification
from fakeaws.services.sns.model import Delivery, Topic
from fakeaws.services.sns.validation import (
    BAD_JSON_MESSAGE,
    BATCH_EMPTY,
    BATCH_ID,
    BATCH_IDS_NOT_DISTINCT,
    BATCH_TOO_LONG,
    BATCH_TOO_MANY,
    DEDUP_ON_STANDARD,
    EMPTY_MESSAGE,
    MAX_BATCH_ENTRIES,
    MAX_MESSAGE_BYTES,
    MESSAGE_TOO_LONG,
    NO_DEDUP,
    NO_DEFAULT,
    NO_GROUP_ID,
    TOPIC_NOT_FOUND,
    check_id,
    check_message_attributes,
    check_phone_number,
    check_subject,
    invalid,
    split_arn,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call

NO_TARGET = "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
NO_PLATFORM_ENDPOINT = (
    "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"
)


def publish_resource(backend: Any, call: Call) -> list[str]:
    p = call.params
    return [p.get("TopicArn") or p.get("TargetArn") or "*"]


def message_size(message: str, attributes: dict | None) -> int:
    return utf8_len(message) + attributes_size(attributes)


def parse_structure(
    message: str, structure: str | None, *, need_default: bool = True
) -> dict[str, str] | None:
    """MessageStructure=json: the per-protocol messages (string values only, "default" needed)."""
    if structure is None:
        return None
    if structure != "json":
        raise invalid("Invalid parameter: MessageStructure")  # own wording
    try:
        parsed = parse_json(message)
    except ValueError as exc:
        raise invalid(BAD_JSON_MESSAGE) from exc
    if not isinstance(parsed, dict):
        raise invalid(BAD_JSON_MESSAGE)
    messages = {k: v for k, v in parsed.items() if isinstance(v, str)}
    if need_default and "default" not in messages:
        raise invalid(NO_DEFAULT)
    return messages


class Publishing:
    # -- Publish ----------------------------------------------------------------------------------
    @permission(resources=publish_resource)
    def publish(self, call: Call) -> dict:
        p = call.params
        message = p["Message"]
        check_subject(p.get("Subject"))
        if not message:
            raise invalid(EMPTY_MESSAGE)
        targets = [name for name in ("TopicArn", "TargetArn", "PhoneNumber") if p.get(name)]
        if not targets:
            raise invalid(NO_TARGET)
        if len(targets) > 1:
            raise invalid(
                "Invalid parameter: Only one of TopicArn, TargetArn or PhoneNumber may be given"
            )  # own wording
        phone = p.get("PhoneNumber")
        if phone:
            check_phone_number(phone)
        attributes = check_message_attributes(p.get("MessageAttributes"))
        if message_size(message, attributes) > MAX_MESSAGE_BYTES:
            raise invalid(MESSAGE_TOO_LONG)
        check_id(p.get("MessageGroupId"), "MessageGroupId")
        check_id(p.get("MessageDeduplicationId"), "MessageDeduplicationId")
        if phone:
            structure = parse_structure(message, p.get("MessageStructure"))
            note = Notification(
                self.cloud.new_request_id(), "", message, call.time, structure=structure
            )
            self.cloud.scheduler.call_soon(self.send_sms, phone, note, "", name=f"sns sms {phone}")
            return {"MessageId": note.message_id}
        member = targets[0]
        arn = p[member]
        if member == "TargetArn" and ":endpoint/" in arn:
            return self._publish_to_endpoint(call, arn, message, attributes)
        topic = self._publish_checks(
            arn,
            call,
            member,
            group_id=p.get("MessageGroupId"),
            dedup_id=p.get("MessageDeduplicationId"),
        )
        structure = parse_structure(message, p.get("MessageStructure"))
        owner = self.topic_backend(topic.arn, call, member)
        message_id, sequence = owner.publish_to_topic(
            topic,
            message,
            subject=p.get("Subject"),
            attributes=attributes,
            structure=structure,
            group_id=p.get("MessageGroupId"),
            dedup_id=p.get("MessageDeduplicationId"),
        )
        out = {"MessageId": message_id}
        if sequence is not None:
            out["SequenceNumber"] = sequence
        return out

    def _publish_to_endpoint(self, call: Call, arn: str, message: str, attributes: dict) -> dict:
        """Publish straight to a mobile platform endpoint (TargetArn)."""
        p = call.params
        if p.get("MessageDeduplicationId"):
            raise invalid(DEDUP_ON_STANDARD)
        endpoint = self.endpoint_backend(arn).platform_endpoints.get(arn)
        if endpoint is None:
            raise invalid(NO_PLATFORM_ENDPOINT)
        if not endpoint.enabled:
            raise AWSError("EndpointDisabledException", "Endpoint is disabled")
        structure = parse_structure(message, p.get("MessageStructure"), need_default=False)
        if structure is not None and not {endpoint.platform, "default"} & set(structure):
            raise invalid(NO_DEFAULT)
        note = Notification(
            self.cloud.new_request_id(),
            "",
            message,
            call.time,
            subject=p.get("Subject"),
            attributes=dict(attributes),
            structure=structure,
        )
        self.cloud.scheduler.call_soon(self.send_push, arn, note, name=f"sns push {arn}")
        return {"MessageId": note.message_id}

    def _publish_checks(
        self, arn: str, call: Call, member: str, *, group_id: str | None, dedup_id: str | None
    ) -> Topic:
        """FIFO parameter checks and the topic lookup, in AWS's order."""
        fifo = arn.endswith(".fifo")
        if fifo and not group_id:
            raise invalid(NO_GROUP_ID)
        if not fifo and dedup_id:
            raise invalid(DEDUP_ON_STANDARD)
        topic = self.lookup_topic(arn, call, member)
        if (
            topic.fifo
            and not dedup_id
            and topic.attributes.get("ContentBasedDeduplication") != "true"
        ):
            raise invalid(NO_DEDUP)
        return topic

    # -- PublishBatch -----------------------------------------------------------------------------
    @permission(resources=publish_resource)
    def publish_batch(self, call: Call) -> dict:
        p = call.params
        entries = p["PublishBatchRequestEntries"]
        if not entries:
            raise AWSError("EmptyBatchRequestException", BATCH_EMPTY)
        if len(entries) > MAX_BATCH_ENTRIES:
            raise AWSError("TooManyEntriesInBatchRequestException", BATCH_TOO_MANY)
        topic = self.lookup_topic(p["TopicArn"], call)
        ids = [e["Id"] for e in entries]
        if len(set(ids)) != len(ids):
            raise AWSError("BatchEntryIdsNotDistinctException", BATCH_IDS_NOT_DISTINCT)
        for entry_id in ids:
            if not BATCH_ID.fullmatch(entry_id):
                raise AWSError(
                    "InvalidBatchEntryIdException",
                    "The Id of a batch entry in a batch request doesn't abide by the "
                    "specification.",
                )  # SQS's wording
        total = 0
        structures, checked = [], []
        for index, entry in enumerate(entries, 1):
            attributes = check_message_attributes(entry.get("MessageAttributes"), entry=index)
            checked.append(attributes)
            total += message_size(entry["Message"], attributes)
            structures.append(parse_structure(entry["Message"], entry.get("MessageStructure")))
            if topic.fifo:
                if not entry.get("MessageGroupId"):
                    raise invalid(NO_GROUP_ID)
                content_based = topic.attributes.get("ContentBasedDeduplication") == "true"
                if not content_based and not entry.get("MessageDeduplicationId"):
                    raise invalid(NO_DEDUP)
            elif entry.get("MessageDeduplicationId"):
                raise invalid(DEDUP_ON_STANDARD)
            check_id(entry.get("MessageGroupId"), "MessageGroupId")
            check_id(entry.get("MessageDeduplicationId"), "MessageDeduplicationId")
        if total > MAX_MESSAGE_BYTES:
            raise AWSError("BatchRequestTooLongException", BATCH_TOO_LONG)
        owner = self.topic_backend(topic.arn, call)
        successful, failed = [], []
        for entry, structure, attributes in zip(entries, structures, checked):
            try:
                check_subject(entry.get("Subject"))
                if not entry["Message"]:
                    raise invalid(EMPTY_MESSAGE)
            except AWSError as err:
                failed.append(
                    {"Id": entry["Id"], "Code": "InvalidParameter", "Message": err.message,
                     "SenderFault": True}
                )  # fmt: skip
                continue
            message_id, sequence = owner.publish_to_topic(
                topic,
                entry["Message"],
                subject=entry.get("Subject"),
                attributes=attributes,
                structure=structure,
                group_id=entry.get("MessageGroupId"),
                dedup_id=entry.get("MessageDeduplicationId"),
            )
            result = {"Id": entry["Id"], "MessageId": message_id}
            if sequence is not None:
                result["SequenceNumber"] = sequence
            successful.append(result)
        return {"Successful": successful, "Failed": failed}

    # -- the fan-out ------------------------------------------------------------------------------
    def publish_to_topic(
        self,
        topic: Topic,
        message: str,
        *,
        subject: str | None = None,
        attributes: dict | None = None,
        structure: dict | None = None,
        group_id: str | None = None,
        dedup_id: str | None = None,
    ) -> tuple[str, str | None]:
        """Accept a validated message on a topic of this backend: (MessageId, SequenceNumber)."""
        now = self.cloud.clock.time()
        sequence = None
        if topic.fifo:
            dedup_id = dedup_id or hashlib.sha256(message.encode()).hexdigest()
            by_group = topic.attributes.get("FifoThroughputScope") == "MessageGroup"
            key = (group_id, dedup_id) if by_group else (dedup_id,)
            forget_expired(topic.dedup, now)
            seen = topic.dedup.get(key)
            if seen is not None:
                return seen[1], seen[2]  # a duplicate: accepted, not delivered again
            sequence = topic.next_sequence_number()
        message_id = self.cloud.new_request_id()
        if topic.fifo:
            topic.dedup[key] = (now, message_id, sequence)
        note = Notification(
            message_id,
            topic.arn,
            message,
            now,
            subject=subject,
            attributes=dict(attributes or {}),
            structure=structure,
            group_id=group_id,
            dedup_id=dedup_id if topic.fifo else None,
            sequence_number=sequence,
            fifo=topic.fifo,
            signature_version=topic.attributes.get("SignatureVersion", "1"),
        )
        documents: dict = {}  # what the filter policies read, worked out once
        for arn in list(topic.subscriptions):
            sub = self.subscriptions.get(arn)
            if sub is None or sub.pending:
                continue
            policy = sub.attributes.get("FilterPolicy")
            if policy and not filter.matches(
                policy, sub.filter_scope, note, sub.protocol, documents
            ):
                continue  # filtered out: not delivered, and not a failure
            self.schedule_delivery(Delivery(arn, note, 0, now), 0.0)
        return message_id, sequence

    # -- Python entry points ----------------------------------------------------------------------
    def publish_internal(
        self,
        topic_arn: str,
        message: str,
        *,
        subject: str | None = None,
        message_attributes: dict | None = None,
        group_id: str | None = None,
        dedup_id: str | None = None,
        message_structure: str | None = None,
    ) -> str:
        """Publish as an AWS service does (EventBridge targets, Lambda destinations).

        ``message_attributes`` are in Publish's format. Raises AWSError as
        Publish would (``NotFoundException`` for a missing topic). Returns the
        MessageId.
        """
        with self.cloud.lock:
            parts = split_arn(topic_arn, "TopicArn")
            owner = self
            if (parts[4], parts[3]) != (self.account_id, self.region):
                owner = self.cloud.backend("sns", parts[4], parts[3])
            check_subject(subject)
            if not message:
                raise invalid(EMPTY_MESSAGE)
            attributes = check_message_attributes(message_attributes)
            if message_size(message, attributes) > MAX_MESSAGE_BYTES:
                raise invalid(MESSAGE_TOO_LONG)
            fifo = topic_arn.endswith(".fifo")
            if fifo and not group_id:
                raise invalid(NO_GROUP_ID)
            if not fifo and dedup_id:
                raise invalid(DEDUP_ON_STANDARD)
            topic = owner.topics.get(topic_arn)
            if topic is None:
                raise AWSError("NotFoundException", TOPIC_NOT_FOUND)
            content_based = topic.attributes.get("ContentBasedDeduplication") == "true"
            if topic.fifo and not dedup_id and not content_based:
                raise invalid(NO_DEDUP)
            structure = parse_structure(message, message_structure)
            message_id, _ = owner.publish_to_topic(
                topic,
                message,
                subject=subject,
                attributes=attributes,
                structure=structure,
                group_id=group_id,
                dedup_id=dedup_id,
            )
            return message_id

    def accept_delivery(
        self, target_arn: str, body: str, *, attributes: dict[str, str], source_arn: str
    ) -> None:
        """A message another service sends to a topic (Lambda destinations and DLQs).

        ``attributes`` become String message attributes (``ErrorCode`` a
        Number, as Lambda's dead-letter messages carry it). A topic that no
        longer exists drops the message, as the sending service does.
        """
        if target_arn.endswith(".fifo"):
            raise UnsupportedOperation(
                "sns", "accept_delivery", f"{source_arn} cannot deliver to FIFO topic {target_arn}"
            )
        converted = {
            name: {
                "DataType": "Number"
                if name == "ErrorCode" and parse_number(value) is not None
                else "String",
                "StringValue": value,
            }
            for name, value in attributes.items()
            if value
        }
        try:
            self.publish_internal(target_arn, body, message_attributes=converted)
        except AWSError as err:
            if err.code != "NotFoundException":
                raise
