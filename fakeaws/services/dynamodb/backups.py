"""On-demand backups and restores: CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
RestoreTableFromBackup; the restore machinery point-in-time recovery shares.

A backup is a deep, independent copy of a table's items and of the settings a
backup records, taken when CreateBackup is called: later writes, deletes and
even the table's deletion do not touch it (backups outlive their table and span
same-name recreations; only ``SourceTableDetails.TableId`` tells incarnations
apart). It answers ``CREATING`` in the CreateBackup response and is
``AVAILABLE`` after ``backup_delay`` virtual seconds (0: before the next call;
AWS takes ~50 ms for a small table). A restore is a new table, ``CREATING``
for ``restore_delay`` seconds (data-plane calls get ResourceNotFoundException
meanwhile, as on AWS), with a ``RestoreSummary`` in its description; a backup
feeds one restore at a time.

What a backup records (DDB-BACKUP-009): keys and attribute definitions, billing
mode and throughput, LSIs and GSIs, the stream, TTL and SSE settings. Not tags,
PITR, table class, deletion protection or resource policy, so a restored table
is STANDARD, unprotected, untagged and without stream, TTL or PITR.

Sources: behaviour and messages are DynamoDB's as the ack-api-quirks lab
recorded them live (backup.md: DDB-BACKUP-001 TableNotFoundException 'Table
not found: <name>' for a missing or CREATING table, 002 'Backups are being
enabled for the table: <name>. Please retry later', 003 the CREATING ->
AVAILABLE timing, 004/009 the shapes, 010 BackupInUseException 'Backup is being
used to restore another table: <arn>' / 'Backup is being used to restore
table: <arn>', 011 names are not unique, 012 ARN matching and 'Invalid Backup
ARN' / 'Access is denied', 014 ListBackups filters, 015 SYSTEM backups of
deleted PITR tables, 016 backups outlive tables; the message catalogue
DDB-TABLE-442 for the restore overrides: 'Invalid Request: Index <IDX> does not
match a secondary index that existed in the source table and cannot be created
during the restore operation', 'Cannot override ProvisionedThroughput if
BillingMode is overridden to PAY_PER_REQUEST', 'Cannot override
ProvisionedThroughput unless BillingMode is PROVISIONED', 'Must override
ProvisionedThroughput if BillingMode is overridden to PROVISIONED', 'Must
specify provisioned throughput for index <IDX>', 'User is not allowed to delete
the system backup with arn <ARN>. It will automatically expire on <TS>', 'Time
range lower bound must be less than or equal to upper bound'), and
'TableAlreadyExistsException: Table already exists: <name>' (DDB-TABLE-100).

LIMITATIONS: no per-account limits (50 concurrent restores...) nor the
DescribeBackup/ListBackups rate limits; BackupSizeBytes and ItemCount are live
(AWS copies its lagging table statistics); cross-region restores are not
modelled; OnDemandThroughputOverride is refused loudly.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from botocore.utils import parse_to_aware_datetime

from fakeaws.errors import AWSError, UnsupportedOperation, validation_error
from fakeaws.services.base import permission
from fakeaws.services.dynamodb import sse
from fakeaws.services.dynamodb.storage import Item
from fakeaws.services.dynamodb.table import Table, Throughput
from fakeaws.services.dynamodb.validation import Constraints, invalid

if TYPE_CHECKING:
    from fakeaws.calls import Call

SYSTEM_BACKUP_DAYS = 35
_BACKUP_ARN = re.compile(
    r"arn:([a-z-]+):dynamodb:([a-z0-9-]*):(\d{12}):table/([a-zA-Z0-9_.-]+)/backup/([0-9]+-[0-9a-f]+)"
)


def epoch(value: Any) -> float:
    """A request timestamp as the epoch seconds boto3 puts on the wire (whole seconds)."""
    moment = value if isinstance(value, datetime) else parse_to_aware_datetime(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return float(int(moment.timestamp()))


def dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def request_error(message: str) -> AWSError:
    return validation_error(f"Invalid Request: {message}")


# -- what a backup keeps ----------------------------------------------------------------------


class TableImage:
    """A table's settings as a backup records them, and what a restore builds from."""

    def __init__(self, table: Table) -> None:
        self.name = table.name
        self.arn = table.arn
        self.table_id = table.table_id
        self.created = table.created
        self.key_schema = [dict(k) for k in table.key_schema]
        self.attribute_types = dict(table.attribute_types)
        self.billing_mode = table.billing_mode
        self.throughput = (table.throughput.read, table.throughput.write)
        self.size_bytes = table.size_bytes()
        self.item_count = len(table.items)
        self.lsis: list[dict] = []
        self.gsis: list[dict] = []
        for index in table.indexes.values():
            if index.status == "DELETING":
                continue
            spec = {
                "IndexName": index.name,
                "KeySchema": [dict(k) for k in index.key_schema],
                "Projection": copy.deepcopy(index.projection),
            }
            if index.kind == "GSI":
                spec["ProvisionedThroughput"] = {
                    "ReadCapacityUnits": index.throughput.read if index.throughput else 0,
                    "WriteCapacityUnits": index.throughput.write if index.throughput else 0,
                }
                self.gsis.append(spec)
            else:
                self.lsis.append(spec)
        self.stream = dict(table.stream_specification) if table.stream_specification else None
        self.ttl = _ttl_description(table)
        self.sse = dict(table.sse, Status="ENABLED") if table.sse else None

    def source_details(self) -> dict:
        read, write = self.throughput
        return {
            "TableName": self.name,
            "TableId": self.table_id,
            "TableArn": self.arn,
            "TableSizeBytes": self.size_bytes,
            "KeySchema": [dict(k) for k in self.key_schema],
            "TableCreationDateTime": dt(self.created),
            "ProvisionedThroughput": {"ReadCapacityUnits": read, "WriteCapacityUnits": write},
            "ItemCount": self.item_count,
            "BillingMode": self.billing_mode,
        }

    def feature_details(self) -> dict:
        out: dict[str, Any] = {}
        if self.lsis:
            out["LocalSecondaryIndexes"] = [_info(s, lsi=True) for s in self.lsis]
        if self.gsis:
            out["GlobalSecondaryIndexes"] = [_info(s, lsi=False) for s in self.gsis]
        if self.stream:
            out["StreamDescription"] = dict(self.stream)
        if self.ttl:
            out["TimeToLiveDescription"] = dict(self.ttl)
        if self.sse:
            out["SSEDescription"] = dict(self.sse)
        return out


