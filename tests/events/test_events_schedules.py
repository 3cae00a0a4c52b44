"""Scheduled rules firing on the virtual clock."""

from __future__ import annotations

import json

from event_helpers import ACCOUNT, REGION, drain, make_queue


def scheduled(events, sqs, expression, name="tick", **extra):
    url, arn = make_queue(sqs, name)
    events.put_rule(Name=name, ScheduleExpression=expression, **extra)
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    return url


def times(sqs, url) -> list[str]:
    return [json.loads(b)["time"] for b in drain(sqs, url)]


def test_rate_fires_every_period_from_creation(cloud, events, sqs):
    url = scheduled(events, sqs, "rate(5 minutes)")  # created at 23:58:30
    cloud.clock.advance(299)
    assert drain(sqs, url) == []
    cloud.clock.advance(1)
    [body] = drain(sqs, url)
    event = json.loads(body)
    assert event == {
        "version": "0",
        "id": event["id"],
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2024-02-29T00:03:30Z",
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/tick"],
        "detail": {},
    }
    cloud.clock.advance(3600)
    assert len(drain(sqs, url)) == 12


def test_cron_fires_on_its_minutes_across_the_leap_day(cloud, events, sqs):
    url = scheduled(events, sqs, "cron(0 12 L * ? *)")  # noon on the last day of the month
    cloud.clock.advance(86400)  # (SQS keeps messages four days: drain as time goes)
    assert times(sqs, url) == ["2024-02-29T12:00:00Z"]
    cloud.clock.advance(30 * 86400)
    assert times(sqs, url) == []
    cloud.clock.advance(2 * 86400)
    assert times(sqs, url) == ["2024-03-31T12:00:00Z"]


def test_cron_every_fifteen_minutes(cloud, events, sqs):
    url = scheduled(events, sqs, "cron(0/15 * * * ? *)")
    cloud.clock.advance(3600)
    assert times(sqs, url) == [
        "2024-02-29T00:00:00Z",
        "2024-02-29T00:15:00Z",
        "2024-02-29T00:30:00Z",
        "2024-02-29T00:45:00Z",
    ]


def test_disabled_and_deleted_rules_stop_firing(cloud, events, sqs):
    url = scheduled(events, sqs, "rate(1 minute)")
    cloud.clock.advance(60)
    assert len(drain(sqs, url)) == 1
    events.disable_rule(Name="tick")
    cloud.clock.advance(600)
    assert drain(sqs, url) == []
    events.enable_rule(Name="tick")  # the rate starts again from now
    cloud.clock.advance(59)
    assert drain(sqs, url) == []
    cloud.clock.advance(1)
    assert len(drain(sqs, url)) == 1
    events.delete_rule(Name="tick", Force=True)
    cloud.clock.advance(600)
    assert drain(sqs, url) == []


def test_changing_the_schedule_replaces_it(cloud, events, sqs):
    url = scheduled(events, sqs, "rate(1 hour)")
    cloud.clock.advance(1800)
    events.put_rule(Name="tick", ScheduleExpression="rate(1 day)")
    cloud.clock.advance(3600)
    assert drain(sqs, url) == []
    # PutRule with the same schedule keeps the running one
    events.put_rule(Name="tick", ScheduleExpression="rate(1 day)", Description="same")
    cloud.clock.advance(86400 - 3600)
    assert times(sqs, url) == ["2024-03-01T00:28:30Z"]  # a day after the change


def test_a_rule_with_a_pattern_and_a_schedule(cloud, events, sqs):
    url = scheduled(
        events, sqs, "rate(10 minutes)", EventPattern=json.dumps({"source": ["my.app"]})
    )
    events.put_events(Entries=[{"Source": "my.app", "DetailType": "x", "Detail": "{}"}])
    cloud.clock.advance(600)
    sources = sorted(json.loads(b)["source"] for b in drain(sqs, url))
    assert sources == ["aws.events", "my.app"]


def test_a_scheduled_event_reaches_only_its_rule(cloud, events, sqs):
    scheduled(events, sqs, "rate(1 minute)")
    other_url, other_arn = make_queue(sqs, "all")
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["aws.events"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": other_arn}])
    cloud.clock.advance(120)
    assert drain(sqs, other_url) == []


def test_input_on_a_scheduled_target(cloud, events, sqs):
    url, arn = make_queue(sqs)
    events.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")
    events.put_targets(
        Rule="tick",
        Targets=[
            {
                "Id": "q",
                "Arn": arn,
                "InputTransformer": {
                    "InputPathsMap": {"at": "$.time"},
                    "InputTemplate": '{"fired": <at>, "rule": <aws.events.rule-name>}',
                },
            }
        ],
    )
    cloud.clock.advance(60)
    assert drain(sqs, url) == ['{"fired":"2024-02-28T23:59:30Z","rule":"tick"}']


def test_snapshots_keep_the_schedule(cloud, events, sqs):
    url = scheduled(events, sqs, "rate(1 minute)")
    snap = cloud.snapshot()
    cloud.clock.advance(60)
    assert len(drain(sqs, url)) == 1
    cloud.restore(snap)  # the queue is empty again; the firing due at +60 s is pending
    cloud.settle()
    assert len(drain(sqs, url)) == 1
