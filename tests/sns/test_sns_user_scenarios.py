"""What applications really do with SNS, observed through boto3 clients.

Fan-out to queues with filter policies on attributes (numeric ranges, prefix,
anything-but, exists, String.Array) and on the body, raw delivery with its
message attributes reaching SQS, FIFO topics feeding FIFO queues, SNS ->
Lambda, subscription dead-letter queues, snapshots with deliveries pending and
publishers on several threads.
"""

from __future__ import annotations

import hashlib
import json
import threading

import boto3
import pytest
from botocore.exceptions import ClientError
from snshelpers import queue, receive

from fakeaws import mock_serverless

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sns-worker"


def attrs(**values) -> dict:
    """Publish's MessageAttributes from Python values (lists are String.Array)."""
    out = {}
    for name, value in values.items():
        if isinstance(value, (bool, str)):
            out[name] = {"DataType": "String", "StringValue": str(value)}
        elif isinstance(value, (int, float)):
            out[name] = {"DataType": "Number", "StringValue": str(value)}
        elif isinstance(value, list):
            out[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        elif isinstance(value, bytes):
            out[name] = {"DataType": "Binary", "BinaryValue": value}
    return out


def drain(sqs, url) -> list[dict]:
    """Every message of a queue (received and deleted)."""
    out = []
    while True:
        messages = receive(sqs, url, MessageAttributeNames=["All"], AttributeNames=["All"])
        if not messages:
            return out
        out.extend(messages)
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
            ],
        )


def notified(sqs, url) -> list[str]:
    """The SNS ``Message`` of every envelope waiting in a queue."""
    return sorted(json.loads(m["Body"])["Message"] for m in drain(sqs, url))


# -- fan-out with filter policies ------------------------------------------------------------------
FILTERS = {
    "big-orders": {"amount": [{"numeric": [">=", 100, "<", 1000]}]},
    "eu-stores": {"store": [{"prefix": "eu-"}], "channel": [{"anything-but": ["test", "staging"]}]},
    "flagged": {"fraud_score": [{"exists": True}]},
    "unflagged": {"fraud_score": [{"exists": False}], "amount": [{"numeric": [">", 0]}]},
    "gifts": {"tags": ["gift"]},
    "either": {"$or": [{"store": ["us-1"]}, {"amount": [{"numeric": ["=", 5]}]}]},
}


@pytest.fixture
def fanout(cloud, sns, sqs):
    topic = sns.create_topic(Name="orders")["TopicArn"]
    urls = {}
    for name, policy in FILTERS.items():
        url, arn = queue(sqs, name)
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"FilterPolicy": json.dumps(policy)},
        )
        urls[name] = url
    url, arn = queue(sqs, "audit")  # no filter: gets everything
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    urls["audit"] = url
    return topic, urls


def test_fan_out_with_attribute_filter_policies(cloud, sns, sqs, fanout):
    topic, urls = fanout
    orders = {
        "o1": attrs(amount=150, store="eu-west-paris", channel="web", tags=["gift", "vip"]),
        "o2": attrs(amount=99.99, store="eu-central", channel="test"),
        "o3": attrs(amount=1000, store="us-1", fraud_score=0.9),
        "o4": attrs(amount=5, store="asia", fraud_score="high"),
        "o5": attrs(store="eu-north"),  # no channel: anything-but needs the field
        "o6": {"amount": {"DataType": "String", "StringValue": "150"}},  # a string, not a number
        "o7": attrs(amount=100.0, channel="shop", tags=["toy"], payload=b"\x00\x01"),
    }
    for order_id, message_attributes in orders.items():
        sns.publish(TopicArn=topic, Message=order_id, MessageAttributes=message_attributes)
    cloud.settle()
    assert notified(sqs, urls["big-orders"]) == ["o1", "o7"]
    assert notified(sqs, urls["eu-stores"]) == ["o1"]
    assert notified(sqs, urls["flagged"]) == ["o3", "o4"]
    assert notified(sqs, urls["unflagged"]) == ["o1", "o2", "o7"]
    assert notified(sqs, urls["gifts"]) == ["o1"]
    assert notified(sqs, urls["either"]) == ["o3", "o4"]
    assert notified(sqs, urls["audit"]) == sorted(orders)


