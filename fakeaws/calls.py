"""One intercepted call, and the cloud's log of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakeaws.cloud import Cloud
    from fakeaws.errors import AWSError
    from fakeaws.identity import Principal


class Call:
    """A request as the fake service receives it, and (once answered) its outcome.

    ``params`` are the validated parameters the client sent; ``caller`` is the
    principal behind its credentials; ``action``/``resources`` are what IAM
    would authorize; ``outcome`` is ``"ok"`` or the AWS error code.
    """

    __slots__ = (
        "cloud",
        "service",
        "operation",
        "params",
        "account",
        "region",
        "caller",
        "access_key_id",
        "request_id",
        "time",
        "attempt",
        "action",
        "resources",
        "authorize",
        "outcome",
        "response",
        "error",
    )

    def __init__(
        self,
        cloud: Cloud,
        service: str,
        operation: str,
        params: dict[str, Any],
        caller: Principal,
        access_key_id: str | None,
        region: str,
        request_id: str,
        time: float,
        attempt: int = 1,
    ) -> None:
        self.cloud = cloud
        self.service = service
        self.operation = operation
        self.params = params
        self.caller = caller
        self.account = caller.account
        self.access_key_id = access_key_id
        self.region = region
        self.request_id = request_id
        self.time = time
        self.attempt = attempt
        self.action = ""
        self.resources: list[str] = []
        self.authorize = True
        self.outcome = ""
        self.response: dict[str, Any] | None = None
        self.error: AWSError | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    def __repr__(self) -> str:
        return (
            f"<Call {self.service}.{self.operation} {self.outcome or 'pending'} "
            f"by {self.caller.arn} in {self.region}>"
        )


class CallLog:
    """Every call the cloud answered, in order (retries are separate attempts)."""

    def __init__(self) -> None:
        self._calls: list[Call] = []

    def append(self, call: Call) -> None:
        self._calls.append(call)

    def clear(self) -> None:
        self._calls.clear()

    def where(
        self,
        service: str | None = None,
        operation: str | None = None,
        outcome: str | None = None,
    ) -> list[Call]:
        """Calls matching every given criterion (``outcome`` is ``"ok"`` or an error code)."""
        return [
            c
            for c in self._calls
            if (service is None or c.service == service)
            and (operation is None or c.operation == operation)
            and (outcome is None or c.outcome == outcome)
        ]

    def operations(self) -> list[str]:
        """``service.Operation`` of every call, in order: handy for asserting a sequence."""
        return [f"{c.service}.{c.operation}" for c in self._calls]

    def __iter__(self) -> Iterator[Call]:
        return iter(list(self._calls))

    def __len__(self) -> int:
        return len(self._calls)

    def __getitem__(self, index: int) -> Call:
        return self._calls[index]

    def __repr__(self) -> str:
        return f"<CallLog {len(self._calls)} calls>"
