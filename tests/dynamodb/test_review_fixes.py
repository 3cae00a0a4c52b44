"""Regressions found in review: index membership, tokens, start keys, GSI projections."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless


@pytest.fixture
def ddb():
    with mock_serverless():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="things",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def key(n):
    return {"pk": {"S": "a"}, "sk": {"N": str(n)}}


def add_gsi(ddb, projection=None):
    ddb.update_table(
        TableName="things",
        AttributeDefinitions=[
            {"AttributeName": "g1", "AttributeType": "S"},
            {"AttributeName": "g2", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "gix",
                    "KeySchema": [
                        {"AttributeName": "g1", "KeyType": "HASH"},
                        {"AttributeName": "g2", "KeyType": "RANGE"},
                    ],
                    "Projection": projection or {"ProjectionType": "ALL"},
                }
            }
        ],
    )
    ddb.get_waiter("table_exists").wait(TableName="things")
    ddb.describe_table(TableName="things")  # let the backfill phases finish


def index_count(ddb):
    return ddb.scan(TableName="things", IndexName="gix")["Count"]


def test_items_an_added_index_cannot_hold_stay_out_of_it(ddb):
    ddb.put_item(TableName="things", Item={**key(1), "g1": {"S": "x"}, "g2": {"N": "1"}})
    ddb.put_item(TableName="things", Item={**key(2), "g1": {"S": "x"}, "g2": {"S": "oops"}})
    ddb.put_item(TableName="things", Item={**key(3), "g1": {"S": ""}, "g2": {"N": "3"}})
    add_gsi(ddb)
    ddb.describe_table(TableName="things")
    assert index_count(ddb) == 1
    for n in (2, 3):  # an unrelated update must not sneak them in (nor crash)
        ddb.update_item(
            TableName="things",
            Key=key(n),
            UpdateExpression="SET x = :x",
            ExpressionAttributeValues={":x": {"S": "1"}},
        )
    assert index_count(ddb) == 1


def test_gsi_refuses_attributes_it_does_not_project(ddb):
    add_gsi(ddb, {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]})
    with pytest.raises(ClientError) as caught:
        ddb.scan(TableName="things", IndexName="gix", ProjectionExpression="a, b")
    assert caught.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: Global secondary index gix does not project [b]"
    )
    ddb.scan(TableName="things", IndexName="gix", ProjectionExpression="a, g1, pk")


def test_start_key_of_the_wrong_type_is_refused(ddb):
    for start in ({"pk": {"S": "a"}, "sk": {"S": "1"}}, {"pk": {"N": "1"}, "sk": {"N": "1"}}):
        with pytest.raises(ClientError) as caught:
            ddb.scan(TableName="things", ExclusiveStartKey=start)
        assert caught.value.response["Error"]["Message"] == (
            "The provided starting key is invalid: The provided key element does not match "
            "the schema"
        )


def transaction(value):
    return [
        {
            "Update": {
                "TableName": "things",
                "Key": key(1),
                "UpdateExpression": "SET v = :v",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":v": {"S": value}},
            }
        }
    ]


def test_a_failed_transaction_is_not_remembered_by_its_token(ddb):
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=transaction("new"), ClientRequestToken="tok")
    ddb.put_item(TableName="things", Item=key(1))
    ddb.transact_write_items(TransactItems=transaction("new"), ClientRequestToken="tok")
    item = ddb.get_item(TableName="things", Key=key(1))["Item"]
    assert item["v"] == {"S": "new"}


def test_changes_a_transaction_cannot_make_cancel_it(ddb):
    ddb.put_item(TableName="things", Item={**key(1), "s": {"S": "text"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "things", "Item": key(2)}},
                {
                    "Update": {
                        "TableName": "things",
                        "Key": key(1),
                        "UpdateExpression": "SET s = s + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )
    reasons = caught.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ValidationError"]
    assert "Item" not in ddb.get_item(TableName="things", Key=key(2))
