r"""Forms the set-21 documents (tests/documents/*-21) showed texgrad did not read, or read
wrongly: a letter a sized chain of equalities sets equal to the first ("$\Sigma_{xy} =
\Sigma_{yx}^{\mathsf T}$ is $p \times q$"), a formula recalled in quotation marks, a covariance
defined by its inverse (``S_N^{-1} = …``), a call declared as written (``\tau(y) \in …`` with
``y`` sized nowhere), a bold letter set to the tuple of its entries, and Beamer's overlay
commands around the rows of an ``align``."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture, expected, found, shape, shape_of


def test_a_transposed_letter_in_a_sized_chain_takes_the_transposed_size(tmp_path: Path) -> None:
    # once \Sigma_{yx} was read as an entry of the block matrix \Sigma: a scalar
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \begin{document}
        Let $\mathbf{x}$ and $\mathbf{y}$ have the joint covariance
        \[ \Sigma = \begin{pmatrix} \Sigma_{xx} & \Sigma_{xy} \\ \Sigma_{yx} & \Sigma_{yy} \end{pmatrix}, \]
        where $\Sigma_{xx}$ is $p \times p$, $\Sigma_{yy}$ is $q \times q$ and
        $\Sigma_{xy} = \Sigma_{yx}^{\mathsf T} = E[\mathbf{x}\mathbf{y}^{\mathsf T}]$ is $p \times q$.

        Then $\Sigma_{yy} - \Sigma_{yx}\Sigma_{xx}^{-1}\Sigma_{xy}$ is $q \times q$, and
        $\Sigma_{yy} - \Sigma_{xy}\Sigma_{xx}^{-1}\Sigma_{yx}$ is not.
                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^
        \end{document}
        """,
    )
    assert shape_of(result, r"\Sigma_{yx}", 3) == shape("q", "p")
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_formula_in_quotation_marks_is_mentioned_not_used(tmp_path: Path) -> None:
    # the letters of a rule recalled are the rule's own: A of the chapter is p×r
    _, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \begin{document}
        Let $A \in \mathbb{R}^{p \times r}$ and $B \in \mathbb{R}^{q \times r}$.
        Students who remember ``$C - B A^{-1} B^{\mathsf T}$'' but not which block is $B$
        get the Schur complement wrong.
        \end{document}
        """,
    )
    assert found(result) == set()


def test_a_matrix_in_quotation_marks_is_still_checked_outside_them(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \begin{document}
        Let $A \in \mathbb{R}^{p \times r}$. Recall ``$C - A^{-1}$'', but $A^{-1}$ is not defined.
                                                                           ^^^^^^
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_a_matrix_defined_by_its_inverse_has_the_inverse_s_shape(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \begin{document}
        Let $\Phi \in \mathbb{R}^{N \times M}$, $S_0 \in \mathbb{R}^{M \times M}$ and $\beta > 0$.
        \[ S_N^{-1} = S_0^{-1} + \beta \Phi^\top \Phi \]
        so that $S_N \Phi^\top$ is $M \times N$, but $S_N \Phi$ is not.
                                                      ^^^^^^^^
        \end{document}
        """,
    )
    assert shape_of(result, "S_N", 1) == shape("M", "M")
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_inverse_set_to_a_rectangular_matrix_defines_nothing(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \begin{document}
        Let $\Phi \in \mathbb{R}^{N \times M}$. Then $S^{-1} = \Phi$.
        \end{document}
        """,
    )
    assert shape_of(result, "S^{-1}") is None


def test_a_call_declared_as_written_has_its_shape_whatever_its_argument(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! README.md
        The text encoder gives $\tau(y) \in \mathbb{R}^{M \times d_\tau}$, and
        $W_K \in \mathbb{R}^{d_\tau \times d}$.

        $$K = \tau(y)\, W_K$$

        Not $K = W_K\, \tau(y)$, nor $\tau(z) W_K$ for another argument.
                 ^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert "unknown-shape" not in {u.code for u in _explained(result)}


def test_a_bold_letter_set_to_the_tuple_of_its_entries_is_a_vector(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \begin{document}
        Let $\Phi \in \mathbb{R}^{N \times M}$ and $\mathbf{t} = (t_1, \dots, t_N)^\top$.
        Then $\Phi^\top \mathbf{t}$ is an $M$-vector, and $\Phi \mathbf{t}$ is not defined.
                                                           ^^^^^^^^^^^^^^^
        \end{document}
        """,
    )
    assert shape_of(result, r"\mathbf{t}", 1) == shape("N")
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_tuple_of_vectors_is_no_vector_of_entries(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \begin{document}
        Let $x_i \in \mathbb{R}^{D}$ and $\mathbf{x} = (x_1, \dots, x_N)^\top$.
        \end{document}
        """,
    )
    assert shape_of(result, r"\mathbf{x}") is None


def test_overlay_commands_around_rows_of_an_align_are_read_through(tmp_path: Path) -> None:
    # the braces of \only<2->{… \\} held two rows together, and '<2->' was no math
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{beamer}
        \begin{document}
        \begin{frame}{Slide}
        Let $A \in \mathbb{R}^{n \times m}$, $x \in \mathbb{R}^{n}$.
        \begin{align*}
          y &= A^\top x \\
          \only<2->{z &= A x \\}
                         ^^^
          \uncover<3>{w &= A^\top \{x\}}
        \end{align*}
        \end{frame}
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert "unread-math" not in {u.code for u in _explained(result)}


def _explained(result: object) -> list:  # type: ignore[type-arg]
    from texgrad.calculus.unchecked import explain

    return list(explain(result))  # type: ignore[arg-type]


def test_a_call_declared_in_another_file_of_the_project_keeps_its_shape(tmp_path: Path) -> None:
    from texgrad.reading.project import load_project
    from texgrad.shapes.check import Checker

    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\input{setup}\n\\input{pred}\n"
        "\\end{document}\n",
        encoding="utf-8",
    )
    (tmp_path / "setup.tex").write_text(
        "Inputs $\\mathbf{x}_n \\in \\mathbb{R}^D$ have features "
        "$\\boldsymbol\\phi(\\mathbf{x}) \\in \\mathbb{R}^M$; let $S \\in \\mathbb{R}^{M \\times M}$.\n",
        encoding="utf-8",
    )
    (tmp_path / "pred.tex").write_text(
        "The variance $\\boldsymbol\\phi(\\mathbf{x})^\\top S \\boldsymbol\\phi(\\mathbf{x})$, "
        "not $\\boldsymbol\\phi(\\mathbf{x}) S$.\n",
        encoding="utf-8",
    )
    project = load_project(str(tmp_path / "main.tex"), folder=tmp_path)
    result = Checker().check(str(tmp_path / "pred.tex"), project, tmp_path)
    text = (tmp_path / "pred.tex").read_text(encoding="utf-8")
    wrong = text.index("\\boldsymbol\\phi(\\mathbf{x}) S")
    assert [(d.code, d.start) for d in result.diagnostics] == [("matmul-mismatch", wrong)]


def test_highlights_and_switches_of_a_slide_are_read_through(tmp_path: Path) -> None:
    # \alert{A x} and \textcolor{red}{A} once hid their math: no diagnostic and no reason
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{beamer}
        \begin{document}
        \begin{frame}{Slide}
        Let $A \in \mathbb{R}^{n \times m}$, $x \in \mathbb{R}^{n}$.
        \[ y = \alert{A x} + \textcolor{red}{A^\top x} \]
                      ^^^
        \begin{align*}
          y &= A^\top x \\ \pause
          z &= \textcolor<2>{red}{A} x \\
                                  ^^^^
          \onslide<3->
          w &= \alert<3>{A^\top} x
        \end{align*}
        \end{frame}
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert "unread-math" not in {u.code for u in _explained(result)}
