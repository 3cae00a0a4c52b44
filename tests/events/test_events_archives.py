"""Archives and replays."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from event_helpers import ACCOUNT, REGION, START, drain, error, put, route_to_queue

BUS_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
ARCHIVE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:archive"


def test_create_describe_list_update_delete(events):
    created = events.create_archive(
        ArchiveName="all",
        EventSourceArn=BUS_ARN,
        Description="everything",
        RetentionDays=1,
    )
    assert created["ArchiveArn"] == f"{ARCHIVE_ARN}/all"
    assert created["State"] == "ENABLED"
    assert created["CreationTime"] == START
    described = events.describe_archive(ArchiveName="all")
    described.pop("ResponseMetadata")
    assert described == {
        "ArchiveArn": f"{ARCHIVE_ARN}/all",
        "ArchiveName": "all",
        "EventSourceArn": BUS_ARN,
        "Description": "everything",
        "State": "ENABLED",
        "RetentionDays": 1,
        "SizeBytes": 0,
        "EventCount": 0,
        "CreationTime": START,
    }
    [listed] = events.list_archives()["Archives"]
    assert listed["ArchiveName"] == "all"
    assert "ArchiveArn" not in listed
    pattern = json.dumps({"source": ["my.app"]})
    updated = events.update_archive(ArchiveName="all", EventPattern=pattern, RetentionDays=7)
    assert updated["ArchiveArn"] == f"{ARCHIVE_ARN}/all"
    assert events.describe_archive(ArchiveName="all")["EventPattern"] == pattern
    assert events.describe_archive(ArchiveName="all")["RetentionDays"] == 7
    events.delete_archive(ArchiveName="all")
    assert events.list_archives()["Archives"] == []
    assert events.list_rules()["Rules"] == []


def test_archive_errors(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.create_archive(ArchiveName="a", EventSourceArn=f"{BUS_ARN}-nope")
    assert error(exc)[1] == "Event bus default-nope does not exist."
    events.create_archive(ArchiveName="a", EventSourceArn=BUS_ARN)
    with pytest.raises(events.exceptions.ResourceAlreadyExistsException) as exc:
        events.create_archive(ArchiveName="a", EventSourceArn=BUS_ARN)
    assert error(exc)[1] == "Archive a already exists."
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.describe_archive(ArchiveName="b")
    assert error(exc)[1] == "Archive b does not exist."
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.delete_archive(ArchiveName="b")
    assert error(exc)[1] == "Archive b does not exist."
    with pytest.raises(ClientError) as exc:
        events.create_archive(ArchiveName="x" * 49, EventSourceArn=BUS_ARN)
    assert (
        "at 'archiveName' failed to satisfy constraint: Member must have length less than "
        in (error(exc)[1])
    )
    with pytest.raises(ClientError) as exc:
        events.list_archives(NamePrefix="a", State="ENABLED")
    assert error(exc) == (
        "ValidationException",
        "At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or "
        "NamePrefix.",
    )
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.list_archives(EventSourceArn=f"{BUS_ARN}-nope")
    assert error(exc)[1] == "Event bus default-nope does not exist."
    with pytest.raises(events.exceptions.InvalidEventPatternException):
        events.create_archive(ArchiveName="p", EventSourceArn=BUS_ARN, EventPattern='{"a": 1}')


def test_update_of_a_missing_archive_is_an_internal_error(events):
    with pytest.raises(events.exceptions.InternalException) as exc:
        events.update_archive(ArchiveName="nope", Description="x")
    assert error(exc)[1] == "Service encountered unexpected problem. Please try again."


def test_the_archive_rule_is_managed(events):
    events.create_archive(
        ArchiveName="all", EventSourceArn=BUS_ARN, EventPattern='{"source": ["my.app"]}'
    )
    [rule] = events.list_rules()["Rules"]
    assert rule["Name"] == "Events-Archive-all"
    assert rule["ManagedBy"] == "prod.vhs.events.aws.internal"
    assert json.loads(rule["EventPattern"]) == {
        "source": ["my.app"],
        "replay-name": [{"exists": False}],
    }
    for call in (
        lambda: events.disable_rule(Name="Events-Archive-all"),
        lambda: events.delete_rule(Name="Events-Archive-all"),
        lambda: events.put_rule(Name="Events-Archive-all", EventPattern='{"source": ["x"]}'),
        lambda: events.put_targets(
            Rule="Events-Archive-all", Targets=[{"Id": "t", "Arn": "arn:aws:sqs:eu-west-1:1:q"}]
        ),
        lambda: events.tag_resource(ResourceARN=rule["Arn"], Tags=[{"Key": "a", "Value": "b"}]),
    ):
        with pytest.raises(events.exceptions.ManagedRuleException):
            call()


def test_events_are_archived_with_their_time_and_retention(cloud, events):
    events.create_archive(
        ArchiveName="mine",
        EventSourceArn=BUS_ARN,
        EventPattern=json.dumps({"source": ["my.app"]}),
        RetentionDays=1,
    )
    put(events)
    put(events, source="other.app")
    cloud.clock.advance(3600)
    put(events)
    archive = events.describe_archive(ArchiveName="mine")
    assert archive["EventCount"] == 2
    assert archive["SizeBytes"] > 0
    cloud.clock.advance(86400 - 1800)  # the first event is older than a day
    assert events.describe_archive(ArchiveName="mine")["EventCount"] == 1


def replay(events, name="again", start=START, end=None, **destination):
    return events.start_replay(
        ReplayName=name,
        Description="once more",
        EventSourceArn=f"{ARCHIVE_ARN}/all",
        EventStartTime=start,
        EventEndTime=end or START + timedelta(hours=2),
        Destination={"Arn": BUS_ARN, **destination},
    )


def test_replay_sends_archived_events_back_with_their_replay_name(cloud, events, sqs):
    events.create_archive(ArchiveName="all", EventSourceArn=BUS_ARN)
    url = route_to_queue(events, sqs)
    first = put(events, detail={"n": 1})
    cloud.clock.advance(60)
    put(events, detail={"n": 2})
    cloud.clock.advance(7200)
    put(events, detail={"n": 3})  # after EventEndTime
    cloud.settle()
    drain(sqs, url)
    started = replay(events)
    assert started["State"] == "STARTING"
    assert started["ReplayArn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:replay/again"
    cloud.settle()
    bodies = [json.loads(b) for b in drain(sqs, url)]
    assert [b["detail"]["n"] for b in bodies] == [1, 2]
    assert bodies[0]["id"] == first
    assert list(bodies[0])[6:9] == ["region", "replay-name", "resources"]
    assert {b["replay-name"] for b in bodies} == {"again"}
    described = events.describe_replay(ReplayName="again")
    assert described["State"] == "COMPLETED"
    assert described["EventLastReplayedTime"] == START + timedelta(seconds=60)
    assert described["Destination"] == {"Arn": BUS_ARN}
    assert "ReplayEndTime" in described
    assert events.describe_archive(ArchiveName="all")["EventCount"] == 3  # not re-archived
    [listed] = events.list_replays()["Replays"]
    assert listed["ReplayName"] == "again"
    assert listed["State"] == "COMPLETED"


def test_replay_to_chosen_rules(cloud, events, sqs):
    events.create_archive(ArchiveName="all", EventSourceArn=BUS_ARN)
    url_a = route_to_queue(events, sqs, rule="a", queue="a")
    url_b = route_to_queue(events, sqs, rule="b", queue="b")
    put(events)
    cloud.settle()
    drain(sqs, url_a), drain(sqs, url_b)
    rule_a = events.describe_rule(Name="a")["Arn"]
    replay(events, FilterArns=[rule_a])
    cloud.settle()
    assert len(drain(sqs, url_a)) == 1
    assert drain(sqs, url_b) == []


def test_replay_runs_on_the_virtual_clock_and_can_be_cancelled(cloud, events, sqs):
    cloud.settings.events.replay_start_delay = 30
    cloud.settings.events.replay_event_interval = 10
    events.create_archive(ArchiveName="all", EventSourceArn=BUS_ARN)
    url = route_to_queue(events, sqs)
    for n in range(3):
        put(events, detail={"n": n})
    cloud.settle()
    drain(sqs, url)
    replay(events)
    assert events.describe_replay(ReplayName="again")["State"] == "STARTING"
    cloud.clock.advance(30)
    assert events.describe_replay(ReplayName="again")["State"] == "RUNNING"
    assert len(drain(sqs, url)) == 1
    cancelled = events.cancel_replay(ReplayName="again")
    assert cancelled["State"] == "CANCELLING"
    cloud.clock.advance(60)
    assert events.describe_replay(ReplayName="again")["State"] == "CANCELLED"
    assert drain(sqs, url) == []
    with pytest.raises(events.exceptions.IllegalStatusException) as exc:
        events.cancel_replay(ReplayName="again")
    assert error(exc)[1] == "Replay again is not in a valid state for this operation."


def test_replay_errors(cloud, events):
    events.create_archive(ArchiveName="all", EventSourceArn=BUS_ARN)
    with pytest.raises(ClientError) as exc:
        replay(events, end=START)
    assert error(exc) == (
        "ValidationException",
        "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
    )
    with pytest.raises(ClientError) as exc:
        events.start_replay(
            ReplayName="r",
            EventSourceArn=f"{ARCHIVE_ARN}/nope",
            EventStartTime=START,
            EventEndTime=START + timedelta(hours=1),
            Destination={"Arn": BUS_ARN},
        )
    assert error(exc) == (
        "ValidationException",
        "Parameter EventSourceArn is not valid. Reason: Archive nope does not exist.",
    )
    events.create_event_bus(Name="other")
    with pytest.raises(ClientError) as exc:
        events.start_replay(
            ReplayName="r",
            EventSourceArn=f"{ARCHIVE_ARN}/all",
            EventStartTime=START,
            EventEndTime=START + timedelta(hours=1),
            Destination={"Arn": f"{BUS_ARN[:-7]}other"},
        )
    assert error(exc) == (
        "ValidationException",
        "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
    )
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.start_replay(
            ReplayName="r",
            EventSourceArn=f"{ARCHIVE_ARN}/all",
            EventStartTime=START,
            EventEndTime=START + timedelta(hours=1),
            Destination={"Arn": f"{BUS_ARN[:-7]}missing"},
        )
    assert error(exc)[1] == "Event bus missing does not exist."
    replay(events)
    with pytest.raises(events.exceptions.ResourceAlreadyExistsException) as exc:
        replay(events)
    assert error(exc)[1] == "Replay again already exists."
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.describe_replay(ReplayName="nope")
    assert error(exc)[1] == "Replay nope does not exist."


def test_ten_active_replays_at_most(cloud, events):
    cloud.settings.events.replay_start_delay = 3600
    events.create_archive(ArchiveName="all", EventSourceArn=BUS_ARN)
    for i in range(10):
        replay(events, name=f"r{i}")
    with pytest.raises(events.exceptions.LimitExceededException) as exc:
        replay(events, name="r10")
    assert error(exc)[1] == "The requested resource exceeds the maximum number allowed."
    assert len(events.list_replays(State="STARTING")["Replays"]) == 10
    page = events.list_replays(NamePrefix="r", Limit=4)
    assert [r["ReplayName"] for r in page["Replays"]] == ["r0", "r1", "r2", "r3"]
