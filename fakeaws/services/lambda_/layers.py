"""Lambda layers: publish, read, list and delete layer versions, and their permissions.

A layer version is immutable: its code is kept in the ``LayerVersion`` itself,
so a function that references it keeps its code after ``DeleteLayerVersion``
(``layer_version_by_arn`` hands the function side that object). Version
numbers are never reused, even after every version was deleted.

A layer version in another account is readable (GetLayerVersion,
GetLayerVersionByArn, CreateFunction's ``Layers``) only when a statement of its
policy grants ``lambda:GetLayerVersion`` to the caller's account or to ``*``.

LIMITATIONS (see docs/lambda/configuration.md): ``Content`` from S3 is refused
(UnsupportedOperation) until fakeaws fakes S3; organization-scoped grants
(``OrganizationId``) are recorded but grant nothing, as organizations are not
modelled; AWS-managed layers (``arn:aws:lambda:::awslayer:...``) do not exist.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import json
import re
import zipfile
from typing import TYPE_CHECKING, Any

import botocore.session

from fakeaws.arns import partition_of
from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.base import permission
from fakeaws.services.lambda_.model import CodePackage, Layer, LayerVersion
from fakeaws.services.lambda_.names import (
    constraint_error,
    invalid_parameter,
    java_list,
    pattern_error,
    precondition_failed,
    problem,
    resource_conflict,
    resource_not_found,
    validation_errors,
)
from fakeaws.services.lambda_.policy_statements import (
    check_layer_principal,
    check_org_id,
    check_size,
    check_statement_id,
    dumps,
    layer_statement,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call

LAYER_NAME_PATTERN = (
    r"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"
)
_PLAIN_NAME = re.compile(r"[a-zA-Z0-9-_]+")
_LAYER_ARN = re.compile(
    r"arn:(?P<partition>[a-zA-Z0-9-]+):lambda:(?P<region>[a-zA-Z0-9-]+):(?P<account>\d{12}):"
    r"layer:(?P<name>[a-zA-Z0-9-_]+)"
)
LAYER_VERSION_ARN_PATTERN = (
    r"arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+"
)
_LAYER_VERSION_ARN = re.compile(_LAYER_ARN.pattern + r":(?P<version>[0-9]+)")
# What CreateFunction's Layers member accepts (AWS-managed layers included), for its message.
FUNCTION_LAYERS_PATTERN = (
    r"(arn:[a-zA-Z0-9-]+:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}:\d{12}:layer:"
    r"[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)"
)
_AWS_LAYER = re.compile(r"arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+")
MAX_LAYERS_PER_FUNCTION = 5
MAX_LAYER_NAME = 140
MAX_RUNTIMES = 15
MAX_ARCHITECTURES = 2
MAX_DESCRIPTION = 256
MAX_LICENSE = 512
MAX_LIST_ITEMS = 50
ARCHITECTURES = ("x86_64", "arm64")

NOT_EXIST = "The resource you requested does not exist."
NO_POLICY = "No policy is associated with the given resource."
BAD_VERSION = "Layer Version Cannot be less than 1"
LAYER_REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy "
    "API to retrieve the latest Revision Id"
)
UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."


@functools.cache
def runtimes() -> tuple[str, ...]:
    """Every ``Runtime`` value of the botocore model (what layers may declare)."""
    model = botocore.session.get_session().get_service_model("lambda")
    return tuple(model.shape_for("Runtime").enum)


def encode_marker(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def decode_marker(marker: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(marker.encode()))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise invalid_parameter(f"Invalid marker: {marker}") from exc


def check_max_items(value: int | None, member: str = "maxItems", limit: int = MAX_LIST_ITEMS):
    """MaxItems above the model's maximum (botocore checks only the minimum)."""
    if value is not None and value > limit:
        raise constraint_error(
            str(value), member, f"Member must have value less than or equal to {limit}"
        )
    return value or limit


def _layer_resource(backend: Any, call: Call) -> list[str]:
    p = call.params
    name = p.get("LayerName") or p.get("Arn")
    if not name:
        return ["*"]
    match = _LAYER_ARN.match(name)
    arn = match.group(0) if match else backend.arn(f"layer:{name}")
    if "VersionNumber" in p and not _LAYER_VERSION_ARN.fullmatch(name):
        arn = f"{arn}:{p['VersionNumber']}"
    elif p.get("Arn"):
        arn = p["Arn"]
    return [arn]


