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
    # sign(relu(u)) is 1[u > 0]: the ℓ1 norm of a ReLU layer's gradient, no sign(relu) ⊙ 1[·]
    (r"\|\mathrm{relu}(W\mathbf x)\|_1", "W",
     r"W \in \mathbb{R}^{m \times n}; \mathbf x \in \mathbb{R}^n",
     r"\mathbb{1}[W \mathbf x > 0] \mathbf x^\top"),
    (r"\|\max(0, \mathbf u)\|_1", r"\mathbf u", r"\mathbf u \in \mathbb{R}^n",
     r"\mathbb{1}[\mathbf u > 0]"),
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


def test_a_kept_sum_beside_its_transpose_meets_its_like_terms() -> None:
    r"""½xᵀ(A + λI)x: the two λI (of the sum and of its transpose) collected — checked at a
    random point against ½(A + Aᵀ)x + λx and against central differences (n = 4)."""
    import numpy as np

    from texgrad.calculus.evaluate_tree import evaluate
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    where = rf"x \in \mathbb{{R}}^n; A \in {R_NN}; \lambda \in \mathbb{{R}}"
    out = diff_latex(r"\frac12 x^\top (A + \lambda I) x", "x", where)
    assert out.verified and out.result == r"\frac{1}{2} (A + 2 \lambda I + A^\top) x"
    rng = np.random.default_rng(11)
    a, x, lam = rng.standard_normal((4, 4)), rng.standard_normal((4, 1)), 0.7
    tree = parse_row(MappedText.identity(out.result)).tree
    got = evaluate(tree, {"A": a, "x": x, "\\lambda": lam})
    assert np.allclose(got, 0.5 * (a + a.T) @ x + lam * x)

    def f(v: np.ndarray) -> float:
        return float((0.5 * v.T @ (a + lam * np.eye(4)) @ v)[0, 0])

    h = 1e-6
    fd = np.array([[(f(x + h * u) - f(x - h * u)) / (2 * h)] for u in np.eye(4)[:, :, None]])
    assert np.allclose(got, fd, atol=1e-6)


def _gradient_checked(expr: str, where: str, values: dict, f) -> str:  # type: ignore[no-untyped-def]
    """The verified gradient by x, evaluated at ``values`` and compared with central
    differences of ``f``; the result as printed."""
    import numpy as np
    import sympy

    from texgrad.calculus.evaluate_expr import evaluate
    from texgrad.calculus.lower import Env, Lowerer, VarInfo
    from texgrad.reading.source import MappedText
    from texgrad.shapes.dims import Shape
    from texgrad.syntax.parse import parse_row

    out = diff_latex(expr, "x", where)
    assert out.verified, out.error or out.note
    d = sympy.Symbol("d", positive=True, integer=True)
    env = Env({k: VarInfo(k, Shape(d, sympy.Integer(1)), k) for k in values})
    read = Lowerer(env).lower(parse_row(MappedText.identity(out.result)).tree)
    got = evaluate(read, values, {"d": len(values["x"])})
    x, h = values["x"], 1e-6
    fd = np.array([[(f(x + h * u) - f(x - h * u)) / (2 * h)] for u in np.eye(len(x))[:, :, None]])
    assert np.allclose(got, fd, atol=1e-5)
    return out.result


def test_a_sum_of_entries_times_ones_meets_the_projection_it_equals() -> None:
    r"""(1ᵀx)1 and 11ᵀx are one term: the variance's gradient collects to ½ its length,
    and (1ᵀx)² is verified (d = 5)."""
    import numpy as np

    rng = np.random.default_rng(12)
    x = rng.standard_normal((5, 1))
    one = np.ones((5, 1))

    def variance(v: np.ndarray) -> float:
        return float(np.sum((v - v.mean()) ** 2) / 5)

    result = _gradient_checked(
        r"\frac{1}{d}\sum_{i=1}^d (x_i - \frac{1}{d}\mathbf{1}^\top x)^2",
        r"x \in \mathbb{R}^d", {"x": x}, variance,
    )  # fmt: skip
    assert result == r"\frac{2 \left(x - \frac{\mathbf{1} \mathbf{1}^\top x}{d}\right)}{d}"
    result = _gradient_checked(
        r"(\mathbf{1}^\top x)^2", r"x \in \mathbb{R}^d", {"x": x},
        lambda v: float((one.T @ v)[0, 0] ** 2),
    )  # fmt: skip
    assert result == r"2 \mathbf{1} \mathbf{1}^\top x"


