r"""Session 32's Markdown documents (tests/documents/*-32, docsb) and the rules they changed,
each on a short text of its own:

- a property said of a matrix written in LaTeX's, MathJax's or Anki's ``\(…\)`` (or GitHub's
  ``$`…`$``) is read as one said of ``$…$`` math: "Let \(S \in …\) be symmetric" (the shape
  layer's ``stated_properties``) and "for symmetric \(S \in …\)" (the claim's own paragraph,
  ``_symmetric_as_said``) made ``\nabla_W h = 2SW`` of ``\operatorname{tr}(W^\top S W)``
  a wrong derivative "unless S is symmetric" (anki-shampoo-muon-32);
- a primed letter the document defines (``\Sigma' = J\Sigma J^\top``) or declares of a shape
  the transpose of its base cannot have is a letter of its own, not a transpose, in the
  engine (``Lowerer._own_primed``) (mdbook-gaussian-splatting-32).
"""

from __future__ import annotations

import pytest

from tests.calculus.written_check import found_lines

_TRACE = r"h(W) = \operatorname{tr}(W^\top S W)"


@pytest.mark.parametrize(
    "said",
    [
        r"Let \(S \in \mathbb{R}^{m\times m}\) be symmetric and \(W \in \mathbb{R}^{m \times n}\).",
        r"Let $`S \in \mathbb{R}^{m\times m}`$ be symmetric and $`W \in \mathbb{R}^{m \times n}`$.",
    ],
)
def test_a_symmetric_matrix_said_in_paren_math_is_symmetric(said: str) -> None:
    text = f"{said}\n\n$$\n{_TRACE}, \\qquad \\nabla_W h = 2SW\n$$\n\nand $\\nabla_W h = SW$.\n"
    lines, _ = found_lines(text)
    assert lines == [7]  # the factor 2 lost: still wrong; 2SW right for the symmetric S


def test_for_symmetric_s_in_paren_math_beside_the_claim() -> None:
    text = (
        "Card: gradient of \\(" + _TRACE + "\\) for symmetric \\(S \\in \\mathbb{R}^{m\\times m}\\)"
        " and \\(W \\in \\mathbb{R}^{m \\times n}\\)?\nBack: \\(\\nabla_W h = 2SW\\).\n\n"
        "Card: the same for a general \\(A \\in \\mathbb{R}^{m\\times m}\\), "
        "\\(g(W) = \\operatorname{tr}(W^\\top A W)\\)?\nBack: \\(\\nabla_W g = 2AW\\).\n"
    )
    lines, _ = found_lines(text)
    assert lines == [5]  # only the general A's 2AW is wrong


def test_a_primed_letter_defined_or_declared_of_another_shape_is_its_own() -> None:
    r"""``\Sigma'`` a splat's 2-D covariance, defined (and declared 2×2) beside a 3×3
    ``\Sigma``: not ``\Sigma^\top`` (the engine read it so, and refused "cannot multiply a 1×2
    by a 3×3"); the factor ½ dropped from a quadratic form's gradient is then found
    (mdbook-gaussian-splatting-32)."""
    text = (
        "Let $\\mathbf{s} \\in \\mathbb{R}^3$ be the scales, $S = \\operatorname{diag}(\\mathbf{s})"
        " \\in \\mathbb{R}^{3\\times 3}$, $R \\in \\mathbb{R}^{3\\times 3}$, $J \\in "
        "\\mathbb{R}^{2\\times 3}$.\n\n$$\n\\Sigma = R S S^\\top R^\\top, \\qquad \\Sigma' = J \\Sigma "
        "J^\\top \\in \\mathbb{R}^{2\\times 2}.\n$$\n\n"
        "With $\\mathbf{d} \\in \\mathbb{R}^2$, write $q(\\mathbf{d}) = \\tfrac12\\, \\mathbf{d}^\\top A"
        "\\, \\mathbf{d}$ with the conic $A = \\Sigma'^{-1}$, symmetric. Then\n\n"
        "$$\n\\nabla_{\\mathbf{d}}\\, q = A\\mathbf{d}\n$$\n\n"
        "Wrong: $\\nabla_{\\mathbf{d}}\\, q = \\tfrac12 A\\mathbf{d}$.\n"
    )
    lines, _ = found_lines(text)
    assert lines == [13]
