r"""Evaluate a syntax tree with numpy: the formula as written, independently of the engine.

Every value is a 2-D float array: a scalar is 1×1, a vector n×1, a matrix m×n.
Matrix products are ``@``; a 1×1 factor scales (so ``x^\top y\, z`` works).
Values are keyed by :func:`texgrad.syntax.symbols.symbol_key` (``\mathbf{x}``
and ``x`` are both ``"x"``); a differential ``\mathrm{d}X`` by ``"d:X"``.

The ones vector ``\mathbf{1}`` (key ``"1"``) and the identity ``I`` take their size
from their context when no value is given for them: from the other terms of a sum
(``\mathbf{1} - \sigma(Wx)``, ``A + \lambda I``) or the neighbouring factors of a
product (``\mathbf{1}^\top x``, ``I - x x^\top``).  ``\mathbb{1}[z > 0]`` is the
indicator (1 where the condition holds, else 0, entrywise), ``x^{\circ p}`` the
Hadamard power, ``A'`` the transpose of a vector or matrix, ``e^{X}`` of a square
matrix the matrix exponential.

Nothing is guessed: a construct this module does not read, or one whose meaning
is ambiguous for the values given (``|X|`` of a matrix, ``\log X`` of a
non-symmetric matrix), raises :class:`Unsupported` naming it; a value that is
out of the function's domain (``\log`` of a negative number, a singular
inverse, a shape mismatch) raises :class:`EvaluationError`.  ``e`` and ``\pi``
are the constants unless a value is given for them.

A family of vectors summed over (``\sum_{i=1}^N \|x_i - \mu\|^2``, ``\sum_{t=2}^T
\|h_t - W h_{t-1}\|``) takes its members from a value keyed ``"family:x"``: an array
whose first axis runs over the labels 1, 2, … (its member ``k`` is ``[k - 1]``), or from
the label a value ``"family-first:x"`` gives (``x_0, \dots, x_T``: 0).

The engine verifies that it read a formula as written by comparing its own reading
with this evaluation (:mod:`texgrad.calculus.verify`): this module and the notation it
reads (:mod:`~texgrad.calculus.tree_notation`) share no code with the engine's reader,
:mod:`~texgrad.calculus.lower`, so that a misreading cannot hide in both.  Values are 2-D
arrays (:mod:`~texgrad.calculus.arrays`); random points and finite differences are in
:mod:`~texgrad.calculus.sampling`.

The evaluator is one class in one file although it is long: it is one recursive reader,
each construct's method evaluates its operands through ``eval`` with the shape its
context tells (``hint``, which sizes a ``\mathbf{1}`` or ``I``), and the sums share the
indices in force.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from texgrad.calculus.arrays import (
    ELEMENTWISE,
    MATRIX_FUNCTIONS,
    Array,
    EvaluationError,
    Value,
    as_matrix,
    describe,
    elementwise,
    expm,
    finite,
    inverse,
    is_scalar,
    is_square,
    is_vector,
    logistic,
    logsumexp,
    matrix_function,
    matrix_power,
    nonnegative,
    nonzero,
    scalar_of,
    size_text,
    softmax,
    times,
    unsupported,
)
from texgrad.calculus.tree_notation import (
    RELATIONS,
    constant,
    drop_words,
    entries_letter,
    entry_names,
    free_indices,
    hadamard_exponent,
    indicator_condition,
    is_indicator_mark,
    is_kronecker_delta,
    norm_name,
    repeated_indices,
    sum_names,
    transposed_member,
)
from texgrad.calculus.written import matrix_before_script
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.notation import rebase, round_base
from texgrad.syntax.show import show
from texgrad.syntax.symbols import key_text, label_of, member_key, symbol_key

_T = TypeVar("_T")

# What the context tells about the shape of a value: (rows, cols), None where it does not.
Hint: TypeAlias = tuple[int | None, int | None]
_NO_HINT: Hint = (None, None)


class _NeedsSize(EvaluationError):
    r"""A ``\mathbf{1}`` or ``I`` with no value whose size its context has not told (yet)."""


def _numbering(node: t.Node) -> t.Sub | None:
    r"""The one member an entry of a list is an expression of (``\mu_N`` of ``\mu_N(1 -
    \mu_N)``), or None."""
    subs = [n for n in node.walk() if isinstance(n, t.Sub)]
    if not subs or len({show(n) for n in subs}) != 1:
        return None
    return subs[0]


_BOLD = frozenset({"mathbf", "boldsymbol", "bm", "bf", "mathbold", "pmb"})

# The functions a document defines, by key: their parameters' keys and their body
# (``\sigma(t) = 1/(1+e^{-t})``: ``{"\sigma": (("t",), <body>)}``; ``S = …``: no parameters).
Functions: TypeAlias = Mapping[str, tuple[tuple[str, ...], t.Node]]


class Defined(Mapping[str, tuple[tuple[str, ...], t.Node]]):
    """:data:`Functions` read off definitions with ``params`` and ``body`` (an
    environment's, by key) as they are asked for: the environment of a claim holds every
    function a long document defined before it (thousands in a 1 MB thesis), and a copy
    made at every random point grew with the document."""

    __slots__ = ("_defs",)

    def __init__(self, defs: Mapping[str, Any]) -> None:
        self._defs = defs

    def __getitem__(self, key: str) -> tuple[tuple[str, ...], t.Node]:
        d = self._defs[key]
        return d.params, d.body

    def __contains__(self, key: object) -> bool:
        return key in self._defs

    def __iter__(self) -> Iterator[str]:
        return iter(self._defs)

    def __len__(self) -> int:
        return len(self._defs)


def evaluate(
    node: t.Node,
    values: Mapping[str, Value],
    functions: Functions | None = None,
    *,
    einstein: bool = False,
    at: Mapping[str, int] | None = None,
) -> Array:
    r"""The value of a typed tree at ``values`` (keyed by :func:`symbol_key`), as a 2-D array.

    ``functions``: what the document defines (see :data:`Functions`).  A function of one
    parameter given an array is applied as written where its body reads the array, and to
    each entry where it does not (or where both agree); ``\phi'(z)`` is the derivative of
    such a function of numbers, by central differences of its body at each entry.

    A differential ``\mathrm{d}X`` takes the value under ``"d:X"``.  Raises
    :class:`Unsupported` for a construct it does not read and :class:`EvaluationError`
    when the values are out of the expression's domain (or a ``\mathbf{1}`` or ``I``
    with no value has no size its context tells: "no value for `1`").

    Index notation: ``at`` gives the value (from 0) of free indices (``b_{ji}`` at
    i = 1, j = 0); indices of entries bound neither by a sum nor by ``at`` are summed over
    the whole formula (``\sum_k a_{ik} b_{ki}`` is ``\sum_i \sum_k a_{ik} b_{ki}``), and
    with ``einstein`` an index repeated in a product is summed there.
    """
    evaluator = _Evaluator(values, functions or {})
    evaluator.einstein = einstein
    evaluator.index.update(at or {})
    try:
        return evaluator.free_sum(node)
    except _NeedsSize as e:
        raise EvaluationError(e.node, e.message) from None


def evaluate_scalar(node: t.Node, values: Mapping[str, Value]) -> float:
    """The value of a scalar-valued tree as a float (EvaluationError if it is not 1×1)."""
    return scalar_of(node, evaluate(node, values), "the expression")


def differential_key(node: t.Node) -> str | None:
    r"""The value key of ``\mathrm{d}X`` for the symbol X (``"d:X"``), None if not a symbol."""
    key = symbol_key(node)
    return None if key is None else "d:" + key[0]


@dataclass(frozen=True)
class _Indicator:
    r"""``\mathbb{1}[condition]`` found in a product."""

    condition: t.Chain


class _Evaluator:
    """Evaluates a tree; ``hint`` is what the context tells about the shape of the node
    being evaluated (only the ones vector and the identity need it)."""

    def __init__(self, values: Mapping[str, Value], functions: Functions) -> None:
        self.values = values
        self.functions = functions
        self.defining: frozenset[str] = frozenset()  # definitions being evaluated
        self.cache: dict[str, Array] = {}
        self.hint: Hint = _NO_HINT
        self.index: dict[str, int] = {}  # inside \sum_i: i and its value
        # families of vectors (``"family:x"``), and inside a sum over one, its label
        self.families = {
            k[len("family:") :]: np.asarray(v, dtype=np.float64)
            for k, v in values.items()
            if k.startswith("family:")
        }
        self.first = {  # each family's first label (1 unless given)
            name: int(np.asarray(values.get(f"family-first:{name}", 1)).reshape(-1)[0])
            for name in self.families
        }
        self.label: dict[str, int] = {}
        self.einstein = False
        # inside ``\diag(…)`` or an operand of ``\odot``: a vector's power is entrywise
        # (``\diag(1 - \mathbf a^2)``); elsewhere ``\mathbf a^2`` is not read
        self.entrywise = False

    def lookup(self, node: t.Node) -> Array:
        if isinstance(node, t.Symbol) and node.font is None and not node.accents:
            plain = f"{{{node.name}}}"  # σ > 0 beside a bold σ: held apart (lower.plain_key)
            if plain in self.values:
                return as_matrix(self.values[plain])
        key = member_key(node)
        name = key[0] if key is not None else (node.name if isinstance(node, t.Symbol) else None)
        if name is None:
            raise unsupported(node)
        if name not in self.cache:
            if name in self.values:
                self.cache[name] = as_matrix(self.values[name])
            elif name in self.functions and not self.functions[name][0]:
                return self.defined_value(node, name)  # S = X^\top X / N
            elif constant(node) is not None:
                return self.sized_constant(node, name)
            elif name == "e" and isinstance(node, t.Symbol) and not node.accents:
                return np.array([[math.e]])
            elif name == "\\pi":
                return np.array([[math.pi]])
            elif (members := self.members_as_vector(node, name)) is not None:
                return members
            else:
                raise EvaluationError(node, f"no value for `{latex_of(node)}`")  # (as written)
        return self.cache[name]

    def members_as_vector(self, node: t.Node, name: str) -> Array | None:
        r"""``\boldsymbol\mu`` or ``\mathbf y``, bold, with no value of its own, beside a
        family of numbers ``\mu_i`` or ``y_i``: the vector of its members, as every textbook
        writes it (``X^\top(\boldsymbol\mu - \mathbf y)``) — the members sampled, or each
        one's definition (``\mu_i = \sigma(\mathbf x_i^\top\boldsymbol\beta)``) at every
        label of the families sampled; None where there is no such family, or where the
        families do not agree on their labels (how many members the vector has)."""
        if not isinstance(node, t.Symbol) or node.font not in _BOLD or self.label or self.index:
            return None
        labels = {(self.first[f], v.shape[0]) for f, v in self.families.items()}
        if len(labels) != 1:
            return None
        first, count = labels.pop()
        family = self.families.get(name)
        if family is not None:
            return family.reshape(count, 1) if family.shape[1:] == (1, 1) else None
        defined = [
            k for k, (params, _) in self.functions.items()
            if not params and k.startswith(name + "_{") and len(k) == len(name) + 4
        ]  # fmt: skip
        if len(defined) != 1 or not defined[0][-2].isalpha():
            return None
        index, body = defined[0][-2], self.functions[defined[0]][1]
        entries = []
        for k in range(first, first + count):
            self.label[index] = k
            try:
                entry = self.eval(body)
            finally:
                self.label.pop(index, None)
            if entry.shape != (1, 1):
                return None
            entries.append(entry[0, 0])
        return np.array(entries, dtype=np.float64).reshape(count, 1)

    def sized_constant(self, node: t.Node, name: str) -> Array:
        r"""``\mathbf{1}`` (its rows from the context, and its columns: a column unless the
        context is a matrix, as in ``\mathbf{1} - \sigma(XW)``, where it is all ones) or ``I``
        (square: its rows or its columns from the context)."""
        rows, cols = self.hint
        if name == "1" and rows is not None:
            return np.ones((rows, 1 if cols is None else cols))
        if name == "I" and (rows is not None or cols is not None):
            if rows is not None and cols is not None and rows != cols:
                raise EvaluationError(node, f"`I` where a {rows}×{cols} value belongs")
            size = rows if rows is not None else cols
            assert size is not None
            return np.eye(size)
        written = "\\mathbf{1}" if name == "1" else "I"
        raise _NeedsSize(
            node, f"no value for `{name}`: the size of `{written}` is not clear from its context"
        )

    def eval(self, node: t.Node | None, hint: Hint = _NO_HINT) -> Array:
        if node is None:
            raise EvaluationError(None, "an expression is missing")
        method = getattr(self, "_" + node.kind, None)
        if method is None:
            raise unsupported(node)
        saved, self.hint = self.hint, hint
        try:
            result: Array = method(node)
        finally:
            self.hint = saved
        return result

    def same_shape(self, nodes: tuple[t.Node, ...]) -> list[Array]:
        r"""Values of terms that have one shape (a sum, ``\odot``): a ``\mathbf{1}`` or ``I``
        in one term takes its size from the others (or from the context of them all)."""
        hint = self.hint
        out: list[Array | None] = []
        first: _NeedsSize | None = None
        for term in nodes:
            try:
                out.append(self.eval(term, hint))
            except _NeedsSize as e:
                out.append(None)
                first = first or e
        if first is not None:
            known = [v for v in out if v is not None and not is_scalar(v)]
            shape: Hint = (int(known[0].shape[0]), int(known[0].shape[1])) if known else hint
            if shape == hint:
                raise first
            out = [
                v if v is not None else self.eval(n, shape) for v, n in zip(out, nodes, strict=True)
            ]
        return [v for v in out if v is not None]

    # leaves

    def _Symbol(self, node: t.Symbol) -> Array:
        return self.lookup(node)

    def _Sub(self, node: t.Sub) -> Array:
        if is_indicator_mark(node.base) and isinstance(node.index, t.Chain):
            return self.indicator(node.index)  # \mathbb{1}_{z > 0}
        member = self.member(node) if self.label else None
        if member is not None:
            return member
        entry = entry_names(node.index) if self.index else None
        if entry is not None and all(name in self.index for name in entry):
            if is_kronecker_delta(node.base) and len(entry) == 2:
                return np.array([[float(self.index[entry[0]] == self.index[entry[1]])]])
            v = self.entries_of(node.base, len(entry))  # x_i in \sum_i, a_{ij} of A, (AB)_{ij}
            at = [self.index[name] for name in entry]
            if len(at) == 1 and is_vector(v) and at[0] < v.shape[0]:
                return v[at[0] : at[0] + 1, :]
            if len(at) == 2 and at[0] < v.shape[0] and at[1] < v.shape[1]:
                return v[at[0] : at[0] + 1, at[1] : at[1] + 1]
            raise unsupported(node, f"cannot take the entry `{latex_of(node)}`")
        key = member_key(node)
        if (key is None or key[0] not in self.values) and _sized_kind(node.base) is not None:
            return self.sized_by_index(node)  # \mathbf{1}_m, \mathbf{0}_m, I_m
        return self.lookup(node)

    def sized_by_index(self, node: t.Sub) -> Array:
        r"""``\mathbf{1}_m`` (a column of ones), ``\mathbf{0}_m`` (of zeros), ``I_m`` (the
        identity): its size the value of its subscript (a number, or a dimension given as
        one), else what the context tells."""
        kind = _sized_kind(node.base)
        try:
            size = scalar_of(node, self.eval(node.index), "a size")
        except EvaluationError:
            size = None
        if size is None or size != int(size) or size < 1:
            rows, cols = self.hint
            size = rows if rows is not None else (cols if kind == "I" else None)
            if size is None:
                raise _NeedsSize(node, f"no value for `{latex_of(node)}`: its size is unknown")
        k = int(size)
        return np.eye(k) if kind == "I" else np.full((k, 1), 1.0 if kind == "1" else 0.0)

    def family_of(self, node: t.Sub | t.Tagged, name: str) -> tuple[Array, int] | None:
        """The family of the member ``node`` labelled by the index ``name`` (``x_i``,
        ``h_{t-1}``, ``x^{(i)}``), and the label's offset from the family's place (label 1 at
        ``[0]``, whatever the family's first label); None if it is none."""
        if isinstance(node, t.Tagged) and not node.bracket:
            return None  # W^Q: a name, no member
        label = label_of(node.index if isinstance(node, t.Sub) else node.tag)
        base = symbol_key(node.base)
        if label is None or label[0] != name or base is None or base[0] not in self.families:
            return None
        return self.families[base[0]], label[1] + 1 - self.first[base[0]]

    def member(self, node: t.Sub | t.Tagged) -> Array | None:
        for name, at in self.label.items():
            found = self.family_of(node, name)
            if found is not None:
                family, shift = found
                k = at + shift
                if not 1 <= k <= family.shape[0]:
                    raise EvaluationError(node, f"no member `{latex_of(node)}` of the family")
                return as_matrix(family[k - 1])
        if isinstance(node, t.Tagged):
            return None
        entry = entry_names(node.index)
        if entry is not None and len(entry) == 1 and entry[0] in self.label:
            v = self.lookup(node.base)  # y_i of y ∈ ℝ^N beside the members x_i
            k = self.label[entry[0]]
            if is_vector(v) and 1 <= k <= v.shape[0]:
                return v[k - 1 : k, :]
            raise unsupported(node, f"cannot take the entry `{latex_of(node)}`")
        if entry is not None and len(entry) == 2 and entry[1] in self.label:
            return self.entry_of_member(node, entry[0], self.label[entry[1]])
        return None

    def marked_family(self, node: t.Power, name: str) -> tuple[Array, int] | None:
        r"""The family of ``\mathbf z_k^{+}`` labelled by the index ``name`` (``z^{+}``,
        ``"family:z^{+}"``, apart from the family z) and the label's offset, as
        :meth:`family_of`; None where it is none."""
        key = member_key(node)
        if key is None or not isinstance(node.base, t.Sub):
            return None
        if not (isinstance(node.exponent, t.Symbol) and node.exponent.name in ("+", "-")):
            return None
        base, label = symbol_key(node.base.base), label_of(node.base.index)
        if base is None or label is None or label[0] != name:
            return None
        written = f"{base[0]}_{{{label[0]}}}"
        family = base[0] + key[0][len(written) :] if key[0].startswith(written) else None
        if family is None or family not in self.families:
            return None
        return self.families[family], label[1] + 1 - self.first[family]

    def marked_member(self, node: t.Power, key: tuple[str, str | None] | None) -> Array | None:
        r"""``\mathbf z_k^{+}`` inside a sum over k: the member of the family ``z^{+}``;
        None where it is not one."""
        found = next(
            (f for name in self.label if (f := self.marked_family(node, name)) is not None),
            None,
        )
        if key is None or found is None or not isinstance(node.base, t.Sub):
            return None
        label = label_of(node.base.index)
        assert label is not None and label[0] is not None
        members, shift = found
        k = self.label[str(label[0])] + shift
        if not 1 <= k <= members.shape[0]:
            raise EvaluationError(node, f"no member `{latex_of(node)}` of the family")
        return as_matrix(members[k - 1])

    def entry_of_member(self, node: t.Sub, owner: str, k: int) -> Array | None:
        """``r_{ij}`` inside a sum over j: entry j of the vector ``r_i`` (None if no value
        has that name)."""
        base = symbol_key(node.base)
        name = f"{base[0]}_{{{owner}}}" if base is not None else None
        if name is None or name not in self.values or owner in self.label:
            return None
        v = as_matrix(self.values[name])
        if is_vector(v) and 1 <= k <= v.shape[0]:
            return v[k - 1 : k, :]
        raise unsupported(node, f"cannot take the entry `{latex_of(node)}`")

    def family_sum(self, node: t.BigOp, name: str, start: int) -> Array | None:
        """A sum over the members of families; None if the summand names none."""
        found = (
            [
                f
                for n in (node.body.walk() if node.body is not None else ())
                if isinstance(n, (t.Sub, t.Tagged)) and (f := self.family_of(n, name)) is not None
            ]
            + [  # U^{(l-1)}, which the parser leaves a power: a member of the family U
                f
                for n in (node.body.walk() if node.body is not None else ())
                if isinstance(n, t.Power)
                and (m := _labelled_power(n)) is not None
                and (f := self.family_of(m, name)) is not None
            ]
            + [  # z_k^{+}: a member of the family z^+
                f
                for n in (node.body.walk() if node.body is not None else ())
                if isinstance(n, t.Power) and (f := self.marked_family(n, name)) is not None
            ]
        )
        if not found:
            return None
        if not isinstance(node.lower, t.Chain):  # \sum_t of h_t and h_{t-1}: from h_1 on
            start = max(start, 1 - min(shift for _, shift in found))
        if node.upper is not None and not self._unvalued_letter(node.upper):
            stop = int(scalar_of(node, self.eval(node.upper), "bound"))
        else:  # \sum_i, or \sum_{i=1}^N with N no number here: over every member sampled
            stop = min(family.shape[0] - shift for family, shift in found)
        total: Array | None = None
        for k in range(start, stop + 1):
            self.label[name] = k
            try:
                term = self.eval(node.body)
            finally:
                self.label.pop(name, None)
            total = term if total is None else total + term
        if total is None:
            raise unsupported(node, "an empty sum")
        return total

    def _unvalued_letter(self, node: t.Node) -> bool:
        """Is ``node`` a letter with no value at this point (``N`` of ``\\sum_{i=1}^N`` where
        the loss sums ``\\sum_i``: the number of the family's members)?"""
        if not isinstance(node, (t.Symbol, t.Sub)):
            return False
        try:
            self.eval(node)
        except EvaluationError:
            return True
        return False

    def _BigOp(self, node: t.BigOp) -> Array:
        r"""``\sum_{i=1}^{n}`` (or ``\sum_i``) over the entries ``x_i`` of vectors, and
        ``\sum_{i,j}`` (or ``\sum_i \sum_j``) over the entries ``X_{ij}`` of matrices;
        over the members of a family of vectors (``"family:x"``)."""
        if node.op != "\\sum":
            raise unsupported(node)
        low = node.lower
        start = 1
        if isinstance(low, t.Chain) and len(low.items) == 2 and low.relations == ("=",):
            name_node, first = low.items
            if not isinstance(first, t.Number):
                raise unsupported(node, "cannot evaluate a sum from a symbolic start")
            start = int(first.text)
        else:
            name_node = low
        names = sum_names(name_node)
        if names is None or set(names) & set(self.index):
            raise unsupported(node, "cannot read the index of this sum")
        if self.families and len(names) == 1 and names[0] not in self.label:
            over = self.family_sum(node, names[0], start)
            if over is not None:
                return over
        ranges = [self.index_range(node, name) for name in names]
        if node.upper is not None:  # \sum_{i=1}^n, \sum_{i,j=1}^n: over all the entries
            stop = int(scalar_of(node, self.eval(node.upper), "bound"))
            if any(stop != r for r in ranges):
                raise unsupported(node, "cannot evaluate a sum over part of the entries")
        if start != 1:
            raise unsupported(node, "cannot evaluate a sum over part of the entries")
        if node.body is None:
            raise EvaluationError(None, "an expression is missing")
        return self.over_points(node.body, names, ranges)

    def index_range(self, node: t.Node, name: str) -> int:
        """How many values the index ``name`` takes: the size of what it indexes."""
        sizes = set()
        body = node.body if isinstance(node, t.BigOp) else node
        for n in body.walk() if body is not None else ():
            if not isinstance(n, t.Sub) or is_kronecker_delta(n.base):
                continue
            entry = entry_names(n.index)
            if entry is not None and name in entry:
                v = self.entries_of(n.base, len(entry))
                for axis, written in enumerate(entry if len(entry) == 2 else entry[:1]):
                    if written == name:
                        sizes.add(v.shape[axis])
        if len(sizes) != 1:
            raise unsupported(node, "cannot tell the range of this sum")
        return sizes.pop()

    def entries_of(self, base: t.Node, count: int) -> Array:
        r"""The value whose entries ``base_{…}`` names: a bracket's (``(AB)_{ij}``), the
        symbol's, or for a lower-case letter with no value of its own the upper-case
        letter's (``a_{ij}`` of A) when it has ``count`` indices' worth of axes."""
        if isinstance(base, t.Paren):
            saved = dict(self.index)
            self.index.clear()  # (AB)_{ij}: the bracket is a whole matrix
            try:
                return self.eval(base)
            finally:
                self.index.update(saved)
        try:
            return self.lookup(base)
        except EvaluationError:
            upper = entries_letter(base, self.values, count)
            if upper is None:
                raise
            return as_matrix(self.values[upper])

    def free_sum(self, node: t.Node) -> Array:
        """``node`` summed over its free indices (see :func:`evaluate`)."""
        if isinstance(node, t.Chain) and _colon_product(node) is not None:
            return self._Chain(node)  # A : B
        if isinstance(node, t.Chain) and node.items and node.items[-1] is not None:
            node = node.items[-1]
        free = [n for n in free_indices(node, self.values, self.einstein) if n not in self.index]
        if not free:
            return self.eval(node)
        return self.summed(node, node, free)

    def summed(self, node: t.Node, where: t.Node, names: Sequence[str]) -> Array:
        """``node`` summed over the indices ``names``, their ranges read in ``where``."""
        ranges = [self.index_range(where, name) for name in names]
        return self.over_points(node, names, ranges)

    def over_points(self, node: t.Node, names: Sequence[str], ranges: Sequence[int]) -> Array:
        """The sum of ``node`` over every value of the indices ``names`` (0 … range − 1)."""
        total: Array | None = None
        for point in itertools.product(*(range(r) for r in ranges)):
            self.index.update(zip(names, point, strict=True))
            try:
                term = self.eval(node)
            finally:
                for name in names:
                    self.index.pop(name, None)
            total = term if total is None else total + term
        if total is None:
            raise unsupported(node, "an empty sum")
        return total

    def _Func(self, node: t.Func) -> Array:
        r"""``\mathrm{KL}``, ``\operatorname{MSE}`` standing alone: the quantity the document
        defines by that name."""
        return self.upright(node, node.name if node.sub is None and node.sup is None else None)

    def _Text(self, node: t.Text) -> Array:
        r"""``\text{loss}`` standing alone: the quantity the document defines by that name."""
        word = node.text[node.text.find("{") + 1 : node.text.rfind("}")].strip()
        return self.upright(node, word if word.isalpha() else None)

    def a_matrix(self, f: t.Node) -> bool:
        """Whether ``f`` is a letter given a matrix value (not a vector, nor a number) that
        names no function the document defines."""
        key = symbol_key(f) if isinstance(f, (t.Symbol, t.Font, t.Sub)) else None
        if key is None or key[0] not in self.values or key[0] in self.functions:
            return False
        value = np.asarray(self.values[key[0]])
        return value.ndim == 2 and min(value.shape) > 1

    def is_quantity(self, func: t.Func) -> bool:
        r"""Whether ``func`` names a quantity (``\mathrm{KL}``: given a value, or defined without
        parameters), not a function."""
        if func.sub is not None or func.sup is not None:
            return False
        defined = self.functions.get(func.name)
        return func.name in self.values or (defined is not None and not defined[0])

    def upright(self, node: t.Node, name: str | None) -> Array:
        if name is not None and name in self.values:
            return as_matrix(self.values[name])
        if name is None or name not in self.functions or self.functions[name][0]:
            raise unsupported(node)
        return self.cache[name] if name in self.cache else self.defined_value(node, name)

    def _Tagged(self, node: t.Tagged) -> Array:
        member = self.member(node) if self.label else None
        if member is not None:
            return member  # x^{(i)} inside a sum over the family's samples
        key = symbol_key(node)
        power = node.as_power()
        if power is not None and (key is None or key[0] not in self.values):
            return self.eval(power)  # W^Q names a matrix where declared; else A^N is a power
        return self.lookup(node)

    def _Number(self, node: t.Number) -> Array:
        try:
            return np.array([[float(node.text)]])
        except ValueError:
            raise unsupported(node, f"cannot read the number `{node.text}`") from None

    def _Differential(self, node: t.Differential) -> Array:
        body = node.body
        if body is None:
            raise EvaluationError(node, "a differential without a body")
        if isinstance(body, t.Transpose):  # \mathrm{d}X^\top = (\mathrm{d}X)^\top
            return self.eval(t.Differential(body=body.base), _swap(self.hint)).T
        if isinstance(body, t.Prime) and body.count == 1:  # \mathrm{d}X' = (\mathrm{d}X)'
            return self.eval(replace(body, base=t.Differential(body=body.base)), self.hint)
        if isinstance(body, t.Paren) and body.open.endswith("(") and body.body is not None:
            return self.eval(t.Differential(body=body.body), self.hint)
        key = differential_key(body)
        if key is None:
            raise unsupported(node, f"cannot evaluate the differential `{latex_of(node)}`")
        if key not in self.values:
            raise EvaluationError(node, f"no value for `\\mathrm{{d}}{key[2:]}` (key {key!r})")
        return as_matrix(self.values[key])

    def _Chain(self, node: t.Chain) -> Array:
        pair = _colon_product(node)
        if pair is None:
            raise unsupported(node, f"cannot evaluate the relation `{latex_of(node)}` as a value")
        a, b = (self.eval(x) for x in pair)
        if a.shape != b.shape:
            raise EvaluationError(node, f"`{latex_of(node)}`: a {a.shape} and a {b.shape}")
        return np.array([[float(np.sum(a * b))]])  # A : B, the Frobenius product

    def indicator(self, condition: t.Chain) -> Array:
        r"""``\mathbb{1}[a > b]``: 1.0 entrywise where every relation holds, else 0.0."""
        if any(item is None for item in condition.items) or len(condition.items) < 2:
            raise unsupported(condition, f"cannot evaluate the condition `{latex_of(condition)}`")
        values = self.same_shape(tuple(item for item in condition.items if item is not None))
        held: npt.NDArray[np.bool_] | None = None
        for rel, a, b in zip(condition.relations, values, values[1:], strict=False):
            compare = RELATIONS.get(rel)
            if compare is None:
                raise unsupported(condition, f"cannot evaluate the relation `{rel}`")
            if a.shape != b.shape and not (is_scalar(a) or is_scalar(b)):
                raise EvaluationError(condition, f"`{rel}` of {size_text(a)} and {size_text(b)}")
            now = compare(a, b)
            held = now if held is None else held & now
        assert held is not None
        return np.asarray(held, dtype=np.float64)

    def _Cases(self, node: t.Cases) -> Array:
        r"""``\begin{cases} v & a \le b \\ w & \text{otherwise} \end{cases}``: the first row
        whose (1×1) condition holds; a condition with words before it (``\text{if } a < b``)
        is read without them."""
        for row in node.rows:
            cells = [c for c in row if c is not None]
            if len(cells) != 2:
                raise unsupported(node, "a case without a value and a condition")
            value, cond = cells
            if isinstance(cond, t.Text) and any(
                w in cond.text for w in ("otherwise", "else", "elsewhere")
            ):
                return self.eval(value, self.hint)
            if not isinstance(cond, t.Chain):
                raise unsupported(cond, f"cannot evaluate the condition `{latex_of(cond)}`")
            items = tuple(drop_words(i) if i is not None else None for i in cond.items)
            held = self.indicator(t.Chain(items, cond.relations, start=cond.start, end=cond.end))
            if held.shape != (1, 1):
                raise unsupported(cond, "a condition of the cases on an array")
            if held[0, 0]:
                return self.eval(value, self.hint)
        raise EvaluationError(node, "no case applies")

    # sums and products

    def _Add(self, node: t.Add) -> Array:
        if node.trailing:
            raise unsupported(node, "cannot evaluate a sum that goes on in the next row")
        for sign in node.signs:
            if sign not in ("", "+", "-"):
                raise unsupported(node, f"cannot evaluate the sign `{sign}`")
        total: Array | None = None
        values = (
            self.entrywise_context(lambda: self.same_shape(node.terms))
            if any(_ones_leaf(x) for x in node.terms)  # 1 + (r/δ)^2: a power of a vector
            else self.same_shape(node.terms)  # added to a vector of ones is entrywise
        )
        for sign, v in zip(node.signs, values, strict=True):
            v = -v if sign == "-" else v
            if total is None:
                total = v
            elif total.shape != v.shape and not (is_scalar(total) or is_scalar(v)):
                raise EvaluationError(node, f"cannot add {size_text(total)} and {size_text(v)}")
            else:
                total = total + v
        if total is None:
            raise EvaluationError(node, "an empty sum")
        return total

    def _Neg(self, node: t.Neg) -> Array:
        if node.sign not in ("-", "+"):
            raise unsupported(node, f"cannot evaluate the sign `{node.sign}`")
        v = self.eval(node.operand, self.hint)
        return -v if node.sign == "-" else v

    def _Product(self, node: t.Product) -> Array:
        if self.einstein:
            repeated = [n for n in repeated_indices(node, self.values) if n not in self.index]
            if repeated:
                return self.summed(node, node, repeated)
        hint = self.hint
        factors: list[t.Node | _Indicator] = []
        i = 0
        while i < len(node.factors):
            nxt = node.factors[i + 1] if i + 1 < len(node.factors) else None
            condition = indicator_condition(node.factors[i], nxt)
            call = self.call_before(node.factors[i], nxt) if nxt is not None else None
            if call is not None:
                factors.append(call)
                i += 2
            elif condition is not None:
                factors.append(_Indicator(condition))
                i += 2
            else:
                factors.append(node.factors[i])
                i += 1
        values: list[Array | None] = []
        pending: dict[int, _NeedsSize] = {}
        for k, f in enumerate(factors):
            try:
                values.append(self.factor(f, _NO_HINT))
            except _NeedsSize as e:
                values.append(None)
                pending[k] = e
        while pending:  # size a \mathbf{1} or I from the factors beside it
            progressed = False
            for k in list(pending):
                rows = _beside(node, values[:k][::-1], hint[0], left=True)
                cols = _beside(node, values[k + 1 :], hint[1], left=False)
                if rows is None and cols is None:
                    continue
                try:
                    values[k] = self.factor(factors[k], (rows, cols))
                except _NeedsSize as e:
                    pending[k] = e
                    continue
                del pending[k]
                progressed = True
            if not progressed:
                raise next(iter(pending.values()))
        self._flanked_diagonals(factors, values)
        result: Array | None = None
        for v in values:
            assert v is not None
            result = v if result is None else times(node, result, v)
        assert result is not None
        return result

    def _flanked_diagonals(
        self, factors: list[t.Node | _Indicator], values: list[Array | None]
    ) -> None:
        r"""The diagonal of a square matrix before a factor of its rows (and after one of its
        columns, if any) is the diagonal matrix, as the shape checker and the lowering read
        it (``\mathbf x^\top \operatorname{diag}(VV^\top)\,\mathbf x``)."""
        for k, f in enumerate(factors[:-1]):
            v, right = values[k], values[k + 1]
            left = values[k - 1] if k else None
            if not (
                isinstance(f, t.Apply) and isinstance(f.func, t.Func)
                and f.func.name in ("diag", "Diag") and len(f.args) == 1
                and v is not None and right is not None and v.shape[1] == 1 and v.shape[0] > 1
                and right.size > 1 and right.shape[0] == v.shape[0]
                and (left is None or left.size == 1 or left.shape[1] == v.shape[0])
            ):  # fmt: skip
                continue
            arg = self.eval(f.args[0], _NO_HINT)
            if arg.shape == (v.shape[0], v.shape[0]):
                values[k] = np.asarray(np.diag(v.ravel()), dtype=np.float64)

    def factor(self, f: t.Node | _Indicator, hint: Hint) -> Array:
        if not isinstance(f, _Indicator):
            return self.eval(f, hint)
        saved, self.hint = self.hint, hint
        try:
            return self.indicator(f.condition)
        finally:
            self.hint = saved

    def _BinOp(self, node: t.BinOp) -> Array:
        op = node.op
        if node.right is None:
            raise unsupported(node, f"`{op}` has no right operand")
        if op not in ("\\cdot", "\\odot", "\\circ", "\\oslash", "\\otimes", "/", "\\div"):
            if op in ("\\times", "*") or op.endswith("\\times"):
                a, b = self.eval(node.left), self.eval(node.right)
                if is_scalar(a) or is_scalar(b):
                    return a * b
            raise unsupported(node, f"cannot evaluate the operator `{op}` here")
        if op in ("\\odot", "\\circ", "\\oslash"):
            operands = (node.left, node.right)
            a, b = self.entrywise_context(lambda: self.same_shape(operands))
            return elementwise(node, a, b, "/" if op == "\\oslash" else op)
        if op in ("/", "\\div"):  # by a scalar
            a, b = self.eval(node.left, self.hint), self.eval(node.right)
            return a / nonzero(node, np.array([[scalar_of(node, b, "a divisor")]]))
        try:
            a, b = self.eval(node.left), self.eval(node.right)
        except _NeedsSize:
            if op != "\\cdot":
                raise
            try:  # \mathbf{1} \cdot x: the dot product with a vector of the same size
                a, b = self.same_shape((node.left, node.right))
            except _NeedsSize:  # a \cdot I: as in a product
                return self.eval(t.Product(factors=(node.left, node.right)), self.hint)
        if op == "\\cdot":
            if a.shape == b.shape and a.shape[1] == 1 and not is_scalar(a):
                return a.T @ b  # the dot product of two vectors
            return times(node, a, b)
        return np.asarray(np.kron(a, b), dtype=np.float64)  # \otimes

    def _Frac(self, node: t.Frac) -> Array:
        if node.command not in ("frac", "dfrac", "tfrac", "cfrac", "over"):
            raise unsupported(node, f"cannot evaluate `\\{node.command}`")
        num, den = self.eval(node.num, self.hint), self.eval(node.den)
        d = scalar_of(node, den, "a denominator")
        if d == 0:
            raise EvaluationError(node, "division by zero")
        return num / d

    def _Sqrt(self, node: t.Sqrt) -> Array:
        v = self.eval(node.body)
        if is_square(v) and not is_scalar(v) and node.index is None:
            return matrix_power(node, v, 0.5)  # \sqrt{S} of a square matrix: its root
        if node.index is None:
            return np.sqrt(nonnegative(node, v, "\\sqrt"))
        k = scalar_of(node, self.eval(node.index), "a root index")
        return np.power(nonnegative(node, v, "\\sqrt"), 1.0 / k)

    def _Power(self, node: t.Power) -> Array:
        split = matrix_before_script(node, self.a_matrix)  # J(K - βJ)^{-1} of a matrix J
        return self.eval(split) if split is not None else self.power(node)

    def power(self, node: t.Power) -> Array:
        exponent_text = node.exponent.text if isinstance(node.exponent, t.Number) else ""
        base_key = symbol_key(node.base) if exponent_text.isdigit() else None
        named = f"{base_key[0]}^{{{exponent_text}}}" if base_key is not None else None
        if named is not None and named in self.values:
            return as_matrix(self.values[named])  # \sigma^2 a definition names (σ undefined)
        member = member_key(node)
        if member is not None and member[0] in self.values:
            return self.lookup(node)  # W^{(l+1)}: a member of the family W^{(l)}
        marked = self.marked_member(node, member)
        if marked is not None:
            return marked  # z_k^{+} inside a sum over the family z^+
        shifted = _labelled_power(node)
        if shifted is not None and self.label:  # U^{(l-1)} inside a sum over the family U
            found = self.member(shifted)
            if found is not None:
                return found
        labelled = transposed_member(node)  # \mathbf{a}^{(1)\top}: the member, transposed
        if labelled is not None and (key := member_key(labelled)) is not None:
            if key[0] in self.values:
                return self.lookup(labelled).T
        hadamard = hadamard_exponent(node.exponent)
        if hadamard is not None:
            return self.hadamard_power(node, self.eval(node.base, self.hint), hadamard)
        exponent = self.eval(node.exponent)
        if not is_scalar(exponent):
            return self.exponential(node, exponent)
        p = float(exponent[0, 0])
        base = self.eval(node.base, self.hint)
        if is_scalar(base):
            b = float(base[0, 0])
            if b < 0 and p != round(p):
                raise EvaluationError(node, f"a non-integer power of a negative number ({b:g})")
            if b == 0 and p < 0:
                raise EvaluationError(node, "a negative power of zero")
            return np.array([[b**p]])
        if is_vector(base) and self.entrywise and p == round(p) and p > 0:
            return finite(node, np.power(base, p))  # \diag(1 - \mathbf a^2)
        if is_vector(base):
            raise unsupported(
                node, f"cannot evaluate a power of a {size_text(base)} vector (elementwise?)"
            )
        return matrix_power(node, base, p)

    def hadamard_power(self, node: t.Power, base: Array, exponent: t.Node) -> Array:
        r"""``x^{\circ p}``: every entry to the power p."""
        p = scalar_of(node, self.eval(exponent), "a Hadamard exponent")
        if p != round(p) and np.any(base < 0):
            raise EvaluationError(node, f"a non-integer power {p:g} of a negative entry")
        if p < 0 and np.any(base == 0):
            raise EvaluationError(node, f"a negative power {p:g} of a zero entry")
        return finite(node, np.power(base, p))

    def exponential(self, node: t.Power, exponent: Array) -> Array:
        r"""``e^{X}`` of a square matrix X: the matrix exponential; of a vector, entrywise."""
        base = node.base
        euler = (
            isinstance(base, t.Symbol) and base.name == "e" and not base.accents
            and "e" not in self.values
        )  # fmt: skip
        if not euler:
            raise EvaluationError(node, f"an exponent must be a scalar, not {size_text(exponent)}")
        if is_vector(exponent):  # (no matrix exponential of a vector: entrywise, as lowered)
            return finite(node, np.exp(exponent))
        if not is_square(exponent):
            raise EvaluationError(node, f"`e` to a {size_text(exponent)} matrix")
        return finite(node, expm(exponent))

    def _Transpose(self, node: t.Transpose) -> Array:
        split = matrix_before_script(node, self.a_matrix)  # J(K - βJ)^\top of a matrix J
        if split is not None:
            return self.eval(split)
        v = self.eval(node.base, _swap(self.hint))
        return np.conj(v).T if node.conjugate else v.T

    def _InverseTranspose(self, node: t.InverseTranspose) -> Array:
        return inverse(node, self.eval(node.base, _swap(self.hint))).T

    def _Prime(self, node: t.Prime) -> Array:
        r"""``A'`` of a vector or matrix is its transpose (``x'Ax``); of a scalar it could be a
        derivative, so it is not evaluated.  A name with a value of its own (the parameter
        ``x'`` of ``k(x, x')``) is that value."""
        key = symbol_key(node)
        if key is not None and key[0] in self.values:
            return as_matrix(self.values[key[0]])
        v = self.eval(node.base, _swap(self.hint))
        if is_scalar(v):
            written = describe(node.base) + "'" * node.count
            raise unsupported(node, f"cannot evaluate `{written}` of a scalar (a derivative?)")
        if node.count != 1:
            raise unsupported(node, f"cannot evaluate {node.count} primes")
        return v.T

    def _Paren(self, node: t.Paren) -> Array:
        if node.body is None or isinstance(node.body, t.List):
            raise unsupported(node)
        braces = node.open.endswith("\\{") and node.close.endswith("\\}")  # PRML's \{t_n - y_n\}^2
        if not braces and not (node.open.endswith(("(", "[")) and node.close.endswith((")", "]"))):
            raise unsupported(node, f"cannot evaluate the brackets `{node.open} {node.close}`")
        return self.eval(node.body, self.hint)

    def _Font(self, node: t.Font) -> Array:
        return self.eval(node.body, self.hint)

    def _Norm(self, node: t.Norm) -> Array:
        v = self.eval(node.body)
        p = node.p
        pname = norm_name(p)
        if is_scalar(v) and pname in (None, "1", "2", "F", "\\infty"):
            return np.abs(v)
        if pname is None or pname == "F":
            return np.array([[float(np.linalg.norm(v))]])  # Euclidean / Frobenius
        if is_vector(v):
            if pname == "\\infty":
                return np.array([[float(np.abs(v).max())]])
            weighted = self._weighted(v, p)
            if weighted is not None:
                return weighted
            try:
                k = float(pname)
            except ValueError:
                raise unsupported(
                    node, f"cannot evaluate the norm `_{pname}` of a vector"
                ) from None
            if k < 1:
                raise unsupported(node, f"`_{pname}` is not a norm")
            return np.array([[float((np.abs(v) ** k).sum() ** (1.0 / k))]])
        if pname == "2":
            return np.array([[float(np.linalg.norm(v, 2))]])  # spectral
        if pname == "*":
            return np.array([[float(np.linalg.norm(v, "nuc"))]])
        raise unsupported(node, f"cannot evaluate the matrix norm `_{pname}` (which one is meant?)")

    def _weighted(self, v: Array, p: t.Node | None) -> Array | None:
        r"""``\|v\|_M`` of a square matrix M written as the subscript: √(vᵀMv); None where
        the subscript is not such a matrix (a number: the p-norm)."""
        if p is None or isinstance(p, t.Number):
            return None
        try:
            m = self.eval(p)
        except (EvaluationError, KeyError):
            return None
        v = v.reshape(-1, 1) if v.shape[0] != 1 else v.T
        if m.shape != (v.shape[0], v.shape[0]) or m.shape == (1, 1):
            return None
        q = float((v.T @ m @ v)[0, 0])
        if q < 0:
            raise EvaluationError(p, "a weighted norm by a matrix that is not positive there")
        return np.array([[np.sqrt(q)]])

    def _Abs(self, node: t.Abs) -> Array:
        v = self.eval(node.body)
        if not is_scalar(v):
            raise unsupported(
                node,
                f"cannot evaluate `|…|` of a {size_text(v)} value (determinant or elementwise?)",
            )
        return np.abs(v)

    def _Angle(self, node: t.Angle) -> Array:
        items = node.items
        if len(items) == 1 and isinstance(items[0], t.List):
            items = items[0].items
        if len(items) != 2:
            raise unsupported(node, "cannot evaluate `\\langle … \\rangle` of other than two items")
        a, b = self.eval(items[0]), self.eval(items[1])
        if a.shape != b.shape:
            raise EvaluationError(node, f"inner product of {size_text(a)} and {size_text(b)}")
        return np.array([[float(np.sum(a * b))]])  # tr(aᵀb)

    # functions

    def _Apply(self, node: t.Apply) -> Array:
        func = node.func
        args = node.args
        if len(args) == 1 and isinstance(args[0], t.List):
            args = args[0].items
        defined = self.defined_name(func)
        if defined is not None:
            return self.call(node, defined[0], defined[1], args)
        if isinstance(func, t.Func) and not node.parens and self.is_quantity(func):
            return self.eval(t.Product((func, *args)), self.hint)  # \mathrm{KL}\,\beta
        if isinstance(func, t.Symbol) and func.name == "\\sigma" and not func.accents:
            return logistic(self.one(node, args, self.hint))
        if isinstance(func, t.Symbol) and node.parens and len(args) == 1:
            key = symbol_key(func)
            value = self.values.get(key[0]) if key is not None else None
            if value is not None and as_matrix(value).shape != (1, 1):  # L(x - y), L a matrix
                paren = t.Paren(args[0], "(", ")", start=args[0].start, end=args[0].end)
                return self.eval(t.Product((func, paren)), self.hint)
        known = _known_prime(func)
        if known is not None:  # \sigma'(z), \tanh''(Wx): the derivative, entry by entry
            return self.prime(node, known[0], known[1], args)
        if not isinstance(func, t.Func):
            raise unsupported(node, f"cannot evaluate the function `{describe(func)}`")
        name = func.name.lstrip("\\")
        if func.sub is not None or func.sup is not None:
            return self._scripted(node, func, name, args)
        if name in ("max", "min"):  # (\max\{0, z\}: the braces' list)
            braced = args[0] if len(args) == 1 else None
            if isinstance(braced, t.Paren) and isinstance(braced.body, t.List):
                args = tuple(a for a in braced.body.items if a is not None)
            return self._extremum(node, name, args)
        entrywise = name in ELEMENTWISE or name in MATRIX_FUNCTIONS
        if name == "diag" and any(isinstance(a, t.Dots) for a in args):
            return np.diagflat(self.listed_entries(node, args))
        if name == "diag":
            x = self.entrywise_context(lambda: self.one(node, args))
        else:
            x = self.one(node, args, self.hint if entrywise else _NO_HINT)
        if name in ("tr", "Tr", "trace", "det", "logdet"):
            return _square_reduction(node, name, x)
        return _function_of(node, name, x)

    def listed_entries(self, node: t.Node, args: tuple[t.Node, ...]) -> Array:
        r"""``\mu_1(1-\mu_1), \dots, \mu_N(1-\mu_N)``: the entries numbered by one member from
        1 to the number the last entry names, each the first entry with its member's label
        the entry's — evaluated as inside a sum over the member's family (a definition of
        ``\mu_i``, or the members sampled)."""
        if len(args) != 3 or not isinstance(args[1], t.Dots):
            raise unsupported(node, "cannot evaluate a list of entries but `a_1, \\dots, a_n`")
        first, last = (_numbering(a) for a in (args[0], args[2]))
        if first is None or last is None or show(first.base) != show(last.base):
            raise unsupported(node, "cannot tell what numbers the entries")
        if not (isinstance(first.index, t.Number) and first.index.text == "1"):
            raise unsupported(node, "cannot evaluate entries numbered from other than 1")
        count = int(scalar_of(node, self.eval(last.index), "bound"))
        key = symbol_key(first.base)
        labels = [
            k[-2] for k in self.functions
            if key and k.startswith(key[0] + "_{") and len(k) == len(key[0]) + 4
        ]  # fmt: skip
        index = labels[0] if len(labels) == 1 and labels[0].isalpha() else "i"
        defined = self.functions.get(f"{key[0]}_{{{index}}}") if key is not None else None
        entry = t.replaced(  # μ_1 of μ_i = σ(x_iᵀβ): (σ(x_iᵀβ)) at each label i; y_1: y_i
            args[0],
            {
                id(n): (
                    t.Paren(defined[1], "(", ")", start=n.start, end=n.end)
                    if defined is not None and not defined[0]
                    else replace(n, index=t.Symbol(index, start=n.index.start, end=n.index.end))
                )
                for n in args[0].walk()
                if isinstance(n, t.Sub) and show(n) == show(first)
            },
        )
        if index in self.label or index in self.index or count < 1 or count > 10_000:
            raise unsupported(node, "cannot evaluate these entries here")
        values = []
        for k in range(1, count + 1):
            self.label[index] = k
            try:
                value = self.eval(entry)
            finally:
                self.label.pop(index, None)
            if value.shape != (1, 1):
                raise unsupported(node, "entries of a diagonal that are not numbers")
            values.append(value[0, 0])
        return np.array(values, dtype=np.float64)

    def entrywise_context(self, evaluate: Callable[[], _T]) -> _T:
        """``evaluate()`` with a vector's power read entry by entry."""
        saved, self.entrywise = self.entrywise, True
        try:
            return evaluate()
        finally:
            self.entrywise = saved

    def _scripted(self, node: t.Apply, func: t.Func, name: str, args: tuple[t.Node, ...]) -> Array:
        r"""``\operatorname{vec}^{-1}(y)`` (y of n² entries, an n×n matrix) and
        ``\operatorname{softmax}_{\text{row}}`` / ``_{\text{col}}``."""
        sup, sub = func.sup, func.sub
        if name == "vec" and isinstance(sup, t.Neg) and show(sup.operand) == "1":
            y = self.one(node, args)
            rows = cols = math.isqrt(y.size)
            if isinstance(sub, t.BinOp) and sub.op == "\\times" and sub.right is not None:
                rows = int(scalar_of(node, self.eval(sub.left), "a number of rows"))
                cols = int(scalar_of(node, self.eval(sub.right), "a number of columns"))
            elif sub is not None:
                raise unsupported(node, "cannot read the shape under `vec^{-1}`")
            if y.shape[1] != 1 or rows * cols != y.size:
                raise EvaluationError(node, f"vec^{{-1}} of a {size_text(y)} array")
            return np.asarray(y.reshape((rows, cols), order="F"), dtype=np.float64)
        where = _script_text(sub) if name == "softmax" and sup is None else None
        if where in ("row", "rows", "r", "rowwise", "row-wise"):
            return _softmax_rows(self.one(node, args))
        if where in ("col", "cols", "column", "columns", "c", "colwise", "column-wise"):
            return _softmax_rows(self.one(node, args).T).T
        entrywise = name in ELEMENTWISE or name in MATRIX_FUNCTIONS
        power = _small_power(sup) if sub is None and entrywise else None
        if power is not None:  # \tanh^2(W x): the function's power, entry by entry
            x = self.one(node, args, self.hint)
            if not (is_square(x) and x.shape[0] > 1):
                return np.asarray(_function_of(node, name, x) ** power, dtype=np.float64)
        raise unsupported(node, f"cannot evaluate `{latex_of(func)}` (with a sub- or superscript)")

    # functions the document defines

    def defined_name(self, func: t.Node) -> tuple[str, int] | None:
        """The key of a function the document defines with parameters, and how many primes
        ``func`` carries (``\\phi'``: 1); None if ``func`` names none."""
        primes = func.count if isinstance(func, t.Prime) else 0
        if isinstance(func, t.Prime):
            func = func.base
        if isinstance(func, t.Text):  # \text{GELU}
            func = t.Func(func.text[func.text.find("{") + 1 : func.text.rfind("}")].strip())
        key = func.name if isinstance(func, t.Func) else symbol_key(func)
        name = key if isinstance(key, str) or key is None else key[0]
        if name is None or not self.functions.get(name, ((), None))[0]:
            return None
        return name, primes

    def call_before(self, f: t.Node, nxt: t.Node) -> t.Node | None:
        r"""``s(x)``, ``\phi'(z)`` and ``\log s(x)`` written as a factor and a bracket: the
        application they are, where ``s`` is a function the document defines (``K(\theta)^{-1}``,
        which the parser reads as ``K`` times ``(\theta)^{-1}``: the application, inverted)."""
        wrapped = round_base(nxt)
        if wrapped is not None and (inner := self.call_before(f, wrapped[1])) is not None:
            return rebase(wrapped[0], inner, {})
        if not isinstance(nxt, t.Paren) or nxt.open not in ("(", "\\left(") or nxt.body is None:
            return None
        if isinstance(f, t.Apply) and isinstance(f.func, t.Func) and not f.parens:
            inner = self.call_before(f.args[0], nxt) if len(f.args) == 1 else None
            return None if inner is None else t.Apply(f.func, (inner,), False)
        if self.defined_name(f) is None and _known_prime(f) is None:  # \tanh'(z) too
            return None
        body = nxt.body
        args = (
            tuple(a for a in body.items if a is not None) if isinstance(body, t.List) else (body,)
        )
        return t.Apply(f, args, True)

    def defined_value(self, node: t.Node, name: str) -> Array:
        """A name the document defines (``S = …``), its definition evaluated."""
        if name in self.defining:
            raise unsupported(node, f"the definition of `{key_text(name)}` refers to itself")
        inner = _Evaluator(self.values, self.functions)
        inner.defining = self.defining | {name}
        value = inner.eval(self.functions[name][1])
        self.cache[name] = value
        return value

    def call(self, node: t.Apply, name: str, primes: int, args: tuple[t.Node, ...]) -> Array:
        params, body = self.functions[name]
        if len(args) != len(params) or name in self.defining or (primes and len(params) != 1):
            raise unsupported(node, f"cannot evaluate `{latex_of(node)}`")
        values = [self.eval(a) for a in args]

        def at(point: Array) -> Array:
            inner = _Evaluator({**self.values, params[0]: point}, self.functions)
            inner.defining = self.defining | {name}
            return inner.eval(body)

        if len(params) == 1 and (primes or not is_scalar(values[0])):
            return _each_entry(node, at, values[0], primes)
        inner = _Evaluator(
            {**self.values, **dict(zip(params, values, strict=True))}, self.functions
        )
        inner.defining = self.defining | {name}
        return inner.eval(body)

    def prime(self, node: t.Apply, base: t.Node, count: int, args: tuple[t.Node, ...]) -> Array:
        r"""``f'(x)`` or ``f''(x)`` of a known function of numbers (not the document's): its
        derivative where one is written below (``\sigma' = \sigma(1 - \sigma)``), else
        central differences of the function, each entry on its own."""
        x = self.one(node, args, self.hint)
        rule = _PRIME_RULES.get((_function_name(base), count))
        if rule is not None:
            with np.errstate(all="raise"):
                try:
                    return np.asarray(rule(x), dtype=np.float64)
                except FloatingPointError:
                    raise EvaluationError(node, f"`{latex_of(node)}` outside its domain") from None
        at = t.Symbol("\\ast", start=node.start, end=node.end)

        def f(v: float) -> float:
            inner = _Evaluator({**self.values, "\\ast": np.array([[v]])}, self.functions)
            return float(inner.eval(t.Apply(base, (at,), True))[0, 0])

        out = np.empty_like(x, dtype=np.float64)
        for index, v in np.ndenumerate(x):
            out[index] = _derivative(f, float(v), count)
        return out

    def _extremum(self, node: t.Apply, name: str, args: tuple[t.Node, ...]) -> Array:
        """``\\max``/``\\min`` of two arguments, entrywise (a scalar against a matrix too)."""
        if len(args) != 2:
            raise unsupported(node, f"cannot evaluate `\\{name}` of {len(args)} arguments")
        a, b = self.same_shape((args[0], args[1]))
        if a.shape != b.shape and not (is_scalar(a) or is_scalar(b)):
            raise EvaluationError(node, f"`\\{name}` of {size_text(a)} and {size_text(b)}")
        return np.maximum(a, b) if name == "max" else np.minimum(a, b)

    def one(self, node: t.Apply, args: tuple[t.Node, ...], hint: Hint = _NO_HINT) -> Array:
        if len(args) != 1:
            raise unsupported(
                node, f"cannot evaluate `{describe(node.func)}` of {len(args)} arguments"
            )
        return self.eval(args[0], hint)


def _each_entry(node: t.Apply, at: Callable[[Array], Array], x: Array, primes: int) -> Array:
    """A function of one parameter given ``x``: as written where its body reads the whole
    array (and does not merely agree with the entries), else at each entry; its
    ``primes``-th derivative (1 or 2) by central differences at each entry."""
    if primes == 0:
        try:
            whole: Array | None = at(x)
        except (EvaluationError, ValueError, FloatingPointError):
            whole = None
        if whole is not None and whole.shape != x.shape:
            return whole
    out = np.empty_like(x, dtype=np.float64)
    for index, v in np.ndenumerate(x):
        out[index] = _derivative(lambda s: float(at(np.array([[s]]))[0, 0]), float(v), primes)
    if primes == 0 and whole is not None and not np.allclose(whole, out, rtol=1e-9, atol=1e-12):
        raise unsupported(
            node, f"cannot tell whether `{latex_of(node.func)}` applies to each entry"
        )
    return out


def _known_prime(func: t.Node) -> tuple[t.Node, int] | None:
    r"""(the function, how many primes) for ``\sigma'``, ``\tanh''``, ``\exp'``: a function
    of numbers the evaluator knows, primed once or twice; None otherwise."""
    if not isinstance(func, t.Prime) or func.count not in (1, 2):
        return None
    base = func.base
    if isinstance(base, t.Symbol) and base.name == "\\sigma" and not base.accents and not base.font:
        return base, func.count
    if isinstance(base, t.Func) and base.sub is None and base.sup is None:
        name = base.name.lstrip("\\")
        if name in ELEMENTWISE or (name, func.count) in _PRIME_RULES:
            return base, func.count
    return None


def _function_name(base: t.Node) -> str:
    if isinstance(base, t.Symbol):
        return "sigma"
    return base.name.lstrip("\\") if isinstance(base, t.Func) else ""


def _sig(x: Array) -> Array:
    return np.asarray(logistic(x), dtype=np.float64)


# the derivatives of known functions of numbers, written out (the evaluator's own rule)
_PRIME_RULES: dict[tuple[str, int], Callable[[Array], Array]] = {
    ("sigma", 1): lambda x: _sig(x) * (1 - _sig(x)),
    ("sigma", 2): lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),
    ("tanh", 1): lambda x: 1 - np.tanh(x) ** 2,
    ("tanh", 2): lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
    ("exp", 1): np.exp,
    ("exp", 2): np.exp,
    ("log", 1): lambda x: 1 / x,
    ("log", 2): lambda x: -1 / x**2,
    ("ln", 1): lambda x: 1 / x,
    ("ln", 2): lambda x: -1 / x**2,
    ("sin", 1): np.cos,
    ("sin", 2): lambda x: -np.sin(x),
    ("cos", 1): lambda x: -np.sin(x),
    ("cos", 2): lambda x: -np.cos(x),
}


