r"""Index notation, the component-wise method: a formula written with entries and sums read
as the matrix expression it is.

``\sum_{i,k} a_{ik} b_{ki}`` is ``\operatorname{tr}(AB)``, ``\sum_{i,j} x_i A_{ij} x_j`` is
``x^\top A x``, ``\sum_{i,j} \delta_{ij} a_{ij}`` is ``\operatorname{tr}(A)``: the engine then
differentiates the matrix expression as any other.  What is read:

- entries ``A_{ij}``, ``x_i`` of declared matrices and vectors, and ``a_{ij}``, the entries
  of a declared ``A`` written with the lower-case letter as textbooks do (a lower-case
  letter declared itself names its own entries); entries of an expression,
  ``(AB)_{ij}``, ``(A^\top)_{ij}``, ``(Ax)_i``; the Kronecker delta ``\delta_{ij}``;
- sums ``\sum_k``, ``\sum_{i,j}``, ``\sum_i \sum_j``, ``\sum_{i=1}^n`` (over all the entries:
  a bound that is not the size of what the index runs over is refused);
- products, quotients, powers and elementwise functions (``\log x_i``) of entries;
- with the Einstein convention (the document says so: :func:`says_einstein`), an index
  repeated in a product is summed there (``a_{ik} b_{kj}``).

A free index left in the whole formula that is repeated — ``i`` in
``\sum_k a_{ik} b_{ki}`` — is read as summed too: the function is then the number
``\sum_i \sum_k a_{ik} b_{ki} = \operatorname{tr}(AB)``, the reading of the textbook step
``\partial/\partial a_{ij} \sum_k a_{ik} b_{ki} = b_{ji}`` in the proof of
``\nabla_A \operatorname{tr}(AB) = B^\top`` (the index ``i`` of the entry differentiated by
is a new one).  A free index that is not repeated leaves an entry of a vector or matrix,
not a number: that is refused, naming the index.

A product of entries becomes matrix products (an index summed in exactly two factors),
Hadamard products (factors over the same indices), a diagonal scaling, an outer product,
or a sum by a ones vector or a trace; what has no such reading (three free indices) is
refused.  The independent evaluator of the formula as written
(:mod:`~texgrad.calculus.evaluate_tree`) reads the same notation with its own readers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.expr import ONE, CalculusError, Expr
from texgrad.calculus.functions import named_function
from texgrad.calculus.lower import Env, Lowerer, big_op_refusal
from texgrad.calculus.sympy_dims import Dim, same
from texgrad.calculus.written import (
    FUNCTION_NAMES,
    function_name,
    index_names,
    sum_index,
    unread_sum_index,
    written_latex,
)
from texgrad.casefold import folded, folded_pattern
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import member_key, symbol_key

_EINSTEIN = re.compile(
    r"texgrad:\s*einstein|einstein(?:'s)?\s+(?:summation\s+)?(?:convention|notation|summation)"
    r"|repeated\s+ind(?:ices|exes)\s+(?:are|is)\s+(?:implicitly\s+)?summed"
    r"|summation\s+over\s+repeated\s+ind(?:ices|exes)",
    re.IGNORECASE,
)


_EINSTEIN_FOLDED = folded_pattern(_EINSTEIN.pattern)  # (the same, fast)


@functools.lru_cache(maxsize=8)
def says_einstein(text: str) -> bool:
    """Whether a document says it uses the Einstein summation convention (a comment
    ``% texgrad: einstein``, "we use the Einstein summation convention", "repeated indices
    are summed")."""
    for found in _EINSTEIN_FOLDED.finditer(folded(text)):  # (offsets are the text's)
        before = re.split(r"[.;:!?\n]\s", text[max(0, found.start() - 60) : found.start()])[-1]
        if not _DENIED.search(before):
            return True
    return False


_DENIED = re.compile(r"\b(?:not|no|without|never|nor|instead of|rather than)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Ix:
    """The entry ``(r, c)`` of the matrix ``m``: ``r`` or ``c`` None on an axis of size 1;
    ``r == c`` is a diagonal entry.  A single index is always the row (a column vector)."""

    m: Expr
    r: str | None = None
    c: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.r, self.c) if n is not None)


def _ix(m: Expr, r: str | None, c: str | None) -> Ix:
    if r is None and c is not None:
        return Ix(e.transpose(m), c, None)
    return Ix(m, r, c)


def _rename(x: Ix, old: str, new: str) -> Ix:
    return Ix(x.m, new if x.r == old else x.r, new if x.c == old else x.c)


