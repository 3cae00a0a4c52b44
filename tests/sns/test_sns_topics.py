"""SNS topics through boto3: create (idempotent), attributes, permissions, tags, list, delete."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from snshelpers import error, topic

ACCOUNT = "123456789012"
ARN = f"arn:aws:sns:eu-west-1:{ACCOUNT}:orders"

DEFAULT_EFFECTIVE = {
    "http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20,
            "maxDelayTarget": 20,
            "numRetries": 3,
            "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0,
            "numMinDelayRetries": 0,
            "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
}


def attributes(sns, arn=ARN) -> dict:
    return sns.get_topic_attributes(TopicArn=arn)["Attributes"]


def test_create_standard_topic_and_default_attributes(sns):
    assert topic(sns) == ARN
    attrs = attributes(sns)
    assert set(attrs) == {
        "DisplayName",
        "EffectiveDeliveryPolicy",
        "Owner",
        "Policy",
        "SubscriptionsConfirmed",
        "SubscriptionsDeleted",
        "SubscriptionsPending",
        "TopicArn",
    }
    assert attrs["DisplayName"] == ""
    assert attrs["Owner"] == ACCOUNT
    assert attrs["TopicArn"] == ARN
    assert attrs["SubscriptionsConfirmed"] == attrs["SubscriptionsPending"] == "0"
    assert json.loads(attrs["EffectiveDeliveryPolicy"]) == DEFAULT_EFFECTIVE
    # The default access policy, byte for byte as AWS writes it.
    assert attrs["Policy"] == (
        '{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":'
        '"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":['
        '"SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission",'
        '"SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe",'
        '"SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"' + ARN + '",'
        '"Condition":{"StringEquals":{"AWS:SourceOwner":"' + ACCOUNT + '"}}}]}'
    )


def test_create_fifo_topic(sns):
    arn = topic(sns, "orders.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    attrs = attributes(sns, arn)
    assert attrs["FifoTopic"] == "true"
    assert attrs["ContentBasedDeduplication"] == "true"
    arn2 = topic(sns, "other.fifo", FifoTopic="true")
    assert attributes(sns, arn2)["ContentBasedDeduplication"] == "false"
    # FifoTopic=false is not stored: a standard topic.
    assert "FifoTopic" not in attributes(sns, topic(sns, "plain", FifoTopic="false"))


@pytest.mark.parametrize("name", ["", "a" * 257, "has:colon", "semi;", "bang!", "sp ace", "x.fifo"])
def test_invalid_topic_names(sns, name):
    with pytest.raises(ClientError) as exc:
        sns.create_topic(Name=name)
    assert error(exc) == ("InvalidParameter", "Invalid parameter: Topic Name")


def test_fifo_topic_name_must_end_with_fifo(sns):
    with pytest.raises(ClientError) as exc:
        sns.create_topic(Name="orders", Attributes={"FifoTopic": "true"})
    assert error(exc)[0] == "InvalidParameter"
    assert "must end with .fifo" in error(exc)[1]
    assert topic(sns, "a" * 251 + ".fifo", FifoTopic="true").endswith(".fifo")


def test_create_topic_is_idempotent(sns):
    first = topic(sns, DisplayName="AlreadySet")
    assert sns.create_topic(Name="orders")["TopicArn"] == first
    assert topic(sns, DisplayName="AlreadySet") == first
    assert attributes(sns)["DisplayName"] == "AlreadySet"
    with pytest.raises(ClientError) as exc:
        topic(sns, DisplayName="Different")
    assert error(exc) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
    )


def test_create_topic_with_different_tags(sns):
    sns.create_topic(Name="orders", Tags=[{"Key": "k1", "Value": "v1"}])
    sns.create_topic(Name="orders", Tags=[{"Key": "k1", "Value": "v1"}])
    with pytest.raises(ClientError) as exc:
        sns.create_topic(
            Name="orders", Tags=[{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}]
        )
    assert error(exc) == (
        "InvalidParameter",
        "Invalid parameter: Tags Reason: Topic already exists with different tags",
    )


def test_set_topic_attributes(sns):
    topic(sns)
    sns.set_topic_attributes(TopicArn=ARN, AttributeName="DisplayName", AttributeValue="Shop")
    sns.set_topic_attributes(TopicArn=ARN, AttributeName="SignatureVersion", AttributeValue="2")
    sns.set_topic_attributes(TopicArn=ARN, AttributeName="TracingConfig", AttributeValue="Active")
    key = "arn:aws:kms:eu-west-1:123456789012:alias/aws/sns"
    sns.set_topic_attributes(TopicArn=ARN, AttributeName="KmsMasterKeyId", AttributeValue=key)
    attrs = attributes(sns)
    assert attrs["DisplayName"] == "Shop"
    assert attrs["SignatureVersion"] == "2"
    assert attrs["TracingConfig"] == "Active"
    assert attrs["KmsMasterKeyId"] == key
    sns.set_topic_attributes(TopicArn=ARN, AttributeName="KmsMasterKeyId", AttributeValue="")
    assert "KmsMasterKeyId" not in attributes(sns)
    for name, value in [("FifoTopic", "false"), ("Unknown", "x")]:
        with pytest.raises(ClientError) as exc:
            sns.set_topic_attributes(TopicArn=ARN, AttributeName=name, AttributeValue=value)
        assert error(exc) == ("InvalidParameter", "Invalid parameter: AttributeName")
    with pytest.raises(ClientError) as exc:
        sns.set_topic_attributes(
            TopicArn=ARN, AttributeName="ContentBasedDeduplication", AttributeValue="true"
        )
    assert error(exc)[0] == "InvalidParameter"


def test_topic_delivery_policy_and_effective_policy(sns):
    arn = topic(
        sns,
        "orders.fifo",
        FifoTopic="true",
        DeliveryPolicy=json.dumps(
            {
                "http": {
                    "disableSubscriptionOverrides": False,
                    "defaultRequestPolicy": {"headerContentType": "application/json"},
                }
            }
        ),
    )
    effective = json.loads(attributes(sns, arn)["EffectiveDeliveryPolicy"])
    assert effective["http"]["defaultRequestPolicy"] == {"headerContentType": "application/json"}
    policy = {
        "http": {
            "defaultHealthyRetryPolicy": {
                "minDelayTarget": 5,
                "maxDelayTarget": 6,
                "numRetries": 1,
            },
            "disableSubscriptionOverrides": False,
        }
    }
    sns.set_topic_attributes(
        TopicArn=arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(policy)
    )
    attrs = attributes(sns, arn)
    assert json.loads(attrs["DeliveryPolicy"]) == policy
    assert json.loads(attrs["EffectiveDeliveryPolicy"])["http"] == {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 5,
            "maxDelayTarget": 6,
            "numRetries": 1,
            "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0,
            "numMinDelayRetries": 0,
            "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy", AttributeValue="")
    attrs = attributes(sns, arn)
    assert "DeliveryPolicy" not in attrs
    assert json.loads(attrs["EffectiveDeliveryPolicy"]) == DEFAULT_EFFECTIVE
    with pytest.raises(ClientError) as exc:
        sns.set_topic_attributes(
            TopicArn=arn, AttributeName="DeliveryPolicy", AttributeValue="{not json"
        )
    assert error(exc)[1].startswith("Invalid parameter: DeliveryPolicy: failed to parse JSON.")


def test_fifo_attributes_and_archive_policy(cloud, sns):
    arn = topic(sns, "orders.fifo", FifoTopic="true")
    sns.set_topic_attributes(
        TopicArn=arn, AttributeName="FifoThroughputScope", AttributeValue="MessageGroup"
    )
    sns.set_topic_attributes(
        TopicArn=arn,
        AttributeName="ArchivePolicy",
        AttributeValue='{"MessageRetentionPeriod": "30"}',
    )
    attrs = attributes(sns, arn)
    assert attrs["FifoThroughputScope"] == "MessageGroup"
    assert json.loads(attrs["ArchivePolicy"]) == {"MessageRetentionPeriod": "30"}
    assert attrs["BeginningArchiveTime"].endswith("Z")
    with pytest.raises(ClientError):
        sns.set_topic_attributes(
            TopicArn=arn,
            AttributeName="ArchivePolicy",
            AttributeValue='{"MessageRetentionPeriod": 0}',
        )
    with pytest.raises(ClientError):
        sns.set_topic_attributes(
            TopicArn=arn, AttributeName="FifoThroughputScope", AttributeValue="Queue"
        )


def test_missing_and_malformed_topics(sns):
    with pytest.raises(sns.exceptions.NotFoundException) as exc:
        sns.get_topic_attributes(TopicArn=ARN)
    assert error(exc) == ("NotFound", "Topic does not exist")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(sns.exceptions.InvalidParameterException) as exc:
        sns.get_topic_attributes(TopicArn="orders")
    assert error(exc) == (
        "InvalidParameter",
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
    )
    topic(sns)
    other_region = ARN.replace("eu-west-1", "us-east-1")
    for call in (
        lambda: sns.get_topic_attributes(TopicArn=other_region),
        lambda: sns.publish(TopicArn=other_region, Message="m"),
        lambda: sns.delete_topic(TopicArn=other_region),
        lambda: sns.list_subscriptions_by_topic(TopicArn=other_region),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("InvalidParameter", "Invalid parameter: TopicArn")


def test_delete_topic_is_idempotent_and_removes_subscriptions(sns):
    topic(sns)
    sub = sns.subscribe(TopicArn=ARN, Protocol="sms", Endpoint="+15551234567")["SubscriptionArn"]
    sns.delete_topic(TopicArn=ARN)
    sns.delete_topic(TopicArn=ARN)
    assert sns.list_topics()["Topics"] == []
    assert sns.list_subscriptions()["Subscriptions"] == []
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_subscription_attributes(SubscriptionArn=sub)


def test_list_topics_pages_of_100(sns):
    arns = sorted(topic(sns, f"t{i:03d}") for i in range(150))
    first = sns.list_topics()
    assert len(first["Topics"]) == 100
    second = sns.list_topics(NextToken=first["NextToken"])
    assert "NextToken" not in second
    listed = [t["TopicArn"] for t in first["Topics"] + second["Topics"]]
    assert listed == arns
    paged = sns.get_paginator("list_topics").paginate()
    assert sum(len(p["Topics"]) for p in paged) == 150


def test_topics_are_per_region(cloud, sns):
    topic(sns)
    east = boto3.client("sns", region_name="us-east-1")
    assert east.list_topics()["Topics"] == []
    east.create_topic(Name="orders")
    assert [t["TopicArn"] for t in east.list_topics()["Topics"]] == [
        ARN.replace("eu-west-1", "us-east-1")
    ]


def test_tags(sns):
    topic(sns)
    sns.tag_resource(
        ResourceArn=ARN, Tags=[{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}]
    )
    assert sns.list_tags_for_resource(ResourceArn=ARN)["Tags"] == [
        {"Key": "k1", "Value": "v1"},
        {"Key": "k2", "Value": "v2"},
    ]
    sns.untag_resource(ResourceArn=ARN, TagKeys=["k1"])
    sns.tag_resource(ResourceArn=ARN, Tags=[{"Key": "k2", "Value": "v2b"}])
    assert sns.list_tags_for_resource(ResourceArn=ARN)["Tags"] == [{"Key": "k2", "Value": "v2b"}]
    with pytest.raises(ClientError) as exc:
        sns.tag_resource(
            ResourceArn=ARN, Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
        )
    assert error(exc) == ("InvalidParameter", "Invalid parameter: Duplicated keys are not allowed.")
    with pytest.raises(sns.exceptions.TagLimitExceededException):
        sns.tag_resource(ResourceArn=ARN, Tags=[{"Key": f"t{i}", "Value": "v"} for i in range(50)])
    with pytest.raises(sns.exceptions.ResourceNotFoundException) as exc:
        sns.list_tags_for_resource(ResourceArn=ARN + "-gone")
    assert error(exc) == ("ResourceNotFound", "Resource does not exist")


def test_add_and_remove_permission(sns):
    topic(sns)
    sns.add_permission(
        TopicArn=ARN, Label="pub", AWSAccountId=["111122223333"], ActionName=["Publish"]
    )
    policy = json.loads(attributes(sns)["Policy"])
    assert policy["Statement"][-1] == {
        "Sid": "pub",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SNS:Publish",
        "Resource": ARN,
    }
    with pytest.raises(ClientError) as exc:
        sns.add_permission(
            TopicArn=ARN, Label="pub", AWSAccountId=["111122223333"], ActionName=["Publish"]
        )
    assert error(exc) == ("InvalidParameter", "Invalid parameter: Statement already exists")
    with pytest.raises(ClientError) as exc:
        sns.add_permission(
            TopicArn=ARN, Label="x", AWSAccountId=["111122223333"], ActionName=["Fly"]
        )
    assert error(exc) == (
        "InvalidParameter",
        "Invalid parameter: Policy statement action out of service scope!",
    )
    sns.remove_permission(TopicArn=ARN, Label="pub")
    sids = [s["Sid"] for s in json.loads(attributes(sns)["Policy"])["Statement"]]
    assert sids == ["__default_statement_ID"]


def test_data_protection_policies_are_refused_loudly(sns):
    from fakeaws.errors import UnsupportedOperation

    topic(sns)
    assert "DataProtectionPolicy" not in sns.get_data_protection_policy(ResourceArn=ARN)
    with pytest.raises(UnsupportedOperation):
        sns.put_data_protection_policy(ResourceArn=ARN, DataProtectionPolicy="{}")
