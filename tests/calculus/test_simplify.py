r"""Textbook form (:mod:`texgrad.calculus.simplify`): results exactly as the textbooks
print them."""

from __future__ import annotations

import pytest

from texgrad.calculus.api import diff_latex

R_NN = r"\mathbb{R}^{n \times n}"


# (expression, variable, declarations, the textbook result exactly as printed)
TEXTBOOK = [
    (r"\ln(\|Ax\|_2^2)", "x", rf"A \in {R_NN}; x \in \mathbb{{R}}^n",
     r"\frac{2 A^\top A x}{\|A x\|_2^2}"),
    (r"\|Ax - b\|_2^2", "x", r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n; b \in \mathbb{R}^m",
     r"2 A^\top (A x - b)"),
    (r"x^\top B x", "x", rf"B \in {R_NN}; x \in \mathbb{{R}}^n", r"(B + B^\top) x"),
    (r"x^T B x", "x", r"B \in \mathbb{S}^n; x \in \mathbb{R}^n", r"2 B x"),
    (r"\log\det X", "X", rf"X \in {R_NN}", r"X^{-\top}"),
    (r"\log\det X", "X", r"X \in \mathbb{S}^n_{++}", r"X^{-1}"),
    (r"\det X", "X", rf"X \in {R_NN}", r"\det(X) X^{-\top}"),
    (r"a^T X^{-1} b", "X", r"X \in \mathbb{R}^{n \times n}; a, b \in \mathbb{R}^n",
     r"-X^{-T} a b^T X^{-T}"),
    (r"b^T X^T X c", "X", r"X \in \mathbb{R}^{m \times n}; b, c \in \mathbb{R}^n",
     r"X (c b^T + b c^T)"),
    (r"\operatorname{tr}(AXB)", "X",
     r"A \in \mathbb{R}^{p \times m}; X \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times p}",
     r"A^\top B^\top"),
    (r"\operatorname{tr}(X^\top X)", "X", r"X \in \mathbb{R}^{m \times n}", r"2 X"),
    (r"\|X\|_F^2", "X", r"X \in \mathbb{R}^{m \times n}", r"2 X"),
    (r"(Xb+c)^T D (Xb+c)", "X",
     r"X \in \mathbb{R}^{m \times n}; b \in \mathbb{R}^n; c \in \mathbb{R}^m; D \in \mathbb{R}^{m \times m}",
     r"(D + D^T) (X b + c) b^T"),
    (r"\mathbf{1}^\top \operatorname{relu}(Ax)", "x",
     r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n", r"A^\top \mathbb{1}[A x > 0]"),
    (r"\log \sum_{i=1}^n e^{x_i}", "x", r"x \in \mathbb{R}^n", r"\operatorname{softmax}(x)"),
    (r"-y \log \sigma(w^\top x) - (1-y)\log(1 - \sigma(w^\top x))", "w",
     r"w, x \in \mathbb{R}^n; y \in \mathbb{R}", r"(\sigma(w^\top x) - y) x"),
    (r"\mathbf{x}^\top \mathbf{a}", r"\mathbf{x}", r"\mathbf{x}, \mathbf{a} \in \mathbb{R}^n",
     r"\mathbf{a}"),
    (r"a_0 + a^T B", "B", r"a, B \in \mathbb{R}^k; a_0 \in \mathbb{R}", "a"),
    (r"\operatorname{tr}(AB)", "A", r"A \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times m}",
     r"B^\top"),
    # the logistic's derivative stays σ ⊙ (1 - σ), not σ^{∘2} - σ^{∘3}; relu ⊙ 1[u > 0] = relu
    (r"\|\sigma(Ax)\|^2", "x", rf"A \in {R_NN}; x \in \mathbb{{R}}^n",
     r"2 A^\top (\sigma(A x)^{\circ 2} \odot (\mathbf{1} - \sigma(A x)))"),
    (r"\|\tanh(Ax)\|^2", "x", rf"A \in {R_NN}; x \in \mathbb{{R}}^n",
     r"2 A^\top (\tanh(A x) \odot (\mathbf{1} - \tanh(A x)^{\circ 2}))"),
    (r"\|\mathrm{relu}(Ax)\|^2", "x", rf"A \in {R_NN}; x \in \mathbb{{R}}^n",
     r"2 A^\top \mathrm{relu}(A x)"),
    (r"\frac12\|\mathrm{relu}(\mathbf z)\|^2", r"\mathbf z", r"\mathbf z \in \mathbb{R}^n",
     r"\mathrm{relu}(\mathbf z)"),
    # the Gaussian NLL w.r.t. Σ: the document's (x - μ) kept, symmetric terms not factored
    (r"\frac12\log\det\Sigma + \frac12(\mathbf x-\boldsymbol\mu)^\top\Sigma^{-1}(\mathbf x-\boldsymbol\mu)",
     r"\Sigma", r"\mathbf x, \boldsymbol\mu \in \mathbb R^n; \Sigma \in \mathbb{S}^n_{++}",
     r"\frac{1}{2} \Sigma^{-1} - \frac{1}{2} \Sigma^{-1} (\mathbf x - \boldsymbol\mu) "
     r"(\mathbf x - \boldsymbol\mu)^\top \Sigma^{-1}"),
    (r"\|\mathbf{y} - X\mathbf{w}\|^2 + \lambda \|\mathbf{w}\|^2", r"\mathbf{w}",
     r"X \in \mathbb{R}^{N \times d}; \mathbf{w} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^N; "
     r"\lambda \in \mathbb{R}",
     r"2 (X^\top (X \mathbf{w} - \mathbf{y}) + \lambda \mathbf{w})"),
    # a 1×1 product inside a chain is a number: (aᵀXb) a bᵀ, not a bᵀ Xᵀ a bᵀ
    (r"(\mathbf{a}^\top X \mathbf{b})^2", "X",
     r"X \in \mathbb{R}^{m \times n}; \mathbf{a} \in \mathbb{R}^m; \mathbf{b} \in \mathbb{R}^n",
     r"2 (\mathbf{a}^\top X \mathbf{b}) \mathbf{a} \mathbf{b}^\top"),
    # a vector's norm as the row writes it: \|x\| with no subscript stays so
    (r"\|Ax - b\|^2 + \frac{1}{\|x\|}", "x",
     r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n; b \in \mathbb{R}^m",
     r"2 A^\top (A x - b) - \frac{x}{\|x\|^3}"),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "wrt", "where", "want"), TEXTBOOK, ids=[t[0] for t in TEXTBOOK])
