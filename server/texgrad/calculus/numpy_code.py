r"""Results as NumPy code: a Python function of the document's symbols that returns the
derivative, printed from the engine's own expression (:mod:`~texgrad.calculus.expr`),
never from LaTeX text.

:func:`numpy_code` writes the function: its parameters are the symbols of the function
differentiated (and of the result), named as the document spells them and made valid
identifiers (``\mathbf{x}`` → ``x``, ``\Sigma`` → ``Sigma``, ``W^{(1)}`` → ``W_1``,
``\hat{X}`` → ``X_hat``, ``\lambda`` → ``lambda_``; two symbols that would share a name
get ``_2``, ``_3``); its docstring says every parameter's shape and what is returned.
Inside, vectors are columns (``x`` may be given as a 1-D array), matrices 2-D arrays,
scalars floats; a dimension is read off a parameter's shape; a part of the result used
more than once is computed once (``t_0 = np.linalg.inv(A)``); an inverse applied to
something is a ``np.linalg.solve``.  It returns the derivative in the engine's layout:
a gradient has the variable's shape (a vector's is a 1-D array), a Jacobian is m×n
(numerator layout) or n×m, a Hessian n×n, a derivative by a scalar has the function's
shape; for a matrix-valued function it is the differential: a function of the point and
of a direction ``dX`` that returns ``dF`` there (an array shaped like F).

:func:`check_code` runs the code (ours, never the document's) at random points and
compares it with the engine's own evaluation of the result
(:mod:`~texgrad.calculus.evaluate_expr`): code that disagrees, or that a construct has no
NumPy spelling for, is refused with a message (:class:`NumpyUnsupported`) — never wrong.
"""

from __future__ import annotations

import keyword
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import Array, EvaluationError
from texgrad.calculus.differential import Budget, BudgetExceeded
from texgrad.calculus.expr import ONE, CalculusError, Expr, segments
from texgrad.calculus.lower import Env
from texgrad.shapes.dims import Shape

# precedence of what an expression prints as
_ADD, _MUL, _UNARY, _POW, _ATOM = 1, 2, 3, 4, 5

_ELEMENTWISE = {
    "exp": "np.exp", "log": "np.log", "sin": "np.sin", "cos": "np.cos", "tan": "np.tan",
    "tanh": "np.tanh", "sinh": "np.sinh", "cosh": "np.cosh", "arctan": "np.arctan",
    "abs": "np.abs", "sqrt": "np.sqrt", "sign": "np.sign", "sigma": "scipy.special.expit",
    "erf": "scipy.special.erf",
}  # fmt: skip
_MATRIX_FUNCTIONS = {
    "exp": "scipy.linalg.expm({})", "log": "scipy.linalg.logm({}).real",
    "sin": "scipy.linalg.sinm({})", "cos": "scipy.linalg.cosm({})",
}  # fmt: skip
_KIND_NAMES = {
    "gradient": ("grad", "the gradient"),
    "jacobian": ("jacobian", "the Jacobian"),
    "derivative": ("derivative", "the derivative"),
    "hessian": ("hessian", "the Hessian"),
    "matrix": ("differential", "the differential"),
}
_RESERVED = frozenset({"np", "scipy", "float"})
_ACCENTS = ("hat", "widehat", "bar", "overline", "tilde", "widetilde", "dot", "ddot", "vec",
            "check", "breve", "acute", "grave", "mathring", "underline")  # fmt: skip
_FONTS = ("mathbf", "boldsymbol", "bm", "mathrm", "mathit", "mathsf", "mathtt", "pmb",
          "mathcal", "mathscr", "mathfrak", "mathbb", "text", "textrm", "operatorname")  # fmt: skip


