r"""Equations as papers, homework sheets, wikis and documentation sites write them (issue 14,
held-out style): a property stated before the matrices are declared, the noisy sample
``\mathbf{x}_t`` of a declared clean ``\mathbf{x}_0``, a layer's output ``H^{(l+1)}`` defined
by the layer, softmax with a temperature, ``\mathbf{1}`` beside a matrix, weights ``w_i > 0``
and responsibilities ``r_{ik} \ge 0`` that a comparison makes numbers, one-hot labels named
by a macro — each result checked against central differences, a different size for every
dimension."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus import expr as e
from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.simplify import simplify
from texgrad.calculus.sympy_dims import ONE
from texgrad.reading.project import load_project, normalize
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

RNG = np.random.default_rng(14)


def value(latex: str, values: dict[str, object]) -> np.ndarray:
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None, latex
    return np.asarray(evaluate(row.tree, values), dtype=float)


def write(tmp_path: Path, name: str, text: str) -> Path:
    doc = tmp_path / name
    doc.write_text(text, encoding="utf-8")
    return doc


def line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def softmax(z: np.ndarray) -> np.ndarray:
    u = np.exp(z - z.max())
    return u / u.sum()


# -- symmetry stated before the declarations ----------------------------------------------

SYMMETRIC_FIRST = r"""# Traces

Let $P$ and $Q$ be symmetric positive definite, $P \in \mathbb{R}^{m \times m}$ and
$Q \in \mathbb{R}^{n \times n}$. For $X \in \mathbb{R}^{m \times n}$,

$$
g = \operatorname{tr}(X^\top P X Q)
$$
"""


def spd(n: int) -> np.ndarray:
    a = RNG.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


def test_symmetry_stated_before_the_declarations_is_kept(tmp_path: Path) -> None:
    doc = write(tmp_path, "traces.md", SYMMETRIC_FIRST)
    out = diff_in_document(doc, line_of(SYMMETRIC_FIRST, "g = "), "X")
    assert out.error is None and out.verified, out.error
    assert "^\\top" not in out.result  # 2PXQ: Pᵀ = P and Qᵀ = Q used
    m, n = 4, 3
    p, q, x = spd(m), spd(n), RNG.standard_normal((m, n))
    got = value(out.result, {"P": p, "Q": q, "X": x})
    want = central_gradient(lambda y: float(np.trace(y.T @ p @ y @ q)), x)
    assert np.allclose(got, want, atol=1e-5)


def test_a_supposition_before_the_declarations_stays_one() -> None:
    out = diff_latex(r"\operatorname{tr}(X^\top P X Q)", "X",
                     r"X \in \mathbb{R}^{m \times n}; P \in \mathbb{R}^{m \times m}; "
                     r"Q \in \mathbb{R}^{n \times n}")  # fmt: skip
    assert out.error is None and out.verified
    m, n = 4, 3
    p, q, x = (RNG.standard_normal(s) for s in ((m, m), (n, n), (m, n)))
    got = value(out.result, {"P": p, "Q": q, "X": x})  # nothing said: P, Q general
    want = central_gradient(lambda y: float(np.trace(y.T @ p @ y @ q)), x)
    assert np.allclose(got, want, atol=1e-5)


# -- the noisy sample of a declared clean one ---------------------------------------------

DENOISER = r"""\section{A linear denoiser}
A clean sample $\mathbf{x}_0 \in \mathbb{R}^{d}$ and noise $\boldsymbol{\epsilon} \in \mathbb{R}^{d}$
give the noisy sample $\mathbf{x}_t$. The denoiser has $W \in \mathbb{R}^{d \times d}$ and
$\mathbf{b} \in \mathbb{R}^{d}$, and is trained on
\begin{equation}
  \ell = \|\boldsymbol{\epsilon} - W\mathbf{x}_t - \mathbf{b}\|^2
