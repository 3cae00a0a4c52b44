"""STS GetCallerIdentity, end to end, for every kind of principal the world knows."""

from __future__ import annotations

import boto3
import pytest

from fakeaws import mock_serverless
from fakeaws.identity import Credential, Principal, root_access_key


@pytest.fixture
def cloud():
    with mock_serverless(region="eu-west-1") as cloud:
        yield cloud


def identity(**session_kwargs):
    return boto3.Session(**session_kwargs).client("sts").get_caller_identity()


def test_default_caller_is_the_root_of_the_default_account(cloud):
    response = identity()
    assert response["Account"] == "123456789012"
    assert response["Arn"] == "arn:aws:iam::123456789012:root"
    assert response["UserId"] == "123456789012"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_iam_user_keys_map_to_the_user(cloud):
    user = Principal.user("123456789012", "alice", "AIDAALICE00000000001", path="/team/")
    cloud.identities.register(Credential("AKIAALICE00000000001", "secret", user))
    response = identity(aws_access_key_id="AKIAALICE00000000001", aws_secret_access_key="secret")
    assert response["Arn"] == "arn:aws:iam::123456789012:user/team/alice"
    assert response["UserId"] == "AIDAALICE00000000001"


def test_session_credentials_map_to_the_assumed_role(cloud):
    role = Principal.assumed_role("210987654321", "deployer", "AROADEPLOYER00000001", "ci-run")
    cloud.identities.register(
        Credential(
            "ASIADEPLOYER00000001",
            "secret",
            role,
            session_token="token",
            expiration=cloud.clock.time() + 3600,
        )
    )
    response = identity(
        aws_access_key_id="ASIADEPLOYER00000001",
        aws_secret_access_key="secret",
        aws_session_token="token",
    )
    assert response["Account"] == "210987654321"
    assert response["Arn"] == "arn:aws:sts::210987654321:assumed-role/deployer/ci-run"
    assert response["UserId"] == "AROADEPLOYER00000001:ci-run"
    assert role.source_arn == "arn:aws:iam::210987654321:role/deployer"


def test_another_accounts_root_session(cloud):
    session = cloud.session("111111111111")
    assert session.client("sts").get_caller_identity()["Arn"] == "arn:aws:iam::111111111111:root"
    assert session.region_name == "eu-west-1"
    assert cloud.calls[-1].account == "111111111111"
    assert root_access_key("111111111111") == session.get_credentials().access_key


def test_unknown_keys_are_the_default_root(cloud):
    response = identity(aws_access_key_id="AKIANOBODYKNOWS00000", aws_secret_access_key="x")
    assert response["Arn"] == "arn:aws:iam::123456789012:root"


def test_regional_and_global_endpoints(cloud):
    for region in ("us-east-1", "ap-south-1", "eu-west-1"):
        boto3.client("sts", region_name=region).get_caller_identity()
    assert [c.region for c in cloud.calls] == ["us-east-1", "ap-south-1", "eu-west-1"]


def test_new_keys_look_like_aws_keys(cloud):
    key = cloud.identities.new_access_key_id(cloud.random, prefix="ASIA")
    assert key.startswith("ASIA") and len(key) == 20 and key.isalnum() and key.isupper()
    assert len(cloud.identities.new_secret(cloud.random)) == 40


def test_arns_follow_the_partition_of_the_region():
    with mock_serverless(region="cn-north-1"):
        assert identity()["Arn"] == "arn:aws-cn:iam::123456789012:root"
    with mock_serverless(region="us-gov-west-1"):
        assert identity()["Arn"] == "arn:aws-us-gov:iam::123456789012:root"
