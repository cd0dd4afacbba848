r"""Rows texgrad leaves alone are said in the document's words: a derivative evaluated at an
iterate (``\left.\nabla \ell(w)\right|_{w = w_k}``) says where it is evaluated, and an update
step (``w_{k+1} = w_k - \eta X^\top(…)``) is no function that "cannot be differentiated"."""

from __future__ import annotations

from texgrad.calculus import written_derivatives as wd
from texgrad.calculus.unchecked import explain
from texgrad.shapes.check import Checker

DOC = r"""Let $X \in \mathbb{R}^{n \times d}$, $y \in \mathbb{R}^n$, $w \in \mathbb{R}^d$, $\eta > 0$
and $\ell(w) = \frac12\|Xw - y\|^2$.
$$
\left.\nabla \ell(w)\right|_{w = w_k} = X^\top(X w_k - y),
$$
gives the update $w_{k+1} = w_k - \eta X^\top(Xw_k - y)$.
"""


def test_an_evaluated_derivative_and_an_update_step_are_said_in_words() -> None:
    checked = Checker().check("gd.md", text=DOC)
    tally = wd.Tally()
    wd.check_written(checked, 30.0, tally=tally, only_findings=True)
    said = [(DOC.count("\n", 0, u.start) + 1, u.message) for u in explain(checked, tally.undecided)]
    assert (
        4,
        "this derivative is not checked: `\\nabla \\ell(w)` is evaluated at `w = w_k`, which "
        "texgrad does not check (it checks the derivative as a function)",
    ) in said, said
    assert not any(line == 6 for line, _ in said), said
