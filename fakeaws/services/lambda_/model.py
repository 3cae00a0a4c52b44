"""What the Lambda backend keeps: functions, their versions and aliases, layers.

A ``Version`` is a configuration plus a code package. ``$LATEST`` is the one
mutable version; ``PublishVersion`` freezes a copy of it. Configuration is kept
as the ``FunctionConfiguration`` dict the API returns (copied on the way out),
so there is one source of truth for every field a client can read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CodePackage:
    """A deployment package: a zip (``zip_file``) or a container image (``image_uri``)."""

    sha256: str  # base64 of the SHA-256 digest, as CodeSha256 reports it
    size: int  # bytes of the zip as uploaded (CodeSize); 0 for images
    unzipped_size: int = 0
    zip_file: bytes | None = None
    image_uri: str | None = None
    source_kms_key_arn: str | None = None  # Code.SourceKMSKeyArn (stored, not used)


@dataclass
class Version:
    """``$LATEST`` or a published version: its configuration and code.

    ``generation`` changes whenever the code or configuration of ``$LATEST``
    changes; execution environments built for an older generation are
    thrown away, as Lambda starts new environments after an update.
    """

    config: dict[str, Any]  # the FunctionConfiguration response (Version, CodeSha256, State...)
    code: CodePackage
    generation: int = 0
    # The code of config["Layers"], in order: held here because a function keeps working
    # after the layer version it was created with is deleted.
    layer_code: list[CodePackage] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.config["Version"]


@dataclass
class Alias:
    name: str
    arn: str
    function_version: str
    description: str = ""
    weights: dict[str, float] = field(default_factory=dict)  # AdditionalVersionWeights
    revision_id: str = ""

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "AliasArn": self.arn,
            "Name": self.name,
            "FunctionVersion": self.function_version,
            "Description": self.description,
            "RevisionId": self.revision_id,
        }
        if self.weights:
            out["RoutingConfig"] = {"AdditionalVersionWeights": dict(self.weights)}
        return out


@dataclass
class PolicyDocument:
    """A resource-based policy: statements in the order they were added.

    Each statement is kept as the IAM JSON object Lambda writes (``Sid``,
    ``Effect``, ``Principal``, ``Action``, ``Resource``, ``Condition``), so an
    IAM evaluator or an event source can read it as any resource policy; see
    ``policy_statements`` for how they are built and ``allows`` for a simple check.
    """

    statements: list[dict[str, Any]] = field(default_factory=list)
    revision_id: str = ""

    def document(self) -> dict[str, Any]:
        """The policy as GetPolicy returns it (parsed): Version, Id, Statement."""
        return {"Version": "2012-10-17", "Id": "default", "Statement": list(self.statements)}

    def to_json(self) -> str:
        """The ``Policy`` string of GetPolicy / GetLayerVersionPolicy, byte for byte."""
        from fakeaws.services.lambda_.policy_statements import dumps

        return dumps(self.document())

    def statement(self, sid: str) -> dict[str, Any] | None:
        return next((s for s in self.statements if s.get("Sid") == sid), None)

    def allows(self, action: str, **context: Any) -> bool:
        """Whether a statement grants ``action`` to a caller (see ``policy_statements.allows``)."""
        from fakeaws.services.lambda_.policy_statements import allows

        return allows(self.statements, action, **context)


@dataclass
class Function:
    name: str
    arn: str  # unqualified
    latest: Version
    versions: dict[str, Version] = field(default_factory=dict)  # published: "1", "2", ...
    last_version: int = 0  # numbers are never reused, even after DeleteFunction(Qualifier=...)
    aliases: dict[str, Alias] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    policies: dict[str, PolicyDocument] = field(default_factory=dict)  # qualifier ("" = none)
    reserved_concurrency: int | None = None
    # Provisioned concurrency, by the qualifier it was put on (an alias name or a version
    # number). Keys are the response members: {"RequestedProvisionedConcurrentExecutions": n,
    # "AvailableProvisionedConcurrentExecutions": n, "AllocatedProvisionedConcurrentExecutions":
    # n, "Status": "IN_PROGRESS" | "READY" | "FAILED", "StatusReason"?: str, "LastModified": str}.
    # The control plane writes IN_PROGRESS/0/0; the invocation side moves it to READY.
    provisioned: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Async invoke settings by qualifier ("$LATEST" for an unqualified function, else the
    # version number or alias name): {"MaximumRetryAttempts"?: n, "MaximumEventAgeInSeconds"?:
    # n, "DestinationConfig": {"OnSuccess": {"Destination"?: arn}, "OnFailure": {...}},
    # "LastModified": epoch seconds}. Read it through ``backend.event_invoke_config``.
    event_invoke_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Function URL configs by qualifier ("" = unqualified, else an alias name): the
    # FunctionUrlConfig members (FunctionUrl, FunctionArn, AuthType, Cors?, InvokeMode,
    # CreationTime, LastModifiedTime).
    url_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    recursion: str = "Terminate"
    extra: dict[str, Any] = field(default_factory=dict)  # smaller per-function settings

    def version(self, number: str) -> Version | None:
        return self.latest if number == "$LATEST" else self.versions.get(number)


@dataclass
class LayerVersion:
    layer_name: str
    layer_arn: str  # without version
    version: int
    code: CodePackage
    description: str = ""
    created: str = ""  # CreatedDate as Lambda formats it
    compatible_runtimes: list[str] = field(default_factory=list)
    compatible_architectures: list[str] = field(default_factory=list)
    license_info: str | None = None
    policy: PolicyDocument = field(default_factory=PolicyDocument)
    location: str = ""  # Content.Location: where the package could be downloaded from

    @property
    def arn(self) -> str:
        return f"{self.layer_arn}:{self.version}"


@dataclass
class Layer:
    name: str
    arn: str
    versions: dict[int, LayerVersion] = field(default_factory=dict)
    last_version: int = 0  # numbers are never reused
