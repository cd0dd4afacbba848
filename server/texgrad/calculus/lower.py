r"""From the syntax tree to the engine's algebra: what a written formula means.

:class:`Lowerer` reads a parsed row with the document's knowledge (an
:class:`Env`: each symbol's shape and properties, the functions it defines) and
builds an :mod:`~texgrad.calculus.expr` expression, or raises
:class:`~texgrad.calculus.expr.CalculusError` naming the construct it cannot
read — never a guess.  Conventions, as real documents write them:

- ``x'`` of a vector or matrix is its transpose (``x'Ax``); ``|X|`` of a square
  matrix is its determinant (the Matrix Cookbook's notation).
- ``\exp``, ``\log``, ``\sin``, ``\cos``, ``\sqrt`` of a square matrix, and
  ``e^X``, are matrix functions; of a vector they act elementwise.
- ``\|x\|_2^2`` is ``x^\top x`` and ``\|X\|_F^2`` is ``\operatorname{tr}(X^\top X)``.
- ``\max(0, x)`` is ReLU; ``\sum_{i=1}^n g(x_i)`` over the entries of declared
  vectors is ``\mathbf{1}^\top g(x)``.
- ``I`` and ``\mathbf{1}`` take their size from where they stand (``A + \lambda I``,
  ``\mathbf{1}^\top x``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.expr import CalculusError, Expr, ShapeError
from texgrad.shapes.dims import Dim, Shape, same
from texgrad.syntax import tree as t
from texgrad.syntax.show import show
from texgrad.syntax.symbols import symbol_key

ONE = sympy.Integer(1)


@dataclass
class VarInfo:
    key: str
    shape: Shape
    latex: str  # as the document writes it: "\mathbf{x}", "\mA"
    symmetric: bool = False
    positive_definite: bool = False
    positive: bool = False


@dataclass
class FunctionDef:
    key: str
    params: tuple[str, ...]  # symbol keys
    body: t.Node


@dataclass
class Env:
    """What the document says about its symbols."""

    vars: dict[str, VarInfo] = field(default_factory=dict)
    functions: dict[str, FunctionDef] = field(default_factory=dict)


# Names of elementwise functions as documents spell them.
FUNCTION_NAMES = {
    "exp": "exp", "log": "log", "ln": "log", "sin": "sin", "cos": "cos", "tan": "tan",
    "tanh": "tanh", "sinh": "sinh", "cosh": "cosh", "arctan": "arctan",
    "\\sigma": "sigma", "sigmoid": "sigma", "sigm": "sigma", "relu": "relu", "ReLU": "relu",
    "softplus": "softplus", "abs": "abs", "sign": "sign", "sgn": "sign", "sqrt": "sqrt",
}  # fmt: skip
TEXT_OPERATORS = {"softmax", "diag", "tr", "Tr", "trace", "det", "logdet", "logsumexp", "LSE"}
TRACE_NAMES = {"tr", "Tr", "trace", "Trace", "TR"}
MATRIX_FUNCTION_NAMES = {"exp", "log", "ln", "sin", "cos", "sqrt"}
SUM_ONLY_INDEX = ("i", "j", "k", "t", "n", "l")


class _Pending:
    """``I`` or ``\\mathbf{1}`` whose size comes from its neighbours: ``build(rows, cols)``."""

    def __init__(
        self, build: Callable[[Dim, Dim], Expr], rows: Dim | None, cols: Dim | None, what: str
    ) -> None:
        self.build = build
        self.rows = rows
        self.cols = cols
        self.what = what

    def resolve(self, rows: Dim | None, cols: Dim | None) -> Expr:
        r = self.rows if self.rows is not None else rows
        c = self.cols if self.cols is not None else cols
        if r is None or c is None:
            raise CalculusError(f"cannot tell the size of `{self.what}` here")
        return self.build(r, c)

    def transposed(self) -> _Pending:
        build = self.build
        return _Pending(lambda r, c: e.transpose(build(c, r)), self.cols, self.rows, self.what)

    def scaled(self, factors: list[Expr]) -> _Pending:
        build = self.build
        return _Pending(lambda r, c: e.mul(*factors, build(r, c)), self.rows, self.cols, self.what)


Lowered = Expr | _Pending


def _identity(r: Dim, c: Dim) -> Expr:
    if not same(r, c):
        raise ShapeError(f"an identity matrix cannot be {r}×{c}")
    return e.identity(r)


def _ones(r: Dim, c: Dim) -> Expr:
    return e.ones(r, c)


class Lowerer:
    def __init__(self, env: Env) -> None:
        self.env = env
        self.depth = 0
        self.bound: dict[str, Expr] = {}  # function parameters being substituted
        self.expanding: set[str] = set()  # definitions being substituted (r = y - Xw)
        # inside \sum_i: x_i means the vector x, entrywise; inside \sum_{i,j}: X_{ij} is X
        self.index: tuple[str, ...] | None = None

    # -- entry --------------------------------------------------------------------------
    def lower(self, node: t.Node | None) -> Expr:
        x = self._lower(node)
        if isinstance(x, _Pending):
            if x.rows == ONE and x.cols == ONE:
                return x.build(ONE, ONE)
            raise CalculusError(f"cannot tell the size of `{x.what}`")
        return x

    def _lower(self, node: t.Node | None) -> Lowered:  # noqa: C901
        if node is None:
            raise CalculusError("an operand is missing")
        self.depth += 1
        try:
            if self.depth > 200:
                raise CalculusError("the expression is nested too deeply")
            return self._node(node)
        finally:
            self.depth -= 1

    def _node(self, node: t.Node) -> Lowered:  # noqa: C901 - one case per construct
        if isinstance(node, t.Chain):
            items = [i for i in node.items if i is not None]
            if not items:
                raise CalculusError("nothing to differentiate")
            return self._lower(items[-1])  # f(x) = …: the right-hand side
        if isinstance(node, (t.Symbol, t.Sub, t.Tagged)):
            return self._symbol(node)
        if isinstance(node, t.Number):
            return e.num(sympy.Rational(node.text))
        if isinstance(node, t.Paren):
            if node.open not in ("(", "\\left(", "[", "\\left[", "\\bigl(", "\\Bigl(", "\\big(",
                                 "\\Big(", "\\bigg(", "\\Bigg(") and not node.open.endswith(("(", "[", "\\{")):  # fmt: skip
                raise CalculusError(f"cannot read the brackets `{node.open} … {node.close}`")
            return self._lower(node.body)
        if isinstance(node, t.Add):
            return self._add(node)
        if isinstance(node, t.Neg):
            x = self._lower(node.operand)
            if node.sign == "+":
                return x
            if node.sign != "-":
                raise CalculusError(f"cannot differentiate `{node.sign}`")
            return x.scaled([e.num(-1)]) if isinstance(x, _Pending) else e.neg(x)
        if isinstance(node, t.Product):
            return self._product(list(node.factors))
        if isinstance(node, t.BinOp):
            return self._binop(node)
        if isinstance(node, t.Frac):
            num = self._lower(node.num)
            den = self.lower(node.den)
            if not den.is_scalar:
                raise ShapeError(f"cannot divide by the {den.shape.short()} `{show(node.den)}`")
            inv = e.power(den, -1)
            return num.scaled([inv]) if isinstance(num, _Pending) else e.mul(num, inv)
        if isinstance(node, t.Power):
            return self._power(node)
        if isinstance(node, t.Transpose):
            if isinstance(node.base, t.Number) and node.base.text == "1":
                # 1^T x: a transposed 1 is the ones vector (the number needs no transpose)
                return _Pending(_ones, None, ONE, "\\mathbf{1}").transposed()
            x = self._lower(node.base)
            return x.transposed() if isinstance(x, _Pending) else e.transpose(x)
        if isinstance(node, t.InverseTranspose):
            return e.inv(e.transpose(self.lower(node.base)))
        if isinstance(node, t.Prime):
            x = self.lower(node.base)
            if x.is_scalar:
                raise CalculusError(f"cannot read the prime in `{show(node)}` (a derivative?)")
            return x if node.count % 2 == 0 else e.transpose(x)
        if isinstance(node, t.Abs):
            x = self.lower(node.body)
            if not x.is_scalar and same(x.rows, x.cols) and x.cols != ONE:
                return e.det(x)  # |X|: the determinant, as the Matrix Cookbook writes it
            return e.elem("abs", x)
        if isinstance(node, t.Norm):
            return self._norm(node, None)
        if isinstance(node, t.Angle):
            if len(node.items) != 2:
                raise CalculusError("an inner product ⟨a, b⟩ has two operands")
            return e.inner(self.lower(node.items[0]), self.lower(node.items[1]))
        if isinstance(node, t.Sqrt):
            if node.index is not None:
                k = self._exponent(node.index)
                return self._pow_value(self.lower(node.body), 1 / k, node)
            return self._pow_value(self.lower(node.body), sympy.Rational(1, 2), node)
        if isinstance(node, t.Apply):
            return self._apply(node)
        if isinstance(node, t.BigOp):
            return self._bigop(node)
        if isinstance(node, t.Font):
            return self._lower(node.body)
        if isinstance(node, t.Delimited) and node.open in ("\\lvert", "\\left\\lvert", "\\vert"):
            return e.elem("abs", self.lower(node.body))
        if isinstance(node, t.Differential):
            inner = self.lower(node.body)
            return self._differential(inner, node)
        if isinstance(node, t.Cases):
            return self._cases(node)
        if isinstance(node, (t.Nabla, t.Derivative, t.Partial)):
            raise CalculusError(f"`{show(node)}` is already a derivative")
        raise CalculusError(f"cannot differentiate `{_describe(node)}`")

    def _cases(self, node: t.Cases) -> Expr:
        r"""``\begin{cases} v & |r| \le \delta \\ w & \text{otherwise} \end{cases}``."""
        values: list[Expr] = []
        lefts: list[Expr] = []
        rights: list[Expr] = []
        ops: list[str] = []
        for row in node.rows:
            cells = [c for c in row if c is not None]
            if len(cells) != 2:
                raise CalculusError("each case needs a value and a condition")
            value, cond = cells
            values.append(self.lower(value))
            if _is_otherwise(cond):
                lefts.append(e.num(0))
                rights.append(e.num(0))
                ops.append("")
                continue
            if not (isinstance(cond, t.Chain) and len(cond.relations) == 1):
                raise CalculusError(f"cannot read the condition `{show(cond)}` of the cases")
            op = _CASE_RELATIONS.get(cond.relations[0])
            left, right = cond.items
            if op is None or left is None or right is None:
                raise CalculusError(f"cannot read the condition `{show(cond)}` of the cases")
            lefts.append(self.lower(_without_words(left)))
            rights.append(self.lower(right))
            ops.append(op)
        return e.piecewise(tuple(values), tuple(lefts), tuple(rights), tuple(ops))

    # -- symbols --------------------------------------------------------------------------
    def _symbol(self, node: t.Node) -> Lowered:
        key = symbol_key(node)
        if key is not None:
            name = key[0]
            if name in self.bound:
                return self.bound[name]
            defined = self.env.functions.get(name)
            if defined is not None and not defined.params:  # r = y - Xw: what r stands for
                return self._defined(defined)
            info = self.env.vars.get(name)
            if info is not None:
                return e.var(name, info.shape, info.symmetric)
        if isinstance(node, t.Symbol):
            if node.name == "I" and key is not None and key[0] not in self.env.vars:
                return _Pending(_identity, None, None, "I")
            if node.name == "1" or (node.name in ("1", "\\mathbb{1}") and node.font):
                return _Pending(_ones, None, ONE, "\\mathbf{1}")
            if node.name == "e":
                return e.num(sympy.E)
            if node.name == "\\pi":
                return e.num(sympy.pi)
            if node.name in ("\\mathbb{1}", "\\one", "\\mathbbm{1}"):
                return _Pending(_ones, None, ONE, "\\mathbf{1}")
            dim = self._dimension(node)
            if dim is not None:
                return e.num(dim)  # \frac{1}{N} with x ∈ ℝ^N: the number N
        if isinstance(node, t.Number) or (isinstance(node, t.Symbol) and node.name.isdigit()):
            if node.font:  # type: ignore[union-attr]
                return _Pending(_ones, None, ONE, "\\mathbf{1}")
        if isinstance(node, t.Sub):
            sized = self._sized_constant(node)
            if sized is not None:
                return sized
            base_key = symbol_key(node.base)
            defined = self.env.functions.get(base_key[0]) if base_key is not None else None
            if (
                (base_key is None or (defined is not None and not defined.params))
                and self.index is not None
                and _index_names(node.index) == self.index
                and len(self.index) == 1
            ):
                # p_k inside \sum_k with p = softmax(z), or softmax(z)_k itself
                vector = self.lower(node.base)
                if vector.cols == ONE and not vector.is_scalar:
                    return vector
            if base_key is not None and self.index is not None:
                info = self.env.vars.get(base_key[0])
                entry = _index_names(node.index)
                if info is not None and len(self.index) == 1 and entry == self.index:
                    if info.shape.cols == ONE:
                        return e.var(base_key[0], info.shape, info.symmetric)
                if info is not None and len(self.index) == 2 and entry is not None:
                    x = e.var(base_key[0], info.shape, info.symmetric)
                    if entry == self.index and info.shape.cols != ONE:
                        return x  # X_{ij} in \sum_{i,j}
                    if entry == self.index[::-1] and info.shape.cols != ONE:
                        return e.transpose(x)  # X_{ji}
            if base_key is not None and base_key[0] in self.env.vars:
                raise CalculusError(
                    f"cannot differentiate the entry `{show(node)}` of "
                    f"`{self.env.vars[base_key[0]].latex}`: write it in matrix form"
                )
        written = written_latex(node)
        raise CalculusError(
            f"the shape of `{written}` is unknown: declare it (e.g. `{written} \\in \\mathbb{{R}}^n`)"
        )

    def _sized_constant(self, node: t.Sub) -> Lowered | None:
        r"""``I_n``, ``\mathbf{I}_n``, ``\mathbf{1}_n``: the identity and the ones vector
        of a size that is a number or a declared dimension."""
        base = node.base
        if not isinstance(base, t.Symbol) or base.accents:
            return None
        if base.name == "I":
            build: Callable[[Dim, Dim], Expr] = _identity
        elif base.name in ("1", "\\mathbb{1}", "\\mathbbm{1}", "\\one"):
            build = _ones
        else:
            return None
        size: Dim | None = None
        index = node.index
        if isinstance(index, t.Number) and index.text.isdigit():
            size = sympy.Integer(int(index.text))
        elif isinstance(index, t.Symbol):
            size = self._dimension(index)
        if size is None:
            return None
        if build is _identity:
            return e.identity(size)
        return _Pending(_ones, size, ONE, "\\mathbf{1}")

    def _dimension(self, node: t.Symbol) -> sympy.Symbol | None:
        """An undeclared plain symbol that names a dimension of a declared shape."""
        if node.font is not None or node.accents or not node.name.isalpha():
            return None
        for info in self.env.vars.values():
            for d in (info.shape.rows, info.shape.cols):
                for s in d.free_symbols:
                    if isinstance(s, sympy.Symbol) and s.name == node.name:
                        return s
        return None

    # -- sums and products ---------------------------------------------------------------
    def _add(self, node: t.Add) -> Lowered:
        parts: list[Lowered] = []
        for sign, term in zip(node.signs, node.terms, strict=True):
            x = self._lower(term)
            if sign == "-":
                x = x.scaled([e.num(-1)]) if isinstance(x, _Pending) else e.neg(x)
            elif sign not in ("", "+"):
                raise CalculusError(f"cannot differentiate `{sign}`")
            parts.append(x)
        known = [p for p in parts if isinstance(p, Expr)]
        if not known:
            return parts[0] if len(parts) == 1 else _sum_pending(parts)  # type: ignore[arg-type]
        shape = next((k for k in known if not k.is_scalar), known[0])
        resolved = [
            p.resolve(shape.rows, shape.cols)
            if isinstance(p, _Pending)
            # 1 + \exp(x): a number added to an array is added to every entry, and so
            # is a scalar added to a vector (x - \mu)
            else e.mul(p, e.ones(shape.rows, shape.cols))
            if p.is_scalar and not shape.is_scalar and (isinstance(p, e.Num) or shape.cols == ONE)
            else p
            for p in parts
        ]
        return e.add(*resolved)

    def _calls(self, factors: list[t.Node]) -> list[t.Node]:
        """A symbol the document defines as a function, followed by a bracket: a call."""
        out: list[t.Node] = []
        i = 0
        while i < len(factors):
            f = factors[i]
            key = symbol_key(f) if isinstance(f, t.Symbol) else None
            fdef = self.env.functions.get(key[0]) if key is not None else None
            if fdef is not None and fdef.params and i + 1 < len(factors):
                call = as_application(t.Product((f, factors[i + 1]), start=f.start))
                if isinstance(call, t.Apply):
                    out.append(call)
                    i += 2
                    continue
            out.append(f)
            i += 1
        return out

    def _differential(self, inner: Expr, node: t.Node) -> Expr:
        """``\\mathrm{d}X`` (or ``\\mathrm{d}X^\\top``): the differential of a variable."""
        if isinstance(inner, e.Var):
            return e.d(inner)
        if isinstance(inner, e.T) and isinstance(inner.arg, e.Var):
            return e.transpose(e.d(inner.arg))
        raise CalculusError(f"cannot read the differential `{show(node)}`")

    def _product(self, factors: list[t.Node]) -> Lowered:
        factors = self._calls(_text_functions(factors))
        parts: list[Lowered] = [
            e.elem("step", self.lower(f.body)) if isinstance(f, _Indicator) else self._lower(f)
            for f in _indicators(factors)
        ]
        if all(isinstance(p, _Pending) or p.is_scalar for p in parts):
            pend = [p for p in parts if isinstance(p, _Pending)]
            if len(pend) == 1:
                return pend[0].scaled([p for p in parts if isinstance(p, Expr)])
        pend = [p for p in parts if isinstance(p, _Pending)]
        if len(pend) == 1 and pend[0].rows is None and pend[0].cols == ONE:
            # \mathbf{1} \mathbf{b}^\top: a column of ones times a row; its length comes
            # from the sum it stands in (X W + \mathbf{1}\mathbf{b}^\top)
            i = parts.index(pend[0])
            before = [p for p in parts[:i] if isinstance(p, Expr)]
            after = [p for p in parts[i + 1 :] if isinstance(p, Expr)]
            if all(p.is_scalar for p in before) and after and e.mul(*after).rows == ONE:
                row = e.mul(*after)
                if not row.is_scalar:
                    one = pend[0]
                    return _Pending(
                        lambda r, c: e.mul(*before, one.resolve(r, ONE), row),
                        None,
                        row.cols,
                        one.what,
                    )
        out: list[Expr] = []
        for i, p in enumerate(parts):
            if isinstance(p, _Pending):
                left = next((q for q in reversed(out) if not q.is_scalar), None)
                right = next(
                    (q for q in parts[i + 1 :] if isinstance(q, Expr) and not q.is_scalar), None
                )
                rows = left.cols if left is not None else None
                cols = right.rows if right is not None else None
                if rows is None and p.rows is None and p.cols is not None and right is not None:
                    rows = right.rows if p.cols == ONE else None
                if cols is None and p.cols is None and left is not None:
                    cols = left.cols  # I after A: square
                if rows is None and p.rows is None and right is not None and p.cols is None:
                    rows = right.rows
                out.append(p.resolve(rows, cols))
            else:
                out.append(p)
        return e.mul(*out)

    def _binop(self, node: t.BinOp) -> Lowered:
        op = node.op
        a = self.lower(node.left)
        b = self.lower(node.right)
        if op in ("\\cdot", "*", "\\times", "\\,"):
            if op == "\\cdot" and not a.is_scalar and not b.is_scalar and a.cols == ONE == b.cols:
                return e.inner(a, b)  # x · y: the dot product of two vectors
            if op == "\\times" and not (a.is_scalar or b.is_scalar):
                raise CalculusError("cannot differentiate `\\times` between two arrays")
            return e.mul(a, b)
        if op in ("\\odot", "\\circ"):
            return e.had(a, b)
        if op == "\\otimes":
            return e.kron(a, b)
        if op in ("\\oslash",):
            return e.had(a, e.hpow(b, -1))
        if op in ("/", "\\div"):
            if b.is_scalar:
                return e.mul(a, e.power(b, -1))
            raise ShapeError(f"cannot divide by the {b.shape.short()} `{show(node.right)}`")
        raise CalculusError(f"cannot differentiate the operator `{op}`")

    # -- powers ------------------------------------------------------------------------------
    def _exponent(self, node: t.Node) -> sympy.Expr:
        """A power's exponent: a number, a fraction of numbers, or a dimension-like symbol."""
        if isinstance(node, t.Number):
            return sympy.Rational(node.text)
        if isinstance(node, t.Neg) and node.sign == "-":
            return -self._exponent(node.operand)
        if isinstance(node, t.Frac):
            return self._exponent(node.num) / self._exponent(node.den)
        if isinstance(node, t.BinOp) and node.op == "/" and node.right is not None:
            return self._exponent(node.left) / self._exponent(node.right)
        if isinstance(node, t.Paren) and node.body is not None:
            return self._exponent(node.body)
        if isinstance(node, t.Add):
            total = sympy.Integer(0)
            for sign, term in zip(node.signs, node.terms, strict=True):
                v = self._exponent(term)
                total += -v if sign == "-" else v
            return total
        if isinstance(node, t.Symbol) and node.font is None and node.name.isalpha():
            if node.name in self.env.vars:
                raise CalculusError(
                    f"cannot differentiate with the variable exponent `{node.name}`"
                )
            return sympy.Symbol(node.name, integer=True, positive=True)
        raise CalculusError(f"cannot read the exponent `{show(node)}`")

    def _power(self, node: t.Power) -> Lowered:
        base = node.base
        if isinstance(base, t.Symbol) and base.name == "e" and "e" not in self.env.vars:
            x = self.lower(node.exponent)
            if x.is_scalar or x.cols == ONE or not same(x.rows, x.cols):
                return e.elem("exp", x)
            return e.matfn("exp", x)
        if isinstance(base, t.Norm):
            p = self._exponent(node.exponent)
            return self._norm(base, p)
        if isinstance(base, t.Apply) and base.parens is not False and _is_named(base.func):
            pass
        x = self.lower(base)
        ex = node.exponent
        elementwise = _without_circ(ex)
        if elementwise is not None:  # x^{\circ 2}, x^{\circ 1/2}, x^{\odot -1}: elementwise
            return e.hpow(x, self._exponent(elementwise))
        p = self._exponent(ex)
        return self._pow_value(x, p, node)

    def _pow_value(self, x: Expr, p: sympy.Expr, node: t.Node) -> Expr:
        if x.is_scalar:
            return e.power(x, p)
        if x.cols == ONE or not same(x.rows, x.cols):
            if p == sympy.Rational(1, 2):
                return e.elem("sqrt", x)
            raise CalculusError(
                f"`{show(node)}` raises a {x.shape.short()} array to a power: write "
                "`x \\odot x` or `x^{\\circ 2}` for an elementwise power"
            )
        return e.power(x, p)

    def _norm(self, node: t.Norm, exponent: sympy.Expr | None) -> Expr:
        x = self.lower(node.body)
        p = _norm_subscript(node.p)
        if p in ("2", None, "F"):
            if x.cols != ONE and p in ("2",):
                raise CalculusError("cannot differentiate the spectral norm ‖X‖₂ of a matrix")
            # ‖W‖ of a matrix, unsubscripted: the Frobenius norm, as losses write it
            # (‖Y - XW‖², λ‖W‖²); the spectral norm is written ‖W‖_2
            kind = "2" if x.cols == ONE else "F"
            if exponent == 2:
                return e.inner(x, x)
            n = e.norm(x, kind)
            return n if exponent is None else e.power(n, exponent)
        if p == "1":
            n = e.norm(x, "1")
            return n if exponent is None else e.power(n, exponent)
        if p in ("*", "\\ast", "nuc", "tr") and x.cols != ONE:
            # the nuclear norm tr((XᵀX)^{1/2}), differentiable where X has full column rank
            n = e.tr(e.power(e.mul(e.transpose(x), x), sympy.Rational(1, 2)))
            return n if exponent is None else e.power(n, exponent)
        raise CalculusError(f"cannot differentiate the norm ‖·‖_{p}")

    # -- functions ---------------------------------------------------------------------------
    def _apply(self, node: t.Apply) -> Lowered:
        f = node.func
        name = _function_name(f)
        if isinstance(f, t.Func) and (f.sub is not None or f.sup is not None):
            if f.name in ("max", "min", "arg") or f.sub is not None:
                raise CalculusError(f"cannot differentiate `\\{f.name}` with a subscript")
            if f.sup is not None:  # \log^2 x
                inner = self._apply(t.Apply(t.Func(f.name), node.args, node.parens))
                if isinstance(inner, _Pending):
                    raise CalculusError("cannot tell the size here")
                return self._pow_value(inner, self._exponent(f.sup), node)
        # a function the document defines: substitute its body
        key = symbol_key(f) if not isinstance(f, t.Func) else None
        if key is not None and key[0] in self.env.functions:
            return self._call(self.env.functions[key[0]], node)
        if key is not None and key[0] in self.env.vars:
            info = self.env.vars[key[0]]
            if info.shape.rows == ONE and info.shape.cols == ONE:  # λ(x + y): a product
                return self._product([f, *(_paren(a) for a in node.args)])
        if name == "max" or name == "min":
            written = _max_arguments(node)
            if len(written) == 2 and any(_is_zero_literal(a) for a in written):
                other = self.lower(written[1] if _is_zero_literal(written[0]) else written[0])
                if name == "max":
                    return e.elem("relu", other)
                return e.neg(e.elem("relu", e.neg(other)))
            raise CalculusError(f"cannot differentiate `\\{name}` except max(0, x)")
        args = [self.lower(a) for a in node.args]
        if len(args) != 1:
            raise CalculusError(f"`{show(f)}` takes one argument here, not {len(args)}")
        (x,) = args
        if name in TRACE_NAMES:
            return e.tr(x)
        if name == "det":
            return e.det(x)
        if name in ("logdet", "log\\det", "ldet"):
            return e.elem("log", e.det(x))
        if name == "diag" or name == "Diag":
            return e.diag_matrix(x) if x.cols == ONE else e.diag_vector(x)
        if name == "softmax":
            return e.softmax(x)
        if name in ("logsumexp", "LSE", "lse"):
            return e.lse(x)
        if name in ("sum",):
            return (
                e.mul(e.transpose(e.ones(x.rows, ONE)), x)
                if x.cols == ONE
                else e.tr(e.mul(e.transpose(e.ones(x.rows, ONE)), x, e.ones(x.cols, ONE)))
            )
        if name in ("expm",):
            return e.matfn("exp", x)
        if name in ("logm",):
            return e.matfn("log", x)
        if name in ("sqrtm",):
            return e.power(x, sympy.Rational(1, 2))
        if name in ("log", "ln") and x.is_scalar and len(node.args) == 1:
            quotient = _quotient(node.args[0])
            if quotient is not None:  # \log\frac{a}{b} = \log a - \log b (a, b > 0)
                a, b = (self.lower(q) for q in quotient)
                if a.is_scalar and b.is_scalar:
                    return e.sub(e.elem("log", a), e.elem("log", b))
        if name is not None and name in FUNCTION_NAMES:
            fn = FUNCTION_NAMES[name]
            if (
                name in MATRIX_FUNCTION_NAMES
                and not x.is_scalar
                and x.cols != ONE
                and same(x.rows, x.cols)
            ):
                return e.matfn(fn if fn != "log" else "log", x)
            if fn == "log" and isinstance(x, e.Det):
                return e.elem("log", x)
            return e.elem(fn, x)
        raise CalculusError(f"cannot differentiate the function `{show(f)}`")

    def _defined(self, fdef: FunctionDef) -> Lowered:
        if self.depth > 150 or fdef.key in self.expanding:
            raise CalculusError(f"the definition of `{fdef.key}` refers to itself")
        self.expanding.add(fdef.key)
        saved, self.index = self.index, None  # the definition is read on its own
        try:
            return self._lower(fdef.body)
        finally:
            self.index = saved
            self.expanding.discard(fdef.key)

    def _call(self, fdef: FunctionDef, node: t.Apply) -> Lowered:
        if len(node.args) != len(fdef.params):
            raise CalculusError(
                f"`{fdef.key}` takes {len(fdef.params)} argument(s), given {len(node.args)}"
            )
        if self.depth > 150:
            raise CalculusError(f"the definition of `{fdef.key}` refers to itself")
        values = {p: self.lower(a) for p, a in zip(fdef.params, node.args, strict=True)}
        saved = self.bound
        self.bound = {**saved, **values}
        try:
            return self._lower(fdef.body)
        finally:
            self.bound = saved

    def _bigop(self, node: t.BigOp) -> Lowered:
        if node.op != "\\sum":
            raise CalculusError(f"cannot differentiate `{node.op}`")
        index = _sum_index(node.lower)
        summand = node.body
        while index is not None and isinstance(summand, t.BigOp) and summand.op == "\\sum":
            inner = _sum_index(summand.lower)  # \sum_i \sum_j: one sum over (i, j)
            if inner is None:
                break
            index, summand = index + inner, summand.body
        if index is None or len(index) > 2 or self.index is not None:
            raise CalculusError("cannot read the index of this sum (write `\\sum_{i=1}^n`)")
        saved = self.index
        self.index = index
        try:
            body = self._entrywise(summand)
        finally:
            self.index = saved
        if body.is_scalar:
            written = ",".join(index)
            raise CalculusError(
                f"the summand does not involve the entries `·_{{{written}}}` of a declared "
                + ("vector" if len(index) == 1 else "matrix")
            )
        if body.cols != ONE:  # \sum_{i,j} over the entries of a matrix
            return e.mul(e.transpose(e.ones(body.rows, ONE)), body, e.ones(body.cols, ONE))
        return e.mul(e.transpose(e.ones(body.rows, ONE)), body)

    def _mentions_index(self, node: t.Node) -> bool:
        names = set(self.index or ())
        return any(
            isinstance(n, t.Sub) and names & set(_index_names(n.index) or ()) for n in node.walk()
        )

    def _entrywise(self, node: t.Node | None) -> Expr:
        """A summand over entries ``x_i`` as a vector expression (products are entrywise)."""
        if node is None:
            raise CalculusError("the sum has no summand")
        if not self._mentions_index(node):
            return self.lower(node)  # w^T x in (y_i - w^T x)^2: not entrywise
        if isinstance(node, t.Product):
            parts = [self._entrywise(f) for f in node.factors]
            vecs = [p for p in parts if not p.is_scalar]
            scal = [p for p in parts if p.is_scalar]
            return e.mul(*scal, e.had(*vecs)) if vecs else e.mul(*scal)
        if isinstance(node, t.Add):
            terms = []
            for sign, term in zip(node.signs, node.terms, strict=True):
                x = self._entrywise(term)
                terms.append(e.neg(x) if sign == "-" else x)
            vec = next((x for x in terms if not x.is_scalar), None)
            if vec is not None:
                terms = [e.mul(x, e.ones(vec.rows, vec.cols)) if x.is_scalar else x for x in terms]
            return e.add(*terms)
        if isinstance(node, t.Paren) and node.body is not None:
            return self._entrywise(node.body)
        if isinstance(node, t.Neg) and node.sign == "-":
            return e.neg(self._entrywise(node.operand))
        if isinstance(node, t.Power) and not (
            isinstance(node.base, t.Symbol) and node.base.name == "e"
        ):
            base = self._entrywise(node.base)
            p = self._exponent(node.exponent)
            return e.hpow(base, p)
        if isinstance(node, t.Power) and "e" not in self.env.vars:  # e^{-y_i z_i}
            return e.elem("exp", self._entrywise(node.exponent))
        if isinstance(node, t.Frac):
            num = self._entrywise(node.num)
            den = self._entrywise(node.den)
            if den.is_scalar:
                return e.mul(num, e.power(den, -1))
            return e.had(num, e.hpow(den, -1))
        if (
            isinstance(node, t.Apply)
            and _function_name(node.func) in FUNCTION_NAMES
            and len(node.args) == 1
        ):
            return e.elem(
                FUNCTION_NAMES[_function_name(node.func) or ""], self._entrywise(node.args[0])
            )
        if isinstance(node, t.Apply) and _function_name(node.func) in ("max", "min"):
            written = _max_arguments(node)
            if len(written) == 2 and any(_is_zero_literal(a) for a in written):
                other = self._entrywise(written[1] if _is_zero_literal(written[0]) else written[0])
                if _function_name(node.func) == "max":  # \sum_i \max(0, 1 - y_i z_i)
                    return e.elem("relu", other)
                return e.neg(e.elem("relu", e.neg(other)))
        x = self.lower(node)
        if not x.is_scalar and x.cols != ONE and len(self.index or ()) < 2:
            raise CalculusError(f"cannot sum the {x.shape.short()} `{show(node)}` entrywise")
        return x


