"""Tests for fakeaws.shapes against real botocore service models."""

import datetime
import io
import json
import pickle
from functools import cache

import botocore.session
import pytest
from botocore.model import ShapeResolver, StructureShape
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from dateutil.tz import tzutc

from fakeaws.shapes import ResponseShapeError, assert_output, check_output

UTC = datetime.timezone.utc
WHEN = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=tzutc())
METADATA = {"RequestId": "req-1", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}


@cache
def service(name):
    return botocore.session.get_session().get_service_model(name)


def operation(service_name, operation_name):
    return service(service_name).operation_model(operation_name)


def output(service_name, operation_name):
    return operation(service_name, operation_name).output_shape


def stream(data=b"{}"):
    return StreamingBody(io.BytesIO(data), len(data))


def table(**overrides):
    description = {
        "TableName": "users",
        "TableStatus": "ACTIVE",
        "CreationDateTime": WHEN,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 0,
            "WriteCapacityUnits": 0,
        },
        "TableSizeBytes": 0,
        "ItemCount": 0,
        "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/users",
        "TableId": "6b1c7c4e-0000-4000-8000-000000000000",
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "DeletionProtectionEnabled": False,
    }
    description.update(overrides)
    return {"Table": description, "ResponseMetadata": METADATA}


def problems_for_table(**overrides):
    return check_output(output("dynamodb", "DescribeTable"), table(**overrides))


def only_problem(problems, *fragments):
    """Exactly one problem, mentioning every fragment."""
    assert len(problems) == 1, problems
    for fragment in fragments:
        assert fragment in problems[0], problems
    return problems[0]


# --- valid responses ---------------------------------------------------------------------------


def test_sts_get_caller_identity_valid():
    value = {
        "UserId": "AIDAEXAMPLE",
        "Account": "123456789012",
        "Arn": "arn:aws:iam::123456789012:user/alice",
        "ResponseMetadata": METADATA,
    }
    assert check_output(output("sts", "GetCallerIdentity"), value) == []


def test_empty_response_is_valid_when_nothing_is_required():
    assert check_output(output("sts", "GetCallerIdentity"), {}) == []


def test_dynamodb_describe_table_valid():
    assert problems_for_table() == []


def test_dynamodb_get_item_valid_nested_attribute_values():
    value = {
        "Item": {
            "pk": {"S": "user#1"},
            "age": {"N": "42"},
            "avatar": {"B": b"\x89PNG"},
            "active": {"BOOL": True},
            "nothing": {"NULL": True},
            "tags": {"SS": ["a", "b"]},
            "blobs": {"BS": [b"x", bytearray(b"y")]},
            "profile": {"M": {"name": {"S": "Alice"}, "langs": {"L": [{"S": "en"}, {"N": "1"}]}}},
            "weird-name.with dots": {"S": "ok"},
        },
        "ConsumedCapacity": {"TableName": "users", "CapacityUnits": 0.5},
        "ResponseMetadata": METADATA,
    }
    assert check_output(output("dynamodb", "GetItem"), value) == []


def test_float_shape_accepts_int():
    value = {"ConsumedCapacity": {"TableName": "users", "CapacityUnits": 1}}
    assert check_output(output("dynamodb", "GetItem"), value) == []


def test_timestamp_with_any_timezone_is_valid():
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    assert problems_for_table(CreationDateTime=datetime.datetime(2024, 1, 1, tzinfo=UTC)) == []
    assert problems_for_table(CreationDateTime=datetime.datetime(2024, 1, 1, tzinfo=plus_two)) == []


def test_check_output_does_not_mutate_the_response():
    value = table()
    snapshot = repr(value)
    check_output(output("dynamodb", "DescribeTable"), value)
    assert repr(value) == snapshot


# --- operations without output -----------------------------------------------------------------


def test_operation_without_output_allows_only_response_metadata():
    assert output("sqs", "DeleteMessage") is None
    assert check_output(None, {"ResponseMetadata": METADATA}) == []
    assert check_output(None, {}) == []
    only_problem(check_output(None, {"ResponseMetadata": METADATA, "QueueUrl": "x"}), "QueueUrl")


def test_assert_output_for_operation_without_output():
    assert_output(operation("sqs", "DeleteMessage"), {"ResponseMetadata": METADATA})
    with pytest.raises(ResponseShapeError):
        assert_output(operation("sqs", "DeleteMessage"), {"Deleted": True})


def test_response_metadata_must_be_a_dict():
    value = {"Account": "123456789012", "ResponseMetadata": "req-1"}
    only_problem(
        check_output(output("sts", "GetCallerIdentity"), value), "ResponseMetadata", "dict"
    )
    only_problem(check_output(None, {"ResponseMetadata": []}), "ResponseMetadata", "dict")