def _derivative(f: Callable[[float], float], v: float, order: int) -> float:
    """f(v), f′(v) or f″(v): the value, or central differences with Richardson's step."""
    if order == 0:
        return f(v)
    h = 1e-3 * max(1.0, abs(v))
    if order == 1:
        return (8 * (f(v + h) - f(v - h)) - (f(v + 2 * h) - f(v - 2 * h))) / (12 * h)
    if order == 2:
        return (-f(v + 2 * h) + 16 * f(v + h) - 30 * f(v) + 16 * f(v - h) - f(v - 2 * h)) / (
            12 * h * h
        )
    raise EvaluationError(None, f"cannot evaluate a derivative of order {order}")


def _square_reduction(node: t.Apply, name: str, x: Array) -> Array:
    """The trace, determinant or log-determinant of a square matrix, as a 1×1 array."""
    if name in ("tr", "Tr", "trace"):
        if not is_square(x):
            raise EvaluationError(node, f"the trace of a {size_text(x)} matrix")
        return np.array([[float(np.trace(x))]])
    if not is_square(x):
        raise EvaluationError(node, f"the determinant of a {size_text(x)} matrix")
    if name == "det":
        return np.array([[float(np.linalg.det(x))]])
    sign, logabs = np.linalg.slogdet(x)
    if sign <= 0:
        raise EvaluationError(node, "`logdet` of a matrix with non-positive determinant")
    return np.array([[float(logabs)]])


