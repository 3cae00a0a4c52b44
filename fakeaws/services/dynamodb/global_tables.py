"""Global tables, version 2019.11.21: UpdateTable ReplicaUpdates, DescribeTable Replicas,
replication between regions; the legacy (2017.11.29) global table operations.

A replica is a table of the same name in another region of the same account,
in that region's own DynamoDB backend: a client of that region reads and writes
it like any table. ``UpdateTable(ReplicaUpdates=[{"Create": {"RegionName": r}}])``
makes one: the table is copied there (keys, attribute definitions, indexes,
billing, stream, SSE with the region's own key, table class or its override),
with its items, in status ``CREATING`` for ``replica_delay`` virtual seconds
(only DescribeTable answers meanwhile) while the source is ``UPDATING``; then
both are ``ACTIVE`` and every member's DescribeTable lists the others in
``Replicas`` with ``GlobalTableVersion: 2019.11.21``. ``Delete`` removes the
regional table (``DELETING`` for ``replica_delay`` seconds); a regional
DeleteTable of a member takes it out of the group too.

Replication: every change committed to a member (the table's change feed:
requests, transactions, TTL deletions...) is applied to the other members
``global_table_lag`` virtual seconds later (``cloud.clock.advance(lag)`` or
``cloud.settle(within=lag)``), last writer wins: each member remembers, per
item, the version it holds (the commit time at the origin, then the origin's
region name, then a sequence number: ties are broken by region name, the
greater wins, deterministically), and a replicated change older than that is
dropped. Replicated writes are committed with the ``REPLICATION`` principal so
that the members' own change-feed listeners do not send them back; they appear
in the members' streams like any change (version 2019.11.21 adds no
``aws:rep:*`` attributes to items: "The metadata attributes required to control
replication are hidden", developer guide, "Determining the global table version
you are using").

Rules and messages are DynamoDB's, as recorded live by the ack-api-quirks lab
(table-replicas.md and the message catalogue DDB-TABLE-442): ReplicaUpdates must
be the only operation, one Create or Delete per call, no stream prerequisite
(DynamoDB enables a NEW_AND_OLD_IMAGES stream itself, re-enables a disabled one
with a new label, keeps another view type as it is; the stream can no longer be
disabled while replicas exist), PROVISIONED tables need write auto scaling
("Table write capacity should either be Pay-Per-Request or AutoScaled." — there
is no Application Auto Scaling here, so only PAY_PER_REQUEST tables can be
replicated), 'Failed to create a the new replica of table with name: ‘<name>’
because one or more replicas already existed as tables.' (sic), 'Update global
table operation failed because one or more replicas were not part of the global
table. Please retry the request without these replicas: [<region>].', 'Cannot
add or delete the local region through ReplicaUpdates. Use CreateTable,
DeleteTable, or UpdateTable as required.', 'KMSMasterKeyId must be specified for
each replica.' The legacy operations answer as DynamoDB does today
(DDB-GLOBALTABLE-004, DDB-TABLE-442): CreateGlobalTable and a Create in
UpdateGlobalTable are refused ("version 2017.11.29 is not supported"),
DescribeGlobalTable and the settings operations find nothing
(GlobalTableNotFoundException), ListGlobalTables lists nothing.

LIMITATIONS: settings changed on a member after a replica exists (GSIs, TTL,
SSE, throughput, table class) are not propagated to the other members;
replicated writes consume no capacity in the receiving regions; the 24-hour
"acted as a source region" rule, multi-region strong consistency (MRSC) and
witnesses, replica GSI and throughput overrides, ReplicaUpdates Update of a KMS
key, and the Create response's empty Replicas list (AWS lists a new replica a
few seconds later; fakeaws at once, CREATING) are not modelled.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, UnsupportedOperation, validation_error
from fakeaws.services.dynamodb import sse
from fakeaws.services.dynamodb.consistency import identity
from fakeaws.services.dynamodb.storage import Item
from fakeaws.services.dynamodb.table import Table, Throughput
from fakeaws.services.dynamodb.validation import invalid

if TYPE_CHECKING:
    from fakeaws.calls import Call

VERSION = "2019.11.21"
# The principal of replicated writes in the change feed: not replicated again.
REPLICATION = "dynamodb:replication"
REPLICA_ALREADY_EXISTS = (
    "Failed to create a the new replica of table with name: \u2018{name}\u2019 because one or "
    "more replicas already existed as tables."
)
LEGACY_REFUSED = (
    "DynamoDB global tables version 2017.11.29 is not supported. We recommend using DynamoDB "
    "global tables version 2019.11.21, instead of version 2017.11.29 (Legacy)."
)


@functools.cache
def _regions(partition: str) -> tuple[str, ...]:
    import botocore.session

    return tuple(botocore.session.get_session().get_available_regions("dynamodb", partition))


class _Member:
    """The change-feed listener of one member table (knows its region)."""

    def __init__(self, group: ReplicaGroup, region: str) -> None:
        self.group, self.region = group, region

    def changed(self, table: Table, old: Item | None, new: Item | None, principal: Any, now: float):
        if principal != REPLICATION:
            self.group.committed(self.region, table, old, new, now)


class ReplicaGroup:
    """The regional tables of one global table, and the versions of the items each holds."""

    def __init__(self, cloud: Any, account: str, name: str, first: str) -> None:
        self.cloud = cloud
        self.account = account
        self.name = name
        self.regions: list[str] = [first]  # in the order they joined
        self.status: dict[str, str] = {first: "ACTIVE"}
        self.members: dict[str, _Member] = {}
        # region -> {item identity: (commit time at the origin, origin region, sequence)}
        self.versions: dict[str, dict[tuple, tuple]] = {first: {}}
        self.seq = 0

    # -- membership -------------------------------------------------------------------------
    def table(self, region: str) -> Table | None:
        backend = self.cloud.backend("dynamodb", self.account, region)
        table = backend.tables.get(self.name)
        if table is None or getattr(table, "replica_group", None) is not self:
            return None
        return table

    def live(self) -> list[str]:
        """The members whose regional table still exists."""
        return [r for r in self.regions if self.table(r) is not None]

    def join(self, region: str, table: Table) -> None:
        member = self.members[region] = _Member(self, region)
        table.replica_group = self  # type: ignore[attr-defined]
        table.subscribe(member.changed, self.cloud.clock)
        if region not in self.regions:
            self.regions.append(region)

    def leave(self, region: str) -> None:
        table = self.table(region)
        member = self.members.pop(region, None)
        if table is not None:
            if member is not None:
                table.unsubscribe(member.changed)
            table.replica_group = None  # type: ignore[attr-defined]
        if region in self.regions:
            self.regions.remove(region)
        self.status.pop(region, None)
        self.versions.pop(region, None)

    def replica_status(self, region: str) -> str:
        table = self.table(region)
        if table is not None and table.status == "DELETING":
            return "DELETING"
        return self.status.get(region, "ACTIVE")

    # -- replication ---------------------------------------------------------------------------
    def committed(
        self, region: str, table: Table, old: Item | None, new: Item | None, now: float
    ) -> None:
        """A member's own change: version it, and send it to the others after the lag."""
        key = table.key_of(new if new is not None else old)  # type: ignore[arg-type]
        self.seq += 1
        version = (now, region, self.seq)
        self.versions.setdefault(region, {})[identity(table, key)] = version
        if len(self.regions) > 1:
            lag = self.cloud.settings.dynamodb.global_table_lag
            self.cloud.scheduler.call_later(lag, self.deliver, region, key, new, version)

    def deliver(self, origin: str, key: Item, new: Item | None, version: tuple) -> None:
        """Apply a change to every member but its origin, unless a member holds a later one."""
        for region in list(self.regions):
            if region == origin:
                continue
            table = self.table(region)
            if table is None or table.status == "DELETING":
                continue
            versions = self.versions.setdefault(region, {})
            place = identity(table, key)
            held = versions.get(place)
            if held is not None and held >= version:
                continue  # last writer wins
            versions[place] = version
            table.write(key, new, principal=REPLICATION)


