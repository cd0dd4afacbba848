r"""``find_closer`` reads only the backslash events it acts on (``_CLOSER_EVENT``): it finds
the same closers as when it read every ``\X`` (``MATH_EVENT``, the events rescan.py
compares), on random math and on every math opener of the corpus' Markdown documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from texgrad.reading import markdown_inline
from texgrad.reading.markdown_inline import MATH_EVENT, find_closer

CLOSERS = ("$", "$$", "\\]", "\\)", "\\\\]", "\\\\)", "\\end{align}")
# the characters and words events are made of, and letters that are not
PIECES = ["\\", "$", "]", ")", "(", "[", "{", "}", " ", "\n", "a", "x", "1", "text", "end",
          "mbox", "textbf", "{align}", "\\\\", "\\$", "\\]", "\\)", "textfoo", "endgroup"]  # fmt: skip


def both(
    monkeypatch: pytest.MonkeyPatch, text: str, pos: int, hi: int, closer: str, failed: bool
) -> tuple[object, object]:
    """find_closer's answer, and the answer reading every backslash event (as before)."""
    now = find_closer(text, pos, hi, closer, {"{": 0} if failed else {})
    with monkeypatch.context() as m:
        m.setattr(markdown_inline, "_CLOSER_EVENT", MATH_EVENT)
        before = find_closer(text, pos, hi, closer, {"{": 0} if failed else {})
    return now, before


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=40),
    closer=st.sampled_from(CLOSERS),
    cut=st.integers(0, 40),
    failed=st.booleans(),
)
def test_same_closers_on_random_math(
    pieces: list[str], closer: str, cut: int, failed: bool
) -> None:
    text = "".join(pieces)
    hi = max(0, len(text) - cut)
    with pytest.MonkeyPatch.context() as monkeypatch:
        now, before = both(monkeypatch, text, 0, hi, closer, failed)
    assert now == before


def test_examples_it_must_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """What each skipped or kept event does, with the answers written out."""
    cases = [
        (r"\mathbf{A}\$ x$ y", "$", (14, 15)),  # \$ is no closer; \mathbf is nothing
        (r"a \\$ b", "$", (4, 5)),  # \\ then the closing dollar
        (r"\alpha \] b", "\\]", (7, 9)),
        (r"x \text{$y$} z\)", "\\)", (14, 16)),  # the text command's group is skipped
        (r"x \textfoo{$y$}", "$", (11, 12)),  # not a text command: its group's $ closes
        (r"x \\] y", "\\\\]", (2, 5)),
        (r"x \endgroup \end{align}", "\\end{align}", (12, 23)),
    ]
    for text, closer, want in cases:
        now, before = both(monkeypatch, text, 0, len(text), closer, False)
        assert now == before == want, (text, now, before)


def test_same_closers_on_the_corpus(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opener = re.compile(r"\$\$?|\\\\?[\[(]")
    closer_of = {"$": "$", "$$": "$$", "\\[": "\\]", "\\(": "\\)", "\\\\[": "\\\\]"}
    closer_of["\\\\("] = "\\\\)"
    checked = 0
    for path in sorted(corpus.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in opener.finditer(text):
            hi = min(len(text), m.end() + 3000)
            now, before = both(monkeypatch, text, m.end(), hi, closer_of[m.group()], False)
            assert now == before, (path.name, m.start())
            checked += 1
    assert checked > 1000
