"""Capacity accounting: ReturnConsumedCapacity on every operation, and the capacity meter.

The expected numbers are the developer guide's ("Capacity unit consumption
for reads/writes", "Transactions", the LSI and GSI throughput considerations),
its worked examples used as they are; the index-write ladder and the response
shapes (no ReadCapacityUnits/WriteCapacityUnits split outside transactions, no
index arm for an index a write did not change, the transactional factor on the
table only) are the nubo-db conformance captures against DynamoDB (eu-west-2).

Item sizes are exact: ``{"k": {"S": key}, "d": {"S": filler}}`` weighs
``1 + len(key) + 1 + len(filler)`` bytes (names and strings count their UTF-8
bytes). The smallest item possible here is 2 bytes (``k`` = ``a``).
"""

from __future__ import annotations

import boto3
import pytest

from fakeaws import mock_serverless

TABLE = "things"


def sized(key: str, size: int, **extra: dict) -> dict:
    """An item of exactly ``size`` bytes (plus the ``extra`` attributes, counted too)."""
    used = 1 + len(key) + sum(len(n) + len(v["S"]) for n, v in extra.items())
    if size == used:
        return {"k": {"S": key}, **extra}
    filler = size - used - 1
    assert filler >= 0
    return {"k": {"S": key}, "d": {"S": "x" * filler}, **extra}


def hash_table(client, name: str = TABLE, **extra) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


@pytest.fixture
def ddb():
    with mock_serverless(clock="frozen") as cloud:
        client = boto3.client("dynamodb")
        hash_table(client)
        client.cloud = cloud
        client.meter = cloud.backend("dynamodb").capacity
        yield client


def units(response: dict) -> float:
    return response["ConsumedCapacity"]["CapacityUnits"]


# -- the capacity table: sizes x operations --------------------------------------------------------

# size in bytes -> (write units, strongly consistent read units)
SIZES = {
    2: (1, 1),
    1024: (1, 1),
    1025: (2, 1),
    4096: (4, 1),
    4097: (5, 2),
    400 * 1024: (400, 100),
}


@pytest.mark.parametrize("size", SIZES)
def test_single_item_operations_by_size(ddb, size):
    wcu, rcu = SIZES[size]
    item = sized("a", size)
    assert units(ddb.put_item(TableName=TABLE, Item=item, ReturnConsumedCapacity="TOTAL")) == wcu
    key = {"k": {"S": "a"}}
    strong = ddb.get_item(
        TableName=TABLE, Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL"
    )
    assert units(strong) == rcu
    eventual = ddb.get_item(TableName=TABLE, Key=key, ReturnConsumedCapacity="TOTAL")
    assert units(eventual) == rcu / 2
    query = ddb.query(
        TableName=TABLE,
        KeyConditionExpression="k = :k",
        ExpressionAttributeValues={":k": {"S": "a"}},
        ConsistentRead=True,
        ReturnConsumedCapacity="TOTAL",
    )
    assert units(query) == rcu
    # an overwrite with a same-sized item, an update that shrinks it: the larger image counts
    assert units(ddb.put_item(TableName=TABLE, Item=item, ReturnConsumedCapacity="TOTAL")) == wcu
    if size > 2:
        shrink = ddb.update_item(
            TableName=TABLE, Key=key, UpdateExpression="REMOVE d", ReturnConsumedCapacity="TOTAL"
        )
        assert units(shrink) == wcu
        ddb.put_item(TableName=TABLE, Item=item)
    assert units(ddb.delete_item(TableName=TABLE, Key=key, ReturnConsumedCapacity="TOTAL")) == wcu


