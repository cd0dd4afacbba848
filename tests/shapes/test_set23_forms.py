r"""Forms the set-23 documents (tests/documents/*-23) showed texgrad did not read, or read
wrongly: a member of a primed family (``R'_t`` of ``R'_m``, not ``R_t`` transposed), a primed
dimension (``F'`` of ``W \in \mathbb{R}^{F \times F'}``), a set sized by a capital
(``\mathcal{S}_{++}^D``, ``\mathbf{R}^N``: no tag), a function the prose says applies
elementwise ("$\phi$ is … applied elementwise"), the conjugate transpose ``V^*`` of a complex
matrix, estimates marked ``P_k^-`` and ``\hat x_k^+`` (names, with families), ``F_k = F`` of a
time-invariant system, ``\mathbb{1}_m`` (physics' identity) read as no constant, "and
$k_j^\top$ the $j$-th row of $K$", a Greek size printed as written (``\ell×\ell``), and
``D = \operatorname{diag}(S)`` of a square S set equal to a square matrix."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture, codes_by_line


def test_a_member_of_a_primed_family_has_the_primed_familys_shape(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $R_m \in \mathbb{R}^{k \times k}$, $W \in \mathbb{R}^{d \times r}$, $x_t \in \mathbb{R}^{d}$
    and rotations $R'_m \in \mathbb{R}^{r \times r}$.
    \[ u_t = R'_t W^\top x_t , \qquad v_t = R_t W^\top x_t . \]
    \[ w_t = R'_t W x_t . \]
    \end{document}
    """
    # R'_t is r×r (of R'_m), not R_t transposed: only R_t W^\top and R'_t W are wrong
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch"), (6, "matmul-mismatch")]


