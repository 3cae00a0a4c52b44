"""EventBridge: one account's event buses, rules, targets, archives and replays in one region.

The operations live in mixins by family: buses (policies, tags), rules
(TestEventPattern), targets, PutEvents and the entry points other services
use, deliveries (retries, dead-letter queues), scheduled rules, archives and
replays. Event patterns are matched by the project's shared engine
(``fakeaws.eventpatterns``).

Entry points for other services (see docs/events.md):
``put_internal(bus, entry, *, source_arn="") -> event id`` and
``accept_delivery(target_arn, body, *, attributes, source_arn)`` (Lambda
destinations).

LIMITATIONS (see docs/events.md): API destinations and connections, global
endpoints, partner event sources, targets other than Lambda, SQS, SNS, event
buses and Step Functions, KMS encryption, CloudTrail management events and
bus/rule policy enforcement are not modelled.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from fakeaws.services.base import Backend
from fakeaws.services.events import constraints
from fakeaws.services.events.archives import Archives
from fakeaws.services.events.buses import Buses
from fakeaws.services.events.common import DEFAULT_BUS
from fakeaws.services.events.delivery import Deliveries
from fakeaws.services.events.model import Archive, EventBus, Replay
from fakeaws.services.events.put_events import Ingest
from fakeaws.services.events.rules import Rules
from fakeaws.services.events.schedules import ScheduledRules
from fakeaws.services.events.targets import Targets

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.cloud import Cloud


@functools.cache
def _operation_model(name: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("events").operation_model(name)


class EventsBackend(
    Buses,
    Rules,
    Targets,
    Ingest,
    Deliveries,
    ScheduledRules,
    Archives,
    Backend,
):
    service = "events"
    iam_prefix = "events"

    def __init__(self, cloud: Cloud, account_id: str, region: str) -> None:
        super().__init__(cloud, account_id, region)
        self.buses: dict[str, EventBus] = {}
        self.archives: dict[str, Archive] = {}
        self.replays: dict[str, Replay] = {}
        self._new_bus(DEFAULT_BUS)

    @property
    def settings(self):
        return self.cloud.settings.service("events")

    def _check(self, call: Call) -> None:
        """The model's server-side constraints (lengths, patterns, enums, bounds)."""
        constraints.check(_operation_model(call.operation), call.params)

    def _backend_of(self, account: str, region: str) -> EventsBackend | None:
        """This account's backend in ``region``, or another account's (created on first use)."""
        if (account, region) == (self.account_id, self.region):
            return self
        if not account or not region:
            return None
        return self.cloud.backend("events", account, region)
