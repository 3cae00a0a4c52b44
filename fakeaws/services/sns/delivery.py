"""Delivering one notification to one subscription, per protocol, with retries and DLQ.

Each delivery is a scheduled task (a bound method and a picklable
``Delivery``), run under the cloud's lock before the next intercepted call,
on ``cloud.settle()`` or when the clock is advanced past it.

* sqs: the JSON envelope (or, with RawMessageDelivery, the message with its
  attributes as SQS message attributes) through the SQS backend's
  ``send_internal``; FIFO topics pass the message group and deduplication
  ids; standard topics pass a MessageGroupId only (SQS fair queues).
* lambda: the SNS event through Lambda's asynchronous queue (``enqueue``),
  with Lambda's own retries and destinations after that.
* http/https: a POST recorded in ``cloud.outbox`` with the x-amz-sns-*
  headers; the status the endpoint answers (``outbox.respond``) decides:
  outside 200-499 is a failure and is retried.
* email, email-json, sms, firehose: recorded in ``cloud.outbox``.

Failures: a client-side error (the queue or function does not exist) is not
retried; a server-side error is retried per the protocol's delivery policy
(see ``policies.py``). Then the message goes to the subscription's
RedrivePolicy dead-letter queue, exactly as the subscription would have
received it, or is discarded when there is none.
"""

from __future__ import annotations

import contextlib
import json

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.outbox import OutboundMessage
from fakeaws.services.sns import envelope, policies
from fakeaws.services.sns.model import Delivery, Subscription, Topic

SNS_SENDER_ID = "AIDAIT2UOQQY3AUEKVGXU"  # the SenderId SQS shows for messages from SNS
SERVER_ERRORS = ("InternalError", "InternalFailure", "ServiceUnavailable", "KmsThrottled")
SERVER_ERRORS += ("RequestThrottled", "ThrottlingException", "TooManyRequestsException")


