r"""Numbers for the calculus: evaluate a typed tree with numpy, sample inputs, finite differences.

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

These are the tools the calculus engine verifies its results with: central
differences at random points (:func:`sample_inputs`) with distinct sizes for
distinct dimensions, so a missing transpose cannot hide.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.linalg
import sympy

from texgrad.shapes.dims import Shape
from texgrad.syntax import tree as t
from texgrad.syntax.show import show
from texgrad.syntax.symbols import symbol_key

Array: TypeAlias = npt.NDArray[np.float64]
Value: TypeAlias = "npt.ArrayLike | float"
# What the context tells about the shape of a value: (rows, cols), None where it does not.
Hint: TypeAlias = tuple[int | None, int | None]
_NO_HINT: Hint = (None, None)

# -- errors -------------------------------------------------------------------------


class EvaluationError(Exception):
    """The tree cannot be evaluated at these values (domain, shapes, a missing value)."""

    def __init__(self, node: t.Node | None, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


class Unsupported(EvaluationError):
    r"""A construct this module does not evaluate (``\int``, ``\foo``, an ambiguous ``|X|``)."""


class _NeedsSize(EvaluationError):
    r"""A ``\mathbf{1}`` or ``I`` with no value whose size its context has not told (yet)."""


def _describe(node: t.Node) -> str:
    """How a message names a construct: its LaTeX where known, else its tree."""
    if isinstance(node, t.Opaque):
        return node.text
    if isinstance(node, t.BigOp):
        return node.op
    if isinstance(node, t.Func):
        return "\\" + node.name.lstrip("\\")
    if isinstance(node, t.Symbol):
        return node.name
    if isinstance(node, t.Apply):
        return _describe(node.func)
    return show(node)


def _unsupported(node: t.Node, what: str | None = None) -> Unsupported:
    return Unsupported(node, what or f"cannot evaluate `{_describe(node)}`")


# -- helpers --------------------------------------------------------------------------


def as_matrix(value: Value) -> Array:
    """A value as a 2-D float array: a number is 1×1, a 1-D array a column."""
    a = np.array(value, dtype=np.float64)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(-1, 1)
    if a.ndim == 2:
        return a
    raise ValueError(f"a value must be a number, a vector or a matrix, not a {a.ndim}-D array")


def _size(a: Array) -> str:
    return f"{a.shape[0]}×{a.shape[1]}"


def _is_scalar(a: Array) -> bool:
    return a.shape == (1, 1)


def _is_vector(a: Array) -> bool:
    """A column or a row (or 1×1)."""
    return a.shape[0] == 1 or a.shape[1] == 1


def _is_square(a: Array) -> bool:
    return a.shape[0] == a.shape[1]


def _is_symmetric(a: Array) -> bool:
    return _is_square(a) and bool(np.allclose(a, a.T, rtol=1e-10, atol=1e-12))


def _scalar(node: t.Node, a: Array, role: str) -> float:
    if not _is_scalar(a):
        raise EvaluationError(node, f"{role} must be a scalar, not {_size(a)}")
    return float(a[0, 0])


def _times(node: t.Node, a: Array, b: Array) -> Array:
    """A matrix product where a 1×1 side scales the other."""
    if _is_scalar(a) or _is_scalar(b):
        return a * b
    if a.shape[1] != b.shape[0]:
        raise EvaluationError(
            node, f"cannot multiply {_size(a)} by {_size(b)} in `{_describe(node)}`"
        )
    return a @ b


def _elementwise(node: t.Node, a: Array, b: Array, op: str) -> Array:
    if a.shape != b.shape and not (_is_scalar(a) or _is_scalar(b)):
        raise EvaluationError(node, f"`{op}` of {_size(a)} and {_size(b)}: shapes differ")
    return a * b if op != "/" else a / _nonzero(node, b)


def _nonzero(node: t.Node, a: Array) -> Array:
    if np.any(a == 0):
        raise EvaluationError(node, f"division by zero in `{_describe(node)}`")
    return a


def _checked(node: t.Node, a: Array) -> Array:
    if not np.all(np.isfinite(a)):
        raise EvaluationError(node, f"`{_describe(node)}` is not finite here")
    return a


def _inverse(node: t.Node, a: Array) -> Array:
    if not _is_square(a):
        raise EvaluationError(node, f"cannot invert a {_size(a)} matrix")
    try:
        if np.linalg.cond(a) > 1e13:
            raise np.linalg.LinAlgError
        return np.asarray(np.linalg.inv(a), dtype=np.float64)
    except np.linalg.LinAlgError:
        raise EvaluationError(node, f"`{_describe(node)}`: the matrix is singular") from None


def _symmetric_function(node: t.Node, a: Array, f: Callable[[Array], Array], name: str) -> Array:
    """f of a symmetric matrix through its eigendecomposition V f(Λ) Vᵀ."""
    if not _is_symmetric(a):
        general = {"\\sin": scipy.linalg.sinm, "\\cos": scipy.linalg.cosm, "\\tan": scipy.linalg.tanm,
                   "\\sinh": scipy.linalg.sinhm, "\\cosh": scipy.linalg.coshm,
                   "\\tanh": scipy.linalg.tanhm}.get(name)  # fmt: skip
        if general is None:
            raise _unsupported(node, f"cannot evaluate `{name}` of a non-symmetric matrix")
        return _checked(node, np.asarray(np.real(general(a)), dtype=np.float64))
    w, v = np.linalg.eigh((a + a.T) / 2)
    fw = _checked(node, f(w))
    return np.asarray((v * fw) @ v.T, dtype=np.float64)


def expm(a: Array) -> Array:
    """The matrix exponential: scaling and squaring with a Taylor series (numpy has none)."""
    norm = float(np.linalg.norm(a, 1))
    s = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    x = a / (2**s)
    term = np.eye(a.shape[0])
    total = term.copy()
    for k in range(1, 30):
        term = term @ x / k
        total = total + term
        if float(np.abs(term).max()) < 1e-18 * float(np.abs(total).max()):
            break
    for _ in range(s):
        total = total @ total
    return np.asarray(total, dtype=np.float64)


def _matrix_power(node: t.Node, base: Array, p: float) -> Array:
    if not _is_square(base):
        raise EvaluationError(node, f"cannot raise a {_size(base)} matrix to a power")
    if p == round(p):
        k = int(round(p))
        if k < 0:
            base = _inverse(node, base)
        return np.asarray(np.linalg.matrix_power(base, abs(k)), dtype=np.float64)
    if not _is_symmetric(base):
        raise _unsupported(node, f"cannot evaluate a power {p:g} of a non-symmetric matrix")
    w = np.linalg.eigvalsh((base + base.T) / 2)
    if np.any(w < 0) or (p < 0 and np.any(w == 0)):
        raise EvaluationError(node, f"a power {p:g} of a matrix that is not positive definite")
    return _symmetric_function(node, base, lambda x: np.power(x, p), f"^{{{p:g}}}")


# -- elementwise and matrix functions ------------------------------------------------


def _logistic(x: Array) -> Array:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float64)


def _positive(node: t.Node, a: Array, name: str) -> Array:
    if np.any(a <= 0):
        raise EvaluationError(node, f"`{name}` of a non-positive number")
    return a


def _nonnegative(node: t.Node, a: Array, name: str) -> Array:
    if np.any(a < 0):
        raise EvaluationError(node, f"`{name}` of a negative number")
    return a


# Always elementwise, whatever the shape (no one means a matrix sigmoid).
_ELEMENTWISE: dict[str, Callable[[Array], Array]] = {
    "tanh": np.tanh,
    "sigmoid": _logistic,
    "relu": lambda x: np.maximum(x, 0.0),
    "ReLU": lambda x: np.maximum(x, 0.0),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "sinh": np.sinh,
    "cosh": np.cosh,
    "sign": np.sign,
    "sgn": np.sign,
    "arctan": np.arctan,
    "abs": np.abs,
}

# Elementwise on scalars and vectors (and non-square matrices); the matrix function
# on a square matrix (symmetric only, except exp), as in ``\operatorname{tr}\exp(X)``.
_MATRIX_FUNCTIONS: dict[str, Callable[[Array], Array]] = {
    "exp": np.exp,
    "log": np.log,
    "ln": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "sqrt": np.sqrt,
}
_NEEDS_POSITIVE = {"log": "log", "ln": "ln"}
_NEEDS_NONNEGATIVE = {"sqrt": "sqrt"}


def _apply_matrix_function(node: t.Node, name: str, a: Array) -> Array:
    f = _MATRIX_FUNCTIONS[name]
    square_matrix = _is_square(a) and not _is_scalar(a)
    if square_matrix and name == "exp":
        return expm(a)
    if square_matrix:
        if name in _NEEDS_POSITIVE or name in _NEEDS_NONNEGATIVE:
            if not _is_symmetric(a):
                raise _unsupported(node, f"cannot evaluate `\\{name}` of a non-symmetric matrix")
            w = np.linalg.eigvalsh((a + a.T) / 2)
            if (name in _NEEDS_POSITIVE and np.any(w <= 0)) or np.any(w < 0):
                raise EvaluationError(node, f"`\\{name}` of a matrix that is not positive definite")
        return _symmetric_function(node, a, f, "\\" + name)
    if name in _NEEDS_POSITIVE:
        _positive(node, a, "\\" + name)
    if name in _NEEDS_NONNEGATIVE:
        _nonnegative(node, a, "\\" + name)
    return _checked(node, np.asarray(f(a), dtype=np.float64))


def _softmax(x: Array) -> Array:
    z = np.exp(x - x.max())
    return np.asarray(z / z.sum(), dtype=np.float64)


def _logsumexp(x: Array) -> Array:
    m = float(x.max())
    return np.array([[m + math.log(float(np.exp(x - m).sum()))]])


# -- notation read by shape: constants, indicators, Hadamard powers ------------------------


def _constant(node: t.Node) -> str | None:
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


def _is_indicator_mark(node: t.Node) -> bool:
    r"""``\mathbb{1}`` (or ``\mathbbm{1}``, ``\mathds{1}``), the mark of an indicator; not
    ``\mathbf{1}``, the ones vector."""
    if isinstance(node, t.Symbol):
        return node.name == "1" and node.font == "mathbb" and not node.accents
    return isinstance(node, t.Opaque) and node.text.replace(" ", "") in _INDICATOR_OPAQUE


def _indicator_condition(mark: t.Node, bracket: t.Node | None) -> t.Chain | None:
    r"""The condition of ``\mathbb{1}[z > 0]`` (also ``(…)``, ``\{…\}``): a mark then a
    bracketed comparison."""
    if not _is_indicator_mark(mark) or not isinstance(bracket, t.Paren):
        return None
    if not bracket.open.endswith(("[", "(", "\\{")) or not isinstance(bracket.body, t.Chain):
        return None
    return bracket.body


_RELATIONS: dict[str, Callable[[Array, Array], npt.NDArray[np.bool_]]] = {
    ">": np.greater, "\\gt": np.greater,
    "<": np.less, "\\lt": np.less,
    "\\geq": np.greater_equal, "\\ge": np.greater_equal, "\\geqslant": np.greater_equal,
    "\\leq": np.less_equal, "\\le": np.less_equal, "\\leqslant": np.less_equal,
    "=": np.equal, "\\neq": np.not_equal, "\\ne": np.not_equal,
}  # fmt: skip

_HADAMARD_MARKS = ("\\circ", "\\odot")


def _norm_name(p: t.Node | None) -> str | None:
    r"""A norm's subscript as a name: ``2``, ``F`` (also ``\mathrm{F}``, ``\text{Fro}``), ``\infty``."""
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


