"""Schedule expressions: what EventBridge accepts, and when a schedule fires next."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from fakeaws.services.events.schedules import ScheduleError, next_fire, parse


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def fire(expression: str, after: str) -> str | None:
    due = next_fire(expression, at(after))
    if due is None:
        return None
    return datetime.fromtimestamp(due, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


# Each case was refused by AWS in LocalStack's validated tests, or breaks a documented rule.
@pytest.mark.parametrize(
    "expression",
    [
        "rate(10 seconds)",
        "rate(10 years)",
        "rate(1 minutes)",
        "rate(1 hours)",
        "rate(1 days)",
        "rate(10 minute)",
        "rate(10 hour)",
        "rate(10 day)",
        "rate()",
        "rate(10)",
        "rate(10 minutess)",
        "rate(foo minutes)",
        "rate(0 minutes)",
        "rate(-10 minutes)",
        "rate(10 MINUTES)",
        "rate( 10 minutes )",
        " rate(10 minutes)",
        "cron(0 10 * * *)",  # five fields
        "cron(0 10 * * * *)",  # neither day field is "?"
        "cron(0 10 ? * ? *)",  # both are
        "cron(60 10 * * ? *)",
        "cron(0 24 * * ? *)",
        "cron(0 10 32 * ? *)",
        "cron(0 10 * 13 ? *)",
        "cron(0 10 ? * 8 *)",
        "cron(0 10 3#2 * ? *)",  # "#" outside day-of-week
        "cron(0 10 ? * 3#6 *)",
        "cron(0/0 * * * ? *)",
        "cron(0  10 * * ? *)",
        "every minute",
    ],
)
def test_invalid_expressions_are_refused(expression):
    with pytest.raises(ScheduleError) as exc:
        parse(expression)
    assert str(exc.value) == "Parameter ScheduleExpression is not valid."


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(1 hour)",
        "rate(12 hours)",
        "rate(1 day)",
        "rate(7 days)",
        "cron(0 10 * * ? *)",
        "cron(15 12 * * ? *)",
        "cron(0 18 ? * MON-FRI *)",
        "cron(0 8 1 * ? *)",
        "cron(0/15 * * * ? *)",
        "cron(0/10 * ? * MON-FRI *)",
        "cron(0/5 8-17 ? * MON-FRI *)",
        "cron(0/30 20-2 ? * MON-FRI *)",
        "cron(15 10 ? * 6L 2019-2022)",
        "cron(5,35 14 * * ? *)",
        "cron(0 12 ? * 3#2 *)",
        "cron(0 9 LW * ? *)",
        "cron(0 9 15W * ? *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 ? JAN-MAR,DEC SUN *)",
    ],
)
def test_documented_expressions_are_accepted(expression):
    parse(expression)  # no ScheduleError
    after = datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp()
    assert next_fire(expression, after, anchor=after) > after  # and it fires


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # every day at 10:00: the next day once today's has passed
        ("cron(0 10 * * ? *)", "2024-01-31T10:00:00", "2024-02-01 10:00:00"),
        ("cron(0 10 * * ? *)", "2024-01-31T09:59:59", "2024-01-31 10:00:00"),
        # last day of the month across month ends, leap and common years
        ("cron(0 0 L * ? *)", "2024-02-01T00:00:00", "2024-02-29 00:00:00"),
        ("cron(0 0 L * ? *)", "2023-02-01T00:00:00", "2023-02-28 00:00:00"),
        ("cron(0 0 L * ? *)", "2024-02-29T00:00:00", "2024-03-31 00:00:00"),
        ("cron(0 0 L * ? *)", "2024-04-30T00:00:01", "2024-05-31 00:00:00"),
        # the 29th of February waits for the next leap year; 1900-style centuries skip
        ("cron(0 0 29 2 ? *)", "2023-03-01T00:00:00", "2024-02-29 00:00:00"),
        ("cron(0 0 29 2 ? *)", "2096-03-01T00:00:00", "2104-02-29 00:00:00"),
        # the 31st skips 30-day months
        ("cron(30 6 31 * ? *)", "2024-03-31T06:30:00", "2024-05-31 06:30:00"),
        # year's end
        ("cron(59 23 31 12 ? *)", "2024-06-01T00:00:00", "2024-12-31 23:59:00"),
        ("cron(0 0 1 1 ? *)", "2024-12-31T23:59:00", "2025-01-01 00:00:00"),
        # last Friday of the month, 2019-2022 only (the documented example)
        ("cron(15 10 ? * 6L 2019-2022)", "2019-01-01T00:00:00", "2019-01-25 10:15:00"),
        ("cron(15 10 ? * 6L 2019-2022)", "2022-12-30T10:15:00", None),
        # second Tuesday; fifth Monday only in months that have one
        ("cron(0 12 ? * 3#2 *)", "2024-05-01T00:00:00", "2024-05-14 12:00:00"),
        ("cron(0 12 ? * MON#5 *)", "2024-02-01T00:00:00", "2024-04-29 12:00:00"),
        # weekday nearest a day, never leaving the month; last weekday
        ("cron(0 9 1W * ? *)", "2024-06-01T00:00:00", "2024-06-03 09:00:00"),
        ("cron(0 9 31W * ? *)", "2024-08-01T00:00:00", "2024-08-30 09:00:00"),
        ("cron(0 9 15W * ? *)", "2024-06-01T00:00:00", "2024-06-14 09:00:00"),
        ("cron(0 9 LW * ? *)", "2024-08-01T00:00:00", "2024-08-30 09:00:00"),
        # increments, lists and named ranges
        ("cron(1/10 * * * ? *)", "2024-05-03T23:59:00", "2024-05-04 00:01:00"),
        ("cron(5,35 14 * * ? *)", "2024-05-03T14:05:00", "2024-05-03 14:35:00"),
        ("cron(0/15 * * * ? *)", "2024-05-03T10:44:59", "2024-05-03 10:45:00"),
        # a range of hours that wraps past midnight, weekdays only
        ("cron(0/30 20-2 ? * MON-FRI *)", "2024-05-02T23:59:00", "2024-05-03 00:00:00"),
        ("cron(0/30 20-2 ? * MON-FRI *)", "2024-05-03T02:30:00", "2024-05-03 20:00:00"),
        ("cron(0/30 20-2 ? * MON-FRI *)", "2024-05-03T23:59:00", "2024-05-06 00:00:00"),
        # Sunday is 1, Saturday 7
        ("cron(0 0 ? * 1 *)", "2024-05-01T00:00:00", "2024-05-05 00:00:00"),
        ("cron(0 0 ? * L *)", "2024-05-01T00:00:00", "2024-05-04 00:00:00"),
        # a year that has passed never fires again
        ("cron(0 0 1 1 ? 2020)", "2024-05-03T23:59:00", None),
        # rates count from the moment the schedule started
        ("rate(5 minutes)", "2024-05-03T23:59:00", "2024-05-04 00:04:00"),
    ],
)
def test_next_firing(expression, after, expected):
    assert fire(expression, after) == expected


def test_rate_counts_from_its_anchor():
    start = at("2024-05-03T10:00:07")
    assert next_fire("rate(1 hour)", at("2024-05-03T12:30:00"), start) == at("2024-05-03T13:00:07")
    assert next_fire("rate(1 hour)", at("2024-05-03T13:00:07"), start) == at("2024-05-03T14:00:07")
    assert next_fire("rate(2 days)", start, start) == at("2024-05-05T10:00:07")
