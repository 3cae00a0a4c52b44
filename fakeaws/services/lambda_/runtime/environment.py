"""One execution environment: a function's runtime, initialized once and invoked many times.

:class:`ExecutionEnvironment` plays both the Lambda platform (phases, time
limits, ``START``/``END``/``REPORT``, durations and billing) and the Python
runtime (``awslambdaric``: handler loading and its errors, the context, the
result's marshalling, error payloads and the ``[ERROR]`` log event). The
function's code runs in a :class:`Sandbox`: the private module namespace,
variables, streams and logging of one runtime process. A timeout or an exit
throws the sandbox away; the next invocation starts a new one (a new init),
in the same log stream, as Lambda resets an environment.
"""

from __future__ import annotations

import builtins
import errno
import inspect
import logging
import math
import os
import sys
import threading
import time
import traceback
from typing import TYPE_CHECKING, Any

from fakeaws.services.lambda_.runtime import logformat
from fakeaws.services.lambda_.runtime.code import code_dir, layers_dir
from fakeaws.services.lambda_.runtime.context import LambdaContext
from fakeaws.services.lambda_.runtime.facades import (
    Environ,
    make_boto3,
    make_importlib,
    make_logging,
    make_os,
    make_sys,
    make_time,
)
from fakeaws.services.lambda_.runtime.isolation import Importer, new_builtins
from fakeaws.services.lambda_.runtime.logs import LambdaHandler, LogSink, LogStream, lambda_level
from fakeaws.services.lambda_.runtime.marshal import (
    MarshalError,
    ensure_ascii_for,
    marshal_response,
    to_json,
)
from fakeaws.services.lambda_.runtime.spec import INIT_TIMEOUT, RuntimeSpec
from fakeaws.services.lambda_.runtime.watchdog import SandboxTimeout, Token, watchdog

if TYPE_CHECKING:
    from fakeaws.cloud import Cloud

# The runtime's error types (awslambdaric/lambda_runtime_exception.py) and the platform's.
MARSHAL_ERROR = "Runtime.MarshalError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
EXIT_ERROR = "Runtime.ExitError"
TIMED_OUT = "Sandbox.Timedout"

# awslambdaric/lambda_literals.py: logged (logging.warning) when the init fails.
LAMBDA_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function "
    "code. However, in rare cases, a Lambda runtime update can cause unexpected function "
    "behavior. For functions using managed runtimes, runtime updates can be triggered by a "
    "function change, or can be applied automatically. To determine if the runtime has been "
    "updated, check the runtime version in the INIT_START log entry. If this error correlates "
    "with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)

# What "Max Memory Used" reports: the process is shared, so there is nothing to measure;
# a Python runtime with a small function uses about this much.
BASE_MEMORY_MB = 40

# Frames of fakeaws itself (the runtime, the interceptor a handler's boto3 call goes
# through) are left out of error stack traces: on AWS they would be botocore's only.
_FAKEAWS_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 3)) + os.sep
_WRITE_MODES = frozenset("wax+")  # the letters of open() modes that write
_slept = threading.local()  # virtual seconds each thread has slept through time.sleep


def _thread_slept() -> float:
    return getattr(_slept, "total", 0.0)


class Fault(Exception):
    """An error the runtime reports with its own type (awslambdaric's ``FaultException``)."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def make_error(
    message: str | None, error_type: str | None, trace: list[str] | None, request_id: str | None
) -> dict[str, Any]:
    """The runtime's error payload (``make_error``)."""
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": trace or [],
    }


def _fault_result(exc: BaseException, request_id: str | None) -> dict[str, Any]:
    """``build_fault_result``/the invoke error: the user's frames, formatted as the runtime does."""
    frames = _user_frames(exc)
    while frames and frames[0][0].startswith("<frozen importlib"):
        frames.pop(0)
    return make_error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def _user_frames(exc: BaseException) -> list[tuple[str, int | None, str, str | None]]:
    return [
        (f.filename, f.lineno, f.name, f.line)
        for f in traceback.extract_tb(exc.__traceback__)
        if not os.path.abspath(f.filename).startswith(_FAKEAWS_DIR)
    ]


