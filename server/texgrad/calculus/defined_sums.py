r"""Names the document defines by a sum over samples, used in the row differentiated.

The scatter matrix ``S = \sum_{n=1}^N (\mathbf{x}_n - \boldsymbol\mu)(\mathbf{x}_n -
\boldsymbol\mu)^\top`` used in ``\frac{N}{2}\log\det\Sigma + \frac{1}{2}\operatorname{tr}(\Sigma^{-1}S)``:

- by a variable its definition does not involve (Σ), S is a constant matrix of its
  summand's shape, symmetric where the summand is by its form (``\mathbf{u}\mathbf{u}^\top``):
  :func:`held_sums` declares it so, and the answer keeps its name
  (``\frac{N}{2}\Sigma^{-1} - \frac{1}{2}\Sigma^{-1}S\Sigma^{-1}``), verified with S sampled as
  any constant of that kind (the rule holds for every such S);
- by one it involves (μ), the definition is written in where S enters linearly — a factor
  of a trace's product or of a scalar product — and the sum taken outside
  (``\operatorname{tr}(\Sigma^{-1}\sum_n A_n) = \sum_n \operatorname{tr}(\Sigma^{-1}A_n)``):
  :func:`summed_out` gives that row's text, which ``samples.py`` differentiates and verifies
  as any loss summed over samples.

A loss the document names, defined by a sum over samples and called as a term of a larger
one (PRML's ``E_\alpha(\mathbf w) = E(\mathbf w) + \frac{\alpha}{2}\mathbf w^\top\mathbf w``
of ``E(\mathbf w) = -\sum_{n=1}^N …``): :func:`terms_written_in` writes its definition in,
printed from its tree (it may stand in another row, or another file of the project).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from texgrad.calculus.context import Context
from texgrad.calculus.derive import _relevant
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.lower import FunctionDef, Lowerer, VarInfo, _symmetric_value
from texgrad.calculus.samples import NotSamples, is_sample_sum, summand_value
from texgrad.calculus.written import as_application
from texgrad.reading.macros import MacroTable, expand
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key


def _sum_of(body: t.Node) -> tuple[tuple[t.Node, ...], t.BigOp] | None:
    r"""The scalars before a definition's sum and the sum (``\frac{1}{N}``, ``\sum_n …``)."""
    factors = body.factors if isinstance(body, t.Product) else (body,)
    last = factors[-1]
    if not isinstance(last, t.BigOp) or last.op != "\\sum" or last.body is None:
        return None
    if any(isinstance(n, t.BigOp) for f in factors[:-1] for n in f.walk()):
        return None
    return tuple(factors[:-1]), last


def _summed_names(tree: t.Node, ctx: Context) -> dict[str, tuple[FunctionDef, t.BigOp, Expr]]:
    """The names ``tree`` uses that the document defines (without parameters) as scalars
    times a sum over samples: each with its definition, the sum and one summand read."""
    sides = tree.items[1:] if isinstance(tree, t.Chain) else (tree,)  # not L of L = …
    marks = {  # F of \|X\|_F: the norm's name, not a name the document defines
        id(m) for s in sides if s is not None for n in s.walk()
        if isinstance(n, t.Norm) and n.p is not None for m in n.p.walk()
    }  # fmt: skip
    used = {
        k[0] for s in sides if s is not None for n in s.walk()
        if id(n) not in marks and (k := symbol_key(n))
    }  # fmt: skip
    inside = {id(n) for n in tree.walk()}
    out: dict[str, tuple[FunctionDef, t.BigOp, Expr]] = {}
    for key in sorted(used):
        fdef = ctx.env.functions.get(key)
        if fdef is None or fdef.params or key in ctx.env.vars or id(fdef.body) in inside:
            continue
        found = _sum_of(fdef.body)
        if found is None:
            continue
        coefficient, total = found
        try:
            value = summand_value(total, ctx)
            lowerer = Lowerer(ctx.env)
            if not all(lowerer.lower(c).is_scalar for c in coefficient):
                continue
        except (NotSamples, CalculusError, RecursionError):
            continue
        out[key] = (fdef, total, value)
    return out


def held_sums(tree: t.Node, wrt: str, ctx: Context) -> Context:
    r"""``ctx`` with each name ``tree`` uses, defined by a sum over samples that does not
    involve ``wrt`` (even through other definitions), read as a constant of its summand's
    shape (symmetric where the summand is by its form)."""
    summed = _summed_names(tree, ctx)
    if not summed:  # (most rows: no walk of every definition for what involves wrt)
        return ctx
    _, constant = _relevant(ctx.env, wrt)
    added: dict[str, VarInfo] = {}
    for key, (_, _, value) in summed.items():
        if key in constant and key != wrt:
            symbols = ctx.style.symbols
            symmetric = _symmetric_value(value)
            added[key] = VarInfo(key, value.shape, symbols.get(key, key), symmetric=symmetric)
    if not added:
        return ctx
    env = ctx.env
    functions = {k: f for k, f in env.functions.items() if k not in added}
    return replace(ctx, env=replace(env, vars={**env.vars, **added}, functions=functions))


