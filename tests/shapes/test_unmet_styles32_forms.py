r"""What the eighth session's documents in styles not met before (an exam with
``checkboxes``, a tikzposter, an ICLR appendix…) showed the shape checker, each with its
planted error and a trap that must stay silent."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import codes_by_line

PARTITION = r"""
%! midterm.tex
\documentclass{exam}
\begin{document}
The stiffness is $K \in \mathbb{R}^{n\times n}$. Partition it into free and fixed unknowns,
$K_{aa} \in \mathbb{R}^{n_a \times n_a}$, $K_{ab} \in \mathbb{R}^{n_a \times n_b}$,
$K_{bb} \in \mathbb{R}^{n_b \times n_b}$, with $u_a \in \mathbb{R}^{n_a}$ and
$u_b, f_b \in \mathbb{R}^{n_b}$. The reactions are $r_b = K_{ba} u_a + K_{bb} u_b - f_b$;
$r_b = K_{ab} u_a + K_{bb} u_b - f_b$ is wrong.
\end{document}
"""


def test_a_block_beside_declared_blocks_is_no_entry(tmp_path: Path) -> None:
    # exam-choices-fem-stiffness-32: K_{ba} beside K_{aa}, K_{ab}, K_{bb} declared as
    # matrices names a block, not the entry (b, a) of K (a scalar times u_a ∈ ℝ^{n_a})
    assert codes_by_line(PARTITION, tmp_path) == [(7, "matmul-mismatch")]
    entries = (
        PARTITION.replace(r"$K_{aa} \in \mathbb{R}^{n_a \times n_a}$, ", "")
        .replace(r"$K_{ab} \in \mathbb{R}^{n_a \times n_b}$,", "")
        .replace(r"$K_{bb} \in \mathbb{R}^{n_b \times n_b}$, ", "")
    )
    # (with no block declared, K_{ba} and K_{bb} are entries of K, as before)
    assert codes_by_line(entries, tmp_path / "entries") == [
        (6, "add-mismatch"),
        (7, "add-mismatch"),
    ]


def test_one_property_word_before_two_matrices_holds_for_both() -> None:
    # mathtools-notes-shampoo-muon-32: "with symmetric $L \in …$ and $R \in …$" states R
    # symmetric too (tr(WᵀLWR) has the derivative 2LWR), but not a vector after "and"
    from texgrad.shapes.check import Checker
    from texgrad.shapes.properties import stated_properties

    def said(text: str) -> list[str]:
        result = Checker().check("doc.md", text=text)
        rows = [r for r in result.rows if r.path == result.path]
        return sorted({s.key for s in stated_properties(text, rows)})

    both = r"Take $\phi(W)$ with symmetric $L \in \mathbb{R}^{m\times m}$ and $R \in \mathbb{R}^{n\times n}$."
    assert said(both) == ["L", "R"]
    vector = (
        r"Take $\phi(W)$ with symmetric $L \in \mathbb{R}^{m\times m}$ and $x \in \mathbb{R}^{m}$."
    )
    assert said(vector) == []  # (L alone: read where its derivative is taken)


SHAMPOO = r"""
%! notes.tex
\documentclass{article}
\begin{document}
Let $W, G \in \mathbb{R}^{m\times n}$ with $m > n$, $L \in \mathbb{R}^{m\times m}$ and $R \in \mathbb{R}^{n\times n}$.
The step is $W - \eta L^{-1/4} G R^{-1/4}$, or $W - \eta L^{-\frac{1}{3}} G R^{-\frac{1}{3}}$, not
$W - \eta R^{-1/4} G L^{-1/4}$.
\end{document}
"""


def test_a_matrix_root_keeps_its_square_shape(tmp_path: Path) -> None:
    # mathtools-notes-shampoo-muon-32: R^{-1/4} is n×n as R^{-1/2} is, so R^{-1/4} G multiplies
    # n by m; the right order stays silent
    assert codes_by_line(SHAMPOO, tmp_path) == [(5, "matmul-mismatch")]


RATES = r"""
%! poster.tex
\documentclass{beamer}
\begin{document}
Let $C \in \mathbb{R}^{n\times n}$ and $p \in \mathbb{R}^n$. With learning rates $c_1$ and $c_\mu$,
$C' = (1 - c_1 - c_\mu) C + c_1 p p^\top$, not $C' = (1 - c_1 - c_\mu) C + c_1 p^\top p$.
\end{document}
"""


def test_two_letters_named_learning_rates_are_numbers(tmp_path: Path) -> None:
    # beamerposter-cma-es-32: "learning rates $c_1$ and $c_\mu$" makes both scalars, so the
    # rank-one term written as an inner product adds a number to a matrix
    assert codes_by_line(RATES, tmp_path) == [(4, "add-mismatch")]
    vector = RATES.replace("learning rates $c_1$ and $c_\\mu$", "learning rates $c_1$")
    assert codes_by_line(vector, tmp_path / "one") == []
