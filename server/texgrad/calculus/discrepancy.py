r"""How a wrong derivative differs from the right one, when a simple cause explains it.

The ``wrong-derivative`` diagnostic says that a derivative written in a document is
wrong; this module says *how*, in the document's notation: "this is the transpose of
the derivative", "the factors are in the other order", "``(A + A^\top)\mathbf{x}``
unless ``A`` is symmetric", "it has a factor 2 too many", "the sign is wrong",
"``X^{-1}`` where ``X^{-\top}`` is needed".

Every cause is a *relation* between the written value W and the right value R
checked numerically, never guessed from the text: W and R (both in the engine's
algebra, :mod:`~texgrad.calculus.expr`) are evaluated at several random points with a
different size for every dimension (:func:`~texgrad.calculus.sampling.sample_inputs`,
so a missing transpose cannot hide), and a candidate — Rᵀ, c·R, or the written
expression with one thing changed (a product's factors reordered, transposes moved,
``X^{-1}`` and ``X^{-\top}`` exchanged, a matrix replaced by its symmetric part, one
term's sign flipped or scaled by 2, a term added or removed) — is a cause only if it equals R at every
point.  When none does, :func:`explain` says nothing (the diagnostic then only says
that the derivative is wrong): no cause is ever made up.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import Array, EvaluationError
from texgrad.calculus.differential import UNLIMITED, Budget
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.lower import Env, FunctionDef, Lowerer, VarInfo
from texgrad.calculus.printing import Style, latex
from texgrad.calculus.sampling import sample_inputs
from texgrad.reading.source import MappedText
from texgrad.shapes.dims import Shape
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import member_key

POINTS = 3  # random points every relation must hold at
TRIES = 16  # points tried to find them (some fall outside the domain or repeat sizes)
RTOL = 1e-6  # both sides are evaluated exactly: no finite differences in between
MAX_CANDIDATES = 400  # the structural candidates tried, at most
MAX_FACTORS = 4  # a product's factors reordered in every order up to this many (4! = 24)
MAX_TOGGLED = 4  # transposes moved on every subset of up to this many matrices

_FAILURES = (EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
             OverflowError, ValueError, KeyError, CalculusError)  # fmt: skip


@dataclass(frozen=True)
class Cause:
    """Why a written derivative is wrong.

    ``kind``: ``inverse-transpose``, ``symmetric``, ``transpose``, ``order``, ``kronecker-order``,
    ``transposes``, ``factor``, ``sign``, ``term-sign``, ``term-factor``, ``missing-term`` or
    ``extra-term``; ``text``: the sentence, in the document's notation; ``correct``:
    the right derivative printed in that notation.
    """

    kind: str
    text: str
    correct: str


def explain(
    correct: Expr,
    written: Expr,
    env: Env | None = None,
    style: Style | None = None,
    *,
    budget: Budget = UNLIMITED,
    seed: int = 2024,
) -> str | None:
    """The sentence saying how ``written`` differs from ``correct`` (a derivative), or
    None when no simple cause explains it (or the two agree).  See :func:`cause`."""
    found = cause(correct, written, env, style, budget=budget, seed=seed)
    return found.text if found is not None else None


def cause(
    correct: Expr,
    written: Expr,
    env: Env | None = None,
    style: Style | None = None,
    *,
    budget: Budget = UNLIMITED,
    seed: int = 2024,
) -> Cause | None:
    """The simple cause that explains how ``written`` differs from ``correct``, or None.

    ``correct`` and ``written`` are read in the same document (the same variables);
    ``env`` says which of them are symmetric, positive definite, positive or labels (they
    are sampled so), ``style`` how the document writes them (messages quote it).
    Relations are checked at :data:`POINTS` random points (``seed`` fixes them); a
    candidate that cannot be evaluated does not match.
    """
    env = env if env is not None else Env()
    style = style if style is not None else Style()
    points = _Points.sample(correct, written, env, seed)
    if points is None or points.matches(written):
        return None  # nothing to compare at, or not wrong at all
    points.budget = budget
    show = _printer(style)
    right = show(correct)
    for finder in _FINDERS:
        budget.check()
        found = finder(points, correct, written, show)
        if found is not None:
            return Cause(found[0], found[1], right)
    return None


def changes_with(
    correct: Expr, written: Expr, name: str, env: Env | None = None, *, seed: int = 2024
) -> bool:
    """Whether ``written`` minus ``correct`` changes when the variable ``name`` alone does,
    at every one of :data:`POINTS` random points (``name`` drawn again, all else kept), in
    every orientation in which ``written`` could be meant (R, and Rᵀ where its shape fits).

    The test of a slip through an upstream gradient ``G`` (a loss the document never
    defines): a term the loss may hold unwritten (a weight decay λV) adds to the derivative
    something that does not hold ``G``; a difference that changes with ``G`` is none of
    those, whatever its cause (a factor ``1/\\sqrt{k}`` dropped, ``G`` misplaced).  False
    where either side cannot be evaluated, or ``name`` is not in both."""
    env = env if env is not None else Env()
    for side in (correct, written):
        if not any(isinstance(x, e.Var) and x.name == name for x in side.walk()):
            return False
    points = _Points.sample(correct, written, env, seed)
    if points is None:
        return False
    wrote = points.values_of(written)
    if wrote is None:
        return False
    rng = np.random.default_rng(seed + TRIES)
    pairs = list(zip(wrote, (r for _, _, r in points.at), strict=True))
    fitting = [
        f for f in (False, True) if all(w.shape == (r.T if f else r).shape for w, r in pairs)
    ]
    if not fitting:
        return False
    for w, (values, sizes, r) in zip(wrote, points.at, strict=True):
        if name not in values:
            return False
        again = dict(values, **{name: rng.standard_normal(np.shape(values[name]))})
        try:
            with np.errstate(all="raise"):
                w2 = np.asarray(evaluate(written, again, sizes), dtype=float)
                r2 = np.asarray(evaluate(correct, again, sizes), dtype=float)
        except _FAILURES:
            return False
        if not (np.all(np.isfinite(w2)) and np.all(np.isfinite(r2))):
            return False
        for flipped in fitting:  # (wrong, and the difference moved with the variable)
            want, want2 = (r.T, r2.T) if flipped else (r, r2)
            if _close(w, want) or _close(w - want, w2 - want2):
                return False
    return True


def cause_as_written(
    correct: Expr | str,
    written: t.Node | str,
    env: Env,
    style: Style,
    *,
    where: Sequence[str] = (),
    budget: Budget = UNLIMITED,
) -> Cause | None:
    r""":func:`cause` for what a diagnostic has: ``correct``, the engine's verified result
    (``DiffOutcome.value``; or its printed ``result``, read back with the names its
    ``where`` gives: ``"t_0 = …"``), and ``written``, the document's right side (its syntax
    tree, or LaTeX), read with what the document says (``env``: a context's).  None when
    either cannot be read, or no simple cause explains the difference."""
    named = _with_names(env, where)
    if named is None:
        return None
    try:
        right = correct if isinstance(correct, Expr) else _lowered(correct, named)
        wrote = _lowered(written, named)
    except CalculusError:
        return None
    return cause(right, wrote, named, style, budget=budget)


def cause_in_names(
    printed: str,
    written: t.Node,
    env: Env,
    style: Style,
    *,
    where: Sequence[str] = (),
    budget: Budget = UNLIMITED,
) -> Cause | None:
    r""":func:`cause_as_written` with the names both sides use held as matrices of their own
    (``A`` of ``A = \operatorname{softmax}(QK^\top/\sqrt k)``, in the written ``A G`` and the
    engine's printed ``A^\top G``): written in, the name hides the slip, which is a transpose
    of A, not of any letter of its definition.  Sound as an explanation: where the changed
    side equals the right one for every A, it does at A's own value too (the claim is known
    wrong there).  None where no name is shared, or no simple cause explains it."""
    from texgrad.syntax.symbols import symbol_key

    right = parse_row(MappedText.identity(printed)).tree
    if right is None:
        return None
    keys = [
        {k[0] for n in tree.walk() if (k := symbol_key(n)) is not None} for tree in (right, written)
    ]
    shared = {
        k for k in keys[0] & keys[1]
        if (f := env.functions.get(k)) is not None and not f.params and k not in env.vars
    }  # fmt: skip
    if not shared:
        return None
    held = dict(env.vars)
    for key in sorted(shared):
        value = Lowerer(env).lower(env.functions[key].body)
        if value.shape is None:
            return None
        held[key] = VarInfo(key, value.shape, style.symbols.get(key, key))
    functions = {k: f for k, f in env.functions.items() if k not in shared}
    return cause_as_written(
        printed, written, replace(env, vars=held, functions=functions), style, where=where,
        budget=budget,
    )  # fmt: skip


def changes_with_as_written(
    correct: Expr, written: t.Node, name: str, env: Env, where: Sequence[str] = ()
) -> bool:
    """:func:`changes_with` for the document's right side as written (its syntax tree), read
    with what the document says and the names a printed result gives its parts."""
    named = _with_names(env, where)
    if named is None:
        return False
    try:
        return changes_with(correct, _lowered(written, named), name, named)
    except CalculusError:
        return False


def _lowered(text: t.Node | str, env: Env) -> Expr:
    tree = parse_row(MappedText.identity(text)).tree if isinstance(text, str) else text
    if tree is None:
        raise CalculusError("not read")
    return Lowerer(env).lower(tree)


def _with_names(env: Env, where: Sequence[str]) -> Env | None:
    """``env`` with the names a printed result gives its parts (``t_0 = …``) defined."""
    if not where:
        return env
    out = replace(env, functions=dict(env.functions))
    for said in where:
        tree = parse_row(MappedText.identity(said)).tree
        if not isinstance(tree, t.Chain) or tree.relations != ("=",) or len(tree.items) != 2:
            return None
        head, body = tree.items
        key = member_key(head) if head is not None else None
        if key is None or body is None:
            return None
        out.functions[key[0]] = FunctionDef(key[0], (), body)
    return out


def message(
    f_latex: str,
    wrt_latex: str,
    found: Cause | str | None,
    correct: str = "",
    *,
    d: str = "\\partial",
) -> str:
    r"""The ``wrong-derivative`` message, in the document's words: "this is not
    `\partial f/\partial X`: it is the transpose of the derivative; the derivative is
    `A^\top B^\top`".  ``found``: the cause (or its sentence; None when none explains
    it); ``correct``: the right derivative as printed (a :class:`Cause` carries it);
    ``d``: the document's derivative sign (``\mathrm{d}`` of a derivative by a scalar)."""
    if isinstance(found, Cause):
        correct = correct or found.correct
        text = found.text
    else:
        text = found or ""
    head = f"this is not `{d} {_operand(f_latex)}/{d} {wrt_latex.strip()}`"
    out = f"{head}: {text}" if text else head
    if correct and f"`{correct}`" not in text:
        out += f"; the derivative is `{correct}`"
    return out


