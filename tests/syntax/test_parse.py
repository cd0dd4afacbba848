r"""Parsing: every construct of math as papers write it, its tree, its ranges, its errors.

Trees are compared through :func:`texgrad.syntax.show.show`, whose output
names each node kind and its children: ``(Product (Transpose:\top x) A x)``.
"""

from __future__ import annotations

import pytest

from tests.fixtures import parse_fixture
from texgrad.reading.document import read_text
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_region, parse_row
from texgrad.syntax.show import show


def tree_of(latex: str) -> str:
    parsed = parse_row(MappedText.identity(latex))
    assert parsed.error is None, parsed.error
    return show(parsed.tree)


CASES = [
    # relation chains
    (
        r"a = b \neq c \approx d < e \le f \leq g \ge h",
        r"(Chain a = b \neq c \approx d < e \le f \leq g \ge h)",
    ),
    (r"a \equiv b \propto c", r"(Chain a \equiv b \propto c)"),
    (r"x := 1", "(Chain x := 1)"),
    (r"x \coloneqq y \triangleq z", r"(Chain x \coloneqq y \triangleq z)"),
    (r"A \subset B", r"(Chain A \subset B)"),
    (r"f : \mathbb{R}^n \to \mathbb{R}", r"(Chain f : (Space:R n) \to (Space:R))"),
    (r"x \mapsto x^2", r"(Chain x \mapsto (Power x 2))"),
    (r"x, y \in \mathbb R^n", r"(Chain (List x y) \in (Space:R n))"),
    # sums and products
    (r"a + b - c \pm d", r"(Add a + b - c \pm d)"),
    (r"-x", "(Neg x)"),
    (r"a - -b", "(Add a + b)"),
    ("Ax", "(Product A x)"),
    ("A x", "(Product A x)"),
    ("2x", "(Product 2 x)"),
    (r"x^\top A x", r"(Product (Transpose:\top x) A x)"),
    (r"a \cdot b", r"(BinOp:\cdot a b)"),
    (r"a \times b", r"(BinOp:\times a b)"),
    (r"a \odot b \circ c", r"(BinOp:\circ (BinOp:\odot a b) c)"),
    (r"A \otimes B \oslash C", r"(BinOp:\oslash (BinOp:\otimes A B) C)"),
    ("a / b", "(BinOp:/ a b)"),
    (r"a \cdot -b", r"(BinOp:\cdot a (Neg b))"),
    # fractions
    (
        r"\frac{a}{b} + \dfrac{c}{d} + \tfrac12",
        "(Add (Frac a b) + (Frac:dfrac c d) + (Frac:tfrac 1 2))",
    ),
    # scripts
    (r"x_i + x_{ij} + W_1", "(Add (Sub x i) + (Sub x (Product i j)) + (Sub W 1))"),
    ("x^23", "(Product (Power x 2) 3)"),
    (r"A^{-1}", "(Power A (Neg 1))"),
    ("A^T", "(Transpose:T A)"),
    ("A^{T}", "(Transpose:T A)"),
    (r"A^\top", r"(Transpose:\top A)"),
    (r"A^{\mathsf T}", r"(Transpose:\mathsf{T} A)"),
    (r"A^\intercal", r"(Transpose:\intercal A)"),
    ("A'", "(Prime A)"),
    ("A''", "(Prime:2 A)"),
    ("A^H", "(Transpose:H A)"),
    ("A^*", "(Tagged A *)"),  # a name where declared (x^*), else read as the power
    ("A^{1/2}", "(Power A (BinOp:/ 1 2))"),
    (r"A^{-\top}", r"(InverseTranspose:\top A)"),
    ("A^{-T}", "(InverseTranspose:T A)"),
    ("W^{(l)}", "(Tagged W l)"),
    ("W^{[l]}", "(Tagged W l)"),
    (r"W^{(2)\top}", r"(Transpose:\top (Tagged W 2))"),  # the layer's member transposed
    ("W^{(l)T}", "(Transpose:T (Tagged W l))"),
    (r"W^{[l]\top}", r"(Transpose:\top (Tagged W l))"),
    ("x_i^2", "(Power (Sub x i) 2)"),
    ("x^2_i", "(Power (Sub x i) 2)"),
    (r"\mathbf{x}_i^\top", r"(Transpose:\top (Sub x[mathbf] i))"),
    (r"\textbf{a}^T\textbf{B}", r"(Product (Transpose:T a[mathbf]) B[mathbf])"),
    (r"\textbf{ReLU}", r"(Text '\\textbf{ReLU}')"),
    # delimiters
    (r"\left( x \right)", r"(Paren:\left(\right) x)"),
    (r"\big( y \big) \Big[ z \Big]", "(Product (Paren:() y) (Paren:[] z))"),
    (r"(a) [b] \{c\}", r"(Product (Paren:() a) (Paren:[] b) (Paren:\{\} c))"),
    ("[0, 1)", "(Paren:[) (List 0 1))"),
    ("|x|", "(Abs x)"),
    (r"\|x\|", "(Norm x)"),
    (r"\lVert x \rVert_1", "(Norm x 1)"),
    (r"\left| y \right|", "(Abs y)"),
    (r"\left\| A \right\|_F", "(Norm A F)"),
    (r"|x|^2 + |y|", "(Add (Power (Abs x) 2) + (Abs y))"),
    (r"\| |x| \|", "(Norm (Abs x))"),
    (r"\langle a, b \rangle", "(Angle a b)"),
    (r"\left\langle A, B \right\rangle_F", "(Sub (Angle A B) F)"),
    (r"p(x | y)", r"(Apply p (Chain x \mid y))"),
    # a negative thin space tightens a function's bracket to its name: still an application
    (r"\sigma\!\left(\theta^\top z\right)", r"(Apply \sigma (Product (Transpose:\top \theta) z))"),
    (r"\sigma\!\!(x) y", r"(Product (Apply \sigma x) y)"),
    (r"\sigma \!(x)", r"(Product \sigma (Paren:() x))"),
    (
        r"\left.\frac{\partial f}{\partial x}\right|_{x=0}",
        r"(Sub (Delimited:\left.\right| (Derivative f x)) (Chain x = 0))",
    ),
    # an evaluation bar after an operand says where it is taken: skipped, shape kept
    (r"\frac{\partial f}{\partial x}\Big|_{(x_0, u_0)}", "(Derivative f x)"),
    (r"\frac{\partial h}{\partial x}\bigg\vert_{x = \hat x} H", "(Product (Derivative h x) H)"),
    (r"f'(x)|_{x=0} + c", "(Add (Apply (Prime f) x) + c)"),
    (r"|x|_1 + |y|", "(Add (Sub (Abs x) 1) + (Abs y))"),
    # functions
    (
        r"\log x + \ln x + \exp x",
        "(Add (Apply (Func:log) x) + (Apply (Func:ln) x) + (Apply (Func:exp) x))",
    ),
    (r"\sin x \cos y", "(Product (Apply (Func:sin) x) (Apply (Func:cos) y))"),
    (r"\tan x + \tanh(x)", "(Add (Apply (Func:tan) x) + (Apply (Func:tanh) x))"),
    (r"\log \det X", "(Apply (Func:log) (Apply (Func:det) X))"),
    (r"\det(X)^{-1}", "(Power (Apply (Func:det) X) (Neg 1))"),
    (r"\max_i x_i", "(Apply (Func:max i) (Sub x i))"),
    (r"\min_x f(x)", "(Apply (Func:min x) (Apply f x))"),
    (r"\sup_x g + \inf_y h", "(Add (Apply (Func:sup x) g) + (Apply (Func:inf y) h))"),
    (r"\arg\max_x f(x)", "(Apply (Func:argmax x) (Apply f x))"),
    (r"\arg\min_{w} L(w)", "(Apply (Func:argmin w) (Apply L w))"),
    (r"\max(0, x)", "(Apply (Func:max) 0 x)"),
    (r"\operatorname{tr}(A)", "(Apply (Func:tr) A)"),
    (r"\operatorname*{arg\,max}_x f", "(Apply (Func:argmax x) f)"),
    (r"\mathrm{tr}(B)", "(Apply (Func:tr) B)"),
    # Boyd and Vandenberghe's bold operator names; other bold words stay letters
    (r"\mathbf{tr}(X^{-1})", "(Apply (Func:tr) (Power X (Neg 1)))"),
    (r"\mathbf{diag}(x) A", "(Product (Apply (Func:diag) x) A)"),
    (r"\mathbf{xy}", "(Product x[mathbf] y[mathbf])"),
    # the n×p matrices as some European texts write them
    (r"A \in \mathbb{R}^{n,p}", "(Chain A \\in (Space:R n p))"),
    (r"\text{tr}(C)", "(Apply (Func:tr) C)"),
    (r"\operatorname{diag}(x)", "(Apply (Func:diag) x)"),
    (r"\sigma(Wx + b)", r"(Apply \sigma (Add (Product W x) + b))"),
    ("f(x, y)", "(Apply f x y)"),
    ("f_i(x)", "(Apply (Sub f i) x)"),
    ("f'(x)", "(Apply (Prime f) x)"),
    ("x(y + z)", "(Product x (Paren:() (Add y + z)))"),
    ("f (x)", "(Product f (Paren:() x))"),
    # big operators
    (
        r"\sum_{i=1}^n w_i x_i + b",
        "(Add (BigOp:\\sum (Chain i = 1) n (Product (Sub w i) (Sub x i))) + b)",
    ),
    (r"\frac{1}{N}\sum_i x_i", r"(Product (Frac 1 N) (BigOp:\sum i _ (Sub x i)))"),
    (r"\prod_{j} y_j", r"(BigOp:\prod j _ (Sub y j))"),
    (r"\int_0^1 f(t) \, dt", r"(BigOp:\int 0 1 (Product (Apply f t) (Differential t)))"),
    # derivatives
    (r"\nabla f", "(Nabla _ f)"),
    (r"\nabla_x f(x)", "(Nabla x (Apply f x))"),
    (r"\nabla^2 f", "(Nabla _ 2 f)"),
    (r"\nabla_{\mathbf{w}} L", "(Nabla w[mathbf] L)"),
    (r"\partial f + \partial_x f", "(Add (Partial _ f) + (Partial x f))"),
    (r"\frac{\partial f}{\partial x}", "(Derivative f x)"),
    (r"\frac{\partial}{\partial x} g", "(Derivative g x)"),
    (r"\frac{\partial^2 f}{\partial x \partial y}", "(Derivative f x y)"),
    (r"\frac{\partial \mathbf{y}}{\partial \mathbf{x}}", "(Derivative y[mathbf] x[mathbf])"),
    (r"\frac{d}{dx} f(x)", "(Derivative (Apply f x) x)"),
    (r"\frac{df}{dx}", "(Derivative f x)"),
    (r"\frac{\mathrm{d} y}{\mathrm{d} x}", "(Derivative y x)"),
    (r"\mathrm{d}x + \mathrm{d}X", "(Add (Differential x) + (Differential X))"),
    (r"\frac{d}{2}", "(Frac d 2)"),
    (
        r"\frac{\partial \mathbf{x}^T\mathbf{a}}{\partial \mathbf{x}}",
        "(Derivative (Product (Transpose:T x[mathbf]) a[mathbf]) x[mathbf])",
    ),
    (r"\partial f/\partial x", "(Derivative f x)"),
    # a slash after factors binds to its own \partial (arxiv-kfac-gnn-27)
    (r"Q^{-1}\partial L/\partial W", "(Product (Power Q (Neg 1)) (Derivative L W))"),
    (r"A B \partial f/\partial x", "(Product A B (Derivative f x))"),
    (r"a b/c", "(BinOp:/ (Product a b) c)"),
    (r"\frac{\mathrm{d} x^T A x}{\mathrm{d}x}", "(Derivative (Product (Transpose:T x) A x) x)"),
    # spaces, expectations
    (r"\mathbb{R}^{n \times m}", "(Space:R n m)"),
    (r"\mathbb R^n", "(Space:R n)"),
    (r"\mathbb{R}", "(Space:R)"),
    (r"\mathbb{C}^{n\times n}", "(Space:C n n)"),
    (r"\mathbb{S}^n_{++}", "(Space:S n ++)"),
    (r"\mathbb{R}^{n}_{+}", "(Space:R n +)"),
    (r"\mathbb{R}^{d_k \times (n+1)}", "(Space:R (Sub d k) (Paren:() (Add n + 1)))"),
    (r"\mathbb{E}[X]", "(Product E[mathbb] (Paren:[] X))"),
    # fonts and accents
    (r"\mathbf{x} + \boldsymbol{\theta} + \bm{W}", r"(Add x[mathbf] + \theta[boldsymbol] + W[bm])"),
    (
        r"\mathit{x} + \mathrm{e} + \mathsf{X} + \mathcal{L}",
        "(Add x[mathit] + e[mathrm] + X[mathsf] + L[mathcal])",
    ),
    (r"\mathbf{1}^\top x", r"(Product (Transpose:\top 1[mathbf]) x)"),
    (r"{\bm{x}}", "x[bm]"),
    (
        r"\vec{v} + \hat{x} + \tilde{y} + \bar{z} + \dot{w}",
        "(Add v[vec] + x[hat] + y[tilde] + z[bar] + w[dot])",
    ),
    (r"\hat{\mathbf{x}}", "x[mathbf,hat]"),
    (r"\overline{x + y}", "(Accent:overline (Add x + y))"),
    # Greek, numbers, dots
    (r"\alpha \beta \Gamma \varepsilon", r"(Product \alpha \beta \Gamma \varepsilon)"),
    ("3.14 + 2 + .5", "(Add 3.14 + 2 + .5)"),
    (r"x_1, \cdots, x_n", r"(List (Sub x 1) (Dots '\\cdots') (Sub x n))"),
    (r"\ldots \vdots", r"(Product (Dots '\\ldots') (Dots '\\vdots'))"),
    # matrices and cases
    (r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}", "(Matrix:bmatrix [a & b] [c & d])"),
    (r"\begin{pmatrix} 1 \\ 2 \\ \end{pmatrix}", "(Matrix:pmatrix [1] [2])"),
    (r"\begin{array}{cc} a & b \end{array}", "(Matrix:array [a & b])"),
    (
        r"\begin{bmatrix} A & 0 \\ 0 & B \end{bmatrix} x",
        "(Product (Matrix:bmatrix [A & 0] [0 & B]) x)",
    ),
    (r"\begin{bmatrix} a & \\ & d \end{bmatrix}", "(Matrix:bmatrix [a & _] [_ & d])"),
    (
        r"f(x) = \begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}",
        r"(Chain (Apply f x) = (Cases:cases [x & (Chain x > 0)] [0 & (Text '\\text{otherwise}')]))",
    ),
    (
        r"\left\{ \begin{aligned} a &= b \\ c &= d \end{aligned} \right.",
        r"(Paren:\left\{\right. (Aligned:aligned [(Chain a = b)] [(Chain c = d)]))",
    ),
    # ignored: spacing, labels
    (r"a \, b \; c \: d \! e ~ h", "(Product a b c d e h)"),
    # a wide space after an operand separates statements, not before an operator
    (r"A = B \qquad C = D", "(Sequence (Chain A = B) (Chain C = D))"),
    (
        r"f(x) = 0 \quad \text{for } x > 0",
        r"(Sequence (Chain (Apply f x) = 0) (Chain (Product (Text '\\text{for }') x) > 0))",
    ),
    (r"a \quad + b", "(Add a + b)"),
    # two thick spaces are a \quad's width: they separate too (`[H_1 \;\; H_2]` concatenates)
    (r"[H_1 \;\; H_2 \; \; H_3]", "(Paren:[] (Sequence (Sub H 1) (Sub H 2) (Sub H 3)))"),
    (r"a \;\; + b", "(Add a + b)"),
    (r"\sum_i \;\; x_i", r"(BigOp:\sum i _ (Sub x i))"),  # outside brackets: only spacing
    (r"x = 1 \label{eq:1} \tag{2} \nonumber", "(Chain x = 1)"),
    (r"\displaystyle \sum_i x_i", r"(BigOp:\sum i _ (Sub x i))"),
    # text inside math, with nested math
    (
        r"x \in \mathbb{R}^n \text{ for all } n",
        r"(Chain x \in (Product (Space:R n) (Text '\\text{ for all }') n))",
    ),
    (r"a \text{ if $x > 0$}", r"(Product a (Text '\\text{ if $x > 0$}' (Chain x > 0)))"),
    # align rows start or end with a relation or an operator
    ("&= c", "(Chain _ = c)"),
    ("a + b +", "(Add a + b +)"),
    ("x = 1,", "(Chain x = 1)"),
    ("x = 1 .", "(Chain x = 1)"),
    ("f(x) =", "(Chain (Apply f x) = _)"),
    ("=", "(Chain _ = _)"),
    ("(a, b,)", "(Paren:() (List a b))"),
    (r"\left( a + \right.", r"(Paren:\left(\right. (Add a +))"),
    ("x^{(1)+}", "(Power x (Add (Paren:() 1) +))"),
    ("A_{:, i}", "(Sub A (List : i))"),
    ("m_{:: 1}", "(Sub m (Chain _ :: 1))"),
    ("A^+ + B", "(Add (Power A +) + B)"),
    # operators named rather than applied
    (r"\phi(\cdot)", r"(Apply \phi \cdot)"),
    (r"a^{\otimes 3}", r"(Power a (Product \otimes 3))"),
    (r"\sqrt{x} + \sqrt[3]{y}", "(Add (Sqrt x) + (Sqrt y 3))"),
    (r"e^{-x^2/2}", "(Power e (Neg (BinOp:/ (Power x 2) 2)))"),
    (r"\binom{n}{k}", "(Binom n k)"),
    (r"\overset{\text{def}}{=}", r"(Chain _ \overset{\text{def}}{=} _)"),
    ("n!", "(Factorial n)"),
    # \tr and \det without brackets take the whole product after them
    (r"\operatorname{tr} A^\top B", r"(Apply (Func:tr) (Product (Transpose:\top A) B))"),
    (r"\det A \det B", "(Product (Apply (Func:det) A) (Apply (Func:det) B))"),
    (r"\operatorname{tr}(A) B", "(Product (Apply (Func:tr) A) B)"),
    (r"\log x y", "(Product (Apply (Func:log) x) y)"),
    (r"\log x^\top y", r"(Apply (Func:log) (Product (Transpose:\top x) y))"),
    ("1/2 x^T A x", "(Product (BinOp:/ 1 2) (Transpose:T x) A x)"),
    (r"x^2/2\sigma^2", r"(BinOp:/ (Power x 2) (Product 2 (Power \sigma 2)))"),
    (
        r"\log \mathbf{1}^\top \exp(z) - y",
        r"(Add (Apply (Func:log) (Product (Transpose:\top 1[mathbf]) (Apply (Func:exp) z))) - y)",
    ),
    # unknown commands are opaque, not errors
    (r"\foo{a}{b} + x", r"(Add (Opaque '\\foo{a}{b}') + x)"),
    (r"\vx^\top \mA", r"(Product (Transpose:\top (Opaque '\\vx')) (Opaque '\\mA'))"),
]


