"""A recursive-descent parser for DynamoDB's subset of PartiQL.

    statement : (select | insert | update | delete | exists) ';'? EOF
    select    : SELECT ('*' | path (',' path)*) FROM source [WHERE cond]
                [ORDER BY path [ASC | DESC] (',' ...)*]
    insert    : INSERT INTO name VALUE value
    update    : UPDATE name (SET path '=' term (',' ...)* | REMOVE path (',' ...)*)+
                [WHERE cond] [RETURNING (ALL | MODIFIED) (OLD | NEW) '*']
    delete    : DELETE FROM name [WHERE cond] [RETURNING ALL OLD '*']
    exists    : EXISTS '(' select ')'            (ExecuteTransaction only)
    cond      : cond OR cond | cond AND cond | NOT cond | '(' cond ')'
              | term (= | <> | != | < | <= | > | >=) term | term [NOT] BETWEEN term AND term
              | term [NOT] IN ('[' | '(') term (',' term)* (']' | ')')
              | term IS [NOT] (MISSING | NULL) | function '(' term (',' term)* ')'
    term      : path | literal | '?' | function '(' ... ')' | term ('+' | '-') term
    value     : 'string' | number | TRUE | FALSE | NULL | '{' 'key' ':' value, ... '}'
              | '[' value, ... ']' | '<<' value, ... '>>' | '?'
    path      : name ('.' name | '[' index ']' | '[' 'key' ']')*
    name      : identifier | "quoted identifier"

The WHERE clause and the SET values are built from the nodes of the one
expression evaluator (``expressions.ast``): a literal or a ``?`` becomes a
``Value`` node whose synthetic name (``:0``, ``:1``...) the statement maps to
a ``Literal``, bound to an AttributeValue once the request's ``Parameters``
are known. ``parse`` is cached per statement text.

Messages: the detail after "Statement wasn't well formed, can't be processed: "
is DynamoDB's where a capture against AWS recorded it (a token after a complete
statement, an empty WHERE, a condition ending in AND/OR, a missing table name,
aliases, number literals); elsewhere it names the unexpected token.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from fakeaws.errors import AWSError, validation_error
from fakeaws.services.dynamodb.expressions import ast
from fakeaws.services.dynamodb.types import normalize_number, validate_value

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "

# fmt: off
KEYWORDS = frozenset({
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "BETWEEN", "MISSING", "NULL",
    "TRUE", "FALSE", "SET", "REMOVE", "INSERT", "INTO", "VALUE", "VALUES", "UPDATE", "DELETE",
    "ORDER", "BY", "AS", "ASC", "DESC", "RETURNING", "LIMIT", "EXISTS",
})
# fmt: on

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+|--[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^']|'')*')
    | (?P<quoted>"(?:[^"]|"")*")
    | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<id>[A-Za-z_][A-Za-z0-9_$]*)
    | (?P<symbol><<|>>|<>|!=|<=|>=|[=<>()\[\]{},.:?*+\-;])
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # a keyword in capitals, a symbol, or ID, QUOTED, STRING, NUMBER, EOF
    text: str  # identifiers and strings unquoted


def malformed(detail: str = "") -> AWSError:
    return validation_error(NOT_WELL_FORMED + detail)


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:  # an unknown character, an unterminated string or comment
            raise malformed()
        pos = match.end()
        group, lexeme = match.lastgroup, match.group()
        if group == "ws":
            continue
        if group == "string":
            tokens.append(Token("STRING", lexeme[1:-1].replace("''", "'")))
        elif group == "quoted":
            tokens.append(Token("QUOTED", lexeme[1:-1].replace('""', '"')))
        elif group == "number":
            tokens.append(Token("NUMBER", lexeme))
        elif group == "id":
            upper = lexeme.upper()
            tokens.append(Token(upper if upper in KEYWORDS else "ID", lexeme))
        else:
            tokens.append(Token(lexeme, lexeme))
    tokens.append(Token("EOF", ""))
    return tokens


# -- literals ---------------------------------------------------------------------------------


class Literal:
    """A value written in the statement; ``bind`` gives its AttributeValue."""

    def bind(self, parameters: list[dict], where: str = "root") -> dict:
        raise NotImplementedError


@dataclass(frozen=True)
class Scalar(Literal):
    value: dict

    def bind(self, parameters: list[dict], where: str = "root") -> dict:
        return self.value


@dataclass(frozen=True)
class Number(Literal):
    text: str

    def bind(self, parameters: list[dict], where: str = "root") -> dict:
        try:
            return {"N": normalize_number(self.text)}
        except AWSError as error:
            raise validation_error(f"{error.message} under {where}") from None


@dataclass(frozen=True)
class Parameter(Literal):
    index: int

    def bind(self, parameters: list[dict], where: str = "root") -> dict:
        if self.index >= len(parameters):
            raise validation_error("Number of parameters in request and statement don't match.")
        return parameters[self.index]


@dataclass(frozen=True)
class MapLiteral(Literal):
    entries: tuple  # (key, Literal)

    def bind(self, parameters: list[dict], where: str = "root") -> dict:
        out: dict[str, Any] = {}
        for key, value in self.entries:
            if key in out:
                raise validation_error(f"Duplicate keys in tuple. Key: {key} under {where}")
            out[key] = value.bind(parameters, f"{where}.{key}")
        return {"M": out}


@dataclass(frozen=True)
class ListLiteral(Literal):
    elements: tuple

    def bind(self, parameters: list[dict], where: str = "root") -> dict:
        return {"L": [e.bind(parameters, f"{where}[{n}]") for n, e in enumerate(self.elements)]}


@dataclass(frozen=True)
class SetLiteral(Literal):
    """``<<'a', 'b'>>``: a string set or a number set."""

    elements: tuple

    def bind(self, parameters: list[dict], where: str = "root") -> dict:
        if not self.elements:
            raise validation_error("Empty bags are not supported")
        members = [e.bind(parameters, where) for e in self.elements]
        kinds = {next(iter(m)) for m in members}
        parameter = any(isinstance(e, Parameter) for e in self.elements)
        if parameter or len(kinds) != 1 or not kinds <= {"S", "N"}:
            raise validation_error(
                "Unsupported data type in Bag. DynamoDB only supports either numbers or strings "
                "in bags"
            )
        kind = kinds.pop()
        return validate_value({kind + "S": [m[kind] for m in members]})


# -- statements ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    kind: str  # "SELECT", "INSERT", "UPDATE", "DELETE" or "EXISTS"
    table: str
    literals: dict[str, Literal] = field(default_factory=dict)  # Value node name -> literal
    parameters: int = 0  # how many ``?``
    where: ast.Node | None = None


@dataclass(frozen=True)
class Select(Statement):
    index: str | None = None
    projection: tuple | None = None  # of DocumentPath; None for *
    order: tuple = ()  # (attribute name, descending)


@dataclass(frozen=True)
class Insert(Statement):
    item: Literal | None = None


@dataclass(frozen=True)
class Update(Statement):
    actions: tuple = ()  # of ast SetAction / AddAction / DeleteAction / RemoveAction
    returning: str | None = None  # ALL_OLD, ALL_NEW, UPDATED_OLD, UPDATED_NEW


@dataclass(frozen=True)
class Delete(Statement):
    returning: str | None = None


@dataclass(frozen=True)
class Exists(Statement):
    select: Select | None = None


_COMPARATORS = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_BOOLEAN = (ast.Compare, ast.Between, ast.In, ast.Not, ast.And, ast.Or, ast.Group)
_RETURNING = {
    ("ALL", "OLD"): "ALL_OLD",
    ("ALL", "NEW"): "ALL_NEW",
    ("MODIFIED", "OLD"): "UPDATED_OLD",
    ("MODIFIED", "NEW"): "UPDATED_NEW",
}


@functools.lru_cache(maxsize=1024)
def parse(text: str) -> Statement:
    """The statement of ``text``, or DynamoDB's ValidationException."""
    return _Parser(text).statement()


