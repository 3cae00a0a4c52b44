"""The in-process Python runtime, through its own interface (no Lambda API involved).

Execution environments run real function code in private module namespaces;
these tests check what the code sees (modules, variables, context, boto3,
time) and what AWS would report (payloads, error types, log lines).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import sys
import threading
import zipfile

import boto3
import pytest

from fakeaws import mock_serverless
from fakeaws.identity import Credential, Principal
from fakeaws.services.lambda_.runtime import (
    ExecutionEnvironment,
    RuntimeSpec,
    SandboxTimeout,
    build_zip,
)

REPORT = re.compile(
    r"REPORT RequestId: (?P<id>[0-9a-f-]{36})\tDuration: (?P<duration>\d+\.\d{2}) ms\t"
    r"Billed Duration: (?P<billed>\d+) ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t"
    r"(?:Init Duration: (?P<init>\d+\.\d{2}) ms\t)?\n"
)


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region="us-east-1") as cloud:
        yield cloud


def layer(files: dict[str, str]) -> tuple[bytes, str]:
    """A layer as the spec takes it: (zip, SHA-256), the SHA being the extraction cache key."""
    content = build_zip(files=files)
    return content, hashlib.sha256(content).hexdigest()


_NO_EVENT = object()


class Fn:
    """An execution environment and the log events it wrote."""

    def __init__(self, cloud, files=None, handler="app.handler", source=None, **spec):
        if source is not None:
            files = {**(files or {}), "app.py": source}
        spec.setdefault("function_name", "fn")
        self.spec = RuntimeSpec(handler=handler, code=build_zip(files=files), **spec)
        self.events: list[tuple[int, str]] = []
        self.env = ExecutionEnvironment(cloud, self.spec, log_sink=self.events.extend)

    def invoke(self, event=_NO_EVENT, **kwargs):
        return self.env.invoke({} if event is _NO_EVENT else event, **kwargs)

    def call(self, event=_NO_EVENT, **kwargs):
        """The handler's decoded result; fails the test on any error."""
        result = self.invoke(event, **kwargs)
        assert result.function_error is None, result.payload
        return json.loads(result.payload)

    @property
    def messages(self) -> list[str]:
        return [message for _, message in self.events]


@pytest.fixture
def fn(cloud):
    made: list[Fn] = []

    def make(*args, **kwargs) -> Fn:
        made.append(Fn(cloud, *args, **kwargs))
        return made[-1]

    yield make
    for f in made:
        f.env.close()


# -- isolation ---------------------------------------------------------------------------------


def test_two_environments_each_see_their_own_module_of_the_same_name(fn):
    source = "import util\ndef handler(event, context):\n    return util.NAME\n"
    one = fn(files={"util.py": "NAME = 'one'\n"}, source=source)
    two = fn(files={"util.py": "NAME = 'two'\n"}, source=source)
    assert one.call() == "one"
    assert two.call() == "two"
    assert one.call() == "one"


def test_the_test_process_never_sees_the_functions_modules(fn):
    before = dict(sys.modules)
    path = list(sys.path)
    f = fn(
        files={"util.py": "NAME = 1\n", "pkg/__init__.py": "", "pkg/mod.py": "X = 2\n"},
        source="import util, pkg.mod, json, dataclasses\ndef handler(e, c):\n    return 1\n",
    )
    assert f.call() == 1
    assert "util" not in sys.modules and "pkg" not in sys.modules and "app" not in sys.modules
    assert sys.modules.get("dataclasses") is before.get("dataclasses")
    assert sys.path == path
    assert not [entry for entry in sys.path_importer_cache if "fakeaws-lambda-" in entry]
    assert not {"util", "pkg", "pkg.mod", "app"} & set(sys.modules)
    assert set(f.env.modules) >= {"app", "util", "pkg", "pkg.mod"}


def test_sys_modules_and_sys_path_inside_are_the_environments(fn):
    f = fn(files={"vendor/extra.py": "V = 'vendored'\n"}, source="""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "vendor"))
import extra
def handler(event, context):
    return [extra.V, "app" in sys.modules, sys.modules["extra"].V, "json" in sys.modules]
""")  # fmt: skip
    assert f.call() == ["vendored", True, "vendored", True]
    assert "extra" not in sys.modules


