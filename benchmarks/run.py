"""fakeaws micro-benchmarks: activation, a trivial call, snapshot/restore.

Run from the repository root::

    python benchmarks/run.py                 # everything, ~7 repeats of ~0.3 s each
    python benchmarks/run.py --quick         # 3 short repeats: a smoke run
    python benchmarks/run.py --only activation --only 'sts.*'
    python benchmarks/run.py --json benchmarks/results.json
    python benchmarks/run.py --profile sts.get_caller_identity   # cProfile the fakeaws contender

Every workload has one or more *contenders* (``fakeaws``, ``moto``, ``stubber``,
...), each a context manager that sets its world up (untimed) and yields a
``Bench``: the zero-argument ``op`` to time, and an optional ``prepare(n)`` run
(untimed) right before every chunk of ``n`` ops. Add a workload with
``register(...)`` or, for "one boto3 call against every contender",
``register_call(...)``; see README.md.

moto is a bench-only extra (``pip install -e '.[bench]'``): it is imported
lazily, and its rows are skipped with a message when it is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import fnmatch
import functools
import gc
import importlib.util
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

REGION = "us-east-1"

# -- environment: nothing may reach AWS or the user's AWS config --------------------------


def isolate_environment(strict: bool = False) -> None:
    """Fake credentials if absent, a fixed region, and no config/profile files or IMDS.

    Called before any client is created. ``FAKEAWS_STRICT`` is forced so every
    run measures the same fakeaws mode (the default, non-strict, unless --strict).
    """
    env = os.environ
    for key, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ):
        if not env.get(key):
            env[key] = value
    env["AWS_DEFAULT_REGION"] = REGION
    env.pop("AWS_REGION", None)
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        env.pop(key, None)
    # The user's ~/.aws files could pick a retry mode, endpoint, SSO... keep runs comparable.
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["FAKEAWS_STRICT"] = "1" if strict else "0"


def _ensure_fakeaws_importable() -> None:
    try:
        import fakeaws  # noqa: F401
    except ImportError:  # running from a checkout that is not pip-installed
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# -- the registry ----------------------------------------------------------------------------


@dataclass
class Bench:
    """What a contender's setup yields: the op to time, and untimed per-chunk preparation."""

    op: Callable[[], Any]
    prepare: Callable[[int], None] | None = None  # called with n right before n timed ops


@dataclass
class Contender:
    name: str
    setup: Callable[[], contextlib.AbstractContextManager[Bench]]
    requires: tuple[str, ...] = ()  # importable modules it needs (missing -> skipped)
    floor: bool = False  # a baseline measured first, before fakeaws/moto patch anything


@dataclass
class Ratio:
    """``numerator / denominator`` of two contenders' medians, with an optional target."""

    numerator: str
    denominator: str
    target: float | None = None
    at_most: bool = False  # True: pass when ratio <= target; False: pass when ratio >= target
    label: str = ""

    def describe(self) -> str:
        return self.label or f"{self.numerator} / {self.denominator}"

    def passes(self, value: float) -> bool:
        assert self.target is not None
        return value <= self.target if self.at_most else value >= self.target

    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"{'<=' if self.at_most else '>='} {self.target:g}x"


@dataclass
class Workload:
    name: str
    description: str
    contenders: list[Contender]
    ratios: list[Ratio] = field(default_factory=list)


WORKLOADS: dict[str, Workload] = {}


def register(workload: Workload) -> Workload:
    if workload.name in WORKLOADS:
        raise ValueError(f"workload {workload.name!r} is registered twice")
    WORKLOADS[workload.name] = workload
    return workload


# -- contender building blocks ------------------------------------------------------------------

MOTO_HINT = "moto is not installed (bench-only extra: pip install -e '.[bench]')"


def _client(service: str):
    import boto3

    return boto3.client(service, region_name=REGION)


def _call_op(client: Any, method: str, kwargs: dict[str, Any]) -> Callable[[], Any]:
    bound = getattr(client, method)
    return functools.partial(bound, **kwargs) if kwargs else bound


@contextlib.contextmanager
def fakeaws_world(**options: Any) -> Iterator[Any]:
    from fakeaws import mock_serverless

    with mock_serverless(**options) as cloud:
        yield cloud


