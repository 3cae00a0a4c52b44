"""Invoking functions end to end through boto3: routing, environments, concurrency, async."""

from __future__ import annotations

import base64
import json
import textwrap
from collections import Counter

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from fakeaws import mock_serverless
from fakeaws.errors import UnsupportedOperation

ROLE = "arn:aws:iam::123456789012:role/service-role/orders-role"


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region="eu-west-1") as cloud:
        yield cloud


@pytest.fixture
def lam(cloud):
    return boto3.client("lambda", region_name="eu-west-1")


def create(
    cloud,
    lam,
    name="orders",
    source="def handler(event, context):\n    return event\n",
    handler="lambda_function.handler",
    files=None,
    **extra,
):
    code = cloud.lambda_zip(source=textwrap.dedent(source), files=files)
    # A generous timeout: these tests are not about timeouts, and a loaded CI machine can
    # take seconds (real time) for a cold start that creates boto3 clients.
    extra.setdefault("Timeout", 30)
    lam.create_function(
        FunctionName=name,
        Runtime=extra.pop("Runtime", "python3.12"),
        Role=ROLE,
        Handler=handler,
        Code={"ZipFile": code},
        **extra,
    )
    cloud.settle()
    return name


def call(lam, name="orders", payload=None, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kwargs)
    body = response["Payload"].read()
    return response, (json.loads(body) if body else None)


def log_messages(cloud, name="orders"):
    logs = boto3.client("logs", region_name="eu-west-1")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []  # the function has not run yet
    return [e["message"].rstrip("\n") for e in events]


COUNTER = """
import os
count = 0

def handler(event, context):
    global count
    count += 1
    return {"count": count, "stream": context.log_stream_name,
            "init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]}
"""


def test_invoke_returns_the_handler_result(cloud, lam):
    create(cloud, lam)
    response, body = call(lam, payload={"order": 7})
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert body == {"order": 7}


def test_warm_invokes_reuse_the_environment_and_cold_start_reports_init(cloud, lam):
    create(cloud, lam, source=COUNTER)
    _, first = call(lam)
    _, second = call(lam)
    assert (first["count"], second["count"]) == (1, 2)
    assert first["stream"] == second["stream"]
    assert first["init"] == "on-demand"
    reports = [m for m in log_messages(cloud) if m.startswith("REPORT")]
    assert len(reports) == 2
    assert "Init Duration" in reports[0]
    assert "Init Duration" not in reports[1]


def test_an_update_gets_new_environments(cloud, lam):
    create(cloud, lam, source=COUNTER)
    call(lam)
    call(lam)
    lam.update_function_configuration(FunctionName="orders", MemorySize=256)
    cloud.settle()
    _, body = call(lam)
    assert body["count"] == 1


def test_idle_environments_are_reclaimed_on_the_virtual_clock(cloud, lam):
    create(cloud, lam, source=COUNTER)
    call(lam)
    cloud.clock.advance(cloud.settings.lambda_.idle_timeout - 1)
    assert call(lam)[1]["count"] == 2
    cloud.clock.advance(cloud.settings.lambda_.idle_timeout + 1)
    assert call(lam)[1]["count"] == 1


NESTED = """
import json, boto3
from botocore.config import Config

client = boto3.client("lambda", config=Config(retries={"total_max_attempts": 1}))
count = 0

def handler(event, context):
    global count
    count += 1
    if event.get("depth", 0) == 0:
        try:
            inner = client.invoke(
                FunctionName=context.function_name, Payload=json.dumps({"depth": 1})
            )
            inner = json.loads(inner["Payload"].read())
        except client.exceptions.TooManyRequestsException as err:
            inner = {"throttled": err.response["Reason"]}
        return {"outer_stream": context.log_stream_name, "inner": inner}
    return {"stream": context.log_stream_name, "count": count}
"""


def test_concurrent_invokes_get_separate_environments(cloud, lam):
    create(cloud, lam, source=NESTED)
    _, body = call(lam)
    assert body["inner"]["count"] == 1  # a fresh environment: its own module state
    assert body["inner"]["stream"] != body["outer_stream"]


