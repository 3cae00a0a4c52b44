"""(being written)"""

from __future__ import annotations

from fakeaws.services.base import Backend


class EventsBackend(Backend):
    service = "events"
    iam_prefix = "events"
