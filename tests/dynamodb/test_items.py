"""PutItem, GetItem, UpdateItem and DeleteItem through real boto3 clients and resources.

Values and their limits, ReturnValues, conditions as seen by the caller, key
schema checks, the order in which DynamoDB reports several problems, and the
legacy parameters (Expected, AttributeUpdates, ConditionalOperator,
AttributesToGet).

Where the messages come from: dynalite's test suite (recorded against
DynamoDB), the nubo-db/dynamodb-conformance suite and ExtendDB's tests (both
run against DynamoDB, 2026); the developer guide for the behaviours.
"""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest
from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

INVALID = "One or more parameter values were invalid: "
NOT_VALID = "One or more parameter values are not valid. "
KEY_MISMATCH = "The provided key element does not match the schema"


@pytest.fixture
def ddb():
    with mock_serverless():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="items",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.create_table(
            TableName="events",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "c", "AttributeType": "S"},
                {"AttributeName": "d", "AttributeType": "B"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_c",
                    "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            LocalSecondaryIndexes=[
                {
                    "IndexName": "by_d",
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "d", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.create_table(
            TableName="blobs",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "B"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


@pytest.fixture
def table(ddb):
    return boto3.resource("dynamodb").Table("items")


def S(text):
    return {"S": text}


def N(number):
    return {"N": str(number)}


def K(pk):
    return {"pk": S(pk)}


def failure(call, code="ValidationException"):
    """The error message of a call that must fail with ``code``."""
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == code
    return caught.value.response["Error"]["Message"]


def get(ddb, pk, table="items"):
    return ddb.get_item(TableName=table, Key=K(pk), ConsistentRead=True).get("Item")


# -- types ------------------------------------------------------------------------------------

EVERY_TYPE = {
    "pk": S("all"),
    "s": S("text"),
    "empty_s": S(""),
    "n": N("1.50"),
    "big": N("-000123.4500E+2"),
    "zero": N("-0.000"),
    "b": {"B": b"\x00\xffbytes"},
    "empty_b": {"B": b""},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "null": {"NULL": True},
    "m": {"M": {"inner": S(""), "deep": {"M": {"l": {"L": [N("2.0")]}}}}},
    "empty_m": {"M": {}},
    "l": {"L": [S("a"), N("1"), {"NULL": True}, {"L": []}, {"SS": ["x"]}]},
    "ss": {"SS": ["b", "a", ""]},
    "ns": {"NS": ["10", "1.0", "-2e1"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
}


def test_every_attribute_type_round_trips_with_numbers_normalized(ddb):
    ddb.put_item(TableName="items", Item=EVERY_TYPE)
    item = get(ddb, "all")
    numbers = {"n": "1.5", "big": "-12345", "zero": "0"}
    for name, value in EVERY_TYPE.items():
        if name in numbers:
            assert item[name] == N(numbers[name]), name
        elif name == "ns":
            assert sorted(item[name]["NS"]) == ["-20", "1", "10"]
        elif name in ("ss", "bs"):
            assert sorted(item[name][name.upper()]) == sorted(value[name.upper()])
        elif name == "m":
            assert item[name] == {"M": {"inner": S(""), "deep": {"M": {"l": {"L": [N(2)]}}}}}
        else:
            assert item[name] == value, name


def test_resource_api_round_trips_python_values(table):
    item = {
        "pk": "py",
        "price": Decimal("19.990"),
        "count": 3,
        "tags": {"red", "blue"},
        "scores": {Decimal("1.5"), Decimal(2)},
        "blobs": {Binary(b"\x01"), Binary(b"\x02")},
        "raw": Binary(b"\x00\x01"),
        "flag": False,
        "nothing": None,
        "doc": {"list": [1, "two", {"three": Decimal("3.0")}], "empty": ""},
    }
    table.put_item(Item=item)
    got = table.get_item(Key={"pk": "py"}, ConsistentRead=True)["Item"]
    assert got["price"] == Decimal("19.99") and str(got["price"]) == "19.99"
    assert got["count"] == Decimal(3)
    assert got["tags"] == {"red", "blue"}
    assert got["scores"] == {Decimal("1.5"), Decimal(2)}
    assert got["blobs"] == {Binary(b"\x01"), Binary(b"\x02")}
    assert got["raw"] == Binary(b"\x00\x01")
    assert got["flag"] is False and got["nothing"] is None
    assert got["doc"] == {"list": [Decimal(1), "two", {"three": Decimal(3)}], "empty": ""}


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1" * 39, "Attempting to store more than 38 significant digits in a Number"),
        (
            "1.00000000000000000000000000000000000001",
            "Attempting to store more than 38 significant digits in a Number",
        ),
        (
            "1e126",
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range",
        ),
        (
            "-1e-131",
            "Number underflow. Attempting to store a number with magnitude smaller "
            "than supported range",
        ),
        ("12abc", "The parameter cannot be converted to a numeric value: 12abc"),
        ("", "The parameter cannot be converted to a numeric value"),
    ],
)
def test_numbers_outside_dynamodb_range_are_refused(ddb, number, message):
    put = lambda: ddb.put_item(TableName="items", Item={**K("n"), "n": {"N": number}})  # noqa: E731
    assert failure(put) == message


def test_numbers_keep_38_digits_and_the_extremes_of_the_range(ddb):
    extremes = {"a": "9.9999999999999999999999999999999999999E+125", "b": "-1E-130"}
    digits = "1234567890123456789012345678.9012345678"
    ddb.put_item(
        TableName="items",
        Item={**K("x"), "d": N(digits), **{k: N(v) for k, v in extremes.items()}},
    )
    item = get(ddb, "x")
    assert item["d"] == N(digits)
    assert item["a"]["N"] == "99999999999999999999999999999999999999" + "0" * 88
    assert item["b"]["N"] == "-0." + "0" * 129 + "1"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"SS": ["a", "a"]}, INVALID + "Input collection [a, a] contains duplicates."),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        (
            {"BS": [b"x", b"x"]},
            INVALID + "Input collection [eA==, eA==]of type BS contains duplicates.",
        ),
        ({"SS": []}, INVALID + "An string set  may not be empty"),
        ({"NS": []}, INVALID + "An number set  may not be empty"),
        ({"BS": []}, INVALID + "Binary sets should not be empty"),
        ({"M": {"in": {"SS": []}}}, INVALID + "An string set  may not be empty"),
        ({"L": [{"NS": ["2", "2"]}]}, "Input collection contains duplicates"),
    ],
)
def test_sets_refuse_duplicates_and_emptiness_everywhere(ddb, value, message):
    assert failure(lambda: ddb.put_item(TableName="items", Item={**K("s"), "v": value})) == message
    # in ExpressionAttributeValues the same message is wrapped and names the placeholder
    wrapped = f"ExpressionAttributeValues contains invalid value: {message} for key :v"
    update = lambda: ddb.update_item(  # noqa: E731
        TableName="items",
        Key=K("s"),
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": value},
    )
    assert failure(update) == wrapped


