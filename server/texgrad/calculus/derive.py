r"""The engine's pipeline for one variable: lower → differential → read off → simplify →
print → verify, with the derivation a front shows.

The syntax tree is lowered (:mod:`~texgrad.calculus.lower`), its differential taken
(:func:`~texgrad.calculus.differential.differential`), the result read off it by kind
(gradient, Jacobian, derivative, Hessian, or the differential itself for a matrix-valued
function: :mod:`~texgrad.calculus.readout`), simplified, printed in the document's
notation and verified numerically (:mod:`~texgrad.calculus.verify`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.chain import through_names
from texgrad.calculus.components import (
    Entry,
    component,
    components_as_written,
    entry_spellings,
    lower_case_entries,
)
from texgrad.calculus.context import Context
from texgrad.calculus.differential import Budget, BudgetExceeded, differential, through
from texgrad.calculus.entry_code import entry_heading
from texgrad.calculus.evaluate_expr import evaluate as evaluate_expr
from texgrad.calculus.expr import ONE, CalculusError, Expr, UnknownShape
from texgrad.calculus.indices import lower_for_entry, lower_formula, written_with_indices
from texgrad.calculus.lower import Env, IndexedFunctions, Lowerer
from texgrad.calculus.matrix_notation import matrix_notes, sylvester_lines
from texgrad.calculus.names import expand, fold, inline_unhelpful, name_parts, replace_part
from texgrad.calculus.numpy_code import NumpyCode, checked_code
from texgrad.calculus.printing import Style, commutation_notes, latex, printer
from texgrad.calculus.readout import by_scalar, gradient, jacobian, vec_form
from texgrad.calculus.reasons import unknown_shape
from texgrad.calculus.refold import refold, with_folded
from texgrad.calculus.sampling import sample_inputs
from texgrad.calculus.simplify import simplifier
from texgrad.calculus.steps import identification, own_name, repeats, rules_note
from texgrad.calculus.sympy_dims import same
from texgrad.calculus.variable_exponent import variable_exponents
from texgrad.calculus.vectorize import vec_jacobian
from texgrad.calculus.verify import Check, _domain, verify
from texgrad.calculus.written import written_latex
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key

KINDS = ("gradient", "jacobian", "derivative", "matrix", "hessian")


@dataclass
class DiffOutcome:
    kind: str = ""
    result: str = ""
    differential: str = ""
    shape: str = ""
    layout: str = ""
    verified: bool = False
    steps: list[str] = field(default_factory=list)
    error: str | None = None
    note: str = ""  # how it was verified, or why not
    wrt: str = ""  # the variable as the document writes it
    function: str = ""  # the differentiated expression as printed
    matrix_form: str = ""  # a sum over samples as matrices (verified), where it has one
    matrix_numpy: str = ""  # the matrix form as NumPy code, checked by running it
    numpy: str = ""  # the result as NumPy code (a Python function), checked by running it
    numpy_note: str = ""  # why there is no NumPy code
    code: NumpyCode | None = field(default=None, repr=False, compare=False)
    where: list[str] = field(default_factory=list)  # names the result uses: "t_0 = …"
    assumed: list[str] = field(default_factory=list)  # shapes read from the letters alone
    # the engine's own expressions (names expanded), for comparing a derivative a document
    # writes with this one (calculus/written_derivatives.py): f, the result, the differential
    values: tuple[Expr, Expr, Expr] | None = field(default=None, repr=False, compare=False)
    # what writes the NumPy code (numpy, numpy_note, code, matrix_numpy) when first asked
    # for: a result shown as LaTeX does not pay for it (last: set after those in __init__)
    numpy_later: Callable[[], dict[str, Any]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def value(self) -> Expr | None:
        """The result as the engine's expression, names expanded (of :attr:`values`)."""
        return self.values[1] if self.values is not None else None

    def write_code(self) -> None:
        """Write (and check) the NumPy code now, if it is still to be written."""
        later = self.__dict__.get("numpy_later")
        if later is None:
            return
        self.__dict__["numpy_later"] = None
        self.__dict__.update(later())

    def to_json(self) -> dict[str, object]:
        if self.error is not None:
            return {"error": self.error}
        skip = (
            "error", "note", "wrt", "function", "numpy", "numpy_note", "code", "matrix_numpy",
            "numpy_later", "values",
        )  # fmt: skip
        d: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        for k in skip:
            d.pop(k)
        if not self.assumed:
            d.pop("assumed")
        if not self.matrix_form:
            d.pop("matrix_form")
        elif self.matrix_numpy:
            d["matrix_form_numpy"] = self.matrix_numpy
        d["steps"] = list(self.steps)
        d["numpy"] = self.numpy or None
        if not self.numpy:
            d["numpy_error"] = self.numpy_note
        return d


def _lazy(name: str) -> property:
    """A field of the NumPy code, written when first read; set by hand, it is what it is."""

    def get(self: DiffOutcome) -> Any:
        self.write_code()
        return self.__dict__[name]

    def put(self: DiffOutcome, value: Any) -> None:
        self.__dict__[name] = value
        self.__dict__["numpy_later"] = None

    return property(get, put)


for _name in ("numpy", "numpy_note", "code", "matrix_numpy"):
    setattr(DiffOutcome, _name, _lazy(_name))


def code_fields(code: NumpyCode | None, note: str) -> dict[str, Any]:
    return {"numpy": code.source if code is not None else "", "numpy_note": note, "code": code}


def differentiate(
    tree: t.Node,
    wrt: str,
    ctx: Context,
    layout: str,
    budget: Budget,
    hessian: bool = False,
    entry: Entry | None = None,
) -> DiffOutcome:
    """``entry``: the derivative with respect to that entry of ``wrt`` (``a_{ij}``) instead."""
    try:
        return _differentiate(tree, wrt, ctx, layout, budget, hessian, entry)
    except BudgetExceeded as exc:
        return DiffOutcome(error=str(exc))
    except UnknownShape as exc:  # with a declaration that fits the symbol's use
        return DiffOutcome(error=unknown_shape(tree, exc, ctx.env))
    except CalculusError as exc:
        return DiffOutcome(error=str(exc))
    except RecursionError:
        return DiffOutcome(error="the expression is nested too deeply")


@dataclass
class _Work:
    """One differentiation under way: what each kind of result is read off from, and the
    derivation's lines so far."""

    f: Expr
    v: e.Var
    df_raw: Expr  # the differential as the rules give it
    df: Expr  # simplified
    simplify: Callable[[Expr], Expr]
    show: Callable[[Expr], str]
    style: Style
    w: str  # the variable as the document writes it
    steps: list[str]
    budget: Budget
    names: dict[str, Expr]  # the document's names in f, and their values
    name: str = "f"  # what the row calls the function (\mathcal{L}), else f

    @property
    def d(self) -> str:
        return self.style.differential

    @property
    def df_name(self) -> str:
        """``d f`` of the function's own name."""
        return f"{self.d}{self.name}"

    @property
    def nabla(self) -> str:
        return f"\\nabla_{{{self.w}}} {self.name}"

    def add(self, line: str) -> None:
        """A step, unless it says what the one before it says."""
        if not repeats(self.steps, line):
            self.steps.append(line)


