"""Subscription filter policies on message attributes and on the message body."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from snshelpers import error, topic

ARN = "arn:aws:sns:eu-west-1:123456789012:orders"


def subscriber(cloud, sns, name: str, policy: dict, scope: str | None = None) -> str:
    """An https subscription with a filter policy; returns its endpoint."""
    endpoint = f"https://example.com/{name}"
    attributes = {"FilterPolicy": json.dumps(policy)}
    if scope:
        attributes["FilterPolicyScope"] = scope
    cloud.settings.sns.auto_confirm = True
    sns.subscribe(TopicArn=ARN, Protocol="https", Endpoint=endpoint, Attributes=attributes)
    return endpoint


def delivered(cloud, endpoint: str) -> list[str]:
    cloud.settle()
    return [m.json()["Message"] for m in cloud.outbox.where(endpoint=endpoint)]


def publish(sns, message: str, **attributes) -> None:
    attrs = {}
    for name, value in attributes.items():
        if isinstance(value, bytes):
            attrs[name] = {"DataType": "Binary", "BinaryValue": value}
        elif isinstance(value, list):
            attrs[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        elif isinstance(value, (int, float)):
            attrs[name] = {"DataType": "Number", "StringValue": str(value)}
        else:
            attrs[name] = {"DataType": "String", "StringValue": value}
    sns.publish(TopicArn=ARN, Message=message, MessageAttributes=attrs)


def test_attribute_policies(cloud, sns):
    topic(sns)
    red = subscriber(cloud, sns, "red", {"color": ["red"]})
    cheap = subscriber(cloud, sns, "cheap", {"price": [{"numeric": [">", 0, "<=", 100]}]})
    eu = subscriber(cloud, sns, "eu", {"region": [{"prefix": "eu-"}], "color": [{"exists": True}]})
    tags = subscriber(cloud, sns, "tags", {"tags": ["urgent"]})
    no_color = subscriber(cloud, sns, "nocolor", {"color": [{"exists": False}]})
    publish(sns, "m1", color="red", price=99.12, region="eu-west-1")
    publish(sns, "m2", color="blue", price=101, region="us-east-1")
    publish(sns, "m3", tags=["later", "urgent"], price="100")
    publish(sns, "m4")
    assert delivered(cloud, red) == ["m1"]
    assert delivered(cloud, cheap) == ["m1"]  # "100" is a String attribute, not a Number
    assert delivered(cloud, eu) == ["m1"]
    assert delivered(cloud, tags) == ["m3"]
    assert delivered(cloud, no_color) == ["m3", "m4"]


def test_binary_attributes_are_invisible_to_filter_policies(cloud, sns):
    topic(sns)
    endpoint = subscriber(cloud, sns, "bin", {"blob": [{"exists": True}]})
    publish(sns, "m", blob=b"\x00\x01")
    assert delivered(cloud, endpoint) == []


def test_body_policies(cloud, sns):
    topic(sns)
    endpoint = subscriber(
        cloud,
        sns,
        "body",
        {"order": {"status": ["paid"], "total": [{"numeric": [">=", 10]}]}},
        scope="MessageBody",
    )
    sns.publish(TopicArn=ARN, Message=json.dumps({"order": {"status": "paid", "total": 12}}))
    sns.publish(TopicArn=ARN, Message=json.dumps({"order": {"status": "paid", "total": 5}}))
    sns.publish(TopicArn=ARN, Message="not json at all")
    sns.publish(
        TopicArn=ARN,
        Message=json.dumps({"order": {"status": "new"}}),
        MessageAttributes={"status": {"DataType": "String", "StringValue": "paid"}},
    )
    assert [json.loads(m) for m in delivered(cloud, endpoint)] == [
        {"order": {"status": "paid", "total": 12}}
    ]


def test_changing_the_scope_and_removing_the_policy(cloud, sns):
    topic(sns)
    endpoint = subscriber(cloud, sns, "x", {"kind": ["a"]})
    [sub] = sns.list_subscriptions()["Subscriptions"]
    arn = sub["SubscriptionArn"]
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicyScope", AttributeValue="MessageBody"
    )
    sns.publish(TopicArn=ARN, Message='{"kind": "a"}')
    publish(sns, "attr only", kind="a")
    assert delivered(cloud, endpoint) == ['{"kind": "a"}']
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=""
    )
    publish(sns, "everything now")
    assert delivered(cloud, endpoint)[-1] == "everything now"


def test_nested_policies_need_the_body_scope(cloud, sns):
    topic(sns)
    with pytest.raises(ClientError) as exc:
        subscriber(cloud, sns, "nested", {"a": {"b": ["c"]}})
    assert error(exc) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not "
        "support nested filter policy",
    )
    subscriber(cloud, sns, "nested", {"a": {"b": ["c"]}}, scope="MessageBody")
    [sub] = sns.list_subscriptions()["Subscriptions"]
    with pytest.raises(ClientError) as exc:
        sns.set_subscription_attributes(
            SubscriptionArn=sub["SubscriptionArn"],
            AttributeName="FilterPolicyScope",
            AttributeValue="MessageAttributes",
        )
    assert error(exc)[1] == (
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested "
        "filter policy"
    )


def test_invalid_policies_get_the_engines_message(cloud, sns):
    topic(sns)
    with pytest.raises(ClientError) as exc:
        subscriber(cloud, sns, "bad", {"price": [{"numeric": [">", "x"]}]})
    code, message = error(exc)
    assert code == "InvalidParameter"
    assert message.startswith("Invalid parameter: Attributes Reason: FilterPolicy: ")
    [sub] = [] + sns.list_subscriptions()["Subscriptions"] or [None]
    assert sub is None
    subscriber(cloud, sns, "ok", {"price": [1]})
    [sub] = sns.list_subscriptions()["Subscriptions"]
    with pytest.raises(ClientError) as exc:
        sns.set_subscription_attributes(
            SubscriptionArn=sub["SubscriptionArn"],
            AttributeName="FilterPolicy",
            AttributeValue=json.dumps({"price": "not-a-list"}),
        )
    assert error(exc)[1].startswith("Invalid parameter: FilterPolicy: ")


def test_filtered_out_messages_are_not_failures(cloud, sns):
    topic(sns)
    endpoint = subscriber(cloud, sns, "f", {"color": ["red"]})
    publish(sns, "blue", color="blue")
    cloud.settle(within=86400)
    assert delivered(cloud, endpoint) == []
    assert cloud.scheduler.pending == []
