r"""A syntax tree printed back as LaTeX, for messages that quote what the document wrote.

``x^\top A x`` prints as ``x^\top A x`` (not as the tree :mod:`~texgrad.syntax.show` gives
for tests): a message that cannot read something quotes it in the document's own notation.
Spacing is normalised and macros appear expanded; the structure is the document's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from texgrad.syntax import tree as t

_ENV_DELIMS = {"pmatrix": "()", "bmatrix": "[]", "vmatrix": "||", "Bmatrix": "{}"}


def latex_of(node: t.Node | None) -> str:
    """``node`` as LaTeX ("" for a missing node)."""
    if node is None:
        return ""
    how = _PRINTERS.get(type(node))
    if how is not None:
        return how(node)
    return " ".join(latex_of(c) for c in node.children())


def _group(node: t.Node | None) -> str:
    s = latex_of(node)
    return s if len(s) == 1 else "{" + s + "}"


def _symbol(n: t.Symbol) -> str:
    name = f"\\{n.font}{{{n.name}}}" if n.font else n.name
    for accent in n.accents:
        name = f"\\{accent}{{{name}}}"
    return name


def _text(n: t.Text) -> str:
    return n.text


def _chain(n: t.Chain) -> str:
    parts: list[str] = []
    for i, item in enumerate(n.items):
        if item is not None:
            parts.append(latex_of(item))
        if i < len(n.relations):
            parts.append(n.relations[i])
    return " ".join(parts)


def _add(n: t.Add) -> str:
    parts = [f"{s} {latex_of(x)}".strip() for s, x in zip(n.signs, n.terms, strict=True)]
    return " ".join(parts) + (f" {n.trailing}" if n.trailing else "")


def _binop(n: t.BinOp) -> str:
    return f"{latex_of(n.left)} {n.op} {latex_of(n.right)}".rstrip()


def _frac(n: t.Frac) -> str:
    if n.command == "over":
        return f"{{{latex_of(n.num)} \\over {latex_of(n.den)}}}"
    return f"\\{n.command}{{{latex_of(n.num)}}}{{{latex_of(n.den)}}}"


def _sqrt(n: t.Sqrt) -> str:
    index = f"[{latex_of(n.index)}]" if n.index is not None else ""
    return f"\\sqrt{index}{{{latex_of(n.body)}}}"


def _power(n: t.Power) -> str:
    return f"{latex_of(n.base)}^{_group(n.exponent)}"


def _transpose(n: t.Transpose) -> str:
    mark = (
        n.mark if n.mark in ("'", "^T") else f"^{n.mark}" if not n.mark.startswith("^") else n.mark
    )
    return f"{latex_of(n.base)}{mark}"


def _inverse_transpose(n: t.InverseTranspose) -> str:
    return f"{latex_of(n.base)}^{{-{n.mark.lstrip('^')}}}"


def _sub(n: t.Sub) -> str:
    return f"{latex_of(n.base)}_{_group(n.index)}"


def _tagged(n: t.Tagged) -> str:
    close = {"(": ")", "[": "]"}.get(n.bracket, "")
    return f"{latex_of(n.base)}^{{{n.bracket}{latex_of(n.tag)}{close}}}"


def _paren(n: t.Paren) -> str:
    return f"{n.open}{latex_of(n.body)}{n.close}"


def _norm(n: t.Norm) -> str:
    p = f"_{_group(n.p)}" if n.p is not None else ""
    return f"\\|{latex_of(n.body)}\\|{p}"


# operators LaTeX itself defines (\log); any other name is written \operatorname{tr}
_LATEX_OPERATORS = frozenset(
    "arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd hom inf ker lg lim "
    "liminf limsup ln log max min Pr sec sin sinh sup tan tanh".split()
)


def _spaced(delim: str) -> str:
    r"""A delimiter command followed by a space (``\lfloor x``), not run into a letter."""
    return delim + " " if delim[-1:].isalpha() else delim


def _func(n: t.Func) -> str:
    bare = n.name.lstrip("\\")
    name = f"\\{bare}" if bare in _LATEX_OPERATORS else f"\\operatorname{{{bare}}}"
    sub = f"_{_group(n.sub)}" if n.sub is not None else ""
    sup = f"^{_group(n.sup)}" if n.sup is not None else ""
    return name + sub + sup


def _apply(n: t.Apply) -> str:
    args = ", ".join(latex_of(a) for a in n.args)
    return f"{latex_of(n.func)}({args})" if n.parens else f"{latex_of(n.func)} {args}"


def _bigop(n: t.BigOp) -> str:
    lower = f"_{_group(n.lower)}" if n.lower is not None else ""
    upper = f"^{_group(n.upper)}" if n.upper is not None else ""
    return f"{n.op}{lower}{upper} {latex_of(n.body)}".rstrip()


def _matrix(n: t.Matrix | t.Cases | t.Aligned) -> str:
    rows = " \\\\ ".join(" & ".join(latex_of(c) for c in row) for row in n.rows)
    return f"\\begin{{{n.env}}} {rows} \\end{{{n.env}}}"


def _nabla(n: t.Nabla) -> str:
    wrt = f"_{_group(n.wrt)}" if n.wrt is not None else ""
    order = f"^{_group(n.order)}" if n.order is not None else ""
    return f"\\nabla{wrt}{order} {latex_of(n.body)}".rstrip()


def _partial(n: t.Partial) -> str:
    wrt = f"_{_group(n.wrt)}" if n.wrt is not None else ""
    return f"\\partial{wrt} {latex_of(n.body)}".rstrip()


def _space(n: t.Space) -> str:
    dims = " \\times ".join(latex_of(d) for d in n.dims)
    sup = f"^{{{dims}}}" if dims else ""
    sub = f"_{_group(n.sub)}" if n.sub is not None else ""
    return f"\\mathbb{{{n.field}}}{sup}{sub}"


def _derivative(n: t.Derivative) -> str:
    d = "\\partial" if n.partial else "\\mathrm{d}"
    den = " ".join(f"{d} {latex_of(w)}" for w in n.wrt)
    return f"\\frac{{{d} {latex_of(n.body)}}}{{{den}}}"


_PRINTERS: dict[type, Callable[[Any], str]] = {
    t.Symbol: _symbol,
    t.Number: lambda n: n.text,
    t.Dots: lambda n: n.text,
    t.Text: _text,
    t.Opaque: lambda n: n.text,
    t.Unread: lambda n: "\\dots",
    t.Empty: lambda n: "",
    t.Sequence: lambda n: " \\quad ".join(latex_of(x) for x in n.items),
    t.Chain: _chain,
    t.List: lambda n: ", ".join(latex_of(x) for x in n.items),
    t.Add: _add,
    t.Neg: lambda n: f"{n.sign}{latex_of(n.operand)}",
    t.Product: lambda n: " ".join(latex_of(f) for f in n.factors),
    t.BinOp: _binop,
    t.Frac: _frac,
    t.Binom: lambda n: f"\\binom{{{latex_of(n.top)}}}{{{latex_of(n.bottom)}}}",
    t.Sqrt: _sqrt,
    t.Power: _power,
    t.Transpose: _transpose,
    t.InverseTranspose: _inverse_transpose,
    t.Prime: lambda n: latex_of(n.base) + "'" * n.count,
    t.Sub: _sub,
    t.Tagged: _tagged,
    t.Factorial: lambda n: f"{latex_of(n.base)}!",
    t.Paren: _paren,
    t.Abs: lambda n: f"|{latex_of(n.body)}|",
    t.Norm: _norm,
    t.Angle: lambda n: "\\langle " + ", ".join(latex_of(x) for x in n.items) + " \\rangle",
    t.Delimited: lambda n: f"{_spaced(n.open)}{latex_of(n.body)}{n.close}",
    t.Func: _func,
    t.Apply: _apply,
    t.BigOp: _bigop,
    t.Nabla: _nabla,
    t.Partial: _partial,
    t.Derivative: _derivative,
    t.Differential: lambda n: f"\\mathrm{{d}}{latex_of(n.body)}",
    t.Font: lambda n: f"\\{n.font}{{{latex_of(n.body)}}}",
    t.Accent: lambda n: f"\\{n.accent}{{{latex_of(n.body)}}}",
    t.Overset: lambda n: f"\\{n.command}{{{latex_of(n.annotation)}}}{{{latex_of(n.base)}}}",
    t.Space: _space,
    t.Matrix: _matrix,
    t.Cases: _matrix,
    t.Aligned: _matrix,
}
