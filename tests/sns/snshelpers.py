"""Helpers of the SNS tests (imported by name: tests have no packages)."""

from __future__ import annotations

import json

import pytest


def error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def topic(sns, name: str = "orders", **attributes: str) -> str:
    kwargs = {"Attributes": attributes} if attributes else {}
    return sns.create_topic(Name=name, **kwargs)["TopicArn"]


def queue(sqs, name: str = "q", **attributes: str) -> tuple[str, str]:
    """(queue URL, queue ARN)."""
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def receive(sqs, url: str, count: int = 10, **kwargs) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count, **kwargs).get(
        "Messages", []
    )


def bodies(sqs, url: str) -> list[dict]:
    return [json.loads(m["Body"]) for m in receive(sqs, url)]


def confirm_http(cloud, sns, endpoint: str) -> str:
    """Confirm the pending subscription of ``endpoint`` with the token SNS sent it."""
    cloud.settle()
    [message] = cloud.outbox.where(endpoint=endpoint)
    body = message.json()
    assert body["Type"] == "SubscriptionConfirmation"
    return sns.confirm_subscription(TopicArn=body["TopicArn"], Token=body["Token"])[
        "SubscriptionArn"
    ]
