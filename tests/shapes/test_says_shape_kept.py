r"""``_says_shape_kept`` (shapes/gates.py) looks for the words that say a function keeps its
argument's shape ("keeps the width", "shape-preserving") once per text and tries the letter
just before them only where they are: the same answers as the one search of the whole text it
replaced (kept here as the reference), on random texts of the words that matter, sentences
written to match or nearly, and the letters of the corpus's documents."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from texgrad.shapes import gates as g
from texgrad.shapes.gates import KEEPS


def reference(text: str, spelling: str) -> bool:
    """The search as it was: one pattern over the whole text, ignoring case."""
    if spelling not in text:
        return False
    letter = r"\$\s*" + re.escape(spelling) + r"(?![A-Za-z])\s*(?:\(\s*\\cdot\s*\))?\s*\$"
    return re.search(letter + r"[^.$;,]{0,60}?\b" + KEEPS, text, re.IGNORECASE) is not None


def _said(text: str, spelling: str) -> bool:
    g._says_shape_kept.cache.clear()  # type: ignore[attr-defined]
    return g._says_shape_kept(text, spelling)


WRITTEN = [
    (r"$\FFN$ acts row-wise and keeps the width.", r"\FFN", True),
    (r"$\FFN(\cdot)$ preserves its input's shape", r"\FFN", True),
    (r"$\FFN$ PRESERVES THE SHAPE", r"\FFN", True),
    (r"$\FFN$ is a shape-preserving map", r"\FFN", True),
    (r"$\FFN$ is a size preserving map", r"\FFN", True),
    (r"$\FFN$ is dimension-preserving", r"\FFN", True),
    (r"$\FFN$, which keeps the width", r"\FFN", False),  # (a comma between)
    (r"$\FFN$ acts. It keeps the width", r"\FFN", False),  # (another sentence)
    (r"$\FFN$ and $g$ keep the width", r"\FFN", False),  # (other math between)
    (r"$\FFNx$ keeps the width", r"\FFN", False),  # (another name)
    (r"$g$ then $\FFN$ leaves the dimensions unchanged", r"\FFN", True),
    (r"$\FFN$ " + "x" * 61 + " keeps the width", r"\FFN", False),  # (61 between)
    (r"$\FFN$" + "x" * 59 + " keeps the width", r"\FFN", True),  # (60 between)
    (r"$\FFN$ unkeeps the width", r"\FFN", False),  # (no word boundary)
    (r"$$\FFN$$ keeps the width", r"\FFN", False),  # (as the search read it)
    ("$\\FFN$ retains the ſize", r"\FFN", True),  # (ſ is s, ignoring case)
]


def test_sentences() -> None:
    for text, spelling, said in WRITTEN:
        assert reference(text, spelling) is said, text
        assert _said(text, spelling) is said, text


_WORDS = ["$", "\\FFN", "f", "af", " ", "\n", "keeps", "Preserves", "retains", "LEAVES",
          "the", "its", "input's", "shape", "width", "size", "dimensions", "unchanged", "-",
          "preserving", "(", "\\cdot", ")", ",", ".", ";", "x", "\u0131", "\u017f", "\u212aeeps"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=30), st.sampled_from(["\\FFN", "f"]))
def test_what_says_a_function_keeps_the_shape_is_found_as_the_whole_text_search_found_it(
    words: list[str], spelling: str
) -> None:
    text = "".join(words)
    assert _said(text, spelling) == reference(text, spelling)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=20))
def test_the_words_are_found_where_the_whole_text_search_finds_them(words: list[str]) -> None:
    text = "".join(words)
    g._keeps_starts.cache.clear()  # type: ignore[attr-defined]
    assert g._keeps_starts(text) == tuple(m.start() for m in g._KEEPS_START.finditer(text))


def test_the_corpus_letters_answer_as_before(corpus: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.md"))][:8]
    texts += [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.tex"))][:4]
    assert texts
    checked = said = 0
    for text in texts:
        # (each text with a sentence that keeps the shape after one of its own letters)
        names = sorted(set(re.findall(r"\$\s*(\\?[A-Za-z]+)\s*\$", text)))[:25]
        if names:
            text += f"\n\nThe map ${names[0]}$ keeps the shape of its input.\n"
        for name in names:
            expected = reference(text, name)
            assert _said(text, name) is expected, name
            checked += 1
            said += expected
    assert checked > 100 and said > 0
