"""SNS subscriptions through boto3: subscribe, confirm, attributes, listings, unsubscribe."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from snshelpers import confirm_http, error, topic

ACCOUNT = "123456789012"
ARN = f"arn:aws:sns:eu-west-1:{ACCOUNT}:orders"
QUEUE = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:q"
FUNCTION = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f"
HOOK = "https://example.com/hook"


def subscribe(sns, protocol="sqs", endpoint=QUEUE, topic_arn=ARN, **kwargs) -> str:
    return sns.subscribe(TopicArn=topic_arn, Protocol=protocol, Endpoint=endpoint, **kwargs)[
        "SubscriptionArn"
    ]


def attrs(sns, arn: str) -> dict:
    return sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]


def test_sqs_subscription_in_the_same_account_is_confirmed_at_once(sns):
    topic(sns)
    arn = subscribe(sns)
    assert arn.startswith(ARN + ":") and len(arn.split(":")[-1]) == 36
    assert attrs(sns, arn) == {
        "ConfirmationWasAuthenticated": "true",
        "Endpoint": QUEUE,
        "Owner": ACCOUNT,
        "PendingConfirmation": "false",
        "Protocol": "sqs",
        "RawMessageDelivery": "false",
        "SubscriptionArn": arn,
        "SubscriptionPrincipal": f"arn:aws:iam::{ACCOUNT}:root",
        "TopicArn": ARN,
    }
    topic_attrs = sns.get_topic_attributes(TopicArn=ARN)["Attributes"]
    assert topic_attrs["SubscriptionsConfirmed"] == "1"
    assert subscribe(sns, "lambda", FUNCTION).startswith(ARN)
    assert subscribe(sns, "sms", "+15551234567").startswith(ARN)


def test_http_subscription_is_pending_until_confirmed(cloud, sns):
    topic(sns)
    assert subscribe(sns, "https", HOOK) == "pending confirmation"
    listed = sns.list_subscriptions_by_topic(TopicArn=ARN)["Subscriptions"]
    assert listed == [
        {
            "SubscriptionArn": "PendingConfirmation",
            "Owner": ACCOUNT,
            "Protocol": "https",
            "Endpoint": HOOK,
            "TopicArn": ARN,
        }
    ]
    assert sns.get_topic_attributes(TopicArn=ARN)["Attributes"]["SubscriptionsPending"] == "1"
    cloud.settle()
    [message] = cloud.outbox.where(endpoint=HOOK)
    assert message.protocol == "https"
    assert message.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert message.headers["x-amz-sns-topic-arn"] == ARN
    assert "x-amz-sns-subscription-arn" not in message.headers
    assert message.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert message.headers["User-Agent"] == "Amazon Simple Notification Service Agent"
    body = message.json()
    assert list(body) == [
        "Type",
        "MessageId",
        "Token",
        "TopicArn",
        "Message",
        "SubscribeURL",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
    ]
    assert body["MessageId"] == message.headers["x-amz-sns-message-id"]
    assert body["Message"] == (
        f"You have chosen to subscribe to the topic {ARN}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message."
    )
    assert body["SubscribeURL"] == (
        "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription"
        f"&TopicArn={ARN}&Token={body['Token']}"
    )
    arn = sns.confirm_subscription(TopicArn=ARN, Token=body["Token"])["SubscriptionArn"]
    assert arn.startswith(ARN + ":")
    assert sns.confirm_subscription(TopicArn=ARN, Token=body["Token"])["SubscriptionArn"] == arn
    got = attrs(sns, arn)
    assert got["PendingConfirmation"] == "false"
    assert got["ConfirmationWasAuthenticated"] == "true"
    assert sns.list_subscriptions()["Subscriptions"][0]["SubscriptionArn"] == arn


def test_return_subscription_arn_and_pending_attributes(cloud, sns):
    topic(sns)
    arn = subscribe(sns, "http", "http://example.com/x", ReturnSubscriptionArn=True)
    assert arn.startswith(ARN + ":")
    got = attrs(sns, arn)
    assert got["PendingConfirmation"] == "true"
    assert got["ConfirmationWasAuthenticated"] == "false"
    assert json.loads(got["EffectiveDeliveryPolicy"])["healthyRetryPolicy"]["numRetries"] == 3


def test_email_subscriptions_get_a_confirmation_email(cloud, sns):
    topic(sns, DisplayName="Shop")
    assert subscribe(sns, "email", "me@example.com") == "pending confirmation"
    subscribe(sns, "email-json", "robot@example.com")
    cloud.settle()
    [mail] = cloud.outbox.where(protocol="email")
    assert mail.endpoint == "me@example.com"
    assert mail.headers["Subject"] == "AWS Notification - Subscription Confirmation"
    assert mail.headers["From"] == "Shop <no-reply@sns.amazonaws.com>"
    assert "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription" in mail.body
    [robot] = cloud.outbox.where(protocol="email-json")
    assert robot.json()["Type"] == "SubscriptionConfirmation"
    sns.confirm_subscription(TopicArn=ARN, Token=robot.json()["Token"])
    protocols = {
        s["Protocol"]: s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]
    }
    assert protocols["email"] == "PendingConfirmation"
    assert protocols["email-json"].startswith(ARN)


def test_confirm_subscription_errors(cloud, sns):
    topic(sns)
    subscribe(sns, "https", HOOK)
    cloud.settle()
    token = cloud.outbox[0].json()["Token"]
    cases = [
        (dict(TopicArn="not-an-arn", Token=token), "Invalid parameter: Topic"),
        (dict(TopicArn=ARN.replace("eu-west", "us-east"), Token=token), "Invalid parameter: Topic"),
        (dict(TopicArn=ARN, Token="not-a-token"), "Invalid token"),
        (dict(TopicArn=ARN, Token="ab" * 128), "Invalid parameter: Token"),
        (dict(TopicArn=ARN + "-other", Token=token), "Invalid parameter: Token"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ClientError) as exc:
            sns.confirm_subscription(**kwargs)
        assert error(exc) == ("InvalidParameter", message)


def test_unconfirmed_subscriptions_are_deleted_after_48_hours(cloud, sns):
    topic(sns)
    subscribe(sns, "https", HOOK)
    cloud.settle()
    token = cloud.outbox[0].json()["Token"]
    cloud.clock.advance(47 * 3600)
    assert len(sns.list_subscriptions()["Subscriptions"]) == 1
    cloud.clock.advance(3600)
    assert sns.list_subscriptions()["Subscriptions"] == []
    with pytest.raises(ClientError) as exc:
        sns.confirm_subscription(TopicArn=ARN, Token=token)
    assert error(exc) == ("InvalidParameter", "Invalid parameter: Token")


def test_confirmed_subscriptions_do_not_expire(cloud, sns):
    topic(sns)
    subscribe(sns, "https", HOOK)
    arn = confirm_http(cloud, sns, HOOK)
    cloud.clock.advance(3 * 86400)
    assert attrs(sns, arn)["PendingConfirmation"] == "false"


def test_auto_confirm_knob(cloud, sns):
    cloud.settings.sns.auto_confirm = True
    topic(sns)
    arn = subscribe(sns, "https", HOOK)
    assert arn.startswith(ARN + ":")
    cloud.settle()
    assert list(cloud.outbox) == []


def test_cross_account_queue_subscription_is_pending(sns):
    topic(sns)
    other = "arn:aws:sqs:eu-west-1:210987654321:their-queue"
    assert subscribe(sns, "sqs", other) == "pending confirmation"


SQS_ARN = "Invalid parameter: SQS endpoint ARN"
ENDPOINT_CASES = [
    ("smtp", "x", "Invalid parameter: Amazon SNS does not support this protocol string: smtp"),
    ("sqs", "https://sqs.eu-west-1.amazonaws.com/123456789012/q", SQS_ARN),
    ("sqs", FUNCTION, SQS_ARN),
    ("lambda", "f", "Invalid parameter: Lambda endpoint ARN"),
    ("sms", "NAA+15551234567", "Invalid SMS endpoint: NAA+15551234567"),
    ("https", "http://x.com", "Invalid parameter: Endpoint must match the specified protocol"),
    ("email", "not-an-address", "Invalid parameter: Email address"),
    (
        "sqs",
        "arn:aws:sqs:eu-west-1:123456789012:q.fifo",
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
        "subscribed to standard SNS topics",
    ),
]


@pytest.mark.parametrize(("protocol", "endpoint", "message"), ENDPOINT_CASES)
def test_endpoint_validation(sns, protocol, endpoint, message):
    topic(sns)
    with pytest.raises(ClientError) as exc:
        subscribe(sns, protocol, endpoint)
    assert error(exc) == ("InvalidParameter", message)


def test_subscribe_to_missing_or_malformed_topic(sns):
    with pytest.raises(sns.exceptions.NotFoundException) as exc:
        subscribe(sns)
    assert error(exc) == ("NotFound", "Topic does not exist")
    with pytest.raises(ClientError) as exc:
        subscribe(sns, topic_arn="arn:aws:sns:eu-west-1:123456789012")
    assert error(exc)[1] == (
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5"
    )


def test_application_endpoints_must_exist(sns):
    topic(sns)
    with pytest.raises(sns.exceptions.NotFoundException) as exc:
        subscribe(sns, "application", f"arn:aws:sns:eu-west-1:{ACCOUNT}:endpoint/GCM/app/1")
    assert error(exc) == ("NotFound", "Endpoint does not exist")
    with pytest.raises(ClientError) as exc:
        subscribe(sns, "application", "device-token")
    assert error(exc)[1] == "Invalid parameter: ApplicationEndpoint ARN"


def test_fifo_topics_take_sqs_subscriptions_only(sns):
    arn = topic(sns, "orders.fifo", FifoTopic="true")
    assert subscribe(sns, "sqs", QUEUE + ".fifo", topic_arn=arn).startswith(arn)
    assert subscribe(sns, "sqs", QUEUE, topic_arn=arn).startswith(arn)
    with pytest.raises(ClientError):
        subscribe(sns, "lambda", FUNCTION, topic_arn=arn)
    with pytest.raises(ClientError) as exc:
        subscribe(
            sns,
            "sqs",
            QUEUE + "2.fifo",
            topic_arn=arn,
            Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": QUEUE + "-dlq"})},
        )
    assert error(exc)[1] == (
        "Invalid parameter: Attributes Reason: RedrivePolicy: must use a FIFO queue as DLQ for a "
        "FIFO Subscription to a FIFO Topic."
    )


def test_subscribe_is_idempotent(sns):
    topic(sns)
    arn = subscribe(sns, Attributes={"RawMessageDelivery": "true"})
    assert subscribe(sns, Attributes={"RawMessageDelivery": "true"}) == arn
    assert subscribe(sns, Attributes={"RawMessageDelivery": "TRUE"}) == arn
    assert subscribe(sns) == arn
    assert subscribe(sns, Attributes={}) == arn
    with pytest.raises(ClientError) as exc:
        subscribe(sns, Attributes={"RawMessageDelivery": "false"})
    assert error(exc) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Subscription already exists with different "
        "attributes",
    )
    assert len(sns.list_subscriptions()["Subscriptions"]) == 1


JACKSON_FIELD = (
    "failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to "
    "start field name\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` "
    "disabled); line: 1, column: 2]"
)
JACKSON_TOKEN = (
    "failed to parse JSON. Unrecognized token 'invalid': was expecting (JSON String, Number, "
    "Array, Object or token 'null', 'true' or 'false')\n at [Source: REDACTED "
    "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 8]"
)
TRUE_OR_FALSE = "RawMessageDelivery: Invalid value [{}]. Must be true or false."
INVALID_DLQ = "RedrivePolicy: deadLetterTargetArn is an invalid arn"


def test_subscribe_attribute_validation(sns):
    topic(sns)
    cases = [
        ({"RawMessageDelivery": "wrongvalue"}, TRUE_OR_FALSE.format("wrongvalue")),
        ({"Bogus": "1"}, "AttributeName"),
        ({"FilterPolicy": "invalid"}, f"FilterPolicy: {JACKSON_TOKEN}"),
        (
            {"FilterPolicyScope": "Everything"},
            "FilterPolicyScope: Invalid value [Everything]. Please use either MessageBody or "
            "MessageAttributes",
        ),
        ({"RedrivePolicy": '{"deadLetterTargetArn": "queue"}'}, INVALID_DLQ),
    ]
    for attributes, reason in cases:
        with pytest.raises(ClientError) as exc:
            subscribe(sns, Attributes=attributes)
        assert error(exc) == ("InvalidParameter", f"Invalid parameter: Attributes Reason: {reason}")
    with pytest.raises(ClientError) as exc:
        subscribe(sns, "lambda", FUNCTION, Attributes={"RawMessageDelivery": "true"})
    assert error(exc)[1] == (
        "Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw "
        "message delivery."
    )
    assert sns.list_subscriptions()["Subscriptions"] == []


def test_set_subscription_attributes(sns):
    topic(sns)
    arn = subscribe(sns)
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="True"
    )
    policy = {"attr1": [{"numeric": [">", 0, "<=", 100]}]}
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=json.dumps(policy)
    )
    redrive = json.dumps({"deadLetterTargetArn": QUEUE + "-dlq"})
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="RedrivePolicy", AttributeValue=redrive
    )
    got = attrs(sns, arn)
    assert got["RawMessageDelivery"] == "true"
    assert json.loads(got["FilterPolicy"]) == policy
    assert got["FilterPolicyScope"] == "MessageAttributes"
    assert got["RedrivePolicy"] == redrive
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=""
    )
    got = attrs(sns, arn)
    assert "FilterPolicy" not in got and "FilterPolicyScope" not in got
    prefix = "Invalid parameter: "
    cases = [
        ("Fake", "x", f"{prefix}AttributeName"),
        ("RawMessageDelivery", "test-ValUe", prefix + TRUE_OR_FALSE.format("test-ValUe")),
        ("RawMessageDelivery", "", prefix + TRUE_OR_FALSE.format("")),
        ("RedrivePolicy", '{"deadLetterTargetArn": "fake-arn"}', prefix + INVALID_DLQ),
        ("RedrivePolicy", "{invalid json}", f"{prefix}RedrivePolicy: {JACKSON_FIELD}"),
        ("FilterPolicy", "{invalid json}", f"{prefix}FilterPolicy: {JACKSON_FIELD}"),
    ]
    for name, value, message in cases:
        with pytest.raises(ClientError) as exc:
            sns.set_subscription_attributes(
                SubscriptionArn=arn, AttributeName=name, AttributeValue=value
            )
        assert error(exc) == ("InvalidParameter", message)


def test_http_delivery_policy_is_normalized(cloud, sns):
    topic(sns)
    arn = subscribe(
        sns,
        "http",
        "http://example.com/x",
        ReturnSubscriptionArn=True,
        Attributes={
            "DeliveryPolicy": json.dumps({"requestPolicy": {"headerContentType": "text/csv"}}),
            "RawMessageDelivery": "true",
        },
    )
    got = attrs(sns, arn)
    assert json.loads(got["DeliveryPolicy"]) == {
        "healthyRetryPolicy": None,
        "sicklyRetryPolicy": None,
        "throttlePolicy": None,
        "requestPolicy": {"headerContentType": "text/csv"},
        "guaranteed": False,
    }
    assert json.loads(got["EffectiveDeliveryPolicy"]) == {
        "healthyRetryPolicy": {
            "minDelayTarget": 20,
            "maxDelayTarget": 20,
            "numRetries": 3,
            "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0,
            "numMinDelayRetries": 0,
            "backoffFunction": "linear",
        },
        "sicklyRetryPolicy": None,
        "throttlePolicy": None,
        "requestPolicy": {"headerContentType": "text/csv"},
        "guaranteed": False,
    }
    with pytest.raises(ClientError):
        sns.set_subscription_attributes(
            SubscriptionArn=arn,
            AttributeName="DeliveryPolicy",
            AttributeValue=json.dumps({"healthyRetryPolicy": {"numRetries": 101}}),
        )


def test_subscription_attribute_errors(sns):
    topic(sns)
    arn = subscribe(sns)
    sns.unsubscribe(SubscriptionArn=arn)
    for call in (
        lambda: sns.get_subscription_attributes(SubscriptionArn=arn),
        lambda: sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="true"
        ),
    ):
        with pytest.raises(sns.exceptions.NotFoundException) as exc:
            call()
        assert error(exc) == ("NotFound", "Subscription does not exist")
    with pytest.raises(ClientError) as exc:
        sns.get_subscription_attributes(SubscriptionArn="PendingConfirmation")
    assert error(exc)[1] == (
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"
    )
    with pytest.raises(ClientError) as exc:
        sns.get_subscription_attributes(SubscriptionArn=ARN + ":not-a-uuid")
    assert error(exc)[1] == "Invalid parameter: SubscriptionId"


def test_unsubscribe(cloud, sns):
    topic(sns)
    arn = subscribe(sns)
    sns.unsubscribe(SubscriptionArn=arn)
    sns.unsubscribe(SubscriptionArn=arn)  # idempotent
    assert sns.list_subscriptions_by_topic(TopicArn=ARN)["Subscriptions"] == []
    assert sns.get_topic_attributes(TopicArn=ARN)["Attributes"]["SubscriptionsDeleted"] == "1"
    short = "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, "
    cases = [
        ("garbage", short + "not 1"),
        ("arn:aws:sns:eu-west-1:123456789012", short + "not 5"),
        (ARN, "Invalid parameter: SubscriptionId"),
        ("", "Invalid parameter: SubscriptionArn Reason: no value for required parameter"),
    ]
    for value, message in cases:
        with pytest.raises(ClientError) as exc:
            sns.unsubscribe(SubscriptionArn=value)
        assert error(exc) == ("InvalidParameter", message)


def test_unsubscribing_an_http_endpoint_sends_an_unsubscribe_confirmation(cloud, sns):
    topic(sns)
    subscribe(sns, "https", HOOK)
    arn = confirm_http(cloud, sns, HOOK)
    sns.unsubscribe(SubscriptionArn=arn)
    cloud.settle()
    last = cloud.outbox.where(endpoint=HOOK)[-1]
    assert last.headers["x-amz-sns-message-type"] == "UnsubscribeConfirmation"
    assert last.headers["x-amz-sns-subscription-arn"] == arn
    body = last.json()
    assert body["Type"] == "UnsubscribeConfirmation"
    assert body["Message"] == (
        f"You have chosen to deactivate subscription {arn}.\nTo cancel this operation and "
        "restore the subscription, visit the SubscribeURL included in this message."
    )


def test_list_subscriptions_pages_of_100(sns):
    topic(sns)
    other = topic(sns, "other")
    for i in range(120):
        subscribe(sns, "email", f"user{i}@example.com")
    subscribe(sns, topic_arn=other)
    first = sns.list_subscriptions_by_topic(TopicArn=ARN)
    assert len(first["Subscriptions"]) == 100
    second = sns.list_subscriptions_by_topic(TopicArn=ARN, NextToken=first["NextToken"])
    assert len(second["Subscriptions"]) == 20 and "NextToken" not in second
    endpoints = {s["Endpoint"] for s in first["Subscriptions"] + second["Subscriptions"]}
    assert len(endpoints) == 120
    everything = sns.get_paginator("list_subscriptions").paginate()
    assert sum(len(p["Subscriptions"]) for p in everything) == 121
    with pytest.raises(ClientError) as exc:
        sns.list_subscriptions(NextToken="***")
    assert error(exc)[0] == "InvalidParameter"
