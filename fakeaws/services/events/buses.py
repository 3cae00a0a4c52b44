"""Event buses: the default and custom ones, their resource policies, and tags.

Every account has a ``default`` bus in every region; it cannot be created or
deleted. Bus policies are stored and rendered as AWS renders them
(``PutPermission`` statements, or a whole ``Policy`` document) but not
enforced: the project's one IAM evaluator will read them.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.base import permission
from fakeaws.services.events import common
from fakeaws.services.events.common import (
    DEFAULT_BUS,
    bus_location,
    bus_not_found,
    managed_rule,
    rule_not_found,
    split_arn,
    tag_dict,
    tag_list,
    utc,
    validation,
)
from fakeaws.services.events.model import EventBus
from fakeaws.services.messaging import parse_json

if TYPE_CHECKING:
    from fakeaws.calls import Call

MAX_BUSES = 100  # custom buses per account and region (AWS's default quota)

CANNOT_DELETE_DEFAULT = "Cannot delete event bus default."
NAME_HAS_SLASH = "Event bus name must not contain '/'."
NO_STATEMENT = "Statement with the provided id does not exist."


def bus_resource(backend: Any, call: Call) -> list[str]:
    p = call.params
    name = p.get("Name") or p.get("EventBusName")
    account, region, name = bus_location(backend, name)
    return [f"arn:{backend.cloud.partition}:events:{region}:{account}:event-bus/{name}"]


def tagged_resource(backend: Any, call: Call) -> list[str]:
    return [call.params["ResourceARN"]]


class Buses:
    buses: dict[str, EventBus]

    # -- helpers ------------------------------------------------------------------------
    def _new_bus(self, name: str, **fields: Any) -> EventBus:
        now = self.cloud.clock.time()
        bus = EventBus(name, self.arn(f"event-bus/{name}"), now, now, **fields)
        self.buses[name] = bus
        return bus

    def bus(self, name_or_arn: str | None) -> EventBus:
        """The bus a request names in this account and region, or AWS's not-found error."""
        account, region, name = bus_location(self, name_or_arn)
        bus = self.buses.get(name)
        if bus is None or (account, region) != (self.account_id, self.region):
            raise bus_not_found(name)
        return bus

    @staticmethod
    def _policy_text(bus: EventBus) -> str | None:
        return json.dumps(bus.policy, separators=(",", ":")) if bus.policy else None

    def _bus_summary(self, bus: EventBus) -> dict:
        out: dict[str, Any] = {"Name": bus.name, "Arn": bus.arn}
        if bus.description:
            out["Description"] = bus.description
        policy = self._policy_text(bus)
        if policy:
            out["Policy"] = policy
        out["CreationTime"] = utc(bus.created)
        out["LastModifiedTime"] = utc(bus.modified)
        return out

    @staticmethod
    def _bus_settings(bus: EventBus) -> dict:
        out: dict[str, Any] = {}
        if bus.description:
            out["Description"] = bus.description
        if bus.kms_key:
            out["KmsKeyIdentifier"] = bus.kms_key
        if bus.dead_letter:
            out["DeadLetterConfig"] = copy.deepcopy(bus.dead_letter)
        if bus.log_config:
            out["LogConfig"] = copy.deepcopy(bus.log_config)
        return out

    # -- buses ---------------------------------------------------------------------------
    @permission(resources=bus_resource)
    def create_event_bus(self, call: Call) -> dict:
        self._check(call)
        p = call.params
        name = p["Name"]
        if name in self.buses:
            raise AWSError("ResourceAlreadyExistsException", f"Event bus {name} already exists.")
        source = p.get("EventSourceName")
        if source:  # no partner event source exists in a fake world
            raise AWSError("ResourceNotFoundException", f"Event source {source} does not exist.")
        if "/" in name:
            raise validation(NAME_HAS_SLASH)
        if len(self.buses) - 1 >= MAX_BUSES:
            raise common.limit_exceeded()
        tags = tag_dict(p.get("Tags"))
        bus = self._new_bus(
            name,
            description=p.get("Description"),
            kms_key=p.get("KmsKeyIdentifier"),
            dead_letter=p.get("DeadLetterConfig"),
            log_config=p.get("LogConfig"),
            tags=tags,
        )
        return {"EventBusArn": bus.arn, **self._bus_settings(bus)}

    @permission(resources=bus_resource)
    def describe_event_bus(self, call: Call) -> dict:
        self._check(call)
        account, region, name = bus_location(self, call.params.get("Name"))
        owner = self._backend_of(account, region)
        bus = owner.buses.get(name) if owner is not None else None
        if bus is None:
            raise bus_not_found(name)
        out: dict[str, Any] = {"Name": bus.name, "Arn": bus.arn, **self._bus_settings(bus)}
        policy = self._policy_text(bus)
        if policy:
            out["Policy"] = policy
        out["CreationTime"] = utc(bus.created)
        out["LastModifiedTime"] = utc(bus.modified)
        return out

    def list_event_buses(self, call: Call) -> dict:
        self._check(call)
        prefix = call.params.get("NamePrefix") or ""
        buses = sorted(
            (b for b in self.buses.values() if b.name.startswith(prefix)), key=lambda b: b.name
        )
        chunk, token = common.page(buses, lambda b: b.name, call.params)
        out: dict[str, Any] = {"EventBuses": [self._bus_summary(b) for b in chunk]}
        if token:
            out["NextToken"] = token
        return out

    @permission(resources=bus_resource)
    def update_event_bus(self, call: Call) -> dict:
        self._check(call)
        p = call.params
        bus = self.bus(p.get("Name"))
        for member, attr in (
            ("Description", "description"),
            ("KmsKeyIdentifier", "kms_key"),
            ("DeadLetterConfig", "dead_letter"),
            ("LogConfig", "log_config"),
        ):
            if member in p:
                setattr(bus, attr, p[member] or None)
        bus.modified = self.cloud.clock.time()
        return {"Arn": bus.arn, "Name": bus.name, **self._bus_settings(bus)}

    @permission(resources=bus_resource)
    def delete_event_bus(self, call: Call) -> None:
        self._check(call)
        name = call.params["Name"]
        if name == DEFAULT_BUS:
            raise validation(CANNOT_DELETE_DEFAULT)
        bus = self.buses.pop(name, None)
        if bus is not None:
            for rule in bus.rules.values():
                rule.schedule_generation += 1  # a pending firing finds nothing to fire
        return None

    # -- policies ------------------------------------------------------------------------
    @permission(resources=bus_resource)
    def put_permission(self, call: Call) -> None:
        self._check(call)
        p = call.params
        bus = self.bus(p.get("EventBusName"))
        if p.get("Policy") is not None:
            others = ("Action", "Principal", "StatementId", "Condition")
            if any(p.get(k) is not None for k in others):
                # LocalStack's wording; AWS's is not recorded
                raise validation("Combination of policy with other arguments is not allowed")
            try:
                document = parse_json(p["Policy"])
            except ValueError as exc:
                raise validation("This policy contains invalid Json") from exc
            statements = document.get("Statement", []) if isinstance(document, dict) else None
            if isinstance(statements, dict):
                statements = [statements]
            if not isinstance(statements, list) or not all(
                isinstance(s, dict) for s in statements
            ):  # a policy whose statements are not objects: fakeaws's wording
                raise validation("This policy contains invalid Json")
            bus.policy = document
        else:
            bus.policy = self._with_statement(bus, p)
        bus.modified = self.cloud.clock.time()
        return None

    def _with_statement(self, bus: EventBus, p: dict) -> dict:
        principal = p.get("Principal")
        if not principal:
            raise validation("Parameter Principal must be specified.")
        condition = p.get("Condition")
        if condition and principal != "*":
            raise validation(
                "Value of the parameter 'principal' must be '*' when the parameter 'condition' "
                "is set."
            )
        if p.get("Action") != "events:PutEvents":
            raise validation("Provided value in parameter 'action' is not supported.")
        sid = p.get("StatementId")
        if not sid:
            raise validation("Parameter StatementId is required.")
        statement: dict[str, Any] = {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": "*"
            if principal == "*"
            else {"AWS": f"arn:{self.cloud.partition}:iam::{principal}:root"},
            "Action": "events:PutEvents",
            "Resource": bus.arn,
        }
        if condition:
            statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
        policy = copy.deepcopy(bus.policy) if bus.policy else {"Version": "2012-10-17"}
        statements = [s for s in _statements(policy) if s.get("Sid") != sid]
        statements.append(statement)
        policy["Statement"] = statements
        return policy

    @permission(resources=bus_resource)
    def remove_permission(self, call: Call) -> None:
        self._check(call)
        p = call.params
        bus = self.bus(p.get("EventBusName"))
        if p.get("RemoveAllPermissions"):
            bus.policy = None
        else:
            sid = p.get("StatementId")
            if not sid:
                raise validation("Parameter StatementId is required.")
            statements = _statements(bus.policy or {})
            kept = [s for s in statements if s.get("Sid") != sid]
            if len(kept) == len(statements):
                raise AWSError("ResourceNotFoundException", NO_STATEMENT)
            bus.policy = {**bus.policy, "Statement": kept} if kept else None
        bus.modified = self.cloud.clock.time()
        return None

    # -- tags ----------------------------------------------------------------------------
    def _taggable(self, arn: str) -> Any:
        """The bus or rule an ARN names, with AWS's not-found errors."""
        parts = split_arn(arn)
        if parts is None or parts[1] != "events":
            raise AWSError("ResourceNotFoundException", f"Resource {arn} does not exist.")
        resource = parts[4]
        if resource.startswith("event-bus/"):
            name = resource[len("event-bus/") :]
            bus = self.buses.get(name)
            if bus is None or bus.arn != arn:
                raise bus_not_found(name)
            return bus
        if resource.startswith("rule/"):
            path = resource[len("rule/") :]
            bus_name, _, rule_name = path.rpartition("/")
            bus_name = bus_name or DEFAULT_BUS
            bus = self.buses.get(bus_name)
            if bus is None:
                raise bus_not_found(bus_name)
            rule = bus.rules.get(rule_name)
            if rule is None or rule.arn != arn:
                raise rule_not_found(rule_name, bus_name)
            return rule
        raise AWSError("ResourceNotFoundException", f"Resource {arn} does not exist.")

    @permission(resources=tagged_resource)
    def tag_resource(self, call: Call) -> dict:
        self._check(call)
        resource = self._taggable(call.params["ResourceARN"])
        if getattr(resource, "managed_by", None):
            raise managed_rule(resource.name)
        resource.tags.update(tag_dict(call.params["Tags"]))
        return {}

    @permission(resources=tagged_resource)
    def untag_resource(self, call: Call) -> dict:
        self._check(call)
        resource = self._taggable(call.params["ResourceARN"])
        if getattr(resource, "managed_by", None):
            raise managed_rule(resource.name)
        for key in call.params["TagKeys"]:
            resource.tags.pop(key, None)
        return {}

    @permission(resources=tagged_resource)
    def list_tags_for_resource(self, call: Call) -> dict:
        self._check(call)
        resource = self._taggable(call.params["ResourceARN"])
        return {"Tags": tag_list(resource.tags)}


def _statements(policy: dict) -> list[dict]:
    """A bus policy's statements (a policy may give a single statement object)."""
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)
