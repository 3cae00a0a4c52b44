"""What people really do with Lambda in their tests, end to end through boto3.

Each test is a small serverless application: a handler package built from a
folder, layers, variables, logging, DynamoDB through ``boto3.resource``,
deployment flows with versions and aliases, waiters, async invocations with
destinations, throttling, pagination, snapshots. The expected values are what
AWS answers (the Lambda developer guide and API reference, and captures of
real functions), not what fakeaws happens to do.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import textwrap
from decimal import Decimal

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/app-role"
NO_RETRIES = Config(retries={"total_max_attempts": 1})
REQUEST_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region=REGION) as cloud:
        yield cloud


@pytest.fixture
def lam(cloud):
    return boto3.client("lambda", region_name=REGION)


def write_tree(root, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def deploy(cloud, lam, name, *, handler="app.handler", zip_file=None, source=None, **extra):
    if zip_file is None:
        zip_file = cloud.lambda_zip(source=textwrap.dedent(source), filename="app.py")
    out = lam.create_function(
        FunctionName=name,
        Runtime=extra.pop("Runtime", "python3.12"),
        Role=ROLE,
        Handler=handler,
        Code={"ZipFile": zip_file},
        **extra,
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return out


def invoke(lam, name, payload=None, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kwargs)
    raw = response["Payload"].read()
    return response, raw


def invoke_json(lam, name, payload=None, **kwargs):
    response, raw = invoke(lam, name, payload, **kwargs)
    return response, json.loads(raw) if raw else None


def log_events(name, region=REGION):
    logs = boto3.client("logs", region_name=region)
    return logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]


# -- a handler package built from a folder -------------------------------------------------

PACKAGE = {
    "orders/__init__.py": "",
    "orders/handler.py": """
        import json
        import os

        from . import settings
        from .pricing import total
        from .middleware import with_order
        from common import shout

        def _read_rates():
            path = os.path.join(os.environ["LAMBDA_TASK_ROOT"], "orders", "data", "rates.json")
            with open(path) as handle:
                return json.load(handle)

        RATES = _read_rates()

        @with_order
        def main(event, context, order):
            return {
                "total": total(order["items"], RATES[order["currency"]]),
                "region": settings.REGION,
                "label": shout(order["id"]),
                "module": __name__,
                "package": __package__,
            }
    """,
    "orders/pricing.py": """
        from .settings import ROUNDING

        def total(items, rate):
            return round(sum(i["price"] * i["qty"] for i in items) * rate, ROUNDING)
    """,
    "orders/settings.py": """
        import os
        REGION = os.environ["AWS_REGION"]
        ROUNDING = 2
    """,
    "orders/middleware.py": """
        import functools

        def with_order(handler):
            @functools.wraps(handler)
            def wrapper(event, context):
                return handler(event, context, order=event["order"])
            return wrapper
    """,
    "orders/data/rates.json": '{"EUR": 1.0, "USD": 1.1}',
    "common.py": """
        def shout(text):
            return text.upper()
    """,
}


def test_a_package_from_a_folder_with_relative_imports_and_a_data_file(cloud, lam, tmp_path):
    write_tree(tmp_path, PACKAGE)
    code = cloud.lambda_zip(str(tmp_path))
    deploy(cloud, lam, "orders", handler="orders.handler.main", zip_file=code)
    order = {"id": "o-1", "currency": "USD", "items": [{"price": 10, "qty": 3}]}
    response, body = invoke_json(lam, "orders", {"order": order})
    assert "FunctionError" not in response, body
    assert body == {
        "total": 33.0,
        "region": REGION,
        "label": "O-1",
        "module": "orders.handler",
        "package": "orders",
    }


def test_the_same_folder_gives_the_same_code_sha(cloud, lam, tmp_path):
    write_tree(tmp_path, PACKAGE)
    first = deploy(
        cloud, lam, "a", handler="orders.handler.main", zip_file=cloud.lambda_zip(str(tmp_path))
    )
    (tmp_path / "orders" / "__pycache__").mkdir()
    (tmp_path / "orders" / "__pycache__" / "handler.cpython-312.pyc").write_bytes(b"junk")
    second = deploy(
        cloud, lam, "b", handler="orders.handler.main", zip_file=cloud.lambda_zip(str(tmp_path))
    )
    assert first["CodeSha256"] == second["CodeSha256"]
    assert first["CodeSize"] == second["CodeSize"]


def test_a_handler_in_a_subfolder_with_a_slash_in_its_handler_path(cloud, lam):
    code = cloud.lambda_zip(
        files={
            "src/api/__init__.py": "",
            "src/api/app.py": "from .routes import ROUTES\n\ndef handler(e, c):\n"
            "    return ROUTES\n",
            "src/api/routes.py": "ROUTES = ['/orders']\n",
            "src/__init__.py": "",
        }
    )
    deploy(cloud, lam, "api", handler="src/api/app.handler", zip_file=code)
    response, body = invoke_json(lam, "api")
    assert "FunctionError" not in response, body
    assert body == ["/orders"]


# -- layers --------------------------------------------------------------------------------

SHARED_LIB = {
    "python/shared/__init__.py": "VERSION = '1.0'\n",
    "python/shared/db.py": "def table_name(env):\n    return f'orders-{env}'\n",
    "python/lib/python3.12/site-packages/vendored.py": "NAME = 'vendored'\n",
}


def test_a_layer_provides_a_shared_library(cloud, lam):
    layer = lam.publish_layer_version(
        LayerName="shared",
        Content={"ZipFile": cloud.lambda_zip(files=SHARED_LIB)},
        CompatibleRuntimes=["python3.12"],
    )
    assert layer["Version"] == 1
    assert layer["LayerVersionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared:1"
    source = """
        import shared
        import vendored
        from shared.db import table_name

        def handler(event, context):
            return {"v": shared.VERSION, "t": table_name("prod"), "n": vendored.NAME,
                    "file": shared.__file__.startswith(__file__.rsplit("/", 1)[0])}
    """
    created = deploy(cloud, lam, "uses-layer", source=source, Layers=[layer["LayerVersionArn"]])
    assert created["Layers"] == [
        {"Arn": layer["LayerVersionArn"], "CodeSize": layer["Content"]["CodeSize"]}
    ]
    response, body = invoke_json(lam, "uses-layer")
    assert "FunctionError" not in response, body
    assert body == {"v": "1.0", "t": "orders-prod", "n": "vendored", "file": False}


def test_a_function_without_the_layer_cannot_import_it(cloud, lam):
    lam.publish_layer_version(
        LayerName="shared", Content={"ZipFile": cloud.lambda_zip(files=SHARED_LIB)}
    )
    deploy(cloud, lam, "no-layer", source="import shared\n\ndef handler(e, c):\n    return 1\n")
    response, body = invoke_json(lam, "no-layer")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"] == "Unable to import module 'app': No module named 'shared'"


def test_a_new_layer_version_reaches_the_function_only_when_configured(cloud, lam):
    v1 = lam.publish_layer_version(
        LayerName="shared", Content={"ZipFile": cloud.lambda_zip(files=SHARED_LIB)}
    )["LayerVersionArn"]
    files = dict(SHARED_LIB, **{"python/shared/__init__.py": "VERSION = '2.0'\n"})
    v2 = lam.publish_layer_version(
        LayerName="shared", Content={"ZipFile": cloud.lambda_zip(files=files)}
    )["LayerVersionArn"]
    source = "import shared\n\ndef handler(e, c):\n    return shared.VERSION\n"
    deploy(cloud, lam, "fn", source=source, Layers=[v1])
    assert invoke_json(lam, "fn")[1] == "1.0"
    lam.update_function_configuration(FunctionName="fn", Layers=[v2])
    lam.get_waiter("function_updated_v2").wait(FunctionName="fn")
    assert invoke_json(lam, "fn")[1] == "2.0"
    # Deleting the layer version does not break the function that uses it.
    lam.delete_layer_version(LayerName="shared", VersionNumber=2)
    lam.update_function_configuration(FunctionName="fn", Description="after delete")
    assert invoke_json(lam, "fn")[1] == "2.0"


# -- environment variables -----------------------------------------------------------------

ENV_HANDLER = """
    import os

    TABLE_AT_INIT = os.environ["TABLE"]

    def handler(event, context):
        os.environ["SEEN"] = os.environ.get("SEEN", "") + "x"
        return {
            "table": TABLE_AT_INIT,
            "stage": os.getenv("STAGE", "dev"),
            "seen": os.environ["SEEN"],
            "function": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
            "memory": os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"],
            "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
            "group": os.environ["AWS_LAMBDA_LOG_GROUP_NAME"],
            "region": os.environ["AWS_REGION"],
            "default_region": os.environ["AWS_DEFAULT_REGION"],
            "handler": os.environ["_HANDLER"],
            "exec_env": os.environ["AWS_EXECUTION_ENV"],
            "has_keys": all(k in os.environ for k in
                            ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")),
        }
"""


def test_environment_variables_and_the_variables_lambda_sets(cloud, lam):
    deploy(
        cloud,
        lam,
        "env",
        source=ENV_HANDLER,
        MemorySize=256,
        Environment={"Variables": {"TABLE": "orders", "STAGE": "prod"}},
    )
    _, body = invoke_json(lam, "env")
    assert body == {
        "table": "orders",
        "stage": "prod",
        "seen": "x",
        "function": "env",
        "memory": "256",
        "version": "$LATEST",
        "group": "/aws/lambda/env",
        "region": REGION,
        "default_region": REGION,
        "handler": "app.handler",
        "exec_env": "AWS_Lambda_python3.12",
        "has_keys": True,
    }
    assert invoke_json(lam, "env")[1]["seen"] == "xx"  # warm: the process's environ persists
    config = lam.update_function_configuration(
        FunctionName="env", Environment={"Variables": {"TABLE": "orders-v2"}}
    )
    assert config["Environment"] == {"Variables": {"TABLE": "orders-v2"}}
    lam.get_waiter("function_updated_v2").wait(FunctionName="env")
    _, body = invoke_json(lam, "env")
    assert (body["table"], body["stage"], body["seen"]) == ("orders-v2", "dev", "x")


def test_variables_do_not_leak_into_the_test_process(cloud, lam):
    import os

    deploy(cloud, lam, "env", source=ENV_HANDLER, Environment={"Variables": {"TABLE": "t"}})
    invoke_json(lam, "env")
    assert "SEEN" not in os.environ
    assert os.environ.get("AWS_LAMBDA_FUNCTION_NAME") is None


def test_single_letter_variable_names_are_refused_as_aws_refuses_them(cloud, lam):
    with pytest.raises(ClientError) as exc:
        deploy(cloud, lam, "env", source=ENV_HANDLER, Environment={"Variables": {"A": "1"}})
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    assert "[a-zA-Z]([a-zA-Z0-9_])+" in exc.value.response["Error"]["Message"]


def test_reserved_variables_are_refused(cloud, lam):
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        deploy(
            cloud,
            lam,
            "env",
            source=ENV_HANDLER,
            Environment={"Variables": {"AWS_REGION": "us-east-1"}},
        )
    assert "Reserved keys used in this request: AWS_REGION" in str(exc.value)


# -- logging -------------------------------------------------------------------------------

LOGGING_HANDLER = """
    import logging

    logger = logging.getLogger()
    logger.setLevel(logging.INFO)
    child = logging.getLogger("orders.audit")

    def handler(event, context):
        logger.debug("not shown")
        logger.info("processing %s", event["id"])
        child.warning("audit\\nsecond line")
        print("plain print")
        print("two\\nlines")
        return "ok"
"""


def test_logging_with_set_level_info_goes_to_cloudwatch_logs(cloud, lam):
    deploy(cloud, lam, "logger", source=LOGGING_HANDLER)
    response, _ = invoke(lam, "logger", {"id": "o-7"})
    request_id = response["ResponseMetadata"]["RequestId"]
    logs = boto3.client("logs", region_name=REGION)
    [stream] = logs.describe_log_streams(logGroupName="/aws/lambda/logger")["logStreams"]
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", stream["logStreamName"])
    events = logs.get_log_events(
        logGroupName="/aws/lambda/logger", logStreamName=stream["logStreamName"]
    )["events"]
    messages = [e["message"] for e in events]
    assert messages[0].startswith("INIT_START Runtime Version: python:3.12.")
    assert messages[1] == f"START RequestId: {request_id} Version: $LATEST\n"
    stamp = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"
    assert re.fullmatch(rf"\[INFO\]\t{stamp}\t{request_id}\tprocessing o-7\n", messages[2])
    assert re.fullmatch(rf"\[WARNING\]\t{stamp}\t{request_id}\taudit\nsecond line\n", messages[3])
    assert messages[4:7] == ["plain print\n", "two\n", "lines\n"]
    assert messages[7] == f"END RequestId: {request_id}\n"
    assert messages[8].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "\tInit Duration: " in messages[8]
    assert not any("not shown" in m for m in messages)


def test_basic_config_does_nothing_in_lambda(cloud, lam):
    # The runtime has already put its handler on the root logger: basicConfig is a no-op,
    # so the level stays WARNING and info records are dropped (a classic Lambda surprise).
    source = """
        import logging
        logging.basicConfig(level=logging.INFO)

        def handler(event, context):
            logging.info("dropped")
            logging.warning("kept")
            return 1
    """
    deploy(cloud, lam, "basic", source=source)
    invoke(lam, "basic")
    messages = [e["message"] for e in log_events("basic")]
    assert not any("dropped" in m for m in messages)
    assert any(m.startswith("[WARNING]") and m.endswith("\tkept\n") for m in messages)


def test_log_records_carry_the_request_id_of_each_invocation(cloud, lam):
    deploy(cloud, lam, "logger", source=LOGGING_HANDLER)
    ids = [
        invoke(lam, "logger", {"id": str(i)})[0]["ResponseMetadata"]["RequestId"] for i in range(2)
    ]
    info = [e["message"] for e in log_events("logger") if e["message"].startswith("[INFO]")]
    assert [m.split("\t")[2] for m in info] == ids
    assert len(set(ids)) == 2 and all(REQUEST_ID.fullmatch(i) for i in ids)


# -- DynamoDB through boto3.resource at module level, Decimal in the response --------------

DDB_HANDLER = """
    import os
    from decimal import Decimal

    import boto3
    from boto3.dynamodb.conditions import Key

    dynamodb = boto3.resource("dynamodb")
    table = dynamodb.Table(os.environ["TABLE_NAME"])

    def handler(event, context):
        table.put_item(Item={"pk": event["customer"], "sk": event["order"],
                             "amount": Decimal(str(event["amount"])), "qty": 3})
        items = table.query(KeyConditionExpression=Key("pk").eq(event["customer"]))["Items"]
        return {"items": items, "count": len(items), "rate": Decimal("0.10")}
"""


def make_table(name="orders"):
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return boto3.resource("dynamodb", region_name=REGION).Table(name)


def test_boto3_resource_at_module_level_and_decimals_in_the_response(cloud, lam):
    table = make_table()
    deploy(
        cloud,
        lam,
        "writer",
        source=DDB_HANDLER,
        Environment={"Variables": {"TABLE_NAME": "orders"}},
    )
    response, raw = invoke(lam, "writer", {"customer": "c-1", "order": "o-1", "amount": 12.5})
    assert "FunctionError" not in response, raw
    # The runtime writes a Decimal as its digits, with simplejson's ", " / ": " separators.
    assert json.loads(raw) == {
        "items": [{"pk": "c-1", "sk": "o-1", "amount": 12.5, "qty": 3}],
        "count": 1,
        "rate": 0.1,
    }
    assert b'"rate": 0.10' in raw
    assert table.get_item(Key={"pk": "c-1", "sk": "o-1"})["Item"]["amount"] == Decimal("12.5")
    # The handler's calls were made as the execution role.
    put = cloud.calls.where(operation="PutItem")[-1]
    assert put.caller.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/app-role/writer"


def test_a_float_in_put_item_fails_as_boto3_fails(cloud, lam):
    make_table()
    source = """
        import boto3
        table = boto3.resource("dynamodb").Table("orders")

        def handler(event, context):
            table.put_item(Item={"pk": "a", "sk": "b", "price": 1.5})
    """
    deploy(cloud, lam, "floaty", source=source)
    response, body = invoke_json(lam, "floaty")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "TypeError"
    assert body["errorMessage"] == ("Float types are not supported. Use Decimal types instead.")


# -- powertools-style code: decorators, a logger class, dataclasses ------------------------

POWERTOOLS_PACKAGE = {
    "service/__init__.py": "",
    "service/observability.py": """
        import functools
        import json
        import logging
        import time

        class StructuredLogger:
            def __init__(self, service):
                self.service = service
                self._logger = logging.getLogger(service)
                self._logger.setLevel(logging.INFO)
                self.keys = {}

            def append_keys(self, **keys):
                self.keys.update(keys)

            def info(self, message, **extra):
                self._logger.info(json.dumps({"service": self.service, "message": message,
                                              **self.keys, **extra}))

            def inject_lambda_context(self, handler):
                @functools.wraps(handler)
                def wrapper(event, context):
                    self.append_keys(function_request_id=context.aws_request_id,
                                     cold_start=not getattr(self, "_warm", False))
                    self._warm = True
                    return handler(event, context)
                return wrapper

        def metrics(namespace):
            def decorator(handler):
                @functools.wraps(handler)
                def wrapper(event, context):
                    started = time.perf_counter()
                    try:
                        return handler(event, context)
                    finally:
                        print(json.dumps({"_aws": {"CloudWatchMetrics": [
                            {"Namespace": namespace, "Metrics": [{"Name": "Calls"}]}]},
                            "Calls": 1, "ms": round(time.perf_counter() - started) * 0}))
                return wrapper
            return decorator
    """,
    "service/models.py": """
        from __future__ import annotations
        from dataclasses import dataclass, asdict, field

        @dataclass
        class Order:
            order_id: str
            lines: list[int] = field(default_factory=list)

            def as_dict(self) -> dict:
                return asdict(self)
    """,
    "service/app.py": """
        from .observability import StructuredLogger, metrics
        from .models import Order

        logger = StructuredLogger("orders")

        @metrics(namespace="Shop")
        @logger.inject_lambda_context
        def handler(event, context):
            order = Order(event["id"], [1, 2])
            logger.info("order created", order_id=order.order_id)
            return {"order": order.as_dict(), "name": handler.__name__,
                    "cold": logger.keys["cold_start"]}
    """,
}


def test_powertools_style_decorators_and_structured_logs(cloud, lam, tmp_path):
    write_tree(tmp_path, POWERTOOLS_PACKAGE)
    deploy(
        cloud, lam, "pt", handler="service.app.handler", zip_file=cloud.lambda_zip(str(tmp_path))
    )
    response, body = invoke_json(lam, "pt", {"id": "o-9"})
    assert "FunctionError" not in response, body
    assert body == {"order": {"order_id": "o-9", "lines": [1, 2]}, "name": "handler", "cold": True}
    second, body = invoke_json(lam, "pt", {"id": "o-10"})
    assert body["cold"] is False
    records = [
        json.loads(e["message"].split("\t", 3)[3])
        for e in log_events("pt")
        if e["message"].startswith("[INFO]")
    ]
    assert [(r["order_id"], r["cold_start"]) for r in records] == [("o-9", True), ("o-10", False)]
    assert records[1]["function_request_id"] == second["ResponseMetadata"]["RequestId"]
    emf = [json.loads(e["message"]) for e in log_events("pt") if e["message"].startswith('{"_aws"')]
    assert len(emf) == 2


# -- errors --------------------------------------------------------------------------------

ERRORS_PACKAGE = {
    "shop/__init__.py": "",
    "shop/errors.py": """
        class ShopError(Exception):
            pass

        class OrderNotFound(ShopError):
            def __init__(self, order_id):
                super().__init__(f"order {order_id} not found")
                self.order_id = order_id
    """,
    "shop/repo.py": """
        from .errors import OrderNotFound

        def load(order_id):
            raise OrderNotFound(order_id)
    """,
    "shop/app.py": """
        from shop import repo
        from shop.errors import ShopError

        def handler(event, context):
            return repo.load(event["id"])

        def catching(event, context):
            try:
                repo.load(event["id"])
            except ShopError as err:
                return {"caught": type(err).__name__, "id": err.order_id}
    """,
}


def test_a_custom_exception_is_reported_with_its_class_name(cloud, lam, tmp_path):
    write_tree(tmp_path, ERRORS_PACKAGE)
    deploy(cloud, lam, "shop", handler="shop.app.handler", zip_file=cloud.lambda_zip(str(tmp_path)))
    response, body = invoke_json(lam, "shop", {"id": "o-404"})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "OrderNotFound"
    assert body["errorMessage"] == "order o-404 not found"
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"]
    trace = body["stackTrace"]
    assert [line.split(", in ")[1].split("\n")[0] for line in trace] == ["handler", "load"]
    assert trace[0].startswith('  File "') and 'shop/app.py", line 6, in handler\n' in trace[0]
    assert trace[1].endswith("    raise OrderNotFound(order_id)\n")
    [error] = [e["message"] for e in log_events("shop") if e["message"].startswith("[ERROR]")]
    # One event (the runtime writes it as one telemetry frame), indented with NO-BREAK SPACEs.
    lines = error.split("\n")
    assert lines[:2] == [
        "[ERROR] OrderNotFound: order o-404 not found",
        "Traceback (most recent call last):",
    ]
    assert lines[2].startswith('\u00a0\u00a0File "')
    assert lines[-1] == "\u00a0\u00a0\u00a0\u00a0raise OrderNotFound(order_id)"


def test_an_exception_caught_inside_the_package_is_not_a_function_error(cloud, lam, tmp_path):
    write_tree(tmp_path, ERRORS_PACKAGE)
    code = cloud.lambda_zip(str(tmp_path))
    deploy(cloud, lam, "shop", handler="shop.app.catching", zip_file=code)
    response, body = invoke_json(lam, "shop", {"id": "o-1"})
    assert "FunctionError" not in response
    assert body == {"caught": "OrderNotFound", "id": "o-1"}


# -- deployment: update code, publish, shift alias weights ---------------------------------

VERSIONED = """
    import os

    def handler(event, context):
        return {"release": "%s", "version": context.function_version,
                "arn": context.invoked_function_arn,
                "env_version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}
"""


def release(cloud, n):
    return cloud.lambda_zip(source=textwrap.dedent(VERSIONED % n), filename="app.py")


def test_a_blue_green_deployment_with_versions_and_a_weighted_alias(cloud, lam):
    deploy(cloud, lam, "checkout", zip_file=release(cloud, "r1"))
    v1 = lam.publish_version(FunctionName="checkout", Description="r1")
    assert v1["Version"] == "1"
    assert v1["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:checkout:1"
    alias = lam.create_alias(FunctionName="checkout", Name="live", FunctionVersion="1")
    live_arn = alias["AliasArn"]
    assert live_arn == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:checkout:live"

    updated = lam.update_function_code(FunctionName="checkout", ZipFile=release(cloud, "r2"))
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["CodeSha256"] != v1["CodeSha256"]
    lam.get_waiter("function_updated_v2").wait(FunctionName="checkout")
    v2 = lam.publish_version(FunctionName="checkout", CodeSha256=updated["CodeSha256"])
    assert v2["Version"] == "2"
    assert v2["Description"] == ""

    # The alias still serves r1; $LATEST already serves r2.
    response, body = invoke_json(lam, live_arn)
    assert response["ExecutedVersion"] == "1"
    assert body == {"release": "r1", "version": "1", "arn": live_arn, "env_version": "1"}
    response, body = invoke_json(lam, "checkout")
    assert (response["ExecutedVersion"], body["release"]) == ("$LATEST", "r2")

    # Canary: 20% to version 2.
    shifted = lam.update_alias(
        FunctionName="checkout",
        Name="live",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}},
    )
    assert shifted["FunctionVersion"] == "1"
    assert shifted["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.2}}
    executed = [invoke(lam, "checkout", Qualifier="live")[0]["ExecutedVersion"] for _ in range(200)]
    assert 20 <= executed.count("2") <= 60 and executed.count("1") + executed.count("2") == 200

    # Done: everything on version 2, no more routing.
    done = lam.update_alias(
        FunctionName="checkout",
        Name="live",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {}},
    )
    assert done["FunctionVersion"] == "2"
    assert "RoutingConfig" not in done or done["RoutingConfig"] == {"AdditionalVersionWeights": {}}
    response, body = invoke_json(lam, "checkout:live")
    assert (response["ExecutedVersion"], body["release"], body["version"]) == ("2", "r2", "2")
    assert lam.get_alias(FunctionName="checkout", Name="live")["FunctionVersion"] == "2"
    # The old version is still there, and still serves r1.
    response, body = invoke_json(lam, "checkout", Qualifier="1")
    assert body["release"] == "r1"
    versions = lam.list_versions_by_function(FunctionName="checkout")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert [v["Description"] for v in versions] == ["", "r1", ""]


def test_publishing_without_changes_returns_the_same_version(cloud, lam):
    deploy(cloud, lam, "fn", zip_file=release(cloud, "r1"))
    first = lam.publish_version(FunctionName="fn")
    again = lam.publish_version(FunctionName="fn", Description="ignored")
    assert (first["Version"], again["Version"]) == ("1", "1")
    assert again["Description"] == ""
    lam.tag_resource(Resource=first["FunctionArn"].rsplit(":", 1)[0], Tags={"team": "a"})
    assert lam.publish_version(FunctionName="fn")["Version"] == "1"  # tags are no change
    lam.update_function_configuration(FunctionName="fn", Timeout=9)
    lam.get_waiter("function_updated_v2").wait(FunctionName="fn")
    assert lam.publish_version(FunctionName="fn")["Version"] == "2"


def test_publish_with_a_stale_code_sha_is_refused(cloud, lam):
    deploy(cloud, lam, "fn", zip_file=release(cloud, "r1"))
    old = lam.get_function(FunctionName="fn")["Configuration"]["CodeSha256"]
    lam.update_function_code(FunctionName="fn", ZipFile=release(cloud, "r2"))
    lam.get_waiter("function_updated_v2").wait(FunctionName="fn")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as exc:
        lam.publish_version(FunctionName="fn", CodeSha256=old)
    assert "is different from current CodeSHA256 in $LATEST" in str(exc.value)


def test_waiters_poll_on_the_virtual_clock():
    with mock_serverless(clock="frozen", region=REGION, lambda_={"state_delay": 7}) as cloud:
        lam = boto3.client("lambda", region_name=REGION)
        created = lam.create_function(
            FunctionName="slow",
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": release(cloud, "r1")},
        )
        assert created["State"] == "Pending"
        assert created["StateReasonCode"] == "Creating"
        started = cloud.clock.time()
        lam.get_waiter("function_active_v2").wait(FunctionName="slow")
        assert 7 <= cloud.clock.time() - started < 10
        config = lam.get_function(FunctionName="slow")["Configuration"]
        assert (config["State"], config["LastUpdateStatus"]) == ("Active", "Successful")
        assert "StateReason" not in config

        lam.update_function_code(FunctionName="slow", ZipFile=release(cloud, "r2"))
        with pytest.raises(lam.exceptions.ResourceConflictException) as exc:
            lam.update_function_configuration(FunctionName="slow", Timeout=10)
        assert exc.value.response["Error"]["Message"] == (
            "The operation cannot be performed at this time. An update is in progress for "
            f"resource: arn:aws:lambda:{REGION}:{ACCOUNT}:function:slow"
        )
        lam.get_waiter("function_updated_v2").wait(FunctionName="slow")
        lam.update_function_configuration(FunctionName="slow", Timeout=10)
        lam.get_waiter("function_updated").wait(FunctionName="slow")
        config = lam.get_function_configuration(FunctionName="slow")
        assert (config["Timeout"], config["LastUpdateStatus"]) == (10, "Successful")
        response, body = invoke_json(lam, "slow")
        assert body["release"] == "r2"


def test_get_function_after_updates(cloud, lam):
    deploy(cloud, lam, "fn", zip_file=release(cloud, "r1"), Tags={"team": "shop"})
    before = lam.get_function(FunctionName="fn")
    lam.update_function_code(FunctionName="fn", ZipFile=release(cloud, "r2"))
    lam.get_waiter("function_updated_v2").wait(FunctionName="fn")
    lam.update_function_configuration(
        FunctionName="fn", MemorySize=512, Environment={"Variables": {"AB": "1"}}
    )
    lam.get_waiter("function_updated_v2").wait(FunctionName="fn")
    after = lam.get_function(FunctionName="fn")
    config = after["Configuration"]
    assert config["CodeSha256"] != before["Configuration"]["CodeSha256"]
    assert config["MemorySize"] == 512
    assert config["Environment"] == {"Variables": {"AB": "1"}}
    assert config["RevisionId"] != before["Configuration"]["RevisionId"]
    assert config["Version"] == "$LATEST"
    assert config["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn"
    assert config["State"] == "Active" and config["LastUpdateStatus"] == "Successful"
    assert after["Code"]["RepositoryType"] == "S3"
    assert after["Code"]["Location"].startswith("https://")
    assert after["Tags"] == {"team": "shop"}
    assert config["LastModified"] >= before["Configuration"]["LastModified"]
    qualified = lam.get_function(FunctionName="fn", Qualifier="$LATEST")["Configuration"]
    assert qualified["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn:$LATEST"


# -- two functions, same module names ------------------------------------------------------


def test_two_functions_with_same_named_modules_stay_apart(cloud, lam):
    for name, value in (("first", 1), ("second", 2)):
        code = cloud.lambda_zip(
            files={
                "app.py": "import utils\n\ndef handler(e, c):\n    return utils.VALUE\n",
                "utils.py": f"VALUE = {value}\n",
            }
        )
        deploy(cloud, lam, name, zip_file=code)
    assert [invoke_json(lam, n)[1] for n in ("first", "second", "first")] == [1, 2, 1]


def test_a_function_module_does_not_shadow_or_enter_the_test_process(cloud, lam):
    import sys

    code = cloud.lambda_zip(
        files={
            "app.py": "import json, utils\n\ndef handler(e, c):\n    return utils.who()\n",
            "utils.py": "def who():\n    return 'function utils'\n",
        }
    )
    deploy(cloud, lam, "fn", zip_file=code)
    assert invoke_json(lam, "fn")[1] == "function utils"
    assert "app" not in sys.modules or not hasattr(sys.modules["app"], "handler")
    assert "utils" not in sys.modules or not hasattr(sys.modules["utils"], "who")


# -- a handler that invokes another function -----------------------------------------------

CALLER = """
    import json
    import boto3

    lambda_client = boto3.client("lambda")

    def handler(event, context):
        response = lambda_client.invoke(FunctionName="pricer", Payload=json.dumps(event))
        priced = json.loads(response["Payload"].read())
        lambda_client.invoke(FunctionName="audit", InvocationType="Event",
                             Payload=json.dumps({"priced": priced}))
        return {"priced": priced, "status": response["StatusCode"],
                "executed": response["ExecutedVersion"], "error": response.get("FunctionError")}
"""


def test_a_handler_invokes_another_function(cloud, lam):
    deploy(cloud, lam, "pricer", source="def handler(e, c):\n    return e['qty'] * 3\n")
    deploy(cloud, lam, "audit", source="def handler(e, c):\n    print('AUDIT', e)\n")
    deploy(cloud, lam, "api", source=CALLER)
    response, body = invoke_json(lam, "api", {"qty": 4})
    assert "FunctionError" not in response, body
    assert body == {"priced": 12, "status": 200, "executed": "$LATEST", "error": None}
    cloud.settle()
    assert any("AUDIT {'priced': 12}" in e["message"] for e in log_events("audit"))
    inner = cloud.calls.where(operation="Invoke")
    assert [c.params["FunctionName"] for c in inner] == ["api", "pricer", "audit"]
    assert inner[1].caller.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/app-role/api"


def test_an_inner_function_error_is_the_callers_to_handle(cloud, lam):
    deploy(cloud, lam, "pricer", source="def handler(e, c):\n    raise KeyError('qty')\n")
    deploy(cloud, lam, "audit", source="def handler(e, c):\n    return None\n")
    deploy(cloud, lam, "api", source=CALLER)
    response, body = invoke_json(lam, "api", {})
    assert "FunctionError" not in response
    assert body["error"] == "Unhandled"
    assert body["priced"]["errorType"] == "KeyError"
    assert body["priced"]["errorMessage"] == "'qty'"


# -- async invocation and destinations -----------------------------------------------------


def make_queue(name):
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return sqs, url, arn


def drain(sqs, url):
    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", [])
    for m in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return messages


ASYNC_HANDLER = """
    def handler(event, context):
        if event.get("fail"):
            raise ValueError(f"cannot process {event['id']}")
        return {"processed": event["id"], "request": context.aws_request_id}
"""


def test_async_invoke_with_an_sqs_success_destination(cloud, lam):
    sqs, url, queue_arn = make_queue("ok-events")
    deploy(cloud, lam, "worker", source=ASYNC_HANDLER)
    lam.put_function_event_invoke_config(
        FunctionName="worker", DestinationConfig={"OnSuccess": {"Destination": queue_arn}}
    )
    response = lam.invoke(FunctionName="worker", InvocationType="Event", Payload=b'{"id": "e-1"}')
    assert response["StatusCode"] == 202
    assert "ExecutedVersion" not in response and "FunctionError" not in response
    request_id = response["ResponseMetadata"]["RequestId"]
    cloud.settle()
    [message] = drain(sqs, url)
    record = json.loads(message["Body"])
    assert record["version"] == "1.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["timestamp"])
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:worker:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"id": "e-1"}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"processed": "e-1", "request": request_id}


def test_async_failure_goes_to_on_failure_and_the_dead_letter_queue(cloud, lam):
    sqs, failures, failures_arn = make_queue("failures")
    _, dlq, dlq_arn = make_queue("dlq")
    deploy(cloud, lam, "worker", source=ASYNC_HANDLER, DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(
        FunctionName="worker",
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    response = lam.invoke(
        FunctionName="worker", InvocationType="Event", Payload=b'{"id": "e-2", "fail": true}'
    )
    request_id = response["ResponseMetadata"]["RequestId"]
    cloud.settle()
    assert drain(sqs, failures) == []  # a retry is due in a minute
    cloud.settle(within=120)
    [message] = drain(sqs, failures)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert record["responsePayload"]["errorMessage"] == "cannot process e-2"
    [dead] = drain(sqs, dlq)
    assert json.loads(dead["Body"]) == {"id": "e-2", "fail": True}
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes == {
        "RequestID": request_id,
        "ErrorCode": "200",
        "ErrorMessage": "cannot process e-2",
    }
    starts = [e for e in log_events("worker") if e["message"].startswith("START")]
    assert len(starts) == 2
    assert all(request_id in e["message"] for e in starts)  # a retry keeps the request id


def test_async_invoke_of_an_alias_reports_the_alias_arn(cloud, lam):
    sqs, url, queue_arn = make_queue("alias-events")
    deploy(cloud, lam, "worker", source=ASYNC_HANDLER)
    lam.publish_version(FunctionName="worker")
    lam.create_alias(FunctionName="worker", Name="prod", FunctionVersion="1")
    lam.put_function_event_invoke_config(
        FunctionName="worker",
        Qualifier="prod",
        DestinationConfig={"OnSuccess": {"Destination": queue_arn}},
    )
    lam.invoke(FunctionName="worker:prod", InvocationType="Event", Payload=b'{"id": "e-3"}')
    cloud.settle()
    [message] = drain(sqs, url)
    record = json.loads(message["Body"])
    assert record["requestContext"]["functionArn"] == (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:worker:prod"
    )
    assert record["responseContext"]["executedVersion"] == "1"


# -- throttling ----------------------------------------------------------------------------

BLOCKING = """
    import os
    import threading

    def handler(event, context):
        open(event["started"], "w").close()
        pause = threading.Event()
        while not os.path.exists(event["release"]):
            pause.wait(0.005)
        return "done"
"""


def test_reserved_concurrency_throttles_a_second_concurrent_caller(cloud, lam, tmp_path):
    import threading

    deploy(cloud, lam, "busy", source=BLOCKING, Timeout=60)
    lam.put_function_concurrency(FunctionName="busy", ReservedConcurrentExecutions=1)
    assert lam.get_function(FunctionName="busy")["Concurrency"] == {
        "ReservedConcurrentExecutions": 1
    }
    started, release = tmp_path / "started", tmp_path / "release"
    payload = {"started": str(started), "release": str(release)}
    results = []
    first = threading.Thread(target=lambda: results.append(invoke(lam, "busy", payload)))
    first.start()
    try:
        for _ in range(2000):
            if started.exists():
                break
            threading.Event().wait(0.005)
        assert started.exists()
        client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)
        with pytest.raises(client.exceptions.TooManyRequestsException) as exc:
            client.invoke(FunctionName="busy", Payload=json.dumps(payload))
        error = exc.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
        assert error["Error"]["Message"] == "Rate Exceeded."
    finally:
        release.touch()
        first.join(30)
    assert results[0][1] == b'"done"'
    # Once the first invocation is over, the function takes calls again.
    assert invoke(lam, "busy", payload)[1] == b'"done"'


def test_throttled_async_events_wait_and_then_run(cloud, lam):
    sqs, url, queue_arn = make_queue("late")
    deploy(cloud, lam, "worker", source=ASYNC_HANDLER)
    lam.put_function_concurrency(FunctionName="worker", ReservedConcurrentExecutions=0)
    lam.put_function_event_invoke_config(
        FunctionName="worker", DestinationConfig={"OnSuccess": {"Destination": queue_arn}}
    )
    response = lam.invoke(FunctionName="worker", InvocationType="Event", Payload=b'{"id": "t"}')
    assert response["StatusCode"] == 202
    cloud.settle(within=600)
    assert drain(sqs, url) == []
    lam.delete_function_concurrency(FunctionName="worker")
    cloud.settle(within=600)
    [message] = drain(sqs, url)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1


# -- many functions: pagination ------------------------------------------------------------


def test_list_functions_pages_through_many_functions(cloud, lam):
    code = release(cloud, "r1")
    names = [f"fn-{i:03d}" for i in range(120)]
    for name in reversed(names):
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
            Code={"ZipFile": code},
        )  # fmt: skip
    pages = list(lam.get_paginator("list_functions").paginate())
    assert [len(p["Functions"]) for p in pages] == [50, 50, 20]
    listed = [f["FunctionName"] for p in pages for f in p["Functions"]]
    assert listed == names
    first = pages[0]["Functions"][0]
    assert "State" not in first and "LastUpdateStatus" not in first
    assert first["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn-000"
    small = list(lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 7}))
    assert sum(len(p["Functions"]) for p in small) == 120
    assert len(small) == 18
    capped = (
        lam.get_paginator("list_functions")
        .paginate(PaginationConfig={"MaxItems": 60})
        .build_full_result()
    )
    assert len(capped["Functions"]) == 60
    assert "NextToken" in capped
    # A page boundary survives deletions in between.
    page = lam.list_functions(MaxItems=10)
    lam.delete_function(FunctionName="fn-010")
    lam.delete_function(FunctionName="fn-011")
    following = lam.list_functions(MaxItems=10, Marker=page["NextMarker"])
    assert following["Functions"][0]["FunctionName"] == "fn-012"


# -- snapshot and restore ------------------------------------------------------------------

COUNTING = """
    count = 0

    def handler(event, context):
        global count
        count += 1
        return count
"""


def test_snapshot_and_restore_with_functions(cloud, lam):
    deploy(cloud, lam, "counter", source=COUNTING, Environment={"Variables": {"STAGE": "a"}})
    lam.publish_version(FunctionName="counter")
    lam.create_alias(FunctionName="counter", Name="live", FunctionVersion="1")
    assert invoke_json(lam, "counter")[1] == 1
    snap = cloud.snapshot()
    assert invoke_json(lam, "counter")[1] == 2
    lam.delete_function(FunctionName="counter")
    deploy(cloud, lam, "other", source=COUNTING)
    cloud.restore(snap)
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert names == ["counter"]
    assert lam.get_alias(FunctionName="counter", Name="live")["FunctionVersion"] == "1"
    assert invoke_json(lam, "counter")[1] == 1  # a restored world starts cold
    assert invoke_json(lam, "counter", Qualifier="live")[1] == 1
    assert invoke_json(lam, "counter")[1] == 2
    # Restoring twice gives the same world again.
    cloud.restore(snap)
    assert invoke_json(lam, "counter")[1] == 1


def test_a_snapshot_restores_into_a_new_cloud_with_pending_async_work(cloud, lam):
    sqs, url, queue_arn = make_queue("restored")
    deploy(cloud, lam, "worker", source=ASYNC_HANDLER)
    lam.put_function_event_invoke_config(
        FunctionName="worker", DestinationConfig={"OnSuccess": {"Destination": queue_arn}}
    )
    lam.invoke(FunctionName="worker", InvocationType="Event", Payload=b'{"id": "queued"}')
    snap = cloud.snapshot()  # the event has not run yet: it is pending work of the world
    with mock_serverless(clock="frozen", region=REGION, fresh=True) as other:
        other.restore(snap)
        other.settle()
        other_sqs = boto3.client("sqs", region_name=REGION)
        [message] = drain(other_sqs, url)
        assert json.loads(message["Body"])["responsePayload"]["processed"] == "queued"
        other_lam = boto3.client("lambda", region_name=REGION)
        other_lam.invoke(FunctionName="worker", InvocationType="Event", Payload=b'{"id": "new"}')
        other.settle()
        [message] = drain(other_sqs, url)
        assert json.loads(message["Body"])["responsePayload"]["processed"] == "new"
    # The original world still has its own copy of the event.
    cloud.settle()
    [message] = drain(sqs, url)
    assert json.loads(message["Body"])["responsePayload"]["processed"] == "queued"


def test_module_state_never_leaks_from_one_mock_to_the_next():
    results = []
    for _ in range(2):
        with mock_serverless(clock="frozen", region=REGION) as cloud:
            lam = boto3.client("lambda", region_name=REGION)
            deploy(cloud, lam, "counter", source=COUNTING)
            results.append([invoke_json(lam, "counter")[1] for _ in range(2)])
    assert results == [[1, 2], [1, 2]]


# -- what the runtime does not survive -----------------------------------------------------

COLD_AFTER = """
    import os
    count = 0

    def handler(event, context):
        global count
        count += 1
        if event.get("recycle"):
            os._exit(0)  # a known trick to force a fresh environment
        return count
"""


def test_os_exit_ends_the_runtime_not_the_test_process(cloud, lam):
    deploy(cloud, lam, "recycler", source=COLD_AFTER)
    assert invoke_json(lam, "recycler")[1] == 1
    assert invoke_json(lam, "recycler")[1] == 2
    response, body = invoke_json(lam, "recycler", {"recycle": True})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status 0",
        "errorType": "Runtime.ExitError",
    }
    assert invoke_json(lam, "recycler")[1] == 1  # a new runtime: module state starts over


@pytest.mark.parametrize(
    "raising",
    [
        "class Stop(BaseException):\n    pass\n\ndef handler(e, c):\n    raise Stop('halt')\n",
        "def handler(e, c):\n    raise GeneratorExit('halt')\n",
        "class Odd(Exception):\n    def __str__(self):\n        raise RuntimeError('no text')\n\n"
        "def handler(e, c):\n    raise Odd()\n",
    ],
    ids=["own-base-exception", "generator-exit", "unprintable-exception"],
)
def test_an_exception_the_runtime_cannot_handle_ends_the_runtime(cloud, lam, raising):
    deploy(cloud, lam, "crash", source=raising)
    response, body = invoke_json(lam, "crash")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Error: Runtime exited with error: exit status 1")
    messages = [e["message"] for e in log_events("crash")]
    assert "Traceback (most recent call last):\n" in messages
    assert any(
        m.startswith("REPORT") and m.endswith("\tStatus: error\tError Type: Runtime.ExitError\n")
        for m in messages
    )


def test_sys_exit_during_init_is_reported_by_the_platform(cloud, lam):
    deploy(cloud, lam, "quitter", source="import sys\nsys.exit('no config')\n")
    response, raw = invoke(lam, "quitter")
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    # The platform writes this payload (compact JSON), as for an exit during an invocation.
    assert raw == (
        b'{"errorMessage":"RequestId: ' + request_id.encode()
        + b' Error: Runtime exited with error: exit status 1","errorType":"Runtime.ExitError"}'
    )  # fmt: skip


def test_a_stack_trace_through_boto3_shows_no_fakeaws_frames(cloud, lam):
    source = """
        import boto3
        lambda_client = boto3.client("lambda")

        def handler(event, context):
            return lambda_client.get_function(FunctionName="missing")
    """
    deploy(cloud, lam, "lookup", source=source)
    response, body = invoke_json(lam, "lookup")
    assert body["errorType"] == "ResourceNotFoundException"
    files = [line.split('"')[1] for line in body["stackTrace"]]
    assert files[0].endswith("/app.py")
    assert any(f.endswith("botocore/client.py") for f in files)
    assert not any("/fakeaws/" in f for f in files), files


def test_import_main_works_as_on_aws(cloud, lam):
    source = "import __main__\n\ndef handler(e, c):\n    return hasattr(__main__, '__name__')\n"
    deploy(cloud, lam, "main", source=source)
    assert invoke_json(lam, "main")[1] is True


# -- names from another region -------------------------------------------------------------


@pytest.mark.parametrize(
    "operation, params",
    [
        ("get_function", {}),
        ("get_function_concurrency", {}),
        ("put_function_concurrency", {"ReservedConcurrentExecutions": 1}),
        ("get_policy", {}),
        ("get_function_event_invoke_config", {}),
        ("list_function_event_invoke_configs", {}),
        ("get_function_url_config", {}),
        ("list_provisioned_concurrency_configs", {}),
        ("get_function_recursion_config", {}),
    ],
)
def test_a_function_arn_of_another_region_is_not_reachable(cloud, lam, operation, params):
    deploy(cloud, lam, "fn", zip_file=release(cloud, "r1"))
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as exc:
        getattr(lam, operation)(FunctionName=arn, **params)
    assert exc.value.response["Error"]["Message"] == (
        f"Functions from 'us-east-1' are not reachable in this region ('{REGION}')"
    )


def test_the_task_root_is_read_only(cloud, lam):
    source = """
        import json, os, tempfile

        def handler(event, context):
            try:
                with open("cache.json", "w") as handle:
                    json.dump({"a": 1}, handle)
            except OSError as err:
                failure = [err.errno, err.strerror, err.filename]
            with tempfile.TemporaryDirectory(dir="/tmp") as scratch:
                with open(os.path.join(scratch, "cache.json"), "w") as handle:
                    handle.write("{}")  # /tmp is writable
            with open("app.py") as handle:
                return {"failure": failure, "source": handle.read(6)}
    """
    deploy(cloud, lam, "writer", source=source)
    response, body = invoke_json(lam, "writer")
    assert "FunctionError" not in response, body
    assert body == {"failure": [30, "Read-only file system", "cache.json"], "source": "\nimpor"}


# -- found in review, fixed in the invocation layer ------------------------------------------


def test_invoking_a_function_arn_of_another_region_is_refused(cloud, lam):
    deploy(cloud, lam, "fn", zip_file=release(cloud, "r1"))
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as exc:
        lam.invoke(FunctionName=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn")
    assert exc.value.response["Error"]["Message"] == (
        f"Functions from 'us-east-1' are not reachable in this region ('{REGION}')"
    )


def test_a_deeply_nested_payload_is_an_aws_error(cloud, lam):
    deploy(cloud, lam, "fn", source="def handler(e, c):\n    return 1\n")
    try:  # refused by the service, or handed to the runtime, which cannot unmarshal it
        response = lam.invoke(FunctionName="fn", Payload=b"[" * 100_000 + b"]" * 100_000)
    except ClientError as err:
        assert err.response["Error"]["Code"] == "InvalidRequestContentException"
    else:
        assert response["FunctionError"] == "Unhandled"


def test_an_async_result_that_is_not_json_reaches_the_destination(cloud, lam):
    sqs, url, queue_arn = make_queue("raw")
    deploy(cloud, lam, "raw", source="def handler(e, c):\n    return b'plain text'\n")
    lam.put_function_event_invoke_config(
        FunctionName="raw", DestinationConfig={"OnSuccess": {"Destination": queue_arn}}
    )
    lam.invoke(FunctionName="raw", InvocationType="Event", Payload=b"{}")
    cloud.settle()
    [message] = drain(sqs, url)
    assert json.loads(message["Body"])["requestContext"]["condition"] == "Success"


def test_an_sqs_queue_triggers_the_function(cloud, lam):
    sqs, url, queue_arn = make_queue("orders-in")
    source = """
        def handler(event, context):
            print("BODIES", sorted(r["body"] for r in event["Records"]))
            return {"batchItemFailures": []}
    """
    deploy(cloud, lam, "consumer", source=source)
    mapping = lam.create_event_source_mapping(
        FunctionName="consumer", EventSourceArn=queue_arn, BatchSize=10
    )
    assert mapping["State"] == "Creating"
    sqs.send_message(QueueUrl=url, MessageBody="o-1")
    sqs.send_message(QueueUrl=url, MessageBody="o-2")
    cloud.settle(within=5)
    batches = [e["message"] for e in log_events("consumer") if e["message"].startswith("BODIES")]
    # The poller wakes as soon as o-1 arrives (before the next call is answered), as Lambda's
    # long-polling pollers do: o-1 and o-2 come in one batch each.
    assert batches == ["BODIES ['o-1']\n", "BODIES ['o-2']\n"]
    assert drain(sqs, url) == []  # deleted after a successful batch


# -- pytest-xdist --------------------------------------------------------------------------

XDIST_SUITE = '''
import json, os, textwrap
import boto3, pytest

SOURCE = textwrap.dedent("""
    import os
    count = 0

    def handler(event, context):
        global count
        count += 1
        return {"count": count, "pid": os.getpid(), "root": os.environ["LAMBDA_TASK_ROOT"]}
""")


@pytest.mark.parametrize("n", range(6))
def test_same_code_in_every_worker(cloud, n):
    lam = boto3.client("lambda", region_name="eu-west-1")
    lam.create_function(
        FunctionName="same", Runtime="python3.12", Handler="app.handler",
        Role="arn:aws:iam::123456789012:role/r",
        Code={"ZipFile": cloud.lambda_zip(source=SOURCE, filename="app.py")},
    )
    cloud.settle()
    bodies = [json.loads(lam.invoke(FunctionName="same")["Payload"].read()) for _ in range(2)]
    assert [b["count"] for b in bodies] == [1, 2]  # each test: a fresh world, a cold start
    assert bodies[0]["pid"] == os.getpid()  # in-process, in this worker
    with open(os.path.join(os.environ.get("XDIST_OUT", "."), f"{os.getpid()}-{n}"), "w") as f:
        f.write(bodies[0]["root"])
'''


def test_the_same_function_runs_in_parallel_xdist_workers(pytester, tmp_path, monkeypatch):
    pytest.importorskip("xdist")
    import fakeaws

    pytester.makeini("[pytest]\naddopts = -p no:benchmark\n")
    pytester.makepyfile(test_parallel=XDIST_SUITE)
    out = tmp_path / "roots"
    out.mkdir()
    monkeypatch.setenv("XDIST_OUT", str(out))
    source_root = str(pathlib.Path(fakeaws.__file__).parent.parent)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [source_root, os.environ.get("PYTHONPATH")]))
    )
    result = pytester.runpytest_subprocess("-n", "2", "-q")
    result.assert_outcomes(passed=6)
    roots: dict[str, set[str]] = {}
    for entry in out.iterdir():
        roots.setdefault(entry.name.split("-")[0], set()).add(entry.read_text())
    assert len(roots) == 2  # both workers ran some
    worker_roots = [r for rs in roots.values() for r in rs]
    assert len(set(worker_roots)) == len(worker_roots) == 2  # one code folder per worker process
