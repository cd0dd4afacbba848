r"""Notation the tree evaluator reads by shape: sized constants, indicators, Hadamard powers,
norm subscripts, entry indices.

These readers belong to :mod:`~texgrad.calculus.evaluate_tree` alone.  The engine's own
reader (:mod:`~texgrad.calculus.lower` and :mod:`~texgrad.calculus.written`) has readers
for the same notation, kept apart on purpose: verification compares what the engine read
with this evaluator's reading of the formula as written, and a misreading shared by both
would pass unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from texgrad.calculus.arrays import Array, Value
from texgrad.syntax import tree as t
from texgrad.syntax.show import show
from texgrad.syntax.symbols import member_key


def constant(node: t.Node) -> str | None:
    r"""``"1"`` for a ones vector (``\mathbf{1}``, ``\mathbb{1}``), ``"I"`` for an identity
    (``I``, ``\mathbf{I}``), else None: the constants whose size a context may tell."""
    if not isinstance(node, t.Symbol) or node.accents:
        return None
    if node.name == "1" and node.font is not None:
        return "1"
    if node.name == "I" and node.font in (None, "mathrm", "mathbf", "mathit", "boldsymbol"):
        return "I"
    return None


_INDICATOR_OPAQUE = ("\\mathbbm{1}", "\\mathds{1}", "\\mathbb{1}", "\\one")


def is_indicator_mark(node: t.Node) -> bool:
    r"""``\mathbb{1}`` (or ``\mathbbm{1}``, ``\mathds{1}``), the mark of an indicator; not
    ``\mathbf{1}``, the ones vector."""
    if isinstance(node, t.Symbol):
        return node.name == "1" and node.font == "mathbb" and not node.accents
    return isinstance(node, t.Opaque) and node.text.replace(" ", "") in _INDICATOR_OPAQUE


def indicator_condition(mark: t.Node, bracket: t.Node | None) -> t.Chain | None:
    r"""The condition of ``\mathbb{1}[z > 0]`` (also ``(…)``, ``\{…\}``): a mark then a
    bracketed comparison."""
    if not is_indicator_mark(mark) or not isinstance(bracket, t.Paren):
        return None
    if not bracket.open.endswith(("[", "(", "\\{")) or not isinstance(bracket.body, t.Chain):
        return None
    return bracket.body


RELATIONS: dict[str, Callable[[Array, Array], npt.NDArray[np.bool_]]] = {
    ">": np.greater, "\\gt": np.greater,
    "<": np.less, "\\lt": np.less,
    "\\geq": np.greater_equal, "\\ge": np.greater_equal, "\\geqslant": np.greater_equal,
    "\\leq": np.less_equal, "\\le": np.less_equal, "\\leqslant": np.less_equal,
    "=": np.equal, "\\neq": np.not_equal, "\\ne": np.not_equal,
}  # fmt: skip

_HADAMARD_MARKS = ("\\circ", "\\odot")


def norm_name(p: t.Node | None) -> str | None:
    r"""A norm's subscript as a name: ``2``, ``F`` (also ``\mathrm{F}``, ``\text{Fro}``), ``\infty``.

    The same reading as the lowerer's ``norm_subscript`` (:mod:`~texgrad.calculus.written`),
    written twice on purpose: verification compares the two readings, so they must not
    share a mistake (see the module's docstring)."""
    if p is None:
        return None
    if isinstance(p, t.Symbol) and not p.accents:
        name = p.name
    elif isinstance(p, t.Text):
        name = p.text.removeprefix("\\text{").removesuffix("}").strip()
    elif isinstance(p, t.Func):
        name = p.name
    else:
        name = show(p)
    return "F" if name in ("F", "Fro", "fro", "Frob") else name


def entry_names(index: t.Node | None) -> tuple[str, ...] | None:
    """The index names of an entry or a sum: ``i`` → (i,), ``ij`` / ``i,j`` → (i, j)."""
    if isinstance(index, t.Symbol) and not index.font and not index.accents:
        return (index.name,)
    if isinstance(index, (t.Product, t.List)):
        items = index.factors if isinstance(index, t.Product) else index.items
        names = [i.name for i in items if isinstance(i, t.Symbol) and not i.font]
        if len(names) == len(items) and len(names) == 2:
            return tuple(names)
    return None


def drop_words(node: t.Node) -> t.Node:
    """``\text{if } |r|``: the math without the words."""
    if isinstance(node, t.Product):
        rest = [f for f in node.factors if not isinstance(f, t.Text)]
        if rest and len(rest) < len(node.factors):
            return rest[0] if len(rest) == 1 else t.Product(tuple(rest), start=rest[0].start)
    return node


def _is_hadamard_mark(node: t.Node) -> bool:
    return isinstance(node, t.Symbol) and node.name in _HADAMARD_MARKS and not node.accents


def hadamard_exponent(node: t.Node) -> t.Node | None:
    r"""The power p of a Hadamard power ``x^{\circ p}``: the exponent without its leading
    ``\circ``, whichever way it parsed (``\circ 2`` a product, ``\circ -1`` a difference,
    ``\circ 1/2`` a quotient whose numerator starts with it); None if it has none."""
    if isinstance(node, t.Product) and _is_hadamard_mark(node.factors[0]):
        rest = node.factors[1:]
        if not rest:
            return None
        return rest[0] if len(rest) == 1 else replace(node, factors=rest)
    if isinstance(node, t.Add) and _is_hadamard_mark(node.terms[0]) and len(node.terms) > 1:
        if len(node.terms) == 2:
            sign = node.signs[1]
            return t.Neg(operand=node.terms[1], sign=sign) if sign == "-" else node.terms[1]
        return replace(node, terms=node.terms[1:], signs=node.signs[1:])
    if isinstance(node, t.BinOp) and node.op in ("/", "\\div"):
        left = hadamard_exponent(node.left)
        return None if left is None else replace(node, left=left)
    return None


# -- index notation (the evaluator's own reading; the engine's is calculus.indices) ----------


def is_kronecker_delta(node: t.Node) -> bool:
    r"""``\delta`` of ``\delta_{ij}``."""
    return isinstance(node, t.Symbol) and node.name == "\\delta" and not node.accents


def sum_names(index: t.Node | None) -> tuple[str, ...] | None:
    r"""The indices of a sum: ``i``, ``ij``, ``i,j``, ``i,j,k`` (single letters)."""
    if isinstance(index, t.Symbol) and not index.font and not index.accents:
        return (index.name,)
    if isinstance(index, (t.Product, t.List)):
        items = index.factors if isinstance(index, t.Product) else index.items
        names = [i.name for i in items if isinstance(i, t.Symbol) and not i.font]
        if len(names) == len(items) and names:
            return tuple(names)
    return None


def entries_letter(base: t.Node, values: Mapping[str, Value], count: int) -> str | None:
    """The upper-case letter whose value ``base`` (a lower-case letter with no value of its
    own) names the entries of: ``a`` of ``a_{ij}`` is A, a matrix (``count`` 2), ``x`` of
    ``x_i`` is X, a vector (``count`` 1)."""
    if not isinstance(base, t.Symbol) or base.accents or len(base.name) != 1:
        return None
    name = base.name
    if name in values or not name.islower() or name.upper() not in values:
        return None
    shape = np.shape(values[name.upper()])
    vector = len(shape) < 2 or shape[1] == 1
    return name.upper() if (count == 1) == vector and shape not in ((), (1, 1)) else None


def _is_entry(node: t.Sub, values: Mapping[str, Value]) -> tuple[str, ...] | None:
    """The index letters of an entry of a value (``a_{ij}``, ``x_i``, ``(AB)_{ij}``,
    ``\\delta_{ij}``), None for anything else (``x_i`` with a value of its own, ``x_n``)."""
    names = entry_names(node.index)
    if names is None or any(len(n) != 1 or not n.isalpha() or n in values for n in names):
        return None
    if is_kronecker_delta(node.base) or isinstance(node.base, t.Paren):
        return names
    own = member_key(node)
    if not isinstance(node.base, t.Symbol) or (own is not None and own[0] in values):
        return None
    key = node.base.name
    if key in values and np.shape(values[key]) not in ((), (1, 1)):
        return names
    return names if entries_letter(node.base, values, len(names)) is not None else None


def _letters(
    node: t.Node, values: Mapping[str, Value], bound: frozenset[str], einstein: bool = False
) -> list[str]:
    """The index letters of the entries in ``node`` not bound by a sum inside it (or in
    ``bound``, or with ``einstein`` by a product where they repeat), with repetition."""
    if einstein and isinstance(node, t.Product):
        bound = bound | frozenset(repeated_indices(node, values))
    if isinstance(node, t.BigOp) and node.op == "\\sum":
        low = node.lower.items[0] if isinstance(node.lower, t.Chain) else node.lower
        bound = bound | frozenset(sum_names(low) or ())
        return _letters(node.body, values, bound, einstein) if node.body is not None else []
    if isinstance(node, t.Sub):
        names = _is_entry(node, values)
        if names is not None:
            return [n for n in names if n not in bound]
    out: list[str] = []
    for child in node.children():
        out.extend(_letters(child, values, bound, einstein))
    return out


def free_indices(node: t.Node, values: Mapping[str, Value], einstein: bool = False) -> list[str]:
    """The index letters of entries that no sum binds (nor, with ``einstein``, a product
    where they repeat), in order of appearance."""
    return list(dict.fromkeys(_letters(node, values, frozenset(), einstein)))


def repeated_indices(node: t.Product, values: Mapping[str, Value]) -> list[str]:
    """The Einstein convention: letters that appear in exactly two factors of the product
    (``x_i x_i``; a diagonal entry ``a_{ii}`` counts twice)."""
    counts: dict[str, int] = {}
    for f in node.factors:
        letters = _letters(f, values, frozenset())
        for n in letters if isinstance(f, t.Sub) else set(letters):
            counts[n] = counts.get(n, 0) + 1
    return [n for n, c in counts.items() if c == 2]


_TRANSPOSE_WORDS = ("T", "\\top", "\\intercal", "\\mathsf{T}", "\\mathrm{T}")


def transposed_member(node: t.Power) -> t.Power | None:
    r"""``W^{(2)\top}``, ``\mathbf{a}^{(l)T}``: the member ``W^{(2)}`` (a power of its label,
    as the parser leaves it) whose transpose ``node`` is; None for anything else."""
    ex = node.exponent
    if not isinstance(ex, t.Product) or len(ex.factors) != 2:
        return None
    label, mark = ex.factors
    if not (isinstance(label, t.Paren) and label.open == "(" and label.body is not None):
        return None
    if not isinstance(mark, t.Symbol) or mark.accents:
        return None
    word = mark.name if mark.font is None else f"\\{mark.font}{{{mark.name}}}"
    if word not in _TRANSPOSE_WORDS:
        return None
    return t.Power(node.base, label, start=node.start, end=label.end, from_macro=node.from_macro)