\end{equation}
"""


def test_the_noisy_sample_is_a_member_like_the_clean_one(tmp_path: Path) -> None:
    doc = write(tmp_path, "denoiser.tex", DENOISER)
    out = diff_in_document(doc, line_of(DENOISER, r"\ell = "), "W")
    assert out.error is None and out.verified, out.error
    d = 4
    eps, xt, b, w = (RNG.standard_normal(s) for s in ((d, 1), (d, 1), (d, 1), (d, d)))
    got = value(out.result, {"\\epsilon": eps, "x_{t}": xt, "b": b, "W": w})
    want = central_gradient(lambda v: float(np.sum((eps - v @ xt - b) ** 2)), w)
    assert np.allclose(got, want, atol=1e-5)


# -- a layer's output defined by the layer ------------------------------------------------

GRAPH = r"""\section{A graph layer}
The normalised adjacency is $\hat{A} \in \mathbb{R}^{n \times n}$, the features
$H^{(l)} \in \mathbb{R}^{n \times d_l}$, the weights $W^{(l)} \in \mathbb{R}^{d_l \times d_{l+1}}$
and the targets $Y \in \mathbb{R}^{n \times d_{l+1}}$, with
\begin{equation}
  H^{(l+1)} = \tanh(\hat{A} H^{(l)} W^{(l)}).
\end{equation}
The loss is
\begin{equation}
  \mathcal{L} = \frac{1}{2}\|H^{(l+1)} - Y\|_F^2
\end{equation}
"""


def test_a_member_defined_with_a_signed_label_is_read_through_its_definition(
    tmp_path: Path,
) -> None:
    doc = write(tmp_path, "graph.tex", GRAPH)
    out = diff_in_document(doc, line_of(GRAPH, r"\mathcal{L} = "), "W^{(l)}")
    assert out.error is None and out.verified, out.error
    assert "H^{(l+1)}" in out.result  # the layer's output keeps its name
    n, d0, d1 = 6, 4, 3
    a, h, w, y = (RNG.standard_normal(s) for s in ((n, n), (n, d0), (d0, d1), (n, d1)))

    def loss(v: np.ndarray) -> float:
        return float(0.5 * np.sum((np.tanh(a @ h @ v) - y) ** 2))

    # H^{(l+1)} evaluated as the document defines it, then the result
    result = out.result.replace("H^{(l+1)}", "(\\tanh(\\hat{A} H^{(l)} W^{(l)}))")
    got = value(result, {"\\hat{A}": a, "H^{(l)}": h, "W^{(l)}": w, "Y": y})
    assert np.allclose(got, central_gradient(loss, w), atol=1e-5)


def test_a_vector_of_ones_beside_a_matrix_is_the_matrix_of_ones() -> None:
    where = r"H, A \in \mathbb{R}^{n \times d}"
    out = diff_latex(r"\operatorname{tr}(A^\top(H \odot (\mathbf{1} - H)))", "H", where)
    assert out.error is None and out.verified, out.error
    n, d = 5, 3
    a, h = RNG.standard_normal((n, d)), RNG.standard_normal((n, d))
    got = value(out.result, {"A": a, "H": h})
    want = central_gradient(lambda v: float(np.trace(a.T @ (v * (1 - v)))), h)
    assert np.allclose(got, want, atol=1e-5)


def test_ones_times_a_row_beside_a_matrix_stays_a_product() -> None:
    where = r"X, A \in \mathbb{R}^{n \times d}; \mathbf{m} \in \mathbb{R}^d"
    expr = r"\operatorname{tr}(A^\top(X - \mathbf{1}\mathbf{m}^\top))"
    out = diff_latex(expr, r"\mathbf{m}", where)
    assert out.error is None and out.verified, out.error
    n, d = 5, 3
    a, x, m = RNG.standard_normal((n, d)), RNG.standard_normal((n, d)), RNG.standard_normal((d, 1))
    got = value(out.result, {"A": a, "X": x, "m": m})
    want = central_gradient(lambda v: float(np.trace(a.T @ (x - np.ones((n, 1)) @ v.T))), m)
    assert np.allclose(got, want, atol=1e-5)


# -- softmax with a temperature -----------------------------------------------------------

TEMPERATURE = r"""\newcommand{\vz}{\mathbf{z}}
\newcommand{\vy}{\mathbf{y}}
The logits are $\vz \in \mathbb{R}^{K}$, the label $\vy \in \{0, 1\}^{K}$ is one-hot, and the
temperature is $\tau > 0$. The loss is
\begin{equation}
  \mathcal{L}_\tau = -\vy^\top\log\operatorname{softmax}(\vz / \tau)
