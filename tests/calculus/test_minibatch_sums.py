r"""A sum over the members of an index set (a minibatch ``\sum_{i \in \mathcal B}``), by a
variable that no member is: the sum of the summands' derivatives over the same set, written
back over it, with no matrix form (the design matrix stacks every sample, not the batch's);
its size ``B`` or ``|\mathcal B|`` before the sum a positive number.  Checked against central
differences of the loss over a batch of distinct samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

SETUP = (
    "We have $N$ samples $\\mathbf{x}_i \\in \\mathbb{R}^{d}$ with labels $y_i \\in \\{-1, 1\\}$; the design "
    "matrix $X \\in \\mathbb{R}^{N \\times d}$ stacks the $\\mathbf{x}_i^\\top$ as rows. The "
    "weights are $\\mathbf{w} \\in \\mathbb{R}^{d}$, and a minibatch $\\mathcal{B}$ holds "
    "$B$ indices.\n"
)


def _loss(w: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> float:
    return float(np.mean(np.log1p(np.exp(-ys * (xs @ w)))))


def _write(tmp_path: Path, row: str) -> Path:
    doc = tmp_path / "batch.md"
    doc.write_text(SETUP + "$$" + row + "$$\n", encoding="utf-8")
    return doc


def test_a_minibatch_sum_by_the_weights(tmp_path: Path) -> None:
    row = r"L = \frac{1}{|\mathcal{B}|}\sum_{i \in \mathcal{B}} \log(1 + \exp(-y_i\mathbf{w}^\top\mathbf{x}_i))"
    out = diff_in_document(_write(tmp_path, row), 2, r"\mathbf{w}")
    assert out.error is None and out.verified, out.error
    assert r"\sum_{i \in \mathcal{B}}" in out.result and out.matrix_form == ""
    assert "as many members as the set has" in out.note
    # the result, read as a sum over the batch's members, against central differences
    printed = out.result.replace(r"\sum_{i \in \mathcal{B}}", r"\sum_{i=1}^{m}")
    node = parse_row(MappedText.identity(printed)).tree
    assert node is not None
    rng = np.random.default_rng(4)
    m, d, h = 5, 3, 1e-6
    xs, ys, w = rng.standard_normal((m, d)), rng.choice([-1.0, 1.0], m), rng.standard_normal(d)
    values = {
        "family:x": xs, "family:y": ys.reshape(m, 1), "w": w.reshape(d, 1), "m": m,
        "\\mathcal{B}": float(m), "B": float(m),
    }  # fmt: skip
    got = np.asarray(evaluate(node, values, {}), dtype=float).ravel()
    fd = [(_loss(w + h * u, xs, ys) - _loss(w - h * u, xs, ys)) / (2 * h) for u in np.eye(d)]
    assert np.allclose(got, fd, atol=1e-6)


def test_by_a_member_of_the_batch_it_is_not_read_over_the_set(tmp_path: Path) -> None:
    row = r"L = \frac{1}{B}\sum_{i \in \mathcal{B}} (\mathbf{w}^\top\mathbf{x}_i - y_i)^2"
    out = diff_in_document(_write(tmp_path, row), 2, r"\mathbf{x}_i")
    assert not (out.verified and r"\in \mathcal{B}" in out.result), out.result
