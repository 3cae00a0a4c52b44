"""SQS messages through boto3: send, receive, delete, visibility, batches, long polling."""

from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError

URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/"
HELLO = {"Hello": {"DataType": "String", "StringValue": "World"}}
TRACE = {"AWSTraceHeader": {"DataType": "String", "StringValue": "some-trace-id"}}


@pytest.fixture
def url(sqs):
    return sqs.create_queue(QueueName="q")["QueueUrl"]


def counts(sqs, url):
    got = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return (
        int(got["ApproximateNumberOfMessages"]),
        int(got["ApproximateNumberOfMessagesNotVisible"]),
        int(got["ApproximateNumberOfMessagesDelayed"]),
    )


def receive(sqs, url, **kwargs):
    return sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", [])


# -- MD5s, as AWS computes them (values recorded against AWS) ------------------------------------
def test_send_message_md5s(sqs, url):
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="Test Message",
        MessageAttributes=HELLO,
        MessageSystemAttributes=TRACE,
    )
    assert sent["MD5OfMessageBody"] == "d1d4180b7e411c4be86b00fb2ee103eb"
    assert sent["MD5OfMessageAttributes"] == "7db7fb1ba7f41366a8ea5eb18220b26d"
    assert sent["MD5OfMessageSystemAttributes"] == "fdce4f2818803f2f73becc09a54792c0"
    custom = {"UserId": {"DataType": "Number.bigint", "StringValue": "1234567890123456789012"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=custom)
    assert sent["MD5OfMessageAttributes"] == "797ab158d73dcb5242dedc4412c8e855"
    numbers = {
        "data1": {"DataType": "Number", "StringValue": "1"},
        "data2": {"DataType": "Number", "StringValue": "2"},
    }
    sent = sqs.send_message(QueueUrl=url, MessageBody="some message", MessageAttributes=numbers)
    assert sent["MD5OfMessageBody"] == "df49b60423903e095b80d9b4a92eb065"
    assert sent["MD5OfMessageAttributes"] == "b53b5acf24e7fd9567705bd8027b1c76"
    binary = {
        "attr1": {
            "DataType": "Binary",
            "BinaryValue": b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-"
            b"2d2482211f6489da-01",
        }
    }
    sent = sqs.send_message(QueueUrl=url, MessageBody="test", MessageAttributes=binary)
    assert sent["MD5OfMessageAttributes"] == "8cbe4db156db8a94db8b801b7addb984"
    plain = sqs.send_message(QueueUrl=url, MessageBody="plain")
    assert "MD5OfMessageAttributes" not in plain and "MD5OfMessageSystemAttributes" not in plain


def test_receive_returns_body_attributes_and_md5s(cloud, sqs, url):
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="Test Message",
        MessageAttributes=HELLO,
        MessageSystemAttributes=TRACE,
    )
    sent_ms = str(cloud.clock.millis())
    cloud.clock.advance(2)
    [message] = receive(
        sqs, url, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"]
    )
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "Test Message"
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert message["MessageAttributes"] == HELLO
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert message["Attributes"] == {
        "SenderId": "123456789012",
        "SentTimestamp": sent_ms,
        "ApproximateReceiveCount": "1",
        "ApproximateFirstReceiveTimestamp": str(cloud.clock.millis()),
        "AWSTraceHeader": "some-trace-id",
    }
    assert message["ReceiptHandle"]


def test_receive_attribute_filters(sqs, url):
    attributes = {
        "Hello": {"DataType": "String", "StringValue": "There"},
        "General": {"DataType": "String", "StringValue": "Kenobi"},
        "Help.Me": {"DataType": "String", "StringValue": "Me"},
    }
    sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes=attributes)

    def received(**kwargs):
        [m] = receive(sqs, url, VisibilityTimeout=0, **kwargs)
        return m

    plain = received()
    assert "MessageAttributes" not in plain and "Attributes" not in plain
    # MD5s of the selected attributes, recorded against AWS.
    assert received(MessageAttributeNames=["All"])["MD5OfMessageAttributes"] == (
        "4c360f3fdafd970e05fae2f149d997f5"
    )
    assert received(MessageAttributeNames=[".*"])["MessageAttributes"] == attributes
    only = received(MessageAttributeNames=["Hello", "General"])
    assert only["MD5OfMessageAttributes"] == "fca026605781cb4126a1e9044df24232"
    some = received(MessageAttributeNames=["Hello", "Missing"])
    assert some["MessageAttributes"] == {"Hello": attributes["Hello"]}
    assert some["MD5OfMessageAttributes"] == "a311262e065454b75da111d535b8dacd"
    prefixed = received(MessageAttributeNames=["Hel.*"])
    assert set(prefixed["MessageAttributes"]) == {"Hello", "Help.Me"}
    assert prefixed["MD5OfMessageAttributes"] == "83fee93c1bcd8b9a5a923ffacdc636c7"
    assert "MessageAttributes" not in received(MessageAttributeNames=["Nope"])
    system = received(MessageSystemAttributeNames=["SenderId", "SequenceNumber"])
    assert list(system["Attributes"]) == ["SenderId"]
    legacy = received(AttributeNames=["ApproximateReceiveCount"])
    assert legacy["Attributes"] == {"ApproximateReceiveCount": "9"}


