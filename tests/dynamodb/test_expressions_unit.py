"""Unit tests of DynamoDB's expression languages (fakeaws.services.dynamodb.expressions).

Messages are DynamoDB's; where one was captured against AWS the source is noted in
the expressions package.
"""

from __future__ import annotations

import random

import pytest

from fakeaws.errors import AWSError
from fakeaws.services.dynamodb import expressions as ex
from fakeaws.services.dynamodb.expressions.parser import parse


def attrs(names=None, values=None):
    return ex.ExpressionAttributes(names, values)


def S(text):
    return {"S": text}


def N(number):
    return {"N": str(number)}


def B(data):
    return {"B": data}


def L(*values):
    return {"L": list(values)}


def M(**values):
    return {"M": values}


def error(call) -> str:
    with pytest.raises(AWSError) as raised:
        call()
    assert raised.value.code == "ValidationException"
    return raised.value.message


# DynamoDB's recurring message shapes (the tests spell out every other message in full)


def reserved(word):
    return f"Attribute name is a reserved keyword; reserved keyword: {word}"


def undefined_name(name):
    return (
        "An expression attribute name used in the document path is not defined; "
        f"attribute name: {name}"
    )


def undefined_value(name):
    return (
        f"An expression attribute value used in expression is not defined; attribute value: {name}"
    )


def operand_type(operator, kind):
    return (
        "Incorrect operand type for operator or function; "
        f"operator or function: {operator}, operand type: {kind}"
    )


def operand_count(function, count):
    return (
        "Incorrect number of operands for operator or function; "
        f"operator or function: {function}, number of operands: {count}"
    )


def misused(function):
    return f"The function is not allowed to be used this way in an expression; function: {function}"


def needs_path(function):
    return f"Operator or function requires a document path; operator or function: {function}"


def repeated(operator, path):
    return (
        "The first operand must be distinct from the remaining operands for this operator or "
        f"function; operator: {operator}, first operand: {path}"
    )


def clash(relation, one, two):
    return (
        f"Two document paths {relation} with each other; must remove or rewrite one of these "
        f"paths; path one: {one}, path two: {two}"
    )


REDUNDANT = "The expression has redundant parentheses;"
INVALID_PATH = "The document path provided in the update expression is invalid for update"
MISSING = "The provided expression refers to an attribute that does not exist in the item"
WRONG_TYPE = "An operand in the update expression has an incorrect data type"


ITEM = {
    "pk": S("key"),
    "num": N(5),
    "str": S("hello"),
    "bin": B(b"\x01\x02\x03"),
    "yes": {"BOOL": True},
    "nothing": {"NULL": True},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"x", b"y"]},
    "lst": L(N(1), S("two"), L(N(3))),
    "doc": M(kid=M(deep=S("d")), n=N(7)),
    "uni": S("é𝄞"),  # 3 UTF-16 code units, 6 UTF-8 bytes
}

VALUES = {
    ":n5": N(5),
    ":n6": N("6.0"),
    ":n1": N(1),
    ":s": S("hello"),
    ":he": S("he"),
    ":b": B(b"\x01"),
    ":true": {"BOOL": True},
    ":list": L(N(1)),
    ":N": S("N"),
    ":S": S("S"),
    ":dog": S("DOG"),
    ":a": S("a"),
    ":x": S("x"),
    ":ss": {"SS": ["b", "a"]},
}


def check(text, item=ITEM, names=None, values=None, kind="ConditionExpression"):
    """Evaluate ``text`` against ``item``, binding only the values it uses."""
    used = {k: v for k, v in VALUES.items() if k in text} if values is None else values
    return ex.condition(text, attrs(names, used or None), kind).evaluate(item)


# -- ExpressionAttributes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "values", "message"),
    [
        ({}, None, "ExpressionAttributeNames must not be empty"),
        (None, {}, "ExpressionAttributeValues must not be empty"),
        (
            {"#a-b": "x"},
            None,
            'ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b"',
        ),
        ({"a": "x"}, None, 'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
        (
            None,
            {"v": S("x")},
            'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"',
        ),
        (
            None,
            {":v": N("abc")},
            "ExpressionAttributeValues contains invalid value: The parameter cannot be converted "
            "to a numeric value: abc for key :v",
        ),
        (
            None,
            {":v": {"SS": []}},
            "ExpressionAttributeValues contains invalid value: One or more parameter values were "
            "invalid: An string set  may not be empty for key :v",
        ),
    ],
)
def test_expression_attribute_maps_are_checked_up_front(names, values, message):
    assert error(lambda: attrs(names, values)) == message


def test_unused_names_then_values_are_reported_with_their_keys():
    a = attrs({"#used": "x", "#spare": "y", "#other": "z"}, {":used": N(1), ":spare": N(2)})
    ex.condition("#used = :used", a)
    assert error(a.check_all_used) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#spare, #other}"
    )
    b = attrs(None, {":used": N(1), ":spare": N(2)})
    ex.condition("x = :used", b)
    assert error(b.check_all_used) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:spare}"
    )


def test_names_and_values_used_by_any_expression_of_the_request_count():
    a = attrs({"#p": "x", "#u": "y"}, {":c": N(1), ":u": N(2)})
    ex.condition("#p = :c", a)
    ex.update("SET #u = :u", a)
    a.check_all_used()  # raises if anything were unused
    assert a.name("#p") == "x" and a.value(":u") == N(2)


def test_bound_expressions_keep_copies_of_the_request():
    names, values = {"#a": "x"}, {":v": L(N(1))}
    bound = ex.condition("#a = :v", attrs(names, values))
    upd = ex.update("SET #a = :v", attrs(names, values))
    names["#a"] = "y"
    values[":v"]["L"].append(N(2))
    assert bound.evaluate({"x": L(N(1))}) is True
    new, _ = upd.apply({"pk": S("k")}, {"pk"})
    assert new["x"] == L(N(1))
    new["x"]["L"].append(N(9))  # the caller owns the result
    assert upd.apply({"pk": S("k")}, {"pk"})[0]["x"] == L(N(1))