class Layers:
    """Mixin of LambdaBackend: layer versions and their resource policies."""

    layers: dict[str, Layer]
    account_id: str
    region: str
    cloud: Any

    # -- lookups ---------------------------------------------------------------------
    def _parse_layer_name(self, value: str) -> tuple[str, str, str]:
        """``(account, region, name)`` of a LayerName (a name or a layer ARN)."""
        problems = []
        if len(value) > MAX_LAYER_NAME:
            problems.append(
                problem(
                    value,
                    "layerName",
                    f"Member must have length less than or equal to {MAX_LAYER_NAME}",
                )
            )
        match = _LAYER_ARN.fullmatch(value)
        if match is None and not _PLAIN_NAME.fullmatch(value):
            shown = LAYER_NAME_PATTERN if value.startswith("arn:") else "[a-zA-Z0-9-_]+"
            problems.append(
                problem(
                    value, "layerName", f"Member must satisfy regular expression pattern: {shown}"
                )
            )
        if problems:
            raise validation_errors(problems)
        if match is None:
            return self.account_id, self.region, value
        return match.group("account"), match.group("region"), match.group("name")

    def _layer_owner(self, account: str, region: str) -> Layers | None:
        """The backend holding an account's layers in a region (None: other region)."""
        if region != self.region:
            return None
        if account == self.account_id:
            return self
        return self.cloud.backend("lambda", account, region)

    def _layer_arn(self, name: str, account: str | None = None, region: str | None = None) -> str:
        account, region = account or self.account_id, region or self.region
        return f"arn:{partition_of(region)}:lambda:{region}:{account}:layer:{name}"

    def _readable_version(
        self, account: str, region: str, name: str, number: int, caller_arn: str, account_of: str
    ) -> LayerVersion:
        """A layer version the caller may read, or AWS's not-found / access-denied error."""
        owner = self._layer_owner(account, region)
        layer = owner.layers.get(name) if owner is not None else None
        version = layer.versions.get(number) if layer is not None else None
        granted = version is not None and version.policy.allows(
            "lambda:GetLayerVersion", principal=caller_arn, account=account_of
        )
        if account != account_of and not granted:
            arn = f"{self._layer_arn(name, account, region)}:{number}"
            raise access_denied(caller_arn, "lambda:GetLayerVersion", arn)
        if version is None:
            raise resource_not_found(NOT_EXIST)
        return version

    def _own_version(self, name: str, number: int) -> LayerVersion:
        """A version of a layer of this account, for the permission operations."""
        layer = self.layers.get(name)
        version = layer.versions.get(number) if layer is not None else None
        if version is None:
            raise resource_not_found(
                f"Layer version {self._layer_arn(name)}:{number} does not exist."
            )
        return version

    def _owned_name(self, call: Call, operation: str) -> str:
        """The layer name of a request that only the layer's owner may make."""
        account, region, name = self._parse_layer_name(call.params["LayerName"])
        if account != self.account_id or region != self.region:
            number = call.params.get("VersionNumber")
            arn = self._layer_arn(name, account, region)
            if number is not None:
                arn = f"{arn}:{number}"
            raise access_denied(call.caller.arn, f"lambda:{operation}", arn)
        return name

    # -- the function side's entry points ----------------------------------------------
    def layer_version_by_arn(self, arn: str, caller_arn: str | None = None) -> LayerVersion:
        """The layer version a function's ``Layers`` entry names (CreateFunction & co).

        ``arn`` may be in this account or another one (then a layer permission
        must grant this account). Raises AWS's errors: a malformed ARN, a layer
        in another region, a missing version ("Layer version ... does not
        exist."), or a version of another account this account may not use.
        """
        if _AWS_LAYER.fullmatch(arn):
            raise UnsupportedOperation("lambda", "CreateFunction", f"AWS-managed layer {arn}")
        match = _LAYER_VERSION_ARN.fullmatch(arn)
        if match is None or len(arn) > MAX_LAYER_NAME:
            raise validation_errors([_layers_problem([arn])])
        account, region, name = match.group("account"), match.group("region"), match.group("name")
        number = int(match.group("version"))
        caller_arn = caller_arn or f"arn:{partition_of(self.region)}:iam::{self.account_id}:root"
        if account == self.account_id:
            if region != self.region:
                raise invalid_parameter(
                    "Layers are not in the same region as the function. Layers are expected "
                    f"to be in region {self.region}."
                )
            layer = self.layers.get(name)
            version = layer.versions.get(number) if layer is not None else None
            if version is None:
                raise invalid_parameter(f"Layer version {arn} does not exist.")
            return version
        owner = self._layer_owner(account, region)
        layer = owner.layers.get(name) if owner is not None else None
        version = layer.versions.get(number) if layer is not None else None
        if version is None or not version.policy.allows(
            "lambda:GetLayerVersion", principal=caller_arn, account=self.account_id
        ):
            raise access_denied(caller_arn, "lambda:GetLayerVersion", arn)
        return version

    def resolve_layers(self, arns: list[str], caller_arn: str | None = None) -> list[LayerVersion]:
        """A function's whole ``Layers`` list: at most 5, one version per layer, all usable."""
        if len(arns) > MAX_LAYERS_PER_FUNCTION:
            raise invalid_parameter("Cannot reference more than 5 layers.")
        bad = [
            a for a in arns if not _LAYER_VERSION_ARN.fullmatch(a) and not _AWS_LAYER.fullmatch(a)
        ]
        if bad or any(len(a) > MAX_LAYER_NAME for a in arns):
            raise validation_errors([_layers_problem(arns)])
        seen: dict[str, str] = {}
        versions = []
        for arn in arns:
            versions.append(self.layer_version_by_arn(arn, caller_arn))
            layer_arn = arn.rsplit(":", 1)[0]
            if layer_arn in seen:
                raise invalid_parameter(
                    "Two different versions of the same layer are not allowed to be referenced "
                    f"in the same function. {seen[layer_arn]} and {arn} are versions of the "
                    "same layer."
                )
            seen[layer_arn] = arn
        return versions

    # -- layer versions --------------------------------------------------------------------
    @permission(resources=_layer_resource)
    def publish_layer_version(self, call: Call) -> dict:
        p = call.params
        name = self._owned_name(call, "PublishLayerVersion")
        problems = []
        compatible = p.get("CompatibleRuntimes") or []
        architectures = p.get("CompatibleArchitectures") or []
        if len(p.get("Description") or "") > MAX_DESCRIPTION:
            problems.append(
                problem(
                    p["Description"],
                    "description",
                    f"Member must have length less than or equal to {MAX_DESCRIPTION}",
                )
            )
        if len(p.get("LicenseInfo") or "") > MAX_LICENSE:
            problems.append(
                problem(
                    p["LicenseInfo"],
                    "licenseInfo",
                    f"Member must have length less than or equal to {MAX_LICENSE}",
                )
            )
        problems += _runtime_list_problems(compatible)
        problems += _architecture_list_problems(architectures)
        if problems:
            raise validation_errors(problems)
        content = p["Content"]
        if content.get("S3Bucket") or content.get("S3Key") or content.get("S3ObjectVersion"):
            raise UnsupportedOperation(
                "lambda", "PublishLayerVersion", "Content from S3 (pass Content.ZipFile)"
            )
        data = content.get("ZipFile")
        if not data:
            raise invalid_parameter("Please provide a source for layer code.")
        code = _code_package(data)
        layer = self.layers.get(name)
        if layer is None:
            layer = self.layers[name] = Layer(name, self._layer_arn(name))
        layer.last_version += 1
        number = layer.last_version
        version = LayerVersion(
            layer_name=name,
            layer_arn=layer.arn,
            version=number,
            code=code,
            description=p.get("Description") or "",
            created=self.last_modified(),
            compatible_runtimes=list(compatible),
            compatible_architectures=list(architectures),
            license_info=p.get("LicenseInfo"),
            location=(
                f"https://awslambda-{self.region}-layers.s3.{self.region}.amazonaws.com/"
                f"snapshots/{self.account_id}/{name}-{self.cloud.new_request_id()}"
            ),
        )
        layer.versions[number] = version
        return _describe_version(version)

    @permission(resources=_layer_resource)
    def get_layer_version(self, call: Call) -> dict:
        account, region, name = self._parse_layer_name(call.params["LayerName"])
        number = call.params["VersionNumber"]
        if number < 1:
            raise invalid_parameter(BAD_VERSION)
        version = self._readable_version(
            account, region, name, number, call.caller.arn, self.account_id
        )
        return _describe_version(version)

    @permission(resources=_layer_resource)
    def get_layer_version_by_arn(self, call: Call) -> dict:
        arn = call.params["Arn"]
        match = _LAYER_VERSION_ARN.fullmatch(arn)
        if match is None or len(arn) > MAX_LAYER_NAME:
            raise pattern_error(arn, "arn", LAYER_VERSION_ARN_PATTERN)
        number = int(match.group("version"))
        if number < 1:
            raise invalid_parameter(BAD_VERSION)
        version = self._readable_version(
            match.group("account"),
            match.group("region"),
            match.group("name"),
            number,
            call.caller.arn,
            self.account_id,
        )
        return _describe_version(version)

    @permission()
    def list_layers(self, call: Call) -> dict:
        p = call.params
        runtime, architecture = p.get("CompatibleRuntime"), p.get("CompatibleArchitecture")
        _check_filters(runtime, architecture)
        limit = check_max_items(p.get("MaxItems"))
        names = sorted(self.layers)
        if p.get("Marker"):
            after = decode_marker(p["Marker"])
            if not isinstance(after, str):
                raise invalid_parameter(f"Invalid marker: {p['Marker']}")
            names = [n for n in names if n > after]
        items = []
        for name in names:
            layer = self.layers[name]
            matching = [
                v
                for _, v in sorted(layer.versions.items(), reverse=True)
                if _matches(v, runtime, architecture)
            ]
            if not matching:
                continue
            if len(items) == limit:
                out: dict = {"Layers": items, "NextMarker": encode_marker(items[-1]["LayerName"])}
                return out
            items.append(
                {
                    "LayerName": name,
                    "LayerArn": layer.arn,
                    "LatestMatchingVersion": _list_item(matching[0]),
                }
            )
        return {"Layers": items}

    @permission(resources=_layer_resource)
    def list_layer_versions(self, call: Call) -> dict:
        p = call.params
        runtime, architecture = p.get("CompatibleRuntime"), p.get("CompatibleArchitecture")
        _check_filters(runtime, architecture)
        name = self._owned_name(call, "ListLayerVersions")
        limit = check_max_items(p.get("MaxItems"))
        layer = self.layers.get(name)
        numbers = sorted(layer.versions, reverse=True) if layer is not None else []
        if p.get("Marker"):
            before = decode_marker(p["Marker"])
            if not isinstance(before, int):
                raise invalid_parameter(f"Invalid marker: {p['Marker']}")
            numbers = [n for n in numbers if n < before]
        versions = [
            layer.versions[n] for n in numbers if _matches(layer.versions[n], runtime, architecture)
        ]
        page = versions[:limit]
        out: dict = {"LayerVersions": [_list_item(v) for v in page]}
        if len(versions) > limit:
            out["NextMarker"] = encode_marker(page[-1].version)
        return out

    @permission(resources=_layer_resource)
    def delete_layer_version(self, call: Call) -> dict:
        name = self._owned_name(call, "DeleteLayerVersion")
        number = call.params["VersionNumber"]
        if number < 1:
            raise invalid_parameter(BAD_VERSION)
        layer = self.layers.get(name)
        if layer is not None:
            layer.versions.pop(number, None)  # idempotent; the number is never handed out again
        return {}

    # -- layer version permissions ---------------------------------------------------------
    @permission(resources=_layer_resource)
    def add_layer_version_permission(self, call: Call) -> dict:
        p = call.params
        if p["Action"] != "lambda:GetLayerVersion":
            raise pattern_error(p["Action"], "action", "lambda:GetLayerVersion")
        check_statement_id(p["StatementId"])
        check_layer_principal(p["Principal"])
        if p.get("OrganizationId") is not None:
            check_org_id(p["OrganizationId"], "organizationId")
        name = self._owned_name(call, "AddLayerVersionPermission")
        number = p["VersionNumber"]
        version = self._own_version(name, number)
        policy = version.policy
        if policy.statement(p["StatementId"]) is not None:
            raise resource_conflict(
                f"The statement id ({p['StatementId']}) provided already exists. Please provide a "
                "new statement id, or remove the existing statement."
            )
        if p.get("RevisionId") and p["RevisionId"] != policy.revision_id:
            raise precondition_failed(LAYER_REVISION_MISMATCH)
        statement = layer_statement(
            p["StatementId"],
            p["Principal"],
            version.arn,
            partition=partition_of(self.region),
            organization_id=p.get("OrganizationId"),
        )
        check_size([*policy.statements, statement])
        policy.statements.append(statement)
        policy.revision_id = self.new_revision_id()
        return {"Statement": dumps(statement), "RevisionId": policy.revision_id}

    @permission(resources=_layer_resource)
    def remove_layer_version_permission(self, call: Call) -> dict:
        p = call.params
        check_statement_id(p["StatementId"])
        name = self._owned_name(call, "RemoveLayerVersionPermission")
        version = self._own_version(name, p["VersionNumber"])
        policy = version.policy
        if p.get("RevisionId") and p["RevisionId"] != policy.revision_id:
            raise precondition_failed(LAYER_REVISION_MISMATCH)
        statement = policy.statement(p["StatementId"])
        if statement is None:
            raise resource_not_found(
                f"Statement {p['StatementId']} is not found in resource policy."
            )
        policy.statements.remove(statement)
        policy.revision_id = self.new_revision_id()
        return {}

    @permission(resources=_layer_resource)
    def get_layer_version_policy(self, call: Call) -> dict:
        name = self._owned_name(call, "GetLayerVersionPolicy")
        version = self._own_version(name, call.params["VersionNumber"])
        if not version.policy.statements:
            raise resource_not_found(NO_POLICY)
        return {"Policy": version.policy.to_json(), "RevisionId": version.policy.revision_id}

    # -- accounting ------------------------------------------------------------------------
    def layers_code_size(self) -> int:
        """Bytes of all layer versions of this account in this region (GetAccountSettings)."""
        return sum(v.code.size for layer in self.layers.values() for v in layer.versions.values())


