"""The ``(http_response, parsed)`` pair fakeaws hands back to botocore.

Success: the backend's dict, plus the ``ResponseMetadata`` botocore's parser
would add. No wire format is involved.

Errors: rare enough that fidelity beats speed. We write the error exactly as
the service would put it on the wire for its protocol (json, query, rest-json,
rest-xml, ec2, rpc-v2-cbor) and let botocore's own parser read it, then add the modeled
error fields the way ``botocore.endpoint`` does. So ``Error.Code``,
``QueryErrorCode``, ``Type``, ``Message`` and the modeled extras are whatever
botocore would produce against AWS, protocol quirks included.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import struct
from datetime import datetime
from email.utils import formatdate
from typing import Any
from xml.sax.saxutils import escape as _escape

from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.parsers import create_parser

from fakeaws.errors import AWSError

_CONTENT_TYPES = {
    "json": "application/x-amz-json-1.0",
    "query": "text/xml",
    "ec2": "text/xml;charset=UTF-8",
    "rest-json": "application/json",
    "rest-xml": "application/xml",
    "smithy-rpc-v2-cbor": "application/cbor",
}


class _Body:
    """Just enough of urllib3's response for ``AWSResponse.content``."""

    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *args: Any, **kwargs: Any):
        if self._body:
            yield self._body


_EMPTY = _Body(b"")


def http_date(epoch: float) -> str:
    return _http_date(int(epoch))


@functools.lru_cache(maxsize=8)
def _http_date(second: int) -> str:
    return formatdate(second, usegmt=True)


def success(
    protocol: str, status: int, parsed: dict, request_id: str, now: float
) -> tuple[AWSResponse, dict]:
    headers = {
        "x-amzn-requestid": request_id,
        "content-type": _CONTENT_TYPES.get(protocol, "application/json"),
        "date": http_date(now),
    }
    parsed["ResponseMetadata"] = {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": headers,
        "RetryAttempts": 0,
    }
    return AWSResponse(None, status, headers, _EMPTY), parsed


def error(
    operation: OperationModel, err: AWSError, request_id: str, now: float
) -> tuple[AWSResponse, dict]:
    service = operation.service_model
    shape = error_shape(service, err.code)
    meta = shape.metadata.get("error", {}) if shape is not None else {}
    wire_code = shape.error_code if shape is not None else err.code
    status = err.status or meta.get("httpStatusCode") or 400
    sender = (
        err.sender_fault if err.sender_fault is not None else meta.get("senderFault", status < 500)
    )
    protocol = protocol_of(service)
    headers = {"x-amzn-requestid": request_id, "date": http_date(now)}
    headers["content-type"] = _CONTENT_TYPES.get(protocol, "application/json")
    headers.update(err.headers)
    writer = _WRITERS.get(protocol)
    if writer is None:  # a protocol we cannot write: build what its parser would return
        return _unparsed_error(service, shape, wire_code, err, status, headers)
    body = writer(service, shape, wire_code, err, sender, request_id, headers)
    headers = HeadersDict(headers)
    wire = {"status_code": status, "headers": headers, "body": body, "context": {}}
    wire["context"]["operation_name"] = operation.name
    parser = _parser(protocol)
    parsed = parser.parse(wire, operation.output_shape)
    # As botocore.endpoint._add_modeled_error_fields does after parsing.
    modeled = service.shape_for_error_code(parsed.get("Error", {}).get("Code"))
    if modeled is not None:
        parsed.update(parser.parse(wire, modeled))
    return AWSResponse(None, status, headers, _Body(body)), parsed


def protocol_of(service: ServiceModel) -> str:
    """The protocol botocore's client actually speaks for the service."""
    return getattr(service, "resolved_protocol", None) or service.protocol


@functools.cache
def _parser(protocol: str):
    return create_parser(protocol)


def error_shape(service: ServiceModel, code: str) -> Shape | None:
    """The error shape for a shape name (``NoSuchEntityException``) or a wire code."""
    return _error_shapes(service).get(code)


@functools.lru_cache(maxsize=64)
def _error_shapes(service: ServiceModel) -> dict[str, Shape]:
    shapes: dict[str, Shape] = {}
    for shape in service.error_shapes:
        shapes[shape.name] = shape
        shapes.setdefault(shape.error_code, shape)
    return shapes


def _message_member(shape: Shape | None) -> str:
    if shape is not None and "Message" in shape.members and "message" not in shape.members:
        return "Message"
    return "message"


# -- json / rest-json ----------------------------------------------------------------


def _error_body(service, shape, wire_code, err, sender, headers, encode_value) -> dict:
    """The error document of the json, rest-json and rpc-v2-cbor protocols (and its headers)."""
    body: dict[str, Any] = {}
    if protocol_of(service) == "rest-json":
        headers["x-amzn-errortype"] = wire_code
    else:
        body["__type"] = shape.name if shape is not None else wire_code
        if service.metadata.get("awsQueryCompatible") is not None:
            query_code = err.query_code or wire_code
            headers["x-amzn-query-error"] = f"{query_code};{'Sender' if sender else 'Receiver'}"
    body[_message_member(shape)] = err.message
    members = shape.members if shape is not None else {}
    for name, value in err.fields.items():
        member = members.get(name)
        if member is None:
            body[name] = value
            continue
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "header":
            headers[wire_name] = _header_value(member, value)
        elif location != "statusCode":
            body[wire_name] = encode_value(member, value)
    return body