def test_body_filter_policy_on_nested_fields(cloud, sns, sqs):
    topic = sns.create_topic(Name="events")["TopicArn"]
    url, arn = queue(sqs, "paid-eu")
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={
            "FilterPolicyScope": "MessageBody",
            "FilterPolicy": json.dumps(
                {
                    "order": {
                        "status": ["paid"],
                        "customer": {"country": [{"anything-but": {"prefix": "US"}}]},
                        "lines": {"sku": [{"prefix": "BK-"}]},
                    }
                }
            ),
        },
    )

    def order(status, country, skus):
        return json.dumps(
            {
                "order": {
                    "status": status,
                    "customer": {"country": country},
                    "lines": [{"sku": s} for s in skus],
                }
            }
        )

    messages = {
        "match": order("paid", "FR", ["TOY-1", "BK-2"]),
        "unpaid": order("pending", "FR", ["BK-1"]),
        "us": order("paid", "US-CA", ["BK-1"]),
        "no-book": order("paid", "DE", ["TOY-1"]),
    }
    for body in messages.values():
        sns.publish(TopicArn=topic, Message=body, MessageAttributes=attrs(status="paid"))
    sns.publish(TopicArn=topic, Message="not json at all")
    cloud.settle()
    assert notified(sqs, url) == [messages["match"]]


def test_changing_a_filter_policy_applies_to_the_next_publish(cloud, sns, sqs):
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = queue(sqs, "q")
    sub = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"FilterPolicy": json.dumps({"color": ["red"]})},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="blue-1", MessageAttributes=attrs(color="blue"))
    sns.set_subscription_attributes(
        SubscriptionArn=sub,
        AttributeName="FilterPolicy",
        AttributeValue=json.dumps({"color": ["blue"]}),
    )
    sns.publish(TopicArn=topic, Message="blue-2", MessageAttributes=attrs(color="blue"))
    sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=""
    )
    sns.publish(TopicArn=topic, Message="green", MessageAttributes=attrs(color="green"))
    cloud.settle()
    assert notified(sqs, url) == ["blue-2", "green"]
    got = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert "FilterPolicy" not in got and "FilterPolicyScope" not in got


def test_invalid_filter_policies_are_refused_with_aws_messages(sns, sqs):
    topic = sns.create_topic(Name="t")["TopicArn"]
    _, arn = queue(sqs, "q")
    cases = {
        json.dumps({"a": [{"numeric": [">", "x"]}]}): "Value of > must be numeric",
        json.dumps({"a": [{"wildcard": "x*"}]}): "Unrecognized match type wildcard",
        json.dumps(
            {"a": {"b": ["c"]}}
        ): "Filter policy scope MessageAttributes does not support nested filter policy",
        json.dumps({k: ["v"] for k in "abcdef"}): "Filter policy can not have more than 5 keys",
        "{not json": "failed to parse JSON.",
    }
    for policy, reason in cases.items():
        with pytest.raises(ClientError) as exc:
            sns.subscribe(
                TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": policy}
            )
        assert exc.value.response["Error"]["Code"] == "InvalidParameter"
        assert reason in exc.value.response["Error"]["Message"], policy


