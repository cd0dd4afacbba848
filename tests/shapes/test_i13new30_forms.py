r"""Forms met writing the i13new set-30 documents (JMLR, Logseq, MkDocs, REVTeX+physics, …):
``^T`` as the horizon of a smoothed estimate beside ``^\top``, estimates labelled by the data's
step (``\hat x_t^{t-1}``), …"""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import codes_by_line

# -- \hat x_t^T: "given all T observations", beside transposes written ^\top ----------------

SMOOTHER = r"""
%! em.tex
\documentclass{article}
\begin{document}
Let $\mathbf{x}_t \in \mathbb{R}^n$, $\mathbf{y}_t \in \mathbb{R}^m$, $P_t \in \mathbb{R}^{n \times n}$ and $C \in \mathbb{R}^{m \times n}$, $t = 1, \dots, T$.
Then $C = \left(\sum_t \mathbf{y}_t(\hat{\mathbf{x}}_t^T)^\top\right)\left(\sum_t P_t\right)^{-1}$.
Also $R = \frac1T\sum_{t=1}^T(\mathbf{y}_t\mathbf{y}_t^\top - C\hat{\mathbf{x}}_t^T\mathbf{y}_t^\top)$.
But $\left(\sum_t \hat{\mathbf{x}}_t^T\mathbf{y}_t^\top\right)\left(\sum_t P_t\right)^{-1}$ is wrong.
\end{document}
"""


def test_a_horizon_superscript_beside_top_is_no_transpose(tmp_path: Path) -> None:
    # x̂_t^T is x̂_t given all T steps (a column n): lines 4 and 5 are right, line 6 is n×m · n×n
    assert codes_by_line(SMOOTHER, tmp_path) == [(6, "matmul-mismatch")]
    # a row with no ^\top keeps ^T a transpose: C x̂_t^T (m×n · 1×n) on line 5 is then flagged
    plain = SMOOTHER.replace(r"(\hat{\mathbf{x}}_t^T)^\top", r"\hat{\mathbf{x}}_t^T")
    plain = plain.replace(r"\mathbf{y}_t^\top", r"\mathbf{y}_t^T")
    assert codes_by_line(plain, tmp_path) == [(5, "matmul-mismatch"), (6, "matmul-mismatch")]
    # nor is the ^T of a letter with no accent: notes merged from sources writing both marks
    mixed = SMOOTHER.replace(r"\hat{\mathbf{x}}_t^T", r"\mathbf{x}_t^T")
    assert codes_by_line(mixed, tmp_path) == [
        (4, "matmul-mismatch"),
        (5, "matmul-mismatch"),
        (6, "matmul-mismatch"),
    ]


RTS = r"""
%! rts.tex
\documentclass{article}
\begin{document}
Let $\mathbf{x}_t \in \mathbb{R}^n$, $\mathbf{y}_t \in \mathbb{R}^m$, $A \in \mathbb{R}^{n \times n}$, $J_t \in \mathbb{R}^{n \times n}$ and $C \in \mathbb{R}^{m \times n}$.
The smoother is $\hat{\mathbf{x}}_t^T = \hat{\mathbf{x}}_t^t + J_t(\hat{\mathbf{x}}_{t+1}^T - \hat{\mathbf{x}}_{t+1}^t)$.
The innovation is $\mathbf{y}_t - C\hat{\mathbf{x}}_t^{t-1}$, not $\mathbf{y}_t - C^\top\hat{\mathbf{x}}_t^{t-1}$.
\end{document}
"""


def test_an_estimate_labelled_by_the_step_of_its_data(tmp_path: Path) -> None:
    # x̂_t^{t-1} is x_t's prediction (a column n), x̂_t^T beside it the smoothed one
    assert codes_by_line(RTS, tmp_path) == [(5, "matmul-mismatch")]


# -- p(u) and p(i): one letter, two vectors, each declared at its call ------------------------

CALLS = r"""
%! als.md
Let $Y \in \mathbb{R}^{n\times f}$ and $X \in \mathbb{R}^{m\times f}$.

- per user: $\mathbf p(u) \in \mathbb{R}^n$, the $u$-th row of $P$, and $\mathbf x_u = Y^\top\mathbf p(u)$
- per item: $\mathbf p(i) \in \mathbb{R}^m$, and $\mathbf y_i = X^\top\mathbf p(i)$

Again $\mathbf x_u = Y^\top\mathbf p(u)$,
but not $X^\top\mathbf p(u)$.
"""


