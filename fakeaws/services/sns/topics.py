"""Topics: create (idempotent), attributes, permissions, tags, delete, list."""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.base import permission
from fakeaws.services.messaging import parse_json
from fakeaws.services.sns import policies
from fakeaws.services.sns.envelope import iso_millis
from fakeaws.services.sns.model import (
    FEEDBACK_PROTOCOLS,
    FIFO_ONLY_ATTRIBUTES,
    SETTABLE_TOPIC_ATTRIBUTES,
    Topic,
)
from fakeaws.services.sns.validation import (
    DUPLICATE_TAG_KEYS,
    MAX_TAGS,
    RESOURCE_NOT_FOUND,
    TAG_LIMIT,
    TOPIC_DIFFERENT_ATTRIBUTES,
    TOPIC_DIFFERENT_TAGS,
    check_topic_name,
    invalid,
    validation_error,
)

if TYPE_CHECKING:
    from fakeaws.calls import Call

PAGE_SIZE = 100
POLICY_ACTIONS = (
    "GetTopicAttributes",
    "SetTopicAttributes",
    "AddPermission",
    "RemovePermission",
    "DeleteTopic",
    "Subscribe",
    "ListSubscriptionsByTopic",
    "Publish",
    "Receive",
)
FIFO_NAME_MESSAGE = (  # LocalStack's wording for this case; AWS's is not recorded
    "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase "
    "ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 "
    "characters long."
)


def topic_resource(backend: Any, call: Call) -> list[str]:
    p = call.params
    arn = p.get("TopicArn") or p.get("ResourceArn")
    if arn:
        return [arn]
    if call.operation == "CreateTopic":
        return [backend.arn(p.get("Name", ""))]
    return ["*"]


def encode_token(key: str) -> str:
    return base64.b64encode(key.encode()).decode()


