"""TransactWriteItems and TransactGetItems through real boto3 clients."""

from __future__ import annotations

import contextlib
import threading

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless


@pytest.fixture
def ddb():
    with mock_serverless(clock="frozen") as cloud:
        client = boto3.client("dynamodb")
        for name in ("accounts", "ledger"):
            client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        client.cloud = cloud
        yield client


def balance(ddb, account):
    item = ddb.get_item(TableName="accounts", Key={"id": {"S": account}}).get("Item")
    return None if item is None else int(item["balance"]["N"])


def transfer(amount, token=None):
    request = {
        "TransactItems": [
            {
                "Update": {
                    "TableName": "accounts",
                    "Key": {"id": {"S": "alice"}},
                    "UpdateExpression": "SET balance = balance - :a",
                    "ConditionExpression": "balance >= :a",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}},
                }
            },
            {
                "Update": {
                    "TableName": "accounts",
                    "Key": {"id": {"S": "bob"}},
                    "UpdateExpression": "SET balance = balance + :a",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}},
                }
            },
            {
                "Put": {
                    "TableName": "ledger",
                    "Item": {"id": {"S": f"t{amount}"}, "amount": {"N": str(amount)}},
                }
            },
        ]
    }
    if token:
        request["ClientRequestToken"] = token
    return request


def open_accounts(ddb, alice=100, bob=0):
    for name, amount in (("alice", alice), ("bob", bob)):
        ddb.put_item(TableName="accounts", Item={"id": {"S": name}, "balance": {"N": str(amount)}})


def test_all_actions_apply_together(ddb):
    open_accounts(ddb)
    ddb.transact_write_items(**transfer(30))
    assert (balance(ddb, "alice"), balance(ddb, "bob")) == (70, 30)
    assert ddb.get_item(TableName="ledger", Key={"id": {"S": "t30"}})["Item"]["amount"] == {
        "N": "30"
    }


def test_a_failed_condition_cancels_everything_with_reasons_in_order(ddb):
    open_accounts(ddb, alice=10)
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(**transfer(50))
    response = caught.value.response
    assert response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ConditionalCheckFailed, None, None]"
    )
    assert [r["Code"] for r in response["CancellationReasons"]] == [
        "ConditionalCheckFailed",
        "None",
        "None",
    ]
    assert (balance(ddb, "alice"), balance(ddb, "bob")) == (10, 0)
    assert "Item" not in ddb.get_item(TableName="ledger", Key={"id": {"S": "t50"}})


def test_cancellation_returns_the_item_when_asked(ddb):
    open_accounts(ddb)
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": "accounts",
                        "Key": {"id": {"S": "alice"}},
                        "ConditionExpression": "balance > :big",
                        "ExpressionAttributeValues": {":big": {"N": "1000"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            ]
        )
    reason = caught.value.response["CancellationReasons"][0]
    assert reason["Item"] == {"id": {"S": "alice"}, "balance": {"N": "100"}}


def test_the_same_item_twice_is_refused(ddb):
    with pytest.raises(ClientError) as caught:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "accounts", "Item": {"id": {"S": "x"}}}},
                {"Delete": {"TableName": "accounts", "Key": {"id": {"S": "x"}}}},
            ]
        )
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert caught.value.response["Error"]["Message"] == (
        "Transaction request cannot include multiple operations on one item"
    )


def test_client_request_token_is_idempotent_for_ten_minutes(ddb):
    open_accounts(ddb)
    ddb.transact_write_items(**transfer(10, token="t-1"))
    ddb.transact_write_items(**transfer(10, token="t-1"))  # a retry: not applied twice
    assert balance(ddb, "alice") == 90
    with pytest.raises(ddb.exceptions.IdempotentParameterMismatchException):
        ddb.transact_write_items(**transfer(20, token="t-1"))
    ddb.cloud.clock.advance(601)
    ddb.transact_write_items(**transfer(10, token="t-1"))  # the token has expired
    assert balance(ddb, "alice") == 80


def test_concurrent_transfers_never_leave_a_partial_write(ddb):
    open_accounts(ddb, alice=1000)

    def worker():
        for _ in range(20):
            with contextlib.suppress(ddb.exceptions.TransactionCanceledException):
                ddb.transact_write_items(**transfer(7))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert balance(ddb, "alice") + balance(ddb, "bob") == 1000
    assert balance(ddb, "alice") >= 0


def test_transact_get_items_in_request_order(ddb):
    open_accounts(ddb)
    response = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": "accounts", "Key": {"id": {"S": "bob"}}}},
            {"Get": {"TableName": "accounts", "Key": {"id": {"S": "nobody"}}}},
            {
                "Get": {
                    "TableName": "accounts",
                    "Key": {"id": {"S": "alice"}},
                    "ProjectionExpression": "balance",
                }
            },
        ]
    )
    assert response["Responses"] == [
        {"Item": {"id": {"S": "bob"}, "balance": {"N": "0"}}},
        {},
        {"Item": {"balance": {"N": "100"}}},
    ]


def test_resource_api_client_transactions():
    with mock_serverless():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="things",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        resource_client = boto3.resource("dynamodb").meta.client  # high-level (Python values)
        resource_client.transact_write_items(
            TransactItems=[{"Put": {"TableName": "things", "Item": {"id": "a", "n": 1}}}]
        )
        item = client.get_item(TableName="things", Key={"id": {"S": "a"}})["Item"]
        assert item["n"] == {"N": "1"}
