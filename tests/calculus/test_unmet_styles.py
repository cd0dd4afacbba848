r"""What the eighth session's documents in styles not met before (a tikzposter, an ICLR
appendix, an exam sheet, mathtools notes…) showed the calculus, each by its own small case."""

from __future__ import annotations

from texgrad.calculus.api import diff_in_document

BUDGET = 60.0  # seconds: the claim is the result, not its speed on a loaded machine

SPLAT = (
    r"Let $\Sigma \in \mathbb{R}^{3\times 3}$, $J \in \mathbb{R}^{2\times 3}$ and "
    r"$\mathbf d \in \mathbb{R}^2$."
    "\n\n$$\n"
    r"\Sigma' = J \Sigma J^\top \in \mathbb{R}^{2\times 2}"
    "\n$$\n\n$$\n"
    r"E = \tfrac12 \mathbf d^\top \Sigma'^{-1} \mathbf d"
    "\n$$\n"
)


def test_a_primed_matrix_declared_with_another_shape_is_a_letter_of_its_own() -> None:
    r"""A splat's screen covariance ``\Sigma' \in \mathbb{R}^{2\times 2}`` beside the 3×3
    ``\Sigma``: a letter of its own, not Σ transposed ("cannot multiply a 1×2 by a 3×3")."""
    out = diff_in_document("splat.md", 8, r"\mathbf d", text=SPLAT, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == r"\frac{1}{2} (\Sigma'^{-1} + \Sigma'^{-\top}) \mathbf d"
