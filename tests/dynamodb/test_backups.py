"""On-demand backups and restores through real boto3 clients.

Expected behaviour and messages are DynamoDB's as the ack-api-quirks lab recorded
them live (backup.md, DDB-BACKUP-001..027; the message catalogue DDB-TABLE-442;
DDB-TABLE-100 for TableAlreadyExistsException): see
fakeaws/services/dynamodb/backups.py.
"""

from __future__ import annotations

import re
from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

REGION = "eu-west-1"
ACCOUNT = "123456789012"
BACKUP_ARN = re.compile(
    rf"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/(?P<table>[\w.-]+)/backup/\d{{14}}-[0-9a-f]{{8}}"
)
PT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
ALL = {"ProjectionType": "ALL"}


@pytest.fixture
def ddb():
    with mock_serverless(region=REGION, clock="frozen") as cloud:
        client = boto3.client("dynamodb")
        client.cloud = cloud
        yield client


@pytest.fixture
def slow():
    """Backups stay CREATING and restores CREATING for 60 virtual seconds."""
    settings = {"backup_delay": 60, "restore_delay": 60}
    with mock_serverless(region=REGION, clock="frozen", dynamodb=settings) as cloud:
        client = boto3.client("dynamodb")
        client.cloud = cloud
        yield client


def error(excinfo) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def create_orders(client, name="orders", **extra):
    """A PROVISIONED table with a GSI and an LSI."""
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "total", "AttributeType": "N"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": ALL,
                "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by_total",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "total", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        BillingMode="PROVISIONED",
        ProvisionedThroughput=PT,
        **extra,
    )


def create_plain(client, name="plain"):
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )


def put(client, table, pk, sk, status, total, **more):
    item = {"pk": {"S": pk}, "sk": {"N": str(sk)}, "status": {"S": status}}
    item["total"] = {"N": str(total)}
    item.update(more)
    client.put_item(TableName=table, Item=item)


def items(client, table):
    found = client.scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted((i["pk"]["S"], int(i["sk"]["N"]), i["status"]["S"]) for i in found)


def backup(client, table="orders", name="nightly"):
    return client.create_backup(TableName=table, BackupName=name)["BackupDetails"]


# -- CreateBackup / DescribeBackup --------------------------------------------------------------


