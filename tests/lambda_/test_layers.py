"""Lambda layers through boto3: versions, listing, deletion, permissions, cross-account use."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import UnsupportedOperation, mock_serverless

ACCOUNT = "123456789012"
OTHER = "210987654321"
THIRD = "333333333333"
REGION = "us-east-2"
LAYER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:my-layer"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")


def lambda_zip(files: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (files or {"python/lib.py": "VALUE = 1\n"}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region=REGION) as cloud:
        yield cloud


@pytest.fixture
def client(cloud):
    return boto3.client("lambda", region_name=REGION)


@pytest.fixture
def other(cloud):
    """A client of another account."""
    return cloud.session(OTHER, REGION).client("lambda")


def error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def publish(client, name="my-layer", zip_bytes=None, **kwargs):
    return client.publish_layer_version(
        LayerName=name, Content={"ZipFile": zip_bytes or lambda_zip()}, **kwargs
    )


# -- publishing and reading -----------------------------------------------------------------
def test_publish_layer_version(client):
    data = lambda_zip()
    response = publish(
        client,
        zip_bytes=data,
        Description="My Python layer",
        CompatibleRuntimes=["python3.11", "python3.12"],
        CompatibleArchitectures=["arm64"],
        LicenseInfo="MIT",
    )
    assert response["LayerArn"] == LAYER_ARN
    assert response["LayerVersionArn"] == f"{LAYER_ARN}:1"
    assert response["Version"] == 1
    assert response["Description"] == "My Python layer"
    assert response["CompatibleRuntimes"] == ["python3.11", "python3.12"]
    assert response["CompatibleArchitectures"] == ["arm64"]
    assert response["LicenseInfo"] == "MIT"
    assert DATE.fullmatch(response["CreatedDate"])
    content = response["Content"]
    assert content["CodeSha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert content["CodeSize"] == len(data)
    assert content["Location"].startswith("https://")
    assert publish(client)["Version"] == 2


def test_get_layer_version_by_name_arn_and_version_arn(client):
    published = publish(client, Description="d")
    published.pop("ResponseMetadata")
    by_name = client.get_layer_version(LayerName="my-layer", VersionNumber=1)
    by_layer_arn = client.get_layer_version(LayerName=LAYER_ARN, VersionNumber=1)
    by_arn = client.get_layer_version_by_arn(Arn=f"{LAYER_ARN}:1")
    for response in (by_name, by_layer_arn, by_arn):
        response.pop("ResponseMetadata")
        assert response == published


def test_optional_members_are_left_out(client):
    response = publish(client)
    assert response["Description"] == ""
    for member in ("CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"):
        assert member not in response


def test_missing_layer_version(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.get_layer_version(LayerName="my-layer", VersionNumber=1)
    assert error(exc) == ("ResourceNotFoundException", "The resource you requested does not exist.")
    publish(client)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_layer_version_by_arn(Arn=f"{LAYER_ARN}:2")
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.get_layer_version(LayerName="my-layer", VersionNumber=0)
    assert error(exc) == ("InvalidParameterValueException", "Layer Version Cannot be less than 1")


def test_layer_name_rules(client):
    with pytest.raises(ClientError) as exc:
        publish(client, name="lambda-kata-nodejs-nodejs18.x-x86_64")
    assert error(exc) == (
        "ValidationException",
        "1 validation error detected: Value 'lambda-kata-nodejs-nodejs18.x-x86_64' at "
        "'layerName' failed to satisfy constraint: Member must satisfy regular expression "
        "pattern: [a-zA-Z0-9-_]+",
    )
    with pytest.raises(ClientError) as exc:
        client.get_layer_version_by_arn(Arn="arn:aws:lambda:us-east-2:123:layer:x:1")
    assert error(exc)[0] == "ValidationException"
    assert "at 'arn' failed to satisfy constraint" in error(exc)[1]
    with pytest.raises(ClientError) as exc:
        publish(client, name="x" * 141)
    assert "Member must have length less than or equal to 140" in error(exc)[1]


def test_compatible_runtimes_and_architectures_are_checked(client):
    with pytest.raises(ClientError) as exc:
        publish(client, CompatibleRuntimes=["python3.12"] * 16)
    assert error(exc)[0] == "ValidationException"
    assert (
        "at 'compatibleRuntimes' failed to satisfy constraint: Member must have length "
        in (error(exc)[1])
    )
    with pytest.raises(ClientError) as exc:
        publish(client, CompatibleRuntimes=["cobol"])
    assert error(exc)[1].startswith(
        "1 validation error detected: Value '[cobol]' at 'compatibleRuntimes' failed to satisfy "
        "constraint: Member must satisfy enum value set: ["
    )
    with pytest.raises(ClientError) as exc:
        publish(client, CompatibleRuntimes=["cobol"], CompatibleArchitectures=["mips"])
    assert error(exc)[1].startswith("2 validation errors detected: ")
    assert (
        "Value '[mips]' at 'compatibleArchitectures' failed to satisfy constraint: Member must "
        "satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]"
    ) in error(exc)[1]
    with pytest.raises(ClientError) as exc:
        publish(client, CompatibleArchitectures=["x86_64", "arm64", "x86_64"])
    assert "Member must have length less than or equal to 2" in error(exc)[1]
    with pytest.raises(ClientError) as exc:
        publish(client, Description="d" * 257)
    assert "Member must have length less than or equal to 256" in error(exc)[1]


def test_content_must_be_a_zip(client):
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        publish(client, zip_bytes=b"not a zip")
    assert error(exc)[1] == (
        "Could not unzip uploaded file. Please check your file, then try to upload again."
    )
    with pytest.raises(UnsupportedOperation, match="S3"):
        client.publish_layer_version(
            LayerName="my-layer", Content={"S3Bucket": "bucket", "S3Key": "layer.zip"}
        )
    with pytest.raises(client.exceptions.ResourceNotFoundException):  # nothing was published
        client.get_layer_version(LayerName="my-layer", VersionNumber=1)


# -- listing ----------------------------------------------------------------------------------
def test_list_layer_versions_newest_first_with_filters(client):
    publish(client, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"])
    publish(client, CompatibleRuntimes=["nodejs20.x"], CompatibleArchitectures=["arm64"])
    publish(client, CompatibleRuntimes=["python3.12", "nodejs20.x"])
    versions = client.list_layer_versions(LayerName="my-layer")["LayerVersions"]
    assert [v["Version"] for v in versions] == [3, 2, 1]
    assert versions[0] == {
        "LayerVersionArn": f"{LAYER_ARN}:3",
        "Version": 3,
        "Description": "",
        "CreatedDate": versions[0]["CreatedDate"],
        "CompatibleRuntimes": ["python3.12", "nodejs20.x"],
    }
    python = client.list_layer_versions(LayerName="my-layer", CompatibleRuntime="python3.12")
    assert [v["Version"] for v in python["LayerVersions"]] == [3, 1]
    arm = client.list_layer_versions(LayerName="my-layer", CompatibleArchitecture="arm64")
    assert [v["Version"] for v in arm["LayerVersions"]] == [2]
    both = client.list_layer_versions(
        LayerName=LAYER_ARN, CompatibleRuntime="python3.12", CompatibleArchitecture="x86_64"
    )
    assert [v["Version"] for v in both["LayerVersions"]] == [1]
    assert client.list_layer_versions(LayerName="nothing")["LayerVersions"] == []


def test_list_layer_versions_pages(client):
    for _ in range(5):
        publish(client)
    first = client.list_layer_versions(LayerName="my-layer", MaxItems=2)
    assert [v["Version"] for v in first["LayerVersions"]] == [5, 4]
    second = client.list_layer_versions(
        LayerName="my-layer", MaxItems=2, Marker=first["NextMarker"]
    )
    assert [v["Version"] for v in second["LayerVersions"]] == [3, 2]
    pages = client.get_paginator("list_layer_versions").paginate(
        LayerName="my-layer", PaginationConfig={"PageSize": 2}
    )
    assert [v["Version"] for page in pages for v in page["LayerVersions"]] == [5, 4, 3, 2, 1]
    with pytest.raises(ClientError) as exc:
        client.list_layer_versions(LayerName="my-layer", MaxItems=51)
    assert "Member must have value less than or equal to 50" in error(exc)[1]


def test_list_layers_latest_matching_version(client):
    publish(client, "alpha", CompatibleRuntimes=["python3.12"], Description="py")
    publish(client, "alpha", CompatibleRuntimes=["nodejs20.x"], Description="node")
    publish(client, "beta", CompatibleRuntimes=["nodejs20.x"], CompatibleArchitectures=["arm64"])
    layers = client.list_layers()["Layers"]
    assert [(item["LayerName"], item["LatestMatchingVersion"]["Version"]) for item in layers] == [
        ("alpha", 2),
        ("beta", 1),
    ]
    assert layers[0]["LayerArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:alpha"
    python = client.list_layers(CompatibleRuntime="python3.12")["Layers"]
    assert [(i["LayerName"], i["LatestMatchingVersion"]["Description"]) for i in python] == [
        ("alpha", "py")
    ]
    arm = client.list_layers(CompatibleArchitecture="arm64")["Layers"]
    assert [i["LayerName"] for i in arm] == ["beta"]
    with pytest.raises(ClientError) as exc:
        client.list_layers(CompatibleRuntime="cobol")
    assert error(exc)[0] == "ValidationException"
    assert "Value 'cobol' at 'compatibleRuntime' failed to satisfy constraint" in error(exc)[1]


def test_list_layers_pages(client):
    for name in ("a", "b", "c"):
        publish(client, name)
    first = client.list_layers(MaxItems=2)
    assert [i["LayerName"] for i in first["Layers"]] == ["a", "b"]
    rest = client.list_layers(MaxItems=2, Marker=first["NextMarker"])
    assert [i["LayerName"] for i in rest["Layers"]] == ["c"]
    assert "NextMarker" not in rest
    pages = client.get_paginator("list_layers").paginate(PaginationConfig={"PageSize": 1})
    assert [i["LayerName"] for page in pages for i in page["Layers"]] == ["a", "b", "c"]


# -- deleting ---------------------------------------------------------------------------------
def test_delete_layer_version_is_idempotent_and_numbers_are_not_reused(client):
    publish(client)
    publish(client)
    client.delete_layer_version(LayerName="my-layer", VersionNumber=2)
    client.delete_layer_version(LayerName="my-layer", VersionNumber=2)
    client.delete_layer_version(LayerName="never", VersionNumber=1)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_layer_version(LayerName="my-layer", VersionNumber=2)
    assert publish(client)["Version"] == 3
    client.delete_layer_version(LayerName="my-layer", VersionNumber=1)
    client.delete_layer_version(LayerName="my-layer", VersionNumber=3)
    assert client.list_layers()["Layers"] == []
    assert publish(client)["Version"] == 4


def test_function_keeps_a_deleted_layer(client):
    arn = publish(client, CompatibleRuntimes=["python3.12"])["LayerVersionArn"]
    code = lambda_zip({"app.py": "from lib import VALUE\ndef handler(e, c):\n    return VALUE\n"})
    client.create_function(
        FunctionName="uses-layer",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": code},
        Layers=[arn],
    )
    client.delete_layer_version(LayerName="my-layer", VersionNumber=1)
    config = client.get_function_configuration(FunctionName="uses-layer")
    assert [layer["Arn"] for layer in config["Layers"]] == [arn]
    result = client.invoke(FunctionName="uses-layer", Payload=b"{}")
    assert json.loads(result["Payload"].read()) == 1


def test_create_function_with_a_missing_layer(client):
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        client.create_function(
            FunctionName="f",
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": lambda_zip({"app.py": ""})},
            Layers=[f"{LAYER_ARN}:1"],
        )
    assert error(exc) == (
        "InvalidParameterValueException",
        f"Layer version {LAYER_ARN}:1 does not exist.",
    )


# -- layer version permissions ------------------------------------------------------------------
def test_add_layer_version_permission_statement(client):
    publish(client)
    response = client.add_layer_version_permission(
        LayerName="my-layer",
        VersionNumber=1,
        StatementId="xaccount",
        Action="lambda:GetLayerVersion",
        Principal="223456789012",
    )
    assert response["Statement"] == (
        '{"Sid":"xaccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::223456789012:root"},'
        '"Action":"lambda:GetLayerVersion","Resource":"' + LAYER_ARN + ':1"}'
    )
    public = client.add_layer_version_permission(
        LayerName="my-layer",
        VersionNumber=1,
        StatementId="publish",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    assert json.loads(public["Statement"])["Principal"] == "*"
    org = client.add_layer_version_permission(
        LayerName="my-layer",
        VersionNumber=1,
        StatementId="org",
        Action="lambda:GetLayerVersion",
        Principal="*",
        OrganizationId="o-a1b2c3d4e5",
    )
    assert json.loads(org["Statement"])["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}
    }
    policy = client.get_layer_version_policy(LayerName="my-layer", VersionNumber=1)
    assert policy["RevisionId"] == org["RevisionId"]
    assert policy["Policy"] == (
        '{"Version":"2012-10-17","Id":"default","Statement":['
        + ",".join([response["Statement"], public["Statement"], org["Statement"]])
        + "]}"
    )


def test_layer_permission_errors(client):
    params = {
        "LayerName": "my-layer",
        "VersionNumber": 1,
        "StatementId": "s",
        "Action": "lambda:GetLayerVersion",
        "Principal": "*",
    }
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.add_layer_version_permission(**params)
    assert error(exc) == (
        "ResourceNotFoundException",
        f"Layer version {LAYER_ARN}:1 does not exist.",
    )
    publish(client)
    with pytest.raises(ClientError) as exc:
        client.add_layer_version_permission(**{**params, "Action": "lambda:InvokeFunction"})
    assert error(exc) == (
        "ValidationException",
        "1 validation error detected: Value 'lambda:InvokeFunction' at 'action' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "lambda:GetLayerVersion",
    )
    with pytest.raises(ClientError) as exc:
        client.add_layer_version_permission(**{**params, "Principal": "s3.amazonaws.com"})
    assert error(exc)[0] == "ValidationException"
    assert "at 'principal'" in error(exc)[1]
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.get_layer_version_policy(LayerName="my-layer", VersionNumber=1)
    assert error(exc)[1] == "No policy is associated with the given resource."
    first = client.add_layer_version_permission(**params)
    with pytest.raises(client.exceptions.ResourceConflictException) as exc:
        client.add_layer_version_permission(**params)
    assert error(exc)[1] == (
        "The statement id (s) provided already exists. Please provide a new statement id, or "
        "remove the existing statement."
    )
    with pytest.raises(client.exceptions.PreconditionFailedException) as exc:
        client.add_layer_version_permission(**{**params, "StatementId": "t", "RevisionId": "x"})
    assert error(exc)[1] == (
        "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy "
        "API to retrieve the latest Revision Id"
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.remove_layer_version_permission(
            LayerName="my-layer", VersionNumber=1, StatementId="u"
        )
    assert error(exc)[1] == "Statement u is not found in resource policy."
    client.remove_layer_version_permission(
        LayerName="my-layer", VersionNumber=1, StatementId="s", RevisionId=first["RevisionId"]
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_layer_version_policy(LayerName="my-layer", VersionNumber=1)


# -- other accounts -----------------------------------------------------------------------------
def test_other_account_needs_a_permission(client, other):
    arn = publish(client)["LayerVersionArn"]
    with pytest.raises(ClientError) as exc:
        other.get_layer_version_by_arn(Arn=arn)
    code, message = error(exc)
    assert code == "AccessDeniedException"
    assert message == (
        f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: lambda:GetLayerVersion on "
        f"resource: {arn} because no resource-based policy allows the lambda:GetLayerVersion action"
    )
    client.add_layer_version_permission(
        LayerName="my-layer",
        VersionNumber=1,
        StatementId="third",
        Action="lambda:GetLayerVersion",
        Principal=THIRD,
    )
    with pytest.raises(ClientError):  # a grant to another account does not help
        other.get_layer_version(LayerName=LAYER_ARN, VersionNumber=1)
    client.add_layer_version_permission(
        LayerName="my-layer",
        VersionNumber=1,
        StatementId="other",
        Action="lambda:GetLayerVersion",
        Principal=OTHER,
    )
    assert other.get_layer_version_by_arn(Arn=arn)["LayerVersionArn"] == arn
    assert other.get_layer_version(LayerName=LAYER_ARN, VersionNumber=1)["Version"] == 1
    # The grant is for that version only.
    publish(client)
    with pytest.raises(ClientError) as exc:
        other.get_layer_version_by_arn(Arn=f"{LAYER_ARN}:2")
    assert error(exc)[0] == "AccessDeniedException"


def test_public_layer_in_another_accounts_function(client, other):
    arn = publish(client, zip_bytes=lambda_zip({"python/shared.py": "NAME = 'shared'\n"}))[
        "LayerVersionArn"
    ]
    code = lambda_zip({"app.py": "import shared\ndef handler(e, c):\n    return shared.NAME\n"})
    params = {
        "FunctionName": "consumer",
        "Runtime": "python3.12",
        "Role": f"arn:aws:iam::{OTHER}:role/r",
        "Handler": "app.handler",
        "Code": {"ZipFile": code},
        "Layers": [arn],
    }
    with pytest.raises(ClientError) as exc:
        other.create_function(**params)
    assert error(exc)[0] == "AccessDeniedException"
    client.add_layer_version_permission(
        LayerName="my-layer",
        VersionNumber=1,
        StatementId="public",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    other.create_function(**params)
    assert json.loads(other.invoke(FunctionName="consumer")["Payload"].read()) == "shared"


def test_other_account_cannot_change_or_list_the_layer(client, other):
    publish(client)
    with pytest.raises(ClientError) as exc:
        other.add_layer_version_permission(
            LayerName=LAYER_ARN,
            VersionNumber=1,
            StatementId="me",
            Action="lambda:GetLayerVersion",
            Principal=OTHER,
        )
    assert error(exc)[0] == "AccessDeniedException"
    with pytest.raises(ClientError) as exc:
        other.list_layer_versions(LayerName=LAYER_ARN)
    assert error(exc)[0] == "AccessDeniedException"
    assert other.list_layers()["Layers"] == []


def test_iam_resources(cloud, client):
    publish(client)
    client.get_layer_version(LayerName="my-layer", VersionNumber=1)
    client.list_layer_versions(LayerName="my-layer")
    client.list_layers()
    resources = {c.operation: (c.action, c.resources) for c in cloud.calls}
    assert resources["PublishLayerVersion"] == ("lambda:PublishLayerVersion", [LAYER_ARN])
    assert resources["GetLayerVersion"] == ("lambda:GetLayerVersion", [f"{LAYER_ARN}:1"])
    assert resources["ListLayerVersions"] == ("lambda:ListLayerVersions", [LAYER_ARN])
    assert resources["ListLayers"] == ("lambda:ListLayers", ["*"])
