r"""Forms that texgrad cannot differentiate, refused in words instead of answered wrongly or
passed over: a symbol declared in ℂ (read as real, ``z^H A z`` got ``(A + A^\top) z``), a
starred letter (a conjugate or an optimum?), an integral (whose ``dt`` is no derivative)."""

from __future__ import annotations

import pytest

from texgrad.calculus.api import diff_latex
from texgrad.calculus.refusals import refusal_at
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row

COMPLEX = (
    "is complex (declared in `\\mathbb{C}`): texgrad differentiates real variables only "
    "(complex derivatives, Wirtinger's, are not supported)"
)


@pytest.mark.parametrize(
    ("f", "wrt", "where", "said"),
    [
        (r"z^H A z", "z", r"A \in \mathbb{C}^{n \times n}; z \in \mathbb{C}^n", "`z` " + COMPLEX),
        (r"z^H A z", "z", r"A \in \mathbb{C}^{n \times n}; z \in \mathbb{R}^n", "`A` " + COMPLEX),
        (r"\operatorname{tr}(A^* A)", "A", r"A \in \mathbb{C}^{n \times n}", "`A` " + COMPLEX),
        (r"\operatorname{tr}(A^* A)", "A", r"A \in \mathbb{R}^{n \times n}",
         r"`A^*` is not read (a conjugate? an optimum?): for its transpose write `A^\top`; a "
         r"value named `A^*` must be declared, e.g. `A^* \in \mathbb{R}^{n \times n}`"),
        (r"\int_0^1 (\theta^\top x)^2 \, dt", "\\theta", r"\theta \in \mathbb{R}^p; x \in \mathbb{R}^p",
         r"`\int` (an integral) is not supported"),
        (r"\prod_{i=1}^n x_i", "x", r"x \in \mathbb{R}^n", r"`\prod` (a product over an index) is not supported"),
    ],
)  # fmt: skip
def test_refused_in_words(f: str, wrt: str, where: str, said: str) -> None:
    outcome = diff_latex(f, wrt, where)
    assert not outcome.result and outcome.error == said


def test_the_same_over_the_reals_is_differentiated_and_verified() -> None:
    # z^H of a real z is its transpose: the real gradient, checked numerically
    outcome = diff_latex(r"z^H A z", "z", r"A \in \mathbb{R}^{n \times n}; z \in \mathbb{R}^n")
    assert outcome.error is None and outcome.verified
    assert outcome.result == r"(A + A^\top) z"


def test_a_starred_value_the_document_declares_is_read() -> None:
    outcome = diff_latex(
        r"(w^*)^\top A z", "z",
        r"A \in \mathbb{R}^{n \times n}; z \in \mathbb{R}^n; w^* \in \mathbb{R}^n",
    )  # fmt: skip
    assert outcome.error is None and outcome.verified
    assert outcome.result == r"A^\top w^*"


def _tree(latex: str) -> t.Node:
    tree = parse_row(MappedText.identity(latex)).tree
    assert tree is not None
    return tree


@pytest.mark.parametrize(
    ("latex", "writes"),
    [
        (r"E(\theta) = \int_0^1 (\theta^\top \phi(t))^2 \, dt", False),
        (r"\int_0^T x(t)^2 \, \mathrm d t", False),
        (r"\frac{\mathrm d}{\mathrm dt} \int_0^t f(s) \, ds = f(t)", True),
        (r"\mathrm dF = \int_0^1 g(t) \, dt", True),
    ],
)
def test_an_integral_measure_is_no_derivative(latex: str, writes: bool) -> None:
    assert t.writes_derivative(_tree(latex)) is writes


def test_a_row_stating_an_integral_says_why() -> None:
    text = (
        "Let $\\theta \\in \\mathbb{R}^p$ and $x \\in \\mathbb{R}^p$.\n\n"
        "$$E(\\theta) = \\int_0^1 (\\theta^\\top x)^2 \\, dt$$\n"
    )
    found = refusal_at(Checker().check("doc.md", text=text), text.index("E(") + 1)
    assert found is not None
    assert (found.head, found.reason) == ("E", r"`\int` (an integral) is not supported")
