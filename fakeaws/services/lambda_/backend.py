"""Lambda: one account's functions and layers in one region.

The operations live in mixins by family: functions (create/get/update/delete,
tags), versions and aliases, layers, resource policies, concurrency settings,
event-invoke configs, function URLs, and invocation (the runtime, environments,
concurrency accounting and the async queue).

LIMITATIONS (see docs/lambda.md): only Python handlers run; container images,
code signing, SnapStart, durable executions and capacity providers are
configuration at most.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.base import Backend
from fakeaws.services.lambda_.concurrency import Concurrency
from fakeaws.services.lambda_.event_sources import EventSourceMappings
from fakeaws.services.lambda_.functions import Functions
from fakeaws.services.lambda_.invoke import Invocations
from fakeaws.services.lambda_.invoke_config import InvokeConfigs
from fakeaws.services.lambda_.layers import Layers
from fakeaws.services.lambda_.names import FunctionRef, merge_qualifier, parse_function_name
from fakeaws.services.lambda_.permissions import Permissions
from fakeaws.services.lambda_.urls import FunctionUrls
from fakeaws.services.lambda_.versions import Versions

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.cloud import Cloud
    from fakeaws.services.lambda_.model import Function, Layer, Version


class LambdaBackend(
    Functions,
    Versions,
    Layers,
    Permissions,
    Concurrency,
    InvokeConfigs,
    FunctionUrls,
    Invocations,
    EventSourceMappings,
    Backend,
):
    service = "lambda"
    iam_prefix = "lambda"

    def __init__(self, cloud: Cloud, account_id: str, region: str) -> None:
        super().__init__(cloud, account_id, region)
        self.functions: dict[str, Function] = {}
        self.layers: dict[str, Layer] = {}
        self.mappings: dict[str, dict] = {}  # event source mappings by UUID (the API's dicts)
        self._poll_tasks: dict[str, Any] = {}  # UUID -> the mapping's next poll (a Task)
        self._sqs_buffers: dict[str, list[dict]] = {}  # UUID -> messages held for a batch
        self._sqs_windows: dict[str, float] = {}  # UUID -> when its batching window opened
        self._init_invocations()

    # -- shared helpers -----------------------------------------------------------------
    @property
    def settings(self):
        return self.cloud.settings.service("lambda")

    def function_arn(self, name: str, qualifier: str | None = None) -> str:
        arn = self.arn(f"function:{name}")
        return f"{arn}:{qualifier}" if qualifier else arn

    def last_modified(self) -> str:
        """Now, as Lambda writes LastModified: ``2026-11-27T04:41:36.123+0000``."""
        now = datetime.fromtimestamp(self.cloud.clock.time(), timezone.utc)
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"

    def new_revision_id(self) -> str:
        return self.cloud.new_request_id()

    def ref(self, call: Call, member: str = "FunctionName") -> FunctionRef:
        """The parsed function name of a request (``FunctionName`` by default)."""
        return parse_function_name(call.params[member])

    def lookup(self, call: Call, member: str = "FunctionName") -> tuple[Function, str | None]:
        """The function a request names and its qualifier (from the name or ``Qualifier``)."""
        ref = self.ref(call, member)
        qualifier = merge_qualifier(ref, call.params.get("Qualifier"))
        return self.function(ref, qualifier), qualifier

    def function(self, ref: FunctionRef, qualifier: str | None = None) -> Function:
        """The function ``ref`` names in this backend's account, or Lambda's not-found error."""
        if ref.region is not None and ref.region != self.region:
            raise AWSError(
                "ResourceNotFoundException",
                f"Functions from '{ref.region}' are not reachable in this region ('{self.region}')",
                Type="User",
            )
        fn = self.functions.get(ref.name)
        if fn is None or (ref.account not in (None, self.account_id)):
            raise self.function_not_found(ref.name, qualifier)
        return fn

    def function_not_found(self, name: str, qualifier: str | None = None) -> AWSError:
        return AWSError(
            "ResourceNotFoundException",
            f"Function not found: {self.function_arn(name, qualifier)}",
            Type="User",
        )

    def version_of(self, fn: Function, qualifier: str | None) -> Version:
        """The version a qualifier names: ``$LATEST``/None, a number, or an alias's main version."""
        if qualifier is None or qualifier == "$LATEST":
            return fn.latest
        version = fn.versions.get(qualifier)
        if version is None:
            alias = fn.aliases.get(qualifier)
            if alias is not None:
                version = fn.version(alias.function_version)
        if version is None:
            raise self.function_not_found(fn.name, qualifier)
        return version
