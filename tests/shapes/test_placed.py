"""A declaration, a signature or a fact placed elsewhere by copying its slots is the object
``dataclasses.replace`` makes (shapes/placed.py); another class is replaced as before."""

from __future__ import annotations

import dataclasses

import sympy

from texgrad.shapes.dims import Shape
from texgrad.shapes.facts import Fact
from texgrad.shapes.placed import placed
from texgrad.shapes.table import Declaration, Signature


def test_placed_is_what_replace_makes() -> None:
    n = sympy.Symbol("n", positive=True, integer=True)
    items = [
        Declaration("A", "mathbf", Shape(n, n), "/a.md", 10, 25, "in", True, False, (0.0, 1.0)),
        Signature("f", Shape(n, 1), Shape(1, 1), "/a.md", 3, 9, (Shape(n, 1),), "mathcal", True),
        Fact(n, n + 1, "/a.md", 40, 47, (30, 60)),
    ]
    for item in items:
        for path in (None, "/b.md"):
            want = dataclasses.replace(item, start=100, end=120, **({"path": path} if path else {}))
            got = placed(item, 100, 120, path)
            assert got == want and type(got) is type(want)
            assert [getattr(got, f.name) for f in dataclasses.fields(got)] == [
                getattr(want, f.name) for f in dataclasses.fields(want)
            ]
            assert item.start != 100  # (the item itself is not changed)


def test_a_class_with_a_post_init_is_replaced() -> None:
    made = []

    @dataclasses.dataclass(frozen=True)
    class Noted:
        path: str
        start: int
        end: int

        def __post_init__(self) -> None:
            made.append(self.start)

    got = placed(Noted("/a", 1, 2), 5, 6)
    assert got == Noted("/a", 5, 6) and made == [1, 5, 5]
