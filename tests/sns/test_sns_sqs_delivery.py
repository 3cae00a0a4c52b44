"""SNS to SQS: the envelope, raw delivery, FIFO, dead-letter queues, Lambda destinations."""

from __future__ import annotations

import hashlib
import json
import textwrap
import threading

import boto3
import pytest
from snshelpers import bodies, queue, receive, topic

ACCOUNT = "123456789012"
ARN = f"arn:aws:sns:eu-west-1:{ACCOUNT}:orders"
FIFO = ARN + ".fifo"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/r"


def subscribe(sns, queue_arn, topic_arn=ARN, **attributes) -> str:
    kwargs = {"Attributes": attributes} if attributes else {}
    return sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, **kwargs)[
        "SubscriptionArn"
    ]


def test_envelope_in_the_queue(cloud, sns, sqs):
    topic(sns)
    url, qarn = queue(sqs)
    sub = subscribe(sns, qarn)
    message_id = sns.publish(
        TopicArn=ARN,
        Message="This is a test message",
        Subject="subject",
        MessageAttributes={
            "attr1": {"DataType": "Number", "StringValue": "99.12"},
            "bin": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
        },
    )["MessageId"]
    [message] = receive(sqs, url, AttributeNames=["All"])
    assert message["Attributes"]["SenderId"] == "AIDAIT2UOQQY3AUEKVGXU"
    assert "MessageAttributes" not in message  # attributes travel in the envelope
    assert message["MD5OfBody"] == hashlib.md5(message["Body"].encode()).hexdigest()
    body = json.loads(message["Body"])
    assert list(body) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ]
    assert body["Type"] == "Notification"
    assert body["MessageId"] == message_id
    assert body["TopicArn"] == ARN
    assert body["Subject"] == "subject"
    assert body["Message"] == "This is a test message"
    assert body["SignatureVersion"] == "1"
    assert body["UnsubscribeURL"] == (
        f"https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub}"
    )
    assert body["MessageAttributes"] == {
        "attr1": {"Type": "Number", "Value": "99.12"},
        "bin": {"Type": "Binary", "Value": "AgME"},
    }
    lines = message["Body"].splitlines()
    assert lines[0] == "{" and lines[1] == '  "Type" : "Notification",'
    assert '    "attr1" : {"Type":"Number","Value":"99.12"},' in lines


def test_raw_message_delivery(cloud, sns, sqs):
    topic(sns)
    url, qarn = queue(sqs)
    subscribe(sns, qarn, RawMessageDelivery="true")
    attributes = {
        "an-attribute-key": {"DataType": "String", "StringValue": "an-attribute-value"},
        "binary-attribute": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
        "list": {"DataType": "String.Array", "StringValue": '["a"]'},
    }
    sns.publish(TopicArn=ARN, Message="text", MessageAttributes=attributes)
    [message] = receive(sqs, url, MessageAttributeNames=["All"])
    assert message["Body"] == "text"
    assert message["MessageAttributes"] == attributes
    assert "MD5OfMessageAttributes" in message


def test_publish_before_subscribing_is_not_delivered(cloud, sns, sqs):
    topic(sns)
    url, qarn = queue(sqs)
    sns.publish(TopicArn=ARN, Message="before")
    subscribe(sns, qarn)
    sns.publish(TopicArn=ARN, Message="after")
    assert [b["Message"] for b in bodies(sqs, url)] == ["after"]


def test_message_structure_json_for_sqs(cloud, sns, sqs):
    topic(sns)
    url, qarn = queue(sqs)
    subscribe(sns, qarn)
    sns.publish(
        TopicArn=ARN,
        MessageStructure="json",
        Message=json.dumps({"default": "default field", "sqs": '{"field": "value"}'}),
    )
    assert bodies(sqs, url)[0]["Message"] == '{"field": "value"}'


