"""SNS: one account's topics and subscriptions in one region.

The operations live in mixins by family: topics (attributes, permissions,
tags), subscriptions (confirmation, attributes, listings), publishing
(Publish, PublishBatch, the Python entry points) and delivery (per protocol,
retries, dead-letter queues). Subscriptions live with their topic, in the
topic owner's backend; operations on another account's topic are answered by
that account's backend (resource policies are stored, not enforced yet).

Python entry points other services use:

* ``publish_internal(topic_arn, message, *, subject=None, message_attributes=None,
  group_id=None, dedup_id=None, message_structure=None) -> message_id``
* ``accept_delivery(target_arn, body, *, attributes, source_arn) -> None``

LIMITATIONS (see docs/sns.md): pushes to mobile platforms are recorded in
the outbox (credentials never checked); SMS account settings and sandbox,
data protection policies and message archive replay are not modelled;
signatures are stand-ins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeaws.services.base import Backend
from fakeaws.services.sns.delivery import Deliveries
from fakeaws.services.sns.envelope import Notification
from fakeaws.services.sns.platform import Platforms
from fakeaws.services.sns.publish import Publishing
from fakeaws.services.sns.subscriptions import Subscriptions
from fakeaws.services.sns.topics import Topics

if TYPE_CHECKING:
    from fakeaws.cloud import Cloud
    from fakeaws.services.sns.model import Subscription, Topic
    from fakeaws.services.sns.platform import PlatformApplication, PlatformEndpoint


class SnsBackend(Topics, Subscriptions, Publishing, Deliveries, Platforms, Backend):
    service = "sns"
    iam_prefix = "sns"

    def __init__(self, cloud: Cloud, account_id: str, region: str) -> None:
        super().__init__(cloud, account_id, region)
        self.topics: dict[str, Topic] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.applications: dict[str, PlatformApplication] = {}
        self.platform_endpoints: dict[str, PlatformEndpoint] = {}

    def endpoint_backend(self, arn: str):
        """The backend that owns an ARN of this service (its account and region)."""
        parts = arn.split(":")
        if len(parts) < 6 or (parts[4], parts[3]) == (self.account_id, self.region):
            return self
        return self.cloud.backend("sns", parts[4], parts[3])

    def send_push(self, endpoint_arn: str, note: Notification) -> str | None:
        """Push to a platform endpoint: None when recorded, "client" when it cannot be."""
        from fakeaws.outbox import OutboundMessage

        endpoint = self.endpoint_backend(endpoint_arn).platform_endpoints.get(endpoint_arn)
        if endpoint is None or not endpoint.enabled:
            return "client"
        headers = {"Platform": endpoint.platform, "Token": endpoint.attributes.get("Token", "")}
        self.cloud.outbox.record(
            OutboundMessage(
                "application",
                endpoint_arn,
                note.message_for(endpoint.platform),
                headers,
                self.cloud.clock.time(),
                note.topic_arn,
            )
        )
        return None

    def send_sms(self, number: str, note: Notification, display_name: str) -> None:
        """Deliver a text message published straight to a phone number."""
        from fakeaws.outbox import OutboundMessage
        from fakeaws.services.sns.envelope import sms_text

        self.cloud.outbox.record(
            OutboundMessage(
                "sms", number, sms_text(note, display_name), {}, self.cloud.clock.time(), ""
            )
        )
