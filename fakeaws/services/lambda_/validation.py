"""Checks of a function's configuration and code, shared by create and the updates.

Two kinds of failure, as Lambda reports them:

* model constraints (patterns, enums, bounds botocore leaves to the server) are
  collected by ``Constraints`` and raised together as one ``ValidationException``
  ("1 validation error detected: Value '...' at 'memberPath' failed to satisfy
  constraint: ...", Lambda's Coral wording);
* Lambda's own rules (runtime support, reserved environment variables, code
  size, package type combinations) raise ``InvalidParameterValueException`` with
  ``Type="User"`` and Lambda's sentence.

Where each message comes from (recorded in docs/lambda/functions.md): error
texts quoted in public bug reports of real deployments (runtime deprecation,
reserved keys, environment key pattern, log level with Text, ``Runtime and
Handler are mandatory``, image package combinations, ``MemorySize``), and the
snapshot-tested LocalStack provider (architectures, layers, 4 KB environment,
CodeSha256, RevisionId, routing weights).

Runtime deprecation follows the "Block function create" and "Block function
update" dates of the Lambda runtimes page, compared with the *virtual* clock's
date: a test can travel to a date and see what AWS did then.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from datetime import date, datetime, timezone
from typing import Any

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.lambda_.model import CodePackage

# -- limits ------------------------------------------------------------------------------
MAX_MEMORY = 10240
MAX_TIMEOUT = 900
MAX_EPHEMERAL = 10240
MAX_DESCRIPTION = 256
MAX_HANDLER = 128
MAX_ENV_BYTES = 4096
MAX_LAYERS = 5
MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
MAX_ZIPPED = 50 * 1024 * 1024  # direct upload (the request limit is its base64 size)
REQUEST_LIMIT = 69_905_067  # bytes of a CreateFunction/UpdateFunctionCode request
MAX_UNZIPPED = 262_144_000  # function code and all its layers, unzipped

ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
HANDLER_PATTERN = r"[^\s]+"
ENV_KEY_PATTERN = r"[a-zA-Z]([a-zA-Z0-9_])+"
ARN_OR_EMPTY_PATTERN = r"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"
LOG_GROUP_PATTERN = r"[\.\-_/#A-Za-z0-9]+"
LOCAL_MOUNT_PATTERN = r"/mnt/[a-zA-Z0-9-_.]+"
FILE_SYSTEM_PATTERN = (
    r"arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}:\d{12}:"
    r"access-point/fsap-[a-f0-9]{17}$|^arn:aws[-a-z]*:s3files:[0-9a-z-:]+:file-system/"
    r"fs-[0-9a-f]{17,40}/access-point/fsap-[0-9a-f]{17,40}"
)
LAYER_ARN_PATTERN = r"arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+"
# As Lambda prints it in the error (its service-side pattern, with the awslayer form).
LAYER_ARN_MESSAGE_PATTERN = (
    r"(arn:[a-zA-Z0-9-]+:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}:\d{12}:layer:"
    r"[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)"
)
# CreateFunction's FunctionName (no "." in names, unlike the read operations).
CREATE_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
_CREATE_NAME = re.compile(
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?(?P<name>[a-zA-Z0-9-_]+)(?P<qualifier>:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
TAGGABLE_PATTERN = (
    r"arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:"
    r"(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}"
    r"|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)"
)

# Keys Lambda sets itself in every execution environment (the "Defined runtime environment
# variables" table). TZ is documented there too, but Lambda accepts it in a configuration.
_RESERVED_ORDER = [  # in the order of the docs' table, which the message follows
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
]
RESERVED_ENV_KEYS = frozenset(_RESERVED_ORDER)

# -- runtimes ----------------------------------------------------------------------------
# identifier -> (Block function create, Block function update), from the Lambda runtimes
# page ("Supported runtimes" and "Deprecated runtimes"); None = no date announced (or none
# fakeaws knows of). Listed in the page's order; the supported ones first.
_D = date.fromisoformat
RUNTIMES: dict[str, tuple[date | None, date | None]] = {
    "nodejs24.x": (_D("2028-06-01"), _D("2028-07-01")),
    "nodejs22.x": (_D("2027-06-01"), _D("2027-07-01")),
    "nodejs20.x": (_D("2026-08-31"), _D("2026-09-30")),
    "python3.14": (None, None),
    "python3.13": (None, None),
    "python3.12": (None, None),
    "python3.11": (None, None),
    "python3.10": (None, None),
    "python3.9": (_D("2027-02-01"), _D("2027-03-03")),
    "java25": (None, None),
    "java21": (None, None),
    "java17": (None, None),
    "java11": (None, None),
    "java8.al2": (None, None),
    "dotnet10": (None, None),
    "dotnet8": (None, None),
    "ruby4.0": (None, None),
    "ruby3.4": (None, None),
    "ruby3.3": (None, None),
    "ruby3.2": (None, None),
    "provided.al2023": (None, None),
    "provided.al2": (None, None),
    # deprecated
    "nodejs18.x": (_D("2025-10-01"), _D("2026-03-09")),
    "nodejs16.x": (_D("2025-02-28"), _D("2025-03-31")),
    "nodejs14.x": (_D("2024-07-09"), _D("2025-02-28")),
    "nodejs12.x": (_D("2023-03-31"), _D("2023-04-30")),
    "nodejs10.x": (_D("2021-07-30"), _D("2022-02-14")),
    "nodejs8.10": (_D("2020-03-06"), _D("2020-03-06")),
    "nodejs6.10": (_D("2019-08-12"), _D("2019-08-12")),
    "nodejs4.3": (_D("2020-03-05"), _D("2020-03-05")),
    "nodejs4.3-edge": (_D("2019-04-30"), _D("2019-04-30")),
    "nodejs": (_D("2016-10-31"), _D("2016-10-31")),
    "python3.8": (_D("2025-02-28"), _D("2025-03-31")),
    "python3.7": (_D("2024-01-09"), _D("2025-02-28")),
    "python3.6": (_D("2022-07-18"), _D("2022-08-29")),
    "python2.7": (_D("2021-07-15"), _D("2022-05-30")),
    "java8": (_D("2024-02-08"), _D("2025-02-28")),
    "dotnet6": (_D("2025-02-28"), _D("2025-05-31")),
    "dotnetcore3.1": (_D("2023-04-03"), _D("2023-05-03")),
    "dotnetcore2.1": (_D("2022-01-05"), _D("2022-04-13")),
    "dotnetcore2.0": (_D("2019-05-30"), _D("2019-05-30")),
    "dotnetcore1.0": (_D("2019-07-30"), _D("2019-07-30")),
    "go1.x": (_D("2024-02-08"), _D("2025-02-28")),
    "ruby2.7": (_D("2024-01-09"), _D("2025-02-28")),
    "ruby2.5": (_D("2021-07-30"), _D("2022-03-31")),
    "provided": (_D("2024-02-08"), _D("2025-02-28")),
}
SNAPSTART_RUNTIMES = frozenset(
    {"java11", "java17", "java21", "java25", "python3.12", "python3.13", "python3.14"}
    | {"dotnet8", "dotnet10"}
)


def _today(now: float) -> date:
    return datetime.fromtimestamp(now, timezone.utc).date()


def create_blocked(runtime: str, now: float) -> bool:
    block = RUNTIMES.get(runtime, (None, None))[0]
    return block is not None and _today(now) >= block


def update_blocked(runtime: str, now: float) -> bool:
    block = RUNTIMES.get(runtime, (None, None))[1]
    return block is not None and _today(now) >= block


def valid_runtimes(now: float) -> list[str]:
    """The runtimes a function can be created with on this date."""
    return [r for r in RUNTIMES if not create_blocked(r, now)]


def no_longer_supported(runtime: str) -> AWSError:
    return invalid_parameter(
        f"The runtime parameter of {runtime} is no longer supported for creating or updating "
        "AWS Lambda functions. We recommend you use a supported runtime while creating or "
        "updating functions."
    )


def check_runtime(runtime: str, now: float, *, current: str | None = None) -> None:
    """A runtime for a new function (``current`` None) or a changed one (``current`` set)."""
    if runtime not in RUNTIMES:
        if runtime.startswith("arn:"):
            raise UnsupportedOperation("lambda", "CreateFunction", "runtime ARNs")
        raise invalid_parameter(
            f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy "
            f"enum value set: [{', '.join(valid_runtimes(now))}] or be a valid ARN"
        )
    if runtime == current:
        if update_blocked(runtime, now):
            raise no_longer_supported(runtime)
    elif create_blocked(runtime, now):
        raise no_longer_supported(runtime)


# -- errors ------------------------------------------------------------------------------
def invalid_parameter(message: str) -> AWSError:
    return AWSError("InvalidParameterValueException", message, Type="User")


def _show(value: Any) -> str:
    """Values as Lambda's (Java) messages print them."""
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