@pytest.mark.parametrize("size", SIZES)
def test_transactions_by_size(ddb, size):
    wcu, rcu = SIZES[size]
    item = sized("a", size)
    written = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": TABLE, "Item": item}}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert written["ConsumedCapacity"] == [
        {"TableName": TABLE, "CapacityUnits": 2.0 * wcu, "WriteCapacityUnits": 2.0 * wcu}
    ]
    read = ddb.transact_get_items(
        TransactItems=[{"Get": {"TableName": TABLE, "Key": {"k": {"S": "a"}}}}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert read["ConsumedCapacity"] == [
        {"TableName": TABLE, "CapacityUnits": 2.0 * rcu, "ReadCapacityUnits": 2.0 * rcu}
    ]


@pytest.mark.parametrize("size", [2, 4097, 400 * 1024])
def test_batch_operations_by_size(ddb, size):
    wcu, rcu = SIZES[size]
    put = ddb.batch_write_item(
        RequestItems={TABLE: [{"PutRequest": {"Item": sized("a", size)}}]},
        ReturnConsumedCapacity="TOTAL",
    )
    assert put["ConsumedCapacity"] == [{"TableName": TABLE, "CapacityUnits": float(wcu)}]
    for consistent, expected in ((True, rcu), (False, rcu / 2)):
        got = ddb.batch_get_item(
            RequestItems={TABLE: {"Keys": [{"k": {"S": "a"}}], "ConsistentRead": consistent}},
            ReturnConsumedCapacity="TOTAL",
        )
        assert got["ConsumedCapacity"] == [{"TableName": TABLE, "CapacityUnits": expected}]


# -- the guide's worked examples -------------------------------------------------------------------


def test_a_missing_item_costs_the_minimum_read(ddb):
    key = {"k": {"S": "nothing"}}
    strong = ddb.get_item(
        TableName=TABLE, Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL"
    )
    assert "Item" not in strong and units(strong) == 1
    assert units(ddb.get_item(TableName=TABLE, Key=key, ReturnConsumedCapacity="TOTAL")) == 0.5


def test_batch_get_rounds_each_item(ddb):
    # "a 1.5 KB item and a 6.5 KB item: 12 KB (4 KB + 8 KB), not 8 KB"
    ddb.put_item(TableName=TABLE, Item=sized("a", 1536))
    ddb.put_item(TableName=TABLE, Item=sized("b", 6656))
    got = ddb.batch_get_item(
        RequestItems={
            TABLE: {"Keys": [{"k": {"S": "a"}}, {"k": {"S": "b"}}], "ConsistentRead": True}
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert got["ConsumedCapacity"] == [{"TableName": TABLE, "CapacityUnits": 3.0}]


def test_batch_write_rounds_each_item(ddb):
    # "a 500 byte item and a 3.5 KB item: 5 KB (1 KB + 4 KB), not 4 KB"
    put = ddb.batch_write_item(
        RequestItems={
            TABLE: [
                {"PutRequest": {"Item": sized("a", 500)}},
                {"PutRequest": {"Item": sized("b", 3584)}},
            ]
        },
        ReturnConsumedCapacity="INDEXES",
    )
    assert put["ConsumedCapacity"] == [
        {"TableName": TABLE, "CapacityUnits": 5.0, "Table": {"CapacityUnits": 5.0}}
    ]


@pytest.fixture
def partition(ddb):
    """Ten 5,000-byte items in one partition: 50,000 bytes."""
    ddb.create_table(
        TableName="pages",
        KeySchema=[
            {"AttributeName": "k", "KeyType": "HASH"},
            {"AttributeName": "n", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "k", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(10):
        # k (1) + "p" (1) + n (1) + digit (1) + d (1) + filler = 5,000
        item = {"k": {"S": "p"}, "n": {"S": str(n)}, "d": {"S": "x" * 4995}}
        ddb.put_item(TableName="pages", Item=item)
    return ddb


def query_units(ddb, **extra) -> tuple[float, int]:
    response = ddb.query(
        TableName="pages",
        KeyConditionExpression="k = :k",
        ReturnConsumedCapacity="TOTAL",
        **{
            **extra,
            "ExpressionAttributeValues": {
                ":k": {"S": "p"},
                **extra.get("ExpressionAttributeValues", {}),
            },
        },
    )
    return units(response), response["Count"]


def test_query_rounds_the_summed_size_once(partition):
    # 50,000 bytes: 13 units (12.2 rounded up), not 10 x 2 = 20 per-item units
    assert query_units(partition, ConsistentRead=True) == (13, 10)
    assert query_units(partition) == (6.5, 10)


def test_query_is_charged_before_the_filter_and_the_projection(partition):
    full = query_units(partition, ConsistentRead=True)[0]
    filtered = query_units(
        partition,
        ConsistentRead=True,
        FilterExpression="n = :n",
        ExpressionAttributeValues={":n": {"S": "3"}},
    )
    assert filtered == (full, 1)
    assert query_units(partition, ConsistentRead=True, ProjectionExpression="n")[0] == full
    assert query_units(partition, ConsistentRead=True, Select="COUNT") == (full, 10)


def test_query_pages_are_charged_on_their_own_items(partition):
    # three 5,000-byte items: 15,000 bytes, 4 units
    assert query_units(partition, ConsistentRead=True, Limit=3) == (4, 3)


def test_an_empty_query_or_scan_costs_the_minimum(ddb):
    response = ddb.query(
        TableName=TABLE,
        KeyConditionExpression="k = :k",
        ExpressionAttributeValues={":k": {"S": "none"}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert (response["Count"], units(response)) == (0, 0.5)
    assert units(ddb.scan(TableName=TABLE, ReturnConsumedCapacity="TOTAL")) == 0.5


def test_scan_counts_the_items_evaluated(partition):
    response = partition.scan(
        TableName="pages",
        FilterExpression="n = :n",
        ExpressionAttributeValues={":n": {"S": "3"}},
        ConsistentRead=True,
        ReturnConsumedCapacity="TOTAL",
    )
    assert (response["Count"], response["ScannedCount"], units(response)) == (1, 10, 13)


def test_failed_conditional_writes_still_consume(ddb):
    ddb.put_item(TableName=TABLE, Item=sized("a", 4097))
    with ddb.meter.window() as spent:
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as caught:
            ddb.put_item(
                TableName=TABLE,
                Item=sized("a", 10),
                ConditionExpression="attribute_not_exists(k)",
                ReturnConsumedCapacity="TOTAL",
            )
    assert "ConsumedCapacity" not in caught.value.response  # not reported...
    assert spent.usage(TABLE).write == 5  # ...but consumed: the larger item, 4,097 bytes
    with ddb.meter.window() as spent:
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
            ddb.delete_item(
                TableName=TABLE, Key={"k": {"S": "new"}}, ConditionExpression="attribute_exists(k)"
            )
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
            ddb.update_item(
                TableName=TABLE,
                Key={"k": {"S": "a"}},
                UpdateExpression="SET d = :big",
                ConditionExpression="attribute_not_exists(k)",
                ExpressionAttributeValues={":big": {"S": "y" * 6000}},
            )
    # a missing item: one unit; an update that would grow the item to 6,003 bytes: 6
    assert spent.usage(TABLE).write == 1 + 6


def test_delete_of_a_missing_item_costs_one_unit(ddb):
    response = ddb.delete_item(
        TableName=TABLE, Key={"k": {"S": "none"}}, ReturnConsumedCapacity="TOTAL"
    )
    assert units(response) == 1


def test_return_consumed_capacity_modes(ddb):
    item = sized("a", 10)
    assert "ConsumedCapacity" not in ddb.put_item(TableName=TABLE, Item=item)
    none = ddb.put_item(TableName=TABLE, Item=item, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in none
    total = ddb.put_item(TableName=TABLE, Item=item, ReturnConsumedCapacity="TOTAL")
    assert total["ConsumedCapacity"] == {"TableName": TABLE, "CapacityUnits": 1.0}
    indexes = ddb.put_item(TableName=TABLE, Item=item, ReturnConsumedCapacity="INDEXES")
    assert indexes["ConsumedCapacity"] == {
        "TableName": TABLE,
        "CapacityUnits": 1.0,
        "Table": {"CapacityUnits": 1.0},
    }


# -- transactions ---------------------------------------------------------------------------------


def test_transactions_cost_twice_per_item(ddb):
    # the guide: three 500-byte items written in one transaction need 6 WCU; read, 6 RCU
    items = [sized(key, 500) for key in "abc"]
    written = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": TABLE, "Item": item}} for item in items],
        ReturnConsumedCapacity="INDEXES",
    )
    assert written["ConsumedCapacity"] == [
        {
            "TableName": TABLE,
            "CapacityUnits": 6.0,
            "WriteCapacityUnits": 6.0,
            "Table": {"CapacityUnits": 6.0, "WriteCapacityUnits": 6.0},
        }
    ]
    keys = [{"Get": {"TableName": TABLE, "Key": {"k": {"S": k}}}} for k in "abc"]
    read = ddb.transact_get_items(TransactItems=keys, ReturnConsumedCapacity="INDEXES")
    assert read["ConsumedCapacity"] == [
        {
            "TableName": TABLE,
            "CapacityUnits": 6.0,
            "ReadCapacityUnits": 6.0,
            "Table": {"CapacityUnits": 6.0, "ReadCapacityUnits": 6.0},
        }
    ]


def test_transactional_reads_of_missing_items_and_condition_checks(ddb):
    ddb.put_item(TableName=TABLE, Item=sized("a", 10))
    read = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": TABLE, "Key": {"k": {"S": "a"}}}},
            {"Get": {"TableName": TABLE, "Key": {"k": {"S": "missing"}}}},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert read["ConsumedCapacity"][0]["CapacityUnits"] == 4
    checked = ddb.transact_write_items(
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": TABLE,
                    "Key": {"k": {"S": "a"}},
                    "ConditionExpression": "attribute_exists(k)",
                }
            },
            {"Put": {"TableName": TABLE, "Item": sized("b", 10)}},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    # a ConditionCheck is billed as a transactional write: 2 units, like the Put
    assert checked["ConsumedCapacity"][0]["WriteCapacityUnits"] == 4


def test_transactions_report_one_entry_per_table(ddb):
    hash_table(ddb, "others")
    written = ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": sized("a", 10)}},
            {"Put": {"TableName": "others", "Item": sized("a", 2000)}},
            {"Put": {"TableName": TABLE, "Item": sized("b", 10)}},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert written["ConsumedCapacity"] == [
        {"TableName": TABLE, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0},
        {"TableName": "others", "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0},
    ]


def test_a_replayed_transaction_is_charged_as_a_transactional_read(ddb):
    # measured: a 1.5 KB item costs 4 write units the first time, 2 read units on replay
    request = {
        "TransactItems": [{"Put": {"TableName": TABLE, "Item": sized("a", 1536)}}],
        "ClientRequestToken": "once",
        "ReturnConsumedCapacity": "TOTAL",
    }
    first = ddb.transact_write_items(**request)
    assert first["ConsumedCapacity"][0]["WriteCapacityUnits"] == 4
    again = ddb.transact_write_items(**request)
    assert again["ConsumedCapacity"] == [
        {"TableName": TABLE, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}
    ]


def test_a_cancelled_transaction_reports_nothing(ddb):
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": sized("a", 10),
                        "ConditionExpression": "attribute_exists(k)",
                    }
                }
            ],
            ReturnConsumedCapacity="TOTAL",
        )
    assert "ConsumedCapacity" not in caught.value.response


# -- indexes ---------------------------------------------------------------------------------------


@pytest.fixture
def indexed(ddb):
    """The conformance capture's table: a GSI projecting INCLUDE [proj], an LSI projecting ALL."""
    ddb.create_table(
        TableName="indexed",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "gsiPk", "AttributeType": "S"},
            {"AttributeName": "lsiSk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi-inc",
                "KeySchema": [{"AttributeName": "gsiPk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["proj"]},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi1",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "lsiSk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    return ddb


def arms(response: dict) -> dict:
    """{"total", "table", "gsi", "lsi"} of an INDEXES ConsumedCapacity (absent arms left out)."""
    capacity = response["ConsumedCapacity"]
    if isinstance(capacity, list):
        (capacity,) = capacity
    out = {"total": capacity["CapacityUnits"], "table": capacity["Table"]["CapacityUnits"]}
    for arm, key in (("gsi", "GlobalSecondaryIndexes"), ("lsi", "LocalSecondaryIndexes")):
        if key in capacity:
            ((_, value),) = capacity[key].items()
            out[arm] = value["CapacityUnits"]
            assert set(value) == {"CapacityUnits"}  # no read/write split outside transactions
    return out


def s(**values: str) -> dict:
    return {name: {"S": value} for name, value in values.items()}


def put(ddb, **values: str) -> dict:
    return ddb.put_item(TableName="indexed", Item=s(**values), ReturnConsumedCapacity="INDEXES")


def test_puts_charge_each_index_they_write(indexed):
    assert arms(put(indexed, pk="a", sk="1", gsiPk="g", proj="p")) == {
        "total": 2,
        "table": 1,
        "gsi": 1,
    }
    assert arms(put(indexed, pk="b", sk="1", misc="o")) == {"total": 1, "table": 1}
    assert arms(put(indexed, pk="c", sk="1", lsiSk="L")) == {"total": 2, "table": 1, "lsi": 1}
    both = dict(pk="d", sk="1", gsiPk="g", lsiSk="L", proj="p")
    assert arms(put(indexed, **both)) == {"total": 3, "table": 1, "gsi": 1, "lsi": 1}
    # an identical overwrite changes no index entry: the table write alone
    assert arms(put(indexed, **both)) == {"total": 1, "table": 1}
    total = indexed.put_item(
        TableName="indexed", Item=s(pk="e", sk="1", gsiPk="g"), ReturnConsumedCapacity="TOTAL"
    )
    assert total["ConsumedCapacity"] == {"TableName": "indexed", "CapacityUnits": 2.0}


@pytest.mark.parametrize(
    "update, values, expected",
    [
        ("SET misc = :v", {":v": "o2"}, {"total": 2, "table": 1, "lsi": 1}),
        ("SET proj = :v", {":v": "p2"}, {"total": 3, "table": 1, "gsi": 1, "lsi": 1}),
        ("SET gsiPk = :v", {":v": "moved"}, {"total": 4, "table": 1, "gsi": 2, "lsi": 1}),
        ("REMOVE gsiPk", {}, {"total": 3, "table": 1, "gsi": 1, "lsi": 1}),
        ("SET lsiSk = :v", {":v": "L2"}, {"total": 3, "table": 1, "lsi": 2}),
    ],
)
def test_updates_charge_the_index_changes_they_cause(indexed, update, values, expected):
    put(indexed, pk="a", sk="1", gsiPk="g", lsiSk="L", proj="p", misc="o")
    response = indexed.update_item(
        TableName="indexed",
        Key=s(pk="a", sk="1"),
        UpdateExpression=update,
        ReturnConsumedCapacity="INDEXES",
        **(
            {"ExpressionAttributeValues": {k: {"S": v} for k, v in values.items()}}
            if values
            else {}
        ),
    )
    assert arms(response) == expected


def test_deletes_charge_each_index_the_item_was_in(indexed):
    put(indexed, pk="a", sk="1", gsiPk="g", lsiSk="L", proj="p")
    put(indexed, pk="b", sk="1", misc="o")
    deleted = indexed.delete_item(
        TableName="indexed", Key=s(pk="a", sk="1"), ReturnConsumedCapacity="INDEXES"
    )
    assert arms(deleted) == {"total": 3, "table": 1, "gsi": 1, "lsi": 1}
    sparse = indexed.delete_item(
        TableName="indexed", Key=s(pk="b", sk="1"), ReturnConsumedCapacity="INDEXES"
    )
    assert arms(sparse) == {"total": 1, "table": 1}


def test_index_writes_are_sized_on_the_projected_entry(indexed):
    # 3,000 bytes the GSI does not project: the table pays 3 units, the GSI 1, the LSI
    # (projecting ALL) 3
    assert arms(put(indexed, pk="a", sk="1", gsiPk="g", lsiSk="L", misc="x" * 3000)) == {
        "total": 7,
        "table": 3,
        "gsi": 1,
        "lsi": 3,
    }
    # a key move sizes each half on its own image: 3 (delete) + 1 (put) on the LSI; the
    # GSI's entry (neither lsiSk nor misc is projected) does not change: no GSI arm
    moved = indexed.update_item(
        TableName="indexed",
        Key=s(pk="a", sk="1"),
        UpdateExpression="SET lsiSk = :v REMOVE misc",
        ExpressionAttributeValues={":v": {"S": "M"}},
        ReturnConsumedCapacity="INDEXES",
    )
    assert arms(moved) == {"total": 7, "table": 3, "lsi": 4}


def test_batch_writes_report_the_arms_they_touched(indexed):
    response = indexed.batch_write_item(
        RequestItems={
            "indexed": [
                {"PutRequest": {"Item": s(pk="a", sk="1", gsiPk="g", proj="p")}},
                {"PutRequest": {"Item": s(pk="b", sk="1", misc="o")}},
            ]
        },
        ReturnConsumedCapacity="INDEXES",
    )
    assert arms(response) == {"total": 3, "table": 2, "gsi": 1}


def test_transactional_writes_double_the_table_only(indexed):
    response = indexed.transact_write_items(
        TransactItems=[{"Put": {"TableName": "indexed", "Item": s(pk="a", sk="1", gsiPk="g")}}],
        ReturnConsumedCapacity="INDEXES",
    )
    (capacity,) = response["ConsumedCapacity"]
    assert capacity == {
        "TableName": "indexed",
        "CapacityUnits": 3.0,
        "WriteCapacityUnits": 3.0,
        "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
        "GlobalSecondaryIndexes": {"gsi-inc": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}},
    }


def test_index_queries_are_charged_to_the_index(indexed):
    put(indexed, pk="a", sk="1", gsiPk="g", lsiSk="L", proj="p", misc="x" * 5000)
    gsi = indexed.query(
        TableName="indexed",
        IndexName="gsi-inc",
        KeyConditionExpression="gsiPk = :g",
        ExpressionAttributeValues={":g": {"S": "g"}},
        ReturnConsumedCapacity="INDEXES",
    )
    # the GSI entry is small (no "misc"): 1 unit, eventually consistent: 0.5
    assert gsi["ConsumedCapacity"] == {
        "TableName": "indexed",
        "CapacityUnits": 0.5,
        "Table": {"CapacityUnits": 0.0},
        "GlobalSecondaryIndexes": {"gsi-inc": {"CapacityUnits": 0.5}},
    }
    lsi = indexed.query(
        TableName="indexed",
        IndexName="lsi1",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        ConsistentRead=True,
        ReturnConsumedCapacity="INDEXES",
    )
    assert arms(lsi) == {"total": 2, "table": 0, "lsi": 2}  # 5,0xx bytes, all projected


def test_lsi_fetches_are_charged_to_the_table(ddb):
    # The guide's example: 300-byte items, 4 of them returned by a query on an LSI that
    # must fetch from the table: 4 KB for the index entries (their summed size, rounded
    # once) + 4 x 4 KB for the fetched items (each rounded): 20 KB, 5 units.
    ddb.create_table(
        TableName="threads",
        KeySchema=[
            {"AttributeName": "forum", "KeyType": "HASH"},
            {"AttributeName": "subject", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "forum", "AttributeType": "S"},
            {"AttributeName": "subject", "AttributeType": "S"},
            {"AttributeName": "last", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        LocalSecondaryIndexes=[
            {
                "IndexName": "by_last",
                "KeySchema": [
                    {"AttributeName": "forum", "KeyType": "HASH"},
                    {"AttributeName": "last", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    for n in range(4):
        item = s(forum="EC2", subject=f"s{n}", last=f"2015-0{n}", tags="t" * 250)
        ddb.put_item(TableName="threads", Item=item)

    def query(**extra):
        return ddb.query(
            TableName="threads",
            IndexName="by_last",
            KeyConditionExpression="forum = :f",
            ExpressionAttributeValues={":f": {"S": "EC2"}},
            ConsistentRead=True,
            ReturnConsumedCapacity="INDEXES",
            **extra,
        )

    fetching = query(ProjectionExpression="subject, tags")
    assert fetching["Items"][0]["tags"] == {"S": "t" * 250}
    assert arms(fetching) == {"total": 5, "table": 4, "lsi": 1}
    # projected attributes only: no fetch, the index alone
    projected = query(ProjectionExpression="subject, #l", ExpressionAttributeNames={"#l": "last"})
    assert arms(projected) == {"total": 1, "table": 0, "lsi": 1}
    assert arms(query()) == {"total": 1, "table": 0, "lsi": 1}
    assert arms(query(Select="ALL_ATTRIBUTES")) == {"total": 5, "table": 4, "lsi": 1}


# -- PartiQL ---------------------------------------------------------------------------------------


def test_partiql_statements_report_their_capacity(ddb):
    inserted = ddb.execute_statement(
        Statement=f"INSERT INTO {TABLE} VALUE {{'k': 'a', 'd': ?}}",
        Parameters=[{"S": "x" * 2000}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert inserted["ConsumedCapacity"] == {"TableName": TABLE, "CapacityUnits": 2.0}
    selected = ddb.execute_statement(
        Statement=f"SELECT * FROM {TABLE} WHERE k = 'a'", ReturnConsumedCapacity="TOTAL"
    )
    assert selected["ConsumedCapacity"] == {"TableName": TABLE, "CapacityUnits": 0.5}
    batch = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"SELECT * FROM {TABLE} WHERE k = 'a'", "ConsistentRead": True},
            {"Statement": f"SELECT * FROM {TABLE} WHERE k = 'b'", "ConsistentRead": True},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert batch["ConsumedCapacity"] == [{"TableName": TABLE, "CapacityUnits": 2.0}]
    transaction = ddb.execute_transaction(
        TransactStatements=[{"Statement": f"UPDATE {TABLE} SET n = 1 WHERE k = 'a'"}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert transaction["ConsumedCapacity"] == [
        {"TableName": TABLE, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}
    ]


# -- the meter: capacity budget tests --------------------------------------------------------------


def test_the_meter_keeps_per_table_and_per_index_numbers(indexed):
    meter = indexed.meter
    before = meter.total("indexed")
    put(indexed, pk="a", sk="1", gsiPk="g", lsiSk="L")  # table 1, gsi 1, lsi 1
    indexed.get_item(TableName="indexed", Key=s(pk="a", sk="1"))  # 0.5
    assert meter.usage("indexed").write - before.write == 1
    assert meter.usage("indexed", index="gsi-inc").write == 1
    assert meter.usage("indexed", index="lsi1").write == 1
    assert meter.total("indexed").write - before.write == 3
    assert meter.total("indexed").read - before.read == 0.5
    assert "indexed" in meter.tables()
    assert meter.as_dict()["indexed"]["gsi-inc"].write == 1
    meter.reset()
    assert meter.total().write == 0


def test_a_capacity_budget_test(ddb):
    for n in range(20):
        ddb.put_item(TableName=TABLE, Item=sized(f"i{n}", 100))

    def cheap_lookup():
        return ddb.get_item(TableName=TABLE, Key={"k": {"S": "i3"}})

    def wasteful_lookup():
        return [i for i in ddb.scan(TableName=TABLE, ConsistentRead=True)["Items"]]

    with ddb.meter.window() as spent:
        cheap_lookup()
    assert spent.total(TABLE).read <= 0.5
    with ddb.meter.window() as spent:
        wasteful_lookup()
    assert spent.total(TABLE).read == 1  # 20 x 100 bytes: one 4 KB unit, strongly consistent
    assert spent.total().write == 0
    # the window keeps its numbers once closed
    cheap_lookup()
    assert spent.total(TABLE).read == 1


@pytest.mark.parametrize(
    "operation, params",
    [
        ("scan", {"TableName": TABLE}),
        ("batch_get_item", {"RequestItems": {TABLE: {"Keys": [{"k": {"S": "a"}}]}}}),
        ("transact_get_items", {"TransactItems": [{"Get": {"TableName": TABLE, "Key": {}}}]}),
        ("execute_statement", {"Statement": f"SELECT * FROM {TABLE}"}),
    ],
)
def test_return_consumed_capacity_is_checked_everywhere(ddb, operation, params):
    with pytest.raises(ddb.exceptions.ClientError) as caught:
        getattr(ddb, operation)(**params, ReturnConsumedCapacity="LOTS")
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'LOTS' at 'returnConsumedCapacity' failed to "
        "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
    )