def _differentiate(
    tree: t.Node,
    wrt: str,
    ctx: Context,
    layout: str,
    budget: Budget,
    hessian: bool,
    entry: Entry | None = None,
) -> DiffOutcome:
    named_env, opaque = _relevant(ctx.env, wrt)
    # definitions that do not involve the variable stay symbols where indices are read
    env = Env(
        dict(named_env.vars),
        {k: f for k, f in named_env.functions.items() if f.params or k not in opaque},
        named_env.softmax_columns,
        weak=set(named_env.weak),  # (σ > 0 beside a bold σ: a number of its own, lower.py)
    )
    names: dict[str, Expr] | None = None
    free = None
    if entry is None:
        if written_with_indices(tree, env, ctx.einstein):  # entries and sums: indices
            keeper = Lowerer(named_env, keep_names=True, opaque=opaque)  # (μ of x_i - μ kept)
            f, indexed = lower_formula(tree, env, ctx.einstein, keeper)
            names = keeper.names or None if indexed else None
        else:
            indexed = False
        if not indexed:  # a name the document defines stays a name (r = Ax - b stays r)
            lowerer = Lowerer(named_env, keep_names=True, opaque=opaque)
            lowerer.asked = tree
            f = lowerer.lower(tree)
            names = lowerer.names or {}
            env = named_env
    else:  # by an entry: f may be an entry itself, f_i (∂f_i/∂x_j)
        f, indexed, free = lower_for_entry(tree, env, ctx.einstein)
    inner = Context(env, ctx.style, ctx.einstein, ctx.held_as_given, ctx.unit_sums, ctx.after)
    return _from_expr(f, wrt, inner, layout, budget, hessian, tree, entry, indexed, free, names)


def differentiate_expr(f: Expr, wrt: str, ctx: Context, layout: str, budget: Budget) -> DiffOutcome:
    """:func:`differentiate` of an expression already read (the matrix form of a sum over
    samples); it is verified against itself only, the caller checks the reading."""
    try:
        return _from_expr(f, wrt, ctx, layout, budget, False, None)
    except BudgetExceeded as exc:
        return DiffOutcome(error=str(exc))
    except CalculusError as exc:
        return DiffOutcome(error=str(exc))


def _from_expr(
    f: Expr,
    wrt: str,
    ctx: Context,
    layout: str,
    budget: Budget,
    hessian: bool,
    tree: t.Node | None,
    entry: Entry | None = None,
    indexed: bool = False,
    free: str | None = None,
    names: dict[str, Expr] | None = None,
    parts: bool = True,
) -> DiffOutcome:
    """``names``: the document's names ``f`` keeps (read in names mode), with their values;
    None where ``f`` has none (read from indices, or already expanded).  ``parts``: whether
    a long part ``f`` repeats may get a name of its own for the algebra."""
    args = (f, wrt, ctx, layout, budget, hessian, tree, entry, indexed, free, names)
    env = ctx.env
    info = env.vars[wrt]
    v = e.var(wrt, info.shape, info.symmetric)
    f, names = variable_exponents(f, wrt, v, names)  # (1 - p_i)^γ by γ: e^{γ log(1 - p_i)}
    style = ctx.style
    naming = names is not None and tree is not None
    names = dict(names or {})
    taken = {*ctx.env.vars, *env.functions, *style.symbols}
    lowered = f

    plain = printer(style)  # (remembers what it printed: the names below print as added)
    introduced: list[str] = []
    if naming and parts:
        # a long part that f repeats and involves the variable gets a name (t_0 = x - α11^Tx)
        (f,), introduced = name_parts([f], names, style.symbols, taken, plain, v)
    # through two names or more, backpropagation keeps the answer short (through one, the
    # differential expanded whole cancels more: X^T(p - y) for p = σ(Xw))
    by_names = f.is_scalar and not v.is_scalar and not hessian and len(through(names, v)) > 1
    in_f = {x.name for x in f.walk() if isinstance(x, e.Var)}
    binary = binary_symbols(env, in_f)
    unit_kinds = _unit_kinds(f, names, in_f, wrt, ctx.unit_sums)
    unit = frozenset(unit_kinds)
    on_labels: list[str] = []  # the 0/1 symbols whose powers the result drops (M ⊙ M = M)
    work = _start(
        f, v, style, budget, names, not by_names, own_name(tree, style, env.functions), binary, on_labels,
        unit, centred_names(names, env),
    )  # fmt: skip
    if hessian:
        kind, result, shown_layout = _hessian(work)
    elif v.is_scalar:
        kind, result, shown_layout = _derivative(work)
    elif by_names or (f.is_scalar and through(_own(names, introduced), v)):
        kind, result, shown_layout = (_gradient_by_names if by_names else _gradient_either)(work)
    elif f.is_scalar:
        kind, result, shown_layout = _gradient(work)
    elif f.cols == ONE and v.cols == ONE:
        kind, result, shown_layout = _jacobian(work, layout)
    elif f.cols == ONE:  # vec F of a matrix: ∂vec F / ∂vec X
        kind, result, shown_layout = _vec_jacobian(work, layout)
    else:
        kind, result, shown_layout = _matrix(work, env)
    where: list[tuple[str, str]] = []
    df = work.df
    # X^T S X where the page defines S = diag(…) (a name's value, not an entry's derivative)
    result, df, env = _refolded(work, result, df, ctx, names, in_f, plain, (naming, entry, free))
    if naming:  # ∇s = c/(d s) of s = √(cᵀc/d + ε): the row's own name; and so does a long
        result = _in_row_name(result, lowered, tree, wrt, names, taken)
        result = _quotient_in_row_name(result, lowered, tree, names, env, style, work.simplify)
        # part the result repeats ((α‖t_0‖² + ε)^{-1/2} and ^{-3/2})
        (result,), more = name_parts([result], names, style.symbols, taken, plain)
        for key in more:
            df = replace_part(df, names[key], e.var(key, names[key].shape))
        result, (df,), kept = inline_unhelpful(
            result, [df], introduced + more, names, plain, style.symbols, work.simplify,
            set(introduced),
        )  # fmt: skip
        where = _where(kept, [result, df], names, plain)
        if introduced and not set(introduced) & set(kept):  # the name did not help: the
            return _from_expr(*args, parts=False)  # algebra without it, in f's own order
    defined = [(k, d.body) for k, d in env.functions.items() if k in names] if names else []
    f_x, result_x = expand(f, names), expand(result, names)
    written = tree if free is None else None  # f_i: compared entry by entry below
    check = verify(
        f_x, result_x, expand(df, names), v, kind, layout, env, style, budget,
        original=written, printed=result if names else None, defined=defined, where=where,
        einstein=ctx.einstein, on_labels=bool(set(on_labels) & binary),
        unit_sums={k: unit_kinds[k] for k in unit if k in on_labels},
    )  # fmt: skip
    note = (
        check.note
        + _binary_note([k for k in on_labels if k in binary], style)
        + _unit_note([k for k in on_labels if k in unit], unit_kinds, style)
        + (matrix_notes(f_x) or matrix_notes(result_x))
        + commutation_notes(result, style)
        + _kinks_note(f_x, v, work.show)
    )
    show = work.show
    status = f"texgrad: {check.note}." if check.ok else f"NOT VERIFIED by texgrad: {check.note}."
    what = {"matrix": "differential", "jacobian": "Jacobian", "hessian": "Hessian"}.get(kind, kind)
    heading = f"The {what} of f = {show(f_x)} with respect to {work.w}:\n    {show(result_x)}"
    shown_as = shown_layout or layout
    seconds = budget.seconds

    def later(heading: str = heading) -> dict[str, Any]:  # (a budget of its own, when asked)
        code = checked_code(
            result_x, f_x, v, kind, shown_as, env, style.symbols, heading, status, Budget(seconds)
        )
        return code_fields(*code)

    if free is not None and entry is not None and tree is not None:
        shown = _by_entry_of_entry(work, tree, env, entry, free, kind, result, check, ctx.einstein)
        head = entry_heading(show(f_x), entry.written, entry.names, shown.result, v, work.w, free)
        shown.numpy_later = lambda: later(head)
        return shown
    _show_where(work, where)
    values = (f_x, result_x, expand(df, names))
    if tree is not None and (entry is not None or (indexed and kind == "gradient")):
        by_entry = _by_entry(work, tree, env, entry, kind, result, check, f, values)
        if entry is not None:  # the array of every entry's derivative, said so
            heading = entry_heading(
                show(f_x), entry.written, entry.names, by_entry.result, v, work.w
            )
        by_entry.numpy_later = lambda: later(heading)  # (the gradient's code: its entries)
        return by_entry
    return DiffOutcome(
        kind=kind,
        result=show(result),
        differential=show(df),
        where=[f"{style.symbols[k]} = {w}" for k, w in where],
        shape=result.shape.unicode() if kind != "matrix" else f.shape.unicode(),
        layout=shown_layout,
        verified=check.ok,
        steps=work.steps,
        note=note,
        wrt=work.w,
        function=show(lowered),
        values=values,
        numpy_later=later,
    )