# -- helpers ---------------------------------------------------------------------------------
def access_denied(caller_arn: str, action: str, resource: str) -> AWSError:
    return AWSError(
        "AccessDeniedException",
        f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource} "
        f"because no resource-based policy allows the {action} action",
        status=403,
    )


def _layers_problem(arns: list[str]) -> str:
    return problem(
        java_list(arns),
        "layers",
        "Member must satisfy constraint: [Member must have length less than or equal to 140, "
        "Member must have length greater than or equal to 1, Member must satisfy regular "
        f"expression pattern: {FUNCTION_LAYERS_PATTERN}, Member must not be null]",
    )


def _runtime_list_problems(values: list[str]) -> list[str]:
    problems = []
    if len(values) > MAX_RUNTIMES:
        problems.append(
            problem(
                java_list(values),
                "compatibleRuntimes",
                f"Member must have length less than or equal to {MAX_RUNTIMES}",
            )
        )
    if any(r not in runtimes() for r in values):
        problems.append(
            problem(
                java_list(values),
                "compatibleRuntimes",
                f"Member must satisfy enum value set: {java_list(runtimes())}",
            )
        )
    return problems


def _architecture_list_problems(architectures: list[str]) -> list[str]:
    problems = []
    if len(architectures) > MAX_ARCHITECTURES:
        problems.append(
            problem(
                java_list(architectures),
                "compatibleArchitectures",
                f"Member must have length less than or equal to {MAX_ARCHITECTURES}",
            )
        )
    if any(a not in ARCHITECTURES for a in architectures):
        problems.append(
            problem(
                java_list(architectures),
                "compatibleArchitectures",
                "Member must satisfy constraint: [Member must satisfy enum value set: "
                "[x86_64, arm64]]",
            )
        )
    return problems


