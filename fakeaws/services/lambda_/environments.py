"""Execution environments of one function version: warm reuse, cold starts, reclaiming.

An environment serves one invocation at a time. An invocation takes an idle
environment if there is one (warm: module state persists) or gets a new one
(cold: the handler module is imported first, reported as Init Duration).
Environments idle longer than ``idle_timeout`` virtual seconds are reclaimed,
and those built for an older configuration of ``$LATEST`` are thrown away, as
Lambda starts fresh environments after an update. Provisioned environments
are initialised ahead of time and reserved for the alias or version they were
provisioned on.

Environments hold live module objects: they are never part of a snapshot (a
restored world starts cold).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fakeaws.identity import Credential, Principal

if TYPE_CHECKING:
    from fakeaws.services.lambda_.runtime import ExecutionEnvironment


@dataclass(eq=False)
class Slot:
    """One execution environment and what the pool knows about it."""

    env: ExecutionEnvironment
    generation: int
    provisioned_for: str | None = None  # the qualifier it was provisioned on, or None
    last_used: float = 0.0


class EnvironmentPool:
    """The idle environments of one function version (busy ones are held by their invocation)."""

    def __init__(self) -> None:
        self.idle: list[Slot] = []  # most recently used last: reused first, as warm as it gets

    def take(self, qualifier: str | None, generation: int, now: float, idle_timeout: float):
        """An idle environment for an invocation through ``qualifier``, or None (cold start)."""
        self._reclaim(generation, now, idle_timeout)
        for i in range(len(self.idle) - 1, -1, -1):  # provisioned for this qualifier first
            slot = self.idle[i]
            if slot.provisioned_for is not None and slot.provisioned_for == qualifier:
                return self.idle.pop(i)
        for i in range(len(self.idle) - 1, -1, -1):
            if self.idle[i].provisioned_for is None:
                return self.idle.pop(i)
        return None

    def give_back(self, slot: Slot, now: float) -> None:
        slot.last_used = now
        self.idle.append(slot)

    def drop_provisioned(self, qualifier: str) -> None:
        keep = []
        for slot in self.idle:
            if slot.provisioned_for == qualifier:
                slot.env.close()
            else:
                keep.append(slot)
        self.idle = keep

    def close(self) -> None:
        for slot in self.idle:
            slot.env.close()
        self.idle = []

    def _reclaim(self, generation: int, now: float, idle_timeout: float) -> None:
        if not self.idle:
            return
        keep = []
        for slot in self.idle:
            stale = slot.generation != generation
            expired = slot.provisioned_for is None and now - slot.last_used > idle_timeout
            if stale or expired:
                slot.env.close()
            else:
                keep.append(slot)
        self.idle = keep


def log_stream_name(cloud: Any, version: str) -> str:
    """``2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef``, as Lambda names streams."""
    day = datetime.fromtimestamp(cloud.clock.time(), timezone.utc).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{cloud._ids.getrandbits(128):032x}"


def execution_credential(cloud: Any, role_arn: str, function_name: str) -> Credential:
    """Temporary keys of the function's execution role, session named after the function.

    Registered with the cloud's identities, so calls made with them (by boto3
    inside the handler) are attributed to ``assumed-role/<role>/<function>``.
    """
    account = role_arn.split(":")[4]
    resource = role_arn.split(":", 5)[5]  # role/path/name
    path_and_name = resource[len("role") :]
    path, _, role_name = path_and_name.rpartition("/")
    digest = hashlib.sha1(role_arn.encode()).hexdigest().upper()
    role_id = "AROA" + digest[:17]
    principal = Principal.assumed_role(
        account,
        role_name,
        role_id,
        function_name,
        path=(path or "") + "/",
        partition=role_arn.split(":")[1],
    )
    registry = cloud.identities
    key = registry.new_access_key_id(cloud._ids, prefix="ASIA")
    return registry.register(
        Credential(
            key,
            registry.new_secret(cloud._ids),
            principal,
            session_token="FwoGZXIvYXdzEFAKE" + registry.new_secret(cloud._ids),
        )
    )
