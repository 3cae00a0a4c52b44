"""The MD5 digests SQS returns, computed exactly as AWS computes them.

``MD5OfMessageBody`` is the MD5 of the UTF-8 body. ``MD5OfMessageAttributes``
(and ``MD5OfMessageSystemAttributes``) digest the attributes sorted by name;
for each: the name, then the data type, each as a 4-byte big-endian length
followed by its UTF-8 bytes; then one transport byte (1 string, 2 binary,
3 string list, 4 binary list) and the value(s), length-prefixed the same way.
This is what the AWS SDKs check on receipt (the Java SDK's
``MessageMD5ChecksumHandler``); botocore does not check them for the JSON
protocol, other SDKs do.
"""

from __future__ import annotations

import hashlib
import struct


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8"), usedforsecurity=False).hexdigest()


def md5_of_attributes(attributes: dict[str, dict] | None) -> str | None:
    """The digest of message (or message system) attributes; None when there are none."""
    if not attributes:
        return None
    digest = hashlib.md5(usedforsecurity=False)

    def put(data: bytes) -> None:
        digest.update(struct.pack(">I", len(data)))
        digest.update(data)

    # Java's String order (UTF-16 code units), as the SDKs sort the names.
    for name in sorted(attributes, key=lambda n: n.encode("utf-16-be")):
        value = attributes[name]
        put(name.encode("utf-8"))
        put(value["DataType"].encode("utf-8"))
        if value.get("StringValue") is not None:
            digest.update(b"\x01")
            put(value["StringValue"].encode("utf-8"))
        elif value.get("BinaryValue") is not None:
            digest.update(b"\x02")
            put(_bytes(value["BinaryValue"]))
        elif value.get("StringListValues"):
            digest.update(b"\x03")
            for item in value["StringListValues"]:
                put(item.encode("utf-8"))
        elif value.get("BinaryListValues"):
            digest.update(b"\x04")
            for item in value["BinaryListValues"]:
                put(_bytes(item))
    return digest.hexdigest()


def _bytes(value: bytes | bytearray | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)
