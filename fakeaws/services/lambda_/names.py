"""Function names, ARNs and qualifiers as the Lambda API accepts them.

``FunctionName`` may be a name (``orders``), a name with a qualifier
(``orders:prod``), a partial ARN (``123456789012:function:orders``) or a full
ARN, qualified or not. botocore checks only lengths; the pattern is Lambda's.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from fakeaws.arns import partition_of
from fakeaws.errors import AWSError

FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
_FUNCTION_NAME = re.compile(FUNCTION_NAME_PATTERN)
QUALIFIER_PATTERN = r"(|[a-zA-Z0-9$_-]+)"
_QUALIFIER = re.compile(QUALIFIER_PATTERN)
ALIAS_NAME_PATTERN = r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)"
_ALIAS_NAME = re.compile(ALIAS_NAME_PATTERN)
VERSION_PATTERN = r"(\$LATEST|[0-9]+)"
_VERSION = re.compile(VERSION_PATTERN)


@dataclass(frozen=True)
class FunctionRef:
    """A parsed ``FunctionName``: who it names, and the qualifier it carried, if any."""

    name: str
    qualifier: str | None = None
    account: str | None = None  # from an ARN; None = the caller's account
    region: str | None = None


def constraint_error(value: str, member: str, constraint: str) -> AWSError:
    """Lambda's wording for a request member that fails a model constraint."""
    return AWSError(
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}",
    )


def pattern_error(value: str, member: str, pattern: str) -> AWSError:
    return constraint_error(
        value, member, f"Member must satisfy regular expression pattern: {pattern}"
    )


@functools.lru_cache(maxsize=4096)  # every call parses its FunctionName: the same few names
def parse_function_name(value: str, member: str = "functionName") -> FunctionRef:
    match = _FUNCTION_NAME.fullmatch(value)
    if match is None:
        raise pattern_error(value, member, FUNCTION_NAME_PATTERN)
    region = match.group(3)[:-1] if match.group(3) else None
    account = match.group(5)[:-1] if match.group(5) else None
    name = match.group(7)
    if len(name) > 64:
        raise constraint_error(value, member, "Member must have length less than or equal to 64")
    return FunctionRef(name, match.group(9), account, region)


def merge_qualifier(ref: FunctionRef, qualifier: str | None) -> str | None:
    """The qualifier of a request: from the name, the ``Qualifier`` parameter, or both if equal."""
    if qualifier is not None:
        if not _QUALIFIER.fullmatch(qualifier) or len(qualifier) > 128:
            raise pattern_error(qualifier, "qualifier", QUALIFIER_PATTERN)
        if ref.qualifier is not None and ref.qualifier != qualifier:
            raise AWSError(
                "InvalidParameterValueException",
                "The derived qualifier from the function name does not match the specified "
                "qualifier.",
            )
        return qualifier or None
    return ref.qualifier


def is_version(qualifier: str) -> bool:
    return bool(_VERSION.fullmatch(qualifier))


def check_alias_name(name: str, member: str = "name") -> None:
    if not _ALIAS_NAME.fullmatch(name) or len(name) > 128:
        raise pattern_error(name, member, ALIAS_NAME_PATTERN)


# -- shared by the configuration families (layers, policies, concurrency, URLs...) --------
UNQUALIFIED_FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"
)


def problem(value: object, member: str, constraint: str) -> str:
    """One entry of a ValidationException: ``Value 'x' at 'member' failed to satisfy ...``."""
    return f"Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"


def validation_errors(problems: list[str]) -> AWSError:
    """Lambda's ValidationException for one or more problems, in request order."""
    n = len(problems)
    return AWSError(
        "ValidationException",
        f"{n} validation error{'s' if n > 1 else ''} detected: {'; '.join(problems)}",
    )


def java_list(values: list) -> str:
    """A list as Lambda's messages print it: ``[a, b]``."""
    return "[" + ", ".join(str(v) for v in values) + "]"


REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. Call the "
    "GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def precondition_failed(message: str = REVISION_MISMATCH) -> AWSError:
    return AWSError("PreconditionFailedException", message, Type="User")


def invalid_parameter(message: str) -> AWSError:
    return AWSError("InvalidParameterValueException", message, Type="User")


def resource_not_found(message: str) -> AWSError:
    return AWSError("ResourceNotFoundException", message, Type="User")


def resource_conflict(message: str) -> AWSError:
    return AWSError("ResourceConflictException", message, Type="User")


def parse_unqualified_function_name(value: str, member: str = "functionName") -> FunctionRef:
    """A ``FunctionName`` that may not carry a qualifier (UnqualifiedFunctionName)."""
    ref = parse_function_name(value, member)
    if ref.qualifier is not None:
        raise pattern_error(value, member, UNQUALIFIED_FUNCTION_NAME_PATTERN)
    return ref


# -- IAM resources of the requests ------------------------------------------------------
def function_resource(backend: Any, call: Any) -> list[str]:
    """The function ARN a request acts on (qualified when it names a qualifier)."""
    return _function_arn(backend, call, qualified=True)


def unqualified_resource(backend: Any, call: Any) -> list[str]:
    """The unqualified function ARN a request acts on (operations on the whole function)."""
    return _function_arn(backend, call, qualified=False)


def _function_arn(backend: Any, call: Any, qualified: bool) -> list[str]:
    try:
        ref = parse_function_name(call.params["FunctionName"])
    except AWSError:  # the operation reports the bad name
        return ["*"]
    qualifier = (call.params.get("Qualifier") or ref.qualifier) if qualified else None
    account = ref.account or backend.account_id
    region = ref.region or backend.region
    arn = f"arn:{partition_of(region)}:lambda:{region}:{account}:function:{ref.name}"
    return [f"{arn}:{qualifier}" if qualifier else arn]


# -- list markers ------------------------------------------------------------------------
# Lambda's Marker/NextMarker are opaque: fakeaws writes the sort key of the last item
# returned, so a page boundary survives items being added or deleted in between.
def encode_marker(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_marker(token: str) -> object:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError) as exc:
        raise AWSError(
            "InvalidParameterValueException", f"Invalid marker: {token}", Type="User"
        ) from exc


def page_of_keys(keys: list, marker: str | None, limit: int) -> tuple[list, str | None]:
    """One page of ``keys`` (in their order) from the key ``marker`` names, and the next marker."""
    if marker:
        start = decode_marker(marker)
        if start not in keys:
            raise invalid_parameter(f"Invalid marker: {marker}")
        keys = keys[keys.index(start) :]
    return keys[:limit], (encode_marker(keys[limit]) if len(keys) > limit else None)


def max_items_error(value: int) -> AWSError:
    return constraint_error(
        str(value), "maxItems", "Member must have value less than or equal to 10000"
    )