def test_reserved_concurrency_throttles_the_function(cloud, lam):
    create(cloud, lam, source=NESTED)
    lam.put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=1)
    _, body = call(lam)
    assert body["inner"] == {"throttled": "ReservedFunctionConcurrentInvocationLimitExceeded"}


def test_reserved_concurrency_zero_disables_the_function(cloud, lam):
    create(cloud, lam)
    lam.put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=0)
    client = boto3.client(
        "lambda", region_name="eu-west-1", config=Config(retries={"total_max_attempts": 1})
    )
    with pytest.raises(ClientError) as exc:
        client.invoke(FunctionName="orders")
    err = exc.value.response
    assert err["Error"]["Code"] == "TooManyRequestsException"
    assert err["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_account_concurrency_limit():
    with mock_serverless(
        clock="frozen", region="eu-west-1", lambda_={"account_concurrency": 1}
    ) as cloud:
        lam = boto3.client("lambda", region_name="eu-west-1")
        create(cloud, lam, source=NESTED)
        _, body = call(lam)
        assert body["inner"] == {"throttled": "ConcurrentInvocationLimitExceeded"}


def test_weighted_alias_splits_traffic_by_seeded_draws():
    def run(seed):
        with mock_serverless(clock="frozen", region="eu-west-1", seed=seed) as cloud:
            lam = boto3.client("lambda", region_name="eu-west-1")
            create(cloud, lam)
            lam.publish_version(FunctionName="orders")
            lam.update_function_configuration(FunctionName="orders", Description="v2")
            cloud.settle()
            lam.publish_version(FunctionName="orders")
            lam.create_alias(
                FunctionName="orders",
                Name="live",
                FunctionVersion="1",
                RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}},
            )
            return [
                lam.invoke(FunctionName="orders", Qualifier="live")["ExecutedVersion"]
                for _ in range(1000)
            ]

    first = run(7)
    counts = Counter(first)
    assert set(counts) == {"1", "2"}
    assert 250 <= counts["2"] <= 350
    assert run(7) == first  # same seed, same routing
    assert run(8) != first


HANDLER_WRITES = """
import os, boto3
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def handler(event, context):
    table.put_item(Item={"pk": event["id"], "by": context.function_name})
    return boto3.client("sts").get_caller_identity()["Arn"]
"""


def test_handler_calls_dynamodb_as_its_execution_role(cloud, lam):
    ddb = boto3.client("dynamodb", region_name="eu-west-1")
    ddb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    create(cloud, lam, source=HANDLER_WRITES, Environment={"Variables": {"TABLE": "orders"}})
    _, arn = call(lam, payload={"id": "o-1"})
    assert arn == "arn:aws:sts::123456789012:assumed-role/orders-role/orders"
    item = ddb.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})["Item"]
    assert item["by"] == {"S": "orders"}
    put = cloud.calls.where(operation="PutItem")[-1]
    assert put.caller.arn == arn
    assert put.region == "eu-west-1"


def test_unhandled_exception(cloud, lam):
    create(cloud, lam, source="def handler(event, context):\n    raise ValueError('bad order')\n")
    response, body = call(lam)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad order"
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert isinstance(body["stackTrace"], list)


def test_missing_module_is_an_import_error(cloud, lam):
    create(cloud, lam, source="import requests\n\ndef handler(event, context):\n    return 1\n")
    response, body = call(lam)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"] == (
        "Unable to import module 'lambda_function': No module named 'requests'"
    )


def test_timeout_stops_the_handler_on_the_virtual_clock(cloud, lam):
    source = "import time\n\ndef handler(event, context):\n    time.sleep(10)\n    return 1\n"
    create(cloud, lam, source=source, Timeout=2)
    started = cloud.clock.time()
    response, body = call(lam)
    assert response["FunctionError"] == "Unhandled"
    assert "Task timed out after 2.00 seconds" in body["errorMessage"]
    assert 1.9 <= cloud.clock.time() - started < 3


