r"""Derivations people can follow (:mod:`texgrad.calculus.steps`): each step names its rule
(Jacobi's formula, the product rule, the chain rule with what it chains, the cyclic property
of the trace, the identification that reads the result off), the function keeps the name the
row gives it, no line repeats the one before it, and the differential has one spelling.

Every derivation here is of a result verified by central differences (with a different size
for every dimension), and the result is also compared with numpy at a random point."""

from __future__ import annotations

import re

import numpy as np
import pytest

from texgrad.calculus.api import diff_latex
from texgrad.calculus.printing import Style
from texgrad.calculus.steps import math_of, own_name, repeats, rules_note
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

SQUARE = r"X \in \mathbb{R}^{n \times n}"
TRACE = (
    r"A \in \mathbb{R}^{m \times n}; X \in \mathbb{R}^{n \times p}; B \in \mathbb{R}^{p \times m}"
)
LSQ = r"X \in \mathbb{R}^{n \times d}; \mathbf w \in \mathbb{R}^d; \mathbf y \in \mathbb{R}^n"
LOG = r"\mathbf a \in \mathbb{R}^n; \mathbf x \in \mathbb{R}^n"
QUAD = r"A \in \mathbb{R}^{n \times n}; \mathbf x \in \mathbb{R}^n"
TANH = r"W \in \mathbb{R}^{m \times n}; \mathbf x \in \mathbb{R}^n"

CASES = [
    (r"\log\det X", "X", SQUARE),
    (r"\operatorname{tr}(AXB)", "X", TRACE),
    (r"\mathcal{L}(\mathbf w) = \|X\mathbf w - \mathbf y\|^2", r"\mathbf w", LSQ),
    (r"\det(X)\operatorname{tr}(X)", "X", SQUARE),
    (r"\phi = \log(\mathbf a^\top \mathbf x)", r"\mathbf x", LOG),
    (r"g(\mathbf x) = \mathbf x^\top A \mathbf x", r"\mathbf x", QUAD),
    (r"\mathbf h = \tanh(W\mathbf x)", r"\mathbf x", TANH),
    (r"\operatorname{tr}(X^{-1})", "X", SQUARE),
]

# a differential written without \mathrm: `dX`, `\,dx`, `d\mathbf x` (not the words of a note)
_BARE_D = re.compile(r"(?<![A-Za-z\\{])d(?=[A-Z]|\\mathbf|\\boldsymbol|x\b)")


def _steps(expr: str, wrt: str, where: str, hessian: bool = False) -> list[str]:
    out = diff_latex(expr, wrt, where, hessian=hessian)
    assert out.error is None and out.verified, (out.error, out.note)
    return out.steps


@pytest.mark.parametrize(("expr", "wrt", "where"), CASES)
def test_no_line_repeated_and_one_spelling_of_the_differential(
    expr: str, wrt: str, where: str
) -> None:
    steps = _steps(expr, wrt, where)
    for before, line in zip(steps, steps[1:], strict=False):
        assert math_of(before) != math_of(line)
        assert not repeats([before], line), (before, line)
    for line in steps:
        assert not _BARE_D.search(line), line
        assert "\\,d" not in line and " d\\" not in line


def test_jacobi_named_and_the_repeated_line_gone() -> None:
    steps = _steps(r"\log\det X", "X", SQUARE)
    assert steps == [
        r"f = \log(\det(X))",
        r"\mathrm{d}f = \operatorname{tr}(X^{-1} \mathrm{d}X) \quad \text{(Jacobi's formula "
        r"$\mathrm{d}\log\det X = \operatorname{tr}(X^{-1} \mathrm{d}X)$)}",
        r"\nabla_{X} f = X^{-\top} \quad \text{(identification: $\mathrm{d}f = "
        r"\operatorname{tr}(G^\top \mathrm{d}X) \Rightarrow \nabla_X f = G$)}",
    ]
    det = _steps(r"\det(X)\operatorname{tr}(X)", "X", SQUARE)
    assert "product rule; Jacobi's formula $\\mathrm{d}\\det X" in det[1]


def test_cyclic_property_of_the_trace_named() -> None:
    steps = _steps(r"\operatorname{tr}(AXB)", "X", TRACE)
    assert steps[2] == (
        r"\phantom{\mathrm{d}f} = \operatorname{tr}(B A \mathrm{d}X) \quad "
        r"\text{(cyclic property of the trace)}"
    )
    assert steps[-1].startswith(r"\nabla_{X} f = A^\top B^\top \quad \text{(identification")
    # and the answer itself, by numpy: tr(AXB) changes by tr(A dX B) = <AᵀBᵀ, dX>
    rng = np.random.default_rng(1)
    a, x, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=(5, 4))
    dx = 1e-6 * rng.normal(size=(3, 5))
    change = np.trace(a @ (x + dx) @ b) - np.trace(a @ (x - dx) @ b)
    assert np.isclose(change, 2 * np.sum((a.T @ b.T) * dx))


def test_the_function_keeps_its_own_name() -> None:
    steps = _steps(r"\mathcal{L}(\mathbf w) = \|X\mathbf w - \mathbf y\|^2", r"\mathbf w", LSQ)
    assert steps[0] == r"\mathcal{L} = \|X \mathbf w - \mathbf y\|^2"
    assert steps[1].startswith(r"\mathrm{d}\mathcal{L} = ")
    assert steps[-1].startswith(
        r"\nabla_{\mathbf w} \mathcal{L} = 2 X^\top (X \mathbf w - \mathbf y)"
    )
    assert not any(re.search(r"(?<![A-Za-z\\])f\b", math_of(s)) for s in steps), steps
    hess = _steps(r"g(\mathbf x) = \mathbf x^\top A \mathbf x", r"\mathbf x", QUAD, hessian=True)
    assert hess[0] == r"g = \mathbf x^\top A \mathbf x"
    assert any(s.startswith(r"\nabla^2_{\mathbf x} g = A + A^\top") for s in hess)
    jac = _steps(r"\mathbf h = \tanh(W\mathbf x)", r"\mathbf x", TANH)
    assert jac[-1].startswith(r"\frac{\partial \mathbf h}{\partial \mathbf x} = ")
    assert "numerator layout: $\\mathrm{d}\\mathbf h = J\\, \\mathrm{d}\\mathbf x" in jac[-1]


