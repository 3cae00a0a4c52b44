"""Provisioned throughput: token buckets on the virtual clock, throttling, and boto3's retries.

AWS's rules ("Managing settings on DynamoDB provisioned capacity tables",
"Burst capacity", the GSI throughput considerations, the BatchGetItem /
BatchWriteItem / TransactWriteItems API references): a PROVISIONED table and
each of its GSIs get read and write capacity per second; up to 300 seconds of
unused capacity is kept for bursts; beyond it requests fail with
ProvisionedThroughputExceededException (a GSI that cannot take a write throttles
the table write); batches return what could not be done as UnprocessedItems /
UnprocessedKeys and fail only when nothing could be done; transactions are
cancelled with a ProvisionedThroughputExceeded reason. fakeaws starts a table's
buckets with one second of capacity (``initial_burst_seconds``).

Every test runs on a frozen clock: only retries' backoff and the test move time.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from fakeaws import mock_serverless

TABLE_MESSAGE = (
    "The level of configured provisioned throughput for the table was exceeded. Consider "
    "increasing your provisioning level with the UpdateTable API."
)
INDEX_MESSAGE = (
    "The level of configured provisioned throughput for one or more global secondary indexes "
    "of the table was exceeded. Consider increasing your provisioning level for the "
    "under-provisioned global secondary indexes with the UpdateTable API"
)
ONCE = Config(retries={"mode": "standard", "total_max_attempts": 1})


def create(client, name="orders", read=5, write=5, **extra):
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}]
        + extra.pop("definitions", []),
        ProvisionedThroughput={"ReadCapacityUnits": read, "WriteCapacityUnits": write},
        **extra,
    )


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen") as cloud:
        yield cloud


@pytest.fixture
def ddb(cloud):
    """A client that does not retry, and an `orders` table of 5 RCU / 5 WCU."""
    client = boto3.client("dynamodb", config=ONCE)
    create(client)
    return client


def item(key: str, size: int = 0) -> dict:
    out = {"k": {"S": key}}
    if size:
        out["d"] = {"S": "x" * (size - 2 - len(key))}
    return out


def writes_until_throttled(ddb, limit=2000, size=0, table="orders") -> int:
    for n in range(limit):
        try:
            ddb.put_item(TableName=table, Item=item(f"i{n}", size))
        except ddb.exceptions.ProvisionedThroughputExceededException:
            return n
    raise AssertionError(f"never throttled in {limit} writes")


def test_a_burst_beyond_the_table_capacity_is_throttled_with_aws_message(ddb, cloud):
    for n in range(5):  # one second of 5 WCU
        ddb.put_item(TableName="orders", Item=item(f"i{n}"))
    with pytest.raises(ddb.exceptions.ProvisionedThroughputExceededException) as caught:
        ddb.put_item(TableName="orders", Item=item("late"))
    assert caught.value.response["Error"]["Message"] == TABLE_MESSAGE
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # the throttled write did not happen
    assert "Item" not in ddb.get_item(TableName="orders", Key=item("late"), ConsistentRead=True)
    meter = cloud.backend("dynamodb").capacity
    assert meter.usage("orders").throttled_writes == 1
    # capacity comes back as the clock moves: 5 units a second
    cloud.clock.advance(0.5)
    assert writes_until_throttled(ddb) == 3  # 2.5 units: admitted while any is left


def test_unused_capacity_is_kept_for_up_to_300_seconds(ddb, cloud):
    cloud.clock.advance(60)
    # one second at creation plus 60 more, of 5 WCU; 10 KB items cost 10 units each
    assert writes_until_throttled(ddb, size=10 * 1024) == 30 + 1
    cloud.clock.advance(1000)
    # at most 300 seconds are kept: 1,500 units (the overdraft of the last write is
    # paid back first)
    assert writes_until_throttled(ddb, size=10 * 1024) == 150


def test_reads_have_their_own_bucket_and_eventual_reads_cost_half(ddb):
    ddb.put_item(TableName="orders", Item=item("a"))
    for _ in range(10):  # 5 RCU: ten eventually consistent reads
        ddb.get_item(TableName="orders", Key=item("a"))
    with pytest.raises(ddb.exceptions.ProvisionedThroughputExceededException):
        ddb.get_item(TableName="orders", Key=item("a"))
    with pytest.raises(ddb.exceptions.ProvisionedThroughputExceededException):
        ddb.query(
            TableName="orders",
            KeyConditionExpression="k = :k",
            ExpressionAttributeValues={":k": {"S": "a"}},
        )
    with pytest.raises(ddb.exceptions.ProvisionedThroughputExceededException):
        ddb.scan(TableName="orders")
    ddb.put_item(TableName="orders", Item=item("b"))  # writes are not affected


def test_boto3_retries_ride_out_a_burst_on_the_virtual_clock(cloud):
    # boto3's default (legacy) retries for DynamoDB: 10 attempts, 50 ms doubling backoff
    client = boto3.client("dynamodb")
    create(client)
    start = cloud.clock.time()
    responses = [client.put_item(TableName="orders", Item=item(f"i{n}")) for n in range(30)]
    assert all(r["ResponseMetadata"]["HTTPStatusCode"] == 200 for r in responses)
    assert sum(r["ResponseMetadata"]["RetryAttempts"] for r in responses) > 0
    throttled = cloud.calls.where(
        operation="PutItem", outcome="ProvisionedThroughputExceededException"
    )
    assert throttled
    # the burst went through at the provisioned rate: 25 units beyond the first second's 5
    assert cloud.clock.time() - start >= 25 / 5 - 1
    assert client.scan(TableName="orders", ConsistentRead=True)["Count"] == 30


def test_standard_retries_can_give_up_and_the_table_recovers(cloud):
    client = boto3.client("dynamodb", config=Config(retries={"mode": "standard"}))
    create(client, write=1)
    failed = 0
    for n in range(20):
        try:
            client.put_item(TableName="orders", Item=item(f"i{n}", 4000))  # 4 units each
        except client.exceptions.ProvisionedThroughputExceededException as error:
            assert error.response["ResponseMetadata"]["MaxAttemptsReached"] is True
            failed += 1
    assert failed
    cloud.clock.advance(60)
    client.put_item(TableName="orders", Item=item("after"))
    assert client.get_item(TableName="orders", Key=item("after"))["Item"]


def test_a_throttled_gsi_throttles_the_writes_that_feed_it(cloud):
    client = boto3.client("dynamodb", config=ONCE)
    create(
        client,
        read=100,
        write=100,
        definitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            }
        ],
    )
    client.put_item(TableName="orders", Item={**item("a"), "g": {"S": "x"}})
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as caught:
        client.put_item(TableName="orders", Item={**item("b"), "g": {"S": "x"}})
    assert caught.value.response["Error"]["Message"] == INDEX_MESSAGE
    assert "Item" not in client.get_item(TableName="orders", Key=item("b"), ConsistentRead=True)
    # writes the GSI does not index (sparse) go through on the table's capacity
    for n in range(20):
        client.put_item(TableName="orders", Item=item(f"plain{n}"))
    # and so does removing the index key once the GSI has capacity again
    cloud.clock.advance(1)
    client.update_item(TableName="orders", Key=item("a"), UpdateExpression="REMOVE g")
    meter = cloud.backend("dynamodb").capacity
    assert meter.usage("orders", index="by_g").throttled_writes == 1


def test_gsi_reads_draw_on_the_gsi_bucket(cloud):
    client = boto3.client("dynamodb", config=ONCE)
    create(
        client,
        read=100,
        definitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 5},
            }
        ],
    )

    def query():
        return client.query(
            TableName="orders",
            IndexName="by_g",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "x"}},
        )

    query()
    query()  # 1 RCU: two eventually consistent (0.5) reads
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as caught:
        query()
    assert caught.value.response["Error"]["Message"] == INDEX_MESSAGE
    client.get_item(TableName="orders", Key=item("a"))  # the table's reads are unaffected


def test_batch_writes_leave_throttled_items_unprocessed(ddb):
    requests = [{"PutRequest": {"Item": item(f"i{n}")}} for n in range(8)]
    response = ddb.batch_write_item(RequestItems={"orders": requests})
    assert response["UnprocessedItems"] == {"orders": requests[5:]}
    # nothing at all can be written now: the whole call is throttled
    with pytest.raises(ddb.exceptions.ProvisionedThroughputExceededException) as caught:
        ddb.batch_write_item(RequestItems={"orders": requests[5:]})
    assert caught.value.response["Error"]["Message"] == TABLE_MESSAGE


def test_batch_write_unprocessed_items_succeed_later(ddb, cloud):
    # the loop AWS documents: resend UnprocessedItems until there are none
    pending = {"orders": [{"PutRequest": {"Item": item(f"i{n}")}} for n in range(25)]}
    rounds = 0
    while pending:
        rounds += 1
        pending = ddb.batch_write_item(RequestItems=pending)["UnprocessedItems"]
        cloud.clock.advance(1)
    assert rounds == 5  # 5 items a second
    assert ddb.scan(TableName="orders", ConsistentRead=True)["Count"] == 25


def test_batch_gets_leave_throttled_keys_unprocessed(ddb):
    keys = [item(f"i{n}") for n in range(8)]
    response = ddb.batch_get_item(
        RequestItems={"orders": {"Keys": keys, "ConsistentRead": True, "ProjectionExpression": "k"}}
    )
    assert response["UnprocessedKeys"] == {
        "orders": {"Keys": keys[5:], "ConsistentRead": True, "ProjectionExpression": "k"}
    }
    with pytest.raises(ddb.exceptions.ProvisionedThroughputExceededException):
        ddb.batch_get_item(RequestItems={"orders": {"Keys": keys[5:]}})


def test_transactions_are_cancelled_when_throttled(ddb):
    for n in range(5):
        ddb.put_item(TableName="orders", Item=item(f"i{n}"))
    create(ddb, "ledger", write=100)
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "ledger", "Item": item("entry")}},
                {"Put": {"TableName": "orders", "Item": item("order")}},
            ]
        )
    assert caught.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ProvisionedThroughputExceeded", "Message": TABLE_MESSAGE},
    ]
    assert "Item" not in ddb.get_item(TableName="ledger", Key=item("entry"), ConsistentRead=True)


def test_update_table_changes_the_buckets(ddb, cloud):
    assert writes_until_throttled(ddb) == 5
    ddb.update_table(
        TableName="orders",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 100},
    )
    cloud.clock.advance(0.1)  # 10 units at the new rate
    assert writes_until_throttled(ddb) == 10


def test_on_demand_tables_are_not_throttled(cloud):
    client = boto3.client("dynamodb", config=ONCE)
    client.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for batch in range(20):
        requests = [{"PutRequest": {"Item": item(f"{batch}.{n}", 2000)}} for n in range(25)]
        response = client.batch_write_item(RequestItems={"orders": requests})
        assert response["UnprocessedItems"] == {}
    meter = cloud.backend("dynamodb").capacity
    assert meter.usage("orders").write == 20 * 25 * 2


def test_switching_to_on_demand_stops_throttling(ddb, cloud):
    assert writes_until_throttled(ddb) == 5
    ddb.update_table(TableName="orders", BillingMode="PAY_PER_REQUEST")
    for n in range(50):
        ddb.put_item(TableName="orders", Item=item(f"od{n}"))


def test_throttling_can_be_turned_off_and_capacity_is_still_counted():
    with mock_serverless(clock="frozen", dynamodb={"throttling": False}) as cloud:
        client = boto3.client("dynamodb", config=ONCE)
        create(client, write=1)
        for n in range(50):
            response = client.put_item(
                TableName="orders", Item=item(f"i{n}"), ReturnConsumedCapacity="TOTAL"
            )
            assert response["ConsumedCapacity"]["CapacityUnits"] == 1
        assert cloud.backend("dynamodb").capacity.usage("orders").write == 50
        # back on at the next call, with the buckets as they would be with no traffic
        cloud.settings.dynamodb.throttling = True
        assert writes_until_throttled(client) == 1


def test_burst_settings():
    with mock_serverless(
        clock="frozen", dynamodb={"burst_seconds": 10, "initial_burst_seconds": 4}
    ) as cloud:
        client = boto3.client("dynamodb", config=ONCE)
        create(client)
        assert writes_until_throttled(client) == 20  # 4 seconds of 5 WCU
        cloud.clock.advance(100)
        assert writes_until_throttled(client) == 50  # at most 10 seconds are kept


def test_adaptive_retries_pace_the_client_after_throttling(cloud):
    client = boto3.client("dynamodb", config=Config(retries={"mode": "adaptive"}))
    create(client)
    for n in range(40):
        client.put_item(TableName="orders", Item=item(f"i{n}"))
    assert cloud.calls.where(operation="PutItem", outcome="ProvisionedThroughputExceededException")
    assert client.scan(TableName="orders", ConsistentRead=True)["Count"] == 40


def test_partiql_statements_are_throttled_too(ddb):
    for n in range(5):
        ddb.execute_statement(Statement=f"INSERT INTO orders VALUE {{'k': 'i{n}'}}")
    with pytest.raises(ddb.exceptions.ProvisionedThroughputExceededException):
        ddb.execute_statement(Statement="INSERT INTO orders VALUE {'k': 'late'}")
    response = ddb.batch_execute_statement(
        Statements=[{"Statement": "INSERT INTO orders VALUE {'k': 'batched'}"}]
    )
    assert response["Responses"] == [
        {
            "Error": {"Code": "ProvisionedThroughputExceeded", "Message": TABLE_MESSAGE},
            "TableName": "orders",
        }
    ]
