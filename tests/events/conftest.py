"""Fixtures for the EventBridge tests: a frozen cloud and its clients."""

from __future__ import annotations

import boto3
import pytest
from event_helpers import REGION, START

from fakeaws import mock_serverless


@pytest.fixture
def cloud():
    with mock_serverless(clock="frozen", region=REGION, start=START) as cloud:
        yield cloud


@pytest.fixture
def events(cloud):
    return boto3.client("events", region_name=REGION)


@pytest.fixture
def sqs(cloud):
    return boto3.client("sqs", region_name=REGION)
