"""DynamoDB stream event source mappings end to end: boto3 clients only, the scheduler polls.

Expected shapes and messages are AWS's, from LocalStack's ESM tests recorded
against AWS (the mapping's defaults, "Stream not found: <arn>", the duplicate
mapping message, the on-failure record with ``DDBStreamBatchInfo``, a malformed
partial batch response failing the whole batch), the Terraform provider's
report of "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60
and 604800 (inclusive)", and the Lambda developer guide for DynamoDB streams.
"""

from __future__ import annotations

import json

import boto3
import pytest

from fakeaws import mock_serverless

ROLE = "arn:aws:iam::123456789012:role/worker"

RECORDER = """
import json

def handler(event, context):
    for record in event["Records"]:
        print(json.dumps(record))
    return None
"""

FAILS_ON_BAD = """
import json

def handler(event, context):
    keys = [r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"]]
    print(json.dumps({"batch": keys}))
    if any(k.startswith("bad") for k in keys):
        raise RuntimeError("cannot process")
"""

REPORTS_BAD = """
import json

def handler(event, context):
    keys = [r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"]]
    print(json.dumps({"batch": keys}))
    failures = [
        {"itemIdentifier": r["dynamodb"]["SequenceNumber"]}
        for r in event["Records"]
        if r["dynamodb"]["Keys"]["id"]["S"].startswith("bad")
    ]
    return {"batchItemFailures": failures}
"""

MALFORMED_REPORT = """
import json

def handler(event, context):
    keys = [r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"]]
    print(json.dumps({"batch": keys}))
    return {"batchItemFailures": [{"itemIdentifier": ""}]}
"""


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region="eu-west-1") as cloud:
        yield cloud


@pytest.fixture
def clients(cloud):
    return (
        boto3.client("lambda", region_name="eu-west-1"),
        boto3.client("dynamodb", region_name="eu-west-1"),
        boto3.client("sqs", region_name="eu-west-1"),
    )


def make_function(cloud, lam, source, name="worker"):
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="lambda_function.handler",
        Code={"ZipFile": cloud.lambda_zip(source=source)},
    )
    cloud.settle()


def make_table(ddb, name="orders", view="NEW_AND_OLD_IMAGES"):
    return ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )["TableDescription"]["LatestStreamArn"]


def make_queue(sqs, name="failures"):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def put(ddb, *keys, table="orders"):
    for key in keys:
        ddb.put_item(TableName=table, Item={"id": {"S": key}})


def printed(name="worker"):
    logs = boto3.client("logs", region_name="eu-west-1")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [json.loads(e["message"]) for e in events if e["message"].startswith("{")]


def batches(name="worker"):
    return [p["batch"] for p in printed(name) if "batch" in p]


