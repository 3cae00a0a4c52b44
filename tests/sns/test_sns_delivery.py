"""Deliveries that leave AWS (HTTP/S, email, SMS, Firehose) and deliveries to Lambda."""

from __future__ import annotations

import json
import textwrap

import boto3
import pytest
from snshelpers import confirm_http, topic

ACCOUNT = "123456789012"
ARN = f"arn:aws:sns:eu-west-1:{ACCOUNT}:orders"
HOOK = "https://example.com/hook"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sns-role"


def http_subscription(cloud, sns, endpoint=HOOK, **attributes) -> str:
    kwargs = {"Attributes": attributes} if attributes else {}
    protocol = endpoint.split(":")[0]
    sns.subscribe(TopicArn=ARN, Protocol=protocol, Endpoint=endpoint, **kwargs)
    return confirm_http(cloud, sns, endpoint)


def notifications(cloud, endpoint=HOOK) -> list:
    messages = cloud.outbox.where(endpoint=endpoint)
    return [m for m in messages if m.headers.get("x-amz-sns-message-type") == "Notification"]


def test_http_notification_envelope_and_headers(cloud, sns):
    topic(sns)
    sub = http_subscription(cloud, sns)
    message_id = sns.publish(
        TopicArn=ARN,
        Message="hello",
        Subject="greeting",
        MessageAttributes={
            "s": {"DataType": "String", "StringValue": "v"},
            "n": {"DataType": "Number", "StringValue": "99.12"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
            "arr": {"DataType": "String.Array", "StringValue": '["a", 1]'},
        },
    )["MessageId"]
    cloud.settle()
    [sent] = notifications(cloud)
    assert sent.protocol == "https"
    assert sent.status == 200
    assert sent.source == ARN
    assert sent.headers == {
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-message-id": message_id,
        "x-amz-sns-topic-arn": ARN,
        "x-amz-sns-subscription-arn": sub,
        "User-Agent": "Amazon Simple Notification Service Agent",
        "Content-Type": "text/plain; charset=UTF-8",
    }
    body = sent.json()
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
    assert body["Message"] == "hello"
    assert body["Subject"] == "greeting"
    assert body["Timestamp"] == cloud.clock.now().strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{cloud.clock.now().microsecond // 1000:03d}Z"
    )
    assert body["SignatureVersion"] == "1"
    assert len(body["Signature"]) == 344  # base64 of 256 bytes, like an RSA-2048 signature
    assert body["SigningCertURL"].startswith(
        "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-"
    )
    assert body["UnsubscribeURL"] == (
        f"https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub}"
    )
    assert body["MessageAttributes"] == {
        "s": {"Type": "String", "Value": "v"},
        "n": {"Type": "Number", "Value": "99.12"},
        "b": {"Type": "Binary", "Value": "AgME"},
        "arr": {"Type": "String.Array", "Value": '["a", 1]'},
    }
    # Written as SNS writes it: "Key" : value lines.
    assert sent.body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')


def test_subject_is_left_out_when_not_given_and_signature_version_2(cloud, sns):
    topic(sns, SignatureVersion="2")
    http_subscription(cloud, sns)
    sns.publish(TopicArn=ARN, Message="no subject")
    cloud.settle()
    body = notifications(cloud)[0].json()
    assert "Subject" not in body and "MessageAttributes" not in body
    assert body["SignatureVersion"] == "2"


def test_raw_http_delivery_and_content_type_from_delivery_policy(cloud, sns):
    topic(
        sns,
        DeliveryPolicy=json.dumps(
            {"http": {"defaultRequestPolicy": {"headerContentType": "application/json"}}}
        ),
    )
    sub = http_subscription(cloud, sns, RawMessageDelivery="true")
    sns.publish(TopicArn=ARN, Message='{"raw": true}')
    cloud.settle()
    [sent] = notifications(cloud)
    assert sent.body == '{"raw": true}'
    assert sent.headers["x-amz-sns-rawdelivery"] == "true"
    assert sent.headers["Content-Type"] == "application/json"
    sns.set_subscription_attributes(
        SubscriptionArn=sub,
        AttributeName="DeliveryPolicy",
        AttributeValue=json.dumps({"requestPolicy": {"headerContentType": "text/csv"}}),
    )
    sns.publish(TopicArn=ARN, Message="a,b")
    cloud.settle()
    assert notifications(cloud)[-1].headers["Content-Type"] == "text/csv"


def test_pending_subscriptions_receive_nothing(cloud, sns):
    topic(sns)
    sns.subscribe(TopicArn=ARN, Protocol="https", Endpoint=HOOK)
    sns.publish(TopicArn=ARN, Message="too early")
    cloud.settle()
    assert notifications(cloud) == []


def test_http_failures_are_retried_per_the_default_policy(cloud, sns):
    topic(sns)
    http_subscription(cloud, sns)
    cloud.outbox.respond(HOOK, 503)
    sns.publish(TopicArn=ARN, Message="m")
    cloud.settle()
    assert [m.status for m in notifications(cloud)] == [503]
    cloud.clock.advance(19)
    assert len(notifications(cloud)) == 1
    cloud.clock.advance(1)
    assert len(notifications(cloud)) == 2  # the first retry, 20 seconds later
    cloud.outbox.respond(HOOK, 200)
    cloud.clock.advance(20)
    attempts = notifications(cloud)
    assert [m.status for m in attempts] == [503, 503, 200]
    assert len({m.headers["x-amz-sns-message-id"] for m in attempts}) == 1
    cloud.clock.advance(3600)
    assert len(notifications(cloud)) == 3


def test_http_delivery_gives_up_after_the_policy_retries(cloud, sns):
    topic(sns)
    http_subscription(cloud, sns)
    cloud.outbox.respond(HOOK, 500)
    sns.publish(TopicArn=ARN, Message="m")
    cloud.settle(within=3600)
    assert len(notifications(cloud)) == 4  # the attempt and three retries
    times = [m.time for m in notifications(cloud)]
    assert [round(b - a) for a, b in zip(times, times[1:])] == [20, 20, 20]


def test_http_4xx_is_not_a_failure(cloud, sns):
    topic(sns)
    http_subscription(cloud, sns)
    cloud.outbox.respond(HOOK, 404)
    sns.publish(TopicArn=ARN, Message="m")
    cloud.settle(within=3600)
    assert len(notifications(cloud)) == 1


def test_custom_http_retry_policy(cloud, sns):
    topic(sns)
    policy = {
        "healthyRetryPolicy": {
            "numRetries": 4,
            "numNoDelayRetries": 1,
            "minDelayTarget": 2,
            "maxDelayTarget": 10,
            "numMinDelayRetries": 1,
            "numMaxDelayRetries": 1,
            "backoffFunction": "linear",
        }
    }
    http_subscription(cloud, sns, DeliveryPolicy=json.dumps(policy))
    cloud.outbox.respond(HOOK, lambda message: 502)
    sns.publish(TopicArn=ARN, Message="m")
    cloud.settle(within=3600)
    times = [m.time for m in notifications(cloud)]
    assert [round(b - a) for a, b in zip(times, times[1:])] == [0, 2, 10, 10]


def test_email_email_json_sms_and_firehose(cloud, sns):
    topic(sns, DisplayName="Shop")
    for protocol, endpoint in [("email", "me@example.com"), ("email-json", "robot@example.com")]:
        sns.subscribe(TopicArn=ARN, Protocol=protocol, Endpoint=endpoint)
        cloud.settle()
        sent = cloud.outbox.where(endpoint=endpoint)[0]
        if protocol == "email-json":
            token = sent.json()["Token"]
        else:
            token = sent.body.split("Token=")[1].split()[0]
        sns.confirm_subscription(TopicArn=ARN, Token=token)
    sns.subscribe(TopicArn=ARN, Protocol="sms", Endpoint="+15551234567")
    stream = f"arn:aws:firehose:eu-west-1:{ACCOUNT}:deliverystream/s"
    sns.subscribe(
        TopicArn=ARN,
        Protocol="firehose",
        Endpoint=stream,
        Attributes={"SubscriptionRoleArn": ROLE, "RawMessageDelivery": "true"},
    )
    cloud.outbox.clear()
    sns.publish(TopicArn=ARN, Message="sale today", Subject="Sale")
    cloud.settle()
    [mail] = cloud.outbox.where(protocol="email")
    assert mail.headers["Subject"] == "Sale"
    assert mail.headers["From"] == "Shop <no-reply@sns.amazonaws.com>"
    assert mail.body.startswith("sale today\n\n--\nIf you wish to stop receiving notifications")
    [robot] = cloud.outbox.where(protocol="email-json")
    assert robot.json()["Message"] == "sale today"
    [sms] = cloud.outbox.where(protocol="sms")
    assert sms.body == "Shop> sale today"
    [record] = cloud.outbox.where(protocol="firehose")
    assert (record.endpoint, record.body) == (stream, "sale today")


def test_firehose_needs_a_subscription_role(sns):
    topic(sns)
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        sns.subscribe(
            TopicArn=ARN,
            Protocol="firehose",
            Endpoint=f"arn:aws:firehose:eu-west-1:{ACCOUNT}:deliverystream/s",
        )


def test_message_structure_json_per_protocol(cloud, sns):
    topic(sns)
    http_subscription(cloud, sns)
    sns.subscribe(TopicArn=ARN, Protocol="sms", Endpoint="+15551234567")
    sns.publish(
        TopicArn=ARN,
        MessageStructure="json",
        Message=json.dumps({"default": "for everyone", "https": "for https", "sms": "short"}),
    )
    cloud.settle()
    assert notifications(cloud)[0].json()["Message"] == "for https"
    assert cloud.outbox.where(protocol="sms")[0].body == "short"


# -- Lambda ---------------------------------------------------------------------------------------
HANDLER = textwrap.dedent(
    """
    import json
    def handler(event, context):
        print("EVENT " + json.dumps(event))
    """
)


def lambda_function(cloud, name="consumer") -> str:
    lam = boto3.client("lambda", region_name="eu-west-1")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="lambda_function.handler",
        Code={"ZipFile": cloud.lambda_zip(source=HANDLER)},
    )
    cloud.settle()
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def received_events(name="consumer") -> list[dict]:
    logs = boto3.client("logs", region_name="eu-west-1")
    group = f"/aws/lambda/{name}"
    events = logs.filter_log_events(logGroupName=group, filterPattern="EVENT")["events"]
    return [json.loads(e["message"].split("EVENT ", 1)[1]) for e in events]