class Constraints:
    """Collects the model-constraint violations of one request; raises them together."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, value: Any, path: str, constraint: str) -> None:
        self.problems.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: {constraint}"
        )

    def pattern(self, value: str | None, path: str, pattern: str) -> None:
        if value is not None and not re.fullmatch(pattern, value):
            self.fail(value, path, f"Member must satisfy regular expression pattern: {pattern}")

    def enum(self, value: Any, path: str, allowed: list[str]) -> None:
        if value is not None and value not in allowed:
            self.fail(value, path, f"Member must satisfy enum value set: [{', '.join(allowed)}]")

    def max_length(self, value: Any, path: str, maximum: int) -> None:
        if value is not None and len(value) > maximum:
            self.fail(value, path, f"Member must have length less than or equal to {maximum}")

    def at_most(self, value: int | float | None, path: str, maximum: int) -> None:
        if value is not None and value > maximum:
            self.fail(value, path, f"Member must have value less than or equal to {maximum}")

    def raise_any(self) -> None:
        if self.problems:
            raise validation(self.problems)


def validation(problems: list[str]) -> AWSError:
    count = len(problems)
    head = f"{count} validation error{'s' if count > 1 else ''} detected: "
    return AWSError("ValidationException", head + "; ".join(problems))


# -- names -------------------------------------------------------------------------------
def check_create_name(value: str) -> str:
    """CreateFunction's FunctionName (a name, a partial or an unqualified ARN): the name."""
    match = _CREATE_NAME.fullmatch(value)
    if match is None or match.group("qualifier") is not None:
        raise validation(
            [
                f"Value '{value}' at 'functionName' failed to satisfy constraint: Member must "
                f"satisfy regular expression pattern: {CREATE_NAME_PATTERN}"
            ]
        )
    name = match.group("name")
    if len(name) > 64:  # Lambda answers a too-long name with this type
        raise invalid_parameter(
            f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
            "constraint: Member must have length less than or equal to 64"
        )
    if len(value) > 140:
        raise validation(
            [
                f"Value '{value}' at 'functionName' failed to satisfy constraint: Member must "
                "have length less than or equal to 140"
            ]
        )
    return name


