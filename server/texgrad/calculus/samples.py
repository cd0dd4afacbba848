r"""Losses summed over samples: ``\sum_{i=1}^N (\mathbf{w}^\top\mathbf{x}_i - y_i)^2``,
``\frac{1}{N}\sum_n \ell(f(x_n), t_n)``, ``\sum_{t=2}^T \|h_t - W h_{t-1}\|^2``.

The members of a family (``x_i``, ``h_t`` and ``h_{t-1}``) are vectors of their own, sized
by a declaration of the member (``x_i \in \mathbb{R}^d``), of a family the shapes layer
knows (a matrix that stacks the ``x_i^\top`` as rows, ``h_t`` for ``h_{t-1}``), or of the
letter alone (``x \in \mathbb{R}^d`` with ``\sum_i \|x_i - \mu\|^2``: a vector like x); a
``y_i`` is the entry of ``y \in \mathbb{R}^N`` or a scalar of its own.  The derivative of
a sum is the sum of the derivatives: the summand is differentiated by the ordinary pipeline
with the members as variables, and the result written as the document's sum of it
(``\sum_i 2(\mathbf{w}^\top\mathbf{x}_i - y_i)\mathbf{x}_i``); terms outside the sum
(a regulariser) are differentiated on their own.

Verification samples every member of the family — a number of terms distinct from every
other size — and compares the result with central differences of the sum as written,
evaluated by :mod:`~texgrad.calculus.evaluate_tree` summand by summand (or, where that
cannot read the formula, of what the engine read).  Where the document names the stacked
matrix (``X \in \mathbb{R}^{N \times d}`` with rows ``x_i^\top``) and every ``y_i`` is an
entry of a declared vector, the same loss is also read in matrix form (the summands as the
entries of a vector: :mod:`~texgrad.calculus.stacking`) and its verified derivative given
as ``matrix_form``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import Array, EvaluationError
from texgrad.calculus.context import Context
from texgrad.calculus.derive import DiffOutcome, _relevant, differentiate, differentiate_expr
from texgrad.calculus.differential import Budget, BudgetExceeded
from texgrad.calculus.evaluate_expr import evaluate as evaluate_expr
from texgrad.calculus.evaluate_tree import evaluate as evaluate_tree
from texgrad.calculus.expr import CalculusError, Expr, Var
from texgrad.calculus.lower import Env, Lowerer, VarInfo, plain_key
from texgrad.calculus.numpy_code import NumpyUnsupported, agrees, run_code
from texgrad.calculus.own_functions import in_function_names
from texgrad.calculus.printing import printer
from texgrad.calculus.readout import CONSTANT
from texgrad.calculus.recurrences import held_as_said
from texgrad.calculus.sample_code import (
    CodeTerm,
    Sampled,
    SumCode,
    SumPoint,
    check_sum_code,
    sum_code,
)
from texgrad.calculus.sampling import sample_inputs
from texgrad.calculus.shifted_code import shifted_layout, wrapped
from texgrad.calculus.simplify import simplify
from texgrad.calculus.stacking import stacked_sum
from texgrad.calculus.sympy_dims import Shape, dim_of, member_shape, same
from texgrad.calculus.tree_notation import entry_names
from texgrad.calculus.verify import _close, _domain  # (one tolerance for every check)
from texgrad.calculus.written import (
    FUNCTION_NAMES,
    function_name,
    sum_index,
    unread_sum_index,
    written_latex,
)
from texgrad.calculus.written_simplex import resample
from texgrad.reading.macros import MacroTable, expand
from texgrad.reading.source import MappedText
from texgrad.shapes.families import SUBSCRIPT_LABELS
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import Label, label_of, member_key, symbol_key, tagged_key

ONE = sympy.Integer(1)
POINTS = 2  # random points the result must pass
TRIES = 6
MAX_TERMS = 40  # members sampled at most (a bound written as a number)


@dataclass(frozen=True)
class Member:
    """A member of a family in a summand: ``x_i``, ``h_{t-1}``, ``y_i``."""

    key: str  # as the engine keys it: x_{i}, h_{t-1}
    base: str  # the family's letter: x, h
    shift: int  # its label's offset from the sum's index: h_{t-1} → -1
    shape: Shape
    entry_of: str | None = None  # y_i of y ∈ ℝ^N: y


@dataclass(frozen=True)
class SampleSum:
    node: t.BigOp
    index: str
    start: int  # the first value of the index (1 unless written)
    upper: t.Node | None
    summand: t.Node
    members: tuple[Member, ...]


@dataclass
class _Term:
    """One term of the loss: a sum over samples times scalars written before it, or a term
    of its own (a regulariser)."""

    sign: str
    node: t.Node
    coefficient: tuple[t.Node, ...] = ()
    sum: SampleSum | None = None
    outcome: DiffOutcome | None = None
    read: Expr | None = None  # the term (or the summand) as the engine reads it
    result: Expr | None = None  # its derivative (of one summand), read back from print
    outer: str = ""  # "log": the term is the log of the sum (log-sum-exp), times scalars
    # a coefficient that involves the variable (\frac{1}{2s^2}\sum_n …, by s): it as read and
    # its derivative (the product rule: c' S + c S')
    coefficient_read: Expr | None = None
    coefficient_result: Expr | None = None
    # outer "fn": the term is g(S) of its one sum S (\sqrt{\sum_i …}, (\sum_i …)^2): the
    # node g is written as (the term, or its last factor), g read with S a number named by
    # ``placeholder``, and g'(S) read back from its print
    function: t.Node | None = None
    placeholder: str = ""
    outer_read: Expr | None = None
    outer_result: Expr | None = None
    outer_printed: str = ""  # g'(S), the sum written in
    # the Hessian of an outer term (c g(S), c log S) as printed, coefficient in: evaluated as
    # written where a claim is compared (its summands' Hessians do not add up to it)
    outer_hessian: t.Node | None = None


class NotSamples(Exception):
    """The formula has no sum over the members of a family."""


class SampleSumError(CalculusError):
    """A sum over the members of a family that cannot be read (said in its words)."""


class _DefinedEntry(SampleSumError):
    """An entry of a vector the document defines (``\\hat{x}_i``): read by lower.py with the
    other entries where the sum is over entries only; refused beside samples."""


def _one_letter(env: Env, wrt: str, m: Member) -> bool:
    """Whether the variable ``wrt`` is the family ``m`` belongs to, not a vector of its own
    beside it (the family's members declared on their own, each of the variable's shape)."""
    info = env.vars.get(wrt)
    return info is None or m.key not in env.vars or info.shape != m.shape


def _defined_constants(ctx: Context, wrt: str) -> Context:
    r"""``ctx`` with each vector the document defines without involving ``wrt`` (even
    through other definitions) read as a constant of its shape: ``\boldsymbol\alpha =
    K^{-1}\mathbf{y}`` in ``\sum_i \alpha_i k(\mathbf{x}, \mathbf{x}_i)`` by x, whose
    ``\alpha_i`` are then entries of a vector, sampled as any constant is."""
    _, constant = _relevant(ctx.env, wrt)
    added: dict[str, VarInfo] = {}
    for key in sorted(constant):
        if key in ctx.env.vars or key == wrt:
            continue
        try:
            value = Lowerer(ctx.env).lower(ctx.env.functions[key].body)
        except (CalculusError, RecursionError):
            continue
        if isinstance(value, Expr) and not value.is_scalar and value.cols == e.ONE:
            added[key] = VarInfo(key, value.shape, ctx.style.symbols.get(key, key))
    if not added:
        return ctx
    env = ctx.env
    functions = {k: f for k, f in env.functions.items() if k not in added}
    return replace(ctx, env=replace(env, vars={**env.vars, **added}, functions=functions))


def sample_sum_of(node: t.BigOp, env: Env) -> SampleSum:
    """The sum over samples ``node`` read (its index, bounds, summand and members); raises
    NotSamples or SampleSumError where it is not one."""
    return _sample_sum(node, env)


def summand_value(node: t.BigOp, ctx: Context) -> Expr:
    r"""One summand of the sum over samples ``node`` as the engine reads it, its members
    variables of their own (``(\mathbf{x}_n - \boldsymbol\mu)(\mathbf{x}_n -
    \boldsymbol\mu)^\top``: a D×D matrix, symmetric by its form); raises NotSamples or
    CalculusError where it is not one."""
    sample_sum = _sample_sum(node, ctx.env)
    value = Lowerer(_env_with_members(ctx, sample_sum.members).env).lower(sample_sum.summand)
    if not isinstance(value, Expr):
        raise CalculusError("the summand's size is not known")
    return value


def _bounds_as_numbers(ctx: Context, terms: list[_Term]) -> Context:
    r"""``ctx`` with each undeclared letter that bounds a sum (``N`` of ``\sum_{i=1}^N``) read
    as the number it is, where a term outside the sums uses it (``N + \sum_{i=1}^N …``)."""
    env = ctx.env
    bounds = {k[0] for tm in terms if tm.sum is not None and (k := _bound_key(tm.sum.upper))}
    used = {k[0] for tm in terms if tm.sum is None for n in tm.node.walk() if (k := symbol_key(n))}
    counts = {k for tm in terms if tm.sum is not None for k in _count_letters(tm.coefficient)}
    dims = {
        str(d)
        for info in env.vars.values()
        for d in info.shape.rows.free_symbols | info.shape.cols.free_symbols
    }
    counts -= bounds | dims  # (N of \frac1N\sum_{i=1}^N: the sampled number of terms)
    added = {  # (a bound that sizes a declared array is that size, sampled as one)
        k: VarInfo(k, Shape(ONE, ONE), ctx.style.symbols.get(k, k), positive=True)
        for k in sorted(((bounds & used) - dims) | counts)
        if k not in env.vars and k not in env.functions
    }
    if not added:
        return ctx
    numbers = set(env.numbers) | set(added)
    return replace(ctx, env=replace(env, vars={**env.vars, **added}, numbers=numbers))


def _count_letters(coefficient: tuple[t.Node, ...]) -> set[str]:
    r"""The letters a sum's coefficient divides by that nothing declares: the size of a
    minibatch (``\frac{1}{B}\sum_{i \in \mathcal B}``, ``\frac{1}{|\mathcal B|}``) — a
    positive number, whatever its value (the caller keeps the declared ones)."""
    out: set[str] = set()
    for factor in coefficient:
        for n in factor.walk():
            if isinstance(n, t.Frac):
                for m in n.den.walk():
                    k = symbol_key(m) if isinstance(m, (t.Symbol, t.Sub)) else None
                    if k is not None:
                        out.add(k[0])
    return out


def _bound_key(upper: t.Node | None) -> tuple[str, str | None] | None:
    """The key of a sum's upper bound written as a letter (``N``, ``n_{\text{train}}``)."""
    if isinstance(upper, t.Symbol) and not upper.font and not upper.accents:
        return symbol_key(upper)
    if isinstance(upper, t.Sub) and isinstance(upper.base, t.Symbol):
        return symbol_key(upper)
    return None


def is_sample_sum(tree: t.Node, env: Env) -> bool:
    """Whether ``tree`` holds a ``\\sum`` whose summand names members of a family."""
    tree = defined_members_written_in(tree, None, env)[0]  # (y_n = \\sigma(…): its value)
    for node in tree.walk():
        if isinstance(node, t.BigOp) and node.op == "\\sum":
            try:
                return bool(_sample_sum(node, env).members)
            except SampleSumError:
                return True  # a sum over samples, refused by differentiate_sum
            except (NotSamples, CalculusError):
                continue
    return False


def sum_variables(tree: t.Node, env: Env) -> list[str]:
    """The declared variables a loss summed over samples can be differentiated by, in order
    of appearance (the keys): not the members summed over, their families or the vectors
    whose entries they are, nor a letter read as a number."""
    node, _ = _right_side(tree)
    node = defined_members_written_in(node, None, env)[0]  # (y_n = \sigma(\mathbf w^\top …))
    try:
        terms = _terms(node, env, "")
    except (NotSamples, CalculusError):
        return []
    summed: set[str] = set()
    for term in terms:
        for m in term.sum.members if term.sum is not None else ():
            summed |= {m.key, m.base, m.entry_of or m.key}
    found: list[str] = []
    for n in node.walk():
        k = symbol_key(n)
        if k is None or k[0] in summed or k[0] in found or k[0] in env.numbers:
            continue
        if k[0] in env.vars:
            found.append(k[0])
    return found


def differentiate_sum(
    tree: t.Node,
    wrt: str,
    ctx: Context,
    text: str,
    budget: Budget,
    layout: str = "numerator",
    stacks: dict[str, tuple[str, str]] | None = None,
    *,
    macros: MacroTable | None = None,
) -> DiffOutcome:
    """The derivative of a loss summed over samples by ``wrt``, in the document's sum form
    (and in matrix form where ``stacks`` says which matrix stacks each family: a member's
    key → the matrix's key, "row" or "column"); an outcome with an error, in the document's
    words, when it cannot be read.  ``macros``: the document's, through which a result
    written with them (``\\vw``) is read back."""
    try:
        out, terms = _differentiate(tree, wrt, ctx, text, budget, layout, macros or {})
        matrix = None
        if out.error is None and stacks and out.kind == "gradient":
            matrix = _matrix_form(terms, wrt, ctx, stacks, layout, budget)
            if matrix is not None:
                out.matrix_form = matrix.result
                name = _loss_name(tree, text)
                out.steps.append(f"\\nabla_{{{out.wrt}}} {name} = {out.matrix_form}")
        if out.error is None:  # the code, written when asked for (a budget of its own)
            seconds = budget.seconds

            def later() -> dict[str, object]:
                code, note, loop = _sum_numpy(out, terms, tree, wrt, ctx, Budget(seconds))
                shown = matrix_form_code(matrix, out.function) if matrix is not None else ""
                if code and out.kind == "gradient":  # the loop vectorised, where it can be
                    more = _vectorised(out, terms, tree, wrt, ctx, layout, Budget(seconds))
                    if not more and loop is not None:  # h_t and h_{t-1}: slices of one array
                        more = _vectorised_shifted(
                            out, terms, tree, wrt, ctx, layout, Budget(seconds), loop
                        )
                    code = _joined(code, more) if more and _same_params(code, more) else code
                return {"numpy": code, "numpy_note": note, "code": None, "matrix_numpy": shown}

            out.numpy_later = later
        return out
    except CalculusError as exc:
        return DiffOutcome(error=str(exc))


