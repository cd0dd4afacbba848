r"""Never silently wrong: check a result against finite differences of the original.

At random points — distinct sizes for distinct dimensions, so a missing
transpose cannot hide; positive-definite matrices where log det, inverses, square
roots or matrix logarithms need them; positive entries under ``\log`` and
``\sqrt`` — the result is compared with central differences of the original
function, and the differential with a directional difference.  Three more
checks guard the ends of the pipeline: the original formula is also evaluated
straight from its syntax tree (by :mod:`texgrad.calculus.evaluate_tree`, which shares
no code with the engine), so a misreading shows; and the *printed* result is
parsed back and evaluated, so a printing slip shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import Array, EvaluationError
from texgrad.calculus.differential import Budget
from texgrad.calculus.evaluate_expr import evaluate, function_of
from texgrad.calculus.evaluate_tree import Defined
from texgrad.calculus.evaluate_tree import evaluate as evaluate_tree
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.lower import Env, FunctionDef, Lowerer, VarInfo, declared_diagonal
from texgrad.calculus.printing import Style, commutation_name, latex
from texgrad.calculus.sampling import sample_inputs
from texgrad.calculus.written import frobenius_operands
from texgrad.calculus.written_simplex import resample
from texgrad.reading.source import MappedText
from texgrad.shapes.dims import Shape
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key

POINTS = 2  # random points every result must pass
TRIES = 6  # points tried to find them (some fall outside the domain)
RTOL = 1e-4


@dataclass
class Check:
    ok: bool
    note: str


def _domain(f: Expr, env: Env) -> tuple[set[str], set[str], set[str]]:
    """Which variables must be sampled positive definite, positive, symmetric."""
    pd: set[str] = set()
    pos: set[str] = set()
    sym: set[str] = set()

    def var_of(x: Expr) -> e.Var | None:
        while isinstance(x, e.T):
            x = x.arg
        return x if isinstance(x, e.Var) else None

    for x in f.walk():
        if isinstance(x, (e.Det, e.MatFn)) or (
            isinstance(x, e.Pow) and not x.is_scalar and not x.exp.is_integer
        ):
            v = var_of(x.arg)
            if v is not None and not v.is_scalar:
                pd.add(v.name)
        if (
            isinstance(x, e.Elem)
            and x.fn in ("log", "sqrt")
            or (isinstance(x, (e.HPow, e.Pow)) and not x.exp.is_integer)
        ):
            v = var_of(x.arg)
            if v is not None and v.name not in pd:
                pos.add(v.name)
            elif v is None:  # log(X ⊘ (WH)) of NMF: X, W and H positive
                pos.update(_monomial_vars(x.arg) - pd)
    for name in {x.name for x in f.walk() if isinstance(x, e.Var)}:
        info = env.vars.get(name)
        if info is not None:
            if info.positive_definite:
                pd.add(name)
            elif info.symmetric:
                sym.add(name)
            if info.positive:
                pos.add(name)
    pos -= pd
    sym -= pd
    return pd, pos, sym


def distance_matrices(f: Expr, env: Env) -> set[str]:
    r"""The square matrices of ``f`` the text writes as squared distances
    (``D_{ij} = \|\mathbf{x}_i - \mathbf{x}_j\|^2``): sampled as such, so that a kernel
    built of them (``K = \sigma_f^2\exp(-D/2\ell^2)``, positive definite as the text
    says) is, and its log-determinant and inverse exist."""
    out: set[str] = set()
    for x in f.walk():
        info = env.vars.get(x.name) if isinstance(x, e.Var) else None
        if info is not None and info.distances and not info.positive_definite:
            out.add(info.key)
    return out


def _monomial_vars(x: Expr) -> set[str]:
    r"""The variables of ``x`` where it is built of them by products, Hadamard products and
    quotients, powers and transposes only (``X \oslash (WH)``, ``\frac{x_i}{s_i}``): positive
    wherever they all are, so sampled positive under a logarithm or a root.  Nothing where
    ``x`` holds anything else (a sum, a difference, a function)."""
    found: set[str] = set()
    stack = [x]
    while stack:
        y = stack.pop()
        if isinstance(y, e.Var):
            found.add(y.name)
        elif isinstance(y, (e.T, e.HPow)):
            stack.append(y.arg)
        elif isinstance(y, e.Pow) and y.is_scalar:
            stack.append(y.arg)
        elif isinstance(y, e.Mul):
            stack.extend(y.factors)
        elif isinstance(y, e.Had):
            stack.extend(y.args)
        elif isinstance(y, e.Ones) or (isinstance(y, e.Num) and y.value.is_positive):
            continue
        else:
            return set()
    return found


def _labels(f: Expr, v: e.Var, env: Env) -> dict[str, tuple[float, ...]]:
    r"""The symbols of ``f`` declared in a set of labels (``\{0,1\}^n``), but the variable."""
    out: dict[str, tuple[float, ...]] = {}
    for name in {x.name for x in f.walk() if isinstance(x, e.Var)} - {v.name}:
        info = env.vars.get(name)
        if info is not None and info.values:
            out[name] = info.values
    return out


def _close(a: Array, b: Array) -> bool:
    if a.shape != b.shape:
        return False
    scale = max(1.0, float(np.abs(b).max(initial=0.0)), float(np.abs(a).max(initial=0.0)))
    return bool(np.allclose(a, b, rtol=RTOL, atol=RTOL * scale))


def verify(
    f: Expr,
    result: Expr,
    df: Expr,
    v: e.Var,
    kind: str,
    layout: str,
    env: Env,
    style: Style,
    budget: Budget,
    original: t.Node | None = None,
    printed: Expr | None = None,
    defined: list[tuple[str, t.Node]] | None = None,
    where: list[tuple[str, str]] | None = None,
    einstein: bool = False,
    on_labels: bool = False,
    unit_sums: dict[str, str] | None = None,
) -> Check:
    r"""Whether ``result`` (and ``df``) agree with finite differences of ``f``.

    ``printed``: the result as it is shown, with the document's names in it (``f``,
    ``result`` and ``df`` have them expanded); it is printed, read back (the names
    substituted from ``env``'s definitions) and compared.  ``defined``: those names'
    definitions as written, evaluated by the tree evaluator for ``original``.  ``where``:
    the names the printed result gives its parts (key, printed value), read back with it.
    ``einstein``: the original is written with the Einstein summation convention.
    ``on_labels``: the result holds only where the symbols declared in a set of labels take
    their values there (M ⊙ M = M of a mask in \{0,1\}): every point is drawn so.
    ``unit_sums``: vectors whose entries the result takes to sum to 1 (one-hot labels,
    distributions: 1ᵀy = 1), drawn so at every point."""
    shapes: dict[str, Shape] = {}
    for x in (*f.walk(), *result.walk(), *df.walk(), v):
        if isinstance(x, e.Var):
            shapes[x.name] = x.shape
    pd, pos, sym = _domain(f, env)
    distances = distance_matrices(f, env)
    pos, sym = pos - distances, sym - distances
    exponents = {
        s.name
        for x in (*f.walk(), *result.walk())
        if isinstance(x, (e.Pow, e.HPow))
        for s in x.exp.free_symbols
    } | {  # a dimension only used as a number (\frac{d}{2} with no d×… variable in f)
        s.name for x in (*f.walk(), *result.walk()) if isinstance(x, e.Num)
        for s in x.value.free_symbols
    }  # fmt: skip
    reread, reread_note = _reread(result if printed is None else printed, env, style, where)
    passed = 0
    problems: list[str] = []
    unread = original is None
    for attempt in range(TRIES):
        budget.check()
        rng = np.random.default_rng(1000 + attempt)
        # labels (y \in \{0,1\}^n) in their set at every other point: the engine reads
        # them as real numbers, so a point off the set checks its result as much
        labels = _labels(f, v, env) if attempt % 2 == 0 or on_labels else None
        try:
            values, sizes = sample_inputs(
                shapes, positive_definite=pd, positive=pos, symmetric=sym, labels=labels,
                distances=distances, rng=rng,
            )  # fmt: skip
        except ValueError as exc:
            return Check(False, f"not verified: {exc}")
        if unit_sums:
            resample(values, unit_sums, rng)  # one-hot labels, distributions
        for name in exponents:
            sizes.setdefault(name, 3)
            if f"\\{name}" in env.vars:  # (1 - p)^\gamma of "\gamma > 0": one γ everywhere
                values[f"\\{name}"] = np.array([[float(sizes[name])]])
        try:
            ok, why = _check_at(f, result, df, v, kind, layout, values, sizes, reread)
        except (EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
                OverflowError, ValueError):  # fmt: skip
            continue  # outside the domain here; try another point
        if ok and original is not None:
            agrees = _as_written(f, original, values, sizes, env, defined or [], einstein)
            if agrees is None:
                unread = True
            elif not agrees:
                ok, why = False, "the formula as written evaluates differently from how it was read"
        if not ok:
            problems.append(why)
            break
        passed += 1
        if passed == POINTS:
            break
    return _verdict(problems, passed, reread is None, reread_note, unread and original is not None)


def _verdict(
    problems: list[str], passed: int, not_reread: bool, reread_note: str, unread: bool
) -> Check:
    """The check's outcome and note, once the sampling is over: a failure first, then no
    point tried, else how many points passed and what could not be cross-checked."""
    if problems:
        return Check(False, f"NOT verified: {problems[0]}")
    if passed == 0:
        return Check(False, "not verified: no random point inside the function's domain")
    note = f"verified at {passed} random point(s) by central differences"
    if not_reread:
        note += f"; {reread_note}"
    if unread:
        note += "; the formula as written was not evaluated independently"
    return Check(True, note)


def _as_written(
    f: Expr,
    original: t.Node,
    values: dict[str, Array],
    sizes: dict[str, int],
    env: Env,
    defined: list[tuple[str, t.Node]],
    einstein: bool = False,
) -> bool | None:
    """Whether the formula as written, evaluated by :mod:`evaluate_tree` (which shares no code
    with the engine), has the value of what the engine read; None if it cannot say.  The
    names it uses (``defined``, in order) are evaluated from their definitions first."""
    node = original
    ops = frobenius_operands(node) if isinstance(node, t.Chain) else None
    if isinstance(node, t.Chain) and node.items and node.items[-1] is not None:
        node = node.items[-1]  # f(x) = …: the right-hand side
    written = dict(values)
    for name, size in sizes.items():
        written.setdefault(name, np.array([[float(size)]]))
        if "_" in name:  # the dimension d_k, keyed as its symbol is: d_{k}
            base, index = name.split("_", 1)
            written.setdefault(f"{base}_{{{index}}}", np.array([[float(size)]]))
    functions = Defined(env.functions)  # (read as asked: see Defined)
    try:
        with np.errstate(all="raise"):
            for name, body in defined:
                if name not in values:
                    value = evaluate_tree(body, written, functions, einstein=einstein)
                    if declared_diagonal(name, body, env) and value.shape[1] == 1:
                        value = np.diagflat(value)  # D = diag(S) \in R^{m×m}: as lowered
                    _define(written, name, value)
            if ops is not None and len(ops) == 2:  # A : B, the sum of the entries of A ⊙ B
                a, b = (evaluate_tree(x, written, functions, einstein=einstein) for x in ops)
                if np.shape(a) != np.shape(b):
                    return None
                want = np.array([[float(np.sum(np.asarray(a) * np.asarray(b)))]])
            else:
                want = evaluate_tree(node, written, functions, einstein=einstein)
            got = evaluate(f, values, sizes)
    except (EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
            OverflowError, ValueError, KeyError):  # fmt: skip
        return None
    return _close(np.asarray(got, dtype=float), np.asarray(want, dtype=float))


def _define(written: dict[str, Array], name: str, value: Array) -> None:
    """Give the tree evaluator a defined name's value (σ's, for σ² = …)."""
    if name.endswith("^{2}"):
        if value.shape != (1, 1) or float(value[0, 0]) < 0:
            raise ValueError(f"`{name}` is not a square here")
        written[name[: -len("^{2}")]] = np.sqrt(value)
    else:
        written[name] = value


def _reread(
    result: Expr, env: Env, style: Style, where: list[tuple[str, str]] | None = None
) -> tuple[Expr | None, str]:
    """The printed result, parsed and read back (None if it cannot be), with the names it
    gives its parts (``where``) read back as definitions."""
    if isinstance(result, e.Zero):
        return result, ""  # 0: a zero of the result's shape, as printed
    if where:
        env = Env(env.vars, dict(env.functions), weak=set(env.weak))
        for key, text in where:
            row = parse_row(MappedText.identity(text))
            if row.tree is None:
                return None, "the printed form was not read back (a name it gives is not read)"
            env.functions[key] = FunctionDef(key, (), row.tree)
    commutations = _commutations(result)
    if commutations:  # K_{mn}: read as the commutation matrix it prints
        env = Env({**env.vars, **{k: VarInfo(k, c.shape, k) for k, c in commutations.items()}},
                  dict(env.functions), weak=set(env.weak))  # fmt: skip
    styles = [style, Style(transpose=style.transpose)]
    if not style.transpose.startswith(("^", "'")):  # \T, the document's own macro: as it
        styles.append(Style(transpose="^{\\mathsf{T}}"))  # would expand, the rest alike
    for st in styles:
        text = latex(result, st)
        row = parse_row(MappedText.identity(text))
        if row.tree is None:
            continue
        try:
            return _with_commutations(Lowerer(env).lower(row.tree), commutations), ""
        except CalculusError:
            continue
    return None, "the printed form was not read back (it uses notation the reader lacks)"


def _commutations(x: Expr) -> dict[str, e.Commutation]:
    """The commutation matrices of ``x`` by the key of their printed name (``K_{mn}``)."""
    out: dict[str, e.Commutation] = {}
    for c in x.walk():
        if isinstance(c, e.Commutation):
            tree = parse_row(MappedText.identity(commutation_name(c))).tree
            key = symbol_key(tree) if tree is not None else None
            if key is not None:
                out[key[0]] = c
    return out


def _with_commutations(x: Expr, found: dict[str, e.Commutation]) -> Expr:
    if not found:
        return x
    if isinstance(x, e.Var) and x.name in found:
        return found[x.name]
    kids = list(x.children())
    return e.rebuild(x, [_with_commutations(k, found) for k in kids]) if kids else x


def _fd(fn: object, x0: Array, h: float) -> list[Array]:
    """Central differences of ``fn`` along each entry of ``x0`` (column-major)."""
    out = []
    flat = x0.reshape(-1, order="F")
    for j in range(flat.size):
        step = np.zeros_like(flat)
        step[j] = h
        delta = step.reshape(x0.shape, order="F")
        out.append((fn(x0 + delta) - fn(x0 - delta)) / (2 * h))  # type: ignore[operator]
    return out


def _check_at(
    f: Expr,
    result: Expr,
    df: Expr,
    v: e.Var,
    kind: str,
    layout: str,
    values: dict[str, Array],
    sizes: dict[str, int],
    reread: Expr | None,
) -> tuple[bool, str]:
    with np.errstate(all="raise"):
        x0 = values[v.name]
        fn = function_of(f, v.name, values, sizes)  # f(x): evaluate(f, {…, v: x}, sizes)
        fn(x0)
        h = 1e-6 * max(1.0, float(np.abs(x0).max()))
        # the differential along a random direction
        direction = np.random.default_rng(7).standard_normal(x0.shape)
        if v.symmetric:
            direction = (direction + direction.T) / 2
        dvals = {**values, "d:" + v.name: direction}
        got = evaluate(result, dvals, sizes)
        d_got = evaluate(df, dvals, sizes)
        d_fd = (fn(x0 + h * direction) - fn(x0 - h * direction)) / (2 * h)
        if not _close(d_got, d_fd):
            return False, "the differential disagrees with finite differences"

        def finite(step: float) -> Array:
            if kind == "gradient":
                cols = _fd(fn, x0, step)
                return np.array([float(c[0, 0]) for c in cols]).reshape(x0.shape, order="F")
            if kind == "derivative":
                return _fd(fn, x0, step)[0]
            cols = _fd(fn, x0, step)
            out = np.hstack([c.reshape(-1, 1, order="F") for c in cols])
            return out.T if layout == "denominator" else out

        if kind in ("gradient", "derivative", "jacobian"):
            want = finite(h)
            if not _close(got, want):
                # rounding in an ill-conditioned f swamps a tiny step: a hundred times
                # larger one has less of it (a wrong result agrees with neither)
                want = finite(100 * h)
            tol_ok = _close(got, want)
        elif kind == "hessian":
            tol_ok = _hessian_close(got, fn, x0)
        else:  # matrix: the differential is the result
            tol_ok = _close(d_got, d_fd)
        if not tol_ok:
            return False, f"the {kind} disagrees with finite differences"
        if reread is not None:
            again = evaluate(reread, dvals, sizes)
            if not _close(again, got if kind != "matrix" else d_got):
                return False, "the printed result does not mean what was computed"
        return True, ""


def _hessian_close(got: Array, fn: object, x0: Array) -> bool:
    r"""Whether the Hessian agrees with second differences at the usual step, or, near a
    pole (``x^\top x / a^\top x`` where ``a^\top x`` is small: the fourth derivative makes
    the step's error large), at a ten times smaller one (a wrong result agrees with neither)."""
    for step in (1e-4, 1e-5):
        want = _hessian_fd(fn, x0, step)
        scale = max(1.0, float(np.abs(want).max()))
        if got.shape == want.shape and np.allclose(got, want, rtol=1e-3, atol=1e-3 * scale):
            return True
    return False


def _hessian_fd(fn: object, x0: Array, step: float = 1e-4) -> Array:
    """Central differences of second order; the formula is symmetric in i and j (the
    steps are along distinct entries, or the same one), so each pair is done once."""
    n = x0.size
    h = step * max(1.0, float(np.abs(x0).max()))
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            ei = np.zeros_like(x0)
            ej = np.zeros_like(x0)
            ei.flat[i] = h
            ej.flat[j] = h
            f = fn
            out[i, j] = out[j, i] = float(
                (f(x0 + ei + ej) - f(x0 + ei - ej) - f(x0 - ei + ej) + f(x0 - ei - ej))[0, 0]  # type: ignore[operator]
            ) / (4 * h * h)
    return out


def symbols_of(x: Expr) -> set[str]:
    return {y.name for y in x.walk() if isinstance(y, e.Var)}


__all__ = ["Check", "verify", "symbols_of", "sympy"]
