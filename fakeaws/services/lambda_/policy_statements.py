"""Resource-based policy statements as Lambda writes them, and a small check of them.

``AddPermission`` and ``AddLayerVersionPermission`` turn request members into
an IAM statement; ``GetPolicy`` / ``GetLayerVersionPolicy`` return the whole
document as a compact JSON string. The shapes are AWS's (API reference
examples and botocore's ``examples-1.json``):

- a 12-digit account id becomes ``{"AWS": "arn:aws:iam::<id>:root"}``, a
  service principal (``s3.amazonaws.com``) ``{"Service": ...}``, an IAM ARN
  ``{"AWS": arn}``, and ``*`` stays the string ``"*"``;
- ``SourceArn`` becomes ``ArnLike`` on ``AWS:SourceArn``; ``SourceAccount``,
  ``PrincipalOrgID``, ``EventSourceToken`` and ``FunctionUrlAuthType`` become
  ``StringEquals`` (``StringEquals`` before ``ArnLike``, as AWS prints it);
  ``InvokedViaFunctionUrl`` becomes ``Bool`` on ``lambda:InvokedViaFunctionUrl``.

``allows`` is the check event sources use before they invoke a function
(``s3.amazonaws.com`` with a bucket ARN...); the IAM service's evaluator may
read the same statements.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from fakeaws.errors import AWSError
from fakeaws.services.lambda_.names import pattern_error

POLICY_SIZE_LIMIT = 20480  # bytes of the policy document, functions and layer versions alike
STATEMENT_ID_PATTERN = "([a-zA-Z0-9-_]+)"
_STATEMENT_ID = re.compile(r"[a-zA-Z0-9-_]+")
ACTION_PATTERN = "(lambda:[*]|lambda:[a-zA-Z]+|[*])"
_ACTION = re.compile(r"lambda:[*]|lambda:[a-zA-Z]+|[*]")
SOURCE_ARN_PATTERN = (
    r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
)
_SOURCE_ARN = re.compile(SOURCE_ARN_PATTERN)
SOURCE_ACCOUNT_PATTERN = r"\d{12}"
_ACCOUNT = re.compile(r"\d{12}")
ORG_ID_PATTERN = "o-[a-z0-9]{10,32}"
_ORG_ID = re.compile(ORG_ID_PATTERN)
EVENT_SOURCE_TOKEN_PATTERN = r"[a-zA-Z0-9._\-]+"
_EVENT_SOURCE_TOKEN = re.compile(EVENT_SOURCE_TOKEN_PATTERN)
_IAM_ARN = re.compile(r"arn:aws[a-zA-Z-]*:iam::\d{12}:\S+")
_PRINCIPAL = re.compile(r"[^\s]+")
LAYER_PRINCIPAL_PATTERN = r"\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root"
_LAYER_PRINCIPAL = re.compile(LAYER_PRINCIPAL_PATTERN)

INVALID_PRINCIPAL = "The provided principal was invalid. Please check the principal and try again."


def dumps(value: Any) -> str:
    """JSON as Lambda writes policies: no spaces, keys in insertion order."""
    return json.dumps(value, separators=(",", ":"))


def document_size(statements: list[dict[str, Any]]) -> int:
    doc = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
    return len(dumps(doc).encode("utf-8"))


def check_size(statements: list[dict[str, Any]]) -> None:
    """PolicyLengthExceededException when the policy would pass 20 KB."""
    size = document_size(statements)
    if size > POLICY_SIZE_LIMIT:
        raise AWSError(
            "PolicyLengthExceededException",
            f"The final policy size ({size}) is bigger than the limit ({POLICY_SIZE_LIMIT}).",
            Type="User",
        )


def check_statement_id(sid: str, member: str = "statementId") -> None:
    if not _STATEMENT_ID.fullmatch(sid):
        raise pattern_error(sid, member, STATEMENT_ID_PATTERN)


def principal_element(principal: str, partition: str = "aws") -> str | dict[str, str]:
    """The ``Principal`` of a statement for AddPermission's ``Principal`` member."""
    if principal == "*":
        return "*"
    if _ACCOUNT.fullmatch(principal):
        return {"AWS": f"arn:{partition}:iam::{principal}:root"}
    if _IAM_ARN.fullmatch(principal):
        return {"AWS": principal}
    if principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn"):
        return {"Service": principal}
    raise AWSError("InvalidParameterValueException", INVALID_PRINCIPAL, Type="User")


def function_statement(
    sid: str,
    action: str,
    principal: str,
    resource: str,
    *,
    partition: str = "aws",
    source_arn: str | None = None,
    source_account: str | None = None,
    principal_org_id: str | None = None,
    event_source_token: str | None = None,
    function_url_auth_type: str | None = None,
    invoked_via_function_url: bool | None = None,
) -> dict[str, Any]:
    """The statement AddPermission adds (and returns as its ``Statement`` string)."""
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal_element(principal, partition),
        "Action": action,
        "Resource": resource,
    }
    equals: dict[str, str] = {}
    if function_url_auth_type:
        equals["lambda:FunctionUrlAuthType"] = function_url_auth_type
    if principal_org_id:
        equals["aws:PrincipalOrgID"] = principal_org_id
    if source_account:
        equals["AWS:SourceAccount"] = source_account
    if event_source_token:
        equals["lambda:EventSourceToken"] = event_source_token
    condition: dict[str, Any] = {}
    if equals:
        condition["StringEquals"] = equals
    if source_arn:
        condition["ArnLike"] = {"AWS:SourceArn": source_arn}
    if invoked_via_function_url:
        condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
    if condition:
        statement["Condition"] = condition
    return statement


