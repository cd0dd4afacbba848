r"""Helpers for the shape tests: check a fixture, compare diagnostics, read shapes.

A fixture is written to ``tmp_path`` and its main (first) file is checked, as
a LaTeX project (loaded through its root) or, for Markdown, on its own.  Each
group of carets in the fixture marks the exact range of one expected
diagnostic; :func:`expected` pairs those ranges, in source order, with codes.
"""

from __future__ import annotations

from pathlib import Path

import sympy

from tests.fixtures import Fixture, parse_fixture
from texgrad.calculus.sympy_dims import sympy_dim
from texgrad.reading.project import load_project
from texgrad.shapes.check import Checker, CheckResult
from texgrad.shapes.dim_terms import Dim, from_sympy, integer
from texgrad.shapes.dims import Shape
from texgrad.shapes.table import Declaration

Found = set[tuple[int, int, str]]

NOTE = "no-declarations"  # the information note on a document that declares nothing


def check_fixture(
    tmp_path: Path, text: str, *, name: str | None = None, cursor: bool = False
) -> tuple[Fixture, CheckResult]:
    """Write the fixture below ``tmp_path`` and check its main file (or ``name``); with
    ``cursor``, the fixture's ``|`` marks ``fx.cursor``."""
    fx = parse_fixture(text, cursor=cursor)
    paths = fx.write(tmp_path)
    path = paths[name or fx.main]
    project = load_project(path, folder=tmp_path) if path.suffix == ".tex" else None
    return fx, Checker().check(str(path), project, tmp_path)


def found(result: CheckResult) -> Found:
    """The diagnostics of a result as a set of (start, end, code) (not the note on a
    document declaring nothing: tests/shapes/test_undeclared.py)."""
    return {(d.start, d.end, d.code) for d in result.diagnostics if d.code != NOTE}


def spans(result: CheckResult) -> list[tuple[int, int]]:
    """The ranges of a result's diagnostics in the order reported, repeats kept: compared
    with a fixture's caret ranges, one diagnostic per mark and in source order."""
    return [(d.start, d.end) for d in result.diagnostics if d.code != NOTE]


def expected(fx: Fixture, *codes: str, name: str | None = None) -> Found:
    """The caret ranges of a fixture file paired, in source order, with ``codes``
    (one code for all of them when only one is given)."""
    ranges = fx.ranges[name or fx.main]
    if len(codes) == 1:
        codes = codes * len(ranges)
    assert len(codes) == len(ranges), f"{len(ranges)} caret ranges for {len(codes)} codes"
    return {(s, e, c) for (s, e), c in zip(ranges, codes, strict=True)}


def dim(d: str | int) -> Dim:
    """A dimension of the shape layer's, written as SymPy writes it (``"n*(n + 1)"``)."""
    if isinstance(d, int):
        return integer(d)
    return from_sympy(sympy.sympify(d, locals={n: _sym(n) for n in _names(d)}))


def _sym(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, positive=True, integer=True)


def _names(text: str) -> set[str]:
    import re

    return set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text))


def shape(rows: str | int, cols: str | int = 1) -> Shape:
    """``shape("m", "n")`` is m×n, ``shape("n")`` a column of n, ``shape(1, 1)`` a scalar."""
    return Shape(dim(rows), dim(cols))


SCALAR = shape(1, 1)


def same_shape(a: Shape | None, b: Shape) -> bool:
    """Equal dimension by dimension, symbolically (``n + 1`` is ``1 + n``)."""
    return (
        a is not None
        and sympy.simplify(sympy_dim(a.rows) - sympy_dim(b.rows)) == 0
        and sympy.simplify(sympy_dim(a.cols) - sympy_dim(b.cols)) == 0
    )


def shape_at(result: CheckResult, start: int, end: int) -> Shape | None:
    """The inferred shape of the outermost node written exactly at ``start:end``."""
    best = None
    for row in result.rows:
        if row.tree is None or not (row.start <= start and end <= row.end):
            continue
        for node in row.tree.walk():
            if (node.start, node.end) == (start, end) and node in result.shapes:
                best = best or result.shapes.get(node)
    return best


def shape_of(result: CheckResult, fragment: str, occurrence: int = 0) -> Shape | None:
    """The inferred shape of the ``occurrence``-th appearance of ``fragment`` in the text."""
    text = result.doc.text
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(fragment, at + 1)
    return shape_at(result, at, at + len(fragment))


def declaration(
    result: CheckResult, key: str, font: str | None = None, at: str | int | None = None
) -> Declaration | None:
    """The declaration of ``key`` in force at ``at`` (an offset, or the first place a text
    fragment is written; the end of the document by default)."""
    text = result.doc.text
    offset = len(text) if at is None else (text.index(at) if isinstance(at, str) else at)
    return result.table.lookup(key, font, result.path, offset)


def codes_by_line(text: str, tmp_path: Path) -> list[tuple[int, str]]:
    """(line in the fixture's main file, code) of each diagnostic, in order."""
    fx, result = check_fixture(tmp_path, text)
    source = (tmp_path / fx.main).read_text()
    return sorted((source.count("\n", 0, start) + 1, code) for start, _, code in found(result))
