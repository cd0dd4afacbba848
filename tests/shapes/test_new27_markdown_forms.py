r"""Forms met writing the set-27 documents (Markdown pages, notebooks and slides): the bars
of a vector (``\log|\mathbf s|``, Glow's log-determinant: no number), a Hadamard power
(``G^{\odot 2}``) of its base's shape, a matrix's iterates (``W_t``, ``W_{t-1}`` of a declared
W), an inner product after scalar coefficients beside a square matrix, the sides of
``\approx``, the transpose typed as ``⊤``, a signal's value at a time of a sequence
(``\boldsymbol\phi(s_t)^\top``), and "$\delta_t = …$, a scalar"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

# -- |s| of a vector ---------------------------------------------------------------------------

ABS = r"""
%! glow.md
With $W \in \mathbb{R}^{c \times c}$, $\mathbf s \in \mathbb{R}^c$ and $A \in \mathbb{R}^{c \times c}$:

one $\log|\det W| = \mathbf 1_c^\top \log|\mathbf s|$ and $|A|\,\mathbf s = \mathbf s\,|\det A|$,

two $\log|\det W| = \mathbf 1_c^\top \|\mathbf s\|$.
"""


def test_the_bars_of_a_vector_are_no_number(tmp_path: Path) -> None:
    # |s| may be the entries' absolute values (line 3: quiet); ‖s‖ is a number (line 5)
    assert codes_by_line(ABS, tmp_path) == [(5, "equation-mismatch")]


# -- a Hadamard power --------------------------------------------------------------------------

HADAMARD = r"""
%! adam.md
Let $G, V \in \mathbb{R}^{m \times n}$ and $\beta \in (0, 1)$.

Then $V + (1 - \beta) G^{\odot 2}$ and $V + G^{\circ 2}$ and $V \oslash G^{\circ 1/2}$.

But $V + G^{\odot 2} G$ and $V + (G^{\circ 2})^\top$.
"""


def test_a_hadamard_power_keeps_its_base_shape(tmp_path: Path) -> None:
    assert codes_by_line(HADAMARD, tmp_path) == [(5, "add-mismatch"), (5, "matmul-mismatch")]


# -- the iterates of a declared matrix ---------------------------------------------------------

ITERATES = r"""
%! sgd.md
Let $W, G \in \mathbb{R}^{m \times n}$, $Y \in \mathbb{R}^{T \times p}$, $B \in \mathbb{R}^{p \times p}$ and $\eta > 0$.

The step is $W_t = W_{t-1} - \eta\, G_t$, and $Y_t B$ is a row times a matrix.

A slip: $W_{t-1} - \eta\, G_t^\top$.

With $X, U \in \mathbb{R}^{N \times p}$, $D \in \mathbb{R}^{p \times p}$ and $V_k \in \mathbb{R}^{p \times k}$: $X V_k = U_k D_k$.

Newton's $H, P \in \mathbb{R}^{n \times n}$: $H_{k+1} = H_k - P$, and the slip $H_k G$.
"""


def test_a_matrix_with_a_round_index_is_its_iterate(tmp_path: Path) -> None:
    # (Y_t of Y \in \mathbb{R}^{T \times p} counts the steps: a row, not Y; U_k and D_k keep
    # k components where nothing steps U or D; H_k is a step where H_{k+1} is written)
    assert codes_by_line(ITERATES, tmp_path) == [(5, "add-mismatch"), (9, "matmul-mismatch")]


# -- an inner product after scalar coefficients -------------------------------------------------

INNER = r"""
%! planar.md
Let $\mathbf u, \mathbf w, \mathbf z \in \mathbb{R}^D$, $b \in \mathbb R$ and $\lambda > 0$.

Right: $I_D + \lambda\, \mathbf u\mathbf w^\top$, $I_D + \lambda I_D$, $1 + \tanh(b)\, \mathbf w^\top\mathbf u$.

