r"""A rate nothing declares, ``\dot{\mathbf q}`` of a declared ``\mathbf q``, has the letter's
shape and is a variable of its own: the Rayleigh dissipation ``\frac12\dot{\mathbf q}^\top C
\dot{\mathbf q}`` is differentiated by it, and a written ``\partial D/\partial\dot{\mathbf q}``
checked (as the shape checker reads rates: shapes/rules/symbols.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.written_derivatives import check_written
from texgrad.reading.project import load_project, normalize
from texgrad.shapes.check import Checker

DECLARED = "Let $\\mathbf{q} \\in \\mathbb{R}^n$ and $C \\in \\mathbb{R}^{n \\times n}$.\n\n"
DEFINED = "The dissipation is $D = \\frac12 \\dot{\\mathbf q}^\\top C \\dot{\\mathbf q}$.\n\n"


def test_the_dissipation_by_the_rate_is_verified_and_numerically_right() -> None:
    out = diff_in_document("doc.md", 3, "\\dot{\\mathbf q}", text=DECLARED + DEFINED, budget=60.0)
    assert out.error is None and out.verified
    assert out.result == "\\frac{1}{2} (C + C^\\top) \\dot{\\mathbf q}"
    rng = np.random.default_rng(3)
    c, v = rng.standard_normal((4, 4)), rng.standard_normal(4)
    numeric = central_gradient(lambda w: 0.5 * w @ c @ w, v)
    assert np.allclose(numeric, 0.5 * (c + c.T) @ v, atol=1e-6)


def _flagged(tmp_path: Path, text: str) -> list[int]:
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    path = normalize(tmp_path / "a.md")
    checked = Checker().check(path, load_project(path, folder=tmp_path), tmp_path)
    return [
        checked.doc.text.count("\n", 0, f.start) + 1 for f in check_written(checked, seconds=60.0)
    ]


@pytest.mark.parametrize(
    ("claim", "symmetric", "lines"),
    [
        ("C \\dot{\\mathbf q}", " symmetric", []),
        ("2 C \\dot{\\mathbf q}", " symmetric", [5]),  # a factor 2 too many
        ("C \\dot{\\mathbf q}", "", [5]),  # C not said symmetric
        ("\\frac12 (C + C^\\top) \\dot{\\mathbf q}", "", []),
    ],
)
def test_a_written_derivative_by_a_rate_is_checked(
    tmp_path: Path, claim: str, symmetric: str, lines: list[int]
) -> None:
    declared = DECLARED.replace("$.\n", f"$ be{symmetric} matrices.\n") if symmetric else DECLARED
    text = (
        declared
        + DEFINED
        + f"$$\\frac{{\\partial D}}{{\\partial \\dot{{\\mathbf q}}}} = {claim}$$\n"
    )
    assert _flagged(tmp_path, text) == lines


def test_a_rate_the_document_defines_is_not_a_variable_of_its_own() -> None:
    text = (
        "Let $x \\in \\mathbb{R}^n$, $A \\in \\mathbb{R}^{n \\times n}$ and $\\dot x = A x$.\n\n"
        "$E = \\dot x^\\top \\dot x$\n"
    )
    out = diff_in_document("doc.md", 3, "x", text=text, budget=60.0)
    assert out.error is None and out.verified
    assert out.result == "2 A^\\top \\dot x"  # (in the document's own name)