def test_values_are_normalized_when_bound():
    upd = ex.update("SET a = :v", attrs(None, {":v": N("007.50")}))
    assert upd.apply({}, set())[0] == {"a": N("7.5")}


# -- syntax ---------------------------------------------------------------------------------

SYNTAX = [
    # (parser, text, message after "Invalid <kind>: ") -- the first four captured against AWS
    ("projection", "!!!", 'Syntax error; token: "!", near: "!!"'),
    ("projection", "a b", 'Syntax error; token: "b", near: "a b"'),
    ("projection", "a,", 'Syntax error; token: "<EOF>", near: ","'),
    ("update", "INVALID SYNTAX HERE", 'Syntax error; token: "INVALID", near: "INVALID SYNTAX"'),
    ("update", "ADD hits : incr", 'Syntax error; token: ":", near: "hits : incr"'),
    ("condition", "a-b", 'Syntax error; token: "-", near: "a-b"'),
    ("condition", "attribute_type()", 'Syntax error; token: ")", near: "()"'),
    (
        "condition",
        "attribute_exists(car_id) AND NOT #has",
        'Syntax error; token: "<EOF>", near: "#has"',
    ),
    ("condition", "a =", 'Syntax error; token: "<EOF>", near: "="'),
    ("condition", "a = :v AND", 'Syntax error; token: "<EOF>", near: "AND"'),
    ("condition", "a IN ()", 'Syntax error; token: ")", near: "()"'),
    ("condition", "a = :v )", 'Syntax error; token: ")", near: ":v )"'),
    ("condition", "(a = :v", 'Syntax error; token: "<EOF>", near: ":v"'),
    ("condition", "a", 'Syntax error; token: "<EOF>", near: "a"'),
    ("condition", "a = :v b", 'Syntax error; token: "b", near: ":v b"'),
    ("condition", "a BETWEEN :x OR :y", 'Syntax error; token: "OR", near: ":x OR :y"'),
    ("condition", 'a = "text"', 'Syntax error; token: ""text"", near: "= "text""'),
    ("condition", "_a = :v", 'Syntax error; token: "_", near: "_a"'),
    ("condition", "set = :v", 'Syntax error; token: "set", near: "set ="'),
    ("condition", "a[01] = :v", 'Syntax error; token: "1", near: "01]"'),
    ("condition", "(a = :v) = :w", 'Syntax error; token: "=", near: ") = :w"'),
    ("update", "SET", 'Syntax error; token: "<EOF>", near: "SET"'),
    ("update", "SET a = :v b", 'Syntax error; token: "b", near: ":v b"'),
    ("update", "SET a = b + c + d", 'Syntax error; token: "+", near: "c + d"'),
    ("update", "SET a = -1", 'Syntax error; token: "-", near: "= -1"'),
    ("update", "SET a = (b + c", 'Syntax error; token: "<EOF>", near: "c"'),
    ("update", "ADD a b", 'Syntax error; token: "b", near: "a b"'),
    ("update", "REMOVE a.:v", 'Syntax error; token: ":v", near: ".:v"'),
    ("projection", "a.#", 'Syntax error; token: "#", near: ".#"'),
    ("projection", "a[x]", 'Syntax error; token: "x", near: "[x]"'),
]


@pytest.mark.parametrize(("grammar", "text", "message"), SYNTAX)
def test_syntax_errors_quote_the_token_and_its_neighbours(grammar, text, message):
    assert parse(text, grammar).error == message


@pytest.mark.parametrize(
    ("bind", "kind"),
    [
        (lambda text: ex.condition(text, attrs()), "ConditionExpression"),
        (lambda text: ex.condition(text, attrs(), "FilterExpression"), "FilterExpression"),
        (lambda text: ex.update(text, attrs()), "UpdateExpression"),
        (lambda text: ex.projection(text, attrs()), "ProjectionExpression"),
        (lambda text: ex.key_condition(text, attrs(), "pk", None), "KeyConditionExpression"),
    ],
)
def test_messages_name_the_expression_kind(bind, kind):
    assert error(lambda: bind("")) == f"Invalid {kind}: The expression can not be empty;"
    assert error(lambda: bind("   ")) == f"Invalid {kind}: The expression can not be empty;"
    assert error(lambda: bind("!")) == f'Invalid {kind}: Syntax error; token: "!", near: "!"'
    long = "a" * 4097
    assert error(lambda: bind(long)) == (
        f"Invalid {kind}: Expression size has exceeded the maximum allowed size; "
        "expression size: 4097"
    )


def test_parsing_is_cached_per_text_and_grammar():
    text = "cached_a = cached_b"
    first = parse(text, "condition")
    assert parse(text, "condition") is first
    assert parse(text, "projection") is not first


def test_nesting_beyond_fakeaws_bound_is_a_validation_error():
    deep = "NOT (" * 60 + "a = b" + ")" * 60
    assert "at most 100 nested" in error(lambda: ex.condition(deep, attrs()))
    fine = "NOT (" * 30 + "a = :v" + ")" * 30
    assert ex.condition(fine, attrs(None, {":v": N(1)})).evaluate({"a": N(1)}) is True


# -- condition evaluation -------------------------------------------------------------------