def test_fanout_to_many_queues(cloud, sns, sqs):
    topic(sns)
    urls = []
    for i in range(3):
        url, qarn = queue(sqs, f"q{i}")
        subscribe(sns, qarn)
        urls.append(url)
    for i in range(5):
        sns.publish(TopicArn=ARN, Message=f"m{i}")
    for url in urls:
        messages = []
        while batch := receive(sqs, url):
            messages += [json.loads(m["Body"])["Message"] for m in batch]
            for m in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        assert sorted(messages) == [f"m{i}" for i in range(5)]


def test_standard_topic_forwards_message_group_id(cloud, sns, sqs):
    topic(sns)
    url, qarn = queue(sqs)
    subscribe(sns, qarn)
    sns.publish(TopicArn=ARN, Message="fair", MessageGroupId="tenant-1")
    [message] = receive(sqs, url, MessageSystemAttributeNames=["All"])
    assert message["Attributes"]["MessageGroupId"] == "tenant-1"


@pytest.mark.parametrize("raw", [True, False])
def test_fifo_topic_to_fifo_queue(cloud, sns, sqs, raw):
    topic(sns, "orders.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    url, qarn = queue(sqs, "q.fifo", FifoQueue="true")
    subscribe(sns, qarn, topic_arn=FIFO, RawMessageDelivery=str(raw).lower())
    first = sns.publish(TopicArn=FIFO, Message="Test", MessageGroupId="message-group-id-1")
    sns.publish(TopicArn=FIFO, Message="Test", MessageGroupId="message-group-id-1")  # duplicate
    sns.publish(TopicArn=FIFO, Message="Second", MessageGroupId="message-group-id-1")
    messages = receive(sqs, url, AttributeNames=["All"])
    assert len(messages) == 2
    attrs = messages[0]["Attributes"]
    assert attrs["MessageGroupId"] == "message-group-id-1"
    assert attrs["MessageDeduplicationId"] == hashlib.sha256(b"Test").hexdigest()
    if raw:
        assert [m["Body"] for m in messages] == ["Test", "Second"]
        return
    body = json.loads(messages[0]["Body"])
    assert list(body) == [
        "Type",
        "MessageId",
        "SequenceNumber",
        "TopicArn",
        "Message",
        "Timestamp",
        "UnsubscribeURL",
    ]
    assert body["SequenceNumber"] == first["SequenceNumber"]
    assert body["MessageId"] == first["MessageId"]


def test_fifo_topic_to_standard_queue(cloud, sns, sqs):
    topic(sns, "orders.fifo", FifoTopic="true")
    url, qarn = queue(sqs)
    subscribe(sns, qarn, topic_arn=FIFO)
    sns.publish(TopicArn=FIFO, Message="Test", MessageGroupId="g", MessageDeduplicationId="d")
    [message] = receive(sqs, url, AttributeNames=["All"])
    assert "MessageGroupId" not in message["Attributes"]
    assert "SequenceNumber" in json.loads(message["Body"])


def test_fifo_ordering_within_a_group(cloud, sns, sqs):
    topic(sns, "orders.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    url, qarn = queue(sqs, "q.fifo", FifoQueue="true")
    subscribe(sns, qarn, topic_arn=FIFO, RawMessageDelivery="true")
    entries = [{"Id": str(i), "Message": f"m{i}", "MessageGroupId": "g"} for i in range(10)]
    sns.publish_batch(TopicArn=FIFO, PublishBatchRequestEntries=entries)
    for i in range(10, 15):
        sns.publish(TopicArn=FIFO, Message=f"m{i}", MessageGroupId="g")
    seen = []
    while batch := receive(sqs, url):
        seen += [m["Body"] for m in batch]
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert seen == [f"m{i}" for i in range(15)]


# -- failures and dead-letter queues ------------------------------------------------------------
@pytest.mark.parametrize("raw", [True, False])
def test_missing_queue_goes_to_the_dead_letter_queue(cloud, sns, sqs, raw):
    topic(sns)
    url, qarn = queue(sqs)
    dlq_url, dlq_arn = queue(sqs, "dlq")
    subscribe(
        sns,
        qarn,
        RawMessageDelivery=str(raw).lower(),
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}),
    )
    sqs.delete_queue(QueueUrl=url)
    attributes = {
        "attr1": {"DataType": "Number", "StringValue": "111"},
        "attr2": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
    }
    sns.publish(TopicArn=ARN, Message="lost endpoint", MessageAttributes=attributes)
    [message] = receive(sqs, dlq_url, MessageAttributeNames=["All"])
    if raw:
        assert message["Body"] == "lost endpoint"
        assert message["MessageAttributes"] == attributes
    else:
        body = json.loads(message["Body"])
        assert body["Message"] == "lost endpoint"
        assert body["MessageAttributes"]["attr2"] == {"Type": "Binary", "Value": "AgME"}
        assert "MessageAttributes" not in message
    assert cloud.scheduler.pending == []  # a client-side error is not retried


