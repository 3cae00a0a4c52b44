"""Delivery to targets: retries with back-off, retry policies, dead-letter queues, Lambda."""

from __future__ import annotations

import json
import textwrap

import boto3
import pytest
from event_helpers import ACCOUNT, REGION, drain, make_queue, put

from fakeaws.errors import UnsupportedOperation

ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/events"
RULE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r"


@pytest.fixture
def no_jitter(cloud):
    cloud.settings.events.retry_jitter = False
    cloud.settings.events.retry_base_delay = 10.0


def failing_fifo(sqs):
    """A FIFO queue without content-based deduplication: EventBridge's sends fail."""
    return make_queue(sqs, "orders.fifo", FifoQueue="true")


def target_to(events, arn, **extra):
    events.put_rule(Name="r", EventPattern='{"source": ["my.app"]}')
    events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": arn, **extra}])


def attributes(message) -> dict[str, str]:
    return {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}


def test_retries_back_off_until_the_target_accepts(cloud, events, sqs, no_jitter):
    url, arn = failing_fifo(sqs)
    target_to(events, arn, SqsParameters={"MessageGroupId": "g"})
    put(events)
    cloud.settle()  # attempt 1 fails; the retry is due 10 s later, the next 20 s after that
    cloud.clock.advance(10)  # attempt 2 fails
    assert drain(sqs, url) == []
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})
    cloud.clock.advance(19)
    assert drain(sqs, url) == []
    cloud.clock.advance(1)  # attempt 3, at +30 s
    [body] = drain(sqs, url)
    assert json.loads(body)["source"] == "my.app"


def test_retry_attempts_exhausted_go_to_the_dead_letter_queue(cloud, events, sqs, no_jitter):
    _, arn = failing_fifo(sqs)
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    target_to(
        events,
        arn,
        SqsParameters={"MessageGroupId": "g"},
        RetryPolicy={"MaximumRetryAttempts": 2},
        DeadLetterConfig={"Arn": dlq_arn},
    )
    event_id = put(events, detail={"n": 1})
    cloud.clock.advance(25)
    assert drain(sqs, dlq_url) == []  # attempts at 0 and +10; the third is at +30
    cloud.clock.advance(5)
    [message] = drain(sqs, dlq_url, attributes=True)
    event = json.loads(message["Body"])
    assert (event["id"], event["detail"]) == (event_id, {"n": 1})
    found = attributes(message)
    assert found.pop("ERROR_MESSAGE")
    assert found == {
        "RULE_ARN": RULE_ARN,
        "TARGET_ARN": arn,
        "ERROR_CODE": "SDK_CLIENT_ERROR",
        "RETRY_ATTEMPTS": "2",
        "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
    }


def test_maximum_event_age(cloud, events, sqs, no_jitter):
    _, arn = failing_fifo(sqs)
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    target_to(
        events,
        arn,
        SqsParameters={"MessageGroupId": "g"},
        RetryPolicy={"MaximumEventAgeInSeconds": 60},
        DeadLetterConfig={"Arn": dlq_arn},
    )
    put(events)
    cloud.settle(within=3600)
    [message] = drain(sqs, dlq_url, attributes=True)
    found = attributes(message)
    assert found["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    assert found["RETRY_ATTEMPTS"] == "2"  # at 0, +10, +30; the next (+70) is past 60 s


def test_a_missing_target_goes_to_the_dead_letter_queue_at_once(cloud, events, sqs):
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:gone"
    target_to(events, missing, DeadLetterConfig={"Arn": dlq_arn})
    put(events)
    cloud.settle()
    [message] = drain(sqs, dlq_url, attributes=True)
    found = attributes(message)
    assert found["ERROR_CODE"] == "NO_RESOURCE"
    assert found["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in found
    assert cloud.scheduler.pending == []  # nothing left to retry


def test_without_a_dead_letter_queue_the_event_is_dropped(cloud, events, sqs, no_jitter):
    url, arn = failing_fifo(sqs)
    target_to(
        events, arn, SqsParameters={"MessageGroupId": "g"}, RetryPolicy={"MaximumRetryAttempts": 0}
    )
    put(events)
    cloud.settle(within=3600)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})
    cloud.settle(within=3600)
    assert drain(sqs, url) == []


def test_fifo_queue_target_with_content_based_deduplication(cloud, events, sqs):
    url, arn = make_queue(sqs, "orders.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    target_to(events, arn, SqsParameters={"MessageGroupId": "orders"})
    put(events, detail={"n": 1})
    put(events, detail={"n": 2})
    cloud.settle()
    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["MessageGroupId"]
    )["Messages"]
    assert [json.loads(m["Body"])["detail"]["n"] for m in messages] == [1, 2]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"orders"}


def test_sns_topic_target(cloud, events, sqs):
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="orders")["TopicArn"]
    url, queue_arn = make_queue(sqs, "subscriber")
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    target_to(events, topic)
    put(events, detail={"n": 7})
    cloud.settle()
    [body] = drain(sqs, url)
    assert json.loads(body)["detail"] == {"n": 7}


def make_function(cloud, name="handler", source=None):
    lam = boto3.client("lambda", region_name=REGION)
    source = source or textwrap.dedent(
        """
        import json
        def handler(event, context):
            print("EVENT " + json.dumps(event))
            return event
        """
    )
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="lambda_function.handler",
        Code={"ZipFile": cloud.lambda_zip(source=source)},
    )["FunctionArn"]
    cloud.settle()
    return lam, arn