def test_binary_attribute_round_trip(sqs, url):
    attributes = {"blob": {"DataType": "Binary.png", "BinaryValue": b"\x00\x01\xff"}}
    sqs.send_message(QueueUrl=url, MessageBody="b", MessageAttributes=attributes)
    [message] = receive(sqs, url, MessageAttributeNames=["All"])
    assert message["MessageAttributes"] == attributes


# -- validation ------------------------------------------------------------------------------
def test_message_body_validation(sqs, url, error):
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="")
    assert error(exc) == (
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
        "MissingRequiredParameterException",
        400,
    )
    with pytest.raises(sqs.exceptions.InvalidMessageContents) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="bad \x00 char")
    assert error(exc)[:2] == (
        "InvalidMessageContents",
        "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to "
        "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
    )
    for delay in (-234, 1000):
        with pytest.raises(ClientError) as exc:
            sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=delay)
        assert error(exc)[:2] == (
            "InvalidParameterValue",
            f"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be "
            ">= 0 and <= 900.",
        )
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d1")
    assert error(exc)[:2] == (
        "InvalidParameterValue",
        "Value d1 for parameter MessageDeduplicationId is invalid. Reason: The request include "
        "parameter that is not valid for this queue type.",
    )
    # Standard queues take a MessageGroupId (fair queues) and return it.
    sqs.send_message(QueueUrl=url, MessageBody="tenant", MessageGroupId="tenant-1")
    [message] = receive(sqs, url, MessageSystemAttributeNames=["All"])
    assert message["Attributes"]["MessageGroupId"] == "tenant-1"
    assert "SequenceNumber" not in message["Attributes"]


def test_message_size_limits(sqs, error):
    url = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="a" * 1024)
    too_big = "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
    for body, attributes in [
        ("a" * 1025, {}),
        ("Hello", {"attrib1": {"DataType": "String", "StringValue": "a" * 1025}}),
        ("é" * 513, {}),  # bytes, not characters
    ]:
        with pytest.raises(ClientError) as exc:
            sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
        assert error(exc)[:2] == ("InvalidParameterValue", too_big)
    big = sqs.create_queue(QueueName="big")["QueueUrl"]
    sqs.send_message(QueueUrl=big, MessageBody="a" * 1_048_576)
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=big, MessageBody="a" * 1_048_577)
    assert error(exc)[1].endswith("Message must be shorter than 1048576 bytes.")


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"Hello": {"DataType": "Number", "StringValue": "world"}},
            "Can't cast the value of message (user) attribute 'Hello' to a number.",
        ),
        (
            {"ErrorDetails": {"DataType": "String", "StringValue": ""}},
            "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type "
            "'String'.",
        ),
        (
            {"": {"DataType": "String", "StringValue": "v"}},
            "The request must contain non-empty message (user) attribute names.",
        ),
        (
            {"Hello": {"DataType": "String"}},
            "The message (user) attribute 'Hello' must contain a non-empty message attribute "
            "value.",
        ),
        (
            {"Hello": {"DataType": "InvalidType", "StringValue": "v"}},
            "The type of message (user) attribute 'Hello' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String.",
        ),
        (
            {"Hello": {"DataType": "StringList", "StringListValues": ["World"]}},
            "Message attribute list values in SendMessage operation are not supported.",
        ),
        (
            {"AWS.Hello": {"DataType": "String", "StringValue": "World"}},
            "You can't use message attribute names beginning with 'AWS.' or 'Amazon'. These "
            "strings are reserved for internal use.",
        ),
        (
            {"amazon.Hello": {"DataType": "String", "StringValue": "World"}},
            "You can't use message attribute names beginning with 'AWS.' or 'Amazon'. These "
            "strings are reserved for internal use.",
        ),
        (
            {f"attrib{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)},
            "Number of message attributes [11] exceeds the allowed maximum [10].",
        ),
        (
            {"a" * 257: {"DataType": "String", "StringValue": "v"}},
            "Message (user) attribute name must be shorter than 256 bytes.",
        ),
        (
            {"attrib1": {"DataType": "String." + "a" * 250, "StringValue": "v"}},
            "Message (user) attribute type must be shorter than 256 bytes.",
        ),
        (
            {"bad name": {"DataType": "String", "StringValue": "v"}},
            "The message attribute name 'bad name' is invalid. Attribute name can contain A-Z, "
            "a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.",
        ),
    ],
)
def test_message_attribute_validation(sqs, url, error, attributes, message):
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    assert error(exc)[:2] == ("InvalidParameterValue", message)


