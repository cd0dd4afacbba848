r"""Forms the set-25 documents (tests/documents/*-25) showed texgrad did not read: a
supposition in the first clause of a sentence ("We drop the index when one head is
involved; $v_t \in …$"), blocks side by side with a wide space (``[J \;\; J_\theta]``,
``[A \quad B]``), and a matrix declared with its time (``J(t) \in \mathbb{R}^{D \times P}``)
used at that time."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import codes_by_line


def test_a_supposition_in_an_earlier_clause_does_not_make_a_declaration_local(
    tmp_path: Path,
) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    \section{Model}
    Let $G \in \mathbb{R}^{k \times m}$. We drop the index when one head is involved; $v \in \mathbb{R}^{m}$ is then a value.
    \section{Gradients}
    \[ G v , \qquad G^\top v . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(6, "matmul-mismatch")]


def test_a_supposition_in_the_declarations_own_clause_keeps_it_local(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    \section{Model}
    Let $G \in \mathbb{R}^{k \times m}$. When one head is involved, $v \in \mathbb{R}^{m}$; $f(x; \theta)$ is a map.
    \section{Gradients}
    \[ G^\top v . \]
    \end{document}
    """
    # the supposition is in v's own clause (a ";" inside math does not end it): v stays local
    assert codes_by_line(text, tmp_path) == []


def test_blocks_side_by_side_with_a_wide_space_need_the_same_rows(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $C \in \mathbb{R}^{D \times D}$, $B \in \mathbb{R}^{D \times P}$ and $a \in \mathbb{R}^{D}$.
    \[ a^\top [C \;\; B] , \qquad [C \quad B]^\top a , \qquad \mathbf{u} = [C \qquad B] \mathbf{e} . \]
    \[ a^\top [C \;\; B^\top] . \]
    \[ [B \quad C] a . \]
    \end{document}
    """
    # the first row is right ([C B] is D×(D+P)); the second stacks P rows beside D, the third
    # multiplies the D×(P+D) blocks by a vector of D
    assert codes_by_line(text, tmp_path) == [(5, "block-mismatch"), (6, "matmul-mismatch")]


def test_a_matrix_declared_at_a_time_has_its_shape_there(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $\mathbf{v} \in \mathbb{R}^{D}$, $\mathbf{u} \in \mathbb{R}^{P}$ and $G(t) \in \mathbb{R}^{D \times P}$.
    \[ G(t)\, \mathbf{u} + \mathbf{v} , \qquad G(t)^\top \mathbf{v} + \mathbf{u} . \]
    \[ G(t)\, \mathbf{v} . \]
    \[ G(\tau)^\top \mathbf{u} . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch"), (6, "matmul-mismatch")]


def test_a_matrix_at_a_declared_point_says_nothing(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $\mathbf{v} \in \mathbb{R}^{D}$, $t \in \mathbb{R}^{P}$ and $G \in \mathbb{R}^{D \times P}$.
    \[ G(t) + \mathbf{v} . \]
    \end{document}
    """
    # t is declared: G(t) is G times t, a D-vector, as before (no time read)
    assert codes_by_line(text, tmp_path) == []


def test_an_exercise_that_declares_a_letter_anew_keeps_it_to_itself(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    \section{Model}
    Let $X \in \mathbb{R}^{n \times p}$, $\beta \in \mathbb{R}^p$ and $y \in \mathbb{R}^n$.
    \section*{Exercises}
    \begin{enumerate}
      \item Show that $X^\top X$ is positive semidefinite.
      \item Suppose $X \in \mathbb{R}^{m \times q}$ and $b \in \mathbb{R}^q$. Compute $X b$ and $X^\top b$.
      \item Verify that $X^\top(y - X\beta) = 0$, but not $X(y - X\beta)$.
    \end{enumerate}
    \end{document}
    """
    # item 2's X is m×q in item 2 (X^\top b is wrong there); item 3 uses the model's X again
    assert codes_by_line(text, tmp_path) == [(8, "matmul-mismatch"), (9, "matmul-mismatch")]


def test_exercises_in_portuguese_that_build_on_each_other_share_their_letters(
    tmp_path: Path,
) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    \section*{Exercícios}
    \begin{enumerate}
      \item Seja $A \in \mathbb{R}^{m \times q}$ e $v \in \mathbb{R}^{q}$.
      \item Mostre que $A^\top A v$ está definido, mas $A v + v$ não.
    \end{enumerate}
    \end{document}
    """
    # A has one shape: what exercise 1 declares holds in exercise 2
    assert codes_by_line(text, tmp_path) == [(6, "add-mismatch")]


def test_a_beamer_block_titled_example_keeps_its_letters(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{beamer}
    \begin{document}
    \begin{frame}{Jacobian}
      Let $J \in \mathbb{R}^{m \times n}$, $v \in \mathbb{R}^m$ and $u \in \mathbb{R}^n$.
      \begin{block}{Example: planar 2R arm}
        Here $J \in \mathbb{R}^{2 \times 2}$ and $w \in \mathbb{R}^2$, so $J w$ is defined.
      \end{block}
      \begin{block}{Careful}
        $v = J u$ and $u = J^\top v$, but not $u = J v$.
      \end{block}
    \end{frame}
    \end{document}
    """
    # the Example's J is its own: after it J is m×n again (in a plain block too)
    assert codes_by_line(text, tmp_path) == [(9, "matmul-mismatch")]


def test_a_bold_letter_declared_at_a_call_is_called_everywhere(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \newcommand{\q}{\mathbf{q}}
    \newcommand{\J}{\mathbf{J}}
    \begin{document}
    Let $\q \in \mathbb{R}^n$ and $\mathbf{F} \in \mathbb{R}^6$, for $n > 6$ joints, with
    \[ \mathbf{v} = \J(\q)\,\dot{\q}, \qquad \J(\q) = \begin{bmatrix} \J_P(\q) \\ \J_O(\q) \end{bmatrix} \in \mathbb{R}^{6 \times n} . \]
    \section{Statics}
    \[ \boldsymbol\tau = \J(\q)^\top \mathbf{F} , \qquad \J^{\dagger} = \J^\top(\J\J^\top)^{-1} \in \mathbb{R}^{n \times 6} . \]
    \[ \boldsymbol\tau = \J(\q)\, \mathbf{F} . \]
    \end{document}
    """
    # J(q) is J at q (not J times q^\top), declared after a comma in the display
    assert codes_by_line(text, tmp_path) == [(9, "matmul-mismatch")]


def test_an_apposition_after_a_comma_sizes_the_letter_before_it(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $Z \in \mathbb{R}^{m \times L}$. The weight uses $H$, the $m \times m$ matrix with 2 on the diagonal:
    \[ Z^\top H Z , \qquad Z H Z^\top . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(4, "matmul-mismatch")]
