r"""Session i15's documents of the 26th round (tests/documents/*-26), and the rules they led
to, each on a short text of its own:

- a differential written in ``\mathrm d\operatorname{vec}X`` (Magnus–Neudecker:
  ``\mathrm d\operatorname{vec}(AXB) = (B^\top \otimes A)\,\mathrm d\operatorname{vec}X``) is
  checked by X, the vec read as that of ``\mathrm dX`` (it was "cannot tell which variables
  the differential is taken in": silence on a swapped Kronecker product);
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.calculus.written_check import check_written
from texgrad.shapes.check import Checker


def _found(text: str, name: str = "doc.md") -> list[int]:
    checked = Checker().check(name, text=text)
    found = check_written(checked, only_findings=True)
    return [text.count("\n", 0, f.start) + 1 for f in found]


def _vec(m: np.ndarray) -> np.ndarray:
    return m.reshape(-1, order="F")


def test_the_kronecker_forms_are_what_central_differences_give() -> None:
    """The reference the vec rule is judged by: (Bᵀ ⊗ A) is the Jacobian of vec(AXB), and
    -(Z⁻ᵀ ⊗ Z⁻¹) that of vec(Z⁻¹), by central differences with distinct sizes."""
    rng = np.random.default_rng(7)
    m, p, q, r = 2, 3, 4, 5
    a, x, b = rng.normal(size=(m, p)), rng.normal(size=(p, q)), rng.normal(size=(q, r))
    z = rng.normal(size=(p, p)) + 3 * np.eye(p)

    def jacobian(f, x0: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
        h, cols = 1e-6, []
        for k in range(x0.size):
            step = np.zeros(x0.size)
            step[k] = h
            d = step.reshape(x0.shape, order="F")
            cols.append((_vec(f(x0 + d)) - _vec(f(x0 - d))) / (2 * h))
        return np.stack(cols, axis=1)

    assert np.allclose(jacobian(lambda y: a @ y @ b, x), np.kron(b.T, a), atol=1e-6)
    assert not np.allclose(jacobian(lambda y: a @ y @ b, x), np.kron(a, b.T), atol=1e-3)
    zi = np.linalg.inv(z)
    assert np.allclose(jacobian(np.linalg.inv, z), -np.kron(zi.T, zi), atol=1e-5)
    assert not np.allclose(jacobian(np.linalg.inv, z), -np.kron(zi, zi), atol=1e-3)


VEC = r"""Let $X \in \mathbb{R}^{p \times q}$, $A \in \mathbb{R}^{m \times p}$, $B \in \mathbb{R}^{q \times r}$
and $Z \in \mathbb{R}^{p \times p}$ invertible.

$$
\mathrm{d}\operatorname{vec}(AXB) = (B^\top \otimes A)\,\mathrm{d}\operatorname{vec}X
$$

$$
\mathrm{d}\operatorname{vec}(AXB) = (A \otimes B^\top)\,\mathrm{d}\operatorname{vec}X
$$

$$
\mathrm{d}\operatorname{vec}(XB) = (B^\top \otimes I_p)\,\mathrm{d}\operatorname{vec}X
$$

$$
\mathrm{d}\operatorname{vec}(Z^{-1}) = -(Z^{-\top} \otimes Z^{-1})\,\mathrm{d}\operatorname{vec}(Z)
$$

