"""Where asynchronous outcomes go: another function, or a queue, topic or event bus.

Delivery goes through the target service's own backend in the same world. A
Lambda target gets an Event invocation. Any other service's backend takes the
message through ``accept_delivery(target_arn, body, attributes=..., source_arn=...)``
(SQS, SNS and EventBridge implement it); a service fakeaws does not fake yet
fails loudly instead of losing the message silently. A target that exists in
no form (a deleted queue) loses the record, as on AWS.
"""

from __future__ import annotations

import json
from typing import Any

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.registry import backend_class


def deliver(
    cloud: Any,
    target_arn: str,
    body: str,
    *,
    attributes: dict[str, str] | None = None,
    source_arn: str = "",
) -> None:
    parts = target_arn.split(":")
    service, region, account = parts[2], parts[3], parts[4]
    if service == "lambda":
        _invoke_async(cloud, parts, body)
        return
    if backend_class(service) is None:
        raise UnsupportedOperation(
            "lambda", "destination", f"delivery to {service} ({target_arn}) needs a fake {service}"
        )
    backend = cloud.backend(service, account, region)
    accept = getattr(backend, "accept_delivery", None)
    if accept is None:
        raise UnsupportedOperation(
            "lambda", "destination", f"the fake {service} cannot receive deliveries yet"
        )
    try:
        accept(target_arn, body, attributes=attributes or {}, source_arn=source_arn)
    except AWSError:
        # A queue/topic/bus that is gone or cannot take the record: Lambda drops it (and
        # counts a DestinationDeliveryFailures metric), the invocation itself is unaffected.
        return


def _invoke_async(cloud: Any, parts: list[str], body: str) -> None:
    region, account, name = parts[3], parts[4], parts[6]
    qualifier = parts[7] if len(parts) > 7 else None
    backend = cloud.backend("lambda", account, region)
    fn = backend.functions.get(name)
    if fn is None:
        return  # Lambda drops a record whose destination function is gone
    backend.enqueue(fn, qualifier, json.loads(body), body.encode("utf-8"), cloud.new_request_id())