def register_call(
    name: str,
    service: str,
    method: str,
    kwargs: dict[str, Any] | None = None,
    *,
    stub_response: dict[str, Any] | None = None,
    world: Callable[[Any], None] | None = None,
    description: str = "",
    extra: list[Contender] | None = None,
    ratios: list[Ratio] | None = None,
    stubber_target: float | None = 1.5,
    moto_target: float | None = None,
) -> Workload:
    """One boto3 call on a client created up front, against fakeaws, moto and (optionally) Stubber.

    ``world(client)`` creates what the call needs (a queue, a function...) in the
    fakeaws and moto worlds, untimed. ``stub_response`` is the canned answer the
    Stubber floor returns (omit it where a Stubber comparison makes no sense).
    """
    kwargs = dict(kwargs or {})

    @contextlib.contextmanager
    def fakeaws_setup(**options: Any) -> Iterator[Bench]:
        with fakeaws_world(**options) as cloud:
            client = _client(service)
            if world is not None:
                world(client)
            op = _call_op(client, method, kwargs)
            op()  # first call hooks the client

            def prepare(n: int) -> None:
                cloud.calls.clear()  # a test's log is short: don't time a huge list

            yield Bench(op, prepare)

    @contextlib.contextmanager
    def moto_setup() -> Iterator[Bench]:
        from moto import mock_aws

        with mock_aws():
            client = _client(service)
            if world is not None:
                world(client)
            op = _call_op(client, method, kwargs)
            op()
            yield Bench(op)

    contenders = [
        Contender("fakeaws", fakeaws_setup),
        Contender("fakeaws[strict]", functools.partial(fakeaws_setup, strict=True)),
        Contender("moto", moto_setup, requires=("moto",)),
    ]
    default_ratios = [
        Ratio("moto", "fakeaws", target=moto_target, label=f"{name}: moto / fakeaws")
        if moto_target
        else Ratio("moto", "fakeaws")
    ]
    if stub_response is not None:

        @contextlib.contextmanager
        def stubber_setup() -> Iterator[Bench]:
            from botocore.stub import Stubber

            client = _client(service)
            stubber = Stubber(client)
            op = _call_op(client, method, kwargs)

            def prepare(n: int) -> None:  # one canned response per op, added untimed
                for _ in range(n):
                    stubber.add_response(method, copy.deepcopy(stub_response))

            with stubber:
                prepare(1)
                op()
                yield Bench(op, prepare)
                stubber.assert_no_pending_responses()

        contenders.insert(0, Contender("stubber", stubber_setup, floor=True))
        default_ratios.insert(
            0,
            Ratio(
                "fakeaws",
                "stubber",
                target=stubber_target,
                at_most=True,
                label="call: fakeaws / Stubber",
            )
            if stubber_target
            else Ratio("fakeaws", "stubber"),
        )
        default_ratios.append(Ratio("fakeaws[strict]", "stubber"))
    contenders.extend(extra or [])
    return register(
        Workload(
            name,
            description or f"{service}.{method}() on a client created once, outside the timed loop",
            contenders,
            ratios if ratios is not None else default_ratios,
        )
    )


# -- workloads ----------------------------------------------------------------------------------

# 1. Activation: enter + exit of the mock, nothing else.


@contextlib.contextmanager
def _fakeaws_activation() -> Iterator[Bench]:
    from fakeaws import mock_serverless

    def op() -> None:
        with mock_serverless():
            pass

    yield Bench(op)


