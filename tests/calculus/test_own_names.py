r"""Differentiating a row that defines a name, ``\mathbf s = \operatorname{softmax}(\mathbf z)``:
the result is written in the document's ``\mathbf s`` (no ``\mathbf{t}_0`` and its "where"),
and the derivation too."""

from __future__ import annotations

from texgrad.calculus.api import diff_in_document

DOC = (
    "Let $\\mathbf z \\in \\mathbb{R}^K$ and $\\mathbf s = \\operatorname{softmax}(\\mathbf z)$.\n\n"
    "$$A = \\operatorname{softmax}(Z W)$$ with $Z \\in \\mathbb{R}^{n \\times d}$, "
    "$W \\in \\mathbb{R}^{d \\times k}$.\n"
)


def test_the_softmax_jacobian_in_the_documents_name() -> None:
    out = diff_in_document("doc.md", 1, "z", text=DOC, budget=60.0)
    assert out.error is None and out.verified
    assert out.result == "\\operatorname{diag}(\\mathbf s) - \\mathbf s \\mathbf s^\\top"
    assert out.where == [] and not any("t_0" in s for s in out.steps)
    assert out.steps[0] == "\\mathbf s = \\operatorname{softmax}(\\mathbf z)"
    assert "\\mathrm{d}\\mathbf s = \\mathbf s \\odot \\mathrm{d}\\mathbf z" in out.steps[1]


def test_the_attention_softmax_in_the_documents_name() -> None:
    """``A = softmax(ZW)`` by W (a matrix function: its differential) is written in A, not
    in the engine's ``T_0`` with ``\\text{where } T_0 = \\operatorname{softmax}(Z W)``."""
    out = diff_in_document("doc.md", 3, "W", text=DOC, budget=60.0)
    assert out.error is None and out.where == []
    assert out.differential == (
        "A \\odot (Z \\mathrm{d}W) - \\operatorname{diag}((A \\odot (Z \\mathrm{d}W)) \\mathbf{1}) A"
    )
