r"""Numbers for the calculus: evaluate a typed tree with numpy, sample inputs, finite differences.

Every value is a 2-D float array: a scalar is 1×1, a vector n×1, a matrix m×n.
Matrix products are ``@``; a 1×1 factor scales (so ``x^\top y\, z`` works).
Values are keyed by :func:`texgrad.shapes.declarations.symbol_key` (``\mathbf{x}``
and ``x`` are both ``"x"``).

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

import math
from collections.abc import Callable, Mapping
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.linalg
import sympy

from texgrad.shapes.declarations import symbol_key
from texgrad.shapes.dims import Shape
from texgrad.syntax import tree as t
from texgrad.syntax.show import show

Array: TypeAlias = npt.NDArray[np.float64]
Value: TypeAlias = "npt.ArrayLike | float"

# -- errors -------------------------------------------------------------------------


class EvaluationError(Exception):
    """The tree cannot be evaluated at these values (domain, shapes, a missing value)."""

    def __init__(self, node: t.Node | None, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


class Unsupported(EvaluationError):
    r"""A construct this module does not evaluate (``\int``, ``\foo``, an ambiguous ``|X|``)."""


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


# -- evaluation ----------------------------------------------------------------------------


def evaluate(node: t.Node, values: Mapping[str, Value]) -> Array:
    r"""The value of a typed tree at ``values`` (keyed by :func:`symbol_key`), as a 2-D array.

    Raises :class:`Unsupported` for a construct it does not read and
    :class:`EvaluationError` when the values are out of the expression's domain.
    """
    return _Evaluator(values).eval(node)


def evaluate_scalar(node: t.Node, values: Mapping[str, Value]) -> float:
    """The value of a scalar-valued tree as a float (EvaluationError if it is not 1×1)."""
    return _scalar(node, evaluate(node, values), "the expression")


class _Evaluator:
    def __init__(self, values: Mapping[str, Value]) -> None:
        self.values = values
        self.cache: dict[str, Array] = {}

    def lookup(self, node: t.Node) -> Array:
        key = symbol_key(node)
        name = key[0] if key is not None else (node.name if isinstance(node, t.Symbol) else None)
        if name is None:
            raise _unsupported(node)
        if name not in self.cache:
            if name in self.values:
                self.cache[name] = as_matrix(self.values[name])
            elif name == "e" and isinstance(node, t.Symbol) and not node.accents:
                return np.array([[math.e]])
            elif name == "\\pi":
                return np.array([[math.pi]])
            else:
                raise EvaluationError(node, f"no value for `{name}`")
        return self.cache[name]

    def eval(self, node: t.Node | None) -> Array:
        if node is None:
            raise EvaluationError(None, "an expression is missing")
        method = getattr(self, "_" + node.kind, None)
        if method is None:
            raise _unsupported(node)
        result: Array = method(node)
        return result

    # leaves

    def _Symbol(self, node: t.Symbol) -> Array:
        return self.lookup(node)

    def _Sub(self, node: t.Sub) -> Array:
        return self.lookup(node)

    def _Tagged(self, node: t.Tagged) -> Array:
        return self.lookup(node)

    def _Number(self, node: t.Number) -> Array:
        try:
            return np.array([[float(node.text)]])
        except ValueError:
            raise _unsupported(node, f"cannot read the number `{node.text}`") from None

    # sums and products

    def _Add(self, node: t.Add) -> Array:
        if node.trailing:
            raise _unsupported(node, "cannot evaluate a sum that goes on in the next row")
        total: Array | None = None
        for sign, term in zip(node.signs, node.terms, strict=True):
            if sign not in ("", "+", "-"):
                raise _unsupported(node, f"cannot evaluate the sign `{sign}`")
            v = self.eval(term)
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
        v = self.eval(node.operand)
        return -v if node.sign == "-" else v

    def _Product(self, node: t.Product) -> Array:
        result = self.eval(node.factors[0])
        for f in node.factors[1:]:
            result = _times(node, result, self.eval(f))
        return result

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
        a, b = self.eval(node.left), self.eval(node.right)
        if op == "\\cdot":
            if a.shape == b.shape and a.shape[1] == 1 and not _is_scalar(a):
                return a.T @ b  # the dot product of two vectors
            return _times(node, a, b)
        if op in ("\\odot", "\\circ"):
            return _elementwise(node, a, b, op)
        if op == "\\oslash":
            return _elementwise(node, a, b, "/")
        if op == "\\otimes":
            return np.asarray(np.kron(a, b), dtype=np.float64)
        # / and \div: by a scalar
        return a / _nonzero(node, np.array([[_scalar(node, b, "a divisor")]]))

    def _Frac(self, node: t.Frac) -> Array:
        if node.command not in ("frac", "dfrac", "tfrac", "cfrac"):
            raise _unsupported(node, f"cannot evaluate `\\{node.command}`")
        num, den = self.eval(node.num), self.eval(node.den)
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
        base = self.eval(node.base)
        p = _scalar(node, self.eval(node.exponent), "an exponent")
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

    def _Transpose(self, node: t.Transpose) -> Array:
        v = self.eval(node.base)
        return np.conj(v).T if node.conjugate else v.T

    def _InverseTranspose(self, node: t.InverseTranspose) -> Array:
        return _inverse(node, self.eval(node.base)).T

    def _Paren(self, node: t.Paren) -> Array:
        if node.body is None or isinstance(node.body, t.List):
            raise _unsupported(node)
        if not (node.open.endswith(("(", "[")) and node.close.endswith((")", "]"))):
            raise _unsupported(node, f"cannot evaluate the brackets `{node.open} {node.close}`")
        return self.eval(node.body)

    def _Font(self, node: t.Font) -> Array:
        return self.eval(node.body)

    def _Norm(self, node: t.Norm) -> Array:
        v = self.eval(node.body)
        p = node.p
        pname = None if p is None else show(p)
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
            return _logistic(self.one(node, args))
        if not isinstance(func, t.Func):
            raise _unsupported(node, f"cannot evaluate the function `{_describe(func)}`")
        name = func.name.lstrip("\\")
        if func.sub is not None or func.sup is not None:
            raise _unsupported(node, f"cannot evaluate `{show(func)}` (with a sub- or superscript)")
        if name in ("max", "min"):
            if len(args) != 2:
                raise _unsupported(node, f"cannot evaluate `\\{name}` of {len(args)} arguments")
            a, b = self.eval(args[0]), self.eval(args[1])
            if a.shape != b.shape and not (_is_scalar(a) or _is_scalar(b)):
                raise EvaluationError(node, f"`\\{name}` of {_size(a)} and {_size(b)}")
            return np.maximum(a, b) if name == "max" else np.minimum(a, b)
        x = self.one(node, args)
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

    def one(self, node: t.Apply, args: tuple[t.Node, ...]) -> Array:
        if len(args) != 1:
            raise _unsupported(
                node, f"cannot evaluate `{_describe(node.func)}` of {len(args)} arguments"
            )
        return self.eval(args[0])


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
