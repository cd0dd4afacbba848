r"""A member a sign mark names apart (``\mathbf z_k^{+}``, the positives beside the embeddings
``\mathbf z_k``): a family of its own in a sum over samples, read, sampled and evaluated
apart from z; each result evaluated as printed against central differences computed here
(N = 5 members, d = 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

N, D = 5, 3
WHERE = (
    r"\mathbf{z}_i \in \mathbb{R}^d; \mathbf{z}_i^{+} \in \mathbb{R}^d; \tau > 0; "
    r"\mathbf{u} \in \mathbb{R}^d"
)


def _value(latex: str, values: dict[str, object]) -> np.ndarray:
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None, latex
    return np.asarray(evaluate(row.tree, values), dtype=float)


def test_a_marked_name_is_a_variable_of_its_own() -> None:
    out = diff_latex(r"\mathbf{u}^\top\mathbf{z}_i^{+}", r"\mathbf{u}", where=WHERE)
    assert out.error is None and out.verified, out.error
    assert out.result == r"\mathbf{z}_i^{+}"


def test_the_positives_summed_over_are_not_the_anchor() -> None:
    r"""InfoNCE over the positives: z_i is a variable, z_k^+ the members summed over; the
    gradient is (Σ_k softmax_k z_k^+ − z_i^+)/τ."""
    latex = (
        r"-\log\frac{\exp(\mathbf{z}_i^\top\mathbf{z}_i^{+}/\tau)}"
        r"{\sum_{k=1}^{N}\exp(\mathbf{z}_i^\top\mathbf{z}_k^{+}/\tau)}"
    )
    out = diff_latex(latex, r"\mathbf{z}_i", where=WHERE)
    assert out.error is None and out.verified, out.error
    assert "every member of the family sampled" in out.note
    assert r"\mathbf{z}_k^{+}" in out.result and r"\sum_{k=1}^{N}" in out.result
    rng = np.random.default_rng(3)
    positives, anchor = rng.standard_normal((N, D, 1)), rng.standard_normal((D, 1))
    own, tau = positives[1], 0.7  # (z_i^+: one of them, given as itself)

    def loss(z: np.ndarray) -> float:
        scores = np.array([(z.T @ p)[0, 0] / tau for p in positives])
        return float(-(z.T @ own)[0, 0] / tau + np.log(np.exp(scores).sum()))

    values = {
        "family:z^{+}": positives,
        "z_{i}": anchor,
        "z_{i}^{+}": own,
        "\\tau": np.array([[tau]]),
        "N": np.array([[float(N)]]),
    }
    got = _value(out.result, values).reshape(D, 1)
    assert np.allclose(got, central_gradient(loss, anchor), atol=1e-5)


def test_a_marked_family_undeclared_is_refused_in_words() -> None:
    out = diff_latex(
        r"\sum_{k=1}^{N}\exp(\mathbf{u}^\top\mathbf{z}_k^{-})",
        r"\mathbf{u}",
        where=r"\mathbf{u} \in \mathbb{R}^d; \mathbf{z}_k \in \mathbb{R}^d",
    )
    assert out.error is not None and not out.verified
    assert "(Power" not in out.error


DOC = r"""\documentclass{article}
\begin{document}
Embeddings $\mathbf{z}_i \in \mathbb{R}^d$ and positives $\mathbf{z}_i^{+} \in \mathbb{R}^d$,
$i = 1, \dots, N$, and $\tau > 0$. The penalty pulls each embedding to every positive:
\[
P = \sum_{k=1}^{N} \|\mathbf{z}_i - \mathbf{z}_k^{+}\|^2
\]
\end{document}
"""


def test_a_sum_over_the_positives_by_the_anchor(tmp_path: Path) -> None:
    r"""Σ_k ‖z_i − z_k^+‖² by z_i: 2Σ_k (z_i − z_k^+), not a sum over z's own members
    (which would also count z_i among the terms)."""
    doc = tmp_path / "p.tex"
    doc.write_text(DOC, encoding="utf-8")
    out = diff_in_document(doc, 6, r"\mathbf{z}_i")
    assert out.error is None and out.verified, out.error
    rng = np.random.default_rng(4)
    positives, anchor = rng.standard_normal((N, D, 1)), rng.standard_normal((D, 1))
    values = {"family:z^{+}": positives, "z_{i}": anchor, "N": np.array([[float(N)]])}
    got = _value(out.result, values).reshape(D, 1)
    want = central_gradient(lambda z: float(sum(np.sum((z - p) ** 2) for p in positives)), anchor)
    assert np.allclose(got, want, atol=1e-5)
