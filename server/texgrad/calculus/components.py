r"""The component step: a gradient written entry by entry, and the derivative with respect to
one entry (``\partial f / \partial a_{ij} = b_{ji}``).

A gradient ``G`` with respect to a matrix ``A`` holds the derivatives with respect to its
entries: ``\partial f / \partial a_{ij} = G_{ij}``.  :class:`EntryPrinter` writes
``G_{ij}`` in index notation (``(B^\top)_{ij} = b_{ji}``, ``(AB)_{ij} = \sum_k a_{ik}
b_{kj}``, ``I_{ij} = \delta_{ij}``), or as the entry of a bracket where it has no shorter
form (``((A + A^\top)x)_i``), with the entries' letters as the document writes them
(``a_{ij}`` for the entries of ``A`` where it writes them so).  What it prints is checked:
:func:`entry_agrees` evaluates it, independently of the engine
(:mod:`~texgrad.calculus.evaluate_tree`), at every entry of random points and compares it
with the gradient (itself verified against finite differences by
:mod:`~texgrad.calculus.verify`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import Array, EvaluationError
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.evaluate_tree import evaluate as evaluate_tree
from texgrad.calculus.expr import ONE, Expr
from texgrad.calculus.indices import IndexReader
from texgrad.calculus.lower import Env
from texgrad.calculus.printing import Style, latex
from texgrad.calculus.sampling import sample_inputs
from texgrad.reading.source import MappedText
from texgrad.shapes.dims import Shape
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row

_SPARE = "klpqrstuvwmn"  # indices for the sums an entry needs (after i, j)


@dataclass(frozen=True)
class Entry:
    """The entry differentiated by: its indices, whether it is written with the lower-case
    letter (``a_{ij}`` of A), and as written."""

    names: tuple[str, ...]
    lower: bool
    written: str


@dataclass(frozen=True)
class Component:
    """``\\partial f / \\partial a_{ij}``: the entry's LaTeX, the derivation's line, and
    whether the entry as printed agrees with the gradient."""

    entry: str
    line: str
    agrees: bool


def lower_case_entries(tree: t.Node, env: Env) -> bool:
    """Whether the formula writes entries with the lower-case letter of a declared matrix
    or vector (``a_{ij}`` of A)."""
    for n in tree.walk():
        if isinstance(n, t.Sub) and isinstance(n.base, t.Symbol) and len(n.base.name) == 1:
            name = n.base.name
            if name.islower() and name not in env.vars and name.upper() in env.vars:
                return True
    return False


def entry_spellings(tree: t.Node, env: Env) -> dict[str, str]:
    r"""The variables whose entries the formula writes with the plain letter of a bold or
    otherwise styled vector or matrix: ``x_j``, ``y_i`` of ``\mathbf{x}``, ``\mathbf{y}``
    (the derivative by an entry is written so too, not ``\mathbf{x}_l``)."""
    reader = IndexReader(env)
    out: dict[str, str] = {}
    for n in tree.walk():
        if not isinstance(n, t.Sub) or not isinstance(n.base, t.Symbol) or n.base.font:
            continue
        found = reader.entry_var(n)
        if found is not None and found[0].name == n.base.name:
            out[found[0].name] = n.base.name
    return out


class EntryPrinter:
    """Writes the entry ``(r, c)`` of a matrix expression in index notation; None where it
    has no form of its own (the caller then writes the entry of a bracket)."""

    def __init__(
        self, style: Style, env: Env, lower: bool, taken: set[str],
        spelled: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.spelled = spelled or {}  # a variable's entries as the document spells them
        self.style = style
        self.env = env
        self.lower = lower
        self.spare: Iterator[str] = iter([s for s in _SPARE if s not in taken])

    def letter(self, name: str) -> str:
        if self.lower and len(name) == 1 and name.isupper() and name.lower() not in self.env.vars:
            return name.lower()
        info = self.env.vars.get(name)
        return self.style.symbols.get(name, info.latex if info is not None else name)

    def entry(self, x: Expr, r: str | None, c: str | None) -> str | None:
        if x.is_scalar:
            text = latex(x, self.style)
            return text if isinstance(x, (e.Num, e.Var)) else f"\\left({text}\\right)"
        if isinstance(x, e.Var):
            return self._var(x, r, c)
        if isinstance(x, e.T):
            return self.entry(x.arg, c, r)
        if isinstance(x, e.Identity) and r is not None and c is not None:
            return f"\\delta_{{{r}{c}}}"
        if isinstance(x, e.Ones):
            return "1"
        if isinstance(x, e.Add):
            return self._sum(x, r, c)
        if isinstance(x, e.Mul):
            return self._product(x, r, c)
        if isinstance(x, e.Had):
            parts = [self._factor(a, r, c) for a in x.args]
            return None if None in parts else " ".join(p for p in parts if p)
        if isinstance(x, e.HPow):
            base = self._factor(x.arg, r, c)
            return None if base is None else f"{base}^{{{latex(e.num(x.exp), self.style)}}}"
        if isinstance(x, e.DiagM) and r is not None and r == c:
            return self._factor(x.arg, r, None)  # diag(v)_{ii} = v_i
        if isinstance(x, e.DiagM) and r is not None and c is not None:
            inner = self._factor(x.arg, r, None)
            return None if inner is None else f"{inner} \\delta_{{{r}{c}}}"
        if isinstance(x, e.DiagV) and r is not None and c is None:
            return self._factor(x.arg, r, r)  # diag(M)_i = M_{ii}
        if isinstance(x, e.Elem):  # (e^{x})_k = e^{x_k}
            inner = self.entry(x.arg, r, c)
            at = e.var(inner, Shape(ONE, ONE)) if inner is not None else None
            return latex(e.elem(x.fn, at), self.style) if at is not None else None
        return None

    def _var(self, x: e.Var, r: str | None, c: str | None) -> str | None:
        letter = self.spelled.get(x.name) or self.letter(x.name)
        if x.cols == ONE:
            return f"{letter}_{r}" if r is not None and c is None else None
        if x.rows == ONE:
            return f"{letter}_{c}" if c is not None and r is None else None
        return f"{letter}_{{{r}{c}}}" if r is not None and c is not None else None

    def _factor(self, x: Expr, r: str | None, c: str | None) -> str | None:
        text = self.entry(x, r, c)
        if text is not None and isinstance(x, e.Add):
            return f"\\left({text}\\right)"
        return text

    def _sum(self, x: e.Add, r: str | None, c: str | None) -> str | None:
        parts = [self.entry(a, r, c) for a in x.terms]
        if None in parts:
            return None
        text = " + ".join(p for p in parts if p)
        return text.replace("+ -", "- ")

    def _product(self, x: e.Mul, r: str | None, c: str | None) -> str | None:
        scalars = [f for f in x.factors if f.is_scalar]
        chain = [f for f in x.factors if not f.is_scalar]
        if not chain:
            return None
        indices: list[str | None] = [r]
        sums: list[str] = []
        for left in chain[:-1]:
            if left.cols == ONE:
                indices.append(None)
            else:
                k = next(self.spare, None)
                if k is None:
                    return None
                indices.append(k)
                sums.append(k)
        indices.append(c)
        _diagonal_indices(chain, indices, sums)
        parts = [self._factor(f, indices[n], indices[n + 1]) for n, f in enumerate(chain)]
        if None in parts:
            return None
        coefficient = ""
        if scalars:
            coefficient = latex(e.mul(*scalars), self.style)
            coefficient = "-" if coefficient == "-1" else coefficient
            if not isinstance(e.mul(*scalars), (e.Num, e.Var)) and coefficient != "-":
                coefficient = f"\\left({coefficient}\\right)"
        body = " ".join(p for p in parts if p and p != "1")
        if sums:
            body = f"\\sum_{{{','.join(sums)}}} {body}"
        return f"{coefficient} {body}".strip() if coefficient != "-" else f"-{body}"


def _diagonal_indices(chain: list[Expr], indices: list[str | None], sums: list[str]) -> None:
    """A diagonal matrix in a product joins its two indices: ``(\\operatorname{diag}(v) M)_{ij}``
    is ``v_i M_{ij}``, not ``\\sum_k \\delta_{ik} v_i M_{kj}`` (a summed index is replaced)."""
    for n, f in enumerate(chain):
        if not isinstance(f, e.DiagM):
            continue
        p, q = indices[n], indices[n + 1]
        for old, new in ((q, p), (p, q)):
            if old is not None and new is not None and old in sums:
                indices[:] = [new if k == old else k for k in indices]
                sums.remove(old)
                break


def entry_text(
    x: Expr, names: tuple[str, ...], style: Style, env: Env, lower: bool,
    spelled: dict[str, str] | None = None,
) -> tuple[str, tuple[str | None, str | None]]:  # fmt: skip
    """The entry ``names`` of ``x`` (one index for a vector, two for a matrix) in index
    notation, and the indices as (row, column)."""
    r, c = (names[0], None) if x.cols == ONE else (names[0], names[1])
    text = EntryPrinter(style, env, lower, set(names) | _dimensions(x), spelled).entry(x, r, c)
    return text or bracket_entry(x, (r, c), style), (r, c)


def bracket_entry(x: Expr, at: tuple[str | None, str | None], style: Style) -> str:
    """The entry ``at`` of ``x`` written as the entry of a bracket: ``((A + A^\top)x)_i``."""
    written = "".join(n for n in at if n is not None)
    return f"\\left({latex(x, style)}\\right)_{{{written}}}"


def _dimensions(x: Expr) -> set[str]:
    """The names of the dimensions in ``x`` (p of A ∈ ℝ^{m×p}): no summed index is named so."""
    out: set[str] = set()
    for n in x.walk():
        for d in (n.rows, n.cols):
            out |= {str(s) for s in getattr(d, "free_symbols", ())}
    return out


def entry_agrees(
    text: str, g: Expr, at: tuple[str | None, str | None], shapes: dict[str, Shape]
) -> bool:
    """Whether the entry ``text`` (free indices ``at``), evaluated from its own writing,
    equals the entry of ``g`` at every index, at two random points."""
    row = parse_row(MappedText.identity(text))
    if row.tree is None:
        return False
    passed = 0
    for attempt in range(6):
        rng = np.random.default_rng(500 + attempt)
        positive = set(shapes) if attempt >= 3 else set()
        try:
            values, sizes = sample_inputs(shapes, positive=positive, rng=rng)
            with np.errstate(all="raise"):
                want = evaluate(g, values, sizes)
                written = {**values, **{k: np.array([[float(v)]]) for k, v in sizes.items()}}
                got = _entries(row.tree, written, want.shape, at)
        except (EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
                OverflowError, ValueError, KeyError):  # fmt: skip
            continue
        if at[0] is not None and at[0] == at[1]:
            want = np.diag(np.diag(want))
        if not _same(got, want):
            return False
        passed += 1
        if passed == 2:
            return True
    return False


def _entries(
    tree: t.Node,
    values: dict[str, Array],
    shape: tuple[int, ...],
    at: tuple[str | None, str | None],
) -> Array:
    out = np.zeros(shape)
    r, c = at
    for i in range(shape[0]):
        for j in range(shape[1]):
            if r is not None and r == c and i != j:
                continue  # ∂f_i/∂x_i: only the diagonal is written
            index = {k: v for k, v in ((r, i), (c, j)) if k is not None}
            out[i, j] = float(evaluate_tree(tree, values, at=index)[0, 0])
    return out


def component(
    g: Expr,
    v: e.Var,
    names: tuple[str, ...] | None,
    style: Style,
    env: Env,
    lower: bool,
    row: str | None = None,
    spelled: dict[str, str] | None = None,
) -> Component:
    """``\\partial f / \\partial a_{ij} = G_{ij}`` for the gradient ``g`` by ``v``, in index
    notation, checked (see :func:`entry_agrees`; ``spelled``: variables whose entries the
    document writes in another font, ``a_k`` of a ``\\mathbf a``); with ``row``, ``\\partial f_i /
    \\partial x_j = J_{ij}`` for the Jacobian ``g`` of the vector whose entry ``f_row`` is."""
    if names is None:
        names = ("i",) if v.cols == ONE else ("i", "j")
    if row is not None:
        text, at = entry_text(g, (row, names[0]), style, env, lower, spelled)
    else:
        text, at = entry_text(g, names, style, env, lower, spelled)
    # (the variable's own shape too: a dimension of the gradient may be nowhere else, as n
    # of the ones in A^\top \mathbf{1}\mathbf{1}^\top, by b_{kl} of B ∈ ℝ^{q×n})
    shapes = {v.name: v.shape, **{x.name: x.shape for x in g.walk() if isinstance(x, e.Var)}}
    agrees = entry_agrees(text, g, at, shapes)
    bracket = bracket_entry(g, at, style)
    if not agrees and text != bracket and entry_agrees(bracket, g, at, shapes):
        text, agrees = bracket, True  # (an index form that does not read back: the bracket)
    by = names[0] if row is not None else None
    wrt = EntryPrinter(style, env, lower, set(), spelled).entry(
        v, *(at if row is None else (by, None))
    )
    f = "f" if row is None else f"f_{row}"
    line = f"\\frac{{\\partial {f}}}{{\\partial {wrt or v.name}}} = {text}"
    return Component(text, line, agrees)


def components_as_written(tree: t.Node, f: Expr, free: str, einstein: bool) -> bool:
    """Whether the formula as written, evaluated at each value of its free index ``free``
    (by :mod:`~texgrad.calculus.evaluate_tree`), is the vector ``f`` the engine read, at two
    random points."""
    shapes = {x.name: x.shape for x in f.walk() if isinstance(x, e.Var)}
    node = tree.items[-1] if isinstance(tree, t.Chain) and tree.items[-1] is not None else tree
    passed = 0
    for attempt in range(6):
        rng = np.random.default_rng(700 + attempt)
        try:
            values, sizes = sample_inputs(shapes, rng=rng)
            with np.errstate(all="raise"):
                want = evaluate(f, values, sizes)
                written = {**values, **{k: np.array([[float(v)]]) for k, v in sizes.items()}}
                got = np.array([
                    [float(evaluate_tree(node, written, einstein=einstein, at={free: i})[0, 0])]
                    for i in range(want.shape[0])
                ])  # fmt: skip
        except (EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
                OverflowError, ValueError, KeyError):  # fmt: skip
            continue
        if not _same(got, want):
            return False
        passed += 1
        if passed == 2:
            return True
    return False


def _same(got: Array, want: Array) -> bool:
    """Equal entries, to rounding (relative to the larger entries of ``want``)."""
    if got.shape != want.shape:
        return False
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    return bool(np.allclose(got, want, rtol=1e-8, atol=1e-8 * scale))


__all__ = [
    "Component",
    "Entry",
    "EntryPrinter",
    "component",
    "components_as_written",
    "entry_agrees",
    "entry_spellings",
    "entry_text",
]
