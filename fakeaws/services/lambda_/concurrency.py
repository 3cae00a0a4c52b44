"""Concurrency settings: reserved and provisioned concurrency, account settings, recursion.

The account's concurrency (``cloud.settings.lambda_.account_concurrency``) is
shared by all functions of the account in the region. A function claims its
reserved concurrency if it has one, else the provisioned concurrency of its
versions and aliases; what is left is ``UnreservedConcurrentExecutions``,
which Lambda never lets fall below ``min(100, account limit)``.

Provisioned concurrency goes on a published version or an alias, never
``$LATEST``, and never on both an alias and the version it points to. A put
stores the config as ``IN_PROGRESS`` (0 allocated, 0 available) in
``fn.provisioned[qualifier]`` (keys = the response members) and calls
``on_provisioned_concurrency_changed``; the invocation side makes it READY.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.base import permission
from fakeaws.services.lambda_.layers import check_max_items
from fakeaws.services.lambda_.names import (
    constraint_error,
    function_resource,
    invalid_parameter,
    is_version,
    merge_qualifier,
    page_of_keys,
    parse_unqualified_function_name,
    resource_conflict,
    resource_not_found,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.services.lambda_.model import Function

MIN_UNRESERVED = 100
TOTAL_CODE_SIZE = 80_530_636_800
CODE_SIZE_UNZIPPED = 262_144_000
CODE_SIZE_ZIPPED = 52_428_800

FUNCTION_ONLY = (
    "This operation is permitted on Lambda functions only. Aliases and versions do not support "
    "this operation. Please specify either a function name or an unqualified function ARN."
)
UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
ALIAS_OR_VERSION = "The function resource provided must be an alias or a published version."
NO_PROVISIONED = "No Provisioned Concurrency Config found for this function"
OVER_RESERVED = (
    "Requested Provisioned Concurrency should not be greater than the "
    "reservedConcurrentExecution for function"
)
ALIAS_ON_PROVISIONED_VERSION = (
    "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned "
    "version"
)
VERSION_UNDER_ALIAS = "Version is pointed by a Provisioned Concurrency alias"


def _below_minimum(what: str, minimum: int) -> AWSError:
    return invalid_parameter(
        f"Specified {what} for function decreases account's UnreservedConcurrentExecution below "
        f"its minimum value of [{minimum}]."
    )


class Concurrency:
    """Mixin of LambdaBackend: reserved/provisioned concurrency and account settings."""

    functions: dict[str, Function]

    # -- accounting ----------------------------------------------------------------------
    @staticmethod
    def provisioned_total(fn: Function, exclude: str | None = None) -> int:
        return sum(
            c["RequestedProvisionedConcurrentExecutions"]
            for q, c in fn.provisioned.items()
            if q != exclude
        )

    def concurrency_claim(self, fn: Function) -> int:
        """What a function takes from the account pool: reserved, else provisioned."""
        if fn.reserved_concurrency is not None:
            return fn.reserved_concurrency
        return self.provisioned_total(fn)

    def unreserved_concurrency(self) -> int:
        """UnreservedConcurrentExecutions: the pool functions without a reservation share."""
        claimed = sum(self.concurrency_claim(fn) for fn in self.functions.values())
        return self.settings.account_concurrency - claimed

    def minimum_unreserved(self) -> int:
        return min(MIN_UNRESERVED, self.settings.account_concurrency)

    def _claimed_by_others(self, fn: Function) -> int:
        return sum(self.concurrency_claim(f) for f in self.functions.values() if f is not fn)

    # -- reserved concurrency --------------------------------------------------------------
    @permission(resources=function_resource)
    def put_function_concurrency(self, call: Call) -> dict:
        ref = self._ref(call)
        if ref.qualifier is not None:
            raise invalid_parameter(FUNCTION_ONLY)
        fn = self._existing(ref)
        if fn is None:
            raise self.function_not_found(ref.name, "$LATEST")
        wanted = call.params["ReservedConcurrentExecutions"]
        limit = self.settings.account_concurrency
        minimum = self.minimum_unreserved()
        if limit - self._claimed_by_others(fn) - wanted < minimum:
            raise _below_minimum("ReservedConcurrentExecutions", minimum)
        provisioned = self.provisioned_total(fn)
        if provisioned > wanted:
            raise invalid_parameter(
                f" ReservedConcurrentExecutions  {wanted} should not be lower than function's "
                f"total provisioned concurrency [{provisioned}]."
            )
        fn.reserved_concurrency = wanted
        return {"ReservedConcurrentExecutions": wanted}

    @permission(resources=function_resource)
    def get_function_concurrency(self, call: Call) -> dict:
        ref = self._ref(call)
        fn = self.function(ref)
        if fn.reserved_concurrency is None:
            return {}
        return {"ReservedConcurrentExecutions": fn.reserved_concurrency}

    @permission(resources=function_resource)
    def delete_function_concurrency(self, call: Call) -> dict:
        ref = self._ref(call)
        if ref.qualifier is not None:
            raise invalid_parameter(FUNCTION_ONLY)
        self.function(ref).reserved_concurrency = None
        return {}

    # -- provisioned concurrency -----------------------------------------------------------
    def _provisioned_target(self, call: Call, latest_message: str) -> tuple[Function, str]:
        """The function and the alias or version a provisioned-concurrency call names."""
        ref = self._ref(call)
        qualifier = merge_qualifier(ref, call.params["Qualifier"])
        if qualifier is None or qualifier == "$LATEST":
            raise invalid_parameter(latest_message)
        fn = self._existing(ref)
        if is_version(qualifier):
            if fn is None or qualifier not in fn.versions:
                raise self.function_not_found(ref.name, qualifier)
        elif fn is None or qualifier not in fn.aliases:
            raise resource_not_found(
                f"Cannot find alias arn: {self.function_arn(ref.name, qualifier)}"
            )
        return fn, qualifier

    @permission(resources=function_resource)
    def put_provisioned_concurrency_config(self, call: Call) -> dict:
        fn, qualifier = self._provisioned_target(call, UNPUBLISHED)
        wanted = call.params["ProvisionedConcurrentExecutions"]
        others = self.provisioned_total(fn, exclude=qualifier)
        limit = self.settings.account_concurrency
        if fn.reserved_concurrency is not None:
            if fn.reserved_concurrency < others + wanted:
                raise invalid_parameter(OVER_RESERVED)
        else:
            if wanted > limit:
                raise invalid_parameter(
                    "Specified ConcurrentExecutions for function is greater than account's "
                    f"unreserved concurrency [{limit}]."
                )
            minimum = self.minimum_unreserved()
            if limit - self._claimed_by_others(fn) - others - wanted < minimum:
                raise _below_minimum("ConcurrentExecutions", minimum)
        if qualifier in fn.aliases:
            alias = fn.aliases[qualifier]
            if alias.function_version in fn.provisioned:
                raise resource_conflict(ALIAS_ON_PROVISIONED_VERSION)
        elif any(
            a.function_version == qualifier and a.name in fn.provisioned
            for a in fn.aliases.values()
        ):
            raise resource_conflict(VERSION_UNDER_ALIAS)
        config = {
            "RequestedProvisionedConcurrentExecutions": wanted,
            "AvailableProvisionedConcurrentExecutions": 0,
            "AllocatedProvisionedConcurrentExecutions": 0,
            "Status": "IN_PROGRESS",
            "LastModified": _pc_date(self.cloud.clock.time()),
        }
        fn.provisioned[qualifier] = config
        out = _pc_out(config)  # the answer is IN_PROGRESS whatever the hook does at once
        self.on_provisioned_concurrency_changed(fn, qualifier)
        return out

    @permission(resources=function_resource)
    def get_provisioned_concurrency_config(self, call: Call) -> dict:
        fn, qualifier = self._provisioned_target(call, ALIAS_OR_VERSION)
        config = fn.provisioned.get(qualifier)
        if config is None:
            raise AWSError(
                "ProvisionedConcurrencyConfigNotFoundException", NO_PROVISIONED, Type="User"
            )
        return _pc_out(config)

    @permission(resources=function_resource)
    def delete_provisioned_concurrency_config(self, call: Call) -> dict:
        fn, qualifier = self._provisioned_target(call, ALIAS_OR_VERSION)
        if fn.provisioned.pop(qualifier, None) is not None:
            self.on_provisioned_concurrency_changed(fn, qualifier)
        return {}

    @permission(resources=function_resource)
    def list_provisioned_concurrency_configs(self, call: Call) -> dict:
        p = call.params
        ref = self._ref(call)
        fn = self._existing(ref)
        if fn is None:
            raise self.function_not_found(ref.name)
        limit = check_max_items(p.get("MaxItems"))
        page, marker = page_of_keys(list(fn.provisioned), p.get("Marker"), limit)
        items = [
            {"FunctionArn": self.function_arn(fn.name, q), **_pc_out(fn.provisioned[q])}
            for q in page
        ]
        out: dict = {"ProvisionedConcurrencyConfigs": items}
        if marker is not None:
            out["NextMarker"] = marker
        return out

    # -- account settings ---------------------------------------------------------------
    @permission()
    def get_account_settings(self, call: Call) -> dict:
        code_size = sum(
            fn.latest.code.size + sum(v.code.size for v in fn.versions.values())
            for fn in self.functions.values()
        )
        code_size += self.layers_code_size()
        return {
            "AccountLimit": {
                "TotalCodeSize": TOTAL_CODE_SIZE,
                "CodeSizeUnzipped": CODE_SIZE_UNZIPPED,
                "CodeSizeZipped": CODE_SIZE_ZIPPED,
                "ConcurrentExecutions": self.settings.account_concurrency,
                "UnreservedConcurrentExecutions": max(self.unreserved_concurrency(), 0),
            },
            "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": len(self.functions)},
        }

    # -- recursive loop detection ------------------------------------------------------------
    @permission(resources=function_resource)
    def put_function_recursion_config(self, call: Call) -> dict:
        ref = self._reachable(parse_unqualified_function_name(call.params["FunctionName"]))
        fn = self.function(ref)
        value = call.params["RecursiveLoop"]
        if value not in ("Allow", "Terminate"):
            raise constraint_error(
                value, "recursiveLoop", "Member must satisfy enum value set: [Allow, Terminate]"
            )
        fn.recursion = value
        return {"RecursiveLoop": value}

    @permission(resources=function_resource)
    def get_function_recursion_config(self, call: Call) -> dict:
        ref = self._reachable(parse_unqualified_function_name(call.params["FunctionName"]))
        return {"RecursiveLoop": self.function(ref).recursion}


def _pc_date(epoch: float) -> str:
    """LastModified of a provisioned concurrency config: ``2019-11-21T19:32:12+0000``."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


_PC_MEMBERS = (
    "RequestedProvisionedConcurrentExecutions",
    "AvailableProvisionedConcurrentExecutions",
    "AllocatedProvisionedConcurrentExecutions",
    "Status",
    "StatusReason",
    "LastModified",
)


def _pc_out(config: dict[str, Any]) -> dict[str, Any]:
    return {k: config[k] for k in _PC_MEMBERS if config.get(k) is not None}
