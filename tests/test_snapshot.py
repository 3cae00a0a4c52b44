"""snapshot()/restore() of the whole world."""

from __future__ import annotations

from datetime import datetime, timezone

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


def test_snapshot_includes_pending_work_and_random_state_but_time_never_goes_back():
    with mock_serverless(clock="frozen") as cloud:
        create("slow")  # becomes ACTIVE 30 s later, via a pending task
        at = cloud.clock.time()
        cloud.random.seed(123)
        snap = cloud.snapshot()
        after_seed = cloud.random.random()
        ddb = boto3.client("dynamodb")
        cloud.sleep(10)
        create("extra")
        cloud.restore(snap)
        assert names() == ["slow"]
        assert cloud.clock.time() == at + 10  # not rewound
        assert cloud.clock.frozen  # the mode is the cloud's own
        assert ddb.describe_table(TableName="slow")["Table"]["TableStatus"] == "CREATING"
        assert cloud.random.random() == after_seed
        cloud.sleep(20)
        # the restored pending task acts on the restored table, at its own due time
        assert ddb.describe_table(TableName="slow")["Table"]["TableStatus"] == "ACTIVE"


def test_restore_moves_an_earlier_clock_forward_to_the_snapshot():
    later = datetime(2030, 1, 1, tzinfo=timezone.utc)
    with mock_serverless(clock="frozen", start=later) as first:
        snap = first.snapshot()
    with mock_serverless(clock="frozen", start=datetime(2020, 1, 1, tzinfo=timezone.utc)) as second:
        second.restore(snap)
        assert second.clock.now() == later


def test_restore_across_accounts_is_refused():
    with mock_serverless(account_id="111122223333") as first:
        snap = first.snapshot()
    with mock_serverless() as second, pytest.raises(ValueError, match="111122223333"):
        second.restore(snap)


def test_pending_work_bound_to_the_clouds_own_machinery_survives_a_snapshot():
    with mock_serverless(clock="frozen") as cloud:
        cloud.scheduler.call_later(5, cloud.random.random)
        cloud.scheduler.call_later(6, cloud.clock.freeze)
        snap = cloud.snapshot()  # tasks bound to the cloud's clock and random can be copied
        cloud.settle(within=10)
        cloud.restore(snap)
        assert [t.name for t in cloud.scheduler.pending] == ["Random.random", "Clock.freeze"]
        before = cloud.random.getstate()
        cloud.settle(within=10)
        assert cloud.random.getstate() != before  # the restored task drew from this cloud's stream


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