def _differentiate(
    tree: t.Node,
    wrt: str,
    ctx: Context,
    text: str,
    budget: Budget,
    layout: str,
    macros: MacroTable,
    hessian: bool = False,
    named: bool = True,
) -> tuple[DiffOutcome, list[_Term]]:
    r"""The derivative (``hessian``: the Hessian, see :func:`hessian_of_sum`) of the loss
    summed over samples, verified, and its terms as read; ``named``: written with the
    members the document defines (``\mu_i``), else as evaluated."""
    # (the Hessian is checked against differences of the verified gradient)
    gradient = _gradient_first(tree, wrt, ctx, text, budget, layout, macros) if hessian else None
    node, extended = _right_side(tree)
    ctx = _defined_constants(ctx, wrt)
    node, written_in = defined_members_written_in(node, wrt, ctx.env, ctx.style.symbols)
    terms = _terms(node, ctx.env, wrt)
    ctx = _bounds_as_numbers(ctx, terms)
    _not_summed_over(terms, wrt, ctx)
    w = ctx.style.symbols.get(wrt, wrt)
    ctx, held = _defined_members(terms, wrt, ctx)
    pieces: list[str] = []
    differentials: list[str] = []
    kind = ""
    shape = ""
    notes: list[str] = []
    for term in terms:
        sub = _env_with_members(ctx, term.sum.members if term.sum else ())
        body = term.sum.summand if term.sum is not None else term.node
        if hessian and term.sum is not None and (term.outer or _involves(term.coefficient, wrt)):
            out, piece, dpiece = _outer_hessian(term, body, wrt, sub, text, layout, budget, macros)
            kind, shape = out.kind, out.shape
            notes.append(out.note)
            pieces.append(piece)
            differentials.append(dpiece)
            continue
        if term.sum is not None and _involves(term.coefficient, wrt):  # (c S)' = c' S + c S'
            out, piece, dpiece = _product_rule(term, wrt, sub, text, layout, budget, macros)
            kind, shape = out.kind, out.shape
            notes.append(out.note)
            pieces.append(piece)
            differentials.append(dpiece)
            continue
        out = differentiate(body, wrt, sub, layout, budget, hessian)
        if out.error == CONSTANT and wrt in sub.env.vars and term.outer != "fn":
            term.read = Lowerer(sub.env).lower(body)  # -\frac{n}{2}\log\det\Sigma, by μ: 0
            var = sub.env.vars[wrt].shape
            term.result = e.zero(var.rows, var.rows if hessian else var.cols)
            pieces.append("0")
            differentials.append("0")
            continue
        if out.error is not None:
            raise CalculusError(undefined_in_sum(body, sub.env) or out.error)
        if out.kind not in (("hessian",) if hessian else ("gradient", "derivative")):
            what = "summand" if term.sum is not None else f"term `{_source(text, term.node)}`"
            raise CalculusError(f"the {what} is not a scalar: only scalar losses are summed")
        if not out.verified:
            raise CalculusError(f"the derivative of the summand was not verified: {out.note}")
        if out.where and out.values is not None:  # a name given to a part (t_0): written out,
            show = printer(sub.style)  # as the sum's result is read back without it
            out.result, out.differential, out.where = show(out.values[1]), show(out.values[2]), []
        out.result = in_function_names(out.result, body, sub, text, macros)  # k(x, x_i)
        if hessian and term.sum is None:  # λI of ½λ‖β‖², beside the sum: I_p, sized
            var = sub.env.vars[wrt].shape
            out.result = _UNSIZED_I.sub(f"I_{{{sympy.latex(var.rows)}}}", out.result)
        term.outcome = out
        term.read = Lowerer(sub.env).lower(body)
        term.result = _read_back(_sized_alone(out.result, term, sub, wrt), sub, macros)
        kind, shape = out.kind, out.shape
        notes.append(out.note)
        if term.outer == "fn":  # g(S): g'(S) S'
            outer = _outer_derivative(term, wrt, sub, text, layout, budget, macros)
            pieces.append(_outer_piece(term, text, outer, out.result))
            differentials.append(_outer_piece(term, text, outer, out.differential))
            continue
        pieces.append(_piece(term, text, out.result))
        differentials.append(_piece(term, text, out.differential))
    result = _join(terms, pieces)
    differential = _join(terms, differentials)
    printed = _parsed(result, macros)
    printed_d = _parsed(differential, macros)
    if gradient is not None:
        check = _verify_hessian(
            terms, node, printed, _parsed(gradient.result, macros), wrt, ctx, budget
        )
    else:
        check = _verify(terms, node, (printed, printed_d), wrt, ctx, budget)
    if not check[0]:
        why = f"the derivative of the sum failed its check, so none is given: {check[1]}"
        return DiffOutcome(error=why), terms
    note = "; ".join(x for x in (check[1], held) if x) + _unit_notes(notes)
    note += "; " + extended if extended else ""
    name = _loss_name(tree, text)
    steps = _steps(terms, text, node, w, kind, result, name)
    if gradient is not None:  # the gradient first, then each summand's Hessian
        steps = [steps[0], f"\\nabla_{{{w}}} {name} = {gradient.result}", *steps[1:-1]]
        steps.append(f"\\nabla^2_{{{w}}} {name} = {result}")
    # y_n = \sigma(\mathbf w^\top \mathbf x_n) written in: the answer written in y_n again
    if named:
        forms = _engine_forms(terms, written_in, wrt, ctx)
        result, differential = (
            _named_back(x, written_in, text, forms) for x in (result, differential)
        )
        steps = [_named_back(x, written_in, text, forms) for x in steps]
    outcome = DiffOutcome(
        kind=kind,
        result=result,
        differential=differential,
        shape=shape,
        verified=True,
        steps=steps,
        note=note,
        wrt=w,
        function=_source(text, node),
    )
    return outcome, terms


def _gradient_first(
    tree: t.Node, wrt: str, ctx: Context, text: str, budget: Budget, layout: str,
    macros: MacroTable,
) -> DiffOutcome:  # fmt: skip
    """The verified gradient, as evaluated (no member named back), for a Hessian's check."""
    gradient, _ = _differentiate(tree, wrt, ctx, text, budget, layout, macros, named=False)
    if gradient.error is not None or gradient.kind != "gradient":
        raise CalculusError(gradient.error or "a Hessian needs a function of a vector")
    return gradient


_UNSIZED_I = re.compile(r"(?<![\\\w{])I(?![\w_^{])")


_OTHER_MEMBER = re.compile(r"(.+)_\{([A-Za-z])\}")  # w_{k}: a member labelled by a letter


def _not_summed_over(terms: list[_Term], wrt: str, ctx: Context) -> None:
    """Refuse a variable that is a member (or the letter of a family) summed over."""
    for term in terms:
        summed = term.sum
        for m in summed.members if summed is not None else ():
            # (x beside a family x_i of vectors, the GP's test point, is a vector of its own)
            if wrt in (m.key, m.entry_of) or (
                wrt == m.base and m.entry_of is None and _one_letter(ctx.env, wrt, m)
            ):
                if summed is not None:  # (u_{i+1} of 𝐮 ∈ ℝⁿ to n - 1: entries)
                    _entries_in_part(summed, m, wrt, ctx)
                raise CalculusError(
                    f"`{ctx.style.symbols.get(wrt, wrt)}` {SUMMED_OVER}: differentiating "
                    "with respect to the samples of a sum is not done yet"
                )
            # w_k beside \sum_j \exp(w_j^\top x): one of the members, unless the document
            # declares the family's letter as a vector of its own
            label = _OTHER_MEMBER.fullmatch(wrt)
            if (
                label is not None
                and label[1] == m.base
                and m.entry_of is None
                and summed is not None
                and label[2] != summed.index
                and m.key != wrt
            ):
                w = ctx.style.symbols.get(wrt, wrt)
                written = ctx.style.symbols.get(m.key, m.key)
                raise CalculusError(
                    f"`{w}` is one of the `{written}` summed over (the one for "
                    f"`{summed.index} = {label[2]}`): differentiating with respect to one "
                    "member of a sum is not done yet — stack the members as a matrix"
                )


def _entries_in_part(summed: SampleSum, m: Member, wrt: str, ctx: Context) -> None:
    r"""Refuse, in the words of entries, a vector whose plain letter's members a sum takes
    as numbers over another range than its entries' (``\sum_{i=1}^{n-1}(u_{i+1} - u_i)^2``
    of ``\mathbf u \in \mathbb{R}^n``): not samples, but part of its entries, or shifted."""
    info = ctx.env.vars.get(wrt)
    if info is None or info.shape.cols != ONE or info.shape.is_scalar or m.base != wrt:
        return
    bound = dim_of(summed.upper) if summed.upper is not None else None
    written = ctx.style.symbols.get(m.key, "")
    if bound is None or not _BOLD.match(info.latex.strip()) or _BOLD.match(written.strip()):
        return  # (a family of bold vectors, 𝐮_i: samples)
    if not (bound.free_symbols & info.shape.rows.free_symbols) or same(bound, info.shape.rows):
        return  # (a sum to n - 1 of u ∈ ℝⁿ: its entries)
    w = ctx.style.symbols.get(wrt, wrt)
    upper = f"^{{{t_show(summed.upper)}}}" if summed.upper is not None else ""
    raise CalculusError(
        f"`\\sum_{{{summed.index}={summed.start}}}{upper}` takes entries of `{w}` "
        f"({info.shape.rows} of them) over part of their range or shifted: such a sum is not "
        "read yet — write it over every entry, or in matrix form (with a difference matrix, "
        f"`\\|D{w}\\|^2`)"
    )


def hessian_of_sum(
    tree: t.Node, wrt: str, ctx: Context, text: str, budget: Budget, macros: MacroTable
) -> DiffOutcome:
    r"""The Hessian of a loss summed over samples by a vector ``wrt``: the sum of the
    summands' Hessians (``\sum_{i=1}^N \sigma(\mathbf x_i^\top\boldsymbol\beta)(1 -
    \sigma(\mathbf x_i^\top\boldsymbol\beta))\mathbf x_i\mathbf x_i^\top``), verified against
    central differences of the verified gradient, every member sampled; an outcome with an
    error, in the document's words, when it cannot be read."""
    try:
        return _differentiate(tree, wrt, ctx, text, budget, "numerator", macros, hessian=True)[0]
    except (CalculusError, NotSamples) as exc:
        return DiffOutcome(error=str(exc))


def hessian_by_differences(point: _Point, gradient: t.Node | None, x0: Array) -> Array | None:
    """The Hessian at ``x0`` by central differences of the gradient written ``gradient``
    (the verified one, as printed), evaluated at the point's members; None where it cannot
    be evaluated."""
    if gradient is None or x0.shape[1] != 1:
        return None
    h = 1e-5 * max(1.0, float(np.abs(x0).max()))
    columns = []
    for j in range(x0.shape[0]):
        step = np.zeros_like(x0)
        step[j, 0] = h
        hi = point.evaluate_written(gradient, x0 + step)
        lo = point.evaluate_written(gradient, x0 - step)
        if hi is None or lo is None or hi.shape != x0.shape or lo.shape != x0.shape:
            return None
        columns.append((hi - lo) / (2 * h))
    return np.hstack(columns)


def _verify_hessian(
    terms: list[_Term],
    root: t.Node,
    printed: t.Node | None,
    gradient: t.Node | None,
    wrt: str,
    ctx: Context,
    budget: Budget,
) -> tuple[bool, str]:
    """The printed Hessian against central differences of the verified gradient, every
    member sampled."""
    passed = 0
    for point in _points(terms, root, wrt, ctx, budget):
        x0 = point.values[wrt]
        try:
            with np.errstate(all="raise"):
                want = hessian_by_differences(point, gradient, x0)
                shown = point.evaluate_written(printed, x0)
        except _OUTSIDE:
            continue
        if want is None or shown is None:
            return False, "the Hessian could not be evaluated"
        if not (np.all(np.isfinite(want)) and np.all(np.isfinite(shown))):
            continue
        if not _close(np.asarray(shown, dtype=float), want):
            return False, "the Hessian disagrees with finite differences of the gradient"
        passed += 1
        if passed == POINTS:
            break
    if passed == 0:
        return False, "no random point inside the function's domain"
    return True, (
        f"verified at {passed} random point(s) by central differences of the verified "
        "gradient, every member of the family sampled"
    )


def _unit_notes(notes: list[str]) -> str:
    """What the summands' notes say of one-hot labels (1ᵀy_i = 1), once each ("" if none)."""
    said = dict.fromkeys(
        part for n in notes for part in n.split("; ") if "as the text says (\\mathbf{1}^" in part
    )
    return "".join(f"; {part}" for part in said)


def _right_side(tree: t.Node) -> tuple[t.Node, str]:
    r"""The loss (the right-hand side of ``L(w) = …``) with each sum over samples that ends
    at a ``+`` or ``-`` before terms naming its index run over them too — ``\sum_i
    y^{(i)}\log h_i + (1 - y^{(i)})\log(1 - h_i)``, as CS229 writes it: an index bound by the
    sum alone means nothing outside it — and a note that says so ("" where none is)."""
    node, left = tree, None
    if isinstance(tree, t.Chain) and tree.items and tree.items[-1] is not None:
        node, left = tree.items[-1], tree.items[0]  # L(w) = …: the right-hand side
    if not isinstance(node, t.Add) or node.trailing:
        return node, ""
    terms: list[t.Node] = []
    signs: list[str] = []
    notes: list[str] = []
    pairs = list(zip(node.signs, node.terms, strict=True))
    i = 0
    while i < len(pairs):
        sign, term = pairs[i]
        i += 1
        factors = list(term.factors) if isinstance(term, t.Product) else [term]
        last = factors[-1]
        index = None
        if isinstance(last, t.BigOp) and last.op == "\\sum" and last.body is not None:
            index = sum_index(last.lower)
        if (
            not isinstance(last, t.BigOp)
            or last.body is None
            or index is None
            or len(index) != 1
            or (left is not None and _labels(left, index[0]))
        ):
            terms.append(term)
            signs.append(sign)
            continue
        taken: list[tuple[str, t.Node]] = []
        while (
            i < len(pairs)
            and pairs[i][0] in ("+", "-")
            and _labels(pairs[i][1], index[0])
            and not any(isinstance(n, t.BigOp) for n in pairs[i][1].walk())
        ):
            taken.append(pairs[i])
            i += 1
        if not taken:
            terms.append(term)
            signs.append(sign)
            continue
        end = taken[-1][1].end
        body = t.Add(
            (last.body, *(x for _, x in taken)),
            ("", *(sg for sg, _ in taken)),
            start=last.body.start,
            end=end,
            span=(last.body.span[0], taken[-1][1].span[1]),
        )
        summed: t.Node = replace(
            last, body=body, end=end, span=(last.span[0], taken[-1][1].span[1])
        )
        if isinstance(term, t.Product):
            summed = replace(
                term, factors=(*factors[:-1], summed), end=end,
                span=(term.span[0], taken[-1][1].span[1]),
            )  # fmt: skip
        terms.append(summed)
        signs.append(sign)
        notes.append(
            f"the sum over {index[0]} is read to run over "
            + ", ".join(f"`{sg} {latex_of(x)}`" for sg, x in taken)
            + " too, which use its index"
        )
    if not notes:
        return node, ""
    whole = replace(node, terms=tuple(terms), signs=tuple(signs))
    return whole, "; ".join(notes)


def _labels(node: t.Node, index: str) -> bool:
    """Whether ``node`` names a member labelled by ``index`` (``y_i``, ``y^{(i)}``)."""
    return any((label := _member_label(n)) is not None and label[0] == index for n in node.walk())


def defined_members_written_in(
    node: t.Node, wrt: str | None, env: Env, symbols: dict[str, str] | None = None
) -> tuple[t.Node, dict[str, t.Node]]:
    r"""``y_n`` of ``y_n = \sigma(\mathbf{w}^\top\mathbf{x}_n)`` in a sum over n, by w: the
    member's definition written in, bracketed (each sample's value as the document defines
    it, through which the derivative goes, as the chain rule does by hand).  Only members
    labelled by the sum's own index as defined (``y_n`` in a sum over n), defined in ``wrt``
    and not by a recurrence (``h_t`` of ``h_{t-1}``: :func:`_defined_members` says why).
    With the tree, the members written in: by how the result names them (``symbols``: the
    document's spellings), their definition.  ``wrt`` None: every such member (planning)."""
    named: dict[str, t.Node] = {}
    for _ in range(_WRITTEN_IN_DEPTH):  # z_n inside p_n = softmax(z_n): written in in turn
        node, more = _written_in_once(node, wrt, env, symbols)
        if not more:
            break
        for name, body in more.items():
            named.setdefault(name, body)
    return node, named


_WRITTEN_IN_DEPTH = 4  # definitions through definitions (p_n of z_n of x_n), bounded


