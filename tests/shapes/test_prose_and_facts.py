r"""Prose forms met in real documents, weak scalars ("$\lambda > 0$") and dimension facts
stated in text ("$n = n_1 n_2$"): each form with a planted error found at its exact range,
and correct documents that must stay quiet."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import SCALAR, check_fixture, declaration, expected, found, same_shape, shape

# -- prose forms ------------------------------------------------------------------------------


def test_an_apposition_after_a_definition_declares_it(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times d}$ and $v \in \mathbb{R}^{n}$.
        $K_* = k(X, X_*)$, an $n \times n_*$ matrix, gives $K_*^\top v$, but not $K_* v$.
                                                                                  ^^^^^
        """,
    )
    k = declaration(result, "K_{*}")
    assert k is not None and k.shape.short() == "n×n_*" and k.how == "prose"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_apposition_after_a_relation_that_defines_nothing_declares_nothing(
    tmp_path: Path,
) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        We have $y \le z$, a $d$-dimensional vector inequality, and $y^\top y$.
        """,
    )
    assert declaration(result, "y") is None
    assert found(result) == set()


def test_a_list_of_scalars_before_the_word(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Take $\gamma, \beta, \varepsilon$ scalars and $x \in \mathbb{R}^n$, $A \in \mathbb{R}^{m \times n}$.
        Then $\gamma x + \beta x$ and $\varepsilon A x$ are fine, but $x + A \beta x$ is not.
                                                                       ^^^^^^^^^^^^^
        """,
    )
    for key in ("\\gamma", "\\beta", "\\varepsilon"):
        d = declaration(result, key)
        assert d is not None and d.shape == SCALAR
    assert found(result) == expected(fx, "add-mismatch")


def test_scalars_named_after_the_word(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        For scalars $\gamma$ and $\beta$ and $A \in \mathbb{R}^{m \times n}$, $\gamma A + \beta A$
        is fine.  With scalars $a, b$ and $c$ and $x \in \mathbb{R}^m$, $a x + b$ is fine.
        """,
    )
    for key in ("\\gamma", "\\beta", "a", "b", "c"):
        d = declaration(result, key)
        assert d is not None and d.shape == SCALAR, key
    a = declaration(result, "A")
    assert a is not None and same_shape(a.shape, shape("m", "n"))  # not made a scalar
    assert found(result) == set()


def test_scalar_product_is_no_scalar_declaration(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        The $u$ and $v$ are scalars products aside, $x$ scalar product with $y$.
        """,
    )
    assert declaration(result, "x") is None
