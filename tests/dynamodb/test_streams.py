"""DynamoDB Streams: records on every change, the Streams API, shards, iterators, retention.

Shapes and numbers checked against what AWS returns: records as LocalStack's
ESM tests captured them from AWS (eventVersion "1.1", ``SizeBytes`` 32 for a
key ``id``="id_value" plus ``id2``="id2_value" with NEW_AND_OLD_IMAGES, 46 for
the MODIFY adding ``id2``="id2_new_value", 58 for ``my_partition_key`` /
``should_fail`` NEW_IMAGE records, 70 for a binary attribute), the messages
AWS answers ("Requested resource not found: Stream: <arn> not found", "Shard
iterator has expired", "The data you are trying to access has been trimmed")
and the ack-api-quirks lab's stream lifecycle (a new ARN per enable, DISABLED
streams still listed).
"""

from __future__ import annotations

from datetime import datetime

import boto3
import pytest

from fakeaws import mock_serverless

VIEW = "NEW_AND_OLD_IMAGES"


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region="eu-west-1") as cloud:
        yield cloud


@pytest.fixture
def ddb(cloud):
    return boto3.client("dynamodb", region_name="eu-west-1")


@pytest.fixture
def streams(cloud):
    return boto3.client("dynamodbstreams", region_name="eu-west-1")


def create(ddb, name="orders", view=VIEW, key="id", **extra):
    spec = {"StreamEnabled": True, "StreamViewType": view} if view else None
    if spec:
        extra["StreamSpecification"] = spec
    out = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}]
        + extra.pop("definitions", []),
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return out["TableDescription"].get("LatestStreamArn")


def all_records(streams, arn, kind="TRIM_HORIZON"):
    out = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=kind
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            out.extend(page["Records"])
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return out


def test_insert_modify_remove_records_in_aws_shape(cloud, ddb, streams):
    arn = create(ddb)
    ddb.put_item(TableName="orders", Item={"id": {"S": "id_value"}, "id2": {"S": "id2_value"}})
    ddb.update_item(
        TableName="orders",
        Key={"id": {"S": "id_value"}},
        UpdateExpression="SET id2 = :v",
        ExpressionAttributeValues={":v": {"S": "id2_new_value"}},
    )
    ddb.delete_item(TableName="orders", Key={"id": {"S": "id_value"}})
    insert, modify, remove = all_records(streams, arn)
    assert [r["eventName"] for r in (insert, modify, remove)] == ["INSERT", "MODIFY", "REMOVE"]
    for record in (insert, modify, remove):
        assert record["eventVersion"] == "1.1"
        assert record["eventSource"] == "aws:dynamodb"
        assert record["awsRegion"] == "eu-west-1"
        assert len(record["eventID"]) == 32
        assert "userIdentity" not in record
        data = record["dynamodb"]
        assert isinstance(data["ApproximateCreationDateTime"], datetime)
        assert data["ApproximateCreationDateTime"].microsecond == 0  # rounded down to the second
        assert data["Keys"] == {"id": {"S": "id_value"}}
        assert data["StreamViewType"] == VIEW
        assert len(data["SequenceNumber"]) >= 21 and data["SequenceNumber"].isdigit()
    assert insert["dynamodb"]["NewImage"] == {"id": {"S": "id_value"}, "id2": {"S": "id2_value"}}
    assert "OldImage" not in insert["dynamodb"]
    assert insert["dynamodb"]["SizeBytes"] == 32  # as AWS reports it for this item
    assert modify["dynamodb"]["OldImage"] == insert["dynamodb"]["NewImage"]
    assert modify["dynamodb"]["NewImage"]["id2"] == {"S": "id2_new_value"}
    assert "NewImage" not in remove["dynamodb"]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in (insert, modify, remove)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


def test_size_bytes_of_a_binary_new_image_record_matches_aws(cloud, ddb, streams):
    arn = create(ddb, key="my_partition_key", view="NEW_IMAGE")
    ddb.put_item(
        TableName="orders",
        Item={"my_partition_key": {"S": "hello world"}, "binary_key": {"B": b"foobar"}},
    )
    ddb.put_item(
        TableName="orders",
        Item={"my_partition_key": {"S": "testId0"}, "should_fail": {"BOOL": False}},
    )
    first, second = all_records(streams, arn)
    assert first["dynamodb"]["SizeBytes"] == 70
    assert first["dynamodb"]["NewImage"]["binary_key"] == {"B": b"foobar"}
    assert second["dynamodb"]["SizeBytes"] == 58