CONDITIONS = [
    # comparators on numbers, strings, binaries
    ("num = :n5", True),
    ("num = :n6", False),
    ("num <> :n6", True),
    ("num < :n6", True),
    ("num <= :n5", True),
    ("num > :n5", False),
    ("num >= :n5", True),
    (":n6 > num", True),
    ("str = :s", True),
    ("str > :he", True),
    ("bin > :b", True),
    ("ss = :ss", True),  # sets compare as sets
    ("lst[0] = :n1", True),
    ("doc.n > lst[0]", True),
    # different types are never equal or ordered; a missing attribute never equal
    ("num = :s", False),
    ("num <> :s", True),
    ("str < :n6", False),
    ("absent = :n5", False),
    ("absent <> :n5", True),
    ("absent = elsewhere", False),
    ("absent <> elsewhere", True),
    ("absent < :n5", False),
    ("yes = :true", True),
    ("lst < num", False),  # item values of unorderable types: just false
    # BETWEEN and IN
    ("num BETWEEN :n1 AND :n6", True),
    ("num BETWEEN :n6 AND :n6", False),
    ("num between :n5 and :n5", True),
    ("str BETWEEN :n1 AND :n6", False),
    ("absent BETWEEN :n1 AND :n6", False),
    ("num IN (:n1, :s, :n5)", True),
    ("num IN (:n1, :s)", False),
    ("absent IN (:n1)", False),
    ("lst[0] IN (:s, :n1)", True),
    # logic: NOT binds tighter than AND, AND tighter than OR; keywords in any case
    ("num = :n1 OR num = :n5 AND str = :s", True),
    ("(num = :n1 OR num = :n5) AND str = :he", False),
    ("NOT num = :n1 AND str = :s", True),
    ("NOT (num = :n5 AND str = :s)", False),
    ("not num = :n5 or str = :s", True),
    ("NOT NOT num = :n5", True),
    ("(num) = :n5", True),
    ("((num = :n5) AND (str = :s))", True),
    # functions
    ("attribute_exists(doc.kid.deep)", True),
    ("attribute_exists(doc.kid.gone)", False),
    ("attribute_exists(lst[2][0])", True),
    ("attribute_exists(lst[3])", False),
    ("attribute_exists(str.x)", False),
    ("attribute_not_exists(absent)", True),
    ("attribute_not_exists(num)", False),
    ("attribute_type(num, :N)", True),
    ("attribute_type(num, :S)", False),
    ("attribute_type(:n5, :N)", True),
    ("attribute_type(absent, :N)", False),
    ("begins_with(str, :he)", True),
    ("begins_with(:s, :he)", True),
    ("begins_with(str, :s)", True),
    ("begins_with(bin, :b)", True),
    ("begins_with(num, :he)", False),
    ("begins_with(absent, :he)", False),
    ("contains(str, :he)", True),
    ("contains(bin, :b)", True),
    ("contains(ss, :a)", True),
    ("contains(ss, :x)", False),
    ("contains(ns, :n1)", True),
    ("contains(lst, :n1)", True),
    ("contains(lst, :list)", False),
    ("contains(num, :n5)", False),
    ("contains(absent, :a)", False),
    ("size(str) = :n5", True),
    ("size(uni) = :n6", False),
    ("size(bin) < :n5", True),
    ("size(ss) <= :n5", True),
    ("size(lst) > :n1", True),
    ("size(doc) >= :n1", True),
    ("size(num) = :n1", False),  # numbers have no size: false, not an error
    ("size(absent) = :n1", False),
    ("size(str) = :s", False),
    ("size(str) = num", True),
]


@pytest.mark.parametrize(("text", "expected"), CONDITIONS)
def test_condition_evaluation(text, expected):
    assert check(text) is expected


def test_size_of_a_string_counts_utf16_code_units():
    assert check("size(uni) = :three", values={":three": N(3)}) is True


def test_names_substitute_any_attribute_name_even_with_dots():
    item = {"a.b": S("flat"), "a": M(b=S("nested")), "status": S("on")}
    names = {"#ab": "a.b", "#a": "a", "#b": "b", "#s": "status"}
    values = {":flat": S("flat"), ":nested": S("nested"), ":on": S("on")}
    assert check("#ab = :flat", item, names, values) is True
    values = {":nested": S("nested"), ":on": S("on")}
    assert check("#a.#b = :nested AND #s = :on", item, names, values) is True


def test_a_missing_item_is_an_item_without_attributes():
    assert check("attribute_not_exists(pk)", item=None) is True
    assert check("pk = :s", item=None) is False


def test_condition_lists_the_paths_it_reads():
    bound = ex.condition("#a.b[1] = :v OR c = d", attrs({"#a": "x"}, {":v": N(1)}))
    assert bound.paths == [("x", "b", 1), ("c",), ("d",)]


# -- condition errors -----------------------------------------------------------------------

