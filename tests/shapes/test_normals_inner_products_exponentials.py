r"""Sizes that a normal's parameters, an inner product's operands and a matrix function's
argument must have: ``\mathcal{N}(\mu, \Sigma)`` (Σ square, μ of its rows; the point of a
density and a vector drawn too), ``\langle x, y \rangle`` and ``\langle A, B \rangle_F`` (one
shape), ``\operatorname{expm}(A)`` and ``e^{At}`` (A square).  Each fixture marks with ``^^^``
exactly where a diagnostic must be; a fixture with no marks must give none."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import check_fixture, expected, found

DECLARED = (
    r"Let $\mu \in \mathbb{R}^n$, $\Sigma \in \mathbb{R}^{n \times n}$, $m \in \mathbb{R}^p$, "
    r"$A \in \mathbb{R}^{n \times p}$, $x, y \in \mathbb{R}^n$, $z \in \mathbb{R}^p$, "
    r"$B \in \mathbb{R}^{p \times p}$, $C \in \mathbb{R}^{n \times p}$ and $t \ge 0$."
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # a normal: the mean has the covariance's rows, the covariance is square
        (
            r"""
            $$v \sim \mathcal{N}(m, \Sigma)$$
                                 ^
            """,
            "argument-mismatch",
        ),
        (
            r"""
            $$x \sim \mathcal{N}\left(\mu, A\right)$$
                                           ^
            """,
            "not-square",
        ),
        (  # the point of a density, and a vector drawn
            r"""
            $$p(z) = \mathcal{N}(z \mid \mu, \Sigma), \qquad q = \mathcal{N}(z; \mu, \Sigma)$$
                                 ^                                           ^
            """,
            "argument-mismatch",
        ),
        (
            r"""
            $$z \sim \mathcal{N}(\mu, \Sigma)$$
              ^
            """,
            "argument-mismatch",
        ),
        (  # a plain italic N after \sim is a normal too
            r"""
            $$z \sim N(0, \Sigma)$$
              ^
            """,
            "argument-mismatch",
        ),
        (  # … and sizes the covariance nothing declares by what is drawn (x: n×n)
            r"""
            With $x \sim N(0, S)$, $S z$ is wrong.
                                    ^^^
            """,
            "matmul-mismatch",
        ),
        # an inner product of operands of two shapes, plain or Frobenius
        (
            r"""
            $$s = \langle x, z \rangle, \qquad r = \langle A, \Sigma \rangle_F$$
                  ^^^^^^^^^^^^^^^^^^^^             ^^^^^^^^^^^^^^^^^^^^^^^^^
            """,
            "elementwise-mismatch",
        ),
        # matrix functions of a matrix not square
        (
            r"""
            $$\Phi = e^{A t}, \qquad \Psi = \exp(t A), \qquad \Gamma = \operatorname{expm}(A)$$
                     ^^^^^^^                ^^^^^^^^^                  ^^^^^^^^^^^^^^^^^^^^^^
            """,
            "not-square",
        ),
        (
            r"""
            $$\int_0^t e^{(t - \tau) C} z \, d\tau, \qquad \operatorname{logm}(C) + \operatorname{sqrtm}(C)$$
                       ^^^^^^^^^^^^^^^^                    ^^^^^^^^^^^^^^^^^^^^^^   ^^^^^^^^^^^^^^^^^^^^^^^
            """,
            "not-square",
        ),
    ],
)
def test_planted(tmp_path: Path, text: str, code: str) -> None:
    fx, result = check_fixture(tmp_path, DECLARED + "\n" + _dedent(text))
    assert found(result) == expected(fx, code)


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip("\n")


@pytest.mark.parametrize(
    "text",
    [
        # normals: a scalar mean or covariance broadcasts; a matrix mean is matrix-variate; a
        # matrix drawn holds its samples in rows; a condition after \mid is given, not drawn
        r"$$x \sim \mathcal{N}(\mu, \Sigma), \qquad \epsilon \sim \mathcal{N}(0, \sigma^2 I_n)$$",
        r"$$x \sim \mathcal{N}(\mu, \sigma^2), \qquad v \sim \mathcal{N}(\mathbf{0}, B)$$",
        r"$$C \sim \mathcal{N}(0, B), \qquad \mathcal{N}(A, B)$$",
        r"$$x \mid z \sim \mathcal{N}(C z, \Sigma), \qquad p(x \mid z) = \mathcal{N}(x \mid C z, \Sigma)$$",
        r"$$\mathcal{N}(\mathbf{1}_p \otimes \mu, I_p \otimes \Sigma), \qquad \mathcal{N}_n(\mu, \Sigma)$$",
        # an italic N a document declares (a count) is no normal's; outside \sim, N(…) is not read
        r"Let $N \in \mathbb{N}$. $$z \sim N(0, \Sigma)$$ With $x \sim N(0, S)$, $S z$.",
        r"$$N(m, \Sigma), \qquad N(0, S), \qquad S z$$",
        # the document's own \mathcal{N}, a neighbourhood: not a normal
        r"Let $\mathcal{N} \in \mathbb{R}^{p \times n}$. $$\mathcal{N}(m, \Sigma)$$",
        # inner products of one shape, a row against a column, a scalar, unknown operands
        r"$$\langle x, y \rangle + \langle A, C \rangle_F + \langle x, y^\top \rangle + \langle 2, x \rangle + \langle f, g \rangle_{\mathcal{H}}$$",
        # exponentials entry by entry: a Gibbs kernel, a scaled cost, a network's scores
        r"$$K = \exp(-C / \varepsilon), \qquad e^{-\lambda C}, \qquad \exp(C h), \qquad e^{C s}$$",
        # matrix exponentials of square matrices, and of a vector
        r"$$e^{\Sigma t} x, \qquad \exp(B (t - s)), \qquad \operatorname{expm}(B), \qquad e^{x t}$$",
        # a time the document declares a vector is no time
        r"Let $\tau \in \mathbb{R}^p$. $$e^{C \tau}$$",
    ],
)
def test_correct(tmp_path: Path, text: str) -> None:
    _, result = check_fixture(tmp_path, DECLARED + "\n" + text)
    assert found(result) == set()