def _adjugate(x: Array) -> Array:
    """The adjugate, entry by entry from cofactors (a singular matrix has one too)."""
    n = x.shape[0]
    if n == 1:
        return np.ones((1, 1))
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(x, i, axis=0), j, axis=1)
            out[j, i] = (-1) ** (i + j) * np.linalg.det(minor)
    return out


def _small_power(sup: t.Node | None) -> int | None:
    r"""The k of ``\tanh^k`` (1 to 4), None for any other superscript."""
    if isinstance(sup, t.Number) and sup.text in ("1", "2", "3", "4"):
        return int(sup.text)
    return None


def _function_of(node: t.Apply, name: str, x: Array) -> Array:
    """A named function of one evaluated argument, other than a trace or determinant:
    ``\\diag``, softmax and log-sum-exp of a vector, then entrywise and matrix functions."""
    if name == "diag":
        if is_vector(x):
            return np.asarray(np.diag(x.ravel()), dtype=np.float64)
        if is_square(x):
            return np.asarray(np.diag(x), dtype=np.float64).reshape(-1, 1)
        raise EvaluationError(node, f"`\\diag` of a {size_text(x)} matrix")
    if name == "softmax":  # of a matrix: row by row (attention's convention)
        return softmax(x) if is_vector(x) else _softmax_rows(x)
    if name == "vec":
        return np.asarray(x.reshape((-1, 1), order="F"), dtype=np.float64)
    if name in ("adj", "adjugate"):
        if not is_square(x):
            raise EvaluationError(node, f"the adjugate of a {size_text(x)} matrix")
        return _adjugate(x)
    if name in ("logsumexp", "LSE", "lse"):
        if not is_vector(x):
            raise unsupported(node, f"cannot evaluate `{name}` of a {size_text(x)} matrix")
        return logsumexp(x)
    if name in ELEMENTWISE:
        return finite(node, np.asarray(ELEMENTWISE[name](x), dtype=np.float64))
    if name in MATRIX_FUNCTIONS:
        return matrix_function(node, name, x)
    raise unsupported(node, f"cannot evaluate the function `\\{name}`")