CONDITION_ERRORS = [
    # (text, names, values, message after "Invalid ConditionExpression: ")
    ("status = :a", None, {":a": S("x")}, reserved("status")),
    ("a.Comment = :a", None, {":a": S("x")}, reserved("Comment")),
    ("#a = :a", None, {":a": S("x")}, undefined_name("#a")),
    ("a = :b", None, {":a": S("x")}, undefined_value(":b")),
    ("foo(a)", None, None, "Invalid function name; function: foo"),
    ("SIZE(a) = :a", None, {":a": N(1)}, "Invalid function name; function: SIZE"),
    (
        "if_not_exists(a, :a) = :a",
        None,
        {":a": N(1)},
        "The function is not allowed in a condition expression; function: if_not_exists",
    ),
    ("size(a)", None, None, misused("size")),
    ("attribute_exists(a) = :a", None, {":a": N(1)}, misused("attribute_exists")),
    ("contains(attribute_exists(a), :a)", None, {":a": N(1)}, misused("attribute_exists")),
    ("begins_with(a)", None, None, operand_count("begins_with", 1)),
    ("size(a, b) = :a", None, {":a": N(1)}, operand_count("size", 2)),
    ("attribute_exists(:a)", None, {":a": N(1)}, needs_path("attribute_exists")),
    ("attribute_not_exists(:a)", None, {":a": N(1)}, needs_path("attribute_not_exists")),
    ("begins_with(a, :a)", None, {":a": N(1)}, operand_type("begins_with", "N")),
    ("begins_with(a, size(b))", None, None, operand_type("begins_with", "N")),
    (
        "attribute_type(a, :a)",
        None,
        {":a": S("DOG")},
        "Invalid attribute type name found; type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
    ),
    ("attribute_type(a, :a)", None, {":a": N(1)}, operand_type("attribute_type", "N")),
    (
        "attribute_type(a, b)",
        None,
        None,
        operand_type("attribute_type", "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"),
    ),
    ("size(:a) = :a", None, {":a": N(1)}, operand_type("size", "N")),
    ("a < :a", None, {":a": {"BOOL": True}}, operand_type("<", "BOOL")),
    (":a >= a", None, {":a": L(N(1))}, operand_type(">=", "L")),
    (
        "a BETWEEN :a AND :b",
        None,
        {":a": {"BOOL": False}, ":b": {"BOOL": True}},
        operand_type("BETWEEN", "BOOL"),
    ),
    (
        "a BETWEEN :a AND :b",
        None,
        {":a": N(1), ":b": S("x")},
        "The BETWEEN operator requires same data type for lower and upper bounds; lower bound "
        "operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}",
    ),
    (
        "a BETWEEN :a AND :b",
        None,
        {":a": N(5), ":b": N(1)},
        "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
        "lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}",
    ),
    ("contains(#a, #a)", {"#a": "data"}, None, repeated("contains", "[data]")),
    ("a.b[1] = #x.b[1]", {"#x": "a"}, None, repeated("=", "[a, b, [1]]")),
    ("a IN (:a, a)", None, {":a": N(1)}, repeated("IN", "[a]")),
    ("((a = :a))", None, {":a": N(1)}, REDUNDANT),
    ("((a)) = :a", None, {":a": N(1)}, REDUNDANT),
    (
        "a" + ".b" * 32 + " = :a",
        None,
        {":a": N(1)},
        "The document path has too many nesting levels; nesting levels: 33",
    ),
]


@pytest.mark.parametrize(("text", "names", "values", "message"), CONDITION_ERRORS)
def test_condition_errors(text, names, values, message):
    bound = attrs(names, values)
    assert error(lambda: ex.condition(text, bound)) == f"Invalid ConditionExpression: {message}"


def test_in_takes_up_to_100_operands():
    values = {f":v{n}": N(n) for n in range(101)}
    hundred = ", ".join(list(values)[:100])
    assert ex.condition(f"a IN ({hundred})", attrs(None, values)).evaluate({"a": N(99)})
    text = f"a IN ({', '.join(values)})"
    assert error(lambda: ex.condition(text, attrs(None, values))) == (
        "Invalid ConditionExpression: The IN operator is provided with too many operands; "
        "number of operands: 101"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # one comparison at a time, in the order written (AWS capture, 2026)
        ("a = :missing AND begins_with(b, :n)", undefined_value(":missing")),
        ("begins_with(b, :n) AND a = :missing", operand_type("begins_with", "N")),
        # static problems come first, wherever they are
        ("a = :missing AND foo(b)", "Invalid function name; function: foo"),
        ("a = :missing AND status = :n", reserved("status")),
        ("((a = :missing)) AND foo(b)", REDUNDANT),
        # within one comparison: undefined, then counts, then repeated operands, then types
        ("begins_with(a, a, :missing)", undefined_value(":missing")),
        ("begins_with(:n, :n, :n)", operand_count("begins_with", 3)),
        ("begins_with(a, a) AND begins_with(:n, :n)", repeated("begins_with", "[a]")),
    ],
)
def test_condition_errors_come_in_dynamodb_order(text, message):
    bound = attrs(None, {":n": N(1)})
    assert error(lambda: ex.condition(text, bound)) == f"Invalid ConditionExpression: {message}"


# -- updates --------------------------------------------------------------------------------

BASE = {
    "pk": S("k"),
    "n": N(10),
    "s": S("text"),
    "l": L(S("a"), S("b"), S("c")),
    "m": M(x=N(1), deeper=M(y=N(2))),
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
}

