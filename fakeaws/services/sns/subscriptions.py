"""Subscriptions: subscribe (idempotent), confirm, unsubscribe, attributes, listings.

Confirmation as on AWS: HTTP/S and email endpoints, and SQS/Lambda endpoints
in another account than the subscriber's, get a subscription confirmation
(``cloud.outbox`` for HTTP/S and email, the queue itself for SQS) and stay
``PendingConfirmation`` until ``ConfirmSubscription`` with its token. Tokens
are valid for two days and unconfirmed subscriptions are deleted after 48
hours, on the virtual clock.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.outbox import OutboundMessage
from fakeaws.services.base import permission
from fakeaws.services.messaging import parse_json
from fakeaws.services.sns import envelope, filter, policies
from fakeaws.services.sns.model import (
    PENDING_LIFETIME,
    PROTOCOLS,
    SUBSCRIPTION_ATTRIBUTES,
    Subscription,
    Topic,
)
from fakeaws.services.sns.topics import page
from fakeaws.services.sns.validation import (
    E164,
    FIFO_QUEUE_ON_STANDARD,
    SUB_DIFFERENT_ATTRIBUTES,
    SUBSCRIPTION_NOT_FOUND,
    invalid,
    is_arn,
    split_arn,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
TOKEN = re.compile(r"[0-9a-f]{32,}")
PENDING_ARN = "pending confirmation"  # what Subscribe returns for a pending subscription
PENDING_LISTED = "PendingConfirmation"  # what listings show instead of its ARN
RAW_PROTOCOLS = ("sqs", "http", "https", "firehose")
MANUAL = ("http", "https", "email", "email-json")  # confirmed by their endpoint's owner
USER_AGENT = "Amazon Simple Notification Service Agent"


def _attribute(sub: Subscription, name: str) -> str:
    """A subscription attribute's value, defaults included (for idempotent Subscribe)."""
    defaults = {"RawMessageDelivery": "false", "FilterPolicyScope": "MessageAttributes"}
    return sub.attributes.get(name) or defaults.get(name, "")


def subscription_resource(backend: Any, call: Call) -> list[str]:
    p = call.params
    return [p.get("TopicArn") or p.get("SubscriptionArn") or "*"]


