r"""A tree's positions share their objects (issue 17: the trees are kept for every row of every
open document): equal source offsets within a row are one int, small spans one tuple in the
process — with the values they had, in a row taken verbatim and in one mapped through a
macro."""

from __future__ import annotations

import pickle

from texgrad.reading.source import MappedText, Segment
from texgrad.syntax import build
from texgrad.syntax.parse import parse_row
from texgrad.syntax.tree import Node


def _nodes(tree: Node | None) -> list[Node]:
    assert tree is not None
    return list(tree.walk())


def test_equal_offsets_of_a_row_are_one_object() -> None:
    row = MappedText.identity(r"f(x) = \frac{1}{2} x^\top A x + b^\top x", 1000)
    nodes = _nodes(parse_row(row).tree)
    assert len(nodes) > 10
    by_value: dict[int, set[int]] = {}
    for n in nodes:
        for v in (n.start, n.end):
            by_value.setdefault(v, set()).add(id(v))
    assert all(len(ids) == 1 for ids in by_value.values())
    assert min(by_value) == 1000 and max(by_value) == 1000 + len(row.text)
    # a node begins where its first child does: the same int (the values above hold that)
    assert any(len(ids) == 1 and v > 256 for v, ids in by_value.items())


def test_spans_are_the_rows_own_and_shared() -> None:
    text = r"y = W x + b"
    first = _nodes(parse_row(MappedText.identity(text, 5000)).tree)
    again = _nodes(parse_row(MappedText.identity(text, 9000)).tree)
    assert [n.span for n in first] == [n.span for n in again]
    assert [n.start - 5000 for n in first] == [n.start - 9000 for n in again]
    assert all(a.span is b.span for a, b in zip(first, again, strict=True))
    whole = next(n for n in first if n.span == (0, len(text)))
    assert text[whole.span[0] : whole.span[1]] == text


def test_a_long_span_is_a_tuple_of_its_own() -> None:
    limit = build.SHARED_SPAN_LIMIT
    assert build.shared_span(3, 7) is build.shared_span(3, 7)
    assert build.shared_span(3, limit + 1) == (3, limit + 1)
    assert build.shared_span(3, limit + 1) is not build.shared_span(3, limit + 1)


def test_a_mapped_row_keeps_its_source_ranges() -> None:
    r"""A row whose text came through a macro (``\R`` for ``\mathbb{R}``): offsets from the
    map, not a shift; equal ones still one object, and a pickled tree equal to it."""
    src = r"x \in \mathbb{R}^n"
    row = MappedText(
        src,
        (Segment(0, 6, 40, 46, True), Segment(6, 15, 46, 48, False), Segment(15, 18, 48, 51, True)),
    )
    tree = parse_row(row).tree
    nodes = _nodes(tree)
    assert any(n.from_macro for n in nodes)
    assert all(40 <= n.start <= n.end <= 51 for n in nodes)
    assert pickle.loads(pickle.dumps(tree)) == tree


def test_names_are_one_string_in_the_process() -> None:
    r"""A letter's name is one string however many rows write it (the trees are kept for
    every row of every open document; a name the parse cache writes once per file)."""
    first = _nodes(parse_row(MappedText.identity(r"y = \mathbf{W} x + b", 100)).tree)
    again = _nodes(parse_row(MappedText.identity(r"z = x^\top \mathbf{W} + y", 700)).tree)
    names: dict[str, set[int]] = {}
    for n in first + again:
        for v in (getattr(n, "name", None), getattr(n, "font", None)):
            if isinstance(v, str):
                names.setdefault(v, set()).add(id(v))
    assert {"x", "y", "W", "mathbf"} <= names.keys()
    assert all(len(ids) == 1 for ids in names.values())
