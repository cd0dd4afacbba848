r"""The held-out batch of i14: the Gaussian density ``\mathcal{N}(x \mid \mu, \Sigma)`` written
without a definition, derivatives by an inverse (``\partial/\partial\Sigma^{-1}``), a member
of a sum asked for (refused: it was a verified wrong ``-x``), Euler's ``e`` beside one-hot
``\mathbf{e}_y``, masks transposed, properties of listed matrices, ``\frac{\lambda}{2}``.

Every result is evaluated at random points (a different size for every dimension) and
compared with central differences of the function computed here in NumPy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key

BUDGET = 60.0
Array = np.ndarray


def tree(latex: str):  # type: ignore[no-untyped-def]
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None
    return row.tree


def gradient(f: Callable[[Array], float], x: Array, h: float = 1e-6) -> Array:
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def spd(rng: np.random.Generator, n: int) -> Array:
    a = rng.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


def log_density(x: Array, mu: Array, s: Array) -> float:
    d = x - mu
    sign, logdet = np.linalg.slogdet(2 * np.pi * s)
    assert sign > 0
    return float(-0.5 * logdet - 0.5 * (d.T @ np.linalg.solve(s, d))[0, 0])


GAUSS = r"\mathbf x, \boldsymbol\mu \in \mathbb{R}^d; \Sigma \in \mathbb{S}^d_{++}"


def test_the_log_density_by_its_covariance_and_mean() -> None:
    rng = np.random.default_rng(3)
    d = 4
    x, mu, s = rng.standard_normal((d, 1)), rng.standard_normal((d, 1)), spd(rng, d)
    values = {"x": x, "\\mu": mu, "\\Sigma": s}
    out = diff_latex(r"\log\mathcal{N}(\mathbf x \mid \boldsymbol\mu, \Sigma)", r"\Sigma", GAUSS,
                     budget=BUDGET)  # fmt: skip
    assert out.error is None and out.verified, out.error
    # the gradient on symmetric matrices: of f(S) with S symmetrised
    want = gradient(lambda m: log_density(x, mu, (m + m.T) / 2), s)
    assert np.allclose(evaluate(tree(out.result), values), want, atol=1e-5)
    assert "\\mathcal" not in out.result and "\\pi" not in out.result  # the constant is gone
    out = diff_latex(r"\ln\mathcal{N}(\mathbf x; \boldsymbol\mu, \Sigma)", r"\boldsymbol\mu", GAUSS,
                     budget=BUDGET)  # fmt: skip
    assert out.error is None and out.verified, out.error
    want = gradient(lambda m: log_density(x, m, s), mu)
    assert np.allclose(evaluate(tree(out.result), values), want, atol=1e-5)


def test_the_density_itself_by_its_mean() -> None:
    rng = np.random.default_rng(4)
    d = 3
    x, mu, s = rng.standard_normal((d, 1)), rng.standard_normal((d, 1)), spd(rng, d)
    out = diff_latex(r"\mathcal{N}(\mathbf x \mid \boldsymbol\mu, \Sigma)", r"\boldsymbol\mu", GAUSS,
                     budget=BUDGET)  # fmt: skip
    assert out.error is None and out.verified, out.error
    got = evaluate(tree(out.result), {"x": x, "\\mu": mu, "\\Sigma": s})
    want = gradient(lambda m: float(np.exp(log_density(x, m, s))), mu)
    assert np.allclose(got, want, rtol=1e-5, atol=1e-9)


def test_an_em_m_step_summed_over_samples() -> None:
    rng = np.random.default_rng(5)
    n, d = 6, 3
    xs, g = rng.standard_normal((n, d, 1)), rng.random(n)
    mu, s = rng.standard_normal((d, 1)), spd(rng, d)
    out = diff_latex(
        r"\sum_{n=1}^N g_n\log\mathcal{N}(\mathbf x_n \mid \boldsymbol\mu, \Sigma)",
        r"\boldsymbol\mu",
        r"\mathbf x_n, \boldsymbol\mu \in \mathbb{R}^d; \Sigma \in \mathbb{S}^d_{++}; g_n \ge 0",
        budget=BUDGET,
    )
    assert out.error is None and out.verified, out.error
    assert "every member of the family sampled" in out.note
    got = evaluate(tree(out.result), {"family:x": xs, "family:g": g[:, None, None], "\\mu": mu,
                                      "\\Sigma": s, "N": np.array([[n]])})  # fmt: skip
    want = gradient(lambda m: sum(g[i] * log_density(xs[i], m, s) for i in range(n)), mu)
    assert np.allclose(got, want, atol=1e-5)


def test_a_derivative_by_the_inverse_of_a_covariance() -> None:
    rng = np.random.default_rng(6)
    d = 4
    x, mu, s = rng.standard_normal((d, 1)), rng.standard_normal((d, 1)), spd(rng, d)
    row = r"-\frac{1}{2}\log\det\Sigma - \frac{1}{2}(\mathbf x - \boldsymbol\mu)^\top\Sigma^{-1}(\mathbf x - \boldsymbol\mu)"
    out = diff_latex(row, r"\Sigma^{-1}", GAUSS, budget=BUDGET)
    assert out.error is None and out.verified, out.error
    assert out.wrt == r"\Sigma^{-1}"
    assert "mho" not in out.result + out.differential + "".join(out.steps)  # the stand-in

    # f as a function of the precision P = Σ^{-1}, P kept symmetric
    def f(p: Array) -> float:
        p = (p + p.T) / 2
        return float(0.5 * np.linalg.slogdet(p)[1] - 0.5 * ((x - mu).T @ p @ (x - mu))[0, 0])

    want = gradient(f, np.linalg.inv(s))
    got = evaluate(tree(out.result), {"x": x, "\\mu": mu, "\\Sigma": s})
    assert np.allclose(got, want, atol=1e-5)
    assert np.allclose(got, 0.5 * (s - (x - mu) @ (x - mu).T))  # the textbook's


def test_a_derivative_by_an_inverse_in_a_document(tmp_path: Path) -> None:
    doc = tmp_path / "em.md"
    doc.write_text(
        "Data $\\mathbf{x}_1, \\dots, \\mathbf{x}_n \\in \\mathbb{R}^p$, a mean "
        "$\\boldsymbol\\mu \\in \\mathbb{R}^p$ and a covariance $\\Sigma \\in \\mathbb{R}^{p \\times p}$"
        ", symmetric positive definite.\n\n$$\n\\ell = -\\frac{n}{2}\\log\\det\\Sigma - \\frac{1}{2}"
        "\\sum_{i=1}^n (\\mathbf{x}_i - \\boldsymbol\\mu)^\\top\\Sigma^{-1}(\\mathbf{x}_i - "
        "\\boldsymbol\\mu)\n$$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 4, r"\Sigma^{-1}", budget=BUDGET)
    assert out.error is None and out.verified, out.error
    rng = np.random.default_rng(7)
    n, p = 5, 3
    xs, mu, s = rng.standard_normal((n, p, 1)), rng.standard_normal((p, 1)), spd(rng, p)
    got = evaluate(
        tree(out.result), {"family:x": xs, "\\mu": mu, "\\Sigma": s, "n": np.array([[n]])}
    )
    scatter = sum((xs[i] - mu) @ (xs[i] - mu).T for i in range(n))
    assert np.allclose(got, n / 2 * s - scatter / 2)


def test_a_member_of_the_sum_is_refused_not_taken_for_another_vector() -> None:
    # ∂/∂w_k of log Σ_j exp(w_j^T x) - w_k^T x is (softmax_k - 1) x, not -x: the member j = k
    out = diff_latex(
        r"\log\sum_{j=1}^K \exp(\mathbf w_j^\top\mathbf x) - \mathbf w_k^\top\mathbf x",
        r"\mathbf w_k",
        r"\mathbf x, \mathbf w_k \in \mathbb{R}^d",
        budget=BUDGET,
    )
    assert out.error is not None and not out.verified
    assert out.error.startswith(
        "`\\mathbf w_k` is one of the `\\mathbf w_j` summed over (the one for `j = k`)"
    )


ONE_HOT = r"""The one-hot vector of the class is $\mathbf{e}_y \in \mathbb{R}^K$, the input
$\mathbf{x} \in \mathbb{R}^d$ and the tied weights $E \in \mathbb{R}^{h \times d}$.
The logistic function is $\sigma(t) = \frac{1}{1 + e^{-t}}$, applied to each entry.

