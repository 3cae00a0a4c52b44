"""Event invoke configs and function URLs through boto3."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

ACCOUNT = "123456789012"
REGION = "us-west-2"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:failed"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:done"
START = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
URL = re.compile(r"https://[a-z0-9]{32}\.lambda-url\.us-west-2\.on\.aws/")
URL_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def lambda_zip(source: str = "def handler(event, context):\n    return event\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region=REGION, start=START) as cloud:
        yield cloud


@pytest.fixture
def client(cloud):
    return boto3.client("lambda", region_name=REGION)


def create(client, name="fn"):
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": lambda_zip()},
    )


@pytest.fixture
def fn(client):
    create(client)
    client.publish_version(FunctionName="fn")
    client.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    return "fn"


def error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def strip(response: dict) -> dict:
    response.pop("ResponseMetadata", None)
    return response


# -- event invoke configs -----------------------------------------------------------------------
def test_put_and_get_event_invoke_config(cloud, client, fn):
    response = strip(
        client.put_function_event_invoke_config(
            FunctionName="fn", MaximumRetryAttempts=0, MaximumEventAgeInSeconds=3600
        )
    )
    assert response == {
        "LastModified": START,
        "FunctionArn": f"{ARN}:$LATEST",
        "MaximumRetryAttempts": 0,
        "MaximumEventAgeInSeconds": 3600,
        "DestinationConfig": {"OnSuccess": {}, "OnFailure": {}},
    }
    assert strip(client.get_function_event_invoke_config(FunctionName="fn")) == response
    assert strip(client.get_function_event_invoke_config(FunctionName="fn:$LATEST")) == response


def test_configs_are_per_qualifier(client, fn):
    client.put_function_event_invoke_config(
        FunctionName="fn",
        Qualifier="live",
        DestinationConfig={"OnFailure": {"Destination": QUEUE}},
    )
    client.put_function_event_invoke_config(FunctionName="fn:1", MaximumRetryAttempts=1)
    live = client.get_function_event_invoke_config(FunctionName="fn", Qualifier="live")
    assert live["FunctionArn"] == f"{ARN}:live"
    assert live["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": QUEUE}}
    assert "MaximumRetryAttempts" not in live
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.get_function_event_invoke_config(FunctionName="fn")
    assert error(exc) == (
        "ResourceNotFoundException",
        f"The function {ARN}:$LATEST doesn't have an EventInvokeConfig",
    )
    listed = client.list_function_event_invoke_configs(FunctionName="fn")
    assert [c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]] == [
        f"{ARN}:live",
        f"{ARN}:1",
    ]
    page = client.list_function_event_invoke_configs(FunctionName="fn", MaxItems=1)
    assert len(page["FunctionEventInvokeConfigs"]) == 1
    rest = client.list_function_event_invoke_configs(FunctionName="fn", Marker=page["NextMarker"])
    assert [c["FunctionArn"] for c in rest["FunctionEventInvokeConfigs"]] == [f"{ARN}:1"]


def test_put_replaces_and_update_merges(cloud, client, fn):
    client.put_function_event_invoke_config(
        FunctionName="fn",
        MaximumRetryAttempts=1,
        DestinationConfig={
            "OnSuccess": {"Destination": TOPIC},
            "OnFailure": {"Destination": QUEUE},
        },
    )
    cloud.clock.advance(60)
    updated = client.update_function_event_invoke_config(
        FunctionName="fn",
        MaximumEventAgeInSeconds=120,
        DestinationConfig={"OnFailure": {"Destination": f"arn:aws:s3:::{'bucket'}"}},
    )
    assert updated["MaximumRetryAttempts"] == 1
    assert updated["MaximumEventAgeInSeconds"] == 120
    assert updated["DestinationConfig"] == {
        "OnSuccess": {"Destination": TOPIC},
        "OnFailure": {"Destination": "arn:aws:s3:::bucket"},
    }
    assert updated["LastModified"] == cloud.clock.now()
    replaced = client.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=2)
    assert replaced["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    assert "MaximumEventAgeInSeconds" not in replaced


def test_update_needs_an_existing_config(client, fn):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.update_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=1)
    assert error(exc)[1] == f"The function {ARN}:$LATEST doesn't have an EventInvokeConfig"


def test_delete_event_invoke_config(client, fn):
    client.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=1)
    client.delete_function_event_invoke_config(FunctionName="fn")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.delete_function_event_invoke_config(FunctionName="fn")
    assert error(exc)[1] == f"The function {ARN}:$LATEST doesn't have an EventInvokeConfig"
    assert (
        client.list_function_event_invoke_configs(FunctionName="fn")["FunctionEventInvokeConfigs"]
        == []
    )


def test_event_invoke_config_limits(client, fn):
    with pytest.raises(ClientError) as exc:
        client.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=3)
    assert error(exc) == (
        "ValidationException",
        "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy "
        "constraint: Member must have value less than or equal to 2",
    )
    with pytest.raises(ClientError) as exc:
        client.put_function_event_invoke_config(FunctionName="fn", MaximumEventAgeInSeconds=21601)
    assert "Member must have value less than or equal to 21600" in error(exc)[1]
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_function_event_invoke_config(FunctionName="fn")
    assert (
        error(exc)[1] == "You must specify at least one of error handling or destination setting."
    )


def test_event_invoke_config_needs_the_function(client, fn):
    for name in ("nope", "fn:7", "fn:blue"):
        with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
            client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
        assert error(exc)[1] == "The function doesn't exist."
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.list_function_event_invoke_configs(FunctionName="nope")
    assert error(exc)[1] == "The function doesn't exist."


def test_destination_types(client, fn):
    create(client, "target")
    good = [
        TOPIC,
        QUEUE,
        f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:target",
    ]
    for arn in good:
        client.put_function_event_invoke_config(
            FunctionName="fn", DestinationConfig={"OnSuccess": {"Destination": arn}}
        )
    bucket = "arn:aws:s3:::bucket"
    client.put_function_event_invoke_config(
        FunctionName="fn", DestinationConfig={"OnFailure": {"Destination": bucket}}
    )
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_function_event_invoke_config(
            FunctionName="fn", DestinationConfig={"OnSuccess": {"Destination": bucket}}
        )
    assert error(exc)[1] == (
        "The provided destination config DestinationConfig(onSuccess=OnSuccess(destination="
        "arn:aws:s3:::bucket), onFailure=null) is invalid."
    )
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t"
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_function_event_invoke_config(
            FunctionName="fn", DestinationConfig={"OnFailure": {"Destination": table}}
        )
    assert error(exc)[1] == (
        "The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure("
        f"destination={table})) is invalid."
    )


def test_lambda_destinations_are_checked(client, fn):
    missing = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:missing"
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_function_event_invoke_config(
            FunctionName="fn", DestinationConfig={"OnFailure": {"Destination": missing}}
        )
    assert error(exc)[1] == f"The destination ARN {missing} is invalid."
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.put_function_event_invoke_config(
            FunctionName="fn", DestinationConfig={"OnFailure": {"Destination": ARN}}
        )
    assert error(exc)[1] == "You can't specify the function as a destination for itself."


def test_destination_pattern(client, fn):
    with pytest.raises(ClientError) as exc:
        client.put_function_event_invoke_config(
            FunctionName="fn", DestinationConfig={"OnSuccess": {"Destination": "queue-name"}}
        )
    assert error(exc)[0] == "ValidationException"
    assert "at 'destinationConfig.onSuccess.destination'" in error(exc)[1]


# -- function URLs --------------------------------------------------------------------------------
def test_create_and_get_function_url(cloud, client, fn):
    created = strip(client.create_function_url_config(FunctionName="fn", AuthType="NONE"))
    assert URL.fullmatch(created["FunctionUrl"])
    assert created["FunctionArn"] == ARN
    assert created["AuthType"] == "NONE"
    assert created["InvokeMode"] == "BUFFERED"
    assert created["CreationTime"] == "2026-03-01T12:00:00.000000Z"
    assert "LastModifiedTime" not in created and "Cors" not in created
    got = strip(client.get_function_url_config(FunctionName="fn"))
    assert got == {**created, "LastModifiedTime": created["CreationTime"]}


def test_url_for_an_alias_and_not_for_versions(client, fn):
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60}
    created = client.create_function_url_config(
        FunctionName="fn",
        Qualifier="live",
        AuthType="AWS_IAM",
        Cors=cors,
        InvokeMode="RESPONSE_STREAM",
    )
    assert created["FunctionArn"] == f"{ARN}:live"
    assert created["Cors"] == cors
    assert created["InvokeMode"] == "RESPONSE_STREAM"
    unqualified = client.create_function_url_config(FunctionName="fn", AuthType="NONE")
    assert unqualified["FunctionUrl"] != created["FunctionUrl"]
    for qualifier in ("1", "$LATEST"):
        with pytest.raises(ClientError) as exc:
            client.create_function_url_config(
                FunctionName="fn", Qualifier=qualifier, AuthType="NONE"
            )
        assert error(exc) == (
            "ValidationException",
            f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            r"((?!^\d+$)^[0-9a-zA-Z-_]+$)",
        )
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.create_function_url_config(FunctionName="fn", Qualifier="blue", AuthType="NONE")
    assert error(exc)[1] == "Function does not exist"
    configs = client.list_function_url_configs(FunctionName="fn")["FunctionUrlConfigs"]
    assert [c["FunctionArn"] for c in configs] == [f"{ARN}:live", ARN]


def test_one_url_per_qualifier(client, fn):
    client.create_function_url_config(FunctionName="fn", AuthType="NONE")
    with pytest.raises(client.exceptions.ResourceConflictException) as exc:
        client.create_function_url_config(FunctionName="fn", AuthType="AWS_IAM")
    assert error(exc)[1] == (
        f"Failed to create function url config for [functionArn = {ARN}]. Error message:  "
        "FunctionUrlConfig exists for this Lambda function"
    )


def test_update_function_url(cloud, client, fn):
    created = client.create_function_url_config(FunctionName="fn", AuthType="NONE")
    cloud.clock.advance(90)
    updated = client.update_function_url_config(
        FunctionName="fn", AuthType="AWS_IAM", Cors={"AllowCredentials": True}
    )
    assert updated["FunctionUrl"] == created["FunctionUrl"]
    assert updated["AuthType"] == "AWS_IAM"
    assert updated["Cors"] == {"AllowCredentials": True}
    assert updated["CreationTime"] == created["CreationTime"]
    assert updated["LastModifiedTime"] == "2026-03-01T12:01:30.000000Z"
    again = client.update_function_url_config(FunctionName="fn", InvokeMode="RESPONSE_STREAM")
    assert again["AuthType"] == "AWS_IAM" and again["InvokeMode"] == "RESPONSE_STREAM"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.update_function_url_config(FunctionName="fn", Qualifier="live", AuthType="NONE")
    assert error(exc)[1] == "The resource you requested does not exist."


def test_delete_function_url(client, fn):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.delete_function_url_config(FunctionName="fn")
    assert error(exc)[1] == "The resource you requested does not exist."
    client.create_function_url_config(FunctionName="fn", AuthType="NONE")
    client.delete_function_url_config(FunctionName="fn")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.get_function_url_config(FunctionName="fn")
    assert error(exc)[1] == "The resource you requested does not exist."
    assert client.list_function_url_configs(FunctionName="fn")["FunctionUrlConfigs"] == []


def test_function_url_errors(client, fn):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.create_function_url_config(FunctionName="nope", AuthType="NONE")
    assert error(exc)[1] == "Function does not exist"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.list_function_url_configs(FunctionName="nope")
    assert error(exc)[1] == "Function does not exist"
    with pytest.raises(ClientError) as exc:
        client.create_function_url_config(FunctionName="fn", AuthType="OPEN")
    assert error(exc) == (
        "ValidationException",
        "1 validation error detected: Value 'OPEN' at 'authType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [AWS_IAM, NONE]",
    )
    with pytest.raises(ClientError) as exc:
        client.create_function_url_config(FunctionName="fn", AuthType="NONE", InvokeMode="FAST")
    assert error(exc)[1] == (
        "1 validation error detected: Value 'FAST' at 'invokeMode' failed to satisfy constraint: "
        "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]"
    )
    with pytest.raises(ClientError) as exc:
        client.create_function_url_config(
            FunctionName="fn", AuthType="NONE", Cors={"MaxAge": 86401}
        )
    assert "Member must have value less than or equal to 86400" in error(exc)[1]
    with pytest.raises(client.exceptions.ResourceNotFoundException):  # nothing was created
        client.get_function_url_config(FunctionName="fn")


def test_urls_come_from_the_seeded_random(client, fn):
    first = client.create_function_url_config(FunctionName="fn", AuthType="NONE")["FunctionUrl"]
    with mock_serverless(fresh=True, clock="frozen", region=REGION, start=START):
        again = boto3.client("lambda", region_name=REGION)
        create(again)
        second = again.create_function_url_config(FunctionName="fn", AuthType="NONE")
    assert second["FunctionUrl"] == first
