r"""Values as 2-D float arrays, and the operations on them that check their domain.

Every value is a 2-D float array: a scalar is 1×1, a vector n×1, a matrix m×n.
Both evaluators use these: :mod:`~texgrad.calculus.evaluate_tree` (of syntax trees),
whose errors name the written construct that failed (hence the ``node`` arguments), and
:mod:`~texgrad.calculus.evaluate_expr` (of the engine's expressions), which shares only
the types, the errors and :func:`expm`.  A value out of a function's domain (``\log``
of a negative number, a singular inverse, a shape mismatch) raises
:class:`EvaluationError`; a construct whose meaning is ambiguous for the values given
(``\log X`` of a non-symmetric matrix) raises :class:`Unsupported`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from texgrad.calculus.entrywise_said import functions_entrywise
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of

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


def describe(node: t.Node) -> str:
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
        return describe(node.func)
    return latex_of(node)


def unsupported(node: t.Node, what: str | None = None) -> Unsupported:
    return Unsupported(node, what or f"cannot evaluate `{describe(node)}`")


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


def size_text(a: Array) -> str:
    return f"{a.shape[0]}×{a.shape[1]}"


def is_scalar(a: Array) -> bool:
    return a.shape == (1, 1)


def is_vector(a: Array) -> bool:
    """A column or a row (or 1×1)."""
    return bool(a.shape[0] == 1 or a.shape[1] == 1)


def is_square(a: Array) -> bool:
    return bool(a.shape[0] == a.shape[1])


def is_symmetric(a: Array) -> bool:
    return is_square(a) and bool(np.allclose(a, a.T, rtol=1e-10, atol=1e-12))


def scalar_of(node: t.Node, a: Array, role: str) -> float:
    if not is_scalar(a):
        raise EvaluationError(node, f"{role} must be a scalar, not {size_text(a)}")
    return float(a[0, 0])


def times(node: t.Node, a: Array, b: Array) -> Array:
    """A matrix product where a 1×1 side scales the other."""
    if is_scalar(a) or is_scalar(b):
        return a * b
    if a.shape[1] != b.shape[0]:
        raise EvaluationError(
            node, f"cannot multiply {size_text(a)} by {size_text(b)} in `{describe(node)}`"
        )
    return a @ b


def elementwise(node: t.Node, a: Array, b: Array, op: str) -> Array:
    if a.shape != b.shape and not (is_scalar(a) or is_scalar(b)):
        raise EvaluationError(node, f"`{op}` of {size_text(a)} and {size_text(b)}: shapes differ")
    return a * b if op != "/" else a / nonzero(node, b)


def nonzero(node: t.Node, a: Array) -> Array:
    if np.any(a == 0):
        raise EvaluationError(node, f"division by zero in `{describe(node)}`")
    return a


def finite(node: t.Node, a: Array) -> Array:
    if not np.all(np.isfinite(a)):
        raise EvaluationError(node, f"`{describe(node)}` is not finite here")
    return a


def inverse(node: t.Node, a: Array) -> Array:
    if not is_square(a):
        raise EvaluationError(node, f"cannot invert a {size_text(a)} matrix")
    try:
        if np.linalg.cond(a) > 1e13:
            raise np.linalg.LinAlgError
        return np.asarray(np.linalg.inv(a), dtype=np.float64)
    except np.linalg.LinAlgError:
        raise EvaluationError(node, f"`{describe(node)}`: the matrix is singular") from None


def symmetric_function(node: t.Node, a: Array, f: Callable[[Array], Array], name: str) -> Array:
    """f of a symmetric matrix through its eigendecomposition V f(Λ) Vᵀ."""
    if not is_symmetric(a):
        import scipy.linalg  # (here only: scipy takes longer to load than a whole derivative)

        general = {"\\sin": scipy.linalg.sinm, "\\cos": scipy.linalg.cosm, "\\tan": scipy.linalg.tanm,
                   "\\sinh": scipy.linalg.sinhm, "\\cosh": scipy.linalg.coshm,
                   "\\tanh": scipy.linalg.tanhm}.get(name)  # fmt: skip
        if general is None:
            raise unsupported(node, f"cannot evaluate `{name}` of a non-symmetric matrix")
        return finite(node, np.asarray(np.real(general(a)), dtype=np.float64))
    w, v = np.linalg.eigh((a + a.T) / 2)
    fw = finite(node, f(w))
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


def matrix_power(node: t.Node, base: Array, p: float) -> Array:
    if not is_square(base):
        raise EvaluationError(node, f"cannot raise a {size_text(base)} matrix to a power")
    if p == round(p):
        k = int(round(p))
        if k < 0:
            base = inverse(node, base)
        return np.asarray(np.linalg.matrix_power(base, abs(k)), dtype=np.float64)
    if not is_symmetric(base):
        if 2 * p != round(2 * p):
            raise unsupported(node, f"cannot evaluate a power {p:g} of a non-symmetric matrix")
        root = principal_root(node, base)
        k = int(round(2 * p))
        return np.asarray(
            np.linalg.matrix_power(root if k > 0 else inverse(node, root), abs(k)),
            dtype=np.float64,
        )
    w = np.linalg.eigvalsh((base + base.T) / 2)
    if np.any(w < 0) or (p < 0 and np.any(w == 0)):
        raise EvaluationError(node, f"a power {p:g} of a matrix that is not positive definite")
    return symmetric_function(node, base, lambda x: np.power(x, p), f"^{{{p:g}}}")


def principal_root(node: t.Node, a: Array) -> Array:
    """The principal square root of a (not necessarily symmetric) matrix, through its
    eigenvectors: every eigenvalue's root with a positive real part."""
    w, v = np.linalg.eig(a)
    if np.any((np.abs(w.imag) <= 1e-12 * max(1.0, float(np.abs(w).max()))) & (w.real <= 0)):
        raise EvaluationError(node, "a square root of a matrix with an eigenvalue ≤ 0")
    if np.linalg.cond(v) > 1e10:
        raise EvaluationError(node, "a square root of a matrix that is nearly defective")
    root = (v * np.sqrt(w.astype(complex))) @ np.linalg.inv(v)
    if float(np.abs(root.imag).max()) > 1e-8 * max(1.0, float(np.abs(root).max())):
        raise EvaluationError(node, "a square root of a matrix that is not real")
    return np.asarray(root.real, dtype=np.float64)


