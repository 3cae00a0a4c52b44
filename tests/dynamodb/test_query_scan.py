"""DynamoDB Query and Scan through real boto3 clients: order, paging, filters, indexes."""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from fakeaws import mock_serverless


@pytest.fixture
def ddb():
    with mock_serverless(region="eu-west-1"):
        yield boto3.client("dynamodb")


def create(ddb, name="events", sort_type="N", **extra):
    ddb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": sort_type},
            *extra.pop("definitions", []),
        ],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


def put(ddb, pk, sk, table="events", **attrs):
    item = {"pk": {"S": pk}, "sk": sk}
    item.update(attrs)
    ddb.put_item(TableName=table, Item=item)


def sort_keys(response, kind="N"):
    return [item["sk"][kind] for item in response["Items"]]


def error(caught):
    return caught.value.response["Error"]


# -- ordering ------------------------------------------------------------------------------


def test_numbers_sort_numerically(ddb):
    create(ddb)
    for n in ["10", "2", "-1", "2.5", "0.001", "100"]:
        put(ddb, "a", {"N": n})
    response = ddb.query(
        TableName="events",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    assert sort_keys(response) == ["-1", "0.001", "2", "2.5", "10", "100"]
    backwards = ddb.query(
        TableName="events",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        ScanIndexForward=False,
    )
    assert sort_keys(backwards) == ["100", "10", "2.5", "2", "0.001", "-1"]


def test_strings_sort_by_utf8_bytes(ddb):
    create(ddb, sort_type="S")
    for s in ["b", "B", "a", "é", "z", "aa", "Z"]:
        put(ddb, "a", {"S": s})
    response = ddb.query(
        TableName="events",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    # byte order: uppercase before lowercase, multi-byte UTF-8 (é = C3 A9) after ASCII
    assert sort_keys(response, "S") == ["B", "Z", "a", "aa", "b", "z", "é"]


def test_binaries_sort_by_unsigned_bytes(ddb):
    create(ddb, sort_type="B")
    for b in [b"\xff", b"\x00\x01", b"\x7f", b"\x00"]:
        put(ddb, "a", {"B": b})
    response = ddb.query(
        TableName="events",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    assert sort_keys(response, "B") == [b"\x00", b"\x00\x01", b"\x7f", b"\xff"]


@pytest.mark.parametrize(
    "condition, values, expected",
    [
        ("sk = :a", {":a": "3"}, ["3"]),
        ("sk < :a", {":a": "3"}, ["1", "2"]),
        ("sk <= :a", {":a": "3"}, ["1", "2", "3"]),
        ("sk > :a", {":a": "3"}, ["4", "5"]),
        ("sk >= :a", {":a": "3"}, ["3", "4", "5"]),
        ("sk BETWEEN :a AND :b", {":a": "2", ":b": "4"}, ["2", "3", "4"]),
    ],
)
def test_sort_key_conditions(ddb, condition, values, expected):
    create(ddb)
    for n in range(1, 6):
        put(ddb, "a", {"N": str(n)})
    put(ddb, "b", {"N": "3"})
    response = ddb.query(
        TableName="events",
        KeyConditionExpression=f"pk = :p AND {condition}",
        ExpressionAttributeValues={":p": {"S": "a"}, **{k: {"N": v} for k, v in values.items()}},
    )
    assert sort_keys(response) == expected


def test_begins_with_on_strings_and_binaries(ddb):
    create(ddb, sort_type="S")
    for s in ["order#1", "order#2", "orders", "invoice#1", "order"]:
        put(ddb, "a", {"S": s})
    response = ddb.query(
        TableName="events",
        KeyConditionExpression="pk = :p AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":p": {"S": "a"}, ":prefix": {"S": "order#"}},
    )
    assert sort_keys(response, "S") == ["order#1", "order#2"]
    create(ddb, name="blobs", sort_type="B")
    for b in [b"\x01\xff", b"\x01\xff\x00", b"\x02", b"\x01"]:
        put(ddb, "a", {"B": b}, table="blobs")
    response = ddb.query(
        TableName="blobs",
        KeyConditionExpression="pk = :p AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":p": {"S": "a"}, ":prefix": {"B": b"\x01\xff"}},
        ScanIndexForward=False,
    )
    assert sort_keys(response, "B") == [b"\x01\xff\x00", b"\x01\xff"]


# -- paging ---------------------------------------------------------------------------------


def test_limit_and_last_evaluated_key(ddb):
    create(ddb)
    for n in range(1, 6):
        put(ddb, "a", {"N": str(n)})
    args = dict(
        TableName="events",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        Limit=2,
    )
    first = ddb.query(**args)
    assert sort_keys(first) == ["1", "2"]
    assert first["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"N": "2"}}
    second = ddb.query(**args, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert sort_keys(second) == ["3", "4"]
    third = ddb.query(**args, ExclusiveStartKey=second["LastEvaluatedKey"])
    assert sort_keys(third) == ["5"]
    assert "LastEvaluatedKey" not in third


def test_limit_reached_exactly_still_returns_a_last_evaluated_key(ddb):
    # DynamoDB does not look ahead: a full page always says there may be more.
    create(ddb)
    for n in range(1, 3):
        put(ddb, "a", {"N": str(n)})
    page = ddb.query(
        TableName="events",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        Limit=2,
    )
    assert page["Count"] == 2 and "LastEvaluatedKey" in page
    rest = ddb.query(
        TableName="events",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        Limit=2,
        ExclusiveStartKey=page["LastEvaluatedKey"],
    )
    assert rest["Count"] == 0 and "LastEvaluatedKey" not in rest


def test_paginators_walk_every_page(ddb):
    create(ddb)
    for n in range(25):
        put(ddb, "a", {"N": str(n)})
    pages = ddb.get_paginator("query").paginate(
        TableName="events",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        PaginationConfig={"PageSize": 10},
    )
    assert [len(p["Items"]) for p in pages] == [10, 10, 5]
    items = [i for p in ddb.get_paginator("scan").paginate(TableName="events") for i in p["Items"]]
    assert sorted(int(i["sk"]["N"]) for i in items) == list(range(25))


def test_one_megabyte_page_is_counted_before_the_filter(ddb):
    create(ddb)
    blob = "x" * 100_000
    for n in range(15):
        put(ddb, "a", {"N": str(n)}, filler={"S": blob})
    page = ddb.query(
        TableName="events",
        KeyConditionExpression="pk = :p",
        FilterExpression="attribute_not_exists(filler)",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    assert page["Count"] == 0
    assert 9 <= page["ScannedCount"] <= 11  # ~100 KB items, 1 MB read
    assert "LastEvaluatedKey" in page


def test_filter_counts_and_select_count(ddb):
    create(ddb)
    for n in range(6):
        put(ddb, "a", {"N": str(n)}, even={"BOOL": n % 2 == 0})
    args = dict(
        TableName="events",
        KeyConditionExpression="pk = :p",
        FilterExpression="even = :t",
        ExpressionAttributeValues={":p": {"S": "a"}, ":t": {"BOOL": True}},
    )
    page = ddb.query(**args)
    assert (page["Count"], page["ScannedCount"]) == (3, 6)
    counted = ddb.query(**args, Select="COUNT")
    assert (counted["Count"], counted["ScannedCount"]) == (3, 6)
    assert "Items" not in counted


def test_projection_and_select_rules(ddb):
    create(ddb)
    put(
        ddb,
        "a",
        {"N": "1"},
        info={"M": {"name": {"S": "n"}, "tags": {"L": [{"S": "t1"}, {"S": "t2"}]}}},
    )
    page = ddb.query(
        TableName="events",
        KeyConditionExpression="pk = :p",
        ProjectionExpression="info.tags[1], sk",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    assert page["Items"] == [{"sk": {"N": "1"}, "info": {"M": {"tags": {"L": [{"S": "t2"}]}}}}]
    with pytest.raises(ClientError) as caught:
        ddb.query(
            TableName="events",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "a"}},
            Select="ALL_PROJECTED_ATTRIBUTES",
        )
    assert error(caught)["Code"] == "ValidationException"
    assert "IndexName" in error(caught)["Message"]


def test_query_needs_a_key_condition(ddb):
    create(ddb)
    with pytest.raises(ClientError) as caught:
        ddb.query(TableName="events")
    assert error(caught)["Message"] == (
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
        "the request."
    )


def test_invalid_exclusive_start_key(ddb):
    create(ddb)
    with pytest.raises(ClientError) as caught:
        ddb.query(
            TableName="events",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "a"}},
            ExclusiveStartKey={"pk": {"S": "a"}},
        )
    assert error(caught)["Message"] == (
        "The provided starting key is invalid: The provided key element does not match the schema"
    )


# -- scan -------------------------------------------------------------------------------------


def test_parallel_scan_segments_partition_the_table(ddb):
    create(ddb)
    for p in range(40):
        put(ddb, f"p{p}", {"N": "1"})
    seen = []
    for segment in range(4):
        page = ddb.scan(TableName="events", Segment=segment, TotalSegments=4)
        seen.append({i["pk"]["S"] for i in page["Items"]})
    assert set().union(*seen) == {f"p{p}" for p in range(40)}
    assert sum(len(s) for s in seen) == 40  # disjoint
    assert all(seen)  # 40 partitions spread over every segment


def test_scan_order_is_stable_and_not_insertion_order(ddb):
    create(ddb)
    names = [f"p{p:02d}" for p in range(30)]
    for name in names:
        put(ddb, name, {"N": "1"})
    order = [i["pk"]["S"] for i in ddb.scan(TableName="events")["Items"]]
    assert sorted(order) == names
    assert order != names  # hash order, as DynamoDB's
    assert order == [i["pk"]["S"] for i in ddb.scan(TableName="events")["Items"]]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"TotalSegments": 2},
            "The Segment parameter is required but was not present in the request when parameter "
            "TotalSegments is present",
        ),
        (
            {"Segment": 3, "TotalSegments": 2},
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            "Segment: 3 is not less than TotalSegments: 2",
        ),
    ],
)
def test_scan_segment_errors(ddb, kwargs, message):
    create(ddb)
    with pytest.raises(ClientError) as caught:
        ddb.scan(TableName="events", **kwargs)
    assert error(caught)["Message"] == message