Wrong: $I_D + \tanh(\mathbf w^\top\mathbf z + b)\, \mathbf w^\top\mathbf u$ and $I_D - 2\lambda\,\mathbf w^\top\mathbf u$.
"""


def test_an_inner_product_after_numbers_beside_a_square_matrix(tmp_path: Path) -> None:
    assert codes_by_line(INNER, tmp_path) == [(5, "add-mismatch"), (5, "add-mismatch")]


# -- the sides of an approximation -------------------------------------------------------------

APPROX = r"""
%! sgns.md
Let $U, C \in \mathbb{R}^{V \times d}$, $M \in \mathbb{R}^{V \times V}$ and $\Sigma \in \mathbb{R}^{d \times d}$, $\sigma > 0$.

Right: $U C^\top \approx M$, $\Sigma \approx \sigma^2$ and $U^\top U ≈ \Sigma$; a model $y \approx x_1 e^{x_2 t}$ of data $y \in \mathbb{R}^n$, $t \in \mathbb{R}^m$.

Wrong: $U^\top C \approx M$ and $U C^\top ≈ \Sigma$.
"""


def test_the_sides_of_an_approximation_agree(tmp_path: Path) -> None:
    assert codes_by_line(APPROX, tmp_path) == [(5, "equation-mismatch"), (5, "equation-mismatch")]


# -- the transpose typed in unicode ------------------------------------------------------------

UNICODE = r"""
%! PCA.md
$X ∈ ℝ^{n×p}$, $U ∈ ℝ^{n×r}$, $S ∈ ℝ^{p×p}$ and $G ∈ ℝ^{n×p}$.

Right: $S = X^⊤X$ and $G ⊘ X$.

Wrong: $S = UU^⊤$ and $G ⊘ X^⊤$.
"""


def test_the_transpose_and_the_division_typed_in_unicode(tmp_path: Path) -> None:
    assert codes_by_line(UNICODE, tmp_path) == [
        (5, "elementwise-mismatch"),
        (5, "equation-mismatch"),
    ]


# -- a signal at a time of a sequence ----------------------------------------------------------

SIGNAL = r"""
%! pg.md
Features $\boldsymbol\phi(s) \in \mathbb{R}^d$, $\mathbf v \in \mathbb{R}^A$ and $\Theta \in \mathbb{R}^{A \times d}$.

Right: $\Theta + \mathbf v\,\boldsymbol\phi(s_t)^\top$ and $\Theta + \mathbf v\boldsymbol\phi(s_{t+1})^\top$.

Wrong: $\Theta + \boldsymbol\phi(s_t)\mathbf v^\top$.
"""


def test_a_signal_at_a_time_of_a_sequence_is_transposed_whole(tmp_path: Path) -> None:
    assert codes_by_line(SIGNAL, tmp_path) == [(5, "add-mismatch")]


# -- "$\delta_t = …$, a scalar" ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "codes"),
    [
        (", a scalar", [(3, "add-mismatch")]),
        (", a real number", [(3, "add-mismatch")]),
        (", a scalar function of the state", []),  # (a function: nothing said of its value)
        ("", []),
    ],
)
def test_a_definition_said_to_be_a_number(said: str, codes: list, tmp_path: Path) -> None:
    text = rf"""
%! td.md
Critic $\mathbf w \in \mathbb{{R}}^d$, actions $\mathbf e \in \mathbb{{R}}^A$, TD error $\delta_t = r_t + \gamma V(s_{{t+1}}) - V(s_t)${said}.

Update: $\mathbf w + \delta_t \mathbf e$.
"""
    assert codes_by_line(text, tmp_path) == codes


def test_a_number_said_after_a_with_clause_is_not_the_clause_s(tmp_path: Path) -> None:
    # "a scalar" after "… with $\alpha = K^{-1}y$" is said of the sentence's first formula
    # (f̄ = k^T α), not of α, a vector: reading it of α made a false equation-mismatch
    text = r"""
%! gp.md
Let $K \in \mathbb{R}^{n \times n}$, $\mathbf y, \mathbf k \in \mathbb{R}^n$ and $A \in \mathbb{R}^{m \times n}$.
The mean is $\bar f = \mathbf k^\top\boldsymbol\alpha$ with $\boldsymbol\alpha = K^{-1}\mathbf y$, a scalar.

Wrong: $A\boldsymbol\alpha + \mathbf y$.
"""
    assert codes_by_line(text, tmp_path) == [(4, "add-mismatch")]
