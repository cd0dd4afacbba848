r"""Refusals in the document's words: the entry of a vector by an entry of a matrix names the
entry as written, and a claim left undecided by an error says why without a type name."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_latex
from texgrad.calculus.arrays import EvaluationError
from texgrad.calculus.expr import CalculusError
from texgrad.calculus.written_derivatives import _error_said


def test_an_entry_of_a_vector_by_an_entry_of_a_matrix_is_refused_in_words() -> None:
    out = diff_latex(
        r"\frac{\partial}{\partial W_{jk}} (W\mathbf{x})_i",
        "",
        r"W \in \mathbb{R}^{m\times n}; \mathbf{x} \in \mathbb{R}^n",
    )
    assert not out.verified
    assert out.error is not None
    assert "`W_{jk}` (an entry of a matrix)" in out.error
    assert "free index i" in out.error
    assert "(Apply" not in out.error and "Error" not in out.error


def test_an_undecided_claim_says_why_without_a_type_name() -> None:
    assert _error_said(CalculusError("cannot read the exponent `3\\gamma`")) == (
        "engine: cannot read the exponent `3\\gamma`"
    )
    said = [
        _error_said(x)
        for x in (KeyError("x"), EvaluationError(None, "no value"), np.linalg.LinAlgError("s"))
    ]
    assert said == [
        "error: a part of the formula could not be read",
        "error: the formula could not be evaluated at the random points",
        "error: the formula could not be evaluated at the random points",
    ]
    assert _error_said(RecursionError()) == "error: the formula nests too deeply to evaluate"
