"""SNS request validation: ARNs, names, subjects, phone numbers, message attributes.

Every message is AWS's own, as recorded against AWS (LocalStack's snapshot
tests) or documented; the few that are fakeaws's wording are marked "own
wording" here and in docs/sns.md.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from fakeaws.errors import AWSError
from fakeaws.services.messaging import binary_value, parse_number

# -- messages ----------------------------------------------------------------------------
TOPIC_NOT_FOUND = "Topic does not exist"
SUBSCRIPTION_NOT_FOUND = "Subscription does not exist"
RESOURCE_NOT_FOUND = "Resource does not exist"
EMPTY_MESSAGE = "Invalid parameter: Empty message"
MESSAGE_TOO_LONG = "Invalid parameter: Message too long"
NO_DEFAULT = "Invalid parameter: Message Structure - No default entry in JSON message body"
BAD_JSON_MESSAGE = "Invalid parameter: Message Structure - JSON message body failed to parse"
NO_GROUP_ID = "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
NO_DEDUP = (
    "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
    "MessageDeduplicationId provided explicitly"
)
DEDUP_ON_STANDARD = (
    "Invalid parameter: MessageDeduplicationId Reason: The request includes "
    "MessageDeduplicationId parameter that is not valid for this topic type"
)
BATCH_TOO_MANY = "The batch request contains more entries than permissible."
BATCH_IDS_NOT_DISTINCT = "Two or more batch entries in the request have the same Id."
BATCH_TOO_LONG = "The length of all the messages put together is more than the limit."
BATCH_EMPTY = "The batch request doesn't contain any entries."  # own wording (SQS's)
FIFO_QUEUE_ON_STANDARD = (
    "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
    "subscribed to standard SNS topics"
)
SUB_DIFFERENT_ATTRIBUTES = (
    "Invalid parameter: Attributes Reason: Subscription already exists with different attributes"
)
TOPIC_DIFFERENT_TAGS = "Invalid parameter: Tags Reason: Topic already exists with different tags"
TOPIC_DIFFERENT_ATTRIBUTES = (
    "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
)
DUPLICATE_TAG_KEYS = "Invalid parameter: Duplicated keys are not allowed."
TAG_LIMIT = "Could not complete request: tag quota of per resource exceeded"

MAX_MESSAGE_BYTES = 262_144  # 256 KB, message plus attributes (names, types and values)
MAX_BATCH_ENTRIES = 10
MAX_TAGS = 50
MAX_SUBJECT = 100

TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
FIFO_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,251}\.fifo")
E164 = re.compile(r"\+?[1-9]\d{1,14}")
BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
ATTRIBUTE_NAME_CHARS = re.compile(r"[A-Za-z0-9_.-]")
GROUP_OR_DEDUP_ID = re.compile(r"[\x21-\x7e]{1,128}")


def invalid(message: str) -> AWSError:
    return AWSError("InvalidParameterException", message)


def invalid_value(message: str) -> AWSError:
    return AWSError("InvalidParameterValueException", message)


def not_found(message: str) -> AWSError:
    return AWSError("NotFoundException", message)


def validation_error(value: Any, member: str, constraint: str) -> AWSError:
    """The Coral validation layer's error (code ``ValidationError``, not modelled by SNS)."""
    shown = "null" if value is None else f"'{value}'"
    return AWSError(
        "ValidationError",
        f"1 validation error detected: Value {shown} at '{member}' failed to satisfy "
        f"constraint: {constraint}",
        status=400,
        sender_fault=True,
    )


# -- ARNs ---------------------------------------------------------------------------------
def split_arn(arn: str | None, member: str) -> list[str]:
    """``arn:partition:service:region:account:resource...`` split on ``:`` (at least 6 parts)."""
    arn = arn or ""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise invalid(
            f"Invalid parameter: {member} Reason: An ARN must have at least 6 elements, "
            f"not {len(parts)}"
        )
    return parts


def is_arn(value: str, service: str | None = None) -> bool:
    parts = value.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[5]:
        return False
    return service is None or parts[2] == service


