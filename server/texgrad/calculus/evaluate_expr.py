"""Evaluate the engine's expressions (:mod:`~texgrad.calculus.expr`) with numpy.

Used to verify results (:mod:`texgrad.calculus.verify`).  Dimensions are
concrete through ``sizes`` (dimension name → int); a free symbol in an
exponent (``X^k``) takes its value from ``sizes`` too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import Array, EvaluationError, erf, expm
from texgrad.calculus.expr import Expr


def _dim(d: sympy.Expr, sizes: Mapping[str, int]) -> int:
    if d.is_Integer:
        return int(d)
    v = d.subs({sympy.Symbol(k, positive=True, integer=True): n for k, n in sizes.items()})
    v = v.subs({s: sizes[s.name] for s in v.free_symbols if s.name in sizes})
    if not v.is_number:
        raise EvaluationError(None, f"no size for the dimension {d}")
    return int(v)


def _number(x: sympy.Expr, sizes: Mapping[str, float]) -> float:
    if x.is_Number:
        return float(x)
    v = x.subs({s: sizes[s.name] for s in x.free_symbols if s.name in sizes})
    if not v.is_number:
        raise EvaluationError(None, f"no value for {x}")
    return float(v)


def _sigmoid(x: Array) -> Array:
    return np.asarray(0.5 * (1 + np.tanh(0.5 * x)))


_ELEM: dict[str, object] = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "arctan": np.arctan,
    "sigma": _sigmoid, "relu": lambda x: np.maximum(x, 0.0), "abs": np.abs,
    "sqrt": np.sqrt, "softplus": lambda x: np.logaddexp(0.0, x), "sign": np.sign,
    "step": lambda x: (x > 0).astype(float), "erf": erf,
}  # fmt: skip


def evaluate(x: Expr, values: Mapping[str, Array], sizes: Mapping[str, int]) -> Array:
    """The value of ``x`` (a 2-D array); ``values`` by variable name, ``"d:X"`` for dX."""
    return _Eval(values, sizes).ev(x)


def function_of(
    x: Expr, wrt: str, values: Mapping[str, Array], sizes: Mapping[str, int]
) -> Callable[[Array], Array]:
    """``x`` as a function of the value of ``wrt``, the other values fixed: the same
    numbers as :func:`evaluate` with ``{**values, wrt: value}``, but the parts that do
    not involve ``wrt`` are evaluated once, here (finite differences evaluate ``x``
    many times; a value out of those parts' domain raises here)."""
    varying = _involving(x, wrt)
    base = _Eval(values, sizes)
    for node in x.walk():
        if id(node) not in varying:
            base.ev(node)
    fixed = dict(base.memo)

    def at(value: Array) -> Array:
        ev = _Eval({**values, wrt: value}, sizes)
        ev.memo = dict(fixed)
        ev.dims, ev.numbers = base.dims, base.numbers
        return ev.ev(x)

    return at


def _involving(x: Expr, name: str) -> set[int]:
    """The ids of the parts of ``x`` that involve the variable ``name`` (or its dX)."""
    out: set[int] = set()
    seen: set[int] = set()

    def visit(y: Expr) -> bool:
        if id(y) in seen:
            return id(y) in out
        seen.add(id(y))
        hit = isinstance(y, e.Var) and y.name == name
        for c in y.children():
            hit = visit(c) or hit  # every part visited, so every part is marked
        if hit:
            out.add(id(y))
        return hit

    visit(x)
    return out


def _half_power(a: Array, k: int) -> Array:
    """A^{k/2} of a non-symmetric matrix through its principal square root (none when an
    eigenvalue is on the closed negative real axis)."""
    w = np.linalg.eigvals(a)
    if np.any((np.abs(w.imag) < 1e-12 * max(1.0, float(np.abs(w).max()))) & (w.real <= 0)):
        raise EvaluationError(None, "a square root of a matrix with an eigenvalue ≤ 0")
    import scipy.linalg  # (where used: scipy takes longer to load than a whole derivative)

    root = scipy.linalg.sqrtm(a)
    if np.abs(np.imag(root)).max() > 1e-9 * max(1.0, float(np.abs(root).max())):
        raise EvaluationError(None, "a square root of a matrix that is not real")
    r = np.real(root)
    return np.linalg.matrix_power(r if k > 0 else np.linalg.inv(r), abs(k))


def _holds(a: float, op: str, b: float) -> bool:
    if abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)):
        raise EvaluationError(None, "on the boundary between two cases")
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


