"""Schedule expressions: ``rate(...)`` and ``cron(...)`` as EventBridge reads them.

``rate(value unit)``: a positive whole number and ``minute|minutes|hour|hours|
day|days``, singular exactly when the value is 1, one space, nothing else
(``rate( 10 minutes )``, ``rate(1 minutes)`` and ``rate(10 MINUTES)`` are
refused, as on AWS). A rate schedule starts when the rule is created (or
enabled, or given a new schedule) and fires every period after that.

``cron(minutes hours day-of-month month day-of-week year)``, always in UTC:

* ``,`` lists, ``-`` ranges (they may wrap: hours ``20-2``), ``*`` all,
  ``/`` increments (``0/15``, ``*/5``, ``10-40/10``);
* day-of-month: ``?``, ``L`` (last day), ``nW`` (the weekday nearest day n,
  never leaving the month), ``LW`` (last weekday);
* month: ``1-12`` or ``JAN-DEC``; day-of-week: ``1-7`` or ``SUN-SAT`` (1 is
  Sunday), ``?``, ``L`` (Saturday), ``nL`` (last such day of the month),
  ``n#k`` (k-th such day of the month, alone in its field);
* exactly one of day-of-month and day-of-week is ``?``.

``next_fire(expression, after)`` is the first firing strictly after ``after``
(epoch seconds); cron firings fall on whole minutes.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

INVALID = "Parameter ScheduleExpression is not valid."

_RATE = re.compile(r"rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS = {k.upper(): v for k, v in _MONTHS.items()}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
MAX_YEAR = 2199  # the documented range; years past it never match


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Rate:
    seconds: int


@dataclass(frozen=True)
class DaySpec:
    """Day-of-month or day-of-week, with EventBridge's special forms."""

    any: bool = False  # "?"
    values: frozenset[int] = frozenset()
    last: bool = False  # L
    last_weekday: bool = False  # LW (day-of-month)
    nearest_weekday: int | None = None  # nW (day-of-month)
    last_of: int | None = None  # nL (day-of-week)
    nth: tuple[int, int] | None = None  # (weekday, k) for n#k


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    dom: DaySpec
    months: frozenset[int]
    dow: DaySpec
    years: frozenset[int] | None  # None: every year


@functools.lru_cache(maxsize=1024)
def parse(expression: str) -> Rate | Cron:
    """The parsed expression, or ``ScheduleError`` (AWS's one message for every mistake)."""
    rate = _RATE.fullmatch(expression)
    if rate:
        value = int(rate.group(1))
        unit = rate.group(2)
        if (value == 1) == unit.endswith("s"):
            raise ScheduleError(INVALID)
        return Rate(value * _UNIT_SECONDS[unit.rstrip("s")])
    if expression.startswith("cron(") and expression.endswith(")"):
        return _parse_cron(expression[5:-1])
    raise ScheduleError(INVALID)


def _parse_cron(body: str) -> Cron:
    fields = body.split(" ")
    if len(fields) != 6 or any(not f for f in fields):
        raise ScheduleError(INVALID)
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):  # exactly one of them must be "?"
        raise ScheduleError(INVALID)
    return Cron(
        minutes=_values(minute, 0, 59),
        hours=_values(hour, 0, 23),
        dom=_day_of_month(dom),
        months=_values(month, 1, 12, _MONTHS),
        dow=_day_of_week(dow),
        years=None if year == "*" else _values(year, 1970, 9999),
    )