def test_empty_strings_and_binaries_are_allowed_outside_keys(ddb):
    item = {**K("e"), "s": S(""), "b": {"B": b""}, "l": {"L": [S("")]}, "ss": {"SS": [""]}}
    ddb.put_item(TableName="items", Item=item)
    assert get(ddb, "e") == item


@pytest.mark.parametrize(
    ("operation", "kwargs"),
    [
        ("put_item", {"Item": {"pk": S("")}}),
        ("get_item", {"Key": {"pk": S("")}}),
        ("delete_item", {"Key": {"pk": S("")}}),
        ("update_item", {"Key": {"pk": S("")}}),
    ],
)
def test_empty_key_values_are_refused(ddb, operation, kwargs):
    call = lambda: getattr(ddb, operation)(TableName="items", **kwargs)  # noqa: E731
    assert failure(call) == (
        NOT_VALID + "The AttributeValue for a key attribute cannot contain an empty string "
        "value. Key: pk"
    )


def test_empty_binary_keys_are_refused(ddb):
    call = lambda: ddb.put_item(TableName="blobs", Item={"pk": {"B": b""}})  # noqa: E731
    assert failure(call) == (
        NOT_VALID + "The AttributeValue for a key attribute cannot contain an empty binary "
        "value. Key: pk"
    )


def test_empty_secondary_index_keys_are_refused(ddb):
    item = {"pk": S("p"), "sk": N(1), "c": S("")}
    assert failure(lambda: ddb.put_item(TableName="events", Item=item)) == (
        NOT_VALID + "A value specified for a secondary index key is not supported. The "
        "AttributeValue for a key attribute cannot contain an empty string value. "
        "IndexName: by_c, IndexKey: c"
    )
    item = {"pk": S("p"), "sk": N(1), "d": {"B": b""}}
    assert failure(lambda: ddb.put_item(TableName="events", Item=item)) == (
        NOT_VALID + "A value specified for a secondary index key is not supported. The "
        "AttributeValue for a key attribute cannot contain an empty binary value. "
        "IndexName: by_d, IndexKey: d"
    )


def test_index_keys_must_have_the_declared_type(ddb):
    item = {"pk": S("p"), "sk": N(1), "c": N(5)}
    assert failure(lambda: ddb.put_item(TableName="events", Item=item)) == (
        INVALID + "Type mismatch for Index Key c Expected: S Actual: N IndexName: by_c"
    )


def test_item_of_exactly_400_kb_is_accepted_and_one_byte_more_refused(ddb):
    # size = name + value: "pk" + "k" (3) + "d" + the string (1 + n)
    ddb.put_item(TableName="items", Item={**K("k"), "d": S("x" * (409_600 - 4))})
    assert len(get(ddb, "k")["d"]["S"]) == 409_596
    big = lambda: ddb.put_item(TableName="items", Item={**K("k"), "d": S("x" * 409_597)})  # noqa: E731
    assert failure(big) == "Item size has exceeded the maximum allowed size"