def failure_records(sqs, url):
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_a_stream_consumed_by_lambda(cloud, clients):
    lam, ddb, _ = clients
    make_function(cloud, lam, RECORDER)
    arn = make_table(ddb)
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", StartingPosition="TRIM_HORIZON"
    )
    for name, value in {
        "BatchSize": 100,
        "BisectBatchOnFunctionError": False,
        "DestinationConfig": {"OnFailure": {}},
        "FunctionResponseTypes": [],
        "LastProcessingResult": "No records processed",
        "MaximumBatchingWindowInSeconds": 0,
        "MaximumRecordAgeInSeconds": -1,
        "MaximumRetryAttempts": -1,
        "ParallelizationFactor": 1,
        "StartingPosition": "TRIM_HORIZON",
        "State": "Creating",
        "StateTransitionReason": "User action",
        "TumblingWindowInSeconds": 0,
    }.items():
        assert mapping[name] == value, name
    cloud.settle()
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled"
    ddb.put_item(TableName="orders", Item={"id": {"S": "o1"}, "amount": {"N": "5"}})
    ddb.update_item(
        TableName="orders",
        Key={"id": {"S": "o1"}},
        UpdateExpression="SET amount = :t, payload = :b",
        ExpressionAttributeValues={":t": {"N": "7"}, ":b": {"B": b"foobar"}},
    )
    ddb.delete_item(TableName="orders", Key={"id": {"S": "o1"}})
    cloud.settle()
    records = printed()
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, _ = records
    assert set(insert) == {
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
    }
    assert insert["eventVersion"] == "1.1"
    assert insert["eventSource"] == "aws:dynamodb"
    assert insert["eventSourceARN"] == arn
    assert insert["awsRegion"] == "eu-west-1"
    data = insert["dynamodb"]
    assert isinstance(data["ApproximateCreationDateTime"], float)  # epoch seconds in events
    assert data["Keys"] == {"id": {"S": "o1"}}
    assert data["NewImage"] == {"id": {"S": "o1"}, "amount": {"N": "5"}}
    assert data["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert modify["dynamodb"]["NewImage"]["payload"] == {"B": "Zm9vYmFy"}  # base64, as on AWS
    assert int(modify["dynamodb"]["SequenceNumber"]) > int(data["SequenceNumber"])
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"] == "OK"


def test_batches_keep_the_stream_order(cloud, clients):
    lam, ddb, _ = clients
    make_function(cloud, lam, FAILS_ON_BAD)
    arn = make_table(ddb)
    put(ddb, "a", "b", "c", "d", "e")  # written before the mapping is enabled: TRIM_HORIZON
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", StartingPosition="TRIM_HORIZON", BatchSize=2
    )
    cloud.settle()
    assert batches() == [["a", "b"], ["c", "d"], ["e"]]


def test_latest_starts_after_the_mapping_is_enabled(cloud, clients):
    lam, ddb, _ = clients
    make_function(cloud, lam, FAILS_ON_BAD)
    arn = make_table(ddb)
    put(ddb, "before")
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", StartingPosition="LATEST"
    )
    cloud.settle()
    put(ddb, "after")
    cloud.settle()
    assert batches() == [["after"]]


def test_validation(cloud, clients):
    lam, ddb, sqs = clients
    make_function(cloud, lam, RECORDER)
    arn = make_table(ddb)
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker")
    assert exc.value.response["Error"]["Message"] == (
        "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
        "constraint: Member must not be null."
    )
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName="worker", StartingPosition="AT_TIMESTAMP"
        )
    assert exc.value.response["Error"]["Message"] == (
        f"Unsupported starting position for arn type: {arn}"
    )
    missing = arn.replace("orders", "nothing")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        lam.create_event_source_mapping(
            EventSourceArn=missing, FunctionName="worker", StartingPosition="LATEST"
        )
    assert exc.value.response["Error"]["Message"] == f"Stream not found: {missing}"
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        lam.create_event_source_mapping(
            EventSourceArn=arn,
            FunctionName="worker",
            StartingPosition="LATEST",
            MaximumRecordAgeInSeconds=30,
        )
    assert exc.value.response["Error"]["Message"] == (
        "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"
    )
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        lam.create_event_source_mapping(
            EventSourceArn=arn,
            FunctionName="worker",
            StartingPosition="LATEST",
            DestinationConfig={"OnSuccess": {"Destination": make_queue(sqs)[1]}},
        )
    assert exc.value.response["Error"]["Message"] == (
        "Unsupported DestinationConfig parameter for given event source mapping type."
    )
    for member, value, limit in (
        ("BatchSize", 10_001, 10_000),
        ("ParallelizationFactor", 11, 10),
        ("MaximumRetryAttempts", 10_001, 10_000),
    ):
        with pytest.raises(lam.exceptions.ClientError) as exc:
            lam.create_event_source_mapping(
                EventSourceArn=arn,
                FunctionName="worker",
                StartingPosition="LATEST",
                **{member: value},
            )
        assert f"Member must have value less than or equal to {limit}" in str(exc.value)
    uuid = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", StartingPosition="LATEST"
    )["UUID"]
    with pytest.raises(lam.exceptions.ResourceConflictException) as exc:
        lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName="worker", StartingPosition="LATEST"
        )
    assert exc.value.response["Error"]["Message"] == (
        f'The event source arn (" {arn} ") and function (" worker ") provided mapping already '
        f"exists. Please update or delete the existing mapping with UUID {uuid}"
    )
    cloud.settle()
    updated = lam.update_event_source_mapping(UUID=uuid, BatchSize=10, MaximumRetryAttempts=3)
    assert (updated["BatchSize"], updated["MaximumRetryAttempts"]) == (10, 3)
    assert updated["StartingPosition"] == "LATEST"