def _written_in_once(
    node: t.Node, wrt: str | None, env: Env, symbols: dict[str, str] | None
) -> tuple[t.Node, dict[str, t.Node]]:
    """One pass of :func:`defined_members_written_in`: the members labelled by their sum's
    index written in by their definitions (those reaching ``wrt`` through other members'
    definitions too)."""
    functions = env.functions
    by: dict[int, t.Node] = {}
    named: dict[str, t.Node] = {}
    for op in node.walk():
        if not isinstance(op, t.BigOp) or op.op != "\\sum" or op.body is None:
            continue
        index = sum_index(op.lower)
        if index is None or len(index) != 1:
            continue
        for sub in op.body.walk():
            if not isinstance(sub, t.Sub):
                continue
            key = symbol_key(sub)
            fdef = functions.get(key[0]) if key is not None else None
            if fdef is None or fdef.params or key is None or key[0] in env.vars:
                continue
            label = label_of(_label_node(sub))
            base = symbol_key(sub.base)
            if label != (index[0], 0) or base is None:
                continue
            keys = {k[0] for n in fdef.body.walk() if (k := symbol_key(n)) is not None}
            if (wrt is not None and not _reaches(keys, wrt, index[0], env)) or any(
                k.startswith(base[0] + "_{") for k in keys
            ):
                continue  # (held as given; a recurrence)
            by[id(sub)] = t.Paren(
                fdef.body, "(", ")", start=sub.start, end=sub.end, from_macro=sub.from_macro
            )
            named.setdefault((symbols or {}).get(key[0], written_latex(sub)), fdef.body)
    return (t.replaced(node, by), named) if by else (node, {})


def _reaches(keys: set[str], wrt: str, index: str, env: Env, depth: int = 0) -> bool:
    r"""Whether a definition naming ``keys`` involves ``wrt``: directly, or through a member
    labelled by the same ``index`` that is itself defined so (``\mathbf p_n =
    \operatorname{softmax}(\mathbf z_n)`` with ``\mathbf z_n = W\mathbf x_n + \mathbf b``, by W)."""
    if wrt in keys:
        return True
    if depth >= _WRITTEN_IN_DEPTH:
        return False
    suffix = "_{" + index + "}"
    for key in keys:
        fdef = env.functions.get(key) if key.endswith(suffix) else None
        if fdef is None or fdef.params or key in env.vars:
            continue
        inner = {k[0] for n in fdef.body.walk() if (k := symbol_key(n)) is not None}
        if not any(k.startswith(key[: -len(suffix)] + "_{") for k in inner) and _reaches(
            inner, wrt, index, env, depth + 1
        ):
            return True
    return False


def _engine_forms(
    terms: list[_Term], written_in: dict[str, t.Node], wrt: str, ctx: Context
) -> dict[str, set[str]]:
    r"""How the engine prints the definition of each member the document defines and labels
    by a sum's own index (``\mu_i = \sigma(\mathbf{x}_i^\top\boldsymbol\beta)`` in a sum
    over i, written in the loss or not, of ``wrt``): ``\sigma(\boldsymbol\beta^\top
    \mathbf{x}_i)``, the same value, which the result then names ``\mu_i`` again."""
    forms: dict[str, set[str]] = {}
    symbols = ctx.style.symbols
    for term in terms:
        s = term.sum
        if s is None:
            continue
        sub = _env_with_members(ctx, s.members)
        show = printer(sub.style)
        suffix = "_{" + s.index + "}"
        for key, fdef in ctx.env.functions.items():
            if fdef.params or not key.endswith(suffix) or key in ctx.env.vars:
                continue
            keys = {k[0] for n in fdef.body.walk() if (k := symbol_key(n)) is not None}
            if wrt not in keys or any(k.startswith(key[: -len(suffix)] + "_{") for k in keys):
                continue  # (of another variable; a recurrence)
            try:
                value = Lowerer(sub.env).lower(fdef.body)
                printed = {show(value), show(simplify(value, sub.style))}
            except (CalculusError, RecursionError):
                continue
            if not isinstance(value, Expr) or not value.is_scalar:
                continue
            name = symbols.get(key, key)
            forms.setdefault(name, set()).update(printed | {written_latex(fdef.body)})
    return forms


def _named_back(
    latex: str, written_in: dict[str, t.Node], text: str, forms: dict[str, set[str]] | None = None
) -> str:
    r"""``latex`` with each member's definition written in (:func:`defined_members_written_in`)
    named again where it is printed as the document writes it (``\sigma(\mathbf{w}^\top
    \mathbf{x}_n)`` → ``y_n``), or as the engine prints it (``forms``): the answer in the
    document's intermediates."""
    named = {m: {text[b.start : b.end], written_latex(b)} for m, b in written_in.items()}
    for member, more in (forms or {}).items():
        named.setdefault(member, set()).update(more)
    outer: list[str] = []  # p_n = softmax(z_n): its value with z_n's written in, named first
    for member, values in named.items():
        for inner, inner_values in named.items():
            if inner == member or not any(inner in v for v in values):
                continue
            values |= {
                v.replace(inner, w) for v in list(values) if inner in v for w in inner_values
            }
            outer.append(member)
    for member in [*outer, *(m for m in named if m not in outer)]:
        for value in sorted(named[member], key=len, reverse=True):
            flat = re.sub(r"[\s{}]+", "", value)
            if len(flat) < 3:
                continue
            pattern = r"[\s{}]*".join(re.escape(ch) for ch in flat)
            latex = re.sub(r"\(\s*" + pattern + r"\s*\)|" + pattern, _spaced(member), latex)
    return latex


_OPERATOR_BEFORE = r"\\(?:log|ln|exp|sin|cos|tan|sinh|cosh|tanh|det|operatorname\{[^{}]*\})\s*$"


def _spaced(member: str) -> Callable[[re.Match[str]], str]:
    r"""The replacement by ``member``, in parentheses where it is an operator's argument
    (``\log\sigma(…)\,\sigma(…)`` → ``\log(p_i) p_i``, never ``\logp_i`` nor the
    ambiguous ``\log p_i p_i``), a space before it after any other command's name."""

    def replace(m: re.Match[str]) -> str:
        before = m.string[: m.start()]
        if re.search(_OPERATOR_BEFORE, before) is not None:
            return "(" + member + ")"
        if m[0].startswith("("):
            return member
        ends_a_command = re.search(r"\\[A-Za-z]+$", before) is not None
        return " " + member if ends_a_command and member[:1].isalpha() else member

    return replace


def _defined_members(terms: list[_Term], wrt: str, ctx: Context) -> tuple[Context, str]:
    r"""Members the document defines (``\mathbf{h}_t = \tanh(W\mathbf{h}_{t-1} + …)``):
    refused where the definition involves ``wrt`` (the derivative would go through the
    recurrence); else held as given — the context to check with (their definitions left
    out, the members sampled) and a note that says so ("" where there are none)."""
    functions = ctx.env.functions
    _, constant = _relevant(ctx.env, wrt)
    w = ctx.style.symbols.get(wrt, wrt)
    held: dict[str, str] = {}
    for term in terms:
        for m in term.sum.members if term.sum is not None else ():
            if m.entry_of is not None:
                continue
            for key, fdef in functions.items():
                if fdef.params or not (key == m.key or key.startswith(m.base + "_{")):
                    continue
                info = ctx.env.vars.get(key)
                written = ctx.style.symbols.get(key, info.latex if info is not None else key)
                recurrence = any(
                    (k := symbol_key(n)) is not None and k[0].startswith(m.base + "_{")
                    for n in fdef.body.walk()
                )
                how = "by a recurrence" if recurrence else "in the document"
                if key not in constant and recurrence and ctx.held_as_given:
                    held.setdefault(key, held_as_said(written, w))
                    continue
                if key not in constant:
                    raise SampleSumError(
                        f"`{written}` is defined {how} that involves `{w}`: the derivative "
                        f"through {'it (backpropagation through time)' if recurrence else 'it'} "
                        f"is not taken yet for a sum over `{written}`"
                    )
                held.setdefault(key, f"`{written}` (defined {how}, without `{w}`) held as given")
    if not held:
        return ctx, ""
    env = replace(ctx.env, functions={k: f for k, f in functions.items() if k not in held})
    return replace(ctx, env=env), "; ".join(held.values())


def _loss_name(tree: t.Node, text: str) -> str:
    r"""What the row calls the loss, as written: ``\mathcal{L}`` of ``\mathcal{L}(\mathbf w)
    = \sum_i …``, ``J`` of ``J = …``; ``f`` where the row names none (a derivation keeps the
    function's own name)."""
    if not (
        isinstance(tree, t.Chain) and len(tree.items) == 2 and tree.relations[0] in ("=", ":=")
    ):
        return "f"
    head = tree.items[0]
    if isinstance(head, t.Apply) and head.parens:
        head = head.func
    elif (
        isinstance(head, t.Product) and len(head.factors) == 2
        and isinstance(head.factors[1], t.Paren) and head.factors[1].open == "("
    ):  # fmt: skip
        head = head.factors[0]  # J(w) with J defined nowhere else: read as J times (w)
    if not isinstance(head, (t.Symbol, t.Font, t.Sub)) or symbol_key(head) is None:
        return "f"
    written = _source(text, head).strip()
    return written if written and len(written) <= 24 else "f"


def _steps(
    terms: list[_Term], text: str, node: t.Node, w: str, kind: str, result: str, name: str = "f"
) -> list[str]:
    """The derivation: the loss (``name``: as the row calls it), each summand's derivative,
    the chain rule through a function of a sum, the result."""
    sums = [tm for tm in terms if tm.sum is not None and tm.outcome is not None]
    steps = [f"{name} = {_source(text, node)}"]
    for tm in sums:
        assert tm.outcome is not None and tm.sum is not None
        steps.append(
            f"\\text{{summand: }} {_source(text, tm.sum.summand)}"
            f" \\quad \\nabla_{{{w}}} = {tm.outcome.result}"
            if kind == "gradient"
            else f"\\text{{summand: }} {_source(text, tm.sum.summand)}"
            f" \\quad \\frac{{\\partial}}{{\\partial {w}}} = {tm.outcome.result}"
        )
    for tm in terms:  # g(S)' = g'(S) S': the outer derivative, by the sum
        if tm.outer == "fn" and tm.function is not None and tm.sum is not None:
            g = _source(text, tm.function).replace(_source(text, tm.sum.node), "S")
            steps.append(
                f"\\frac{{\\mathrm{{d}}}}{{\\mathrm{{d}}S}} {g} = {tm.outer_printed}"
                f" \\quad \\text{{where }} S = {_source(text, tm.sum.node)}"
            )
    steps.append((f"\\nabla_{{{w}}} {name} = " if kind == "gradient" else f"{name}' = ") + result)
    return steps


# -- reading the sum -------------------------------------------------------------------------


def _terms(node: t.Node, env: Env, wrt: str) -> list[_Term]:
    """The loss's terms: each a sum over samples (times scalars before it) or not."""
    pairs: list[tuple[str, t.Node]] = (
        list(zip(node.signs, node.terms, strict=True)) if isinstance(node, t.Add) else [("", node)]
    )
    pairs = [p for sign, term in pairs for p in _log_of_quotient(sign, term)]
    out: list[_Term] = []
    found = False
    for sign, term in pairs:
        if sign not in ("", "+", "-"):
            raise CalculusError(f"cannot differentiate `{sign}`")
        if isinstance(term, t.Neg) and term.sign == "-":
            sign, term = ("+" if sign == "-" else "-"), term.operand
        factors = list(term.factors) if isinstance(term, t.Product) else [term]
        last, outer = factors[-1], ""
        if (inside := _log_of_sum(last)) is not None:  # \log\sum_i \exp(a_i^T x): log-sum-exp
            last, outer = inside, "log"
        if isinstance(last, t.BigOp) and last.op == "\\sum":
            try:
                sample_sum = _sample_sum(last, env)
            except NotSamples:  # \sum_{i,j} of entries beside a sum over samples: lower.py's
                if _over_a_set(last.lower):  # (i,j) \in \Omega: said so, not "outside the sum"
                    raise CalculusError(unread_sum_index(last.lower)) from None
                out.append(_Term(sign, term))
                continue
            coefficient = tuple(factors[:-1])
            _check_coefficient(coefficient, env, wrt, sample_sum)
            out.append(_Term(sign, term, coefficient, sample_sum, outer=outer))
            found = True
            continue
        if any(isinstance(n, t.BigOp) for n in term.walk()):
            out.append(_function_of_sum(sign, term, factors, env, wrt))
            found = True
            continue
        out.append(_Term(sign, term))
    if not found:
        raise NotSamples()
    _outside(out)
    return out


def _over_a_set(lower: t.Node | None) -> bool:
    r"""Is a sum's index a member of a set (``(i,j) \in \Omega``)?"""
    return isinstance(lower, t.Chain) and lower.relations[:1] == ("\\in",)


def _function_of_sum(sign: str, term: t.Node, factors: list[t.Node], env: Env, wrt: str) -> _Term:
    r"""A term that is a function of one sum over samples (``\sqrt{\sum_i r_i^2}``,
    ``\exp(\sum_i …)``, ``(\sum_i …)^2``, ``\frac{1}{\sum_i …}``), times scalars before
    it: differentiated by the chain rule, g'(S) S'."""
    sums = [n for n in term.walk() if isinstance(n, t.BigOp)]
    why = (
        "a sum over samples is read as a term of the loss, a scalar times one "
        "(`\\frac{1}{N}\\sum_i …`) or a function of one sum, not inside another expression"
    )
    if len(sums) != 1 or sums[0].op != "\\sum":
        raise CalculusError(why)
    try:
        sample_sum = _sample_sum(sums[0], env)
    except NotSamples:
        raise CalculusError(why) from None
    inner = factors[-1]
    holds = any(n is sums[0] for n in inner.walk())
    function, coefficient = (inner, tuple(factors[:-1])) if holds else (term, ())
    _check_coefficient(coefficient, env, wrt, sample_sum)
    keys = {m.key for m in sample_sum.members} | {sample_sum.index}
    inside = {id(n) for n in sums[0].walk()}
    for n in function.walk():
        k = symbol_key(n) if id(n) not in inside else None
        if k is not None and (k[0] == wrt or k[0] in keys):
            raise CalculusError(
                "the function of the sum over samples involves the variable (or a sample) "
                "outside the sum: only a function of the sum alone is differentiated"
            )
    return _Term(sign, term, coefficient, sample_sum, outer="fn", function=function)


_PLACEHOLDERS = ("\\Upsilon", "\\Xi", "\\Psi", "\\Omega", "\\Theta")


def _outer_derivative(
    term: _Term,
    wrt: str,
    ctx: Context,
    text: str,
    layout: str,
    budget: Budget,
    macros: MacroTable,
) -> str:
    """g'(S) of a term g(S) of its sum, printed with the sum written in (its read forms
    kept in ``term`` for the verifier)."""
    assert term.function is not None and term.sum is not None
    g, s = term.function, term.sum.node
    name = _placeholder(text[g.start : g.end], ctx)
    tree = _parsed(f"{text[g.start : s.start]} {name} {text[s.end : g.end]}", macros)
    if tree is None:
        raise CalculusError("a function of a sum over samples that could not be read again")
    vars_ = {**ctx.env.vars, name: VarInfo(name, Shape(ONE, ONE), name)}
    sub = replace(ctx, env=replace(ctx.env, vars=vars_))
    out = differentiate(tree, name, sub, layout, budget)
    if out.error is not None or not out.verified or out.kind != "derivative":
        raise CalculusError(
            f"the function of the sum over samples: {out.error or out.note or 'not a number'}"
        )
    term.placeholder = name
    term.outer_read = Lowerer(sub.env).lower(tree)
    term.outer_result = _read_back(out.result, sub, macros)
    term.outer_printed = _with_sum(out.result, name, "S").replace("\\left(S\\right)", "S")
    return _with_sum(out.result, name, _source(text, s))


