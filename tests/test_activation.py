"""Activation: decorator forms, context manager, start/stop, nesting, environment."""

from __future__ import annotations

import asyncio
import inspect
import os
import unittest

import boto3
import pytest

from fakeaws import Cloud, current_cloud, mock_serverless


def whoami(region: str | None = None) -> dict:
    return boto3.client("sts", region_name=region).get_caller_identity()


# -- decorator forms -----------------------------------------------------------------------


@mock_serverless
def test_bare_decorator_activates_for_the_call():
    assert isinstance(current_cloud(), Cloud)
    assert whoami()["Account"] == "123456789012"


@mock_serverless(account_id="111122223333", region="eu-west-1")
def test_decorator_with_arguments():
    assert whoami()["Arn"] == "arn:aws:iam::111122223333:root"
    assert current_cloud().region == "eu-west-1"
    assert boto3.client("sts").meta.region_name == "eu-west-1"


def test_decorated_function_keeps_metadata_and_signature():
    def target(a: int, b: str = "x") -> str:
        """Doc."""
        return f"{a}{b}"

    wrapped = mock_serverless(target)
    assert wrapped.__name__ == "target"
    assert wrapped.__doc__ == "Doc."
    assert inspect.signature(wrapped) == inspect.signature(target)
    assert wrapped(1, b="y") == "1y"
    assert current_cloud() is None


@pytest.fixture
def greeting():
    return "hello"


@mock_serverless
def test_pytest_fixtures_still_injected(greeting):
    assert greeting == "hello"
    assert current_cloud() is not None


def test_decorated_function_gets_a_fresh_world_per_call():
    seen = []

    @mock_serverless
    def run():
        seen.append(current_cloud())
        whoami()
        return len(current_cloud().calls)

    assert run() == 1
    assert run() == 1
    assert seen[0] is not seen[1]


def test_async_function():
    @mock_serverless(region="ap-southeast-2")
    async def run():
        await asyncio.sleep(0)
        return whoami()["Account"], current_cloud().region

    assert inspect.iscoroutinefunction(run)
    assert asyncio.run(run()) == ("123456789012", "ap-southeast-2")
    assert current_cloud() is None


@pytest.fixture
@mock_serverless(region="eu-south-1")
def decorated_yield_fixture():
    yield boto3.client("sts")
    # still active during teardown
    assert current_cloud() is not None


def test_decorated_generator_fixture_stays_active_until_teardown(decorated_yield_fixture):
    # the fixture's world is active while the test runs (the generator is suspended in it)
    assert current_cloud().region == "eu-south-1"
    assert decorated_yield_fixture.get_caller_identity()["Account"] == "123456789012"


def test_decorated_async_generator():
    @mock_serverless
    async def numbers():
        for i in range(2):
            yield i, current_cloud() is not None

    async def collect():
        return [item async for item in numbers()]

    assert asyncio.run(collect()) == [(0, True), (1, True)]
    assert current_cloud() is None


@mock_serverless
class TestPlainClassMethodsAreWrapped:
    def test_first(self):
        assert current_cloud() is not None
        whoami()
        assert len(current_cloud().calls) == 1

    def test_second_gets_its_own_world(self, greeting):
        assert greeting == "hello"
        assert len(current_cloud().calls) == 0

    def helper_is_not_wrapped(self):
        return current_cloud()


def test_plain_class_helpers_not_wrapped():
    assert TestPlainClassMethodsAreWrapped().helper_is_not_wrapped() is None


@mock_serverless(region="eu-central-1")
class UnittestStyle(unittest.TestCase):
    def setUp(self):
        self.cloud = current_cloud()
        self.client = boto3.client("sts")
        self.events = ["setUp"]

    def tearDown(self):
        # tearDown runs inside the same world
        assert current_cloud() is self.cloud

    def test_setup_ran_inside_the_world(self):
        self.assertIsNotNone(self.cloud)
        self.assertEqual(self.cloud.region, "eu-central-1")
        self.assertEqual(self.client.get_caller_identity()["Account"], "123456789012")
        self.assertEqual(len(self.cloud.calls), 1)

    def test_each_method_gets_a_fresh_world(self):
        self.assertEqual(len(self.cloud.calls), 0)


