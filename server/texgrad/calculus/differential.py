r"""Matrix differentials (Magnus–Neudecker): ``differential(f, X)`` is df, linear in dX.

Each rule is the textbook one, named in :data:`RULES` so a derivation can say
which it used:

    d(A + B) = dA + dB            d(AB) = dA B + A dB          d(Aᵀ) = (dA)ᵀ
    d(X⁻¹) = −X⁻¹ dX X⁻¹          d tr X = tr dX               d det X = det X tr(X⁻¹ dX)
    d ln det X = tr(X⁻¹ dX)       d f(x) = f′(x) ⊙ dx          d tr f(X) = tr(f′(X) dX)
    d Xᵏ = Σ Xʲ dX Xᵏ⁻¹⁻ʲ         d eˣ = ∫₀¹ eˢˣ dX e⁽¹⁻ˢ⁾ˣ ds …

Work is bounded: a :class:`Budget` is checked at every node, so a pathological
input ends with :class:`BudgetExceeded` instead of running on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from texgrad.calculus import deadline
from texgrad.calculus import expr as e
from texgrad.calculus.deadline import BudgetExceeded as BudgetExceeded  # (raised here too)
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.shapes.dims import Shape
from texgrad.stop_points import point


class Budget:
    """A deadline shared by every step of one request: never later than the request's own
    (``calculus/deadline.py``), which a server may also cancel.  Made where the request
    counts CPU time (``Deadline(…, cpu=True)``: a check of the derivatives a document
    writes), its ``seconds`` are CPU time of the thread too, with the request's wall-clock
    backstop: a claim's budget is not spent by a loaded machine's waiting."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = deadline.clock() + seconds  # (the wall clock: see deadline.clock)
        request = deadline.current()
        self.cpu: deadline.Deadline | None = None
        if request is not None and request.cpu:
            self.cpu = deadline.Deadline(seconds, cpu=True, wall=request.backstop)
            self.cpu.count_here()
            self.deadline = self.cpu.at

    def check(self) -> None:
        point()  # (the server stopped this job: Stopped, not a budget's end)
        request = deadline.current()  # (asked at each check: UNLIMITED is made at import)
        if request is not None and request.passed():
            raise BudgetExceeded(request.message())
        if self.cpu is not None:
            if self.cpu.passed():
                raise BudgetExceeded(self.cpu.message())
        elif deadline.clock() > self.deadline:
            raise BudgetExceeded(f"gave up after {self.seconds:g} s (the time budget)")


UNLIMITED = Budget(1e9)


def through(names: dict[str, Expr], v: e.Var) -> set[str]:
    """The names whose values involve ``v``, directly or through other names."""
    uses = {k: {x.name for x in value.walk() if isinstance(x, e.Var)} for k, value in names.items()}
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for k, used in uses.items():
            if k not in found and k != v.name and (v.name in used or used & found):
                found.add(k)
                changed = True
    return found


def derivative_of(fn: str, x: Expr) -> Expr:  # noqa: C901 - one table of derivatives, one case each
    """f′(x) for an elementwise function, as an expression (elementwise)."""
    half = sympy.Rational(1, 2)
    match fn:
        case "exp":
            return e.elem("exp", x)
        case "log":
            return e.hpow(x, -1)
        case "sin":
            return e.elem("cos", x)
        case "cos":
            return e.neg(e.elem("sin", x))
        case "tan":
            return e.add(_ones_like(x), e.hpow(e.elem("tan", x), 2))
        case "tanh":
            return e.sub(_ones_like(x), e.hpow(e.elem("tanh", x), 2))
        case "sinh":
            return e.elem("cosh", x)
        case "cosh":
            return e.elem("sinh", x)
        case "arctan":
            return e.hpow(e.add(_ones_like(x), e.hpow(x, 2)), -1)
        case "sigma":
            s = e.elem("sigma", x)
            return e.had(s, e.sub(_ones_like(x), s))
        case "softplus":
            return e.elem("sigma", x)
        case "relu":
            return e.elem("step", x)
        case "abs":
            return e.elem("sign", x)
        case "sqrt":
            return e.mul(e.num(half), e.hpow(e.elem("sqrt", x), -1))
        case "erf":  # erf′(x) = (2/√π) e^{−x²}
            return e.mul(e.num(2 / sympy.sqrt(sympy.pi)), e.elem("exp", e.neg(e.hpow(x, 2))))
        case "sign" | "step":
            return e.zero(x.rows, x.cols) if not x.is_scalar else e.num(0)
    raise CalculusError(f"cannot differentiate the function `{fn}`")


