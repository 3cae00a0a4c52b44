"""The expression languages end to end: update actions, condition functions and the
validation errors, through real boto3 clients and the resource API (``Key``/``Attr``).

Messages are DynamoDB's; their sources are noted in the expressions package
(dynalite's recorded tests, the nubo-db conformance suite, AWS captures).
"""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

INVALID = "One or more parameter values were invalid: "


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
            TableName="indexed",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "c", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_c",
                    "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
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


def L(*values):
    return {"L": list(values)}


def M(**values):
    return {"M": values}


def K(pk):
    return {"pk": S(pk)}


def failure(call, code="ValidationException"):
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == code
    return caught.value.response["Error"]["Message"]


ITEM = {
    **K("i"),
    "s": S("hello world"),
    "n": N(10),
    "l": L(S("a"), S("b"), S("c"), S("d")),
    "m": M(x=N(1), kid=M(y=S("why"))),
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x01"]},
    "b": {"B": b"\x01\x02\x03"},
    "t": {"BOOL": True},
    "z": {"NULL": True},
}


def updated(ddb, expression, values=None, names=None, item=ITEM):
    """Put ``item``, apply the update, return the item afterwards."""
    ddb.put_item(TableName="items", Item=item)
    kwargs = {}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if names:
        kwargs["ExpressionAttributeNames"] = names
    ddb.update_item(TableName="items", Key=K("i"), UpdateExpression=expression, **kwargs)
    return ddb.get_item(TableName="items", Key=K("i"), ConsistentRead=True)["Item"]


def changes(before, after):
    """What an update changed: {name: new value or None when removed}."""
    names = set(before) | set(after)
    return {n: after.get(n) for n in sorted(names) if before.get(n) != after.get(n)}


# -- the update language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "values", "expected"),
    [
        ("SET n = n + :v", {":v": N("0.5")}, {"n": N("10.5")}),
        ("SET n = :v - n", {":v": N(1)}, {"n": N(-9)}),
        ("SET n = (n - :v)", {":v": N(3)}, {"n": N(7)}),
        ("SET fresh = :v", {":v": S("new")}, {"fresh": S("new")}),
        ("SET n = if_not_exists(n, :v), o = if_not_exists(o, :v)", {":v": N(0)}, {"o": N(0)}),
        ("SET c = if_not_exists(c, :zero) + :one", {":zero": N(0), ":one": N(1)}, {"c": N(1)}),
        (
            "SET l = list_append(l, :v)",
            {":v": L(S("e"))},
            {"l": L(S("a"), S("b"), S("c"), S("d"), S("e"))},
        ),
        (
            "SET l = list_append(:v, l)",
            {":v": L(S("z"))},
            {"l": L(S("z"), S("a"), S("b"), S("c"), S("d"))},
        ),
        (
            "SET nl = list_append(if_not_exists(nl, :empty), :v)",
            {":empty": L(), ":v": L(N(1))},
            {"nl": L(N(1))},
        ),
        ("SET m.x = m.x + :v", {":v": N(4)}, {"m": M(x=N(5), kid=M(y=S("why")))}),
        ("SET m.kid.w = :v", {":v": N(4)}, {"m": M(x=N(1), kid=M(y=S("why"), w=N(4)))}),
        ("SET l[1] = :v", {":v": S("B")}, {"l": L(S("a"), S("B"), S("c"), S("d"))}),
        ("SET l[9] = :v", {":v": S("e")}, {"l": L(S("a"), S("b"), S("c"), S("d"), S("e"))}),
        ("SET s = n, n = s", None, {"s": N(10), "n": S("hello world")}),
        ("REMOVE s, m.kid", None, {"s": None, "m": M(x=N(1))}),
        ("REMOVE l[0], l[2]", None, {"l": L(S("b"), S("d"))}),
        ("REMOVE absent, m.absent, l[10]", None, {}),
        ("ADD n :v", {":v": N(-3)}, {"n": N(7)}),
        ("ADD tally :v", {":v": N(1)}, {"tally": N(1)}),
        ("ADD ss :v", {":v": {"SS": ["b", "c"]}}, {"ss": {"SS": ["a", "b", "c"]}}),
        ("ADD ns :v", {":v": {"NS": ["2.0", "3"]}}, {"ns": {"NS": ["1", "2", "3"]}}),
        ("ADD newset :v", {":v": {"BS": [b"\x09"]}}, {"newset": {"BS": [b"\x09"]}}),
        ("DELETE ss :v", {":v": {"SS": ["a", "zz"]}}, {"ss": {"SS": ["b"]}}),
        ("DELETE ns :v", {":v": {"NS": ["1", "2"]}}, {"ns": None}),
        ("DELETE absent :v", {":v": {"SS": ["a"]}}, {}),
        (
            "delete ss :d add n :one remove s set t = :one",
            {":d": {"SS": ["a"]}, ":one": N(1)},
            {"ss": {"SS": ["b"]}, "n": N(11), "s": None, "t": N(1)},
        ),
        (
            "ADD n :one SET t = n REMOVE z DELETE ss :d",
            {":d": {"SS": ["b"]}, ":one": N(1)},
            {"ss": {"SS": ["a"]}, "n": N(11), "z": None, "t": N(10)},
        ),
    ],
)
def test_update_actions(ddb, expression, values, expected):
    after = updated(ddb, expression, values)
    assert changes(ITEM, after) == expected