@pytest.mark.parametrize(("latex", "expected"), CASES, ids=[c[0] for c in CASES])
def test_construct(latex: str, expected: str) -> None:
    assert tree_of(latex) == expected


def test_grammar_is_free_of_conflicts() -> None:
    """LALR(1) with no shift/reduce choices: every reading is the grammar's, not a tie-break."""
    import io
    import logging

    from lark import logger

    from texgrad.syntax.lalr import build_lark, grammar_text

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        build_lark(grammar_text())
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert "conflict" not in stream.getvalue().lower()


def test_declared_functions_apply() -> None:
    parsed = parse_row(MappedText.identity("u(x) + v(x)"), functions=frozenset({"u"}))
    assert show(parsed.tree) == "(Add (Apply u x) + (Product v (Paren:() x)))"


def test_a_tightened_application_keeps_its_ranges() -> None:
    r"""``\sigma\!(x)``: the call spans name to bracket, its argument stays where it is."""
    parsed = parse_row(MappedText.identity(r"\sigma\!(x) + y"))
    call = parsed.tree.terms[0]  # type: ignore[union-attr]
    assert isinstance(call, t.Apply)
    assert call.span == (0, 11) and call.args[0].span == (9, 10)


# -- errors ---------------------------------------------------------------------------------

ERRORS = [
    # (row, message fragment, offending text)
    ("a + {b", "unclosed brace", "{"),
    ("a + b}", "unbalanced closing brace", "}"),
    (r"x \right)", "without a matching \\left", r"\right)"),
    (r"\left( x", "unclosed", r"\left("),
    (r"\begin{bmatrix} a", "unclosed \\begin{bmatrix}", r"\begin{"),
    (r"a \end{bmatrix}", "without a matching \\begin", r"\end{bmatrix}"),
    ("x^^2", "unexpected", "^"),
    ("a = (b", "unclosed (", "("),
    ("a = b +)", "unexpected", ")"),
    (r"\frac{a}", "ends too early", "}"),
]


