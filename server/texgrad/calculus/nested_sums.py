r"""A member of a family summed inside a log, inside a sum over samples: the mixture
log-likelihood ``\sum_{i=1}^n \log\sum_{j=1}^M \pi_j \mathcal N_j(\mathbf x_i)`` by the mean
``\boldsymbol\mu_k``.

Only the term ``j = k`` of the inner sum involves the member, so with ``G_{ij}`` the inner
summand, ``\nabla \sum_i \log\sum_j G_{ij} = \sum_i \nabla G_{ik} / \sum_j G_{ij}``: the inner
summand with ``j`` written ``k`` is differentiated by the ordinary pipeline (the samples
``\mathbf x_i`` its members), and the result written with the document's inner sum as the
denominator.  The whole is checked against central differences of the loss as written,
evaluated with every member of both families sampled (a number of samples and of components
distinct from every other size), by the member's entries.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from texgrad.calculus.arrays import Array, EvaluationError
from texgrad.calculus.context import Context
from texgrad.calculus.derive import DiffOutcome
from texgrad.calculus.differential import Budget
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.expr import CalculusError
from texgrad.calculus.lower import VarInfo
from texgrad.calculus.sampling import sample_inputs
from texgrad.calculus.sympy_dims import SCALAR, Shape
from texgrad.calculus.verify import _close
from texgrad.calculus.written import sum_index
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import label_of, member_key, symbol_key

_OUTSIDE = (
    EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
    OverflowError, ValueError, KeyError,
)  # fmt: skip


def _parsed(latex: str) -> t.Node | None:
    return parse_row(MappedText.identity(latex)).tree


def _log_of(node: t.Node) -> t.BigOp | None:
    r"""The sum of ``\log\sum_j …`` (or ``\log\left(\sum_j …\right)``); None otherwise."""
    if not (isinstance(node, t.Apply) and isinstance(node.func, t.Func) and len(node.args) == 1):
        return None
    if node.func.name not in ("log", "ln") or node.func.sub is not None or node.func.sup:
        return None
    arg = node.args[0]
    while isinstance(arg, t.Paren) and arg.body is not None:
        arg = arg.body
    return arg if isinstance(arg, t.BigOp) and arg.op == "\\sum" else None


def differentiate_nested(
    tree: t.Node, wrt: str, wrt_tree: t.Node | None, ctx: Context, text: str, budget: Budget,
    layout: str,
) -> DiffOutcome | None:  # fmt: skip
    """The gradient by a member of the inner family of ``\\sum_i \\log\\sum_j G_{ij}`` (see the
    module's docstring); None where the row is not so (then the other readings)."""
    node = tree.items[-1] if isinstance(tree, t.Chain) and tree.items[-1] is not None else tree
    if not (isinstance(node, t.BigOp) and node.op == "\\sum" and node.body is not None):
        return None
    inner = _log_of(node.body)
    linear = inner is None and isinstance(node.body, t.BigOp) and node.body.op == "\\sum"
    inner = node.body if linear and isinstance(node.body, t.BigOp) else inner
    outer_index, label = sum_index(node.lower), _label(wrt_tree)
    if inner is None or inner.body is None or outer_index is None or label is None:
        return None
    index = sum_index(inner.lower)
    if index is None or len(index) != 1 or len(outer_index) != 1 or label in outer_index:
        return None
    if label in index and not linear:
        return None
    body = text[inner.body.start : inner.body.end]
    pattern = re.compile(r"_\{?" + re.escape(index[0]) + r"\}?(?![A-Za-z])")
    if any(isinstance(n, t.Symbol) and n.name == index[0] for n in _unlabelled(inner.body)):
        return None  # (j beside the members' labels: not read here)
    term = pattern.sub(f"_{{{label}}}", body)
    term_tree = _parsed(term)
    head = text[node.start : node.body.start].strip()
    if term_tree is None or wrt not in {k[0] for n in term_tree.walk() if (k := member_key(n))}:
        return None
    for n in term_tree.walk():  # \pi_k of "\pi_k > 0": a weight, a positive number
        key = member_key(n) if isinstance(n, t.Sub) else None
        if key is not None and key[0] not in ctx.env.vars and _label(n) == label:
            written = term[n.start : n.end] if 0 <= n.start < n.end <= len(term) else key[0]
            ctx.env.vars[key[0]] = VarInfo(key[0], SCALAR, written, positive=True)
    try:
        if linear:  # \sum_i \sum_j G_{ij}: only the terms j = k, summed over i
            return _linear(node, inner, term, head, wrt, label, index[0], ctx, budget, layout)
        return _gradient(node, inner, term, head, wrt, label, index[0], ctx, text, budget, layout)
    except CalculusError as exc:
        return DiffOutcome(error=str(exc))


def _unlabelled(body: t.Node) -> list[t.Node]:
    """The nodes of ``body`` that are not in a subscript (a member's label)."""
    inside = {id(x) for n in body.walk() if isinstance(n, t.Sub) for x in n.index.walk()}
    return [n for n in body.walk() if id(n) not in inside]


def _label(wrt_tree: t.Node | None) -> str | None:
    if isinstance(wrt_tree, t.Sub):
        read = label_of(wrt_tree.index)
        if read is not None and read[0] is not None and read[1] == 0:
            return str(read[0])
    return None


def _term_gradient(
    head: str, term: str, wrt: str, ctx: Context, budget: Budget, layout: str
) -> DiffOutcome:
    """The verified gradient of the outer sum ``head`` of the inner sum's one ``term``."""
    from texgrad.calculus.samples import differentiate_sum  # (samples imports this layer)

    loss = f"{head} {term}"
    loss_tree = _parsed(loss)
    if loss_tree is None:
        raise CalculusError("the inner sum's term could not be read again")
    out = differentiate_sum(loss_tree, wrt, ctx, loss, budget, layout)
    if out.error is not None or not out.verified or out.kind != "gradient":
        raise CalculusError(out.error or "the inner sum's term was not differentiated")
    return out


def _gradient(
    node: t.BigOp, inner: t.BigOp, term: str, head: str, wrt: str, label: str, index: str,
    ctx: Context, text: str, budget: Budget, layout: str,
) -> DiffOutcome:  # fmt: skip
    out = _term_gradient(head, term, wrt, ctx, budget, layout)
    summand = _summand_gradient(out)
    if summand is None:
        raise CalculusError("the inner sum's term was not differentiated summand by summand")
    negative = summand.startswith("-")
    top = summand.removeprefix("-").lstrip()
    denominator = text[inner.start : inner.end].strip()
    result = f"{'-' if negative else ''}{head} \\frac{{{top}}}{{{denominator}}}"
    ok, note = _check(node, result, wrt, label, index, ctx)
    if not ok:
        raise CalculusError(f"the derivative through the nested sums failed its check: {note}")
    w = ctx.style.symbols.get(wrt, wrt)
    return replace(
        out,
        result=result,
        differential="",
        note=note + f"; only the term `{label}` of `{denominator}` involves `{w}`",
        steps=[
            f"f = {text[node.start : node.end].strip()}",
            f"\\nabla_{{{w}}} \\log S = \\frac{{\\nabla_{{{w}}} S}}{{S}}",
            f"\\nabla_{{{w}}} f = {result}",
        ],
        function=text[node.start : node.end].strip(),
        numpy="",
        numpy_note="NumPy code is not written yet for nested sums",
        numpy_later=None,
        matrix_form="",
        where=[],
        values=None,
    )


def _linear(
    node: t.BigOp, inner: t.BigOp, term: str, head: str, wrt: str, label: str, index: str,
    ctx: Context, budget: Budget, layout: str,
) -> DiffOutcome:  # fmt: skip
    r"""``\sum_i \sum_j G_{ij}`` by the member k of the inner family: ``\sum_i \nabla
    G_{ik}``, the sum over samples of the term k differentiated as one, checked against the
    nested sums as written."""
    out = _term_gradient(head, term, wrt, ctx, budget, layout)
    ok, note = _check(node, out.result, wrt, label, index, ctx)
    if not ok:
        raise CalculusError(f"the derivative through the nested sums failed its check: {note}")
    w = ctx.style.symbols.get(wrt, wrt)
    return replace(
        out,
        note=f"{note}; only the terms `{index} = {label}` of the inner sum involve `{w}`",
        numpy="",
        numpy_note="NumPy code is not written yet for nested sums",
        numpy_later=None,
        matrix_form="",
    )


def _summand_gradient(out: DiffOutcome) -> str | None:
    r"""One summand's gradient, as the sum's steps give it (``\text{summand: } … \quad
    \nabla_{w} = g``)."""
    for step in out.steps:
        if step.startswith("\\text{summand: }"):
            at = step.find(" = ", step.find("\\quad \\nabla_"))
            return step[at + 3 :].strip() if at >= 0 else None
    return None


def _check(
    node: t.BigOp, result: str, wrt: str, label: str, index: str, ctx: Context
) -> tuple[bool, str]:
    """The result against central differences of the loss as written: the samples and the
    inner family's members sampled, the variable one of them."""
    printed = _parsed(result)
    if printed is None:
        return False, "the result could not be read back"
    inner_families, outer_families, plain = _read_families(node, index, ctx)
    if not inner_families or not outer_families:
        return False, "the families of the sums are not read"
    passed = 0
    for seed in range(6):
        rng = np.random.default_rng(500 + seed)
        try:
            at, member = _point(node, inner_families, outer_families, plain, rng)
            with np.errstate(all="raise"):
                ok = _agrees(node, printed, at, wrt, label, member, inner_families)
        except _OUTSIDE:
            continue
        if not ok:
            return False, "it differs from central differences of the loss as written"
        passed += 1
        if passed == 2:
            break
    if passed == 0:
        return False, "no random point where the loss and the result evaluate"
    return True, (
        f"verified at {passed} random point(s) by central differences of the loss as written, "
        "every sample and every member of the inner family sampled"
    )


def _read_families(
    node: t.BigOp, index: str, ctx: Context
) -> tuple[dict[str, VarInfo], dict[str, VarInfo], dict[str, VarInfo]]:
    """The inner sum's families, the outer sum's, and the other declared symbols."""
    inner: dict[str, VarInfo] = {}
    outer: dict[str, VarInfo] = {}
    plain: dict[str, VarInfo] = {}
    for n in node.walk():
        if isinstance(n, t.Sub):
            read, base = label_of(n.index), symbol_key(n.base)
            if read is None or base is None or read[1] != 0:
                continue
            declared = [
                info for k, info in ctx.env.vars.items()
                if re.fullmatch(re.escape(base[0]) + r"_\{\w\}", k)
            ]  # fmt: skip
            if declared:
                (inner if read[0] == index else outer)[base[0]] = declared[0]
        elif (key := symbol_key(n)) is not None and key[0] in ctx.env.vars:
            plain[key[0]] = ctx.env.vars[key[0]]
    return inner, outer, plain


def _point(
    node: t.BigOp, inner: dict[str, VarInfo], outer: dict[str, VarInfo],
    plain: dict[str, VarInfo], rng: np.random.Generator,
) -> tuple[dict[str, Array], int]:  # fmt: skip
    """One random point: the symbols, both families (a number of samples and of components
    distinct from every other size), the sums' bounds; and the member differentiated by."""
    shapes = {k: i.shape for k, i in plain.items()}
    for base, info in {**inner, **outer}.items():
        shapes[f"member:{base}"] = info.shape
    values, sizes = sample_inputs(shapes, rng=rng)
    taken = set(sizes.values())
    samples, components = [c for c in range(3, 40) if c not in taken][:2]
    at, member = _families(values, sizes, inner, outer, samples, components, rng)
    upper = symbol_key(node.upper) if node.upper is not None else None
    for bound, count in ((upper, samples), (_inner_upper(node), components)):
        if bound is not None:
            at[bound[0]] = np.array([[float(count)]])
    return at, member


def _inner_upper(node: t.BigOp) -> tuple[str, str | None] | None:
    for n in node.body.walk() if node.body is not None else ():
        if isinstance(n, t.BigOp) and n.upper is not None:
            return symbol_key(n.upper)
    return None


def _families(
    values: dict[str, Array], sizes: dict[str, int], inner: dict[str, VarInfo],
    outer: dict[str, VarInfo], n: int, m: int, rng: np.random.Generator,
) -> tuple[dict[str, Array], int]:  # fmt: skip
    at: dict[str, Array] = dict(values)
    for base, info in {**inner, **outer}.items():
        count = m if base in inner else n
        at.pop(f"member:{base}", None)
        members = []
        fixed = Shape(*(
            d.subs({x: sizes[str(x)] for x in d.free_symbols if str(x) in sizes})
            for d in (info.shape.rows, info.shape.cols)
        ))  # fmt: skip
        for _ in range(count):
            one, _sizes = sample_inputs(
                {"x": fixed},
                positive_definite={"x"} if info.positive_definite else set(),
                positive={"x"} if info.positive else set(),
                symmetric={"x"} if info.symmetric else set(),
                rng=rng,
            )
            members.append(np.asarray(one["x"], dtype=float))
            sizes.update({k: v for k, v in _sizes.items() if k not in sizes})
        at[f"family:{base}"] = np.stack(members)
    for k, v in sizes.items():
        at.setdefault(k, np.array([[float(v)]]))
    return at, 2  # the member differentiated by: the second component


def _agrees(
    node: t.BigOp, printed: t.Node, at: dict[str, Array], wrt: str, label: str, k: int,
    inner: dict[str, VarInfo],
) -> bool:  # fmt: skip
    base = wrt.rsplit("_{", 1)[0]
    if base not in inner:
        return False
    family = at[f"family:{base}"]

    def loss(member: Array) -> float:
        fam = family.copy()
        fam[k - 1] = member
        return float(np.asarray(evaluate(node, {**at, f"family:{base}": fam})).reshape(-1)[0])

    x0 = family[k - 1]
    fd = np.zeros_like(x0)
    h = 1e-6 * max(1.0, float(np.abs(x0).max()))
    for j in np.ndindex(x0.shape):
        up, down = x0.copy(), x0.copy()
        up[j] += h
        down[j] -= h
        fd[j] = (loss(up) - loss(down)) / (2 * h)
    named = {f"{b}_{{{label}}}": at[f"family:{b}"][k - 1] for b in inner}
    got = np.asarray(evaluate(printed, {**at, **named}), dtype=float)
    return got.shape == fd.shape and _close(got, fd)
