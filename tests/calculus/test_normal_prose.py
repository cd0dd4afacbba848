r"""The standard normal CDF Φ and its density φ named in prose ("with $\Phi$ the standard
normal CDF and $\varphi$ its density"): functions of numbers with the bodies the words mean,
Φ′ written φ; and the error function they are written with (erf′ = 2e^{-x²}/√π)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.normal_prose import named_in_prose


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("with $\\Phi$ the standard normal CDF and $\\varphi$ its density.", ("\\Phi", "\\varphi")),
        ("where $\\Phi$ is the standard normal CDF.", ("\\Phi", "")),
        ("$\\Phi$ denotes the cumulative distribution function of the standard normal, "
         "$\\phi$ the standard normal density", ("\\Phi", "\\phi")),
        ("the standard normal CDF $F$ and", ("F", "")),
        ("a normal prior on $\\Phi$, the design matrix", None),
        ("$\\Phi$ the standard normal CDF, $\\Psi$ the standard Gaussian CDF", None),
    ],
)  # fmt: skip
def test_the_letters_the_prose_names(text: str, named: tuple[str, str] | None) -> None:
    assert named_in_prose(text) == named


def _phi(t: float) -> float:
    return math.exp(-t * t / 2) / math.sqrt(2 * math.pi)


def _cdf(t: float) -> float:
    return 0.5 * (1 + math.erf(t / math.sqrt(2)))


DOC = (
    "Let $\\mathbf{w}, \\mathbf{x} \\in \\mathbb{R}^p$ and $y \\in \\{0, 1\\}$, with $\\Phi$ the "
    "standard normal CDF and DENSITY.\n\n"
    "$$\n\\ell(\\mathbf{w}) = y\\log\\Phi(\\mathbf{w}^\\top\\mathbf{x}) + (1 - y)\\log(1 - "
    "\\Phi(\\mathbf{w}^\\top\\mathbf{x}))\n$$\n"
)


def test_the_probit_log_likelihood_is_written_with_the_density() -> None:
    out = diff_in_document("probit.md", 4, "\\mathbf{w}", text=DOC.replace("DENSITY", "$\\varphi$ its density"), budget=60.0)  # fmt: skip
    assert out.error is None and out.verified, out.error or out.note
    assert "\\varphi(\\mathbf{w}^\\top \\mathbf{x})" in out.result and "'" not in out.result
    # the textbook gradient, (yφ/Φ − (1−y)φ/(1−Φ)) x, against central differences (p = 4)
    rng = np.random.default_rng(2)
    w, x = rng.standard_normal(4), rng.standard_normal(4)
    for y in (0.0, 1.0):

        def f(w: np.ndarray, y: float = y) -> float:
            z = float(w @ x)
            return y * math.log(_cdf(z)) + (1 - y) * math.log(1 - _cdf(z))

        z = float(w @ x)
        textbook = (y * _phi(z) / _cdf(z) - (1 - y) * _phi(z) / (1 - _cdf(z))) * x
        h = 1e-6
        fd = np.array([(f(w + h * u) - f(w - h * u)) / (2 * h) for u in np.eye(4)])
        assert np.allclose(textbook, fd, atol=1e-6)


def test_without_a_density_named_the_derivative_is_written_phi_prime() -> None:
    out = diff_in_document("probit.md", 4, "\\mathbf{w}", text=DOC.replace(" and DENSITY", ""), budget=60.0)  # fmt: skip
    assert out.error is None and out.verified, out.error or out.note
    assert "\\Phi'" in out.result and "varphi" not in out.result


def test_a_declared_letter_stays_what_it_is_declared() -> None:
    """Φ a design matrix (declared): the words about a CDF elsewhere change nothing."""
    doc = (
        "Let $\\Phi \\in \\mathbb{R}^{n \\times p}$, $\\mathbf{w} \\in \\mathbb{R}^p$ and "
        "$\\mathbf{t} \\in \\mathbb{R}^n$. (In the probit section, $\\Phi$ the standard normal "
        "CDF.)\n\n$$\nE = \\|\\Phi\\mathbf{w} - \\mathbf{t}\\|^2\n$$\n"
    )
    out = diff_in_document("doc.md", 4, "\\mathbf{w}", text=doc, budget=60.0)
    assert out.error is None and out.verified
    assert out.result == "2 \\Phi^\\top (\\Phi \\mathbf{w} - \\mathbf{t})"


def test_the_error_functions_derivative() -> None:
    r"""∇ₓ 1ᵀerf(Ax) = (2/√π) Aᵀ exp(−(Ax)^{∘2}), A 3×4, against central differences."""
    out = diff_latex(
        "\\mathbf{1}^\\top\\operatorname{erf}(A\\mathbf{x})",
        "\\mathbf{x}",
        "A \\in \\mathbb{R}^{m \\times n}; \\mathbf{x} \\in \\mathbb{R}^n",
    )
    assert out.verified, out.error or out.note
    assert out.result == "\\frac{2}{\\sqrt{\\pi}} A^\\top \\exp(-(A \\mathbf{x})^{\\circ 2})"
    rng = np.random.default_rng(4)
    a, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
    erf = np.vectorize(math.erf)
    formula = 2 / math.sqrt(math.pi) * a.T @ np.exp(-((a @ x) ** 2))
    h = 1e-6
    fd = np.array(
        [(erf(a @ (x + h * u)).sum() - erf(a @ (x - h * u)).sum()) / (2 * h) for u in np.eye(4)]
    )
    assert np.allclose(formula, fd, atol=1e-6)