UPDATES = [
    # (expression, values, changed attributes of the new item, removed attributes,
    #  paths as written, in source order: what UPDATED_OLD / UPDATED_NEW project)
    ("SET s = :v", {":v": S("new")}, {"s": S("new")}, [], [("s",)]),
    ("SET fresh = :v", {":v": N(1)}, {"fresh": N(1)}, [], [("fresh",)]),
    ("SET m.x = :v", {":v": N(9)}, {"m": M(x=N(9), deeper=M(y=N(2)))}, [], [("m", "x")]),
    (
        "SET m.deeper.z = :v",
        {":v": N(3)},
        {"m": M(x=N(1), deeper=M(y=N(2), z=N(3)))},
        [],
        [("m", "deeper", "z")],
    ),
    ("SET l[1] = :v", {":v": S("B")}, {"l": L(S("a"), S("B"), S("c"))}, [], [("l", 1)]),
    ("SET l[7] = :v", {":v": S("d")}, {"l": L(S("a"), S("b"), S("c"), S("d"))}, [], [("l", 7)]),
    (
        "SET l[9] = :v, l[5] = :w",
        {":v": S("e"), ":w": S("d")},
        {"l": L(S("a"), S("b"), S("c"), S("d"), S("e"))},
        [],
        [("l", 9), ("l", 5)],
    ),
    ("SET n = n + :v", {":v": N("0.5")}, {"n": N("10.5")}, [], [("n",)]),
    ("SET n = :v - n", {":v": N(1)}, {"n": N(-9)}, [], [("n",)]),
    ("SET n = (n - :v)", {":v": N(3)}, {"n": N(7)}, [], [("n",)]),
    ("SET c = if_not_exists(c, :v) + :v", {":v": N(2)}, {"c": N(4)}, [], [("c",)]),
    ("SET n = if_not_exists(n, :v)", {":v": N(0)}, {}, [], [("n",)]),
    (
        "SET l = list_append(l, :v)",
        {":v": L(S("d"))},
        {"l": L(S("a"), S("b"), S("c"), S("d"))},
        [],
        [("l",)],
    ),
    (
        "SET l = list_append(:v, l)",
        {":v": L(S("z"))},
        {"l": L(S("z"), S("a"), S("b"), S("c"))},
        [],
        [("l",)],
    ),
    (
        "SET nl = list_append(if_not_exists(nl, :e), :v)",
        {":e": L(), ":v": L(N(1))},
        {"nl": L(N(1))},
        [],
        [("nl",)],
    ),
    ("SET s = n, n = s", None, {"s": N(10), "n": S("text")}, [], [("s",), ("n",)]),
    ("SET copied = m.deeper", None, {"copied": M(y=N(2))}, [], [("copied",)]),
    ("REMOVE s, m.x", None, {"m": M(deeper=M(y=N(2)))}, ["s"], [("s",), ("m", "x")]),
    ("REMOVE l[0], l[2]", None, {"l": L(S("b"))}, [], [("l", 0), ("l", 2)]),
    (
        "REMOVE l[1] SET l[2] = :v",
        {":v": S("C")},
        {"l": L(S("a"), S("C"))},
        [],
        [("l", 1), ("l", 2)],
    ),
    ("REMOVE absent, m.absent, l[10]", None, {}, [], [("absent",), ("m", "absent"), ("l", 10)]),
    ("ADD n :v", {":v": N(-3)}, {"n": N(7)}, [], [("n",)]),
    ("ADD tally :v", {":v": N(1)}, {"tally": N(1)}, [], [("tally",)]),
    ("ADD m.x :v", {":v": N(1)}, {"m": M(x=N(2), deeper=M(y=N(2)))}, [], [("m", "x")]),
    ("ADD ss :v", {":v": {"SS": ["b", "c"]}}, {"ss": {"SS": ["a", "b", "c"]}}, [], [("ss",)]),
    ("ADD ns :v", {":v": {"NS": ["2.0", "3"]}}, {"ns": {"NS": ["1", "2", "3"]}}, [], [("ns",)]),
    ("ADD newset :v", {":v": {"SS": ["x"]}}, {"newset": {"SS": ["x"]}}, [], [("newset",)]),
    ("DELETE ss :v", {":v": {"SS": ["a", "z"]}}, {"ss": {"SS": ["b"]}}, [], [("ss",)]),
    ("DELETE ns :v", {":v": {"NS": ["1.0", "2"]}}, {}, ["ns"], [("ns",)]),
    ("DELETE absent :v", {":v": {"SS": ["a"]}}, {}, [], [("absent",)]),
    (
        "remove s set t = :v add u :w delete ss :x",
        {":v": N(1), ":w": N(2), ":x": {"SS": ["a"]}},
        {"t": N(1), "u": N(2), "ss": {"SS": ["b"]}},
        ["s"],
        [("s",), ("t",), ("u",), ("ss",)],
    ),
]


@pytest.mark.parametrize(("text", "values", "changed", "removed", "paths"), UPDATES)
def test_update_application(text, values, changed, removed, paths):
    snapshot = repr(BASE)
    new, written = ex.update(text, attrs(None, values)).apply(BASE, {"pk"})
    expected = {k: v for k, v in BASE.items() if k not in removed}
    expected.update(changed)
    assert new == expected
    assert written == paths
    assert repr(BASE) == snapshot  # the input is not mutated


def test_update_reports_its_paths_as_written():
    upd = ex.update("SET #a.b = :v REMOVE c[2]", attrs({"#a": "x"}, {":v": N(1)}))
    assert upd.paths == [("x", "b"), ("c", 2)]


def test_number_results_follow_dynamodb_limits():
    big = N("1" + "0" * 36 + "1")
    upd = ex.update("SET n = n + :tenth", attrs(None, {":tenth": N("0.1")}))
    assert error(lambda: upd.apply({"n": big}, set())) == (
        "Attempting to store more than 38 significant digits in a Number"
    )
    upd = ex.update("ADD n :v", attrs(None, {":v": N("9E+125")}))
    assert error(lambda: upd.apply({"n": N("9E+125")}, set())) == (
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )
    upd = ex.update("SET n = n - :v", attrs(None, {":v": N("0.1")}))
    assert upd.apply({"n": N("0.3")}, set())[0] == {"n": N("0.2")}


UPDATE_ERRORS = [
    # (text, names, values, message after "Invalid UpdateExpression: ")
    ("SET status = :v", None, {":v": N(1)}, reserved("status")),
    (
        "SET a = size(b)",
        None,
        None,
        "The function is not allowed in an update expression; function: size",
    ),
    ("SET a = foo(b)", None, None, "Invalid function name; function: foo"),
    (
        "SET a = :v SET b = :v",
        None,
        {":v": N(1)},
        'The "SET" section can only be used once in an update expression;',
    ),
    (
        "REMOVE a ADD b :v REMOVE c",
        None,
        {":v": N(1)},
        'The "REMOVE" section can only be used once in an update expression;',
    ),
    ("SET #a = :missing", None, None, undefined_name("#a")),
    ("SET a = :missing", None, None, undefined_value(":missing")),
    ("SET a = :v, #a = :v", {"#a": "a"}, {":v": N(1)}, clash("overlap", "[a]", "[a]")),
    ("SET a = :v REMOVE a.b", None, {":v": N(1)}, clash("overlap", "[a]", "[a, b]")),
    (
        "SET l[0].x = :v, l.y = :v",
        None,
        {":v": N(1)},
        clash("conflict", "[l, [0], x]", "[l, y]"),
    ),
    (
        "ADD a :v",
        None,
        {":v": S("x")},
        "Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
    ),
    (
        "ADD a :v",
        None,
        {":v": L()},
        "Incorrect operand type for operator or function; operator: ADD, operand type: LIST",
    ),
    (
        "DELETE a :v",
        None,
        {":v": N(1)},
        "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER",
    ),
    ("SET a = :v + b", None, {":v": S("x")}, operand_type("+", "S")),
    ("SET a = b - :v", None, {":v": {"BOOL": True}}, operand_type("-", "BOOL")),
    ("SET a = list_append(a, :v)", None, {":v": S("x")}, operand_type("list_append", "S")),
    ("SET a = list_append(a, b, c)", None, None, operand_count("list_append", 3)),
    ("SET a = if_not_exists(:v, :v)", None, {":v": N(1)}, needs_path("if_not_exists")),
    ("SET a = ((b + c))", None, None, REDUNDANT),
]


