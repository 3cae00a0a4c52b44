"""Backend errors reach the caller exactly as botocore parses AWS's error responses.

The oracle: an error response written out by hand as AWS sends it on the wire
for each protocol, parsed by botocore's own parser the way its endpoint does.
fakeaws's answer must match it (code, message, type, HTTP status, request id,
modeled extra fields) and raise the same modeled exception class.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.awsrequest import HeadersDict
from botocore.exceptions import ClientError
from botocore.parsers import create_parser

from fakeaws import AWSError, mock_serverless
from fakeaws.services.base import Backend
from fakeaws.services.registry import override_backend


def oracle(client, operation: str, status: int, headers: dict, body: str) -> dict:
    """What botocore's endpoint makes of a wire response (parse + modeled error fields)."""
    op = client.meta.service_model.operation_model(operation)
    parser = create_parser(client.meta.service_model.protocol)
    wire = {
        "status_code": status,
        "headers": HeadersDict(headers),
        "body": body.encode(),
        "context": {},
    }
    parsed = parser.parse(wire, op.output_shape)
    shape = client.meta.service_model.shape_for_error_code(parsed["Error"]["Code"])
    if shape is not None:
        parsed.update(parser.parse(wire, shape))
    return parsed


def same_error(actual: dict, expected: dict) -> None:
    actual = {k: v for k, v in actual.items() if k != "ResponseMetadata"}
    expected = {k: v for k, v in expected.items() if k != "ResponseMetadata"}
    assert actual == expected


def raising(service: str, operation: str, error: AWSError) -> type[Backend]:
    def handler(self, call):
        raise error

    from botocore import xform_name

    return type(
        "Raising",
        (Backend,),
        {"service": service, "iam_prefix": service, xform_name(operation): handler},
    )


@pytest.fixture
def world():
    with mock_serverless(region="us-east-1") as cloud:
        yield cloud


def test_json_protocol_modeled_error_with_extra_fields(world):
    item = {"pk": {"S": "a"}, "n": {"N": "1"}, "b": {"B": b"\x00\x01"}}
    err = AWSError("ConditionalCheckFailedException", "The conditional request failed", Item=item)
    client = boto3.client("dynamodb")
    with override_backend("dynamodb", raising("dynamodb", "PutItem", err)):
        with pytest.raises(client.exceptions.ConditionalCheckFailedException) as caught:
            client.put_item(TableName="t", Item={"pk": {"S": "a"}})
    response = caught.value.response
    rid = response["ResponseMetadata"]["RequestId"]
    expected = oracle(
        client,
        "PutItem",
        400,
        {"x-amzn-requestid": rid, "content-type": "application/x-amz-json-1.0"},
        '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",'
        '"message":"The conditional request failed",'
        '"Item":{"pk":{"S":"a"},"n":{"N":"1"},"b":{"B":"AAE="}}}',
    )
    same_error(response, expected)
    assert response["Item"] == item
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(rid) == 36
    assert world.calls[-1].outcome == "ConditionalCheckFailedException"


def test_json_protocol_list_of_structures_field(world):
    reasons = [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]
    err = AWSError(
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed]",
        CancellationReasons=reasons,
    )
    client = boto3.client("dynamodb")
    with override_backend("dynamodb", raising("dynamodb", "TransactWriteItems", err)):
        with pytest.raises(client.exceptions.TransactionCanceledException) as caught:
            client.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": "t",
                            "Key": {"pk": {"S": "a"}},
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    }
                ]
            )
    response = caught.value.response
    assert response["CancellationReasons"] == reasons
    assert response["Error"]["Code"] == "TransactionCanceledException"
    assert response["Message"].startswith("Transaction cancelled")


