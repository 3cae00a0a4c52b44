"""What applications really do with SQS, through boto3 clients and resources.

Worker loops (and the worker that forgets to delete), heartbeats for long jobs,
poison messages, dead-letter queues and their redrive, FIFO exactly-once
processing, long polls woken by other threads, snapshots with messages in
flight. Every expectation is what AWS documents or was recorded doing.
"""

from __future__ import annotations

import json
import threading
import time

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

REGION = "eu-west-1"


@pytest.fixture
def resource(cloud):
    return boto3.resource("sqs", region_name=REGION)


def system(message, name):
    """A system attribute of a boto3 resource Message."""
    return message.attributes[name]


def arn_of(queue) -> str:
    return queue.attributes["QueueArn"]


def counts(queue) -> tuple[int, int, int]:
    queue.reload()
    a = queue.attributes
    return (
        int(a["ApproximateNumberOfMessages"]),
        int(a["ApproximateNumberOfMessagesNotVisible"]),
        int(a["ApproximateNumberOfMessagesDelayed"]),
    )


# -- a worker loop ---------------------------------------------------------------------------------
def test_worker_that_forgets_to_delete_sees_the_message_again(cloud, sqs, resource):
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    queue = resource.Queue(url)  # what a worker given the queue URL does
    queue.send_messages(
        Entries=[
            {
                "Id": str(n),
                "MessageBody": json.dumps({"job": n}),
                "MessageAttributes": {"tenant": {"DataType": "String", "StringValue": "acme"}},
            }
            for n in range(3)
        ]
    )
    handled = []

    def work_once(forget: set[int]) -> int:
        messages = queue.receive_messages(
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        )
        for message in messages:
            job = json.loads(message.body)["job"]
            handled.append((job, system(message, "ApproximateReceiveCount")))
            assert message.message_attributes == {
                "tenant": {"DataType": "String", "StringValue": "acme"}
            }
            if job not in forget:
                message.delete()
        return len(messages)

    sent_at = str(int(cloud.clock.time() * 1000))
    assert work_once(forget={1}) == 3
    assert counts(queue) == (0, 1, 0)
    assert work_once(forget=set()) == 0  # job 1 is hidden for 30 seconds
    cloud.clock.advance(29.9)
    assert work_once(forget=set()) == 0
    cloud.clock.advance(0.1)
    [again] = queue.receive_messages(MessageSystemAttributeNames=["All"])
    assert json.loads(again.body) == {"job": 1}
    assert system(again, "ApproximateReceiveCount") == "2"
    assert system(again, "SentTimestamp") == sent_at
    assert system(again, "ApproximateFirstReceiveTimestamp") == sent_at
    again.delete()
    assert counts(queue) == (0, 0, 0)
    assert sorted(handled) == [(0, "1"), (1, "1"), (2, "1")]


def test_deleting_with_an_old_receipt_handle_after_the_message_came_back(cloud, resource):
    """A slow worker deletes with its stale handle: on a standard queue that still works."""
    queue = resource.create_queue(QueueName="slow", Attributes={"VisibilityTimeout": "10"})
    queue.send_message(MessageBody="x")
    [first] = queue.receive_messages()
    cloud.clock.advance(11)
    [second] = queue.receive_messages()
    assert second.receipt_handle != first.receipt_handle
    first.delete()
    assert counts(queue) == (0, 0, 0)
    cloud.clock.advance(11)
    assert queue.receive_messages() == []


def test_heartbeat_keeps_a_long_job_hidden(cloud, resource):
    queue = resource.create_queue(QueueName="encode", Attributes={"VisibilityTimeout": "30"})
    queue.send_message(MessageBody="video-1")
    [message] = queue.receive_messages()
    for _ in range(10):  # a five-minute job, extending every 25 seconds
        cloud.clock.advance(25)
        message.change_visibility(VisibilityTimeout=30)
        assert queue.receive_messages() == []
        assert counts(queue) == (0, 1, 0)
    message.delete()
    cloud.clock.advance(60)
    assert queue.receive_messages() == []


