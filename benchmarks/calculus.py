r"""The differentiation engine against SymPy's matrix derivative (prints figures; not a test).

A fixed subset of ``tests/calculus/problems.py`` goes through ``diff_latex`` (its
numeric verification included); those SymPy can express, built by hand below as
``MatrixSymbol`` expressions over the same symbolic dimensions, go through SymPy's
``.diff`` in the same process.  Every result, ours and SymPy's, is checked numerically
at a random point against the textbook answer: SymPy's by substituting the dimensions
and then random matrices and evaluating (its derivative arrays index the variable
first: a Jacobian comes out transposed, a matrix-by-matrix result as
∂F_kl/∂X_ij at [i, j, k, l]; both are accepted).

Printed: per-problem times (texgrad: the whole ``diff_latex`` call, verification
included; SymPy: ``.diff`` alone, its cache cleared before each run), both medians over
the problems both answered and their ratio, and how many results each got right, wrong,
or failed to give (texgrad's "unchecked": ``evaluate_tree.py`` cannot read the notation of
its result).  Offline.

    .venv/bin/python benchmarks/calculus.py [--repeat 3] [--only ID ...]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as texgrad runs: cli.one_blas_thread
import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.cache import clear_cache

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.calculus.problem_numerics import (  # noqa: E402
    EXACT_RTOL,
    FD_RTOL,
    answer_length,
    answer_tree,
    answer_value,
    close,
    domain,
    evaluate_differential,
    evaluate_engine,
    function,
    has_differential,
    key_of,
    length,
    random_direction,
    rng_for,
    sample_with_sizes,
    tree,
)
from tests.calculus.problems import BY_ID, Problem  # noqa: E402

from texgrad.calculus.arrays import EvaluationError  # noqa: E402
from texgrad.calculus.sampling import finite_difference_jacobian  # noqa: E402

S = dict[str, Any]  # value key -> SymPy MatrixSymbol (or Symbol for a scalar)
# the clock both are timed by: wall (perf_counter), or with --cpu this process' CPU time
# (user + sys: a busy machine's waits for a core do not count)
CLOCK: list[Callable[[], float]] = [time.perf_counter]


def _tr(e: Any) -> Any:
    return sp.Trace(e)


def _gaussian_nll(s: S) -> Any:
    r = s["x"] - s["\\mu"]  # log det Σ is a scalar: the quadratic form must be a trace
    return sp.log(sp.Determinant(s["\\Sigma"])) / 2 + _tr(r.T * s["\\Sigma"].I * r) / 2


def _sigmoid(s: Any) -> Any:
    return 1 / (1 + sp.exp(-s))


# How each problem is written in SymPy: a 1×1 product stays a matrix expression where no
# scalar function is applied to it, and is a trace where one is (log, a quotient).
SYMPY: dict[str, Callable[[S], Any]] = {
    "cb49-det": lambda s: sp.Determinant(s["X"]),
    "cb57-ln-abs-det": lambda s: sp.log(sp.Determinant(s["X"])),
    "cb61-bilinear-inverse": lambda s: s["a"].T * s["X"].I * s["b"],
    "cb63-trace-inverse": lambda s: _tr(s["A"] * s["X"].I * s["B"]),
    "cb69-inner": lambda s: s["x"].T * s["a"],
    "cb70-bilinear": lambda s: s["a"].T * s["X"] * s["b"],
    "cb71-bilinear-transposed": lambda s: s["a"].T * s["X"].T * s["b"],
    "cb77-gram-bilinear": lambda s: s["b"].T * s["X"].T * s["X"] * s["c"],
    "cb81-quadratic": lambda s: s["x"].T * s["B"] * s["x"],
    "cb83-affine-quadratic": lambda s: (
        (s["X"] * s["b"] + s["c"]).T * s["D"] * (s["X"] * s["b"] + s["c"])
    ),
    "cb100-trace-XA": lambda s: _tr(s["X"] * s["A"]),
    "cb101-trace-AXB": lambda s: _tr(s["A"] * s["X"] * s["B"]),
    "cb106-trace-square": lambda s: _tr(s["X"] ** 2),
    "cb108-trace-XtBX": lambda s: _tr(s["X"].T * s["B"] * s["X"]),
    "cb115-trace-XtX": lambda s: _tr(s["X"].T * s["X"]),
    "cb121-trace-power": lambda s: _tr(s["X"] ** 3),
    "cb132-frobenius": lambda s: _tr(s["X"].T * s["X"]),
    "least-squares": lambda s: (s["A"] * s["x"] - s["b"]).T * (s["A"] * s["x"] - s["b"]),
    "user-ln-norm": lambda s: sp.log(_tr(s["x"].T * s["A"].T * s["A"] * s["x"])),
    "user-affine": lambda s: s["a_{0}"] + s["a"].T * s["B"],
    "user-trace-AB": lambda s: _tr(s["A"] * s["B"]),
    "user-prime-quadratic": lambda s: s["x"].T * s["A"] * s["x"],
    "ml-ridge": lambda s: (
        (s["y"] - s["X"] * s["w"]).T * (s["y"] - s["X"] * s["w"])
        + s["\\lambda"] * s["w"].T * s["w"]
    ),
    "ml-logistic": lambda s: (
        -s["y"] * sp.log(_sigmoid(_tr(s["w"].T * s["x"])))
        - (1 - s["y"]) * sp.log(1 - _sigmoid(_tr(s["w"].T * s["x"])))
    ),
    "ml-gaussian-nll-mean": lambda s: _gaussian_nll(s),
    "ml-gaussian-nll-covariance": lambda s: _gaussian_nll(s),
    "ml-frobenius-regression": lambda s: _tr(
        (s["X"] * s["W"] - s["Y"]).T * (s["X"] * s["W"] - s["Y"])
    ),
    "ml-factorization-U": lambda s: _tr(
        (s["Y"] - s["U"] * s["V"].T).T * (s["Y"] - s["U"] * s["V"].T)
    ),
    "ml-rayleigh": lambda s: _tr(s["x"].T * s["A"] * s["x"]) / _tr(s["x"].T * s["x"]),
    "log-det-spd": lambda s: sp.log(sp.Determinant(s["X"])),
    "log-det-regularised-gram": lambda s: sp.log(sp.Determinant(s["A"] + s["X"].T * s["X"])),
    "trace-inverse": lambda s: _tr(s["X"].I),
    "trace-AXBXt": lambda s: _tr(s["A"] * s["X"] * s["B"] * s["X"].T),
    "trace-AXBX": lambda s: _tr(s["A"] * s["X"] * s["B"] * s["X"]),
    "trace-sqrt-gram": lambda s: _tr(sp.MatPow(s["X"].T * s["X"], sp.Rational(1, 2))),
    "trace-quotient": lambda s: _tr(s["A"] * s["X"]) / _tr(s["B"] * s["X"]),
    "quadratic-inverse": lambda s: s["x"].T * s["A"].I * s["x"],
    "jac-linear": lambda s: s["A"] * s["x"],
    "jac-hadamard": lambda s: sp.HadamardProduct(s["x"], s["y"]),
    "scalar-det-pencil": lambda s: sp.Determinant(s["A"] + s["t"] * s["B"]),
    "scalar-trace-inverse-pencil": lambda s: _tr((s["A"] + s["t"] * s["B"]).I),
    "scalar-inverse-pencil": lambda s: (s["A"] + s["t"] * s["B"]).I,
    "mat-AXB": lambda s: s["A"] * s["X"] * s["B"],
    "mat-inverse": lambda s: s["X"].I,
    "mat-gram": lambda s: s["X"].T * s["X"],
    "mat-square": lambda s: s["X"] ** 2,
    "mat-XAXt": lambda s: s["X"] * s["A"] * s["X"].T,
}

# The fixed subset: all that SymPy can be asked, and some it cannot express at all.
TEXGRAD_ONLY = [
    "sum-relu",
    "log-sum-exp",
    "user-relu-jacobian",
    "user-batchnorm-x",
    "ml-softmax-ce",
    "ml-mlp-hidden-layer",
    "jac-softmax",
    "jac-sigmoid-layer",
    "mat-sigmoid-layer",
]
SUBSET = list(SYMPY) + TEXGRAD_ONLY


# -- SymPy ----------------------------------------------------------------------------------


def sympy_symbols(problem: Problem) -> S:
    out: S = {}
    for key, shape in domain(problem.where).shapes.items():
        if shape.is_scalar:
            out[key] = sp.Symbol(key, real=True)
        else:
            out[key] = sp.MatrixSymbol(key, shape.rows, shape.cols)
    return out


def sympy_numeric(expr: Any, values: dict[str, np.ndarray], sizes: dict[str, int]) -> np.ndarray:
    """A SymPy matrix (or array) expression at numeric values, as a numpy array."""
    dims = {sp.Symbol(k, positive=True, integer=True): v for k, v in sizes.items()}
    e = expr.subs(dims)
    rep: dict[Any, Any] = {}
    for m in e.atoms(sp.MatrixSymbol):
        rep[m] = sp.ImmutableMatrix(values[m.name])
    for s in e.atoms(sp.Symbol):
        if s.name in values:
            rep[s] = sp.Float(float(values[s.name][0, 0]))
    e = e.xreplace(rep).doit()
    try:
        return np.array(e.tolist() if hasattr(e, "tolist") else float(e), dtype=float)
    except (TypeError, ValueError, IndexError):
        return np.array(e.as_explicit().tolist(), dtype=float)


def sympy_verdict(
    problem: Problem, result: Any, values: dict[str, np.ndarray], sizes: dict[str, int]
) -> tuple[str, str]:
    """("right" | "wrong" | "failed", why) for SymPy's derivative at this point."""
    if result.has(sp.Derivative) or type(result).__name__ == "ArrayDerivative":
        return "failed", "left unevaluated"
    try:
        got = sympy_numeric(result, values, sizes)
    except Exception as e:  # noqa: BLE001 - complex numbers, an unevaluable array form
        return "wrong", f"cannot be evaluated: {type(e).__name__}: {str(e)[:60]}"
    wrt = key_of(problem.wrt)
    x = values[wrt]
    if problem.kind == "matrix":
        rng = np.random.default_rng(7)
        e = random_direction(values, wrt, rng)
        want = evaluate_differential(answer_tree(problem), values, wrt, e)
        f_shape = want.shape
        if got.size != x.size * want.size:
            return "wrong", f"shape {got.shape}"
        got = np.einsum("ijkl,ij->kl", got.reshape(*x.shape, *f_shape), e)
    else:
        want = answer_value(problem, values)
        if problem.kind == "jacobian":
            want = want.T  # SymPy indexes the variable first
        if got.size != want.size:
            return "wrong", f"shape {got.shape}, expected {want.shape}"
        got = got.reshape(want.shape)
    ok, why = close(got, want, 1e-6)
    if ok:
        return "right", ""
    return "wrong", "zero" if not np.any(got) else why.splitlines()[0]