$$
r(E) = \|\mathbf{x} - E^\top\sigma(E\mathbf{x})\|^2
$$
"""


def test_eulers_e_beside_one_hot_vectors(tmp_path: Path) -> None:
    doc = tmp_path / "ae.md"
    doc.write_text(ONE_HOT, encoding="utf-8")
    out = diff_in_document(doc, 6, "E", budget=BUDGET)
    assert out.error is None and out.verified, out.error
    rng = np.random.default_rng(8)
    h, d = 3, 5
    e_, x = rng.standard_normal((h, d)), rng.standard_normal((d, 1))

    def sig(z: Array) -> Array:
        return 1 / (1 + np.exp(-z))

    def f(m: Array) -> float:
        r = x - m.T @ sig(m @ x)
        return float((r.T @ r)[0, 0])

    values = {"E": e_, "x": x}
    for named in out.where:  # the names the result gives its parts (u_0 = …)
        lhs, _, rhs = named.partition(" = ")
        key = symbol_key(tree(lhs))
        assert key is not None
        values[key[0]] = evaluate(tree(rhs), values)
    got = evaluate(tree(out.result), values)
    assert np.allclose(got, gradient(f, e_), atol=1e-5)


def test_a_transposed_mask_is_its_own_square() -> None:
    out = diff_latex(
        r"\|M \odot (UV^\top - P)\|_F^2",
        "V",
        r"M \in \{0,1\}^{m \times n}; P \in \mathbb{R}^{m \times n}; U \in \mathbb{R}^{m \times k}; V \in \mathbb{R}^{n \times k}",
        budget=BUDGET,
    )
    assert out.error is None and out.verified, out.error
    assert "\\circ 2" not in out.result
    rng = np.random.default_rng(9)
    m, n, k = 5, 4, 2
    mask = (rng.random((m, n)) < 0.5).astype(float)
    u, v, p = rng.standard_normal((m, k)), rng.standard_normal((n, k)), rng.standard_normal((m, n))
    got = evaluate(tree(out.result), {"M": mask, "U": u, "V": v, "P": p})
    want = gradient(lambda w: float(np.sum((mask * (u @ w.T - p)) ** 2)), v)
    assert np.allclose(got, want, atol=1e-5)


def test_listed_matrices_said_symmetric(tmp_path: Path) -> None:
    doc = tmp_path / "lda.tex"
    doc.write_text(
        "Let $\\mathbf{w} \\in \\mathbb{R}^p$ and let the scatter matrices "
        "$S_B, S_W \\in \\mathbb{R}^{p \\times p}$ be symmetric.\n\\[\nJ = \\frac{\\mathbf{w}^\\top "
        "S_B \\mathbf{w}}{\\mathbf{w}^\\top S_W \\mathbf{w}}\n\\]\n"
        "Its precision $\\Lambda \\in \\mathbb{R}^{p \\times p}$, also symmetric positive definite.\n"
        "\\[\nq = \\log\\det\\Lambda\n\\]\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 3, r"\mathbf{w}", budget=BUDGET)
    assert out.error is None and out.verified, out.error
    assert "^\\top" not in out.result.replace("\\mathbf{w}^\\top", "")  # no S_B^T: symmetric
    out = diff_in_document(doc, 7, r"\Lambda", budget=BUDGET)
    assert out.error is None and out.verified, out.error
    assert out.result == r"\Lambda^{-1}"  # not Λ^{-⊤}: said symmetric


def test_a_rational_coefficient_of_a_letter_is_one_fraction() -> None:
    out = diff_latex(
        r"\frac{\lambda}{2}\mathbf x^\top A\mathbf x",
        r"\mathbf x",
        r"\mathbf x \in \mathbb{R}^d; \lambda > 0; A \in \mathbb{R}^{d \times d}",
        budget=BUDGET,
    )
    assert out.error is None and out.verified, out.error
    assert out.result.startswith(r"\frac{\lambda}{2}")
    rng = np.random.default_rng(10)
    a, x = rng.standard_normal((4, 4)), rng.standard_normal((4, 1))
    got = evaluate(tree(out.result), {"\\lambda": np.array([[0.7]]), "A": a, "x": x})
    assert np.allclose(got, 0.35 * (a + a.T) @ x)


SOFTMAX = r"""Let \(\mathbf{x} \in \mathbb{R}^d\), the one-hot \(\mathbf{e}_y \in \mathbb{R}^K\) and
the weights \(W \in \mathbb{R}^{K \times d}\), which stack the \(\mathbf{w}_k^\top\) as rows.

