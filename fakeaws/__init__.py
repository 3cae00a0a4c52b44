"""fakeaws: a fast, faithful, in-process fake of the AWS serverless stack for tests."""

from fakeaws.cloud import Cloud, Snapshot
from fakeaws.errors import AWSError, UnsupportedOperation
from fakeaws.intercept import current as current_cloud
from fakeaws.mock import mock_serverless

__version__ = "0.1.0"

__all__ = [
    "AWSError",
    "Cloud",
    "Snapshot",
    "UnsupportedOperation",
    "__version__",
    "current_cloud",
    "mock_serverless",
]
