"""Mobile push: platform applications and endpoints, direct and topic publishes."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from snshelpers import error, topic

ACCOUNT = "123456789012"
APP = f"arn:aws:sns:eu-west-1:{ACCOUNT}:app/GCM/shop"
GCM = {"PlatformCredential": "api-key"}


def application(sns, name="shop", platform="GCM", **attributes) -> str:
    return sns.create_platform_application(
        Name=name, Platform=platform, Attributes=attributes or GCM
    )["PlatformApplicationArn"]


def test_platform_applications(sns):
    assert application(sns) == APP
    assert sns.get_platform_application_attributes(PlatformApplicationArn=APP)["Attributes"] == {
        "Enabled": "true"
    }  # credentials are never returned
    apns = application(
        sns, "ios", "APNS", PlatformCredential="private key", PlatformPrincipal="certificate"
    )
    assert apns == f"arn:aws:sns:eu-west-1:{ACCOUNT}:app/APNS/ios"
    topic_arn = topic(sns)
    sns.set_platform_application_attributes(
        PlatformApplicationArn=APP, Attributes={"EventEndpointCreated": topic_arn}
    )
    listed = sns.list_platform_applications()["PlatformApplications"]
    assert [a["PlatformApplicationArn"] for a in listed] == [apns, APP]
    assert listed[1]["Attributes"]["EventEndpointCreated"] == topic_arn
    sns.delete_platform_application(PlatformApplicationArn=apns)
    sns.delete_platform_application(PlatformApplicationArn=apns)
    assert len(sns.list_platform_applications()["PlatformApplications"]) == 1
    with pytest.raises(sns.exceptions.NotFoundException) as exc:
        sns.get_platform_application_attributes(PlatformApplicationArn=apns)
    assert error(exc) == ("NotFound", "PlatformApplication does not exist")


def test_platform_application_validation(sns):
    cases = [
        (
            dict(Name="bad name", Platform="GCM", Attributes=GCM),
            "Invalid parameter: bad name Reason: must contain only characters 'a'-'z', 'A'-'Z', "
            "'0'-'9', '_', '-', and '.'",
        ),
        (
            dict(Name="x", Platform="FAX", Attributes=GCM),
            "Invalid parameter: Platform Reason: FAX is not supported",
        ),
        (
            dict(Name="x", Platform="APNS", Attributes=GCM),
            "Invalid parameter: Attributes Reason: PlatformCredential attribute provided without "
            "PlatformPrincipal",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(ClientError) as exc:
            sns.create_platform_application(**kwargs)
        assert error(exc) == ("InvalidParameter", message)


def test_endpoints_are_idempotent_per_token(sns):
    application(sns)
    arn = sns.create_platform_endpoint(PlatformApplicationArn=APP, Token="device-1")["EndpointArn"]
    assert arn.startswith(f"arn:aws:sns:eu-west-1:{ACCOUNT}:endpoint/GCM/shop/")
    assert (
        sns.create_platform_endpoint(PlatformApplicationArn=APP, Token="device-1")["EndpointArn"]
        == arn
    )
    with pytest.raises(ClientError) as exc:
        sns.create_platform_endpoint(
            PlatformApplicationArn=APP, Token="device-1", CustomUserData="other"
        )
    assert error(exc) == (
        "InvalidParameter",
        f"Invalid parameter: Token Reason: Endpoint {arn} already exists with the same Token, "
        "but different attributes.",
    )
    assert sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"] == {
        "Enabled": "true",
        "Token": "device-1",
    }
    sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"CustomUserData": "u1"})
    [listed] = sns.list_endpoints_by_platform_application(PlatformApplicationArn=APP)["Endpoints"]
    assert listed == {
        "EndpointArn": arn,
        "Attributes": {"Enabled": "true", "Token": "device-1", "CustomUserData": "u1"},
    }
    with pytest.raises(ClientError) as exc:
        sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Color": "red"})
    assert error(exc)[1] == "Invalid parameter: Attributes Reason: Invalid attribute name: Color"
    sns.delete_endpoint(EndpointArn=arn)
    sns.delete_endpoint(EndpointArn=arn)
    with pytest.raises(sns.exceptions.NotFoundException) as exc:
        sns.get_endpoint_attributes(EndpointArn=arn)
    assert error(exc) == ("NotFound", "Endpoint does not exist")
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.create_platform_endpoint(PlatformApplicationArn=APP + "-gone", Token="t")


def test_direct_publish_to_an_endpoint(cloud, sns):
    application(sns)
    arn = sns.create_platform_endpoint(PlatformApplicationArn=APP, Token="device-1")["EndpointArn"]
    payload = json.dumps({"default": "hi", "GCM": json.dumps({"notification": {"body": "hi"}})})
    sns.publish(TargetArn=arn, Message=payload, MessageStructure="json")
    cloud.settle()
    [push] = cloud.outbox.where(protocol="application")
    assert push.endpoint == arn
    assert json.loads(push.body) == {"notification": {"body": "hi"}}
    assert push.headers == {"Platform": "GCM", "Token": "device-1"}
    sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "false"})
    with pytest.raises(sns.exceptions.EndpointDisabledException) as exc:
        sns.publish(TargetArn=arn, Message="m")
    assert error(exc) == ("EndpointDisabled", "Endpoint is disabled")


def test_topic_fanout_to_endpoints(cloud, sns):
    application(sns)
    arn = sns.create_platform_endpoint(PlatformApplicationArn=APP, Token="device-1")["EndpointArn"]
    topic_arn = topic(sns)
    sub = sns.subscribe(TopicArn=topic_arn, Protocol="application", Endpoint=arn)
    assert sub["SubscriptionArn"].startswith(topic_arn + ":")
    sns.publish(TopicArn=topic_arn, Message="sale")
    cloud.settle()
    [push] = cloud.outbox.where(protocol="application")
    assert (push.endpoint, push.body, push.source) == (arn, "sale", topic_arn)
    sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "false"})
    sns.publish(TopicArn=topic_arn, Message="not delivered")
    cloud.settle(within=3600)
    assert len(cloud.outbox.where(protocol="application")) == 1
