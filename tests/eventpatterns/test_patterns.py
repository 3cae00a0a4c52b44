"""The event-pattern engine: EventBridge patterns, SNS filter policies, Lambda filters.

The engine has no API of its own (EventBridge, SNS and Lambda call it), so these
tests call ``compile_pattern`` directly. The expected messages are AWS's.
"""

from __future__ import annotations

import base64
import json

import pytest

from fakeaws.eventpatterns import (
    LAMBDA_INVALID,
    PatternError,
    compile_pattern,
    lambda_filters_match,
    lambda_json_data,
    sns_attributes_event,
    sns_body_event,
)

EVENT = {
    "version": "0",
    "id": "1",
    "source": "test-source",
    "detail-type": "test-detail-type",
    "account": "123456789012",
    "region": "us-east-2",
    "time": "2022-07-13T13:48:01Z",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"],
}


def event(**fields):
    return {**EVENT, **fields}


def matches(pattern, evt, dialect="eventbridge", **kw):
    # Both ways in: JSON text and parsed data give the same answer.
    by_text = compile_pattern(json.dumps(pattern), dialect, **kw).matches(evt)
    by_dict = compile_pattern(pattern, dialect, **kw).matches(evt)
    assert by_text == by_dict
    return by_text


def eb_error(pattern) -> str:
    with pytest.raises(PatternError) as exc:
        compile_pattern(
            json.dumps(pattern) if not isinstance(pattern, str) else pattern, "eventbridge"
        )
    return exc.value.eventbridge_message