def test_heartbeat_cannot_go_past_twelve_hours_from_the_receive(cloud, resource):
    queue = resource.create_queue(QueueName="batch")
    queue.send_message(MessageBody="m")
    [message] = queue.receive_messages(VisibilityTimeout=43_000)
    cloud.clock.advance(100)
    message.change_visibility(VisibilityTimeout=43_100)  # exactly 12 hours after the receive
    with pytest.raises(ClientError) as exc:
        message.change_visibility(VisibilityTimeout=43_101)
    assert exc.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert (
        "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]"
        in (exc.value.response["Error"]["Message"])
    )


def test_releasing_a_message_early_with_visibility_zero(cloud, resource):
    queue = resource.create_queue(QueueName="retry-now")
    queue.send_message(MessageBody="m")
    [message] = queue.receive_messages()
    message.change_visibility(VisibilityTimeout=0)  # "I cannot handle this, give it to another"
    [again] = queue.receive_messages(MessageSystemAttributeNames=["ApproximateReceiveCount"])
    assert again.message_id == message.message_id
    assert system(again, "ApproximateReceiveCount") == "2"


# -- poison messages and dead-letter queues --------------------------------------------------------
def test_poison_message_goes_to_the_dlq_and_is_redriven_back(cloud, resource):
    dlq = resource.create_queue(QueueName="orders-dlq")
    queue = resource.create_queue(
        QueueName="orders",
        Attributes={
            "VisibilityTimeout": "5",
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": arn_of(dlq), "maxReceiveCount": "3"}
            ),
        },
    )
    queue.send_message(MessageBody="poison")
    queue.send_message(MessageBody="fine")
    failures = 0
    for _ in range(10):  # the worker fails on "poison" and never deletes it
        for message in queue.receive_messages(MaxNumberOfMessages=10):
            if message.body == "poison":
                failures += 1
            else:
                message.delete()
        cloud.clock.advance(5)
    assert failures == 3  # received maxReceiveCount times, then moved on the 4th receive
    assert counts(queue) == (0, 0, 0)
    assert [q.url for q in dlq.dead_letter_source_queues.all()] == [queue.url]

    [dead] = dlq.receive_messages(MessageSystemAttributeNames=["All"], VisibilityTimeout=0)
    assert dead.body == "poison"
    assert system(dead, "DeadLetterQueueSourceArn") == arn_of(queue)
    assert system(dead, "ApproximateReceiveCount") == "4"  # receives across both queues

    # The bug is fixed: move the messages back to where they came from.
    client = resource.meta.client
    handle = client.start_message_move_task(SourceArn=arn_of(dlq))["TaskHandle"]
    [task] = client.list_message_move_tasks(SourceArn=arn_of(dlq))["Results"]
    assert task["Status"] == "RUNNING" and task["TaskHandle"] == handle
    assert task["ApproximateNumberOfMessagesToMove"] == 1
    cloud.clock.advance(1)
    [task] = client.list_message_move_tasks(SourceArn=arn_of(dlq))["Results"]
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 1
    assert "TaskHandle" not in task
    assert counts(dlq) == (0, 0, 0)

    # AWS's redrive guide: the redrive task resets the retention period, and redriven
    # messages are new messages, with a new message id and enqueue time.
    cloud.clock.advance(60)
    [back] = queue.receive_messages(MessageSystemAttributeNames=["All"])
    assert back.body == "poison"
    assert back.message_id != dead.message_id
    assert system(back, "ApproximateReceiveCount") == "1"
    assert "DeadLetterQueueSourceArn" not in back.attributes
    assert int(system(back, "SentTimestamp")) == int((cloud.clock.time() - 60) * 1000)
    back.delete()


def test_fifo_dead_letter_queue_replaces_the_deduplication_id(cloud, resource):
    """AWS: moved to a FIFO DLQ, a message's deduplication id becomes its message id."""
    dlq = resource.create_queue(QueueName="pay-dlq.fifo", Attributes={"FifoQueue": "true"})
    queue = resource.create_queue(
        QueueName="pay.fifo",
        Attributes={
            "FifoQueue": "true",
            "VisibilityTimeout": "1",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn_of(dlq), "maxReceiveCount": 1}),
        },
    )
    sent = queue.send_message(MessageBody="p", MessageGroupId="g", MessageDeduplicationId="d-1")
    assert len(queue.receive_messages()) == 1
    cloud.clock.advance(1)
    assert queue.receive_messages() == []
    [dead] = dlq.receive_messages(MessageSystemAttributeNames=["All"])
    assert dead.message_id == sent["MessageId"]
    assert system(dead, "MessageDeduplicationId") == sent["MessageId"]
    assert system(dead, "MessageGroupId") == "g"