def is_boolean(node: ast.Node) -> bool:
    return isinstance(node, _BOOLEAN) or (isinstance(node, ast.Call) and node.USE == "condition")


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.literals: dict[str, Literal] = {}
        self.parameters = 0

    # -- statements -------------------------------------------------------------------------

    def statement(self) -> Statement:
        kind = self._peek().kind
        if kind == "SELECT":
            statement: Statement = self._select()
        elif kind == "INSERT":
            statement = self._insert()
        elif kind == "UPDATE":
            statement = self._update()
        elif kind == "DELETE":
            statement = self._delete()
        elif kind == "EXISTS":
            self._next()
            self._take("(")
            inner = self._select()
            self._take(")")
            statement = Exists(
                "EXISTS",
                inner.table,
                self.literals,
                self.parameters,
                inner.where,
                select=inner,
            )
        elif kind == "EOF":
            raise malformed("Unexpected term")
        else:
            raise malformed("Expected data manipulation")
        if self._peek().kind == ";":
            self._next()
        if self._peek().kind != "EOF":
            raise malformed("Unexpected token after expression")
        return statement

    def _select(self) -> Select:
        self._take("SELECT")
        projection = None
        if self._peek().kind == "*":
            self._next()
            if self._peek().kind == ",":
                raise validation_error(
                    "Other attributes should not be present in the projection when '*' is used."
                )
        else:
            projection = self._list(self._path)
            if self._peek().kind == "*" or (self._peek().kind == "," and self._peek(1).kind == "*"):
                raise validation_error(
                    "Other attributes should not be present in the projection when '*' is used."
                )
        self._take("FROM")
        if self._peek().kind in ("EOF", ";"):
            raise malformed("Unexpected term")
        table = self._name()
        index = None
        if self._peek().kind == ".":
            self._next()
            index = self._name()
            if self._peek().kind == ".":
                raise validation_error("A path may contain at most 2 components in the FROM clause")
        self._no_alias()
        where = self._where()
        order = []
        if self._peek().kind == "ORDER":
            self._next()
            self._take("BY")
            for path in self._list(self._order_key):
                order.append(path)
        return Select(
            "SELECT",
            table,
            self.literals,
            self.parameters,
            where,
            index=index,
            projection=projection,
            order=tuple(order),
        )

    def _order_key(self) -> tuple[str, bool]:
        path = self._path()
        descending = False
        if self._peek().kind in ("ASC", "DESC"):
            descending = self._next().kind == "DESC"
        if len(path.elements) != 1:
            raise validation_error(
                "Argument to ORDER BY must be of type VariableReference. Type: Path"
            )
        return path.elements[0], descending

    def _insert(self) -> Insert:
        self._take("INSERT")
        self._take("INTO")
        table = self._name()
        if self._peek().kind == "VALUES":
            raise validation_error(
                "Unsupported operation: Inserting multiple items in a single statement is not "
                'supported, use "INSERT INTO tableName VALUE item" instead'
            )
        self._take("VALUE")
        if self._peek().kind != "{":
            raise validation_error(
                "Unsupported format in item expression. Please use struct format {...} to "
                "express item values for insert statement."
            )
        item = self._value()
        if self._peek().kind == "RETURNING":
            raise validation_error("RETURNING is not supported in INSERT")
        return Insert("INSERT", table, self.literals, self.parameters, None, item=item)

    def _update(self) -> Update:
        self._take("UPDATE")
        table = self._name()
        self._no_alias()
        actions: list[ast.Node] = []
        while not actions or self._peek().kind in ("SET", "REMOVE"):
            keyword = self._take("SET", "REMOVE").kind
            if keyword == "SET":
                actions.extend(self._list(self._assignment))
            else:
                actions.extend(ast.RemoveAction(p) for p in self._list(self._path))
        where = self._where()
        returning = self._returning()
        return Update(
            "UPDATE",
            table,
            self.literals,
            self.parameters,
            where,
            actions=tuple(actions),
            returning=returning,
        )

    def _delete(self) -> Delete:
        self._take("DELETE")
        self._take("FROM")
        if self._peek().kind not in ("ID", "QUOTED"):
            raise malformed("Expected identifier for simple path")
        table = self._name()
        self._no_alias()
        where = self._where()
        returning = self._returning()
        if returning not in (None, "ALL_OLD"):
            shown = {v: " ".join(k) for k, v in _RETURNING.items()}[returning]
            raise validation_error(
                f"Invalid returning clause: RETURNING {shown} *. Only RETURNING ALL OLD * is "
                "allowed in DELETE statements."
            )
        return Delete("DELETE", table, self.literals, self.parameters, where, returning=returning)

    def _returning(self) -> str | None:
        if self._peek().kind != "RETURNING":
            return None
        self._next()
        which = self._take("ID").text.upper()
        age = self._take("ID").text.upper()
        returning = _RETURNING.get((which, age))
        if returning is None:
            raise malformed("Unexpected token")
        if self._peek().kind != "*":
            raise validation_error(
                "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"
            )
        self._next()
        return returning

    def _assignment(self) -> ast.Node:
        target = self._path()
        self._take("=")
        value = self._term()
        if isinstance(value, ast.Call) and value.name.lower() in ("set_add", "set_delete"):
            operation = value.name.upper()
            if len(value.args) != 2:
                raise validation_error(f"{operation} must have exactly two arguments")
            first, second = value.args
            if not isinstance(first, ast.DocumentPath) or first.elements != target.elements:
                raise validation_error(
                    f"The first argument to {operation} must equal the assignment value"
                )
            if not isinstance(second, ast.Value) or not isinstance(
                self.literals[second.name], (SetLiteral, Parameter)
            ):
                raise validation_error(
                    f"The second argument to {operation} must be a value with type SET"
                )
            action = ast.AddAction if operation == "SET_ADD" else ast.DeleteAction
            return action(target, second)
        if is_boolean(value):
            raise validation_error(
                f"Unsupported operator in Update Expression. Operator: {_describe(value)}"
            )
        return ast.SetAction(target, value)

    def _where(self) -> ast.Node | None:
        if self._peek().kind != "WHERE":
            return None
        self._next()
        if self._peek().kind in ("EOF", ";", ")") or (
            self._peek().kind in ("NOT", "(") and self._peek(1).kind in ("EOF", ";")
        ):
            raise malformed("Unexpected term")
        if self._peek().kind in ("ORDER", "RETURNING"):
            raise malformed("Unexpected keyword")
        condition = self._or()
        if not is_boolean(condition):
            raise validation_error(
                "WHERE clause must contain an expression that resolves to a boolean"
            )
        for node in ast.walk(condition):
            operator = None
            if isinstance(node, ast.Arithmetic):
                operator = node.operator
            elif isinstance(node, ast.Call) and node.USE == "update":
                operator = node.name
            if operator is not None:
                raise validation_error(
                    f"Unsupported operator in Condition Expression. Operator: {operator}"
                )
        return condition

    def _no_alias(self) -> None:
        if self._peek().kind in ("AS", "ID", "QUOTED"):
            raise validation_error("Aliasing is not supported")

    # -- conditions -------------------------------------------------------------------------

    def _or(self) -> ast.Node:
        terms = [self._and()]
        while self._peek().kind == "OR":
            self._next()
            self._operand_follows()
            terms.append(self._and())
        return terms[0] if len(terms) == 1 else ast.Or(tuple(self._booleans(terms)))

    def _and(self) -> ast.Node:
        terms = [self._not()]
        while self._peek().kind == "AND":
            self._next()
            self._operand_follows()
            terms.append(self._not())
        return terms[0] if len(terms) == 1 else ast.And(tuple(self._booleans(terms)))

    def _booleans(self, terms: list[ast.Node]) -> list[ast.Node]:
        if not all(is_boolean(t) for t in terms):
            raise validation_error("The arguments to AND/OR must be Expressions")
        return terms

    def _operand_follows(self) -> None:
        if self._peek().kind in ("EOF", ";", ")"):
            raise malformed("Missing right-hand side expression of infix operator")

    def _not(self) -> ast.Node:
        if self._peek().kind == "NOT":
            self._next()
            inner = self._not()
            if not is_boolean(inner):
                raise validation_error("The argument to NOT must be a Type or Expression")
            return ast.Not(inner)
        return self._predicate()

    def _predicate(self) -> ast.Node:
        subject = self._term()
        kind = self._peek().kind
        if kind in _COMPARATORS:
            self._next()
            self._operand_follows()
            return ast.Compare(_COMPARATORS[kind], subject, self._term())
        negated = False
        if kind == "NOT" and self._peek(1).kind in ("BETWEEN", "IN"):
            self._next()
            negated = True
            kind = self._peek().kind
        if kind == "BETWEEN":
            self._next()
            low = self._term()
            self._take("AND")
            node: ast.Node = ast.Between(subject, low, self._term())
        elif kind == "IN":
            self._next()
            closing = {"[": "]", "(": ")"}[self._take("[", "(").kind]
            candidates = self._list(self._term)
            self._take(closing)
            if not isinstance(subject, ast.DocumentPath):
                raise validation_error(
                    "IN operator must have a left hand argument of type Variable Reference and "
                    "right hand argument of type Seq with at least one member"
                )
            node = ast.In(subject, candidates)
        elif kind == "IS":
            self._next()
            if self._peek().kind == "NOT":
                self._next()
                negated = True
            what = self._next()
            if what.kind not in ("MISSING", "NULL"):
                raise malformed("Expected type name")
            if not isinstance(subject, (ast.DocumentPath, ast.Value)):
                raise validation_error(
                    "The left hand side argument to IS must be a Variable Reference, Literal, "
                    "or Path"
                )
            node = self._is(subject, what.kind)
        else:
            return subject
        return ast.Not(node) if negated else node

    def _is(self, subject: ast.Node, what: str) -> ast.Node:
        missing = ast.call("attribute_not_exists", (subject,))
        if what == "MISSING":
            return missing
        # NULL: PartiQL's "MISSING IS NULL" is true, so a missing attribute is null too.
        name = self._literal(Scalar({"S": "NULL"}))
        return ast.Or((missing, ast.call("attribute_type", (subject, name))))

    # -- terms --------------------------------------------------------------------------------

    def _term(self) -> ast.Node:
        node = self._primary()
        while self._peek().kind in ("+", "-"):
            sign = self._next().kind
            node = ast.Arithmetic(sign, node, self._primary())
        return node

    def _primary(self) -> ast.Node:
        token = self._peek()
        if token.kind == "(":
            self._next()
            inner = self._or()
            self._take(")")
            return ast.Group(inner) if is_boolean(inner) else inner
        if token.kind == "ID" and self._peek(1).kind == "(":
            return self._function()
        if token.kind in ("ID", "QUOTED"):
            return self._path()
        if token.kind in ("IN", "IS", "BETWEEN", "AND", "OR", "=", "<", ">", "<=", ">=", "<>"):
            raise malformed("Unexpected operator")
        if token.kind in ("EOF", ";"):
            raise malformed("Unexpected term")
        if token.kind in ("SELECT", "FROM", "WHERE", "ORDER", "SET", "REMOVE", "RETURNING"):
            raise malformed("Unexpected keyword")
        return self._literal(self._value())

    def _function(self) -> ast.Node:
        name = self._take("ID").text
        self._take("(")
        args = self._list(self._term) if self._peek().kind != ")" else ()
        self._take(")")
        lowered = name.lower()
        if lowered in ("set_add", "set_delete"):
            return ast.UnknownCall(name, args)
        if lowered not in ast.FUNCTIONS:
            raise validation_error(f"Unrecognized function: {name}")
        node = ast.call(lowered, args)
        if len(args) != node.ARITY:
            raise validation_error(
                f"Incorrect number of arguments for function {lowered}: {len(args)}"
            )
        return node

    def _literal(self, literal: Literal) -> ast.Value:
        name = f":{len(self.literals)}"
        self.literals[name] = literal
        return ast.Value(name)

    def _value(self) -> Literal:
        token = self._next()
        kind = token.kind
        if kind == "STRING":
            return Scalar({"S": token.text})
        if kind == "NUMBER":
            return Number(token.text)
        if kind == "-" and self._peek().kind == "NUMBER":
            return Number("-" + self._next().text)
        if kind == "?":
            self.parameters += 1
            return Parameter(self.parameters - 1)
        if kind in ("TRUE", "FALSE"):
            return Scalar({"BOOL": kind == "TRUE"})
        if kind == "NULL":
            return Scalar({"NULL": True})
        if kind == "{":
            entries = []
            if self._peek().kind != "}":
                entries = list(self._list(self._entry))
            self._take("}")
            return MapLiteral(tuple(entries))
        if kind in ("[", "<<"):
            closing = "]" if kind == "[" else ">>"
            elements = self._list(self._value) if self._peek().kind != closing else ()
            self._take(closing)
            return ListLiteral(elements) if kind == "[" else SetLiteral(elements)
        if kind == "MISSING":
            raise validation_error("MISSING must be compared using IS operator")
        self.pos -= 1
        self._unexpected()

    def _entry(self) -> tuple[str, Literal]:
        key = self._take("STRING").text
        self._take(":")
        return key, self._value()

    def _path(self) -> ast.DocumentPath:
        elements: list[str | int] = [self._name()]
        while self._peek().kind in (".", "["):
            if self._next().kind == ".":
                elements.append(self._name())
                continue
            token = self._take("NUMBER", "STRING")
            if token.kind == "NUMBER":
                if not token.text.isdigit():
                    raise malformed("Unexpected token")
                elements.append(int(token.text))
            else:
                elements.append(token.text)
            self._take("]")
        return ast.DocumentPath(tuple(elements))

    def _name(self) -> str:
        token = self._peek()
        if token.kind not in ("ID", "QUOTED"):
            self._unexpected()
        self._next()
        if token.kind == "QUOTED" and not token.text:
            raise validation_error("Path component cannot be an empty string")
        return token.text

    # -- tokens -----------------------------------------------------------------------------

    def _list(self, parse_one) -> tuple:
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
            self._unexpected()
        return self._next()

    def _unexpected(self):
        token = self._peek()
        if token.kind in ("EOF", ";"):
            raise malformed("Unexpected term")
        if token.kind in KEYWORDS:
            raise malformed("Unexpected keyword")
        raise malformed(f"Unexpected token: {token.text}")


def _describe(node: ast.Node) -> str:
    if isinstance(node, ast.Compare):
        return node.operator
    if isinstance(node, ast.Call):
        return node.name
    return type(node).__name__.upper()
