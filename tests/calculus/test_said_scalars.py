r"""Scalars the prose names after the fact: "where $\gamma$ and $\beta$ are learned scalars",
"$\tau$ is a fixed scalar" — but not "… is a scalar multiple of …"."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.api import diff_in_document


def _doc(tmp_path: Path, sentence: str) -> Path:
    doc = tmp_path / "said.md"
    doc.write_text(
        "Let $\\mathbf{x}, \\mathbf{u} \\in \\mathbb{R}^{d}$, " + sentence + "\n"
        "$$f = \\gamma\\,\\mathbf{u}^\\top\\mathbf{x} + \\beta\\,\\mathbf{x}^\\top\\mathbf{x}$$\n",
        encoding="utf-8",
    )
    return doc


def test_letters_said_to_be_scalars_are_scalars(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "where $\\gamma$ and $\\beta$ are learned scalars.")
    out = diff_in_document(doc, 2, r"\mathbf{x}")
    assert out.error is None and out.verified, out.error
    assert out.result == r"\gamma \mathbf{u} + 2 \beta \mathbf{x}"
    by_gamma = diff_in_document(doc, 2, r"\gamma")
    assert by_gamma.verified and by_gamma.result == r"\mathbf{u}^\top \mathbf{x}"


def test_a_scalar_multiple_is_no_scalar_said(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "where $\\gamma$ is a scalar multiple of $\\beta$.")
    out = diff_in_document(doc, 2, r"\gamma")
    assert not out.verified
