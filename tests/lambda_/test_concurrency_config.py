"""Reserved and provisioned concurrency, account settings and recursion config through boto3."""

from __future__ import annotations

import io
import re
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
PC_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000")


def lambda_zip(source: str = "def handler(event, context):\n    return event\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region=REGION) as cloud:
        yield cloud


@pytest.fixture
def client(cloud):
    return boto3.client("lambda", region_name=REGION)


def create(client, name="fn", code=None):
    return client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": code or lambda_zip()},
    )


@pytest.fixture
def fn(client):
    create(client)
    return "fn"


@pytest.fixture
def published(client, fn):
    """Version 1 of fn and alias ``live`` pointing to it."""
    client.publish_version(FunctionName="fn")
    client.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    return "1"


def error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def unreserved(client) -> int:
    return client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]


# -- reserved concurrency ---------------------------------------------------------------------
def test_put_get_delete_function_concurrency(client, fn):
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName="fn")
    response = client.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=50)
    assert response["ReservedConcurrentExecutions"] == 50
    assert client.get_function_concurrency(FunctionName=ARN)["ReservedConcurrentExecutions"] == 50
    assert unreserved(client) == 950
    client.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=0)
    assert client.get_function_concurrency(FunctionName="fn")["ReservedConcurrentExecutions"] == 0
    client.delete_function_concurrency(FunctionName="fn")
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName="fn")
    assert unreserved(client) == 1000


def test_unreserved_concurrency_keeps_its_minimum(client, fn):
    create(client, "other")
    client.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=800)
    client.put_function_concurrency(FunctionName="other", ReservedConcurrentExecutions=100)
    assert unreserved(client) == 100
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_function_concurrency(FunctionName="other", ReservedConcurrentExecutions=101)
    assert error(exc) == (
        "InvalidParameterValueException",
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100].",
    )
    # Replacing a function's own reservation does not count it twice.
    client.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=800)
    client.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=700)
    assert unreserved(client) == 200


def test_small_accounts_keep_all_their_concurrency(cloud, client, fn):
    cloud.settings.lambda_.account_concurrency = 10
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=1)
    assert error(exc)[1].endswith("below its minimum value of [10].")
    client.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=0)
    settings = client.get_account_settings()["AccountLimit"]
    assert settings["ConcurrentExecutions"] == 10
    assert settings["UnreservedConcurrentExecutions"] == 10


def test_function_concurrency_is_for_whole_functions(client, fn):
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_function_concurrency(FunctionName="fn:1", ReservedConcurrentExecutions=1)
    assert error(exc)[1] == (
        "This operation is permitted on Lambda functions only. Aliases and versions do not "
        "support this operation. Please specify either a function name or an unqualified "
        "function ARN."
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.get_function_concurrency(FunctionName="nope")
    assert error(exc) == (
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:nope",
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_function_concurrency(FunctionName="nope")


# -- provisioned concurrency --------------------------------------------------------------------
def test_put_provisioned_concurrency_on_a_version(cloud, client, published):
    response = client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="1", ProvisionedConcurrentExecutions=10
    )
    assert response["RequestedProvisionedConcurrentExecutions"] == 10
    assert response["AvailableProvisionedConcurrentExecutions"] == 0
    assert response["AllocatedProvisionedConcurrentExecutions"] == 0
    assert response["Status"] == "IN_PROGRESS"
    assert PC_DATE.fullmatch(response["LastModified"])
    got = client.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="1")
    assert got["RequestedProvisionedConcurrentExecutions"] == 10
    assert got["LastModified"] == response["LastModified"]
    assert unreserved(client) == 990


def test_provisioned_concurrency_on_an_alias(client, published):
    client.put_provisioned_concurrency_config(
        FunctionName="fn:live", Qualifier="live", ProvisionedConcurrentExecutions=5
    )
    [item] = client.list_provisioned_concurrency_configs(FunctionName="fn")[
        "ProvisionedConcurrencyConfigs"
    ]
    assert item["FunctionArn"] == f"{ARN}:live"
    assert item["RequestedProvisionedConcurrentExecutions"] == 5


def test_provisioned_concurrency_never_on_latest(client, fn):
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_provisioned_concurrency_config(
            FunctionName="fn", Qualifier="$LATEST", ProvisionedConcurrentExecutions=1
        )
    assert error(exc)[1] == (
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
    )
    for call in (
        client.get_provisioned_concurrency_config,
        client.delete_provisioned_concurrency_config,
    ):
        with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
            call(FunctionName="fn", Qualifier="$LATEST")
        assert error(exc)[1] == (
            "The function resource provided must be an alias or a published version."
        )


def test_provisioned_concurrency_target_must_exist(client, fn):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.put_provisioned_concurrency_config(
            FunctionName="fn", Qualifier="3", ProvisionedConcurrentExecutions=1
        )
    assert error(exc) == ("ResourceNotFoundException", f"Function not found: {ARN}:3")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="blue")
    assert error(exc) == ("ResourceNotFoundException", f"Cannot find alias arn: {ARN}:blue")


def test_alias_and_its_version_cannot_both_be_provisioned(client, published):
    client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="1", ProvisionedConcurrentExecutions=1
    )
    with pytest.raises(client.exceptions.ResourceConflictException) as exc:
        client.put_provisioned_concurrency_config(
            FunctionName="fn", Qualifier="live", ProvisionedConcurrentExecutions=1
        )
    assert error(exc)[1] == (
        "Alias can't be used for Provisioned Concurrency configuration on an already "
        "Provisioned version"
    )
    client.delete_provisioned_concurrency_config(FunctionName="fn", Qualifier="1")
    client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    with pytest.raises(client.exceptions.ResourceConflictException) as exc:
        client.put_provisioned_concurrency_config(
            FunctionName="fn", Qualifier="1", ProvisionedConcurrentExecutions=1
        )
    assert error(exc)[1] == "Version is pointed by a Provisioned Concurrency alias"


