"""Queue operations: create, URLs, list, delete, attributes, tags, permissions, purge."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import TYPE_CHECKING, Any

from fakeaws.services.base import permission
from fakeaws.services.messaging import parse_json
from fakeaws.services.sqs import attributes as attrs
from fakeaws.services.sqs.addressing import queue_arn, queue_url
from fakeaws.services.sqs.errors import (
    DELETED_RECENTLY,
    EMPTY_QUEUE_NAME,
    FIFO_QUEUE_NAME,
    GET_URL_NO_NAME,
    INVALID_NEXT_TOKEN,
    QUEUE_NAME,
    access_denied,
    invalid_parameter,
    invalid_value,
    missing_parameter,
    no_queue,
    sqs_error,
)
from fakeaws.services.sqs.queue import Queue

if TYPE_CHECKING:
    from fakeaws.calls import Call

_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_ACCOUNT = re.compile(r"\d{12}")
MAX_TAGS = 50
MAX_LIST = 1000
# Actions AddPermission grants; the others are the queue owner's alone.
GRANTABLE = frozenset(
    {
        "*",
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "ChangeMessageVisibility",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "PurgeQueue",
        "ListQueueTags",
        "CancelMessageMoveTask",
        "ListMessageMoveTasks",
        "StartMessageMoveTask",
    }
)
OWNER_ONLY = frozenset(
    {
        "AddPermission",
        "CreateQueue",
        "DeleteQueue",
        "ListQueues",
        "RemovePermission",
        "SetQueueAttributes",
        "TagQueue",
        "UntagQueue",
    }
)
MAX_ACTIONS = 7


def _queue_resource(backend: Any, call: Call) -> list[str]:
    from fakeaws.services.sqs.backend import queue_resource

    return queue_resource(backend, call)


def encode_token(last: str) -> str:
    return base64.b64encode(json.dumps({"after": last}).encode()).decode()


def decode_token(token: str) -> str:
    try:
        after = parse_json(base64.b64decode(token, validate=True))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise invalid_parameter(INVALID_NEXT_TOKEN) from None
    if not isinstance(after, str):
        raise invalid_parameter(INVALID_NEXT_TOKEN)
    return after


def page_size(value: int | None) -> int | None:
    """MaxResults of ListQueues / ListDeadLetterSourceQueues (None or 0: not given)."""
    if not value:
        return None
    if not 1 <= value <= MAX_LIST:
        raise invalid_parameter(
            "Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
            f"between 1 and {MAX_LIST}."
        )
    return value


def paginate(names: list[str], call: Call) -> tuple[list[str], str | None]:
    """A page of sorted names (MaxResults / NextToken as SQS pages its lists)."""
    size = page_size(call.params.get("MaxResults"))
    token = call.params.get("NextToken")
    if token:
        after = decode_token(token)
        names = [n for n in names if n > after]
    if size is None:
        return names[:MAX_LIST], None
    page = names[:size]
    return page, (encode_token(page[-1]) if len(names) > size else None)


class Queues:
    # -- create / find ---------------------------------------------------------------------
    @permission(resources=_queue_resource)
    def create_queue(self, call: Call) -> dict:
        p = call.params
        name = p["QueueName"]
        given = dict(p.get("Attributes") or {})
        if not name:
            raise invalid_parameter(EMPTY_QUEUE_NAME)
        fifo = attrs.is_fifo_request(given)
        self._check_queue_name(name, fifo)
        changes = attrs.validate(given, fifo=fifo, creating=True)
        tags = dict(p.get("tags") or {})
        self._check_tags(name, tags)
        now = self.now()
        existing = self.queues.get(name)
        if existing is not None:
            self._same_attributes(existing, changes)
            return {"QueueUrl": existing.url}
        deleted = self.deleted_names.get(name)
        cooldown = float(self.settings.deleted_name_cooldown)
        if deleted is not None and now - deleted < cooldown:
            raise sqs_error("QueueDeletedRecently", DELETED_RECENTLY)
        arn = queue_arn(self.region, self.account_id, name)
        if changes.get("RedrivePolicy"):
            self.check_dead_letter_target(arn, fifo, str(given["RedrivePolicy"]))
        queue = Queue(
            name=name,
            url=queue_url(self.region, self.account_id, name),
            arn=arn,
            account=self.account_id,
            region=self.region,
            fifo=fifo,
            attributes=attrs.apply(attrs.defaults(fifo), changes),
            tags=tags,
            created=now,
            modified=now,
            incarnation=self.cloud.new_request_id(),
        )
        self.queues[name] = queue
        self.deleted_names.pop(name, None)
        return {"QueueUrl": queue.url}

    @staticmethod
    def _check_queue_name(name: str, fifo: bool) -> None:
        if fifo:
            if not name.endswith(".fifo") or not _NAME.fullmatch(name[:-5] + "_fifo"):
                raise invalid_parameter(FIFO_QUEUE_NAME)
        elif not _NAME.fullmatch(name):
            raise invalid_parameter(QUEUE_NAME)

    def _same_attributes(self, queue: Queue, changes: dict[str, str]) -> None:
        """CreateQueue of an existing name: fine when every given attribute has its value."""
        current = self._attribute_values(queue)
        for name, value in changes.items():
            have = current.get(name, "")
            if name == "KmsDataKeyReusePeriodSeconds" and name not in current:
                have = attrs.DEFAULT_KMS_REUSE
            if value != have:
                raise sqs_error(
                    "QueueNameExists",
                    "A queue already exists with the same name and a different value for "
                    f"attribute {name}",
                )

    @staticmethod
    def _check_tags(queue_name: str, tags: dict[str, str]) -> None:
        if len(tags) > MAX_TAGS:
            raise invalid_parameter(f"Too many tags added for queue {queue_name}.")
        for key, value in tags.items():
            if not 1 <= len(key) <= 128:  # own wording
                raise invalid_parameter(f"Tag key '{key}' must be 1 to 128 characters long.")
            if len(value) > 256:  # own wording
                raise invalid_parameter(f"Tag value for key '{key}' is longer than 256 characters.")

    @permission(resources=_queue_resource)
    def get_queue_url(self, call: Call) -> dict:
        p = call.params
        if not p["QueueName"]:
            raise invalid_parameter(GET_URL_NO_NAME)
        owner = p.get("QueueOwnerAWSAccountId") or call.account
        if not _ACCOUNT.fullmatch(owner):
            raise no_queue()
        queue = self.backend_for(owner).queues.get(p["QueueName"])
        if queue is None:
            raise no_queue()
        return {"QueueUrl": queue.url}

    @permission()
    def list_queues(self, call: Call) -> dict:
        prefix = call.params.get("QueueNamePrefix") or ""
        names = sorted(n for n in self.queues if n.startswith(prefix))
        page, token = paginate(names, call)
        out: dict[str, Any] = {}
        if page:
            out["QueueUrls"] = [self.queues[n].url for n in page]
        if token:
            out["NextToken"] = token
        return out

    @permission(resources=_queue_resource)
    def delete_queue(self, call: Call) -> dict:
        queue = self.owned_queue(call)
        owner = self.backend_for(queue.account)
        del owner.queues[queue.name]
        owner.deleted_names[queue.name] = self.now()
        queue.deleted = True
        queue.purge()
        self.wake(None)  # long polls on it end
        return {}

    # -- attributes ------------------------------------------------------------------------
    @permission(resources=_queue_resource)
    def get_queue_attributes(self, call: Call) -> dict:
        queue = self.queue_for_url(call.params["QueueUrl"])
        wanted = list(call.params.get("AttributeNames") or [])
        for name in wanted:
            if name not in attrs.KNOWN:
                raise sqs_error("InvalidAttributeName", f"Unknown Attribute {name}.")
        if not wanted:
            return {}
        values = self._attribute_values(queue)
        selected = values if attrs.ALL in wanted else {n: values[n] for n in wanted if n in values}
        return {"Attributes": selected} if selected else {}

    def _attribute_values(self, queue: Queue) -> dict[str, str]:
        visible, in_flight, delayed = queue.counts(self.now())
        stored = queue.attributes
        computed = {
            "QueueArn": queue.arn,
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(in_flight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(int(queue.created)),
            "LastModifiedTimestamp": str(int(queue.modified)),
        }
        out: dict[str, str] = {}
        for name in attrs.ORDER:
            if name in computed:
                out[name] = computed[name]
            elif name == "KmsDataKeyReusePeriodSeconds":
                if stored.get("KmsMasterKeyId"):
                    out[name] = stored.get(name, attrs.DEFAULT_KMS_REUSE)
            elif name in stored:
                out[name] = stored[name]
        return out

    @permission(resources=_queue_resource)
    def set_queue_attributes(self, call: Call) -> dict:
        queue = self.owned_queue(call)
        given = dict(call.params.get("Attributes") or {})
        if not given:
            raise missing_parameter("Attribute.Name")
        changes = attrs.validate(given, fifo=queue.fifo, creating=False)
        if changes.get("RedrivePolicy"):
            self.check_dead_letter_target(queue.arn, queue.fifo, str(given["RedrivePolicy"]))
        now = self.now()
        queue.refresh(now)
        new = attrs.apply(queue.attributes, changes)
        old_delay = queue.delay_seconds
        queue.attributes = new
        queue.modified = now
        if queue.fifo and queue.delay_seconds != old_delay:
            queue.redelay(now, queue.delay_seconds)
            self.wake(queue)
        return {}

    # -- tags ------------------------------------------------------------------------------
    @permission(resources=_queue_resource)
    def tag_queue(self, call: Call) -> dict:
        queue = self.owned_queue(call)
        merged = {**queue.tags, **call.params["Tags"]}
        self._check_tags(queue.name, merged)
        queue.tags = merged
        return {}

    @permission(resources=_queue_resource)
    def untag_queue(self, call: Call) -> dict:
        queue = self.owned_queue(call)
        for key in call.params["TagKeys"]:
            queue.tags.pop(key, None)
        return {}

    @permission(resources=_queue_resource)
    def list_queue_tags(self, call: Call) -> dict:
        queue = self.queue_for_url(call.params["QueueUrl"])
        if queue.account != call.account:
            raise access_denied(queue.url)
        return {"Tags": dict(queue.tags)} if queue.tags else {}

    # -- permissions (stored in the queue policy, evaluated by IAM) ------------------------
    @permission(resources=_queue_resource)
    def add_permission(self, call: Call) -> dict:
        p = call.params
        queue = self.owned_queue(call)
        label, actions, accounts = p["Label"], list(p["Actions"]), list(p["AWSAccountIds"])
        if not label:
            raise missing_parameter("Label")
        if not accounts:
            raise missing_parameter("AWSAccountIds")
        if not actions:
            raise missing_parameter("ActionName")
        if len(actions) > MAX_ACTIONS:
            raise sqs_error(
                "OverLimit", f"{len(actions)} Actions were found, maximum allowed is {MAX_ACTIONS}."
            )
        for action in actions:
            if action in OWNER_ONLY:
                raise invalid_value(
                    f"SQS:{action}",
                    "ActionName",
                    "Only the queue owner is allowed to invoke this action.",
                )
            if action not in GRANTABLE:
                raise invalid_value(
                    f"SQS:{action}",
                    "ActionName",
                    "Please refer to the appropriate WSDL for a list of valid actions.",
                )
        for account in accounts:
            if not _ACCOUNT.fullmatch(account):
                raise invalid_value(f"[{account}]", "PrincipalId", "Unable to verify.")
        policy = self._policy(queue)
        statements = policy["Statement"]
        if any(s.get("Sid") == label for s in statements):
            raise invalid_value(label, "Label", "Already exists.")
        if len(statements) >= attrs.MAX_POLICY_STATEMENTS:
            raise sqs_error(
                "OverLimit",
                f"{len(statements) + 1} Statements were found, maximum allowed is "
                f"{attrs.MAX_POLICY_STATEMENTS}.",
            )
        partition = queue.arn.split(":")[1]
        principals = [f"arn:{partition}:iam::{a}:root" for a in accounts]
        names = [f"SQS:{a}" for a in actions]
        statements.append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                "Action": names[0] if len(names) == 1 else names,
                "Resource": queue.arn,
            }
        )
        self._store_policy(queue, policy)
        return {}

    @permission(resources=_queue_resource)
    def remove_permission(self, call: Call) -> dict:
        queue = self.owned_queue(call)
        label = call.params["Label"]
        if not label:
            raise missing_parameter("Label")
        policy = self._policy(queue)
        kept = [s for s in policy["Statement"] if s.get("Sid") != label]
        if len(kept) == len(policy["Statement"]):
            raise invalid_value(label, "Label", "can't find label.")
        policy["Statement"] = kept
        self._store_policy(queue, policy)
        return {}

    @staticmethod
    def _policy(queue: Queue) -> dict:
        text = queue.attributes.get("Policy")
        if text:
            doc = json.loads(text)
            statements = doc.get("Statement", [])
            doc["Statement"] = statements if isinstance(statements, list) else [statements]
            return doc
        return {"Version": "2008-10-17", "Id": f"{queue.arn}/SQSDefaultPolicy", "Statement": []}

    def _store_policy(self, queue: Queue, policy: dict) -> None:
        if policy["Statement"]:
            queue.attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
        else:
            queue.attributes.pop("Policy", None)
        queue.modified = self.now()

    # -- purge -----------------------------------------------------------------------------
    @permission(resources=_queue_resource)
    def purge_queue(self, call: Call) -> dict:
        queue = self.queue_for_url(call.params["QueueUrl"])
        now = self.now()
        cooldown = float(self.settings.purge_cooldown)
        if queue.last_purge is not None and now - queue.last_purge < cooldown:
            raise sqs_error(
                "PurgeQueueInProgress",
                f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.",
            )
        queue.last_purge = now
        queue.purge()
        return {}