\end{equation}
"""


def test_a_tempered_cross_entropy_is_softmax_less_the_label_over_tau(tmp_path: Path) -> None:
    doc = write(tmp_path, "distil.tex", TEMPERATURE)
    out = diff_in_document(doc, line_of(TEMPERATURE, r"\mathcal{L}_\tau"), r"\vz")
    assert out.error is None and out.verified, out.error
    assert "oslash" not in out.result and "\\mathbf{1}" not in out.result  # 1ᵀy = 1 used
    k, tau = 5, 1.7
    z, y = RNG.standard_normal((k, 1)), np.eye(k)[:, [2]]
    assert "\\vz" in out.result  # in the document's macros
    written = out.result.replace("\\vz", "\\mathbf{z}").replace("\\vy", "\\mathbf{y}")
    got = value(written, {"z": z, "y": y, "\\tau": tau})
    want = central_gradient(lambda v: float((-y.T @ np.log(softmax(v / tau)))[0, 0]), z)
    assert np.allclose(got, want, atol=1e-5)


def test_a_tempered_cross_entropy_of_any_target_keeps_its_sum() -> None:
    out = diff_latex(r"-\mathbf{y}^\top\log\operatorname{softmax}(\mathbf{z} / \tau)", r"\mathbf{z}",
                     r"\mathbf{z}, \mathbf{y} \in \mathbb{R}^K; \tau \in \mathbb{R}")  # fmt: skip
    assert out.error is None and out.verified, out.error
    k, tau = 4, 0.6
    z, y = RNG.standard_normal((k, 1)), RNG.random((k, 1))  # no distribution: 1ᵀy ≠ 1
    got = value(out.result, {"z": z, "y": y, "\\tau": tau})
    want = central_gradient(lambda v: float((-y.T @ np.log(softmax(v / tau)))[0, 0]), z)
    assert np.allclose(got, want, atol=1e-5)


def test_a_row_divided_by_the_column_it_meets_is_a_sum() -> None:
    k = sympy_k = __import__("sympy").Symbol("k")
    y, z = e.var("y", e.Shape(k, ONE)), e.var("z", e.Shape(sympy_k, ONE))
    s = e.softmax(z)
    for x in (e.mul(e.transpose(e.had(y, e.hpow(s, -1))), s),
              e.mul(e.transpose(s), e.had(y, e.hpow(s, -1)))):  # fmt: skip
        met = simplify(e.mul(x, s))  # (y ⊘ s)ᵀ s s = (1ᵀy) s
        assert not any(isinstance(n, e.HPow) for n in met.walk())
        yv, zv = RNG.random((6, 1)), RNG.standard_normal((6, 1))
        sv = softmax(zv)
        from texgrad.calculus.evaluate_expr import evaluate as evaluate_expr

        got = np.asarray(evaluate_expr(met, {"y": yv, "z": zv}, {"k": 6}), dtype=float)
        assert np.allclose(got, yv.sum() * sv)


# -- numbers made so by a comparison ------------------------------------------------------

WEIGHTED = r"""\begin{enumerate}
\item Let $\mathbf{w} \in \mathbb{R}^{d}$ be the weights of a classifier.
\item \textbf{Weighted least squares.} With weights $w_i > 0$, samples
  $\mathbf{x}_i \in \mathbb{R}^{p}$, responses $y_i$ and $\boldsymbol{\beta} \in \mathbb{R}^{p}$,
  \[
    S = \sum_{i=1}^{n} w_i (y_i - \mathbf{x}_i^\top\boldsymbol{\beta})^2
  \]
\end{enumerate}
"""


def test_weights_compared_with_zero_are_numbers(tmp_path: Path) -> None:
    doc = write(tmp_path, "wls.tex", WEIGHTED)
    out = diff_in_document(doc, line_of(WEIGHTED, "S = "), r"\boldsymbol{\beta}")
    assert out.error is None and out.verified, out.error
    n, p = 7, 3
    x, y = RNG.standard_normal((n, p)), RNG.standard_normal((n, 1))
    w, beta = RNG.random((n, 1)) + 0.1, RNG.standard_normal((p, 1))
    values = {"family:x": x[:, :, None], "family:y": y[:, :, None], "family:w": w[:, :, None],
              "\\beta": beta, "n": float(n)}  # fmt: skip
    got = value(out.result, values)
    want = central_gradient(lambda b: float(np.sum(w * (y - x @ b) ** 2)), beta)
    assert np.allclose(got, want, atol=1e-5)


MIXTURE = r"""# EM