@pytest.mark.parametrize(("latex", "fragment", "at"), ERRORS, ids=[e[0] for e in ERRORS])
def test_syntax_error_has_precise_range(latex: str, fragment: str, at: str) -> None:
    prefix = "Ünïcödé 数学 "
    text = MappedText.identity(latex, len(prefix))
    parsed = parse_row(text)
    source = prefix + latex
    assert parsed.tree is None
    assert parsed.error is not None
    assert fragment in parsed.error.message
    assert source[parsed.error.start : parsed.error.end] == at


def test_one_bad_region_leaves_the_others() -> None:
    doc = read_text(r"Good $a + b$, bad $\left( x$, good again $\|x\|_2$ and $y^\top$.")
    results = [parse_region(r) for r in doc.regions]
    assert [r[0].error is None for r in results] == [True, False, True, True]
    assert show(results[2][0].tree) == "(Norm x 2)"


def test_never_raises_on_very_long_rows() -> None:
    parsed = parse_row(MappedText.identity("x + " * 10_000 + "x"))
    assert parsed.tree is None and parsed.error is not None
    assert "too long" in parsed.error.message


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    parsed = parse_row(MappedText.identity("{" * 3000 + "x" + "}" * 3000))
    assert parsed.error is None or "cannot read" in parsed.error.message