def test_get_delete_and_list_provisioned_configs(client, published):
    with pytest.raises(client.exceptions.ProvisionedConcurrencyConfigNotFoundException) as exc:
        client.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="1")
    assert error(exc)[1] == "No Provisioned Concurrency Config found for this function"
    client.delete_provisioned_concurrency_config(FunctionName="fn", Qualifier="1")  # idempotent
    client.update_function_configuration(FunctionName="fn", Description="changed")
    client.get_waiter("function_updated_v2").wait(FunctionName="fn")
    assert client.publish_version(FunctionName="fn")["Version"] == "2"
    for qualifier in ("1", "2"):
        client.put_provisioned_concurrency_config(
            FunctionName="fn", Qualifier=qualifier, ProvisionedConcurrentExecutions=2
        )
    listed = client.list_provisioned_concurrency_configs(FunctionName="fn", MaxItems=1)
    assert [c["FunctionArn"] for c in listed["ProvisionedConcurrencyConfigs"]] == [f"{ARN}:1"]
    rest = client.list_provisioned_concurrency_configs(
        FunctionName="fn", Marker=listed["NextMarker"]
    )
    assert [c["FunctionArn"] for c in rest["ProvisionedConcurrencyConfigs"]] == [f"{ARN}:2"]
    assert "NextMarker" not in rest
    client.delete_provisioned_concurrency_config(FunctionName="fn", Qualifier="1")
    with pytest.raises(client.exceptions.ProvisionedConcurrencyConfigNotFoundException):
        client.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="1")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_provisioned_concurrency_configs(FunctionName="nope")


def test_provisioned_concurrency_within_reserved_concurrency(client, published):
    client.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=5)
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_provisioned_concurrency_config(
            FunctionName="fn", Qualifier="1", ProvisionedConcurrentExecutions=6
        )
    assert error(exc)[1] == (
        "Requested Provisioned Concurrency should not be greater than the "
        "reservedConcurrentExecution for function"
    )
    client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="1", ProvisionedConcurrentExecutions=5
    )
    assert unreserved(client) == 995  # inside the reservation
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=4)
    assert error(exc)[1] == (
        " ReservedConcurrentExecutions  4 should not be lower than function's total provisioned "
        "concurrency [5]."
    )


def test_provisioned_concurrency_keeps_the_unreserved_minimum(client, published):
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_provisioned_concurrency_config(
            FunctionName="fn", Qualifier="1", ProvisionedConcurrentExecutions=901
        )
    assert error(exc)[1] == (
        "Specified ConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100]."
    )
    client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="1", ProvisionedConcurrentExecutions=900
    )
    assert unreserved(client) == 100


# -- account settings -------------------------------------------------------------------------
def test_get_account_settings(client):
    settings = client.get_account_settings()
    assert settings["AccountLimit"] == {
        "TotalCodeSize": 80530636800,
        "CodeSizeUnzipped": 262144000,
        "CodeSizeZipped": 52428800,
        "ConcurrentExecutions": 1000,
        "UnreservedConcurrentExecutions": 1000,
    }
    assert settings["AccountUsage"] == {"TotalCodeSize": 0, "FunctionCount": 0}
    code = lambda_zip()
    create(client, "a", code)
    create(client, "b", code)
    client.publish_version(FunctionName="a")
    layer = client.publish_layer_version(LayerName="l", Content={"ZipFile": code})
    usage = client.get_account_settings()["AccountUsage"]
    assert usage["FunctionCount"] == 2
    assert usage["TotalCodeSize"] == 3 * len(code) + layer["Content"]["CodeSize"]


def test_account_settings_are_per_region(cloud, client, fn):
    client.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=100)
    elsewhere = boto3.client("lambda", region_name="us-west-2")
    assert elsewhere.get_account_settings()["AccountUsage"]["FunctionCount"] == 0
    assert (
        elsewhere.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 1000
    )


# -- recursion config -----------------------------------------------------------------------------
def test_function_recursion_config(client, fn):
    assert client.get_function_recursion_config(FunctionName="fn")["RecursiveLoop"] == "Terminate"
    response = client.put_function_recursion_config(FunctionName="fn", RecursiveLoop="Allow")
    assert response["RecursiveLoop"] == "Allow"
    assert client.get_function_recursion_config(FunctionName=ARN)["RecursiveLoop"] == "Allow"
    with pytest.raises(ClientError) as exc:
        client.put_function_recursion_config(FunctionName="fn", RecursiveLoop="Sometimes")
    assert error(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        client.get_function_recursion_config(FunctionName="fn:1")
    assert error(exc)[0] == "ValidationException"


def test_provisioned_concurrency_becomes_ready(cloud, client, published):
    cloud.settings.lambda_.provisioning_delay = 30
    client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    assert (
        client.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="live")["Status"]
        == "IN_PROGRESS"
    )
    cloud.clock.advance(30)
    ready = client.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="live")
    assert ready["Status"] == "READY"
    assert ready["AllocatedProvisionedConcurrentExecutions"] == 2
    assert ready["AvailableProvisionedConcurrentExecutions"] == 2