def test_a_projection_with_unsized_ones_is_sized_by_its_neighbour() -> None:
    r"""``(I - \frac{1}{d}\mathbf{1}\mathbf{1}^\top) g``: I and 11ᵀ take the size of g (d = 4,
    a ∈ ℝ⁴), as the centring projection of layer norm is printed and read back."""
    import numpy as np

    rng = np.random.default_rng(13)
    a, g = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
    p = np.eye(4) - np.ones((4, 4)) / 4
    result = _gradient_checked(
        r"x^\top \left(I - \frac{\mathbf{1}\mathbf{1}^\top}{d}\right) (g \odot x)",
        r"x, g \in \mathbb{R}^d", {"x": a, "g": g},
        lambda v: float((v.T @ p @ (g * v))[0, 0]),
    )  # fmt: skip
    assert "I" in result or "\\mathbf{1} \\mathbf{1}^\\top" in result


def test_a_mask_declared_binary_is_its_own_square() -> None:
    r"""``M \in \{0,1\}^{m \times n}``: the masked factorisation's gradient is the textbook's
    ``-2(M \odot (R - UV^\top))V`` (M ⊙ M = M), checked at points where M is 0 or 1 only
    (the same result is wrong for a real M, which keeps its square)."""
    shapes = (
        r"R \in \mathbb{R}^{m \times n}; U \in \mathbb{R}^{m \times k}; "
        r"V \in \mathbb{R}^{n \times k}"
    )
    f = r"\|M \odot (R - UV^\top)\|_F^2"
    out = diff_latex(f, "U", r"M \in \{0,1\}^{m \times n}; " + shapes)
    assert out.verified, out.note
    assert out.result == r"-2 (M \odot (R - U V^\top)) V"
    assert "M: entries 0 or 1 as declared" in out.note
    real = diff_latex(f, "U", r"M \in \mathbb{R}^{m \times n}; " + shapes)
    assert real.verified and real.result == r"-2 (M^{\circ 2} \odot (R - U V^\top)) V"
    assert "entries 0 or 1" not in real.note


ONE_HOT = (
    "# Softmax regression\n\n"
    "Samples $\\mathbf x_i \\in \\mathbb{R}^d$ with one-hot labels $\\mathbf y_i \\in \\mathbb{R}^K$,"
    " weights $W \\in \\mathbb{R}^{K \\times d}$, and one $\\mathbf x \\in \\mathbb{R}^d$ with a"
    " label $\\mathbf y \\in \\mathbb{R}^K$.\n\n"
    "$$\nL(W) = -\\sum_{i=1}^n \\mathbf y_i^\\top \\log \\operatorname{softmax}(W\\mathbf x_i)\n$$\n\n"
    "$$\n\\ell(W) = -\\mathbf y^\\top \\log \\operatorname{softmax}(W\\mathbf x)\n$$\n"
)


def test_one_hot_labels_the_text_states_give_the_textbook_cross_entropy_gradient() -> None:
    r"""Labels the text calls one-hot: 1ᵀy_i = 1, so the gradient is the textbook's
    ``\sum_i (softmax(Wx_i) - y_i) x_iᵀ`` (checked with every label one-hot, and said; the
    minus before the sum taken into the difference, as a textbook writes it); a label the
    text does not call so keeps the general ``(softmax(Wx)1ᵀ - I) y xᵀ``."""
    from texgrad.calculus.api import diff_in_document

    out = diff_in_document("doc.md", 6, "W", text=ONE_HOT)
    assert out.verified, out.error or out.note
    assert out.result == (
        r"\sum_{i=1}^n (\operatorname{softmax}(W \mathbf x_i) - \mathbf y_i) \mathbf x_i^\top"
    )
    assert r"\mathbf y_i: one-hot as the text says" in out.note
    plain = diff_in_document("doc.md", 10, "W", text=ONE_HOT)
    assert plain.verified and plain.result == (
        r"(\operatorname{softmax}(W \mathbf x) \mathbf{1}^\top - I) \mathbf y \mathbf x^\top"
    )
    assert "one-hot" not in plain.note


