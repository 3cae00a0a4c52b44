"""EventBridge's messages, names, ARNs, times and pagination tokens.

Where each message comes from is recorded in docs/events.md: most are quoted
from responses of the real service recorded by LocalStack's snapshot tests
(``Event bus X does not exist.``, ``Rule X does not exist on EventBus Y.``,
``Rule can't be deleted since it has targets.``...); the rest are fakeaws's own
wording and say so there.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

from botocore.utils import parse_to_aware_datetime

from fakeaws.errors import AWSError
from fakeaws.services.messaging import parse_json

DEFAULT_BUS = "default"
MAX_TARGETS_PER_RULE = 5
MAX_ENTRIES_BYTES = 262_144  # PutEvents: 256 KB of entries, as EventBridge counts them
ARCHIVE_RULE_PREFIX = "Events-Archive-"
ARCHIVE_RULE_MANAGER = "prod.vhs.events.aws.internal"

LIMIT_EXCEEDED = "The requested resource exceeds the maximum number allowed."


def validation(message: str) -> AWSError:
    return AWSError("ValidationException", message)


def bus_not_found(name: str) -> AWSError:
    return AWSError("ResourceNotFoundException", f"Event bus {name} does not exist.")


def rule_not_found(name: str, bus: str) -> AWSError:
    return AWSError("ResourceNotFoundException", f"Rule {name} does not exist on EventBus {bus}.")


def archive_not_found(name: str) -> AWSError:
    return AWSError("ResourceNotFoundException", f"Archive {name} does not exist.")


def replay_not_found(name: str) -> AWSError:
    return AWSError("ResourceNotFoundException", f"Replay {name} does not exist.")


def managed_rule(name: str) -> AWSError:  # fakeaws's wording
    return AWSError(
        "ManagedRuleException",
        f"Rule {name} is managed by an AWS service and can only be modified by it "
        "(DeleteRule and RemoveTargets accept Force=True).",
    )


def limit_exceeded() -> AWSError:
    return AWSError("LimitExceededException", LIMIT_EXCEEDED)


def invalid_pattern(reason: str) -> AWSError:
    return AWSError("InvalidEventPatternException", f"Event pattern is not valid. Reason: {reason}")


# -- ARNs -------------------------------------------------------------------------------
def split_arn(arn: str) -> tuple[str, str, str, str, str] | None:
    """``(partition, service, region, account, resource)`` of an ARN, or None."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[1], parts[2], parts[3], parts[4], parts[5]


def bus_name_of(name_or_arn: str | None) -> str:
    """The bus name a request names (name or ARN); the default bus when absent."""
    if not name_or_arn:
        return DEFAULT_BUS
    if name_or_arn.startswith("arn:"):
        return name_or_arn.split(":event-bus/", 1)[-1]
    return name_or_arn


def bus_location(backend: Any, name_or_arn: str | None) -> tuple[str, str, str]:
    """``(account, region, name)`` of the bus a request names (another account by ARN)."""
    if name_or_arn and name_or_arn.startswith("arn:"):
        parts = split_arn(name_or_arn)
        if parts is not None and parts[4].startswith("event-bus/"):
            return parts[3] or backend.account_id, parts[2] or backend.region, parts[4][10:]
    return backend.account_id, backend.region, bus_name_of(name_or_arn)


# -- times ------------------------------------------------------------------------------
def utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def event_time(epoch: float) -> str:
    """An event's ``time``: UTC, whole seconds, ``Z`` (``2024-05-21T13:15:50Z``)."""
    return utc(int(epoch)).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_epoch(value: Any) -> float:
    """A request timestamp as epoch seconds, in every form botocore accepts.

    The parameters are the caller's as given (botocore validated them): an aware or
    naive (UTC) ``datetime``, epoch seconds, or an ISO 8601 / epoch string.
    """
    if isinstance(value, (int, float)):
        return float(value)
    return parse_to_aware_datetime(value).timestamp()


# -- JSON -------------------------------------------------------------------------------
def compact(value: Any) -> str:
    """JSON as EventBridge sends it to targets: minified, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# -- pagination -------------------------------------------------------------------------
def page(items: list[Any], key: Any, params: dict, *, default_limit: int = 100) -> tuple[list, str]:
    """One page of ``items`` (sorted by ``key``) after ``NextToken``; returns ``(page, token)``."""
    token = params.get("NextToken")
    start = 0
    if token:
        try:
            after = parse_json(base64.urlsafe_b64decode(token.encode()))["after"]
        except (ValueError, TypeError, KeyError) as exc:  # fakeaws's wording
            raise validation("The NextToken provided is not valid.") from exc
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    limit = params.get("Limit") or default_limit
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    next_token = ""
    if more and chunk:
        next_token = base64.urlsafe_b64encode(
            json.dumps({"after": key(chunk[-1])}).encode()
        ).decode()
    return chunk, next_token


# -- tags -------------------------------------------------------------------------------
def tag_dict(tags: list[dict] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in tags or []:
        if tag["Key"] in out:  # LocalStack's recorded wording
            raise validation("Invalid parameter: Duplicated keys are not allowed.")
        out[tag["Key"]] = tag["Value"]
    return out


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]
