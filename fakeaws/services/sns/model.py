"""The state of one account's SNS in one region: topics and their subscriptions."""

from __future__ import annotations

from dataclasses import dataclass, field

from fakeaws.services.sns.envelope import Notification

# Topic attributes a caller can set (SetTopicAttributes / CreateTopic), beyond the FIFO ones.
FEEDBACK_PROTOCOLS = ("HTTP", "Firehose", "Lambda", "Application", "SQS")
SETTABLE_TOPIC_ATTRIBUTES = frozenset(
    {"DeliveryPolicy", "DisplayName", "Policy", "KmsMasterKeyId", "TracingConfig"}
    | {"SignatureVersion", "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope"}
    | {f"{p}SuccessFeedbackRoleArn" for p in FEEDBACK_PROTOCOLS}
    | {f"{p}SuccessFeedbackSampleRate" for p in FEEDBACK_PROTOCOLS}
    | {f"{p}FailureFeedbackRoleArn" for p in FEEDBACK_PROTOCOLS}
)
FIFO_ONLY_ATTRIBUTES = frozenset(
    {"ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope"}
)

SUBSCRIPTION_ATTRIBUTES = (
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
)
PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda")
PROTOCOLS += ("firehose",)
PENDING_LIFETIME = 48 * 3600.0  # unconfirmed subscriptions are deleted after 48 hours


@dataclass
class Topic:
    name: str
    arn: str
    owner: str
    fifo: bool
    created: float
    attributes: dict[str, str] = field(default_factory=dict)  # the ones set, as given
    tags: dict[str, str] = field(default_factory=dict)
    subscriptions: list[str] = field(default_factory=list)  # ARNs, in creation order
    deleted_subscriptions: int = 0
    data_protection_policy: str = ""
    sequence: int = 0  # FIFO sequence numbers
    dedup: dict[tuple, tuple[float, str, str | None]] = field(default_factory=dict)  # by time
    archive_start: float | None = None

    def next_sequence_number(self) -> str:
        self.sequence += 1
        return f"{10_000_000_000_000_000_000 + self.sequence:020d}"


@dataclass
class Subscription:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    principal: str
    created: float
    attributes: dict[str, str] = field(default_factory=dict)  # settable ones, as stored
    pending: bool = False
    authenticated: bool = True
    token: str | None = None

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery", "false") == "true"

    @property
    def filter_scope(self) -> str:
        return self.attributes.get("FilterPolicyScope") or "MessageAttributes"


@dataclass
class Delivery:
    """One notification on its way to one subscription (scheduled work; picklable)."""

    subscription_arn: str
    note: Notification
    retries: int = 0  # retries made so far
    first_attempt: float = 0.0
