"""CloudWatch Logs end to end through boto3, plus the filter pattern language."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless
from fakeaws.services.logs.filter_pattern import FilterPatternError, compile_pattern

DAY = 86_400


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region="eu-west-1") as cloud:
        yield cloud


@pytest.fixture
def logs(cloud):
    return boto3.client("logs", region_name="eu-west-1")


def code(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def make(logs, group="/app", stream="s1"):
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)


def put(logs, messages, group="/app", stream="s1", base=None, cloud=None):
    events = [{"timestamp": ts, "message": m} for ts, m in messages]
    return logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


# -- log groups ----------------------------------------------------------------------
def test_create_describe_delete_log_group(cloud, logs):
    logs.create_log_group(logGroupName="/aws/lambda/fn", tags={"team": "a"})
    [group] = logs.describe_log_groups()["logGroups"]
    assert group["logGroupName"] == "/aws/lambda/fn"
    assert group["creationTime"] == cloud.clock.millis()
    assert group["arn"] == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn:*"
    assert group["logGroupArn"] == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn"
    assert group["storedBytes"] == 0
    assert "retentionInDays" not in group
    assert logs.list_tags_log_group(logGroupName="/aws/lambda/fn")["tags"] == {"team": "a"}
    logs.delete_log_group(logGroupName="/aws/lambda/fn")
    assert logs.describe_log_groups()["logGroups"] == []
    with pytest.raises(ClientError) as exc:
        logs.delete_log_group(logGroupName="/aws/lambda/fn")
    assert code(exc) == ("ResourceNotFoundException", "The specified log group does not exist.")


def test_create_existing_and_invalid_names(logs):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException) as exc:
        logs.create_log_group(logGroupName="g")
    assert code(exc)[1] == "The specified log group already exists"
    with pytest.raises(ClientError) as exc:
        logs.create_log_group(logGroupName="bad name!")
    assert code(exc)[0] == "InvalidParameterException"
    assert "regular expression pattern" in code(exc)[1]


def test_describe_log_groups_prefix_pattern_and_paging(logs):
    for name in ["/a/one", "/a/two", "/b/ONE", "/b/three"]:
        logs.create_log_group(logGroupName=name)
    names = lambda r: [g["logGroupName"] for g in r["logGroups"]]  # noqa: E731
    assert names(logs.describe_log_groups(logGroupNamePrefix="/a/")) == ["/a/one", "/a/two"]
    assert names(logs.describe_log_groups(logGroupNamePattern="one")) == ["/a/one", "/b/ONE"]
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(logGroupNamePrefix="/a", logGroupNamePattern="one")
    assert code(exc)[0] == "InvalidParameterException"
    first = logs.describe_log_groups(limit=3)
    assert names(first) == ["/a/one", "/a/two", "/b/ONE"]
    second = logs.describe_log_groups(limit=3, nextToken=first["nextToken"])
    assert names(second) == ["/b/three"] and "nextToken" not in second
    paged = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 1})
    assert [g["logGroupName"] for p in paged for g in p["logGroups"]] == sorted(
        ["/a/one", "/a/two", "/b/ONE", "/b/three"]
    )


def test_retention_policy_values_and_virtual_clock(cloud, logs):
    make(logs)
    with pytest.raises(ClientError) as exc:
        logs.put_retention_policy(logGroupName="/app", retentionInDays=2)
    assert code(exc)[0] == "InvalidParameterException"
    assert "enum value set" in code(exc)[1]
    now = cloud.clock.millis()
    put(logs, [(now - 2 * DAY * 1000, "old")])
    put(logs, [(now, "new")])
    logs.put_retention_policy(logGroupName="/app", retentionInDays=3)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 3

    def got():
        response = logs.get_log_events(logGroupName="/app", logStreamName="s1")
        return [e["message"] for e in response["events"]]

    assert got() == ["old", "new"]
    cloud.clock.advance(1.5 * DAY)
    assert got() == ["new"]
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 3
    logs.delete_retention_policy(logGroupName="/app")
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]
    assert got() == ["old", "new"]
    cloud.clock.advance(3 * DAY)
    logs.put_retention_policy(logGroupName="/app", retentionInDays=1)
    assert got() == []


# -- tags ----------------------------------------------------------------------------
def test_tags_by_arn_and_legacy(logs):
    logs.create_log_group(logGroupName="g", tags={"a": "1"})
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    logs.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    logs.tag_log_group(logGroupName="g", tags={"c": "3"})
    logs.untag_log_group(logGroupName="g", tags=["b"])
    assert logs.list_tags_log_group(logGroupName="g")["tags"] == {"c": "3"}
    with pytest.raises(ClientError) as exc:
        logs.list_tags_for_resource(resourceArn=arn.replace(":g", ":nope"))
    assert code(exc)[0] == "ResourceNotFoundException"


# -- log streams ---------------------------------------------------------------------
def test_streams_create_describe_order_delete(cloud, logs):
    logs.create_log_group(logGroupName="g")
    for name in ["b", "a", "c"]:
        logs.create_log_stream(logGroupName="g", logStreamName=name)
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName="g", logStreamName="a")
    now = cloud.clock.millis()
    put(logs, [(now - 5, "x"), (now - 1, "y")], group="g", stream="c")
    put(logs, [(now - 3, "z")], group="g", stream="a")
    streams = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["a", "b", "c"]
    c = streams[2]
    assert (c["firstEventTimestamp"], c["lastEventTimestamp"]) == (now - 5, now - 1)
    assert c["lastIngestionTime"] == now
    assert "firstEventTimestamp" not in streams[1]
    by_time = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", descending=True)
    assert [s["logStreamName"] for s in by_time["logStreams"]] == ["c", "a", "b"]
    page = logs.describe_log_streams(logGroupName="g", limit=2)
    assert len(page["logStreams"]) == 2
    rest = logs.describe_log_streams(logGroupName="g", limit=2, nextToken=page["nextToken"])
    assert [s["logStreamName"] for s in rest["logStreams"]] == ["c"]
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(
            logGroupName="g", orderBy="LastEventTime", logStreamNamePrefix="a"
        )
    assert code(exc)[0] == "InvalidParameterException"
    logs.delete_log_stream(logGroupName="g", logStreamName="a")
    with pytest.raises(ClientError) as exc:
        logs.delete_log_stream(logGroupName="g", logStreamName="a")
    assert code(exc) == ("ResourceNotFoundException", "The specified log stream does not exist.")


# -- PutLogEvents --------------------------------------------------------------------
def test_put_log_events_errors(cloud, logs):
    now = cloud.clock.millis()
    with pytest.raises(ClientError) as exc:
        put(logs, [(now, "x")], group="nope")
    assert code(exc) == ("ResourceNotFoundException", "The specified log group does not exist.")
    logs.create_log_group(logGroupName="/app")
    with pytest.raises(ClientError) as exc:
        put(logs, [(now, "x")])
    assert code(exc) == ("ResourceNotFoundException", "The specified log stream does not exist.")
    logs.create_log_stream(logGroupName="/app", logStreamName="s1")
    with pytest.raises(ClientError) as exc:
        put(logs, [(now, "b"), (now - 1, "a")])
    assert code(exc)[0] == "InvalidParameterException"
    assert "chronological order" in code(exc)[1]
    with pytest.raises(ClientError) as exc:
        put(logs, [(now, "x")] * 10_001)
    assert code(exc)[0] == "InvalidParameterException"
    # 1,048,576 bytes exactly is fine: 4 events of (262,144 - 26) bytes
    ok = put(logs, [(now, "x" * (262_144 - 26))] * 4)
    assert ok["nextSequenceToken"]
    with pytest.raises(ClientError) as exc:
        put(logs, [(now, "x" * (262_144 - 26))] * 3 + [(now, "x" * (262_144 - 25))])
    assert code(exc) == (
        "InvalidParameterException",
        "Upload too large: 1048577 bytes exceeds limit of 1048576",
    )


def test_put_log_events_rejects_too_old_and_too_new(cloud, logs):
    make(logs)
    now = cloud.clock.millis()
    old = now - 14 * DAY * 1000
    out = put(logs, [(old - 20, "ancient"), (old - 10, "ancient2"), (old + 10, "kept")])
    assert out["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2}
    soon = now + 2 * 3600 * 1000
    out = put(logs, [(now, "ok"), (soon, "edge"), (soon + 1, "future")])
    assert out["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 2}
    events = logs.get_log_events(logGroupName="/app", logStreamName="s1")["events"]
    assert [e["message"] for e in events] == ["kept", "ok", "edge"]
    assert events[0]["ingestionTime"] == now
    with pytest.raises(ClientError) as exc:
        put(logs, [(now - DAY * 1000 - 1, "a"), (now, "b")])
    assert "cannot span more than 24 hours" in code(exc)[1]
    assert "rejectedLogEventsInfo" not in put(logs, [(now, "fine")])


# -- GetLogEvents --------------------------------------------------------------------
def test_get_log_events_tokens(cloud, logs):
    make(logs)
    now = cloud.clock.millis()
    put(logs, [(now + i, f"m{i}") for i in range(5)])
    get = lambda **kw: logs.get_log_events(logGroupName="/app", logStreamName="s1", **kw)  # noqa: E731
    msgs = lambda r: [e["message"] for e in r["events"]]  # noqa: E731
    tail = get(limit=2)
    assert msgs(tail) == ["m3", "m4"]
    assert tail["nextForwardToken"].startswith("f/")
    assert tail["nextBackwardToken"].startswith("b/")
    back = get(limit=2, nextToken=tail["nextBackwardToken"])
    assert msgs(back) == ["m1", "m2"]
    back2 = get(limit=2, nextToken=back["nextBackwardToken"])
    assert msgs(back2) == ["m0"]
    end = get(limit=2, nextToken=back2["nextBackwardToken"])
    assert msgs(end) == [] and end["nextBackwardToken"] == back2["nextBackwardToken"]
    head = get(limit=2, startFromHead=True)
    assert msgs(head) == ["m0", "m1"]
    fwd = get(limit=2, nextToken=head["nextForwardToken"])
    assert msgs(fwd) == ["m2", "m3"]
    fwd = get(limit=2, nextToken=fwd["nextForwardToken"])
    assert msgs(fwd) == ["m4"]
    done = get(limit=2, nextToken=fwd["nextForwardToken"])
    assert msgs(done) == [] and done["nextForwardToken"] == fwd["nextForwardToken"]
    put(logs, [(now + 10, "late")])
    assert msgs(get(nextToken=fwd["nextForwardToken"])) == ["late"]
    assert msgs(get(startTime=now + 1, endTime=now + 3)) == ["m1", "m2"]
    with pytest.raises(ClientError) as exc:
        get(nextToken="garbage")
    assert code(exc)[0] == "InvalidParameterException"


def test_append_python_api_creates_group_and_stream(cloud, logs):
    backend = cloud.backend("logs", "123456789012", "eu-west-1")
    now = cloud.clock.millis()
    backend.append("/aws/lambda/fn", "2024/01/01/[$LATEST]abc", [(now, "START"), (now + 1, "END")])
    backend.append("/aws/lambda/fn", "2024/01/01/[$LATEST]abc", [(now + 2, "REPORT")])
    events = logs.get_log_events(
        logGroupName="/aws/lambda/fn", logStreamName="2024/01/01/[$LATEST]abc"
    )["events"]
    assert [e["message"] for e in events] == ["START", "END", "REPORT"]
    assert backend.events("/aws/lambda/fn", "2024/01/01/[$LATEST]abc")[0] == (now, "START")


# -- FilterLogEvents -----------------------------------------------------------------
def test_filter_log_events_streams_time_pattern_paging(cloud, logs):
    make(logs, stream="web-1")
    logs.create_log_stream(logGroupName="/app", logStreamName="web-2")
    logs.create_log_stream(logGroupName="/app", logStreamName="worker")
    now = cloud.clock.millis()
    put(logs, [(now, "ERROR a"), (now + 2, "INFO b")], stream="web-1")
    put(logs, [(now + 1, "ERROR c"), (now + 3, "ERROR d")], stream="web-2")
    put(logs, [(now + 1, "ERROR w")], stream="worker")
    flt = lambda **kw: logs.filter_log_events(logGroupName="/app", **kw)  # noqa: E731
    msgs = lambda r: [e["message"] for e in r["events"]]  # noqa: E731
    assert msgs(flt()) == ["ERROR a", "ERROR c", "ERROR w", "INFO b", "ERROR d"]
    assert msgs(flt(filterPattern="ERROR", logStreamNamePrefix="web")) == [
        "ERROR a",
        "ERROR c",
        "ERROR d",
    ]
    assert msgs(flt(logStreamNames=["worker"])) == ["ERROR w"]
    assert msgs(flt(startTime=now + 1, endTime=now + 2)) == ["ERROR c", "ERROR w", "INFO b"]
    first = flt(limit=2, filterPattern="ERROR")
    assert msgs(first) == ["ERROR a", "ERROR c"]
    assert first["events"][0]["logStreamName"] == "web-1" and first["events"][0]["eventId"]
    second = flt(limit=2, filterPattern="ERROR", nextToken=first["nextToken"])
    assert msgs(second) == ["ERROR w", "ERROR d"] and "nextToken" not in second
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName="/app", PaginationConfig={"PageSize": 1}
    )
    assert len([e for p in pages for e in p["events"]]) == 5
    with pytest.raises(ClientError) as exc:
        flt(filterPattern='{ $.a = "x"')
    assert code(exc) == (
        "InvalidParameterException",
        "If a filter pattern starts with '{' it must end with '}'",
    )
    with pytest.raises(ClientError) as exc:
        flt(logStreamNames=["missing"])
    assert code(exc)[0] == "ResourceNotFoundException"


def test_filter_log_events_json_pattern_end_to_end(cloud, logs):
    make(logs)
    now = cloud.clock.millis()
    put(logs, [(now, '{"level": "error", "ms": 120}'), (now, '{"level": "info", "ms": 5}')])
    out = logs.filter_log_events(logGroupName="/app", filterPattern="{ $.ms > 100 }")
    assert [e["message"] for e in out["events"]] == ['{"level": "error", "ms": 120}']


# -- the filter pattern language -------------------------------------------------------
@pytest.mark.parametrize(
    ("pattern", "message", "expected"),
    [
        ("", "anything", True),
        ("ERROR", "an ERROR here", True),
        ("ERROR", "an error here", False),
        ("ERROR Exception", "ERROR: Exception", True),
        ("ERROR Exception", "ERROR only", False),
        ('"timed out"', "Task timed out after 3s", True),
        ('"timed out"', "timed and out", False),
        ("ERROR -DEBUG", "ERROR x", True),
        ("ERROR -DEBUG", "ERROR DEBUG x", False),
        ("?ERROR ?WARN", "WARN disk", True),
        ("?ERROR ?WARN", "INFO ok", False),
        ('{ $.eventType = "UpdateTrail" }', '{"eventType": "UpdateTrail"}', True),
        ("{ $.eventType = UpdateTrail }", '{"eventType": "Other"}', False),
        ("{ $.ip = 123.123.* }", '{"ip": "123.123.4.5"}', True),
        ("{ $.ip != 123.123.* }", '{"ip": "10.0.0.1"}', True),
        ("{ $.ip != 123.123.* }", '{"ip": "123.123.0.1"}', False),
        ("{ $.n = 5 }", '{"n": 5.0}', True),
        ("{ $.n >= 5 && $.n < 10 }", '{"n": 9}', True),
        ("{ $.n >= 5 && $.n < 10 }", '{"n": 10}', False),
        ("{ $.n <= 1 || $.n > 100 }", '{"n": 101}', True),
        ('{ ($.a = "x" || $.b = "y") && $.c IS TRUE }', '{"b": "y", "c": true}', True),
        ('{ ($.a = "x" || $.b = "y") && $.c IS TRUE }', '{"b": "y", "c": false}', False),
        ("{ $.c IS FALSE }", '{"c": false}', True),
        ("{ $.v IS NULL }", '{"v": null}', True),
        ("{ $.v IS NULL }", "{}", False),
        ("{ $.v NOT EXISTS }", "{}", True),
        ("{ $.v NOT EXISTS }", '{"v": null}', False),
        ('{ $.a.b[1].c = "deep" }', '{"a": {"b": [{}, {"c": "deep"}]}}', True),
        ('{ $.a.b[2].c = "deep" }', '{"a": {"b": [{}, {"c": "deep"}]}}', False),
        ("{ $.msg = %ab+c% }", '{"msg": "xxabbbc"}', True),
        ('{ $.x = "a" }', "not json", False),
        ("[ip, user, ts, status = 404, size > 100]", "1.2.3.4 bob [10/Oct] 404 500", True),
        ("[ip, user, ts, status = 404, size > 100]", "1.2.3.4 bob [10/Oct] 404 50", False),
        ("[ip, user, ts, status = 404, size > 100]", "1.2.3.4 bob [10/Oct] 200 500", False),
        ("[ip, ..., status = 5*]", '1.2.3.4 - "GET / HTTP/1.1" 503', True),
        ("[ip, ..., status = 5*]", '1.2.3.4 - "GET / HTTP/1.1" 200', False),
        ("[a, b = 4* || b = 5*]", "x 404", True),
        ("[a, b]", "x y z", False),
    ],
)
def test_filter_pattern_language(pattern, message, expected):
    assert compile_pattern(pattern)(message) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        "{ $.a = ",
        "{ a = 1 }",
        "{ $.a > abc }",
        "{ }",
        '"unterminated',
        "email@domain.com",
        "[a,,b]",
    ],
)
def test_invalid_filter_patterns(pattern):
    with pytest.raises(FilterPatternError):
        compile_pattern(pattern)


def test_patterns_are_parsed_once():
    compile_pattern.cache_clear()
    compile_pattern("ERROR")
    compile_pattern("ERROR")
    assert compile_pattern.cache_info().hits == 1
