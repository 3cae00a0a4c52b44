"""Topic access policy defaults, delivery policies and the retry schedules they imply.

Delivery policies (docs: "Amazon SNS message delivery retries"):

* AWS-managed endpoints (SQS, Lambda): 3 immediate retries, 2 one second
  apart, 10 with exponential backoff from 1 to 20 seconds, then 100,000 twenty
  seconds apart (100,015 retries over 23 days). Not configurable.
* Customer-managed endpoints (email, SMS, mobile push): 2 retries ten seconds
  apart, 10 with exponential backoff from 10 to 600 seconds, then 38 600
  seconds apart (50 attempts over 6 hours). Not configurable.
* HTTP/S: the subscription's or the topic's ``DeliveryPolicy``; by default 3
  retries 20 seconds apart.

Only client-side versus server-side errors decide whether a retry happens at
all; these schedules say when.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fakeaws.services.messaging import JsonNotStandard, JsonTooDeep, parse_json
from fakeaws.services.sns.validation import invalid

DEFAULT_HTTP_RETRY = {
    "minDelayTarget": 20,
    "maxDelayTarget": 20,
    "numRetries": 3,
    "numMaxDelayRetries": 0,
    "numNoDelayRetries": 0,
    "numMinDelayRetries": 0,
    "backoffFunction": "linear",
}
DEFAULT_CONTENT_TYPE = "text/plain; charset=UTF-8"
BACKOFF_FUNCTIONS = ("arithmetic", "exponential", "geometric", "linear")
MAX_HTTP_RETRY_SECONDS = 3600
_RETRY_KEYS = tuple(DEFAULT_HTTP_RETRY)

# (immediate, pre-backoff count, pre-backoff delay, backoff count, min, max, post count)
AWS_MANAGED = (3, 2, 1.0, 10, 1.0, 20.0, 100_000)
CUSTOMER_MANAGED = (0, 2, 10.0, 10, 10.0, 600.0, 38)


def default_topic_policy(topic_arn: str, owner: str) -> str:
    """The access policy AWS writes for a new topic, byte for byte."""
    policy = {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "SNS:GetTopicAttributes",
                    "SNS:SetTopicAttributes",
                    "SNS:AddPermission",
                    "SNS:RemovePermission",
                    "SNS:DeleteTopic",
                    "SNS:Subscribe",
                    "SNS:ListSubscriptionsByTopic",
                    "SNS:Publish",
                ],
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": owner}},
            }
        ],
    }
    return compact(policy)


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


# -- topic DeliveryPolicy -------------------------------------------------------------------
def check_topic_delivery_policy(text: str, prefix: str) -> dict:
    """Parse a topic's DeliveryPolicy: ``{"http": {"defaultHealthyRetryPolicy": ...}}``."""
    policy = _parse(text, "DeliveryPolicy", prefix)
    for key, value in policy.items():
        if key != "http" or not isinstance(value, dict):
            raise invalid(f"{prefix}DeliveryPolicy: Invalid protocol name: {key}")  # own wording
        for member, setting in value.items():
            if member in ("defaultHealthyRetryPolicy", "healthyRetryPolicy"):
                _check_retry(setting, prefix)
            elif member == "defaultThrottlePolicy":
                _check_throttle(setting, prefix)
            elif member == "defaultRequestPolicy":
                _check_request(setting, prefix)
            elif member != "disableSubscriptionOverrides" and member != "defaultSicklyRetryPolicy":
                raise invalid(f"{prefix}DeliveryPolicy: Unknown field {member}")  # own wording
    return policy


def effective_topic_delivery_policy(policy_text: str | None) -> str:
    http = (json.loads(policy_text).get("http") or {}) if policy_text else {}
    retry = dict(DEFAULT_HTTP_RETRY)
    retry.update({k: v for k, v in (http.get("defaultHealthyRetryPolicy") or {}).items()})
    effective: dict[str, Any] = {
        "defaultHealthyRetryPolicy": {k: retry[k] for k in _RETRY_KEYS},
        "disableSubscriptionOverrides": bool(http.get("disableSubscriptionOverrides", False)),
    }
    if http.get("defaultThrottlePolicy"):
        effective["defaultThrottlePolicy"] = http["defaultThrottlePolicy"]
    request = http.get("defaultRequestPolicy") or {"headerContentType": DEFAULT_CONTENT_TYPE}
    effective["defaultRequestPolicy"] = request
    return compact({"http": effective})


