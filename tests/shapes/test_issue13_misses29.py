r"""The issue-13 misses made general rules (session 29): a set the document names and then
declares with (``\St(n,p) = \{X \in \mathbb{R}^{n \times p} : …\}``, then ``U \in \St(m,k)``),
and a matrix written before a bracket (``X G(\mathbf{y} - \boldsymbol\mu)`` for a matrix G).
Each with a planted error and a trap."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import check_fixture, codes_by_line, declaration


@pytest.mark.parametrize(
    ("name", "params"),
    [
        (r"\mathrm{St}", "(n,p)"),
        (r"\operatorname{St}", "(n, p)"),
        (r"\mathcal{V}", "(n,p)"),
        (r"\mathcal{V}_p", "(n)"),
    ],
)
def test_a_named_set_sizes_its_members_by_the_sizes_written(
    tmp_path: Path, name: str, params: str
) -> None:
    # book-stiefel-procrustes-28: \St(n,p) = \{X \in R^{n×p} : X^T X = I_p\}, then U_p \in
    # \St(n,p); here the member is declared with other sizes than the definition's
    args = "(m,k)" if params.count(",") else "(m)"
    member = name.replace("_p", "_k")
    text = rf"""
    %! main.md
    The set $NAME{params} = \{{X \in \mathbb{{R}}^{{n \times p}} : X^\top X = I_p\}}$ of frames.
    Take $U \in MEMBER{args}$ and $A \in \mathbb{{R}}^{{m \times m}}$, $B \in \mathbb{{R}}^{{k \times k}}$.
    Right: $A U B$ and $U^\top A U$. Wrong: $U A$.
    """.replace("NAME", name).replace("MEMBER", member)
    fx, result = check_fixture(tmp_path, text)
    u = declaration(result, "U")
    assert u is not None and u.shape.short() == "m×k"
    assert codes_by_line(text, tmp_path) == [(3, "matmul-mismatch")]


def test_a_named_sets_own_letter_and_the_optimum_over_it(tmp_path: Path) -> None:
    # \mathcal{O}(n) of the orthogonal matrices; Q \in \mathcal{O}(d) and \min_{R \in \mathcal{O}(d)}
    text = r"""
    %! main.md
    Let $\mathcal{O}(n) = \{Q \in \mathbb{R}^{n \times n} : Q^\top Q = I_n\}$ and $Y \in \mathbb{R}^{d \times N}$.
    Procrustes: $\min_{R \in \mathcal{O}(d)} \lVert R Y - Z \rVert_F$ with $Z \in \mathbb{R}^{d \times N}$.
    A slip: $Y R$ for the rotated data.
    """
    assert codes_by_line(text, tmp_path) == [(3, "matmul-mismatch")]


def test_a_member_of_a_set_named_nowhere_or_with_other_sizes_is_left(tmp_path: Path) -> None:
    # \mathcal{M}(n) is never defined; \mathrm{Gr}(n,p) is given two sizes but has one: nothing
    text = r"""
    %! main.md
    Let $\mathrm{Gr}(n) = \{P \in \mathbb{R}^{n \times n} : P^2 = P\}$ and $A \in \mathbb{R}^{m \times k}$.
    Take $X \in \mathcal{M}(m, k)$ and $Y \in \mathrm{Gr}(m, k)$: then $X A$ and $A Y$ say nothing.
    """
    _, result = check_fixture(tmp_path, text)
    assert declaration(result, "X") is None
    assert codes_by_line(text, tmp_path) == []


def test_a_named_set_defined_in_another_file_of_the_project(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    \input{notation}
    Let $W \in \mathrm{St}(d, r)$ and $x \in \mathbb{R}^{d}$. Then $W^\top x$ is right and $W x$ is not.
    \end{document}
    %! notation.tex
    Throughout, $\mathrm{St}(n, p) = \{X \in \mathbb{R}^{n \times p} : X^\top X = I_p\}$.
    """
    assert codes_by_line(text, tmp_path) == [(4, "matmul-mismatch")]


@pytest.mark.parametrize(
    "defined",
    [
        r"$G = \operatorname{diag}(g'(\mu_1), \dots, g'(\mu_n))$",
        r"$G \in \mathbb{R}^{n \times n}$ diagonal",
    ],
)
def test_a_matrix_before_a_bracket_is_a_product(tmp_path: Path, defined: str) -> None:
    # notes-irls-completion-28: W X G(y - mu) with G = diag(...): X G is compared
    text = r"""
    %! main.md
    Let $X \in \mathbb{R}^{n \times p}$, $W \in \mathbb{R}^{n \times n}$ and DEFINED.
    The score $X^\top W G(\mathbf{y} - \boldsymbol\mu)$ is right.
    Wrong: $W X G(\mathbf{y} - \boldsymbol\mu)$.
    """.replace("DEFINED", defined)
    assert codes_by_line(text, tmp_path) == [(3, "matmul-mismatch")]


def test_a_function_or_a_value_at_a_point_before_a_bracket_is_left(tmp_path: Path) -> None:
    # a function with a signature, a value at a point (\Sigma(\theta)), a map said to act
    # elementwise: the bracket holds its arguments
    text = r"""
    %! main.md
    Let $X \in \mathbb{R}^{n \times p}$, $\Sigma \in \mathbb{R}^{n \times n}$, $f : \mathbb{R}^n \to \mathbb{R}^n$
    and $H \in \mathbb{R}^{n \times n}$, where $H$ is applied elementwise.
    Then $X^\top f(\mathbf{y} - \mathbf{z})$, $X^\top \Sigma(\theta)$ and $X^\top H(\mathbf{y} + \mathbf{z})$.
    """
    assert codes_by_line(text, tmp_path) == []


