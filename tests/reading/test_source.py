"""MappedText: text that knows where each of its characters came from."""

from __future__ import annotations

import re

import pytest
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


# -- concat shares what it need not copy (issue 18: a macro doubling its argument, 200 calls:
# 12.2 s of CPU, every segment copied one by one at every level) --------------------------


def _eager_concat(parts: list[MappedText]) -> tuple[str, tuple[Segment, ...], tuple[object, ...]]:
    """What concat made before: every segment of every part looked at, one by one."""
    segs: list[Segment] = []
    calls: list[tuple[int, int, int, int]] = []
    pos = 0
    for part in parts:
        calls.extend((a + pos, b + pos, sa, sb) for a, b, sa, sb in part.calls)
        for s in part.segments:
            seg = Segment(s.start + pos, s.end + pos, s.src_start, s.src_end, s.verbatim)
            prev = segs[-1] if segs else None
            if (
                prev is not None and prev.verbatim and seg.verbatim
                and prev.end == seg.start and prev.src_end == seg.src_start
            ):  # fmt: skip
                segs[-1] = Segment(prev.start, seg.end, prev.src_start, seg.src_end, True)
            else:
                segs.append(seg)
        pos += len(part.text)
    return "".join(p.text for p in parts), tuple(segs), tuple(calls)


def _part(kind: int, at: int, n: int) -> MappedText:
    text = "abcdefghij"[:n]
    if kind == 0:
        return MappedText.identity(text, at)
    if kind == 1:
        return MappedText.synthetic(text, at, at + 3)
    if kind == 2:  # (made whole, two runs that could be one: not merged)
        half = n // 2
        return MappedText(
            text,
            [Segment(0, half, at, at + half, True), Segment(half, n, at + half, at + n, True)],
        )
    return MappedText.identity(text, at).as_call(at, at + n + 2)


_parts = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 12), st.integers(0, 6)), min_size=0, max_size=6
)


@given(_parts, _parts, st.integers(0, 20), st.integers(0, 20))
def test_concat_and_slice_make_what_they_made_one_segment_at_a_time(
    first: list[tuple[int, int, int]], second: list[tuple[int, int, int]], a: int, b: int
) -> None:
    inner = MappedText.concat([_part(*p) for p in first])
    cut = inner.slice(min(a, b), max(a, b))
    parts = [cut, *(_part(*p) for p in second), inner.shifted(3), inner]
    out = MappedText.concat(parts)
    assert (out.text, out.segments, out.calls) == _eager_concat(parts)
    ref = _eager_concat([inner])
    assert (inner.text, inner.segments, inner.calls) == _eager_concat([_part(*p) for p in first])
    assert (inner.text, inner.segments, inner.calls) == ref
    for i in range(len(out.text) + 1):  # (the map itself, offset by offset)
        assert out.source_offset(i) == MappedText(*_eager_concat(parts)).source_offset(i)


def test_a_whole_text_is_shared_not_copied() -> None:
    text = MappedText.concat([MappedText.identity("ab", 0), MappedText.identity("xy", 9)])
    assert MappedText.concat([MappedText.identity("", 4), text]) is text
    assert text.slice(0, len(text.text)) is text
    made = MappedText("ab", [Segment(0, 1, 0, 1, True), Segment(1, 2, 1, 2, True)])
    assert MappedText.concat([made]).segments == (Segment(0, 2, 0, 2, True),)  # (merged)


def test_a_doubling_macro_makes_segments_in_proportion_to_what_it_produces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from texgrad.reading import macros, source
    from texgrad.reading.document import read_text

    made = [0]

    class Counted(Segment):  # type: ignore[misc]
        __slots__ = ()

        def __init__(self, *args: object) -> None:
            made[0] += 1
            super().__init__(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(source, "Segment", Counted)
    region = "\\a{x} + y"
    doc = read_text("\\def\\a#1{\\a{#1#1}}\n" + f"${region}$\n" * 5)
    assert {p.code for p in doc.problems} == {"macro-loop"}
    bound = macros.GROWTH_BESIDES + macros.GROWTH_PER_CHARACTER * len(region)
    # (a region's levels produce up to ``bound`` characters, an x a segment each: each
    # level made once and its argument cut once, ~12,300 a region; 57,400 before)
    assert made[0] / 5 <= 4 * bound
