"""SQS event source mappings end to end: boto3 clients only, the scheduler does the polling."""

from __future__ import annotations

import json

import boto3
import pytest

from fakeaws import mock_serverless

ROLE = "arn:aws:iam::123456789012:role/worker"

RECORDER = """
import json

def handler(event, context):
    for record in event["Records"]:
        count = record["attributes"]["ApproximateReceiveCount"]
        print(json.dumps({"body": record["body"], "count": count}))
    return None
"""

FAILS_ON_BAD = """
import json

def handler(event, context):
    failures = []
    for record in event["Records"]:
        print(json.dumps({"body": record["body"]}))
        if "bad" in record["body"]:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
"""

ALWAYS_FAILS = """
def handler(event, context):
    print("batch of", len(event["Records"]))
    raise RuntimeError("cannot process")
"""


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region="eu-west-1") as cloud:
        yield cloud


@pytest.fixture
def clients(cloud):
    return (
        boto3.client("lambda", region_name="eu-west-1"),
        boto3.client("sqs", region_name="eu-west-1"),
    )


def make_function(cloud, lam, source, name="worker", timeout=10):
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="lambda_function.handler",
        Code={"ZipFile": cloud.lambda_zip(source=source)},
        Timeout=timeout,
    )
    cloud.settle()


def make_queue(sqs, name="jobs", **attributes):
    attrs = {"VisibilityTimeout": "30", **{k: str(v) for k, v in attributes.items()}}
    url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def printed(name="worker"):
    logs = boto3.client("logs", region_name="eu-west-1")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [json.loads(e["message"]) for e in events if e["message"].startswith("{")]


def counts(sqs, url):
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def test_messages_are_processed_and_deleted(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, RECORDER)
    url, arn = make_queue(sqs)
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker")
    assert mapping["State"] == "Creating"
    assert mapping["BatchSize"] == 10
    cloud.settle()
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled"
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"job {i}")
    cloud.settle()
    assert sorted(p["body"] for p in printed()) == ["job 0", "job 1", "job 2"]
    assert counts(sqs, url) == (0, 0)


def test_a_failing_batch_returns_after_the_visibility_timeout_then_goes_to_the_dlq(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, ALWAYS_FAILS)
    dlq_url, dlq_arn = make_queue(sqs, "jobs-dlq")
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    url, arn = make_queue(sqs, RedrivePolicy=redrive)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker")
    cloud.settle()
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    cloud.settle()
    assert counts(sqs, url) == (0, 1)  # in flight after the failed attempt
    cloud.clock.advance(30)  # visible again: second attempt
    assert counts(sqs, url) == (0, 1)
    cloud.clock.advance(30)  # a third receive would exceed maxReceiveCount: to the DLQ
    assert counts(sqs, url) == (0, 0)
    [message] = sqs.receive_message(QueueUrl=dlq_url)["Messages"]
    assert message["Body"] == "poison"
    logs = boto3.client("logs", region_name="eu-west-1")
    runs = logs.filter_log_events(logGroupName="/aws/lambda/worker", filterPattern='"batch of"')[
        "events"
    ]
    assert len(runs) == 2


def test_partial_batch_response_keeps_only_the_failed_items(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, FAILS_ON_BAD)
    url, arn = make_queue(sqs)
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", FunctionResponseTypes=["ReportBatchItemFailures"]
    )
    cloud.settle()
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": str(i), "MessageBody": body} for i, body in enumerate(["ok1", "bad", "ok2"])
        ],
    )
    cloud.settle()
    assert counts(sqs, url) == (0, 1)
    cloud.clock.advance(30)
    assert [p["body"] for p in printed()].count("bad") == 2
    assert [p["body"] for p in printed()].count("ok1") == 1


def test_filter_criteria_drop_and_delete_unmatched_messages(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, RECORDER)
    url, arn = make_queue(sqs)
    lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="worker",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]},
    )
    cloud.settle()
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "order", "id": 1}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "refund", "id": 2}))
    sqs.send_message(QueueUrl=url, MessageBody="not json")
    cloud.settle()
    assert [json.loads(p["body"])["id"] for p in printed()] == [1]
    assert counts(sqs, url) == (0, 0)  # the filtered-out messages are deleted too