def _softmax_rows(x: Array) -> Array:
    """Each row of ``x`` through softmax."""
    return np.vstack([softmax(row.reshape(-1, 1)).T for row in x])


def _script_text(node: t.Node | None) -> str | None:
    r"""A sub- or superscript as a word: ``\text{row}``, ``\mathrm{row}``, ``r``."""
    if isinstance(node, t.Text):
        inner = node.text.split("{", 1)[-1].rstrip("}")
        return inner.strip().lower()
    if isinstance(node, (t.Func, t.Symbol)):
        return node.name.lstrip("\\").lower()
    if isinstance(node, t.Font):
        return _script_text(node.body)
    return None


def _sized_kind(base: t.Node) -> str | None:
    r"""``"1"``, ``"0"`` or ``"I"`` for the base of a sized constant (``\mathbf{1}``,
    ``\mathbf{0}``, ``I``), else None."""
    if isinstance(base, t.Number) and base.text in ("0", "1"):
        return base.text if getattr(base, "font", None) else None
    if not isinstance(base, t.Symbol) or base.accents:
        return None
    if base.name in ("0", "1"):
        return base.name if base.font is not None else None
    return constant(base)


def _swap(hint: Hint) -> Hint:
    return hint[1], hint[0]


def _beside(
    node: t.Node, values: Sequence[Array | None], outer: int | None, *, left: bool
) -> int | None:
    """The size a factor of a product must have where it meets its neighbours: ``values`` are
    the factors on one side, nearest first (None: not evaluated yet).  On the left, the
    columns of their product; on the right, its rows; where they are all scalars (or
    none), the product's own rows or columns (``outer``)."""
    block: Array | None = None
    for v in values:
        if v is None:
            return None if block is None or is_scalar(block) else _edge(block, left)
        block = v if block is None else (times(node, v, block) if left else times(node, block, v))
    if block is None or is_scalar(block):
        return outer
    return _edge(block, left)


