"""Publish and PublishBatch validation through boto3, with AWS's messages."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from snshelpers import error, topic

from fakeaws.errors import UnsupportedOperation

ARN = "arn:aws:sns:eu-west-1:123456789012:orders"
FIFO = ARN + ".fifo"


def fails(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return error(exc)


def test_publish_returns_a_message_id(sns):
    topic(sns)
    response = sns.publish(TopicArn=ARN, Message="hello", Subject="Hi")
    assert len(response["MessageId"]) == 36
    assert "SequenceNumber" not in response
    assert sns.publish(TargetArn=ARN, Message="by target")["MessageId"] != response["MessageId"]


def test_subject_rules(sns):
    topic(sns)
    assert sns.publish(TopicArn=ARN, Message="m", Subject="x" * 100)["MessageId"]
    for subject in ["", "x" * 101, "line\nbreak", " leading space", "tab\tbed"]:
        assert fails(sns.publish, TopicArn=ARN, Message="m", Subject=subject) == (
            "InvalidParameter",
            "Invalid parameter: Subject",
        )


def test_message_rules(sns):
    topic(sns)
    assert fails(sns.publish, TopicArn=ARN, Message="") == (
        "InvalidParameter",
        "Invalid parameter: Empty message",
    )
    assert sns.publish(TopicArn=ARN, Message="x" * 262_144)["MessageId"]
    too_long = ("InvalidParameter", "Invalid parameter: Message too long")
    assert fails(sns.publish, TopicArn=ARN, Message="x" * 262_145) == too_long
    # Multi-byte characters count in bytes; attributes count too (name, type and value).
    assert fails(sns.publish, TopicArn=ARN, Message="é" * 131_073) == too_long
    attrs = {"a": {"DataType": "String", "StringValue": "v"}}
    assert fails(sns.publish, TopicArn=ARN, Message="x" * 262_140, MessageAttributes=attrs) == (
        too_long
    )
    assert fails(sns.publish, Message="m") == (
        "InvalidParameter",
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
    )
    assert fails(sns.publish, TopicArn="orders", Message="m") == (
        "InvalidParameter",
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
    )
    assert fails(sns.publish, TopicArn=ARN + "-gone", Message="m") == (
        "NotFound",
        "Topic does not exist",
    )
    assert fails(
        sns.publish, TargetArn="arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/app/1", Message="m"
    ) == (
        "InvalidParameter",
        "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified",
    )


def test_message_structure_json(sns):
    topic(sns)
    ok = json.dumps({"default": "d", "sqs": "for queues", "email": 5})
    assert sns.publish(TopicArn=ARN, Message=ok, MessageStructure="json")["MessageId"]
    no_default = "Invalid parameter: Message Structure - No default entry in JSON message body"
    assert fails(sns.publish, TopicArn=ARN, Message='{"sqs": "x"}', MessageStructure="json") == (
        "InvalidParameter",
        no_default,
    )
    assert (
        fails(sns.publish, TopicArn=ARN, Message='{"default": 1}', MessageStructure="json")[1]
        == no_default
    )
    assert fails(sns.publish, TopicArn=ARN, Message="{nope", MessageStructure="json") == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - JSON message body failed to parse",
    )


NON_EMPTY = (
    "The message attribute 'attr1' must contain non-empty message attribute value for message "
    "attribute type '{}'."
)
BAD_CHARACTER = (
    "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can "
    "only include alphanumeric characters, hyphens, underscores, or dots."
)
BAD_TYPE = (
    "The message attribute 'attr1' has an invalid message attribute type, the set of supported "
    "type prefixes is Binary, Number, and String."
)
ATTRIBUTE_CASES = [
    ({"attr1": {"DataType": "String", "StringValue": ""}}, NON_EMPTY.format("String")),
    ({"attr1": {"DataType": "String"}}, NON_EMPTY.format("String")),
    ({"attr1": {"DataType": "Binary", "BinaryValue": b""}}, NON_EMPTY.format("Binary")),
    (
        {"attr1": {"DataType": "String", "BinaryValue": b"x"}},
        "The message attribute 'attr1' with type 'String' must use field 'String'.",
    ),
    (
        {"attr1": {"DataType": "Number", "BinaryValue": b"1"}},
        "The message attribute 'attr1' with type 'Number' must use field 'String'.",
    ),
    (
        {"attr1": {"DataType": "Binary", "StringValue": "x"}},
        "The message attribute 'attr1' with type 'Binary' must use field 'Binary'.",
    ),
    ({"attr1": {"DataType": "Other", "StringValue": "x"}}, BAD_TYPE),
    (
        {"a" * 257: {"DataType": "String", "StringValue": "x"}},
        "Length of message attribute name must be less than 256 bytes.",
    ),
    ({"attr^": {"DataType": "String", "StringValue": "x"}}, BAD_CHARACTER),
    (
        {".attr": {"DataType": "String", "StringValue": "x"}},
        "Invalid message attribute name starting with character '.' was found.",
    ),
    (
        {"attr.": {"DataType": "String", "StringValue": "x"}},
        "Invalid message attribute name ending with character '.' was found.",
    ),
    (
        {"at..tr": {"DataType": "String", "StringValue": "x"}},
        "Message attribute name can not have successive '.' character.",
    ),
    (
        {"price": {"DataType": "Number", "StringValue": "error"}},
        "Could not cast message attribute 'price' value to number.",
    ),
]


@pytest.mark.parametrize(("attributes", "message"), ATTRIBUTE_CASES)
def test_message_attribute_validation(sns, attributes, message):
    topic(sns)
    expected = ("ParameterValueInvalid", message)
    assert fails(sns.publish, TopicArn=ARN, Message="m", MessageAttributes=attributes) == expected
    entry = {"Id": "1", "Message": "m", "MessageAttributes": attributes}
    assert fails(sns.publish_batch, TopicArn=ARN, PublishBatchRequestEntries=[entry]) == expected


def test_message_attribute_custom_types_are_accepted(sns):
    topic(sns)
    attrs = {
        "a": {"DataType": "String.Array", "StringValue": '["x", 1]'},
        "b": {"DataType": "Number.float", "StringValue": "1.5e3"},
        "c": {"DataType": "Binary.gz", "BinaryValue": b"\x00\x01"},
        "d.e-f_g": {"DataType": "String", "StringValue": "ok"},
    }
    assert sns.publish(TopicArn=ARN, Message="m", MessageAttributes=attrs)["MessageId"]


def test_fifo_publish_rules(sns):
    topic(sns)
    topic(sns, "orders.fifo", FifoTopic="true")
    assert fails(sns.publish, TopicArn=FIFO, Message="m") == (
        "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
    )
    assert fails(sns.publish, TopicArn=FIFO, Message="m", MessageGroupId="g") == (
        "InvalidParameter",
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly",
    )
    assert fails(sns.publish, TopicArn=ARN, Message="m", MessageDeduplicationId="d") == (
        "InvalidParameter",
        "Invalid parameter: MessageDeduplicationId Reason: The request includes "
        "MessageDeduplicationId parameter that is not valid for this topic type",
    )
    # Standard topics take a MessageGroupId (for SQS fair queues).
    assert sns.publish(TopicArn=ARN, Message="m", MessageGroupId="g")["MessageId"]


def test_fifo_sequence_numbers_and_deduplication(cloud, sns):
    topic(sns, "orders.fifo", FifoTopic="true")
    first = sns.publish(TopicArn=FIFO, Message="m", MessageGroupId="g", MessageDeduplicationId="d1")
    second = sns.publish(
        TopicArn=FIFO, Message="m", MessageGroupId="g", MessageDeduplicationId="d2"
    )
    assert len(first["SequenceNumber"]) == 20
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    again = sns.publish(
        TopicArn=FIFO, Message="other", MessageGroupId="g2", MessageDeduplicationId="d1"
    )
    assert (again["MessageId"], again["SequenceNumber"]) == (
        first["MessageId"],
        first["SequenceNumber"],
    )
    cloud.clock.advance(301)
    later = sns.publish(TopicArn=FIFO, Message="m", MessageGroupId="g", MessageDeduplicationId="d1")
    assert later["MessageId"] != first["MessageId"]


def test_fifo_content_based_deduplication_and_group_scope(sns):
    topic(sns, "orders.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    a = sns.publish(TopicArn=FIFO, Message="same", MessageGroupId="g1")
    b = sns.publish(TopicArn=FIFO, Message="same", MessageGroupId="g2")
    assert a["MessageId"] == b["MessageId"]  # topic-wide scope by default
    sns.set_topic_attributes(
        TopicArn=FIFO, AttributeName="FifoThroughputScope", AttributeValue="MessageGroup"
    )
    c = sns.publish(TopicArn=FIFO, Message="again", MessageGroupId="g1")
    d = sns.publish(TopicArn=FIFO, Message="again", MessageGroupId="g2")
    e = sns.publish(TopicArn=FIFO, Message="again", MessageGroupId="g1")
    assert c["MessageId"] != d["MessageId"]
    assert e["MessageId"] == c["MessageId"]


def test_publish_batch(sns):
    topic(sns)
    result = sns.publish_batch(
        TopicArn=ARN,
        PublishBatchRequestEntries=[
            {"Id": "1", "Message": "one"},
            {"Id": "2", "Message": "two", "Subject": "bad\nsubject"},
            {"Id": "3", "Message": "three"},
        ],
    )
    assert [s["Id"] for s in result["Successful"]] == ["1", "3"]
    assert result["Failed"] == [
        {
            "Id": "2",
            "Code": "InvalidParameter",
            "Message": "Invalid parameter: Subject",
            "SenderFault": True,
        }
    ]


def test_publish_batch_errors(sns):
    topic(sns)
    topic(sns, "orders.fifo", FifoTopic="true")
    entry = {"Id": "1", "Message": "m"}
    assert fails(
        sns.publish_batch,
        TopicArn=ARN,
        PublishBatchRequestEntries=[dict(entry, Id=str(i)) for i in range(11)],
    ) == (
        "TooManyEntriesInBatchRequest",
        "The batch request contains more entries than permissible.",
    )
    assert fails(sns.publish_batch, TopicArn=ARN, PublishBatchRequestEntries=[entry, entry]) == (
        "BatchEntryIdsNotDistinct",
        "Two or more batch entries in the request have the same Id.",
    )
    assert fails(sns.publish_batch, TopicArn=ARN, PublishBatchRequestEntries=[])[0] == (
        "EmptyBatchRequest"
    )
    assert (
        fails(sns.publish_batch, TopicArn=ARN, PublishBatchRequestEntries=[dict(entry, Id="a b")])[
            0
        ]
        == "InvalidBatchEntryId"
    )
    big = [{"Id": str(i), "Message": "x" * 30_000} for i in range(9)]
    assert fails(sns.publish_batch, TopicArn=ARN, PublishBatchRequestEntries=big) == (
        "BatchRequestTooLong",
        "The length of all the messages put together is more than the limit.",
    )
    assert fails(sns.publish_batch, TopicArn=ARN + "-gone", PublishBatchRequestEntries=[entry]) == (
        "NotFound",
        "Topic does not exist",
    )
    assert fails(sns.publish_batch, TopicArn=FIFO, PublishBatchRequestEntries=[entry]) == (
        "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
    )
    assert fails(
        sns.publish_batch,
        TopicArn=FIFO,
        PublishBatchRequestEntries=[dict(entry, MessageGroupId="g")],
    )[1].startswith("Invalid parameter: The topic should either have ContentBasedDeduplication")
    structured = dict(entry, Message='{"sqs": "x"}', MessageStructure="json")
    assert fails(sns.publish_batch, TopicArn=ARN, PublishBatchRequestEntries=[structured]) == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - No default entry in JSON message body",
    )


def test_publish_batch_fifo_returns_sequence_numbers(sns):
    topic(sns, "orders.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    entries = [{"Id": str(i), "Message": f"m{i}", "MessageGroupId": "g"} for i in range(3)]
    first = sns.publish_batch(TopicArn=FIFO, PublishBatchRequestEntries=entries)["Successful"]
    numbers = [int(s["SequenceNumber"]) for s in first]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    again = sns.publish_batch(TopicArn=FIFO, PublishBatchRequestEntries=entries)["Successful"]
    assert again == first  # duplicates within five minutes: same ids, not delivered twice


def test_publish_to_a_phone_number(cloud, sns):
    sns.publish(PhoneNumber="+15551234567", Message="your code is 1234")
    cloud.settle()
    [sms] = cloud.outbox.where(protocol="sms")
    assert (sms.endpoint, sms.body) == ("+15551234567", "your code is 1234")
    assert fails(sns.publish, PhoneNumber="+1a234", Message="m") == (
        "InvalidParameter",
        "Invalid parameter: PhoneNumber Reason: +1a234 is not valid to publish to",
    )


def test_unimplemented_sms_settings_are_refused_loudly(sns):
    with pytest.raises(UnsupportedOperation):
        sns.get_sms_attributes()