def _refolded(
    work: _Work,
    result: Expr,
    df: Expr,
    ctx: Context,
    names: dict[str, Expr],
    in_f: set[str],
    show: Callable[[Expr], str],
    asked: tuple[bool, Entry | None, str | None],
) -> tuple[Expr, Expr, Env]:
    """``result`` and ``df`` with the names the document defines but ``f`` does not use
    written back (:func:`~texgrad.calculus.refold.refold`), the step saying so, and the
    environment the printed result is read back in; only where ``f`` was read with its
    names and neither it nor the variable is an entry (``asked``: naming, entry, free)."""
    env = ctx.env
    naming, entry, free = asked
    if not naming or entry is not None or free is not None:
        return result, df, env
    result, (df,), folded = refold(
        result, [df], env, ctx.after, work.v.name, names, in_f, work.simplify
    )
    if folded:
        env = with_folded(env, ctx.after, folded)  # (the printed S read back as defined)
        symbols = work.style.symbols
        said = ",\\; ".join(f"{symbols.get(k, k)} = {show(names[k])}" for k in folded)
        work.add(f"= {show(result)} \\quad \\text{{(as defined: ${said}$)}}")
    return result, df, env


def _in_row_name(
    result: Expr,
    value: Expr,
    tree: t.Node | None,
    wrt: str,
    names: dict[str, Expr],
    taken: set[str],
) -> Expr:
    r"""``result`` with the value of the row ``name = value`` differentiated (a scalar
    power, as read) written as a power of the row's name where it occurs: the derivative of
    ``s = \sqrt{\frac{1}{d}\mathbf c^\top\mathbf c + \epsilon}`` is ``\frac{\mathbf c}{d s}``,
    as a textbook writes it, not the root again.  ``names`` gets the name's value (the
    result is verified expanded)."""
    if not isinstance(tree, t.Chain) or tree.relations != ("=",) or len(tree.items) != 2:
        return result
    head = tree.items[0]
    key = symbol_key(head) if isinstance(head, t.Symbol | t.Font) else None
    if key is None or key[0] in names or key[0] == wrt or key[0] not in taken:
        return result
    if not isinstance(value, e.Pow) or not value.is_scalar or value.exp == 0:
        return result
    own = e.var(key[0], value.shape)
    base, p = value.arg, value.exp

    def walk(y: Expr) -> Expr:
        if y == value:
            return own
        if isinstance(y, e.Pow) and y.arg == base and y.exp != p and (y.exp / p).is_integer:
            return e.power(own, y.exp / p)  # (s^{-1}, not q^{2/3} of q = (aᵀx)³)
        kids = list(y.children())
        return e.rebuild(y, [walk(c) for c in kids]) if kids else y

    named = walk(result)
    if named == result:
        return result
    names[key[0]] = value
    return named


def _quotient_in_row_name(
    result: Expr,
    value: Expr,
    tree: t.Node | None,
    names: dict[str, Expr],
    env: Env,
    style: Style,
    simplify: Callable[[Expr], Expr],
) -> Expr:
    r"""``result`` with the quotient a row ``R(\mathbf u) = N/D`` defines written as the
    row's own ``R(\mathbf u)`` where the quotient rule leaves it, ``N D^{-k}`` read as
    ``R D^{1-k}``: the Rayleigh quotient's gradient is ``\frac{2}{\mathbf u^\top\mathbf u}
    (S\mathbf u - R(\mathbf u)\mathbf u)``, as textbooks write it.  The name's value goes
    into ``names`` (the result is verified expanded); the shorter form printed is kept."""
    head = _row_function(tree)
    key = symbol_key(head[1]) if head is not None else None
    if head is None or key is None or key[0] in names or key[0] in env.vars:
        return result  # (c(x + y) of a declared c: a product)
    parts = _quotient_parts(value)
    if parts is None:
        return result
    own = e.var(key[0], value.shape)
    terms = result.terms if isinstance(result, e.Add) else (result,)
    changed = [_quotient_named(x, own, *parts) for x in terms]
    if all(a is b for a, b in zip(changed, terms, strict=True)):
        return result
    candidate = simplify(e.add(*changed))
    symbols = dict(style.symbols)
    style.symbols[key[0]] = written_latex(head[0])
    if len(latex(candidate, style)) >= len(latex(result, style)):
        style.symbols.clear()
        style.symbols.update(symbols)
        return result
    names[key[0]] = value
    return candidate