# -- configuration -----------------------------------------------------------------------
def check_model(p: dict[str, Any], c: Constraints) -> None:
    """The model constraints of the configuration members of Create/UpdateFunctionConfiguration."""
    if "Role" in p:
        c.pattern(p["Role"], "role", ROLE_PATTERN)
    if "Handler" in p:
        c.pattern(p["Handler"], "handler", HANDLER_PATTERN)
        c.max_length(p["Handler"], "handler", MAX_HANDLER)
    c.max_length(p.get("Description"), "description", MAX_DESCRIPTION)
    c.at_most(p.get("Timeout"), "timeout", MAX_TIMEOUT)
    if "PackageType" in p:
        c.enum(p["PackageType"], "packageType", ["Zip", "Image"])
    if "KMSKeyArn" in p:
        c.pattern(p["KMSKeyArn"], "kMSKeyArn", ARN_OR_EMPTY_PATTERN)
    if "TargetArn" in (p.get("DeadLetterConfig") or {}):
        c.pattern(p["DeadLetterConfig"]["TargetArn"], "deadLetterConfig.targetArn",
                  ARN_OR_EMPTY_PATTERN)  # fmt: skip
    c.enum((p.get("TracingConfig") or {}).get("Mode"), "tracingConfig.mode",
           ["Active", "PassThrough"])  # fmt: skip
    if "EphemeralStorage" in p:
        c.at_most(p["EphemeralStorage"]["Size"], "ephemeralStorage.size", MAX_EPHEMERAL)
    if "SnapStart" in p:
        c.enum(p["SnapStart"].get("ApplyOn"), "snapStart.applyOn", ["PublishedVersions", "None"])
    logging = p.get("LoggingConfig") or {}
    c.enum(logging.get("LogFormat"), "loggingConfig.logFormat", ["JSON", "Text"])
    c.enum(logging.get("ApplicationLogLevel"), "loggingConfig.applicationLogLevel",
           ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"])  # fmt: skip
    c.enum(logging.get("SystemLogLevel"), "loggingConfig.systemLogLevel",
           ["DEBUG", "INFO", "WARN"])  # fmt: skip
    if "LogGroup" in logging:
        c.pattern(logging["LogGroup"], "loggingConfig.logGroup", LOG_GROUP_PATTERN)
        c.max_length(logging["LogGroup"], "loggingConfig.logGroup", 512)
    vpc = p.get("VpcConfig") or {}
    c.max_length(vpc.get("SubnetIds"), "vpcConfig.subnetIds", 16)
    c.max_length(vpc.get("SecurityGroupIds"), "vpcConfig.securityGroupIds", 5)
    file_systems = p.get("FileSystemConfigs")
    if file_systems is not None:
        c.max_length(file_systems, "fileSystemConfigs", 1)
        for i, fs in enumerate(file_systems[:1], start=1):
            c.pattern(fs["Arn"], f"fileSystemConfigs.{i}.member.arn", FILE_SYSTEM_PATTERN)
            c.max_length(fs["Arn"], f"fileSystemConfigs.{i}.member.arn", 256)
            path = f"fileSystemConfigs.{i}.member.localMountPath"
            c.pattern(fs["LocalMountPath"], path, LOCAL_MOUNT_PATTERN)
            c.max_length(fs["LocalMountPath"], path, 160)
    image = p.get("ImageConfig") or {}
    c.max_length(image.get("EntryPoint"), "imageConfig.entryPoint", 1500)
    c.max_length(image.get("Command"), "imageConfig.command", 1500)
    c.max_length(image.get("WorkingDirectory"), "imageConfig.workingDirectory", 1000)
    variables = (p.get("Environment") or {}).get("Variables")
    if variables and any(not re.fullmatch(ENV_KEY_PATTERN, k) for k in variables):
        # Environment values are sensitive: Lambda leaves the value out of this message.
        c.problems.append(
            "Value at 'environment.variables' failed to satisfy constraint: Map keys must "
            f"satisfy constraint: [Member must satisfy regular expression pattern: "
            f"{ENV_KEY_PATTERN}]"
        )


def check_memory(memory: int | None) -> None:
    if memory is not None and memory > MAX_MEMORY:
        raise AWSError(
            "ValidationException",
            "'MemorySize' value failed to satisfy constraint: Member must have value less than "
            f"or equal to {MAX_MEMORY}",
        )


def check_architectures(architectures: list[str] | None) -> None:
    if architectures is None:
        return
    shown = _show(architectures)
    if len(architectures) != 1:
        raise validation(
            [
                f"Value '{shown}' at 'architectures' failed to satisfy constraint: Member must "
                "have length less than or equal to 1"
            ]
        )
    if architectures[0] not in ("x86_64", "arm64"):
        raise validation(
            [
                f"Value '{shown}' at 'architectures' failed to satisfy constraint: Member must "
                "satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
                "Member must not be null]"
            ]
        )


def check_environment(variables: dict[str, str]) -> None:
    reserved = [k for k in _RESERVED_ORDER if k in variables]
    if reserved:
        raise invalid_parameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not supported "
            f"for modification. Reserved keys used in this request: {', '.join(reserved)}"
        )
    measured = json.dumps(variables, separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode("utf-8")) > MAX_ENV_BYTES:
        raise invalid_parameter(
            "Lambda was unable to configure your environment variables because the environment "
            f"variables you have provided exceeded the 4KB limit. String measured: {measured}"
        )