def _aligned(x: Ix, r: str | None, c: str | None) -> Expr:
    """The matrix of ``x`` with its axes in the order ``(r, c)``."""
    if (x.r, x.c) == (r, c):
        return x.m
    if (x.c, x.r) == (r, c):
        return e.transpose(x.m)
    raise CalculusError("cannot align the indices of a product of entries")  # (not reached)


def _with_first(x: Ix, name: str) -> tuple[Expr, str | None]:
    """The matrix of ``x`` with the axis ``name`` as rows, and its other index."""
    if x.r == name:
        return x.m, x.c
    return e.transpose(x.m), x.r


def _summed(x: Ix, k: str) -> Ix:
    """``x`` summed over its index ``k``: by a ones vector, or a trace on the diagonal."""
    if x.r == k and x.c == k:
        return Ix(e.tr(x.m))
    m, other = _with_first(x, k)
    return _ix(e.mul(e.transpose(e.ones(m.rows, ONE)), m), None, other)


def _diagonal(x: Ix) -> Ix:
    """A diagonal entry ``M_{ii}`` as the entry ``i`` of the vector ``diag(M)``."""
    return Ix(e.diag_vector(x.m), x.r) if x.r is not None and x.r == x.c else x


def _elementwise(x: Ix, build: Callable[[Expr], Expr]) -> Ix:
    x = _diagonal(x)
    return Ix(build(x.m), x.r, x.c)


def written_with_indices(tree: t.Node, env: Env, einstein: bool = False) -> bool:
    """Whether the formula is written with entries (an entry of a declared matrix or vector,
    of a bracket, or a Kronecker delta): then :class:`IndexReader` reads it."""
    reader = IndexReader(env, einstein)
    return any(isinstance(n, t.Sub) and reader.entry_indices(n) is not None for n in tree.walk())


def lower_formula(
    tree: t.Node, env: Env, einstein: bool = False, names: Lowerer | None = None
) -> tuple[Expr, bool]:
    r"""The formula as a matrix expression, and whether it was read from index notation:
    by :class:`IndexReader` where it is written with entries (the matrix reader of
    :mod:`~texgrad.calculus.lower` also tried, should the index reader refuse: a sum over
    samples ``x_i`` is not index notation), else by the matrix reader alone.  ``names``: the
    matrix reader of the parts without entries, keeping the document's names (``\mu`` of
    ``\sum_i (x_i - \mu)^2`` stays μ, its value in its ``names``)."""
    if not written_with_indices(tree, env, einstein):
        return Lowerer(env).lower(tree), False
    try:
        return IndexReader(env, einstein, names).formula(tree), True
    except CalculusError as exc:
        try:
            return Lowerer(env).lower(tree), False
        except CalculusError:
            raise exc from None


def lower_for_entry(tree: t.Node, env: Env, einstein: bool) -> tuple[Expr, bool, str | None]:
    r""":func:`lower_formula`, or where the formula has one free index (``\sum_k a_{ik} x_k``)
    the vector whose entry it is and that index (to be differentiated by an entry:
    ``\partial f_i / \partial x_j``)."""
    try:
        f, indexed = lower_formula(tree, env, einstein)
        return f, indexed, None
    except CalculusError as exc:
        reader = IndexReader(env, einstein)
        try:
            f = reader.formula(tree, component=True)
        except CalculusError:
            raise exc from None
        if reader.free is None:
            raise
        return f, True, reader.free