def _edge(block: Array, left: bool) -> int:
    return int(block.shape[1] if left else block.shape[0])


def function_of(node: t.Node) -> Callable[[dict[str, Value]], Array]:
    """The tree as a function of its values (for the finite-difference tools)."""
    return lambda values: evaluate(node, values)


def _colon_product(node: t.Chain) -> tuple[t.Node, t.Node] | None:
    r"""``… = A : B`` (a Frobenius product): its two operands; None for any other chain (a
    signature ``f : \mathbb{R}^n \to \mathbb{R}`` among them)."""
    rels = node.relations
    if len(rels) < 1 or rels[-1] != ":" or (len(rels) > 1 and rels[-2] == ":"):
        return None
    if any(r.endswith(("to", "arrow")) for r in rels):
        return None
    a, b = node.items[-2], node.items[-1]
    return (a, b) if a is not None and b is not None else None


def _ones_leaf(node: t.Node) -> bool:
    r"""``\mathbf{1}``, ``\mathbf{1}_m`` as written: a vector of ones."""
    return constant(node.base if isinstance(node, t.Sub) else node) == "1"


def _labelled_power(node: t.Power) -> t.Tagged | None:
    """``U^{(l-1)}`` (a label with a sign, which the parser leaves a power of U) as the member
    it names; None for any other power."""
    ex = node.exponent
    if isinstance(ex, t.Paren) and ex.open in ("(", "[") and ex.body is not None:
        label = label_of(ex.body)
        if label is not None and label[0] is not None and label[1] != 0:
            return t.Tagged(node.base, ex.body, ex.open, start=node.start, end=node.end)
    return None
