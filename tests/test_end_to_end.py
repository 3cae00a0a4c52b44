"""A whole asynchronous flow in one world, observed only through boto3 clients.

EventBridge rule -> SNS topic -> two SQS queues with different filter policies ->
a Lambda function per queue via event source mappings -> DynamoDB writes.
"""

from __future__ import annotations

import json

import boto3
import pytest

from fakeaws import mock_serverless

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/order-workers"

WORKER = """
import json, os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def handler(event, context):
    for record in event["Records"]:
        envelope = json.loads(record["body"])          # the SNS notification
        order = json.loads(envelope["Message"])        # the EventBridge event
        table.put_item(Item={
            "pk": order["detail"]["id"],
            "handled_by": context.function_name,
            "kind": order["detail"]["kind"],
        })
"""


@pytest.fixture
def world():
    with mock_serverless(clock="frozen", region=REGION) as cloud:
        yield cloud


def client(name):
    return boto3.client(name, region_name=REGION)


def build(cloud):
    ddb, sns, sqs, events, lam = (client(n) for n in ("dynamodb", "sns", "sqs", "events", "lambda"))
    ddb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    topic = sns.create_topic(Name="orders")["TopicArn"]
    queues = {}
    for name, kinds in (("retail", ["retail"]), ("wholesale", ["wholesale", "bulk"])):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        queues[name] = url
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={
                "FilterPolicyScope": "MessageBody",
                "FilterPolicy": json.dumps({"detail": {"kind": kinds}}),
            },
        )
        lam.create_function(
            FunctionName=f"{name}-worker",
            Runtime="python3.12",
            Role=ROLE,
            Handler="lambda_function.handler",
            Code={"ZipFile": cloud.lambda_zip(source=WORKER)},
            Environment={"Variables": {"TABLE": "orders"}},
            Timeout=30,
        )
        cloud.settle()
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=f"{name}-worker")
    events.put_rule(
        Name="orders-to-sns",
        EventPattern=json.dumps({"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}),
    )
    events.put_targets(Rule="orders-to-sns", Targets=[{"Id": "sns", "Arn": topic}])
    cloud.settle()
    return queues


def place(order_id, kind, detail_type="OrderPlaced"):
    response = client("events").put_events(
        Entries=[
            {
                "Source": "shop.orders",
                "DetailType": detail_type,
                "Detail": json.dumps({"id": order_id, "kind": kind}),
            }
        ]
    )
    assert response["FailedEntryCount"] == 0


def test_orders_flow_from_eventbridge_to_dynamodb(world):
    queues = build(world)
    place("o-1", "retail")
    place("o-2", "bulk")
    place("o-3", "wholesale")
    place("o-4", "retail", detail_type="OrderCancelled")  # the rule does not match
    place("o-5", "gift")  # no subscription's filter matches
    world.settle()

    items = client("dynamodb").scan(TableName="orders")["Items"]
    handled = {item["pk"]["S"]: item["handled_by"]["S"] for item in items}
    assert handled == {
        "o-1": "retail-worker",
        "o-2": "wholesale-worker",
        "o-3": "wholesale-worker",
    }
    sqs = client("sqs")
    for url in queues.values():  # every message consumed and deleted
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["ApproximateNumberOfMessages"] == "0"
        assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
    # The writes were made by the functions' execution role.
    writers = {c.caller.arn for c in world.calls.where(service="dynamodb", operation="PutItem")}
    assert writers == {
        f"arn:aws:sts::{ACCOUNT}:assumed-role/order-workers/retail-worker",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/order-workers/wholesale-worker",
    }
