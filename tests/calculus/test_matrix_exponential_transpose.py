r"""``\frac{\partial}{\partial X}\operatorname{tr}(e^X) = e^{X^\top}``: under a stated denominator
layout, ``e^X`` is its transpose and wrong for a general X.  The matrix exponential needs no
domain, but a matrix function's variable was sampled positive definite (symmetric) and never
given the skew part a determinant's gets, so ``e^X`` passed as right."""

from __future__ import annotations

from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.shapes.check import Checker

TEXT = r"""\documentclass{article}
\begin{document}
Let $X \in \mathbb{R}^{n \times n}$. We use the denominator layout.
The matrix $S \in \mathbb{R}^{n \times n}$ is symmetric.
\[
\frac{\partial}{\partial X}\operatorname{tr}(e^{X}) = e^{X}
\]
\[
\frac{\partial}{\partial X}\operatorname{tr}(e^{X}) = e^{X^\top}
\]
\[
\frac{\partial}{\partial S}\operatorname{tr}(e^{S}) = e^{S}
\]
\end{document}
"""


def test_e_to_the_x_is_the_transpose_for_a_general_x() -> None:
    checked = Checker().check("expm.tex", text=TEXT)
    tally = Tally()
    found = check_written(checked, tally=tally)
    assert [TEXT.count("\n", 0, f.start) + 1 for f in found] == [6]
    assert found[0].kind == "transpose"
    assert (tally.read, tally.verified) == (3, 2)
