r"""A size the document defines as a sum of M sizes of a family (``K = k_1 + \dots + k_M``,
the widths of stacked blocks) may equal M times one size (every block as wide): an equation
of a K-wide side and an Mk-wide side is not a mismatch; one of K against another size is."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture, found


def _codes(text: str, tmp_path: Path) -> list[tuple[int, str]]:
    fx, result = check_fixture(tmp_path, text)
    source = (tmp_path / fx.main).read_text()
    return sorted((source.count("\n", 0, start) + 1, code) for start, _, code in found(result))


_DOC = r"""
%! main.tex
\documentclass{article}
\begin{document}
Stack $M$ equations: $X_m \in \mathbb{R}^{T \times k_m}$ and
$X \in \mathbb{R}^{MT \times K}$ with $K = k_1 + \dots + k_M$.
When every equation has the same regressors, $Z \in \mathbb{R}^{T \times k}$,
\[ X = I_M \otimes Z . \]
SECOND
\end{document}
"""


def test_a_sum_of_m_sizes_may_be_m_times_one(tmp_path: Path) -> None:
    assert _codes(_DOC.replace("SECOND", ""), tmp_path) == []


def test_a_sum_of_sizes_against_another_size_is_a_mismatch(tmp_path: Path) -> None:
    text = _DOC.replace("SECOND", r"Then \[ X = Z \otimes I_T . \]")
    assert _codes(text, tmp_path) == [(7, "equation-mismatch")]


def test_without_the_sum_m_times_a_size_is_a_mismatch(tmp_path: Path) -> None:
    text = _DOC.replace(r" with $K = k_1 + \dots + k_M$", "")
    assert _codes(text.replace("SECOND", ""), tmp_path) == [(6, "equation-mismatch")]