def test_system_attribute_validation(sqs, url, error):
    with pytest.raises(ClientError) as exc:
        sqs.send_message(
            QueueUrl=url,
            MessageBody="x",
            MessageSystemAttributes={"Hello": {"DataType": "String", "StringValue": "World"}},
        )
    assert error(exc)[:2] == (
        "InvalidParameterValue",
        "Message system attribute name 'Hello' is invalid.",
    )


def test_receive_parameter_validation(sqs, url, error):
    for kwargs, message in [
        (
            {"MaxNumberOfMessages": 11},
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
            "and 10, if provided.",
        ),
        (
            {"MaxNumberOfMessages": 0},
            "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
            "and 10, if provided.",
        ),
        (
            {"WaitTimeSeconds": 50},
            "Value 50 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, "
            "if provided.",
        ),
        (
            {"VisibilityTimeout": 43201},
            "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= "
            "43200, if provided.",
        ),
    ]:
        with pytest.raises(ClientError) as exc:
            sqs.receive_message(QueueUrl=url, **kwargs)
        assert error(exc) == (
            "InvalidParameterValue",
            message,
            "InvalidParameterValueException",
            400,
        )


# -- visibility, delays, retention on the virtual clock --------------------------------------
def test_visibility_timeout_and_counts(cloud, sqs, error):
    url = sqs.create_queue(QueueName="v", Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    assert counts(sqs, url) == (1, 0, 0)
    [first] = receive(sqs, url, AttributeNames=["ApproximateReceiveCount"])
    assert counts(sqs, url) == (0, 1, 0)
    assert receive(sqs, url) == []
    cloud.clock.advance(9.999)
    assert receive(sqs, url) == []
    cloud.clock.advance(0.001)
    assert counts(sqs, url) == (1, 0, 0)
    [second] = receive(sqs, url, VisibilityTimeout=100, AttributeNames=["All"])
    assert second["MessageId"] == first["MessageId"]
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    cloud.clock.advance(99)
    assert counts(sqs, url) == (0, 1, 0)
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=30
    )
    cloud.clock.advance(29)
    assert receive(sqs, url) == []
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=0
    )
    [third] = receive(sqs, url, VisibilityTimeout=100)
    cloud.clock.advance(10)
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=third["ReceiptHandle"], VisibilityTimeout=43190
    )
    with pytest.raises(ClientError) as exc:
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=third["ReceiptHandle"], VisibilityTimeout=43200
        )
    assert error(exc)[1] == (
        "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout "
        "for the message is beyond the limit [43200 seconds]"
    )
    with pytest.raises(ClientError) as exc:
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=third["ReceiptHandle"], VisibilityTimeout=-10
        )
    assert error(exc)[1] == (
        "Value -10 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200."
    )


def test_change_visibility_after_the_timeout_passed_succeeds(cloud, sqs, url):
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [message] = receive(sqs, url, VisibilityTimeout=5)
    cloud.clock.advance(6)
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=60
    )
    assert counts(sqs, url) == (1, 0, 0)  # visible again: nothing left to change