def _row_function(tree: t.Node | None) -> tuple[t.Node, t.Symbol] | None:
    r"""The left side of a row ``R(\mathbf u) = …`` and its function's letter (``R``, also
    where the parser read ``R(\mathbf u)`` as a product, R not known as a function yet)."""
    if not isinstance(tree, t.Chain) or tree.relations != ("=",) or len(tree.items) != 2:
        return None
    head = tree.items[0]
    func: t.Node | None = None
    if isinstance(head, t.Apply) and head.args:
        func = head.func
    elif (
        isinstance(head, t.Product)
        and len(head.factors) == 2
        and isinstance(head.factors[1], t.Paren)
        and head.factors[1].open == "("
    ):
        func = head.factors[0]
    return (head, func) if head is not None and isinstance(func, t.Symbol) else None


def _quotient_parts(value: Expr) -> tuple[list[Expr], list[e.Pow], sympy.Expr] | None:
    """A scalar quotient's numerator chain, its denominators (scalar negative powers) and its
    number; None where ``value`` is no such quotient."""
    if not value.is_scalar or not isinstance(value, e.Mul):
        return None
    coef = sympy.Integer(1)
    dens: list[e.Pow] = []
    chain: list[Expr] = []
    for x in value.factors:
        if isinstance(x, e.Num):
            coef *= x.value
        elif isinstance(x, e.Pow) and x.is_scalar and x.exp < 0:
            dens.append(x)
        else:
            chain.append(x)
    return (chain, dens, coef) if dens and chain and coef != 0 else None


def _quotient_named(
    term: Expr, own: e.Var, chain: list[Expr], dens: list[e.Pow], coef: sympy.Expr
) -> Expr:
    """``term`` with the quotient's numerator chain and one power of each denominator taken
    out as ``own`` (the quotient); ``term`` itself where they are not all in it."""
    if not isinstance(term, e.Mul):
        return term
    factors = list(term.factors)
    n = len(chain)
    at = next((i for i in range(len(factors) - n + 1) if factors[i : i + n] == chain), None)
    if at is None:
        return term
    rest = factors[:at] + [own] + factors[at + n :]
    for d in dens:
        i = next(
            (
                j
                for j, x in enumerate(rest)
                if isinstance(x, e.Pow) and x.arg == d.arg and x.exp <= d.exp - 1
            ),
            None,
        )
        if i is None:
            return term
        rest[i] = e.power(d.arg, rest[i].exp - d.exp)  # type: ignore[attr-defined]
    return e.mul(e.num(1 / coef), *rest)


def _show_where(work: _Work, where: list[tuple[str, str]]) -> None:
    """The derivation's line naming the long parts the result uses."""
    if where:
        symbols = work.style.symbols
        work.steps.append("\\text{where } " + ",\\; ".join(f"{symbols[k]} = {w}" for k, w in where))


def _by_entry(
    work: _Work, tree: t.Node, env: Env, entry: Entry | None, kind: str, result: Expr,
    check: Check, f: Expr, values: tuple[Expr, Expr, Expr],
) -> DiffOutcome:  # fmt: skip
    """The component step: ``∂f/∂a_{ij} = b_{ji}`` beside ``∇_A f = Bᵀ`` (a formula written
    with indices; with its ``values``, by which a written ``∂f/∂x_k`` is judged), or as the
    result (the derivative by the entry ``entry``)."""
    if kind != "gradient":
        raise CalculusError(
            "a derivative by an entry needs a scalar function of a vector or matrix"
        )
    if entry is not None and work.v.symmetric:
        raise CalculusError(
            f"the entries of the symmetric `{work.w}` are not independent ({entry.written} is "
            f"also its transposed entry): differentiate with respect to `{work.w}`"
        )
    lower = (entry is not None and entry.lower) or lower_case_entries(tree, env)
    spelled = entry_spellings(tree, env)
    asked = parse_row(MappedText.identity(entry.written)).tree if entry is not None else None
    if asked is not None:  # ∂/∂w_k of a \mathbf{w}: its entries w_p too
        spelled.update(entry_spellings(asked, env))
    part = component(
        result, work.v, entry.names if entry else None, work.style, env, lower, spelled=spelled
    )
    shown = DiffOutcome(
        kind=kind, result=work.show(result), differential=work.show(work.df),
        shape=result.shape.unicode(), layout="", verified=check.ok, steps=work.steps,
        note=check.note, wrt=work.w, function=work.show(f),
    )  # fmt: skip
    if entry is None:
        shown.values = values
        if part.agrees:
            work.steps.insert(len(work.steps) - 1, part.line + " \\quad \\text{(entry by entry)}")
        return shown
    work.steps.append(part.line)
    shown.kind, shown.result, shown.shape, shown.wrt = "derivative", part.entry, "ℝ", entry.written
    if check.ok and not part.agrees:
        shown.verified = False
        shown.note = "NOT verified: the entry as printed does not agree with the gradient"
    return shown


def _by_entry_of_entry(
    work: _Work, tree: t.Node, env: Env, entry: Entry, free: str, kind: str, result: Expr,
    check: Check, einstein: bool,
) -> DiffOutcome:  # fmt: skip
    """``∂f_i/∂x_j``: the entry of the Jacobian of the vector whose entry ``f_i`` is; the
    formula as written is compared with that vector entry by entry."""
    if kind != "jacobian" or work.v.cols != ONE:  # (∂vec F/∂vec X of a matrix X: no entry)
        raise CalculusError(
            f"the formula has the free index {free}: it is an entry of a vector, not a number, "
            f"and its derivative by `{entry.written}` (an entry of a matrix) is a table of "
            f"three indices, which texgrad does not compute. If {free} is meant summed, write "
            f"the sum over {free}"
        )
    if free == entry.names[0] and not same(result.rows, result.cols):
        raise CalculusError(
            f"the index {free} runs over {result.rows} entries in the formula but over "
            f"{result.cols} in `{entry.written}`"
        )
    lower = entry.lower or lower_case_entries(tree, env)
    part = component(result, work.v, entry.names, work.style, env, lower, row=free)
    work.steps.append(part.line)
    shown = DiffOutcome(
        kind="derivative", result=part.entry, differential=work.show(work.df), shape="ℝ",
        layout="", verified=check.ok and part.agrees, steps=work.steps, note=check.note,
        wrt=entry.written, function=work.show(work.f),
    )  # fmt: skip
    if not part.agrees:
        shown.note = "NOT verified: the entry as printed does not agree with the Jacobian"
    elif not components_as_written(tree, work.f, free, einstein):
        shown.verified = False
        shown.note = (
            "NOT verified: the formula as written evaluates differently from how it was read"
        )
    else:
        shown.note = check.note + "; the formula as written evaluated entry by entry"
    return shown