def check_log_levels(logging: dict[str, Any]) -> None:
    """Log levels need the JSON format (checked on the configuration as it will be)."""
    if logging.get("LogFormat") == "Text" and (
        "ApplicationLogLevel" in logging or "SystemLogLevel" in logging
    ):
        raise invalid_parameter(
            'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your '
            'request or change the LogFormat to "Json" and try again.'
        )


def merge_logging(
    previous: dict[str, Any] | None, requested: dict[str, Any], function_name: str
) -> dict[str, Any]:
    """The LoggingConfig after a request: defaults, a partial update, levels for JSON."""
    base = dict(previous or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function_name}"})
    if requested.get("LogFormat") == "Text" and base.get("LogFormat") == "JSON":
        base.pop("ApplicationLogLevel", None)
        base.pop("SystemLogLevel", None)
    merged = {**base, **requested}
    check_log_levels(merged)
    if merged.get("LogFormat") == "JSON":
        merged.setdefault("ApplicationLogLevel", "INFO")
        merged.setdefault("SystemLogLevel", "INFO")
    return merged


def check_dead_letter(target: str) -> None:
    """A dead-letter target: an SQS queue or an SNS topic ARN."""
    if not target.startswith("arn:"):
        raise invalid_parameter(
            f"Invalid dead letter queue ARN: ARNs must start with 'arn:': {target}".rstrip()
        )
    parts = target.split(":")
    if len(parts) < 6 or parts[2] not in ("sqs", "sns"):
        raise invalid_parameter(
            "Invalid dead letter queue ARN: The target must be an Amazon SQS queue or an Amazon "
            f"SNS topic: {target}"
        )


