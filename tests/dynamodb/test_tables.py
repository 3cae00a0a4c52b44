"""DynamoDB control plane through real boto3 clients: tables, indexes, billing, tags, waiters.

Expected messages are DynamoDB's own: recorded against the service by dynalite's
test suite (test/createTable.js, updateTable.js, deleteTable.js, listTables.js,
tagResource.js, listTagsOfResource.js) and by the ack-api-quirks live probes.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import UnsupportedOperation, mock_serverless

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table"
H, R = "HASH", "RANGE"
PT = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
ALL = {"ProjectionType": "ALL"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
INVALID = "One or more parameter values were invalid: "


@pytest.fixture
def ddb():
    with mock_serverless(region=REGION, clock="frozen") as cloud:
        client = boto3.client("dynamodb")
        client.cloud = cloud
        yield client


@pytest.fixture
def slow():
    """Tables and indexes spend 30 virtual seconds in each transitional status."""
    with mock_serverless(region=REGION, clock="frozen", dynamodb={"table_delay": 30}) as cloud:
        client = boto3.client("dynamodb")
        client.cloud = cloud
        yield client


# -- request builders -----------------------------------------------------------------------


def attrs(*names: str, kind: str = "S") -> list[dict]:
    return [{"AttributeName": n, "AttributeType": kind} for n in names]


def schema(*elements: tuple[str, str]) -> list[dict]:
    return [{"AttributeName": name, "KeyType": kind} for name, kind in elements]


def gsi(name, *elements, projection=ALL, throughput=PT) -> dict:
    index = {"IndexName": name, "KeySchema": schema(*elements), "Projection": projection}
    if throughput is not None:
        index["ProvisionedThroughput"] = throughput
    return index


def lsi(name, *elements, projection=ALL) -> dict:
    return {"IndexName": name, "KeySchema": schema(*elements), "Projection": projection}


def request(**overrides) -> dict:
    """A valid CreateTable request (table abc: a HASH, b RANGE), changed by ``overrides``.

    An override of None removes that member.
    """
    base = {
        "TableName": "abc",
        "AttributeDefinitions": attrs("a", "b"),
        "KeySchema": schema(("a", H), ("b", R)),
        "ProvisionedThroughput": PT,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def fails(call, *args, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(*args, **params)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def create_things(ddb, **extra) -> dict:
    """A pay-per-request table 'things' (pk HASH)."""
    params = {
        "TableName": "things",
        "AttributeDefinitions": attrs("pk"),
        "KeySchema": schema(("pk", H)),
        "BillingMode": "PAY_PER_REQUEST",
    }
    params.update(extra)
    return ddb.create_table(**params)["TableDescription"]


def describe(ddb, name="things") -> dict:
    return ddb.describe_table(TableName=name)["Table"]


def put(ddb, table="things", **attributes) -> None:
    ddb.put_item(TableName=table, Item={k: {"S": v} for k, v in attributes.items()})


def now(ddb) -> datetime:
    return ddb.cloud.clock.now()


# -- CreateTable validation -----------------------------------------------------------------

SIX_LSIS = [lsi(f"lsi{n}", ("a", H), ("b", R)) for n in range(6)]
GSIS_21 = [gsi(f"gsi{n}", ("a", H), ("b", R)) for n in range(21)]

CREATE_ERRORS = [
    # names: 3-255 characters of [a-zA-Z0-9_.-]
    pytest.param(
        {"TableName": "ab"},
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3",
        id="short table name",
    ),
    pytest.param(
        {"TableName": "a" * 256},
        f"1 validation error detected: Value '{'a' * 256}' at 'tableName' failed to satisfy "
        "constraint: Member must have length less than or equal to 255",
        id="long table name",
    ),
    pytest.param(
        {"TableName": "abc;"},
        "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        id="table name pattern",
    ),
    pytest.param(
        {"TableName": "a;"},
        "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at "
        "'tableName' failed to satisfy constraint: Member must have length greater than or "
        "equal to 3",
        id="table name pattern and length",
    ),
    pytest.param(
        {"GlobalSecondaryIndexes": [gsi("g;x", ("a", H))]},
        "1 validation error detected: Value 'g;x' at 'globalSecondaryIndexes.1.member.indexName' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "[a-zA-Z0-9_.-]+",
        id="index name pattern",
    ),
    pytest.param(
        {"LocalSecondaryIndexes": [lsi("l" * 256, ("a", H), ("b", R))]},
        f"1 validation error detected: Value '{'l' * 256}' at "
        "'localSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must "
        "have length less than or equal to 255",
        id="long index name",
    ),
    # key types: S, N or B only
    pytest.param(
        {"AttributeDefinitions": [*attrs("a"), *attrs("b", kind="SS")]},
        "1 validation error detected: Value 'SS' at 'attributeDefinitions.2.member.attributeType' "
        "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]",
        id="key type SS",
    ),
    pytest.param(
        {"AttributeDefinitions": [*attrs("a", kind="BOOL"), *attrs("b", kind="M")]},
        "2 validation errors detected: Value 'BOOL' at "
        "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must "
        "satisfy enum value set: [B, N, S]; Value 'M' at "
        "'attributeDefinitions.2.member.attributeType' failed to satisfy constraint: Member must "
        "satisfy enum value set: [B, N, S]",
        id="two bad key types",
    ),
    pytest.param(
        {"KeySchema": schema(("a", H), ("b", "SORT"))},
        "1 validation error detected: Value 'SORT' at 'keySchema.2.member.keyType' failed to "
        "satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]",
        id="key type enum",
    ),
    # billing mode
    pytest.param(
        {"BillingMode": "PAY_PER_REQUEST"},
        INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
        "BillingMode is PAY_PER_REQUEST",
        id="pay per request with throughput",
    ),
    pytest.param(
        {"ProvisionedThroughput": None},
        INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
        "BillingMode is PROVISIONED",
        id="default billing without throughput",
    ),
    pytest.param(
        {"BillingMode": "PROVISIONED", "ProvisionedThroughput": None},
        INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
        "BillingMode is PROVISIONED",
        id="provisioned without throughput",
    ),
    pytest.param(
        {"BillingMode": "ON_DEMAND"},
        "1 validation error detected: Value 'ON_DEMAND' at 'billingMode' failed to satisfy "
        "constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
        id="billing mode enum",
    ),
    # key schema vs attribute definitions
    pytest.param(
        {"AttributeDefinitions": attrs("b")},
        "Invalid KeySchema: Some index key attribute have no definition",
        id="more keys than definitions",
    ),
    pytest.param(
        {"AttributeDefinitions": attrs("a"), "KeySchema": schema(("a", H), ("a", H))},
        "Invalid KeySchema: Some index key attribute have no definition",
        id="one definition, same key twice",
    ),
    pytest.param(
        {"AttributeDefinitions": attrs("b"), "KeySchema": schema(("a", H))},
        INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
        "Keys: [a], AttributeDefinitions: [b]",
        id="hash key not defined",
    ),
    pytest.param(
        {"KeySchema": schema(("a", H), ("c", R))},
        INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
        "Keys: [a, c], AttributeDefinitions: [a, b]",
        id="range key not defined",
    ),
    pytest.param(
        {"AttributeDefinitions": attrs("a", "c", "b")},
        INVALID + "Number of attributes in KeySchema does not exactly match number of attributes "
        "defined in AttributeDefinitions",
        id="definition not used by a key",
    ),
    pytest.param(
        {"KeySchema": schema(("a", H))},
        INVALID + "Number of attributes in KeySchema does not exactly match number of attributes "
        "defined in AttributeDefinitions",
        id="definition not used by a hash-only table",
    ),
    pytest.param(
        {"AttributeDefinitions": [*attrs("a"), *attrs("a", kind="N"), *attrs("b")]},
        "Attribute Name is duplicated: a",
        id="definition twice",
    ),
    pytest.param(
        {
            "AttributeDefinitions": attrs("a", "b", "c"),
            "GlobalSecondaryIndexes": [gsi("gsi", ("a", H))],
        },
        INVALID + "Some AttributeDefinitions are not used. AttributeDefinitions: [a, b, c], "
        "keys used: [a, b]",
        id="definition not used with indexes",
    ),
    # key schema shape: HASH first, at most 2 elements, two different attributes
    pytest.param(
        {"KeySchema": schema(("a", H), ("a", H))},
        "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        id="same attribute twice",
    ),
    pytest.param(
        {"KeySchema": schema(("a", H), ("a", R))},
        "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        id="same attribute as hash and range",
    ),
    pytest.param(
        {"KeySchema": schema(("b", R), ("a", H))},
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        id="range key first",
    ),
    pytest.param(
        {"KeySchema": schema(("a", R), ("b", R))},
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        id="two range keys",
    ),
    pytest.param(
        {"KeySchema": schema(("a", H), ("b", H))},
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        id="two hash keys",
    ),
    # local secondary indexes: only with a composite key, and the table's hash key
    pytest.param(
        {"KeySchema": schema(("a", H)), "LocalSecondaryIndexes": []},
        INVALID + "List of LocalSecondaryIndexes is empty",
        id="empty LSI list",
    ),
    pytest.param(
        {"KeySchema": schema(("a", H)), "LocalSecondaryIndexes": [lsi("lsi", ("a", H), ("b", R))]},
        INVALID + "Table KeySchema does not have a range key, which is required when specifying "
        "a LocalSecondaryIndex",
        id="LSI on a hash-only table",
    ),
    pytest.param(
        {"LocalSecondaryIndexes": [lsi("lsi", ("a", H))]},
        INVALID + "Index KeySchema does not have a range key for index: lsi",
        id="LSI without range key",
    ),
    pytest.param(
        {
            "AttributeDefinitions": attrs("a", "b", "c"),
            "LocalSecondaryIndexes": [lsi("lsi", ("c", H), ("b", R))],
        },
        INVALID + "Index KeySchema does not have the same leading hash key as table KeySchema for "
        "index: lsi. index hash key: c, table hash key: a",
        id="LSI with another hash key",
    ),
    pytest.param(
        {"LocalSecondaryIndexes": [lsi("lsi", ("a", H), ("c", R))]},
        INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
        "Keys: [a, c], AttributeDefinitions: [a, b]",
        id="LSI key not defined",
    ),
    pytest.param(
        {"LocalSecondaryIndexes": [lsi("lsi", ("b", R))]},
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        id="LSI range key first",
    ),
    pytest.param(
        {"LocalSecondaryIndexes": SIX_LSIS},
        INVALID + "Number of LocalSecondaryIndexes exceeds per-table limit of 5",
        id="six LSIs",
    ),
    # global secondary indexes
    pytest.param(
        {"KeySchema": schema(("a", H)), "GlobalSecondaryIndexes": []},
        INVALID + "List of GlobalSecondaryIndexes is empty",
        id="empty GSI list",
    ),
    pytest.param(
        {"GlobalSecondaryIndexes": GSIS_21},
        INVALID + "GlobalSecondaryIndex count exceeds the per-table limit of 20",
        id="21 GSIs",
    ),
    pytest.param(
        {"KeySchema": schema(("a", H)), "GlobalSecondaryIndexes": [gsi("gsi", ("c", R))]},
        INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
        "Keys: [c], AttributeDefinitions: [a, b]",
        id="GSI key not defined",
    ),
    pytest.param(
        {"GlobalSecondaryIndexes": [gsi("gsi", ("b", R), ("a", H))]},
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        id="GSI range key first",
    ),
    pytest.param(
        {"GlobalSecondaryIndexes": [gsi("gsi", ("b", H), ("b", R))]},
        "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        id="GSI same attribute twice",
    ),
    pytest.param(
        {"GlobalSecondaryIndexes": [gsi("gsi", ("b", H), ("b", H))]},
        "The KeySchema contains multiple key attributes with the same name",
        id="GSI same hash attribute twice",
    ),
    pytest.param(
        {
            "BillingMode": "PAY_PER_REQUEST",
            "ProvisionedThroughput": None,
            "GlobalSecondaryIndexes": [gsi("gsi", ("b", H))],
        },
        INVALID + "ProvisionedThroughput should not be specified for index: gsi when BillingMode "
        "is PAY_PER_REQUEST",
        id="GSI throughput on pay per request",
    ),
    pytest.param(
        {"GlobalSecondaryIndexes": [gsi("gsi", ("b", H), throughput=None)]},
        INVALID + "ProvisionedThroughput is not specified for index: gsi",
        id="GSI without throughput on provisioned",
    ),
    # projections
    pytest.param(
        {"GlobalSecondaryIndexes": [gsi("gsi", ("b", H), projection={})]},
        INVALID + "Unknown ProjectionType: null",
        id="projection type missing",
    ),
    pytest.param(
        {
            "LocalSecondaryIndexes": [
                lsi("lsi", ("a", H), ("b", R), projection={"NonKeyAttributes": ["x"]})
            ]
        },
        INVALID + "Unknown ProjectionType: null",
        id="non-key attributes without projection type",
    ),
    pytest.param(
        {
            "GlobalSecondaryIndexes": [
                gsi("gsi", ("b", H), projection={**ALL, "NonKeyAttributes": ["x"]})
            ]
        },
        INVALID + "ProjectionType is ALL, but NonKeyAttributes is specified",
        id="ALL with non-key attributes",
    ),
    pytest.param(
        {
            "LocalSecondaryIndexes": [
                lsi(
                    "lsi",
                    ("a", H),
                    ("b", R),
                    projection={"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["x"]},
                )
            ]
        },
        INVALID + "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified",
        id="KEYS_ONLY with non-key attributes",
    ),
    pytest.param(
        {
            "GlobalSecondaryIndexes": [
                gsi("gsi", ("b", H), projection={"ProjectionType": "INCLUDE"})
            ]
        },
        INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
        id="INCLUDE without non-key attributes",
    ),
    pytest.param(
        {
            "GlobalSecondaryIndexes": [
                gsi(
                    "gsi",
                    ("b", H),
                    projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", "y", "x"]},
                )
            ]
        },
        INVALID + "Duplicate element in NonKeyAttributes: x",
        id="non-key attribute twice",
    ),
    pytest.param(
        {"GlobalSecondaryIndexes": [gsi("gsi", ("b", H), projection={"ProjectionType": "SOME"})]},
        "1 validation error detected: Value 'SOME' at "
        "'globalSecondaryIndexes.1.member.projection.projectionType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]",
        id="projection type enum",
    ),
    # duplicate index names, across both kinds
    pytest.param(
        {"GlobalSecondaryIndexes": [gsi("dup", ("b", H)), gsi("dup", ("a", H))]},
        INVALID + "Duplicate index name: dup",
        id="two GSIs with one name",
    ),
    pytest.param(
        {
            "LocalSecondaryIndexes": [lsi("dup", ("a", H), ("b", R))],
            "GlobalSecondaryIndexes": [gsi("dup", ("b", H))],
        },
        INVALID + "Duplicate index name: dup",
        id="an LSI and a GSI with one name",
    ),
    # streams, table class, tags
    pytest.param(
        {"StreamSpecification": {"StreamEnabled": True}},
        INVALID + "Table is being created with a stream enabled, UpdateViewType is required",
        id="stream without view type",
    ),
    pytest.param(
        {"StreamSpecification": {"StreamEnabled": False, "StreamViewType": "NEW_IMAGE"}},
        INVALID + "Table is being created with a stream disabled, UpdateViewType should not be "
        "specified",
        id="disabled stream with view type",
    ),
    pytest.param(
        {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW"}},
        "1 validation error detected: Value 'NEW' at 'streamSpecification.streamViewType' failed "
        "to satisfy constraint: Member must satisfy enum value set: "
        "[OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]",
        id="stream view type enum",
    ),
    pytest.param(
        {"TableClass": "COLD"},
        "Invalid table-class parameter provided. Please try again with a valid table-class "
        "value: [STANDARD, STANDARD_INFREQUENT_ACCESS].",
        id="table class",
    ),
    pytest.param(
        {"Tags": [{"Key": f"k{n}", "Value": "v"} for n in range(51)]},
        "Number of Tags exceed the current limit for the provided ResourceArn",
        id="51 tags",
    ),
]


@pytest.mark.parametrize("overrides, message", CREATE_ERRORS)
def test_create_table_validation(ddb, overrides, message):
    assert fails(ddb.create_table, **request(**overrides)) == ("ValidationException", message)
    assert ddb.list_tables()["TableNames"] == []  # a rejected request creates nothing


def test_create_table_key_schema_has_at_most_two_elements(ddb):
    code, message = fails(
        ddb.create_table,
        **request(
            AttributeDefinitions=attrs("a", "b", "c"),
            KeySchema=schema(("a", H), ("b", R), ("c", R)),
        ),
    )
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value '[")
    assert message.endswith(
        "]' at 'keySchema' failed to satisfy constraint: Member must have length less than or "
        "equal to 2"
    )


def test_create_table_accepts_the_name_limits(ddb):
    for name in ("a.b", "A-z_0.9", "x" * 255):
        ddb.create_table(**request(TableName=name))
    assert ddb.list_tables()["TableNames"] == sorted(["a.b", "A-z_0.9", "x" * 255])


def test_create_table_that_exists(ddb):
    create_things(ddb)
    assert fails(ddb.create_table, **request(TableName="things")) == (
        "ResourceInUseException",
        "Table already exists: things",
    )


def test_multi_attribute_gsi_keys_are_refused_loudly(ddb):
    with pytest.raises(UnsupportedOperation, match="multi-attribute GSI keys"):
        ddb.create_table(
            **request(
                AttributeDefinitions=attrs("a", "b", "c"),
                GlobalSecondaryIndexes=[gsi("gsi", ("b", H), ("c", H))],
            )
        )
    assert ddb.list_tables()["TableNames"] == []


def test_default_encryption_has_no_description_kms_has_one(ddb):
    # the rest of encryption at rest is in test_sse.py
    create_things(ddb, SSESpecification={"Enabled": False})
    assert "SSEDescription" not in describe(ddb)
    ddb.update_table(TableName="things", SSESpecification={"Enabled": True})
    assert describe(ddb)["SSEDescription"]["SSEType"] == "KMS"


# -- CreateTable / DescribeTable output -----------------------------------------------------


def test_create_table_reports_creating_and_describe_reports_active(ddb):
    created = ddb.create_table(
        **request(
            TableName="orders",
            AttributeDefinitions=attrs("b", "a", "c"),
            GlobalSecondaryIndexes=[gsi("by_c", ("c", H))],
        )
    )["TableDescription"]
    assert created["TableStatus"] == "CREATING"
    assert created["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    assert "Backfilling" not in created["GlobalSecondaryIndexes"][0]  # only for UpdateTable
    table = describe(ddb, "orders")
    assert table["TableStatus"] == "ACTIVE"
    assert table["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert table["TableId"] == created["TableId"]
    # DynamoDB returns the definitions sorted by name
    assert table["AttributeDefinitions"] == attrs("a", "b", "c")


def test_describe_table_reports_what_aws_reports(ddb):
    ddb.create_table(
        TableName="orders",
        AttributeDefinitions=attrs("pk", "sk", "when", "gk"),
        KeySchema=schema(("pk", H), ("sk", R)),
        LocalSecondaryIndexes=[lsi("by_when", ("pk", H), ("when", R))],
        GlobalSecondaryIndexes=[
            gsi(
                "by_gk",
                ("gk", H),
                projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["z", "data"]},
                throughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
            )
        ],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    created_at = now(ddb)
    put(ddb, "orders", pk="a", sk="1", data="xyz")  # 2+1 + 2+1 + 4+3 = 13 bytes
    # 2+1 + 2+1 + 2+1 + 4+1 + 5+3 = 22 bytes
    put(ddb, "orders", pk="a", sk="2", gk="g", when="w", other="ooo")
    table = describe(ddb, "orders")

    assert table["TableName"] == "orders"
    assert table["TableArn"] == f"{ARN}/orders"
    assert UUID.fullmatch(table["TableId"])
    assert table["CreationDateTime"] == created_at
    assert table["CreationDateTime"].tzinfo is not None
    assert table["ItemCount"] == 2
    assert table["TableSizeBytes"] == 13 + 22
    assert table["KeySchema"] == schema(("pk", H), ("sk", R))
    assert table["ProvisionedThroughput"] == {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 6,
    }
    assert "BillingModeSummary" not in table  # a table created PROVISIONED
    assert table["DeletionProtectionEnabled"] is False

    [local] = table["LocalSecondaryIndexes"]
    assert local == {
        "IndexName": "by_when",
        "KeySchema": schema(("pk", H), ("when", R)),
        "Projection": ALL,
        "IndexSizeBytes": 22,
        "ItemCount": 1,
        "IndexArn": f"{ARN}/orders/index/by_when",
    }
    [global_] = table["GlobalSecondaryIndexes"]
    assert global_ == {
        "IndexName": "by_gk",
        "KeySchema": schema(("gk", H)),
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["data", "z"]},
        "IndexStatus": "ACTIVE",
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 3,
            "WriteCapacityUnits": 4,
        },
        "IndexSizeBytes": 2 + 1 + 2 + 1 + 2 + 1,  # keys only: the item has no data or z
        "ItemCount": 1,
        "IndexArn": f"{ARN}/orders/index/by_gk",
    }

    label = created_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert table["LatestStreamLabel"] == label
    assert table["LatestStreamArn"] == f"{ARN}/orders/stream/{label}"


def test_describe_pay_per_request_table(ddb):
    create_things(
        ddb,
        AttributeDefinitions=attrs("pk", "gk"),
        GlobalSecondaryIndexes=[gsi("by_gk", ("gk", H), throughput=None)],
        DeletionProtectionEnabled=True,
        TableClass="STANDARD_INFREQUENT_ACCESS",
    )
    table = describe(ddb)
    zero = {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    assert table["BillingModeSummary"] == {
        "BillingMode": "PAY_PER_REQUEST",
        "LastUpdateToPayPerRequestDateTime": table["CreationDateTime"],
    }
    assert table["ProvisionedThroughput"] == zero
    assert table["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] == zero
    assert table["DeletionProtectionEnabled"] is True
    assert table["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert "StreamSpecification" not in table and "LatestStreamArn" not in table


def test_describe_accepts_a_table_arn(ddb):
    create_things(ddb)
    assert ddb.describe_table(TableName=f"{ARN}/things")["Table"]["TableName"] == "things"


# -- not found --------------------------------------------------------------------------------


def test_missing_table_in_the_control_plane(ddb):
    message = "Requested resource not found: Table: nope not found"
    assert fails(ddb.describe_table, TableName="nope") == ("ResourceNotFoundException", message)
    assert fails(ddb.delete_table, TableName="nope") == ("ResourceNotFoundException", message)
    assert fails(ddb.update_table, TableName="nope", BillingMode="PAY_PER_REQUEST") == (
        "ResourceNotFoundException",
        message,
    )


def test_missing_table_in_the_data_plane(ddb):
    expected = ("ResourceNotFoundException", "Requested resource not found")
    assert fails(ddb.put_item, TableName="nope", Item={"pk": {"S": "a"}}) == expected
    assert fails(ddb.get_item, TableName="nope", Key={"pk": {"S": "a"}}) == expected


def test_a_bad_name_is_a_validation_error_before_the_lookup(ddb):
    assert fails(ddb.describe_table, TableName="ab") == (
        "ValidationException",
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3",
    )


# -- ListTables -------------------------------------------------------------------------------


def test_list_tables_pages_in_name_order(ddb):
    names = ["delta", "alpha", "echo", "charlie", "bravo"]
    for name in names:
        create_things(ddb, TableName=name)
    first = ddb.list_tables(Limit=2)
    assert first["TableNames"] == ["alpha", "bravo"]
    assert first["LastEvaluatedTableName"] == "bravo"
    second = ddb.list_tables(Limit=2, ExclusiveStartTableName="bravo")
    assert second["TableNames"] == ["charlie", "delta"]
    last = ddb.list_tables(Limit=2, ExclusiveStartTableName=second["LastEvaluatedTableName"])
    assert last["TableNames"] == ["echo"]
    assert "LastEvaluatedTableName" not in last
    # a start name need not exist
    assert ddb.list_tables(ExclusiveStartTableName="cat")["TableNames"] == [
        "charlie",
        "delta",
        "echo",
    ]
    assert "LastEvaluatedTableName" not in ddb.list_tables(Limit=100)


def test_list_tables_paginator(ddb):
    names = [f"table-{n:03}" for n in range(7)]
    for name in names:
        create_things(ddb, TableName=name)
    pages = list(ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(page["TableNames"]) for page in pages] == [3, 3, 1]
    assert [n for page in pages for n in page["TableNames"]] == names


def test_list_tables_validation(ddb):
    assert fails(ddb.list_tables, Limit=101) == (
        "ValidationException",
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    )
    assert fails(ddb.list_tables, ExclusiveStartTableName="ab;") == (
        "ValidationException",
        "1 validation error detected: Value 'ab;' at 'exclusiveStartTableName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    )


# -- DeleteTable ------------------------------------------------------------------------------


def test_delete_table(ddb):
    create_things(ddb)
    put(ddb, pk="a")
    deleted = ddb.delete_table(TableName="things")["TableDescription"]
    assert deleted["TableStatus"] == "DELETING"
    assert deleted["ItemCount"] == 1
    assert fails(ddb.describe_table, TableName="things")[0] == "ResourceNotFoundException"
    assert ddb.list_tables()["TableNames"] == []
    create_things(ddb)  # the name is free again, and the new table is empty
    assert ddb.scan(TableName="things")["Items"] == []


def test_deletion_protection(ddb):
    create_things(ddb, DeletionProtectionEnabled=True)
    assert fails(ddb.delete_table, TableName="things") == (
        "ValidationException",
        "Resource cannot be deleted as it is currently protected against deletion. "
        "Disable deletion protection first.",
    )
    assert describe(ddb)["TableStatus"] == "ACTIVE"
    updated = ddb.update_table(TableName="things", DeletionProtectionEnabled=False)
    assert updated["TableDescription"]["TableStatus"] == "ACTIVE"  # synchronous
    assert updated["TableDescription"]["DeletionProtectionEnabled"] is False
    assert ddb.delete_table(TableName="things")["TableDescription"]["TableStatus"] == "DELETING"


# -- table_delay and the waiters --------------------------------------------------------------


def test_table_delay_keeps_a_table_creating(slow):
    clock = slow.cloud.clock
    create_things(slow)
    assert describe(slow)["TableStatus"] == "CREATING"
    assert fails(slow.put_item, TableName="things", Item={"pk": {"S": "a"}}) == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )
    assert fails(slow.delete_table, TableName="things") == (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table is being created: things",
    )
    assert fails(slow.update_table, TableName="things", DeletionProtectionEnabled=True) == (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table is being created: things",
    )
    clock.advance(29)
    assert describe(slow)["TableStatus"] == "CREATING"
    clock.advance(1)
    assert describe(slow)["TableStatus"] == "ACTIVE"
    put(slow, pk="a")
    assert slow.get_item(TableName="things", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


def test_update_while_creating_is_in_use(slow):
    create_things(slow)
    assert fails(
        slow.update_table, TableName="things", TableClass="STANDARD_INFREQUENT_ACCESS"
    ) == (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table is being created: things",
    )


def test_table_exists_waiter_advances_the_virtual_clock(slow):
    clock = slow.cloud.clock
    started, real_start = clock.time(), time.monotonic()
    create_things(slow)
    slow.get_waiter("table_exists").wait(TableName="things")
    assert describe(slow)["TableStatus"] == "ACTIVE"
    assert clock.time() - started >= 30
    assert time.monotonic() - real_start < 5  # the waiter never really slept 20 s


def test_table_not_exists_waiter(slow):
    create_things(slow)
    slow.cloud.clock.advance(30)
    slow.delete_table(TableName="things")
    assert describe(slow)["TableStatus"] == "DELETING"
    assert fails(slow.put_item, TableName="things", Item={"pk": {"S": "a"}}) == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )
    assert fails(slow.create_table, **request(TableName="things")) == (
        "ResourceInUseException",
        "Table already exists: things",
    )
    assert fails(slow.delete_table, TableName="things") == (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table is being deleted: things",
    )
    slow.get_waiter("table_not_exists").wait(TableName="things")
    assert slow.list_tables()["TableNames"] == []


@pytest.mark.fakeaws(region=REGION, dynamodb={"table_delay": 30})
def test_table_delay_through_the_cloud_fixture(cloud):
    ddb = boto3.client("dynamodb", region_name=REGION)
    create_things(ddb)
    assert describe(ddb)["TableStatus"] == "CREATING"
    cloud.clock.advance(30)
    assert describe(ddb)["TableStatus"] == "ACTIVE"


# -- UpdateTable: indexes -------------------------------------------------------------------


def add_gk_index(ddb, name="by_gk", throughput=None, **extra):
    create = {"IndexName": name, "KeySchema": schema(("gk", H)), "Projection": ALL}
    if throughput is not None:
        create["ProvisionedThroughput"] = throughput
    return ddb.update_table(
        TableName="things",
        AttributeDefinitions=attrs("gk"),
        GlobalSecondaryIndexUpdates=[{"Create": create}],
        **extra,
    )["TableDescription"]


def query_gk(ddb, value, index="by_gk"):
    return ddb.query(
        TableName="things",
        IndexName=index,
        KeyConditionExpression="gk = :g",
        ExpressionAttributeValues={":g": {"S": value}},
    )["Items"]


def test_create_gsi_backfills_existing_items(ddb):
    create_things(ddb)
    put(ddb, pk="1", gk="x", data="one")
    put(ddb, pk="2", gk="y")
    put(ddb, pk="3")  # no gk: not in the (sparse) index
    ddb.put_item(TableName="things", Item={"pk": {"S": "4"}, "gk": {"N": "5"}})  # wrong type
    updating = add_gk_index(ddb)
    assert updating["TableStatus"] == "UPDATING"
    [index] = updating["GlobalSecondaryIndexes"]
    assert (index["IndexStatus"], index["Backfilling"]) == ("CREATING", False)
    assert index["IndexArn"] == f"{ARN}/things/index/by_gk"

    table = describe(ddb)
    assert table["TableStatus"] == "ACTIVE"
    [index] = table["GlobalSecondaryIndexes"]
    assert index["IndexStatus"] == "ACTIVE" and "Backfilling" not in index
    assert index["ItemCount"] == 2
    assert table["AttributeDefinitions"] == attrs("gk", "pk")
    assert query_gk(ddb, "x") == [{"pk": {"S": "1"}, "gk": {"S": "x"}, "data": {"S": "one"}}]
    assert len(ddb.scan(TableName="things", IndexName="by_gk")["Items"]) == 2
    put(ddb, pk="5", gk="x")  # and it follows new writes
    assert len(query_gk(ddb, "x")) == 2


def test_create_gsi_phases_on_the_virtual_clock(slow):
    clock = slow.cloud.clock
    create_things(slow)
    clock.advance(30)
    put(slow, pk="1", gk="x")
    add_gk_index(slow)
    table = describe(slow)
    assert table["TableStatus"] == "UPDATING"  # resource allocation
    assert table["GlobalSecondaryIndexes"][0]["Backfilling"] is False
    clock.advance(30)
    table = describe(slow)
    assert table["TableStatus"] == "ACTIVE"  # the table is usable while the index backfills
    index = table["GlobalSecondaryIndexes"][0]
    assert (index["IndexStatus"], index["Backfilling"]) == ("CREATING", True)
    assert fails(
        slow.query,
        TableName="things",
        IndexName="by_gk",
        KeyConditionExpression="gk = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    ) == (
        "ValidationException",
        "Cannot read from backfilling global secondary index: by_gk",
    )
    assert fails(slow.delete_table, TableName="things") == (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Cannot delete table while indexes "
        "are being created, updated, or deleted.",
    )
    assert fails(
        slow.update_table,
        TableName="things",
        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "other"}}],
    ) == ("LimitExceededException", ONE_INDEX)
    clock.advance(30)
    assert describe(slow)["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert query_gk(slow, "x") == [{"pk": {"S": "1"}, "gk": {"S": "x"}}]


def test_delete_gsi(ddb):
    create_things(
        ddb,
        AttributeDefinitions=attrs("pk", "gk"),
        GlobalSecondaryIndexes=[gsi("by_gk", ("gk", H), throughput=None)],
    )
    put(ddb, pk="1", gk="x")
    deleting = ddb.update_table(
        TableName="things", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_gk"}}]
    )["TableDescription"]
    assert deleting["TableStatus"] == "UPDATING"
    assert deleting["GlobalSecondaryIndexes"][0]["IndexStatus"] == "DELETING"
    table = describe(ddb)
    assert table["TableStatus"] == "ACTIVE"
    assert "GlobalSecondaryIndexes" not in table
    assert table["AttributeDefinitions"] == attrs("pk")  # DynamoDB forgets the unused definition
    assert fails(
        ddb.query,
        TableName="things",
        IndexName="by_gk",
        KeyConditionExpression="gk = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    ) == (
        "ValidationException",
        "The table does not have the specified index: by_gk",
    )
    ddb.put_item(TableName="things", Item={"pk": {"S": "2"}, "gk": {"N": "1"}})  # any type now


ONE_INDEX = (
    "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
    "per table"
)


def test_only_one_index_created_or_deleted_per_update(ddb):
    create_things(
        ddb,
        AttributeDefinitions=attrs("pk", "a", "b"),
        GlobalSecondaryIndexes=[
            gsi("by_a", ("a", H), throughput=None),
            gsi("by_b", ("b", H), throughput=None),
        ],
    )
    two_creates = [
        {"Create": {"IndexName": f"by_{n}", "KeySchema": schema((n, H)), "Projection": ALL}}
        for n in ("c", "d")
    ]
    deletes = [{"Delete": {"IndexName": "by_a"}}, {"Delete": {"IndexName": "by_b"}}]
    for updates in (two_creates, deletes, [two_creates[0], deletes[0]]):
        assert fails(
            ddb.update_table,
            TableName="things",
            AttributeDefinitions=attrs("c", "d"),
            GlobalSecondaryIndexUpdates=updates,
        ) == ("LimitExceededException", ONE_INDEX)
    assert [i["IndexName"] for i in describe(ddb)["GlobalSecondaryIndexes"]] == ["by_a", "by_b"]


def test_21st_gsi_through_update_table_is_a_limit(ddb):
    names = [f"a{n}" for n in range(20)]
    create_things(
        ddb,
        AttributeDefinitions=attrs("pk", *names),
        GlobalSecondaryIndexes=[gsi(f"by_{n}", (n, H), throughput=None) for n in names],
    )
    assert fails(add_gk_index, ddb) == (
        "LimitExceededException",
        "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit "
        "of 20",
    )


def test_index_update_errors(ddb):
    ddb.create_table(
        TableName="things",
        AttributeDefinitions=attrs("pk", "sk", "gk", "lk"),
        KeySchema=schema(("pk", H), ("sk", R)),
        LocalSecondaryIndexes=[lsi("by_lk", ("pk", H), ("lk", R))],
        GlobalSecondaryIndexes=[
            gsi("by_gk", ("gk", H), throughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2})
        ],
        ProvisionedThroughput=PT,
    )

    def update(*updates, **extra):
        return fails(
            ddb.update_table, TableName="things", GlobalSecondaryIndexUpdates=list(updates), **extra
        )

    create = {"IndexName": "new", "KeySchema": schema(("nk", H)), "Projection": ALL}
    assert update({"Delete": {"IndexName": "nope"}}) == (
        "ResourceNotFoundException",
        "Requested resource not found: Index nope for table things",
    )
    assert update({"Update": {"IndexName": "nope", "ProvisionedThroughput": PT}}) == (
        "ResourceNotFoundException",
        "Requested resource not found: Index nope for table things",
    )
    assert update({"Delete": {"IndexName": "by_lk"}}) == (
        "ValidationException",
        "Cannot delete an index that is not a GlobalSecondaryIndex: by_lk",
    )
    assert update({"Create": create}) == (
        "ValidationException",
        INVALID + "AttributeDefinitions is not specified for index: new",
    )
    assert update({"Create": create}, AttributeDefinitions=attrs("other")) == (
        "ValidationException",
        INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
        "Keys: [nk], AttributeDefinitions: [other]",
    )
    assert update({"Create": create}, AttributeDefinitions=attrs("nk")) == (
        "ValidationException",
        INVALID + "Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: new",
    )
    assert update(
        {"Create": {**create, "IndexName": "by_lk", "ProvisionedThroughput": PT}},
        AttributeDefinitions=attrs("nk"),
    ) == ("ValidationException", "Attempting to create an index which already exists")
    assert update(
        {
            "Create": {
                **create,
                "Projection": {"ProjectionType": "INCLUDE"},
                "ProvisionedThroughput": PT,
            }
        },
        AttributeDefinitions=attrs("nk"),
    ) == (
        "ValidationException",
        INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
    )
    same = {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}
    assert update({"Update": {"IndexName": "by_gk", "ProvisionedThroughput": same}}) == (
        "ValidationException",
        "The provisioned throughput for the index by_gk will not change. The requested value "
        "equals the current value. Current ReadCapacityUnits provisioned for index by_gk: 2. "
        "Requested ReadCapacityUnits: 2. Current WriteCapacityUnits provisioned for index by_gk: "
        "2. Requested WriteCapacityUnits: 2. Refer to the Amazon DynamoDB Developer Guide for "
        "current limits and how to request higher limits.",
    )
    # nothing was changed by any of these
    table = describe(ddb, "things")
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by_gk"]
    assert table["AttributeDefinitions"] == attrs("gk", "lk", "pk", "sk")


def test_index_update_request_errors_come_before_the_lookup(ddb):
    def update(*updates):
        return fails(ddb.update_table, TableName="nope", GlobalSecondaryIndexUpdates=list(updates))

    assert update({}) == (
        "ValidationException",
        INVALID + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
        "GlobalSecondaryIndexUpdate.Delete must not be null",
    )
    assert update(
        {
            "Delete": {"IndexName": "abc"},
            "Update": {"IndexName": "abc", "ProvisionedThroughput": PT},
        }
    ) == (
        "ValidationException",
        INVALID + "Only one global secondary index action is allowed per "
        "GlobalSecondaryIndexUpdate object",
    )
    assert update({"Delete": {"IndexName": "abc"}}, {"Delete": {"IndexName": "abc"}}) == (
        "ValidationException",
        INVALID + "Only one global secondary index update per index is allowed simultaneously. "
        "Index: abc",
    )
    assert update({"Delete": {"IndexName": "ab;"}}) == (
        "ValidationException",
        "1 validation error detected: Value 'ab;' at "
        "'globalSecondaryIndexUpdates.1.member.delete.indexName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    )


def test_pay_per_request_index_rules(ddb):
    create_things(
        ddb,
        AttributeDefinitions=attrs("pk", "gk"),
        GlobalSecondaryIndexes=[gsi("by_gk", ("gk", H), throughput=None)],
    )
    assert fails(add_gk_index, ddb, name="by_gk2", throughput=PT) == (
        "ValidationException",
        INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: "
        "by_gk2 when BillingMode is PAY_PER_REQUEST",
    )
    assert fails(
        ddb.update_table,
        TableName="things",
        GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "by_gk", "ProvisionedThroughput": PT}}
        ],
    ) == (
        "ValidationException",
        INVALID + "The only Updates for index: by_gk when TableThroughputMode is PAY_PER_REQUEST "
        "can be to OnDemandThroughput, WarmThroughput",
    )


# -- UpdateTable: billing and throughput ------------------------------------------------------


def test_switch_billing_mode_both_ways(ddb):
    ddb.create_table(
        TableName="things",
        AttributeDefinitions=attrs("pk", "gk"),
        KeySchema=schema(("pk", H)),
        GlobalSecondaryIndexes=[gsi("by_gk", ("gk", H))],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    zero = {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    switched_at = now(ddb)
    on_demand = ddb.update_table(TableName="things", BillingMode="PAY_PER_REQUEST")
    table = on_demand["TableDescription"]
    assert table["TableStatus"] == "UPDATING"
    assert table["BillingModeSummary"] == {
        "BillingMode": "PAY_PER_REQUEST",
        "LastUpdateToPayPerRequestDateTime": switched_at,
    }
    assert table["ProvisionedThroughput"] == zero
    assert table["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] == zero
    assert describe(ddb)["TableStatus"] == "ACTIVE"

    assert fails(ddb.update_table, TableName="things", ProvisionedThroughput=PT) == (
        "ValidationException",
        INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
        "BillingMode is PAY_PER_REQUEST",
    )
    assert fails(ddb.update_table, TableName="things", BillingMode="PROVISIONED") == (
        "ValidationException",
        INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
    )
    back = {"ReadCapacityUnits": 7, "WriteCapacityUnits": 8}
    assert fails(
        ddb.update_table, TableName="things", BillingMode="PROVISIONED", ProvisionedThroughput=back
    ) == (
        "ValidationException",
        INVALID + "ProvisionedThroughput must be specified for index: by_gk",
    )
    provisioned = ddb.update_table(
        TableName="things",
        BillingMode="PROVISIONED",
        ProvisionedThroughput=back,
        GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "by_gk", "ProvisionedThroughput": PT}}
        ],
    )["TableDescription"]
    assert provisioned["TableStatus"] == "UPDATING"
    assert provisioned["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert provisioned["ProvisionedThroughput"] == {**back, "NumberOfDecreasesToday": 0}
    index = provisioned["GlobalSecondaryIndexes"][0]
    assert index["ProvisionedThroughput"] == {**PT, "NumberOfDecreasesToday": 0}
    table = describe(ddb)
    assert table["TableStatus"] == "ACTIVE"
    assert table["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"


def test_change_throughput(ddb):
    clock = ddb.cloud.clock
    create_things(
        ddb,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    clock.advance(60)
    increased_at = now(ddb)
    up = ddb.update_table(
        TableName="things", ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}
    )["TableDescription"]
    # while UPDATING, DynamoDB shows the old capacity with the time of the change
    assert up["TableStatus"] == "UPDATING"
    assert up["ProvisionedThroughput"] == {
        "LastIncreaseDateTime": increased_at,
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 5,
    }
    table = describe(ddb)
    assert table["TableStatus"] == "ACTIVE"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 10

    clock.advance(60)
    decreased_at = now(ddb)
    down = ddb.update_table(
        TableName="things", ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 2}
    )["TableDescription"]
    assert down["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    assert down["ProvisionedThroughput"]["LastDecreaseDateTime"] == decreased_at
    assert down["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 0
    assert describe(ddb)["ProvisionedThroughput"] == {
        "LastIncreaseDateTime": increased_at,
        "LastDecreaseDateTime": decreased_at,
        "NumberOfDecreasesToday": 1,
        "ReadCapacityUnits": 10,
        "WriteCapacityUnits": 2,
    }

    same = {"ReadCapacityUnits": 10, "WriteCapacityUnits": 2}
    message = (
        "The provisioned throughput for the table will not change. The requested value equals "
        "the current value. Current ReadCapacityUnits provisioned for the table: 10. Requested "
        "ReadCapacityUnits: 10. Current WriteCapacityUnits provisioned for the table: 2. "
        "Requested WriteCapacityUnits: 2. Refer to the Amazon DynamoDB Developer Guide for "
        "current limits and how to request higher limits."
    )
    assert fails(ddb.update_table, TableName="things", ProvisionedThroughput=same) == (
        "ValidationException",
        message,
    )
    assert fails(
        ddb.update_table, TableName="things", BillingMode="PROVISIONED", ProvisionedThroughput=same
    ) == ("ValidationException", message)


def test_change_gsi_throughput(ddb):
    ddb.create_table(
        TableName="things",
        AttributeDefinitions=attrs("pk", "gk"),
        KeySchema=schema(("pk", H)),
        GlobalSecondaryIndexes=[gsi("by_gk", ("gk", H))],
        ProvisionedThroughput=PT,
    )
    response = ddb.update_table(
        TableName="things",
        GlobalSecondaryIndexUpdates=[
            {
                "Update": {
                    "IndexName": "by_gk",
                    "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 1},
                }
            }
        ],
    )["TableDescription"]
    assert response["TableStatus"] == "ACTIVE"  # only the index is UPDATING
    index = response["GlobalSecondaryIndexes"][0]
    assert index["IndexStatus"] == "UPDATING"
    assert index["ProvisionedThroughput"]["ReadCapacityUnits"] == 1  # the old value, meanwhile
    index = describe(ddb)["GlobalSecondaryIndexes"][0]
    assert index["IndexStatus"] == "ACTIVE"
    assert index["ProvisionedThroughput"]["ReadCapacityUnits"] == 4
    assert index["ProvisionedThroughput"]["LastIncreaseDateTime"] == now(ddb)


# -- UpdateTable: request rules ----------------------------------------------------------------

AT_LEAST_ONE = (
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required"
)


def test_update_table_needs_a_change(ddb):
    create_things(ddb)
    for extra in ({}, {"AttributeDefinitions": attrs("pk")}, {"GlobalSecondaryIndexUpdates": []}):
        assert fails(ddb.update_table, TableName="things", **extra) == (
            "ValidationException",
            AT_LEAST_ONE,
        )
    # checked before the table is looked up
    assert fails(ddb.update_table, TableName="nope") == ("ValidationException", AT_LEAST_ONE)
    assert fails(
        ddb.update_table,
        TableName="things",
        GlobalSecondaryIndexUpdates=[],
        BillingMode="PAY_PER_REQUEST",
    ) == ("ValidationException", INVALID + "List of GlobalSecondaryIndexUpdates is empty")


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"DeletionProtectionEnabled": True, "BillingMode": "PAY_PER_REQUEST"},
            "DeletionProtection modification must be the only operation in the request",
        ),
        (
            {"DeletionProtectionEnabled": True, "TableClass": "STANDARD_INFREQUENT_ACCESS"},
            "TableClass modification must be the only operation in the request",
        ),
        (
            {
                "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
            },
            "You cannot modify stream status while updating table IOPS",
        ),
        (
            {
                "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
                "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_gk"}}],
            },
            "You cannot create or delete index while updating table IOPS",
        ),
        (
            {
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
                "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_gk"}}],
            },
            "You cannot create or delete index while changing stream status",
        ),
    ],
    ids=["protection", "table class", "stream and iops", "index and iops", "index and stream"],
)
def test_update_table_makes_one_kind_of_change_at_a_time(ddb, params, message):
    ddb.create_table(
        TableName="things",
        AttributeDefinitions=attrs("pk", "gk"),
        KeySchema=schema(("pk", H)),
        GlobalSecondaryIndexes=[gsi("by_gk", ("gk", H))],
        ProvisionedThroughput=PT,
    )
    assert fails(ddb.update_table, TableName="things", **params) == (
        "ValidationException",
        INVALID + message,
    )
    table = describe(ddb)
    assert (table["TableStatus"], table["DeletionProtectionEnabled"]) == ("ACTIVE", False)
    assert "GlobalSecondaryIndexes" in table and "StreamSpecification" not in table


def test_a_rejected_update_changes_nothing(ddb):
    ddb.create_table(
        **request(TableName="things", KeySchema=schema(("a", H)), AttributeDefinitions=attrs("a"))
    )
    assert (
        fails(
            ddb.update_table,
            TableName="things",
            ProvisionedThroughput={"ReadCapacityUnits": 9, "WriteCapacityUnits": 9},
            GlobalSecondaryIndexUpdates=[
                {"Update": {"IndexName": "ghost", "ProvisionedThroughput": PT}}
            ],
        )[0]
        == "ResourceNotFoundException"
    )
    table = describe(ddb)
    assert table["TableStatus"] == "ACTIVE"
    assert table["ProvisionedThroughput"] == {**PT, "NumberOfDecreasesToday": 0}


def test_streams(ddb):
    create_things(ddb)
    enabled_at = now(ddb)
    label = enabled_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    enable = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    updating = ddb.update_table(TableName="things", StreamSpecification=enable)
    assert updating["TableDescription"]["TableStatus"] == "UPDATING"
    table = describe(ddb)
    assert table["StreamSpecification"] == enable
    assert table["LatestStreamArn"] == f"{ARN}/things/stream/{label}"
    assert fails(ddb.update_table, TableName="things", StreamSpecification=enable) == (
        "ValidationException",
        "Table already has an enabled stream: TableName: things",
    )
    assert fails(
        ddb.update_table,
        TableName="things",
        StreamSpecification={"StreamEnabled": False, "StreamViewType": "NEW_IMAGE"},
    ) == (
        "ValidationException",
        INVALID + "If stream is being disabled, then UpdateViewType must not be specified",
    )
    ddb.cloud.clock.advance(1)
    ddb.update_table(TableName="things", StreamSpecification={"StreamEnabled": False})
    table = describe(ddb)
    assert "StreamSpecification" not in table
    assert table["LatestStreamLabel"] == label  # the last stream is still named
    assert fails(
        ddb.update_table, TableName="things", StreamSpecification={"StreamEnabled": False}
    ) == ("ValidationException", "Table has no stream to disable: TableName: things")
    assert fails(
        ddb.update_table, TableName="things", StreamSpecification={"StreamEnabled": True}
    ) == (
        "ValidationException",
        INVALID + "If stream is being enabled then UpdateViewType is required",
    )
    ddb.update_table(TableName="things", StreamSpecification=enable)
    assert describe(ddb)["LatestStreamLabel"] != label  # every enable makes a new stream


def test_table_class(ddb):
    create_things(ddb)
    response = ddb.update_table(TableName="things", TableClass="STANDARD_INFREQUENT_ACCESS")
    assert response["TableDescription"]["TableStatus"] == "UPDATING"
    assert "TableClassSummary" not in response["TableDescription"]  # changes once ACTIVE
    assert describe(ddb)["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}


def test_unmodelled_update_settings_are_refused_loudly(ddb):
    create_things(ddb)
    with pytest.raises(UnsupportedOperation, match="OnDemandThroughput"):
        ddb.update_table(TableName="things", OnDemandThroughput={"MaxReadRequestUnits": 10})


# -- tags ---------------------------------------------------------------------------------------


def test_tags(ddb):
    create_things(ddb, Tags=[{"Key": "team", "Value": "a"}])
    arn = f"{ARN}/things"
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    ddb.tag_resource(
        ResourceArn=arn, Tags=[{"Key": "team", "Value": "b"}, {"Key": "env", "Value": "test"}]
    )
    tags = ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted(tags, key=lambda t: t["Key"]) == [
        {"Key": "env", "Value": "test"},
        {"Key": "team", "Value": "b"},
    ]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["team", "never-set"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "test"}]


def test_tag_errors(ddb):
    create_things(ddb)
    arn, missing = f"{ARN}/things", f"{ARN}/missing"
    one = [{"Key": "k", "Value": "v"}]
    assert fails(ddb.tag_resource, ResourceArn=missing, Tags=one) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourcArn: {missing} not found",
    )
    assert fails(ddb.list_tags_of_resource, ResourceArn=missing) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourcArn: {missing} not found",
    )
    assert fails(ddb.untag_resource, ResourceArn=missing, TagKeys=["k"])[0] == (
        "ResourceNotFoundException"
    )
    assert fails(ddb.tag_resource, ResourceArn="things", Tags=one) == (
        "ValidationException",
        INVALID + "ARNs must start with 'arn:': things",
    )
    assert fails(ddb.tag_resource, ResourceArn=f"{arn}/index/by_gk", Tags=one) == (
        "ValidationException",
        INVALID + "Invalid resource arn provided, only table or stream is accepted. Provided "
        f"resource arn: {arn}/index/by_gk",
    )
    assert fails(ddb.tag_resource, ResourceArn=missing, Tags=[]) == (
        "ValidationException",
        "Atleast one Tag needs to be provided as Input.",
    )
    assert fails(ddb.untag_resource, ResourceArn=arn, TagKeys=[]) == (
        "ValidationException",
        "Atleast one Tag Key needs to be provided as Input.",
    )
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(50)])
    assert fails(ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": "k50", "Value": "v"}]) == (
        "ValidationException",
        "Number of Tags exceed the current limit for the provided ResourceArn",
    )
    assert len(ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]) == 50


def test_creation_time_is_the_virtual_clock(ddb):
    ddb.cloud.clock.advance_to(datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc))
    create_things(ddb)
    assert describe(ddb)["CreationDateTime"] == datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