# -- raw delivery ----------------------------------------------------------------------------------
def test_raw_delivery_turns_sns_attributes_into_sqs_attributes(cloud, sns, sqs):
    topic = sns.create_topic(Name="raw")["TopicArn"]
    url, arn = queue(sqs, "raw")
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    message_attributes = attrs(kind="order", total=12.5, items=["a", "b"], blob=b"\x00\xff")
    sns.publish(TopicArn=topic, Message='{"id": 1}', MessageAttributes=message_attributes)
    cloud.settle()
    [message] = receive(sqs, url, MessageAttributeNames=["All"], AttributeNames=["All"])
    assert message["Body"] == '{"id": 1}'
    assert message["MD5OfBody"] == hashlib.md5(b'{"id": 1}').hexdigest()
    assert message["MessageAttributes"] == message_attributes
    assert message["Attributes"]["SenderId"] == "AIDAIT2UOQQY3AUEKVGXU"
    # The digest a consumer (or another SDK) checks matches the attributes it got.
    url2 = sqs.create_queue(QueueName="direct")["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url2, MessageBody="x", MessageAttributes=message_attributes)
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_raw_delivery_with_more_than_ten_attributes_is_not_delivered(cloud, sns, sqs):
    """AWS: such messages "will be discarded as client side errors"."""
    topic = sns.create_topic(Name="many")["TopicArn"]
    url, arn = queue(sqs, "raw")
    envelope_url, envelope_arn = queue(sqs, "envelope")
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=envelope_arn)
    eleven = attrs(**{f"a{n}": "v" for n in range(11)})
    sns.publish(TopicArn=topic, Message="eleven", MessageAttributes=eleven)
    sns.publish(
        TopicArn=topic, Message="ten", MessageAttributes=attrs(**{f"a{n}": "v" for n in range(10)})
    )
    cloud.settle()
    assert [m["Body"] for m in drain(sqs, url)] == ["ten"]
    assert notified(sqs, envelope_url) == ["eleven", "ten"]  # the envelope carries them all


def test_message_structure_json_gives_each_protocol_its_own_text(cloud, sns, sqs):
    topic = sns.create_topic(Name="multi")["TopicArn"]
    url, arn = queue(sqs, "q")
    raw_url, raw_arn = queue(sqs, "raw")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"}
    )
    sns.publish(
        TopicArn=topic,
        Message=json.dumps({"default": "for everyone", "sqs": "for queues", "email": "for people"}),
        MessageStructure="json",
    )
    cloud.settle()
    assert notified(sqs, url) == ["for queues"]
    assert [m["Body"] for m in drain(sqs, raw_url)] == ["for queues"]


# -- FIFO ------------------------------------------------------------------------------------------
def test_fifo_topic_feeds_fifo_queues_in_order_exactly_once(cloud, sns, sqs):
    topic = sns.create_topic(
        Name="ledger.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"}
    )["TopicArn"]
    url, arn = queue(sqs, "ledger.fifo", FifoQueue="true")
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    sequence = []
    for n in range(5):
        sent = sns.publish(TopicArn=topic, Message=f"entry-{n}", MessageGroupId="acct-1")
        retry = sns.publish(TopicArn=topic, Message=f"entry-{n}", MessageGroupId="acct-1")
        assert retry["MessageId"] == sent["MessageId"]
        sequence.append(int(sent["SequenceNumber"]))
    assert sequence == sorted(sequence)
    cloud.settle()
    got = []
    while True:
        messages = receive(sqs, url, AttributeNames=["MessageGroupId", "MessageDeduplicationId"])
        if not messages:
            break
        for message in messages:
            assert message["Attributes"]["MessageGroupId"] == "acct-1"
            expected = hashlib.sha256(message["Body"].encode()).hexdigest()
            assert message["Attributes"]["MessageDeduplicationId"] == expected
            got.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert got == [f"entry-{n}" for n in range(5)]


# -- Lambda ----------------------------------------------------------------------------------------
FORWARDER = """
import json, os
import boto3

def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(event))
"""