def test_update_with_names_for_reserved_words_and_odd_characters(ddb):
    after = updated(
        ddb,
        "SET #status = :v, #dotted = :v, #m.#sub.#y = :v",
        {":v": S("ok")},
        {"#status": "status", "#dotted": "a.b", "#m": "m", "#sub": "kid", "#y": "y"},
    )
    assert after["status"] == S("ok")
    assert after["a.b"] == S("ok")  # one attribute named "a.b", not a path
    assert after["m"] == M(x=N(1), kid=M(y=S("ok")))


def test_update_through_the_resource_api(table):
    table.put_item(Item={"pk": "r", "n": 1, "tags": {"a"}, "items": ["x"]})
    response = table.update_item(
        Key={"pk": "r"},
        UpdateExpression="SET n = n + :inc, #i = list_append(#i, :more) ADD tags :tag",
        ExpressionAttributeNames={"#i": "items"},
        ExpressionAttributeValues={":inc": Decimal("1.25"), ":more": ["y"], ":tag": {"b"}},
        ConditionExpression=Attr("n").lt(2) & Attr("tags").contains("a"),
        ReturnValues="ALL_NEW",
    )
    assert response["Attributes"] == {
        "pk": "r",
        "n": Decimal("2.25"),
        "tags": {"a", "b"},
        "items": ["x", "y"],
    }


def test_every_action_reads_the_item_as_it_was_before_the_update(ddb):
    after = updated(ddb, "SET a = :v, b = a", {":v": S("NEW")}, item={**K("i"), "a": S("OLD")})
    assert after["a"] == S("NEW") and after["b"] == S("OLD")


# -- errors that depend on the item -------------------------------------------------------------

INVALID_PATH = "The document path provided in the update expression is invalid for update"
MISSING = "The provided expression refers to an attribute that does not exist in the item"
WRONG_TYPE = "An operand in the update expression has an incorrect data type"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("SET nope.child = :one", INVALID_PATH),
        ("SET s.child = :one", INVALID_PATH),
        ("SET m[0] = :one", INVALID_PATH),
        ("SET l[9].x = :one", INVALID_PATH),
        ("REMOVE nope.child", INVALID_PATH),
        ("ADD nope.n :one", INVALID_PATH),
        ("SET a = nope", MISSING),
        ("SET a = nope + :one", MISSING),
        ("SET a = list_append(nope, l)", MISSING),
        ("SET a = s + :one", WRONG_TYPE),
        ("SET a = list_append(s, l)", WRONG_TYPE),
        ("ADD s :one", WRONG_TYPE),
        ("ADD ss :ns", WRONG_TYPE),
        ("DELETE ss :ns", WRONG_TYPE),
        ("DELETE n :ns", WRONG_TYPE),
    ],
)
def test_update_errors_that_depend_on_the_item(ddb, expression, message):
    values = {k: v for k, v in {":one": N(1), ":ns": {"NS": ["1"]}}.items() if k in expression}
    ddb.put_item(TableName="items", Item=ITEM)
    call = lambda: ddb.update_item(  # noqa: E731
        TableName="items",
        Key=K("i"),
        UpdateExpression=expression,
        **({"ExpressionAttributeValues": values} if values else {}),
    )
    assert failure(call) == message
    assert ddb.get_item(TableName="items", Key=K("i"))["Item"] == ITEM


