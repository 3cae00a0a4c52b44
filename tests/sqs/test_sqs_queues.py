"""SQS queues through boto3: create, URLs, list, attributes, tags, permissions, purge, delete."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
OTHER = "210987654321"
URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/"
ARN = "arn:aws:sqs:eu-west-1:123456789012:"


def attributes(sqs, url, *names):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names or ["All"])).get(
        "Attributes", {}
    )


# -- create / URLs ---------------------------------------------------------------------------
def test_create_queue_defaults_and_read_only_attributes(cloud, sqs):
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert url == URL + "orders"
    got = attributes(sqs, url)
    created = str(int(cloud.clock.time()))
    assert got == {
        "QueueArn": ARN + "orders",
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": created,
        "LastModifiedTimestamp": created,
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
    }
    assert attributes(sqs, url, "VisibilityTimeout", "QueueArn") == {
        "VisibilityTimeout": "30",
        "QueueArn": ARN + "orders",
    }
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url)


def test_create_fifo_queue_defaults(sqs):
    url = sqs.create_queue(QueueName="jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    got = attributes(sqs, url)
    assert got["FifoQueue"] == "true"
    assert got["ContentBasedDeduplication"] == "false"
    assert got["DeduplicationScope"] == "queue"
    assert got["FifoThroughputLimit"] == "perQueue"


def test_queue_names(sqs, error):
    for name, fifo in [("bad name", False), ("x" * 81, False), ("a.fifo", False), ("b.c", False)]:
        attrs = {"FifoQueue": "true"} if fifo else {}
        with pytest.raises(ClientError) as exc:
            sqs.create_queue(QueueName=name, Attributes=attrs)
        assert error(exc) == (
            "InvalidParameterValue",
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
            "InvalidParameterValueException",
            400,
        )
    fifo_message = (
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
        "underscores, must end with .fifo suffix and be 1 to 80 in length"
    )
    for name in ["nofifo", "x" * 76 + ".fifo", "bad!.fifo"]:
        with pytest.raises(ClientError) as exc:
            sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})
        assert error(exc)[:2] == ("InvalidParameterValue", fifo_message)
    sqs.create_queue(QueueName="x" * 80)
    sqs.create_queue(QueueName="y" * 75 + ".fifo", Attributes={"FifoQueue": "true"})
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName="")
    assert error(exc)[:2] == ("InvalidParameterValue", "Queue name cannot be empty")


def test_create_queue_is_idempotent_with_the_same_attributes(sqs, error):
    url = sqs.create_queue(QueueName="q", Attributes={"DelaySeconds": "5"})["QueueUrl"]
    assert sqs.create_queue(QueueName="q", Attributes={"DelaySeconds": "5"})["QueueUrl"] == url
    assert sqs.create_queue(QueueName="q")["QueueUrl"] == url
    assert (
        sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "30"})["QueueUrl"] == url
    )
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName="q", Attributes={"DelaySeconds": "6"})
    assert error(exc) == (
        "QueueAlreadyExists",
        "A queue already exists with the same name and a different value for attribute "
        "DelaySeconds",
        "QueueNameExists",
        400,
    )
    assert isinstance(exc.value, sqs.exceptions.QueueNameExists)


def test_fifo_create_with_different_attributes(sqs, error):
    attrs = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    sqs.create_queue(QueueName="f.fifo", Attributes=attrs)
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(
            QueueName="f.fifo",
            Attributes={"FifoQueue": "true"} | {"ContentBasedDeduplication": "false"},
        )
    assert error(exc)[1].endswith("different value for attribute ContentBasedDeduplication")


def test_get_queue_url(sqs, error):
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    assert sqs.get_queue_url(QueueName="q")["QueueUrl"] == url
    assert sqs.get_queue_url(QueueName="q", QueueOwnerAWSAccountId=ACCOUNT)["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as exc:
        sqs.get_queue_url(QueueName="missing")
    assert error(exc) == (
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
        "QueueDoesNotExist",
        400,
    )
    with pytest.raises(ClientError) as exc:
        sqs.get_queue_url(QueueName="")
    assert error(exc)[:2] == (
        "InvalidParameterValue",
        "Value for parameter QueueName is invalid. Reason: Must specify a queue name.",
    )


def test_legacy_and_odd_queue_urls(sqs):
    sqs.create_queue(QueueName="q")
    for url in [
        "https://eu-west-1.queue.amazonaws.com/123456789012/q",
        "http://sqs.eu-west-1.amazonaws.com/123456789012/q",
        "https://sqs.eu-west-1.amazonaws.com/123456789012/q/",
    ]:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert attributes(sqs, URL + "q", "ApproximateNumberOfMessages") == {
        "ApproximateNumberOfMessages": "3"
    }
    for url in [
        "q",
        "https://sqs.us-east-1.amazonaws.com/123456789012/q",  # another region's endpoint
        "https://queue.amazonaws.com/123456789012/q",  # the legacy us-east-1 form
        "http://whatever-incorrect-queue-address",
    ]:
        with pytest.raises(sqs.exceptions.QueueDoesNotExist):
            sqs.send_message(QueueUrl=url, MessageBody="x")


def test_us_east_1_legacy_url(cloud):
    import boto3

    client = boto3.client("sqs", region_name="us-east-1")
    url = client.create_queue(QueueName="legacy")["QueueUrl"]
    assert url == "https://sqs.us-east-1.amazonaws.com/123456789012/legacy"
    client.send_message(QueueUrl="https://queue.amazonaws.com/123456789012/legacy", MessageBody="x")
    assert client.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"


def test_list_queues_prefix_and_pages(sqs, error):
    assert "QueueUrls" not in sqs.list_queues()
    names = ["a1", "a2", "a3", "b1"]
    for name in names:
        sqs.create_queue(QueueName=name)
    assert sqs.list_queues()["QueueUrls"] == [URL + n for n in names]
    assert sqs.list_queues(QueueNamePrefix="a")["QueueUrls"] == [URL + n for n in names[:3]]
    first = sqs.list_queues(QueueNamePrefix="a", MaxResults=2)
    assert first["QueueUrls"] == [URL + "a1", URL + "a2"]
    second = sqs.list_queues(QueueNamePrefix="a", MaxResults=2, NextToken=first["NextToken"])
    assert second["QueueUrls"] == [URL + "a3"] and "NextToken" not in second
    pages = sqs.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 1})
    assert [u for page in pages for u in page["QueueUrls"]] == [URL + n for n in names]
    with pytest.raises(ClientError) as exc:
        sqs.list_queues(MaxResults=1001)
    assert error(exc)[:2] == (
        "InvalidParameterValue",
        "Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
        "between 1 and 1000.",
    )
    with pytest.raises(ClientError) as exc:
        sqs.list_queues(MaxResults=1, NextToken="garbage")
    assert error(exc)[:2] == ("InvalidParameterValue", "Invalid or expired next token.")


def test_delete_queue_and_the_60_second_name_rule(cloud, sqs, error):
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="q")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDeletedRecently) as exc:
        sqs.create_queue(QueueName="q")
    assert error(exc) == (
        "AWS.SimpleQueueService.QueueDeletedRecently",
        "You must wait 60 seconds after deleting a queue before you can create another with "
        "the same name.",
        "QueueDeletedRecently",
        400,
    )
    cloud.clock.advance(60)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # a new, empty queue


def test_deleted_name_cooldown_knob(cloud, sqs):
    cloud.settings.sqs.deleted_name_cooldown = 0
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    assert sqs.create_queue(QueueName="q")["QueueUrl"] == url


# -- attributes --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "bad", "good"),
    [
        ("DelaySeconds", ["-1", "901", "1.5", " 6", "", "true"], ["0", "900"]),
        ("MaximumMessageSize", ["1023", "1048577", "2000.43"], ["1024", "1048576"]),
        ("MessageRetentionPeriod", ["59", "1209601"], ["60", "1209600"]),
        ("ReceiveMessageWaitTimeSeconds", ["-50", "21"], ["0", "20"]),
        ("VisibilityTimeout", ["-50", "43201"], ["0", "43200"]),
        ("KmsDataKeyReusePeriodSeconds", ["59", "86401"], ["60", "86400"]),
    ],
)
def test_integer_attribute_ranges(sqs, error, name, bad, good):
    for value in bad:
        with pytest.raises(sqs.exceptions.InvalidAttributeValue) as exc:
            sqs.create_queue(QueueName="q", Attributes={name: value})
        assert error(exc) == (
            "InvalidAttributeValue",
            f"Invalid value for the parameter {name}.",
            "InvalidAttributeValue",
            400,
        )
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    for value in good:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
        if name != "KmsDataKeyReusePeriodSeconds":
            assert attributes(sqs, url, name) == {name: value}


def test_unknown_and_read_only_attributes(sqs, error):
    for name in ["QueueArn", "ApproximateNumberOfMessages", "CreatedTimestamp", "All", "Nope"]:
        with pytest.raises(sqs.exceptions.InvalidAttributeName) as exc:
            sqs.create_queue(QueueName="q", Attributes={name: "1"})
        assert error(exc)[:2] == ("InvalidAttributeName", f"Unknown Attribute {name}.")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as exc:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Bogus"])
    assert error(exc)[1] == "Unknown Attribute Bogus."
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={})
    assert error(exc) == (
        "MissingParameter",
        "The request must contain the parameter Attribute.Name.",
        "MissingRequiredParameterException",
        400,
    )


def test_fifo_only_attributes_on_standard_queues(sqs, error):
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName="q", Attributes={"FifoQueue": "false"})
    assert error(exc)[:2] == ("InvalidAttributeName", "Unknown Attribute FifoQueue.")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})
    assert error(exc)[:2] == ("InvalidAttributeName", "Unknown Attribute FifoQueue.")
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})
    assert error(exc)[:2] == (
        "InvalidAttributeName",
        "Unknown Attribute ContentBasedDeduplication.",
    )
    for name, value in [("FifoThroughputLimit", "perQueue"), ("DeduplicationScope", "queue")]:
        with pytest.raises(ClientError) as exc:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
        assert error(exc)[:2] == (
            "InvalidAttributeName",
            f"You can specify the {name} only when FifoQueue is set to true.",
        )


def test_fifo_attributes(sqs, error):
    url = sqs.create_queue(QueueName="f.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "false"})
    assert error(exc)[:2] == (
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    )
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(
            QueueUrl=url, Attributes={"FifoThroughputLimit": "perMessageGroupId"}
        )
    assert (
        "The perMessageGroupId value is allowed only when the value for DeduplicationScope is "
        "messageGroup" in error(exc)[1]
    )
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "FifoThroughputLimit": "perMessageGroupId",
            "DeduplicationScope": "messageGroup",
        },
    )
    got = attributes(sqs, url, "FifoThroughputLimit", "DeduplicationScope")
    assert got == {"FifoThroughputLimit": "perMessageGroupId", "DeduplicationScope": "messageGroup"}
    with pytest.raises(ClientError) as exc:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "global"})
    assert error(exc)[:2] == (
        "InvalidAttributeValue",
        "Invalid value for the parameter DeduplicationScope.",
    )
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "TRUE"})
    assert attributes(sqs, url, "ContentBasedDeduplication") == {
        "ContentBasedDeduplication": "true"
    }


def test_set_queue_attributes_updates_last_modified(cloud, sqs):
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    created = attributes(sqs, url, "CreatedTimestamp")["CreatedTimestamp"]
    cloud.clock.advance(100)
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"VisibilityTimeout": "69", "DelaySeconds": "420"}
    )
    got = attributes(sqs, url)
    assert got["CreatedTimestamp"] == created
    assert got["LastModifiedTimestamp"] == str(int(created) + 100)
    assert (got["VisibilityTimeout"], got["DelaySeconds"]) == ("69", "420")


def test_server_side_encryption_attributes(sqs, error):
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as exc:
        sqs.create_queue(
            QueueName="q", Attributes={"SqsManagedSseEnabled": "true", "KmsMasterKeyId": "alias/k"}
        )
    assert error(exc)[1] == (
        "You can use one type of server-side encryption (SSE) at one time. You can either enable "
        "KMS SSE or SQS SSE."
    )
    url = sqs.create_queue(QueueName="q", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})[
        "QueueUrl"
    ]
    got = attributes(sqs, url)
    assert (got["KmsMasterKeyId"], got["KmsDataKeyReusePeriodSeconds"]) == ("alias/aws/sqs", "300")
    assert got["SqsManagedSseEnabled"] == "false"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "true"})
    got = attributes(sqs, url)
    assert "KmsMasterKeyId" not in got and "KmsDataKeyReusePeriodSeconds" not in got
    assert got["SqsManagedSseEnabled"] == "true"
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"KmsMasterKeyId": "k1", "KmsDataKeyReusePeriodSeconds": "860"}
    )
    got = attributes(sqs, url)
    assert got["KmsDataKeyReusePeriodSeconds"] == "860" and got["SqsManagedSseEnabled"] == "false"


def test_policy_attribute(sqs, error):
    statement = {
        "Sid": "s1",
        "Effect": "Allow",
        "Principal": {"AWS": ["123456789012"]},
        "Action": "sqs:SendMessage",
        "Resource": ARN + "q",
    }
    bad = [
        "badjson",
        "[]",
        '"string"',
        json.dumps({"Version": "2012-10-17", "Statement": []}),
        json.dumps({"Version": "4532-10-17", "Statement": [statement]}),
        json.dumps({"Version": "2012-10-17", "Dummy": 1, "Statement": [statement]}),
        json.dumps({"Version": "2012-10-17", "Statement": [statement | {"dummy": 1}]}),
    ]
    for policy in bad:
        with pytest.raises(ClientError) as exc:
            sqs.create_queue(QueueName="q", Attributes={"Policy": policy})
        assert error(exc)[:2] == (
            "InvalidAttributeValue",
            "Invalid value for the parameter Policy.",
        )
    many = json.dumps(
        {"Version": "2012-10-17", "Statement": [statement | {"Sid": f"s{i}"} for i in range(22)]}
    )
    with pytest.raises(ClientError) as exc:
        sqs.create_queue(QueueName="q", Attributes={"Policy": many})
    assert error(exc)[1] == "22 statements were found in the submitted policy, max allowed is 20"
    policy = json.dumps({"Version": "2012-10-17", "Statement": statement})
    url = sqs.create_queue(QueueName="q", Attributes={"Policy": policy})["QueueUrl"]
    assert attributes(sqs, url, "Policy") == {"Policy": policy}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert attributes(sqs, url, "Policy") == {}


def test_add_and_remove_permission(sqs, error):
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.add_permission(QueueUrl=url, Label="p1", AWSAccountIds=[OTHER], Actions=["SendMessage"])
    sqs.add_permission(
        QueueUrl=url,
        Label="p2",
        AWSAccountIds=[OTHER, ACCOUNT],
        Actions=["ReceiveMessage", "DeleteMessage"],
    )
    policy = json.loads(attributes(sqs, url, "Policy")["Policy"])
    assert policy == {
        "Version": "2008-10-17",
        "Id": ARN + "q/SQSDefaultPolicy",
        "Statement": [
            {
                "Sid": "p1",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                "Action": "SQS:SendMessage",
                "Resource": ARN + "q",
            },
            {
                "Sid": "p2",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [f"arn:aws:iam::{OTHER}:root", f"arn:aws:iam::{ACCOUNT}:root"]
                },
                "Action": ["SQS:ReceiveMessage", "SQS:DeleteMessage"],
                "Resource": ARN + "q",
            },
        ],
    }
    with pytest.raises(ClientError) as exc:
        sqs.add_permission(QueueUrl=url, Label="p1", AWSAccountIds=[OTHER], Actions=["SendMessage"])
    assert error(exc)[:2] == (
        "InvalidParameterValue",
        "Value p1 for parameter Label is invalid. Reason: Already exists.",
    )
    with pytest.raises(ClientError) as exc:
        sqs.add_permission(QueueUrl=url, Label="x", AWSAccountIds=[OTHER], Actions=["CreateQueue"])
    assert error(exc)[1] == (
        "Value SQS:CreateQueue for parameter ActionName is invalid. Reason: Only the queue owner "
        "is allowed to invoke this action."
    )
    with pytest.raises(ClientError) as exc:
        sqs.add_permission(
            QueueUrl=url, Label="x", AWSAccountIds=[OTHER], Actions=["SendMessageBatch"]
        )
    assert error(exc)[1] == (
        "Value SQS:SendMessageBatch for parameter ActionName is invalid. Reason: Please refer to "
        "the appropriate WSDL for a list of valid actions."
    )
    with pytest.raises(sqs.exceptions.OverLimit) as exc:
        sqs.add_permission(
            QueueUrl=url, Label="x", AWSAccountIds=[OTHER], Actions=["GetQueueUrl"] * 8
        )
    assert error(exc) == (
        "OverLimit",
        "8 Actions were found, maximum allowed is 7.",
        "OverLimit",
        403,
    )
    sqs.remove_permission(QueueUrl=url, Label="p1")
    sqs.remove_permission(QueueUrl=url, Label="p2")
    assert attributes(sqs, url, "Policy") == {}
    with pytest.raises(ClientError) as exc:
        sqs.remove_permission(QueueUrl=url, Label="p2")
    assert error(exc)[:2] == (
        "InvalidParameterValue",
        "Value p2 for parameter Label is invalid. Reason: can't find label.",
    )


# -- tags --------------------------------------------------------------------------------------
def test_tags(sqs, error):
    url = sqs.create_queue(QueueName="q", tags={"team": "a", "env": "dev"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "env": "dev"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "tag3": ""})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "env": "prod", "tag3": ""}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "tag3", "missing"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "prod"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)
    with pytest.raises(ClientError) as exc:
        sqs.tag_queue(QueueUrl=url, Tags={f"k{i}": "v" for i in range(51)})
    assert error(exc)[:2] == ("InvalidParameterValue", "Too many tags added for queue q.")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.list_queue_tags(QueueUrl=URL + "missing")


# -- purge -------------------------------------------------------------------------------------
def test_purge_queue_once_a_minute(cloud, sqs, error):
    url = sqs.create_queue(QueueName="q", Attributes={"DelaySeconds": "10"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="delayed")
    sqs.send_message(QueueUrl=url, MessageBody="visible", DelaySeconds=0)
    sqs.send_message(QueueUrl=url, MessageBody="in flight", DelaySeconds=0)
    sqs.receive_message(QueueUrl=url)
    sqs.purge_queue(QueueUrl=url)
    counts = attributes(
        sqs,
        url,
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    )
    assert set(counts.values()) == {"0"}
    cloud.clock.advance(59)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as exc:
        sqs.purge_queue(QueueUrl=url)
    assert error(exc) == (
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        "Only one PurgeQueue operation on q is allowed every 60 seconds.",
        "PurgeQueueInProgress",
        403,
    )
    cloud.clock.advance(1)
    sqs.purge_queue(QueueUrl=url)


# -- other accounts ------------------------------------------------------------------------------
def test_cross_account_queue_access(cloud, sqs, error):
    url = sqs.create_queue(QueueName="shared")["QueueUrl"]
    other = cloud.session(OTHER).client("sqs")
    assert (
        other.get_queue_url(QueueName="shared", QueueOwnerAWSAccountId=ACCOUNT)["QueueUrl"] == url
    )
    with pytest.raises(other.exceptions.QueueDoesNotExist):
        other.get_queue_url(QueueName="shared")
    other.send_message(QueueUrl=url, MessageBody="from the other account")
    [message] = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["SenderId"])[
        "Messages"
    ]
    assert message["Attributes"]["SenderId"] == OTHER
    # Actions only the owner may call, whatever the queue policy says.
    for call in [
        lambda: other.delete_queue(QueueUrl=url),
        lambda: other.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "1"}),
        lambda: other.tag_queue(QueueUrl=url, Tags={"a": "b"}),
        lambda: other.list_queue_tags(QueueUrl=url),
    ]:
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == (
            "AccessDenied",
            f"Access to the resource {url} is denied.",
            "AccessDeniedException",
            403,
        )
    assert "QueueUrls" not in other.list_queues()
    other_url = other.create_queue(QueueName="shared")["QueueUrl"]
    assert other_url == f"https://sqs.eu-west-1.amazonaws.com/{OTHER}/shared"


def test_permissions_declare_the_queue_arn(cloud, sqs):
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "x"}])
    sqs.get_queue_url(QueueName="q")
    calls = {c.operation: c for c in cloud.calls}
    assert calls["CreateQueue"].resources == [ARN + "q"]
    assert calls["SendMessageBatch"].action == "sqs:SendMessage"
    assert calls["SendMessageBatch"].resources == [ARN + "q"]
    assert calls["GetQueueUrl"].resources == [ARN + "q"]