def test_update_that_grows_the_item_past_400_kb_is_refused(ddb):
    ddb.put_item(TableName="items", Item={**K("k"), "d": S("x" * 300_000)})
    grow = lambda: ddb.update_item(  # noqa: E731
        TableName="items",
        Key=K("k"),
        UpdateExpression="SET e = :v",
        ExpressionAttributeValues={":v": S("y" * 200_000)},
    )
    assert failure(grow) == "Item size to update has exceeded the maximum allowed size"
    assert "e" not in get(ddb, "k")


def test_key_size_limits(ddb):
    ddb.put_item(TableName="items", Item=K("h" * 2048))
    assert get(ddb, "h" * 2048) == K("h" * 2048)
    assert failure(lambda: ddb.put_item(TableName="items", Item=K("h" * 2049))) == (
        INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
    )
    assert failure(lambda: ddb.get_item(TableName="items", Key=K("é" * 1025))) == (
        INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
    )
    ddb.create_table(
        TableName="sorted",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "B"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName="sorted", Item={**K("p"), "sk": {"B": b"\x00" * 1024}})
    too_long = {**K("p"), "sk": {"B": b"\x00" * 1025}}
    assert failure(lambda: ddb.put_item(TableName="sorted", Item=too_long)) == (
        INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
    )


def nested(levels):
    """A value of ``levels`` levels: lists and maps in turn around a string."""
    value = S("bottom")
    for level in range(levels - 1):
        value = {"L": [value]} if level % 2 else {"M": {"k": value}}
    return value


def test_32_levels_of_nesting_and_no_more(ddb):
    ddb.put_item(TableName="items", Item={**K("deep"), "v": nested(32)})
    assert get(ddb, "deep")["v"] == nested(32)
    too_deep = lambda: ddb.put_item(TableName="items", Item={**K("deep"), "v": nested(33)})  # noqa: E731
    assert failure(too_deep) == (
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
        "levels beyond supported limit"
    )


# -- key schema and tables ----------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        {"pk": S("p")},  # sort key missing
        {"pk": S("p"), "sk": N(1), "x": S("y")},  # an extra attribute
        {"pk": S("p"), "sk": S("1")},  # sort key of another type
        {"pk": N(1), "sk": N(1)},  # partition key of another type
        {"sk": N(1), "other": S("p")},  # partition key missing
    ],
)
def test_keys_that_do_not_match_the_schema(ddb, key):
    for call in (
        lambda: ddb.get_item(TableName="events", Key=key),
        lambda: ddb.delete_item(TableName="events", Key=key),
        lambda: ddb.update_item(TableName="events", Key=key),
    ):
        assert failure(call) == KEY_MISMATCH


def test_items_without_their_key_or_with_a_mistyped_key(ddb):
    assert failure(lambda: ddb.put_item(TableName="events", Item={"pk": S("p")})) == (
        INVALID + "Missing the key sk in the item"
    )
    mistyped = {"pk": S("p"), "sk": S("one")}
    assert failure(lambda: ddb.put_item(TableName="events", Item=mistyped)) == (
        INVALID + "Type mismatch for key sk expected: N actual: S"
    )


@pytest.mark.parametrize(
    ("operation", "kwargs"),
    [
        ("put_item", {"Item": K("a")}),
        ("get_item", {"Key": K("a")}),
        ("delete_item", {"Key": K("a")}),
        ("update_item", {"Key": K("a"), "UpdateExpression": "REMOVE x"}),
    ],
)
def test_unknown_table(ddb, operation, kwargs):
    call = lambda: getattr(ddb, operation)(TableName="nowhere", **kwargs)  # noqa: E731
    assert failure(call, "ResourceNotFoundException") == "Requested resource not found"


def test_unknown_table_through_the_resource_api(ddb):
    missing = boto3.resource("dynamodb").Table("nowhere")
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        missing.get_item(Key={"pk": "a"})


# -- which problem DynamoDB reports first ---------------------------------------------------


def test_request_problems_come_before_the_table_lookup(ddb):
    # dynalite's validation tests run against a table that does not exist
    syntax = lambda: ddb.update_item(  # noqa: E731
        TableName="nowhere", Key=K("a"), UpdateExpression="SET a ="
    )
    assert failure(syntax).startswith("Invalid UpdateExpression: Syntax error;")
    bad_value = lambda: ddb.put_item(  # noqa: E731
        TableName="nowhere",
        Item=K("a"),
        ConditionExpression="a = :v",
        ExpressionAttributeValues={":v": {"NS": []}},
    )
    assert failure(bad_value) == (
        "ExpressionAttributeValues contains invalid value: "
        + INVALID
        + "An number set  may not be empty for key :v"
    )
    unused = lambda: ddb.delete_item(  # noqa: E731
        TableName="nowhere",
        Key=K("a"),
        ConditionExpression="attribute_exists(a)",
        ExpressionAttributeNames={"#x": "x"},
    )
    assert failure(unused) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"
    )


def test_key_values_are_checked_before_expression_attribute_values(ddb):
    call = lambda: ddb.update_item(  # noqa: E731
        TableName="items",
        Key={"pk": {"SS": []}},
        UpdateExpression="SET a = :v",
        ExpressionAttributeValues={":v": {"NS": []}},
    )
    assert failure(call) == INVALID + "An string set  may not be empty"


