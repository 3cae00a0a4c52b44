"""Event buses: default and custom, policies, tags."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from event_helpers import ACCOUNT, REGION, START, error

BUS_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus"


def test_default_bus_exists_and_cannot_be_created_or_deleted(events):
    bus = events.describe_event_bus()
    assert bus["Name"] == "default"
    assert bus["Arn"] == f"{BUS_ARN}/default"
    assert "Policy" not in bus
    assert events.describe_event_bus(Name="default")["Arn"] == bus["Arn"]
    assert events.describe_event_bus(Name=bus["Arn"])["Name"] == "default"
    with pytest.raises(events.exceptions.ResourceAlreadyExistsException) as exc:
        events.create_event_bus(Name="default")
    assert error(exc)[1] == "Event bus default already exists."
    with pytest.raises(ClientError) as exc:
        events.delete_event_bus(Name="default")
    assert error(exc) == ("ValidationException", "Cannot delete event bus default.")


def test_create_describe_list_delete(events, cloud):
    created = events.create_event_bus(
        Name="orders", Description="the orders", Tags=[{"Key": "team", "Value": "a"}]
    )
    assert created["EventBusArn"] == f"{BUS_ARN}/orders"
    assert created["Description"] == "the orders"
    bus = events.describe_event_bus(Name="orders")
    assert bus["Description"] == "the orders"
    assert bus["CreationTime"] == START
    listed = events.list_event_buses()["EventBuses"]
    assert [b["Name"] for b in listed] == ["default", "orders"]
    assert events.list_event_buses(NamePrefix="ord")["EventBuses"][0]["Arn"] == bus["Arn"]
    tags = events.list_tags_for_resource(ResourceARN=bus["Arn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "a"}]
    with pytest.raises(events.exceptions.ResourceAlreadyExistsException) as exc:
        events.create_event_bus(Name="orders")
    assert error(exc)[1] == "Event bus orders already exists."
    events.delete_event_bus(Name="orders")
    events.delete_event_bus(Name="orders")  # deleting what is gone succeeds
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.describe_event_bus(Name="orders")
    assert error(exc)[1] == "Event bus orders does not exist."


def test_bus_names(events):
    with pytest.raises(ClientError) as exc:
        events.create_event_bus(Name="a/b")
    assert error(exc) == ("ValidationException", "Event bus name must not contain '/'.")
    with pytest.raises(ClientError) as exc:
        events.create_event_bus(Name="bad name!")
    assert error(exc) == (
        "ValidationException",
        "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+",
    )
    with pytest.raises(ClientError) as exc:
        events.create_event_bus(Name="x" * 257)
    assert "Member must have length less than or equal to 256" in error(exc)[1]
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.create_event_bus(Name="aws.partner/x/y", EventSourceName="aws.partner/x/y")
    assert error(exc)[1] == "Event source aws.partner/x/y does not exist."


def test_list_pagination(events):
    for i in range(5):
        events.create_event_bus(Name=f"bus-{i}")
    first = events.list_event_buses(NamePrefix="bus-", Limit=2)
    assert [b["Name"] for b in first["EventBuses"]] == ["bus-0", "bus-1"]
    second = events.list_event_buses(NamePrefix="bus-", Limit=2, NextToken=first["NextToken"])
    assert [b["Name"] for b in second["EventBuses"]] == ["bus-2", "bus-3"]
    third = events.list_event_buses(NamePrefix="bus-", Limit=2, NextToken=second["NextToken"])
    assert [b["Name"] for b in third["EventBuses"]] == ["bus-4"]
    assert "NextToken" not in third
    with pytest.raises(ClientError) as exc:
        events.list_event_buses(Limit=101)
    assert "Member must have value less than or equal to 100" in error(exc)[1]


def test_update_event_bus(events, cloud):
    events.create_event_bus(Name="orders", Description="old")
    cloud.clock.advance(60)
    updated = events.update_event_bus(
        Name="orders",
        Description="new",
        DeadLetterConfig={"Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"},
    )
    assert updated["Description"] == "new"
    assert updated["DeadLetterConfig"] == {"Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"}
    bus = events.describe_event_bus(Name="orders")
    assert bus["Description"] == "new"
    assert (bus["LastModifiedTime"] - bus["CreationTime"]).total_seconds() == 60
    with pytest.raises(events.exceptions.ResourceNotFoundException):
        events.update_event_bus(Name="nope", Description="x")


def test_put_permission_renders_the_policy(events):
    events.create_event_bus(Name="shared")
    events.put_permission(
        EventBusName="shared", Action="events:PutEvents", Principal="111122223333", StatementId="a"
    )
    events.put_permission(
        EventBusName="shared",
        Action="events:PutEvents",
        Principal="*",
        StatementId="org",
        Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-123"},
    )
    policy = json.loads(events.describe_event_bus(Name="shared")["Policy"])
    arn = f"{BUS_ARN}/shared"
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "a",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "events:PutEvents",
                "Resource": arn,
            },
            {
                "Sid": "org",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "events:PutEvents",
                "Resource": arn,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}},
            },
        ],
    }
    listed = events.list_event_buses(NamePrefix="shared")["EventBuses"][0]
    assert json.loads(listed["Policy"]) == policy
    events.remove_permission(EventBusName="shared", StatementId="a")
    policy = json.loads(events.describe_event_bus(Name="shared")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["org"]
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.remove_permission(EventBusName="shared", StatementId="a")
    assert error(exc)[1] == "Statement with the provided id does not exist."
    events.remove_permission(EventBusName="shared", RemoveAllPermissions=True)
    assert "Policy" not in events.describe_event_bus(Name="shared")


def test_put_permission_with_a_policy_document_and_errors(events):
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "rules",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "events:ListRules",
                "Resource": "*",
            }
        ],
    }
    events.put_permission(Policy=json.dumps(document))
    assert json.loads(events.describe_event_bus()["Policy"]) == document
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.put_permission(
            EventBusName="nope", Action="events:PutEvents", Principal="*", StatementId="s"
        )
    assert error(exc)[1] == "Event bus nope does not exist."
    with pytest.raises(ClientError) as exc:
        events.put_permission(Action="events:PutEvents", Principal="12", StatementId="s")
    assert "at 'principal' failed to satisfy constraint" in error(exc)[1]
    with pytest.raises(ClientError) as exc:
        events.put_permission(Action="events:PutRule", Principal="*", StatementId="s")
    assert error(exc) == (
        "ValidationException",
        "Provided value in parameter 'action' is not supported.",
    )
    with pytest.raises(ClientError) as exc:
        events.put_permission(Policy="{not json")
    assert error(exc) == ("ValidationException", "This policy contains invalid Json")


def test_tags_on_buses_and_rules(events):
    events.create_event_bus(Name="orders")
    rule_arn = events.put_rule(
        Name="r",
        EventBusName="orders",
        EventPattern='{"source": ["x"]}',
        Tags=[{"Key": "a", "Value": "1"}],
    )["RuleArn"]
    assert rule_arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/orders/r"
    events.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "b", "Value": "2"}])
    assert events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "2"},
    ]
    events.untag_resource(ResourceARN=rule_arn, TagKeys=["a"])
    assert events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [
        {"Key": "b", "Value": "2"}
    ]
    # PutRule on an existing rule ignores Tags
    events.put_rule(
        Name="r",
        EventBusName="orders",
        EventPattern='{"source": ["x"]}',
        Tags=[{"Key": "c", "Value": "3"}],
    )
    assert events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [
        {"Key": "b", "Value": "2"}
    ]
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.list_tags_for_resource(ResourceARN=f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nope")
    assert error(exc)[1] == "Rule nope does not exist on EventBus default."
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.tag_resource(ResourceARN=f"{BUS_ARN}/nope", Tags=[{"Key": "a", "Value": "b"}])
    assert error(exc)[1] == "Event bus nope does not exist."


def test_deleting_a_bus_deletes_its_rules(events):
    events.create_event_bus(Name="orders")
    events.put_rule(Name="r", EventBusName="orders", EventPattern='{"source": ["x"]}')
    events.delete_event_bus(Name="orders")
    events.create_event_bus(Name="orders")
    assert events.list_rules(EventBusName="orders")["Rules"] == []
