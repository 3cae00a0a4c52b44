"""Time to Live: UpdateTimeToLive, DescribeTimeToLive and the background sweeper.

As AWS does it (the developer guide's "Time to Live", and the ack-api-quirks
lab's measurements against DynamoDB, 2026-10):

* UpdateTimeToLive checks the request against the table's setting first:
  enabling the attribute already enabled is "TimeToLive is already enabled",
  another one "TimeToLive is active on a different AttributeName: current
  AttributeName is X", disabling a table without TTL "TimeToLive is already
  disabled" (all ValidationException); only then the cooldown: a change within
  ``ttl_update_cooldown`` seconds of the previous one (AWS documents up to an
  hour; the lab measured about 31 minutes) is "Time to live has been modified
  multiple times within a fixed interval". A CREATING table is in use. The
  response echoes the request's ``TimeToLiveSpecification``.
* DescribeTimeToLive answers ENABLED (with the attribute) or DISABLED (without
  it, whether TTL was never set or was turned off). The ENABLING/DISABLING
  states AWS documents were never seen at 1 s polling: the change shows at once.
* Items whose TTL attribute is a Number of epoch seconds in the past are
  deleted by the sweeper ``ttl_sweep_delay`` virtual seconds after they
  expire (AWS: "typically within a few days"; fakeaws: a fixed delay, so tests
  are deterministic), through the table's write path: indexes follow, the
  stream gets a REMOVE record whose ``userIdentity`` is the DynamoDB service,
  no write capacity is consumed. Until then reads still return the expired
  item, as on AWS. An attribute that is not a Number, and a time more than five
  years in the past, are left alone (as AWS documents).

The sweeper never polls: the table's change feed tells it when an item with a
TTL attribute is written, and it schedules a sweep for the earliest expiry.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb.control import table_resource
from fakeaws.services.dynamodb.table import TTL_PRINCIPAL, Table
from fakeaws.services.dynamodb.validation import Constraints

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.services.dynamodb.storage import Item

FIVE_YEARS = 5 * 365 * 24 * 3600.0
COOLDOWN_MESSAGE = "Time to live has been modified multiple times within a fixed interval"


class TimeToLive:
    """Mixin of DynamoDBBackend: TTL settings and the sweeper."""

    cloud: Any
    tables: dict[str, Table]

    def _described_table(self, name_or_arn: str) -> Table: ...  # from ControlPlane

    # -- operations --------------------------------------------------------------------
    @permission(resources=table_resource)
    def update_time_to_live(self, call: Call) -> dict:
        p = call.params
        spec = p["TimeToLiveSpecification"]
        name, enabled = spec["AttributeName"], spec["Enabled"]
        c = Constraints()
        c.name(p["TableName"], "tableName")
        if len(name) > 255:
            c.fail(
                name,
                "timeToLiveSpecification.attributeName",
                "Member must have length less than or equal to 255",
            )
        c.raise_any()
        table = self._described_table(p["TableName"])
        if table.status in ("CREATING", "DELETING"):
            verb = "created" if table.status == "CREATING" else "deleted"
            raise AWSError(
                "ResourceInUseException",
                f"Attempt to change a resource which is still in use: Table is being {verb}: "
                f"{table.name}",
            )
        current = table.ttl_attribute
        if current is not None and current != name:
            raise validation_error(
                "TimeToLive is active on a different AttributeName: current AttributeName is "
                f"{current}"
            )
        if enabled and current is not None:
            raise validation_error("TimeToLive is already enabled")
        if not enabled and current is None:
            raise validation_error("TimeToLive is already disabled")
        now = call.time
        cooldown = float(self.cloud.settings.dynamodb.ttl_update_cooldown)
        if table.ttl_changed is not None and now < table.ttl_changed + cooldown:
            raise validation_error(COOLDOWN_MESSAGE)
        table.ttl_changed = now
        if enabled:
            table.ttl_attribute = name
            table.subscribe(self._ttl_noticed, self.cloud.clock)
            self._ttl_schedule(table, now)  # items already there may have expired
        else:
            table.ttl_attribute = None
            table.ttl_due = None
            table.unsubscribe(self._ttl_noticed)
        return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": name}}

    @permission(resources=table_resource)
    def describe_time_to_live(self, call: Call) -> dict:
        table = self._described_table(call.params["TableName"])
        if table.status in ("CREATING", "DELETING"):
            raise validation_error(
                f"Cannot describe time to live while table is in {table.status} state"
            )
        if table.ttl_attribute is None:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {
            "TimeToLiveDescription": {
                "TimeToLiveStatus": "ENABLED",
                "AttributeName": table.ttl_attribute,
            }
        }

    # -- the sweeper -------------------------------------------------------------------
    def _ttl_noticed(
        self, table: Table, old: Item | None, new: Item | None, principal: Any, now: float
    ) -> None:
        """Change listener: an item written with a TTL may need a sweep earlier than planned."""
        if new is None or table.ttl_attribute is None:
            return
        expiry = ttl_expiry(new, table.ttl_attribute, now)
        if expiry is not None:
            self._ttl_plan(table, expiry + self._ttl_delay(), now)

    def _ttl_schedule(self, table: Table, now: float) -> None:
        """Plan the next sweep of ``table`` for its earliest expiring item, if any."""
        attribute = table.ttl_attribute
        if attribute is None:
            return
        earliest = None
        for item in table.items.items():
            expiry = ttl_expiry(item, attribute, now)
            if expiry is not None and (earliest is None or expiry < earliest):
                earliest = expiry
        if earliest is not None:
            self._ttl_plan(table, earliest + self._ttl_delay(), now)

    def _ttl_plan(self, table: Table, due: float, now: float) -> None:
        due = max(due, now)
        if table.ttl_due is not None and table.ttl_due <= due:
            return
        table.ttl_due = due
        self.cloud.scheduler.call_at(due, self._ttl_sweep, table, due, name="dynamodb ttl")

    def _ttl_sweep(self, table: Table, due: float) -> None:
        """Delete the items expired at least ``ttl_sweep_delay`` seconds ago."""
        if table.ttl_due != due or self.tables.get(table.name) is not table:
            return  # superseded by an earlier sweep, TTL turned off, or the table is gone
        table.ttl_due = None
        attribute = table.ttl_attribute
        if attribute is None or table.status not in ("ACTIVE", "UPDATING"):
            return
        now = self.cloud.clock.time()
        deadline = now - self._ttl_delay()
        expired = [
            item
            for item in table.items.items()
            if (expiry := ttl_expiry(item, attribute, now)) is not None and expiry <= deadline
        ]
        for item in expired:
            table.write(table.key_of(item), None, item, principal=TTL_PRINCIPAL)
        self._ttl_schedule(table, now)

    def _ttl_delay(self) -> float:
        return float(self.cloud.settings.dynamodb.ttl_sweep_delay)


def ttl_expiry(item: Item, attribute: str, now: float) -> float | None:
    """When an item expires (epoch seconds), or None if TTL leaves it alone.

    The attribute must be a Number; a time more than five years before ``now``
    is ignored, as DynamoDB does.
    """
    value = item.get(attribute)
    if value is None or "N" not in value:
        return None
    try:
        expiry = float(Decimal(value["N"]))
    except (InvalidOperation, OverflowError, ValueError):
        return None
    if expiry < now - FIVE_YEARS:
        return None
    return expiry
