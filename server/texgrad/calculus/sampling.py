"""Random points and central differences: what the engine verifies its results with.

:func:`sample_inputs` gives distinct sizes to distinct dimensions, so a missing transpose
cannot hide, and values in each symbol's domain (positive definite, positive, symmetric);
the finite differences work on any function of such values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt
import sympy

from texgrad.calculus.arrays import Array, Value
from texgrad.calculus.deadline import checkpoint
from texgrad.calculus.sympy_dims import Shape, sympy_dim, sympy_shape

# entries of one value at a random point: a 1000×1000 matrix, not an ℝ^{2^{20}×2^{20}} one
# (numbers as written are sizes as written; numpy would try to allocate terabytes)
MAX_SAMPLED_ENTRIES = 1_000_000


def concrete(dim: sympy.Expr, sizes: Mapping[str, int]) -> int:
    """A dimension (``n``, ``n + 1``, ``3``) at the chosen sizes of its symbols."""
    dim = sympy_dim(dim)  # (a shape layer's too: see calculus/sympy_dims.py)
    # (a number or one letter, most dimensions, without subs: ~0.25 ms each, thousands a thesis)
    if dim.is_Integer:
        value = dim
    elif isinstance(dim, sympy.Symbol):
        value = sympy.Integer(sizes[dim.name])
    else:
        value = dim.subs(
            {s: sizes[s.name] for s in dim.free_symbols if isinstance(s, sympy.Symbol)}
        )
    if not value.is_Integer or int(value) < 1:
        raise ValueError(f"the dimension {dim} is {value} at sizes {dict(sizes)}")
    return int(value)


def concrete_shape(shape: Shape, sizes: Mapping[str, int]) -> tuple[int, int]:
    rows, cols = concrete(shape.rows, sizes), concrete(shape.cols, sizes)
    if rows * cols > MAX_SAMPLED_ENTRIES:
        raise ValueError(
            f"a {rows}×{cols} value has more entries than the {MAX_SAMPLED_ENTRIES:,} "
            "a random point may have"
        )
    return rows, cols


def sample_inputs(
    shapes: Mapping[str, Shape],
    *,
    positive_definite: set[str] | frozenset[str] = frozenset(),
    positive: set[str] | frozenset[str] = frozenset(),
    symmetric: set[str] | frozenset[str] = frozenset(),
    labels: Mapping[str, tuple[float, ...]] | None = None,
    distances: set[str] | frozenset[str] = frozenset(),
    rng: np.random.Generator,
) -> tuple[dict[str, Array], dict[str, int]]:
    r"""Random values for every symbol, and the size chosen for each dimension symbol.

    Distinct dimension symbols get distinct sizes (from 2 up, at least 2..7), the
    same symbol always the same size, numbers as written.  ``positive_definite``
    symbols are A Aᵀ + n·I, ``positive`` ones exp(normal) entrywise, ``symmetric``
    ones (B + Bᵀ)/2; ``labels`` entries drawn from their set (``\{0,1\}^n``: 0 or 1,
    each value at least once where there are entries enough); ``distances`` the squared
    distances ‖x_i - x_j‖² of random points (a kernel exp(-D/2ℓ²) of them is positive
    definite); the rest standard normal.
    """
    for label, names in (
        ("positive_definite", positive_definite),
        ("positive", positive),
        ("symmetric", symmetric),
        ("labels", set(labels or ())),
        ("distances", distances),
    ):
        unknown = sorted(set(names) - set(shapes))
        if unknown:
            raise ValueError(f"{label} names symbols with no shape: {', '.join(unknown)}")
    shapes = {name: sympy_shape(shape) for name, shape in shapes.items()}  # (the boundary)
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
        if labels and name in labels:
            values[name] = _labels(labels[name], (r, c), rng)
        elif name in distances:
            if r != c:
                raise ValueError(f"{name} is {r}×{c}, so it cannot hold distances")
            values[name] = squared_distances(rng.standard_normal((r, 3)))
        elif name in positive_definite:
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


def squared_distances(points: Array) -> Array:
    """The matrix of squared distances ‖x_i - x_j‖² between the rows of ``points``."""
    sq = np.sum(points * points, axis=1)
    d = sq[:, None] + sq[None, :] - 2.0 * points @ points.T
    np.fill_diagonal(d, 0.0)
    return np.maximum(d, 0.0)


def _labels(choices: tuple[float, ...], shape: tuple[int, int], rng: np.random.Generator) -> Array:
    """Entries drawn from ``choices``, each of them present when there are entries enough."""
    flat = rng.choice(np.asarray(choices, dtype=float), size=shape[0] * shape[1])
    if flat.size >= len(choices):
        flat[: len(choices)] = choices
        flat = rng.permutation(flat)
    return flat.reshape(shape)


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
        checkpoint()  # (thousands of entries: the request's deadline may pass)
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
        checkpoint()
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
