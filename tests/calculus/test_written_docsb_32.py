r"""Session 32's Markdown documents (tests/documents/*-32, docsb) and the rules they changed,
each on a short text of its own:

- a property said of a matrix written in LaTeX's, MathJax's or Anki's ``\(…\)`` (or GitHub's
  ``$`…`$``) is read as one said of ``$…$`` math: "Let \(S \in …\) be symmetric" (the shape
  layer's ``stated_properties``) and "for symmetric \(S \in …\)" (the claim's own paragraph,
  ``_symmetric_as_said``) made ``\nabla_W h = 2SW`` of ``\operatorname{tr}(W^\top S W)``
  a wrong derivative "unless S is symmetric" (anki-shampoo-muon-32);
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