def test_missing_dependency_is_an_import_module_error(fn):
    f = fn(source="import requests\ndef handler(event, context):\n    return 1\n")
    init = f.env.initialize()
    assert init.status == "error"
    assert init.error == {
        "errorMessage": "Unable to import module 'app': No module named 'requests'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }
    result = f.invoke(request_id="5a4d3b2c-1e0f-4a9b-8c7d-6e5f4a3b2c1d")
    assert result.function_error == "Unhandled"
    assert result.error_type == "Runtime.ImportModuleError"
    assert json.loads(result.payload) == {
        "errorMessage": "Unable to import module 'app': No module named 'requests'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "5a4d3b2c-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
        "stackTrace": [],
    }
    assert result.reset


def test_a_package_of_the_test_process_is_not_the_functions(fn):
    source = "import sortedcontainers\ndef handler(event, context):\n    return 1\n"
    import sortedcontainers  # noqa: F401 - installed in the test process

    result = fn(source=source).invoke()
    assert result.error_type == "Runtime.ImportModuleError"
    assert b"No module named 'sortedcontainers'" in result.payload
    assert fn(source=source, allow_site_packages=True).call() == 1


def test_runtime_packages_are_shared_even_when_the_zip_bundles_them(fn):
    f = fn(files={"botocore/__init__.py": "FAKE = True\n"}, source="""
import botocore, json
def handler(event, context):
    return [hasattr(botocore, "FAKE"), botocore.__version__ is not None]
""")  # fmt: skip
    assert f.call() == [False, True]


def test_a_function_module_can_take_a_standard_name_the_runtime_has_not_loaded(fn):
    f = fn(files={"secrets.py": "MINE = True\n"},
           source="import secrets\ndef handler(e, c):\n    return secrets.MINE\n")  # fmt: skip
    assert f.call() is True
    import secrets

    assert not hasattr(secrets, "MINE")


def test_packages_relative_imports_and_submodule_attributes(fn):
    f = fn(files={
        "shop/__init__.py": "from .orders import total\n__all__ = ['orders', 'prices']\n",
        "shop/orders.py": "from . import prices\nfrom .prices import TAX\n"
                          "def total(n):\n    return n * prices.UNIT + TAX\n",
        "shop/prices.py": "UNIT = 10\nTAX = 1\n",
        "shop/sub/__init__.py": "",
        "shop/sub/deep.py": "from ..prices import UNIT\nfrom .. import orders\nVALUE = UNIT\n",
    }, source="""
import shop.sub.deep
from shop import *
import importlib
def handler(event, context):
    return [shop.total(2), shop.sub.deep.VALUE, prices.UNIT, orders.total(1),
            importlib.import_module(".prices", "shop").TAX]
""")  # fmt: skip
    assert f.call() == [21, 10, 10, 11, 1]


def test_circular_imports_and_failed_imports(fn):
    f = fn(files={
        "a.py": "import b\nA = 'a'\ndef via_b():\n    return b.B\n",
        "b.py": "import a\nB = 'b'\ndef via_a():\n    return a.A\n",
        "broken.py": "import sys\nCOUNT = sys.modules.get('counter', 0)\nraise ValueError('no')\n",
    }, source="""
import a, b, sys
def handler(event, context):
    outcomes = []
    for _ in range(2):
        try:
            import broken
        except ValueError as exc:
            outcomes.append(str(exc))
    return [a.via_b(), b.via_a(), outcomes, "broken" in sys.modules]
""")  # fmt: skip
    assert f.call() == ["b", "a", ["no", "no"], False]


def test_layers_are_importable_and_later_layers_win(fn):
    first = layer({
        "python/shared.py": "WHO = 'first'\n",
        "python/only_first.py": "X = 1\n",
        "python/common/a.py": "A = 'a'\n",
    })  # fmt: skip
    second = layer({
        "python/shared.py": "WHO = 'second'\n",
        "python/lib/python3.12/site-packages/sitepkg.py": "S = 's'\n",
        "python/common/b.py": "B = 'b'\n",
    })  # fmt: skip
    source = """
import shared, only_first, sitepkg
from common import a, b
def handler(event, context):
    return [shared.WHO, only_first.X, sitepkg.S, a.A, b.B]
"""
    assert fn(source=source, layers=[first, second]).call() == ["second", 1, "s", "a", "b"]
    assert fn(source=source, layers=[second, first]).call()[0] == "first"
    assert "shared" not in sys.modules


def test_function_code_shadows_layers(fn):
    f = fn(
        files={"util.py": "WHO = 'code'\n"},
        layers=[layer({"python/util.py": "WHO = 'l'\n"})],
        source="import util\ndef handler(e, c):\n    return util.WHO\n",
    )
    assert f.call() == "code"


def test_namespace_package_spanning_code_and_layer(fn):
    f = fn(
        files={"ns/mine.py": "M = 'code'\n"},
        layers=[layer({"python/ns/lib.py": "L = 'layer'\n"})],
        source="from ns import lib, mine\ndef handler(e, c):\n    return [lib.L, mine.M]\n",
    )
    assert f.call() == ["layer", "code"]


def test_warm_state_persists_within_an_environment_not_across(fn):
    source = "CALLS = []\ndef handler(event, context):\n    CALLS.append(event)\n    return CALLS\n"
    one, two = fn(source=source), fn(source=source)
    assert one.call(1) == [1]
    assert one.call(2) == [1, 2]
    assert two.call(3) == [3]


def test_imports_inside_the_handler_and_threads_resolve_in_the_environment(fn):
    f = fn(files={"util.py": "NAME = 'mine'\n"}, source="""
import threading
def handler(event, context):
    seen = []
    def work():
        import util
        seen.append(util.NAME)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen
""")  # fmt: skip
    assert f.call() == ["mine"] * 4


def test_dataclasses_with_string_annotations_work(fn):
    f = fn(source="""
from __future__ import annotations
from dataclasses import dataclass, field, asdict
from typing import ClassVar
@dataclass
class Order:
    id: str
    lines: list[int] = field(default_factory=list)
    KIND: ClassVar[str] = "order"
def handler(event, context):
    return asdict(Order("o1", [1]))
""")  # fmt: skip
    assert f.call() == {"id": "o1", "lines": [1]}


# -- environment variables, context, boto3 ------------------------------------------------------


def test_environment_variables_inside_and_never_outside(fn, cloud):
    f = fn(environment={"TABLE": "orders", "LANG": "C"}, memory_mb=256, source="""
import os
FROM_INIT = os.environ["TABLE"]
def handler(event, context):
    os.environ["SET_BY_HANDLER"] = "x"
    return {k: os.getenv(k) for k in event} | {"init": FROM_INIT, "cwd": os.getcwd(),
            "data": open("data.txt").read(), "repr": repr(os.environ)[:8]}
""", files={"data.txt": "hello"})  # fmt: skip
    keys = [
        "TABLE", "LANG", "_HANDLER", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
        "TZ", "AWS_LAMBDA_RUNTIME_API", "_X_AMZN_TRACE_ID", "SET_BY_HANDLER",
    ]  # fmt: skip
    got = f.call(keys, trace_id="Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
    assert got["TABLE"] == got["init"] == "orders"
    assert got["LANG"] == "C"  # unreserved: the function's value wins
    assert got["_HANDLER"] == "app.handler"
    assert got["AWS_REGION"] == got["AWS_DEFAULT_REGION"] == "us-east-1"
    assert got["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert got["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
    assert got["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert got["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert got["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert got["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fn"
    assert got["AWS_LAMBDA_LOG_STREAM_NAME"] == f.env.log_stream
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", f.env.log_stream)
    assert (got["AWS_ACCESS_KEY_ID"], got["AWS_SECRET_ACCESS_KEY"], got["AWS_SESSION_TOKEN"]) == (
        f.spec.credentials
    )
    assert got["LAMBDA_TASK_ROOT"] == got["cwd"] and os.path.isdir(got["cwd"])
    assert got["data"] == "hello"
    assert got["LAMBDA_RUNTIME_DIR"] == "/var/runtime"
    assert got["TZ"] == ":UTC"
    assert got["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001"
    assert got["_X_AMZN_TRACE_ID"] == "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    assert got["SET_BY_HANDLER"] == "x"
    assert got["repr"] == "environ("
    again = f.call(["_X_AMZN_TRACE_ID", "SET_BY_HANDLER"])
    assert again["_X_AMZN_TRACE_ID"] is None  # no trace header: no variable
    assert again["SET_BY_HANDLER"] == "x"  # the environment keeps what the handler set
    for key in ("TABLE", "SET_BY_HANDLER", "_HANDLER", "LAMBDA_TASK_ROOT"):
        assert key not in os.environ


def test_json_logging_sets_the_log_variables(fn):
    f = fn(
        log_format="JSON",
        application_log_level="WARN",
        source="import os\ndef handler(e, c):\n    return [os.environ.get(k) for k in e]\n",
    )
    assert f.call(["AWS_LAMBDA_LOG_FORMAT", "AWS_LAMBDA_LOG_LEVEL"]) == ["JSON", "WARN"]
    plain = fn(source="import os\ndef handler(e, c):\n    return os.environ.get(e)\n")
    assert plain.call("AWS_LAMBDA_LOG_FORMAT") is None


def test_boto3_in_a_handler_signs_with_the_execution_role(fn, cloud):
    role = Principal.assumed_role("123456789012", "orders-role", "AROAORDERSROLE000001", "orders")
    cloud.identities.register(
        Credential("ASIAORDERSROLE000001", "role-secret", role, session_token="role-token")
    )
    f = fn(credentials=("ASIAORDERSROLE000001", "role-secret", "role-token"), region="eu-west-1",
           source="""
import boto3
def handler(event, context):
    arn = boto3.client("sts").get_caller_identity()["Arn"]
    session = boto3.session.Session()
    return [arn, session.region_name, boto3.Session().get_credentials().access_key]
""")  # fmt: skip
    assert f.call() == [
        "arn:aws:sts::123456789012:assumed-role/orders-role/orders",
        "eu-west-1",
        "ASIAORDERSROLE000001",
    ]
    call = cloud.calls[-1]
    assert (call.operation, call.access_key_id, call.region) == (
        "GetCallerIdentity",
        "ASIAORDERSROLE000001",
        "eu-west-1",
    )
    # The test process's own default session is untouched.
    assert boto3.DEFAULT_SESSION is None or (
        boto3.DEFAULT_SESSION.get_credentials().access_key != "ASIAORDERSROLE000001"
    )


def test_explicit_boto3_credentials_are_used_as_given(fn, cloud):
    f = fn(source="""
import boto3
def handler(event, context):
    s = boto3.Session(aws_access_key_id="AKIAEXPLICIT00000001", aws_secret_access_key="x",
                      region_name="ap-south-1")
    s.client("sts").get_caller_identity()
    return s.region_name
""")  # fmt: skip
    assert f.call() == "ap-south-1"
    assert cloud.calls[-1].access_key_id == "AKIAEXPLICIT00000001"


def test_context_fields(fn):
    f = fn(memory_mb=512, version="7", source="""
def handler(event, context):
    cc = context.client_context
    return {
        "type": type(context).__name__,
        "request": context.aws_request_id,
        "name": context.function_name,
        "version": context.function_version,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "group": context.log_group_name,
        "stream": context.log_stream_name,
        "identity": [context.identity.cognito_identity_id,
                     context.identity.cognito_identity_pool_id],
        "client": None if cc is None else [cc.custom, cc.env, cc.client.app_title,
                                           cc.client.installation_id],
        "w3c": context.w3c(),
        "tenant": context.tenant_id,
    }
""")  # fmt: skip
    arn = "arn:aws:lambda:us-east-1:123456789012:function:fn:7"
    got = f.call(
        request_id="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        invoked_function_arn=arn,
        identity={"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"},
        client_context={
            "client": {"app_title": "shop", "installation_id": "i-1"},
            "custom": {"k": "v"},
            "env": {"platform": "ios"},
            "w3c": {"traceparent": "00-abc-def-01", "other": "dropped"},
        },
        tenant_id="tenant-9",
    )
    assert got == {
        "type": "LambdaContext",
        "request": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "name": "fn",
        "version": "7",
        "memory": "512",  # awslambdaric reads it from the environment: a string
        "arn": arn,
        "group": "/aws/lambda/fn",
        "stream": f.env.log_stream,
        "identity": ["id-1", "pool-1"],
        "client": [{"k": "v"}, {"platform": "ios"}, "shop", "i-1"],
        "w3c": {"traceparent": "00-abc-def-01"},
        "tenant": "tenant-9",
    }
    bare = f.call()
    assert bare["identity"] == [None, None] and bare["client"] is None and bare["w3c"] == {}
    assert bare["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:fn"


def test_remaining_time_counts_virtual_sleep(fn, cloud):
    f = fn(timeout=10, source="""
import time
def handler(event, context):
    first = context.get_remaining_time_in_millis()
    time.sleep(4)
    return [first, context.get_remaining_time_in_millis()]
""")  # fmt: skip
    start = cloud.clock.time()
    first, after = f.call()
    assert 9900 <= first <= 10000
    assert first - 4100 <= after <= first - 4000
    assert cloud.clock.time() - start == pytest.approx(4)
    result = f.invoke()
    assert 4000 <= result.duration_ms < 4100
    assert result.billed_duration_ms == -(-result.duration_ms // 1)


# -- results and errors -------------------------------------------------------------------------


def test_result_marshalling(fn):
    f = fn(source="""
from collections import namedtuple
from decimal import Decimal
Point = namedtuple("Point", "x y")
def handler(event, context):
    return {
        None: None, "decimal": Decimal("1.50"), "point": Point(1, 2), "tuple": (1, 2),
        "bytes": b"raw", "text": "caf\\u00e9",
    }[event] if event != "all" else {"d": Decimal("10"), "p": Point(1, [Decimal("0.1")])}
""")  # fmt: skip
    assert f.invoke(None).payload == b"null"
    assert f.invoke("decimal").payload == b"1.50"
    assert f.invoke("point").payload == b'{"x": 1, "y": 2}'
    assert f.invoke("tuple").payload == b"[1, 2]"
    assert f.invoke("bytes").payload == b"raw"
    assert f.invoke("text").payload == b'"caf\xc3\xa9"'  # python3.12 writes UTF-8 as it is
    assert f.invoke("all").payload == b'{"d": 10, "p": {"x": 1, "y": [0.1]}}'
    older = fn(runtime="python3.11", source="def handler(e, c):\n    return 'caf\\u00e9'\n")
    assert older.invoke().payload == b'"caf\\u00e9"'


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ("{1, 2}", "Object of type set is not JSON serializable"),
        ("float('nan')", "Out of range float values are not JSON compliant: nan"),
        ("{(1, 2): 3}", "keys must be str, int, float, bool or None, not tuple"),
    ],
)
def test_unserializable_result_is_a_marshal_error(fn, returned, message):
    f = fn(source=f"def handler(event, context):\n    return {returned}\n")
    result = f.invoke(request_id="11111111-2222-4333-8444-555555555555")
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload) == {
        "errorMessage": f"Unable to marshal response: {message}",
        "errorType": "Runtime.MarshalError",
        "requestId": "11111111-2222-4333-8444-555555555555",
        "stackTrace": [],
    }
    assert f"[ERROR] Runtime.MarshalError: Unable to marshal response: {message}\n" in (
        result.log_text
    )
    assert not result.reset


def test_async_handler_fails_to_marshal(fn):
    f = fn(source="async def handler(event, context):\n    return 1\n")
    result = f.invoke()
    assert result.error_type == "Runtime.MarshalError"
    assert json.loads(result.payload)["errorMessage"] == (
        "Unable to marshal response: Object of type coroutine is not JSON serializable"
    )


def test_unhandled_exception_payload_and_log(fn):
    f = fn(files={"lib.py": "def check(x):\n    raise ValueError(f'bad {x}')\n"}, source="""
import lib
def handler(event, context):
    try:
        lib.check(event)
    except Exception:
        raise
""")  # fmt: skip
    result = f.invoke(7, request_id="aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
    assert result.function_error == "Unhandled"
    assert result.error_type == "ValueError"
    payload = json.loads(result.payload)
    root = f.env.task_root
    assert payload == {
        "errorMessage": "bad 7",
        "errorType": "ValueError",
        "requestId": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        "stackTrace": [
            f'  File "{root}/app.py", line 5, in handler\n    lib.check(event)\n',
            f"  File \"{root}/lib.py\", line 2, in check\n    raise ValueError(f'bad {{x}}')\n",
        ],
    }
    nbsp = "\u00a0"
    error = (
        "[ERROR] ValueError: bad 7\nTraceback (most recent call last):\n"
        f'{nbsp * 2}File "{root}/app.py", line 5, in handler\n{nbsp * 4}lib.check(event)\n'
        f'{nbsp * 2}File "{root}/lib.py", line 2, in check\n'
        f"{nbsp * 4}raise ValueError(f'bad {{x}}')"
    )
    assert error in [m for _, m in result.events]
    assert not result.reset
    assert f.invoke(1).error_type == "ValueError"  # the environment still works


@pytest.mark.parametrize(
    ("handler", "files", "error_type", "message"),
    [
        ("app", {"app.py": "def handler(e, c): pass\n"}, "Runtime.MalformedHandlerName",
         "Bad handler 'app': not enough values to unpack (expected 2, got 1)"),
        ("app.missing", {"app.py": "def handler(e, c): pass\n"}, "Runtime.HandlerNotFound",
         "Handler 'missing' missing on module 'app'"),
        ("sys.handler", {"app.py": ""}, "Runtime.BuiltInModuleConflict",
         "Cannot use built-in module sys as a handler module"),
        ("nope.handler", {"app.py": ""}, "Runtime.ImportModuleError",
         "Unable to import module 'nope': No module named 'nope'"),
        ("app.handler", {"app.py": "raise KeyError('cfg')\n"}, "KeyError", "'cfg'"),
    ],
)  # fmt: skip
def test_init_errors(fn, handler, files, error_type, message):
    f = fn(files=files, handler=handler)
    init = f.env.initialize()
    assert (init.status, init.error_type, init.error["errorMessage"]) == (
        "error",
        error_type,
        message,
    )
    result = f.invoke()
    assert (result.function_error, result.error_type) == ("Unhandled", error_type)
    assert json.loads(result.payload)["errorMessage"] == message
    assert result.init_duration_ms is None
    text = "".join(f.messages)
    assert f"[ERROR] {error_type}: {message}\nTraceback (most recent call last):" in text
    assert "LAMBDA_WARNING: Unhandled exception." in text
    assert f"\tPhase: init\tStatus: error\tError Type: {error_type}\n" in text
    assert f"\tPhase: invoke\tStatus: error\tError Type: {error_type}\n" in text
    assert f"Status: error\tError Type: {error_type}\n" in result.log_text


def test_syntax_error_in_the_handler_module(fn):
    f = fn(source="def handler(event, context):\n    return (\n")
    payload = json.loads(f.invoke().payload)
    assert payload["errorType"] == "Runtime.UserCodeSyntaxError"
    assert payload["errorMessage"] == (
        "Syntax error in module 'app': '(' was never closed (app.py, line 2)"
    )
    trace = f'  File "{f.env.task_root}/app.py" Line 2\n        return (\n'
    assert payload["stackTrace"] == [trace]


def test_init_runs_once_per_environment(fn):
    f = fn(source="COUNT = [0]\ndef handler(e, c):\n    COUNT[0] += 1\n    return COUNT[0]\n")
    first = f.env.initialize()
    assert first.status == "success" and first.phase == "init"
    assert f.env.initialize() is first
    result = f.invoke()
    assert json.loads(result.payload) == 1
    assert result.init_duration_ms == pytest.approx(first.duration_ms)
    assert f.invoke().init_duration_ms is None
    assert sum(m.startswith("INIT_START Runtime Version: python:3.12.") for m in f.messages) == 1


def test_exit_in_a_handler_is_a_runtime_exit_error(fn):
    f = fn(source="import sys\ndef handler(event, context):\n    sys.exit(3)\n")
    result = f.invoke(request_id="01234567-89ab-4cde-8f01-23456789abcd")
    assert result.error_type == "Runtime.ExitError"
    assert json.loads(result.payload) == {
        "errorMessage": "RequestId: 01234567-89ab-4cde-8f01-23456789abcd Error: Runtime exited "
        "with error: exit status 3",
        "errorType": "Runtime.ExitError",
    }
    assert result.reset
    assert "\tStatus: error\tError Type: Runtime.ExitError\n" in result.log_text


# -- timeouts -----------------------------------------------------------------------------------


def test_sleeping_past_the_timeout(fn, cloud):
    f = fn(timeout=3, source="""
import time
STATE = []
def handler(event, context):
    STATE.append(1)
    time.sleep(event)
    return len(STATE)
""")  # fmt: skip
    start = cloud.clock.time()
    result = f.invoke(5, request_id="c0ffee00-1234-4abc-8def-0123456789ab")
    # Stops at the deadline: 3 s minus the real time the cold start took (loaded CI: <1 s).
    assert 2.0 <= cloud.clock.time() - start <= 3.0 + 1e-6
    assert result.function_error == "Unhandled" and result.status == "timeout"
    assert result.payload == (
        b'{"errorMessage":"RequestId: c0ffee00-1234-4abc-8def-0123456789ab Error: '
        b'Task timed out after 3.00 seconds","errorType":"Sandbox.Timedout"}'
    )
    assert result.duration_ms == 3000.0 and result.reset
    lines = [m for _, m in result.events]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z c0ffee00-1234-4abc-8def-0123456789ab "
        r"Task timed out after 3\.00 seconds\n",
        lines[1],
    )
    assert lines[2] == "END RequestId: c0ffee00-1234-4abc-8def-0123456789ab\n"
    assert lines[3].startswith(
        "REPORT RequestId: c0ffee00-1234-4abc-8def-0123456789ab\tDuration: 3000.00 ms\t"
    )
    assert lines[3].endswith("\tStatus: timeout\n")
    # The runtime was reset: the next invocation starts over, with a new init.
    assert f.call(1) == 1
    assert sum(m.startswith("INIT_START") for m in f.messages) == 2


def test_returning_after_the_deadline_is_a_timeout(fn):
    f = fn(timeout=1, source="""
import time
def handler(event, context):
    time.sleep(0.99)
    t = time.perf_counter()
    while time.perf_counter() - t < 0.03:
        pass
    return "late"
""")  # fmt: skip
    result = f.invoke()
    assert result.status == "timeout"
    assert b"Task timed out after 1.00 seconds" in result.payload


def test_watchdog_stops_a_runaway_handler(fn):
    f = fn(timeout=0.05, source="""
def handler(event, context):
    while True:
        try:
            while True:
                pass
        except Exception:
            pass
""")  # fmt: skip
    result = f.invoke()
    assert result.status == "timeout" and result.error_type == "Sandbox.Timedout"
    assert b"Task timed out after 0.05 seconds" in result.payload
    assert result.duration_ms == 50.0


def test_watchdog_keeps_stopping_a_handler_that_swallows_everything(fn):
    f = fn(timeout=0.05, source="""
def handler(event, context):
    caught = 0
    while caught < 3:
        try:
            while True:
                pass
        except BaseException:
            caught += 1
    return caught
""")  # fmt: skip
    result = f.invoke()
    assert result.status == "timeout"


def test_init_timeout_is_retried_within_the_invocation(fn, monkeypatch):
    from fakeaws.services.lambda_.runtime import environment

    monkeypatch.setattr(environment, "INIT_TIMEOUT", 2.0)
    f = fn(timeout=30, source="import time\ntime.sleep(5)\ndef handler(e, c):\n    return 'ok'\n")
    init = f.env.initialize()
    assert init.status == "timeout" and init.duration_ms == 2000.0
    assert "INIT_REPORT Init Duration: 2000.00 ms\tPhase: init\tStatus: timeout\n" in f.messages
    result = f.invoke()
    assert json.loads(result.payload) == "ok"
    assert result.duration_ms >= 5000
    [retry] = [m for m in f.messages if "Phase: invoke" in m]
    match = re.fullmatch(
        r"INIT_REPORT Init Duration: (\d+\.\d\d) ms\tPhase: invoke\tStatus: success\n", retry
    )
    assert match and 5000 <= float(match[1]) < 5500


# -- logs ---------------------------------------------------------------------------------------


def test_text_logs(fn, cloud):
    f = fn(source="""
import logging, sys
logger = logging.getLogger()
logger.setLevel(logging.INFO)
print("at init")
def handler(event, context):
    print("hello", event)
    print("two\\nlines")
    sys.stderr.write("to stderr\\n")
    sys.stdout.write("partial")
    logger.info("info %s", 1)
    logging.getLogger("child").warning("multi\\nline")
    logging.debug("not shown")
    context.log("raw")
    return None
""")  # fmt: skip
    rid = "12345678-aaaa-4bbb-8ccc-1234567890ab"
    result = f.invoke("x", request_id=rid)
    stamp = re.escape(cloud.clock.now().strftime("%Y-%m-%dT%H:%M:%S.")) + r"\d{3}Z"
    messages = f.messages
    assert messages[0].startswith("INIT_START Runtime Version: python:3.12.v")
    assert re.search(r"\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}\n$",
                     messages[0])  # fmt: skip
    assert messages[1] == "at init\n"
    body = messages[2:]
    assert body[0] == f"START RequestId: {rid} Version: $LATEST\n"
    assert body[1:5] == ["hello x\n", "two\n", "lines\n", "to stderr\n"]
    assert re.fullmatch(rf"\[INFO\]\t{stamp}\t{rid}\tinfo 1\n", body[5])
    assert re.fullmatch(rf"\[WARNING\]\t{stamp}\t{rid}\tmulti\nline\n", body[6])
    assert body[7] == "raw"
    assert body[8] == "partial"
    assert body[9] == f"END RequestId: {rid}\n"
    match = REPORT.fullmatch(body[10])
    assert match and match["id"] == rid and match["init"] is not None
    assert len(body) == 11
    assert [m for _, m in result.events] == body
    assert result.log_text == "".join(m if m.endswith("\n") else m + "\n" for m in body)
    assert all(ts == cloud.clock.millis() for ts, _ in f.events)


def test_default_root_level_is_warning_and_the_process_root_logger_is_untouched(fn):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    f = fn(source="""
import logging
logging.basicConfig(level=logging.DEBUG)
def handler(event, context):
    logging.info("hidden")
    logging.getLogger("mine").error("shown")
    return [logging.getLogger().level, len(logging.getLogger().handlers)]
""")  # fmt: skip
    assert f.call() == [logging.WARNING, 1]
    assert not any("hidden" in m for m in f.messages)
    assert any(m.endswith("\tshown\n") for m in f.messages)
    assert root.handlers == handlers and root.level == level
    assert "mine" not in logging.Logger.manager.loggerDict


def test_logging_config_configures_the_functions_loggers_only(fn):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    f = fn(source="""
import logging
from logging import config
import logging.config
def handler(event, context):
    config.dictConfig({"version": 1, "root": {"level": "DEBUG"}})
    logging.debug("configured")
    return [config is logging.config, logging.getLogger().level]
""")  # fmt: skip
    assert f.call() == [True, logging.DEBUG]
    assert "DEBUG:root:configured\n" in f.messages  # basicConfig's format, on stderr
    assert root.handlers == handlers and root.level == level


def test_json_logs(fn, cloud):
    f = fn(log_format="JSON", source="""
import logging
log = logging.getLogger("orders")
def handler(event, context):
    logging.getLogger().setLevel(logging.DEBUG)
    log.debug("dropped by Lambda")
    log.info("saved %s", 3, extra={"order": "o-1"})
    print("plain line")
    print('{"level": "DEBUG", "msg": "filtered"}')
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("failed")
    return 1
""")  # fmt: skip
    rid = "fedcba98-7654-4321-8fed-cba987654321"
    result = f.invoke(request_id=rid)
    lines = [m for _, m in result.events]
    start = json.loads(lines[0])
    assert start["type"] == "platform.start"
    assert start["record"] == {"requestId": rid, "functionArn": f.spec.function_arn,
                               "version": "$LATEST"}  # fmt: skip
    info = json.loads(lines[1])
    assert info == {
        "timestamp": info["timestamp"],
        "level": "INFO",
        "message": "saved 3",
        "logger": "orders",
        "requestId": rid,
        "order": "o-1",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", info["timestamp"])
    assert lines[2] == "plain line\n"
    error = json.loads(lines[3])
    assert (error["level"], error["errorType"], error["errorMessage"]) == (
        "ERROR",
        "ZeroDivisionError",
        "division by zero",
    )
    assert error["location"].endswith("app.py:handler:13")
    report = json.loads(lines[4])
    assert report["type"] == "platform.report" and report["record"]["status"] == "success"
    assert set(report["record"]["metrics"]) == {
        "durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs",
    }  # fmt: skip
    assert len(lines) == 5
    assert json.loads(f.messages[0])["type"] == "platform.initStart"


def test_json_error_event(fn):
    f = fn(log_format="JSON", source="def handler(e, c):\n    raise RuntimeError('boom')\n")
    result = f.invoke(request_id="99999999-8888-4777-8666-555555555555")
    error = json.loads(result.events[1][1])
    assert list(error) == [
        "timestamp", "level", "errorMessage", "errorType", "requestId", "stackTrace",
    ]  # fmt: skip
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", error["timestamp"])
    assert (error["level"], error["errorType"]) == ("ERROR", "RuntimeError")


def test_system_log_level_warn_hides_platform_lines(fn):
    f = fn(log_format="JSON", system_log_level="WARN", source="def handler(e, c):\n    print(1)\n")
    result = f.invoke()
    assert [m for _, m in result.events] == ["1\n"]


def test_echo_copies_the_log_to_stdout(cloud, capsys):
    code = build_zip(files={"app.py": "def handler(e, c):\n    print('hi')\n"})
    spec = RuntimeSpec("echo", "app.handler", code)
    env = ExecutionEnvironment(cloud, spec, echo=True)
    env.invoke({})
    env.close()
    out = capsys.readouterr().out
    assert "hi\n" in out and "START RequestId:" in out


# -- threads, nesting, lifecycle ----------------------------------------------------------------


def test_two_threads_invoke_two_environments_at_once(fn):
    source = "def handler(event, context):\n    event['barrier'].wait(5)\n    return 'met'\n"
    one, two = fn(source=source, timeout=10), fn(source=source, timeout=10)
    barrier = threading.Barrier(2)
    results = {}

    def run(name, f):
        results[name] = f.invoke({"barrier": barrier})

    threads = [threading.Thread(target=run, args=(n, f)) for n, f in (("1", one), ("2", two))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert [json.loads(results[n].payload) for n in "12"] == ["met", "met"]


def test_nested_invocation_on_the_same_thread(fn):
    inner = fn(source="def handler(event, context):\n    return event * 2\n")
    outer = fn(source="""
def handler(event, context):
    result = event["inner"](21)
    return [result.payload.decode(), context.aws_request_id]
""")  # fmt: skip
    got = outer.call({"inner": inner.env.invoke}, request_id="00000000-0000-4000-8000-000000000001")
    assert got == ["42", "00000000-0000-4000-8000-000000000001"]


def test_an_outer_timeout_unwinds_through_an_inner_invocation(fn):
    inner = fn(timeout=30, source="def handler(event, context):\n    while True:\n        pass\n")
    outer = fn(timeout=0.05, source="def handler(event, context):\n    event['inner']({})\n")
    result = outer.invoke({"inner": inner.env.invoke})
    assert result.status == "timeout"
    assert inner.env.state == "reset"


def test_an_inner_invoke_lets_an_outer_timeout_through(fn):
    inner = fn(timeout=30, source="def handler(event, context):\n    while True:\n        pass\n")
    seen = []

    def outer_handler_body():
        try:
            inner.env.invoke({})
        except SandboxTimeout as exc:
            seen.append(exc)
            raise

    outer = fn(timeout=0.05, source="def handler(event, context):\n    event['call']()\n")
    assert outer.invoke({"call": outer_handler_body}).status == "timeout"
    assert len(seen) == 1 and isinstance(seen[0], BaseException)
    assert not isinstance(seen[0], Exception)


def test_reset_starts_a_new_runtime(fn):
    f = fn(source="import random\nTOKEN = random.random()\ndef handler(e, c):\n    return TOKEN\n")
    first = f.call()
    assert f.call() == first
    f.env.reset()
    assert f.env.state == "reset"
    result = f.invoke()
    assert json.loads(result.payload) != first
    assert result.init_duration_ms is not None
    assert sum(m.startswith("INIT_START") for m in f.messages) == 2


def test_exit_during_init(fn):
    f = fn(source="import sys\nsys.exit('config missing')\n")
    init = f.env.initialize()
    assert init.error_type == "Runtime.ExitError"
    assert init.error["errorMessage"] == "Error: Runtime exited with error: exit status 1"
    text = "".join(f.messages)
    assert "config missing\n" in f.messages
    assert "\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n" in text
    assert "[ERROR]" not in text and "LAMBDA_WARNING" not in text  # the runtime never saw it


def test_importlib_reload_runs_the_module_again(fn):
    f = fn(files={"conf.py": "import os\nVALUE = os.environ.get('V', 'a')\n"}, source="""
import importlib, os, conf
def handler(event, context):
    os.environ["V"] = event
    return importlib.reload(conf).VALUE
""")  # fmt: skip
    assert f.call("b") == "b"
    assert f.call("c") == "c"


def test_close_drops_the_modules(fn):
    f = fn(source="def handler(event, context):\n    return 1\n")
    assert f.call() == 1
    assert "app" in f.env.modules
    f.env.close()
    assert f.env.modules == {} and f.env.state == "closed"
    with pytest.raises(RuntimeError):
        f.invoke()


def test_provisioned_concurrency_does_not_report_an_init_duration(fn):
    f = fn(initialization_type="provisioned-concurrency",
           source="import os\ndef handler(e, c):\n    return os.environ[e]\n")  # fmt: skip
    f.env.initialize()
    result = f.invoke("AWS_LAMBDA_INITIALIZATION_TYPE")
    assert json.loads(result.payload) == "provisioned-concurrency"
    assert result.init_duration_ms is None
    assert "Init Duration" not in result.log_text


def test_cold_start_bills_the_init(fn):
    f = fn(source="import time\ntime.sleep(0.2)\ndef handler(e, c):\n    time.sleep(0.1)\n")
    result = f.invoke()
    assert result.init_duration_ms >= 200 and result.duration_ms >= 100
    assert result.billed_duration_ms == -(-(result.duration_ms + result.init_duration_ms) // 1)
    match = REPORT.fullmatch(result.events[-1][1])
    assert match and float(match["init"]) == pytest.approx(result.init_duration_ms, abs=0.01)
    warm = f.invoke()
    assert warm.billed_duration_ms == -(-warm.duration_ms // 1)


# -- build_zip ----------------------------------------------------------------------------------


def test_build_zip_is_deterministic(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "app.py").write_text("A = 1\n")
    (tmp_path / "pkg" / "mod.py").write_text("B = 2\n")
    (tmp_path / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"junk")
    first = build_zip(tmp_path)
    os.utime(tmp_path / "app.py", (1, 1))
    assert build_zip(tmp_path) == first
    assert build_zip(str(tmp_path)) == first
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert names == ["app.py", "pkg/mod.py"]
    combined = build_zip(tmp_path, source="X = 1\n", files={"app.py": "A = 2\n", "d/e.bin": b"\0"})
    archive = zipfile.ZipFile(io.BytesIO(combined))
    assert archive.namelist() == ["app.py", "d/e.bin", "lambda_function.py", "pkg/mod.py"]
    assert archive.read("app.py") == b"A = 2\n"
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert build_zip(source="x = 1\n") == build_zip(files={"lambda_function.py": b"x = 1\n"})
    assert build_zip(source="x = 1\n", filename="main.py") != build_zip(source="x = 1\n")


def test_build_zip_rejects_paths_outside_the_package():
    with pytest.raises(ValueError):
        build_zip(files={"../evil.py": ""})
    with pytest.raises(ValueError):
        build_zip()


def test_spec_derives_arn_log_group_and_sha():
    spec = RuntimeSpec("orders", "app.handler", b"zip", region="eu-west-1", account_id="1" * 12)
    assert spec.function_arn == "arn:aws:lambda:eu-west-1:111111111111:function:orders"
    assert spec.log_group == "/aws/lambda/orders"
    # CodeSha256: the base64 of the SHA-256 digest
    assert spec.code_sha256 == "SnD+mqZDbgLC3qNA+9HjUuTvLYzmylKtJdS5VHH8i/I="
