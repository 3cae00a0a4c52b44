"""The backend's side of capacity: admitting requests, charging them, answering with it.

Every data-plane operation follows the same steps: admit (PROVISIONED tables
only: the table's bucket, or a GSI's, must hold capacity, else
ProvisionedThroughputExceededException), do the work, then ``charge``: the
meter (always), the buckets (PROVISIONED), and the ``ConsumedCapacity`` of
the response (when asked for). PAY_PER_REQUEST tables skip the buckets: one
string comparison on the hot path.

LSIs share their table's buckets; each GSI has its own, and a write whose
item is or was in a throttled GSI is throttled too ("a throttled GSI
throttles the table writes that feed it").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakeaws.services.dynamodb import capacity
from fakeaws.services.dynamodb.capacity import (
    MSG_INDEX_THROTTLED,
    MSG_TABLE_THROTTLED,
    CapacityMeter,
    Consumption,
)

if TYPE_CHECKING:
    from fakeaws.services.dynamodb.storage import Item
    from fakeaws.services.dynamodb.table import Index, Table


class Accounting:
    """Mixin of DynamoDBBackend: admission, charging and ConsumedCapacity."""

    cloud: Any
    capacity: CapacityMeter

    # -- throttling ------------------------------------------------------------------
    def throttles(self, table: Table) -> bool:
        """Whether the table's requests go through its token buckets."""
        return table.billing_mode == "PROVISIONED" and self.cloud.settings.dynamodb.throttling

    def _settings(self, table: Table) -> Any:
        """The cloud's DynamoDB settings if the table throttles, else None."""
        if table.billing_mode != "PROVISIONED":
            return None
        settings = self.cloud.settings.dynamodb
        return settings if settings.throttling else None

    def _bucket(
        self, table: Table, index: Index | None, write: bool, now: float, settings: Any = None
    ) -> Any:
        """The table's (or a GSI's) bucket for reads or writes, refilled up to ``now``."""
        owner: Any = table if index is None else index
        found = owner.write_bucket if write else owner.read_bucket
        throughput = owner.throughput
        rate = throughput.write if write else throughput.read
        if settings is None:
            settings = self.cloud.settings.dynamodb
        if found is None:
            origin = table.throttle_origin
            if index is not None and index.throttle_origin is not None:
                origin = index.throttle_origin
            found = capacity.Bucket(rate * settings.initial_burst_seconds, origin)
            if write:
                owner.write_bucket = found
            else:
                owner.read_bucket = found
        if now > found.updated:
            found.level(rate, now, settings.burst_seconds)
        return found

    def read_refusal(
        self, table: Table, index: Index | None, now: float, settings: Any = None
    ) -> str | None:
        """Why a read of the table (or of a GSI) is throttled now, or None."""
        gsi = index if index is not None and index.kind == "GSI" else None
        if self._bucket(table, gsi, False, now, settings).balance > 0:
            return None
        self.capacity.add_throttled(table.name, gsi.name if gsi else None, write=False)
        return MSG_INDEX_THROTTLED if gsi else MSG_TABLE_THROTTLED

    def write_refusal(
        self, table: Table, old: Item | None, new: Item | None, now: float, settings: Any = None
    ) -> str | None:
        """Why a write changing ``old`` into ``new`` is throttled now, or None."""
        if self._bucket(table, None, True, now, settings).balance <= 0:
            self.capacity.add_throttled(table.name, None, write=True)
            return MSG_TABLE_THROTTLED
        for index in table.indexes.values():
            if index.kind != "GSI":
                continue
            if not (
                (old is not None and table.in_index(index, old))
                or (new is not None and table.in_index(index, new))
            ):
                continue
            if self._bucket(table, index, True, now, settings).balance <= 0:
                self.capacity.add_throttled(table.name, index.name, write=True)
                return MSG_INDEX_THROTTLED
        return None

    def admit_read(self, table: Table, index: Index | None, now: float) -> Any:
        """Refuse a read the table (or GSI) has no capacity for; the settings if it throttles."""
        settings = self._settings(table)
        if settings is not None:
            refusal = self.read_refusal(table, index, now, settings)
            if refusal is not None:
                raise capacity.throttled(refusal)
        return settings

    def admit_write(self, table: Table, old: Item | None, new: Item | None, now: float) -> Any:
        """Refuse a write the table (or a GSI it feeds) has no capacity for; as ``admit_read``."""
        settings = self._settings(table)
        if settings is not None:
            refusal = self.write_refusal(table, old, new, now, settings)
            if refusal is not None:
                raise capacity.throttled(refusal)
        return settings

    # -- charging ----------------------------------------------------------------------
    def charge(self, table: Table, consumption: Consumption, write: bool, now: float) -> None:
        """Record what a request consumed: the meter, and the buckets it draws on."""
        self.capacity.add(consumption, write)
        settings = self._settings(table)
        if settings is not None:
            shared = consumption.table + (sum(consumption.lsi.values()) if consumption.lsi else 0)
            self._bucket(table, None, write, now, settings).balance -= shared
            if consumption.gsi:
                for name, units in consumption.gsi.items():
                    index = table.indexes[name]
                    self._bucket(table, index, write, now, settings).balance -= units

    def charge_write(
        self,
        table: Table,
        units: int,
        index_units: dict[str, int] | None,
        now: float,
        mode: str | None,
        response: dict,
        throttling: Any = None,
    ) -> dict:
        """Charge a single-item write and answer with its ConsumedCapacity when asked.

        ``throttling`` is what ``admit_write`` returned at ``now``: the table's
        bucket, if it throttles, is then up to date.
        """
        if index_units is None:  # the common case: no object built
            self.capacity.add_write(table.name, units)
            if throttling is not None:
                table.write_bucket.balance -= units
            if mode is not None:
                response["ConsumedCapacity"] = capacity.single(mode, table.name, units)
            return response
        consumption = Consumption(table.name, units)
        consumption.add_indexes(table, index_units)
        self.charge(table, consumption, True, now)
        if mode is not None:
            response["ConsumedCapacity"] = consumption.response(mode)
        return response

    def charge_read(
        self,
        table: Table,
        units: float,
        mode: str | None,
        response: dict,
        throttling: Any = None,
    ) -> dict:
        """Charge a single-item read of the table and answer with its ConsumedCapacity.

        ``throttling`` is what ``admit_read`` returned (the table's bucket is up to date).
        """
        self.capacity.add_read(table.name, units)
        if throttling is not None:
            table.read_bucket.balance -= units
        if mode is not None:
            response["ConsumedCapacity"] = capacity.single(mode, table.name, units)
        return response
