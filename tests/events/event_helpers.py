"""Helpers for the EventBridge tests: queues that collect what targets receive."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

REGION = "eu-west-1"
ACCOUNT = "123456789012"
START = datetime(2024, 2, 28, 23, 58, 30, tzinfo=timezone.utc)


def error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def make_queue(sqs, name: str = "events", **attributes: str) -> tuple[str, str]:
    """A queue and its ARN."""
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def drain(sqs, url: str, *, attributes: bool = False) -> list:
    """Every message on the queue (bodies, or whole messages with ``attributes``), deleted."""
    out = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return out
        for message in messages:
            out.append(message if attributes else message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def put(events, source="my.app", detail_type="order.created", detail=None, **extra) -> str:
    """PutEvents of one entry; returns its event id."""
    entry = {
        "Source": source,
        "DetailType": detail_type,
        "Detail": json.dumps(detail if detail is not None else {"id": 1}),
        **extra,
    }
    response = events.put_events(Entries=[entry])
    assert response["FailedEntryCount"] == 0, response["Entries"]
    return response["Entries"][0]["EventId"]


def route_to_queue(events, sqs, rule="to-queue", pattern=None, bus=None, queue="events", **target):
    """A rule on ``bus`` sending what ``pattern`` matches to a new queue; returns its URL."""
    url, arn = make_queue(sqs, queue)
    bus_args = {"EventBusName": bus} if bus else {}
    events.put_rule(
        Name=rule, EventPattern=json.dumps(pattern or {"source": ["my.app"]}), **bus_args
    )
    events.put_targets(Rule=rule, Targets=[{"Id": "queue", "Arn": arn, **target}], **bus_args)
    return url
