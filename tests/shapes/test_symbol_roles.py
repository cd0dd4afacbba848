r"""What a symbol is where a sentence or a formula mentions it: the object of a preposition
is not what a prose size describes, a function followed by a scripted bracket is applied
(``r(x)^\top``), a number times ``\pi`` is the constant, and a written list of samples
``x_1, \dots, x_n`` is a family of vectors.  Each with a planted error found at its exact
range and correct documents that stay quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import (
    check_fixture,
    declaration,
    expected,
    found,
    same_shape,
    shape,
    shape_of,
)

# -- a prose size belongs to the subject, not to the object of a preposition -----------------


@pytest.mark.parametrize(
    "sentence",
    [
        r"The orthogonal projector onto the column space of $A$ is the $m \times m$ matrix $P$.",
        r"The Jacobian of $a$ with respect to $A$ is the $m \times m$ matrix $P$.",
        r"The Gram matrix for $A$ is an $m \times m$ matrix, called $P$.",
        r"The projector onto $A$ is $m \times m$.",
    ],
)
def test_a_prose_size_does_not_go_to_the_object_of_a_preposition(
    tmp_path: Path, sentence: str
) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        Let $A \in \mathbb{{R}}^{{m \times n}}$, $x \in \mathbb{{R}}^n$ and $y \in \mathbb{{R}}^m$.
        {sentence}
        Then $A x + y$ is fine, but $A y$ is not.
                                     ^^^
        """,
    )
    a = declaration(result, "A")
    assert a is not None and a.how != "prose" and a.shape.short() == "m×n"
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize(
    "sentence",
    [
        r"Let $W$ be an $m \times n$ matrix.",
        r"For the model, $W$ is an $m \times n$ matrix.",
        r"Here $W$ is the $m \times n$ matrix of weights.",
        r"Consider the weights $W$, an $m \times n$ matrix.",
        r"The weights, stored in a matrix $W$ of size $m \times n$, are learned.",
        r"The layer with $W$ of size $m \times n$ is linear.",
    ],
)
def test_a_prose_size_still_goes_to_its_subject(tmp_path: Path, sentence: str) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        {sentence} Take $x \in \mathbb{{R}}^n$ and $y \in \mathbb{{R}}^m$.
        Then $W x + y$ is fine, but $W y$ is not.
                                     ^^^
        """,
    )
    assert shape_of(result, "W").short() == "m×n"
    assert found(result) == expected(fx, "matmul-mismatch")


# -- a function applied, then transposed or powered ------------------------------------------


def test_a_transposed_application_is_the_transpose_of_the_value(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $r : \mathbb{R}^n \to \mathbb{R}^m$, $x \in \mathbb{R}^n$, $B \in \mathbb{R}^{m \times m}$ and $C \in \mathbb{R}^{n \times n}$.
        Then $f(x) = \tfrac12 r(x)^\top r(x)$ and $r(x)^\top B r(x) + r(x)_1^2$ are fine, but $r(x)^\top C$ is not.
                                                                                               ^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_scripted_bracket_after_a_plain_symbol_is_still_a_product(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $a \in \mathbb{R}^m$, $x \in \mathbb{R}^n$ and $A \in \mathbb{R}^{n \times n}$.
        Then $a (x)^\top A$ is an outer product, but $a (x)^\top a$ is not.
                                                      ^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_scripted_bracket_right_after_an_unknown_name_is_its_argument(tmp_path: Path) -> None:
    # \kappa(A)^2 is the square of the condition number of A, not \kappa times (A)^2
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$. Then $\kappa(A^\top A) = \kappa(A)^2$, but $(A)^2$ is no square.
                                                                                         ^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_a_scripted_bracket_after_an_unknown_subscripted_name_is_its_argument(
    tmp_path: Path,
) -> None:
    # k_u(x)^\top w is the transposed value of k_u, not k_u times (x)^\top
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^d$ and $w \in \mathbb{R}^m$. Then $\mu = k_u(x)^\top w$, but $(x)^\top w$ is wrong.
                                                                                            ^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_declared_function_value_sizes_its_calls(tmp_path: Path) -> None:
    # k_u(x) \in R^m and J_u(x) = … \in R^{m x d} say what the functions give
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^d$, $k_u(x) = k(Z, x) \in \mathbb{R}^m$, $w \in \mathbb{R}^m$ and
        $J_u(x) = \partial k_u / \partial x \in \mathbb{R}^{m \times d}$. Then
        $\mu(x) = k_u(x)^\top w$ and $\nabla_x \mu = J_u(x)^\top w$, but not $J_u(x)\, w$.
                                                                              ^^^^^^^^^^
        At test points $X_* \in \mathbb{R}^{n_* \times d}$ with $K_{*u} \in \mathbb{R}^{n_* \times m}$, the values stack: $K_{*u} = k_u(X_*)^\top$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert same_shape(shape_of(result, "J_u(x)^\\top w"), shape("d"))


def test_a_kernel_applied_to_matrices_declares_no_value(tmp_path: Path) -> None:
    # K_uu = k(Z, Z) \in R^{m x m}: the value of k depends on its arguments
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $K_{uu} = k(Z, Z) \in \mathbb{R}^{m \times m}$ and $K_{fu} = k(X, Z) \in \mathbb{R}^{n \times m}$,
        so $K_{fu} K_{uu}^{-1}$ and $k(X, Z) K_{uu}^{-1}$ are $n \times m$.
        """,
    )
    assert result.diagnostics == []


