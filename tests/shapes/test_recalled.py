r"""Letters a homework's problem says are those of an earlier one ("With $X$ as in Problem
1, …"): declared again there (shapes/recalled.py), while a problem that says nothing keeps
its letters to itself, as the corpus taught."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

SHEET = r"""
%! hw.tex
\documentclass{article}
\begin{document}
\section*{Problem 1}
Let $X \in \mathbb{R}^{N \times d}$ and $\mathbf t \in \mathbb{R}^N$.

\section*{Problem 2}
SENTENCE let $D = \operatorname{diag}(w_1, \dots, w_N)$.
The normal equations are misprinted as $X D X^\top$.
\end{document}
"""


@pytest.mark.parametrize(
    "sentence",
    [
        r"With $X$ as in Problem 1,",
        r"With $\mathbf t$ and $X$ as above,",
        r"Take $X$ from Problem 1 and",
        r"With $X$ (as before)",
    ],
)
def test_a_letter_said_to_be_as_before_is_declared_again(tmp_path: Path, sentence: str) -> None:
    text = SHEET.replace("SENTENCE", sentence)
    assert codes_by_line(text, tmp_path) == [(8, "matmul-mismatch")]


@pytest.mark.parametrize("sentence", [r"Now", r"With $X$ a new matrix,", r"Taking $X$ as given,"])
def test_a_problem_that_does_not_say_so_keeps_its_letters(tmp_path: Path, sentence: str) -> None:
    r"""Problem 2's X is its own (not Problem 1's) unless the text says it is: nothing is
    checked there (X has no shape), so nothing is flagged."""
    text = SHEET.replace("SENTENCE", sentence)
    assert codes_by_line(text, tmp_path) == []
