"""Invoke: which version runs, in which execution environment, and what the caller gets.

A synchronous invoke is checked and routed under the cloud's lock (function
state, payload limits, weighted alias routing, concurrency), then the handler
runs *outside* the lock in the caller's thread (see ``OutsideLock``), so a
handler may call boto3, wait on other threads, or invoke another function.
Event invocations go onto the async queue (``async_queue.py``).
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.response import StreamingBody

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.base import OutsideLock, permission
from fakeaws.services.lambda_.async_queue import AsyncQueue
from fakeaws.services.lambda_.environments import (
    EnvironmentPool,
    Slot,
    execution_credential,
    log_stream_name,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.identity import Credential
    from fakeaws.services.lambda_.model import Function, Version

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024  # 6291456 bytes, request and response
RESPONSE_PAYLOAD_LIMIT = SYNC_PAYLOAD_LIMIT + 100  # what Lambda actually lets through
ASYNC_PAYLOAD_LIMIT = 1024 * 1024  # Event invocations (InvokeAsync: 256 KB)
TAIL_BYTES = 4096  # LogType=Tail returns the last 4 KB of the log
_TRANSIENT = ("_pools", "_in_flight", "_pool_in_flight")


def invoke_resources(backend: Any, call: Call) -> list[str]:
    ref = backend.ref(call)
    qualifier = call.params.get("Qualifier") or ref.qualifier
    return [backend.function_arn(ref.name, qualifier)]


@dataclass
class Run:
    """One invocation on its way through an environment."""

    fn: Function
    version: Version
    qualifier: str | None  # as invoked: alias, version, or None
    event: Any
    request_id: str
    invoked_arn: str
    slot: Slot
    client_context: dict | None = None
    trace_id: str | None = None
    batch: list | None = None  # what an event source mapping put in the event
    pooled: bool = False  # counted against the account's unreserved pool


class Invocations(AsyncQueue):
    def _init_invocations(self) -> None:
        self._pools: dict[tuple[str, str], EnvironmentPool] = {}  # (function, version)
        self._in_flight: dict[str, int] = {}  # function -> invocations running now
        self._pool_in_flight = 0  # those of functions without reserved concurrency
        self._credentials: dict[tuple[str, str], Credential] = {}  # (role, function) -> keys

    # Environments hold live modules; a snapshot keeps the world, never them.
    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in _TRANSIENT}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._pools, self._in_flight, self._pool_in_flight = {}, {}, 0

    # -- operations ------------------------------------------------------------------------
    @permission("lambda:InvokeFunction", resources=invoke_resources)
    def invoke(self, call: Call) -> dict | OutsideLock:
        fn, qualifier, version, payload, kind = self._accepted(call, "Payload")
        if kind == "DryRun":
            return {"StatusCode": 204, "Payload": _body(b"")}
        if kind == "Event":
            self._check_size(payload, ASYNC_PAYLOAD_LIMIT, "Event")
            event = _parse_payload(payload)
            self.enqueue(fn, qualifier, event, payload, call.request_id)
            return {"StatusCode": 202, "Payload": _body(b"")}
        run = self._sync_run(call, fn, qualifier, version, payload)
        tail = call.params.get("LogType") == "Tail"
        return OutsideLock(lambda: self._respond(run, tail))

    @permission("lambda:InvokeFunction", resources=invoke_resources)
    def invoke_with_response_stream(self, call: Call) -> dict | OutsideLock:
        fn, qualifier, version, payload, kind = self._accepted(call, "Payload")
        if kind == "DryRun":
            return {"StatusCode": 204, "EventStream": EventStream([])}
        run = self._sync_run(call, fn, qualifier, version, payload)
        tail = call.params.get("LogType") == "Tail"
        return OutsideLock(lambda: self._respond_streaming(run, tail))

    def _accepted(self, call: Call, member: str):
        """What every invoke checks first: the function, the routed version, the payload."""
        fn, qualifier = self.lookup(call)
        payload = _payload_bytes(call.params.get(member))
        version = self._routed_version(fn, qualifier)
        self._check_invocable(fn, version, qualifier, call.operation)
        return (
            fn,
            qualifier,
            version,
            payload,
            call.params.get("InvocationType") or "RequestResponse",
        )

    def _sync_run(
        self, call: Call, fn: Function, qualifier: str | None, version: Version, payload: bytes
    ) -> Run:
        self._check_size(payload, SYNC_PAYLOAD_LIMIT, None)
        event = _parse_payload(payload)
        context = _client_context(call.params.get("ClientContext"))
        return self.start_run(fn, version, qualifier, event, call.request_id, context)

    @permission("lambda:InvokeFunction", resources=invoke_resources)
    def invoke_async(self, call: Call) -> dict:
        """The deprecated InvokeAsync: an Event invocation with a 256 KB limit."""
        fn, qualifier, _, payload, _ = self._accepted(call, "InvokeArgs")
        self._check_size(payload, 256 * 1024, "Event")
        self.enqueue(fn, qualifier, _parse_payload(payload), payload, call.request_id)
        return {"Status": 202}

    # -- routing and checks --------------------------------------------------------------
    def _routed_version(self, fn: Function, qualifier: str | None) -> Version:
        """The version an invocation runs: an alias's weights are drawn from ``cloud.random``."""
        alias = fn.aliases.get(qualifier) if qualifier else None
        if alias is not None and alias.weights:
            draw = self.cloud.random.random()
            for number, weight in alias.weights.items():
                if draw < weight:
                    return self.version_of(fn, number)
                draw -= weight
        return self.version_of(fn, qualifier)

    def _check_invocable(
        self, fn: Function, version: Version, qualifier: str | None, operation: str
    ) -> None:
        config = version.config
        state = config.get("State", "Active")
        if state != "Active":
            raise AWSError(
                "ResourceConflictException",
                "The operation cannot be performed at this time. The function is currently in "
                f"the following state: {state}",
                Type="User",
            )
        if config.get("PackageType") == "Image":
            raise UnsupportedOperation(
                "lambda",
                operation,
                f"function {fn.name} is a container image; fakeaws runs "
                "Python handlers from zip packages only",
            )
        runtime = config.get("Runtime", "")
        if not runtime.startswith("python"):
            raise UnsupportedOperation(
                "lambda",
                operation,
                f"function {fn.name} uses runtime {runtime}; fakeaws runs Python handlers only",
            )

    @staticmethod
    def _check_size(payload: bytes, limit: int, kind: str | None) -> None:
        if len(payload) <= limit:
            return
        if kind == "Event":
            message = (
                f"{len(payload)} byte payload is too large for the Event invocation type "
                f"(limit {limit} bytes)"
            )
        else:
            message = f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
        raise AWSError("RequestEntityTooLargeException", message, status=413)

    def _throttle_reason(self, fn: Function) -> str | None:
        """Why one more concurrent invocation of ``fn`` would be throttled, or None."""
        if fn.reserved_concurrency is not None:
            if self._in_flight.get(fn.name, 0) >= fn.reserved_concurrency:
                return "ReservedFunctionConcurrentInvocationLimitExceeded"
            return None
        limit = self.settings.account_concurrency
        in_pool = self._pool_in_flight
        # Reservations always leave at least min(100, limit) unreserved: no need to add them up
        # until the pool gets that busy.
        if in_pool < min(100, limit):
            return None
        reserved = sum(f.reserved_concurrency or 0 for f in self.functions.values())
        if in_pool >= limit - reserved:
            return "ConcurrentInvocationLimitExceeded"
        return None

    # -- running ---------------------------------------------------------------------------
    def start_run(
        self,
        fn: Function,
        version: Version,
        qualifier: str | None,
        event: Any,
        request_id: str,
        client_context: dict | None = None,
    ) -> Run:
        """Claim concurrency and an environment for one invocation (under the lock).

        Raises TooManyRequestsException when the function or the account is at
        its concurrency limit.
        """
        reason = self._throttle_reason(fn)
        if reason is not None:
            raise AWSError("TooManyRequestsException", "Rate Exceeded.", Reason=reason, Type="User")
        self._in_flight[fn.name] = self._in_flight.get(fn.name, 0) + 1
        pooled = fn.reserved_concurrency is None
        self._pool_in_flight += pooled
        slot = self._environment_for(fn, version, qualifier)
        invoked_arn = self.function_arn(fn.name, qualifier)
        return Run(
            fn,
            version,
            qualifier,
            event,
            request_id,
            invoked_arn,
            slot,
            client_context,
            self._trace_id(),
            pooled=pooled,
        )

    def execute(self, run: Run):
        """Run the handler (outside the lock), then hand the environment back."""
        try:
            result = run.slot.env.invoke(
                run.event,
                request_id=run.request_id,
                invoked_function_arn=run.invoked_arn,
                client_context=run.client_context,
                trace_id=run.trace_id,
            )
        except BaseException:
            with self.cloud.lock:
                self._finish(run, broken=True)
            raise
        with self.cloud.lock:
            self._finish(run, broken=False)
        return result

    def _finish(self, run: Run, broken: bool) -> None:
        name = run.fn.name
        self._in_flight[name] = max(0, self._in_flight.get(name, 0) - 1)
        self._pool_in_flight -= run.pooled
        current = self.functions.get(name)
        version = current.version(run.version.number) if current is not None else None
        # A reset environment (timeout, exit, failed init) re-initialises itself on its next
        # invocation in the same sandbox and log stream, as Lambda does: keep it.
        if broken or version is None or version.generation != run.slot.generation:
            run.slot.env.close()
            return
        pool = self._pools.setdefault((name, run.version.number), EnvironmentPool())
        pool.give_back(run.slot, self.cloud.clock.time())

    def _environment_for(self, fn: Function, version: Version, qualifier: str | None) -> Slot:
        pool = self._pools.setdefault((fn.name, version.number), EnvironmentPool())
        slot = pool.take(
            qualifier, version.generation, self.cloud.clock.time(), self.settings.idle_timeout
        )
        if slot is None:
            slot = Slot(self._new_environment(fn, version, "on-demand"), version.generation)
        return slot

    def _new_environment(self, fn: Function, version: Version, init_type: str):
        from fakeaws.services.lambda_.runtime import ExecutionEnvironment

        config = version.config
        logging_config = config.get("LoggingConfig") or {}
        group = logging_config.get("LogGroup") or f"/aws/lambda/{fn.name}"
        stream = log_stream_name(self.cloud, version.number)
        spec = self._runtime_spec(fn, version, group, init_type)
        logs = self.cloud.backend("logs", self.account_id, self.region)
        return ExecutionEnvironment(
            self.cloud,
            spec,
            log_stream=stream,
            log_sink=lambda events: logs.append(group, stream, events),
            echo=self.settings.echo_logs,
        )

    def _runtime_spec(self, fn: Function, version: Version, group: str, init_type: str):
        from fakeaws.services.lambda_.runtime import RuntimeSpec

        config = version.config
        logging_config = config.get("LoggingConfig") or {}
        credential = self._credentials.get((config["Role"], fn.name))
        if credential is None:
            credential = execution_credential(self.cloud, config["Role"], fn.name)
            self._credentials[(config["Role"], fn.name)] = credential
        layers = [(code.zip_file, code.sha256) for code in self._layer_code(version)]
        return RuntimeSpec(
            function_name=fn.name,
            version=version.number,
            function_arn=fn.arn,
            handler=config.get("Handler", ""),
            runtime=config.get("Runtime", ""),
            code=version.code.zip_file or b"",
            code_sha256=version.code.sha256,
            layers=layers,
            environment=dict((config.get("Environment") or {}).get("Variables") or {}),
            memory_mb=config.get("MemorySize", 128),
            timeout=float(config.get("Timeout", 3)),
            region=self.region,
            account_id=self.account_id,
            credentials=(
                credential.access_key_id,
                credential.secret_access_key,
                credential.session_token,
            ),
            log_group=group,
            log_format=logging_config.get("LogFormat", "Text"),
            application_log_level=logging_config.get("ApplicationLogLevel"),
            system_log_level=logging_config.get("SystemLogLevel"),
            initialization_type=init_type,
            architecture=(config.get("Architectures") or ["x86_64"])[0],
            allow_site_packages=self.settings.allow_site_packages,
            ephemeral_storage_mb=(config.get("EphemeralStorage") or {}).get("Size", 512),
        )

    def _layer_code(self, version: Version) -> list:
        if version.layer_code or not version.config.get("Layers"):
            return version.layer_code
        # Older records without the code at hand: resolve the ARNs now.
        return [self.layer_version_by_arn(layer["Arn"]).code for layer in version.config["Layers"]]

    def _trace_id(self) -> str:
        ids = self.cloud._ids
        now = int(self.cloud.clock.time())
        root = f"1-{now:08x}-{ids.getrandbits(96):024x}"
        return f"Root={root};Parent={ids.getrandbits(64):016x};Sampled=0;Lineage=1:{0:08x}:0"

    # -- responses -------------------------------------------------------------------------
    def _respond(self, run: Run, tail: bool) -> dict:
        result = self.execute(run)
        payload, function_error = _checked_response(result)
        out: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": run.version.number}
        if function_error:
            out["FunctionError"] = function_error
        if tail:
            out["LogResult"] = _tail(result.log_text)
        out["Payload"] = _body(payload)
        return out

    def _respond_streaming(self, run: Run, tail: bool) -> dict:
        result = self.execute(run)
        payload, function_error = _checked_response(result)
        events: list[dict] = []
        complete: dict[str, Any] = {}
        if function_error:
            body = json.loads(payload)
            complete["ErrorCode"] = body.get("errorType") or function_error
            complete["ErrorDetails"] = body.get("errorMessage", "")
        elif payload:
            events.append({"PayloadChunk": {"Payload": payload}})
        if tail:
            complete["LogResult"] = _tail(result.log_text)
        events.append({"InvokeComplete": complete})
        return {
            "StatusCode": 200,
            "ExecutedVersion": run.version.number,
            "ResponseStreamContentType": "application/octet-stream",
            "EventStream": EventStream(events),
        }

    # -- hooks from the control plane ------------------------------------------------------
    def on_function_changed(self, fn: Function) -> None:
        """$LATEST's code or configuration changed: its environments are stale."""
        pool = self._pools.pop((fn.name, "$LATEST"), None)
        if pool is not None:
            pool.close()

    def on_function_deleted(self, fn: Function, qualifier: str | None = None) -> None:
        for key in [k for k in self._pools if k[0] == fn.name]:
            if qualifier is None or key[1] == qualifier:
                self._pools.pop(key).close()

    def on_provisioned_concurrency_changed(self, fn: Function, qualifier: str) -> None:
        for pool in (p for (name, _), p in self._pools.items() if name == fn.name):
            pool.drop_provisioned(qualifier)
        config = fn.provisioned.get(qualifier)
        if config is not None:
            self.cloud.scheduler.call_later(
                self.settings.provisioning_delay,
                self._provision,
                fn.name,
                qualifier,
                config.get("LastModified"),
                name="lambda provisioned concurrency",
                locked=False,
            )

    def _provision(self, name: str, qualifier: str, stamp: Any) -> None:
        """Initialise the requested environments (user code: runs outside the lock)."""
        with self.cloud.lock:
            fn = self.functions.get(name)
            config = fn.provisioned.get(qualifier) if fn is not None else None
            if config is None or config.get("LastModified") != stamp:
                return  # deleted or replaced meanwhile
            version = self.version_of(fn, qualifier)
            wanted = config.get("RequestedProvisionedConcurrentExecutions", 0)
            envs = [
                self._new_environment(fn, version, "provisioned-concurrency") for _ in range(wanted)
            ]
        errors = [e.initialize().error for e in envs]
        with self.cloud.lock:
            if fn.provisioned.get(qualifier) is not config:
                for env in envs:
                    env.close()
                return
            failed = next((e for e in errors if e), None)
            if failed is not None:
                for env in envs:
                    env.close()
                config.update(
                    Status="FAILED",
                    StatusReason=f"FUNCTION_ERROR_INIT_FAILURE: {failed.get('errorMessage', '')}",
                )
                return
            pool = self._pools.setdefault((fn.name, version.number), EnvironmentPool())
            now = self.cloud.clock.time()
            for env in envs:
                slot = Slot(env, version.generation, provisioned_for=qualifier, last_used=now)
                pool.give_back(slot, now)
            config.update(
                Status="READY",
                AvailableProvisionedConcurrentExecutions=wanted,
                AllocatedProvisionedConcurrentExecutions=wanted,
            )
            config.pop("StatusReason", None)


