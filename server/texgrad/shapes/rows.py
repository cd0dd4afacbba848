"""A parsed row placed in a document: what declarations and inference read of a row."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from texgrad.syntax import tree as t

RowKey = Hashable  # a row's text and map (shapes/check.py)

_new = object.__new__


class PlacedRow:
    """A parsed row placed in a document: its path, source range and tree, as declarations
    and inference read it (the parser's own result, with its error, is ``ParsedRow``).

    A row an edit moved keeps the tree it was parsed into and moves it only when the tree
    is asked for (most never are: their inference is reused); ``key`` names its text and
    map (see shapes/check.py), so that what was learnt from a row can be reused too.
    """

    __slots__ = ("path", "start", "end", "key", "_tree")

    def __init__(
        self,
        path: str,
        start: int,
        end: int,
        tree: t.Node | None,
        key: RowKey | None = None,
        shift: int = 0,
    ) -> None:
        self.path, self.start, self.end, self.key = path, start, end, key
        self._tree = (tree, shift)

    @property
    def parsed(self) -> bool:
        """Did the row parse (without moving its tree)?"""
        return self._tree[0] is not None

    @property
    def shift(self) -> int:
        """How far the row is from where its tree was parsed (0 once moved there)."""
        return self._tree[1]

    def moved(self, delta: int) -> PlacedRow:
        """The same row ``delta`` characters later (its tree moved when asked for).  Made
        without a call of ``__init__``: an edit at the top of the Cookbook moves 2,700 rows."""
        tree, shift = self._tree
        out = _new(PlacedRow)
        out.path, out.start, out.end, out.key = (
            self.path,
            self.start + delta,
            self.end + delta,
            self.key,
        )
        out._tree = (tree, shift + delta)
        return out

    @property
    def tree_as_parsed(self) -> t.Node | None:
        """The tree without moving it: its ranges may be where the row was when parsed.
        For readers that use only its structure (the calculus engine's definitions)."""
        return self._tree[0]

    @property
    def tree(self) -> t.Node | None:
        tree, shift = self._tree  # one read and one write: threads may share rows
        if shift and tree is not None:
            tree = t.shifted(tree, shift)
            self._tree = (tree, 0)
        return tree

    def __repr__(self) -> str:
        return f"PlacedRow({self.path!r}, {self.start}, {self.end})"


def moved_rows(rows: Sequence[PlacedRow], delta: int) -> list[PlacedRow]:
    """``[r.moved(delta) for r in rows]`` in one loop, without a method call per row: the
    rows after an edit at the top of the Cookbook (1,350) are moved at every keystroke."""
    out: list[PlacedRow] = []
    add, new = out.append, _new
    for r in rows:
        tree, shift = r._tree
        o = new(PlacedRow)
        o.path, o.start, o.end, o.key, o._tree = (
            r.path, r.start + delta, r.end + delta, r.key, (tree, shift + delta)
        )  # fmt: skip
        add(o)
    return out
