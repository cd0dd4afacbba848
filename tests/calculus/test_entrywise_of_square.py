r"""An entrywise function of a square matrix prints as ``\exp_{\odot}(T)``: ``\exp(T)`` alone
reads as the matrix exponential, so the printed answer must say entry by entry (and read
back so). Checked against central differences with numpy, sizes distinct per dimension."""

from __future__ import annotations

import numpy as np

from tests.calculus.helpers import central_gradient as _gradient
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row


def _value(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None, latex
    return np.asarray(evaluate(row.tree, values))


def test_a_crf_log_partition_by_its_square_transition_matrix() -> None:
    out = diff_latex(
        r"\log\sum_{i=1}^{K}\sum_{j=1}^{K} \exp(u_i + T_{ij})",
        "T",
        where=r"u \in \mathbb{R}^K; T \in \mathbb{R}^{K \times K}",
    )
    assert out.error is None and out.verified, (out.error, out.note)
    assert r"\exp_{\odot}(u \mathbf{1}^\top + T)" in out.result
    rng = np.random.default_rng(5)
    u, t = rng.standard_normal((4, 1)), rng.standard_normal((4, 4))
    e = np.exp(u @ np.ones((1, 4)) + t)  # entrywise
    text = out.result.replace(r"\exp_{\odot}(u \mathbf{1}^\top + T)", "E")
    got = _value(text, {"E": e, r"\mathbf{1}": np.ones((4, 1))})
    want = _gradient(lambda x: float(np.log(np.exp(u + x).sum())), t)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)


def test_the_marked_function_reads_entry_by_entry_and_the_plain_one_whole() -> None:
    where = r"A \in \mathbb{R}^{n \times n}; X \in \mathbb{R}^{n \times n}"
    marked = diff_latex(r"\operatorname{tr}(A^\top \exp_{\odot}(X))", "X", where=where)
    assert marked.error is None and marked.verified, (marked.error, marked.note)
    assert marked.result == r"A \odot \exp_{\odot}(X)"
    rng = np.random.default_rng(6)
    a, x = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    want = _gradient(lambda y: float(np.sum(a * np.exp(y))), x)
    np.testing.assert_allclose(a * np.exp(x), want, rtol=1e-5, atol=1e-8)
    whole = diff_latex(r"\operatorname{tr}(A^\top \exp(X))", "X", where=where)
    assert whole.verified and r"\exp_{\odot}" not in whole.result  # the matrix exponential's
