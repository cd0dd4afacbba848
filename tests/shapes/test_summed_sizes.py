r"""A size the document defines as a sum of M sizes of a family (``K = k_1 + \dots + k_M``,
the widths of stacked blocks) may equal M times one size (every block as wide): an equation
of a K-wide side and an Mk-wide side is not a mismatch; one of K against another size is."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.shapes.helpers import codes_by_line
from texgrad.shapes.declarations import _SUMMED_SIZES, _summed_sizes_in

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


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
    assert codes_by_line(_DOC.replace("SECOND", ""), tmp_path) == []


def test_a_sum_of_sizes_against_another_size_is_a_mismatch(tmp_path: Path) -> None:
    text = _DOC.replace("SECOND", r"Then \[ X = Z \otimes I_T . \]")
    assert codes_by_line(text, tmp_path) == [(7, "equation-mismatch")]


def test_without_the_sum_m_times_a_size_is_a_mismatch(tmp_path: Path) -> None:
    text = _DOC.replace(r" with $K = k_1 + \dots + k_M$", "")
    assert codes_by_line(text.replace("SECOND", ""), tmp_path) == [(6, "equation-mismatch")]


# (the search around each "dots" finds what scanning the whole text finds)
_PIECES = [
    "K",
    "k",
    " ",
    "\u00a0",
    "\n",
    "=",
    "_",
    "{",
    "}",
    "1",
    "2",
    "+",
    "\\dots",
    "\\ldots",
    "\\cdots",
    "dots",
    "M",
    "$",
    ",",
    "(",
    "a",
    "\\mathbf{x}",
    "k_1",
    "k_2",
    "k_M",
    "k_{M}",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_the_sums_searched_around_dots_are_those_of_the_whole_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    whole = [(m.span(), m.groups()) for m in _SUMMED_SIZES.finditer(text)]
    assert [(m.span(), m.groups()) for m in _summed_sizes_in(text)] == whole


def test_the_sums_around_dots_of_written_texts() -> None:
    texts = [
        r"with $K = k_1 + \dots + k_M$ and $L=l_{1}+l_2+\cdots+l_{N}$, $J = j_1 + \dots$",
        "K =\u00a0k_1 +\n\\ldots + k_Mx, then P = p_1 + \\dots + p_Q.",
        *(p.read_text() for p in sorted(CORPUS.glob("*/*.md"))[:8]),
    ]
    for text in texts:
        whole = [(m.span(), m.groups()) for m in _SUMMED_SIZES.finditer(text)]
        assert [(m.span(), m.groups()) for m in _summed_sizes_in(text)] == whole
    assert len(list(_summed_sizes_in(texts[0]))) == 2
    assert [m.group(2) or m.group(3) for m in _summed_sizes_in(texts[1])] == ["Q"]
