r"""A slip through an upstream gradient that no simple cause names, and the Kronecker order.

Through an upstream gradient ``D = \partial L/\partial S`` of a loss the document never
defines, a claim that differs from the derivative by something that changes with ``D`` is
wrong whatever the loss's unwritten terms (their derivatives do not hold ``D``):
``DK`` for ``\frac{1}{\sqrt{k}}DK`` is flagged, a claim that differs by a term without
``D`` (a weight decay) is not.  And ``A \otimes B^\top`` for ``B^\top \otimes A`` is said
to have its Kronecker factors in the other order.
"""

from __future__ import annotations

from pathlib import Path

from tests.calculus.helpers import context_with, read_in
from texgrad.calculus.context import Context
from texgrad.calculus.discrepancy import cause, changes_with
from texgrad.calculus.written_derivatives import check_written
from texgrad.shapes.check import Checker


def _context(where: str) -> Context:
    return context_with(where, "upstream.tex")


_read = read_in

ATTENTION = (
    r"Q \in \mathbb{R}^{n \times k}; K \in \mathbb{R}^{m \times k}; D \in \mathbb{R}^{n \times m}"
)


def test_a_difference_holding_the_variable_changes_with_it() -> None:
    ctx = _context(ATTENTION)
    right = _read(ctx, r"\frac{1}{\sqrt{k}} D K")
    assert changes_with(right, _read(ctx, "DK"), "D", ctx.env)
    assert changes_with(right, _read(ctx, r"\frac{1}{\sqrt{k}} D K + Q"), "D", ctx.env) is False
    assert changes_with(right, _read(ctx, r"\frac{1}{\sqrt{k}} D K"), "D", ctx.env) is False
    assert changes_with(right, _read(ctx, "Q"), "D", ctx.env) is False  # (no D written)


def test_the_kronecker_factors_in_the_other_order() -> None:
    ctx = _context(
        r"A \in \mathbb{R}^{p \times m}; X \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times q}"
    )
    right = _read(ctx, r"(B^\top \otimes A)\operatorname{vec}(X)")
    found = cause(right, _read(ctx, r"(A \otimes B^\top)\operatorname{vec}(X)"), ctx.env, ctx.style)
    assert found is not None and found.kind == "kronecker-order"
    assert found.text == (
        r"the Kronecker factors are in the other order: `A \otimes B^\top` where "
        r"`B^\top \otimes A` is needed"
    )


DOCUMENT = r"""\documentclass{article}
\begin{document}
Let $Q \in \mathbb{R}^{n \times k}$, $K \in \mathbb{R}^{m \times k}$, $S = QK^\top/\sqrt{k}$,
and $D = \partial L / \partial S$ the gradient of the loss.
\begin{align}
\frac{\partial L}{\partial Q} &= DK, \\
\frac{\partial L}{\partial Q} &= \frac{1}{\sqrt{k}}\,DK + \lambda Q, \\
\frac{\partial L}{\partial Q} &= \frac{1}{\sqrt{k}}\,DK .
\end{align}
\end{document}
"""


def _flagged(tmp_path: Path, text: str) -> list[tuple[int, str]]:
    path = tmp_path / "attention.tex"
    path.write_text(text)
    checked = Checker().check(str(path), text=text)
    found = check_written(checked)
    return [(text.count("\n", 0, f.start) + 1, f.message) for f in found]


def test_a_slip_through_the_upstream_gradient_is_flagged_a_term_besides_is_not(
    tmp_path: Path,
) -> None:
    flagged = _flagged(tmp_path, DOCUMENT)
    assert [line for line, _ in flagged] == [6]  # (line 7: a weight decay, perhaps; 8: right)
    assert "the difference changes with `D`" in flagged[0][1]
    assert r"\frac{D K}{\sqrt{k}}" in flagged[0][1]


GATES = r"""\documentclass{article}
\begin{document}
We use the denominator layout throughout.
Let $X \in \mathbb{R}^{B \times d}$, $H \in \mathbb{R}^{B \times h}$, $W_f, W_i, W_o, W_g \in \mathbb{R}^{d \times h}$ and
$U_f, U_i, U_o, U_g \in \mathbb{R}^{h \times h}$, with
\[
A_f = XW_f + HU_f, \quad A_i = XW_i + HU_i, \quad A_o = XW_o + HU_o, \quad A_g = XW_g + HU_g ,
\]
and the upstream gradients $G_f = \partial L/\partial A_f$, $G_i = \partial L/\partial A_i$,
$G_o = \partial L/\partial A_o$, $G_g = \partial L/\partial A_g$.
\begin{align}
\frac{\partial L}{\partial X} &= G_f W_f^\top + G_i W_i^\top + G_o W_o^\top + G_g W_g^\top, \\
\frac{\partial L}{\partial X} &= G_f W_f^\top + G_i W_i^\top + G_o W_o^\top .
\end{align}
\end{document}
"""


def test_four_upstream_gradients_read_together(tmp_path: Path) -> None:
    # 16 joint readings (each G as itself or transposed), of which the claim's shapes fit few
    checked = Checker().check(str(tmp_path / "gates.tex"), text=GATES)
    found = check_written(checked)
    assert [GATES.count("\n", 0, f.start) + 1 for f in found] == [13]
    assert "G_g W_g^\\top" in found[0].message
