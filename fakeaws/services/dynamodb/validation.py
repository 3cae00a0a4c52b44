"""DynamoDB's request-level constraint messages that botocore does not check.

botocore validates types, required members and lengths/ranges of most input
members, but not enums, patterns, or constraints the model leaves out. DynamoDB
reports those as ``N validation error(s) detected: Value 'x' at 'path' failed to
satisfy constraint: ...``, all found at once, joined by ``; ``.
"""

from __future__ import annotations

import re
from typing import Any

from fakeaws.errors import validation_error

NAME_PATTERN = re.compile(r"[a-zA-Z0-9_.-]+")


class Constraints:
    """Collects constraint violations of one request, then raises them together."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, value: Any, path: str, constraint: str) -> None:
        self.problems.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: {constraint}"
        )

    def enum(self, value: Any, path: str, allowed: list[str]) -> None:
        if value is not None and value not in allowed:
            self.fail(value, path, f"Member must satisfy enum value set: [{', '.join(allowed)}]")

    def name(self, value: str | None, path: str, *, minimum: int = 3, maximum: int = 255) -> None:
        """Table and index names: 3-255 characters of [a-zA-Z0-9_.-]."""
        if value is None:
            return
        if len(value) < minimum:
            self.fail(value, path, f"Member must have length greater than or equal to {minimum}")
        if len(value) > maximum:
            self.fail(value, path, f"Member must have length less than or equal to {maximum}")
        if not NAME_PATTERN.fullmatch(value):
            self.fail(
                value, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
            )

    def max_length(self, value: list | None, path: str, maximum: int) -> None:
        if value is not None and len(value) > maximum:
            self.fail(value, path, f"Member must have length less than or equal to {maximum}")

    def raise_any(self) -> None:
        if not self.problems:
            return
        count = len(self.problems)
        head = f"{count} validation error{'s' if count > 1 else ''} detected: "
        raise validation_error(head + "; ".join(self.problems))


def _show(value: Any) -> str:
    """Values as DynamoDB's (Java) messages print them."""
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + "}"
    return str(value)


def invalid(message: str):
    """The common ``One or more parameter values were invalid: ...`` ValidationException."""
    return validation_error(f"One or more parameter values were invalid: {message}")
