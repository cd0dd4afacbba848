r"""Derivatives by an entry of formulas written with indices (``\frac{\partial}{\partial x_k}
\sum_{i,j} x_i A_{ij} x_j``, ``\frac{\partial}{\partial A_{ij}} \sum_{k,l} A_{kl} B_{lk}``) are
checked entry by entry against the engine's verified gradient: a right one is silent, a wrong
one flagged (they were all left undecided: the gradient of an index formula kept no values)."""

from __future__ import annotations

import pytest

from tests.calculus.written_check import check_written
from texgrad.shapes.check import Checker

DECLS = (
    r"Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times n}$ and "
    r"$x \in \mathbb{R}^n$." + "\n\n"
)


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        (
            r"\frac{\partial}{\partial x_k} \sum_{i,j} x_i A_{ij} x_j = \sum_j A_{kj} x_j + \sum_i x_i A_{ik}",
            False,
        ),
        (r"\frac{\partial}{\partial x_k} \sum_{i,j} x_i A_{ij} x_j = 2\sum_j A_{kj} x_j", True),
        (r"\frac{\partial}{\partial A_{ij}} \sum_{k,l} A_{kl} B_{lk} = B_{ji}", False),
        (r"\frac{\partial}{\partial A_{ij}} \sum_{k,l} A_{kl} B_{lk} = B_{ij}", True),
        (r"\frac{\partial}{\partial x_k} \sum_i x_i^2 = 2 x_k", False),
        (r"\frac{\partial}{\partial x_k} \Big(\sum_i x_i\Big)^2 = 2 \sum_i x_i", False),
        (r"\frac{\partial}{\partial x_k} \Big(\sum_i x_i\Big)^2 = 2 x_k", True),
    ],
)
def test_entry_derivatives_of_index_formulas(claim: str, wrong: bool) -> None:
    text = DECLS + f"$${claim}$$\n"
    found = check_written(Checker().check("doc.md", text=text))
    right_side = claim.split(" = ")[1]
    assert [text[f.start : f.end] for f in found] == ([right_side] if wrong else [])
