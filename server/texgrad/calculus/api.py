r"""Differentiate, as the command line and the language server ask for it.

:func:`diff_latex` takes an expression and declarations as LaTeX strings;
:func:`diff_in_document` takes a row of a document and uses the document's own
declarations, definitions and notation; :func:`diff_at` and :func:`plans_at` take an
editor buffer (and the document already checked, if a front keeps one).  Each returns
a :class:`DiffOutcome`: the result in the document's notation, the differential, the
derivation, and whether the result was verified numerically.

Here the document is checked and the row and the variable found; what the document
says there is :mod:`~texgrad.calculus.context`, the pipeline
:mod:`~texgrad.calculus.derive`, the plans :mod:`~texgrad.calculus.planning`.
Each request has a time budget; running over it is a clear error.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from texgrad.calculus import expr as e
from texgrad.calculus.assumed_shapes import assumed_declarations
from texgrad.calculus.components import Entry
from texgrad.calculus.context import Context, context_at, row_at
from texgrad.calculus.defined_sums import held_sums, summed_out, terms_written_in
from texgrad.calculus.derive import KINDS, DiffOutcome, differentiate
from texgrad.calculus.differential import Budget
from texgrad.calculus.entrywise_said import read_entrywise
from texgrad.calculus.expr import ONE, CalculusError, UnknownShape
from texgrad.calculus.fixed_indices import with_fixed_entries
from texgrad.calculus.indices import IndexReader, written_with_indices
from texgrad.calculus.insertion import differential_spelling, spelled_as
from texgrad.calculus.inverse_variable import (
    STAND_IN,
    declare_stand_in,
    inverse_of,
    outcome_back,
    with_stand_in,
)
from texgrad.calculus.lower import FunctionDef, Lowerer, VarInfo, as_member, plain_key
from texgrad.calculus.nested_sums import differentiate_nested
from texgrad.calculus.notation import copy_style, sigmoid_apart
from texgrad.calculus.own_functions import calls, in_function_names
from texgrad.calculus.own_names import in_defined_names, in_own_name
from texgrad.calculus.planning import (
    DiffPlan,
    plans_of,
    stated_jacobian,
    stated_jacobian_reason,
    statement_at,
)
from texgrad.calculus.quotes import in_document_words
from texgrad.calculus.readout import CONSTANT
from texgrad.calculus.reasons import parse_problem, unknown_shape
from texgrad.calculus.recurrences import held_note, recurrence_of, says_held, through_time
from texgrad.calculus.requests import (
    NO_VARIABLE_SAID,
    Request,
    applied,
    differential_variable,
    request_in,
    resolved,
    row_request,
    source,
)
from texgrad.calculus.row_sums import rows_summed
from texgrad.calculus.samples import (
    DEFINED_ENTRIES,
    SUMMED_OVER,
    differentiate_sum,
    hessian_of_sum,
    is_sample_sum,
    sum_variables,
)
from texgrad.calculus.shifted_check import check_shifted
from texgrad.calculus.square_variable import STAND_IN as SQUARE_STAND_IN
from texgrad.calculus.square_variable import declare_stand_in as square_stand_in
from texgrad.calculus.square_variable import outcome_back as square_back
from texgrad.calculus.square_variable import square_of
from texgrad.calculus.square_variable import with_stand_in as with_square
from texgrad.calculus.summed_member import (
    SetSum,
    Shifted,
    at_label,
    one_member,
    over_a_set,
    over_an_index_set,
    shifted_member,
)
from texgrad.calculus.sympy_dims import SCALAR
from texgrad.calculus.vector_sums import READS as VECTOR_SUMS
from texgrad.calculus.vector_sums import differentiate_vector_sum
from texgrad.calculus.written import MATRIX_FUNCTION_NAMES, written_latex
from texgrad.calculus.written_simplex import unit_vectors_stated
from texgrad.reading.macros import MacroTable, expand
from texgrad.reading.project import Project, load_project, normalize, read_file, text_project
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker, CheckResult
from texgrad.shapes.dims import Shape
from texgrad.shapes.layout_statements import (
    layout_in_force,
    sentence_layouts,
    stated_in,
    statements,
)
from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import member_key, symbol_key

__all__ = [
    "KINDS", "DiffOutcome", "DiffPlan", "diff_at", "diff_in_document", "diff_latex", "plans_at",
    "warm_up",
]  # fmt: skip


# a property written after a declaration of --where: "\Sigma \in \mathbb{R}^{n\times n}
# \text{ symmetric}", "\Sigma \in … , symmetric positive definite", "S \in … \text{covariance}"
_SAID_AFTER = re.compile(
    r"^(?P<math>.*?)\s*,?\s*(?:\\text\{\s*,?\s*(?P<text>[^{}$]*?)\s*\}|(?P<words>(?:symmetric|"
    r"positive|semi-?definite|definite|SPD|covariance|and|,|\s)+))\s*$"
)


def _declaration_said(decl: str) -> str:
    """One declaration of --where as a document's sentence: its math, then the words said
    of it outside the math (``$\\Sigma \\in …$ symmetric``), as the prose reader reads them."""
    m = _SAID_AFTER.match(decl)
    words = (m["text"] or m["words"] or "").strip(" ,") if m is not None else ""
    if m is None or not m["math"].strip() or not re.search(r"[A-Za-z]", words):
        return f"${decl}$"
    words = re.sub(r"^\(?\s*(?:(?:a|an|the)\s+)?|\)$", "", words).strip()  # "(a covariance)"
    if "covariance" in words and "symmetric" not in words:
        return f"${m['math'].strip()}$ is the {words}"
    return f"${m['math'].strip()}$ {words}"


def diff_latex(
    expr: str,
    wrt: str,
    where: str = "",
    layout: str = "numerator",
    budget: float = 5.0,
    hessian: bool = False,
    einstein: bool = False,
) -> DiffOutcome:
    """Differentiate the LaTeX ``expr`` with respect to ``wrt``; ``where`` holds
    declarations and definitions separated by ``;``; ``einstein``: an index repeated in a
    product is summed."""
    decls = [d.strip() for d in where.split(";") if d.strip()]
    parts = [_declaration_said(d) for d in decls]
    text = "\n\n".join([*parts, f"${expr}$"]) + "\n" + ("% texgrad: einstein\n" if einstein else "")
    offset = text.rindex(f"${expr}$") + 1
    # the expression alone: no document of the working directory is read (its macros
    # would change what the expression means)
    own = text_project("expression.tex", text)
    try:
        result = Checker().check(own.root, own, own.folder, text=text)
    except (OSError, ValueError) as exc:
        return DiffOutcome(error=parse_problem(expr) or f"cannot read {own.root}: {exc}")
    if not _parsed_whole(result, offset, expr):  # say where, not "no math there"
        unbalanced = parse_problem(expr)  # (parsed again alone only when it did not parse)
        if unbalanced is not None:
            return DiffOutcome(error=unbalanced)
    outcome = _diff_text(
        text, own.root, offset, wrt, layout, budget, hessian, result=result, project=own,
        folder=own.folder,
    )  # fmt: skip
    if not decls and (outcome.error or "").startswith("the shape of"):
        outcome = _with_assumed_shapes(
            result, text, offset, expr, wrt, outcome, (layout, budget, hessian, einstein)
        )
    return _spelled(outcome, differential_spelling(expr))


def _with_assumed_shapes(
    result: CheckResult, text: str, offset: int, expr: str, wrt: str, outcome: DiffOutcome,
    options: tuple[str, float, bool, bool],
) -> DiffOutcome:  # fmt: skip
    r"""An expression given alone with nothing declared (``texgrad diff '\frac{\partial
    \operatorname{tr}(AB)}{\partial A}'``): differentiated again with the shapes its letters
    and their use say (:mod:`~texgrad.calculus.assumed_shapes`), which the outcome names;
    ``outcome`` (the unknown shape said) where they do not say enough."""
    row = row_at(result, offset, offset + 1)
    if row is None or row.tree is None:
        return outcome
    decls = assumed_declarations(row.tree, text)
    if not decls:
        return outcome
    layout, budget, hessian, einstein = options
    again = diff_latex(expr, wrt, "; ".join(decls), layout, budget, hessian, einstein)
    if again.error is not None:
        return outcome
    return replace(again, assumed=decls)


def _spelled(outcome: DiffOutcome, spelling: str | None) -> DiffOutcome:
    r"""``outcome`` with its differential spelled ``spelling`` (as the input writes it:
    ``\mathrm d(X^{-1})`` is answered ``-X^{-1} \mathrm dX X^{-1}``, not ``\mathrm{d}X``); its
    ``differential`` (dF, for programs: JSON's) stays in the engine's ``\mathrm{d}``."""
    if spelling is None or outcome.error is not None:
        return outcome
    return replace(
        outcome,
        result=spelled_as(outcome.result, spelling),
        steps=[spelled_as(s, spelling) for s in outcome.steps],
        where=[spelled_as(w, spelling) for w in outcome.where],
    )


def _parsed_whole(result: CheckResult, offset: int, expr: str) -> bool:
    """Whether the checked text holds ``expr`` at ``offset`` as one row that parsed: then it
    parses alone too (the same text), and :func:`parse_problem` need not parse it again."""
    end = offset + len(expr)
    rows = [r for r in result.rows if r.start < end and r.end > offset]
    return len(rows) == 1 and (rows[0].start, rows[0].end) == (offset, end) and rows[0].parsed


def diff_in_document(
    path: str | Path,
    line: int,
    wrt: str,
    layout: str = "numerator",
    budget: float = 5.0,
    hessian: bool = False,
    text: str | None = None,
    *,
    project: Project | None = None,
    folder: str | Path | None = None,
) -> DiffOutcome:
    """Differentiate the math on ``line`` (1-based) of a document (of ``project``, whose
    declarations and macros it then reads: an included section's symbols are declared in
    the main file; a notebook's lines are those of its Markdown cells joined, as texgrad
    reads them: ``reading/notebook.py``)."""
    src = read_file(path)[0] if text is None else text
    lines = src.split("\n")
    if not 1 <= line <= len(lines):
        return DiffOutcome(error=f"line {line} is outside the document (1–{len(lines)})")
    start = sum(len(x) + 1 for x in lines[: line - 1])
    end = start + len(lines[line - 1])
    outcome = _diff_text(
        src, str(path), start, wrt, layout, budget, hessian, end, project=project, folder=folder
    )
    return _spelled(outcome, differential_spelling(lines[line - 1]) or differential_spelling(src))


def diff_at(
    path: str,
    text: str,
    offset: int,
    wrt: str,
    layout: str = "numerator",
    budget: float = 5.0,
    hessian: bool = False,
    *,
    result: CheckResult | None = None,
) -> DiffOutcome:
    """Differentiate the math row at ``offset`` of a document's ``text`` (an editor buffer).

    ``result``: the document already checked (a front that keeps one, such as the
    language server); it is then neither read nor checked again.
    """
    return _diff_text(text, path, offset, wrt, layout, budget, hessian, offset + 1, result)


def warm_up() -> bool:
    """Two small differentiations, verified: pay the first-use costs of the calling
    thread (its parser tables, numpy's and scipy's paths, sympy's caches) before a
    request has to wait for them (the first differentiation otherwise takes 3–4 times
    as long).  True when both were verified."""
    where = r"A \in \mathbb{R}^{m \times n}; b \in \mathbb{R}^m; x \in \mathbb{R}^n"
    f = r"\frac{1}{2}\|A x - b\|_2^2 + \log(1 + x^\top x)"
    hessian = diff_latex(f, "x", where, hessian=True)
    gradient = diff_latex(f, "A", where)
    return hessian.verified and gradient.verified


def plans_at(
    path: str, text: str, offset: int, *, result: CheckResult | None = None
) -> list[DiffPlan]:
    """What can be differentiated at ``offset``: one plan per variable of the row's
    expression (in order of appearance), with the kind of result it will be.

    ``result``: the document already checked (then it is not checked again).
    """
    if result is None:
        try:
            result = Checker().check(path, text=text)
        except (OSError, ValueError):
            return []
    row = row_at(result, offset, offset + 1)
    if row is None or row.tree is None:
        return []
    return plans_of(row, context_at(result, row), offset)


def _diff_text(
    text: str,
    path: str,
    offset: int,
    wrt: str,
    layout: str,
    seconds: float,
    hessian: bool,
    end: int | None = None,
    result: CheckResult | None = None,
    project: Project | None = None,
    folder: str | Path | None = None,
) -> DiffOutcome:
    if layout not in ("numerator", "denominator"):
        return DiffOutcome(error=f"unknown layout `{layout}` (numerator or denominator)")
    if result is None:
        try:
            result = Checker().check(path, project, folder, text=text)
        except (OSError, ValueError) as exc:
            return DiffOutcome(error=f"cannot read {path}: {exc}")
    row = row_at(result, offset, end if end is not None else offset + 1)
    if end is not None and end > offset + 1:
        row = _row_on_line(result, offset, end, wrt) or row
    if row is None or row.tree is None:
        return DiffOutcome(error="no math to differentiate there (or it does not parse)")
    ctx = context_at(result, row)
    ctx.held_as_given = says_held(result.doc.text, row.start)  # (teacher forcing)
    # \vx as the document writes it, else as given
    in_force = lambda: _macros(path, text, project, folder)  # noqa: E731
    ctx.unit_sums = unit_vectors_stated(result.doc.text, in_force)  # one-hot: 1ᵀy = 1
    ctx.style = sigmoid_apart(ctx.style, ctx.env.vars)  # σ > 0 of its own: sigmoid(…)
    tree = statement_at(row.tree, offset, end if end is not None else offset + 1)
    tree, wrt, hessian, layout, problem = _asked(tree, text, wrt, hessian, layout, ctx, result)
    if problem:
        return DiffOutcome(error=problem)
    wrt_tree = _written_symbol(tree, text, wrt) or _variable_tree(wrt, in_force)
    inverse = inverse_of(wrt_tree) if wrt_tree is not None else None
    wrt_key = symbol_key(wrt_tree) if wrt_tree is not None else None
    _counts_apart(tree, ctx)  # \frac{m}{2} … \sum_{i=1}^m beside a bold mean \mathbf{m}
    entrywise, read = _entrywise_matrix_function(tree, ctx, result.doc.text, wrt_key)
    if entrywise and not read:  # exp(-D/2ℓ²) of a square D, "entrywise" said elsewhere
        return DiffOutcome(error=entrywise)
    with read_entrywise() if read else contextlib.nullcontext():
        square = square_of(wrt_tree) if wrt_tree is not None and inverse is None else None
        if square is not None and _by_a_square(square, ctx):  # ∂ℓ/∂σ²: by the variance
            outcome = _by_square(
                tree, text, wrt, square, ctx, result, path, project, folder, layout, seconds,
                hessian,
            )  # fmt: skip
        elif inverse is not None:  # ∂Q/∂Σ^{-1}: by the precision, Σ written as its inverse
            outcome = _by_inverse(
                tree, text, wrt, inverse, ctx, result, path, project, folder, layout, seconds,
                hessian,
            )  # fmt: skip
        else:
            outcome = _diff_by(
                tree, text, wrt, wrt_tree, ctx, result, path, project, folder, layout, seconds,
                hessian,
            )  # fmt: skip
    if read and outcome.error is None:
        outcome = replace(outcome, note=f"{outcome.note}; {_READ_ENTRYWISE}")
    if outcome.error is None:
        return outcome
    # (in the document's words, as the editor's disabled action says it: `X_{1:k}`)
    return replace(outcome, error=in_document_words(outcome.error, result, row.start, row.end))


def _by_a_square(square: t.Node, ctx: Context) -> bool:
    """Is the variable asked a square of a letter that is no name the document defines
    (σ² of an undeclared or scalar σ, not ``\\sigma^2 = \frac1n\\sum_i …``)?"""
    key = symbol_key(square)
    return key is not None and f"{key[0]}^{{2}}" not in ctx.env.functions


def _by_square(
    tree: t.Node,
    text: str,
    wrt: str,
    square: t.Node,
    ctx: Context,
    result: CheckResult,
    path: str,
    project: Project | None,
    folder: str | Path | None,
    layout: str,
    seconds: float,
    hessian: bool,
) -> DiffOutcome:
    r"""The derivative by ``\sigma^2`` (``wrt``) of a row written with σ², σ⁴: by a stand-in
    for the variance, printed back (see :mod:`texgrad.calculus.square_variable`)."""
    key = symbol_key(square)
    written = text[square.start : square.end].strip() if square.end <= len(text) else ""
    if not written or written not in wrt:
        written = written_latex(square)
    if hessian or key is None:
        return DiffOutcome(error=f"the Hessian by `{wrt}` is not given yet")
    stand_in = square_stand_in(ctx.env, key[0])
    rewritten = with_square(tree, key[0]) if stand_in is not None else None
    if stand_in is None or rewritten is None:
        return DiffOutcome(
            error=f"`{wrt}` is differentiated where the row writes `{written}` only squared "
            f"(`{written}^2`, `{written}^4`): here it writes `{written}` otherwise"
        )
    letter = t.Symbol(name=SQUARE_STAND_IN, font=None, accents=())
    outcome = _diff_by(
        rewritten, text, SQUARE_STAND_IN, letter, ctx, result, path, project, folder, layout,
        seconds, False,
    )  # fmt: skip
    return square_back(outcome, written, wrt)


def _by_inverse(
    tree: t.Node,
    text: str,
    wrt: str,
    inverse: t.Node,
    ctx: Context,
    result: CheckResult,
    path: str,
    project: Project | None,
    folder: str | Path | None,
    layout: str,
    seconds: float,
    hessian: bool,
) -> DiffOutcome:
    r"""The derivative by ``X^{-1}`` (``wrt``) of a row written with ``X`` (``inverse``): by
    a stand-in for the inverse, printed back (see :mod:`texgrad.calculus.inverse_variable`)."""
    key = symbol_key(inverse)
    written = text[inverse.start : inverse.end].strip() if inverse.end <= len(text) else ""
    if not written or text[inverse.start : inverse.end] not in wrt:
        written = written_latex(inverse)
    if hessian or key is None:
        return DiffOutcome(error=f"the Hessian by `{wrt}` is not given yet")
    own = {id(n) for n in tree.walk()}
    for node in _through_definitions(tree, ctx):  # S = Σ + λI used in the row: S changes too
        k = (
            symbol_key(node)
            if id(node) not in own and isinstance(node, (t.Symbol, t.Sub))
            else None
        )
        if k is not None and k[0] == key[0]:
            return DiffOutcome(
                error=f"a name the row uses is defined through `{written}`: the derivative by "
                f"`{wrt}` through definitions is not taken yet — write them out in the row"
            )
    stand_in = declare_stand_in(ctx.env, key[0])
    rewritten = with_stand_in(tree, key[0]) if stand_in is not None else None
    if stand_in is None or rewritten is None:
        return DiffOutcome(error=f"`{wrt}` is not a symbol to differentiate with respect to")
    letter = t.Symbol(name=STAND_IN, font=None, accents=())
    outcome = _diff_by(
        rewritten, text, STAND_IN, letter, ctx, result, path, project, folder, layout,
        seconds, False,
    )  # fmt: skip
    return outcome_back(outcome, written, wrt)


def _diff_by(
    tree: t.Node,
    text: str,
    wrt: str,
    wrt_tree: t.Node | None,
    ctx: Context,
    result: CheckResult,
    path: str,
    project: Project | None,
    folder: str | Path | None,
    layout: str,
    seconds: float,
    hessian: bool,
) -> DiffOutcome:
    key = member_key(wrt_tree) if wrt_tree is not None else None
    if key is None or wrt_tree is None:
        return DiffOutcome(error=f"`{wrt}` is not a symbol to differentiate with respect to")
    key = _plain_apart(wrt_tree, key, ctx)
    entry = _entry_of(wrt_tree, wrt, ctx)
    if entry is not None:  # a_{ij}: an entry of a declared A (the component-wise method)
        outcome = differentiate(tree, entry[0], ctx, layout, Budget(seconds), hessian, entry[1])
        indexed = written_with_indices(tree, ctx.env, ctx.einstein)
        return _index_form(outcome, tree, text) if indexed else outcome
    _as_variable(wrt_tree, key[0], ctx)
    with_fixed_entries(tree, ctx.env, key[0])  # r_{ui} of ℓ_{ui} = …: a number, u and i fixed
    if key[0] not in ctx.env.vars:  # with a declaration that fits its use in the row
        return DiffOutcome(error=unknown_shape(tree, UnknownShape(wrt_tree, wrt), ctx.env))
    ctx.style.symbols.setdefault(key[0], wrt)
    # \sum_{l=2}^L \|U^{(l)} - U^{(l-1)}\|_F^2 by U^{(l)}: the terms l and l + 1, and the ends
    shifted = shifted_member(tree, key[0], wrt_tree, text, set(ctx.env.functions))
    if shifted is not None:
        run = lambda loss: _diff_by_term(  # noqa: E731
            loss, text, key[0], wrt, _copied(ctx), result, path, project, folder, layout,
            seconds, hessian,
        )  # fmt: skip
        by_terms = _shifted_outcome(shifted, tree, key[0], ctx, run)
        if by_terms is not None:
            return by_terms
    # \sum_i \log\sum_j \pi_j \exp(…\boldsymbol\mu_j…) by \boldsymbol\mu_k: a mixture's term k
    nested = (
        None
        if hessian
        else differentiate_nested(
            tree, key[0], wrt_tree, _copied(ctx), text, Budget(seconds), layout
        )
    )
    if nested is not None and nested.error is None:
        return nested  # (else the other readings, and their words)
    try:  # \frac{\lambda}{2}\sum_l \|W^{(l)}\|_F^2 by W^{(l)}: only its own term
        term, member_note = one_member(
            tree, key[0], wrt_tree, ctx.style.symbols[key[0]], text, set(ctx.env.functions)
        )
    except CalculusError as exc:
        return DiffOutcome(error=str(exc))
    if member_note:
        outcome = _diff_by_term(
            term, text, key[0], wrt, _copied(ctx), result, path, project, folder, layout, seconds,
            hessian,
        )  # fmt: skip
        if outcome.error is None and outcome.verified:
            return _with_member_note(outcome, member_note)
    # \sum_{(i,j) \in \Omega} (\mathbf u_i^\top\mathbf v_j - r_{ij})^2 by u_i: over j : (i,j) ∈ Ω
    set_sum = over_a_set(tree, key[0], wrt_tree, text, set(ctx.env.vars), set(ctx.env.functions))
    if set_sum is None:  # a minibatch: \sum_{i \in \mathcal B} by w
        set_sum = over_an_index_set(tree, text, wrt_tree)
    if set_sum is not None:
        over = _over_the_set(
            set_sum, key[0], wrt, ctx, result, path, project, folder, layout, seconds, hessian
        )
        if over is not None:
            return over
    # (else as the sum reads it: a sample x_i beside y_i of y ∈ ℝ^N is refused in its words)
    return _diff_by_term(
        tree, text, key[0], wrt, ctx, result, path, project, folder, layout, seconds, hessian
    )


def _over_the_set(
    set_sum: SetSum,
    key: str,
    wrt: str,
    ctx: Context,
    result: CheckResult,
    path: str,
    project: Project | None,
    folder: str | Path | None,
    layout: str,
    seconds: float,
    hessian: bool,
) -> DiffOutcome | None:
    r"""The derivative of a sum over a set's pairs by a member labelled by one index, as a
    sum over the other (``\sum_{j : (i,j) \in \Omega}``), verified as a sum over j with
    every member sampled; None where it is not verified (then the sum's own words)."""
    local = _copied(ctx)
    for entry, latex in set_sum.entries:  # r_{ij}: one observed number per pair
        local.env.vars[entry] = VarInfo(entry, SCALAR, latex)
        local.style.symbols.setdefault(entry, latex)
    outcome = _diff_by_term(
        set_sum.tree, set_sum.text, key, wrt, local, result, path, project, folder, layout,
        seconds, hessian,
    )  # fmt: skip
    if outcome.error is not None or not outcome.verified or set_sum.head not in outcome.result:
        return None
    back = set_sum.back
    outcome.result, outcome.differential = back(outcome.result), back(outcome.differential)
    outcome.steps = [back(x) for x in outcome.steps]
    outcome.function = back(outcome.function)
    outcome.matrix_form = outcome.matrix_numpy = ""
    outcome.numpy, outcome.numpy_note = "", "not written for a sum over the members of a set"
    outcome.note += set_sum.note or (
        f"; of the pairs summed over, only those of `{set_sum.written}` involve `{wrt}`: "
        "checked as that sum, every member sampled"
    )
    return outcome


def _copied(ctx: Context) -> Context:
    """``ctx`` with its tables copied: what one attempt declares is not seen by the next."""
    env = replace(
        ctx.env,
        vars=dict(ctx.env.vars),
        functions=dict(ctx.env.functions),
        numbers=set(ctx.env.numbers),
        weak=set(ctx.env.weak),
    )
    return replace(ctx, env=env, style=copy_style(ctx.style), unit_sums=dict(ctx.unit_sums))


def _shifted_outcome(
    shifted: Shifted, row: t.Node, key: str, ctx: Context, run: Callable[[t.Node], DiffOutcome]
) -> DiffOutcome | None:
    r"""The derivative by a member a sum holds shifted too (:class:`Shifted`): the terms that
    involve it added (``2(U^{(l)} - U^{(l-1)}) - 2(U^{(l+1)} - U^{(l)})`` for ``2 \le l \le
    L - 1``), each end of the family's range stated with its own terms, every one verified;
    None where any is not (then the sum's own words)."""
    for name, written in shifted.names:
        ctx.style.symbols.setdefault(name, written)
    outcome = run(shifted.inner)
    if outcome.error is not None or not outcome.verified:
        return None
    ends: list[str] = []
    formulas: dict[str, str] = {}
    for said, value, loss in shifted.ends:
        end = run(loss)
        if end.error is not None or not end.verified:
            return None
        formulas[said] = at_label(end.result, shifted.label, value)
        ends.append(f"at ${shifted.label} = {said}$: ${formulas[said]}$")

    def shown(label: int, last: int) -> t.Node | None:
        for said, value, _ in shifted.ends:
            if value.subs({s: last for s in value.free_symbols}) == label:
                return parse_row(MappedText.identity(formulas[said])).tree
        return parse_row(MappedText.identity(outcome.result)).tree

    ok, checked = check_shifted(row, shifted, key, ctx.env, shown)
    if not ok:
        return DiffOutcome(error=f"the derivative by a member the sum holds shifted: {checked}")
    where = (
        f"for ${shifted.inside}$ (`{outcome.wrt}` is in the terms {shifted.terms} of "
        f"`{shifted.said}`, added); " + "; ".join(ends)
    )
    outcome.note = f"{outcome.note}; {checked}; {where}" if outcome.note else where
    outcome.steps.append(f"\\text{{{where.replace('`', '$')}}}")
    return outcome


def _with_member_note(outcome: DiffOutcome, note: str) -> DiffOutcome:
    """The outcome of the one term of a sum that involves the member, saying so."""
    if outcome.error is None:
        outcome.note = f"{outcome.note}; {note}" if outcome.note else note
        said = f"\\quad \\text{{({note.replace('`', '$')})}}"
        if outcome.steps and outcome.steps[0].startswith("f = "):  # f = its term + the rest
            whole = any(s in outcome.steps[0] for s in re.findall(r"`(\\sum[^`]*)`", note))
            outcome.steps[0] += f" {said}" if whole else f" + \\dots {said}"
        else:
            outcome.steps.insert(0, said.removeprefix("\\quad "))
    return outcome


def _counts_apart(tree: t.Node, ctx: Context) -> None:
    r"""A plain letter the row sums up to (``\sum_{i=1}^{m}``) is a count, a number, even where
    the document declares the same letter in bold as an array (the batch's mean
    ``\mathbf{m} \in \mathbb{R}^p``): the plain one is held apart (``lower.plain_key``)."""
    for node in tree.walk():
        if not (isinstance(node, t.BigOp) and isinstance(node.upper, t.Symbol)):
            continue
        bound = node.upper
        info = ctx.env.vars.get(bound.name)
        if bound.font is not None or bound.accents or info is None or info.shape.is_scalar:
            continue
        if info.latex.strip() != bound.name and info.latex.strip().startswith("\\"):
            ctx.env.weak.add(bound.name)  # (the bold one is written \mathbf{m}, not m)
            _held_apart(bound.name, ctx)


def _plain_apart(
    wrt_tree: t.Node, key: tuple[str, str | None], ctx: Context
) -> tuple[str, str | None]:
    r"""The key of the variable: a plain ``\sigma`` the text compares with 0 beside a declared
    bold ``\boldsymbol\sigma`` array is a number of its own (``lower.plain_key``)."""
    info = ctx.env.vars.get(key[0])
    if not (isinstance(wrt_tree, t.Symbol) and wrt_tree.font is None and not wrt_tree.accents):
        return key
    if info is None or info.shape.is_scalar or key[0] not in ctx.env.weak:
        return key
    plain = _held_apart(wrt_tree.name, ctx)
    ctx.style.symbols.setdefault(plain, wrt_tree.name)
    return plain, None


def _held_apart(name: str, ctx: Context) -> str:
    """The key of the plain letter ``name`` held apart from its bold array, a number in
    ``ctx`` (``lower.plain_key``)."""
    plain = plain_key(name)
    ctx.env.vars.setdefault(plain, VarInfo(plain, SCALAR, name))
    return plain


def _diff_by_term(
    tree: t.Node,
    text: str,
    key: str,
    wrt: str,
    ctx: Context,
    result: CheckResult,
    path: str,
    project: Project | None,
    folder: str | Path | None,
    layout: str,
    seconds: float,
    hessian: bool,
) -> DiffOutcome:
    """:func:`_diff_by` once the variable is a declared symbol (``key``)."""
    in_force = lambda: _macros(path, text, project, folder)  # noqa: E731
    tree = _rows_as_matrix(tree, key, result.table.stacks, ctx)  # Σ_k exp(w_kᵀx): 1ᵀexp(Wx)
    through = _rows_as_unit_vectors(tree, key, result.table.stacks, ctx, wrt)
    if not through and (stacked := _stacked_in(tree, key, result.table.stacks, ctx, wrt)):
        return DiffOutcome(error=stacked)
    tree, text = _defined_sums_in(tree, ctx, text, in_force)  # E(w) = \sum_i …: E's sum
    ctx = held_sums(tree, key, ctx)  # S = \sum_n …, by Σ: a constant matrix
    summed = _over_samples(
        tree, key, ctx, text, in_force, Budget(seconds), layout, hessian, result.table.stacks
    )
    if summed is not None:  # \sum_i (w^T x_i - y_i)^2: a loss over samples
        return _members_named(_through_time(summed, tree, key, ctx, result), tree, key, wrt)
    outcome = differentiate(tree, key, ctx, layout, Budget(seconds), hessian)
    if outcome.error == CONSTANT:  # ℓ_t = ½‖h_t - y_t‖² by W, h_t = tanh(W h_{t-1} + …)
        outcome = _members_named(_through_time(outcome, tree, key, ctx, result), tree, key, wrt)
    outcome.note += "".join(f"; {n}" for n in through) if outcome.error is None else ""  # e_t
    if written_with_indices(tree, ctx.env, ctx.einstein):
        return _index_form(outcome, tree, text)
    outcome = in_own_name(outcome, tree, text)  # s = softmax(z): diag(s) - s sᵀ, no t_0
    # a = softmax(…) defined before: a, no u_0
    outcome = in_defined_names(outcome, ctx.env.functions, ctx.style.symbols)
    if outcome.error is None and outcome.verified and calls(tree, ctx):  # k(x, z), by name
        macros = _macros(path, text, project, folder)
        return _in_function_names(outcome, tree, ctx, text, macros)
    return outcome


def _members_named(outcome: DiffOutcome, tree: t.Node, wrt: str, written: str) -> DiffOutcome:
    r"""No "its derivative is 0" by a matrix ``U`` whose lower-case members the row names
    (``\mathbf{u}_i``) when the text does not say they are its rows (so they were read as
    other variables): they may well be; refused in those words instead."""
    if outcome.error != CONSTANT or "_{" in wrt or not wrt.isalpha() or len(wrt) != 1:
        return outcome
    for node in tree.walk():
        base = symbol_key(node.base) if isinstance(node, t.Sub) else None
        if base is not None and base[0] in (wrt.lower(), wrt.upper()) and base[0] != wrt:
            member = written_latex(node)
            return DiffOutcome(
                error=f"the row names `{written}` only through `{member}`: if the "
                f'`{member}` are the rows or columns of `{written}`, say so ("the '
                f'${member}^\\top$ are the rows of ${written}$") or differentiate by '
                f"`{member}`; the derivative is not given as 0"
            )
    return outcome


def _over_samples(
    tree: t.Node,
    wrt: str,
    ctx: Context,
    text: str,
    macros: Callable[[], MacroTable],
    budget: Budget,
    layout: str,
    hessian: bool,
    stacks: dict[str, tuple[str, str]],
) -> DiffOutcome | None:
    r"""The derivative of a loss summed over samples (``tree``, or ``tree`` with a name it
    uses written in as the sum that defines it, where it involves ``wrt``: the scatter
    matrix in ``\operatorname{tr}(\Sigma^{-1}S)`` by μ); None where ``tree`` is not one."""
    try:
        written_in = summed_out(tree, wrt, ctx, text, macros)
    except CalculusError as exc:
        return DiffOutcome(error=str(exc))
    if written_in is None and not is_sample_sum(tree, ctx.env):
        return None
    tree, text = written_in or (tree, text)
    if hessian:
        return hessian_of_sum(tree, wrt, ctx, text, budget, macros())
    out = differentiate_sum(tree, wrt, ctx, text, budget, layout, stacks, macros=macros())
    if out.error is not None and written_in is None and _entries_instead(out.error, wrt, ctx):
        # -\sum_k y_k \log p_k, p = softmax(z): a sum over the entries of vectors, read
        # entrywise as a whole (yᵀ log p) with p's definition written in
        whole = differentiate(tree, wrt, ctx, layout, budget, hessian)
        checked = DEFINED_ENTRIES in out.error or _UNREAD not in whole.note  # (the reading)
        if whole.error is None and whole.verified and checked:
            return whole
    if out.error is not None and out.error.startswith(VECTOR_SUMS):  # ‖Σᵢ vᵢ‖²
        whole = differentiate_vector_sum(tree, wrt, ctx, text, budget, layout, macros())
        return whole if whole.error is None else out
    return out


_UNREAD = "the formula as written was not evaluated independently"


def _entries_instead(error: str, wrt: str, ctx: Context) -> bool:
    r"""Whether a sum refused as a sum over samples is tried as one over entries: a sum over
    the entries of a vector defined through the variable, or one by a declared vector whose
    letter the sum indexes (``\sum_i y_i \log p_i`` by p ∈ ℝⁿ: p_i is its entry, not a
    sample; ``\sum_i A_{ii} x_i`` by A, whose x_i read as samples fails; the index reading
    is kept only where it is verified and the formula as written,
    evaluated on its own, agrees with it: ``\mathbf{x}_i`` declared beside it is a sample)."""
    if DEFINED_ENTRIES in error:
        return True
    info = ctx.env.vars.get(wrt)
    if info is None or info.shape.is_scalar:
        return False
    # \sum_i A_{ii} x_i by A: x_i of x ∈ ℝⁿ read as a sample fails; as x's entry it is xᵀdiag(A)
    return SUMMED_OVER in error or info.shape.cols != ONE


def _through_time(
    outcome: DiffOutcome, tree: t.Node, wrt: str, ctx: Context, result: CheckResult
) -> DiffOutcome:
    r"""A loss over states ``\mathbf{h}_t`` that a recurrence involving ``wrt`` defines (the
    states declared, so read as given): refused in words where the loss involves ``wrt``
    only through them (never "0"), else the result's note says the states are held."""
    if outcome.error is not None and outcome.error != CONSTANT:
        return outcome
    trees = [r.tree_as_parsed for r in (*result.rows, *result.elsewhere)]
    member = recurrence_of(tree, wrt, [x for x in trees if x is not None and x is not tree])
    if member is None:
        return outcome
    w = ctx.style.symbols.get(wrt, wrt)
    if outcome.error is not None:
        return DiffOutcome(error=through_time(member, w))
    if "as the text says" not in outcome.note:  # (unless the text held them already)
        outcome.note += f"; {held_note(member, w)}"
    return outcome


def _defined_sums_in(
    tree: t.Node, ctx: Context, text: str, macros: Callable[[], MacroTable]
) -> tuple[t.Node, str]:
    r"""The row ``tree`` (at its offsets in ``text``) with the losses it names that the
    document defines by sums over samples written in, and its text: the row ``E(\mathbf w)``
    as that sum, a term ``E(\mathbf w)`` of ``E(\mathbf w) + \frac{\alpha}{2}\mathbf
    w^\top\mathbf w`` as its sum (:func:`terms_written_in`)."""
    tree = _defined_sum(tree, ctx)
    written_in = terms_written_in(tree, ctx, text, macros)
    return written_in if written_in is not None else (tree, text)


def _defined_sum(tree: t.Node, ctx: Context) -> t.Node:
    r"""The definition of the loss ``tree`` names (``E`` or ``E(\mathbf{w})`` of
    ``E(\mathbf{w}) = \sum_{i=1}^n (y_i - \mathbf{w}^\top\mathbf{x}_i)^2``, each argument
    its parameter as written) where that definition is a sum over samples; else ``tree``."""
    if isinstance(tree, t.Apply):
        head, args = tree.func, tree.args
    elif isinstance(tree, t.Symbol | t.Sub):
        head, args = tree, ()
    else:
        return tree
    key = symbol_key(head)
    fdef = ctx.env.functions.get(key[0]) if key is not None else None
    if fdef is None or key is None or key[0] in ctx.env.vars:
        return tree
    keys = tuple(k[0] if (k := symbol_key(a)) is not None else "" for a in args)
    if args and keys != fdef.params:
        return tree
    return fdef.body if is_sample_sum(fdef.body, ctx.env) else tree


def _in_function_names(
    outcome: DiffOutcome, tree: t.Node, ctx: Context, text: str, macros: MacroTable
) -> DiffOutcome:
    result = in_function_names(outcome.result, tree, ctx, text, macros)
    if result != outcome.result:
        outcome.steps = [s.replace(outcome.result, result) for s in outcome.steps]
        outcome.result = result
    return outcome


def _as_variable(wrt_tree: t.Node, key: str, ctx: Context) -> None:
    """Make the variable ``key`` known to ``ctx`` where the row implies its shape."""
    member = as_member(wrt_tree) if key not in ctx.env.vars else None
    if member is not None:  # h_{t-1} of h_t, W^{(l+1)} of W^{(l)}: a variable of its own
        Lowerer(ctx.env).member(member)
    if key not in ctx.env.vars:
        _held_as_variable(key, ctx)
    if key not in ctx.env.vars and (like := Lowerer(ctx.env).like_its_family(key)) is not None:
        ctx.env.vars[key] = like  # h_{t-1} of h_0, …, h_T ∈ ℝ^H: a member like the listed


def _stacked_in(
    tree: t.Node, wrt: str, stacks: dict[str, tuple[str, str]], ctx: Context, written: str
) -> str:
    r"""Why ``tree`` cannot be differentiated by the matrix ``wrt`` whose rows or columns the
    document says its family's members are (``\mathbf{v}_t`` of "the $\mathbf{v}_j^\top$
    are the rows of $V$", by V: the members would be held fixed); "" where none is."""
    letter = wrt.partition("_{")[0]
    for k, (matrix, part) in stacks.items():  # by v_t, with V in the row: V holds it too
        if k.partition("_{")[0] == letter and "_{" in wrt and _names(tree, matrix):
            return (
                f"`{written}` is a {part} of `{ctx.style.symbols.get(matrix, matrix)}` (the "
                f"document says the `{ctx.style.symbols.get(k, k)}` are its {part}s), which "
                f"the row uses too: differentiating through it is not done yet"
            )
    families = {k: part for k, (m, part) in stacks.items() if m == wrt}
    if not families:
        return ""
    for node in _through_definitions(tree, ctx):
        base = symbol_key(node.base) if isinstance(node, t.Sub) else None
        if base is None or base[0] == wrt:
            continue
        for k, part in families.items():
            if k.startswith(base[0] + "_{"):
                member = written_latex(node)
                family = ctx.style.symbols.get(k, k)
                return (
                    f"`{member}` is a {part} of `{written}` (the document says the "
                    f"`{family}` are its {part}s): differentiating with respect to "
                    f"`{written}` through its {part}s is not done yet"
                )
    return ""


_SAYS_ENTRYWISE = re.compile(r"\b(?:entry|element)[- ]?wise\b|\b(?:each|every) entry\b", re.I)


_READ_ENTRYWISE = "functions of a square matrix read entrywise, as the document says"
# how far before a function of a square matrix the document says "entrywise" of it: the
# sentence that introduces its display ("the Gram matrix is, entrywise,")
_SAID_WITHIN = 160


def _entrywise_matrix_function(
    tree: t.Node, ctx: Context, text: str, wrt: tuple[str, str | None] | None
) -> tuple[str, bool]:
    r"""Why the row cannot be read where it (or a definition it uses) applies ``\exp``,
    ``\log``, ``\sin``, ``\cos`` or ``\sqrt`` to a square matrix — the matrix function —
    while the document says functions apply entrywise (a Gram matrix
    ``K = \sigma_f^2\exp(-D/2\ell^2)``, "entrywise"): either reading would be a guess,
    and the wrong one a wrong derivative; "" where there is no such function.  With it,
    whether the document says "entrywise" right before each such function (in the sentence
    that introduces its display): then it is read entrywise.  Returns why, and whether it
    is read entrywise: also where every such function is of a constant (``s\exp(-D/2\ell^2)
    + e^{\rho}I`` by ρ), whose answer is written alike either way — read as the document
    says, its values are the document's (the matrix exponential of a distance matrix's
    negative, huge, left finite differences no digits)."""
    if wrt is None or not _SAYS_ENTRYWISE.search(text):
        return "", False
    lowerer = Lowerer(ctx.env)
    why, near, constant = "", True, False
    for node in _through_definitions(tree, ctx):
        if not (isinstance(node, t.Apply) and isinstance(node.func, t.Func)):
            continue
        if node.func.name.lstrip("\\") not in MATRIX_FUNCTION_NAMES or len(node.args) != 1:
            continue
        inside = {symbol_key(n) for n in _through_definitions(node.args[0], ctx)}
        varies = any(k is not None and k[0] == wrt[0] for k in inside)
        try:
            x = lowerer.lower(node.args[0])
        except (CalculusError, RecursionError):
            continue
        if not (isinstance(x, e.Expr) and not x.is_scalar and x.cols != ONE and x.rows == x.cols):
            continue
        near = near and _said_just_before(text, node)  # (a constant too: read as said)
        constant = constant or not varies
        if varies:  # (of a constant, either reading gives the same answer, written alike)
            written = latex_of(node)
            why = why or (
                f"`{written}` applies `{latex_of(node.func)}` to a square matrix, which is read "
                "as the matrix function, but the document says functions apply entrywise: "
                "write the entries (`K_{ij} = …`) or a function the document defines"
            )
    return why, (near and bool(why)) or (constant and not why)


def _said_just_before(text: str, node: t.Apply) -> bool:
    """Whether "entrywise" is said in the text just before ``node`` (a node of this text:
    its span spells its function), with no paragraph break but a display's between."""
    name = latex_of(node.func).lstrip("\\")
    if not (0 <= node.start < node.end <= len(text)) or name not in text[node.start : node.end]:
        return False
    lo = max(0, node.start - _SAID_WITHIN)
    said = list(_SAYS_ENTRYWISE.finditer(text, lo, node.start))
    if not said:
        return False
    between = text[said[-1].end() : node.start]
    return not re.search(r"\n\s*\n(?!\s*(?:\$\$|\\\[|\\begin\{))", between) and "." not in between


def _through_definitions(tree: t.Node, ctx: Context) -> Iterator[t.Node]:
    r"""The nodes of ``tree`` and of the definitions of the names it uses, theirs in turn
    (``\hat\Sigma = \frac1N S`` of ``S = \sum_i (\mathbf x_i - \boldsymbol\mu)(…)^\top``: the
    members S is written in)."""
    seen: set[str] = set()
    todo = [tree]
    if isinstance(tree, t.Chain) and tree.relations and tree.relations[0] == "=":
        todo = [i for i in tree.items[1:] if i is not None]  # (not the name it defines)
    while todo:
        for node in todo.pop().walk():
            yield node
            key = symbol_key(node) if isinstance(node, (t.Symbol, t.Sub, t.Font)) else None
            fdef = ctx.env.functions.get(key[0]) if key is not None else None
            if fdef is not None and key is not None and key[0] not in seen and len(seen) < 64:
                seen.add(key[0])
                todo.append(fdef.body)


def _rows_as_matrix(
    tree: t.Node, wrt: str, stacks: dict[str, tuple[str, str]], ctx: Context
) -> t.Node:
    r"""``tree`` with each sum over every row of the matrix ``wrt`` (the document says the
    ``\mathbf{w}_k^\top`` are its rows) written with the matrix (see
    :mod:`texgrad.calculus.row_sums`); ``tree`` itself where there is none."""
    letters = {
        k.partition("_{")[0] for k, (m, part) in stacks.items() if m == wrt and part == "row"
    }
    info = ctx.env.vars.get(wrt)
    if not letters or info is None or info.shape.cols == ONE:
        return tree
    written = parse_row(MappedText.identity(ctx.style.symbols.get(wrt, wrt))).tree
    key = symbol_key(written) if written is not None else None
    if written is None or key is None or key[0] != wrt:
        return tree
    return rows_summed(tree, wrt, info.shape.rows, letters, written) or tree


def _rows_as_unit_vectors(
    tree: t.Node, wrt: str, stacks: dict[str, tuple[str, str]], ctx: Context, written: str
) -> list[str]:
    r"""By the matrix ``wrt`` that stacks a family as rows ("the $\mathbf{v}_j^\top$ are the
    rows of $V$"), each member the row names (``\mathbf{v}_t``) defined as ``V^\top
    \mathbf{e}_t``, ``\mathbf{e}_t`` a unit vector (``v_t`` is then a name the derivative
    goes through, and ``e_t`` a vector of V's rows the result holds: verified for any
    vector, as the chain rule holds for any); what each ``e_t`` is, one note each ([] where
    no member is read so, or a unit vector's letter is taken)."""
    families = {k for k, (m, part) in stacks.items() if m == wrt and part == "row"}
    info = ctx.env.vars.get(wrt)
    if not families or info is None or info.shape.cols == ONE:
        return []
    notes: list[str] = []
    for node in tree.walk():
        if not isinstance(node, t.Sub) or (k := symbol_key(node)) is None:
            continue
        base = symbol_key(node.base)
        if base is None or base[0] == wrt or k[0] in ctx.env.functions:
            continue
        if not any(f.startswith(base[0] + "_{") for f in families):
            continue
        label = latex_of(node.index)
        unit = f"\\mathbf{{e}}_{{{label}}}"
        unit_tree = parse_row(MappedText.identity(unit)).tree
        unit_key = symbol_key(unit_tree) if unit_tree is not None else None
        value = parse_row(MappedText.identity(f"{written}^\\top {unit}")).tree
        if unit_key is None or value is None or "e" in ctx.env.vars or unit_key[0] in ctx.env.vars:
            return []
        ctx.env.vars[unit_key[0]] = VarInfo(unit_key[0], Shape(info.shape.rows, ONE), unit)
        ctx.style.symbols.setdefault(unit_key[0], unit)
        ctx.env.vars.pop(k[0], None)
        ctx.env.functions[k[0]] = FunctionDef(k[0], (), value)
        member = written_latex(node)
        notes.append(
            f"{unit} is the unit vector of row {label} ({member} = {written}^\\top {unit}, the "
            f"document's {member} being a row of {written})"
        )
    return notes


def _names(tree: t.Node, key: str) -> bool:
    """Whether ``tree`` names the symbol ``key`` itself (not a member of its family)."""
    return any((k := symbol_key(n)) is not None and k[0] == key for n in tree.walk())


_NO_VARIABLE = (
    "say with respect to what (`--wrt`), or write the derivative asked for "
    "(e.g. `\\frac{\\partial f}{\\partial x}`)"
)


def _asked(
    tree: t.Node, text: str, wrt: str, hessian: bool, layout: str, ctx: Context,
    result: CheckResult | None = None,
) -> tuple[t.Node, str, bool, str, str]:  # fmt: skip
    """What a row asks to differentiate, by what, whether twice, in which layout, and why
    it cannot be answered (""): a derivative written to be computed
    (``\\frac{\\partial f}{\\partial X}``, ``\\nabla_x f``, ``\\mathrm{d}(X^{-1})``) says it
    itself (``wrt``, if given, must be its variable), in the layout its document states."""
    given = parse_row(MappedText.identity(wrt)).tree if wrt.strip() else None
    # ∂f/∂X = …: the derivative the row writes (--wrt X: by that X), as the plans read it
    request = row_request(tree, _key_of(given) if wrt.strip() else None)
    stated = stated_jacobian(tree, ctx) if request is None else None
    if stated is not None:  # J_g(x) = A x: a claim of g's derivative, not a function J_g
        return tree, wrt, hessian, layout, stated_jacobian_reason(stated, text)
    if request is None and not wrt.strip():  # E(w) = …: by its one parameter
        wrt = _parameter_of(tree, text, ctx)
    if request is None:
        return tree, wrt, hessian, layout, "" if wrt.strip() else _NO_VARIABLE
    if request.problem == NO_VARIABLE_SAID and request.body is not None and not wrt.strip():
        argument = _applied_argument(request.body, ctx)  # ∇²(ℓ(β) + λ/2‖β‖²): by β
        argument = argument or _summed_variable(request.body, ctx)  # ∇² \sum_i …(w, x_i)
        request = replace(request, wrt=argument, problem=None) if argument else request
    inner = request.body
    if isinstance(inner, t.Paren) and inner.open.endswith("(") and inner.body is not None:
        request = replace(request, body=inner.body)  # ∇²(ℓ(β) + …): of its terms, as written
    wrt, problem = resolved(request, text, wrt, given)
    if problem or request.body is None:
        return tree, wrt, hessian, layout, problem
    body = request.body
    if request.differential:
        if not wrt:
            wrt, problem = differential_variable(request, text, set(ctx.env.vars) - ctx.env.numbers)
        problem = problem or _not_a_matrix(body, request, text, ctx)
    named = symbol_key(body)  # \frac{\partial f}{\partial x} of f(x) = …: f(x)
    defined = ctx.env.functions.get(named[0]) if named is not None else None
    body = applied(body, defined.params if defined is not None else None, request.wrt)
    layout = _layout_at(text, request.node, result) or layout
    return body, wrt, hessian or request.hessian, layout, problem


def _applied_argument(body: t.Node, ctx: Context) -> t.Node | None:
    r"""The one argument, as written, of the functions of one parameter the document
    defines that ``body`` applies (``\boldsymbol\beta`` of ``\ell(\boldsymbol\beta) +
    \frac{\lambda}{2}\|\boldsymbol\beta\|^2``), where it is a declared variable: a ∇
    without subscript of ``body`` is by it.  None where another function is applied, to
    another argument, or none is."""
    found: dict[str, t.Node] = {}
    for node in body.walk():
        if not isinstance(node, t.Apply) or isinstance(node.func, t.Func):
            continue
        head = symbol_key(node.func)
        fdef = ctx.env.functions.get(head[0]) if head is not None else None
        arg = member_key(node.args[0]) if len(node.args) == 1 else None
        if fdef is None or len(fdef.params) != 1 or arg is None:
            return None
        found.setdefault(arg[0], node.args[0])
    if len(found) != 1:
        return None
    key, argument = next(iter(found.items()))
    return argument if key in ctx.env.vars and key not in ctx.env.numbers else None


def _summed_variable(body: t.Node, ctx: Context) -> t.Node | None:
    r"""The one declared variable, as written, of a loss summed over samples (``\mathbf w``
    of ``\sum_i \log(1 + \exp(-y_i\mathbf w^\top\mathbf x_i))``: the members summed over
    and the numbers are not variables): a ∇ without subscript of ``body`` is by it.  None
    where ``body`` is no such sum, or has no or several variables."""
    try:
        if not is_sample_sum(body, ctx.env):
            return None
        found = sum_variables(body, ctx.env)
    except CalculusError:
        return None
    if len(found) != 1:
        return None
    return next((n for n in body.walk() if (k := member_key(n)) and k[0] == found[0]), None)


def _parameter_of(tree: t.Node, text: str, ctx: Context) -> str:
    r"""The one argument of the function a row defines, as written (``\mathbf w`` of
    ``E(\mathbf w) = \frac12\sum_n …``), where it is a declared variable; "" otherwise."""
    if not (isinstance(tree, t.Chain) and tree.relations and tree.relations[0] in ("=", ":=")):
        return ""
    head, arg = tree.items[0], None
    if isinstance(head, t.Apply) and len(head.args) == 1:
        arg = head.args[0]
    elif (  # E(\mathbf w), E not known as a function when parsed: a product
        isinstance(head, t.Product)
        and len(head.factors) == 2
        and isinstance(head.factors[0], t.Symbol)
        and isinstance(head.factors[1], t.Paren)
        and head.factors[1].open == "("
    ):
        arg = head.factors[1].body
    key = symbol_key(arg) if arg is not None and len(tree.items) == 2 else None
    if arg is None or key is None or key[0] not in ctx.env.vars or key[0] in ctx.env.numbers:
        return ""
    return text[arg.start : arg.end].strip()


def _layout_at(text: str, node: t.Node, result: CheckResult | None = None) -> str | None:
    """The layout the document states for a request (where it stands: a statement before
    it, or the one its own sentence names), as for the derivatives it writes — a statement
    of the project's files read before it (``result``'s project: the root's "We use
    denominator layout" before ``\\input{chapters/grad}``) included."""
    own = sentence_layouts(text, node.start, node.end)
    if len(own) == 1:
        return next(iter(own))
    said = stated_in(result.path, text, result.project_texts) if result else statements(text)
    return layout_in_force(text, node.start, said)


def _key_of(node: t.Node | None) -> str:
    key = member_key(node) if node is not None else None
    return key[0] if key is not None else ""


def _not_a_matrix(body: t.Node, request: Request, text: str, ctx: Context) -> str:
    """Why ``\\mathrm{d}(…)`` is not answered ("" where it is): its value is a scalar or a
    vector, whose derivative is asked as a gradient or a Jacobian."""
    try:
        value = Lowerer(ctx.env).lower(body)
    except CalculusError:
        return ""  # differentiating it says why
    if value.cols != ONE:
        return ""
    return (
        f"`{source(text, request.node)}` is the differential of a "
        f"{'scalar' if value.is_scalar else 'vector'}: ask for its derivative "
        "(`\\nabla_x …` or `\\frac{\\partial …}{\\partial x}`)"
    )


def _macros(path: str, text: str, project: Project | None, folder: str | Path | None) -> MacroTable:
    """The macros in force in the document (``\\vw``, from its project's macros file too):
    a result written with them is read back through them."""
    if project is None:
        key = normalize(path)
        try:
            project = load_project(key, folder=folder, overrides={key: text})
        except (OSError, ValueError):
            return {}
    return project.macros


def _held_as_variable(key: str, ctx: Context) -> None:
    """With respect to a name the document defines (``V`` of ``V = XW^V``, ``\\mathbf{a}`` of
    ``\\mathbf{a} = \\sigma(\\mathbf{z})``): the name is held as a variable of its value's
    shape, its definition set aside (backpropagation asks for ∂L/∂a, not ∂L/∂z)."""
    fdef = ctx.env.functions.get(key)
    if fdef is None or fdef.params:
        return
    rest = {k: f for k, f in ctx.env.functions.items() if k != key}
    try:
        value = Lowerer(replace(ctx.env, functions=rest)).lower(fdef.body)
    except CalculusError:
        return
    ctx.env.functions = rest
    ctx.env.vars[key] = VarInfo(key, value.shape, key, _symmetric(value, ctx))


def _symmetric(x: e.Expr, ctx: Context) -> bool:
    r"""Whether a defined name's value is symmetric by its form (``K_f + \sigma_n^2 I`` with
    K_f stated symmetric, ``X^\top X``, ``WW^\top + \sigma^2 I``): the name is then held as
    a symmetric variable, and its gradient written ``K_y^{-1}`` as textbooks do."""
    if x.is_scalar or isinstance(x, (e.Identity, e.Zero)):
        return True
    if isinstance(x, e.Var):
        info = ctx.env.vars.get(x.name)
        return info is not None and (info.symmetric or info.positive_definite)
    if isinstance(x, e.Add):
        return all(_symmetric(y, ctx) for y in x.terms)
    if isinstance(x, e.Inv):
        return _symmetric(x.arg, ctx)
    if isinstance(x, e.Mul):
        arrays = [f for f in x.factors if not f.is_scalar]
        if len(arrays) == 1:
            return _symmetric(arrays[0], ctx)
        if len(arrays) == 2:  # A^T A, A A^T
            a, b = arrays
            return (isinstance(a, e.T) and a.arg == b) or (isinstance(b, e.T) and b.arg == a)
    return False


def _entry_of(wrt_tree: t.Node, wrt: str, ctx: Context) -> tuple[str, Entry] | None:
    """``a_{ij}``, ``A_{ij}``, ``x_i``: the declared variable whose entry ``wrt`` is, and the
    entry (also where the document declares the entries numbers: "each a_{ij} ∈ ℝ")."""
    key = member_key(wrt_tree)
    declared = ctx.env.vars.get(key[0]) if key is not None else None
    if declared is not None and not declared.shape.is_scalar:
        return None
    found = IndexReader(ctx.env).entry_var(wrt_tree)
    if found is None:
        return None
    var, names = found
    base = wrt_tree.base if isinstance(wrt_tree, t.Sub) else wrt_tree
    lower = isinstance(base, t.Symbol) and base.name != var.name
    return var.name, Entry(names, lower, wrt.strip())


def _index_form(outcome: DiffOutcome, tree: t.Node, text: str) -> DiffOutcome:
    r"""The derivation's first line with the formula as written with indices: ``f = \sum_{i,k}
    a_{ik} b_{ki} = \operatorname{tr}(AB)`` (only for a verified result, whose reading of the
    formula was checked against the formula as written)."""
    node = tree.items[-1] if isinstance(tree, t.Chain) and tree.items else tree
    if node is None or not outcome.verified or not outcome.steps or node.from_macro:
        return outcome
    written = text[node.start : node.end].strip() if 0 <= node.start < node.end <= len(text) else ""
    name, _, first = outcome.steps[0].partition(" = ")  # f, or the row's own name
    if written and first and len(written) < 200 and "\n\n" not in written:
        outcome.steps[0] = f"{name} = {written.rstrip('.,;')} = {first}"
    return outcome


def _row_on_line(result: CheckResult, start: int, end: int, wrt: str) -> PlacedRow | None:
    """Of the rows on a line ("with $W \\in …$ the loss is $L = …$"), the first that writes
    ``wrt`` and is not a declaration; None if none is.  Without ``wrt``: the first that
    holds a derivative written to be computed ("with $W \\in …$ the gradient $\\nabla_W f$")."""
    for row in result.rows:
        if not (row.start < end and row.end >= start) or row.tree is None:
            continue
        tree = row.tree
        if not wrt.strip():
            if request_in(tree) is not None:
                return row
            continue
        if isinstance(tree, t.Chain) and "\\in" in tree.relations:
            continue
        if _written_symbol(tree, result.doc.text, wrt) is not None:
            return row
    asked = parse_row(MappedText.identity(wrt)).tree if wrt.strip() else None
    key = member_key(asked) if asked is not None else None
    for row in result.rows:  # --wrt z for the document's \mathbf z: by the symbol's key
        if not (row.start < end and row.end >= start) or row.tree is None or key is None:
            continue
        if isinstance(row.tree, t.Chain) and "\\in" in row.tree.relations:
            continue
        if any((k := member_key(n)) is not None and k[0] == key[0] for n in row.tree.walk()):
            return row
    for row in result.rows:  # L = ½‖y - t‖², by x through the names it uses: what it states
        stated = row.tree
        if row.start < end and row.end >= start and isinstance(stated, t.Chain):
            if "=" in stated.relations and "\\in" not in stated.relations:
                return row
    return None


def _variable_tree(wrt: str, macros: Callable[[], MacroTable]) -> t.Node | None:
    r"""The variable as given, read through the document's macros where it is not a symbol
    without them (``\vx`` of ``\newcommand{\vx}{\bm{x}}``, by a row that does not write it)."""
    node = parse_row(MappedText.identity(wrt)).tree
    if (node is not None and member_key(node) is not None) or "\\" not in wrt:
        return node
    expanded, _ = expand(MappedText.identity(wrt), macros())
    return parse_row(expanded).tree or node


def _written_symbol(tree: t.Node, text: str, wrt: str) -> t.Node | None:
    """The symbol of the row written exactly as ``wrt`` (a macro such as ``\\vx`` included)."""
    for node in tree.walk():
        k = member_key(node)
        if k is not None and text[node.start : node.end].strip() == wrt.strip():
            return node
    return None