class IndexReader:
    """Reads a formula written with entries into a matrix expression (see the module)."""

    def __init__(self, env: Env, einstein: bool = False, names: Lowerer | None = None) -> None:
        self.env = env
        self.names = names  # the reader of parts without entries (else a plain one)
        self.einstein = einstein
        self.bound: set[str] = set()  # indices of the enclosing sums
        self.letters: set[str] = set()  # every index the formula uses
        self.dims: dict[str, Dim] = {}  # what each index runs over
        self.hints: dict[str, Dim | None] = {}  # what each letter runs over in the formula
        self.depth = 0
        self.free: str | None = None  # the free index of a formula read as a component

    # -- the whole formula -------------------------------------------------------------
    def formula(self, tree: t.Node, component: bool = False) -> Expr:
        r"""The formula as a number (or, with ``component``, as the vector whose entry it is
        where one index is free once: ``\sum_k a_{ik} x_k`` is the entry i of Ax, the index
        then in :attr:`free`)."""
        node = tree
        if isinstance(node, t.Chain) and node.items and node.items[-1] is not None:
            node = node.items[-1]  # f = …: the right-hand side
        for n in node.walk():
            if isinstance(n, t.Sub):
                self.letters.update(self.entry_indices(n) or ())
                self._hint(n)
        x = self.read(node)
        if x.r is not None and x.r == x.c:
            x = _summed(x, x.r)  # the repeated free index read as summed (see the module)
        if component and x.r is not None and x.c is None:
            self.free = x.r
            return x.m
        if x.names:
            free = ", ".join(x.names)
            what = "a vector" if len(x.names) == 1 else "a matrix"
            raise CalculusError(
                f"the formula has the free index {free}: it is an entry of {what}, not a "
                "number. texgrad differentiates a number (and an entry of a vector by an "
                "entry, ∂f_i/∂x_j); an entry of a matrix by an entry, a table of four indices "
                f"with Kronecker deltas, it does not compute. If {free} are meant summed, "
                f"write the sum over {free}"
                if len(x.names) > 1
                else f"the formula has the free index {free}: it is an entry of {what}, not a "
                f"number; texgrad differentiates a number, or this entry by an entry of a "
                f"vector (∂f_{free}/∂x_j). If {free} is meant summed, write the sum over {free}"
            )
        return x.m

    # -- entries -----------------------------------------------------------------------
    def entry_indices(self, node: t.Sub) -> tuple[str, ...] | None:
        """The indices of an entry (``a_{ij}`` of a declared A, ``x_i``, ``(AB)_{ij}``,
        ``\\delta_{ij}``), None if ``node`` is not one."""
        names = index_names(node.index)
        if names is None or not 1 <= len(names) <= 2:
            return None
        if any(len(n) != 1 or not n.isalpha() or n in self.env.vars for n in names):
            return None
        if _is_delta(node.base):
            return names if len(names) == 2 else None
        if isinstance(node.base, t.Paren):
            return names
        key = member_key(node)
        info = self.env.vars.get(key[0]) if key is not None else None
        if info is not None and not info.shape.is_scalar:
            return None  # x_i ∈ ℝ^d declared itself: a member of a family, not an entry
        if self._entries_of(node.base, len(names)) is not None:
            return names
        return names if len(names) == 1 and self._defined_vector(node.base) is not None else None

    def _defined_vector(self, base: t.Node) -> Expr | None:
        r"""The vector a letter the document defines is (``\hat{\mathbf x} =
        \operatorname{sigm}(D\mathbf z + \mathbf c)``, whose entries ``\hat{x}_i`` a sum
        reads), as its definition lowers; None for anything else (declared letters first)."""
        key = symbol_key(base)
        if key is None or key[0] in self.env.vars or not isinstance(base, (t.Symbol, t.Font)):
            return None
        fdef = self.env.functions.get(key[0])
        if fdef is None or fdef.params:
            return None
        try:
            x = (self.names or Lowerer(self.env)).lower(base)
        except (CalculusError, RecursionError):
            return None
        return x if isinstance(x, Expr) and not x.is_scalar and x.cols == ONE else None

    def entry_var(self, node: t.Node) -> tuple[e.Var, tuple[str, ...]] | None:
        """``a_{ij}``, ``A_{ij}``, ``x_i``: the declared variable whose entry ``node`` is, and
        its indices (two distinct ones for a matrix); None for anything else."""
        if not isinstance(node, t.Sub) or isinstance(node.base, t.Paren) or _is_delta(node.base):
            return None
        names = self.entry_indices(node)
        var = self._entries_of(node.base, len(names)) if names is not None else None
        if var is None or names is None or len(set(names)) != len(names):
            return None
        return var, names

    def _entries_of(self, base: t.Node, count: int) -> e.Var | None:
        """The declared matrix (``count`` 2) or vector (1) whose entries ``base`` names: the
        letter itself, or the upper-case letter of a lower-case one."""
        key = symbol_key(base)
        if key is None or not isinstance(base, t.Symbol):
            return None
        name = key[0]
        for candidate in dict.fromkeys((name, name.upper())):
            info = self.env.vars.get(candidate)
            if info is None or info.shape.is_scalar:
                continue
            is_vector = info.shape.cols == ONE
            if (count == 1) == is_vector:
                return e.var(candidate, info.shape, info.symmetric)
            if candidate == name:
                return None  # a declared letter with the other number of indices
        return None

    def _entry(self, node: t.Sub) -> Ix:
        names = self.entry_indices(node)
        assert names is not None
        if _is_delta(node.base):
            dim = self._size_of(names)
            if dim is None:
                raise CalculusError(f"cannot tell the size of `\\delta_{{{''.join(names)}}}`")
            return Ix(e.identity(dim), names[0], names[1])
        if isinstance(node.base, t.Paren):
            m = self._whole(node.base)
        else:
            var = self._entries_of(node.base, len(names))
            defined = self._defined_vector(node.base) if var is None else None
            assert var is not None or defined is not None
            m = var if var is not None else defined  # type: ignore[assignment]
        if len(names) == 1:
            if m.cols != ONE or m.is_scalar:
                raise CalculusError(f"`{_written(node)}` has one index but is not of a vector")
            self._runs_over(names[0], m.rows, node)
            return Ix(m, names[0])
        if m.cols == ONE:
            raise CalculusError(f"`{_written(node)}` has two indices but is of a vector")
        self._runs_over(names[0], m.rows, node)
        self._runs_over(names[1], m.cols, node)
        return Ix(m, names[0], names[1])

    def _hint(self, node: t.Sub) -> None:
        names = self.entry_indices(node)
        var = self.entry_var(node)
        if names is None or var is None:
            return
        for n, dim in zip(names, (var[0].rows, var[0].cols), strict=False):
            known = self.hints.setdefault(n, dim)
            if known is not None and not same(known, dim):
                self.hints[n] = None

    def _size_of(self, names: tuple[str, ...]) -> Dim | None:
        """What the indices of a Kronecker delta run over: as read so far, else what the
        formula's entries say wherever they use those letters (if they all agree)."""
        for n in names:
            if n in self.dims:
                return self.dims[n]
        for n in names:
            if self.hints.get(n) is not None:
                return self.hints[n]
        return None

    def _runs_over(self, name: str, dim: Dim, node: t.Node) -> None:
        known = self.dims.setdefault(name, dim)
        if not same(known, dim):
            raise CalculusError(
                f"the index {name} runs over {known} entries elsewhere but over {dim} in "
                f"`{_written(node)}`"
            )

    # -- reading -------------------------------------------------------------------------
    def read(self, node: t.Node | None) -> Ix:
        if node is None:
            raise CalculusError("an operand is missing")
        self.depth += 1
        try:
            if self.depth > 100:
                raise CalculusError("the expression is nested too deeply")
            if not self._mentions_entries(node):
                return Ix(self._scalar(node))
            return self._read(node)
        finally:
            self.depth -= 1

    def _read(self, node: t.Node) -> Ix:
        if isinstance(node, t.Sub) and self.entry_indices(node) is not None:
            return self._entry(node)
        if isinstance(node, (t.Paren, t.Delimited)) and node.open.endswith(("(", "[")):
            return self.read(node.body)
        if isinstance(node, t.Product):
            return self._product(list(node.factors), set())
        if isinstance(node, t.BigOp):
            return self._sum(node)
        if isinstance(node, t.Add):
            return self._add(node)
        if isinstance(node, t.Neg):
            x = self.read(node.operand)
            return Ix(e.neg(x.m), x.r, x.c) if node.sign == "-" else x
        if isinstance(node, t.Frac):
            return self._product([node.num, _Reciprocal(node.den)], set())  # type: ignore[list-item]
        if isinstance(node, t.Power):
            return self._power(node)
        if isinstance(node, t.Apply):
            return self._function(node)
        if isinstance(node, t.Chain) and len(node.items) == 1:
            return self.read(node.items[0])
        raise CalculusError(f"cannot read {_kind(node)} written with entries")

    def _whole(self, node: t.Node) -> Expr:
        """A part without entries, read by the matrix reader; it must not use an index."""
        for n in node.walk():
            if isinstance(n, t.Sub) and self._declared(n):
                if set(index_names(n.index) or ()) & self.bound:  # a_i of \sum_i: not one vector
                    raise CalculusError(
                        f"`{_written(n)}` changes with the index summed over: a member of a "
                        "family, not read among entries"
                    )
            if isinstance(n, t.Sub) and not self._declared(n):  # \mathbf{q}_i ∈ ℝ^k: itself
                names = index_names(n.index) or ()
                if set(names) & (self.letters | self.bound):
                    raise CalculusError(
                        f"cannot read `{_written(n)}` as an entry (its letter names no declared "
                        "vector or matrix)"
                    )
        x = (self.names or Lowerer(self.env)).lower(node)
        return x

    def _declared(self, node: t.Sub) -> bool:
        r"""Whether the document declares the subscripted symbol itself (``\mathbf{q}_i \in
        \mathbb{R}^k``, the item i's factor): a symbol, not an entry."""
        key = symbol_key(node)
        return key is not None and key[0] in self.env.vars

    def _scalar(self, node: t.Node) -> Expr:
        """A part without entries among entries: it must be a number (``w^\top`` beside
        ``x_i`` is not index notation: a sum over samples, read by the matrix reader)."""
        x = self._whole(node)
        if not x.is_scalar:
            raise CalculusError(
                f"a part of shape {x.shape.short()} stands among entries (only a number can): "
                "write its entries, or the whole "
                "formula in matrix form"
            )
        return x

    def _mentions_entries(self, node: t.Node) -> bool:
        return any(isinstance(n, t.Sub) and self.entry_indices(n) is not None for n in node.walk())

    def _add(self, node: t.Add) -> Ix:
        terms = [self.read(term) for term in node.terms]
        first = max(terms, key=lambda x: len(x.names))
        union = list(dict.fromkeys(n for x in terms for n in x.names))
        spread = len(union) == 2 and all(n in self.dims for n in union)
        if spread and not any(x.r is not None and x.r == x.c for x in terms):
            first = Ix(e.zero(self.dims[union[0]], self.dims[union[1]]), union[0], union[1])
        if first.names and first.r != first.c:  # 1 + x_i^2, x_i - y_j: spread over the entries
            terms = [self._spread(x, first) for x in terms]
        parts = []
        for sign, x in zip(node.signs, terms, strict=True):
            if sorted(x.names) != sorted(first.names) or (x.r == x.c) != (first.r == first.c):
                raise CalculusError(
                    "the terms of a sum have different free indices "
                    f"({', '.join(first.names) or 'none'}; {', '.join(x.names) or 'none'})"
                )
            m = _aligned(x, first.r, first.c)
            parts.append(e.neg(m) if sign == "-" else m)
        return Ix(e.add(*parts), first.r, first.c)

    def _spread(self, x: Ix, to: Ix) -> Ix:
        r"""``x`` (a number, or over one of the indices of ``to``) spread over the entries of
        ``to``: ``x_i`` beside ``(i, j)`` is ``x \mathbf{1}^\top``."""
        rows, cols = to.m.rows, to.m.cols
        if not x.names:
            return Ix(e.mul(x.m, e.ones(rows, cols)), to.r, to.c)
        if len(x.names) == 1 and to.c is not None and x.r == to.r:
            return Ix(e.mul(x.m, e.transpose(e.ones(cols, ONE))), to.r, to.c)
        if len(x.names) == 1 and to.c is not None and x.r == to.c:
            return Ix(e.mul(e.ones(rows, ONE), e.transpose(x.m)), to.r, to.c)
        return x

    def _power(self, node: t.Power) -> Ix:
        if (
            isinstance(node.base, t.Symbol)
            and node.base.name == "e"
            and node.base.font is None
            and Lowerer(self.env)._euler(node)
            and self._mentions_entries(node.exponent)
        ):  # e^{z_l}: the exponential of each entry
            return _elementwise(self.read(node.exponent), lambda m: e.elem("exp", m))
        base = self.read(node.base)
        p = Lowerer(self.env).lower(node.exponent)
        if not isinstance(p, e.Num):
            raise CalculusError("cannot read the exponent of a power of entries")
        if not base.names:
            return Ix(e.power(base.m, p.value))
        return _elementwise(base, lambda m: e.hpow(m, p.value))

    def _function(self, node: t.Apply) -> Ix:
        name = function_name(node.func)
        own = self._own_function(node)
        if own is not None:  # h(r) = \sqrt{\delta^2 + r^2} - \delta the document defines
            x = self.read(node.args[0])
            return _elementwise(x, lambda m: named_function(own, m))
        if name not in FUNCTION_NAMES or len(node.args) != 1:
            shown = name if name is not None else written_latex(node.func)
            raise CalculusError(f"cannot read the function `{shown}` of entries")
        fn = FUNCTION_NAMES[name or ""]
        arg = node.args[0]
        while isinstance(arg, t.Paren) and arg.open == "(" and arg.body is not None:
            arg = arg.body
        if fn == "log" and isinstance(arg, t.Frac):
            # log(a/b) = log a - log b, of each entry (the same derivative a'/a - b'/b for
            # either sign: log|·|): e^{z_k}/\sum_l e^{z_l} under a log stays short
            parts = (replace(node, args=(arg.num,)), replace(node, args=(arg.den,)))
            return self._add(t.Add(start=node.start, end=node.end, terms=parts, signs=("", "-")))
        x = self.read(node.args[0])
        return _elementwise(x, lambda m: e.elem(fn, m))

    def _own_function(self, node: t.Apply) -> e.Template | None:
        r"""The function of numbers the document defines and ``node`` applies to one argument
        (``h`` of ``h(r) = …``, ``\sigma`` of ``\sigma(t) = 1/(1 + e^{-t})``): applied to
        each entry as the matrix reader applies it to each entry of a vector; else None."""
        f = node.func
        key = symbol_key(f) if not isinstance(f, t.Func) else None
        fdef = self.env.functions.get(key[0]) if key is not None else None
        if fdef is None or len(fdef.params) != 1 or len(node.args) != 1:
            return None
        return (self.names or Lowerer(self.env))._template(fdef, f)

    # -- sums ----------------------------------------------------------------------------
    def _sum(self, node: t.BigOp) -> Ix:
        if node.op != "\\sum":
            raise CalculusError(big_op_refusal(node.op))
        names, body, bounds = _sum_indices(node)
        if names is None or len(set(names)) != len(names) or set(names) & self.bound:
            raise CalculusError(unread_sum_index(body if names is None else node.lower))
        saved, saved_dims = self.bound, dict(self.dims)
        self.bound = saved | set(names)
        try:
            inner = body
            while (
                isinstance(inner, t.Paren)
                and inner.open == "("
                and isinstance(inner.body, t.Product)
            ):
                inner = inner.body
            if isinstance(inner, t.Product):
                x = self._product(list(inner.factors), set(names))
            else:
                x = self.read(body)
                for k in names:
                    x = self._sum_over(x, k, node)
        finally:
            self.bound = saved
        for k, upper in bounds:
            self._check_bound(k, upper, node)
        self.dims = {**saved_dims, **{k: d for k, d in self.dims.items() if k not in names}}
        return x

    def _sum_over(self, x: Ix, k: str, node: t.Node) -> Ix:
        if k not in x.names:
            raise CalculusError(f"the summand of the sum over {k} does not involve the index {k}")
        return _summed(x, k)

    def _check_bound(self, k: str, upper: t.Node | None, node: t.Node) -> None:
        if upper is None:
            return
        dim = self.dims.get(k)
        written: Dim | None = None
        if isinstance(upper, t.Number) and upper.text.isdigit():
            written = sympy.Integer(int(upper.text))
        elif isinstance(upper, t.Symbol) and dim is not None:
            names = {s.name for s in dim.free_symbols if isinstance(s, sympy.Symbol)}
            written = dim if upper.name in names and len(names) == 1 else None
        if dim is None or written is None or not same(dim, written):
            raise CalculusError(
                f"the sum over {k} runs up to `{_written(upper)}`, which is not the number of "
                f"entries {k} runs over ({dim}): a sum over part of the entries is not read"
            )

    # -- products ------------------------------------------------------------------------
    def _factors(self, factors: list[t.Node]) -> list[Ix | _Delta]:
        out: list[Ix | _Delta] = []
        plain: list[t.Node] = []  # consecutive factors without entries: one matrix product

        def flush() -> None:
            if plain:
                node = (
                    plain[0] if len(plain) == 1 else t.Product(tuple(plain), start=plain[0].start)
                )
                out.append(Ix(self._scalar(node)))
                plain.clear()

        for f in factors:
            if isinstance(f, _Reciprocal):
                flush()
                x = self.read(f.node)
                out.append(_elementwise(x, lambda m: e.hpow(m, -1)) if x.names else
                           Ix(e.power(x.m, -1)))  # fmt: skip
            elif isinstance(f, t.Product):
                flush()
                out.extend(self._factors(list(f.factors)))
            elif isinstance(f, t.Sub) and _is_delta(f.base) and self.entry_indices(f):
                flush()
                names = self.entry_indices(f)
                assert names is not None
                out.append(_Delta(names[0], names[1]))
            elif self._mentions_entries(f):
                flush()
                out.append(self.read(f))
            else:
                plain.append(f)
        flush()
        return out

    def _product(self, factors: list[t.Node], summed: set[str]) -> Ix:
        items = self._factors(factors)
        if self.einstein:
            counts: dict[str, int] = {}
            for x in items:
                for n in x.names:
                    counts[n] = counts.get(n, 0) + 1
            summed = summed | {n for n, c in counts.items() if c == 2 and n not in self.bound}
        scalars = [x.m for x in items if isinstance(x, Ix) and not x.names]
        rest = [x for x in items if isinstance(x, _Delta) or x.names]
        sizes = {**{k: d for k, d in self.hints.items() if d is not None}, **self.dims}
        rest, summed = _deltas(rest, summed, sizes)
        x = _contract([y for y in rest if isinstance(y, Ix)], summed)
        return Ix(e.mul(*scalars, x.m) if scalars else x.m, x.r, x.c)


