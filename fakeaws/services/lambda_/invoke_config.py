"""Asynchronous invocation settings: Put/Update/Get/Delete/List FunctionEventInvokeConfig(s).

One config per qualifier, stored in ``fn.event_invoke_configs`` under
``"$LATEST"`` (unqualified) or the version number / alias name. Put replaces
the whole config, Update changes only the members it is given (an
``OnSuccess`` or ``OnFailure`` destination replaces that one only).

Destinations are checked as Lambda checks them: a Lambda function (that
exists, and is not the function itself), an SQS queue, an SNS topic or an
EventBridge event bus, and for ``OnFailure`` also an S3 bucket. The queue,
topic, bus or bucket need not exist (Lambda does not check them either).

``event_invoke_config(fn, qualifier)`` is what the async invoke side reads.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.services.base import permission
from fakeaws.services.lambda_.layers import check_max_items
from fakeaws.services.lambda_.names import (
    FunctionRef,
    constraint_error,
    function_resource,
    invalid_parameter,
    merge_qualifier,
    page_of_keys,
    pattern_error,
    resource_not_found,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.services.lambda_.model import Function

MAX_RETRY_ATTEMPTS = 2
MAX_EVENT_AGE = 21600
DEFAULT_RETRY_ATTEMPTS = 2  # what the async side uses when a member is absent
DEFAULT_EVENT_AGE = 21600
DESTINATION_PATTERN = (
    r"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:"
    r"([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
)
_DESTINATION = re.compile(DESTINATION_PATTERN)
_FUNCTION_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d):"
    r"(?P<account>\d{12}):function:(?P<name>[a-zA-Z0-9-_]+)(:(?P<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?"
)
NO_FUNCTION = "The function doesn't exist."
NOTHING_TO_SET = "You must specify at least one of error handling or destination setting."
SELF_DESTINATION = "You can't specify the function as a destination for itself."


class InvokeConfigs:
    """Mixin of LambdaBackend: per-qualifier asynchronous invocation settings."""

    functions: dict[str, Function]

    # -- the async invoke side's entry point ----------------------------------------------
    def event_invoke_config(self, fn: Function, qualifier: str | None) -> dict | None:
        """The config for an async invocation through ``qualifier`` (None = unqualified).

        Keys: ``MaximumRetryAttempts`` and ``MaximumEventAgeInSeconds`` (absent:
        Lambda's defaults, 2 and 21600), ``DestinationConfig`` with ``OnSuccess``
        / ``OnFailure`` each holding an optional ``Destination`` ARN, and
        ``LastModified`` (epoch seconds). A config applies to the qualifier it
        was put on only: an invocation through an alias uses the alias's.
        """
        config = fn.event_invoke_configs.get(qualifier or "$LATEST")
        return copy.deepcopy(config) if config is not None else None

    # -- helpers ---------------------------------------------------------------------------
    def _config_target(self, call: Call) -> tuple[FunctionRef, str | None, Function | None]:
        ref = self._ref(call)
        qualifier = merge_qualifier(ref, call.params.get("Qualifier"))
        return ref, qualifier, self._existing(ref)

    def _existing_target(self, call: Call) -> tuple[Function, str]:
        """For Put/Update: the function and qualifier, which must exist."""
        _, qualifier, fn = self._config_target(call)
        if fn is None or (
            qualifier not in (None, "$LATEST")
            and qualifier not in fn.versions
            and qualifier not in fn.aliases
        ):
            raise resource_not_found(NO_FUNCTION)
        return fn, qualifier or "$LATEST"

    def _no_config(self, name: str, qualifier: str | None) -> Exception:
        arn = self.function_arn(name, qualifier or "$LATEST")
        return resource_not_found(f"The function {arn} doesn't have an EventInvokeConfig")

    def _check_invoke_config_members(self, call: Call) -> None:
        p = call.params
        if (
            p.get("MaximumRetryAttempts") is not None
            and p["MaximumRetryAttempts"] > MAX_RETRY_ATTEMPTS
        ):
            raise constraint_error(
                p["MaximumRetryAttempts"],
                "maximumRetryAttempts",
                f"Member must have value less than or equal to {MAX_RETRY_ATTEMPTS}",
            )
        age = p.get("MaximumEventAgeInSeconds")
        if age is not None and age > MAX_EVENT_AGE:
            raise constraint_error(
                age,
                "maximumEventAgeInSeconds",
                f"Member must have value less than or equal to {MAX_EVENT_AGE}",
            )
        for kind in ("OnSuccess", "OnFailure"):
            arn = ((p.get("DestinationConfig") or {}).get(kind) or {}).get("Destination")
            if arn is not None and (len(arn) > 350 or not _DESTINATION.fullmatch(arn)):
                member = f"destinationConfig.{kind[0].lower()}{kind[1:]}.destination"
                raise pattern_error(arn, member, DESTINATION_PATTERN)
        if (
            p.get("MaximumRetryAttempts") is None
            and p.get("MaximumEventAgeInSeconds") is None
            and p.get("DestinationConfig") is None
        ):
            raise invalid_parameter(NOTHING_TO_SET)

    def _check_destinations(self, fn: Function, destinations: dict[str, Any]) -> None:
        success = (destinations.get("OnSuccess") or {}).get("Destination") or None
        failure = (destinations.get("OnFailure") or {}).get("Destination") or None
        ok = True
        for kind, arn in (("OnSuccess", success), ("OnFailure", failure)):
            if arn is not None:
                ok = self._destination_ok(fn, kind, arn) and ok
        if not ok:
            on_success = f"OnSuccess(destination={success})" if success else "null"
            on_failure = f"OnFailure(destination={failure})" if failure else "null"
            raise invalid_parameter(
                f"The provided destination config DestinationConfig(onSuccess={on_success}, "
                f"onFailure={on_failure}) is invalid."
            )

    def _destination_ok(self, fn: Function, kind: str, arn: str) -> bool:
        parts = arn.split(":")
        service = parts[2] if arn.startswith("arn:") and len(parts) > 2 else ""
        if service == "lambda":
            match = _FUNCTION_ARN.fullmatch(arn)
            if match is None:
                return False
            account, region = match.group("account"), match.group("region")
            owner = self if (account, region) == (self.account_id, self.region) else None
            if owner is None:
                owner = self.cloud.backend("lambda", account, region)
            if match.group("name") not in owner.functions:
                raise invalid_parameter(f"The destination ARN {arn} is invalid.")
            if owner is self and match.group("name") == fn.name:
                raise invalid_parameter(SELF_DESTINATION)
            return True
        if service in ("sqs", "sns", "events"):
            return True
        return service == "s3" and kind == "OnFailure"

    def _describe(self, fn: Function, qualifier: str) -> dict:
        config = fn.event_invoke_configs[qualifier]
        out: dict[str, Any] = {
            "LastModified": datetime.fromtimestamp(config["LastModified"], timezone.utc),
            "FunctionArn": self.function_arn(fn.name, qualifier),
        }
        for member in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if config.get(member) is not None:
                out[member] = config[member]
        out["DestinationConfig"] = copy.deepcopy(config["DestinationConfig"])
        return out

    # -- operations ------------------------------------------------------------------------
    @permission(resources=function_resource)
    def put_function_event_invoke_config(self, call: Call) -> dict:
        p = call.params
        self._check_invoke_config_members(call)
        fn, qualifier = self._existing_target(call)
        destinations = p.get("DestinationConfig") or {}
        self._check_destinations(fn, destinations)
        fn.event_invoke_configs[qualifier] = {
            "MaximumRetryAttempts": p.get("MaximumRetryAttempts"),
            "MaximumEventAgeInSeconds": p.get("MaximumEventAgeInSeconds"),
            "DestinationConfig": _destinations(destinations, {}),
            "LastModified": self.cloud.clock.time(),
        }
        return self._describe(fn, qualifier)

    @permission(resources=function_resource)
    def update_function_event_invoke_config(self, call: Call) -> dict:
        p = call.params
        self._check_invoke_config_members(call)
        fn, qualifier = self._existing_target(call)
        config = fn.event_invoke_configs.get(qualifier)
        if config is None:
            raise self._no_config(fn.name, qualifier)
        destinations = p.get("DestinationConfig")
        if destinations is not None:
            self._check_destinations(fn, destinations)
            config["DestinationConfig"] = _destinations(destinations, config["DestinationConfig"])
        for member in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if p.get(member) is not None:
                config[member] = p[member]
        config["LastModified"] = self.cloud.clock.time()
        return self._describe(fn, qualifier)

    @permission(resources=function_resource)
    def get_function_event_invoke_config(self, call: Call) -> dict:
        ref, qualifier, fn = self._config_target(call)
        key = qualifier or "$LATEST"
        if fn is None or key not in fn.event_invoke_configs:
            raise self._no_config(ref.name, qualifier)
        return self._describe(fn, key)

    @permission(resources=function_resource)
    def delete_function_event_invoke_config(self, call: Call) -> dict:
        ref, qualifier, fn = self._config_target(call)
        key = qualifier or "$LATEST"
        if fn is None or key not in fn.event_invoke_configs:
            raise self._no_config(ref.name, qualifier)
        del fn.event_invoke_configs[key]
        return {}

    @permission(resources=function_resource)
    def list_function_event_invoke_configs(self, call: Call) -> dict:
        p = call.params
        ref = self._ref(call)
        fn = self._existing(ref)
        if fn is None:
            raise resource_not_found(NO_FUNCTION)
        limit = check_max_items(p.get("MaxItems"))
        page, marker = page_of_keys(list(fn.event_invoke_configs), p.get("Marker"), limit)
        out: dict = {"FunctionEventInvokeConfigs": [self._describe(fn, q) for q in page]}
        if marker is not None:
            out["NextMarker"] = marker
        return out


def _destinations(given: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """The stored DestinationConfig: each of OnSuccess/OnFailure given replaces the old one."""
    out = {
        "OnSuccess": dict(previous.get("OnSuccess", {})),
        "OnFailure": dict(previous.get("OnFailure", {})),
    }
    for kind in ("OnSuccess", "OnFailure"):
        if kind in given:
            arn = (given[kind] or {}).get("Destination")
            out[kind] = {"Destination": arn} if arn else {}
    return out