def test_delays(cloud, sqs):
    url = sqs.create_queue(QueueName="d", Attributes={"DelaySeconds": "2"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="queue delay")
    sqs.send_message(QueueUrl=url, MessageBody="own delay", DelaySeconds=5)
    sqs.send_message(QueueUrl=url, MessageBody="no delay", DelaySeconds=0)
    assert counts(sqs, url) == (1, 0, 2)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["no delay"]
    cloud.clock.advance(2)
    assert counts(sqs, url) == (1, 1, 1)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["queue delay"]
    cloud.clock.advance(3)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["own delay"]
    # Changing a standard queue's delay does not touch messages already sent.
    sqs.send_message(QueueUrl=url, MessageBody="later")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0"})
    assert receive(sqs, url) == []
    cloud.clock.advance(2)
    assert [m["Body"] for m in receive(sqs, url)] == ["later"]


def test_retention_period(cloud, sqs):
    url = sqs.create_queue(QueueName="r", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    cloud.clock.advance(30)
    sqs.send_message(QueueUrl=url, MessageBody="new")
    receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=5)
    cloud.clock.advance(30)
    assert counts(sqs, url) == (1, 0, 0)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["new"]
    cloud.clock.advance(30)
    assert counts(sqs, url) == (0, 0, 0)


def test_reducing_retention_expires_existing_messages(cloud, sqs, url):
    sqs.send_message(QueueUrl=url, MessageBody="m")
    cloud.clock.advance(120)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "60"})
    assert counts(sqs, url) == (0, 0, 0)


# -- deleting and receipt handles ------------------------------------------------------------
def test_delete_message_and_receipt_handles(cloud, sqs, url, error):
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [message] = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])  # again: fine
    assert counts(sqs, url) == (0, 0, 0)
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid) as exc:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="invalid-receipt-id")
    assert error(exc) == (
        "ReceiptHandleIsInvalid",
        'The input receipt handle "invalid-receipt-id" is not a valid receipt handle.',
        "ReceiptHandleIsInvalid",
        400,
    )
    with pytest.raises(ClientError) as exc:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="")
    assert error(exc)[:2] == (
        "MissingParameter",
        "The request must contain the parameter ReceiptHandle.",
    )
    with pytest.raises(ClientError) as exc:
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=10
        )
    assert error(exc)[:2] == (
        "InvalidParameterValue",
        f"Value {message['ReceiptHandle']} for parameter ReceiptHandle is invalid. Reason: "
        "Message does not exist or is not available for visibility timeout change.",
    )
    other = sqs.create_queue(QueueName="other")["QueueUrl"]
    sqs.send_message(QueueUrl=other, MessageBody="o")
    [foreign] = receive(sqs, other)
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=foreign["ReceiptHandle"])


def test_expired_and_old_handles_still_delete_on_standard_queues(cloud, sqs, url):
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [first] = receive(sqs, url, VisibilityTimeout=1)
    cloud.clock.advance(2)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])  # expired: still deletes
    assert counts(sqs, url) == (0, 0, 0)
    sqs.send_message(QueueUrl=url, MessageBody="n")
    [old] = receive(sqs, url, VisibilityTimeout=1)
    cloud.clock.advance(2)
    [new] = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=old["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)
    assert new["MessageId"] == old["MessageId"]


def test_handles_of_a_deleted_queue(cloud, sqs):
    cloud.settings.sqs.deleted_name_cooldown = 0
    url = sqs.create_queue(QueueName="gone")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [message] = receive(sqs, url)
    sqs.delete_queue(QueueUrl=url)
    url = sqs.create_queue(QueueName="gone")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="fresh")
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert counts(sqs, url) == (1, 0, 0)  # the old handle deletes nothing in the new queue


# -- batches -----------------------------------------------------------------------------------
def test_send_message_batch(sqs, url):
    response = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "1", "MessageBody": "some message"},
            {
                "Id": "2",
                "MessageBody": "some message 2",
                "MessageSystemAttributes": {
                    "AWSTraceHeader": {"DataType": "String", "StringValue": "some-value"}
                },
                "MessageAttributes": {"data1": {"DataType": "Number", "StringValue": "1"}},
            },
            {"Id": "3", "MessageBody": ""},
            {"Id": "4", "MessageBody": "x", "DelaySeconds": 1000},
        ],
    )
    first, second = response["Successful"]
    assert (first["Id"], first["MD5OfMessageBody"]) == ("1", "df49b60423903e095b80d9b4a92eb065")
    assert second["MD5OfMessageAttributes"] == "cc7f712733e0ad2cc9f1fefbd28bab9c"
    assert second["MD5OfMessageSystemAttributes"] == "a3263a0cbc09023ccd431feb61438309"
    assert "SequenceNumber" not in second
    assert response["Failed"] == [
        {
            "Id": "3",
            "SenderFault": True,
            "Code": "MissingParameter",
            "Message": "The request must contain the parameter SendMessageBatchRequestEntry.3."
            "MessageBody.",
        },
        {
            "Id": "4",
            "SenderFault": True,
            "Code": "InvalidParameterValue",
            "Message": "Value 1000 for parameter DelaySeconds is invalid. Reason: DelaySeconds "
            "must be >= 0 and <= 900.",
        },
    ]
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == [
        "some message",
        "some message 2",
    ]