# -- elementwise and matrix functions ------------------------------------------------


def logistic(x: Array) -> Array:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float64)


def positive(node: t.Node, a: Array, name: str) -> Array:
    if np.any(a <= 0):
        raise EvaluationError(node, f"`{name}` of a non-positive number")
    return a


def nonnegative(node: t.Node, a: Array, name: str) -> Array:
    if np.any(a < 0):
        raise EvaluationError(node, f"`{name}` of a negative number")
    return a


def erf(x: Array) -> Array:
    """The error function, entry by entry (numpy has none of its own)."""
    a = np.asarray(x, dtype=np.float64)
    return np.asarray(np.vectorize(math.erf, otypes=[np.float64])(a), dtype=np.float64).reshape(
        a.shape
    )


# Always elementwise, whatever the shape (no one means a matrix sigmoid).
ELEMENTWISE: dict[str, Callable[[Array], Array]] = {
    "tanh": np.tanh,
    "sigmoid": logistic,
    "relu": lambda x: np.maximum(x, 0.0),
    "ReLU": lambda x: np.maximum(x, 0.0),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "sinh": np.sinh,
    "cosh": np.cosh,
    "sign": np.sign,
    "sgn": np.sign,
    "arctan": np.arctan,
    "abs": np.abs,
    "erf": erf,
}

# Elementwise on scalars and vectors (and non-square matrices); the matrix function
# on a square matrix (symmetric only, except exp), as in ``\operatorname{tr}\exp(X)``.
MATRIX_FUNCTIONS: dict[str, Callable[[Array], Array]] = {
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


def matrix_function(node: t.Node, name: str, a: Array) -> Array:
    f = MATRIX_FUNCTIONS[name]
    square_matrix = is_square(a) and not is_scalar(a) and not functions_entrywise()
    if square_matrix and name == "exp":
        return expm(a)
    if square_matrix:
        if name in _NEEDS_POSITIVE or name in _NEEDS_NONNEGATIVE:
            if not is_symmetric(a):
                raise unsupported(node, f"cannot evaluate `\\{name}` of a non-symmetric matrix")
            w = np.linalg.eigvalsh((a + a.T) / 2)
            if (name in _NEEDS_POSITIVE and np.any(w <= 0)) or np.any(w < 0):
                raise EvaluationError(node, f"`\\{name}` of a matrix that is not positive definite")
        return symmetric_function(node, a, f, "\\" + name)
    if name in _NEEDS_POSITIVE:
        positive(node, a, "\\" + name)
    if name in _NEEDS_NONNEGATIVE:
        nonnegative(node, a, "\\" + name)
    return finite(node, np.asarray(f(a), dtype=np.float64))


def softmax(x: Array) -> Array:
    z = np.exp(x - x.max())
    return np.asarray(z / z.sum(), dtype=np.float64)


def logsumexp(x: Array) -> Array:
    m = float(x.max())
    return np.array([[m + math.log(float(np.exp(x - m).sum()))]])