# -- topics -------------------------------------------------------------------------------
def check_topic_name(name: str, fifo: bool) -> None:
    pattern = FIFO_TOPIC_NAME if fifo else TOPIC_NAME
    if not pattern.fullmatch(name):
        raise invalid("Invalid parameter: Topic Name")


# -- publishing ---------------------------------------------------------------------------
def check_subject(subject: str | None) -> None:
    """Subjects: printable ASCII, not starting with a space, at most 100 characters."""
    if subject is None:
        return
    if (
        not subject
        or len(subject) > MAX_SUBJECT
        or subject[0] == " "
        or any(not (0x20 <= ord(c) <= 0x7E) for c in subject)
    ):
        raise invalid("Invalid parameter: Subject")


def check_phone_number(number: str) -> None:
    if not E164.fullmatch(number):
        raise invalid(f"Invalid parameter: PhoneNumber Reason: {number} is not valid to publish to")


def check_id(value: str | None, member: str) -> None:
    """MessageGroupId / MessageDeduplicationId: 1-128 printable ASCII (own wording on failure)."""
    if value is not None and not GROUP_OR_DEDUP_ID.fullmatch(value):
        raise invalid(
            f"Invalid parameter: {member} Reason: {member} can only include alphanumeric and "
            f"punctuation characters. 1 to 128 in length."
        )


def check_message_attributes(
    attributes: dict[str, dict] | None, *, entry: int | None = None
) -> dict[str, dict]:
    """Publish's MessageAttributes validated in AWS's order, with its messages.

    Returns copies as SNS keeps them: the value member of the type only, binary
    values as bytes.
    """
    out: dict[str, dict] = {}
    for name, attr in (attributes or {}).items():
        if len(name.encode()) > 256:
            raise invalid_value("Length of message attribute name must be less than 256 bytes.")
        _check_attribute_name(name)
        data_type = attr.get("DataType")
        if data_type is None:
            at = (
                f"publishBatchRequestEntries.{entry}.member.messageAttributes.{name}.member.dataType"
                if entry
                else f"messageAttributes.{name}.member.dataType"
            )
            raise validation_error(None, at, "Member must not be null")
        base = data_type.split(".", 1)[0]
        if base not in ("String", "Number", "Binary") or data_type.endswith("."):
            raise invalid_value(
                f"The message attribute '{name}' has an invalid message attribute type, the set "
                f"of supported type prefixes is Binary, Number, and String."
            )
        field = "Binary" if base == "Binary" else "String"
        has_string, has_binary = "StringValue" in attr, "BinaryValue" in attr
        if not has_string and not has_binary:
            raise invalid_value(
                f"The message attribute '{name}' must contain non-empty message attribute value "
                f"for message attribute type '{data_type}'."
            )
        if (field == "String" and not has_string) or (field == "Binary" and not has_binary):
            raise invalid_value(
                f"The message attribute '{name}' with type '{data_type}' must use field '{field}'."
            )
        value = attr["StringValue"] if field == "String" else attr["BinaryValue"]
        if not value:
            raise invalid_value(
                f"The message attribute '{name}' must contain non-empty message attribute value "
                f"for message attribute type '{data_type}'."
            )
        if base == "Number" and parse_number(value) is None:
            raise invalid_value(f"Could not cast message attribute '{name}' value to number.")
        if field == "Binary":
            out[name] = {"DataType": data_type, "BinaryValue": binary_value(value)}
        else:
            out[name] = {"DataType": data_type, "StringValue": value}
    return out


def _check_attribute_name(name: str) -> None:
    if name.startswith("."):
        raise invalid_value("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise invalid_value("Invalid message attribute name ending with character '.' was found.")
    for i, char in enumerate(name):
        if not ATTRIBUTE_NAME_CHARS.fullmatch(char):
            raise invalid_value(
                f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message "
                f"attribute name. Can only include alphanumeric characters, hyphens, "
                f"underscores, or dots."
            )
        if char == "." and i and name[i - 1] == ".":
            raise invalid_value("Message attribute name can not have successive '.' character.")


def attribute_wire_value(attr: dict) -> str:
    """The ``Value`` SNS puts in a JSON envelope: the string, or the binary as base64."""
    if "BinaryValue" in attr:
        return base64.b64encode(attr["BinaryValue"]).decode()
    return attr.get("StringValue", "")
