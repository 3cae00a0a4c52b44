"""Queue attributes: which exist, their defaults, and the validation AWS applies to them.

``validate`` checks the attributes of a CreateQueue or SetQueueAttributes
request, in the order given, and returns them normalized (booleans lower
case, JSON policies of the redrive kind in AWS's compact form, ``""`` meaning
"remove" for the optional ones). ``apply`` merges a validated change into a
queue's stored attributes, with the server-side-encryption rules (a KMS key
turns SQS-managed SSE off and the other way round).

Whether a dead-letter target exists, has the right type and allows the
source is checked by the backend (it needs the other queue).
"""

from __future__ import annotations

import json
import re
from typing import Any

from fakeaws.services.messaging import parse_json
from fakeaws.services.sqs.addressing import parse_arn
from fakeaws.services.sqs.errors import (
    SSE_BOTH,
    invalid_attribute_name,
    invalid_attribute_value,
    invalid_value,
    sqs_error,
    unknown_attribute,
)

ALL = "All"
READ_ONLY = frozenset(
    {
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
        "QueueArn",
    }
)
INTEGERS: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
BOOLEANS = frozenset({"ContentBasedDeduplication", "SqsManagedSseEnabled"})
CHOICES: dict[str, frozenset[str]] = {
    "DeduplicationScope": frozenset({"messageGroup", "queue"}),
    "FifoThroughputLimit": frozenset({"perQueue", "perMessageGroupId"}),
}
OPTIONAL = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId")
FIFO_ONLY = frozenset({"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"})
SETTABLE = frozenset({*INTEGERS, *BOOLEANS, *CHOICES, *OPTIONAL, "FifoQueue"})

