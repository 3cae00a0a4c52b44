"""Point-in-time recovery through real boto3 clients, on the virtual clock.

Expected messages and check order are DynamoDB's as the ack-api-quirks lab
recorded them live (DDB-TABLE-100, DDB-TABLE-442, DDB-BACKUP-015): see
fakeaws/services/dynamodb/pitr.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

REGION = "eu-west-1"
ACCOUNT = "123456789012"
START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@pytest.fixture
def ddb():
    with mock_serverless(region=REGION, clock="frozen", start=START) as cloud:
        client = boto3.client("dynamodb")
        client.cloud = cloud
        yield client


def error(excinfo) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def create(client, name="ledger"):
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )


def enable(client, name="ledger", **spec):
    return client.update_continuous_backups(
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, **spec},
    )["ContinuousBackupsDescription"]


def put(client, pk, value, table="ledger"):
    client.put_item(TableName=table, Item={"pk": {"S": pk}, "v": {"N": str(value)}})


def state(client, table):
    found = client.scan(TableName=table, ConsistentRead=True)["Items"]
    return {i["pk"]["S"]: int(i["v"]["N"]) for i in found}


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def restore(client, target, when=None, **extra):
    if when is None:
        extra["UseLatestRestorableTime"] = True
    else:
        extra["RestoreDateTime"] = when
    return client.restore_table_to_point_in_time(
        SourceTableName=extra.pop("source", "ledger"), TargetTableName=target, **extra
    )["TableDescription"]


def test_continuous_backups_are_on_and_pitr_off_by_default(ddb):
    create(ddb)
    described = ddb.describe_continuous_backups(TableName="ledger")["ContinuousBackupsDescription"]
    assert described == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
    }
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_continuous_backups(TableName="ghost")
    assert error(excinfo) == ("TableNotFoundException", "Table not found: ghost")


def test_the_restorable_window(ddb):
    create(ddb)
    described = enable(ddb)["PointInTimeRecoveryDescription"]
    assert described == {
        "PointInTimeRecoveryStatus": "ENABLED",
        "RecoveryPeriodInDays": 35,
        "EarliestRestorableDateTime": START,
        "LatestRestorableDateTime": START,
    }
    ddb.cloud.clock.advance(3600)
    described = ddb.describe_continuous_backups(TableName="ledger")["ContinuousBackupsDescription"]
    pitr = described["PointInTimeRecoveryDescription"]
    assert pitr["EarliestRestorableDateTime"] == START
    assert pitr["LatestRestorableDateTime"] == at(3600 - 300)  # five minutes ago
    ddb.cloud.clock.advance(40 * 86400)
    pitr = ddb.describe_continuous_backups(TableName="ledger")["ContinuousBackupsDescription"]
    earliest = pitr["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"]
    assert earliest == at(3600 + 40 * 86400) - 35 * DAY


def test_restore_to_a_past_second(ddb):
    clock = ddb.cloud.clock
    create(ddb)
    put(ddb, "a", 1)  # before PITR: part of the starting state
    enable(ddb)
    clock.advance(100)
    put(ddb, "a", 2)
    put(ddb, "b", 1)
    clock.advance(100)  # t = 200
    ddb.update_item(
        TableName="ledger",
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET v = v + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    ddb.transact_write_items(
        TransactItems=[
            {"Delete": {"TableName": "ledger", "Key": {"pk": {"S": "b"}}}},
            {"Put": {"TableName": "ledger", "Item": {"pk": {"S": "c"}, "v": {"N": "7"}}}},
        ]
    )
    clock.advance(100)  # t = 300
    ddb.batch_write_item(RequestItems={"ledger": [{"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]})
    clock.advance(1000)  # t = 1300: everything up to t = 1000 is restorable

    expected = {
        50: {"a": 1},
        100: {"a": 2, "b": 1},
        199: {"a": 2, "b": 1},
        200: {"a": 3, "c": 7},
        299: {"a": 3, "c": 7},
        300: {"c": 7},
    }
    for second, items in expected.items():
        target = f"at-{second}"
        restore(ddb, target, at(second))
        assert state(ddb, target) == items, second
    # the source is untouched
    assert state(ddb, "ledger") == {"c": 7}


def test_a_restore_is_a_new_table_with_a_restore_summary(ddb):
    create(ddb)
    enable(ddb)
    put(ddb, "a", 1)
    ddb.cloud.clock.advance(600)
    answer = restore(ddb, "copy")
    assert answer["TableStatus"] == "CREATING"
    assert answer["RestoreSummary"] == {
        "SourceTableArn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/ledger",
        "RestoreDateTime": at(300),
        "RestoreInProgress": True,
    }
    table = ddb.describe_table(TableName="copy")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["RestoreSummary"]["RestoreInProgress"] is False
    assert state(ddb, "copy") == {"a": 1}
    # the restored table has no PITR of its own
    pitr = ddb.describe_continuous_backups(TableName="copy")["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"


def test_a_restore_takes_the_current_settings_of_the_source(ddb):
    create(ddb)
    enable(ddb)
    put(ddb, "a", 1)
    ddb.cloud.clock.advance(600)
    ddb.update_table(
        TableName="ledger",
        AttributeDefinitions=[{"AttributeName": "v", "AttributeType": "N"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by_v",
                    "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )
    ddb.cloud.clock.advance(1)
    restore(ddb, "copy", at(10))
    table = ddb.describe_table(TableName="copy")["Table"]
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["by_v"]
    found = ddb.query(
        TableName="copy",
        IndexName="by_v",
        KeyConditionExpression="v = :v",
        ExpressionAttributeValues={":v": {"N": "1"}},
    )["Items"]
    assert [i["pk"]["S"] for i in found] == ["a"]


def test_restore_overrides_apply(ddb):
    create(ddb)
    enable(ddb)
    ddb.cloud.clock.advance(600)
    restore(
        ddb,
        "prov",
        BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
        SSESpecificationOverride={"Enabled": True},
    )
    table = ddb.describe_table(TableName="prov")["Table"]
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert table["SSEDescription"]["Status"] == "ENABLED"


def test_errors_come_in_dynamodbs_order(ddb):
    create(ddb)
    create(ddb, "other")
    both = ("ValidationException",)
    with pytest.raises(ClientError) as excinfo:  # the time flags are checked first
        ddb.restore_table_to_point_in_time(SourceTableName="ghost", TargetTableName="other")
    assert error(excinfo) == (
        *both,
        "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be "
        "specified, but not both",
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_to_point_in_time(
            SourceTableName="ledger",
            TargetTableName="copy",
            RestoreDateTime=START,
            UseLatestRestorableTime=True,
        )
    assert error(excinfo) == (
        *both,
        "Invalid Request: Both RestoreDateTime and UseLatestRestorableTime cannot be set for "
        "point-in-time restore request. Please specify either RestoreDateTime time or "
        "UseLatestRestorableTime",
    )
    with pytest.raises(ClientError) as excinfo:  # a missing source before an existing target
        restore(ddb, "other", source="ghost")
    assert error(excinfo) == ("TableNotFoundException", "Table not found: ghost")
    with pytest.raises(ClientError) as excinfo:  # PITR off before the time and the target
        restore(ddb, "other", at(-86400))
    assert error(excinfo) == (
        "PointInTimeRecoveryUnavailableException",
        "Point in time recovery is not enabled for table 'ledger'",
    )
    enable(ddb)
    ddb.cloud.clock.advance(3600)
    with pytest.raises(ClientError) as excinfo:  # the time before the target
        restore(ddb, "other", at(-86400))
    assert error(excinfo) == (
        "InvalidRestoreTimeException",
        "RestoreDateTime '2026-02-28T12:00:00Z' must be within EarliestRestorableDateTime "
        "'2026-03-01T12:00:00Z' and LatestRestorableDateTime '2026-03-01T12:55:00Z'",
    )
    with pytest.raises(ClientError) as excinfo:  # too recent: within the last five minutes
        restore(ddb, "copy", at(3600 - 60))
    assert error(excinfo)[0] == "InvalidRestoreTimeException"
    with pytest.raises(ClientError) as excinfo:
        restore(ddb, "other", at(60))
    assert error(excinfo) == ("TableAlreadyExistsException", "Table already exists: other")
    with pytest.raises(ClientError) as excinfo:
        restore(ddb, "ledger", at(60))
    assert error(excinfo) == ("TableAlreadyExistsException", "Table already exists: ledger")
    # by ARN
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/ledger"
    ddb.restore_table_to_point_in_time(
        SourceTableArn=arn, TargetTableName="by-arn", UseLatestRestorableTime=True
    )
    assert ddb.describe_table(TableName="by-arn")["Table"]["TableStatus"] == "ACTIVE"


def test_update_continuous_backups_validation(ddb):
    create(ddb)
    with pytest.raises(ClientError) as excinfo:
        enable(ddb, RecoveryPeriodInDays=36)
    assert error(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '36' at "
        "'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: "
        "Member must have value less than or equal to 35",
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.update_continuous_backups(
            TableName="ledger",
            PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": False,
                "RecoveryPeriodInDays": 7,
            },
        )
    assert error(excinfo) == (
        "ValidationException",
        "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time "
        "recovery.",
    )
    with pytest.raises(ClientError) as excinfo:
        enable(ddb, "ghost")
    assert error(excinfo) == ("TableNotFoundException", "Table not found: ghost")


def test_history_beyond_the_recovery_period_is_folded_away(ddb):
    clock = ddb.cloud.clock
    create(ddb)
    assert (
        enable(ddb, RecoveryPeriodInDays=1)["PointInTimeRecoveryDescription"][
            "RecoveryPeriodInDays"
        ]
        == 1
    )
    put(ddb, "a", 1)
    clock.advance(3600)
    put(ddb, "a", 2)  # t = 1 h
    clock.advance(2 * 86400)  # t = 49 h: the window is [25 h, 48 h 55 min]
    put(ddb, "a", 3)
    clock.advance(600)
    history = ddb.cloud.backend("dynamodb").tables["ledger"].pitr
    assert len(history.log) == 1  # the two early changes were folded into the base
    with pytest.raises(ClientError) as excinfo:
        restore(ddb, "early", at(7200))
    assert error(excinfo)[0] == "InvalidRestoreTimeException"
    restore(ddb, "oldest", at(49 * 3600 + 600 - 86400))
    assert state(ddb, "oldest") == {"a": 2}


def test_disabling_forgets_the_history(ddb):
    clock = ddb.cloud.clock
    create(ddb)
    enable(ddb)
    put(ddb, "a", 1)
    clock.advance(600)
    ddb.update_continuous_backups(
        TableName="ledger", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    with pytest.raises(ClientError) as excinfo:
        restore(ddb, "copy")
    assert error(excinfo)[0] == "PointInTimeRecoveryUnavailableException"
    clock.advance(600)
    described = enable(ddb)["PointInTimeRecoveryDescription"]
    assert described["EarliestRestorableDateTime"] == at(1200)


def test_a_deleted_table_is_recovered_from_its_system_backup(ddb):
    create(ddb)
    enable(ddb)
    put(ddb, "a", 1)
    put(ddb, "b", 2)
    ddb.delete_table(TableName="ledger")
    (system,) = ddb.list_backups(BackupType="SYSTEM")["BackupSummaries"]
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_backup(BackupArn=system["BackupArn"])
    assert error(excinfo) == (
        "ValidationException",
        f"Invalid Request: User is not allowed to delete the system backup with arn "
        f"{system['BackupArn']}. It will automatically expire on Sun Apr 05 12:00:00 UTC 2026",
    )
    described = ddb.describe_backup(BackupArn=system["BackupArn"])["BackupDescription"]
    assert described["SourceTableFeatureDetails"] == {}
    ddb.restore_table_from_backup(TargetTableName="ledger-back", BackupArn=system["BackupArn"])
    assert state(ddb, "ledger-back") == {"a": 1, "b": 2}
    ddb.cloud.clock.advance(35 * 86400)
    assert ddb.list_backups(BackupType="ALL")["BackupSummaries"] == []


def test_snapshots_keep_the_history(ddb):
    create(ddb)
    enable(ddb)
    put(ddb, "a", 1)
    ddb.cloud.clock.advance(100)
    snap = ddb.cloud.snapshot()
    put(ddb, "a", 2)
    ddb.cloud.restore(snap)
    ddb.cloud.clock.advance(600)
    put(ddb, "a", 5)  # recorded by the restored world's history
    ddb.cloud.clock.advance(600)
    restore(ddb, "copy")
    assert state(ddb, "copy") == {"a": 5}
    restore(ddb, "copy2", at(50))
    assert state(ddb, "copy2") == {"a": 1}