def test_one_hot_reading_is_strict() -> None:
    r"""Only the letters the words are about: not those of a formula beside them
    ("with $\mathbf p_t = \operatorname{softmax}(\mathbf z_t)$ and one-hot $\mathbf y_t$")."""
    from texgrad.calculus.written_simplex import stated_unit_vectors

    text = (
        r"For classification, with $\mathbf{p}_t = \operatorname{softmax}(W\mathbf{h}_t)$ and "
        r"one-hot $\mathbf{y}_t$: ... $\mathbf q$ is a probability vector, "
        r"$\mathbf r \in \Delta^{K-1}$, and the one-hot $f(\mathbf z)$ is a formula."
    )
    assert stated_unit_vectors(text) == {"y_{t}": "onehot", "q": "simplex", "r": "simplex"}


def test_a_letter_written_for_the_one_hot_vector_is_one_hot() -> None:
    r"""A policy's score with "writing $\mathbf e_a \in \mathbb{R}^A$ for the one-hot vector of
    the chosen action": 1ᵀe_a = 1, so the gradient is the textbook's (softmax(Ws) - e_a)sᵀ,
    checked with e_a one-hot; "$W$ for one-hot inputs" names nothing one-hot."""
    from texgrad.calculus.api import diff_in_document
    from texgrad.calculus.written_simplex import stated_unit_vectors

    text = (
        r"A state $\mathbf{s} \in \mathbb{R}^n$, logits $W\mathbf{s}$ with "
        r"$W \in \mathbb{R}^{A \times n}$; writing $\mathbf{e}_a \in \mathbb{R}^A$ for the "
        "one-hot vector of the chosen action,\n\n"
        "$$\n"
        r"\ell(W) = -\mathbf{e}_a^\top\log\operatorname{softmax}(W\mathbf{s})"
        "\n$$\n"
    )
    out = diff_in_document("doc.md", 4, "W", text=text)
    assert out.verified, out.error or out.note
    assert out.result == r"(\operatorname{softmax}(W \mathbf{s}) - \mathbf{e}_a) \mathbf{s}^\top"
    assert r"\mathbf{e}_a: one-hot as the text says" in out.note
    assert stated_unit_vectors(r"we keep $\mathbf{w}$ for one-hot inputs") == {}
    said = stated_unit_vectors(r"$\mathbf{y}$ denotes the one-hot label of $x$.")
    assert said == {"y": "onehot"}


def test_the_mean_of_a_centred_name_vanishes() -> None:
    r"""Batch norm back to its inputs: ``\hat{\mathbf u} = (\mathbf u - \mu\mathbf 1)/\sqrt{v +
    \epsilon}`` of ``\mu = \frac1m\mathbf 1^\top\mathbf u`` has ``\mathbf 1^\top\hat{\mathbf u} =
    0`` (found at random points, m = the batch), so the term holding it is dropped, as a
    textbook drops it; the result is checked by central differences as every one is."""
    from texgrad.calculus.api import diff_in_document

    text = (
        "One feature over a batch is $\\mathbf{u} \\in \\mathbb{R}^{m}$, $\\epsilon > 0$ and "
        "$\\mathbf{c} \\in \\mathbb{R}^{m}$.\n\n"
        "$$\n\\mu = \\frac{1}{m}\\mathbf{1}^\\top\\mathbf{u}, \\qquad "
        "v = \\frac{1}{m}\\|\\mathbf{u} - \\mu\\mathbf{1}\\|^2\n$$\n\n"
        "$$\n\\hat{\\mathbf{u}} = \\frac{\\mathbf{u} - \\mu\\mathbf{1}}{\\sqrt{v + \\epsilon}}\n$$\n\n"
        "$$\nr = \\mathbf{c}^\\top\\hat{\\mathbf{u}}\n$$\n"
    )
    out = diff_in_document("doc.md", 12, r"\mathbf{u}", text=text)
    assert out.verified, out.error or out.note
    assert out.result == (
        r"\frac{\left(I - \frac{\mathbf{1} \mathbf{1}^\top}{m}\right) \mathbf{c} - "
        r"\frac{(\hat{\mathbf{u}}^\top \mathbf{c}) \hat{\mathbf{u}}}{m}}{\sqrt{v + \epsilon}}"
    )


