"""Unit tests of DynamoDB attribute values: validation, numbers, ordering and sizes.

These test the functions of ``fakeaws.services.dynamodb.types`` (and
``item_size``) directly; the behaviour a boto3 client sees is tested through
the client in the other DynamoDB test files.

Where an expected message or size comes from a measurement against DynamoDB,
the comment says whose; sizes computed by hand show their arithmetic, using
the developer guide's rules ("DynamoDB item sizes and formats").
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from fakeaws.errors import AWSError
from fakeaws.services.dynamodb import item_size as sizes
from fakeaws.services.dynamodb import types
from fakeaws.services.dynamodb.types import (
    MAX_ITEM_BYTES,
    MSG_EMPTY_SET,
    MSG_EMPTY_VALUE,
    MSG_HASH_KEY_TOO_LONG,
    MSG_ITEM_TOO_LARGE,
    MSG_KEY_MISMATCH,
    MSG_MULTIPLE_TYPES,
    MSG_NESTING,
    MSG_NOT_A_NUMBER,
    MSG_NS_DUPLICATES,
    MSG_NULL_NOT_TRUE,
    MSG_OVERFLOW,
    MSG_RANGE_KEY_TOO_LONG,
    MSG_TOO_MANY_DIGITS,
    MSG_UNDERFLOW,
    compare,
    copy_item,
    copy_value,
    equal,
    format_number,
    item_size,
    key_size,
    normalize_number,
    number_size,
    sort_key,
    to_decimal,
    validate_item,
    validate_key_attributes,
    validate_value,
    value_size,
    value_type,
)

INVALID = "One or more parameter values were invalid: "


def validation_message(fn, *args, **kwargs) -> str:
    """The message of the ValidationException ``fn`` raises (and that it is one)."""
    with pytest.raises(AWSError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == "ValidationException"
    assert caught.value.status == 400
    return caught.value.message


def deep(levels: int, leaf: dict, kind: str = "M") -> dict:
    """``leaf`` wrapped in ``levels`` maps (or lists): the leaf is at level ``levels + 1``."""
    value = leaf
    for _ in range(levels):
        value = {"M": {"n": value}} if kind == "M" else {"L": [value]}
    return value


# --- the exact texts ----------------------------------------------------------------------


def test_messages_keep_aws_wording() -> None:
    # AWS's odd spellings are the point: double spaces, "An number", "of2048".
    assert MSG_EMPTY_SET["NS"] == INVALID + "An number set  may not be empty"
    assert MSG_EMPTY_SET["SS"] == INVALID + "An string set  may not be empty"
    assert MSG_EMPTY_SET["BS"] == INVALID + "Binary sets should not be empty"
    assert MSG_HASH_KEY_TOO_LONG == (
        INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
    )
    assert MSG_RANGE_KEY_TOO_LONG == (
        INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
    )
    assert MSG_MULTIPLE_TYPES == (
        "Supplied AttributeValue has more than one datatypes set, "
        "must contain exactly one of the supported datatypes"
    )
    assert MSG_ITEM_TOO_LARGE == "Item size has exceeded the maximum allowed size"
    assert MAX_ITEM_BYTES == 409_600


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0", "0"),
        ("-0", "0"),
        ("0.000", "0"),
        ("-0e10", "0"),
        ("1", "1"),
        ("007.50", "7.5"),
        ("+5", "5"),
        (".5", "0.5"),
        ("5.", "5"),
        ("1E+3", "1000"),
        ("1e3", "1000"),
        ("-1.5e-3", "-0.0015"),
        ("100", "100"),
        ("123.4500", "123.45"),
        # dynalite's "should put really long numbers", which real DynamoDB returned like this
        ("0000012345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        (
            "-00001.23456789012345678901234567890123456780000",
            "-1.2345678901234567890123456789012345678",
        ),
        ("0009.99999999999999999999999999999999999990000e125", "9" * 38 + "0" * 88),
        ("-0009.99999999999999999999999999999999999990000e125", "-" + "9" * 38 + "0" * 88),
        ("0001.000e-130", "0." + "0" * 129 + "1"),
        ("-0001.000e-130", "-0." + "0" * 129 + "1"),
    ],
)
def test_normalize_number(text: str, canonical: str) -> None:
    assert normalize_number(text) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", MSG_NOT_A_NUMBER),  # empty: no colon, no value (dynalite's AWS capture)
        ("b", MSG_NOT_A_NUMBER + ": b"),
        ("1_000", MSG_NOT_A_NUMBER + ": 1_000"),  # Python would accept it; DynamoDB does not
        (" 1", MSG_NOT_A_NUMBER + ":  1"),
        ("1 ", MSG_NOT_A_NUMBER + ": 1 "),
        ("NaN", MSG_NOT_A_NUMBER + ": NaN"),
        ("Infinity", MSG_NOT_A_NUMBER + ": Infinity"),
        ("0x10", MSG_NOT_A_NUMBER + ": 0x10"),
        ("\u0661", MSG_NOT_A_NUMBER + ": \u0661"),  # an Arabic-Indic digit one
        ("1e", MSG_NOT_A_NUMBER + ": 1e"),
        (".", MSG_NOT_A_NUMBER + ": ."),
        ("123456789012345678901234567890123456789", MSG_TOO_MANY_DIGITS),  # 39 digits
        ("-1.23456789012345678901234567890123456789", MSG_TOO_MANY_DIGITS),
        ("1e126", MSG_OVERFLOW),
        ("-1e126", MSG_OVERFLOW),
        ("1e99999999999999999999999", MSG_OVERFLOW),
        ("1e-131", MSG_UNDERFLOW),
        ("-1e-131", MSG_UNDERFLOW),
        ("1e-99999999999999999999999", MSG_UNDERFLOW),
        # Range is checked before digits (dynalite's order of checks).
        ("1" * 39 + "e200", MSG_OVERFLOW),
    ],
)
def test_normalize_number_rejects(text: str, message: str) -> None:
    assert validation_message(normalize_number, text) == message


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0E-5"), "0"),
        (Decimal("-0"), "0"),
        (Decimal("1.50") + Decimal("1.50"), "3"),
        (Decimal("1") / Decimal("8"), "0.125"),
        (Decimal("9.9E+125"), "99" + "0" * 124),
    ],
)
def test_format_number(value: Decimal, text: str) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("1E+126"), MSG_OVERFLOW),
        (Decimal("1E-131"), MSG_UNDERFLOW),
        (Decimal("1" * 39), MSG_TOO_MANY_DIGITS),
        (Decimal("NaN"), MSG_NOT_A_NUMBER + ": NaN"),
    ],
)
def test_format_number_rejects(value: Decimal, message: str) -> None:
    assert validation_message(format_number, value) == message


def test_to_decimal_is_exact() -> None:
    assert to_decimal("12345678901234567890123456789012345678") == Decimal(
        "12345678901234567890123456789012345678"
    )
    assert to_decimal("0.1") + to_decimal("0.2") == Decimal("0.3")


# --- validate_value -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"S": "x"}, {"S": "x"}),
        ({"S": ""}, {"S": ""}),  # empty strings are fine outside keys (since 2020)
        ({"B": b""}, {"B": b""}),
        ({"B": b"\x00\xff"}, {"B": b"\x00\xff"}),
        ({"B": "abc"}, {"B": b"abc"}),  # botocore sends a str blob as its UTF-8 bytes
        ({"B": bytearray(b"ab")}, {"B": b"ab"}),
        ({"N": "007.50"}, {"N": "7.5"}),
        ({"N": "-0"}, {"N": "0"}),
        ({"BOOL": False}, {"BOOL": False}),
        ({"NULL": True}, {"NULL": True}),
        ({"SS": ["b", "a", ""]}, {"SS": ["b", "a", ""]}),  # empty members too
        ({"NS": ["1.0", "-2", "3e2"]}, {"NS": ["1", "-2", "300"]}),
        ({"BS": ["a", bytearray(b"b"), b""]}, {"BS": [b"a", b"b", b""]}),
        ({"M": {}}, {"M": {}}),
        ({"L": []}, {"L": []}),
        (
            {"L": [{"S": ""}, {"M": {}}, {"L": []}, {"N": "1.00"}]},
            {"L": [{"S": ""}, {"M": {}}, {"L": []}, {"N": "1"}]},
        ),
        (
            {"M": {"a": {"M": {"b": {"NS": ["01"]}}}, "": {"B": "x"}}},
            {"M": {"a": {"M": {"b": {"NS": ["1"]}}}, "": {"B": b"x"}}},
        ),
    ],
)
def test_validate_value_normalizes(value: dict, expected: dict) -> None:
    result = validate_value(value)
    assert result == expected
    assert type(next(iter(result.values()))) is type(next(iter(expected.values())))


def test_validate_value_returns_a_deep_copy() -> None:
    value = {"M": {"l": {"L": [{"S": "a"}]}, "s": {"SS": ["x"]}}}
    result = validate_value(value)
    result["M"]["l"]["L"].append({"S": "b"})
    result["M"]["s"]["SS"].append("y")
    assert value == {"M": {"l": {"L": [{"S": "a"}]}, "s": {"SS": ["x"]}}}


# Each message as DynamoDB sends it for an Item or Key value (dynalite's captures,
# test/getItem.js, putItem.js, batchWriteItem.js "validations").
INVALID_VALUES = [
    ({}, MSG_EMPTY_VALUE),
    ({"M": {"a": {}}}, MSG_EMPTY_VALUE),
    ({"L": [{}]}, MSG_EMPTY_VALUE),
    ({"S": "a", "N": "1"}, MSG_MULTIPLE_TYPES),
    ({"BOOL": True, "NULL": True}, MSG_MULTIPLE_TYPES),
    # A member's own problem is reported before "more than one datatypes".
    ({"S": "a", "N": ""}, MSG_NOT_A_NUMBER),
    ({"S": "a", "N": "b"}, MSG_NOT_A_NUMBER + ": b"),
    ({"N": "1e126"}, MSG_OVERFLOW),
    ({"NULL": False}, INVALID + "Null attribute value types must have the value of true"),
    ({"L": [{"NULL": False}]}, MSG_NULL_NOT_TRUE),
    ({"SS": []}, INVALID + "An string set  may not be empty"),
    ({"NS": []}, INVALID + "An number set  may not be empty"),
    ({"BS": []}, INVALID + "Binary sets should not be empty"),
    ({"M": {"x": {"SS": []}}}, MSG_EMPTY_SET["SS"]),
    ({"SS": ["a", "a"]}, INVALID + "Input collection [a, a] contains duplicates."),
    ({"SS": ["a", "b", "a"]}, INVALID + "Input collection [a, b, a] contains duplicates."),
    (
        {"BS": [b"b", b"b"]},
        INVALID + "Input collection [Yg==, Yg==]of type BS contains duplicates.",
    ),
    ({"BS": ["b", b"b"]}, INVALID + "Input collection [Yg==, Yg==]of type BS contains duplicates."),
    ({"NS": ["1", ""]}, MSG_NOT_A_NUMBER),
    ({"NS": ["1", "b"]}, MSG_NOT_A_NUMBER + ": b"),
    ({"NS": ["1", "1"]}, "Input collection contains duplicates"),
    ({"NS": ["1", "1.0"]}, MSG_NS_DUPLICATES),  # duplicates by value, not by text
    ({"NS": ["1e126", "1e126"]}, MSG_OVERFLOW),  # each number checked before duplicates
]


@pytest.mark.parametrize(("value", "message"), INVALID_VALUES)
def test_validate_value_rejects(value: dict, message: str) -> None:
    assert validation_message(validate_value, value) == message


@pytest.mark.parametrize(("value", "message"), INVALID_VALUES)
def test_validate_value_wraps_expression_attribute_values(value: dict, message: str) -> None:
    # dynalite validations/index.js validateExpressions: every value message, wrapped.
    assert validation_message(validate_value, value, where=":v") == (
        f"ExpressionAttributeValues contains invalid value: {message} for key :v"
    )


def test_validate_value_where_examples() -> None:
    assert validation_message(validate_value, {"NS": []}, where=":nums") == (
        "ExpressionAttributeValues contains invalid value: One or more parameter values were "
        "invalid: An number set  may not be empty for key :nums"
    )
    assert validation_message(validate_value, {}, where=":v") == (
        "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, "
        "must contain exactly one of the supported datatypes for key :v"
    )
    # Empty strings are fine as expression values too (a key comparison refuses them later).
    assert validate_value({"S": ""}, where=":v") == {"S": ""}


@pytest.mark.parametrize("where", ["Item", "pk", "#name", "ExpressionAttributeValues"])
def test_validate_value_refuses_unknown_where(where: str) -> None:
    with pytest.raises(ValueError, match="where"):
        validate_value({"S": "x"}, where=where)


# --- nesting ------------------------------------------------------------------------------
# Captured against eu-west-2 (2026): an attribute is level 1; a leaf at level 32 (31 maps
# around it) is stored, a leaf at level 33 is refused, for items and expression values alike.


@pytest.mark.parametrize("kind", ["M", "L"])
def test_nesting_up_to_32_levels_is_accepted(kind: str) -> None:
    value = deep(31, {"S": "leaf"}, kind)
    assert validate_value(value) == value
    assert validate_value(deep(31, {"M": {}}, kind)) == deep(31, {"M": {}}, kind)


@pytest.mark.parametrize("kind", ["M", "L"])
@pytest.mark.parametrize("leaf", [{"S": "leaf"}, {"M": {}}, {"L": []}, {"NULL": True}])
def test_nesting_beyond_32_levels_is_refused(kind: str, leaf: dict) -> None:
    assert validation_message(validate_value, deep(32, leaf, kind)) == MSG_NESTING
    item = {"pk": {"S": "k"}, "data": deep(32, leaf, kind)}
    assert validation_message(validate_item, item) == MSG_NESTING


def test_nesting_message_is_not_wrapped_for_expression_values() -> None:
    assert validation_message(validate_value, deep(40, {"S": "x"}), where=":v") == MSG_NESTING
    assert MSG_NESTING.startswith("Nesting Levels have exceeded supported limits")


# --- validate_item ------------------------------------------------------------------------


def test_validate_item_normalizes_each_attribute() -> None:
    item = {"pk": {"S": "a"}, "n": {"N": "01.10"}, "e": {"S": ""}, "b": {"B": "hi"}}
    assert validate_item(item) == {
        "pk": {"S": "a"},
        "n": {"N": "1.1"},
        "e": {"S": ""},
        "b": {"B": b"hi"},
    }


@pytest.mark.parametrize(("value", "message"), INVALID_VALUES[:8])
def test_validate_item_reports_bare_value_messages(value: dict, message: str) -> None:
    assert validation_message(validate_item, {"pk": {"S": "a"}, "x": value}) == message


def test_item_of_exactly_400_kb_is_accepted_and_one_byte_more_is_not() -> None:
    # "a" (1) + "k" (1) + "b" (1) + filler: the filler makes the item exactly 409,600 bytes.
    filler = "x" * (MAX_ITEM_BYTES - 3)
    assert item_size(validate_item({"a": {"S": "k"}, "b": {"S": filler}})) == MAX_ITEM_BYTES
    too_big = {"a": {"S": "k"}, "b": {"S": filler + "x"}}
    assert validation_message(validate_item, too_big) == MSG_ITEM_TOO_LARGE
    # Names count too: a longer name tips the same value over.
    renamed = {"a": {"S": "k"}, "bb": {"S": filler}}
    assert validation_message(validate_item, renamed) == MSG_ITEM_TOO_LARGE


# dynalite's test/putItem.js builds items whose size, by its measurements against real
# DynamoDB, is exactly 409,601 bytes ("too big") or 409,600 ("just small enough"), with a
# number whose size is the point: 1e125 is 2 bytes, 1.1e125 is 2, 1.1111e125 is 4,
# 1.11111e125 is 4, 1.111111e125 is 5, and 38 ones times 10^88 is 20.
@pytest.mark.parametrize(
    ("number", "number_bytes"),
    [
        ("1" + "0" * 125, 2),
        ("11" + "0" * 124, 2),
        ("11111" + "0" * 121, 4),
        ("111111" + "0" * 120, 4),
        ("1111111" + "0" * 119, 5),
        ("1" * 38 + "0" * 88, 20),
    ],
)
def test_measured_number_sizes_at_the_item_limit(number: str, number_bytes: int) -> None:
    # Item {a: S "k", b: S filler, c: N number}: names 3 bytes + "k" 1 + filler + number.
    filler = "x" * (MAX_ITEM_BYTES - 3 - 1 - number_bytes)
    validate_item({"a": {"S": "k"}, "b": {"S": filler}, "c": {"N": number}})
    too_big = {"a": {"S": "k"}, "b": {"S": filler + "x"}, "c": {"N": number}}
    assert validation_message(validate_item, too_big) == MSG_ITEM_TOO_LARGE


def test_measured_two_numbers_at_the_item_limit() -> None:
    # dynalite: two 7-digit numbers at 10^125 are 5 bytes each; names a, b, c, d are 4 bytes.
    number = {"N": "1111111" + "0" * 119}
    filler = "x" * (MAX_ITEM_BYTES - 4 - 1 - 5 - 5)
    validate_item({"a": {"S": "k"}, "b": {"S": filler}, "c": number, "d": number})
    too_big = {"a": {"S": "k"}, "b": {"S": filler + "x"}, "c": number, "d": number}
    assert validation_message(validate_item, too_big) == MSG_ITEM_TOO_LARGE


# --- sizes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        # 1 exponent byte + one byte per base-100 digit (pairs aligned on the decimal
        # point) + 1 terminator byte if negative; zero is a single byte.
        ("0", 1),
        ("-0.000", 1),
        ("1", 2),  # 01                -> 1 + 1
        ("-1", 3),  # 01, negative     -> 1 + 1 + 1
        ("10", 2),  # 10               -> 1 + 1
        ("100", 2),  # 01|00, trailing zeros trimmed: one digit pair -> 1 + 1
        ("12", 2),  # 12               -> 1 + 1
        ("123", 3),  # 01|23           -> 1 + 2
        ("1.2", 3),  # 01.20           -> 1 + 2
        ("12.3", 3),  # 12.30          -> 1 + 2
        ("0.5", 2),  # .50             -> 1 + 1
        ("0.05", 2),  # .05            -> 1 + 1
        ("0.005", 2),  # .00|50        -> 1 + 1 (leading zeros are not stored)
        ("12345", 4),  # 01|23|45      -> 1 + 3
        ("-12345", 5),  # + terminator -> 1 + 3 + 1
        ("123456", 4),  # 12|34|56     -> 1 + 3
        ("1" * 38, 20),  # 38 digits, even exponent 37: 19 pairs -> 1 + 19
        ("1" * 37, 20),  # 37 digits from 10^36: 01|11|..|11 = 19 pairs -> 1 + 19
        ("0." + "1" * 38, 20),  # .11|11|.. 19 pairs -> 1 + 19
        ("1." + "1" * 37, 21),  # 01.11|..|10: 20 pairs -> 1 + 20
        ("9.99e125", 3),  # 99.9 x 10^124: 99|90 -> 1 + 2
        ("1e-130", 2),
    ],
)
def test_number_size(text: str, size: int) -> None:
    assert number_size(text) == size
    assert value_size({"N": text}) == size


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"S": ""}, 0),
        ({"S": "hello"}, 5),
        ({"S": "\u00e9"}, 2),  # é is 2 bytes in UTF-8
        ({"S": "\u20ac"}, 3),  # € is 3
        ({"S": "\U0001f600"}, 4),  # an emoji is 4 (one code point, two UTF-16 units)
        ({"B": b""}, 0),
        ({"B": b"\x00\x01\x02"}, 3),  # raw bytes, not the base64 text
        ({"B": "abc"}, 3),
        ({"BOOL": False}, 1),
        ({"NULL": True}, 1),
        ({"L": []}, 3),  # empty List: 3 bytes of overhead
        ({"M": {}}, 3),
        ({"L": [{"S": "ab"}, {"N": "1"}]}, 9),  # 3 + (1 + 2) + (1 + 2)
        ({"M": {"ab": {"S": "xyz"}}}, 9),  # 3 + (1 + len("ab") 2 + 3)
        ({"M": {"\u00e9": {"NULL": True}}}, 7),  # 3 + (1 + 2 + 1)
        ({"M": {"l": {"L": [{"BOOL": True}]}}}, 10),  # list 3 + (1 + 1) = 5; map 3 + (1 + 1 + 5)
        ({"L": [{"L": []}, {"M": {}}]}, 11),  # 3 + (1 + 3) + (1 + 3)
        ({"SS": ["a", "bc", ""]}, 3),  # sets: elements only, 1 + 2 + 0
        ({"NS": ["1", "-1", "123"]}, 8),  # 2 + 3 + 3
        ({"BS": [b"ab", b"", b"\xff"]}, 3),
    ],
)
def test_value_size(value: dict, size: int) -> None:
    assert value_size(value) == size


@pytest.mark.parametrize(
    ("item", "size"),
    [
        ({}, 0),
        # "pk" 2 + "user#1" 6 + "age" 3 + 42 (one base-100 digit + exponent byte) 2 = 13
        ({"pk": {"S": "user#1"}, "age": {"N": "42"}}, 13),
        ({"\u00e9": {"BOOL": True}}, 3),  # a name's UTF-8 bytes: 2 + 1
        # "tags" 4 + SS 3 + 5 = 12; "doc" 3 + map 3 + (1 + "n" 1 + 2) = 10 -> 22
        ({"tags": {"SS": ["red", "green"]}, "doc": {"M": {"n": {"N": "7"}}}}, 22),
        # The example of the ddbitemsizer README, a port of Zac Charles's DynamoDB item size
        # calculator, which it reports as 141 bytes: strings 12 + 9 + 19 + 25 + 14 + 25 + 25,
        # and "expiresAt" 9 + 2099 (20|99 + exponent byte) 3.
        (
            {
                "itemType": {"S": "SLOT"},
                "id": {"S": "abc1231"},
                "hostName": {"S": "Harry Mason"},
                "timeSlot": {"S": "February 23, 1999"},
                "slotStatus": {"S": "OPEN"},
                "createdAt": {"S": "February 1, 1999"},
                "updatedAt": {"S": "February 1, 1999"},
                "expiresAt": {"N": "2099"},
            },
            141,
        ),
    ],
)
def test_item_size(item: dict, size: int) -> None:
    assert item_size(item) == size


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"S": "a" * 2048}, 2048),
        ({"S": "\u00e9" * 1024}, 2048),  # bytes, not characters
        ({"B": b"\x00" * 1024}, 1024),
        ({"N": "1" * 38}, 20),  # a number never comes near the limits
    ],
)
def test_key_size(value: dict, size: int) -> None:
    assert key_size(value) == size


def test_value_size_refuses_non_values() -> None:
    with pytest.raises(ValueError):
        value_size({"X": 1})


def test_sizes_are_re_exported_from_types() -> None:
    assert types.item_size is sizes.item_size
    assert types.MAX_ITEM_BYTES == sizes.MAX_ITEM_BYTES == 400 * 1024


# --- validate_key_attributes --------------------------------------------------------------

COMPOSITE = [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"},
]
TYPES = {"pk": "S", "sk": "N", "gsi_pk": "S"}
BINARY = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
BINARY_TYPES = {"pk": "B", "sk": "B"}
GOOD = {"pk": {"S": "a"}, "sk": {"N": "1"}}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({}, INVALID + "Missing the key pk in the item"),
        ({"pk": {"S": "a"}}, INVALID + "Missing the key sk in the item"),
        ({"sk": {"N": "1"}, "x": {"S": "a"}}, INVALID + "Missing the key pk in the item"),
        (
            {"pk": {"N": "1"}, "sk": {"N": "1"}},
            INVALID + "Type mismatch for key pk expected: S actual: N",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"S": "1"}},
            INVALID + "Type mismatch for key sk expected: N actual: S",
        ),
        (
            {"pk": {"SS": ["a"]}, "sk": {"N": "1"}},
            INVALID + "Type mismatch for key pk expected: S actual: SS",
        ),
        (
            {"pk": {"NULL": True}, "sk": {"N": "1"}},
            INVALID + "Type mismatch for key pk expected: S actual: NULL",
        ),
        (
            {"pk": {"S": ""}, "sk": {"N": "1"}},
            "One or more parameter values are not valid. The AttributeValue for a key "
            "attribute cannot contain an empty string value. Key: pk",
        ),
        # The partition key is checked first, whole, before the sort key.
        (
            {"pk": {"S": ""}},
            "One or more parameter values are not valid. The AttributeValue for a key "
            "attribute cannot contain an empty string value. Key: pk",
        ),
        ({"pk": {"S": "a" * 2049}, "sk": {"N": "1"}}, MSG_HASH_KEY_TOO_LONG),
        ({"pk": {"S": "\u00e9" * 1024 + "a"}, "sk": {"N": "1"}}, MSG_HASH_KEY_TOO_LONG),
    ],
)
def test_item_key_attributes_rejected(item: dict, message: str) -> None:
    got = validation_message(validate_key_attributes, item, COMPOSITE, TYPES, what="item")
    assert got == message


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"pk": {"B": b""}, "sk": {"B": b"x"}},
            "One or more parameter values are not valid. The AttributeValue for a key "
            "attribute cannot contain an empty binary value. Key: pk",
        ),
        (
            {"pk": {"B": b"x"}, "sk": {"B": b""}},
            "One or more parameter values are not valid. The AttributeValue for a key "
            "attribute cannot contain an empty binary value. Key: sk",
        ),
        ({"pk": {"B": b"x" * 2049}, "sk": {"B": b"x"}}, MSG_HASH_KEY_TOO_LONG),
        ({"pk": {"B": b"x"}, "sk": {"B": b"x" * 1025}}, MSG_RANGE_KEY_TOO_LONG),
        ({"pk": {"B": b"x"}, "sk": {"B": "\u00e9" * 512 + "a"}}, MSG_RANGE_KEY_TOO_LONG),
    ],
)
def test_binary_key_attributes_rejected(item: dict, message: str) -> None:
    for what in ("item", "key"):
        got = validation_message(validate_key_attributes, item, BINARY, BINARY_TYPES, what=what)
        assert got == message


@pytest.mark.parametrize(
    ("item", "schema", "attribute_types"),
    [
        (GOOD, COMPOSITE, TYPES),
        ({**GOOD, "other": {"SS": ["x"]}, "gsi_pk": {"N": "1"}}, COMPOSITE, TYPES),
        ({"pk": {"S": "a" * 2048}, "sk": {"N": "9" * 38}}, COMPOSITE, TYPES),
        ({"pk": {"S": "\u00e9" * 1024}, "sk": {"N": "-1e-130"}}, COMPOSITE, TYPES),
        ({"pk": {"B": b"x" * 2048}, "sk": {"B": b"x" * 1024}}, BINARY, BINARY_TYPES),
        ({"pk": {"B": b"\x00"}, "sk": {"B": "x" * 1024}}, BINARY, BINARY_TYPES),
    ],
)
def test_valid_item_keys_pass(item: dict, schema: list, attribute_types: dict) -> None:
    assert validate_key_attributes(item, schema, attribute_types, what="item") is None


@pytest.mark.parametrize(
    "key",
    [
        {},
        {"pk": {"S": "a"}},  # sort key missing
        {"sk": {"N": "1"}},
        {"pk": {"S": "a"}, "x": {"N": "1"}},  # right count, wrong name
        {**GOOD, "extra": {"S": "x"}},  # an extra attribute
        {"pk": {"N": "1"}, "sk": {"N": "1"}},  # wrong type
        {"pk": {"S": "a"}, "sk": {"S": "1"}},
        {"pk": {"M": {}}, "sk": {"N": "1"}},
        {"pk": {"S": "a"}, "sk": {"NS": ["1"]}},
    ],
)
def test_key_parameter_not_matching_the_schema(key: dict) -> None:
    got = validation_message(validate_key_attributes, key, COMPOSITE, TYPES, what="key")
    assert got == MSG_KEY_MISMATCH == "The provided key element does not match the schema"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            {"pk": {"S": ""}, "sk": {"N": "1"}},
            "One or more parameter values are not valid. The AttributeValue for a key "
            "attribute cannot contain an empty string value. Key: pk",
        ),
        ({"pk": {"S": "a" * 2049}, "sk": {"N": "1"}}, MSG_HASH_KEY_TOO_LONG),
    ],
)
def test_key_parameter_values_rejected(key: dict, message: str) -> None:
    got = validation_message(validate_key_attributes, key, COMPOSITE, TYPES, what="key")
    assert got == message


def test_string_sort_key_limit_is_1024_bytes() -> None:
    schema = [{"AttributeName": "h", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}]
    attribute_types = {"h": "N", "r": "S"}
    ok = {"h": {"N": "1"}, "r": {"S": "a" * 1024}}
    assert validate_key_attributes(ok, schema, attribute_types, what="key") is None
    too_long = {"h": {"N": "1"}, "r": {"S": "a" * 1025}}
    got = validation_message(validate_key_attributes, too_long, schema, attribute_types, what="key")
    assert got == MSG_RANGE_KEY_TOO_LONG


def test_hash_only_table_key() -> None:
    schema = [{"AttributeName": "id", "KeyType": "HASH"}]
    assert validate_key_attributes({"id": {"N": "5"}}, schema, {"id": "N"}, what="key") is None
    got = validation_message(
        validate_key_attributes,
        {"id": {"N": "5"}, "x": {"N": "1"}},
        schema,
        {"id": "N"},
        what="key",
    )
    assert got == MSG_KEY_MISMATCH


def test_validate_key_attributes_refuses_unknown_what() -> None:
    with pytest.raises(ValueError, match="what"):
        validate_key_attributes(GOOD, COMPOSITE, TYPES, what="Item")


# --- ordering, equality, copies -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind"),
    [({"S": "a"}, "S"), ({"NS": ["1"]}, "NS"), ({"NULL": True}, "NULL"), ({"M": {}}, "M")],
)
def test_value_type(value: dict, kind: str) -> None:
    assert value_type(value) == kind


@pytest.mark.parametrize(
    ("a", "b", "result"),
    [
        ({"N": "10"}, {"N": "9"}, 1),  # numerically, not as text
        ({"N": "-1"}, {"N": "0.5"}, -1),
        ({"N": "1.0"}, {"N": "1"}, 0),
        ({"S": "a"}, {"S": "b"}, -1),
        ({"S": "Z"}, {"S": "a"}, -1),
        ({"S": "\u00e9"}, {"S": "z"}, 1),  # UTF-8 bytes: C3 A9 > 7A
        ({"S": "\uffff"}, {"S": "\U0001f600"}, -1),  # EF BF BF < F0 9F 98 80 (not UTF-16 order)
        ({"B": b"\xff"}, {"B": b"\x01"}, 1),  # unsigned bytes
        ({"B": b"a"}, {"B": b"ab"}, -1),
        ({"N": "1"}, {"S": "1"}, None),  # different types never compare
        ({"SS": ["a"]}, {"SS": ["a"]}, None),  # nor do non-scalars
        ({"BOOL": True}, {"BOOL": True}, None),
    ],
)
def test_compare(a: dict, b: dict, result: int | None) -> None:
    assert compare(a, b) == result


def test_sort_key_orders_like_dynamodb() -> None:
    numbers = [{"N": n} for n in ["10", "-2", "1.5", "0", "9"]]
    assert [v["N"] for v in sorted(numbers, key=sort_key)] == ["-2", "0", "1.5", "9", "10"]
    strings = [{"S": s} for s in ["b", "\u00e9", "B", "a"]]
    assert [v["S"] for v in sorted(strings, key=sort_key)] == ["B", "a", "b", "\u00e9"]
    with pytest.raises(AWSError):
        sort_key({"BOOL": True})


@pytest.mark.parametrize(
    ("a", "b", "result"),
    [
        ({"N": "1"}, {"N": "1.00"}, True),
        ({"N": "1"}, {"S": "1"}, False),
        ({"S": ""}, {"S": ""}, True),
        ({"B": b"x"}, {"B": b"y"}, False),
        ({"NS": ["1", "2"]}, {"NS": ["2.0", "1"]}, True),  # sets compare as sets
        ({"SS": ["a", "b"]}, {"SS": ["b", "a"]}, True),
        ({"BS": [b"a"]}, {"BS": [b"a", b"b"]}, False),
        ({"L": [{"S": "a"}, {"N": "1"}]}, {"L": [{"S": "a"}, {"N": "1.0"}]}, True),
        ({"L": [{"S": "a"}, {"S": "b"}]}, {"L": [{"S": "b"}, {"S": "a"}]}, False),  # order counts
        ({"M": {"a": {"N": "1"}}}, {"M": {"a": {"N": "01"}}}, True),
        ({"M": {"a": {"N": "1"}}}, {"M": {"b": {"N": "1"}}}, False),
        ({"BOOL": True}, {"BOOL": False}, False),
        ({"NULL": True}, {"NULL": True}, True),
    ],
)
def test_equal(a: dict, b: dict, result: bool) -> None:
    assert equal(a, b) is result
    assert equal(b, a) is result


def test_copies_are_deep() -> None:
    item = {"m": {"M": {"l": {"L": [{"SS": ["a"]}]}}}, "s": {"S": "x"}}
    copied = copy_item(item)
    assert copied == item
    copied["m"]["M"]["l"]["L"][0]["SS"].append("b")
    copied["s"]["S"] = "y"
    assert item == {"m": {"M": {"l": {"L": [{"SS": ["a"]}]}}}, "s": {"S": "x"}}
    value = {"L": [{"M": {}}]}
    other = copy_value(value)
    other["L"][0]["M"]["k"] = {"S": "v"}
    assert value == {"L": [{"M": {}}]}
