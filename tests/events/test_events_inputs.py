"""What targets receive: the event, Input, InputPath and input transformers (through SQS)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from event_helpers import ACCOUNT, REGION, drain, error, make_queue, put, route_to_queue

EC2_DETAIL = {"instance-id": "i-0123456789", "state": "RUNNING", "count": 3, "tags": {"a": "b"}}
PATHS = {
    "instance": "$.detail.instance-id",
    "state": "$.detail.state",
    "count": "$.detail.count",
    "tags": "$.detail.tags",
    "missing": "$.detail.nope",
    "resource": "$.resources[0]",
}


def deliver(events, sqs, cloud, **target) -> list[str]:
    url = route_to_queue(events, sqs, **target)
    put(events, detail=EC2_DETAIL, Resources=["arn:aws:ec2:eu-west-1:123456789012:instance/i-1"])
    cloud.settle()
    return drain(sqs, url)


def test_the_event_as_aws_delivers_it(cloud, events, sqs):
    [body] = deliver(events, sqs, cloud)
    event = json.loads(body)
    assert list(event) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert event["version"] == "0"
    assert event["detail-type"] == "order.created"
    assert event["source"] == "my.app"
    assert event["account"] == ACCOUNT
    assert event["region"] == REGION
    assert event["time"] == "2024-02-28T23:58:30Z"
    assert event["resources"] == ["arn:aws:ec2:eu-west-1:123456789012:instance/i-1"]
    assert event["detail"] == EC2_DETAIL
    assert body == json.dumps(event, separators=(",", ":"))  # minified


def test_constant_input(cloud, events, sqs):
    assert deliver(events, sqs, cloud, Input='{"fixed": true}') == ['{"fixed": true}']


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.detail", EC2_DETAIL),
        ("$.detail.state", "RUNNING"),
        ("$.detail.count", 3),
        ("$.resources[0]", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1"),
        ("$.detail.*", ["i-0123456789", "RUNNING", 3, {"a": "b"}]),
    ],
)
def test_input_path(cloud, events, sqs, path, expected):
    [body] = deliver(events, sqs, cloud, InputPath=path)
    assert json.loads(body) == expected


def test_input_path_of_a_string_is_a_json_string(cloud, events, sqs):
    assert deliver(events, sqs, cloud, InputPath="$.detail.state") == ['"RUNNING"']


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # the examples of the input transformation guide
        ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
        (
            r'"instance \"<instance>\" is in <state>"',
            r'"instance \"i-0123456789\" is in RUNNING"',
        ),
        (
            '{"instance" : <instance>, "state": <state>}',
            '{"instance":"i-0123456789","state":"RUNNING"}',
        ),
        (
            '{"instance" : <instance>, "state": "<state>", '
            r'"instanceStatus": "instance \"<instance>\" is in <state>"}',
            '{"instance":"i-0123456789","state":"RUNNING",'
            r'"instanceStatus":"instance \"i-0123456789\" is in RUNNING"}',
        ),
        (
            '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
            '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}',
        ),
        ('"<aws.events.rule-name> triggered"', '"to-queue triggered"'),
        # bare values keep their JSON type; inside a string they are pasted raw
        ('{"n": <count>, "t": <tags>}', '{"n":3,"t":{"a":"b"}}'),
        ('{"s": "n=<count>"}', '{"s":"n=3"}'),
        # ...and not escaped: the result is no longer JSON, and is sent as it is
        ('{"s": "t=<tags>"}', '{"s": "t={"a":"b"}"}'),
        # a path missing from the event is the empty string
        ('{"m": <missing>, "s": "x<missing>y"}', '{"m":"","s":"xy"}'),
        ('"missing: <missing>."', '"missing: ."'),
        # not JSON at all: plain text, values pasted raw
        ("<instance> is in state <state>", "i-0123456789 is in state RUNNING"),
        (
            '"{[/starts with special characters <state>"',
            '"{[/starts with special characters RUNNING"',
        ),
        # an array template
        ("[<state>, <count>]", '["RUNNING",3]'),
        ("<resource>", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1"),
    ],
)
def test_input_transformer_quoting(cloud, events, sqs, template, expected):
    transformer = {"InputPathsMap": PATHS, "InputTemplate": template}
    assert deliver(events, sqs, cloud, InputTransformer=transformer) == [expected]


def test_predefined_variables(cloud, events, sqs):
    template = (
        '{"arn": <aws.events.rule-arn>, "name": <aws.events.rule-name>, '
        '"at": <aws.events.event.ingestion-time>, "event": <aws.events.event>, '
        '"json": <aws.events.event.json>}'
    )
    [body] = deliver(events, sqs, cloud, InputTransformer={"InputTemplate": template})
    out = json.loads(body)
    assert out["arn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/to-queue"
    assert out["name"] == "to-queue"
    assert out["at"] == "2024-02-28T23:58:30Z"
    original = out["json"]
    assert original["detail"] == EC2_DETAIL
    assert out["event"] == {  # the envelope without detail, as AWS renders it
        "id": original["id"],
        "account": ACCOUNT,
        "detailType": "order.created",
        "time": original["time"],
        "source": "my.app",
        "region": REGION,
        "resources": original["resources"],
        "version": "0",
    }


def test_input_validation(events, sqs):
    _, arn = make_queue(sqs)
    events.put_rule(Name="r", EventPattern='{"source": ["my.app"]}')

    def put_target(**target):
        with pytest.raises(ClientError) as exc:
            events.put_targets(Rule="r", Targets=[{"Id": "t1", "Arn": arn, **target}])
        return error(exc)

    assert put_target(Input="{}", InputPath="$.detail") == (
        "ValidationException",
        "Only one of Input, InputPath, or InputTransformer must be provided for target t1.",
    )
    assert put_target(InputPath="$.detail", InputTransformer={"InputTemplate": '"x"'}) == (
        "ValidationException",
        "Only one of Input, InputPath, or InputTransformer must be provided for target t1.",
    )
    assert put_target(Input="{not json") == (
        "ValidationException",
        "Input for target t1 is not a valid JSON text.",
    )
    assert put_target(
        InputTransformer={
            "InputPathsMap": {"a": "$.detail"},
            "InputTemplate": '"Event <a> with not defined key <notdefinedkey>"',
        }
    ) == (
        "ValidationException",
        "InputTemplate for target t1 contains invalid placeholder notdefinedkey.",
    )
    code, message = put_target(InputPath="detail")
    assert code == "ValidationException"
    assert "InputPath" in message
    code, message = put_target(
        InputTransformer={"InputPathsMap": {"k y": "$.a"}, "InputTemplate": "<a>"}
    )
    assert (code, message.split(":")[0]) == ("ValidationException", "1 validation error detected")
    assert "targets.1.member.inputTransformer.inputPathsMap" in message
    assert events.list_targets_by_rule(Rule="r")["Targets"] == []
