"""Which services fakeaws fakes, where their backends live, and their settings.

Backends are imported lazily, on the first call to their service. The set of
implemented operations of a service is derived from the backend class and the
installed botocore model, in one place, for dispatch and for ``fakeaws coverage``.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
from collections.abc import Iterator
from typing import Any

from botocore import xform_name

from fakeaws.services.base import Backend

# botocore service name -> "module:Class"
BACKENDS: dict[str, str] = {
    "sts": "fakeaws.services.sts.backend:StsBackend",
    "dynamodb": "fakeaws.services.dynamodb.backend:DynamoDBBackend",
    "dynamodbstreams": "fakeaws.services.dynamodbstreams.backend:DynamoDBStreamsBackend",
    "logs": "fakeaws.services.logs.backend:LogsBackend",
    "lambda": "fakeaws.services.lambda_.backend:LambdaBackend",
    "sqs": "fakeaws.services.sqs.backend:SqsBackend",
    "sns": "fakeaws.services.sns.backend:SnsBackend",
    "events": "fakeaws.services.events.backend:EventsBackend",
}

# botocore service name -> the knobs of ``cloud.settings.<service>`` and their defaults
SERVICE_SETTINGS: dict[str, dict[str, Any]] = {
    "dynamodb": {
        # Virtual seconds a table or index spends CREATING/UPDATING/DELETING (0: until the
        # next call). Data-plane calls on a CREATING table fail as on AWS.
        "table_delay": 0.0,
        # PROVISIONED tables and their GSIs throttle requests beyond their token buckets
        # (False: capacity is still counted and reported, never enforced).
        "throttling": True,
        # Seconds of unused provisioned capacity a bucket keeps (AWS's burst capacity: 300),
        # and the seconds' worth it holds when the table (or GSI) is created.
        "burst_seconds": 300.0,
        "initial_burst_seconds": 1.0,
        # "strong": reads always see the latest write. "eventual": eventually consistent
        # reads (and every GSI read) may see an item as it was up to replication_lag
        # virtual seconds ago. table_consistency: {table name: model} overrides per table.
        "consistency": "strong",
        "table_consistency": {},
        "replication_lag": 1.0,
        # Virtual seconds after an item's TTL passes before the sweeper deletes it (AWS:
        # "within a few days"), and between two UpdateTimeToLive changes of a table (AWS:
        # up to an hour documented, about 31 minutes measured).
        "ttl_sweep_delay": 300.0,
        "ttl_update_cooldown": 1860.0,
        # Virtual seconds a stream shard stays open before a child shard replaces it (AWS:
        # about 4 hours; 0: never).
        "stream_shard_rollover": 14400.0,
        # Virtual seconds an on-demand backup stays CREATING (AWS: ~50 ms for small tables, so
        # 0: AVAILABLE before the next call), a restored table (from a backup or a point in
        # time) stays CREATING, and a global table replica stays CREATING / DELETING.
        "backup_delay": 0.0,
        "restore_delay": 0.0,
        "replica_delay": 0.0,
        # Virtual seconds after a table turns ACTIVE during which CreateBackup and
        # UpdateContinuousBackups fail with ContinuousBackupsUnavailableException (AWS: 0-6 s).
        "backups_enabling_delay": 0.0,
        # Virtual seconds a write to one replica of a global table takes to reach the others.
        "global_table_lag": 1.0,
    },
    "lambda": {
        # Concurrent executions of the account in a region (AWS's default quota).
        "account_concurrency": 1000,
        # Virtual seconds a function spends Pending after create, InProgress after an
        # update, and provisioned concurrency spends IN_PROGRESS (0: until the next call).
        "state_delay": 0.0,
        "provisioning_delay": 0.0,
        # Virtual seconds an idle execution environment lives before it is reclaimed.
        "idle_timeout": 600.0,
        # Let handlers import packages installed in the test process that their code
        # and layers do not contain (AWS would fail with Runtime.ImportModuleError).
        "allow_site_packages": False,
        # Copy handler output to the test process's stdout too (pytest shows it on failure).
        "echo_logs": True,
        # The date runtime deprecation is judged on ("YYYY-MM-DD"; None: the virtual
        # clock's date): pins which runtimes can be created or updated, whenever tests run.
        "runtime_date": None,
    },
    "sqs": {
        # Virtual seconds before the name of a deleted queue can be used again (AWS: 60;
        # 0 lets tests recreate a queue at once).
        "deleted_name_cooldown": 60.0,
        # Virtual seconds between two PurgeQueue calls on one queue (AWS: 60).
        "purge_cooldown": 60.0,
        # Messages per virtual second a move task moves without MaxNumberOfMessagesPerSecond.
        "move_task_rate": 500,
    },
    "sns": {
        # Confirm HTTP/S and email subscriptions at once, without a confirmation message.
        # Off by default: as on AWS, they stay PendingConfirmation until confirmed.
        "auto_confirm": False,
    },
    "events": {
        # Back-off between delivery retries: base * 2**(attempt-1) seconds, capped, with
        # "equal jitter" (half to all of it, drawn from cloud.random) unless turned off.
        "retry_base_delay": 1.0,
        "retry_max_delay": 600.0,
        "retry_jitter": True,
        # Virtual seconds before a replay starts RUNNING, and between two replayed events.
        "replay_start_delay": 0.0,
        "replay_event_interval": 0.0,
        # Rules per event bus (AWS's default quota).
        "max_rules_per_bus": 300,
    },
}


def register_backend(
    service: str, backend: type[Backend] | str, settings: dict | None = None
) -> None:
    """Add (or replace) the fake of a botocore service: a Backend subclass or "module:Class".

    This is how fakeaws's own services are listed, and how a test suite can fake
    a service fakeaws does not cover yet.
    """
    BACKENDS[service] = (
        backend if isinstance(backend, str) else f"{backend.__module__}:{backend.__qualname__}"
    )
    _classes[service] = backend if not isinstance(backend, str) else None
    if settings is not None:
        SERVICE_SETTINGS[service] = dict(settings)
    _clear_caches(service)


_classes: dict[str, type[Backend] | None] = {}


@contextlib.contextmanager
def override_backend(service: str, backend: type[Backend]) -> Iterator[None]:
    """Fake ``service`` with ``backend`` inside the block, then put things back."""
    saved = (BACKENDS.get(service), _classes.get(service), SERVICE_SETTINGS.get(service))
    register_backend(service, backend)
    try:
        yield
    finally:
        for table, value in zip((BACKENDS, _classes, SERVICE_SETTINGS), saved):
            if value is None:
                table.pop(service, None)
            else:
                table[service] = value
        _clear_caches(service)


def _clear_caches(service: str) -> None:
    backend_class.cache_clear()
    handler_name.cache_clear()
    from fakeaws import cloud

    cloud.forget_operation_info(service)


@functools.cache
def backend_class(service: str) -> type[Backend] | None:
    if _classes.get(service) is not None:
        return _classes[service]
    target = BACKENDS.get(service)
    if target is None:
        return None
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


@functools.cache
def handler_name(backend: type[Backend] | None, operation: str) -> str | None:
    """The backend method that implements ``operation``, or None."""
    if backend is None:
        return None
    name = xform_name(operation)
    return name if callable(getattr(backend, name, None)) else None


@functools.cache
def _service_model(service: str):
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def implemented_operations(service: str) -> list[str]:
    """Operation names (as in the botocore model) that fakeaws implements for ``service``."""
    cls = backend_class(service)
    if cls is None:
        return []
    return [op for op in _service_model(service).operation_names if handler_name(cls, op)]


def model_operations(service: str) -> list[str]:
    return list(_service_model(service).operation_names)