def _outer_hessian(
    term: _Term, body: t.Node, wrt: str, ctx: Context, text: str, layout: str, budget: Budget,
    macros: MacroTable,
) -> tuple[DiffOutcome, str, str]:  # fmt: skip
    r"""The Hessian of a term ``c g(S)`` (``c \log S``) of a sum ``S = \sum_i s_i``:
    ``c (g'(S) \sum_i \nabla^2 s_i + g''(S) (\sum_i \nabla s_i)(\sum_i \nabla s_i)^\top)``
    — for log-sum-exp ``\frac{\sum_i \nabla^2 s_i}{S} - \frac{(\sum_i \nabla s_i)(\sum_i
    \nabla s_i)^\top}{S^2}`` — printed with the sum written in; the summand's Hessian's
    outcome (its kind and note), the piece, and its differential's (the first derivative's
    ``df``).  The whole is verified as the sum's is, against differences of its verified
    gradient."""
    assert term.sum is not None
    if _involves(term.coefficient, wrt):  # (c(w) S: a product rule twice)
        raise CalculusError(
            "the Hessian of a sum times a factor of the variable is not computed yet"
        )
    summed = []
    for twice in (False, True):
        out = differentiate(body, wrt, ctx, layout, budget, twice)
        if out.error is not None:
            raise CalculusError(undefined_in_sum(body, ctx.env) or out.error)
        if out.kind != ("hessian" if twice else "gradient"):
            raise CalculusError(
                "the summand is not a scalar of a vector: its Hessian is not a matrix"
            )
        if not out.verified:
            raise CalculusError(f"the derivative of the summand was not verified: {out.note}")
        if out.where and out.values is not None:  # (a name given to a part: written out)
            show = printer(ctx.style)
            out.result, out.differential = show(out.values[1]), show(out.values[2])
        summed.append(out)
    gradient, hessian = summed
    plain = replace(term, coefficient=(), outer="")
    g, h = _piece(plain, text, gradient.result), _piece(plain, text, hessian.result)
    dg = _piece(plain, text, gradient.differential)
    total = _source(text, term.sum.node)
    outer = f"\\left({g}\\right) \\left({g}\\right)^\\top"
    if term.outer == "log":
        value = f"\\frac{{{h}}}{{{total}}} - \\frac{{{outer}}}{{\\left({total}\\right)^{{2}}}}"
        differential = f"\\frac{{{dg}}}{{{total}}}"
    else:
        first, second = _outer_derivatives(term, wrt, ctx, text, layout, budget, macros)
        sign = " - " if second.startswith("-") else " + "
        value = (
            f"{_bracketed(first)} {h}{sign}{_bracketed(second.removeprefix('-').lstrip())} {outer}"
        )
        differential = f"{_bracketed(first)} {dg}"
    coefficient = " ".join(_source(text, f) for f in term.coefficient)
    if coefficient:
        value, differential = (f"{coefficient} \\left({v}\\right)" for v in (value, differential))
    term.read = Lowerer(ctx.env).lower(body)
    if term.outer == "fn":  # (g read with S named: the term's value as read)
        _outer_derivative(term, wrt, ctx, text, layout, budget, macros)
    term.outer_hessian = _parsed(value, macros)
    if term.outer_hessian is None:
        raise CalculusError("the Hessian of a function of a sum could not be read again")
    return hessian, value, differential


def _outer_derivatives(
    term: _Term, wrt: str, ctx: Context, text: str, layout: str, budget: Budget,
    macros: MacroTable,
) -> tuple[str, str]:  # fmt: skip
    """g'(S) and g''(S) of a term g(S) of its sum, printed with the sum written in."""
    assert term.function is not None and term.sum is not None
    g, s = term.function, term.sum.node
    name = _placeholder(text[g.start : g.end], ctx)
    vars_ = {**ctx.env.vars, name: VarInfo(name, Shape(ONE, ONE), name)}
    sub = replace(ctx, env=replace(ctx.env, vars=vars_))
    printed = []
    tree = _parsed(f"{text[g.start : s.start]} {name} {text[s.end : g.end]}", macros)
    for _ in range(2):
        out = differentiate(tree, name, sub, layout, budget) if tree is not None else None
        if out is None or out.error is not None or not out.verified or out.kind != "derivative":
            why = (out.error or out.note) if out is not None else "it could not be read again"
            raise CalculusError(f"the function of the sum over samples: {why or 'not a number'}")
        printed.append(_with_sum(out.result, name, _source(text, s)))
        tree = _parsed(out.result, macros)
    return printed[0], printed[1]


def _with_sum(printed: str, name: str, total: str) -> str:
    """``printed`` with the sum written where the placeholder ``name`` stands: bare as the
    whole of a group (``\\sqrt{S}``, ``\\frac{1}{S}``), else in brackets (a sum takes the
    rest of a product)."""
    out = []
    i = 0
    pattern = re.compile(re.escape(name) + r"(?![A-Za-z])")
    for m in pattern.finditer(printed):
        before, after = printed[: m.start()].rstrip(), printed[m.end() :].lstrip()
        whole = (before.endswith("{") and after.startswith("}")) or (
            before.endswith("(") and after.startswith(")")
        )
        out.append(printed[i : m.start()])
        out.append(total if whole else f"\\left({total}\\right)")
        i = m.end()
    out.append(printed[i:])
    return "".join(out)


def _outer_piece(term: _Term, text: str, outer: str, result: str) -> str:
    r"""c g'(S) S' written, its numbers gathered into one (the coefficient's, g'(S)'s and
    the summand derivative ``result``'s leading ones): ``\frac{\sum_i … }{\sqrt{…}}``
    where g'(S) is a fraction, else g'(S) before the sum of ``result``."""
    negative = outer.startswith("-")
    body = outer.removeprefix("-").lstrip()
    value, coefficient = Fraction(1), " ".join(_source(text, f) for f in term.coefficient)
    numbers = [_number(f) for f in term.coefficient]
    if all(n is not None for n in numbers):
        for n in numbers:
            value *= n or 0
        coefficient = ""
    lead, rest = _leading(result.removeprefix("-").lstrip())
    if lead is not None and not _needs_brackets(result.removeprefix("-").lstrip()):
        value *= lead
        result = ("-" if result.startswith("-") else "") + rest
    if result.startswith("-"):
        negative, result = not negative, result[1:].lstrip()
    inner = _piece(replace(term, coefficient=(), outer=""), text, result)
    m = re.fullmatch(r"\\frac\{(\d+)\}\{(.*)\}", body)
    if m is not None and _balanced(m.group(2)):
        value *= int(m.group(1))
        den_lead, den = _leading(m.group(2))
        if den_lead is not None and den_lead.denominator == 1:
            value /= den_lead
        else:
            den = m.group(2)
        top = f"{_integer(value.numerator)} {inner}".strip()
        bottom = f"{_integer(value.denominator)} {den}".strip()
        piece = f"\\frac{{{top}}}{{{bottom}}}"
    else:
        out_lead, out_rest = _leading(body)
        if out_lead is not None:
            value *= out_lead
            body = out_rest
        number = (
            _integer(value.numerator)
            if value.denominator == 1
            else (f"\\frac{{{value.numerator}}}{{{value.denominator}}}")
        )
        piece = " ".join(x for x in (number, _bracketed(body), inner) if x)
    return ("-" if negative else "") + f"{coefficient} {piece}".strip()


def _integer(n: int) -> str:
    return "" if n == 1 else str(n)


def _leading(s: str) -> tuple[Fraction | None, str]:
    """A number ``s`` starts with as a factor (``2 (…)``, ``\\frac{1}{2} …``) and the rest."""
    m = _LEADING_NUMBER.match(s)
    if m is None or m.group(1):
        return None, s
    if m.group(3):
        lead = Fraction(int(m.group(3)), int(m.group(4)))
    elif m.group(5):
        lead = Fraction(int(m.group(5)), int(m.group(6)))
    else:
        lead = Fraction(int(m.group(2)))
    return lead, s[m.end() :]


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _involves(nodes: tuple[t.Node, ...], key: str) -> bool:
    return any((k := symbol_key(n)) is not None and k[0] == key for f in nodes for n in f.walk())


def _product_rule(
    term: _Term,
    wrt: str,
    sub: Context,
    text: str,
    layout: str,
    budget: Budget,
    macros: MacroTable,
) -> tuple[DiffOutcome, str, str]:
    """A sum over samples times a scalar coefficient that involves the variable
    (``\\frac{1}{2s^2}\\sum_n \\|x_n - \\mu\\|^2`` by s): c' S + c S', the sum written as
    the document writes it; the outcome of the coefficient's derivative and the two pieces."""
    assert term.sum is not None
    if term.outer:
        raise CalculusError("a coefficient of the log of a sum that involves the variable")
    c = term.coefficient
    node = c[0] if len(c) == 1 else t.Product(start=c[0].start, end=c[-1].end, factors=c)
    cout = differentiate(node, wrt, sub, layout, budget)
    if cout.error is not None or not cout.verified:
        raise CalculusError(cout.error or f"the factor before the sum: {cout.note}")
    if cout.kind not in ("gradient", "derivative"):
        raise CalculusError("only a scalar times a sum over samples is read")
    term.coefficient_read = Lowerer(sub.env).lower(node)
    term.coefficient_result = _read_back(cout.result, sub, macros)
    total = _source(text, term.sum.node)
    unit = {"1": "", "-1": "-"}.get(cout.result.strip())  # (β\sum_n … by β: the sum itself)
    piece = f"{unit}{total}" if unit is not None else f"{_bracketed(cout.result)} {total}"
    dpiece = f"{_bracketed(cout.differential)} {total}"
    sout = differentiate(term.sum.summand, wrt, sub, layout, budget)
    term.read = Lowerer(sub.env).lower(term.sum.summand)
    if sout.error == CONSTANT or (sout.error is None and sout.result.strip() == "0"):
        var = sub.env.vars[wrt].shape
        term.result = e.zero(var.rows, var.cols)
        return cout, piece, dpiece
    if sout.error is not None or not sout.verified:
        raise CalculusError(sout.error or f"the derivative of the summand: {sout.note}")
    if sout.kind != cout.kind:
        raise CalculusError("the summand is not a scalar: only scalar losses are summed")
    term.outcome = sout
    term.result = _read_back(sout.result, sub, macros)
    rest, drest = _piece(term, text, sout.result), _piece(term, text, sout.differential)
    return cout, _join([term, term], [piece, rest]), _join([term, term], [dpiece, drest])


def _bracketed(result: str) -> str:
    return f"\\left({result}\\right)" if _needs_brackets(result.removeprefix("-")) else result


def _log_of_quotient(sign: str, term: t.Node) -> list[tuple[str, t.Node]]:
    r"""``-\log\frac{\exp(s_0)}{\sum_j \exp(s_j)}`` (InfoNCE, a softmax's probability) as the
    two terms it is, ``-\log\exp(s_0) + \log\sum_j \exp(s_j)``, where the denominator is a
    sum over samples; any other term as it is."""
    flip = {"": "-", "+": "-", "-": "+"}
    inner, outer = term, sign
    if isinstance(inner, t.Neg) and inner.sign == "-" and sign in flip:
        inner, outer = inner.operand, flip[sign]
    if not (isinstance(inner, t.Apply) and isinstance(inner.func, t.Func) and len(inner.args) == 1):
        return [(sign, term)]
    f = inner.func
    if f.name not in ("log", "ln") or f.sub is not None or f.sup is not None or outer not in flip:
        return [(sign, term)]
    arg = inner.args[0]
    while isinstance(arg, t.Paren) and arg.body is not None:
        arg = arg.body
    if not (isinstance(arg, t.Frac) and arg.num is not None and arg.den is not None):
        return [(sign, term)]
    den = arg.den
    while isinstance(den, t.Paren) and den.body is not None:
        den = den.body
    if not (isinstance(den, t.BigOp) and den.op == "\\sum"):
        return [(sign, term)]
    top = t.Apply(f, (arg.num,), True, start=arg.num.start, end=arg.num.end)
    bottom = t.Apply(f, (den,), True, start=den.start, end=den.end)
    return [(outer or "+", top), (flip[outer], bottom)]


def _log_of_sum(node: t.Node) -> t.BigOp | None:
    """The sum of ``\\log\\sum_i …`` or ``\\log\\left(\\sum_i …\\right)``; None otherwise."""
    if not (isinstance(node, t.Apply) and isinstance(node.func, t.Func) and len(node.args) == 1):
        return None
    f = node.func
    if f.name not in ("log", "ln") or f.sub is not None or f.sup is not None:
        return None
    arg = node.args[0]
    while isinstance(arg, t.Paren) and arg.body is not None:
        arg = arg.body
    return arg if isinstance(arg, t.BigOp) and arg.op == "\\sum" else None


def _outside(terms: list[_Term]) -> None:
    r"""A member named outside its sum (``\sum_i y_i \log p_i + (1 - y_i) …``, where the sum
    ends at the ``+``) is refused: the summand wants brackets."""
    indices = {tm.sum.index for tm in terms if tm.sum is not None}
    for term in terms:
        if term.sum is not None:
            continue
        inner = _bound_inside(term.node)  # (\log\sum_j e^{z_j}: a sum of its own over j)
        for n in term.node.walk():
            label = _member_label(n)
            if label is not None and label[0] in indices and (id(n), label[0]) not in inner:
                raise CalculusError(
                    f"`{t_show(n)}` is used outside the sum, which ends at the first `+` or `-`: "
                    "put the whole summand in brackets (`\\sum_i [\\dots]`)"
                )


def _bound_inside(node: t.Node) -> set[tuple[int, str]]:
    """The nodes (by id) of ``node`` inside a sum of its own, with that sum's index."""
    out: set[tuple[int, str]] = set()
    for n in node.walk():
        if isinstance(n, t.BigOp) and n.op == "\\sum" and n.body is not None:
            for index in sum_index(n.lower) or ():
                out |= {(id(m), index) for m in n.body.walk()}
    return out


def _check_coefficient(
    factors: tuple[t.Node, ...], env: Env, wrt: str, sample_sum: SampleSum
) -> None:
    keys = {m.key for m in sample_sum.members}
    for factor in factors:
        for n in factor.walk():
            k = symbol_key(n)
            if k is not None and (k[0] in keys or k[0] == sample_sum.index):
                raise CalculusError(
                    "the factor before the sum involves the variable or the index: only a "
                    "constant scalar times a sum over samples is read"
                )
            if (
                k is not None
                and k[0] in env.vars
                and not env.vars[k[0]].shape.is_scalar
                and (
                    k[0] != wrt  # (\frac{1}{\|w\|^2}: a scalar the product rule checks)
                )
            ):
                raise CalculusError("only a scalar times a sum over samples is read")


def _sample_sum(node: t.BigOp, env: Env) -> SampleSum:
    index = sum_index(node.lower)
    if index is None or len(index) != 1:
        raise NotSamples()  # \sum_{i,j}: entries of a matrix, lower.py's
    name = index[0]
    start = 1
    if isinstance(node.lower, t.Chain):
        first = node.lower.items[1] if len(node.lower.items) == 2 else None
        if not (isinstance(first, t.Number) and first.text.isdigit()):
            raise NotSamples()
        start = int(first.text)
    summand = node.body
    if summand is None:
        raise NotSamples()
    members = _members(summand, name, node.upper, env)
    if any(isinstance(n, t.BigOp) for n in summand.walk()):
        raise SampleSumError("nested sums over samples are not differentiated")
    if not isinstance(node.lower, t.Chain):  # \sum_t of h_t and h_{t-1}: from h_1 on
        start = max(start, 1 - min(m.shift for m in members))
    return SampleSum(node, name, start, node.upper, summand, members)


def _member_label(node: t.Node) -> Label | None:
    """The label of a member (``i`` of ``y_i``, of ``y^{(i)}``); None for anything else."""
    if isinstance(node, t.Sub) or (isinstance(node, t.Tagged) and node.bracket):
        return label_of(_label_node(node))
    return None


