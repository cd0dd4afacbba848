"""Sentence edges (``shapes/sections.goes_on``): a sentence's end inside a comment does not end
it, and finding that stays linear on a paragraph written as one long line (as editors that
soft-wrap save it, and as Markdown exported from notebooks often is)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from texgrad.shapes import sections
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