def test_expression_problems_come_before_the_key_schema(ddb):
    call = lambda: ddb.update_item(  # noqa: E731
        TableName="items",
        Key={"wrong": S("a")},
        UpdateExpression="SET a = :undefined",
    )
    assert failure(call) == (
        "Invalid UpdateExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :undefined"
    )


def test_updating_a_key_attribute_is_reported_even_when_the_condition_fails(ddb):
    call = lambda: ddb.update_item(  # noqa: E731
        TableName="items",
        Key=K("absent"),
        UpdateExpression="SET pk = :v",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":v": S("b")},
    )
    assert failure(call) == (
        INVALID + "Cannot update attribute pk. This attribute is part of the key"
    )
    assert get(ddb, "absent") is None


def test_invalid_enums_are_reported_together_first(ddb):
    call = lambda: ddb.put_item(  # noqa: E731
        TableName="items",
        Item={"pk": {"SS": []}},
        ReturnValues="BOGUS",
        ReturnConsumedCapacity="LOTS",
    )
    assert failure(call) == (
        "2 validation errors detected: Value 'LOTS' at 'returnConsumedCapacity' failed to "
        "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "
        "Value 'BOGUS' at 'returnValues' failed to satisfy constraint: Member must satisfy "
        "enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
    )


# -- PutItem and DeleteItem -----------------------------------------------------------------


def test_put_replaces_the_whole_item_and_returns_the_old_one(ddb):
    first = ddb.put_item(TableName="items", Item={**K("p"), "a": N(1)}, ReturnValues="ALL_OLD")
    assert "Attributes" not in first
    second = ddb.put_item(TableName="items", Item={**K("p"), "b": N(2)}, ReturnValues="ALL_OLD")
    assert second["Attributes"] == {**K("p"), "a": N(1)}
    assert get(ddb, "p") == {**K("p"), "b": N(2)}
    third = ddb.put_item(TableName="items", Item={**K("p"), "c": N(3)})
    assert "Attributes" not in third


@pytest.mark.parametrize("returns", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_put_and_delete_take_only_none_or_all_old(ddb, returns):
    put = lambda: ddb.put_item(TableName="items", Item=K("p"), ReturnValues=returns)  # noqa: E731
    assert failure(put) == "Return values set to invalid value"
    delete = lambda: ddb.delete_item(TableName="items", Key=K("p"), ReturnValues=returns)  # noqa: E731
    assert failure(delete) == "Return values set to invalid value"


def test_delete_returns_the_deleted_item(ddb, table):
    table.put_item(Item={"pk": "d", "n": 7})
    gone = table.delete_item(Key={"pk": "d"}, ReturnValues="ALL_OLD")
    assert gone["Attributes"] == {"pk": "d", "n": Decimal(7)}
    assert "Item" not in table.get_item(Key={"pk": "d"})
    again = table.delete_item(Key={"pk": "d"}, ReturnValues="ALL_OLD")
    assert "Attributes" not in again


def test_conditional_put_and_delete_through_the_resource_api(table):
    from boto3.dynamodb.conditions import Attr

    table.put_item(Item={"pk": "c", "v": 1}, ConditionExpression=Attr("pk").not_exists())
    with pytest.raises(table.meta.client.exceptions.ConditionalCheckFailedException):
        table.put_item(Item={"pk": "c", "v": 2}, ConditionExpression=Attr("pk").not_exists())
    with pytest.raises(table.meta.client.exceptions.ConditionalCheckFailedException):
        table.delete_item(Key={"pk": "c"}, ConditionExpression=Attr("v").gt(1))
    table.delete_item(Key={"pk": "c"}, ConditionExpression=Attr("v").eq(1))
    assert "Item" not in table.get_item(Key={"pk": "c"})


def test_condition_failure_returns_the_item_when_asked(ddb):
    ddb.put_item(TableName="items", Item={**K("f"), "v": N(1)})
    for call in (
        lambda **extra: ddb.put_item(
            TableName="items", Item=K("f"), ConditionExpression="v > :two", **extra
        ),
        lambda **extra: ddb.delete_item(
            TableName="items", Key=K("f"), ConditionExpression="v > :two", **extra
        ),
        lambda **extra: ddb.update_item(
            TableName="items",
            Key=K("f"),
            UpdateExpression="REMOVE v",
            ConditionExpression="v > :two",
            **extra,
        ),
    ):
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as caught:
            call(
                ExpressionAttributeValues={":two": N(2)},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        assert caught.value.response["Error"]["Message"] == "The conditional request failed"
        assert caught.value.response["Item"] == {**K("f"), "v": N(1)}
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as caught:
            call(ExpressionAttributeValues={":two": N(2)})
        assert "Item" not in caught.value.response
    assert get(ddb, "f") == {**K("f"), "v": N(1)}


def test_condition_failure_on_a_missing_item_has_no_item(ddb):
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as caught:
        ddb.delete_item(
            TableName="items",
            Key=K("none"),
            ConditionExpression="attribute_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert "Item" not in caught.value.response


# -- GetItem ----------------------------------------------------------------------------------

DOC = {
    **K("doc"),
    "name": S("n"),
    "m": {"M": {"a": {"M": {"b": S("deep"), "c": S("other")}}, "x": N(1)}},
    "l": {"L": [S("zero"), {"M": {"k": S("one")}}, S("two"), S("three")]},
}


def test_projection_of_nested_paths_and_list_elements(ddb):
    ddb.put_item(TableName="items", Item=DOC)
    got = ddb.get_item(
        TableName="items",
        Key=K("doc"),
        ProjectionExpression="m.a.b, l[3], l[1].k, #n, absent, m.nothing.here",
        ExpressionAttributeNames={"#n": "name"},
    )["Item"]
    assert got == {
        "m": {"M": {"a": {"M": {"b": S("deep")}}}},
        "l": {"L": [{"M": {"k": S("one")}}, S("three")]},
        "name": S("n"),
    }


def test_projection_through_the_resource_api(ddb, table):
    ddb.put_item(TableName="items", Item=DOC)
    got = table.get_item(Key={"pk": "doc"}, ProjectionExpression="l[0], m.x")["Item"]
    assert got == {"l": ["zero"], "m": {"x": Decimal(1)}}


def test_get_missing_item_has_no_item(ddb):
    assert "Item" not in ddb.get_item(TableName="items", Key=K("nope"))


def test_attributes_to_get(ddb):
    ddb.put_item(TableName="items", Item=DOC)
    got = ddb.get_item(TableName="items", Key=K("doc"), AttributesToGet=["name", "absent"])
    assert got["Item"] == {"name": S("n")}
    duplicated = lambda: ddb.get_item(  # noqa: E731
        TableName="items", Key=K("doc"), AttributesToGet=["name", "name"]
    )
    assert failure(duplicated) == INVALID + "Duplicate value in attribute name: name"
    mixed = lambda: ddb.get_item(  # noqa: E731
        TableName="items", Key=K("doc"), AttributesToGet=["name"], ProjectionExpression="m"
    )
    assert failure(mixed) == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}"
    )


def test_names_without_any_expression(ddb):
    call = lambda: ddb.get_item(  # noqa: E731
        TableName="items", Key=K("doc"), ExpressionAttributeNames={"#n": "name"}
    )
    assert failure(call) == "ExpressionAttributeNames can only be specified when using expressions"
    put = lambda: ddb.put_item(  # noqa: E731
        TableName="items", Item=K("a"), ExpressionAttributeValues={":v": S("x")}
    )
    assert failure(put) == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "ConditionExpression is null"
    )
    update = lambda: ddb.update_item(  # noqa: E731
        TableName="items", Key=K("a"), ExpressionAttributeValues={":v": S("x")}
    )
    assert failure(update) == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "UpdateExpression and ConditionExpression are null"
    )