# -- FIFO: exactly-once processing -----------------------------------------------------------------
def test_fifo_producer_retries_are_deduplicated_and_groups_stay_in_order(cloud, resource):
    queue = resource.create_queue(QueueName="ledger.fifo", Attributes={"FifoQueue": "true"})
    ids = {}
    for account in ("a", "b"):
        for n in range(3):
            body = json.dumps({"account": account, "n": n})
            first = queue.send_message(
                MessageBody=body, MessageGroupId=account, MessageDeduplicationId=f"{account}-{n}"
            )
            # The producer timed out and sends again: same id, accepted, not delivered twice.
            retry = queue.send_message(
                MessageBody=body, MessageGroupId=account, MessageDeduplicationId=f"{account}-{n}"
            )
            assert retry["MessageId"] == first["MessageId"]
            assert retry["SequenceNumber"] == first["SequenceNumber"]
            ids[(account, n)] = first["MessageId"]
    assert counts(queue) == (6, 0, 0)

    seen = []
    while True:
        messages = queue.receive_messages(
            MaxNumberOfMessages=2, MessageSystemAttributeNames=["MessageGroupId"]
        )
        if not messages:
            break
        for message in messages:
            doc = json.loads(message.body)
            seen.append((doc["account"], doc["n"]))
            message.delete()
    assert [n for a, n in seen if a == "a"] == [0, 1, 2]
    assert [n for a, n in seen if a == "b"] == [0, 1, 2]
    # Still within five minutes: a late retry is accepted and not delivered again.
    cloud.clock.advance(299)
    queue.send_message(MessageBody="late", MessageGroupId="a", MessageDeduplicationId="a-0")
    assert queue.receive_messages() == []
    cloud.clock.advance(2)  # the deduplication window is over
    queue.send_message(MessageBody="late", MessageGroupId="a", MessageDeduplicationId="a-0")
    assert [m.body for m in queue.receive_messages()] == ["late"]


