"""What an edit did: the span of text it replaced, and how a sequence made from the
edited text relates to the one made before it.

The incremental stages (rescan.py, document.py, shapes' checker) share this vocabulary;
it imports nothing of texgrad, so any stage may use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TextEdit:
    """One replaced span: old text[start:old_end] became new text[start:new_end]."""

    start: int
    old_end: int
    new_end: int

    @property
    def delta(self) -> int:
        return self.new_end - self.old_end

    @classmethod
    def between(cls, old: str, new: str) -> TextEdit:
        """The smallest single replacement that turns ``old`` into ``new``."""
        n = min(len(old), len(new))
        lo, hi = 0, n  # the common prefix, by halving (slices compare in C)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if old[:mid] == new[:mid]:
                lo = mid
            else:
                hi = mid - 1
        prefix = lo
        lo, hi = 0, n - prefix
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if old[len(old) - mid :] == new[len(new) - mid :]:
                lo = mid
            else:
                hi = mid - 1
        return cls(prefix, len(old) - lo, len(new) - lo)

    def moved(self, offset: int) -> int | None:
        """Where an old offset is now; None inside the replaced span."""
        if offset <= self.start:
            return offset
        if offset >= self.old_end:
            return offset + self.delta
        return None


@dataclass(frozen=True, slots=True)
class Splice:
    """How a sequence was made from the one before an edit: its first ``kept`` items are
    ``previous``'s first (the same objects), its last ``moved`` items ``previous``'s last
    moved by ``delta``; only those between are new.  Lets the next stage do the same:
    reuse what it made from the kept items, move what it made from the moved ones."""

    previous: Sequence[object]
    kept: int
    moved: int
    delta: int
