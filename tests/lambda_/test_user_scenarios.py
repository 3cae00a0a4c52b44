"""What people really do with Lambda in their tests, end to end through boto3.

Each test is a small serverless application: a handler package built from a
folder, layers, variables, logging, DynamoDB through ``boto3.resource``,
deployment flows with versions and aliases, waiters, async invocations with
destinations, throttling, pagination, snapshots. The expected values are what
AWS answers (the Lambda developer guide and API reference, and captures of
real functions), not what fakeaws happens to do.
"""

from __future__ import annotations

import base64
import json
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
    first = deploy(cloud, lam, "a", handler="orders.handler.main", zip_file=cloud.lambda_zip(str(tmp_path)))
    (tmp_path / "orders" / "__pycache__").mkdir()
    (tmp_path / "orders" / "__pycache__" / "handler.cpython-312.pyc").write_bytes(b"junk")
    second = deploy(cloud, lam, "b", handler="orders.handler.main", zip_file=cloud.lambda_zip(str(tmp_path)))
    assert first["CodeSha256"] == second["CodeSha256"]
    assert first["CodeSize"] == second["CodeSize"]


def test_a_handler_in_a_subfolder_with_a_slash_in_its_handler_path(cloud, lam):
    code = cloud.lambda_zip(
        files={
            "src/api/__init__.py": "",
            "src/api/app.py": "from .routes import ROUTES\n\ndef handler(e, c):\n    return ROUTES\n",
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
    ids = [invoke(lam, "logger", {"id": str(i)})[0]["ResponseMetadata"]["RequestId"] for i in range(2)]
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
        cloud, lam, "writer", source=DDB_HANDLER, Environment={"Variables": {"TABLE_NAME": "orders"}}
    )
    response, raw = invoke(lam, "writer", {"customer": "c-1", "order": "o-1", "amount": 12.5})
    assert "FunctionError" not in response, raw
    # The runtime writes a Decimal as its digits, with simplejson's ", " / ": " separators.
    assert raw == (
        b'{"items": [{"sk": "o-1", "pk": "c-1", "amount": 12.5, "qty": 3}], '
        b'"count": 1, "rate": 0.10}'
    ) or json.loads(raw) == {
        "items": [{"sk": "o-1", "pk": "c-1", "amount": 12.5, "qty": 3}],
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
    assert body["errorMessage"] == (
        "Float types are not supported. Use Decimal types instead."
    )


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
    deploy(cloud, lam, "pt", handler="service.app.handler", zip_file=cloud.lambda_zip(str(tmp_path)))
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
    assert trace[0].startswith('  File "') and "shop/app.py\", line 6, in handler\n" in trace[0]
    assert trace[1].endswith("    raise OrderNotFound(order_id)\n")
    [error] = [e["message"] for e in log_events("shop") if e["message"].startswith("[ERROR]")]
    assert error.startswith("[ERROR] OrderNotFound: order o-404 not found\rTraceback")