def test_a_value_declared_at_each_call_is_that_calls(tmp_path: Path) -> None:
    # p(u) ∈ ℝⁿ stays n after p(i) ∈ ℝᵐ is declared: only X^T p(u) (f×m · n) is wrong
    assert codes_by_line(CALLS, tmp_path) == [(7, "matmul-mismatch")]


# -- [p_{ui}]: the matrix of the entries p_{ui} (users u, items i) ----------------------------

ENTRIES = r"""
%! prefs.md
Counts $R \in \mathbb{R}^{m\times n}$, with $p_{ui} = 1$ if $r_{ui} > 0$ and $w_{uv} \ge 0$,
give $P = [p_{ui}] \in \{0,1\}^{m\times n}$ and $W = (w_{uv}) \in \mathbb{R}^{m\times m}$.
"""


def test_a_bracketed_entry_indexed_by_user_and_item_builds_a_matrix(tmp_path: Path) -> None:
    assert codes_by_line(ENTRIES, tmp_path) == []


# -- \Phi^\dagger(O): the adjoint map applied; \Tr_B: a partial trace --------------------------

CHANNEL = r"""
%! channel.tex
\documentclass{article}
\begin{document}
Let $K_j \in \mathbb{C}^{m\times n}$, $\rho \in \mathbb{C}^{n\times n}$, $O \in \mathbb{C}^{m \times m}$ and $\rho_{AB} \in \mathbb{C}^{n^2\times n^2}$.
Then $\Phi(\rho) = \sum_j K_j\rho K_j^\dagger \in \mathbb{C}^{m\times m}$ and $\Phi^\dagger(O) = \sum_j K_j^\dagger O K_j$.
The reduced state is $\rho_A = \Tr_B\rho_{AB} \in \mathbb{C}^{n\times n}$, or $\rho_A = \operatorname{tr}_B(\rho_{AB})$.
Yet $\Phi(\rho) = \sum_j K_j^\dagger\rho K_j$ is wrong, and so is $\rho_A = \Tr\rho_{AB}$.
\end{document}
"""


def test_the_adjoint_of_a_map_and_a_partial_trace(tmp_path: Path) -> None:
    # Φ^†(O) is n×n like its right side (not Φ(O)^†, m×m); Tr_B ρ_AB a matrix, Tr ρ_AB a number
    assert codes_by_line(CHANNEL, tmp_path) == [(6, "equation-mismatch"), (6, "matmul-mismatch")]


# -- prose around \(…\) math; "$n_c$ samples"; class members \mu_1 of \mu_c ------------------

CLASSES = r"""
%! lda.md
Class \(c\) has \(n_c\) samples and mean \(\boldsymbol{\mu}_c \in \mathbb{R}^d\); \(S_B, S_W \in \mathbb{R}^{d\times d}\).

Then \(S_B = \sum_c n_c(\boldsymbol{\mu}_c - \boldsymbol{\mu}_1)(\boldsymbol{\mu}_c - \boldsymbol{\mu}_1)^\top\) and \(S_W^{-1}(\boldsymbol{\mu}_1 - \boldsymbol{\mu}_2)\).
But \(S_B = \sum_c n_c(\boldsymbol{\mu}_c - \boldsymbol{\mu}_1)^\top(\boldsymbol{\mu}_c - \boldsymbol{\mu}_1)\) is a number,
and \(S_W^{-1}(\boldsymbol{\mu}_1 - \boldsymbol{\mu}_2)^\top\) does not multiply.
"""


def test_a_count_of_samples_and_the_members_of_a_class_family(tmp_path: Path) -> None:
    # n_c a number (read from prose around \(…\)), μ_1 and μ_2 members of μ_c ∈ ℝ^d
    assert codes_by_line(CLASSES, tmp_path) == [(4, "equation-mismatch"), (5, "matmul-mismatch")]


# -- \Lambda = \operatorname{diag}(\lambda_1, \dots, \lambda_d): sized as declared ------------

DIAGONAL = r"""
%! whiten.md
# Lecture

Let $X \in \mathbb{R}^{n\times d}$, $U \in \mathbb{R}^{d\times d}$ and $\Lambda = \operatorname{diag}(\lambda_1,\dots,\lambda_d)$.

## ZCA

Then $U(\Lambda + \epsilon I_d)^{-1/2}U^\top$, but not $U(\Lambda + \epsilon I_n)^{-1/2}U^\top$.
"""


def test_a_diagonal_named_by_its_entries_holds_in_later_sections(tmp_path: Path) -> None:
    assert codes_by_line(DIAGONAL, tmp_path) == [(7, "add-mismatch")]
