"""DynamoDB control plane: create, describe, list, update and delete tables; tags.

The checks a request gets before any table is looked up live in ``validation``;
the ones here need the table. Every message is DynamoDB's own (sources in
``validation``'s docstring), and the checks run in DynamoDB's order.

Asynchronous changes (CREATING, UPDATING, DELETING, an index's resource
allocation and backfill) land after ``cloud.settings.dynamodb.table_delay``
virtual seconds each (0: before the next call). A rejected request changes nothing.

Encryption settings are ``sse``'s, replicas (ReplicaUpdates) ``global_tables``'s,
restore summaries ``backups``'s; a deleted table leaves its PITR SYSTEM backup
(``pitr``) and its replica group (``global_tables``).

LIMITATIONS: multi-attribute GSI keys, on-demand and warm throughput and
resource policies are refused loudly; the daily limits
(4 throughput decreases, 2 table-class changes) are not enforced.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, UnsupportedOperation, validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb import consistency, pitr, sse
from fakeaws.services.dynamodb import global_tables as replicas
from fakeaws.services.dynamodb.backups import restore_summary
from fakeaws.services.dynamodb.table import Index, Table, Throughput
from fakeaws.services.dynamodb.validation import (
    MAX_GSIS,
    Constraints,
    check_create_table,
    check_defined,
    check_gsi_key,
    check_projection,
    check_update_table,
    invalid,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call

MAX_TAGS = 50

NOT_MODELLED = (
    "OnDemandThroughput",
    "WarmThroughput",
    "ResourcePolicy",
    "GlobalTableSourceArn",
    "GlobalTableWitnessUpdates",
    "GlobalTableSettingsReplicationMode",
    "MultiRegionConsistency",
)
ONE_INDEX_AT_A_TIME = (
    "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
    "per table"
)


def table_resource(backend: Any, call: Call) -> list[str]:
    """The table ARN an operation acts on (IAM resource), from TableName or an ARN."""
    name = call.params.get("TableName") or call.params.get("ResourceArn", "*")
    if name.startswith("arn:"):
        return [name]
    return [backend.arn(f"table/{name}")]


class ControlPlane:
    """Mixin of DynamoDBBackend: table lifecycle and tags."""

    tables: dict[str, Table]
    cloud: Any

    arn: Callable[[str], str]  # from Backend
    stream_enabled: Callable[[Table, float], Any]  # from StreamsOwner
    stream_disabled: Callable[[Table, float], None]

    # -- lookup ----------------------------------------------------------------------
    def _table_name(self, name_or_arn: str) -> str:
        if name_or_arn.startswith("arn:"):
            return name_or_arn.rsplit("table/", 1)[-1].split("/", 1)[0]
        return name_or_arn

    def table(self, name_or_arn: str) -> Table:
        """A table the data plane can use (ACTIVE or UPDATING), or AWS's not-found error."""
        table = self.tables.get(self._table_name(name_or_arn))
        if table is None or table.status in ("CREATING", "DELETING"):
            raise AWSError("ResourceNotFoundException", "Requested resource not found")
        cloud = self.cloud
        consistency.sync(table, cloud.settings.dynamodb, cloud.scheduler, cloud.random)
        return table

    def _described_table(self, name_or_arn: str) -> Table:
        """The table a control-plane call names, in any status, or AWS's not-found error."""
        if not name_or_arn.startswith("arn:"):
            c = Constraints()
            c.name(name_or_arn, "tableName")
            c.raise_any()
        name = self._table_name(name_or_arn)
        table = self.tables.get(name)
        if table is None:
            raise AWSError(
                "ResourceNotFoundException",
                f"Requested resource not found: Table: {name} not found",
            )
        return table

    def _current(self, table: Table) -> bool:
        return self.tables.get(table.name) is table

    def _description(self, table: Table) -> dict:
        """A TableDescription: the table's own, with its restore summary and replicas."""
        out = table.describe()
        summary = restore_summary(table)
        if summary is not None:
            out["RestoreSummary"] = summary
        self._describe_replicas(table, out)
        return out

    # -- operations ------------------------------------------------------------------
    @permission(resources=table_resource)
    def create_table(self, call: Call) -> dict:
        p = call.params
        check_create_table(p)
        sse.check(p.get("SSESpecification"))
        _refuse_unmodelled(p, "CreateTable")
        name = p["TableName"]
        if name in self.tables:
            raise AWSError("ResourceInUseException", f"Table already exists: {name}")
        tags = {t["Key"]: t["Value"] for t in p.get("Tags", [])}
        if len(tags) > MAX_TAGS:
            raise validation_error(TOO_MANY_TAGS)
        table = Table(
            name=name,
            arn=self.arn(f"table/{name}"),
            table_id=self.cloud.new_request_id(),
            key_schema=p["KeySchema"],
            attribute_types={
                a["AttributeName"]: a["AttributeType"] for a in p["AttributeDefinitions"]
            },
            billing_mode=p.get("BillingMode", "PROVISIONED"),
            throughput=_throughput(p.get("ProvisionedThroughput")),
            created=call.time,
        )
        for spec in p.get("LocalSecondaryIndexes", []):
            table.add_index(self._index(table, spec, "LSI"))
        for spec in p.get("GlobalSecondaryIndexes", []):
            index = self._index(table, spec, "GSI")
            index.status = "CREATING"
            table.add_index(index)
        if p.get("StreamSpecification", {}).get("StreamEnabled"):
            _enable_stream(table, p["StreamSpecification"], call.time)
            self.stream_enabled(table, call.time)
        table.deletion_protection = p.get("DeletionProtectionEnabled", False)
        table.table_class = p.get("TableClass", "STANDARD")
        table.sse = sse.description(self, p.get("SSESpecification"))
        table.tags = tags
        self.tables[name] = table
        self._later(self._created, table)
        return {"TableDescription": self._description(table)}

    @permission(resources=table_resource)
    def describe_table(self, call: Call) -> dict:
        return {"Table": self._description(self._described_table(call.params["TableName"]))}

    def list_tables(self, call: Call) -> dict:
        p = call.params
        limit, start = p.get("Limit", 100), p.get("ExclusiveStartTableName")
        c = Constraints()
        c.at_most(limit, "limit", 100)
        c.name(start, "exclusiveStartTableName")
        c.raise_any()
        names = sorted(n for n in self.tables if start is None or n > start)
        out: dict[str, Any] = {"TableNames": names[:limit]}
        if len(names) > limit:
            out["LastEvaluatedTableName"] = names[limit - 1]
        return out

    @permission(resources=table_resource)
    def delete_table(self, call: Call) -> dict:
        table = self._described_table(call.params["TableName"])
        if table.deletion_protection:
            raise validation_error(
                "Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first."
            )
        if table.status in ("CREATING", "DELETING"):
            raise _still_in_use(table)
        if any(i.status != "ACTIVE" for i in table.indexes.values()):
            raise _in_use(
                "Cannot delete table while indexes are being created, updated, or deleted."
            )
        if table.status == "UPDATING":
            raise _in_use(f"Table: {table.name} is in the process of being updated.")
        table.status = "DELETING"
        self.stream_disabled(table, call.time)  # its stream stays readable for 24 hours
        pitr.on_table_deleted(self, table, call.time)
        replicas.on_table_deleted(self, table)
        self._later(self._dropped, table)
        return {"TableDescription": self._description(table)}

    @permission(resources=table_resource)
    def update_table(self, call: Call) -> dict:
        p, now = call.params, call.time
        changes = check_update_table(p)
        table = self._described_table(p["TableName"])
        # while UPDATING, DynamoDB still takes a change of deletion protection or encryption
        if table.status != "ACTIVE" and (
            table.status != "UPDATING"
            or changes not in (["DeletionProtectionEnabled"], ["SSESpecification"])
        ):
            raise _still_in_use(table)
        billing = p.get("BillingMode", table.billing_mode)
        updates = p.get("GlobalSecondaryIndexUpdates", [])
        _check_throughput(table, p, billing)
        _check_index_updates(table, p, billing)
        _check_stream(table, p.get("StreamSpecification"))
        replica_actions = self._plan_replica_updates(table, p)
        encryption = None
        if "SSESpecification" in p:
            encryption = sse.check_update(self, table.sse, p["SSESpecification"])
        _refuse_unmodelled(p, "UpdateTable")
        if replica_actions is not None:  # ReplicaUpdates come alone
            self._apply_replica_updates(table, replica_actions, now)
            return {"TableDescription": self._description(table)}

        # Every check passed: apply. Throughput changes show once UPDATING is over.
        busy, deferred = False, []
        switching = billing != table.billing_mode
        if switching:
            _switch_billing(table, billing, p, now)
            busy = True
        elif "ProvisionedThroughput" in p:
            new = _changed(table.throughput, p["ProvisionedThroughput"], now)
            deferred.append((table, "throughput", new))
            busy = True
        for update in updates:
            if "Create" in update:
                index = self._add_index(table, update["Create"], p)
                self._later(self._index_allocated, table, index)
                busy = True
            elif "Delete" in update:
                index = table.indexes[update["Delete"]["IndexName"]]
                index.status = "DELETING"
                self._later(self._index_deleted, table, index)
                busy = True
            else:
                self._update_index(table, update["Update"], switching, now, deferred)
        if "StreamSpecification" in p:
            spec = p["StreamSpecification"]
            if spec["StreamEnabled"]:
                _enable_stream(table, spec, now)
                self.stream_enabled(table, now)
            else:
                table.stream_specification = None
                self.stream_disabled(table, now)
            busy = True
        if "TableClass" in p:
            deferred.append((table, "table_class", p["TableClass"]))
            busy = True
        if "DeletionProtectionEnabled" in p:
            table.deletion_protection = p["DeletionProtectionEnabled"]
        if "SSESpecification" in p:  # the table stays ACTIVE; its SSEDescription is UPDATING
            table.sse = dict(encryption or table.sse or {}, Status="UPDATING")
            deferred.append((table, "sse", encryption))
        if busy:
            table.status = "UPDATING"
        if busy or deferred:
            self._later(self._updated, table, deferred)
        return {"TableDescription": self._description(table)}

    # -- tags ------------------------------------------------------------------------------
    def _tagged(self, arn: str) -> Table:
        _check_arn(arn)
        table = self.tables.get(self._table_name(arn))
        if table is None or table.arn != arn:
            raise AWSError(
                "ResourceNotFoundException",
                f"Requested resource not found: ResourcArn: {arn} not found",
            )
        return table

    @permission(resources=table_resource)
    def tag_resource(self, call: Call) -> dict:
        p = call.params
        _check_arn(p["ResourceArn"])
        if not p["Tags"]:
            raise validation_error("Atleast one Tag needs to be provided as Input.")
        table = self._tagged(p["ResourceArn"])
        tags = {**table.tags, **{t["Key"]: t["Value"] for t in p["Tags"]}}
        if len(tags) > MAX_TAGS:
            raise validation_error(TOO_MANY_TAGS)
        table.tags = tags
        return {}

    @permission(resources=table_resource)
    def untag_resource(self, call: Call) -> dict:
        p = call.params
        _check_arn(p["ResourceArn"])
        if not p["TagKeys"]:
            raise validation_error("Atleast one Tag Key needs to be provided as Input.")
        table = self._tagged(p["ResourceArn"])
        for key in p["TagKeys"]:
            table.tags.pop(key, None)
        return {}

    @permission(resources=table_resource)
    def list_tags_of_resource(self, call: Call) -> dict:
        table = self._tagged(call.params["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in table.tags.items()]}

    # -- building ------------------------------------------------------------------------
    def _index(self, table: Table, spec: dict, kind: str) -> Index:
        return Index(
            name=spec["IndexName"],
            kind=kind,
            arn=f"{table.arn}/index/{spec['IndexName']}",
            key_schema=spec["KeySchema"],
            projection=spec["Projection"],
            table_keys=table.key_attributes,
            throughput=_throughput(spec.get("ProvisionedThroughput")) if kind == "GSI" else None,
        )

    def _add_index(self, table: Table, spec: dict, p: dict) -> Index:
        """A GSI created by UpdateTable, backfilled from the items whose keys fit it."""
        declared = {a["AttributeName"]: a["AttributeType"] for a in p["AttributeDefinitions"]}
        keys = [k["AttributeName"] for k in spec["KeySchema"]]
        for key in keys:
            table.attribute_types.setdefault(key, declared[key])
        index = self._index(table, spec, "GSI")
        index.status, index.backfilling = "CREATING", False
        index.throttle_origin = self.cloud.clock.time()
        table.add_index(index)  # items whose index key it cannot hold are left out
        return index

    def _update_index(
        self, table: Table, spec: dict, switching: bool, now: float, deferred: list
    ) -> None:
        """A GSI's new throughput: shown at once in a billing switch, else once it lands."""
        index = table.indexes[spec["IndexName"]]
        index.status = "UPDATING"
        deferred.append((index, "status", "ACTIVE"))
        new = spec["ProvisionedThroughput"]
        if switching:
            index.throughput = _throughput(new)
        else:
            deferred.append((index, "throughput", _changed(index.throughput, new, now)))

    # -- asynchronous ends ----------------------------------------------------------------
    def _later(self, method: Any, *args: Any) -> None:
        delay = self.cloud.settings.dynamodb.table_delay
        self.cloud.scheduler.call_later(delay, method, *args)

    def _created(self, table: Table) -> None:
        if self._current(table) and table.status == "CREATING":
            table.status = "ACTIVE"
            table.active_since = self.cloud.clock.time()  # type: ignore[attr-defined]
            for index in table.indexes.values():
                index.status = "ACTIVE"

    def _updated(self, table: Table, deferred: list[tuple[Any, str, Any]]) -> None:
        for target, attribute, value in deferred:
            setattr(target, attribute, value)
        if table.status == "UPDATING":
            table.status = "ACTIVE"

    def _index_allocated(self, table: Table, index: Index) -> None:
        """Resource allocation is over: the table is ACTIVE, the index backfills."""
        if table.status == "UPDATING":
            table.status = "ACTIVE"
        if table.indexes.get(index.name) is index and index.status == "CREATING":
            index.backfilling = True
            self._later(self._index_backfilled, table, index)

    def _index_backfilled(self, table: Table, index: Index) -> None:
        if table.indexes.get(index.name) is index and index.status == "CREATING":
            index.status, index.backfilling = "ACTIVE", None

    def _index_deleted(self, table: Table, index: Index) -> None:
        if table.indexes.get(index.name) is index:
            del table.indexes[index.name]
            # DynamoDB forgets the definitions no key uses any more
            used = {*table.key_attributes}
            used.update(k["AttributeName"] for i in table.indexes.values() for k in i.key_schema)
            table.attribute_types = {n: t for n, t in table.attribute_types.items() if n in used}
        if table.status == "UPDATING":
            table.status = "ACTIVE"

    def _dropped(self, table: Table) -> None:
        if self._current(table) and table.status == "DELETING":
            del self.tables[table.name]


# -- helpers ----------------------------------------------------------------------------------

TOO_MANY_TAGS = "Number of Tags exceed the current limit for the provided ResourceArn"


def _in_use(detail: str) -> AWSError:
    return AWSError(
        "ResourceInUseException", f"Attempt to change a resource which is still in use: {detail}"
    )


def _still_in_use(table: Table) -> AWSError:
    verb = {"CREATING": "created", "DELETING": "deleted"}.get(table.status, "updated")
    return _in_use(f"Table is being {verb}: {table.name}")


def _will_not_change(what: str, owner: str, old: Throughput, new: dict) -> AWSError:
    return validation_error(
        f"The provisioned throughput for {what} will not change. The requested value equals "
        f"the current value. Current ReadCapacityUnits provisioned for {owner}: {old.read}. "
        f"Requested ReadCapacityUnits: {new['ReadCapacityUnits']}. Current WriteCapacityUnits "
        f"provisioned for {owner}: {old.write}. Requested WriteCapacityUnits: "
        f"{new['WriteCapacityUnits']}. Refer to the Amazon DynamoDB Developer Guide for current "
        "limits and how to request higher limits."
    )


def _check_arn(arn: str) -> None:
    if not arn.startswith("arn:"):
        raise invalid(f"ARNs must start with 'arn:': {arn}")
    if "/index/" in arn:
        raise invalid(
            "Invalid resource arn provided, only table or stream is accepted. "
            f"Provided resource arn: {arn}"
        )


def _refuse_unmodelled(p: dict, operation: str) -> None:
    """Settings fakeaws does not model fail loudly instead of being ignored."""
    for member in NOT_MODELLED:
        value = p.get(member)
        if value is not None:
            raise UnsupportedOperation("dynamodb", operation, f"{member} is not modelled yet")


def _type_of(value: dict) -> str:
    return next(iter(value))


# -- UpdateTable ------------------------------------------------------------------------------


def _check_throughput(table: Table, p: dict, billing: str) -> None:
    new = p.get("ProvisionedThroughput")
    if billing == "PAY_PER_REQUEST":
        if new is not None:
            raise invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                "BillingMode is PAY_PER_REQUEST"
            )
        return
    if new is None:
        if "BillingMode" in p:
            raise invalid("ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
        return
    if table.billing_mode == "PROVISIONED" and _same(table.throughput, new):
        raise _will_not_change("the table", "the table", table.throughput, new)
    if table.billing_mode == "PAY_PER_REQUEST":  # every GSI needs its throughput too
        given = {
            u["Update"]["IndexName"]
            for u in p.get("GlobalSecondaryIndexUpdates", [])
            if "ProvisionedThroughput" in u.get("Update", {})
        }
        missing = [
            i.name for i in table.indexes.values() if i.kind == "GSI" and i.name not in given
        ]
        if missing:
            raise invalid(f"ProvisionedThroughput must be specified for index: {','.join(missing)}")


def _check_index_updates(table: Table, p: dict, billing: str) -> None:
    updates = p.get("GlobalSecondaryIndexUpdates", [])
    jobs = [u for u in updates if "Create" in u or "Delete" in u]
    busy = [i for i in table.indexes.values() if i.status in ("CREATING", "DELETING")]
    if len(jobs) > 1 or (jobs and busy):
        raise AWSError("LimitExceededException", ONE_INDEX_AT_A_TIME)
    for update in updates:
        if "Create" in update:
            _check_index_create(table, update["Create"], p, billing)
        elif "Delete" in update:
            _existing_gsi(table, update["Delete"]["IndexName"], "delete")
        else:
            spec = update["Update"]
            index = _existing_gsi(table, spec["IndexName"], "update")
            if "ProvisionedThroughput" not in spec:
                raise UnsupportedOperation(
                    "dynamodb",
                    "UpdateTable",
                    "OnDemandThroughput and WarmThroughput of an index are not modelled yet",
                )
            if billing == "PAY_PER_REQUEST":
                raise invalid(
                    f"The only Updates for index: {index.name} when TableThroughputMode is "
                    "PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput"
                )
            if table.billing_mode == "PROVISIONED" and _same(
                index.throughput, spec["ProvisionedThroughput"]
            ):
                raise _will_not_change(
                    f"the index {index.name}",
                    f"index {index.name}",
                    index.throughput,
                    spec["ProvisionedThroughput"],
                )


def _check_index_create(table: Table, spec: dict, p: dict, billing: str) -> None:
    name = spec["IndexName"]
    if "AttributeDefinitions" not in p:
        raise invalid(f"AttributeDefinitions is not specified for index: {name}")
    defined = [a["AttributeName"] for a in p["AttributeDefinitions"]]
    check_defined([k["AttributeName"] for k in spec["KeySchema"]], defined)
    check_gsi_key(spec["KeySchema"], "UpdateTable")
    check_projection(spec["Projection"])
    if billing == "PAY_PER_REQUEST" and "ProvisionedThroughput" in spec:
        raise invalid(
            f"Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: {name} "
            "when BillingMode is PAY_PER_REQUEST"
        )
    if billing == "PROVISIONED" and "ProvisionedThroughput" not in spec:
        raise invalid(
            f"Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: {name}"
        )
    if name in table.indexes:
        raise validation_error("Attempting to create an index which already exists")
    if sum(i.kind == "GSI" for i in table.indexes.values()) >= MAX_GSIS:
        raise AWSError(
            "LimitExceededException",
            "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table "
            f"limit of {MAX_GSIS}",
        )


def _existing_gsi(table: Table, name: str, verb: str) -> Index:
    index = table.indexes.get(name)
    if index is None:
        raise AWSError(
            "ResourceNotFoundException",
            f"Requested resource not found: Index {name} for table {table.name}",
        )
    if index.kind != "GSI":
        raise validation_error(f"Cannot {verb} an index that is not a GlobalSecondaryIndex: {name}")
    if index.status == "DELETING":
        raise _in_use(f"Index is being deleted. Table: {table.name} Index: {name}")
    return index


def _check_stream(table: Table, spec: dict | None) -> None:
    if spec is None:
        return
    if spec["StreamEnabled"] and table.stream_specification:
        raise validation_error(f"Table already has an enabled stream: TableName: {table.name}")
    if not spec["StreamEnabled"] and not table.stream_specification:
        raise validation_error(f"Table has no stream to disable: TableName: {table.name}")


def _switch_billing(table: Table, billing: str, p: dict, now: float) -> None:
    """A billing-mode switch shows at once (the table stays UPDATING a while)."""
    table.billing_mode = billing
    if billing == "PAY_PER_REQUEST":
        table.billing_mode_updated = now
        table.throughput = Throughput()
        for index in table.indexes.values():
            if index.kind == "GSI":
                index.throughput = Throughput()
    else:
        table.throughput = _throughput(p["ProvisionedThroughput"])
        # the token buckets start afresh, accumulating from the switch
        table.throttle_origin, table.read_bucket, table.write_bucket = now, None, None
        for index in table.indexes.values():
            index.throttle_origin, index.read_bucket, index.write_bucket = now, None, None


def _enable_stream(table: Table, spec: dict, now: float) -> None:
    table.stream_specification = {"StreamEnabled": True, "StreamViewType": spec["StreamViewType"]}
    # each stream is named after the time it was enabled, to the millisecond (UTC)
    enabled = datetime.fromtimestamp(now, timezone.utc).replace(tzinfo=None)
    table.stream_label = enabled.isoformat(timespec="milliseconds")


# -- throughput -------------------------------------------------------------------------------


def _throughput(spec: dict | None) -> Throughput:
    if spec is None:
        return Throughput()
    return Throughput(read=spec["ReadCapacityUnits"], write=spec["WriteCapacityUnits"])


def _same(old: Throughput | None, new: dict) -> bool:
    old = old or Throughput()
    return (old.read, old.write) == (new["ReadCapacityUnits"], new["WriteCapacityUnits"])


def _changed(old: Throughput, new: dict, now: float) -> Throughput:
    """The throughput once the change has landed; ``old`` shows the change's time meanwhile."""
    read, write = new["ReadCapacityUnits"], new["WriteCapacityUnits"]
    if read > old.read or write > old.write:
        old.last_increase = now
    if read < old.read or write < old.write:
        old.last_decrease = now
        decreases = old.decreases_today + 1
    else:
        decreases = old.decreases_today
    return Throughput(read, write, old.last_increase, old.last_decrease, decreases)
