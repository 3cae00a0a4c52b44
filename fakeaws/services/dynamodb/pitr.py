"""Point-in-time recovery: UpdateContinuousBackups, DescribeContinuousBackups,
RestoreTableToPointInTime.

While PITR is on, a table's ``History`` listens to its change feed (see
``table``): it keeps the items as they were when the window opens (``base``)
and every committed change since, with its virtual commit time. A restore to
time ``t`` replays the changes up to ``t`` (inclusive) onto the base: the table
exactly as it was at that moment, whatever wrote it (requests, transactions,
TTL, replication). Changes older than the recovery period (``RecoveryPeriodInDays``,
1-35, default 35) are folded into the base as the clock moves on, so the
history holds the window and no more. Disabling PITR drops the history.

``EarliestRestorableDateTime`` is when PITR was enabled, or the start of the
recovery period once that is later; ``LatestRestorableDateTime`` is five
minutes ago (as AWS reports it), but never before the earliest (right after
enabling, the latest restorable time is the enabling time). ``RestoreDateTime``
arrives in whole seconds (what boto3 sends). A restore takes the source's
*current* settings (keys, indexes, billing and throughput, SSE: the API
reference's "All these settings come from the current settings of the source
table at the time of restore"), with the same overrides as a restore from a
backup, and the items of the requested time. Deleting a table with PITR on
leaves a SYSTEM backup (``<table>$DeletedTableBackup``, 35 days).

Sources: messages and check order are DynamoDB's as recorded live by the
ack-api-quirks lab (DDB-TABLE-100: the time flags first, then 'Table not found:
<name>', then PointInTimeRecoveryUnavailableException 'Point in time recovery is
not enabled for table '<name>'', then InvalidRestoreTimeException
'RestoreDateTime '<t>' must be within EarliestRestorableDateTime '<t>' and
LatestRestor...' (the lab truncates the message there; its end is completed in
the same form), then TableAlreadyExistsException; DDB-TABLE-442 for 'Invalid
Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time
recovery.' and the time-flag messages; DDB-BACKUP-002/015 for
ContinuousBackupsUnavailableException and the SYSTEM backup).

LIMITATIONS: the history is kept per table object (a table deleted and
re-created under its name starts afresh, as on AWS; a deleted table is
restorable through its SYSTEM backup, not RestoreTableToPointInTime); PITR
restores of a table in another region (SourceTableArn of another region) are
not modelled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.base import permission
from fakeaws.services.dynamodb.backups import (
    Table,
    TableImage,
    dt,
    epoch,
    request_error,
)
from fakeaws.services.dynamodb.consistency import identity
from fakeaws.services.dynamodb.storage import Item
from fakeaws.services.dynamodb.validation import Constraints, invalid

if TYPE_CHECKING:
    from fakeaws.calls import Call

DEFAULT_DAYS = 35
LATEST_LAG = 300.0  # LatestRestorableDateTime "is typically 5 minutes before the current time"
DAY = 86400.0


class History:
    """A table's items as they were when the window opens, and every change since."""

    def __init__(self, table: Table, now: float, days: int) -> None:
        self.enabled_at = now
        self.days = days
        self.base_time = now
        self.base: dict[tuple, Item] = {identity(table, i): i for i in table.items.items()}
        self.log: list[tuple[float, tuple, Item | None]] = []

    def record(self, table: Table, old: Item | None, new: Item | None, principal: Any, now: float):
        """The change-feed listener (stored items are never mutated: they are kept as they are)."""
        self.log.append((now, identity(table, new if new is not None else old), new))  # type: ignore[arg-type]
        if self.log[0][0] <= now - self.days * DAY:
            self.prune(now)

    def prune(self, now: float) -> None:
        """Fold the changes older than the recovery period into the base."""
        horizon = now - self.days * DAY
        if horizon <= self.base_time:
            return
        folded = 0
        for when, place, item in self.log:
            if when > horizon:
                break
            if item is None:
                self.base.pop(place, None)
            else:
                self.base[place] = item
            folded += 1
        del self.log[:folded]
        self.base_time = horizon

    def window(self, now: float) -> tuple[float, float]:
        earliest = max(self.enabled_at, now - self.days * DAY)
        return earliest, max(earliest, now - LATEST_LAG)

    def as_of(self, moment: float) -> list[Item]:
        """The table's items at ``moment`` (every change committed at or before it applied)."""
        state = dict(self.base)
        for when, place, item in self.log:
            if when > moment:
                break
            if item is None:
                state.pop(place, None)
            else:
                state[place] = item
        return list(state.values())

    def describe(self, now: float) -> dict:
        earliest, latest = self.window(now)
        return {
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": self.days,
            "EarliestRestorableDateTime": dt(earliest),
            "LatestRestorableDateTime": dt(latest),
        }