def received_by(name="handler") -> list:
    logs = boto3.client("logs", region_name=REGION)
    try:
        found = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [json.loads(e["message"][6:]) for e in found if e["message"].startswith("EVENT ")]


def test_lambda_function_and_alias_targets(cloud, events):
    lam, arn = make_function(cloud)
    version = lam.publish_version(FunctionName="handler")["Version"]
    lam.create_alias(FunctionName="handler", Name="live", FunctionVersion=version)
    events.put_rule(Name="r", EventPattern='{"source": ["my.app"]}')
    events.put_targets(
        Rule="r",
        Targets=[
            {"Id": "plain", "Arn": arn},
            {"Id": "alias", "Arn": f"{arn}:live", "InputPath": "$.detail"},
        ],
    )
    event_id = put(events, detail={"n": 1})
    cloud.settle()
    received = received_by()
    assert len(received) == 2
    assert {"n": 1} in received
    [whole] = [r for r in received if "detail" in r]
    assert whole["id"] == event_id


def test_a_deleted_function_is_a_delivery_failure(cloud, events, sqs):
    lam, arn = make_function(cloud)
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    events.put_rule(Name="r", EventPattern='{"source": ["my.app"]}')
    events.put_targets(
        Rule="r",
        Targets=[
            {"Id": "fn", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn}},
            {"Id": "alias", "Arn": f"{arn}:nope", "DeadLetterConfig": {"Arn": dlq_arn}},
        ],
    )
    lam.delete_function(FunctionName="handler")
    put(events)
    cloud.settle()
    messages = drain(sqs, dlq_url, attributes=True)
    assert sorted(attributes(m)["TARGET_ARN"] for m in messages) == [arn, f"{arn}:nope"]
    assert {attributes(m)["ERROR_CODE"] for m in messages} == {"NO_RESOURCE"}


def test_lambda_destination_to_an_event_bus(cloud, events, sqs):
    lam, arn = make_function(cloud)
    bus_arn = events.create_event_bus(Name="results")["EventBusArn"]
    url, queue_arn = make_queue(sqs)
    events.put_rule(
        Name="results",
        EventBusName="results",
        EventPattern=json.dumps(
            {"source": ["lambda"], "detail-type": ["Lambda Function Invocation Result - Success"]}
        ),
    )
    events.put_targets(
        Rule="results", EventBusName="results", Targets=[{"Id": "q", "Arn": queue_arn}]
    )
    lam.put_function_event_invoke_config(
        FunctionName="handler", DestinationConfig={"OnSuccess": {"Destination": bus_arn}}
    )
    lam.invoke(FunctionName="handler", InvocationType="Event", Payload=b'{"order": 5}')
    cloud.settle()
    [body] = drain(sqs, url)
    event = json.loads(body)
    assert event["source"] == "lambda"
    assert event["detail-type"] == "Lambda Function Invocation Result - Success"
    assert event["resources"] == [bus_arn, f"{arn}:$LATEST"]
    assert event["account"] == ACCOUNT
    assert event["detail"]["requestPayload"] == {"order": 5}
    assert event["detail"]["responsePayload"] == {"order": 5}
    assert event["detail"]["requestContext"]["condition"] == "Success"


def test_scheduled_rule_invokes_a_function(cloud, events):
    _, arn = make_function(cloud)
    events.put_rule(Name="nightly", ScheduleExpression="cron(0 0 * * ? *)")
    events.put_targets(Rule="nightly", Targets=[{"Id": "fn", "Arn": arn}])
    cloud.clock.advance(90)  # START is 23:58:30; midnight passes
    cloud.settle()
    [event] = received_by()
    assert event["detail-type"] == "Scheduled Event"
    assert event["time"] == "2024-02-29T00:00:00Z"
    assert event["resources"] == [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly"]


def test_a_pending_retry_survives_a_snapshot(cloud, events, sqs, no_jitter):
    url, arn = failing_fifo(sqs)
    target_to(events, arn, SqsParameters={"MessageGroupId": "g"})
    put(events)
    cloud.settle()  # the first attempt failed; a retry is pending
    snap = cloud.snapshot()
    cloud.restore(snap)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})
    cloud.clock.advance(10)
    assert len(drain(sqs, url)) == 1


def test_a_state_machine_target_fails_loudly_without_step_functions(cloud, events):
    events.put_rule(Name="r", EventPattern='{"source": ["my.app"]}')
    events.put_targets(
        Rule="r",
        Targets=[{"Id": "sfn", "Arn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:flow"}],
    )
    put(events)
    with pytest.raises(UnsupportedOperation):
        cloud.settle()


def test_lambda_failure_destination_to_an_event_bus(cloud, events, sqs):
    lam, arn = make_function(
        cloud, source="def handler(event, context):\n    raise ValueError('no')\n"
    )
    bus_arn = events.create_event_bus(Name="results")["EventBusArn"]
    url, queue_arn = make_queue(sqs)
    events.put_rule(Name="failed", EventBusName="results", EventPattern='{"source": ["lambda"]}')
    events.put_targets(
        Rule="failed", EventBusName="results", Targets=[{"Id": "q", "Arn": queue_arn}]
    )
    lam.put_function_event_invoke_config(
        FunctionName="handler",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": bus_arn}},
    )
    lam.invoke(FunctionName="handler", InvocationType="Event", Payload=b"{}")
    cloud.settle()
    [body] = drain(sqs, url)
    event = json.loads(body)
    assert event["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert event["detail"]["requestContext"]["condition"] == "RetriesExhausted"