@pytest.mark.parametrize(("text", "names", "values", "message"), UPDATE_ERRORS)
def test_update_errors(text, names, values, message):
    bound = attrs(names, values)
    assert error(lambda: ex.update(text, bound)) == f"Invalid UpdateExpression: {message}"


UPDATE_RUNTIME_ERRORS = [
    # problems that depend on the item: DynamoDB reports them without the prefix
    ("SET nope.child = :v", INVALID_PATH),
    ("SET s.child = :v", INVALID_PATH),
    ("SET m[0] = :v", INVALID_PATH),
    ("SET l[5].x = :v", INVALID_PATH),
    ("REMOVE nope.child", INVALID_PATH),
    ("ADD nope.n :v", INVALID_PATH),
    ("SET a = nope", MISSING),
    ("SET a = nope + :v", MISSING),
    ("SET a = list_append(nope, l)", MISSING),
    ("SET a = if_not_exists(nope, elsewhere)", MISSING),
    ("SET a = s + :v", WRONG_TYPE),
    ("SET a = list_append(s, l)", WRONG_TYPE),
    ("ADD s :v", WRONG_TYPE),
    ("ADD ss :ns", WRONG_TYPE),
    ("DELETE ss :ns", WRONG_TYPE),
    ("DELETE s :ns", WRONG_TYPE),
]


@pytest.mark.parametrize(("text", "message"), UPDATE_RUNTIME_ERRORS)
def test_update_errors_that_depend_on_the_item(text, message):
    used = {k: v for k, v in {":v": N(1), ":ns": {"NS": ["1"]}}.items() if k in text}
    upd = ex.update(text, attrs(None, used or None))
    assert error(lambda: upd.apply(BASE, {"pk"})) == message


@pytest.mark.parametrize("text", ["SET pk = :v", "REMOVE pk", "ADD pk :v", "SET pk.x = :v"])
def test_key_attributes_cannot_be_updated(text):
    upd = ex.update(text, attrs(None, {":v": N(1)} if ":v" in text else None))
    message = (
        "One or more parameter values were invalid: Cannot update attribute pk. "
        "This attribute is part of the key"
    )
    assert error(lambda: upd.check_keys({"pk", "sk"})) == message
    assert error(lambda: upd.apply(BASE, {"pk"})) == message


# -- projections ----------------------------------------------------------------------------


def test_projection_keeps_the_nesting_of_what_it_names():
    bound = ex.projection("doc.kid.deep, lst[2], lst[0], str, absent, doc.gone", attrs())
    assert bound.paths == [
        ("doc", "kid", "deep"),
        ("lst", 2),
        ("lst", 0),
        ("str",),
        ("absent",),
        ("doc", "gone"),
    ]
    assert bound.apply(ITEM) == {
        "doc": M(kid=M(deep=S("d"))),
        "lst": L(N(1), L(N(3))),
        "str": S("hello"),
    }


def test_projection_skips_paths_through_other_types():
    bound = ex.projection("str.x, num[0], lst[9], doc[0]", attrs())
    assert bound.apply(ITEM) == {}


def test_projection_returns_copies():
    item = {"l": L(N(1))}
    projected = ex.projection("l", attrs()).apply(item)
    projected["l"]["L"].append(N(2))
    assert item == {"l": L(N(1))}


def test_project_with_update_paths_gives_updated_old_and_new():
    upd = ex.update("SET m.x = :v, l[8] = :v REMOVE s", attrs(None, {":v": N(5)}))
    new, written = upd.apply(BASE, {"pk"})
    assert ex.project(BASE, written) == {"m": M(x=N(1)), "s": S("text")}
    # the SET past the end of l appended: its written index holds nothing (as on DynamoDB)
    assert ex.project(new, written) == {"m": M(x=N(5))}


@pytest.mark.parametrize(
    ("text", "names", "message"),
    [
        ("a, a", None, clash("overlap", "[a]", "[a]")),
        ("a.b, a", None, clash("overlap", "[a, b]", "[a]")),
        ("a[0], a.b", None, clash("conflict", "[a, [0]]", "[a, b]")),
        ("#n.b, #n", {"#n": "x"}, clash("overlap", "[x, b]", "[x]")),
        ("name", None, reserved("name")),
        ("#n", None, undefined_name("#n")),
    ],
)
def test_projection_errors(text, names, message):
    bound = attrs(names)
    assert error(lambda: ex.projection(text, bound)) == f"Invalid ProjectionExpression: {message}"


def test_sibling_paths_are_not_overlapping():
    assert ex.projection("a.b, a.c, l[0], l[1]", attrs()).paths == [
        ("a", "b"),
        ("a", "c"),
        ("l", 0),
        ("l", 1),
    ]


# -- key conditions -------------------------------------------------------------------------

KEY_VALUES = {":p": S("p1"), ":a": S("b"), ":z": S("d"), ":n": N(1), ":t": {"BOOL": True}}


def key(text, names=None, range_key="sk", key_types=None):
    used = {k: v for k, v in KEY_VALUES.items() if k in text}
    bound = attrs(names, used or None)
    return ex.key_condition(text, bound, "pk", range_key, key_types=key_types)


