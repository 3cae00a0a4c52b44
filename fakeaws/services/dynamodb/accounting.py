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

    def _bucket(self, table: Table, index: Index | None, write: bool, now: float) -> Any:
        settings = self.cloud.settings.dynamodb
        owner: Any = table if index is None else index
        throughput = owner.throughput
        rate = throughput.write if write else throughput.read
        origin = table.throttle_origin
        if index is not None and index.throttle_origin is not None:
            origin = index.throttle_origin
        found = capacity.bucket(
            owner,
            "write_bucket" if write else "read_bucket",
            rate,
            origin,
            settings.initial_burst_seconds,
        )
        found.level(rate, now, settings.burst_seconds)
        return found

    def read_refusal(self, table: Table, index: Index | None, now: float) -> str | None:
        """Why a read of the table (or of a GSI) is throttled now, or None."""
        gsi = index if index is not None and index.kind == "GSI" else None
        if self._bucket(table, gsi, False, now).balance > 0:
            return None
        self.capacity.add_throttled(table.name, gsi.name if gsi else None, write=False)
        return MSG_INDEX_THROTTLED if gsi else MSG_TABLE_THROTTLED

    def write_refusal(
        self, table: Table, old: Item | None, new: Item | None, now: float
    ) -> str | None:
        """Why a write changing ``old`` into ``new`` is throttled now, or None."""
        if self._bucket(table, None, True, now).balance <= 0:
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
            if self._bucket(table, index, True, now).balance <= 0:
                self.capacity.add_throttled(table.name, index.name, write=True)
                return MSG_INDEX_THROTTLED
        return None

    def admit_read(self, table: Table, index: Index | None, now: float) -> None:
        if self.throttles(table):
            refusal = self.read_refusal(table, index, now)
            if refusal is not None:
                raise capacity.throttled(refusal)

    def admit_write(self, table: Table, old: Item | None, new: Item | None, now: float) -> None:
        if self.throttles(table):
            refusal = self.write_refusal(table, old, new, now)
            if refusal is not None:
                raise capacity.throttled(refusal)

    # -- charging ----------------------------------------------------------------------
    def charge(self, table: Table, consumption: Consumption, write: bool, now: float) -> None:
        """Record what a request consumed: the meter, and the buckets it draws on."""
        self.capacity.add(consumption, write)
        if self.throttles(table):
            shared = consumption.table + (sum(consumption.lsi.values()) if consumption.lsi else 0)
            self._bucket(table, None, write, now).balance -= shared
            if consumption.gsi:
                for name, units in consumption.gsi.items():
                    self._bucket(table, table.indexes[name], write, now).balance -= units

    def charge_write(
        self,
        table: Table,
        units: int,
        index_units: dict[str, int] | None,
        now: float,
        mode: str | None,
        response: dict,
    ) -> dict:
        """Charge a single-item write and answer with its ConsumedCapacity when asked."""
        if index_units is None and table.billing_mode != "PROVISIONED":
            self.capacity.add_write(table.name, units)  # the hot path: no object built
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
        self, table: Table, units: float, now: float, mode: str | None, response: dict
    ) -> dict:
        """Charge a single-item read of the table and answer with its ConsumedCapacity."""
        if table.billing_mode != "PROVISIONED":
            self.capacity.add_read(table.name, units)
            if mode is not None:
                response["ConsumedCapacity"] = capacity.single(mode, table.name, units)
            return response
        consumption = Consumption(table.name, units)
        self.charge(table, consumption, False, now)
        if mode is not None:
            response["ConsumedCapacity"] = consumption.response(mode)
        return response
