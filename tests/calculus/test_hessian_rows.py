r"""``texgrad diff --file … --line N`` on a row that writes a Hessian with its value
(``\nabla^2 (f(\mathbf x) + \|\mathbf x\|^2) = …``, ``H = \nabla^2 f(\mathbf x) = …``)
differentiates the left side's function, by the argument of the document's function where
the ∇ says no variable: it differentiated the right side, and printed ``0`` as verified
(the derivative of ``A + A^\top`` by x)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax.parse import parse_row

QUADRATIC = r"""Let $A \in \mathbb{R}^{n \times n}$, $\mathbf{x} \in \mathbb{R}^n$ and $f(\mathbf{x}) = \mathbf{x}^\top A \mathbf{x}$.

$$\nabla^2 \left(f(\mathbf{x}) + \|\mathbf{x}\|^2\right) = A + A^\top + 2I$$

$$H = \nabla^2 f(\mathbf{x}) = A + A^\top$$

With $\mathbf{y} \in \mathbb{R}^m$ and $g(\mathbf{y}) = \|\mathbf{y}\|^2$,
$$\nabla^2 \left(f(\mathbf{x}) + g(\mathbf{y})\right) = A + A^\top$$
"""

NEWTON = r"""We have $N$ samples $\mathbf{x}_i \in \mathbb{R}^p$ with labels $y_i \in \{0, 1\}$ and weights $\boldsymbol\beta \in \mathbb{R}^p$. Write $\sigma(t) = 1/(1 + e^{-t})$ and $\mu_i = \sigma(\mathbf{x}_i^\top\boldsymbol\beta)$.

$$\ell(\boldsymbol\beta) = -\sum_{i=1}^N \left[ y_i \log \mu_i + (1 - y_i)\log(1 - \mu_i)\right]$$

With an $\ell_2$ penalty, $\lambda > 0$:
$$\nabla^2 \left(\ell(\boldsymbol\beta) + \frac{\lambda}{2}\|\boldsymbol\beta\|^2\right) = X^\top S X + \lambda I_p.$$
"""


def tree(latex: str):  # type: ignore[no-untyped-def]
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None
    return row.tree


def _line(text: str, start: str) -> int:
    return next(i for i, s in enumerate(text.split("\n"), 1) if s.startswith(start))


def test_the_hessian_written_on_the_left_is_differentiated(tmp_path: Path) -> None:
    doc = tmp_path / "quadratic.md"
    doc.write_text(QUADRATIC, encoding="utf-8")
    rng = np.random.default_rng(11)
    a, x = rng.standard_normal((4, 4)), rng.standard_normal((4, 1))  # n = 4
    for start, want in ((r"$$\nabla^2 \left(", a + a.T + 2 * np.eye(4)), ("$$H =", a + a.T)):
        for wrt in ("", r"\mathbf{x}"):  # (by the argument of f, or given: never the right side)
            out = diff_in_document(doc, _line(QUADRATIC, start), wrt, budget=60.0)
            assert out.error is None and out.verified and out.kind == "hessian", out.error
            got = evaluate(tree(out.result), {"A": a, "x": x, "I": np.eye(4)})
            assert np.allclose(got, want), out.result


def test_a_hessian_of_functions_of_two_arguments_asks_by_which(tmp_path: Path) -> None:
    doc = tmp_path / "quadratic.md"
    doc.write_text(QUADRATIC, encoding="utf-8")
    out = diff_in_document(doc, _line(QUADRATIC, r"$$\nabla^2 \left(f(\mathbf{x}) + g"), "")
    assert out.error is not None and not out.verified
    assert "say with respect to what" in out.error
    assert out.error.startswith(r"`\nabla^2 \left(f(\mathbf{x}) + g(\mathbf{y})\right)`")


def test_the_penalised_newton_hessian_of_a_sum_is_by_the_functions_argument(
    tmp_path: Path,
) -> None:
    r"""∇²(ℓ(β) + λ/2‖β‖²) with ℓ a sum over samples: Σ μ_i(1 − μ_i) x_i x_iᵀ + λI, checked
    here as Xᵀ diag(μ(1 − μ)) X + λI with N = 5 samples, p = 3 (it was "the shape of
    \mu_1 is unknown": the right side's S differentiated)."""
    doc = tmp_path / "newton.md"
    doc.write_text(NEWTON, encoding="utf-8")
    out = diff_in_document(doc, _line(NEWTON, r"$$\nabla^2"), "", budget=60.0)
    assert out.error is None and out.verified and out.kind == "hessian", out.error
    rng = np.random.default_rng(12)
    x, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 1))
    m = 1 / (1 + np.exp(-x @ b))
    values = {
        "family:x": x, "family:\\mu": m.reshape(5, 1, 1), "family-first:\\mu": np.array([[1.0]]),
        "\\beta": b, "N": 5, "\\lambda": 0.3, "I": np.eye(3), "p": 3,
    }  # fmt: skip
    want = x.T @ np.diag((m * (1 - m)).ravel()) @ x + 0.3 * np.eye(3)
    assert np.allclose(evaluate(tree(out.result), values), want), out.result