def test_batch_request_errors(sqs, url, error):
    cases = [
        (
            [],
            "AWS.SimpleQueueService.EmptyBatchRequest",
            "There should be at least one SendMessageBatchRequestEntry in the request.",
        ),
        (
            [{"Id": str(i), "MessageBody": "x"} for i in range(11)],
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            "Maximum number of entries per request are 10. You have sent 11.",
        ),
        (
            [{"Id": "é", "MessageBody": "x"}],
            "AWS.SimpleQueueService.InvalidBatchEntryId",
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
            "It can be at most 80 letters long.",
        ),
        (
            [{"Id": "x" * 81, "MessageBody": "x"}],
            "AWS.SimpleQueueService.InvalidBatchEntryId",
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
            "It can be at most 80 letters long.",
        ),
        (
            [{"Id": "some-id", "MessageBody": "x"}, {"Id": "some-id", "MessageBody": "y"}],
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            "Id some-id repeated.",
        ),
    ]
    for entries, code, message in cases:
        with pytest.raises(ClientError) as exc:
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert error(exc)[:2] == (code, message)
    with pytest.raises(sqs.exceptions.BatchRequestTooLong) as exc:
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": "1", "MessageBody": "a" * 524_288},
                {"Id": "2", "MessageBody": "b" * 524_200},
                {
                    "Id": "3",
                    "MessageBody": "message3",
                    "MessageAttributes": {
                        "Yolo": {
                            "DataType": "Number.customtype",
                            "StringValue": "12345678901234567890",
                        }
                    },
                },
                {
                    "Id": "4",
                    "MessageBody": "message4",
                    "MessageAttributes": {"Yolo": {"DataType": "String", "StringValue": "c" * 50}},
                },
            ],
        )
    assert error(exc) == (
        "AWS.SimpleQueueService.BatchRequestTooLong",
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048605 bytes.",
        "BatchRequestTooLong",
        400,
    )
    for operation, name in [
        (sqs.delete_message_batch, "DeleteMessageBatchRequestEntry"),
        (sqs.change_message_visibility_batch, "ChangeMessageVisibilityBatch"),
    ]:
        with pytest.raises(ClientError) as exc:
            operation(QueueUrl=url, Entries=[])
        assert error(exc)[1] == f"There should be at least one {name} in the request."


def test_delete_and_change_visibility_batches(cloud, sqs, url):
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": f"id-{i}", "MessageBody": f"m{i}"} for i in range(3)]
    )
    messages = receive(sqs, url, MaxNumberOfMessages=10)
    handles = [m["ReceiptHandle"] for m in messages]
    changed = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "id-1", "ReceiptHandle": handles[0], "VisibilityTimeout": 100},
            {"Id": "id-2", "ReceiptHandle": "dummy", "VisibilityTimeout": 20},
            {"Id": "id-3", "ReceiptHandle": handles[2], "VisibilityTimeout": -20},
            {"Id": "id-4", "ReceiptHandle": " ", "VisibilityTimeout": 20},
            {"Id": "id-5", "ReceiptHandle": handles[1]},
        ],
    )
    assert changed["Successful"] == [{"Id": "id-1"}]
    assert changed["Failed"] == [
        {
            "Id": "id-2",
            "SenderFault": True,
            "Code": "ReceiptHandleIsInvalid",
            "Message": 'The input receipt handle "dummy" is not a valid receipt handle.',
        },
        {
            "Id": "id-3",
            "SenderFault": True,
            "Code": "InvalidParameterValue",
            "Message": "Value -20 for parameter VisibilityTimeout is invalid. Reason: "
            "VisibilityTimeout must be an integer between 0 and 43200.",
        },
        {
            "Id": "id-4",
            "SenderFault": True,
            "Code": "MissingParameter",
            "Message": "The request must contain the parameter ReceiptHandle.",
        },
        {
            "Id": "id-5",
            "SenderFault": True,
            "Code": "MissingParameter",
            "Message": "The request must contain the parameter "
            "ChangeMessageVisibilityBatchRequestEntry.5.VisibilityTimeout.",
        },
    ]
    cloud.clock.advance(30)
    assert counts(sqs, url) == (2, 1, 0)
    deleted = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "ReceiptHandle": handles[0]},
            {"Id": "b", "ReceiptHandle": "dummy-receiptHandle"},
        ],
    )
    assert deleted["Successful"] == [{"Id": "a"}]
    assert deleted["Failed"] == [
        {
            "Id": "b",
            "SenderFault": True,
            "Code": "ReceiptHandleIsInvalid",
            "Message": 'The input receipt handle "dummy-receiptHandle" is not a valid receipt '
            "handle.",
        }
    ]
    assert counts(sqs, url) == (2, 0, 0)


