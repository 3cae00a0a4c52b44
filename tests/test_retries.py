"""Retryable errors go through botocore's own retry modes; backoff is virtual time."""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from fakeaws import AWSError, mock_serverless
from fakeaws.services.base import Backend
from fakeaws.services.registry import override_backend


class Flaky(Backend):
    """DynamoDB ListTables failing the first ``failures`` attempts with ``code``."""

    service = "dynamodb"
    iam_prefix = "dynamodb"
    failures = 0
    code = "ProvisionedThroughputExceededException"
    status = None

    def __init__(self, cloud, account_id, region):
        super().__init__(cloud, account_id, region)
        self.attempts = 0

    def list_tables(self, call):
        self.attempts += 1
        if self.attempts <= self.failures:
            raise AWSError(self.code, "slow down", status=self.status)
        return {"TableNames": []}


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch):
    """Backoff must wait on the virtual clock: a real sleep fails the test."""

    def refuse(seconds):
        raise AssertionError(f"fakeaws slept for real ({seconds} s)")

    monkeypatch.setattr(time, "sleep", refuse)


def flaky(failures: int, code: str = "ProvisionedThroughputExceededException", status=None):
    return type("F", (Flaky,), {"failures": failures, "code": code, "status": status})


def client(mode: str, attempts: int | None = None):
    retries = {"mode": mode}
    if attempts is not None:
        retries["total_max_attempts"] = attempts
    return boto3.client("dynamodb", config=Config(retries=retries))


@pytest.mark.parametrize("mode", ["standard", "adaptive", "legacy"])
def test_throttled_twice_then_succeeds(mode):
    with mock_serverless(clock="frozen") as cloud, override_backend("dynamodb", flaky(2)):
        started_virtual = cloud.clock.time()
        response = client(mode).list_tables()
        assert response["ResponseMetadata"]["RetryAttempts"] == 2
        assert response["TableNames"] == []
        # Backoff happened on the virtual clock, not for real.
        assert cloud.clock.time() > started_virtual
        attempts = cloud.calls.where(operation="ListTables")
        assert [c.attempt for c in attempts] == [1, 2, 3]
        assert [c.outcome for c in attempts] == [
            "ProvisionedThroughputExceededException",
            "ProvisionedThroughputExceededException",
            "ok",
        ]
        assert attempts[1].time > attempts[0].time


def test_standard_mode_gives_up_at_max_attempts():
    with mock_serverless(clock="frozen") as cloud, override_backend("dynamodb", flaky(99)):
        c = client("standard", attempts=4)
        with pytest.raises(c.exceptions.ProvisionedThroughputExceededException) as caught:
            c.list_tables()
        metadata = caught.value.response["ResponseMetadata"]
        assert metadata["RetryAttempts"] == 3
        assert metadata["MaxAttemptsReached"] is True
        assert len(cloud.calls) == 4


def test_legacy_mode_uses_dynamodbs_ten_attempts_and_backoff():
    with mock_serverless(clock="frozen") as cloud, override_backend("dynamodb", flaky(99)):
        c = client("legacy")
        with pytest.raises(ClientError) as caught:
            c.list_tables()
        # botocore's _retry.json: max_attempts 10 for dynamodb, i.e. 9 retries...
        assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 9
        assert len(cloud.calls) == 10
        # ...with a backoff of 50 ms * 2**(n-1): 25.55 s of virtual waiting, none of it real.
        waited = cloud.calls[-1].time - cloud.calls[0].time
        assert waited == pytest.approx(0.05 * (2**9 - 1))


def test_non_retryable_errors_are_not_retried():
    with (
        mock_serverless() as cloud,
        override_backend("dynamodb", flaky(1, code="ValidationException")),
    ):
        with pytest.raises(ClientError) as caught:
            client("standard").list_tables()
        assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0
        assert len(cloud.calls) == 1


def test_server_errors_are_retried():
    with (
        mock_serverless(clock="frozen"),
        override_backend("dynamodb", flaky(1, code="InternalServerError", status=500)),
    ):
        response = client("standard").list_tables()
        assert response["ResponseMetadata"]["RetryAttempts"] == 1


def _virtual_wait(seed):
    with (
        mock_serverless(clock="frozen", seed=seed) as cloud,
        override_backend("dynamodb", flaky(3)),
    ):
        start = cloud.clock.time()
        client("standard", attempts=5).list_tables()
        return cloud.clock.time() - start


def test_backoff_jitter_is_deterministic_for_a_seed():
    assert _virtual_wait(1) == _virtual_wait(1)
    assert _virtual_wait(1) != _virtual_wait(2)


def test_adaptive_mode_rate_limits_on_the_virtual_clock():
    # After throttling, adaptive clients pace their requests: with a frozen clock,
    # only that pacing can move time while successful calls are made.
    with mock_serverless(clock="frozen") as cloud, override_backend("dynamodb", flaky(3)):
        c = client("adaptive", attempts=5)
        c.list_tables()
        after_retries = cloud.clock.time()
        for _ in range(20):
            c.list_tables()
        assert cloud.clock.time() > after_retries


def test_standard_mode_does_not_pace_successful_calls():
    with mock_serverless(clock="frozen") as cloud, override_backend("dynamodb", flaky(3)):
        c = client("standard", attempts=5)
        c.list_tables()
        after_retries = cloud.clock.time()
        for _ in range(20):
            c.list_tables()
        assert cloud.clock.time() == after_retries