def test_lambda_receives_the_sns_event(cloud, sns):
    topic(sns)
    fn = lambda_function(cloud)
    sub = sns.subscribe(TopicArn=ARN, Protocol="lambda", Endpoint=fn)["SubscriptionArn"]
    message_id = sns.publish(
        TopicArn=ARN,
        Message="hello",
        MessageAttributes={"n": {"DataType": "Number", "StringValue": "3"}},
    )["MessageId"]
    cloud.settle()
    [event] = received_events()
    [record] = event["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == sub
    notification = record["Sns"]
    assert set(notification) == {
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertUrl",
        "UnsubscribeUrl",
        "MessageAttributes",
    }
    assert notification["Subject"] is None
    assert notification["MessageId"] == message_id
    assert notification["Message"] == "hello"
    assert notification["MessageAttributes"] == {"n": {"Type": "Number", "Value": "3"}}
    assert notification["UnsubscribeUrl"].endswith(f"SubscriptionArn={sub}")


def test_lambda_events_carry_version_1_signatures(cloud, sns):
    topic(sns, SignatureVersion="2")
    fn = lambda_function(cloud)
    sns.subscribe(TopicArn=ARN, Protocol="lambda", Endpoint=fn)
    sns.publish(TopicArn=ARN, Message="signed")
    cloud.settle()
    assert received_events()[0]["Records"][0]["Sns"]["SignatureVersion"] == "1"


def test_lambda_alias_subscription(cloud, sns):
    topic(sns)
    fn = lambda_function(cloud)
    lam = boto3.client("lambda", region_name="eu-west-1")
    version = lam.publish_version(FunctionName="consumer")["Version"]
    lam.create_alias(FunctionName="consumer", Name="live", FunctionVersion=version)
    sns.subscribe(TopicArn=ARN, Protocol="lambda", Endpoint=fn + ":live")
    sns.publish(TopicArn=ARN, Message="to the alias")
    cloud.settle()
    assert received_events()[0]["Records"][0]["Sns"]["Message"] == "to the alias"