def test_without_a_dead_letter_queue_the_message_is_discarded(cloud, sns, sqs):
    topic(sns)
    url, qarn = queue(sqs)
    subscribe(sns, qarn)
    sqs.delete_queue(QueueUrl=url)
    sns.publish(TopicArn=ARN, Message="gone")
    cloud.settle()
    assert cloud.scheduler.pending == []
    # The subscription is still there and delivers again once the queue is back.
    cloud.clock.advance(61)  # SQS refuses to recreate a queue for 60 seconds
    url, _ = queue(sqs)
    sns.publish(TopicArn=ARN, Message="back")
    assert [b["Message"] for b in bodies(sqs, url)] == ["back"]


def test_fifo_dead_letter_queue_keeps_group_and_deduplication_ids(cloud, sns, sqs):
    topic(sns, "orders.fifo", FifoTopic="true")
    url, qarn = queue(sqs, "q.fifo", FifoQueue="true")
    dlq_url, dlq_arn = queue(sqs, "dlq.fifo", FifoQueue="true")
    subscribe(sns, qarn, topic_arn=FIFO, RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}))
    sqs.delete_queue(QueueUrl=url)
    sns.publish(
        TopicArn=FIFO,
        Message="test-message",
        MessageGroupId="message-group-id-1",
        MessageDeduplicationId="message-deduplication-id-1",
    )
    [message] = receive(sqs, dlq_url, AttributeNames=["All"])
    assert message["Attributes"]["MessageGroupId"] == "message-group-id-1"
    assert message["Attributes"]["MessageDeduplicationId"] == "message-deduplication-id-1"


def lambda_function(cloud, name, source):
    lam = boto3.client("lambda", region_name="eu-west-1")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="lambda_function.handler",
        Code={"ZipFile": cloud.lambda_zip(source=textwrap.dedent(source))},
    )
    cloud.settle()
    return lam, lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def test_missing_function_goes_to_the_dead_letter_queue(cloud, sns, sqs):
    topic(sns)
    dlq_url, dlq_arn = queue(sqs, "dlq")
    lam, fn = lambda_function(cloud, "gone", "def handler(e, c):\n    return 1\n")
    sns.subscribe(
        TopicArn=ARN,
        Protocol="lambda",
        Endpoint=fn,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
    )
    lam.delete_function(FunctionName="gone")
    sns.publish(
        TopicArn=ARN,
        Message="test_redrive_policy",
        MessageAttributes={"attr1": {"DataType": "Number", "StringValue": "1"}},
    )
    [body] = bodies(sqs, dlq_url)
    assert body["Message"] == "test_redrive_policy"
    assert body["MessageAttributes"] == {"attr1": {"Type": "Number", "Value": "1"}}
    assert "SigningCertURL" in body and "UnsubscribeURL" in body


