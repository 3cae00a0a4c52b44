"""Encryption at rest: SSESpecification on CreateTable / UpdateTable, SSEDescription.

Every DynamoDB table is encrypted. Without a KMS key (no SSESpecification,
``{}``, or ``Enabled: false``) it uses a key AWS owns and DescribeTable shows
no ``SSEDescription``. With ``Enabled: true`` or ``SSEType: KMS`` (``Enabled``
is inferred from ``SSEType``) it uses a KMS key: the account's AWS managed key
``alias/aws/dynamodb`` unless ``KMSMasterKeyId`` names another, and
DescribeTable reports ``{Status: ENABLED, SSEType: KMS, KMSMasterKeyArn}``
with the key's full ARN (``arn:aws:kms:<region>:<account>:key/<id>``, also when
the request named the alias). An UpdateTable change shows ``Status: UPDATING``
for ``table_delay`` seconds while the table itself stays ACTIVE, then
``ENABLED`` (or no description at all, back on the AWS owned key).

Sources: the messages are DynamoDB's, from the ack-api-quirks lab's live
catalogue (DDB-TABLE-442: "SSEType can not be specified if Enabled is false",
"KMSMasterKeyId can not be specified if Enabled is false", "SSEType KMS is
required if KMSMasterKeyId is specified", "SSEType AES256 is not supported",
"Table is already encrypted by default", "Table is already encrypted with given
KMSMasterKeyId..."), DDB-TABLE-044 (``{}`` and ``{SSEType: KMS}``) and
DDB-TABLE-462 (an SSE update answers ACTIVE). The AES256 message was also
recorded by terraform-provider-aws#5666.

LIMITATIONS: there is no KMS backend, so keys are not checked (a disabled or
missing key is not refused, INACCESSIBLE_ENCRYPTION_CREDENTIALS never happens)
and an alias other than ``alias/aws/dynamodb`` cannot be resolved to its key
(refused with UnsupportedOperation); the AWS managed key's id is made up,
stable per account and region.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fakeaws.errors import UnsupportedOperation
from fakeaws.services.dynamodb.validation import invalid

MANAGED_ALIAS = "alias/aws/dynamodb"


def wants_kms(spec: dict | None) -> bool:
    """Whether an SSESpecification asks for a KMS key (``Enabled`` inferred from ``SSEType``)."""
    if not spec:
        return False
    return bool(spec.get("Enabled", "SSEType" in spec))


def check(spec: dict | None) -> None:
    """DynamoDB's checks of an SSESpecification, in its order."""
    if spec is None:
        return
    if spec.get("Enabled") is False:
        if "SSEType" in spec:
            raise invalid("SSEType can not be specified if Enabled is false")
        if "KMSMasterKeyId" in spec:
            raise invalid("KMSMasterKeyId can not be specified if Enabled is false")
    if "KMSMasterKeyId" in spec and spec.get("SSEType") != "KMS":
        raise invalid("SSEType KMS is required if KMSMasterKeyId is specified")
    if spec.get("SSEType") == "AES256":
        raise invalid("SSEType AES256 is not supported")


def managed_key_arn(backend: Any) -> str:
    """The ARN of the account's AWS managed key for DynamoDB in the backend's region."""
    digest = hashlib.sha256(
        f"{backend.account_id}/{backend.region}/{MANAGED_ALIAS}".encode()
    ).hexdigest()
    key_id = f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"
    return _kms_arn(backend, f"key/{key_id}")


def key_arn(backend: Any, key_id: str | None) -> str:
    """The full key ARN DynamoDB reports for ``KMSMasterKeyId`` (None: the AWS managed key)."""
    if key_id is None or key_id == MANAGED_ALIAS or key_id.endswith(":" + MANAGED_ALIAS):
        return managed_key_arn(backend)
    if key_id.startswith("arn:"):
        if ":alias/" not in key_id:
            return key_id
    elif not key_id.startswith("alias/"):
        return _kms_arn(backend, f"key/{key_id}")
    raise UnsupportedOperation(
        "dynamodb",
        "SSESpecification",
        f"KMS alias {key_id!r} cannot be resolved without a KMS backend: give the key id or ARN",
    )


def _kms_arn(backend: Any, resource: str) -> str:
    partition = backend.arn("").split(":")[1]
    return f"arn:{partition}:kms:{backend.region}:{backend.account_id}:{resource}"


def description(backend: Any, spec: dict | None, status: str = "ENABLED") -> dict | None:
    """The SSEDescription a table created with ``spec`` reports (None: AWS owned key)."""
    if not wants_kms(spec):
        return None
    return {
        "Status": status,
        "SSEType": "KMS",
        "KMSMasterKeyArn": key_arn(backend, (spec or {}).get("KMSMasterKeyId")),
    }


def check_update(backend: Any, current: dict | None, spec: dict) -> dict | None:
    """The table's SSEDescription once an UpdateTable SSESpecification lands; refuses no-ops."""
    check(spec)
    if not wants_kms(spec):
        if current is None:
            raise invalid("Table is already encrypted by default")
        return None
    new = description(backend, spec)
    if current is not None and current["KMSMasterKeyArn"] == new["KMSMasterKeyArn"]:  # type: ignore[index]
        raise invalid(
            "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter "
            "if you want to change Master Key"
        )
    return new
