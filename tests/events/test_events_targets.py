"""Targets: PutTargets, RemoveTargets, ListTargetsByRule."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from event_helpers import ACCOUNT, REGION, error

from fakeaws.errors import UnsupportedOperation

QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"
PATTERN = '{"source": ["my.app"]}'


@pytest.fixture
def rule(events):
    events.put_rule(Name="r", EventPattern=PATTERN)
    return "r"


def test_put_list_remove(events, rule):
    target = {
        "Id": "t1",
        "Arn": QUEUE,
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120},
        "DeadLetterConfig": {"Arn": f"{QUEUE}-dlq"},
    }
    response = events.put_targets(Rule=rule, Targets=[target])
    assert (response["FailedEntryCount"], response["FailedEntries"]) == (0, [])
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == [target]
    # the same id replaces the target
    events.put_targets(Rule=rule, Targets=[{"Id": "t1", "Arn": f"{QUEUE}-2"}])
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == [{"Id": "t1", "Arn": f"{QUEUE}-2"}]
    response = events.remove_targets(Rule=rule, Ids=["t1", "nope"])
    assert response["FailedEntryCount"] == 1
    assert response["FailedEntries"] == [
        {
            "TargetId": "nope",
            "ErrorCode": "ResourceNotFoundException",
            "ErrorMessage": "Rule 'r' does not have a target with the Id 'nope'.",
        }
    ]
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == []


def test_five_targets_per_rule(events, rule):
    events.put_targets(Rule=rule, Targets=[{"Id": f"t{i}", "Arn": QUEUE} for i in range(4)])
    with pytest.raises(events.exceptions.LimitExceededException) as exc:
        events.put_targets(
            Rule=rule, Targets=[{"Id": "t4", "Arn": QUEUE}, {"Id": "t5", "Arn": QUEUE}]
        )
    assert error(exc)[1] == "The requested resource exceeds the maximum number allowed."
    assert len(events.list_targets_by_rule(Rule=rule)["Targets"]) == 4
    events.put_targets(Rule=rule, Targets=[{"Id": "t0", "Arn": QUEUE}, {"Id": "t4", "Arn": QUEUE}])
    page = events.list_targets_by_rule(Rule=rule, Limit=3)
    assert [t["Id"] for t in page["Targets"]] == ["t0", "t1", "t2"]
    page = events.list_targets_by_rule(Rule=rule, Limit=3, NextToken=page["NextToken"])
    assert [t["Id"] for t in page["Targets"]] == ["t3", "t4"]


def test_target_ids_are_validated(events, rule):
    with pytest.raises(ClientError) as exc:
        events.put_targets(Rule=rule, Targets=[{"Id": "!@#$@!#$", "Arn": QUEUE}])
    assert error(exc) == (
        "ValidationException",
        "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    )
    with pytest.raises(ClientError) as exc:
        events.put_targets(
            Rule=rule, Targets=[{"Id": "ok", "Arn": QUEUE}, {"Id": "x" * 65, "Arn": QUEUE}]
        )
    assert error(exc)[1] == (
        f"1 validation error detected: Value '{'x' * 65}' at 'targets.2.member.id' failed to "
        "satisfy constraint: Member must have length less than or equal to 64"
    )
    with pytest.raises(ClientError) as exc:
        events.put_targets(
            Rule=rule,
            Targets=[{"Id": "t", "Arn": QUEUE, "RetryPolicy": {"MaximumRetryAttempts": 186}}],
        )
    assert "Member must have value less than or equal to 185" in error(exc)[1]


def test_per_entry_failures(events, rule):
    response = events.put_targets(
        Rule=rule,
        Targets=[
            {"Id": "ok", "Arn": QUEUE},
            {"Id": "bad-arn", "Arn": "not-an-arn"},
            {"Id": "fifo", "Arn": f"{QUEUE}.fifo"},
            {"Id": "dlq", "Arn": QUEUE, "DeadLetterConfig": {"Arn": f"{QUEUE}.fifo"}},
        ],
    )
    assert response["FailedEntryCount"] == 3
    assert response["FailedEntries"] == [
        {
            "TargetId": "bad-arn",
            "ErrorCode": "ValidationException",
            "ErrorMessage": "Parameter not-an-arn is not valid. Reason: Provided Arn is not in "
            "correct format.",
        },
        {
            "TargetId": "fifo",
            "ErrorCode": "ValidationException",
            "ErrorMessage": "Parameter(s) SqsParameters must be specified for target: fifo.",
        },
        {
            "TargetId": "dlq",
            "ErrorCode": "ValidationException",
            "ErrorMessage": f"Parameter DeadLetterConfig.Arn is not valid. Reason: {QUEUE}.fifo "
            "is not the ARN of a standard Amazon SQS queue.",
        },
    ]
    assert [t["Id"] for t in events.list_targets_by_rule(Rule=rule)["Targets"]] == ["ok"]
    events.put_targets(
        Rule=rule,
        Targets=[{"Id": "fifo", "Arn": f"{QUEUE}.fifo", "SqsParameters": {"MessageGroupId": "g"}}],
    )


def test_target_kinds(events, rule):
    kinds = [
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f:live",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f:3",
        f"arn:aws:sns:{REGION}:{ACCOUNT}:topic",
        "arn:aws:events:us-east-1:111122223333:event-bus/central",
        f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:flow",
    ]
    events.put_targets(
        Rule=rule, Targets=[{"Id": f"t{i}", "Arn": a} for i, a in enumerate(kinds)][:5]
    )
    with pytest.raises(UnsupportedOperation):
        events.put_targets(
            Rule=rule, Targets=[{"Id": "k", "Arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s"}]
        )


def test_unknown_rule_or_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.put_targets(Rule="nope", Targets=[{"Id": "t", "Arn": QUEUE}])
    assert error(exc)[1] == "Rule nope does not exist on EventBus default."
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.list_targets_by_rule(Rule="nope", EventBusName="shop")
    assert error(exc)[1] == "Event bus shop does not exist."