def test_nested_path_in_an_item_that_does_not_exist(ddb):
    call = lambda: ddb.update_item(  # noqa: E731
        TableName="items",
        Key=K("ghost"),
        UpdateExpression="SET a.b = :v",
        ExpressionAttributeValues={":v": N(1)},
    )
    assert failure(call) == INVALID_PATH
    assert "Item" not in ddb.get_item(TableName="items", Key=K("ghost"))


# -- errors found before the item is read -----------------------------------------------------


def update_error(ddb, expression, values=None, names=None, table="items", key=None):
    kwargs = {}
    if values is not None:
        kwargs["ExpressionAttributeValues"] = values
    if names is not None:
        kwargs["ExpressionAttributeNames"] = names
    return failure(
        lambda: ddb.update_item(
            TableName=table, Key=key or K("i"), UpdateExpression=expression, **kwargs
        )
    )


@pytest.mark.parametrize(
    ("expression", "values", "names", "message"),
    [
        ("SET a =", None, None, 'Syntax error; token: "<EOF>", near: "="'),
        ("SET a = b c", None, None, 'Syntax error; token: "c", near: "b c"'),
        ("UPDATE a = :v", {":v": N(1)}, None, 'Syntax error; token: "UPDATE", near: "UPDATE a"'),
        ("SET a = :v / :v", {":v": N(1)}, None, 'Syntax error; token: "/", near: ":v / :v"'),
        ("", None, None, "The expression can not be empty;"),
        (
            "SET size = :v",
            {":v": N(1)},
            None,
            "Attribute name is a reserved keyword; reserved keyword: size",
        ),
        (
            "SET a = #b",
            None,
            {"#c": "c"},
            "An expression attribute name used in the document "
            "path is not defined; attribute name: #b",
        ),
        (
            "SET a = :b",
            {":c": N(1)},
            None,
            "An expression attribute value used in expression is not defined; attribute value: :b",
        ),
        (
            "SET a = :v, a = :v",
            {":v": N(1)},
            None,
            "Two document paths overlap with each other; "
            "must remove or rewrite one of these paths; path one: [a], path two: [a]",
        ),
        (
            "SET m.x = :v REMOVE m",
            {":v": N(1)},
            None,
            "Two document paths overlap with each "
            "other; must remove or rewrite one of these paths; path one: [m, x], path two: [m]",
        ),
        (
            "SET l[0] = :v REMOVE l.x",
            {":v": N(1)},
            None,
            "Two document paths conflict with each "
            "other; must remove or rewrite one of these paths; path one: [l, [0]], path two: "
            "[l, x]",
        ),
        (
            "SET a = :v SET b = :v",
            {":v": N(1)},
            None,
            'The "SET" section can only be used once in an update expression;',
        ),
        (
            "ADD a :v",
            {":v": S("x")},
            None,
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
        ),
        (
            "DELETE a :v",
            {":v": N(1)},
            None,
            "Incorrect operand type for operator or function; "
            "operator: DELETE, operand type: NUMBER",
        ),
        (
            "SET a = b + :v",
            {":v": S("x")},
            None,
            "Incorrect operand type for operator or "
            "function; operator or function: +, operand type: S",
        ),
        (
            "SET a = list_append(a, :v)",
            {":v": N(1)},
            None,
            "Incorrect operand type for operator "
            "or function; operator or function: list_append, operand type: N",
        ),
        (
            "SET a = if_not_exists(:v, b)",
            {":v": N(1)},
            None,
            "Operator or function requires a document path; operator or function: if_not_exists",
        ),
        (
            "SET a = list_append(a)",
            None,
            None,
            "Incorrect number of operands for operator or "
            "function; operator or function: list_append, number of operands: 1",
        ),
        (
            "SET a = size(b)",
            None,
            None,
            "The function is not allowed in an update expression; function: size",
        ),
        ("SET a = nope(b)", None, None, "Invalid function name; function: nope"),
    ],
)
def test_update_expression_errors(ddb, expression, values, names, message):
    assert update_error(ddb, expression, values, names) == f"Invalid UpdateExpression: {message}"