def _label_node(node: t.Sub | t.Tagged) -> t.Node:
    """What labels a member: ``i`` of ``x_i`` and of ``x^{(i)}``."""
    return node.index if isinstance(node, t.Sub) else node.tag


def _written_member(node: t.Sub | t.Tagged, label: str) -> str:
    """The member as the document writes it, labelled ``label``: ``x_{i}``, ``x^{(i)}``."""
    if isinstance(node, t.Sub):
        return f"{latex_of(node.base)}_{{{label}}}"
    return tagged_key(latex_of(node.base), node.bracket, label)


def _members(summand: t.Node, index: str, upper: t.Node | None, env: Env) -> tuple[Member, ...]:
    found: dict[str, Member] = {}
    unsized: list[tuple[t.Sub | t.Tagged, str, str, int, CalculusError]] = []
    defined_entries: list[CalculusError] = []
    # x_i, and x^{(i)}: samples numbered by a superscript (CS229's way)
    subs = [
        n
        for n in summand.walk()
        if isinstance(n, t.Sub) or (isinstance(n, t.Tagged) and n.bracket in ("(", "["))
    ]
    names = {k[0] for n in summand.walk() if (k := symbol_key(n)) is not None}
    forms: dict[str, set[str]] = {}
    marked = _marked_members(summand)
    for sub in subs:
        label = label_of(_label_node(sub))
        if id(sub) in marked:  # z_k^{+}: a member of the family z^+ (the positives)
            if label is not None and label[0] == index and label[1] == 0:
                member = _marked_member(marked[id(sub)], label[0], upper, env)
                found.setdefault(member.key, member)
            continue
        if label is None or label[0] != index:
            entry = _entry_of_member(sub, index, upper, env) if isinstance(sub, t.Sub) else None
            if entry is not None:
                found.setdefault(entry.key, entry)
            continue
        _one_form(sub, forms)
        key, base = symbol_key(sub), symbol_key(sub.base)
        if key is None or base is None or key[0] in found:
            continue
        try:
            found[key[0]] = _member(sub, key[0], base[0], label[1], upper, env, names)
        except _DefinedEntry as exc:  # x̂_i of x̂ = σ(Dz + c): entries, if all the others are
            defined_entries.append(exc)
        except SampleSumError:
            raise
        except CalculusError as exc:
            if base[0] in env.vars:
                raise
            unsized.append((sub, key[0], base[0], label[1], exc))
    if not any(m.entry_of is None for m in found.values()):
        if unsized:
            raise unsized[0][4]
        raise NotSamples()  # entries of vectors only: lower.py's own \sum_i g(x_i)
    if defined_entries:
        raise defined_entries[0]  # (beside samples: not read)
    _sized_beside_scalars(unsized, summand, upper, env, found)
    return tuple(found.values())


def _marked_members(summand: t.Node) -> dict[int, tuple[str, str]]:
    r"""The members ``x_k`` a mark makes the members of a family of their own
    (``\mathbf z_k^{+}``, the positives beside the embeddings ``\mathbf z_k``), by the id of
    their ``x_k``: (the marked member's key, ``z_{k}^{+}``, as declarations key it; its
    family's, ``z^{+}``)."""
    out: dict[int, tuple[str, str]] = {}
    for n in summand.walk():
        if not (isinstance(n, t.Power) and isinstance(n.base, t.Sub)):
            continue
        if isinstance(n.exponent, t.Paren):
            continue  # (x_k^{(t)}: not read here)
        key, base = member_key(n), symbol_key(n.base.base)
        label = label_of(n.base.index)
        if key is None or base is None or label is None or label[0] is None:
            continue
        written = f"{base[0]}_{{{label[0]}}}"
        if not key[0].startswith(written):
            continue
        out[id(n.base)] = (key[0], base[0] + key[0][len(written) :])
    return out


def _marked_member(marked: tuple[str, str], index: str, upper: t.Node | None, env: Env) -> Member:
    r"""The member ``z_{k}^{+}`` of its family ``z^{+}``, sized by a declaration of any one
    member (``\mathbf z_i^{+} \in \mathbb{R}^d``)."""
    key, family = marked
    shapes = {
        info.shape
        for k, info in env.vars.items()
        if (m := re.fullmatch(r"(.+)_\{(\w)\}(.*)", k)) is not None
        and m[1] + m[3] == family
        and m[2] in SUBSCRIPT_LABELS
    }
    if len(shapes) != 1:
        written = key.replace(f"_{{{index}}}", f"_{index}", 1)
        raise CalculusError(
            f"the shape of `{written}` is unknown: declare the family "
            f"(e.g. `{written} \\in \\mathbb{{R}}^d`)"
        )
    return Member(key, family, 0, next(iter(shapes)))


def _one_form(sub: t.Sub | t.Tagged, forms: dict[str, set[str]]) -> None:
    """Refuse a letter numbered both by a subscript and by a superscript in one summand."""
    letter = symbol_key(sub.base)
    if letter is None:
        return
    forms.setdefault(letter[0], set()).add("_" if isinstance(sub, t.Sub) else "^")
    if len(forms[letter[0]]) > 1:
        raise SampleSumError(
            f"`{latex_of(sub.base)}` is numbered both by a subscript and by a "
            "superscript in the summand: which family is meant is unclear"
        )


def _sized_beside_scalars(
    unsized: list[tuple[t.Sub | t.Tagged, str, str, int, CalculusError]],
    summand: t.Node,
    upper: t.Node | None,
    env: Env,
    found: dict[str, Member],
) -> None:
    """The undeclared members that stand as terms beside scalars, as scalars (``y_i`` of
    ``(w^T x_i - y_i)^2``), added to ``found``; any other refused in words."""
    for u_sub, u_key, u_base, u_shift, why in unsized:
        if u_key in found:
            continue
        if u_shift != 0 or not _beside_a_scalar(u_sub, summand, env, found):
            raise SampleSumError(_unsized_factor(u_sub, summand) or str(why))
        stacked = _stacking_vector(u_base, upper, env)
        found[u_key] = Member(u_key, u_base, u_shift, Shape(ONE, ONE), entry_of=stacked)


def _stacking_vector(base: str, upper: t.Node | None, env: Env) -> str | None:
    r"""The declared vector of the family's letter whose entries the scalar members are —
    ``\vec{y} \in \mathbb{R}^m`` for ``y^{(i)}`` in ``\sum_{i=1}^m`` (as long as the sum);
    None where there is none."""
    bound = dim_of(upper) if upper is not None else None
    if bound is None:
        return None
    for key in (base, f"\\vec{{{base}}}"):
        info = env.vars.get(key)
        if info is not None and info.shape.cols == ONE and same(info.shape.rows, bound):
            return key
    return None


def _entry_of_member(sub: t.Sub, index: str, upper: t.Node | None, env: Env) -> Member | None:
    r"""``r_{ij}`` in ``\sum_j``: entry j of the declared vector ``\mathbf{r}_i`` (the user i
    is fixed, the items j run); None where ``sub`` is no such entry."""
    names = entry_names(sub.index)
    base, key = symbol_key(sub.base), symbol_key(sub)
    if names is None or len(names) != 2 or names[1] != index or names[0] == index:
        return None
    if base is None or key is None:
        return None
    owner = f"{base[0]}_{{{names[0]}}}"
    info = env.vars.get(owner)
    if info is None or info.shape.cols != ONE or info.shape.is_scalar:
        return None
    bound = dim_of(upper) if upper is not None else None
    if bound is not None and not same(bound, info.shape.rows):
        raise SampleSumError(
            f"`{t_show(sub)}` is entry {names[1]} of `{info.latex}`, which has "
            f"{info.shape.rows} entries, but the sum runs to {t_show(upper)}"
        )
    return Member(key[0], base[0], 0, Shape(ONE, ONE), entry_of=owner)


def _unsized_factor(sub: t.Sub | t.Tagged, summand: t.Node) -> str:
    r"""Why an undeclared member standing as a factor (``y_i \mathbf{w}^\top\mathbf{x}_i``)
    is not read: it may be a number or a vector; "" where it is no factor."""
    if not any(
        isinstance(n, t.Product) and any(f is sub for f in n.factors) for n in summand.walk()
    ):
        return ""
    written = latex_of(sub)
    letter = latex_of(sub.base)
    label = latex_of(_label_node(sub))
    bold = letter if getattr(sub.base, "font", None) else f"\\mathbf{{{letter}}}"  # (once)
    vector = f"{bold}_{label}" if isinstance(sub, t.Sub) else tagged_key(bold, sub.bracket, label)
    return (
        f"the shape of `{written}` is unknown: a factor of the summand, it may be a number or "
        f"a vector — declare it (`{written} \\in \\mathbb{{R}}` or `{written} \\in \\{{-1, 1\\}}` "
        f"for labels, `{vector} \\in \\mathbb{{R}}^d` for vectors)"
    )


def _beside_a_scalar(
    sub: t.Sub | t.Tagged, summand: t.Node, env: Env, found: dict[str, Member]
) -> bool:
    r"""Whether the undeclared member ``sub`` is a term of a sum whose other terms are all
    scalars (``\mathbf{w}^\top\mathbf{x}_i - y_i``): then it can only be a scalar."""
    members = {k: VarInfo(k, m.shape, k) for k, m in found.items()}
    for node in summand.walk():
        if not isinstance(node, t.Add) or not any(term is sub for term in node.terms):
            continue
        others = [term for term in node.terms if term is not sub]
        if not others:
            return False
        for term in others:
            lowering = Lowerer(replace(env, vars={**env.vars, **members}))
            try:
                value = lowering.lower(term)
            except (CalculusError, RecursionError):
                return False
            if not value.is_scalar:
                return False
        return True
    return False


SUMMED_OVER = "is summed over"
DEFINED_ENTRIES = (
    "depends on the variable: a sum over its entries is not differentiated through "
    "the definition yet"
)


def _member(
    sub: t.Sub | t.Tagged,
    key: str,
    base: str,
    shift: int,
    upper: t.Node | None,
    env: Env,
    names: set[str],
) -> Member:
    info = env.vars.get(key)
    if info is not None:
        stacked = _stacking_vector(base, upper, env)
        if info.shape.is_scalar and shift == 0 and stacked is not None:
            # "labels $y_i \in \{-1, 1\}$" and "$\mathbf{y} \in \mathbb{R}^N$ collects them"
            return Member(key, base, shift, info.shape, entry_of=stacked)
        return Member(key, base, shift, info.shape)
    defined = env.functions.get(base)
    if base not in env.vars and defined is not None and not defined.params:
        written = _written_member(sub, t_show(_label_node(sub)))
        raise _DefinedEntry(  # (read as a constant vector where it does not involve the variable)
            f"`{written}` is an entry of `{base}`, which the document defines and which "
            f"{DEFINED_ENTRIES}"
        )
    if isinstance(sub, t.Tagged) and base in env.vars:
        raise CalculusError(  # x^{(i)} beside a declared x: a family of its own, unsized
            f"the shape of `{latex_of(sub)}` is unknown: declare the family "
            f"(e.g. `{latex_of(sub)} \\in \\mathbb{{R}}^d`)"
        )
    if base not in env.vars:
        shape = _family_shape(sub, base, env) or _defined_shape(key, shift, env)
        if shape is not None:
            return Member(key, base, shift, shape)
        written = latex_of(sub)
        raise CalculusError(
            f"the shape of `{written}` is unknown: declare the family "
            f"(e.g. `{written} \\in \\mathbb{{R}}^d`, or a matrix that stacks them as rows)"
        )
    declared = env.vars[base].shape
    if declared.is_scalar:
        return Member(key, base, shift, declared)  # a scalar letter: each y_i a scalar
    if declared.cols != ONE:
        raise CalculusError(f"`{base}` is a matrix: its entries are not read in a sum over samples")
    length = declared.rows
    bound = dim_of(upper) if upper is not None else None
    if bound is not None and shift == 0 and _plain_beside_bold(sub, env.vars[base].latex):
        if not same(bound, length):  # rewards r_t, t ≤ T, beside expected rewards 𝐫 ∈ ℝⁿ
            return Member(key, base, shift, Shape(ONE, ONE))
    if bound is not None:
        entry = same(bound, length)
    else:  # no bound: an entry unless its length is a size of the summand's other symbols
        sizes = _sizes_in(env, names - {base})
        entry = not any(same(length, d) for d in sizes)
    family = (
        _family_shape(sub, base, env) if any(k.startswith(base + "_{") for k in env.vars) else None
    )  # y_{t-1} of a declared family y_t, though a vector y is declared too
    if entry and (shift == 0 or family is None):
        if shift != 0:
            raise CalculusError(
                f"cannot read the shifted entry `{_written_member(sub, t_show(_label_node(sub)))}`"
            )
        return Member(key, base, shift, Shape(ONE, ONE), entry_of=base)
    return Member(key, base, shift, family if family is not None else declared)


_BOLD = re.compile(r"\\(?:mathbf|boldsymbol|bm|vec|mathbfit|bold)\b")


def _plain_beside_bold(sub: t.Sub | t.Tagged, declared: str) -> bool:
    r"""Whether ``sub`` is a member in a plain letter (``y_i``, ``r_t``) of a letter declared
    bold (``\mathbf{y} \in \mathbb{R}^K``): a number, as a bold vector's plain letter is
    its entries' — never a member of the size of the whole bold vector.  (Spelled by a
    macro, ``\vy``, the declaration's font is not seen: not read so.)"""
    base = sub.base
    return (
        isinstance(sub, t.Sub)
        and isinstance(base, t.Symbol)
        and base.font in (None, "mathit")
        and not base.accents
        and _BOLD.match(declared.strip()) is not None
    )


def _defined_shape(key: str, shift: int, env: Env) -> Shape | None:
    r"""The shape of a member the document defines (``p_i = \sigma(\mathbf{w}^\top
    \mathbf{x}_i)``) as its definition's value has it, for a sum differentiated by a
    variable the definition does not involve (the focal loss by γ): the member is then held
    as given (:func:`_defined_members`). None where there is no such definition or its value
    is not read."""
    fdef = env.functions.get(key)
    if shift != 0 or fdef is None or fdef.params:
        return None
    value: Expr | None
    try:
        value = Lowerer(env).lower(fdef.body)
    except (CalculusError, RecursionError):
        value = _shape_through_sums(fdef.body, env)
    return value.shape if isinstance(value, Expr) else None


def _shape_through_sums(body: t.Node, env: Env) -> Expr | None:
    r"""``body`` with every sum (its own and its definitions') read as its summand, which has
    its shape: the batch's :math:`\hat x_i = (x_i - \mu)/\sqrt{\sigma^2 + \epsilon}` with
    ``\mu = rac1m\sum_i x_i`` over numbers x_i is a number.  For the shape only: a member
    so sized is one the variable does not reach (held as given), or one written in."""

    def summands(node: t.Node) -> t.Node:
        by = {
            id(n): n.body
            for n in node.walk()
            if isinstance(n, t.BigOp) and n.op == "\\sum" and n.body is not None
        }
        return t.replaced(node, by) if by else node

    functions = {
        k: replace(f, body=summands(f.body)) if not f.params and f.body is not None else f
        for k, f in env.functions.items()
    }
    try:
        return Lowerer(replace(env, functions=functions)).lower(summands(body))
    except (CalculusError, RecursionError):
        return None


def _sizes_in(env: Env, names: set[str]) -> list[sympy.Expr]:
    out: list[sympy.Expr] = []
    for name in names:
        info = env.vars.get(name)
        if info is None:
            continue
        for d in (info.shape.rows, info.shape.cols):
            if d != ONE:
                out.append(d)
    return out


