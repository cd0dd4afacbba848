r"""The derivation of the right side of a written derivative (``\nabla f(\mathbf x) =
A^\top(A\mathbf x - \mathbf b)`` by ``\mathbf b``) does not call that side ``f``: ``f`` is the
function whose gradient it is.  The title and the derivation's steps name it ``g`` (the
first letter the row and the document's definitions leave free); a row that uses no ``f``
keeps ``f``."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.actions import numpy_copies, offers
from texgrad.calculus.api import diff_at, plans_at
from texgrad.shapes.check import Checker

DECLARED = (
    "Let $A \\in \\mathbb{R}^{m\\times n}$, $\\mathbf b \\in \\mathbb{R}^m$, "
    "$\\mathbf x \\in \\mathbb{R}^n$"
)


def _shown(text: str, wrt: str) -> tuple[list[str], list[str]]:
    at = text.rindex("$$") - 5
    result = Checker().check("d.md", text=text)
    plan = next(p for p in plans_at("d.md", text, at, result=result) if p.wrt == wrt)
    outcome = diff_at("d.md", text, at, wrt, result=result)
    assert outcome.verified and outcome.result == "-A^\\top"
    titles = [o.title for o in offers(result, [(plan, "result", outcome)])]
    titles += [c.title for c in numpy_copies(result, [(plan, "result", outcome)])]
    return titles, outcome.steps


def test_the_right_side_of_a_gradient_of_a_defined_f_is_not_called_f() -> None:
    text = (
        DECLARED + " and $f(\\mathbf x) = \\frac12\\|A\\mathbf x - \\mathbf b\\|^2$.\n\n"
        "$$\\nabla f(\\mathbf x) = A^\\top(A\\mathbf x - \\mathbf b)$$\n"
    )
    titles, steps = _shown(text, "\\mathbf b")
    assert "Show derivation of ∂g/∂\\mathbf b" in titles
    assert "Copy ∂g/∂\\mathbf b as NumPy" in titles
    assert steps[0] == "g = A^\\top (A \\mathbf x - \\mathbf b)"
    assert not any(s.startswith("f =") or "\\partial f}" in s for s in steps)


def test_nor_where_the_row_names_f_only() -> None:
    text = DECLARED + ".\n\n$$\\nabla_{\\mathbf x} f = A^\\top(A\\mathbf x - \\mathbf b)$$\n"
    titles, steps = _shown(text, "\\mathbf b")
    assert "Show derivation of ∂g/∂\\mathbf b" in titles and steps[0].startswith("g = ")


def test_an_expression_without_f_keeps_f() -> None:
    text = DECLARED + ".\n\n$$A^\\top(A\\mathbf x - \\mathbf b)$$\n"
    outcome = diff_at("d.md", text, text.rindex("$$") - 5, "\\mathbf b")
    assert outcome.result == "-A^\\top"
    assert outcome.steps[0] == "f = A^\\top (A \\mathbf x - \\mathbf b)"


def test_the_jacobian_is_the_numeric_one() -> None:
    rng = np.random.default_rng(5)
    a, x, b = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal(4)
    g = lambda v: a.T @ (a @ x - v)  # noqa: E731
    h = 1e-6
    jac = np.array([(g(b + h * e) - g(b - h * e)) / (2 * h) for e in np.eye(4)]).T
    assert np.allclose(jac, -a.T, atol=1e-6)