# -- UpdateItem return values -----------------------------------------------------------------

START = {
    **K("u"),
    "keep": S("k"),
    "n": N(1),
    "m": {"M": {"a": N(1), "b": N(2)}},
    "l": {"L": [S("x"), S("y")]},
    "gone": S("bye"),
}


def update(ddb, expression, returns, values=None, key="u"):
    kwargs = {"ExpressionAttributeValues": values} if values else {}
    return ddb.update_item(
        TableName="items", Key=K(key), UpdateExpression=expression, ReturnValues=returns, **kwargs
    ).get("Attributes")


EXPRESSION = "SET n = n + :one, m.a = :ten, l[0] = :z REMOVE gone"
VALUES = {":one": N(1), ":ten": N(10), ":z": S("z")}


def test_return_values_none_and_all(ddb):
    ddb.put_item(TableName="items", Item=START)
    assert update(ddb, EXPRESSION, "NONE", VALUES) is None
    ddb.put_item(TableName="items", Item=START)
    assert update(ddb, EXPRESSION, "ALL_OLD", VALUES) == START
    ddb.put_item(TableName="items", Item=START)
    assert update(ddb, EXPRESSION, "ALL_NEW", VALUES) == {
        **K("u"),
        "keep": S("k"),
        "n": N(2),
        "m": {"M": {"a": N(10), "b": N(2)}},
        "l": {"L": [S("z"), S("y")]},
    }


def test_updated_old_returns_only_the_updated_nested_paths(ddb):
    ddb.put_item(TableName="items", Item=START)
    assert update(ddb, EXPRESSION, "UPDATED_OLD", VALUES) == {
        "n": N(1),
        "m": {"M": {"a": N(1)}},
        "l": {"L": [S("x")]},
        "gone": S("bye"),
    }


def test_updated_new_returns_only_the_new_values_of_updated_paths(ddb):
    ddb.put_item(TableName="items", Item=START)
    assert update(ddb, EXPRESSION, "UPDATED_NEW", VALUES) == {
        "n": N(2),
        "m": {"M": {"a": N(10)}},
        "l": {"L": [S("z")]},
    }


