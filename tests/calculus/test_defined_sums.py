r"""Names defined by a sum over samples (:mod:`texgrad.calculus.defined_sums`): the scatter
matrix ``S = \sum_n (\mathbf{x}_n - \boldsymbol\mu)(\mathbf{x}_n - \boldsymbol\mu)^\top`` in
``\operatorname{tr}(\Sigma^{-1}S)`` — a constant by Σ, written in and summed by μ — each
result evaluated as printed and compared with central differences of the loss (N = 5
samples, D = 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

N, D = 5, 3

MVN = r"""# Gaussian fit

We observe $\mathbf{x}_1, \dots, \mathbf{x}_N \in \mathbb{R}^D$, with mean
$\boldsymbol\mu \in \mathbb{R}^D$, covariance $\Sigma \in \mathbb{R}^{D \times D}$ and
$\mathbf{a} \in \mathbb{R}^D$. The covariance $\Sigma$ is symmetric positive definite.
The scatter matrix is $S = \sum_{n=1}^N (\mathbf{x}_n - \boldsymbol\mu)(\mathbf{x}_n - \boldsymbol\mu)^\top$
and the sample covariance $C = \frac{1}{N}\sum_{n=1}^N (\mathbf{x}_n - \boldsymbol\mu)(\mathbf{x}_n - \boldsymbol\mu)^\top$.

$$\mathcal{L}(\Sigma) = \frac{N}{2}\log\det\Sigma + \frac{1}{2}\operatorname{tr}(\Sigma^{-1}S)$$

$$q = \mathbf{a}^\top C \mathbf{a}$$

$$r = \log\det S$$

$$u = \operatorname{tr}(S)^2 + \mathbf{a}^\top\boldsymbol\mu$$

$$v = \frac{N}{2}\operatorname{tr}(\Sigma^{-1}C)$$
"""


def _document(tmp_path: Path) -> Path:
    doc = tmp_path / "mvn.md"
    doc.write_text(MVN, encoding="utf-8")
    return doc


def _point() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    a = rng.standard_normal((D, D))
    return {
        "family:x": rng.standard_normal((N, D)),
        "\\mu": rng.standard_normal((D, 1)),
        "\\Sigma": a @ a.T + D * np.eye(D),
        "a": rng.standard_normal((D, 1)),
    }


def _scatter(p: dict[str, np.ndarray]) -> np.ndarray:
    r = p["family:x"] - p["\\mu"].T
    return np.asarray(r.T @ r)


def _printed(result: str, values: dict[str, object]) -> np.ndarray:
    row = parse_row(MappedText.identity(result))
    assert row.tree is not None, result
    return np.asarray(evaluate(row.tree, values), dtype=float)


def _loss(p: dict[str, np.ndarray]) -> float:
    sigma = p["\\Sigma"]
    return float(
        N / 2 * np.linalg.slogdet(sigma)[1] + np.trace(np.linalg.solve(sigma, _scatter(p))) / 2
    )


def test_the_scatter_matrix_is_a_constant_by_sigma_and_keeps_its_name(tmp_path: Path) -> None:
    out = diff_in_document(_document(tmp_path), 9, "\\Sigma")
    assert out.error is None and out.verified, out.error
    assert out.kind == "gradient" and out.shape == "ℝ^{D×D}"
    assert "\\Sigma^{-1} S \\Sigma^{-1}" in out.result  # S by name, not its sum
    p = _point()
    got = _printed(out.result, {"\\Sigma": p["\\Sigma"], "S": _scatter(p), "N": N})
    want = central_gradient(lambda s: _loss({**p, "\\Sigma": s}), p["\\Sigma"])
    assert got.shape == (D, D) and np.allclose(got, want, atol=1e-5)


def test_through_the_scatter_matrix_by_mu_the_sum_is_written_in(tmp_path: Path) -> None:
    out = diff_in_document(_document(tmp_path), 9, "\\boldsymbol\\mu")
    assert out.error is None and out.verified, out.error
    assert out.kind == "gradient" and out.shape == "ℝ^{D}"
    assert "\\sum" in out.result and "every member of the family sampled" in out.note
    p = _point()
    got = _printed(out.result, {**p, "N": N})
    want = central_gradient(lambda m: _loss({**p, "\\mu": m}), p["\\mu"])
    assert np.allclose(got.reshape(D, 1), want, atol=1e-5)
    # and it is −Σ⁻¹ Σ_n (x_n − μ), the textbook's
    mean = p["family:x"].sum(axis=0).reshape(D, 1) - N * p["\\mu"]
    assert np.allclose(got.reshape(D, 1), -np.linalg.solve(p["\\Sigma"], mean))


def test_a_scaled_definition_in_a_quadratic_form_by_mu(tmp_path: Path) -> None:
    out = diff_in_document(_document(tmp_path), 11, "\\boldsymbol\\mu")
    assert out.error is None and out.verified, out.error
    p = _point()

    def q(m: np.ndarray) -> float:
        a = p["a"]
        return float((a.T @ _scatter({**p, "\\mu": m}) @ a)[0, 0] / N)

    got = _printed(out.result, {**p, "N": N})
    assert np.allclose(got.reshape(D, 1), central_gradient(q, p["\\mu"]), atol=1e-5)


def test_a_nonlinear_use_by_mu_is_refused_not_wrong(tmp_path: Path) -> None:
    out = diff_in_document(_document(tmp_path), 13, "\\boldsymbol\\mu")
    assert out.error is not None or not out.verified
    assert not out.result or not out.verified


def test_a_power_of_its_trace_squares_the_whole_sum(tmp_path: Path) -> None:
    out = diff_in_document(_document(tmp_path), 15, "\\boldsymbol\\mu")
    assert out.error is None and out.verified, out.error
    p = _point()

    def u(m: np.ndarray) -> float:
        return float(np.trace(_scatter({**p, "\\mu": m})) ** 2 + (p["a"].T @ m)[0, 0])

    got = _printed(out.result, {**p, "N": N})
    assert np.allclose(got.reshape(D, 1), central_gradient(u, p["\\mu"]), atol=1e-4)


def test_the_definitions_scalar_and_the_rows_cancel(tmp_path: Path) -> None:
    out = diff_in_document(_document(tmp_path), 17, "\\boldsymbol\\mu")
    assert out.error is None and out.verified, out.error
    assert "N" not in out.result.replace("^{N}", "").replace("^N", "")  # N/2 · 1/N = ½
    p = _point()

    def v(m: np.ndarray) -> float:
        scatter = _scatter({**p, "\\mu": m})
        return float(N / 2 * np.trace(np.linalg.solve(p["\\Sigma"], scatter)) / N)

    got = _printed(out.result, {**p, "N": N})
    assert np.allclose(got.reshape(D, 1), central_gradient(v, p["\\mu"]), atol=1e-5)


PRML = r"""We have $N$ examples with $\mathbf{x}_n \in \mathbb{R}^D$, labels $t_n \in \{-1, 1\}$ and weights
$\mathbf{w} \in \mathbb{R}^D$; $\alpha > 0$.