def test_batching_window_waits_for_a_fuller_batch(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, RECORDER)
    url, arn = make_queue(sqs)
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", BatchSize=50, MaximumBatchingWindowInSeconds=5
    )
    cloud.settle()
    sqs.send_message(QueueUrl=url, MessageBody="first")
    cloud.settle()
    assert printed() == []
    cloud.clock.advance(2)
    sqs.send_message(QueueUrl=url, MessageBody="second")
    cloud.settle()
    assert printed() == []
    cloud.clock.advance(3)  # the window closes: one batch with both
    assert sorted(p["body"] for p in printed()) == ["first", "second"]
    invocations = cloud.calls.where(service="lambda")
    assert not [c for c in invocations if c.operation == "Invoke"]  # the poller, not a client


def test_disabled_mapping_does_not_poll(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, RECORDER)
    url, arn = make_queue(sqs)
    uuid = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", Enabled=False
    )["UUID"]
    cloud.settle()
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    sqs.send_message(QueueUrl=url, MessageBody="waiting")
    cloud.settle()
    assert printed() == []
    updated = lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    assert updated["State"] == "Enabling"
    cloud.settle()
    assert [p["body"] for p in printed()] == ["waiting"]


def test_validation(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, RECORDER, timeout=60)
    _, arn = make_queue(sqs)
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker")
    assert exc.value.response["Error"]["Message"] == (
        "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"
    )
    make_function(cloud, lam, RECORDER, name="quick", timeout=3)
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="quick", BatchSize=20)
    assert exc.value.response["Error"]["Message"] == (
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
        "greater than 10"
    )
    missing = arn.replace(":jobs", ":nope")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        lam.create_event_source_mapping(EventSourceArn=missing, FunctionName="quick")
    assert "NonExistentQueue" in exc.value.response["Error"]["Message"]
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="nobody")
    assert exc.value.response["Error"]["Message"] == "Function does not exist"
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="quick")["UUID"]
    with pytest.raises(lam.exceptions.ResourceConflictException) as exc:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="quick")
    assert uuid in exc.value.response["Error"]["Message"]
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_event_source_mapping(
            EventSourceArn=arn,
            FunctionName="quick",
            FilterCriteria={"Filters": [{"Pattern": "{not json"}]},
        )


def test_list_get_delete(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, RECORDER)
    _, first = make_queue(sqs, "a")
    _, second = make_queue(sqs, "b")
    one = lam.create_event_source_mapping(EventSourceArn=first, FunctionName="worker")["UUID"]
    lam.create_event_source_mapping(EventSourceArn=second, FunctionName="worker")
    cloud.settle()
    listed = lam.list_event_source_mappings(FunctionName="worker")["EventSourceMappings"]
    assert {m["EventSourceArn"] for m in listed} == {first, second}
    only = lam.list_event_source_mappings(EventSourceArn=first)["EventSourceMappings"]
    assert [m["UUID"] for m in only] == [one]
    page = lam.list_event_source_mappings(MaxItems=1)
    assert len(page["EventSourceMappings"]) == 1 and "NextMarker" in page
    assert lam.delete_event_source_mapping(UUID=one)["State"] == "Deleting"
    cloud.settle()
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID=one)


def test_fifo_queue_keeps_group_order(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, RECORDER)
    url, arn = make_queue(sqs, "jobs.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker", BatchSize=2)
    cloud.settle()
    for i in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g")
    cloud.settle()
    assert [p["body"] for p in printed()] == [f"m{i}" for i in range(5)]


def test_response_types_and_scaling_are_validated(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, RECORDER)
    _, arn = make_queue(sqs)
    with pytest.raises(lam.exceptions.ClientError) as exc:
        lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName="worker", FunctionResponseTypes=["Bogus"]
        )
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(lam.exceptions.ClientError) as exc:
        lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName="worker", ScalingConfig={"MaximumConcurrency": 5000}
        )
    assert "less than or equal to 1000" in exc.value.response["Error"]["Message"]


def test_a_deleted_mapping_stops_listening_to_its_queue(cloud, clients):
    lam, sqs = clients
    make_function(cloud, lam, RECORDER)
    url, arn = make_queue(sqs)
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker")["UUID"]
    cloud.settle()
    lam.delete_event_source_mapping(UUID=uuid)
    cloud.settle()
    sqs.send_message(QueueUrl=url, MessageBody="after delete")
    cloud.settle()
    assert printed() == []
    assert counts(sqs, url) == (1, 0)
    assert not [t for t in cloud.scheduler.pending if "poller" in t.name]
