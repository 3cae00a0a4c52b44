"""Function resource policies through boto3: AddPermission, RemovePermission, GetPolicy."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

ACCOUNT = "123456789012"
REGION = "us-east-2"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-function"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"


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


@pytest.fixture
def fn(client):
    client.create_function(
        FunctionName="my-function",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": lambda_zip()},
    )
    return "my-function"


def error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def add(client, sid="s3", **kwargs):
    params = {"FunctionName": "my-function", "StatementId": sid, "Action": "lambda:InvokeFunction"}
    params.setdefault("Principal", "s3.amazonaws.com")
    params.update(kwargs)
    return client.add_permission(**params)


# -- statements and the policy document ---------------------------------------------------
def test_service_principal_statement_is_the_aws_example(client, fn):
    response = add(
        client,
        SourceAccount=ACCOUNT,
        SourceArn="arn:aws:s3:::my-bucket-1xpuxmplzrlbh",
    )
    assert response["Statement"] == (
        '{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},'
        '"Action":"lambda:InvokeFunction","Resource":"' + ARN + '",'
        '"Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"},'
        '"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket-1xpuxmplzrlbh"}}}'
    )
    policy = client.get_policy(FunctionName="my-function")
    assert policy["Policy"] == (
        '{"Version":"2012-10-17","Id":"default","Statement":[' + response["Statement"] + "]}"
    )


def test_account_principal_becomes_its_root_arn(client, fn):
    statement = json.loads(add(client, "xaccount", Principal="223456789012")["Statement"])
    assert statement == {
        "Sid": "xaccount",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::223456789012:root"},
        "Action": "lambda:InvokeFunction",
        "Resource": ARN,
    }


@pytest.mark.parametrize(
    ("principal", "element"),
    [
        ("*", "*"),
        ("arn:aws:iam::223456789012:role/caller", {"AWS": "arn:aws:iam::223456789012:role/caller"}),
        ("arn:aws:iam::223456789012:root", {"AWS": "arn:aws:iam::223456789012:root"}),
        ("sns.amazonaws.com", {"Service": "sns.amazonaws.com"}),
    ],
)
def test_principal_forms(client, fn, principal, element):
    statement = json.loads(add(client, Principal=principal)["Statement"])
    assert statement["Principal"] == element


def test_invalid_principal(client, fn):
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        add(client, Principal="not-a-principal")
    assert error(exc) == (
        "InvalidParameterValueException",
        "The provided principal was invalid. Please check the principal and try again.",
    )
    assert exc.value.response["Type"] == "User"


def test_condition_keys(client, fn):
    statement = json.loads(
        add(
            client,
            "url",
            Action="lambda:InvokeFunctionUrl",
            Principal="*",
            FunctionUrlAuthType="NONE",
            PrincipalOrgID="o-a1b2c3d4e5",
            EventSourceToken="token-1",
        )["Statement"]
    )
    assert statement["Condition"] == {
        "StringEquals": {
            "lambda:FunctionUrlAuthType": "NONE",
            "aws:PrincipalOrgID": "o-a1b2c3d4e5",
            "lambda:EventSourceToken": "token-1",
        }
    }
    statement = json.loads(
        add(client, "via-url", Principal="*", InvokedViaFunctionUrl=True)["Statement"]
    )
    assert statement["Condition"] == {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}


def test_statements_keep_their_order(client, fn):
    for sid in ("a", "b", "c"):
        add(client, sid)
    policy = json.loads(client.get_policy(FunctionName="my-function")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["a", "b", "c"]


# -- request validation ---------------------------------------------------------------------
def test_statement_id_pattern(client, fn):
    with pytest.raises(ClientError) as exc:
        add(client, "bad sid")
    assert error(exc) == (
        "ValidationException",
        "1 validation error detected: Value 'bad sid' at 'statementId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
    )


def test_action_pattern(client, fn):
    with pytest.raises(ClientError) as exc:
        add(client, Action="s3:GetObject")
    assert error(exc) == (
        "ValidationException",
        "1 validation error detected: Value 's3:GetObject' at 'action' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "(lambda:[*]|lambda:[a-zA-Z]+|[*])",
    )
    add(client, "all", Action="lambda:*")
    add(client, "get", Action="lambda:GetFunction")


def test_source_account_pattern(client, fn):
    with pytest.raises(ClientError) as exc:
        add(client, SourceAccount="12345")
    assert error(exc)[0] == "ValidationException"
    assert "at 'sourceAccount'" in error(exc)[1]


def test_duplicate_statement_id(client, fn):
    add(client)
    with pytest.raises(client.exceptions.ResourceConflictException) as exc:
        add(client, Principal="sns.amazonaws.com")
    assert error(exc) == (
        "ResourceConflictException",
        "The statement id (s3) provided already exists. Please provide a new statement id, or "
        "remove the existing statement.",
    )


def test_missing_function(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        add(client)
    assert error(exc) == ("ResourceNotFoundException", f"Function not found: {ARN}")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.get_policy(FunctionName="my-function")
    assert error(exc) == ("ResourceNotFoundException", f"Function not found: {ARN}")


def test_policy_size_limit(client, fn):
    source = "arn:aws:s3:::" + "b" * 200
    with pytest.raises(client.exceptions.PolicyLengthExceededException) as exc:
        for i in range(100):
            add(client, f"statement-{i}", SourceArn=source)
    code, message = error(exc)
    assert code == "PolicyLengthExceededException"
    assert message.startswith("The final policy size (")
    assert message.endswith(") is bigger than the limit (20480).")
    size = int(message.split("(")[1].split(")")[0])
    assert size > 20480
    policy = client.get_policy(FunctionName="my-function")["Policy"]
    assert len(policy) <= 20480  # the refused statement was not added


# -- qualifiers ---------------------------------------------------------------------------
def test_policies_per_version_and_alias(client, fn):
    version = client.publish_version(FunctionName="my-function")["Version"]
    client.create_alias(FunctionName="my-function", Name="prod", FunctionVersion=version)
    add(client, "same", Qualifier=version)
    add(client, "same", Qualifier="prod")
    add(client, "same")  # the same id is fine in another qualifier's policy
    by_version = json.loads(
        client.get_policy(FunctionName="my-function", Qualifier=version)["Policy"]
    )
    assert by_version["Statement"][0]["Resource"] == f"{ARN}:{version}"
    by_alias = json.loads(client.get_policy(FunctionName="my-function:prod")["Policy"])
    assert by_alias["Statement"][0]["Resource"] == f"{ARN}:prod"
    unqualified = json.loads(client.get_policy(FunctionName="my-function")["Policy"])
    assert unqualified["Statement"][0]["Resource"] == ARN
    client.remove_permission(FunctionName="my-function", StatementId="same", Qualifier="prod")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_policy(FunctionName="my-function", Qualifier="prod")
    assert client.get_policy(FunctionName="my-function", Qualifier=version)["Policy"]


def test_latest_cannot_have_its_own_policy(client, fn):
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        add(client, Qualifier="$LATEST")
    assert error(exc) == (
        "InvalidParameterValueException",
        "We currently do not support adding policies for $LATEST.",
    )


def test_missing_alias_and_version(client, fn):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        add(client, Qualifier="prod")
    assert error(exc) == ("ResourceNotFoundException", f"Cannot find alias arn: {ARN}:prod")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        add(client, Qualifier="7")
    assert error(exc) == ("ResourceNotFoundException", f"Function not found: {ARN}:7")


def test_qualifier_must_match_the_name(client, fn):
    with pytest.raises(client.exceptions.InvalidParameterValueException) as exc:
        add(client, FunctionName="my-function:1", Qualifier="2")
    assert error(exc)[1] == (
        "The derived qualifier from the function name does not match the specified qualifier."
    )


# -- removing and reading -------------------------------------------------------------------
def test_remove_permission(client, fn):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.remove_permission(FunctionName="my-function", StatementId="s3")
    assert error(exc) == (
        "ResourceNotFoundException",
        "No policy is associated with the given resource.",
    )
    add(client)
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.remove_permission(FunctionName="my-function", StatementId="other")
    assert error(exc) == (
        "ResourceNotFoundException",
        "Statement other is not found in resource policy.",
    )
    client.remove_permission(FunctionName="my-function", StatementId="s3")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.get_policy(FunctionName="my-function")
    assert error(exc) == ("ResourceNotFoundException", "The resource you requested does not exist.")


def test_get_policy_without_policy(client, fn):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
        client.get_policy(FunctionName="my-function")
    assert error(exc) == ("ResourceNotFoundException", "The resource you requested does not exist.")


# -- revision ids -------------------------------------------------------------------------------
def test_revision_id_is_the_functions(client, fn):
    before = client.get_function(FunctionName="my-function")["Configuration"]["RevisionId"]
    add(client)
    policy = client.get_policy(FunctionName="my-function")
    after = client.get_function(FunctionName="my-function")["Configuration"]["RevisionId"]
    assert after != before
    assert policy["RevisionId"] == after


def test_stale_revision_id_is_refused(client, fn):
    revision = client.get_function(FunctionName="my-function")["Configuration"]["RevisionId"]
    add(client, "first", RevisionId=revision)
    message = (
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id"
    )
    with pytest.raises(client.exceptions.PreconditionFailedException) as exc:
        add(client, "second", RevisionId=revision)
    assert error(exc) == ("PreconditionFailedException", message)
    with pytest.raises(client.exceptions.PreconditionFailedException):
        client.remove_permission(
            FunctionName="my-function", StatementId="first", RevisionId=revision
        )
    current = client.get_policy(FunctionName="my-function")["RevisionId"]
    client.remove_permission(FunctionName="my-function", StatementId="first", RevisionId=current)


def test_alias_revision_id(client, fn):
    version = client.publish_version(FunctionName="my-function")["Version"]
    alias = client.create_alias(FunctionName="my-function", Name="live", FunctionVersion=version)
    add(client, Qualifier="live", RevisionId=alias["RevisionId"])
    revision = client.get_alias(FunctionName="my-function", Name="live")["RevisionId"]
    assert revision != alias["RevisionId"]
    assert client.get_policy(FunctionName="my-function", Qualifier="live")["RevisionId"] == revision


def test_iam_action_and_resource(cloud, client, fn):
    add(client)
    call = cloud.calls.where(operation="AddPermission")[-1]
    assert (call.action, call.resources) == ("lambda:AddPermission", [ARN])
    with pytest.raises(ClientError):
        client.get_policy(FunctionName="my-function", Qualifier="7")
    call = cloud.calls.where(operation="GetPolicy")[-1]
    assert (call.action, call.resources) == ("lambda:GetPolicy", [f"{ARN}:7"])