@dataclass(frozen=True)
class _Indicator:
    """``\\mathbb{1}[z > 0]`` found in a product: the step function of ``body``."""

    body: t.Node


def _indicators(factors: list[t.Node]) -> list[t.Node | _Indicator]:
    out: list[t.Node | _Indicator] = []
    i = 0
    while i < len(factors):
        f = factors[i]
        nxt = factors[i + 1] if i + 1 < len(factors) else None
        if (
            isinstance(f, (t.Symbol, t.Number))
            and getattr(f, "name", getattr(f, "text", "")) == "1"
            and isinstance(nxt, t.Paren)
            and nxt.open in ("[", "\\left[", "(")
            and isinstance(nxt.body, t.Chain)
            and nxt.body.relations in ((">",), ("\\gt",))
            and isinstance(nxt.body.items[1], t.Number)
            and nxt.body.items[0] is not None
        ):
            out.append(_Indicator(nxt.body.items[0]))
            i += 2
            continue
        out.append(f)
        i += 1
    return out


def as_application(node: t.Node) -> t.Node:
    r"""``\mu(x)``, which the parser reads as a product of a Greek letter and a bracket, as
    the application it is where a function is being defined or is known to be one."""
    if (
        isinstance(node, t.Product)
        and len(node.factors) == 2
        and isinstance(node.factors[0], t.Symbol)
        and isinstance(node.factors[1], t.Paren)
        and node.factors[1].open in ("(", "\\left(")
        and node.factors[1].body is not None
    ):
        body = node.factors[1].body
        args = (
            tuple(a for a in body.items if a is not None) if isinstance(body, t.List) else (body,)
        )
        return t.Apply(node.factors[0], args, True, start=node.start, end=node.end)
    return node