def test_response_that_is_not_a_dict():
    only_problem(check_output(output("sts", "GetCallerIdentity"), []), "(response)", "dict")
    only_problem(check_output(None, None), "(response)", "dict")


# --- structures --------------------------------------------------------------------------------


def test_unknown_top_level_key():
    value = {"Tabel": {}, "ResponseMetadata": METADATA}
    only_problem(check_output(output("dynamodb", "DescribeTable"), value), "Tabel", "unknown key")


def test_unknown_nested_key():
    only_problem(
        problems_for_table(Colour="blue"), "Table.Colour", "unknown key", "TableDescription"
    )


def test_none_member_is_a_problem():
    only_problem(problems_for_table(TableName=None), "Table.TableName", "is None")


def test_none_document_member_is_a_problem():
    # A document may contain nulls, but botocore drops a member whose value is null.
    problems = converse([{"text": "hi"}], additionalModelResponseFields=None)
    only_problem(problems, "additionalModelResponseFields", "is None")


def test_missing_required_nested_member():
    problems = problems_for_table(KeySchema=[{"AttributeName": "pk"}])
    only_problem(problems, "Table.KeySchema[0].KeyType", "required", "missing")


def test_missing_required_top_level_member_sqs_batch():
    # The SQS model marks both Successful and Failed required; a fake must send both.
    shape = output("sqs", "SendMessageBatch")
    assert shape.required_members == ["Successful", "Failed"]
    entry = {"Id": "1", "MessageId": "m-1", "MD5OfMessageBody": "d41d8cd98f00b204e9800998ecf8427e"}
    assert check_output(shape, {"Successful": [entry], "Failed": []}) == []
    only_problem(check_output(shape, {"Successful": [entry]}), "Failed", "required")


def test_structure_given_as_a_list():
    only_problem(problems_for_table(BillingModeSummary=[]), "Table.BillingModeSummary", "dict")


# --- lists and maps ----------------------------------------------------------------------------


def test_path_names_list_index_map_key_and_member():
    items = [{"Name": {"S": "n"}} for _ in range(5)]
    items[3] = {"Name": {"S": 7}}
    value = {"Items": items, "Count": 5, "ScannedCount": 5}
    problem = only_problem(check_output(output("dynamodb", "Query"), value), "expected str")
    assert problem.startswith("Items[3].Name.S: ")


def test_deeply_nested_wrong_type():
    item = {"tags": {"L": [{"S": "ok"}, {"S": 3}]}}
    problems = check_output(output("dynamodb", "GetItem"), {"Item": item})
    only_problem(problems, "Item.tags.L[1].S", "int")


def test_map_key_that_is_not_an_identifier_is_quoted_in_path():
    problems = check_output(output("dynamodb", "GetItem"), {"Item": {"my-attr": {"N": 5}}})
    assert only_problem(problems, "expected str").startswith("Item['my-attr'].N: ")


def test_list_given_as_tuple():
    value = {"Items": ({"pk": {"S": "a"}},), "Count": 1}
    only_problem(check_output(output("dynamodb", "Query"), value), "Items", "expected list")


def test_map_with_non_string_key():
    problems = check_output(output("dynamodb", "GetItem"), {"Item": {1: {"S": "x"}}})
    only_problem(problems, "Item", "map key 1")


def test_map_given_as_list():
    problems = check_output(output("dynamodb", "GetItem"), {"Item": [("pk", {"S": "x"})]})
    only_problem(problems, "Item", "expected dict")


def test_list_length_is_not_enforced():
    # ArchitecturesList is modelled with min 1 and max 1; output lists are not held to it.
    shape = output("lambda", "GetFunctionConfiguration")
    assert shape.members["Architectures"].metadata == {"min": 1, "max": 1}
    assert check_output(shape, {"Architectures": ["x86_64", "arm64"]}) == []
    assert check_output(shape, {"Architectures": []}) == []
    only_problem(check_output(shape, {"Architectures": ["sparc"]}), "Architectures[0]", "'sparc'")


# --- strings -----------------------------------------------------------------------------------


def test_bad_enum_value():
    problem = only_problem(problems_for_table(TableStatus="READY"), "Table.TableStatus", "'READY'")
    assert "ACTIVE" in problem


def test_enum_is_case_sensitive():
    only_problem(problems_for_table(TableStatus="active"), "Table.TableStatus")


