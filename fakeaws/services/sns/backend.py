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

LIMITATIONS (see docs/sns.md): mobile push (platform applications and
endpoints), SMS account settings and sandbox, data protection policies and
message archive replay are not modelled; signatures are stand-ins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeaws.services.base import Backend
from fakeaws.services.sns.delivery import Deliveries
from fakeaws.services.sns.envelope import Notification
from fakeaws.services.sns.publish import Publishing
from fakeaws.services.sns.subscriptions import Subscriptions
from fakeaws.services.sns.topics import Topics

if TYPE_CHECKING:
    from fakeaws.cloud import Cloud
    from fakeaws.services.sns.model import Subscription, Topic


class SnsBackend(Topics, Subscriptions, Publishing, Deliveries, Backend):
    service = "sns"
    iam_prefix = "sns"

    def __init__(self, cloud: Cloud, account_id: str, region: str) -> None:
        super().__init__(cloud, account_id, region)
        self.topics: dict[str, Topic] = {}
        self.subscriptions: dict[str, Subscription] = {}

    def send_sms(self, number: str, note: Notification, display_name: str) -> None:
        """Deliver a text message published straight to a phone number."""
        from fakeaws.outbox import OutboundMessage
        from fakeaws.services.sns.envelope import sms_text

        self.cloud.outbox.record(
            OutboundMessage(
                "sms", number, sms_text(note, display_name), {}, self.cloud.clock.time(), ""
            )
        )
