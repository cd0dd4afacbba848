"""Sentence edges (``shapes/sections.goes_on``): a sentence's end inside a comment does not end
it, and finding that stays linear on a paragraph written as one long line (as editors that
soft-wrap save it, and as Markdown exported from notebooks often is)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from texgrad.shapes import sections
from texgrad.shapes.check import Checker
from texgrad.shapes.sections import goes_on


def test_a_full_stop_ends_the_sentence_but_not_inside_a_comment() -> None:
    text = "where $x$ is given. Then $y$"
    assert not goes_on(text, 0, len(text))
    commented = "where $x$ % see eq. (3) \n is given, $y$"
    assert goes_on(commented, 0, len(commented))
    assert goes_on("the rows \\\\ of $\\begin{bmatrix} a \\\\ b \\end{bmatrix}$", 10, 40)


class _Counting:
    """The comment pattern, counting the characters its searches are asked to scan."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern, self.scanned = pattern, 0

    def _span(self, text: str, pos: int, endpos: int | None) -> tuple[int, int]:
        end = len(text) if endpos is None else endpos
        self.scanned += max(0, end - pos)
        return pos, end

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.pattern.search(text, *self._span(text, pos, endpos))

    def finditer(
        self, text: str, pos: int = 0, endpos: int | None = None
    ) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text, *self._span(text, pos, endpos))

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        self.scanned += 1  # (anchored at pos: a match of one character)
        return self.pattern.match(text, pos)


def test_sentence_ends_on_one_long_line_are_found_in_linear_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sentence = r"Let $A_{k}$ be symmetric, where $x \in \mathbb{R}^n$; 50\% of it is zero. "
    text = sentence * 400  # one line of 30 kB, a comment-looking `%` in every sentence
    counting = _Counting(sections._COMMENT)
    monkeypatch.setattr(sections, "_COMMENT", counting)
    for k in range(400):  # a use in every sentence asks whether its sentence goes on
        at = k * len(sentence)
        assert not goes_on(text, at, at + len(sentence) + 5)
    # from each sentence's own `%`, not from the line's start (400 × 15 kB on average)
    assert counting.scanned < 50 * len(text)


def test_a_row_break_inside_a_matrix_ends_no_sentence() -> None:
    r"""``\\`` between a matrix's rows is no sentence's end for any reader of sentences
    (``next_break``, ``sentence_start``), as for ``goes_on``; outside a matrix it is."""
    from texgrad.shapes.sections import next_break, sentence_start

    text = r"Let $x$, $M = \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}$ and $y$ be given."
    at = text.index("and")
    assert next_break(text, 0, at) is None
    assert sentence_start(text, 0, at) == 0
    lines = r"$$ a = b \\ c = d $$ and $y$"
    m = next_break(lines, 0, len(lines))
    assert m is not None and m.group() == "\\\\"
    assert sentence_start(lines, 0, lines.index("and")) == lines.index("\\\\") + 2


def test_a_redeclaration_across_a_matrix_in_one_sentence_is_said(tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text(
        r"Let $x \in \mathbb{R}^n$, $M = \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}$ and "
        r"$x \in \mathbb{R}^m$." + "\n",
        encoding="utf-8",
    )
    result = Checker().check(str(doc))
    assert [d.code for d in result.diagnostics] == ["redeclared"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["%", " ", "\t", "\n", "a", "\\", "x%", "5", ".", "\\%"]), max_size=30)
)
def test_comments_start_where_the_whole_text_search_finds_them(pieces: list[str]) -> None:
    from texgrad.shapes.sections import _COMMENT, comment_starts

    text = "".join(pieces)
    assert comment_starts(text) == [m.start() for m in _COMMENT.finditer(text)]
    assert comment_starts("a % b\n% c \\% d 5%x") == [2, 6]
