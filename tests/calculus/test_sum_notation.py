r"""Notation around sums and fractions, differentiated as a textbook reads it: TeX's
``{a \over b}``; a sign right after a sum opening its summand (``\sum_{j=1}^N
-\tfrac12\|\mathbf x_j - \boldsymbol\mu\|^2``); ``\nabla^2 \sum_i …`` with no subscript, by the
one variable of the sum; a named sum written in keeps the document's own ``\sum_{i=1}^{N}``.
Each result is checked against central differences, every dimension of its own size."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

BUDGET = 60.0  # generous: the machine running the tests is loaded


def _value(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    parsed = parse_row(MappedText.identity(latex))
    assert parsed.tree is not None, parsed.error
    return evaluate(parsed.tree, values)


def _central(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    h = 1e-6
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (f(up) - f(down)) / (2 * h)
    return grad


def test_over_is_a_fraction_to_differentiate() -> None:
    out = diff_latex(
        r"{\|A x - b\|^2 \over 2 c}",
        "x",
        r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n; b \in \mathbb{R}^m; c \in \mathbb{R}",
        budget=BUDGET,
    )
    assert out.verified, out.error
    rng = np.random.default_rng(3)
    a, b, x, c = (
        rng.normal(size=(5, 3)),
        rng.normal(size=(5, 1)),
        rng.normal(size=(3, 1)),
        np.array([[1.7]]),
    )
    f = lambda x: float(np.sum((a @ x - b) ** 2)) / (2 * c[0, 0])  # noqa: E731
    shown = _value(out.result, {"A": a, "b": b, "x": x, "c": c})
    assert np.allclose(shown, _central(f, x), atol=1e-6), out.result


def test_a_sign_after_the_sum_is_its_summands() -> None:
    out = diff_latex(
        r"\sum_{j=1}^N -\tfrac12 \|x_j - \mu\|^2 - \frac{N}{2}\|\mu\|^2",
        r"\mu",
        r"x_j, \mu \in \mathbb{R}^d",
        budget=BUDGET,
    )
    assert out.verified, out.error
    assert out.result == r"\sum_{j=1}^N \left(x_j - \mu\right) - N \mu"
    rng = np.random.default_rng(4)
    xs, mu = rng.normal(size=(6, 4)), rng.normal(size=(4, 1))  # N = 6 samples of d = 4

    def f(mu: np.ndarray) -> float:
        return -0.5 * sum(float(np.sum((x[:, None] - mu) ** 2)) for x in xs) - 3 * float(
            np.sum(mu * mu)
        )

    shown = evaluate(
        parse_row(MappedText.identity(out.result)).tree,  # type: ignore[arg-type]
        {"family:x": xs, "\\mu": mu, "N": np.array([[6.0]])},
    )
    assert np.allclose(shown, _central(f, mu), atol=1e-6), out.result


LOGISTIC = r"""# Newton's method

Let $\boldsymbol\theta \in \mathbb{R}^d$, $\mathbf{a}_i \in \mathbb{R}^d$ and $b_i \in \{-1, 1\}$,
$i = 1, \dots, N$. The data term is

$$
F(\boldsymbol\theta) = \sum_{i=1}^{N} \log(1 + \exp(-b_i\boldsymbol\theta^\top\mathbf{a}_i))
$$

and with $\gamma > 0$ the objective

$$
G(\boldsymbol\theta) = F(\boldsymbol\theta) + \frac{\gamma}{2}\|\boldsymbol\theta\|^2
$$

Its Hessian is

$$
\nabla^2 \sum_{i=1}^N \log(1 + \exp(-b_i\boldsymbol\theta^\top\mathbf{a}_i))
$$
"""


def test_a_hessian_without_subscript_is_by_the_sums_one_variable(tmp_path: Path) -> None:
    doc = tmp_path / "newton.md"
    doc.write_text(LOGISTIC, encoding="utf-8")
    bare = diff_in_document(str(doc), 19, "", budget=BUDGET)
    assert bare.verified and bare.kind == "hessian", bare.error
    said = diff_in_document(str(doc), 19, r"\boldsymbol\theta", budget=BUDGET)
    assert (bare.result, bare.shape) == (said.result, said.shape)
    # the Hessian at a point, against central differences of the gradient
    rng = np.random.default_rng(5)
    a, lab, th = rng.normal(size=(7, 3)), rng.choice([-1.0, 1.0], size=7), rng.normal(size=(3, 1))

    def grad(th: np.ndarray) -> np.ndarray:
        z = -lab * (a @ th)[:, 0]
        return -(a.T @ (lab / (1 + np.exp(-z))))[:, None]

    want = np.hstack([(grad(th + h) - grad(th - h)) / 2e-6 for h in 1e-6 * np.eye(3)[:, :, None]])
    values = {"family:a": a, "family:b": lab[:, None], "\\boldsymbol\\theta": th}
    values["\\theta"] = th
    shown = _value(bare.result, values | {"N": np.array([[7.0]])})
    assert np.allclose(shown, want, atol=1e-5), bare.result


def test_a_named_sum_written_in_keeps_the_documents_bounds(tmp_path: Path) -> None:
    doc = tmp_path / "newton.md"
    doc.write_text(LOGISTIC, encoding="utf-8")
    out = diff_in_document(str(doc), 13, r"\boldsymbol\theta", budget=BUDGET)
    assert out.verified, out.error
    assert out.result.startswith(r"-\sum_{i=1}^{N} ") and r"\sum_{i = 1}" not in out.result
    assert out.steps[0].startswith(r"f = \sum_{i=1}^{N} \log(1 + \exp(")