@dataclass(frozen=True)
class _Reciprocal:
    """A denominator in a product of entries (``\\frac{x_i}{y_i}``)."""

    node: t.Node | None


@dataclass(frozen=True)
class _Delta:
    r"""``\delta_{ij}``, resolved in its product: it renames a summed index, or is an
    identity sized by the other factors."""

    r: str
    c: str

    @property
    def names(self) -> tuple[str, str]:
        return (self.r, self.c)


def _written(node: t.Node) -> str:
    """A symbol, an entry or a number as LaTeX for a message."""
    if isinstance(node, (t.Symbol, t.Number)) or (
        isinstance(node, t.Sub) and isinstance(node.base, t.Symbol)
    ):
        return written_latex(node)
    if isinstance(node, t.Sub):  # (…)_{i}: quoted as printed (the document's words replace it)
        return written_latex(node)
    return "…"


_KINDS = {"Norm": "a norm", "Abs": "an absolute value", "Cases": "cases", "Matrix": "a matrix",
          "Transpose": "a transpose", "Sqrt": "a square root", "BigOp": "a big operator"}  # fmt: skip


def _kind(node: t.Node) -> str:
    return _KINDS.get(node.kind, "this construct")


def _is_delta(node: t.Node) -> bool:
    return isinstance(node, t.Symbol) and node.name == "\\delta" and not node.accents


