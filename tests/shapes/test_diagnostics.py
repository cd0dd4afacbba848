r"""Diagnostics: every code at its exact range, messages, related places, fixes;
precision on correct documents; planted errors where real documents hide them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import check_fixture, expected, found, same_shape, shape, shape_of
from texgrad.reading.project import load_project
from texgrad.shapes.check import Checker
from texgrad.shapes.diagnostics import CODES

# -- each code at its exact range ------------------------------------------------------------

EACH_CODE = [
    (
        "matmul-mismatch",
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $y \in \mathbb{R}^m$. Then $A y$.
                                                                            ^^^
        """,
    ),
    (
        "add-mismatch",
        r"""
        Let $x \in \mathbb{R}^n$, $y \in \mathbb{R}^m$; then $x + y$.
                                                              ^^^^^
        """,
    ),
    (
        "not-square",
        r"""
        Let $A \in \mathbb{R}^{m \times n}$; then $A^{-1}$, $A^3$, $\operatorname{tr}(A)$ and $\det(A)$.
                                                   ^^^^^^    ^^^    ^^^^^^^^^^^^^^^^^^^^       ^^^^^^^
        """,
    ),
    (
        "equation-mismatch",
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^n$, and $y = Ax$.
                                                                                                 ^^^^^^
        """,
    ),
    (
        "elementwise-mismatch",
        r"""
        Let $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$; $x \odot y$ and $x \oslash y$.
                                                            ^^^^^^^^^       ^^^^^^^^^^^
        """,
    ),
    (
        "block-mismatch",
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $B \in \mathbb{R}^{p \times q}$; then $\begin{bmatrix} A & B \end{bmatrix}$.
                                                                                                           ^
        """,
    ),
    (
        "argument-mismatch",
        r"""
        Let $f : \mathbb{R}^n \to \mathbb{R}$ and $x \in \mathbb{R}^m$; then $f(x)$.
                                                                                ^
        """,
    ),
    (
        "redeclared",
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $A \in \mathbb{R}^{n \times n}$ here.
                                                 ^
        """,
    ),
]


@pytest.mark.parametrize(("code", "doc"), EACH_CODE, ids=[c for c, _ in EACH_CODE])
def test_each_code_at_its_exact_range(tmp_path: Path, code: str, doc: str) -> None:
    fx, result = check_fixture(tmp_path, doc)
    assert found(result) == expected(fx, code)
    assert code in CODES
    severity = "warning" if code == "redeclared" else "error"
    assert {d.severity for d in result.diagnostics} == {severity}


def test_diagnostics_carry_the_path_of_the_document(tmp_path: Path) -> None:
    fx, result = check_fixture(tmp_path, EACH_CODE[0][1])
    (d,) = result.diagnostics
    assert Path(d.path) == (tmp_path / "main.tex").resolve()


# -- messages ------------------------------------------------------------------------------


def test_matmul_message_names_both_shapes_and_dimensions(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $y \in \mathbb{R}^m$. Then $A y$.
        """,
    )
    (d,) = result.diagnostics
    assert d.message.startswith("`A` is m×n but `y` ∈ ℝᵐ: inner dimensions n and m differ"), (
        d.message
    )
    assert "transposing `A`" in d.message


def test_matmul_message_quotes_a_differential_with_what_it_applies_to(tmp_path: Path) -> None:
    # Ng's backprop notes: "$dA^{[l-1]} = W^{[l]} dZ^{[l]}$" quotes `dZ^{[l]}`, not `W^{[l]} d`
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W^{[l]} \in \mathbb{R}^{n^{[l]} \times n^{[l-1]}}$ and $Z^{[l]} \in \mathbb{R}^{n^{[l]} \times m}$.
        Then $(W^{[l]})^\top dZ^{[l]}$, but not $W^{[l]} dZ^{[l]}$.
                                                 ^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    (d,) = result.diagnostics
    assert d.message.startswith("`W^{[l]}` is n^{[l]}×n^{[l-1]} but `dZ^{[l]}` is n^{[l]}×m"), (
        d.message
    )
    assert "transposing `W^{[l]}`" in d.message


