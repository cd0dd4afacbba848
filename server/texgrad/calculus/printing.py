r"""LaTeX for the engine's expressions, in the document's own notation.

A :class:`Style` says how the document writes things: its transpose marker
(``^\top``, ``^T``, ``'``), its spelling of trace and friends
(``\operatorname{tr}``, ``\mathrm{Tr}``, a user's ``\tr``), each symbol as written
(``\mathbf{x}``, ``\mA``), and ``\ln`` or ``\log``.  The printer adds only the
parentheses precedence needs, writes scalars in front, negative powers of
scalars as a fraction (``\frac{2A^\top A x}{\|Ax\|_2^2}``) and ``x^\top x`` as
``\|x\|_2^2``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.entrywise_said import functions_entrywise
from texgrad.calculus.expr import Expr, segments
from texgrad.shapes.dims import Shape

_POWER_NAME = re.compile(r"(.+)\^\{(\d+)\}")  # \sigma^{2}: written.power_name


@dataclass
class Style:
    transpose: str = "^\\top"  # or "^T", "^{\\mathsf{T}}", "'"
    names: dict[str, str] = field(default_factory=dict)  # "tr" -> "\operatorname{tr}"
    symbols: dict[str, str] = field(default_factory=dict)  # key -> LaTeX as written
    differential: str = "\\mathrm{d}"
    vector_norm: str = "_2"  # "" where the row writes its norms \|x\| with no subscript

    def op(self, name: str) -> str:
        if name in self.names:
            return self.names[name]
        return DEFAULT_NAMES.get(name, f"\\operatorname{{{name}}}")

    @property
    def mark(self) -> str:
        """The transpose marker inside an exponent: ``\\top`` of ``^\\top``."""
        m = self.transpose
        return m[1:].strip("{}") if m.startswith("^") else "\\top"


DEFAULT_NAMES = {
    "tr": "\\operatorname{tr}", "det": "\\det", "log": "\\log", "exp": "\\exp", "sin": "\\sin",
    "cos": "\\cos", "tan": "\\tan", "tanh": "\\tanh", "sinh": "\\sinh", "cosh": "\\cosh",
    "arctan": "\\arctan", "sigma": "\\sigma", "diag": "\\operatorname{diag}",
    "softmax": "\\operatorname{softmax}", "relu": "\\operatorname{relu}",
    "softplus": "\\operatorname{softplus}", "sign": "\\operatorname{sign}",
    "logsumexp": "\\operatorname{logsumexp}", "vec": "\\operatorname{vec}",
    "erf": "\\operatorname{erf}",
}  # fmt: skip

# precedence: what an operand needs to be printed without parentheses
SUM, PRODUCT, POSTFIX, ATOM = 1, 2, 3, 4


def _superscripted(name: str) -> bool:
    """Does a symbol's LaTeX end in a superscript of its own (``W^{(l)}``, ``W_i^Q``; not the
    ``^`` inside ``x_{i^2}``)?"""
    depth = 0
    for ch in name:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "^" and depth == 0:
            return True
    return False


def commutation_name(x: e.Commutation) -> str:
    """``K_{mn}``, or ``K_{m,n}`` where a size is longer than one letter."""
    m, n = sympy.latex(x.m), sympy.latex(x.n)
    return f"K_{{{m}{n}}}" if len(m) == len(n) == 1 else f"K_{{{m},{n}}}"


def commutation_notes(x: Expr, style: Style | None = None) -> str:
    """What each commutation matrix of ``x`` is, for a result's note ("" if none)."""
    vec = (style or Style()).op("vec")
    mark = (style or Style()).transpose
    out = []
    for c in {c: None for c in x.walk() if isinstance(c, e.Commutation)}:
        k = commutation_name(c)
        m, n = sympy.latex(c.m), sympy.latex(c.n)
        out.append(
            f"; {k} is the commutation matrix: {k} {vec}(X) = {vec}(X{mark}) for X ∈ ℝ^{{{m}×{n}}}"
        )
    return "".join(out)


