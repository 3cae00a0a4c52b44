"""Interception: every kind of client use is answered in-process, or refused loudly."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.stub import Stubber

from fakeaws import UnsupportedOperation, mock_serverless
from fakeaws.services.base import Backend
from fakeaws.services.registry import override_backend
from fakeaws.shapes import ResponseShapeError
from tests.fakes import TablesBackend

# Created at import time, long before any mock is active (the module-level client pattern).
MODULE_CLIENT = boto3.client(
    "sts",
    region_name="eu-north-1",
    aws_access_key_id="AKIAMODULELEVEL00000",
    aws_secret_access_key="s",
)


def test_module_level_client_created_before_activation():
    with mock_serverless() as cloud:
        assert MODULE_CLIENT.get_caller_identity()["Account"] == "123456789012"
        assert cloud.calls[0].region == "eu-north-1"
        assert cloud.calls[0].access_key_id == "AKIAMODULELEVEL00000"


def test_client_outlives_the_mock_and_is_not_intercepted_after():
    with mock_serverless():
        client = boto3.client("sts")
        client.get_caller_identity()
    # With the mock gone, the same client would go to AWS: here the network guard refuses.
    with pytest.raises(Exception) as caught:
        client.get_caller_identity()
    assert "network" in repr(caught.value).lower() or "connect" in repr(caught.value).lower()


def test_no_network_is_touched_while_active(monkeypatch):
    attempts = []

    def record(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", record)
    with mock_serverless():
        for _ in range(3):
            boto3.client("sts").get_caller_identity()
        with pytest.raises(UnsupportedOperation):
            boto3.client("s3").list_buckets()
    assert attempts == []


def test_unimplemented_service_is_refused_by_name():
    with mock_serverless() as cloud:
        with pytest.raises(UnsupportedOperation, match=r"s3\.ListBuckets.*no fake 's3' service"):
            boto3.client("s3").list_buckets()
        assert cloud.calls[-1].outcome == "unsupported"


def test_unimplemented_operation_is_refused_by_name():
    with mock_serverless():
        with pytest.raises(
            UnsupportedOperation, match=r"sts\.AssumeRole.*not implemented"
        ) as caught:
            boto3.client("sts").assume_role(
                RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="session"
            )
        assert isinstance(caught.value, NotImplementedError)
        assert caught.value.service == "sts" and caught.value.operation == "AssumeRole"


def test_parameters_are_validated_by_botocore_first():
    from botocore.exceptions import ParamValidationError

    with mock_serverless() as cloud:
        with pytest.raises(ParamValidationError):
            boto3.client("sts").assume_role(RoleArn="x")  # RoleSessionName missing
        assert len(cloud.calls) == 0


def test_call_log_records_params_caller_action_and_outcome():
    with mock_serverless() as cloud, override_backend("dynamodb", TablesBackend):
        ddb = boto3.client("dynamodb", region_name="eu-west-1")
        ddb.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        with pytest.raises(ddb.exceptions.ResourceNotFoundException):
            ddb.describe_table(TableName="missing")
        first, second = cloud.calls.where(service="dynamodb")
        assert first.operation == "CreateTable"
        assert first.params["TableName"] == "orders"
        assert first.region == "eu-west-1" and first.account == "123456789012"
        assert first.caller.arn == "arn:aws:iam::123456789012:root"
        assert first.action == "dynamodb:CreateTable"
        assert first.resources == ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"]
        assert first.ok and first.response["TableDescription"]["TableName"] == "orders"
        assert second.outcome == "ResourceNotFoundException"
        assert second.error.code == "ResourceNotFoundException"
        assert cloud.calls.where(outcome="ok") == [first]
        sts = boto3.client("sts")
        sts.get_caller_identity()
        assert cloud.calls[-1].action == "sts:GetCallerIdentity"
        assert cloud.calls[-1].authorize is False  # AWS never denies GetCallerIdentity


def test_request_ids_are_uuid_shaped_and_deterministic_per_seed():
    def ids(seed):
        with mock_serverless(seed=seed):
            c = boto3.client("sts")
            return [c.get_caller_identity()["ResponseMetadata"]["RequestId"] for _ in range(3)]

    first = ids(5)
    assert first == ids(5)
    assert first != ids(6)
    assert len(set(first)) == 3
    assert all(len(i) == 36 and i[14] == "4" for i in first)


def test_boto3_resources_paginators_and_waiters():
    with mock_serverless(clock="frozen") as cloud, override_backend("dynamodb", TablesBackend):
        ddb = boto3.client("dynamodb")
        for i in range(5):
            ddb.create_table(
                TableName=f"tbl{i}",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        # paginator: follows LastEvaluatedTableName through three pages
        pages = list(ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}))
        assert [p["TableNames"] for p in pages] == [["tbl0", "tbl1"], ["tbl2", "tbl3"], ["tbl4"]]

        # waiter: tables turn ACTIVE after 30 virtual seconds; the waiter polls every 20 s
        started_real, started_virtual = time.monotonic(), cloud.clock.time()
        ddb.get_waiter("table_exists").wait(TableName="tbl0")
        assert cloud.clock.time() - started_virtual == pytest.approx(40)
        assert time.monotonic() - started_real < 1.0

        # resource: Table.load -> DescribeTable
        table = boto3.resource("dynamodb").Table("tbl1")
        assert table.table_status == "ACTIVE"
        assert table.table_arn.endswith(":table/tbl1")


def test_waiter_sleep_is_restored_after_deactivation():
    import botocore.waiter

    with mock_serverless():
        assert botocore.waiter.time is not time
    assert botocore.waiter.time is time


def test_stubber_on_top_of_fakeaws_wins():
    with mock_serverless() as cloud:
        client = boto3.client("sts")
        with Stubber(client) as stub:
            stub.add_response(
                "get_caller_identity",
                {"UserId": "x", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"},
            )
            assert client.get_caller_identity()["Account"] == "000000000000"
        assert client.get_caller_identity()["Account"] == "123456789012"
        assert len(cloud.calls) == 1


class BadShapes(Backend):
    service = "sts"
    iam_prefix = "sts"

    def get_caller_identity(self, call):
        return {"UserId": "AIDA", "Account": 123456789012, "Arn": "arn:aws:iam::123456789012:root"}

    def get_session_token(self, call):
        return {"Credentials": {"AccessKeyId": "ASIA" + "A" * 16}}


def test_strict_mode_refuses_a_response_aws_could_not_send():
    with mock_serverless(strict=True), override_backend("sts", BadShapes):
        with pytest.raises(ResponseShapeError, match="Account"):
            boto3.client("sts").get_caller_identity()
        with pytest.raises(ResponseShapeError, match="SecretAccessKey"):
            boto3.client("sts").get_session_token()


def test_non_strict_mode_passes_responses_through():
    with mock_serverless(strict=False), override_backend("sts", BadShapes):
        assert boto3.client("sts").get_caller_identity()["Account"] == 123456789012


def test_many_threads_share_one_consistent_world():
    with mock_serverless() as cloud, override_backend("dynamodb", TablesBackend):
        ddb = boto3.client("dynamodb")

        def create(i):
            ddb.create_table(
                TableName=f"table-{i:03d}",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(64)))
        names = [n for p in ddb.get_paginator("list_tables").paginate() for n in p["TableNames"]]
        assert names == [f"table-{i:03d}" for i in range(64)]
        assert len(cloud.calls.where(operation="CreateTable", outcome="ok")) == 64


def test_background_work_may_call_boto3_without_deadlock():
    results = []

    def job():
        # runs inside the cloud (lock held), like a Lambda handler would
        results.append(boto3.client("sts").get_caller_identity()["Account"])

    with mock_serverless() as cloud:
        cloud.scheduler.call_soon(job)
        boto3.client("sts").get_caller_identity()  # due work runs before this is answered
        assert results == ["123456789012"]
        assert cloud.calls.operations() == ["sts.GetCallerIdentity", "sts.GetCallerIdentity"]


def test_background_work_from_another_thread_does_not_deadlock():
    results = []

    with mock_serverless() as cloud:

        def job():
            results.append(boto3.client("sts").get_caller_identity()["Account"])

        cloud.scheduler.call_soon(job)
        t = threading.Thread(target=lambda: boto3.client("sts").get_caller_identity())
        t.start()
        t.join(timeout=10)
        assert not t.is_alive()
        assert results == ["123456789012"]


# -- regressions from review ----------------------------------------------------------------


def test_refreshable_credentials_are_not_refreshed_by_interception():
    from botocore.credentials import RefreshableCredentials
    from botocore.session import get_session

    refreshes = []

    def refresh():
        refreshes.append(1)
        return {
            "access_key": "ASIAREFRESHED0000000",
            "secret_key": "s",
            "token": "t",
            "expiry_time": "2000-01-01T00:00:00Z",
        }

    creds = RefreshableCredentials.create_from_metadata(
        {
            "access_key": "ASIAORIGINAL0000000",
            "secret_key": "s",
            "token": "t",
            "expiry_time": "2000-01-01T00:00:00Z",
        },  # already expired: any read would refresh
        refresh_using=refresh,
        method="container-role",
    )
    with mock_serverless() as cloud:
        client = get_session().create_client("sts", region_name="us-east-1")
        client._request_signer._credentials = creds
        client.get_caller_identity()
        assert refreshes == []
        assert cloud.calls[-1].access_key_id == "ASIAORIGINAL0000000"


def test_unsigned_client_gets_missing_authentication_token():
    from botocore import UNSIGNED
    from botocore.config import Config

    with mock_serverless():
        client = boto3.client("sts", config=Config(signature_version=UNSIGNED))
        with pytest.raises(client.exceptions.ClientError) as caught:
            client.get_caller_identity()
        assert caught.value.response["Error"]["Code"] == "MissingAuthenticationToken"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_client_without_credentials_fails_as_botocore_does():
    from botocore.credentials import CredentialResolver
    from botocore.exceptions import NoCredentialsError
    from botocore.session import get_session

    with mock_serverless() as cloud:
        session = get_session()
        session.register_component("credential_provider", CredentialResolver([]))
        client = session.create_client("sts", region_name="us-east-1")
        with pytest.raises(NoCredentialsError):
            client.get_caller_identity()
        assert len(cloud.calls) == 0


class OtherSts(Backend):
    service = "sts"
    iam_prefix = "sts"

    def get_caller_identity(self, call):
        return {
            "UserId": "AIDAOTHER",
            "Account": "000000000000",
            "Arn": "arn:aws:iam::000000000000:root",
        }


def test_override_backend_after_the_service_was_used():
    with mock_serverless():
        sts = boto3.client("sts")
        assert sts.get_caller_identity()["Account"] == "123456789012"
        with override_backend("sts", OtherSts):
            assert sts.get_caller_identity()["Account"] == "000000000000"
        assert sts.get_caller_identity()["Account"] == "123456789012"


def test_unlocked_background_work_may_wait_on_other_threads():
    results = []

    def fan_out():
        with ThreadPoolExecutor(2) as pool:
            calls = [
                pool.submit(lambda: boto3.client("sts").get_caller_identity()) for _ in range(4)
            ]
            results.extend(f.result(timeout=10)["Account"] for f in calls)

    with mock_serverless() as cloud:
        cloud.scheduler.call_soon(fan_out, locked=False)
        done = threading.Event()

        def drive():
            cloud.settle()
            done.set()

        threading.Thread(target=drive, daemon=True).start()
        assert done.wait(timeout=10), "background work deadlocked"
        assert results == ["123456789012"] * 4


def test_call_log_keeps_its_own_copy_of_the_parameters():
    with mock_serverless() as cloud, override_backend("dynamodb", TablesBackend):
        ddb = boto3.client("dynamodb")
        item = {"pk": {"S": "a"}}
        ddb.create_table(
            TableName="tbl",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.put_item(TableName="tbl", Item=item)
        item["pk"]["S"] = "changed"
        assert cloud.calls[-1].params["Item"] == {"pk": {"S": "a"}}


def test_global_random_is_left_alone_by_retries():
    import random

    from tests.test_retries import client as retry_client
    from tests.test_retries import flaky

    random.seed(42)
    expected = [random.random() for _ in range(5)]
    random.seed(42)
    with mock_serverless(clock="frozen"), override_backend("dynamodb", flaky(3)):
        retry_client("standard", attempts=5).list_tables()
    with mock_serverless(clock="frozen"), override_backend("dynamodb", flaky(3)):
        retry_client("legacy").list_tables()
    assert [random.random() for _ in range(5)] == expected


def test_adaptive_client_state_does_not_leak_into_the_next_world():
    from tests.test_retries import client as retry_client
    from tests.test_retries import flaky

    with mock_serverless(clock="frozen"), override_backend("dynamodb", flaky(3)):
        adaptive = retry_client("adaptive", attempts=5)  # lives on, like a module-level client
        adaptive.list_tables()
    with mock_serverless(clock="frozen") as cloud, override_backend("dynamodb", flaky(0)):
        start = cloud.clock.time()
        adaptive.list_tables()
        assert cloud.clock.time() - start < 60


class NoOutput(Backend):
    service = "sqs"
    iam_prefix = "sqs"

    def delete_queue(self, call):
        return None


def test_operation_without_output_may_return_none():
    with mock_serverless(), override_backend("sqs", NoOutput):
        response = boto3.client("sqs").delete_queue(
            QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q"
        )
        assert set(response) == {"ResponseMetadata"}
