r"""A name defined as a multiple of a name whose definition is symmetric by its form, neither
lowerable (a sum over a family of class matrices): ``\mathbf S_W = (n-K)\hat{\boldsymbol\Sigma}``
of ``\hat{\boldsymbol\Sigma} = \frac{1}{n-K}\sum_k (X_k - \mathbf 1\mu_k')'(X_k -
\mathbf 1\mu_k')``.  Standing as a constant in a claim (rmd-lda-qda-primes-26:50, Fisher's
criterion), it is a symmetric one: ``\nabla_w w'S_Ww`` is ``2S_Ww``, not ``(S_W + S_W')w``."""

from __future__ import annotations

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.lower import Env, FunctionDef, Lowerer, VarInfo
from texgrad.calculus.sympy_dims import Shape
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

P = sympy.Symbol("p", positive=True, integer=True)
SCATTER = (
    r"(\mathbf{X}_k - \mathbf{1}\boldsymbol{\mu}_k')'(\mathbf{X}_k - \mathbf{1}\boldsymbol{\mu}_k')"
)


def _tree(text: str):  # type: ignore[no-untyped-def]
    tree = parse_row(MappedText.identity(text)).tree
    assert tree is not None
    return tree


def _standing(sigma_hat: str) -> e.Expr:
    """``\\mathbf S_W`` lowered where it stands for its definition (read like its family's
    declared ``\\mathbf S_B``), with ``\\hat\\Sigma`` defined as ``sigma_hat``."""
    env = Env(
        vars={"S_{B}": VarInfo("S_{B}", Shape(P, P), r"\mathbf{S}_B")},
        functions={
            "S_{W}": FunctionDef("S_{W}", (), _tree(r"(n-K)\hat{\boldsymbol\Sigma}")),
            r"\hat{\Sigma}": FunctionDef(r"\hat{\Sigma}", (), _tree(sigma_hat)),
        },
    )
    lowered = Lowerer(env, keep_names=True, opaque=frozenset({"S_{W}", r"\hat{\Sigma}"})).lower(
        _tree(r"\mathbf{S}_W")
    )
    assert isinstance(lowered, e.Expr)
    return lowered


def test_a_multiple_of_a_scatter_over_a_family_stands_symmetric() -> None:
    lowered = _standing(r"\frac{1}{n - K}\sum_{k=1}^{K} " + SCATTER)
    assert lowered.shape == Shape(P, P)
    assert e.transpose(lowered) == lowered


def test_a_multiple_of_a_product_of_no_symmetric_form_does_not() -> None:
    lowered = _standing(r"\frac{1}{n - K}\sum_{k=1}^{K} \mathbf{X}_k'\mathbf{Y}_k")
    assert lowered.shape == Shape(P, P)
    assert e.transpose(lowered) != lowered


WEIGHTED = r"""Let $X \in \mathbb{R}^{n \times p}$, $\mathbf{y} \in \mathbb{R}^n$, $\boldsymbol\beta \in \mathbb{R}^p$
and weights $w_1, \dots, w_n > 0$, gathered in $W = \operatorname{diag}(w_1, \dots, w_n)$, an
$n \times n$ matrix.

Then $\nabla_{\boldsymbol\beta} (\mathbf{y} - X\boldsymbol\beta)^\top W (\mathbf{y} - X\boldsymbol\beta) = -2 X^\top W (\mathbf{y} - X\boldsymbol\beta)$.

And $\nabla_{\boldsymbol\beta} (\mathbf{y} - X\boldsymbol\beta)^\top W (\mathbf{y} - X\boldsymbol\beta) = -2 X^\top W \mathbf{y}$.
"""


def test_a_diagonal_of_numbers_is_symmetric() -> None:
    # (hugo-apuntes-es-22:30 once its β, never declared there, is typed by its use)
    from texgrad.calculus import written_derivatives as wd
    from texgrad.shapes.check import Checker

    found = wd.check_written(Checker().check("doc.md", text=WEIGHTED), seconds=60.0)
    assert sorted(WEIGHTED.count("\n", 0, f.start) + 1 for f in found) == [7]