def _operand(f_latex: str) -> str:
    """``f`` as it stands after ∂: a symbol as written, anything longer in parentheses."""
    f = f_latex.strip()
    simple = f.replace("\\", "").replace("{", "").replace("}", "").replace("_", "")
    if simple.isalnum() and len(simple) <= 12 and " " not in f:
        return f
    if f.endswith(")") and _applied(f):
        return f  # \operatorname{tr}(AXB), (x - y): one group already
    return f"({f})"


def _applied(f: str) -> bool:
    """Whether ``f`` is a name applied to one parenthesised argument (or one group):
    its first ``(`` is closed by its last character, and only a name comes before it."""
    start = f.find("(")
    if start < 0 or any(ch in f[:start] for ch in " +-*/^=,"):
        return False
    depth = 0
    for i, ch in enumerate(f[start:], start):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i == len(f) - 1
    return False


def _printer(style: Style) -> Callable[[Expr], str]:
    def show(x: Expr) -> str:
        return latex(x, style)

    return show


# -- the random points ------------------------------------------------------------------


@dataclass
class _Points:
    """The points every relation is checked at, with R's value at each."""

    at: list[tuple[dict[str, Array], dict[str, int], Array]]
    tried: int = 0  # structural candidates evaluated so far
    budget: Budget = UNLIMITED

    @staticmethod
    def sample(correct: Expr, written: Expr, env: Env, seed: int) -> _Points | None:
        shapes: dict[str, Shape] = {}
        dims: set[sympy.Symbol] = set()
        for x in (*correct.walk(), *written.walk()):
            dims |= x.rows.free_symbols | x.cols.free_symbols
            if isinstance(x, e.Var):
                if x.name in shapes and shapes[x.name] != x.shape:
                    return None  # not read in one document
                shapes[x.name] = x.shape
        for d in dims:  # a size no variable has (the m of a lone \mathbf{1}_m): sized too
            shapes.setdefault(f" {d}", Shape(d, e.ONE))
        pd, pos, sym = _domain(correct, written, env)
        labels = {n: env.vars[n].values for n in shapes if n in env.vars and env.vars[n].values}
        exponents = {
            s.name
            for x in (*correct.walk(), *written.walk())
            if isinstance(x, (e.Pow, e.HPow, e.Num))
            for s in (x.value if isinstance(x, e.Num) else x.exp).free_symbols
        }
        at: list[tuple[dict[str, Array], dict[str, int], Array]] = []
        for attempt in range(TRIES):
            rng = np.random.default_rng(seed + attempt)
            try:
                values, sizes = sample_inputs(
                    shapes, positive_definite=pd, positive=pos, symmetric=sym,
                    labels=labels if attempt % 2 == 0 else None, rng=rng,
                )  # fmt: skip
                for name in exponents:
                    sizes.setdefault(name, 3)
                with np.errstate(all="raise"):
                    value = evaluate(correct, values, sizes)
            except _FAILURES:
                continue
            if any(sizes == seen and sizes for _, seen, _ in at):
                continue  # every point at sizes of its own: a factor n cannot pass as a number
            if np.all(np.isfinite(value)) and np.any(value != 0):  # (0 relates to nothing)
                at.append((values, sizes, np.asarray(value, dtype=float)))
            if len(at) == POINTS:
                return _Points(at)
        return None

    def values_of(self, x: Expr) -> list[Array] | None:
        """``x`` at every point (None where it cannot be evaluated)."""
        out: list[Array] = []
        for values, sizes, _ in self.at:
            try:
                with np.errstate(all="raise"):
                    v = np.asarray(evaluate(x, values, sizes), dtype=float)
            except _FAILURES:
                return None
            if not np.all(np.isfinite(v)):
                return None
            out.append(v)
        return out

    def matches(self, x: Expr, transposed: bool = False) -> bool:
        """Whether ``x`` equals R (or Rᵀ) at every point."""
        got = self.values_of(x)
        if got is None:
            return False
        return all(
            _close(g, r.T if transposed else r) for g, (_, _, r) in zip(got, self.at, strict=True)
        )

    def symmetric(self) -> bool:
        """Whether R is a symmetric matrix at every point."""
        return all(r.shape[0] == r.shape[1] and _close(r, r.T) for _, _, r in self.at)

    def candidate(self, x: Expr) -> bool:
        """A structural candidate (bounded in number): whether it equals R."""
        if self.tried >= MAX_CANDIDATES:
            return False
        self.tried += 1
        self.budget.check()
        return self.matches(x)

    def scale(self, x: Expr, transposed: bool = False) -> Fraction | None:
        """The constant c with ``x`` = c·R (or c·Rᵀ) at every point, when it is a simple
        fraction other than 0 and 1."""
        got = self.values_of(x)
        if got is None:
            return None
        ratios: list[float] = []
        for g, (_, _, r) in zip(got, self.at, strict=True):
            want = r.T if transposed else r
            norm = float((want * want).sum())
            if g.shape != want.shape or norm == 0.0:
                return None
            c = float((g * want).sum()) / norm
            if not _close(g, c * want):
                return None
            ratios.append(c)
        c = ratios[0]
        if any(abs(k - c) > RTOL * max(1.0, abs(c)) for k in ratios):
            return None  # a factor that changes with the sizes is no simple cause
        frac = Fraction(c).limit_denominator(12)
        if abs(float(frac) - c) > RTOL * max(1.0, abs(c)) or abs(frac.numerator) > 24:
            return None
        return frac if frac not in (0, 1) else None