class _Eval:
    def __init__(self, values: Mapping[str, Array], sizes: Mapping[str, int]) -> None:
        self.values = values
        self.sizes = sizes
        self.memo: dict[int, tuple[Expr, Array]] = {}
        self.dims: dict[sympy.Expr, int] = {}
        self.numbers: dict[sympy.Expr, float] = {}

    def shape(self, x: Expr) -> tuple[int, int]:
        return self.dim(x.rows), self.dim(x.cols)

    def dim(self, d: sympy.Expr) -> int:
        n = self.dims.get(d)
        if n is None:
            n = self.dims[d] = _dim(d, self.sizes)
        return n

    def number(self, x: sympy.Expr) -> float:
        v = self.numbers.get(x)
        if v is None:
            v = self.numbers[x] = _number(x, {**self._scalars(x), **self.sizes})
        return v

    def _scalars(self, x: sympy.Expr) -> dict[str, float]:
        r"""The scalar variables ``x`` names (``\gamma`` of ``b^{\gamma}``, differentiated by
        γ), where no dimension has that name."""
        out: dict[str, float] = {}
        for s in x.free_symbols:
            name = str(s)
            for key in ("\\" + name, name):
                v = self.values.get(key)
                if v is not None and np.size(v) == 1 and name not in self.sizes:
                    out[name] = float(np.asarray(v).reshape(-1)[0])
                    break
        return out

    def ev(self, x: Expr) -> Array:
        hit = self.memo.get(id(x))
        if hit is not None and hit[0] is x:
            return hit[1]
        how = _EVALUATE.get(type(x), _Eval._unknown)  # expression classes have no subclasses
        v = np.asarray(how(self, x), dtype=float)
        if v.ndim == 0:
            v = v.reshape(1, 1)
        self.memo[id(x)] = (x, v)
        return v

    def _unknown(self, x: Expr) -> Array:
        raise EvaluationError(None, f"cannot evaluate {type(x).__name__}")

    # -- leaves ---------------------------------------------------------------------------
    def _var(self, x: e.Var) -> Array:
        if x.name not in self.values:
            raise EvaluationError(None, f"no value for {x.name}")
        return self.values[x.name]

    def _d(self, x: e.D) -> Array:
        return self.values["d:" + x.var.name]

    def _num(self, x: e.Num) -> Array:
        return np.array([[self.number(x.value)]])

    def _identity(self, x: e.Identity) -> Array:
        return np.eye(self.shape(x)[0])

    def _commutation(self, x: e.Commutation) -> Array:
        m, n = self.dim(x.m), self.dim(x.n)
        k = np.zeros((m * n, m * n))
        for i in range(m):
            for j in range(n):  # X_ij is entry i + jm of vec X and j + in of vec Xᵀ
                k[j + i * n, i + j * m] = 1.0
        return k

    def _ones(self, x: e.Ones) -> Array:
        return np.ones(self.shape(x))

    def _zero(self, x: e.Zero) -> Array:
        return np.zeros(self.shape(x))

    # -- sums and products ------------------------------------------------------------------
    def _add(self, x: e.Add) -> Array:
        total = self.ev(x.terms[0])
        for t in x.terms[1:]:
            total = total + self.ev(t)
        return total

    def _mul(self, x: e.Mul) -> Array:
        """1×1 factors scale; the others multiply as matrices (see :func:`expr.chain_shape`)."""
        scale = 1.0
        acc: Array | None = None
        for f in x.factors:
            v = self.ev(f)
            if v.shape == (1, 1):
                scale *= float(v[0, 0])
            elif acc is None or acc.shape == (1, 1) and v.shape[0] != 1:
                if acc is not None:
                    scale *= float(acc[0, 0])
                acc = v
            else:
                acc = acc @ v
        return scale * acc if acc is not None else np.array([[scale]])

    def _had(self, x: e.Had) -> Array:
        out = self.ev(x.args[0])
        for arg in x.args[1:]:
            out = out * self.ev(arg)
        return out

    def _kron(self, x: e.Kron) -> Array:
        return np.asarray(np.kron(self.ev(x.left), self.ev(x.right)), dtype=np.float64)

    # -- matrix operations ------------------------------------------------------------------
    def _t(self, x: e.T) -> Array:
        return self.ev(x.arg).T

    def _inv(self, x: e.Inv) -> Array:
        a = self.ev(x.arg)
        if np.linalg.cond(a) > 1e12:
            raise EvaluationError(None, "singular matrix")
        return np.asarray(np.linalg.inv(a), dtype=float)

    def _tr(self, x: e.Tr) -> Array:
        return np.array([[np.trace(self.ev(x.arg))]])

    def _det(self, x: e.Det) -> Array:
        return np.array([[np.linalg.det(self.ev(x.arg))]])

    def _pow(self, x: e.Pow) -> Array:
        a = self.ev(x.arg)
        p = self.number(x.exp)
        if a.shape == (1, 1):
            if a[0, 0] <= 0 and not float(p).is_integer():
                raise EvaluationError(None, "a fractional power of a non-positive number")
            if a[0, 0] == 0 and p < 0:
                raise EvaluationError(None, "division by zero")
            return a**p
        if float(p).is_integer():
            return np.linalg.matrix_power(a, int(p))
        if not np.allclose(a, a.T) and float(2 * p).is_integer():
            return _half_power(a, int(round(2 * p)))
        w, v = np.linalg.eigh((a + a.T) / 2)
        if not np.allclose(a, a.T) or w.min() <= 1e-8 * max(1.0, float(w.max())):
            # a nearly singular one too: its root's differential is ill-conditioned
            raise EvaluationError(None, "a fractional power of a matrix that is not SPD")
        return (v * w**p) @ v.T

    def _diag_matrix(self, x: e.DiagM) -> Array:
        return np.diag(self.ev(x.arg)[:, 0])

    def _diag_vector(self, x: e.DiagV) -> Array:
        return np.diag(self.ev(x.arg)).reshape(-1, 1)

    def _matrix_function(self, x: e.MatFn) -> Array:
        import scipy.linalg  # (where used: scipy takes longer to load than a whole derivative)

        a = self.ev(x.arg)
        if x.fn == "exp":
            return expm(a)
        if x.fn == "log":
            return np.real(scipy.linalg.logm(a))
        if x.fn == "sin":
            return np.real(scipy.linalg.sinm(a))
        if x.fn == "cos":
            return np.real(scipy.linalg.cosm(a))
        raise EvaluationError(None, f"cannot evaluate {type(x).__name__}")

    def _exp_frechet(self, x: e.ExpFrechet) -> Array:
        a = self.ev(x.arg)
        direction = self.ev(x.direction)
        import scipy.linalg

        return scipy.linalg.expm_frechet(a, direction, compute_expm=False)

    # -- elementwise and the rest --------------------------------------------------------------
    def _elem(self, x: e.Elem) -> Array:
        a = self.ev(x.arg)
        if x.fn in ("log", "sqrt") and a.min() <= 0:
            raise EvaluationError(None, f"{x.fn} of a non-positive number")
        return np.asarray(_ELEM[x.fn](a), dtype=np.float64)  # type: ignore[operator]

    def _applied(self, x: e.Applied) -> Array:
        """A function the document defines on numbers, of each entry (its body at each)."""
        a = self.ev(x.arg)
        given = {c.name: self.ev(g) for c, g in zip(x.fn.consts, x.given, strict=True)}
        out = np.empty_like(a, dtype=np.float64)
        for index, value in np.ndenumerate(a):
            at = _Eval({**given, x.fn.param: np.array([[value]])}, self.sizes).ev(x.fn.body)
            out[index] = at[0, 0]
        return out

    def _hpow(self, x: e.HPow) -> Array:
        a = self.ev(x.arg)
        p = self.number(x.exp)
        if (p < 0 and np.any(a == 0)) or (not float(p).is_integer() and a.min() <= 0):
            raise EvaluationError(None, "elementwise power out of its domain")
        return np.asarray(a**p, dtype=np.float64)

    def _softmax(self, x: e.Softmax) -> Array:
        z = self.ev(x.arg)
        if z.shape[1] != 1:  # a matrix: row by row
            w = np.exp(z - z.max(axis=1, keepdims=True))
            return w / w.sum(axis=1, keepdims=True)
        w = np.exp(z - z.max())
        return w / w.sum()

    def _vec(self, x: e.Vec) -> Array:
        return self.ev(x.arg).reshape(-1, 1, order="F")

    def _unvec(self, x: e.Unvec) -> Array:
        return self.ev(x.arg).reshape(self.shape(x), order="F")

    def _lse(self, x: e.LSE) -> Array:
        z = self.ev(x.arg)
        return np.array([[z.max() + np.log(np.exp(z - z.max()).sum())]])

    def _norm(self, x: e.Norm) -> Array:
        a = self.ev(x.arg)
        if x.p == "1":
            return np.array([[np.abs(a).sum()]])
        return np.array([[np.sqrt((a * a).sum())]])

    def _piecewise(self, x: e.Piecewise) -> Array:
        for value, left, right, op in zip(x.values, x.lefts, x.rights, x.ops, strict=True):
            if op == "" or _holds(float(self.ev(left)[0, 0]), op, float(self.ev(right)[0, 0])):
                return self.ev(value)
        raise EvaluationError(None, "no case applies")


