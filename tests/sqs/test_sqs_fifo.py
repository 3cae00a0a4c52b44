"""FIFO queues through boto3: group order, blocking, deduplication, sequence numbers."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

FIFO = {"FifoQueue": "true"}


@pytest.fixture
def url(sqs):
    return sqs.create_queue(
        QueueName="jobs.fifo", Attributes={**FIFO, "ContentBasedDeduplication": "true"}
    )["QueueUrl"]


def send(sqs, url, body, group="g1", **kwargs):
    return sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, **kwargs)


def bodies(sqs, url, **kwargs):
    kwargs.setdefault("MaxNumberOfMessages", 10)
    response = sqs.receive_message(QueueUrl=url, **kwargs)
    return [m["Body"] for m in response.get("Messages", [])]


def test_send_requirements(sqs, error):
    url = sqs.create_queue(QueueName="plain.fifo", Attributes=FIFO)["QueueUrl"]
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert error(exc) == (
        "MissingParameter",
        "The request must contain the parameter MessageGroupId.",
        "MissingRequiredParameterException",
        400,
    )
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert error(exc)[:2] == (
        "InvalidParameterValue",
        "The queue should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly",
    )
    with pytest.raises(ClientError) as exc:
        sqs.send_message(
            QueueUrl=url,
            MessageBody="x",
            MessageGroupId="g",
            MessageDeduplicationId="d",
            DelaySeconds=2,
        )
    assert error(exc)[:2] == (
        "InvalidParameterValue",
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter "
        "that is not valid for this queue type.",
    )
    sqs.send_message(
        QueueUrl=url,
        MessageBody="x",
        MessageGroupId="g",
        MessageDeduplicationId="d",
        DelaySeconds=0,
    )
    for parameter, kwargs in [
        ("MessageGroupId", {"MessageGroupId": "bad group", "MessageDeduplicationId": "d"}),
        ("MessageDeduplicationId", {"MessageGroupId": "g", "MessageDeduplicationId": "x" * 129}),
    ]:
        with pytest.raises(ClientError) as exc:
            sqs.send_message(QueueUrl=url, MessageBody="x", **kwargs)
        value = kwargs[parameter]
        assert error(exc)[1] == (
            f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can only "
            "include alphanumeric and punctuation characters. 1 to 128 in length."
        )


def test_strict_order_within_a_group_and_blocking(cloud, sqs, url):
    for body, group in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("a3", "A"), ("b2", "B")]:
        send(sqs, url, body, group)
    # As many messages of one group as possible first, oldest group first.
    assert bodies(sqs, url, MaxNumberOfMessages=2) == ["a1", "a2"]
    # Group A is blocked while it has messages in flight; B is not.
    assert bodies(sqs, url, VisibilityTimeout=5) == ["b1", "b2"]
    assert bodies(sqs, url) == []
    cloud.clock.advance(5)
    assert bodies(sqs, url, VisibilityTimeout=60) == ["b1", "b2"]
    cloud.clock.advance(25)
    # a1, a2 timed out: they come back first, in order, with a3 after them.
    response = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
    messages = response["Messages"]
    assert [m["Body"] for m in messages] == ["a1", "a2", "a3"]
    assert [m["Attributes"]["ApproximateReceiveCount"] for m in messages] == ["2", "2", "1"]
    sequence = [int(m["Attributes"]["SequenceNumber"]) for m in messages]
    assert sequence == sorted(sequence) and all(len(str(s)) == 20 for s in sequence)
    # Deleting only part of the in-flight messages keeps the group blocked.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=messages[1]["ReceiptHandle"], VisibilityTimeout=0
    )
    assert bodies(sqs, url, VisibilityTimeout=0) == []  # a3 is still in flight
    sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[2]["ReceiptHandle"])
    assert bodies(sqs, url) == ["a2"]


def test_deduplication_window(cloud, sqs, error):
    url = sqs.create_queue(QueueName="d.fifo", Attributes=FIFO)["QueueUrl"]
    first = sqs.send_message(
        QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="dup"
    )
    again = sqs.send_message(
        QueueUrl=url, MessageBody="another", MessageGroupId="g2", MessageDeduplicationId="dup"
    )
    assert again["MessageId"] == first["MessageId"]
    assert again["SequenceNumber"] == first["SequenceNumber"]
    assert again["MD5OfMessageBody"] != first["MD5OfMessageBody"]
    [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    # Still remembered after delete, for 5 minutes from the first send.
    cloud.clock.advance(299)
    sqs.send_message(
        QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="dup"
    )
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    cloud.clock.advance(1)
    third = sqs.send_message(
        QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="dup"
    )
    assert third["MessageId"] != first["MessageId"]
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1


def test_content_based_deduplication(sqs, url):
    first = send(sqs, url, '{"foo": "bar"}')
    second = send(sqs, url, '{"foo": "bar"}', group="other")
    assert second["MessageId"] == first["MessageId"]
    explicit = send(sqs, url, '{"foo": "bar"}', MessageDeduplicationId="explicit")
    assert explicit["MessageId"] != first["MessageId"]
    assert bodies(sqs, url) == ['{"foo": "bar"}', '{"foo": "bar"}']


def test_deduplication_scope_message_group(sqs):
    url = sqs.create_queue(
        QueueName="hi.fifo",
        Attributes={
            **FIFO,
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
        },
    )["QueueUrl"]
    a = sqs.send_message(
        QueueUrl=url, MessageBody="x", MessageGroupId="A", MessageDeduplicationId="d"
    )
    b = sqs.send_message(
        QueueUrl=url, MessageBody="x", MessageGroupId="B", MessageDeduplicationId="d"
    )
    c = sqs.send_message(
        QueueUrl=url, MessageBody="x", MessageGroupId="A", MessageDeduplicationId="d"
    )
    assert a["MessageId"] != b["MessageId"]
    assert c["MessageId"] == a["MessageId"]
    assert bodies(sqs, url) == ["x", "x"]  # one per group


def test_fifo_receipt_handles_expire(cloud, sqs, url, error):
    send(sqs, url, "m")
    [message] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=5)["Messages"]
    cloud.clock.advance(5)
    handle = message["ReceiptHandle"]
    expired = (
        "InvalidParameterValue",
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has "
        "expired.",
    )
    with pytest.raises(ClientError) as exc:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    assert error(exc)[:2] == expired
    with pytest.raises(ClientError) as exc:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=10)
    assert error(exc)[:2] == expired
    [again] = sqs.receive_message(QueueUrl=url)["Messages"]
    with pytest.raises(ClientError) as exc:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)  # superseded
    assert error(exc)[:2] == expired
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    assert bodies(sqs, url) == []


def test_receive_request_attempt_id(cloud, sqs, url):
    for body in ["m1", "m2", "m3"]:
        send(sqs, url, body)
    first = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=2,
        ReceiveRequestAttemptId="attempt-1",
        VisibilityTimeout=30,
    )["Messages"]
    cloud.clock.advance(20)
    retry = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=2,
        ReceiveRequestAttemptId="attempt-1",
        VisibilityTimeout=30,
    )["Messages"]
    assert [m["ReceiptHandle"] for m in retry] == [m["ReceiptHandle"] for m in first]
    cloud.clock.advance(20)  # the retry reset the visibility timeout
    assert bodies(sqs, url) == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    # A message of the attempt changed: the same id now receives anew.
    cloud.clock.advance(30)
    fresh = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1"
    )["Messages"]
    assert [m["Body"] for m in fresh] == ["m2", "m3"]


def test_queue_delay_is_retroactive_on_fifo_queues(cloud, sqs):
    url = sqs.create_queue(
        QueueName="delay.fifo",
        Attributes={**FIFO, "ContentBasedDeduplication": "true", "DelaySeconds": "60"},
    )["QueueUrl"]
    send(sqs, url, "m")
    send(sqs, url, "n", group="g2", DelaySeconds=0)  # 0 is allowed, the queue's delay applies
    cloud.clock.advance(10)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "20"})
    assert bodies(sqs, url) == []
    cloud.clock.advance(10)
    assert bodies(sqs, url) == ["m", "n"]


def test_fifo_batches_are_refused_whole(sqs, url, error):
    with pytest.raises(ClientError) as exc:
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": "1", "MessageBody": "ok", "MessageGroupId": "g"},
                {"Id": "2", "MessageBody": "no group"},
            ],
        )
    assert error(exc)[:2] == (
        "MissingParameter",
        "The request must contain the parameter MessageGroupId.",
    )
    with pytest.raises(ClientError) as exc:
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "", "MessageGroupId": "g"}]
        )
    assert error(exc)[1] == (
        "The request must contain the parameter SendMessageBatchRequestEntry.1.MessageBody."
    )
    assert bodies(sqs, url) == []
    response = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "1", "MessageBody": "first", "MessageGroupId": "g"},
            {"Id": "2", "MessageBody": "second", "MessageGroupId": "g"},
            {"Id": "3", "MessageBody": "first", "MessageGroupId": "g"},  # a duplicate
        ],
    )
    ok = response["Successful"]
    assert ok[2]["MessageId"] == ok[0]["MessageId"]
    assert int(ok[0]["SequenceNumber"]) < int(ok[1]["SequenceNumber"])
    assert bodies(sqs, url) == ["first", "second"]


def test_fifo_system_attributes(sqs, url):
    sent = send(sqs, url, "m", MessageDeduplicationId="dedup-1")
    [message] = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"]
    got = message["Attributes"]
    assert got["MessageGroupId"] == "g1"
    assert got["MessageDeduplicationId"] == "dedup-1"
    assert got["SequenceNumber"] == sent["SequenceNumber"]