# -- indexes ---------------------------------------------------------------------------------


def create_with_indexes(ddb):
    create(
        ddb,
        definitions=[
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "when", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-status",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "when", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-when",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "when", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )


def test_gsi_is_sparse_and_returns_only_projected_attributes(ddb):
    create_with_indexes(ddb)
    put(
        ddb,
        "a",
        {"N": "1"},
        status={"S": "open"},
        when={"N": "30"},
        total={"N": "5"},
        note={"S": "x"},
    )
    put(ddb, "a", {"N": "2"}, status={"S": "open"}, when={"N": "10"}, total={"N": "7"})
    put(ddb, "b", {"N": "1"}, note={"S": "no status: not in the index"})
    page = ddb.query(
        TableName="events",
        IndexName="by-status",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "open"}},
    )
    assert [i["when"]["N"] for i in page["Items"]] == ["10", "30"]
    assert set(page["Items"][1]) == {"pk", "sk", "status", "when", "total"}  # no `note`
    assert "LastEvaluatedKey" not in page
    scanned = ddb.scan(TableName="events", IndexName="by-status")
    assert scanned["Count"] == 2


def test_gsi_follows_updates_that_move_an_item(ddb):
    create_with_indexes(ddb)
    put(ddb, "a", {"N": "1"}, status={"S": "open"}, when={"N": "1"})
    ddb.update_item(
        TableName="events",
        Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
        UpdateExpression="SET #s = :c",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":c": {"S": "closed"}},
    )

    def by_status(value):
        return ddb.query(
            TableName="events",
            IndexName="by-status",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": value}},
        )["Count"]

    assert (by_status("open"), by_status("closed")) == (0, 1)
    ddb.delete_item(TableName="events", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert by_status("closed") == 0


def test_gsi_refuses_consistent_reads_and_all_attributes(ddb):
    create_with_indexes(ddb)
    with pytest.raises(ClientError) as caught:
        ddb.query(
            TableName="events",
            IndexName="by-status",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "open"}},
            ConsistentRead=True,
        )
    assert (
        error(caught)["Message"] == "Consistent reads are not supported on global secondary indexes"
    )
    with pytest.raises(ClientError) as caught:
        ddb.scan(TableName="events", IndexName="by-status", Select="ALL_ATTRIBUTES")
    assert error(caught)["Message"] == (
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
        "for global secondary index by-status because its projection type is not ALL"
    )