_CASE_RELATIONS = {
    "<": "<", "\\lt": "<", "\\le": "<=", "\\leq": "<=", "\\leqslant": "<=",
    ">": ">", "\\gt": ">", "\\ge": ">=", "\\geq": ">=", "\\geqslant": ">=",
}  # fmt: skip


def _is_otherwise(cond: t.Node) -> bool:
    words = cond.text if isinstance(cond, t.Text) else ""
    return any(w in words for w in ("otherwise", "else", "elsewhere"))


def _without_words(node: t.Node) -> t.Node:
    """``\text{if } |r|``: the math without the words before it."""
    if isinstance(node, t.Product):
        rest = [f for f in node.factors if not isinstance(f, t.Text)]
        if rest and len(rest) < len(node.factors):
            return rest[0] if len(rest) == 1 else t.Product(tuple(rest), start=rest[0].start)
    return node


def _quotient(node: t.Node) -> tuple[t.Node, t.Node] | None:
    """The numerator and denominator of ``\frac{a}{b}`` or ``a / b`` (brackets allowed)."""
    while isinstance(node, t.Paren) and node.body is not None:
        node = node.body
    if isinstance(node, t.Frac) and node.num is not None and node.den is not None:
        return node.num, node.den
    if isinstance(node, t.BinOp) and node.op == "/" and node.right is not None:
        return node.left, node.right
    return None