# -- a number times \pi is the constant --------------------------------------------------------


def test_a_number_times_pi_is_the_constant_even_where_pi_is_declared(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\pi \in \mathbb{R}^K$, $\Sigma \in \mathbb{R}^{d \times d}$ and $v \in \mathbb{R}^d$.
        Then $\det(2\pi\Sigma)^{-1/2}$, $(2\pi)^{d/2} v$, $\log 2\pi + \pi^\top \pi$ and $\frac{1}{\sqrt{2\pi}} v$ are fine, but $\pi \Sigma$ is not.
                                                                                                                                  ^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


# -- samples x_1, …, x_n of a vector x ------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        r"Given $n$ observations $x_1, \dots, x_n$, the mean is",
        r"Draw samples $x_1, x_2, \ldots, x_N$ and take",
        r"The $n$ observations $x_1, \dots, x_n$, stacked as the rows of $X \in \mathbb{R}^{n \times d}$, have mean",
    ],
)
def test_a_list_of_samples_of_a_vector_is_a_family_of_vectors(
    tmp_path: Path, sentence: str
) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        Let $x \in \mathbb{{R}}^d$ be random, $v \in \mathbb{{R}}^d$ and $A \in \mathbb{{R}}^{{k \times d}}$.
        {sentence} $\bar x = \frac{{1}}{{n}}\sum_{{i=1}}^n x_i = v$.
        Then $A x_i + A \bar x$ is fine, but $x_i A$ is not.
                                              ^^^^^
        """,
    )
    member = declaration(result, "x_{i}", at="x_i A")
    assert member is not None and member.shape.short() == "d"
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize("labels", [r"\{0,1\}", r"\{-1, 1\}", r"\mathbb{R}"])
def test_labels_between_the_samples_and_stacked_are_not_the_rows(
    tmp_path: Path, labels: str
) -> None:
    # "samples $x_i$ with labels $y_i$, stacked as the rows of $X$": the rows are the x_i,
    # and the labels stay numbers (no "declared ℝ^d here but scalar just before")
    fx, result = check_fixture(
        tmp_path,
        rf"""
        We observe $N$ samples $x_i \in \mathbb{{R}}^d$ with labels $y_i \in {labels}$, stacked as the
        rows of $X \in \mathbb{{R}}^{{N \times d}}$. Let $w \in \mathbb{{R}}^d$ and $A \in \mathbb{{R}}^{{k \times d}}$.
        But $x_i A$ is not, while $y_i w + A^\top A x_i$ and $X w + X A^\top \mathbf{{1}}_k$ are fine.
             ^^^^^
        """,
    )
    label = declaration(result, "y_{i}", at="y_i w")
    assert label is not None and label.shape.is_scalar
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_list_as_long_as_the_vector_is_its_entries(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$ collect the observations $x_1, \dots, x_n$, and $v \in \mathbb{R}^n$.
        Then $\mathbf{1}^\top x = \sum_{i=1}^n x_i$ and $x_i v$ are fine, but $v^\top x_i x$ is not a scalar: $v^\top x_i x + 1 = v$.
                                                                                                               ^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert declaration(result, "x_{i}") is None
    assert found(result) == expected(fx, "equation-mismatch")


def test_a_primed_name_declared_itself_is_no_transpose(tmp_path: Path) -> None:
    # contrastive views: Z' is declared N×d; undeclared, x' A x still reads x' as a transpose
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $Z, Z' \in \mathbb{R}^{N \times d}$, $P \in \mathbb{R}^{N \times N}$, $x \in \mathbb{R}^d$
        and $A \in \mathbb{R}^{d \times d}$. Then $P Z'$, $Z'^\top P$ and $x' A x$ are fine; $Z' P$ is not.
                                                                                              ^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert "transposing `Z'`" in result.diagnostics[0].message


def test_gradient_names_dx_are_differentials_of_the_shape_of_x(tmp_path: Path) -> None:
    # Backprop notes name the gradient of the loss with respect to O as dO (the shape of O)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $P \in \mathbb{R}^{n \times n}$, $V \in \mathbb{R}^{n \times d_v}$ and $O = PV$. Given
        $dO \in \mathbb{R}^{n \times d_v}$: $dV = P^\top dO$ and $dP = dO\, V^\top$, but not $dV = dO^\top P$.
                                                                                              ^^^^^^^^^^^^^^
        With the differential, $\mathrm{d}O = \mathrm{d}P\, V + P\, \mathrm{d}V$.
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_a_matrix_declared_at_its_point_is_its_value_there(tmp_path: Path) -> None:
    # Gauss-Newton notes: J = J(x) is the Jacobian at x, F(x) the residual there
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$, $y \in \mathbb{R}^n$, $A \in \mathbb{R}^{m \times n}$, the Jacobian
        $J = J(x) \in \mathbb{R}^{m \times n}$ and $F(x) \in \mathbb{R}^m$. Then $J(x)^\top F(x)$,
        $J(x)(y - x)$, $J^\top J$ and $A(x + y)$ are fine, but $J(x) F(x)$ is not.
                                                                ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_rate_has_the_shape_of_what_changes(tmp_path: Path) -> None:
    # robot kinematics: \dot J is m×n like J(q); \hat p (a skew matrix) stays unknown
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $q \in \mathbb{R}^n$, $J(q) \in \mathbb{R}^{m \times n}$ and $p \in \mathbb{R}^3$. Then
        $\dot v = J \ddot q + \dot J \dot q$ and $\hat p \, p = 0$ are fine, but $\dot J^\top \dot q$ is not.
                                                                                  ^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_estimate_of_the_state_has_its_shape(tmp_path: Path) -> None:
    # Kalman notes declare x_k and rarely its estimates \hat x_{k|k-1}, \hat x_k
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x_k \in \mathbb{R}^n$, $z_k \in \mathbb{R}^m$, $H \in \mathbb{R}^{m \times n}$ and $K_k \in \mathbb{R}^{n \times m}$.
        Then $\hat x_{k|k} = \hat x_{k|k-1} + K_k (z_k - H \hat x_{k|k-1})$ is fine,
        but $K_k (z_k - \hat x_{k|k-1})$ is not.
                  ^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_letter_redefined_by_a_formula_of_unknown_size_is_no_longer_the_old_one(
    tmp_path: Path,
) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        ## Kernels

        Let $K \in \mathbb{R}^{N \times N}$ and $y \in \mathbb{R}^N$; then $K y$ is fine.

        ## Kalman filter

        With $H \in \mathbb{R}^{o \times s}$, $x_t \in \mathbb{R}^s$ and $y_t \in \mathbb{R}^o$, the gain is $K = P H^\top S^{-1}$ and
        the update adds $K (y_t - H x_t)$.
        """,
    )
    assert found(result) == set()