DEFAULTS = {
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
FIFO_DEFAULTS = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
DEFAULT_KMS_REUSE = "300"
# The order GetQueueAttributes(All) lists them in (AWS's own order).
ORDER = (
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "Policy",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "ContentBasedDeduplication",
)
KNOWN = frozenset({ALL, *ORDER})

MAX_POLICY_STATEMENTS = 20
POLICY_KEYS = frozenset({"Version", "Id", "Statement"})
STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
POLICY_VERSIONS = frozenset({"2008-10-17", "2012-10-17"})

_DIGITS = re.compile(r"[0-9]+")
REDRIVE_UNSUPPORTED = (
    "Amazon SQS can't create the redrive allow policy, as it\u2019s in an unsupported format."
)
REDRIVE_PERMISSIONS = frozenset({"allowAll", "denyAll", "byQueue"})
MAX_SOURCE_QUEUE_ARNS = 10


def is_fifo_request(attributes: dict[str, str]) -> bool:
    """Whether CreateQueue asks for a FIFO queue."""
    return str(attributes.get("FifoQueue", "")).lower() == "true"


def validate(given: dict[str, Any], *, fifo: bool, creating: bool) -> dict[str, str]:
    """Check a request's attributes in order; the normalized values (``""`` = remove)."""
    out: dict[str, str] = {}
    for name, raw in given.items():
        value = raw if isinstance(raw, str) else str(raw)
        out[name] = _validate_one(name, value, fifo=fifo, creating=creating)
    if out.get("KmsMasterKeyId") and out.get("SqsManagedSseEnabled") == "true":
        raise invalid_attribute_name(SSE_BOTH)
    return out


def _validate_one(name: str, value: str, *, fifo: bool, creating: bool) -> str:
    if name not in KNOWN or name in READ_ONLY or name == ALL:
        raise unknown_attribute(name)
    if name == "FifoQueue":
        if not fifo:
            raise unknown_attribute(name)
        if value.lower() != "true":
            if creating:
                raise unknown_attribute(name)
            raise invalid_attribute_value(name, "Modifying queue type is not supported.")
        return "true"
    if not fifo and name in FIFO_ONLY:
        if name == "ContentBasedDeduplication":
            raise unknown_attribute(name)
        raise invalid_attribute_name(
            f"You can specify the {name} only when FifoQueue is set to true."
        )
    if name in INTEGERS:
        low, high = INTEGERS[name]
        if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
            raise invalid_attribute_value(name)
        return str(int(value))
    if name in BOOLEANS:
        if value.lower() not in ("true", "false"):
            raise invalid_attribute_value(name)
        return value.lower()
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise invalid_attribute_value(name)
        return value
    if name == "Policy":
        if value:
            check_policy(value)
        return value
    if name == "RedrivePolicy":
        return parse_redrive_policy(value)[2] if value else ""
    if name == "RedriveAllowPolicy":
        return parse_redrive_allow_policy(value)[2] if value else ""
    return value  # KmsMasterKeyId: any key id, alias or ARN (KMS is not consulted)


def apply(stored: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
    """The queue's attributes after ``changes`` (validated), with AWS's SSE rules."""
    new = dict(stored)
    for name, value in changes.items():
        if name in OPTIONAL and value == "":
            new.pop(name, None)
        else:
            new[name] = value
    if changes.get("KmsMasterKeyId"):  # SSE-KMS replaces SSE-SQS
        new["SqsManagedSseEnabled"] = "false"
        new.setdefault("KmsDataKeyReusePeriodSeconds", DEFAULT_KMS_REUSE)
    elif changes.get("SqsManagedSseEnabled") == "true" or changes.get("KmsMasterKeyId") == "":
        new.pop("KmsMasterKeyId", None)  # SSE-SQS replaces SSE-KMS; or KMS turned off
        new.pop("KmsDataKeyReusePeriodSeconds", None)
    if (
        new.get("FifoThroughputLimit") == "perMessageGroupId"
        and new.get("DeduplicationScope") != "messageGroup"
    ):
        raise invalid_attribute_value(
            "FifoThroughputLimit",
            "The perMessageGroupId value is allowed only when the value for DeduplicationScope "
            "is messageGroup",
        )
    return new


def defaults(fifo: bool) -> dict[str, str]:
    return {**DEFAULTS, **FIFO_DEFAULTS} if fifo else dict(DEFAULTS)


# -- policies --------------------------------------------------------------------------


def check_policy(text: str) -> dict:
    """A queue policy's structure (it is stored, not evaluated: IAM evaluates policies)."""
    try:
        doc = parse_json(text)
    except ValueError:
        raise invalid_attribute_value("Policy") from None
    if not isinstance(doc, dict) or not set(doc) <= POLICY_KEYS or "Statement" not in doc:
        raise invalid_attribute_value("Policy")
    if "Version" in doc and doc["Version"] not in POLICY_VERSIONS:
        raise invalid_attribute_value("Policy")
    statements = doc["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    if not statements:
        raise invalid_attribute_value("Policy")
    for statement in statements:
        if not isinstance(statement, dict) or not set(statement) <= STATEMENT_KEYS:
            raise invalid_attribute_value("Policy")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise invalid_attribute_value("Policy")
    if len(statements) > MAX_POLICY_STATEMENTS:
        raise sqs_error(
            "InvalidAttributeValue",
            f"{len(statements)} statements were found in the submitted policy, max allowed is "
            f"{MAX_POLICY_STATEMENTS}",
        )
    return doc


def parse_redrive_policy(text: str) -> tuple[str, int, str]:
    """``(deadLetterTargetArn, maxReceiveCount, normalized JSON)`` of a RedrivePolicy."""
    try:
        doc = parse_json(text)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise invalid_attribute_value("RedrivePolicy", "Redrive policy is not a valid JSON map.")
    for key in ("maxReceiveCount", "deadLetterTargetArn"):
        if key not in doc:
            raise invalid_value(
                text,
                "RedrivePolicy",
                f"Redrive policy does not contain mandatory attribute: {key}.",
            )
    if set(doc) != {"maxReceiveCount", "deadLetterTargetArn"}:
        raise invalid_value(
            text,
            "RedrivePolicy",
            "Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn].",
        )
    count = _receive_count(doc["maxReceiveCount"])
    if count is None or not 1 <= count <= 1000:
        raise invalid_value(
            text,
            "RedrivePolicy",
            f"Invalid value for maxReceiveCount: {_json_text(doc['maxReceiveCount'])}, valid "
            "values are from 1 to 1000 both inclusive.",
        )
    target = doc["deadLetterTargetArn"]
    arn = parse_arn(target) if isinstance(target, str) else None
    if arn is None:
        raise invalid_value(text, "RedrivePolicy", "Invalid value for deadLetterTargetArn.")
    if arn.service != "sqs":
        raise invalid_value(
            text, "RedrivePolicy", "Only SQS queues are valid resources for deadLetterTargetArn."
        )
    normalized = json.dumps(
        {"deadLetterTargetArn": target, "maxReceiveCount": count}, separators=(",", ":")
    )
    return target, count, normalized


def _receive_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        return int(value)
    return None


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def parse_redrive_allow_policy(text: str) -> tuple[str, list[str], str]:
    """``(redrivePermission, sourceQueueArns, normalized JSON)`` of a RedriveAllowPolicy."""
    try:
        doc = parse_json(text)
    except ValueError:
        doc = None
    if (
        not isinstance(doc, dict)
        or doc.get("redrivePermission") not in REDRIVE_PERMISSIONS
        or not set(doc) <= {"redrivePermission", "sourceQueueArns"}
    ):
        raise invalid_attribute_value("RedriveAllowPolicy", REDRIVE_UNSUPPORTED)
    arns = doc.get("sourceQueueArns")
    if arns is not None and (
        not isinstance(arns, list) or not all(isinstance(a, str) for a in arns)
    ):
        raise invalid_attribute_value("RedriveAllowPolicy", REDRIVE_UNSUPPORTED)
    permission = doc["redrivePermission"]
    prefix = "Amazon SQS can't create the redrive allow policy. "
    if permission == "byQueue":
        if not arns:
            raise invalid_value(
                text,
                "RedriveAllowPolicy",
                prefix + "When you specify the byQueue permission type, you must also specify "
                "one or more sourceQueueArns values.",
            )
        if len(arns) > MAX_SOURCE_QUEUE_ARNS:
            raise invalid_value(
                text,
                "RedriveAllowPolicy",
                prefix + "The maximum number of source queue ARNs you can specify is "
                f"{MAX_SOURCE_QUEUE_ARNS}.",
            )
    elif arns is not None:
        raise invalid_value(
            text,
            "RedriveAllowPolicy",
            prefix + "To specify one or more source queue ARNs, you must set redrivePermission "
            "to byQueue.",
        )
    normalized: dict[str, Any] = {"redrivePermission": permission}
    if arns is not None:
        normalized["sourceQueueArns"] = arns
    return permission, list(arns or []), json.dumps(normalized, separators=(",", ":"))