def _start(
    f: Expr,
    v: e.Var,
    style: Style,
    budget: Budget,
    names: dict[str, Expr],
    simplified: bool = True,
    name: str = "f",
    binary: frozenset[str] = frozenset(),
    on_labels: list[str] | None = None,
    unit: frozenset[str] = frozenset(),
    centred: frozenset[str] = frozenset(),
) -> _Work:
    """The differential of ``f``, simplified, and the derivation's first lines: f, the
    differentials of the names it goes through (dr = A dx), df by the rules named, and df
    simplified where that changes it."""
    rules: list[str] = []
    chains: list[tuple[str, Expr]] = []
    df_raw = fold(differential(f, v, budget, rules, names, chains=chains), names)  # σ(Xw): p
    simplify = simplifier(style, budget)  # one for all: the results share their parts
    if binary:  # a mask M ∈ {0,1}^{m×n}: M ⊙ M = M
        simplify = _on_binary(simplify, binary, on_labels if on_labels is not None else [])
    if centred:  # x̂ = (x - μ1)/σ of μ = 1ᵀx/n: 1ᵀx̂ = 0
        simplify = _on_centred(simplify, centred)
    if unit:  # a one-hot label y: 1ᵀy = 1
        simplify = _on_unit_sums(simplify, unit, on_labels if on_labels is not None else [])
    show = printer(style)
    df = simplify(df_raw) if simplified else df_raw  # (else it is made from the result)
    w = style.symbols.get(v.name, v.name)
    used = rules_note(rules, chains, style, show)
    steps = [f"{name} = {show(f)}"]
    chained = [n for n in names if n in through(names, v)]
    for key in chained:  # dμ = …, dσ² = … dμ …: each name's differential by the ones before
        dn_raw = fold(differential(names[key], v, budget, None, names, True), names)
        dn = _shorter(dn_raw, simplify, show)  # da = a ⊙ (1 - a) ⊙ (dW x), σ(Wx) written a
        steps.append(f"{style.differential}{show(e.var(key, names[key].shape))} = {dn}")
    if chained:
        shallow = _shorter(differential(f, v, budget, None, names, True), simplify, show)
        steps.append(f"{style.differential}{name} = {shallow}")
        steps.append(f"\\phantom{{{style.differential}{name}}} = {show(df_raw)}{used}")
    else:
        steps.append(f"{style.differential}{name} = {show(df_raw)}{used}")
    work = _Work(f, v, df_raw, df, simplify, show, style, w, steps, budget, names, name)
    if simplified and show(df) != show(df_raw):
        work.add(f"\\phantom{{{work.df_name}}} = {show(df)}" + _collected(df_raw, v))
    return work


def binary_symbols(env: Env, among: set[str]) -> frozenset[str]:
    r"""The symbols of ``among`` declared with entries 0 or 1 only (``M \in \{0, 1\}^{m
    \times n}``).  (Those of ``f`` only: a declared symbol's fields are looked up where first
    read, and reading every symbol's for every claim grew as the square of the document.)"""
    return frozenset(
        k for k in among
        if (info := env.vars.get(k)) is not None and info.values
        and set(info.values) <= {0.0, 1.0}
    )  # fmt: skip


def _binary_powers(x: Expr, binary: frozenset[str]) -> Expr:
    """``x`` with each positive integer elementwise power of a 0/1 symbol (or of its
    transpose) written as the symbol itself (M^{∘2} = M ⊙ M = M, (M^⊤)^{∘2} = M^⊤)."""
    memo: dict[Expr, Expr] = {}

    def walk(y: Expr) -> Expr:
        if (
            isinstance(y, e.HPow) and _binary_letter(y.arg, binary)
            and y.exp.is_integer and y.exp > 0
        ):  # fmt: skip
            return y.arg
        hit = memo.get(y)
        if hit is None:
            kids = list(y.children())
            hit = memo[y] = e.rebuild(y, [walk(c) for c in kids]) if kids else y
        return hit

    return walk(x)


def _binary_letter(x: Expr, binary: frozenset[str]) -> bool:
    """Whether ``x`` is a 0/1 symbol or its transpose."""
    if isinstance(x, e.T):
        x = x.arg
    return isinstance(x, e.Var) and x.name in binary


def centred_names(names: dict[str, Expr], env: Env) -> frozenset[str]:
    r"""The document's names of vectors whose entries sum to 0 by their definitions
    (``\hat{\mathbf x} = (\mathbf x - \mu\mathbf 1)/\sqrt{\sigma^2 + \epsilon}`` of
    ``\mu = \frac1d\mathbf 1^\top\mathbf x``): 1ᵀ of each is 0 at three random points (the
    result written with that is checked as every result is)."""
    out: set[str] = set()
    for key, value in names.items():
        if value.cols != ONE or value.rows == ONE:
            continue
        try:
            whole = expand(value, names)
            shapes = {x.name: x.shape for x in whole.walk() if isinstance(x, e.Var)}
            pd, pos, sym = _domain(whole, env)
            zero = 0
            for seed in range(3):
                vals, sizes = sample_inputs(
                    shapes, positive_definite=pd, positive=pos, symmetric=sym,
                    rng=np.random.default_rng(300 + seed),
                )  # fmt: skip
                got = np.asarray(evaluate_expr(whole, vals, sizes), dtype=float)
                scale = float(np.abs(got).max()) if got.size else 0.0
                zero += bool(scale > 1e-6 and abs(float(got.sum())) <= 1e-9 * scale * got.size)
        except Exception:  # noqa: BLE001 - a name that cannot be evaluated is not centred
            continue
        if zero == 3:
            out.add(key)
    return frozenset(out)


