"""What every fake service backend is built on.

A backend is a plain class whose public methods are API operations, named as
botocore names them for clients (``get_caller_identity`` for
``GetCallerIdentity``). Each receives the ``Call`` (parameters, caller,
account, region, time) and returns the response dict botocore would have
parsed, without ``ResponseMetadata``; it raises ``AWSError`` for an error
response. One backend instance holds one account's state in one region (or in
the whole account, for ``scope = "account"`` services such as IAM).

Conventions: ``call.params`` is the backend's own copy of the request (it may
keep parts of it), and a response must not share mutable objects with the
backend's state. Scheduled work should be bound methods plus arguments, so
that snapshots re-point it at the restored state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from fakeaws.arns import partition_of

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.cloud import Cloud

ResourceFn = Callable[[Any, "Call"], list[str]]


def permission(
    action: str | Callable[[Any, Call], str] | None = None,
    resources: ResourceFn | None = None,
    *,
    authorize: bool = True,
) -> Callable[[Callable], Callable]:
    """Declare the IAM action and resource ARNs an operation touches.

    Without it, an operation's action is ``<iam_prefix>:<OperationName>`` on
    resource ``*``. ``action`` may be a function of ``(backend, call)`` where the
    action depends on the request (PartiQL's ``dynamodb:PartiQLSelect``...).
    ``authorize=False`` marks operations AWS never denies (``sts:GetCallerIdentity``).
    The interceptor records both on every call so that the IAM policy evaluator
    can decide on it.
    """

    def mark(fn: Callable) -> Callable:
        fn.__fakeaws_permission__ = (action, resources, authorize)
        return fn

    return mark


class OutsideLock:
    """Returned by an operation whose work must run without the cloud's lock held.

    Running user code (a Lambda handler) under the lock would stall every other
    thread's calls for its duration, and deadlock a handler that waits on another
    thread. The cloud releases the lock (if this call took it), calls ``run()``
    and answers with what it returns or raises, as for any operation.
    """

    __slots__ = ("run",)

    def __init__(self, run: Callable[[], dict | None]) -> None:
        self.run = run


class Backend:
    service: ClassVar[str]  # botocore service name, e.g. "dynamodb"
    iam_prefix: ClassVar[str]  # IAM action prefix and ARN service, e.g. "dynamodb"
    scope: ClassVar[str] = "region"  # "region", or "account" for global services

    def __init__(self, cloud: Cloud, account_id: str, region: str) -> None:
        self.cloud = cloud
        self.account_id = account_id
        self.region = region
        arn_region = "" if self.scope == "account" else region
        self._arn_prefix = (
            f"arn:{partition_of(region)}:{self.iam_prefix}:{arn_region}:{account_id}:"
        )

    def arn(self, resource: str) -> str:
        return self._arn_prefix + resource