$$
\mathrm{d}\operatorname{vec}(Z^{-1}) = -(Z^{-1} \otimes Z^{-1})\,\mathrm{d}\operatorname{vec}Z
$$
"""


def test_a_differential_in_vec_is_checked_by_the_matrix() -> None:
    assert _found(VEC) == [9, 21]


# -- Italian ---------------------------------------------------------------------------------

IT = (
    "Notazione: $X \\in \\mathbb{{R}}^{{n \\times p}}$, $A \\in \\mathbb{{R}}^{{n \\times n}}$,"
    " $B \\in \\mathbb{{R}}^{{p \\times n}}$. {layout}\n\n{said}"
    "$\\frac{{\\partial}}{{\\partial X}}\\operatorname{{tr}}(X^\\top A X) = {right}$.\n"
)


@pytest.mark.parametrize(
    ("said", "right", "flagged"),
    [
        ("", "(A + A^\\top)X", False),
        ("", "2AX", True),
        ("Se $A$ è simmetrica, ", "2AX", False),
        ("Se $A$ non è simmetrica, ", "2AX", True),
        ("Sia $A$ una matrice simmetrica. ", "2AX", False),
        ("Qui $A$ non è simmetrica. ", "2AX", True),
    ],
)
def test_symmetric_said_in_italian(said: str, right: str, flagged: bool) -> None:
    """(A + Aᵀ)X is the derivative of tr(XᵀAX) (tests/calculus' own rules check it by
    central differences); 2AX only for a symmetric A, said in Italian as a condition or a
    statement ("Se $A$ è simmetrica", "Sia $A$ una matrice simmetrica"), not denied."""
    text = IT.format(layout="", said=said, right=right)
    assert _found(text) == ([3] if flagged else [])


@pytest.mark.parametrize(
    ("layout", "flagged"),
    [
        ("Usiamo la convenzione del denominatore.", True),
        ("Adottiamo la notazione del numeratore.", False),
        ("Alcuni usano la convenzione del denominatore, altri quella del numeratore.", False),
        ("", False),
    ],
)
def test_a_layout_stated_in_italian_decides_a_transpose(layout: str, flagged: bool) -> None:
    """∂ tr(BX)/∂X is Bᵀ (X's shape, denominator layout) or B (numerator layout): B is wrong
    only where the document states the denominator layout."""
    text = (
        "Notazione: $X \\in \\mathbb{R}^{n \\times p}$, $B \\in \\mathbb{R}^{p \\times n}$. "
        + layout
        + "\n\n$\\frac{\\partial}{\\partial X}\\operatorname{tr}(BX) = B$.\n"
    )
    assert _found(text) == ([3] if flagged else [])


# -- layouts and symmetry said in English --------------------------------------------------

TR_BX = (
    "Let $X \\in \\mathbb{{R}}^{{n \\times p}}$ and $B \\in \\mathbb{{R}}^{{p \\times n}}$. {said}\n"
    "\\[\n\\frac{{\\partial}}{{\\partial X}}\\operatorname{{tr}}(BX) = B^\\top {sep}\n\\]\n"
    "and the transposed formula is wrong here:\n"
    "\\[\n\\frac{{\\partial}}{{\\partial X}}\\operatorname{{tr}}(BX) = B .\n\\]\n"
)


@pytest.mark.parametrize(
    ("said", "sep", "flagged"),
    [
        # "what they are taken with respect to": the shape of X, the denominator layout
        ("Gradients have the shape of what they are taken with respect to.", ".", True),
        ("Gradients have the shape of what they are taken with respect to.", ",", True),
        # the blame after a display is the displayed formula's, not the statement's
        (
            "For this $X$ (not square), in the layout where the derivative has the shape of $X$,",
            ",",
            True,
        ),
        ("In the layout where the derivative has the shape of $X$,", ",", True),
        ("", ".", False),
        ("If gradients had the shape of what they are taken with respect to, fine.", ".", False),
    ],
)
def test_a_layout_said_by_shape(said: str, sep: str, flagged: bool) -> None:
    """∂ tr(BX)/∂X = Bᵀ in the layout where it has X's shape (B the numerator layout's)."""
    text = TR_BX.format(said=said, sep=sep)
    lines = _found(text)
    assert lines == ([7] if flagged else [])


QUAD = (
    "Let $\\mathbf{{x}} \\in \\mathbb{{R}}^k$ and $\\Gamma \\in \\mathbb{{R}}^{{k \\times k}}$ {said}.\n\n"
    "$$\\nabla_{{\\mathbf{{x}}}}\\, \\tfrac12\\mathbf{{x}}^\\top\\Gamma\\mathbf{{x}} = \\Gamma\\mathbf{{x}}$$\n"
)


@pytest.mark.parametrize(
    ("said", "flagged"),
    [
        ("a fixed positive definite (symmetric) metric", False),
        ("a fixed symmetric metric", False),
        ("the learned symmetric weight", False),
        ("a fixed matrix", True),
        ("a general non-symmetric matrix", True),
        ("a not necessarily symmetric matrix", True),
        ("the product of symmetric matrices", True),
    ],
)
def test_symmetric_said_after_an_article_and_a_word_or_two(said: str, flagged: bool) -> None:
    """∇ ½xᵀΓx = ½(Γ + Γᵀ)x: Γx only for a symmetric Γ."""
    assert _found(QUAD.format(said=said)) == ([3] if flagged else [])


# -- hedges and cases said beside a claim ----------------------------------------------------

BILINEAR = (
    "Let $M \\in \\mathbb{{R}}^{{n \\times n}}$ and $\\mathbf{{u}}, \\mathbf{{x}} \\in \\mathbb{{R}}^n$.\n"
    "\\[\n\\nabla_{{\\mathbf{{x}}}}\\, (\\mathbf{{u}}^\\top M\\mathbf{{x}}) = M\\mathbf{{u}} .\n\\]\n"
    "{after}\n"
)


@pytest.mark.parametrize(
    ("after", "flagged"),
    [
        ("This is only right for symmetric $M$.", False),  # a hedge of the claim
        ("The formula $M\\mathbf{u}$ is only right for symmetric $M$.", False),  # its own side
        # the hedge of another formula quoted: not the claim's
        (
            "Full marks required $M^\\top\\mathbf{u}$; the answer $2M\\mathbf{x}$ is only right for symmetric $M$.",
            True,
        ),
        # a hedge denied at once
        ("This is only right for symmetric $M$, which we did not assume.", True),
        ("It is only right for symmetric $M$, but $M$ is not symmetric.", True),
        ("", True),
    ],
)
def test_a_hedge_beside_a_claim(after: str, flagged: bool) -> None:
    """∇ uᵀMx = Mᵀu (tests/calculus checks the rule numerically): Mu only for a symmetric M."""
    assert _found(BILINEAR.format(after=after)) == ([3] if flagged else [])


LOGDET = (
    "Let $X \\in \\mathbb{{R}}^{{n \\times n}}$ be invertible and $g(X) = \\log\\det X$.\n"
    "For symmetric positive definite $X$ this is $X^{{-1}}$. {lead}\n"
    "\\[\n\\nabla g(X) = X^{{-1}} .\n\\]\n"
)


@pytest.mark.parametrize(
    ("lead", "flagged"),
    [
        ("Several students wrote for general $X$:", True),
        ("Several students wrote for an arbitrary invertible $X$:", True),
        ("So in that case", False),
    ],
)
def test_a_claim_said_for_general_x_is_not_the_symmetric_case(lead: str, flagged: bool) -> None:
    """∇ log det X = X⁻ᵀ; X⁻¹ only for a symmetric X, which "for general $X$" is not."""
    assert _found(LOGDET.format(lead=lead)) == ([4] if flagged else [])


@pytest.mark.parametrize(
    ("said", "flagged"),
    [
        ("$\\partial_X f$ is the matrix of the $\\partial f/\\partial X_{ij}$.", True),
        (
            "$\\partial_X f$ is the matrix whose entries are $\\frac{\\partial f}{\\partial X_{ij}}$.",
            True,
        ),
        ("$\\partial_X f$ is the matrix of the $\\partial f/\\partial X_{ji}$.", False),
        ("", False),
    ],
)
def test_a_layout_said_by_the_entries(said: str, flagged: bool) -> None:
    """∂ tr(X⁻¹)/∂X = -(X⁻²)ᵀ as the matrix of the ∂f/∂X_ij; -X⁻² its transpose (tests/calculus
    checks the rule by central differences)."""
    text = (
        "Let $X \\in \\mathbb{R}^{n \\times n}$ be invertible. " + said + "\n\n"
        "$$\\partial_X \\operatorname{tr}(X^{-1}) = -X^{-2}$$\n"
    )
    assert _found(text) == ([3] if flagged else [])


@pytest.mark.parametrize(
    ("right", "flagged"),
    [
        ("\\dfrac{e^{x_i}}{\\sum_{j=1}^n e^{x_j}}", False),
        ("\\dfrac{1}{\\sum_{j=1}^n e^{x_j}}", True),  # no i: alike along it, and wrong
        ("1", True),
    ],
)
def test_an_entry_written_without_the_entrys_index(right: str, flagged: bool) -> None:
    """∂/∂x_i log Σ_j e^{x_j} = e^{x_i}/Σ_j e^{x_j} (the softmax; tests/calculus checks it by
    central differences); a side without i is the same number at every i, and wrong here."""
    text = (
        "Let $\\mathbf{x} \\in \\mathbb{R}^n$, and write $x_i$ for the entries of $\\mathbf{x}$.\n\n"
        "For $s(\\mathbf{x}) = \\log\\sum_{j=1}^n e^{x_j}$, "
        f"$\\dfrac{{\\partial s}}{{\\partial x_i}} = {right}$.\n"
    )
    assert _found(text) == ([3] if flagged else [])


def test_an_entry_alike_along_its_index_is_verified() -> None:
    """∂/∂x_i (1ᵀx + c) = 1 for every i: the side without i agrees (no false alarm)."""
    text = (
        "Let $\\mathbf{x} \\in \\mathbb{R}^n$, $c \\in \\mathbb{R}$, and write $x_i$ for the entries of"
        " $\\mathbf{x}$.\n\nFor $u(\\mathbf{x}) = \\sum_{j=1}^n x_j + c$, "
        "$\\dfrac{\\partial u}{\\partial x_i} = 1$,\nand $\\dfrac{\\partial u}{\\partial x_i} = 2$.\n"
    )
    assert _found(text) == [4]