Points $\mathbf{x}_i \in \mathbb{R}^{d}$, a mean $\boldsymbol{\mu}_k \in \mathbb{R}^{d}$ and a
covariance $\Sigma_k \in \mathbb{R}^{d \times d}$, symmetric positive definite; the
responsibilities $r_{ik} \ge 0$ are fixed.

$$
Q_k = -\frac{1}{2}\sum_{i=1}^{N} r_{ik}(\mathbf{x}_i - \boldsymbol{\mu}_k)^\top\Sigma_k^{-1}(\mathbf{x}_i - \boldsymbol{\mu}_k)
$$

Later, one component's responsibilities as a vector $\mathbf{r} \in \mathbb{R}^{N}$.
"""


def test_responsibilities_compared_with_zero_are_numbers_beside_a_vector_r(
    tmp_path: Path,
) -> None:
    doc = write(tmp_path, "em.md", MIXTURE)
    out = diff_in_document(doc, line_of(MIXTURE, "Q_k = "), r"\boldsymbol{\mu}_k")
    assert out.error is None and out.verified, out.error
    n, d = 6, 3
    x, r = RNG.standard_normal((n, d)), RNG.random((n, 1))
    s, mu = spd(d), RNG.standard_normal((d, 1))
    si = np.linalg.inv(s)

    def q(m: np.ndarray) -> float:
        c = x - m.T
        return float(-0.5 * np.sum(r[:, 0] * np.einsum("ij,jk,ik->i", c, si, c)))

    result = out.result.replace("r_{ik}", "r_i")  # the component k is fixed: r_i its column
    values = {"family:x": x[:, :, None], "family:r": r[:, :, None], "\\Sigma_{k}": s,
              "\\mu_{k}": mu, "N": float(n)}  # fmt: skip
    got = value(result, values)
    assert np.allclose(got, central_gradient(q, mu), atol=1e-5)


# -- what the known gaps left -------------------------------------------------------------

RATINGS = r"""# Recommender

Users have factors $\mathbf{u}_i \in \mathbb{R}^{k}$ and items $\mathbf{v}_j \in \mathbb{R}^{k}$;
the observed ratings $r_{ij}$ are indexed by the set $\Omega$, and $\lambda > 0$.

$$
L = \sum_{(i,j)\in\Omega} (r_{ij} - \mathbf{u}_i^\top\mathbf{v}_j)^2 + \lambda\sum_i \|\mathbf{u}_i\|^2
$$
"""


def test_a_sum_over_a_set_beside_a_sum_over_samples_is_refused_in_words(tmp_path: Path) -> None:
    doc = write(tmp_path, "ratings.md", RATINGS)
    out = diff_in_document(doc, line_of(RATINGS, "L = "), r"\mathbf{u}_i")  # no internal error
    assert out.error is not None and "`\\Omega`" in out.error and "mask" in out.error


def test_a_dimension_is_printed_as_documents_write_it() -> None:
    where = r"Q, K \in \mathbb{R}^{n \times d_k}"
    out = diff_latex(r"\operatorname{tr}\left(\frac{Q K^\top}{\sqrt{d_k}}\right)", "Q", where)
    assert out.error is None and out.verified, out.error
    assert "\\sqrt{d_k}" in out.result and "d_{k}" not in out.result
    n, dk = 5, 3
    k = RNG.standard_normal((n, dk))
    got = value(out.result, {"K": k, "d_{k}": float(dk), "n": float(n)})
    assert np.allclose(got, k / np.sqrt(dk))


def test_a_matrix_form_spells_a_vector_as_the_project_s_macro() -> None:
    folder = Path(__file__).resolve().parents[1] / "derivations" / "tex-glm-course"
    key = normalize(str(folder / "chapters" / "classification.tex"))
    project = load_project(key, folder=folder)  # main.tex declares \vy, and \input's this
    out = diff_in_document(key, 5, r"\vw", project=project, folder=folder)
    assert out.error is None and out.verified, out.error
    assert out.matrix_form is not None and "\\vy" in out.matrix_form  # as main.tex declares it
    assert "\\mathbf{y}" not in out.matrix_form


# -- a function named by its parameters, and the log of a quotient over samples -----------

DENOISER_CALLED = r"""# DDPM, linear