def test_a_placeholder_subscript_declares_every_member(tmp_path: Path) -> None:
    # LSTM notes: "each $W_\ast \in …$" sizes the gates' W_i, W_f, W_o, W_c
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x_t \in \mathbb{R}^d$ and $h_t \in \mathbb{R}^H$, where each $W_\ast \in \mathbb{R}^{H \times d}$ and
        $U_\ast \in \mathbb{R}^{H \times H}$. Then $W_i x_t + U_i h_{t-1}$ is fine, $x_t W_f$ is not.
                                                                                     ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_starred_name_transposed_in_one_superscript(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x^* \in \mathbb{R}^n$, $W^Q \in \mathbb{R}^{d \times k}$ and $A \in \mathbb{R}^{m \times n}$.
        Then $x^{*\top} A^\top$ and $W^{Q\top} W^Q$ are fine, but $x^{*\top} A$ is not.
                                                                   ^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_matrix_as_a_function_of_its_parameters_is_no_product(tmp_path: Path) -> None:
    # GP notes: K(\theta) is the kernel matrix at the hyperparameters \theta, not K times \theta
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K \in \mathbb{R}^{n \times n}$, $\theta \in \mathbb{R}^d$, $y \in \mathbb{R}^n$ and $A \in \mathbb{R}^{m \times n}$.
        Then $y^\top K(\theta)^{-1} y$ and $\log\det K(\theta)$ are fine, but $A (y + \theta)$ is not.
                                                                                  ^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_letters_side_by_side_in_a_superscript_that_are_vectors_label_a_name(
    tmp_path: Path,
) -> None:
    # Sinkhorn divergence notes: f^{\alpha\beta} is the potential of OT(α, β), not f to the
    # power of a product of two vectors; a power of a square matrix is still checked
    fx, result = check_fixture(
        tmp_path,
        r"""
        For histograms $\alpha, \beta \in \mathbb{R}^n$, $A \in \mathbb{R}^{n \times n}$ and
        $B \in \mathbb{R}^{n \times m}$, the gradient is $f^{\alpha\beta} - f^{\alpha\alpha}$, and
        $(f^{\alpha\beta} - f^{\beta\beta})^\top$ is its row; $A^{k} A$ is fine, $B^{2}$ is not.
                                                                                  ^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_an_optimum_marked_with_a_star_has_the_shape_of_its_letter(tmp_path: Path) -> None:
    # P^\star is the optimal plan, n×m like P; X^\star defined as its own matrix keeps that
    # shape; A^* of a matrix that is not square may be its adjoint: unknown
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $P \in \mathbb{R}^{n \times m}$, $X \in \mathbb{R}^{n \times d}$, $Y \in \mathbb{R}^{m \times d}$
        and $x \in \mathbb{R}^n$ with optimum $x^\star \in \mathbb{R}^n$, and $Z^\star = P^\top X$.
        Then $P^\star Y$, $X^* P$, $Z^\star - Y$ and $x^\star - x$ are fine, but $P^\star X$ is not.
                                                                                  ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_estimate_of_a_matrix_has_its_shape(tmp_path: Path) -> None:
    # subspace identification: \hat Q, \hat R estimate the noise covariances Q (n×n) and R
    # (p×p); \hat p of a vector may be its skew matrix, and a defined \hat X is its own
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $Q \in \mathbb{R}^{n \times n}$, $R \in \mathbb{R}^{p \times p}$, $C \in \mathbb{R}^{p \times n}$,
        $P \in \mathbb{R}^{n \times n}$, $p \in \mathbb{R}^3$, $X \in \mathbb{R}^{N \times n}$ and
        $\hat X = \begin{bmatrix} X & \mathbf{1}_N \end{bmatrix}$. Then $\hat p\, p = 0$, $\hat X^\top \hat X$,
        $P + \hat Q$ and $C P C^\top + \hat R$ are fine, but $C P C^\top + \hat Q$ is not.
                                                              ^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_differential_beside_a_vector_named_d(tmp_path: Path) -> None:
    # PageRank: d ∈ {0,1}^N marks the dangling pages, and d\pi, dS are still differentials
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $S \in \mathbb{R}^{N \times N}$, $\pi \in \mathbb{R}^N$ and $d \in \{0,1\}^N$. Then
        $d\pi = \alpha (I - \alpha S)^{-1} (dS)\, \pi$ and $d^\top \pi$ are fine, but $d^\top S \pi^\top$ is not.
                                                                                       ^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_updated_version_has_the_shape_of_its_letter(tmp_path: Path) -> None:
    # EM: W^{\mathrm{new}} is the next W; an undeclared W^{\text{enc}} is some other matrix
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{d \times q}$ and $M \in \mathbb{R}^{q \times q}$. Then $W^{\mathrm{new}} M$,
        $(W^{\text{new}})^\top W^{\mathrm{new}}$ and $W^{\text{enc}} W$ say nothing wrong; $M W^{\mathrm{new}}$ is.
                                                                                            ^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_draw_from_a_normal_has_the_size_of_its_covariance(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{d \times q}$ and $K \in \mathbb{R}^{n \times n}$. Take
        $z_n \sim \mathcal{N}(0, I_q), \; x_n = W z_n$ and $f \sim \mathcal{N}(0, K)$. Then $f^\top K f$
        is fine, and $z_n W$ is not.
                      ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_prior_estimate_has_the_shape_of_its_letter(tmp_path: Path) -> None:
    # Kalman notes: the predicted covariance P_k^- of P_k \in \mathbb{R}^{n \times n}, the
    # prior \hat{x}_k^-; "A^-" of a rectangular A (a generalised inverse?) says nothing
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $P_k \in \mathbb{R}^{n \times n}$, $H \in \mathbb{R}^{m \times n}$ and $A \in \mathbb{R}^{m \times n}$.
        Then $H P_k^- H^\top$ and $A^- H$ are fine, but $P_k^- H$ is not.
                                                         ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