def _centred(x: Expr, centred: frozenset[str]) -> Expr:
    """``x`` with each ``1ᵀ c`` (``cᵀ 1``) of a centred name c written 0."""
    memo: dict[Expr, Expr] = {}

    def hit(a: Expr, b: Expr) -> bool:
        if _ones_row(a) and isinstance(b, e.Var) and b.name in centred:
            return True
        return (
            isinstance(a, e.T) and isinstance(a.arg, e.Var) and a.arg.name in centred
            and isinstance(b, e.Ones) and b.cols == ONE
        )  # fmt: skip

    def walk(y: Expr) -> Expr:
        done = memo.get(y)
        if done is not None:
            return done
        kids = list(y.children())
        z = e.rebuild(y, [walk(c) for c in kids]) if kids else y
        if isinstance(z, e.Mul):
            fs = list(z.factors)
            pairs = list(zip(fs, fs[1:], strict=False))
            if any(hit(a, b) for a, b in pairs):
                z = e.zero(z.rows, z.cols) if not z.is_scalar else e.num(0)
            else:
                at = next((i for i, (a, b) in enumerate(pairs) if _ones_row(a) and _leads(b)), None)
                if at is not None:  # 1ᵀ(c cᵀ/2m - I): distributed, so that 1ᵀc meets
                    add = fs[at + 1]
                    assert isinstance(add, e.Add)
                    z = walk(e.add(*(e.mul(*fs[: at + 1], u, *fs[at + 2 :]) for u in add.terms)))
        memo[y] = z
        return z

    def _leads(x: Expr) -> bool:
        """A sum one of whose terms starts with a centred name (after numbers)."""
        if not isinstance(x, e.Add):
            return False
        for u in x.terms:
            fs = [f for f in u.factors if not f.is_scalar] if isinstance(u, e.Mul) else [u]
            if fs and isinstance(fs[0], e.Var) and fs[0].name in centred:
                return True
        return False

    return walk(x)


def _on_centred(
    simplify: Callable[[Expr], Expr], centred: frozenset[str]
) -> Callable[[Expr], Expr]:
    """``simplify``, then ``1ᵀ c = 0`` for each centred name c."""

    def run(x: Expr) -> Expr:
        y = simplify(x)
        z = _centred(y, centred)
        return simplify(z) if z != y else y

    return run


def _kinks_note(f: Expr, v: e.Var, show: Callable[[Expr], str]) -> str:
    """Where the result holds when ``f`` takes an absolute value of the variable (``|x|``,
    ``\\|x\\|_1``): only where no entry of it is zero, ``|t|`` having no derivative at 0."""
    kinked = [
        x.arg
        for x in f.walk()
        if ((isinstance(x, e.Elem) and x.fn == "abs") or (isinstance(x, e.Norm) and x.p == "1"))
        and e.depends(x.arg, v)
    ]
    if not kinked:
        return ""
    said = ", ".join(f"`{show(x)}`" for x in dict.fromkeys(kinked))
    return (
        f"; it holds where no entry of {said} is zero: an absolute value has no derivative "
        "at 0 (a subgradient there)"
    )


def _binary_note(used: list[str], style: Style) -> str:
    """What the result uses of symbols with entries 0 or 1, said after the check."""
    if not used:
        return ""
    said = ", ".join(style.symbols.get(k, k) for k in dict.fromkeys(used))
    return f"; {said}: entries 0 or 1 as declared ({said} ⊙ {said} = {said}), checked so"


def _unit_kinds(
    f: Expr, names: dict[str, Expr], in_f: set[str], wrt: str, stated: dict[str, str]
) -> dict[str, str]:
    """The vectors of ``f`` whose entries the text says sum to 1, by kind — inside the names
    ``f`` is written in too (a one-hot y of L = -yᵀlog p, p = softmax(z))."""
    within = in_f
    if stated and names and in_f & names.keys():
        within = in_f | {x.name for x in expand(f, names).walk() if isinstance(x, e.Var)}
    kinds = {k: unit_kind(k, stated) or _softmax_named(k, names) for k in within - {wrt}}
    return {k: kind for k, kind in kinds.items() if kind is not None}


def _softmax_named(key: str, names: dict[str, Expr]) -> str | None:
    r""" "softmax" (a distribution, sampled as "simplex") for a name the document defines as the softmax of a vector (``\mathbf{p} =
    \operatorname{softmax}(\mathbf{t}/	au)``): its entries sum to 1 by its definition."""
    value = names.get(key) if names else None
    return "softmax" if isinstance(value, e.Softmax) and value.cols == ONE else None


def unit_kind(key: str, stated: dict[str, str]) -> str | None:
    """How the text says the entries of ``key`` sum to 1 ("onehot", "simplex"), else None
    (:func:`~texgrad.calculus.written_simplex.stated_unit_vectors`)."""
    return stated.get(key)


def _unit_note(used: list[str], kinds: dict[str, str], style: Style) -> str:
    """What the result uses of vectors whose entries sum to 1, said after the check."""
    out = ""
    for k in dict.fromkeys(used):
        y = style.symbols.get(k, k)
        if kinds.get(k) == "softmax":
            out += f"; {y}: a softmax by its definition (\\mathbf{{1}}^\\top {y} = 1)"
            continue
        said = "one-hot" if kinds.get(k) == "onehot" else "a distribution"
        out += f"; {y}: {said} as the text says (\\mathbf{{1}}^\\top {y} = 1), checked so"
    return out


def _ones_row(x: Expr) -> bool:
    return isinstance(x, e.Ones) and x.rows == ONE and x.cols != ONE


def _unit_pair(a: Expr, b: Expr, unit: frozenset[str]) -> bool:
    """``1ᵀ y`` (or ``yᵀ 1``) of a vector y whose entries sum to 1."""
    if _ones_row(a) and isinstance(b, e.Var) and b.name in unit and b.cols == ONE:
        return True
    return (
        isinstance(a, e.T) and isinstance(a.arg, e.Var) and a.arg.name in unit
        and isinstance(b, e.Ones) and b.cols == ONE
    )  # fmt: skip


def _unit_sums(x: Expr, unit: frozenset[str], used: list[str]) -> Expr:
    """``x`` with each ``1ᵀ y`` of a vector y whose entries sum to 1 written 1, a sum before
    y distributed where one of its terms ends in ``1ᵀ`` (``(s 1ᵀ - I) y = s - y``); each y
    so used in ``used``."""
    memo: dict[Expr, Expr] = {}

    def walk(y: Expr) -> Expr:
        hit = memo.get(y)
        if hit is not None:
            return hit
        kids = list(y.children())
        z = e.rebuild(y, [walk(c) for c in kids]) if kids else y
        if isinstance(z, e.Mul):
            fs = list(z.factors)
            for i in range(len(fs) - 1):
                if _unit_pair(fs[i], fs[i + 1], unit):
                    named = [x.arg if isinstance(x, e.T) else x for x in fs[i : i + 2]]
                    used.extend(x.name for x in named if isinstance(x, e.Var))
                    z = walk(e.mul(*fs[:i], *fs[i + 2 :])) if len(fs) > 2 else e.num(1)
                    break
                a, b = fs[i], fs[i + 1]
                if (
                    isinstance(a, e.Add) and isinstance(b, e.Var) and b.name in unit
                    and any(isinstance(u, e.Mul) and _ones_row(u.factors[-1]) for u in a.terms)
                ):  # fmt: skip
                    z = walk(e.add(*(e.mul(*fs[:i], u, *fs[i + 1 :]) for u in a.terms)))
                    break
        memo[y] = z
        return z

    return walk(x)