def _write_json(service, shape, wire_code, err, sender, request_id, headers) -> bytes:
    if protocol_of(service) == "json":
        version = service.metadata.get("jsonVersion", "1.0")
        headers["content-type"] = f"application/x-amz-json-{version}"
    body = _error_body(service, shape, wire_code, err, sender, headers, _json_value)
    return json.dumps(body, default=_json_default).encode()


def _write_cbor(service, shape, wire_code, err, sender, request_id, headers) -> bytes:
    headers["content-type"] = "application/cbor"
    headers["smithy-protocol"] = "rpc-v2-cbor"
    body = _error_body(service, shape, wire_code, err, sender, headers, lambda _s, v: v)
    return _cbor(body)


def _cbor(value: Any) -> bytes:
    """Encode the CBOR subset an error document needs (RFC 8949)."""
    if value is None:
        return b"\xf6"
    if value is True or value is False:
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, datetime):
        return b"\xc1" + _cbor(value.timestamp())  # tag 1: epoch seconds
    if isinstance(value, (bytes, bytearray)):
        return _cbor_head(2, len(value)) + bytes(value)
    if isinstance(value, str):
        data = value.encode()
        return _cbor_head(3, len(data)) + data
    if isinstance(value, (list, tuple)):
        return _cbor_head(4, len(value)) + b"".join(_cbor(v) for v in value)
    if isinstance(value, dict):
        items = b"".join(_cbor(str(k)) + _cbor(v) for k, v in value.items())
        return _cbor_head(5, len(value)) + items
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError("integer too large for CBOR")


def _json_value(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure" and not shape.metadata.get("document"):
        return {
            shape.members[k].serialization.get("name", k): _json_value(shape.members[k], v)
            for k, v in value.items()
            if k in shape.members
        }
    if kind == "list":
        return [_json_value(shape.member, v) for v in value]
    if kind == "map":
        return {k: _json_value(shape.value, v) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, datetime):
        return value.timestamp()
    if kind == "blob":
        return base64.b64encode(value).decode()
    return value


def _json_default(value: Any) -> Any:
    """Unmodeled extra fields: encode as the JSON protocols would."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot encode {type(value).__name__} in an error response")


def _header_value(shape: Shape, value: Any) -> str:
    if isinstance(value, datetime):
        return http_date(value.timestamp())
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- query / rest-xml / ec2 ----------------------------------------------------------


def _xml_fields(shape: Shape | None, err: AWSError) -> str:
    members = shape.members if shape is not None else {}
    return "".join(_xml_element(name, members.get(name), v) for name, v in err.fields.items())


# Characters XML 1.0 cannot carry: an error message that echoes one (a bad name or phone
# number) would make botocore's XML parser fail. AWS replaces them; so do we.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    return _escape(_NOT_XML.sub("\ufffd", text))


def _xml_element(name: str, shape: Shape | None, value: Any) -> str:
    if shape is not None:
        name = shape.serialization.get("name", name)
    if isinstance(value, dict):
        members = shape.members if shape is not None and shape.type_name == "structure" else {}
        inner = "".join(_xml_element(k, members.get(k), v) for k, v in value.items())
    elif isinstance(value, list):
        item = shape.member if shape is not None and shape.type_name == "list" else None
        inner = "".join(_xml_element("member", item, v) for v in value)
    elif isinstance(value, datetime):
        inner = value.isoformat()
    elif isinstance(value, bool):
        inner = "true" if value else "false"
    elif isinstance(value, bytes):
        inner = base64.b64encode(value).decode()
    else:
        inner = escape(str(value))
    return f"<{name}>{inner}</{name}>"


def _xml_error(wire_code: str, err: AWSError, sender: bool, shape: Shape | None) -> str:
    return (
        f"<Error><Type>{'Sender' if sender else 'Receiver'}</Type>"
        f"<Code>{escape(wire_code)}</Code><Message>{escape(err.message)}</Message>"
        f"{_xml_fields(shape, err)}</Error>"
    )


def _write_query(service, shape, wire_code, err, sender, request_id, headers) -> bytes:
    ns = service.metadata.get("xmlNamespace")
    xmlns = f' xmlns="{ns}"' if ns else ""
    return (
        f"<ErrorResponse{xmlns}>{_xml_error(wire_code, err, sender, shape)}"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()


def _write_ec2(service, shape, wire_code, err, sender, request_id, headers) -> bytes:
    fields = _xml_fields(shape, err)
    return (
        f"<Response><Errors><Error><Code>{escape(wire_code)}</Code>"
        f"<Message>{escape(err.message)}</Message>{fields}</Error></Errors>"
        f"<RequestID>{request_id}</RequestID></Response>"
    ).encode()


_WRITERS = {
    "json": _write_json,
    "rest-json": _write_json,
    "query": _write_query,
    "rest-xml": _write_query,
    "ec2": _write_ec2,
    "smithy-rpc-v2-cbor": _write_cbor,
}


def _unparsed_error(service, shape, wire_code, err, status, headers):
    parsed = {
        "Error": {"Code": wire_code, "Message": err.message},
        "ResponseMetadata": {
            "RequestId": headers["x-amzn-requestid"],
            "HTTPStatusCode": status,
            "HTTPHeaders": headers,
        },
    }
    parsed.update(err.fields)
    return AWSResponse(None, status, HeadersDict(headers), _EMPTY), parsed
