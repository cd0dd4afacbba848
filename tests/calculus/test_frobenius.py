r"""The Frobenius product ``A : B = \operatorname{tr}(A^\top B)`` as StackExchange answers
write it: read by the engine, verified against the formula as written, and not confused
with a signature's colon (``f : \mathbb{R}^n \to \mathbb{R}``)."""

from __future__ import annotations

import numpy as np
import sympy

from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.lower import Env, Lowerer, VarInfo
from texgrad.reading.source import MappedText
from texgrad.shapes.dims import Shape
from texgrad.syntax.parse import parse_row

WHERE = (
    r"X \in \mathbb{R}^{m \times n}; W \in \mathbb{R}^{n \times p}; Y \in \mathbb{R}^{m \times p}"
)


def test_a_frobenius_square_is_differentiated_not_its_operand() -> None:
    out = diff_latex(r"g(W) = (XW - Y) : (XW - Y)", "W", WHERE)
    assert out.error is None and out.verified, out.note
    assert out.kind == "gradient"
    assert out.result.replace(" ", "") == r"2X^\top(XW-Y)"


def test_a_frobenius_product_by_a_constant() -> None:
    out = diff_latex(r"A : X", "X", r"A \in \mathbb{R}^{m \times n}; X \in \mathbb{R}^{m \times n}")
    assert out.error is None and out.verified
    assert out.result.strip() == "A"


def test_operands_of_different_shapes_are_refused_in_words() -> None:
    out = diff_latex(r"A : X", "X", r"A \in \mathbb{R}^{n \times m}; X \in \mathbb{R}^{m \times n}")
    assert not out.verified
    assert out.error == (
        "the Frobenius product `:` needs two arrays of one shape, not a n×m and a m×n"
    )


def test_the_product_is_the_sum_of_entrywise_products() -> None:
    m, n = sympy.Symbol("m"), sympy.Symbol("n")
    env = Env({k: VarInfo(k, Shape(m, n), k) for k in ("A", "X")})
    tree = parse_row(MappedText.identity(r"f = A : X")).tree
    f = Lowerer(env).lower(tree)
    rng = np.random.default_rng(3)
    vals = {"A": rng.standard_normal((3, 5)), "X": rng.standard_normal((3, 5))}
    got = evaluate(f, vals, {"m": 3, "n": 5})
    assert np.allclose(got, np.sum(vals["A"] * vals["X"]))


def test_a_signature_colon_is_no_product() -> None:
    out = diff_latex(r"f : \mathbb{R}^n \to \mathbb{R}", "x", r"x \in \mathbb{R}^n")
    assert not out.verified