# -- ranges ---------------------------------------------------------------------------------


def _nodes(tree: t.Node | None) -> list[t.Node]:
    return list(tree.walk()) if tree is not None else []


def test_node_ranges_are_exact_after_non_ascii_text() -> None:
    fx = parse_fixture(
        r"""
        Soit ü ∈ 数学, et $\|A x - b\|_2^2 \le \lambda$.
                           ^^^^^^^
        """
    )
    text = fx.files["main.tex"]
    (region,) = read_text(text).regions
    (row,) = parse_region(region)
    adds = [n for n in _nodes(row.tree) if isinstance(n, t.Add)]
    assert [(a.start, a.end) for a in adds] == fx.ranges["main.tex"]
    assert text[adds[0].start : adds[0].end] == "A x - b"


def test_ranges_after_a_braced_derivative_are_exact() -> None:
    # A node built inside braces and then dropped must not lend its braced range
    # to a later node (this once made `2 P z` start inside `{\partial X}`).
    line = r"\frac{\partial L}{\partial X} = 2 P z"
    parsed = parse_row(MappedText.identity(line))
    assert parsed.tree is not None
    for node in parsed.tree.walk():
        if isinstance(node, (t.Product, t.Chain)):
            assert line[node.start : node.end] in ("2 P z", line)