def _max_arguments(node: t.Apply) -> list[t.Node]:
    r"""The arguments of ``\max(0, x)`` or ``\max\{0, x\}``."""
    written = list(node.args)
    if (
        len(written) == 1
        and isinstance(written[0], t.Paren)
        and isinstance(written[0].body, t.List)
    ):
        written = [a for a in written[0].body.items if a is not None]
    return written


def _text_functions(factors: list[t.Node]) -> list[t.Node]:
    """``\text{ReLU}(x)`` (a function named in text, read as a product): the application."""
    out: list[t.Node] = []
    i = 0
    while i < len(factors):
        f = factors[i]
        nxt = factors[i + 1] if i + 1 < len(factors) else None
        if isinstance(f, t.Text) and isinstance(nxt, t.Paren) and nxt.body is not None:
            name = re.sub(r"^\\[A-Za-z]+\{(.*)\}$", r"\1", f.text).strip()
            if name in FUNCTION_NAMES or name in TEXT_OPERATORS:
                func = t.Func(name, start=f.start, end=f.end)
                out.append(t.Apply(func, (nxt.body,), True, start=f.start, end=nxt.end))
                i += 2
                continue
        out.append(f)
        i += 1
    return out


def written_latex(node: t.Node) -> str:
    """A symbol as LaTeX for a message (``x_{i}``, ``\\hat{x}``), not as a tree."""
    if isinstance(node, t.Sub):
        return f"{written_latex(node.base)}_{{{written_latex(node.index)}}}"
    if isinstance(node, t.Symbol):
        name = node.name
        for accent in node.accents:
            name = f"\\{accent}{{{name}}}"
        return f"\\{node.font}{{{name}}}" if node.font else name
    if isinstance(node, t.Number):
        return node.text
    return show(node)


