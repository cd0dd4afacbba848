r"""A norm's subscript names the norm: ``F(V) = \|AV - B\|_F^2`` defines ``F`` of ``V``, and the
``F`` of ``\|\cdot\|_F`` in its body is not replaced by that definition when a claim
``\nabla_V F = …`` is read (it was, and the claim went unchecked: "cannot differentiate the
norm ``\|\cdot\|_{(\|A V - B\|_F^2)}``")."""

from __future__ import annotations

from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.shapes.check import Checker

TEXT = r"""Let $A \in \mathbb{R}^{n \times d}$, $B \in \mathbb{R}^{n \times k}$ and $V \in \mathbb{R}^{d \times k}$.
The loss $F(V) = \|AV - B\|_F^2$ has

$$
\nabla_V F = 2(AV - B)^\top A
$$

$$
\nabla_V F = 2A^\top (AV - B)
$$
"""


def test_the_frobenius_subscript_is_not_the_function_f() -> None:
    checked = Checker().check("frobenius.md", text=TEXT)
    tally = Tally()
    found = check_written(checked, tally=tally)
    assert [TEXT.count("\n", 0, f.start) + 1 for f in found] == [5]
    assert found[0].kind == "transpose"
    assert (tally.read, tally.verified) == (2, 1)