def _family_shape(sub: t.Sub | t.Tagged, base: str, env: Env) -> Shape | None:
    """``h_{t-1}`` of ``h_t``; ``x_n`` of a family declared as ``x_i`` (any sample letter)."""

    def declared(k: str) -> Shape | None:
        info = env.vars.get(k)
        return info.shape if info is not None else None

    def named(d: sympy.Expr) -> bool:
        return any(
            d in i.shape.rows.free_symbols or d in i.shape.cols.free_symbols
            for i in env.vars.values()
        )

    if isinstance(sub, t.Tagged):  # x^{(n)} of a family declared as x^{(i)}
        return member_shape(base, sub.bracket, sub.tag, declared, named)
    shape = member_shape(base, "_", sub.index, declared, named)
    if shape is not None:
        return shape
    shapes = []
    for letter in SUBSCRIPT_LABELS:
        s = declared(f"{base}_{{{letter}}}")
        if s is not None and not any(
            getattr(x, "name", None) == letter for d in (s.rows, s.cols) for x in d.free_symbols
        ):
            shapes.append(s)
    if shapes and all(s == shapes[0] for s in shapes):
        return shapes[0]
    return None


def t_show(node: t.Node | None) -> str:
    return written_latex(node) if node is not None else ""


def _env_with_members(ctx: Context, members: tuple[Member, ...]) -> Context:
    env = Env(
        {k: replace(v) for k, v in ctx.env.vars.items()},
        dict(ctx.env.functions),
        weak=set(ctx.env.weak),
    )
    for m in members:
        env.vars[m.key] = VarInfo(m.key, m.shape, ctx.style.symbols.get(m.key, m.key))
    return replace(ctx, env=env, einstein=False)


def undefined_in_sum(node: t.Node, env: Env) -> str | None:
    """Why a summand calling a function the document does not define cannot be read."""
    for n in node.walk():
        if isinstance(n, t.Apply) and isinstance(n.func, t.Symbol):
            key = symbol_key(n.func)
            name = function_name(n.func)
            if key is None or key[0] in env.functions or key[0] in env.vars:
                continue
            if name is not None and name in FUNCTION_NAMES:
                continue
            written = t_show(n.func)
            params = ", ".join("ab"[: len(n.args)]) if len(n.args) <= 2 else "…"
            return (
                f"`{written}` is not defined in the document: define it "
                f"(e.g. `{written}({params}) = …`) to differentiate the sum through it"
            )
    return None


def _sized_alone(result: str, term: _Term, ctx: Context, wrt: str) -> str:
    r"""A term's result beside the sum read back with its ``I`` sized by the square variable
    (``-\operatorname{tr}(B)`` by B: ``-I_d``), which alone tells no size; as printed
    elsewhere (the sum's result sizes it there)."""
    var = ctx.env.vars[wrt].shape
    if term.sum is not None or var.rows != var.cols or var.rows == ONE:
        return result
    return _UNSIZED_I.sub(f"I_{{{sympy.latex(var.rows)}}}", result)


def _read_back(result: str, ctx: Context, macros: MacroTable) -> Expr:
    """The printed result, parsed and read again: what is verified is what is shown."""
    tree = _parsed(result, macros)
    if tree is None:
        raise CalculusError("the derivative of the summand could not be read back")
    return Lowerer(ctx.env).lower(tree)


def _parsed(latex: str, macros: MacroTable) -> t.Node | None:
    """LaTeX the engine printed, parsed as the document would be: its macros expanded."""
    text, _ = expand(MappedText.identity(latex), macros)
    return parse_row(text).tree


# -- writing the result ----------------------------------------------------------------------


def _source(text: str, node: t.Node) -> str:
    return text[node.start : node.end].strip()


def _piece(term: _Term, text: str, result: str) -> str:
    if term.sum is None:
        return result
    if term.outer == "log":  # (log S)' = S' / S
        inner = _piece(replace(term, coefficient=(), outer=""), text, result)
        negative = inner.startswith("-")
        fraction = f"\\frac{{{inner.removeprefix('-').lstrip()}}}{{{_source(text, term.sum.node)}}}"
        coefficient = " ".join(_source(text, f) for f in term.coefficient)
        return ("-" if negative else "") + f"{coefficient} {fraction}".strip()
    s = term.sum
    assert s.summand is not None
    op = text[s.node.start : s.summand.start].strip()
    coefficient = " ".join(_source(text, f) for f in term.coefficient)
    folded = _fold(term.coefficient, result)
    if folded is not None:  # \frac12 \sum_i 2 Σ⁻¹(μ - x_i) is \sum_i Σ⁻¹(μ - x_i)
        coefficient, result = folded
    body = result
    if result.startswith("-") and not _needs_brackets(result[1:].lstrip()):
        return "-" + " ".join(x for x in (coefficient, op, result[1:].lstrip()) if x)
    if _needs_brackets(result):
        body = f"\\left({result}\\right)"
    return f"{coefficient} {op} {body}".strip()


_LEADING_NUMBER = re.compile(r"(-?)(\d+|\\frac\{(\d+)\}\{(\d+)\}|\\frac(\d)(\d)) (?=[^-+=])")


def _fold(coefficient: tuple[t.Node, ...], result: str) -> tuple[str, str] | None:
    """A numeric coefficient before the sum times the number a summand's derivative starts
    with, as one number (``\\frac12`` and ``2`` → nothing; ``\\frac13`` and ``2`` →
    ``\\frac{2}{3}``); None when either is not a plain number."""
    value = Fraction(1)
    letters = ""  # \frac{1}{2m}: 1/2 and the m of the denominator, kept as written
    cancelled = _letters_cancel(coefficient)  # \frac{N}{2}\frac{1}{N}: ½
    for f in coefficient if cancelled is None else ():
        number = _number(f)
        if number is None and len(coefficient) == 1:
            split = _number_over_letters(f)
            if split is None:
                return None
            number, letters = split
        if number is None:
            return None
        value *= number
    value = cancelled if cancelled is not None else value
    m = _LEADING_NUMBER.match(result)
    if m is None or not coefficient or _needs_brackets(result.removeprefix("-")):
        return None  # (2x + 3y: the 2 is not the whole summand's)
    if m.group(3):
        lead = Fraction(int(m.group(3)), int(m.group(4)))
    elif m.group(5):
        lead = Fraction(int(m.group(5)), int(m.group(6)))
    else:
        lead = Fraction(int(m.group(2)))
    value *= lead
    rest = result[m.end() :]
    sign = m.group(1)
    if letters:  # \frac{1}{2m} \sum 2(…) is \frac{1}{m} \sum (…)
        den = f"{value.denominator} {letters}" if value.denominator != 1 else letters
        return f"\\frac{{{value.numerator}}}{{{den}}}", f"{sign}{rest}"
    if value == 1:
        return "", f"{sign}{rest}"
    if value.denominator == 1:
        return "", f"{sign}{value.numerator} {rest}"
    return f"\\frac{{{value.numerator}}}{{{value.denominator}}}", f"{sign}{rest}"


def _letters_cancel(coefficient: tuple[t.Node, ...]) -> Fraction | None:
    r"""The number that scalars of numbers and letters multiply to where their letters
    cancel (``\frac{N}{2}`` and ``\frac{1}{N}``: ½); None otherwise (or for one factor)."""
    if len(coefficient) < 2:
        return None
    total = sympy.Integer(1)
    for f in coefficient:
        parts = (f.num, f.den) if isinstance(f, t.Frac) else (f, None)
        for i, part in enumerate(parts):
            if part is None:
                continue
            value = _monomial(part)
            if value is None:
                return None
            total = total * value if i == 0 else total / value
    if total.free_symbols or not total.is_Rational or total == 0:
        return None
    return Fraction(int(total.p), int(total.q))


def _monomial(node: t.Node) -> sympy.Expr | None:
    """A product of plain numbers and plain letters as sympy sees it; None otherwise."""
    factors = node.factors if isinstance(node, t.Product) else (node,)
    out: sympy.Expr = sympy.Integer(1)
    for f in factors:
        if isinstance(f, t.Number) and f.text.isdigit():
            out *= int(f.text)
        elif isinstance(f, t.Symbol) and not f.font and not f.accents and f.name.isalpha():
            out *= sympy.Symbol(f.name)
        else:
            return None
    return out


def _number_over_letters(node: t.Node) -> tuple[Fraction, str] | None:
    r"""``\frac{1}{2m}`` as ``1/2`` and ``m``: a number over a number times letters (the
    letters as written); None for anything else."""
    if not isinstance(node, t.Frac) or node.command not in ("frac", "dfrac", "tfrac", "over"):
        return None
    num, den = _number(node.num), node.den
    if num is None or num.denominator != 1 or not isinstance(den, t.Product):
        return None
    first = _number(den.factors[0]) if den.factors else None
    if first is None or first.denominator != 1 or first == 0 or len(den.factors) < 2:
        return None
    rest = den.factors[1:]
    if any(_number(f) is not None or isinstance(f, (t.Add, t.Neg)) for f in rest):
        return None
    return num / first, " ".join(latex_of(f) for f in rest)


def _number(node: t.Node) -> Fraction | None:
    """A plain number written as ``2`` or ``\\frac{1}{2}``."""
    if isinstance(node, t.Number) and node.text.isdigit():
        return Fraction(int(node.text))
    if isinstance(node, t.Frac):
        top, bottom = _number(node.num), _number(node.den)
        if top is not None and bottom:
            return top / bottom
    return None


def _needs_brackets(result: str) -> bool:
    depth = 0
    for i, ch in enumerate(result):
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch in "+-" and depth == 0 and i > 0:
            return True
    return result.startswith("-")


def _join(terms: list[_Term], pieces: list[str]) -> str:
    """The terms' derivatives joined by their signs; raises where every one is 0 (no term
    of the loss involves the variable)."""
    if pieces and all(p == "0" for p in pieces):
        raise CalculusError(CONSTANT)
    out = ""
    for term, piece in zip(terms, pieces, strict=True):
        if piece in ("0", "") and len(terms) > 1:
            continue
        negative = term.sign == "-"
        if piece.startswith("-"):
            negative, piece = not negative, piece[1:].lstrip()
        flipped = _difference_flipped(piece) if negative else None
        if flipped is not None:  # -\sum_i (y_i - p_i) x_i is \sum_i (p_i - y_i) x_i
            negative, piece = False, flipped
        if not out:
            out = f"-{piece}" if negative else piece
        else:
            out += f" - {piece}" if negative else f" + {piece}"
    return out or "0"


def _difference_flipped(piece: str) -> str | None:
    r"""``\sum_i (a - b) c`` as ``\sum_i (b - a) c``: a sum whose summand starts with a
    bracketed difference of two terms (to be written without the minus before the sum, as a
    textbook does); None where the piece is not so."""
    m = re.match(r"((?:\\frac\{[^{}]*\}\{[^{}]*\} )?\\sum\S* )\(", piece)
    if m is None:
        return None
    start = m.end() - 1
    depth, end = 0, -1
    for i in range(start, len(piece)):
        depth += piece[i] in "({["
        depth -= piece[i] in ")}]"
        if depth == 0:
            end = i
            break
    inner = piece[start + 1 : end] if end > 0 else ""
    after = piece[end + 1 :].lstrip() if end > 0 else ""
    if after.startswith("^") and not re.match(r"\^(?:\\top|\{\\top\}|T\b|\{T\})", after):
        return None  # -(a - b)^2 is not (b - a)^2: only a factor the summand is linear in
    cuts = [i for i in _top_level(inner) if inner[i - 1 : i + 2] in (" - ", " + ")]
    if len(cuts) != 1 or inner[cuts[0]] != "-" or inner.startswith("-"):
        return None
    a, b = inner[: cuts[0]].strip(), inner[cuts[0] + 1 :].strip()
    return f"{piece[:start]}({b} - {a}){piece[end + 1 :]}"


def _top_level(s: str) -> list[int]:
    """The positions of the signs of ``s`` outside every bracket."""
    out, depth = [], 0
    for i, c in enumerate(s):
        depth += c in "({["
        depth -= c in ")}]"
        if depth == 0 and c in "+-" and 0 < i < len(s) - 1:
            out.append(i)
    return out


# -- verification ------------------------------------------------------------------------------


def _shapes(terms: list[_Term], wrt: str, ctx: Context) -> dict[str, Shape]:
    """What to sample: every variable read, the vectors whose entries are members, a
    member's shape (for its dimensions), the dimensions a coefficient names."""
    shapes: dict[str, Shape] = {}
    keys: set[str] = set()
    for term in terms:
        if term.sum is not None:
            keys |= {m.key for m in term.sum.members}
            for m in term.sum.members:
                shapes[f"member:{m.key}"] = m.shape  # (sizes its dimensions)
                if m.entry_of is not None:
                    shapes[m.entry_of] = ctx.env.vars[m.entry_of].shape
        read = (term.read, term.result, term.coefficient_read, term.coefficient_result)
        outer = (term.outer_read, term.outer_result)  # b of (\sum_i a^T x_i - b)^2
        for x in read + outer:
            for v in x.walk() if x is not None else ():
                if isinstance(v, Var) and v.name not in keys and v.name != term.placeholder:
                    shapes[v.name] = v.shape
    shapes[wrt] = ctx.env.vars[wrt].shape
    for term in terms:  # \frac{1}{N}: a declared dimension, as a number
        for f in term.coefficient:
            names = {k[0] for n in f.walk() if (k := symbol_key(n)) is not None}
            for key, info in ctx.env.vars.items():
                dims = info.shape.rows.free_symbols | info.shape.cols.free_symbols
                if key in names or names & {getattr(d, "name", "") for d in dims}:
                    shapes.setdefault(key, info.shape)
    return shapes


def _verify(
    terms: list[_Term],
    root: t.Node,
    printed: tuple[t.Node | None, t.Node | None],
    wrt: str,
    ctx: Context,
    budget: Budget,
) -> tuple[bool, str]:
    """The result against central differences of the sum, every member sampled."""
    passed, unread, problem = 0, False, ""
    for point in _points(terms, root, wrt, ctx, budget):
        point.printed = printed
        try:
            ok, written = point.check(wrt)
        except _OUTSIDE:
            continue
        if not ok:
            problem = written
            break
        unread = unread or written == "unread"
        passed += 1
        if passed == POINTS:
            break
    if problem:
        return False, problem
    if passed == 0:
        return False, "no random point inside the function's domain"
    note = (
        f"verified at {passed} random point(s) by central differences, every member of the "
        "family sampled"
    )
    if unread:
        note += "; the formula as written was not evaluated independently"
    return True, note


# what a random point outside the function's domain raises (a singular matrix, a log of a
# negative number): the point is skipped
_OUTSIDE = (
    EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
    OverflowError, ValueError, KeyError,
)  # fmt: skip


def _points(
    terms: list[_Term], root: t.Node, wrt: str, ctx: Context, budget: Budget
) -> Iterator[_Point]:
    """The verifier's random points, the same seeds for the check and for the code: every
    member sampled, in the domain (a point that cannot be sampled is skipped)."""
    shapes = _shapes(terms, wrt, ctx)
    pd, pos, sym = _sampled_in_domain(terms, ctx, set(shapes))
    labels = _label_sets(terms, ctx)
    entries = {  # y_i ∈ {-1, 1}, the entries of y ∈ ℝ^N: y's entries sampled so
        m.entry_of: labels[m.key]
        for m in _all_members(terms)
        if m.key in labels and m.entry_of is not None and m.entry_of in shapes
    }
    for attempt in range(TRIES):
        budget.check()
        rng = np.random.default_rng(2000 + attempt)
        try:
            values, sizes = sample_inputs(
                shapes, positive_definite=pd, positive=pos, symmetric=sym, rng=rng,
                labels=entries or None,
            )  # fmt: skip
            _constant_exponents(terms, ctx, values, sizes, wrt)
            point = _Point(terms, values, sizes, rng, wrt, root, ctx.unit_sums, labels)
        except _OUTSIDE:
            continue
        point.functions = {k: (f.params, f.body) for k, f in ctx.env.functions.items()}
        yield point