def _entry_names(index: t.Node | None) -> tuple[str, ...] | None:
    """The index names of an entry or a sum: ``i`` → (i,), ``ij`` / ``i,j`` → (i, j)."""
    if isinstance(index, t.Symbol) and not index.font and not index.accents:
        return (index.name,)
    if isinstance(index, (t.Product, t.List)):
        items = index.factors if isinstance(index, t.Product) else index.items
        names = [i.name for i in items if isinstance(i, t.Symbol) and not i.font]
        if len(names) == len(items) and len(names) == 2:
            return tuple(names)
    return None


def _drop_words(node: t.Node) -> t.Node:
    """``\text{if } |r|``: the math without the words."""
    if isinstance(node, t.Product):
        rest = [f for f in node.factors if not isinstance(f, t.Text)]
        if rest and len(rest) < len(node.factors):
            return rest[0] if len(rest) == 1 else t.Product(tuple(rest), start=rest[0].start)
    return node


def _is_hadamard_mark(node: t.Node) -> bool:
    return isinstance(node, t.Symbol) and node.name in _HADAMARD_MARKS and not node.accents


def _hadamard_exponent(node: t.Node) -> t.Node | None:
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
        left = _hadamard_exponent(node.left)
        return None if left is None else replace(node, left=left)
    return None