def test_every_verbatim_node_range_is_its_source_text() -> None:
    source = r"""
\newcommand{\norm}[1]{\left\|#1\right\|}
\def\vx{{\bm{x}}}
Let $A \in \mathbb{R}^{m \times n}$ and
\begin{align}
  f(\vx) &= \frac{1}{2}\norm{A\vx - b}_2^2 + \lambda \sum_{i=1}^n |x_i| \\
  \nabla_x f &= A^\top (Ax - b) + \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix} x
\end{align}
"""
    doc = read_text(source)
    checked = macro_nodes = 0
    for region in doc.regions:
        for row, parsed in zip(region.rows, parse_region(region), strict=True):
            assert parsed.error is None
            for node in _nodes(parsed.tree):
                a, b = node.span
                if node.from_macro:
                    macro_nodes += 1
                    continue
                assert source[node.start : node.end] == row.text.text[a:b]
                checked += 1
    assert checked > 40 and macro_nodes > 3


def test_macro_argument_keeps_its_own_range() -> None:
    source = r"\newcommand{\norm}[1]{\left\|#1\right\|}" + "\n" + r"$\norm{Ax - b}$"
    (region,) = read_text(source).regions
    (row,) = parse_region(region)
    norm = row.tree
    assert isinstance(norm, t.Norm) and norm.from_macro
    assert source[norm.start : norm.end] == r"\norm{Ax - b}"
    assert isinstance(norm.body, t.Add) and not norm.body.from_macro
    assert source[norm.body.start : norm.body.end] == "Ax - b"


