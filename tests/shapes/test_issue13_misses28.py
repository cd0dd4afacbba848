r"""The issue-13 misses of set 27 made general rules (session 28): a dimension fact that
states what a formula written just before it needs ("…, $X + A_1$, needs $n = d$") holds
nowhere.  Each with a planted error and a trap."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line


@pytest.mark.parametrize("words", ["needs", "requires", "would need"])
def test_a_fact_a_formula_needs_holds_nowhere(tmp_path: Path, words: str) -> None:
    text = rf"""
    %! main.md
    Let $X \in \mathbb{{R}}^{{n \times d}}$ and $A \in \mathbb{{R}}^{{n \times n}}$.
    A slip that adds the scores instead, $X + A$, {words} $n = d$.
    """
    assert codes_by_line(text, tmp_path) == [(2, "add-mismatch")]


def test_a_fact_the_text_needs_still_holds(tmp_path: Path) -> None:
    # "the model needs $n = d$" (no formula before the verb): the text's own condition, held
    text = r"""
    %! main.md
    Let $X \in \mathbb{R}^{n \times d}$ and $A \in \mathbb{R}^{n \times n}$.
    The residual design needs $n = d$, and the block is $X + A$.
    """
    assert codes_by_line(text, tmp_path) == []


@pytest.mark.parametrize("mean", [r"\boldsymbol\mu", r"\mathbf m_0"])
def test_a_normals_mean_is_sized_by_its_declared_covariance(tmp_path: Path, mean: str) -> None:
    # arxiv-score-sty-27: "a Gaussian $\mathcal{N}(\vmu, \Sigma)$ with $\Sigma \in
    # \mathcal{S}^d_{++}$": the mean is a column of d, as `texgrad diff` sizes it
    text = r"""
    %! main.md
    For Gaussian data $\mathcal{N}(MEAN, \Sigma)$ with $\Sigma \in \mathbb{R}^{d \times d}$,
    right: $\Sigma + MEAN MEAN^\top$ and $MEAN^\top\Sigma MEAN$.
    Wrong: $\Sigma + MEAN$ and $MEAN\Sigma$.
    """.replace("MEAN", "{" + mean + "}")
    assert codes_by_line(text, tmp_path) == [(3, "add-mismatch"), (3, "matmul-mismatch")]


def test_a_normals_mean_declared_or_with_a_number_for_covariance_is_left(tmp_path: Path) -> None:
    # a mean the document declares keeps its shape (the normal's rule compares it); a
    # covariance that is a number sizes nothing
    text = r"""
    %! main.md
    Let $m \in \mathbb{R}^{k}$. The prior $\mathcal{N}(\mu, \sigma^2)$ has a number for its
    variance: $\mu + \sigma^2$ and $\mu m$ are fine.
    """
    assert codes_by_line(text, tmp_path) == []


def test_an_inequality_between_stacked_blocks_compares_them_block_by_block(tmp_path: Path) -> None:
    # lecture-mpc-condensed-27: [I; -I]u <= [1_n ⊗ ū; -1_N ⊗ u̲] with u of Nm entries
    text = r"""
    %! main.md
    Let $\mathbf u \in \mathbb{R}^{Nm}$, $\bar u \in \mathbb{R}^m$, $\underline u \in \mathbb{R}^m$ and $\mathbf b \in \mathbb{R}^{Nm}$; the state is $x \in \mathbb{R}^n$.
    Right: $\begin{bmatrix} I_{Nm} \\ -I_{Nm} \end{bmatrix}\mathbf u \le \begin{bmatrix} \mathbf 1_N \otimes \bar u \\ -\mathbf 1_N \otimes \underline u \end{bmatrix}$.
    Wrong: $\begin{bmatrix} I_{Nm} \\ -I_{Nm} \end{bmatrix}\mathbf u \le \begin{bmatrix} \mathbf 1_n \otimes \bar u \\ -\mathbf 1_N \otimes \underline u \end{bmatrix}$.
    Wrong too: $\begin{bmatrix} \mathbf b \\ \bar u \end{bmatrix} \geq \begin{bmatrix} \bar u \\ \mathbf b \end{bmatrix}$.
    Right, bounded by a number: $\begin{bmatrix} \mathbf b \\ \bar u \end{bmatrix} \ge 0$ and $\mathbf u \le \mathbf b$.
    """
    assert codes_by_line(text, tmp_path) == [(3, "block-mismatch"), (4, "block-mismatch")]


def test_a_number_over_a_letter_declared_not_square_is_a_players_name(tmp_path: Path) -> None:
    # lecture-lq-games-27: K^1_k ∈ R^{m_1×n}, K^2_k ∈ R^{m_2×n}: players' gains, not powers
    text = r"""
    %! main.md
    Let $K^1_k \in \mathbb{R}^{m_1 \times n}$, $K^{2}_k \in \mathbb{R}^{m_2 \times n}$, $R_{11} \in \mathbb{R}^{m_1 \times m_1}$ and $R_{22} \in \mathbb{R}^{m_2 \times m_2}$.
    Right: $(K^1_k)^\top R_{11} K^1_k + (K^2_k)^\top R_{22} K^2_k$. Wrong: $(K^2_k)^\top R_{11} K^2_k$.
    """
    assert codes_by_line(text, tmp_path) == [(2, "matmul-mismatch")]


def test_a_square_or_undeclared_power_stays_a_power(tmp_path: Path) -> None:
    # A^2_k declared square is a square (and a power of A_k agrees with it); B_k^2 of a B_k
    # that is not square, never declared as a name, is still a power that cannot be taken
    text = r"""
    %! main.md
    Let $A_k \in \mathbb{R}^{n \times n}$, $A^2_k \in \mathbb{R}^{n \times n}$, $B_k \in \mathbb{R}^{n \times m}$ and $x \in \mathbb{R}^n$.
    Right: $A^2_k x + A_k A_k x$ and $x^\top A_k^3 x$. Wrong: $B_k^2 x$.
    """
    assert codes_by_line(text, tmp_path) == [(2, "not-square")]


def test_a_filters_predicted_member_has_the_filtered_members_shape(tmp_path: Path) -> None:
    # lecture-kalman-rts-27: \Lambda_{t|t} = P_{t|t}^{-1} defines the family; \Lambda_{t|t-1}
    # (predicted) is n×n too, and a column added to it is no broadcasting
    text = r"""
    %! main.md
    Let $H \in \mathbb{R}^{m \times n}$, $R \in \mathbb{R}^{m \times m}$ and $y_k \in \mathbb{R}^m$.
    Writing $\Omega_{k|k} = P_{k|k}^{-1}$ with $P_{k|k} \in \mathbb{R}^{n \times n}$, the update is $\Omega_{k|k} = \Omega_{k|k-1} + H^\top R^{-1} H$.
    Wrong: $\Omega_{k|k} = \Omega_{k|k-1} + H^\top R^{-1} y_k$ and $\Omega_{k+1|k} H$. Right: $H \Omega_{k-1|k-1} H^\top + R$.
    """
    assert codes_by_line(text, tmp_path) == [(3, "add-mismatch"), (3, "matmul-mismatch")]


def test_a_conditional_member_whose_family_names_the_step_is_left(tmp_path: Path) -> None:
    # a shape that depends on the step (n_k × n_k) is not carried to another conditional
    # form, nor a form to a member labelled by a number alone (an entry, maybe)
    text = r"""
    %! main.md
    Let $S_{k|k} \in \mathbb{R}^{n_k \times n_k}$, $Q_{k|k} \in \mathbb{R}^{n \times n}$ and $v \in \mathbb{R}^p$.
    Unsized: $S_{k|k-1} v$ and $Q_{1|0} v$.
    """
    assert codes_by_line(text, tmp_path) == []


_LAYERS = r"""
    %! main.md
    Layer $l$ has $n_l$ units: $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$ and $\mathbf z^{(l)} \in \mathbb{R}^{n_l}$.
    {said}$\mathbf p = \operatorname{softmax}(\mathbf z^{(L)})$ and $J = \operatorname{diag}(\mathbf p) - \mathbf p\mathbf p^\top$.
    Wrong: $J = \operatorname{diag}(\mathbf p) - \mathbf p^\top \mathbf p$.
    """


def test_a_width_named_as_a_facts_value_sizes_the_last_layer(tmp_path: Path) -> None:
    # beamer-backprop-delta-27: "With $K = n_L$ classes" names n_L, so z^{(L)} is an n_L-vector
    text = _LAYERS.replace("{said}", "With $C = n_L$ classes, ")
    assert codes_by_line(text, tmp_path) == [(3, "add-mismatch")]


def test_a_width_never_named_leaves_the_last_layer_unsized(tmp_path: Path) -> None:
    # n_L may be any size the text has named otherwise (the input's d, say): nothing said
    text = _LAYERS.replace("{said}", "Then ")
    assert codes_by_line(text, tmp_path) == []


def test_the_last_layer_of_an_ell_family_and_a_precisions_mean(tmp_path: Path) -> None:
    # h_L of h_\ell \in R^{d_\ell} (L the last \ell), d_L named by "C = d_L"; the mean of
    # N(\nu, \Lambda^{-1}) has the precision's rows
    text = r"""
    %! main.md
    Layer $\ell$ has $\mathbf h_\ell \in \mathbb{R}^{d_\ell}$ and $\mathbf W_\ell \in \mathbb{R}^{d_\ell \times d_{\ell-1}}$; it predicts $C = d_L$ classes.
    Wrong: $\mathbf h_L \mathbf h_L$. Right: $\mathbf h_L \mathbf h_L^\top$.
    The head is $\mathcal N(\boldsymbol\nu, \Lambda^{-1})$ with $\Lambda \in \mathbb{R}^{C \times C}$: right $\Lambda\boldsymbol\nu$, wrong $\boldsymbol\nu\Lambda$.
    """
    assert codes_by_line(text, tmp_path) == [(2, "matmul-mismatch"), (3, "matmul-mismatch")]