# -- evaluation ----------------------------------------------------------------------------


def evaluate(node: t.Node, values: Mapping[str, Value]) -> Array:
    r"""The value of a typed tree at ``values`` (keyed by :func:`symbol_key`), as a 2-D array.

    A differential ``\mathrm{d}X`` takes the value under ``"d:X"``.  Raises
    :class:`Unsupported` for a construct it does not read and :class:`EvaluationError`
    when the values are out of the expression's domain (or a ``\mathbf{1}`` or ``I``
    with no value has no size its context tells: "no value for `1`").
    """
    try:
        return _Evaluator(values).eval(node)
    except _NeedsSize as e:
        raise EvaluationError(e.node, e.message) from None


def evaluate_scalar(node: t.Node, values: Mapping[str, Value]) -> float:
    """The value of a scalar-valued tree as a float (EvaluationError if it is not 1×1)."""
    return _scalar(node, evaluate(node, values), "the expression")


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

    def __init__(self, values: Mapping[str, Value]) -> None:
        self.values = values
        self.cache: dict[str, Array] = {}
        self.hint: Hint = _NO_HINT
        self.index: dict[str, int] = {}  # inside \sum_i: i and its value

    def lookup(self, node: t.Node) -> Array:
        key = symbol_key(node)
        name = key[0] if key is not None else (node.name if isinstance(node, t.Symbol) else None)
        if name is None:
            raise _unsupported(node)
        if name not in self.cache:
            if name in self.values:
                self.cache[name] = as_matrix(self.values[name])
            elif _constant(node) is not None:
                return self.sized_constant(node, name)
            elif name == "e" and isinstance(node, t.Symbol) and not node.accents:
                return np.array([[math.e]])
            elif name == "\\pi":
                return np.array([[math.pi]])
            else:
                raise EvaluationError(node, f"no value for `{name}`")
        return self.cache[name]

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
            raise _unsupported(node)
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
            known = [v for v in out if v is not None and not _is_scalar(v)]
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
        if _is_indicator_mark(node.base) and isinstance(node.index, t.Chain):
            return self.indicator(node.index)  # \mathbb{1}_{z > 0}
        entry = _entry_names(node.index) if self.index else None
        if entry is not None and all(name in self.index for name in entry):
            v = self.lookup(node.base)  # x_i inside \sum_i, X_{ij} inside \sum_{i,j}
            at = [self.index[name] for name in entry]
            if len(at) == 1 and _is_vector(v) and at[0] < v.shape[0]:
                return v[at[0] : at[0] + 1, :]
            if len(at) == 2 and at[0] < v.shape[0] and at[1] < v.shape[1]:
                return v[at[0] : at[0] + 1, at[1] : at[1] + 1]
            raise _unsupported(node, f"cannot take the entry `{show(node)}`")
        return self.lookup(node)

    def _BigOp(self, node: t.BigOp) -> Array:
        r"""``\sum_{i=1}^{n}`` (or ``\sum_i``) over the entries ``x_i`` of vectors, and
        ``\sum_{i,j}`` (or ``\sum_i \sum_j``) over the entries ``X_{ij}`` of matrices."""
        if node.op != "\\sum":
            raise _unsupported(node)
        low = node.lower
        start = 1
        if isinstance(low, t.Chain) and len(low.items) == 2 and low.relations == ("=",):
            name_node, first = low.items
            if not isinstance(first, t.Number):
                raise _unsupported(node, "cannot evaluate a sum from a symbolic start")
            start = int(first.text)
        else:
            name_node = low
        names = _entry_names(name_node)
        if names is None or set(names) & set(self.index):
            raise _unsupported(node, "cannot read the index of this sum")
        ranges = [self.index_range(node, name) for name in names]
        if node.upper is not None:
            if len(names) != 1:
                raise _unsupported(node, "cannot evaluate a sum over part of the entries")
            stop = int(_scalar(node, self.eval(node.upper), "bound"))
            if stop != ranges[0]:
                raise _unsupported(node, "cannot evaluate a sum over part of the entries")
        if start != 1:
            raise _unsupported(node, "cannot evaluate a sum over part of the entries")
        total: Array | None = None
        for point in itertools.product(*(range(r) for r in ranges)):
            self.index.update(zip(names, point, strict=True))
            try:
                term = self.eval(node.body)
            finally:
                for name in names:
                    self.index.pop(name, None)
            total = term if total is None else total + term
        if total is None:
            raise _unsupported(node, "an empty sum")
        return total

    def index_range(self, node: t.BigOp, name: str) -> int:
        """How many values the index ``name`` takes: the size of what it indexes."""
        sizes = set()
        for n in node.body.walk() if node.body is not None else ():
            if not isinstance(n, t.Sub):
                continue
            entry = _entry_names(n.index)
            if entry is not None and name in entry:
                v = self.lookup(n.base)
                sizes.add(v.shape[entry.index(name)] if len(entry) == 2 else v.shape[0])
        if len(sizes) != 1:
            raise _unsupported(node, "cannot tell the range of this sum")
        return sizes.pop()

    def _Tagged(self, node: t.Tagged) -> Array:
        return self.lookup(node)

    def _Number(self, node: t.Number) -> Array:
        try:
            return np.array([[float(node.text)]])
        except ValueError:
            raise _unsupported(node, f"cannot read the number `{node.text}`") from None

    def _Differential(self, node: t.Differential) -> Array:
        body = node.body
        if body is None:
            raise EvaluationError(node, "a differential without a body")
        if isinstance(body, t.Transpose):  # \mathrm{d}X^\top = (\mathrm{d}X)^\top
            return self.eval(t.Differential(body=body.base), _swap(self.hint)).T
        if isinstance(body, t.Paren) and body.open.endswith("(") and body.body is not None:
            return self.eval(t.Differential(body=body.body), self.hint)
        key = differential_key(body)
        if key is None:
            raise _unsupported(node, f"cannot evaluate the differential `{show(node)}`")
        if key not in self.values:
            raise EvaluationError(node, f"no value for `\\mathrm{{d}}{key[2:]}` (key {key!r})")
        return as_matrix(self.values[key])

    def _Chain(self, node: t.Chain) -> Array:
        raise _unsupported(node, f"cannot evaluate the relation `{show(node)}` as a value")

    def indicator(self, condition: t.Chain) -> Array:
        r"""``\mathbb{1}[a > b]``: 1.0 entrywise where every relation holds, else 0.0."""
        if any(item is None for item in condition.items) or len(condition.items) < 2:
            raise _unsupported(condition, f"cannot evaluate the condition `{show(condition)}`")
        values = self.same_shape(tuple(item for item in condition.items if item is not None))
        held: npt.NDArray[np.bool_] | None = None
        for rel, a, b in zip(condition.relations, values, values[1:], strict=False):
            compare = _RELATIONS.get(rel)
            if compare is None:
                raise _unsupported(condition, f"cannot evaluate the relation `{rel}`")
            if a.shape != b.shape and not (_is_scalar(a) or _is_scalar(b)):
                raise EvaluationError(condition, f"`{rel}` of {_size(a)} and {_size(b)}")
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
                raise _unsupported(node, "a case without a value and a condition")
            value, cond = cells
            if isinstance(cond, t.Text) and any(
                w in cond.text for w in ("otherwise", "else", "elsewhere")
            ):
                return self.eval(value, self.hint)
            if not isinstance(cond, t.Chain):
                raise _unsupported(cond, f"cannot evaluate the condition `{show(cond)}`")
            items = tuple(_drop_words(i) if i is not None else None for i in cond.items)
            held = self.indicator(t.Chain(items, cond.relations, start=cond.start, end=cond.end))
            if held.shape != (1, 1):
                raise _unsupported(cond, "a condition of the cases on an array")
            if held[0, 0]:
                return self.eval(value, self.hint)
        raise EvaluationError(node, "no case applies")

    # sums and products

    def _Add(self, node: t.Add) -> Array:
        if node.trailing:
            raise _unsupported(node, "cannot evaluate a sum that goes on in the next row")
        for sign in node.signs:
            if sign not in ("", "+", "-"):
                raise _unsupported(node, f"cannot evaluate the sign `{sign}`")
        total: Array | None = None
        for sign, v in zip(node.signs, self.same_shape(node.terms), strict=True):
            v = -v if sign == "-" else v
            if total is None:
                total = v
            elif total.shape != v.shape and not (_is_scalar(total) or _is_scalar(v)):
                raise EvaluationError(node, f"cannot add {_size(total)} and {_size(v)}")
            else:
                total = total + v
        if total is None:
            raise EvaluationError(node, "an empty sum")
        return total

    def _Neg(self, node: t.Neg) -> Array:
        if node.sign not in ("-", "+"):
            raise _unsupported(node, f"cannot evaluate the sign `{node.sign}`")
        v = self.eval(node.operand, self.hint)
        return -v if node.sign == "-" else v

    def _Product(self, node: t.Product) -> Array:
        hint = self.hint
        factors: list[t.Node | _Indicator] = []
        i = 0
        while i < len(node.factors):
            nxt = node.factors[i + 1] if i + 1 < len(node.factors) else None
            condition = _indicator_condition(node.factors[i], nxt)
            if condition is not None:
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
        result: Array | None = None
        for v in values:
            assert v is not None
            result = v if result is None else _times(node, result, v)
        assert result is not None
        return result

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
            raise _unsupported(node, f"`{op}` has no right operand")
        if op not in ("\\cdot", "\\odot", "\\circ", "\\oslash", "\\otimes", "/", "\\div"):
            if op in ("\\times", "*") or op.endswith("\\times"):
                a, b = self.eval(node.left), self.eval(node.right)
                if _is_scalar(a) or _is_scalar(b):
                    return a * b
            raise _unsupported(node, f"cannot evaluate the operator `{op}` here")
        if op in ("\\odot", "\\circ", "\\oslash"):
            a, b = self.same_shape((node.left, node.right))
            return _elementwise(node, a, b, "/" if op == "\\oslash" else op)
        if op in ("/", "\\div"):  # by a scalar
            a, b = self.eval(node.left, self.hint), self.eval(node.right)
            return a / _nonzero(node, np.array([[_scalar(node, b, "a divisor")]]))
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
            if a.shape == b.shape and a.shape[1] == 1 and not _is_scalar(a):
                return a.T @ b  # the dot product of two vectors
            return _times(node, a, b)
        return np.asarray(np.kron(a, b), dtype=np.float64)  # \otimes

    def _Frac(self, node: t.Frac) -> Array:
        if node.command not in ("frac", "dfrac", "tfrac", "cfrac"):
            raise _unsupported(node, f"cannot evaluate `\\{node.command}`")
        num, den = self.eval(node.num, self.hint), self.eval(node.den)
        d = _scalar(node, den, "a denominator")
        if d == 0:
            raise EvaluationError(node, "division by zero")
        return num / d

    def _Sqrt(self, node: t.Sqrt) -> Array:
        v = self.eval(node.body)
        if not _is_vector(v):
            raise _unsupported(
                node, "cannot evaluate `\\sqrt` of a matrix (elementwise or matrix root?)"
            )
        if node.index is None:
            return np.sqrt(_nonnegative(node, v, "\\sqrt"))
        k = _scalar(node, self.eval(node.index), "a root index")
        return np.power(_nonnegative(node, v, "\\sqrt"), 1.0 / k)

    def _Power(self, node: t.Power) -> Array:
        hadamard = _hadamard_exponent(node.exponent)
        if hadamard is not None:
            return self.hadamard_power(node, self.eval(node.base, self.hint), hadamard)
        exponent = self.eval(node.exponent)
        if not _is_scalar(exponent):
            return self.exponential(node, exponent)
        p = float(exponent[0, 0])
        base = self.eval(node.base, self.hint)
        if _is_scalar(base):
            b = float(base[0, 0])
            if b < 0 and p != round(p):
                raise EvaluationError(node, f"a non-integer power of a negative number ({b:g})")
            if b == 0 and p < 0:
                raise EvaluationError(node, "a negative power of zero")
            return np.array([[b**p]])
        if _is_vector(base):
            raise _unsupported(
                node, f"cannot evaluate a power of a {_size(base)} vector (elementwise?)"
            )
        return _matrix_power(node, base, p)

    def hadamard_power(self, node: t.Power, base: Array, exponent: t.Node) -> Array:
        r"""``x^{\circ p}``: every entry to the power p."""
        p = _scalar(node, self.eval(exponent), "a Hadamard exponent")
        if p != round(p) and np.any(base < 0):
            raise EvaluationError(node, f"a non-integer power {p:g} of a negative entry")
        if p < 0 and np.any(base == 0):
            raise EvaluationError(node, f"a negative power {p:g} of a zero entry")
        return _checked(node, np.power(base, p))

    def exponential(self, node: t.Power, exponent: Array) -> Array:
        r"""``e^{X}`` of a square matrix X: the matrix exponential."""
        base = node.base
        euler = (
            isinstance(base, t.Symbol) and base.name == "e" and not base.accents
            and "e" not in self.values
        )  # fmt: skip
        if not euler:
            raise EvaluationError(node, f"an exponent must be a scalar, not {_size(exponent)}")
        if _is_vector(exponent):
            raise _unsupported(
                node, f"cannot evaluate `e` to a {_size(exponent)} vector (elementwise?)"
            )
        if not _is_square(exponent):
            raise EvaluationError(node, f"`e` to a {_size(exponent)} matrix")
        return _checked(node, expm(exponent))

    def _Transpose(self, node: t.Transpose) -> Array:
        v = self.eval(node.base, _swap(self.hint))
        return np.conj(v).T if node.conjugate else v.T

    def _InverseTranspose(self, node: t.InverseTranspose) -> Array:
        return _inverse(node, self.eval(node.base, _swap(self.hint))).T

    def _Prime(self, node: t.Prime) -> Array:
        r"""``A'`` of a vector or matrix is its transpose (``x'Ax``); of a scalar it could be a
        derivative, so it is not evaluated."""
        v = self.eval(node.base, _swap(self.hint))
        if _is_scalar(v):
            written = _describe(node.base) + "'" * node.count
            raise _unsupported(node, f"cannot evaluate `{written}` of a scalar (a derivative?)")
        if node.count != 1:
            raise _unsupported(node, f"cannot evaluate {node.count} primes")
        return v.T

    def _Paren(self, node: t.Paren) -> Array:
        if node.body is None or isinstance(node.body, t.List):
            raise _unsupported(node)
        if not (node.open.endswith(("(", "[")) and node.close.endswith((")", "]"))):
            raise _unsupported(node, f"cannot evaluate the brackets `{node.open} {node.close}`")
        return self.eval(node.body, self.hint)

    def _Font(self, node: t.Font) -> Array:
        return self.eval(node.body, self.hint)

    def _Norm(self, node: t.Norm) -> Array:
        v = self.eval(node.body)
        p = node.p
        pname = _norm_name(p)
        if _is_scalar(v) and pname in (None, "1", "2", "F", "\\infty"):
            return np.abs(v)
        if pname is None or pname == "F":
            return np.array([[float(np.linalg.norm(v))]])  # Euclidean / Frobenius
        if _is_vector(v):
            if pname == "\\infty":
                return np.array([[float(np.abs(v).max())]])
            try:
                k = float(pname)
            except ValueError:
                raise _unsupported(
                    node, f"cannot evaluate the norm `_{pname}` of a vector"
                ) from None
            if k < 1:
                raise _unsupported(node, f"`_{pname}` is not a norm")
            return np.array([[float((np.abs(v) ** k).sum() ** (1.0 / k))]])
        if pname == "2":
            return np.array([[float(np.linalg.norm(v, 2))]])  # spectral
        if pname == "*":
            return np.array([[float(np.linalg.norm(v, "nuc"))]])
        raise _unsupported(
            node, f"cannot evaluate the matrix norm `_{pname}` (which one is meant?)"
        )

    def _Abs(self, node: t.Abs) -> Array:
        v = self.eval(node.body)
        if not _is_scalar(v):
            raise _unsupported(
                node, f"cannot evaluate `|…|` of a {_size(v)} value (determinant or elementwise?)"
            )
        return np.abs(v)

    def _Angle(self, node: t.Angle) -> Array:
        items = node.items
        if len(items) == 1 and isinstance(items[0], t.List):
            items = items[0].items
        if len(items) != 2:
            raise _unsupported(
                node, "cannot evaluate `\\langle … \\rangle` of other than two items"
            )
        a, b = self.eval(items[0]), self.eval(items[1])
        if a.shape != b.shape:
            raise EvaluationError(node, f"inner product of {_size(a)} and {_size(b)}")
        return np.array([[float(np.sum(a * b))]])  # tr(aᵀb)

    # functions

    def _Apply(self, node: t.Apply) -> Array:
        func = node.func
        args = node.args
        if len(args) == 1 and isinstance(args[0], t.List):
            args = args[0].items
        if isinstance(func, t.Symbol) and func.name == "\\sigma" and not func.accents:
            return _logistic(self.one(node, args, self.hint))
        if not isinstance(func, t.Func):
            raise _unsupported(node, f"cannot evaluate the function `{_describe(func)}`")
        name = func.name.lstrip("\\")
        if func.sub is not None or func.sup is not None:
            raise _unsupported(node, f"cannot evaluate `{show(func)}` (with a sub- or superscript)")
        if name in ("max", "min"):
            if len(args) != 2:
                raise _unsupported(node, f"cannot evaluate `\\{name}` of {len(args)} arguments")
            a, b = self.same_shape((args[0], args[1]))
            if a.shape != b.shape and not (_is_scalar(a) or _is_scalar(b)):
                raise EvaluationError(node, f"`\\{name}` of {_size(a)} and {_size(b)}")
            return np.maximum(a, b) if name == "max" else np.minimum(a, b)
        entrywise = name in _ELEMENTWISE or name in _MATRIX_FUNCTIONS
        x = self.one(node, args, self.hint if entrywise else _NO_HINT)
        if name in ("tr", "Tr", "trace"):
            if not _is_square(x):
                raise EvaluationError(node, f"the trace of a {_size(x)} matrix")
            return np.array([[float(np.trace(x))]])
        if name == "det":
            if not _is_square(x):
                raise EvaluationError(node, f"the determinant of a {_size(x)} matrix")
            return np.array([[float(np.linalg.det(x))]])
        if name == "logdet":
            if not _is_square(x):
                raise EvaluationError(node, f"the determinant of a {_size(x)} matrix")
            sign, logabs = np.linalg.slogdet(x)
            if sign <= 0:
                raise EvaluationError(node, "`logdet` of a matrix with non-positive determinant")
            return np.array([[float(logabs)]])
        if name == "diag":
            if _is_vector(x):
                return np.asarray(np.diag(x.ravel()), dtype=np.float64)
            if _is_square(x):
                return np.asarray(np.diag(x), dtype=np.float64).reshape(-1, 1)
            raise EvaluationError(node, f"`\\diag` of a {_size(x)} matrix")
        if name == "softmax":
            if not _is_vector(x):
                raise _unsupported(node, f"cannot evaluate `softmax` of a {_size(x)} matrix")
            return _softmax(x)
        if name in ("logsumexp", "LSE", "lse"):
            if not _is_vector(x):
                raise _unsupported(node, f"cannot evaluate `{name}` of a {_size(x)} matrix")
            return _logsumexp(x)
        if name in _ELEMENTWISE:
            return _checked(node, np.asarray(_ELEMENTWISE[name](x), dtype=np.float64))
        if name in _MATRIX_FUNCTIONS:
            return _apply_matrix_function(node, name, x)
        raise _unsupported(node, f"cannot evaluate the function `\\{name}`")

    def one(self, node: t.Apply, args: tuple[t.Node, ...], hint: Hint = _NO_HINT) -> Array:
        if len(args) != 1:
            raise _unsupported(
                node, f"cannot evaluate `{_describe(node.func)}` of {len(args)} arguments"
            )
        return self.eval(args[0], hint)


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
            return None if block is None or _is_scalar(block) else _edge(block, left)
        block = v if block is None else (_times(node, v, block) if left else _times(node, block, v))
    if block is None or _is_scalar(block):
        return outer
    return _edge(block, left)


