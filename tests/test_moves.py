"""The batch movers of an edit's followers (regions and rows after it) make what the
per-item moves make: the same fields, the same lazily moved rows and trees."""

from __future__ import annotations

from pathlib import Path

from texgrad.reading.document import read_document
from texgrad.reading.project import scan_text
from texgrad.reading.regions import MathRegion, moved_regions, shifted_all
from texgrad.shapes.check import Checker
from texgrad.shapes.rows import moved_rows
from texgrad.syntax import tree as t

TEXT = r"""Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.

$$
f(x) = \|A x\|^2 % a comment
$$

\begin{align}
y &= A x \\
z &= x^\top A^\top A x
\end{align}
"""


def _fields(r: object, names: tuple[str, ...]) -> tuple[object, ...]:
    return tuple(getattr(r, n) for n in names)


def _region(r: MathRegion) -> tuple[object, ...]:
    """A region's fields, its rows' (texts by their key: text and map) and its problems."""
    rows = [(w.text.text, w.text.key(w.start), w.start, w.end, w.index) for w in r.rows]
    return (r.kind, r.delimiter, r.start, r.end, r.body_start, r.body_end, r.display, rows,
            r.problems)  # fmt: skip


def test_shifted_all_is_shifted_each() -> None:
    raws = scan_text(TEXT, "latex").regions
    assert len(raws) >= 4 and any(r.excluded for r in raws)
    for d in (5, -3, 0):
        names = tuple(raws[0].__slots__)
        assert [_fields(r, names) for r in shifted_all(raws, d)] == [
            _fields(r.shifted(d), names) for r in raws
        ]
    assert shifted_all(raws, 7)[0].start == raws[0].start + 7


def test_moved_regions_is_moved_each() -> None:
    regions = read_document("notes.tex", text=TEXT).regions
    assert len(regions) >= 4
    for d in (11, -2):
        batch, each = moved_regions(regions, d), [r.moved(d) for r in regions]
        assert [_region(r) for r in batch] == [_region(r) for r in each]
        assert [r.start for r in batch] == [r.start + d for r in regions]
        assert [row.start for r in batch for row in r.rows] == [
            row.start + d for r in regions for row in r.rows
        ]
    assert moved_regions(regions, 0) == list(regions)


def test_moved_rows_is_moved_each(tmp_path: Path) -> None:
    rows = Checker().parsed(str(tmp_path / "notes.tex"), None, tmp_path, TEXT).rows
    assert len(rows) >= 4
    for d in (9, -4):
        batch, each = moved_rows(rows, d), [r.moved(d) for r in rows]
        assert [(r.path, r.start, r.end, r.key, r.shift) for r in batch] == [
            (r.path, r.start, r.end, r.key, r.shift) for r in each
        ]
        for a, b in zip(batch, each, strict=True):  # (the trees, moved when asked for)
            assert a.tree is not None and b.tree is not None
            assert a.tree == b.tree
            assert a.tree.start == b.tree.start != t.shifted(b.tree, -d).start
            assert a.shift == 0 and a.tree_as_parsed is a.tree  # (moved once asked)
