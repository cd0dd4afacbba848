"""What an edit did: the span of text it replaced, and how a sequence made from the
edited text relates to the one made before it.

The incremental stages (rescan.py, document.py, shapes' checker) share this vocabulary;
it imports nothing of texgrad, so any stage may use it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
        """The smallest single replacement that turns ``old`` into ``new``.  The last one
        told is told again for the same two strings (by identity): a check after an edit
        asks it of the same texts at six stages, 60 µs each on the Cookbook."""
        last = _LAST[0]  # (one read: threads may share it)
        if last[0] is old and last[1] is new and cls is TextEdit:
            return last[2]
        n = min(len(old), len(new))
        prefix = _common(old, new, n, False)
        suffix = _common(old, new, n - prefix, True)
        edit = cls(prefix, len(old) - suffix, len(new) - suffix)
        if cls is TextEdit:
            _LAST[0] = (old, new, edit)
        return edit

    def moved(self, offset: int) -> int | None:
        """Where an old offset is now; None inside the replaced span."""
        if offset <= self.start:
            return offset
        if offset >= self.old_end:
            return offset + self.delta
        return None


# the last edit told by TextEdit.between, with the two texts it was told of
_LAST: list[tuple[str, str, TextEdit]] = [("", "", TextEdit(0, 0, 0))]


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


_BLOCK = 4096


def _common(old: str, new: str, limit: int, from_end: bool) -> int:
    """The length of the common prefix (``from_end``: suffix) of two texts, at most
    ``limit``: block by block (slices compare in C; each character is copied once), then
    by halving inside the first block that differs."""
    a, b = len(old), len(new)

    def same(i: int, j: int) -> bool:  # (the i-th to j-th characters from that end)
        if from_end:
            return old[a - j : a - i] == new[b - j : b - i]
        return old[i:j] == new[i:j]

    start = 0
    while start < limit and same(start, min(start + _BLOCK, limit)):
        start = min(start + _BLOCK, limit)
    block = min(start + _BLOCK, limit) - start
    return start + longest_same(lambda k: same(start, start + k), block)


def longest_same(same: Callable[[int], bool], limit: int) -> int:
    """The largest ``k <= limit`` with ``same(k)`` (``same`` true up to some k, false
    after): how much of two sequences is alike — their first items, or their last — after
    an edit.  ``limit`` is tried first (everything alike is the common answer), then found
    by halving: a few comparisons of slices in C, not a loop over items in Python (a
    200 kB document is compared at every keystroke)."""
    if limit <= 0 or same(limit):
        return max(0, limit)
    lo, hi = 0, limit - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if same(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo
