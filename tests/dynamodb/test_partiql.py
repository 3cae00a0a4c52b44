"""PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction through boto3."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeaws import mock_serverless

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"


@pytest.fixture
def ddb():
    with mock_serverless(clock="frozen"):
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="orders",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "status", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_status",
                    "KeySchema": [
                        {"AttributeName": "status", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.create_table(
            TableName="users",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def run(ddb, statement, *parameters, **kwargs):
    if parameters:
        kwargs["Parameters"] = list(parameters)
    return ddb.execute_statement(Statement=statement, **kwargs)


def fill_orders(ddb, pk="a", count=5, status="open"):
    for n in range(count):
        ddb.put_item(
            TableName="orders",
            Item={
                "pk": {"S": pk},
                "sk": {"N": str(n)},
                "status": {"S": status},
                "total": {"N": str(10 * n)},
                "note": {"S": f"note {n}"},
            },
        )


def error_of(excinfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def s(text):
    return {"S": text}


def n(number):
    return {"N": str(number)}


# -- INSERT -----------------------------------------------------------------------------------


def test_insert_literal_types_round_trip(ddb):
    run(
        ddb,
        "INSERT INTO \"users\" VALUE {'id': 'u1', 'n': 1.50, 'neg': -3, 'b': true, 'z': null, "
        "'m': {'k': 'v', 'l': [1, 'x']}, 'ss': <<'a', 'b'>>, 'ns': <<1, 2>>, "
        "'q': 'it''s'}",
    )
    item = ddb.get_item(TableName="users", Key={"id": s("u1")})["Item"]
    assert item == {
        "id": s("u1"),
        "n": n("1.5"),
        "neg": n(-3),
        "b": {"BOOL": True},
        "z": {"NULL": True},
        "m": {"M": {"k": s("v"), "l": {"L": [n(1), s("x")]}}},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2"]},
        "q": s("it's"),
    }


def test_insert_with_parameters_and_write_response(ddb):
    out = run(
        ddb,
        "INSERT INTO users VALUE {'id': ?, 'blob': ?, 'tags': ?}",
        s("u2"),
        {"B": b"\x00\x01"},
        {"SS": ["x"]},
    )
    assert out["Items"] == []
    item = ddb.get_item(TableName="users", Key={"id": s("u2")})["Item"]
    assert item["blob"] == {"B": b"\x00\x01"} and item["tags"] == {"SS": ["x"]}


def test_insert_existing_key_is_duplicate_item(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'v': 1}")
    with pytest.raises(ddb.exceptions.DuplicateItemException) as excinfo:
        run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'v': 2}")
    assert error_of(excinfo)[1] == "Duplicate primary key exists in table"
    item = ddb.get_item(TableName="users", Key={"id": s("u1")})["Item"]
    assert item["v"] == n(1)


@pytest.mark.parametrize(
    "statement, message",
    [
        (
            "INSERT INTO users VALUE {'other': 1}",
            "Key attribute should be present in the item: Key id",
        ),
        (
            "INSERT INTO users VALUE {'id': 1}",
            "Key attribute's data type should match its data type in table's schema: Key id",
        ),
        (
            "INSERT INTO users VALUE {'id': 'x', 'n': 1e126}",
            "Number overflow. Attempting to store "
            "a number with magnitude larger than supported range under root.n",
        ),
        (
            "INSERT INTO users VALUE {'id': 'x', 'l': [1, 1e-131]}",
            "Number underflow. Attempting "
            "to store a number with magnitude smaller than supported range under root.l[1]",
        ),
        ("INSERT INTO users VALUE {'id': 'x', 's': <<>>}", "Empty bags are not supported"),
        (
            "INSERT INTO users VALUE {'id': 'x', 's': <<?>>}",
            "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
            "bags",
        ),
        (
            "INSERT INTO users VALUE {'id': 'x', 's': <<1, 'a'>>}",
            "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
            "bags",
        ),
        (
            "INSERT INTO users VALUE {'id': 'x', 'a': 1, 'a': 2}",
            "Duplicate keys in tuple. Key: a under root",
        ),
        (
            "INSERT INTO users VALUE {'id': 'x'} RETURNING ALL OLD *",
            "RETURNING is not supported in INSERT",
        ),
        (
            "INSERT INTO users VALUE ['x']",
            "Unsupported format in item expression. Please use struct format {...} to express "
            "item values for insert statement.",
        ),
        (
            "INSERT INTO users VALUE {'id': ''}",
            "One or more parameter values are not valid. The "
            "AttributeValue for a key attribute cannot contain an empty string value. Key: id",
        ),
    ],
)
def test_insert_validation(ddb, statement, message):
    with pytest.raises(ddb.exceptions.ClientError) as excinfo:
        run(ddb, statement, s("extra parameters are ignored"))
    assert error_of(excinfo) == ("ValidationException", message)
    assert ddb.scan(TableName="users")["Count"] == 0


# -- SELECT -----------------------------------------------------------------------------------


def test_select_star_by_partition_is_a_query_in_sort_key_order(ddb):
    fill_orders(ddb, "a", 5)
    fill_orders(ddb, "b", 2)
    items = run(ddb, "SELECT * FROM orders WHERE pk = 'a'")["Items"]
    assert [i["sk"]["N"] for i in items] == ["0", "1", "2", "3", "4"]
    assert items[0] == {
        "pk": s("a"),
        "sk": n(0),
        "status": s("open"),
        "total": n(0),
        "note": s("note 0"),
    }


def test_select_sort_key_conditions_and_order_by_desc(ddb):
    fill_orders(ddb, "a", 6)
    between = run(ddb, 'SELECT sk FROM "orders" WHERE pk = ? AND sk BETWEEN 1 AND 3', s("a"))
    assert between["Items"] == [{"sk": n(1)}, {"sk": n(2)}, {"sk": n(3)}]
    greater = run(ddb, "SELECT sk FROM orders WHERE pk = 'a' AND 3 < sk ORDER BY sk DESC")
    assert greater["Items"] == [{"sk": n(5)}, {"sk": n(4)}]
    filtered = run(ddb, "SELECT sk FROM orders WHERE pk = 'a' AND total >= 30 AND sk <> 4")
    assert filtered["Items"] == [{"sk": n(3)}, {"sk": n(5)}]


def test_select_without_partition_key_is_a_scan_with_filter(ddb):
    fill_orders(ddb, "a", 3)
    fill_orders(ddb, "b", 3, status="closed")
    items = run(ddb, "SELECT pk, sk FROM orders WHERE status = 'closed' OR sk = 0")["Items"]
    got = sorted((i["pk"]["S"], int(i["sk"]["N"])) for i in items)
    assert got == [("a", 0), ("b", 0), ("b", 1), ("b", 2)]
    assert len(run(ddb, "SELECT * FROM orders")["Items"]) == 6


def test_select_operators_and_functions(ddb):
    ddb.put_item(
        TableName="users",
        Item={
            "id": s("u1"),
            "name": s("alice"),
            "tags": {"SS": ["x", "y"]},
            "m": {"M": {"deep": {"L": [n(7), s("z")]}}},
            "age": n(30),
        },
    )
    ddb.put_item(TableName="users", Item={"id": s("u2"), "name": s("bob"), "age": n(20)})

    def ids(where, *parameters):
        items = run(ddb, f"SELECT id FROM users WHERE {where}", *parameters)["Items"]
        return sorted(i["id"]["S"] for i in items)

    assert ids("begins_with(name, 'al')") == ["u1"]
    assert ids("contains(tags, 'y')") == ["u1"]
    assert ids("attribute_type(age, 'N') AND size(name) = 3") == ["u2"]
    assert ids("tags IS MISSING") == ["u2"]
    assert ids("tags IS NOT MISSING") == ["u1"]
    assert ids("NOT (age > 25)") == ["u2"]
    assert ids("age IN [20, 40]") == ["u2"]
    assert ids("name IN ('alice', 'carol')") == ["u1"]
    assert ids("m.deep[0] = 7") == ["u1"]
    assert ids("m['deep'][1] = ?", s("z")) == ["u1"]
    assert ids("age BETWEEN ? AND ?", n(25), n(35)) == ["u1"]
    assert ids("age <> 30 AND name != 'x'") == ["u2"]
    assert ids("age NOT BETWEEN 25 AND 35") == ["u2"]


def test_select_projection_of_nested_paths(ddb):
    ddb.put_item(
        TableName="users",
        Item={"id": s("u1"), "m": {"M": {"k": {"L": [n(1), n(2)]}, "z": s("zz")}}},
    )
    items = run(ddb, "SELECT id, m.z, m.k[1], absent FROM users WHERE id = 'u1'")["Items"]
    assert items == [{"id": s("u1"), "z": s("zz"), "k": n(2)}]
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "SELECT m.z, z FROM users")
    assert error_of(excinfo) == (
        "ValidationException",
        "Duplicate identifiers in select clause: z",
    )


def test_select_paging_with_limit_and_next_token(ddb):
    fill_orders(ddb, "a", 5)
    statement = "SELECT sk FROM orders WHERE pk = ?"
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"Limit": 2}
        if token:
            kwargs["NextToken"] = token
        out = run(ddb, statement, s("a"), **kwargs)
        pages += 1
        seen += [int(i["sk"]["N"]) for i in out["Items"]]
        token = out.get("NextToken")
        if token is None:
            break
        assert out["LastEvaluatedKey"]["pk"] == s("a")
    assert seen == [0, 1, 2, 3, 4]
    assert pages == 3


def test_select_limit_counts_items_read_not_matched(ddb):
    fill_orders(ddb, "a", 5)
    out = run(ddb, "SELECT sk FROM orders WHERE pk = 'a' AND total > 25", Limit=2)
    assert out["Items"] == [] and "NextToken" in out
    rest = run(
        ddb, "SELECT sk FROM orders WHERE pk = 'a' AND total > 25", NextToken=out["NextToken"]
    )
    assert rest["Items"] == [{"sk": n(3)}, {"sk": n(4)}] and "NextToken" not in rest


def test_select_pages_at_one_megabyte(ddb):
    big = "x" * 100_000
    for i in range(15):
        ddb.put_item(TableName="users", Item={"id": s(f"u{i:02}"), "blob": s(big)})
    first = run(ddb, "SELECT id FROM users")
    assert 0 < len(first["Items"]) < 15 and "NextToken" in first
    second = run(ddb, "SELECT id FROM users", NextToken=first["NextToken"])
    ids = {i["id"]["S"] for i in first["Items"] + second["Items"]}
    assert len(ids) == 15 and "NextToken" not in second


def test_next_token_errors(ddb):
    fill_orders(ddb, "a", 3)
    token = run(ddb, "SELECT * FROM orders WHERE pk = 'a'", Limit=1)["NextToken"]
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "SELECT * FROM orders WHERE pk = 'a'", NextToken="not-a-token")
    assert error_of(excinfo) == ("ValidationException", "Invalid NextToken")
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "SELECT * FROM orders WHERE pk = 'b'", NextToken=token)
    assert error_of(excinfo) == ("ValidationException", "The provided starting key is invalid")


def test_select_from_index(ddb):
    fill_orders(ddb, "a", 3, status="open")
    fill_orders(ddb, "b", 2, status="closed")
    items = run(ddb, 'SELECT * FROM "orders"."by_status" WHERE status = ?', s("closed"))["Items"]
    assert items == [
        {"pk": s("b"), "sk": n(0), "status": s("closed"), "total": n(0)},
        {"pk": s("b"), "sk": n(1), "status": s("closed"), "total": n(10)},
    ]  # projected attributes only: no "note"
    paged = run(ddb, 'SELECT pk FROM "orders"."by_status" WHERE status = \'open\'', Limit=2)
    assert set(paged["LastEvaluatedKey"]) == {"pk", "sk", "status"}
    rest = run(
        ddb,
        'SELECT pk FROM "orders"."by_status" WHERE status = \'open\'',
        NextToken=paged["NextToken"],
    )
    assert len(paged["Items"]) + len(rest["Items"]) == 3


def test_select_index_errors(ddb):
    with pytest.raises(ClientError) as excinfo:
        run(ddb, 'SELECT * FROM "orders"."by_status"', ConsistentRead=True)
    assert error_of(excinfo) == (
        "ValidationException",
        "Strongly consistent read is not supported on Global Secondary Indexes",
    )
    with pytest.raises(ClientError) as excinfo:
        run(ddb, 'SELECT * FROM "orders"."nope"')
    assert error_of(excinfo)[1] == "The table does not have the specified index: nope"


@pytest.mark.parametrize(
    "statement, message",
    [
        (
            "SELECT * FROM orders ORDER BY sk",
            "Must have WHERE clause in the statement when using ORDER BY clause.",
        ),
        (
            "SELECT * FROM orders WHERE sk = 1 ORDER BY sk",
            "Must have at least one non-optional "
            "hash key condition in WHERE clause when using ORDER BY clause.",
        ),
        (
            "SELECT * FROM orders WHERE pk = 'a' ORDER BY total",
            "Variable reference total in ORDER BY clause must be part of the primary key",
        ),
        (
            "SELECT *, a FROM orders",
            "Other attributes should not be present in the projection when '*' is used.",
        ),
        ("SELECT * FROM orders o WHERE pk = 'a'", "Aliasing is not supported"),
        ("SELECT * FROM orders AS o", "Aliasing is not supported"),
        (
            "SELECT * FROM orders WHERE pk",
            "WHERE clause must contain an expression that resolves to a boolean",
        ),
        ("SELECT * FROM orders WHERE nope(a)", "Unrecognized function: nope"),
    ],
)
def test_select_validation(ddb, statement, message):
    with pytest.raises(ClientError) as excinfo:
        run(ddb, statement)
    assert error_of(excinfo) == ("ValidationException", message)


# -- UPDATE -----------------------------------------------------------------------------------


def test_update_set_remove_and_arithmetic(ddb):
    fill_orders(ddb, "a", 1)
    out = run(
        ddb,
        "UPDATE orders SET total = total + 5, tags = ? SET extra = list_append(?, [3]) "
        "REMOVE note WHERE pk = 'a' AND sk = 0",
        {"SS": ["t"]},
        {"L": [n(1)]},
    )
    assert out["Items"] == []
    item = ddb.get_item(TableName="orders", Key={"pk": s("a"), "sk": n(0)})["Item"]
    assert item["total"] == n(5)
    assert item["tags"] == {"SS": ["t"]}
    assert item["extra"] == {"L": [n(1), n(3)]}
    assert "note" not in item


def test_update_set_add_and_set_delete(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'tags': <<'a', 'b'>>}")
    run(ddb, "UPDATE users SET tags = set_add(tags, <<'c'>>) WHERE id = 'u1'")
    run(ddb, "UPDATE users SET tags = set_delete(tags, <<'a'>>) WHERE id = 'u1'")
    item = ddb.get_item(TableName="users", Key={"id": s("u1")})["Item"]
    assert sorted(item["tags"]["SS"]) == ["b", "c"]


def test_update_returning(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'a': 1, 'b': 2}")
    old = run(ddb, "UPDATE users SET a = 10 WHERE id = 'u1' RETURNING ALL OLD *")
    assert old["Items"] == [{"id": s("u1"), "a": n(1), "b": n(2)}]
    new = run(ddb, "UPDATE users SET a = 11 WHERE id = 'u1' RETURNING ALL NEW *")
    assert new["Items"] == [{"id": s("u1"), "a": n(11), "b": n(2)}]
    modified = run(ddb, "UPDATE users SET b = 3 WHERE id = 'u1' RETURNING MODIFIED OLD *")
    assert modified["Items"] == [{"b": n(2)}]
    modified = run(ddb, "UPDATE users SET b = 4 WHERE id = 'u1' RETURNING MODIFIED NEW *")
    assert modified["Items"] == [{"b": n(4)}]


def test_update_condition_in_where(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'v': 1}")
    run(ddb, "UPDATE users SET v = 2 WHERE id = 'u1' AND v = 1")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as excinfo:
        run(
            ddb,
            "UPDATE users SET v = 3 WHERE id = 'u1' AND v = 1",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert excinfo.value.response["Item"] == {"id": s("u1"), "v": n(2)}
    assert ddb.get_item(TableName="users", Key={"id": s("u1")})["Item"]["v"] == n(2)


def test_update_of_missing_item_fails_its_condition(ddb):
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        run(ddb, "UPDATE users SET v = 1 WHERE id = 'ghost'")
    assert "Item" not in ddb.get_item(TableName="users", Key={"id": s("ghost")})


@pytest.mark.parametrize(
    "statement, message",
    [
        ("UPDATE orders SET a = 1 WHERE pk = 'a'", INCOMPLETE_KEY),
        ("UPDATE orders SET a = 1", INCOMPLETE_KEY),
        ("UPDATE orders SET a = 1 WHERE pk = 'a' OR sk = 1", INCOMPLETE_KEY),
        ("UPDATE orders SET a = 1 WHERE pk = 'a' AND sk > 1", INCOMPLETE_KEY),
        (
            "UPDATE orders SET a = 1 WHERE pk = 'a' AND sk = '1'",
            "Key attribute's data type should match its data type in table's schema: Key sk",
        ),
        (
            "UPDATE orders SET pk = 'b' WHERE pk = 'a' AND sk = 1",
            "One or more parameter values were invalid: Cannot update attribute pk. This "
            "attribute is part of the key",
        ),
        (
            "UPDATE orders SET a = 1 WHERE pk = 'a' AND pk = 'b' AND sk = 1",
            "Multiple conditions on same key pk. Only single item Update/Insert/Delete are "
            "supported",
        ),
        (
            "UPDATE orders SET a = set_add(b, <<1>>) WHERE pk = 'a' AND sk = 1",
            "The first argument to SET_ADD must equal the assignment value",
        ),
        ("UPDATE orders t SET a = 1 WHERE pk = 'a' AND sk = 1", "Aliasing is not supported"),
    ],
)
def test_update_validation(ddb, statement, message):
    fill_orders(ddb, "a", 2)
    with pytest.raises(ClientError) as excinfo:
        run(ddb, statement)
    assert error_of(excinfo) == ("ValidationException", message)
    item = ddb.get_item(TableName="orders", Key={"pk": s("a"), "sk": n(1)})["Item"]
    assert "a" not in item and item["pk"] == s("a")


# -- DELETE -----------------------------------------------------------------------------------


def test_delete_by_full_key(ddb):
    fill_orders(ddb, "a", 2)
    out = run(ddb, "DELETE FROM orders WHERE pk = ? AND sk = ?", s("a"), n(1))
    assert out["Items"] == []
    remaining = run(ddb, "SELECT sk FROM orders WHERE pk = 'a'")["Items"]
    assert remaining == [{"sk": n(0)}]
    # a missing item is no error
    run(ddb, "DELETE FROM orders WHERE pk = 'zzz' AND sk = 9")


def test_delete_returning_and_condition(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'v': 1}")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        run(ddb, "DELETE FROM users WHERE id = 'u1' AND v = 2")
    out = run(ddb, "DELETE FROM users WHERE id = 'u1' AND v = 1 RETURNING ALL OLD *")
    assert out["Items"] == [{"id": s("u1"), "v": n(1)}]
    assert "Item" not in ddb.get_item(TableName="users", Key={"id": s("u1")})


@pytest.mark.parametrize(
    "statement, message",
    [
        ("DELETE FROM orders WHERE pk = 'a'", INCOMPLETE_KEY),
        ("DELETE FROM orders", INCOMPLETE_KEY),
        (
            "DELETE FROM orders WHERE pk = 'a' AND sk = 0 RETURNING ALL NEW *",
            "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed "
            "in DELETE statements.",
        ),
        ("DELETE FROM", NOT_WELL_FORMED + "Expected identifier for simple path"),
    ],
)
def test_delete_validation(ddb, statement, message):
    fill_orders(ddb, "a", 1)
    with pytest.raises(ClientError) as excinfo:
        run(ddb, statement)
    assert error_of(excinfo) == ("ValidationException", message)
    assert ddb.scan(TableName="orders")["Count"] == 1


# -- statement-level errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement, detail",
    [
        ("SELECT * FROM orders WHERE pk = 'a' foo", "Unexpected token after expression"),
        (
            "DELETE FROM orders WHERE pk = 'a' AND sk = 1 ORDER BY pk",
            "Unexpected token after expression",
        ),
        ("SELECT * FROM orders WHERE", "Unexpected term"),
        (
            "SELECT * FROM orders WHERE pk = 'a' AND",
            "Missing right-hand side expression of infix operator",
        ),
        (
            "SELECT * FROM orders WHERE pk = 'a' OR",
            "Missing right-hand side expression of infix operator",
        ),
        ("SELECT * FROM orders WHERE ORDER BY pk", "Unexpected keyword"),
        ("SLECT * FROM orders", "Expected data manipulation"),
        ("SELECT * FROM orders WHERE pk = 'unterminated", ""),
        ("SELECT * FROM orders WHERE x IS FOO", "Expected type name"),
    ],
)
def test_syntax_errors(ddb, statement, detail):
    with pytest.raises(ClientError) as excinfo:
        run(ddb, statement)
    assert error_of(excinfo) == ("ValidationException", NOT_WELL_FORMED + detail)


def test_comments_semicolon_and_lower_case(ddb):
    run(ddb, "insert into users value {'id': 'u1'} -- a comment")
    items = run(ddb, "select /* all */ * from \"users\" where id = 'u1';")["Items"]
    assert items == [{"id": s("u1")}]


def test_iam_resource_is_the_table_arn():
    with mock_serverless() as cloud:
        client = boto3.client("dynamodb")
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.execute_statement(Statement="SELECT * FROM \"ghost\" WHERE id = 'a'")
        call = cloud.calls[-1]
        assert call.action == "dynamodb:PartiQLSelect"
        assert [r.split(":")[-1] for r in call.resources] == ["table/ghost"]


def test_unknown_table(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as excinfo:
        run(ddb, "SELECT * FROM nope")
    assert error_of(excinfo)[1] == "Requested resource not found"


def test_too_few_parameters(ddb):
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "SELECT * FROM users WHERE id = ? AND v = ?", s("a"))
    assert error_of(excinfo) == (
        "ValidationException",
        "Number of parameters in request and statement don't match.",
    )


def test_exists_outside_a_transaction(ddb):
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "EXISTS(SELECT * FROM users WHERE id = 'a' AND v = 1)")
    assert error_of(excinfo)[1] == "EXISTS can only be used in ExecuteTransaction write requests."


# -- BatchExecuteStatement ----------------------------------------------------------------------


def test_batch_writes_are_independent(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'dup'}")
    out = ddb.batch_execute_statement(
        Statements=[
            {"Statement": "INSERT INTO users VALUE {'id': ?}", "Parameters": [s("b1")]},
            {"Statement": "INSERT INTO users VALUE {'id': 'dup'}"},
            {"Statement": "UPDATE users SET v = 1 WHERE id = 'dup'"},
            {"Statement": "SLECT nonsense"},
            {"Statement": "DELETE FROM nope WHERE id = 'x'"},
        ]
    )["Responses"]
    assert out[0] == {"TableName": "users"}
    assert out[1]["Error"] == {
        "Code": "DuplicateItem",
        "Message": "Duplicate primary key exists in table",
    }
    assert out[2] == {"TableName": "users"}
    assert out[3]["Error"] == {
        "Code": "ValidationError",
        "Message": NOT_WELL_FORMED + "Expected data manipulation",
    }
    assert out[4]["Error"]["Code"] == "ResourceNotFound"
    assert ddb.get_item(TableName="users", Key={"id": s("b1")})["Item"] == {"id": s("b1")}
    assert ddb.get_item(TableName="users", Key={"id": s("dup")})["Item"]["v"] == n(1)


def test_batch_reads_by_key(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'v': 1}")
    out = ddb.batch_execute_statement(
        Statements=[
            {"Statement": "SELECT * FROM users WHERE id = ?", "Parameters": [s("u1")]},
            {"Statement": "SELECT v FROM users WHERE id = 'missing'"},
            {"Statement": "SELECT * FROM users WHERE v = 1"},
        ]
    )["Responses"]
    assert out[0] == {"TableName": "users", "Item": {"id": s("u1"), "v": n(1)}}
    assert out[1] == {"TableName": "users"}
    assert out[2]["Error"] == {"Code": "ValidationError", "Message": INCOMPLETE_KEY}


def test_batch_condition_failure_returns_item(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'v': 1}")
    out = ddb.batch_execute_statement(
        Statements=[
            {
                "Statement": "UPDATE users SET v = 5 WHERE id = 'u1' AND v = 2",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        ]
    )["Responses"]
    assert out[0]["Error"]["Code"] == "ConditionalCheckFailed"
    assert out[0]["Error"]["Item"] == {"id": s("u1"), "v": n(1)}


def test_batch_limits_and_mixing(ddb):
    statement = {"Statement": "SELECT * FROM users WHERE id = 'a'"}
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_execute_statement(Statements=[statement] * 26)
    assert "Member must have length less than or equal to 25" in error_of(excinfo)[1]
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_execute_statement(
            Statements=[statement, {"Statement": "DELETE FROM users WHERE id = 'a'"}]
        )
    assert error_of(excinfo)[0] == "ValidationException"


# -- ExecuteTransaction ------------------------------------------------------------------------


def test_transaction_writes_all_together(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'alice', 'balance': 100}")
    run(ddb, "INSERT INTO users VALUE {'id': 'bob', 'balance': 0}")
    run(ddb, "INSERT INTO users VALUE {'id': 'bank', 'open': true}")
    out = ddb.execute_transaction(
        TransactStatements=[
            {
                "Statement": "UPDATE users SET balance = balance - ? WHERE id = 'alice' "
                "AND balance >= ?",
                "Parameters": [n(30), n(30)],
            },
            {"Statement": "UPDATE users SET balance = balance + 30 WHERE id = 'bob'"},
            {"Statement": "INSERT INTO orders VALUE {'pk': 't', 'sk': 1}"},
            {"Statement": "EXISTS(SELECT * FROM users WHERE id = 'bank' AND open = true)"},
        ]
    )
    assert out.get("Responses", []) == []
    rows = run(ddb, "SELECT id, balance FROM users WHERE balance IS NOT MISSING")["Items"]
    assert sorted((r["id"]["S"], r["balance"]["N"]) for r in rows) == [
        ("alice", "70"),
        ("bob", "30"),
    ]
    assert run(ddb, "SELECT * FROM orders WHERE pk = 't'")["Items"] != []


def test_transaction_cancelled_writes_nothing(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'alice', 'balance': 10}")
    run(ddb, "INSERT INTO users VALUE {'id': 'dave'}")
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as excinfo:
        ddb.execute_transaction(
            TransactStatements=[
                {"Statement": "INSERT INTO users VALUE {'id': 'carol'}"},
                {
                    "Statement": "UPDATE users SET balance = 0 WHERE id = 'alice' AND balance > 50",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                },
                {"Statement": "INSERT INTO users VALUE {'id': 'dave'}"},
                {"Statement": "UPDATE users SET x = 1 WHERE id = 'ghost'"},
            ]
        )
    reasons = excinfo.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == [
        "None",
        "ConditionalCheckFailed",
        "DuplicateItem",
        "ConditionalCheckFailed",
    ]
    assert reasons[1]["Item"] == {"id": s("alice"), "balance": n(10)}
    assert "Item" not in ddb.get_item(TableName="users", Key={"id": s("carol")})
    assert ddb.get_item(TableName="users", Key={"id": s("alice")})["Item"]["balance"] == n(10)


def test_transaction_reads(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'v': 1, 'w': 2}")
    out = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": "SELECT v FROM users WHERE id = ?", "Parameters": [s("u1")]},
            {"Statement": "SELECT * FROM users WHERE id = 'missing'"},
        ]
    )
    assert out["Responses"] == [{"Item": {"v": n(1)}}, {}]


@pytest.mark.parametrize(
    "statements, message",
    [
        (
            ["SELECT * FROM users WHERE id = 'a'", "DELETE FROM users WHERE id = 'a'"],
            "ExecuteTransaction API does not support both read and write operations in the "
            "same request.",
        ),
        (
            ["SELECT * FROM users WHERE v = 1"],
            "Validation failed in TransactStatements[0]: Select statements within "
            "ExecuteTransaction must specify the primary key in the where clause.",
        ),
        (
            ['SELECT * FROM "orders"."by_status" WHERE status = \'x\''],
            "Validation failed in TransactStatements[0]: Reads on indices are not supported "
            "within transactions.",
        ),
        (
            ["DELETE FROM users WHERE id = 'a'", "UPDATE users SET v = 1 WHERE id = 'a'"],
            "Transaction request cannot include multiple operations on one item",
        ),
        (
            ["DELETE FROM users WHERE id = 'a'", "SELECT * FROM users WHERE"],
            f"Validation failed in TransactStatements[1]: {NOT_WELL_FORMED}Unexpected term",
        ),
        (
            ["EXISTS(SELECT * FROM users WHERE id = 'a')"],
            "Validation failed in TransactStatements[0]: EXISTS() must contain a single item "
            "read with additional condition",
        ),
    ],
)
def test_transaction_validation(ddb, statements, message):
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[{"Statement": t} for t in statements])
    assert error_of(excinfo) == ("ValidationException", message)


def test_transaction_exists_condition_fails(ddb):
    run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'v': 1}")
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as excinfo:
        ddb.execute_transaction(
            TransactStatements=[
                {"Statement": "EXISTS(SELECT * FROM users WHERE id = 'u1' AND v = 2)"},
                {"Statement": "INSERT INTO users VALUE {'id': 'u2'}"},
            ]
        )
    codes = [r["Code"] for r in excinfo.value.response["CancellationReasons"]]
    assert codes == ["ConditionalCheckFailed", "None"]
    assert "Item" not in ddb.get_item(TableName="users", Key={"id": s("u2")})


def test_transaction_limit_and_client_request_token(ddb):
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(
            TransactStatements=[
                {"Statement": f"INSERT INTO users VALUE {{'id': 'u{i}'}}"} for i in range(101)
            ]
        )
    assert "Member must have length less than or equal to 100" in error_of(excinfo)[1]
    request = [{"Statement": "UPDATE users SET v = v + 1 WHERE id = 'u1'"}]
    run(ddb, "INSERT INTO users VALUE {'id': 'u1', 'v': 0}")
    ddb.execute_transaction(TransactStatements=request, ClientRequestToken="tok")
    ddb.execute_transaction(TransactStatements=request, ClientRequestToken="tok")
    assert ddb.get_item(TableName="users", Key={"id": s("u1")})["Item"]["v"] == n(1)
    with pytest.raises(ddb.exceptions.IdempotentParameterMismatchException):
        ddb.execute_transaction(
            TransactStatements=[{"Statement": "DELETE FROM users WHERE id = 'u1'"}],
            ClientRequestToken="tok",
        )


def test_statements_are_authorized_as_their_partiql_action():
    with mock_serverless() as cloud:
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="acts",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.execute_statement(Statement="INSERT INTO \"acts\" VALUE {'id': 'a'}")
        client.execute_statement(Statement='SELECT * FROM "acts"')
        client.execute_statement(Statement="DELETE FROM \"acts\" WHERE id = 'a'")
        actions = [c.action for c in cloud.calls.where(operation="ExecuteStatement")]
        assert actions == [
            "dynamodb:PartiQLInsert",
            "dynamodb:PartiQLSelect",
            "dynamodb:PartiQLDelete",
        ]