def _edge(block: Array, left: bool) -> int:
    return int(block.shape[1] if left else block.shape[0])


# -- sampling -------------------------------------------------------------------------------


def concrete(dim: sympy.Expr, sizes: Mapping[str, int]) -> int:
    """A dimension (``n``, ``n + 1``, ``3``) at the chosen sizes of its symbols."""
    value = dim.subs({s: sizes[s.name] for s in dim.free_symbols if isinstance(s, sympy.Symbol)})
    if not value.is_Integer or int(value) < 1:
        raise ValueError(f"the dimension {dim} is {value} at sizes {dict(sizes)}")
    return int(value)


def concrete_shape(shape: Shape, sizes: Mapping[str, int]) -> tuple[int, int]:
    return concrete(shape.rows, sizes), concrete(shape.cols, sizes)


def sample_inputs(
    shapes: Mapping[str, Shape],
    *,
    positive_definite: set[str] | frozenset[str] = frozenset(),
    positive: set[str] | frozenset[str] = frozenset(),
    symmetric: set[str] | frozenset[str] = frozenset(),
    rng: np.random.Generator,
) -> tuple[dict[str, Array], dict[str, int]]:
    """Random values for every symbol, and the size chosen for each dimension symbol.

    Distinct dimension symbols get distinct sizes (from 2 up, at least 2..7), the
    same symbol always the same size, numbers as written.  ``positive_definite``
    symbols are A Aᵀ + n·I, ``positive`` ones exp(normal) entrywise, ``symmetric``
    ones (B + Bᵀ)/2; the rest standard normal.
    """
    for label, names in (
        ("positive_definite", positive_definite),
        ("positive", positive),
        ("symmetric", symmetric),
    ):
        unknown = sorted(set(names) - set(shapes))
        if unknown:
            raise ValueError(f"{label} names symbols with no shape: {', '.join(unknown)}")
    dim_symbols = sorted(
        {s.name for shape in shapes.values() for d in (shape.rows, shape.cols) for s in d.free_symbols
         if isinstance(s, sympy.Symbol)}
    )  # fmt: skip
    pool = np.arange(2, max(8, 2 + len(dim_symbols)))
    chosen = rng.permutation(pool)[: len(dim_symbols)]
    sizes = {name: int(k) for name, k in zip(dim_symbols, chosen, strict=True)}
    values: dict[str, Array] = {}
    for name in sorted(shapes):
        r, c = concrete_shape(shapes[name], sizes)
        if name in positive_definite:
            if r != c:
                raise ValueError(f"{name} is {r}×{c}, so it cannot be positive definite")
            a = rng.standard_normal((r, r))
            values[name] = a @ a.T + r * np.eye(r)
        elif name in positive:
            values[name] = np.exp(rng.standard_normal((r, c)))
        elif name in symmetric:
            if r != c:
                raise ValueError(f"{name} is {r}×{c}, so it cannot be symmetric")
            b = rng.standard_normal((r, r))
            values[name] = (b + b.T) / 2
        else:
            values[name] = rng.standard_normal((r, c))
    return values, sizes


