r"""Where shapes come from, and what a symbol is.

Every declaration form of the issue is checked twice: the symbol table holds the
declared shape, and the declared shape is used (a correct use stays quiet, a
wrong one is flagged at exactly the marked range).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.shapes.helpers import (
    SCALAR,
    check_fixture,
    declaration,
    expected,
    found,
    same_shape,
    shape,
    shape_of,
)
from texgrad.shapes.sections import SENTENCE_LOOKBACK, Boundaries
from texgrad.shapes.table import Declaration, SymbolTable

# -- the table: each form gives its symbol the right shape --------------------------------

FORMS = [
    # \in a real or complex space
    (r"Let $A \in \mathbb{R}^{m \times n}$.", "A", shape("m", "n")),
    (r"Let $x \in \mathbb{R}^n$.", "x", shape("n")),
    (r"Let $x \in \mathbb{R}^{n}$.", "x", shape("n")),
    (r"Let $x \in \mathbb R^n$.", "x", shape("n")),
    (r"Let $x \in \mathbb R ^n$.", "x", shape("n")),
    (r"Let $x \in \mathbb R ^{n}$.", "x", shape("n")),
    (r"Let $B \in \mathbb R^{p\times q}$.", "B", shape("p", "q")),
    (r"Let $c \in \mathbb{R}$.", "c", SCALAR),
    (r"Let $Z \in \mathbb{C}^{n\times n}$.", "Z", shape("n", "n")),
    (r"Let $z \in \mathbb{C}^{k}$.", "z", shape("k")),
    (r"Let $u \in \mathbb{R}^{n}_{+}$.", "u", shape("n")),
    (r"Let $u \in \mathbb{R}_{+}^{n}$.", "u", shape("n")),
    (r"Let $S \in \mathbb{S}^n$.", "S", shape("n", "n")),
    (r"Let $P \in \mathbb{S}^n_{++}$.", "P", shape("n", "n")),
    (r"Let $h \in \mathbb{R}^{d_k}$.", "h", shape("d_k")),
    (r"Let $z \in \mathbb{R}^{n+1}$.", "z", shape("n + 1")),
    (r"Let $z \in \mathbb{R}^{2n}$.", "z", shape("2*n")),
    (r"Let $\theta \in \mathbb{R}^{d}$.", "\\theta", shape("d")),
    (r"Let $W_1 \in \mathbb{R}^{h \times d}$.", "W_{1}", shape("h", "d")),
    # an open box: fitted probabilities (a scalar's (0, 1) declares nothing: "for every")
    (r"Let $p \in (0,1)^N$.", "p", shape("N")),
    (r"Let $P \in \left(0, 1\right)^{n \times K}$.", "P", shape("n", "K")),
    # prose, as papers write it
    (r"Let $W$ be an $m \times n$ matrix.", "W", shape("m", "n")),
    (r"Consider an $n \times n$ matrix $A$.", "A", shape("n", "n")),
    (r"Take a vector $x$ of length $n$.", "x", shape("n")),
    (r"Suppose $v$ is an $n$-dimensional vector.", "v", shape("n")),
    (r"Stack the samples in $X$ of size $N \times D$.", "X", shape("N", "D")),
    (r"Fix a scalar $\lambda$.", "\\lambda", SCALAR),
    # comments for documents that declare nothing
    ("% texgrad: A n×m, x m, lambda scalar\n$A x$", "A", shape("n", "m")),
    ("% texgrad: A n×m, x m, lambda scalar\n$A x$", "x", shape("m")),
    ("% texgrad: A n×m, x m, lambda scalar\n$A x$", "\\lambda", SCALAR),
    ("% texgrad: A n x m\n$A$", "A", shape("n", "m")),
]


@pytest.mark.parametrize(("source", "key", "want"), FORMS)
def test_declaration_form_gives_shape(tmp_path: Path, source: str, key: str, want: object) -> None:
    fx, result = check_fixture(tmp_path, source + "\n")
    decl = declaration(result, key)
    assert decl is not None, f"{key} not declared by {source!r}"
    assert same_shape(decl.shape, want), (decl.shape, want)  # type: ignore[arg-type]
    assert found(result) == set()


def test_declaration_records_where_the_symbol_is_written(tmp_path: Path) -> None:
    fx, result = check_fixture(tmp_path, "Let $A \\in \\mathbb{R}^{m \\times n}$.\n")
    decl = declaration(result, "A")
    assert decl is not None
    assert fx.files["main.tex"][decl.start : decl.end] == "A"
    assert decl.how == "in"
    assert not decl.symmetric and not decl.positive_definite


def test_markdown_comment_declares(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        <!-- texgrad: A nxm, x m -->

        The model is $y = A x$ and its adjoint is $A^\top y$; but $x A$ is wrong.
                                                                   ^^^
        """,
    )
    a = declaration(result, "A")
    x = declaration(result, "x")
    assert a is not None and same_shape(a.shape, shape("n", "m")) and a.how == "comment"
    assert x is not None and same_shape(x.shape, shape("m"))
    assert found(result) == expected(fx, "matmul-mismatch")