# -- matching ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "evt", "expected"),
    [
        ({"source": ["test-source"]}, event(), True),
        ({"source": ["other", "test-source"]}, event(), True),
        ({"source": ["other"]}, event(), False),
        ({"missing": ["x"]}, event(), False),
        # arrays in the event: any element
        (
            {"resources": ["a", "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]},
            event(),
            True,
        ),
        ({"resources": ["a"]}, event(), False),
        ({"resources": [None]}, event(resources=[]), False),
        ({"flag": [False]}, event(flag=False), True),
        ({"flag": [False]}, event(flag=True), False),
        ({"flag": [False]}, event(flag=0), False),
        ({"n": [1]}, event(n=True), False),
        ({"n": [300]}, event(n=300.0), True),
        ({"n": [300]}, event(n="300"), False),
        ({"n": ["300"]}, event(n=300), False),
        ({"acct": [123456789012]}, event(acct=123456789012), True),
        ({"v": [None]}, event(v=None), True),
        ({"v": [None]}, event(), False),
        ({"v": [""]}, event(v=""), True),
        ({"v": [""]}, event(v=None), False),
        # nesting and dotted keys
        ({"detail": {"state": ["running"]}}, event(detail={"state": "running"}), True),
        ({"detail": {"state": ["running"]}}, event(detail='{"state": "running"}'), False),
        (
            {"detail": {"state.status": ["running"]}},
            event(detail={"state": {"status": "running"}}),
            True,
        ),
        (
            {"detail": {"state": {"status": ["running"]}}},
            event(detail={"state.status": "running"}),
            True,
        ),
        (
            {"detail": {"state": {"status": ["running"]}}},
            event(detail={"state.status": {"status": "running"}}),
            False,
        ),
        # objects inside arrays are matched element by element
        (
            {"people": {"first": ["Anna"]}},
            event(people=[{"first": "John"}, {"first": "Anna"}]),
            True,
        ),
        (
            {"people": {"first": ["Anna"], "last": ["Jones"]}},
            event(people=[{"first": "Anna", "last": "Smith"}, {"first": "Peter", "last": "Jones"}]),
            False,
        ),
        (
            {"people": {"first": ["Anna"], "last": ["Smith"]}},
            event(people=[[{"first": "Anna", "last": "Smith"}]]),
            True,
        ),
    ],
)
def test_exact_values_arrays_and_nesting(pattern, evt, expected):
    assert matches(pattern, evt) is expected


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ({"prefix": "2022-07"}, "2022-07-13", True),
        ({"prefix": "2022-08"}, "2022-07-13", False),
        ({"prefix": ""}, "anything", True),
        ({"prefix": "1"}, 123, False),
        ({"prefix": {"equals-ignore-case": "EventB"}}, "EvEnTbridge", True),
        ({"suffix": ".png"}, "image.png", True),
        ({"suffix": ".png"}, "image.PNG", False),
        ({"suffix": {"equals-ignore-case": ".png"}}, "image.PNG", True),
        ({"suffix": {"equals-ignore-case": ".png"}}, "image.jpg", False),
        ({"equals-ignore-case": "alice"}, "ALICE", True),
        ({"equals-ignore-case": ""}, "", True),
        ({"equals-ignore-case": "alice"}, ["bob", "AliCe"], True),
        ({"wildcard": "*/dir/*.png"}, "a/dir/b.png", True),
        ({"wildcard": "/Users/*/doc.txt"}, "/Users/ls/dir/notdoc.txt", False),
        ({"wildcard": "a\\*b"}, "a*b", True),
        ({"wildcard": "a\\*b"}, "axb", False),
        ({"wildcard": "a\\\\b"}, "a\\b", True),
        ({"wildcard": "*"}, 5, False),
        ({"numeric": [">", 0, "<=", 5]}, 5, True),
        ({"numeric": [">", 0, "<=", 5]}, 0, False),
        ({"numeric": [">=", 0, "<", 5]}, 5, False),
        ({"numeric": ["=", 301.8]}, 301.8, True),
        ({"numeric": ["<", 10]}, -4_999_999_999, True),
        ({"numeric": [">", 100]}, 101.0, True),
        ({"numeric": [">", 100]}, "300", False),
        ({"numeric": [">", 100]}, None, False),
        ({"numeric": [">", 100]}, True, False),
        ({"numeric": [">", 0]}, 6_000_000_000, False),
        ({"cidr": "10.0.0.0/24"}, "10.0.0.255", True),
        ({"cidr": "10.0.0.0/24"}, "10.0.1.0", False),
        ({"cidr": "10.0.0.0/24"}, "10.0.0.256", False),
        ({"cidr": "10.0.0.5/24"}, "10.0.0.4", False),
        ({"cidr": "2001:db8:1234:1a00::/64"}, "2001:0db8:1234:1a00:0000:0000:0000:0001", True),
        ({"cidr": "2001:db8:1234:1a00::/64"}, "2001:0db8:123f:1a01::", False),
        ({"exists": True}, "x", True),
        ({"exists": True}, None, True),
        ({"exists": True}, [], False),
        ({"exists": True}, {"inner": 1}, False),
        ({"exists": False}, {"inner": 1}, True),
        ({"exists": False}, [], True),
    ],
)
def test_content_filters(rule, value, expected):
    assert matches({"detail": {"field": [rule]}}, event(detail={"field": value})) is expected


def test_exists_false_matches_a_missing_field_at_any_depth():
    pattern = {"detail": {"level1": {"level2:": {"level3": {"level4": [{"exists": False}]}}}}}
    assert matches(pattern, event(detail={"level1": {"level2": "l2 value"}}))
    assert not matches({"detail": {"state": [{"exists": True}]}}, event(detail={"other": 1}))


def test_plain_ip_values_match_any_spelling_of_the_address():
    pattern = {"ip": ["2001:db8::1"]}
    assert matches(pattern, event(ip="2001:0db8:0000:0000:0000:0000:0000:0001"))
    assert not matches(pattern, event(ip="2001:db8::2"))


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ("initializing", "running", True),
        ("initializing", "initializing", False),
        ("initializing", None, True),
        (123, 789, True),
        (123, 123, False),
        (123, "123", True),
        (["stopped", "overloaded"], "stopped", False),
        ([100, 200, 300], 100.0, False),
        ([100, 200, 300], 999, True),
        ({"prefix": "init"}, "init-prefix", False),
        ({"prefix": ["init", "test"]}, "post", True),
        ({"prefix": ["init", "test"]}, None, True),
        ({"suffix": [".txt", ".jpg"]}, "file.jpg", False),
        ({"suffix": ".txt"}, "file.txt.bak", True),
        ({"equals-ignore-case": ["initializing", "stopped"]}, "STOPPED", False),
        ({"equals-ignore-case": "initializing"}, None, True),
        ({"wildcard": "*/dir/*"}, "dir/init/file", True),
        ({"wildcard": ["*/init/*", "*/dir/*"]}, "dir/init/dir", False),
        ({"wildcard": "*/dir/*"}, 123, True),
    ],
)
def test_anything_but(rule, value, expected):
    pattern = {"detail": {"f": [{"anything-but": rule}]}}
    assert matches(pattern, event(detail={"f": value})) is expected