def history_of(table: Table) -> History | None:
    return getattr(table, "pitr", None)


def continuous_backups(table: Table, now: float) -> dict:
    history = history_of(table)
    if history is None:
        pitr = {"PointInTimeRecoveryStatus": "DISABLED"}
    else:
        history.prune(now)
        pitr = history.describe(now)
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _table_resource(backend: Any, call: Call) -> list[str]:
    p = call.params
    name = p.get("TableName") or p.get("SourceTableArn") or p.get("SourceTableName") or "*"
    return [name if name.startswith("arn:") else backend.arn(f"table/{name}")]


class PointInTimeRecovery:
    """Mixin of DynamoDBBackend: continuous backups and point-in-time restores."""

    tables: dict[str, Table]
    cloud: Any
    _backup_source: Callable[[str], Table]
    _check_backups_enabled: Callable[[Table], None]
    _restore: Callable[..., Table]
    _description: Callable[[Table], dict]
    _table_name: Callable[[str], str]

    @permission(resources=_table_resource)
    def update_continuous_backups(self, call: Call) -> dict:
        p = call.params
        spec = p["PointInTimeRecoverySpecification"]
        days = spec.get("RecoveryPeriodInDays")
        c = Constraints()
        c.at_most(days, "pointInTimeRecoverySpecification.recoveryPeriodInDays", 35)
        c.raise_any()
        if not spec["PointInTimeRecoveryEnabled"] and days is not None:
            raise request_error(
                "Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery."
            )
        table = self._backup_source(p["TableName"])
        self._check_backups_enabled(table)
        history = history_of(table)
        if spec["PointInTimeRecoveryEnabled"]:
            if history is None:
                history = History(table, call.time, days or DEFAULT_DAYS)
                table.pitr = history  # type: ignore[attr-defined]
                table.subscribe(history.record, self.cloud.clock)
            elif days is not None:
                history.days = days
                history.prune(call.time)
        elif history is not None:
            table.unsubscribe(history.record)
            table.pitr = None  # type: ignore[attr-defined]
        return {"ContinuousBackupsDescription": continuous_backups(table, call.time)}

    @permission(resources=_table_resource)
    def describe_continuous_backups(self, call: Call) -> dict:
        table = self._backup_source(call.params["TableName"])
        return {"ContinuousBackupsDescription": continuous_backups(table, call.time)}

    @permission(resources=_table_resource)
    def restore_table_to_point_in_time(self, call: Call) -> dict:
        p, now = call.params, call.time
        c = Constraints()
        c.name(p.get("SourceTableName"), "sourceTableName")
        c.name(p["TargetTableName"], "targetTableName")
        c.raise_any()
        latest_asked = bool(p.get("UseLatestRestorableTime"))
        if "RestoreDateTime" not in p and not latest_asked:
            raise request_error(
                "Either one of RestoreDateTime or UseLatestRestorableTime must be specified, "
                "but not both"
            )
        if "RestoreDateTime" in p and latest_asked:
            raise request_error(
                "Both RestoreDateTime and UseLatestRestorableTime cannot be set for point-in-time "
                "restore request. Please specify either RestoreDateTime time or "
                "UseLatestRestorableTime"
            )
        if ("SourceTableName" in p) == ("SourceTableArn" in p):
            raise request_error("Must provide exactly one of: sourceTableArn, sourceTableName")
        source_name = p.get("SourceTableName") or p["SourceTableArn"]
        if "SourceTableArn" in p and not source_name.startswith("arn:"):
            raise invalid(f"ARNs must start with 'arn:': {source_name}")
        source = self._backup_source(source_name)
        history = history_of(source)
        if history is None:
            raise AWSError(
                "PointInTimeRecoveryUnavailableException",
                f"Point in time recovery is not enabled for table '{source.name}'",
            )
        history.prune(now)
        earliest, latest = history.window(now)
        moment = latest if latest_asked else epoch(p["RestoreDateTime"])
        if not earliest <= moment <= latest and not (latest_asked):
            raise AWSError(
                "InvalidRestoreTimeException",
                f"RestoreDateTime '{_iso(moment)}' must be within EarliestRestorableDateTime "
                f"'{_iso(earliest)}' and LatestRestorableDateTime '{_iso(latest)}'",
            )
        summary = {
            "SourceTableArn": source.arn,
            "RestoreDateTime": moment,
            "RestoreInProgress": True,
        }
        table = self._restore(call, TableImage(source), history.as_of(moment), summary)
        return {"TableDescription": self._description(table)}


def on_table_deleted(backend: Any, table: Table, now: float) -> None:
    """A table with PITR on leaves a SYSTEM backup behind when it is deleted."""
    history = history_of(table)
    if history is not None:
        table.unsubscribe(history.record)
        backend.system_backup(table, now)
