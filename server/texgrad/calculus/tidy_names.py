r"""A result through the document's names made as short as the textbook's: parts that the
names make zero dropped, and a name's value written as the name where it stands scaled.

Batch normalisation's gradient by x goes through ``\mu = \frac1m\mathbf 1^\top\mathbf x``
and ``\hat{\mathbf x} = (\mathbf x - \mu\mathbf 1)/\sqrt{\sigma^2 + \epsilon}``: reverse
accumulation leaves terms with ``\mathbf 1^\top(\mathbf x - \mu\mathbf 1)``, which is 0 by
μ's definition, and ``(\mathbf x - \mu\mathbf 1)(\sigma^2 + \epsilon)^{-3/2}``, which is
``\hat{\mathbf x}(\sigma^2 + \epsilon)^{-1}``.

A part is dropped only where it is zero at random points of distinct sizes (relative to the
size of its factors); the result is verified like any other afterwards (names expanded), so
a part wrongly taken for zero can never be shown as verified.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import EvaluationError
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.names import expand
from texgrad.calculus.sampling import sample_inputs

POINTS = 3
TOLERANCE = 1e-9
MAX_CHAIN = 8  # factors of a product searched for a 1×1 run


def drop_zero_parts(x: Expr, names: dict[str, Expr]) -> Expr:
    r"""``x`` with each 1×1 run of a product that involves a name and is zero by the names'
    definitions (``\mathbf 1^\top(\mathbf x - \mu\mathbf 1)``) made 0."""
    if not names:
        return x
    zero = _ZeroTest(names)

    def fix(z: Expr) -> Expr:
        if isinstance(z, e.Mul) and _has_zero_run(z, zero):
            return e.num(0) if z.is_scalar else e.zero(z.rows, z.cols)
        return z

    return _bottom_up(x, fix)


def _bottom_up(x: Expr, fix: Callable[[Expr], Expr]) -> Expr:
    """``x`` rebuilt from its leaves up, ``fix`` applied to every rebuilt part (each distinct
    part once)."""
    memo: dict[Expr, Expr] = {}

    def walk(y: Expr) -> Expr:
        hit = memo.get(y)
        if hit is None:
            kids = list(y.children())
            hit = memo[y] = fix(e.rebuild(y, [walk(c) for c in kids]) if kids else y)
        return hit

    return walk(x)


def _has_zero_run(y: e.Mul, zero: Callable[[Expr], bool]) -> bool:
    fs = y.factors
    if len(fs) > MAX_CHAIN:
        return False
    for i in range(len(fs)):
        if fs[i].rows != e.ONE or fs[i].is_scalar:
            continue
        for j in range(i + 1, len(fs)):
            if fs[j].cols == e.ONE and not fs[j].is_scalar:
                part = e.mul(*fs[i : j + 1])
                if part.is_scalar and zero(part):
                    return True
    return False


class _ZeroTest:
    """Whether a 1×1 part is zero once the names are expanded, at random points."""

    def __init__(self, names: dict[str, Expr]) -> None:
        self.names = names
        self.memo: dict[Expr, bool] = {}

    def __call__(self, part: Expr) -> bool:
        hit = self.memo.get(part)
        if hit is None:
            hit = self.memo[part] = self._zero(part)
        return hit

    def _zero(self, part: Expr) -> bool:
        if not any(isinstance(v, e.Var) and v.name in self.names for v in part.walk()):
            return False
        try:
            value = expand(part, self.names)
        except CalculusError:
            return False
        factors = value.factors if isinstance(value, e.Mul) else (value,)
        shapes = {v.name: v.shape for v in value.walk() if isinstance(v, e.Var)}
        for seed in range(POINTS):
            rng = np.random.default_rng(4100 + seed)
            try:
                values, sizes = sample_inputs(shapes, positive=set(shapes), rng=rng)
                with np.errstate(all="raise"):
                    got = float(np.abs(evaluate(value, values, sizes)).max())
                    scale = 1.0
                    for f in factors:
                        scale *= max(1e-300, float(np.linalg.norm(evaluate(f, values, sizes))))
            except (EvaluationError, CalculusError, FloatingPointError, ValueError,
                    np.linalg.LinAlgError, ZeroDivisionError, OverflowError):  # fmt: skip
                return False
            if not got <= TOLERANCE * max(1.0, scale):
                return False
        return True


def fold_scaled(x: Expr, names: dict[str, Expr]) -> Expr:
    r"""``x`` with a name whose value is a vector scaled by a power (``\hat{\mathbf x} =
    \mathbf u\, s^{-1/2}``) written as the name where a product holds the vector and a power
    of the same base with the same sign (``\mathbf u\, s^{-3/2} = \hat{\mathbf x}\, s^{-1}``);
    the vector's transpose too."""
    scaled = [(k, *parts) for k, v in names.items() if (parts := _scaled(v)) is not None]
    if not scaled:
        return x

    def fix(z: Expr) -> Expr:
        for key, vector, base, p in scaled:
            if not isinstance(z, e.Mul):
                break
            z = _fold_in(z, key, vector, base, p)
        return z

    return _bottom_up(x, fix)


def _scaled(value: Expr) -> tuple[Expr, Expr, sympy.Expr] | None:
    """(u, s, p) for a value ``u · s^p`` (u a vector or matrix, s a scalar, p a number)."""
    if not isinstance(value, e.Mul) or len(value.factors) != 2:
        return None
    a, b = value.factors
    vector, power = (a, b) if b.is_scalar and not a.is_scalar else (b, a)
    if vector.is_scalar or not power.is_scalar or not isinstance(power, e.Pow):
        return None
    if not power.exp.is_number or power.exp == 0:
        return None
    return vector, power.arg, power.exp


def _fold_in(y: e.Mul, key: str, vector: Expr, base: Expr, p: sympy.Expr) -> Expr:
    """``y`` with one occurrence of ``vector`` (or its transpose) and a power of ``base``
    written as the name, as often as the powers allow."""
    name = e.var(key, vector.shape)
    factors = list(y.factors)
    while True:
        at = next((i for i, f in enumerate(factors) if f in (vector, e.transpose(vector))), None)
        pw = next(
            (
                i for i, f in enumerate(factors)
                if isinstance(f, e.Pow) and f.arg == base and f.exp.is_number
                and (f.exp / p) >= 1
            ),
            None,
        )  # fmt: skip
        if at is None or pw is None:
            break
        old = factors[pw]
        assert isinstance(old, e.Pow)
        factors[at] = name if factors[at] == vector else e.transpose(name)
        factors[pw] = e.power(base, old.exp - p)
    return e.mul(*factors) if factors != list(y.factors) else y
