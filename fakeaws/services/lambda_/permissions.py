"""Function resource policies: AddPermission, RemovePermission, GetPolicy.

A function has one policy per qualifier: unqualified (key ``""``, resource
the unqualified ARN), per published version and per alias (resource the
qualified ARN); ``$LATEST`` cannot have its own. Statement ids are unique
within one policy. The policy's RevisionId is the RevisionId of what it is
attached to ($LATEST's configuration, the version's, or the alias): adding or
removing a statement gives that a new RevisionId, as Lambda does.

Statements are kept as IAM JSON (``model.PolicyDocument``); ``resource_policy``
hands event sources and the IAM evaluator the policy that applies to an
invocation.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fakeaws.arns import partition_of
from fakeaws.services.base import permission
from fakeaws.services.lambda_.model import PolicyDocument
from fakeaws.services.lambda_.names import (
    FunctionRef,
    constraint_error,
    function_resource,
    invalid_parameter,
    is_version,
    merge_qualifier,
    pattern_error,
    precondition_failed,
    resource_conflict,
    resource_not_found,
)
from fakeaws.services.lambda_.policy_statements import (
    check_action,
    check_event_source_token,
    check_org_id,
    check_principal,
    check_size,
    check_source_account,
    check_source_arn,
    check_statement_id,
    dumps,
    function_statement,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.services.lambda_.model import Function

NAMESPACED_STATEMENT_ID_PATTERN = "([a-zA-Z0-9-_.]+)"
_NAMESPACED_SID = re.compile(r"[a-zA-Z0-9-_.]+")
NO_POLICY = "No policy is associated with the given resource."
NOT_EXIST = "The resource you requested does not exist."
AUTH_TYPES = ("NONE", "AWS_IAM")


class Permissions:
    """Mixin of LambdaBackend: a function's resource-based policies."""

    functions: dict[str, Function]
    region: str

    # -- the other sides' entry point ----------------------------------------------------
    def resource_policy(self, fn: Function, qualifier: str | None) -> PolicyDocument | None:
        """The policy that governs calls to ``fn`` through ``qualifier`` (None = unqualified).

        An invocation of ``orders:prod`` is governed by the alias's policy, of
        ``orders`` (or ``orders:$LATEST``) by the unqualified one. None when
        there is no statement.
        """
        policy = fn.policies.get(_key(qualifier))
        return policy if policy is not None and policy.statements else None

    # -- helpers -------------------------------------------------------------------------
    def _policy_function(self, call: Call) -> tuple[FunctionRef, str | None, Function]:
        ref = self._ref(call)
        qualifier = merge_qualifier(ref, call.params.get("Qualifier"))
        fn = self._existing(ref)
        if fn is None:
            raise self.function_not_found(ref.name)
        return ref, qualifier, fn

    def _check_target(self, fn: Function, qualifier: str | None) -> None:
        """The version or alias a qualifier names must exist."""
        if qualifier is None or qualifier == "$LATEST":
            return
        if is_version(qualifier):
            if qualifier not in fn.versions:
                raise self.function_not_found(fn.name, qualifier)
        elif qualifier not in fn.aliases:
            raise resource_not_found(
                f"Cannot find alias arn: {self.function_arn(fn.name, qualifier)}"
            )

    def _revision(self, fn: Function, key: str) -> str:
        if not key:
            return fn.latest.config.get("RevisionId", "")
        if key in fn.aliases:
            return fn.aliases[key].revision_id
        return fn.versions[key].config.get("RevisionId", "")

    def _new_revision(self, fn: Function, key: str) -> str:
        revision = self.new_revision_id()
        if not key:
            fn.latest.config["RevisionId"] = revision
        elif key in fn.aliases:
            fn.aliases[key].revision_id = revision
        else:
            fn.versions[key].config["RevisionId"] = revision
        return revision

    # -- operations ------------------------------------------------------------------------
    @permission(resources=function_resource)
    def add_permission(self, call: Call) -> dict:
        p = call.params
        check_statement_id(p["StatementId"])
        check_action(p["Action"])
        check_principal(p["Principal"])
        if p.get("SourceArn") is not None:
            check_source_arn(p["SourceArn"])
        if p.get("SourceAccount") is not None:
            check_source_account(p["SourceAccount"])
        if p.get("EventSourceToken") is not None:
            check_event_source_token(p["EventSourceToken"])
        if p.get("PrincipalOrgID") is not None:
            org = p["PrincipalOrgID"]
            if len(org) < 12:
                raise constraint_error(
                    org, "principalOrgID", "Member must have length greater than or equal to 12"
                )
            check_org_id(org, "principalOrgID")
        auth_type = p.get("FunctionUrlAuthType")
        if auth_type is not None and auth_type not in AUTH_TYPES:
            raise constraint_error(
                auth_type,
                "functionUrlAuthType",
                "Member must satisfy enum value set: [NONE, AWS_IAM]",
            )
        ref = self._ref(call)
        qualifier = merge_qualifier(ref, p.get("Qualifier"))
        if qualifier == "$LATEST":
            raise invalid_parameter("We currently do not support adding policies for $LATEST.")
        _, _, fn = self._policy_function(call)
        self._check_target(fn, qualifier)
        key = _key(qualifier)
        if p.get("RevisionId") and p["RevisionId"] != self._revision(fn, key):
            raise precondition_failed()
        policy = fn.policies.get(key)
        if policy is not None and policy.statement(p["StatementId"]) is not None:
            raise resource_conflict(
                f"The statement id ({p['StatementId']}) provided already exists. Please provide a "
                "new statement id, or remove the existing statement."
            )
        statement = function_statement(
            p["StatementId"],
            p["Action"],
            p["Principal"],
            self.function_arn(fn.name, qualifier),
            partition=partition_of(self.region),
            source_arn=p.get("SourceArn"),
            source_account=p.get("SourceAccount"),
            principal_org_id=p.get("PrincipalOrgID"),
            event_source_token=p.get("EventSourceToken"),
            function_url_auth_type=auth_type,
            invoked_via_function_url=p.get("InvokedViaFunctionUrl"),
        )
        check_size([*(policy.statements if policy else []), statement])
        if policy is None:
            policy = fn.policies[key] = PolicyDocument()
        policy.statements.append(statement)
        policy.revision_id = self._new_revision(fn, key)
        return {"Statement": dumps(statement)}

    @permission(resources=function_resource)
    def remove_permission(self, call: Call) -> dict:
        p = call.params
        sid = p["StatementId"]
        if not _namespaced_sid(sid):
            raise pattern_error(sid, "statementId", NAMESPACED_STATEMENT_ID_PATTERN)
        ref = self._ref(call)
        qualifier = merge_qualifier(ref, p.get("Qualifier"))
        fn = self._existing(ref)
        if fn is None:
            raise resource_not_found(f"No policy found for: {self.function_arn(ref.name)}")
        self._check_target(fn, qualifier)
        key = _key(qualifier)
        policy = fn.policies.get(key)
        if policy is None or not policy.statements:
            raise resource_not_found(NO_POLICY)
        statement = policy.statement(sid)
        if statement is None:
            raise resource_not_found(f"Statement {sid} is not found in resource policy.")
        if p.get("RevisionId") and p["RevisionId"] != self._revision(fn, key):
            raise precondition_failed()
        policy.statements.remove(statement)
        policy.revision_id = self._new_revision(fn, key)
        if not policy.statements:
            del fn.policies[key]
        return {}

    @permission(resources=function_resource)
    def get_policy(self, call: Call) -> dict:
        _, qualifier, fn = self._policy_function(call)
        key = _key(qualifier)
        policy = fn.policies.get(key)
        if policy is None or not policy.statements:
            raise resource_not_found(NOT_EXIST)
        return {"Policy": policy.to_json(), "RevisionId": self._revision(fn, key)}


def _key(qualifier: str | None) -> str:
    return "" if qualifier in (None, "", "$LATEST") else qualifier


def _namespaced_sid(sid: str) -> bool:
    return _NAMESPACED_SID.fullmatch(sid) is not None
