"""Several threads sending, receiving and deleting at once: nothing lost, nothing twice."""

from __future__ import annotations

import threading
from collections import Counter

import boto3

PRODUCERS, PER_PRODUCER, CONSUMERS = 4, 150, 4


def run_threads(targets):
    threads = [threading.Thread(target=t) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)


def test_standard_queue_under_concurrent_producers_and_consumers(cloud, sqs):
    url = sqs.create_queue(QueueName="busy", Attributes={"VisibilityTimeout": "3600"})["QueueUrl"]
    total = PRODUCERS * PER_PRODUCER
    received: Counter = Counter()
    lock = threading.Lock()
    errors: list = []

    def produce(p):
        client = boto3.client("sqs", region_name="eu-west-1")
        try:
            for i in range(0, PER_PRODUCER, 10):
                entries = [
                    {"Id": str(j), "MessageBody": f"{p}-{i + j}"}
                    for j in range(min(10, PER_PRODUCER - i))
                ]
                assert not client.send_message_batch(QueueUrl=url, Entries=entries)["Failed"]
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def consume():
        client = boto3.client("sqs", region_name="eu-west-1")
        try:
            while True:
                with lock:
                    if sum(received.values()) >= total:
                        return
                messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                    "Messages", []
                )
                for message in messages:
                    with lock:
                        received[message["Body"]] += 1
                if messages:
                    client.delete_message_batch(
                        QueueUrl=url,
                        Entries=[
                            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                            for n, m in enumerate(messages)
                        ],
                    )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    run_threads([lambda p=p: produce(p) for p in range(PRODUCERS)] + [consume] * CONSUMERS)
    assert errors == []
    assert len(received) == total
    assert set(received.values()) == {1}
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert got["ApproximateNumberOfMessages"] == "0"
    assert got["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_fifo_queue_keeps_each_group_in_order_across_threads(cloud, sqs):
    url = sqs.create_queue(
        QueueName="busy.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    groups = [f"g{n}" for n in range(PRODUCERS)]
    seen: dict[str, list[int]] = {g: [] for g in groups}
    lock = threading.Lock()
    errors: list = []

    def produce(group):
        client = boto3.client("sqs", region_name="eu-west-1")
        try:
            for i in range(PER_PRODUCER):
                client.send_message(QueueUrl=url, MessageBody=f"{group}:{i}", MessageGroupId=group)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    def consume():
        client = boto3.client("sqs", region_name="eu-west-1")
        try:
            while True:
                with lock:
                    if sum(len(v) for v in seen.values()) >= PRODUCERS * PER_PRODUCER:
                        return
                messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                    "Messages", []
                )
                with lock:  # record before deleting: the group is blocked until then
                    for message in messages:
                        group, index = message["Body"].split(":")
                        seen[group].append(int(index))
                for message in messages:
                    client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    run_threads([lambda g=g: produce(g) for g in groups] + [consume] * CONSUMERS)
    assert errors == []
    assert all(seen[g] == list(range(PER_PRODUCER)) for g in groups)
