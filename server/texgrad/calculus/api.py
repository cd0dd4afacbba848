r"""Differentiate, as the command line and the language server ask for it.

:func:`diff_latex` takes an expression and declarations as LaTeX strings;
:func:`diff_in_document` takes a row of a document and uses the document's own
declarations, definitions and notation.  Both return a :class:`DiffOutcome`:
the result in the document's notation, the differential, the derivation, and
whether the result was verified numerically (:mod:`texgrad.calculus.verify`).

Pipeline: lower (syntax tree → :mod:`expr`) → :func:`differential` → read off
(gradient, Jacobian, derivative or dF) → :func:`simplify` → print → verify.
Each request has a time budget; running over it is a clear error.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from texgrad.calculus import expr as e
from texgrad.calculus.differential import Budget, BudgetExceeded, differential
from texgrad.calculus.expr import ONE, CalculusError, Expr
from texgrad.calculus.lower import Env, FunctionDef, Lowerer, VarInfo, as_application
from texgrad.calculus.printing import Style, latex, printer
from texgrad.calculus.readout import by_scalar, gradient, jacobian, vec_form
from texgrad.calculus.simplify import simplifier
from texgrad.calculus.verify import verify
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker, CheckResult
from texgrad.shapes.rows import PlacedRow
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

    def to_json(self) -> dict[str, object]:
        if self.error is not None:
            return {"error": self.error}
        d = asdict(self)
        for k in ("error", "note", "wrt", "function"):
            d.pop(k)
        return d


# -- context: what the document says ---------------------------------------------------


@dataclass
class Context:
    env: Env
    style: Style


def context_of(result: CheckResult, offset: int, trees: list[t.Node]) -> Context:
    """Symbols, definitions and notation in force at ``offset`` of a checked document."""
    env = Env()
    table = result.table
    for key in table.declarations:
        decl = table.lookup(key, None, result.path, offset)
        if decl is None:
            decl = table.declarations[key][0]
        env.vars[key] = VarInfo(key, decl.shape, key, decl.symmetric, decl.positive_definite, False)
    for key, (rows, cols) in result.inferred.items():
        if key not in env.vars and rows is not None and cols is not None:
            from texgrad.shapes.dims import Shape

            env.vars[key] = VarInfo(key, Shape(rows, cols), key)
    declared = set(table.declarations)
    for row in result.rows:
        tree = row.tree_as_parsed  # (definitions are read for their structure only)
        if tree is None or row.start > offset:
            continue
        _definitions(tree, env, declared)
    style = _copy_style(_document_style(result))
    _learn_style(style, trees, result.doc.text, override=True)
    for key, info in env.vars.items():
        info.latex = style.symbols.get(key, key)
    return Context(env, style)


# What is learnt from a checked document is kept as long as the document's
# CheckResult lives (a language server plans, differentiates several variables and
# resolves on one result): the notation of the whole document, and the context of
# each row asked about.  Callers get copies, since the engine adds to them.


@dataclass
class _Learnt:
    style: Style | None = None
    contexts: dict[int, tuple[t.Node, Context]] = field(default_factory=dict)


_learnt: dict[int, tuple[weakref.ref[CheckResult], _Learnt]] = {}


def _learnt_of(result: CheckResult) -> _Learnt:
    key = id(result)
    hit = _learnt.get(key)
    if hit is not None and hit[0]() is result:
        return hit[1]
    learnt = _Learnt()

    def forget(ref: weakref.ref[CheckResult]) -> None:
        current = _learnt.get(key)
        if current is not None and current[0] is ref:
            del _learnt[key]

    try:
        _learnt[key] = (weakref.ref(result, forget), learnt)
    except TypeError:  # not weakly referable: nothing kept
        pass
    return learnt


def _document_style(result: CheckResult) -> Style:
    """The notation of the whole document (do not change it: it is shared).

    The same as one :func:`_learn_style` over every row, in order, but each row's part
    is kept (by the row's key, relative to where it starts, with the text it read) for
    the next check of the document: after an edit, only rows whose text changed are
    walked again, and the others' trees are not even moved to where they now are."""
    learnt = _learnt_of(result)
    if learnt.style is not None:
        return learnt.style
    text = result.doc.text
    before = _taught.pop(result.path, {})
    now: dict[Hashable, _Taught] = {}
    style = Style()
    seen_mark = False
    for row in result.rows:
        if not row.parsed:
            continue
        hit = before.get(row.key) if row.key is not None else None
        if hit is not None and hit.still(text, row.start):
            taught = hit
        else:
            assert row.tree is not None
            taught = _taught_by(row.tree, text, row.start)
        if taught.start is not None and row.key is not None:
            now[row.key] = taught
        if taught.transpose is not None and not seen_mark:
            style.transpose = taught.transpose
            seen_mark = True
        for name, spelled in taught.names.items():
            style.names.setdefault(name, spelled)
        for key, spelled in taught.symbols.items():
            style.symbols.setdefault(key, spelled)
    _taught[result.path] = now
    while len(_taught) > 16:
        del _taught[next(iter(_taught))]
    learnt.style = style
    return style


@dataclass(frozen=True)
class _Taught:
    """What one row teaches about notation (the first mark and spellings in it), and the
    source text its spellings were read from, relative to the row's start (``start``
    None: read outside the text, not to be kept)."""

    transpose: str | None
    names: dict[str, str]
    symbols: dict[str, str]
    start: int | None
    read: str

    def still(self, text: str, base: int) -> bool:
        if self.start is None:
            return False
        at = base + self.start
        return text[at : at + len(self.read)] == self.read


# per document path: what each row taught at the last check (by the row's key)
_taught: dict[str, dict[Hashable, _Taught]] = {}


def _taught_by(tree: t.Node, text: str, base: int) -> _Taught:
    probe = Style(transpose="")
    span = [len(text), 0, 0]
    _learn_style(probe, [tree], text, span=span)
    lo, hi, outside = span
    lo = min(lo, hi)
    start, read = (None, "") if outside else (lo - base, text[lo:hi])
    return _Taught(probe.transpose or None, probe.names, probe.symbols, start, read)


def _context_at(result: CheckResult, row: PlacedRow) -> Context:
    """:func:`context_of` for the row, learnt once per checked document; a copy."""
    assert row.tree is not None
    learnt = _learnt_of(result)
    hit = learnt.contexts.get(row.start)
    if hit is not None and hit[0] is row.tree:
        ctx = hit[1]
    else:
        ctx = context_of(result, row.start, [row.tree])
        learnt.contexts[row.start] = (row.tree, ctx)
    return Context(
        Env({k: replace(v) for k, v in ctx.env.vars.items()}, dict(ctx.env.functions)),
        _copy_style(ctx.style),
    )


def _copy_style(style: Style) -> Style:
    return replace(style, names=dict(style.names), symbols=dict(style.symbols))


def _definitions(tree: t.Node, env: Env, declared: set[str]) -> None:
    """``f(x) = …`` and ``y = …`` (for an undeclared y) as definitions to substitute."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (t.Sequence, t.List)):
            stack.extend(node.items)
            continue
        if not isinstance(node, t.Chain) or len(node.items) < 2:
            continue
        if node.relations[0] not in ("=", ":=", "\\coloneqq", "\\triangleq", "\\equiv"):
            continue
        head, body = node.items[0], node.items[1]
        if head is None or body is None:
            continue
        head = as_application(head)  # \mu(x) = …, read as a product
        if isinstance(head, t.Apply):
            key = symbol_key(head.func)
            if key is not None and key[0] in declared:
                continue
            params = [symbol_key(a) for a in head.args]
            if key is not None and all(p is not None for p in params):
                env.functions[key[0]] = FunctionDef(
                    key[0], tuple(p[0] for p in params if p is not None), body
                )
        else:
            key = symbol_key(head)
            if key is not None and key[0] not in declared:
                env.functions.setdefault(key[0], FunctionDef(key[0], (), body))


_MARKS = {"T": "^T", "\\top": "^\\top", "\\intercal": "^\\intercal", "\\mathsf{T}": "^{\\mathsf{T}}",
          "\\mathrm{T}": "^{\\mathrm{T}}", "\\mathsf T": "^{\\mathsf{T}}"}  # fmt: skip


def _learn_style(
    style: Style,
    trees: list[t.Node],
    text: str,
    override: bool = False,
    span: list[int] | None = None,
) -> None:
    """The notation the trees use: the first transpose mark, the first spelling of each
    function and symbol (or the last ones, with ``override``).  ``span`` (lowest start,
    highest end, 1 if a range fell outside the text) is widened to what was read."""
    seen_mark = False
    for tree in trees:
        for node in tree.walk():
            if isinstance(node, t.Transpose) and not node.conjugate and not seen_mark:
                mark = _MARKS.get(node.mark)
                if mark is not None:
                    style.transpose = mark
                    seen_mark = True
            elif isinstance(node, t.Prime) and not seen_mark:
                style.transpose = "'"
                seen_mark = True
            elif isinstance(node, t.Func):
                spelled = text[node.start : node.end] if node.end <= len(text) else ""
                if span is not None:
                    _widen(span, node, text)
                name = {"Tr": "tr", "trace": "tr", "Trace": "tr", "ln": "log"}.get(
                    node.name, node.name
                )
                if spelled and (override or name not in style.names) and node.sub is None:
                    if name == "log" and node.name == "ln":
                        spelled = spelled if spelled.startswith("\\") else "\\ln"
                    style.names[name] = spelled.strip()
            elif isinstance(node, (t.Symbol, t.Sub, t.Tagged)):  # W_{hh} as written too
                k = symbol_key(node)
                if k is not None and (override or k[0] not in style.symbols):
                    spelled = text[node.start : node.end] if node.end <= len(text) else ""
                    if span is not None:
                        _widen(span, node, text)
                    while spelled.startswith("{") and spelled.endswith("}"):
                        spelled = spelled[1:-1].strip()
                    if spelled and len(spelled) < 40:
                        style.symbols[k[0]] = spelled


def _widen(span: list[int], node: t.Node, text: str) -> None:
    span[0] = min(span[0], node.start)
    span[1] = max(span[1], node.end)
    if node.end > len(text) or node.start < 0:
        span[2] = 1


# -- entry points -------------------------------------------------------------------------


def diff_latex(
    expr: str,
    wrt: str,
    where: str = "",
    layout: str = "numerator",
    budget: float = 5.0,
    hessian: bool = False,
) -> DiffOutcome:
    """Differentiate the LaTeX ``expr`` with respect to ``wrt``; ``where`` holds
    declarations and definitions separated by ``;``."""
    decls = [d.strip() for d in where.split(";") if d.strip()]
    parts = [f"${d}$" for d in decls]
    text = "\n\n".join([*parts, f"${expr}$"]) + "\n"
    offset = text.rindex(f"${expr}$") + 1
    return _diff_text(text, "expression.tex", offset, wrt, layout, budget, hessian)


def diff_in_document(
    path: str | Path,
    line: int,
    wrt: str,
    layout: str = "numerator",
    budget: float = 5.0,
    hessian: bool = False,
    text: str | None = None,
) -> DiffOutcome:
    """Differentiate the math on ``line`` (1-based) of a document."""
    src = Path(path).read_text(encoding="utf-8", errors="replace") if text is None else text
    lines = src.split("\n")
    if not 1 <= line <= len(lines):
        return DiffOutcome(error=f"line {line} is outside the document (1–{len(lines)})")
    start = sum(len(x) + 1 for x in lines[: line - 1])
    end = start + len(lines[line - 1])
    return _diff_text(src, str(path), start, wrt, layout, budget, hessian, end)


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


@dataclass(frozen=True)
class DiffPlan:
    """One differentiation a front can offer at a place, before doing it."""

    wrt: str  # the variable as the document writes it (pass it back as ``wrt``)
    kind: str  # gradient, jacobian, derivative, matrix
    function: str  # "f" for a row `f(x) = …`, else ""
    hessian_available: bool  # scalar function of a vector
    row_start: int  # the math row's source range
    row_end: int


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
    row = _row_at(result, offset, offset + 1)
    if row is None or row.tree is None:
        return []
    ctx = _context_at(result, row)
    try:
        f = Lowerer(ctx.env).lower(row.tree)
    except (CalculusError, RecursionError):
        return []
    function = ""
    tree = row.tree
    if isinstance(tree, t.Chain) and isinstance(tree.items[0], t.Apply):
        k = symbol_key(tree.items[0].func)
        function = ctx.style.symbols.get(k[0], k[0]) if k is not None else ""
    plans: list[DiffPlan] = []
    seen: set[str] = set()
    for x in f.walk():
        if isinstance(x, e.Var) and x.name not in seen and x.name in ctx.env.vars:
            seen.add(x.name)
            plans.append(
                DiffPlan(
                    ctx.style.symbols.get(x.name, x.name),
                    _kind_of(f, x),
                    function,
                    f.is_scalar and x.cols == ONE and not x.is_scalar,
                    row.start,
                    row.end,
                )
            )
    return plans


def _kind_of(f: Expr, v: e.Var) -> str:
    if v.is_scalar:
        return "derivative"
    if f.is_scalar:
        return "gradient"
    if f.cols == ONE and v.cols == ONE:
        return "jacobian"
    return "matrix"


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
) -> DiffOutcome:
    if layout not in ("numerator", "denominator"):
        return DiffOutcome(error=f"unknown layout `{layout}` (numerator or denominator)")
    if result is None:
        try:
            result = Checker().check(path, text=text)
        except (OSError, ValueError) as exc:
            return DiffOutcome(error=f"cannot read {path}: {exc}")
    row = _row_at(result, offset, end if end is not None else offset + 1)
    if row is None or row.tree is None:
        return DiffOutcome(error="no math to differentiate there (or it does not parse)")
    ctx = _context_at(result, row)
    key = _written_symbol(row.tree, text, wrt)  # \vx as the document writes it
    if key is None:
        wrt_tree = parse_row(MappedText.identity(wrt)).tree
        key = symbol_key(wrt_tree) if wrt_tree is not None else None
    if key is None:
        return DiffOutcome(error=f"`{wrt}` is not a symbol to differentiate with respect to")
    if key[0] not in ctx.env.vars:
        return DiffOutcome(
            error=f"the shape of `{wrt}` is unknown: declare it (e.g. `{wrt} \\in \\mathbb{{R}}^n`)"
        )
    ctx.style.symbols.setdefault(key[0], wrt)
    return differentiate(row.tree, key[0], ctx, layout, Budget(seconds), hessian)


def _written_symbol(tree: t.Node, text: str, wrt: str) -> tuple[str, str | None] | None:
    """The symbol of the row written exactly as ``wrt`` (a macro such as ``\\vx`` included)."""
    for node in tree.walk():
        k = symbol_key(node)
        if k is not None and text[node.start : node.end].strip() == wrt.strip():
            return k
    return None


def _row_at(result: CheckResult, start: int, end: int) -> PlacedRow | None:
    """The first parsed row overlapping [start, end)."""
    for row in result.rows:
        if row.start < end and row.end >= start and row.tree is not None:
            return row
    return None


# -- the engine ---------------------------------------------------------------------------


def differentiate(
    tree: t.Node, wrt: str, ctx: Context, layout: str, budget: Budget, hessian: bool = False
) -> DiffOutcome:
    try:
        return _differentiate(tree, wrt, ctx, layout, budget, hessian)
    except BudgetExceeded as exc:
        return DiffOutcome(error=str(exc))
    except CalculusError as exc:
        return DiffOutcome(error=str(exc))
    except RecursionError:
        return DiffOutcome(error="the expression is nested too deeply")


def _differentiate(
    tree: t.Node, wrt: str, ctx: Context, layout: str, budget: Budget, hessian: bool
) -> DiffOutcome:
    env, style = ctx.env, ctx.style
    info = env.vars[wrt]
    # definitions that do not involve the variable stay symbols
    env = _relevant(env, wrt)
    f = Lowerer(env).lower(tree)
    v = e.var(wrt, info.shape, info.symmetric)
    if not e.depends(f, v):
        pass  # the derivative is zero; still reported, and verified
    rules: list[str] = []
    df_raw = differential(f, v, budget, rules)
    simplify = simplifier(style, budget)  # one for all: the results share their parts
    show = printer(style)
    df = simplify(df_raw)
    w = style.symbols.get(wrt, wrt)
    dvar = f"{style.differential}{w}"
    named = [f"${r}$" if "\\" in r or "(" in r else r for r in rules]
    used = f" \\quad \\text{{({'; '.join(named)})}}" if rules else ""
    steps = [f"f = {show(f)}", f"{style.differential}f = {show(df_raw)}{used}"]
    if show(df) != show(df_raw):
        steps.append(f"\\phantom{{{style.differential}f}} = {show(df)}")
    if hessian:
        if not (f.is_scalar and v.cols == ONE and not v.is_scalar):
            raise CalculusError("a Hessian needs a scalar function of a vector")
        g = simplify(gradient(df_raw))
        dg = differential(g, v, budget)
        h = simplify(jacobian(dg, v.rows))
        kind, result = "hessian", h
        steps.append(f"\\nabla_{{{w}}} f = {show(g)}")
        steps.append(f"{style.differential}(\\nabla_{{{w}}} f) = {show(simplify(dg))}")
        steps.append(f"\\nabla^2_{{{w}}} f = {show(h)}")
        shown_layout = ""
    elif f.is_scalar and v.is_scalar:
        kind, result = "derivative", simplify(by_scalar(df_raw, v))
        steps.append(f"\\frac{{{style.differential}f}}{{{dvar}}} = {show(result)}")
        shown_layout = ""
    elif f.is_scalar:
        kind = "gradient"
        result = simplify(gradient(df_raw))
        pairing = simplify(e.mul(e.transpose(result), e.d(v)))
        form = show(pairing if v.cols == ONE else e.Tr(pairing, rows=ONE, cols=ONE))
        if not steps[-1].endswith(f"= {form}"):
            steps.append(f"\\phantom{{{style.differential}f}} = {form}")
        steps.append(f"\\nabla_{{{w}}} f = {show(result)}")
        shown_layout = ""
    elif v.is_scalar:
        kind, result = "derivative", simplify(by_scalar(df_raw, v))
        steps.append(f"\\frac{{{style.differential}f}}{{{dvar}}} = {show(result)}")
        shown_layout = ""
    elif f.cols == ONE and v.cols == ONE:
        kind = "jacobian"
        j = simplify(jacobian(df_raw, v.rows))
        result = j if layout == "numerator" else simplify(e.transpose(j))
        steps.append(f"\\phantom{{{style.differential}f}} = {show(j)}\\, {dvar}")
        name = "\\frac{\\partial f}{\\partial " + w + "}"
        steps.append(
            f"{name} = {show(result)}"
            + (" \\quad\\text{(numerator layout)}" if layout == "numerator" else
               " \\quad\\text{(denominator layout)}")
        )  # fmt: skip
        shown_layout = layout
    else:
        kind, result = "matrix", df
        vec = vec_form(df, v)
        if vec is not None:
            steps.append(_vec_line(vec, w, style, v))
        shown_layout = ""
    check = verify(f, result, df, v, kind, layout, env, style, budget, original=tree)
    out = DiffOutcome(
        kind=kind if kind != "hessian" else "hessian",
        result=show(result),
        differential=show(df),
        shape=result.shape.unicode() if kind != "matrix" else f.shape.unicode(),
        layout=shown_layout,
        verified=check.ok,
        steps=steps,
        note=check.note,
        wrt=w,
        function=show(f),
    )
    return out


def _relevant(env: Env, wrt: str) -> Env:
    """Only definitions that (transitively) involve ``wrt`` are substituted."""
    deps: dict[str, set[str]] = {}
    for key, fdef in env.functions.items():
        names = set()
        for node in fdef.body.walk():
            k = symbol_key(node)
            if k is not None:
                names.add(k[0])
        deps[key] = names
    involved: set[str] = set()
    changed = True
    while changed:
        changed = False
        for key, names in deps.items():
            if key not in involved and (wrt in names or names & involved):
                involved.add(key)
                changed = True
    functions = {k: f for k, f in env.functions.items() if f.params or k in involved and k != wrt}
    return Env(dict(env.vars), functions)


def _vec_line(vec: list[tuple[Expr, bool]], w: str, style: Style, v: e.Var) -> str:
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
        f"{style.op('vec')}({style.differential}f) = ("
        + " + ".join(parts)
        + f")\\, {style.op('vec')}({style.differential}{w})"
    )