def _sum_indices(
    node: t.BigOp,
) -> tuple[tuple[str, ...] | None, t.Node | None, list[tuple[str, t.Node | None]]]:
    """The indices of ``\\sum_{i,j}`` or nested ``\\sum_i \\sum_j``, the summand, and each
    index's upper bound where one is written (a lower bound must be 1); for a sum not read,
    (None, the subscript not read, [])."""
    names: list[str] = []
    bounds: list[tuple[str, t.Node | None]] = []
    body: t.Node | None = node
    while isinstance(body, t.BigOp) and body.op == "\\sum":
        low = body.lower
        if isinstance(low, t.Chain) and low.items and isinstance(low.items[0], (t.Product, t.List)):
            found = index_names(low.items[0])  # \sum_{i,j=1}^n
        elif isinstance(low, (t.Product, t.List)):
            found = index_names(low)
        else:
            found = sum_index(low)
        if found is None:
            return None, low, []
        if isinstance(low, t.Chain):
            start = low.items[1] if len(low.items) == 2 else None
            if not (isinstance(start, t.Number) and start.text == "1"):
                return None, low, []
        names.extend(found)
        bounds.extend((k, body.upper) for k in found)
        body = body.body
    return tuple(names), body, bounds


def _deltas(
    items: list[Ix | _Delta], summed: set[str], dims: dict[str, Dim]
) -> tuple[list[Ix | _Delta], set[str]]:
    r"""Each ``\delta_{ij}`` of a product: with j summed, j becomes i in the other factors
    (and the other way round); otherwise an identity of the size its indices run over."""
    summed = set(summed)
    while True:
        delta = next((x for x in items if isinstance(x, _Delta)), None)
        if delta is None:
            return items, summed
        items = [x for x in items if x is not delta]
        for old, new in ((delta.c, delta.r), (delta.r, delta.c)):
            if old in summed and old != new:
                items = [_rename(x, old, new) if isinstance(x, Ix) else
                         _Delta(*(new if n == old else n for n in x.names)) for x in items]  # fmt: skip
                summed.discard(old)
                break
        else:
            dim = dims.get(delta.r, dims.get(delta.c))
            if dim is None:
                raise CalculusError(f"cannot tell the size of `\\delta_{{{delta.r}{delta.c}}}`")
            items.append(Ix(e.identity(dim), delta.r, delta.c))