class GlobalTables:
    """Mixin of DynamoDBBackend: replicas (UpdateTable ReplicaUpdates) and legacy global tables."""

    tables: dict[str, Table]
    cloud: Any
    account_id: str
    region: str
    arn: Callable[[str], str]
    _index: Callable[..., Any]
    stream_enabled: Callable[[Table, float], Any]  # from StreamsOwner
    stream_disabled: Callable[[Table, float], None]

    # -- UpdateTable ----------------------------------------------------------------------------
    def _plan_replica_updates(self, table: Table, p: dict) -> list[tuple[str, str, dict]] | None:
        """Check an UpdateTable's ReplicaUpdates (and stream changes of a member); the actions."""
        group = getattr(table, "replica_group", None)
        spec = p.get("StreamSpecification")
        if spec is not None and not spec["StreamEnabled"] and group and len(group.live()) > 1:
            raise invalid("Disabling Stream is not allowed for a Global Table replica.")
        if "ReplicaUpdates" not in p:
            return None
        actions: list[tuple[str, str, dict]] = []
        for update in p["ReplicaUpdates"]:
            kinds = [k for k in ("Create", "Update", "Delete") if k in update]
            if not kinds:
                raise validation_error(
                    "There are no actions specified in the Replica Update Action of the request."
                )
            for kind in kinds:
                action = (kind, update[kind]["RegionName"], update[kind])
                if action not in actions:  # identical actions are taken once
                    actions.append(action)
        if len({kind for kind, _, _ in actions}) > 1:
            raise validation_error(
                "Update table operation with more than one type of replica actions not allowed."
            )
        if sum(kind in ("Create", "Delete") for kind, _, _ in actions) > 1:
            raise validation_error(
                "Update table operation with more than one create or delete replica actions not "
                "allowed"
            )
        partition = self.arn("").split(":")[1]
        members = group.live() if group else [self.region]
        for kind, region, body in actions:
            if region == self.region:
                raise validation_error(
                    "Cannot add or delete the local region through ReplicaUpdates. Use "
                    "CreateTable, DeleteTable, or UpdateTable as required."
                )
            if region not in _regions(partition):
                raise validation_error(
                    f"Region {region} is not supported. The latest version of global tables are "
                    f"only supported in the following regions: [{', '.join(_regions(partition))}]."
                )
            if kind == "Create":
                self._check_replica_create(table, region, body, members)
            elif region not in members:
                raise validation_error(
                    "Update global table operation failed because one or more replicas were not "
                    "part of the global table. Please retry the request without these replicas: "
                    f"[{region}]."
                )
            elif kind == "Update":
                _check_replica_update(body)
        return actions

    def _check_replica_create(
        self, table: Table, region: str, body: dict, members: list[str]
    ) -> None:
        there = self.cloud.backend("dynamodb", self.account_id, region)
        if region in members or table.name in there.tables:
            raise validation_error(REPLICA_ALREADY_EXISTS.format(name=table.name))
        if table.billing_mode == "PROVISIONED":
            raise validation_error(
                "Table write capacity should either be Pay-Per-Request or AutoScaled."
            )
        for member in ("ProvisionedThroughputOverride", "OnDemandThroughputOverride"):
            if member in body:
                raise UnsupportedOperation(
                    "dynamodb", "UpdateTable", f"replica {member} is not modelled yet"
                )
        if "GlobalSecondaryIndexes" in body:
            raise UnsupportedOperation(
                "dynamodb",
                "UpdateTable",
                "replica GlobalSecondaryIndexes overrides are not modelled",
            )
        customer_key = table.sse is not None and table.sse["KMSMasterKeyArn"] != (
            sse.managed_key_arn(self)
        )
        if customer_key and "KMSMasterKeyId" not in body:
            raise invalid("KMSMasterKeyId must be specified for each replica.")
        if "KMSMasterKeyId" in body and not customer_key:
            raise invalid(
                "All replica keys must either be Customer Managed CMK or AWS Managed CMK."
            )

    def _apply_replica_updates(
        self, table: Table, actions: list[tuple[str, str, dict]], now: float
    ) -> None:
        group = getattr(table, "replica_group", None)
        if group is None:
            group = ReplicaGroup(self.cloud, self.account_id, table.name, self.region)
            group.join(self.region, table)
        delay = self.cloud.settings.dynamodb.replica_delay
        for kind, region, body in actions:
            there = self.cloud.backend("dynamodb", self.account_id, region)
            if kind == "Create":
                self._ensure_stream(table, now)
                replica = there._replica_of(table, body, now)
                # the replica starts from the source's items and the versions they carry
                group.versions[region] = dict(group.versions.get(self.region, {}))
                group.status[region] = "CREATING"
                group.join(region, replica)
                table.status = "UPDATING"
                self.cloud.scheduler.call_later(delay, self._replica_created, group, region, table)
            elif kind == "Delete":
                group.status[region] = "DELETING"
                replica = group.table(region)
                if replica is not None:
                    replica.status = "DELETING"
                table.status = "UPDATING"
                self.cloud.scheduler.call_later(delay, self._replica_deleted, group, region, table)
            elif "TableClassOverride" in body:
                replica = group.table(region)
                if replica is not None:
                    replica.table_class = body["TableClassOverride"]

    def _ensure_stream(self, table: Table, now: float) -> None:
        """DynamoDB turns a NEW_AND_OLD_IMAGES stream on for replication if there is none."""
        from fakeaws.services.dynamodb.control import _enable_stream

        if not (table.stream_specification or {}).get("StreamEnabled"):
            _enable_stream(table, {"StreamViewType": "NEW_AND_OLD_IMAGES"}, now)
            self.stream_enabled(table, now)

    def _replica_of(self, source: Table, body: dict, now: float) -> Table:
        """This region's replica of ``source`` (another region's table), items included."""
        from fakeaws.services.dynamodb.control import _enable_stream

        table = Table(
            name=source.name,
            arn=self.arn(f"table/{source.name}"),
            table_id=self.cloud.new_request_id(),
            key_schema=source.key_schema,
            attribute_types=source.attribute_types,
            billing_mode=source.billing_mode,
            throughput=Throughput(),
            created=now,
        )
        for index in source.indexes.values():
            spec = {
                "IndexName": index.name,
                "KeySchema": [dict(k) for k in index.key_schema],
                "Projection": dict(index.projection),
            }
            copy = self._index(table, spec, index.kind)
            copy.status = "CREATING" if index.kind == "GSI" else "ACTIVE"
            table.add_index(copy)
        for item in source.items.items():
            table.write(table.key_of(item), item, None)
        self.tables[table.name] = table
        if source.stream_specification:
            _enable_stream(table, source.stream_specification, now)
            self.stream_enabled(table, now)
        if source.sse is not None:
            table.sse = sse.description(
                self,
                {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": body.get("KMSMasterKeyId")},
            )
        table.table_class = body.get("TableClassOverride", source.table_class)
        return table

    def _replica_created(self, group: ReplicaGroup, region: str, source: Table) -> None:
        if group.status.get(region) == "CREATING":
            group.status[region] = "ACTIVE"
        replica = group.table(region)
        if replica is not None and replica.status == "CREATING":
            replica.status = "ACTIVE"
            replica.active_since = self.cloud.clock.time()  # type: ignore[attr-defined]
            for index in replica.indexes.values():
                index.status = "ACTIVE"
        if source.status == "UPDATING":
            source.status = "ACTIVE"

    def _replica_deleted(self, group: ReplicaGroup, region: str, source: Table) -> None:
        replica = group.table(region)
        group.leave(region)
        if replica is not None:
            there = self.cloud.backend("dynamodb", self.account_id, region)
            there.stream_disabled(replica, self.cloud.clock.time())
            if there.tables.get(replica.name) is replica:
                del there.tables[replica.name]
        if source.status == "UPDATING":
            source.status = "ACTIVE"

    def _describe_replicas(self, table: Table, out: dict) -> None:
        """Add Replicas and GlobalTableVersion to a member's description."""
        group = getattr(table, "replica_group", None)
        if group is None:
            return
        others = [r for r in group.live() if r != self.region]
        if not others:
            return
        out["GlobalTableVersion"] = VERSION
        replicas = []
        for region in others:
            replica = group.table(region)
            entry: dict[str, Any] = {
                "RegionName": region,
                "ReplicaStatus": group.replica_status(region),
            }
            if replica is not None and replica.sse is not None:
                entry["KMSMasterKeyId"] = replica.sse["KMSMasterKeyArn"]
            gsis = [
                i.name for i in (replica.indexes.values() if replica else []) if i.kind == "GSI"
            ]
            if gsis:
                entry["GlobalSecondaryIndexes"] = [{"IndexName": name} for name in gsis]
            if replica is not None and replica.table_class != "STANDARD":
                entry["ReplicaTableClassSummary"] = {"TableClass": replica.table_class}
            replicas.append(entry)
        out["Replicas"] = replicas

    # -- legacy (2017.11.29) operations -----------------------------------------------------------
    def create_global_table(self, call: Call) -> dict:
        raise invalid(LEGACY_REFUSED)

    def update_global_table(self, call: Call) -> dict:
        p = call.params
        if any("Create" in u for u in p["ReplicaUpdates"]):
            raise invalid(LEGACY_REFUSED)
        if not p["ReplicaUpdates"]:
            raise validation_error("One or more parameter values were invalid")
        raise _no_global_table(p["GlobalTableName"])

    def describe_global_table(self, call: Call) -> dict:
        raise _no_global_table(call.params["GlobalTableName"])

    def list_global_tables(self, call: Call) -> dict:
        return {"GlobalTables": []}

    def describe_global_table_settings(self, call: Call) -> dict:
        raise _no_global_table(call.params["GlobalTableName"], prefix=False)

    def update_global_table_settings(self, call: Call) -> dict:
        raise _no_global_table(call.params["GlobalTableName"], prefix=False)


def _no_global_table(name: str, *, prefix: bool = True) -> AWSError:
    message = f"Global table with name: '{name}' does not exist."
    return AWSError(
        "GlobalTableNotFoundException", f"Global table not found: {message}" if prefix else message
    )


def _check_replica_update(body: dict) -> None:
    changes = [k for k in body if k != "RegionName"]
    if not changes:
        raise validation_error(
            "There are no actions specified in the Replica Update Action of the request."
        )
    unsupported = [k for k in changes if k != "TableClassOverride"]
    if unsupported:
        raise UnsupportedOperation(
            "dynamodb", "UpdateTable", f"replica {', '.join(unsupported)} updates are not modelled"
        )


def on_table_deleted(backend: Any, table: Table) -> None:
    """A regional DeleteTable of a member: the others list it DELETING, then forget it."""
    group = getattr(table, "replica_group", None)
    if group is not None:
        group.status[backend.region] = "DELETING"
