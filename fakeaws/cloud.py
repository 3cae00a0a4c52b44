"""The fake world: accounts -> regions -> service backends, plus its clock,
scheduler, random generator, identities, settings and call log.

One ``Cloud`` per activation. All of its state hangs off ``accounts`` and is
created lazily; ``snapshot()``/``restore()`` copy it whole. A single re-entrant
lock serialises calls, so boto3 clients used from several threads see a
consistent world, and a call made from inside fake background work (code in a
Lambda handler calling boto3) re-enters instead of deadlocking.
"""

from __future__ import annotations

import copy
import io
import pickle
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel

from fakeaws import responses
from fakeaws.arns import partition_of
from fakeaws.calls import Call, CallLog
from fakeaws.clock import Clock, Scheduler
from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.identity import IdentityRegistry
from fakeaws.outbox import Outbox
from fakeaws.services.base import Backend, OutsideLock
from fakeaws.services.registry import backend_class, handler_name
from fakeaws.settings import Settings
from fakeaws.shapes import assert_output, check_error_fields

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass
class Account:
    """One AWS account: regional backends per region, and its account-wide (global) ones."""

    id: str
    regions: dict[str, dict[tuple[str, type], Backend]] = field(default_factory=dict)
    global_backends: dict[tuple[str, type], Backend] = field(default_factory=dict)


class Snapshot:
    """An opaque, reusable copy of a cloud's world (see ``Cloud.snapshot``)."""

    def __init__(
        self,
        source: Cloud,
        random_states: dict[str, Any],
        *,
        pickled: bytes | None = None,
        copied: Any = None,
    ) -> None:
        self.account_id = source.account_id
        self.random_states = random_states
        self._pickled = pickled
        self._copied = copied
        # A deep-copied state still points at the source's machinery: remember it to re-point.
        self._source_machinery = None if copied is None else source._machinery()

    def load(self, machinery: dict[str, Any]) -> dict[str, Any]:
        """A fresh copy of the saved state, wired to ``machinery`` (the target cloud's parts)."""
        if self._pickled is not None:
            return _WorldUnpickler(io.BytesIO(self._pickled), machinery).load()
        memo = {id(self._source_machinery[name]): obj for name, obj in machinery.items()}
        return copy.deepcopy(self._copied, memo)


