r"""Offsets to LSP positions and back, in every encoding and with every line break."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from texgrad.protocol.convert import PositionCache, Positions


def test_positions_in_every_encoding() -> None:
    text = "é😀x\r\nab\rc\n"
    for enc, col in (("utf-16", 4), ("utf-8", 7), ("utf-32", 3)):
        pos = Positions(text, PositionCodec(types.PositionEncodingKind(enc)))
        assert pos.position(3) == types.Position(0, col)
        assert pos.offset(types.Position(0, col)) == 3
        assert pos.position(4) == types.Position(0, col)  # inside \r\n: the end of the line
        assert pos.position(5) == types.Position(1, 0)
        assert pos.offset(types.Position(1, 1)) == 6
        assert pos.offset(types.Position(2, 0)) == 8
        assert pos.offset(types.Position(99, 0)) == len(text)
        assert pos.offset(types.Position(0, 999)) == 3  # the end of the line
        assert pos.position(10_000) == types.Position(3, 0)


@given(st.text(alphabet="ab\n\r é😀", max_size=40))
def test_line_starts_as_lsp_splits_lines(text: str) -> None:
    # the fast path (no \r) and the matching path agree with LSP's line breaks
    want = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
    assert Positions(text, PositionCodec()).starts == want
    assert Positions(text.replace("\r", ""), PositionCodec()).starts == [
        0,
        *(m.end() for m in re.finditer("\n", text.replace("\r", ""))),
    ]


def test_the_cache_keeps_a_few_texts_of_each_path() -> None:
    cache = PositionCache(PositionCodec(types.PositionEncodingKind("utf-16")), per_path=2)
    texts = [f"line {i}\nx = {i}\n" for i in range(10)]  # the versions of a typed document
    got = [cache.of("doc.md", t) for t in texts]
    other = cache.of("other.md", "a\nb\n")
    assert len(cache) == 3  # the two latest versions, and the other path's one text
    assert cache.of("doc.md", texts[-1]) is got[-1] and cache.of("doc.md", texts[-2]) is got[-2]
    assert cache.of("other.md", "a\nb\n") is other
    again = cache.of("doc.md", texts[0])  # an old version asked for again: made again, alike
    assert again is not got[0] and again.starts == got[0].starts and again.text == texts[0]
    assert again.position(9) == types.Position(1, 2)  # (its first line and break: 7)
    assert len(cache) == 3


@given(
    st.text(alphabet="ab\n\r é😀", max_size=40),
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 8), st.text(alphabet="ab\n\r é", max_size=6)),
        max_size=6,
    ),
)
def test_positions_after_edits_are_those_of_the_new_text(
    text: str, edits: list[tuple[int, int, str]]
) -> None:
    # (each edit's positions made from the last text's, through the cache as a server does)
    cache = PositionCache(PositionCodec())
    cache.of("a.md", text)
    for at, cut, typed in edits:
        at = min(at, len(text))
        text = text[:at] + typed + text[at + cut :]
        made = cache.of("a.md", text)
        fresh = Positions(text, PositionCodec())
        assert made.text == text
        assert made.starts == fresh.starts
        assert made.position(at) == fresh.position(at)


def test_positions_after_an_edit_keep_the_lines_before_it() -> None:
    text = "".join(f"line {i}\n" for i in range(2000))
    last = Positions(text, PositionCodec())
    at = text.index("line 1000")
    new = text[:at] + "x\ny\n" + text[at + 3 :]
    made = Positions.after(last, new)
    assert made.starts == Positions(new, PositionCodec()).starts
    assert made.starts[:1001] == last.starts[:1001]  # (the lines before: as they were)
    assert len(made.starts) == len(last.starts) + 2
