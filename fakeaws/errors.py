"""AWS-shaped errors raised by backends, and fakeaws's own (non-AWS) errors.

A backend raises ``AWSError(code, message, **fields)``. The interceptor turns it
into the response AWS would have sent for the client's protocol and lets
botocore parse it, so the caller gets botocore's modeled exception class
(``client.exceptions.ResourceNotFoundException``) with the same ``Error``,
``ResponseMetadata`` and modeled extra fields as against AWS.

The HTTP status and sender/receiver fault default to what the service's
botocore model says for that error shape, so most raises only name the code.
"""

from __future__ import annotations

from typing import Any


class AWSError(Exception):
    """An error response from a fake AWS service.

    ``code`` is the error shape name from the botocore model (for query-compatible
    services such as SQS, the shape name, e.g. ``QueueDoesNotExist``; the wire
    code ``AWS.SimpleQueueService.NonExistentQueue`` is derived from the model).
    ``fields`` are the modeled members of the error shape beyond the message
    (for example DynamoDB's ``Item`` or ``CancellationReasons``), given as the
    parsed values botocore would produce. ``query_code`` is the legacy Query
    error code a query-compatible JSON service sends in ``x-amzn-query-error``
    when its model does not record it (SQS:
    ``AWS.SimpleQueueService.NonExistentQueue`` for ``QueueDoesNotExist``).
    """

    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        status: int | None = None,
        sender_fault: bool | None = None,
        headers: dict[str, str] | None = None,
        query_code: str | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault
        self.headers = headers or {}
        self.query_code = query_code
        self.fields = fields


def validation_error(message: str) -> AWSError:
    """The generic ``ValidationException`` most JSON services use for bad input."""
    return AWSError("ValidationException", message, status=400)


class FakeawsError(Exception):
    """Base class of errors about fakeaws itself (never an AWS response)."""


class UnsupportedOperation(FakeawsError, NotImplementedError):
    """The intercepted call is to a service or operation fakeaws does not implement.

    Raised loudly instead of ever letting the request reach the network.
    """

    def __init__(self, service: str, operation: str, reason: str) -> None:
        super().__init__(f"fakeaws does not implement {service}.{operation}: {reason}")
        self.service = service
        self.operation = operation


class NotActiveError(FakeawsError, RuntimeError):
    """An operation needs an active mock but none is active."""