def vpc_response(vpc: dict[str, Any]) -> dict[str, Any]:
    """VpcConfigResponse for a requested VpcConfig (VpcId made up from the first subnet)."""
    subnets = list(vpc.get("SubnetIds") or [])
    out: dict[str, Any] = {
        "SubnetIds": subnets,
        "SecurityGroupIds": list(vpc.get("SecurityGroupIds") or []),
        "VpcId": "vpc-" + hashlib.sha256(subnets[0].encode()).hexdigest()[:17] if subnets else "",
    }
    if "Ipv6AllowedForDualStack" in vpc:
        out["Ipv6AllowedForDualStack"] = bool(vpc["Ipv6AllowedForDualStack"])
    elif subnets:
        out["Ipv6AllowedForDualStack"] = False
    return out


def check_snap_start(apply_on: str | None, runtime: str | None) -> None:
    if apply_on == "PublishedVersions" and runtime not in SNAPSTART_RUNTIMES:
        raise invalid_parameter(f"{runtime} is not supported for SnapStart enabled functions.")


def check_layer_arns(arns: list[str], region: str) -> None:
    """Pattern, count, region and one-version-per-layer rules of a Layers list."""
    bad = [a for a in arns if not re.fullmatch(LAYER_ARN_PATTERN, a) or len(a) > 140]
    if bad:
        raise validation(
            [
                f"Value '{_show(arns)}' at 'layers' failed to satisfy constraint: Member must "
                "satisfy constraint: [Member must have length less than or equal to 140, Member "
                "must have length greater than or equal to 1, Member must satisfy regular "
                f"expression pattern: {LAYER_ARN_MESSAGE_PATTERN}, Member must not be null]"
            ]
        )
    if len(arns) > MAX_LAYERS:
        raise invalid_parameter("Cannot reference more than 5 layers.")
    seen: dict[str, str] = {}
    for arn in arns:
        if arn.split(":")[3] != region:
            raise invalid_parameter(
                "Layers are not in the same region as the function. Layers are expected to be "
                f"in region {region}."
            )
        layer = arn.rsplit(":", 1)[0]
        if layer in seen:
            raise invalid_parameter(
                "Two different versions of the same layer are not allowed to be referenced in "
                f"the same function. {seen[layer]} and {arn} are versions of the same layer."
            )
        seen[layer] = arn


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise invalid_parameter("Number of tags exceeds resource tag limit.")
    c = Constraints()
    if any(not k or len(k) > MAX_TAG_KEY for k in tags):
        c.fail(tags, "tags", "Map keys must satisfy constraint: [Member must have length less "
               f"than or equal to {MAX_TAG_KEY}, Member must have length greater than or equal "
               "to 1]")  # fmt: skip
    if any(len(v) > MAX_TAG_VALUE for v in tags.values()):
        c.fail(tags, "tags", "Map value must satisfy constraint: [Member must have length less "
               f"than or equal to {MAX_TAG_VALUE}, Member must have length greater than or "
               "equal to 0]")  # fmt: skip
    c.raise_any()
    if any(k.lower().startswith("aws:") for k in tags):
        raise invalid_parameter("Tag keys starting with 'aws:' are reserved for AWS use.")


# -- code --------------------------------------------------------------------------------
def blob(value: Any) -> bytes:
    """A blob parameter as bytes (boto3 accepts bytes, bytearray, str or a readable file)."""
    if hasattr(value, "read"):
        value = value.read()
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def check_request_size(zip_file: Any, operation: str) -> None:
    """A zip uploaded in the request: over 50 MB, Lambda's front end refuses the request."""
    size = len(zip_file) if isinstance(zip_file, (bytes, bytearray, str)) else 0
    if size > MAX_ZIPPED:
        raise AWSError(
            "RequestEntityTooLargeException",
            f"Request must be smaller than {REQUEST_LIMIT} bytes for the {operation} operation",
            status=413,
        )


def read_zip(data: bytes, operation: str) -> CodePackage:
    """A deployment package as uploaded directly: size limits, then it must unzip."""
    check_request_size(data, operation)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            if unzipped <= MAX_UNZIPPED and archive.testzip() is not None:
                raise zipfile.BadZipFile("bad member")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise invalid_parameter(
            "Could not unzip uploaded file. Please check your file, then try to upload again."
        ) from exc
    return CodePackage(sha256_b64(data), len(data), unzipped_size=unzipped, zip_file=data)


def check_unzipped(total: int) -> None:
    if total > MAX_UNZIPPED:
        raise invalid_parameter(f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")


def image_package(uri: str) -> CodePackage:
    digest = hashlib.sha256(uri.encode()).hexdigest()
    return CodePackage(digest, 0, image_uri=uri)


def refuse_s3(operation: str) -> UnsupportedOperation:
    return UnsupportedOperation(
        "lambda",
        operation,
        "code from S3 (S3Bucket/S3Key): fakeaws has no S3 service yet; upload Code.ZipFile",
    )