class EventStream:
    """The parsed event stream of InvokeWithResponseStream: iterate it for event dicts."""

    def __init__(self, events: list[dict]) -> None:
        self._events = events

    def __iter__(self):
        return iter(self._events)

    def close(self) -> None:
        pass


def _payload_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    data = value.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _parse_payload(payload: bytes) -> Any:
    if not payload.strip():
        return {}
    try:
        return json.loads(payload, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise AWSError(
            "InvalidRequestContentException",
            f"Could not parse request body into json: Could not parse payload into json: {err}",
            Type="User",
        ) from None


def _refuse_constant(token: str) -> None:
    raise ValueError(f"Non-standard token '{token}'")  # NaN and Infinity are not JSON


def _client_context(value: str | None) -> dict | None:
    if not value:
        return None
    try:
        context = json.loads(base64.b64decode(value, validate=True))
        if not isinstance(context, dict):
            raise ValueError
        return context
    except (ValueError, UnicodeDecodeError):
        raise AWSError(
            "InvalidRequestContentException",
            "Client context must be a valid Base64-encoded JSON object.",
            Type="User",
        ) from None


def _checked_response(result: Any) -> tuple[bytes, str | None]:
    """The payload and function error the caller gets, with Lambda's response size limit."""
    if len(result.payload) > RESPONSE_PAYLOAD_LIMIT:
        body = {
            "errorMessage": "Response payload size exceeded maximum allowed payload size "
            f"({RESPONSE_PAYLOAD_LIMIT} bytes).",
            "errorType": "Function.ResponseSizeTooLarge",
        }
        return json.dumps(body).encode(), "Unhandled"
    return result.payload, result.function_error


def _tail(log_text: str) -> str:
    return base64.b64encode(log_text.encode("utf-8")[-TAIL_BYTES:]).decode("ascii")


def _body(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))
