"""The exact text of what a Python function's log stream holds.

Two writers put lines in a Lambda log stream: the platform (``INIT_START``,
``START``, ``END``, ``REPORT``, ``INIT_REPORT`` and the timeout line; JSON
records ``platform.*`` when the function's log format is JSON) and the Python
runtime (``awslambdaric``: ``logging`` records in its text or JSON format,
and the ``[ERROR]`` event of an unhandled error). Sources of the formats:

* runtime: ``awslambdaric/bootstrap.py`` (``_setup_logging``: the text format
  ``[%(levelname)s]\\t%(asctime)s.%(msecs)03dZ\\t%(aws_request_id)s\\t%(message)s\\n``
  with ``time.gmtime``; ``log_error``; ``ERROR_LOG_IDENT`` = U+00A0) and
  ``awslambdaric/lambda_runtime_log_utils.py`` (``JsonFormatter``).
* platform: log streams captured from real functions in 2025-2026: text
  ``REPORT RequestId: <id>\\tDuration: 3262.82 ms\\tBilled Duration: 3263 ms\\t
  Memory Size: 128 MB\\tMax Memory Used: 118 MB\\tInit Duration: 1017.49 ms\\t\\n``,
  ``INIT_START Runtime Version: python:3.13.v43\\tRuntime Version ARN: arn:aws:lambda:
  eu-west-2::runtime:<64 hex>\\n``; ``... Max Memory Used: 147 MB\\tStatus: timeout\\n``;
  ``INIT_REPORT Init Duration: 150.79 ms\\tPhase: init\\tStatus: error\\tError Type: ...``;
  JSON ``{"time":"...","type":"platform.report","record":{"requestId":...,"metrics":
  {"durationMs":3923.569,"billedDurationMs":4069,"memorySizeMB":256,"maxMemoryUsedMB":118,
  "initDurationMs":145.399},"status":"success"}}`` (billed = duration + init, rounded up:
  Lambda bills the init phase since August 2025).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import traceback
from typing import Any

from fakeaws.arns import partition_of
from fakeaws.services.lambda_.runtime.marshal import to_json

ERROR_LOG_IDENT = "\u00a0"  # the runtime indents traceback lines with NO-BREAK SPACEs
RUNTIME_BUILD = 64  # the ".vNN" of the runtime version INIT_START reports

# Lambda's application log levels, and how Python's level names map onto them.
LEVELS = {"TRACE": 0, "DEBUG": 1, "INFO": 2, "WARN": 3, "ERROR": 4, "FATAL": 5}
PYTHON_LEVEL = {"WARNING": "WARN", "CRITICAL": "FATAL"}


def iso_ms(ms: int) -> str:
    """``2026-11-27T04:41:36.123Z`` for epoch milliseconds."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def runtime_version(runtime: str) -> str:
    """``python:3.12.v64`` for ``python3.12``."""
    return f"python:{runtime.removeprefix('python')}.v{RUNTIME_BUILD}"


def runtime_version_arn(runtime: str, region: str) -> str:
    digest = hashlib.sha256(runtime_version(runtime).encode()).hexdigest()
    return f"arn:{partition_of(region)}:lambda:{region}::runtime:{digest}"


def _record(ms: int, kind: str, record: dict[str, Any]) -> str:
    return json.dumps(
        {"time": iso_ms(ms), "type": kind, "record": record},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _metrics(duration_ms: float, billed_ms: int, memory_mb: int, used_mb: int) -> dict:
    return {
        "durationMs": round(duration_ms, 3),
        "billedDurationMs": billed_ms,
        "memorySizeMB": memory_mb,
        "maxMemoryUsedMB": used_mb,
    }


# -- platform lines ------------------------------------------------------------------------


def init_start(ms: int, spec: Any, log_stream: str, json_format: bool) -> str:
    version = runtime_version(spec.runtime)
    arn = runtime_version_arn(spec.runtime, spec.region)
    if not json_format:
        return f"INIT_START Runtime Version: {version}\tRuntime Version ARN: {arn}\n"
    day, _, rest = log_stream.partition("/[")
    return _record(
        ms,
        "platform.initStart",
        {
            "initializationType": spec.initialization_type,
            "phase": "init",
            "runtimeVersion": version,
            "runtimeVersionArn": arn,
            "functionName": spec.function_name,
            "functionVersion": spec.version,
            "instanceId": f"{day}/{spec.function_name}[{rest}" if rest else log_stream,
            "instanceMaxMemory": spec.memory_mb * 1024 * 1024,
        },
    )


def init_report(
    ms: int,
    spec: Any,
    duration_ms: float,
    phase: str,
    status: str,
    error_type: str | None,
    json_format: bool,
) -> str:
    if not json_format:
        line = f"INIT_REPORT Init Duration: {duration_ms:.2f} ms\tPhase: {phase}\tStatus: {status}"
        if error_type:
            line += f"\tError Type: {error_type}"
        return line + "\n"
    record: dict[str, Any] = {
        "initializationType": spec.initialization_type,
        "phase": phase,
        "status": status,
    }
    if error_type:
        record["errorType"] = error_type
    record["metrics"] = {"durationMs": round(duration_ms, 3)}
    return _record(ms, "platform.initReport", record)


def start(ms: int, request_id: str, spec: Any, json_format: bool) -> str:
    if not json_format:
        return f"START RequestId: {request_id} Version: {spec.version}\n"
    record = {"requestId": request_id, "functionArn": spec.function_arn, "version": spec.version}
    return _record(ms, "platform.start", record)


def end(request_id: str) -> str:
    return f"END RequestId: {request_id}\n"  # text only: JSON streams have no end record


def report(
    ms: int,
    request_id: str,
    duration_ms: float,
    billed_ms: int,
    memory_mb: int,
    used_mb: int,
    init_ms: float | None,
    status: str,
    error_type: str | None,
    json_format: bool,
) -> str:
    if not json_format:
        line = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {billed_ms} ms\tMemory Size: {memory_mb} MB\t"
            f"Max Memory Used: {used_mb} MB\t"
        )
        if init_ms is not None:
            line += f"Init Duration: {init_ms:.2f} ms\t"
        if status == "success":
            return line + "\n"
        line += f"Status: {status}"
        if error_type:
            line += f"\tError Type: {error_type}"
        return line + "\n"
    metrics = _metrics(duration_ms, billed_ms, memory_mb, used_mb)
    if init_ms is not None:
        metrics["initDurationMs"] = round(init_ms, 3)
    record: dict[str, Any] = {"requestId": request_id, "metrics": metrics, "status": status}
    if error_type:
        record["errorType"] = error_type
    return _record(ms, "platform.report", record)


