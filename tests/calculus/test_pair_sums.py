r"""Sums over pairs by a variable no member is (a metric M, a map A): two sums in a row
(``\sum_{i=1}^N\sum_{j=1}^N``), ``\sum_{i<j}`` and ``\sum_{(i,j) \in \mathcal S}`` read as the
sum over i with j held fixed — the derivative of each term is its own, so the one over i,
checked with every member sampled, holds for every j — and written back under the
document's own sums.  By a member (``\mathbf x_i``, in many terms) or through the rows of the
stacking matrix, no result.  The printed double sum is also evaluated here and compared
with central differences of the loss over distinct points."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

SETUP = (
    "Points $\\mathbf{x}_i \\in \\mathbb{R}^{d}$, $i = 1, \\dots, N$, the rows of "
    "$X \\in \\mathbb{R}^{N \\times d}$ (it stacks the $\\mathbf{x}_i^\\top$ as rows), a metric "
    "$M \\in \\mathbb{R}^{d \\times d}$, a map $A \\in \\mathbb{R}^{k \\times d}$, similar pairs "
    "$\\mathcal{S}$ and pair weights $s_{ij} \\geq 0$.\n"
)
QUAD = r"(\mathbf{x}_i - \mathbf{x}_j)^\top M(\mathbf{x}_i - \mathbf{x}_j)"
OUTER = r"(\mathbf{x}_i - \mathbf{x}_j) (\mathbf{x}_i - \mathbf{x}_j)^\top"


def _doc(tmp_path: Path, row: str) -> Path:
    doc = tmp_path / "pairs.md"
    doc.write_text(SETUP + "$$" + row + "$$\n", encoding="utf-8")
    return doc


@pytest.mark.parametrize(
    ("head", "weight"),
    [
        (r"\sum_{i=1}^{N}\sum_{j=1}^{N}", "s_{ij}"),
        (r"\sum_{i<j}", ""),
        (r"\sum_{(i,j) \in \mathcal{S}}", ""),
    ],
)
def test_a_sum_over_pairs_by_the_metric(tmp_path: Path, head: str, weight: str) -> None:
    out = diff_in_document(_doc(tmp_path, f"f = {head} {weight}{QUAD}"), 2, "M")
    assert out.error is None and out.verified, out.error
    assert out.result == f"{head} {weight + ' ' if weight else ''}{OUTER}"
    assert "held fixed" in out.note


def test_the_double_sum_printed_means_the_derivative(tmp_path: Path) -> None:
    row = r"f = \sum_{i=1}^{N}\sum_{j=1}^{N} \|A(\mathbf{x}_i - \mathbf{x}_j)\|^2"
    out = diff_in_document(_doc(tmp_path, row), 2, "A")
    assert out.error is None and out.verified, out.error
    node = parse_row(MappedText.identity(out.result)).tree
    assert node is not None
    rng = np.random.default_rng(2)
    n, d, k, h = 4, 3, 2, 1e-6
    xs, a = rng.standard_normal((n, d)), rng.standard_normal((k, d))
    values = {"family:x": xs.reshape(n, d, 1), "family-first:x": np.array([[1.0]]), "A": a, "N": n}
    got = np.asarray(evaluate(node, values, {}), dtype=float)

    def f(m: np.ndarray) -> float:
        return float(sum(np.sum((m @ (xs[i] - xs[j])) ** 2) for i in range(n) for j in range(n)))

    fd = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        e = np.zeros_like(a)
        e[idx] = h
        fd[idx] = (f(a + e) - f(a - e)) / (2 * h)
    assert got.shape == a.shape and np.allclose(got, fd, atol=1e-5)


@pytest.mark.parametrize("wrt", [r"\mathbf{x}_i", "X"])
def test_by_a_member_or_the_stacking_matrix_no_result(tmp_path: Path, wrt: str) -> None:
    out = diff_in_document(_doc(tmp_path, f"f = \\sum_{{i<j}} {QUAD}"), 2, wrt)
    assert not out.verified and out.result == ""
    out = diff_in_document(
        _doc(tmp_path, f"f = \\sum_{{i=1}}^{{N}}\\sum_{{j=1}}^{{N}} {QUAD}"), 2, wrt
    )
    assert not out.verified and out.result == ""


def test_a_prime_naming_a_function_is_no_transpose_mark(tmp_path: Path) -> None:
    row = r"S'(A) = \sum_{i<j} \|A(\mathbf{x}_i - \mathbf{x}_j)\|^2"
    out = diff_in_document(_doc(tmp_path, row), 2, "A")
    assert out.error is None and out.verified, out.error
    assert out.result.endswith(r"^\top") and "'" not in out.result


def test_a_differential_of_a_primed_matrix_is_the_transposed_differential() -> None:
    rng = np.random.default_rng(6)
    a, u, da = rng.standard_normal((2, 3)), rng.standard_normal((3, 1)), rng.standard_normal((2, 3))
    node = parse_row(MappedText.identity(r"u' \mathrm{d}A' A u")).tree
    assert node is not None
    got = evaluate(node, {"A": a, "u": u, "d:A": da}, {})
    assert np.allclose(got, u.T @ da.T @ a @ u)


def test_a_document_writing_primes_for_transposes_gets_a_verified_sum(tmp_path: Path) -> None:
    doc = tmp_path / "primes.md"
    doc.write_text(
        "Points $x_i \\in \\mathbb{R}^{d}$, $i = 1, \\dots, N$, a centre $c \\in \\mathbb{R}^{d}$ "
        "and $A \\in \\mathbb{R}^{k \\times d}$; we write $x'$ for the transpose.\n"
        "$$f = \\sum_{i=1}^{N} (x_i - c)'A'A(x_i - c)$$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 2, "A")
    assert out.error is None and out.verified, out.error
    assert out.result == r"\sum_{i=1}^{N} 2 A (x_i - c) (x_i - c)'"