def test_anything_but_never_matches_a_missing_field():
    assert not matches({"detail": {"f": [{"anything-but": "x"}]}}, event(detail={}))
    assert not matches({"detail": {"f": [{"anything-but": {"prefix": "x"}}]}}, event(detail={}))


def test_or_at_top_level_and_nested():
    pattern = {
        "source": ["aws.cloudwatch"],
        "$or": [
            {"metricName": ["CPUUtilization"]},
            {"metricType": ["MetricType"], "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
        ],
        "detail": {"$or": [{"a": [1]}, {"b": [2]}]},
    }
    base = {"source": "aws.cloudwatch", "detail": {"b": 2}}
    assert matches(pattern, {**base, "metricName": "CPUUtilization"})
    assert matches(pattern, {**base, "metricType": "MetricType", "spaceId": 1000})
    assert not matches(pattern, {**base, "metricType": "MetricType"})
    assert not matches(pattern, {**base, "metricName": "CPUUtilization", "detail": {"c": 3}})


def test_exists_false_or_anything_but():
    pattern = {"d": {"S": [{"anything-but": ["roses"]}, {"exists": False}]}}
    assert matches(pattern, {"d": {"N": "789"}})
    assert matches(pattern, {"d": {"S": "tulips"}})
    assert not matches(pattern, {"d": {"S": "roses"}})


def test_non_object_events_never_match():
    pattern = compile_pattern({"a": [{"exists": False}]}, "eventbridge")
    assert pattern.matches({})
    assert not pattern.matches(None)
    assert not pattern.matches(["a"])


def test_compiled_text_patterns_are_cached():
    text = '{"source": ["cached"]}'
    assert compile_pattern(text, "eventbridge") is compile_pattern(text, "eventbridge")


def test_matching_one_event_against_many_rules_is_cheap():
    import time

    rules = [
        compile_pattern(
            {"source": [f"app.{i}"], "detail": {"n": [{"numeric": [">", 1]}]}}, "eventbridge"
        )
        for i in range(100)
    ]
    evt = event(source="app.50", detail={"n": 5})
    start = time.perf_counter()
    for _ in range(50):
        assert sum(rule.matches(evt) for rule in rules) == 1
    per_event = (time.perf_counter() - start) / 50
    assert per_event < 0.005  # generous: well under a millisecond in practice


# -- EventBridge validation ------------------------------------------------------

REASON = "Event pattern is not valid. Reason: "


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ({"resources": []}, "Empty arrays are not allowed"),
        ({}, "Empty objects are not allowed"),
        ({"detail": {}}, "Empty objects are not allowed"),
        ([1], "Filter is not an object"),
        ({"string": "my-value"}, '"string" must be an object or an array'),
        ({"a": [["nested"]]}, "Match value must be String, number, true, false, or null"),
        ({"a": [{}]}, "Match expression name not found"),
        ({"my_key": [{"EXISTS": True}]}, "Unrecognized match type EXISTS"),
        ({"a": [{"exists": "yes"}]}, "exists match pattern must be either true or false."),
        ({"a": [{"exists": True, "prefix": "x"}]}, "Only one key allowed in match expression"),
        ({"a": [{"prefix": ["x"]}]}, "prefix match pattern must be a string"),
        ({"a": [{"suffix": 123}]}, "suffix match pattern must be a string"),
        ({"a": [{"prefix": {"nope": "x"}}]}, "Unsupported prefix pattern: nope"),
        (
            {"a": [{"equals-ignore-case": {"prefix": "ec2"}}]},
            "equals-ignore-case match pattern must be a string",
        ),
        ({"a": [{"cidr": ["bad-type"]}]}, "prefix match pattern must be a string"),
        ({"a": [{"cidr": "xx.11.xx/8"}]}, "Nonstandard IP address: xx.11.xx"),
        ({"a": [{"cidr": "10.0.0.0"}]}, "Malformed CIDR, one '/' required"),
        ({"a": [{"cidr": "10.0.0.0/x"}]}, "Malformed CIDR, mask bits must be an integer"),
        ({"a": [{"cidr": "10.0.0.0/32"}]}, "IPv4 mask bits must be < 32"),
        ({"a": [{"cidr": "10.0.0.300/8"}]}, "Invalid IP address: 10.0.0.300"),
        ({"a": [{"wildcard": ["x*"]}]}, "wildcard match pattern must be a string"),
        (
            {"a": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]},
            "Consecutive wildcard characters at pos 26",
        ),
        ({"a": [{"wildcard": "a\\b"}]}, "Invalid escape character at pos 2"),
        (
            {"a": [{"wildcard": "*:*:*:*:*:event-bus/*"}]},
            "Rule is too complex - try using fewer wildcard characters or fewer repeating "
            "character sequences after a wildcard character",
        ),
        ({"a": [{"numeric": [">", 0, ">", 0]}]}, "Bad numeric range operator: >"),
        ({"a": [{"numeric": [">", 0, "<"]}]}, "Value of < must be numeric"),
        ({"a": [{"numeric": ["=", "1"]}]}, "Value of equals must be numeric"),
        ({"a": [{"numeric": []}]}, "Invalid member in numeric match: ]"),
        ({"a": [{"numeric": [5]}]}, "Invalid member in numeric match: 5"),
        ({"a": [{"numeric": ["!=", 5]}]}, "Unrecognized numeric range operator: !="),
        ({"a": [{"numeric": [">", 5, "<", 1]}]}, "Bottom must be less than top"),
        ({"a": [{"numeric": ["<", 1, ">", 0]}]}, "Too many elements in numeric expression"),
        (
            {"a": [{"numeric": [">", 1, "<", 2, "<", 3]}]},
            "Too many terms in numeric range expression",
        ),
        ({"a": [{"numeric": "> 5"}]}, "Value of numeric must be an array."),
        ({"a": [{"numeric": ["=", 6e9]}]}, "Value must be between -5.0E9 and 5.0E9, inclusive"),
        (
            {"a": [{"anything-but": None}]},
            "Value of anything-but must be an array or single string/number value.",
        ),
        (
            {"a": [{"anything-but": {"prefix": {"equals-ignore-case": "f"}}}]},
            "Value of anything-but must be an array or single string/number value.",
        ),
        ({"a": [{"anything-but": {"prefix": ""}}]}, "Null prefix/suffix not allowed"),
        (
            {"a": [{"anything-but": {"suffix": 123}}]},
            "prefix/suffix match pattern must be a string",
        ),
        ({"a": [{"anything-but": {"wildcard": 123}}]}, "wildcard match pattern must be a string"),
        (
            {"a": [{"anything-but": {"equals-ignore-case": 123}}]},
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean "
            "is not supported.",
        ),
        ({"a": [{"anything-but": {"regex": "x"}}]}, "Unsupported anything-but pattern: regex"),
        ({"a": [{"anything-but": {}}]}, "Anything-But expression name not found"),
        (
            {"a": [{"anything-but": [1, "x"]}]},
            "Inside anything but list, either all values are number or string, "
            "mixed type is not supported",
        ),
        (
            {"a": [{"anything-but": [None]}]},
            "Inside anything but list, start|null|boolean is not supported.",
        ),
        ({"$or": [{"a": ["x"]}]}, "There must have at least 2 Objects in $or relationship."),
        ({"$or": {"a": ["x"]}}, "It must be an Array followed with $or."),
        ({"$or": [{"a": ["x"]}, "b"]}, "Only JSON object is allowed in array of $or relationship."),
        (
            {"$or": [{"prefix": ["x"]}, {"b": ["y"]}]},
            "prefix is Ruler reserved fieldName which cannot be used inside $or.",
        ),
    ],
)
def test_eventbridge_validation_messages(pattern, reason):
    assert eb_error(pattern) == REASON + reason


