r"""A function of a sum over samples whose summand is a vector or a matrix, or which involves
the variable outside the sum: ``\|\sum_{i=1}^N (\mathbf{w}^\top\mathbf{x}_i)\mathbf{x}_i\|^2``,
``\|\sum_{i=1}^N y_i\mathbf{x}_i - \mathbf{w}\|^2``.

``samples.py`` reads a term as scalars times a sum of scalars, or a function of one such sum
alone.  Here the chain rule is taken through the sum as a whole: with S = Σᵢ sᵢ(w) and the
loss g(S, w),

    ∇_w g = ∂g/∂w (S held) + Σᵢ ∇_w (Φᵀ sᵢ(w)) at Φ = ∇_S g,

each part by the ordinary pipeline (g with S a placeholder variable Ψ of the summand's
shape, differentiated by Ψ and by w; the scalar ``\Phi^\top s_i`` — a trace for a matrix
summand — by w with Φ a placeholder constant), verified there.  The result is written with
the sum named (``\text{where } \mathbf{s} = \sum_{i=1}^N …``), and checked as a whole: the
loss as written, every member of the family sampled, by central differences, against the
printed result evaluated with the tree evaluator — what is shown is what is checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from texgrad.calculus.arrays import Array, EvaluationError
from texgrad.calculus.context import Context
from texgrad.calculus.derive import DiffOutcome, differentiate
from texgrad.calculus.differential import Budget
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.expr import ONE, CalculusError
from texgrad.calculus.lower import VarInfo
from texgrad.calculus.readout import CONSTANT
from texgrad.calculus.samples import NotSamples, SampleSum, sample_sum_of, summand_value
from texgrad.calculus.sampling import sample_inputs
from texgrad.reading.macros import MacroTable, expand
from texgrad.reading.source import MappedText
from texgrad.shapes.dims import Shape
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key

# what differentiate_sum says of the terms this module reads
READS = (
    "the summand is not a scalar: only scalar losses are summed",
    "the function of the sum over samples involves the variable (or a sample) outside the sum",
)
_PSI, _PHI = "\\Psi", "\\Phi"
POINTS = 2


def _parsed(latex: str, macros: MacroTable) -> t.Node | None:
    expanded, _ = expand(MappedText.identity(latex), macros)
    return parse_row(expanded).tree


def _with(ctx: Context, added: dict[str, VarInfo]) -> Context:
    return replace(ctx, env=replace(ctx.env, vars={**ctx.env.vars, **added}))


def _name_for(shape: Shape, text: str) -> str:
    """The where-name of the sum: ``\\mathbf{s}`` (a vector) or ``S`` (a matrix), or with a
    subscript where the document uses it."""
    base = "\\mathbf{s}" if shape.cols == ONE else "S"
    for name in (base, base + "_0", base + "_{\\Sigma}"):
        if name not in text:
            return name
    raise CalculusError("a function of a sum over samples: no name left for the sum")


def differentiate_vector_sum(
    tree: t.Node,
    wrt: str,
    ctx: Context,
    text: str,
    budget: Budget,
    layout: str,
    macros: MacroTable,
) -> DiffOutcome:
    """The gradient of a function of one sum over samples through the sum as a whole (see
    the module's docstring); an outcome with an error in words where it cannot be read."""
    try:
        return _differentiate(tree, wrt, ctx, text, budget, layout, macros)
    except (CalculusError, NotSamples) as exc:
        return DiffOutcome(error=str(exc) or "not a function of one sum over samples")


def _differentiate(
    tree: t.Node,
    wrt: str,
    ctx: Context,
    text: str,
    budget: Budget,
    layout: str,
    macros: MacroTable,
) -> DiffOutcome:
    node = tree.items[-1] if isinstance(tree, t.Chain) and tree.items[-1] is not None else tree
    sums = [n for n in node.walk() if isinstance(n, t.BigOp) and n.op == "\\sum"]
    if len(sums) != 1 or sums[0].body is None or _PSI in text or _PHI in text:
        raise CalculusError("")
    total = sample_sum_of(sums[0], ctx.env)
    if any(m.shift != 0 or m.key == wrt or m.base == wrt for m in total.members):
        raise CalculusError("")
    value = summand_value(sums[0], ctx)
    shape = value.shape
    members = {m.key: VarInfo(m.key, m.shape, m.key) for m in total.members}
    # g(Ψ, w): the sum a placeholder variable of the summand's shape
    g_text = f"{text[node.start : sums[0].start]} {_PSI} {text[sums[0].end : node.end]}"
    g_tree = _parsed(g_text, macros)
    if g_tree is None:
        raise CalculusError("")
    g_ctx = _with(ctx, {_PSI: VarInfo(_PSI, shape, _PSI)})
    by_sum = differentiate(g_tree, _PSI, g_ctx, layout, budget)
    scalar = shape.rows == ONE and shape.cols == ONE  # g(S, w) of a sum of scalars
    if by_sum.error is not None or not by_sum.verified or by_sum.kind != _kind(scalar):
        raise CalculusError("")
    direct = differentiate(g_tree, wrt, g_ctx, layout, budget)
    if direct.error == CONSTANT:
        direct_text = ""
    elif direct.error is None and direct.verified and direct.kind == "gradient":
        direct_text = direct.result
    else:
        raise CalculusError("")
    summand = text[sums[0].body.start : sums[0].body.end]
    if scalar:
        return _scalar_sum(node, sums[0], total, summand, direct_text, by_sum.result, wrt, ctx,
                           text, budget, layout, macros)  # fmt: skip
    # Σᵢ ∇_w (Φᵀ sᵢ): Φ a constant of the summand's shape
    scalar = f"{_PHI}^\\top\\left({summand}\\right)"
    if shape.cols != ONE:
        scalar = f"\\operatorname{{tr}}\\left({scalar}\\right)"
    s_tree = _parsed(scalar, macros)
    if s_tree is None:
        raise CalculusError("")
    s_ctx = _with(ctx, {**members, _PHI: VarInfo(_PHI, shape, _PHI)})
    inner = differentiate(s_tree, wrt, s_ctx, layout, budget)
    through = inner.error != CONSTANT  # (the summand may not involve the variable)
    if through and (inner.error is not None or not inner.verified or inner.kind != "gradient"):
        raise CalculusError("")
    if not through and not direct_text:
        raise CalculusError(CONSTANT)
    name = _name_for(shape, text)
    upstream = by_sum.result.replace(_PSI, name)
    head = text[sums[0].start : sums[0].body.start].strip()  # \sum_{i=1}^N
    summed = inner.result.replace(_PHI, f"\\left({upstream}\\right)") if through else ""
    parts = [
        p for p in (direct_text.replace(_PSI, name), f"{head} {summed}" if through else "") if p
    ]
    result = " + ".join(parts)
    if not through and result.count(name) == 1:  # 2(w - s): the sum written in, no name
        result = result.replace(name, f"\\left({text[sums[0].start : sums[0].end].strip()}\\right)")
    where = f"{name} = {text[sums[0].start : sums[0].end].strip()}"
    ok, note = _check(node, result, where, name, wrt, total, ctx, macros)
    steps = [where, f"\\nabla_{{{name}}} f = {upstream}"]
    return _checked_gradient(
        node, result, steps, (ok, note), wrt, ctx, text,
        [where] if name in result else [],
        "NumPy code is not written yet for a function of a sum of vectors",
    )  # fmt: skip


def _kind(scalar: bool) -> str:
    """The kind of g's derivative by the sum: a number's, or a vector's or matrix's."""
    return "derivative" if scalar else "gradient"


def _scalar_sum(
    node: t.Node, total_node: t.BigOp, total: SampleSum, summand: str, direct: str,
    upstream: str, wrt: str, ctx: Context, text: str, budget: Budget, layout: str,
    macros: MacroTable,
) -> DiffOutcome:  # fmt: skip
    r"""g(S, w) of a sum of scalars S = Σᵢ sᵢ(w) (``\log(e^{\mathbf u^\top\mathbf v} +
    \sum_k e^{\mathbf u^\top\mathbf v_k})``): ∂g/∂w (S held) + g_S(S, w) Σᵢ ∇sᵢ, the sum
    written in where it stands, checked as a whole against the loss as written."""
    members = {m.key: VarInfo(m.key, m.shape, m.key) for m in total.members}
    s_tree = _parsed(summand, macros)
    if s_tree is None:
        raise CalculusError("")
    inner = differentiate(s_tree, wrt, _with(ctx, members), layout, budget)
    constant = inner.error == CONSTANT  # (the variable outside the sum only: g_w alone)
    if constant and not direct:
        raise CalculusError(CONSTANT)
    if not constant and (inner.error is not None or not inner.verified or inner.kind != "gradient"):
        raise CalculusError("")
    written = text[total_node.start : total_node.end].strip()
    head = text[total_node.start : total_node.body.start].strip() if total_node.body else ""
    each = inner.result if _one_term(inner.result) else f"\\left({inner.result}\\right)"
    summed = "" if constant else f"{head} {each}"
    up = upstream.replace(_PSI, f"\\left({written}\\right)")
    over = re.fullmatch(r"\\frac\{1\}\{(.*)\}", up)
    if constant:
        through = ""
    elif over is not None and _balanced(over.group(1)):
        through = f"\\frac{{{summed}}}{{{over.group(1)}}}"
    else:
        through = f"\\left({up}\\right) {summed}"
    direct = direct.replace(_PSI, f"\\left({written}\\right)")
    result = " + ".join(x for x in (direct, through) if x)
    by_terms = _log_of_terms(node, total_node, summed, wrt, ctx, text, budget, layout, macros)
    result = by_terms or result
    where = f"{_PSI} = {written}"
    ok, note = _check(node, result, where, _PSI, wrt, total, ctx, macros)
    steps = [
        f"S = {written}",
        f"\\frac{{\\partial f}}{{\\partial S}} = {upstream.replace(_PSI, 'S')}",
    ]
    return _checked_gradient(
        node, result, steps, (ok, note), wrt, ctx, text, [],
        "NumPy code is not written yet for a function of a sum and the variable",
    )  # fmt: skip


def _checked_gradient(
    node: t.Node, result: str, steps: list[str], checked: tuple[bool, str], wrt: str,
    ctx: Context, text: str, where: list[str], numpy_note: str,
) -> DiffOutcome:  # fmt: skip
    """The gradient found through a sum, once its check (``checked``: passed, its note) has
    passed: its steps end with it; an error where the check failed."""
    ok, note = checked
    if not ok:
        return DiffOutcome(error=f"the derivative through the sum failed its check: {note}")
    w = ctx.style.symbols.get(wrt, wrt)
    return DiffOutcome(
        kind="gradient",
        result=result,
        differential="",
        shape=_space(ctx, wrt),
        verified=True,
        steps=[*steps, f"\\nabla_{{{w}}} f = {result}"],
        note=note,
        wrt=w,
        function=text[node.start : node.end].strip(),
        where=where,
        numpy_note=numpy_note,
    )


def _log_of_terms(
    node: t.Node, total: t.BigOp, summed: str, wrt: str, ctx: Context, text: str,
    budget: Budget, layout: str, macros: MacroTable,
) -> str:  # fmt: skip
    r"""The derivative written as a textbook does where the sum is a term inside a log
    (``\log\left(e^{a} + \sum_k e^{b_k}\right) - c``): the log's derivative as one fraction,
    ``\frac{\nabla a + \sum_k \nabla b_k}{e^{a} + \sum_k e^{b_k}}``, the other terms each
    differentiated on their own; "" where the loss is not so (the caller's form is kept).
    ``summed``: the sum of the summands' gradients, written."""
    pairs = (
        list(zip(node.signs, node.terms, strict=True)) if isinstance(node, t.Add) else [("", node)]
    )
    pieces: list[tuple[str, str]] = []
    for sign, term in pairs:
        holds = any(n is total for n in term.walk())
        if not holds:
            piece = _gradient_of(text[term.start : term.end], wrt, ctx, budget, layout, macros)
        else:
            piece = _log_piece(term, total, summed, wrt, ctx, text, budget, layout, macros)
        if piece is None:
            return ""
        if piece:
            pieces.append((sign or "+", piece))
    out = ""
    for sign, piece in pieces:
        negative = piece.startswith("-")
        body = piece[1:].lstrip() if negative else piece
        minus = (sign == "-") != negative
        if not _one_term(body):
            body = f"\\left({body}\\right)"
        out += (" - " if minus else " + ") + body if out else ("-" if minus else "") + body
    return out


def _log_piece(
    term: t.Node, total: t.BigOp, summed: str, wrt: str, ctx: Context, text: str,
    budget: Budget, layout: str, macros: MacroTable,
) -> str | None:  # fmt: skip
    r"""``\log(P)``'s gradient, P an addition of which the sum is one term: ∇P / P."""
    if not (isinstance(term, t.Apply) and isinstance(term.func, t.Func) and len(term.args) == 1):
        return None
    if term.func.name not in ("log", "ln") or term.func.sub is not None or term.func.sup:
        return None
    inside = term.args[0]
    while isinstance(inside, t.Paren) and inside.body is not None:
        inside = inside.body
    if not isinstance(inside, t.Add) or not any(x is total for x in inside.terms):
        return None
    parts: list[str] = []
    for sign, addend in zip(inside.signs, inside.terms, strict=True):
        if addend is total:
            if sign == "-":
                return None
            if summed:  # (a sum that does not involve the variable: its gradient is 0)
                parts.append(summed)
            continue
        if any(n is total for n in addend.walk()):
            return None
        piece = _gradient_of(text[addend.start : addend.end], wrt, ctx, budget, layout, macros)
        if piece is None:
            return None
        if piece:
            parts.append(f"-\\left({piece}\\right)" if sign == "-" else piece)
    if not parts:
        return ""
    top = " + ".join(parts).replace("+ -", "- ")
    return f"\\frac{{{top}}}{{{text[inside.start : inside.end].strip()}}}"


def _gradient_of(
    written: str, wrt: str, ctx: Context, budget: Budget, layout: str, macros: MacroTable
) -> str | None:
    """The verified gradient of the term ``written`` by ``wrt`` ("" where it is constant);
    None where there is none."""
    tree = _parsed(written, macros)
    if tree is None:
        return None
    out = differentiate(tree, wrt, ctx, layout, budget)
    if out.error == CONSTANT:
        return ""
    if out.error is not None or not out.verified or out.kind != "gradient" or out.where:
        return None
    return out.result


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _one_term(s: str) -> bool:
    """Whether ``s`` has no + or - outside its brackets (one term, or its negative)."""
    depth = 0
    for i, ch in enumerate(s):
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif ch in "+-" and depth == 0 and i > 0:
            return False
    return True


def _space(ctx: Context, wrt: str) -> str:
    s = ctx.env.vars[wrt].shape
    if s.cols == ONE:
        return f"ℝ^{{{s.rows}}}"
    return f"ℝ^{{{s.rows}×{s.cols}}}"


def _check(
    node: t.Node,
    result: str,
    where: str,
    name: str,
    wrt: str,
    total: SampleSum,
    ctx: Context,
    macros: MacroTable,
) -> tuple[bool, str]:
    """The printed result against central differences of the loss as written, at random
    points with every member of the family sampled."""
    printed, named = _parsed(result, macros), _parsed(where.split(" = ", 1)[1], macros)
    key = symbol_key(_parsed(name, macros) or node)
    if printed is None or named is None or key is None:
        return False, "the result could not be read back"
    used = {k[0] for n in node.walk() if (k := symbol_key(n)) is not None}
    shapes = {k: ctx.env.vars[k].shape for k in used if k in ctx.env.vars}
    for m in total.members:
        shapes.pop(m.key, None)
        if m.entry_of is not None:  # y_i of a declared y
            shapes[m.entry_of] = ctx.env.vars[m.entry_of].shape
        else:
            shapes[f"member:{m.key}"] = m.shape
    infos = ctx.env.vars
    passed = 0
    for seed in range(6):
        rng = np.random.default_rng(1000 + seed)
        values, sizes = sample_inputs(
            shapes,
            positive_definite={k for k in shapes if k in infos and infos[k].positive_definite},
            symmetric={k for k in shapes if k in infos and infos[k].symmetric},
            positive={k for k in shapes if k in infos and infos[k].positive},
            rng=rng,
        )
        upper = symbol_key(total.upper) if total.upper is not None else None
        count = sizes.get(upper[0], 0) if upper is not None else 0
        if not count:  # (a count no dimension has: a missing transpose cannot hide)
            taken = set(sizes.values())
            count = next(int(c) for c in rng.permutation(np.arange(3, 40)) if c not in taken)
        for m in total.members:
            member = values.pop(f"member:{m.key}", None)
            if member is None:
                continue
            values[f"family:{m.base}"] = rng.standard_normal((count, np.asarray(member).size))
            if total.start != 1:
                values[f"family-first:{m.base}"] = np.array([[float(total.start)]])
        if upper is not None:
            values[upper[0]] = np.array([[float(count + total.start - 1)]])
        try:
            with np.errstate(all="raise"):
                ok = _agrees(node, printed, named, key[0], wrt, values)
        except (EvaluationError, FloatingPointError, np.linalg.LinAlgError, ValueError,
                ZeroDivisionError, OverflowError, KeyError, TypeError):  # fmt: skip
            continue
        if not ok:
            return False, "it differs from central differences of the loss as written"
        passed += 1
        if passed == POINTS:
            break
    if passed == 0:
        return False, "no random point where the loss and the result evaluate"
    return True, (
        f"verified at {passed} random point(s) by central differences of the loss as "
        "written, every member of the family sampled"
    )


def _agrees(
    node: t.Node,
    printed: t.Node,
    named: t.Node,
    name: str,
    wrt: str,
    values: dict[str, Array],
) -> bool:
    x0 = np.asarray(values[wrt], dtype=float)
    f: Callable[[Array], float] = lambda x: float(  # noqa: E731
        np.asarray(evaluate(node, {**values, wrt: x}), dtype=float).reshape(-1)[0]
    )
    fd = np.zeros_like(x0)
    h = 1e-6 * max(1.0, float(np.abs(x0).max()))
    for i in np.ndindex(x0.shape):
        up, down = x0.copy(), x0.copy()
        up[i] += h
        down[i] -= h
        fd[i] = (f(up) - f(down)) / (2 * h)
    got = np.asarray(
        evaluate(printed, {**values, name: np.asarray(evaluate(named, values), dtype=float)}),
        dtype=float,
    )
    if got.size != fd.size:
        return False
    got = got.reshape(fd.shape)
    return bool(np.allclose(got, fd, rtol=1e-5, atol=1e-6 * max(1.0, float(np.abs(fd).max()))))