def _linear_place(tree: t.Node, name: t.Node) -> t.Node | None:
    r"""The node to sum over where ``name`` enters linearly: the trace whose argument is it
    or a product holding it as a factor (``\operatorname{tr}(\Sigma^{-1}S)``), else the
    product holding it as a factor (``\mathbf{a}^\top S\mathbf{a}``); None elsewhere."""
    for node in tree.walk():
        if isinstance(node, t.Apply) and isinstance(node.func, t.Func) and node.func.name == "tr":
            if node.func.sub is not None or node.func.sup is not None or len(node.args) != 1:
                continue
            arg = node.args[0]
            if arg is name or (isinstance(arg, t.Product) and any(f is name for f in arg.factors)):
                return node
    for node in tree.walk():
        if isinstance(node, t.Product) and any(f is name for f in node.factors):
            return node
    return None


def summed_out(
    tree: t.Node, wrt: str, ctx: Context, text: str, macros: Callable[[], MacroTable]
) -> tuple[t.Node, str] | None:
    r"""The row ``tree`` (written at its offsets in ``text``) with each name it uses that is
    defined by a sum over samples involving ``wrt`` written in and its sum taken outside
    the trace or product where the name enters linearly (``\frac{1}{2}\sum_{n=1}^N
    \operatorname{tr}(\Sigma^{-1}((\mathbf{x}_n - \boldsymbol\mu)(\mathbf{x}_n -
    \boldsymbol\mu)^\top))``), parsed through the document's macros (``macros()``), and that text;
    None where there is none, or one that enters otherwise or more than once (left to the
    ordinary reading and its words)."""
    _, constant = _relevant(ctx.env, wrt)
    summed = {k: v for k, v in _summed_names(tree, ctx).items() if k not in constant}
    if not summed:
        return None
    used = {k[0] for n in tree.walk() if (k := symbol_key(n)) is not None}
    edits: list[tuple[int, int, str]] = []
    for key, (fdef, total, _) in summed.items():
        places = [n for n in tree.walk() if isinstance(n, t.Symbol) and _key(n) == key]
        index = {
            k[0] for n in (total.lower,) if n is not None for m in n.walk() if (k := symbol_key(m))
        }
        place = _linear_place(tree, places[0]) if len(places) == 1 else None
        if (
            place is None
            or index & used
            or any(s <= place.start < e or place.start <= s < place.end for s, e, _ in edits)
        ):
            written = ctx.style.symbols.get(key, key)
            raise CalculusError(
                f"`{written}` is defined by a sum over samples that involves the variable: "
                "the derivative through it is taken where it enters once and linearly (a "
                "factor of a trace or of a product), not here"
            )
        coefficient, _ = _sum_of(fdef.body) or ((), total)
        assert total.body is not None
        name = places[0]
        head = "".join(f"{latex_of(c)} " for c in coefficient)
        bounds = f"\\sum_{{{latex_of(total.lower)}}}" if total.lower is not None else "\\sum"
        if total.upper is not None:
            bounds += f"^{{{latex_of(total.upper)}}}"
        bounds = _head_as_written(total, text, macros) or bounds
        inner = text[place.start : name.start] + _factor(total.body) + text[name.end : place.end]
        piece = f"{head}{bounds} {inner}"
        if not _delimited(tree, place):  # tr(S)^2: (\sum_n tr(…))^2, not \sum_n tr(…)^2
            piece = f"\\left({piece}\\right)"
        edits.append((place.start, place.end, piece))
    out = text[tree.start : tree.end]
    for start, end, new in sorted(edits, reverse=True):
        out = out[: start - tree.start] + new + out[end - tree.start :]
    expanded, _ = expand(MappedText.identity(out), macros())
    node = parse_row(expanded).tree
    return (node, out) if node is not None else None


# where a sum written in place of a node takes no more than that node (or only factors
# that do not change with its index: the rest of a product)
_DELIMITING = (t.Add, t.Neg, t.Frac, t.Sqrt, t.Paren, t.Chain, t.Product, t.Norm, t.Abs)


