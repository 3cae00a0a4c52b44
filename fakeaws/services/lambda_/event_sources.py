"""Event source mappings: the pollers Lambda runs for a function (SQS queues, DynamoDB streams).

The control plane (Create/Get/Update/Delete/ListEventSourceMappings) keeps each
mapping as the ``EventSourceMappingConfiguration`` dict the API returns. The
polling itself lives with its source (``sqs_poller.py``, ``stream_poller.py``)
and runs as background work on the cloud's scheduler.

State follows AWS: ``Creating`` -> ``Enabled`` (or ``Disabled``), ``Enabling``
/ ``Disabling`` / ``Updating`` -> settled, ``Deleting`` -> gone, each transition
after ``state_delay`` virtual seconds (0: by the next call).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.services.base import permission
from fakeaws.services.lambda_.names import (
    constraint_error,
    decode_marker,
    encode_marker,
    max_items_error,
    merge_qualifier,
    parse_function_name,
)
from fakeaws.services.lambda_.sqs_poller import SqsPolling
from fakeaws.services.lambda_.stream_poller import StreamPolling

if TYPE_CHECKING:
    from fakeaws.calls import Call

SQS_DEFAULT_BATCH = 10
SQS_MAX_BATCH = 10_000
FIFO_MAX_BATCH = 10
MAX_BATCHING_WINDOW = 300
MAX_FILTERS = 5  # per mapping (AWS's default quota)
_REFUSED = (
    "Topics",
    "Queues",
    "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
    "ProvisionedPollerConfig",
)


def invalid(message: str) -> AWSError:
    return AWSError("InvalidParameterValueException", message, Type="User")


def mapping_resource(backend: Any, call: Call) -> list[str]:
    uuid = call.params.get("UUID")
    return [backend.arn(f"event-source-mapping:{uuid}")] if uuid else ["*"]


class EventSourceMappings(SqsPolling, StreamPolling):
    # -- operations --------------------------------------------------------------------
    @permission(resources=mapping_resource)
    def create_event_source_mapping(self, call: Call) -> dict:
        p = call.params
        for name in _REFUSED:
            if p.get(name) is not None:
                raise UnsupportedOperation(
                    "lambda",
                    "CreateEventSourceMapping",
                    f"{name} (only SQS queues and DynamoDB streams are polled)",
                )
        source = p.get("EventSourceArn")
        if not source:
            raise invalid("Unrecognized event source.")
        kind = _source_kind(source)
        fn, fn_arn = self._mapping_function(p["FunctionName"])
        settings = self._mapping_settings(p, kind, source, None)
        self._check_source(kind, source, fn, fn_arn)
        for uuid, existing in self.mappings.items():
            if existing["EventSourceArn"] == source and existing["FunctionArn"] == fn_arn:
                raise AWSError(
                    "ResourceConflictException",
                    f'An event source mapping with SQS arn (" {source} ") and function '
                    f'(" {fn.name} ") already exists. Please update or delete the existing '
                    f"mapping with UUID {uuid}"
                    if kind == "sqs"
                    else f'The event source arn (" {source} ") and function (" {fn.name} ") '
                    "provided mapping already exists. Please update or delete the existing "
                    f"mapping with UUID {uuid}",
                    Type="User",
                )
        uuid = self.cloud.new_request_id()
        config: dict[str, Any] = {
            "UUID": uuid,
            "EventSourceArn": source,
            "FunctionArn": fn_arn,
            "LastModified": self.cloud.clock.now(),
            "State": "Creating",
            "StateTransitionReason": "USER_INITIATED" if kind == "sqs" else "User action",
            "EventSourceMappingArn": self.arn(f"event-source-mapping:{uuid}"),
            **settings,
        }
        if kind == "dynamodb":
            config["LastProcessingResult"] = "No records processed"
        self.mappings[uuid] = config
        enabled = p.get("Enabled", True)
        self._settle_mapping(uuid, "Enabled" if enabled else "Disabled")
        return _render(config)

    @permission(resources=mapping_resource)
    def get_event_source_mapping(self, call: Call) -> dict:
        return _render(self._mapping(call.params["UUID"]))

    @permission(resources=mapping_resource)
    def update_event_source_mapping(self, call: Call) -> dict:
        p = call.params
        config = self._mapping(p["UUID"])
        if config["State"] not in ("Enabled", "Disabled"):
            raise AWSError(
                "ResourceInUseException",
                "Cannot update the event source mapping because it is in use.",
                Type="User",
            )
        for name in _REFUSED:
            if p.get(name) is not None:
                raise UnsupportedOperation("lambda", "UpdateEventSourceMapping", name)
        source = config["EventSourceArn"]
        fn_arn = config["FunctionArn"]
        if p.get("FunctionName"):
            fn, fn_arn = self._mapping_function(p["FunctionName"])
        else:
            fn, _ = self._mapping_function(fn_arn)
        settings = self._mapping_settings(p, _source_kind(source), source, config)
        self._check_source(_source_kind(source), source, fn, fn_arn)
        config.update(settings, FunctionArn=fn_arn, LastModified=self.cloud.clock.now())
        enabled = p.get("Enabled")
        target = config["State"]
        if enabled is not None:
            target = "Enabled" if enabled else "Disabled"
        transition = {"Enabled": "Enabling", "Disabled": "Disabling"}
        config["State"] = transition[target] if target != config["State"] else "Updating"
        self._settle_mapping(config["UUID"], target)
        return _render(config)

    @permission(resources=mapping_resource)
    def delete_event_source_mapping(self, call: Call) -> dict:
        config = self._mapping(call.params["UUID"])
        config["State"] = "Deleting"
        out = _render(config)
        self.cloud.scheduler.call_later(
            self.settings.state_delay, self._forget_mapping, config["UUID"], name="lambda esm"
        )
        return out

    @permission(resources=lambda backend, call: ["*"])
    def list_event_source_mappings(self, call: Call) -> dict:
        p = call.params
        max_items = p.get("MaxItems")
        if max_items is not None and max_items > 10000:
            raise max_items_error(max_items)
        source = p.get("EventSourceArn")
        fn_arn = None
        if p.get("FunctionName"):
            ref = parse_function_name(p["FunctionName"])
            fn_arn = self.function_arn(ref.name, ref.qualifier)
        rows = [
            c
            for c in self.mappings.values()
            if (source is None or c["EventSourceArn"] == source)
            and (fn_arn is None or c["FunctionArn"] == fn_arn)
        ]
        rows.sort(key=lambda c: (c["LastModified"], c["UUID"]))
        start = 0
        if p.get("Marker"):
            marker = decode_marker(p["Marker"])
            start = next((i for i, c in enumerate(rows) if c["UUID"] == marker), len(rows))
        limit = max_items or 100
        page = rows[start : start + limit]
        out: dict[str, Any] = {"EventSourceMappings": [_render(c) for c in page]}
        if start + limit < len(rows):
            out["NextMarker"] = encode_marker(rows[start + limit]["UUID"])
        return out

    # -- helpers -------------------------------------------------------------------------
    def _mapping(self, uuid: str) -> dict:
        config = self.mappings.get(uuid)
        if config is None:
            raise AWSError(
                "ResourceNotFoundException",
                "The resource you requested does not exist.",
                Type="User",
            )
        return config

    def _mapping_function(self, name: str):
        ref = parse_function_name(name)
        qualifier = merge_qualifier(ref, None)
        fn = self.functions.get(ref.name)
        if fn is None or ref.account not in (None, self.account_id):
            raise invalid("Function does not exist")
        if qualifier is not None:
            self.version_of(fn, qualifier)  # an unknown version or alias is not found
        return fn, self.function_arn(fn.name, qualifier)

    def _mapping_settings(self, p: dict, kind: str, source: str, current: dict | None) -> dict:
        """Validated settings of a create (current None) or an update (merged over current)."""
        if kind == "dynamodb":
            return self._stream_mapping_settings(p, source, current)
        old = current or {}
        fifo = source.endswith(".fifo")
        batch = p.get("BatchSize", old.get("BatchSize", SQS_DEFAULT_BATCH))
        window = p.get(
            "MaximumBatchingWindowInSeconds", old.get("MaximumBatchingWindowInSeconds", 0)
        )
        if batch > SQS_MAX_BATCH:
            raise constraint_error(
                str(batch), "batchSize", "Member must have value less than or equal to 10000"
            )
        if window > MAX_BATCHING_WINDOW:
            raise constraint_error(
                str(window),
                "maximumBatchingWindowInSeconds",
                "Member must have value less than or equal to 300",
            )
        if fifo and batch > FIFO_MAX_BATCH:
            raise invalid("Batch size must not exceed 10 for FIFO queues")
        if fifo and window:
            raise invalid("Batching window is not supported for FIFO queues")
        if batch > 10 and not window:
            raise invalid(
                "Maximum batch window in seconds must be greater than 0 if maximum batch size "
                "is greater than 10"
            )
        for name in ("StartingPosition", "StartingPositionTimestamp"):
            if p.get(name) is not None:
                raise invalid(f"Unsupported {name[0].lower() + name[1:]} for arn type: {source}")
        for name in (
            "ParallelizationFactor",
            "MaximumRecordAgeInSeconds",
            "BisectBatchOnFunctionError",
            "MaximumRetryAttempts",
            "TumblingWindowInSeconds",
        ):
            if p.get(name) is not None:
                raise invalid(f"Unsupported {name} parameter for given event source mapping type.")
        if p.get("DestinationConfig"):
            raise invalid(
                "Unsupported DestinationConfig parameter for given event source mapping type."
            )
        out: dict[str, Any] = {"BatchSize": batch, "MaximumBatchingWindowInSeconds": window}
        criteria = p.get("FilterCriteria", old.get("FilterCriteria"))
        if criteria is not None:
            self._check_filters(criteria)
            if criteria.get("Filters"):
                out["FilterCriteria"] = criteria
            else:
                old.pop("FilterCriteria", None)
        types = p.get("FunctionResponseTypes", old.get("FunctionResponseTypes", []))
        for value in types:
            if value != "ReportBatchItemFailures":
                raise constraint_error(
                    str(types),
                    "functionResponseTypes",
                    "Member must satisfy constraint: [Member must satisfy enum value set: "
                    "[ReportBatchItemFailures]]",
                )
        concurrency = (p.get("ScalingConfig") or {}).get("MaximumConcurrency")
        if concurrency is not None and not 2 <= concurrency <= 1000:
            raise constraint_error(
                str(concurrency),
                "scalingConfig.maximumConcurrency",
                "Member must have value less than or equal to 1000"
                if concurrency > 1000
                else "Member must have value greater than or equal to 2",
            )
        out["FunctionResponseTypes"] = list(types)
        scaling = p.get("ScalingConfig", old.get("ScalingConfig"))
        if scaling:
            out["ScalingConfig"] = scaling
        for name in ("MetricsConfig", "KMSKeyArn", "LoggingConfig"):
            value = p.get(name, old.get(name))
            if value is not None:
                out[name] = value
        return out

    def _check_filters(self, criteria: dict) -> None:
        from fakeaws.eventpatterns import PatternError, compile_pattern

        filters = criteria.get("Filters") or []
        if len(filters) > MAX_FILTERS:
            raise invalid(
                f"The number of filters ({len(filters)}) exceeds the maximum number of filters "
                f"allowed ({MAX_FILTERS})."
            )
        for entry in filters:
            pattern = entry.get("Pattern")
            if not pattern:
                raise invalid("Invalid filter pattern definition.")
            try:
                compile_pattern(pattern, "lambda")
            except PatternError:
                raise invalid("Invalid filter pattern definition.") from None

    def _check_source(self, kind: str, source: str, fn: Any, fn_arn: str) -> None:
        if kind == "dynamodb":
            self._check_stream_source(source)
            return
        parts = source.split(":")
        sqs = self.cloud.backend("sqs", parts[4], parts[3])
        attributes = sqs.queue_attributes_internal(source)
        if attributes is None:
            raise invalid(
                "Error occurred while ReceiveMessage. SQS Error Code: "
                "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue "
                "does not exist or you do not have access to it."
            )
        version = self.version_of(fn, fn_arn.split(":")[7] if fn_arn.count(":") > 6 else None)
        timeout = version.config.get("Timeout", 3)
        visibility = int(attributes.get("VisibilityTimeout", 30))
        if visibility < timeout:
            raise invalid(
                f"Queue visibility timeout: {visibility} seconds is less than Function timeout: "
                f"{timeout} seconds"
            )

    def _settle_mapping(self, uuid: str, target: str) -> None:
        self.cloud.scheduler.call_later(
            self.settings.state_delay, self._mapping_settled, uuid, target, name="lambda esm"
        )

    def _mapping_settled(self, uuid: str, target: str) -> None:
        config = self.mappings.get(uuid)
        if config is None or config["State"] == "Deleting":
            return
        config["State"] = target
        if target == "Enabled" and _source_kind(config["EventSourceArn"]) == "dynamodb":
            self.start_stream_polling(uuid)
        elif target == "Enabled":
            self.start_polling(uuid)

    def _forget_mapping(self, uuid: str) -> None:
        config = self.mappings.pop(uuid, None)
        if config is not None and config["EventSourceArn"].split(":")[2] == "sqs":
            arn = config["EventSourceArn"]
            self._queue_backend(arn).unwatch_internal(arn, uuid)
        self._reset_stream_cursor(uuid)


def _source_kind(source: str) -> str:
    parts = source.split(":")
    if len(parts) < 6 or not source.startswith("arn:"):
        raise invalid("Unrecognized event source.")
    if parts[2] == "sqs":
        return "sqs"
    if parts[2] == "dynamodb" and "/stream/" in parts[5]:
        return "dynamodb"
    raise UnsupportedOperation(
        "lambda", "CreateEventSourceMapping", f"event sources of type {parts[2]} ({source})"
    )


def _render(config: dict) -> dict:
    return copy.deepcopy(config)