def test_sns_to_lambda_event_shape(cloud, sns, sqs):
    lam = boto3.client("lambda", region_name=REGION)
    out_url, _ = queue(sqs, "seen")
    fn = lam.create_function(
        FunctionName="on-order",
        Runtime="python3.12",
        Role=ROLE,
        Handler="lambda_function.handler",
        Code={"ZipFile": cloud.lambda_zip(source=FORWARDER)},
        Environment={"Variables": {"OUT": out_url}},
    )
    topic = sns.create_topic(Name="orders")["TopicArn"]
    sub = sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=fn["FunctionArn"],
        Attributes={"FilterPolicy": json.dumps({"kind": ["order"]})},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    published = sns.publish(
        TopicArn=topic,
        Message='{"id": 7}',
        Subject="New order",
        MessageAttributes=attrs(kind="order", total=3, raw=b"\x01"),
    )
    sns.publish(TopicArn=topic, Message="skipped", MessageAttributes=attrs(kind="refund"))
    cloud.settle(within=10)
    [message] = drain(sqs, out_url)
    [record] = json.loads(message["Body"])["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == sub
    note = record["Sns"]
    assert note["Type"] == "Notification"
    assert note["MessageId"] == published["MessageId"]
    assert note["TopicArn"] == topic
    assert note["Subject"] == "New order"
    assert note["Message"] == '{"id": 7}'
    assert note["Timestamp"].endswith("Z")
    assert note["SignatureVersion"] == "1"
    assert note["SigningCertUrl"].startswith(f"https://sns.{REGION}.amazonaws.com/")
    assert note["UnsubscribeUrl"].endswith(f"SubscriptionArn={sub}")
    assert note["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "order"},
        "total": {"Type": "Number", "Value": "3"},
        "raw": {"Type": "Binary", "Value": "AQ=="},
    }


# -- failures and dead-letter queues ---------------------------------------------------------------
def test_deleted_queue_sends_the_envelope_to_the_subscription_dlq(cloud, sns, sqs):
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = queue(sqs, "gone")
    dlq_url, dlq_arn = queue(sqs, "sub-dlq")
    sub = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    sqs.delete_queue(QueueUrl=url)
    published = sns.publish(TopicArn=topic, Message="lost?", MessageAttributes=attrs(k="v"))
    cloud.settle()
    [dead] = drain(sqs, dlq_url)
    envelope = json.loads(dead["Body"])
    assert envelope["MessageId"] == published["MessageId"]
    assert envelope["Message"] == "lost?"
    assert envelope["UnsubscribeURL"].endswith(sub)
    assert envelope["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}


def test_unsubscribed_queue_gets_nothing_more(cloud, sns, sqs):
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = queue(sqs, "q")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True)
    sns.publish(TopicArn=topic, Message="before")
    cloud.settle()
    sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
    sns.publish(TopicArn=topic, Message="after")
    cloud.settle()
    assert notified(sqs, url) == ["before"]
    sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])  # idempotent


def test_publish_batch_reports_bad_entries_and_delivers_the_rest(cloud, sns, sqs):
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = queue(sqs, "q")
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    result = sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {"Id": "a", "Message": "first"},
            {"Id": "b", "Message": "bad subject", "Subject": "\n"},
            {"Id": "c", "Message": "third", "MessageAttributes": attrs(n=1)},
        ],
    )
    assert [e["Id"] for e in result["Successful"]] == ["a", "c"]
    [failed] = result["Failed"]
    assert failed["Id"] == "b" and failed["Code"] == "InvalidParameter" and failed["SenderFault"]
    cloud.settle()
    assert sorted(m["Body"] for m in drain(sqs, url)) == ["first", "third"]


# -- snapshots and threads -------------------------------------------------------------------------
def test_snapshot_taken_with_deliveries_pending_delivers_them_after_restore(cloud, sns, sqs):
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = queue(sqs, "q")
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    sns.publish(TopicArn=topic, Message="pending")
    snap = cloud.snapshot()  # the delivery has not run yet
    cloud.settle()
    assert [m["Body"] for m in drain(sqs, url)] == ["pending"]
    cloud.restore(snap)
    cloud.settle()
    assert [m["Body"] for m in drain(sqs, url)] == ["pending"]  # once, in the restored world
    cloud.settle()
    assert drain(sqs, url) == []


def test_publishers_on_several_threads_reach_every_subscriber_once():
    with mock_serverless(region=REGION):  # a real clock, deliveries run as calls come
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic = sns.create_topic(Name="busy")["TopicArn"]
        urls = []
        for name in ("a", "b", "c"):
            url, arn = queue(sqs, name)
            sns.subscribe(
                TopicArn=topic,
                Protocol="sqs",
                Endpoint=arn,
                Attributes={"RawMessageDelivery": "true"},
            )
            urls.append(url)
        errors = []

        def publisher(p):
            client = boto3.client("sns", region_name=REGION)
            try:
                for n in range(0, 40, 10):
                    client.publish_batch(
                        TopicArn=topic,
                        PublishBatchRequestEntries=[
                            {"Id": str(i), "Message": f"{p}-{n + i}"} for i in range(10)
                        ],
                    )
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=publisher, args=(p,)) for p in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        expected = sorted(f"{p}-{n}" for p in range(4) for n in range(40))
        for url in urls:
            assert sorted(m["Body"] for m in drain(sqs, url)) == expected