# How each kind of expression is evaluated: a table built once, so that evaluating a node
# is one lookup (verification evaluates every part of a result at many points).
_EVALUATE: dict[type[Expr], Callable[[_Eval, Any], Array]] = {
    e.Var: _Eval._var, e.D: _Eval._d, e.Num: _Eval._num, e.Identity: _Eval._identity,
    e.Commutation: _Eval._commutation,
    e.Ones: _Eval._ones, e.Zero: _Eval._zero, e.Add: _Eval._add, e.Mul: _Eval._mul,
    e.Had: _Eval._had, e.Kron: _Eval._kron, e.T: _Eval._t, e.Inv: _Eval._inv, e.Tr: _Eval._tr,
    e.Det: _Eval._det, e.Pow: _Eval._pow, e.DiagM: _Eval._diag_matrix,
    e.DiagV: _Eval._diag_vector, e.MatFn: _Eval._matrix_function,
    e.ExpFrechet: _Eval._exp_frechet, e.Elem: _Eval._elem, e.HPow: _Eval._hpow,
    e.Softmax: _Eval._softmax, e.LSE: _Eval._lse, e.Norm: _Eval._norm,
    e.Piecewise: _Eval._piecewise, e.Vec: _Eval._vec, e.Unvec: _Eval._unvec,
    e.Applied: _Eval._applied,
}  # fmt: skip