def test_textbook_result(expr: str, wrt: str, where: str, want: str) -> None:
    out = diff_latex(expr, wrt, where)
    assert out.error is None, out.error
    assert out.kind == "gradient"
    assert out.verified, out.note
    assert out.result == want


def test_a_product_is_distributed_when_ones_then_count() -> None:
    r"""``(\mu 1^\top - X^\top) 1`` reads ``n\mu - X^\top 1`` (1ᵀ1 = n), and means the same:
    n = 5 rows, d = 3 columns (distinct sizes)."""
    import numpy as np

    from texgrad.calculus.evaluate_tree import evaluate
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    where = r"X \in \mathbb{R}^{n \times d}; \mu \in \mathbb{R}^d"
    out = diff_latex(r"\|X - \mathbf{1}\mu^\top\|_F^2", r"\mu", where)
    assert out.verified and out.result == r"2 (n \mu - X^\top \mathbf{1})"
    assert "not read back" not in out.note
    out = diff_latex(r"\frac12\operatorname{tr}((X - \mathbf{1}\mu^\top)(X - \mathbf{1}\mu^\top)^\top)",
                     r"\mu", where)  # fmt: skip
    assert out.verified and out.result == r"n \mu - X^\top \mathbf{1}"
    rng = np.random.default_rng(4)
    x, mu = rng.standard_normal((5, 3)), rng.standard_normal((3, 1))
    tree = parse_row(MappedText.identity(out.result)).tree
    got = evaluate(tree, {"X": x, "\\mu": mu, "mu": mu, "n": 5})
    assert np.allclose(got, 5 * mu - x.T @ np.ones((5, 1)))


def test_hessians_of_quotients_are_written_over_their_denominators() -> None:
    where = r"A \in \mathbb{R}^{n \times n}; x, a \in \mathbb{R}^n"
    out = diff_latex(r"\frac{x^\top A x}{a^\top x}", "x", where, hessian=True)
    assert out.verified and out.result == (
        r"\frac{A + A^\top}{a^\top x} - \frac{(A + A^\top) x a^\top + a x^\top (A^\top + A)}"
        r"{(a^\top x)^{2}} + \frac{2 (x^\top A x) a a^\top}{(a^\top x)^{3}}"
    )


def test_inverses_of_one_product_merge_into_a_power() -> None:
    r"""(XᵀV⁻¹X)⁻¹ twice is written (XᵀV⁻¹X)⁻² as the textbook does (the sandwich
    estimator's total variance); X X of a letter stays as written."""
    from texgrad.calculus.api import diff_latex

    out = diff_latex(
        r"\operatorname{tr}((X^\top V^{-1} X)^{-1})",
        "V",
        where=r"X \in \mathbb{R}^{n \times p}; V \in \mathbb{S}^n_{++}",
    )
    assert out.verified, out.note
    assert out.result == r"V^{-1} X (X^\top V^{-1} X)^{-2} X^\top V^{-1}"
    out = diff_latex(r"\operatorname{tr}(X X X)", "X", where=r"X \in \mathbb{R}^{n \times n}")
    assert out.verified and "^{2}" in out.result, out.result