def _info(spec: dict, *, lsi: bool) -> dict:
    out = {
        "IndexName": spec["IndexName"],
        "KeySchema": [dict(k) for k in spec["KeySchema"]],
        "Projection": copy.deepcopy(spec["Projection"]),
    }
    if not lsi:
        out["ProvisionedThroughput"] = dict(spec["ProvisionedThroughput"])
    return out


def _ttl_description(table: Table) -> dict | None:
    """The table's TimeToLiveDescription when TTL is on (see ``ttl``)."""
    attribute = getattr(table, "ttl_attribute", None)
    if attribute is None:
        return None
    return {"TimeToLiveStatus": "ENABLED", "AttributeName": attribute}


class Backup:
    def __init__(
        self,
        *,
        arn: str,
        name: str,
        kind: str,
        created: float,
        image: TableImage,
        items: list[Item],
        expires: float | None = None,
    ) -> None:
        self.arn = arn
        self.name = name
        self.kind = kind  # USER or SYSTEM
        self.created = created
        self.image = image
        self.items = items
        self.expires = expires
        self.status = "CREATING" if kind == "USER" else "AVAILABLE"
        self.restoring: Table | None = None  # the table a restore is building from it

    @property
    def backup_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    def in_use(self) -> bool:
        return self.restoring is not None and self.restoring.status == "CREATING"

    def details(self, arn: str | None = None) -> dict:
        out = {
            "BackupArn": arn or self.arn,
            "BackupName": self.name,
            "BackupSizeBytes": self.image.size_bytes,
            "BackupStatus": self.status,
            "BackupType": self.kind,
            "BackupCreationDateTime": dt(self.created),
        }
        if self.expires is not None:
            out["BackupExpiryDateTime"] = dt(self.expires)
        return out

    def description(self, arn: str | None = None) -> dict:
        return {
            "BackupDetails": self.details(arn),
            "SourceTableDetails": self.image.source_details(),
            "SourceTableFeatureDetails": (
                self.image.feature_details() if self.kind == "USER" else {}
            ),
        }

    def summary(self) -> dict:
        out = {
            "TableName": self.image.name,
            "TableId": self.image.table_id,
            "TableArn": self.image.arn,
            **self.details(),
        }
        return out


# -- the mixin --------------------------------------------------------------------------------


