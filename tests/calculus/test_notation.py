r"""The document's notation (:mod:`texgrad.calculus.notation`): kept in results, and learnt
after edits as a whole walk learns it."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.calculus import context, notation
from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.printing import Style
from texgrad.shapes.check import Checker


def test_the_document_notation_is_kept() -> None:
    out = diff_latex(r"\mathbf{x}^T \mathbf{A} \mathbf{x}", r"\mathbf{x}",
                     r"\mathbf{A} \in \mathbb{R}^{n \times n}; \mathbf{x} \in \mathbb{R}^n")  # fmt: skip
    assert out.result == r"(\mathbf{A} + \mathbf{A}^T) \mathbf{x}"
    out = diff_latex(r"\mathrm{Tr}(X^\top A)", "X", r"A, X \in \mathbb{R}^{m \times n}")
    assert out.result == "A"
    assert out.differential == r"\mathrm{Tr}(A^\top \mathrm{d}X)"


def test_a_document_macros_are_printed_and_accepted_as_the_variable(tmp_path: Path) -> None:
    doc = tmp_path / "doc.tex"
    doc.write_text(
        "\\documentclass{article}\n"
        "\\newcommand{\\mA}{\\mathbf{A}}\n\\newcommand{\\vx}{\\mathbf{x}}\n"
        "\\newcommand{\\vb}{\\mathbf{b}}\n\\DeclareMathOperator{\\tr}{tr}\n"
        "\\begin{document}\n"
        "Let $\\mA \\in \\mathbb{R}^{m \\times n}$, $\\vx \\in \\mathbb{R}^n$, "
        "$\\vb \\in \\mathbb{R}^m$, $X \\in \\mathbb{R}^{n \\times n}$.\n"
        "\\begin{equation}\n"
        "  f(\\vx) = \\|\\mA\\vx - \\vb\\|_2^2 + \\tr(X^T \\mA^T \\mA X)\n"
        "\\end{equation}\n\\end{document}\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 9, r"\vx")
    assert out.verified, out.note
    assert out.result == r"2 \mA^T (\mA \vx - \vb)"
    assert out.differential == r"2 (\mA \vx - \vb)^T \mA \mathrm{d}\vx"
    out = diff_in_document(doc, 9, "X")
    assert out.verified and out.result == r"2 \mA^T \mA X"
    assert out.differential == r"2 \tr(X^T \mA^T \mA \mathrm{d}X)"


def test_a_document_notation_after_edits_is_what_a_whole_walk_learns(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    rng = random.Random(5)
    walked: list[int] = []
    taught_by = notation.taught_by
    monkeypatch.setattr(notation, "taught_by", lambda *a: walked.append(1) or taught_by(*a))
    monkeypatch.setattr(notation, "_taught", {})  # (another test may have read these files)
    edits = [
        "",
        " ",
        "\n\n$x^T y$ and $\\operatorname{Tr}(B)$\n",
        "$z'$",
        "\\alpha",
        "$\\mathbf{A}",
    ]
    for name in ("matrix-cookbook-md/main.md", "dlbook-notation/notation.tex"):
        path = corpus / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        checker = Checker()
        kept: set[object] = set()
        for step in range(10):
            if step:
                at = rng.choice([0, len(text) // 3, len(text) // 2, len(text)])
                text = text[:at] + rng.choice(edits) + text[at:]
            walked.clear()
            result = checker.check(str(path), text=text)
            whole = Style()
            trees = [r.tree for r in result.rows if r.tree is not None]
            notation.learn_style(whole, trees, result.doc.text)
            assert context.document_style(result) == whole, (name, step)
            rows = [r for r in result.rows if r.parsed]
            new = [r for r in rows if r.key not in kept]
            # (a row written twice, same text and map, is walked once: the Cookbook's 1,338
            # rows are 973 texts)
            assert len(walked) == len({r.key for r in new}), (name, step)
            kept = {r.key for r in rows}  # a row whose text the next check keeps: not walked


def test_a_tag_written_with_its_transpose_in_one_group_is_spelled_whole() -> None:
    r"""``W^{(l)\mathsf{T}}`` holds the tag and the transpose in one group: the tag's node
    ends before the group does, and its source, ``W^{(l)``, is no spelling of ``W^{(l)}``
    (a message quoted the letter so, its brace unclosed)."""
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    text = r"\lambda W^{(l)\mathsf{T}} + W^{(l)}"
    style = Style()
    notation.learn_style(style, [parse_row(MappedText.identity(text)).tree], text)
    assert style.symbols["W^{(l)}"] == "W^{(l)}"