def test_create_answers_creating_and_the_backup_is_available_at_once(ddb):
    create_orders(ddb)
    put(ddb, "orders", "a", 1, "new", 10)
    details = backup(ddb)
    assert set(details) == {
        "BackupArn",
        "BackupName",
        "BackupSizeBytes",
        "BackupStatus",
        "BackupType",
        "BackupCreationDateTime",
    }
    assert BACKUP_ARN.fullmatch(details["BackupArn"]).group("table") == "orders"
    assert (details["BackupName"], details["BackupStatus"], details["BackupType"]) == (
        "nightly",
        "CREATING",
        "USER",
    )
    assert details["BackupSizeBytes"] > 0
    now = ddb.cloud.clock.now()
    assert abs((details["BackupCreationDateTime"] - now).total_seconds()) < 0.001
    described = ddb.describe_backup(BackupArn=details["BackupArn"])["BackupDescription"]
    assert described["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert described["BackupDetails"]["BackupCreationDateTime"] == details["BackupCreationDateTime"]


def test_backup_delay_keeps_it_creating(slow):
    create_plain(slow)
    arn = backup(slow, "plain")["BackupArn"]
    status = slow.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
    assert status["BackupStatus"] == "CREATING"
    slow.cloud.clock.advance(60)
    status = slow.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
    assert status["BackupStatus"] == "AVAILABLE"


def test_describe_reports_the_source_table_and_its_features(ddb):
    create_orders(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    ddb.update_time_to_live(
        TableName="orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    put(ddb, "orders", "a", 1, "new", 10)
    table = ddb.describe_table(TableName="orders")["Table"]
    described = ddb.describe_backup(BackupArn=backup(ddb)["BackupArn"])["BackupDescription"]
    source = described["SourceTableDetails"]
    assert source["TableName"] == "orders"
    assert source["TableId"] == table["TableId"]
    assert source["TableArn"] == table["TableArn"]
    assert source["ItemCount"] == 1
    assert source["TableSizeBytes"] == table["TableSizeBytes"]
    assert source["ProvisionedThroughput"] == PT
    assert source["BillingMode"] == "PROVISIONED"
    assert source["TableCreationDateTime"] == table["CreationDateTime"]
    features = described["SourceTableFeatureDetails"]
    assert features["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "by_status",
            "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
            "Projection": ALL,
            "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        }
    ]
    assert [i["IndexName"] for i in features["LocalSecondaryIndexes"]] == ["by_total"]
    assert features["StreamDescription"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert features["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires",
    }
    assert "SSEDescription" not in features


def test_a_plain_table_has_empty_feature_details(ddb):
    create_plain(ddb)
    described = ddb.describe_backup(BackupArn=backup(ddb, "plain")["BackupArn"])
    assert described["BackupDescription"]["SourceTableFeatureDetails"] == {}
    assert described["BackupDescription"]["SourceTableDetails"]["ProvisionedThroughput"] == {
        "ReadCapacityUnits": 0,
        "WriteCapacityUnits": 0,
    }


def test_backup_names_are_not_unique(ddb):
    create_plain(ddb)
    arns = {backup(ddb, "plain", "same")["BackupArn"] for _ in range(3)}
    assert len(arns) == 3
    summaries = ddb.list_backups(TableName="plain")["BackupSummaries"]
    assert [s["BackupName"] for s in summaries] == ["same"] * 3


def test_create_backup_of_a_missing_or_creating_table(ddb):
    with pytest.raises(ClientError) as excinfo:
        backup(ddb, "ghost")
    assert error(excinfo) == ("TableNotFoundException", "Table not found: ghost")
    ddb.cloud.settings.dynamodb.table_delay = 10
    create_plain(ddb)
    with pytest.raises(ClientError) as excinfo:
        backup(ddb, "plain")
    assert error(excinfo) == ("TableNotFoundException", "Table not found: plain")
    ddb.cloud.clock.advance(10)
    assert backup(ddb, "plain")["BackupStatus"] == "CREATING"


def test_backups_are_being_enabled_right_after_a_table_turns_active():
    settings = {"table_delay": 5, "backups_enabling_delay": 6}
    with mock_serverless(region=REGION, clock="frozen", dynamodb=settings) as cloud:
        client = boto3.client("dynamodb")
        create_plain(client)
        cloud.clock.advance(5)  # ACTIVE
        for call in (
            lambda: backup(client, "plain"),
            lambda: client.update_continuous_backups(
                TableName="plain",
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            ),
        ):
            with pytest.raises(ClientError) as excinfo:
                call()
            assert error(excinfo) == (
                "ContinuousBackupsUnavailableException",
                "Backups are being enabled for the table: plain. Please retry later",
            )
        cloud.clock.advance(6)
        assert backup(client, "plain")["BackupStatus"] == "CREATING"


def test_unknown_and_malformed_backup_arns(ddb):
    create_plain(ddb)
    real = backup(ddb, "plain")["BackupArn"]
    missing = real[:-8] + "00000000"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_backup(BackupArn=missing)
    assert error(excinfo) == ("BackupNotFoundException", f"Backup not found: {missing}")
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/plain-and-a-long-name-for-min"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_backup(BackupArn=table_arn)
    assert error(excinfo) == ("ValidationException", "Invalid Backup ARN")
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_backup(BackupArn=real.replace(ACCOUNT, "210987654321"))
    assert error(excinfo) == ("AccessDeniedException", "Access is denied")
    # the region of the ARN is not looked at (DDB-BACKUP-012): the ARN is echoed back
    rewritten = real.replace(REGION, "us-east-1")
    described = ddb.describe_backup(BackupArn=rewritten)["BackupDescription"]
    assert described["BackupDetails"]["BackupArn"] == rewritten


# -- independence -----------------------------------------------------------------------------


def test_a_backup_is_independent_of_later_writes_and_of_the_table(ddb):
    create_orders(ddb)
    put(ddb, "orders", "a", 1, "new", 10, note={"M": {"tags": {"L": [{"S": "x"}]}}})
    put(ddb, "orders", "b", 1, "new", 20)
    arn = backup(ddb)["BackupArn"]
    ddb.update_item(
        TableName="orders",
        Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
        UpdateExpression="SET #s = :s, note.tags[0] = :t",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "paid"}, ":t": {"S": "changed"}},
    )
    ddb.delete_item(TableName="orders", Key={"pk": {"S": "b"}, "sk": {"N": "1"}})
    put(ddb, "orders", "c", 1, "new", 30)
    ddb.delete_table(TableName="orders")

    # the backup survives its table, and restores the items as they were
    assert ddb.list_backups(TableName="orders")["BackupSummaries"][0]["BackupArn"] == arn
    ddb.restore_table_from_backup(TargetTableName="orders-copy", BackupArn=arn)
    assert items(ddb, "orders-copy") == [("a", 1, "new"), ("b", 1, "new")]
    got = ddb.get_item(TableName="orders-copy", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert got["Item"]["note"] == {"M": {"tags": {"L": [{"S": "x"}]}}}
    # restoring twice gives two independent tables
    ddb.restore_table_from_backup(TargetTableName="orders-copy2", BackupArn=arn)
    put(ddb, "orders-copy", "a", 1, "edited", 10)
    assert items(ddb, "orders-copy2") == [("a", 1, "new"), ("b", 1, "new")]


def test_backups_span_same_name_recreations(ddb):
    create_plain(ddb)
    first = ddb.describe_table(TableName="plain")["Table"]["TableId"]
    backup(ddb, "plain", "one")
    ddb.delete_table(TableName="plain")
    create_plain(ddb)
    second = ddb.describe_table(TableName="plain")["Table"]["TableId"]
    backup(ddb, "plain", "two")
    summaries = ddb.list_backups(TableName="plain")["BackupSummaries"]
    assert [(s["BackupName"], s["TableId"]) for s in summaries] == [
        ("one", first),
        ("two", second),
    ]
    assert summaries[0]["TableArn"] == summaries[1]["TableArn"]


# -- RestoreTableFromBackup -------------------------------------------------------------------


def test_a_restore_is_creating_then_active_with_a_restore_summary(slow):
    create_orders(slow)
    put(slow, "orders", "a", 1, "new", 10)
    slow.cloud.clock.advance(60)
    details = backup(slow)
    slow.cloud.clock.advance(60)
    answer = slow.restore_table_from_backup(
        TargetTableName="restored", BackupArn=details["BackupArn"]
    )["TableDescription"]
    assert answer["TableStatus"] == "CREATING"
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
    assert answer["RestoreSummary"] == {
        "SourceBackupArn": details["BackupArn"],
        "SourceTableArn": table_arn,
        "RestoreDateTime": details["BackupCreationDateTime"],
        "RestoreInProgress": True,
    }
    with pytest.raises(ClientError) as excinfo:
        slow.get_item(TableName="restored", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert error(excinfo)[0] == "ResourceNotFoundException"
    slow.get_waiter("table_exists").wait(TableName="restored")
    table = slow.describe_table(TableName="restored")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["RestoreSummary"]["RestoreInProgress"] is False
    assert items(slow, "restored") == [("a", 1, "new")]


def test_a_restore_rebuilds_keys_indexes_throughput_and_nothing_more(ddb):
    create_orders(
        ddb,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        DeletionProtectionEnabled=True,
        TableClass="STANDARD_INFREQUENT_ACCESS",
        Tags=[{"Key": "team", "Value": "shop"}],
    )
    put(ddb, "orders", "a", 1, "new", 10)
    put(ddb, "orders", "a", 2, "paid", 5)
    arn = backup(ddb)["BackupArn"]
    ddb.restore_table_from_backup(TargetTableName="restored", BackupArn=arn)
    table = ddb.describe_table(TableName="restored")["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["by_status"]
    assert table["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert [i["IndexName"] for i in table["LocalSecondaryIndexes"]] == ["by_total"]
    for absent in ("StreamSpecification", "TableClassSummary", "LatestStreamArn"):
        assert absent not in table
    assert table["DeletionProtectionEnabled"] is False
    assert ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == []
    ttl = ddb.describe_time_to_live(TableName="restored")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "DISABLED"}
    by_status = ddb.query(
        TableName="restored",
        IndexName="by_status",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "paid"}},
    )["Items"]
    assert [i["sk"]["N"] for i in by_status] == ["2"]
    by_total = ddb.query(
        TableName="restored",
        IndexName="by_total",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )["Items"]
    assert [i["total"]["N"] for i in by_total] == ["5", "10"]


def test_restore_overrides(ddb):
    create_orders(ddb)
    put(ddb, "orders", "a", 1, "new", 10)
    arn = backup(ddb)["BackupArn"]
    ddb.restore_table_from_backup(
        TargetTableName="on-demand",
        BackupArn=arn,
        BillingModeOverride="PAY_PER_REQUEST",
        GlobalSecondaryIndexOverride=[],
        LocalSecondaryIndexOverride=[],
        SSESpecificationOverride={"Enabled": True},
    )
    table = ddb.describe_table(TableName="on-demand")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "GlobalSecondaryIndexes" not in table and "LocalSecondaryIndexes" not in table
    assert {a["AttributeName"] for a in table["AttributeDefinitions"]} == {"pk", "sk"}
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert items(ddb, "on-demand") == [("a", 1, "new")]

    ddb.restore_table_from_backup(
        TargetTableName="bigger",
        BackupArn=arn,
        ProvisionedThroughputOverride={"ReadCapacityUnits": 50, "WriteCapacityUnits": 40},
        GlobalSecondaryIndexOverride=[
            {
                "IndexName": "by_status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": ALL,
                "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 8},
            }
        ],
    )
    table = ddb.describe_table(TableName="bigger")["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 50
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 40
    assert table["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 7


def test_an_on_demand_backup_restored_as_provisioned(ddb):
    create_plain(ddb)
    arn = backup(ddb, "plain")["BackupArn"]
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_from_backup(
            TargetTableName="prov", BackupArn=arn, BillingModeOverride="PROVISIONED"
        )
    assert error(excinfo) == (
        "ValidationException",
        "Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to "
        "PROVISIONED",
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_from_backup(
            TargetTableName="prov", BackupArn=arn, ProvisionedThroughputOverride=PT
        )
    assert error(excinfo) == (
        "ValidationException",
        "Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED",
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_from_backup(
            TargetTableName="prov",
            BackupArn=arn,
            BillingModeOverride="PAY_PER_REQUEST",
            ProvisionedThroughputOverride=PT,
        )
    assert error(excinfo)[1] == (
        "Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to "
        "PAY_PER_REQUEST"
    )
    ddb.restore_table_from_backup(
        TargetTableName="prov",
        BackupArn=arn,
        BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride=PT,
    )
    table = ddb.describe_table(TableName="prov")["Table"]
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    assert "BillingModeSummary" not in table


def test_an_index_override_must_name_an_index_of_the_source(ddb):
    create_orders(ddb)
    arn = backup(ddb)["BackupArn"]
    new_index = {
        "IndexName": "by_total_gsi",
        "KeySchema": [{"AttributeName": "total", "KeyType": "HASH"}],
        "Projection": ALL,
        "ProvisionedThroughput": PT,
    }
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_from_backup(
            TargetTableName="restored", BackupArn=arn, GlobalSecondaryIndexOverride=[new_index]
        )
    assert error(excinfo) == (
        "ValidationException",
        "Invalid Request: Index by_total_gsi does not match a secondary index that existed in the "
        "source table and cannot be created during the restore operation",
    )
    assert "restored" not in ddb.list_tables()["TableNames"]


def test_restore_into_an_existing_table(ddb):
    create_plain(ddb)
    arn = backup(ddb, "plain")["BackupArn"]
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_from_backup(TargetTableName="plain", BackupArn=arn)
    assert error(excinfo) == ("TableAlreadyExistsException", "Table already exists: plain")


def test_a_backup_feeds_one_restore_at_a_time(slow):
    create_plain(slow)
    slow.cloud.clock.advance(60)
    arn = backup(slow, "plain")["BackupArn"]
    slow.cloud.clock.advance(60)
    slow.restore_table_from_backup(TargetTableName="one", BackupArn=arn)
    with pytest.raises(ClientError) as excinfo:
        slow.restore_table_from_backup(TargetTableName="two", BackupArn=arn)
    assert error(excinfo) == (
        "BackupInUseException",
        f"Backup is being used to restore another table: {arn}",
    )
    with pytest.raises(ClientError) as excinfo:
        slow.delete_backup(BackupArn=arn)
    assert error(excinfo) == (
        "BackupInUseException",
        f"Backup is being used to restore table: {arn}",
    )
    slow.cloud.clock.advance(60)
    slow.restore_table_from_backup(TargetTableName="two", BackupArn=arn)


# -- DeleteBackup / ListBackups ---------------------------------------------------------------


def test_delete_backup(ddb):
    create_plain(ddb)
    arn = backup(ddb, "plain")["BackupArn"]
    deleted = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    assert deleted["SourceTableDetails"]["TableName"] == "plain"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_backup(BackupArn=arn)
    assert error(excinfo)[0] == "BackupNotFoundException"
    assert ddb.list_backups()["BackupSummaries"] == []
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_backup(BackupArn=arn)
    assert error(excinfo)[0] == "BackupNotFoundException"


def test_list_backups_filters_and_pages(ddb):
    clock = ddb.cloud.clock
    create_plain(ddb, "alpha")
    create_plain(ddb, "beta")
    made = []
    for n in range(5):
        table = "alpha" if n % 2 == 0 else "beta"
        made.append((table, backup(ddb, table, f"b{n:02d}")))
        clock.advance(10)
    all_arns = [d["BackupArn"] for _, d in made]
    listed = ddb.list_backups()["BackupSummaries"]
    assert [s["BackupArn"] for s in listed] == all_arns  # by creation time
    assert listed[0]["TableName"] == "alpha" and listed[1]["TableName"] == "beta"
    alpha = ddb.list_backups(TableName="alpha")["BackupSummaries"]
    assert [s["BackupName"] for s in alpha] == ["b00", "b02", "b04"]
    arn_name = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/beta"
    assert len(ddb.list_backups(TableName=arn_name)["BackupSummaries"]) == 2
    assert ddb.list_backups(TableName="nothing")["BackupSummaries"] == []

    # the time range is [lower, upper)
    second = made[1][1]["BackupCreationDateTime"]
    fourth = made[3][1]["BackupCreationDateTime"]
    ranged = ddb.list_backups(TimeRangeLowerBound=second, TimeRangeUpperBound=fourth)
    assert [s["BackupName"] for s in ranged["BackupSummaries"]] == ["b01", "b02"]
    with pytest.raises(ClientError) as excinfo:
        ddb.list_backups(TimeRangeLowerBound=fourth, TimeRangeUpperBound=second)
    assert error(excinfo) == (
        "ValidationException",
        "One or more parameter values were invalid: Time range lower bound must be less than or "
        "equal to upper bound",
    )

    page = ddb.list_backups(Limit=2)
    assert [s["BackupName"] for s in page["BackupSummaries"]] == ["b00", "b01"]
    assert page["LastEvaluatedBackupArn"] == all_arns[1]
    page = ddb.list_backups(Limit=3, ExclusiveStartBackupArn=page["LastEvaluatedBackupArn"])
    assert [s["BackupName"] for s in page["BackupSummaries"]] == ["b02", "b03", "b04"]
    assert "LastEvaluatedBackupArn" not in page  # exactly Limit left: no cursor
    pages = ddb.get_paginator("list_backups").paginate(PaginationConfig={"PageSize": 2})
    assert [s["BackupName"] for p in pages for s in p["BackupSummaries"]] == [
        f"b{n:02d}" for n in range(5)
    ]
    with pytest.raises(ClientError) as excinfo:
        ddb.list_backups(Limit=101)
    assert error(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    )
    # a deleted backup's ARN is still a cursor
    ddb.delete_backup(BackupArn=all_arns[2])
    after = ddb.list_backups(ExclusiveStartBackupArn=all_arns[2])["BackupSummaries"]
    assert [s["BackupName"] for s in after] == ["b03", "b04"]


def test_list_backups_type_filter_hides_system_backups_by_default(ddb):
    create_plain(ddb)
    ddb.update_continuous_backups(
        TableName="plain", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    backup(ddb, "plain", "mine")
    ddb.delete_table(TableName="plain")
    assert [s["BackupType"] for s in ddb.list_backups()["BackupSummaries"]] == ["USER"]
    system = ddb.list_backups(BackupType="SYSTEM")["BackupSummaries"]
    assert [(s["BackupName"], s["BackupType"]) for s in system] == [
        ("plain$DeletedTableBackup", "SYSTEM")
    ]
    assert system[0]["BackupArn"].endswith("-00000000")
    expiry = system[0]["BackupExpiryDateTime"] - system[0]["BackupCreationDateTime"]
    assert abs(expiry - timedelta(days=35)) < timedelta(seconds=1)
    assert len(ddb.list_backups(BackupType="ALL")["BackupSummaries"]) == 2
    assert ddb.list_backups(BackupType="AWS_BACKUP")["BackupSummaries"] == []


def test_cloud_snapshots_keep_backups(ddb):
    create_plain(ddb)
    ddb.put_item(TableName="plain", Item={"pk": {"S": "kept"}})
    arn = backup(ddb, "plain")["BackupArn"]
    snap = ddb.cloud.snapshot()
    ddb.delete_backup(BackupArn=arn)
    ddb.cloud.restore(snap)
    ddb.restore_table_from_backup(TargetTableName="again", BackupArn=arn)
    assert ddb.scan(TableName="again")["Items"] == [{"pk": {"S": "kept"}}]