class _WorldPickler(pickle.Pickler):
    """Pickles a world, writing the cloud's machinery as references by name."""

    def __init__(self, file: Any, names: dict[int, str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = names

    def persistent_id(self, obj: Any) -> str | None:
        return self._names.get(id(obj))


class _WorldUnpickler(pickle.Unpickler):
    def __init__(self, file: Any, machinery: dict[str, Any]) -> None:
        super().__init__(file)
        self._machinery = machinery

    def persistent_load(self, pid: str) -> Any:
        return self._machinery[pid]


class Cloud:
    """The test's handle on the fake world."""

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT,
        seed: int | str = 0,
        clock: str = "real",
        start: float | datetime | None = None,
        strict: bool = False,
        services: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.seed = seed
        self.settings = Settings(strict=strict, services=services)
        self.lock = threading.RLock()
        self.clock = Clock(clock, start)
        self.scheduler = Scheduler(self.clock, self.lock)
        # Separate streams, so that (say) one more call or one more retry never shifts the
        # draws of the behaviour under test.
        self.random = random.Random(seed)  # behaviour: weighted aliases, lag, sampling...
        self.jitter = random.Random(f"{seed}/jitter")  # botocore's retry backoff jitter
        self._ids = random.Random(f"{seed}/ids")  # request ids and other generated ids
        self.partition = partition_of(region)
        self.identities = IdentityRegistry(account_id, self.partition)
        self.calls = CallLog()
        self.outbox = Outbox()  # HTTP/email/SMS deliveries that would leave AWS
        self.accounts: dict[str, Account] = {}
        # Set by the IAM service: raises AWSError to deny a call. None = allow everything.
        self.authorizer: Callable[[Call], None] | None = None

    # -- the world -----------------------------------------------------------------
    def account(self, account_id: str | None = None) -> Account:
        account_id = account_id or self.account_id
        acct = self.accounts.get(account_id)
        if acct is None:
            acct = self.accounts[account_id] = Account(account_id)
        return acct

    def backend(self, service: str, account_id: str | None = None, region: str | None = None):
        """The backend of ``service`` for an account and region, created on first use."""
        cls = backend_class(service)
        if cls is None:
            raise KeyError(f"fakeaws has no backend for service {service!r}")
        acct = self.account(account_id)
        region = region or self.region
        if cls.scope == "account":
            backends = acct.global_backends
        else:
            backends = acct.regions.get(region)
            if backends is None:
                backends = acct.regions[region] = {}
        # Keyed by class too: a backend swapped in by override_backend gets its own state.
        backend = backends.get((service, cls))
        if backend is None:
            backend = backends[(service, cls)] = cls(self, acct.id, region)
        return backend

    def new_request_id(self) -> str:
        """A random (version 4) UUID, as AWS request ids are; what ``uuid.UUID`` does, faster."""
        n = self._ids.getrandbits(128)
        n = (n & ~(0xC000 << 48) | 0x8000 << 48) & ~(0xF000 << 64) | 4 << 76
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def session(self, account_id: str | None = None, region: str | None = None):
        """A boto3 Session signed with the root keys of ``account_id`` (for multi-account tests)."""
        import boto3

        cred = self.identities.root_credential(account_id or self.account_id)
        return boto3.Session(
            aws_access_key_id=cred.access_key_id,
            aws_secret_access_key=cred.secret_access_key,
            region_name=region or self.region,
        )

    def lambda_zip(
        self,
        path: str | None = None,
        *,
        source: str | None = None,
        files: dict[str, str | bytes] | None = None,
        filename: str = "lambda_function.py",
    ) -> bytes:
        """A deployment package for CreateFunction's ``Code={"ZipFile": ...}``.

        From a folder (``path``), from handler ``source`` text (stored as
        ``filename``), and/or from ``files`` ({relative path: content}). The zip is
        deterministic: the same input always has the same CodeSha256.
        """
        from fakeaws.services.lambda_.runtime import build_zip

        return build_zip(path, source=source, files=files, filename=filename)

    # -- answering a call --------------------------------------------------------------
    def handle(
        self,
        operation: OperationModel,
        params: dict[str, Any],
        access_key_id: str | None,
        region: str,
        attempt: int = 1,
    ) -> tuple[AWSResponse, dict]:
        """Answer one attempt of an intercepted call with ``(http_response, parsed)``."""
        info = _operation_info(operation.service_model.service_name, operation.name, operation)
        self.scheduler.run_due()  # background work first, outside the lock (tasks lock themselves)
        with self.lock:
            now = self.clock.time()
            call = Call(
                self,
                info.service,
                info.name,
                _copy_params(params),
                self.identities.principal_for(access_key_id),
                access_key_id,
                region,
                self.new_request_id(),
                now,
                attempt,
            )
            self.calls.append(call)
            if info.handler is None:
                call.outcome = "unsupported"
                raise UnsupportedOperation(info.service, info.name, info.missing)
            call.action, call.authorize = info.action, info.authorize
            try:
                backend = self.backend(info.service, call.account, region)
                if info.action_of is not None:
                    call.action = info.action_of(backend, call)
                call.resources = info.resources(backend, call) if info.resources else ["*"]
                if call.authorize and self.authorizer is not None:
                    self.authorizer(call)
                parsed = getattr(backend, info.handler)(call)
            except AWSError as err:
                return self._error(operation, call, err, now)
            if type(parsed) is not OutsideLock:
                return self._success(operation, info, call, parsed, now)
        try:  # user code: run without the lock (see OutsideLock)
            parsed = parsed.run()
        except AWSError as err:
            return self._error(operation, call, err, now)
        return self._success(operation, info, call, parsed, now)

    def _success(
        self, operation: OperationModel, info: _OperationInfo, call: Call, parsed: Any, now: float
    ) -> tuple[AWSResponse, dict]:
        if parsed is None:  # operations without output
            parsed = {}
        if self.settings.strict:
            assert_output(operation, parsed)
        call.outcome, call.response = "ok", parsed
        status = parsed.get(info.status_member, info.status) if info.status_member else info.status
        return responses.success(info.protocol, status, parsed, call.request_id, now)

    def _error(
        self, operation: OperationModel, call: Call, err: AWSError, now: float
    ) -> tuple[AWSResponse, dict]:
        if self.settings.strict:
            check_error_fields(operation, err)
        call.outcome, call.error = err.code, err
        return responses.error(operation, err, call.request_id, now)

    def refuse_unsigned(self, operation: OperationModel) -> tuple[AWSResponse, dict]:
        """AWS's answer to an unsigned request for an operation that needs signing."""
        protocol = responses.protocol_of(operation.service_model)
        if protocol in ("query", "ec2", "rest-xml"):
            err = AWSError("MissingAuthenticationToken", "Request is missing Authentication Token")
        else:
            err = AWSError("MissingAuthenticationTokenException", "Missing Authentication Token")
        err.status = 403
        return responses.error(operation, err, self.new_request_id(), self.clock.time())

    # -- driving time ---------------------------------------------------------------------
    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass, firing timers (what backoffs and waiters do)."""
        self.clock.advance(seconds)

    def settle(self, within: float = 0.0) -> int:
        """Run background work that is due now; returns how many tasks ran.

        With ``within=S``, also move the clock forward (up to S seconds) from
        timer to timer, running each in order, and stop as soon as nothing is
        left to run in that window: "let everything that would happen in the
        next S seconds happen".
        """
        ran = self.scheduler.run_due()
        if within > 0:
            deadline = self.clock.time() + within
            while (due := self.scheduler.next_due()) is not None and due <= deadline:
                ran += self.scheduler.run_until(due)
        return ran

    # -- snapshot / restore ------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """A copy of the whole world: state, pending work, random streams, identities, time.

        Cheap enough per test for small worlds; a snapshot can be restored any
        number of times, into this cloud or into another one of the same account.
        """
        with self.lock:
            state = self._state()
            machinery = self._machinery()
            try:  # pickling is several times faster than deepcopy for big worlds
                buffer = io.BytesIO()
                _WorldPickler(buffer, {id(obj): name for name, obj in machinery.items()}).dump(
                    state
                )
                return Snapshot(self, self._random_states(), pickled=buffer.getvalue())
            except (pickle.PicklingError, TypeError, AttributeError):
                # Something unpicklable (a closure scheduled as a task): copy instead.
                memo = {id(obj): obj for obj in machinery.values()}
                return Snapshot(self, self._random_states(), copied=copy.deepcopy(state, memo))

    def restore(self, snapshot: Snapshot) -> None:
        """Make this cloud's world a fresh copy of ``snapshot``; the call log starts empty.

        Time never goes backwards: the clock keeps its mode and moves forward to
        the snapshot's time if that is later. Pending work keeps its due times.
        """
        if snapshot.account_id != self.account_id:
            raise ValueError(
                f"cannot restore a snapshot of a cloud whose default account is "
                f"{snapshot.account_id} into one whose default account is {self.account_id}"
            )
        with self.lock:
            state = snapshot.load(self._machinery())
            self.accounts = state["accounts"]
            self.identities = state["identities"]
            self.scheduler.set_state(state["scheduler"])
            for name, rng in self._streams().items():
                rng.setstate(snapshot.random_states[name])
            if state["time"] > self.clock.time():
                self.clock._jump_to(state["time"])
            self.calls.clear()

    def _state(self) -> dict[str, Any]:
        return {
            "accounts": self.accounts,
            "identities": self.identities,
            "scheduler": self.scheduler.state(),
            "time": self.clock.time(),
        }

    def _streams(self) -> dict[str, random.Random]:
        return {"random": self.random, "jitter": self.jitter, "ids": self._ids}

    def _random_states(self) -> dict[str, Any]:
        # Immutable tuples: kept as they are, outside the pickle (hundreds of ints each).
        return {name: rng.getstate() for name, rng in self._streams().items()}

    def _machinery(self) -> dict[str, Any]:
        """The cloud's own parts: never copied by snapshots, only re-pointed to the target's."""
        return {
            "cloud": self,
            "clock": self.clock,
            "scheduler": self.scheduler,
            "lock": self.lock,
            "settings": self.settings,
            "calls": self.calls,
            "outbox": self.outbox,
            "random": self.random,
            "jitter": self.jitter,
            "ids": self._ids,
        }

    def __repr__(self) -> str:
        return f"<Cloud account={self.account_id} region={self.region} {len(self.calls)} calls>"


def _copy_params(value: Any) -> Any:
    """A copy of the caller's parameters for the log (JSON-like data: dicts, lists, scalars)."""
    if isinstance(value, dict):
        return {k: _copy_params(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_params(v) for v in value]
    return value


@dataclass(frozen=True)
class _OperationInfo:
    """What the dispatcher needs to know about an operation, worked out once."""

    service: str
    name: str
    protocol: str
    handler: str | None
    missing: str
    action: str
    action_of: Callable | None  # when the action depends on the request (PartiQL statements)
    resources: Callable | None
    authorize: bool
    status: int
    status_member: str | None


_INFO: dict[tuple[str, str], _OperationInfo] = {}


def _operation_info(service: str, name: str, model: OperationModel) -> _OperationInfo:
    info = _INFO.get((service, name))
    if info is None:
        info = _INFO[(service, name)] = _build_operation_info(service, name, model)
    return info


def forget_operation_info(service: str) -> None:
    """Drop cached dispatch data for ``service`` (its backend was replaced)."""
    for key in [k for k in _INFO if k[0] == service]:
        del _INFO[key]


def _build_operation_info(service: str, name: str, model: OperationModel) -> _OperationInfo:
    cls = backend_class(service)
    handler = handler_name(cls, name)
    if cls is None:
        missing = f"there is no fake {service!r} service yet"
    else:
        missing = "the operation is not implemented yet (run `fakeaws coverage`)"
    action, resources, authorize = None, None, True
    if handler is not None:
        action, resources, authorize = getattr(
            getattr(cls, handler), "__fakeaws_permission__", (None, None, True)
        )
    prefix = getattr(cls, "iam_prefix", service)
    status_member = None
    output = model.output_shape
    if output is not None:
        for member_name, member in output.members.items():
            if member.serialization.get("location") == "statusCode":
                status_member = member_name
    return _OperationInfo(
        service=service,
        name=name,
        protocol=responses.protocol_of(model.service_model),
        handler=handler,
        missing=missing,
        action=action if isinstance(action, str) else f"{prefix}:{name}",
        action_of=action if callable(action) else None,
        resources=resources,
        authorize=authorize,
        status=model.http.get("responseCode", 200),
        status_member=status_member,
    )
