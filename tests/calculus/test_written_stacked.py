r"""A gradient, Hessian or Jacobian of a function of several numbers written entry by entry
(``\nabla f = \begin{bmatrix} 2x_1x_2 \\ x_1^2 + 3\end{bmatrix}`` for ``f(x_1, x_2) = x_1^2x_2 +
3x_2``) is checked entry by entry: a wrong entry is reported, quoting it; a row or a column
of the right entries, and a Jacobian in either arrangement, is right (was silence)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.written_derivatives import check_written
from texgrad.shapes.check import Checker


def _found(text: str) -> list[tuple[int, str]]:
    found = check_written(Checker().check("doc.tex", text=text), seconds=60.0)
    return [(text.count("\n", 0, f.start) + 1, f.message) for f in found]


F = "Let $f(x_1, x_2) = x_1^2 x_2 + 3x_2$.\n\n"
G = "Let $x, y \\in \\mathbb{R}$ and $g(x, y) = e^{xy} + x^3$.\n\n"
POLAR = (
    "Let $r, \\theta \\in \\mathbb{R}$ and $F(r, \\theta) = (r\\cos\\theta, r\\sin\\theta)$.\n\n"
)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # the example, nothing declared: the entries say the parameters are numbers
        (F + "$$\\nabla f = \\begin{bmatrix} 2x_1x_2 \\\\ x_1^2 + 3\\end{bmatrix}$$\n", None),
        (F + "$$\\nabla f = \\begin{bmatrix} 2x_1x_2 \\\\ x_1^2\\end{bmatrix}$$\n", 3),
        (F + "$$\\nabla f = \\begin{bmatrix} 2x_1x_2 & x_1^2 + 3\\end{bmatrix}$$\n", None),  # a row
        (F + "$$\\nabla f = \\begin{bmatrix} x_1^2 + 3 \\\\ 2x_1x_2\\end{bmatrix}$$\n", 3),  # order
        (G + "$$\\nabla g(x, y) = \\begin{pmatrix} y e^{xy} + 3x^2 \\\\ x e^{xy}\\end{pmatrix}$$\n", None),
        (
            G + "$$\\nabla^2 g(x, y) = \\begin{pmatrix} y^2 e^{xy} + 6x & (1 + xy)e^{xy} \\\\ "
            "(1 + xy)e^{xy} & x^2 e^{xy}\\end{pmatrix}$$\n",
            None,
        ),
        (
            G + "$$\\nabla^2 g(x, y) = \\begin{pmatrix} y^2 e^{xy} + 6x & xy e^{xy} \\\\ "
            "xy e^{xy} & x^2 e^{xy}\\end{pmatrix}$$\n",
            3,
        ),
        (POLAR + "$$J_F(r, \\theta) = \\begin{bmatrix} \\cos\\theta & -r\\sin\\theta \\\\ "
         "\\sin\\theta & r\\cos\\theta\\end{bmatrix}$$\n", None),
        # the other arrangement (denominator layout): right too, where no layout is stated
        (POLAR + "$$J_F(r, \\theta) = \\begin{bmatrix} \\cos\\theta & \\sin\\theta \\\\ "
         "-r\\sin\\theta & r\\cos\\theta\\end{bmatrix}$$\n", None),
        (POLAR + "$$J_F(r, \\theta) = \\begin{bmatrix} \\cos\\theta & r\\sin\\theta \\\\ "
         "\\sin\\theta & r\\cos\\theta\\end{bmatrix}$$\n", 3),
    ],
)  # fmt: skip
def test_entries_are_checked(text: str, line: int | None) -> None:
    found = _found(text)
    assert [n for n, _ in found] == ([line] if line else [])


def test_the_message_names_the_entry_and_quotes_it() -> None:
    found = _found(F + "$$\\nabla f = \\begin{bmatrix} 2x_1x_2 \\\\ x_1^2\\end{bmatrix}$$\n")
    assert found[0][1].startswith(
        "`x_1^2` is not the entry 2 of `\\nabla f`, the derivative by `x_2`: texgrad finds `x_1^2 + 3`"
    )
    assert "(Derivative" not in found[0][1]


@pytest.mark.parametrize(
    "text",
    [
        # a bold parameter nothing declares may be a vector: its gradient is no list of numbers
        "Let $f(\\mathbf x, \\mathbf y) = \\mathbf x^\\top\\mathbf y$.\n\n"
        "$$\\nabla f = \\begin{bmatrix} \\mathbf x \\\\ \\mathbf x \\end{bmatrix}$$\n",
        # a declared vector parameter: not this claim
        "Let $x \\in \\mathbb{R}^n$, $t \\in \\mathbb{R}$ and $f(x, t) = t x^\\top x$.\n\n"
        "$$\\nabla f = \\begin{bmatrix} 3 t x \\\\ x^\\top x \\end{bmatrix}$$\n",
        # entries elided with dots: not read
        F + "$$\\nabla f = \\begin{bmatrix} 2x_1 \\\\ \\vdots \\end{bmatrix}$$\n",
    ],
)
def test_what_is_not_certain_is_silence(text: str) -> None:
    assert _found(text) == []


def test_the_entries_accepted_are_the_numeric_ones() -> None:
    g = lambda v: np.exp(v[0] * v[1]) + v[0] ** 3  # noqa: E731
    p = np.array([0.7, -1.3])
    x, y = p
    assert np.allclose(central_gradient(g, p), [y * np.exp(x * y) + 3 * x**2, x * np.exp(x * y)])
    hess = np.array(
        [central_gradient(lambda v, k=k: central_gradient(g, v)[k], p) for k in range(2)]
    )
    want = [[y**2 * np.exp(x * y) + 6 * x, (1 + x * y) * np.exp(x * y)],
            [(1 + x * y) * np.exp(x * y), x**2 * np.exp(x * y)]]  # fmt: skip
    assert np.allclose(hess, want, atol=1e-4)
    polar = lambda v: np.array([v[0] * np.cos(v[1]), v[0] * np.sin(v[1])])  # noqa: E731
    jac = np.array([central_gradient(lambda v, k=k: polar(v)[k], p) for k in range(2)])
    assert np.allclose(jac, [[np.cos(y), -x * np.sin(y)], [np.sin(y), x * np.cos(y)]], atol=1e-6)