def test_unmodeled_error_code_is_a_plain_client_error(world):
    err = AWSError("ValidationException", "1 validation error detected")
    client = boto3.client("dynamodb")
    with override_backend("dynamodb", raising("dynamodb", "ListTables", err)):
        with pytest.raises(ClientError) as caught:
            client.list_tables()
    assert (
        type(caught.value) is ClientError
        or caught.value.__class__.__name__ == "ValidationException"
    )
    assert caught.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "1 validation error detected",
    }
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_json_query_compatible_error_sqs(world):
    err = AWSError(
        "QueueDoesNotExist",
        "The specified queue does not exist.",
        query_code="AWS.SimpleQueueService.NonExistentQueue",
    )
    client = boto3.client("sqs")
    with override_backend("sqs", raising("sqs", "GetQueueUrl", err)):
        with pytest.raises(client.exceptions.QueueDoesNotExist) as caught:
            client.get_queue_url(QueueName="missing")
    response = caught.value.response
    expected = oracle(
        client,
        "GetQueueUrl",
        400,
        {
            "x-amzn-requestid": "r",
            "x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender",
            "content-type": "application/x-amz-json-1.0",
        },
        '{"__type":"com.amazonaws.sqs#QueueDoesNotExist",'
        '"message":"The specified queue does not exist."}',
    )
    same_error(response, expected)
    assert response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert response["Error"]["QueryErrorCode"] == "QueueDoesNotExist"
    assert response["Error"]["Type"] == "Sender"


