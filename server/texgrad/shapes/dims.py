r"""Shapes and their symbolic dimensions.

A :class:`Shape` is rows × columns, each a dimension of :mod:`.dim_terms` (``n``,
``m``, ``d_k``, ``n + 1``, ``2n``: SymPy's forms without SymPy), so ``n + 1`` and
``1 + n`` agree and ``n`` and ``m`` do not; the engine's shapes hold SymPy's
(``calculus/sympy_dims.py``).  A column vector is n × 1, a scalar 1 × 1.  ``None`` stands for
"unknown" everywhere: anything touching an unknown shape is unknown, never an
error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeAlias

from texgrad.shapes import dim_terms
from texgrad.syntax import tree as t
from texgrad.syntax.commands import GREEK
from texgrad.syntax.latex import latex_of
from texgrad.syntax.show import show
from texgrad.syntax.symbols import Label, label_of, label_text

# a dimension: dim_terms.Dim in the shape layer; SymPy's in the engine, which converts what it
# takes from here (calculus/sympy_dims.py) — a Shape holds either
Dim: TypeAlias = Any
ONE = dim_terms.integer(1)
# a number's power as a dimension (2^{10}) is computed when it has at most this many bits;
# a larger one (9^{9^{9}}, 2^{2^{40}}: no array has that many entries) is of unknown size
MAX_DIMENSION_BITS = 64


@dataclass(frozen=True, slots=True)
class Shape:
    rows: Dim
    cols: Dim

    @property
    def is_scalar(self) -> bool:
        scalar: bool = self.rows == 1 and self.cols == 1
        return scalar

    @property
    def is_vector(self) -> bool:
        vector: bool = self.cols == 1 and self.rows != 1
        return vector

    @property
    def is_square(self) -> bool | None:
        """True, False, or None when it cannot be told (never for our symbols)."""
        return same(self.rows, self.cols)

    def transposed(self) -> Shape:
        return Shape(self.cols, self.rows)

    def agrees(self, other: Shape) -> bool:
        """The same shape (dimension by dimension, see :func:`same`)."""
        return same(self.rows, other.rows) and same(self.cols, other.cols)

    def unicode(self) -> str:
        """``ℝ^{m×n}``, ``ℝ^{n}``, ``scalar`` — how hovers and messages say it."""
        if self.is_scalar:
            return "scalar"
        if self.cols == 1:
            return f"ℝ^{{{dim_text(self.rows)}}}"
        return f"ℝ^{{{_side(self.rows)}×{_side(self.cols)}}}"

    def short(self) -> str:
        """``m×n``, ``n`` (a column), ``1×n``."""
        if self.cols == 1 and self.rows != 1:
            return dim_text(self.rows)
        return f"{_side(self.rows)}×{_side(self.cols)}"


SCALAR = Shape(ONE, ONE)


@lru_cache(maxsize=8192)
def scalar_spreads(shape: Shape) -> bool:
    r"""Is a scalar added to an array of this shape added to each entry?  For a vector, row
    or column, yes — ``x - \mu``, ``a_0 + \mathbf{a}^\top B`` can mean nothing else; for a
    matrix it may as well be ``\lambda I`` (``A + \lambda``), so neither shapes nor calculus
    guesses.  The one rule both follow."""
    spreads: bool = shape.rows == 1 or shape.cols == 1
    return spreads


def broadcasts(small: Shape, big: Shape) -> bool:
    r"""Is ``small`` a row (1×q) or a column (n×1) added along the rows or columns of an n×q
    ``big``?  NumPy-style broadcasting (``XW + b`` with b a row, ``X - \mu``), as ML papers
    write it: not a matrix expression, and not an error either — shapes reports nothing and
    calculus says it relies on broadcasting.  The one rule both follow, through
    :func:`texgrad.shapes.broadcasting.broadcast_verdict` (a column beside a square matrix,
    in letters the document sizes, is a mistake there)."""
    if small.rows == 1 and same(small.cols, big.cols) and big.rows != 1:
        return True
    return bool(small.cols == 1 and same(small.rows, big.rows) and big.cols != 1)


def same(a: Dim, b: Dim) -> bool:
    """Do two dimensions agree?  Distinct names are distinct dimensions, but a number
    may be an instance of a name (a 3×3 example of an m×m matrix)."""
    if a == b:
        return True
    if (a.is_Symbol and b.is_Number and b > 1) or (b.is_Symbol and a.is_Number and a > 1):
        return True
    if (a.is_Symbol or a.is_Number) and (b.is_Symbol or b.is_Number):
        return False  # two names, two numbers, a name and 1: unequal (no subtraction needed)
    if isinstance(a, dim_terms.Dim) and isinstance(b, dim_terms.Dim):
        return dim_terms.equal_polynomials(a, b)  # dimensions are polynomials: expanding decides
    import sympy  # the engine's dimensions (calculus/sympy_dims.py): SymPy is loaded

    return bool(sympy.expand(a - b) == 0)


# A star in a dimension's name (n_* of K_*): kept apart from sympy's multiplication sign,
# which dim_text drops (2*n is written 2n).
_STAR = "\u2217"


def dim_text(d: Dim) -> str:
    """A dimension as the document writes it: ``2n``, ``hk``, ``d_k h``, ``n_1 n_2``,
    ``n^2`` — factors side by side, a space after a subscripted or longer name (``d_kh`` would
    read as one name)."""
    if d.is_Symbol and "*" not in d.name:  # most: the name, without sympy's printer (~9 µs)
        name: str = d.name
        return _greek(name.replace(_STAR, "*"))
    text = str(d).replace("**", "^")
    if "*" in text:
        text = _FACTOR_SIGN.sub(_juxtapose, text)
    return _greek(text.replace(_STAR, "*"))


def _greek(text: str) -> str:
    r"""``\ell`` for the size ``ell`` a document writes ``\ell`` (a dimension's name keeps no
    backslash): ``\ell×\ell``, not ``ell×ell``."""
    if not any(c.isalpha() for c in text) or _GREEK_WORD.search(text) is None:
        return text
    return _GREEK_WORD.sub(lambda m: "\\" + m[0], text)


_GREEK_WORD = re.compile(
    r"(?<![\\A-Za-z])(?:"
    + "|".join(sorted(GREEK | {"ell"}, key=lambda w: (-len(w), w)))
    + r")(?![A-Za-z])"
)


# a product sign of sympy's between two factors, with the factors either side of it
_FACTOR_SIGN = re.compile(r"(?P<before>[^\s()*+-]*\)?)\*(?=(?P<after>\(?[^\s()*+-]*))")
_SINGLE = re.compile(r"[A-Za-z]|\d+")


def _juxtapose(m: re.Match[str]) -> str:
    """``2*n`` → ``2n``, ``h*k`` → ``hk``, ``n*(n + 1)`` → ``n(n + 1)``; else a space:
    ``d_k h``, ``n_1 n_2``."""
    before, after = m["before"], m["after"]
    tight = (
        before.isdigit()
        or before.endswith(")")
        or after.startswith("(")
        or (
            _SINGLE.fullmatch(before) is not None
            and _SINGLE.fullmatch(after.split("^")[0]) is not None
        )
    )
    return before + ("" if tight else " ")


def _side(d: Dim) -> str:
    """A side of ``m×n`` as written: a sum bracketed, ``(n + 1)×(n + m)``."""
    return f"({dim_text(d)})" if d.is_Add else dim_text(d)


def _index_text(index: t.Node) -> str:
    r"""A dimension's subscript as the document writes it: ``k``, ``{\text{model}}``, ``*``,
    ``{ff}``."""
    if isinstance(index, t.Text):
        return "{" + index.text + "}"
    if isinstance(index, t.Func) and index.sub is None and index.sup is None:
        return "{\\mathrm{" + index.name + "}}"
    if isinstance(index, t.Symbol) and index.name in ("*", "\\ast", "\\star"):
        return _STAR
    if isinstance(index, t.Number) or (
        isinstance(index, t.Symbol) and not index.font and not index.accents
    ):
        return show(index)
    factors = index.factors if isinstance(index, t.Product) and len(index.factors) <= 3 else ()
    if factors and all(
        _letter(f) or (k == 0 and isinstance(f, t.Number)) for k, f in enumerate(factors)
    ):
        return "{" + "".join(show(f) for f in factors) + "}"  # d_{ff}, m_{2k}
    return "{" + latex_of(index) + "}"  # m_{2k}: as written, never as a tree


def _letter(node: t.Node) -> bool:
    """A plain Latin letter, as in ``d_{ff}``, ``m_{2k}`` (printed as written, not ``f f``; up
    to three, an abbreviation: the calculus names its own ``n_{samples}``)."""
    return (
        isinstance(node, t.Symbol)
        and len(node.name) == 1
        and node.name.isalpha()
        and not node.font
        and not node.accents
    )


def _symbol(name: str) -> Dim:
    return dim_terms.symbol(name)


def _tagged_name(base: str, bracket: str, label: Label) -> str:
    r"""The name of a dimension written with a label in brackets: ``n^{[l-1]}``, ``n^{(2)}``."""
    return f"{base}^{{{bracket}{label_text(label).strip('{}')}{')' if bracket == '(' else ']'}}}"


def _bracketed(node: t.Tagged | t.Power) -> bool:
    return isinstance(node, t.Tagged) or isinstance(node.exponent, t.Paren)


def _number_power(node: t.Tagged | t.Power) -> Dim | None:
    """``2^{10}``, and ``k^2`` (a k×k patch flattened: ``C_{\\text{in}} k^2``)."""
    if not isinstance(node, t.Power):
        return None
    base, exp = dim_of(node.base), dim_of(node.exponent)
    if base is None or exp is None or not exp.is_Number:
        return None
    if exp < 0:
        return None  # 2^{1-2}, n^{1-2}: a fraction, no dimension
    if base.is_Number and base <= 0:
        return None  # (1 - 1)^2: no dimension
    if base.is_Number:  # 2^{10}; not 9^{9^{9}}, whose digits would fill the memory
        return base**exp if _power_fits(base, exp) else None
    if exp <= 4:  # (n^{10} is no dimension a paper writes)
        return base**exp
    return None


def too_large_power(node: t.Node) -> t.Power | None:
    r"""A power of numbers in ``node`` (a space's sizes) too large to compute as a dimension
    (``9^{9^{9}}``), whose size is therefore unknown; None if there is none."""
    for item in node.walk():
        if isinstance(item, t.Power) and not _bracketed(item):
            base, exp = dim_of(item.base), dim_of(item.exponent)
            if base is not None and exp is not None and base.is_Number and exp.is_Number:
                if not _power_fits(base, exp):
                    return item
    return None


def _power_fits(base: Dim, exp: Dim) -> bool:
    r"""Is the number ``base ** exp`` at most :data:`MAX_DIMENSION_BITS` bits long? (A base
    of 0 or ±1 — ``(r - \mathbf{q}^\top\mathbf{p})^2`` whose difference reads as the number
    0 — is never long; a negative one is as long as its magnitude.)"""
    magnitude = abs(int(base))
    if magnitude <= 1:
        return True
    return float(exp) * math.log2(magnitude) <= MAX_DIMENSION_BITS


def _labelled(node: t.Tagged | t.Power) -> Dim | None:
    r"""``n^{[l]}``, ``n^{[l-1]}``, ``n^{(l)}``: a dimension named with a family's label, as
    layers' widths are in some courses."""
    base = node.base
    tag: t.Node | None
    if isinstance(node, t.Tagged):
        bracket, tag = node.bracket, node.tag
    elif isinstance(node.exponent, t.Paren) and node.exponent.open in ("(", "["):
        bracket, tag = node.exponent.open, node.exponent.body
    else:
        return None
    label = label_of(tag)
    if not bracket or label is None:
        return None
    if not isinstance(base, t.Symbol) or base.font is not None or base.accents:
        return None
    return _symbol(_tagged_name(base.name.lstrip(chr(92)), bracket, label))


def dim_of(node: t.Node | None) -> Dim | None:
    r"""A dimension written in math: ``n``, ``3``, ``d_k``, ``n+1``, ``2n``, ``(n+1)``; else None."""
    if node is None:
        return None
    if isinstance(node, t.Number):
        return _positive(node.text)
    if isinstance(node, t.Symbol):
        if node.name.startswith("\\") and node.name[1:] in ("infty", "cdots", "ldots"):
            return None
        return _symbol(node.name.lstrip("\\"))
    if isinstance(node, t.Sub) and isinstance(node.base, t.Symbol):
        label = label_of(node.index)  # n_{l-1}, n_{l - 1}: one name, as a document writes it
        index = label_text(label) if label is not None else _index_text(node.index)
        return _symbol(f"{node.base.name.lstrip(chr(92))}_{index}")
    if isinstance(node, t.Paren) and node.open in ("(", "\\left("):
        return dim_of(node.body)
    if isinstance(node, t.Prime):
        return _primed(node)
    if isinstance(node, t.Abs):  # |S|, |\Omega_i|: a set's size
        return _symbol(f"|{_written(node.body)}|") if _set_name(node.body) else None
    if isinstance(node, t.Add):
        total: Dim = dim_terms.integer(0)
        for sign, term in zip(node.signs, node.terms, strict=True):
            d = dim_of(term)
            if d is None or node.trailing:
                return None
            total = total - d if sign == "-" else total + d
        return total
    if isinstance(node, t.Tagged | t.Power):  # n^{[l]}, 2^{10}
        return _labelled(node) if _bracketed(node) else _number_power(node)
    if isinstance(node, t.Product):
        return _product_of(node)
    return None


def _product_of(node: t.Product) -> Dim | None:
    """``2n``, ``h d_k``: the product of its factors' dimensions, if each is one."""
    prod: Dim = ONE
    for f in node.factors:
        d = dim_of(f)
        if d is None:
            return None
        prod = prod * d
    return prod


def _primed(node: t.Prime) -> Dim | None:
    r"""``F'`` of ``W \in \mathbb{R}^{F \times F'}`` (GAT's output width): a name of its own."""
    base = dim_of(node.base) if isinstance(node.base, t.Symbol | t.Sub) else None
    return _symbol(base.name + "'" * node.count) if base is not None and base.is_Symbol else None


def _positive(text: str) -> Dim | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return dim_terms.integer(value) if value > 0 else None


def _written(node: t.Node | None) -> str:
    """A set's name as written: ``\\Omega_i``, ``\\mathcal{A}``."""
    if isinstance(node, t.Sub):
        index = node.index
        text = index.name if isinstance(index, t.Symbol) else getattr(index, "text", "")
        return (
            f"{_written(node.base)}_{{{text}}}"
            if len(text) > 1
            else f"{_written(node.base)}_{text}"
        )
    assert isinstance(node, t.Symbol)
    return f"\\{node.font}{{{node.name}}}" if node.font else node.name


def _set_name(node: t.Node | None) -> bool:
    """A set's name, whose size ``|S|`` may be a dimension: ``S``, ``\\mathcal{A}``, ``\\Omega_i``."""
    if isinstance(node, t.Sub) and isinstance(node.index, t.Symbol | t.Number):
        node = node.base
    return isinstance(node, t.Symbol) and not node.accents


# a dimension named by a letter and a label: n_l, n_{l-1}, n_0, n_\\ell, n^{[l-1]}, n^{(l)}
_LABELLED = re.compile(
    r"(?P<base>[^_{}^]+)(?:_(?:\{(?P<braced>[^{}]+)\}|(?P<bare>[^{}]+))"
    r"|\^\{(?P<open>[(\[])(?P<tagged>[^{}()\[\]]+)[)\]]\})"
)
_LABEL = re.compile(
    r"(?:(?P<var>[A-Za-z]|\\[A-Za-z]+)(?:(?P<sign>[+-])(?P<num>\d+))?|(?P<int>\d+))"
)


def relabel(shape: Shape, label: str, member: Label) -> Shape | None:
    r"""The shape of the member labelled ``member`` of a family whose shape is written for
    ``label``: ``n_l \times n_{l-1}`` for ``l`` is ``n_{l+1} \times n_l`` for ``l+1`` and
    ``n_1 \times n_0`` for ``1``; None where the label is used otherwise than as a
    dimension's subscript (``\mathbb{R}^{2l}``) or a number label goes below zero."""
    rows, cols = _relabel(shape.rows, label, member), _relabel(shape.cols, label, member)
    return Shape(rows, cols) if rows is not None and cols is not None else None


@lru_cache(maxsize=64)
def _mention(label: str) -> re.Pattern[str]:
    r"""Where a dimension's name mentions a label: ``l`` in ``n_{l-1}`` (not in ``\ell``)."""
    if label.startswith("\\"):
        return re.compile(rf"(?<![A-Za-z]){re.escape(label[1:])}(?![A-Za-z])")
    return re.compile(rf"(?<![A-Za-z\\]){re.escape(label)}(?![A-Za-z])")


def mentions(shape: Shape, label: str) -> bool:
    """Does the shape depend on a label (``n_l \times n_{l-1}`` on ``l``)?"""
    pattern = _mention(label)
    return any(pattern.search(str(s)) for d in (shape.rows, shape.cols) for s in d.free_symbols)


def _relabel(d: Dim, label: str, member: Label) -> Dim | None:
    mentions = _mention(label)
    swaps: dict[Dim, Dim] = {}
    for s in d.free_symbols:
        name = str(s)
        if not mentions.search(name):
            continue
        if name == label.lstrip("\\"):  # Q_k \in \mathbb{R}^{n \times k}: Q_{k+1} is n×(k+1)
            if not (d - s).is_Integer:
                return None  # \mathbb{R}^{2l}: not a count of members
            value = (
                dim_terms.integer(member[1])
                if member[0] is None
                else _symbol(member[0].lstrip("\\")) + member[1]
            )
            if member[0] is None and member[1] + (d - s) <= 0:
                return None
            swaps[s] = value
            continue
        named = _LABELLED.fullmatch(name)
        index = named and _LABEL.fullmatch(named["braced"] or named["bare"] or named["tagged"])
        if not named or not index or index["var"] != label or mentions.search(named["base"]):
            return None
        offset = int(index["num"] or 0) * (-1 if index["sign"] == "-" else 1) + member[1]
        if member[0] is None and offset < 0:
            return None
        shifted = (member[0], offset)
        swaps[s] = _symbol(
            f"{named['base']}_{label_text(shifted)}"
            if named["open"] is None
            else _tagged_name(named["base"], named["open"], shifted)
        )
    return d.xreplace(swaps) if swaps else d


def shape_of_space(space: t.Space) -> Shape | None:
    r"""``\mathbb{R}^{m \times n}`` → m×n, ``\mathbb{R}^n`` → n (a column), ``\mathbb{R}`` → scalar."""
    if space.field not in ("R", "C", "S", "Z", "N", "Q"):  # ℤⁿ, ℕⁿ: vectors all the same
        return None
    dims = [dim_of(d) for d in space.dims]
    if any(d is None for d in dims):
        return None
    if space.field == "S":  # \mathbb{S}^n: symmetric n×n matrices
        return Shape(dims[0], dims[0]) if len(dims) == 1 else None
    if not dims:
        return SCALAR
    if len(dims) == 1:
        return Shape(dims[0], ONE)
    if len(dims) == 2:
        return Shape(dims[0], dims[1])
    return None  # tensors: not checked
