"""Encryption at rest through real boto3 clients: SSESpecification and SSEDescription.

Expected behaviour and messages are DynamoDB's as the ack-api-quirks lab recorded
them live (DDB-TABLE-044, DDB-TABLE-442, DDB-TABLE-462; see fakeaws/services/dynamodb/sse.py).
"""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import UnsupportedOperation, mock_serverless

REGION = "eu-west-1"
ACCOUNT = "123456789012"
KEY_ARN = re.compile(
    rf"arn:aws:kms:{REGION}:{ACCOUNT}:key/[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-"
    r"[0-9a-f]{4}-[0-9a-f]{12}"
)
INVALID = "One or more parameter values were invalid: "
CMK = "1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def ddb():
    with mock_serverless(region=REGION, clock="frozen") as cloud:
        client = boto3.client("dynamodb")
        client.cloud = cloud
        yield client


@pytest.fixture
def slow():
    with mock_serverless(region=REGION, clock="frozen", dynamodb={"table_delay": 30}) as cloud:
        client = boto3.client("dynamodb")
        client.cloud = cloud
        yield client


def create(client, name="enc", **extra):
    return client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )["TableDescription"]


def sse_of(client, name="enc"):
    return client.describe_table(TableName=name)["Table"].get("SSEDescription")


def error(excinfo) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


@pytest.mark.parametrize("spec", [None, {}, {"Enabled": False}])
def test_the_aws_owned_key_reports_no_description(ddb, spec):
    extra = {} if spec is None else {"SSESpecification": spec}
    assert "SSEDescription" not in create(ddb, **extra)
    assert sse_of(ddb) is None


def test_the_aws_managed_key_is_reported_by_its_full_arn(ddb):
    created = create(ddb, SSESpecification={"Enabled": True})
    description = created["SSEDescription"]
    assert description["Status"] == "ENABLED"
    assert description["SSEType"] == "KMS"
    assert KEY_ARN.fullmatch(description["KMSMasterKeyArn"])
    assert sse_of(ddb) == description
    # one AWS managed key per account and region: the alias names the same key
    create(ddb, "enc2", SSESpecification={"SSEType": "KMS", "KMSMasterKeyId": "alias/aws/dynamodb"})
    assert sse_of(ddb, "enc2")["KMSMasterKeyArn"] == description["KMSMasterKeyArn"]
    other = boto3.client("dynamodb", region_name="us-east-1")
    create(other, SSESpecification={"Enabled": True})
    arn = sse_of(other)["KMSMasterKeyArn"]
    assert arn.startswith(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/")
    assert arn.rsplit("/")[-1] != description["KMSMasterKeyArn"].rsplit("/")[-1]


def test_sse_type_alone_turns_kms_encryption_on(ddb):
    create(ddb, SSESpecification={"SSEType": "KMS"})
    assert sse_of(ddb)["Status"] == "ENABLED"


def test_a_customer_key_id_is_reported_as_its_arn(ddb):
    create(ddb, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": CMK})
    assert sse_of(ddb)["KMSMasterKeyArn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{CMK}"
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{CMK}"
    create(ddb, "enc2", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": arn})
    assert sse_of(ddb, "enc2")["KMSMasterKeyArn"] == arn


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"Enabled": False, "SSEType": "KMS"}, "SSEType can not be specified if Enabled is false"),
        (
            {"Enabled": False, "KMSMasterKeyId": CMK},
            "KMSMasterKeyId can not be specified if Enabled is false",
        ),
        (
            {"Enabled": True, "KMSMasterKeyId": CMK},
            "SSEType KMS is required if KMSMasterKeyId is specified",
        ),
        ({"Enabled": True, "SSEType": "AES256"}, "SSEType AES256 is not supported"),
    ],
)
def test_invalid_specifications_are_refused(ddb, spec, message):
    with pytest.raises(ClientError) as excinfo:
        create(ddb, SSESpecification=spec)
    assert error(excinfo) == ("ValidationException", INVALID + message)
    assert ddb.list_tables()["TableNames"] == []


def test_an_alias_needs_a_kms_backend(ddb):
    with pytest.raises(UnsupportedOperation):
        create(ddb, SSESpecification={"SSEType": "KMS", "KMSMasterKeyId": "alias/mine"})


def test_update_to_kms_shows_updating_while_the_table_stays_active(slow):
    create(slow)
    slow.cloud.clock.advance(30)
    answer = slow.update_table(TableName="enc", SSESpecification={"Enabled": True})
    table = answer["TableDescription"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["SSEDescription"]["Status"] == "UPDATING"
    assert KEY_ARN.fullmatch(table["SSEDescription"]["KMSMasterKeyArn"])
    assert sse_of(slow)["Status"] == "UPDATING"
    slow.cloud.clock.advance(30)
    assert sse_of(slow)["Status"] == "ENABLED"
    assert slow.describe_table(TableName="enc")["Table"]["TableStatus"] == "ACTIVE"


def test_update_back_to_the_aws_owned_key_drops_the_description(slow):
    create(slow, SSESpecification={"Enabled": True})
    slow.cloud.clock.advance(30)
    slow.update_table(TableName="enc", SSESpecification={"Enabled": False})
    assert sse_of(slow)["Status"] == "UPDATING"
    slow.cloud.clock.advance(30)
    assert sse_of(slow) is None


def test_update_to_another_key(ddb):
    create(ddb, SSESpecification={"Enabled": True})
    ddb.update_table(
        TableName="enc",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": CMK},
    )
    assert sse_of(ddb) == {
        "Status": "ENABLED",
        "SSEType": "KMS",
        "KMSMasterKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{CMK}",
    }


def test_no_op_updates_are_refused(ddb):
    create(ddb)
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(TableName="enc", SSESpecification={"Enabled": False})
    assert error(excinfo) == (
        "ValidationException",
        INVALID + "Table is already encrypted by default",
    )
    ddb.update_table(TableName="enc", SSESpecification={"Enabled": True})
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(TableName="enc", SSESpecification={"Enabled": True})
    assert error(excinfo) == (
        "ValidationException",
        INVALID + "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId "
        "parameter if you want to change Master Key",
    )


def test_an_encryption_change_must_come_alone(ddb):
    create(ddb)
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(
            TableName="enc", SSESpecification={"Enabled": True}, DeletionProtectionEnabled=True
        )
    assert error(excinfo) == (
        "ValidationException",
        INVALID + "Server-Side Encryption modification must be the only operation in the request",
    )
    assert sse_of(ddb) is None
