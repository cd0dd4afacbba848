"""MappedText: text that knows where each of its characters came from."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from texgrad.reading.source import MappedText, Segment, line_col, line_starts

SOURCE = "Soit ∑ $α + \\beta$ où ü"  # non-ASCII before, inside and after


def test_identity_maps_every_character_to_itself_at_the_offset():
    t = MappedText.identity("α + β", offset=10)
    assert t.text == "α + β"
    assert len(t) == 5
    assert t.segments == (Segment(0, 5, 10, 15, True),)
    assert [t.source_offset(i) for i in range(5)] == [10, 11, 12, 13, 14]
    assert t.source_range(0, 5) == (10, 15)
    assert t.source_range(4, 5) == (14, 15)
    assert t.is_verbatim(0, 5)


def test_identity_of_empty_text_has_no_segments():
    t = MappedText.identity("", 7)
    assert t.text == ""
    assert t.segments == ()
    assert t.source_range(0, 0) == (0, 0)


def test_slice_keeps_source_positions_with_non_ascii():
    start = SOURCE.index("$") + 1
    body = SOURCE[start : SOURCE.index("$", start)]
    t = MappedText.identity(body, start)
    s = t.slice(4, 9)  # "\\beta"
    assert s.text == "\\beta"
    a, b = s.source_range(0, len(s))
    assert SOURCE[a:b] == "\\beta"
    assert (a, b) == (start + 4, start + 9)
    assert s.is_verbatim(0, 5)


def test_slice_clamps_and_empty_slices():
    t = MappedText.identity("abc", 3)
    assert t.slice(-5, 99).text == "abc"
    assert t.slice(2, 1).text == ""
    assert t.slice(2, 1).segments == ()


def test_concat_merges_adjacent_verbatim_runs():
    t = MappedText.identity("héllo wörld", 0)
    joined = MappedText.concat([t.slice(0, 3), t.slice(3, 11)])
    assert joined.text == "héllo wörld"
    assert joined.segments == (Segment(0, 11, 0, 11, True),)


def test_concat_of_non_adjacent_runs_is_not_verbatim_across_the_gap():
    t = MappedText.identity("ab--cd", 100)
    joined = MappedText.concat([t.slice(0, 2), t.slice(4, 6)])
    assert joined.text == "abcd"
    assert len(joined.segments) == 2
    assert joined.is_verbatim(0, 2)
    assert joined.is_verbatim(2, 4)
    assert not joined.is_verbatim(1, 3)  # "bc" is not what the source holds at 101..105
    assert joined.source_range(1, 3) == (101, 105)


def test_synthetic_text_maps_every_character_to_the_whole_range():
    t = MappedText.synthetic("\\mathbb{R}", 20, 22)
    assert t.source_offset(0) == 20
    assert t.source_offset(5) == 20
    assert t.source_range(3, 6) == (20, 22)
    assert not t.is_verbatim(0, 1)
    assert MappedText.synthetic("", 1, 2).segments == ()


def test_concat_mixed_and_source_range_across_kinds():
    src = "$\\R^n$"  # \R at 1..3, ^n at 3..5
    parts = [MappedText.synthetic("\\mathbb R", 1, 3), MappedText.identity("^n", 3)]
    t = MappedText.concat(parts)
    assert t.text == "\\mathbb R^n"
    assert t.source_range(0, len(t)) == (1, 5)
    assert src[slice(*t.source_range(9, 11))] == "^n"
    assert t.is_verbatim(9, 11)
    assert not t.is_verbatim(8, 10)
    assert t.source_range(2, 4) == (1, 3)  # inside the macro body: the whole call


def test_substitute_maps_replacements_to_their_match():
    src = r"a\_b\*c"
    t = MappedText.identity(src, 0)
    out = t.substitute(re.compile(r"\\([_*])"), lambda m: m.group(1))
    assert out.text == "a_b*c"
    assert out.source_range(1, 2) == (1, 3)  # "_" came from "\_"
    assert not out.is_verbatim(1, 2)
    assert out.source_range(2, 3) == (3, 4)  # "b" is itself
    assert out.is_verbatim(2, 3)
    assert out.source_range(0, 5) == (0, 7)


def test_substitute_without_match_returns_the_same_object():
    t = MappedText.identity("x + y", 0)
    assert t.substitute(re.compile("z"), lambda m: "w") is t


def test_is_verbatim_of_empty_range_is_true():
    t = MappedText.synthetic("ab", 0, 5)
    assert t.is_verbatim(1, 1)


def test_strip_range():
    assert MappedText.identity("  x + y \n", 0).strip_range() == (2, 7)
    assert MappedText.identity("   ", 0).strip_range() == (3, 3)


def test_line_starts_and_columns_in_code_points():
    text = "ä\r\nβ$x$\n\nz"
    starts = line_starts(text)
    assert starts == [0, 3, 8, 9]
    assert line_col(starts, text.index("x")) == (1, 2)
    assert line_col(starts, text.index("z")) == (3, 0)


@given(st.text(min_size=1, max_size=40), st.integers(0, 1000), st.data())
def test_slices_of_identity_are_verbatim_and_exact(text, offset, data):
    t = MappedText.identity(text, offset)
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    s = t.slice(a, b)
    assert s.text == text[a:b]
    if b > a:
        assert s.source_range(0, len(s)) == (offset + a, offset + b)
        assert s.is_verbatim(0, len(s))


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=6))
def test_concat_of_consecutive_slices_is_identity(pieces):
    text = "".join(pieces)
    t = MappedText.identity(text, 5)
    parts, pos = [], 0
    for p in pieces:
        parts.append(t.slice(pos, pos + len(p)))
        pos += len(p)
    joined = MappedText.concat(parts)
    assert joined.text == text
    assert joined.segments == t.segments


def test_texts_of_one_segment_share_their_starts() -> None:
    """A text of one segment from 0 (most rows and regions) keeps no list of its own: one
    tuple for all (issue 17), and it maps as before."""
    a = MappedText.identity("x + y", 300)
    b = MappedText.identity("A x", 9000).slice(1, 3)
    assert a._starts is b._starts == (0,)
    assert a.source_range(0, 1) == (300, 301) and b.source_range(0, 2) == (9001, 9003)
    two = MappedText.concat([MappedText.identity("ab", 10), MappedText.identity("cd", 50)])
    assert two._starts == (0, 2) and two.source_range(2, 4) == (50, 52)
