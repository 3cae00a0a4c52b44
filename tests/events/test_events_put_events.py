"""PutEvents: validation, per-entry errors, routing to rules, buses by name or ARN."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

import boto3
import pytest
from botocore.exceptions import ClientError
from event_helpers import ACCOUNT, REGION, drain, error, put, route_to_queue

from fakeaws.errors import AWSError


def entry(**overrides):
    return {"Source": "my.app", "DetailType": "order.created", "Detail": '{"id": 1}', **overrides}


def test_per_entry_errors_and_the_rest_delivered(cloud, events, sqs):
    url = route_to_queue(events, sqs)
    response = events.put_events(
        Entries=[
            entry(),
            {"DetailType": "x", "Detail": "{}"},
            {"Source": "my.app", "Detail": "{}"},
            {"Source": "my.app", "DetailType": "x"},
            entry(Detail='"a string"'),
            entry(Detail="[1, 2]"),
            entry(Detail="{not json"),
            entry(Source="aws.s3"),
            entry(Detail='{"id": 2}'),
        ]
    )
    assert response["FailedEntryCount"] == 7
    results = response["Entries"]
    assert "EventId" in results[0] and "EventId" in results[8]
    assert results[1:8] == [
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument.",
        },
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter DetailType is not valid. Reason: DetailType is a required "
            "argument.",
        },
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter Detail is not valid. Reason: Detail is a required argument.",
        },
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        {
            "ErrorCode": "NotAuthorizedForSourceException",
            "ErrorMessage": "Not authorized for the source.",
        },
    ]
    cloud.settle()
    bodies = [json.loads(b) for b in drain(sqs, url)]
    assert [b["detail"] for b in bodies] == [{"id": 1}, {"id": 2}]
    assert [b["id"] for b in bodies] == [results[0]["EventId"], results[8]["EventId"]]


def test_more_than_ten_entries(events):
    with pytest.raises(ClientError) as exc:
        events.put_events(Entries=[entry()] * 11)
    code, message = error(exc)
    assert code == "ValidationException"
    one = (
        "PutEventsRequestEntry(time=null, source=my.app, resources=null, "
        'detailType=order.created, detail={"id": 1}, eventBusName=null, traceHeader=null, '
        "kmsKeyIdentifier=null, internalMetadata=null)"
    )
    assert message == (
        f"1 validation error detected: Value '[{', '.join([one] * 11)}]' at 'entries' failed to "
        "satisfy constraint: Member must have length less than or equal to 10"
    )


def test_total_size_limit(events):
    # 14 (Time) + len(Source) + len(DetailType) + len(Detail) + resources, all entries together
    detail = json.dumps({"x": "y" * (262_144 - 14 - 6 - 13 - 9)})
    at = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert len(detail) + 14 + 6 + 13 == 262_144
    events.put_events(Entries=[entry(Detail=detail, Time=at)])
    with pytest.raises(ClientError) as exc:
        events.put_events(Entries=[entry(Detail=detail, Time=at, Resources=["a"])])
    assert error(exc) == (
        "ValidationException",
        "Total size of the entries in the request is over the limit.",
    )


def test_time_resources_and_trace_header(cloud, events, sqs):
    url = route_to_queue(events, sqs)
    at = datetime(2023, 5, 6, 7, 8, 9, 500000, tzinfo=timezone.utc)
    put(events, Time=at, Resources=["arn:a", "arn:b"], TraceHeader="Root=1-abc")
    cloud.settle()
    [body] = drain(sqs, url)
    event = json.loads(body)
    assert event["time"] == "2023-05-06T07:08:09Z"
    assert event["resources"] == ["arn:a", "arn:b"]


def test_only_matching_enabled_rules_receive(cloud, events, sqs):
    url = route_to_queue(events, sqs, pattern={"detail": {"amount": [{"numeric": [">=", 100]}]}})
    put(events, detail={"amount": 99})
    put(events, detail={"amount": 100})
    events.disable_rule(Name="to-queue")
    put(events, detail={"amount": 500})
    cloud.settle()
    assert [json.loads(b)["detail"] for b in drain(sqs, url)] == [{"amount": 100}]


def test_custom_bus_by_name_or_arn(cloud, events, sqs):
    arn = events.create_event_bus(Name="shop")["EventBusArn"]
    url = route_to_queue(events, sqs, bus="shop")
    put(events, detail={"to": "default"})
    put(events, detail={"to": "name"}, EventBusName="shop")
    put(events, detail={"to": "arn"}, EventBusName=arn)
    cloud.settle()
    assert [json.loads(b)["detail"]["to"] for b in drain(sqs, url)] == ["name", "arn"]


def test_a_bus_that_does_not_exist_drops_the_event(cloud, events, sqs):
    url = route_to_queue(events, sqs)
    response = events.put_events(Entries=[entry(), entry(EventBusName="nope")])
    assert response["FailedEntryCount"] == 0
    assert all("EventId" in e for e in response["Entries"])
    cloud.settle()
    assert len(drain(sqs, url)) == 1


def test_cross_account_bus_arn(cloud, events):
    other = cloud.session(account_id="111122223333", region=REGION)
    their_events = other.client("events")
    their_sqs = other.client("sqs")
    their_events.create_event_bus(Name="central")
    url = route_to_queue(their_events, their_sqs, bus="central")
    bus_arn = f"arn:aws:events:{REGION}:111122223333:event-bus/central"
    put(events, EventBusName=bus_arn)
    cloud.settle()
    [body] = drain(their_sqs, url)
    assert json.loads(body)["account"] == ACCOUNT  # the sender's account


def test_bus_to_bus_across_accounts_and_regions(cloud, events, sqs):
    other = cloud.session(account_id="111122223333", region="us-east-1")
    their_events = other.client("events")
    their_sqs = other.client("sqs")
    their_events.create_event_bus(Name="central")
    url = route_to_queue(their_events, their_sqs, bus="central")
    events.put_rule(Name="forward", EventPattern='{"source": ["my.app"]}')
    events.put_targets(
        Rule="forward",
        Targets=[{"Id": "bus", "Arn": "arn:aws:events:us-east-1:111122223333:event-bus/central"}],
    )
    event_id = put(events, detail={"n": 1})
    cloud.settle()
    [body] = drain(their_sqs, url)
    event = json.loads(body)
    assert (event["id"], event["account"], event["region"]) == (event_id, ACCOUNT, REGION)
    assert event["detail"] == {"n": 1}


def test_a_third_account_hop_is_refused(cloud, events, sqs):
    second = cloud.session(account_id="111111111111").client("events")
    third = cloud.session(account_id="222222222222")
    third.client("events").create_event_bus(Name="c")
    third_url = route_to_queue(third.client("events"), third.client("sqs"), bus="c")
    second.create_event_bus(Name="b")
    second.put_rule(Name="on", EventBusName="b", EventPattern='{"source": ["my.app"]}')
    second.put_targets(
        Rule="on",
        EventBusName="b",
        Targets=[{"Id": "c", "Arn": f"arn:aws:events:{REGION}:222222222222:event-bus/c"}],
    )
    events.put_rule(Name="on", EventPattern='{"source": ["my.app"]}')
    events.put_targets(
        Rule="on", Targets=[{"Id": "b", "Arn": f"arn:aws:events:{REGION}:111111111111:event-bus/b"}]
    )
    put(events)
    cloud.settle()
    assert drain(third.client("sqs"), third_url) == []


def test_put_events_from_another_region_client(cloud, events, sqs):
    url = route_to_queue(events, sqs)
    boto3.client("events", region_name="us-east-1").put_events(Entries=[entry()])
    cloud.settle()
    assert drain(sqs, url) == []  # us-east-1's default bus, not eu-west-1's


def test_concurrent_put_events_lose_and_duplicate_nothing(cloud, events, sqs):
    url = route_to_queue(events, sqs)
    clients = [cloud.session().client("events") for _ in range(4)]

    def send(client, worker):
        for n in range(25):
            client.put_events(Entries=[entry(Detail=json.dumps({"w": worker, "n": n}))])

    threads = [threading.Thread(target=send, args=(c, i)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cloud.settle()
    details = [json.loads(b)["detail"] for b in drain(sqs, url)]
    assert sorted((d["w"], d["n"]) for d in details) == [
        (w, n) for w in range(4) for n in range(25)
    ]


def test_put_internal_for_other_services(cloud, events, sqs):
    url = route_to_queue(events, sqs, pattern={"source": ["aws.s3"]})
    backend = cloud.backend("events", ACCOUNT, REGION)
    event_id = backend.put_internal(
        "default",
        {
            "Source": "aws.s3",
            "DetailType": "Object Created",
            "Detail": json.dumps({"bucket": {"name": "b"}}),
            "Resources": ["arn:aws:s3:::b"],
        },
    )
    cloud.settle()
    [body] = drain(sqs, url)
    event = json.loads(body)
    assert (event["id"], event["source"], event["resources"]) == (
        event_id,
        "aws.s3",
        ["arn:aws:s3:::b"],
    )
    with pytest.raises(AWSError) as exc:
        backend.put_internal("nope", entry())
    assert str(exc.value) == "ResourceNotFoundException: Event bus nope does not exist."