def test_log_tail(cloud, lam):
    create(cloud, lam, source="def handler(event, context):\n    print('hello tail')\n")
    response, _ = call(lam, LogType="Tail")
    tail = base64.b64decode(response["LogResult"]).decode()
    assert "hello tail" in tail
    assert tail.splitlines()[0].startswith("START RequestId:")
    assert "REPORT RequestId:" in tail


def test_print_lands_in_the_function_log_group(cloud, lam):
    create(cloud, lam, source="def handler(event, context):\n    print('order placed')\n")
    response, _ = call(lam)
    request_id = response["ResponseMetadata"]["RequestId"]
    messages = log_messages(cloud)
    assert messages[0].startswith(f"START RequestId: {request_id} Version: $LATEST") or any(
        m.startswith(f"START RequestId: {request_id}") for m in messages
    )
    assert any("order placed" in m for m in messages)
    assert any(m.startswith(f"END RequestId: {request_id}") for m in messages)


def test_payload_errors(cloud, lam):
    create(cloud, lam)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="orders", Payload=b"{not json")
    assert exc.value.response["Error"]["Code"] == "InvalidRequestContentException"
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="orders", Payload=json.dumps({"x": "a" * 6_300_000}))
    assert exc.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert exc.value.response["Error"]["Message"] == (
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    )
    with pytest.raises(ClientError) as exc:
        lam.invoke(
            FunctionName="orders",
            InvocationType="Event",
            Payload=json.dumps({"x": "a" * 1_100_000}),
        )
    assert (
        "byte payload is too large for the Event invocation type"
        in (exc.value.response["Error"]["Message"])
    )


def test_response_too_large(cloud, lam):
    create(cloud, lam, source="def handler(event, context):\n    return 'a' * 7_000_000\n")
    response, body = call(lam)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Function.ResponseSizeTooLarge"


def test_dry_run_and_unknown_function(cloud, lam):
    create(cloud, lam)
    assert lam.invoke(FunctionName="orders", InvocationType="DryRun")["StatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as exc:
        lam.invoke(FunctionName="nope")
    assert exc.value.response["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:eu-west-1:123456789012:function:nope"
    )


def test_other_runtimes_are_refused_loudly(cloud, lam):
    lam.create_function(
        FunctionName="node",
        Runtime="nodejs24.x",
        Role=ROLE,
        Handler="index.handler",
        Code={"ZipFile": cloud.lambda_zip(files={"index.js": "exports.handler = 1"})},
    )
    cloud.settle()
    with pytest.raises(UnsupportedOperation, match="nodejs24.x"):
        lam.invoke(FunctionName="node")


def test_pending_function_cannot_be_invoked():
    with mock_serverless(clock="frozen", region="eu-west-1", lambda_={"state_delay": 5}) as cloud:
        lam = boto3.client("lambda", region_name="eu-west-1")
        lam.create_function(
            FunctionName="orders",
            Runtime="python3.12",
            Role=ROLE,
            Handler="lambda_function.handler",
            Code={"ZipFile": cloud.lambda_zip(source="def handler(e, c):\n    return 1\n")},
        )
        with pytest.raises(lam.exceptions.ResourceConflictException) as exc:
            lam.invoke(FunctionName="orders")
        assert "currently in the following state: Pending" in exc.value.response["Error"]["Message"]
        cloud.clock.advance(5)
        assert lam.invoke(FunctionName="orders")["StatusCode"] == 200


RECORDER = """
import json
seen = []

def handler(event, context):
    print(json.dumps(event))
    return "recorded"
"""


def recorded(cloud, name):
    return [json.loads(m) for m in log_messages(cloud, name) if m.startswith("{")]


def test_event_invocations_run_in_the_background(cloud, lam):
    create(cloud, lam, name="rec", source=RECORDER)
    response = lam.invoke(FunctionName="rec", InvocationType="Event", Payload=b'{"n": 1}')
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    cloud.settle()
    assert recorded(cloud, "rec") == [{"n": 1}]


FAILING = """
def handler(event, context):
    print("attempt")
    raise RuntimeError("boom")
"""


def test_async_retries_then_on_failure_destination(cloud, lam):
    create(cloud, lam, name="rec", source=RECORDER)
    create(cloud, lam, name="flaky", source=FAILING)
    lam.put_function_event_invoke_config(
        FunctionName="flaky",
        DestinationConfig={
            "OnFailure": {"Destination": "arn:aws:lambda:eu-west-1:123456789012:function:rec"}
        },
    )
    lam.invoke(FunctionName="flaky", InvocationType="Event", Payload=b'{"order": 1}')
    cloud.settle()
    assert (
        log_messages(cloud, "flaky").count("attempt\n")
        + log_messages(cloud, "flaky").count("attempt")
        == 1
    )
    cloud.clock.advance(59)
    assert log_messages(cloud, "flaky").count("attempt") == 1
    cloud.clock.advance(1)  # first retry, one minute later
    assert log_messages(cloud, "flaky").count("attempt") == 2
    cloud.clock.advance(119)
    assert log_messages(cloud, "flaky").count("attempt") == 2
    assert recorded(cloud, "rec") == []
    cloud.clock.advance(1)  # second retry, two minutes after the first
    cloud.settle()  # the destination's own (async) invocation
    [record] = recorded(cloud, "rec")
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"order": 1}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "boom"