\[
\ell(W) = \log\sum_{k=1}^K \exp(\mathbf{w}_k^\top\mathbf{x}) - \mathbf{e}_y^\top W\mathbf{x}
\]

\[
m(W) = \log\sum_{k=1}^J \exp(\mathbf{w}_k^\top\mathbf{x})
\]
"""


def test_a_sum_over_every_row_of_the_matrix_differentiated(tmp_path: Path) -> None:
    doc = tmp_path / "softmax.md"
    doc.write_text(SOFTMAX, encoding="utf-8")
    out = diff_in_document(doc, 5, "W", budget=BUDGET)
    assert out.error is None and out.verified, out.error
    rng = np.random.default_rng(11)
    k, d = 4, 3
    w, x = rng.standard_normal((k, d)), rng.standard_normal((d, 1))
    e_y = np.eye(k)[:, [2]]

    def f(m: Array) -> float:
        z = m @ x
        return float(np.log(np.sum(np.exp(z))) - (e_y.T @ z)[0, 0])

    got = evaluate(tree(out.result), {"W": w, "x": x, "e_{y}": e_y})
    assert np.allclose(got, gradient(f, w), atol=1e-6)
    # a sum to J, not to W's K rows: not all of W, not read as W (refused in its words)
    out = diff_in_document(doc, 9, "W", budget=BUDGET)
    assert out.error is not None and not out.verified
    assert "row of `W`" in out.error


def test_an_isotropic_density_as_the_textbook_writes_it() -> None:
    rng = np.random.default_rng(12)
    d, k = 5, 2
    x, z, w = rng.standard_normal((d, 1)), rng.standard_normal((k, 1)), rng.standard_normal((d, k))
    s = 0.8
    where = r"\mathbf x \in \mathbb{R}^d; \mathbf z \in \mathbb{R}^k; W \in \mathbb{R}^{d \times k}; \sigma > 0"
    row = r"\log\mathcal{N}(\mathbf x \mid W\mathbf z, \sigma^2 I)"

    def f(m: Array, sigma: float = s) -> float:
        r = x - m @ z
        return float(-d / 2 * np.log(2 * np.pi * sigma**2) - (r.T @ r)[0, 0] / (2 * sigma**2))

    values = {"x": x, "z": z, "W": w, "\\sigma": np.array([[s]]), "d": np.array([[d]])}
    out = diff_latex(row, "W", where, budget=BUDGET)
    assert out.error is None and out.verified, out.error
    assert "I" not in out.result  # (σ²I)^{-1} written as a number
    assert np.allclose(evaluate(tree(out.result), values), gradient(f, w), atol=1e-6)
    out = diff_latex(row, r"\sigma", where, budget=BUDGET)
    assert out.error is None and out.verified, out.error
    want = (f(w, s + 1e-6) - f(w, s - 1e-6)) / 2e-6
    assert np.allclose(evaluate(tree(out.result), values), want, atol=1e-5)


def test_a_number_as_the_covariance_of_a_vector_is_refused() -> None:
    # log N(x | μ, s) of x ∈ ℝ^d would take det(2π s) for det(2π s I): off by d
    out = diff_latex(
        r"\log\mathcal{N}(\mathbf x \mid \boldsymbol\mu, s)",
        "s",
        r"\mathbf x, \boldsymbol\mu \in \mathbb{R}^d; s > 0",
        budget=BUDGET,
    )
    assert out.error is not None and not out.verified
    assert "`s I`" in out.error


def test_by_an_inverse_through_a_definition_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "def.md"
    doc.write_text(
        "Let $\\mathbf{x} \\in \\mathbb{R}^p$, $\\Sigma \\in \\mathbb{R}^{p \\times p}$, symmetric "
        "positive definite, and $\\lambda > 0$. Let $S = \\Sigma + \\lambda I$.\n\n$$\nf = \\log\\det S"
        " - \\mathbf{x}^\\top\\Sigma^{-1}\\mathbf{x}\n$$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 4, r"\Sigma^{-1}", budget=BUDGET)
    assert out.error is not None and not out.verified
    assert "defined through `\\Sigma`" in out.error
