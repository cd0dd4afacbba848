r"""Functions of a sum over samples whose summand is a vector, or that involve the variable
outside the sum (:mod:`texgrad.calculus.vector_sums`): the chain rule through the sum as a
whole, written with the sum named, each result evaluated as printed against central
differences computed here (N = 4 samples, d = 3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

N, D = 4, 3
WHERE = r"\mathbf{x}_i \in \mathbb{R}^d; \mathbf{w} \in \mathbb{R}^d; y_i \in \mathbb{R}"


def _value(latex: str, values: dict[str, object]) -> np.ndarray:
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None, latex
    return np.asarray(evaluate(row.tree, values), dtype=float)


def _printed(out: object, values: dict[str, object]) -> np.ndarray:
    """The result with its where-name evaluated first (``\\mathbf{s} = \\sum_i …``)."""
    values = dict(values)
    for named in getattr(out, "where", []):
        name, body = named.split(" = ", 1)
        key = "s" if "mathbf{s}" in name else name
        values[key] = _value(body, values)
    return _value(getattr(out, "result", ""), values).reshape(D, 1)


LOSSES: list[tuple[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]]] = [
    (  # ‖Σᵢ yᵢxᵢ − w‖²: the variable outside the sum
        r"\|\sum_{i=1}^N y_i\mathbf{x}_i - \mathbf{w}\|^2",
        lambda x, y, w: float(np.sum((x.T @ y - w) ** 2)),
    ),
    (  # ‖Σᵢ (wᵀxᵢ)xᵢ‖² = ‖XᵀXw‖²: a vector summand involving it
        r"\|\sum_{i=1}^N (\mathbf{w}^\top\mathbf{x}_i)\mathbf{x}_i\|^2",
        lambda x, y, w: float(np.sum((x.T @ x @ w) ** 2)),
    ),
    (  # both
        r"\frac{1}{2}\left\|\sum_{i=1}^N (\mathbf{w}^\top\mathbf{x}_i - y_i)\mathbf{x}_i - \mathbf{w}\right\|^2",
        lambda x, y, w: float(np.sum((x.T @ (x @ w - y) - w) ** 2) / 2),
    ),
]


@pytest.mark.parametrize(("latex", "loss"), LOSSES)
def test_the_gradient_through_a_vector_sum(
    latex: str, loss: Callable[[np.ndarray, np.ndarray, np.ndarray], float]
) -> None:
    out = diff_latex(latex, r"\mathbf{w}", where=WHERE)
    assert out.error is None and out.verified, out.error
    assert out.kind == "gradient" and out.shape == "ℝ^{d}"
    assert "every member of the family sampled" in out.note
    rng = np.random.default_rng(2)
    x, y, w = rng.standard_normal((N, D)), rng.standard_normal((N, 1)), rng.standard_normal((D, 1))
    values = {"family:x": x, "family:y": y, "w": w, "N": N}
    got = _printed(out, values)
    assert np.allclose(got, central_gradient(lambda v: loss(x, y, v), w), atol=1e-5)


STACKED = r"""# Moments

Let $X \in \mathbb{R}^{N \times d}$ stack the $\mathbf{x}_i^\top$ as rows, and let
$\mathbf{w} \in \mathbb{R}^d$ be a probe. The distance of the probe to the sample mean is

