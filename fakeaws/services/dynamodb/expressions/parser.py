"""Hand-written recursive-descent parsers for DynamoDB's three expression grammars.

The grammar is DynamoDB's own (the ANTLR ``DynamoDbGrammar.g4`` in AWS's DAX client):

    condition  : operand comparator operand | operand IN '(' operand (',' operand)* ')'
               | operand BETWEEN operand AND operand | function | '(' condition ')'
               | NOT condition | condition AND condition | condition OR condition
    update     : (SET set_action (',' set_action)* | REMOVE path (',' path)*
               | ADD path :value (',' ...)* | DELETE path :value (',' ...)*)+
    set_action : path '=' (operand | arithmetic)
    arithmetic : operand ('+' | '-') operand | '(' arithmetic ')'
    projection : path (',' path)*
    operand    : path | :value | function | '(' operand ')'
    function   : ID '(' operand (',' operand)* ')'
    path       : (ID | #name) ('.' (ID | #name) | '[' INDEX ']')*

Precedence, tightest first: comparisons, IN, BETWEEN, functions, parentheses,
NOT, AND, OR. Whether a '(' opens a condition or an operand is only known
later (``(a) = :v`` against ``(a = :v)``), so the parser tries the condition
first and backtracks; a syntax error is reported at the furthest token any
attempt reached, quoting it and its neighbours as DynamoDB does.

``parse`` is cached per (text, grammar): the tree is immutable, and the
request's names and values are bound later (``checks``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from fakeaws.services.dynamodb.expressions import checks
from fakeaws.services.dynamodb.expressions.ast import (
    AddAction,
    And,
    Arithmetic,
    Between,
    Clause,
    Compare,
    DeleteAction,
    DocumentPath,
    Group,
    In,
    Node,
    Not,
    Or,
    Placeholder,
    ProjectionExpression,
    RemoveAction,
    SetAction,
    UpdateExpression,
    Value,
    call,
)
from fakeaws.services.dynamodb.expressions.lexer import Token, tokenize

MAX_EXPRESSION_BYTES = 4096  # "The maximum length of any expression string is 4 KB"
# fakeaws's own bound on nested parentheses, NOT and function calls, which keeps the recursion
# shallow. DynamoDB's real bound is its 300 operators per expression; nobody nests this deep.
MAX_NESTING = 100

_COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
_AFTER_OPERAND = _COMPARATORS | {"BETWEEN", "IN"}
_SECTIONS = ("SET", "REMOVE", "ADD", "DELETE")

T = TypeVar("T")


@dataclass(frozen=True)
class Parsed:
    """A tree, or the first problem found without the request (syntax first)."""

    tree: Node | None
    error: str | None  # the message after "Invalid <kind>: "


@functools.lru_cache(maxsize=1024)
def parse(text: str, grammar: str) -> Parsed:
    """Parse ``text`` as a "condition", "update" or "projection" expression."""
    if not text.strip():
        return Parsed(None, "The expression can not be empty;")
    size = len(text.encode("utf-8"))
    if size > MAX_EXPRESSION_BYTES:
        return Parsed(
            None,
            f"Expression size has exceeded the maximum allowed size; expression size: {size}",
        )
    parser = _Parser(text)
    try:
        tree = getattr(parser, grammar)()
    except _SyntaxFailure as failure:
        return Parsed(None, parser.syntax_message(failure.index))
    except _TooDeep:
        return Parsed(
            None,
            f"fakeaws supports at most {MAX_NESTING} nested parentheses, NOT operators and "
            "function calls in an expression",
        )
    return Parsed(tree, checks.static_problem(tree, grammar, parser.redundant))


class _SyntaxFailure(Exception):
    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index  # of the offending token


class _TooDeep(Exception):
    pass


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0
        self.furthest = 0  # the furthest failure of an abandoned attempt
        self.redundant = False  # "((...))": DynamoDB refuses it once the syntax is valid

    # -- the three grammars -----------------------------------------------------------------

    def condition(self) -> Node:
        tree = self._or()
        self._take("EOF")
        return tree

    def update(self) -> UpdateExpression:
        parsers = {
            "SET": self._set_action,
            "REMOVE": lambda: RemoveAction(self._path()),
            "ADD": lambda: AddAction(self._path(), self._value()),
            "DELETE": lambda: DeleteAction(self._path(), self._value()),
        }
        clauses = []
        while not clauses or self._peek().kind in _SECTIONS:
            keyword = self._take(*_SECTIONS).kind
            clauses.append(Clause(keyword, self._list(parsers[keyword])))
        self._take("EOF")
        return UpdateExpression(tuple(clauses))

    def projection(self) -> ProjectionExpression:
        tree = ProjectionExpression(self._list(self._path))
        self._take("EOF")
        return tree

    # -- conditions -------------------------------------------------------------------------

    def _or(self) -> Node:
        """Terms joined by AND and OR, AND binding tighter."""
        alternatives, terms = [], [self._unary()]
        while self._peek().kind in ("AND", "OR"):
            if self._next().kind == "OR":
                alternatives.append(_joined(And, terms))
                terms = []
            terms.append(self._unary())
        alternatives.append(_joined(And, terms))
        return _joined(Or, alternatives)

    def _unary(self) -> Node:
        negations = 0
        while self._peek().kind == "NOT":
            self._next()
            negations += 1
        with self._nested(negations):
            node = self._primary()
        for _ in range(negations):
            node = Not(node)
        return node

    def _primary(self) -> Node:
        if self._peek().kind == "(":
            group = self._attempt(self._group)
            if group is not None:
                return group
        if self._at_call():
            function = self._call()
            if self._peek().kind not in _AFTER_OPERAND:
                return function
            return self._comparison(function)
        return self._comparison(self._operand())

    def _group(self) -> Group:
        self._take("(")
        with self._nested():
            inner = self._or()
        self._take(")")
        if self._peek().kind in _AFTER_OPERAND:  # it was "(operand) = ...": not a group
            self._fail()
        if isinstance(inner, Group):
            self.redundant = True
        return Group(inner)

    def _comparison(self, subject: Node) -> Node:
        token = self._peek()
        if token.kind in _COMPARATORS:
            self._next()
            return Compare(token.kind, subject, self._operand())
        if token.kind == "BETWEEN":
            self._next()
            low = self._operand()
            self._take("AND")
            return Between(subject, low, self._operand())
        if token.kind == "IN":
            self._next()
            self._take("(")
            candidates = self._list(self._operand)
            self._take(")")
            return In(subject, candidates)
        self._fail()

    # -- operands ---------------------------------------------------------------------------

    def _operand(self) -> Node:
        opening = 0
        while self._peek().kind == "(":
            self._next()
            opening += 1
        with self._nested(opening):
            node = self._call() if self._at_call() else self._value_or_path()
        for _ in range(opening):
            self._take(")")
        if opening > 1:
            self.redundant = True
        return node

    def _value_or_path(self) -> Node:
        return self._value() if self._peek().kind == ":" else self._path()

    def _value(self) -> Value:
        return Value(self._take(":").text)

    def _path(self) -> DocumentPath:
        elements = [self._path_element()]
        while self._peek().kind in (".", "["):
            if self._next().kind == ".":
                elements.append(self._path_element())
            else:
                elements.append(int(self._take("INDEX").text))
                self._take("]")
        return DocumentPath(tuple(elements))

    def _path_element(self) -> str | Placeholder:
        token = self._take("ID", "#")
        return token.text if token.kind == "ID" else Placeholder(token.text)

    def _at_call(self) -> bool:
        return self._peek().kind == "ID" and self._peek(1).kind == "("

    def _call(self) -> Node:
        name = self._take("ID").text
        self._take("(")
        with self._nested():
            args = self._list(self._operand)
        self._take(")")
        return call(name, args)

    # -- update actions ---------------------------------------------------------------------

    def _set_action(self) -> SetAction:
        path = self._path()
        self._take("=")
        arithmetic = self._attempt(self._arithmetic)
        return SetAction(path, arithmetic[0] if arithmetic else self._operand())

    def _arithmetic(self) -> tuple[Arithmetic, bool]:
        """The arithmetic, and whether it is in parentheses of its own."""
        if self._peek().kind == "(":
            inner = self._attempt(self._parenthesized_arithmetic)
            if inner is not None:
                return inner, True
        left = self._operand()
        sign = self._take("+", "-").kind
        return Arithmetic(sign, left, self._operand()), False

    def _parenthesized_arithmetic(self) -> Arithmetic:
        self._take("(")
        with self._nested():
            inner, wrapped = self._arithmetic()
        self._take(")")
        if wrapped:
            self.redundant = True
        return inner

    # -- tokens, backtracking, errors -------------------------------------------------------

    def _list(self, parse_one: Callable[[], T]) -> tuple[T, ...]:
        items = [parse_one()]
        while self._peek().kind == ",":
            self._next()
            items.append(parse_one())
        return tuple(items)

    def _peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def _next(self) -> Token:
        token = self._peek()
        self.pos += 1
        return token

    def _take(self, *kinds: str) -> Token:
        if self._peek().kind not in kinds:
            self._fail()
        return self._next()

    def _fail(self):
        raise _SyntaxFailure(max(self.pos, self.furthest))

    def _attempt(self, parse_one: Callable[[], T]) -> T | None:
        """``parse_one()``, or None with the position rewound if it is a syntax error."""
        start, redundant = self.pos, self.redundant
        try:
            return parse_one()
        except _SyntaxFailure as failure:
            self.furthest = max(self.furthest, failure.index)
            self.pos, self.redundant = start, redundant
            return None

    @contextmanager
    def _nested(self, levels: int = 1) -> Iterator[None]:
        self.depth += levels
        try:
            if self.depth > MAX_NESTING:
                raise _TooDeep
            yield
        finally:
            self.depth -= levels

    def syntax_message(self, index: int) -> str:
        """DynamoDB's message: the token, and the text from the one before to the one after."""
        token, last = self.tokens[index], len(self.tokens) - 1
        start = self.tokens[index - 1].start if index else token.start
        end = self.tokens[min(index + 1, last)].end
        return f'Syntax error; token: "{token.text}", near: "{self.text[start:end]}"'


def _joined(cls: type, terms: list[Node]) -> Node:
    return terms[0] if len(terms) == 1 else cls(tuple(terms))
