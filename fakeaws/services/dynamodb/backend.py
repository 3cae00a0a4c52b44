"""DynamoDB: one account's tables in one region.

The operations live in mixins by family (control plane, single items, reads);
every item write goes through ``Table.write``; capacity (accounting, token
buckets) goes through ``Accounting`` and read consistency through
``consistency``.

Streams (``streams``) and TTL (``ttl``) hook into the change feed of
``Table.write``, and so do point-in-time recovery (``pitr``) and the
replication of global tables (``global_tables``); on-demand backups and
restores are ``backups``', encryption settings ``sse``'s.

LIMITATIONS (see docs/dynamodb.md): settings that are not modelled (warm throughput,
resource policies...) are refused with UnsupportedOperation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeaws.services.base import Backend
from fakeaws.services.dynamodb.accounting import Accounting
from fakeaws.services.dynamodb.backups import Backups
from fakeaws.services.dynamodb.batch import Batches
from fakeaws.services.dynamodb.capacity import CapacityMeter
from fakeaws.services.dynamodb.control import ControlPlane
from fakeaws.services.dynamodb.global_tables import GlobalTables
from fakeaws.services.dynamodb.items import ItemOperations
from fakeaws.services.dynamodb.partiql import PartiQL
from fakeaws.services.dynamodb.pitr import PointInTimeRecovery
from fakeaws.services.dynamodb.reads import Reads
from fakeaws.services.dynamodb.streams import StreamsOwner
from fakeaws.services.dynamodb.transactions import Transactions
from fakeaws.services.dynamodb.ttl import TimeToLive

if TYPE_CHECKING:
    from fakeaws.cloud import Cloud
    from fakeaws.services.dynamodb.backups import Backup
    from fakeaws.services.dynamodb.streams import Stream
    from fakeaws.services.dynamodb.table import Table


class DynamoDBBackend(
    ControlPlane,
    ItemOperations,
    Reads,
    Batches,
    Transactions,
    PartiQL,
    TimeToLive,
    StreamsOwner,
    Backups,
    PointInTimeRecovery,
    GlobalTables,
    Accounting,
    Backend,
):
    service = "dynamodb"
    iam_prefix = "dynamodb"

    def __init__(self, cloud: Cloud, account_id: str, region: str) -> None:
        super().__init__(cloud, account_id, region)
        self.tables: dict[str, Table] = {}
        # ClientRequestToken -> (request fingerprint, time, capacity sizes of the first call)
        self._tokens: dict[str, tuple] = {}
        # Capacity consumed per table and index, for tests (see CapacityMeter).
        self.capacity = CapacityMeter()
        # Streams by ARN, oldest first: enabled ones and disabled ones still readable (24 h).
        self.streams: dict[str, Stream] = {}
        # On-demand and SYSTEM backups by (table name, backup id): they outlive their table.
        self.backups: dict[tuple[str, str], Backup] = {}

    def converge(self) -> None:
        """Let every replica catch up: eventually consistent reads see the latest writes."""
        for table in self.tables.values():
            if table.journal is not None:
                table.journal.clear()