def test_macro_symbol_maps_to_the_call() -> None:
    source = r"\def\vx{{\bm{x}}}" + "\n" + r"$\vx^\top y$"
    (region,) = read_text(source).regions
    (row,) = parse_region(region)
    assert show(row.tree) == r"(Product (Transpose:\top x[bm]) y)"
    x = row.tree.factors[0].base  # type: ignore[union-attr]
    assert x.from_macro and source[x.start : x.end] == r"\vx"


def test_rows_of_align_parse_separately_with_their_ranges() -> None:
    source = "\\begin{align}\n  f(x) &= (x - 1)^2 \\\\\n       &= x^2 - 2x + 1\n\\end{align}\n"
    (region,) = read_text(source).regions
    rows = parse_region(region)
    assert [show(r.tree) for r in rows] == [
        "(Chain (Apply f x) = (Power (Paren:() (Add x - 1)) 2))",
        "(Chain _ = (Add (Power x 2) - (Product 2 x) + 1))",
    ]
    second = rows[1].tree
    assert source[second.start : second.end] == "= x^2 - 2x + 1"  # type: ignore[union-attr]


def test_markdown_escape_maps_back() -> None:
    source = r"Here $a\_i + b$ in Markdown."
    (region,) = read_text(source, "markdown").regions
    (row,) = parse_region(region)
    assert show(row.tree) == "(Add (Sub a i) + b)"
    sub = row.tree.terms[0]  # type: ignore[union-attr]
    assert source[sub.start : sub.end] == r"a\_i"


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        # a capital letter or upright text names a matrix (attention, encoder papers) …
        (r"W^Q", "(Tagged W Q)"),
        (r"W_i^K", "(Tagged (Sub W i) K)"),
        (r"W^{V}_i", "(Tagged (Sub W i) V)"),
        (r"\mathbf{G}^Q_i", "(Tagged (Sub G[mathbf] i) Q)"),
        (r"b^{\text{out}}", r"(Tagged b (Text '\\text{out}'))"),
        # a list of tags, one of them upright or bracketed: δ^{h,next}_t, W^{(l),Q}
        (
            r"\delta^{h,\text{next}}_{t-1}",
            r"(Tagged (Sub \delta (Add t - 1)) (List h (Text '\\text{next}')))",
        ),
        (r"W^{(l),Q}", "(Tagged W (List (Paren:() l) Q))"),
        (r"W^{\ell,\mathrm{enc}}", r"(Tagged W (List \ell (Func:enc)))"),
        # … but a transpose mark, a lower-case exponent and the exponential stay what they were
        (r"A^T", "(Transpose:T A)"),
        (r"A^H", "(Transpose:H A)"),
        (r"A^n", "(Power A n)"),
        (r"e^X", "(Power e X)"),
        # … and a list of plain letters or numbers may be a power: it stays one
        (r"A^{n,m}", "(Power A (List n m))"),
        (r"x^{2,3}", "(Power x (List 2 3))"),
        (r"e^{a,\text{b}}", r"(Power e (List a (Text '\\text{b}')))"),
        (r"W^{\infty,\mathrm{enc}}", r"(Power W (List \infty (Func:enc)))"),
    ],
)
def test_superscript_name_tags(latex: str, expected: str) -> None:
    assert tree_of(latex) == expected