@contextlib.contextmanager
def _fakeaws_activation_bare_env() -> Iterator[Bench]:
    """As in a CI job with no AWS variables: fakeaws then writes (and restores) fake keys."""
    from fakeaws import mock_serverless

    saved = {k: os.environ.pop(k, None) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    try:

        def op() -> None:
            with mock_serverless():
                pass

        yield Bench(op)
    finally:
        for key, value in saved.items():
            if value is not None:
                os.environ[key] = value


@contextlib.contextmanager
def _moto_activation() -> Iterator[Bench]:
    from moto import mock_aws

    def op() -> None:
        with mock_aws():
            pass

    yield Bench(op)


register(
    Workload(
        "activation",
        "enter + exit of mock_serverless() vs moto.mock_aws()",
        [
            Contender("fakeaws", _fakeaws_activation),
            Contender("fakeaws[no-env-creds]", _fakeaws_activation_bare_env),
            Contender("moto", _moto_activation, requires=("moto",)),
        ],
        [
            Ratio("moto", "fakeaws", target=20, label="activation: moto / fakeaws"),
            Ratio("moto", "fakeaws[no-env-creds]"),
        ],
    )
)

# 2. A trivial call.

register_call(
    "sts.get_caller_identity",
    "sts",
    "get_caller_identity",
    stub_response={
        "UserId": "123456789012",
        "Account": "123456789012",
        "Arn": "arn:aws:iam::123456789012:root",
        "ResponseMetadata": {
            "RequestId": "c6104cbe-af31-11e0-8154-cbc7ccf896c7",
            "HTTPStatusCode": 200,
            "HTTPHeaders": {
                "x-amzn-requestid": "c6104cbe-af31-11e0-8154-cbc7ccf896c7",
                "content-type": "text/xml",
                "date": "Thu, 01 Jan 2026 00:00:00 GMT",
            },
            "RetryAttempts": 0,
        },
    },
)

# 3. snapshot() / restore() of a cloud.


def _snapshot_workload(name: str, calls: int, what: str) -> None:
    @contextlib.contextmanager
    def setup() -> Iterator[Bench]:
        with fakeaws_world() as cloud:
            if calls:
                sts = _client("sts")
                for _ in range(calls):
                    sts.get_caller_identity()
            snap = cloud.snapshot()
            if what == "snapshot+restore":

                def op() -> None:
                    cloud.restore(cloud.snapshot())

            elif what == "snapshot":
                op = cloud.snapshot
            else:
                op = functools.partial(cloud.restore, snap)
            yield Bench(op)

    world = f"after {calls} sts calls" if calls else "empty world"
    register(Workload(name, f"cloud.{what}() of a cloud, {world}", [Contender("fakeaws", setup)]))


_snapshot_workload("snapshot+restore.empty", 0, "snapshot+restore")
_snapshot_workload("snapshot+restore.200calls", 200, "snapshot+restore")
_snapshot_workload("snapshot.200calls", 200, "snapshot")
_snapshot_workload("restore.200calls", 200, "restore")


# 4. DynamoDB: single-item operations, and Query/Scan against growing tables.

_TABLE = "bench"


def _orders_table(items: int = 0, *, partitions: int = 1) -> Callable[[Any], None]:
    """A composite-key table with ``items`` items spread over ``partitions`` partitions."""

    def world(client: Any) -> None:
        client.create_table(
            TableName=_TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        batch = []
        for n in range(items):
            item = {"pk": {"S": f"p{n % partitions}"}, "sk": {"N": str(n)}, "v": {"S": "x" * 64}}
            batch.append({"PutRequest": {"Item": item}})
            if len(batch) == 25:
                client.batch_write_item(RequestItems={_TABLE: batch})
                batch = []
        if batch:
            client.batch_write_item(RequestItems={_TABLE: batch})
        client.put_item(
            TableName=_TABLE, Item={"pk": {"S": "hot"}, "sk": {"N": "1"}, "n": {"N": "0"}}
        )

    return world


_ITEM = {"pk": {"S": "hot"}, "sk": {"N": "1"}, "v": {"S": "x" * 64}, "n": {"N": "0"}}
_OK = {
    "ResponseMetadata": {
        "RequestId": "r",
        "HTTPStatusCode": 200,
        "HTTPHeaders": {},
        "RetryAttempts": 0,
    }
}

register_call(
    "dynamodb.put_item",
    "dynamodb",
    "put_item",
    {"TableName": _TABLE, "Item": _ITEM},
    world=_orders_table(),
    stub_response=_OK,
    stubber_target=None,
    moto_target=5,
)
register_call(
    "dynamodb.get_item",
    "dynamodb",
    "get_item",
    {"TableName": _TABLE, "Key": {"pk": {"S": "hot"}, "sk": {"N": "1"}}},
    world=_orders_table(),
    stub_response={**_OK, "Item": _ITEM},
    stubber_target=None,
    moto_target=5,
)
register_call(
    "dynamodb.update_item.conditional",
    "dynamodb",
    "update_item",
    {
        "TableName": _TABLE,
        "Key": {"pk": {"S": "hot"}, "sk": {"N": "1"}},
        "UpdateExpression": "SET n = n + :one",
        "ConditionExpression": "attribute_exists(pk) AND n >= :zero",
        "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"}},
        "ReturnValues": "UPDATED_NEW",
    },
    world=_orders_table(),
    stub_response={**_OK, "Attributes": {"n": {"N": "1"}}},
    stubber_target=None,
    moto_target=5,
)


def _provisioned_table(client: Any) -> None:
    """The hot item in a PROVISIONED table: every call goes through its token buckets."""
    client.create_table(
        TableName=_TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        ProvisionedThroughput={"ReadCapacityUnits": 40_000, "WriteCapacityUnits": 40_000},
    )
    client.put_item(TableName=_TABLE, Item=_ITEM)