def test_a_failing_batch_blocks_the_shard_then_goes_to_the_on_failure_destination(cloud, clients):
    lam, ddb, sqs = clients
    make_function(cloud, lam, FAILS_ON_BAD)
    arn = make_table(ddb)
    url, queue = make_queue(sqs)
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="worker",
        StartingPosition="TRIM_HORIZON",
        BatchSize=1,
        MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": queue}},
    )
    cloud.settle()
    put(ddb, "bad", "good")
    cloud.settle()
    assert batches() == [["bad"]]  # the shard is blocked: "good" waits
    cloud.settle(within=60)  # two retries, then the batch is discarded
    assert batches() == [["bad"], ["bad"], ["bad"], ["good"]]
    [record] = failure_records(sqs, url)
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"] == mapping["FunctionArn"]
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["version"] == "1.0"
    info = record["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1
    assert info["streamArn"] == arn
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert info["shardId"].startswith("shardId-")
    assert info["approximateArrivalOfFirstRecord"].endswith("Z")
    streams = boto3.client("dynamodbstreams", region_name="eu-west-1")
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert info["shardId"] == shards[0]["ShardId"]


def test_infinite_retries_until_the_records_expire(cloud, clients):
    lam, ddb, sqs = clients
    make_function(cloud, lam, FAILS_ON_BAD)
    arn = make_table(ddb)
    url, queue = make_queue(sqs)
    lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="worker",
        StartingPosition="TRIM_HORIZON",
        MaximumRecordAgeInSeconds=120,
        DestinationConfig={"OnFailure": {"Destination": queue}},
    )
    cloud.settle()
    put(ddb, "bad")
    cloud.settle(within=600)
    runs = len(batches())
    assert 3 <= runs < 20  # retried with a growing delay, not spinning
    [record] = failure_records(sqs, url)
    assert record["requestContext"]["condition"] == "RecordAgeExceeded"
    put(ddb, "good")
    cloud.settle()
    assert batches()[-1] == ["good"]


def test_bisect_isolates_the_bad_record(cloud, clients):
    lam, ddb, sqs = clients
    make_function(cloud, lam, FAILS_ON_BAD)
    arn = make_table(ddb)
    url, queue = make_queue(sqs)
    put(ddb, "a", "bad", "c", "d")
    lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="worker",
        StartingPosition="TRIM_HORIZON",
        BatchSize=4,
        BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue}},
    )
    cloud.settle(within=60)
    assert batches() == [["a", "bad", "c", "d"], ["a", "bad"], ["a"], ["bad"], ["c", "d"]]
    [record] = failure_records(sqs, url)
    assert record["DDBStreamBatchInfo"]["batchSize"] == 1


def test_report_batch_item_failures_checkpoints_before_the_first_failure(cloud, clients):
    lam, ddb, sqs = clients
    make_function(cloud, lam, REPORTS_BAD)
    arn = make_table(ddb)
    url, queue = make_queue(sqs)
    put(ddb, "a", "bad", "c", "d")
    lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="worker",
        StartingPosition="TRIM_HORIZON",
        BatchSize=3,
        MaximumRetryAttempts=2,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": queue}},
    )
    cloud.settle(within=60)
    assert batches() == [["a", "bad", "c"], ["bad", "c"], ["bad", "c"], ["d"]]
    [record] = failure_records(sqs, url)
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["responseContext"]["functionError"] is None  # the function did not fail
    info = record["DDBStreamBatchInfo"]
    assert info["batchSize"] == 2
    assert int(info["endSequenceNumber"]) == int(info["startSequenceNumber"]) + 1


