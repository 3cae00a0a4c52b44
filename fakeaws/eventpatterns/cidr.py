"""IP addresses and CIDR blocks, as the matcher reads them.

A value is taken for an IP address only when it looks like one to the service
(``digits.digits.digits.digits`` for IPv4; hex digits and colons with at least
one colon for IPv6) and parses as one. A CIDR block matches the addresses from
the address written in the pattern up to the last address of the block (the
service does not clear the host bits of the address written: ``10.0.0.5/24``
matches 10.0.0.5 to 10.0.0.255).
"""

from __future__ import annotations

import ipaddress
import re

_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6 = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")
_MASK = re.compile(r"[+-]?[0-9]+")


class CidrError(ValueError):
    """A malformed CIDR pattern; the message is the service's."""


def looks_like_ip(text: str) -> bool:
    return _IPV4.fullmatch(text) is not None or _IPV6.fullmatch(text) is not None


def parse_ip(text: str) -> tuple[int, int] | None:
    """``(version, integer)`` for an IP address literal, else None."""
    if not looks_like_ip(text):
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.version, int(address)


def parse_cidr(text: str) -> tuple[int, int, int]:
    """``(version, lowest, highest)`` of a CIDR pattern; raises ``CidrError``."""
    parts = text.split("/")
    while len(parts) > 1 and parts[-1] == "":  # Java's split drops trailing empties
        parts.pop()
    if len(parts) != 2:
        raise CidrError("Malformed CIDR, one '/' required")
    address_text, mask_text = parts
    if not _MASK.fullmatch(mask_text):
        raise CidrError("Malformed CIDR, mask bits must be an integer")
    mask = int(mask_text)
    if mask < 0:
        raise CidrError("Malformed CIDR, mask bits must not be negative")
    if not looks_like_ip(address_text):
        raise CidrError(f"Nonstandard IP address: {address_text}")
    try:
        address = ipaddress.ip_address(address_text)
    except ValueError:
        raise CidrError(f"Invalid IP address: {address_text}") from None
    bits = address.max_prefixlen
    if mask > bits - 1:
        raise CidrError(f"IPv{address.version} mask bits must be < {bits}")
    low = int(address)
    high = low | ((1 << (bits - mask)) - 1)
    return address.version, low, high