def decode_token(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return base64.b64decode(token.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid("Invalid parameter: NextToken") from exc  # own wording


def page(items: list, key, token: str | None) -> tuple[list, str | None]:
    """One page of ``items`` (sorted by ``key``) after the token, and the next token."""
    after = decode_token(token)
    if after is not None:
        items = [i for i in items if key(i) > after]
    chunk = items[:PAGE_SIZE]
    more = len(items) > PAGE_SIZE
    return chunk, (encode_token(key(chunk[-1])) if more else None)


class Topics:
    # -- lookups ----------------------------------------------------------------------------------
    def topic_backend(self, arn: str | None, call: Call, member: str = "TopicArn"):
        """The backend (account) that owns the topic ARN, after AWS's ARN checks."""
        from fakeaws.services.sns.validation import split_arn

        parts = split_arn(arn, member)
        if parts[3] != call.region:
            raise invalid(f"Invalid parameter: {member}")
        if parts[4] == self.account_id:
            return self
        return self.cloud.backend("sns", parts[4], call.region)

    def lookup_topic(self, arn: str | None, call: Call, member: str = "TopicArn") -> Topic:
        owner = self.topic_backend(arn, call, member)
        topic = owner.topics.get(arn)
        if topic is None:
            raise AWSError("NotFoundException", "Topic does not exist")
        return topic

    # -- create / delete --------------------------------------------------------------------------
    @permission(resources=topic_resource)
    def create_topic(self, call: Call) -> dict:
        p = call.params
        name = p["Name"]
        attributes = dict(p.get("Attributes") or {})
        fifo_value = attributes.pop("FifoTopic", None)
        if fifo_value is not None and fifo_value.lower() not in ("true", "false"):
            raise invalid("Invalid parameter: FifoTopic")  # own wording
        fifo = (fifo_value or "").lower() == "true"
        if fifo and not name.endswith(".fifo"):
            raise invalid(FIFO_NAME_MESSAGE)
        check_topic_name(name, fifo)
        if p.get("DataProtectionPolicy"):
            raise UnsupportedOperation(
                "sns", "CreateTopic", "message data protection policies are not modelled"
            )
        tags = self._tag_dict(p.get("Tags") or [])
        arn = self.arn(name)
        existing = self.topics.get(arn)
        if existing is not None:
            for key, value in attributes.items():
                if existing.attributes.get(key, self._default_attribute(existing, key)) != value:
                    raise invalid(TOPIC_DIFFERENT_ATTRIBUTES)
            if any(existing.tags.get(k) != v for k, v in tags.items()):
                raise invalid(TOPIC_DIFFERENT_TAGS)
            return {"TopicArn": arn}
        topic = Topic(name, arn, self.account_id, fifo, call.time)
        for key, value in attributes.items():
            self._set_topic_attribute(topic, key, value, "Invalid parameter: Attributes Reason: ")
        if len(tags) > MAX_TAGS:
            raise AWSError("TagLimitExceededException", TAG_LIMIT)
        topic.tags = tags
        self.topics[arn] = topic
        return {"TopicArn": arn}

    @permission(resources=topic_resource)
    def delete_topic(self, call: Call) -> None:
        arn = call.params["TopicArn"]
        owner = self.topic_backend(arn, call)
        topic = owner.topics.pop(arn, None)
        if topic is None:
            return None  # idempotent, as on AWS
        for sub_arn in list(topic.subscriptions):
            owner.subscriptions.pop(sub_arn, None)
        return None

    @permission()
    def list_topics(self, call: Call) -> dict:
        topics = sorted(self.topics)
        chunk, token = page(topics, lambda arn: arn, call.params.get("NextToken"))
        out: dict[str, Any] = {"Topics": [{"TopicArn": arn} for arn in chunk]}
        if token:
            out["NextToken"] = token
        return out

    # -- attributes -------------------------------------------------------------------------------
    @permission(resources=topic_resource)
    def get_topic_attributes(self, call: Call) -> dict:
        topic = self.lookup_topic(call.params["TopicArn"], call)
        owner = self.topic_backend(topic.arn, call)
        return {"Attributes": owner.topic_attributes(topic)}

    def topic_attributes(self, topic: Topic) -> dict[str, str]:
        subs = [self.subscriptions[a] for a in topic.subscriptions if a in self.subscriptions]
        out = {
            "DisplayName": "",
            "Owner": topic.owner,
            "Policy": policies.default_topic_policy(topic.arn, topic.owner),
            "SubscriptionsConfirmed": str(sum(1 for s in subs if not s.pending)),
            "SubscriptionsDeleted": str(topic.deleted_subscriptions),
            "SubscriptionsPending": str(sum(1 for s in subs if s.pending)),
            "TopicArn": topic.arn,
            "EffectiveDeliveryPolicy": policies.effective_topic_delivery_policy(
                topic.attributes.get("DeliveryPolicy")
            ),
        }
        if topic.fifo:
            out["FifoTopic"] = "true"
            out["ContentBasedDeduplication"] = "false"
        out.update(topic.attributes)
        if topic.archive_start is not None:
            out["BeginningArchiveTime"] = iso_millis(topic.archive_start)
        return dict(sorted(out.items()))

    @permission(resources=topic_resource)
    def set_topic_attributes(self, call: Call) -> None:
        p = call.params
        topic = self.lookup_topic(p["TopicArn"], call)
        self._set_topic_attribute(
            topic, p["AttributeName"], p.get("AttributeValue") or "", "Invalid parameter: "
        )
        return None

    def _default_attribute(self, topic: Topic, name: str) -> str | None:
        if name == "DisplayName":
            return ""
        if name == "ContentBasedDeduplication" and topic.fifo:
            return "false"
        if name == "Policy":
            return policies.default_topic_policy(topic.arn, topic.owner)
        return {"SignatureVersion": "1", "TracingConfig": "PassThrough"}.get(name)

    def _set_topic_attribute(self, topic: Topic, name: str, value: str, prefix: str) -> None:
        if name not in SETTABLE_TOPIC_ATTRIBUTES:
            raise invalid(f"{prefix}AttributeName")
        if name in FIFO_ONLY_ATTRIBUTES and not topic.fifo:
            raise invalid(f"{prefix}{name}: only FIFO topics support this attribute")  # own
        attrs = topic.attributes
        if value == "" and name in ("DeliveryPolicy", "KmsMasterKeyId", "ArchivePolicy"):
            attrs.pop(name, None)
            if name == "ArchivePolicy":
                topic.archive_start = None
            return
        if name == "DeliveryPolicy":
            policies.check_topic_delivery_policy(value, prefix)
        elif name == "Policy":
            self._check_policy_document(value, prefix)
        elif name == "DisplayName" and len(value) > 100:
            raise invalid(f"{prefix}DisplayName")  # own wording
        elif name == "SignatureVersion" and value not in ("1", "2"):
            raise invalid(f"{prefix}SignatureVersion")  # own wording
        elif name == "TracingConfig":
            if value not in ("PassThrough", "Active") or (topic.fifo and value == "Active"):
                raise invalid(f"{prefix}TracingConfig")  # own wording
        elif name == "ContentBasedDeduplication":
            value = value.lower()
            if value not in ("true", "false"):
                raise invalid(f"{prefix}ContentBasedDeduplication")  # own wording
        elif name == "FifoThroughputScope" and value not in ("Topic", "MessageGroup"):
            raise invalid(f"{prefix}FifoThroughputScope")  # own wording
        elif name == "ArchivePolicy":
            self._check_archive_policy(topic, value, prefix)
        elif name.endswith("SampleRate"):
            if not value.isdigit() or not 0 <= int(value) <= 100:
                raise invalid(f"{prefix}{name}")  # own wording
        elif name.endswith("RoleArn") and value and not value.startswith("arn:"):
            raise invalid(f"{prefix}{name}")  # own wording
        attrs[name] = value

    def _check_policy_document(self, value: str, prefix: str) -> None:
        try:
            policy = parse_json(value)
        except ValueError as exc:
            raise invalid(f"{prefix}Policy Error: {policies.jackson_message(value, exc)}") from exc
        statements = policy.get("Statement") if isinstance(policy, dict) else None
        if isinstance(statements, dict):
            statements = [statements]
        if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
            raise invalid(f"{prefix}Policy Error: null")  # own wording

    def _check_archive_policy(self, topic: Topic, value: str, prefix: str) -> None:
        try:
            policy = parse_json(value)
        except ValueError as exc:
            raise invalid(f"{prefix}ArchivePolicy: failed to parse JSON.") from exc
        period = policy.get("MessageRetentionPeriod") if isinstance(policy, dict) else None
        if policy == {}:
            topic.archive_start = None
            return
        if isinstance(period, str) and period.isdigit():
            period = int(period)
        if not isinstance(period, int) or not 1 <= period <= 365:
            raise invalid(
                f"{prefix}ArchivePolicy: MessageRetentionPeriod must be between 1 and 365"
            )  # own wording
        if topic.archive_start is None:
            topic.archive_start = self.cloud.clock.time()

    # -- permissions (stored in the access policy, not enforced yet) ------------------------------
    @permission(resources=topic_resource)
    def add_permission(self, call: Call) -> None:
        p = call.params
        topic = self.lookup_topic(p["TopicArn"], call)
        policy = json.loads(topic.attributes.get("Policy") or self._default_policy(topic))
        statements = policy.setdefault("Statement", [])
        if isinstance(statements, dict):
            statements = policy["Statement"] = [statements]
        if any(s.get("Sid") == p["Label"] for s in statements):
            raise invalid("Invalid parameter: Statement already exists")
        if any(a not in POLICY_ACTIONS and a != "*" for a in p["ActionName"]):
            raise invalid("Invalid parameter: Policy statement action out of service scope!")
        principals = [f"arn:{self.cloud.partition}:iam::{a}:root" for a in p["AWSAccountId"]]
        actions = [f"SNS:{a}" for a in p["ActionName"]]
        statements.append(
            {
                "Sid": p["Label"],
                "Effect": "Allow",
                "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                "Action": actions[0] if len(actions) == 1 else actions,
                "Resource": topic.arn,
            }
        )
        topic.attributes["Policy"] = policies.compact(policy)
        return None

    @permission(resources=topic_resource)
    def remove_permission(self, call: Call) -> None:
        p = call.params
        topic = self.lookup_topic(p["TopicArn"], call)
        policy = json.loads(topic.attributes.get("Policy") or self._default_policy(topic))
        statements = policy.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        policy["Statement"] = [s for s in statements if s.get("Sid") != p["Label"]]
        topic.attributes["Policy"] = policies.compact(policy)
        return None

    def _default_policy(self, topic: Topic) -> str:
        return policies.default_topic_policy(topic.arn, topic.owner)

    # -- data protection --------------------------------------------------------------------------
    @permission(resources=topic_resource)
    def get_data_protection_policy(self, call: Call) -> dict:
        self.lookup_topic(call.params["ResourceArn"], call, "ResourceArn")
        return {}

    # -- tags -------------------------------------------------------------------------------------
    def _tagged_topic(self, call: Call) -> Topic:
        arn = call.params["ResourceArn"]
        parts = arn.split(":")
        topic = None
        if len(parts) >= 6 and parts[3] == call.region:
            owner = self if parts[4] == self.account_id else None
            topic = owner.topics.get(arn) if owner is not None else None
        if topic is None:
            raise AWSError("ResourceNotFoundException", RESOURCE_NOT_FOUND)
        return topic

    def _tag_dict(self, tags: list[dict]) -> dict[str, str]:
        keys = [t["Key"] for t in tags]
        if len(set(keys)) != len(keys):
            raise invalid(DUPLICATE_TAG_KEYS)
        for i, tag in enumerate(tags, 1):
            if len(tag["Key"]) > 128:
                raise validation_error(
                    tag["Key"],
                    f"tags.{i}.member.key",
                    "Member must have length less than or equal to 128",
                )
            if len(tag["Value"]) > 256:
                raise validation_error(
                    tag["Value"],
                    f"tags.{i}.member.value",
                    "Member must have length less than or equal to 256",
                )
        return {t["Key"]: t["Value"] for t in tags}

    @permission(resources=topic_resource)
    def tag_resource(self, call: Call) -> dict:
        topic = self._tagged_topic(call)
        tags = self._tag_dict(call.params["Tags"])
        merged = {**topic.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise AWSError("TagLimitExceededException", TAG_LIMIT)
        topic.tags = merged
        return {}

    @permission(resources=topic_resource)
    def untag_resource(self, call: Call) -> dict:
        topic = self._tagged_topic(call)
        for key in call.params["TagKeys"]:
            topic.tags.pop(key, None)
        return {}

    @permission(resources=topic_resource)
    def list_tags_for_resource(self, call: Call) -> dict:
        topic = self._tagged_topic(call)
        return {"Tags": [{"Key": k, "Value": v} for k, v in topic.tags.items()]}


__all__ = ["Topics", "FEEDBACK_PROTOCOLS", "page", "topic_resource"]