def _on_unit_sums(
    simplify: Callable[[Expr], Expr], unit: frozenset[str], used: list[str]
) -> Callable[[Expr], Expr]:
    """``simplify``, then ``1ᵀ y = 1`` for each vector y of ``unit`` (noted in ``used``)."""

    def run(x: Expr) -> Expr:
        y = simplify(x)
        said: list[str] = []
        z = _unit_sums(y, unit, said)
        if z == y or not said:
            return y
        used.extend(said)
        return simplify(z)

    return run


def _on_binary(
    simplify: Callable[[Expr], Expr], binary: frozenset[str], used: list[str]
) -> Callable[[Expr], Expr]:
    """``simplify``, then each power of a 0/1 symbol written as the symbol (noted in ``used``)."""

    def run(x: Expr) -> Expr:
        y = simplify(x)
        z = _binary_powers(y, binary)
        if z == y:
            return y
        used.extend(sorted({v.name for v in y.walk() if isinstance(v, e.Var)} & binary))
        return simplify(z)

    return run


def _where(
    keys: list[str], shown: list[Expr], names: dict[str, Expr], show: Callable[[Expr], str]
) -> list[tuple[str, str]]:
    """The new names that ``shown`` uses (and those their values use), in the order they
    were given, each with its value printed."""
    used = {x.name for s in shown for x in s.walk() if isinstance(x, e.Var)}
    for key in reversed(keys):
        if key in used:
            used |= {x.name for x in names[key].walk() if isinstance(x, e.Var)}
    return [(k, show(names[k])) for k in keys if k in used]


def _shorter(x: Expr, simplify: Callable[[Expr], Expr], show: Callable[[Expr], str]) -> str:
    """``x`` printed as it is or simplified, whichever is shorter."""
    return min(show(x), show(simplify(x)), key=len)


# Each reader returns the kind, the result and the layout to report ("" where either
# layout gives the same), and adds its lines to the derivation.


def _hessian(work: _Work) -> tuple[str, Expr, str]:
    f, v, simplify, show, w = work.f, work.v, work.simplify, work.show, work.w
    if f.is_scalar and v.is_scalar:  # \frac{d^2 g}{dt^2}: the derivative of the derivative
        g = simplify(by_scalar(work.df_raw, v))
        dg = fold(differential(g, v, work.budget, None, work.names), work.names)
        h = simplify(by_scalar(dg, v))
        work.add(f"\\frac{{{work.d} {work.name}}}{{{work.d} {w}}} = {show(g)}")
        work.add(f"\\frac{{{work.d}^2 {work.name}}}{{{work.d} {w}^2}} = {show(h)}")
        return "hessian", h, ""
    if not (f.is_scalar and v.cols == ONE and not v.is_scalar):
        raise CalculusError("a Hessian needs a scalar function of a vector")
    g = simplify(gradient(work.df_raw))
    dg = fold(differential(g, v, work.budget, None, work.names), work.names)
    h = simplify(jacobian(dg, v.rows))
    work.add(
        f"{work.nabla} = {show(g)}" + identification("gradient", work.name, w, False, work.style)
    )
    work.add(f"{work.d}({work.nabla}) = {show(simplify(dg))}")
    ident = identification("hessian", work.name, w, False, work.style)
    work.add(f"\\nabla^2_{{{w}}} {work.name} = {show(h)}{ident}")
    return "hessian", h, ""


def _derivative(work: _Work) -> tuple[str, Expr, str]:
    """By a scalar (of a function of any shape)."""
    result = work.simplify(by_scalar(work.df_raw, work.v))
    work.add(f"\\frac{{{work.df_name}}}{{{work.d}{work.w}}} = {work.show(result)}")
    return "derivative", result, ""


def _gradient(work: _Work) -> tuple[str, Expr, str]:
    """Of a scalar function; the differential is shown as the pairing ⟨∇f, dX⟩."""
    v, simplify, show = work.v, work.simplify, work.show
    result = simplify(gradient(work.df_raw))
    pairing = simplify(e.mul(e.transpose(result), e.d(v)))
    form = show(pairing if v.cols == ONE else e.Tr(pairing, rows=ONE, cols=ONE))
    work.add(f"\\phantom{{{work.df_name}}} = {form}" + _cyclic(work, v))
    ident = identification("gradient", work.name, work.w, v.cols != ONE, work.style)
    work.add(f"{work.nabla} = {show(result)}{ident}")
    return "gradient", result, ""


def _gradient_by_names(work: _Work) -> tuple[str, Expr, str]:
    """Of a scalar function through the document's names, by reverse accumulation
    (:mod:`~texgrad.calculus.chain`); the differential is then ⟨∇f, dX⟩."""
    v, show = work.v, work.show
    result = through_names(work.f, v, work.names, work.budget, work.simplify)
    if result is None:
        return _gradient(work)
    pairing = e.mul(e.transpose(result), e.d(v))  # (expanding it again costs seconds)
    work.df = pairing if v.cols == ONE else e.tr(pairing)
    work.add(
        f"\\phantom{{{work.df_name}}} = {show(work.df)} \\quad \\text{{(chain rule through the names)}}"
    )
    ident = identification("gradient", work.name, work.w, v.cols != ONE, work.style)
    work.add(f"{work.nabla} = {show(result)}{ident}")
    return "gradient", result, ""


def _own(names: dict[str, Expr], introduced: list[str]) -> dict[str, Expr]:
    """The document's names, not those given to long parts (t_0)."""
    return {k: x for k, x in names.items() if k not in introduced}


def _gradient_either(work: _Work) -> tuple[str, Expr, str]:
    """Through one name: the differential expanded whole (which cancels more: X^T(p - y) for
    p = σ(Xw)) or reverse accumulation, where a part the name's definition makes zero drops
    (σ² = ‖x - μ1‖²/m by x: 2(x - μ1)/m); the shorter, with its derivation."""
    before = list(work.steps)
    found = _gradient(work)
    other = replace(work, steps=list(before))
    try:
        alternative = _gradient_by_names(other)
    except CalculusError:
        return found
    if len(work.show(alternative[1])) < len(work.show(found[1])):
        work.steps, work.df = other.steps, other.df
        return alternative
    return found