def test_add_message(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$ and $B \in \mathbb{R}^{p \times q}$; then $x + B$.
        """,
    )
    (d,) = result.diagnostics
    assert d.code == "add-mismatch"
    assert "`x` ∈ ℝⁿ" in d.message and "`B` is p×q" in d.message, d.message


def test_not_square_message(tmp_path: Path) -> None:
    fx, result = check_fixture(tmp_path, "Let $A \\in \\mathbb{R}^{m \\times n}$; $A^{-1}$.\n")
    (d,) = result.diagnostics
    assert "inverse" in d.message and "`A` is m×n" in d.message, d.message


def test_trace_message(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path, "Let $A \\in \\mathbb{R}^{m \\times n}$; $\\operatorname{tr}(A)$.\n"
    )
    (d,) = result.diagnostics
    assert "trace" in d.message and "`A` is m×n" in d.message, d.message


def test_equation_message(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^n$: $y = Ax$.
        """,
    )
    (d,) = result.diagnostics
    assert "`y` ∈ ℝⁿ" in d.message and "`Ax` ∈ ℝᵐ" in d.message, d.message


def test_elementwise_message(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{m \times n}$ and $Y \in \mathbb{R}^{n \times m}$: $X \odot Y$.
        """,
    )
    (d,) = result.diagnostics
    assert "Hadamard" in d.message
    assert "`X` is m×n" in d.message and "`Y` is n×m" in d.message, d.message


def test_argument_message(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $f : \mathbb{R}^n \to \mathbb{R}^k$ and $x \in \mathbb{R}^m$; then $f(x)$.
        """,
    )
    (d,) = result.diagnostics
    assert "`f`" in d.message and "`x` ∈ ℝᵐ" in d.message, d.message
    assert "ℝⁿ" in d.message or "ℝ^{n}" in d.message, d.message
    (rel,) = d.related
    text = fx.files["main.tex"]
    assert text[rel.start : rel.end] == "f"


def test_redeclared_message_and_related(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $A \in \mathbb{R}^{n \times n}$ here.
        """,
    )
    (d,) = result.diagnostics
    assert "ℝ^{m×n}" in d.message and "ℝ^{n×n}" in d.message, d.message
    (rel,) = d.related
    text = fx.files["main.tex"]
    assert (rel.start, rel.end) == (text.index("A"), text.index("A") + 1)


def test_one_mistake_gives_one_message(tmp_path: Path) -> None:
    """After a mismatch the result is unknown: the sum around it is not reported again."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$, $y \in \mathbb{R}^m$.
        Then $A y + x = y$ has one mistake.
              ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_mismatch_after_an_unknown_factor_is_found(tmp_path: Path) -> None:
    """``A y`` cannot be multiplied in any bracketing, whatever the factor before it."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$, $y \in \mathbb{R}^m$.
        Then $u^\top A y$ and $(A y + x)^\top A y$ are wrong wherever $u$ comes from.
                     ^^^        ^^^           ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_equation_after_a_derivative_has_the_exact_range(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $P \in \mathbb{R}^{n \times n}$, $X \in \mathbb{R}^{n \times p}$, $z \in \mathbb{R}^n$ and $L = \|X\|_F^2$.
        \begin{equation}
          \frac{\partial L}{\partial X} = 2 P z
          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        \end{equation}
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")
    (d,) = result.diagnostics
    assert "`2 P z` ∈ ℝⁿ" in d.message, d.message


# -- related locations ---------------------------------------------------------------------------


def test_related_point_at_both_declarations(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$.

        Later, $y \in \mathbb{R}^m$ and we compute $A y$.
        """,
    )
    (d,) = result.diagnostics
    text = fx.files["main.tex"]
    spots = sorted((r.start, text[r.start : r.end]) for r in d.related)
    assert spots == [(text.index("A \\in"), "A"), (text.index("y \\in"), "y")]
    assert all("declared" in r.message for r in d.related)
    assert "ℝ^{m×n}" in d.related[0].message