def latex(x: Expr, style: Style | None = None) -> str:
    return _Printer(style or Style()).text(x)


def quoted(x: Expr) -> str:
    """``x`` printed in LaTeX and quoted, for a message a user reads (never the name of an
    internal class); "this expression" where it cannot be printed."""
    try:
        return f"`{latex(x)}`"
    except (ValueError, RecursionError, e.CalculusError):
        return "this expression"


def printer(style: Style) -> Callable[[Expr], str]:
    """:func:`latex` in ``style``, remembering every subexpression it printed: for many
    calls on expressions that share parts (the simplifier compares the lengths of
    candidate forms).  The style must not change while it is used."""
    return _Printer(style).text


def _scalar_letter(x: Expr, show: Callable[[Expr], tuple[str, int]]) -> bool:
    """A number written as one letter without subscripts (``\\lambda``, a dimension ``N``):
    above a fraction's line with its rational coefficient (``\\frac{\\lambda}{2}``)."""
    if isinstance(x, e.Num):
        return isinstance(x.value, sympy.Symbol) and "_" not in x.value.name
    return isinstance(x, e.Var) and x.is_scalar and "_" not in show(x)[0]


def _number(v: sympy.Expr) -> str:
    if v == sympy.E:
        return "e"
    if v == sympy.pi:
        return "\\pi"
    if isinstance(v, sympy.Rational) and v.q != 1:
        sign = "-" if v < 0 else ""
        return f"{sign}\\frac{{{abs(v.p)}}}{{{v.q}}}"
    return _plain_subscripts(str(sympy.latex(v)))


_ONE_CHARACTER_SUBSCRIPT = re.compile(r"_\{([A-Za-z0-9])\}")


def _plain_subscripts(text: str) -> str:
    """A dimension's one-character subscript as documents write it: ``\\sqrt{d_k}``, not
    ``\\sqrt{d_{k}}`` (the braces sympy's names keep)."""
    return _ONE_CHARACTER_SUBSCRIPT.sub(r"_\1", text) if "_{" in text else text


_RELATION = {"<": "<", "<=": "\\le", ">": ">", ">=": "\\ge"}


def _sized_if_alone(x: Expr) -> Expr:
    r"""A ones vector that is all of ``x`` but for scalar factors (``\frac{1}{m}\mathbf{1}``),
    whose size nothing beside it tells, written with its size: ``\frac{\mathbf{1}_m}{m}``."""
    factors = x.factors if isinstance(x, e.Mul) else (x,)
    arrays = [f for f in factors if not f.is_scalar]
    if len(arrays) != 1 or not isinstance(arrays[0], e.Ones):
        return x
    ones = arrays[0]
    sized = _sized_ones(ones)
    return e.mul(*(sized if f is ones else f for f in factors))


def _sized_ones(ones: e.Ones) -> Expr:
    r"""``\mathbf{1}_n`` (a column) or ``\mathbf{1}_n^\top`` (a row) for ``ones``."""
    column = ones.cols == 1
    size = sympy.latex(ones.rows if column else ones.cols)
    name = f"\\mathbf{{1}}_{size}" if len(size) == 1 else f"\\mathbf{{1}}_{{{size}}}"
    sized: Expr = e.var(name, Shape(ones.rows, ones.cols) if column else Shape(ones.cols, e.ONE))
    return sized if column else e.transpose(sized)