# -- odd input: only AWS errors (or deliveries) come back ------------------------------------------
def test_binary_attribute_given_as_text_is_delivered_as_its_utf8_bytes(cloud, sns, sqs):
    """botocore accepts a str for a blob and sends its UTF-8 bytes; so must SNS deliver them."""
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = queue(sqs, "envelope")
    raw_url, raw_arn = queue(sqs, "raw")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"}
    )
    sns.publish(
        TopicArn=topic,
        Message="m",
        MessageAttributes={"b": {"DataType": "Binary", "BinaryValue": "caf\u00e9"}},
    )
    sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {
                "Id": "1",
                "Message": "n",
                "MessageAttributes": {"b": {"DataType": "Binary", "BinaryValue": "x"}},
            }
        ],
    )
    cloud.settle()
    envelopes = {json.loads(m["Body"])["Message"]: json.loads(m["Body"]) for m in drain(sqs, url)}
    assert envelopes["m"]["MessageAttributes"] == {"b": {"Type": "Binary", "Value": "Y2Fmw6k="}}
    assert envelopes["n"]["MessageAttributes"] == {"b": {"Type": "Binary", "Value": "eA=="}}
    raw = {m["Body"]: m["MessageAttributes"] for m in drain(sqs, raw_url)}
    assert raw["m"] == {"b": {"DataType": "Binary", "BinaryValue": "caf\u00e9".encode()}}


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1_000", "0x10", ""])
def test_number_attributes_that_are_not_numbers_are_refused(sns, value):
    topic = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(ClientError) as exc:
        sns.publish(
            TopicArn=topic,
            Message="m",
            MessageAttributes={"n": {"DataType": "Number", "StringValue": value}},
        )
    assert exc.value.response["Error"]["Code"] == "ParameterValueInvalid"


DEEP = '{"a":' * 5000 + "1" + "}" * 5000  # deeper than Jackson's 1000 levels


def test_deeply_nested_json_is_refused_or_filtered_out(cloud, sns, sqs):
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = queue(sqs, "q")
    for attributes in ({"FilterPolicy": DEEP}, {"RedrivePolicy": DEEP}):
        with pytest.raises(ClientError) as exc:
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)
        assert (
            "Document nesting depth (1001) exceeds the maximum allowed"
            in (exc.value.response["Error"]["Message"])
        )
    with pytest.raises(ClientError) as exc:
        sns.publish(TopicArn=topic, Message=DEEP, MessageStructure="json")
    assert exc.value.response["Error"]["Message"] == (
        "Invalid parameter: Message Structure - JSON message body failed to parse"
    )
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={
            "FilterPolicyScope": "MessageBody",
            "FilterPolicy": '{"a": [{"exists": true}]}',
        },
    )
    sns.publish(TopicArn=topic, Message=DEEP)  # not a JSON object SNS can read: filtered out
    sns.publish(TopicArn=topic, Message='{"a": 1}')
    cloud.settle()
    assert notified(sqs, url) == ['{"a": 1}']


def test_topic_policy_whose_statements_are_not_objects_is_refused(sns):
    topic = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(ClientError) as exc:
        sns.set_topic_attributes(
            TopicArn=topic, AttributeName="Policy", AttributeValue='{"Statement": [1]}'
        )
    assert exc.value.response["Error"]["Code"] == "InvalidParameter"
    sns.add_permission(
        TopicArn=topic, Label="l", AWSAccountId=["111111111111"], ActionName=["Publish"]
    )
    sns.remove_permission(TopicArn=topic, Label="l")
