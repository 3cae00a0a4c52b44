"""Functions: create, read, list, update and delete functions; their tags.

``$LATEST`` is a ``Version`` whose ``config`` dict is the FunctionConfiguration
the API returns. A create leaves it ``Pending`` and an update leaves its
``LastUpdateStatus`` ``InProgress``; both settle after
``cloud.settings.lambda_.state_delay`` virtual seconds (0: before the next call),
each settling changing the RevisionId as on AWS. While a function is Pending or
an update is in progress, further updates are refused with Lambda's conflict.

Every change of ``$LATEST``'s code or configuration bumps ``Version.generation``
and calls ``on_function_changed(fn)``; deletes call ``on_function_deleted``.

LIMITATIONS (docs/lambda/functions.md): IAM roles are not checked (any
well-formed role ARN is accepted); code from S3, code signing, capacity
providers, tenancy and durable functions are refused loudly; VPC, file system,
KMS and dead-letter settings are stored and echoed, never used here.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.arns import partition_of
from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.base import permission
from fakeaws.services.lambda_ import validation as v
from fakeaws.services.lambda_.model import CodePackage, Function, Version
from fakeaws.services.lambda_.names import (
    FunctionRef,
    constraint_error,
    decode_marker,
    encode_marker,
    function_resource,
    max_items_error,
    merge_qualifier,
    parse_function_name,
    precondition_failed,
    unqualified_resource,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.services.lambda_.model import LayerVersion

CREATING = "The function is being created."
STATE_KEYS = ("State", "StateReason", "StateReasonCode")
UPDATE_KEYS = ("LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode")
# Left out of ListFunctions / ListVersionsByFunction items, as Lambda does.
NOT_LISTED = (*STATE_KEYS, *UPDATE_KEYS, "RuntimeVersionConfig")
WHOLE_FUNCTION_ONLY = (
    "This operation is permitted on Lambda functions only. Aliases and versions do not support "
    "this operation. Please specify either a function name or an unqualified function ARN."
)
QUALIFIED_TAGS = (
    "Tags on function aliases and versions are not supported. Please specify a function ARN."
)
REFUSED = {
    "CodeSigningConfigArn": "code signing",
    "CapacityProviderConfig": "capacity providers (Lambda Managed Instances)",
    "PublishTo": "PublishTo (capacity providers)",
    "TenancyConfig": "tenant isolation",
    "DurableConfig": "durable functions",
}
LIST_PAGE = 50  # ListFunctions and ListVersionsByFunction return at most 50 items a page


def copy_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: copy_json(x) for k, x in value.items()}
    if isinstance(value, list):
        return [copy_json(x) for x in value]
    return value


def unreachable(region: str, here: str) -> AWSError:
    return AWSError(
        "ResourceNotFoundException",
        f"Functions from '{region}' are not reachable in this region ('{here}')",
        Type="User",
    )


def conflict(message: str) -> AWSError:
    return AWSError("ResourceConflictException", message, Type="User")


# -- IAM resources -------------------------------------------------------------------------
def tagged_resource(backend: Any, call: Call) -> list[str]:
    return [call.params.get("Resource") or "*"]


class Functions:
    """Mixin of LambdaBackend: the function lifecycle and tags."""

    functions: dict[str, Function]
    cloud: Any
    account_id: str
    region: str

    # -- lookups ---------------------------------------------------------------------------
    def _ref(self, call: Call, member: str = "FunctionName") -> FunctionRef:
        """The parsed function name of a request, refused if it names another region."""
        return self._reachable(self.ref(call, member))

    def _reachable(self, ref: FunctionRef) -> FunctionRef:
        if ref.region is not None and ref.region != self.region:
            raise unreachable(ref.region, self.region)
        return ref

    def _existing(self, ref: FunctionRef) -> Function | None:
        """The function ``ref`` names in this account, or None (the caller picks the error)."""
        fn = self.functions.get(ref.name)
        return fn if fn is not None and ref.account in (None, self.account_id) else None

    def _qualified(self, call: Call) -> tuple[Function, str | None]:
        """The function and qualifier of a read: from the name or the Qualifier parameter."""
        ref = self._ref(call)
        qualifier = merge_qualifier(ref, call.params.get("Qualifier"))
        return self.function(ref, qualifier), qualifier

    def _whole(self, call: Call, member: str = "FunctionName") -> Function:
        """The function of an operation that takes no qualifier."""
        ref = self._ref(call, member)
        if ref.qualifier is not None:
            raise v.invalid_parameter(WHOLE_FUNCTION_ONLY)
        return self.function(ref)

    # -- responses -------------------------------------------------------------------------
    def render(
        self, fn: Function, version: Version, qualifier: str | None = None, listing: bool = False
    ) -> dict[str, Any]:
        """A version's FunctionConfiguration, its ARN qualified as the request named it."""
        out = copy_json(version.config)
        if qualifier is not None:
            out["FunctionArn"] = f"{fn.arn}:{qualifier}"
        if listing:
            for key in NOT_LISTED:
                out.pop(key, None)
        return out

    def _code_location(self, fn: Function, version: Version) -> dict[str, Any]:
        code = version.code
        if code.image_uri is not None:
            repository = code.image_uri.split("@", 1)[0].rsplit(":", 1)[0]
            out = {
                "RepositoryType": "ECR",
                "ImageUri": code.image_uri,
                "ResolvedImageUri": f"{repository}@sha256:{code.sha256}",
            }
        else:
            out = {"RepositoryType": "S3", "Location": self._presigned_url(fn, code)}
        if code.source_kms_key_arn:
            out["SourceKMSKeyArn"] = code.source_kms_key_arn
        return out

    def _presigned_url(self, fn: Function, code: CodePackage) -> str:
        """A URL shaped like Lambda's 10-minute presigned S3 link (nothing serves it)."""
        seed = hashlib.sha256(f"{fn.arn}/{code.sha256}".encode()).hexdigest()
        now = datetime.fromtimestamp(self.cloud.clock.time(), timezone.utc)
        stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        key = f"{fn.name}-{seed[:8]}-{seed[8:12]}-{seed[12:16]}-{seed[16:20]}-{seed[20:32]}"
        signature = hashlib.sha256(f"{seed}{stamp}".encode()).hexdigest()
        return (
            f"https://awslambda-{self.region}-tasks.s3.{self.region}.amazonaws.com/snapshots/"
            f"{self.account_id}/{key}?versionId={seed[32:64]}&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Date={stamp}&X-Amz-SignedHeaders=host&X-Amz-Expires=600"
            f"&X-Amz-Credential=ASIA{seed[:16].upper()}%2F{day}%2F{self.region}%2Fs3%2F"
            f"aws4_request&X-Amz-Signature={signature}"
        )

    # -- lifecycle -------------------------------------------------------------------------
    def _check_idle(self, fn: Function) -> None:
        """Lambda refuses a change while the function is Pending or an update is running."""
        config = fn.latest.config
        if config.get("State") == "Pending":
            raise conflict(
                "The operation cannot be performed at this time. The function is currently in "
                "the following state: Pending"
            )
        if config.get("LastUpdateStatus") == "InProgress":
            raise conflict(
                "The operation cannot be performed at this time. An update is in progress for "
                f"resource: {fn.arn}"
            )

    def _schedule_ready(self, fn: Function, version: Version) -> None:
        self.cloud.scheduler.call_later(
            float(self.settings.state_delay), self._version_ready, fn, version
        )

    def _version_ready(self, fn: Function, version: Version) -> None:
        """Pending -> Active (scheduled by create and publish)."""
        if self.functions.get(fn.name) is not fn or version.config.get("State") != "Pending":
            return
        if version is not fn.latest and fn.versions.get(version.number) is not version:
            return
        config = version.config
        config["State"] = "Active"
        config.pop("StateReason", None)
        config.pop("StateReasonCode", None)
        config["LastUpdateStatus"] = "Successful"
        config["RevisionId"] = self.new_revision_id()

    def _start_update(self, fn: Function) -> None:
        """$LATEST changed: new revision and generation, InProgress until it settles."""
        latest = fn.latest
        latest.generation += 1
        config = latest.config
        config["LastModified"] = self.last_modified()
        config["RevisionId"] = self.new_revision_id()
        config["LastUpdateStatus"] = "InProgress"
        # AWS also sends LastUpdateStatusReasonCode "Creating", a value the botocore model's
        # enum does not have (so a strict shape check would refuse it): left out here.
        config["LastUpdateStatusReason"] = CREATING
        self.cloud.scheduler.call_later(
            float(self.settings.state_delay), self._update_done, fn, latest.generation
        )
        self.on_function_changed(fn)

    def _update_done(self, fn: Function, generation: int) -> None:
        if self.functions.get(fn.name) is not fn or fn.latest.generation != generation:
            return
        config = fn.latest.config
        if config.get("LastUpdateStatus") != "InProgress":
            return
        config["LastUpdateStatus"] = "Successful"
        config.pop("LastUpdateStatusReason", None)
        config.pop("LastUpdateStatusReasonCode", None)
        config["RevisionId"] = self.new_revision_id()

    # -- checks shared by create and update ------------------------------------------------
    def _calendar(self, call: Call) -> float:
        """The time runtime deprecation is judged at: ``runtime_date``, else the call's."""
        pinned = self.settings.runtime_date
        if pinned is None:
            return call.time
        try:
            day = datetime.strptime(str(pinned), "%Y-%m-%d").replace(tzinfo=timezone.utc)
        except ValueError:
            raise ValueError(
                f"cloud.settings.lambda_.runtime_date must be 'YYYY-MM-DD' or None, not {pinned!r}"
            ) from None
        return day.timestamp()

    def _layers(self, arns: list[str], call: Call) -> list[LayerVersion]:
        """The layer versions a ``Layers`` list names (the Layers mixin checks them)."""
        if not arns:
            return []
        resolve = getattr(self, "resolve_layers", None)
        if resolve is not None:
            return resolve(arns, call.caller.arn)
        v.check_layer_arns(arns, self.region)  # no layers service: none exists
        raise v.invalid_parameter(f"Layer version {arns[0]} does not exist.")

    @staticmethod
    def _set_layers(version: Version, config: dict[str, Any], layers: list[LayerVersion]) -> None:
        if layers:
            config["Layers"] = [{"Arn": x.arn, "CodeSize": x.code.size} for x in layers]
        else:
            config.pop("Layers", None)
        version.layer_code = [x.code for x in layers]

    @staticmethod
    def _refuse(p: dict[str, Any], operation: str) -> None:
        for member, what in REFUSED.items():
            if p.get(member) is not None:
                raise UnsupportedOperation("lambda", operation, what)

    @staticmethod
    def _model_checks(p: dict[str, Any]) -> None:
        c = v.Constraints()
        v.check_model(p, c)
        c.raise_any()
        v.check_memory(p.get("MemorySize"))
        if "Architectures" in p:
            v.check_architectures(p["Architectures"])

    # -- CreateFunction --------------------------------------------------------------------
    @permission(resources=unqualified_resource)
    def create_function(self, call: Call) -> dict:
        p = call.params
        v.check_request_size(p["Code"].get("ZipFile"), "CreateFunction")
        name = self._create_name(p["FunctionName"])
        self._model_checks(p)
        self._refuse(p, "CreateFunction")
        package_type = p.get("PackageType", "Zip")
        runtime, handler = p.get("Runtime"), p.get("Handler")
        code = p["Code"]
        if package_type == "Image":
            if runtime is not None or handler is not None or p.get("Layers"):
                raise v.invalid_parameter(
                    "Please don't provide Handler or Runtime or Layer when the intended function "
                    "PackageType is Image."
                )
        else:
            if runtime is None or (handler is None and not runtime.startswith("provided")):
                raise v.invalid_parameter(
                    "Runtime and Handler are mandatory parameters for functions created with "
                    "deployment packages."
                )
            v.check_runtime(runtime, self._calendar(call))
            if p.get("ImageConfig"):
                raise v.invalid_parameter(
                    "ImageConfig is not supported for functions created with deployment packages."
                )
        variables = (p.get("Environment") or {}).get("Variables")
        if variables:
            v.check_environment(variables)
        logging = v.merge_logging(None, p.get("LoggingConfig") or {}, name)
        target = (p.get("DeadLetterConfig") or {}).get("TargetArn")
        if target is not None:
            v.check_dead_letter(target)
        apply_on = (p.get("SnapStart") or {}).get("ApplyOn") or "None"
        v.check_snap_start(apply_on, runtime)
        layers = self._layers(p.get("Layers") or [], call)
        tags = dict(p.get("Tags") or {})
        v.check_tags(tags)
        if name in self.functions:
            raise conflict(f"Function already exist: {name}")
        package = self._new_code(code, package_type, "CreateFunction")
        v.check_unzipped(package.unzipped_size + sum(x.code.unzipped_size for x in layers))

        arn = self.function_arn(name)
        config: dict[str, Any] = {"FunctionName": name, "FunctionArn": arn}
        if runtime is not None:
            config["Runtime"] = runtime
        config["Role"] = p["Role"]
        if handler is not None:
            config["Handler"] = handler
        config.update(
            CodeSize=package.size,
            Description=p.get("Description", ""),
            Timeout=p.get("Timeout", 3),
            MemorySize=p.get("MemorySize", 128),
            LastModified=self.last_modified(),
            CodeSha256=package.sha256,
            Version="$LATEST",
        )
        if p.get("VpcConfig") is not None:
            config["VpcConfig"] = v.vpc_response(p["VpcConfig"])
        if target is not None:
            config["DeadLetterConfig"] = {"TargetArn": target}
        if p.get("Environment") is not None:
            config["Environment"] = {"Variables": dict(variables or {})}
        if p.get("KMSKeyArn"):
            config["KMSKeyArn"] = p["KMSKeyArn"]
        config["TracingConfig"] = {
            "Mode": (p.get("TracingConfig") or {}).get("Mode", "PassThrough")
        }
        config["RevisionId"] = self.new_revision_id()
        config.update(State="Pending", StateReason=CREATING, StateReasonCode="Creating")
        if p.get("FileSystemConfigs"):
            config["FileSystemConfigs"] = copy_json(p["FileSystemConfigs"])
        config["PackageType"] = package_type
        if package_type == "Image" and p.get("ImageConfig"):
            config["ImageConfigResponse"] = {"ImageConfig": copy_json(p["ImageConfig"])}
        config["Architectures"] = list(p.get("Architectures") or ["x86_64"])
        config["EphemeralStorage"] = {"Size": (p.get("EphemeralStorage") or {}).get("Size", 512)}
        config["SnapStart"] = {"ApplyOn": apply_on, "OptimizationStatus": "Off"}
        if runtime is not None:
            config["RuntimeVersionConfig"] = {"RuntimeVersionArn": self._runtime_version(runtime)}
        config["LoggingConfig"] = logging

        latest = Version(config=config, code=package)
        self._set_layers(latest, config, layers)
        fn = Function(name=name, arn=arn, latest=latest)
        fn.tags = tags
        self.functions[name] = fn
        self._schedule_ready(fn, fn.latest)
        if p.get("Publish"):
            return self.render(fn, self.publish(fn), qualifier=None) | {"FunctionArn": arn}
        return self.render(fn, fn.latest)

    def _create_name(self, value: str) -> str:
        name = v.check_create_name(value)
        ref = parse_function_name(value)
        if ref.region is not None and ref.region != self.region:
            raise unreachable(ref.region, self.region)
        if ref.account is not None and ref.account != self.account_id:
            raise UnsupportedOperation(
                "lambda", "CreateFunction", "creating a function in another account"
            )
        return name

    def _runtime_version(self, runtime: str) -> str:
        digest = hashlib.sha256(runtime.encode()).hexdigest()
        return f"arn:{partition_of(self.region)}:lambda:{self.region}::runtime:{digest}"

    def _new_code(self, code: dict[str, Any], package_type: str, operation: str) -> CodePackage:
        """The package a Code structure (Create) or the code members (Update) describe."""
        if package_type == "Image":
            if not code.get("ImageUri"):
                raise v.invalid_parameter("Please provide a source for function code.")
            package = v.image_package(code["ImageUri"])
        elif code.get("ZipFile") is not None:
            package = v.read_zip(v.blob(code["ZipFile"]), operation)
        elif code.get("S3Bucket") or code.get("S3Key"):
            raise v.refuse_s3(operation)
        else:
            raise v.invalid_parameter("Please provide a source for function code.")
        if code.get("SourceKMSKeyArn"):
            package = CodePackage(
                package.sha256,
                package.size,
                package.unzipped_size,
                package.zip_file,
                package.image_uri,
                code["SourceKMSKeyArn"],
            )
        return package

    # -- reads -----------------------------------------------------------------------------
    @permission(resources=function_resource)
    def get_function(self, call: Call) -> dict:
        fn, qualifier = self._qualified(call)
        version = self.version_of(fn, qualifier)
        out: dict[str, Any] = {
            "Configuration": self.render(fn, version, qualifier),
            "Code": self._code_location(fn, version),
        }
        if fn.tags:
            out["Tags"] = dict(fn.tags)
        if fn.reserved_concurrency is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": fn.reserved_concurrency}
        return out

    @permission(resources=function_resource)
    def get_function_configuration(self, call: Call) -> dict:
        fn, qualifier = self._qualified(call)
        return self.render(fn, self.version_of(fn, qualifier), qualifier)

    @permission()
    def list_functions(self, call: Call) -> dict:
        p = call.params
        every_version = p.get("FunctionVersion")
        if every_version is not None and every_version != "ALL":
            raise constraint_error(
                every_version, "functionVersion", "Member must satisfy enum value set: [ALL]"
            )
        master = p.get("MasterRegion")
        if master is not None and not re.fullmatch(r"ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1}", master):
            raise constraint_error(
                master,
                "masterRegion",
                r"Member must satisfy regular expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1}",
            )
        limit = self._page_size(p.get("MaxItems"), cap=LIST_PAGE)
        # (sort key, what to render): only the page's items are rendered.
        entries: list[tuple[list, tuple[Function, Version, str | None]]] = []
        if master is None:  # no Lambda@Edge replicas live here
            for name in sorted(self.functions):
                fn = self.functions[name]
                if every_version:
                    entries.append(([name, -1], (fn, fn.latest, "$LATEST")))
                    for number in sorted(fn.versions, key=int):
                        entries.append(([name, int(number)], (fn, fn.versions[number], None)))
                else:
                    entries.append(([name, -1], (fn, fn.latest, None)))
        page, marker = self._page(entries, p.get("Marker"), limit)
        out: dict[str, Any] = {"Functions": [self.render(*item, listing=True) for item in page]}
        if marker is not None:
            out["NextMarker"] = marker
        return out

    @staticmethod
    def _page_size(max_items: int | None, cap: int | None = None) -> int:
        if max_items is not None and max_items > 10000:
            raise max_items_error(max_items)
        size = max_items or 50
        return min(size, cap) if cap else size

    @staticmethod
    def _page(entries: list[tuple[Any, Any]], marker: str | None, limit: int):
        """One page of ``(sort key, item)`` entries after ``marker``, and the next marker."""
        if marker:
            after = decode_marker(marker)
            try:
                entries = [e for e in entries if e[0] > after]
            except TypeError:
                raise v.invalid_parameter(f"Invalid marker: {marker}") from None
        page = entries[:limit]
        following = encode_marker(page[-1][0]) if len(entries) > limit else None
        return [item for _, item in page], following

    # -- UpdateFunctionConfiguration -------------------------------------------------------
    @permission(resources=unqualified_resource)
    def update_function_configuration(self, call: Call) -> dict:
        p = call.params
        self._model_checks(p)
        self._refuse(p, "UpdateFunctionConfiguration")
        fn = self._whole(call)
        old = fn.latest.config
        if p.get("RevisionId") is not None and p["RevisionId"] != old["RevisionId"]:
            raise precondition_failed()
        self._check_idle(fn)
        config = copy_json(old)
        image = old["PackageType"] == "Image"
        if image and ("Runtime" in p or "Handler" in p or p.get("Layers")):
            raise v.invalid_parameter(
                "Please don't provide Handler or Runtime or Layer when the intended function "
                "PackageType is Image."
            )
        runtime = p.get("Runtime", old.get("Runtime"))
        if "Runtime" in p:
            v.check_runtime(p["Runtime"], self._calendar(call), current=old.get("Runtime"))
        elif runtime is not None and v.update_blocked(runtime, self._calendar(call)):
            raise v.no_longer_supported(runtime)
        if "ImageConfig" in p and not image:
            raise v.invalid_parameter(
                "ImageConfig is not supported for functions created with deployment packages."
            )
        for member in ("Role", "Handler", "Description", "Timeout", "MemorySize"):
            if member in p:
                config[member] = p[member]
        if "Runtime" in p:
            config["Runtime"] = p["Runtime"]
            config["RuntimeVersionConfig"] = {
                "RuntimeVersionArn": self._runtime_version(p["Runtime"])
            }
        if "Environment" in p:
            variables = (p["Environment"] or {}).get("Variables") or {}
            if variables:
                v.check_environment(variables)
            config["Environment"] = {"Variables": dict(variables)}
        if "LoggingConfig" in p:
            config["LoggingConfig"] = v.merge_logging(
                old.get("LoggingConfig"), p["LoggingConfig"] or {}, fn.name
            )
        if "DeadLetterConfig" in p:
            target = (p["DeadLetterConfig"] or {}).get("TargetArn")
            if target:
                v.check_dead_letter(target)
                config["DeadLetterConfig"] = {"TargetArn": target}
            else:
                config.pop("DeadLetterConfig", None)
        if "SnapStart" in p:
            apply_on = (p["SnapStart"] or {}).get("ApplyOn") or "None"
            v.check_snap_start(apply_on, runtime)
            config["SnapStart"] = {"ApplyOn": apply_on, "OptimizationStatus": "Off"}
        elif "Runtime" in p and config["SnapStart"]["ApplyOn"] == "PublishedVersions":
            v.check_snap_start("PublishedVersions", runtime)
        layers = None
        if "Layers" in p:
            layers = self._layers(p["Layers"] or [], call)
            unzipped = fn.latest.code.unzipped_size + sum(x.code.unzipped_size for x in layers)
            v.check_unzipped(unzipped)
        if "VpcConfig" in p:
            config["VpcConfig"] = v.vpc_response(p["VpcConfig"] or {})
        if "KMSKeyArn" in p:
            if p["KMSKeyArn"]:
                config["KMSKeyArn"] = p["KMSKeyArn"]
            else:
                config.pop("KMSKeyArn", None)
        if (p.get("TracingConfig") or {}).get("Mode"):
            config["TracingConfig"] = {"Mode": p["TracingConfig"]["Mode"]}
        if "EphemeralStorage" in p:
            config["EphemeralStorage"] = {"Size": p["EphemeralStorage"]["Size"]}
        if "FileSystemConfigs" in p:
            if p["FileSystemConfigs"]:
                config["FileSystemConfigs"] = copy_json(p["FileSystemConfigs"])
            else:
                config.pop("FileSystemConfigs", None)
        if "ImageConfig" in p:
            config["ImageConfigResponse"] = {"ImageConfig": copy_json(p["ImageConfig"] or {})}
        if layers is not None:
            self._set_layers(fn.latest, config, layers)
        fn.latest.config = config
        self._start_update(fn)
        return self.render(fn, fn.latest)

    # -- UpdateFunctionCode ----------------------------------------------------------------
    @permission(resources=unqualified_resource)
    def update_function_code(self, call: Call) -> dict:
        p = call.params
        v.check_request_size(p.get("ZipFile"), "UpdateFunctionCode")
        if "Architectures" in p:
            v.check_architectures(p["Architectures"])
        if p.get("PublishTo") is not None:
            raise UnsupportedOperation("lambda", "UpdateFunctionCode", REFUSED["PublishTo"])
        fn = self._whole(call)
        old = fn.latest.config
        if p.get("RevisionId") is not None and p["RevisionId"] != old["RevisionId"]:
            raise precondition_failed()
        self._check_idle(fn)
        if old["PackageType"] == "Image":
            if p.get("ZipFile") is not None or p.get("S3Bucket") or not p.get("ImageUri"):
                raise v.invalid_parameter(
                    "Please provide ImageUri when updating a function with packageType Image."
                )
        elif p.get("ImageUri"):
            raise v.invalid_parameter(
                "Please don't provide ImageUri when updating a function with packageType Zip."
            )
        runtime = old.get("Runtime")
        if runtime is not None and v.update_blocked(runtime, self._calendar(call)):
            raise v.no_longer_supported(runtime)
        package = self._new_code(p, old["PackageType"], "UpdateFunctionCode")
        v.check_unzipped(package.unzipped_size + sum(c.unzipped_size for c in fn.latest.layer_code))
        config = copy_json(old)
        config["CodeSha256"] = package.sha256
        config["CodeSize"] = package.size
        if p.get("Architectures"):
            config["Architectures"] = list(p["Architectures"])
        if p.get("DryRun"):
            return self.render(fn, Version(config=config, code=package))
        fn.latest.config = config
        fn.latest.code = package
        self._start_update(fn)
        if p.get("Publish"):
            return self.render(fn, self.publish(fn))
        return self.render(fn, fn.latest)

    # -- DeleteFunction --------------------------------------------------------------------
    @permission(resources=function_resource)
    def delete_function(self, call: Call) -> dict:
        ref = self._ref(call)
        qualifier = merge_qualifier(ref, call.params.get("Qualifier"))
        if qualifier is not None and qualifier != "$LATEST" and not qualifier.isdecimal():
            raise v.invalid_parameter("Deletion of aliases is not currently supported.")
        if qualifier == "$LATEST":
            raise v.invalid_parameter(
                "$LATEST version cannot be deleted without deleting the function."
            )
        fn = self.function(ref)
        if qualifier is None:
            del self.functions[fn.name]
            self.on_function_deleted(fn, None)
            return {"StatusCode": 204}
        version = fn.versions.get(qualifier)
        if version is None:  # Lambda answers 204 and deletes nothing
            return {"StatusCode": 204}
        users = sorted(
            a.name for a in fn.aliases.values() if qualifier in (a.function_version, *a.weights)
        )
        if users:
            raise conflict(
                "Unable to delete version because the following aliases reference it: "
                f"[{', '.join(users)}]"
            )
        del fn.versions[qualifier]
        for table in (fn.policies, fn.event_invoke_configs, fn.url_configs):
            table.pop(qualifier, None)
        had_provisioned = fn.provisioned.pop(qualifier, None) is not None
        self.on_function_deleted(fn, qualifier)
        if had_provisioned:
            self.on_provisioned_concurrency_changed(fn, qualifier)
        return {"StatusCode": 204}

    # -- tags ------------------------------------------------------------------------------
    def _tagged(self, resource: str) -> Function:
        if not re.fullmatch(v.TAGGABLE_PATTERN, resource) or len(resource) > 256:
            raise constraint_error(
                resource,
                "resource",
                f"Member must satisfy regular expression pattern: {v.TAGGABLE_PATTERN}",
            )
        parts = resource.split(":")
        if parts[5] != "function":
            raise UnsupportedOperation("lambda", "TagResource", f"tags on {parts[5]} resources")
        if len(parts) > 7:
            raise v.invalid_parameter(QUALIFIED_TAGS)
        name = parts[6]
        fn = self.functions.get(name)
        if fn is None or parts[3] != self.region or parts[4] != self.account_id:
            raise AWSError("ResourceNotFoundException", f"Function not found: {resource}",
                           Type="User")  # fmt: skip
        return fn

    def _retag(self, fn: Function, tags: dict[str, str]) -> None:
        v.check_tags(tags)
        fn.tags = tags
        fn.latest.config["RevisionId"] = self.new_revision_id()

    @permission(resources=tagged_resource)
    def tag_resource(self, call: Call) -> dict:
        p = call.params
        fn = self._tagged(p["Resource"])
        if not p["Tags"]:
            raise v.invalid_parameter("An error occurred and the request cannot be processed.")
        self._retag(fn, {**fn.tags, **p["Tags"]})
        return {}

    @permission(resources=tagged_resource)
    def untag_resource(self, call: Call) -> dict:
        p = call.params
        if not p["TagKeys"]:
            raise AWSError(
                "ValidationException",
                "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
                "constraint: Member must not be null",
            )
        fn = self._tagged(p["Resource"])
        self._retag(fn, {k: x for k, x in fn.tags.items() if k not in set(p["TagKeys"])})
        return {}

    @permission(resources=tagged_resource)
    def list_tags(self, call: Call) -> dict:
        return {"Tags": dict(self._tagged(call.params["Resource"]).tags)}
