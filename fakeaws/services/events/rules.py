"""Rules: PutRule, DescribeRule, ListRules, DeleteRule, Enable/DisableRule, TestEventPattern.

A rule matches events on its bus with an event pattern, fires on a schedule
(default bus only), or both. ``PutRule`` on an existing rule replaces it: what
the request leaves out is cleared, its targets stay, and its tags are kept
(tags are only set on create). Rules created by a service on the account's
behalf (the rule that feeds an archive) are *managed*: only ``DeleteRule`` and
``RemoveTargets`` with ``Force`` touch them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakeaws.services.base import permission
from fakeaws.services.events import common
from fakeaws.services.events.common import (
    DEFAULT_BUS,
    bus_location,
    managed_rule,
    rule_not_found,
    tag_dict,
    validation,
)
from fakeaws.services.events.model import EventBus, Rule
from fakeaws.services.events.patterns import compile_event_pattern
from fakeaws.services.events.schedules import ScheduleError, parse
from fakeaws.services.messaging import parse_json

if TYPE_CHECKING:
    from fakeaws.calls import Call

MUST_SPECIFY = "Parameter(s) EventPattern or ScheduleExpression must be specified."
SCHEDULE_ON_DEFAULT_ONLY = "ScheduleExpression is supported only on the default event bus."
HAS_TARGETS = "Rule can't be deleted since it has targets."
EVENT_NOT_VALID = "Parameter Event is not valid."
TEST_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


def rule_resource(backend: Any, call: Call) -> list[str]:
    p = call.params
    name = p.get("Name") or p.get("Rule")
    account, region, bus = bus_location(backend, p.get("EventBusName"))
    path = name if bus == DEFAULT_BUS else f"{bus}/{name}"
    return [f"arn:{backend.cloud.partition}:events:{region}:{account}:rule/{path}"]


class Rules:
    def _rule_arn(self, bus: str, name: str) -> str:
        return self.arn(f"rule/{name}" if bus == DEFAULT_BUS else f"rule/{bus}/{name}")

    def rule(self, name: str, bus_name: str | None) -> tuple[EventBus, Rule]:
        bus = self.bus(bus_name)
        rule = bus.rules.get(name)
        if rule is None:
            raise rule_not_found(name, bus.name)
        return bus, rule

    @staticmethod
    def _rule_summary(rule: Rule) -> dict:
        out: dict[str, Any] = {"Name": rule.name, "Arn": rule.arn}
        if rule.event_pattern is not None:
            out["EventPattern"] = rule.event_pattern
        if rule.schedule is not None:
            out["ScheduleExpression"] = rule.schedule
        out["State"] = rule.state
        if rule.description is not None:
            out["Description"] = rule.description
        if rule.role_arn is not None:
            out["RoleArn"] = rule.role_arn
        if rule.managed_by is not None:
            out["ManagedBy"] = rule.managed_by
        out["EventBusName"] = rule.bus
        return out

    def _add_rule(self, bus: EventBus, rule: Rule) -> None:
        if rule.name not in bus.rules and len(bus.rules) >= self.settings.max_rules_per_bus:
            raise common.limit_exceeded()
        bus.rules[rule.name] = rule

    # -- operations ------------------------------------------------------------------------
    @permission(resources=rule_resource)
    def put_rule(self, call: Call) -> dict:
        self._check(call)
        p = call.params
        name = p["Name"]
        pattern = p.get("EventPattern")
        schedule = p.get("ScheduleExpression")
        if not pattern and not schedule:
            raise validation(MUST_SPECIFY)
        bus = self.bus(p.get("EventBusName"))
        if schedule:
            if bus.name != DEFAULT_BUS:
                raise validation(SCHEDULE_ON_DEFAULT_ONLY)
            try:
                parse(schedule)
            except ScheduleError as err:
                raise validation(str(err)) from None
        if pattern:
            compile_event_pattern(pattern)
        existing = bus.rules.get(name)
        if existing is not None and existing.managed_by:
            raise managed_rule(name)
        rule = Rule(
            name=name,
            bus=bus.name,
            arn=self._rule_arn(bus.name, name),
            created_by=self.account_id,
            event_pattern=pattern or None,
            schedule=schedule or None,
            state=p.get("State") or "ENABLED",
            description=p.get("Description"),
            role_arn=p.get("RoleArn"),
        )
        if existing is not None:
            rule.targets = existing.targets
            rule.tags = existing.tags
            rule.schedule_generation = existing.schedule_generation
            rule.schedule_anchor = existing.schedule_anchor
        else:
            rule.tags = tag_dict(p.get("Tags"))
        self._add_rule(bus, rule)
        unchanged = (
            existing is not None
            and existing.schedule == rule.schedule
            and existing.enabled == rule.enabled
        )
        if not unchanged:
            self._reschedule(rule)
        return {"RuleArn": rule.arn}

    @permission(resources=rule_resource)
    def describe_rule(self, call: Call) -> dict:
        self._check(call)
        _, rule = self.rule(call.params["Name"], call.params.get("EventBusName"))
        out = self._rule_summary(rule)
        out["CreatedBy"] = rule.created_by
        return out

    def list_rules(self, call: Call) -> dict:
        self._check(call)
        bus = self.bus(call.params.get("EventBusName"))
        prefix = call.params.get("NamePrefix") or ""
        rules = sorted((r for r in bus.rules.values() if r.name.startswith(prefix)), key=_name)
        chunk, token = common.page(rules, _name, call.params)
        out: dict[str, Any] = {"Rules": [self._rule_summary(r) for r in chunk]}
        if token:
            out["NextToken"] = token
        return out

    def list_rule_names_by_target(self, call: Call) -> dict:
        self._check(call)
        bus = self.bus(call.params.get("EventBusName"))
        arn = call.params["TargetArn"]
        rules = sorted(
            (r for r in bus.rules.values() if any(t["Arn"] == arn for t in r.targets.values())),
            key=_name,
        )
        chunk, token = common.page(rules, _name, call.params)
        out: dict[str, Any] = {"RuleNames": [r.name for r in chunk]}
        if token:
            out["NextToken"] = token
        return out

    @permission(resources=rule_resource)
    def delete_rule(self, call: Call) -> None:
        self._check(call)
        p = call.params
        bus = self.bus(p.get("EventBusName"))
        rule = bus.rules.get(p["Name"])
        if rule is None:
            return None  # deleting a rule that is not there succeeds
        force = bool(p.get("Force"))
        if rule.managed_by and not force:
            raise managed_rule(rule.name)
        if rule.targets and not force:
            raise validation(HAS_TARGETS)
        del bus.rules[rule.name]
        rule.schedule_generation += 1
        return None

    @permission(resources=rule_resource)
    def enable_rule(self, call: Call) -> None:
        self._set_state(call, "ENABLED")

    @permission(resources=rule_resource)
    def disable_rule(self, call: Call) -> None:
        self._set_state(call, "DISABLED")

    def _set_state(self, call: Call, state: str) -> None:
        self._check(call)
        _, rule = self.rule(call.params["Name"], call.params.get("EventBusName"))
        if rule.managed_by:
            raise managed_rule(rule.name)
        was_enabled = rule.enabled
        if state == "DISABLED" or not was_enabled:
            rule.state = state
        if rule.enabled != was_enabled:
            self._reschedule(rule)

    def test_event_pattern(self, call: Call) -> dict:
        self._check(call)
        pattern = compile_event_pattern(call.params["EventPattern"])
        try:
            event = parse_json(call.params["Event"])
        except ValueError:
            raise validation(EVENT_NOT_VALID) from None
        if not isinstance(event, dict) or any(f not in event for f in TEST_EVENT_FIELDS):
            raise validation(EVENT_NOT_VALID)
        return {"Result": bool(pattern.matches(event))}


def _name(rule: Rule) -> str:
    return rule.name
