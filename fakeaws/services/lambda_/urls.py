"""Function URLs as configuration: Create/Get/Update/Delete/ListFunctionUrlConfig(s).

A function has at most one URL per qualifier: unqualified (key ``""``) or an
alias, never a version number or ``$LATEST``. The URL is
``https://<32 lowercase letters and digits>.lambda-url.<region>.on.aws/``, its
id drawn from ``cloud.random``. ``AuthType``, ``Cors`` and ``InvokeMode`` are
stored and returned; serving HTTP requests on the URL is not modelled yet.
"""

from __future__ import annotations

import copy
import re
import string
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.services.base import permission
from fakeaws.services.lambda_.layers import check_max_items
from fakeaws.services.lambda_.names import (
    constraint_error,
    function_resource,
    merge_qualifier,
    page_of_keys,
    problem,
    resource_conflict,
    resource_not_found,
    validation_errors,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.services.lambda_.model import Function

URL_QUALIFIER_PATTERN = r"((?!^\d+$)^[0-9a-zA-Z-_]+$)"
_URL_QUALIFIER = re.compile(r"(?!\d+$)[0-9a-zA-Z-_]+")
AUTH_TYPES = ("NONE", "AWS_IAM")
INVOKE_MODES = ("BUFFERED", "RESPONSE_STREAM")
URL_ID_CHARS = string.ascii_lowercase + string.digits
NO_FUNCTION = "Function does not exist"
NOT_EXIST = "The resource you requested does not exist."


class FunctionUrls:
    """Mixin of LambdaBackend: function URL configurations."""

    functions: dict[str, Function]

    # -- lookups for the other sides ----------------------------------------------------
    def function_url_config(self, fn: Function, qualifier: str | None = None) -> dict | None:
        """The URL config of ``fn`` for ``qualifier`` (None = unqualified), or None."""
        config = fn.url_configs.get(qualifier or "")
        return copy.deepcopy(config) if config is not None else None

    def function_for_url(self, url: str) -> tuple[Function, str | None] | None:
        """``(function, alias or None)`` whose URL is ``url`` (or its host), or None."""
        host = url.split("://", 1)[-1].split("/", 1)[0]
        for fn in self.functions.values():
            for qualifier, config in fn.url_configs.items():
                if config["FunctionUrl"].split("://", 1)[-1].rstrip("/") == host:
                    return fn, qualifier or None
        return None

    # -- helpers -------------------------------------------------------------------------
    def _url_target(self, call: Call) -> tuple[str, str | None, Function | None]:
        ref = self._ref(call)
        qualifier = merge_qualifier(ref, call.params.get("Qualifier"))
        if qualifier is not None and not _URL_QUALIFIER.fullmatch(qualifier):
            raise constraint_error(
                qualifier,
                "qualifier",
                f"Member must satisfy regular expression pattern: {URL_QUALIFIER_PATTERN}",
            )
        return ref.name, qualifier, self._existing(ref)

    def _check_url_members(self, call: Call) -> None:
        p = call.params
        problems = []
        auth_type = p.get("AuthType")
        if auth_type is not None and auth_type not in AUTH_TYPES:
            problems.append(
                problem(
                    auth_type, "authType", "Member must satisfy enum value set: [AWS_IAM, NONE]"
                )
            )
        mode = p.get("InvokeMode")
        if mode is not None and mode not in INVOKE_MODES:
            problems.append(
                problem(
                    mode,
                    "invokeMode",
                    "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]",
                )
            )
        problems += _cors_problems(p.get("Cors"))
        if problems:
            raise validation_errors(problems)

    def _url_date(self) -> str:
        """CreationTime / LastModifiedTime: ISO 8601 with microseconds, ``Z``."""
        now = datetime.fromtimestamp(self.cloud.clock.time(), timezone.utc)
        return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def _new_url(self) -> str:
        taken = {
            c["FunctionUrl"] for fn in self.functions.values() for c in fn.url_configs.values()
        }
        while True:
            url_id = "".join(self.cloud.random.choice(URL_ID_CHARS) for _ in range(32))
            url = f"https://{url_id}.lambda-url.{self.region}.on.aws/"
            if url not in taken:
                return url

    # -- operations ------------------------------------------------------------------------
    @permission(resources=function_resource)
    def create_function_url_config(self, call: Call) -> dict:
        p = call.params
        self._check_url_members(call)
        name, qualifier, fn = self._url_target(call)
        if fn is None:
            raise resource_not_found(NO_FUNCTION)
        key = qualifier or ""
        existing = fn.url_configs.get(key)
        if existing is not None:
            raise resource_conflict(
                f"Failed to create function url config for [functionArn = "
                f"{existing['FunctionArn']}]. Error message:  FunctionUrlConfig exists for this "
                "Lambda function"
            )
        if qualifier is not None and qualifier not in fn.aliases:
            raise resource_not_found(NO_FUNCTION)
        now = self._url_date()
        config: dict[str, Any] = {
            "FunctionUrl": self._new_url(),
            "FunctionArn": self.function_arn(name, qualifier),
            "AuthType": p["AuthType"],
            "CreationTime": now,
            "LastModifiedTime": now,
            "InvokeMode": p.get("InvokeMode") or "BUFFERED",
        }
        if p.get("Cors") is not None:
            config["Cors"] = copy.deepcopy(p["Cors"])
        fn.url_configs[key] = config
        out = copy.deepcopy(config)
        del out["LastModifiedTime"]
        return out

    @permission(resources=function_resource)
    def get_function_url_config(self, call: Call) -> dict:
        _, qualifier, fn = self._url_target(call)
        config = fn.url_configs.get(qualifier or "") if fn is not None else None
        if config is None:
            raise resource_not_found(NOT_EXIST)
        return copy.deepcopy(config)

    @permission(resources=function_resource)
    def update_function_url_config(self, call: Call) -> dict:
        p = call.params
        self._check_url_members(call)
        _, qualifier, fn = self._url_target(call)
        if fn is None or (qualifier is not None and qualifier not in fn.aliases):
            raise resource_not_found(NO_FUNCTION)
        config = fn.url_configs.get(qualifier or "")
        if config is None:
            raise resource_not_found(NOT_EXIST)
        if p.get("AuthType") is not None:
            config["AuthType"] = p["AuthType"]
        if p.get("Cors") is not None:
            config["Cors"] = copy.deepcopy(p["Cors"])
        if p.get("InvokeMode") is not None:
            config["InvokeMode"] = p["InvokeMode"]
        config["LastModifiedTime"] = self._url_date()
        return copy.deepcopy(config)

    @permission(resources=function_resource)
    def delete_function_url_config(self, call: Call) -> dict:
        _, qualifier, fn = self._url_target(call)
        if fn is None or (qualifier or "") not in fn.url_configs:
            raise resource_not_found(NOT_EXIST)
        del fn.url_configs[qualifier or ""]
        return {}

    @permission(resources=function_resource)
    def list_function_url_configs(self, call: Call) -> dict:
        p = call.params
        ref = self._ref(call)
        fn = self._existing(ref)
        if fn is None:
            raise resource_not_found(NO_FUNCTION)
        limit = check_max_items(p.get("MaxItems"))
        page, marker = page_of_keys(list(fn.url_configs), p.get("Marker"), limit)
        out: dict = {"FunctionUrlConfigs": [copy.deepcopy(fn.url_configs[k]) for k in page]}
        if marker is not None:
            out["NextMarker"] = marker
        return out


def _cors_problems(cors: dict[str, Any] | None) -> list[str]:
    """The Cors members' limits botocore leaves to the service (maximums)."""
    if not cors:
        return []
    problems = []
    limits = {"AllowHeaders": (100, 1024), "ExposeHeaders": (100, 1024)}
    limits |= {"AllowMethods": (6, 6), "AllowOrigins": (100, 253)}
    for member, (count, length) in limits.items():
        values = cors.get(member)
        if values is None:
            continue
        name = f"cors.{member[0].lower()}{member[1:]}"
        if len(values) > count:
            problems.append(
                problem(values, name, f"Member must have length less than or equal to {count}")
            )
        for value in values:
            if len(value) > length:
                problems.append(
                    problem(
                        values,
                        name,
                        "Member must satisfy constraint: [Member must have length less than or "
                        f"equal to {length}]",
                    )
                )
                break
    if cors.get("MaxAge") is not None and cors["MaxAge"] > 86400:
        problems.append(
            problem(
                cors["MaxAge"], "cors.maxAge", "Member must have value less than or equal to 86400"
            )
        )
    return problems
