"""Dead-letter queues and message move tasks through boto3."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

ARN = "arn:aws:sqs:eu-west-1:123456789012:"
URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/"


EXTRA = json.dumps({"deadLetterTargetArn": ARN + "dlq", "maxReceiveCount": 5, "x": 1})


def redrive(target: str, count: int = 2) -> str:
    return json.dumps({"deadLetterTargetArn": ARN + target, "maxReceiveCount": count})


def make_pair(sqs, count=2, fifo=False, source="src", dlq="dlq"):
    extra = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    dlq_url = sqs.create_queue(QueueName=dlq, Attributes=extra)["QueueUrl"]
    source_url = sqs.create_queue(
        QueueName=source,
        Attributes={**extra, "RedrivePolicy": redrive(dlq, count), "VisibilityTimeout": "1"},
    )["QueueUrl"]
    return source_url, dlq_url


def visible(sqs, url):
    return int(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]["ApproximateNumberOfMessages"]
    )


def test_message_moves_on_the_receive_that_exceeds_max_receive_count(cloud, sqs):
    source, dlq = make_pair(sqs, count=2)
    sent = sqs.send_message(
        QueueUrl=source,
        MessageBody="poison",
        MessageAttributes={"a": {"DataType": "String", "StringValue": "v"}},
        MessageSystemAttributes={
            "AWSTraceHeader": {"DataType": "String", "StringValue": "trace-id=1"}
        },
    )
    for _ in range(2):
        assert len(sqs.receive_message(QueueUrl=source)["Messages"]) == 1
        cloud.clock.advance(1)
    assert "Messages" not in sqs.receive_message(QueueUrl=source)  # the third receive moves it
    assert visible(sqs, source) == 0
    [moved] = sqs.receive_message(
        QueueUrl=dlq, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"]
    )["Messages"]
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Body"] == "poison"
    assert moved["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == ARN + "src"
    assert moved["Attributes"]["AWSTraceHeader"] == "trace-id=1"
    assert moved["Attributes"]["ApproximateReceiveCount"] == "3"  # counted across queues


def test_redrive_picks_the_next_message_in_the_same_receive(cloud, sqs):
    source, dlq = make_pair(sqs, count=1)
    sqs.send_message(QueueUrl=source, MessageBody="first")
    sqs.receive_message(QueueUrl=source)
    sqs.send_message(QueueUrl=source, MessageBody="second")
    cloud.clock.advance(1)
    got = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["second"]
    assert visible(sqs, dlq) == 1


def test_fifo_dead_letter_queue(cloud, sqs):
    source, dlq = make_pair(sqs, count=1, fifo=True, source="src.fifo", dlq="dlq.fifo")
    sqs.send_message(QueueUrl=source, MessageBody="a1", MessageGroupId="A")
    sqs.send_message(QueueUrl=source, MessageBody="a2", MessageGroupId="A")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=source)["Messages"]] == ["a1"]
    cloud.clock.advance(1)
    # a1 goes to the DLQ, so the group's next message comes out in the same receive.
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=source)["Messages"]] == ["a2"]
    [moved] = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"])["Messages"]
    assert moved["Body"] == "a1"
    assert moved["Attributes"]["MessageGroupId"] == "A"


def test_redrive_policy_validation(sqs, error):
    sqs.create_queue(QueueName="dlq")
    sqs.create_queue(QueueName="dlq.fifo", Attributes={"FifoQueue": "true"})
    cases = [
        (
            " ",
            "InvalidAttributeValue",
            "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid "
            "JSON map.",
        ),
        (
            "[]",
            "InvalidAttributeValue",
            "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid "
            "JSON map.",
        ),
        (
            "{}",
            "InvalidParameterValue",
            "Value {} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not "
            "contain mandatory attribute: maxReceiveCount.",
        ),
        (
            '{"maxReceiveCount":5}',
            "InvalidParameterValue",
            'Value {"maxReceiveCount":5} for parameter RedrivePolicy is invalid. Reason: Redrive '
            "policy does not contain mandatory attribute: deadLetterTargetArn.",
        ),
        (
            f'{{"deadLetterTargetArn":"{ARN}dlq","maxReceiveCount":-36}}',
            "InvalidParameterValue",
            f'Value {{"deadLetterTargetArn":"{ARN}dlq","maxReceiveCount":-36}} for parameter '
            "RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: -36, valid "
            "values are from 1 to 1000 both inclusive.",
        ),
        (
            '{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}',
            "InvalidParameterValue",
            'Value {"deadLetterTargetArn": "dummy", "maxReceiveCount": 42} for parameter '
            "RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.",
        ),
        (
            '{"deadLetterTargetArn":"arn:aws:sns:eu-west-1:123456789012:t","maxReceiveCount":5}',
            "InvalidParameterValue",
            'Value {"deadLetterTargetArn":"arn:aws:sns:eu-west-1:123456789012:t",'
            '"maxReceiveCount":5} for parameter RedrivePolicy is invalid. Reason: Only SQS queues '
            "are valid resources for deadLetterTargetArn.",
        ),
        (
            redrive("missing", 5),
            "InvalidParameterValue",
            f"Value {redrive('missing', 5)} for parameter RedrivePolicy is invalid. Reason: Dead "
            "letter target does not exist.",
        ),
        (
            redrive("dlq.fifo", 5),
            "InvalidParameterValue",
            f"Value {redrive('dlq.fifo', 5)} for parameter RedrivePolicy is invalid. Reason: "
            "Dead-letter queue must be same type of queue as the source..",
        ),
        (
            EXTRA,
            "InvalidParameterValue",
            f"Value {EXTRA} for parameter RedrivePolicy is invalid. Reason: Only following "
            "attributes are supported: [maxReceiveCount, deadLetterTargetArn].",
        ),
    ]
    for policy, code, message in cases:
        with pytest.raises(ClientError) as exc:
            sqs.create_queue(QueueName="src", Attributes={"RedrivePolicy": policy})
        assert error(exc)[:2] == (code, message)
    # Stored in AWS's compact form (maxReceiveCount as a number), removable with "".
    url = sqs.create_queue(
        QueueName="src",
        Attributes={
            "RedrivePolicy": f'{{"maxReceiveCount": "5", "deadLetterTargetArn": "{ARN}dlq"}}'
        },
    )["QueueUrl"]
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
    assert got == {"RedrivePolicy": f'{{"deadLetterTargetArn":"{ARN}dlq","maxReceiveCount":5}}'}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["RedrivePolicy"]
    )


def test_redrive_allow_policy(sqs, error):
    unsupported = (
        "Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the "
        "redrive allow policy, as it\u2019s in an unsupported format."
    )
    for policy in [
        "badjson",
        "[]",
        "{}",
        '{"redrivePermission":"dummy"}',
        '{"redrivePermission":"allowAll","dummy":"value"}',
        '{"redrivePermission":"byQueue","sourceQueueArns":"arn:aws:sqs"}',
    ]:
        with pytest.raises(ClientError) as exc:
            sqs.create_queue(QueueName="d", Attributes={"RedriveAllowPolicy": policy})
        assert error(exc)[:2] == ("InvalidAttributeValue", unsupported)
    prefix = "Amazon SQS can't create the redrive allow policy. "
    for policy, reason in [
        (
            '{"redrivePermission":"byQueue"}',
            "When you specify the byQueue permission type, you must also specify one or more "
            "sourceQueueArns values.",
        ),
        (
            json.dumps(
                {
                    "redrivePermission": "byQueue",
                    "sourceQueueArns": [ARN + str(i) for i in range(11)],
                },
                separators=(",", ":"),
            ),
            "The maximum number of source queue ARNs you can specify is 10.",
        ),
        (
            f'{{"redrivePermission":"denyAll","sourceQueueArns":["{ARN}x7"]}}',
            "To specify one or more source queue ARNs, you must set redrivePermission to byQueue.",
        ),
    ]:
        with pytest.raises(ClientError) as exc:
            sqs.create_queue(QueueName="d", Attributes={"RedriveAllowPolicy": policy})
        assert error(exc)[:2] == (
            "InvalidParameterValue",
            f"Value {policy} for parameter RedriveAllowPolicy is invalid. Reason: {prefix}{reason}",
        )
    deny = sqs.create_queue(
        QueueName="deny", Attributes={"RedriveAllowPolicy": '{"redrivePermission":"denyAll"}'}
    )["QueueUrl"]
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName="src", Attributes={"RedrivePolicy": redrive("deny")})
    assert error(exc)[0] == "InvalidParameterValue"
    by_queue = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [ARN + "allowed"]})
    sqs.set_queue_attributes(QueueUrl=deny, Attributes={"RedriveAllowPolicy": by_queue})
    sqs.create_queue(QueueName="allowed", Attributes={"RedrivePolicy": redrive("deny")})
    with pytest.raises(ClientError):
        sqs.create_queue(QueueName="other", Attributes={"RedrivePolicy": redrive("deny")})
    got = sqs.get_queue_attributes(QueueUrl=deny, AttributeNames=["RedriveAllowPolicy"])
    assert json.loads(got["Attributes"]["RedriveAllowPolicy"]) == json.loads(by_queue)


def test_list_dead_letter_source_queues(sqs):
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    for name in ["s1", "s2", "s3"]:
        sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive("dlq")})
    sqs.create_queue(QueueName="unrelated")
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [
        URL + "s1",
        URL + "s2",
        URL + "s3",
    ]
    first = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
    assert first["queueUrls"] == [URL + "s1", URL + "s2"]
    rest = sqs.list_dead_letter_source_queues(
        QueueUrl=dlq, MaxResults=2, NextToken=first["NextToken"]
    )
    assert rest["queueUrls"] == [URL + "s3"] and "NextToken" not in rest
    assert sqs.list_dead_letter_source_queues(QueueUrl=URL + "unrelated")["queueUrls"] == []


# -- move tasks ---------------------------------------------------------------------------------
def fill_dlq(cloud, sqs, source, n):
    for i in range(n):
        sqs.send_message(QueueUrl=source, MessageBody=f"m{i}")
    for _ in range(3):
        sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)
        cloud.clock.advance(1)
    sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)  # moves them


def test_move_task_back_to_the_source_queues(cloud, sqs):
    source, dlq = make_pair(sqs)
    fill_dlq(cloud, sqs, source, 3)
    assert (visible(sqs, source), visible(sqs, dlq)) == (0, 3)
    handle = sqs.start_message_move_task(SourceArn=ARN + "dlq")["TaskHandle"]
    decoded = json.loads(base64.b64decode(handle))
    assert decoded["sourceArn"] == ARN + "dlq" and decoded["taskId"]
    [running] = sqs.list_message_move_tasks(SourceArn=ARN + "dlq")["Results"]
    assert running["Status"] == "RUNNING" and running["TaskHandle"] == handle
    assert (
        running["ApproximateNumberOfMessagesMoved"],
        running["ApproximateNumberOfMessagesToMove"],
    ) == (0, 3)
    cloud.settle(within=5)
    [done] = sqs.list_message_move_tasks(SourceArn=ARN + "dlq")["Results"]
    assert done["Status"] == "COMPLETED" and "TaskHandle" not in done
    assert done["ApproximateNumberOfMessagesMoved"] == 3
    assert isinstance(done["StartedTimestamp"], int)
    assert (visible(sqs, source), visible(sqs, dlq)) == (3, 0)
    got = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, AttributeNames=["All"])
    assert sorted(m["Body"] for m in got["Messages"]) == ["m0", "m1", "m2"]
    assert all("DeadLetterQueueSourceArn" not in m["Attributes"] for m in got["Messages"])


def test_move_task_to_a_destination_with_a_rate_and_cancel(cloud, sqs, error):
    source, dlq = make_pair(sqs)
    target = sqs.create_queue(QueueName="target")["QueueUrl"]
    fill_dlq(cloud, sqs, source, 5)
    handle = sqs.start_message_move_task(
        SourceArn=ARN + "dlq", DestinationArn=ARN + "target", MaxNumberOfMessagesPerSecond=1
    )["TaskHandle"]
    with pytest.raises(ClientError) as exc:
        sqs.start_message_move_task(SourceArn=ARN + "dlq")
    assert error(exc)[:2] == (
        "InvalidParameterValue",
        "There is already a task running. Only one active task is allowed for a source queue "
        "arn at a given time.",
    )
    cloud.clock.advance(2)
    assert visible(sqs, target) == 2
    assert sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"] == 2
    cloud.clock.advance(10)
    [task] = sqs.list_message_move_tasks(SourceArn=ARN + "dlq")["Results"]
    assert task["Status"] == "CANCELLED"
    assert task["DestinationArn"] == ARN + "target"
    assert task["MaxNumberOfMessagesPerSecond"] == 1
    assert (visible(sqs, target), visible(sqs, dlq)) == (2, 3)
    with pytest.raises(ClientError):
        sqs.cancel_message_move_task(TaskHandle=handle)
    sqs.start_message_move_task(SourceArn=ARN + "dlq", DestinationArn=ARN + "target")
    cloud.settle(within=2)
    tasks = sqs.list_message_move_tasks(SourceArn=ARN + "dlq", MaxResults=10)["Results"]
    assert [t["Status"] for t in tasks] == ["COMPLETED", "CANCELLED"]
    assert visible(sqs, target) == 5


def test_move_task_fails_when_the_destination_disappears(cloud, sqs):
    source, dlq = make_pair(sqs)
    target = sqs.create_queue(QueueName="target")["QueueUrl"]
    fill_dlq(cloud, sqs, source, 3)
    sqs.start_message_move_task(
        SourceArn=ARN + "dlq", DestinationArn=ARN + "target", MaxNumberOfMessagesPerSecond=1
    )
    cloud.clock.advance(1)
    sqs.delete_queue(QueueUrl=target)
    cloud.clock.advance(1)
    [task] = sqs.list_message_move_tasks(SourceArn=ARN + "dlq")["Results"]
    assert (task["Status"], task["FailureReason"]) == (
        "FAILED",
        "AWS.SimpleQueueService.NonExistentQueue",
    )
    assert task["ApproximateNumberOfMessagesMoved"] == 1
    assert visible(sqs, dlq) == 2


def test_move_task_errors(sqs, error):
    make_pair(sqs)
    sqs.create_queue(QueueName="plain")
    sqs.create_queue(QueueName="f.fifo", Attributes={"FifoQueue": "true"})
    cases = [
        (
            {"SourceArn": ""},
            "InvalidParameterValue",
            "You must use this format to specify the SourceArn: "
            "arn:<partition>:<service>:<region>:<account-id>:<resource-id>",
        ),
        (
            {"SourceArn": ARN + "missing"},
            "ResourceNotFoundException",
            "The resource that you specified for the SourceArn parameter doesn't exist.",
        ),
        (
            {"SourceArn": ARN + "plain"},
            "InvalidParameterValue",
            "Source queue must be configured as a Dead Letter Queue.",
        ),
        (
            {"SourceArn": ARN + "dlq", "DestinationArn": "invalid"},
            "InvalidParameterValue",
            "You must use this format to specify the DestinationArn: "
            "arn:<partition>:<service>:<region>:<account-id>:<resource-id>",
        ),
        (
            {"SourceArn": ARN + "dlq", "DestinationArn": ARN + "missing"},
            "ResourceNotFoundException",
            "The resource that you specified for the DestinationArn parameter doesn't exist.",
        ),
        (
            {"SourceArn": ARN + "dlq", "DestinationArn": ARN + "dlq"},
            "InvalidParameterValue",
            "Source queue arn and destination queue arn cannot be the same.",
        ),
        (
            {"SourceArn": ARN + "dlq", "DestinationArn": ARN + "f.fifo"},
            "InvalidParameterValue",
            "The source queue and destination queue must be of the same queue type.",
        ),
        (
            {"SourceArn": ARN + "dlq", "MaxNumberOfMessagesPerSecond": 501},
            "InvalidParameterValue",
            "Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: You must enter a "
            "number that's between 1 and 500.",
        ),
    ]
    for kwargs, code, message in cases:
        with pytest.raises(ClientError) as exc:
            sqs.start_message_move_task(**kwargs)
        assert error(exc)[:2] == (code, message)
    with pytest.raises(sqs.exceptions.ResourceNotFoundException) as exc:
        sqs.list_message_move_tasks(SourceArn=ARN + "missing")
    assert error(exc)[3] == 404
    with pytest.raises(ClientError) as exc:
        sqs.cancel_message_move_task(TaskHandle="garbage")
    assert error(exc)[:2] == ("InvalidParameterValue", "Value for parameter TaskHandle is invalid.")
    unknown = base64.b64encode(json.dumps({"taskId": "nope", "sourceArn": ARN + "dlq"}).encode())
    with pytest.raises(ClientError) as exc:
        sqs.cancel_message_move_task(TaskHandle=unknown.decode())
    assert error(exc)[:2] == ("ResourceNotFoundException", "Task does not exist.")
    assert sqs.list_message_move_tasks(SourceArn=ARN + "dlq")["Results"] == []
