"""Fixtures of the SQS tests: a frozen-clock world and a real boto3 client."""

from __future__ import annotations

import boto3
import pytest

from fakeaws import mock_serverless

REGION = "eu-west-1"
ACCOUNT = "123456789012"


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region=REGION) as cloud:
        yield cloud


@pytest.fixture
def sqs(cloud):
    return boto3.client("sqs", region_name=REGION)


@pytest.fixture
def error():
    """``error(excinfo)`` -> (Code, Message, QueryErrorCode, HTTP status) of a ClientError."""

    def read(exc: pytest.ExceptionInfo) -> tuple[str, str, str | None, int]:
        response = exc.value.response
        err = response["Error"]
        return (
            err["Code"],
            err["Message"],
            err.get("QueryErrorCode"),
            response["ResponseMetadata"]["HTTPStatusCode"],
        )

    return read