def test_updated_new_of_a_removal_or_an_append_past_the_end_is_empty(ddb):
    # ExtendDB issue 98, checked against DynamoDB: no Attributes at all
    ddb.put_item(TableName="items", Item=START)
    assert update(ddb, "REMOVE gone", "UPDATED_NEW") is None
    assert update(ddb, "SET l[5] = :v", "UPDATED_NEW", {":v": S("end")}) is None
    assert get(ddb, "u")["l"] == {"L": [S("x"), S("y"), S("end")]}


def test_return_values_when_the_update_creates_the_item(ddb):
    values = {":v": N(1)}
    assert update(ddb, "SET a = :v", "ALL_OLD", values, key="new1") is None
    assert update(ddb, "SET a = :v", "UPDATED_OLD", values, key="new2") is None
    assert update(ddb, "SET a = :v", "UPDATED_NEW", values, key="new3") == {"a": N(1)}
    assert update(ddb, "SET a = :v", "ALL_NEW", values, key="new4") == {**K("new4"), "a": N(1)}


def test_update_without_actions_creates_the_key_only_item(ddb):
    assert ddb.update_item(TableName="items", Key=K("bare"), ReturnValues="ALL_NEW")[
        "Attributes"
    ] == K("bare")
    assert get(ddb, "bare") == K("bare")


def test_update_return_values_through_the_resource_api(table):
    table.put_item(Item={"pk": "r", "count": 1, "doc": {"a": 1, "b": 2}})
    response = table.update_item(
        Key={"pk": "r"},
        UpdateExpression="SET doc.a = doc.a + :inc ADD #c :inc",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":inc": Decimal("0.5")},
        ReturnValues="UPDATED_NEW",
    )
    assert response["Attributes"] == {"count": Decimal("1.5"), "doc": {"a": Decimal("1.5")}}


# -- legacy parameters --------------------------------------------------------------------------

ROW = {**K("row"), "s": S("apple"), "n": N(5), "ss": {"SS": ["a", "b"]}, "l": {"L": [N(1)]}}


