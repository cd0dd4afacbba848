r"""Work a check of a long document shares instead of repeating per row or per use (issue
18: a 1 MB thesis checked in seconds).  Counted, not timed: a loaded machine cannot make
these flaky, and each fails on the code that repeated the work."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from texgrad.shapes import incremental, table
from texgrad.shapes.check import Checker
from texgrad.shapes.questions import TABLE_ONLY

HEAD = "\\documentclass{article}\n\\begin{document}\n"


class _Counted:
    """A compiled pattern whose searches are counted."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern, self.searches = pattern, 0

    def search(self, text: str, *span: int) -> re.Match[str] | None:
        self.searches += 1
        return self.pattern.search(text, *span)


def test_a_letters_change_of_meaning_is_searched_for_once_not_per_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """K declared n×n in one section and, later in the next, "In this section" m×m: each of
    the 50 uses before that holds the first meaning.  Whether the later declaration says
    the letter changes meaning is read once, not once per use (and per pass)."""
    counted = _Counted(table._CHANGES_MEANING)
    monkeypatch.setattr(table, "_CHANGES_MEANING", counted)
    uses = " ".join(f"Then $K x_{{{i}}}$ is fine." for i in range(50))
    doc = tmp_path / "k.tex"
    doc.write_text(
        HEAD + "\\section{One}\nLet $K \\in \\mathbb{R}^{n \\times n}$ and "
        "$x_i \\in \\mathbb{R}^n$.\n\n\\section{Two}\n" + uses + "\n\nIn this section "
        "$K \\in \\mathbb{R}^{m \\times m}$ and $y \\in \\mathbb{R}^m$; then $K y$ and $K x_1$.\n"
        "\\end{document}\n",
        encoding="utf-8",
    )
    result = Checker().check(str(doc))
    assert counted.searches == 1  # (was 2 per use: 100)
    # the uses before it read K as n×n, the one after it as m×m: K x_1 is m×m times n
    assert [(d.code, result.doc.text[d.start : d.end]) for d in result.diagnostics] == [
        ("matmul-mismatch", "K x_1")
    ]


def test_pass_two_of_a_cold_check_asks_only_what_pass_one_added_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pass 2 re-asks a pass-1 run's questions to tell whether the row must be inferred
    again with every definition known; what the symbol table alone answers is answered
    alike (the same table), so only definitions and signatures are asked again — with the
    same diagnostics and shapes as when every question was asked."""
    rows = "\n\n".join(
        f"Let $A_{i} \\in \\mathbb{{R}}^{{n \\times m}}$, $z_{i} = A_{i} v$ and $w_{i} = z_{i} + u$."
        for i in range(30)
    )
    doc = tmp_path / "p.tex"
    doc.write_text(
        HEAD
        + "Let $v \\in \\mathbb{R}^m$ and $u \\in \\mathbb{R}^m$.\n\n"
        + rows
        + "\n\\end{document}\n",
        encoding="utf-8",
    )
    asked: list[Any] = []
    real = incremental.answer_of

    def counted(*args: Any) -> Any:
        asked.append(args[4])
        return real(*args)

    monkeypatch.setattr(incremental, "answer_of", counted)
    result = Checker().check(str(doc))
    assert asked and not [k for k in asked if k in TABLE_ONLY]
    real_same = incremental.same_answers

    def every_question(*args: Any) -> bool:
        return real_same(*args[:5])  # (same_table not said: every question asked again)

    monkeypatch.setattr("texgrad.shapes.check.same_answers", every_question)
    again = Checker().check(str(doc))
    found = [(d.code, d.start, d.end, d.message) for d in result.diagnostics]
    assert found == [(d.code, d.start, d.end, d.message) for d in again.diagnostics]
    assert [d.code for d in result.diagnostics] == ["add-mismatch"] * 30  # (n + m, each row)
    assert result.shapes._rows == again.shapes._rows


def test_a_definitions_names_are_read_once_per_document_not_per_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which definitions involve a claim's variable (``derive._relevant``) was found by
    walking the body of every definition in force, for every written derivative: a 1 MB
    thesis has thousands of each.  Each body is now walked for its names once."""
    from texgrad.calculus import context
    from texgrad.calculus import written_derivatives as wd
    from texgrad.syntax import tree as t

    defined = "\n\n".join(
        f"Let $r_{{{i}}} = A_{{{i}}} x + b$ and $s_{{{i}}} = r_{{{i}}} + A_{{{i}}} c$."
        for i in range(40)
    )
    claims = "\n\n".join(
        f"Then \\[ \\nabla_{{x}} a^\\top x = a \\] and $q_{{{i}}} = x^\\top x$." for i in range(20)
    )
    doc = tmp_path / "d.tex"
    doc.write_text(
        HEAD + "Let $x \\in \\mathbb{R}^n$, $a, b, c \\in \\mathbb{R}^n$ and "
        "$A_i \\in \\mathbb{R}^{n \\times n}$.\n\n"
        + defined
        + "\n\n"
        + claims
        + "\n\\end{document}\n",
        encoding="utf-8",
    )
    result = Checker().check(str(doc))
    bodies = {id(f.body) for _, _, _, f in context._defined_of(result).before}
    walked: dict[int, int] = {}
    real = t.Node.walk

    def walk(node: t.Node) -> Any:
        if id(node) in bodies:
            walked[id(node)] = walked.get(id(node), 0) + 1
        return real(node)

    monkeypatch.setattr(t.Node, "walk", walk)
    tally = wd.Tally()
    assert wd.check_written(result, 100, tally=tally) == []
    assert (len(bodies), tally.read, tally.verified) == (100, 20, 20)
    # a few walks per document, not one per claim (was 20): the definitions in force, the
    # functions' structure, and the names after a row for refolding (context._equated_in)
    assert max(walked.values()) <= 3