def test_unittest_class_runs_green_and_deactivates():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(UnittestStyle)
    result = unittest.TestResult()
    suite.run(result)
    assert result.testsRun == 2
    assert result.wasSuccessful(), result.failures + result.errors
    assert current_cloud() is None


def test_unittest_cleanup_runs_even_if_setup_fails():
    @mock_serverless
    class Broken(unittest.TestCase):
        def setUp(self):
            raise RuntimeError("boom")

        def test_never(self):
            raise AssertionError("unreachable: setUp failed")

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Broken).run(result)
    assert len(result.errors) == 1
    assert current_cloud() is None


def test_decorating_a_non_callable_is_an_error():
    with pytest.raises(TypeError):
        mock_serverless(42)


def test_unknown_option_is_an_error():
    with pytest.raises(TypeError, match="regoin"):
        mock_serverless(regoin="eu-west-1")


# -- context manager, start/stop, nesting ---------------------------------------------------


def test_context_manager_yields_the_cloud():
    with mock_serverless(seed=7) as cloud:
        assert cloud is current_cloud()
        assert cloud.seed == 7
        whoami()
        assert cloud.calls.operations() == ["sts.GetCallerIdentity"]
    assert current_cloud() is None


def test_start_stop():
    mock = mock_serverless()
    cloud = mock.start()
    try:
        assert current_cloud() is cloud
        with pytest.raises(RuntimeError, match="already started"):
            mock.start()
    finally:
        mock.stop()
    assert current_cloud() is None
    mock.stop()  # stopping twice is harmless


def test_nested_activation_reuses_the_world():
    with mock_serverless() as outer:
        with mock_serverless() as inner:
            assert inner is outer
        assert current_cloud() is outer  # leaving the inner one did not deactivate


def test_nested_fresh_activation_gets_a_new_world_then_returns():
    with mock_serverless() as outer:
        whoami()
        with mock_serverless(fresh=True, account_id="999988887777") as inner:
            assert inner is not outer
            assert whoami()["Account"] == "999988887777"
        assert current_cloud() is outer
        assert whoami()["Account"] == "123456789012"
        assert len(outer.calls) == 2


def test_nested_activation_with_settings_must_ask_for_fresh():
    with mock_serverless(), pytest.raises(ValueError, match="fresh=True"):
        mock_serverless(region="eu-west-1").start()


def test_out_of_order_stop_is_refused_and_leaves_everything_intact():
    first = mock_serverless()
    c1 = first.start()
    second = mock_serverless(fresh=True)
    c2 = second.start()
    with pytest.raises(RuntimeError, match="reverse order"):
        first.stop()
    assert current_cloud() is c2  # nothing changed by the refused stop
    second.stop()
    assert current_cloud() is c1
    first.stop()  # and the first can still be stopped
    assert current_cloud() is None


def test_world_stays_active_until_its_last_user_stops():
    # e.g. two decorated coroutines interleaved by asyncio.gather
    owner = mock_serverless()
    cloud = owner.start()
    reuser = mock_serverless()
    assert reuser.start() is cloud
    owner.stop()  # the owner finishes first...
    assert current_cloud() is cloud  # ...but the world is still in use
    assert whoami()["Account"] == "123456789012"
    reuser.stop()
    assert current_cloud() is None


def test_concurrent_decorated_coroutines_share_the_world_safely():
    @mock_serverless
    async def short():
        await asyncio.sleep(0)
        return whoami()["Account"]

    @mock_serverless
    async def long():
        await asyncio.sleep(0.01)
        return whoami()["Account"]

    async def both():
        return await asyncio.gather(short(), long())

    assert asyncio.run(both()) == ["123456789012", "123456789012"]
    assert current_cloud() is None


