r"""The issue-13 misses made general rules (session 32): each known miss of the document set
read as a rule, with a planted error and a trap."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import codes_by_line

PROJECTIONS = r"""
%! notes.tex
\documentclass{article}
\begin{document}
\section{Projections}
Throughout, $y$ is an $n \times 1$ vector and $X$ is an $n \times k$ matrix. For any matrix
$A$ with $n$ rows we write
\[
  P_A = A(A'A)^{-1}A', \qquad M_A = I_n - P_A .
\]
\section{Instruments}
Let $Z$ be an $n \times l$ matrix of instruments and $W \in \mathbb{R}^{l \times l}$ a weight.

SENTENCE
\end{document}
"""


def test_a_subscripted_notation_is_instantiated_with_its_argument(tmp_path: Path) -> None:
    # handout-2sls-primes-21: P_Z of P_A = A(A'A)^{-1}A' is n×n, so I_l - P_Z cannot be
    text = PROJECTIONS.replace("SENTENCE", r"Several of you wrote $M_Z = I_l - P_Z$.")
    assert codes_by_line(text, tmp_path) == [(12, "add-mismatch")]
    # its instance by X (n×k): n×n too, whatever X's columns; P_Z Z W is n×l, P_Z W is not
    text = PROJECTIONS.replace("SENTENCE", r"Then $P_X y$, $P_Z X$, $P_Z Z W$ and $W P_Z$.")
    assert codes_by_line(text, tmp_path) == [(12, "matmul-mismatch")]

    # and the traps: M_Z = I_n - P_Z, Z' P_Z = Z', P_Z Z = Z are right
    text = PROJECTIONS.replace(
        "SENTENCE", r"So $M_Z = I_n - P_Z$, $Z' P_Z = Z'$ and $P_Z Z = Z$, and $X' M_X = 0$."
    )
    assert codes_by_line(text, tmp_path) == []


SINKHORN = r"""
%! hw.tex
\documentclass{article}
\begin{document}
\paragraph{Problem 1.}
Let $a \in \Delta^{m}$ and $b \in \Delta^{n}$ be histograms and $K \in \mathbb{R}^{m \times n}$.
The plan is $P = \operatorname{diag}(u) K \operatorname{diag}(v)$ with $u \in \mathbb{R}^m$,
$v \in \mathbb{R}^n$, and its marginals are $P\mathbf 1_n = a$ and $P^\top \mathbf 1_m = b$.
SENTENCE
\end{document}
"""


def test_a_letter_of_a_simplex_of_either_size_is_sized_by_an_equation(tmp_path: Path) -> None:
    # hw-enumerate-sinkhorn-31: b \in \Delta^n has n or n + 1 entries as authors count; the
    # marginal P^T 1_m = b says n, so diag(b)^{-1} P cannot be
    text = SINKHORN.replace("SENTENCE", r"The wrong map is $\operatorname{diag}(b)^{-1} P$.")
    assert codes_by_line(text, tmp_path) == [(7, "matmul-mismatch")]
    # the traps: diag(a)^{-1} P, P diag(b)^{-1} and b^\top v
    text = SINKHORN.replace(
        "SENTENCE",
        r"So $\operatorname{diag}(a)^{-1} P$, $P \operatorname{diag}(b)^{-1}$ and $b^\top v$.",
    )
    assert codes_by_line(text, tmp_path) == []


HEADS = r"""
%! attention.md
# Attention

Tokens are $X \in \mathbb{R}^{T \times d}$ and $W_V \in \mathbb{R}^{d \times d_v}$. One head gives
$O = A X W_V \in \mathbb{R}^{T \times d_v}$ with $A \in \mathbb{R}^{T \times T}$.

SENTENCE
"""


def test_numbered_heads_are_members_of_a_head_s_output(tmp_path: Path) -> None:
    # myst-roles-attention-30: O_1, O_2 where the paragraph speaks of heads are T×d_v, like O
    text = HEADS.replace(
        "SENTENCE",
        r"The heads are concatenated, $[O_1 \; O_2]$, and projected by"
        "\n$W_O \\in \\mathbb{R}^{2 d_v \\times d}$. A transposed projection, $W_O [O_1 \\; O_2]$, fails.",
    )
    assert codes_by_line(text, tmp_path) == [(7, "matmul-mismatch")]
    # the trap: [O_1 \; O_2] W_O is right; without heads O_1 is nothing known
    text = HEADS.replace(
        "SENTENCE",
        r"The heads are concatenated: $[O_1 \; O_2] W_O$ with $W_O \in \mathbb{R}^{2 d_v \times d}$."
        "\n\nElsewhere $W_O O_1$ for $W_O \\in \\mathbb{R}^{2 d_v \\times d}$.",
    )
    assert codes_by_line(text, tmp_path) == []


VAE = r"""
%! vae.md
# Encoder

$$
\boldsymbol\mu = W_\mu \mathbf h, \qquad \log\boldsymbol\sigma^2 = W_\sigma \mathbf h
$$

where $\mathbf h \in \mathbb R^H$ and $W_\mu, W_\sigma \in \mathbb{R}^{L \times H}$.

SENTENCE
"""


def test_the_square_of_a_vector_is_entrywise_where_its_log_is_a_vector(tmp_path: Path) -> None:
    # quarto-vae-elbo-27: \log\sigma^2 = W_\sigma h (an L-vector) makes \sigma^2 the entrywise
    # square, so 1_L^T \sigma^2 is a number, which an L×L outer product cannot be added to
    text = VAE.replace(
        "SENTENCE",
        r"Adding $\boldsymbol\mu\boldsymbol\mu^\top + \mathbf 1_L^\top\boldsymbol\sigma^2$.",
    )
    assert codes_by_line(text, tmp_path) == [(9, "add-mismatch")]
    # the traps: mu^T mu + 1_L^T sigma^2, sigma^2 - mu (both L-vectors), sigma^2 \odot mu
    text = VAE.replace(
        "SENTENCE",
        r"So $\boldsymbol\mu^\top\boldsymbol\mu + \mathbf 1_L^\top\boldsymbol\sigma^2$,"
        r" $\boldsymbol\sigma^2 - \boldsymbol\mu$ and $\boldsymbol\sigma^2 \odot \boldsymbol\mu$.",
    )
    assert codes_by_line(text, tmp_path) == []
    # … and an L-vector's square against an H-vector is a mismatch
    text = VAE.replace("SENTENCE", r"Not $\boldsymbol\sigma^2 + \mathbf h$.")
    assert codes_by_line(text, tmp_path) == [(9, "add-mismatch")]


EXPERTS = r"""
%! moe.md
## Experts

Tokens arrive as $X \in \mathbb{R}^{T \times d}$ and $D_e \in \{0,1\}^{C \times T}$ dispatches them.
Let $Y_e = \operatorname{FFN}_e(X) \in \mathbb{R}^{T \times d}$ denote expert $e$ SAID.

SENTENCE
"""


def test_an_operator_said_to_apply_row_wise_keeps_its_argument_s_rows(tmp_path: Path) -> None:
    # quarto-moe-routing-24: FFN_e applied row-wise maps rows of width d to rows of width d,
    # so FFN_e(D_e X) is C×d, and D_e FFN_e(D_e X) cannot be
    text = EXPERTS.replace("SAID", "applied row-wise")
    slip = r"Forgetting the transpose, $D_e \operatorname{FFN}_e(D_e X)$ fails."
    assert codes_by_line(text.replace("SENTENCE", slip), tmp_path) == [(6, "matmul-mismatch")]
    right = r"So $Y_e = D_e^\top \operatorname{FFN}_e(D_e X)$ and $\operatorname{FFN}_1(X) + X$."
    assert codes_by_line(text.replace("SENTENCE", right), tmp_path) == []
    # not said row-wise: FFN_e(D_e X) is unknown (FFN_e(X) = A X would mix the rows)
    text = EXPERTS.replace("SAID", "applied to the batch")
    assert codes_by_line(text.replace("SENTENCE", slip), tmp_path) == []


GROUPS = r"""
%! lmm.tex
\documentclass{article}
\begin{document}
\section{Random slopes}
With $m$ groups of sizes $n_1, \dots, n_m$, let $Z_i \in \mathbb{R}^{n_i \times 2}$ and
$\Sigma \in \mathbb{R}^{2 \times 2}$. SENTENCE
\end{document}
"""


def test_a_size_declared_beside_a_number_is_not_that_number(tmp_path: Path) -> None:
    # paper-mixed-models-xparse-28: Z_i is n_i×2, so n_i is not 2 (Z_i is not square) and
    # Z_i^T \Sigma Z_i does not multiply
    wrong = r"Then not $Z_i^\top \Sigma Z_i + I_{n_i}$."
    assert codes_by_line(GROUPS.replace("SENTENCE", wrong), tmp_path) == [(5, "matmul-mismatch")]
    right = r"Then $V_i = Z_i \Sigma Z_i^\top + I_{n_i}$ and $Z_i^\top Z_i + \Sigma$."
    assert codes_by_line(GROUPS.replace("SENTENCE", right), tmp_path) == []
    # a name beside no number may still be one: a 3×3 example of an m×m matrix
    example = r"Take $B \in \mathbb{R}^{m \times m}$ and $C \in \mathbb{R}^{3 \times 3}$: $B C$."
    assert codes_by_line(GROUPS.replace("SENTENCE", example), tmp_path) == []


VALUE = r"""
%! slides.md
## The network

A state $\mathbf s \in \mathbb R^{d}$ gives $\mathbf h = \tanh(W_1\mathbf s)$ and
$V(\mathbf s) = \mathbf w^\top\mathbf h + c$, with $W_1 \in \mathbb R^{h \times d}$,
$W_\pi \in \mathbb R^{m \times h}$, $\mathbf w \in \mathbb R^{h}$ and $c$ a scalar.

HEADING

1. SLIP
"""


def test_a_function_restated_in_a_list_of_slips_is_compared_with_its_value(
    tmp_path: Path,
) -> None:
    # marp-ppo-gae-29: V(s) = h^T W_pi^T (1×m) among the slips of a scalar V
    text = VALUE.replace("HEADING", "## Common slips").replace(
        "SLIP", r"$V(\mathbf s) = \mathbf h^\top W_\pi^\top$ — not a number"
    )
    assert codes_by_line(text, tmp_path) == [(9, "equation-mismatch")]
    # the traps: the slip written right; and V defined anew outside a list of slips
    right = text.replace(r"\mathbf h^\top W_\pi^\top", r"\mathbf h^\top \mathbf w")
    assert codes_by_line(right, tmp_path) == []
    anew = VALUE.replace("HEADING", "## A policy head").replace(
        "SLIP", r"Now $V(\mathbf s) = W_\pi \mathbf h$ scores every action."
    )
    assert codes_by_line(anew, tmp_path) == []


GLASSO = r"""
%! glasso.md
## The column update

With $\mathbf{w}_{12} \in \mathbb{R}^{p-1}$, $\boldsymbol\beta \in \mathbb{R}^{p-1}$ and a scalar $w_{22}$,
the last entry is $\theta_{22} = 1/(w_{22} - \mathbf{w}_{12}^\top\boldsymbol\beta)$; SENTENCE
"""


def test_a_number_over_a_square_matrix_is_a_matrix_and_others_quoted_are_slips(
    tmp_path: Path,
) -> None:
    # quarto-graphical-lasso-25: 1/(w_22 - w_12 beta^T) is (p-1)×(p-1) (entrywise or an
    # inverse alike), and "some notes write" quotes a slip, not a new theta_22
    slip = r"some notes write $\theta_{22} = 1/(w_{22} - \mathbf{w}_{12}\boldsymbol\beta^\top)$."
    assert codes_by_line(GLASSO.replace("SENTENCE", slip), tmp_path) == [(4, "equation-mismatch")]
    # the traps: the right formula quoted, and \frac{1}{…} of a number
    right = (
        r"some notes write $\theta_{22} = \frac{1}{w_{22} - \boldsymbol\beta^\top\mathbf{w}_{12}}$."
    )
    assert codes_by_line(GLASSO.replace("SENTENCE", right), tmp_path) == []
    # set anew in a later section: a new meaning, no slip
    anew = "\n\n## Blocks\n\nNow $\\theta_{22} = 1/(w_{22} - \\mathbf{w}_{12}\\boldsymbol\\beta^\\top)$, a block."
    assert codes_by_line(GLASSO.replace("SENTENCE", "so.") + anew, tmp_path) == []


WEIGHTED = r"""
%! lmm.tex
\documentclass{article}
\begin{document}
\section{Model}
Let $X \in \mathbb{R}^{n \times p}$ and $V \in \mathbb{R}^{n \times n}$. For any $A$ with $n$ rows we write
$H_A = A(A^\top V^{-1}A)^{-1}A^\top V^{-1}$.
\section{Fit}
SENTENCE
\end{document}
"""


def test_a_notation_whose_other_letters_fix_its_argument_s_rows(tmp_path: Path) -> None:
    # paper-lmm-henderson-32: A^T V^{-1} needs A with n rows; H_X is n×n, so I_p - H_X fails
    text = WEIGHTED.replace("SENTENCE", r"The residual maker is not $I_p - H_X$.")
    assert codes_by_line(text, tmp_path) == [(7, "add-mismatch")]
    text = WEIGHTED.replace("SENTENCE", r"It is $I_n - H_X$, and $H_X X = X$.")
    assert codes_by_line(text, tmp_path) == []


PANEL = r"""
%! panel.md
## GMM

For firm $i$, $\Delta\mathbf{y}_i \in \mathbb{R}^{T-2}$, $\mathbf{W}_i \in \mathbb{R}^{(T-2) \times K}$ and
$\mathbf{Z}_i \in \mathbb{R}^{(T-2) \times L}$; stacked, $\Delta\mathbf{y} \in \mathbb{R}^{N}$,
$\mathbf{W} \in \mathbb{R}^{N \times K}$. The estimate is $\hat{\boldsymbol\delta} = (\mathbf{W}'\mathbf{W})^{-1}\mathbf{W}'\Delta\mathbf{y}$.
The one-step residuals are $\hat{\mathbf{e}}_i = \Delta\mathbf{y}_i - \mathbf{W}_i\hat{\boldsymbol\delta}^{(1)}$.

SENTENCE
"""


def test_a_difference_declared_as_a_name_and_an_estimate_s_round(tmp_path: Path) -> None:
    # rmd-dynamic-panel-gmm-25: \Delta y_i declared (T-2) is one name, not \Delta times y_i;
    # \hat\delta^{(1)}, the one-step estimate, has \hat\delta's shape: e_i is a (T-2)-vector
    slip = r"Not $\mathbf{Z}_i\hat{\mathbf{e}}_i'\hat{\mathbf{e}}_i\mathbf{Z}_i'$."
    assert codes_by_line(PANEL.replace("SENTENCE", slip), tmp_path) == [(8, "matmul-mismatch")]
    right = r"So $\mathbf{Z}_i'\hat{\mathbf{e}}_i\hat{\mathbf{e}}_i'\mathbf{Z}_i$ and $\mathbf{W}_i'\Delta\mathbf{y}_i$."
    assert codes_by_line(PANEL.replace("SENTENCE", right), tmp_path) == []