$$
E(\mathbf{w}) = \sum_{n=1}^N \log(1 + \exp(-t_n\mathbf{w}^\top\mathbf{x}_n))
$$

$$
E_\alpha(\mathbf{w}) = E(\mathbf{w}) + \frac{\alpha}{2}\mathbf{w}^\top\mathbf{w}
$$

$$
F(\mathbf{w}) = \frac{\alpha}{2}\mathbf{w}^\top\mathbf{w} - E(\mathbf{w})
$$

$$
\nabla_{\mathbf{w}}\left(E(\mathbf{w}) + \frac{\alpha}{2}\mathbf{w}^\top\mathbf{w}\right)
$$
"""


def _logistic(w: np.ndarray, x: np.ndarray, labels: np.ndarray) -> float:
    return float(np.log1p(np.exp(-labels * (x @ w).ravel())).sum())


def test_a_named_sum_over_samples_called_inside_a_larger_loss_is_written_in(
    tmp_path: Path,
) -> None:
    r"""PRML's ``E_\alpha(\mathbf w) = E(\mathbf w) + \frac{\alpha}{2}\mathbf w^\top\mathbf w``
    with E defined as a sum over samples (refused in words before), and E subtracted: the
    results, evaluated as printed, equal central differences of the loss (N = 5, D = 3)."""
    doc = tmp_path / "prml.md"
    doc.write_text(PRML, encoding="utf-8")
    rng = np.random.default_rng(8)
    x, labels = rng.standard_normal((N, D)), rng.standard_normal(N)
    w, alpha = rng.standard_normal((D, 1)), 0.7
    values = {"family:x": x, "family:t": labels.reshape(N, 1, 1), "w": w, "\\alpha": alpha, "N": N}
    for line, sign in ((9, 1.0), (13, -1.0), (17, 1.0)):  # (17: the sum in brackets, asked)
        out = diff_in_document(doc, line, r"\mathbf{w}")
        assert out.error is None and out.verified, out.error or out.note
        assert "\\sum" in out.result and "every member of the family sampled" in out.note
        got = _printed(out.result, values).reshape(D, 1)
        want = central_gradient(
            lambda v, sign=sign: sign * _logistic(v, x, labels) + alpha / 2 * float((v * v).sum()),
            w,
        )
        assert np.allclose(got, want, atol=1e-5), out.result
