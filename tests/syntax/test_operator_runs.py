r"""A derivative written as an operator before a product takes the product, as a reader does
(``syntax.notation.derivative_run``): ``\frac{\partial}{\partial \mathbf x}\, \mathbf x^\top
\mathbf x\, \mathbf a`` is the derivative of the whole product (it was the derivative of
``\mathbf x^\top`` times ``\mathbf x \mathbf a``, a false ``matmul-mismatch``), while
``\nabla f(x)^\top p`` and ``\partial S\, \mathbf v`` keep their one factor."""

from __future__ import annotations

import pytest

from tests.syntax.test_parse import tree_of

CASES = [
    # the operator form of \frac takes the whole product
    (
        r"\frac{\partial}{\partial \mathbf x}\,\mathbf x^\top\mathbf x\,\mathbf a",
        r"(Derivative (Product (Transpose:\top x[mathbf]) x[mathbf] a[mathbf]) x[mathbf])",
    ),
    (r"\frac{d}{dt} e^{tA} B", r"(Derivative (Product (Power e (Product t A)) B) t)"),
    (
        r"\frac{\partial^2}{\partial x \partial x^\top} x^\top A x",
        r"(Derivative (Product (Transpose:\top x) A x) x (Transpose:\top x))",
    ),
    # \nabla with its variable: the product when the rest holds the variable …
    (
        r"\nabla_{\mathbf x}\, \mathbf x^\top A \mathbf x",
        r"(Nabla x[mathbf] (Product (Transpose:\top x[mathbf]) A x[mathbf]))",
    ),
    (
        r"\nabla_{\boldsymbol\omega} \mathbf r^\top \operatorname{diag}(\boldsymbol\omega) \mathbf r",
        r"(Nabla \omega[boldsymbol] (Product (Transpose:\top r[mathbf])"
        r" (Apply (Func:diag) \omega[boldsymbol]) r[mathbf]))",
    ),
    (
        r"\nabla_v (Av - b)^\top \Omega (Av - b)",
        r"(Nabla v (Product (Transpose:\top (Paren:() (Add (Product A v) - b))) \Omega"
        r" (Paren:() (Add (Product A v) - b))))",
    ),
    # … or a number comes first
    (
        r"\nabla^2 \tfrac12 \|B x - b\|^2",
        r"(Nabla _ 2 (Product (Frac:tfrac 1 2) (Power (Norm (Add (Product B x) - b)) 2)))",
    ),
    (
        r"\partial_x \tfrac12 \|Ax - b\|^2",
        r"(Partial x (Product (Frac:tfrac 1 2) (Power (Norm (Add (Product A x) - b)) 2)))",
    ),
]

# what keeps its one factor, beside the same operator taking a product
KEPT = [
    # a function's gradient times what follows
    (r"\nabla f(x)^\top p", r"(Product (Nabla _ (Transpose:\top (Apply f x))) p)"),
    (r"\nabla_W \ell\, G^{-1}", r"(Product (Nabla W \ell) (Power G (Neg 1)))"),
    (
        r"A^{-1} \nabla_W \ell\, G^{-1}",
        r"(Product (Power A (Neg 1)) (Nabla W \ell) (Power G (Neg 1)))",
    ),
    # two derivatives side by side are a product of two (the Fisher information's outer product)
    (
        r"\nabla_\theta \log p \nabla_\theta \log p^\top",
        r"(Product (Nabla \theta (Apply (Func:log) p)) (Nabla \theta (Apply (Func:log)"
        r" (Transpose:\top p))))",
    ),
    (
        r"\frac{\partial}{\partial x} u \frac{\partial}{\partial x} v",
        r"(Product (Derivative u x) (Derivative v x))",
    ),
    # a differential written with \partial, and a measure, end nothing else
    (r"\partial S \mathbf v", r"(Product (Partial _ S) v[mathbf])"),
    (
        r"\int_0^t \frac{\partial}{\partial s} f(s) g \, ds",
        r"(BigOp:\int 0 t (Product (Derivative (Product (Apply f s) g) s) (Differential s)))",
    ),
]


@pytest.mark.parametrize(("latex", "expected"), CASES, ids=[c[0] for c in CASES])
def test_an_operator_takes_what_a_reader_gives_it(latex: str, expected: str) -> None:
    assert tree_of(latex) == expected


def test_a_gradient_of_a_named_function_keeps_its_one_factor() -> None:
    r"""The same operator takes a product of its variable and keeps a function's letter:
    ``\nabla_W \ell\, G^{-1}`` is the gradient times G⁻¹, ``\nabla_W \operatorname{tr}(W)
    \, W`` the gradient of the product."""
    assert tree_of(r"\nabla_W \operatorname{tr}(W)\, W") == (
        r"(Nabla W (Product (Apply (Func:tr) W) W))"
    )
    for latex, expected in KEPT:
        assert tree_of(latex) == expected, latex
