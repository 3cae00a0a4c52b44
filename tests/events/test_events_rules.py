"""Rules: PutRule, DescribeRule, ListRules, DeleteRule, Enable/Disable, TestEventPattern."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from event_helpers import ACCOUNT, REGION, error

PATTERN = json.dumps({"source": ["my.app"], "detail-type": ["order.created"]})
RULE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:rule"


def test_put_describe_list_delete(events):
    arn = events.put_rule(Name="orders", EventPattern=PATTERN, Description="d")["RuleArn"]
    assert arn == f"{RULE_ARN}/orders"
    described = events.describe_rule(Name="orders")
    described.pop("ResponseMetadata")
    assert described == {
        "Name": "orders",
        "Arn": arn,
        "EventPattern": PATTERN,
        "State": "ENABLED",
        "Description": "d",
        "EventBusName": "default",
        "CreatedBy": ACCOUNT,
    }
    [listed] = events.list_rules()["Rules"]
    assert listed["Name"] == "orders"
    assert listed["EventPattern"] == PATTERN
    assert "CreatedBy" not in listed
    events.delete_rule(Name="orders")
    events.delete_rule(Name="orders")  # deleting what is gone succeeds
    assert events.list_rules()["Rules"] == []
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.describe_rule(Name="orders")
    assert error(exc)[1] == "Rule orders does not exist on EventBus default."


def test_rules_on_a_custom_bus(events):
    events.create_event_bus(Name="shop")
    arn = events.put_rule(Name="r", EventBusName="shop", EventPattern=PATTERN)["RuleArn"]
    assert arn == f"{RULE_ARN}/shop/r"
    bus_arn = events.describe_event_bus(Name="shop")["Arn"]
    assert events.describe_rule(Name="r", EventBusName=bus_arn)["EventBusName"] == "shop"
    assert events.list_rules()["Rules"] == []
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.describe_rule(Name="r")
    assert error(exc)[1] == "Rule r does not exist on EventBus default."
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.put_rule(Name="r", EventBusName="nope", EventPattern=PATTERN)
    assert error(exc)[1] == "Event bus nope does not exist."


def test_put_rule_replaces_the_rule_but_keeps_targets(events):
    events.put_rule(Name="r", EventPattern=PATTERN, Description="d", RoleArn="arn:aws:iam::1:r")
    events.put_targets(
        Rule="r",
        Targets=[{"Id": "t", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"}],
    )
    events.put_rule(Name="r", EventPattern=PATTERN, State="DISABLED")
    rule = events.describe_rule(Name="r")
    assert rule["State"] == "DISABLED"
    assert "Description" not in rule
    assert "RoleArn" not in rule
    assert [t["Id"] for t in events.list_targets_by_rule(Rule="r")["Targets"]] == ["t"]


def test_put_rule_validation(events):
    def put_rule(**kwargs):
        with pytest.raises(ClientError) as exc:
            events.put_rule(**kwargs)
        return error(exc)

    assert put_rule(Name="r") == (
        "ValidationException",
        "Parameter(s) EventPattern or ScheduleExpression must be specified.",
    )
    assert put_rule(Name="r", ScheduleExpression="rate(1 minutes)") == (
        "ValidationException",
        "Parameter ScheduleExpression is not valid.",
    )
    events.create_event_bus(Name="shop")
    assert put_rule(Name="r", EventBusName="shop", ScheduleExpression="rate(1 minute)") == (
        "ValidationException",
        "ScheduleExpression is supported only on the default event bus.",
    )
    code, message = put_rule(Name="r", EventPattern='{"source": "my.app"}')
    assert code == "InvalidEventPatternException"
    assert message.startswith("Event pattern is not valid. Reason: ")
    assert put_rule(Name="bad name", EventPattern=PATTERN) == (
        "ValidationException",
        "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    )
    code, message = put_rule(Name="r", EventPattern=PATTERN, State="ON", Description="x" * 513)
    assert code == "ValidationException"
    assert message.startswith("2 validation errors detected: ")
    assert "at 'state' failed to satisfy constraint: Member must satisfy enum value" in message
    assert "at 'description' failed to satisfy constraint: Member must have length" in message
    assert events.list_rules()["Rules"] == []


def test_list_rules_prefix_and_pagination(events):
    for name in ["b-2", "a-1", "b-1", "b-3", "c-1"]:
        events.put_rule(Name=name, EventPattern=PATTERN)
    assert [r["Name"] for r in events.list_rules()["Rules"]] == ["a-1", "b-1", "b-2", "b-3", "c-1"]
    first = events.list_rules(NamePrefix="b-", Limit=2)
    assert [r["Name"] for r in first["Rules"]] == ["b-1", "b-2"]
    rest = events.list_rules(NamePrefix="b-", Limit=2, NextToken=first["NextToken"])
    assert [r["Name"] for r in rest["Rules"]] == ["b-3"]
    assert "NextToken" not in rest
    paginator = events.get_paginator("list_rules")
    names = [r["Name"] for page in paginator.paginate(Limit=2) for r in page["Rules"]]
    assert names == ["a-1", "b-1", "b-2", "b-3", "c-1"]
    with pytest.raises(ClientError) as exc:
        events.list_rules(NextToken="garbage")
    assert error(exc)[0] == "ValidationException"


def test_delete_rule_with_targets_needs_force(events):
    events.put_rule(Name="r", EventPattern=PATTERN)
    events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"}])
    with pytest.raises(ClientError) as exc:
        events.delete_rule(Name="r")
    assert error(exc) == ("ValidationException", "Rule can't be deleted since it has targets.")
    events.delete_rule(Name="r", Force=True)
    assert events.list_rules()["Rules"] == []


def test_enable_disable(events):
    events.put_rule(Name="r", EventPattern=PATTERN)
    events.disable_rule(Name="r")
    assert events.describe_rule(Name="r")["State"] == "DISABLED"
    events.enable_rule(Name="r")
    assert events.describe_rule(Name="r")["State"] == "ENABLED"
    trail = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    events.put_rule(Name="c", EventPattern=PATTERN, State=trail)
    assert events.describe_rule(Name="c")["State"] == trail
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.enable_rule(Name="nope")
    assert error(exc)[1] == "Rule nope does not exist on EventBus default."


def test_list_rule_names_by_target(events):
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"
    for name in ["c", "a", "b"]:
        events.put_rule(Name=name, EventPattern=PATTERN)
    for name in ["c", "a"]:
        events.put_targets(Rule=name, Targets=[{"Id": "t", "Arn": queue}])
    assert events.list_rule_names_by_target(TargetArn=queue)["RuleNames"] == ["a", "c"]
    page = events.list_rule_names_by_target(TargetArn=queue, Limit=1)
    assert page["RuleNames"] == ["a"]
    page = events.list_rule_names_by_target(TargetArn=queue, Limit=1, NextToken=page["NextToken"])
    assert page["RuleNames"] == ["c"]
    assert events.list_rule_names_by_target(TargetArn=f"{queue}-other")["RuleNames"] == []


def test_rules_per_bus_limit(cloud, events):
    cloud.settings.events.max_rules_per_bus = 2
    events.put_rule(Name="a", EventPattern=PATTERN)
    events.put_rule(Name="b", EventPattern=PATTERN)
    events.put_rule(Name="a", EventPattern=PATTERN)  # an update is not a new rule
    with pytest.raises(events.exceptions.LimitExceededException) as exc:
        events.put_rule(Name="c", EventPattern=PATTERN)
    assert error(exc)[1] == "The requested resource exceeds the maximum number allowed."


EVENT = {
    "id": "e1",
    "account": ACCOUNT,
    "source": "my.app",
    "time": "2024-01-01T00:00:00Z",
    "region": REGION,
    "resources": [],
    "detail-type": "order.created",
    "detail": {"amount": 150},
}


def test_test_event_pattern(events):
    def match(pattern, event=EVENT):
        return events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))

    assert match({"source": ["my.app"]})["Result"] is True
    assert match({"source": ["other"]})["Result"] is False
    assert match({"detail": {"amount": [{"numeric": [">", 100]}]}})["Result"] is True
    assert match({"detail": {"amount": [{"numeric": [">", 200]}]}})["Result"] is False
    without_resources = {k: v for k, v in EVENT.items() if k != "resources"}
    assert match({"source": ["my.app"]}, without_resources)["Result"] is True


@pytest.mark.parametrize("missing", ["id", "account", "source", "time", "region", "detail-type"])
def test_test_event_pattern_needs_the_envelope(events, missing):
    event = {k: v for k, v in EVENT.items() if k != missing}
    with pytest.raises(ClientError) as exc:
        events.test_event_pattern(EventPattern='{"source": ["my.app"]}', Event=json.dumps(event))
    assert error(exc) == ("ValidationException", "Parameter Event is not valid.")


def test_test_event_pattern_errors(events):
    with pytest.raises(ClientError) as exc:
        events.test_event_pattern(EventPattern='{"source": ["a"]}', Event="not json")
    assert error(exc) == ("ValidationException", "Parameter Event is not valid.")
    with pytest.raises(events.exceptions.InvalidEventPatternException) as exc:
        events.test_event_pattern(EventPattern='{"source": []}', Event=json.dumps(EVENT))
    assert error(exc)[1].startswith("Event pattern is not valid. Reason: ")