def run_sympy(problem: Problem, repeat: int) -> tuple[float | None, str, str]:
    build = SYMPY[problem.id]
    best: float | None = None
    result: Any = None
    try:
        for _ in range(repeat):
            clear_cache()
            symbols = sympy_symbols(problem)
            expr = build(symbols)
            t0 = CLOCK[0]()
            result = expr.diff(symbols[key_of(problem.wrt)])
            dt = CLOCK[0]() - t0
            best = dt if best is None else min(best, dt)
    except Exception as e:  # noqa: BLE001 - any failure of SymPy's is its result
        return best, "failed", f"{type(e).__name__}: {str(e)[:60]}"
    values, sizes = sample_with_sizes(problem, rng_for(problem, 500))
    verdict, why = sympy_verdict(problem, result, values, sizes)
    return best, verdict, why


# -- texgrad ----------------------------------------------------------------------------------


def texgrad_verdict(problem: Problem, out: Any) -> tuple[str, str]:
    if out.error is not None:
        return "failed", out.error[:70]
    if not out.verified:
        return "wrong", "not verified"
    if out.kind != problem.kind:
        return "wrong", f"kind {out.kind}"
    try:
        got_tree = tree(out.result)
        values, sizes = sample_with_sizes(problem, rng_for(problem, 500))
        wrt = key_of(problem.wrt)
        if problem.kind != "matrix":
            got = evaluate_engine(got_tree, problem, values, sizes, where=out.where)
            ok, why = close(got, answer_value(problem, values), EXACT_RTOL)
        elif has_differential(got_tree):
            e = random_direction(values, wrt, np.random.default_rng(7))
            got = evaluate_engine(got_tree, problem, values, sizes, where=out.where, direction=e)
            ok, why = close(got, evaluate_differential(answer_tree(problem), values, wrt, e), 1e-6)
        else:
            want = finite_difference_jacobian(function(problem), values, wrt)
            ok, why = close(
                evaluate_engine(got_tree, problem, values, sizes, where=out.where), want, FD_RTOL
            )
    except EvaluationError as e:  # evaluate_tree.py does not read the result's notation
        return "unchecked", f"evaluate_tree.py: {e.message}"[:70]
    return ("right", "") if ok else ("wrong", why.splitlines()[0])


