"""Events arriving on a bus: PutEvents, other services' events, Lambda destinations.

Every accepted event gets an id and the envelope EventBridge delivers::

    {"version": "0", "id": ..., "detail-type": ..., "source": ..., "account": ...,
     "time": "2024-05-21T13:15:50Z", "region": ..., "resources": [...], "detail": {...}}

and is matched against the enabled rules of its bus (once per rule, in rule
order); each matching rule's targets get a ``Delivery`` (see delivery.py) and
an archive rule stores it. An event sent to a bus that does not exist is
accepted and dropped, as AWS does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.base import permission
from fakeaws.services.events.common import (
    MAX_ENTRIES_BYTES,
    bus_location,
    bus_not_found,
    event_time,
    split_arn,
    to_epoch,
    validation,
)
from fakeaws.services.events.delivery import Delivery
from fakeaws.services.events.model import EventBus
from fakeaws.services.events.patterns import matches
from fakeaws.services.events.transform import target_input
from fakeaws.services.messaging import parse_json

if TYPE_CHECKING:
    from fakeaws.calls import Call

NOT_AUTHORIZED = "Not authorized for the source."
TOO_BIG = "Total size of the entries in the request is over the limit."
SUCCESS_DETAIL_TYPE = "Lambda Function Invocation Result - Success"
FAILURE_DETAIL_TYPE = "Lambda Function Invocation Result - Failure"


def entry_size(entry: dict) -> int:
    """A PutEvents entry's size as EventBridge counts it (its documented algorithm)."""
    size = 14 if entry.get("Time") is not None else 0
    size += len((entry.get("Source") or "").encode("utf-8"))
    size += len((entry.get("DetailType") or "").encode("utf-8"))
    if entry.get("Detail") is not None:
        size += len(entry["Detail"].encode("utf-8"))
    for resource in entry.get("Resources") or []:
        if resource is not None:
            size += len(resource.encode("utf-8"))
    return size


def _failure(code: str, message: str) -> dict:
    return {"ErrorCode": code, "ErrorMessage": message}


def read_entry(entry: dict) -> tuple[dict | None, dict | None]:
    """``(failure, detail)`` of a PutEvents entry: its per-entry failure (AWS's order and
    wording) or None, and its parsed ``Detail`` when it has no failure."""
    for member in ("Source", "DetailType", "Detail"):
        if not entry.get(member):
            return _failure(
                "InvalidArgument",
                f"Parameter {member} is not valid. Reason: {member} is a required argument.",
            ), None
    try:
        detail = parse_json(entry["Detail"])
    except ValueError:
        detail = None
    if not isinstance(detail, dict):
        return _failure("MalformedDetail", "Detail is malformed."), None
    return None, detail


def put_events_resources(backend: Any, call: Call) -> list[str]:
    arns = []
    for entry in call.params.get("Entries") or []:
        account, region, name = bus_location(backend, entry.get("EventBusName"))
        arn = f"arn:{backend.cloud.partition}:events:{region}:{account}:event-bus/{name}"
        if arn not in arns:
            arns.append(arn)
    return arns or ["*"]