@pytest.mark.parametrize(
    ("values", "names", "message"),
    [
        (
            {":v": N(1), ":w": N(2)},
            None,
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
        ),
        (
            {":v": N(1)},
            {"#n": "n"},
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}",
        ),
        ({}, None, "ExpressionAttributeValues must not be empty"),
        (
            {":v": N(1), "v": N(2)},
            None,
            'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"',
        ),
        (
            {":v": N(1)},
            {"n": "n"},
            'ExpressionAttributeNames contains invalid key: Syntax error; key: "n"',
        ),
    ],
)
def test_expression_attribute_map_errors(ddb, values, names, message):
    assert update_error(ddb, "SET a = :v", values, names) == message


def test_updating_key_attributes_is_refused(ddb):
    cannot = INVALID + "Cannot update attribute {}. This attribute is part of the key"
    key = {"pk": S("p"), "sk": S("s")}
    assert update_error(ddb, "SET pk = :v", {":v": S("x")}) == cannot.format("pk")
    assert update_error(ddb, "REMOVE pk") == cannot.format("pk")
    assert update_error(ddb, "ADD pk.x :v", {":v": N(1)}) == cannot.format("pk")
    assert update_error(ddb, "SET a = :v, sk = :v", {":v": S("x")}, table="indexed", key=key) == (
        cannot.format("sk")
    )


def test_paths_below_key_attributes_are_refused(ddb):
    key = {"pk": S("p"), "sk": S("s")}
    scalar = (
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
        "allowed: "
    )
    assert update_error(ddb, "SET a = pk.x", table="indexed", key=key) == scalar + "Key: pk"
    assert update_error(ddb, "SET a = c[1]", table="indexed", key=key) == scalar + "IndexKey: c"
    assert update_error(ddb, "SET c.x = :v", {":v": N(1)}, table="indexed", key=key) == (
        scalar + "IndexKey: c"
    )


def test_index_keys_written_with_the_wrong_type(ddb):
    key = {"pk": S("p"), "sk": S("s")}
    mismatch = INVALID + "Type mismatch for Index Key c Expected: S Actual: {} IndexName: by_c"
    # known before the item is read: values, arithmetic, list_append
    assert update_error(ddb, "SET c = :v", {":v": N(1)}, table="indexed", key=key) == (
        mismatch.format("N")
    )
    assert update_error(ddb, "SET c = a + :v", {":v": N(1)}, table="indexed", key=key) == (
        mismatch.format("N")
    )
    assert update_error(ddb, "ADD c :v", {":v": {"SS": ["x"]}}, table="indexed", key=key) == (
        mismatch.format("SS")
    )
    # known only from the item
    ddb.put_item(TableName="indexed", Item={**key, "num": N(1), "blank": S("")})
    assert update_error(ddb, "SET c = num", table="indexed", key=key) == (
        "The update expression attempted to update the secondary index key to unsupported type"
    )
    assert update_error(ddb, "SET c = blank", table="indexed", key=key) == (
        "One or more parameter values are not valid. The update expression attempted to update "
        "a secondary index key to a value that is not supported. The AttributeValue for a key "
        "attribute cannot contain an empty string value."
    )
    ddb.update_item(
        TableName="indexed",
        Key=key,
        UpdateExpression="SET c = :v",
        ExpressionAttributeValues={":v": S("indexed")},
    )
    found = ddb.query(
        TableName="indexed",
        IndexName="by_c",
        KeyConditionExpression="c = :v",
        ExpressionAttributeValues={":v": S("indexed")},
    )
    assert found["Count"] == 1