def test_lsi_supports_consistent_reads_and_fetches_from_the_table(ddb):
    create_with_indexes(ddb)
    put(ddb, "a", {"N": "1"}, when={"N": "20"}, note={"S": "first"})
    put(ddb, "a", {"N": "2"}, when={"N": "10"}, note={"S": "second"})
    args = dict(
        TableName="events",
        IndexName="by-when",
        KeyConditionExpression="pk = :p AND #w > :zero",
        ExpressionAttributeNames={"#w": "when"},
        ExpressionAttributeValues={":p": {"S": "a"}, ":zero": {"N": "0"}},
        ConsistentRead=True,
    )
    keys_only = ddb.query(**args)
    assert [set(i) for i in keys_only["Items"]] == [{"pk", "sk", "when"}] * 2
    assert [i["when"]["N"] for i in keys_only["Items"]] == ["10", "20"]
    full = ddb.query(**args, Select="ALL_ATTRIBUTES")
    assert [i["note"]["S"] for i in full["Items"]] == ["second", "first"]


def test_unknown_index(ddb):
    create(ddb)
    with pytest.raises(ClientError) as caught:
        ddb.scan(TableName="events", IndexName="nope")
    assert error(caught)["Message"] == "The table does not have the specified index: nope"


# -- the resource API ---------------------------------------------------------------------


