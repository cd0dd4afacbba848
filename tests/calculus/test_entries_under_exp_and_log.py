r"""Entries under an exponential and the log of a quotient, in index notation:
``-\sum_k t_k \log\frac{e^{z_k}}{\sum_l e^{z_l}}`` (softmax cross-entropy written by hand)
reads ``e^{z_k}`` entry by entry and ``\log\frac{a}{b}`` as ``\log a - \log b``; its gradient,
checked against central differences (K = 5), is ``(\mathbf 1^\top t)\,\mathrm{softmax}(z) - t``.
"""

from __future__ import annotations

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

WHERE = r"\mathbf{z} \in \mathbb{R}^K; \mathbf{t} \in \mathbb{R}^K"
RNG = np.random.default_rng(14)
Z = RNG.standard_normal(5)
T = RNG.random(5)


def _loss(z: np.ndarray) -> float:
    return float(-np.sum(T * (z - np.log(np.sum(np.exp(z))))))


def test_the_cross_entropy_written_with_entries() -> None:
    out = diff_latex(
        r"-\sum_{k=1}^{K} t_k \log\frac{e^{z_k}}{\sum_{l=1}^{K} e^{z_l}}", r"\mathbf{z}", WHERE
    )
    assert out.verified, out.error or out.note
    assert "softmax" in out.result
    tree = parse_row(MappedText.identity(out.result)).tree
    assert tree is not None
    got = np.asarray(evaluate(tree, {"z": Z[:, None], "t": T[:, None]}), dtype=float).ravel()
    assert np.allclose(got, central_gradient(_loss, Z), atol=1e-6)


def test_by_an_entry_the_same_rule() -> None:
    out = diff_latex(
        r"\frac{\partial}{\partial z_j}\left(-\sum_{k=1}^{K} t_k \log\frac{e^{z_k}}"
        r"{\sum_{l=1}^{K} e^{z_l}}\right)",
        "",
        WHERE,
    )
    assert out.verified, out.error or out.note
    assert out.result.endswith("_{j}")


def test_a_sum_of_exponentials_of_entries() -> None:
    out = diff_latex(r"\sum_{k=1}^{K} e^{2 z_k}", r"\mathbf{z}", WHERE)
    assert out.verified, out.error or out.note
    tree = parse_row(MappedText.identity(out.result)).tree
    assert tree is not None
    got = np.asarray(evaluate(tree, {"z": Z[:, None]}), dtype=float).ravel()
    want = central_gradient(lambda z: float(np.sum(np.exp(2 * z))), Z)
    assert np.allclose(got, want, rtol=1e-6)
