"""The dimensions without SymPy (shapes/dim_terms.py) against SymPy's: random sums,
differences, products and powers of names and integers built both ways have the same text,
the same equalities, the same expansion, names, flags and substitutions."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texgrad.reading.source import MappedText
from texgrad.shapes import dim_terms as D
from texgrad.shapes.dims import _side, dim_text, shape_of_space
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row

# names as the shape layer makes them (subscripts, labels, a set's size, capitals)
NAMES = ["n", "m", "k", "d_k", "N", "A", "h", "n_1", "n_{l-1}", "|S|", "a", "Z", "n_\u2217"]
SYMPY_NAMES = {x: sympy.Symbol(x, positive=True, integer=True) for x in NAMES}

Tree = tuple[Any, ...]

leaves = st.one_of(
    st.sampled_from(NAMES).map(lambda x: ("name", x)),
    st.integers(-3, 5).map(lambda v: ("int", v)),
)


def _extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), children, children),
        st.tuples(st.just("**"), children, st.integers(0, 3)),
        st.tuples(st.just("neg"), children),
    )


trees = st.recursive(leaves, _extend, max_leaves=16)


def build(tree: Tree, ours: bool) -> Any:
    """The dimension a tree of operations makes: ours, or SymPy's (evaluated the same way,
    left to right)."""
    kind = tree[0]
    if kind == "name":
        return D.symbol(tree[1]) if ours else SYMPY_NAMES[tree[1]]
    if kind == "int":
        return D.integer(tree[1]) if ours else sympy.Integer(tree[1])
    if kind == "neg":
        return -build(tree[1], ours)
    if kind == "**":
        return build(tree[1], ours) ** tree[2]
    a, b = build(tree[1], ours), build(tree[2], ours)
    return a + b if kind == "+" else a - b if kind == "-" else a * b


def names(d: Any) -> set[str]:
    return {s.name for s in d.free_symbols}


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(trees, trees)
def test_the_same_dimensions_as_sympy(x: Tree, y: Tree) -> None:
    a, b = build(x, True), build(y, True)
    sa, sb = build(x, False), build(y, False)
    assert str(a) == str(sa) and str(b) == str(sb)
    assert (a == b) == (sa == sb)
    assert (a != b) == (sa != sb)
    if a == b:
        assert hash(a) == hash(b)
    assert D.equal_polynomials(a, b) == (sympy.expand(sa - sb) == 0)
    assert names(a) == names(sa)
    assert (a.is_Add, a.is_Symbol, a.is_Number, a.is_Integer) == (
        sa.is_Add,
        sa.is_Symbol,
        sa.is_Number,
        sa.is_Integer,
    )
    assert a.to_sympy() == sa and sympy.sympify(a) == sa
    if a.is_Number:
        assert (int(a), float(a), a > 1, a <= 0, a == int(sa)) == (
            int(sa),
            float(sa),
            bool(sa > 1),
            bool(sa <= 0),
            True,
        )
    # a name replaced by another dimension (a fact n = n_1 n_2; a family's member)
    for s in sorted(a.free_symbols, key=str)[:2]:
        swapped, sympy_swapped = a.xreplace({s: b}), sa.xreplace({SYMPY_NAMES[s.name]: sb})
        assert str(swapped) == str(sympy_swapped)
        assert swapped.to_sympy() == sympy_swapped


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(trees)
def test_written_as_with_sympy(x: Tree) -> None:
    """What messages and hovers print of a dimension (dim_text, a side of m×n)."""
    ours, theirs = build(x, True), build(x, False)
    assert dim_text(ours) == dim_text(theirs)
    assert _side(ours) == _side(theirs)


n, m, k = D.symbol("n"), D.symbol("m"), D.symbol("k")


@pytest.mark.parametrize(
    ("made", "text"),
    [
        (2 * (n + 1), "2*n + 2"),  # a number times one sum is distributed
        (n * (n + 1), "n*(n + 1)"),  # a name times a sum is not
        (2 * (n + 1) * (m + 1), "(m + 1)*(2*n + 2)"),  # left to right, as SymPy
        (n + n, "2*n"),
        (n * n, "n**2"),
        ((n + 1) ** 2, "(n + 1)**2"),
        ((2 * n) ** 2, "4*n**2"),
        (1 - n, "1 - n"),
        (3 - (n + 1) ** 2, "3 - (n + 1)**2"),
        (1 - m * n, "-m*n + 1"),
        (5 - n - m, "-m - n + 5"),
        (-((n + 1) ** 2), "-(n + 1)**2"),
        (k * n**2, "k*n**2"),
        (n - n, "0"),
        (n**0, "1"),
        (D.integer(2) ** 10, "1024"),
    ],
)
def test_sympy_s_automatic_forms(made: D.Dim, text: str) -> None:
    assert str(made) == text


def test_equality_is_structural_and_expansion_decides() -> None:
    assert n * (n + 1) != n**2 + n
    assert D.equal_polynomials(n * (n + 1), n**2 + n)
    assert not D.equal_polynomials(n * (n + 1), n**2 + m)
    assert n + 1 == 1 + n and hash(n + 1) == hash(1 + n)
    assert D.integer(3) == 3 and hash(D.integer(3)) == hash(3) and n != 3
    assert {D.integer(1): "one"}[1] == "one"  # a number is found by the int it equals


def test_what_a_dimension_cannot_be() -> None:
    with pytest.raises(ValueError):
        n ** (-1)
    with pytest.raises(ValueError):
        n**m
    with pytest.raises(TypeError):
        int(n)
    with pytest.raises(TypeError):
        _ = n > 1


def test_a_name_is_read_as_its_name() -> None:
    assert D.symbol("d_k").name == "d_k" and D.symbol("d_k").is_Symbol
    assert getattr(n + 1, "name", None) is None  # (facts and questions read it so)
    assert dim_text(D.symbol("n_\u2217")) == "n_*"
    assert dim_text(2 * D.symbol("d_k") * D.symbol("h")) == "2d_k h"


def test_a_name_of_texgrad_s_own_is_not_a_document_s() -> None:
    ours, theirs = D.plain_symbol("unsized"), D.symbol("unsized")
    assert ours != theirs and ours == D.plain_symbol("unsized") and str(ours) == "unsized"
    assert ours.to_sympy() == sympy.Symbol("unsized") != theirs.to_sympy()


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(trees)
def test_pickled_as_made(x: Tree) -> None:
    """A dimension sent to another process is rebuilt there, its hash computed anew (a
    name's hash differs from process to process)."""
    d = build(x, True)
    hash(d)
    back = pickle.loads(pickle.dumps(d))
    assert back == d and str(back) == str(d) and hash(back) == hash(d)
    assert b"_hash" not in pickle.dumps(d)
    assert copy.deepcopy(d) == d


@pytest.mark.parametrize(
    ("space", "sizes"),
    [
        (r"\mathbb{R}^{2^{1-2}}", None),  # a fraction (SymPy's 1/2 before): no dimension
        (r"\mathbb{R}^{n^{1-2}}", None),
        (r"\mathbb{R}^{n^{2-2}}", ("1", "1")),
        (r"\mathbb{R}^{2^{3} \times n^{2}}", ("8", "n**2")),
        (r"\mathbb{R}^{2(n+1) \times n(n+1)}", ("2*n + 2", "n*(n + 1)")),
    ],
)
def test_a_space_s_dimensions(space: str, sizes: tuple[str, str] | None) -> None:
    row = parse_row(MappedText.identity(r"x \in " + space)).tree
    assert row is not None
    found = shape_of_space(next(n for n in row.walk() if isinstance(n, t.Space)))
    assert (None if found is None else (str(found.rows), str(found.cols))) == sizes


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(trees)
def test_from_sympy_and_back(x: Tree) -> None:
    """The engine's dimension handed to the shape layer (a family's member) and back."""
    theirs = build(x, False)
    ours = D.from_sympy(theirs)
    assert ours == build(x, True) and ours.to_sympy() == theirs


def test_what_is_not_a_dimension_is_refused() -> None:
    with pytest.raises(ValueError):
        D.from_sympy(sympy.Rational(1, 2))
    with pytest.raises(ValueError):
        D.from_sympy(SYMPY_NAMES["n"] ** -1)