def test_a_simplifier_kept_across_expressions_prints_what_a_fresh_one_prints() -> None:
    """A claim's simplifier keeps the normal forms of the monomials it met (a sum collected
    at one level is expanded again at each level above it): a form found for one expression
    is the form a fresh simplifier finds for the next."""
    import sympy

    from texgrad.calculus import expr as e
    from texgrad.calculus.printing import Style, printer
    from texgrad.calculus.simplify import simplifier, simplify
    from texgrad.shapes.dims import Shape

    m, n = sympy.Symbol("m"), sympy.Symbol("n")
    a, b = e.var("A", Shape(m, n)), e.var("b", Shape(m, e.ONE))
    x, c = e.var("x", Shape(n, e.ONE)), e.var("c", Shape(n, e.ONE))
    dx = e.d(x)
    r = e.add(e.mul(a, x), e.mul(e.num(-1), b))
    half = sympy.Rational(1, 2)
    exprs = [
        e.add(e.mul(e.transpose(dx), e.transpose(a), r), e.mul(e.transpose(r), a, dx)),
        e.mul(
            e.num(half),
            e.add(e.mul(e.transpose(dx), e.transpose(a), r), e.mul(e.transpose(r), a, dx)),
        ),
        e.add(e.mul(e.transpose(c), dx), e.mul(e.transpose(dx), c), e.mul(e.transpose(r), a, dx)),
        e.mul(e.transpose(r), e.add(e.mul(a, dx), e.mul(a, dx))),
    ]
    style = Style()
    show = printer(style)
    kept = simplifier(style)
    for f in [*exprs, *reversed(exprs)]:
        assert show(kept(f)) == show(simplify(f, style))
    # (dxᵀAᵀr and rᵀA dx are one number: collected)
    assert show(kept(exprs[0])) == r"2 (A x - b)^\top A \mathrm{d}x"


def _matrix_gradient_checked(expr: str, values: dict) -> str:  # type: ignore[type-arg]
    """The verified gradient by W (d = 3, m = 4) of ``expr`` of W, h, g, evaluated at
    ``values`` and compared with central differences of the expression itself; the
    result as printed."""
    import numpy as np
    import sympy

    from texgrad.calculus.evaluate_expr import evaluate
    from texgrad.calculus.lower import Env, Lowerer, VarInfo
    from texgrad.reading.source import MappedText
    from texgrad.shapes.dims import Shape
    from texgrad.syntax.parse import parse_row

    where = r"W \in \mathbb{R}^{d \times m}; h, g \in \mathbb{R}^m"
    out = diff_latex(expr, "W", where)
    assert out.verified, out.error or out.note
    d, m = (
        sympy.Symbol("d", positive=True, integer=True),
        sympy.Symbol("m", positive=True, integer=True),
    )
    one = sympy.Integer(1)
    shapes = {"W": Shape(d, m), "h": Shape(m, one), "g": Shape(m, one)}
    env = Env({k: VarInfo(k, s, k) for k, s in shapes.items()})
    sizes = {"d": 3, "m": 4}

    def value(tex: str, at: dict) -> np.ndarray:  # type: ignore[type-arg]
        read = Lowerer(env).lower(parse_row(MappedText.identity(tex)).tree)
        return np.asarray(evaluate(read, at, sizes), dtype=float)

    got = value(out.result, values)
    W, step = values["W"], 1e-6
    fd = np.zeros_like(W)
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            bump = np.zeros_like(W)
            bump[i, j] = step
            up = value(expr, {**values, "W": W + bump})
            down = value(expr, {**values, "W": W - bump})
            fd[i, j] = float(np.sum(up - down)) / (2 * step)
    assert got.shape == (3, 4)
    assert np.allclose(got, fd, atol=1e-5)
    return out.result


def test_an_expanded_outer_product_of_two_sums_is_written_as_one() -> None:
    r"""h hᵀ - h gᵀ - g hᵀ + g gᵀ is (h - g)(h - g)ᵀ: the alignment loss ‖Wh - Wg‖² has the
    gradient 2W(h - g)(h - g)ᵀ, not 2W((h - g)hᵀ + (g - h)gᵀ); with unequal weights too."""
    import numpy as np

    rng = np.random.default_rng(23)
    values = {
        "W": rng.standard_normal((3, 4)),
        "h": rng.standard_normal((4, 1)),
        "g": rng.standard_normal((4, 1)),
    }
    assert _matrix_gradient_checked(r"\|W h - W g\|_2^2", values) == "2 W (h - g) (h - g)^\\top"
    assert _matrix_gradient_checked(r"\|W h - 2 W g\|^2", values) == "2 W (h - 2 g) (h - 2 g)^\\top"
    # h gᵀ + g hᵀ is no outer product of two sums: it stays a sum
    assert _matrix_gradient_checked(r"h^\top W^\top W g", values) == "W (g h^\\top + h g^\\top)"


