"""Targets of rules: PutTargets, RemoveTargets, ListTargetsByRule.

A rule has at most five targets. Deliverable kinds: Lambda functions
(unqualified, version or alias ARNs), SQS queues (FIFO ones need
``SqsParameters.MessageGroupId``), SNS topics, event buses (in any account or
region), and Step Functions state machines (delivered once fakeaws has a Step
Functions backend; until then delivery fails loudly). Targets of any other
service are refused with ``UnsupportedOperation``: fakeaws cannot deliver to
them, and silently dropping events would be wrong.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fakeaws.errors import UnsupportedOperation
from fakeaws.services.base import permission
from fakeaws.services.events.common import (
    MAX_TARGETS_PER_RULE,
    limit_exceeded,
    managed_rule,
    page,
    split_arn,
    validation,
)
from fakeaws.services.events.rules import rule_resource
from fakeaws.services.events.transform import PREDEFINED, PathError, compile_path, placeholders
from fakeaws.services.messaging import parse_json

if TYPE_CHECKING:
    from fakeaws.calls import Call


@dataclass(frozen=True)
class TargetRef:
    kind: str  # "lambda", "sqs", "sns", "bus", "states"
    account: str
    region: str
    name: str
    qualifier: str | None = None


def target_ref(arn: str) -> TargetRef | None:
    """What a target ARN points at, or None for a kind fakeaws cannot deliver to."""
    parts = split_arn(arn)
    if parts is None:
        return None
    _, service, region, account, resource = parts
    if service == "lambda" and resource.startswith("function:"):
        name, _, qualifier = resource[len("function:") :].partition(":")
        return TargetRef("lambda", account, region, name, qualifier or None)
    if service == "sqs" and resource and ":" not in resource:
        return TargetRef("sqs", account, region, resource)
    if service == "sns" and resource and ":" not in resource:
        return TargetRef("sns", account, region, resource)
    if service == "events" and resource.startswith("event-bus/"):
        return TargetRef("bus", account, region, resource[len("event-bus/") :])
    if service == "states" and resource.startswith("stateMachine:"):
        return TargetRef("states", account, region, resource[len("stateMachine:") :])
    return None


def _arn_format_failure(target: dict) -> dict:  # LocalStack's wording
    return {
        "TargetId": target["Id"],
        "ErrorCode": "ValidationException",
        "ErrorMessage": f"Parameter {target['Arn']} is not valid. Reason: Provided Arn is not in "
        "correct format.",
    }


def _fifo_failure(target: dict) -> dict:  # moto's and LocalStack's wording
    return {
        "TargetId": target["Id"],
        "ErrorCode": "ValidationException",
        "ErrorMessage": f"Parameter(s) SqsParameters must be specified for target: {target['Id']}.",
    }


class Targets:
    def _validate_input(self, target: dict) -> None:
        """AWS's checks of Input / InputPath / InputTransformer (raised for the whole call)."""
        tid = target["Id"]
        given = [k for k in ("Input", "InputPath", "InputTransformer") if target.get(k) is not None]
        if len(given) > 1:
            raise validation(
                f"Only one of Input, InputPath, or InputTransformer must be provided for target "
                f"{tid}."
            )
        if "Input" in given:
            try:
                parse_json(target["Input"])
            except ValueError:
                raise validation(f"Input for target {tid} is not a valid JSON text.") from None
        if "InputPath" in given:
            try:
                compile_path(target["InputPath"])
            except PathError:  # fakeaws's wording
                raise validation(f"InputPath for target {tid} is not a valid JSON path.") from None
        transformer = target.get("InputTransformer")
        if transformer is not None:
            paths = transformer.get("InputPathsMap") or {}
            for key, path in paths.items():
                if key in PREDEFINED or key.upper().startswith("AWS"):  # fakeaws's wording
                    raise validation(
                        f"InputPathsMap for target {tid} uses the reserved variable name {key}."
                    )
                try:
                    compile_path(path)
                except PathError:  # fakeaws's wording
                    raise validation(
                        f"InputPathsMap for target {tid} has an invalid JSON path for {key}."
                    ) from None
            for name in placeholders(transformer["InputTemplate"]):
                if name not in paths and name not in PREDEFINED:
                    raise validation(
                        f"InputTemplate for target {tid} contains invalid placeholder {name}."
                    )

    def _target_failure(self, target: dict) -> dict | None:
        """A per-entry failure for this target, or None; unsupported kinds are refused loudly."""
        arn = target["Arn"]
        if split_arn(arn) is None:
            return _arn_format_failure(target)
        ref = target_ref(arn)
        if ref is None:
            raise UnsupportedOperation(
                "events", "PutTargets", f"fakeaws cannot deliver events to the target {arn}"
            )
        group = (target.get("SqsParameters") or {}).get("MessageGroupId")
        if ref.kind == "sqs" and ref.name.endswith(".fifo") and not group:
            return _fifo_failure(target)
        if ref.kind == "bus" and any(
            target.get(k) is not None for k in ("Input", "InputPath", "InputTransformer")
        ):
            raise UnsupportedOperation(
                "events",
                "PutTargets",
                "Input, InputPath and InputTransformer on an event bus target are not modelled",
            )
        dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
        if dlq:
            dlq_ref = target_ref(dlq)
            if dlq_ref is None or dlq_ref.kind != "sqs" or dlq_ref.name.endswith(".fifo"):
                return {  # fakeaws's wording
                    "TargetId": target["Id"],
                    "ErrorCode": "ValidationException",
                    "ErrorMessage": f"Parameter DeadLetterConfig.Arn is not valid. Reason: {dlq} "
                    "is not the ARN of a standard Amazon SQS queue.",
                }
        return None

    @permission(resources=rule_resource)
    def put_targets(self, call: Call) -> dict:
        self._check(call)
        p = call.params
        _, rule = self.rule(p["Rule"], p.get("EventBusName"))
        if rule.managed_by:
            raise managed_rule(rule.name)
        targets = p["Targets"]
        for target in targets:
            self._validate_input(target)
        failed: list[dict] = []
        accepted: list[dict] = []
        for target in targets:
            failure = self._target_failure(target)
            if failure is None:
                accepted.append(target)
            else:
                failed.append(failure)
        ids = set(rule.targets) | {t["Id"] for t in accepted}
        if len(ids) > MAX_TARGETS_PER_RULE:
            raise limit_exceeded()
        for target in accepted:
            rule.targets[target["Id"]] = copy.deepcopy(target)
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    @permission(resources=rule_resource)
    def remove_targets(self, call: Call) -> dict:
        self._check(call)
        p = call.params
        _, rule = self.rule(p["Rule"], p.get("EventBusName"))
        if rule.managed_by and not p.get("Force"):
            raise managed_rule(rule.name)
        failed: list[dict] = []
        for tid in p["Ids"]:
            if rule.targets.pop(tid, None) is None:  # LocalStack's wording
                failed.append(
                    {
                        "TargetId": tid,
                        "ErrorCode": "ResourceNotFoundException",
                        "ErrorMessage": f"Rule '{rule.name}' does not have a target with the Id "
                        f"'{tid}'.",
                    }
                )
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    @permission(resources=rule_resource)
    def list_targets_by_rule(self, call: Call) -> dict:
        self._check(call)
        p = call.params
        _, rule = self.rule(p["Rule"], p.get("EventBusName"))
        targets = sorted(rule.targets.values(), key=lambda t: t["Id"])
        chunk, token = page(targets, lambda t: t["Id"], p)
        out: dict[str, Any] = {"Targets": [copy.deepcopy(t) for t in chunk]}
        if token:
            out["NextToken"] = token
        return out