def test_fifo_group_is_blocked_until_its_message_is_deleted(cloud, resource):
    queue = resource.create_queue(
        QueueName="steps.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )
    for step in ("create", "pay", "ship"):
        queue.send_message(MessageBody=step, MessageGroupId="order-1")
    queue.send_message(MessageBody="other", MessageGroupId="order-2")
    [create] = queue.receive_messages()
    assert create.body == "create"
    # order-1 is blocked while "create" is in flight; order-2 is not.
    assert [m.body for m in queue.receive_messages(MaxNumberOfMessages=10)] == ["other"]
    assert queue.receive_messages(MaxNumberOfMessages=10) == []
    create.delete()
    assert [m.body for m in queue.receive_messages(MaxNumberOfMessages=10)] == ["pay", "ship"]


def test_fifo_receive_retry_with_the_same_attempt_id_returns_the_same_batch(cloud, resource):
    queue = resource.create_queue(
        QueueName="attempts.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )
    for n in range(4):
        queue.send_message(MessageBody=str(n), MessageGroupId=f"g{n}")
    first = queue.receive_messages(MaxNumberOfMessages=2, ReceiveRequestAttemptId="try-1")
    # The response was lost on the network: the SDK retries with the same attempt id.
    retry = queue.receive_messages(MaxNumberOfMessages=2, ReceiveRequestAttemptId="try-1")
    assert [m.receipt_handle for m in retry] == [m.receipt_handle for m in first]
    for message in retry:
        message.delete()
    rest = queue.receive_messages(MaxNumberOfMessages=10, ReceiveRequestAttemptId="try-2")
    assert sorted(m.body for m in rest) == ["2", "3"]


# -- batches ---------------------------------------------------------------------------------------
def test_batch_send_reports_the_bad_entry_and_sends_the_rest(resource):
    queue = resource.create_queue(QueueName="mixed")
    result = queue.send_messages(
        Entries=[
            {"Id": "ok-1", "MessageBody": "a"},
            {"Id": "bad", "MessageBody": "b", "DelaySeconds": 901},
            {"Id": "ok-2", "MessageBody": "c"},
        ]
    )
    assert [e["Id"] for e in result["Successful"]] == ["ok-1", "ok-2"]
    [failed] = result["Failed"]
    assert failed["Id"] == "bad" and failed["SenderFault"] is True
    assert failed["Code"] == "InvalidParameterValue"
    assert sorted(m.body for m in queue.receive_messages(MaxNumberOfMessages=10)) == ["a", "c"]


def test_delete_batch_with_a_garbage_handle_fails_only_that_entry(resource):
    queue = resource.create_queue(QueueName="cleanup")
    queue.send_message(MessageBody="a")
    [message] = queue.receive_messages()
    result = queue.delete_messages(
        Entries=[
            {"Id": "good", "ReceiptHandle": message.receipt_handle},
            {"Id": "bad", "ReceiptHandle": "not-a-handle"},
        ]
    )
    assert [e["Id"] for e in result["Successful"]] == ["good"]
    assert [(e["Id"], e["Code"]) for e in result["Failed"]] == [("bad", "ReceiptHandleIsInvalid")]


# -- long polling ----------------------------------------------------------------------------------
def test_long_poll_returns_a_delayed_message_as_soon_as_it_is_visible(cloud, resource):
    queue = resource.create_queue(QueueName="delayed")
    queue.send_message(MessageBody="later", DelaySeconds=7)
    assert counts(queue) == (0, 0, 1)
    start = cloud.clock.time()
    [message] = queue.receive_messages(WaitTimeSeconds=20)
    assert message.body == "later"
    assert cloud.clock.time() - start == pytest.approx(7)


def test_long_poll_on_an_empty_queue_waits_the_whole_wait_time(cloud, resource):
    queue = resource.create_queue(
        QueueName="quiet", Attributes={"ReceiveMessageWaitTimeSeconds": "20"}
    )
    start = cloud.clock.time()
    assert queue.receive_messages() == []  # the queue's default wait applies
    assert cloud.clock.time() - start == pytest.approx(20)


def test_long_poll_with_a_real_clock_is_woken_by_a_send_from_another_thread():
    with mock_serverless(region=REGION) as cloud:  # a real clock
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="wake")["QueueUrl"]
        got: list = []

        def consumer():
            client = boto3.client("sqs", region_name=REGION)
            got.extend(client.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", []))

        thread = threading.Thread(target=consumer)
        started = time.monotonic()
        thread.start()
        polling = threading.Event()
        while not cloud.calls.where(operation="ReceiveMessage"):  # the long poll has begun
            polling.wait(0.001)
        sqs.send_message(QueueUrl=url, MessageBody="ping")
        thread.join(10)
        assert not thread.is_alive()
        assert [m["Body"] for m in got] == ["ping"]
        assert time.monotonic() - started < 5


def test_concurrent_workers_each_get_distinct_messages_and_retry_failures(cloud):
    """Four worker threads; every third message fails once and is retried a second later."""
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="pool", Attributes={"VisibilityTimeout": "3600"})["QueueUrl"]
    for start in range(0, 60, 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(n), "MessageBody": str(n)} for n in range(start, start + 10)],
        )
    lock = threading.Lock()
    stop = threading.Event()
    done: list[int] = []
    failed_once: set[int] = set()
    handles: list[str] = []
    errors: list[Exception] = []

    def worker():
        client = boto3.client("sqs", region_name=REGION)
        try:
            while not stop.is_set():
                messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=3).get(
                    "Messages", []
                )
                if not messages:
                    stop.wait(0.001)  # let the other workers and the clock move
                    continue
                for message in messages:
                    n = int(message["Body"])
                    with lock:
                        handles.append(message["ReceiptHandle"])
                        fail = n % 3 == 0 and n not in failed_once
                        if fail:
                            failed_once.add(n)
                    if fail:  # back off: visible again in a second (on the test's clock)
                        client.change_message_visibility(
                            QueueUrl=url,
                            ReceiptHandle=message["ReceiptHandle"],
                            VisibilityTimeout=1,
                        )
                        continue
                    client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    with lock:
                        done.append(n)
                        if len(done) == 60:
                            stop.set()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while not stop.wait(0.02) and time.monotonic() < deadline:  # the test drives time
        cloud.clock.advance(1)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert sorted(done) == list(range(60))  # each processed exactly once
    assert failed_once == {n for n in range(60) if n % 3 == 0}
    assert len(set(handles)) == len(handles) == 60 + len(failed_once)
    assert counts(boto3.resource("sqs", region_name=REGION).Queue(url)) == (0, 0, 0)