def _constant_exponents(
    terms: list[_Term], ctx: Context, values: dict[str, Array], sizes: dict[str, int], wrt: str
) -> None:
    r"""A declared constant read as an exponent (``(1 - p_i)^\gamma`` of "\gamma > 0"): one
    value, the exponent's and the letter's, wherever the terms use it (but the variable's,
    sampled: ``(1 - p_i)^\gamma`` by γ)."""
    for tm in terms:
        for x in (*(tm.read.walk() if tm.read is not None else ()),
                  *(tm.result.walk() if tm.result is not None else ())):  # fmt: skip
            if isinstance(x, (e.Pow, e.HPow)):
                for sym in x.exp.free_symbols:
                    if str(sym) == wrt.lstrip("\\"):
                        continue
                    sizes.setdefault(str(sym), 3)
                    if f"\\{sym}" in ctx.env.vars:
                        values[f"\\{sym}"] = np.array([[float(sizes[str(sym)])]])


def _under_root_or_log(x: Expr) -> Expr | None:
    """The argument ``x`` needs positive: of a logarithm or a non-integer power."""
    if isinstance(x, e.Elem) and x.fn == "log":
        return x.arg
    if isinstance(x, (e.Pow, e.HPow)) and x.is_scalar and not x.exp.is_integer:
        return x.arg
    return None


def _probabilities(terms: list[_Term]) -> set[str]:
    r"""The scalar members a summand needs in (0, 1): both ``p`` and ``1 - p`` under a
    logarithm or a non-integer power (``y_i\log p_i + (1 - y_i)\log(1 - p_i)``,
    ``(1 - p_i)^\gamma\log p_i``), the function's domain there; sampled in it, as a point
    with some ``p_i`` outside it cannot be evaluated."""
    positive: set[str] = set()
    below_one: set[str] = set()
    for tm in terms:
        for y in (tm.read, tm.result):
            for x in y.walk() if y is not None else ():
                arg = _under_root_or_log(x)
                if isinstance(arg, e.Var) and arg.is_scalar:
                    positive.add(arg.name)
                elif isinstance(arg, e.Add) and len(arg.terms) == 2:
                    below_one.update(
                        v.name
                        for v in arg.walk()
                        if isinstance(v, e.Var) and v.is_scalar and arg == e.sub(e.num(1), v)
                    )
    return positive & below_one


def _all_members(terms: list[_Term]) -> list[Member]:
    return [m for tm in terms for m in (tm.sum.members if tm.sum is not None else ())]


def _label_sets(terms: list[_Term], ctx: Context) -> dict[str, tuple[float, ...]]:
    r"""The members the document puts in a set of labels (``y_i \in \{-1, 1\}``), by key:
    sampled in it, as a claim may rely on it (``y_i^2 = 1`` in a Hessian)."""
    out: dict[str, tuple[float, ...]] = {}
    for m in _all_members(terms):
        info = ctx.env.vars.get(m.key)
        if info is not None and info.values and m.shape.rows == 1 and m.shape.cols == 1:
            out[m.key] = tuple(info.values)
    return out


def _sampled_in_domain(
    terms: list[_Term], ctx: Context, names: set[str]
) -> tuple[set[str], set[str], set[str]]:
    """Which of ``names`` to sample positive definite, positive, symmetric: as the document
    declares them (``\\Sigma \\in \\mathbb{S}^d_{++}``, the summand's derivative may use
    Σᵀ = Σ) and as the functions of the terms and their derivatives need."""
    pd: set[str] = set()
    pos: set[str] = set()
    sym: set[str] = set()
    for term in terms:
        for x in (term.read, term.result, term.coefficient_read, term.coefficient_result):
            if x is not None:
                a, b, c = _domain(x, ctx.env)
                pd, pos, sym = pd | a, pos | b, sym | c
    pos, sym = pos - pd, sym - pd
    return pd & names, pos & names, sym & names


class _Point:
    """One random point: the variables, a number of terms distinct from every other size,
    and each member of each family."""

    def __init__(
        self,
        terms: list[_Term],
        values: dict[str, Array],
        sizes: dict[str, int],
        rng: np.random.Generator,
        wrt: str,
        root: t.Node,
        unit: dict[str, str] | None = None,
        labels: dict[str, tuple[float, ...]] | None = None,
    ) -> None:
        self.wrt = wrt
        self.unit = unit or {}  # families the text says are one-hot or distributions
        self.root = root
        # the result and its differential as printed, parsed
        self.printed: tuple[t.Node | None, t.Node | None] = (None, None)
        self.sequences: dict[str, dict[int, Array]] = {}
        # the document's functions and definitions, for the evaluator (\zeta'(x_i^T w))
        self.functions: dict[str, tuple[tuple[str, ...], t.Node]] = {}
        self.terms = terms
        self.values = values
        self.sizes = sizes
        self.rng = rng
        self.plain = dict(values)
        self.labels = labels or {}  # members sampled in a set of labels: y_i ∈ {-1, 1}
        for name, size in sizes.items():
            self.plain.setdefault(name, np.array([[float(size)]]))
        self.probabilities = _probabilities(terms)  # p_i of log p_i and log(1 - p_i)
        self.each: list[list[dict[str, Array]]] = [self._members(tm) for tm in terms]

    def _count(self, s: SampleSum) -> int:
        upper = s.upper
        if isinstance(upper, t.Number) and upper.text.isdigit():
            last = int(upper.text)
        else:
            entries = [m.entry_of for m in s.members if m.entry_of is not None]
            if entries:
                last = int(self.values[entries[0]].shape[0])
            else:
                name = _dim_name(upper)
                if name is not None and name in self.sizes:
                    last = self.sizes[name]
                else:
                    taken = set(self.sizes.values())
                    last = next(n for n in range(s.start + 2, 99) if n not in taken)
                    if name is not None and plain_key(name) in self.values:
                        # m of \sum_{i=1}^m beside a bold \mathbf{m}: the count held apart
                        self.sizes[name] = last
                        self.values[plain_key(name)] = np.array([[float(last)]])
                        self.plain[plain_key(name)] = self.values[plain_key(name)]
                    elif name is not None:
                        self.sizes[name] = last
                        self.plain[name] = np.array([[float(last)]])
        if last < s.start or last - s.start >= MAX_TERMS:
            raise ValueError("the range of the sum")
        return last

    def _members(self, term: _Term) -> list[dict[str, Array]]:
        s = term.sum
        if s is None:
            return []
        last = self._count(s)
        sequences = self.sequences
        out = []
        for label in range(s.start, last + 1):
            vals: dict[str, Array] = {}
            for m in s.members:
                if m.entry_of is not None:
                    vec = self.values[m.entry_of]
                    vals[m.key] = vec[label - 1 : label, :]
                    continue
                seq = sequences.setdefault(m.base, {})
                at = label + m.shift
                if at not in seq:
                    rows = _size(m.shape.rows, self.sizes)
                    cols = _size(m.shape.cols, self.sizes)
                    seq[at] = self.rng.standard_normal((rows, cols))
                    if m.key in self.labels and (rows, cols) == (1, 1):  # y_i ∈ {-1, 1}
                        seq[at] = np.array([[float(self.rng.choice(self.labels[m.key]))]])
                    if m.key in self.probabilities and (rows, cols) == (1, 1):
                        seq[at] = self.rng.uniform(0.05, 0.95, (1, 1))
                    if m.key in self.unit and cols == 1 and rows > 1:  # 1ᵀy_i = 1
                        one = {"y": seq[at]}
                        resample(one, {"y": self.unit[m.key]}, self.rng)
                        seq[at] = one["y"]
                vals[m.key] = seq[at]
            out.append(vals)
        return out

    def check(self, wrt: str) -> tuple[bool, str]:
        x0 = self.values[wrt]
        with np.errstate(all="raise"):
            written = self.as_written(x0)
            read = self.as_read(x0)
            if written is not None and not _close(read, written):
                return False, "the sum as written evaluates differently from how it was read"
            fn: Callable[[Array], Array] = (
                self.as_written if written is not None else self.as_read  # type: ignore[assignment]
            )
            got = self.derivative(x0)
            want = self.finite(fn, x0, 1e-6 * max(1.0, float(np.abs(x0).max())))
            if not _close(got, want):
                want = self.finite(fn, x0, 1e-4 * max(1.0, float(np.abs(x0).max())))
            if not _close(got, want):
                return False, "the derivative disagrees with finite differences of the sum"
            shown = self.evaluate_written(self.printed[0], x0)
            if shown is None:
                return False, "the printed result could not be evaluated"
            if not _close(shown, got):
                return False, "the printed result does not mean what was computed"
            direction = self.rng.standard_normal(x0.shape)
            dshown = self.evaluate_written(self.printed[1], x0, {"d:" + self.wrt: direction})
            if dshown is None or not _close(dshown, np.array([[float(np.sum(got * direction))]])):
                return False, "the printed differential does not mean what was computed"
        return True, "" if written is not None else "unread"

    def _at(self, wrt: str, x: Array, extra: dict[str, Array]) -> dict[str, Array]:
        return {**self.plain, **extra, wrt: x}

    def as_written(self, x: Array) -> Array | None:
        """The loss as written, evaluated by :mod:`evaluate_tree` with the members as its
        families; None where it cannot read it (a function the document defines)."""
        return self.evaluate_written(self.root, x)

    def evaluate_written(
        self, node: t.Node | None, x: Array, extra: dict[str, Array] | None = None
    ) -> Array | None:
        if node is None:
            return None
        families: dict[str, Array] = {}
        for base, seq in self.sequences.items():
            first = min(seq)  # x_0 of a sum from t = 1 over x_t and x_{t-1}
            if sorted(seq) != list(range(first, first + len(seq))):
                return None
            families[f"family:{base}"] = np.stack([seq[k] for k in sorted(seq)])
            families[f"family-first:{base}"] = np.array([[float(first)]])
        for term in self.terms:  # y^{(i)}: the entries of \vec{y}, numbered by a superscript
            for m in term.sum.members if term.sum is not None else ():
                if m.entry_of is not None and m.key.startswith(m.base + "^"):
                    vec = (self.values if m.entry_of != self.wrt else {m.entry_of: x})[m.entry_of]
                    families[f"family:{m.base}"] = vec.reshape(-1, 1, 1)
                    families[f"family-first:{m.base}"] = np.array([[1.0]])
        try:
            values = {**self.plain, **families, **(extra or {}), self.wrt: x}
            return evaluate_tree(node, values, self.functions)
        except (EvaluationError, KeyError):
            return None

    def as_read(self, x: Array) -> Array:
        total = np.zeros((1, 1))
        wrt = self.wrt
        for term, each in zip(self.terms, self.each, strict=True):
            assert term.read is not None
            if term.sum is None:
                value = evaluate_expr(term.read, self._at(wrt, x, {}), self.sizes)
            else:
                summed = self._total(term, each, x)
                value = self._coefficient(term, x) * _outer(term, summed, self.plain, self.sizes)
            total = total - value if term.sign == "-" else total + value
        return total

    def _total(self, term: _Term, each: list[dict[str, Array]], x: Array) -> Array:
        """The sum of the term's summands as read, at ``x``."""
        assert term.read is not None
        at = self._at
        return sum(
            (evaluate_expr(term.read, at(self.wrt, x, m), self.sizes) for m in each),
            np.zeros((1, 1)),
        )

    def derivative(self, x: Array) -> Array:
        total = np.zeros_like(x)
        wrt = self.wrt
        for term, each in zip(self.terms, self.each, strict=True):
            if term.outer_hessian is not None:  # c g(S)'s Hessian, as printed
                shown = self.evaluate_written(term.outer_hessian, x)
                if shown is None:
                    raise ValueError("the Hessian of a function of a sum could not be evaluated")
                total = total - shown if term.sign == "-" else total + shown
                continue
            assert term.result is not None
            if term.sum is None:
                value = evaluate_expr(term.result, self._at(wrt, x, {}), self.sizes)
            else:
                value = self._coefficient(term, x) * sum(
                    (evaluate_expr(term.result, self._at(wrt, x, m), self.sizes) for m in each),
                    np.zeros_like(x),
                )
                if term.outer == "log":  # (log S)' = S' / S
                    value = value / float(self._total(term, each, x)[0, 0])
                if term.outer == "fn" and term.outer_result is not None:  # g(S)' = g'(S) S'
                    at = {**self.plain, term.placeholder: self._total(term, each, x)}
                    value = value * float(evaluate_expr(term.outer_result, at, self.sizes)[0, 0])
                if term.coefficient_result is not None:  # (c S)' = c' S + c S'
                    c = evaluate_expr(term.coefficient_result, self._at(wrt, x, {}), self.sizes)
                    value = value + c * float(self._total(term, each, x)[0, 0])
            total = total - value if term.sign == "-" else total + value
        return total

    def _coefficient(self, term: _Term, x: Array) -> float:
        value = 1.0
        for f in term.coefficient:
            v = evaluate_tree(f, {**self.plain, self.wrt: x})
            if v.shape != (1, 1):
                raise ValueError("a coefficient that is not a scalar")
            value *= float(v[0, 0])
        return value

    def finite(self, fn: Callable[[Array], Array | None], x0: Array, h: float) -> Array:
        out = []
        flat = x0.reshape(-1, order="F")
        for j in range(flat.size):
            step = np.zeros_like(flat)
            step[j] = h
            delta = step.reshape(x0.shape, order="F")
            hi, lo = fn(x0 + delta), fn(x0 - delta)
            if hi is None or lo is None:
                raise ValueError("cannot evaluate")
            out.append(float((hi - lo)[0, 0]) / (2 * h))
        return np.array(out).reshape(x0.shape, order="F")


def _outer(
    term: _Term,
    total: Array,
    plain: dict[str, Array] | None = None,
    sizes: dict[str, int] | None = None,
) -> Array:
    """The term's function of its sum: the sum itself, its log, or the function g read."""
    if term.outer == "fn":
        if term.outer_read is None:
            raise ValueError("the function of the sum was not read")
        return evaluate_expr(
            term.outer_read, {**(plain or {}), term.placeholder: total}, sizes or {}
        )
    if term.outer == "log":
        if float(total[0, 0]) <= 0:
            raise ValueError("the log of a sum that is not positive")
        return np.log(total)
    return total


def _size(d: sympy.Expr, sizes: dict[str, int]) -> int:
    value = d.subs({s: sizes[s.name] for s in d.free_symbols if isinstance(s, sympy.Symbol)})
    return int(value)


def _dim_name(node: t.Node | None) -> str | None:
    d = dim_of(node) if node is not None else None
    return d.name if isinstance(d, sympy.Symbol) else None


# -- NumPy code ------------------------------------------------------------------------------


