"""STS: who is calling.

LIMITATIONS: only GetCallerIdentity so far; AssumeRole and friends come with IAM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeaws.services.base import Backend, permission

if TYPE_CHECKING:
    from fakeaws.calls import Call


class StsBackend(Backend):
    service = "sts"
    iam_prefix = "sts"

    @permission(authorize=False)  # AWS: "No permissions are required to perform this operation."
    def get_caller_identity(self, call: Call) -> dict:
        caller = call.caller
        return {"UserId": caller.user_id, "Account": caller.account, "Arn": caller.arn}