$$D(\mathbf{w}) = \frac{1}{2}\left\|\frac{1}{N}\sum_{i=1}^N \mathbf{x}_i - \mathbf{w}\right\|^2$$
"""


def test_a_family_sized_by_its_stacked_matrix(tmp_path: Path) -> None:
    doc = tmp_path / "moments.md"
    doc.write_text(STACKED, encoding="utf-8")
    out = diff_in_document(doc, 6, r"\mathbf{w}")
    assert out.error is None and out.verified, out.error
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((N, D)), rng.standard_normal((D, 1))
    got = _printed(out, {"family:x": x, "w": w, "N": N})
    assert np.allclose(got, w - x.mean(axis=0).reshape(D, 1))


SCALAR_LOSSES: list[tuple[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]]] = [
    (  # log(e^{wᵀv} + Σᵢ e^{wᵀxᵢ}) − wᵀv: InfoNCE with the positive in the denominator
        r"\log\left(e^{\mathbf{w}^\top\mathbf{v}} + \sum_{i=1}^N e^{\mathbf{w}^\top\mathbf{x}_i}\right) - \mathbf{w}^\top\mathbf{v}",
        lambda x, v, w: float(
            np.log(np.exp(w.T @ v)[0, 0] + np.exp(x @ w).sum()) - (w.T @ v)[0, 0]
        ),
    ),
    (  # a power of the variable times the sum, and the variable beside it
        r"\frac{\sum_{i=1}^N (\mathbf{w}^\top\mathbf{x}_i)^2}{1 + \mathbf{w}^\top\mathbf{w}}",
        lambda x, v, w: float(np.sum((x @ w) ** 2) / (1 + (w.T @ w)[0, 0])),
    ),
    (  # a log whose argument subtracts a term from the sum
        r"\log\left(\sum_{i=1}^N e^{\mathbf{w}^\top\mathbf{x}_i} - \frac{1}{2}e^{\mathbf{w}^\top\mathbf{v}}\right)",
        lambda x, v, w: float(np.log(np.exp(x @ w).sum() - 0.5 * np.exp(w.T @ v)[0, 0])),
    ),
]


@pytest.mark.parametrize(("latex", "loss"), SCALAR_LOSSES)
def test_a_function_of_a_sum_of_scalars_and_the_variable(
    latex: str, loss: Callable[[np.ndarray, np.ndarray, np.ndarray], float]
) -> None:
    where = (
        r"\mathbf{x}_i \in \mathbb{R}^d; \mathbf{w} \in \mathbb{R}^d; \mathbf{v} \in \mathbb{R}^d"
    )
    out = diff_latex(latex, r"\mathbf{w}", where=where)
    assert out.error is None and out.verified, out.error
    assert out.kind == "gradient" and out.shape == "ℝ^{d}"
    assert "every member of the family sampled" in out.note
    assert "Psi" not in out.result and "Phi" not in out.result  # the sum written in
    rng = np.random.default_rng(5)
    x, v = 0.3 * rng.standard_normal((N, D)), 0.3 * rng.standard_normal((D, 1))
    w = 0.3 * rng.standard_normal((D, 1))
    values = {"family:x": x, "v": v, "w": w, "N": N}
    got = _value(out.result, values).reshape(D, 1)
    assert np.allclose(got, central_gradient(lambda u: loss(x, v, u), w), atol=1e-5)


def test_the_log_of_a_term_plus_a_sum_is_one_fraction() -> None:
    r"""The textbook's form: ∇ of log(a + Σᵢ bᵢ) as (∇a + Σᵢ ∇bᵢ) over the log's argument,
    the document's own, not the sum named twice."""
    latex = SCALAR_LOSSES[0][0]
    where = (
        r"\mathbf{x}_i \in \mathbb{R}^d; \mathbf{w} \in \mathbb{R}^d; \mathbf{v} \in \mathbb{R}^d"
    )
    out = diff_latex(latex, r"\mathbf{w}", where=where)
    assert out.error is None, out.error
    assert out.result.startswith("\\frac{") and out.result.endswith("- \\mathbf{v}")
    assert out.result.count("\\sum") == 2


def test_a_wrong_derivative_through_a_sum_of_scalars_is_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from texgrad.calculus import vector_sums

    monkeypatch.setattr(vector_sums, "_log_of_terms", lambda *a, **k: "2\\mathbf{w}")
    where = (
        r"\mathbf{x}_i \in \mathbb{R}^d; \mathbf{w} \in \mathbb{R}^d; \mathbf{v} \in \mathbb{R}^d"
    )
    out = diff_latex(SCALAR_LOSSES[0][0], r"\mathbf{w}", where=where)
    assert out.error is not None and not out.verified
