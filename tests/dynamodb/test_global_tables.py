"""Global tables (version 2019.11.21) through real boto3 clients of several regions.

Expected rules and messages are DynamoDB's as the ack-api-quirks lab recorded them
live (table-replicas.md, DDB-TABLE-203/225/265, the message catalogue DDB-TABLE-442,
DDB-GLOBALTABLE-004): see fakeaws/services/dynamodb/global_tables.py.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

HOME, AWAY, THIRD = "eu-west-1", "us-east-1", "ap-southeast-2"
ACCOUNT = "123456789012"
INVALID = "One or more parameter values were invalid: "


@pytest.fixture
def cloud():
    with mock_serverless(region=HOME, clock="frozen") as cloud:
        yield cloud


@pytest.fixture
def home(cloud):
    return boto3.client("dynamodb", region_name=HOME)


@pytest.fixture
def away(cloud):
    return boto3.client("dynamodb", region_name=AWAY)


def error(excinfo) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def create(client, name="users", **extra):
    params = {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "email", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by_email",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    params.update(extra)
    client.create_table(**params)


def add_replica(client, region, name="users", **body):
    return client.update_table(
        TableName=name, ReplicaUpdates=[{"Create": {"RegionName": region, **body}}]
    )["TableDescription"]


def put(client, pk, value, name="users"):
    client.put_item(
        TableName=name,
        Item={"pk": {"S": pk}, "v": {"S": value}, "email": {"S": f"{pk}@example.com"}},
    )


def value(client, pk, name="users"):
    item = client.get_item(TableName=name, Key={"pk": {"S": pk}}, ConsistentRead=True).get("Item")
    return None if item is None else item["v"]["S"]


def test_a_replica_is_a_table_of_the_other_region(cloud, home, away):
    create(home)
    put(home, "ann", "v1")
    answer = add_replica(home, AWAY)
    assert answer["TableStatus"] == "UPDATING"
    # DynamoDB turns a NEW_AND_OLD_IMAGES stream on for replication
    assert answer["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    away.get_waiter("table_exists").wait(TableName="users")
    mine = home.describe_table(TableName="users")["Table"]
    theirs = away.describe_table(TableName="users")["Table"]
    assert mine["GlobalTableVersion"] == theirs["GlobalTableVersion"] == "2019.11.21"
    assert [(r["RegionName"], r["ReplicaStatus"]) for r in mine["Replicas"]] == [(AWAY, "ACTIVE")]
    assert [(r["RegionName"], r["ReplicaStatus"]) for r in theirs["Replicas"]] == [(HOME, "ACTIVE")]
    assert mine["Replicas"][0]["GlobalSecondaryIndexes"] == [{"IndexName": "by_email"}]
    assert theirs["TableArn"] == f"arn:aws:dynamodb:{AWAY}:{ACCOUNT}:table/users"
    assert theirs["TableId"] != mine["TableId"]
    assert theirs["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert mine["TableStatus"] == theirs["TableStatus"] == "ACTIVE"
    # the items were copied, and the indexes with them
    assert value(away, "ann") == "v1"
    found = away.query(
        TableName="users",
        IndexName="by_email",
        KeyConditionExpression="email = :e",
        ExpressionAttributeValues={":e": {"S": "ann@example.com"}},
    )["Items"]
    assert [i["pk"]["S"] for i in found] == ["ann"]
    # version 2019.11.21 adds no aws:rep:* attributes
    item = away.get_item(TableName="users", Key={"pk": {"S": "ann"}})["Item"]
    assert set(item) == {"pk", "v", "email"}


def test_writes_replicate_after_the_lag_in_both_directions(cloud, home, away):
    create(home)
    add_replica(home, AWAY)
    put(home, "ann", "from-home")
    assert value(away, "ann") is None  # not yet: the lag is one virtual second
    cloud.clock.advance(1)
    assert value(away, "ann") == "from-home"
    away.update_item(
        TableName="users",
        Key={"pk": {"S": "ann"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "from-away"}},
    )
    cloud.settle(within=1)
    assert value(home, "ann") == "from-away"
    away.delete_item(TableName="users", Key={"pk": {"S": "ann"}})
    cloud.clock.advance(1)
    assert value(home, "ann") is None
    # the replicated write lands in the other region's index too
    put(home, "bob", "x")
    cloud.clock.advance(1)
    found = away.query(
        TableName="users",
        IndexName="by_email",
        KeyConditionExpression="email = :e",
        ExpressionAttributeValues={":e": {"S": "bob@example.com"}},
    )["Items"]
    assert [i["pk"]["S"] for i in found] == ["bob"]


def test_the_lag_is_a_setting(cloud, home, away):
    cloud.settings.dynamodb.global_table_lag = 5
    create(home)
    add_replica(home, AWAY)
    put(home, "ann", "v1")
    cloud.clock.advance(4)
    assert value(away, "ann") is None
    cloud.clock.advance(1)
    assert value(away, "ann") == "v1"


def test_last_writer_wins_across_regions(cloud, home, away):
    create(home)
    add_replica(home, AWAY)
    put(home, "ann", "home-at-0")
    cloud.clock.advance(0.5)
    put(away, "ann", "away-at-0.5")  # before the home write has arrived
    cloud.clock.advance(0.4)
    put(home, "bob", "home-at-0.9")
    cloud.clock.advance(0.1)
    put(away, "bob", "away-at-1.0")  # after the home write, before it arrives
    # ann: the home write reaches away at 1.0, older than away's own: dropped
    cloud.clock.advance(0.4)
    assert value(away, "ann") == "away-at-0.5"
    # bob: the home write reaches away at 1.9, older than away's: dropped; away's reaches
    # home at 2.0, newer than home's: applied
    cloud.clock.advance(0.5)
    assert value(away, "bob") == "away-at-1.0"
    assert value(home, "bob") == "home-at-0.9"
    cloud.clock.advance(0.1)
    assert value(home, "ann") == value(away, "ann") == "away-at-0.5"
    assert value(home, "bob") == value(away, "bob") == "away-at-1.0"


def test_simultaneous_writes_are_settled_by_region(cloud, home, away):
    create(home)
    add_replica(home, AWAY)
    put(home, "ann", "home")
    put(away, "ann", "away")  # the same virtual instant: the greater region name wins
    cloud.clock.advance(1)
    winner = "home" if HOME > AWAY else "away"
    assert value(home, "ann") == value(away, "ann") == winner


def test_three_regions_converge(cloud, home, away):
    third = boto3.client("dynamodb", region_name=THIRD)
    create(home)
    add_replica(home, AWAY)
    add_replica(away, THIRD)  # a Create may be issued at any member
    for region in (HOME, AWAY):
        others = third.describe_table(TableName="users")["Table"]["Replicas"]
        assert region in [r["RegionName"] for r in others]
    for n, client in enumerate((home, away, third)):
        put(client, f"k{n}", f"from-{n}")
        cloud.clock.advance(0.2)
        put(client, "shared", f"shared-{n}")
    cloud.clock.advance(2)
    for client in (home, away, third):
        assert {k: value(client, k) for k in ("k0", "k1", "k2", "shared")} == {
            "k0": "from-0",
            "k1": "from-1",
            "k2": "from-2",
            "shared": "shared-2",
        }


def _stream_events(region, table="users"):
    streams = boto3.client("dynamodbstreams", region_name=region)
    arn = streams.list_streams(TableName=table)["Streams"][0]["StreamArn"]
    events = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for record in streams.get_records(ShardIterator=iterator)["Records"]:
            events.append((record["eventName"], record["dynamodb"]["Keys"]["pk"]["S"]))
    return events


def test_replicated_writes_are_not_sent_back(cloud, home, away):
    create(home)
    add_replica(home, AWAY)
    put(home, "ann", "v1")
    assert len(_replications(cloud)) == 1
    cloud.clock.advance(1)
    assert value(away, "ann") == "v1"
    assert _replications(cloud) == []  # the replicated write is not sent back
    put(away, "ann", "v2")
    cloud.clock.advance(1)
    assert _replications(cloud) == []
    # each region's stream shows each change once
    assert _stream_events(HOME) == [("INSERT", "ann"), ("MODIFY", "ann")]
    assert _stream_events(AWAY) == [("INSERT", "ann"), ("MODIFY", "ann")]


def _replications(cloud):
    return [task for task in cloud.scheduler.pending if "deliver" in task.name]


def test_a_creating_replica_answers_only_describe_table(cloud, home, away):
    cloud.settings.dynamodb.replica_delay = 30
    create(home)
    add_replica(home, AWAY)
    assert [
        (r["RegionName"], r["ReplicaStatus"])
        for r in home.describe_table(TableName="users")["Table"]["Replicas"]
    ] == [(AWAY, "CREATING")]
    assert away.describe_table(TableName="users")["Table"]["TableStatus"] == "CREATING"
    with pytest.raises(ClientError) as excinfo:
        away.get_item(TableName="users", Key={"pk": {"S": "ann"}})
    assert error(excinfo)[0] == "ResourceNotFoundException"
    put(home, "ann", "v1")  # the source is UPDATING but writable
    with pytest.raises(ClientError) as excinfo:
        add_replica(home, THIRD)
    assert error(excinfo) == (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table is being updated: users",
    )
    cloud.clock.advance(30)
    assert value(away, "ann") == "v1"
    assert home.describe_table(TableName="users")["Table"]["Replicas"][0]["ReplicaStatus"] == (
        "ACTIVE"
    )


def test_deleting_a_replica(cloud, home, away):
    cloud.settings.dynamodb.replica_delay = 30
    create(home)
    add_replica(home, AWAY)
    cloud.clock.advance(30)
    answer = home.update_table(
        TableName="users", ReplicaUpdates=[{"Delete": {"RegionName": AWAY}}]
    )["TableDescription"]
    assert answer["TableStatus"] == "UPDATING"
    assert answer["Replicas"] == [{"RegionName": AWAY, "ReplicaStatus": "DELETING", **_gsi()}]
    assert away.describe_table(TableName="users")["Table"]["TableStatus"] == "DELETING"
    cloud.clock.advance(30)
    table = home.describe_table(TableName="users")["Table"]
    assert "Replicas" not in table and "GlobalTableVersion" not in table
    assert table["StreamSpecification"]["StreamEnabled"] is True  # kept
    with pytest.raises(ClientError) as excinfo:
        away.describe_table(TableName="users")
    assert error(excinfo)[0] == "ResourceNotFoundException"
    put(home, "ann", "v1")  # no longer replicated
    cloud.clock.advance(5)
    assert away.list_tables()["TableNames"] == []


def _gsi():
    return {"GlobalSecondaryIndexes": [{"IndexName": "by_email"}]}


def test_a_regional_delete_table_leaves_the_group(cloud, home, away):
    create(home)
    add_replica(home, AWAY)
    cloud.settings.dynamodb.table_delay = 10
    away.delete_table(TableName="users")
    assert home.describe_table(TableName="users")["Table"]["Replicas"][0]["ReplicaStatus"] == (
        "DELETING"
    )
    cloud.clock.advance(10)
    assert "Replicas" not in home.describe_table(TableName="users")["Table"]
    put(home, "ann", "v1")
    cloud.clock.advance(1)
    assert away.list_tables()["TableNames"] == []


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        (
            [{}],
            "There are no actions specified in the Replica Update Action of the request.",
        ),
        (
            [{"Create": {"RegionName": AWAY}}, {"Create": {"RegionName": THIRD}}],
            "Update table operation with more than one create or delete replica actions not "
            "allowed",
        ),
        (
            [{"Create": {"RegionName": HOME}}],
            "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, "
            "DeleteTable, or UpdateTable as required.",
        ),
        (
            [{"Delete": {"RegionName": THIRD}}],
            "Update global table operation failed because one or more replicas were not part of "
            f"the global table. Please retry the request without these replicas: [{THIRD}].",
        ),
    ],
)
def test_replica_update_errors(home, updates, message):
    create(home)
    with pytest.raises(ClientError) as excinfo:
        home.update_table(TableName="users", ReplicaUpdates=updates)
    assert error(excinfo) == ("ValidationException", message)
    assert "Replicas" not in home.describe_table(TableName="users")["Table"]


def test_an_unknown_region_is_refused(home):
    create(home)
    with pytest.raises(ClientError) as excinfo:
        add_replica(home, "xx-fake-1")
    code, message = error(excinfo)
    assert code == "ValidationException"
    assert message.startswith(
        "Region xx-fake-1 is not supported. The latest version of global tables are only "
        "supported in the following regions: ["
    )
    assert AWAY in message


def test_a_replica_cannot_replace_an_existing_table(home, away):
    create(home)
    create(away)
    with pytest.raises(ClientError) as excinfo:
        add_replica(home, AWAY)
    assert error(excinfo) == (
        "ValidationException",
        "Failed to create a the new replica of table with name: \u2018users\u2019 because one or "
        "more replicas already existed as tables.",
    )
    away.delete_table(TableName="users")
    add_replica(home, AWAY)
    with pytest.raises(ClientError) as excinfo:  # an existing member: same message
        add_replica(home, AWAY)
    assert "already existed as tables" in error(excinfo)[1]


def test_provisioned_tables_need_auto_scaling(home):
    create(
        home,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_email",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            }
        ],
    )
    with pytest.raises(ClientError) as excinfo:
        add_replica(home, AWAY)
    assert error(excinfo) == (
        "ValidationException",
        "Table write capacity should either be Pay-Per-Request or AutoScaled.",
    )


def test_replica_modification_must_come_alone(home):
    create(home)
    with pytest.raises(ClientError) as excinfo:
        home.update_table(
            TableName="users",
            ReplicaUpdates=[{"Create": {"RegionName": AWAY}}],
            DeletionProtectionEnabled=True,
        )
    assert error(excinfo)[1] in (
        INVALID + "DeletionProtection modification must be the only operation in the request",
        INVALID + "Replica modification must be the only operation in the request",
    )
    with pytest.raises(ClientError) as excinfo:
        home.update_table(
            TableName="users",
            ReplicaUpdates=[{"Create": {"RegionName": AWAY}}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        )
    assert error(excinfo) == (
        "ValidationException",
        INVALID + "Replica modification must be the only operation in the request",
    )


def test_the_stream_of_a_replica_stays_on(cloud, home, away):
    create(home, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    add_replica(home, AWAY)
    # another view type is kept as it is (no stream prerequisite)
    table = home.describe_table(TableName="users")["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    with pytest.raises(ClientError) as excinfo:
        away.update_table(TableName="users", StreamSpecification={"StreamEnabled": False})
    assert error(excinfo) == (
        "ValidationException",
        INVALID + "Disabling Stream is not allowed for a Global Table replica.",
    )


def test_replicas_of_an_encrypted_table(cloud, home, away):
    create(home, SSESpecification={"Enabled": True})
    add_replica(home, AWAY)
    mine = home.describe_table(TableName="users")["Table"]
    theirs = away.describe_table(TableName="users")["Table"]
    assert theirs["SSEDescription"]["KMSMasterKeyArn"].startswith(
        f"arn:aws:kms:{AWAY}:{ACCOUNT}:key/"
    )
    assert mine["Replicas"][0]["KMSMasterKeyId"] == theirs["SSEDescription"]["KMSMasterKeyArn"]
    cmk = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    create(
        home, "secrets", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": cmk}
    )
    with pytest.raises(ClientError) as excinfo:
        add_replica(home, AWAY, name="secrets")
    assert error(excinfo) == (
        "ValidationException",
        INVALID + "KMSMasterKeyId must be specified for each replica.",
    )
    away_key = "1234abcd-12ab-34cd-56ef-000000000000"
    add_replica(home, AWAY, name="secrets", KMSMasterKeyId=away_key)
    theirs = away.describe_table(TableName="secrets")["Table"]
    assert theirs["SSEDescription"]["KMSMasterKeyArn"] == (
        f"arn:aws:kms:{AWAY}:{ACCOUNT}:key/{away_key}"
    )


def test_a_table_class_override(cloud, home, away):
    create(home)
    add_replica(home, AWAY, TableClassOverride="STANDARD_INFREQUENT_ACCESS")
    theirs = away.describe_table(TableName="users")["Table"]
    assert theirs["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    mine = home.describe_table(TableName="users")["Table"]
    assert mine["Replicas"][0]["ReplicaTableClassSummary"] == {
        "TableClass": "STANDARD_INFREQUENT_ACCESS"
    }
    home.update_table(
        TableName="users",
        ReplicaUpdates=[{"Update": {"RegionName": AWAY, "TableClassOverride": "STANDARD"}}],
    )
    assert "TableClassSummary" not in away.describe_table(TableName="users")["Table"]


def test_legacy_global_table_operations(home):
    create(home)
    with pytest.raises(ClientError) as excinfo:
        home.describe_global_table(GlobalTableName="users")
    assert error(excinfo) == (
        "GlobalTableNotFoundException",
        "Global table not found: Global table with name: 'users' does not exist.",
    )
    assert home.list_global_tables()["GlobalTables"] == []
    with pytest.raises(ClientError) as excinfo:
        home.create_global_table(
            GlobalTableName="users", ReplicationGroup=[{"RegionName": HOME}, {"RegionName": AWAY}]
        )
    assert error(excinfo) == (
        "ValidationException",
        INVALID + "DynamoDB global tables version 2017.11.29 is not supported. We recommend using "
        "DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).",
    )
    with pytest.raises(ClientError) as excinfo:
        home.describe_global_table_settings(GlobalTableName="users")
    assert error(excinfo) == (
        "GlobalTableNotFoundException",
        "Global table with name: 'users' does not exist.",
    )


def test_snapshots_keep_the_group(cloud, home, away):
    create(home)
    add_replica(home, AWAY)
    put(home, "ann", "v1")
    snap = cloud.snapshot()
    cloud.clock.advance(1)
    put(away, "ann", "v2")
    cloud.restore(snap)
    cloud.clock.advance(1)  # the pending replication was part of the snapshot
    assert value(away, "ann") == "v1"
    put(away, "ann", "v3")
    cloud.clock.advance(1)
    assert value(home, "ann") == "v3"