def _contract(items: list[Ix], summed: set[str]) -> Ix:
    """A product of entries with the indices ``summed`` summed, as one entry of a matrix
    expression (see the module for the forms); refused where it has no such form."""
    items = list(items)
    summed = set(summed)
    for _ in range(100):
        if len(items) <= 1 and not (summed & set(items[0].names if items else ())):
            break
        step = (_matrix_product(items, summed) or _hadamard(items, True)
                or _sum_alone(items, summed) or _diag_in_product(items)
                or _hadamard(items, False) or _scaling(items) or _outer(items))  # fmt: skip
        if step is None:
            names = sorted({n for x in items for n in x.names})
            raise CalculusError(
                "cannot write this product of entries in matrix form (indices "
                + ", ".join(names)
                + ")"
            )
        items = step
    missing = summed - {n for x in items for n in x.names}
    if missing:
        raise CalculusError(f"the summand does not involve the index {', '.join(sorted(missing))}")
    return items[0] if items else Ix(e.num(1))


def _occurrences(items: list[Ix], name: str) -> list[int]:
    return [i for i, x in enumerate(items) for n in x.names if n == name]


def _matrix_product(items: list[Ix], summed: set[str]) -> list[Ix] | None:
    """An index summed in exactly two factors (once in each): their matrix product."""
    candidates = []
    for k in sorted(summed):
        at = _occurrences(items, k)
        if len(at) == 2 and at[0] != at[1]:
            a, b = items[at[0]], items[at[1]]
            turns = (a.c != k and a.c is not None) + (b.r != k)  # transposes the product needs
            candidates.append((turns, at[0], k, at))
    for _, _, k, at in sorted(candidates)[:1]:
        a, b = items[at[0]], items[at[1]]
        am, a_other = _with_first(a, k)
        bm, b_other = _with_first(b, k)
        product = _ix(e.mul(e.transpose(am), bm), a_other, b_other)
        summed.discard(k)
        return _replaced(items, at[0], at[1], product)
    return None