def test_eventbridge_errors_follow_the_order_of_the_text():
    # The first problem met while reading is the one reported.
    assert eb_error('{"b": [], "a": "x"}') == REASON + "Empty arrays are not allowed"
    assert eb_error('{"a": "x", "b": []}') == REASON + '"a" must be an object or an array'


def test_eventbridge_invalid_json_is_refused():
    message = eb_error('{"a": [1,}')
    assert message.startswith(REASON + "Unexpected character ('}' (code 125))")


def test_pattern_error_message_is_the_reason_for_eventbridge():
    with pytest.raises(PatternError) as exc:
        compile_pattern({"a": []}, "eventbridge")
    assert str(exc.value) == exc.value.message == "Empty arrays are not allowed"


# -- SNS -----------------------------------------------------------------------------


def sns_error(policy, scope=None, subscribe=False) -> str:
    with pytest.raises(PatternError) as exc:
        compile_pattern(json.dumps(policy), "sns", scope=scope)
    return exc.value.sns_subscribe_message if subscribe else exc.value.sns_message


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (
            {"key": [["value"]]},
            "FilterPolicy: Match value must be String, number, true, false, or null"
            '\n at [Source: (String)"{"key":[["value"]]}"; line: 1, column: 10]',
        ),
        (
            {"key": [{"wrong-operator": True}]},
            "FilterPolicy: Unrecognized match type wrong-operator"
            '\n at [Source: (String)"{"key":[{"wrong-operator":true}]}"; line: 1, column: 31]',
        ),
        (
            {"key": {"not-an-operator": "value"}},
            'FilterPolicy: "not-an-operator" must be an object or an array'
            '\n at [Source: (String)"{"key":{"not-an-operator":"value"}}"; line: 1, column: 28]',
        ),
        (
            {"key": [{"numeric": [">=", 1, ">", 2]}]},
            "FilterPolicy: Bad numeric range operator: >"
            '\n at [Source: (String)"{"key":[{"numeric":[">=",1,">",2]}]}"; line: 1, column: 31]',
        ),
        (
            {"key": [{"numeric": ["=", "000"]}]},
            "FilterPolicy: Value of equals must be numeric"
            '\n at [Source: (String)"{"key":[{"numeric":["=","000"]}]}"; line: 1, column: 26]',
        ),
        (
            {"key": [{"anything-but": {"suffix": "test"}}]},
            "FilterPolicy: Unsupported anything-but pattern: suffix"
            '\n at [Source: (String)"{"key":[{"anything-but":{"suffix":"test"}}]}"; '
            "line: 1, column: 36]",
        ),
        ({"key": [f"v{i}" for i in range(151)]}, "FilterPolicy: Filter policy is too complex"),
        (
            {f"k{i}": ["v"] for i in range(6)},
            "FilterPolicy: Filter policy can not have more than 5 keys",
        ),
        (
            {"object": {"key": [{"prefix": "auto-"}]}},
            "Filter policy scope MessageAttributes does not support nested filter policy",
        ),
    ],
)
def test_sns_messages_carry_the_parser_location(policy, message):
    assert sns_error(policy) == "Invalid parameter: " + message
    assert sns_error(policy, subscribe=True) == "Invalid parameter: Attributes Reason: " + message