def _sum_pending(parts: list[_Pending]) -> _Pending:
    def build(r: Dim, c: Dim) -> Expr:
        return e.add(*(p.resolve(r, c) for p in parts))

    return _Pending(build, parts[0].rows, parts[0].cols, parts[0].what)


def _norm_subscript(p: t.Node | None) -> str | None:
    r"""``2``, ``1``, ``F`` for ``_F``, ``_{\mathrm{F}}``, ``_\text{F}``, ``_{\mathrm{Fro}}``."""
    if p is None:
        return None
    if isinstance(p, t.Symbol) and not p.accents:
        name = p.name
    elif isinstance(p, t.Text):
        name = p.text.removeprefix("\\text{").removesuffix("}").strip()
    elif isinstance(p, t.Func):
        name = p.name
    else:
        name = show(p)
    return "F" if name in ("F", "Fro", "fro", "Frob") else name


def _function_name(f: t.Node) -> str | None:
    if isinstance(f, t.Func):
        return f.name
    if isinstance(f, t.Symbol):
        return f.name
    if isinstance(f, t.Opaque):
        return f.text.lstrip("\\")
    return None


def _without_circ(ex: t.Node) -> t.Node | None:
    r"""The exponent of ``x^{\circ k}`` without its ``\circ`` (None if it has none)."""
    if isinstance(ex, t.Product) and len(ex.factors) >= 2 and _is_circ(ex.factors[0]):
        rest = ex.factors[1:]
        return rest[0] if len(rest) == 1 else t.Product(tuple(rest), start=rest[0].start)
    if isinstance(ex, t.Add) and len(ex.terms) >= 2 and _is_circ(ex.terms[0]):
        # x^{\circ -1}, read as "\circ minus 1"
        return t.Add(ex.terms[1:], ex.signs[1:], start=ex.terms[1].start, end=ex.end)
    if isinstance(ex, t.BinOp) and ex.op == "/" and ex.left is not None:
        left = _without_circ(ex.left)  # x^{\circ 1/2}
        if left is not None:
            return t.BinOp(ex.op, left, ex.right, start=ex.start, end=ex.end)
    return None


