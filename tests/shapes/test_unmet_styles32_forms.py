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