# -- subscription DeliveryPolicy (HTTP/S) ---------------------------------------------------
def check_subscription_delivery_policy(text: str, prefix: str) -> str:
    """Parse and normalize a subscription's DeliveryPolicy as AWS stores it."""
    policy = _parse(text, "DeliveryPolicy", prefix)
    normalized: dict[str, Any] = {
        "healthyRetryPolicy": None,
        "sicklyRetryPolicy": None,
        "throttlePolicy": None,
        "requestPolicy": None,
        "guaranteed": False,
    }
    for key, value in policy.items():
        if key == "healthyRetryPolicy":
            _check_retry(value, prefix)
            normalized[key] = {k: value.get(k, DEFAULT_HTTP_RETRY[k]) for k in _RETRY_KEYS}
        elif key == "throttlePolicy":
            _check_throttle(value, prefix)
            normalized[key] = value
        elif key == "requestPolicy":
            _check_request(value, prefix)
            normalized[key] = value
        elif key == "sicklyRetryPolicy":
            normalized[key] = value
        elif key == "guaranteed":
            normalized[key] = bool(value)
        else:
            raise invalid(f"{prefix}DeliveryPolicy: Unknown field {key}")  # own wording
    return compact(normalized)


def effective_subscription_delivery_policy(sub_policy: str | None, topic_policy: str) -> str:
    topic_http = json.loads(topic_policy)["http"]
    sub = json.loads(sub_policy) if sub_policy else {}
    overrides = not topic_http.get("disableSubscriptionOverrides")
    healthy = (sub.get("healthyRetryPolicy") if overrides else None) or topic_http[
        "defaultHealthyRetryPolicy"
    ]
    return compact(
        {
            "healthyRetryPolicy": healthy,
            "sicklyRetryPolicy": sub.get("sicklyRetryPolicy"),
            "throttlePolicy": sub.get("throttlePolicy") or topic_http.get("defaultThrottlePolicy"),
            "requestPolicy": sub.get("requestPolicy") or topic_http["defaultRequestPolicy"],
            "guaranteed": bool(sub.get("guaranteed", False)),
        }
    )


def _parse(text: str, name: str, prefix: str) -> dict:
    try:
        policy = parse_json(text)
    except ValueError as exc:
        raise invalid(
            f"{prefix}{name}: failed to parse JSON. {jackson_message(text, exc)}"
        ) from exc
    if not isinstance(policy, dict):
        raise invalid(f"{prefix}{name}: failed to parse JSON.")  # own wording
    return policy


def _check_retry(retry: Any, prefix: str) -> None:
    if not isinstance(retry, dict):
        raise invalid(f"{prefix}DeliveryPolicy: healthyRetryPolicy must be an object")  # own
    for key, value in retry.items():
        if key == "backoffFunction":
            if value not in BACKOFF_FUNCTIONS:
                raise invalid(
                    f"{prefix}DeliveryPolicy: backoffFunction must be one of "
                    f"{{arithmetic, exponential, geometric, linear}}"
                )  # own wording
        elif key in _RETRY_KEYS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise invalid(f"{prefix}DeliveryPolicy: {key} must be a non-negative integer")
        else:
            raise invalid(f"{prefix}DeliveryPolicy: Unknown field {key}")  # own wording
    full = {**DEFAULT_HTTP_RETRY, **retry}
    low, high = full["minDelayTarget"], full["maxDelayTarget"]
    if low < 1 or high > MAX_HTTP_RETRY_SECONDS or low > high:
        raise invalid(
            f"{prefix}DeliveryPolicy: minDelayTarget must be at least 1, maxDelayTarget at most "
            f"3600 and not less than minDelayTarget"
        )  # own wording
    phases = full["numNoDelayRetries"] + full["numMinDelayRetries"] + full["numMaxDelayRetries"]
    if full["numRetries"] > 100 or phases > full["numRetries"]:
        raise invalid(
            f"{prefix}DeliveryPolicy: numRetries must be at most 100 and cover the "
            f"no-delay, min-delay and max-delay retries"
        )  # own wording
    if sum(http_retry_delays(full)) > MAX_HTTP_RETRY_SECONDS:
        raise invalid(
            f"{prefix}DeliveryPolicy: the total retry time of the policy exceeds 3600 seconds"
        )  # own wording