def _is_circ(node: t.Node) -> bool:
    return isinstance(node, (t.Symbol, t.Opaque)) and getattr(
        node, "name", getattr(node, "text", "")
    ) in ("\\circ", "\\odot")


def _is_named(f: t.Node) -> bool:
    return isinstance(f, t.Func)


def _is_zero_literal(node: t.Node) -> bool:
    r"""``0``, or the zero vector ``\mathbf{0}``."""
    if isinstance(node, t.Symbol):
        return node.name == "0" and not node.accents
    return isinstance(node, t.Number) and sympy.Rational(node.text) == 0


def _paren(node: t.Node) -> t.Node:
    return t.Paren(node, "(", ")", start=node.start, end=node.end)


def _sum_index(lower: t.Node | None) -> tuple[str, ...] | None:
    r"""``i`` of ``\sum_{i=1}^n`` or ``\sum_i``; ``(i, j)`` of ``\sum_{i,j}``."""
    if isinstance(lower, t.Chain) and lower.items and isinstance(lower.items[0], t.Symbol):
        return (lower.items[0].name,)
    if isinstance(lower, t.Symbol):
        return (lower.name,)
    return _index_names(lower) if isinstance(lower, t.List) else None


def _index_names(index: t.Node | None) -> tuple[str, ...] | None:
    """The index names of an entry: ``i`` → (i,), ``ij`` / ``i,j`` / ``i j`` → (i, j)."""
    if isinstance(index, t.Symbol) and not index.font and not index.accents:
        return (index.name,)
    if isinstance(index, (t.Product, t.List)):
        items = index.factors if isinstance(index, t.Product) else index.items
        names = [i.name for i in items if isinstance(i, t.Symbol) and not i.font]
        if len(names) == len(items):
            return tuple(names)
    return None


def _describe(node: t.Node) -> str:
    if isinstance(node, t.Opaque):
        return node.text
    if isinstance(node, t.Func):
        return "\\" + node.name
    return show(node)
