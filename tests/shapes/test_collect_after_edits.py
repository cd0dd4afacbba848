"""After an edit, ``collect`` takes what the rows and paragraphs before and after it declared
from its last run (moved), and the table it makes is the one a fresh collect makes; a check
after random edits says what a fresh check says."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texgrad.shapes.check import Checker
from texgrad.shapes.declarations import collect
from texgrad.shapes.table import SymbolTable

_TABLE = ("declarations", "function_definitions", "bound", "facts", "weak", "stacks",
          "layout_statements")  # fmt: skip


def _table(table: SymbolTable, signatures: bool = False) -> dict[str, object]:
    """What ``collect`` makes of a table (its signatures only when asked: a check's table
    has those its inference found too)."""
    names = (*_TABLE, "signatures") if signatures else _TABLE
    return {name: getattr(table, name) for name in names}


def _diagnostics(result) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return [(d.start, d.end, d.code, d.message, d.related, d.fixes) for d in result.diagnostics]


def _fresh_table(result) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return _table(collect(iter(result.rows), {result.path: result.doc.text}))


def test_an_edit_mid_document_reuses_what_the_rest_declared(corpus: Path) -> None:
    path = corpus / "matrix-cookbook-md" / "main.md"
    text = path.read_text(encoding="utf-8")
    checker = Checker()
    first = checker.check(str(path), None, None, text)
    memo = checker._collected[first.path]
    rows_before, prose_before = memo.rows[first.path], memo.prose[first.path]
    assert rows_before.declaring and prose_before.declaring  # (the Cookbook declares)
    # a letter typed in a formula half way down, then a declaration added to a sentence
    at = text.index("$", len(text) // 2) + 1
    for edit in ("x", " Let $z \\in \\mathbb{R}^{n}$."):
        text = text[:at] + edit + text[at:]
        got = checker.check(str(path), None, None, text)
        assert _table(got.table) == _fresh_table(got)
    rows, prose = memo.rows[first.path], memo.prose[first.path]
    # the rows and paragraphs away from the edits: their findings are the same objects
    assert rows.declares[0] is rows_before.declares[0]
    assert rows.declares[-1] is rows_before.declares[-1]
    assert prose.found[prose.declaring[0]] is prose_before.found[prose_before.declaring[0]]
    assert prose.found[prose.declaring[-1]] is prose_before.found[prose_before.declaring[-1]]
    assert any(d.key == "z" for decls in got.table.declarations.values() for d in decls)


_FILES = ("d2l-en/linear-algebra.md", "quantecon/linear_models.md", "mit-matrixcalc/pset1sol.tex")
_SNIPPETS = (" ", "x", "$", "$$", "\n", "\n\n", "#", "A^\\top", "\\mathbf{x}", ". ",
             " Let $z \\in \\mathbb{R}^{n}$.", ", all in $\\mathbb{R}^{n}$", "$y = Ax$",
             "an $n \\times n$ matrix $B$", "\\begin{align}", "\\\\")  # fmt: skip
# one edit: where (a fraction of the text), and a snippet inserted or characters deleted
_EDIT = st.tuples(st.floats(0, 1), st.one_of(st.sampled_from(_SNIPPETS), st.integers(1, 12)))


@pytest.mark.parametrize("name", _FILES)
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(_EDIT, min_size=1, max_size=4))
def test_random_edits_give_the_table_and_diagnostics_of_a_fresh_check(
    corpus: Path, name: str, edits: list[tuple[float, str | int]]
) -> None:
    path = corpus / name
    text = path.read_text(encoding="utf-8")
    checker = Checker()
    checker.check(str(path), None, None, text)
    for where, what in edits:
        at = int(where * len(text))
        if isinstance(what, int):
            text = text[:at] + text[at + what :]
        else:
            text = text[:at] + what + text[at:]
        got = checker.check(str(path), None, None, text)
        assert _table(got.table) == _fresh_table(got), f"{name}: {what!r} at {at}"
    fresh = Checker().check(str(path), None, None, text)
    assert _table(got.table, signatures=True) == _table(fresh.table, signatures=True)
    assert _diagnostics(got) == _diagnostics(fresh)


_WORDS = ("Some texts use ", "not ours", "many authors write ", "other books take ", " ", "x",
          "\n", "the one", "not the one we")  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=30),
    edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from((*_WORDS, 3, 20))), max_size=5),
)
def test_convention_marks_after_edits_are_those_of_the_new_text(
    base: list[str], edits: list[tuple[float, str | int]]
) -> None:
    from texgrad.shapes.declarations import _convention_marks

    text = "".join(base)
    marks = _convention_marks(text)
    for where, what in edits:
        at = int(where * len(text))
        new = (
            text[:at] + what + text[at:] if isinstance(what, str) else text[:at] + text[at + what :]
        )
        marks = _convention_marks(new, (text, marks))
        text = new
        assert marks == _convention_marks(text)
