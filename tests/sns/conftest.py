"""Fixtures of the SNS tests: a frozen cloud and real boto3 clients."""

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
def sns(cloud):
    return boto3.client("sns", region_name=REGION)


@pytest.fixture
def sqs(cloud):
    return boto3.client("sqs", region_name=REGION)