def _check_throttle(value: Any, prefix: str) -> None:
    rate = value.get("maxReceivesPerSecond") if isinstance(value, dict) else None
    if not isinstance(rate, int) or isinstance(rate, bool) or rate < 1:
        raise invalid(f"{prefix}DeliveryPolicy: maxReceivesPerSecond must be a positive integer")


def _check_request(value: Any, prefix: str) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("headerContentType", ""), str):
        raise invalid(f"{prefix}DeliveryPolicy: requestPolicy.headerContentType must be a string")


# -- retry schedules ------------------------------------------------------------------------
def http_retry_delays(retry: dict) -> list[float]:
    """Seconds before each retry of an HTTP/S delivery, from a healthyRetryPolicy."""
    retry = {**DEFAULT_HTTP_RETRY, **retry}
    low, high = float(retry["minDelayTarget"]), float(retry["maxDelayTarget"])
    no_delay, pre, post = (
        retry["numNoDelayRetries"],
        retry["numMinDelayRetries"],
        retry["numMaxDelayRetries"],
    )
    backoff = max(0, retry["numRetries"] - no_delay - pre - post)
    delays = [0.0] * no_delay + [low] * pre
    delays += _backoff(backoff, low, high, retry["backoffFunction"])
    return delays + [high] * post


def phased_delays(phases: tuple, index: int) -> float | None:
    """Delay before retry ``index`` (0-based) of a fixed AWS policy; None when exhausted."""
    immediate, pre, pre_delay, backoff, low, high, post = phases
    if index < immediate:
        return 0.0
    index -= immediate
    if index < pre:
        return pre_delay
    index -= pre
    if index < backoff:
        return _backoff(backoff, low, high, "exponential")[index]
    index -= backoff
    return high if index < post else None


def _backoff(count: int, low: float, high: float, function: str) -> list[float]:
    """Delays growing from ``low`` to ``high`` over ``count`` retries.

    AWS publishes the curves only as a graph; these are the usual shapes
    (linear steps; arithmetic = quadratic growth; geometric and exponential =
    constant ratio, exponential the steeper), ending at ``high``.
    """
    if count <= 0:
        return []
    if count == 1 or high <= low:
        return [high] * count
    out = []
    for i in range(1, count + 1):
        f = i / count
        if function == "linear":
            delay = low + (high - low) * f
        elif function == "arithmetic":
            delay = low + (high - low) * f * f
        elif function == "geometric":
            delay = low * (high / low) ** f
        else:  # exponential
            delay = low * (high / low) ** (f * f)
        out.append(round(delay, 3))
    return out


# -- Jackson-style JSON errors ----------------------------------------------------------------
_TOKEN = re.compile(r"[A-Za-z0-9_$.+-]+")


def jackson_message(text: str, exc: ValueError) -> str:
    """What SNS's JSON parser (Jackson) says about ``text``, for the common mistakes."""
    if isinstance(exc, (JsonTooDeep, JsonNotStandard)):
        return str(exc)
    pos = getattr(exc, "pos", 0) or 0
    msg = getattr(exc, "msg", str(exc))
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    where = (
        "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
        "line: {line}, column: {column}]"
    )
    if pos >= len(text):
        return "Unexpected end-of-input" + where.format(line=line, column=column)
    char = text[pos]
    if msg.startswith("Expecting property name"):
        return (
            f"Unexpected character ('{char}' (code {ord(char)})): was expecting double-quote to "
            f"start field name" + where.format(line=line, column=column)
        )
    if msg.startswith("Expecting value") and (token := _TOKEN.match(text, pos)):
        return (
            f"Unrecognized token '{token.group()}': was expecting (JSON String, Number, Array, "
            f"Object or token 'null', 'true' or 'false')"
            + where.format(line=line, column=column + len(token.group()))
        )
    return f"Unexpected character ('{char}' (code {ord(char)}))" + where.format(
        line=line, column=column
    )
