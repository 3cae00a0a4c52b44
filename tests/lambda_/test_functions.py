"""Lambda functions through boto3: create, read, list, update, delete, lifecycle and tags."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from datetime import datetime, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
START = datetime(2026, 5, 4, 12, 30, tzinfo=timezone.utc)


def make_zip(files: dict[str, bytes | str] | None = None, method=zipfile.ZIP_DEFLATED) -> bytes:
    """A deployment package with fixed timestamps (so its CodeSha256 is stable)."""
    files = files or {"app.py": "def handler(event, context):\n    return event\n"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            archive.writestr(info, content)
    return buffer.getvalue()


CODE = make_zip()


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", start=START, region=REGION) as cloud:
        yield cloud


@pytest.fixture
def lam(cloud):
    return boto3.client("lambda", region_name=REGION)


def error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def create(lam, name="fn", **kwargs):
    params = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "app.handler",
        "Code": {"ZipFile": CODE},
    }
    params.update(kwargs)
    return lam.create_function(**params)


def failing(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call(*args, **kwargs)
    return error(exc)


# -- create and read -------------------------------------------------------------------------
def test_create_returns_pending_configuration_then_active(cloud, lam):
    created = create(lam, Description="d", Timeout=30, MemorySize=256)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionName"] == "fn"
    assert created["FunctionArn"] == f"{ARN}:fn"
    assert created["Version"] == "$LATEST"
    assert created["State"] == "Pending"
    assert created["StateReason"] == "The function is being created."
    assert created["StateReasonCode"] == "Creating"
    assert "LastUpdateStatus" not in created
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(CODE).digest()).decode()
    assert created["CodeSize"] == len(CODE)
    assert (created["Timeout"], created["MemorySize"], created["Description"]) == (30, 256, "d")
    assert created["PackageType"] == "Zip"
    assert created["Architectures"] == ["x86_64"]
    assert created["EphemeralStorage"] == {"Size": 512}
    assert created["TracingConfig"] == {"Mode": "PassThrough"}
    assert created["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert created["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/fn"}
    assert created["LastModified"] == "2026-05-04T12:30:00.000+0000"

    config = lam.get_function_configuration(FunctionName="fn")
    assert config["State"] == "Active"
    assert "StateReason" not in config
    assert config["LastUpdateStatus"] == "Successful"
    assert config["RevisionId"] != created["RevisionId"]


def test_state_delay_keeps_the_function_pending_on_the_virtual_clock(cloud, lam):
    cloud.settings.lambda_.state_delay = 30
    create(lam)
    assert lam.get_function(FunctionName="fn")["Configuration"]["State"] == "Pending"
    code, message = failing(lam.update_function_configuration, FunctionName="fn", Timeout=5)
    assert code == "ResourceConflictException"
    assert message == (
        "The operation cannot be performed at this time. The function is currently in the "
        "following state: Pending"
    )
    cloud.clock.advance(29)
    assert lam.get_function(FunctionName="fn")["Configuration"]["State"] == "Pending"
    cloud.clock.advance(1)
    assert lam.get_function(FunctionName="fn")["Configuration"]["State"] == "Active"


def test_waiters_poll_on_the_virtual_clock(cloud, lam):
    cloud.settings.lambda_.state_delay = 12
    start = cloud.clock.time()
    create(lam)
    lam.get_waiter("function_exists").wait(FunctionName="fn")
    lam.get_waiter("function_active_v2").wait(FunctionName="fn")
    assert lam.get_function(FunctionName="fn")["Configuration"]["State"] == "Active"
    assert cloud.clock.time() - start >= 12
    updated = lam.update_function_code(FunctionName="fn", ZipFile=make_zip({"app.py": "x = 1"}))
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["LastUpdateStatusReason"] == "The function is being created."
    lam.get_waiter("function_updated_v2").wait(FunctionName="fn")
    lam.get_waiter("function_updated").wait(FunctionName="fn")
    assert lam.get_function_configuration(FunctionName="fn")["LastUpdateStatus"] == "Successful"
    lam.get_waiter("function_active").wait(FunctionName="fn")


def test_function_exists_waiter_gives_up_on_a_missing_function(lam):
    from botocore.exceptions import WaiterError

    with pytest.raises(WaiterError):
        lam.get_waiter("function_exists").wait(
            FunctionName="nope", WaiterConfig={"Delay": 1, "MaxAttempts": 2}
        )


def test_get_function_code_location_tags_and_concurrency(cloud, lam):
    create(lam, Tags={"team": "a"})
    response = lam.get_function(FunctionName="fn")
    assert response["Configuration"]["FunctionArn"] == f"{ARN}:fn"
    location = response["Code"]["Location"]
    assert response["Code"]["RepositoryType"] == "S3"
    assert location.startswith(f"https://awslambda-{REGION}-tasks.s3.{REGION}.amazonaws.com/")
    assert "X-Amz-Signature=" in location and "X-Amz-Expires=600" in location
    assert response["Tags"] == {"team": "a"}
    assert "Concurrency" not in response
    create(lam, "plain")
    assert "Tags" not in lam.get_function(FunctionName="plain")


def test_create_with_every_stored_setting_echoes_it(lam):
    subnet, group = "subnet-0123456789abcdef0", "sg-0123456789abcdef0"
    created = create(
        lam,
        Environment={"Variables": {"STAGE": "prod", "TZ": "UTC"}},
        VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]},
        DeadLetterConfig={"TargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"},
        KMSKeyArn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234",
        TracingConfig={"Mode": "Active"},
        Architectures=["arm64"],
        EphemeralStorage={"Size": 2048},
        FileSystemConfigs=[
            {
                "Arn": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:access-point/"
                "fsap-0123456789abcdef0",
                "LocalMountPath": "/mnt/data",
            }
        ],
        SnapStart={"ApplyOn": "PublishedVersions"},
        LoggingConfig={"LogFormat": "JSON", "LogGroup": "/custom/group"},
    )
    assert created["Environment"] == {"Variables": {"STAGE": "prod", "TZ": "UTC"}}
    assert created["VpcConfig"]["SubnetIds"] == [subnet]
    assert created["VpcConfig"]["SecurityGroupIds"] == [group]
    assert created["VpcConfig"]["VpcId"].startswith("vpc-")
    assert created["DeadLetterConfig"] == {"TargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"}
    assert created["KMSKeyArn"].endswith("key/1234")
    assert created["TracingConfig"] == {"Mode": "Active"}
    assert created["Architectures"] == ["arm64"]
    assert created["EphemeralStorage"] == {"Size": 2048}
    assert created["FileSystemConfigs"][0]["LocalMountPath"] == "/mnt/data"
    assert created["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"}
    assert created["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": "/custom/group",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
    }


def test_image_functions(lam):
    uri = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app:latest"
    created = lam.create_function(
        FunctionName="img",
        Role=ROLE,
        PackageType="Image",
        Code={"ImageUri": uri},
        ImageConfig={"Command": ["app.handler"]},
    )
    assert created["PackageType"] == "Image"
    assert "Runtime" not in created and "Handler" not in created
    assert created["ImageConfigResponse"] == {"ImageConfig": {"Command": ["app.handler"]}}
    code = lam.get_function(FunctionName="img")["Code"]
    assert code["RepositoryType"] == "ECR" and code["ImageUri"] == uri
    assert code["ResolvedImageUri"].startswith(f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app@")
    assert failing(
        lam.create_function,
        FunctionName="img2",
        Role=ROLE,
        PackageType="Image",
        Runtime="python3.12",
        Code={"ImageUri": uri},
    ) == (
        "InvalidParameterValueException",
        "Please don't provide Handler or Runtime or Layer when the intended function "
        "PackageType is Image.",
    )
    assert failing(lam.update_function_code, FunctionName="img", ZipFile=CODE) == (
        "InvalidParameterValueException",
        "Please provide ImageUri when updating a function with packageType Image.",
    )
    create(lam, "zipped")
    assert failing(lam.update_function_code, FunctionName="zipped", ImageUri=uri) == (
        "InvalidParameterValueException",
        "Please don't provide ImageUri when updating a function with packageType Zip.",
    )


# -- validation ------------------------------------------------------------------------------
def test_runtime_and_handler_are_required_for_zip_packages(lam):
    message = (
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages."
    )
    assert failing(
        lam.create_function, FunctionName="f", Role=ROLE, Handler="a.b", Code={"ZipFile": CODE}
    ) == ("InvalidParameterValueException", message)
    assert failing(
        lam.create_function,
        FunctionName="f",
        Role=ROLE,
        Runtime="python3.12",
        Code={"ZipFile": CODE},
    ) == ("InvalidParameterValueException", message)
    # ImageUri is no source for a Zip package
    assert failing(
        create, lam, Code={"ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/a:1"}
    ) == ("InvalidParameterValueException", "Please provide a source for function code.")


def test_deprecated_and_unknown_runtimes(lam):
    assert failing(create, lam, Runtime="python3.7") == (
        "InvalidParameterValueException",
        "The runtime parameter of python3.7 is no longer supported for creating or updating AWS "
        "Lambda functions. We recommend you use a supported runtime while creating or updating "
        "functions.",
    )
    for runtime in ("python2.7", "python3.6", "python3.8", "nodejs12.x", "go1.x", "java8"):
        assert "is no longer supported" in failing(create, lam, Runtime=runtime)[1]
    code, message = failing(create, lam, Runtime="cobol85")
    assert code == "InvalidParameterValueException"
    assert message.startswith(
        "Value cobol85 at 'runtime' failed to satisfy constraint: Member must satisfy enum value "
        "set: [nodejs24.x, nodejs22.x"
    )
    assert message.endswith("] or be a valid ARN") and "python3.12" in message
    # provided runtimes take no handler
    lam.create_function(
        FunctionName="custom", Runtime="provided.al2023", Role=ROLE, Code={"ZipFile": CODE}
    )


def test_runtime_blocks_follow_the_virtual_calendar():
    start = datetime(2027, 1, 20, tzinfo=timezone.utc)
    with mock_serverless(clock="frozen", start=start, region=REGION) as cloud:
        lam = boto3.client("lambda", region_name=REGION)
        create(lam, "old", Runtime="python3.9")  # before "Block function create"
        cloud.clock.advance(15 * 86400)  # 2027-02-04: create blocked, update allowed
        assert "no longer supported" in failing(create, lam, "newer", Runtime="python3.9")[1]
        lam.update_function_configuration(FunctionName="old", Timeout=10)
        cloud.clock.advance(30 * 86400)  # 2027-03-06: updates blocked too
        code, message = failing(lam.update_function_configuration, FunctionName="old", Timeout=9)
        assert code == "InvalidParameterValueException"
        assert message.startswith("The runtime parameter of python3.9 is no longer supported")
        assert failing(lam.update_function_code, FunctionName="old", ZipFile=CODE)[0] == (
            "InvalidParameterValueException"
        )
        # moving to a supported runtime is the way out
        lam.update_function_configuration(FunctionName="old", Runtime="python3.13")
        # runtime_date pins the calendar, whatever the clock says
        cloud.settings.lambda_.runtime_date = "2027-01-31"
        create(lam, "pinned", Runtime="python3.9")
        cloud.settings.lambda_.runtime_date = "2027-02-01"
        assert "no longer supported" in failing(create, lam, "later", Runtime="python3.9")[1]


def test_model_constraints_are_validation_exceptions(lam):
    def pattern(value, member, regex):
        return (
            "ValidationException",
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {regex}",
        )

    assert failing(create, lam, Role="not-a-role") == pattern(
        "not-a-role", "role", r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
    )
    assert failing(create, lam, Handler="has space") == pattern("has space", "handler", r"[^\s]+")
    assert failing(create, lam, Timeout=901) == (
        "ValidationException",
        "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: "
        "Member must have value less than or equal to 900",
    )
    assert failing(create, lam, EphemeralStorage={"Size": 10241}) == (
        "ValidationException",
        "1 validation error detected: Value '10241' at 'ephemeralStorage.size' failed to "
        "satisfy constraint: Member must have value less than or equal to 10240",
    )
    code, message = failing(create, lam, Timeout=901, Description="x" * 257)
    assert code == "ValidationException" and message.startswith("2 validation errors detected")
    assert failing(create, lam, MemorySize=10241) == (
        "ValidationException",
        "'MemorySize' value failed to satisfy constraint: Member must have value less than or "
        "equal to 10240",
    )
    assert failing(create, lam, TracingConfig={"Mode": "Sometimes"})[1].endswith(
        "Member must satisfy enum value set: [Active, PassThrough]"
    )
    assert failing(create, lam, Architectures=["x86_64", "arm64"]) == (
        "ValidationException",
        "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to "
        "satisfy constraint: Member must have length less than or equal to 1",
    )
    assert "enum value set: [x86_64, arm64]" in failing(create, lam, Architectures=["sparc"])[1]
    assert failing(create, lam, Handler="h" * 129)[1].endswith(
        "Member must have length less than or equal to 128"
    )


def test_function_names(lam):
    code, message = failing(create, lam, "bad name!")
    assert code == "ValidationException"
    assert message.startswith(
        "1 validation error detected: Value 'bad name!' at 'functionName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
    )
    assert failing(create, lam, "n" * 65) == (
        "InvalidParameterValueException",
        f"1 validation error detected: Value '{'n' * 65}' at 'functionName' failed to satisfy "
        "constraint: Member must have length less than or equal to 64",
    )
    create(lam, "n" * 64)
    create(lam, f"{ACCOUNT}:function:by-partial-arn")
    create(lam, f"{ARN}:by-arn")
    assert {f["FunctionName"] for f in lam.list_functions()["Functions"]} == {
        "n" * 64,
        "by-partial-arn",
        "by-arn",
    }
    create(lam, "dup")
    assert failing(create, lam, "dup") == (
        "ResourceConflictException",
        "Function already exist: dup",
    )
    code, message = failing(create, lam, f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:far")
    assert code == "ResourceNotFoundException"
    assert message == "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"


def test_environment_variable_rules(lam):
    assert failing(create, lam, Environment={"Variables": {"AWS_REGION": "x", "A1": "y"}}) == (
        "InvalidParameterValueException",
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided contains reserved keys that are currently not supported "
        "for modification. Reserved keys used in this request: AWS_REGION",
    )
    message = failing(
        create,
        lam,
        Environment={"Variables": {"AWS_SECRET_ACCESS_KEY": "x", "AWS_ACCESS_KEY_ID": "y"}},
    )[1]
    assert message.endswith("Reserved keys used in this request: AWS_ACCESS_KEY_ID, "
                            "AWS_SECRET_ACCESS_KEY")  # fmt: skip
    # keys start with a letter and have at least two characters
    assert failing(create, lam, Environment={"Variables": {"X": "1"}})[0] == "ValidationException"
    assert failing(create, lam, Environment={"Variables": {"bad-key": "x"}}) == (
        "ValidationException",
        "1 validation error detected: Value at 'environment.variables' failed to satisfy "
        "constraint: Map keys must satisfy constraint: [Member must satisfy regular expression "
        "pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
    )
    big = {"BIG": "x" * 4090}
    code, message = failing(create, lam, Environment={"Variables": big})
    assert code == "InvalidParameterValueException"
    assert message == (
        "Lambda was unable to configure your environment variables because the environment "
        'variables you have provided exceeded the 4KB limit. String measured: {"BIG":"'
        + "x" * 4090
        + '"}'
    )
    create(lam, Environment={"Variables": {"BIG": "x" * 4000}})


def test_logging_config_levels_need_json(lam):
    assert failing(
        create, lam, LoggingConfig={"LogFormat": "Text", "ApplicationLogLevel": "DEBUG"}
    ) == (
        "InvalidParameterValueException",
        'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your '
        'request or change the LogFormat to "Json" and try again.',
    )
    create(lam, LoggingConfig={"LogFormat": "JSON", "SystemLogLevel": "WARN"})
    lam.get_waiter("function_active_v2").wait(FunctionName="fn")
    updated = lam.update_function_configuration(
        FunctionName="fn", LoggingConfig={"ApplicationLogLevel": "ERROR"}
    )
    assert updated["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": "/aws/lambda/fn",
        "ApplicationLogLevel": "ERROR",
        "SystemLogLevel": "WARN",
    }
    lam.get_waiter("function_updated_v2").wait(FunctionName="fn")
    back = lam.update_function_configuration(FunctionName="fn", LoggingConfig={"LogFormat": "Text"})
    assert back["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/fn"}


def test_dead_letter_snapstart_and_unsupported_configuration(lam):
    code, message = failing(create, lam, DeadLetterConfig={"TargetArn": ""})
    assert (code, message) == (
        "InvalidParameterValueException",
        "Invalid dead letter queue ARN: ARNs must start with 'arn:':",
    )
    code, message = failing(
        create, lam, DeadLetterConfig={"TargetArn": f"arn:aws:s3:::{ACCOUNT}-bucket"}
    )
    assert code == "InvalidParameterValueException"
    assert message.startswith("Invalid dead letter queue ARN")
    create(lam, "sns-dlq", DeadLetterConfig={"TargetArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:t"})
    assert failing(
        create, lam, Runtime="nodejs22.x", SnapStart={"ApplyOn": "PublishedVersions"}
    ) == (
        "InvalidParameterValueException",
        "nodejs22.x is not supported for SnapStart enabled functions.",
    )
    from fakeaws.errors import UnsupportedOperation

    with pytest.raises(UnsupportedOperation, match="code from S3"):
        create(lam, Code={"S3Bucket": "bucket", "S3Key": "code.zip"})
    with pytest.raises(UnsupportedOperation, match="code signing"):
        create(
            lam,
            CodeSigningConfigArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:"
            "csc-0123456789abcdef0",
        )


def test_layer_references(lam):
    layer = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:lib"
    assert failing(create, lam, Layers=[f"{layer}{i}:1" for i in range(6)]) == (
        "InvalidParameterValueException",
        "Cannot reference more than 5 layers.",
    )
    assert failing(create, lam, Layers=[f"{layer}:1"]) == (
        "InvalidParameterValueException",
        f"Layer version {layer}:1 does not exist.",
    )
    code, message = failing(create, lam, Layers=["not-an-arn"])
    assert code == "ValidationException" and "at 'layers' failed to satisfy" in message


def test_zip_package_checks(lam):
    assert failing(create, lam, Code={"ZipFile": b"not a zip"}) == (
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
    )
    huge = make_zip({"big.bin": b"\0" * 262_144_001})
    assert failing(create, lam, Code={"ZipFile": huge}) == (
        "InvalidParameterValueException",
        "Unzipped size must be smaller than 262144000 bytes",
    )
    too_big = make_zip({"blob.bin": b"\1" * (50 * 1024 * 1024)}, method=zipfile.ZIP_STORED)
    with pytest.raises(ClientError) as exc:
        create(lam, Code={"ZipFile": too_big})
    assert error(exc) == (
        "RequestEntityTooLargeException",
        "Request must be smaller than 69905067 bytes for the CreateFunction operation",
    )
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert lam.list_functions()["Functions"] == []


# -- list ------------------------------------------------------------------------------------
def test_list_functions_pages_and_all_versions(lam):
    for name in ["c", "a", "b"]:
        create(lam, name)
    lam.publish_version(FunctionName="b")
    listed = lam.list_functions()["Functions"]
    assert [f["FunctionName"] for f in listed] == ["a", "b", "c"]
    assert all("State" not in f and "LastUpdateStatus" not in f for f in listed)
    assert listed[0]["FunctionArn"] == f"{ARN}:a"
    first = lam.list_functions(MaxItems=2)
    assert [f["FunctionName"] for f in first["Functions"]] == ["a", "b"]
    second = lam.list_functions(MaxItems=2, Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in second["Functions"]] == ["c"]
    assert "NextMarker" not in second
    every = lam.list_functions(FunctionVersion="ALL")["Functions"]
    assert [f["FunctionArn"] for f in every] == [
        f"{ARN}:a:$LATEST",
        f"{ARN}:b:$LATEST",
        f"{ARN}:b:1",
        f"{ARN}:c:$LATEST",
    ]
    pages = lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1})
    assert [f["FunctionName"] for page in pages for f in page["Functions"]] == ["a", "b", "c"]
    assert lam.list_functions(MasterRegion="us-east-1", FunctionVersion="ALL")["Functions"] == []
    assert failing(lam.list_functions, MaxItems=10001)[1] == (
        "1 validation error detected: Value '10001' at 'maxItems' failed to satisfy constraint: "
        "Member must have value less than or equal to 10000"
    )
    assert failing(lam.list_functions, FunctionVersion="SOME")[0] == "ValidationException"


def test_list_functions_returns_at_most_50_a_page(lam):
    for i in range(51):
        create(lam, f"f{i:02d}")
    page = lam.list_functions(MaxItems=100)
    assert len(page["Functions"]) == 50 and "NextMarker" in page
    assert len(lam.list_functions(Marker=page["NextMarker"])["Functions"]) == 1


# -- updates ---------------------------------------------------------------------------------
def test_update_configuration_changes_revision_and_refuses_concurrent_updates(cloud, lam):
    create(lam, Environment={"Variables": {"AA": "1"}})
    before = lam.get_function_configuration(FunctionName="fn")
    cloud.settings.lambda_.state_delay = 10
    cloud.clock.advance(1)
    updated = lam.update_function_configuration(
        FunctionName="fn",
        MemorySize=1024,
        Timeout=60,
        Description="new",
        Handler="app.other",
        Environment={"Variables": {"BB": "2"}},
        RevisionId=before["RevisionId"],
    )
    assert (updated["MemorySize"], updated["Timeout"], updated["Description"]) == (1024, 60, "new")
    assert updated["Environment"] == {"Variables": {"BB": "2"}}
    assert updated["Handler"] == "app.other"
    assert updated["RevisionId"] != before["RevisionId"]
    assert updated["LastModified"] > before["LastModified"]
    assert updated["LastUpdateStatus"] == "InProgress"
    assert failing(lam.update_function_configuration, FunctionName="fn", Timeout=5) == (
        "ResourceConflictException",
        "The operation cannot be performed at this time. An update is in progress for resource: "
        f"{ARN}:fn",
    )
    assert failing(lam.update_function_code, FunctionName="fn", ZipFile=CODE)[0] == (
        "ResourceConflictException"
    )
    cloud.clock.advance(10)
    settled = lam.get_function_configuration(FunctionName="fn")
    assert settled["LastUpdateStatus"] == "Successful"
    assert "LastUpdateStatusReason" not in settled
    assert failing(
        lam.update_function_configuration, FunctionName="fn", Timeout=5, RevisionId="stale"
    ) == (
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id",
    )
    cleared = lam.update_function_configuration(
        FunctionName="fn", Environment={}, RevisionId=settled["RevisionId"]
    )
    assert cleared["Environment"] == {"Variables": {}}


def test_update_configuration_validates_like_create(lam):
    create(lam)
    assert failing(lam.update_function_configuration, FunctionName="fn", Runtime="python3.7")[
        1
    ].startswith("The runtime parameter of python3.7 is no longer supported")
    assert failing(lam.update_function_configuration, FunctionName="fn", MemorySize=20000)[0] == (
        "ValidationException"
    )
    assert (
        "Reserved keys used in this request: AWS_LAMBDA_FUNCTION_NAME"
        in failing(
            lam.update_function_configuration,
            FunctionName="fn",
            Environment={"Variables": {"AWS_LAMBDA_FUNCTION_NAME": "x"}},
        )[1]
    )
    assert failing(lam.update_function_configuration, FunctionName="missing", Timeout=3) == (
        "ResourceNotFoundException",
        f"Function not found: {ARN}:missing",
    )
    assert failing(lam.update_function_configuration, FunctionName="fn:1", Timeout=3) == (
        "InvalidParameterValueException",
        "This operation is permitted on Lambda functions only. Aliases and versions do not "
        "support this operation. Please specify either a function name or an unqualified "
        "function ARN.",
    )
    # nothing changed by the refused requests
    assert lam.get_function_configuration(FunctionName="fn")["MemorySize"] == 128


def test_update_code_dry_run_publish_and_revision(cloud, lam):
    create(lam)
    current = lam.get_function_configuration(FunctionName="fn")
    new_code = make_zip({"app.py": "def handler(e, c):\n    return 2\n"})
    sha = base64.b64encode(hashlib.sha256(new_code).digest()).decode()
    dry = lam.update_function_code(FunctionName="fn", ZipFile=new_code, DryRun=True)
    assert dry["CodeSha256"] == sha
    unchanged = lam.get_function_configuration(FunctionName="fn")
    assert unchanged["CodeSha256"] == current["CodeSha256"]
    assert unchanged["RevisionId"] == current["RevisionId"]
    assert (
        failing(lam.update_function_code, FunctionName="fn", ZipFile=new_code, RevisionId="nope")[0]
        == "PreconditionFailedException"
    )
    published = lam.update_function_code(
        FunctionName="fn", ZipFile=new_code, Publish=True, Architectures=["arm64"]
    )
    assert published["Version"] == "1"
    assert published["FunctionArn"] == f"{ARN}:fn:1"
    assert published["CodeSha256"] == sha and published["CodeSize"] == len(new_code)
    assert published["Architectures"] == ["arm64"]
    latest = lam.get_function_configuration(FunctionName="fn")
    assert latest["CodeSha256"] == sha and latest["Architectures"] == ["arm64"]
    assert failing(lam.update_function_code, FunctionName="fn", ZipFile=b"junk")[0] == (
        "InvalidParameterValueException"
    )


# -- delete ----------------------------------------------------------------------------------
def test_delete_function_and_versions(lam):
    create(lam)
    lam.publish_version(FunctionName="fn")
    lam.update_function_configuration(FunctionName="fn", Timeout=9)
    lam.publish_version(FunctionName="fn")
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    assert failing(lam.delete_function, FunctionName="fn", Qualifier="$LATEST") == (
        "InvalidParameterValueException",
        "$LATEST version cannot be deleted without deleting the function.",
    )
    assert failing(lam.delete_function, FunctionName="fn", Qualifier="live") == (
        "InvalidParameterValueException",
        "Deletion of aliases is not currently supported.",
    )
    assert failing(lam.delete_function, FunctionName="fn", Qualifier="1") == (
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [live]",
    )
    deleted = lam.delete_function(FunctionName="fn:2")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    lam.delete_function(FunctionName="fn", Qualifier="99")  # absent: nothing happens
    versions = lam.list_versions_by_function(FunctionName="fn")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]
    assert failing(lam.get_function, FunctionName="fn", Qualifier="2") == (
        "ResourceNotFoundException",
        f"Function not found: {ARN}:fn:2",
    )
    lam.delete_function(FunctionName=f"{ARN}:fn")
    assert failing(lam.get_function, FunctionName="fn") == (
        "ResourceNotFoundException",
        f"Function not found: {ARN}:fn",
    )
    assert failing(lam.delete_function, FunctionName="fn")[0] == "ResourceNotFoundException"


# -- names and qualifiers --------------------------------------------------------------------
def test_function_name_forms_and_qualifiers(lam):
    create(lam)
    lam.publish_version(FunctionName="fn")
    lam.create_alias(FunctionName="fn", Name="prod", FunctionVersion="1")
    for name in ("fn", f"{ACCOUNT}:function:fn", f"{ARN}:fn"):
        assert lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"] == f"{ARN}:fn"
    by_version = lam.get_function_configuration(FunctionName=f"{ARN}:fn:1")
    assert (by_version["Version"], by_version["FunctionArn"]) == ("1", f"{ARN}:fn:1")
    by_alias = lam.get_function(FunctionName="fn", Qualifier="prod")["Configuration"]
    assert (by_alias["Version"], by_alias["FunctionArn"]) == ("1", f"{ARN}:fn:prod")
    latest = lam.get_function_configuration(FunctionName="fn", Qualifier="$LATEST")
    assert latest["FunctionArn"] == f"{ARN}:fn:$LATEST"
    assert failing(lam.get_function, FunctionName="fn:1", Qualifier="2") == (
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )
    assert failing(lam.get_function, FunctionName="fn", Qualifier="nope") == (
        "ResourceNotFoundException",
        f"Function not found: {ARN}:fn:nope",
    )
    assert failing(lam.get_function, FunctionName="bad name")[0] == "ValidationException"


# -- tags ------------------------------------------------------------------------------------
def test_tags(lam):
    create(lam, Tags={"a": "1"})
    arn = f"{ARN}:fn"
    revision = lam.get_function_configuration(FunctionName="fn")["RevisionId"]
    lam.tag_resource(Resource=arn, Tags={"b": "2"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"a": "1", "b": "2"}
    assert lam.get_function_configuration(FunctionName="fn")["RevisionId"] != revision
    lam.untag_resource(Resource=arn, TagKeys=["a", "missing"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    assert failing(lam.tag_resource, Resource=f"{arn}:1", Tags={"c": "3"}) == (
        "InvalidParameterValueException",
        "Tags on function aliases and versions are not supported. Please specify a function ARN.",
    )
    assert failing(lam.tag_resource, Resource=f"{ARN}:nope", Tags={"c": "3"}) == (
        "ResourceNotFoundException",
        f"Function not found: {ARN}:nope",
    )
    assert failing(lam.list_tags, Resource="fn")[0] == "ValidationException"
    assert failing(lam.tag_resource, Resource=arn, Tags={f"k{i}": "v" for i in range(50)}) == (
        "InvalidParameterValueException",
        "Number of tags exceeds resource tag limit.",
    )
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    assert failing(lam.tag_resource, Resource=arn, Tags={"k" * 129: "v"})[0] == (
        "ValidationException"
    )
    assert failing(create, lam, "many", Tags={f"k{i}": "v" for i in range(51)})[1] == (
        "Number of tags exceeds resource tag limit."
    )
