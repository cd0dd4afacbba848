r"""What held-out-style documents (``tests/derivations/``, issue 14) showed the reading lacked.

Each test is one sentence or row as an author writes it, and what texgrad must make of it.
"""

from __future__ import annotations

from texgrad.shapes.check import Checker


def _check(text: str, name: str = "notes.md") -> list[str]:
    return [d.code for d in Checker().check(name, text=text).diagnostics]


def test_a_squared_difference_of_numbers_is_no_dimension() -> None:
    # `(r_{ui} - q_i^T p_u)^2` once read its difference as the number 0 and raised
    # "math domain error" while checking the whole document
    text = (
        "Let $\\mathbf{p}_u, \\mathbf{q}_i \\in \\mathbb{R}^k$.\n\n"
        "$$\\ell_{ui} = (r_{ui} - \\mathbf{q}_i^\\top\\mathbf{p}_u)^2$$\n\n"
        "$$x = (1 - 1)^2, \\quad y = (1 - 1)^{-2}, \\quad v \\in \\mathbb{R}^{(3-3)^2}$$\n"
    )
    assert "internal-error" not in _check(text)


def test_a_derivative_written_with_its_value_is_asked_by_its_own_variable() -> None:
    # a math.SE answer: `texgrad diff --file answer.md --line N --wrt X` on the line
    # `\frac{\partial f}{\partial X} = AXB + A^TXB^T` asks for ∂f/∂X (not for d(AXB + …))
    from texgrad.calculus import api

    text = (
        "Let $X \\in \\mathbb{R}^{m \\times n}$, $A \\in \\mathbb{R}^{m \\times m}$, "
        "$B \\in \\mathbb{R}^{n \\times n}$. For $f(X) = \\operatorname{tr}(X^T A X B)$,\n\n"
        "$$\n\\frac{\\partial f}{\\partial X} = A X B + A^T X B^T.\n$$\n"
    )
    by_x = api.diff_in_document("answer.md", 4, "X", text=text)
    assert by_x.verified and by_x.kind == "gradient", by_x.error
    assert by_x.result == "A X B + A^T X B^T"
    by_a = api.diff_in_document("answer.md", 4, "A", text=text)  # another symbol: the value's
    assert by_a.verified and by_a.kind != "gradient"