@pytest.mark.parametrize(
    ("text", "operator", "values", "inside", "outside"),
    [
        ("pk = :p AND sk = :a", "=", [S("b")], S("b"), S("c")),
        ("pk = :p AND sk < :a", "<", [S("b")], S("a"), S("b")),
        ("pk = :p AND sk <= :a", "<=", [S("b")], S("b"), S("c")),
        ("pk = :p AND sk > :a", ">", [S("b")], S("c"), S("b")),
        ("pk = :p AND sk >= :a", ">=", [S("b")], S("b"), S("a")),
        ("pk = :p AND :a < sk", ">", [S("b")], S("ba"), S("a")),
        ("pk = :p AND :a >= sk", "<=", [S("b")], S("b"), S("c")),
        ("pk = :p AND sk BETWEEN :a AND :z", "BETWEEN", [S("b"), S("d")], S("c"), S("e")),
        ("pk = :p AND begins_with(sk, :a)", "begins_with", [S("b")], S("bx"), S("ab")),
        ("(sk = :a) AND (pk = :p)", "=", [S("b")], S("b"), N(1)),
        ("#k = :p and #r > :a", ">", [S("b")], S("c"), S("a")),
    ],
)
def test_key_conditions(text, operator, values, inside, outside):
    bound = key(text, names={"#k": "pk", "#r": "sk"} if "#" in text else None)
    assert (bound.hash_key, bound.hash_value, bound.range_key) == ("pk", S("p1"), "sk")
    assert (bound.range.operator, bound.range.values) == (operator, values)
    assert bound.matches(inside) is True
    assert bound.matches(outside) is False
    assert bound.matches(None) is False


def test_key_condition_on_the_partition_key_alone():
    bound = key("pk = :p")
    assert bound.range is None and bound.matches(S("anything")) is True
    assert key(":p = pk", range_key=None).hash_value == S("p1")


def test_key_condition_begins_with_on_binary_and_numbers_in_order():
    a = attrs(None, {":p": S("p"), ":b": B(b"\x01")})
    binary = ex.key_condition("pk = :p AND begins_with(sk, :b)", a, "pk", "sk")
    assert binary.matches(B(b"\x01\x02")) and not binary.matches(B(b"\x02"))
    a = attrs(None, {":p": S("p"), ":lo": N(2), ":hi": N(10)})
    numbers = ex.key_condition("pk = :p AND sk BETWEEN :lo AND :hi", a, "pk", "sk")
    assert numbers.matches(N(9)) and not numbers.matches(N(11)) and not numbers.matches(S("5"))


INVALID_KEY = "Invalid KeyConditionExpression: "
SCHEMA_TYPE = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)


def invalid_operator(operator):
    return f"{INVALID_KEY}Invalid operator used in KeyConditionExpression: {operator}"


def invalid_condition(problem):
    return f"{INVALID_KEY}Invalid condition in KeyConditionExpression: {problem}"


def too_many_conditions(count, keys):
    return (
        f"The number of query conditions ({count}) exceeds the number of key attributes "
        f"defined in the schema ({keys})"
    )


KEY_ERRORS = [
    # (text, range key, key types, message)
    ("pk = :p OR sk = :a", "sk", None, invalid_operator("OR")),
    ("NOT pk = :p", "sk", None, invalid_operator("NOT")),
    ("pk IN (:p)", "sk", None, invalid_operator("IN")),
    ("pk <> :p", "sk", None, invalid_operator("<>")),
    ("pk = :p AND attribute_exists(sk)", "sk", None, invalid_operator("attribute_exists")),
    ("pk = :p AND contains(sk, :a)", "sk", None, invalid_operator("contains")),
    (
        "pk = :p AND size(sk) = :n",
        "sk",
        None,
        f"{INVALID_KEY}KeyConditionExpressions cannot contain nested operations",
    ),
    (
        "pk = :p AND :a BETWEEN sk AND :z",
        "sk",
        None,
        invalid_condition("BETWEEN operator must have the key attribute as its first operand"),
    ),
    (
        "pk = :p AND begins_with(:a, sk)",
        "sk",
        None,
        invalid_condition("begins_with operator must have the key attribute as its first operand"),
    ),
    ("pk = sk", "sk", None, invalid_condition("Multiple attribute names used in one condition")),
    (":p = :a", "sk", None, invalid_condition("No key attribute specified")),
    (
        "pk.x = :p",
        "sk",
        None,
        f"{INVALID_KEY}KeyConditionExpressions cannot have conditions on nested attributes",
    ),
    (
        "pk = :p AND sk[0] = :a",
        "sk",
        None,
        f"{INVALID_KEY}KeyConditionExpressions cannot have conditions on nested attributes",
    ),
    (
        "pk = :p AND sk > :a AND sk < :z",
        "sk",
        None,
        f"{INVALID_KEY}KeyConditionExpressions must only contain one condition per key",
    ),
    (
        "pk = :p AND begins_with(sk, :n)",
        "sk",
        None,
        INVALID_KEY + operand_type("begins_with", "N"),
    ),
    ("pk = :p AND sk < :t", "sk", None, INVALID_KEY + operand_type("<", "BOOL")),
    (
        "pk = :p AND sk BETWEEN :z AND :a",
        "sk",
        None,
        f"{INVALID_KEY}The BETWEEN operator requires upper bound to be greater than or equal to "
        "lower bound; lower bound operand: AttributeValue: {S:d}, upper bound operand: "
        "AttributeValue: {S:b}",
    ),
    ("pk = :p AND sk > :a AND elsewhere = :z", "sk", None, too_many_conditions(3, 2)),
    ("pk = :p AND elsewhere = :z", None, None, too_many_conditions(2, 1)),
    ("sk = :a", "sk", None, "Query condition missed key schema element: pk"),
    ("elsewhere = :a", None, None, "Query condition missed key schema element: pk"),
    ("pk = :p AND elsewhere = :a", "sk", None, "Query condition missed key schema element: sk"),
    ("begins_with(pk, :p)", "sk", None, "Query key condition not supported"),
    ("pk > :p AND sk = :a", "sk", None, "Query key condition not supported"),
    ("pk = :n", "sk", {"pk": "S"}, SCHEMA_TYPE),
    ("pk = :p AND begins_with(sk, :a)", "sk", {"pk": "S", "sk": "N"}, SCHEMA_TYPE),
]


