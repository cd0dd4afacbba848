r"""A scatter matrix defined by its form is symmetric, however its sum is weighted and
transposed: ``\mathbf S_B = \sum_k n_k(\boldsymbol\mu_k - \bar{\boldsymbol\mu})(\boldsymbol\mu_k -
\bar{\boldsymbol\mu})^\top`` (or ``(…)'`` in a document that writes primes), and a count times a
symmetric matrix (``\mathbf S_W = (n - K)\hat{\boldsymbol\Sigma}``) — so ``2\mathbf S_B\mathbf w``,
the gradient of ``\mathbf w^\top\mathbf S_B\mathbf w``, is right (it was flagged: Fisher's
criterion in rmd-lda-qda-primes-26)."""

from __future__ import annotations

import pytest

from texgrad.calculus import written_derivatives as wd
from texgrad.shapes.check import Checker
from texgrad.shapes.properties import stated_properties

PAGE = r"""Let $\boldsymbol\mu_k, \bar{\boldsymbol\mu}, \mathbf w \in \mathbb{R}^p$ and $\mathbf{S}_B \in \mathbb{R}^{p \times p}$.
The between-class scatter is $\mathbf{S}_B = \sum_k n_k(\boldsymbol{\mu}_k - \bar{\boldsymbol\mu})(\boldsymbol{\mu}_k - \bar{\boldsymbol\mu})^\top$.

Then $f(\mathbf w) = \mathbf w^\top \mathbf S_B \mathbf w$ has $\nabla f(\mathbf w) = 2\mathbf S_B \mathbf w$.
"""


def _flagged(text: str) -> list[str]:
    return [f.message for f in wd.check_written(Checker().check("doc.md", text=text), seconds=60.0)]


@pytest.mark.parametrize("transposed", [r")^\top$.", r")'$."])
def test_a_weighted_scatter_is_symmetric(transposed: str) -> None:
    assert _flagged(PAGE.replace(r")^\top$.", transposed)) == []


def test_a_general_matrix_is_still_not() -> None:
    general = PAGE.replace(PAGE.splitlines()[1], "The matrix is any.")
    assert len(_flagged(general)) == 1  # S_B any p×p matrix: (S_B + S_B^T) w


def _symmetric(text: str) -> set[str]:
    result = Checker().check("doc.md", text=text)
    return {s.key for s in stated_properties(result.doc.text, result.rows) if s.symmetric}


def test_a_count_times_a_symmetric_matrix_is_symmetric() -> None:
    text = (
        r"Let $\hat{\Sigma} = \frac{1}{n-K}\sum_k (X_k - M_k)^\top (X_k - M_k)$, "
        r"$S_W = (n - K)\hat\Sigma$ and $C = (A - B)\hat\Sigma$."
    )
    assert _symmetric(text) == {r"\hat{\Sigma}", "S_{W}"}  # not C: (A - B) is no count


def test_a_letter_typed_by_its_use_is_symmetric_as_stated() -> None:
    # S is never declared (typed p×p by its use), but "let $S$ be symmetric": 2Sw is right
    text = (
        "Let $\\mathbf w \\in \\mathbb{R}^p$ and $A \\in \\mathbb{R}^{p \\times p}$, and let $S$ be "
        "symmetric.\n\nThen $\\mathbf w^\\top A S A \\mathbf w$ is a number.\n\n"
        "Then $g(\\mathbf w) = \\mathbf w^\\top S \\mathbf w$ has "
        "$\\nabla g(\\mathbf w) = 2 S \\mathbf w$.\n"
    )
    assert _flagged(text) == []