def test_sns_locations_refer_to_a_compact_copy_of_the_policy():
    # Spaces in what the caller sent do not move the column.
    text = '{ "key" :   [ [ "value" ] ] }'
    with pytest.raises(PatternError) as exc:
        compile_pattern(text, "sns")
    assert (
        exc.value.location == '\n at [Source: (String)"{"key":[["value"]]}"; line: 1, column: 10]'
    )


def test_sns_limits():
    assert compile_pattern({"key": [f"v{i}" for i in range(150)]}, "sns")
    assert compile_pattern({f"k{i}": ["v"] for i in range(5)}, "sns")
    # (source x metricName) + (source x metricType x metricId) + (... x spaceId) = 152
    policy = {
        "source": ["a", "b", "c", "d"],
        "$or": [
            {"metricName": ["1", "2", "3", "4", "5", "6"]},
            {
                "metricType": ["1", "2", "3", "4"],
                "$or": [{"metricId": [1, 2, 3, 4]}, {"spaceId": [1, 2, 3, 4]}],
            },
        ],
    }
    assert sns_error(policy) == "Invalid parameter: FilterPolicy: Filter policy is too complex"
    # Nested keys weigh their depth: 3 x 4 x 2 x 3 x 1 x 3 = 216.
    nested = {
        "key_a": {"key_b": {"key_c": ["1", "2", "3", "4"]}},
        "key_d": {"key_e": ["1", "2", "3"]},
        "key_f": ["1", "2", "3"],
    }
    assert sns_error(nested, scope="MessageBody") == (
        "Invalid parameter: FilterPolicy: Filter policy is too complex"
    )


