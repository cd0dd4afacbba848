r"""Forms the set-24 documents (tests/documents/*-24) showed texgrad did not read: ridge
weights listed with subscripts ("$r_x, r_y > 0$": scalars), a signature stated for a list of
maps ("$\mathbf{s}, \mathbf{t} \colon \mathbb{R}^{d_a} \to \mathbb{R}^{d_b}$": each of
them), and a letter made another name of an elementwise function ("with $h = \tanh$")."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import codes_by_line


def test_subscripted_weights_listed_as_positive_are_scalars(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $A \in \mathbb{R}^{p \times p}$ and $B \in \mathbb{R}^{q \times q}$, with $r_x, r_y > 0$ and $c_1 > 0$.
    \[ A + r_x I_p , \qquad B + r_y I_q , \qquad A + c_1 I_p . \]
    \[ A + r_x I_q . \]
    \[ B + c_1 I_p . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(5, "add-mismatch"), (6, "add-mismatch")]


def test_a_subscripted_letter_not_said_positive_stays_unknown(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $A \in \mathbb{R}^{p \times p}$, with $r_x \ge 0$ and $h_1 > 0$.
    \[ A + r_x I_q , \qquad A + h_1 I_q . \]
    \end{document}
    """
    # r_x \ge 0 may be a vector's sign, h_1 a hidden state: neither is made a scalar
    assert codes_by_line(text, tmp_path) == []


def test_a_signature_stated_for_a_list_of_maps_holds_for_each(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $\mathbf{a} \in \mathbb{R}^{m}$, $\mathbf{b} \in \mathbb{R}^{n}$ and $f, g \colon \mathbb{R}^m \to \mathbb{R}^n$.
    \[ \mathbf{c} = f(\mathbf{a}) + g(\mathbf{a}) + \mathbf{b} . \]
    \[ \mathbf{d} = g(\mathbf{b}) . \]
    \[ \mathbf{e} = f(\mathbf{b}) . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(5, "argument-mismatch"), (6, "argument-mismatch")]


def test_a_list_ending_an_earlier_statement_is_not_signed(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $\mathbf{a} \in \mathbb{R}^{m}, f \colon \mathbb{R}^n \to \mathbb{R}$ and $\mathbf{b} \in \mathbb{R}^{n}$.
    \[ s = f(\mathbf{b}) , \qquad t = f(\mathbf{a}) . \]
    \end{document}
    """
    # only f is signed (not the a of the first statement): f(a) is f's misuse
    assert codes_by_line(text, tmp_path) == [(4, "argument-mismatch")]


def test_a_letter_named_as_an_elementwise_function_keeps_the_shape(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{B \times D}$, $\mathbf{w}, \mathbf{u} \in \mathbb{R}^D$ and $b \in \mathbb{R}$, with $h = \tanh$.
    \[ F = X + h(X \mathbf{w} + b \mathbf{1}_B) \mathbf{u}^\top . \]
    \[ G = X + \mathbf{u}\, h(X \mathbf{w} + b \mathbf{1}_B)^\top . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(5, "add-mismatch")]


def test_a_value_of_a_function_names_nothing(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{B \times D}$, $\mathbf{w}, \mathbf{u} \in \mathbb{R}^D$, and $h = \tanh(\mathbf{w})$.
    \[ G = X + \mathbf{u}\, h(X \mathbf{w})^\top . \]
    \end{document}
    """
    # h = \tanh(w) is a value, not another name of tanh: h(…) is not read as tanh
    assert codes_by_line(text, tmp_path) == []


def test_sizes_stated_as_a_consequence_declare(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    We observe $y_t = G x_t + H v_t$, where $x_t$ is $n \times 1$ and $y_t$ is $m \times 1$.
    So $A$ is $n \times n$, $G$ is $m \times n$ and $H$ is $m \times m$.
    \[ z_t = A x_t + G' y_t , \qquad u_t = G A x_t . \]
    \[ w_t = A G' y_t + G' H y_t , \qquad e_t = G y_t . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(6, "matmul-mismatch")]


def test_sizes_in_a_hypothesis_do_not_declare(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    If $x$ is an $n$-vector, so $A$ is $n \times n$, and $B$ is $m \times m$.
    \[ z = A B x . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == []


def test_a_sum_of_a_familys_sizes_sizes_its_members(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X_m \in \mathbb{R}^{T \times k_m}$ for $m = 1, \dots, M$, and $K = k_1 + \dots + k_M$.
    \[ A = X_1^\top X_2 , \qquad B = X_2^\top X_1 X_1^\top X_2 . \]
    \[ C = X_1^\top X_2 X_1^\top X_2 . \]
    \end{document}
    """
    # X_1, X_2 are T×k_1, T×k_2 (k_1, k_2 sizes the sum names): only C's middle product is wrong
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch")]


def test_without_the_sum_a_member_stays_unsized(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X_m \in \mathbb{R}^{T \times k_m}$ for $m = 1, \dots, M$.
    \[ C = X_1^\top X_2 X_1^\top X_2 . \]
    \end{document}
    """
    # k_1 and k_2 might be any size (even equal): nothing is said
    assert codes_by_line(text, tmp_path) == []


def test_a_sans_serif_or_arrowed_zero_is_a_zero_of_any_size(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $\mathsf{M} \in \mathbb{R}^{N \times N}$, $\mathsf{X} \in \mathbb{R}^{N \times K}$ and $\vec{u} \in \mathbb{R}^N$.
    \[ \mathsf{M} \mathsf{X} = \mathsf{0} , \qquad \vec{u}^\top \mathsf{X} = \vec{0}^\top . \]
    \[ \mathsf{X} \mathsf{M} = \mathsf{0} . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch")]


def test_an_apposition_with_a_word_before_the_size_declares(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{N \times K}$, with $\Omega$ a known $N \times N$ positive definite matrix.
    \[ B = X^\top \Omega^{-1} X , \qquad C = X \Omega^{-1} X^\top . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(4, "matmul-mismatch")]


def test_the_entries_listed_in_a_diagonal_are_numbers(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{N \times K}$, with the rows $\mathbf{x}_i^\top$ of $X$, and
    $D = \operatorname{diag}(\hat{u}_1^2, \dots, \hat{u}_N^2)$.
    \[ X^\top D X = \sum_{i=1}^N \hat{u}_i^2 \, \mathbf{x}_i \mathbf{x}_i^\top . \]
    \[ X^\top D X = \sum_{i=1}^N \hat{u}_i^2 \, \mathbf{x}_i^\top \mathbf{x}_i . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(6, "equation-mismatch")]


def test_matrices_listed_in_a_diagonal_are_not_made_numbers(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $B \in \mathbb{R}^{n \times n}$ and $A = \operatorname{diag}(A_1, \dots, A_K)$.
    \[ C = A_1 B + A_2 . \]
    \end{document}
    """
    # A_k are blocks of any size: nothing is said of them
    assert codes_by_line(text, tmp_path) == []