class NumpyUnsupported(CalculusError):
    """A result the printer cannot write as NumPy code (or whose code did not check)."""


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter of the generated function."""

    name: str  # the Python identifier
    key: str  # the variable's key, "d:<key>" for a direction, or a dimension / exponent
    rows: sympy.Expr
    cols: sympy.Expr
    size: bool = False  # an integer (a dimension or an exponent) rather than an array
    spelling: str = ""  # as the document writes it
    real: bool = False  # a size that is any positive number (the exponent of "\gamma > 0")


@dataclass(frozen=True, slots=True)
class NumpyCode:
    source: str  # the module text: imports and one function
    function: str  # the function's name
    params: tuple[Param, ...]
    result: Expr  # what the function returns (the engine's expression)


# -- names -------------------------------------------------------------------------------


def identifier(key: str) -> str:
    r"""A Python identifier for a symbol as a document spells it: ``\mathbf{x}`` → ``x``,
    ``\Sigma`` → ``Sigma``, ``W^{(1)}`` → ``W_1``, ``\hat{X}`` → ``X_hat``, ``x_{i}`` →
    ``x_i``, ``z'`` → ``z_prime``, ``\lambda`` → ``lambda_``; a font or accent without
    braces too (``\boldsymbol\mu`` → ``mu``, ``\mathbf x`` → ``x``)."""
    s = re.sub(r"\((?:[A-Z]\w*):([^()]*)\)", r"\1", key)  # a tree's spelling: (Func:max)
    s = s.replace("'", "_prime")
    for accent in _ACCENTS:
        s = re.sub(rf"\\{accent}\s*\{{([^{{}}]*)\}}", r"\1_" + accent, s)
        s = re.sub(rf"\\{accent}(?![A-Za-z])\s*(\\[A-Za-z]+|\w)", r"\1_" + accent, s)  # \hat x
    for font in _FONTS:
        s = re.sub(rf"\\{font}\s*\{{([^{{}}]*)\}}", r"\1", s)
        s = re.sub(rf"\\{font}(?![A-Za-z])\s*(\\[A-Za-z]+|\w)", r"\1", s)  # \boldsymbol\mu
    s = s.replace("^", "_").replace("\\", "").replace("+", "p").replace("-", "m")
    s = re.sub(r"\W+", "_", s)
    s = re.sub(r"_+", "_", s).strip("_")
    if not s:
        s = "v"
    if s[0].isdigit():
        s = "v" + s
    if keyword.iskeyword(s) or s in _RESERVED:
        s += "_"
    return s if s.isidentifier() else "v"


def _give(namer: _Names, spelling: str) -> str:
    r"""A symbol's name: its identifier, or for a tagged symbol whose identifier is taken
    (``W^{(1)}`` beside ``W_1``) the tag spelt out (``W_sup_1``)."""
    wanted = identifier(spelling)
    if wanted in namer.taken and "^" in spelling:
        wanted = identifier(spelling.replace("^", "_sup_"))
    return namer.give(wanted)


class _Names:
    """One namespace: every name given once (``x``, then ``x_2`` …)."""

    def __init__(self) -> None:
        self.taken: set[str] = set(_RESERVED)

    def give(self, wanted: str) -> str:
        name, k = wanted, 2
        while name in self.taken or keyword.iskeyword(name):
            name, k = f"{wanted}_{k}", k + 1
        self.taken.add(name)
        return name


# -- the printer -------------------------------------------------------------------------


class _Printer:
    def __init__(self, names: dict[str, str], symbols: dict[sympy.Symbol, str]) -> None:
        self.names = names  # variable key (or "d:key") -> identifier
        self.symbols = symbols  # dimension or exponent symbol -> identifier
        self.temps: dict[Expr, str] = {}  # parts computed once
        self.lines: list[str] = []
        self.shared: set[Expr] = set()
        self.namer: _Names | None = None
        self.imports: set[str] = set()

    # numbers and dimensions
    def number(self, x: sympy.Expr) -> tuple[str, int]:
        if x.is_Integer:
            return (str(int(x)), _ATOM) if x.is_nonnegative else (str(int(x)), _UNARY)
        if x.is_Rational:
            p, q = int(x.p), int(x.q)
            if q & (q - 1) == 0 and q <= 1024:
                text = repr(p / q)
                return text, _ATOM if p > 0 else _UNARY
            return f"{p} / {q}", _MUL
        if x == sympy.pi:
            return "np.pi", _ATOM
        if x == sympy.E:
            return "np.e", _ATOM
        if isinstance(x, sympy.Symbol):
            if x not in self.symbols:
                raise NumpyUnsupported(f"no value for `{x}` in the NumPy code")
            return self.symbols[x], _ATOM
        if x.is_Float:
            return repr(float(x)), _ATOM
        if isinstance(x, sympy.Add):
            parts = [self.number(a)[0] for a in x.args]
            return " + ".join(parts), _ADD
        if isinstance(x, sympy.Mul):
            parts = [self._wrap(self.number(a), _MUL + 1) for a in x.args]
            return " * ".join(parts), _MUL
        if isinstance(x, sympy.Pow):
            base = self._wrap(self.number(x.base), _ATOM)
            return f"{base} ** {self._wrap(self.number(x.exp), _ATOM)}", _POW
        raise NumpyUnsupported(f"cannot write the number {x} in NumPy")

    def dim(self, d: sympy.Expr) -> str:
        return self._wrap(self.number(d), _MUL + 1)

    @staticmethod
    def _wrap(printed: tuple[str, int], at_least: int) -> str:
        text, prec = printed
        return text if prec >= at_least else f"({text})"

    def atom(self, x: Expr) -> str:
        return self._wrap(self.pr(x), _ATOM)

    # expressions
    def pr(self, x: Expr) -> tuple[str, int]:
        name = self.temps.get(x)
        if name is not None:
            return name, _ATOM
        how = _PRINT.get(type(x)) or _BY_NAME.get(type(x).__name__)
        if how is None:
            raise NumpyUnsupported(f"cannot write {type(x).__name__} in NumPy")
        out: tuple[str, int] = how(self, x)
        if x in self.shared and self.namer is not None:
            name = self.namer.give(f"t_{len(self.temps)}")
            self.lines.append(f"{name} = {out[0]}")
            self.temps[x] = name
            return name, _ATOM
        return out

    def _var(self, x: e.Var) -> tuple[str, int]:
        return self.names[x.name], _ATOM

    def _applied(self, x: e.Applied) -> tuple[str, int]:
        """A function the document defines on numbers (``g(z) = 1/(1 + e^{-z})``), applied
        to each entry: its body as a lambda of the entries (NumPy's operations on numbers
        act entrywise; the code is run against the engine's value before it is given)."""
        fn = x.fn
        body = fn.body
        if fn.consts:
            body = e.substitute(body, {c.name: g for c, g in zip(fn.consts, x.given, strict=False)})
        arg = self._wrap(self.pr(x.arg), _ADD)
        local = "u_"
        saved = (self.names.get(fn.param), self.temps, self.shared)
        self.names[fn.param], self.temps, self.shared = local, {}, set()
        try:
            text = self._wrap(self.pr(body), _ADD)
        finally:
            old, self.temps, self.shared = saved
            if old is None:
                del self.names[fn.param]
            else:
                self.names[fn.param] = old
        return f"(lambda {local}: {text})({arg})", _ATOM

    def _d(self, x: e.D) -> tuple[str, int]:
        return self.names["d:" + x.var.name], _ATOM

    def _num(self, x: e.Num) -> tuple[str, int]:
        return self.number(x.value)

    def _identity(self, x: e.Identity) -> tuple[str, int]:
        return ("1.0", _ATOM) if x.is_scalar else (f"np.eye({self.dim(x.rows)})", _ATOM)

    def _ones(self, x: e.Ones) -> tuple[str, int]:
        if x.is_scalar:
            return "1.0", _ATOM
        return f"np.ones(({self.dim(x.rows)}, {self.dim(x.cols)}))", _ATOM

    def _zero(self, x: e.Zero) -> tuple[str, int]:
        if x.is_scalar:
            return "0.0", _ATOM
        return f"np.zeros(({self.dim(x.rows)}, {self.dim(x.cols)}))", _ATOM

    def _add(self, x: e.Add) -> tuple[str, int]:
        out = ""
        for i, term in enumerate(x.terms):
            negative, rest = _negated(term)
            text = self._wrap(self.pr(rest), _ADD + 1 if i else _ADD)
            if i == 0:
                out = f"-{self._wrap(self.pr(rest), _MUL)}" if negative else text
            else:
                out += f" - {self._wrap(self.pr(rest), _MUL)}" if negative else f" + {text}"
        return out, _ADD

    def _mul(self, x: e.Mul) -> tuple[str, int]:
        negative, rest = _negated(x)
        if negative:
            return f"-{self._wrap(self.pr(rest), _MUL)}", _UNARY
        parts: list[str] = []
        for group in segments(x.factors):
            if len(group) == 1:
                parts.append(self._wrap(self.pr(group[0]), _MUL + 1))
                continue
            chain = self._chain(group)
            rows, cols = e.chain_shape(group)
            parts.append(f"({chain}).item()" if rows == ONE and cols == ONE else chain)
        return " * ".join(parts), _MUL

    def _chain(self, group: list[Expr]) -> str:
        """A matrix chain: ``A @ B @ C``, an inverse applied to what follows it a solve."""
        parts: list[str] = []
        for i, f in enumerate(group):
            rest = group[i + 1 :]
            if isinstance(f, e.Inv) and rest and f not in self.temps and f not in self.shared:
                right = self.pr(rest[0])[0] if len(rest) == 1 else self._chain(rest)
                parts.append(f"np.linalg.solve({self.pr(f.arg)[0]}, {right})")
                break
            parts.append(self._wrap(self.pr(f), _MUL + 1))
        return " @ ".join(parts)

    def _t(self, x: e.T) -> tuple[str, int]:
        if x.arg.is_scalar:
            return self.pr(x.arg)
        return f"{self.atom(x.arg)}.T", _ATOM

    def _inv(self, x: e.Inv) -> tuple[str, int]:
        return f"np.linalg.inv({self.pr(x.arg)[0]})", _ATOM

    def _tr(self, x: e.Tr) -> tuple[str, int]:
        return f"np.trace({self.pr(x.arg)[0]})", _ATOM

    def _det(self, x: e.Det) -> tuple[str, int]:
        return f"np.linalg.det({self.pr(x.arg)[0]})", _ATOM

    def _pow(self, x: e.Pow) -> tuple[str, int]:
        p = self.number(x.exp)
        if x.is_scalar:
            if x.exp.is_integer:
                return f"{self.atom(x.arg)} ** {self._wrap(p, _ATOM)}", _POW
            return f"np.power({self.pr(x.arg)[0]}, {p[0]})", _ATOM  # nan, not complex, below 0
        if x.exp.is_integer or x.exp.free_symbols:  # X^k: k an integer
            return f"np.linalg.matrix_power({self.pr(x.arg)[0]}, {p[0]})", _ATOM
        self.imports.add("scipy.linalg")
        return f"scipy.linalg.fractional_matrix_power({self.pr(x.arg)[0]}, {p[0]}).real", _ATOM

    def _elem(self, x: e.Elem) -> tuple[str, int]:
        if x.fn == "log" and isinstance(x.arg, e.Elem) and x.arg.fn == "abs":
            if isinstance(x.arg.arg, e.Det):  # log |det A|
                return f"np.linalg.slogdet({self.pr(x.arg.arg.arg)[0]})[1]", _ATOM
        arg = self.pr(x.arg)[0]
        if x.fn == "relu":
            return f"np.maximum({arg}, 0.0)", _ATOM
        if x.fn == "softplus":
            return f"np.logaddexp(0.0, {arg})", _ATOM
        if x.fn == "step":
            return f"np.heaviside({arg}, 0.0)", _ATOM
        fn = _ELEMENTWISE.get(x.fn)
        if fn is None:
            raise NumpyUnsupported(f"no NumPy spelling for the function `{x.fn}`")
        if fn.startswith("scipy."):
            self.imports.add("scipy.special")
        return f"{fn}({arg})", _ATOM

    def _had(self, x: e.Had) -> tuple[str, int]:
        return " * ".join(self._wrap(self.pr(a), _MUL + 1) for a in x.args), _MUL

    def _hpow(self, x: e.HPow) -> tuple[str, int]:
        if x.exp == -1:
            return f"1 / {self.atom(x.arg)}", _MUL
        if x.exp == sympy.Rational(1, 2):
            return f"np.sqrt({self.pr(x.arg)[0]})", _ATOM
        if x.exp.is_integer:
            return f"{self.atom(x.arg)} ** {self._wrap(self.number(x.exp), _ATOM)}", _POW
        return f"np.power({self.pr(x.arg)[0]}, {self.number(x.exp)[0]})", _ATOM

    def _kron(self, x: e.Kron) -> tuple[str, int]:
        return f"np.kron({self.pr(x.left)[0]}, {self.pr(x.right)[0]})", _ATOM

    def _diag_matrix(self, x: e.DiagM) -> tuple[str, int]:
        return f"np.diagflat({self.pr(x.arg)[0]})", _ATOM

    def _diag_vector(self, x: e.DiagV) -> tuple[str, int]:
        return f"np.diag({self.pr(x.arg)[0]})[:, np.newaxis]", _ATOM

    def _matrix_function(self, x: e.MatFn) -> tuple[str, int]:
        form = _MATRIX_FUNCTIONS.get(x.fn)
        if form is None:
            raise NumpyUnsupported(f"no NumPy spelling for the matrix function `{x.fn}`")
        self.imports.add("scipy.linalg")
        return form.format(self.pr(x.arg)[0]), _ATOM

    def _exp_frechet(self, x: e.ExpFrechet) -> tuple[str, int]:
        self.imports.add("scipy.linalg")
        a, d = self.pr(x.arg)[0], self.pr(x.direction)[0]
        return f"scipy.linalg.expm_frechet({a}, {d}, compute_expm=False)", _ATOM

    def _softmax(self, x: e.Softmax) -> tuple[str, int]:
        self.imports.add("scipy.special")
        if x.cols != ONE:  # of a matrix: row by row
            return f"scipy.special.softmax({self.pr(x.arg)[0]}, axis=1)", _ATOM
        return f"scipy.special.softmax({self.pr(x.arg)[0]})", _ATOM

    def _vec(self, x: Any) -> tuple[str, int]:
        """vec X: the columns stacked (Fortran order)."""
        return f'{self.atom(x.arg)}.reshape(-1, 1, order="F")', _ATOM

    def _unvec(self, x: Any) -> tuple[str, int]:
        """vec⁻¹ y: a column read back column by column."""
        shape = f"({self.dim(x.rows)}, {self.dim(x.cols)})"
        return f'{self.atom(x.arg)}.reshape({shape}, order="F")', _ATOM

    def _lse(self, x: e.LSE) -> tuple[str, int]:
        self.imports.add("scipy.special")
        return f"scipy.special.logsumexp({self.pr(x.arg)[0]})", _ATOM

    def _norm(self, x: e.Norm) -> tuple[str, int]:
        if x.p in ("2", "F"):
            return f"np.linalg.norm({self.pr(x.arg)[0]})", _ATOM
        if x.p == "1":
            return f"np.abs({self.pr(x.arg)[0]}).sum()", _ATOM
        raise NumpyUnsupported(f"no NumPy spelling for the norm `{x.p}`")

    def _piecewise(self, x: e.Piecewise) -> tuple[str, int]:
        if x.ops[-1] == "":
            out = self.pr(x.values[-1])[0]
            rows = range(len(x.ops) - 1)
        elif x.is_scalar:
            out, rows = "np.nan", range(len(x.ops))
        else:
            out = f"np.full(({self.dim(x.rows)}, {self.dim(x.cols)}), np.nan)"
            rows = range(len(x.ops))
        for i in reversed(rows):
            left = self._wrap(self.pr(x.lefts[i]), _ADD)
            right = self._wrap(self.pr(x.rights[i]), _ADD)
            value = self._wrap(self.pr(x.values[i]), _ADD)
            out = f"({value} if {left} {x.ops[i]} {right} else {out})"
        return out, _ATOM


_PRINT: dict[type[Expr], Any] = {
    e.Var: _Printer._var, e.D: _Printer._d, e.Num: _Printer._num,
    e.Identity: _Printer._identity, e.Ones: _Printer._ones, e.Zero: _Printer._zero,
    e.Add: _Printer._add, e.Mul: _Printer._mul, e.T: _Printer._t, e.Inv: _Printer._inv,
    e.Tr: _Printer._tr, e.Det: _Printer._det, e.Pow: _Printer._pow, e.Elem: _Printer._elem,
    e.Had: _Printer._had, e.HPow: _Printer._hpow, e.Kron: _Printer._kron,
    e.DiagM: _Printer._diag_matrix, e.DiagV: _Printer._diag_vector,
    e.MatFn: _Printer._matrix_function, e.ExpFrechet: _Printer._exp_frechet,
    e.Softmax: _Printer._softmax, e.LSE: _Printer._lse, e.Norm: _Printer._norm,
    e.Piecewise: _Printer._piecewise, e.Applied: _Printer._applied,
}  # fmt: skip


# Nodes printed by their class's name: vec and vec⁻¹, which the engine has on other lines of
# work (the code of a result is tested against the engine's value all the same).
_BY_NAME: dict[str, Any] = {"Vec": _Printer._vec, "Unvec": _Printer._unvec}


def _negated(x: Expr) -> tuple[bool, Expr]:
    """(True, -x) for a product with a negative number in front, else (False, x)."""
    if isinstance(x, e.Mul) and isinstance(x.factors[0], e.Num) and x.factors[0].value.is_negative:
        return True, e.mul(e.num(-x.factors[0].value), *x.factors[1:])
    if isinstance(x, e.Num) and x.value.is_negative:
        return True, e.num(-x.value)
    return False, x


def _shared(x: Expr) -> set[Expr]:
    """The parts of ``x`` that occur more than once and are worth a name."""
    counts: Counter[Expr] = Counter()
    stack = [x]
    while stack:
        y = stack.pop()
        counts[y] += 1
        if counts[y] == 1 and isinstance(y, e.Piecewise):
            stack.extend((*y.lefts, *y.rights))  # a case's value is computed only if taken
        elif counts[y] == 1:
            stack.extend(y.children())
    return {y for y, n in counts.items() if n > 1 and _worth_a_name(y)}


def _worth_a_name(x: Expr) -> bool:
    if isinstance(x, (e.Var, e.Num, e.D, e.Identity, e.Ones, e.Zero)):
        return False
    if isinstance(x, e.T):
        return _worth_a_name(x.arg)
    if isinstance(x, e.Mul) and len(x.factors) == 2 and isinstance(x.factors[0], e.Num):
        return _worth_a_name(x.factors[1])
    return True


# -- the function ------------------------------------------------------------------------


def _shape_text(rows: sympy.Expr, cols: sympy.Expr, given: bool = True) -> str:
    if rows == ONE and cols == ONE:
        return "a number"
    if cols == ONE:
        return f"a vector of length {rows}" + (" (1-D, or a column)" if given else " (1-D)")
    return f"an array of shape ({rows}, {cols})"


def numpy_code(
    result: Expr,
    f: Expr,
    v: e.Var,
    kind: str,
    layout: str = "",
    written: dict[str, str] | None = None,
    heading: str = "",
    status: str = "",
) -> NumpyCode:
    """The NumPy function returning ``result`` (the derivative of ``f`` by ``v``, of this
    ``kind``); ``written``: how the document spells each symbol, by key; ``heading``
    and ``status`` go into the docstring.  Raises :class:`NumpyUnsupported`."""
    written = written or {}
    namer = _Names()
    # the variable first; each symbol with its shape where the function uses it (a row may
    # fix a declared size: X ∈ ℝ^{n×p} with I_3 in X^T X + I_3)
    arrays: list[e.Var] = [v]
    for x in (*f.walk(), *result.walk()):
        if isinstance(x, e.Var) and x.name == v.name and arrays[0] is v:
            arrays[0] = x
        elif isinstance(x, e.Var) and all(a.name != x.name for a in arrays):
            arrays.append(x)
    v = arrays[0]
    names: dict[str, str] = {}
    for a in sorted(arrays, key=lambda a: "^" in written.get(a.name, a.name)):
        names[a.name] = _give(namer, written.get(a.name, a.name))
    params = [
        Param(names[a.name], a.name, a.rows, a.cols, spelling=written.get(a.name, unbraced(a.name)))
        for a in arrays
    ]
    if kind == "matrix":
        names["d:" + v.name] = namer.give("d" + names[v.name])
        params.append(Param(names["d:" + v.name], "d:" + v.name, v.rows, v.cols))
    symbols, sizes_from, extra = _symbols(result, params, namer)
    printer = _Printer(names, symbols)
    printer.shared = _shared(result)
    printer.namer = namer
    value, prec = printer.pr(result)
    if result.is_scalar:
        bare = isinstance(result, e.Piecewise) and result not in printer.temps  # "(a if c else b)"
        value = f"float({value[1:-1] if bare else value})"
    elif result.cols == ONE:
        value = f"{printer._wrap((value, prec), _ATOM)}.ravel()"
    fname = namer.give(f"{_KIND_NAMES.get(kind, ('derivative',))[0]}_{names[v.name]}")
    params.extend(extra)
    source = _source(
        fname, params, printer, sizes_from, value, result, f, v, kind, layout, heading, status
    )
    return NumpyCode(source, fname, tuple(params), result)


def _symbols(
    result: Expr, params: list[Param], namer: _Names
) -> tuple[dict[sympy.Symbol, str], list[str], list[Param]]:
    """The symbols (dimensions, exponents) the result's code needs: each read off a
    parameter's shape (``n = A.shape[1]``), else a parameter of its own."""
    needed: set[sympy.Symbol] = set()
    for x in result.walk():
        if isinstance(x, (e.Identity, e.Ones, e.Zero, e.Piecewise)) or type(x).__name__ == "Unvec":
            needed |= x.rows.free_symbols | x.cols.free_symbols
        if isinstance(x, e.Num):
            needed |= x.value.free_symbols
        if isinstance(x, (e.Pow, e.HPow)):
            needed |= x.exp.free_symbols
    symbols: dict[sympy.Symbol, str] = {}
    lines: list[str] = []
    extra: list[Param] = []
    for s in sorted(needed, key=str):
        name = namer.give(identifier(str(s)))
        symbols[s] = name
        source = next(
            (f"{p.name}.shape[{i}]" for p in params for i, d in enumerate((p.rows, p.cols))
             if d == s and not (p.rows == ONE and p.cols == ONE)),
            None,
        )  # fmt: skip
        if source is None:  # (a number, not an integer: the exponent of "\gamma > 0")
            extra.append(Param(name, str(s), ONE, ONE, size=True, real=s.is_integer is not True))
        else:
            lines.append(f"{name} = {source}")
    return symbols, lines, extra


def _source(
    fname: str,
    params: list[Param],
    printer: _Printer,
    sizes_from: list[str],
    value: str,
    result: Expr,
    f: Expr,
    v: e.Var,
    kind: str,
    layout: str,
    heading: str,
    status: str,
) -> str:
    ind = "    "
    doc = [heading or f"{_KIND_NAMES.get(kind, ('', 'the derivative'))[1]}."]
    if status:
        doc += ["", status]
    doc += ["", "Parameters:"]
    for p in params:
        if p.size:
            what = "a positive number" if p.real else "an integer"
            doc.append(f"{ind}{p.name}: {what} (the {p.key} of the document)")
        elif p.key.startswith("d:"):
            doc.append(f"{ind}{p.name}: the direction, shaped like {printer.names[p.key[2:]]}")
        else:
            said = f"{p.spelling}, " if p.spelling not in ("", p.name) else ""
            doc.append(f"{ind}{p.name}: {said}{_shape_text(p.rows, p.cols)}")
    doc.append(f"Returns {_returns(result, f, v, kind, layout, printer.names)}.")
    text = "\n".join(f"{ind}{line}" if line else "" for line in doc).replace('"""', "'''")
    lines = ["import numpy as np"] + [f"import {m}" for m in sorted(printer.imports)]
    lines += ["", "", f"def {fname}({', '.join(p.name for p in params)}):"]
    lines.append(f'{ind}r"""{text.lstrip()}\n{ind}"""')
    for p in params:
        if p.size:
            lines.append(f"{ind}{p.name} = {'float' if p.real else 'int'}({p.name})")
        elif p.rows == ONE and p.cols == ONE:
            lines.append(f"{ind}{p.name} = float({p.name})")
        else:
            shape = (
                ".reshape(-1, 1)" if p.cols == ONE else ".reshape(1, -1)" if p.rows == ONE else ""
            )
            lines.append(f"{ind}{p.name} = np.asarray({p.name}, dtype=float){shape}")
    lines += [f"{ind}{line}" for line in sizes_from + printer.lines]
    lines.append(f"{ind}return {value}")
    return "\n".join(lines) + "\n"


def _returns(result: Expr, f: Expr, v: e.Var, kind: str, layout: str, names: dict[str, str]) -> str:
    w = names[v.name]
    shape = _shape_text(result.rows, result.cols, given=False)
    if kind == "matrix":
        return (
            f"dF, the differential of F at {w} in the direction d{w}: {shape}, shaped like "
            f"F (a linear function of d{w})"
        )
    if kind == "jacobian":
        how = (
            "numerator layout, one row per entry of f"
            if layout != "denominator"
            else ("denominator layout, one row per entry of " + w)
        )
        return f"the Jacobian of f with respect to {w}: {shape} ({how})"
    if kind == "hessian":
        return f"the Hessian of f with respect to {w}: {shape}"
    if kind == "derivative":
        return f"the derivative of f with respect to {w}: {shape}, shaped like f"
    return f"the gradient of f with respect to {w}: {shape}, shaped like {w}"


# -- running it ----------------------------------------------------------------------------


def run_code(
    code: NumpyCode, values: dict[str, Array], sizes: dict[str, int], function: Any = None
) -> Any:
    """Call the generated function at ``values`` (2-D arrays by variable key, ``"d:X"``
    for a direction) and ``sizes``: vectors passed 1-D and numbers as floats, as a user
    would.  Our own generated code only: never a document's text."""
    function = function or _compiled(code)
    args: dict[str, Any] = {}
    for p in code.params:
        if p.size:
            args[p.name] = sizes[p.key]
            continue
        a = values[p.key]
        if a.shape == (1, 1):
            args[p.name] = float(a[0, 0])
        elif a.shape[1] == 1:
            args[p.name] = a[:, 0].copy()
        else:
            args[p.name] = a.copy()
    return function(**args)


def _compiled(code: NumpyCode) -> Any:
    """The generated function, defined (our own code: never a document's text)."""
    space: dict[str, Any] = {}
    exec(compile(code.source, f"<texgrad {code.function}>", "exec"), space)
    return space[code.function]


def agrees(got: Any, want: Array, rtol: float = 1e-6) -> bool:
    """Whether the code's value ``got`` is the engine's ``want`` (2-D), in the shape the
    code promises (a number, a 1-D vector, or a 2-D array)."""
    if want.shape == (1, 1):
        if not isinstance(got, float):
            return False
        g = np.array([[got]])
    elif want.shape[1] == 1:
        g = np.asarray(got)
        if g.ndim != 1:
            return False
        g = g.reshape(-1, 1)
    else:
        g = np.asarray(got)
    if g.shape != want.shape or not np.all(np.isfinite(g)):
        return False
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    return bool(np.allclose(g, want, rtol=rtol, atol=rtol * scale))


def check_code(
    code: NumpyCode, points: Iterable[tuple[dict[str, Array], dict[str, int]]], enough: int = 2
) -> tuple[str | None, int]:
    """Run ``code`` at the points (values, sizes) where the engine's result evaluates, up
    to ``enough`` of them: (None, how many) when it agrees at every one, else (what went
    wrong, 0)."""
    from texgrad.calculus.evaluate_expr import evaluate

    checked = 0
    function = _compiled(code)
    for values, sizes in points:
        try:
            want = evaluate(code.result, values, sizes)
        except (EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
                OverflowError, ValueError):  # fmt: skip
            continue
        try:
            with np.errstate(all="ignore"):
                got = run_code(code, values, sizes, function)
        except Exception as exc:  # noqa: BLE001 - our code failing is a refusal, not a crash
            return f"the NumPy code failed at a test point ({type(exc).__name__}: {exc})", 0
        if not agrees(got, want):
            return "the NumPy code disagreed with the engine at a test point", 0
        checked += 1
        if checked == enough:
            break
    return None, checked


Domain = tuple[set[str], set[str], set[str]]


def domains(f: Expr, code: NumpyCode, env: Env) -> list[Domain]:
    """Where to sample the symbols (positive definite, positive, symmetric): first as
    declared only (a general X, where the verifier takes one positive definite for
    ``det X``: a missing transpose cannot hide), then as ``f`` needs, if that differs."""
    from texgrad.calculus.verify import _domain

    infos = [(p.key, env.vars.get(p.key)) for p in code.params]
    asked = (
        {k for k, i in infos if i and i.positive_definite},
        {k for k, i in infos if i and i.positive},
        {k for k, i in infos if i and i.symmetric},
    )
    pd, pos, sym = _domain(f, env)
    needed = (pd, pos, sym)
    return [asked] if needed == asked else [asked, needed]


def points(
    code: NumpyCode, domain: Domain, tries: int = 10
) -> Iterator[tuple[dict[str, Array], dict[str, int]]]:
    """Random points to test ``code`` at, sampled as the verifier samples (distinct sizes
    for distinct dimensions) in ``domain``."""
    from texgrad.calculus.sampling import sample_inputs

    pd, pos, sym = domain
    arrays = {
        p.key: Shape(p.rows, p.cols) for p in code.params if not (p.size or p.key.startswith("d:"))
    }
    for attempt in range(tries):
        rng = np.random.default_rng(2000 + attempt)
        try:
            values, sizes = sample_inputs(
                arrays, positive_definite=pd, positive=pos - pd, symmetric=sym - pd, rng=rng
            )
        except ValueError:
            return
        for p in code.params:
            if p.size:
                sizes.setdefault(p.key, 3)
            elif p.key.startswith("d:"):
                values[p.key] = rng.standard_normal(values[p.key[2:]].shape)
        yield values, sizes


def checked_code(
    result: Expr,
    f: Expr,
    v: e.Var,
    kind: str,
    layout: str,
    env: Env,
    written: dict[str, str],
    heading: str,
    status: str,
    budget: Budget | None = None,
) -> tuple[NumpyCode | None, str]:
    """The NumPy code of a result, run at random points against the engine's own value
    of the result: (the code, "") or (None, why there is none).  Within ``budget``: a
    differentiation that used up its time gets no code, not an error."""
    try:
        if budget is not None:
            budget.check()
        code = numpy_code(result, f, v, kind, layout, written, heading, status)
        checked = 0
        for domain in domains(f, code, env):
            if budget is not None:
                budget.check()
            problem, n = check_code(code, points(code, domain), enough=2 if not checked else 1)
            if problem is not None:
                return None, problem
            checked += n
    except NumpyUnsupported as exc:
        return None, str(exc)
    except RecursionError:
        return None, "the result is nested too deeply for NumPy code"
    except BudgetExceeded:
        return None, "no time was left to write and test the NumPy code"
    if not checked:
        return None, "the NumPy code could not be tested (no point in the function's domain)"
    return code, ""


def unbraced(key: str) -> str:
    r"""``\sigma`` of the key ``{\sigma}`` (a plain letter held apart from its bold one)."""
    if key[:1] == "{" and key[-1:] == "}" and "{" not in key[1:-1]:
        return key[1:-1]
    return key
