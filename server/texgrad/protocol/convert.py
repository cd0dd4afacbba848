"""Offsets (code points into a text) ↔ LSP positions, in the negotiated encoding.

Analysis speaks in offsets; the protocol speaks in (line, character) where the
character counts code units of the encoding agreed at initialization (UTF-16 for
VS Code, UTF-8 for Neovim 0.11, UTF-32 for Emacs). The unit counting is pygls's
:class:`~pygls.workspace.position_codec.PositionCodec` (the document's codec);
lines are split as LSP splits them (``\\n``, ``\\r\\n``, ``\\r`` only), once per
text, so a conversion costs a bisection and one line's worth of counting — not a
pass over the document as :meth:`TextDocument.offset_at_position` makes.

Positions out of range are clamped (a line past the end is the end of the text;
a character past the end of its line is the end of that line), never an error.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from itertools import accumulate

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from texgrad.reading.edits import TextEdit

_BREAK = re.compile(r"\r\n|\r|\n")


def _line_starts(text: str) -> list[int]:
    """Where each line starts.  Without ``\\r`` the lengths of split lines say it, three
    times faster than matching every break (this runs for every edit of a document)."""
    if "\r" in text:
        return [0, *(m.end() for m in _BREAK.finditer(text))]
    return [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]


class Positions:
    """Conversions for one text."""

    __slots__ = ("text", "codec", "starts", "_ascii")

    def __init__(self, text: str, codec: PositionCodec, starts: list[int] | None = None):
        self.text = text
        self.codec = codec
        self.starts = _line_starts(text) if starts is None else starts
        self._ascii = text.isascii()

    @classmethod
    def after(cls, last: Positions, text: str) -> Positions:
        """The conversions of ``text`` made from those of the text an edit made it from
        (``last``): the starts of the lines before the edit kept, those after it moved, those
        in it found (a split of the whole Cookbook took 0.3 ms of each keystroke).  Texts
        with a ``\\r`` are split afresh."""
        was = last.text
        if "\r" in text or "\r" in was:
            return cls(text, last.codec)
        edit = TextEdit.between(was, text)
        old = last.starts
        head = old[: bisect.bisect_right(old, edit.start)]  # (a line starts after a newline)
        i = text.find("\n", edit.start, edit.new_end)
        while i >= 0:
            head.append(i + 1)
            i = text.find("\n", i + 1, edit.new_end)
        d = edit.delta
        tail = old[bisect.bisect_right(old, edit.old_end) :]
        head += [q + d for q in tail] if d else tail
        return cls(text, last.codec, head)

    def _line_end(self, line: int) -> int:
        """End of ``line``'s content (before its line break)."""
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            if self.text.startswith("\r\n", end - 2):
                return end - 2
            return end - 1
        return len(self.text)

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        offset = min(offset, self._line_end(line))  # never inside a \r\n
        if self._ascii:
            return types.Position(line=line, character=offset - start)
        units = self.codec.client_num_units(self.text[start:offset])
        return types.Position(line=line, character=units)

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))

    def offset(self, position: types.Position) -> int:
        line = position.line
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self._line_end(line)
        want = max(0, position.character)
        if self._ascii:
            return min(start + want, end)
        counter = self.codec.impl
        units = 0
        i = start
        while i < end and units < want:
            units += counter.code_units_for_char(self.text[i])
            i += 1
        return i


class PositionCache:
    """:class:`Positions` of recently used texts (documents and their project files): the
    ``size`` most recently used, and of one path its ``per_path`` most recently used texts.
    Each holds its text and its lines' starts; kept for every version, 60 keystrokes in the
    Cookbook kept 18 MB of texts an editor no longer asks about (what is not kept is made
    again when asked for, the same)."""

    def __init__(self, codec: PositionCodec, size: int = 64, per_path: int = 3):
        self.codec = codec
        self._size = size
        self._per_path = per_path
        self._recent: OrderedDict[tuple[str, int], Positions] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, key: str, text: str) -> Positions:
        k = (key, hash(text))
        with self._lock:
            hit = self._recent.get(k)
            if hit is not None and (hit.text is text or hit.text == text):
                self._recent.move_to_end(k)  # (most recently used: kept longest)
                return hit
        with self._lock:  # (the last text of the path: most likely the one edited)
            last = next((p for (k, _), p in reversed(self._recent.items()) if k == key), None)
        # (outside the lock: a pass over the text)
        made = Positions(text, self.codec) if last is None else Positions.after(last, text)
        with self._lock:
            recent = self._recent
            recent[k] = made
            recent.move_to_end(k)
            same = [old for old in recent if old[0] == key]  # (oldest first)
            for old in same[: -self._per_path]:
                del recent[old]
            while len(recent) > self._size:
                recent.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._recent)
