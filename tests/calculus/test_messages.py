r"""No message shows an internal tree (``(Derivative (Apply …``, ``(Matrix:pmatrix …)``,
``(Func:vec)``, ``(Paren:…)``, ``E[mathbb]``): every refusal quotes the document's own source.

The problem tables (each expression read without its declarations, and with each declaration
left out in turn: the refusals a user meets), the rows of the derivation set and, in the slow
run, the rows of the corpus go through the engine; the shape diagnostics of the derivation
set and of undeclared dimensions are read too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.calculus.heldout_problems import HELDOUT
from tests.calculus.problems import PROBLEMS
from texgrad.calculus.api import diff_latex
from texgrad.calculus.context import context_at
from texgrad.calculus.expr import CalculusError
from texgrad.calculus.lower import Lowerer
from texgrad.calculus.reasons import refusal
from texgrad.shapes.check import Checker
from texgrad.syntax import tree as t

_KINDS = "|".join(
    sorted(
        name
        for name, cls in vars(t).items()
        if isinstance(cls, type) and issubclass(cls, t.Node) and cls is not t.Node
    )
)
INTERNAL = re.compile(rf"\((?:{_KINDS})[: ]|\w\[(?:mathbb|mathbf|mathcal|mathrm|hat|bar)\]")
DERIVATIONS = Path(__file__).resolve().parents[1] / "derivations"


def test_the_pattern_knows_a_tree_dump() -> None:
    assert INTERNAL.search(r"`(Derivative (Apply (Func:tr) (Product A B)) A)` is a derivative")
    assert INTERNAL.search("the shape of `E[mathbb]` is unknown")
    assert INTERNAL.search("ℝ^{m_(Product 2 k)}")
    assert not INTERNAL.search(r"cannot differentiate `\operatorname{tr}(AB)` (Ky Fan)")


def _without_each(where: str) -> list[str]:
    parts = [d.strip() for d in where.split(";") if d.strip()]
    return ["", *("; ".join(parts[:i] + parts[i + 1 :]) for i in range(len(parts)))]


@pytest.mark.parametrize("problem", PROBLEMS + HELDOUT, ids=lambda p: p.id)
def test_refusals_of_the_problems_quote_the_source(problem) -> None:  # type: ignore[no-untyped-def]
    for where in _without_each(problem.where)[:2]:
        out = diff_latex(problem.expr, problem.wrt, where, budget=0.3)
        for said in (out.error, out.note):
            assert not (said and INTERNAL.search(said)), (where, said)


def _rows_said(path: Path, checker: Checker, every: int = 1) -> list[str]:
    result = checker.check(str(path))
    said = [d.message for d in result.diagnostics]
    for i, row in enumerate(result.rows):
        if row.tree is None or i % every:
            continue
        ctx = context_at(result, row)
        reason = refusal(row.tree, ctx)
        if reason:
            said.append(reason)
        for node in row.tree.walk():  # each part on its own: more refusals than rows
            if isinstance(node, t.Apply | t.Power | t.Sub | t.Product):
                try:
                    Lowerer(ctx.env).lower(node)
                except CalculusError as exc:
                    said.append(str(exc))
                except RecursionError:
                    pass
    return said


def test_the_derivation_set_is_refused_in_its_own_words() -> None:
    checker = Checker()
    files = [
        p
        for p in sorted(DERIVATIONS.rglob("*"))
        if p.suffix in (".tex", ".md", ".qmd", ".Rmd") and p.is_file()
    ]
    assert len(files) >= 10
    said = [s for p in files for s in _rows_said(p, checker)]
    assert said  # (there are refusals to read)
    assert [s for s in said if INTERNAL.search(s)] == []


def test_a_dimension_with_a_compound_subscript_is_written_as_such(tmp_path: Path) -> None:
    doc = tmp_path / "dims.md"
    doc.write_text(
        "Let $W \\in \\mathbb{R}^{n_{l+1} \\times n_{l}}$ and $x \\in \\mathbb{R}^{m_{2k}}$.\n\n"
        "$$ f = W x $$\n",
        encoding="utf-8",
    )
    (d,) = Checker().check(str(doc)).diagnostics
    assert "m_{2k}" in d.message and not INTERNAL.search(d.message), d.message


def test_the_corpus_is_refused_in_its_own_words(corpus: Path) -> None:
    checker = Checker()
    said: list[str] = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix in (".tex", ".md") and path.is_file():
            said += _rows_said(path, checker, every=7)
    assert len(said) > 100
    assert [s for s in said if INTERNAL.search(s)] == []