register_call(
    "dynamodb.put_item.provisioned",
    "dynamodb",
    "put_item",
    {"TableName": _TABLE, "Item": _ITEM, "ReturnConsumedCapacity": "TOTAL"},
    world=_provisioned_table,
    description="PutItem on a PROVISIONED table (token buckets), asking for ConsumedCapacity",
    stubber_target=None,
)
register_call(
    "dynamodb.get_item.provisioned",
    "dynamodb",
    "get_item",
    {"TableName": _TABLE, "Key": {"pk": {"S": "hot"}, "sk": {"N": "1"}}},
    world=_provisioned_table,
    description="GetItem on a PROVISIONED table (token buckets)",
    stubber_target=None,
)
_QUERY_100 = {
    "TableName": _TABLE,
    "KeyConditionExpression": "pk = :p AND sk >= :lo",
    "ExpressionAttributeValues": {":p": {"S": "p0"}, ":lo": {"N": "0"}},
    "Limit": 100,
}
register_call(
    "dynamodb.query_100.of_10k",
    "dynamodb",
    "query",
    _QUERY_100,
    world=_orders_table(10_000, partitions=10),
    description="Query returning 100 items from a 10k-item table (10 partitions)",
)
register_call(
    "dynamodb.scan_page.of_10k",
    "dynamodb",
    "scan",
    {"TableName": _TABLE, "Limit": 100},
    world=_orders_table(10_000, partitions=10),
    description="one 100-item Scan page of a 10k-item table",
)


