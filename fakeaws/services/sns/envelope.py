"""What SNS sends: the JSON envelope, the Lambda event, emails, confirmations.

Field order and formatting follow what AWS sends (its documented examples
and the messages recorded against AWS): the envelope is written as
``"Key" : value`` pairs, two-space indented, ``MessageAttributes`` inline.
Messages from FIFO topics carry ``SequenceNumber`` and no signature fields.

Signatures: AWS signs with a private key behind ``SigningCertURL``; fakeaws
has no such key, so ``Signature`` is a deterministic base64 string of the
right length (a SHA1 or SHA256 digest of the canonical string, repeated), not
an RSA signature. Code that verifies SNS signatures must be pointed at a
fake verifier in tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from fakeaws.services.sns.validation import attribute_wire_value

CERT_ID = "9c6465fa7f48f5cacd23014631ec1136"  # a fixed, fake certificate name


@dataclass
class Notification:
    """One published message, as every subscription's delivery sees it."""

    message_id: str
    topic_arn: str
    message: str
    timestamp: float
    subject: str | None = None
    attributes: dict[str, dict] = field(default_factory=dict)  # Publish's format
    structure: dict[str, str] | None = None  # MessageStructure=json: protocol -> message
    group_id: str | None = None
    dedup_id: str | None = None
    sequence_number: str | None = None
    fifo: bool = False
    signature_version: str = "1"
    # protocol -> the envelope's text before and after its UnsubscribeURL value (the one
    # part that differs between subscriptions): rendered once per published message.
    bodies: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def message_for(self, protocol: str) -> str:
        if self.structure is None:
            return self.message
        return self.structure.get(protocol, self.structure.get("default", ""))


def iso_millis(epoch: float) -> str:
    """``2012-05-02T00:54:06.655Z``: SNS's timestamp format."""
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def endpoint_host(region: str) -> str:
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://sns.{region}.{suffix}"


def signing_cert_url(region: str) -> str:
    return f"{endpoint_host(region)}/SimpleNotificationService-{CERT_ID}.pem"


def unsubscribe_url(subscription_arn: str) -> str:
    return (
        f"{endpoint_host(region_of(subscription_arn))}/?Action=Unsubscribe"
        f"&SubscriptionArn={subscription_arn}"
    )


def subscribe_url(topic_arn: str, token: str) -> str:
    return (
        f"{endpoint_host(region_of(topic_arn))}/?Action=ConfirmSubscription"
        f"&TopicArn={topic_arn}&Token={token}"
    )


def signature(fields: dict[str, Any], version: str) -> str:
    """A stand-in for the RSA signature over SNS's canonical string (see module doc)."""
    keys = ("Message", "MessageId", "Subject", "SubscribeURL", "Timestamp", "Token")
    keys += ("TopicArn", "Type")
    canonical = "".join(f"{k}\n{fields[k]}\n" for k in keys if fields.get(k) is not None)
    algorithm = hashlib.sha256 if version == "2" else hashlib.sha1
    digest = algorithm(canonical.encode()).digest()
    return base64.b64encode((digest * (256 // len(digest) + 1))[:256]).decode()


# -- bodies -------------------------------------------------------------------------------
def notification_fields(note: Notification, subscription_arn: str, protocol: str) -> dict:
    """The envelope's fields for one subscription, in AWS's order."""
    out: dict[str, Any] = {"Type": "Notification", "MessageId": note.message_id}
    if note.sequence_number is not None:
        out["SequenceNumber"] = note.sequence_number
    out["TopicArn"] = note.topic_arn
    if note.subject is not None:
        out["Subject"] = note.subject
    out["Message"] = note.message_for(protocol)
    out["Timestamp"] = iso_millis(note.timestamp)
    if not note.fifo:
        out["SignatureVersion"] = note.signature_version
        out["Signature"] = signature(out, note.signature_version)
        out["SigningCertURL"] = signing_cert_url(region_of(note.topic_arn))
    out["UnsubscribeURL"] = unsubscribe_url(subscription_arn)
    if note.attributes:
        out["MessageAttributes"] = {
            name: {"Type": attr["DataType"], "Value": attribute_wire_value(attr)}
            for name, attr in note.attributes.items()
        }
    return out


def render(fields: dict[str, Any]) -> str:
    """Write an envelope as SNS does: ``"Key" : value`` lines, attributes one per line."""
    lines = []
    for key, value in fields.items():
        if key == "MessageAttributes":
            inner = ",\n".join(f"    {_j(name)} : {_compact(attr)}" for name, attr in value.items())
            lines.append(f'  "MessageAttributes" : {{\n{inner}\n  }}')
        else:
            lines.append(f"  {_j(key)} : {_j(value)}")
    return "{\n" + ",\n".join(lines) + "\n}"


_j = json.JSONEncoder(ensure_ascii=False).encode
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def notification_body(note: Notification, subscription_arn: str, protocol: str) -> str:
    """The envelope one subscription receives (rendered once per message and protocol)."""
    parts = note.bodies.get(protocol)
    if parts is None:
        # Render with a stand-in subscription ARN whose JSON text nothing else can produce
        # (a NUL is written \u0000, and any quote in the message is escaped), then cut.
        mark = f"{note.topic_arn}:\x00"
        text = render(notification_fields(note, mark, protocol))
        head, found, tail = text.partition(_j(unsubscribe_url(mark)))
        if not found:  # pragma: no cover - defensive
            return render(notification_fields(note, subscription_arn, protocol))
        parts = note.bodies[protocol] = (head, tail)
    return parts[0] + _j(unsubscribe_url(subscription_arn)) + parts[1]


def lambda_event(note: Notification, subscription_arn: str) -> dict:
    """The event a Lambda function subscribed to a topic receives."""
    fields = notification_fields(note, subscription_arn, "lambda")
    sns = {
        "Type": "Notification",
        "MessageId": note.message_id,
        "TopicArn": note.topic_arn,
        "Subject": note.subject,
        "Message": fields["Message"],
        "Timestamp": fields["Timestamp"],
        # Lambda events carry version 1 signatures whatever the topic's SignatureVersion
        # (as recorded against AWS).
        "SignatureVersion": "1",
        "Signature": signature(fields, "1"),
        "SigningCertUrl": signing_cert_url(region_of(note.topic_arn)),
        "UnsubscribeUrl": fields["UnsubscribeURL"],
        "MessageAttributes": fields.get("MessageAttributes", {}),
    }
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "Sns": sns,
            }
        ]
    }