def test_the_definitions_a_variable_involves_are_found_through_every_step() -> None:
    """``_relevant``: the definitions that name the variable, or name one that does (at any
    depth), are read; the others without parameters may stand for their shapes (opaque)."""
    from texgrad.calculus.derive import _relevant
    from texgrad.calculus.lower import Env, FunctionDef
    from texgrad.reading.source import MappedText
    from texgrad.syntax import tree as t
    from texgrad.syntax.parse import parse_row

    def body(text: str) -> t.Node:
        tree = parse_row(MappedText.identity(text)).tree
        assert tree is not None
        return tree

    definitions = {"u": "A x", "v": "u + b", "w": "B v", "p": "c + d", "q": "p + e", "f": "w + q"}
    env = Env(functions={k: FunctionDef(k, (), body(v)) for k, v in definitions.items()})
    env.functions["g"] = FunctionDef("g", ("z",), body("z + x"))
    read, opaque = _relevant(env, "x")
    assert opaque == {"p", "q"}  # (u, v, w, f involve x through each other; g has a parameter)
    assert set(read.functions) == set(env.functions)
    read, opaque = _relevant(env, "p")
    assert opaque == {"u", "v", "w"}  # (q names p, f names q)
    assert set(read.functions) == set(env.functions) - {"p"}  # (all but the variable's own)


def test_the_definitions_indexed_by_the_names_they_name_are_found_as_by_a_look_at_each() -> None:
    """``_relevant`` through a document's index of its definitions (``IndexedFunctions``:
    a claim of a 1 MB thesis no longer looks at each of its thousands) finds what a look at
    each finds, definitions set since the index was made (new, replaced, under another
    key) included."""
    from texgrad.calculus.derive import _relevant
    from texgrad.calculus.lower import DefinitionIndex, Env, FunctionDef, IndexedFunctions
    from texgrad.reading.source import MappedText
    from texgrad.syntax import tree as t
    from texgrad.syntax.parse import parse_row

    def body(text: str) -> t.Node:
        tree = parse_row(MappedText.identity(text)).tree
        assert tree is not None
        return tree

    written = {"u": "A x", "v": "u + b", "w": "B v", "p": "c + d", "q": "p + e", "f": "w + q"}
    defs = {k: FunctionDef(k, (), body(v)) for k, v in written.items()}
    index = DefinitionIndex(list(defs.items()))
    indexed = IndexedFunctions(index, defs)
    indexed["g"] = FunctionDef("g", ("z",), body("z + x"))  # new
    indexed["q"] = FunctionDef("q", (), body("p + x"))  # replaced: now involves x
    indexed.setdefault("h", defs["p"])  # an indexed definition under another key
    indexed.update({"k": FunctionDef("k", (), body("h + 1"))})
    del indexed["v"]  # (w then names nothing defined that involves x)
    copy = indexed.copied()
    assert not isinstance(dict(indexed), IndexedFunctions) and copy == indexed
    for wrt in ("x", "p", "d", "u", "h"):
        plain = _relevant(Env(functions=dict(indexed)), wrt)
        for functions in (indexed, copy):
            got = _relevant(Env(functions=functions), wrt)
            assert got[1] == plain[1] and got[0].functions == plain[0].functions, wrt
    assert _relevant(Env(functions=indexed), "d")[1] == {"u", "w"}  # (p, q, f, h, k name d)


def test_the_contexts_kept_for_a_derivative_check_are_bounded(tmp_path: Path) -> None:
    """Each row's context holds every symbol and definition in force there: kept for every
    claim of a long document, the memory grew with the square of its length (a 2 MB thesis
    past the memory bound).  The last ``CONTEXTS_KEPT`` asked are kept."""
    from texgrad.calculus import context
    from texgrad.calculus import written_derivatives as wd

    claims = "\n\n".join(
        f"Let $r_{{{i}}} = A x$. Then \\[ \\nabla_{{x}} a^\\top x = a \\]" for i in range(80)
    )
    doc = tmp_path / "d.tex"
    doc.write_text(
        HEAD + "Let $x, a \\in \\mathbb{R}^n$ and $A \\in \\mathbb{R}^{n \\times n}$.\n\n"
        + claims + "\n\\end{document}\n",
        encoding="utf-8",
    )  # fmt: skip
    result = Checker().check(str(doc))
    tally = wd.Tally()
    assert wd.check_written(result, 100, tally=tally) == []
    assert (tally.read, tally.verified) == (80, 80)
    assert len(context._learnt_of(result).contexts) == context.CONTEXTS_KEPT < 80