def test_query_protocol_error_uses_the_modeled_code_and_status(world):
    err = AWSError("NoSuchEntityException", "The role with name missing cannot be found.")
    client = boto3.client("iam")
    with override_backend("iam", raising("iam", "GetRole", err)):
        with pytest.raises(client.exceptions.NoSuchEntityException) as caught:
            client.get_role(RoleName="missing")
    response = caught.value.response
    rid = response["ResponseMetadata"]["RequestId"]
    expected = oracle(
        client,
        "GetRole",
        404,
        {"x-amzn-requestid": rid, "content-type": "text/xml"},
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        "<Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
        "<Message>The role with name missing cannot be found.</Message></Error>"
        f"<RequestId>{rid}</RequestId></ErrorResponse>",
    )
    same_error(response, expected)
    assert response["Error"] == {
        "Type": "Sender",
        "Code": "NoSuchEntity",
        "Message": "The role with name missing cannot be found.",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_query_protocol_receiver_fault_for_server_errors(world):
    err = AWSError("InternalFailure", "We encountered an internal error.", status=500)
    client = boto3.client("sts", config=_no_retries())
    with override_backend("sts", raising("sts", "GetSessionToken", err)):
        with pytest.raises(ClientError) as caught:
            client.get_session_token()
    assert caught.value.response["Error"]["Type"] == "Receiver"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_rest_json_error_with_header_and_body_fields(world):
    err = AWSError(
        "TooManyRequestsException",
        "Rate Exceeded.",
        Type="User",
        Reason="ReservedFunctionConcurrentInvocationLimitExceeded",
        retryAfterSeconds="1",
    )
    client = boto3.client("lambda", config=_no_retries())
    with override_backend("lambda", raising("lambda", "Invoke", err)):
        with pytest.raises(client.exceptions.TooManyRequestsException) as caught:
            client.invoke(FunctionName="f")
    response = caught.value.response
    expected = oracle(
        client,
        "Invoke",
        429,
        {
            "x-amzn-requestid": "r",
            "x-amzn-errortype": "TooManyRequestsException",
            "retry-after": "1",
            "content-type": "application/json",
        },
        '{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded",'
        '"Type":"User","message":"Rate Exceeded."}',
    )
    same_error(response, expected)
    assert response["retryAfterSeconds"] == "1"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_rest_json_error_with_capital_message_member(world):
    err = AWSError(
        "ResourceNotFoundException",
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f",
        Type="User",
    )
    client = boto3.client("lambda")
    with override_backend("lambda", raising("lambda", "GetFunction", err)):
        with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
            client.get_function(FunctionName="f")
    response = caught.value.response
    assert response["Message"] == err.message
    assert response["Error"]["Message"] == err.message
    assert response["Type"] == "User"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_rest_xml_error(world):
    err = AWSError("NoSuchHostedZone", "No hosted zone found with ID: Z123")
    client = boto3.client("route53")
    with override_backend("route53", raising("route53", "GetHostedZone", err)):
        with pytest.raises(client.exceptions.NoSuchHostedZone) as caught:
            client.get_hosted_zone(Id="Z123")
    response = caught.value.response
    expected = oracle(
        client,
        "GetHostedZone",
        404,
        {"x-amzn-requestid": "r"},
        '<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
        "<Error><Type>Sender</Type><Code>NoSuchHostedZone</Code>"
        "<Message>No hosted zone found with ID: Z123</Message></Error>"
        "<RequestId>r</RequestId></ErrorResponse>",
    )
    same_error(response, expected)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_ec2_protocol_error(world):
    err = AWSError("InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist")
    client = boto3.client("ec2")
    with override_backend("ec2", raising("ec2", "DescribeInstances", err)):
        with pytest.raises(ClientError) as caught:
            client.describe_instances(InstanceIds=["i-1"])
    assert caught.value.response["Error"]["Code"] == "InvalidInstanceID.NotFound"
    assert caught.value.response["Error"]["Message"] == err.message


def test_error_message_is_escaped_in_xml(world):
    err = AWSError("NoSuchEntityException", "name <a&b> cannot be found")
    client = boto3.client("iam")
    with override_backend("iam", raising("iam", "GetUser", err)):
        with pytest.raises(client.exceptions.NoSuchEntityException) as caught:
            client.get_user(UserName="ab")
    assert caught.value.response["Error"]["Message"] == "name <a&b> cannot be found"


def _no_retries():
    from botocore.config import Config

    return Config(retries={"total_max_attempts": 1, "mode": "standard"})


def test_rpc_v2_cbor_error_query_compatible(world):
    # CloudWatch speaks Smithy RPC v2 CBOR and keeps its Query error codes.
    err = AWSError("DashboardNotFoundError", "Dashboard ops does not exist")
    client = boto3.client("cloudwatch")
    with override_backend("cloudwatch", raising("cloudwatch", "GetDashboard", err)):
        # Two CloudWatch shapes share the code ResourceNotFound; botocore maps it to one class.
        with pytest.raises(client.exceptions.from_code("ResourceNotFound")) as caught:
            client.get_dashboard(DashboardName="ops")
    response = caught.value.response
    assert response["Error"]["Code"] == "ResourceNotFound"
    assert response["Error"]["QueryErrorCode"] == "DashboardNotFoundError"
    assert response["Error"]["Message"] == "Dashboard ops does not exist"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert response["message"] == "Dashboard ops does not exist"


def test_rpc_v2_cbor_error_with_list_field(world):
    detail = [{"DataPath": "/widgets/0", "Message": "Should be object"}]
    err = AWSError("DashboardInvalidInputError", "bad body", dashboardValidationMessages=detail)
    client = boto3.client("cloudwatch")
    with override_backend("cloudwatch", raising("cloudwatch", "PutDashboard", err)):
        with pytest.raises(client.exceptions.DashboardInvalidInputError) as caught:
            client.put_dashboard(DashboardName="ops", DashboardBody="{}")
    assert caught.value.response["dashboardValidationMessages"] == detail
    assert caught.value.response["Error"]["Code"] == "InvalidParameterInput"


def test_unmodeled_binary_field_is_encoded_not_a_traceback():
    err = AWSError("ValidationException", "bad", Blob=b"\x00")
    with (
        mock_serverless(strict=False),
        override_backend("dynamodb", raising("dynamodb", "ListTables", err)),
    ):
        client = boto3.client("dynamodb")
        with pytest.raises(ClientError) as caught:
            client.list_tables()
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_strict_mode_checks_error_fields_against_the_error_shape():
    from fakeaws.shapes import ResponseShapeError

    err = AWSError("ConditionalCheckFailedException", "failed", Itme={"pk": {"S": "a"}})
    with (
        mock_serverless(strict=True) as cloud,
        override_backend("dynamodb", raising("dynamodb", "PutItem", err)),
    ):
        client = boto3.client("dynamodb")
        with pytest.raises(ResponseShapeError, match="Itme"):
            client.put_item(TableName="t", Item={"pk": {"S": "a"}})
        assert cloud.calls[-1].outcome == ""  # never answered


def test_xml_error_messages_never_carry_characters_xml_forbids():
    with mock_serverless():
        sns = boto3.client("sns")
        with pytest.raises(sns.exceptions.InvalidParameterException) as exc:
            sns.publish(PhoneNumber="\x00", Message="m")
        assert "\ufffd" in exc.value.response["Error"]["Message"]