def test_related_point_into_the_notation_file(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \begin{document}
        \input{notation}
        Then $x + y$.
              ^^^^^
        \end{document}
        %! notation.tex
        Let $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")
    (d,) = result.diagnostics
    notation = fx.files["notation.tex"]
    assert [(Path(r.path).name, notation[r.start : r.end]) for r in d.related] == [
        ("notation.tex", "x"),
        ("notation.tex", "y"),
    ]


def test_related_point_at_a_prose_declaration(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W$ be an $m \times n$ matrix and $v$ an $m$-dimensional vector. Then $W v$.
                                                                                   ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    (d,) = result.diagnostics
    text = fx.files["main.tex"]
    assert sorted(text[r.start : r.end] for r in d.related) == ["W", "v"]


# -- transpose fixes as data -------------------------------------------------------------------


def test_transpose_fix_for_a_product(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $y \in \mathbb{R}^m$. Then $Ay$.
        """,
    )
    (d,) = result.diagnostics
    assert d.fixes, d.message
    fix = d.fixes[0]
    assert fix.text == "A^\\top"
    text = fx.files["main.tex"]
    assert text[fix.start : fix.end] == "A"
    assert fix.path == d.path


def test_fix_removes_an_existing_transpose(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$. Then $A^\top x$.
        """,
    )
    (d,) = result.diagnostics
    text = fx.files["main.tex"]
    assert [(text[f.start : f.end], f.text) for f in d.fixes] == [("A^\\top", "A")]


def test_transpose_fix_for_a_sum(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $B \in \mathbb{R}^{n \times m}$. Then $A + B$.
        """,
    )
    (d,) = result.diagnostics
    assert d.code == "add-mismatch"
    text = fx.files["main.tex"]
    assert [(text[f.start : f.end], f.text) for f in d.fixes] == [("B", "B^\\top")]


def test_no_fix_where_no_transpose_helps(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $z \in \mathbb{R}^p$. Then $A z$.
        """,
    )
    (d,) = result.diagnostics
    assert d.fixes == ()
    assert "would make it agree" not in d.message


@pytest.mark.parametrize(
    "doc",
    [
        r"Let $A \in \mathbb{R}^{m \times n}$ and $y \in \mathbb{R}^m$. Then $A y$.",
        r"Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$. Then $A^\top x$.",
        r"Let $A \in \mathbb{R}^{m \times n}$ and $B \in \mathbb{R}^{n \times m}$. Then $A + B$.",
        r"Let $A \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{n \times m}$. Then $A = B$.",
        r"Let $y \in \mathbb{R}^n$ and $A \in \mathbb{R}^{m \times n}$. Then $y^\top A$.",
    ],
)
def test_applying_the_fix_makes_the_document_agree(tmp_path: Path, doc: str) -> None:
    fx, result = check_fixture(tmp_path, doc + "\n")
    (d,) = result.diagnostics
    assert d.fixes, d.message
    fix = d.fixes[0]
    text = fx.files["main.tex"]
    fixed = text[: fix.start] + fix.text + text[fix.end :]
    path = tmp_path / "fixed.tex"
    path.write_text(fixed, encoding="utf-8")
    again = Checker().check(str(path), load_project(path, folder=tmp_path), tmp_path)
    assert again.diagnostics == [], fixed


# -- precision: correct documents give no diagnostics at all ------------------------------------

PAPER = r"""
%! paper.tex
\documentclass{article}
\usepackage{amsmath,amssymb,bm}
\newcommand{\R}{\mathbb{R}}
\newcommand{\vx}{\mathbf{x}}
\newcommand{\mA}{\mathbf{A}}
\DeclareMathOperator{\tr}{tr}
\DeclareMathOperator*{\argmin}{arg\,min}
\begin{document}

\section{Regularised least squares}
Let $\mA \in \R^{m \times n}$ be the data, $\vx \in \R^n$ the parameters and
$b \in \R^m$ the targets, and fix a scalar $\lambda$. We solve
\begin{equation}
  \vx^\star = \argmin_{\vx \in \R^n} \; \frac{1}{2}\|\mA\vx - b\|_2^2 + \frac{\lambda}{2}\|\vx\|_2^2 .
\end{equation}
Setting the gradient to zero gives
\begin{align}
  \nabla_{\vx} \Big(\tfrac{1}{2}\|\mA\vx - b\|^2\Big) &= \mA^\top(\mA\vx - b), \\
  \vx^\star &= (\mA^\top\mA + \lambda I)^{-1}\mA^\top b .
\end{align}
Here $x_i$ is the $i$-th entry of $\vx$, so $\sum_{i=1}^n x_i^2 = \|\vx\|^2 = \vx^\top \vx$,
and the feasible set $\{\vx \in \R^n : \mA\vx = b\}$ may be empty. Each solve costs \$5,
or \$20 with the full data. Note $\vx^\top \vx \, \mA$ scales the data, and
$b^\top \mA \vx$ is a number.
% a comment is not math: $\mA b$

\section{Dynamics}
Let $x_t \in \R^d$ be the state, $A \in \R^{d \times d}$ symmetric, $B \in \R^{d \times k}$
and $u_t \in \R^k$. The state evolves as
\begin{equation}
  x_{t+1} = A x_t + B u_t, \qquad t = 0, 1, \dots, T-1,
\end{equation}
and the total cost is
\begin{equation}
  J = \sum_{t=1}^T \left( x_t^\top Q x_t + u_t^\top R u_t \right) + x_T^\top P_f x_T .
\end{equation}
Since $A$ is symmetric, $A = A^\top$; at rest $x_t = 0$ and $u_t = 0$.
Let $f : \R^d \to \R$ be smooth; its derivative $f'(x_t)$ and $f''$ exist, and
$p(x_{t+1} \mid x_t, u_t)$ is the transition density, $p(x | y) \propto p(y | x) p(x)$.

\section{Attention}
Let $Q, K \in \R^{N \times d_k}$ and $V \in \R^{N \times d_v}$. Then
\begin{equation}
  \operatorname{Attn}(Q, K, V) = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V .
\end{equation}

\section{Quadratic forms}
For $P \in \mathbb{S}^n_{++}$ and $z \in \R^n$ we have $z^\top P z > 0$ unless $z = 0$,
$\tr(P^{-1}) > 0$, $\det(P) > 0$ and $\log\det P \le \tr(P) - n$.
With $X \in \R^{n \times p}$ and $C \in \R^{p \times q}$,
\begin{equation}
  \operatorname{vec}(\mA X C) = (C^\top \otimes \mA) \operatorname{vec}(X), \qquad
  \frac{\partial\, \tr(X^\top P X)}{\partial X} = 2 P X .
\end{equation}
\begin{verbatim}
$X z$ here is verbatim, not math
\end{verbatim}
\end{document}
"""


def test_paper_with_tricky_correct_math_is_quiet(tmp_path: Path) -> None:
    fx, result = check_fixture(tmp_path, PAPER)
    text = fx.files["paper.tex"]
    assert [(d.code, text[d.start : d.end], d.message) for d in result.diagnostics] == []
    # not quiet for want of reading it: the declarations were understood
    assert same_shape(shape_of(result, r"(\mA^\top\mA + \lambda I)^{-1}\mA^\top b"), shape("n"))
    assert same_shape(shape_of(result, r"A x_t + B u_t"), shape("d"))
    assert same_shape(shape_of(result, r"z^\top P z"), shape(1, 1))


MARKDOWN = r"""
%! notes.md
# Linear regression notes

Let $X \in \mathbb{R}^{N \times D}$ be the design matrix, $w \in \mathbb{R}^D$ the weights
and $y \in \mathbb{R}^N$ the targets.

The loss is

$$
L(w) = \frac{1}{2N} \|Xw - y\|_2^2
$$

and its gradient is

$$
\nabla_w L = \frac{1}{N} X^\top (Xw - y).
$$

The normal equations $X^\top X w = X^\top y$ give $w^\star = (X^\top X)^{-1} X^\top y$,
and $w = 0$ is where gradient descent starts.

Prices: the dataset cost \$5 and the GPU \$20.

```python
# $X w$ and $w X$ are code, not math
loss = ((X @ w - y) ** 2).mean()
```

Inline code `$w X$` is not math either.

- each prediction is $\hat y_i = x_i^\top w$ for a sample $x_i$;
- the residual $r = y - Xw$ has $\|r\|^2 = r^\top r$;
- $w_j$ is a scalar entry and $\sum_{j=1}^D w_j^2 = \|w\|^2 = w^\top w$;
- over $T$ steps, $\sum_{t=1}^T \eta_t \nabla_w L$ is the total update.

$$
\begin{aligned}
\|Xw - y\|^2 &= (Xw - y)^\top (Xw - y) \\
&= w^\top X^\top X w - 2 y^\top X w + y^\top y
\end{aligned}
$$

The Gram matrix $S = X^\top X$ is symmetric: $S = S^\top$, and $y^\top X w \, w$ is a scaled
vector. The likelihood is $p(y \mid X, w) = \mathcal{N}(y \mid Xw, \sigma^2 I)$ and
$f'(w)$ is a derivative.
"""


def test_markdown_with_tricky_correct_math_is_quiet(tmp_path: Path) -> None:
    fx, result = check_fixture(tmp_path, MARKDOWN)
    text = fx.files["notes.md"]
    assert [(d.code, text[d.start : d.end], d.message) for d in result.diagnostics] == []
    assert same_shape(shape_of(result, r"(X^\top X)^{-1} X^\top y"), shape("D"))
    assert same_shape(shape_of(result, r"y^\top X w \, w"), shape("D"))


QUIET = [
    # scalars from 1×1 forms
    r"Let $A \in \mathbb{R}^{n \times n}$, $x, y \in \mathbb{R}^n$: $x^\top y A$, $(x^\top A x) y$, $x^\top A y \, x$.",
    # \sum_{t=1}^T: T is an upper limit, not a transpose
    r"Let $x_t \in \mathbb{R}^n$, $W \in \mathbb{R}^{m \times n}$: $\sum_{t=1}^T W x_t$, $\sum_{t=1}^{T} x_t^\top x_t$.",
    # elements of vectors and matrices
    r"Let $x \in \mathbb{R}^n$, $A \in \mathbb{R}^{m \times n}$: $x_i A$, $A_{ij} x_j$, $\sum_j A_{ij} x_j$.",
    # undeclared symbols are unknown
    r"Let $A \in \mathbb{R}^{m \times n}$: $A u$, $U A$, $A + E$, $M^{-1} A$, $\tr(G)$.",
    # primes as derivatives
    r"Let $f : \mathbb{R} \to \mathbb{R}$ and $x \in \mathbb{R}$: $f'(x)$, $f''(x) + f'(x)$, $g'(t) = 2t$.",
    r"Let $x \in \mathbb{R}^n$: $x'$ is another point and $x' - x$ their difference.",
    # set notation and probability
    r"Let $A \in \mathbb{R}^{m \times n}$, $b \in \mathbb{R}^m$: $\{x \in \mathbb{R}^n : Ax = b\}$, $\{x : Ax \le b\}$.",
    r"Let $x \in \mathbb{R}^n$, $y \in \mathbb{R}^m$: $p(x | y)$, $p(x \mid y)$, $p(y \mid x) p(x)$, $\mathbb{E}[x \mid y]$.",
    # escaped dollars
    r"Let $x \in \mathbb{R}^n$, $y \in \mathbb{R}^m$. It costs \$5 and x y \$6 to store $x$ and $y$.",
    # zero vectors and symmetry
    r"Let $x \in \mathbb{R}^n$, $A \in \mathbb{R}^{n \times n}$: $x = 0$, $Ax = 0$, $A = A^\top$, $A^\top = A$, $x \ne \mathbf{0}$.",
    # broadcasting a bias, identity matrices
    r"Let $X \in \mathbb{R}^{N \times d}$, $W \in \mathbb{R}^{d \times k}$, $b \in \mathbb{R}^k$: $XW + b^\top$, $W^\top W + \lambda I$.",
    # inequalities and norms between vectors and scalars
    r"Let $x \in \mathbb{R}^n$, $A \in \mathbb{R}^{m \times n}$: $\|Ax\| \le \|A\| \|x\|$, $x \ge 0$, $\|x\|_1 = \sum_i |x_i|$.",
]


@pytest.mark.parametrize("body", QUIET)
def test_correct_math_is_quiet(tmp_path: Path, body: str) -> None:
    fx, result = check_fixture(tmp_path, body + "\n")
    text = fx.files["main.tex"]
    assert [(d.code, text[d.start : d.end]) for d in result.diagnostics] == []


def test_a_vector_plus_a_sized_identity_is_no_broadcast(tmp_path: Path) -> None:
    r"""A column may be added along an n×q matrix (``X - \mu``), but not to ``I_n``: the
    identity is a matrix by nature, so ``A\mathbf{1}_n + I_n`` mixes a vector and a matrix."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $X \in \mathbb{R}^{n \times q}$, $\mu \in \mathbb{R}^n$ and $\rho > 0$. Degrees
        $A \mathbf{1}_n$ and $X - \mu$ are fine, and $\tilde A = A + I_n$ too, but not
        $A \mathbf{1}_n + I_n$ nor $\mu - \rho I_n$.
         ^^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_column_plus_a_square_matrix_is_no_broadcast(tmp_path: Path) -> None:
    r"""A column added to a square matrix is a mistake (``L = \mathbf{d} - A`` for the degree
    matrix, ``tQ + X^{-2}\mathbf{1}``), not broadcasting: ML papers broadcast a mean or a
    bias along a data matrix (``X - \mu``, ``XW + b^\top``), whose sizes differ; a row along
    a square matrix still broadcasts."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $X \in \mathbb{R}^{n \times q}$, $d, \mu \in \mathbb{R}^n$ and $b \in \mathbb{R}^q$.
        Then $X - \mu$, $X + b^\top$, $A + \mu^\top$ and $\operatorname{diag}(d) - A$ are fine, but not
        $L = d - A$ nor $A + \mu$.
             ^^^^^       ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_power_of_a_square_matrix_by_any_count_is_square(tmp_path: Path) -> None:
    r"""``\hat A^K``, ``P^t``, ``A^{k+1}``: square, whatever the count; ``W^K`` of a non-square
    ``W`` (a tag), ``\Sigma^X`` and ``\Sigma^y`` (labels: the covariance of X, of y) are never
    flagged."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $X \in \mathbb{R}^{n \times d}$, $\Theta \in \mathbb{R}^{d \times c}$,
        $\Sigma \in \mathbb{R}^{d \times d}$, $W \in \mathbb{R}^{d \times k}$, $Y \in \mathbb{R}^{n \times q}$. Then
        $Z = \hat A^K X \Theta$ with $\hat A = A$, $A^t X$, $A^{k+1} X$, $A^{-2t} X$, $X^\top W^K$, $\Sigma^X$, $Y \Sigma^y$
        are fine, but not $Z^\top = A^K X \Theta$ nor $X A^{t}$.
                           ^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", "matmul-mismatch")


def test_align_rows_are_quiet(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $b \in \mathbb{R}^m$.
        \begin{align}
          r &= Ax - b, \\
          \|r\|^2 &= x^\top A^\top A x - 2 b^\top A x + b^\top b, \\
          \nabla_x \|r\|^2 &= 2 A^\top (Ax - b) \nonumber
        \end{align}
        """,
    )
    assert found(result) == set()


# -- planted errors where real documents hide them -----------------------------------------------


def test_planted_error_inside_a_macro(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \newcommand{\mA}{\mathbf{A}}
        \newcommand{\vy}{\mathbf{y}}
        \newcommand{\vx}{\mathbf{x}}
        Let $\mA \in \mathbb{R}^{m \times n}$, $\vx \in \mathbb{R}^n$ and $\vy \in \mathbb{R}^m$.
        Then $\mA\vx$ and $\mA^\top \vy$ are fine, but $\mA y$ and $\mA \vy$ are not.
                                                        ^^^^^       ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_planted_error_in_a_macro_with_arguments(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \newcommand{\norm}[1]{\left\| #1 \right\|}
        \newcommand{\inner}[2]{#1^\top #2}
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        Then $\norm{Ax - y}$ and $\inner{y}{Ax}$ are fine, but $\norm{Ax - x}$ is not.
                                                                      ^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_planted_error_across_project_files(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! chapters/results.tex
        \section{Results}
        The prediction is $\hat y = X \beta$ and the residual $y - X\beta$;
        the score $X^\top y$ is fine, but $X y$ is not.
                                           ^^^
        %! main.tex
        \documentclass{article}
        \input{macros}
        \begin{document}
        \input{chapters/notation}
        \input{chapters/results}
        \end{document}
        %! macros.tex
        \newcommand{\R}{\mathbb{R}}
        %! chapters/notation.tex
        \section{Notation}
        Let $X \in \R^{N \times p}$, $\beta \in \R^p$ and $y \in \R^N$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_planted_error_in_the_notation_file_use(tmp_path: Path) -> None:
    """The root file itself uses the chapter's notation."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \begin{document}
        \input{notation}
        The map $W h$ is wrong.
                 ^^^
        \end{document}
        %! notation.tex
        Throughout, $W \in \mathbb{R}^{d \times k}$ and $h \in \mathbb{R}^d$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_planted_error_in_prose_declared_symbols(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W$ be an $m \times n$ matrix and $v$ an $n$-dimensional vector. Let $X$ of size
        $N \times n$ hold the inputs and fix a scalar $\lambda$.
        Then $W v$, $X W^\top$ and $\lambda W$ are fine, but $X W$ is not.
                                                              ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_planted_errors_in_align_rows(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $b \in \mathbb{R}^m$.
        \begin{align}
          r &= Ax - b, \\
          g &= A^\top r, \\
          h &= A r, \\
               ^^^
          x &= x - (A x - b)
               ^^^^^^^^^^^^^
        \end{align}
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", "add-mismatch")


def test_planted_error_in_an_align_row_with_several_columns(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        \begin{align*}
          u &= A x, & v &= A^\top y, \\
          s &= A y, & t &= x^\top A^\top y
               ^^^
        \end{align*}
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_planted_errors_in_markdown_blocks_and_inline_math(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        # Notes

        Let $X \in \mathbb{R}^{N \times D}$, $w \in \mathbb{R}^D$ and $y \in \mathbb{R}^N$.

        ```python
        # $X^\top w$ in code is not math
        ```

        $$
        \nabla_w \|Xw - y\|^2 = 2 X^\top (X w - y)
        $$

        $$
        g = X^\top w
            ^^^^^^^^
        $$

        Inline: the residual $Xw - w$ is wrong too, and so is $$y + w$$ here.
                              ^^^^^^                            ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", "add-mismatch", "add-mismatch")


def test_planted_error_in_markdown_inline_math_in_a_list(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.

        - the forward map is $A x$;
        - the adjoint is $A x^\top$, which is wrong.
                          ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_planted_error_in_markdown_with_comment_declaration(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        <!-- texgrad: K nxn, v n, u m -->

        The kernel acts as $K v$ and $v^\top K v$ is a number; $K u$ is wrong.
                                                                ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


HELD_OUT = r"""
%! main.tex
\documentclass{article}
\input{defs}
\begin{document}
\input{sections/model}
\end{document}
%! defs.tex
\newcommand{\R}{\mathbb{R}}
\newcommand{\mW}{\mathbf{W}}
\newcommand{\vh}{\mathbf{h}}
%! sections/model.tex
\section{Model}
Let $\mW \in \R^{k \times d}$ be the weights, $\vh \in \R^{d}$ the hidden state and
$b \in \R^k$ the bias. Let $U$ be a $k \times k$ matrix and fix a scalar $\gamma$.
The output is $o = \tanh(\mW\vh + b)$ and the loss $\ell = \|o\|_2^2$, whose gradient
$\nabla_{\vh} \ell$ lies in $\R^d$. We have $\gamma U o$ and $o^\top U o \ge 0$;
$\sum_{t=1}^T o^\top o$ is a scalar and $h_i$ is an entry of $\vh$.
\begin{align}
  z &= U o + b, \\
  e &= \mW^\top z + \vh, \\
  q &= \mW z
       ^^^^^
\end{align}
The update $\vh - \gamma \nabla_{\vh} \ell$ is fine; the update $b - \gamma \vh$ is not.
                                                                 ^^^^^^^^^^^^^^
Finally $U^{-1} o$ is fine and $\operatorname{tr}(\mW)$ is not.
                                ^^^^^^^^^^^^^^^^^^^^^^
"""


def test_held_out_style_document(tmp_path: Path) -> None:
    fx, result = check_fixture(tmp_path, HELD_OUT, name="sections/model.tex")
    assert found(result) == expected(
        fx, "matmul-mismatch", "add-mismatch", "not-square", name="sections/model.tex"
    )


def test_brackets_after_an_unknown_factor_may_be_its_arguments(tmp_path: Path) -> None:
    """``A(x) x`` with A undeclared is a matrix function applied to x, times x: no message."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$. The derivative of $A(x) x$ uses the product rule.
        """,
    )
    assert found(result) == set()


def test_product_message_names_every_declared_left_factor(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{n \times p}$, $x \in \mathbb{R}^m$.
        Then $A B x$ is wrong.
              ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    (d,) = result.diagnostics
    text = fx.files["main.tex"]
    assert [text[r.start : r.end] for r in d.related] == ["A", "B", "x"]


def test_argument_message_uses_one_notation(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $f : \mathbb{R}^n \to \mathbb{R}^k$ and $x \in \mathbb{R}^m$; then $f(x)$.
        """,
    )
    (d,) = result.diagnostics
    assert d.message == "`f` takes ℝⁿ but `x` ∈ ℝᵐ", d.message
    assert d.related[0].message == "`f` : ℝⁿ → ℝᵏ"


def test_dimensions_are_named_as_the_document_writes_them(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times d_{\text{model}}}$, $W \in \mathbb{R}^{d_k \times d_\mathrm{ff}}$,
        $K_* \in \mathbb{R}^{n \times n_*}$. Then $X W$ and $K_* K_*$.
        """,
    )
    first, second = (d.message for d in result.diagnostics)
    assert first.startswith(
        r"`X` is n×d_{\text{model}} but `W` is d_k×d_{\mathrm{ff}}: inner dimensions "
        r"d_{\text{model}} and d_k differ"
    ), first
    assert second.startswith("`K_*` is n×n_* but `K_*` is n×n_*: inner dimensions n_* and n"), (
        second
    )


@pytest.mark.parametrize(
    ("dim", "written"),
    [
        ("n", "ℝⁿ"),
        ("2n", "ℝ²ⁿ"),
        ("n + p", "ℝ^{n + p}"),
        ("n_{l+1}", "ℝ^{n_{l+1}}"),
        ("d_k", "ℝ^{d_k}"),
    ],
)
def test_a_space_is_written_with_a_superscript_only_when_it_reads_as_one(
    dim: str, written: str
) -> None:
    from texgrad.shapes.messages import space

    assert space(dim) == written


def test_no_transpose_hint_where_a_stated_fact_rules_it_out(tmp_path: Path) -> None:
    # with m = 1, the transpose of a 2×2 matrix is no more 1×1 than the matrix is
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $T \in \mathbb{R}^{m \times m}$. With $m = 1$, $T = \begin{bmatrix} 1 & 1 \\ 0 & 1 \end{bmatrix}$ is wrong.
        """,
    )
    (d,) = result.diagnostics
    assert d.code == "equation-mismatch" and "transposing" not in d.message and not d.fixes


def test_a_subscript_of_letters_is_named_as_written(tmp_path: Path) -> None:
    # d_{ff} (the feed-forward width) is d_{ff}, not d_{f f}; h_{2k} keeps its product
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $W_1 \in \mathbb{R}^{d \times d_{ff}}$, $V \in \mathbb{R}^{h_{2k} \times d}$. Then $W_1 W_1$ and $V V$.
        """,
    )
    first, second = (d.message for d in result.diagnostics)
    assert first.startswith("`W_1` is d×d_{ff} but `W_1` is d×d_{ff}: inner dimensions d_{ff}"), (
        first
    )
    assert second.startswith("`V` is h_{2k}×d but `V` is h_{2k}×d"), second


def test_an_equation_a_wrong_derivative_unbalances_is_said_once() -> None:
    from texgrad.shapes.diagnostics import Diagnostic, said_once

    def d(code: str, start: int, end: int, severity: str = "error", path: str = "a.tex"):
        return Diagnostic(code, severity, code, path, start, end)  # type: ignore[arg-type]

    wrong = d("wrong-derivative", 30, 40, "warning")
    elsewhere = d("wrong-derivative", 90, 95, "warning")
    unbalanced = d("equation-mismatch", 10, 40)  # the whole equation, holding the finding
    inner = d("matmul-mismatch", 32, 36)  # another mistake inside its right side
    other = d("equation-mismatch", 50, 60)  # another equation
    other_file = d("equation-mismatch", 10, 40, path="b.tex")
    said = said_once([unbalanced, inner, other, other_file], [wrong, elsewhere])
    assert [(x.code, x.start, x.path, x.severity) for x in said] == [
        ("matmul-mismatch", 32, "a.tex", "error"),
        ("equation-mismatch", 50, "a.tex", "error"),
        ("equation-mismatch", 10, "b.tex", "error"),
        ("wrong-derivative", 30, "a.tex", "error"),  # in the mismatch's place, as an error
        ("wrong-derivative", 90, "a.tex", "warning"),
    ]
    assert said_once([unbalanced], []) == [unbalanced]


def test_a_letter_declared_again_in_a_clause_of_its_own_conditions_is_no_conflict(
    tmp_path: Path,
) -> None:
    """A cheat sheet re-uses X in one sentence, each use under its own "for …" (a
    Stack Exchange answer: "for invertible X ∈ ℝ^{n×n}, …, and for k(X) with X ∈ ℝ^{n×p}");
    two shapes in one list of declarations are still a conflict."""
    _, result = check_fixture(
        tmp_path,
        r"""
        For invertible $X \in \mathbb{R}^{n \times n}$, $\log\det X$ is smooth, and for
        $k(X) = \log\det(X^\top X)$ with $X \in \mathbb{R}^{n \times p}$ of full rank, so is $k$.
        """,
    )
    assert result.diagnostics == []
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times n}$, $y \in \mathbb{R}^n$, $X \in \mathbb{R}^{n \times p}$.
        """,
    )
    assert [d.code for d in result.diagnostics] == ["redeclared"]
