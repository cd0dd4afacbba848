r"""A letter a document defines as a function in one section and says is a scalar in a later
one (the loss ``\ell(\mathbf w) = …``, then "a length scale $\ell > 0$"): from that sentence on,
the scalar (the result verified by finite differences)."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.api import diff_in_document

DOC = (
    "Let $\\mathbf{x} \\in \\mathbb{R}^d$, $\\mathbf{w} \\in \\mathbb{R}^d$ and $\\mathbf{z} \\in \\mathbb{R}^d$.\n"
    "$$\\ell(\\mathbf{w}) = \\log(1 + \\exp(-\\mathbf{w}^\\top\\mathbf{x}))$$\n"
    "For a length scale $\\ell > 0$ let\n"
    "$$k(\\mathbf{x}, \\mathbf{z}) = \\exp\\left(-\\frac{\\|\\mathbf{x} - \\mathbf{z}\\|^2}{2\\ell^2}\\right)$$\n"
    "$$\\kappa = k(\\mathbf{x}, \\mathbf{z})$$\n"
)


def test_a_letter_said_a_scalar_after_its_definition_is_the_scalar(tmp_path: Path) -> None:
    doc = tmp_path / "reused.md"
    doc.write_text(DOC, encoding="utf-8")
    out = diff_in_document(doc, 5, r"\mathbf{x}")
    assert out.error is None and out.verified, out.error
    assert out.result == r"\frac{k(\mathbf{x}, \mathbf{z}) (\mathbf{z} - \mathbf{x})}{\ell^{2}}"


def test_the_function_still_holds_before_the_sentence(tmp_path: Path) -> None:
    doc = tmp_path / "reused.md"
    doc.write_text(DOC + "$$J = \\ell(\\mathbf{w})$$\n", encoding="utf-8")
    before = diff_in_document(doc, 2, r"\mathbf{w}")
    assert before.error is None and before.verified, before.error