# -- TeX's primitive fraction `{a \over b}`: the whole group is over and under it ------------------
OVER_CASES = [
    (r"{a \over b}", "(Frac:over a b)"),
    (r"a \over b", "(Frac:over a b)"),
    (r"1 + {a+1 \over b} c", "(Add 1 + (Product (Frac:over (Add a + 1) b) c))"),
    (r"x^{1 \over 2}", "(Power x (Frac:over 1 2))"),
    (r"{\partial f \over \partial x}", "(Derivative f x)"),
    (r"{{a} \over {b}}", "(Frac:over a b)"),
    # TeX's "Ambiguous" two in one group, and a relation's row, stay unread as before
    (r"{a \over b \over c}", r"(Product a (Opaque '\\over') b (Opaque '\\over') c)"),
    (r"x = a \over b", r"(Chain x = (Product a (Opaque '\\over') b))"),
]


@pytest.mark.parametrize(("latex", "expected"), OVER_CASES, ids=[c[0] for c in OVER_CASES])
def test_over_is_a_fraction(latex: str, expected: str) -> None:
    assert tree_of(latex) == expected


def test_over_fraction_keeps_its_source_range_and_prints_as_written() -> None:
    from texgrad.syntax.latex import latex_of

    line = r"c + {x^\top x \over 2}"
    parsed = parse_row(MappedText.identity(line))
    assert parsed.tree is not None
    (frac,) = [n for n in parsed.tree.walk() if isinstance(n, t.Frac)]
    assert line[frac.start : frac.end] == r"{x^\top x \over 2}"
    assert latex_of(frac) == r"{x^\top x \over 2}"


# -- a sign right after an open sum opens its summand: `\sum_{j=1}^N -\tfrac12 x_j^2` ------------
SIGNED_SUMMANDS = [
    (
        r"\sum_{j=1}^N -\tfrac12 x_j",
        r"(BigOp:\sum (Chain j = 1) N (Neg (Product (Frac:tfrac 1 2) (Sub x j))))",
    ),
    (r"a + \sum_j - x_j + b", r"(Add a + (BigOp:\sum j _ (Neg (Sub x j))) + b)"),
    (r"\frac1N\sum_j -x_j", r"(Product (Frac 1 N) (BigOp:\sum j _ (Neg (Sub x j))))"),
    (r"\sum_j x_j - y", r"(Add (BigOp:\sum j _ (Sub x j)) - y)"),
]


@pytest.mark.parametrize(
    ("latex", "expected"), SIGNED_SUMMANDS, ids=[c[0] for c in SIGNED_SUMMANDS]
)
def test_a_sign_opens_an_open_sums_summand(latex: str, expected: str) -> None:
    assert tree_of(latex) == expected
