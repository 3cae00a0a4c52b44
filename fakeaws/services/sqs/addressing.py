"""Queue URLs and ARNs: building them, and reading the account, region and name back.

A queue URL is ``https://sqs.<region>.<dns suffix>/<account>/<name>``. Clients
may still hold the legacy forms ``https://queue.amazonaws.com/<account>/<name>``
(us-east-1) and ``https://<region>.queue.amazonaws.com/<account>/<name>``; they
name the same queue. AWS reads the account and name from the path and does
not validate the host further: anything it cannot read as a queue is simply a
queue that does not exist.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple
from urllib.parse import urlparse

from fakeaws.arns import partition_of

_DNS_SUFFIX = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
    "aws-iso": "c2s.ic.gov",
    "aws-iso-b": "sc2s.sgov.gov",
    "aws-iso-e": "cloud.adc-e.uk",
    "aws-iso-f": "csp.hci.ic.gov",
}
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
_ARN = re.compile(r"arn:([^:]+):([^:]*):([^:]*):([^:]*):(.+)")


class QueueLocation(NamedTuple):
    account: str
    region: str | None  # None when the URL does not say (a non-AWS host)
    name: str


def queue_url(region: str, account: str, name: str) -> str:
    suffix = _DNS_SUFFIX.get(partition_of(region), "amazonaws.com")
    return f"https://sqs.{region}.{suffix}/{account}/{name}"


@functools.lru_cache(maxsize=4096)
def queue_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition_of(region)}:sqs:{region}:{account}:{name}"


@functools.lru_cache(maxsize=4096)
def parse_queue_url(url: str) -> QueueLocation | None:
    """The account, region and name a queue URL names, or None if it names no queue.

    Cached: every call on a queue names it by URL, and parsing a URL is not cheap.
    """
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return None
    parts = [p for p in parsed.path.split("/") if p]
    if len(parts) != 2 or not _ACCOUNT.fullmatch(parts[0]):
        return None
    return QueueLocation(parts[0], _region_of_host(parsed.hostname or ""), parts[1])


def _region_of_host(host: str) -> str | None:
    labels = host.lower().split(".")
    if len(labels) >= 3 and labels[0] == "sqs" and _REGION.fullmatch(labels[1]):
        return labels[1]  # sqs.<region>.amazonaws.com
    if labels[0] == "queue" and len(labels) >= 2:
        return "us-east-1"  # queue.amazonaws.com
    if len(labels) >= 3 and labels[1] == "queue" and _REGION.fullmatch(labels[0]):
        return labels[0]  # <region>.queue.amazonaws.com
    return None


class Arn(NamedTuple):
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(arn: str) -> Arn | None:
    match = _ARN.fullmatch(arn or "")
    return Arn(*match.groups()) if match else None


def parse_queue_arn(arn: str) -> Arn | None:
    """An SQS queue ARN's parts, or None if ``arn`` is not one."""
    parts = parse_arn(arn)
    if parts is None or parts.service != "sqs" or not parts.region or not parts.account:
        return None
    return parts