@pytest.mark.parametrize(
    ("condition", "passes"),
    [
        ({"Exists": False}, False),
        ({"Value": S("apple")}, True),
        ({"Value": S("pear"), "Exists": True}, False),
        ({"ComparisonOperator": "EQ", "AttributeValueList": [S("apple")]}, True),
        ({"ComparisonOperator": "NE", "AttributeValueList": [S("apple")]}, False),
        ({"ComparisonOperator": "NE", "AttributeValueList": [N(5)]}, True),
        ({"ComparisonOperator": "LT", "AttributeValueList": [S("b")]}, True),
        ({"ComparisonOperator": "GE", "AttributeValueList": [S("b")]}, False),
        ({"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("app")]}, True),
        ({"ComparisonOperator": "CONTAINS", "AttributeValueList": [S("ppl")]}, True),
        ({"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [S("ppl")]}, False),
        ({"ComparisonOperator": "IN", "AttributeValueList": [S("x"), S("apple")]}, True),
        ({"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("a"), S("b")]}, True),
        ({"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("b"), S("c")]}, False),
        ({"ComparisonOperator": "NULL"}, False),
        ({"ComparisonOperator": "NOT_NULL"}, True),
        ({"ComparisonOperator": "EQ", "Value": S("apple")}, True),
    ],
)
def test_expected_conditions_on_a_string(ddb, condition, passes):
    ddb.put_item(TableName="items", Item=ROW)
    call = lambda: ddb.put_item(  # noqa: E731
        TableName="items", Item={**ROW, "done": {"BOOL": True}}, Expected={"s": condition}
    )
    if passes:
        call()
        assert get(ddb, "row")["done"] == {"BOOL": True}
    else:
        failure(call, "ConditionalCheckFailedException")
        assert "done" not in get(ddb, "row")


@pytest.mark.parametrize(
    ("expected", "passes"),
    [
        ({"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [S("b")]}}, True),
        ({"l": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [N(1)]}}, True),
        ({"nope": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [S("a")]}}, True),
        ({"nope": {"ComparisonOperator": "NULL"}}, True),
        ({"nope": {"Exists": False}}, True),
        ({"n": {"ComparisonOperator": "GT", "AttributeValueList": [N("4.99")]}}, True),
        ({"n": {"ComparisonOperator": "LE", "AttributeValueList": [N("4.99")]}}, False),
        ({"ss": {"Value": {"SS": ["b", "a"]}}}, True),
    ],
)
def test_expected_conditions_on_other_types(ddb, expected, passes):
    ddb.put_item(TableName="items", Item=ROW)
    call = lambda: ddb.delete_item(TableName="items", Key=K("row"), Expected=expected)  # noqa: E731
    if passes:
        call()
        assert get(ddb, "row") is None
    else:
        failure(call, "ConditionalCheckFailedException")


def test_expected_on_a_missing_item(ddb):
    ddb.put_item(TableName="items", Item=K("fresh"), Expected={"pk": {"Exists": False}})
    assert "Item" in ddb.get_item(TableName="items", Key=K("fresh"))
    failure(
        lambda: ddb.put_item(
            TableName="items", Item=K("fresh"), Expected={"pk": {"Exists": False}}
        ),
        "ConditionalCheckFailedException",
    )


def test_conditional_operator_joins_expected_conditions(ddb):
    ddb.put_item(TableName="items", Item=ROW)
    either = {
        "s": {"ComparisonOperator": "EQ", "AttributeValueList": [S("pear")]},
        "n": {"ComparisonOperator": "EQ", "AttributeValueList": [N(5)]},
    }
    failure(
        lambda: ddb.delete_item(TableName="items", Key=K("row"), Expected=either),
        "ConditionalCheckFailedException",
    )
    failure(
        lambda: ddb.delete_item(
            TableName="items", Key=K("row"), Expected=either, ConditionalOperator="AND"
        ),
        "ConditionalCheckFailedException",
    )
    ddb.delete_item(TableName="items", Key=K("row"), Expected=either, ConditionalOperator="OR")
    assert get(ddb, "row") is None


def test_expected_failure_returns_the_item_when_asked(ddb):
    ddb.put_item(TableName="items", Item=ROW)
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as caught:
        ddb.put_item(
            TableName="items",
            Item=K("row"),
            Expected={"n": {"Value": N(6)}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert caught.value.response["Item"] == ROW


@pytest.mark.parametrize(
    ("expected", "operator", "message"),
    [
        (None, "AND", "ConditionalOperator cannot be used without Filter or Expected"),
        (
            {"a": {"Exists": False}},
            "OR",
            "ConditionalOperator can only be used when Filter or Expected has two or more elements",
        ),
        ({"a": {}}, None, INVALID + "Value must be provided when Exists is null for Attribute: a"),
        (
            {"a": {"Exists": True}},
            None,
            INVALID + "Value must be provided when Exists is true for Attribute: a",
        ),
        (
            {"a": {"Exists": False, "Value": S("x")}},
            None,
            INVALID + "Value cannot be used when Exists is false for Attribute: a",
        ),
        (
            {"a": {"ComparisonOperator": "EQ", "Exists": True, "Value": S("x")}},
            None,
            INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: a",
        ),
        (
            {"a": {"ComparisonOperator": "EQ", "Value": S("x"), "AttributeValueList": [S("x")]}},
            None,
            INVALID + "Value and AttributeValueList cannot be used together for Attribute: a",
        ),
        (
            {"a": {"AttributeValueList": [S("x")]}},
            None,
            INVALID + "AttributeValueList can only be used with a ComparisonOperator for "
            "Attribute: a",
        ),
        (
            {"a": {"ComparisonOperator": "GT"}},
            None,
            INVALID + "Value or AttributeValueList must be used with ComparisonOperator: GT for "
            "Attribute: a",
        ),
        (
            {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1)]}},
            None,
            INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
        (
            {"a": {"ComparisonOperator": "NULL", "AttributeValueList": [N(1)]}},
            None,
            INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator",
        ),
        (
            {"a": {"ComparisonOperator": "IN", "AttributeValueList": [N(1), S("1")]}},
            None,
            INVALID + "AttributeValues inside AttributeValueList must be of same type",
        ),
        (
            {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(2), N(1)]}},
            None,
            "The BETWEEN condition was provided a range where the lower bound is greater than "
            "the upper bound",
        ),
        ({"a": {"Value": {"SS": []}}}, None, INVALID + "An string set  may not be empty"),
    ],
)
def test_expected_validation(ddb, expected, operator, message):
    kwargs = {}
    if expected is not None:
        kwargs["Expected"] = expected
    if operator is not None:
        kwargs["ConditionalOperator"] = operator
    assert failure(lambda: ddb.delete_item(TableName="nowhere", Key=K("a"), **kwargs)) == message


@pytest.mark.parametrize(
    ("operation", "kwargs", "legacy", "expression"),
    [
        (
            "put_item",
            {
                "Item": K("a"),
                "Expected": {"pk": {"Exists": False}},
                "ConditionExpression": "attribute_not_exists(pk)",
            },
            "Expected",
            "ConditionExpression",
        ),
        (
            "delete_item",
            {"Key": K("a"), "ConditionalOperator": "AND", "ConditionExpression": "a = a"},
            "ConditionalOperator",
            "ConditionExpression",
        ),
        (
            "update_item",
            {
                "Key": K("a"),
                "AttributeUpdates": {"a": {"Value": S("v"), "Action": "PUT"}},
                "Expected": {"a": {"Exists": False}},
                "ConditionalOperator": "AND",
                "UpdateExpression": "SET a = :v",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":v": S("x")},
            },
            "AttributeUpdates, Expected, ConditionalOperator",
            "UpdateExpression, ConditionExpression",
        ),
        (
            "update_item",
            {
                "Key": K("a"),
                "AttributeUpdates": {"a": {"Value": S("v")}},
                "UpdateExpression": "SET a = :v",
                "ExpressionAttributeValues": {":v": S("x")},
            },
            "AttributeUpdates",
            "UpdateExpression",
        ),
    ],
)
def test_legacy_and_expression_parameters_do_not_mix(ddb, operation, kwargs, legacy, expression):
    call = lambda: getattr(ddb, operation)(TableName="items", **kwargs)  # noqa: E731
    assert failure(call) == (
        "Can not use both expression and non-expression parameters in the same request: "
        f"Non-expression parameters: {{{legacy}}} Expression parameters: {{{expression}}}"
    )


def test_attribute_updates_put_add_and_delete(ddb):
    ddb.put_item(
        TableName="items",
        Item={
            **K("au"),
            "n": N(10),
            "ss": {"SS": ["a", "b", "c"]},
            "l": {"L": [S("x")]},
            "drop": S("me"),
        },
    )
    response = ddb.update_item(
        TableName="items",
        Key=K("au"),
        AttributeUpdates={
            "name": {"Value": S("new")},  # no Action: PUT
            "n": {"Action": "ADD", "Value": N("-2.5")},
            "counter": {"Action": "ADD", "Value": N(3)},
            "ss": {"Action": "DELETE", "Value": {"SS": ["b", "zz"]}},
            "tags": {"Action": "ADD", "Value": {"SS": ["t"]}},
            "l": {"Action": "ADD", "Value": {"L": [S("y")]}},
            "drop": {"Action": "DELETE"},
            "never": {"Action": "DELETE", "Value": {"NS": ["1"]}},
        },
        ReturnValues="UPDATED_NEW",
    )
    assert response["Attributes"] == {
        "name": S("new"),
        "n": N("7.5"),
        "counter": N(3),
        "ss": {"SS": ["a", "c"]},
        "tags": {"SS": ["t"]},
        "l": {"L": [S("x"), S("y")]},
    }
    item = get(ddb, "au")
    assert "drop" not in item and "never" not in item
    assert item["n"] == N("7.5")


def test_attribute_updates_with_expected(ddb):
    ddb.put_item(TableName="items", Item={**K("v"), "version": N(1)})
    bump = lambda version: ddb.update_item(  # noqa: E731
        TableName="items",
        Key=K("v"),
        AttributeUpdates={"version": {"Action": "ADD", "Value": N(1)}},
        Expected={"version": {"Value": N(version)}},
        ReturnValues="ALL_NEW",
    )
    assert bump(1)["Attributes"]["version"] == N(2)
    failure(lambda: bump(1), "ConditionalCheckFailedException")
    assert get(ddb, "v")["version"] == N(2)


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        (
            {"pk": {"Value": S("x")}},
            INVALID + "Cannot update attribute pk. This attribute is part of the key",
        ),
        (
            {"pk": {"Action": "DELETE"}},
            INVALID + "Cannot update attribute pk. This attribute is part of the key",
        ),
        (
            {"a": {"Action": "PUT"}},
            INVALID + "Only DELETE action is allowed when no attribute value is specified",
        ),
        (
            {"a": {"Action": "DELETE", "Value": S("x")}},
            INVALID + "DELETE action with value is not supported for the type S",
        ),
        (
            {"a": {"Action": "ADD", "Value": {"M": {}}}},
            INVALID + "ADD action is not supported for the type M",
        ),
        (
            {"a": {"Action": "ADD", "Value": {"BOOL": True}}},
            INVALID + "ADD action is not supported for the type BOOL",
        ),
        (
            {"a": {"Action": "REPLACE", "Value": S("x")}},
            "1 validation error detected: Value "
            "'REPLACE' at 'attributeUpdates.a.member.action' failed to satisfy constraint: Member "
            "must satisfy enum value set: [ADD, PUT, DELETE]",
        ),
        ({"a": {"Value": {"SS": []}}}, INVALID + "An string set  may not be empty"),
        (
            {"a": {"Value": S("x")}, "b": {"Action": "ADD", "Value": S("y")}},
            INVALID + "ADD action is not supported for the type S",
        ),
    ],
)
def test_attribute_updates_validation(ddb, updates, message):
    call = lambda: ddb.update_item(TableName="items", Key=K("x"), AttributeUpdates=updates)  # noqa: E731
    assert failure(call) == message


@pytest.mark.parametrize(
    "update",
    [
        {"n": {"Action": "ADD", "Value": {"SS": ["a"]}}},
        {"s": {"Action": "ADD", "Value": N(1)}},
        {"s": {"Action": "ADD", "Value": {"L": [N(1)]}}},
        {"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    ],
)
def test_attribute_updates_on_a_value_of_another_type(ddb, update):
    ddb.put_item(TableName="items", Item={**K("t"), "n": N(1), "s": S("x"), "ss": {"SS": ["a"]}})
    call = lambda: ddb.update_item(TableName="items", Key=K("t"), AttributeUpdates=update)  # noqa: E731
    assert failure(call) == "Type mismatch for attribute to update"


def test_attribute_updates_check_index_key_types(ddb):
    call = lambda: ddb.update_item(  # noqa: E731
        TableName="events",
        Key={"pk": S("p"), "sk": N(1)},
        AttributeUpdates={"c": {"Value": N(1)}},
    )
    assert failure(call) == (
        INVALID + "Type mismatch for Index Key c Expected: S Actual: N IndexName: by_c"
    )