def timed_out(ms: int, request_id: str, seconds: float) -> str:
    """The platform's text line when it stops an invocation."""
    return f"{iso_ms(ms)} {request_id} Task timed out after {seconds:.2f} seconds\n"


def timeout_message(request_id: str, seconds: float) -> str:
    """The ``errorMessage`` of a ``Sandbox.Timedout`` invocation."""
    return f"RequestId: {request_id} Error: Task timed out after {seconds:.2f} seconds"


def exit_message(request_id: str | None, status: int) -> str:
    prefix = f"RequestId: {request_id} " if request_id else ""
    return f"{prefix}Error: Runtime exited with error: exit status {status}"


# -- the runtime's own lines ----------------------------------------------------------------


def error_event(error: dict[str, Any], now: float, json_format: bool, ensure_ascii: bool) -> str:
    """``log_error`` of the runtime: one event for an unhandled error (no trailing newline)."""
    if json_format:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
        return to_json({"timestamp": stamp, "level": "ERROR", **error}, ensure_ascii)
    description = "[ERROR]"
    error_type = error.get("errorType")
    if error_type:
        description += " " + error_type
    message = error.get("errorMessage")
    if message:
        if error_type:
            description += ":"
        description += " " + message
    lines = [description]
    stack = error.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append(ERROR_LOG_IDENT * (len(line) - len(stripped)) + stripped)
    return "\n".join(lines)


class TextFormatter(logging.Formatter):
    """The runtime's text format for ``logging`` records, on the cloud's clock."""

    def __init__(self, now_ms: Any) -> None:
        super().__init__()
        self._now_ms = now_ms

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        stamp = iso_ms(self._now_ms())
        text = (
            f"[{record.levelname}]\t{stamp}\t{getattr(record, 'aws_request_id', '')}\t"
            f"{record.message}\n"
        )
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text += record.exc_text
        if record.stack_info:
            if text[-1:] != "\n":
                text += "\n"
            text += self.formatStack(record.stack_info)
        return text


_RESERVED = frozenset(
    {
        "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module",
        "exc_info", "exc_text", "stack_info", "lineno", "funcName", "created", "msecs",
        "relativeCreated", "thread", "threadName", "processName", "process",
        "aws_request_id", "tenant_id", "_frame_type",
    }
)  # fmt: skip
_json_records = json.JSONEncoder(ensure_ascii=False)


class JsonFormatter(logging.Formatter):
    """The runtime's JSON format for ``logging`` records (``JsonFormatter``), on the cloud clock."""

    def __init__(self, now_ms: Any) -> None:
        super().__init__()
        self._now_ms = now_ms

    def format(self, record: logging.LogRecord) -> str:
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc = record.exc_info
        result: dict[str, Any] = {
            "timestamp": iso_ms(self._now_ms()),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": f"{record.pathname}:{record.funcName}:{record.lineno}" if exc else None,
        }
        tenant = getattr(record, "tenant_id", None)
        if tenant is not None:
            result["tenantId"] = tenant
        for key, value in record.__dict__.items():
            if key not in _RESERVED and key not in result:
                result[key] = value
        result = {k: v for k, v in result.items() if v is not None}
        return _json_records.encode(result) + "\n"


def record_level(text: str) -> int | None:
    """Lambda's level of a JSON log line (None: not JSON, or no level Lambda knows)."""
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    level = value.get("level")
    if not isinstance(level, str):
        return None
    level = level.upper()
    return LEVELS.get(PYTHON_LEVEL.get(level, level))