def confirmation_fields(
    kind: str, message_id: str, topic_arn: str, token: str, message: str, timestamp: float
) -> dict:
    """A SubscriptionConfirmation / UnsubscribeConfirmation message, in AWS's order."""
    out: dict[str, Any] = {
        "Type": kind,
        "MessageId": message_id,
        "Token": token,
        "TopicArn": topic_arn,
        "Message": message,
        "SubscribeURL": subscribe_url(topic_arn, token),
        "Timestamp": iso_millis(timestamp),
        "SignatureVersion": "1",
    }
    out["Signature"] = signature(out, "1")
    out["SigningCertURL"] = signing_cert_url(region_of(topic_arn))
    return out


def subscribe_message(topic_arn: str) -> str:
    return (
        f"You have chosen to subscribe to the topic {topic_arn}.\n"
        f"To confirm the subscription, visit the SubscribeURL included in this message."
    )


def unsubscribe_message(subscription_arn: str) -> str:
    return (
        f"You have chosen to deactivate subscription {subscription_arn}.\n"
        f"To cancel this operation and restore the subscription, visit the SubscribeURL "
        f"included in this message."
    )


def email_text(note: Notification, subscription_arn: str) -> str:
    """The plain-text email body: the message and the unsubscribe footer AWS appends."""
    return (
        f"{note.message_for('email')}\n\n--\nIf you wish to stop receiving notifications from "
        f"this topic, please click or visit the link below to unsubscribe:\n"
        f"{unsubscribe_url(subscription_arn)}\n\nPlease do not reply directly to this email. "
        f"If you have any questions or comments regarding this email, please contact us at "
        f"https://aws.amazon.com/support"
    )


def email_confirmation_text(topic_arn: str, display_name: str, token: str) -> str:
    """The confirmation email's text (own wording for the prose; the link is AWS's)."""
    name = display_name or topic_arn.split(":")[-1]
    return (
        f"You have chosen to subscribe to the topic: \n{topic_arn}\n\n"
        f"To confirm this subscription, click or visit the link below (If this was in error "
        f"no action is necessary): \n{subscribe_url(topic_arn, token)}\n\n"
        f"Please do not reply directly to this email. If you wish to remove yourself from "
        f"receiving all future SNS subscription confirmation requests please send an email to "
        f"sns-opt-out\n\n({name})"
    )


def sms_text(note: Notification, display_name: str) -> str:
    """SMS bodies are prefixed by the topic's DisplayName (and '> ') when it has one."""
    message = note.message_for("sms")
    return f"{display_name}> {message}" if display_name else message