def _domain(correct: Expr, written: Expr, env: Env) -> tuple[set[str], set[str], set[str]]:
    """The variables to sample positive definite, positive, symmetric: as declared, and
    where a matrix logarithm, root or fractional power needs it (not for a determinant or
    an exponential: the derivative of det X is det(X) X⁻ᵀ for every X, and a symmetric X
    would hide Xᵀ)."""
    pd: set[str] = set()
    pos: set[str] = set()
    for x in (*correct.walk(), *written.walk()):
        fractional = isinstance(x, (e.Pow, e.HPow)) and not x.exp.is_integer
        arg = getattr(x, "arg", None)
        while isinstance(arg, e.T):
            arg = arg.arg
        if not isinstance(arg, e.Var):
            continue
        rooted = isinstance(x, e.MatFn) and x.fn in ("log", "sqrt")  # (exp, sin: any X)
        if not arg.is_scalar and (rooted or fractional and isinstance(x, e.Pow)):
            pd.add(arg.name)
        elif fractional or isinstance(x, e.Elem) and x.fn in ("log", "sqrt"):
            pos.add(arg.name)
    sym: set[str] = set()
    for name in {x.name for x in (*correct.walk(), *written.walk()) if isinstance(x, e.Var)}:
        info = env.vars.get(name)
        if info is not None:
            (pd if info.positive_definite else sym if info.symmetric else set()).add(name)
            if info.positive:
                pos.add(name)
    return pd, pos - pd, sym - pd


