"""EventBridge's resources as one account's backend holds them in one region."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Rule:
    name: str
    bus: str
    arn: str
    created_by: str
    event_pattern: str | None = None
    schedule: str | None = None
    state: str = "ENABLED"
    description: str | None = None
    role_arn: str | None = None
    managed_by: str | None = None
    archive: str | None = None  # the archive this managed rule feeds
    targets: dict[str, dict] = field(default_factory=dict)  # id -> Target, in insertion order
    tags: dict[str, str] = field(default_factory=dict)
    schedule_generation: int = 0  # bumped to invalidate the pending firing
    schedule_anchor: float = 0.0  # when a rate() schedule started

    @property
    def enabled(self) -> bool:
        return self.state != "DISABLED"


@dataclass
class EventBus:
    name: str
    arn: str
    created: float
    modified: float
    description: str | None = None
    kms_key: str | None = None
    dead_letter: dict | None = None
    log_config: dict | None = None
    event_source: str | None = None
    policy: dict | None = None  # {"Version": ..., "Statement": [...]}
    tags: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)


@dataclass
class ArchivedEvent:
    event: dict  # the event as it arrived (its envelope, detail included)
    received: float
    size: int


@dataclass
class Archive:
    name: str
    arn: str
    source_arn: str  # the bus
    bus: str
    created: float
    description: str | None = None
    event_pattern: str | None = None
    retention_days: int = 0  # 0: kept forever
    kms_key: str | None = None
    state: str = "ENABLED"
    events: list[ArchivedEvent] = field(default_factory=list)


@dataclass
class Replay:
    name: str
    arn: str
    archive: str
    source_arn: str
    destination: dict
    start: float
    end: float
    started: float
    description: str | None = None
    state: str = "STARTING"
    state_reason: str | None = None
    last_replayed: float | None = None
    ended: float | None = None
    pending: list[Any] = field(default_factory=list)  # events still to replay