def test_latex_comment_declares_and_is_used(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        % texgrad: A n×m, x m, lambda scalar
        We form $\lambda A x$ and $A x + \lambda A x$, but not $A^\top x$.
                                                                ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


# -- each form is used: correct uses are quiet, wrong uses flagged -------------------------


def test_in_matrix_and_vector_spaces_are_used(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        Then $Ax$ and $A^\top y$ and $y^\top A x$ are fine, but $A y$ is not.
                                                                 ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize(
    "space",
    [r"\mathbb{R}^n", r"\mathbb{R}^{n}", r"\mathbb R^n", r"\mathbb R ^n", r"\mathbb R ^{n}"],
)
def test_vector_space_spellings_are_used(tmp_path: Path, space: str) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        Let $A \in \mathbb{{R}}^{{n \times n}}$, $B \in \mathbb{{R}}^{{m \times m}}$ and $x \in {space}$.
        Then $A x$ is fine but $B x$ is not.
                                ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_real_line_declares_a_scalar(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $c \in \mathbb{R}$, $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.
        Then $c A x$, $A c x$, $\frac{A x}{c}$, $x c$ and $c^{-1} A$ are all fine.
        """,
    )
    assert found(result) == set()


def test_complex_space_is_used(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $Z \in \mathbb{C}^{n\times n}$, $z \in \mathbb{C}^n$ and $w \in \mathbb{C}^m$.
        Then $Z^{-1} z$ and $Z^H Z$ are fine, but $Z w$ is not.
                                                   ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize(
    "definition",
    [r"\newcommand{\R}{\mathbb{R}}", r"\newcommand\R{\mathbb{R}}", r"\def\R{\mathbb{R}}"],
)
def test_space_through_a_macro(tmp_path: Path, definition: str) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        {definition}
        Let $W \in \R^{{d \times k}}$, $h \in \R^{{d}}$ and $v \in \R^k$.
        Then $W v$ and $W^\top h$ are fine, but $W h$ is not.
                                                 ^^^
        """,
    )
    w = declaration(result, "W")
    assert w is not None and same_shape(w.shape, shape("d", "k"))
    assert found(result) == expected(fx, "matmul-mismatch")


def test_blackboard_macro_without_exponent_in_macro(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \newcommand{\bbR}{\mathbb{R}}
        \newcommand{\RR}{\mathbb{R}}
        Let $x \in \bbR^n$, $y \in \RR^m$ and $A \in \bbR^{m \times n}$: $Ax + y$ but $x + y$.
                                                                                       ^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_nonnegative_orthant_is_a_vector_space(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $u \in \mathbb{R}^{n}_{+}$, $A \in \mathbb{R}^{m \times n}$ and $b \in \mathbb{R}^m$.
        Then $Au - b$ is fine but $u + b$ is not.
                                   ^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_symmetric_and_positive_definite_sets(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $S \in \mathbb{S}^n$, $P \in \mathbb{S}^n_{++}$, $Q \in \mathbb{S}_{++}^{n}$ and $x \in \mathbb{R}^n$.
        """,
    )
    s, p, q = (declaration(result, k) for k in "SPQ")
    assert s is not None and s.symmetric and not s.positive_definite
    assert same_shape(s.shape, shape("n", "n"))
    assert p is not None and p.symmetric and p.positive_definite
    assert same_shape(p.shape, shape("n", "n"))
    assert q is not None and q.symmetric and q.positive_definite
    assert found(result) == set()


def test_symmetric_set_is_square_and_used(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $P \in \mathbb{S}^n_{++}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        Then $P^{-1}$, $P^{1/2}$, $\log\det P$, $x^\top P x$ and $P = P^\top$ are fine; $P y$ is not.
                                                                                         ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_list_declares_every_symbol(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x, y \in \mathbb{R}^n$ and $u, v, w \in \mathbb{R}^m$.
        Then $x + y$ and $u - v + w$ are fine, but $y + w$ is not.
                                                    ^^^^^
        """,
    )
    for key, want in (("x", "n"), ("y", "n"), ("u", "m"), ("v", "m"), ("w", "m")):
        decl = declaration(result, key)
        assert decl is not None and same_shape(decl.shape, shape(want)), key
    assert found(result) == expected(fx, "add-mismatch")


def test_list_of_declarations_in_one_formula(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}, B \in \mathbb{R}^{n \times p}$; then $AB$ is fine and $BA$ is not.
                                                                                                   ^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


# -- function signatures ---------------------------------------------------------------------


def test_signature_argument_of_the_wrong_length_is_flagged(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $f : \mathbb{R}^n \to \mathbb{R}^m$, $x \in \mathbb{R}^m$ and $z \in \mathbb{R}^n$.
        Then $f(z)$ is fine but $f(x)$ is not.
                                   ^
        """,
    )
    assert found(result) == expected(fx, "argument-mismatch")
    sig = result.table.signature("f", result.path, len(result.doc.text))
    assert sig is not None
    assert same_shape(sig.domain, shape("n")) and same_shape(sig.codomain, shape("m"))


def test_signature_argument_of_the_right_length_is_fine(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $f : \mathbb{R}^n \to \mathbb{R}^m$ and $x \in \mathbb{R}^n$; consider $f(x)$.
        """,
    )
    assert found(result) == set()


def test_signature_codomain_is_the_shape_of_a_call(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $f : \mathbb{R}^n \to \mathbb{R}^m$, $x \in \mathbb{R}^n$, $b \in \mathbb{R}^m$ and $c \in \mathbb{R}^n$.
        Then $f(x) + b$ is fine but $f(x) + c$ is not.
                                     ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_signature_with_matrix_domain(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $g: \mathbb{R}^{m\times n} \to \mathbb{R}$, $X \in \mathbb{R}^{m \times n}$ and $Y \in \mathbb{R}^{n \times m}$.
        Then $g(X) + 1$ is fine but $g(Y)$ is not.
                                       ^
        """,
    )
    assert found(result) == expected(fx, "argument-mismatch")


# -- prose -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prose",
    [
        r"Let $W$ be an $m \times n$ matrix",
        r"Take an $m \times n$ matrix $W$",
        r"Consider $W$ of size $m \times n$",
    ],
)
def test_prose_matrix_is_used(tmp_path: Path, prose: str) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        {prose} and let $x \in \mathbb{{R}}^n$, $y \in \mathbb{{R}}^m$.
        Then $W x$ is fine and $W^\top y$ too, but $W y$ is not.
                                                    ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize(
    "prose",
    [
        r"Take a vector $v$ of length $n$.",
        r"Suppose $v$ is an $n$-dimensional vector.",
        r"Take an $n$-dimensional vector $v$.",
    ],
)
def test_prose_vector_is_used(tmp_path: Path, prose: str) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        {prose} Let $A \in \mathbb{{R}}^{{m \times n}}$ and $B \in \mathbb{{R}}^{{n \times m}}$.
        Then $A v$ and $v^\top B$ are fine, but $B v$ is not.
                                                 ^^^
        """,
    )
    v = declaration(result, "v")
    assert v is not None and same_shape(v.shape, shape("n")) and v.how == "prose"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_prose_vector_of_length_after_be(tmp_path: Path) -> None:
    """The same declaration with the symbol before "be": "Let $v$ be a vector of length $n$"."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $v$ be a vector of length $n$ and $B \in \mathbb{R}^{n \times m}$.
        Then $v^\top B$ is fine, but $B v$ is not.
                                      ^^^
        """,
    )
    v = declaration(result, "v")
    assert v is not None and same_shape(v.shape, shape("n"))
    assert found(result) == expected(fx, "matmul-mismatch")


def test_prose_apposition_with_of_length(tmp_path: Path) -> None:
    """A second clause without a verb: "Let $P$ be an … matrix and $v$ a vector of length $m$"."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $P$ be an $n \times n$ matrix and $v$ a vector of length $m$.
        Then $v^\top v$ is fine, but $P v$ is not.
                                      ^^^
        """,
    )
    v = declaration(result, "v")
    assert v is not None and same_shape(v.shape, shape("m"))
    assert found(result) == expected(fx, "matmul-mismatch")


def test_prose_square_matrix_before_the_symbol(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Given an $n \times n$ matrix $A$ and a vector $x$ of length $m$,
        the power $A^k$ is defined but $A x$ is not.
                                        ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_prose_size_of_data_matrix(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        We stack the inputs in $X$ of size $N \times D$ and the weights in $w \in \mathbb{R}^D$.
        Predictions are $X w$; the expression $w^\top X$ is wrong.
                                               ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_prose_scalar(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Fix a scalar $\lambda$ and let $A \in \mathbb{R}^{m \times n}$.
        Then $\lambda A$, $A \lambda$ and $\lambda^2 A^\top A$ are fine.
        """,
    )
    lam = declaration(result, "\\lambda")
    assert lam is not None and lam.shape == SCALAR
    assert found(result) == set()


# -- definitions -------------------------------------------------------------------------------


def test_definition_gives_an_undeclared_symbol_its_shape(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.
        Define $y = Ax$. Then $Ay$ is wrong, and so is $y + x$.
                               ^^                       ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", "add-mismatch")


def test_a_chain_defines_its_head_by_a_later_known_side(tmp_path: Path) -> None:
    # E = \hat{U}^\top \hat{U} = Y^\top Y: the middle side is unknown, the last one says q×q;
    # a list ends the statement (F = \hat{V}, G = …: F stays unknown)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $Y \in \mathbb{R}^{n \times q}$. Define $E = \hat{U}^\top \hat{U} = Y^\top Y$; then $E Y$ is wrong.
                                                                                                 ^^^
        Also $F = \hat{V}, \qquad G = Y^\top Y$ leaves $F$ unknown: $F Y$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert declaration(result, "F") is None


def test_definitions_on_one_line_are_known_to_the_sides_after_them(tmp_path: Path) -> None:
    # \hat\mu, then R_c from \hat\mu, then \hat\Sigma from R_c, one display line apart by
    # \qquad: each side is inferred once the equations before it have defined their letters
    fx, result = check_fixture(
        tmp_path,
        r"""
        Returns are the rows of $R \in \mathbb{R}^{T \times n}$, with sample moments
        $$
        \hat\mu = \frac{1}{T} R^\top \mathbf{1}_T, \qquad
        R_c = R - \mathbf{1}_T \hat\mu^\top, \qquad
        \hat\Sigma = \frac{1}{T - 1} R_c^\top R_c .
        $$
        Right: $\hat\Sigma^{-1} \mathbf{1}_n$ and $R_c \hat\Sigma$. Wrong: $\hat\Sigma^{-1} \mathbf{1}_T$.
                                                                            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_definition_does_not_override_a_declaration(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        Then $y = Ax$ and $y + Ax$ are fine.
        """,
    )
    assert found(result) == set()


def test_definition_in_display_math(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{k \times d}$ and $x \in \mathbb{R}^d$.
        \begin{equation}
          h = \tanh(W x)
        \end{equation}
        so $W^\top h$ has length $d$, while $W h$ has no meaning.
                                             ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


# -- projects: declarations in one file serve the others -----------------------------------------


def test_notation_file_serves_a_chapter(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! chapter.tex
        \section{Method}
        The update is $\theta - \eta G \theta$, and the residual $A\theta - b$.
        The expression $A b$ is wrong.
                        ^^^
        %! main.tex
        \documentclass{article}
        \begin{document}
        \input{notation}
        \input{chapter}
        \end{document}
        %! notation.tex
        \section{Notation}
        Let $A \in \mathbb{R}^{m \times n}$, $b \in \mathbb{R}^m$, $G \in \mathbb{R}^{n \times n}$,
        $\theta \in \mathbb{R}^n$ and $\eta \in \mathbb{R}$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    related = result.diagnostics[0].related
    assert {Path(r.path).name for r in related} == {"notation.tex"}
    notation = fx.files["notation.tex"]
    assert sorted(notation[r.start : r.end] for r in related) == ["A", "b"]


def test_macros_of_the_root_serve_a_chapter(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! chapter.tex
        Let $\mW \in \R^{d \times k}$ and $\vx \in \R^{d}$: then $\mW^\top \vx$, not $\mW \vx$.
                                                                                      ^^^^^^^
        %! main.tex
        \documentclass{article}
        \newcommand{\R}{\mathbb{R}}
        \newcommand{\mW}{\mathbf{W}}
        \newcommand{\vx}{\mathbf{x}}
        \begin{document}
        \input{chapter}
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


# -- declaration after use, scope, re-declaration ---------------------------------------------


def test_declaration_after_use_in_the_same_sentence(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        We compute $Ax$, where $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^m$.
                    ^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_declaration_after_use_correct(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        We minimise $\|Ax - b\|_2^2$, where $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$
        and $b \in \mathbb{R}^m$.
        """,
    )
    assert found(result) == set()


def test_declaration_after_use_in_a_display(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        The estimator is
        \[
          \hat\beta = (X^\top X)^{-1} X y,
                      ^^^^^^^^^^^^^^^^^
        \]
        where $X \in \mathbb{R}^{N \times p}$ and $y \in \mathbb{R}^N$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_declaration_holds_for_the_whole_document(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{Preliminaries}
        Throughout, $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.

        \section{Method}
        We first compute $Ax$; the product $x A$ is a mistake.
                                            ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_redeclaration_in_a_later_section_is_a_new_scope(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{Least squares}
        Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$; the residual is $Ax$.

        \section{Linear systems}
        Now let $A \in \mathbb{R}^{n \times n}$ be invertible, $y \in \mathbb{R}^m$.
        Then $A^{-1} x$ and $\det(A)$ are fine, but $A y$ is not.
                                                     ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    text = fx.files["main.tex"]
    a = declaration(result, "A", at="A^{-1}")
    assert a is not None and same_shape(a.shape, shape("n", "n"))
    assert a.start > text.index("Linear systems")


def test_a_local_declaration_does_not_reach_other_sections(tmp_path: Path) -> None:
    """A reference or a problem set declares a letter for one section and uses it otherwise
    in the next (the Matrix Cookbook's X is m×n in one example, square elsewhere): only a
    declaration made as notation ("Throughout", a Notation section) holds everywhere."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{Determinants}
        Then $\det(X^{-1}) = \det(X)^{-1}$ and $\det(X^2) = \det(X)^2$.

        \section{A complex example}
        We differentiate $\det(X^H X)$ with respect to $X \in \mathbb{C}^{m \times n}$.

        \section{Powers}
        Then $\operatorname{tr}(X^k) = \sum_i \lambda_i^k$.
        """,
    )
    assert found(result) == set()


def test_a_declaration_after_use_in_the_same_paragraph_holds(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        We solve $A x = b$ by least squares. Here the data are $A \in \mathbb{R}^{m \times n}$,
        $x \in \mathbb{R}^m$ and $b \in \mathbb{R}^m$.
        """,
    )
    assert {code for _, _, code in found(result)} == {"matmul-mismatch"}


def test_old_declaration_still_holds_before_the_later_section(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{One}
        Let $A \in \mathbb{R}^{m \times n}$. The inverse $A^{-1}$ does not exist.
                                                          ^^^^^^
        \section{Two}
        Let $A \in \mathbb{R}^{n \times n}$. The inverse $A^{-1}$ exists.
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_conflicting_redeclaration_in_one_sentence_is_a_warning(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $A \in \mathbb{R}^{n \times n}$.
                                                 ^
        """,
    )
    assert found(result) == expected(fx, "redeclared")
    (d,) = result.diagnostics
    assert d.severity == "warning"
    text = fx.files["main.tex"]
    (rel,) = d.related
    assert (rel.start, rel.end) == (text.index("A"), text.index("A") + 1)
    assert Path(rel.path).name == "main.tex"


def test_same_shape_twice_is_not_a_redeclaration(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, that is, $A \in \mathbb{R}^{m \times n}$ again.
        """,
    )
    assert found(result) == set()


def test_problem_set_items_redeclare_freely(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \begin{enumerate}
          \item Let $x \in \mathbb{R}^n$ and $A \in \mathbb{R}^{n \times n}$. Show $x^\top A x \ge 0$.
          \item Let $x \in \mathbb{R}^m$ and $B \in \mathbb{R}^{m \times m}$. Compute $B x$.
        \end{enumerate}
        """,
    )
    assert found(result) == set()


# -- symbols -----------------------------------------------------------------------------------


def test_font_commands_name_one_symbol(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\mathbf{x} \in \mathbb{R}^n$ and $A \in \mathbb{R}^{m \times n}$.
        Then $A \mathbf{x}$, $A \boldsymbol{x}$, $A \bm{x}$ and $A x$ are fine;
        but $\mathbf{x} A$, $\boldsymbol{x} A$ and $\bm{x} A$ are not.
             ^^^^^^^^^^^^    ^^^^^^^^^^^^^^^^       ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_bold_declaration_serves_plain_use(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\boldsymbol{\theta} \in \mathbb{R}^d$ and $X \in \mathbb{R}^{N \times d}$.
        Then $X \theta$ is fine, $\theta X$ is not.
                                  ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_calligraphic_letter_is_another_symbol(tmp_path: Path) -> None:
    # \mathcal{E} (errors, n×q) declared; E (a q×q cross-product) only defined: the
    # definition holds for E, not the calligraphic letter's declaration (font fallback is
    # for weights of one letter, \mathbf{x} and x, not for \mathcal, \mathbb, \mathfrak).
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\mathcal{E} \in \mathbb{R}^{n \times q}$ be the errors and $Y \in \mathbb{R}^{n \times q}$.

        The matrix $E = Y^\top Y$ is used in $E^{-1}$ and $\det(E + Y^\top Y)$, but $E Y$ is wrong.
                                                                                     ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert declaration(result, "E", None) is None


def test_a_calligraphic_letter_is_not_the_bold_one(tmp_path: Path) -> None:
    # \mathcal{F} is the augmented matrix, whatever its size: not F, as \mathbf{F} would be
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $F \in \mathbb{R}^{n \times n}$, $x_k \in \mathbb{R}^n$ and $\xi_k \in \mathbb{R}^{2n}$ with
        $\mathcal{F} = \begin{bmatrix} F & 0 \\ I_n & 0 \end{bmatrix}$, so $\xi_{k+1} = \mathcal{F} \xi_k$;
        and $\mathbf{F} \xi_k$ is wrong.
             ^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_declaring_plain_and_bold_makes_two_symbols(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$, $\mathbf{x} \in \mathbb{R}^m$ and $A \in \mathbb{R}^{m \times n}$.
        Then $A x$ and $A^\top \mathbf{x}$ are fine, but $A \mathbf{x}$ and $A^\top x$ are not.
                                                          ^^^^^^^^^^^^       ^^^^^^^^
        """,
    )
    plain = declaration(result, "x", None)
    bold = declaration(result, "x", "mathbf")
    assert plain is not None and same_shape(plain.shape, shape("n"))
    assert bold is not None and same_shape(bold.shape, shape("m"))
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize("accented", [r"\hat x", r"\hat{x}", r"\tilde{x}", r"\bar{x}"])
def test_accent_makes_a_new_undeclared_symbol(tmp_path: Path, accented: str) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        Let $x \in \mathbb{{R}}^m$ and $A \in \mathbb{{R}}^{{m \times n}}$; the estimate is $A {accented}$.
        """,
    )
    assert found(result) == set()


def test_accented_symbol_declared_on_its_own(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^m$, $\hat{x} \in \mathbb{R}^n$ and $A \in \mathbb{R}^{m \times n}$.
        Then $A \hat x$ is fine and $A x$ is not.
                                     ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_elements_of_a_declared_vector_are_scalars(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$, $A \in \mathbb{R}^{m \times n}$ and $b \in \mathbb{R}^m$.
        Then $x_i A$, $A x_j$, $b_i + x_j$, $A_{ij} x$, $A_{i,j} b$ and $x_1 b$ are all fine.
        """,
    )
    assert found(result) == set()


def test_subscripted_symbol_declared_on_its_own(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{k \times k}$, $W_1 \in \mathbb{R}^{h \times d}$,
        $x \in \mathbb{R}^d$ and $z \in \mathbb{R}^h$.
        Then $W_1 x$ and $W_1^\top z$ are fine, but $W_1 z$ is not.
                                                     ^^^^^
        """,
    )
    w1 = declaration(result, "W_{1}")
    assert w1 is not None and same_shape(w1.shape, shape("h", "d"))
    assert found(result) == expected(fx, "matmul-mismatch")


def test_declared_x0_is_its_own_symbol(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$, $x_0 \in \mathbb{R}^m$ and $B \in \mathbb{R}^{m \times m}$.
        Then $B x_0$ is fine and $B x$ is not.
                                  ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_time_indexed_vectors_are_vectors(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x_t \in \mathbb{R}^n$ and $A \in \mathbb{R}^{n \times n}$, $C \in \mathbb{R}^{p \times m}$.
        Then $x_{t+1} = A x_t$ is fine, but $C x_t$ is not.
                                             ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_row_slice_is_not_an_element(tmp_path: Path) -> None:
    """``A_{i,:}`` is the i-th row of A (1×n), not the entry ``A_{ij}``."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $b \in \mathbb{R}^m$.
        Each constraint reads $A_{i,:} x = b_i$, that is $a_i^\top x = b_i$.
        """,
    )
    assert found(result) == set()


def test_iterates_x_k_are_vectors_not_elements(tmp_path: Path) -> None:
    """In optimisation papers ``x_k`` is the k-th iterate, a vector like ``x``."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$ and $x, b \in \mathbb{R}^n$. Gradient descent produces
        iterates $x_k$ with $x_{k+1} = x_k - \alpha (A x_k - b)$, and at convergence $A x_k = b$.
        """,
    )
    assert found(result) == set()


def test_set_builder_variables_are_bound(tmp_path: Path) -> None:
    """The x of ``\\{x \\in \\mathbb{R}^n : …\\}`` is bound by the set: two sets are no re-declaration."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        The balls $B_n = \{x \in \mathbb{R}^n : \|x\| \le 1\}$ and $B_m = \{x \in \mathbb{R}^m : \|x\| \le 1\}$ differ.
        """,
    )
    assert found(result) == set()


def test_function_definition_gives_calls_a_shape(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $b \in \mathbb{R}^m$.
        Define $g(x) = A x$. Then $g(x) - b$ is fine but $g(x) + x$ is wrong.
                                                          ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_function_redefined_in_a_later_problem_drops_its_signature(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \begin{enumerate}
          \item Let $f : \mathbb{R}^n \to \mathbb{R}^m$ and $x \in \mathbb{R}^n$. Compute $f(x)$.
          \item Let $f(z) = z^\top z$ for $z \in \mathbb{R}^k$. Compute $f(z)$ and $\nabla f(z)$.
        \end{enumerate}
        """,
    )
    assert found(result) == set()


def test_the_variable_of_an_optimization_problem_is_declared(tmp_path: Path) -> None:
    r"""``\arg\min_{\beta \in \mathbb{R}^p}``: the text goes on using the problem's variable."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        \newcommand{\bbeta}{\boldsymbol{\beta}}
        Let $y \in \mathbb{R}^n$ and $X \in \mathbb{R}^{n \times p}$, and
        \[ \hat\bbeta = \arg\min_{\bbeta \in \mathbb{R}^p} \tfrac12 \|y - X\bbeta\|_2^2 + \lambda \|\bbeta\|_1 . \]
        Its gradient is $X^\top (X\bbeta - y)$, not $X (X\bbeta - y)$; and $\max_{i \in [n]} y_i$ binds nothing.
                                                     ^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    beta = declaration(result, r"\beta")
    assert beta is not None and same_shape(beta.shape, shape("p"))


def test_two_problems_over_one_letter_are_no_redeclaration(tmp_path: Path) -> None:
    r"""``\min_{x \in \mathbb{R}^n} …`` and ``\min_{x \in \mathbb{R}^d} …`` in one sentence: each
    problem has its x; no warning, and x of two shapes is unknown in that sentence."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$. Least squares is $\min_{x \in \mathbb{R}^n} \|Ax - b\|$ and ridge
        on features $\min_{x \in \mathbb{R}^d} \|x\|^2 + \|Ax\|^2$.
        """,
    )
    assert found(result) == set()


def test_set_builder_variable_holds_inside_its_braces(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times p}$. The set $\{x \in \mathbb{R}^n : A x = 0\}$ is wrong.
                                                                             ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert declaration(result, "x") is None


def test_a_set_of_declared_elements_declares(tmp_path: Path) -> None:
    r"""``\{x_i \in \mathbb{R}^d\}_{i=1}^N`` has no "such that": its members are not bound."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Given samples $\{x \in \mathbb{R}^d\}$ and $W \in \mathbb{R}^{k \times d}$, $W x$ is fine.
        """,
    )
    x = declaration(result, "x")
    assert x is not None and same_shape(x.shape, shape("d"))
    assert found(result) == set()


def test_column_slice_is_a_column(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $y \in \mathbb{R}^n$.
        Then $A_{:,j}^\top A_{:,j}$ is a number and $A_{i,:} y$ too, but $A_{:,j} + y$ is wrong.
                                                                          ^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_double_star_subscript_names_a_test_covariance_not_a_slice(tmp_path: Path) -> None:
    # K_{**} (Rasmussen & Williams' test-test covariance, n_*×n_*) is no slice of K; K_{:,:} is K
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K \in \mathbb{R}^{n \times n}$, $K_* \in \mathbb{R}^{n \times n_*}$ and $A \in \mathbb{R}^{n_* \times n_*}$.
        Then $K_{**} - K_*^\top K^{-1} K_*$, $A + K_{\ast\ast}$ and $K_{:,:} + K$, but $K_{:,:} + A$ is wrong.
                                                                                        ^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_definition_in_the_sentence_of_its_signature_keeps_it(tmp_path: Path) -> None:
    """``f : \\mathbb{R}^d \\to \\mathbb{R}^d``, ``f(x) = …`` in one sentence is one f: its
    definition (of an undeclared x) does not drop the signature."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        The network $f : \mathbb{R}^d \to \mathbb{R}^d$, $f(x) = W_2 \max(0, W_1 x)$, is applied
        to every row. Let $h \in \mathbb{R}^k$; then $f(h)$ is wrong.
                                                        ^
        """,
    )
    assert found(result) == expected(fx, "argument-mismatch")


def test_an_expansion_of_f_at_a_point_does_not_define_f(tmp_path: Path) -> None:
    """``f(x + p) = f(x) + …`` (Taylor) states something of f; only ``f(x) = …`` of plain
    arguments defines it anew."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $f : \mathbb{R}^n \to \mathbb{R}$, $x, p \in \mathbb{R}^n$ and $A \in \mathbb{R}^{m \times n}$.
        By Taylor's theorem $f(x + p) = f(x) + \nabla f(x)^\top p + O(\|p\|^2)$, but $f(A x)$ is wrong.
                                                                                        ^^^
        """,
    )
    assert found(result) == expected(fx, "argument-mismatch")


def test_a_declaration_holds_in_the_sections_that_follow(tmp_path: Path) -> None:
    """Lecture notes declare a letter once and use it in the sections after (Markdown: the
    `##` sections under the title)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        # Principal component analysis

        ## Overview

        We start from a centred data matrix $X \in \mathbb{R}^{n \times p}$.

        ## The covariance matrix

        The covariance is $S = \frac{1}{n} X^\top X$, not $\frac{1}{n} X X^\top + S$.
                                                           ^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_subsection_s_declaration_holds_in_its_siblings_not_in_the_next_section(
    tmp_path: Path,
) -> None:
    """What 2.1 declares holds in 2.2, not in section 3: a reference declares a letter for a
    part of it (the Matrix Cookbook's x of its Statistics section)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{Statistics}
        \subsection{Moments}
        Let $x \in \mathbb{R}^n$ be a random vector and $A \in \mathbb{R}^{m \times n}$.
        \subsection{Linear forms}
        Then $E[A x] = A E[x]$, but $E[x A]$ is wrong.
                                       ^^^
        \section{Special matrices}
        For a square $A$, $A^{-1}$ and $\det(A)$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_what_a_problem_declares_ends_with_it(tmp_path: Path) -> None:
    """A problem (with its solution under it) declares its own letters; the next problem
    reuses them otherwise."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        \subsection*{Problem 1}
        Let $B$ be a $2 \times 3$ matrix and $C \in \mathbb{R}^{3 \times 3}$.
        \subsubsection*{Solution}
        $\operatorname{tr}(B C B^\top)$ is defined and $\operatorname{tr}(B^\top C B)$ is not.
                                                                          ^^^^^^^^
        \subsection*{Problem 2}
        Show that $\det(B) \det(C) = \det(C B)$ for square $B$ and $C$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_section_on_the_problem_solved_is_no_exercise(tmp_path: Path) -> None:
    """ "The regularised problem", "The dual problem": a problem the text solves, whose
    letters hold in the sections after it, unlike a "Problem 2" of a problem set."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! ot.md
        # Entropic transport

        ## The regularised problem

        A plan $P \in \mathbb{R}^{n \times m}$ has marginals $a \in \mathbb{R}^n$ and $b \in \mathbb{R}^m$.

        ## Iterations

        At convergence $P^\top \mathbf{1}_n = b$ and $P \mathbf{1}_m = a$, never $P \mathbf{1}_m = b$.
                                                                                  ^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_each_example_under_examples_declares_its_own_letters(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! models.md
        # Linear models

        ### Examples

        #### A scalar process

        Here $A \in \mathbb{R}^{1 \times 1}$ and $x_0 \in \mathbb{R}$.

        #### A vector process

        Now $A x_0$ with $x_0 \in \mathbb{R}^3$ is fine.
        """,
    )
    assert found(result) == set()


def test_a_signature_and_a_definition_hold_in_the_sections_that_follow(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{Model}
        Let $f : \mathbb{R}^n \to \mathbb{R}$, $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$
        and $r = A x$.
        \section{Analysis}
        Then $f(A x)$ is wrong, and so is $r + x$.
                ^^^                        ^^^^^
        """,
    )
    assert found(result) == expected(fx, "argument-mismatch", "add-mismatch")


def test_a_letter_with_no_shape_defined_as_a_function(tmp_path: Path) -> None:
    """``m(p) = …`` with m a dimension (``A ∈ ℝ^{m×n}``) is the quadratic model m being
    defined, not the number m times p; the call ``m(p)`` then has the right side's shape."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $H \in \mathbb{R}^{n \times n}$ and $g, p \in \mathbb{R}^n$.
        The model is $m(p) = g^\top p + \frac{1}{2} p^\top H p$, and $m(p) + p$ is a scalar plus a vector.
        """,
    )
    assert found(result) == set()
    assert same_shape(shape_of(result, "m(p)", 1), SCALAR)


def test_a_symbol_declared_two_ways_in_one_sentence_is_unknown(tmp_path: Path) -> None:
    """The warning says which declarations conflict; the uses after it are not checked
    against either (which one the writer meant is unknown)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        For $u \in \mathbb{R}^3$ and $v \in \mathbb{R}^3$, and $M$ acting on $v \in \mathbb{R}^2$,
                                                                              ^
        compute $u^\top v$ and $M v$ where $M \in \mathbb{R}^{2 \times 3}$.
        """,
    )
    assert found(result) == expected(fx, "redeclared")
    assert declaration(result, "v") is None


def test_a_list_of_sizes_after_where_declares_each(tmp_path: Path) -> None:
    """The sizes in "where $x_t$ is an $n \\times 1$ vector, $A$ is $n \\times n$, $C$ is $n \\times m$ and $G$
    is $k \\times n$", and bulleted "* $w_t$ is $m \\times 1$"; not after "if"."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! lss.md
        Here $x_{t+1} = A x_t + C w_{t+1}$, where $x_t$ is an $n \times 1$ vector, $A$ is $n \times n$,
        $C$ is $n \times m$ and $G$ is $k \times n$.

        * $w_t$ is $m \times 1$

        If $B$ is $n \times m$, $D$ is $m \times m$ then $B D$ is $n \times m$.

        So $G x_t$ and $C w_t$ are fine, but $C G$ and $x_t + w_t$ are not, and $D B$ is unknown.
                                              ^^^       ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", "add-mismatch", name="lss.md")
    assert declaration(result, "D") is None


def test_an_equation_in_a_later_section_may_give_a_letter_a_new_meaning(tmp_path: Path) -> None:
    r"""``\beta \in \mathbb{R}^d`` of the linear section, set to a sum of features in the kernel
    section: the equation defines the letter anew there, it does not contradict it; in the
    declaring section (and its subsections) it does."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{Linear models}
        Let $X \in \mathbb{R}^{n \times d}$, $\beta \in \mathbb{R}^d$, $\Phi \in \mathbb{R}^{n \times p}$,
        $y \in \mathbb{R}^n$ and $\alpha \in \mathbb{R}^n$.
        \subsection{Fit}
        Then $\beta = \Phi^\top y$ is wrong.
              ^^^^^^^^^^^^^^^^^^^
        \section{Kernels}
        By the representer theorem $\beta = \Phi^\top \alpha$, and $X \beta$ is still fine;
        a side off by a transpose is a mistake all the same: $\Phi = \Phi^\top \Phi \Phi^\top$.
                                                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_what_a_sentence_assumes_holds_in_its_section_only(tmp_path: Path) -> None:
    """A reference states each identity's hypotheses ("Assume $A \\in …$", "For any $x \\in …$"):
    they hold in that section and its subsections, not in the sections after it."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! identities.md
        # Identities

        ## Basics

        Assume $A \in \mathbb{R}^{m \times n}$. For any $x \in \mathbb{R}^n$, $\|A x\|^2 = x^\top A^\top A x$.

        ### Products

        Then $x^\top A$ is wrong.
              ^^^^^^^^

        ## Inverses

        $(A B)^{-1} = B^{-1} A^{-1}$ and $(A + x x^\top)^{-1}$ for square $A$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="identities.md")


# -- the incremental contract: how far back a sentence is read ---------------------------------


@pytest.mark.parametrize(
    ("lead", "says"),
    [("Throughout, ", SymbolTable.is_notation), ("Assume ", SymbolTable.supposed)],
)
def test_a_sentence_is_read_no_further_back_than_sentence_lookback(lead: str, says: Any) -> None:
    """What a sentence says of a declaration (notation, a hypothesis) is read at most
    SENTENCE_LOOKBACK characters back: how far an edit reaches (shapes/check.py) relies on it."""

    def said(filler: int) -> bool:
        words = lead + "x" * filler + " "  # one long sentence, no break in it
        text = words + "$A$"
        table = SymbolTable(texts={"p": text}, boundaries={"p": Boundaries.of(text)})
        start = len(words) + 1
        return bool(says(table, Declaration("A", None, SCALAR, "p", start, start + 1, "in")))

    assert said(SENTENCE_LOOKBACK - len(lead) - 2)
    assert not said(SENTENCE_LOOKBACK)


def test_sets_written_otherwise_declare_shapes(tmp_path: Path) -> None:
    # Labels, integer vectors, the simplex and positive definite matrices, as papers write them.
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $y \in \{0,1\}^n$, $z \in \{-1, 1\}^{n}$,
        $k \in \mathbb{Z}^n$, $c \in \mathbb{N}^n$, $p \in \Delta^{n-1}$, $q \in \Delta_n$,
        $S \in \mathbb{S}^m$, $P \in \mathcal{S}_{++}^m$, $Y \in \{0,1\}^{n \times K}$.

        Right: $A y$, $A z$, $A k$, $A c$, $A p$, $A q$, $S A$, $P A$, $A Y$.
        Wrong: $S y$, $P z$, $y A$, $k^\top A$, $P c$, $p^\top S$, $A^\top q$, $Y A$.
        """,
    )
    text = result.doc.text
    got = [text[d.start : d.end] for d in result.diagnostics]
    assert got == ["S y", "P z", "y A", r"k^\top A", "P c", r"p^\top S", r"A^\top q", "Y A"]
    assert result.table.lookup("P", None, result.path, len(text)).positive_definite  # type: ignore[union-attr]


def test_matrix_spaces_of_european_courses_declare_shapes(tmp_path: Path) -> None:
    # \mathcal{M}_{n,p}(\mathbb{R}) and its spellings, \mathbb{R}^{n,p}, GL_n, O_n, S_n over a field
    _, result = check_fixture(
        tmp_path,
        r"""
        Soient $A \in \mathcal{M}_{n,p}(\mathbb{R})$, $B \in M_{p \times q}(\mathbb{R})$,
        $C \in \mathcal M_q(\mathbb K)$, $D \in \mathbb{R}^{n,q}$, $G \in \mathrm{GL}_p(\mathbb{R})$,
        $Q \in O_n(\mathbb{R})$, $S \in \mathcal{S}_p(\mathbb{R})$ et $x \in \mathbb{R}^p$.

        Right: $A B$, $B C$, $A B C - D$, $A G$, $Q A$, $S x$, $x^\top S x$.
        Wrong: $B A$, $C B$, $A - D$, $G Q$, $A S^\top Q$, $D x$.
        """,
    )
    text = result.doc.text
    got = [text[d.start : d.end] for d in result.diagnostics]
    assert got == ["B A", "C B", "A - D", "G Q", r"A S^\top Q", "D x"]
    assert result.table.lookup("S", None, result.path, len(text)).symmetric  # type: ignore[union-attr]


def test_reals_in_other_spellings_declare_shapes(tmp_path: Path) -> None:
    # Unicode ℝ (typed in Markdown notes), dsfont's \mathds, bbm's \mathbbm, plain TeX's \Bbb,
    # Boyd's \mathbf{R}^m_+, and "a vector in $\mathbb{R}^m$" said in words
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $A ∈ ℝ^{m×n}$, $x ∈ ℝ^n$, $C \in \mathds{R}^{m \times n}$, $z \in \mathbbm{R}^{m}$,
        $D \in \Bbb R^{n \times m}$, $s \in \mathbf{R}^{m}_{+}$, $t$ a vector in $\mathbb{R}^m$,
        and let $u$ be a point in $\mathbb{R}^n$.

        Right: $A x$, $C^\top z$, $D z$, $A^\top s$, $t^\top C$, $u^\top D$.
        Wrong: $x A$, $C z$, $D x$, $A s$, $C t$, $A^\top u$.
        """,
    )
    text = result.doc.text
    got = [text[d.start : d.end] for d in result.diagnostics]
    assert got == ["x A", "C z", "D x", "A s", "C t", r"A^\top u"]


def test_a_plain_letter_defined_as_a_number_beside_its_declared_bold_array(tmp_path: Path) -> None:
    # layer norm's scalar mean \mu beside batch norm's running mean \boldsymbol\mu: two symbols
    _, result = check_fixture(
        tmp_path,
        r"""
        \section{Batch statistics}
        Let $\boldsymbol\mu \in \mathbb{R}^d$ be the running mean, $\mathbf h \in \mathbb{R}^d$
        and $W \in \mathbb{R}^{m \times n}$.
        \section{Layer normalisation}
        The layer mean is $\mu = \frac{1}{d}\mathbf 1^\top \mathbf h$ and
        $\sigma^2 = \frac1d \|\mathbf h - \mu\mathbf 1\|^2$; wrong: $W \boldsymbol\mu$.
        """,
    )
    text = result.doc.text
    got = [text[d.start : d.end] for d in result.diagnostics]
    assert got == [r"W \boldsymbol\mu"]


def test_a_mask_and_class_labels_declare_shapes(tmp_path: Path) -> None:
    # an attention mask \{0, -\infty\}^{T \times T}; class labels \{1, \dots, K\}^n; the
    # T×T positive definite matrices \mathcal{S}_{++}^{T} (of T tasks: no transpose)
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $S \in \mathbb{R}^{T \times S}$, $M \in \{0, -\infty\}^{T \times T}$, $\Omega \in \mathcal{S}_{++}^{T}$,
        $y \in \{1, \dots, K\}^n$, $X \in \mathbb{R}^{n \times T}$ and $\ell \in \{1, \ldots, L\}$.

        Right: $M + M^\top$, $X^\top y$, $\ell X$, $\Omega M$. Wrong: $S + M$, $X y$, $\Omega X$.
        """,
    )
    text = result.doc.text
    assert [text[d.start : d.end] for d in result.diagnostics] == ["S + M", "X y", r"\Omega X"]
    assert shape_of(result, r"\ell").is_scalar  # type: ignore[union-attr]


def test_intertext_ends_a_row_and_declares_like_prose(tmp_path: Path) -> None:
    # amsmath ends the row at \intertext even without a \\ before it (no product B u_k y_k),
    # and what its words declare holds after it (the gain K), as in running text
    fx, result = check_fixture(
        tmp_path,
        r"""
        \documentclass{article}
        \begin{document}
        Ünder the plant: $x_k \in \mathbb{R}^n$, $u_k \in \mathbb{R}^m$, $y_k \in \mathbb{R}^p$,
        $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$, $C \in \mathbb{R}^{p \times n}$.
        \begin{align*}
          x_{k+1} &= A x_k + B u_k
          \intertext{and, with the same $C$,}
          y_k &= C x_k ,
          \intertext{with the gain $K \in \mathbb{R}^{m \times n}$, where $G$ is an $m \times m$ matrix,}
          u_k &= -K x_k + G u_k , \\
          x_{k+1} &= (A - BK) x_k = (A - KB) x_k .
                                     ^^^^^^
        \end{align*}
        The input $G K x_k$ is fine, $K G$ is not.
                                      ^^^
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "add-mismatch", "matmul-mismatch")


def test_a_second_equation_after_a_comma_is_what_a_space_sizes(tmp_path: Path) -> None:
    # `Y = O x + V, O = [ … ] \in R^{Np×n}`: the membership is O's, not Y's
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$, $C \in \mathbb{R}^{p \times n}$ and $V \in \mathbb{R}^{2p}$.
        $$ Y = O x + V, \qquad O = \begin{bmatrix} C \\ C \end{bmatrix} \in \mathbb{R}^{2p \times n} $$
        Then $O^\top Y$ is fine and $O Y$ is not.
                                     ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert declaration(result, "Y") is None


def test_a_listed_family_a_box_and_a_pseudo_inverse(tmp_path: Path) -> None:
    # x_1, …, x_N ∈ ℝᵈ sizes any x_i; [0,1]^{n×K} holds n×K matrices; W^{+} is n×m for W m×n
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x_1, \dots, x_N \in \mathbb{R}^d$, $A \in \mathbb{R}^{d \times d}$, $G \in [0,1]^{n \times K}$,
        $W \in \mathbb{R}^{m \times n}$ and $C \in \mathbb{R}^{k \times m}$, $v \in \mathbb{R}^n$, $v^+ = \max(v, 0)$.
        Fine: $\sum_i x_i^\top A x_i$, $G^\top G$, $C W W^{+}$, $W^\dagger C^\top$, $A v^+$.
        Wrong: $A x_j^\top$, $G G$, $W^{+} C$.
                ^^^^^^^^^^    ^^^    ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_another_text_s_convention_declares_nothing(tmp_path: Path) -> None:
    # "Some texts use the transposed convention $B \in …$ — not ours": B stays n×m
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $B \in \mathbb{R}^{n \times m}$ and $W \in \mathbb{R}^{m \times m}$. Some texts use the
        transposed convention $B \in \mathbb{R}^{m \times n}$ — not ours. Then $B W B^\top$ is fine,
        and $B^\top W B$ is not.
             ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_dimension_may_be_a_product_with_a_square(tmp_path: Path) -> None:
    # im2col: W holds one flattened k×k×C_in filter per row
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $U \in \mathbb{R}^{C_{\text{in}} k^2 \times P}$ and $W \in \mathbb{R}^{C_{\text{out}} \times C_{\text{in}} k^2}$.
        Then $W U$ is fine and $W^\top W U$ too, but $U W$ is not.
                                                      ^^^
        """,
    )
    w = declaration(result, "W")
    assert w is not None and w.shape.short() == "C_{\\text{out}}×C_{\\text{in}} k^2"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_set_s_size_is_a_dimension(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\Phi \in \mathbb{R}^{|S| \times d}$, $v \in \mathbb{R}^{|S|}$ and
        $Q \in \mathbb{R}^{|\mathcal{S}| \times |\mathcal{A}|}$. Then $\Phi^\top v$ is fine, $\Phi v$ is not.
                                                                                              ^^^^^^
        """,
    )
    q = declaration(result, "Q")
    assert q is not None and q.shape.short() == "|\\mathcal{S}|×|\\mathcal{A}|"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_signature_with_a_product_domain(tmp_path: Path) -> None:
    # f : ℝⁿ × ℝᵐ → ℝⁿ called f(x_k, u_k) is an n-vector; its Jacobian \nabla_x f(x_0, u_0) is
    # no gradient of a scalar; arguments in another order are the wrong arguments (and the
    # call then has no shape: its sum with y_k says nothing more)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $f : \mathbb{R}^n \times \mathbb{R}^m \to \mathbb{R}^n$, $h : \mathbb{R}^n \to \mathbb{R}^p$,
        $x_k \in \mathbb{R}^n$, $u_k \in \mathbb{R}^m$, $y_k \in \mathbb{R}^p$ and $A \in \mathbb{R}^{n \times n}$.
        Fine: $x_{k+1} = f(x_k, u_k)$, $A = \nabla_x f(x_k, u_k)$.
        Wrong: $y_k = f(x_k, u_k)$ and $f(x_k, u_k) - h(x_k)$, $f(u_k, x_k) + y_k$.
                ^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^^^^^^^^      ^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", "add-mismatch", "argument-mismatch")


def test_a_signal_of_time_declares_its_letter(tmp_path: Path) -> None:
    # x(t) ∈ ℝⁿ declares x (so a later bold \mathbf{x} ∈ ℝ^{Nn} is another symbol), and x(t)
    # reads as x taken at a time
    fx, result = check_fixture(
        tmp_path,
        r"""
        Consider $\dot x(t) = A x(t) + B u(t)$ with $x(t) \in \mathbb{R}^n$, $u(t) \in \mathbb{R}^m$,
        $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$ and $C \in \mathbb{R}^{p \times n}$.
        For $N$ agents, $\mathbf{x} = (x_1, \dots, x_N) \in \mathbb{R}^{Nn}$ and $(I_N \otimes A) \mathbf{x}$.
        Wrong: $C x(t) + B u(t)$.
                ^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_the_size_of_a_set_is_a_dimension(tmp_path: Path) -> None:
    # \mathbb{R}^{|S| \times d}, \mathbb{R}^{|\Omega_i|}: a set's size sizes a space
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\Phi \in \mathbb{R}^{|S| \times d}$, $\theta \in \mathbb{R}^d$, $\mu \in \mathbb{R}^{|S|}$,
        $R_{\Omega_i} \in \mathbb{R}^{|\Omega_i| \times k}$ and $a \in \mathbb{R}^{|\Omega_i|}$.
        Fine: $\Phi \theta - \mu$, $R_{\Omega_i}^\top a$. Wrong: $\Phi^\top \theta$ and $R_{\Omega_i} a$.
                                                                  ^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_jacobians_evaluated_at_a_point_are_declared(tmp_path: Path) -> None:
    # the bar of \frac{\partial f}{\partial x}\Big|_{…} is no relation: F_k and H_k are declared
    fx, result = check_fixture(
        tmp_path,
        r"""
        \[
          F_k = \frac{\partial f}{\partial x}\Big|_{(\hat x_k,\, u_k)} \in \mathbb{R}^{n \times n}, \qquad
          H_k = \frac{\partial h}{\partial x}\bigg\vert_{\hat x_k} \in \mathbb{R}^{p \times n}.
        \]
        Then $F_k - F_k^\top$ and $H_k F_k$ are fine, but $F_k H_k$ is not.
                                                           ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_set_of_labels_declares_the_entries_values(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $\mathbf{y} \in \{0,1\}^n$, $s \in \left\{-1, 1\right\}^{m}$, $Y \in \{0, 1\}^{n \times K}$
        and $p \in [0,1]^n$.
        """,
    )
    y, s, big_y, p = (declaration(result, k) for k in ("y", "s", "Y", "p"))
    assert y is not None and y.values == (0.0, 1.0) and same_shape(y.shape, shape("n", 1))
    assert s is not None and s.values == (-1.0, 1.0) and same_shape(s.shape, shape("m", 1))
    assert big_y is not None and big_y.values == (0.0, 1.0)
    assert p is not None and p.values == ()  # an interval, not labels
    assert found(result) == set()


def test_bold_upright_reals_and_symmetric_matrices(tmp_path: Path) -> None:
    # Boyd and Vandenberghe's \mathbf{R}^n and \mathbf{S}^n_{++}, through the macros their
    # lecture notes define; \mathop{\bf Tr} is the trace
    fx, result = check_fixture(
        tmp_path,
        r"""
        \newcommand{\reals}{\mathbf{R}}
        \newcommand{\symm}{\mathbf{S}}
        \newcommand{\Tr}{\mathop{\bf Tr}}
        Let $x \in \reals^n$, $B \in \reals^{n \times m}$, $c \in \reals$, $P \in \symm_+^n$,
        $R \in \symm_{++}^m$ and $W \in \symm^m$. Then $c B^T P x$ and $\Tr(R W)$ are fine,
        but $P B$ is $n \times m$: $\Tr(P B)$ is not, and $B^T P + R$ is not.
                                    ^^^^^^^^               ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square", "add-mismatch")


def test_intervals_and_comparisons_of_lists_and_numbered_letters_make_scalars(
    tmp_path: Path,
) -> None:
    r"""``\beta_1, \dots, \beta_T \in (0, 1)`` makes every ``\beta_t`` a scalar, as
    ``(0, \infty)`` and ``[0, 1]`` make theirs; ``\alpha, \gamma > 0`` says it of each of the
    list; ``\theta_1 > 0`` of a numbered parameter.  Not ``\theta \ge 0`` (a vector's, entrywise),
    nor a list that is not all such letters (``\mathbf{u}, \lambda \ge 0``: only ``\lambda``)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\beta_1, \dots, \beta_T \in (0,1)$, $\rho \in (0, \infty)$, $\alpha, \gamma > 0$,
        $\theta_1 > 0$, $\theta \ge 0$, $\mathbf{u}, \lambda \ge 0$, $A \in \mathbb{R}^{m \times n}$
        and $x \in \mathbb{R}^n$.
        Fine: $\beta_t A x$, $\rho A x$, $\alpha \gamma A x$, $\theta_1 A x$, $\lambda A x$.
        Wrong: $\beta_t x A$, $\rho x A$, $\alpha x A$, $\theta_1 x A$.
                ^^^^^^^^^^^    ^^^^^^^^    ^^^^^^^^^^    ^^^^^^^^^^^^
        Unknown: $A \theta$, $\mathbf{u}^\top A$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    for scalar in (r"\beta_t", r"\beta_T", r"\rho", r"\alpha", r"\gamma", r"\theta_1"):
        assert shape_of(result, scalar) == SCALAR, scalar
    assert shape_of(result, r"\theta") is None
    assert shape_of(result, r"\mathbf{u}") is None


def test_an_accented_indexed_letter_in_an_interval_is_a_scalar(tmp_path: Path) -> None:
    r"""``\bar\alpha_t \in (0, 1)`` (a diffusion schedule) makes ``\bar\alpha_t`` a scalar as
    ``\tilde\mu \in (0, 2)`` makes ``\tilde\mu`` one; an accented bold letter stays unread."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\bar\alpha_t \in (0, 1)$, $\hat\beta_k \in (0, \infty)$, $\bar{\mathbf{u}} \in (0, 1)$,
        $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.
        Fine: $\sqrt{\bar\alpha_t} A x$, $\hat\beta_k A x$.
        Wrong: $\bar\alpha_t x A$.
                ^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, r"\bar\alpha_t") == SCALAR
    assert shape_of(result, r"\hat\beta_k") == SCALAR
    assert shape_of(result, r"\bar{\mathbf{u}}") is None