class Ingest:
    def _envelope(
        self, entry: dict, detail: dict, account: str, region: str, now: float, event_id: str
    ) -> dict:
        when = to_epoch(entry["Time"]) if entry.get("Time") is not None else now
        return {
            "version": "0",
            "id": event_id,
            "detail-type": entry["DetailType"],
            "source": entry["Source"],
            "account": account,
            "time": event_time(when),
            "region": region,
            "resources": list(entry.get("Resources") or []),
            "detail": detail,
        }

    def _route(
        self,
        bus: EventBus,
        event: dict,
        *,
        ingested: float,
        hops: list[list[str]] | None = None,
        only_rules: frozenset[str] | None = None,
    ) -> None:
        """Match ``event`` against the bus's rules and hand it to their targets."""
        for rule in list(bus.rules.values()):
            if not rule.enabled or rule.event_pattern is None:
                continue
            if only_rules is not None and rule.arn not in only_rules:
                continue
            if not matches(rule.event_pattern, event):
                continue
            if rule.archive is not None:
                self._archive_event(rule.archive, event, ingested)
                continue
            for target in rule.targets.values():
                body = target_input(target, event, rule.arn, rule.name, ingested)
                delivery = Delivery(
                    rule.arn, rule.name, dict(target), event, body, ingested, hops=list(hops or [])
                )
                self._dispatch(delivery)

    def _receive(self, bus_ref: str | None, event: dict, sender: Any) -> bool:
        """Put an event on the bus ``bus_ref`` names (possibly another account's); False if none."""
        account, region, name = bus_location(sender, bus_ref)
        owner = self._backend_of(account, region)
        bus = owner.buses.get(name) if owner is not None else None
        if bus is None:
            return False
        owner._route(bus, event, ingested=self.cloud.clock.time())
        return True

    # -- PutEvents -------------------------------------------------------------------------
    @permission(resources=put_events_resources)
    def put_events(self, call: Call) -> dict:
        self._check(call)
        p = call.params
        if p.get("EndpointId"):
            raise UnsupportedOperation(
                "events", "PutEvents", "global endpoints (EndpointId) are not modelled"
            )
        entries = p["Entries"]
        if sum(entry_size(e) for e in entries) > MAX_ENTRIES_BYTES:
            raise validation(TOO_BIG)
        now = self.cloud.clock.time()
        results: list[dict] = []
        failed = 0
        for entry in entries:
            error, detail = read_entry(entry)
            if error is None and entry["Source"].startswith("aws."):
                error = _failure("NotAuthorizedForSourceException", NOT_AUTHORIZED)
            if error is not None:
                results.append(error)
                failed += 1
                continue
            event_id = self.cloud.new_request_id()
            event = self._envelope(entry, detail, call.account, self.region, now, event_id)
            self._receive(entry.get("EventBusName"), event, self)
            results.append({"EventId": event_id})
        return {"FailedEntryCount": failed, "Entries": results}

    # -- the Python API for other services ---------------------------------------------------
    def put_internal(self, bus: str, entry: dict, *, source_arn: str = "") -> str:
        """Put an event on one of this account's buses (name or ARN) as an AWS service would.

        ``entry`` is a PutEvents entry (``Source``, ``DetailType``, ``Detail`` as a JSON
        string, optional ``Resources`` and ``Time``); ``aws.*`` sources are allowed.
        Returns the event id; raises ``AWSError`` for a bus that does not exist or a
        malformed entry.
        """
        with self.cloud.lock:
            error, detail = read_entry(entry)
            if error is not None:
                raise validation(error["ErrorMessage"])
            account, region, name = bus_location(self, bus)
            owner = self._backend_of(account, region)
            target_bus = owner.buses.get(name) if owner is not None else None
            if target_bus is None:
                raise bus_not_found(name)
            now = self.cloud.clock.time()
            event_id = self.cloud.new_request_id()
            event = self._envelope(entry, detail, self.account_id, self.region, now, event_id)
            owner._route(target_bus, event, ingested=now)
            return event_id

    def accept_delivery(
        self,
        target_arn: str,
        body: str,
        *,
        attributes: dict[str, str] | None = None,
        source_arn: str = "",
    ) -> None:
        """A Lambda destination delivering an invocation record to the bus ``target_arn``.

        The record becomes an event with source ``lambda``, detail-type "Lambda Function
        Invocation Result - Success" (or "- Failure"), the record as its detail and
        ``[bus ARN, function ARN]`` as resources, as real deliveries look. A bus that
        does not exist drops it, as Lambda does with a record it cannot deliver.
        """
        source = split_arn(source_arn) if source_arn else None
        if source is None or source[1] != "lambda":
            raise UnsupportedOperation(
                "events", "delivery", f"deliveries to an event bus from {source_arn or 'unknown'}"
            )
        with self.cloud.lock:
            try:
                record = parse_json(body)
            except ValueError:
                return
            if not isinstance(record, dict):
                return
            context = record.get("requestContext") or {}
            success = context.get("condition") == "Success"
            function_arn = context.get("functionArn") or source_arn
            entry = {
                "Source": "lambda",
                "DetailType": SUCCESS_DETAIL_TYPE if success else FAILURE_DETAIL_TYPE,
                "Detail": body,
                "Resources": [target_arn, function_arn],
            }
            now = self.cloud.clock.time()
            event = self._envelope(
                entry, record, source[3] or self.account_id, source[2] or self.region, now,
                self.cloud.new_request_id(),
            )  # fmt: skip
            try:
                self._receive(target_arn, event, self)
            except AWSError:
                return