@pytest.mark.parametrize(("text", "range_key", "key_types", "message"), KEY_ERRORS)
def test_key_condition_errors(text, range_key, key_types, message):
    assert error(lambda: key(text, range_key=range_key, key_types=key_types)) == message


def test_key_condition_errors_in_the_order_written():
    # AWS capture (2026): the first clause's problem wins
    assert error(lambda: key("pk = :missing AND begins_with(sk, :n)")) == (
        INVALID_KEY + undefined_value(":missing")
    )
    assert error(lambda: key("begins_with(sk, :n) AND pk = :missing")) == (
        INVALID_KEY + operand_type("begins_with", "N")
    )


# -- robustness -----------------------------------------------------------------------------

SOUP = [
    "a", "b", "#n", ":v", ":w", "size", "contains", "begins_with", "attribute_exists",
    "attribute_type", "if_not_exists", "list_append", "foo", "status", "(", ")", "(", ")",
    "[", "]", "0", "7", ".", ",", "=", "<>", "<", ">=", "+", "-", "AND", "OR", "NOT",
    "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE", "!", "'x'", "#", ":", " ",
]  # fmt: skip


def test_token_soup_gives_validation_errors_never_other_exceptions():
    rng = random.Random(20240601)
    values = {":v": N(1), ":w": {"SS": ["a"]}}
    item = {"a": L(N(1), M(b=S("x"))), "b": N(2), "x": S("s")}
    outcomes = {"bound": 0, "refused": 0}
    for _ in range(3000):
        text = " ".join(rng.choice(SOUP) for _ in range(rng.randint(1, 12)))
        for bind in (
            lambda t: ex.condition(t, attrs({"#n": "x"}, values)).evaluate(item),
            lambda t: ex.update(t, attrs({"#n": "x"}, values)).apply(item, {"pk"}),
            lambda t: ex.projection(t, attrs({"#n": "x"})).apply(item),
            lambda t: ex.key_condition(t, attrs({"#n": "x"}, values), "a", "b"),
        ):
            try:
                bind(text)
                outcomes["bound"] += 1
            except AWSError as problem:
                assert problem.code == "ValidationException", text
                outcomes["refused"] += 1
    assert outcomes["bound"] > 0 and outcomes["refused"] > 0


# -- what UpdateItem checks against the schema before reading the item -------------------------


def test_written_types_are_those_known_before_the_item_is_read():
    upd = ex.update(
        "SET a = :s, b = c + :n, d = list_append(d, :l), e = if_not_exists(e, :s), f = g "
        "ADD h :ss REMOVE i",
        attrs(None, {":s": S("x"), ":n": N(1), ":l": L(), ":ss": {"SS": ["y"]}}),
    )
    assert upd.written_types() == [
        (("a",), "S"),
        (("b",), "N"),
        (("d",), "L"),
        (("e",), "S"),
        (("f",), None),
        (("h",), "SS"),
        (("i",), None),
    ]


def test_dereferenced_names_every_attribute_read_or_written_below_the_top():
    upd = ex.update("SET a = b.c, d[0] = :v REMOVE e, #f.g", attrs({"#f": "f"}, {":v": N(1)}))
    assert upd.dereferenced() == ["b", "d", "f"]


# -- legacy parameters, translated into the same trees -------------------------------------------


def test_expected_becomes_a_condition():
    cond = ex.expected(
        {
            "a": {"Value": N(1)},
            "b": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1), N(3)]},
            "c": {"Exists": False},
        }
    )
    assert cond.evaluate({"a": N("1.0"), "b": N(2)})
    assert not cond.evaluate({"a": N(1), "b": N(2), "c": S("there")})
    either = ex.expected(
        {"a": {"Value": N(9)}, "b": {"ComparisonOperator": "NOT_NULL"}}, operator="OR"
    )
    assert either.evaluate({"b": S("x")})
    assert not either.evaluate({})


def test_attribute_updates_become_an_update():
    upd = ex.attribute_updates(
        {
            "n": {"Action": "ADD", "Value": N(2)},
            "l": {"Action": "ADD", "Value": L(S("b"))},
            "s": {"Value": S("new")},
            "gone": {"Action": "DELETE"},
        }
    )
    new, paths = upd.apply({"pk": S("k"), "n": N(1), "l": L(S("a")), "gone": N(0)}, {"pk"})
    assert new == {"pk": S("k"), "n": N(3), "l": L(S("a"), S("b")), "s": S("new")}
    assert paths == [("n",), ("l",), ("s",), ("gone",)]
    mismatch = ex.attribute_updates({"s": {"Action": "ADD", "Value": N(1)}})
    assert error(lambda: mismatch.apply({"s": S("x")}, set())) == (
        "Type mismatch for attribute to update"
    )


def test_legacy_filters_become_conditions():
    cond = ex.legacy_filter(
        {
            "a": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("ab")]},
            "n": {"ComparisonOperator": "IN", "AttributeValueList": [N(1), N(2)]},
        },
        "OR",
    )
    assert cond.evaluate({"a": S("abc")})
    assert cond.evaluate({"n": N(2)})
    assert not cond.evaluate({"a": S("b"), "n": N(3)})


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        (
            {"a": {"ComparisonOperator": "LT", "AttributeValueList": [{"SS": ["x"]}]}},
            "One or more parameter values were invalid: ComparisonOperator LT is not valid for "
            "SS AttributeValue type",
        ),
        (
            {"a": {"ComparisonOperator": "EQ", "AttributeValueList": []}},
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator",
        ),
        (
            {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("b"), S("a")]}},
            "The BETWEEN condition was provided a range where the lower bound is greater than "
            "the upper bound",
        ),
    ],
)
def test_legacy_filter_errors(conditions, message):
    assert error(lambda: ex.legacy_filter(conditions)) == message