def _sum_numpy(
    out: DiffOutcome, terms: list[_Term], tree: t.Node, wrt: str, ctx: Context, budget: Budget
) -> tuple[str, str, SumCode | None]:
    """The result as NumPy code looping over the samples, run at the verifier's own points
    against the verified derivative: (the code, "") or ("", why there is none)."""
    node = tree.items[-1] if isinstance(tree, t.Chain) and tree.items[-1] is not None else tree
    if any(term.outer or term.coefficient_result is not None for term in terms):
        why = (
            "the log of a sum over samples (or another function of it: a root, a power, …), "
            "or a factor before it that involves the variable"
        )
        return "", f"the NumPy code of {why} is not written yet", None
    defined = sorted(
        {m.entry_of for tm in terms if tm.sum is not None for m in tm.sum.members
         if m.entry_of and m.entry_of not in ctx.env.vars}
    )  # fmt: skip
    if defined:  # α_i of α = K^{-1}y: a vector the document defines, not one it declares
        name = ctx.style.symbols.get(defined[0], defined[0])
        return (
            "",
            f"the NumPy code of the entries of `{name}`, which the document defines, is not written yet",
            None,
        )
    try:
        code_terms = [_code_term(term, ctx) for term in terms]
        v = e.var(wrt, ctx.env.vars[wrt].shape)
        entries = {
            m.entry_of: ctx.env.vars[m.entry_of].shape
            for tm in terms if tm.sum is not None for m in tm.sum.members if m.entry_of
        }  # fmt: skip
        what = "gradient" if out.kind == "gradient" else "derivative"
        heading = f"The {what} of f = {out.function} with respect to {out.wrt}:\n    {out.result}"
        status = f"texgrad: {out.note}."
        code = sum_code(code_terms, v, out.kind, ctx.style.symbols, heading, status, entries)
        problem = check_sum_code(code, _code_points(terms, node, wrt, ctx, budget))
    except NumpyUnsupported as exc:
        return "", str(exc), None
    except BudgetExceeded:
        return "", "no time was left to write and test the NumPy code", None
    except CalculusError:
        return "", "the factor before the sum could not be read for the NumPy code", None
    except RecursionError:
        return "", "the result is nested too deeply for NumPy code", None
    if problem is not None:
        return "", problem, None
    return code.source, "", code


def _code_term(term: _Term, ctx: Context) -> CodeTerm:
    assert term.result is not None
    if term.sum is None:
        return CodeTerm(term.sign, e.num(1), term.result)
    s = term.sum
    factor = e.mul(e.num(1), *(Lowerer(ctx.env).lower(f) for f in term.coefficient))
    if not factor.is_scalar:
        raise NumpyUnsupported("a factor before the sum that is not a number")
    bound: int | sympy.Symbol | None = None
    if isinstance(s.upper, t.Number) and s.upper.text.isdigit():
        bound = int(s.upper.text)
    elif s.upper is not None:
        d = dim_of(s.upper)
        if not isinstance(d, sympy.Symbol):
            raise NumpyUnsupported("a sum whose upper bound is not a number or a dimension")
        bound = d
    members = tuple(Sampled(m.key, m.base, m.shift, m.shape, m.entry_of) for m in s.members)
    return CodeTerm(term.sign, factor, term.result, s.index, s.start, bound, members)


def _code_points(
    terms: list[_Term], root: t.Node, wrt: str, ctx: Context, budget: Budget
) -> Iterator[SumPoint]:
    """The verifier's random points (same seeds, every member sampled) with the verified
    derivative at each."""
    for point in _points(terms, root, wrt, ctx, budget):
        try:
            with np.errstate(all="raise"):
                want = point.derivative(point.values[wrt])
        except _OUTSIDE:
            continue
        yield point.values, point.sequences, point.sizes, want


def _vectorised(
    out: DiffOutcome,
    terms: list[_Term],
    tree: t.Node,
    wrt: str,
    ctx: Context,
    layout: str,
    budget: Budget,
) -> str:
    """A second function, ``…_vectorised``, with the loop's parameters: the sum computed on
    the families as wholes (each a matrix whose rows are its members, as the loop takes it),
    by the matrix form's pipeline (:mod:`~texgrad.calculus.stacking`), the stacked loss
    checked equal to the sum, its code run at the verifier's own points; "" where there is
    none (a shifted member, a family of matrices, a check that fails)."""
    try:
        stacked, stacks, keys = _stacked_families(terms, ctx)
        if not stacks:
            return ""
        matrix = _matrix_form(terms, wrt, stacked, stacks, layout, budget)
        if matrix is None or matrix.code is None or not matrix.verified:
            return ""
        code = matrix.code
        node = tree.items[-1] if isinstance(tree, t.Chain) and tree.items[-1] is not None else tree
        checked = 0
        for values, sequences, sizes, want in _code_points(terms, node, wrt, ctx, budget):
            at = dict(values)
            for key, base in keys.items():
                seq = sequences[base]
                at[key] = np.concatenate([seq[k].T for k in sorted(seq)])
            with np.errstate(all="ignore"):
                got = run_code(code, at, sizes)
            if not agrees(got, want):
                return ""
            checked += 1
            if checked == POINTS:
                break
    except (CalculusError, RecursionError, ValueError, KeyError, EvaluationError):
        return ""
    except Exception:  # noqa: BLE001 - our code failing: no vectorised form, not a crash
        return ""
    if checked < POINTS:
        return ""
    source = matrix.numpy.replace(f"def {code.function}(", f"def {code.function}_vectorised(", 1)
    source = source.replace(
        f"of f = {matrix.function} with respect to {matrix.wrt}:",
        f"of f = {out.function} with respect to {matrix.wrt}, the samples as matrices:",
        1,
    )
    for p in code.params:  # a stacked family: say how it is stacked, as the loop does
        if p.key in keys:
            source = re.sub(
                rf"^(        {re.escape(p.name)}: .*an array of shape \([^)]*\))$",
                r"\1, one member per row (row k is the member labelled k + 1)",
                source,
                count=1,
                flags=re.M,
            )
    return source


def _vectorised_shifted(
    out: DiffOutcome,
    terms: list[_Term],
    tree: t.Node,
    wrt: str,
    ctx: Context,
    layout: str,
    budget: Budget,
    loop: SumCode,
) -> str:
    """The loop vectorised where the summand names shifted members of a family (``h_t``,
    ``h_{t-1}``): each a slice of the family's rows (:mod:`~texgrad.calculus.shifted_code`);
    "" where there is none."""
    sums = [tm.sum for tm in terms if tm.sum is not None]
    if len(sums) != 1:
        return ""
    s = sums[0]
    members = [(m.key, m.base, m.shift, m.shape, m.entry_of) for m in s.members]
    try:
        found = shifted_layout(members, ctx)
        if found is None:
            return ""
        stacked, stacks, keys = found
        for fam in loop.families:  # the family's row 0 is the first member the sum takes
            shifts = [sh for base, sh in keys.values() if base == fam.base]
            if shifts and fam.first != s.start + min(shifts):
                return ""
        matrix = _matrix_form(terms, wrt, stacked, stacks, layout, budget, any_range=True)
        if matrix is None or not matrix.verified:
            return ""
        node = tree.items[-1] if isinstance(tree, t.Chain) and tree.items[-1] is not None else tree
        return wrapped(
            matrix, loop, keys, out.function,
            lambda: _code_points(terms, node, wrt, ctx, budget),
        )  # fmt: skip
    except (CalculusError, RecursionError, ValueError, KeyError, EvaluationError):
        return ""
    except Exception:  # noqa: BLE001 - our code failing: no vectorised form, not a crash
        return ""


def _same_params(first: str, second: str) -> bool:
    """Whether two generated functions take the same parameters (by name)."""
    found = [re.search(r"^def \w+\(([^)]*)\):", x, re.M) for x in (first, second)]
    names = [set(m.group(1).split(", ")) if m else None for m in found]
    return names[0] is not None and names[0] == names[1]


def _joined(first: str, second: str) -> str:
    """Two generated modules as one: the imports of both, then each function."""
    head1, body1 = first.split("\n\n\n", 1)
    head2, body2 = second.split("\n\n\n", 1)
    imports = head1.splitlines() + [x for x in head2.splitlines() if x not in head1.splitlines()]
    return "\n".join(imports) + "\n\n\n" + body1 + "\n\n" + body2


def _stacked_families(
    terms: list[_Term], ctx: Context
) -> tuple[Context, dict[str, tuple[str, str]], dict[str, str]]:
    """A context where each family of vectors summed over is also a matrix, its members as
    rows, named as the loop names the family: (that context, the stacks, each stacked
    matrix's key → the family's letter)."""
    env = Env(
        {k: replace(v) for k, v in ctx.env.vars.items()},
        dict(ctx.env.functions),
        weak=set(ctx.env.weak),
    )
    symbols = dict(ctx.style.symbols)
    stacks: dict[str, tuple[str, str]] = {}
    keys: dict[str, str] = {}
    for term in terms:
        s = term.sum
        if s is None:
            continue
        entries = [ctx.env.vars[m.entry_of].shape.rows for m in s.members if m.entry_of]
        fresh = sympy.Symbol("n_{samples}", positive=True, integer=True)
        bound = dim_of(s.upper) if s.upper is not None else entries[0] if entries else fresh
        if not isinstance(bound, sympy.Symbol) or s.start != 1:
            return ctx, {}, {}
        for m in s.members:
            if m.entry_of is not None:
                continue
            if m.shift or m.shape.cols != ONE or m.shape.rows == ONE:
                return ctx, {}, {}
            key = f"{m.base}_{{\\ast}}"
            env.vars[key] = VarInfo(key, Shape(bound, m.shape.rows), key)
            symbols[key] = symbols.get(m.base, m.base)
            stacks[m.key] = (key, "row")
            keys[key] = m.base
    return Context(env, replace(ctx.style, symbols=symbols)), stacks, keys


def matrix_form_code(matrix: DiffOutcome, written: str) -> str:
    """The matrix form's NumPy code (checked as every result's is), its function renamed
    ``…_matrix_form`` so that it can stand beside the sum form's, its docstring naming
    the loss as the document writes it (``written``)."""
    code = matrix.code
    if code is None or not matrix.numpy:
        return ""
    source = matrix.numpy.replace(f"def {code.function}(", f"def {code.function}_matrix_form(", 1)
    return source.replace(
        f"of f = {matrix.function} with respect to {matrix.wrt}:",
        f"of f = {written} with respect to {matrix.wrt}, in matrix form:",
        1,
    )


# -- the matrix form -------------------------------------------------------------------------


def _matrix_form(
    terms: list[_Term],
    wrt: str,
    ctx: Context,
    stacks: dict[str, tuple[str, str]],
    layout: str,
    budget: Budget,
    any_range: bool = False,
) -> DiffOutcome | None:
    """The derivative in matrix form where every family is stacked in a declared matrix
    (``stacks``: a member's key → the matrix's key and "row" or "column") and every
    scalar is an entry of a declared vector; None where there is none or it fails a check."""
    parts: list[Expr] = []
    for term in terms:
        assert term.read is not None
        if term.sum is None:
            parts.append(e.neg(term.read) if term.sign == "-" else term.read)
            continue
        total = _stacked(term, ctx, stacks, any_range)
        if total is None:
            return None
        parts.append(e.neg(total) if term.sign == "-" else total)
    f = e.add(*parts)
    symbols = dict(ctx.style.symbols)
    for v in f.walk():  # a stacked vector the row does not write: as the document spells it
        if isinstance(v, Var) and v.name not in symbols and v.name in ctx.env.vars:
            symbols[v.name] = ctx.env.vars[v.name].latex
    ctx = replace(ctx, style=replace(ctx.style, symbols=symbols))
    out = differentiate_expr(f, wrt, ctx, layout, budget)
    if out.error is not None or not out.verified:
        return None
    if not _same_loss(f, terms, stacks, ctx):
        return None
    return out


def _stacked(
    term: _Term, ctx: Context, stacks: dict[str, tuple[str, str]], any_range: bool = False
) -> Expr | None:
    """``any_range``: each member (shifted ones too) stacked in a matrix of its own, as many
    rows as the sum has terms, whatever its range."""
    s = term.sum
    assert s is not None and term.read is not None
    if s.start != 1 and not any_range:
        return None
    members: dict[str, Expr] = {}
    n: sympy.Expr | None = None
    for m in s.members:
        value = _stack_of(m, ctx, stacks)
        if value is None or (m.shift != 0 and not any_range):
            return None
        if n is not None and not same(n, value.rows):
            return None
        n = value.rows
        members[m.key] = value
    if n is None:
        return None
    bound = dim_of(s.upper) if s.upper is not None else None
    if s.upper is not None and not any_range and (bound is None or not same(bound, n)):
        return None
    total = stacked_sum(term.read, members, n)
    if total is None:
        return None
    if term.outer == "fn":
        return None  # (a function of the sum: no matrix form yet)
    if term.outer == "log":
        total = e.elem("log", total)
    try:
        factors = [Lowerer(ctx.env).lower(f) for f in term.coefficient]
    except CalculusError:
        return None
    if not all(f.is_scalar for f in factors):
        return None
    return e.mul(*factors, total)


def _stack_of(m: Member, ctx: Context, stacks: dict[str, tuple[str, str]]) -> Expr | None:
    """The member's values, stacked: the entries' vector, or the matrix of the family."""
    if m.entry_of is not None:
        return e.var(m.entry_of, ctx.env.vars[m.entry_of].shape)
    said = _stack_said(m, stacks)
    if said is None or m.shape.cols != ONE:
        return None
    key, part = said
    info = ctx.env.vars.get(key)
    if info is None or info.shape.cols == ONE:
        return None
    x = e.var(key, info.shape)
    value = x if part == "row" else e.transpose(x)
    return value if same(value.cols, m.shape.rows) else None


def _stack_said(m: Member, stacks: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    r"""The matrix stacking the member's family and the part: as said of the member itself,
    else of the family under another letter ("$X$ stacks the $\mathbf x_i^\top$ as rows",
    for a sum over n of ``\mathbf x_n``): the same matrix whatever the label's letter."""
    if m.key in stacks:
        return stacks[m.key]
    if m.shift != 0 or m.entry_of is not None:
        return None
    found = {
        said
        for key, said in stacks.items()
        if (parts := key.partition("_{"))[0] == m.base and re.fullmatch(r"[a-z]\}", parts[2])
    }
    return next(iter(found)) if len(found) == 1 else None


def _same_loss(
    f: Expr, terms: list[_Term], stacks: dict[str, tuple[str, str]], ctx: Context
) -> bool:
    """Whether the matrix form has the value of the sum of the summands (as read and
    verified) at random points, each sample a row (column) of the stacked matrix."""
    shapes = {v.name: v.shape for v in f.walk() if isinstance(v, Var)}
    for attempt in range(POINTS):
        rng = np.random.default_rng(3000 + attempt)
        try:
            values, sizes = sample_inputs(shapes, rng=rng)
            plain = {**values, **{k: np.array([[float(v)]]) for k, v in sizes.items()}}
            want = np.zeros((1, 1))
            for term in terms:
                assert term.read is not None
                if term.sum is None:
                    value = evaluate_expr(term.read, values, sizes)
                else:
                    value = _summed(term, values, sizes, plain, stacks)
                want = want - value if term.sign == "-" else want + value
            got = evaluate_expr(f, values, sizes)
        except _OUTSIDE:
            return False
        if not _close(got, want):
            return False
    return True


def _summed(
    term: _Term,
    values: dict[str, Array],
    sizes: dict[str, int],
    plain: dict[str, Array],
    stacks: dict[str, tuple[str, str]],
) -> Array:
    s = term.sum
    assert s is not None and term.read is not None
    count = None
    columns: dict[str, Array] = {}
    for m in s.members:
        if m.entry_of is not None:
            columns[m.key] = values[m.entry_of]  # one row per sample
        else:
            said = _stack_said(m, stacks)
            assert said is not None  # (as _stacked found it)
            key, part = said
            columns[m.key] = values[key] if part == "row" else values[key].T
        count = columns[m.key].shape[0]
    assert count is not None
    total = np.zeros((1, 1))
    for k in range(count):
        at = {**values}
        for m in s.members:
            row = columns[m.key][k : k + 1, :]
            at[m.key] = row if m.entry_of is not None else row.T
        total = total + evaluate_expr(term.read, at, sizes)
    factor = 1.0
    for c in term.coefficient:
        factor *= float(evaluate_tree(c, plain)[0, 0])
    return factor * _outer(term, total)


def _placeholder(written: str, ctx: Context) -> str:
    """A name for the sum in ``written`` (a term g(S)) that it and the context leave free."""
    name = next((p for p in _PLACEHOLDERS if p not in written and p not in ctx.env.vars), "")
    if not name:
        raise CalculusError("a function of a sum over samples: no name left for the sum")
    return name