def test_sns_refuses_what_its_older_language_lacks():
    assert sns_error({"k": [{"wildcard": "a*"}]}).startswith(
        "Invalid parameter: FilterPolicy: Unrecognized match type wildcard\n at [Source:"
    )
    assert sns_error({"k": [{"prefix": {"equals-ignore-case": "a"}}]}).startswith(
        "Invalid parameter: FilterPolicy: prefix match pattern must be a string\n"
    )
    assert compile_pattern({"k": [{"anything-but": {"prefix": "test-"}}]}, "sns")


def test_sns_invalid_json():
    with pytest.raises(PatternError) as exc:
        compile_pattern("{invalidjson}", "sns")
    assert exc.value.sns_message == "Invalid parameter: FilterPolicy: failed to parse JSON."


def test_sns_numbers_are_limited_to_one_billion():
    with pytest.raises(PatternError):
        compile_pattern({"k": [{"numeric": [">", 2_000_000_000]}]}, "sns")
    policy = compile_pattern({"k": [{"numeric": [">", 0]}]}, "sns")
    assert policy.matches({"k": 999_999_999})
    assert not policy.matches({"k": 1_500_000_000})


def test_sns_message_attributes():
    attributes = {
        "store": {"DataType": "String", "StringValue": "example_corp"},
        "price": {"DataType": "Number", "StringValue": "99.5"},
        "count": {"DataType": "Number.int", "StringValue": "3"},
        "tags": {"DataType": "String.Array", "StringValue": '["a", 7, true, null]'},
        "blob": {"DataType": "Binary", "BinaryValue": b"x"},
    }
    evt = sns_attributes_event(attributes)
    assert "blob" not in evt

    def ok(policy):
        return compile_pattern(json.dumps(policy), "sns").matches(evt)

    assert ok({"store": ["example_corp"], "price": [{"numeric": [">", 99, "<=", 100]}]})
    assert ok({"count": [3]})
    assert not ok({"count": ["3"]})  # a Number attribute is a number
    assert ok({"tags": ["a"]}) and ok({"tags": [{"numeric": ["=", 7]}]}) and ok({"tags": [None]})
    assert not ok({"tags": ["b"]})
    assert ok({"missing": [{"exists": False}]}) and not ok({"blob": [{"exists": True}]})
    assert not ok({"missing": [None, {"anything-but": "whatever"}]})


def test_sns_message_body():
    policy = compile_pattern(
        json.dumps(
            {
                "object": {
                    "key": [{"prefix": "auto-"}, "hardcodedvalue"],
                    "nested_key": [{"exists": False}],
                },
                "test": [{"exists": False}],
            }
        ),
        "sns",
        scope="MessageBody",
    )
    assert policy.matches(sns_body_event('{"object": {"key": "auto-test"}}'))
    assert policy.matches(sns_body_event('{"object": {"key": "hardcodedvalue"}}'))
    assert not policy.matches(sns_body_event('{"object": {"key": "auto-test"}, "test": 1}'))
    assert not policy.matches(sns_body_event('{"object": {"key": "auto-x", "nested_key": 1}}'))
    assert sns_body_event("Regular string message") is None
    assert sns_body_event('"a JSON string"') is None
    assert not policy.matches(sns_body_event("Regular string message"))


