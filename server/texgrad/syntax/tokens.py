r"""Tokens as the grammar reads them: making one, classes of token kinds, tidying a row.

The lexer (:mod:`texgrad.syntax.lexer`) emits tokens one by one; :func:`normalized`
then merges and trims operator runs over the whole row so that the grammar needs no
optional ends.  The classes below say where an operand is missing or ends, which both
steps consult.
"""

from __future__ import annotations

from typing import Any


class Token(str):
    """A token of a row: its text, its kind (``type``: a terminal of the grammar) and where it
    is in the row.  Two tokens are equal when their texts and kinds are (Lark's rule)."""

    __slots__ = ("type", "value", "start_pos", "end_pos")
    type: str
    value: str
    start_pos: int
    end_pos: int
    # for Lark's own parser, which tests compare the tables' loop with (syntax/lalr.py)
    line = end_line = column = end_column = 1

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Token) and self.type != other.type:
            return False
        return str.__eq__(self, other)

    __hash__ = str.__hash__

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (make_token, (self.type, self.value, self.start_pos, self.end_pos))


# After these, an operator has no left operand (so it is named, not applied).
NO_LEFT_OPERAND = frozenset(
    {None, "OPEN", "LBRACE", "COMMA", "REL", "MULOP", "SUB", "SUP", "AMP", "ROWSEP", "SEP",
     "OPTOPEN", "BEGIN"}
)  # fmt: skip
# Before these, an operator has no right operand.
NO_RIGHT_OPERAND = frozenset(
    {"CLOSE", "RBRACE", "COMMA", "REL", "AMP", "ROWSEP", "END", "OPTCLOSE", "SEP"}
)
# Operand-ending token types: after one of these a bare bar closes.
ENDS_OPERAND = frozenset(
    {"LETTER", "NUMBER", "SYMBOL", "FSYMBOL", "RBRACE", "CLOSE", "PRIME", "BANG", "DOTS", "TEXT",
     "OPAQUE", "END", "OPTCLOSE"}
)  # fmt: skip

_MERGED = frozenset({"REL", "ADDOP", "SEP"})
_WIDE_SPACES = frozenset({"\\quad", "\\qquad"})  # and doubled thick spaces, `\\;\\;`
_THICK_SPACES = frozenset({"\\;", "\\:", "\\>"})
_CLOSERS = frozenset({"CLOSE", "RBRACE", "END", "AMP", "ROWSEP", "OPTCLOSE"})
_DANGLING = frozenset({"REL", "ADDOP", "MULOP", "COMMA", "SEP"})


def make_token(type_: str, value: str, start: int, end: int) -> Token:
    """A Lark token at ``start:end`` of the row."""
    tok = str.__new__(Token, value)
    tok.type = type_
    tok.value = value
    tok.start_pos = start
    tok.end_pos = end
    return tok


def retyped(tok: Token, type_: str) -> Token:
    """``tok`` read as another kind (an operator named, not applied: ``x_{i,:}``)."""
    return make_token(type_, str(tok.value), tok.start_pos or 0, tok.end_pos or 0)


def normalized(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """Merge and trim operator runs so the grammar needs no optional ends.

    Runs of relations (``::``, ``<=``) and of signs (``a - -b``) become one
    token; punctuation before a closer (``(a, b,)``) and leading full
    stops are dropped; a row's dangling end (``a = b +`` continued on the
    next row, ``x = 1,``) is returned apart, as the second list, for the builder.
    """
    out: list[Token] = []

    def is_argument(i: int) -> bool:  # the + of x^+ is an argument, not an operator
        return i > 0 and out[i - 1].type in ("SUB", "SUP")

    for tok in tokens:
        prev = out[-1] if out else None
        ty = tok.type
        if prev is not None and ty == prev.type and ty in _MERGED and not is_argument(len(out) - 1):
            out[-1] = make_token(
                ty, str(prev.value) + str(tok.value), prev.start_pos or 0, tok.end_pos or 0
            )
            continue
        if ty in _CLOSERS and prev is not None and prev.type in _DANGLING:
            if prev.type in ("COMMA", "SEP"):
                out.pop()  # (a, b,)
            elif prev.type == "ADDOP" and len(out) > 1 and out[-2].type not in NO_LEFT_OPERAND:
                out[-1] = retyped(prev, "TRAIL")  # \left(a + \right.
            elif prev.type != "ADDOP":
                out[-1] = retyped(prev, "SYMBOL")  # x_{i,:}
        if (
            ty == "COMMA"
            and prev is not None
            and prev.type == "REL"
            and (len(out) < 2 or out[-2].type in NO_LEFT_OPERAND)
        ):
            out[-1] = retyped(prev, "SYMBOL")  # A_{:, i}
        if ty == "SEP" and (prev is None or prev.type in NO_LEFT_OPERAND):
            continue
        if (
            ty in ("ADDOP", "MULOP", "REL")
            and prev is not None
            and prev.type == "SEP"
            and (str(prev.value) in _WIDE_SPACES or str(prev.value)[:2] in _THICK_SPACES)
        ):
            out.pop()  # `a \quad + b`: the space only aligns a continued line
        out.append(tok)
    trailing: list[Token] = []
    while out and out[-1].type in _DANGLING and not is_argument(len(out) - 1):
        trailing.insert(0, out.pop())
    return out, trailing