def _crash_text(exc: BaseException) -> str:
    """What Python prints to stderr as an unhandled exception ends the runtime process."""
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(_user_frames(exc))]
    try:
        lines += traceback.format_exception_only(type(exc), exc)
    except Exception:  # noqa: BLE001 - str(exc) raised: Python prints what it can
        lines.append(f"{type(exc).__name__}: <exception str() failed>\n")
    return "".join(lines)


def _exit_status(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1


def _debugger_active() -> bool:
    """A debugger is stepping through the code: real-time timeouts would only get in its way."""
    tracer = sys.gettrace()
    owner = getattr(tracer, "__self__", None)
    if owner is not None and type(owner).__module__ in ("bdb", "pdb"):
        return True
    return "pydevd" in sys.modules or "debugpy" in sys.modules


class InitResult:
    """How an init (a cold start) went."""

    __slots__ = ("duration_ms", "error", "error_type", "status", "phase")

    def __init__(self, duration_ms: float, error: dict | None, status: str, phase: str) -> None:
        self.duration_ms = duration_ms
        self.error = error  # the error payload (what the invoke returns), or None
        self.error_type = error["errorType"] if error else None
        self.status = status  # "success" | "error" | "timeout"
        self.phase = phase  # "init" | "invoke" (the retry of a failed init, within an invoke)

    def __repr__(self) -> str:
        return f"<InitResult {self.status} {self.duration_ms:.2f} ms {self.error_type or ''}>"


class InvokeResult:
    """What one invocation returned, and what it cost."""

    __slots__ = (
        "request_id",
        "payload",
        "function_error",
        "error_type",
        "status",
        "duration_ms",
        "billed_duration_ms",
        "init_duration_ms",
        "max_memory_used_mb",
        "reset",
        "events",
    )

    def __init__(
        self,
        request_id: str,
        payload: bytes,
        function_error: str | None,
        error_type: str | None,
        status: str,
        duration_ms: float,
        billed_duration_ms: int,
        init_duration_ms: float | None,
        max_memory_used_mb: int,
        reset: bool,
        events: list[tuple[int, str]],
    ) -> None:
        self.request_id = request_id
        self.payload = payload  # the response payload (JSON text, or the bytes returned)
        self.function_error = function_error  # "Unhandled" or None
        self.error_type = error_type  # "Runtime.ImportModuleError", "ValueError"... or None
        self.status = status  # "success" | "error" | "timeout"
        self.duration_ms = duration_ms
        self.billed_duration_ms = billed_duration_ms
        self.init_duration_ms = init_duration_ms  # on the invocation that did the cold start
        self.max_memory_used_mb = max_memory_used_mb
        self.reset = reset  # the runtime was thrown away (timeout, exit, failed init)
        self.events = events  # (epoch ms, message) of this invocation, START to REPORT

    @property
    def log_text(self) -> str:
        """This invocation's log (``START`` to ``REPORT``), as ``LogType=Tail`` shows it."""
        return "".join(m if m.endswith("\n") else m + "\n" for _, m in self.events)

    def __repr__(self) -> str:
        return (
            f"<InvokeResult {self.request_id} {self.status} {self.error_type or ''}"
            f" {self.duration_ms:.2f} ms>"
        )


class _Run(Token):
    """The init or invocation running in an environment: its time budget, on its thread.

    It is also the watchdog's token for it.
    """

    __slots__ = ("budget", "t0", "slept0")

    def __init__(self, budget: float) -> None:
        self.seconds = self.budget = budget
        self.thread_id = threading.get_ident()
        self.deadline = 0.0
        self.done = self.fired = False
        self.exc_type = None
        self.slept0 = getattr(_slept, "total", 0.0)
        self.t0 = time.perf_counter()

    def elapsed(self) -> float:
        return (time.perf_counter() - self.t0) + (getattr(_slept, "total", 0.0) - self.slept0)

    def remaining_ms(self) -> int:
        left = int((self.budget - self.elapsed()) * 1000)
        return left if left > 0 else 0


class Sandbox:
    """One runtime process: the function's modules, variables, streams and logging."""

    def __init__(self, env: ExecutionEnvironment) -> None:
        spec = env.spec
        self.env = env
        self.task_root = env.task_root
        self.request_id = ""
        self.tenant_id: str | None = None
        self.handler: Any = None
        self.environ = Environ(env.base_environ)
        self.stdout = LogStream(env.log, "stdout")
        self.stderr = LogStream(env.log, "stderr")
        self.builtins = new_builtins()
        self.root_logger = self._runtime_logging(env)
        path = [self.task_root]
        if env.opt_dir is not None:
            version = spec.python_version
            for folder in (f"python/lib/python{version}/site-packages", "python"):
                full = os.path.join(env.opt_dir, folder)
                if os.path.isdir(full):
                    path.append(full)
        facades = {
            "os": make_os(self),
            "sys": make_sys(self),
            "time": make_time(self),
            "importlib": make_importlib(self),
            "boto3": make_boto3(self),
            "logging": make_logging(self),
        }
        namespace = self.builtins.__dict__
        self.importer = Importer(path, facades, namespace, spec.allow_site_packages)
        namespace["__import__"] = self.importer.import_
        namespace["print"] = self._print
        namespace["open"] = self._open
        self.importer.modules["builtins"] = self.builtins

    def _runtime_logging(self, env: ExecutionEnvironment) -> logging.RootLogger:
        """The runtime's ``_setup_logging``, on a root logger of this sandbox's own."""
        root = logging.RootLogger(logging.WARNING)
        root.manager = logging.Manager(root)
        if env.spec.json_logs:
            formatter: logging.Formatter = logformat.JsonFormatter(env.now_ms)
        else:
            formatter = logformat.TextFormatter(env.now_ms)
        root.addHandler(LambdaHandler(env.log, formatter, self))
        level = lambda_level(self.environ.get("AWS_LAMBDA_LOG_LEVEL"))
        if level in logging._nameToLevel:
            root.setLevel(level)
        return root

    # -- builtins and time of the sandbox ----------------------------------------------------
    def _print(self, *args: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None,
               flush: bool = False) -> None:  # fmt: skip
        if file is None:
            facade = self.importer.modules.get("sys")
            file = facade.stdout if facade is not None else self.stdout
        builtins.print(*args, sep=sep, end=end, file=file, flush=flush)

    def _open(self, file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, os.PathLike)):
            # Lambda's working directory is the task root: relative paths are read from there.
            path = file if os.path.isabs(file) else os.path.join(self.task_root, file)
            # /var/task and /opt are read-only on AWS; here they are shared by every
            # environment (and test) of the same code: writing there must fail as on AWS.
            if isinstance(mode, str) and not _WRITE_MODES.isdisjoint(mode):
                self._check_writable(path, file)
            file = path
        return builtins.open(file, mode, *args, **kwargs)

    def _check_writable(self, path: Any, given: Any) -> None:
        real = os.path.realpath(path)
        for root in (self.task_root, self.env.opt_dir):
            if root is not None and (real == root or real.startswith(root + os.sep)):
                raise OSError(errno.EROFS, "Read-only file system", given)

    def sleep(self, seconds: float) -> None:
        """``time.sleep``: virtual time passes; a sleep past the deadline ends the invocation."""
        if isinstance(seconds, (str, bytes)):
            kind = type(seconds).__name__
            raise TypeError(f"'{kind}' object cannot be interpreted as an integer")
        seconds = float(seconds)
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        run = self.env._running
        if run is not None and run.thread_id == threading.get_ident():
            remaining = run.budget - run.elapsed()
            if seconds >= remaining:
                self.env._advance(max(0.0, remaining))
                exc = SandboxTimeout()
                exc.token = run
                raise exc
        self.env._advance(seconds)

    def load_handler(self, handler: str) -> Any:
        """The runtime's ``_get_handler``."""
        try:
            module_name, function_name = handler.rsplit(".", 1)
        except ValueError as exc:
            raise Fault(MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {exc}") from None
        try:
            if module_name.split(".")[0] in sys.builtin_module_names:
                raise Fault(
                    BUILT_IN_MODULE_CONFLICT,
                    f"Cannot use built-in module {module_name} as a handler module",
                )
            module = self.importer.import_module(module_name.replace("/", "."))
        except ImportError as exc:
            raise Fault(
                IMPORT_MODULE_ERROR, f"Unable to import module '{module_name}': {exc}"
            ) from None
        except SyntaxError as exc:
            trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
            raise Fault(
                USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{module_name}': {exc}", trace
            ) from None
        try:
            return getattr(module, function_name)
        except AttributeError:
            raise Fault(
                HANDLER_NOT_FOUND, f"Handler '{function_name}' missing on module '{module_name}'"
            ) from None

    def end_phase(self) -> None:
        self.stdout.end_phase()
        self.stderr.end_phase()

    def drop(self) -> None:
        self.end_phase()
        self.importer.drop()
        self.handler = None


class ExecutionEnvironment:
    """An execution environment of one function version (see the package docstring)."""

    def __init__(
        self,
        cloud: Cloud,
        spec: RuntimeSpec,
        log_stream: str | None = None,
        log_sink: Any = None,
        *,
        echo: bool = False,
    ) -> None:
        self.cloud = cloud
        self.spec = spec
        self._clock = cloud.clock
        self.log_stream = log_stream or _new_log_stream(cloud, spec)
        self.log = LogSink(
            self.now_ms,
            log_sink,
            echo,
            (spec.application_log_level or "INFO") if spec.json_logs else None,
        )
        self.task_root = code_dir(spec.code, spec.code_sha256)
        self.opt_dir = layers_dir(list(spec.layers))
        self.base_environ = _environ(spec, self.task_root, self.log_stream)
        self._json = spec.json_logs
        self._platform_info = not self._json or (spec.system_log_level or "INFO").upper() in (
            "DEBUG",
            "INFO",
        )
        self._ascii = ensure_ascii_for(spec.runtime)
        self._sandbox: Sandbox | None = None
        self._state = "new"  # new | ready | failed | reset | closed
        self._init_result: InitResult | None = None
        self._pending_init_ms: float | None = None
        self._running: _Run | None = None
        self.invocations = 0

    # -- public ---------------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def modules(self) -> dict[str, Any]:
        """The sandbox's module table (for inspection in tests)."""
        return self._sandbox.importer.modules if self._sandbox is not None else {}

    @property
    def environ(self) -> dict[str, str]:
        return self._sandbox.environ if self._sandbox is not None else dict(self.base_environ)

    def now_ms(self) -> int:
        return self._clock.millis()

    def initialize(self) -> InitResult:
        """Run the init phase (import the handler module), unless it already ran."""
        if self._state == "closed":
            raise RuntimeError("this execution environment is closed")
        if self._state in ("new", "reset"):
            return self._init("init", None)
        assert self._init_result is not None
        return self._init_result

    def invoke(
        self,
        event: Any,
        request_id: str | None = None,
        invoked_function_arn: str | None = None,
        client_context: dict | None = None,
        identity: dict | None = None,
        trace_id: str | None = None,
        tenant_id: str | None = None,
    ) -> InvokeResult:
        """Run the handler on ``event`` (initializing first if needed); see the package docs."""
        if self._state != "ready":
            if self._state == "closed":
                raise RuntimeError("this execution environment is closed")
            request_id = request_id or self.cloud.new_request_id()
            if self._state in ("new", "reset"):
                self._init("init", None)
            if self._state == "failed":
                init = self._init("invoke", request_id)
                if init.status != "success":
                    return self._failed_init(init, request_id)
                before_ms = init.duration_ms
            else:
                before_ms = 0.0
        else:
            request_id = request_id or self.cloud.new_request_id()
            before_ms = 0.0
        cold_ms = self._pending_init_ms
        self._pending_init_ms = None
        self.invocations += 1
        log = self.log
        sandbox = self._sandbox
        spec = self.spec
        environ = sandbox.environ  # type: ignore[union-attr]
        if trace_id:
            dict.__setitem__(environ, "_X_AMZN_TRACE_ID", trace_id)
        elif "_X_AMZN_TRACE_ID" in environ:
            del environ["_X_AMZN_TRACE_ID"]
        sandbox.request_id = request_id  # type: ignore[union-attr]
        sandbox.tenant_id = tenant_id  # type: ignore[union-attr]
        first = len(log.events)
        if self._platform_info:
            log.emit(logformat.start(self._clock.millis(), request_id, spec, self._json))
        run = _Run(spec.timeout - before_ms / 1000)
        context = LambdaContext(
            request_id,
            dict(client_context) if client_context is not None else None,
            identity,
            run.remaining_ms,
            invoked_function_arn or spec.function_arn,
            tenant_id,
            environ,
            log.emit,
        )
        self._running = run
        try:
            handler = sandbox.handler  # type: ignore[union-attr]
            payload, exc = self._call(run, _run_handler, handler, event, context, self._ascii)
        finally:
            self._running = None
        elapsed = run.elapsed()
        sandbox.end_phase()  # type: ignore[union-attr]
        if exc is None and elapsed <= run.budget:
            duration_ms = elapsed * 1000 + before_ms
            return self._finish(
                request_id, first, payload, "success", None, None, duration_ms, cold_ms
            )
        return self._failed(run, exc, elapsed, request_id, first, before_ms, cold_ms)

    def _failed(
        self,
        run: _Run,
        exc: BaseException | None,
        elapsed: float,
        request_id: str,
        first: int,
        before_ms: float,
        cold_ms: float | None,
    ) -> InvokeResult:
        """The handler raised, exited, timed out, or returned what cannot be marshalled."""
        if isinstance(exc, SandboxTimeout) and exc.token is not run:
            self._abandon()  # an outer invocation on this thread timed out: let it unwind
            raise exc
        if isinstance(exc, SandboxTimeout) or exc is None:
            payload = self._timeout_payload(request_id)
            duration_ms = run.budget * 1000 + before_ms
            return self._finish(
                request_id, first, payload, "timeout", TIMED_OUT, "Unhandled", duration_ms, cold_ms
            )
        duration_ms = elapsed * 1000 + before_ms
        if isinstance(exc, SystemExit):
            payload = self._exit(exc, request_id)
            error_type = EXIT_ERROR
        elif isinstance(exc, Fault):
            error = make_error(exc.message, exc.error_type, exc.trace, request_id)
            payload, error_type = self._report_error(error), exc.error_type
        elif (error := self._error_of(exc, request_id)) is not None:
            payload, error_type = self._report_error(error), error["errorType"]
        elif self._crashes(exc):
            payload, error_type = self._crash(exc, request_id), EXIT_ERROR
        else:  # KeyboardInterrupt, pytest's outcomes...: not the function's to handle
            self._abandon()
            raise exc
        status = "error" if error_type == EXIT_ERROR else "success"
        return self._finish(
            request_id, first, payload, status, error_type, "Unhandled", duration_ms, cold_ms
        )

    def reset(self) -> None:
        """Throw the runtime away: the next invocation initializes again (a new INIT_START)."""
        if self._state == "closed":
            return
        self._drop_sandbox("reset")
        self._pending_init_ms = None

    def close(self) -> None:
        """Drop the function's modules and everything the environment holds."""
        if self._state == "closed":
            return
        self._drop_sandbox("closed")

    def __repr__(self) -> str:
        return f"<ExecutionEnvironment {self.spec.function_name}:{self.spec.version} {self._state}>"

    # -- phases ---------------------------------------------------------------------------------
    def _init(self, phase: str, request_id: str | None) -> InitResult:
        spec = self.spec
        log = self.log
        if self._sandbox is not None:
            self._sandbox.drop()
        sandbox = self._sandbox = Sandbox(self)
        if phase == "init" and self._platform_info:
            log.emit(logformat.init_start(self.now_ms(), spec, self.log_stream, self._json))
        budget = INIT_TIMEOUT if phase == "init" else spec.timeout
        run = _Run(budget)
        self._running = run
        try:
            handler, exc = self._call(run, sandbox.load_handler, spec.handler)
        finally:
            self._running = None
        elapsed = run.elapsed()
        sandbox.end_phase()
        if isinstance(exc, SandboxTimeout) and exc.token is not run:
            self._abandon()
            raise exc
        error = None
        status = "success"
        if isinstance(exc, SandboxTimeout) or (exc is None and elapsed > budget):
            status = "timeout"
            elapsed = budget
        elif isinstance(exc, Fault):
            error = make_error(exc.message, exc.error_type, exc.trace, request_id)
        elif isinstance(exc, SystemExit):
            # Not the runtime's to catch: the process exits, and Lambda reports it.
            self._exit_output(exc)
            error = _exit_error(request_id, _exit_status(exc))
            status = "error"
        elif exc is not None and (error := self._error_of(exc, request_id)) is not None:
            pass
        elif exc is not None and self._crashes(exc):
            self._crash_output(exc)
            error = _exit_error(request_id, 1)
            status = "error"
        elif exc is not None:
            self._abandon()
            raise exc
        if error is not None and status == "success":
            status = "error"
            sandbox.root_logger.warning(LAMBDA_WARNING)
            log.emit(logformat.error_event(error, self._clock.time(), self._json, self._ascii))
        duration_ms = elapsed * 1000
        if status != "success" or phase == "invoke":
            line = logformat.init_report(
                self.now_ms(),
                spec,
                duration_ms,
                phase,
                status,
                error["errorType"] if error else None,
                self._json,
            )
            log.emit(line)
        if status == "success":
            sandbox.handler = handler
            self._state = "ready"
            if phase == "init" and spec.initialization_type != "provisioned-concurrency":
                self._pending_init_ms = duration_ms
        else:
            sandbox.drop()
            self._state = "failed"
        result = InitResult(duration_ms, error, status, phase)
        if phase == "init":
            self._init_result = result
            log.flush()
        return result

    def _failed_init(self, init: InitResult, request_id: str) -> InvokeResult:
        """The invocation whose (retried) init failed: its payload is the init's error."""
        log = self.log
        first = log.mark()
        if self._platform_info:
            log.emit(logformat.start(self.now_ms(), request_id, self.spec, self._json))
        if init.status == "timeout":
            payload = self._timeout_payload(request_id)
            error_type = TIMED_OUT
        elif init.error_type == EXIT_ERROR:  # the platform's report of a dead process
            assert init.error is not None
            payload = to_json_compact({"errorMessage": init.error["errorMessage"],
                                       "errorType": EXIT_ERROR})  # fmt: skip
            error_type = EXIT_ERROR
        else:
            assert init.error is not None
            payload = to_json(init.error, self._ascii).encode()
            error_type = init.error["errorType"]
        return self._finish(
            request_id, first, payload, init.status, error_type, "Unhandled", init.duration_ms, None
        )

    def _finish(
        self,
        request_id: str,
        first: int,
        payload: bytes,
        status: str,
        error_type: str | None,
        function_error: str | None,
        duration_ms: float,
        init_ms: float | None,
    ) -> InvokeResult:
        """END and REPORT, hand the logs over, and the result.

        ``status`` is the platform's: an error the function's code raised (and
        the runtime reported) is a successful run for it; ``error`` is an exit.
        """
        spec = self.spec
        log = self.log
        total = duration_ms + init_ms if init_ms is not None else duration_ms
        billed = math.ceil(round(total, 6)) or 1
        used = spec.memory_mb if spec.memory_mb < BASE_MEMORY_MB else BASE_MEMORY_MB
        ms = self._clock.millis()
        if self._platform_info or status != "success":
            line = logformat.report(
                ms,
                request_id,
                duration_ms,
                billed,
                spec.memory_mb,
                used,
                init_ms,
                status,
                error_type if status == "error" else None,
                self._json,
            )
            if self._json:
                log.emit(line, ms)
            else:
                log.emit_all(((ms, logformat.end(request_id)), (ms, line)))
        elif not self._json:
            log.emit(logformat.end(request_id), ms)
        events = log.flush()
        reset = status != "success" or self._state != "ready"
        if reset and self._state == "ready":
            self._sandbox.drop()  # type: ignore[union-attr]
            self._sandbox = None
            self._state = "reset"
        return InvokeResult(
            request_id,
            payload,
            function_error,
            error_type,
            "error" if function_error and status == "success" else status,
            duration_ms,
            billed,
            init_ms,
            used,
            reset,
            events[first:] if first else events,
        )

    # -- helpers --------------------------------------------------------------------------------
    def _call(self, run: _Run, fn: Any, *args: Any) -> tuple[Any, BaseException | None]:
        """``fn(*args)`` under the run's real-time watchdog: ``(result, exception raised)``."""
        armed = not _debugger_active()
        try:
            if armed:  # inside the try: a tiny budget may fire as soon as it is armed
                watchdog.arm(run)
            value = fn(*args)
            run.done = True
            raised = None
        except BaseException as exc:  # noqa: BLE001 - sorted out by the caller
            run.done = True
            value, raised = None, exc
        if armed:
            while True:
                try:
                    watchdog.disarm(run)
                    break
                except SandboxTimeout:  # delivered just before the watchdog let go
                    continue
        return value, raised

    def _advance(self, seconds: float) -> None:
        """Virtual time passes for the calling thread (a handler's ``time.sleep``)."""
        if seconds > 0:
            self.cloud.sleep(seconds)
            _slept.total = _thread_slept() + seconds
        time.sleep(0)  # let other threads run, as a real sleep would

    def _report_error(self, error: dict[str, Any]) -> bytes:
        self.log.emit(logformat.error_event(error, self._clock.time(), self._json, self._ascii))
        return to_json(error, self._ascii).encode()

    def _timeout_payload(self, request_id: str) -> bytes:
        if not self._json:
            self.log.emit(logformat.timed_out(self.now_ms(), request_id, self.spec.timeout))
        message = logformat.timeout_message(request_id, self.spec.timeout)
        return to_json_compact({"errorMessage": message, "errorType": TIMED_OUT})

    def _exit_output(self, exc: SystemExit) -> None:
        if exc.code is not None and not isinstance(exc.code, int):
            self.log.emit_output(f"{exc.code}\n")  # what Python prints (to stderr) as it exits

    def _exit(self, exc: SystemExit, request_id: str) -> bytes:
        status = _exit_status(exc)
        self._exit_output(exc)
        message = logformat.exit_message(request_id, status)
        self.log.emit(f"{message}\n{EXIT_ERROR}\n")
        return to_json_compact({"errorMessage": message, "errorType": EXIT_ERROR})

    def _error_of(self, exc: BaseException, request_id: str | None) -> dict[str, Any] | None:
        """The runtime's error payload for an exception the function raised, or None.

        None when the runtime would not catch it (not an ``Exception``), or
        could not describe it (its ``__str__`` raised): the process then dies.
        """
        if not isinstance(exc, Exception):
            return None
        try:
            return _fault_result(exc, request_id)
        except Exception:  # noqa: BLE001 - the runtime fails in turn, and exits
            return None

    def _crashes(self, exc: BaseException) -> bool:
        """Whether ``exc`` ends the runtime process (the function's doing), rather than the test.

        An ``Exception`` the runtime cannot describe, ``GeneratorExit``, or a
        ``BaseException`` class of the function's own. ``KeyboardInterrupt`` and
        the test process's own (pytest's outcomes) go on to the test.
        """
        if isinstance(exc, (Exception, GeneratorExit)):
            return True
        sandbox = self._sandbox
        module = sandbox.importer.modules.get(type(exc).__module__) if sandbox else None
        return module is not None and sandbox.importer.owns(module)  # type: ignore[union-attr]

    def _crash(self, exc: BaseException, request_id: str) -> bytes:
        """An exception the runtime does not survive: Python prints it, the process exits 1."""
        self._crash_output(exc)
        message = logformat.exit_message(request_id, 1)
        self.log.emit(f"{message}\n{EXIT_ERROR}\n")
        return to_json_compact({"errorMessage": message, "errorType": EXIT_ERROR})

    def _crash_output(self, exc: BaseException) -> None:
        for line in _crash_text(exc).splitlines(keepends=True):  # stderr, line by line
            self.log.emit_output(line)

    def _abandon(self) -> None:
        """The run was interrupted from outside: throw the sandbox away, keep the logs."""
        self._drop_sandbox("reset")

    def _drop_sandbox(self, state: str) -> None:
        if self._sandbox is not None:
            self._sandbox.drop()
            self._sandbox = None
        self.log.flush()
        self._state = state


def _run_handler(handler: Any, event: Any, context: LambdaContext, ensure_ascii: bool) -> bytes:
    """Call the handler and marshal its result, as one step (both count toward the timeout)."""
    result = handler(event, context)
    try:
        return marshal_response(result, ensure_ascii)
    except MarshalError as exc:
        if inspect.iscoroutine(result):
            result.close()  # an async handler: never awaited, as on AWS; no warning at exit
        raise Fault(MARSHAL_ERROR, str(exc)) from None


def _exit_error(request_id: str | None, status: int) -> dict[str, Any]:
    """The init error of a runtime process that exited (``Runtime.ExitError``)."""
    return make_error(logformat.exit_message(request_id, status), EXIT_ERROR, None, request_id)


def to_json_compact(value: dict[str, Any]) -> bytes:
    """A payload the Lambda service itself writes (Go's encoding/json: no spaces)."""
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _new_log_stream(cloud: Cloud, spec: RuntimeSpec) -> str:
    day = cloud.clock.now().strftime("%Y/%m/%d")
    return f"{day}/[{spec.version}]{cloud.new_request_id().replace('-', '')}"


def _environ(spec: RuntimeSpec, task_root: str, log_stream: str) -> dict[str, str]:
    """The variables Lambda defines in an execution environment, then the function's own."""
    key, secret, token = spec.credentials
    values = {
        "_HANDLER": spec.handler,
        "AWS_REGION": spec.region,
        "AWS_DEFAULT_REGION": spec.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": spec.initialization_type,
        "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_ACCESS_KEY": key,
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
        "LAMBDA_TASK_ROOT": task_root,
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        "LD_LIBRARY_PATH": (
            f"/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:{task_root}:"
            f"{task_root}/lib:/opt/lib"
        ),
        "PYTHONPATH": "/var/runtime",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
        "_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
        "_AWS_XRAY_DAEMON_PORT": "2000",
    }
    if token:
        values["AWS_SESSION_TOKEN"] = token
    if spec.json_logs:
        values["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        values["AWS_LAMBDA_LOG_LEVEL"] = (spec.application_log_level or "INFO").upper()
    values.update(spec.environment)
    return values