def test_resource_table_query_with_key_and_attr_conditions():
    with mock_serverless():
        client = boto3.client("dynamodb")
        create(client)
        table = boto3.resource("dynamodb").Table("events")
        with table.batch_writer() as batch:
            for n in range(10):
                batch.put_item(Item={"pk": "a", "sk": n, "score": Decimal(n) / 2})
        response = table.query(
            KeyConditionExpression=Key("pk").eq("a") & Key("sk").between(2, 6),
            FilterExpression=Attr("score").gte(Decimal("2")),
        )
        assert [i["sk"] for i in response["Items"]] == [4, 5, 6]
        assert response["ScannedCount"] == 5


# -- legacy parameters ---------------------------------------------------------------------


def test_legacy_key_conditions_and_query_filter(ddb):
    create(ddb)
    for n in range(1, 6):
        put(ddb, "a", {"N": str(n)}, colour={"S": "red" if n % 2 else "blue"})
    page = ddb.query(
        TableName="events",
        KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
            "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "2"}, {"N": "5"}]},
        },
        QueryFilter={"colour": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "red"}]}},
        AttributesToGet=["sk"],
    )
    assert page["Items"] == [{"sk": {"N": "3"}}, {"sk": {"N": "5"}}]
    assert page["ScannedCount"] == 4


def test_legacy_scan_filter_with_conditional_operator(ddb):
    create(ddb)
    for n in range(1, 6):
        put(ddb, "a", {"N": str(n)})
    page = ddb.scan(
        TableName="events",
        ScanFilter={
            "sk": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "2"}]},
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "nope"}]},
        },
        ConditionalOperator="OR",
    )
    assert sort_keys(page) == ["1"]


def test_legacy_and_expression_parameters_do_not_mix(ddb):
    create(ddb)
    with pytest.raises(ClientError) as caught:
        ddb.query(
            TableName="events",
            KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
            FilterExpression="attribute_exists(sk)",
        )
    assert error(caught)["Message"] == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {KeyConditions} Expression parameters: {FilterExpression}"
    )
    with pytest.raises(ClientError) as caught:
        ddb.query(
            TableName="events",
            KeyConditions={"pk": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "a"}]}},
        )
    assert (
        error(caught)["Message"] == "Attempted conditional constraint is not an indexable operation"
    )
