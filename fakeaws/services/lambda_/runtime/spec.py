"""What is fixed for an execution environment's whole life."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

from fakeaws.arns import partition_of

# The on-demand init phase may last this long before Lambda stops it (and retries the init
# when the function is invoked, within the function's own timeout).
INIT_TIMEOUT = 10.0


@dataclass(frozen=True)
class RuntimeSpec:
    """A function version as its execution environments see it.

    Empty ``function_arn``, ``log_group`` and ``code_sha256`` are derived from
    the rest (the unqualified ARN, ``/aws/lambda/<name>``, base64 SHA-256).
    ``timeout`` is in seconds; any positive float is accepted (AWS's minimum
    is 1 s, but a tiny one lets tests exercise real-time timeouts quickly).
    """

    function_name: str
    handler: str
    code: bytes
    runtime: str = "python3.12"
    version: str = "$LATEST"
    function_arn: str = ""
    code_sha256: str = ""
    layers: tuple[tuple[bytes, str], ...] | list[tuple[bytes, str]] = ()
    environment: dict[str, str] = field(default_factory=dict)
    memory_mb: int = 128
    timeout: float = 3.0
    region: str = "us-east-1"
    account_id: str = "123456789012"
    credentials: tuple[str, str, str | None] = ("ASIAFAKELAMBDAROLE01", "fake-secret", "fake-token")
    log_group: str = ""
    log_format: str = "Text"  # "Text" | "JSON"
    application_log_level: str | None = None  # JSON only: TRACE DEBUG INFO WARN ERROR FATAL
    system_log_level: str | None = None  # JSON only: DEBUG INFO WARN
    initialization_type: str = "on-demand"  # | "provisioned-concurrency"
    architecture: str = "x86_64"
    allow_site_packages: bool = False
    ephemeral_storage_mb: int = 512

    def __post_init__(self) -> None:
        if not self.function_arn:
            partition = partition_of(self.region)
            arn = (
                f"arn:{partition}:lambda:{self.region}:{self.account_id}"
                f":function:{self.function_name}"
            )
            object.__setattr__(self, "function_arn", arn)
        if not self.log_group:
            object.__setattr__(self, "log_group", f"/aws/lambda/{self.function_name}")
        if not self.code_sha256:
            digest = base64.b64encode(hashlib.sha256(self.code).digest()).decode()
            object.__setattr__(self, "code_sha256", digest)
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")

    @property
    def json_logs(self) -> bool:
        return self.log_format.upper() == "JSON"

    @property
    def python_version(self) -> str:
        """``3.12`` for ``python3.12``."""
        return self.runtime.removeprefix("python")