def _sized_outer_ones(x: Expr) -> Expr:
    r"""An outer product of ones at an end of a product (``A^\top \mathbf{1}\mathbf{1}^\top``,
    A m×q, the gradient of ``\mathbf{1}^\top AB\mathbf{1}`` by B q×n) with its outer ones
    sized: nothing beside the last ``\mathbf{1}^\top`` (the first ``\mathbf{1}``) tells its
    size, and a reader taking it square misreads a rectangular result
    (``A^\top \mathbf{1}\mathbf{1}_n^\top``; ``\mathbf{1}_m\mathbf{1}_n^\top`` alone).  Of a
    rectangular result and its terms only (inside a trace, a function, an inverse, the rest
    of the formula sizes it)."""
    if isinstance(x, e.Add):
        terms = [_sized_outer_ones(a) for a in x.terms]
        changed = any(a is not b for a, b in zip(terms, x.terms, strict=True))
        return e.add(*terms) if changed else x
    if not isinstance(x, e.Mul) or e.same(x.rows, x.cols):  # (square: read so, rightly)
        return x
    factors = list(x.factors)
    chain = [n for n, f in enumerate(factors) if not f.is_scalar]
    if len(chain) < 2:
        return x
    a, (c, d) = chain[0], chain[-2:]
    last = _ones_column(factors[c]) and _ones_row(factors[d])  # … 1 1^T : the last one
    first = last and len(chain) == 2  # 1 1^T alone: the first one too
    if first:
        factors[a] = _sized_ones(x.factors[a])  # type: ignore[arg-type]
    if last:
        factors[d] = _sized_ones(x.factors[d])  # type: ignore[arg-type]
    return e.mul(*factors) if first or last else x


def _ones_column(x: Expr) -> bool:
    return isinstance(x, e.Ones) and x.cols == 1 and x.rows != 1


def _ones_row(x: Expr) -> bool:
    return isinstance(x, e.Ones) and x.rows == 1 and x.cols != 1


