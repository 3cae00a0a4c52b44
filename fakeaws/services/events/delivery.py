"""Delivering a matched event to one target, with retries and a dead-letter queue.

Each (event, target) pair is one ``Delivery``, background work on the cloud's
scheduler: it runs before the next intercepted call, on ``cloud.settle()`` or
when the clock moves past it. A failed attempt is retried with exponential
back-off and jitter (knobs ``retry_base_delay`` / ``retry_max_delay``) while the
target's ``RetryPolicy`` allows (default 185 retries and 24 hours). Failures that
retrying cannot fix (the target does not exist, the payload is not JSON for a
Lambda function) are not retried. An event that is given up goes to the
target's ``DeadLetterConfig`` queue with EventBridge's message attributes
(``RULE_ARN``, ``TARGET_ARN``, ``ERROR_CODE``, ``ERROR_MESSAGE``,
``RETRY_ATTEMPTS``, and ``EXHAUSTED_RETRY_CONDITION`` when a retry limit ended
it), or is dropped when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.events.common import compact
from fakeaws.services.events.targets import TargetRef, target_ref
from fakeaws.services.messaging import parse_json
from fakeaws.services.registry import backend_class

DEFAULT_MAX_RETRIES = 185
DEFAULT_MAX_AGE = 86_400
MAX_BUS_HOPS = 5  # fakeaws's guard against rules that send events around in a loop


@dataclass
class Delivery:
    rule_arn: str
    rule_name: str
    target: dict
    event: dict
    body: str
    received: float  # when EventBridge received the event (the age counts from here)
    attempts: int = 0
    hops: list[list[str]] = field(default_factory=list)  # [account, region] of buses crossed


class DeliveryFailure(Exception):
    def __init__(self, code: str, message: str, *, retry: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retry = retry


def classify(err: AWSError) -> DeliveryFailure:
    """An error from the target's service as an EventBridge delivery failure."""
    code = err.code
    if any(s in code for s in ("NotFound", "NonExistent", "DoesNotExist")):
        return DeliveryFailure("NO_RESOURCE", err.message, retry=False)
    if any(s in code for s in ("AccessDenied", "AuthorizationError", "NotAuthorized")):
        return DeliveryFailure("NO_PERMISSIONS", err.message, retry=False)
    if any(s in code for s in ("Throttl", "TooManyRequests")):
        return DeliveryFailure("THROTTLING", err.message, retry=True)
    if (err.status or 400) >= 500:
        return DeliveryFailure("INTERNAL_ERROR", err.message, retry=True)
    return DeliveryFailure("SDK_CLIENT_ERROR", err.message, retry=True)