def test_sns_body_array_of_objects():
    policy = compile_pattern(
        {
            "Records": {
                "s3": {"object": {"key": [{"prefix": "auto-"}]}},
                "eventName": [{"prefix": "ObjectCreated:"}],
            }
        },
        "sns",
        scope="MessageBody",
    )
    assert policy.matches(
        {
            "Records": [
                {"eventName": "ObjectCreated:Put", "s3": {"object": [[{"key": "auto-1.xml"}]]}}
            ]
        }
    )
    assert not policy.matches(
        {
            "Records": [
                {"eventName": "ObjectRemoved:Delete", "s3": {"object": {"key": "auto-1.xml"}}},
                {"eventName": "ObjectCreated:Put", "s3": {"object": {"key": "home-1.xml"}}},
            ]
        }
    )


# -- Lambda --------------------------------------------------------------------------


def test_lambda_reports_one_message():
    for pattern in (
        '{"a": []}',
        "not json",
        '{"a": [{"wildcard": "x*"}]}',
        '{"a": [{"anything-but": {"prefix": "x"}}]}',
    ):
        with pytest.raises(PatternError) as exc:
            compile_pattern(pattern, "lambda")
        assert exc.value.message == LAMBDA_INVALID == "Invalid filter pattern definition."
    with pytest.raises(PatternError) as exc:
        compile_pattern('{"a": []}', "lambda")
    assert exc.value.reason == "Empty arrays are not allowed"


def test_lambda_sqs_body_json_and_plain():
    json_filter = compile_pattern('{"body": {"RequestCode": ["AAAA"]}}', "lambda")
    plain_filter = compile_pattern('{"body": ["hello"]}', "lambda")
    meta_filter = compile_pattern('{"attributes": {"SenderId": ["me"]}}', "lambda")

    def record(body):
        data, _is_json = lambda_json_data(body)
        return {"body": data, "attributes": {"SenderId": "me"}}

    json_record = record('{"RequestCode": "AAAA"}')
    plain_record = record("hello")
    assert lambda_filters_match([json_filter], json_record, "body")
    assert not lambda_filters_match([plain_filter], json_record, "body")
    assert lambda_filters_match([plain_filter], plain_record, "body")
    assert not lambda_filters_match([json_filter], plain_record, "body")
    assert lambda_filters_match([meta_filter], plain_record, "body")
    assert lambda_filters_match([], plain_record, "body")
    assert lambda_filters_match([json_filter, plain_filter], plain_record, "body")


def test_lambda_kinesis_data_is_decoded():
    data = base64.b64encode(b'{"Temperature": 55}').decode()
    decoded, is_json = lambda_json_data(data, base64_encoded=True)
    assert is_json and decoded == {"Temperature": 55}
    pattern = compile_pattern(
        '{"data": {"Temperature": [{"numeric": [">", 50, "<=", 60]}]}}', "lambda"
    )
    assert lambda_filters_match([pattern], {"partitionKey": "1", "data": decoded}, "data")
    assert lambda_json_data("not base64!", base64_encoded=True) == ("not base64!", False)


def test_unknown_dialect_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown event-pattern dialect"):
        compile_pattern({"a": ["b"]}, "pipes")


def test_compiled_patterns_survive_snapshots():
    import copy
    import pickle

    pattern = compile_pattern(
        {
            "a": ["10.0.0.1", {"cidr": "10.0.0.0/8"}, {"numeric": [">", 1]}],
            "b": {
                "c": [{"prefix": {"equals-ignore-case": "Q"}}, {"anything-but": {"wildcard": "*q"}}]
            },
        },
        "eventbridge",
    )
    evt = {"a": "10.1.2.3", "b": {"c": "qq"}}
    for copied in (pickle.loads(pickle.dumps(pattern)), copy.deepcopy(pattern)):
        assert copied.matches(evt)
        assert not copied.matches({"a": "11.0.0.1", "b": {"c": "qq"}})


def test_sns_attribute_names_with_dots():
    policy = compile_pattern({"customer.interests": ["rugby"]}, "sns")
    evt = sns_attributes_event(
        {"customer.interests": {"DataType": "String", "StringValue": "rugby"}}
    )
    assert policy.matches(evt)
    assert not policy.matches(
        sns_attributes_event({"customer": {"DataType": "String", "StringValue": "x"}})
    )