def _ones_like(x: Expr) -> Expr:
    return e.num(1) if x.is_scalar else e.ones(x.rows, x.cols)


def _matrix_part(x: Expr) -> Expr:
    r"""``x`` without its 1×1 factors (``tA`` → ``A``; ``A\,\mathrm{d}t`` → ``A``)."""
    if isinstance(x, e.Mul):
        return e.mul(*(f for f in x.factors if not f.is_scalar))
    return x


def _commute(a: Expr, b: Expr) -> bool:
    """Whether the square matrices ``a`` and ``b`` surely commute: one is a scalar multiple
    of the other, or of the identity."""
    pa, pb = _matrix_part(a), _matrix_part(b)
    return pa == pb or isinstance(pa, e.Identity) or isinstance(pb, e.Identity)


def _matrix_function_derivative(fn: str, x: Expr) -> Expr:
    """f′(X) as a matrix function, for d tr f(X) = tr(f′(X) dX)."""
    match fn:
        case "exp":
            return e.matfn("exp", x)
        case "log":
            return e.inv(x)
        case "sin":
            return e.matfn("cos", x)
        case "cos":
            return e.neg(e.matfn("sin", x))
    raise CalculusError(f"cannot differentiate the matrix function `{fn}`")


def differential(
    f: Expr,
    v: e.Var,
    budget: Budget = UNLIMITED,
    rules: list[str] | None = None,
    names: dict[str, Expr] | None = None,
    shallow: bool = False,
    chains: list[tuple[str, Expr]] | None = None,
) -> Expr:
    """df with respect to the variable ``v``: an expression linear in ``d(v)``.

    ``rules``, if given, receives the names of the rules used, in order, for a derivation.
    ``names``: the values of variables that are names the document defines (r = Ax - b);
    one whose value involves ``v`` has the differential of its value (dr = A dx), or with
    ``shallow`` stays ``dr`` (a derivation's step: df = 2 r^T dr).  ``chains``, if given,
    receives what each chain rule chained: the outer function's name and its argument."""
    differ = _Differ(v, budget, names or {}, shallow)
    out = differ.d(f)
    if rules is not None:
        rules.extend(differ.used)
    if chains is not None:
        chains.extend(differ.chains)
    return out


RULE_NAMES = {
    e.Add: "d(A + B) = dA + dB", e.Mul: "product rule", e.T: "$\\mathrm{d}(A^\\top) = (\\mathrm{d}A)^\\top$",
    e.Inv: "$\\mathrm{d}(X^{-1}) = -X^{-1}\\,\\mathrm{d}X\\,X^{-1}$",
    e.Tr: "linearity of the trace",
    e.Det: "Jacobi's formula $\\mathrm{d}\\det X = \\det X \\operatorname{tr}(X^{-1} \\mathrm{d}X)$",
    e.Pow: "power rule",
    e.Elem: "$\\mathrm{d} f(x) = f'(x) \\odot \\mathrm{d}x$",
    e.Had: "$\\mathrm{d}(A \\odot B) = \\mathrm{d}A \\odot B + A \\odot \\mathrm{d}B$",
    e.Applied: "$\\mathrm{d} f(x) = f'(x) \\odot \\mathrm{d}x$",
    e.HPow: "elementwise power rule",
    e.Kron: "$\\mathrm{d}(A \\otimes B) = \\mathrm{d}A \\otimes B + A \\otimes \\mathrm{d}B$",
    e.Softmax: "$\\mathrm{d}\\,\\mathrm{softmax}$",
    e.LSE: "$\\mathrm{d}\\log\\mathbf{1}^\\top e^{x} = \\mathrm{softmax}(x)^\\top \\mathrm{d}x$",
    e.Norm: "$\\mathrm{d}\\|x\\| = \\langle x, \\mathrm{d}x\\rangle / \\|x\\|$",
    e.MatFn: "matrix function rule",
    e.Piecewise: "case by case",
    e.Vec: "$\\mathrm{d}\\operatorname{vec} X = \\operatorname{vec} \\mathrm{d}X$",
}  # fmt: skip
JACOBI_LOG = "Jacobi's formula $\\mathrm{d}\\log\\det X = \\operatorname{tr}(X^{-1} \\mathrm{d}X)$"


