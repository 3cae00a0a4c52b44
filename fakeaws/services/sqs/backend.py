"""SQS: one account's queues in one region.

The operations live in mixins: queues (create, URLs, attributes, tags,
permissions, purge, delete), messages (send, receive with long polling,
delete, visibility) and redrive (dead-letter queues and message move tasks).
Queue state is in ``queue.Queue``; time is applied lazily on the virtual
clock, so nothing runs in the background except move tasks.

Queue URLs and ARNs may name another account's queue (cross-account access):
the queue is looked up in that account's backend in the same world. Queue
policies are stored and returned, not evaluated (IAM does that).

Python entry points for other services (all take the cloud's lock):
``send_internal``, ``accept_delivery``, ``receive_internal``,
``delete_internal``, ``change_visibility_internal``, ``queue_for_arn``,
``queue_attributes_internal``, ``watch_internal`` / ``unwatch_internal`` and
``next_visible_internal``.

LIMITATIONS (see docs/sqs.md): KMS keys are stored, messages are not
encrypted and KMS errors never happen; throughput quotas and throttling are
not modelled; short polls always see every available message.
"""

from __future__ import annotations

import base64
import threading
import weakref
from typing import TYPE_CHECKING, Any

from fakeaws.services.base import Backend
from fakeaws.services.sqs.addressing import parse_queue_arn, parse_queue_url, queue_arn
from fakeaws.services.sqs.errors import (
    access_denied,
    no_queue,
    receipt_handle_invalid,
    receipt_handle_other_queue,
)
from fakeaws.services.sqs.messages import Messages
from fakeaws.services.sqs.queues import Queues
from fakeaws.services.sqs.redrive import Redrive

if TYPE_CHECKING:
    from fakeaws.calls import Call
    from fakeaws.cloud import Cloud
    from fakeaws.services.sqs.queue import Queue

_HANDLE_PREFIX = "AQEB"


class _Waker:
    """Wakes long polls waiting in real time when a message may have become available."""

    def __init__(self) -> None:
        self.condition = threading.Condition(threading.Lock())
        self.version = 0

    def notify(self) -> None:
        with self.condition:
            self.version += 1
            self.condition.notify_all()

    def wait(self, seen: int, timeout: float) -> None:
        with self.condition:
            if self.version == seen:
                self.condition.wait(timeout)


# One per cloud, outside the world's state (locks cannot be snapshotted).
_WAKERS: weakref.WeakKeyDictionary[Any, _Waker] = weakref.WeakKeyDictionary()
_WAKERS_LOCK = threading.Lock()


def waker(cloud: Cloud) -> _Waker:
    with _WAKERS_LOCK:
        found = _WAKERS.get(cloud)
        if found is None:
            found = _WAKERS[cloud] = _Waker()
        return found


def queue_resource(backend: SqsBackend, call: Call) -> list[str]:
    """The queue ARN a request acts on (from QueueUrl, QueueName or SourceArn)."""
    p = call.params
    if p.get("QueueUrl"):
        location = parse_queue_url(p["QueueUrl"])
        if location is None:
            return ["*"]
        return [queue_arn(location.region or backend.region, location.account, location.name)]
    if p.get("QueueName"):
        account = p.get("QueueOwnerAWSAccountId") or call.account
        return [queue_arn(backend.region, account, p["QueueName"])]
    if p.get("SourceArn"):
        return [p["SourceArn"]]
    if p.get("TaskHandle"):
        from fakeaws.services.sqs.redrive import decode_task_handle

        decoded = decode_task_handle(p["TaskHandle"])
        return [decoded[1]] if decoded else ["*"]
    return ["*"]


