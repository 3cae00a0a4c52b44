"""The pytest plugin, run in an inner pytest session (pytester)."""

from __future__ import annotations

import pytest

CONFTEST = """
import socket, pytest

@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("network")
    monkeypatch.setattr(socket.socket, "connect", refuse)
"""


INI = """
[pytest]
asyncio_default_fixture_loop_scope = function
addopts = -p no:benchmark
"""


@pytest.fixture
def inner(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    return pytester


def test_cloud_fixture_and_marker(inner):
    inner.makepyfile(
        """
        import boto3, pytest
        from fakeaws import current_cloud

        def test_fixture(cloud):
            assert current_cloud() is cloud
            assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
            assert cloud.calls.operations() == ["sts.GetCallerIdentity"]

        @pytest.mark.fakeaws(region="eu-west-1", account_id="555555555555", seed=3)
        def test_marker(cloud):
            assert cloud.region == "eu-west-1" and cloud.seed == 3
            assert boto3.client("sts").get_caller_identity()["Account"] == "555555555555"

        @pytest.mark.fakeaws(region="eu-west-2")
        class TestClassMarker:
            def test_inherits(self, cloud):
                assert cloud.region == "eu-west-2"

            @pytest.mark.fakeaws(region="eu-west-3")
            def test_closest_wins(self, cloud):
                assert cloud.region == "eu-west-3"

        def test_fixture_is_gone_after(cloud):
            assert len(cloud.calls) == 0

        def test_no_cloud_without_fixture():
            assert current_cloud() is None
        """
    )
    result = inner.runpytest("-q")
    result.assert_outcomes(passed=6)


def test_world_fixture_builds_once_and_copies_per_test(inner):
    inner.makepyfile(
        """
        import boto3
        from fakeaws.identity import Credential, Principal
        from fakeaws.pytest_plugin import world_fixture

        BUILDS = []

        @world_fixture
        def team(cloud):
            BUILDS.append(1)
            cloud.identities.register(Credential("AKIATEAM000000000001", "s",
                Principal.user(cloud.account_id, "team", "AIDATEAM")))

        def who():
            return boto3.Session(aws_access_key_id="AKIATEAM000000000001",
                aws_secret_access_key="s").client("sts").get_caller_identity()["Arn"]

        def test_one(team):
            assert who().endswith(":user/team")
            team.identities.revoke("AKIATEAM000000000001")   # changes only this test's copy

        def test_two(team):
            assert who().endswith(":user/team")
            assert len(team.calls) == 1

        def test_with_cloud_fixture_too(team, cloud):
            assert cloud is team
            assert who().endswith(":user/team")

        def test_built_once():
            assert BUILDS == [1]
        """
    )
    result = inner.runpytest("-q", "-p", "no:randomly")
    result.assert_outcomes(passed=4)


def test_world_fixture_with_options_and_session_scope(inner):
    inner.makepyfile(
        """
        import boto3
        from fakeaws.pytest_plugin import world_fixture

        @world_fixture(scope="session", region="ap-northeast-1")
        def tokyo(cloud):
            assert cloud.region == "ap-northeast-1"

        def test_region(tokyo):
            assert tokyo.region == "ap-northeast-1"
            assert boto3.client("sts").meta.region_name == "ap-northeast-1"
        """
    )
    inner.runpytest("-q").assert_outcomes(passed=1)


def test_strict_ini_applies_to_decorated_tests(inner):
    inner.makeini(INI + "fakeaws_strict = true\n")
    inner.makepyfile(
        """
        import boto3, pytest
        from fakeaws import mock_serverless
        from fakeaws.services.base import Backend
        from fakeaws.services.registry import override_backend
        from fakeaws.shapes import ResponseShapeError

        class Bad(Backend):
            service = "sts"
            iam_prefix = "sts"
            def get_caller_identity(self, call):
                return {"Account": 42}

        @mock_serverless
        def test_decorated_is_strict():
            with override_backend("sts", Bad):
                with pytest.raises(ResponseShapeError):
                    boto3.client("sts").get_caller_identity()

        def test_fixture_is_strict(cloud):
            assert cloud.settings.strict is True
        """
    )
    inner.runpytest("-q").assert_outcomes(passed=2)


def test_nested_marker_settings_conflict_is_reported(inner):
    inner.makepyfile(
        """
        import pytest
        from fakeaws import mock_serverless

        @mock_serverless(region="eu-west-1")
        def test_conflict(cloud):
            pass
        """
    )
    result = inner.runpytest("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*fresh=True*"])


def test_async_test_with_pytest_asyncio(inner):
    inner.makepyfile(
        """
        import asyncio, boto3, pytest
        from fakeaws import mock_serverless, current_cloud

        @pytest.mark.asyncio
        @mock_serverless
        async def test_async():
            await asyncio.sleep(0)
            assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
            assert current_cloud() is not None
        """
    )
    inner.runpytest("-q", "-p", "asyncio").assert_outcomes(passed=1)


def test_monkeypatched_credentials_do_not_leak_into_the_next_test(inner):
    inner.makepyfile(
        """
        import os

        def test_first(cloud, monkeypatch):
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAMINE000000000000")

        def test_second():
            assert os.environ.get("AWS_ACCESS_KEY_ID") is None
        """
    )
    inner.runpytest("-q", "-p", "no:randomly").assert_outcomes(passed=2)


def test_world_fixtures_with_the_same_name_in_two_directories_stay_apart(inner):
    for team in ("alpha", "beta"):
        inner.mkdir(team)
        (inner.path / team / "conftest.py").write_text(
            "from fakeaws.pytest_plugin import world_fixture\n"
            "@world_fixture(scope='session')\n"
            "def team(cloud):\n"
            f"    cloud.settings.strict = {team == 'alpha'}\n"
            f"    cloud.identities.default_account  # touch\n"
            f"    cloud.account()  # lazily created\n"
            f"    cloud.accounts['{team}'] = None\n"
        )
        (inner.path / team / f"test_{team}.py").write_text(
            f"def test_sees_own_world(team):\n    assert set(team.accounts) >= {{'{team}'}}\n"
            f"    assert {'beta' if team == 'alpha' else 'alpha'!r} not in team.accounts\n"
        )
    inner.runpytest("-q").assert_outcomes(passed=2)


def test_world_fixture_applies_the_marker_in_either_order(inner):
    inner.makepyfile(
        """
        import pytest
        from fakeaws.pytest_plugin import world_fixture

        @world_fixture
        def shop(cloud):
            pass

        @pytest.mark.fakeaws(clock="frozen")
        def test_world_then_cloud(shop, cloud):
            assert cloud is shop and cloud.clock.frozen

        @pytest.mark.fakeaws(clock="frozen")
        def test_cloud_then_world(cloud, shop):
            assert cloud is shop and cloud.clock.frozen
        """
    )
    inner.runpytest("-q").assert_outcomes(passed=2)


def test_world_fixture_refuses_generator_builders():
    from fakeaws.pytest_plugin import world_fixture

    def builder(cloud):
        yield

    with pytest.raises(TypeError, match="plain function"):
        world_fixture(builder)


def test_without_the_ini_option_clouds_are_not_strict(inner):
    inner.makepyfile(
        """
        def test_not_strict(cloud):
            assert cloud.settings.strict is False
        """
    )
    inner.runpytest("-q").assert_outcomes(passed=1)
