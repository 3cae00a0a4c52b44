"""Read consistency: the strong and eventual models, stale reads, GSI lag, convergence.

DynamoDB's read consistency ("DynamoDB read consistency"): an eventually
consistent read (the default of GetItem, Query, Scan, BatchGetItem and PartiQL
SELECT) may not reflect a write that just completed; a strongly consistent read
(ConsistentRead=True) always does; GSIs are updated asynchronously and support
only eventually consistent reads; transactions are serializable (TransactGetItems
reads the latest committed state).

fakeaws's model (docs/dynamodb.md): with ``consistency="eventual"``, an
eventually consistent read sees each item as it was ``d`` seconds ago, ``d``
drawn in ``[0, replication_lag)`` per item and per read. On a frozen clock a
write is therefore never seen by an eventually consistent read until the clock
moves, and always seen ``replication_lag`` seconds later.
"""

from __future__ import annotations

import boto3
import pytest

from fakeaws import mock_serverless

EVENTUAL = {"consistency": "eventual", "replication_lag": 2.0}


def create(client, name="orders", **extra):
    definitions = [{"AttributeName": "k", "AttributeType": "S"}] + extra.pop("definitions", [])
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=definitions,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


def gsi_table(client, name="orders"):
    create(
        client,
        name,
        definitions=[{"AttributeName": "status", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


@pytest.fixture
def eventual():
    with mock_serverless(clock="frozen", seed=3, dynamodb=EVENTUAL) as cloud:
        client = boto3.client("dynamodb")
        create(client)
        client.cloud = cloud
        yield client


def put(ddb, key, table="orders", **values):
    item = {"k": {"S": key}, **{n: {"S": v} for n, v in values.items()}}
    ddb.put_item(TableName=table, Item=item)


def get(ddb, key, table="orders", **extra):
    item = ddb.get_item(TableName=table, Key={"k": {"S": key}}, **extra).get("Item")
    return None if item is None else {n: v["S"] for n, v in item.items() if n != "k"}


def test_strong_is_the_default_and_reads_see_the_latest_write():
    with mock_serverless(clock="frozen"):
        client = boto3.client("dynamodb")
        gsi_table(client)
        put(client, "a", v="1", status="new")
        put(client, "a", v="2", status="new")
        assert get(client, "a") == {"v": "2", "status": "new"}
        items = client.query(
            TableName="orders",
            IndexName="by_status",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "new"}},
        )["Items"]
        assert [i["v"]["S"] for i in items] == ["2"]


def test_a_stale_eventually_consistent_read(eventual):
    put(eventual, "a", v="1")
    eventual.cloud.clock.advance(10)
    put(eventual, "a", v="2")
    assert get(eventual, "a") == {"v": "1"}  # the write is not replicated yet
    assert get(eventual, "a", ConsistentRead=True) == {"v": "2"}
    eventual.cloud.clock.advance(2.0)  # the replication lag
    assert get(eventual, "a") == {"v": "2"}


def test_new_items_may_be_missing_and_deleted_ones_still_there(eventual):
    put(eventual, "gone", v="1")
    eventual.cloud.clock.advance(10)
    put(eventual, "new", v="1")
    eventual.delete_item(TableName="orders", Key={"k": {"S": "gone"}})
    assert get(eventual, "new") is None
    assert get(eventual, "gone") == {"v": "1"}
    scanned = eventual.scan(TableName="orders")["Items"]
    assert [i["k"]["S"] for i in scanned] == ["gone"]
    assert [
        i["k"]["S"] for i in eventual.scan(TableName="orders", ConsistentRead=True)["Items"]
    ] == ["new"]
    queried = eventual.query(
        TableName="orders",
        KeyConditionExpression="k = :k",
        ExpressionAttributeValues={":k": {"S": "gone"}},
    )
    assert queried["Count"] == 1
    eventual.cloud.settle(within=2.0)  # letting the lag pass converges every replica
    assert get(eventual, "new") == {"v": "1"} and get(eventual, "gone") is None
    assert [i["k"]["S"] for i in eventual.scan(TableName="orders")["Items"]] == ["new"]


def test_within_the_lag_staleness_is_drawn_per_read_and_deterministic_per_seed():
    def reads(seed):
        with mock_serverless(clock="frozen", seed=seed, dynamodb=EVENTUAL) as cloud:
            client = boto3.client("dynamodb")
            create(client)
            put(client, "a", v="old")
            cloud.clock.advance(10)
            put(client, "a", v="new")
            cloud.clock.advance(1.0)  # half the lag: each read has an even chance
            return [get(client, "a")["v"] for _ in range(24)]

    first = reads(1)
    assert set(first) == {"old", "new"}
    assert reads(1) == first
    assert reads(2) != first


def test_gsi_queries_lag_behind_the_table(eventual):
    ddb = eventual
    gsi_table(ddb, "tickets")

    def statuses(status):
        response = ddb.query(
            TableName="tickets",
            IndexName="by_status",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": status}},
        )
        return [i["k"]["S"] for i in response["Items"]]

    put(ddb, "a", table="tickets", status="open")
    assert statuses("open") == []  # a GSI query right after the write misses the item
    ddb.cloud.clock.advance(2.0)
    assert statuses("open") == ["a"]
    put(ddb, "a", table="tickets", status="closed")
    assert statuses("open") == ["a"]  # ...or shows its old version
    assert statuses("closed") == []
    ddb.cloud.clock.advance(2.0)
    assert (statuses("open"), statuses("closed")) == ([], ["a"])


def test_the_model_can_be_chosen_per_table():
    per_table = {"table_consistency": {"orders": "eventual"}, "replication_lag": 1.0}
    with mock_serverless(clock="frozen", dynamodb=per_table) as cloud:
        client = boto3.client("dynamodb")
        create(client)
        create(client, "strict")
        put(client, "a", v="1")
        put(client, "a", table="strict", v="1")
        assert get(client, "a") is None  # "orders" is eventual
        assert get(client, "a", table="strict") == {"v": "1"}  # the cloud's default: strong
        cloud.clock.advance(1.0)
        assert get(client, "a") == {"v": "1"}


def test_batch_get_and_partiql_reads_are_eventually_consistent_by_default(eventual):
    put(eventual, "a", v="1")
    eventual.cloud.clock.advance(10)
    put(eventual, "a", v="2")
    batch = eventual.batch_get_item(RequestItems={"orders": {"Keys": [{"k": {"S": "a"}}]}})
    assert batch["Responses"]["orders"][0]["v"] == {"S": "1"}
    strong = eventual.batch_get_item(
        RequestItems={"orders": {"Keys": [{"k": {"S": "a"}}], "ConsistentRead": True}}
    )
    assert strong["Responses"]["orders"][0]["v"] == {"S": "2"}
    statement = "SELECT v FROM orders WHERE k = 'a'"
    assert eventual.execute_statement(Statement=statement)["Items"] == [{"v": {"S": "1"}}]
    assert eventual.execute_statement(Statement=statement, ConsistentRead=True)["Items"] == [
        {"v": {"S": "2"}}
    ]


def test_transactions_and_conditions_see_the_latest_write(eventual):
    put(eventual, "a", v="1")
    eventual.cloud.clock.advance(10)
    put(eventual, "a", v="2")
    read = eventual.transact_get_items(
        TransactItems=[{"Get": {"TableName": "orders", "Key": {"k": {"S": "a"}}}}]
    )
    assert read["Responses"][0]["Item"]["v"] == {"S": "2"}
    eventual.update_item(
        TableName="orders",
        Key={"k": {"S": "a"}},
        UpdateExpression="SET v = :three",
        ConditionExpression="v = :two",
        ExpressionAttributeValues={":two": {"S": "2"}, ":three": {"S": "3"}},
    )
    assert get(eventual, "a", ConsistentRead=True) == {"v": "3"}


def test_converge_lets_every_replica_catch_up(eventual):
    put(eventual, "a", v="1")
    assert get(eventual, "a") is None
    eventual.cloud.backend("dynamodb").converge()
    assert get(eventual, "a") == {"v": "1"}


def test_switching_models_at_run_time(eventual):
    eventual.cloud.settings.dynamodb.consistency = "strong"
    put(eventual, "a", v="1")
    assert get(eventual, "a") == {"v": "1"}
    eventual.cloud.settings.dynamodb.consistency = "eventual"
    put(eventual, "a", v="2")
    assert get(eventual, "a") == {"v": "1"}
    eventual.cloud.settings.dynamodb.consistency = "sometimes"
    with pytest.raises(ValueError, match="'strong' or 'eventual'"):
        get(eventual, "a")


def test_stale_reads_are_charged_on_what_they_read(eventual):
    eventual.put_item(TableName="orders", Item={"k": {"S": "a"}, "d": {"S": "x" * 9000}})
    eventual.cloud.clock.advance(10)
    eventual.put_item(TableName="orders", Item={"k": {"S": "a"}})
    response = eventual.get_item(
        TableName="orders", Key={"k": {"S": "a"}}, ReturnConsumedCapacity="TOTAL"
    )
    assert "d" in response["Item"]
    assert response["ConsumedCapacity"]["CapacityUnits"] == 1.5  # 9,003 bytes: 3 units, halved


def test_snapshots_keep_the_replicas_state(eventual):
    put(eventual, "a", v="1")
    snapshot = eventual.cloud.snapshot()
    eventual.cloud.clock.advance(5)
    assert get(eventual, "a") == {"v": "1"}
    eventual.cloud.restore(snapshot)  # the clock does not go back: the lag has passed
    assert get(eventual, "a") == {"v": "1"}
    put(eventual, "a", v="2")
    assert get(eventual, "a") == {"v": "1"}
