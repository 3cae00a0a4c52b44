"""ARN partitions: which AWS partition a region belongs to."""

from __future__ import annotations

# Region name prefix -> partition (botocore's endpoints data has the same mapping).
_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)


def partition_of(region: str) -> str:
    """``aws``, ``aws-cn``, ``aws-us-gov``... for a region name."""
    for prefix, partition in _PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"