def test_cross_account_queue_gets_the_subscription_confirmation(cloud, sns):
    topic(sns)
    their_sqs = cloud.session("210987654321").client("sqs")
    url = their_sqs.create_queue(QueueName="theirs")["QueueUrl"]
    qarn = "arn:aws:sqs:eu-west-1:210987654321:theirs"
    assert subscribe(sns, qarn) == "pending confirmation"
    [message] = their_sqs.receive_message(QueueUrl=url)["Messages"]
    confirmation = json.loads(message["Body"])
    assert confirmation["Type"] == "SubscriptionConfirmation"
    sub = sns.confirm_subscription(TopicArn=ARN, Token=confirmation["Token"])["SubscriptionArn"]
    their_sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sns.publish(TopicArn=ARN, Message="hello neighbour")
    [message] = their_sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(message["Body"])["Message"] == "hello neighbour"
    assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["Owner"] == ACCOUNT


# -- other services publishing --------------------------------------------------------------------
def test_lambda_destinations_and_dead_letter_topics(cloud, sns, sqs):
    topic(sns)
    url, qarn = queue(sqs)
    subscribe(sns, qarn)
    lam, _ = lambda_function(
        cloud,
        "failing",
        """
        def handler(event, context):
            raise Exception("Test exception (this is intentional)")
        """,
    )
    lam.update_function_configuration(FunctionName="failing", DeadLetterConfig={"TargetArn": ARN})
    cloud.settle()
    lam.put_function_event_invoke_config(FunctionName="failing", MaximumRetryAttempts=0)
    lam.invoke(FunctionName="failing", InvocationType="Event", Payload=b'{"raise_error": 1}')
    cloud.settle(within=600)
    [body] = bodies(sqs, url)
    assert json.loads(body["Message"]) == {"raise_error": 1}
    attrs = body["MessageAttributes"]
    assert attrs["ErrorCode"] == {"Type": "Number", "Value": "200"}
    message = "Test exception (this is intentional)"
    assert attrs["ErrorMessage"] == {"Type": "String", "Value": message}
    assert attrs["RequestID"]["Type"] == "String"


def test_publish_internal(cloud, sns, sqs):
    topic(sns)
    url, qarn = queue(sqs)
    subscribe(sns, qarn)
    backend = cloud.backend("sns", ACCOUNT, "eu-west-1")
    message_id = backend.publish_internal(
        ARN,
        '{"detail": 1}',
        subject="From EventBridge",
        message_attributes={"k": {"DataType": "String", "StringValue": "v"}},
    )
    [body] = bodies(sqs, url)
    assert body["MessageId"] == message_id
    assert body["Subject"] == "From EventBridge"
    assert body["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    from fakeaws.errors import AWSError

    with pytest.raises(AWSError) as exc:
        backend.publish_internal(ARN + "-gone", "m")
    assert exc.value.code == "NotFoundException"


def test_concurrent_publishers_lose_and_duplicate_nothing(cloud, sns, sqs):
    topic(sns)
    url, qarn = queue(sqs)
    subscribe(sns, qarn, RawMessageDelivery="true")

    def publisher(n: int) -> None:
        client = boto3.client("sns", region_name="eu-west-1")
        for i in range(25):
            client.publish(TopicArn=ARN, Message=f"{n}-{i}")

    threads = [threading.Thread(target=publisher, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cloud.settle()
    seen = []
    while batch := receive(sqs, url):
        seen += [m["Body"] for m in batch]
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert sorted(seen) == sorted(f"{n}-{i}" for n in range(4) for i in range(25))


def test_snapshots_keep_pending_deliveries(cloud, sns, sqs):
    topic(sns)
    url, qarn = queue(sqs)
    subscribe(sns, qarn, RawMessageDelivery="true")
    backend = cloud.backend("sns", ACCOUNT, "eu-west-1")
    with cloud.lock:  # publish without letting the delivery run yet
        backend.publish_internal(ARN, "in flight")
    snap = cloud.snapshot()
    assert [m["Body"] for m in receive(sqs, url)] == ["in flight"]
    cloud.restore(snap)
    assert [m["Body"] for m in receive(sqs, url)] == ["in flight"]
