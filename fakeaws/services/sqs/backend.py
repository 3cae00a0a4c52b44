"""(being written)"""

from __future__ import annotations

from fakeaws.services.base import Backend


class SqsBackend(Backend):
    service = "sqs"
    iam_prefix = "sqs"