class SqsBackend(Queues, Messages, Redrive, Backend):
    service = "sqs"
    iam_prefix = "sqs"

    def __init__(self, cloud: Cloud, account_id: str, region: str) -> None:
        super().__init__(cloud, account_id, region)
        self.queues: dict[str, Queue] = {}
        self.deleted_names: dict[str, float] = {}  # name -> when its queue was deleted
        # Queue name -> {key: callback} of other services waiting for messages (the Lambda
        # SQS poller); kept by name, so a queue deleted and created again is still watched.
        self.watchers: dict[str, dict[str, Any]] = {}

    # -- shared helpers -----------------------------------------------------------------
    @property
    def settings(self):
        return self.cloud.settings.service("sqs")

    def now(self) -> float:
        return self.cloud.clock.time()

    def wake(self, queue: Queue | None) -> None:
        """Messages may have become receivable on ``queue``: tell whoever waits for them.

        Long polls waiting in real time, and the watchers other services
        registered (``watch_internal``).
        """
        if not self.cloud.clock.frozen:
            waker(self.cloud).notify()
        if queue is None:
            return
        watchers = self.backend_for(queue.account, queue.region).watchers.get(queue.name)
        for key, callback in list((watchers or {}).items()):
            callback(key)

    def backend_for(self, account: str, region: str | None = None) -> SqsBackend:
        region = region or self.region
        if account == self.account_id and region == self.region:
            return self
        return self.cloud.backend("sqs", account, region)

    def queue_for_url(self, url: str) -> Queue:
        """The queue a QueueUrl names (in any account of this region), or QueueDoesNotExist."""
        location = parse_queue_url(url or "")
        if location is None or (location.region is not None and location.region != self.region):
            raise no_queue()
        queue = self.backend_for(location.account).queues.get(location.name)
        if queue is None:
            raise no_queue()
        return queue

    def owned_queue(self, call: Call) -> Queue:
        """The queue of QueueUrl, for the actions only its owner may call."""
        queue = self.queue_for_url(call.params["QueueUrl"])
        if queue.account != call.account:
            raise access_denied(queue.url)
        return queue

    def queue_for_arn(self, arn: str) -> Queue | None:
        """The queue an ARN names, in whichever account and region of the world, or None."""
        parts = parse_queue_arn(arn)
        if parts is None:
            return None
        with self.cloud.lock:
            return self.backend_for(parts.account, parts.region).queues.get(parts.resource)

    def all_backends(self) -> list[SqsBackend]:
        """Every SQS backend the world has created (every account and region)."""
        found = []
        for account in list(self.cloud.accounts.values()):
            for backends in list(account.regions.values()):
                for (service, _cls), backend in list(backends.items()):
                    if service == "sqs" and isinstance(backend, SqsBackend):
                        found.append(backend)
        return found

    # -- receipt handles -----------------------------------------------------------------
    def receipt_handle(self, queue: Queue, seq: int, receives: int) -> str:
        nonce = self.cloud.new_request_id().replace("-", "")
        payload = f"{queue.arn}|{queue.incarnation}|{seq}|{receives}|{nonce}".encode()
        return _HANDLE_PREFIX + base64.b64encode(payload).decode()

    def read_receipt_handle(self, queue: Queue, handle: str) -> tuple[int, int] | None:
        """``(seq, receives)`` a handle names; None if it is one of a deleted queue.

        Raises ReceiptHandleIsInvalid for a string SQS never issued, or one
        issued for another queue.
        """
        try:
            if not handle.startswith(_HANDLE_PREFIX):
                raise ValueError
            raw = base64.b64decode(handle[len(_HANDLE_PREFIX) :], validate=True).decode()
            arn, incarnation, seq, receives, _nonce = raw.split("|")
            seq_no, receive_no = int(seq), int(receives)
        except (ValueError, UnicodeDecodeError):
            raise receipt_handle_invalid(handle) from None
        if arn != queue.arn:
            raise receipt_handle_other_queue(handle)
        if incarnation != queue.incarnation:
            return None  # issued by a queue of the same name that was deleted since
        return seq_no, receive_no

    # -- the Python interface other services use -----------------------------------------
    def send_internal(
        self,
        queue_arn: str,
        body: str,
        *,
        message_attributes: dict | None = None,
        system_attributes: dict | None = None,
        group_id: str | None = None,
        dedup_id: str | None = None,
        sender_id: str | None = None,
        delay_seconds: int | None = None,
    ) -> dict:
        """Send a message as SendMessage would; returns what SendMessage returns.

        ``message_attributes`` and ``system_attributes`` are in SendMessage's
        ``MessageAttributes`` / ``MessageSystemAttributes`` format. Raises
        AWSError as SendMessage does (missing queue, oversize message, FIFO
        queue without a group id...).
        """
        with self.cloud.lock:
            queue = self.queue_for_arn(queue_arn)
            if queue is None:
                raise no_queue()
            message = self.prepare_message(
                queue,
                body,
                delay_seconds,
                message_attributes,
                system_attributes,
                dedup_id,
                group_id,
            )
            return self.enqueue(queue, message, sender_id or queue.account, self.now())

    def accept_delivery(
        self, target_arn: str, body: str, *, attributes: dict[str, str], source_arn: str
    ) -> None:
        """A delivery from another service (a Lambda destination or DLQ...).

        ``attributes`` become String message attributes; the sender is the
        source's account. Raises AWSError like SendMessage when the queue
        cannot take the message (it does not exist, it is FIFO...).
        """
        message_attributes = {
            name: {"DataType": "String", "StringValue": str(value)}
            for name, value in (attributes or {}).items()
        }
        parts = source_arn.split(":") if source_arn else []
        sender = parts[4] if len(parts) > 4 and parts[4] else None
        self.send_internal(
            target_arn, body, message_attributes=message_attributes or None, sender_id=sender
        )

    def receive_internal(
        self, queue_arn: str, max_messages: int, *, visibility_timeout: int | None = None
    ) -> list[dict]:
        """Receive up to ``max_messages`` at once (no long polling), as ReceiveMessage would.

        Messages are in ReceiveMessage's format (``MessageId``, ``ReceiptHandle``,
        ``Body``, ``MD5OfBody``, ``Attributes`` with every system attribute,
        ``MessageAttributes`` with all of them and their MD5), and messages over
        the queue's maxReceiveCount move to its dead-letter queue exactly as on a
        ReceiveMessage. Raises QueueDoesNotExist for a missing queue.
        """
        with self.cloud.lock:
            queue = self.queue_for_arn(queue_arn)
            if queue is None:
                raise no_queue()
            timeout = queue.visibility_timeout if visibility_timeout is None else visibility_timeout
            received = self.receive_now(queue, self.now(), max(1, max_messages), timeout, None)
            return [self.render(queue, m, handle, {"All"}, ["All"]) for m, handle in received]

    def delete_internal(self, queue_arn: str, receipt_handle: str) -> None:
        """DeleteMessage by queue ARN (same errors)."""
        with self.cloud.lock:
            queue = self.queue_for_arn(queue_arn)
            if queue is None:
                raise no_queue()
            self.delete_one(queue, receipt_handle, self.now())

    def queue_attributes_internal(self, queue_arn: str) -> dict[str, str] | None:
        """A queue's attributes as GetQueueAttributes(All) returns them; None if it is missing."""
        with self.cloud.lock:
            queue = self.queue_for_arn(queue_arn)
            return None if queue is None else self._attribute_values(queue)

    def watch_internal(self, queue_arn: str, callback: Any, key: str) -> None:
        """Call ``callback(key)`` whenever messages become receivable at once on the queue.

        That is: a message sent without delay, a visibility timeout ended early
        (ChangeMessageVisibility to 0), a message moved in (dead-letter queue,
        move task), a FIFO group freed by a delete. Messages that become visible
        with time are found with ``next_visible_internal``. One callback per key
        (registering again replaces it); ``callback`` should be a bound method
        so that snapshots can copy it. The watch is on the queue's ARN: it goes on
        if the queue is deleted and created again.
        """
        parts = parse_queue_arn(queue_arn)
        if parts is None:
            return
        with self.cloud.lock:
            owner = self.backend_for(parts.account, parts.region)
            owner.watchers.setdefault(parts.resource, {})[key] = callback

    def unwatch_internal(self, queue_arn: str, key: str) -> None:
        parts = parse_queue_arn(queue_arn)
        if parts is None:
            return
        with self.cloud.lock:
            owner = self.backend_for(parts.account, parts.region)
            watchers = owner.watchers.get(parts.resource)
            if watchers is not None:
                watchers.pop(key, None)
                if not watchers:
                    del owner.watchers[parts.resource]

    def next_visible_internal(self, queue_arn: str) -> float | None:
        """When (virtual epoch seconds) a hidden message of the queue next becomes visible."""
        with self.cloud.lock:
            queue = self.queue_for_arn(queue_arn)
            if queue is None:
                return None
            queue.refresh(self.now())
            return queue.next_change()

    def change_visibility_internal(self, queue_arn: str, receipt_handle: str, timeout: int) -> None:
        """ChangeMessageVisibility by queue ARN (same errors)."""
        with self.cloud.lock:
            queue = self.queue_for_arn(queue_arn)
            if queue is None:
                raise no_queue()
            self.change_visibility_one(queue, receipt_handle, timeout, self.now())
