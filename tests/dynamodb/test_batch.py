"""BatchGetItem and BatchWriteItem through real boto3 clients."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless


@pytest.fixture
def ddb():
    with mock_serverless():
        client = boto3.client("dynamodb")
        for name in ("users", "orders"):
            client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        yield client


def key(i):
    return {"id": {"S": str(i)}}


def message(caught):
    return caught.value.response["Error"]["Message"]


def test_batch_write_puts_and_deletes_across_tables(ddb):
    ddb.put_item(TableName="orders", Item={"id": {"S": "old"}})
    response = ddb.batch_write_item(
        RequestItems={
            "users": [{"PutRequest": {"Item": {**key(i), "n": {"N": str(i)}}}} for i in range(3)],
            "orders": [{"DeleteRequest": {"Key": {"id": {"S": "old"}}}}],
        }
    )
    assert response["UnprocessedItems"] == {}
    assert ddb.scan(TableName="users")["Count"] == 3
    assert ddb.scan(TableName="orders")["Count"] == 0


def test_batch_get_returns_found_items_per_table(ddb):
    for i in range(3):
        ddb.put_item(TableName="users", Item={**key(i), "name": {"S": f"u{i}"}, "age": {"N": "30"}})
    response = ddb.batch_get_item(
        RequestItems={
            "users": {
                "Keys": [key(0), key(2), key(9)],
                "ProjectionExpression": "#n",
                "ExpressionAttributeNames": {"#n": "name"},
            },
            "orders": {"Keys": [key(1)]},
        }
    )
    assert sorted(i["name"]["S"] for i in response["Responses"]["users"]) == ["u0", "u2"]
    assert all(set(i) == {"name"} for i in response["Responses"]["users"])
    assert response["Responses"]["orders"] == []
    assert response["UnprocessedKeys"] == {}


def test_batch_get_over_sixteen_megabytes_leaves_unprocessed_keys(ddb):
    big = "x" * 350_000
    for i in range(60):
        ddb.put_item(TableName="users", Item={**key(i), "blob": {"S": big}})
    keys = [key(i) for i in range(60)]
    response = ddb.batch_get_item(RequestItems={"users": {"Keys": keys}})
    got = len(response["Responses"]["users"])
    unprocessed = response["UnprocessedKeys"]["users"]["Keys"]
    assert 40 <= got < 60
    assert got + len(unprocessed) == 60
    again = ddb.batch_get_item(RequestItems=response["UnprocessedKeys"])
    assert len(again["Responses"]["users"]) == len(unprocessed)


def test_resource_batch_writer_flushes_in_batches_of_25():
    with mock_serverless() as cloud:
        boto3.client("dynamodb").create_table(
            TableName="users",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        table = boto3.resource("dynamodb").Table("users")
        with table.batch_writer() as batch:
            for i in range(60):
                batch.put_item(Item={"id": str(i)})
        assert table.scan()["Count"] == 60
        assert len(cloud.calls.where(operation="BatchWriteItem")) == 3


def test_batch_limits_and_duplicates(ddb):
    with pytest.raises(ClientError) as caught:
        ddb.batch_write_item(
            RequestItems={"users": [{"PutRequest": {"Item": key(i)}} for i in range(26)]}
        )
    assert "Member must have length less than or equal to 25" in message(caught)
    with pytest.raises(ClientError) as caught:
        ddb.batch_get_item(RequestItems={"users": {"Keys": [key(i) for i in range(101)]}})
    assert message(caught) == "Too many items requested for the BatchGetItem call"
    with pytest.raises(ClientError) as caught:
        ddb.batch_write_item(
            RequestItems={
                "users": [{"PutRequest": {"Item": key(1)}}, {"DeleteRequest": {"Key": key(1)}}]
            }
        )
    assert message(caught) == "Provided list of item keys contains duplicates"
    with pytest.raises(ClientError) as caught:
        ddb.batch_get_item(RequestItems={"users": {"Keys": [key(1), key(1)]}})
    assert message(caught) == "Provided list of item keys contains duplicates"


def test_batch_write_is_validated_before_anything_is_written(ddb):
    with pytest.raises(ClientError) as caught:
        ddb.batch_write_item(
            RequestItems={
                "users": [
                    {"PutRequest": {"Item": key(1)}},
                    {"PutRequest": {"Item": {"name": {"S": "no key"}}}},
                ]
            }
        )
    assert (
        message(caught)
        == "One or more parameter values were invalid: Missing the key id in the item"
    )
    assert ddb.scan(TableName="users")["Count"] == 0


def test_batch_on_a_missing_table(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.batch_write_item(RequestItems={"nope": [{"PutRequest": {"Item": key(1)}}]})
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.batch_get_item(RequestItems={"nope": {"Keys": [key(1)]}})