# -- environment ----------------------------------------------------------------------------

AWS_KEYS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
)


@pytest.fixture
def clean_env(monkeypatch):
    for key in AWS_KEYS:
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_fake_credentials_and_region_when_none_configured(clean_env):
    with mock_serverless():
        assert os.environ["AWS_ACCESS_KEY_ID"].startswith("AKIA")
        assert os.environ["AWS_SECRET_ACCESS_KEY"]
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        client = boto3.client("sts")  # needs both to exist
        assert client.meta.region_name == "us-east-1"
    for key in AWS_KEYS:
        assert key not in os.environ


def test_user_environment_is_restored_exactly_even_on_error(clean_env):
    clean_env.setenv("AWS_PROFILE", "production")
    clean_env.setenv("AWS_SESSION_TOKEN", "real-token")
    clean_env.setenv("AWS_REGION", "sa-east-1")
    before = {k: os.environ.get(k) for k in AWS_KEYS}
    with pytest.raises(ZeroDivisionError), mock_serverless(region="eu-west-3"):
        # Real profiles are hidden while active; the given region wins.
        assert "AWS_PROFILE" not in os.environ
        assert "AWS_SESSION_TOKEN" not in os.environ
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-3"
        raise ZeroDivisionError
    assert {k: os.environ.get(k) for k in AWS_KEYS} == before


def test_configured_region_is_kept(clean_env):
    clean_env.setenv("AWS_DEFAULT_REGION", "ca-central-1")
    with mock_serverless() as cloud:
        assert cloud.region == "ca-central-1"
        assert boto3.client("sts").meta.region_name == "ca-central-1"


def test_configured_keys_are_kept_and_map_to_root(clean_env):
    clean_env.setenv("AWS_ACCESS_KEY_ID", "AKIAUSERSOWNKEY00000")
    clean_env.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    with mock_serverless():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAUSERSOWNKEY00000"
        assert whoami()["Arn"] == "arn:aws:iam::123456789012:root"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAUSERSOWNKEY00000"


# -- regressions from review ----------------------------------------------------------------


@mock_serverless
class TestDescriptorsInPlainClasses:
    @staticmethod
    def test_static():
        assert current_cloud() is not None

    @classmethod
    def test_class(cls):
        assert current_cloud() is not None


def test_decorated_async_generator_forwards_asend():
    @mock_serverless
    async def echo():
        received = yield "ready"
        while True:
            received = yield f"got {received}"

    async def talk():
        gen = echo()
        first = await gen.__anext__()
        second = await gen.asend("x")
        await gen.aclose()
        return first, second

    assert asyncio.run(talk()) == ("ready", "got x")
    assert current_cloud() is None


def test_only_aws_region_set_still_gives_clients_a_region(clean_env):
    clean_env.setenv("AWS_REGION", "eu-west-2")
    with mock_serverless() as cloud:
        assert cloud.region == "eu-west-2"
        assert boto3.client("sts").meta.region_name == "eu-west-2"
    assert "AWS_DEFAULT_REGION" not in os.environ


@pytest.mark.parametrize(
    "options",
    [{"region": None}, {"account_id": 111122223333}, {"account_id": "12"}, {"seed": 1.5}],
)
def test_bad_options_fail_before_touching_anything(clean_env, options):
    with pytest.raises((TypeError, ValueError)):
        mock_serverless(**options)
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert current_cloud() is None


def test_boto3_default_session_does_not_cross_worlds(clean_env):
    before = boto3.DEFAULT_SESSION
    with mock_serverless(account_id="111122223333"):
        assert whoami()["Account"] == "111122223333"  # creates boto3.DEFAULT_SESSION
    with mock_serverless():
        assert whoami()["Account"] == "123456789012"
    assert boto3.DEFAULT_SESSION is before