def run_texgrad(
    diff_latex: Callable[..., Any], problem: Problem, repeat: int
) -> tuple[float, str, str, float]:
    best = float("inf")
    out: Any = None
    for _ in range(repeat):
        t0 = CLOCK[0]()
        out = diff_latex(problem.expr, problem.wrt, where=problem.where)
        best = min(best, CLOCK[0]() - t0)
    verdict, why = texgrad_verdict(problem, out)
    text = (out.differential if problem.kind == "matrix" else out.result) or ""
    where = sum(length(w) for w in out.where)  # its "where t_0 = …" counted in
    ratio = (length(text) + where) / answer_length(problem) if text else float("inf")
    return best, verdict, why, ratio


# -- report -----------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per problem (best is shown)")
    ap.add_argument("--only", nargs="*", help="problem ids (default: the fixed subset)")
    ap.add_argument("--cpu", action="store_true", help="time by CPU time, not wall time")
    args = ap.parse_args()
    if args.cpu:
        CLOCK[0] = time.process_time
    ids = args.only or SUBSET
    unknown = [i for i in ids if i not in BY_ID]
    if unknown:
        print(f"unknown problem ids: {', '.join(unknown)}", file=sys.stderr)
        return 2

    try:
        from texgrad.calculus.api import diff_latex
    except ImportError as e:
        diff_latex = None
        print(f"texgrad: the engine cannot be imported ({e}); SymPy only\n", file=sys.stderr)

    warnings.simplefilter("ignore")
    clock = "CPU" if args.cpu else "wall"
    print(f"sympy {sp.__version__}; best of {args.repeat} runs; {clock} times in ms")
    print(f"{'problem':<30} {'texgrad':>9} {'':<9} {'ratio':>5} {'sympy':>9} {'':<7}  note")
    tex_times: dict[str, float] = {}
    sym_times: dict[str, float] = {}
    tally = {
        who: dict.fromkeys(("right", "wrong", "failed", "unchecked"), 0)
        for who in ("texgrad", "sympy")
    }
    for pid in ids:
        problem = BY_ID[pid]
        tex_cell, tex_note, ratio_cell = f"{'-':>9} {'':<9}", "", f"{'':>5}"
        if diff_latex is not None:
            try:
                dt, verdict, why, ratio = run_texgrad(diff_latex, problem, args.repeat)
            except Exception as e:  # noqa: BLE001 - a crash is a failure to give a result
                dt, verdict, why, ratio = float("nan"), "failed", f"raised {e!r}"[:70], 0.0
            if np.isfinite(dt):
                tex_times[pid] = dt
            tally["texgrad"][verdict] += 1
            tex_cell = f"{dt * 1000:>9.1f} {verdict:<9}"
            ratio_cell = f"{ratio:>5.2f}"
            tex_note = why
        sym_cell, sym_note = f"{'-':>9} {'n/a':<7}", ""
        if pid in SYMPY:
            sdt, sverdict, swhy = run_sympy(problem, args.repeat)
            tally["sympy"][sverdict] += 1
            if sdt is not None and sverdict != "failed":
                sym_times[pid] = sdt
            sym_cell = f"{(sdt or 0) * 1000:>9.1f} {sverdict:<7}"
            sym_note = swhy
        note = "; ".join(
            x for x in (tex_note and f"texgrad: {tex_note}", sym_note and f"sympy: {sym_note}") if x
        )
        print(f"{pid:<30} {tex_cell} {ratio_cell} {sym_cell}  {note}")

    print()
    asked = sum(1 for i in ids if i in SYMPY)
    t = tally["sympy"]
    print(
        f"sympy:   {t['right']} right, {t['wrong']} wrong, {t['failed']} failed"
        f" of {asked} it can be asked ({len(ids) - asked} it cannot express)"
    )
    if diff_latex is not None:
        t = tally["texgrad"]
        print(
            f"texgrad: {t['right']} right, {t['wrong']} wrong, {t['failed']} failed, "
            f"{t['unchecked']} unchecked (evaluate_tree.py cannot read the result) of {len(ids)}"
        )
        both = [i for i in ids if i in tex_times and i in sym_times]
        if both:
            mt = statistics.median(tex_times[i] for i in both) * 1000
            ms = statistics.median(sym_times[i] for i in both) * 1000
            print(
                f"median over the {len(both)} both answered: texgrad {mt:.1f} ms (verification "
                f"included), sympy {ms:.1f} ms; texgrad / sympy = {mt / ms:.2f}"
            )
        if tex_times:
            print(
                f"texgrad median over all {len(tex_times)}: "
                f"{statistics.median(tex_times.values()) * 1000:.1f} ms"
            )
    elif sym_times:
        print(f"sympy median: {statistics.median(sym_times.values()) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