def _replaced(items: list[Ix], i: int, j: int, merged: Ix) -> list[Ix]:
    """``items`` with the factors ``i`` and ``j`` replaced by ``merged``, where ``i`` was
    (the order written is kept: ``x^\top A x`` rather than ``x^\top A^\top x``)."""
    first = min(i, j)
    return [merged if n == first else x for n, x in enumerate(items) if n != max(i, j)]


def _hadamard(items: list[Ix], vectors: bool) -> list[Ix] | None:
    """Two factors over the same indices (vectors, or matrices): their Hadamard product."""
    for i, a in enumerate(items):
        if (len(a.names) == 1) != vectors or (a.r is not None and a.r == a.c):
            continue
        for j in range(i + 1, len(items)):
            b = items[j]
            if sorted(b.names) == sorted(a.names) and not (b.r is not None and b.r == b.c):
                merged = Ix(e.had(a.m, _aligned(b, a.r, a.c)), a.r, a.c)
                return _replaced(items, i, j, merged)
    return None


def _sum_alone(items: list[Ix], summed: set[str]) -> list[Ix] | None:
    """An index summed in one factor only: that factor summed over it."""
    for k in sorted(summed):
        at = set(_occurrences(items, k))
        if len(at) == 1:
            (i,) = at
            summed.discard(k)
            return [x for n, x in enumerate(items) if n != i] + [_summed(items[i], k)]
    return None