class Subscriptions:
    # -- lookups ----------------------------------------------------------------------------------
    def find_subscription(self, arn: str | None, call: Call) -> tuple[Any, Subscription | None]:
        """(owning backend, subscription or None) for a subscription ARN, after AWS's checks."""
        if not arn:
            raise invalid(
                "Invalid parameter: SubscriptionArn Reason: no value for required parameter"
            )
        parts = split_arn(arn, "SubscriptionArn")
        if len(parts) != 7 or not UUID.fullmatch(parts[6]):
            raise invalid("Invalid parameter: SubscriptionId")
        owner = (
            self if parts[4] == self.account_id else self.cloud.backend("sns", parts[4], parts[3])
        )
        return owner, owner.subscriptions.get(arn)

    def _existing_subscription(self, arn: str, call: Call) -> tuple[Any, Subscription]:
        owner, sub = self.find_subscription(arn, call)
        if sub is None:
            raise AWSError("NotFoundException", SUBSCRIPTION_NOT_FOUND)
        return owner, sub

    # -- subscribe --------------------------------------------------------------------------------
    @permission(resources=subscription_resource)
    def subscribe(self, call: Call) -> dict:
        p = call.params
        topic = self.lookup_topic(p["TopicArn"], call)
        owner = self.topic_backend(topic.arn, call)
        protocol = p["Protocol"]
        endpoint = p.get("Endpoint")
        if protocol not in PROTOCOLS:
            raise invalid(
                f"Invalid parameter: Amazon SNS does not support this protocol string: {protocol}"
            )
        if not endpoint:
            raise invalid("Invalid parameter: Endpoint")  # own wording
        self._check_endpoint(topic, protocol, endpoint)
        given = dict(p.get("Attributes") or {})
        prefix = "Invalid parameter: Attributes Reason: "
        attributes = self._checked_attributes(topic, protocol, endpoint, given, {}, prefix)
        if protocol == "firehose" and "SubscriptionRoleArn" not in attributes:
            raise invalid(f"{prefix}SubscriptionRoleArn: is required for firehose subscriptions")
        existing = owner._endpoint_subscription(topic, protocol, endpoint)
        if existing is not None:
            if any(_attribute(existing, k) != v for k, v in attributes.items()):
                raise invalid(SUB_DIFFERENT_ATTRIBUTES)
            if existing.pending:
                owner._request_confirmation(existing.arn)
                return {
                    "SubscriptionArn": existing.arn
                    if p.get("ReturnSubscriptionArn")
                    else PENDING_ARN
                }
            return {"SubscriptionArn": existing.arn}
        arn = f"{topic.arn}:{self.cloud.new_request_id()}"
        sub = Subscription(
            arn, topic.arn, protocol, endpoint, call.account, call.caller.arn, call.time, attributes
        )
        owner.subscriptions[arn] = sub
        topic.subscriptions.append(arn)
        if self._needs_confirmation(protocol, endpoint, call.account):
            if self.cloud.settings.service("sns").auto_confirm and protocol in MANUAL:
                return {"SubscriptionArn": arn}
            sub.pending, sub.authenticated = True, False
            sub.token = owner._new_token()
            owner._request_confirmation(arn)
            self.cloud.scheduler.call_later(
                PENDING_LIFETIME, owner._expire_pending, arn, name=f"sns pending {arn}"
            )
            return {"SubscriptionArn": arn if p.get("ReturnSubscriptionArn") else PENDING_ARN}
        return {"SubscriptionArn": arn}

    def _endpoint_subscription(self, topic: Topic, protocol: str, endpoint: str):
        for arn in topic.subscriptions:
            sub = self.subscriptions.get(arn)
            if sub is not None and sub.protocol == protocol and sub.endpoint == endpoint:
                return sub
        return None

    @staticmethod
    def _needs_confirmation(protocol: str, endpoint: str, account: str) -> bool:
        if protocol in MANUAL:
            return True
        return protocol in ("sqs", "lambda") and endpoint.split(":")[4] != account

    def _check_endpoint(self, topic: Topic, protocol: str, endpoint: str) -> None:
        if protocol in ("http", "https"):
            if not endpoint.startswith(f"{protocol}://"):
                raise invalid("Invalid parameter: Endpoint must match the specified protocol")
            if len(endpoint) <= len(protocol) + 3:
                raise invalid("Invalid parameter: Endpoint")  # own wording
        elif protocol in ("email", "email-json"):
            if not EMAIL.fullmatch(endpoint):
                raise invalid("Invalid parameter: Email address")
        elif protocol == "sms":
            if not E164.fullmatch(endpoint):
                raise invalid(f"Invalid SMS endpoint: {endpoint}")
        elif protocol == "sqs":
            if not is_arn(endpoint, "sqs"):
                raise invalid("Invalid parameter: SQS endpoint ARN")
        elif protocol == "lambda":
            if not is_arn(endpoint, "lambda"):
                raise invalid("Invalid parameter: Lambda endpoint ARN")
        elif protocol == "firehose":
            if not is_arn(endpoint, "firehose"):
                raise invalid("Invalid parameter: Firehose endpoint ARN")  # own wording
        elif protocol == "application":
            if not is_arn(endpoint, "sns") or ":endpoint/" not in endpoint:
                raise invalid("Invalid parameter: ApplicationEndpoint ARN")
            if endpoint not in self.endpoint_backend(endpoint).platform_endpoints:
                raise AWSError("NotFoundException", "Endpoint does not exist")
        if topic.fifo and protocol != "sqs":
            raise invalid(f"Invalid parameter: Invalid protocol type: {protocol}")  # own wording
        if protocol == "sqs" and endpoint.endswith(".fifo") and not topic.fifo:
            raise invalid(FIFO_QUEUE_ON_STANDARD)

    def _checked_attributes(
        self,
        topic: Topic,
        protocol: str,
        endpoint: str,
        given: dict[str, str],
        current: dict[str, str],
        prefix: str,
    ) -> dict[str, str]:
        """Validated subscription attributes, normalized as AWS stores them."""
        out: dict[str, str] = {}
        for name, value in given.items():
            if name not in SUBSCRIPTION_ATTRIBUTES:
                raise invalid(f"{prefix}AttributeName")
            value = value if value is not None else ""
            if name == "RawMessageDelivery":
                if value.lower() not in ("true", "false"):
                    raise invalid(
                        f"{prefix}RawMessageDelivery: Invalid value [{value}]. "
                        f"Must be true or false."
                    )
                if protocol not in RAW_PROTOCOLS:
                    raise invalid(
                        f"{prefix}Delivery protocol [{protocol}] does not support raw message "
                        f"delivery."
                    )
                value = value.lower()
            elif name == "FilterPolicyScope":
                if value not in ("MessageAttributes", "MessageBody"):
                    raise invalid(
                        f"{prefix}FilterPolicyScope: Invalid value [{value}]. Please use either "
                        f"MessageBody or MessageAttributes"
                    )
            elif name == "FilterPolicy" and value:
                try:
                    parse_json(value)
                except ValueError as exc:
                    raise invalid(
                        f"{prefix}FilterPolicy: failed to parse JSON. "
                        f"{policies.jackson_message(value, exc)}"
                    ) from exc
            elif name == "RedrivePolicy" and value:
                self._check_redrive(topic, endpoint, value, prefix)
            elif name == "DeliveryPolicy" and value:
                if protocol not in ("http", "https"):
                    raise invalid(
                        f"{prefix}DeliveryPolicy: Delivery protocol [{protocol}] does not support "
                        f"delivery policies."
                    )  # own wording
                value = policies.check_subscription_delivery_policy(value, prefix)
            elif name == "SubscriptionRoleArn":
                if protocol != "firehose":
                    raise invalid(f"{prefix}SubscriptionRoleArn: only for firehose subscriptions")
                if not is_arn(value, "iam"):
                    raise invalid(f"{prefix}SubscriptionRoleArn: Invalid ARN")  # own wording
            elif name == "ReplayPolicy":
                raise UnsupportedOperation(
                    "sns", "ReplayPolicy", "message archive replay is not modelled"
                )
            out[name] = value
        merged = {**current, **out}
        policy = merged.get("FilterPolicy")
        if policy and ("FilterPolicy" in out or "FilterPolicyScope" in out):
            filter.check_policy(
                policy, merged.get("FilterPolicyScope") or "MessageAttributes", prefix
            )
        return out

    def _check_redrive(self, topic: Topic, endpoint: str, value: str, prefix: str) -> None:
        try:
            policy = parse_json(value)
        except ValueError as exc:
            raise invalid(
                f"{prefix}RedrivePolicy: failed to parse JSON. "
                f"{policies.jackson_message(value, exc)}"
            ) from exc
        target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
        if not isinstance(target, str) or not is_arn(target):
            raise invalid(f"{prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn")
        if not is_arn(target, "sqs"):
            raise invalid(
                f"{prefix}RedrivePolicy: deadLetterTargetArn must be an SQS queue ARN"
            )  # own wording
        if topic.fifo and endpoint.endswith(".fifo") and not target.endswith(".fifo"):
            raise invalid(
                f"{prefix}RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription "
                f"to a FIFO Topic."
            )

    # -- confirmation -----------------------------------------------------------------------------
    def _new_token(self) -> str:
        return "".join(self.cloud.new_request_id().replace("-", "") for _ in range(8))

    def _request_confirmation(self, arn: str) -> None:
        """Have the confirmation message sent, as background work (as SNS sends it)."""
        self.cloud.scheduler.call_soon(self._send_confirmation, arn, name=f"sns confirm {arn}")

    def _send_confirmation(self, arn: str) -> None:
        """Send the SubscriptionConfirmation message to a pending subscription's endpoint."""
        sub = self.subscriptions.get(arn)
        topic = self.topics.get(sub.topic_arn) if sub is not None else None
        if sub is None or topic is None or not sub.pending or sub.token is None:
            return
        now = self.cloud.clock.time()
        message_id = self.cloud.new_request_id()
        fields = envelope.confirmation_fields(
            "SubscriptionConfirmation",
            message_id,
            topic.arn,
            sub.token,
            envelope.subscribe_message(topic.arn),
            now,
        )
        body = envelope.render(fields)
        if sub.protocol in ("http", "https"):
            headers = self.http_headers("SubscriptionConfirmation", message_id, topic.arn, None)
            headers["Content-Type"] = policies.DEFAULT_CONTENT_TYPE
            self.cloud.outbox.record(
                OutboundMessage(sub.protocol, sub.endpoint, body, headers, now, topic.arn)
            )
        elif sub.protocol == "email-json":
            headers = self.email_headers(topic, "AWS Notification - Subscription Confirmation")
            self.cloud.outbox.record(
                OutboundMessage(sub.protocol, sub.endpoint, body, headers, now, topic.arn)
            )
        elif sub.protocol == "email":
            text = envelope.email_confirmation_text(
                topic.arn, topic.attributes.get("DisplayName", ""), sub.token
            )
            headers = self.email_headers(topic, "AWS Notification - Subscription Confirmation")
            self.cloud.outbox.record(
                OutboundMessage(sub.protocol, sub.endpoint, text, headers, now, topic.arn)
            )
        elif sub.protocol == "sqs":
            # A queue that does not exist loses the confirmation, as on AWS.
            with contextlib.suppress(AWSError):
                self.send_to_queue(sub.endpoint, body)

    def http_headers(
        self, kind: str, message_id: str, topic_arn: str, subscription_arn: str | None
    ) -> dict[str, str]:
        headers = {
            "x-amz-sns-message-type": kind,
            "x-amz-sns-message-id": message_id,
            "x-amz-sns-topic-arn": topic_arn,
        }
        if subscription_arn is not None:
            headers["x-amz-sns-subscription-arn"] = subscription_arn
        headers["User-Agent"] = USER_AGENT
        return headers

    @staticmethod
    def email_headers(topic: Topic, subject: str) -> dict[str, str]:
        name = topic.attributes.get("DisplayName") or "AWS Notifications"
        return {"From": f"{name} <no-reply@sns.amazonaws.com>", "Subject": subject}

    def _expire_pending(self, arn: str) -> None:
        sub = self.subscriptions.get(arn)
        if sub is None or not sub.pending:
            return
        self.subscriptions.pop(arn, None)
        topic = self.topics.get(sub.topic_arn)
        if topic is not None and arn in topic.subscriptions:
            topic.subscriptions.remove(arn)

    @permission(resources=subscription_resource)
    def confirm_subscription(self, call: Call) -> dict:
        p = call.params
        topic_arn, token = p["TopicArn"], p["Token"]
        parts = topic_arn.split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[3] != call.region:
            raise invalid("Invalid parameter: Topic")
        if not TOKEN.fullmatch(token):
            raise invalid("Invalid token")
        owner = (
            self if parts[4] == self.account_id else self.cloud.backend("sns", parts[4], parts[3])
        )
        sub = next((s for s in owner.subscriptions.values() if s.token == token), None)
        if sub is None or sub.topic_arn != topic_arn:
            raise invalid("Invalid parameter: Token")
        if sub.pending:
            sub.pending = False
            sub.authenticated = True
            if (p.get("AuthenticateOnUnsubscribe") or "").lower() == "true":
                sub.attributes.setdefault("AuthenticateOnUnsubscribe", "true")
        return {"SubscriptionArn": sub.arn}

    # -- unsubscribe ------------------------------------------------------------------------------
    @permission(resources=subscription_resource)
    def unsubscribe(self, call: Call) -> None:
        owner, sub = self.find_subscription(call.params.get("SubscriptionArn"), call)
        if sub is None:
            return None  # idempotent, as on AWS
        owner.remove_subscription(sub)
        if sub.protocol in ("http", "https") and not sub.pending:
            owner._send_unsubscribe_confirmation(sub)
        return None

    def remove_subscription(self, sub: Subscription) -> None:
        self.subscriptions.pop(sub.arn, None)
        topic = self.topics.get(sub.topic_arn)
        if topic is not None and sub.arn in topic.subscriptions:
            topic.subscriptions.remove(sub.arn)
            topic.deleted_subscriptions += 1

    def _send_unsubscribe_confirmation(self, sub: Subscription) -> None:
        now = self.cloud.clock.time()
        message_id = self.cloud.new_request_id()
        token = self._new_token()
        fields = envelope.confirmation_fields(
            "UnsubscribeConfirmation",
            message_id,
            sub.topic_arn,
            token,
            envelope.unsubscribe_message(sub.arn),
            now,
        )
        headers = self.http_headers("UnsubscribeConfirmation", message_id, sub.topic_arn, sub.arn)
        headers["Content-Type"] = policies.DEFAULT_CONTENT_TYPE
        self.cloud.outbox.record(
            OutboundMessage(
                sub.protocol, sub.endpoint, envelope.render(fields), headers, now, sub.topic_arn
            )
        )

    # -- listings ---------------------------------------------------------------------------------
    @staticmethod
    def _listed(sub: Subscription) -> dict:
        return {
            "SubscriptionArn": PENDING_LISTED if sub.pending else sub.arn,
            "Owner": sub.owner,
            "Protocol": sub.protocol,
            "Endpoint": sub.endpoint,
            "TopicArn": sub.topic_arn,
        }

    @permission()
    def list_subscriptions(self, call: Call) -> dict:
        subs = [
            s
            for backend in self._region_backends()
            for s in backend.subscriptions.values()
            if s.owner == call.account
        ]
        return self._page_of(subs, call.params.get("NextToken"))

    @permission(resources=subscription_resource)
    def list_subscriptions_by_topic(self, call: Call) -> dict:
        topic = self.lookup_topic(call.params["TopicArn"], call)
        owner = self.topic_backend(topic.arn, call)
        subs = [owner.subscriptions[a] for a in topic.subscriptions if a in owner.subscriptions]
        return self._page_of(subs, call.params.get("NextToken"))

    def _page_of(self, subs: list[Subscription], token: str | None) -> dict:
        subs = sorted(subs, key=lambda s: s.arn)
        chunk, next_token = page(subs, lambda s: s.arn, token)
        out: dict[str, Any] = {"Subscriptions": [self._listed(s) for s in chunk]}
        if next_token:
            out["NextToken"] = next_token
        return out

    def _region_backends(self) -> list[Any]:
        out = []
        for account in self.cloud.accounts.values():
            for (service, _cls), backend in account.regions.get(self.region, {}).items():
                if service == "sns":
                    out.append(backend)
        return out

    # -- attributes -------------------------------------------------------------------------------
    @permission(resources=subscription_resource)
    def get_subscription_attributes(self, call: Call) -> dict:
        owner, sub = self._existing_subscription(call.params["SubscriptionArn"], call)
        return {"Attributes": owner.subscription_attributes(sub)}

    def subscription_attributes(self, sub: Subscription) -> dict[str, str]:
        out = {
            "ConfirmationWasAuthenticated": "true" if sub.authenticated else "false",
            "Endpoint": sub.endpoint,
            "Owner": sub.owner,
            "PendingConfirmation": "true" if sub.pending else "false",
            "Protocol": sub.protocol,
            "RawMessageDelivery": "false",
            "SubscriptionArn": sub.arn,
            "SubscriptionPrincipal": sub.principal,
            "TopicArn": sub.topic_arn,
        }
        for name, value in sub.attributes.items():
            if value == "" or name == "AuthenticateOnUnsubscribe":
                continue
            out[name] = value
        if out.get("FilterPolicy"):
            out.setdefault("FilterPolicyScope", "MessageAttributes")
        else:
            out.pop("FilterPolicyScope", None)
        if sub.protocol in ("http", "https"):
            topic = self.topics.get(sub.topic_arn)
            topic_policy = policies.effective_topic_delivery_policy(
                topic.attributes.get("DeliveryPolicy") if topic else None
            )
            out["EffectiveDeliveryPolicy"] = policies.effective_subscription_delivery_policy(
                sub.attributes.get("DeliveryPolicy") or None, topic_policy
            )
        return dict(sorted(out.items()))

    @permission(resources=subscription_resource)
    def set_subscription_attributes(self, call: Call) -> None:
        p = call.params
        owner, sub = self._existing_subscription(p["SubscriptionArn"], call)
        topic = owner.topics.get(sub.topic_arn)
        if topic is None:
            raise AWSError("NotFoundException", SUBSCRIPTION_NOT_FOUND)
        name, value = p["AttributeName"], p.get("AttributeValue") or ""
        checked = self._checked_attributes(
            topic, sub.protocol, sub.endpoint, {name: value}, sub.attributes, "Invalid parameter: "
        )
        sub.attributes.update(checked)
        return None
