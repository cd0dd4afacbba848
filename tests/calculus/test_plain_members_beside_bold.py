r"""A member in a plain letter (``y_i``, ``r_t``) of a sum whose bound is not the length of the
same letter declared bold elsewhere (``\mathbf{y} \in \mathbb{R}^K``: a class target; the
expected rewards ``\mathbf{r} \in \mathbb{R}^n`` beside the rewards ``r_t`` of a trajectory)
is a number, as a bold vector's plain letter is — not a member of the bold vector's size
(``(y_i - \mathbf{x}_i^\top\mathbf{w})^2`` was refused as "raises a K array to a power").
Each result evaluated against central differences, with distinct sizes N, p, K."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from tests.calculus.test_samples import tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate

N, P, K = 6, 3, 4
RNG = np.random.default_rng(25)
X, Y, W = RNG.standard_normal((N, P)), RNG.standard_normal((N, 1)), RNG.standard_normal((P, 1))

REGRESSION = r"""Samples $\mathbf{x}_i \in \mathbb{R}^{p}$, $i = 1, \dots, N$, responses $y_i$,
coefficients $\mathbf{w} \in \mathbb{R}^{p}$.

$$ L(\mathbf{w}) = \sum_{i=1}^{N} \log\left(1 + (y_i - \mathbf{x}_i^\top\mathbf{w})^2\right) $$

For classification a target $\mathbf{y} \in \mathbb{R}^{K}$ is one-hot.
"""


def test_a_plain_response_beside_a_bold_target_of_another_length_is_a_number(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text(REGRESSION, encoding="utf-8")
    out = diff_in_document(doc, 4, r"\mathbf{w}", budget=30.0)
    assert out.error is None and out.verified and out.kind == "gradient", out.error
    assert out.result is not None and "y_i" in out.result

    def loss(w: np.ndarray) -> float:
        return float(np.sum(np.log1p((Y - X @ w) ** 2)))

    values = {"family:x": X, "family:y": Y, "w": W, "N": N, "y": RNG.standard_normal((K, 1))}
    got = evaluate(tree(out.result), values)
    assert np.allclose(got, central_gradient(loss, W), rtol=1e-5)


def test_a_macro_spelled_bold_vector_is_not_read_so(tmp_path: Path) -> None:
    r"""``\vy`` hides the font of the declaration: the plain y_i stays a member of its size
    (refused, as before), never silently another reading."""
    text = "\\newcommand{\\vy}{\\mathbf{y}}\n" + REGRESSION.replace(r"\mathbf{y}", r"\vy")
    doc = tmp_path / "notes.tex"
    doc.write_text(text.replace("$$", "\\[", 1).replace("$$", "\\]", 1), encoding="utf-8")
    out = diff_in_document(doc, 5, r"\mathbf{w}", budget=30.0)
    assert out.error is not None and not out.verified