@pytest.mark.parametrize(
    ("view", "new", "old"),
    [
        ("KEYS_ONLY", False, False),
        ("NEW_IMAGE", True, False),
        ("OLD_IMAGE", False, True),
        ("NEW_AND_OLD_IMAGES", True, True),
    ],
)
def test_view_types_choose_the_images(cloud, ddb, streams, view, new, old):
    arn = create(ddb, view=view)
    ddb.put_item(TableName="orders", Item={"id": {"S": "a"}, "n": {"N": "1"}})
    ddb.put_item(TableName="orders", Item={"id": {"S": "a"}, "n": {"N": "2"}})
    _, modify = all_records(streams, arn)
    data = modify["dynamodb"]
    assert data["Keys"] == {"id": {"S": "a"}}
    assert ("NewImage" in data) is new
    assert ("OldImage" in data) is old
    assert data["StreamViewType"] == view
    if view == "KEYS_ONLY":
        assert data["SizeBytes"] == 3  # the key alone: "id" + "a"


def test_writes_that_change_nothing_make_no_record(cloud, ddb, streams):
    arn = create(ddb)
    item = {"id": {"S": "a"}, "tags": {"SS": ["x", "y"]}, "n": {"N": "1.50"}}
    ddb.put_item(TableName="orders", Item=item)
    ddb.put_item(TableName="orders", Item=item)  # identical overwrite
    ddb.put_item(  # equal by DynamoDB's rules: set order and number form do not matter
        TableName="orders",
        Item={"id": {"S": "a"}, "tags": {"SS": ["y", "x"]}, "n": {"N": "1.5"}},
    )
    ddb.delete_item(TableName="orders", Key={"id": {"S": "missing"}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(
            TableName="orders",
            Item={"id": {"S": "a"}, "n": {"N": "9"}},
            ConditionExpression="attribute_not_exists(id)",
        )
    assert [r["eventName"] for r in all_records(streams, arn)] == ["INSERT"]


def test_batches_transactions_and_partiql_are_streamed(cloud, ddb, streams):
    arn = create(ddb)
    ddb.batch_write_item(
        RequestItems={
            "orders": [{"PutRequest": {"Item": {"id": {"S": f"b{i}"}}}} for i in range(3)]
        }
    )
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "orders", "Item": {"id": {"S": "t1"}}}},
            {"Delete": {"TableName": "orders", "Key": {"id": {"S": "b0"}}}},
        ]
    )
    ddb.execute_statement(Statement="INSERT INTO orders VALUE {'id': 'p1'}")
    ddb.execute_statement(Statement="UPDATE orders SET x = 1 WHERE id = 'p1'")
    records = all_records(streams, arn)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]) for r in records] == [
        ("INSERT", "b0"),
        ("INSERT", "b1"),
        ("INSERT", "b2"),
        ("INSERT", "t1"),
        ("REMOVE", "b0"),
        ("INSERT", "p1"),
        ("MODIFY", "p1"),
    ]