def test_a_vector_times_its_entrywise_reciprocal_is_its_length() -> None:
    r"""sᵀ s^{∘-1} and (s^{∘-1})ᵀ s are the length of s (label smoothing's
    \frac{ε}{K}\mathbf 1^\top\log\operatorname{softmax}(z) leaves it): the gradient is
    written with the number, n = 3 beside m = 4, and checked by central differences."""
    import numpy as np

    from texgrad.calculus.evaluate_expr import evaluate
    from texgrad.calculus.lower import Env, Lowerer, VarInfo
    from texgrad.reading.source import MappedText
    from texgrad.shapes.dims import Shape
    from texgrad.syntax.parse import parse_row

    rng = np.random.default_rng(7)
    p, a, x = (
        rng.uniform(0.5, 2.0, (3, 1)),
        rng.standard_normal((4, 1)),
        rng.standard_normal((4, 1)),
    )
    where = r"p \in \mathbb{R}^n; a \in \mathbb{R}^m; x \in \mathbb{R}^m"
    for expr in (
        r"(p^{\circ -1})^\top p \, a^\top x \, x^\top x",
        r"p^\top p^{\circ -1} \, a^\top x \, x^\top x",
    ):
        out = diff_latex(expr, "x", where)
        assert out.verified, out.error or out.note
        assert "circ" not in out.result and "n" in out.result, out.result
        import sympy

        n, m = (
            sympy.Symbol("n", integer=True, positive=True),
            sympy.Symbol("m", integer=True, positive=True),
        )
        one = sympy.Integer(1)
        env = Env({"p": VarInfo("p", Shape(n, one), "p"), "a": VarInfo("a", Shape(m, one), "a"),
                   "x": VarInfo("x", Shape(m, one), "x")})  # fmt: skip
        read = Lowerer(env).lower(parse_row(MappedText.identity(out.result)).tree)
        got = evaluate(read, {"p": p, "a": a, "x": x}, {"n": 3, "m": 4})

        def f(x: np.ndarray) -> float:
            return float(3 * (a.T @ x)[0, 0] * (x.T @ x)[0, 0])

        h = 1e-6
        fd = np.array([[(f(x + h * u) - f(x - h * u)) / (2 * h)] for u in np.eye(4)[:, :, None]])
        assert np.allclose(got, fd, atol=1e-5)


def test_a_number_times_one_vector_less_the_same_times_another_is_one_product(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    r"""(1 - s) a_i - (1 - s) b_i, the Bradley–Terry gradient's summand expanded, is written
    (s - 1)(a_i - b_i) as the textbook has it (it was (1 - s) a_i + (-1 + s) b_i, 1.57× the
    textbook's length); checked against central differences with N = 5, d = 3."""
    import numpy as np

    from tests.calculus.problem_numerics import central_gradient
    from tests.calculus.test_samples import tree
    from texgrad.calculus.api import diff_in_document
    from texgrad.calculus.evaluate_tree import evaluate

    doc = tmp_path / "bt.md"
    doc.write_text(
        r"Preferred $\mathbf{a}_i \in \mathbb{R}^{d}$ and rejected $\mathbf{b}_i \in "
        r"\mathbb{R}^{d}$, $i = 1, \dots, N$, weights $\mathbf{w} \in \mathbb{R}^{d}$, and "
        r"$\sigma(t) = 1/(1 + e^{-t})$."
        "\n\n$$ L(\\mathbf{w}) = -\\sum_{i=1}^{N} \\log\\sigma\\left(\\mathbf{w}^\\top"
        "\\mathbf{a}_i - \\mathbf{w}^\\top\\mathbf{b}_i\\right) $$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 3, r"\mathbf{w}", budget=30.0)
    assert out.error is None and out.verified and out.result is not None, out.error
    assert r"(\mathbf{a}_i - \mathbf{b}_i)" in out.result
    assert out.result.count(r"\sigma") == 1
    rng = np.random.default_rng(3)
    a, b, w = rng.standard_normal((5, 3)), rng.standard_normal((5, 3)), rng.standard_normal((3, 1))

    def loss(v: np.ndarray) -> float:
        return float(np.sum(np.log1p(np.exp(-(a - b) @ v))))

    got = evaluate(tree(out.result), {"family:a": a, "family:b": b, "w": w, "N": 5})
    assert np.allclose(got, central_gradient(loss, w), rtol=1e-5)
