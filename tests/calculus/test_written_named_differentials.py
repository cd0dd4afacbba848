r"""A differential written in the differential of a name the document defines:
``\mathrm df = \operatorname{tr}(R^\top \mathrm dR) + \lambda\operatorname{tr}(W^\top \mathrm dW)``
with ``R = XW - Y`` — the first line of a Math.SE-style derivation.  ``\mathrm dR`` is the
differential of R's definition in W (``X\,\mathrm dW``): the claim is checked by W, right
and wrong, instead of being left unchecked "with shapes guessed from its letters"."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.shapes.check import Checker

DOC = r"""Here $X \in \mathbb{R}^{n\times p}$, $W \in \mathbb{R}^{p \times k}$, $Y \in \mathbb{R}^{n \times k}$ and $\lambda > 0$.
Let $f(W) = \frac12\|XW - Y\|_F^2 + \frac\lambda2\|W\|_F^2$ and $R = XW - Y$.

$$\mathrm{d}f = \operatorname{tr}(R^\top \mathrm{d}R) + \lambda \operatorname{tr}(W^\top \mathrm{d}W)$$

$$\mathrm{d}f = \operatorname{tr}(R^\top X\,\mathrm{d}W) + \lambda \operatorname{tr}(W^\top \mathrm{d}W)$$

$$\mathrm{d}f = 2\operatorname{tr}(R^\top \mathrm{d}R) + \lambda \operatorname{tr}(W^\top \mathrm{d}W)$$

$$\mathrm{d}f = \operatorname{tr}(\mathrm{d}R^\top R) + 2\lambda \operatorname{tr}(W^\top \mathrm{d}W)$$
"""


def test_a_differential_written_in_a_defined_name_is_checked(tmp_path: Path) -> None:
    checked = Checker().check(str(tmp_path / "answer.md"), text=DOC)
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    lines = [DOC.count("\n", 0, f.start) + 1 for f in found]
    assert lines == [8, 10]
    assert tally.verified == 2 and tally.flagged == 2
    assert all("is not the differential of `f`" in f.message for f in found)