def test_a_malformed_partial_batch_response_fails_the_whole_batch(cloud, clients):
    lam, ddb, sqs = clients
    make_function(cloud, lam, MALFORMED_REPORT)
    arn = make_table(ddb)
    url, queue = make_queue(sqs)
    put(ddb, "a", "b")
    lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="worker",
        StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": queue}},
    )
    cloud.settle(within=60)
    assert batches() == [["a", "b"], ["a", "b"]]
    [record] = failure_records(sqs, url)
    assert record["DDBStreamBatchInfo"]["batchSize"] == 2


def test_filter_criteria(cloud, clients):
    lam, ddb, _ = clients
    make_function(cloud, lam, RECORDER)
    arn = make_table(ddb)
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["order"]}}}}
    lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="worker",
        StartingPosition="TRIM_HORIZON",
        FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]},
    )
    ddb.put_item(TableName="orders", Item={"id": {"S": "1"}, "kind": {"S": "order"}})
    ddb.put_item(TableName="orders", Item={"id": {"S": "2"}, "kind": {"S": "refund"}})
    ddb.put_item(
        TableName="orders", Item={"id": {"S": "1"}, "kind": {"S": "order"}, "x": {"N": "1"}}
    )
    cloud.settle()
    assert [(r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]) for r in printed()] == [
        ("INSERT", "1")
    ]


def test_batching_window_waits_for_a_fuller_batch(cloud, clients):
    lam, ddb, _ = clients
    make_function(cloud, lam, FAILS_ON_BAD)
    arn = make_table(ddb)
    lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="worker",
        StartingPosition="TRIM_HORIZON",
        BatchSize=10,
        MaximumBatchingWindowInSeconds=5,
    )
    cloud.settle()
    put(ddb, "first")
    cloud.settle()
    assert batches() == []
    cloud.clock.advance(2)
    put(ddb, "second")
    cloud.settle()
    assert batches() == []
    cloud.clock.advance(3)
    assert batches() == [["first", "second"]]


def test_ttl_deletions_reach_the_function_as_service_removes(cloud, clients):
    lam, ddb, _ = clients
    cloud.settings.dynamodb.ttl_sweep_delay = 0
    make_function(cloud, lam, RECORDER)
    arn = make_table(ddb, view="KEYS_ONLY")
    ddb.update_time_to_live(
        TableName="orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
    )
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", StartingPosition="TRIM_HORIZON"
    )
    now = int(cloud.clock.time())
    ddb.put_item(TableName="orders", Item={"id": {"S": "s"}, "ttl": {"N": str(now + 30)}})
    cloud.settle(within=60)
    insert, remove = printed()
    assert "userIdentity" not in insert
    assert remove["eventName"] == "REMOVE"
    assert remove["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert remove["dynamodb"]["Keys"] == {"id": {"S": "s"}}


def test_a_disabled_mapping_does_not_poll_and_resumes_where_it_was(cloud, clients):
    lam, ddb, _ = clients
    make_function(cloud, lam, FAILS_ON_BAD)
    arn = make_table(ddb)
    uuid = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", StartingPosition="TRIM_HORIZON"
    )["UUID"]
    put(ddb, "a")
    cloud.settle()
    lam.update_event_source_mapping(UUID=uuid, Enabled=False)
    cloud.settle()
    put(ddb, "b")
    cloud.settle()
    assert batches() == [["a"]]
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    cloud.settle()
    assert batches() == [["a"], ["b"]]
    lam.delete_event_source_mapping(UUID=uuid)
    cloud.settle()
    put(ddb, "c")
    cloud.settle()
    assert batches() == [["a"], ["b"]]


def test_a_mapping_survives_a_snapshot(cloud, clients):
    lam, ddb, _ = clients
    make_function(cloud, lam, FAILS_ON_BAD)
    arn = make_table(ddb)
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", StartingPosition="TRIM_HORIZON"
    )
    put(ddb, "a")
    cloud.settle()
    snapshot = cloud.snapshot()
    cloud.restore(snapshot)
    put(ddb, "b")
    cloud.settle()
    assert batches() == [["a"], ["b"]]