def test_a_primed_dimension_is_a_name_of_its_own(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{N \times F}$, $W \in \mathbb{R}^{F \times F'}$ and $L \in \mathbb{R}^{N \times N}$.
    \[ Y = L X W \in \mathbb{R}^{N \times F'} . \]
    \[ Z = L W X . \]
    \end{document}
    """
    # W is F×F' (GAT's output width): L X W agrees with its stated N×F'; W X does not
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch")]


def test_a_set_sized_by_a_capital_is_a_space_not_a_tag(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{B \times D}$, $M \in \mathcal{S}_{++}^D$, $P \in \mathbf{S}^{D}$ and $x \in \mathbf{R}^N$.
    \[ Y = X M P , \qquad s = x^\top x . \]
    \[ Z = M X , \qquad u = M x . \]
    \end{document}
    """
    # M is D×D (a size D read as a tag before), x an N-vector: M X and M x are wrong
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch"), (5, "matmul-mismatch")]


def test_a_function_the_prose_says_is_elementwise_keeps_its_arguments_shape(
    tmp_path: Path,
) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{T \times d}$ and $U \in \mathbb{R}^{d \times f}$, where $\phi$ is the GELU
    nonlinearity applied elementwise, and $\psi$ is a learned map. An element-wise activation
    $g(\cdot)$ follows the second layer.
    \[ H = \phi(X U) U^\top , \qquad R = X + \phi(X U) . \]
    \[ S = X + \psi(X U) , \qquad Z = g(X U) X . \]
    \end{document}
    """
    # phi(XU) is T×f: the product with U^\top agrees, the sum with X does not; psi says
    # nothing; g(XU) is T×f, which X cannot follow
    assert codes_by_line(text, tmp_path) == [(6, "add-mismatch"), (7, "matmul-mismatch")]


def test_a_star_on_a_complex_matrix_is_its_conjugate_transpose(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{n \times m}$, $U \in \mathbb{C}^{n \times r}$, $V \in \mathbb{C}^{m \times r}$,
    $S \in \mathbb{R}^{r \times r}$, $x \in \mathbb{R}^{n}$ and $z \in \mathbb{C}^{n}$.
    \[ A = U^* X V S^{-1} , \qquad y = x^* + x , \qquad w = z^* + z . \]
    \[ B = U^* X V^* S^{-1} . \]
    \end{document}
    """
    # U^* is r×n; V^* (r×m) cannot follow X; x^* (an optimum) and z^* (a vector) keep shapes
    assert codes_by_line(text, tmp_path) == [(6, "matmul-mismatch")]


def test_a_star_is_no_transpose_where_the_document_writes_dagger(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{n \times m}$ and $V \in \mathbb{C}^{m \times r}$, with adjoint $V^\dagger$.
    \[ B = X V^* . \]
    \end{document}
    """
    # physics: V^* conjugates the entries (m×r), V^\dagger is the adjoint
    assert codes_by_line(text, tmp_path) == []


def test_estimates_marked_minus_and_plus_are_names_with_families(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $F_k \in \mathbb{R}^{n \times n}$, $H_k \in \mathbb{R}^{m \times n}$, $z_k \in \mathbb{R}^{m}$,
    error covariances $P_k^-, P_k^+ \in \mathbb{R}^{n \times n}$, and write $\hat x_k^-$ and $\hat x_k^+$,
    both in $\mathbb{R}^{n}$, for the estimates before and after $z_k$.
    \[ P_k^- = F_{k-1} P_{k-1}^+ F_{k-1}^\top , \qquad \hat x_k^- = F_{k-1} \hat x_{k-1}^+ . \]
    \[ r_k = z_k - H_k^\top \hat x_k^+ , \qquad S_k = H_k P_{k-1}^+ . \]
    \end{document}
    """
    # the marked letters are n×n and n-vectors (the step before too): H_k^\top \hat x_k^+ is wrong
    assert codes_by_line(text, tmp_path) == [(7, "matmul-mismatch")]


def test_a_letter_equal_to_a_family_member_without_its_label_takes_its_shape(
    tmp_path: Path,
) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $F_k \in \mathbb{R}^{n \times n}$ and $H_k \in \mathbb{R}^{m \times n}$. For a time-invariant
    system ($F_k = F$, $H_k = H$) the steady-state covariance $P \in \mathbb{R}^{n \times n}$ solves
    \[ P = F P F^\top - F P H^\top (H P H^\top)^{-1} H P F^\top . \]
    \[ K = P H (H P H^\top)^{-1} . \]
    \end{document}
    """
    # F is n×n and H m×n as F_k and H_k are: only P H (n×n times m×n) is wrong
    assert codes_by_line(text, tmp_path) == [(6, "matmul-mismatch")]


def test_a_blackboard_one_with_a_size_says_nothing(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $J \in \mathbb{R}^{m \times n}$ and $B \in \mathbb{R}^{n \times m}$ with $J B = \mathbb{1}_m$.
    \[ J B = \mathbf{1}_m . \]
    \end{document}
    """
    # \mathbb{1}_m is physics' identity (or an indicator): silent; \mathbf{1}_m is the ones
    assert codes_by_line(text, tmp_path) == [(4, "equation-mismatch")]


def test_a_verbless_clause_names_the_ith_row_of_a_matrix(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $Q, K \in \mathbb{R}^{n \times d}$ and $v \in \mathbb{R}^{m}$, where $q_i^\top$ is the $i$-th
    row of $Q$ and $k_j^\top$ the $j$-th row of $K$.
    \[ s = q_i^\top k_j , \qquad u = k_j + v . \]
    \end{document}
    """
    # k_j is a d-vector, as q_i is: only k_j + v (d and m) is wrong
    assert codes_by_line(text, tmp_path) == [(5, "add-mismatch")]


def test_a_greek_size_is_printed_as_the_document_writes_it(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $W \in \mathbb{R}^{\ell \times \ell}$ and $C \in \mathbb{R}^{n \times \ell}$.
    \[ A = W + C C^\top . \]
    \end{document}
    """
    _, result = check_fixture(tmp_path, text)
    messages = [d.message for d in result.diagnostics if d.code == "add-mismatch"]
    assert len(messages) == 1
    assert "is \\ell×\\ell" in messages[0] and "ell×ell" not in messages[0].replace("\\ell", "")


def test_the_diagonal_of_a_square_matrix_set_equal_to_a_square_matrix(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $S \in \mathbb{R}^{m \times m}$ and $D = \operatorname{diag}(S) \in \mathbb{R}^{m \times m}$.
    \[ E = \operatorname{diag}(S) \in \mathbb{R}^{n \times n} . \]
    \end{document}
    """
    # diag(S) of a square S may be the diagonal matrix (m×m): only the n×n one is wrong
    assert codes_by_line(text, tmp_path) == [(4, "equation-mismatch")]