@pytest.mark.parametrize("bold", [r"\mathbfit", r"\mathbf", r"\boldsymbol"])
def test_a_bold_signals_samples_at_steps_k(tmp_path: Path, bold: str) -> None:
    # notes-ssm-unicode-math-28: \mathbfit{x}(t) \in R^N, then x_k = \bar A x_{k-1} + …
    text = r"""
    %! main.md
    A state $X(t) \in \mathbb{R}^{N}$ with $C \in \mathbb{R}^{1 \times N}$ and $A \in \mathbb{R}^{N \times N}$.
    Discretised: $X_k = A X_{k-1}$ and $y_k = C X_k$; wrong: $C X_k^\top$ and $y_k = X_k C$.
    """.replace("X", "BOLD{x}").replace("BOLD", bold)
    assert codes_by_line(text, tmp_path) == [(2, "equation-mismatch"), (2, "matmul-mismatch")]


def test_a_plain_signals_k_is_an_entry(tmp_path: Path) -> None:
    # x(t) \in R^n in plain type: x_k(t) is its k-th coordinate, a number
    text = r"""
    %! main.md
    A state $x(t) \in \mathbb{R}^{n}$ with $A \in \mathbb{R}^{n \times n}$ has coordinates
    $x_k(t) = \sum_j A_{kj} x_j(t)$ and $x_k = 2 x_j$.
    """
    assert codes_by_line(text, tmp_path) == []


@pytest.mark.parametrize(
    "definition",
    [
        r"\operatorname{sym}(M) = \tfrac12(M + M^\top)",
        r"\operatorname{sym}(M) = (M + M^\top)/2",
        r"\operatorname{sym}(M) = \frac{1}{2}\left(M + M^{T}\right)",
    ],
)
def test_an_operator_defined_as_a_combination_keeps_its_arguments_shape(
    tmp_path: Path, definition: str
) -> None:
    # book-stiefel-procrustes-28: grad f = G - X sym(X^T G), misprinted G - sym(X^T G) X
    text = r"""
    %! main.md
    Let $X, G \in \mathbb{R}^{n \times p}$ and write $DEF$ for square $M$.
    Right: $G - X\operatorname{sym}(X^\top G)$. Wrong: $G - \operatorname{sym}(X^\top G)X$.
    """.replace("DEF", definition)
    assert codes_by_line(text, tmp_path) == [(2, "matmul-mismatch")]


def test_an_operator_defined_otherwise_or_of_a_non_square_argument_says_nothing(
    tmp_path: Path,
) -> None:
    # \operatorname{f}(M) = M A is no combination of M alone; sym of an n×p matrix is no shape
    text = r"""
    %! main.md
    Let $X, G \in \mathbb{R}^{n \times p}$, $A \in \mathbb{R}^{p \times p}$, $\operatorname{f}(M) = M A$
    and $\operatorname{sym}(M) = \tfrac12(M + M^\top)$.
    Then $\operatorname{f}(X^\top G)X$ and $\operatorname{sym}(G)X$ say nothing.
    """
    assert codes_by_line(text, tmp_path) == []


@pytest.mark.parametrize(("name", "args"), [("W_2", r"\mu, \nu"), ("d", "x, y")])
def test_a_squared_distance_defined_as_a_number_is_one_when_written_again(
    tmp_path: Path, name: str, args: str
) -> None:
    # notes-gaussian-ot-27: W_2^2(mu, nu) = ||m_1 - m_2||^2 + tr(...), later set to a matrix
    text = r"""
    %! main.md
    Let $\mathbf{m}_1, \mathbf{m}_2 \in \mathbb{R}^k$ and $NAME^2(ARGS) = \lVert \mathbf{m}_1 - \mathbf{m}_2 \rVert^2$.
    Right: $NAME^2(ARGS) = (\mathbf{m}_1 - \mathbf{m}_2)^\top(\mathbf{m}_1 - \mathbf{m}_2)$.
    Wrong: $NAME^2(ARGS) = (\mathbf{m}_1 - \mathbf{m}_2)(\mathbf{m}_1 - \mathbf{m}_2)^\top$.
    """.replace("NAME", name).replace("ARGS", args)
    assert codes_by_line(text, tmp_path) == [(3, "equation-mismatch")]


def test_a_squared_letter_before_a_bracket_of_one_letter_or_a_vector_is_left(
    tmp_path: Path,
) -> None:
    # s^2(x) of one argument, and a squared length defined as a vector: nothing is said
    text = r"""
    %! main.md
    Let $\mathbf{a}, \mathbf{b} \in \mathbb{R}^k$, $s^2(x) = x^2$ and $r^2(a, b) = \mathbf{a} - \mathbf{b}$.
    Then $s^2(x) = \mathbf{a}\mathbf{b}^\top$ and $r^2(a, b) = \mathbf{a}\mathbf{b}^\top$ say nothing.
    """
    assert codes_by_line(text, tmp_path) == []