def _fakeaws_query(items: int) -> Callable[[], Any]:
    @contextlib.contextmanager
    def setup() -> Iterator[Bench]:
        with fakeaws_world() as cloud:
            client = _client("dynamodb")
            _orders_table(items, partitions=max(1, items // 1000))(client)
            op = _call_op(client, "query", _QUERY_100)
            op()

            def prepare(n: int) -> None:
                cloud.calls.clear()

            # Measure the query, not the collector: a 100k-item world makes every full GC
            # pass slower, whatever the code under test does. Frozen objects are skipped.
            gc.collect()
            gc.freeze()
            try:
                yield Bench(op, prepare)
            finally:
                gc.unfreeze()

    return setup


register(
    Workload(
        "dynamodb.query_100.scaling",
        "Query of 100 items as the table grows (fakeaws only): time should stay flat",
        [
            Contender("fakeaws@1k", _fakeaws_query(1_000)),
            Contender("fakeaws@100k", _fakeaws_query(100_000)),
        ],
        [Ratio("fakeaws@100k", "fakeaws@1k", target=1.5, at_most=True, label="query 100k / 1k")],
    )
)


def _snapshot_dynamodb(items: int) -> None:
    @contextlib.contextmanager
    def setup() -> Iterator[Bench]:
        with fakeaws_world() as cloud:
            _orders_table(items, partitions=max(1, items // 100))(_client("dynamodb"))

            def op() -> None:
                cloud.restore(cloud.snapshot())

            yield Bench(op)

    register(
        Workload(
            f"snapshot+restore.dynamodb_{items}",
            f"cloud.snapshot() + restore() of a world with one {items}-item DynamoDB table",
            [Contender("fakeaws", setup)],
        )
    )


_snapshot_dynamodb(1_000)


# 5. Lambda: a warm synchronous invoke of a trivial handler, and a cold start.
# moto cannot run a Lambda function without Docker, so it has no row here; the floors are
# calling the handler function directly, and Stubber answering Invoke with a canned payload.

_LAMBDA_SOURCE = "def handler(event, context):\n    return {'ok': True, 'n': event['n']}\n"
_LAMBDA_ROLE = "arn:aws:iam::123456789012:role/bench"


def _create_bench_function(cloud: Any, client: Any) -> None:
    client.create_function(
        FunctionName="bench",
        Runtime="python3.12",
        Role=_LAMBDA_ROLE,
        Handler="lambda_function.handler",
        Code={"ZipFile": cloud.lambda_zip(source=_LAMBDA_SOURCE)},
    )
    cloud.settle()


@contextlib.contextmanager
def _lambda_direct() -> Iterator[Bench]:
    namespace: dict[str, Any] = {}
    exec(_LAMBDA_SOURCE, namespace)
    handler = namespace["handler"]
    event = {"n": 1}
    yield Bench(lambda: handler(event, None))


@contextlib.contextmanager
def _lambda_fakeaws_warm() -> Iterator[Bench]:
    with fakeaws_world(clock="frozen", lambda_={"echo_logs": False}) as cloud:
        client = _client("lambda")
        _create_bench_function(cloud, client)

        def op() -> Any:
            return client.invoke(FunctionName="bench", Payload=b'{"n": 1}')["Payload"].read()

        op()

        def prepare(n: int) -> None:
            cloud.calls.clear()

        yield Bench(op, prepare)


@contextlib.contextmanager
def _lambda_fakeaws_cold() -> Iterator[Bench]:
    """Every invoke finds its environment reclaimed: module import + init each time."""
    with fakeaws_world(clock="frozen", lambda_={"echo_logs": False, "idle_timeout": 1}) as cloud:
        client = _client("lambda")
        _create_bench_function(cloud, client)

        def op() -> Any:
            cloud.clock.advance(2)
            return client.invoke(FunctionName="bench", Payload=b'{"n": 1}')["Payload"].read()

        op()

        def prepare(n: int) -> None:
            cloud.calls.clear()

        yield Bench(op, prepare)


@contextlib.contextmanager
def _lambda_stubber() -> Iterator[Bench]:
    import io

    from botocore.response import StreamingBody
    from botocore.stub import Stubber

    client = _client("lambda")
    stubber = Stubber(client)
    body = b'{"ok": true, "n": 1}'

    def op() -> Any:
        return client.invoke(FunctionName="bench", Payload=b'{"n": 1}')["Payload"].read()

    def prepare(n: int) -> None:
        for _ in range(n):
            response = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
            stubber.add_response("invoke", response)

    with stubber:
        prepare(1)
        op()
        yield Bench(op, prepare)


register(
    Workload(
        "lambda.invoke.warm",
        "warm RequestResponse invoke of a trivial Python handler (moto needs Docker: no row)",
        [
            Contender("direct", _lambda_direct, floor=True),
            Contender("stubber", _lambda_stubber, floor=True),
            Contender("fakeaws", _lambda_fakeaws_warm),
        ],
        [
            Ratio(
                "fakeaws", "stubber", target=2.0, at_most=True, label="invoke: fakeaws / Stubber"
            ),
            Ratio("fakeaws", "direct"),
        ],
    )
)
register(
    Workload(
        "lambda.invoke.cold",
        "cold-start invoke: a new execution environment imports the handler module each time",
        [
            Contender("fakeaws[warm]", _lambda_fakeaws_warm),
            Contender("fakeaws[cold]", _lambda_fakeaws_cold),
        ],
        [Ratio("fakeaws[cold]", "fakeaws[warm]")],
    )
)


# 6. Messaging: SQS send, receive + delete, SNS fan-out, EventBridge matching (vs moto).
# fakeaws delivers SNS and EventBridge messages as background work: its ops include the
# cloud.settle() that runs the delivery, so both contenders do the same work per op.


def _queue_url(sqs: Any, name: str) -> str:
    return sqs.create_queue(QueueName=name)["QueueUrl"]


def _queue_arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]


def _messaging_workload(
    name: str, description: str, build: Callable[[Any, Any], Callable[[], Any]]
) -> None:
    """``build(cloud_or_None, settle)`` makes the world and returns the op."""

    @contextlib.contextmanager
    def fakeaws_setup() -> Iterator[Bench]:
        with fakeaws_world(clock="frozen") as cloud:
            op = build(cloud, cloud.settle)
            op()

            def prepare(n: int) -> None:
                cloud.calls.clear()

            yield Bench(op, prepare)

    @contextlib.contextmanager
    def moto_setup() -> Iterator[Bench]:
        from moto import mock_aws

        with mock_aws():
            op = build(None, lambda: None)
            op()
            yield Bench(op)

    register(
        Workload(
            name,
            description,
            [
                Contender("fakeaws", fakeaws_setup),
                Contender("moto", moto_setup, requires=("moto",)),
            ],
            [Ratio("moto", "fakeaws", target=5, label=f"{name}: moto / fakeaws")],
        )
    )


def _sqs_send(cloud: Any, settle: Callable[[], Any]) -> Callable[[], Any]:
    sqs = _client("sqs")
    url = _queue_url(sqs, "bench")
    return functools.partial(sqs.send_message, QueueUrl=url, MessageBody="hello")


def _sqs_receive_delete(cloud: Any, settle: Callable[[], Any]) -> Callable[[], Any]:
    sqs = _client("sqs")
    url = _queue_url(sqs, "bench")

    def op() -> None:
        sqs.send_message(QueueUrl=url, MessageBody="hello")
        [message] = sqs.receive_message(QueueUrl=url)["Messages"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return op


def _sns_fan_out(cloud: Any, settle: Callable[[], Any]) -> Callable[[], Any]:
    sns, sqs = _client("sns"), _client("sqs")
    topic = sns.create_topic(Name="bench")["TopicArn"]
    urls = []
    for i in range(10):
        url = _queue_url(sqs, f"fan-{i}")
        urls.append(url)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue_arn(sqs, url))

    def op() -> None:
        sns.publish(TopicArn=topic, Message="hello")
        settle()

    return op


def _events_100_rules(cloud: Any, settle: Callable[[], Any]) -> Callable[[], Any]:
    events, sqs = _client("events"), _client("sqs")
    arn = _queue_arn(sqs, _queue_url(sqs, "matched"))
    for i in range(100):
        pattern = {"source": [f"app.{i}"], "detail": {"status": ["ok"]}}
        events.put_rule(Name=f"rule-{i}", EventPattern=json.dumps(pattern))
        events.put_targets(Rule=f"rule-{i}", Targets=[{"Id": "q", "Arn": arn}])
    entry = {"Source": "app.42", "DetailType": "bench", "Detail": json.dumps({"status": "ok"})}

    def op() -> None:
        events.put_events(Entries=[entry])
        settle()

    return op


_messaging_workload("sqs.send_message", "SQS SendMessage to a standard queue", _sqs_send)
_messaging_workload(
    "sqs.receive_delete",
    "SQS SendMessage + ReceiveMessage + DeleteMessage of one message",
    _sqs_receive_delete,
)
_messaging_workload(
    "sns.publish.fan_out_10",
    "SNS Publish delivered to 10 SQS subscriptions (delivery included)",
    _sns_fan_out,
)
_messaging_workload(
    "events.put_events.100_rules",
    "EventBridge PutEvents matched against 100 rules, one SQS delivery (included)",
    _events_100_rules,
)


# -- measuring ----------------------------------------------------------------------------------


@dataclass
class Settings:
    repeats: int = 7
    repeat_seconds: float = 0.3  # aim for each repeat to take about this long
    warmup_seconds: float = 0.1


@dataclass
class Result:
    workload: str
    contender: str
    n: int
    per_op_ns: list[float]  # one per repeat

    @property
    def median_us(self) -> float:
        return statistics.median(self.per_op_ns) / 1000

    @property
    def min_us(self) -> float:
        return min(self.per_op_ns) / 1000

    @property
    def spread(self) -> float:
        """(max - min) / median across repeats."""
        med = statistics.median(self.per_op_ns)
        return (max(self.per_op_ns) - min(self.per_op_ns)) / med if med else 0.0


def _timed(bench: Bench, n: int) -> int:
    if bench.prepare is not None:
        bench.prepare(n)
    op = bench.op
    loop = range(n)
    start = time.perf_counter_ns()
    for _ in loop:
        op()
    return time.perf_counter_ns() - start


def measure(bench: Bench, settings: Settings) -> tuple[int, list[float]]:
    """Warm up, pick N so a repeat takes ~repeat_seconds, then time ``repeats`` chunks of N ops."""
    # Warm-up doubles as calibration: grow the chunk until it runs long enough to trust.
    n, spent_ns, per_op = 1, 0, 0.0
    while True:
        elapsed = _timed(bench, n)
        spent_ns += elapsed
        per_op = elapsed / n
        if elapsed >= 0.02e9 and spent_ns >= settings.warmup_seconds * 1e9:
            break
        n = n * 2 if elapsed < 0.002e9 else max(n + 1, int(n * 0.025e9 / max(elapsed, 1)))
    n = max(1, math.ceil(settings.repeat_seconds * 1e9 / max(per_op, 1)))
    samples = []
    for _ in range(settings.repeats):
        gc.collect()  # start each repeat from the same heap; GC stays on, as in a test run
        samples.append(_timed(bench, n) / n)
    return n, samples


def _missing(requires: tuple[str, ...]) -> list[str]:
    return [mod for mod in requires if importlib.util.find_spec(mod) is None]


def _matches(name: str, pattern: str) -> bool:
    return name == pattern or name.startswith(pattern) or fnmatch.fnmatchcase(name, pattern)


def select(patterns: list[str] | None) -> list[Workload]:
    if not patterns:
        return list(WORKLOADS.values())
    chosen = [w for w in WORKLOADS.values() if any(_matches(w.name, p) for p in patterns)]
    if not chosen:
        raise SystemExit(f"no workload matches {patterns}; try --list")
    return chosen


def run(workloads: list[Workload], settings: Settings, log=print) -> tuple[list[Result], list[str]]:
    tasks = [(w, c) for w in workloads for c in w.contenders]
    # Floors (plain botocore + Stubber) first, before fakeaws wraps BaseClient._make_api_call
    # and before moto is imported (it adds a handler to every client created afterwards).
    tasks.sort(key=lambda t: not t[1].floor)
    results: list[Result] = []
    skipped: list[str] = []
    warned: set[str] = set()
    for workload, contender in tasks:
        missing = _missing(contender.requires)
        if missing:
            for mod in missing:
                if mod not in warned:
                    warned.add(mod)
                    hint = MOTO_HINT if mod == "moto" else f"{mod} is not installed"
                    log(f"  SKIP {mod} rows: {hint}")
            skipped.append(f"{workload.name}/{contender.name}")
            continue
        log(f"  {workload.name:<28} {contender.name:<22}", end="", flush=True)
        with contender.setup() as bench:
            n, samples = measure(bench, settings)
        result = Result(workload.name, contender.name, n, samples)
        results.append(result)
        log(f" {result.median_us:12.2f} us  (N={n})")
    pairs = [(w.name, c.name) for w in workloads for c in w.contenders]
    order = {pair: i for i, pair in enumerate(pairs)}
    results.sort(key=lambda r: order[(r.workload, r.contender)])
    return results, skipped


# -- reporting ----------------------------------------------------------------------------------


def ratios_for(workloads: list[Workload], results: list[Result]) -> list[dict[str, Any]]:
    medians = {(r.workload, r.contender): r.median_us for r in results}
    out = []
    for w in workloads:
        for ratio in w.ratios:
            num = medians.get((w.name, ratio.numerator))
            den = medians.get((w.name, ratio.denominator))
            value = num / den if num is not None and den else None
            out.append(
                {
                    "workload": w.name,
                    "ratio": ratio.describe(),
                    "value": value,
                    "target": ratio.target_text() or None,
                    "pass": (ratio.passes(value) if value is not None else None)
                    if ratio.target is not None
                    else None,
                    "has_target": ratio.target is not None,
                }
            )
    return out


def format_report(results: list[Result], ratios: list[dict[str, Any]], settings: Settings) -> str:
    lines = [
        "",
        f"Medians of {settings.repeats} repeats (~{settings.repeat_seconds:g} s each), per op:",
        "",
        f"{'workload':<28} {'contender':<22} {'median us':>11} {'min us':>11} "
        f"{'spread':>7} {'N':>8}",
        "-" * 92,
    ]
    last = None
    for r in results:
        name = r.workload if r.workload != last else ""
        last = r.workload
        lines.append(
            f"{name:<28} {r.contender:<22} {r.median_us:11.2f} {r.min_us:11.2f} "
            f"{r.spread:7.1%} {r.n:8d}"
        )
    if ratios:
        lines += ["", "Ratios (of medians):", ""]
        for q in ratios:
            value = "n/a (skipped)" if q["value"] is None else f"{q['value']:.2f}x"
            target = f"   target {q['target']}" if q["target"] else ""
            lines.append(f"  {q['workload']:<28} {q['ratio']:<36} {value:>14}{target}")
    targets = [q for q in ratios if q["has_target"]]
    if targets:
        lines += ["", "Targets:", ""]
        for q in targets:
            if q["value"] is None:
                verdict, value = "SKIP", "n/a"
            else:
                verdict, value = ("PASS" if q["pass"] else "MISS"), f"{q['value']:.2f}x"
            lines.append(f"  [{verdict}] {q['ratio']:<36} {value:>8}  (target {q['target']})")
    return "\n".join(lines)


def environment_info() -> dict[str, Any]:
    def version(mod: str) -> str | None:
        if importlib.util.find_spec(mod) is None:
            return None
        return getattr(importlib.import_module(mod), "__version__", "?")

    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "fakeaws": version("fakeaws"),
        "botocore": version("botocore"),
        "boto3": version("boto3"),
        "moto": version("moto"),
        "fakeaws_strict_default": os.environ.get("FAKEAWS_STRICT") == "1",
    }


# -- profiling ----------------------------------------------------------------------------------


def _bucket(filename: str) -> str:
    path = filename.replace("\\", "/")
    for name in ("fakeaws", "botocore", "boto3", "moto", "wrapt", "dateutil", "urllib3"):
        if f"/{name}/" in path:
            return name
    if path.startswith("~") or path.startswith("<"):
        return "builtins"
    return "stdlib/other"


def profile(spec: str, seconds: float, top: int) -> None:
    """cProfile ``n`` ops of one contender; print hot functions and time per package."""
    import cProfile
    import pstats

    name, _, contender_name = spec.partition(":")
    workload = WORKLOADS.get(name)
    if workload is None:
        raise SystemExit(f"unknown workload {name!r}; try --list")
    contender_name = contender_name or "fakeaws"
    contender = next((c for c in workload.contenders if c.name == contender_name), None)
    if contender is None:
        raise SystemExit(f"{name} has no contender {contender_name!r}")
    with contender.setup() as bench:
        _, samples = measure(bench, Settings(repeats=1, repeat_seconds=0.1, warmup_seconds=0.1))
        n = max(1, int(seconds * 1e9 / samples[0]))
        if bench.prepare is not None:
            bench.prepare(n)
        op = bench.op
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(n):
            op()
        prof.disable()
    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())  # tottime
    per_bucket: dict[str, float] = {}
    for (filename, _line, _func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        bucket = _bucket(filename)
        per_bucket[bucket] = per_bucket.get(bucket, 0.0) + tt
    print(
        f"\ncProfile of {name}:{contender_name}, {n} ops "
        f"(profiled: {total / n * 1e6:.1f} us/op; cProfile inflates absolute times)\n"
    )
    print("Own time (tottime) by package:")
    for bucket, tt in sorted(per_bucket.items(), key=lambda kv: -kv[1]):
        print(f"  {bucket:<14} {tt / total:6.1%}  {tt / n * 1e6:8.2f} us/op")
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]
    print(f"\nTop {top} functions by own time:")
    print(f"  {'tottime%':>8} {'us/op':>7} {'cum us/op':>9} {'calls/op':>8}  function")
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in rows:
        short = filename
        for marker in ("/site-packages/", "/lib/python"):
            if marker in short:
                short = short.split(marker, 1)[1]
        if "/fakeaws/" in filename:
            short = "fakeaws/" + filename.split("/fakeaws/", 1)[1]
        print(
            f"  {tt / total:8.1%} {tt / n * 1e6:7.2f} {ct / n * 1e6:9.2f} {nc / n:8.1f}  "
            f"{short}:{line}({func})"
        )
    fake_rows = sorted(
        ((k, v) for k, v in stats.stats.items() if "/fakeaws/" in k[0]), key=lambda kv: -kv[1][3]
    )[:top]
    print("\nfakeaws functions by cumulative time:")
    for (filename, line, func), (_cc, _nc, tt, ct, _callers) in fake_rows:
        short = "fakeaws/" + filename.split("/fakeaws/", 1)[1]
        print(f"  cum {ct / n * 1e6:7.2f} us/op  own {tt / n * 1e6:6.2f}  {short}:{line}({func})")


# -- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run workloads with this name, prefix or glob (repeatable)",
    )
    parser.add_argument("--quick", action="store_true", help="3 short repeats (a smoke run)")
    parser.add_argument("--repeats", type=int, help="repeats per contender (default 7)")
    parser.add_argument("--seconds", type=float, help="target seconds per repeat (default 0.3)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--list", action="store_true", help="list workloads and exit")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="run fakeaws in strict mode by default (FAKEAWS_STRICT=1)",
    )
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument(
        "--profile",
        metavar="WORKLOAD[:CONTENDER]",
        help="cProfile one contender (default fakeaws) instead of benchmarking",
    )
    parser.add_argument("--profile-seconds", type=float, default=2.0)
    parser.add_argument("--top", type=int, default=25, help="rows in --profile output")
    args = parser.parse_args(argv)

    isolate_environment(strict=args.strict)
    _ensure_fakeaws_importable()

    if args.list:
        for w in WORKLOADS.values():
            names = ", ".join(c.name for c in w.contenders)
            print(f"{w.name:<28} {w.description}\n{'':<28} contenders: {names}")
        return 0
    if args.profile:
        profile(args.profile, args.profile_seconds, args.top)
        return 0

    settings = Settings()
    if args.quick:
        settings = Settings(repeats=3, repeat_seconds=0.05, warmup_seconds=0.02)
    if args.repeats:
        settings.repeats = args.repeats
    if args.seconds:
        settings.repeat_seconds = args.seconds

    workloads = select(args.only)
    info = environment_info()
    print(
        f"fakeaws {info['fakeaws']} | botocore {info['botocore']} | moto {info['moto'] or '-'} | "
        f"Python {info['python']} | {info['platform']}"
    )
    print("Measuring (floors first):")
    results, skipped = run(workloads, settings)
    ratios = ratios_for(workloads, results)
    print(format_report(results, ratios, settings))

    if args.json:
        payload = {
            "environment": info,
            "settings": vars(settings),
            "results": [
                {
                    "workload": r.workload,
                    "contender": r.contender,
                    "median_us": r.median_us,
                    "min_us": r.min_us,
                    "spread": r.spread,
                    "n": r.n,
                    "per_repeat_us": [s / 1000 for s in r.per_op_ns],
                }
                for r in results
            ],
            "ratios": [{k: v for k, v in q.items() if k != "has_target"} for q in ratios],
            "skipped": skipped,
        }
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2)
        print(f"\nwrote {args.json}")
    missed = any(q["has_target"] and q["pass"] is False for q in ratios)
    return 1 if (missed and args.fail_on_miss) else 0


if __name__ == "__main__":
    sys.exit(main())
