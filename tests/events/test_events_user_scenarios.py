"""What applications really do with EventBridge, observed through boto3 clients.

Rules with input transformers feeding queues, schedules driven by the virtual
clock, events sent across accounts and regions, PutEvents with some bad
entries, retries into a dead-letter queue, snapshots with deliveries pending
and producers on several threads.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError
from event_helpers import ACCOUNT, REGION, START, drain, make_queue

from fakeaws import mock_serverless

OTHER = "210987654321"


def order_event(order_id="o-1", total=42.5, **extra):
    detail = {"id": order_id, "total": total, "customer": {"id": "c-9", "tier": "gold"}, **extra}
    return {"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": json.dumps(detail)}


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- input transformation into queues --------------------------------------------------------------
def test_input_transformer_builds_the_message_a_worker_expects(cloud, events, sqs):
    url, arn = make_queue(sqs, "billing")
    events.put_rule(
        Name="gold-orders",
        EventPattern=json.dumps(
            {
                "source": ["shop.orders"],
                "detail": {"customer": {"tier": ["gold"]}, "total": [{"numeric": [">", 10]}]},
            }
        ),
    )
    events.put_targets(
        Rule="gold-orders",
        Targets=[
            {
                "Id": "json",
                "Arn": arn,
                "InputTransformer": {
                    "InputPathsMap": {
                        "id": "$.detail.id",
                        "total": "$.detail.total",
                        "customer": "$.detail.customer",
                        "time": "$.time",
                        "coupon": "$.detail.coupon",
                    },
                    "InputTemplate": (
                        '{"order": <id>, "amount": <total>, "customer": <customer>, '
                        '"note": "order <id> at <time>", "coupon": <coupon>, '
                        '"rule": <aws.events.rule-name>, '
                        '"ingested": <aws.events.event.ingestion-time>}'
                    ),
                },
            },
        ],
    )
    events.put_events(
        Entries=[
            order_event("o-1", 42.5),
            order_event("o-2", 5),  # too small
            {**order_event("o-3"), "Source": "shop.returns"},
        ]
    )
    [body] = drain(sqs, url)
    assert json.loads(body) == {
        "order": "o-1",
        "amount": 42.5,
        "customer": {"id": "c-9", "tier": "gold"},
        "note": f"order o-1 at {iso(START)}",
        "coupon": "",
        "rule": "gold-orders",
        "ingested": iso(START),
    }


def test_text_templates_input_path_and_constant_input(cloud, events, sqs):
    url, arn = make_queue(sqs, "texts")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(
        Rule="orders",
        Targets=[
            {
                "Id": "text",
                "Arn": arn,
                "InputTransformer": {
                    "InputPathsMap": {"id": "$.detail.id", "tier": "$.detail.customer.tier"},
                    "InputTemplate": '"Order <id> placed by a <tier> customer"',
                },
            },
            {"Id": "path", "Arn": arn, "InputPath": "$.detail.customer"},
            {"Id": "constant", "Arn": arn, "Input": '{"kind": "wake-up"}'},
        ],
    )
    events.put_events(Entries=[order_event("o-7")])
    assert sorted(drain(sqs, url)) == sorted(
        [
            '"Order o-7 placed by a gold customer"',
            '{"id":"c-9","tier":"gold"}',
            '{"kind": "wake-up"}',
        ]
    )


def test_event_delivered_untransformed_has_the_aws_envelope(cloud, events, sqs):
    url, arn = make_queue(sqs, "raw")
    events.put_rule(Name="all", EventPattern=json.dumps({"source": [{"prefix": "shop."}]}))
    events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": arn}])
    when = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
    result = events.put_events(
        Entries=[{**order_event(), "Resources": ["arn:aws:s3:::bucket"], "Time": when}]
    )
    [body] = drain(sqs, url)
    assert list(json.loads(body)) == [
        "version", "id", "detail-type", "source", "account",
        "time", "region", "resources", "detail",
    ]  # fmt: skip
    assert json.loads(body) == {
        "version": "0",
        "id": result["Entries"][0]["EventId"],
        "detail-type": "OrderPlaced",
        "source": "shop.orders",
        "account": ACCOUNT,
        "time": "2024-01-02T03:04:05Z",
        "region": REGION,
        "resources": ["arn:aws:s3:::bucket"],
        "detail": {"id": "o-1", "total": 42.5, "customer": {"id": "c-9", "tier": "gold"}},
    }
    assert " " not in body.replace("Order", "")  # minified, as targets receive it


@pytest.mark.parametrize(
    "given",
    ["2024-01-02T03:04:05Z", "2024-01-02T04:04:05+01:00", 1704164645, "1704164645"],
)
def test_put_events_time_in_every_form_botocore_accepts(cloud, events, sqs, given):
    url, arn = make_queue(sqs, "timed")
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": arn, "InputPath": "$.time"}])
    response = events.put_events(Entries=[{**order_event(), "Time": given}])
    assert response["FailedEntryCount"] == 0
    assert drain(sqs, url) == ['"2024-01-02T03:04:05Z"']


# -- PutEvents with bad entries --------------------------------------------------------------------
def test_put_events_partial_failure_keeps_the_order_of_entries(cloud, events, sqs):
    url, arn = make_queue(sqs, "ok")
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": arn, "InputPath": "$.detail.id"}])
    response = events.put_events(
        Entries=[
            order_event("good-1"),
            {"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": "[1, 2]"},
            {"Source": "shop.orders", "DetailType": "OrderPlaced"},
            {"Source": "aws.s3", "DetailType": "Object Created", "Detail": "{}"},
            order_event("good-2"),
        ]
    )
    assert response["FailedEntryCount"] == 3
    entries = response["Entries"]
    assert "EventId" in entries[0] and "EventId" in entries[4]
    assert entries[1] == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert entries[2]["ErrorCode"] == "InvalidArgument"
    assert entries[3]["ErrorCode"] == "NotAuthorizedForSourceException"
    assert sorted(drain(sqs, url)) == ['"good-1"', '"good-2"']


def test_put_events_to_a_missing_bus_is_accepted_and_dropped(cloud, events, sqs):
    response = events.put_events(Entries=[{**order_event(), "EventBusName": "no-such-bus"}])
    assert response["FailedEntryCount"] == 0
    assert "EventId" in response["Entries"][0]


# -- schedules on the virtual clock ----------------------------------------------------------------
def test_scheduled_rules_fire_as_the_clock_advances(cloud, events, sqs):
    url, arn = make_queue(sqs, "ticks")
    events.put_rule(Name="hourly", ScheduleExpression="rate(1 hour)")
    events.put_rule(Name="noon", ScheduleExpression="cron(0 12 * * ? *)")
    for rule in ("hourly", "noon"):
        events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    rule_arn = events.describe_rule(Name="noon")["Arn"]
    cloud.clock.advance(3 * 3600)  # START is 23:58:30: three hourly firings, no noon yet
    fired = [json.loads(b) for b in drain(sqs, url)]
    assert [e["time"] for e in fired] == [iso(START + timedelta(hours=n)) for n in (1, 2, 3)]
    assert {e["detail-type"] for e in fired} == {"Scheduled Event"}
    assert {e["source"] for e in fired} == {"aws.events"}
    assert fired[0]["detail"] == {}
    cloud.clock.advance(12 * 3600)
    noon = [json.loads(b) for b in drain(sqs, url) if "noon" in b]
    assert [(e["time"], e["resources"]) for e in noon] == [("2024-02-29T12:00:00Z", [rule_arn])]

    events.disable_rule(Name="hourly")
    events.disable_rule(Name="noon")
    cloud.clock.advance(2 * 86400)
    assert drain(sqs, url) == []
    events.enable_rule(Name="hourly")  # a rate schedule restarts from the enabling
    cloud.clock.advance(3599)
    assert drain(sqs, url) == []
    cloud.clock.advance(1)
    assert len(drain(sqs, url)) == 1


def test_a_schedule_survives_snapshot_and_restore(cloud, events, sqs):
    url, arn = make_queue(sqs, "ticks")
    events.put_rule(Name="every-minute", ScheduleExpression="rate(1 minute)")
    events.put_targets(Rule="every-minute", Targets=[{"Id": "q", "Arn": arn}])
    snap = cloud.snapshot()
    events.delete_rule(Name="every-minute", Force=True)
    cloud.clock.advance(600)
    assert drain(sqs, url) == []
    cloud.restore(snap)
    cloud.clock.advance(180)
    assert len(drain(sqs, url)) >= 3


# -- across accounts and regions -------------------------------------------------------------------
def test_event_sent_to_another_accounts_bus_reaches_its_rules(cloud, events):
    other = cloud.session(OTHER, REGION)
    other_events = other.client("events")
    other_sqs = other.client("sqs")
    other_events.create_event_bus(Name="central")
    central = other_events.describe_event_bus(Name="central")["Arn"]
    other_events.put_permission(
        EventBusName="central", Action="events:PutEvents", Principal=ACCOUNT, StatementId="shop"
    )
    url = other_sqs.create_queue(QueueName="audit")["QueueUrl"]
    audit_arn = f"arn:aws:sqs:{REGION}:{OTHER}:audit"
    other_events.put_rule(
        Name="audit", EventBusName="central", EventPattern=json.dumps({"source": ["shop.orders"]})
    )
    other_events.put_targets(
        Rule="audit", EventBusName="central", Targets=[{"Id": "q", "Arn": audit_arn}]
    )

    # This account forwards its orders to the central bus with a rule...
    events.put_rule(Name="forward", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(Rule="forward", Targets=[{"Id": "central", "Arn": central}])
    events.put_events(Entries=[order_event("via-rule")])
    # ...and also puts events there directly, by ARN.
    events.put_events(Entries=[{**order_event("direct"), "EventBusName": central}])

    bodies = [json.loads(m["Body"]) for m in drain(other_sqs, url, attributes=True)]
    assert sorted(b["detail"]["id"] for b in bodies) == ["direct", "via-rule"]
    assert {b["account"] for b in bodies} == {ACCOUNT}  # the sender's account stays


def test_rule_forwarding_to_a_bus_in_another_region(cloud, events):
    west = boto3.client("events", region_name="us-west-2")
    west_sqs = boto3.client("sqs", region_name="us-west-2")
    url = west_sqs.create_queue(QueueName="replica")["QueueUrl"]
    west.put_rule(Name="all", EventPattern=json.dumps({"source": ["shop.orders"]}))
    west.put_targets(
        Rule="all",
        Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:us-west-2:{ACCOUNT}:replica"}],
    )
    events.put_rule(Name="replicate", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(
        Rule="replicate",
        Targets=[{"Id": "west", "Arn": f"arn:aws:events:us-west-2:{ACCOUNT}:event-bus/default"}],
    )
    events.put_events(Entries=[order_event("o-9")])
    [body] = drain(west_sqs, url)
    event = json.loads(body)
    assert event["detail"]["id"] == "o-9"
    assert event["region"] == REGION  # the region the event was put in


# -- failures, retries and dead-letter queues ------------------------------------------------------
def test_deleted_target_queue_sends_the_event_to_the_dlq_with_the_reason(cloud, events, sqs):
    url, arn = make_queue(sqs, "gone")
    dlq_url, dlq_arn = make_queue(sqs, "rule-dlq")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(
        Rule="r",
        Targets=[{"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn}}],
    )
    sqs.delete_queue(QueueUrl=url)
    event_id = events.put_events(Entries=[order_event()])["Entries"][0]["EventId"]
    [dead] = drain(sqs, dlq_url, attributes=True)
    assert json.loads(dead["Body"])["id"] == event_id
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "NO_RESOURCE"
    assert attributes["RULE_ARN"] == events.describe_rule(Name="r")["Arn"]
    assert attributes["TARGET_ARN"] == arn
    assert attributes["RETRY_ATTEMPTS"] == "0"


# -- snapshots and threads -------------------------------------------------------------------------
def test_snapshot_with_a_delivery_pending(cloud, events, sqs):
    url, arn = make_queue(sqs, "q")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn, "InputPath": "$.detail.id"}])
    events.put_events(Entries=[order_event("pending")])
    snap = cloud.snapshot()
    assert drain(sqs, url) == ['"pending"']
    cloud.restore(snap)
    assert drain(sqs, url) == ['"pending"']
    assert drain(sqs, url) == []


def test_producers_on_several_threads():
    with mock_serverless(region=REGION):
        events = boto3.client("events", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        url, arn = make_queue(sqs, "q")
        events.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop.orders"]}))
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn, "InputPath": "$.detail.id"}])
        errors = []

        def produce(p):
            client = boto3.client("events", region_name=REGION)
            try:
                for n in range(0, 50, 10):
                    entries = [order_event(f"{p}-{n + i}") for i in range(10)]
                    assert client.put_events(Entries=entries)["FailedEntryCount"] == 0
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=produce, args=(p,)) for p in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        got = sorted(json.loads(b) for b in drain(sqs, url))
        assert got == sorted(f"{p}-{n}" for p in range(4) for n in range(50))


# -- odd input -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern",
    [
        "",
        "[]",
        "{",
        '{"source": "not-a-list"}',
        '{"detail": {"n": [{"numeric": ["<"]}]}}',
        '{"a": [{"wildcard": "***"}]}',
        json.dumps({"a": [{"anything-but": []}]}),
    ],
)
def test_invalid_event_patterns_are_aws_errors(events, pattern):
    with pytest.raises(ClientError) as exc:
        events.put_rule(Name="r", EventPattern=pattern)
    assert exc.value.response["Error"]["Code"] in (
        "InvalidEventPatternException",
        "ValidationException",
    )


DEEP = '{"a":' * 5000 + "1" + "}" * 5000  # deeper than EventBridge's parser accepts


def test_deeply_nested_or_non_standard_json_is_an_aws_error(events, sqs):
    response = events.put_events(
        Entries=[
            {**order_event(), "Detail": DEEP},
            order_event("fine"),
            {**order_event(), "Detail": '{"total": NaN}'},
            {**order_event(), "Detail": '{"total": -Infinity}'},
        ]
    )
    assert response["FailedEntryCount"] == 3
    malformed = {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert [response["Entries"][n] for n in (0, 2, 3)] == [malformed] * 3
    with pytest.raises(ClientError) as exc:
        events.test_event_pattern(EventPattern='{"source": ["s"]}', Event=DEEP)
    assert exc.value.response["Error"]["Message"] == "Parameter Event is not valid."
    with pytest.raises(ClientError) as exc:
        events.put_permission(Policy=DEEP)
    assert exc.value.response["Error"]["Message"] == "This policy contains invalid Json"
    _, arn = make_queue(sqs, "q")
    events.put_rule(Name="r", EventPattern='{"source": ["s"]}')
    with pytest.raises(ClientError) as exc:
        events.put_targets(
            Rule="r", Targets=[{"Id": "t", "Arn": arn, "Input": "[" * 4000 + "]" * 4000}]
        )
    assert exc.value.response["Error"]["Message"] == "Input for target t is not a valid JSON text."


@pytest.mark.parametrize("statement", ['"x"', "[1]", "null"])
def test_bus_policy_whose_statements_are_not_objects_is_refused(events, statement):
    with pytest.raises(ClientError) as exc:
        events.put_permission(Policy=f'{{"Version": "2012-10-17", "Statement": {statement}}}')
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    # and the bus's policy still works with the statement operations
    events.put_permission(Action="events:PutEvents", Principal="111111111111", StatementId="s")
    events.remove_permission(StatementId="s")


def test_bus_policy_with_a_single_statement_object(events):
    statement = {
        "Sid": "one",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "events:PutEvents",
        "Resource": "*",
    }
    events.put_permission(Policy=json.dumps({"Version": "2012-10-17", "Statement": statement}))
    events.put_permission(Action="events:PutEvents", Principal=OTHER, StatementId="two")
    policy = json.loads(events.describe_event_bus()["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["one", "two"]
    events.remove_permission(StatementId="one")
    events.remove_permission(StatementId="two")
    assert "Policy" not in events.describe_event_bus()