def test_string_too_long():
    assert service("dynamodb").shape_for("TableName").metadata["max"] == 255
    assert problems_for_table(TableName="t" * 255) == []
    only_problem(problems_for_table(TableName="t" * 256), "Table.TableName", "256", "maximum 255")


def test_string_too_short():
    value = {"Arn": "arn:aws:iam::1:x"}  # arnType has min 20
    problems = check_output(output("sts", "GetCallerIdentity"), value)
    only_problem(problems, "Arn", "minimum 20")


def test_pattern_is_not_enforced():
    # TableName's pattern is [a-zA-Z0-9_.-]+, but patterns are not checked.
    assert problems_for_table(TableName="not a valid name!") == []


def test_string_given_bytes():
    only_problem(problems_for_table(TableName=b"users"), "Table.TableName", "expected str", "bytes")


def test_map_keys_skip_enum_but_must_be_str():
    # SQS GetQueueAttributes: map keyed by the QueueAttributeName enum.
    shape = output("sqs", "GetQueueAttributes")
    assert shape.members["Attributes"].key.enum
    assert check_output(shape, {"Attributes": {"SomeNewAttribute": "1"}}) == []
    only_problem(check_output(shape, {"Attributes": {"VisibilityTimeout": 30}}), "expected str")


# --- numbers and booleans ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", [True, False, "5", 5.0, None])
def test_long_rejects_non_int(bad):
    problems = problems_for_table(ItemCount=bad)
    if bad is None:
        only_problem(problems, "Table.ItemCount", "None")
    else:
        only_problem(problems, "Table.ItemCount", "expected int", type(bad).__name__)


def test_bool_given_for_int_mentions_bool():
    only_problem(problems_for_table(ItemCount=True), "Table.ItemCount", "bool True")


def test_boolean_rejects_int():
    only_problem(
        problems_for_table(DeletionProtectionEnabled=1), "DeletionProtectionEnabled", "bool"
    )


def test_integer_status_code_of_lambda_invoke():
    value = {"StatusCode": "200", "Payload": stream()}
    only_problem(check_output(output("lambda", "Invoke"), value), "StatusCode", "expected int")


def map_run(**overrides):
    value = {
        "mapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:sm/run:1",
        "executionArn": "arn:aws:states:us-east-1:123456789012:execution:sm:run",
        "status": "RUNNING",
        "startDate": WHEN,
        "maxConcurrency": 0,
        "toleratedFailurePercentage": 0.0,
        "toleratedFailureCount": 0,
        "itemCounts": dict.fromkeys(
            ["pending", "running", "succeeded", "failed", "timedOut", "aborted", "total"]
            + ["resultsWritten"],
            0,
        ),
        "executionCounts": dict.fromkeys(
            ["pending", "running", "succeeded", "failed", "timedOut", "aborted", "total"]
            + ["resultsWritten"],
            0,
        ),
    }
    value.update(overrides)
    return check_output(output("stepfunctions", "DescribeMapRun"), value)


def test_float_range_enforced():
    assert map_run(toleratedFailurePercentage=100) == []
    assert map_run(toleratedFailurePercentage=12.5) == []
    only_problem(map_run(toleratedFailurePercentage=100.5), "toleratedFailurePercentage", "maximum")
    only_problem(map_run(toleratedFailurePercentage=-1), "toleratedFailurePercentage", "minimum")


def test_float_rejects_bool_and_str():
    only_problem(map_run(toleratedFailurePercentage=True), "expected float", "bool")
    only_problem(map_run(toleratedFailurePercentage="5"), "expected float", "str")


def test_integer_range_enforced():
    only_problem(map_run(maxConcurrency=-1), "maxConcurrency", "minimum 0")
    only_problem(problems_for_table(ProvisionedThroughput={"ReadCapacityUnits": -1}), "minimum 0")


def test_dynamodb_number_of_decreases_today_may_be_zero():
    # Modelled as PositiveLongObject (min 1), but DynamoDB returns 0; a known model erratum.
    throughput = (
        output("dynamodb", "DescribeTable").members["Table"].members["ProvisionedThroughput"]
    )
    assert throughput.members["NumberOfDecreasesToday"].metadata["min"] == 1
    assert problems_for_table(ProvisionedThroughput={"NumberOfDecreasesToday": 0}) == []


def test_required_members_in_stepfunctions_output():
    shape = output("stepfunctions", "DescribeMapRun")
    value = {"mapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:sm/run:1"}
    problems = check_output(shape, value)
    assert all("required member of DescribeMapRunOutput is missing" in p for p in problems)
    assert {p.split(":")[0] for p in problems} == set(shape.required_members) - {"mapRunArn"}