def _backup_resource(backend: Any, call: Call) -> list[str]:
    p = call.params
    if "BackupArn" in p:
        return [p["BackupArn"]]
    name = p.get("TableName") or p.get("TargetTableName") or "*"
    return [name if name.startswith("arn:") else backend.arn(f"table/{name}")]


class Backups:
    """Mixin of DynamoDBBackend: on-demand backups and the restores of tables."""

    tables: dict[str, Table]
    backups: dict[tuple[str, str], Backup]
    cloud: Any
    account_id: str
    region: str
    arn: Callable[[str], str]
    _table_name: Callable[[str], str]
    _index: Callable[..., Any]
    _description: Callable[[Table], dict]

    # -- lookups ---------------------------------------------------------------------------
    def _backup_source(self, name_or_arn: str) -> Table:
        """The table a backup or PITR call names: missing and CREATING tables are not found."""
        name = self._table_name(name_or_arn)
        table = self.tables.get(name)
        if table is None or table.status == "CREATING":
            raise AWSError("TableNotFoundException", f"Table not found: {name}")
        return table

    def _check_backups_enabled(self, table: Table) -> None:
        """AWS enables a new table's backups a few seconds after it turns ACTIVE."""
        delay = self.cloud.settings.dynamodb.backups_enabling_delay
        active_since = getattr(table, "active_since", None)
        if delay and active_since is not None and self.cloud.clock.time() < active_since + delay:
            raise AWSError(
                "ContinuousBackupsUnavailableException",
                f"Backups are being enabled for the table: {table.name}. Please retry later",
            )

    def _backup(self, arn: str) -> Backup:
        match = _BACKUP_ARN.fullmatch(arn)
        if match is None:
            if arn.startswith("arn:") and "/backup/" in arn:
                raise request_error("BackupArn is not valid")
            raise validation_error("Invalid Backup ARN")
        partition, region, account, table_name, backup_id = match.groups()
        if partition != self.arn("").split(":")[1] or not region:
            raise request_error("BackupArn is not valid")
        if account != self.account_id:
            raise AWSError("AccessDeniedException", "Access is denied")
        # DynamoDB ignores the ARN's region (DDB-BACKUP-012): table name and id identify it
        backup = self.backups.get((table_name, backup_id))
        if backup is None:
            raise AWSError("BackupNotFoundException", f"Backup not found: {arn}")
        return backup

    # -- operations ------------------------------------------------------------------------
    @permission(resources=_backup_resource)
    def create_backup(self, call: Call) -> dict:
        p = call.params
        table = self._backup_source(p["TableName"])
        self._check_backups_enabled(table)
        backup = self._take_backup(table, p["BackupName"], "USER", call.time)
        delay = self.cloud.settings.dynamodb.backup_delay
        self.cloud.scheduler.call_later(delay, self._backup_available, backup)
        return {"BackupDetails": backup.details()}

    def _take_backup(self, table: Table, name: str, kind: str, now: float) -> Backup:
        hex_id = self.cloud.new_request_id()[:8] if kind == "USER" else "00000000"
        backup_id = f"{int(now * 1000):014d}-{hex_id}"
        backup = Backup(
            arn=f"{table.arn}/backup/{backup_id}",
            name=name,
            kind=kind,
            created=int(now * 1000) / 1000,
            image=TableImage(table),
            items=copy.deepcopy(list(table.items.items())),
            expires=now + SYSTEM_BACKUP_DAYS * 86400 if kind == "SYSTEM" else None,
        )
        self.backups[(table.name, backup_id)] = backup
        return backup

    def _backup_available(self, backup: Backup) -> None:
        if backup.status == "CREATING":
            backup.status = "AVAILABLE"

    def system_backup(self, table: Table, now: float) -> None:
        """The backup DynamoDB keeps 35 days when a table with PITR on is deleted."""
        backup = self._take_backup(table, f"{table.name}$DeletedTableBackup", "SYSTEM", now)
        self.cloud.scheduler.call_later(SYSTEM_BACKUP_DAYS * 86400, self._backup_expired, backup)

    def _backup_expired(self, backup: Backup) -> None:
        key = (backup.image.name, backup.backup_id)
        if self.backups.get(key) is backup:
            del self.backups[key]

    @permission(resources=_backup_resource)
    def describe_backup(self, call: Call) -> dict:
        arn = call.params["BackupArn"]
        return {"BackupDescription": self._backup(arn).description(arn)}

    @permission(resources=_backup_resource)
    def delete_backup(self, call: Call) -> dict:
        arn = call.params["BackupArn"]
        backup = self._backup(arn)
        if backup.kind == "SYSTEM":
            expiry = dt(backup.expires or 0).strftime("%a %b %d %H:%M:%S UTC %Y")
            raise request_error(
                f"User is not allowed to delete the system backup with arn {backup.arn}. "
                f"It will automatically expire on {expiry}"
            )
        if backup.in_use():
            raise AWSError(
                "BackupInUseException", f"Backup is being used to restore table: {backup.arn}"
            )
        del self.backups[(backup.image.name, backup.backup_id)]
        backup.status = "DELETED"
        return {"BackupDescription": backup.description(arn)}

    @permission(resources=_backup_resource)
    def list_backups(self, call: Call) -> dict:
        p = call.params
        kind = p.get("BackupType", "USER")
        c = Constraints()
        c.enum(kind, "backupType", ["USER", "SYSTEM", "AWS_BACKUP", "ALL"])
        c.at_most(p.get("Limit"), "limit", 100)
        c.raise_any()
        lower = epoch(p["TimeRangeLowerBound"]) if "TimeRangeLowerBound" in p else None
        upper = epoch(p["TimeRangeUpperBound"]) if "TimeRangeUpperBound" in p else None
        if lower is not None and upper is not None and lower > upper:
            raise invalid("Time range lower bound must be less than or equal to upper bound")
        after = None
        if "ExclusiveStartBackupArn" in p:
            match = _BACKUP_ARN.fullmatch(p["ExclusiveStartBackupArn"])
            if match is None:
                raise validation_error("Invalid Backup ARN")
            if match.group(2) != self.region:
                raise request_error(
                    "The supplied ExclusiveStartBackupArn does not match the region"
                )
            after = match.group(5)
        table_name = self._table_name(p["TableName"]) if "TableName" in p else None
        chosen = sorted(
            (
                b
                for b in self.backups.values()
                if (table_name is None or b.image.name == table_name)
                and (kind == "ALL" or b.kind == kind)
                and (lower is None or b.created >= lower)
                and (upper is None or b.created < upper)
                and (after is None or b.backup_id > after)
            ),
            key=lambda b: (b.backup_id, b.image.name),
        )
        out: dict[str, Any] = {}
        limit = p.get("Limit")
        if limit is not None and len(chosen) > limit:
            chosen = chosen[:limit]
            out["LastEvaluatedBackupArn"] = chosen[-1].arn
        out["BackupSummaries"] = [b.summary() for b in chosen]
        return out

    @permission(resources=_backup_resource)
    def restore_table_from_backup(self, call: Call) -> dict:
        p = call.params
        _check_target_name(p["TargetTableName"])
        backup = self._backup(p["BackupArn"])
        if backup.in_use():
            raise AWSError(
                "BackupInUseException",
                f"Backup is being used to restore another table: {backup.arn}",
            )
        summary = {
            "SourceBackupArn": backup.arn,
            "SourceTableArn": backup.image.arn,
            "RestoreDateTime": backup.created,
            "RestoreInProgress": True,
        }
        table = self._restore(call, backup.image, backup.items, summary)
        backup.restoring = table
        return {"TableDescription": self._description(table)}

    # -- the restore ------------------------------------------------------------------------
    def _restore(self, call: Call, image: TableImage, items: list[Item], summary: dict) -> Table:
        """Build the target table of a restore from ``image`` and ``items``, with the overrides."""
        p = call.params
        name = p["TargetTableName"]
        if name in self.tables:
            raise AWSError("TableAlreadyExistsException", f"Table already exists: {name}")
        if "OnDemandThroughputOverride" in p:
            raise UnsupportedOperation(
                "dynamodb", call.operation, "OnDemandThroughputOverride is not modelled yet"
            )
        billing, throughput, lsis, gsis = _overrides(image, p)
        sse_spec = p.get("SSESpecificationOverride")
        if sse_spec is not None:
            sse.check(sse_spec)
            encryption = sse.description(self, sse_spec)
        else:
            encryption = dict(image.sse) if image.sse else None
        used = {k["AttributeName"] for k in image.key_schema}
        used.update(k["AttributeName"] for spec in lsis + gsis for k in spec["KeySchema"])
        table = Table(
            name=name,
            arn=self.arn(f"table/{name}"),
            table_id=self.cloud.new_request_id(),
            key_schema=image.key_schema,
            attribute_types={n: t for n, t in image.attribute_types.items() if n in used},
            billing_mode=billing,
            throughput=throughput,
            created=call.time,
        )
        for spec in lsis:
            table.add_index(self._index(table, spec, "LSI"))
        for spec in gsis:
            index = self._index(table, spec, "GSI")
            index.status = "CREATING"
            table.add_index(index)
        for item in copy.deepcopy(items):
            table.write(table.key_of(item), item, None)
        table.sse = encryption
        table.restore_summary = summary  # type: ignore[attr-defined]
        self.tables[name] = table
        delay = self.cloud.settings.dynamodb.restore_delay
        self.cloud.scheduler.call_later(delay, self._restored, table)
        return table

    def _restored(self, table: Table) -> None:
        if self.tables.get(table.name) is not table or table.status != "CREATING":
            return
        table.status = "ACTIVE"
        table.active_since = self.cloud.clock.time()  # type: ignore[attr-defined]
        for index in table.indexes.values():
            index.status = "ACTIVE"
        summary = getattr(table, "restore_summary", None)
        if summary is not None:
            summary["RestoreInProgress"] = False


