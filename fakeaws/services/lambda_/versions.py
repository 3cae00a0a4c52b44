"""Versions and aliases: PublishVersion, ListVersionsByFunction, the alias operations.

A published version is an immutable copy of ``$LATEST``'s configuration and code
(its own config dict, ``Version`` "N", a qualified ``FunctionArn``), numbered from
1 and never reusing a number. Publishing when nothing changed since the last
published version returns that version (compared by ``Version.generation``).
A version starts in ``$LATEST``'s State, except that SnapStart versions
(``ApplyOn: PublishedVersions``) are Pending while their snapshot is taken
(``state_delay`` virtual seconds), as Lambda reports them.

An alias names a primary version (``Alias.function_version``) and at most one
additional version with a weight in [0, 1) (``Alias.weights``); the invocation
side routes by them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.base import permission
from fakeaws.services.lambda_ import validation as v
from fakeaws.services.lambda_.functions import (
    CREATING,
    LIST_PAGE,
    conflict,
    copy_json,
)
from fakeaws.services.lambda_.model import Alias, Function, Version
from fakeaws.services.lambda_.names import (
    check_alias_name,
    constraint_error,
    precondition_failed,
    unqualified_resource,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call

ALIAS_VERSION_PATTERN = r"(\$LATEST(\.PUBLISHED)?|[0-9]+)"
WEIGHT_CONSTRAINT = (
    "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
    "Member must have value greater than or equal to 0.0, Member must not be null]"
)
WEIGHT_KEY_CONSTRAINT = (
    "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
    "Member must have length greater than or equal to 1, Member must satisfy regular "
    "expression pattern: [0-9]+, Member must not be null]"
)


class Versions:
    """Mixin of LambdaBackend: versions and aliases."""

    functions: dict[str, Function]
    cloud: Any

    # -- publishing ------------------------------------------------------------------------
    def publish(self, fn: Function, description: str | None = None) -> Version:
        """Freeze $LATEST as a new version, or return the last one if nothing changed."""
        last = fn.versions.get(str(fn.last_version))
        if last is not None and last.generation == fn.latest.generation:
            return last
        fn.last_version += 1
        number = str(fn.last_version)
        config = copy_json(fn.latest.config)
        config["Version"] = number
        config["FunctionArn"] = f"{fn.arn}:{number}"
        config["LastModified"] = self.last_modified()
        config["RevisionId"] = self.new_revision_id()
        if description is not None:
            config["Description"] = description
        snap_start = config["SnapStart"]["ApplyOn"] == "PublishedVersions"
        config["SnapStart"] = {
            "ApplyOn": config["SnapStart"]["ApplyOn"],
            "OptimizationStatus": "On" if snap_start else "Off",
        }
        for key in ("LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode"):
            config.pop(key, None)
        if snap_start or config.get("State") == "Pending":
            config.update(State="Pending", StateReason=CREATING, StateReasonCode="Creating")
        else:
            config["LastUpdateStatus"] = "Successful"
        version = Version(
            config=config,
            code=fn.latest.code,
            generation=fn.latest.generation,
            layer_code=list(fn.latest.layer_code),
        )
        fn.versions[number] = version
        fn.latest.config["RevisionId"] = self.new_revision_id()
        if config["State"] == "Pending":
            self._schedule_ready(fn, version)
        return version

    @permission(resources=unqualified_resource)
    def publish_version(self, call: Call) -> dict:
        p = call.params
        if p.get("PublishTo") is not None:
            raise UnsupportedOperation("lambda", "PublishVersion", "PublishTo (capacity providers)")
        fn = self._whole(call)
        latest = fn.latest.config
        if p.get("RevisionId") is not None and p["RevisionId"] != latest["RevisionId"]:
            raise precondition_failed()
        sha = p.get("CodeSha256")
        if sha is not None and sha != latest["CodeSha256"]:
            raise v.invalid_parameter(
                f"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST "
                f"({latest['CodeSha256']}). Please try again with the CodeSHA256 in $LATEST."
            )
        self._check_idle(fn)
        return self.render(fn, self.publish(fn, p.get("Description")))

    @permission(resources=unqualified_resource)
    def list_versions_by_function(self, call: Call) -> dict:
        p = call.params
        limit = self._page_size(p.get("MaxItems"), cap=LIST_PAGE)
        fn = self._whole(call)
        entries = [(-1, self.render(fn, fn.latest, "$LATEST", listing=True))]
        for number in sorted(fn.versions, key=int):
            version = fn.versions[number]
            entries.append((int(number), self.render(fn, version, listing=True)))
        page, marker = self._page(entries, p.get("Marker"), limit)
        out: dict[str, Any] = {"Versions": page}
        if marker is not None:
            out["NextMarker"] = marker
        return out

    # -- aliases ---------------------------------------------------------------------------
    def _alias_arn(self, fn: Function, name: str) -> str:
        return f"{fn.arn}:{name}"

    def _alias(self, fn: Function, name: str) -> Alias:
        alias = fn.aliases.get(name)
        if alias is None:
            raise AWSError(
                "ResourceNotFoundException",
                f"Cannot find alias arn: {self._alias_arn(fn, name)}",
                Type="User",
            )
        return alias

    def _target(self, fn: Function, version: str) -> None:
        """An alias's primary version: $LATEST or a published version of the function."""
        if not re.fullmatch(ALIAS_VERSION_PATTERN, version):
            raise constraint_error(
                version,
                "functionVersion",
                f"Member must satisfy regular expression pattern: {ALIAS_VERSION_PATTERN}",
            )
        if version == "$LATEST.PUBLISHED":
            raise UnsupportedOperation(
                "lambda", "CreateAlias", "$LATEST.PUBLISHED (capacity providers)"
            )
        if version != "$LATEST" and version not in fn.versions:
            raise self.function_not_found(fn.name, version)

    def _weights(
        self, fn: Function, primary: str, routing: dict[str, Any] | None
    ) -> dict[str, float]:
        weights = (routing or {}).get("AdditionalVersionWeights") or {}
        if not weights:
            return {}
        if len(weights) > 1:
            raise v.invalid_parameter(
                "Number of items in AdditionalVersionWeights cannot be greater than 1"
            )
        [(key, weight)] = weights.items()
        shown = f"{{{key}={weight}}}"
        if not 0.0 <= weight < 1.0:
            raise constraint_error(
                shown, "routingConfig.additionalVersionWeights", WEIGHT_CONSTRAINT
            )
        if key == primary:
            raise v.invalid_parameter(
                f"Invalid function version {primary}. Function version {primary} is already "
                "included in routing configuration."
            )
        if primary == "$LATEST":
            raise v.invalid_parameter(
                "$LATEST is not supported for an alias pointing to more than 1 version"
            )
        if not re.fullmatch(r"[0-9]+", key) or len(key) > 1024:
            raise constraint_error(
                shown, "routingConfig.additionalVersionWeights", WEIGHT_KEY_CONSTRAINT
            )
        if key not in fn.versions:
            raise self.function_not_found(fn.name, key)
        return {key: float(weight)}

    @permission(resources=unqualified_resource)
    def create_alias(self, call: Call) -> dict:
        p = call.params
        name = p["Name"]
        check_alias_name(name)
        fn = self._whole(call)
        self._target(fn, p["FunctionVersion"])
        if name in fn.aliases:
            raise conflict(f"Alias already exists: {self._alias_arn(fn, name)}")
        weights = self._weights(fn, p["FunctionVersion"], p.get("RoutingConfig"))
        alias = Alias(
            name=name,
            arn=self._alias_arn(fn, name),
            function_version=p["FunctionVersion"],
            description=p.get("Description") or "",
            weights=weights,
            revision_id=self.new_revision_id(),
        )
        fn.aliases[name] = alias
        return alias.describe()

    @permission(resources=unqualified_resource)
    def get_alias(self, call: Call) -> dict:
        check_alias_name(call.params["Name"])
        fn = self._whole(call)
        return self._alias(fn, call.params["Name"]).describe()

    @permission(resources=unqualified_resource)
    def update_alias(self, call: Call) -> dict:
        p = call.params
        check_alias_name(p["Name"])
        fn = self._whole(call)
        alias = self._alias(fn, p["Name"])
        if p.get("RevisionId") is not None and p["RevisionId"] != alias.revision_id:
            raise precondition_failed()
        primary = p.get("FunctionVersion", alias.function_version)
        if "FunctionVersion" in p:
            self._target(fn, primary)
        if "RoutingConfig" in p:
            weights = self._weights(fn, primary, p["RoutingConfig"])
        else:
            weights = self._weights(fn, primary, {"AdditionalVersionWeights": alias.weights})
        moved = primary != alias.function_version
        alias.function_version = primary
        alias.weights = weights
        if p.get("Description") is not None:
            alias.description = p["Description"]
        alias.revision_id = self.new_revision_id()
        if moved and alias.name in fn.provisioned:
            self.on_provisioned_concurrency_changed(fn, alias.name)
        return alias.describe()

    @permission(resources=unqualified_resource)
    def delete_alias(self, call: Call) -> dict:
        name = call.params["Name"]
        check_alias_name(name)
        fn = self._whole(call)
        if fn.aliases.pop(name, None) is None:
            return {}  # Lambda answers 204 for an alias that is not there
        for table in (fn.policies, fn.event_invoke_configs, fn.url_configs):
            table.pop(name, None)
        if fn.provisioned.pop(name, None) is not None:
            self.on_provisioned_concurrency_changed(fn, name)
        return {}

    @permission(resources=unqualified_resource)
    def list_aliases(self, call: Call) -> dict:
        p = call.params
        limit = self._page_size(p.get("MaxItems"))
        wanted = p.get("FunctionVersion")
        if wanted is not None and not re.fullmatch(ALIAS_VERSION_PATTERN, wanted):
            raise constraint_error(
                wanted,
                "functionVersion",
                f"Member must satisfy regular expression pattern: {ALIAS_VERSION_PATTERN}",
            )
        fn = self._whole(call)
        entries = [
            (name, fn.aliases[name].describe())
            for name in sorted(fn.aliases)
            if wanted is None or fn.aliases[name].function_version == wanted
        ]
        page, marker = self._page(entries, p.get("Marker"), limit)
        out: dict[str, Any] = {"Aliases": page}
        if marker is not None:
            out["NextMarker"] = marker
        return out