def test_index_maintenance_adds_no_records(cloud, ddb, streams):
    arn = create(
        ddb,
        definitions=[{"AttributeName": "status", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    ddb.put_item(TableName="orders", Item={"id": {"S": "a"}, "status": {"S": "new"}})
    ddb.put_item(TableName="orders", Item={"id": {"S": "a"}, "status": {"S": "paid"}})
    assert [r["eventName"] for r in all_records(streams, arn)] == ["INSERT", "MODIFY"]


def test_describe_and_list_streams(cloud, ddb, streams):
    arn = create(ddb)
    create(ddb, name="other")
    create(ddb, name="plain", view=None)
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamArn"] == arn
    assert description["StreamLabel"] == arn.rsplit("/", 1)[1]
    assert description["StreamStatus"] == "ENABLED"
    assert description["StreamViewType"] == VIEW
    assert description["TableName"] == "orders"
    assert description["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert isinstance(description["CreationRequestDateTime"], datetime)
    [shard] = description["Shards"]
    assert shard["ShardId"].startswith("shardId-") and len(shard["ShardId"]) == 37
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]  # still open
    assert "ParentShardId" not in shard
    listed = streams.list_streams()["Streams"]
    assert [s["TableName"] for s in listed] == ["orders", "other"]
    assert listed[0] == {
        "StreamArn": arn,
        "TableName": "orders",
        "StreamLabel": description["StreamLabel"],
    }
    assert [s["StreamArn"] for s in streams.list_streams(TableName="orders")["Streams"]] == [arn]
    page = streams.list_streams(Limit=1)
    assert len(page["Streams"]) == 1 and page["LastEvaluatedStreamArn"] == arn
    rest = streams.list_streams(ExclusiveStartStreamArn=page["LastEvaluatedStreamArn"])
    assert [s["TableName"] for s in rest["Streams"]] == ["other"]
    assert "LastEvaluatedStreamArn" not in rest
    missing = arn.replace("orders", "nothing")
    with pytest.raises(streams.exceptions.ResourceNotFoundException) as exc:
        streams.describe_stream(StreamArn=missing)
    assert exc.value.response["Error"]["Message"] == (
        f"Requested resource not found: Stream: {missing} not found"
    )
    with pytest.raises(streams.exceptions.ResourceNotFoundException) as exc:
        streams.get_shard_iterator(
            StreamArn=arn,
            ShardId="shardId-00000000000000000000-00000000",
            ShardIteratorType="LATEST",
        )
    assert exc.value.response["Error"]["Message"] == (
        "Requested resource not found: Shard does not exist"
    )


def test_each_enable_makes_a_new_stream_and_disabled_ones_stay_readable_a_day(cloud, ddb, streams):
    first = create(ddb)
    ddb.put_item(TableName="orders", Item={"id": {"S": "a"}})
    cloud.clock.advance(5)
    ddb.update_table(TableName="orders", StreamSpecification={"StreamEnabled": False})
    cloud.settle()
    table = ddb.describe_table(TableName="orders")["Table"]
    assert "StreamSpecification" not in table
    assert table["LatestStreamArn"] == first  # kept after disabling
    ddb.put_item(TableName="orders", Item={"id": {"S": "b"}})  # not captured
    cloud.clock.advance(5)
    second = ddb.update_table(
        TableName="orders", StreamSpecification={"StreamEnabled": True, "StreamViewType": VIEW}
    )["TableDescription"]["LatestStreamArn"]
    cloud.settle()
    assert second != first
    ddb.put_item(TableName="orders", Item={"id": {"S": "c"}})
    old = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert old["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in old["Shards"][0]["SequenceNumberRange"]  # closed
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in all_records(streams, first)] == ["a"]
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in all_records(streams, second)] == ["c"]
    listed = streams.list_streams(TableName="orders")["Streams"]
    assert [s["StreamArn"] for s in listed] == [first, second]
    cloud.clock.advance(24 * 3600)  # a day after it was disabled, the old stream is gone
    assert [s["StreamArn"] for s in streams.list_streams()["Streams"]] == [second]
    with pytest.raises(streams.exceptions.ResourceNotFoundException):
        streams.describe_stream(StreamArn=first)


def test_deleting_the_table_disables_its_stream(cloud, ddb, streams):
    arn = create(ddb)
    ddb.put_item(TableName="orders", Item={"id": {"S": "a"}})
    ddb.delete_table(TableName="orders")
    cloud.settle()
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamStatus"] == "DISABLED"
    assert len(all_records(streams, arn)) == 1


def test_iterator_types_and_paging(cloud, ddb, streams):
    arn = create(ddb)
    for i in range(5):
        ddb.put_item(TableName="orders", Item={"id": {"S": f"k{i}"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

    def iterator(kind, sequence=None):
        extra = {"SequenceNumber": sequence} if sequence else {}
        return streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **extra
        )["ShardIterator"]

    page = streams.get_records(ShardIterator=iterator("TRIM_HORIZON"), Limit=2)
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in page["Records"]] == ["k0", "k1"]
    page = streams.get_records(ShardIterator=page["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in page["Records"]] == ["k2", "k3", "k4"]
    empty = streams.get_records(ShardIterator=page["NextShardIterator"])
    assert empty["Records"] == [] and empty["NextShardIterator"]  # open shard: keep polling
    third = page["Records"][0]["dynamodb"]["SequenceNumber"]
    at = streams.get_records(ShardIterator=iterator("AT_SEQUENCE_NUMBER", third))
    assert [r["dynamodb"]["SequenceNumber"] for r in at["Records"]][0] == third
    after = streams.get_records(ShardIterator=iterator("AFTER_SEQUENCE_NUMBER", third))
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in after["Records"]] == ["k3", "k4"]
    latest = iterator("LATEST")
    assert streams.get_records(ShardIterator=latest)["Records"] == []
    ddb.put_item(TableName="orders", Item={"id": {"S": "new"}})
    got = streams.get_records(ShardIterator=latest)["Records"]
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in got] == ["new"]
    with pytest.raises(streams.exceptions.ClientError) as exc:
        streams.get_records(ShardIterator=latest, Limit=1001)
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have value less than or equal to 1000" in str(exc.value)


def test_iterators_expire_after_fifteen_minutes(cloud, ddb, streams):
    arn = create(ddb)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    cloud.clock.advance(14 * 60)
    fresh = streams.get_records(ShardIterator=iterator)["NextShardIterator"]
    cloud.clock.advance(61)
    with pytest.raises(streams.exceptions.ExpiredIteratorException) as exc:
        streams.get_records(ShardIterator=iterator)
    assert exc.value.response["Error"]["Message"] == "Shard iterator has expired"
    streams.get_records(ShardIterator=fresh)  # the one GetRecords returned is younger


def test_records_are_trimmed_after_24_hours(cloud, ddb, streams):
    arn = create(ddb)
    ddb.put_item(TableName="orders", Item={"id": {"S": "old"}})
    first = all_records(streams, arn)[0]["dynamodb"]["SequenceNumber"]
    cloud.clock.advance(12 * 3600)
    ddb.put_item(TableName="orders", Item={"id": {"S": "young"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    horizon = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    cloud.clock.advance(12 * 3600 + 1)  # "old" is now older than a day (shards roll over too)
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in all_records(streams, arn)] == ["young"]
    with pytest.raises(streams.exceptions.TrimmedDataAccessException) as exc:
        streams.get_shard_iterator(
            StreamArn=arn,
            ShardId=shard,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=first,
        )
    assert exc.value.response["Error"]["Message"] == (
        "The data you are trying to access has been trimmed"
    )
    # an iterator taken before the trim points at records that are gone (it is also
    # older than 15 minutes, but a fresh TRIM_HORIZON one starts at the oldest record kept)
    with pytest.raises(
        (streams.exceptions.TrimmedDataAccessException, streams.exceptions.ExpiredIteratorException)
    ):
        streams.get_records(ShardIterator=horizon)


def test_an_iterator_older_than_the_trim_point_is_refused(cloud, ddb, streams):
    arn = create(ddb)
    ddb.put_item(TableName="orders", Item={"id": {"S": "a"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    cloud.clock.advance(24 * 3600 - 60)
    horizon = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    cloud.clock.advance(120)  # the record expires while the iterator is still valid
    with pytest.raises(streams.exceptions.TrimmedDataAccessException):
        streams.get_records(ShardIterator=horizon)


def test_shards_roll_over_every_four_hours(cloud, ddb, streams):
    arn = create(ddb)
    ddb.put_item(TableName="orders", Item={"id": {"S": "a"}})
    cloud.clock.advance(4 * 3600 + 1)
    ddb.put_item(TableName="orders", Item={"id": {"S": "b"}})
    parent, child = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert child["ParentShardId"] == parent["ShardId"]
    ending = int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
    assert ending < int(child["SequenceNumberRange"]["StartingSequenceNumber"])
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=parent["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    page = streams.get_records(ShardIterator=iterator)
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in page["Records"]] == ["a"]
    assert "NextShardIterator" not in page  # closed and fully read: move on to the child
    children = streams.describe_stream(
        StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": parent["ShardId"]}
    )["StreamDescription"]["Shards"]
    assert [s["ShardId"] for s in children] == [child["ShardId"]]
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in all_records(streams, arn)] == ["a", "b"]
    page = streams.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]
    assert page["LastEvaluatedShardId"] == parent["ShardId"]
    rest = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=parent["ShardId"])
    assert [s["ShardId"] for s in rest["StreamDescription"]["Shards"]] == [child["ShardId"]]


def test_streams_are_per_account_and_region(cloud, ddb, streams):
    create(ddb)
    other = boto3.client("dynamodbstreams", region_name="us-east-1")
    assert other.list_streams()["Streams"] == []


def test_streams_survive_a_snapshot(cloud, ddb, streams):
    arn = create(ddb)
    ddb.put_item(TableName="orders", Item={"id": {"S": "a"}})
    snapshot = cloud.snapshot()
    ddb.put_item(TableName="orders", Item={"id": {"S": "lost"}})
    cloud.restore(snapshot)
    ddb.put_item(TableName="orders", Item={"id": {"S": "b"}})
    keys = [r["dynamodb"]["Keys"]["id"]["S"] for r in all_records(streams, arn)]
    assert keys == ["a", "b"]
