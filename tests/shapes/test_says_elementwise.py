r"""``_says_elementwise`` (shapes/gates.py) looks for the words "elementwise", "entry-wise",
… once per text and tries the sentence that starts with them only where they are: the same
answers as the one search of the whole text with both sentences it replaced (kept here as
the reference), on sentences written to match each way, near misses, and every letter of the
corpus's documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from texgrad.shapes import gates as f
from texgrad.shapes.gates import ELEMENTWISE, ENTRYWISE, SHAPE_KEEPING


def reference(text: str, name: str) -> bool:
    """The search as it was: one pattern, both sentences, over the whole text."""
    if name not in text:
        return False
    letter = r"\$\s*" + re.escape(name) + r"\s*(?:\(\s*\\cdot\s*\))?\s*\$"
    after = letter + r"[^.$;,]{0,60}?\b" + ENTRYWISE
    before = r"\b" + ENTRYWISE + r"(?:\s+(?!and\b|or\b)[A-Za-z-]+){0,3}\s*" + letter
    if re.search(f"{after}|{before}", text, re.IGNORECASE) is not None:
        return True
    return re.search(named_as(name), text) is not None


def named_as(name: str) -> str:
    """``_named_as`` as it was (a look-behind at every place of the text)."""
    funcs = "|".join(sorted(ELEMENTWISE | SHAPE_KEEPING))
    named = r"\\(?:" + funcs + r")|\\(?:operatorname|mathrm|text)\s*\{\s*(?i:" + funcs + r")\s*\}"
    return (
        r"(?<![\\A-Za-z])"
        + re.escape(name)
        + r"(?![A-Za-z_^'])\s*=\s*(?:"
        + named
        + r")(?![A-Za-z])"
        r"(?!\s*(?:\\left\s*)?[(\[{]|\s*\\(?:big|Big)\w*\s*[(\[])"
    )


WRITTEN = [
    (r"where $\phi$ is applied elementwise.", r"\phi", True),
    (r"an element-wise nonlinearity $\phi(\cdot)$ follows", r"\phi", True),
    (r"an Element Wise activation $\sigma$", r"\sigma", True),
    (r"the COORDINATEWISE map $g$ and more", "g", True),
    (r"a point-wise smooth nonlinear map $h$", "h", True),  # three words between
    (r"a pointwise very smooth nonlinear map $h$", "h", False),  # four
    (r"entrywise and $h$ is", "h", False),  # "and" does not lead to the letter
    (r"unelementwise $h$", "h", False),  # no word boundary before the words
    (r"xelementwise; entrywise $h$", "h", True),  # the second occurrence
    (r"$h$, applied elementwise", "h", False),  # (a comma between)
    (r"$h$ applied elementwise", "h", True),
    (r"$f$ acts componentwise. Then $g$", "g", False),
    (r"h = \tanh is used", "h", True),  # named as an elementwise function
    (r"$\phi=\operatorname{ReLU}$ and", r"\phi", True),
    ("h \u00a0\n\u2003= \\mathrm{gelu}$", "h", True),  # blanks of any kind before "="
    (r"h  =  \tanh(x)", "h", False),  # a value, not the function
    (r"\h = \tanh", "h", False),  # (a macro \h)
    (r"ah = \tanh", "h", False),
    (r"1h = \tanh", "h", True),
    (r"h_ = \tanh", "h", False),
    (r"h = \tanhx", "h", False),
    (r"g = \tanh; h = \sigma \big( x", "h", False),
    (r"g = \tanh; h = \tanh", "h", True),  # the second "="
    (r"h = \tanh", r"h ", True),  # a name ending in a blank
    (r"elementwise $hh$", "h", False),
    (r"no words at all, $h$", "h", False),
]


@pytest.mark.parametrize("text,name,said", WRITTEN)
def test_sentences(text: str, name: str, said: bool) -> None:
    f._says_elementwise.cache.clear()
    assert f._says_elementwise(text, name) is said
    assert reference(text, name) is said


def test_the_words_found_are_every_occurrence() -> None:
    text = "elementwise entry-wise x-pointwise component wise coordinatewise Entrywise"
    starts = f._entrywise_starts(text)
    assert [text[s : s + 5].lower() for s in starts] == [
        "eleme", "entry", "point", "compo", "coord", "entry"
    ]  # fmt: skip


def test_the_corpus_letters_answer_as_before(corpus: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.md"))][:8]
    texts += [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.tex"))][:4]
    assert texts
    checked = said = 0
    for text in texts:
        names = set(re.findall(r"\$\s*(\\?[A-Za-z]+)\s*\$", text))
        names |= set(re.findall(r"\b[a-z]\b", text)[:5])
        for name in sorted(names)[:25]:
            f._says_elementwise.cache.clear()
            expected = reference(text, name)
            assert f._says_elementwise(text, name) is expected, name
            checked += 1
            said += expected
    assert checked > 100


# (from i17edit: random texts of the words that matter, and a few written ones)
_WORDS = ["$", "\\phi", "h", "ah", " ", "\n", "elementwise", "Element-wise", "entry wise",
          "POINTWISE", "applied", "and", "or", "an", "=", "\\tanh", "\\mathrm{ReLU}", "(",
          "\\cdot", ")", ",", ".", "x", "\u0131", "\\", "_"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=30), st.sampled_from(["\\phi", "h"]))
def test_what_says_a_function_applies_entrywise_is_found_as_the_whole_text_search_found_it(
    words: list[str], name: str
) -> None:
    from texgrad.shapes.gates import _says_elementwise

    text = "".join(words)
    assert _says_elementwise(text, name) == reference(text, name)


def test_what_says_a_function_applies_entrywise_in_written_texts() -> None:
    from texgrad.shapes.gates import _says_elementwise

    said = [
        ("an element-wise nonlinearity $\\phi(\\cdot)$", "\\phi"),
        ("$h$ is applied pointwise", "h"),
        ("with $h = \\tanh$ and", "h"),
        ("Element-wise maps $h$", "h"),
    ]
    unsaid = [("an elementwise map, and $\\phi$", "\\phi"), ("$ah = \\tanh$", "h"),
              ("$h = \\tanh(x)$", "h")]  # fmt: skip
    for text, name in said + unsaid:
        assert _says_elementwise(text, name) == reference(text, name)
    found = [_says_elementwise(text, name) for text, name in said + unsaid]
    assert found == [True] * len(said) + [False] * len(unsaid)


_WISE_BITS = ["element", "Entry", "point", "compo", "component", "coordinate", "-", " ",
              "wise", "WıSE", "wiſe", "a", "x", "$", "_"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_WISE_BITS), max_size=20))
def test_entrywise_words_are_found_where_the_whole_text_search_finds_them(bits: list[str]) -> None:
    from texgrad.shapes.gates import _ENTRYWISE_START, _entrywise_starts

    text = "".join(bits)
    assert _entrywise_starts(text) == tuple(m.start() for m in _ENTRYWISE_START.finditer(text))