def test_async_success_destination_and_no_retries(cloud, lam):
    create(cloud, lam, name="rec", source=RECORDER)
    create(cloud, lam, name="ok")
    lam.put_function_event_invoke_config(
        FunctionName="ok",
        MaximumRetryAttempts=0,
        DestinationConfig={
            "OnSuccess": {"Destination": "arn:aws:lambda:eu-west-1:123456789012:function:rec"}
        },
    )
    lam.invoke(FunctionName="ok", InvocationType="Event", Payload=b'{"a": 1}')
    cloud.settle()
    [record] = recorded(cloud, "rec")
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] == {"a": 1}


def test_provisioned_concurrency_starts_warm(cloud, lam):
    create(cloud, lam, source=COUNTER)
    lam.publish_version(FunctionName="orders")
    lam.create_alias(FunctionName="orders", Name="live", FunctionVersion="1")
    lam.put_provisioned_concurrency_config(
        FunctionName="orders", Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    cloud.settle()
    config = lam.get_provisioned_concurrency_config(FunctionName="orders", Qualifier="live")
    assert config["Status"] == "READY"
    assert config["AvailableProvisionedConcurrentExecutions"] == 1
    response, body = call(lam, Qualifier="live")
    assert body["init"] == "provisioned-concurrency"
    report = [
        m
        for m in log_messages(cloud)
        if m.startswith(f"REPORT RequestId: {response['ResponseMetadata']['RequestId']}")
    ]
    assert report and "Init Duration" not in report[0]


def test_response_stream(cloud, lam):
    create(cloud, lam, source="def handler(event, context):\n    return {'ok': True}\n")
    response = lam.invoke_with_response_stream(FunctionName="orders", Payload=b"{}")
    events = list(response["EventStream"])
    assert events[0] == {"PayloadChunk": {"Payload": b'{"ok": true}'}}
    assert "InvokeComplete" in events[-1]


def test_snapshot_restore_starts_cold(cloud, lam):
    create(cloud, lam, source=COUNTER)
    call(lam)
    snap = cloud.snapshot()
    call(lam)
    cloud.restore(snap)
    assert call(lam)[1]["count"] == 1


SELF_INVOKING = """
import boto3

def handler(event, context):
    boto3.client("lambda").invoke(
        FunctionName=context.function_name, InvocationType="Event", Payload=b"{}"
    )
"""


def test_a_function_invoking_itself_asynchronously_fails_loudly_instead_of_hanging(cloud, lam):
    from fakeaws.clock import RunawayWork

    create(cloud, lam, name="loop", source=SELF_INVOKING)
    cloud.scheduler.runaway_limit = 20
    lam.invoke(FunctionName="loop", InvocationType="Event")
    with pytest.raises(RunawayWork, match="does not settle"):
        cloud.settle()
