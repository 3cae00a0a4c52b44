"""Time to Live: the settings API, AWS's validation, and the sweeper on the virtual clock.

Messages and behaviour as measured against DynamoDB by the ack-api-quirks lab
(2026-10): "TimeToLive is already enabled" / "already disabled", "TimeToLive
is active on a different AttributeName: current AttributeName is X", the
cooldown's "Time to live has been modified multiple times within a fixed
interval" (content checks first), DescribeTimeToLive without AttributeName
when disabled; and the developer guide: expired items are still returned until
deleted, the deletion is a stream REMOVE record by the service, a TTL that is
not a Number or is more than five years in the past is ignored.
"""

from __future__ import annotations

import boto3
import pytest

from fakeaws import mock_serverless

NOW = 1_800_000_000  # the frozen clock's start (epoch seconds)


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region="eu-west-1", start=NOW) as cloud:
        yield cloud


@pytest.fixture
def ddb(cloud):
    client = boto3.client("dynamodb", region_name="eu-west-1")
    client.create_table(
        TableName="sessions",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "user", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_user",
                "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    cloud.settle()
    return client


def enable(ddb, attribute="expires"):
    return ddb.update_time_to_live(
        TableName="sessions",
        TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
    )


def put(ddb, key, expires, user="u1"):
    item = {"id": {"S": key}, "user": {"S": user}}
    if expires is not None:
        item["expires"] = expires if isinstance(expires, dict) else {"N": str(expires)}
    ddb.put_item(TableName="sessions", Item=item)


def keys(ddb):
    return sorted(
        i["id"]["S"] for i in ddb.scan(TableName="sessions", ConsistentRead=True)["Items"]
    )


def test_describe_and_enable(cloud, ddb):
    assert ddb.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    response = enable(ddb)
    assert response["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    assert ddb.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires",
    }


def test_validation_messages_and_cooldown(cloud, ddb):
    with pytest.raises(ddb.exceptions.ClientError) as exc:
        ddb.update_time_to_live(
            TableName="sessions",
            TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"},
        )
    assert exc.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "TimeToLive is already disabled",
    }
    enable(ddb)
    with pytest.raises(ddb.exceptions.ClientError) as exc:
        enable(ddb)
    assert exc.value.response["Error"]["Message"] == "TimeToLive is already enabled"
    with pytest.raises(ddb.exceptions.ClientError) as exc:
        enable(ddb, "other")
    assert exc.value.response["Error"]["Message"] == (
        "TimeToLive is active on a different AttributeName: current AttributeName is expires"
    )
    disable = {"Enabled": False, "AttributeName": "expires"}
    with pytest.raises(ddb.exceptions.ClientError) as exc:
        ddb.update_time_to_live(TableName="sessions", TimeToLiveSpecification=disable)
    assert exc.value.response["Error"]["Message"] == (
        "Time to live has been modified multiple times within a fixed interval"
    )
    cloud.clock.advance(1860)
    out = ddb.update_time_to_live(TableName="sessions", TimeToLiveSpecification=disable)
    assert out["TimeToLiveSpecification"] == disable
    assert ddb.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_time_to_live(TableName="missing")
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.update_time_to_live(
            TableName="missing", TimeToLiveSpecification={"Enabled": True, "AttributeName": "x"}
        )


def test_expired_items_are_read_until_swept_then_deleted_with_their_index_entries(cloud, ddb):
    enable(ddb)
    put(ddb, "past", NOW - 10)
    put(ddb, "soon", NOW + 100)
    put(ddb, "never", None)
    assert keys(ddb) == ["never", "past", "soon"]  # expired but not yet deleted: still read
    cloud.clock.advance(289)  # the sweeper runs ttl_sweep_delay (300 s) after expiry
    assert keys(ddb) == ["never", "past", "soon"]
    cloud.clock.advance(1)
    assert keys(ddb) == ["never", "soon"]
    by_user = ddb.query(
        TableName="sessions",
        IndexName="by_user",
        KeyConditionExpression="#u = :u",
        ExpressionAttributeNames={"#u": "user"},
        ExpressionAttributeValues={":u": {"S": "u1"}},
    )["Items"]
    assert sorted(i["id"]["S"] for i in by_user) == ["never", "soon"]
    cloud.clock.advance(109)
    assert keys(ddb) == ["never", "soon"]
    cloud.clock.advance(1)
    assert keys(ddb) == ["never"]


def test_ttl_deletions_are_stream_removes_by_the_service(cloud, ddb):
    enable(ddb)
    put(ddb, "a", NOW + 5)
    cloud.clock.advance(305)
    streams = boto3.client("dynamodbstreams", region_name="eu-west-1")
    arn = ddb.describe_table(TableName="sessions")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    insert, remove = streams.get_records(ShardIterator=iterator)["Records"]
    assert "userIdentity" not in insert
    assert remove["eventName"] == "REMOVE"
    assert remove["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    assert remove["dynamodb"]["OldImage"]["expires"] == {"N": str(NOW + 5)}


def test_what_ttl_leaves_alone(cloud, ddb):
    enable(ddb)
    put(ddb, "text", {"S": str(NOW - 10)})  # not a Number
    put(ddb, "ancient", NOW - 6 * 365 * 24 * 3600)  # more than five years ago
    put(ddb, "millis", (NOW - 10) * 1000)  # milliseconds: far in the future as seconds
    put(ddb, "recent", NOW - 4 * 365 * 24 * 3600)  # four years ago: deleted
    cloud.clock.advance(3600)
    assert keys(ddb) == ["ancient", "millis", "text"]


def test_items_written_before_ttl_is_enabled_are_swept_and_disabling_stops_it(cloud, ddb):
    put(ddb, "before", NOW - 10)
    cloud.clock.advance(3600)
    assert keys(ddb) == ["before"]  # no TTL on the table yet
    enable(ddb)
    cloud.clock.advance(300)
    assert keys(ddb) == []
    put(ddb, "later", NOW + 3900 + 3000)  # due after the disable below
    cloud.clock.advance(1860)
    ddb.update_time_to_live(
        TableName="sessions",
        TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"},
    )
    cloud.clock.advance(3600)
    assert keys(ddb) == ["later"]


def test_sweep_delay_is_a_setting(cloud, ddb):
    cloud.settings.dynamodb.ttl_sweep_delay = 0
    enable(ddb)
    put(ddb, "now", NOW)
    cloud.settle()
    assert keys(ddb) == []
    put(ddb, "extended", NOW + 10)
    ddb.update_item(  # pushing the expiry later keeps the item
        TableName="sessions",
        Key={"id": {"S": "extended"}},
        UpdateExpression="SET expires = :e",
        ExpressionAttributeValues={":e": {"N": str(NOW + 1000)}},
    )
    cloud.clock.advance(10)
    assert keys(ddb) == ["extended"]
    cloud.clock.advance(990)
    assert keys(ddb) == []