def layer_statement(
    sid: str,
    principal: str,
    resource: str,
    *,
    partition: str = "aws",
    organization_id: str | None = None,
) -> dict[str, Any]:
    """The statement AddLayerVersionPermission adds (action ``lambda:GetLayerVersion``)."""
    if principal == "*":
        element: str | dict[str, str] = "*"
    elif _ACCOUNT.fullmatch(principal):
        element = {"AWS": f"arn:{partition}:iam::{principal}:root"}
    else:
        element = {"AWS": principal}
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": element,
        "Action": "lambda:GetLayerVersion",
        "Resource": resource,
    }
    if organization_id:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": organization_id}}
    return statement


# -- checking a request against statements -------------------------------------------------
def allows(
    statements: list[dict[str, Any]],
    action: str,
    *,
    principal: str | None = None,
    account: str | None = None,
    service: str | None = None,
    source_arn: str | None = None,
    source_account: str | None = None,
    org_id: str | None = None,
    function_url_auth_type: str | None = None,
    event_source_token: str | None = None,
    invoked_via_function_url: bool | None = None,
) -> bool:
    """Whether some Allow statement grants ``action`` to the caller described.

    ``principal`` is the caller's IAM ARN and ``account`` its account (an
    ``arn:...:root`` principal in a statement grants the whole account);
    ``service`` is a service principal (``sns.amazonaws.com``). Condition keys
    absent from the request make their condition fail, as in IAM. Organizations
    are not modelled: a ``aws:PrincipalOrgID`` condition matches only ``org_id``.
    """
    context = {
        "aws:sourcearn": source_arn,
        "aws:sourceaccount": source_account,
        "aws:principalorgid": org_id,
        "lambda:functionurlauthtype": function_url_auth_type,
        "lambda:eventsourcetoken": event_source_token,
        "lambda:invokedviafunctionurl": (
            None if invoked_via_function_url is None else str(bool(invoked_via_function_url))
        ),
    }
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        if not _action_matches(statement.get("Action"), action):
            continue
        if not _principal_matches(statement.get("Principal"), principal, account, service):
            continue
        if _conditions_hold(statement.get("Condition") or {}, context):
            return True
    return False


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _action_matches(granted: Any, action: str) -> bool:
    for pattern in _as_list(granted):
        if isinstance(pattern, str) and fnmatch.fnmatchcase(action.lower(), pattern.lower()):
            return True
    return False


def _principal_matches(
    granted: Any, principal: str | None, account: str | None, service: str | None
) -> bool:
    if granted == "*":
        return True
    if not isinstance(granted, dict):
        return False
    if service is not None and service in _as_list(granted.get("Service", [])):
        return True
    for arn in _as_list(granted.get("AWS", [])):
        if arn == "*" or (principal is not None and arn == principal):
            return True
        if account is not None and arn.endswith(":root") and arn.split(":")[4] == account:
            return True
    return False


def _conditions_hold(condition: dict[str, Any], context: dict[str, str | None]) -> bool:
    for operator, tests in condition.items():
        for key, expected in tests.items():
            actual = context.get(key.lower())
            if actual is None:
                return False
            wanted = _as_list(expected)
            if operator in ("ArnLike", "StringLike"):
                ok = any(fnmatch.fnmatchcase(actual, w) for w in wanted)
            elif operator in ("ArnEquals", "StringEquals"):
                ok = actual in wanted
            elif operator == "Bool":
                ok = actual.lower() in [str(w).lower() for w in wanted]
            else:  # an operator Lambda never writes: be conservative
                ok = False
            if not ok:
                return False
    return True


# -- request member checks -----------------------------------------------------------------
def check_action(action: str) -> None:
    if not _ACTION.fullmatch(action):
        raise pattern_error(action, "action", ACTION_PATTERN)


def check_principal(principal: str) -> None:
    if not _PRINCIPAL.fullmatch(principal):
        raise pattern_error(principal, "principal", r"[^\s]+")


def check_source_arn(arn: str) -> None:
    if not _SOURCE_ARN.fullmatch(arn):
        raise pattern_error(arn, "sourceArn", SOURCE_ARN_PATTERN)


def check_source_account(account: str) -> None:
    if not _ACCOUNT.fullmatch(account):
        raise pattern_error(account, "sourceAccount", SOURCE_ACCOUNT_PATTERN)


def check_org_id(org_id: str, member: str) -> None:
    if not _ORG_ID.fullmatch(org_id):
        raise pattern_error(org_id, member, ORG_ID_PATTERN)


def check_event_source_token(token: str) -> None:
    if not _EVENT_SOURCE_TOKEN.fullmatch(token):
        raise pattern_error(token, "eventSourceToken", EVENT_SOURCE_TOKEN_PATTERN)


def check_layer_principal(principal: str) -> None:
    if not _LAYER_PRINCIPAL.fullmatch(principal):
        raise pattern_error(principal, "principal", LAYER_PRINCIPAL_PATTERN)