# -- conditions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "values", "passes"),
    [
        ("attribute_exists(s)", None, True),
        ("attribute_exists(m.kid.y)", None, True),
        ("attribute_exists(l[3])", None, True),
        ("attribute_exists(l[4])", None, False),
        ("attribute_not_exists(nope)", None, True),
        ("attribute_not_exists(m.x)", None, False),
        ("attribute_type(s, :t)", {":t": S("S")}, True),
        ("attribute_type(ns, :t)", {":t": S("NS")}, True),
        ("attribute_type(z, :t)", {":t": S("NULL")}, True),
        ("attribute_type(n, :t)", {":t": S("S")}, False),
        ("begins_with(s, :v)", {":v": S("hello")}, True),
        ("begins_with(b, :v)", {":v": {"B": b"\x01\x02"}}, True),
        ("begins_with(s, :v)", {":v": S("world")}, False),
        ("contains(s, :v)", {":v": S("o w")}, True),
        ("contains(ss, :v)", {":v": S("b")}, True),
        ("contains(ns, :v)", {":v": N("2.0")}, True),
        ("contains(l, :v)", {":v": S("c")}, True),
        ("contains(ss, :v)", {":v": S("z")}, False),
        ("size(s) = :v", {":v": N(11)}, True),
        ("size(l) > :v", {":v": N(3)}, True),
        ("size(m) = :v", {":v": N(2)}, True),
        ("size(b) <= :v", {":v": N(2)}, False),
        ("size(nope) = :v", {":v": N(0)}, False),
        ("n = :v", {":v": N("10.00")}, True),
        ("n <> :v", {":v": S("10")}, True),
        ("n < :v", {":v": N(9)}, False),
        ("s > :v", {":v": S("hello")}, True),
        ("n BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(10)}, True),
        ("n IN (:a, :b)", {":a": N(1), ":b": N(10)}, True),
        ("m.kid.y = :v", {":v": S("why")}, True),
        ("l[1] = :v", {":v": S("b")}, True),
        ("nope <> :v", {":v": N(1)}, True),
        ("nope = nope2", None, False),
        ("NOT n = :v", {":v": N(10)}, False),
        ("n = :v OR n = :w AND n = :w", {":v": N(10), ":w": N(1)}, True),
        ("(n = :v OR n = :w) AND n = :w", {":v": N(10), ":w": N(1)}, False),
        (
            "NOT (attribute_exists(nope) OR n < :v) AND t = :t",
            {":v": N(1), ":t": {"BOOL": True}},
            True,
        ),
    ],
)
def test_condition_expressions(ddb, condition, values, passes):
    ddb.put_item(TableName="items", Item=ITEM)
    call = lambda: ddb.update_item(  # noqa: E731
        TableName="items",
        Key=K("i"),
        UpdateExpression="SET checked = :yes",
        ConditionExpression=condition,
        ExpressionAttributeValues={**(values or {}), ":yes": {"BOOL": True}},
    )
    if passes:
        call()
        item = ddb.get_item(TableName="items", Key=K("i"))["Item"]
        assert item["checked"] == {"BOOL": True}
    else:
        failure(call, "ConditionalCheckFailedException")


@pytest.mark.parametrize(
    ("condition", "passes"),
    [
        (Attr("n").eq(10) & Attr("s").begins_with("hello"), True),
        (Attr("n").gt(10) | Attr("ss").contains("a"), True),
        (~Attr("nope").exists(), True),
        (Attr("n").between(11, 20), False),
        (Attr("n").is_in([1, 2, 10]), True),
        (Attr("l").size().eq(4), True),
        (Attr("m.kid.y").eq("why"), True),
        (Attr("ns").attribute_type("NS") & Attr("s").ne("x"), True),
        (Attr("z").not_exists(), False),
        (Attr("s").lte("hello"), False),
    ],
)
def test_resource_api_conditions(ddb, table, condition, passes):
    ddb.put_item(TableName="items", Item=ITEM)
    call = lambda: table.delete_item(Key={"pk": "i"}, ConditionExpression=condition)  # noqa: E731
    if passes:
        call()
        assert "Item" not in table.get_item(Key={"pk": "i"})
    else:
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
            call()