class Deliveries:
    def _dispatch(self, delivery: Delivery, delay: float = 0.0) -> None:
        self.cloud.scheduler.call_later(
            delay,
            self._deliver,
            delivery,
            name=f"events {delivery.rule_name} -> {delivery.target['Id']}",
        )

    def _deliver(self, delivery: Delivery) -> None:
        delivery.attempts += 1
        try:
            self._send(delivery)
        except DeliveryFailure as failure:
            self._failed(delivery, failure)

    def _send(self, delivery: Delivery) -> None:
        arn = delivery.target["Arn"]
        ref = target_ref(arn)
        if ref is None:  # refused by PutTargets; kept for safety
            raise UnsupportedOperation("events", "delivery", f"cannot deliver to {arn}")
        try:
            if ref.kind == "lambda":
                self._to_lambda(ref, arn, delivery)
            elif ref.kind == "sqs":
                self._to_sqs(arn, ref, delivery)
            elif ref.kind == "sns":
                self._service(ref, "sns", "publish_internal")(arn, delivery.body)
            elif ref.kind == "bus":
                self._to_bus(ref, delivery)
            else:
                self._to_state_machine(arn, ref, delivery)
        except AWSError as err:
            raise classify(err) from None

    def _service(self, ref: TargetRef, service: str, method: str) -> Any:
        if backend_class(service) is None:
            raise UnsupportedOperation("events", "delivery", f"fakeaws has no {service} backend")
        backend = self.cloud.backend(service, ref.account, ref.region)
        fn = getattr(backend, method, None)
        if fn is None:
            raise UnsupportedOperation(
                "events", "delivery", f"the fake {service} cannot receive events yet ({method})"
            )
        return fn

    def _to_lambda(self, ref: TargetRef, arn: str, delivery: Delivery) -> None:
        backend = self.cloud.backend("lambda", ref.account, ref.region)
        fn = backend.functions.get(ref.name)
        if fn is None:
            raise DeliveryFailure("NO_RESOURCE", f"Function not found: {arn}", retry=False)
        backend.version_of(fn, ref.qualifier)  # ResourceNotFoundException -> NO_RESOURCE
        try:
            payload = parse_json(delivery.body)
        except ValueError:
            raise DeliveryFailure(
                "INVALID_JSON", "The input to the Lambda function is not valid JSON.", retry=False
            ) from None
        request_id = self.cloud.new_request_id()
        backend.enqueue(fn, ref.qualifier, payload, delivery.body.encode("utf-8"), request_id)

    def _to_sqs(self, arn: str, ref: TargetRef, delivery: Delivery) -> None:
        send = self._service(ref, "sqs", "send_internal")
        group = (delivery.target.get("SqsParameters") or {}).get("MessageGroupId")
        if group:
            send(arn, delivery.body, group_id=group)
        else:
            send(arn, delivery.body)

    def _to_bus(self, ref: TargetRef, delivery: Delivery) -> None:
        here = [self.account_id, self.region]
        hops = [*delivery.hops, here]
        accounts = {h[0] for h in hops} | {ref.account}
        regions = {h[1] for h in hops} | {ref.region}
        if len(accounts) > 2:
            raise DeliveryFailure(
                "THIRD_ACCOUNT_HOP_DETECTED", "The event already crossed accounts.", retry=False
            )
        if len(regions) > 2:
            raise DeliveryFailure(
                "THIRD_REGION_HOP_DETECTED", "The event already crossed regions.", retry=False
            )
        if len(hops) > MAX_BUS_HOPS:
            raise DeliveryFailure(
                "INVALID_PARAMETER", "The event went through too many event buses.", retry=False
            )
        owner = self._backend_of(ref.account, ref.region)
        bus = owner.buses.get(ref.name) if owner is not None else None
        if bus is None:
            raise DeliveryFailure(
                "NO_RESOURCE", f"Event bus {ref.name} does not exist.", retry=False
            )
        owner._route(bus, delivery.event, ingested=self.cloud.clock.time(), hops=hops)

    def _to_state_machine(self, arn: str, ref: TargetRef, delivery: Delivery) -> None:
        start = self._service(ref, "stepfunctions", "start_execution_internal")
        start(arn, delivery.body)

    # -- failures --------------------------------------------------------------------------
    def _failed(self, delivery: Delivery, failure: DeliveryFailure) -> None:
        policy = delivery.target.get("RetryPolicy") or {}
        max_retries = policy.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES)
        max_age = policy.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)
        condition = None
        if failure.retry:
            if delivery.attempts - 1 >= max_retries:
                condition = "MaximumRetryAttempts"
            else:
                delay = self._backoff(delivery.attempts)
                if self.cloud.clock.time() + delay - delivery.received > max_age:
                    condition = "MaximumEventAgeInSeconds"
                else:
                    self._dispatch(delivery, delay)
                    return
        self._dead_letter(delivery, failure, condition)

    def _backoff(self, attempts: int) -> float:
        settings = self.settings
        delay = min(settings.retry_max_delay, settings.retry_base_delay * 2 ** (attempts - 1))
        if settings.retry_jitter:
            delay *= 0.5 + 0.5 * self.cloud.random.random()
        return delay

    def _dead_letter(
        self, delivery: Delivery, failure: DeliveryFailure, condition: str | None
    ) -> None:
        dlq = (delivery.target.get("DeadLetterConfig") or {}).get("Arn")
        if not dlq:
            return  # dropped, as EventBridge drops an event it gave up on without a DLQ
        values = {
            "RULE_ARN": delivery.rule_arn,
            "TARGET_ARN": delivery.target["Arn"],
            "ERROR_CODE": failure.code,
            "ERROR_MESSAGE": failure.message,
            "RETRY_ATTEMPTS": str(delivery.attempts - 1),
        }
        if condition:
            values["EXHAUSTED_RETRY_CONDITION"] = condition
        attributes = {k: {"DataType": "String", "StringValue": v} for k, v in values.items()}
        ref = target_ref(dlq)
        try:
            send = self._service(ref, "sqs", "send_internal")
            send(dlq, compact(delivery.event), message_attributes=attributes)
        except AWSError:
            return  # EventBridge counts InvocationsFailedToBeSentToDLQ and drops the event
