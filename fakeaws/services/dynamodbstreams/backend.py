"""DynamoDB Streams: ListStreams, DescribeStream, GetShardIterator, GetRecords.

The streams themselves belong to the DynamoDB backend of the same account and
region (``fakeaws.services.dynamodb.streams``): this backend only reads them.
Messages are DynamoDB Streams' own where they were seen in reports against AWS
("Requested resource not found: Stream: <arn> not found", "Requested resource
not found: Shard does not exist", "Shard iterator has expired", "The data you
are trying to access has been trimmed"); iterators expire after 15 virtual
minutes; records are kept 24 virtual hours.

LIMITATIONS: the ``ShardFilter`` of DescribeStream (CHILD_SHARDS) is honoured
for the single shard lineage fakeaws models; request rate limits
(LimitExceededException) are not modelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError
from fakeaws.services.base import Backend, permission
from fakeaws.services.dynamodb.streams import (
    EXPIRED_ITERATOR,
    ITERATOR_LIFETIME,
    MAX_RECORDS,
    NO_SHARD,
    Stream,
    decode_iterator,
    encode_iterator,
    stream_not_found,
)
from fakeaws.services.dynamodb.validation import Constraints

if TYPE_CHECKING:
    from fakeaws.calls import Call


def _stream_resource(backend: Any, call: Call) -> list[str]:
    arn = call.params.get("StreamArn")
    if arn is None and call.params.get("ShardIterator"):
        arn = call.params["ShardIterator"].split("|", 1)[0]
    return [arn] if arn else ["*"]


class DynamoDBStreamsBackend(Backend):
    service = "dynamodbstreams"
    iam_prefix = "dynamodb"

    @property
    def _dynamodb(self):
        return self.cloud.backend("dynamodb", self.account_id, self.region)

    def _now(self) -> float:
        return self.cloud.clock.time()

    def _stream(self, arn: str) -> Stream:
        stream = self._dynamodb.stream_internal(arn, self._now())
        if stream is None:
            raise stream_not_found(arn)
        return stream

    # -- operations ----------------------------------------------------------------------
    @permission(resources=lambda backend, call: ["*"])
    def list_streams(self, call: Call) -> dict:
        p = call.params
        limit = p.get("Limit", 100)
        c = Constraints()
        c.at_most(limit, "limit", 100)
        c.name(p.get("TableName"), "tableName")
        c.raise_any()
        streams = self._dynamodb.live_streams(self._now())
        if p.get("TableName"):
            streams = [s for s in streams if s.table_name == p["TableName"]]
        start = p.get("ExclusiveStartStreamArn")
        if start is not None:
            arns = [s.arn for s in streams]
            streams = streams[arns.index(start) + 1 :] if start in arns else []
        page = streams[:limit]
        out: dict[str, Any] = {
            "Streams": [
                {"StreamArn": s.arn, "TableName": s.table_name, "StreamLabel": s.label}
                for s in page
            ]
        }
        if len(streams) > limit:
            out["LastEvaluatedStreamArn"] = page[-1].arn
        return out

    @permission(resources=_stream_resource)
    def describe_stream(self, call: Call) -> dict:
        p = call.params
        limit = p.get("Limit", 100)
        c = Constraints()
        c.at_most(limit, "limit", 100)
        c.raise_any()
        stream = self._stream(p["StreamArn"])
        shard_filter = p.get("ShardFilter")
        if shard_filter is not None and shard_filter.get("Type") == "CHILD_SHARDS":
            parent = stream.shard(shard_filter.get("ShardId", ""))
            child = stream.child_of(parent) if parent is not None else None
            out = stream.describe(limit)
            out["Shards"] = [child.describe()] if child is not None else []
            out.pop("LastEvaluatedShardId", None)
            return {"StreamDescription": out}
        return {"StreamDescription": stream.describe(limit, p.get("ExclusiveStartShardId"))}

    @permission(resources=_stream_resource)
    def get_shard_iterator(self, call: Call) -> dict:
        p = call.params
        stream = self._stream(p["StreamArn"])
        shard = stream.shard(p["ShardId"])
        if shard is None:
            raise AWSError("ResourceNotFoundException", NO_SHARD)
        position = stream.position(shard, p["ShardIteratorType"], p.get("SequenceNumber"))
        return {"ShardIterator": encode_iterator(stream, shard, position, self._now())}

    @permission(resources=_stream_resource)
    def get_records(self, call: Call) -> dict:
        p = call.params
        limit = p.get("Limit", MAX_RECORDS)
        c = Constraints()
        c.at_most(limit, "limit", MAX_RECORDS)
        c.raise_any()
        arn, shard_id, position, issued = decode_iterator(p["ShardIterator"])
        now = self._now()
        if now > issued + ITERATOR_LIFETIME:
            raise AWSError("ExpiredIteratorException", EXPIRED_ITERATOR)
        stream = self._stream(arn)
        shard = stream.shard(shard_id)
        if shard is None:
            raise AWSError("ResourceNotFoundException", NO_SHARD)
        records, following = stream.read(shard, position, limit)
        out: dict[str, Any] = {"Records": [r.api(stream.view_type, stream.region) for r in records]}
        if following is not None:
            out["NextShardIterator"] = encode_iterator(stream, shard, following, now)
        return out