class _Differ:
    def __init__(
        self, v: e.Var, budget: Budget, names: dict[str, Expr], shallow: bool = False
    ) -> None:
        self.shallow = shallow
        self.v = v
        self.budget = budget
        self.memo: dict[Expr, Expr] = {}
        self.used: list[str] = []
        self.chains: list[tuple[str, Expr]] = []  # (outer function, its argument) chained
        self.names = names
        self.through = through(names, v)  # the names whose values involve v

    def depends(self, f: Expr) -> bool:
        return any(
            isinstance(x, e.Var) and (x.name == self.v.name or x.name in self.through)
            for x in f.walk()
        )

    def zero(self, f: Expr) -> Expr:
        return e.num(0) if f.is_scalar else e.zero(f.rows, f.cols)

    def d(self, f: Expr) -> Expr:
        self.budget.check()
        if not self.depends(f):
            return self.zero(f)
        hit = self.memo.get(f)
        if hit is None:
            name = self._rule_name(f)
            if name is not None and name not in self.used and not isinstance(f, e.Add):
                self.used.append(name)
            rule = _DIFFERENTIATE.get(type(f), _Differ._unknown)  # no subclasses: type is the key
            hit = self.memo[f] = rule(self, f)
        return hit

    def _rule_name(self, f: Expr) -> str | None:
        """The rule ``f``'s differential is taken by, as a derivation names it; a chain rule
        also records what it chains (:attr:`chains`: the outer function and its argument)."""
        if isinstance(f, e.Elem) and f.fn == "log" and isinstance(f.arg, e.Det):
            return JACOBI_LOG
        if isinstance(f, e.Elem) and f.is_scalar:
            if (f.fn, f.arg) not in self.chains and f.arg != self.v:
                self.chains.append((f.fn, f.arg))
            return "chain rule"
        return RULE_NAMES.get(type(f))

    def _unknown(self, f: Expr) -> Expr:
        from texgrad.calculus.printing import quoted  # (printing reads the engine's results)

        raise CalculusError(f"cannot differentiate {quoted(f)}")

    # -- one rule per construct (see _DIFFERENTIATE) ----------------------------------------
    def _var(self, f: e.Var) -> Expr:
        if f.name != self.v.name:  # a name the document defines: through its value
            return e.d(f) if self.shallow else self.d(self.names[f.name])
        return e.d(self.v)

    def _add(self, f: e.Add) -> Expr:
        return e.add(*(self.d(t) for t in f.terms))

    def _mul(self, f: e.Mul) -> Expr:
        terms = []
        for i, factor in enumerate(f.factors):
            if self.depends(factor):
                terms.append(e.mul(*f.factors[:i], self.d(factor), *f.factors[i + 1 :]))
        return e.add(*terms)

    def _transpose(self, f: e.T) -> Expr:
        return e.transpose(self.d(f.arg))

    def _inverse(self, f: e.Inv) -> Expr:
        return e.mul(e.num(-1), f, self.d(f.arg), f)

    def _tr(self, f: e.Tr) -> Expr:
        return self._trace(f.arg)

    def _det(self, f: e.Det) -> Expr:
        return e.mul(f, e.tr(e.mul(e.inv(f.arg), self.d(f.arg))))

    def _hadamard(self, f: e.Had) -> Expr:
        terms = []
        for i, a in enumerate(f.args):
            if self.depends(a):
                terms.append(e.had(*f.args[:i], self.d(a), *f.args[i + 1 :]))
        return e.add(*terms)

    def _hadamard_power(self, f: e.HPow) -> Expr:
        if not self.depends(f.arg):
            from texgrad.calculus.printing import quoted

            raise CalculusError(f"cannot differentiate {quoted(f)}")
        p = f.exp
        return e.mul(e.num(p), e.had(e.hpow(f.arg, p - 1), self.d(f.arg)))

    def _kron(self, f: e.Kron) -> Expr:
        return e.add(e.kron(self.d(f.left), f.right), e.kron(f.left, self.d(f.right)))

    def _diag_matrix(self, f: e.DiagM) -> Expr:
        return e.diag_matrix(self.d(f.arg))

    def _diag_vector(self, f: e.DiagV) -> Expr:
        return e.diag_vector(self.d(f.arg))

    def _matrix_function(self, f: e.MatFn) -> Expr:
        if f.fn == "exp":
            dx = self.d(f.arg)
            if _commute(f.arg, dx):  # d e^{tA} = A e^{tA} dt
                return e.mul(dx, f)
            return e.ExpFrechet(f.arg, dx, rows=f.rows, cols=f.cols)
        raise CalculusError(
            f"cannot differentiate the matrix function `{f.fn}` outside a trace "
            f"(its differential has no closed form; tr {f.fn}(X) works)"
        )

    def _piecewise(self, f: e.Piecewise) -> Expr:  # case by case; the conditions stay
        return e.piecewise(tuple(self.d(x) for x in f.values), f.lefts, f.rights, f.ops)

    def _softmax(self, f: e.Softmax) -> Expr:
        dz = self.d(f.arg)
        if f.cols == e.ONE:
            return e.sub(e.had(f, dz), e.mul(f, e.transpose(f), dz))
        # row by row: dS = S ⊙ dZ − diag((S ⊙ dZ) 1) S
        weighted = e.had(f, dz)
        row_sums = e.mul(weighted, e.ones(f.cols))
        return e.sub(weighted, e.mul(e.diag_matrix(row_sums), f))

    def _vec(self, f: e.Vec) -> Expr:
        return e.vec(self.d(f.arg))

    def _unvec(self, f: e.Unvec) -> Expr:
        return e.unvec(self.d(f.arg), f.rows, f.cols)

    def _lse(self, f: e.LSE) -> Expr:
        return e.mul(e.transpose(e.softmax(f.arg)), self.d(f.arg))

    def _trace(self, x: Expr) -> Expr:
        """d tr F: tr f(Y) and tr Yᵏ by the matrix-function rule, else tr dF."""
        if isinstance(x, e.MatFn):
            deriv = _matrix_function_derivative(x.fn, x.arg)
            return e.tr(e.mul(deriv, self.d(x.arg)))
        if isinstance(x, e.Pow) and not x.is_scalar:
            p = x.exp
            return e.tr(e.mul(e.num(p), e.power(x.arg, p - 1), self.d(x.arg)))
        return e.tr(self.d(x))

    def _power(self, f: e.Pow) -> Expr:
        p = f.exp
        x = f.arg
        if f.is_scalar:
            if isinstance(x, e.Det):  # d det(X)^p = p det(X)^p tr(X⁻¹ dX)
                return e.mul(e.num(p), f, e.tr(e.mul(e.inv(x.arg), self.d(x.arg))))
            return e.mul(e.num(p), e.power(x, p - 1), self.d(x))
        if not p.is_number:
            raise CalculusError(
                f"cannot differentiate the matrix power {p} of symbolic order outside a trace "
                f"(d X^{p} is a sum of {p} terms; tr(X^{p}) works)"
            )
        if p.is_integer and p > 0:
            k = int(p)
            if k > 64:
                raise CalculusError(f"the matrix power {k} is too large to expand")
            dx = self.d(x)
            return e.add(*(e.mul(e.power(x, j), dx, e.power(x, k - 1 - j)) for j in range(k)))
        if p.is_integer and p < 0:
            return self.d(e.power(e.inv(x), -p))
        if (2 * p).is_integer:
            return self._half_power(x, int(2 * p))
        raise CalculusError(
            f"cannot differentiate the matrix power {p} outside a trace "
            "(only square roots and their powers, X^{k/2}; tr(X^p) works)"
        )

    def _half_power(self, x: Expr, k: int) -> Expr:
        r"""d X^{k/2} through the square root R = X^{1/2}, whose differential dR solves the
        Sylvester equation R dR + dR R = dX (any X with a principal root, symmetric or not):
        Σ_j X^{j/2} dR X^{(k-1-j)/2}, and for k < 0 −Σ_j X^{-(j+1)/2} dR X^{-(|k|-j)/2}."""
        if abs(k) > 64:
            raise CalculusError(f"the matrix power {k}/2 is too large to expand")
        rule = "$R\\,\\mathrm{d}R + \\mathrm{d}R\\,R = \\mathrm{d}X$ for $R = X^{1/2}$ (Sylvester)"
        if rule not in self.used:
            self.used.append(rule)
        d_root = e.sylvester(e.power(x, sympy.Rational(1, 2)), self.d(x))
        half = sympy.Rational(1, 2)
        if k > 0:
            terms = [e.mul(e.power(x, j * half), d_root, e.power(x, (k - 1 - j) * half))
                     for j in range(k)]  # fmt: skip
            return e.add(*terms)
        m = -k
        terms = [e.mul(e.power(x, -(j + 1) * half), d_root, e.power(x, -(m - j) * half))
                 for j in range(m)]  # fmt: skip
        return e.neg(e.add(*terms))

    def _elementwise(self, f: e.Elem) -> Expr:
        x = f.arg
        if f.fn == "log" and isinstance(x, e.Det):  # d ln det X = tr(X⁻¹ dX)
            return e.tr(e.mul(e.inv(x.arg), self.d(x.arg)))
        if f.fn == "log" and isinstance(x, e.Elem) and x.fn == "abs" and isinstance(x.arg, e.Det):
            return e.tr(e.mul(e.inv(x.arg.arg), self.d(x.arg.arg)))
        dx = self.d(x)
        deriv = derivative_of(f.fn, x)
        if x.is_scalar:
            return e.mul(deriv, dx)
        return e.had(deriv, dx)

    def _applied(self, f: e.Applied) -> Expr:
        """d φ(x) = φ′(x) ⊙ dx for a function the document defines on numbers."""
        x = f.arg
        if any(e.depends(c, self.v) for c in f.given) and x.is_scalar:
            # σ(z) = 1/(1 + e^{-βz}) by β: its body, written out at the number x
            values = {c.name: g for c, g in zip(f.fn.consts, f.given, strict=True)}
            return self.d(e.substitute(f.fn.body, {**values, f.fn.param: x}))
        if any(e.depends(c, self.v) for c in f.given):
            raise CalculusError(
                f"cannot differentiate `{f.fn.latex}` by `{self.v.name}`, a constant of its definition"
            )
        deriv = _known_derivative(f) or e.applied(template_derivative(f.fn), x, f.given)
        return e.mul(deriv, self.d(x)) if x.is_scalar else e.had(deriv, self.d(x))

    def _norm(self, f: e.Norm) -> Expr:
        x = f.arg
        dx = self.d(x)
        if f.p == "1":
            return (
                self.d(e.mul(e.transpose(e.ones(x.rows, x.cols)), e.elem("abs", x)))
                if (x.cols == e.ONE)
                else self.d(e.tr(e.mul(e.transpose(e.ones(x.rows, x.cols)), e.elem("abs", x))))
            )
        if f.p == "2" and x.cols != e.ONE:
            raise CalculusError("cannot differentiate the spectral norm ‖X‖₂ of a matrix")
        # d‖x‖ = ⟨x, dx⟩ / ‖x‖
        return e.mul(e.inner(x, dx), e.power(f, -1))