def test_key_conditions_from_the_resource_api_query_updated_items(ddb):
    indexed = boto3.resource("dynamodb").Table("indexed")
    for sk in ("a1", "a2", "b1"):
        indexed.put_item(Item={"pk": "p", "sk": sk, "n": 0})
        indexed.update_item(
            Key={"pk": "p", "sk": sk},
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": 1},
        )
    found = indexed.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").begins_with("a"))
    assert [(i["sk"], i["n"]) for i in found["Items"]] == [("a1", 1), ("a2", 1)]


@pytest.mark.parametrize(
    ("condition", "values", "message"),
    [
        ("a = ", None, 'Syntax error; token: "<EOF>", near: "= "'),
        ("a === :v", {":v": N(1)}, 'Syntax error; token: "=", near: "==="'),
        (
            "if_not_exists(a, :v) = :v",
            {":v": N(1)},
            "The function is not allowed in a condition expression; function: if_not_exists",
        ),
        (
            "size(a)",
            None,
            "The function is not allowed to be used this way in an expression; function: size",
        ),
        (
            "attribute_exists(:v)",
            {":v": N(1)},
            "Operator or function requires a document path; operator or function: attribute_exists",
        ),
        (
            "begins_with(a, :v)",
            {":v": N(1)},
            "Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N",
        ),
        (
            "a < :v",
            {":v": {"BOOL": True}},
            "Incorrect operand type for operator or function; "
            "operator or function: <, operand type: BOOL",
        ),
        (
            "attribute_type(a, :v)",
            {":v": S("STRING")},
            "Invalid attribute type name found; type: "
            "STRING, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
        ),
        (
            "a BETWEEN :hi AND :lo",
            {":hi": N(2), ":lo": N(1)},
            "The BETWEEN operator requires "
            "upper bound to be greater than or equal to lower bound; lower bound operand: "
            "AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}",
        ),
        (
            "a = a",
            None,
            "The first operand must be distinct from the remaining operands for this "
            "operator or function; operator: =, first operand: [a]",
        ),
        ("((a = :v))", {":v": N(1)}, "The expression has redundant parentheses;"),
        (
            "contains(#a, :v)",
            {":v": N(1)},
            "An expression attribute name used in the document "
            "path is not defined; attribute name: #a",
        ),
        (
            "comment = :v",
            {":v": N(1)},
            "Attribute name is a reserved keyword; reserved keyword: comment",
        ),
    ],
)
def test_condition_expression_errors(ddb, condition, values, message):
    kwargs = {"ExpressionAttributeValues": values} if values else {}
    call = lambda: ddb.put_item(  # noqa: E731
        TableName="items", Item=K("c"), ConditionExpression=condition, **kwargs
    )
    assert failure(call) == f"Invalid ConditionExpression: {message}"


@pytest.mark.parametrize(
    ("projection", "names", "message"),
    [
        (
            "a, a",
            None,
            "Two document paths overlap with each other; must remove or rewrite one "
            "of these paths; path one: [a], path two: [a]",
        ),
        (
            "a[0], a.b",
            None,
            "Two document paths conflict with each other; must remove or rewrite "
            "one of these paths; path one: [a, [0]], path two: [a, b]",
        ),
        ("a,", None, 'Syntax error; token: "<EOF>", near: ","'),
        ("name", None, "Attribute name is a reserved keyword; reserved keyword: name"),
        (
            "#n",
            {"#m": "m"},
            "An expression attribute name used in the document path is not "
            "defined; attribute name: #n",
        ),
    ],
)
def test_projection_expression_errors(ddb, projection, names, message):
    kwargs = {"ExpressionAttributeNames": names} if names else {}
    call = lambda: ddb.get_item(  # noqa: E731
        TableName="items", Key=K("i"), ProjectionExpression=projection, **kwargs
    )
    assert failure(call) == f"Invalid ProjectionExpression: {message}"


def test_update_expression_is_checked_before_the_condition(ddb):
    call = lambda: ddb.update_item(  # noqa: E731
        TableName="items",
        Key=K("i"),
        UpdateExpression="SET a = :missing",
        ConditionExpression="a = ",
    )
    assert failure(call).startswith("Invalid UpdateExpression: An expression attribute value")