class _Printer:
    def __init__(self, style: Style) -> None:
        self.s = style
        self.memo: dict[int, tuple[Expr, tuple[str, int]]] = {}

    def text(self, x: Expr) -> str:
        return self.p(_sized_outer_ones(_sized_if_alone(x)))[0]

    def p(self, x: Expr) -> tuple[str, int]:
        hit = self.memo.get(id(x))
        if hit is not None and hit[0] is x:
            return hit[1]
        out = _PRINT.get(type(x), _Printer._unknown)(self, x)  # no subclasses: the type is the key
        self.memo[id(x)] = (x, out)
        return out

    def wrap(self, x: Expr, need: int) -> str:
        s, prec = self.p(x)
        return (
            f"\\left({s}\\right)" if prec < need and _tall(s) else (f"({s})" if prec < need else s)
        )

    def sym(self, name: str) -> str:
        got = self.s.symbols.get(name)
        if got is not None:
            return got
        if name[:1] == "{" and name[-1:] == "}" and "{" not in name[1:-1]:
            return name[1:-1]  # {\sigma}: the plain letter beside a bold one (lower.plain_key)
        return name

    def _unknown(self, x: Expr) -> tuple[str, int]:
        raise ValueError(f"cannot print {type(x).__name__}")

    # -- leaves ---------------------------------------------------------------------------------
    def _var(self, x: e.Var) -> tuple[str, int]:
        name = self.sym(x.name)
        # W^{(l)}, W^Q already carry a superscript: a transpose or power needs brackets
        return name, (POSTFIX if _superscripted(name) else ATOM)

    def _num(self, x: e.Num) -> tuple[str, int]:
        txt = _number(x.value)
        # 2d + 1: a sum of dimensions, bracketed as a factor
        return txt, (SUM if txt.startswith("-") or isinstance(x.value, sympy.Add) else ATOM)

    def _identity(self, x: e.Identity) -> tuple[str, int]:
        # I_p where the document writes the identity with its size (I_p, I_{n}, \mathbf{I}_d)
        sized = self.s.symbols.get(f"I_{{{sympy.latex(x.rows)}}}") if self.s.symbols else None
        return (sized if sized is not None else "I"), ATOM

    def _commutation(self, x: e.Commutation) -> tuple[str, int]:
        return commutation_name(x), ATOM

    def _ones(self, x: e.Ones) -> tuple[str, int]:
        row = x.rows == 1 and x.cols != 1
        # \mathbf 1_n where the document writes the ones vector with its size (as I_p)
        size = sympy.latex(x.cols if row else x.rows)
        written = self.s.symbols.get(f"1_{{{size}}}") if self.s.symbols else None
        name = written if written is not None else "\\mathbf{1}"
        if row:
            return f"{name}{self.s.transpose}", POSTFIX
        return name, ATOM

    def _zero(self, x: e.Zero) -> tuple[str, int]:
        return "0", ATOM

    def _d(self, x: e.D) -> tuple[str, int]:
        return f"{self.s.differential}{self.sym(x.var.name)}", POSTFIX

    def _sum(self, x: e.Add) -> tuple[str, int]:
        if x.rows == e.ONE and x.cols != e.ONE:
            column = e.transpose(x)
            if isinstance(column, e.Add):  # x^T - a^T reads better as (x - a)^T
                inner = self.add(column)
                brackets = ("\\left(", "\\right)") if _tall(inner) else ("(", ")")
                return f"{brackets[0]}{inner}{brackets[1]}{self.s.transpose}", POSTFIX
        return self.add(x), SUM

    # -- matrix operations ------------------------------------------------------------------------
    def _t(self, x: e.T) -> tuple[str, int]:
        s = self.s
        if isinstance(x.arg, e.D):
            mark = "'" if s.transpose == "'" else s.transpose
            return f"{s.differential}{self.sym(x.arg.var.name)}{mark}", POSTFIX
        if isinstance(x.arg, e.Inv):
            return f"{self.wrap(x.arg.arg, ATOM)}^{{-{s.mark}}}", POSTFIX
        if s.transpose == "'":
            return f"{self.wrap(x.arg, ATOM)}'", POSTFIX
        return f"{self.wrap(x.arg, ATOM)}{s.transpose}", POSTFIX

    def _inv(self, x: e.Inv) -> tuple[str, int]:
        if isinstance(x.arg, e.T):
            return f"{self.wrap(x.arg.arg, ATOM)}^{{-{self.s.mark}}}", POSTFIX
        return f"{self.wrap(x.arg, ATOM)}^{{-1}}", POSTFIX

    def _tr(self, x: e.Tr) -> tuple[str, int]:
        if isinstance(x.arg, e.Mul) and _is_gram(x.arg.factors):
            half = x.arg.factors[len(x.arg.factors) // 2 :]
            return f"\\|{self.text(e.mul(*half))}\\|_F^2", POSTFIX
        return f"{self.s.op('tr')}({self.text(x.arg)})", ATOM

    def _det(self, x: e.Det) -> tuple[str, int]:
        return f"{self.s.op('det')}({self.text(x.arg)})", ATOM

    def _kron(self, x: e.Kron) -> tuple[str, int]:
        return f"{self.kron_factor(x.left)} \\otimes {self.kron_factor(x.right)}", PRODUCT

    def kron_factor(self, x: Expr) -> str:
        """A factor of a Kronecker product; an identity with its size (``I_{n}``), which
        nothing else around it tells."""
        if isinstance(x, e.Identity):
            return f"I_{{{sympy.latex(x.rows)}}}"
        return self.wrap(x, POSTFIX)

    def _diag(self, x: e.DiagM | e.DiagV) -> tuple[str, int]:
        return f"{self.s.op('diag')}({self.text(x.arg)})", ATOM

    def _matrix_function(self, x: e.MatFn) -> tuple[str, int]:
        if x.fn == "exp":
            return f"e^{{{self.text(x.arg)}}}", POSTFIX
        return f"{self.s.op(x.fn)}({self.text(x.arg)})", ATOM

    def _exp_frechet(self, x: e.ExpFrechet) -> tuple[str, int]:
        a = self.text(x.arg)
        return (f"\\int_0^1 e^{{s{self.wrap(x.arg, ATOM)}}}\\, {self.text(x.direction)}"
                f"\\, e^{{(1-s){self.wrap(x.arg, ATOM)}}} \\,\\mathrm{{d}}s", SUM) if a else ("", SUM)  # fmt: skip

    # -- elementwise and the rest ---------------------------------------------------------------
    def _had(self, x: e.Had) -> tuple[str, int]:
        # a ⊙ b^{∘-1} reads a ⊘ b
        tops = [a for a in x.args if not (isinstance(a, e.HPow) and a.exp.is_negative)]
        bottoms = [
            e.hpow(a.arg, -a.exp) for a in x.args if isinstance(a, e.HPow) and a.exp.is_negative
        ]
        parts = [self.wrap(a, POSTFIX) for a in (tops if tops and bottoms else x.args)]
        odot = " \\odot "
        text = odot.join(parts)
        if tops and bottoms:
            below = [self.wrap(b, POSTFIX) for b in bottoms]
            den = below[0] if len(below) == 1 else "(" + odot.join(below) + ")"
            top = "(" + text + ")" if len(tops) > 1 else text
            text = top + " \\oslash " + den
        return text, PRODUCT

    def _hpow(self, x: e.HPow) -> tuple[str, int]:
        base = self.wrap(x.arg, ATOM)
        if base.startswith("\\frac"):  # (r/δ)^{∘2}, not \frac{r}{δ}^{∘2}: the whole fraction
            base = f"\\left({base}\\right)"
        return f"{base}^{{\\circ {_number(x.exp)}}}", POSTFIX

    def _softmax(self, x: e.Softmax) -> tuple[str, int]:
        return f"{self.s.op('softmax')}({self.text(x.arg)})", ATOM

    def _vec(self, x: e.Vec) -> tuple[str, int]:
        return f"{self.s.op('vec')}({self.text(x.arg)})", ATOM

    def _unvec(self, x: e.Unvec) -> tuple[str, int]:
        inner = self.text(x.arg)
        brackets = ("\\left(", "\\right)") if _tall(inner) or "^{-1}" in inner else ("(", ")")
        shape = (
            "" if x.rows == x.cols else f"_{{{sympy.latex(x.rows)} \\times {sympy.latex(x.cols)}}}"
        )
        return f"{self.s.op('vec')}^{{-1}}{shape}{brackets[0]}{inner}{brackets[1]}", ATOM

    def _lse(self, x: e.LSE) -> tuple[str, int]:
        s = self.s
        return (
            f"{s.op('log')} \\mathbf{{1}}^{s.mark if s.transpose != chr(39) else chr(39)} {s.op('exp')}({self.text(x.arg)})",
            PRODUCT,
        )

    def _piecewise(self, x: e.Piecewise) -> tuple[str, int]:
        rows = []
        for value, left, right, op in zip(x.values, x.lefts, x.rights, x.ops, strict=True):
            cond = (
                "\\text{otherwise}"
                if op == ""
                else f"{self.text(left)} {_RELATION[op]} {self.text(right)}"
            )
            rows.append(f"{self.text(value)} & {cond}")
        return "\\begin{cases} " + " \\\\ ".join(rows) + " \\end{cases}", ATOM

    def _norm(self, x: e.Norm) -> tuple[str, int]:
        sub = {"2": "_2", "F": "_F", "1": "_1"}[x.p]
        if x.p == "2" and (x.arg.cols == e.ONE or x.arg.rows == e.ONE):
            sub = self.s.vector_norm  # a vector's: the 2-norm however written
        return f"\\|{self.text(x.arg)}\\|{sub}", ATOM

    # -- sums ---------------------------------------------------------------------------------
    def add(self, x: e.Add) -> str:
        out: list[str] = []
        terms = list(x.terms)
        if x.is_scalar and _split_sign(terms[0])[0]:  # -1 + α reads as α - 1
            first = next((i for i, a in enumerate(terms) if not _split_sign(a)[0]), 0)
            terms.insert(0, terms.pop(first))
        for i, term in enumerate(terms):
            negative, body = _split_sign(term)
            txt, prec = self.p(body)
            if prec < PRODUCT and isinstance(body, e.Add):
                txt = f"({txt})"
            if i == 0:
                out.append(f"-{txt}" if negative else txt)
            else:
                out.append(f" - {txt}" if negative else f" + {txt}")
        return "".join(out)

    # -- products -----------------------------------------------------------------------------
    def mul(self, x: e.Mul) -> tuple[str, int]:
        factors = list(x.factors)
        coef = sympy.Integer(1)
        dens: list[Expr] = []
        nums: list[Expr] = []
        if factors and isinstance(factors[0], e.Num) and factors[0].value.is_Rational:
            coef = factors[0].value
            factors = factors[1:]
        elif factors and isinstance(factors[0], e.Num) and factors[0].value.free_symbols:
            # -1/N: a rational coefficient, the dimension above or below the line
            coef, rest = factors[0].value.as_coeff_Mul()
            top, bottom = sympy.fraction(rest)
            factors = factors[1:]
            if top != 1:
                nums.append(e.num(top))
            if bottom != 1:
                dens.append(e.num(bottom))
        for f in factors:
            if isinstance(f, e.Pow) and f.is_scalar and f.exp.is_negative:
                dens.append(e.power(f.arg, -f.exp))
            else:
                nums.append(f)
        sign = "-" if coef < 0 else ""
        coef = abs(coef)
        if dens:
            top = self.chain(nums, coef.p, alone=True)
            bottom = self.chain(dens, coef.q, alone=True)
            return f"{sign}\\frac{{{top}}}{{{bottom}}}", (ATOM if not sign else SUM)
        letters = [f for f in nums if _scalar_letter(f, self.p)] if coef.q != 1 else []
        if letters and len(letters) <= 2:  # \frac{\lambda}{2}, \frac{N}{2}: as textbooks write
            top = self.chain(letters, coef.p, alone=True)
            rest = (
                self.chain([f for f in nums if all(f is not g for g in letters)], 1)
                if len(letters) < len(nums)
                else ""
            )
            body = f"\\frac{{{top}}}{{{coef.q}}}" + (f" {rest}" if rest else "")
            return (f"{sign}{body}", SUM if sign else PRODUCT)
        body = self.chain(nums, 1)
        if coef != 1:
            c = _number(coef)
            body = f"{c} {body}" if body else c
        return (f"{sign}{body}", SUM if sign else PRODUCT)

    def chain(self, factors: list[Expr], coef: int, alone: bool = False) -> str:
        """Factors in print order: number, scalar groups, then the matrix chain."""
        if not factors:
            return str(coef)
        groups = segments(tuple(factors))
        scalar = [e.chain_shape(g) == (e.ONE, e.ONE) for g in groups]  # e.mul(*g).is_scalar
        scalars = [g for g, s in zip(groups, scalar, strict=True) if s]
        matrix = [g for g, s in zip(groups, scalar, strict=True) if not s]
        parts: list[str] = [str(coef)] if coef != 1 else []
        ordered = scalars + matrix
        for gi, g in enumerate(ordered):
            last = gi == len(ordered) - 1
            if len(g) > 1 and g in scalars and _is_gram(tuple(g)):
                half = g[len(g) // 2 :]
                parts.append(f"\\|{self.text(e.mul(*half))}\\|{self.s.vector_norm}^2")
                continue
            need = (
                POSTFIX
                if len(g) > 1 or len(ordered) > 1
                else (SUM if alone and coef == 1 else PRODUCT)
            )
            txt = " ".join(self.wrap(f, need) for f in g)
            if len(g) > 1 and not last and g in scalars:
                txt = f"({txt})"
            parts.append(txt)
        return " ".join(parts)

    # -- powers and functions -------------------------------------------------------------
    def power(self, x: e.Pow) -> tuple[str, int]:
        p = x.exp
        if x.is_scalar:
            if p.is_negative:
                return f"\\frac{{1}}{{{self.text(e.power(x.arg, -p))}}}", ATOM
            root = self.root_power(x)
            if root is not None:
                return root
            if p == sympy.Rational(1, 2):
                return f"\\sqrt{{{self.text(x.arg)}}}", ATOM
            if isinstance(x.arg, e.Norm):
                base = self.text(x.arg)
                power = sympy.latex(p)
                return (f"{base}^{power}" if len(power) == 1 else f"{base}^{{{power}}}"), POSTFIX
        exp_txt = (
            sympy.latex(p)
            if p.is_Integer or p.is_Symbol
            else (f"{p.p}/{p.q}" if isinstance(p, sympy.Rational) else sympy.latex(p))
        )
        return f"{self.wrap(x.arg, ATOM)}^{{{exp_txt}}}", POSTFIX

    def root_power(self, x: e.Pow) -> tuple[str, int] | None:
        r"""``(\sigma^2)^{3/2}`` as ``\sigma^{3}`` where the document names σ² (σ is then
        its root, ``lower``'s reading of σ) and writes σ itself; None otherwise."""
        if not isinstance(x.arg, e.Var):
            return None
        named = _POWER_NAME.fullmatch(x.arg.name)
        if named is None or named[1] not in self.s.symbols:
            return None
        p = x.exp * int(named[2])
        if not p.is_Integer or p < 1:
            return None
        base = self.sym(named[1])
        if p == 1:
            return base, (POSTFIX if _superscripted(base) else ATOM)
        return f"{self.wrap(e.var(named[1], x.arg.shape), ATOM)}^{{{p}}}", POSTFIX

    def elem(self, x: e.Elem) -> tuple[str, int]:
        s = self.s
        fn = x.fn
        if isinstance(x.arg, e.T) and x.rows == e.ONE and x.cols != e.ONE:
            inner = self.text(e.elem(fn, x.arg.arg))
            return f"{inner}{s.transpose}" if fn not in ("abs", "step") else (
                f"({inner}){s.transpose}"
            ), POSTFIX
        if fn == "exp" and x.is_scalar:
            power = self._power_of_log(x.arg)
            if power is not None:  # e^{γ log b} = b^γ, as written (b > 0 where log b is)
                return power
        arg = self.text(x.arg)
        if fn == "abs":
            return f"|{arg}|", ATOM
        if fn == "sqrt":
            return f"\\sqrt{{{arg}}}", ATOM
        if fn == "step":
            return f"\\mathbb{{1}}[{arg} > 0]", ATOM
        if fn == "relu" and "ARG" in s.op(fn):  # \max(0, z) as the document writes relu
            return s.op(fn).replace("ARG", arg, 1), ATOM
        if fn == "sigma" and "-ARG" in s.op(fn):  # \frac{1}{1 + e^{-t}}, as the document writes σ
            if not x.is_scalar:  # (of a vector: σ, a fraction of vectors is read by no one)
                return f"{DEFAULT_NAMES[fn]}({arg})", ATOM
            return s.op(fn).replace("-ARG", self.text(e.neg(x.arg)), 1), ATOM
        if fn in _MATRIX_FUNCTIONS and _square(x.arg) and not functions_entrywise():
            # entrywise of a square matrix: \exp(T) alone reads as its matrix exponential
            return f"{s.op(fn)}_{{\\odot}}({arg})", ATOM
        if fn == "exp" and x.is_scalar and len(arg) < 24 and s.names.get("exp") != "\\exp":
            # (e^{η_i}, unless the document writes \exp(η_i): then as it does)
            return f"e^{{{arg}}}", POSTFIX
        return f"{s.op(fn)}({arg})", ATOM

    def _power_of_log(self, x: Expr) -> tuple[str, int] | None:
        """``b^{p}`` for the exponent ``p log b`` (``p`` a scalar without a logarithm);
        None for any other."""
        if not isinstance(x, e.Mul):
            return None
        logs = [f for f in x.factors if isinstance(f, e.Elem) and f.fn == "log" and f.is_scalar]
        if len(logs) != 1:
            return None
        rest = [f for f in x.factors if f is not logs[0]]
        if not all(f.is_scalar for f in rest):
            return None
        p = e.mul(*rest)
        base = self.wrap(logs[0].arg, ATOM)
        if base.startswith("\\frac"):
            base = f"\\left({base}\\right)"
        return f"{base}^{{{self.text(p)}}}", POSTFIX

    def _applied(self, x: e.Applied) -> tuple[str, int]:
        """``\\phi(z)``, ``\\phi'(z)``: a function the document defines, by its own name."""
        return f"{x.fn.latex}{chr(39) * x.fn.primes}({self.text(x.arg)})", ATOM


def _tall(s: str) -> bool:
    return "\\frac" in s or "\\sum" in s


def _split_sign(x: Expr) -> tuple[bool, Expr]:
    """A term's sign and its magnitude (``-2x`` → (True, 2x))."""
    if isinstance(x, e.Num) and e.negative(x.value):
        return True, e.num(-x.value)
    if isinstance(x, e.Mul) and isinstance(x.factors[0], e.Num) and e.negative(x.factors[0].value):
        return True, e.mul(e.num(-x.factors[0].value), *x.factors[1:])
    return False, x


def _is_gram(factors: tuple[Expr, ...]) -> bool:
    """``Pᵀ P`` written out (``x^\\top A^\\top A x``): the first half is the transposed
    reverse of the second."""
    n = len(factors)
    if n < 2 or n % 2:
        return False
    first, second = factors[: n // 2], factors[n // 2 :]
    if any(f.is_scalar for f in factors):
        return False
    return all(e.transpose(a) == b for a, b in zip(reversed(first), second, strict=True))


# functions the reader takes of a square matrix as its matrix function (\exp(T): e^{T})
_MATRIX_FUNCTIONS = frozenset({"exp", "log", "sin", "cos"})


def _square(x: Expr) -> bool:
    """Whether ``x`` is a square matrix (not a scalar, not a vector)."""
    return x.cols != e.ONE and x.rows == x.cols


# How each kind of expression is printed: a table built once, so that printing a node is
# one lookup (the simplifier prints every candidate form to compare their lengths).
_PRINT: dict[type[Expr], Callable[[_Printer, Any], tuple[str, int]]] = {
    e.Var: _Printer._var, e.Num: _Printer._num, e.Identity: _Printer._identity,
    e.Commutation: _Printer._commutation,
    e.Ones: _Printer._ones, e.Zero: _Printer._zero, e.D: _Printer._d, e.Add: _Printer._sum,
    e.Mul: _Printer.mul, e.T: _Printer._t, e.Inv: _Printer._inv, e.Tr: _Printer._tr,
    e.Det: _Printer._det, e.Pow: _Printer.power, e.Elem: _Printer.elem, e.Had: _Printer._had,
    e.HPow: _Printer._hpow, e.Kron: _Printer._kron, e.DiagM: _Printer._diag,
    e.DiagV: _Printer._diag, e.MatFn: _Printer._matrix_function,
    e.ExpFrechet: _Printer._exp_frechet, e.Softmax: _Printer._softmax, e.LSE: _Printer._lse,
    e.Piecewise: _Printer._piecewise, e.Norm: _Printer._norm, e.Vec: _Printer._vec,
    e.Unvec: _Printer._unvec, e.Applied: _Printer._applied,
}  # fmt: skip