class Deliveries:
    def schedule_delivery(self, delivery: Delivery, delay: float) -> None:
        self.cloud.scheduler.call_later(
            delay,
            self._attempt_delivery,
            delivery,
            name=f"sns delivery {delivery.subscription_arn}",
        )

    def _attempt_delivery(self, delivery: Delivery) -> None:
        sub = self.subscriptions.get(delivery.subscription_arn)
        if sub is None:
            return  # unsubscribed (or topic deleted) meanwhile: nowhere to deliver
        topic = self.topics.get(sub.topic_arn)
        failure = self._deliver(sub, topic, delivery.note)
        if failure is None:
            return
        if failure == "server":
            delay = self._retry_delay(sub, topic, delivery.retries)
            if delay is not None:
                delivery.retries += 1
                self.schedule_delivery(delivery, delay)
                return
        self._dead_letter(sub, delivery.note)

    # -- per protocol -----------------------------------------------------------------------------
    def _deliver(self, sub: Subscription, topic: Topic | None, note: envelope.Notification):
        """Deliver once: None on success, else "client" or "server" (the kind of failure)."""
        protocol = sub.protocol
        now = self.cloud.clock.time()
        if protocol == "sqs":
            if sub.raw:
                body, attributes = note.message_for("sqs"), note.attributes
            else:
                body, attributes = envelope.notification_body(note, sub.arn, "sqs"), None
            try:
                self.send_to_queue(sub.endpoint, body, attributes, note)
            except AWSError as err:
                return classify(err)
            return None
        if protocol == "lambda":
            return self._invoke(sub, note)
        if protocol == "application":
            return self.send_push(sub.endpoint, note)
        if protocol in ("http", "https"):
            effective = json.loads(self._effective_http_policy(sub, topic))
            headers = self.http_headers("Notification", note.message_id, note.topic_arn, sub.arn)
            if sub.raw:
                body = note.message_for(protocol)
                headers["x-amz-sns-rawdelivery"] = "true"
            else:
                body = envelope.notification_body(note, sub.arn, protocol)
            headers["Content-Type"] = (effective.get("requestPolicy") or {}).get(
                "headerContentType"
            ) or policies.DEFAULT_CONTENT_TYPE
            sent = self.cloud.outbox.record(
                OutboundMessage(protocol, sub.endpoint, body, headers, now, note.topic_arn)
            )
            status = sent.status if sent.status is not None else 200
            return None if 200 <= status < 500 else "server"
        display = (topic.attributes.get("DisplayName", "") if topic else "") or ""
        if protocol == "email":
            body = envelope.email_text(note, sub.arn)
            headers = self.email_headers(topic, note.subject or "AWS Notification Message")
        elif protocol == "email-json":
            body = envelope.notification_body(note, sub.arn, protocol)
            headers = self.email_headers(topic, note.subject or "AWS Notification Message")
        elif protocol == "sms":
            body, headers = envelope.sms_text(note, display), {}
        elif protocol == "firehose":
            raw = note.message_for(protocol) if sub.raw else None
            body = raw if raw is not None else envelope.notification_body(note, sub.arn, protocol)
            headers = {"SubscriptionRoleArn": sub.attributes.get("SubscriptionRoleArn", "")}
        else:  # pragma: no cover - Subscribe refuses every other protocol
            raise UnsupportedOperation("sns", "delivery", f"protocol {protocol}")
        self.cloud.outbox.record(
            OutboundMessage(protocol, sub.endpoint, body, headers, now, note.topic_arn)
        )
        return None

    def _invoke(self, sub: Subscription, note: envelope.Notification) -> str | None:
        parts = sub.endpoint.split(":")
        if len(parts) < 7:
            return "client"
        region, account, name = parts[3], parts[4], parts[6]
        qualifier = parts[7] if len(parts) > 7 else None
        lam = self.cloud.backend("lambda", account, region)
        fn = lam.functions.get(name)
        if fn is None:
            return "client"  # the function does not exist: Lambda answers 404
        if qualifier is not None:
            try:
                lam.version_of(fn, qualifier)
            except AWSError:
                return "client"
        event = envelope.lambda_event(note, sub.arn)
        payload = json.dumps(event).encode()
        lam.enqueue(fn, qualifier, event, payload, self.cloud.new_request_id())
        return None

    def send_to_queue(
        self,
        queue_arn: str,
        body: str,
        attributes: dict | None = None,
        note: envelope.Notification | None = None,
    ) -> None:
        """Send to an SQS queue through the SQS backend (AWSError when it refuses)."""
        parts = queue_arn.split(":")
        sqs = self.cloud.backend("sqs", parts[4], parts[3])
        send = getattr(sqs, "send_internal", None)
        if send is None:
            raise UnsupportedOperation(
                "sns", "delivery", "the fake SQS cannot receive messages yet"
            )
        fifo_queue = queue_arn.endswith(".fifo")
        group_id = dedup_id = None
        if note is not None and fifo_queue:
            group_id, dedup_id = note.group_id, note.dedup_id
        elif note is not None and not note.fifo:
            group_id = note.group_id  # a standard topic's MessageGroupId: SQS fair queues
        send(
            queue_arn,
            body,
            message_attributes=dict(attributes) if attributes else None,
            group_id=group_id,
            dedup_id=dedup_id,
            sender_id=SNS_SENDER_ID,
        )

    # -- retries and dead letters -----------------------------------------------------------------
    def _effective_http_policy(self, sub: Subscription, topic: Topic | None) -> str:
        topic_policy = policies.effective_topic_delivery_policy(
            topic.attributes.get("DeliveryPolicy") if topic else None
        )
        return policies.effective_subscription_delivery_policy(
            sub.attributes.get("DeliveryPolicy") or None, topic_policy
        )

    def _retry_delay(self, sub: Subscription, topic: Topic | None, retries: int) -> float | None:
        if sub.protocol in ("http", "https"):
            effective = json.loads(self._effective_http_policy(sub, topic))
            delays = policies.http_retry_delays(effective["healthyRetryPolicy"])
            return delays[retries] if retries < len(delays) else None
        if sub.protocol in ("email", "email-json", "sms"):
            return policies.phased_delays(policies.CUSTOMER_MANAGED, retries)
        return policies.phased_delays(policies.AWS_MANAGED, retries)

    def _dead_letter(self, sub: Subscription, note: envelope.Notification) -> None:
        redrive = sub.attributes.get("RedrivePolicy")
        if not redrive:
            return  # no dead-letter queue: SNS discards the message
        target = json.loads(redrive)["deadLetterTargetArn"]
        if sub.raw:
            body, attributes = note.message_for(sub.protocol), note.attributes
        else:
            body, attributes = envelope.notification_body(note, sub.arn, sub.protocol), None
        # A dead-letter queue that is unusable too loses the message, as on AWS.
        with contextlib.suppress(AWSError):
            self.send_to_queue(target, body, attributes, note)


def classify(err: AWSError) -> str:
    """A refused delivery: "server" (retried) or "client" (straight to the DLQ)."""
    if err.code in SERVER_ERRORS or (err.status or 400) >= 500:
        return "server"
    return "client"