def _number(text: str, low: int, high: int, names: dict[str, int] | None = None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleError(INVALID)
    value = int(text)
    if not low <= value <= high:
        raise ScheduleError(INVALID)
    return value


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    out: set[int] = set()
    for part in field.split(","):
        if not part:
            raise ScheduleError(INVALID)
        step = 1
        stepped = "/" in part
        if stepped:
            part, _, step_text = part.partition("/")
            if not step_text.isdigit() or int(step_text) < 1:
                raise ScheduleError(INVALID)
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            first, _, last = part.partition("-")
            start, end = _number(first, low, high, names), _number(last, low, high, names)
        else:
            start = _number(part, low, high, names)
            end = high if stepped else start
        span = end - start if end >= start else end + (high - low + 1) - start  # wraps
        for offset in range(0, span + 1, step):
            out.add(low + (start - low + offset) % (high - low + 1))
    return frozenset(out)


def _day_of_month(field: str) -> DaySpec:
    if field == "?":
        return DaySpec(any=True)
    if field == "L":
        return DaySpec(last=True)
    if field == "LW":
        return DaySpec(last_weekday=True)
    if field.endswith("W"):
        return DaySpec(nearest_weekday=_number(field[:-1], 1, 31))
    return DaySpec(values=_values(field, 1, 31))


def _day_of_week(field: str) -> DaySpec:
    if field == "?":
        return DaySpec(any=True)
    if field == "L":
        return DaySpec(values=frozenset({7}))
    if "#" in field:
        day, _, nth = field.partition("#")
        k = _number(nth, 1, 5)
        return DaySpec(nth=(_number(day, 1, 7, _DAYS), k))
    if field.endswith("L"):
        return DaySpec(last_of=_number(field[:-1], 1, 7, _DAYS))
    return DaySpec(values=_values(field, 1, 7, _DAYS))


# -- firing times ------------------------------------------------------------------------
def next_fire(expression: str, after: float, anchor: float | None = None) -> float | None:
    """The first firing strictly after ``after`` (epoch seconds), or None if there is none.

    A rate schedule fires at ``anchor + k * period`` (``anchor``: when it started).
    """
    schedule = parse(expression)
    if isinstance(schedule, Rate):
        start = after if anchor is None else anchor
        if after < start:
            return start + schedule.seconds
        periods = int((after - start) // schedule.seconds) + 1
        return start + periods * schedule.seconds
    moment = datetime.fromtimestamp(after, timezone.utc).replace(second=0, microsecond=0)
    found = _next_cron(schedule, moment + timedelta(minutes=1))
    return found.timestamp() if found is not None else None


def _weekday(year: int, month: int, day: int) -> int:
    """1 = Sunday ... 7 = Saturday."""
    return (calendar.weekday(year, month, day) + 1) % 7 + 1


def days_in_month(cron: Cron, year: int, month: int) -> list[int]:
    """The days of ``month`` on which ``cron`` fires, in order."""
    count = calendar.monthrange(year, month)[1]
    dom, dow = cron.dom, cron.dow
    if not dom.any:
        if dom.last:
            return [count]
        if dom.last_weekday:
            day = count
            while _weekday(year, month, day) in (1, 7):
                day -= 1
            return [day]
        if dom.nearest_weekday is not None:
            day = dom.nearest_weekday
            if day > count:
                return []
            weekday = _weekday(year, month, day)
            if weekday == 7:  # Saturday: Friday before, or Monday after on the 1st
                day = day - 1 if day > 1 else day + 2
            elif weekday == 1:  # Sunday: Monday after, or Friday before at month end
                day = day + 1 if day < count else day - 2
            return [day]
        return sorted(d for d in dom.values if d <= count)
    if dow.nth is not None:
        weekday, k = dow.nth
        matches = [d for d in range(1, count + 1) if _weekday(year, month, d) == weekday]
        return [matches[k - 1]] if k <= len(matches) else []
    if dow.last_of is not None:
        matches = [d for d in range(1, count + 1) if _weekday(year, month, d) == dow.last_of]
        return [matches[-1]]
    return [d for d in range(1, count + 1) if _weekday(year, month, d) in dow.values]


def _next_cron(cron: Cron, start: datetime) -> datetime | None:
    """The first whole minute at or after ``start`` that ``cron`` matches."""
    minutes = sorted(cron.minutes)
    hours = sorted(cron.hours)
    for year in range(start.year, MAX_YEAR + 1):
        if cron.years is not None and year not in cron.years:
            continue
        for month in sorted(cron.months):
            if (year, month) < (start.year, start.month):
                continue
            for day in days_in_month(cron, year, month):
                if (year, month, day) < (start.year, start.month, start.day):
                    continue
                same_day = (year, month, day) == (start.year, start.month, start.day)
                for hour in hours:
                    if same_day and hour < start.hour:
                        continue
                    same_hour = same_day and hour == start.hour
                    for minute in minutes:
                        if same_hour and minute < start.minute:
                            continue
                        return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)
    return None


# -- scheduled rules on the virtual clock --------------------------------------------------
class ScheduledRules:
    """Fires rules with a ``ScheduleExpression``: one scheduler task for the next firing.

    Each firing sends a "Scheduled Event" from ``aws.events`` (resources: the rule's
    ARN, detail ``{}``, time: the scheduled minute) to that rule's targets only, and
    schedules the one after it. Changing, disabling or deleting the rule bumps its
    generation, so a pending firing of the old schedule does nothing.
    """

    def _reschedule(self, rule) -> None:
        rule.schedule_generation += 1
        if not rule.schedule or not rule.enabled:
            return
        now = self.cloud.clock.time()
        rule.schedule_anchor = now
        self._schedule_next(rule, now)

    def _schedule_next(self, rule, after: float) -> None:
        due = next_fire(rule.schedule, after, rule.schedule_anchor)
        if due is None:
            return
        self.cloud.scheduler.call_at(
            due,
            self._fire_schedule,
            rule.bus,
            rule.name,
            rule.schedule_generation,
            due,
            name=f"events schedule {rule.arn}",
        )

    def _fire_schedule(self, bus_name: str, rule_name: str, generation: int, due: float) -> None:
        from fakeaws.services.events.common import event_time
        from fakeaws.services.events.delivery import Delivery
        from fakeaws.services.events.transform import target_input

        bus = self.buses.get(bus_name)
        rule = bus.rules.get(rule_name) if bus is not None else None
        if rule is None or rule.schedule_generation != generation or not rule.enabled:
            return
        event = {
            "version": "0",
            "id": self.cloud.new_request_id(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.account_id,
            "time": event_time(due),
            "region": self.region,
            "resources": [rule.arn],
            "detail": {},
        }
        for target in rule.targets.values():
            body = target_input(target, event, rule.arn, rule.name, due)
            self._dispatch(Delivery(rule.arn, rule.name, dict(target), event, body, due))
        self._schedule_next(rule, due)