def _delimited(tree: t.Node, place: t.Node) -> bool:
    """Whether ``place`` is ``tree`` or a child of a node that delimits it."""
    if place is tree:
        return True
    for node in tree.walk():
        if any(c is place for c in node.children()):
            return isinstance(node, _DELIMITING) or (isinstance(node, t.Apply) and node.parens)
    return False


def _factor(summand: t.Node) -> str:
    """The summand written as a factor of a product: bracketed where it is a sum."""
    written = latex_of(summand)
    return f"\\left({written}\\right)" if isinstance(summand, t.Add | t.Neg | t.BinOp) else written


def _key(node: t.Node) -> str | None:
    k = symbol_key(node)
    return k[0] if k is not None else None


def terms_written_in(
    tree: t.Node, ctx: Context, text: str, macros: Callable[[], MacroTable]
) -> tuple[t.Node, str] | None:
    r"""The right side of the row ``tree`` (written at its offsets in ``text``) with each
    of its terms that names a loss defined by a sum over samples (``E(\mathbf w)``, called
    with its own parameters, or ``E``) written in as that definition, bracketed, parsed
    through the document's macros, and that text; None where no term does."""
    if isinstance(tree, t.Chain) and (len(tree.items) != 2 or tree.relations != ("=",)):
        return None
    side = tree.items[1] if isinstance(tree, t.Chain) else tree
    while isinstance(side, t.Paren) and side.open in ("(", "\\left(") and side.body is not None:
        side = (
            side.body
        )  # \nabla\left(\ell(\boldsymbol\beta) - \frac{\lambda}{2}\|\boldsymbol\beta\|^2\right)
    if side is None:
        return None
    terms = side.terms if isinstance(side, t.Add) else (side,)
    edits: list[tuple[int, int, str]] = []
    for n, term in enumerate(terms):
        node = term.operand if isinstance(term, t.Neg) else term
        body = _named_sum(node, ctx)
        if body is None:
            continue
        written = _as_written(body, text, macros)
        if n > 0 or node is not term:  # (first, the sum as written: -\sum_n …, no -1 \sum_n)
            written = f"\\left({written}\\right)"
        edits.append((node.start, node.end, written))
    if not edits:
        return None
    out = text[side.start : side.end]
    for start, end, new in sorted(edits, reverse=True):
        out = out[: start - side.start] + new + out[end - side.start :]
    expanded, _ = expand(MappedText.identity(out), macros())
    parsed = parse_row(expanded).tree
    return (parsed, out) if parsed is not None and is_sample_sum(parsed, ctx.env) else None


def _head_as_written(total: t.BigOp, text: str, macros: Callable[[], MacroTable]) -> str:
    r"""``\sum_{n=1}^{N}`` of a sum as the document writes it, where ``text`` holds it at its
    offsets; "" otherwise."""
    if total.body is None or not 0 <= total.start < total.body.start <= len(text):
        return ""
    head = text[total.start : total.body.start].strip()
    expanded, _ = expand(MappedText.identity(f"{head} a"), macros())
    again = parse_row(expanded).tree
    if not (isinstance(again, t.BigOp) and again.op == total.op):
        return ""
    same = all(
        (x is None) == (y is None) and (x is None or y is None or latex_of(x) == latex_of(y))
        for x, y in ((again.lower, total.lower), (again.upper, total.upper))
    )
    return head if same else ""


def _as_written(body: t.Node, text: str, macros: Callable[[], MacroTable]) -> str:
    r"""A definition's right side as the document writes it (``\sum_{i=1}^{N}``, its own
    spacing and macros) where ``text`` holds it at its offsets (the same row read back); else
    printed from its tree (a definition in another file)."""
    printed = latex_of(body)
    if not 0 <= body.start < body.end <= len(text):
        return printed
    source = text[body.start : body.end].strip()
    expanded, _ = expand(MappedText.identity(source), macros())
    again = parse_row(expanded).tree
    return source if again is not None and latex_of(again) == printed else printed


def _named_sum(node: t.Node, ctx: Context) -> t.Node | None:
    """The definition ``node`` names where it is a sum over samples (a name without
    parameters, or a call whose arguments are its parameters as written); else None."""
    node = as_application(node)  # E(\mathbf w): read as a product of E and a bracket
    if isinstance(node, t.Apply):
        head, args = node.func, node.args
    elif isinstance(node, t.Symbol | t.Sub):
        head, args = node, ()
    else:
        return None
    key = symbol_key(head)
    fdef = ctx.env.functions.get(key[0]) if key is not None else None
    if fdef is None or key is None or key[0] in ctx.env.vars:
        return None
    keys = tuple(k[0] if (k := symbol_key(a)) is not None else "" for a in args)
    if keys != fdef.params:
        return None
    return fdef.body if is_sample_sum(fdef.body, ctx.env) else None