LOG_PARTITION = r"""# Log-sum-exp

Let $\mathbf{w} \in \mathbb{R}^d$ and samples $\mathbf{x}_i \in \mathbb{R}^d$, $i = 1, \dots, N$.
The log-partition function is
$$A(\mathbf{w}) = \log \sum_{i=1}^N \exp(\mathbf{w}^\top \mathbf{x}_i).$$
With $p_i = \exp(\mathbf{w}^\top\mathbf{x}_i) / \sum_{j=1}^N \exp(\mathbf{w}^\top\mathbf{x}_j)$ its gradient is $\nabla A(\mathbf{w}) = \sum_{i=1}^N p_i \mathbf{x}_i$ and its Hessian is
$$\nabla^2 A(\mathbf{w}) = \sum_{i=1}^N p_i \mathbf{x}_i \mathbf{x}_i^\top - \Big(\sum_{i=1}^N p_i \mathbf{x}_i\Big)\Big(\sum_{i=1}^N p_i \mathbf{x}_i\Big)^\top,$$
not
$$\nabla^2 A(\mathbf{w}) = \sum_{i=1}^N p_i \mathbf{x}_i \mathbf{x}_i^\top.$$
"""


def test_hessian_claims_of_a_function_of_a_sum_are_checked(tmp_path: Path) -> None:
    r"""The Hessian of log-sum-exp written in p_i: the textbook's verified, the one without
    its outer product flagged (it was undecided: the Hessian of a function of a sum was
    refused)."""
    tally = Tally()
    found = check_written(
        Checker().check(str(tmp_path / "lse.md"), text=LOG_PARTITION), seconds=120.0, tally=tally
    )
    assert [LOG_PARTITION.count("\n", 0, f.start) + 1 for f in found] == [9]
    assert tally.verified == 2  # (the gradient and the right Hessian)
    assert "is not the Hessian of `A(\\mathbf{w})`" in found[0].message


NEWTON_MATRIX = r"""We have $N$ samples $\mathbf{x}_i \in \mathbb{R}^p$ with labels $y_i \in \{0, 1\}$, stacked as the rows of $X \in \mathbb{R}^{N \times p}$, and weights $\boldsymbol\beta \in \mathbb{R}^p$. Write $\sigma(t) = 1/(1 + e^{-t})$ and $\mu_i = \sigma(\mathbf{x}_i^\top\boldsymbol\beta)$.

$$\ell(\boldsymbol\beta) = -\sum_{i=1}^N \left[ y_i \log \mu_i + (1 - y_i)\log(1 - \mu_i)\right]$$

With $S = \operatorname{diag}(\mu_1(1-\mu_1), \dots, \mu_N(1-\mu_N))$ and a penalty, $\lambda > 0$:
$$\nabla^2 \left(\ell(\boldsymbol\beta) + \frac{\lambda}{2}\|\boldsymbol\beta\|^2\right) = X^\top S X + \lambda I_p,$$
not
$$\nabla^2 \left(\ell(\boldsymbol\beta) + \frac{\lambda}{2}\|\boldsymbol\beta\|^2\right) = X^\top S X + 2\lambda I_p.$$
"""


def test_a_wrong_hessian_in_matrix_form_is_answered_in_matrix_form(tmp_path: Path) -> None:
    r"""``X^\top S X + 2\lambda I_p`` for the penalised Newton Hessian: the message and the
    fix are the author's matrix form with the slip undone (``X^\top S X + \lambda I_p``,
    checked as a Hessian, every member sampled), not the engine's sum over i; the right
    claim verified."""
    tally = Tally()
    found = check_written(
        Checker().check(str(tmp_path / "newton.md"), text=NEWTON_MATRIX), seconds=120.0,
        tally=tally,
    )  # fmt: skip
    assert len(found) == 1 and tally.verified >= 1
    assert found[0].correct == r"X^\top S X + \lambda I_p"
    assert r"texgrad finds `X^\top S X + \lambda I_p`" in found[0].message
    assert "a term has a factor 2 too many" in found[0].message
