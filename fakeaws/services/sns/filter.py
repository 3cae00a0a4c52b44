"""Subscription filter policies: a thin adapter over the shared pattern engine.

``fakeaws.eventpatterns`` validates and matches (one engine for SNS filter
policies, EventBridge patterns and Lambda filters, with each service's
messages); this module only picks the document a policy reads, per
``FilterPolicyScope``:

* ``MessageAttributes``: ``{name: value}``: String attributes as strings,
  Number attributes as numbers, String.Array attributes as their JSON array;
  Binary attributes are invisible to filter policies, as on AWS.
* ``MessageBody``: the message (for the subscription's protocol) parsed as
  JSON; a body that is not a JSON object matches nothing.
"""

from __future__ import annotations

from typing import Any

from fakeaws import eventpatterns
from fakeaws.services.sns.envelope import Notification
from fakeaws.services.sns.validation import invalid


def compiled(policy: str, scope: str) -> Any:
    """The compiled policy (the engine caches by text); raises its PatternError."""
    return eventpatterns.compile_pattern(policy, "sns", scope=scope)


def check_policy(policy: str, scope: str, prefix: str) -> None:
    """Validate a FilterPolicy as Subscribe (``prefix`` "Invalid parameter: Attributes
    Reason: ") and SetSubscriptionAttributes ("Invalid parameter: ") do."""
    try:
        compiled(policy, scope)
    except eventpatterns.PatternError as exc:
        raise invalid(f"{prefix}{exc.message}") from exc


def matches(
    policy: str, scope: str, note: Notification, protocol: str, documents: dict | None = None
) -> bool:
    """Whether ``note`` passes ``policy``; ``documents`` caches what a fan-out reads again."""
    key = (scope, protocol if scope == "MessageBody" else None)
    if documents is not None and key in documents:
        event = documents[key]
    else:
        if scope == "MessageBody":
            event = eventpatterns.sns_body_event(note.message_for(protocol))
        else:
            event = eventpatterns.sns_attributes_event(note.attributes)
        if documents is not None:
            documents[key] = event
    return event is not None and compiled(policy, scope).matches(event)