def _check_filters(runtime: str | None, architecture: str | None) -> None:
    problems = []
    if runtime is not None and runtime not in runtimes():
        problems.append(
            problem(
                runtime,
                "compatibleRuntime",
                f"Member must satisfy enum value set: {java_list(runtimes())}",
            )
        )
    if architecture is not None and architecture not in ARCHITECTURES:
        problems.append(
            problem(
                architecture,
                "compatibleArchitecture",
                "Member must satisfy enum value set: [x86_64, arm64]",
            )
        )
    if problems:
        raise validation_errors(problems)


def _matches(version: LayerVersion, runtime: str | None, architecture: str | None) -> bool:
    if runtime is not None and runtime not in version.compatible_runtimes:
        return False
    return architecture is None or architecture in version.compatible_architectures


def _code_package(data: bytes) -> CodePackage:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise invalid_parameter(UNZIP_FAILED) from exc
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    return CodePackage(sha256=digest, size=len(data), unzipped_size=unzipped, zip_file=data)


def _list_item(version: LayerVersion) -> dict:
    """A LayerVersionsListItem (ListLayerVersions, ListLayers' LatestMatchingVersion)."""
    out: dict = {
        "LayerVersionArn": version.arn,
        "Version": version.version,
        "Description": version.description,
        "CreatedDate": version.created,
    }
    return _with_optional_members(out, version)


def _describe_version(version: LayerVersion) -> dict:
    """GetLayerVersion / PublishLayerVersion's response."""
    out: dict = {
        "Content": {
            "Location": version.location,
            "CodeSha256": version.code.sha256,
            "CodeSize": version.code.size,
        },
        "LayerArn": version.layer_arn,
        "LayerVersionArn": version.arn,
        "Description": version.description,
        "CreatedDate": version.created,
        "Version": version.version,
    }
    return _with_optional_members(out, version)


def _with_optional_members(out: dict, version: LayerVersion) -> dict:
    """The members Lambda leaves out of a layer version's description when they are not set."""
    if version.compatible_runtimes:
        out["CompatibleRuntimes"] = list(version.compatible_runtimes)
    if version.license_info is not None:
        out["LicenseInfo"] = version.license_info
    if version.compatible_architectures:
        out["CompatibleArchitectures"] = list(version.compatible_architectures)
    return out