def _close(a: Array, b: Array) -> bool:
    """Equal up to rounding, relative to the larger of the two: values are compared
    whatever their size (a kernel's gradient is 1e-4 at a random point)."""
    if a.shape != b.shape:
        return False
    scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    return scale == 0.0 or bool(np.allclose(a, b, rtol=RTOL, atol=RTOL * scale))


# -- the causes, most specific first -------------------------------------------------------

_Found = tuple[str, str] | None
_Show = Callable[[Expr], str]


def _replace(x: Expr, old: Expr, new: Expr) -> Expr:
    """``x`` with every part equal to ``old`` replaced by ``new`` (through the constructors)."""
    if x == old:
        return new
    kids = list(x.children())
    if not kids:
        return x
    return e.rebuild(x, [_replace(k, old, new) for k in kids])


def _distinct(x: Expr, keep: Callable[[Expr], bool]) -> list[Expr]:
    """The distinct parts of ``x`` that ``keep`` accepts, in order of appearance."""
    out: list[Expr] = []
    for part in x.walk():
        if keep(part) and part not in out:
            out.append(part)
    return out


def _matrices(x: Expr) -> list[e.Var]:
    """The variables of ``x`` that are matrices (not declared symmetric), in order."""
    found = _distinct(x, lambda p: isinstance(p, e.Var) and not p.symmetric
                      and not p.is_scalar and not p.is_vector and p.rows != e.ONE)  # fmt: skip
    return [v for v in found if isinstance(v, e.Var)]


