r"""``\operatorname{Spur}``, the German name of the trace, is read as the trace: a written
derivative of ``\operatorname{Spur}(KZL)`` is checked (it was silence, an unknown function)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.written_derivatives import check_written
from texgrad.shapes.check import Checker

DOC = (
    "Wir verwenden das Nenner-Layout. Es seien $K \\in \\mathbb{R}^{p\\times m}$, "
    "$Z \\in \\mathbb{R}^{m\\times q}$ und $L \\in \\mathbb{R}^{q\\times p}$.\n\n"
    "$$\\frac{\\partial \\SPUR(KZL)}{\\partial Z} = CLAIM$$\n"
)


@pytest.mark.parametrize("spur", ["\\operatorname{Spur}", "\\mathrm{Spur}"])
@pytest.mark.parametrize(
    ("claim", "lines"), [("K^\\top L^\\top", []), ("LK", [3]), ("2K^\\top L^\\top", [3])]
)
def test_a_derivative_of_the_spur_is_checked(spur: str, claim: str, lines: list[int]) -> None:
    text = DOC.replace("\\SPUR", spur).replace("CLAIM", claim)
    found = check_written(Checker().check("doc.md", text=text), seconds=60.0)
    assert [text.count("\n", 0, f.start) + 1 for f in found] == lines
    if lines:
        assert "Spur" in found[0].message  # (quoted as written)


def test_the_accepted_gradient_is_the_numeric_one() -> None:
    rng = np.random.default_rng(3)
    k, z, l_ = rng.standard_normal((2, 4)), rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    grad = central_gradient(lambda m: np.trace(k @ m.reshape(4, 3) @ l_), z.ravel())
    assert np.allclose(grad.reshape(4, 3), k.T @ l_.T, atol=1e-6)
