"""Text with an origin map: every character knows the source range it came from.

Math is parsed from text that is not always what the user typed: macros are
expanded, Markdown escapes undone, rows cut out of environments.  A
:class:`MappedText` carries that text together with a compact map back to the
original file, so a diagnostic computed on the parsed text lands on what the
user wrote.

The map is a list of :class:`Segment` runs rather than one entry per character:
most math is copied verbatim, and a verbatim run maps pointwise.  A run that
came from a macro body (or an escape) maps every one of its characters to the
whole source range of the call.  A call whose body begins or ends with an argument
(``\\newcommand{\\dd}[1]{\\mathrm d#1}``) is also kept as a *call span*: a range that takes
in the whole expansion takes in the whole call, braces included, so that a quick fix
never replaces ``\\dd{x`` and leaves its ``}``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Segment:
    """One run of mapped text: text[start:end] came from source[src_start:src_end].

    ``verbatim`` runs have equal lengths and map character by character;
    other runs (macro bodies, escapes) map every character to the whole
    source range.
    """

    start: int
    end: int
    src_start: int
    src_end: int
    verbatim: bool


_FROM_ZERO = (0,)


class MappedText:
    """An immutable string plus the map from its offsets to source offsets."""

    __slots__ = ("text", "_state", "_starts", "_key", "calls", "_merged")

    def __init__(
        self,
        text: str,
        segments: Iterable[Segment],
        calls: tuple[tuple[int, int, int, int], ...] = (),
        merged: bool = False,
    ):
        self.text = text
        # whether no two segments in a row could be one (as :meth:`concat` makes them):
        # then a concatenation looks at a part's first segment only, and shares the rest
        self._merged = merged
        # (start, end) of a macro call's expansion in text, and (start, end) of the call
        # in the source: see source_range
        self.calls = calls
        segs = tuple(segments)
        # the segments, and how far their source offsets are behind (see shifted): one
        # value, read and written whole, so that threads sharing a text never move it twice
        self._state: tuple[tuple[Segment, ...], int] = (segs, 0)
        # (one segment from 0, most texts: one tuple for all, kept for every row and region)
        starts = tuple([s.start for s in segs])
        self._starts = _FROM_ZERO if starts == _FROM_ZERO else starts
        self._key: tuple[int, Hashable] | None = None

    @property
    def segments(self) -> tuple[Segment, ...]:
        segs, d = self._state
        if d:  # moved: the segments are made when first asked for
            segs = tuple(
                Segment(g.start, g.end, g.src_start + d, g.src_end + d, g.verbatim) for g in segs
            )
            self._state = (segs, 0)
        return segs

    def key(self, base: int) -> Hashable:
        """The text and its map relative to the source offset ``base``: equal keys, equal
        trees once parsed.  Text taken verbatim is its own key (a string keeps its hash)."""
        if self._key is not None and self._key[0] == base:
            return self._key[1]
        segs = self.segments
        key: Hashable
        if (
            len(segs) == 1
            and segs[0].verbatim
            and segs[0].start == 0
            and segs[0].src_start == base
            and segs[0].end == len(self.text)
        ):
            key = self.text
        else:
            key = (
                self.text,
                tuple(
                    (g.start, g.end, g.src_start - base, g.src_end - base, g.verbatim) for g in segs
                ),
                tuple((a, b, sa - base, sb - base) for a, b, sa, sb in self.calls),
            )
        self._key = (base, key)
        return key

    # -- construction -------------------------------------------------------
    @classmethod
    def identity(cls, text: str, offset: int = 0) -> MappedText:
        """``text`` taken verbatim from the source at ``offset``."""
        if not text:
            return cls("", (), (), True)
        return cls(text, (Segment(0, len(text), offset, offset + len(text), True),), (), True)

    @classmethod
    def concat(cls, parts: Iterable[MappedText]) -> MappedText:
        """The parts one after the other; a run taken verbatim that goes on where the one
        before it ended is one segment.  (A part made so — by concat, slice, identity —
        is looked at by its first segment only, the others shared or shifted in bulk: a
        macro doubling its argument copied every segment at every level, one by one.)"""
        parts = [p for p in parts if p.text or p.segments or p.calls]
        if len(parts) == 1 and parts[0]._merged:
            return parts[0]  # (what concat would make of it: the same text and map)
        texts: list[str] = []
        segs: list[Segment] = []
        calls: list[tuple[int, int, int, int]] = []
        pos = 0
        for part in parts:
            calls.extend((a + pos, b + pos, sa, sb) for a, b, sa, sb in part.calls)
            psegs = part.segments
            if part._merged and len(psegs) > 1:
                _extend_merged(segs, psegs, pos)
                texts.append(part.text)
                pos += len(part.text)
                continue
            for s in psegs:
                seg = Segment(s.start + pos, s.end + pos, s.src_start, s.src_end, s.verbatim)
                prev = segs[-1] if segs else None
                if (
                    prev is not None
                    and prev.verbatim
                    and seg.verbatim
                    and prev.end == seg.start
                    and prev.src_end == seg.src_start
                ):
                    segs[-1] = Segment(prev.start, seg.end, prev.src_start, seg.src_end, True)
                else:
                    segs.append(seg)
            texts.append(part.text)
            pos += len(part.text)
        return cls("".join(texts), segs, tuple(calls), True)

    def as_call(self, src_start: int, src_end: int) -> MappedText:
        """This text as the whole expansion of a macro call at source[src_start:src_end]."""
        if not self.text:
            return self
        return MappedText(
            self.text,
            self.segments,
            ((0, len(self.text), src_start, src_end), *self.calls),
            self._merged,
        )

    @classmethod
    def synthetic(cls, text: str, src_start: int, src_end: int) -> MappedText:
        """``text`` that stands for source[src_start:src_end] as a whole (a macro body)."""
        if not text:
            return cls("", (), (), True)
        return cls(text, (Segment(0, len(text), src_start, src_end, False),), (), True)

    def shifted(self, delta: int) -> MappedText:
        """The same text taken from ``delta`` characters later in the source (lazily moved)."""
        if delta == 0:
            return self
        out = MappedText.__new__(MappedText)
        segs, d = self._state
        out.text, out._state, out._starts = self.text, (segs, d + delta), self._starts
        out._merged = self._merged  # (every source offset moved alike)
        out.calls = tuple((a, b, sa + delta, sb + delta) for a, b, sa, sb in self.calls)
        out._key = None if self._key is None else (self._key[0] + delta, self._key[1])
        return out

    # -- queries ------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.text)

    def __repr__(self) -> str:
        return f"MappedText({self.text!r})"

    def _segment_at(self, offset: int) -> Segment:
        i = bisect.bisect_right(self._starts, offset) - 1
        return self.segments[max(i, 0)]

    def source_offset(self, offset: int) -> int:
        """Source offset of the character at ``offset`` (its start)."""
        if not self.segments:
            return 0
        if offset >= len(self.text):
            return self.segments[-1].src_end
        s = self._segment_at(offset)
        return s.src_start + (offset - s.start) if s.verbatim else s.src_start

    def source_end(self, offset: int) -> int:
        """Source offset just after the character at ``offset - 1``."""
        if not self.segments:
            return 0
        if offset <= 0:
            return self.segments[0].src_start
        s = self._segment_at(offset - 1)
        return s.src_start + (offset - s.start) if s.verbatim else s.src_end

    def source_range(self, start: int, end: int) -> tuple[int, int]:
        """The source range that text[start:end] came from."""
        if end <= start:
            off = self.source_offset(start)
            return off, off
        a, b = self.source_offset(start), self.source_end(end)
        for ca, cb, sa, sb in self.calls:
            # Inside one call's expansion the map is right (an argument maps to itself);
            # a range that takes in or crosses the whole expansion takes the whole call.
            if end <= ca or start >= cb or (ca <= start and end <= cb and (ca, cb) != (start, end)):
                continue
            a, b = min(a, sa), max(b, sb)
        return a, b

    def is_verbatim(self, start: int, end: int) -> bool:
        """True when text[start:end] is exactly source[source_range(start, end)]."""
        if end <= start:
            return True
        i = bisect.bisect_right(self._starts, start) - 1
        if i < 0:
            return False
        expected_src = None
        pos = start
        while pos < end:
            if i >= len(self.segments):
                return False
            s = self.segments[i]
            if not s.verbatim:
                return False
            src = s.src_start + (pos - s.start)
            if expected_src is not None and src != expected_src:
                return False
            step_end = min(end, s.end)
            expected_src = s.src_start + (step_end - s.start)
            pos = step_end
            i += 1
        return True

    # -- derivation ---------------------------------------------------------
    def slice(self, start: int, end: int) -> MappedText:
        """The sub-text text[start:end] with its map."""
        start = max(0, start)
        end = min(len(self.text), end)
        if end <= start:
            return MappedText("", (), (), True)
        if start == 0 and end == len(self.text) and self._merged:
            return self  # (the whole: the same text and map)
        segs: list[Segment] = []
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        while i < len(self.segments) and self.segments[i].start < end:
            s = self.segments[i]
            a, b = max(s.start, start), min(s.end, end)
            if a < b:
                if s.verbatim:
                    segs.append(
                        Segment(
                            a - start,
                            b - start,
                            s.src_start + (a - s.start),
                            s.src_start + (b - s.start),
                            True,
                        )
                    )
                else:
                    segs.append(Segment(a - start, b - start, s.src_start, s.src_end, False))
            i += 1
        calls = tuple(
            (max(a, start) - start, min(b, end) - start, sa, sb)
            for a, b, sa, sb in self.calls
            if a < end and b > start
        )
        # (cut from segments no two of which could be one, none could: their ends stay)
        return MappedText(self.text[start:end], segs, calls, self._merged)

    def substitute(
        self, pattern: re.Pattern[str], replacement: Callable[[re.Match[str]], str | None]
    ) -> MappedText:
        """Replace every match; each replacement maps to the source range of its match.

        A replacement of None keeps the match as it is (and verbatim).
        """
        parts: list[MappedText] = []
        last = 0
        for m in pattern.finditer(self.text):
            if m.start() < last:
                continue
            new = replacement(m)
            if new is None:
                continue
            parts.append(self.slice(last, m.start()))
            a, b = self.source_range(m.start(), m.end())
            parts.append(MappedText.synthetic(new, a, b))
            last = m.end()
        if not parts:
            return self
        parts.append(self.slice(last, len(self.text)))
        return MappedText.concat(parts)

    def strip_range(self) -> tuple[int, int]:
        """Offsets of the text without leading and trailing white space."""
        t = self.text
        a = len(t) - len(t.lstrip())
        b = len(t.rstrip())
        return (a, b) if a < b else (a, a)


def _extend_merged(segs: list[Segment], part: tuple[Segment, ...], pos: int) -> None:
    """``part``'s segments, ``pos`` on, after ``segs`` (as :meth:`MappedText.concat` adds
    them one by one): its first joins the last of ``segs`` if that run goes on in it; the
    others, no two of which could be one (nor the first with the second), as they are."""
    first = part[0]
    prev = segs[-1] if segs else None
    if (
        prev is not None
        and prev.verbatim
        and first.verbatim
        and prev.end == first.start + pos
        and prev.src_end == first.src_start
    ):
        segs[-1] = Segment(prev.start, first.end + pos, prev.src_start, first.src_end, True)
    else:
        segs.append(
            first
            if pos == 0
            else Segment(
                first.start + pos, first.end + pos, first.src_start, first.src_end, first.verbatim
            )
        )
    if pos == 0:
        segs.extend(part[1:])  # (shared: a segment is immutable)
    else:
        segs.extend(
            [
                Segment(s.start + pos, s.end + pos, s.src_start, s.src_end, s.verbatim)
                for s in part[1:]
            ]
        )


def line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` begins (line 0 at offset 0)."""
    starts = [0]
    for m in re.finditer(r"\r\n|\r|\n", text):
        starts.append(m.end())
    return starts


def line_col(starts: list[int], offset: int) -> tuple[int, int]:
    """Zero-based (line, column in code points) of ``offset``."""
    line = bisect.bisect_right(starts, offset) - 1
    return line, offset - starts[line]