def _diag_in_product(items: list[Ix]) -> list[Ix] | None:
    """A diagonal entry ``M_{ii}`` beside other factors: the entry of ``diag(M)``."""
    for i, x in enumerate(items):
        if x.r is not None and x.r == x.c and len(items) > 1:
            return [y for n, y in enumerate(items) if n != i] + [_diagonal(x)]
    return None


def _scaling(items: list[Ix]) -> list[Ix] | None:
    """A vector's entry ``x_i`` beside a matrix's ``A_{ij}``: ``diag(x) A``."""
    for i, v in enumerate(items):
        if len(v.names) != 1:
            continue
        for j, a in enumerate(items):
            if len(a.names) == 2 and v.r in a.names:
                m, other = _with_first(a, v.r or "")
                scaled = Ix(e.mul(e.diag_matrix(v.m), m), v.r, other)
                return _replaced(items, i, j, scaled)
    return None


def _outer(items: list[Ix]) -> list[Ix] | None:
    """Two vectors' entries over different free indices: their outer product."""
    vectors = [i for i, x in enumerate(items) if len(x.names) == 1]
    if len(vectors) < 2:
        return None
    i, j = vectors[0], vectors[1]
    a, b = items[i], items[j]
    outer = Ix(e.mul(a.m, e.transpose(b.m)), a.r, b.r)
    return _replaced(items, i, j, outer)


__all__ = [
    "IndexReader",
    "Ix",
    "lower_for_entry",
    "lower_formula",
    "says_einstein",
    "written_with_indices",
]
