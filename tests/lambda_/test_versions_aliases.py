"""Lambda versions and aliases through boto3: publishing, listing, routing weights."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from fakeaws import mock_serverless

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
START = datetime(2026, 5, 4, 12, 30, tzinfo=timezone.utc)


def make_zip(source: str = "def handler(event, context):\n    return event\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("app.py", (2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, source)
    return buffer.getvalue()


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", start=START, region=REGION) as cloud:
        yield cloud


@pytest.fixture
def lam(cloud):
    return boto3.client("lambda", region_name=REGION)


def failing(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call(*args, **kwargs)
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def create(lam, name="fn", **kwargs):
    params = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "app.handler",
        "Code": {"ZipFile": make_zip()},
    }
    params.update(kwargs)
    return lam.create_function(**params)


def change(lam, name="fn", timeout=None, source=None):
    """Change $LATEST (configuration or code) and wait for the update to settle."""
    if source is not None:
        lam.update_function_code(FunctionName=name, ZipFile=make_zip(source))
    else:
        lam.update_function_configuration(FunctionName=name, Timeout=timeout)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)


# -- PublishVersion --------------------------------------------------------------------------
def test_publish_numbers_versions_and_snapshots_latest(lam):
    create(lam, Description="first")
    latest_revision = lam.get_function_configuration(FunctionName="fn")["RevisionId"]
    one = lam.publish_version(FunctionName="fn")
    assert one["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert one["Version"] == "1"
    assert one["FunctionArn"] == f"{ARN}:fn:1"
    assert one["Description"] == "first"
    assert one["State"] == "Active" and one["LastUpdateStatus"] == "Successful"
    # publishing gives $LATEST a new revision too
    assert lam.get_function_configuration(FunctionName="fn")["RevisionId"] != latest_revision
    # nothing changed: the same version comes back
    again = lam.publish_version(FunctionName="fn", Description="ignored")
    assert (again["Version"], again["RevisionId"]) == ("1", one["RevisionId"])
    change(lam, timeout=42)
    two = lam.publish_version(FunctionName="fn", Description="second")
    assert (two["Version"], two["Timeout"], two["Description"]) == ("2", 42, "second")
    change(lam, source="def handler(e, c):\n    return 3\n")
    three = lam.publish_version(FunctionName="fn")
    assert three["Version"] == "3" and three["CodeSha256"] != two["CodeSha256"]
    # versions are immutable
    assert lam.get_function_configuration(FunctionName="fn", Qualifier="1")["Timeout"] == 3
    assert (
        lam.get_function(FunctionName="fn:2")["Configuration"]["CodeSha256"] == (one["CodeSha256"])
    )


def test_version_numbers_are_never_reused(lam):
    create(lam)
    lam.publish_version(FunctionName="fn")
    change(lam, timeout=10)
    lam.publish_version(FunctionName="fn")
    lam.delete_function(FunctionName="fn", Qualifier="2")
    # version 2 (what $LATEST holds) is gone: publishing makes 3, never 2 again
    assert lam.publish_version(FunctionName="fn")["Version"] == "3"
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="fn")["Versions"]]
    assert versions == ["$LATEST", "1", "3"]


def test_publish_checks_code_sha_and_revision(lam):
    create(lam)
    latest = lam.get_function_configuration(FunctionName="fn")
    assert failing(lam.publish_version, FunctionName="fn", CodeSha256="abc=") == (
        "InvalidParameterValueException",
        f"CodeSHA256 (abc=) is different from current CodeSHA256 in $LATEST "
        f"({latest['CodeSha256']}). Please try again with the CodeSHA256 in $LATEST.",
    )
    assert failing(lam.publish_version, FunctionName="fn", RevisionId="old") == (
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id",
    )
    published = lam.publish_version(
        FunctionName="fn", CodeSha256=latest["CodeSha256"], RevisionId=latest["RevisionId"]
    )
    assert published["Version"] == "1"
    assert failing(lam.publish_version, FunctionName="fn:1")[0] == (
        "InvalidParameterValueException"
    )
    assert failing(lam.publish_version, FunctionName="missing") == (
        "ResourceNotFoundException",
        f"Function not found: {ARN}:missing",
    )


def test_publish_refused_while_an_update_is_in_progress(cloud, lam):
    create(lam)
    cloud.settings.lambda_.state_delay = 5
    lam.update_function_configuration(FunctionName="fn", Timeout=7)
    assert failing(lam.publish_version, FunctionName="fn") == (
        "ResourceConflictException",
        "The operation cannot be performed at this time. An update is in progress for resource: "
        f"{ARN}:fn",
    )
    cloud.clock.advance(5)
    assert lam.publish_version(FunctionName="fn")["Timeout"] == 7


def test_publish_on_create_and_on_code_update(lam):
    created = create(lam, Publish=True)
    assert created["Version"] == "1"
    assert lam.get_function_configuration(FunctionName="fn:1")["State"] == "Active"
    updated = lam.update_function_code(FunctionName="fn", ZipFile=make_zip("x = 2"), Publish=True)
    assert (updated["Version"], updated["FunctionArn"]) == ("2", f"{ARN}:fn:2")
    assert (
        lam.get_function_configuration(FunctionName="fn", Qualifier="2")["CodeSha256"]
        == (updated["CodeSha256"])
    )


def test_snapstart_versions_are_pending_until_ready(cloud, lam):
    create(lam, SnapStart={"ApplyOn": "PublishedVersions"})
    cloud.settings.lambda_.state_delay = 90
    version = lam.publish_version(FunctionName="fn")
    assert version["State"] == "Pending"
    assert version["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
    start = cloud.clock.time()
    lam.get_waiter("published_version_active").wait(FunctionName="fn", Qualifier="1")
    assert cloud.clock.time() - start >= 90
    config = lam.get_function_configuration(FunctionName="fn", Qualifier="1")
    assert config["State"] == "Active" and "StateReason" not in config


def test_list_versions_by_function_pages(lam):
    create(lam)
    for timeout in (4, 5, 6):
        lam.publish_version(FunctionName="fn")
        change(lam, timeout=timeout)
    versions = lam.list_versions_by_function(FunctionName="fn")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2", "3"]
    assert versions[0]["FunctionArn"] == f"{ARN}:fn:$LATEST"
    assert versions[2]["FunctionArn"] == f"{ARN}:fn:2"
    assert all("State" not in v for v in versions)
    first = lam.list_versions_by_function(FunctionName="fn", MaxItems=3)
    assert [v["Version"] for v in first["Versions"]] == ["$LATEST", "1", "2"]
    rest = lam.list_versions_by_function(FunctionName="fn", Marker=first["NextMarker"])
    assert [v["Version"] for v in rest["Versions"]] == ["3"] and "NextMarker" not in rest
    pages = lam.get_paginator("list_versions_by_function").paginate(
        FunctionName="fn", PaginationConfig={"PageSize": 1}
    )
    assert [v["Version"] for p in pages for v in p["Versions"]] == ["$LATEST", "1", "2", "3"]
    assert failing(lam.list_versions_by_function, FunctionName="nope")[0] == (
        "ResourceNotFoundException"
    )


# -- aliases ---------------------------------------------------------------------------------
@pytest.fixture
def versions(lam):
    """A function with versions 1, 2 and 3 published."""
    create(lam)
    for timeout in (4, 5, 6):
        change(lam, timeout=timeout)
        lam.publish_version(FunctionName="fn")
    return lam


def test_alias_lifecycle(versions):
    lam = versions
    created = lam.create_alias(
        FunctionName="fn", Name="live", FunctionVersion="1", Description="production"
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["AliasArn"] == f"{ARN}:fn:live"
    assert (created["Name"], created["FunctionVersion"]) == ("live", "1")
    assert created["Description"] == "production"
    assert "RoutingConfig" not in created
    got = lam.get_alias(FunctionName="fn", Name="live")
    assert got["RevisionId"] == created["RevisionId"]
    updated = lam.update_alias(
        FunctionName="fn", Name="live", FunctionVersion="2", RevisionId=created["RevisionId"]
    )
    assert updated["FunctionVersion"] == "2"
    assert updated["Description"] == "production"
    assert updated["RevisionId"] != created["RevisionId"]
    assert (
        failing(lam.update_alias, FunctionName="fn", Name="live", RevisionId=created["RevisionId"])[
            0
        ]
        == "PreconditionFailedException"
    )
    assert lam.get_function(FunctionName="fn:live")["Configuration"]["Timeout"] == 5
    lam.delete_alias(FunctionName="fn", Name="live")
    assert failing(lam.get_alias, FunctionName="fn", Name="live") == (
        "ResourceNotFoundException",
        f"Cannot find alias arn: {ARN}:fn:live",
    )
    lam.delete_alias(FunctionName="fn", Name="live")  # already gone: Lambda says nothing
    assert failing(lam.update_alias, FunctionName="fn", Name="live", FunctionVersion="1")[0] == (
        "ResourceNotFoundException"
    )


def test_alias_names_versions_and_duplicates(versions):
    lam = versions
    lam.create_alias(FunctionName="fn", Name="dev", FunctionVersion="$LATEST")
    assert failing(lam.create_alias, FunctionName="fn", Name="dev", FunctionVersion="1") == (
        "ResourceConflictException",
        f"Alias already exists: {ARN}:fn:dev",
    )
    assert failing(lam.create_alias, FunctionName="fn", Name="123", FunctionVersion="1") == (
        "ValidationException",
        "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member "
        "must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
    )
    assert failing(lam.create_alias, FunctionName="fn", Name="x", FunctionVersion="9") == (
        "ResourceNotFoundException",
        f"Function not found: {ARN}:fn:9",
    )
    assert failing(lam.create_alias, FunctionName="gone", Name="x", FunctionVersion="1") == (
        "ResourceNotFoundException",
        f"Function not found: {ARN}:gone",
    )
    assert failing(lam.create_alias, FunctionName="fn", Name="x", FunctionVersion="v1")[0] == (
        "ValidationException"
    )


def test_alias_routing_weights(versions):
    lam = versions
    routed = lam.create_alias(
        FunctionName="fn",
        Name="canary",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"3": 0.1}},
    )
    assert routed["RoutingConfig"] == {"AdditionalVersionWeights": {"3": 0.1}}

    def weights(primary, table, name="w"):
        return failing(
            lam.create_alias,
            FunctionName="fn",
            Name=name,
            FunctionVersion=primary,
            RoutingConfig={"AdditionalVersionWeights": table},
        )

    assert weights("1", {"2": 0.1, "3": 0.2}) == (
        "InvalidParameterValueException",
        "Number of items in AdditionalVersionWeights cannot be greater than 1",
    )
    assert weights("1", {"2": 1.5}) == (
        "ValidationException",
        "1 validation error detected: Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' "
        "failed to satisfy constraint: Map value must satisfy constraint: [Member must have value "
        "less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member "
        "must not be null]",
    )
    assert weights("1", {"1": 0.5}) == (
        "InvalidParameterValueException",
        "Invalid function version 1. Function version 1 is already included in routing "
        "configuration.",
    )
    assert weights("$LATEST", {"1": 0.5}) == (
        "InvalidParameterValueException",
        "$LATEST is not supported for an alias pointing to more than 1 version",
    )
    assert weights("1", {"7": 0.5}) == (
        "ResourceNotFoundException",
        f"Function not found: {ARN}:fn:7",
    )
    with pytest.raises(ParamValidationError):  # botocore checks the lower bound itself
        weights("1", {"2": -0.5})
    # moving the primary onto the weighted version is refused too
    assert failing(lam.update_alias, FunctionName="fn", Name="canary", FunctionVersion="3")[0] == (
        "InvalidParameterValueException"
    )
    shifted = lam.update_alias(
        FunctionName="fn",
        Name="canary",
        RoutingConfig={"AdditionalVersionWeights": {"3": 0.5}},
    )
    assert shifted["RoutingConfig"] == {"AdditionalVersionWeights": {"3": 0.5}}
    cleared = lam.update_alias(FunctionName="fn", Name="canary", RoutingConfig={})
    assert "RoutingConfig" not in cleared
    assert lam.get_alias(FunctionName="fn", Name="canary")["FunctionVersion"] == "2"


def test_list_aliases_filter_and_pages(versions):
    lam = versions
    for name, version in [("b", "1"), ("a", "2"), ("c", "1")]:
        lam.create_alias(FunctionName="fn", Name=name, FunctionVersion=version)
    everything = lam.list_aliases(FunctionName="fn")["Aliases"]
    assert [a["Name"] for a in everything] == ["a", "b", "c"]
    only_one = lam.list_aliases(FunctionName="fn", FunctionVersion="1")["Aliases"]
    assert [a["Name"] for a in only_one] == ["b", "c"]
    first = lam.list_aliases(FunctionName="fn", MaxItems=2)
    assert [a["Name"] for a in first["Aliases"]] == ["a", "b"]
    rest = lam.list_aliases(FunctionName="fn", MaxItems=2, Marker=first["NextMarker"])
    assert [a["Name"] for a in rest["Aliases"]] == ["c"]
    pages = lam.get_paginator("list_aliases").paginate(
        FunctionName="fn", PaginationConfig={"PageSize": 1}
    )
    assert [a["Name"] for p in pages for a in p["Aliases"]] == ["a", "b", "c"]


def test_deleting_the_function_removes_versions_and_aliases(versions):
    lam = versions
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="3")
    lam.delete_function(FunctionName="fn")
    create(lam)
    assert lam.list_aliases(FunctionName="fn")["Aliases"] == []
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="fn")["Versions"]] == [
        "$LATEST"
    ]
    assert lam.publish_version(FunctionName="fn")["Version"] == "1"
