r"""A member of a family summed inside a log inside a sum over samples (a mixture's
log-likelihood by one mean): the term k of the inner sum over the whole inner sum, checked
here against central differences of a mixture written in NumPy (n = 6 samples, M = 4
components, d = 3)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus import nested_sums
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

GMM = (
    r"\sum_{i=1}^{n} \log \sum_{j=1}^{M} \pi_j \exp\left(-\frac{1}{2}(\mathbf{x}_i - "
    r"\boldsymbol{\mu}_j)^\top \Sigma_j^{-1}(\mathbf{x}_i - \boldsymbol{\mu}_j)\right)"
)
WHERE = (
    r"\mathbf{x}_i \in \mathbb{R}^d; \boldsymbol{\mu}_k \in \mathbb{R}^d; "
    r"\Sigma_k \in \mathbb{S}^d_{++}; \pi_k > 0"
)
N, M, D, K = 6, 4, 3, 2


def _sample(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    x = rng.standard_normal((N, D, 1))
    mu = rng.standard_normal((M, D, 1))
    a = rng.standard_normal((M, D, D))
    sigma = a @ a.transpose(0, 2, 1) + D * np.eye(D)
    pi = rng.uniform(0.2, 1.0, (M, 1, 1))
    return x, mu, sigma, pi


def _loglik(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray, pi: np.ndarray) -> float:
    total = 0.0
    for xi in x:
        terms = [
            pi[j, 0, 0]
            * np.exp(-0.5 * ((xi - mu[j]).T @ np.linalg.solve(sigma[j], xi - mu[j]))[0, 0])
            for j in range(M)
        ]
        total += np.log(sum(terms))
    return float(total)


def test_a_mixture_by_one_mean_is_its_share_of_each_sample() -> None:
    out = diff_latex(GMM, r"\boldsymbol{\mu}_k", where=WHERE)
    assert out.error is None and out.verified, out.error
    assert "every member of the inner family sampled" in out.note
    assert out.result.startswith(r"\sum_{i=1}^{n} \frac{")
    x, mu, sigma, pi = _sample(np.random.default_rng(21))

    def loss(m: np.ndarray) -> float:
        mus = mu.copy()
        mus[K - 1] = m
        return _loglik(x, mus, sigma, pi)

    values = {
        "family:x": x, "family:\\mu": mu, "family:\\Sigma": sigma, "family:\\pi": pi,
        "\\mu_{k}": mu[K - 1], "\\Sigma_{k}": sigma[K - 1], "\\pi_{k}": pi[K - 1],
        "n": np.array([[float(N)]]), "M": np.array([[float(M)]]),
    }  # fmt: skip
    row = parse_row(MappedText.identity(out.result))
    assert row.tree is not None
    got = np.asarray(evaluate(row.tree, values), dtype=float)
    assert np.allclose(got, central_gradient(loss, mu[K - 1]), atol=1e-5)


def test_a_wrong_share_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    real = nested_sums._summand_gradient
    monkeypatch.setattr(nested_sums, "_summand_gradient", lambda out: f"2 {real(out)}")
    out = diff_latex(GMM, r"\boldsymbol{\mu}_k", where=WHERE)
    assert out.error is not None and not out.verified and out.result == ""


def test_the_inner_index_beside_the_members_is_not_read_so() -> None:
    """j as a number beside the members (a weight j·π_j): not this reading."""
    expr = (
        r"\sum_{i=1}^{n} \log \sum_{j=1}^{M} j \pi_j \exp(-\|\mathbf{x}_i - \boldsymbol{\mu}_j\|^2)"
    )
    out = diff_latex(expr, r"\boldsymbol{\mu}_k", where=WHERE)
    assert not out.verified or "term `k`" not in out.note


def test_a_double_sum_by_one_member_of_the_inner_family() -> None:
    r"""\sum_i \sum_j \|x_i - \mu_j\|^2 by \mu_k: the terms j = k, summed over i."""
    out = diff_latex(
        r"\sum_{i=1}^{n} \sum_{j=1}^{M} \|\mathbf{x}_i - \boldsymbol{\mu}_j\|^2",
        r"\boldsymbol{\mu}_k",
        where=r"\mathbf{x}_i \in \mathbb{R}^d; \boldsymbol{\mu}_k \in \mathbb{R}^d",
    )
    assert out.error is None and out.verified, out.error
    assert "only the terms `j = k`" in out.note
    x, mu, _, _ = _sample(np.random.default_rng(22))

    def loss(m: np.ndarray) -> float:
        mus = mu.copy()
        mus[K - 1] = m
        return float(sum(np.sum((xi - mj) ** 2) for xi in x for mj in mus))

    row = parse_row(MappedText.identity(out.result))
    assert row.tree is not None
    values = {"family:x": x, "\\mu_{k}": mu[K - 1], "n": np.array([[float(N)]])}
    got = np.asarray(evaluate(row.tree, values), dtype=float)
    assert np.allclose(got, central_gradient(loss, mu[K - 1]), atol=1e-5)