def restore_summary(table: Table) -> dict | None:
    """The RestoreSummary of a restored table's description (None for other tables)."""
    summary = getattr(table, "restore_summary", None)
    if summary is None:
        return None
    out = dict(summary)
    out["RestoreDateTime"] = dt(summary["RestoreDateTime"])
    return out


def _check_target_name(name: str) -> None:
    c = Constraints()
    c.name(name, "targetTableName")
    c.raise_any()


def _overrides(image: TableImage, p: dict) -> tuple[str, Throughput, list[dict], list[dict]]:
    """The restored table's billing, throughput and indexes: the image's, with the overrides."""
    override = p.get("BillingModeOverride")
    billing = override or image.billing_mode
    given = p.get("ProvisionedThroughputOverride")
    if given is not None:
        if override == "PAY_PER_REQUEST":
            raise request_error(
                "Cannot override ProvisionedThroughput if BillingMode is overridden to "
                "PAY_PER_REQUEST"
            )
        if billing != "PROVISIONED":
            raise request_error(
                "Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED"
            )
    elif override == "PROVISIONED" and image.billing_mode != "PROVISIONED":
        raise request_error(
            "Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED"
        )
    if billing == "PAY_PER_REQUEST":
        throughput = Throughput()
    elif given is not None:
        throughput = Throughput(given["ReadCapacityUnits"], given["WriteCapacityUnits"])
    else:
        throughput = Throughput(*image.throughput)
    lsis = _chosen_indexes(image.lsis, p.get("LocalSecondaryIndexOverride"))
    gsis = _chosen_indexes(image.gsis, p.get("GlobalSecondaryIndexOverride"))
    for spec in gsis:
        name = spec["IndexName"]
        if billing == "PAY_PER_REQUEST":
            if spec.pop("_given_throughput", False) and override == "PAY_PER_REQUEST":
                raise request_error(
                    "Cannot override ProvisionedThroughput if BillingMode is overridden to "
                    f"PAY_PER_REQUEST for index {name}"
                )
            spec.pop("ProvisionedThroughput", None)
        else:
            given_index = spec.pop("_given_throughput", False)
            if not given_index and image.billing_mode != "PROVISIONED":
                raise request_error(f"Must specify provisioned throughput for index {name}")
    return billing, throughput, lsis, gsis


def _chosen_indexes(existing: list[dict], override: list[dict] | None) -> list[dict]:
    """The indexes a restore keeps: all of the source's, or those the override lists."""
    if override is None:
        return [{**copy.deepcopy(s), "_given_throughput": False} for s in existing]
    by_name = {s["IndexName"]: s for s in existing}
    chosen = []
    for spec in override:
        source = by_name.get(spec["IndexName"])
        if (
            source is None
            or source["KeySchema"] != spec["KeySchema"]
            or _projection(source["Projection"]) != _projection(spec["Projection"])
        ):
            raise request_error(
                f"Index {spec['IndexName']} does not match a secondary index that existed in the "
                "source table and cannot be created during the restore operation"
            )
        out = copy.deepcopy(source)
        out["_given_throughput"] = "ProvisionedThroughput" in spec
        if "ProvisionedThroughput" in spec:
            out["ProvisionedThroughput"] = dict(spec["ProvisionedThroughput"])
        chosen.append(out)
    return chosen


def _projection(projection: dict) -> tuple:
    return (
        projection.get("ProjectionType", "ALL"),
        tuple(sorted(projection.get("NonKeyAttributes", []))),
    )
