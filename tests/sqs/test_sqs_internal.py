"""The Python interface other services use, and SQS in the rest of the world (Lambda, snapshots)."""

from __future__ import annotations

import json

import boto3
import pytest

from fakeaws.errors import AWSError

ARN = "arn:aws:sqs:eu-west-1:123456789012:"


@pytest.fixture
def backend(cloud):
    return cloud.backend("sqs")


def test_send_internal(cloud, sqs, backend):
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sent = backend.send_internal(
        ARN + "q",
        "Test Message",
        message_attributes={"Hello": {"DataType": "String", "StringValue": "World"}},
        sender_id="AIDAEXAMPLE",
    )
    assert sent["MD5OfMessageBody"] == "d1d4180b7e411c4be86b00fb2ee103eb"
    assert sent["MD5OfMessageAttributes"] == "7db7fb1ba7f41366a8ea5eb18220b26d"
    [message] = sqs.receive_message(
        QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["SenderId"]
    )["Messages"]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Attributes"]["SenderId"] == "AIDAEXAMPLE"
    with pytest.raises(AWSError) as exc:
        backend.send_internal(ARN + "missing", "x")
    assert exc.value.code == "QueueDoesNotExist"
    with pytest.raises(AWSError) as exc:
        backend.send_internal(ARN + "q", "x" * 1_048_577)
    assert exc.value.query_code == "InvalidParameterValue"
    sqs.create_queue(QueueName="f.fifo", Attributes={"FifoQueue": "true"})
    with pytest.raises(AWSError) as exc:
        backend.send_internal(ARN + "f.fifo", "x")
    assert exc.value.message == "The request must contain the parameter MessageGroupId."
    fifo = backend.send_internal(ARN + "f.fifo", "x", group_id="g", dedup_id="d")
    assert fifo["SequenceNumber"]


def test_send_internal_with_a_delay_and_another_account(cloud, backend):
    other = cloud.session("210987654321").client("sqs")
    other.create_queue(QueueName="theirs")
    backend.send_internal("arn:aws:sqs:eu-west-1:210987654321:theirs", "m", delay_seconds=5)
    url = "https://sqs.eu-west-1.amazonaws.com/210987654321/theirs"
    assert "Messages" not in other.receive_message(QueueUrl=url)
    cloud.clock.advance(5)
    assert other.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "m"


def test_accept_delivery(sqs, backend):
    url = sqs.create_queue(QueueName="dest")["QueueUrl"]
    backend.accept_delivery(
        ARN + "dest",
        '{"k": 1}',
        attributes={"RequestID": "r-1", "ErrorCode": "200"},
        source_arn="arn:aws:lambda:eu-west-1:210987654321:function:f",
    )
    [message] = sqs.receive_message(
        QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["SenderId"]
    )["Messages"]
    assert message["Body"] == '{"k": 1}'
    assert message["MessageAttributes"] == {
        "RequestID": {"DataType": "String", "StringValue": "r-1"},
        "ErrorCode": {"DataType": "String", "StringValue": "200"},
    }
    assert message["Attributes"]["SenderId"] == "210987654321"
    with pytest.raises(AWSError):
        backend.accept_delivery(ARN + "gone", "x", attributes={}, source_arn="")


def test_receive_delete_and_change_visibility_internal(cloud, sqs, backend):
    sqs.create_queue(QueueName="dlq")
    redrive = json.dumps({"deadLetterTargetArn": ARN + "dlq", "maxReceiveCount": 1})
    url = sqs.create_queue(QueueName="q", Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    sqs.send_message(
        QueueUrl=url,
        MessageBody="a",
        MessageAttributes={"x": {"DataType": "Number", "StringValue": "1"}},
    )
    sqs.send_message(QueueUrl=url, MessageBody="b")
    got = backend.receive_internal(ARN + "q", 10, visibility_timeout=10)
    assert [m["Body"] for m in got] == ["a", "b"]
    first = got[0]
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"
    assert set(first["Attributes"]) >= {
        "SenderId",
        "SentTimestamp",
        "ApproximateFirstReceiveTimestamp",
    }
    assert first["MessageAttributes"] == {"x": {"DataType": "Number", "StringValue": "1"}}
    assert first["MD5OfMessageAttributes"]
    backend.delete_internal(ARN + "q", got[1]["ReceiptHandle"])
    backend.change_visibility_internal(ARN + "q", first["ReceiptHandle"], 0)
    # The next receive exceeds maxReceiveCount: the message moves to the DLQ, as on ReceiveMessage.
    assert backend.receive_internal(ARN + "q", 10) == []
    dlq = backend.receive_internal(ARN + "dlq", 10)
    assert [m["Body"] for m in dlq] == ["a"]
    assert dlq[0]["Attributes"]["DeadLetterQueueSourceArn"] == ARN + "q"
    with pytest.raises(AWSError) as exc:
        backend.delete_internal(ARN + "q", "not-a-handle")
    assert exc.value.code == "ReceiptHandleIsInvalid"
    assert backend.queue_for_arn(ARN + "q").name == "q"
    assert backend.queue_for_arn(ARN + "nope") is None


def test_snapshot_and_restore_keep_queues_and_messages(cloud, sqs):
    url = sqs.create_queue(QueueName="snap")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="kept")
    sqs.send_message(QueueUrl=url, MessageBody="in flight")
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)
    snap = cloud.snapshot()
    sqs.purge_queue(QueueUrl=url)
    cloud.restore(snap)
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (got["ApproximateNumberOfMessages"], got["ApproximateNumberOfMessagesNotVisible"]) == (
        "1",
        "1",
    )
    cloud.clock.advance(30)
    bodies = [
        m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    ]
    assert sorted(bodies) == ["in flight", "kept"]