Noise $\boldsymbol{\epsilon} \in \mathbb{R}^{d}$, a noisy sample $\mathbf{x}_t \in \mathbb{R}^{d}$ and
the linear denoiser $\boldsymbol{\epsilon}_\theta(\mathbf{x}) = W\mathbf{x} + \mathbf{b}$, with
$W \in \mathbb{R}^{d \times d}$ and $\mathbf{b} \in \mathbb{R}^{d}$:

$$
\mathcal{L} = \|\boldsymbol{\epsilon} - \boldsymbol{\epsilon}_\theta(\mathbf{x}_t)\|^2
$$
"""


def test_a_function_named_with_its_parameters_letter_is_called(tmp_path: Path) -> None:
    doc = write(tmp_path, "ddpm.md", DENOISER_CALLED)
    out = diff_in_document(doc, line_of(DENOISER_CALLED, r"\mathcal{L} = "), "W")
    assert out.error is None and out.verified, out.error
    d = 4
    eps, xt, b, w = (RNG.standard_normal(s) for s in ((d, 1), (d, 1), (d, 1), (d, d)))
    result = out.result.replace(
        "\\boldsymbol{\\epsilon}_\\theta(\\mathbf{x}_t)", "(W\\mathbf{x}_t + \\mathbf{b})"
    )
    got = value(result, {"\\epsilon": eps, "x_{t}": xt, "b": b, "W": w})
    want = central_gradient(lambda v: float(np.sum((eps - v @ xt - b) ** 2)), w)
    assert np.allclose(got, want, atol=1e-5)


INFONCE = r"""# InfoNCE

An anchor $\mathbf{u} \in \mathbb{R}^{k}$, keys $\mathbf{v}_j \in \mathbb{R}^{k}$, $j = 0, \dots, M$
($\mathbf{v}_0$ the positive), and a temperature $\tau > 0$:

$$
\ell = -\log\frac{\exp(\mathbf{u}^\top\mathbf{v}_0/\tau)}{\sum_{j=0}^{M}\exp(\mathbf{u}^\top\mathbf{v}_j/\tau)}
$$
"""


def test_the_log_of_a_quotient_over_a_sum_of_samples_is_two_terms(tmp_path: Path) -> None:
    doc = write(tmp_path, "nce.md", INFONCE)
    out = diff_in_document(doc, line_of(INFONCE, r"\ell = "), r"\mathbf{u}")
    assert out.error is None and out.verified, out.error
    k, m, tau = 3, 5, 0.7
    keys, u = RNG.standard_normal((m + 1, k)), RNG.standard_normal((k, 1))

    def loss(a: np.ndarray) -> float:
        s = keys @ a[:, 0] / tau
        return float(-s[0] + np.log(np.sum(np.exp(s))))

    values = {"family:v": keys[:, :, None], "family-first:v": np.array([[0.0]]), "v_{0}": keys[[0]].T,
              "u": u, "\\tau": tau, "M": float(m)}  # fmt: skip
    got = value(out.result, values)
    assert np.allclose(got, central_gradient(loss, u), atol=1e-5)


WEIGHTS_ON_THE_DIAGONAL = r"""# WLS

With $X \in \mathbb{R}^{n \times p}$, $\mathbf{y} \in \mathbb{R}^{n}$, $\boldsymbol{\beta} \in \mathbb{R}^{p}$
and $W = \operatorname{diag}(w_1, \dots, w_n)$:

$$
S = (\mathbf{y} - X\boldsymbol{\beta})^\top W (\mathbf{y} - X\boldsymbol{\beta})
$$
"""


def test_a_diagonal_of_listed_entries_is_the_diagonal_of_their_vector(tmp_path: Path) -> None:
    doc = write(tmp_path, "wls.md", WEIGHTS_ON_THE_DIAGONAL)
    out = diff_in_document(doc, line_of(WEIGHTS_ON_THE_DIAGONAL, "S = "), r"\boldsymbol{\beta}")
    assert out.error is None and out.verified, out.error
    n, p = 6, 3
    x, y, beta = (
        RNG.standard_normal((n, p)),
        RNG.standard_normal((n, 1)),
        RNG.standard_normal((p, 1)),
    )
    w = np.diag(RNG.random(n) + 0.1)
    got = value(out.result, {"X": x, "y": y, "\\beta": beta, "W": w})
    want = central_gradient(lambda b: float(((y - x @ b).T @ w @ (y - x @ b))[0, 0]), beta)
    assert np.allclose(got, want, atol=1e-5)
