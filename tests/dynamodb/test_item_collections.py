"""ItemCollectionMetrics: returned when asked for, on tables with local secondary indexes."""

from __future__ import annotations

import boto3
import pytest

from fakeaws import mock_serverless


def create(client, name, lsi):
    extra = {}
    if lsi:
        extra["LocalSecondaryIndexes"] = [
            {
                "IndexName": "by-rank",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "rank", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            *([{"AttributeName": "rank", "AttributeType": "N"}] if lsi else []),
        ],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


@pytest.fixture
def ddb():
    with mock_serverless():
        client = boto3.client("dynamodb")
        create(client, "with-lsi", lsi=True)
        create(client, "plain", lsi=False)
        yield client


ITEM = {"pk": {"S": "user#1"}, "sk": {"S": "a"}, "rank": {"N": "1"}}
METRICS = {"ItemCollectionKey": {"pk": {"S": "user#1"}}, "SizeEstimateRangeGB": [0.0, 1.0]}


def test_single_item_writes_report_the_collection(ddb):
    put = ddb.put_item(TableName="with-lsi", Item=ITEM, ReturnItemCollectionMetrics="SIZE")
    assert put["ItemCollectionMetrics"] == METRICS
    update = ddb.update_item(
        TableName="with-lsi",
        Key={"pk": ITEM["pk"], "sk": ITEM["sk"]},
        UpdateExpression="SET #r = :r",
        ExpressionAttributeNames={"#r": "rank"},
        ExpressionAttributeValues={":r": {"N": "2"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert update["ItemCollectionMetrics"] == METRICS
    delete = ddb.delete_item(
        TableName="with-lsi",
        Key={"pk": ITEM["pk"], "sk": ITEM["sk"]},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert delete["ItemCollectionMetrics"] == METRICS


def test_not_returned_unless_asked_or_without_lsis(ddb):
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName="with-lsi", Item=ITEM)
    plain = ddb.put_item(TableName="plain", Item=ITEM, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in plain


def test_batch_and_transaction_writes_report_per_table(ddb):
    batch = ddb.batch_write_item(
        RequestItems={
            "with-lsi": [{"PutRequest": {"Item": {**ITEM, "sk": {"S": s}}}} for s in ("a", "b")],
            "plain": [{"PutRequest": {"Item": ITEM}}],
        },
        ReturnItemCollectionMetrics="SIZE",
    )
    assert batch["ItemCollectionMetrics"] == {"with-lsi": [METRICS]}
    transaction = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": "with-lsi", "Item": {**ITEM, "sk": {"S": "c"}}}}],
        ReturnItemCollectionMetrics="SIZE",
    )
    assert transaction["ItemCollectionMetrics"] == {"with-lsi": [METRICS]}