def _inverse_transpose(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    r"""``X^{-1}`` written where ``X^{-\top}`` is needed (or the other way round)."""
    for part in _distinct(written, lambda p: isinstance(p, e.Inv)):
        assert isinstance(part, e.Inv)
        other = e.inv(part.arg.arg) if isinstance(part.arg, e.T) else e.inv(e.transpose(part.arg))
        if other == part:
            continue  # symmetric: X⁻¹ is X⁻ᵀ
        try:
            changed = _replace(written, part, other)
        except CalculusError:
            continue
        if points.candidate(changed):
            return "inverse-transpose", f"`{show(part)}` where `{show(other)}` is needed"
    return None


def _symmetric_part(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    r"""Right only for a symmetric ``A``: ``2A\mathbf{x}`` where ``(A + A^\top)\mathbf{x}``."""
    for m in _symmetrized(written):
        if points.candidate(_symmetric_in(written, m)):
            return "symmetric", f"it is `{show(correct)}` unless `{show(m)}` is symmetric"
    return None


def _symmetric_scaled(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    r"""A factor off even for a symmetric ``A``: ``A\mathbf{x}`` for ∂(xᵀAx)/∂x."""
    for m in _symmetrized(written):
        c = points.scale(_symmetric_in(written, m))
        if c is not None:
            return "symmetric", (
                f"even for a symmetric `{show(m)}` {_scaled(c)}; in general the derivative is "
                f"`{show(correct)}`"
            )
    return None


def _symmetrized(written: Expr) -> list[e.Var]:
    """The square matrices of ``written`` whose symmetric part changes it."""
    out: list[e.Var] = []
    for m in _matrices(written):
        if m.rows == m.cols:
            try:
                changed = _symmetric_in(written, m)
            except CalculusError:
                continue
            if changed != written:
                out.append(m)
    return out


def _symmetric_in(x: Expr, m: e.Var) -> Expr:
    """``x`` with the matrix ``m`` replaced by its symmetric part ½(m + mᵀ)."""
    half = e.mul(e.num(sympy.Rational(1, 2)), e.add(m, e.transpose(m)))
    return e.substitute(x, {m.name: half})


def _transpose(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    """The whole result transposed (perhaps also scaled)."""
    if written.shape == correct.shape and written.rows != written.cols:
        return None  # (a square result is told from its transpose by its values)
    if points.symmetric():
        return None  # a symmetric derivative is its own transpose: no cause of its own
    if points.matches(written, transposed=True):
        return "transpose", "it is the transpose of the derivative"
    c = points.scale(written, transposed=True)
    if c is not None:
        return "transpose", f"it is the transpose of the derivative, and {_scaled(c)}"
    return None


def _products(x: Expr) -> Iterator[e.Mul]:
    for part in _distinct(x, lambda p: isinstance(p, e.Mul)):
        assert isinstance(part, e.Mul)
        yield part


def _order(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    """A product's factors in another order."""
    for product in _products(written):
        scalars = [f for f in product.factors if f.is_scalar]
        chain = [f for f in product.factors if not f.is_scalar]
        if not 2 <= len(chain) <= MAX_FACTORS:
            continue
        for order in _orders(chain):
            try:
                other = e.mul(*scalars, *(chain[i] for i in order))
                if other == product:
                    continue
                changed = _replace(written, product, other)
            except CalculusError:
                continue  # not conformable in that order
            if points.candidate(changed):
                what = _without_scalars(product, show)
                return "order", (
                    f"the factors are in the other order: `{what}` where "
                    f"`{_without_scalars(other, show)}` is needed"
                )
    return None


def _kronecker_order(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    r"""A Kronecker product's factors in the other order: ``A \otimes B^\top`` where
    ``B^\top \otimes A`` is needed (``\operatorname{vec}(AXB) = (B^\top \otimes A)
    \operatorname{vec}(X)``, not the other way round)."""
    for part in _distinct(written, lambda p: isinstance(p, e.Kron)):
        assert isinstance(part, e.Kron)
        try:
            other = e.kron(part.right, part.left)
            changed = _replace(written, part, other)
        except CalculusError:
            continue
        if other != part and points.candidate(changed):
            return "kronecker-order", (
                f"the Kronecker factors are in the other order: `{show(part)}` where "
                f"`{show(other)}` is needed"
            )
    return None


def _orders(chain: list[Expr]) -> list[tuple[int, ...]]:
    r"""The other orders of a product's factors, those closest to the written one first: a
    differential ``\mathrm dX`` where it is written, then the fewest factors moved (``-tr(A
    X^{-1} X^{-1} dX)`` for ``-tr(X^{-1} A X^{-1} dX)`` says so, not ``A X^{-1} dX X^{-1}``,
    equal under the trace but not what the document writes)."""
    same = tuple(range(len(chain)))
    fixed = [i for i, f in enumerate(chain) if _a_differential(f)]

    def moved(order: tuple[int, ...]) -> tuple[int, int]:
        return (
            sum(order[i] != i for i in fixed),
            sum(a != b for a, b in zip(order, same, strict=True)),
        )

    return sorted((o for o in itertools.permutations(same) if o != same), key=moved)


def _a_differential(f: Expr) -> bool:
    r"""``\mathrm dX``, or the direction a written differential is read as (named so)."""
    return isinstance(f, e.D) or (isinstance(f, e.Var) and f.name.startswith("\\mathrm{d}"))


def _without_scalars(product: Expr, show: _Show) -> str:
    if isinstance(product, e.Mul):
        chain = [f for f in product.factors if not f.is_scalar]
        if chain and len(chain) < len(product.factors):
            return show(e.mul(*chain))
    return show(product)


def _transposes(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    r"""Transposes on the wrong matrices: ``AB`` where ``A^\top B^\top`` is needed."""
    matrices = _matrices(written)[:MAX_TOGGLED]
    for k in range(1, len(matrices) + 1):
        for chosen in itertools.combinations(matrices, k):
            try:
                changed = e.substitute(written, {m.name: e.transpose(m) for m in chosen})
            except CalculusError:
                continue
            if changed != written and points.candidate(changed):
                return "transposes", (
                    f"the transposes are misplaced: `{show(written)}` where `{show(changed)}` "
                    "is needed"
                )
    return _transposes_where_written(points, written, show)


def _transposes_where_written(points: _Points, written: Expr, show: _Show) -> _Found:
    r"""A transpose missing (or too many) on one or two of the places a matrix stands,
    not all: ``2A(A\mathbf{x} - \mathbf{b})`` where ``2A^\top(A\mathbf{x} - \mathbf{b})``."""
    places = _matrix_places(written)
    if len(places) == len(_matrices(written)):
        return None  # every matrix stands once: the choices above were these
    for k in (1, 2):
        for chosen in itertools.combinations(places, k):
            try:
                changed = _toggled(written, set(chosen))
            except CalculusError:
                continue
            if changed != written and points.candidate(changed):
                return "transposes", (
                    f"the transposes are misplaced: `{show(written)}` where `{show(changed)}` "
                    "is needed"
                )
    return None


def _matrix_places(x: Expr, path: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    """Where a matrix variable stands in ``x`` (transposed or not), as paths of children."""
    if isinstance(x, e.T) and x.arg in _matrices(x):
        return [path]
    if isinstance(x, e.Var):
        return [path] if x in _matrices(x) else []
    return [p for i, c in enumerate(x.children()) for p in _matrix_places(c, (*path, i))]


def _toggled(x: Expr, paths: set[tuple[int, ...]], path: tuple[int, ...] = ()) -> Expr:
    """``x`` with the matrix at each of ``paths`` transposed (or its transpose undone)."""
    if path in paths:
        return x.arg if isinstance(x, e.T) else e.transpose(x)
    if not any(p[: len(path)] == path for p in paths):
        return x
    kids = [_toggled(c, paths, (*path, i)) for i, c in enumerate(x.children())]
    return e.rebuild(x, kids)


def _scale(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    """The right result times a constant: a sign, a factor 2."""
    c = points.scale(written)
    if c is None:
        return None
    if c == -1:
        return "sign", "the sign is wrong"
    return ("sign" if c < 0 else "factor"), _scaled(c)


def _scaled(c: Fraction) -> str:
    """How a result c times the right one differs, in words of the factor people fix, said
    once: "it has a factor 2 too many" for c = 2, "a factor 2 is missing" for c = ½, "the
    sign is wrong, and …" before either for c < 0; a factor no whole number explains is said
    as it is ("it is 3/2 times the right result", "it is -3/2 times …": the sign in it)."""
    size = abs(c)
    if size == 1:
        return "the sign is wrong"
    sign = "the sign is wrong, and " if c < 0 else ""
    if size.denominator == 1:
        return f"{sign}it has a factor {size} too many"
    if size.numerator == 1:
        return f"{sign}a factor {size.denominator} is missing"
    return f"it is {c} times the right result"


def _terms(x: Expr) -> list[Expr]:
    return list(x.terms) if isinstance(x, e.Add) else [x]


def _expanded(x: Expr, depth: int = 3) -> list[Expr]:
    r"""The terms of ``x`` with products distributed over sums (a few levels; at most
    :data:`MAX_FACTORS` ³ terms): ``2A^\top(A\mathbf{x} - \mathbf{b})`` has two."""
    if isinstance(x, e.Add):
        return [t for term in x.terms for t in _expanded(term, depth)]
    if depth == 0 or not isinstance(x, e.Mul):
        return [x]
    for i, f in enumerate(x.factors):
        if isinstance(f, e.Add):
            head, tail = x.factors[:i], x.factors[i + 1 :]
            out = [t for term in f.terms for t in _expanded(e.mul(*head, term, *tail), depth - 1)]
            return out if len(out) <= MAX_FACTORS**3 else [x]
    return [x]


def _term_sign(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    """One term of a sum with the wrong sign."""
    terms = _terms(written)
    if len(terms) < 2:
        return None
    for i, term in enumerate(terms):
        try:
            changed = e.add(*terms[:i], e.neg(term), *terms[i + 1 :])
        except CalculusError:
            continue
        if points.candidate(changed):
            return "term-sign", f"the term `{show(term)}` has the wrong sign"
    return None


def _term_factor(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    r"""One term of a sum off by a factor 2 (a factor lost on one term only:
    ``-2X^\top(\mathbf y - X\mathbf w) + \lambda\mathbf w`` for ``… + 2\lambda\mathbf w``)."""
    terms = _terms(written)
    if len(terms) < 2:
        return None
    for i, term in enumerate(terms):
        for c, said in ((2, "lacks a factor 2"), (Fraction(1, 2), "has a factor 2 too many")):
            try:
                scaled = e.mul(e.num(c), term)
                changed = e.add(*terms[:i], scaled, *terms[i + 1 :])
            except CalculusError:
                continue
            if points.candidate(changed):
                return "term-factor", f"the term `{show(term)}` {said}"
    return None


def _term_count(points: _Points, correct: Expr, written: Expr, show: _Show) -> _Found:
    """A term of the right result missing, or a term too many."""
    right = _expanded(correct)
    if len(right) >= 2:
        for term in right:
            try:
                changed = e.add(written, term)
            except CalculusError:
                continue
            if points.candidate(changed):
                return "missing-term", f"the term `{show(term)}` is missing"
    terms = _terms(written)
    if len(terms) >= 2:
        for i, term in enumerate(terms):
            try:
                changed = e.add(*terms[:i], *terms[i + 1 :])
            except CalculusError:
                continue
            if points.candidate(changed):
                return "extra-term", f"the term `{show(term)}` should not be there"
    return None


_FINDERS: tuple[Callable[[_Points, Expr, Expr, _Show], _Found], ...] = (
    _inverse_transpose, _symmetric_part, _transpose, _order, _kronecker_order, _transposes,
    _scale, _term_sign,
    _term_factor, _term_count, _symmetric_scaled,
)  # fmt: skip
