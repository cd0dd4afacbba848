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


ROOT = (
    "Let $\\mathbf{x} \\in \\mathbb{R}^n$, $\\mathbf{a} \\in \\mathbb{R}^n$, "
    "$A \\in \\mathbb{R}^{m \\times n}$, $\\mathbf{b} \\in \\mathbb{R}^m$ and $\\epsilon > 0$.\n\n"
    "$$\ns = \\sqrt{\\|A\\mathbf{x} - \\mathbf{b}\\|^2 + \\epsilon}\n$$\n\n"
    "$$\nq = (\\mathbf{a}^\\top\\mathbf{x})^3\n$$\n"
)


def test_a_row_defining_a_root_is_differentiated_in_its_own_name() -> None:
    r"""``s = \sqrt{\|A\mathbf x - \mathbf b\|^2 + \epsilon}``: the gradient is written
    ``A^\top(A\mathbf x - \mathbf b)/s`` (the root not printed again), its value equal to
    central differences (m = 4, n = 3); a power of the name only where whole
    (``q = (\mathbf a^\top\mathbf x)^3`` keeps ``(\mathbf a^\top\mathbf x)^2``, no
    ``q^{2/3}``)."""
    import numpy as np

    from tests.calculus.problem_numerics import central_gradient

    out = diff_in_document("doc.md", 4, "\\mathbf{x}", text=ROOT, budget=60.0)
    assert out.error is None and out.verified, out.error or out.note
    assert out.result == r"\frac{A^\top (A \mathbf{x} - \mathbf{b})}{s}"
    rng = np.random.default_rng(11)
    a, b, x, eps = (
        rng.standard_normal((4, 3)),
        rng.standard_normal((4, 1)),
        rng.standard_normal((3, 1)),
        0.3,
    )
    root = lambda v: float(np.sqrt(((a @ v - b) ** 2).sum() + eps))  # noqa: E731
    assert np.allclose(a.T @ (a @ x - b) / root(x), central_gradient(root, x), atol=1e-6)
    cube = diff_in_document("doc.md", 8, "\\mathbf{x}", text=ROOT, budget=60.0)
    assert cube.error is None and cube.verified, cube.error or cube.note
    assert "q" not in cube.result and "^{2}" in cube.result


ATTENTION = (
    "Let $\\mathbf{x} \\in \\mathbb{R}^d$, $K \\in \\mathbb{R}^{n \\times k}$, "
    "$W \\in \\mathbb{R}^{k \\times d}$, $V \\in \\mathbb{R}^{n \\times m}$, "
    "$\\mathbf{g} \\in \\mathbb{R}^m$ and $\\mathbf{t} \\in \\mathbb{R}^m$. The weights are "
    "$\\mathbf{a} = \\operatorname{softmax}(K W \\mathbf{x})$.\n\n"
    "$$\nL = \\mathbf{g}^\\top V^\\top \\operatorname{softmax}(K W \\mathbf{x})\n$$\n\n"
    "$$\nE = \\frac{1}{2}\\|V^\\top \\operatorname{softmax}(K W \\mathbf{x}) - \\mathbf{t}\\|^2\n$$\n"
)


def test_a_part_the_document_defined_earlier_is_written_in_its_name() -> None:
    r"""The engine's name for softmax(KWx) is the document's \mathbf{a}, defined before the
    row (no ``\mathbf{u}_0`` and its "where"); the value is the same, verified."""
    out = diff_in_document("doc.md", 4, "W", text=ATTENTION, budget=60.0)
    assert out.error is None and out.verified
    assert out.where == []
    assert out.result == (
        "K^\\top ((V \\mathbf{g}) \\odot \\mathbf{a} - (\\mathbf{a}^\\top V \\mathbf{g}) "
        "\\mathbf{a}) \\mathbf{x}^\\top"
    )


def test_the_other_names_are_kept_with_the_documents_name_in_them() -> None:
    r"""Two names, one the document's: the other stays, its value written with \mathbf{a}."""
    out = diff_in_document("doc.md", 8, "W", text=ATTENTION, budget=60.0)
    assert out.error is None and out.verified
    assert len(out.where) == 1 and "\\mathbf{a}" in out.where[0]
    assert "softmax" not in out.where[0] and "softmax" not in out.result
