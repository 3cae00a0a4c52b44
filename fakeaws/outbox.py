"""Messages that leave the fake world: HTTP(S) posts, emails, SMS, mobile pushes.

Nothing ever goes out of the process. Deliveries to endpoints outside AWS
(an SNS subscription to ``https://example.com/hook``, an email address, a
phone number) are recorded here instead, where a test reads them, and a test
can decide how an HTTP endpoint answers (``respond``) to exercise retries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class OutboundMessage:
    protocol: str  # "http", "https", "email", "email-json", "sms", "application", "firehose"...
    endpoint: str  # the URL, address, phone number or ARN
    body: str
    headers: dict[str, str] = field(default_factory=dict)  # HTTP headers, or Subject for email
    time: float = 0.0  # virtual epoch seconds
    source: str = ""  # what sent it (a topic ARN...)
    status: int | None = None  # the HTTP status the endpoint answered with

    def json(self) -> Any:
        import json

        return json.loads(self.body)


Responder = Callable[[OutboundMessage], int]


class Outbox:
    """The cloud's log of outbound messages (``cloud.outbox``), oldest first."""

    def __init__(self) -> None:
        self._messages: list[OutboundMessage] = []
        self._responders: dict[str, Responder | int] = {}
        self._lock = threading.Lock()

    def record(self, message: OutboundMessage) -> OutboundMessage:
        """Log a message; for HTTP(S), ask the endpoint's responder for a status (default 200)."""
        if message.protocol in ("http", "https"):
            responder = self._responders.get(message.endpoint, 200)
            message.status = responder(message) if callable(responder) else responder
        with self._lock:
            self._messages.append(message)
        return message

    def respond(self, endpoint: str, status: Responder | int) -> None:
        """How an HTTP(S) endpoint answers from now on: a status, or a function of the message."""
        self._responders[endpoint] = status

    def where(self, **filters: Any) -> list[OutboundMessage]:
        """Messages whose fields equal the given values: ``outbox.where(protocol="email")``."""
        with self._lock:
            messages = list(self._messages)
        return [m for m in messages if all(getattr(m, k) == v for k, v in filters.items())]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def __iter__(self) -> Iterator[OutboundMessage]:
        with self._lock:
            return iter(list(self._messages))

    def __len__(self) -> int:
        return len(self._messages)

    def __getitem__(self, index: int) -> OutboundMessage:
        return self._messages[index]