# -- long polling on the virtual clock --------------------------------------------------------
def test_long_poll_waits_on_the_virtual_clock(cloud, sqs, url):
    start = cloud.clock.time()
    assert receive(sqs, url, WaitTimeSeconds=20) == []
    assert cloud.clock.time() - start == pytest.approx(20)


def test_long_poll_returns_when_a_delayed_message_arrives(cloud, sqs, url):
    sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=7)
    start = cloud.clock.time()
    [message] = receive(sqs, url, WaitTimeSeconds=20)
    assert message["Body"] == "soon"
    assert cloud.clock.time() - start == pytest.approx(7)


def test_long_poll_sees_messages_sent_by_background_work(cloud, sqs, url):
    import boto3

    def send_later():
        boto3.client("sqs", region_name="eu-west-1").send_message(QueueUrl=url, MessageBody="late")

    start = cloud.clock.time()
    cloud.scheduler.call_later(4, send_later, name="test sender", locked=False)
    [message] = receive(sqs, url, WaitTimeSeconds=10)
    assert message["Body"] == "late"
    assert cloud.clock.time() - start == pytest.approx(4)


def test_queue_receive_wait_time_is_the_default_wait(cloud, sqs):
    url = sqs.create_queue(QueueName="lp", Attributes={"ReceiveMessageWaitTimeSeconds": "5"})[
        "QueueUrl"
    ]
    start = cloud.clock.time()
    assert receive(sqs, url) == []
    assert cloud.clock.time() - start == pytest.approx(5)
    assert receive(sqs, url, WaitTimeSeconds=0) == []
    assert cloud.clock.time() - start == pytest.approx(5)


def test_long_poll_in_real_time_is_woken_by_a_send():
    import threading
    import time

    import boto3

    from fakeaws import mock_serverless

    with mock_serverless(region="eu-west-1") as cloud:  # a real clock
        client = boto3.client("sqs", region_name="eu-west-1")
        queue = client.create_queue(QueueName="rt")["QueueUrl"]
        got: list = []
        waiter = threading.Thread(
            target=lambda: got.extend(receive(client, queue, WaitTimeSeconds=20))
        )
        started = time.monotonic()
        waiter.start()
        polling = threading.Event()
        while not cloud.calls.where(operation="ReceiveMessage"):  # the long poll has begun
            polling.wait(0.001)
        client.send_message(QueueUrl=queue, MessageBody="wake up")
        waiter.join(10)
        assert not waiter.is_alive()  # woken: it did not wait out its 20 seconds
        assert [m["Body"] for m in got] == ["wake up"]
        assert time.monotonic() - started < 5


def test_content_based_dedup_id_is_sha256(sqs):
    url = sqs.create_queue(
        QueueName="c.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="body", MessageGroupId="g")
    [message] = receive(sqs, url, MessageSystemAttributeNames=["MessageDeduplicationId"])
    assert message["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"body").hexdigest()


def test_in_flight_quota(sqs, url, error, monkeypatch):
    from fakeaws.services.sqs import messages

    monkeypatch.setattr(messages, "MAX_IN_FLIGHT", 3)  # AWS's is 120,000: too many for a test
    fifo = sqs.create_queue(
        QueueName="quota.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    for i in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        sqs.send_message(QueueUrl=fifo, MessageBody=f"m{i}", MessageGroupId=f"g{i}")
    assert len(receive(sqs, url, MaxNumberOfMessages=3)) == 3
    with pytest.raises(sqs.exceptions.OverLimit) as exc:
        receive(sqs, url)
    assert error(exc)[0] == "OverLimit" and error(exc)[3] == 403
    assert len(receive(sqs, fifo, MaxNumberOfMessages=10)) == 3  # FIFO: no error, no more
    assert receive(sqs, fifo) == []
