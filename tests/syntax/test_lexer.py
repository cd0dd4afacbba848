r"""The lexer's command table: every class has a reader, and a name in two lists reads once."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from texgrad.syntax.commands import COMMANDS
from texgrad.syntax.lexer import _HANDLERS, Lexer


def test_every_class_of_the_command_table_is_read() -> None:
    """Lowercase classes have a handler; uppercase ones are terminals of the grammar."""
    grammar = resources.files("texgrad.grammar").joinpath("math.lark").read_text(encoding="utf-8")
    terminals = {name for line in re.findall(r"%declare (.*)", grammar) for name in line.split()}
    classes = set(COMMANDS.values())
    assert {c for c in classes if c.islower()} == set(_HANDLERS)
    assert {c for c in classes if not c.islower()} <= terminals


@pytest.mark.parametrize(
    ("row", "tokens"),
    [
        (r"\vec x", [("ACCENT", "vec"), ("LETTER", "x")]),  # an accent before a function
        (r"\intertext{and} x", [("LETTER", "x")]),  # skipped before read as text
        (r"\arg\max x", [("FUNC", "argmax"), ("LETTER", "x")]),
        (r"\arg x", [("FUNC", "arg"), ("LETTER", "x")]),
        (r"\mathrm{d}x", [("DIFF", "d"), ("LETTER", "x")]),
        (r"\mathrm{A}", [("FSYMBOL", "mathrm:A")]),  # otherwise a font
        (r"a \stackrel{?}{=} b", [("LETTER", "a"), ("REL", r"\stackrel{?}{=}"), ("LETTER", "b")]),
        (r"\Bigl( x \Bigr)", [("OPEN", "("), ("LETTER", "x"), ("CLOSE", ")")]),
        (r"\not x", [("OPAQUE", r"\not"), ("LETTER", "x")]),
        (r"\alpha \sin", [("SYMBOL", r"\alpha"), ("FUNC", "sin")]),
        (r"\color{red} x", [("LETTER", "x")]),
        (r"\operatorname{Spur} X", [("FUNC", "tr"), ("LETTER", "X")]),  # the German trace
        (r"\mathrm{Spur} X", [("FUNC", "tr"), ("LETTER", "X")]),
        # R Markdown's (bookdown's) equation label is no math; a bracket before \# still is
        (r"R = U (\#eq:als-factor)", [("LETTER", "R"), ("REL", "="), ("LETTER", "U")]),
        (r"(\#eq:user) u", [("LETTER", "u")]),
    ],
)
def test_command_classes(row: str, tokens: list[tuple[str, str]]) -> None:
    assert [(tok.type, tok.value) for tok in Lexer(row).tokenize()] == tokens