# The rule for each kind of expression: a table built once, so that finding it is one
# lookup (every node of every differentiated expression goes through it).
_DIFFERENTIATE: dict[type[Expr], Callable[[_Differ, Any], Expr]] = {
    e.Var: _Differ._var, e.Add: _Differ._add, e.Mul: _Differ._mul, e.T: _Differ._transpose,
    e.Inv: _Differ._inverse, e.Tr: _Differ._tr, e.Det: _Differ._det, e.Pow: _Differ._power,
    e.Elem: _Differ._elementwise, e.Had: _Differ._hadamard, e.HPow: _Differ._hadamard_power,
    e.Kron: _Differ._kron, e.DiagM: _Differ._diag_matrix, e.DiagV: _Differ._diag_vector,
    e.MatFn: _Differ._matrix_function, e.Piecewise: _Differ._piecewise,
    e.Softmax: _Differ._softmax, e.LSE: _Differ._lse, e.Norm: _Differ._norm,
    e.Vec: _Differ._vec, e.Unvec: _Differ._unvec, e.Applied: _Differ._applied,
}  # fmt: skip


def _known_derivative(f: e.Applied) -> Expr | None:
    """s′ written with s where s is a known function under the document's name:
    s ⊙ (1 − s) for the logistic sigmoid, 1 − s ⊙ s for tanh, s for exp."""
    s = f
    if f.fn.derivative is not None and not f.fn.primes:  # Φ′ = φ, as the text names it
        return e.applied(f.fn.derivative, f.arg)
    if f.fn.primes or f.fn.known not in ("sigma", "tanh", "exp"):
        return None
    if f.fn.known == "exp":
        return s
    ones = _ones_like(f.arg)
    if f.fn.known == "sigma":
        return e.had(s, e.sub(ones, s))
    return e.sub(ones, e.had(s, s))


def template_derivative(fn: e.Template) -> e.Template:
    """φ′ of a function of one number (its body differentiated by its parameter)."""
    t = e.var(fn.param, Shape(e.ONE, e.ONE))
    d = _Differ(t, UNLIMITED, {}).d(fn.body)
    body = e.substitute(d, {"d:" + fn.param: e.num(1)})
    return e.Template(fn.name, fn.latex, fn.param, body, fn.primes + 1, fn.consts)  # known: ""
