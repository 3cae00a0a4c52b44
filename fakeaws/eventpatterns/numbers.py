"""Numbers as the matcher compares them.

EventBridge (the event-ruler library behind it) compares numbers as fixed-point
values: "Numeric matching is limited to value between -5.0e9 and +5.0e9
inclusive, with 15 digits of precision, that is to say 6 digits to the right of
the decimal point". A number is turned into an integer count of millionths
(truncated, as the service's ``(long)(value * 1e6)`` does); numbers outside the
range are not comparable at all: a numeric range never matches them and exact
matching falls back to plain equality of the values.

SNS documents its own bounds: "the value can range from -10^9 to 10^9 (-1 billion
to 1 billion), with five digits of accuracy after the decimal point".
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any


class NumberFormat:
    """The comparable range and precision of one dialect."""

    __slots__ = ("limit", "scale", "limit_scaled", "range_message")

    def __init__(self, limit: int, decimals: int, range_message: str) -> None:
        self.limit = limit
        self.scale = 10**decimals
        self.limit_scaled = limit * self.scale
        self.range_message = range_message

    def comparable(self, value: Any) -> int | None:
        """A JSON number as an integer count of the smallest unit, or None.

        Booleans are not numbers; values outside the range (and NaN/inf) give None.
        """
        kind = type(value)
        if kind is int:
            if -self.limit <= value <= self.limit:
                return value * self.scale
            return None
        if kind is float:
            if not math.isfinite(value) or not -self.limit <= value <= self.limit:
                return None
            return int(Decimal(repr(value)) * self.scale)
        if kind is bool or not isinstance(value, (int, float, Decimal)):
            return None
        try:
            number = Decimal(value)
        except (InvalidOperation, ValueError, TypeError):  # pragma: no cover - defensive
            return None
        if not number.is_finite() or not -self.limit <= number <= self.limit:
            return None
        return int(number * self.scale)

    def pattern_number(self, number: Decimal) -> int:
        """A number written in a numeric range; out of range is an error."""
        if not number.is_finite() or not -self.limit <= number <= self.limit:
            raise ValueError(self.range_message)
        return int(number * self.scale)


EVENTBRIDGE_NUMBERS = NumberFormat(
    5_000_000_000, 6, "Value must be between -5.0E9 and 5.0E9, inclusive"
)
SNS_NUMBERS = NumberFormat(1_000_000_000, 5, "Value must be between -1.0E9 and 1.0E9, inclusive")


def is_number(value: Any) -> bool:
    """True for JSON numbers (not booleans)."""
    kind = type(value)
    return (kind is int or kind is float or isinstance(value, (int, float, Decimal))) and (
        kind is not bool
    )
