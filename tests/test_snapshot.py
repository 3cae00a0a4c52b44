"""snapshot()/restore() of the whole world."""

from __future__ import annotations

import boto3
import pytest

from fakeaws import mock_serverless
from fakeaws.identity import Credential, Principal
from fakeaws.services.registry import override_backend
from tests.fakes import TablesBackend


@pytest.fixture(autouse=True)
def tables():
    with override_backend("dynamodb", TablesBackend):
        yield


def create(name):
    boto3.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def names():
    return boto3.client("dynamodb").list_tables()["TableNames"]


def test_restore_returns_to_the_snapshot_and_can_repeat():
    with mock_serverless(clock="frozen") as cloud:
        create("base")
        snap = cloud.snapshot()
        create("extra")
        assert names() == ["base", "extra"]
        cloud.restore(snap)
        assert names() == ["base"]
        create("other")
        cloud.restore(snap)
        assert names() == ["base"]
        assert len(cloud.calls) == 1  # the log restarts at restore


def test_snapshot_includes_clock_pending_work_and_random_state():
    with mock_serverless(clock="frozen") as cloud:
        create("slow")  # becomes ACTIVE after 30 s via a pending task
        at = cloud.clock.time()
        draws = cloud.random.random()
        cloud.random.seed(123)
        snap = cloud.snapshot()
        after_seed = cloud.random.random()
        cloud.sleep(60)
        ddb = boto3.client("dynamodb")
        assert ddb.describe_table(TableName="slow")["Table"]["TableStatus"] == "ACTIVE"
        cloud.restore(snap)
        assert cloud.clock.time() == at
        assert ddb.describe_table(TableName="slow")["Table"]["TableStatus"] == "CREATING"
        assert cloud.random.random() == after_seed
        cloud.sleep(30)
        # the restored pending task acts on the restored table, not on the old one
        assert ddb.describe_table(TableName="slow")["Table"]["TableStatus"] == "ACTIVE"
        assert draws is not None


def test_restore_into_another_cloud():
    with mock_serverless() as first:
        create("shared")
        snap = first.snapshot()
    with mock_serverless() as second:
        assert names() == []
        second.restore(snap)
        assert names() == ["shared"]
        create("mine")
    with mock_serverless() as third:
        third.restore(snap)
        assert names() == ["shared"]  # the snapshot was not changed by `second`


def test_snapshot_includes_identities():
    with mock_serverless() as cloud:
        snap = cloud.snapshot()
        cloud.identities.register(
            Credential(
                "AKIAUSER000000000001", "s", Principal.user("123456789012", "bob", "AIDABOB")
            )
        )
        cloud.restore(snap)
        assert cloud.identities.lookup("AKIAUSER000000000001") is None
