r"""Parse one row of math into a typed tree; one bad row yields an error value.

The LALR(1) tables of grammar/math.lark, run by :mod:`texgrad.syntax.lalr`, read the
tokens of :mod:`texgrad.syntax.lexer`, and :class:`texgrad.syntax.build.Builder` makes
the typed tree as rules are reduced.  A row that does not parse is retried
once with bare ``|`` read as ``\mid`` (``p(x | y)``); if it still fails, the
error points at the offending token.  Nothing raises out of :func:`parse_row`.
Math nested in ``\text{… $…$ …}`` is parsed by the same parser: the builder is given
:func:`_parse_nested` to call, so that imports run one way (parse → build).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from texgrad.reading.regions import MathRegion
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.build import Builder
from texgrad.syntax.lalr import Methods, ParseFailure, Tables, methods_of, run, tables
from texgrad.syntax.lexer import Lexer, LexError
from texgrad.syntax.limits import beyond_text, depth_beyond, too_deep_message

_BARS = re.compile(r"\||\\[vV]ert")
MAX_ROW_LENGTH = 20_000  # characters; longer rows are reported, not parsed


@dataclass(frozen=True, slots=True)
class ParseError:
    """Why a row did not parse, at a source range."""

    message: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ParsedRow:
    tree: t.Node | None
    error: ParseError | None
    text: MappedText


# -- the parser of this thread ----------------------------------------------------------


class _Context(threading.local):
    def __init__(self) -> None:
        self.tables: Tables | None = None
        self.builder: Builder | None = None
        self.methods: Methods = []


_ctx = _Context()


def _parser() -> tuple[Tables, Builder, Methods]:
    if _ctx.tables is None or _ctx.builder is None:
        builder = Builder(_parse_nested)
        _ctx.tables = tables()
        _ctx.builder = builder
        _ctx.methods = methods_of(_ctx.tables, builder)
    return _ctx.tables, _ctx.builder, _ctx.methods


# -- the public entry point ---------------------------------------------------------------


def parse_row(
    text: MappedText, functions: frozenset[str] = frozenset(), _depth: int = 0
) -> ParsedRow:
    """Parse one row of math (already macro-expanded) into a typed tree, never raising."""
    if len(text.text) > MAX_ROW_LENGTH:
        a, b = text.source_range(0, len(text.text))
        return ParsedRow(
            None, ParseError(f"row of {len(text.text)} characters is too long to read", a, b), text
        )
    if not text.text.strip():
        return ParsedRow(None, None, text)
    beyond = beyond_text(text.text)
    if beyond is not None:
        return ParsedRow(_unread(text, *beyond), None, text)
    grammar, builder, methods = _parser()
    first_error: ParseError | None = None
    for bars_as_relations in (False, True):
        if bars_as_relations and not _BARS.search(text.text):
            break
        builder.reset(text, functions, _depth)
        lexer = Lexer(text.text, bars_as_relations=bars_as_relations)
        try:
            node = run(grammar, lexer.tokenize(), methods)
        except LexError as e:
            err = ParseError(e.message, *text.source_range(e.start, max(e.end, e.start + 1)))
        except ParseFailure as e:
            err = _unexpected(text, e)
        except RecursionError as e:  # a bug, but never a crash
            err = ParseError(
                f"cannot read this math ({type(e).__name__})", *text.source_range(0, len(text.text))
            )
        else:
            tree = builder.node(node) if node is not None else None
            whole = builder.finish(tree, lexer.trailing)
            return ParsedRow(_shallow(whole, text), None, text)
        first_error = first_error or err
    return ParsedRow(None, first_error, text)


def _shallow(tree: t.Node | None, text: MappedText) -> t.Node | None:
    """The tree, or an :class:`~texgrad.syntax.tree.Unread` leaf over the row when it nests
    deeper than later passes can walk (``syntax/limits.py``)."""
    if tree is None:
        return None
    depth = depth_beyond(tree)
    return tree if depth is None else _unread(text, "too-deep", too_deep_message(depth))


def _unread(text: MappedText, code: str, why: str) -> t.Unread:
    a, b = text.source_range(0, len(text.text))
    return t.Unread(start=a, end=b, span=(0, len(text.text)), code=code, why=why)


def _parse_nested(text: MappedText, functions: frozenset[str], depth: int) -> t.Node | None:
    """The tree of math nested in ``\\text{… $…$ …}``, for the builder (a parse error there
    leaves the text as text)."""
    return parse_row(text, functions, depth).tree


_TOKEN_NAMES = {
    "RBRACE": "}", "LBRACE": "{", "CLOSE": "closing delimiter", "OPEN": "opening delimiter", "REL": "relation",
    "ADDOP": "+/-", "MULOP": "operator", "SUB": "_", "SUP": "^", "END": "\\end", "BEGIN": "\\begin",
    "AMP": "&", "ROWSEP": "\\\\", "COMMA": ",", "SEP": "punctuation", "OPTCLOSE": "]",
}  # fmt: skip


def _unexpected(text: MappedText, e: ParseFailure) -> ParseError:
    n = len(text.text)
    if e.token is not None:
        tok = e.token
        a, b = tok.start_pos or 0, tok.end_pos or (tok.start_pos or 0) + 1
        shown = str(tok.value)
        if tok.type in ("SUB", "SUP"):
            msg = (
                f"unexpected {shown!r}: a sub- or superscript needs an argument (x^{{2}}, x_{{i}})"
            )
        else:
            msg = f"unexpected {shown!r}"
        return ParseError(msg, *text.source_range(a, max(b, a + 1)))
    stripped = text.text.rstrip()
    at = max(len(stripped) - 1, 0)
    expected = sorted(e.expected)
    want = ", ".join(_TOKEN_NAMES.get(x, x.lower()) for x in expected[:4])
    return ParseError(
        f"math ends too early{' (expected ' + want + ')' if want else ''}",
        *text.source_range(at, max(n, at + 1)),
    )


def parse_region(
    region: MathRegion, functions: frozenset[str] = frozenset()
) -> tuple[ParsedRow, ...]:
    """Parse every row of a math region."""
    return tuple(parse_row(row.text, functions) for row in region.rows)