def test_lambda_failure_destination_delivers_to_a_queue(cloud, sqs):
    queue_url = sqs.create_queue(QueueName="failures")["QueueUrl"]
    lam = boto3.client("lambda", region_name="eu-west-1")
    code = cloud.lambda_zip(source="def handler(event, context):\n    raise ValueError('boom')\n")
    lam.create_function(
        FunctionName="fails",
        Runtime="python3.12",
        Role="arn:aws:iam::123456789012:role/r",
        Handler="lambda_function.handler",
        Code={"ZipFile": code},
    )
    cloud.settle()
    lam.put_function_event_invoke_config(
        FunctionName="fails",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": ARN + "failures"}},
    )
    lam.invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"order": 7}')
    cloud.settle(within=10)
    [message] = sqs.receive_message(QueueUrl=queue_url)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"order": 7}


class _Watcher:
    """Stands for the Lambda SQS poller: records when SQS says messages arrived."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def woken(self, key: str) -> None:
        self.calls.append(key)


def test_watchers_and_next_visible(cloud, sqs, backend):
    url = sqs.create_queue(QueueName="w")["QueueUrl"]
    watcher = _Watcher()
    backend.watch_internal(ARN + "w", watcher.woken, "mapping-1")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=30)
    assert watcher.calls == []  # delayed: found with next_visible_internal instead
    assert backend.next_visible_internal(ARN + "w") == pytest.approx(cloud.clock.time() + 30)
    sqs.send_message(QueueUrl=url, MessageBody="now")
    assert watcher.calls == ["mapping-1"]
    [message] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)["Messages"]
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )
    assert watcher.calls == ["mapping-1"] * 2
    # The watch is on the ARN: it survives the queue being deleted and created again.
    cloud.settings.sqs.deleted_name_cooldown = 0
    sqs.delete_queue(QueueUrl=url)
    assert backend.next_visible_internal(ARN + "w") is None
    assert backend.queue_attributes_internal(ARN + "w") is None
    url = sqs.create_queue(QueueName="w", Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
    assert backend.queue_attributes_internal(ARN + "w")["VisibilityTimeout"] == "45"
    sqs.send_message(QueueUrl=url, MessageBody="again")
    assert watcher.calls == ["mapping-1"] * 3
    backend.unwatch_internal(ARN + "w", "mapping-1")
    sqs.send_message(QueueUrl=url, MessageBody="unwatched")
    assert len(watcher.calls) == 3


def test_lambda_event_source_mapping_consumes_and_redrives(cloud, sqs):
    cloud.settings.lambda_.echo_logs = False
    sqs.create_queue(QueueName="dlq")
    redrive = json.dumps({"deadLetterTargetArn": ARN + "dlq", "maxReceiveCount": 2})
    url = sqs.create_queue(QueueName="in", Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    lam = boto3.client("lambda", region_name="eu-west-1")
    source = (
        "def handler(event, context):\n"
        "    if any(r['body'] == 'fail' for r in event['Records']):\n"
        "        raise ValueError('boom')\n"
    )
    lam.create_function(
        FunctionName="consumer",
        Runtime="python3.12",
        Role="arn:aws:iam::123456789012:role/r",
        Handler="lambda_function.handler",
        Code={"ZipFile": cloud.lambda_zip(source=source)},
    )
    cloud.settle()
    lam.create_event_source_mapping(EventSourceArn=ARN + "in", FunctionName="consumer")
    cloud.settle(within=1)

    def visible(name):
        got = sqs.get_queue_attributes(
            QueueUrl=f"https://sqs.eu-west-1.amazonaws.com/123456789012/{name}",
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(got["ApproximateNumberOfMessages"]), int(
            got["ApproximateNumberOfMessagesNotVisible"]
        )

    sqs.send_message(QueueUrl=url, MessageBody="ok")
    cloud.settle(within=1)
    assert visible("in") == (0, 0)  # consumed and deleted
    sqs.send_message(QueueUrl=url, MessageBody="fail")
    cloud.settle(within=1)
    assert visible("in") == (0, 1)  # the failed batch waits for its visibility timeout
    cloud.settle(within=100)
    assert visible("in") == (0, 0)
    assert visible("dlq") == (1, 0)  # received twice, then moved on the third receive
