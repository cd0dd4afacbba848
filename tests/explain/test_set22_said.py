r"""What this session's own documents (tests/documents/own-*-22) showed: a name defined as an
expectation (``\sigma_d^2 = \mathbb{E}[d^2]``, a Wiener filter's signal power) is a constant
by the taps, so the cost using it is differentiated and its written gradient checked (they
were refused: "`\mathbb{E}[\cdot]` is not supported"); and a cost named by its parameter,
``J_\gamma(\mathbf w) = …`` after "$\gamma > 0$", is no Jacobian ``J_f`` claimed."""

from __future__ import annotations

import numpy as np

from tests.calculus.problem_numerics import central_gradient, tree
from texgrad.calculus import written_derivatives as wd
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.refusals import refusal_at
from texgrad.calculus.unchecked import explain
from texgrad.shapes.check import Checker

WIENER = r"""Taps $\mathbf{w} \in \mathbb{R}^{M}$, regressor $\mathbf{x} \in \mathbb{R}^{M}$, desired $d \in \mathbb{R}$.
The autocorrelation is $\mathbf{R} = \mathbb{E}[\mathbf{x}\mathbf{x}^\top] \in \mathbb{R}^{M \times M}$
and $\mathbf{p} = \mathbb{E}[d\,\mathbf{x}] \in \mathbb{R}^{M}$.

$$J(\mathbf{w}) = \sigma_d^2 - 2\mathbf{p}^\top\mathbf{w} + \mathbf{w}^\top\mathbf{R}\mathbf{w}$$

where $\sigma_d^2 = \mathbb{E}[d^2]$. Its gradient is $\nabla_{\mathbf{w}} J = -2\mathbf{p} + \mathbf{R}\mathbf{w}$.
"""


def _checked(text: str):  # type: ignore[no-untyped-def]
    return Checker().check("doc.md", text=text)


def test_a_cost_with_a_constant_defined_as_an_expectation_is_differentiated() -> None:
    checked = _checked(WIENER)
    row = WIENER.index("J(")
    assert refusal_at(checked, row) is None  # an action is offered, no reason to give
    line = WIENER[:row].count("\n") + 1
    out = diff_in_document("doc.md", line, r"\mathbf{w}", budget=20.0, text=WIENER)
    assert out.error is None and out.verified and out.result is not None
    rng = np.random.default_rng(3)
    m = 4
    w, p, a = rng.standard_normal((m, 1)), rng.standard_normal((m, 1)), rng.standard_normal((m, m))
    r = a + a.T  # (R = E[x x^T]: symmetric, as the answer 2(Rw - p) takes it)
    got = evaluate(tree(out.result), {"w": w, "p": p, "R": r})
    want = central_gradient(lambda v: float((5.0 - 2 * p.T @ v + v.T @ r @ v)[0, 0]), w)
    assert np.allclose(got, want, rtol=1e-5)


def test_its_written_gradient_is_checked() -> None:
    checked = _checked(WIENER)
    tally = wd.Tally()
    found = wd.check_written(checked, 60.0, tally=tally)
    assert [f.start for f in found] == [WIENER.index("-2\\mathbf{p} + \\mathbf{R}\\mathbf{w}")]
    assert tally.undecided == []


GAMMA = r"""Let $\mathbf{w} \in \mathbb{R}^M$, $\mathbf{R} \in \mathbb{R}^{M \times M}$, $\mathbf{p} \in \mathbb{R}^M$ and $\gamma > 0$.

$$J(\mathbf{w}) = \mathbf{w}^\top\mathbf{R}\mathbf{w} - 2\mathbf{p}^\top\mathbf{w}$$

For $J_\gamma(\mathbf{w}) = J(\mathbf{w}) + \gamma\|\mathbf{w}\|^2$,
$\nabla_{\mathbf{w}} J_\gamma = 2(\mathbf{R} + \gamma \mathbf{I})\mathbf{w} - \mathbf{p}$.
"""


def test_a_cost_named_by_its_parameter_is_no_jacobian_claimed() -> None:
    checked = _checked(GAMMA)
    tally = wd.Tally()
    found = wd.check_written(checked, 60.0, tally=tally, only_findings=True)
    assert [f.start for f in found] == [GAMMA.index("2(\\mathbf{R}")]  # (the missing 2 of p)
    said = [u.message for u in explain(checked, tally.undecided)]
    assert not any("\\gamma" in m for m in said), said  # (no "the function `\\gamma`")


CROSS = r"""Encoder states $\mathbf{E} \in \mathbb{R}^{m \times d}$, queries $Q \in \mathbb{R}^{n \times d}$
and a rotation $R_\Theta \in \mathbb{R}^{d \times d}$.

$$S = P_t \mathbf{E}^\top$$
"""


def test_a_suggested_size_names_none_of_the_documents_dimensions() -> None:
    checked = _checked(CROSS)
    said = [u.message for u in explain(checked, [])]
    # (P_t, undeclared; R_{\Theta,t} is now read as a member of the declared R_\Theta)
    suggestion = next(m for m in said if m.startswith("`P_t` has no shape"))
    assert suggestion.endswith(
        "e.g. `P_t \\in \\mathbb{R}^{k \\times d}` (the row using it is not checked)"
    ), suggestion