# -- finite differences -----------------------------------------------------------------------


def _perturbed(
    values: Mapping[str, Value], wrt: str
) -> tuple[dict[str, Value], npt.NDArray[np.float64]]:
    if wrt not in values:
        raise KeyError(f"no value for `{wrt}`")
    out = dict(values)
    x = np.array(values[wrt], dtype=np.float64)
    return out, x


def finite_difference_gradient(
    f: Callable[[dict[str, Value]], float | Array],
    values: Mapping[str, Value],
    wrt: str,
    eps: float = 1e-6,
) -> Array:
    """The gradient of a scalar function of ``values`` w.r.t. ``values[wrt]`` by central
    differences: an array of the same shape as ``values[wrt]``."""
    point, x = _perturbed(values, wrt)
    flat = x.reshape(-1)
    grad = np.empty(flat.size)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        point[wrt] = x.copy()
        up = _as_float(f(point))
        flat[i] = saved - eps
        point[wrt] = x.copy()
        down = _as_float(f(point))
        flat[i] = saved
        grad[i] = (up - down) / (2 * eps)
    return grad.reshape(x.shape)


def finite_difference_jacobian(
    f: Callable[[dict[str, Value]], npt.ArrayLike],
    values: Mapping[str, Value],
    wrt: str,
    eps: float = 1e-6,
) -> Array:
    """The Jacobian of a vector function in numerator layout, m×n for f ∈ ℝᵐ and
    ``values[wrt]`` ∈ ℝⁿ by central differences.

    A matrix output or variable is taken as vec(·) (columns stacked, column-major),
    so the result is ∂vec(F)/∂vec(X)ᵀ.
    """
    point, x = _perturbed(values, wrt)
    n = x.size
    columns: list[Array] = []
    for j in range(n):
        step = np.zeros(n)
        step[j] = eps
        delta = step.reshape(x.shape, order="F")
        point[wrt] = x + delta
        up = np.asarray(f(point), dtype=np.float64).reshape(-1, order="F")
        point[wrt] = x - delta
        down = np.asarray(f(point), dtype=np.float64).reshape(-1, order="F")
        columns.append((up - down) / (2 * eps))
    return np.stack(columns, axis=1)


def _as_float(v: float | Array) -> float:
    a = np.asarray(v, dtype=np.float64)
    if a.size != 1:
        raise ValueError(f"the function is not scalar-valued (its value has shape {a.shape})")
    return float(a.reshape(()))


def function_of(node: t.Node) -> Callable[[dict[str, Value]], Array]:
    """The tree as a function of its values (for the finite-difference tools)."""
    return lambda values: evaluate(node, values)
