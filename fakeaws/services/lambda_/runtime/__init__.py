"""The in-process Python runtime of the fake Lambda service.

Everything that happens inside one execution environment: the function's
code on disk, its private module namespace, the init (cold start), the
handler call with its context, the result's marshalling, errors, timeouts,
and the log stream's lines, as AWS's Python runtime (``awslambdaric``) and
the Lambda platform produce them. The Lambda API (``Invoke``...) lives
elsewhere and drives this through the interface below.

Interface
=========

::

    from fakeaws.services.lambda_.runtime import (
        RuntimeSpec, ExecutionEnvironment, InvokeResult, InitResult, SandboxTimeout, build_zip,
    )

    spec = RuntimeSpec(                     # frozen: fixed for an environment's whole life
        function_name="orders", handler="app.handler", code=zip_bytes,
        runtime="python3.12", version="$LATEST",
        function_arn="",                    # "" = arn:aws:lambda:<region>:<account>:function:<name>
        code_sha256="",                     # "" = base64 SHA-256 of code (the extraction cache key)
        layers=[(zip_bytes, sha256), ...],  # in the function's layer order
        environment={"TABLE": "t"}, memory_mb=128, timeout=3.0,   # any positive float
        region="us-east-1", account_id="123456789012",
        credentials=("ASIA...", "secret", "token"),
        log_group="",                       # "" = /aws/lambda/<name>
        log_format="Text" | "JSON", application_log_level=None | "INFO"...,
        system_log_level=None | "INFO"..., initialization_type="on-demand"
        | "provisioned-concurrency", architecture="x86_64", allow_site_packages=False,
        ephemeral_storage_mb=512)

    env = ExecutionEnvironment(cloud, spec, log_stream=None, log_sink=None, *, echo=False)
        # log_stream: "2026/11/27/[$LATEST]<32 hex>" (made up from the cloud's clock if None)
        # log_sink(events: list[tuple[int, str]]): (epoch ms on cloud.clock, message) events,
        #   called once at the end of each init and each invocation
        # echo: also write every event to the test process's sys.stdout (pytest shows it)
    env.initialize() -> InitResult      # the cold start; a no-op (same result) once it ran
        # .duration_ms, .error (the error payload dict or None), .error_type,
        # .status ("success" | "error" | "timeout"), .phase ("init" | "invoke")
    env.invoke(event, request_id=None, invoked_function_arn=None, client_context=None,
               identity=None, trace_id=None, tenant_id=None) -> InvokeResult
        # event: the decoded JSON payload; client_context: the decoded ClientContext dict;
        # identity: {"cognitoIdentityId": ..., "cognitoIdentityPoolId": ...}
        # .payload (bytes), .function_error ("Unhandled" | None), .error_type,
        # .status ("success" | "error" | "timeout"), .duration_ms, .billed_duration_ms,
        # .init_duration_ms (the cold start's, on the invocation that did it, else None),
        # .max_memory_used_mb, .events (START..REPORT), .log_text (for LogType=Tail: take
        # its last 4 KB), .reset (the runtime was thrown away), .request_id
    env.reset()   # throw the runtime away: the next invoke starts a new one (INIT_START)
    env.close()   # drop the modules and everything else the environment holds
    env.state     # "new" | "ready" | "failed" | "reset" | "closed"

    build_zip(path=None, *, source=None, files=None, filename="lambda_function.py") -> bytes
        # a folder (recursive, without __pycache__) or a file, plus source text as
        # filename, plus {relative path: str | bytes}; fixed timestamps and order, so
        # the same input always has the same CodeSha256

What the invoke layer must do
-----------------------------

* Run one invocation at a time per environment; call ``invoke`` in the
  caller's thread, outside the cloud's lock (handlers call boto3, and may
  invoke other functions: nested invocations recurse on the same thread).
* Cold start: ``initialize()`` then ``invoke()`` (``invoke`` initializes by
  itself if needed). An init error is not raised: ``initialize()`` reports
  it, and ``invoke`` retries the init within the invocation, as Lambda does,
  then returns the error payload with ``function_error="Unhandled"``.
* ``result.reset`` is True after a timeout, an exit (``Runtime.ExitError``)
  or a failed init: the runtime is gone. The environment can be invoked
  again (it re-initializes: a new ``INIT_START``, in the same log stream, as
  Lambda does) or closed and replaced, as the invoke layer prefers.
* ``invoke`` raises only ``RuntimeError`` (closed environment),
  ``BaseException``s of the test process (``KeyboardInterrupt``, pytest's
  outcomes: never swallowed; ``os._exit(n)``, the function's own
  ``BaseException`` classes, ``GeneratorExit`` and exceptions whose ``str()``
  fails end the runtime instead, as ``Runtime.ExitError``), and
  :class:`SandboxTimeout` when an *outer* invocation on the same thread times
  out while this one runs (the inner environment is then reset): release
  bookkeeping in ``finally`` and let it propagate.
* ``payload`` is the response as AWS returns it: ``null`` for None, the
  handler's bytes as they are, JSON with ``", "``/``": "`` separators from
  the runtime, compact JSON for errors the service writes (``Sandbox.Timedout``,
  ``Runtime.ExitError``).

How it works
============

* ``code.py``: zips extracted once per process under a temporary directory
  (keyed by SHA-256, cleaned at exit; one directory per process, so
  pytest-xdist workers never share one); layers merged into one ``/opt``-like
  directory, later layers overwriting earlier ones; ``build_zip``.
* ``isolation.py``: each environment is a private module namespace: its
  modules never enter ``sys.modules``, its code's ``import`` statements
  resolve in its own table through a per-environment ``__import__``.
* ``facades.py``: the environment's ``os``, ``sys``, ``boto3``, ``logging``,
  ``time`` and ``importlib``.
* ``environment.py``: phases, the handler call, errors, timeouts, durations.
* ``context.py``, ``marshal.py``, ``logformat.py``, ``logs.py``,
  ``watchdog.py``: the context object, result encoding, exact log lines,
  where output goes, and the real-time timeout thread.

Timeouts
--------

An invocation's elapsed time is real time plus the virtual time its thread
slept (``time.sleep`` in a handler advances ``cloud.clock`` through
``cloud.sleep``). Three guards: a sleep past the deadline advances the clock
only to the deadline and stops the handler; a handler that returns after its
deadline has timed out (its result is discarded); a single watchdog thread
raises :class:`SandboxTimeout` (a ``BaseException``) into a handler still
running in real time past its timeout. The init phase has its own 10-second
limit. Debuggers (pdb, debugpy) turn the watchdog off.

LIMITATIONS
===========

* The Python version is the test process's, whatever ``runtime`` says
  (``runtime`` still sets ``AWS_EXECUTION_ENV``, the layer folder
  ``python/lib/python3.X/site-packages`` and the marshaller's ``ensure_ascii``).
  Compiled extension modules shipped in a zip load only if built for it, and
  load once per process.
* Shared modules (the standard library, boto3, botocore...) are the test
  process's: what they print goes to the process's real stdout/stderr
  (``warnings``, ``subprocess``, ``contextlib.redirect_stdout``...), they read
  the process's real ``os.environ`` (botocore's settings other than keys and
  region, ``os.path.expandvars``, child processes), and ``logging`` records of
  shared libraries (botocore's) go to the process's loggers, not the
  function's log. ``traceback``, ``pprint``, ``dataclasses`` and
  ``logging.config`` run as private copies so that they print to, and look
  modules up in, the function's environment.
* A function's modules are not in the process's ``sys.modules``: ``pickle``
  cannot pickle their classes, and stdlib helpers that import by name
  (``importlib.resources.files("pkg")``, ``importlib.metadata``,
  ``unittest.mock.patch("app.x")``, ``pkgutil``) do not see them.
* ``sys.meta_path``, ``sys.path_hooks``, ``logging.setLogRecordFactory`` and
  ``warnings`` filters are the process's own; changing them from a handler
  changes the test process.
* ``/tmp`` is the real ``/tmp``, shared by all environments; the task root
  and the layers' directory are shared by the environments of the same code:
  ``open()`` refuses to write there (``[Errno 30] Read-only file system``, as
  on AWS), but ``os``/``pathlib``/``shutil`` writes are not stopped. The
  working directory is the process's: only ``open()`` and ``os.getcwd()`` see
  the task root as Lambda's working directory.
  Literal ``/var/task`` and ``/opt`` paths do not exist.
* ``time.sleep`` is virtual: a loop polling for work done by another thread
  in real time burns through the timeout fast. Everything else in ``time``
  (and ``datetime.now``) is real time. ``asyncio.sleep`` sleeps for real.
* ``os.putenv``/``os.unsetenv`` change the environment's variables (on AWS
  they change only what child processes inherit).
* Max Memory Used is a fixed estimate (40 MB, at most the memory size); X-Ray
  REPORT fields and segments are not written.
* The watchdog can only interrupt Python bytecode: a handler blocked inside a
  C call stops when that call returns.
* Imports are serialized within an environment (one lock, held while a
  module's code runs): module code that waits for a thread which imports
  something deadlocks.
* Error stack traces hold the real paths of the extracted code (not
  ``/var/task/...``), and an init error's trace shows the function's frames
  only (AWS also shows importlib's frames).
* Exact texts were matched where a source exists (``awslambdaric`` and log
  streams captured from real functions); a few platform lines have no public
  source and are best guesses: the ``platform.initReport`` record, the JSON
  ``status`` of a failed function invocation (``success``, as for text logs),
  the position of the ``Task timed out`` line (before ``END``), and the
  ``requestId`` in an init error payload (the invocation's id).
"""

from fakeaws.services.lambda_.runtime.code import build_zip
from fakeaws.services.lambda_.runtime.environment import (
    ExecutionEnvironment,
    InitResult,
    InvokeResult,
)
from fakeaws.services.lambda_.runtime.spec import RuntimeSpec
from fakeaws.services.lambda_.runtime.watchdog import SandboxTimeout

__all__ = [
    "ExecutionEnvironment",
    "InitResult",
    "InvokeResult",
    "RuntimeSpec",
    "SandboxTimeout",
    "build_zip",
]
