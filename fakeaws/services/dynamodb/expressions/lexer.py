"""The tokens of DynamoDB's expression languages.

They follow DynamoDB's own lexer (the ANTLR ``Tokens.g4`` shipped in AWS's DAX
client): keywords are case-insensitive and are never names, an identifier
starts with a letter, ``#name`` and ``:value`` need at least one character
after the sigil, a list index has no leading zero, a quoted string is one
(always unexpected) token, and any other character is a token of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "ADD", "DELETE", "REMOVE"})

_TOKEN = re.compile(
    r"""
      (?P<ws>[ \t\n\r]+)
    | (?P<id>[A-Za-z][A-Za-z0-9_]*)
    | (?P<name>\#[A-Za-z0-9_]+)
    | (?P<value>:[A-Za-z0-9_]+)
    | (?P<index>0|[1-9][0-9]*)
    | (?P<symbol><>|<=|>=|[=<>+\-()\[\],.])
    | (?P<string>"(?:\\"|.)*?"|'(?:\\'|.)*?')
    | (?P<unknown>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """``kind`` is a keyword in capitals, the symbol itself, or ID, #, :, INDEX, OTHER, EOF."""

    kind: str
    text: str
    start: int
    end: int


_KINDS = {"name": "#", "value": ":", "index": "INDEX", "string": "OTHER", "unknown": "OTHER"}


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` (whitespace dropped), ending with an EOF token."""
    tokens = []
    for match in _TOKEN.finditer(text):
        group, lexeme = match.lastgroup, match.group()
        if group == "ws":
            continue
        if group == "id":
            kind = lexeme.upper() if lexeme.upper() in KEYWORDS else "ID"
        elif group == "symbol":
            kind = lexeme
        else:
            kind = _KINDS[group]
        tokens.append(Token(kind, lexeme, match.start(), match.end()))
    tokens.append(Token("EOF", "<EOF>", len(text), len(text)))
    return tokens