def test_the_chain_rule_says_what_it_chains() -> None:
    steps = _steps(r"\phi = \log(\mathbf a^\top \mathbf x)", r"\mathbf x", LOG)
    assert r"chain rule ($\log$ of $\mathbf a^\top \mathbf x$)" in steps[1]
    assert steps[0].startswith(r"\phi = ")
    # the gradient a / (aᵀx), by numpy
    rng = np.random.default_rng(2)
    a, x = rng.uniform(0.5, 1, 6), rng.uniform(0.5, 1, 6)
    h = 1e-6
    numeric = [(np.log(a @ (x + h * u)) - np.log(a @ (x - h * u))) / (2 * h) for u in np.eye(6)]
    assert np.allclose(numeric, a / (a @ x), atol=1e-6)


def test_a_scalar_is_its_own_transpose_named() -> None:
    steps = _steps(r"g(\mathbf x) = \mathbf x^\top A \mathbf x", r"\mathbf x", QUAD)
    assert steps[2] == (
        r"\phantom{\mathrm{d}g} = \mathbf x^\top (A^\top + A) \mathrm{d}\mathbf x \quad "
        r"\text{(a scalar is its own transpose)}"
    )


def test_own_name_of_a_row() -> None:
    style = Style(symbols={})

    def name(row: str) -> str:
        return own_name(parse_row(MappedText.identity(row)).tree, style)

    assert name(r"\ell(\mathbf w) = \mathbf w^\top \mathbf w") == r"\ell"
    assert name(r"L = x^2") == "L"
    assert name(r"x^\top A x") == "f"
    assert name(r"x \le y") == "f"


def test_rules_note_in_the_documents_differential() -> None:
    style = Style(differential=r"\mathop{}\!\mathrm{d}")
    text = rules_note(
        ["product rule", r"$\mathrm{d}(A^\top) = (\mathrm{d}A)^\top$"], [], style, str
    )
    assert text == (
        r" \quad \text{(product rule; $\mathop{}\!\mathrm{d}(A^\top) = "
        r"(\mathop{}\!\mathrm{d}A)^\top$)}"
    )
    assert rules_note([], [], style, str) == ""


def test_a_repeated_line_is_a_continuation_saying_it_again() -> None:
    said = r"\mathrm{d}f = \operatorname{tr}(X^{-1} \mathrm{d}X) \quad \text{(Jacobi's formula)}"
    assert repeats([said], r"\phantom{\mathrm{d}f} = \operatorname{tr}(X^{-1} \mathrm{d}X)")
    assert repeats([said], said)
    assert not repeats([said], r"\phantom{\mathrm{d}f} = \operatorname{tr}(\mathrm{d}X X^{-1})")
    assert not repeats([r"\phantom{\mathrm{d}f} = a"], r"\nabla_{x} f = a")  # the result stays
    assert not repeats([], said)


def test_shown_as_markdown_and_as_text() -> None:
    from texgrad.calculus.steps import as_markdown, as_text

    steps = [
        r"f = \operatorname{tr}(A X B)",
        r"\mathrm{d}f = \operatorname{tr}(A \mathrm{d}X B) \quad \text{(product rule)}",
        r"\phantom{\mathrm{d}f} = \operatorname{tr}(B A \mathrm{d}X)",
    ]
    assert as_markdown("Derivation of ∇_X f", steps, "Verified.") == (
        "### Derivation of ∇_X f\n\n$$\n\\begin{aligned}\n"
        "f &= \\operatorname{tr}(A X B) \\\\\n"
        "\\mathrm{d}f &= \\operatorname{tr}(A \\mathrm{d}X B) && \\text{(product rule)} \\\\\n"
        "&= \\operatorname{tr}(B A \\mathrm{d}X)\n\\end{aligned}\n$$\n\nVerified.\n"
    )
    assert as_text("Derivation of ∇_X f", steps, "Verified.").splitlines() == [
        "Derivation of ∇_X f",
        "",
        r"  f = \operatorname{tr}(A X B)",
        r"  \mathrm{d}f = \operatorname{tr}(A \mathrm{d}X B)",
        "        (product rule)",
        r"      = \operatorname{tr}(B A \mathrm{d}X)",
        "",
        "Verified.",
    ]


@pytest.mark.parametrize(
    ("expr", "wrt", "where", "said"),
    [
        (r"g(\mathbf{x}) = \mathbf{a}^\top\mathbf{x}", r"\mathbf{x}",
         r"\mathbf{a},\mathbf{x} \in \mathbb{R}^n", r"\nabla_{\mathbf{x}} g = v$"),
        (r"G = \operatorname{tr}(AX)", "X", r"A, X \in \mathbb{R}^{n\times n}",
         r"\nabla_X G = M$"),
    ],
)  # fmt: skip
def test_the_identification_letter_is_not_the_functions_name(
    expr: str, wrt: str, where: str, said: str
) -> None:
    out = diff_latex(expr, wrt, where)
    assert out.error is None and out.verified
    assert out.steps[-1].endswith(said + ")}")
