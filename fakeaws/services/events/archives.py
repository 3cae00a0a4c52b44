"""Archives and replays.

An archive keeps the events of one bus (all of them, or those its pattern
matches) with the time they arrived, for ``RetentionDays`` days (0: forever),
measured on the virtual clock. As on AWS, it is fed by a managed rule on the
bus, ``Events-Archive-<name>``, which ``ListRules`` shows and which never sees
replayed events.

A replay sends an archive's events that arrived between ``EventStartTime``
(inclusive) and ``EventEndTime`` (exclusive) back to the archive's bus, to the
rules listed in ``Destination.FilterArns`` (all rules if none), each with a
``replay-name`` field. It runs on the virtual clock: STARTING when accepted,
RUNNING from ``replay_start_delay`` seconds later, one event every
``replay_event_interval`` seconds, then COMPLETED. ``CancelReplay`` moves it to
CANCELLING and the next step to CANCELLED.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.base import permission
from fakeaws.services.events import common
from fakeaws.services.events.common import (
    ARCHIVE_RULE_MANAGER,
    ARCHIVE_RULE_PREFIX,
    archive_not_found,
    bus_not_found,
    compact,
    replay_not_found,
    split_arn,
    to_epoch,
    utc,
    validation,
)
from fakeaws.services.events.model import Archive, ArchivedEvent, Replay, Rule
from fakeaws.services.events.patterns import compile_event_pattern

if TYPE_CHECKING:
    from fakeaws.calls import Call

DAY = 86_400
MAX_ACTIVE_REPLAYS = 10
ACTIVE = ("STARTING", "RUNNING", "CANCELLING")
ONE_FILTER = (
    "At most one filter is allowed for {op}. Use either : State, EventSourceArn, or NamePrefix."
)
END_BEFORE_START = (
    "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime."
)
CROSS_BUS = (
    "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted."
)
NOT_A_BUS = "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN."
UPDATE_MISSING = "Service encountered unexpected problem. Please try again."


def archive_resource(backend: Any, call: Call) -> list[str]:
    name = call.params.get("ArchiveName")
    return [backend.arn(f"archive/{name}")] if name else ["*"]


def replay_resource(backend: Any, call: Call) -> list[str]:
    name = call.params.get("ReplayName")
    return [backend.arn(f"replay/{name}")] if name else ["*"]


def _archive_rule_pattern(pattern: str | None) -> str:
    document = json.loads(pattern) if pattern else {}
    if isinstance(document, dict):
        document["replay-name"] = [{"exists": False}]
    return json.dumps(document, separators=(",", ":"))


class Archives:
    archives: dict[str, Archive]
    replays: dict[str, Replay]

    def _bus_of_arn(self, arn: str):
        parts = split_arn(arn)
        name = arn.rsplit("/", 1)[-1]
        if (
            parts is None
            or not parts[4].startswith("event-bus/")
            or (parts[3], parts[2]) != (self.account_id, self.region)
        ):
            raise bus_not_found(name)
        bus = self.buses.get(parts[4][len("event-bus/") :])
        if bus is None:
            raise bus_not_found(name)
        return bus

    def _retained(self, archive: Archive) -> list[ArchivedEvent]:
        if archive.retention_days:
            cutoff = self.cloud.clock.time() - archive.retention_days * DAY
            if archive.events and archive.events[0].received < cutoff:
                archive.events = [e for e in archive.events if e.received >= cutoff]
        return archive.events

    def _archive_event(self, name: str, event: dict, received: float) -> None:
        archive = self.archives.get(name)
        if archive is None or archive.state != "ENABLED":
            return
        stored = copy.deepcopy(event)
        archive.events.append(ArchivedEvent(stored, received, len(compact(stored).encode())))

    def _archive_summary(self, archive: Archive, *, full: bool) -> dict:
        events = self._retained(archive)
        out: dict[str, Any] = {}
        if full:
            out["ArchiveArn"] = archive.arn
        out["ArchiveName"] = archive.name
        out["EventSourceArn"] = archive.source_arn
        if full and archive.description is not None:
            out["Description"] = archive.description
        if full and archive.event_pattern is not None:
            out["EventPattern"] = archive.event_pattern
        out["State"] = archive.state
        if full and archive.kms_key:
            out["KmsKeyIdentifier"] = archive.kms_key
        out["RetentionDays"] = archive.retention_days
        out["SizeBytes"] = sum(e.size for e in events)
        out["EventCount"] = len(events)
        out["CreationTime"] = utc(archive.created)
        return out

    # -- archives ----------------------------------------------------------------------------
    @permission(resources=archive_resource)
    def create_archive(self, call: Call) -> dict:
        self._check(call)
        p = call.params
        name = p["ArchiveName"]
        bus = self._bus_of_arn(p["EventSourceArn"])
        if name in self.archives:
            raise AWSError("ResourceAlreadyExistsException", f"Archive {name} already exists.")
        pattern = p.get("EventPattern")
        if pattern:
            compile_event_pattern(pattern)
        rule_name = ARCHIVE_RULE_PREFIX + name
        if rule_name in bus.rules:  # fakeaws's wording
            raise AWSError("ResourceAlreadyExistsException", f"Rule {rule_name} already exists.")
        now = self.cloud.clock.time()
        archive = Archive(
            name=name,
            arn=self.arn(f"archive/{name}"),
            source_arn=bus.arn,
            bus=bus.name,
            created=now,
            description=p.get("Description"),
            event_pattern=pattern or None,
            retention_days=p.get("RetentionDays") or 0,
            kms_key=p.get("KmsKeyIdentifier"),
        )
        rule = Rule(
            name=rule_name,
            bus=bus.name,
            arn=self._rule_arn(bus.name, rule_name),
            created_by=self.account_id,
            event_pattern=_archive_rule_pattern(pattern),
            managed_by=ARCHIVE_RULE_MANAGER,
            archive=name,
        )
        self._add_rule(bus, rule)
        self.archives[name] = archive
        return {"ArchiveArn": archive.arn, "State": archive.state, "CreationTime": utc(now)}

    @permission(resources=archive_resource)
    def describe_archive(self, call: Call) -> dict:
        self._check(call)
        archive = self.archives.get(call.params["ArchiveName"])
        if archive is None:
            raise archive_not_found(call.params["ArchiveName"])
        return self._archive_summary(archive, full=True)

    def list_archives(self, call: Call) -> dict:
        self._check(call)
        source = call.params.get("EventSourceArn")
        bus_arn = self._bus_of_arn(source).arn if source else None
        chunk, out = _listing(call, "ListArchives", self.archives.values(), bus_arn)
        out["Archives"] = [self._archive_summary(a, full=False) for a in chunk]
        return out

    @permission(resources=archive_resource)
    def update_archive(self, call: Call) -> dict:
        self._check(call)
        p = call.params
        archive = self.archives.get(p["ArchiveName"])
        if archive is None:  # what AWS answers (recorded), retried by botocore as a 500
            raise AWSError("InternalException", UPDATE_MISSING)
        if "EventPattern" in p:
            pattern = p["EventPattern"] or None
            if pattern:
                compile_event_pattern(pattern)
            archive.event_pattern = pattern
            bus = self.buses.get(archive.bus)
            rule = bus.rules.get(ARCHIVE_RULE_PREFIX + archive.name) if bus else None
            if rule is not None:
                rule.event_pattern = _archive_rule_pattern(pattern)
        if "Description" in p:
            archive.description = p["Description"]
        if "RetentionDays" in p:
            archive.retention_days = p["RetentionDays"] or 0
        if "KmsKeyIdentifier" in p:
            archive.kms_key = p["KmsKeyIdentifier"] or None
        return {
            "ArchiveArn": archive.arn,
            "State": archive.state,
            "CreationTime": utc(archive.created),
        }

    @permission(resources=archive_resource)
    def delete_archive(self, call: Call) -> dict:
        self._check(call)
        archive = self.archives.pop(call.params["ArchiveName"], None)
        if archive is None:
            raise archive_not_found(call.params["ArchiveName"])
        bus = self.buses.get(archive.bus)
        if bus is not None:
            bus.rules.pop(ARCHIVE_RULE_PREFIX + archive.name, None)
        return {}

    # -- replays -----------------------------------------------------------------------------
    def _replay_summary(self, replay: Replay, *, full: bool) -> dict:
        out: dict[str, Any] = {"ReplayName": replay.name}
        if full:
            out["ReplayArn"] = replay.arn
            if replay.description is not None:
                out["Description"] = replay.description
        out["EventSourceArn"] = replay.source_arn
        out["State"] = replay.state
        if replay.state_reason:
            out["StateReason"] = replay.state_reason
        if full:
            out["Destination"] = copy.deepcopy(replay.destination)
        out["EventStartTime"] = utc(replay.start)
        out["EventEndTime"] = utc(replay.end)
        if replay.last_replayed is not None:
            out["EventLastReplayedTime"] = utc(replay.last_replayed)
        out["ReplayStartTime"] = utc(replay.started)
        if replay.ended is not None:
            out["ReplayEndTime"] = utc(replay.ended)
        return out

    @permission(resources=replay_resource)
    def start_replay(self, call: Call) -> dict:
        self._check(call)
        p = call.params
        name = p["ReplayName"]
        if name in self.replays:
            raise AWSError("ResourceAlreadyExistsException", f"Replay {name} already exists.")
        start, end = to_epoch(p["EventStartTime"]), to_epoch(p["EventEndTime"])
        if end <= start:
            raise validation(END_BEFORE_START)
        archive_name = p["EventSourceArn"].rsplit("/", 1)[-1]
        archive = self.archives.get(archive_name)
        if archive is None or archive.arn != p["EventSourceArn"]:
            raise validation(
                f"Parameter EventSourceArn is not valid. Reason: Archive {archive_name} does not "
                "exist."
            )
        destination = p["Destination"]
        dest_parts = split_arn(destination["Arn"])
        if dest_parts is None or not dest_parts[4].startswith("event-bus/"):
            raise validation(NOT_A_BUS)
        if destination["Arn"] != archive.source_arn:
            account, region = dest_parts[3], dest_parts[2]
            owner = self._backend_of(account, region)
            name_of_bus = dest_parts[4][len("event-bus/") :]
            if owner is None or name_of_bus not in owner.buses:
                raise bus_not_found(name_of_bus)
            raise validation(CROSS_BUS)
        active = sum(1 for r in self.replays.values() if r.state in ACTIVE)
        if active >= MAX_ACTIVE_REPLAYS:
            raise common.limit_exceeded()
        now = self.cloud.clock.time()
        replay = Replay(
            name=name,
            arn=self.arn(f"replay/{name}"),
            archive=archive.name,
            source_arn=archive.arn,
            destination=copy.deepcopy(destination),
            start=start,
            end=end,
            started=now,
            description=p.get("Description"),
        )
        self.replays[name] = replay
        self.cloud.scheduler.call_later(
            self.settings.replay_start_delay,
            self._replay_begin,
            name,
            name=f"events replay {name}",
        )
        return {"ReplayArn": replay.arn, "State": replay.state, "ReplayStartTime": utc(now)}

    def _replay_begin(self, name: str) -> None:
        replay = self.replays.get(name)
        if replay is None or self._replay_cancelled(replay):
            return
        archive = self.archives.get(replay.archive)
        events = self._retained(archive) if archive is not None else []
        replay.pending = [
            [e.event, e.received] for e in events if replay.start <= e.received < replay.end
        ]
        replay.state = "RUNNING"
        self._replay_step(name)

    def _replay_step(self, name: str) -> None:
        replay = self.replays.get(name)
        if replay is None or self._replay_cancelled(replay):
            return
        if not replay.pending:
            replay.state = "COMPLETED"
            replay.ended = self.cloud.clock.time()
            return
        event, received = replay.pending.pop(0)
        replayed: dict[str, Any] = {}
        for key, value in event.items():
            if key == "resources":
                replayed["replay-name"] = replay.name
            replayed[key] = copy.deepcopy(value)
        archive = self.archives.get(replay.archive)
        bus = self.buses.get(archive.bus) if archive is not None else None
        if bus is not None:
            filters = replay.destination.get("FilterArns")
            self._route(
                bus,
                replayed,
                ingested=self.cloud.clock.time(),
                only_rules=frozenset(filters) if filters else None,
            )
        replay.last_replayed = received
        self.cloud.scheduler.call_later(
            self.settings.replay_event_interval,
            self._replay_step,
            name,
            name=f"events replay {name}",
        )

    def _replay_cancelled(self, replay: Replay) -> bool:
        if replay.state != "CANCELLING":
            return False
        replay.state = "CANCELLED"
        replay.ended = self.cloud.clock.time()
        replay.pending = []
        return True

    @permission(resources=replay_resource)
    def describe_replay(self, call: Call) -> dict:
        self._check(call)
        replay = self.replays.get(call.params["ReplayName"])
        if replay is None:
            raise replay_not_found(call.params["ReplayName"])
        return self._replay_summary(replay, full=True)

    def list_replays(self, call: Call) -> dict:
        self._check(call)
        source = call.params.get("EventSourceArn")
        chunk, out = _listing(call, "ListReplays", self.replays.values(), source)
        out["Replays"] = [self._replay_summary(r, full=False) for r in chunk]
        return out

    @permission(resources=replay_resource)
    def cancel_replay(self, call: Call) -> dict:
        self._check(call)
        name = call.params["ReplayName"]
        replay = self.replays.get(name)
        if replay is None:
            raise replay_not_found(name)
        if replay.state not in ("STARTING", "RUNNING"):  # moto's wording
            raise AWSError(
                "IllegalStatusException",
                f"Replay {name} is not in a valid state for this operation.",
            )
        replay.state = "CANCELLING"
        return {"ReplayArn": replay.arn, "State": replay.state}


def _listing(
    call: Call, operation: str, items: Any, source_arn: str | None
) -> tuple[list, dict[str, Any]]:
    """A page of archives or replays (by name) after ListArchives / ListReplays's one filter:
    ``NamePrefix``, ``EventSourceArn`` (given as ``source_arn``, resolved) or ``State``."""
    p = call.params
    if len([k for k in ("NamePrefix", "EventSourceArn", "State") if p.get(k)]) > 1:
        raise validation(ONE_FILTER.format(op=operation))
    prefix, state = p.get("NamePrefix"), p.get("State")
    chosen = [
        item
        for item in sorted(items, key=lambda i: i.name)
        if (not prefix or item.name.startswith(prefix))
        and (source_arn is None or item.source_arn == source_arn)
        and (not state or item.state == state)
    ]
    chunk, token = common.page(chosen, lambda i: i.name, p)
    return chunk, ({"NextToken": token} if token else {})
