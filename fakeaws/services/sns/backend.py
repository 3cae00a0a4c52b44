"""(being written)"""

from __future__ import annotations

from fakeaws.services.base import Backend


class SnsBackend(Backend):
    service = "sns"
    iam_prefix = "sns"
