"""The virtual clock and the scheduler, driven from a test."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import boto3
import pytest

from fakeaws import mock_serverless
from fakeaws.clock import Clock, Scheduler


def test_real_clock_follows_real_time_and_can_be_advanced():
    clock = Clock("real")
    t0 = clock.time()
    assert abs(t0 - time.time()) < 1
    clock.advance(3600)
    assert clock.time() - time.time() == pytest.approx(3600, abs=1)
    assert clock.now().tzinfo is timezone.utc


def test_frozen_clock_stands_still_until_advanced():
    start = datetime(2024, 2, 29, 12, 0, tzinfo=timezone.utc)
    clock = Clock("frozen", start=start)
    assert clock.now() == start
    assert clock.millis() == int(start.timestamp() * 1000)
    clock.advance(1.5)
    assert clock.time() == start.timestamp() + 1.5


def test_freeze_and_unfreeze():
    clock = Clock("real")
    clock.freeze()
    frozen_at = clock.time()
    assert clock.frozen
    assert clock.time() == frozen_at
    clock.unfreeze()
    assert not clock.frozen
    assert clock.time() >= frozen_at


def test_clock_never_goes_backwards():
    clock = Clock("frozen")
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        Clock("sideways")
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock("frozen", start=datetime(2024, 1, 1))


def test_timers_fire_in_due_order_each_at_its_own_time():
    clock = Clock("frozen", start=1000.0)
    scheduler = Scheduler(clock)
    fired = []
    scheduler.call_later(30, lambda: fired.append(("visibility", clock.time())))
    scheduler.call_later(5, lambda: fired.append(("delay", clock.time())))
    scheduler.call_later(5, lambda: fired.append(("delay-2", clock.time())))
    cancelled = scheduler.call_later(10, lambda: fired.append(("cancelled", clock.time())))
    cancelled.cancel()
    clock.advance(20)
    assert fired == [("delay", 1005.0), ("delay-2", 1005.0)]
    assert clock.time() == 1020.0
    clock.advance(20)
    assert fired[-1] == ("visibility", 1030.0)
    assert clock.time() == 1040.0
    assert scheduler.pending == []


def test_tasks_may_schedule_more_work():
    clock = Clock("frozen", start=0.0)
    scheduler = Scheduler(clock)
    ticks = []

    def tick(n):
        ticks.append(clock.time())
        if n:
            scheduler.call_later(10, tick, n - 1)

    scheduler.call_soon(tick, 3)
    assert scheduler.run_due() == 1
    clock.advance(100)
    assert ticks == [0.0, 10.0, 20.0, 30.0]


def test_due_work_runs_before_the_next_call_is_answered():
    with mock_serverless(clock="frozen") as cloud:
        seen = []
        cloud.scheduler.call_soon(lambda: seen.append(len(cloud.calls)))
        cloud.scheduler.call_later(60, lambda: seen.append("later"))
        boto3.client("sts").get_caller_identity()
        assert seen == [0]  # ran before the call was logged and answered
        boto3.client("sts").get_caller_identity()
        assert seen == [0]  # the timer is not due yet on a frozen clock


def test_settle_runs_due_work_and_optionally_the_next_seconds():
    with mock_serverless(clock="frozen") as cloud:
        t0 = cloud.clock.time()
        fired = []
        cloud.scheduler.call_soon(lambda: fired.append("now"))
        cloud.scheduler.call_later(10, lambda: fired.append("10s"))
        cloud.scheduler.call_later(500, lambda: fired.append("500s"))
        assert cloud.settle() == 1
        assert fired == ["now"]
        assert cloud.settle(within=60) == 1
        assert fired == ["now", "10s"]
        # the clock stops at the last timer it fired, not at the end of the window
        assert cloud.clock.time() == t0 + 10
        assert cloud.scheduler.next_due() == t0 + 500


def test_cloud_sleep_fires_timers():
    with mock_serverless(clock="frozen") as cloud:
        fired = []
        cloud.scheduler.call_later(2, fired.append, "x")
        cloud.sleep(1)
        assert fired == []
        cloud.sleep(1)
        assert fired == ["x"]


def test_clock_start_option():
    start = datetime(2030, 1, 1, tzinfo=timezone.utc)
    with mock_serverless(clock="frozen", start=start) as cloud:
        assert cloud.clock.now() == start
        date = boto3.client("sts").get_caller_identity()["ResponseMetadata"]["HTTPHeaders"]["date"]
        assert date == "Tue, 01 Jan 2030 00:00:00 GMT"


def test_runaway_background_work_fails_loudly():
    from fakeaws.clock import Clock, RunawayWork, Scheduler

    clock = Clock("frozen")
    scheduler = Scheduler(clock)
    scheduler.runaway_limit = 50

    def again() -> None:
        scheduler.call_soon(again)

    scheduler.call_soon(again)
    with pytest.raises(RunawayWork, match="more than 50 tasks ran at the same virtual time"):
        scheduler.run_due()
    # Work spread over time is not a runaway.
    ticks = []

    def tick(n: int) -> None:
        ticks.append(n)
        if n < 200:
            scheduler.call_later(1, tick, n + 1)

    scheduler2 = Scheduler(Clock("frozen"))
    scheduler2.runaway_limit = 50
    scheduler = scheduler2
    scheduler.call_soon(tick, 1)
    scheduler.run_until(scheduler.clock.time() + 1000)
    assert len(ticks) == 200