# -- snapshots -------------------------------------------------------------------------------------
def test_snapshot_restore_brings_back_messages_in_flight_and_their_timers(cloud, resource):
    queue = resource.create_queue(QueueName="snap", Attributes={"VisibilityTimeout": "30"})
    queue.send_message(MessageBody="visible")
    queue.send_message(MessageBody="delayed", DelaySeconds=60)
    [taken] = queue.receive_messages()
    snap = cloud.snapshot()
    taken.delete()
    queue.purge()
    assert counts(queue) == (0, 0, 0)

    cloud.restore(snap)
    assert counts(queue) == (0, 1, 1)
    cloud.clock.advance(30)
    [back] = queue.receive_messages(MessageSystemAttributeNames=["ApproximateReceiveCount"])
    assert back.body == "visible" and system(back, "ApproximateReceiveCount") == "2"
    # The old receipt handle belongs to the restored world too.
    taken.delete()
    cloud.clock.advance(30)
    assert [m.body for m in queue.receive_messages()] == ["delayed"]


# -- odd input: only AWS errors come back ----------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "https://sqs.eu-west-1.amazonaws.com/",
        "https://sqs.eu-west-1.amazonaws.com/123456789012/",
        "https://sqs.us-east-1.amazonaws.com/123456789012/odd",
        "https://sqs.eu-west-1.amazonaws.com/12345/odd",
        "https://sqs.eu-west-1.amazonaws.com/123456789012/odd/extra",
        "\u2603",
    ],
)
def test_odd_queue_urls_are_queues_that_do_not_exist(sqs, url):
    sqs.create_queue(QueueName="odd")
    for call in (
        lambda: sqs.send_message(QueueUrl=url, MessageBody="x"),
        lambda: sqs.receive_message(QueueUrl=url),
        lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]),
        lambda: sqs.purge_queue(QueueUrl=url),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert exc.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", "1_000", "0x10", "1e", "."])
def test_number_attributes_are_read_as_java_reads_numbers(sqs, value):
    url = sqs.create_queue(QueueName="numbers")["QueueUrl"]
    with pytest.raises(ClientError) as exc:
        sqs.send_message(
            QueueUrl=url,
            MessageBody="x",
            MessageAttributes={"n": {"DataType": "Number", "StringValue": value}},
        )
    assert exc.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert exc.value.response["Error"]["Message"] == (
        "Can't cast the value of message (user) attribute 'n' to a number."
    )


@pytest.mark.parametrize("value", ["1", "-1.5", "+2", ".5", "5.", "1e5", "1E-5", " 7 ", "1" * 38])
def test_number_attributes_that_are_numbers(sqs, value):
    url = sqs.create_queue(QueueName="numbers")["QueueUrl"]
    attributes = {"n": {"DataType": "Number", "StringValue": value}}
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["n"])["Messages"]
    assert message["MessageAttributes"] == attributes


DEEP = '{"a":' * 5000 + "1" + "}" * 5000  # deeper than any JSON parser AWS runs accepts


@pytest.mark.parametrize(
    ("attribute", "code"),
    [
        ("Policy", "InvalidAttributeValue"),
        ("RedrivePolicy", "InvalidAttributeValue"),
        ("RedriveAllowPolicy", "InvalidAttributeValue"),
    ],
)
def test_deeply_nested_json_attributes_are_invalid_values(sqs, attribute, code):
    url = sqs.create_queue(QueueName="deep")["QueueUrl"]
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={attribute: DEEP})
    assert exc.value.response["Error"]["Code"] == code