def _jacobian(work: _Work, layout: str) -> tuple[str, Expr, str]:
    """Of a vector function of a vector, in the layout asked for."""
    simplify, show = work.simplify, work.show
    j = simplify(jacobian(work.df_raw, work.v.rows))
    result = j if layout == "numerator" else simplify(e.transpose(j))
    work.add(f"\\phantom{{{work.df_name}}} = {show(j)}\\, {work.d}{work.w}")
    name = "\\frac{\\partial " + work.name + "}{\\partial " + work.w + "}"
    read = f"{name} = J" if layout == "numerator" else f"{name} = J{work.style.transpose}"
    work.add(
        f"{name} = {show(result)} \\quad\\text{{({layout} layout: "
        f"${work.df_name} = J\\, {work.d}{work.w} \\Rightarrow {read}$)}}"
    )
    return "jacobian", result, layout


def _matrix(work: _Work, env: Env) -> tuple[str, Expr, str]:
    """Of a matrix-valued function: the differential itself, and its vec form if any (a
    Jacobian through a Sylvester equation only where it is verified too)."""
    vec = vec_form(work.df, work.v)
    if vec is not None:
        work.add(_vec_line(vec, work.w, work.style, work.v, work.name))
    else:
        work.steps.extend(sylvester_lines(work.df, work.show))
        line = _checked_vec_line(work, env)
        if line:
            work.steps.append(line)
    return "matrix", work.df, ""


def _vec_jacobian(work: _Work, layout: str) -> tuple[str, Expr, str]:
    r"""Of a vector function of a matrix (``\operatorname{vec}(AXB)``): ∂vec F/∂vec X."""
    simplify, show = work.simplify, work.show
    j = simplify(vec_jacobian(work.df_raw, work.v))
    result = j if layout == "numerator" else simplify(e.transpose(j))
    vec_d = f"{work.style.op('vec')}({work.d}{work.w})"
    shown = show(j)
    shown = f"\\left({shown}\\right)" if "\\otimes" in shown or " + " in shown else shown
    work.add(f"\\phantom{{{work.df_name}}} = {shown}\\, {vec_d}")
    name = "\\frac{\\partial " + work.name + "}{\\partial " + vec_d.replace(work.d, "") + "}"
    work.steps.append(f"{name} = {show(result)} \\quad\\text{{({layout} layout)}}")
    return "jacobian", result, layout


def _checked_vec_line(work: _Work, env: Env) -> str:
    """``vec dF = J vec dX`` with J read off and verified on its own ("" if it cannot be)."""
    try:
        j = work.simplify(vec_jacobian(work.df, work.v))
        vec_f = e.vec(work.f)
        check = verify(vec_f, j, e.vec(work.df), work.v, "jacobian", "numerator", env,
                       work.style, work.budget)  # fmt: skip
    except CalculusError:
        return ""
    if not check.ok:
        return ""
    vec = work.style.op("vec")
    return f"{vec}({work.df_name}) = {work.show(j)}\\, {vec}({work.d}{work.w}) \\quad\\text{{(verified)}}"


def _relevant(env: Env, wrt: str) -> tuple[Env, frozenset[str]]:
    """The definitions to read (all but one of ``wrt`` itself), and those that do not
    (transitively) involve ``wrt``: where one cannot be read, its name may stand for
    the shape the checker inferred."""
    # (linear in the definitions: a claim of a 1 MB thesis sees thousands; each one's names
    # are read once per document; those naming what was found last are found a step at a
    # time, each step one look at every definition, by a comprehension over the dict
    # itself — a list of every definition's names made first cost as much as the steps)
    # (where the functions know the document's index of definitions by the names they name,
    # a step looks at those naming what was found only: IndexedFunctions)
    functions = env.functions
    involved: set[str] = set()
    found = {wrt}
    while found:
        if isinstance(functions, IndexedFunctions):
            now = functions.involving(found, involved)
        elif len(found) == 1:
            (name,) = found
            now = {k for k, f in functions.items() if name in f.names and k not in involved}
        else:
            now = {
                k for k, f in functions.items()
                if k not in involved and not found.isdisjoint(f.names)
            }  # fmt: skip
        found = now
        involved |= now
    # (where the functions are indexed, the keys of the variable's entries and those of
    # definitions with parameters are found among the few that may be such, not by a look
    # at each of a thesis's thousands of definitions for every claim)
    indexed = functions if isinstance(functions, IndexedFunctions) else None
    functions = dict(functions)
    functions.pop(wrt, None)
    info = env.vars.get(wrt)
    if info is not None and not info.shape.is_scalar:  # v_j = log σ_j² of a v by v: its own
        entries = wrt + "_{"
        keys = indexed.starting(entries) if indexed is not None else functions
        for k in [k for k in keys if k.startswith(entries) and k not in env.vars]:
            functions.pop(k, None)  # entries, free as the variable is
    if indexed is not None:
        with_params = {k for k in indexed.with_params() if k in functions}
        opaque = frozenset(functions.keys() - with_params - involved)
    else:
        opaque = frozenset([k for k, f in functions.items() if not f.params]) - involved
    out = Env(dict(env.vars), functions, env.softmax_columns, set(env.numbers), set(env.weak))
    return out, opaque


def _vec_line(vec: list[tuple[Expr, bool]], w: str, style: Style, v: e.Var, name: str = "f") -> str:
    """``vec dF = (Σ Bᵢᵀ ⊗ Aᵢ [K]) vec dX``; K is the commutation matrix (vec Xᵀ = K vec X)."""
    k = (
        f"K_{{{v.rows}{v.cols}}}"
        if len(str(v.rows) + str(v.cols)) == 2
        else (f"K_{{{v.rows},{v.cols}}}")
    )
    parts = []
    for coef, transposed in vec:
        txt = latex(coef, style)
        if transposed:
            txt = f"({txt}) {k}" if " " in txt else f"{txt} {k}"
        parts.append(txt)
    return (
        f"{style.op('vec')}({style.differential}{name}) = ("
        + " + ".join(parts)
        + f")\\, {style.op('vec')}({style.differential}{w})"
    )


def _collected(df_raw: Expr, v: e.Var) -> str:
    """The reason the differential simplified reads as it does: a term ``dxᵀa`` is the
    number ``aᵀdx`` (a scalar is its own transpose)."""
    dv = e.d(v)
    if v.cols == ONE and any(isinstance(x, e.T) and x.arg == dv for x in df_raw.walk()):
        return " \\quad \\text{(a scalar is its own transpose)}"
    return ""


def _cyclic(work: _Work, v: e.Var) -> str:
    """The reason the pairing line reads as it does: the trace's cyclic property (and its
    linearity, for a sum of traces) moves dX to the end."""
    if v.cols == ONE:
        return ""
    traces = work.steps[-1].count(work.style.op("tr"))
    return (
        " \\quad \\text{(linearity and the cyclic property of the trace)}"
        if traces > 1
        else " \\quad \\text{(cyclic property of the trace)}"
    )
