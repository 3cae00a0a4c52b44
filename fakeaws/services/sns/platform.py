"""Mobile push: platform applications and their endpoints.

Applications and endpoints are kept as AWS keeps them (ARNs, attributes,
idempotent endpoint creation, enabled flags). A push never reaches Apple,
Google, Amazon or Baidu: it is recorded in ``cloud.outbox`` (protocol
``application``, endpoint = the endpoint ARN, body = the platform's message).
Credentials are stored and never checked with the push service, and endpoint
lifecycle events (``EventEndpointCreated``...) are not sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.base import permission
from fakeaws.services.sns.topics import page
from fakeaws.services.sns.validation import invalid, validation_error

if TYPE_CHECKING:
    from fakeaws.calls import Call

PLATFORMS = ("ADM", "APNS", "APNS_SANDBOX", "BAIDU", "GCM", "MPNS", "WNS")
NEEDS_PRINCIPAL = ("ADM", "APNS", "APNS_SANDBOX", "BAIDU")
APPLICATION_ATTRIBUTES = frozenset(
    {"PlatformCredential", "PlatformPrincipal", "ApplePlatformTeamID", "ApplePlatformBundleID"}
    | {"EventEndpointCreated", "EventEndpointDeleted", "EventEndpointUpdated"}
    | {"EventDeliveryFailure", "SuccessFeedbackRoleArn", "FailureFeedbackRoleArn"}
    | {"SuccessFeedbackSampleRate", "Enabled"}
)
ENDPOINT_ATTRIBUTES = ("CustomUserData", "Enabled", "Token")
APP_NOT_FOUND = "PlatformApplication does not exist"
ENDPOINT_NOT_FOUND = "Endpoint does not exist"
NAME = re.compile(r"[A-Za-z0-9_.-]+")


@dataclass
class PlatformApplication:
    name: str
    platform: str
    arn: str
    attributes: dict[str, str] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)  # stored, never returned
    endpoints: list[str] = field(default_factory=list)


@dataclass
class PlatformEndpoint:
    arn: str
    application_arn: str
    platform: str
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.attributes.get("Enabled", "true").lower() == "true"


def platform_resource(backend: Any, call: Call) -> list[str]:
    p = call.params
    return [p.get("PlatformApplicationArn") or p.get("EndpointArn") or "*"]


class Platforms:
    # -- applications ------------------------------------------------------------------------
    @permission(resources=platform_resource)
    def create_platform_application(self, call: Call) -> dict:
        p = call.params
        name, platform = p["Name"], p["Platform"]
        attributes = dict(p["Attributes"])
        reason = None
        if not name:
            reason = "cannot be empty"
        elif len(name) > 256:
            reason = "must be at most 256 characters long"
        elif not NAME.fullmatch(name):
            reason = "must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'"
        if reason:
            raise invalid(f"Invalid parameter: {name} Reason: {reason}")
        if platform not in PLATFORMS:
            raise invalid(f"Invalid parameter: Platform Reason: {platform} is not supported")
        self._check_application_attributes(attributes)
        credential = attributes.get("PlatformCredential")
        principal = attributes.get("PlatformPrincipal")
        prefix = "Invalid parameter: Attributes Reason: "
        if credential is None and principal is None:
            raise invalid(f"{prefix}PlatformCredential attribute is required")  # own wording
        if platform in NEEDS_PRINCIPAL:
            if credential is not None and principal is None:
                raise invalid(
                    f"{prefix}PlatformCredential attribute provided without PlatformPrincipal"
                )
            if principal is not None and credential is None:
                raise invalid(
                    f"{prefix}PlatformPrincipal attribute provided without PlatformCredential"
                )
        arn = self.arn(f"app/{platform}/{name}")
        app = self.applications.get(arn)
        if app is None:
            app = self.applications[arn] = PlatformApplication(name, platform, arn)
            app.attributes["Enabled"] = "true"
        self._apply_application_attributes(app, attributes)
        return {"PlatformApplicationArn": arn}

    def _check_application_attributes(self, attributes: dict[str, str]) -> None:
        for name in attributes:
            if name not in APPLICATION_ATTRIBUTES:
                raise invalid(
                    f"Invalid parameter: Attributes Reason: Invalid attribute name: {name}"
                )

    def _apply_application_attributes(self, app: PlatformApplication, attributes: dict) -> None:
        for name, value in attributes.items():
            if name in ("PlatformCredential", "PlatformPrincipal"):
                app.credentials[name] = value
            else:
                app.attributes[name] = value

    def _application(self, arn: str) -> PlatformApplication:
        app = self.applications.get(arn)
        if app is None:
            raise AWSError("NotFoundException", APP_NOT_FOUND)
        return app

    @permission(resources=platform_resource)
    def get_platform_application_attributes(self, call: Call) -> dict:
        app = self._application(call.params["PlatformApplicationArn"])
        return {"Attributes": dict(app.attributes)}

    @permission(resources=platform_resource)
    def set_platform_application_attributes(self, call: Call) -> None:
        attributes = call.params["Attributes"]
        if not attributes:
            raise validation_error(None, "attributes", "Member must not be null")
        app = self._application(call.params["PlatformApplicationArn"])
        self._check_application_attributes(attributes)
        self._apply_application_attributes(app, attributes)
        return None

    @permission(resources=platform_resource)
    def delete_platform_application(self, call: Call) -> None:
        app = self.applications.pop(call.params["PlatformApplicationArn"], None)
        if app is not None:
            for arn in app.endpoints:
                self.platform_endpoints.pop(arn, None)
        return None

    @permission()
    def list_platform_applications(self, call: Call) -> dict:
        apps = sorted(self.applications.values(), key=lambda a: a.arn)
        chunk, token = page(apps, lambda a: a.arn, call.params.get("NextToken"))
        out: dict[str, Any] = {
            "PlatformApplications": [
                {"PlatformApplicationArn": a.arn, "Attributes": dict(a.attributes)} for a in chunk
            ]
        }
        if token:
            out["NextToken"] = token
        return out

    # -- endpoints ---------------------------------------------------------------------------
    @permission(resources=platform_resource)
    def create_platform_endpoint(self, call: Call) -> dict:
        p = call.params
        app = self._application(p["PlatformApplicationArn"])
        attributes = dict(p.get("Attributes") or {})
        self._check_endpoint_attributes(attributes)
        if p.get("CustomUserData") is not None:
            attributes.setdefault("CustomUserData", p["CustomUserData"])
        token = p["Token"]
        wanted = {"Enabled": "true", "Token": token, **attributes}
        for arn in app.endpoints:
            endpoint = self.platform_endpoints.get(arn)
            if endpoint is not None and endpoint.attributes.get("Token") == token:
                if endpoint.attributes != wanted:
                    raise invalid(
                        f"Invalid parameter: Token Reason: Endpoint {arn} already exists with "
                        f"the same Token, but different attributes."
                    )
                return {"EndpointArn": arn}
        arn = self.arn(f"endpoint/{app.platform}/{app.name}/{self.cloud.new_request_id()}")
        self.platform_endpoints[arn] = PlatformEndpoint(arn, app.arn, app.platform, wanted)
        app.endpoints.append(arn)
        return {"EndpointArn": arn}

    def _check_endpoint_attributes(self, attributes: dict[str, str]) -> None:
        prefix = "Invalid parameter: Attributes Reason: "
        for name, value in attributes.items():
            if name not in ENDPOINT_ATTRIBUTES:
                raise invalid(f"{prefix}Invalid attribute name: {name}")
            if name == "Enabled" and value.lower() not in ("true", "false"):
                raise invalid(f"{prefix}Invalid value for attribute: Enabled")  # own wording
        if len(attributes.get("CustomUserData", "").encode()) > 2048:
            raise invalid(
                f"{prefix}Invalid value for attribute: CustomUserData: must be at most 2048 bytes "
                f"long in UTF-8 encoding"
            )

    def platform_endpoint(self, arn: str) -> PlatformEndpoint:
        endpoint = self.platform_endpoints.get(arn)
        if endpoint is None:
            raise AWSError("NotFoundException", ENDPOINT_NOT_FOUND)
        return endpoint

    @permission(resources=platform_resource)
    def get_endpoint_attributes(self, call: Call) -> dict:
        return {"Attributes": dict(self.platform_endpoint(call.params["EndpointArn"]).attributes)}

    @permission(resources=platform_resource)
    def set_endpoint_attributes(self, call: Call) -> None:
        attributes = call.params["Attributes"]
        endpoint = self.platform_endpoint(call.params["EndpointArn"])
        if not attributes:
            raise validation_error(None, "attributes", "Member must not be null")
        self._check_endpoint_attributes(attributes)
        endpoint.attributes.update(attributes)
        return None

    @permission(resources=platform_resource)
    def delete_endpoint(self, call: Call) -> None:
        endpoint = self.platform_endpoints.pop(call.params["EndpointArn"], None)
        if endpoint is not None:
            app = self.applications.get(endpoint.application_arn)
            if app is not None and endpoint.arn in app.endpoints:
                app.endpoints.remove(endpoint.arn)
        return None

    @permission(resources=platform_resource)
    def list_endpoints_by_platform_application(self, call: Call) -> dict:
        app = self._application(call.params["PlatformApplicationArn"])
        endpoints = sorted(
            (self.platform_endpoints[a] for a in app.endpoints if a in self.platform_endpoints),
            key=lambda e: e.arn,
        )
        chunk, token = page(endpoints, lambda e: e.arn, call.params.get("NextToken"))
        out: dict[str, Any] = {
            "Endpoints": [{"EndpointArn": e.arn, "Attributes": dict(e.attributes)} for e in chunk]
        }
        if token:
            out["NextToken"] = token
        return out