# --- timestamps --------------------------------------------------------------------------------


def test_naive_datetime():
    naive = datetime.datetime(2024, 5, 1, 12, 30)
    only_problem(problems_for_table(CreationDateTime=naive), "Table.CreationDateTime", "naive")


@pytest.mark.parametrize(
    "bad", ["2024-05-01T12:30:00Z", 1714566600, 1714566600.0, datetime.date(2024, 5, 1)]
)
def test_timestamp_must_be_a_datetime(bad):
    only_problem(problems_for_table(CreationDateTime=bad), "Table.CreationDateTime", "datetime")


# --- blobs and streams -------------------------------------------------------------------------


def test_blob_must_be_bytes():
    problems = check_output(output("dynamodb", "GetItem"), {"Item": {"b": {"B": "aGk="}}})
    only_problem(problems, "Item.b.B", "expected bytes", "str")


def test_blob_size_not_enforced():
    # KMS CiphertextType has min 1, but sizes of blobs are not checked.
    shape = output("kms", "Encrypt")
    assert shape.members["CiphertextBlob"].metadata.get("min") == 1
    assert check_output(shape, {"CiphertextBlob": b""}) == []


def test_lambda_invoke_payload_is_a_stream():
    op = operation("lambda", "Invoke")
    payload = op.output_shape.members["Payload"]
    # Not marked streaming in the model, but it is the output's blob payload, so botocore
    # treats the operation as streaming and returns the body unread.
    assert payload.type_name == "blob"
    assert not payload.serialization.get("streaming")
    assert op.output_shape.serialization["payload"] == "Payload"
    assert op.has_streaming_output
    value = {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": stream(b'{"ok": 1}')}
    assert check_output(op.output_shape, value) == []


def test_lambda_invoke_payload_as_bytes_is_a_problem():
    value = {"StatusCode": 200, "Payload": b"{}"}
    only_problem(check_output(output("lambda", "Invoke"), value), "Payload", ".read()", "bytes")


def test_s3_get_object_streaming_body_and_headers():
    shape = output("s3", "GetObject")
    assert shape.members["Body"].serialization.get("streaming")
    value = {
        "Body": stream(b"abc"),
        "ContentLength": 3,
        "LastModified": WHEN,
        "Expires": WHEN,
        "ExpiresString": "Wed, 01 May 2024 12:30:00 GMT",
        "Metadata": {"owner": "alice"},
        "ResponseMetadata": METADATA,
    }
    assert check_output(shape, value) == []
    only_problem(check_output(shape, {**value, "Body": b"abc"}), "Body", ".read()")
    only_problem(check_output(shape, {**value, "ExpiresString": WHEN}), "ExpiresString", "str")


def test_expires_string_only_where_botocore_adds_it():
    value = {"Account": "123456789012", "ExpiresString": "never"}
    only_problem(
        check_output(output("sts", "GetCallerIdentity"), value), "ExpiresString", "unknown"
    )


def test_streaming_trait_outside_the_payload():
    # No real output model has a streaming blob that is not the payload; build one.
    resolver = ShapeResolver({"Stream": {"type": "blob", "streaming": True}})
    model = {"type": "structure", "members": {"Body": {"shape": "Stream"}}}
    shape = StructureShape("StreamingOutput", model, resolver)
    assert check_output(shape, {"Body": stream()}) == []
    only_problem(check_output(shape, {"Body": b"abc"}), "Body", ".read()")


def test_event_stream_is_not_checked():
    shape = output("lambda", "InvokeWithResponseStream")
    assert shape.members["EventStream"].serialization.get("eventstream")
    assert check_output(shape, {"StatusCode": 200, "EventStream": object()}) == []


# --- unions and documents ----------------------------------------------------------------------


def converse(content, **extra):
    value = {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
        "metrics": {"latencyMs": 10},
    }
    value.update(extra)
    return check_output(output("bedrock-runtime", "Converse"), value)


def test_union_with_one_member_is_valid():
    assert output("bedrock-runtime", "Converse").members["output"].metadata.get("union")
    assert converse([{"text": "hi"}, {"text": "again"}]) == []


def test_union_with_two_members_is_a_problem():
    block = {"text": "hi", "image": {"format": "png", "source": {"bytes": b"\x89PNG"}}}
    only_problem(converse([block]), "output.message.content[0]", "exactly one", "2")


def test_empty_union_is_a_problem():
    # botocore's parser raises "must have one and only one member set" for these.
    only_problem(converse([{}]), "output.message.content[0]", "exactly one", "0")


def test_union_with_unknown_member_placeholder_is_valid():
    assert converse([{"SDK_UNKNOWN_MEMBER": {"name": "hologram"}}]) == []
    placeholder = {"SDK_UNKNOWN_MEMBER": {"name": "x"}}
    # Only unions get the placeholder.
    problems = converse([{"text": "hi"}], usage=placeholder)
    assert "usage.SDK_UNKNOWN_MEMBER: unknown key, not a member of TokenUsage" in problems


def test_document_accepts_json_like_values():
    document = {"a": [1, 2.5, "x", None, True, {"b": {}}], "n": None}
    assert converse([{"text": "hi"}], additionalModelResponseFields=document) == []
    assert converse([{"text": "hi"}], additionalModelResponseFields=[1, "two"]) == []


def test_document_rejects_non_json_values():
    fields = {"when": WHEN, "ok": [1, {2: "x"}]}
    problems = converse([{"text": "hi"}], additionalModelResponseFields=fields)
    assert len(problems) == 2, problems
    assert any("additionalModelResponseFields.when" in p for p in problems)
    assert any("additionalModelResponseFields.ok[1]" in p and "key 2" in p for p in problems)


# --- agreement with botocore's own parsers -----------------------------------------------------


def parse(service_name, operation_name, body, headers=None, status_code=200):
    op = operation(service_name, operation_name)
    response = {
        "headers": headers or {},
        "status_code": status_code,
        "body": body,
        "context": {"operation_name": operation_name},
    }
    parser = create_parser(service(service_name).resolved_protocol)
    return op.output_shape, parser.parse(response, op.output_shape)


def test_parsed_dynamodb_json_response_is_valid():
    body = {
        "Table": {
            "TableName": "users",
            "TableStatus": "ACTIVE",
            "CreationDateTime": 1714566600.123,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "ItemCount": 3,
            "DeletionProtectionEnabled": False,
        }
    }
    shape, parsed = parse("dynamodb", "DescribeTable", json.dumps(body).encode())
    assert parsed["Table"]["CreationDateTime"].tzinfo is not None
    assert check_output(shape, parsed) == []


def test_parsed_sts_query_response_is_valid():
    body = b"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <GetCallerIdentityResult>
        <Arn>arn:aws:iam::123456789012:user/alice</Arn>
        <UserId>AIDAEXAMPLE</UserId>
        <Account>123456789012</Account>
      </GetCallerIdentityResult>
      <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
    </GetCallerIdentityResponse>"""
    shape, parsed = parse("sts", "GetCallerIdentity", body)
    assert parsed["Account"] == "123456789012"
    assert check_output(shape, parsed) == []


def test_parsed_lambda_invoke_response_is_valid():
    headers = {"x-amz-executed-version": "$LATEST", "x-amz-function-error": "Unhandled"}
    shape, parsed = parse("lambda", "Invoke", stream(b'{"errorMessage": "boom"}'), headers)
    assert isinstance(parsed["Payload"], StreamingBody)
    assert parsed["StatusCode"] == 200
    assert check_output(shape, parsed) == []


def test_parsed_s3_get_object_response_is_valid():
    headers = {
        "Content-Length": "3",
        "Last-Modified": "Wed, 01 May 2024 12:30:00 GMT",
        "ETag": '"900150983cd24fb0d6963f7d28e17f72"',
        "x-amz-meta-owner": "alice",
    }
    shape, parsed = parse("s3", "GetObject", stream(b"abc"), headers)
    assert parsed["Metadata"] == {"owner": "alice"}
    assert parsed["LastModified"].utcoffset() is not None
    assert check_output(shape, parsed) == []


# --- assert_output and the error ---------------------------------------------------------------


def test_assert_output_passes_valid_response():
    assert assert_output(operation("dynamodb", "DescribeTable"), table()) is None


def test_assert_output_raises_with_operation_name_and_problems():
    value = table(TableStatus="READY", ItemCount=True)
    with pytest.raises(ResponseShapeError) as excinfo:
        assert_output(operation("dynamodb", "DescribeTable"), value)
    error = excinfo.value
    assert isinstance(error, AssertionError)
    assert error.operation_name == "DescribeTable"
    assert len(error.problems) == 2
    lines = str(error).splitlines()
    assert "DescribeTable" in lines[0]
    assert "2 problems" in lines[0]
    assert [line.strip() for line in lines[1:]] == error.problems


def test_response_shape_error_pickles():
    error = ResponseShapeError("GetItem", ["Item.pk.S: expected str, got int 1"], "dynamodb")
    clone = pickle.loads(pickle.dumps(error))
    assert str(clone) == str(error)
    assert clone.problems == error.problems
