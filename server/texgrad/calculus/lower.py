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

The tree patterns it recognises are in :mod:`~texgrad.calculus.written`, the constants
sized by their neighbours in :mod:`~texgrad.calculus.sized`.  The :class:`Lowerer` itself
stays one class in one file although it is long: it is one recursive reader, each
construct's reader (one per node type, :data:`_READERS`) lowers its operands through
``_lower``, and they share the state of where they stand (the parameters of a function
being substituted, the definitions being expanded, the index of an enclosing ``\sum``,
the depth).
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.differential import template_derivative
from texgrad.calculus.entrywise_said import functions_entrywise
from texgrad.calculus.expr import Broadcast, CalculusError, Expr, ShapeError, UnknownShape
from texgrad.calculus.functions import (
    entrywise_agrees,
    function_latex,
    known_as,
    named_function,
    written_for_arrays,
)
from texgrad.calculus.gaussian_density import (
    arguments,
    density,
    is_gaussian,
    isotropic_density,
    isotropic_scale,
    log_name,
)
from texgrad.calculus.matrix_notation import scripted_operation
from texgrad.calculus.sized import Lowered, Pending, identity_of, ones_of, sum_pending
from texgrad.calculus.sympy_dims import (
    SCALAR,
    Dim,
    Shape,
    dim_of,
    member_shape,
    same,
    scalar_spreads,
    sympy_shape,
)
from texgrad.calculus.written import (
    CASE_RELATIONS,
    FUNCTION_NAMES,
    MATRIX_FUNCTION_NAMES,
    TRACE_NAMES,
    Indicator,
    describe,
    frobenius_operands,
    function_name,
    has_times,
    in_parens,
    index_names,
    indicators,
    is_expectation,
    is_named,
    is_otherwise,
    is_zero_literal,
    matrix_before_script,
    max_arguments,
    norm_subscript,
    number_letters,
    power_name,
    primed_beside,
    quotient_of,
    sum_index,
    text_functions,
    text_name,
    unread_sum_index,
    without_circ,
    without_words,
    written_latex,
)
from texgrad.shapes.broadcasting import broadcast_verdict, written_plainly
from texgrad.shapes.families import SUBSCRIPT_LABELS
from texgrad.shapes.properties import symmetric_by_form
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.notation import (
    TRANSPOSE_MARKS,
    call_of,
    constant_letter,
    constant_word,
    sized_constant,
)
from texgrad.syntax.show import show
from texgrad.syntax.symbols import key_text, label_of, member_key, symbol_key, tagged_key

ONE = sympy.Integer(1)


@dataclass
class VarInfo:
    key: str
    shape: Shape
    latex: str  # as the document writes it: "\mathbf{x}", "\mA"
    symmetric: bool = False
    positive_definite: bool = False
    positive: bool = False
    values: tuple[float, ...] = ()  # entries in this finite set (labels: \{0,1\}^n)
    complex: bool = False  # declared over the complex numbers: not differentiated
    # the text writes its entries as squared distances, D_{ij} = \|x_i - x_j\|^2: sampled so
    distances: bool = False

    def __post_init__(self) -> None:
        self.shape = sympy_shape(self.shape)  # (the boundary: see calculus/sympy_dims.py)


# the letters that name time in a signal d(k), x(t) (as shapes.formulas reads them)
_TIMES = frozenset({"t", "k", "s", "\\tau"})

# a time derivative keeps its letter's shape (\dot{\mathbf q}, \ddot q); as the shape
# checker reads them (shapes/rules/symbols.py SAME_SHAPE_ACCENTS)
_RATE_ACCENTS = ("dot", "ddot")
# … and so does an estimate of a matrix (\hat\Sigma), or of the vectors statistics estimates
# (\hat\beta, \hat\mu): as the checker reads them (symbols.py ESTIMATE_ACCENTS, _inherited)
_ESTIMATE_ACCENTS = ("hat", "widehat")
_ESTIMATED_VECTORS = ("\\mu", "\\beta")


def rate_of(node: t.Node, env: Env) -> VarInfo | None:
    r"""A rate nothing declares nor defines, ``\dot{\mathbf q}``, with the shape of its
    declared letter ``\mathbf q`` (a variable of its own: ∂D/∂q̇ is by the rate); likewise an
    estimate, ``\hat{\boldsymbol\beta}`` of a declared β (the fitted coefficients of
    ``\mathbf r = \mathbf y - X\hat{\boldsymbol\beta}``), ``\hat\Sigma`` of Σ — not ``\hat p``
    of another vector (a skew-symmetric matrix, a prediction of another size)."""
    if not isinstance(node, t.Symbol) or not node.accents:
        return None
    estimate = node.accents[-1] in _ESTIMATE_ACCENTS
    if node.accents[-1] not in _RATE_ACCENTS and not estimate:
        return None
    key = symbol_key(node)
    if key is None or key[0] in env.functions or key[0] in env.vars:
        return None
    base = symbol_key(replace(node, accents=node.accents[:-1]))
    info = env.vars.get(base[0]) if base is not None else None
    if info is None or base is None or base[0] in env.functions:
        return None
    if estimate and ONE in (info.shape.rows, info.shape.cols):
        if info.shape.cols != ONE or node.name not in _ESTIMATED_VECTORS:
            return None  # (\hat p of a vector; \hat\sigma of a number: the checker's reading)
    return VarInfo(key[0], info.shape, written_latex(node))


@dataclass
class FunctionDef:
    key: str
    params: tuple[str, ...]  # symbol keys
    body: t.Node
    # the key of the function the text names its derivative (Φ's density φ), or ""
    density: str = ""

    @functools.cached_property
    def names(self) -> frozenset[str]:
        """The keys of the symbols its body names (read once: every claim of a document
        asks which of its definitions involve the variable, ``derive._relevant``)."""
        keys = (symbol_key(node) for node in self.body.walk())
        return frozenset(k[0] for k in keys if k is not None)


def declared_diagonal(key: str, body: t.Node, env: Env) -> bool:
    r"""Is ``body`` (what ``key`` is defined as) ``\operatorname{diag}(S)`` where ``key`` is
    declared a square matrix, ``D = \operatorname{diag}(S) \in \mathbb{R}^{m \times m}``?
    Then D is the diagonal matrix of S's diagonal, as the shape checker reads it (it sets
    diag(S) of a square S equal to a square matrix: tests/shapes/test_set23_forms.py), not
    the vector of S's diagonal; the lowering and the evaluation of the formula as written
    (verify.py) both read it so (where the value is a vector of the declared length)."""
    if not (
        isinstance(body, t.Apply) and isinstance(body.func, t.Func)
        and body.func.name in ("diag", "Diag") and len(body.args) == 1
    ):  # fmt: skip
        return False
    info = env.vars.get(key)
    return info is not None and info.shape.rows != ONE and same(info.shape.rows, info.shape.cols)


class DefinitionIndex:
    """A document's definitions by the names their bodies name (``users``: name → the keys
    of the definitions naming it), read once per document: which of a claim's thousands of
    definitions involve a name is then found without a look at every one
    (``derive._relevant``)."""

    __slots__ = ("users", "key_of", "_kept", "with_params", "keys")

    def __init__(self, defs: list[tuple[str, FunctionDef]]) -> None:
        self._kept = [f for _, f in defs]  # (alive while indexed: ids are not reused)
        self.users: dict[str, set[str]] = {}
        self.key_of: dict[int, str | None] = {}  # id of a definition: its key (None: several)
        # the keys some definition listed under them gives parameters (f(x) = …: few)
        self.with_params: set[str] = set()
        for key, fdef in defs:
            known = self.key_of.setdefault(id(fdef), key)
            if known != key:
                self.key_of[id(fdef)] = None
            for name in fdef.names:
                self.users.setdefault(name, set()).add(key)
            if fdef.params:
                self.with_params.add(key)
        self.keys = sorted({key for key, _ in defs})  # (those of one prefix: by bisection)

    def keys_from(self, prefix: str) -> list[str]:
        """The keys listed that begin with ``prefix``."""
        lo = bisect.bisect_left(self.keys, prefix)
        hi = lo
        while hi < len(self.keys) and self.keys[hi].startswith(prefix):
            hi += 1
        return self.keys[lo:hi]


class IndexedFunctions(dict[str, FunctionDef]):
    """An environment's functions (a dict) that knows which of them a
    :class:`DefinitionIndex` lists under their key: the others, set since (``changed``),
    are looked at one by one.  Whatever holds them the index does not list is in
    ``changed``: every way of setting a key is watched (a plain copy is a plain dict)."""

    __slots__ = ("index", "changed")

    def __init__(self, index: DefinitionIndex, *args: Any) -> None:
        # (``args``: definitions the index lists under their keys)
        super().__init__(*args)
        self.index = index
        self.changed: set[str] = set()

    def _watch(self, key: str, value: FunctionDef) -> None:
        if self.index.key_of.get(id(value)) != key:
            self.changed.add(key)

    def __setitem__(self, key: str, value: FunctionDef) -> None:
        self._watch(key, value)
        super().__setitem__(key, value)

    def setdefault(self, key: str, value: FunctionDef) -> FunctionDef:
        if key not in self:
            self._watch(key, value)
        return super().setdefault(key, value)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> IndexedFunctions:  # type: ignore[override,misc]
        self.update(other)
        return self

    def copied(self) -> IndexedFunctions:
        out = IndexedFunctions(self.index, self)
        out.changed = set(self.changed)
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))  # (pickled, copied by copy: a plain dict)

    def starting(self, prefix: str) -> list[str]:
        """Every key held that begins with ``prefix`` (those the index lists, and those set
        since: whatever it holds is one or the other)."""
        keys = [*self.index.keys_from(prefix), *(k for k in self.changed if k.startswith(prefix))]
        return [k for k in keys if k in self]

    def with_params(self) -> set[str]:
        """Every key held whose definition has parameters (a key the index lists holds one
        of the definitions listed under it, unless set since: ``changed``)."""
        maybe = self.index.with_params | self.changed
        return {k for k in maybe if (f := self.get(k)) is not None and f.params}

    def involving(self, found: set[str], involved: set[str]) -> set[str]:
        """The keys, not in ``involved``, of the definitions naming one of ``found``."""
        users = self.index.users
        candidates = set(self.changed)
        for name in found:
            candidates.update(users.get(name, ()))
        out = set()
        for k in candidates - involved:
            f = self.get(k)
            if f is not None and not found.isdisjoint(f.names):
                out.add(k)
        return out


@dataclass
class Env:
    """What the document says about its symbols."""

    vars: dict[str, VarInfo] = field(default_factory=dict)
    functions: dict[str, FunctionDef] = field(default_factory=dict)
    # the prose says a softmax is taken column by column (a softmax of a matrix is
    # otherwise row by row, as in attention)
    softmax_columns: bool = False
    numbers: set[str] = field(default_factory=set)  # undeclared letters read as numbers (1/N)
    weak: set[str] = field(default_factory=set)  # scalars only compared with a number (ℓ > 0)
    # (one in weak but not in vars is a plain Latin letter said positive, a margin $m > 0$:
    # a number only where it is added to numbers, see Lowerer._add)


def _space(shape: Shape) -> str:
    r"""``\mathbb{R}^{n \times n}``, ``\mathbb{R}^{m}``, ``\mathbb{R}`` (as reasons.space_of)."""
    from texgrad.shapes.dims import dim_text

    if shape.is_scalar:
        return "\\mathbb{R}"
    if shape.cols == ONE:
        return f"\\mathbb{{R}}^{{{dim_text(shape.rows)}}}"
    return f"\\mathbb{{R}}^{{{dim_text(shape.rows)} \\times {dim_text(shape.cols)}}}"


_STAR = "cannot read the exponent `*`"
_BIG_OPS = {"\\prod": "a product over an index", "\\bigotimes": "a Kronecker product over an index"}


def big_op_refusal(op: str) -> str:
    r"""Why a big operator other than a sum is not differentiated: ``\int``, ``\prod``."""
    what = "an integral" if op in t.INTEGRALS else _BIG_OPS.get(op)
    return f"`{op}` ({what}) is not supported" if what else f"cannot differentiate `{op}`"


def complex_refusal(written: str) -> str:
    r"""Why a symbol declared over the complex numbers (``z \in \mathbb{C}^n``) is not
    differentiated: texgrad's rules and its numeric check are those of real variables (read
    as real, ``z^H A z`` would get the real gradient ``(A + A^\top) z``, wrong for complex z)."""
    return (
        f"`{written}` is complex (declared in `\\mathbb{{C}}`): texgrad differentiates "
        "real variables only (complex derivatives, Wirtinger's, are not supported)"
    )


def _sliced(index: t.Node) -> bool:
    """An index written as a range, ``1:k`` (MATLAB's and NumPy's slices)."""
    return any(isinstance(n, t.Chain) and ":" in n.relations for n in index.walk())


def _no_probability(name: str | None, f: t.Node, node: t.Apply) -> None:
    """``\\Pr(y \\mid x)``, ``p(y \\mid X, \\beta)``: refused in words (no expression to read)."""
    given = any(isinstance(a, t.Chain) and "\\mid" in a.relations for a in node.args)
    if name == "Pr" or given:
        written = "\\Pr" if name == "Pr" else function_latex(f)
        raise CalculusError(f"`{written}(\\cdot \\mid \\cdot)` (a probability) is not supported")


def sign_marked(node: t.Node) -> bool:
    r"""``\mathbf z_i^{+}``, ``\mathbf z^{-}``: a letter with a sign mark (a name of its own
    where declared, the positive and negative examples)."""
    mark = node.exponent if isinstance(node, t.Power) else None
    return isinstance(mark, t.Symbol) and mark.name in ("+", "-") and not mark.accents


class Lowerer:
    def __init__(self, env: Env, keep_names: bool = False, opaque: frozenset[str] = frozenset()):
        self.env = env
        # keep_names: a name the document defines (r = Ax - b) stays a variable of its own,
        # its value (lowered once) in ``names``; else its definition is substituted.
        # opaque: defined names that may stand for their inferred shape when their
        # definition cannot be read (those not involving the variable differentiated)
        self.names: dict[str, Expr] | None = {} if keep_names else None
        self.opaque = opaque
        self.depth = 0
        self.bound: dict[str, Expr] = {}  # function parameters being substituted
        self.expanding: set[str] = set()  # definitions being substituted (r = y - Xw)
        # inside \sum_i: x_i means the vector x, entrywise; inside \sum_{i,j}: X_{ij} is X
        self.index: tuple[str, ...] | None = None
        self.templates: dict[str, e.Template | None] = {}  # functions of numbers, read once
        self.primed: set[str] = set()  # x' beside x in an argument list: a name, not x^T
        # the expression differentiated, when the caller says: φ(t), differentiated whole,
        # is answered through its definition (its derivative is the question, φ'(t) none)
        self.asked: t.Node | None = None

    # -- entry --------------------------------------------------------------------------
    def lower(self, node: t.Node | None) -> Expr:
        x = self._lower(node)
        if isinstance(x, Pending):
            if x.rows is not None and x.cols is not None:  # 1 alone, \mathbf{1}_n alone
                return x.build(x.rows, x.cols)
            raise CalculusError(f"cannot tell the size of `{x.what}`")
        return x

    def _lower(self, node: t.Node | None) -> Lowered:
        if node is None:
            raise CalculusError("an operand is missing")
        self.depth += 1
        try:
            if self.depth > 200:
                raise CalculusError("the expression is nested too deeply")
            # the tree's node classes have no subclasses: the type is the key
            return _READERS.get(type(node), Lowerer._unreadable)(self, node)
        finally:
            self.depth -= 1

    def _beyond(self, node: t.Unread) -> Lowered:
        raise CalculusError(node.why)

    def _unreadable(self, node: t.Node) -> Lowered:
        raise CalculusError(f"cannot differentiate `{latex_of(node)}`")

    def _named(self, node: t.Func) -> Lowered:
        r"""``\mathrm{KL}`` standing alone: the quantity the document defines by that name."""
        if node.sub is None and node.sup is None:
            known = self._known_name(node.name)
            if known is not None:
                return known
        return self._unreadable(node)

    def _defined_operator(self, f: t.Node, node: t.Apply) -> Lowered | None:
        r"""An upright name the document defines, applied: its function's body
        (``\operatorname{swish}(t)``), or a quantity times what follows it
        (``\mathrm{KL}\,\mathrm{d}\beta``); None for any other."""
        if not isinstance(f, t.Func) or f.name not in self.env.functions:
            return None
        if _quantity_before(f, node, self.env):
            return self._product([f, *node.args])
        return self._call(self.env.functions[f.name], node)

    def _text(self, node: t.Text) -> Lowered:
        r"""``\text{loss}`` standing alone: the quantity the document defines by that name;
        ``+ \text{const}`` of a log-likelihood: a constant the variables do not change (0 here:
        no derivative sees it, and the tree evaluator, which compares rows, still reads none)."""
        if constant_word(node):
            return e.num(0)
        func = text_name(node)
        return self._named(func) if func is not None else self._unreadable(node)

    # -- one reader per construct (see _READERS) --------------------------------------------
    def _chain(self, node: t.Chain) -> Lowered:
        items = [i for i in node.items if i is not None]
        if not items:
            raise CalculusError("nothing to differentiate")
        ops = frobenius_operands(node)
        if ops is not None:  # g = A : B, the Frobenius product tr(AᵀB)
            return self._frobenius(ops)
        return self._lower(items[-1])  # f(x) = …: the right-hand side

    def _frobenius(self, ops: list[t.Node]) -> Expr:
        if len(ops) != 2:
            raise CalculusError("cannot read a Frobenius product `:` of more than two arrays")
        a, b = self.lower(ops[0]), self.lower(ops[1])
        if a.shape != b.shape:
            raise ShapeError(
                f"the Frobenius product `:` needs two arrays of one shape, not a "
                f"{a.shape.short()} and a {b.shape.short()}"
            )
        return e.tr(e.mul(e.transpose(a), b))

    def _number(self, node: t.Number) -> Lowered:
        return e.num(sympy.Rational(node.text))

    def _paren(self, node: t.Paren) -> Lowered:
        if node.open not in ("(", "\\left(", "[", "\\left[", "\\bigl(", "\\Bigl(", "\\big(",
                             "\\Big(", "\\bigg(", "\\Bigg(") and not node.open.endswith(("(", "[", "\\{")):  # fmt: skip
            raise CalculusError(f"cannot read the brackets `{node.open} … {node.close}`")
        return self._lower(node.body)

    def _neg(self, node: t.Neg) -> Lowered:
        x = self._lower(node.operand)
        if node.sign == "+":
            return x
        if node.sign != "-":
            raise CalculusError(f"cannot differentiate `{node.sign}`")
        return x.scaled([e.num(-1)]) if isinstance(x, Pending) else e.neg(x)

    def _product_node(self, node: t.Product) -> Lowered:
        return self._product(list(node.factors))

    def _frac(self, node: t.Frac) -> Lowered:
        self._numbers(number_letters(node.den))
        if isinstance(node.den, t.Number) and isinstance(node.num, (t.Symbol, t.Sub)):
            self._numbers(number_letters(node.num))  # \frac{n}{2}\log 2\pi
        num = self._lower(node.num)
        den = self.lower(node.den)
        if not den.is_scalar and isinstance(node.den, t.Symbol) and not node.den.font:
            dim = self._dimension(node.den)  # \frac{1}{m}, v ∈ ℝ^m, beside \mathbf{m} ∈ ℝ^d
            den = e.num(dim) if dim is not None else den
        if not den.is_scalar:
            raise ShapeError(f"cannot divide by the {den.shape.short()} `{latex_of(node.den)}`")
        inv = e.power(den, -1)
        return num.scaled([inv]) if isinstance(num, Pending) else e.mul(num, inv)

    def _transpose(self, node: t.Transpose) -> Lowered:
        split = matrix_before_script(node, self._a_matrix)  # J(K - βJ)^\top of a matrix J
        if split is not None:
            return self._lower(split)
        if isinstance(node.base, t.Number) and node.base.text == "1":
            # 1^T x: a transposed 1 is the ones vector (the number needs no transpose)
            return Pending(ones_of, None, ONE, "\\mathbf{1}").transposed()
        x = self._lower(node.base)
        return x.transposed() if isinstance(x, Pending) else e.transpose(x)

    def _inverse_transpose(self, node: t.InverseTranspose) -> Lowered:
        return e.inv(e.transpose(self.lower(node.base)))

    def _prime(self, node: t.Prime) -> Lowered:
        key = symbol_key(node)
        if key is not None and key[0] in self.bound:  # k(x, x') = …: the parameter x'
            return self.bound[key[0]]
        own = self._own_primed(key[0], node.base) if key is not None else None
        if own is not None:
            return own
        info = self.env.vars.get(key[0]) if key is not None else None
        if key is not None and info is not None and self._declared_prime(key[0]):
            return e.var(
                key[0], info.shape, info.symmetric
            )  # (θ' ∈ ℝᵖ declared, θ itself perhaps not)
        x = self.lower(node.base)
        if key is not None and (
            self._primed_name(key[0])
            or self._declared_prime(key[0])
            or self._declared_unlike_transpose(key[0], x)
        ):
            # g(x) = k(x, x'): a second point; "$\phi, \phi' \in \mathbb{R}^d$": one declared
            info = self.env.vars.get(key[0])
            return e.var(key[0], info.shape if info is not None else x.shape)
        if x.is_scalar:
            raise CalculusError(f"cannot read the prime in `{latex_of(node)}` (a derivative?)")
        return x if node.count % 2 == 0 else e.transpose(x)

    def _declared_prime(self, key: str) -> bool:
        """Whether the document declares ``x'`` itself (``\\phi, \\phi' \\in
        \\mathbb{R}^d``, the next state's features): a vector of its own, not a transpose;
        or a matrix whose declared shape is not the transpose's (``\\Sigma' = J\\Sigma J^\\top
        \\in \\mathbb{R}^{2\\times 2}`` beside a 3×3 ``\\Sigma``: the projected covariance)."""
        info = self.env.vars.get(key)
        if info is None or not key.endswith("'"):
            return False
        if info.shape.cols == ONE:
            return True
        base = self.env.vars.get(key[:-1])
        return base is not None and not (
            same(info.shape.rows, base.shape.cols) and same(info.shape.cols, base.shape.rows)
        )

    def _own_primed(self, key: str, base: t.Node) -> Lowered | None:
        r"""``x'`` as a letter of its own where the document says so: defined (``\Sigma' = J W
        \Sigma W^\top J^\top``, a splat's 2-D covariance: its definition), or a matrix declared
        of a shape the transpose of ``x`` has not (``\Sigma' \in \mathbb{R}^{2\times 2}``
        beside a 3×3 ``\Sigma``), or beside an ``x`` that does not read; None otherwise."""
        if not key.endswith("'"):
            return None
        defined = self.env.functions.get(key)
        if defined is not None and not defined.params:
            return self._known_name(key)
        info = self.env.vars.get(key)
        if info is None or info.shape.cols == ONE:
            return None  # (a vector x': see _declared_prime)
        try:
            x = self.lower(base)
        except CalculusError:
            return e.var(key, info.shape, info.symmetric)
        if not isinstance(x, Expr) or (
            same(x.rows, info.shape.cols) and same(x.cols, info.shape.rows)
        ):
            return None  # (Σ' of Σ's transposed shape: maybe Σᵀ, as before)
        return e.var(key, info.shape, info.symmetric)

    def _declared_unlike_transpose(self, key: str, x: Expr) -> bool:
        r"""Whether the document declares ``X'`` with a shape ``X``'s transpose cannot have
        (an upstream gradient ``G' \in \mathbb{R}^{2 \times 2}`` beside a d×d ``G``): a
        letter of its own, as the shape check reads it."""
        info = self.env.vars.get(key)
        if info is None or not key.endswith("'") or not isinstance(x, Expr):
            return False
        return info.shape.rows != x.cols or info.shape.cols != x.rows  # (2 is no d here)

    def _primed_name(self, key: str) -> bool:
        """Whether ``x'`` names a point of its own: a parameter of a function the document
        defines, or written beside ``x`` in an argument list."""
        return key in self.primed or any(key in f.params for f in self.env.functions.values())

    def _abs(self, node: t.Abs) -> Lowered:
        x = self.lower(node.body)
        if not x.is_scalar and same(x.rows, x.cols) and x.cols != ONE:
            return e.det(x)  # |X|: the determinant, as the Matrix Cookbook writes it
        return e.elem("abs", x)

    def _norm_node(self, node: t.Norm) -> Lowered:
        return self._norm(node, None)

    def _angle(self, node: t.Angle) -> Lowered:
        if len(node.items) != 2:
            raise CalculusError("an inner product ⟨a, b⟩ has two operands")
        return e.inner(self.lower(node.items[0]), self.lower(node.items[1]))

    def _sqrt(self, node: t.Sqrt) -> Lowered:
        if node.index is not None:
            k = self._exponent(node.index)
            return self._pow_value(self.lower(node.body), 1 / k, node)
        return self._pow_value(self.lower(node.body), sympy.Rational(1, 2), node)

    def _font(self, node: t.Font) -> Lowered:
        return self._lower(node.body)

    def _delimited(self, node: t.Delimited) -> Lowered:
        if node.open not in ("\\lvert", "\\left\\lvert", "\\vert"):
            raise CalculusError(f"cannot differentiate `{describe(node)}`")
        return e.elem("abs", self.lower(node.body))

    def _already_derivative(self, node: t.Node) -> Lowered:
        raise CalculusError(f"`{latex_of(node)}` is already a derivative")

    def _matrix(self, node: t.Matrix) -> Lowered:
        raise CalculusError(
            f"cannot differentiate through the matrix written out `\\begin{{{node.env}}}`: "
            "block matrices and matrices of entries are not read yet"
        )

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
            if is_otherwise(cond):
                lefts.append(e.num(0))
                rights.append(e.num(0))
                ops.append("")
                continue
            if not (isinstance(cond, t.Chain) and len(cond.relations) == 1):
                raise CalculusError(f"cannot read the condition `{latex_of(cond)}` of the cases")
            op = CASE_RELATIONS.get(cond.relations[0])
            left, right = cond.items
            if op is None or left is None or right is None:
                raise CalculusError(f"cannot read the condition `{latex_of(cond)}` of the cases")
            lefts.append(self.lower(without_words(left)))
            rights.append(self.lower(right))
            ops.append(op)
        return e.piecewise(tuple(values), tuple(lefts), tuple(rights), tuple(ops))

    # -- symbols --------------------------------------------------------------------------
    def _symbol(self, node: t.Node) -> Lowered:
        key = symbol_key(node)
        known = self._known_symbol(node, key)
        if known is not None:
            return known
        if isinstance(node, t.Tagged):
            tagged = self._tagged(node)
            if tagged is not None:
                return tagged
        if isinstance(node, t.Symbol):
            constant = self._constant(node, key)
            if constant is not None:
                return constant
        if isinstance(node, t.Number) or (isinstance(node, t.Symbol) and node.name.isdigit()):
            if node.font:  # type: ignore[union-attr]
                return Pending(ones_of, None, ONE, "\\mathbf{1}")
        if isinstance(node, t.Sub):
            entry = self._subscripted(node)
            if entry is None:
                entry = self.member(node)
            if entry is not None:
                return entry
            dim = self._dimension(node)
            if dim is not None:
                return e.num(dim)  # \frac{1}{\sqrt{d_k}} with Q ∈ ℝ^{n×d_k}: the number d_k
        if is_expectation(node):
            raise CalculusError("`\\mathbb{E}[\\cdot]` (an expectation) is not supported")
        rate = rate_of(node, self.env)
        if rate is not None:
            self.env.vars[rate.key] = rate
            return e.var(rate.key, rate.shape)
        raise UnknownShape(node, written_latex(node))

    def _tagged(self, node: t.Tagged) -> Lowered | None:
        """``W^Q_1`` of ``W_i^Q``: the member 1 of the family ``W^Q`` (not ``(W_1)^Q``);
        ``W^Q``, a matrix where declared, else ``A^N``, a power; ``W^{(1)}``, a member."""
        if isinstance(node.base, t.Sub) and not node.bracket:
            member = self.member(node)
            if member is not None:
                return member
        power = node.as_power()
        if power is not None:
            try:
                return self._power(power)
            except CalculusError as exc:  # A^*: said as what it may be (not "the exponent *")
                starred = self._starred(node) if str(exc) == _STAR else None
                if starred is not None:
                    raise CalculusError(starred) from exc
                raise
        return self.member(node)

    def _starred(self, node: t.Tagged) -> str | None:
        r"""Why ``A^*`` of a declared ``A`` (``A^*`` itself undeclared) is not read: a
        conjugate transpose or an optimum, which the document does not say; None otherwise."""
        tag, base = node.tag, symbol_key(node.base)
        if node.bracket or not (isinstance(tag, t.Symbol) and tag.name == "*"):
            return None
        info = self.env.vars.get(base[0]) if base is not None else None
        if info is None:
            return None
        if info.complex:
            return complex_refusal(info.latex)
        written = f"{info.latex}^*"
        transpose = (
            "" if info.shape.is_scalar else f"for its transpose write `{info.latex}^\\top`; "
        )
        return (
            f"`{written}` is not read (a conjugate? an optimum?): {transpose}a value named "
            f"`{written}` must be declared, e.g. `{written} \\in {_space(info.shape)}`"
        )

    def member(self, node: t.Tagged | t.Sub) -> Lowered | None:
        """``W^{(l+1)}``, ``h_{t-1}``: a member of a family the document declares (``W^{(l)}``,
        ``h_t``), a variable of its own with the family's shape shifted to its label (see
        ``shapes.families``) — a subscript only where the letter alone is not declared
        (``x_0`` of ``x \\in \\mathbb{R}^n`` is an entry, or the first ``x_t``)."""
        key, base = symbol_key(node), symbol_key(node.base)
        if key is None or base is None or key[0] in self.env.functions:
            return None  # (K_y = K_f + σ²I beside K_f: the name defined, not a member)
        name_tag = ""
        if isinstance(node, t.Tagged) and not node.bracket and isinstance(node.base, t.Sub):
            # W_1^Q, W^Q_1 of the family W_i^Q: the tag kept, the subscript the family's label
            letter = symbol_key(node.base.base)
            if letter is None:
                return None
            base, name_tag = letter, show(node.tag)
            form, tag = "_", node.base.index
        elif isinstance(node, t.Sub):
            if self._known_name(base[0]) is not None and not self._vector_family(base[0]):
                return None
            form, tag = "_", node.index
        else:
            form, tag = node.bracket, node.tag

        def declared(k: str) -> Shape | None:
            info = self.env.vars.get(tagged_key(k, "", name_tag) if name_tag else k)
            return info.shape if info is not None else None

        def named(d: Dim) -> bool:
            return any(
                d in info.shape.rows.free_symbols or d in info.shape.cols.free_symbols
                for info in self.env.vars.values()
            )

        shape = member_shape(base[0], form, tag, declared, named, bool(name_tag)) if form else None
        if (
            shape is None and form == "_" and not name_tag
        ):  # v_t of a family declared as v_j, or x_t of x_0
            numbered = [k for k in self.env.vars if _numbered_member(k, base[0])]
            lettered = _lettered_members(self.env.vars, base[0])  # f_b: f_a, action a's
            shape = _under_another_label(base[0], tag, declared, numbered, lettered)
        if shape is None:
            return None
        self.env.vars[key[0]] = VarInfo(key[0], shape, key[0])
        return e.var(key[0], shape)

    def _not_one_of_many(self, node: t.Node, known: Lowered) -> None:
        r"""Refuse ``\mathbf{x}_i`` read as one declared vector inside a sum over ``i`` of
        entries (``\sum_i \alpha_i k(\mathbf{x}, \mathbf{x}_i)``): it is a different
        vector for every i, which a sum over entries cannot say."""
        if not self.index or not isinstance(node, t.Sub) or not isinstance(known, Expr):
            return
        if known.is_scalar or not set(index_names(node.index) or ()) & set(self.index):
            return
        written = written_latex(node)
        raise CalculusError(
            f"`{written}` changes with the sum's index, but is read as one declared vector "
            "here: a sum over samples needs every other symbol under the index to be a "
            "family member or an entry of a declared vector"
        )

    def _vector_family(self, base: str) -> bool:
        """Is a family of arrays ``h_{t}`` of the letter declared (its subscripts then name
        members, though the letter alone is declared too: a state ``h``)?"""
        prefix = base + "_{"
        return any(
            k.startswith(prefix) and not info.shape.is_scalar for k, info in self.env.vars.items()
        )

    def _known_name(self, name: str) -> Lowered | None:
        """What a name stands for: a bound parameter, a defined constant (r = y - Xw), or a
        declared variable; None if none of these."""
        if name in self.bound:
            return self.bound[name]
        defined = self.env.functions.get(name)
        if defined is not None and not defined.params:  # r = y - Xw: what r stands for
            if self.names is not None and not self.bound:
                return self._name(defined)
            try:
                return self._defined(defined)
            except CalculusError:
                # \sigma_d^2 = \mathbb{E}[d(k)^2] in the body of J(w), called: a constant
                standing = self._standing(defined)
                if standing is None:
                    raise
                return standing
        square = self.env.functions.get(name + "^{2}")
        if square is not None and not square.params:  # σ where σ² = … is defined: its root
            value = self._known_name(square.key)
            if isinstance(value, Expr) and value.is_scalar:
                return e.power(value, sympy.Rational(1, 2))
        info = self.env.vars.get(name)
        if info is not None:
            if info.complex:
                raise CalculusError(complex_refusal(info.latex))
            return e.var(name, info.shape, info.symmetric)
        return None

    def _constant(self, node: t.Symbol, key: tuple[str, str | None] | None) -> Lowered | None:
        r"""A symbol that is a constant when not declared: ``I``, ``\mathbf{1}``, ``e``, ``\pi``,
        or a declared dimension (``N`` in ``\frac{1}{N}``); None otherwise."""
        if node.name == "I" and key is not None and key[0] not in self.env.vars:
            return Pending(identity_of, None, None, "I")
        if node.name == "1" or (node.name in ("1", "\\mathbb{1}") and node.font):
            return Pending(ones_of, None, ONE, "\\mathbf{1}")
        if node.name == "e":
            return e.num(sympy.E)
        if node.name == "\\pi":
            return e.num(sympy.pi)
        if node.name in ("\\mathbb{1}", "\\one", "\\mathbbm{1}"):
            return Pending(ones_of, None, ONE, "\\mathbf{1}")
        dim = self._dimension(node)
        if dim is not None:
            return e.num(dim)  # \frac{1}{N} with x ∈ ℝ^N: the number N
        return None

    def _subscripted(self, node: t.Sub) -> Lowered | None:
        """A subscripted symbol: a sized constant (``I_n``), or inside a sum over its index the
        vector or matrix whose entries it names (``p_k``, ``X_{ij}``, ``X_{ji}``); an error for
        any other entry of a declared variable; None if it is none of these."""
        sized = self._sized_constant(node)
        if sized is not None:
            return sized
        base_key = symbol_key(node.base)
        defined = self.env.functions.get(base_key[0]) if base_key is not None else None
        if (
            (base_key is None or (defined is not None and not defined.params))
            and self.index is not None
            and index_names(node.index) == self.index
            and len(self.index) == 1
        ):
            # p_k inside \sum_k with p = softmax(z), or softmax(z)_k itself
            vector = self.lower(node.base)
            if vector.cols == ONE and not vector.is_scalar:
                return vector
        if base_key is not None and self.index is not None:
            info = self.env.vars.get(base_key[0])
            entry = index_names(node.index)
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
            if has_times(node.index):  # X_{i \times i}: the leading i×i block
                raise CalculusError(f"`{latex_of(node)}` (a leading block) is not supported")
            if _sliced(node.index):  # X_{1:k, 1:k}, x_{2:n}: a block or a slice
                raise CalculusError(
                    f"`{latex_of(node)}` (a block of rows or columns) is not supported"
                )
            member = self.member(node)  # h_{t-1} of a declared family h_t of vectors, though
            if isinstance(member, Expr) and not member.is_scalar:  # a state h is declared too
                return member
            raise CalculusError(
                f"cannot differentiate the entry `{latex_of(node)}` of "
                f"`{self.env.vars[base_key[0]].latex}`: write it in matrix form"
            )
        return None

    def _numbers(self, letters: list[t.Symbol | t.Sub]) -> None:
        """Letters where only a number can stand (a denominator's): a positive number where
        the document says nothing else of them (not a variable, a definition, a dimension)."""
        for node in letters:
            key = symbol_key(node)
            if key is None or key[0] in ("e", "\\pi", "I") or self._known_name(key[0]) is not None:
                continue
            if key[0] in self.env.functions or self._dimension(node) is not None:
                continue
            if isinstance(node, t.Sub) and symbol_key(node.base) is not None:
                base = symbol_key(node.base)
                if base is not None and (base[0] in self.env.vars or self.index is not None):
                    continue  # x_i: an entry, or a sample inside a sum
            self.env.vars[key[0]] = VarInfo(key[0], Shape(ONE, ONE), key[0], positive=True)
            self.env.numbers.add(key[0])

    def _sized_constant(self, node: t.Sub) -> Lowered | None:
        r"""``I_n``, ``\mathbf{1}_n``, ``1_n``, ``0_n``, ``\mathbf{0}_{m \times n}``: the
        identity, the ones vector and zeros, of a size that is a number or a declared
        dimension."""
        found = sized_constant(node)
        if found is None:
            return None
        kind, written = found
        sizes = [self._size(w) for w in written]
        if None in sizes:
            return None
        rows, cols = sizes[0], sizes[-1] if len(sizes) == 2 else ONE
        assert rows is not None and cols is not None  # (for mypy: checked above)
        if kind == "identity":
            return e.identity(rows)
        if kind == "zeros":
            return e.zero(rows, cols)
        return Pending(ones_of, rows, ONE, "\\mathbf{1}")

    def _size(self, node: t.Node | None) -> Dim | None:
        """A size written as a number or a declared dimension's name."""
        if isinstance(node, t.Number) and node.text.isdigit():
            return sympy.Integer(int(node.text))
        if isinstance(node, t.Symbol):
            return self._dimension(node)
        return None

    def _of_several(self, name: str | None, node: t.Apply) -> Lowered | None:
        r"""``\max(0, u)`` and ``\operatorname{diag}(w_1, \dots, w_n)`` (of the vector w):
        functions written with several arguments; None for any other."""
        if name == "max" or name == "min":
            return self._max_zero(node, name)
        listed = self._listed_vector(node.args) if name in ("diag", "Diag") else None
        return e.diag_matrix(listed) if listed is not None else None

    def _listed_vector(self, args: tuple[t.Node, ...]) -> Expr | None:
        r"""The vector whose entries ``w_1, \dots, w_n`` lists (first 1, last a dimension of a
        declared shape, or the length of the vector the letter declares); None otherwise."""
        if len(args) != 3 or not isinstance(args[1], t.Dots):
            return None
        first, last = args[0], args[2]
        if not (isinstance(first, t.Sub) and isinstance(last, t.Sub)):
            return None
        letter = symbol_key(first.base)
        if letter is None or symbol_key(last.base) != letter:
            return None
        if not (isinstance(first.index, t.Number) and first.index.text == "1"):
            return None
        info = self.env.vars.get(letter[0])
        size = self._dimension(last.index) if isinstance(last.index, t.Symbol) else None
        written = latex_of(first.base)
        if info is not None and size is not None and _other_letter(written, info, size):
            # diag(w_1, …, w_n) of weights w_i > 0 beside a classifier's bold w ∈ ℝ^d: the
            # listed entries' own vector, under a key of its own
            key = f"{letter[0]}_{{1, \\dots, {latex_of(last.index)}}}"
            if key not in self.env.vars:
                self.env.vars[key] = VarInfo(key, Shape(size, ONE), written)
            return e.var(key, Shape(size, ONE))
        if info is not None:
            if info.shape.cols != ONE or (size is not None and not same(size, info.shape.rows)):
                return None
            return e.var(letter[0], info.shape, info.symmetric)
        if size is None or letter[0] in self.env.functions:
            return None
        self.env.vars[letter[0]] = VarInfo(letter[0], Shape(size, ONE), latex_of(first.base))
        return e.var(letter[0], Shape(size, ONE))

    def _known_symbol(self, node: t.Node, key: tuple[str, str | None] | None) -> Lowered | None:
        """What a symbol stands for where the document says (see :meth:`_known_name`), or the
        size a plain letter names beside a bold array of the same letter; None otherwise."""
        size = self._size_beside_bold(node, key)
        if size is not None:  # p of (ν + p)/2 with y ∈ ℝ^p, beside a declared bold \mathbf{p}
            return e.num(size)
        if (
            key is not None and isinstance(node, t.Symbol) and node.font is None
            and key[0] in self.env.weak and key[0] in self.env.vars
            and not self.env.vars[key[0]].shape.is_scalar
        ):  # fmt: skip
            return self._plain_beside_bold(node)
        known = self._known_name(key[0]) if key is not None else None
        if known is not None:
            self._not_one_of_many(node, known)
        return known

    def _plain_beside_bold(self, node: t.Symbol) -> Lowered:
        r"""The plain ``\sigma`` the text compares with 0 beside a declared bold
        ``\boldsymbol\sigma`` array: a number of its own, keyed ``{\sigma}`` (which prints,
        and reads back, as the plain letter)."""
        key = plain_key(node.name)
        if key not in self.env.vars:
            self.env.vars[key] = VarInfo(key, SCALAR, node.name)
        return e.var(key, SCALAR)

    def _size_beside_bold(
        self, node: t.Node, key: tuple[str, str | None] | None
    ) -> sympy.Symbol | None:
        r"""The dimension a plain letter names (``p`` of ``\mathbf{y} \in \mathbb{R}^p``)
        where the document declares the same letter in bold as an array of its own (the
        teacher's probabilities ``\mathbf{p} \in \mathbb{R}^K``): the number, not the
        array; None otherwise."""
        if key is None or not isinstance(node, t.Symbol) or node.font is not None:
            return None
        info = self.env.vars.get(key[0])
        if info is None or info.shape.is_scalar or key[0] in self.bound:
            return None
        written = info.latex.strip()
        if written == node.name or not written.startswith("\\"):
            return None  # (declared as written: the array itself)
        return self._dimension(node)

    def _dimension(self, node: t.Symbol | t.Sub) -> sympy.Symbol | None:
        """An undeclared plain symbol that names a dimension of a declared shape (``N``,
        ``d_k``, ``d_{\text{head}}``), named as shapes name it."""
        base = node.base if isinstance(node, t.Sub) else node
        if not isinstance(base, t.Symbol) or base.font is not None or base.accents:
            return None
        if not base.name.isalpha():
            return None
        name = node.name if isinstance(node, t.Symbol) else getattr(dim_of(node), "name", None)
        for info in self.env.vars.values():
            for d in (info.shape.rows, info.shape.cols):
                for s in d.free_symbols:
                    if isinstance(s, sympy.Symbol) and s.name == name:
                        return s
        return None

    # -- sums and products ---------------------------------------------------------------
    def _add(self, node: t.Add) -> Lowered:
        parts: list[Lowered] = []
        positive: list[int] = []  # the parts that are a letter said positive, and their signs
        signs: list[str] = []
        constant = self._constant_term(node)
        for sign, term in zip(node.signs, node.terms, strict=True):
            if term is constant:
                continue  # (a constant no derivative sees: 0, beside the numbers it is added to)
            try:
                x = self._vector_power_term(node, term) or self._lower(term)
            except UnknownShape:
                if self._said_positive(term) and sign in ("", "+", "-"):
                    positive.append(len(parts))
                    parts.append(e.num(0))  # (stands in until the others are known)
                    signs.append(sign)
                    continue
                if term is not node.terms[-1] or sign not in ("+", "-"):
                    raise
                if not constant_letter(term) or len(node.terms) < 2:
                    raise
                constant = term  # ``+ c`` of a letter nothing gives a meaning: "plus a constant"
                continue
            if sign == "-":
                x = x.scaled([e.num(-1)]) if isinstance(x, Pending) else e.neg(x)
            elif sign not in ("", "+"):
                raise CalculusError(f"cannot differentiate `{sign}`")
            parts.append(x)
        if positive:
            self._positive_numbers(node, parts, positive, signs)
        if constant is not None:  # (the last term)
            if not all(isinstance(p, Expr) and p.is_scalar for p in parts):
                self._lower(constant)  # (beside arrays: the letter's own shape, or none known)
            parts.append(e.num(0))
        known = [p for p in parts if isinstance(p, Expr)]
        if not known:
            return parts[0] if len(parts) == 1 else sum_pending(parts)  # type: ignore[arg-type]
        shape = next((k for k in known if not k.is_scalar), known[0])
        bare = {
            i for i, (p, term) in enumerate(zip(parts, node.terms, strict=True))
            if isinstance(p, Pending) and _ones_beside_matrix(p, shape) and self._ones_vector(term)
        }  # fmt: skip
        resolved = [
            e.ones(shape.rows, shape.cols)
            if i in bare
            else p.resolve(shape.rows, shape.cols)
            if isinstance(p, Pending)
            # 1 + \exp(x): a number added to an array is added to every entry, and so
            # is a scalar added to a vector (x - \mu, a_0 + a^\top B): shapes' own rule
            else e.mul(p, e.ones(shape.rows, shape.cols))
            if p.is_scalar
            and not shape.is_scalar
            and (isinstance(p, e.Num) or scalar_spreads(Shape(shape.rows, shape.cols)))
            else p
            for i, p in enumerate(parts)
        ]
        if any(p.is_scalar for p in resolved) and not shape.is_scalar:
            # shapes' rule (scalar_spreads) leaves a scalar plus a matrix unchecked: added to
            # every entry, or λI meant?  Not an error, and not guessed either
            raise CalculusError(
                f"a scalar is added to a {shape.shape.short()} matrix: to every entry "
                r"(write it times \mathbf{1}\mathbf{1}^\top) or times the identity (write it "
                r"times I)? texgrad does not guess"
            )
        _broadcast(resolved, node, self.env)
        return e.add(*resolved)

    def _said_positive(self, term: t.Node) -> bool:
        r"""A plain Latin letter nothing declares that the document says is positive (a
        margin "$m > 0$"), as a term of a sum."""
        key = symbol_key(term) if isinstance(term, t.Symbol) and term.font is None else None
        return key is not None and key[0] in self.env.weak and key[0] not in self.env.vars

    def _positive_numbers(
        self, node: t.Add, parts: list[Lowered], at: list[int], signs: list[str]
    ) -> None:
        r"""The letters said positive of a sum (``m - \mathbf{w}^\top\mathbf{x}``) read as
        positive numbers where every other term is a number: a sum of numbers leaves the letter
        no other reading.  Else its shape is unknown, as before."""
        others = [p for i, p in enumerate(parts) if i not in at]
        letters = [x for x in node.terms if self._said_positive(x)]
        if not others or not all(isinstance(p, Expr) and p.is_scalar for p in others):
            self._lower(letters[0])  # (raises: the shape of the letter is unknown)
        for i, letter, sign in zip(at, letters, signs, strict=True):
            key = symbol_key(letter)
            assert key is not None
            self.env.vars[key[0]] = VarInfo(key[0], Shape(ONE, ONE), key[0], positive=True)
            self.env.numbers.add(key[0])
            x = self._lower(letter)
            parts[i] = e.neg(x) if sign == "-" else x  # type: ignore[arg-type]

    def _constant_term(self, node: t.Add) -> t.Node | None:
        r"""The last term of a sum, ``+ \mathrm{const}`` (``\mathrm{const.}``): "plus a
        constant", as likelihoods and losses end (0 to every derivative; taken so only where
        the other terms are numbers, as ``+ c`` of a letter nothing gives a meaning is)."""
        last = node.terms[-1] if len(node.terms) > 1 else None
        if last is None or node.signs[-1] not in ("+", "-"):
            return None
        return last if isinstance(last, (t.Func, t.Product)) and constant_word(last) else None

    def _vector_power_term(self, node: t.Add, term: t.Node) -> Expr | None:
        r"""A power of a vector added to a vector of ones (``\mathbf{1} + (\mathbf{r}/\delta)^2``
        of the pseudo-Huber loss): a vector, as its sum with that vector must be, so the power
        is elementwise (a number, ``\|\mathbf r\|^2/\delta^2``, added to a vector has no place
        there); None for any other term."""
        if not isinstance(term, t.Power) or without_circ(term.exponent) is not None:
            return None
        if as_member(term) is not None:  # \mathbf{1} - H^{(l+1)}: a member, no power
            return None
        if not any(self._ones_vector(x) for x in node.terms if x is not term):
            return None
        base = self.lower(term.base)
        if base.is_scalar or base.cols != ONE:
            return None
        return e.hpow(base, self._exponent(term.exponent))

    def _ones_vector(self, node: t.Node) -> bool:
        r"""``\mathbf{1}`` (``\mathbf{1}_m``, ``\bm 1``) as a term: a vector of ones."""
        if not isinstance(node, (t.Symbol, t.Number, t.Sub)):
            return False
        try:
            x = self._lower(node)
        except CalculusError:
            return False
        if isinstance(x, Pending):
            return x.what == "\\mathbf{1}" and x.cols == ONE
        return isinstance(x, e.Ones) and not x.is_scalar and x.cols == ONE

    def _calls(self, factors: list[t.Node]) -> list[t.Node]:
        """A symbol the document defines as a function, followed by a bracket: a call."""
        out: list[t.Node] = []
        i = 0
        while i < len(factors):
            f = factors[i]
            call = self._call_before(f, factors[i + 1]) if i + 1 < len(factors) else None
            if call is not None:
                out.append(call)
                i += 2
                continue
            out.append(f)
            i += 1
        return out

    def _call_before(self, f: t.Node, nxt: t.Node) -> t.Node | None:
        r"""``f`` applied to the bracket ``nxt`` where ``f`` names a function the document defines
        (``r(x)``, ``r(x)^\top``, ``\phi'(z)``), or is an operator of one (``\log s(x)``, which
        the parser reads as ``(\log s)(x)``); None otherwise."""
        if isinstance(f, t.Apply) and isinstance(f.func, t.Func) and len(f.args) == 1:
            if log_name(f.func) and not f.parens and self._gaussian(f.args[0]):
                return self._density(f, nxt, log=True)
            inner = self._call_before(f.args[0], nxt)
            if inner is None or f.parens:
                return None
            return t.Apply(f.func, (inner,), False, start=f.start, end=inner.end,
                           from_macro=f.from_macro, span=(f.span[0], inner.span[1]))  # fmt: skip
        named = f.base if isinstance(f, t.Prime) else f  # \operatorname{swish}'(z): φ′
        key = (
            symbol_key(named)
            if isinstance(named, (t.Symbol, t.Sub))  # (\epsilon_\theta(x) = Wx + b: a Sub)
            else (named.name, None)
            if isinstance(named, t.Func) and named is not f
            else None
        )
        fdef = self.env.functions.get(key[0]) if key is not None else None
        if fdef is None and self._gaussian(f):
            return self._density(f, nxt, log=False)  # \mathcal{N}(x \mid \mu, \Sigma)
        if fdef is None or not fdef.params:
            return None
        return call_of(f, nxt)  # r(x), r(x)^\top

    def _euler(self, node: t.Power) -> bool:
        r"""Whether ``e`` of ``e^{…}`` is Euler's number: where nothing declares ``e``, and where
        only its members are declared vectors (one-hot ``\mathbf{e}_y \in \mathbb{R}^K``: a
        vector has no power ``e^{-t}``, the logistic function's ``e`` is meant)."""
        info = self.env.vars.get("e")
        if info is None:
            return True
        vector = info.shape.cols == ONE and info.shape.rows != ONE
        members = any(k.startswith("e_{") for k in self.env.vars)
        return vector and members and not isinstance(node.exponent, t.Number)

    def _density(self, f: t.Node, nxt: t.Node, log: bool) -> t.Node | None:
        r"""``\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \Sigma)`` written out (``log``: its
        logarithm); None where the bracket holds no point, mean and covariance.  A number
        as the covariance of a vector (``\sigma^2`` for ``\sigma^2 I``) is refused: its
        determinant would be taken as the number's."""
        args = arguments(nxt)
        if args is None or not isinstance(nxt, t.Paren):
            return None
        point = self.lower(args[0])
        try:
            cov: Lowered | None = self.lower(args[2])
        except CalculusError:  # \sigma^2 I: sized below
            cov = None
        if not isinstance(point, Pending):
            if (
                cov is not None
                and not isinstance(cov, Pending)
                and cov.is_scalar
                and not point.is_scalar
            ):
                raise CalculusError(
                    f"`{latex_of(args[2])}` is a number, the covariance of the vector "
                    f"`{latex_of(args[0])}`: write it as a matrix (`{latex_of(args[2])} I`)"
                )
            rows = point.rows
            scale = isotropic_scale(args[2])
            sized = isinstance(rows, sympy.Symbol) and rows.name.isalpha()
            if scale is not None and sized and point.cols == ONE and not point.is_scalar:
                # \sigma^2 I: -\frac{d}{2}\log(2\pi\sigma^2) - \frac{1}{2\sigma^2}\|x - \mu\|^2
                return isotropic_density(f, nxt, scale, str(rows), log)
            if isinstance(rows, sympy.Symbol) and rows.name.isalpha() and not point.is_scalar:
                # \sigma^2 I: the identity of the point's size (\det sees no other)
                by: dict[int, t.Node] = {
                    id(n): t.Sub(
                        base=n,
                        index=t.Symbol(
                            name=rows.name,
                            font=None,
                            accents=(),
                            start=n.start,
                            end=n.end,
                            from_macro=n.from_macro,
                        ),
                        start=n.start,
                        end=n.end,
                        from_macro=n.from_macro,
                    )  # fmt: skip
                    for n in args[2].walk()
                    if isinstance(n, t.Symbol) and n.name == "I" and n.font is None
                }
                if by:
                    replaced = t.replaced(nxt, by)
                    nxt = replaced if isinstance(replaced, t.Paren) else nxt
        return density(f, nxt, log=log)

    def _gaussian(self, f: t.Node) -> bool:
        r"""Whether ``f`` is ``\mathcal{N}``, which the document neither defines nor declares."""
        if not is_gaussian(f):
            return False
        key = symbol_key(f)
        return key is not None and key[0] not in self.env.functions and key[0] not in self.env.vars

    def _differential(self, node: t.Differential) -> Expr:
        """``\\mathrm{d}X`` (or ``\\mathrm{d}X^\\top``): the differential of a variable."""
        inner = self.lower(node.body)
        if isinstance(inner, e.Var):
            return e.d(inner)
        if isinstance(inner, e.T) and isinstance(inner.arg, e.Var):
            return e.transpose(e.d(inner.arg))
        raise CalculusError(f"cannot read the differential `{latex_of(node)}`")

    def _product(self, factors: list[t.Node]) -> Lowered:
        factors = self._calls(text_functions(factors, self.env.functions))
        parts: list[Lowered] = [
            e.elem("step", self.lower(f.body)) if isinstance(f, Indicator) else self._lower(f)
            for f in indicators(factors)
        ]
        self._flanked_diagonals(indicators(factors), parts)
        if all(isinstance(p, Pending) or p.is_scalar for p in parts):
            pend = [p for p in parts if isinstance(p, Pending)]
            if len(pend) == 1:
                return pend[0].scaled([p for p in parts if isinstance(p, Expr)])
            if len(pend) == 2 and (pend[0].rows, pend[0].cols, pend[1].rows, pend[1].cols) == (
                None,
                ONE,
                ONE,
                None,
            ):  # \mathbf{1}\mathbf{1}^\top: sized by where it stands ((I - \frac{1}{d}11^\top)g)
                column, across = pend
                scalars = [p for p in parts if isinstance(p, Expr)]
                return Pending(
                    lambda r, c: e.mul(*scalars, column.resolve(r, ONE), across.resolve(ONE, c)),
                    None,
                    None,
                    column.what,
                )
        pend = [p for p in parts if isinstance(p, Pending)]
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
                    return Pending(
                        lambda r, c: e.mul(*before, one.resolve(r, ONE), row),
                        None,
                        row.cols,
                        one.what,
                    )
        if len(pend) == 1 and pend[0].rows == ONE and pend[0].cols is None:
            return self._column_times_ones_row(parts, pend[0])  # X - \mu \mathbf{1}^\top
        return self._sized_in_place(parts)

    def _flanked_diagonals(self, items: list[t.Node | Indicator], parts: list[Lowered]) -> None:
        r"""``\mathbf x^\top \operatorname{diag}(VV^\top)\,\mathbf x``, ``\operatorname{diag}(H)B``:
        the diagonal of a square matrix before a factor of its rows (and after one of its
        columns, if any) is the diagonal matrix, as the shape checker reads it
        (shapes/rules/products.py ``_flanked_diagonals``): read as the vector, the product
        would disagree, or scale a vector by an inner product."""
        for i, (node, p) in enumerate(zip(items[:-1], parts[:-1], strict=True)):
            right, left = parts[i + 1], parts[i - 1] if i else None
            if not (
                isinstance(node, t.Apply) and isinstance(node.func, t.Func)
                and node.func.name in ("diag", "Diag") and len(node.args) == 1
                and isinstance(p, Expr) and p.cols == ONE and not p.is_scalar
                and isinstance(right, Expr) and not right.is_scalar and right.rows == p.rows
                and not isinstance(left, Pending)
                and (left is None or left.is_scalar or left.cols == p.rows)
            ):  # fmt: skip
                continue
            arg = self._lower(node.args[0])
            if isinstance(arg, Expr) and arg.cols == arg.rows == p.rows:
                parts[i] = e.diag_matrix(p)

    def _sized_in_place(self, parts: list[Lowered]) -> Expr:
        r"""A product whose ``I`` and ``\mathbf{1}`` take their size from their neighbours."""
        out: list[Expr] = []
        for i, p in enumerate(parts):
            if isinstance(p, Pending):
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

    def _column_times_ones_row(self, parts: list[Lowered], one: Pending) -> Lowered:
        r"""``\boldsymbol\mu \mathbf{1}^\top``: a column times a row of ones, the row's length
        told by the sum it stands in (``X - \boldsymbol\mu\mathbf{1}^\top``), like
        ``\mathbf{1}\mathbf{b}^\top``; anything else sizes the row from its neighbours."""
        i = parts.index(one)
        before = [p for p in parts[:i] if isinstance(p, Expr)]
        after = [p for p in parts[i + 1 :] if isinstance(p, Expr)]
        column = e.mul(*before) if before else None
        if (
            column is not None
            and not column.is_scalar
            and column.cols == ONE
            and all(p.is_scalar for p in after)
        ):
            return Pending(
                lambda r, c: e.mul(column, one.resolve(ONE, c), *after), column.rows, None, one.what
            )
        return self._sized_in_place(parts)

    def _binop(self, node: t.BinOp) -> Lowered:
        op = node.op
        if op in ("/", "\\div"):
            self._numbers(number_letters(node.right))  # 1/N
        if op in ("\\odot", "\\circ", "\\oslash"):  # I \odot S: I sized by S
            a, b = self._elementwise_pair(node)
        else:
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
            raise ShapeError(f"cannot divide by the {b.shape.short()} `{latex_of(node.right)}`")
        raise CalculusError(f"cannot differentiate the operator `{op}`")

    def _elementwise_pair(self, node: t.BinOp) -> tuple[Expr, Expr]:
        """The operands of an elementwise product, ``I`` or ``\\mathbf{1}`` sized by the other."""
        a, b = self._lower(node.left), self._lower(node.right)
        if isinstance(a, Pending) and isinstance(b, Expr):
            a = a.resolve(b.rows, b.cols)
        if isinstance(b, Pending) and isinstance(a, Expr):
            b = b.resolve(a.rows, a.cols)
        return self._whole(a), self._whole(b)

    def _whole(self, x: Lowered) -> Expr:
        if isinstance(x, Pending):
            if x.rows is not None and x.cols is not None:
                return x.build(x.rows, x.cols)
            raise CalculusError(f"cannot tell the size of `{x.what}`")
        return x

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
        if isinstance(node, t.Product) and node.factors:  # 3\gamma, 2n, \frac12 k
            return sympy.Mul(*(self._exponent(f) for f in node.factors))
        if isinstance(node, t.BinOp) and node.op in ("\\cdot", "*", "\\times") and node.right:
            return self._exponent(node.left) * self._exponent(node.right)
        if isinstance(node, t.Add):
            total = sympy.Integer(0)
            for sign, term in zip(node.signs, node.terms, strict=True):
                v = self._exponent(term)
                total += -v if sign == "-" else v
            return total
        if isinstance(node, t.Symbol) and node.font is None and node.name.lstrip("\\").isalpha():
            info = self.env.vars.get(node.name)
            if info is not None and info.shape.is_scalar and not info.complex:
                # (1 - p_i)^\gamma for a constant "\gamma > 0": a positive number (never the
                # variable: derive refuses a variable in an exponent)
                return sympy.Symbol(node.name.lstrip("\\"), positive=True)
            if info is not None or not node.name.isalpha():
                raise CalculusError(
                    f"cannot differentiate with the variable exponent `{node.name}`"
                )
            return sympy.Symbol(node.name, integer=True, positive=True)
        raise CalculusError(f"cannot read the exponent `{latex_of(node)}`")

    def _power(self, node: t.Power) -> Lowered:
        split = matrix_before_script(node, self._a_matrix)  # J(K - βJ)^{-1} of a matrix J
        if split is not None:
            return self._lower(split)
        base = node.base
        named = power_name(node)
        if named is not None and named in self.env.functions:  # σ² where σ² = … is defined
            known = self._known_name(named)
            if known is not None:
                return known
        member = as_member(node)
        if member is not None:  # W^{(l+1)}: a member of the family W^{(l)}, not a power of W
            return self._symbol(member)
        marked = self._marked(node)
        if marked is not None:  # \mathbf z_i^{+}: a name of its own, as declared
            return marked
        member = _member_then_transpose(node)
        if member is not None:  # \mathbf{a}^{(1)\top}: the member a^{(1)}, transposed
            x = self._symbol(member)
            return x.transposed() if isinstance(x, Pending) else e.transpose(x)
        if isinstance(base, t.Symbol) and base.name == "e" and self._euler(node):
            x = self.lower(node.exponent)
            if x.is_scalar or x.cols == ONE or not same(x.rows, x.cols):
                return e.elem("exp", x)
            return e.matfn("exp", x)
        if isinstance(base, t.Norm):
            p = self._exponent(node.exponent)
            return self._norm(base, p)
        if isinstance(base, t.Apply) and base.parens is not False and is_named(base.func):
            pass
        try:
            x = self.lower(base)
        except UnknownShape as exc:
            if exc.node is base and sign_marked(node):  # \mathbf z_k^-: the name as written
                raise UnknownShape(node, written_latex(node)) from None
            raise
        ex = node.exponent
        elementwise = without_circ(ex)
        if elementwise is not None:  # x^{\circ 2}, x^{\circ 1/2}, x^{\odot -1}: elementwise
            return e.hpow(x, self._exponent(elementwise))
        p = self._exponent(ex)
        return self._pow_value(x, p, node)

    def _marked(self, node: t.Power) -> Lowered | None:
        r"""A name a sign mark makes (``\mathbf z_i^{+}``, ``\mathbf z^{-}``: the positive
        and negative examples) where the document declares it; None otherwise."""
        if not sign_marked(node):
            return None
        key = member_key(node)
        if key is None or key[0] not in self.env.vars:
            return None
        return self._known_name(key[0])

    def _pow_value(self, x: Expr, p: sympy.Expr, node: t.Node) -> Expr:
        if x.is_scalar:
            return e.power(x, p)
        if x.cols == ONE or not same(x.rows, x.cols):
            if p == sympy.Rational(1, 2):
                return e.elem("sqrt", x)
            raise CalculusError(
                f"`{latex_of(node)}` raises a {x.shape.short()} array to a power: write "
                "`x \\odot x` or `x^{\\circ 2}` for an elementwise power"
            )
        return e.power(x, p)

    def _norm(self, node: t.Norm, exponent: sympy.Expr | None) -> Expr:
        x = self.lower(node.body)
        p = norm_subscript(node.p)
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
        weighted = self._weighted_norm(x, node.p, exponent)
        if weighted is not None:
            return weighted
        written = latex_of(node.p) if node.p is not None else p
        raise CalculusError(f"cannot differentiate the norm `\\|\\cdot\\|_{{{written}}}`")

    def _weighted_norm(
        self, x: Expr, sub: t.Node | None, exponent: sympy.Expr | None
    ) -> Expr | None:
        r"""``\|\mathbf{x} - \boldsymbol\mu\|_{\Sigma^{-1}}^2``: a vector's norm weighted by a
        square matrix written as the subscript, √(xᵀMx); None where the subscript is no such
        matrix (``_p`` of a number p)."""
        if sub is None or x.cols != ONE or x.is_scalar:
            return None
        try:
            m = self.lower(sub)
        except CalculusError:
            return None
        if (
            not isinstance(m, Expr)
            or m.is_scalar
            or not (same(m.rows, x.rows) and same(m.cols, x.rows))
        ):
            return None
        q = e.mul(e.transpose(x), m, x)
        if exponent == 2:
            return q
        n = e.power(q, sympy.Rational(1, 2))
        return n if exponent is None else e.power(n, exponent)

    # -- functions ---------------------------------------------------------------------------
    def _apply(self, node: t.Apply) -> Lowered:
        f = node.func
        self.primed |= primed_beside(node.args)  # k(x, x'): x' a second point
        name = function_name(f)
        if isinstance(f, t.Func) and (f.sub is not None or f.sup is not None):
            return self._scripted(f, node)
        _no_probability(name, f, node)  # \Pr(y \mid x), p(y \mid x)
        # a function the document defines: substitute its body
        key = symbol_key(f) if not isinstance(f, t.Func) else None
        if isinstance(f, t.Prime):
            derived = self._derived(f, node)
            if derived is not None:
                return derived
        operator = self._defined_operator(f, node)  # \operatorname{swish}(t) = …
        if operator is not None:
            return operator
        defined = self._of_the_document(key[0], f, node) if key is not None else None
        if defined is not None:
            return defined
        special = self._of_several(name, node)
        if special is not None:
            return special
        args = [self.lower(a) for a in node.args]
        if len(args) != 1:
            raise CalculusError(f"`{function_latex(f)}` takes one argument here, not {len(args)}")
        (x,) = args
        if name == "softmax" and self.env.softmax_columns and x.cols != ONE:
            raise CalculusError(
                "the document takes softmax column by column: write "
                "`\\operatorname{softmax}_{\\text{col}}` here (a softmax of a matrix alone "
                "is read row by row)"
            )
        named = _matrix_operation(name, x)
        if named is not None:
            return named
        if name in ("log", "ln") and x.is_scalar and len(node.args) == 1:
            quotient = quotient_of(node.args[0])
            if quotient is not None:  # \log\frac{a}{b} = \log a - \log b (a, b > 0)
                a, b = (self.lower(q) for q in quotient)
                if a.is_scalar and b.is_scalar:
                    return e.sub(e.elem("log", a), e.elem("log", b))
        if name is not None and name in FUNCTION_NAMES:
            return _function_value(name, x)
        raise CalculusError(f"cannot differentiate the function `{function_latex(f)}`")

    def _of_the_document(self, key: str, f: t.Node, node: t.Apply) -> Lowered | None:
        """A function the document defines, applied; else a declared matrix times the bracket
        after it; else None."""
        defined = self._document_function(key, f, node)
        return defined if defined is not None else self._matrix_times(key, f, node)

    def _a_matrix(self, f: t.Node) -> bool:
        r"""Whether ``f`` is a letter declared a matrix (not a vector: ``\mathbf f(\mathbf x)^\top``
        of an f declared by its values is the function's, transposed) the document defines no
        function by."""
        key = symbol_key(f) if isinstance(f, (t.Symbol, t.Font, t.Sub)) else None
        info = self.env.vars.get(key[0]) if key is not None else None
        if info is None or key is None or key[0] in self.env.functions:
            return False
        return ONE not in (info.shape.rows, info.shape.cols)

    def _matrix_times(self, key: str, f: t.Node, node: t.Apply) -> Expr | None:
        r"""``L(\mathbf{x} - \mathbf{y})`` of a declared matrix (or vector) ``L`` the document
        defines no function by: a product (L, F, H and φ are function letters as well), else
        None."""
        info = self.env.vars.get(key)
        if info is None or key in self.env.functions or not node.parens or len(node.args) != 1:
            return None
        if info.shape.rows == ONE and info.shape.cols == ONE:
            return None  # σ(z) of a declared σ > 0 may still be the logistic function
        left, right = self.lower(f), self.lower(node.args[0])
        if not isinstance(left, Expr) or not isinstance(right, Expr):
            return None
        return e.mul(left, right)

    def _scripted(self, f: t.Func, node: t.Apply) -> Lowered:
        r"""A function written with a sub- or superscript: a power (``\log^2 x``), and
        ``\operatorname{vec}^{-1}`` and ``\operatorname{softmax}_{\text{row}}`` (or ``_{\text{col}}``)."""
        if f.name in ("vec", "softmax"):
            special = scripted_operation(f, [self.lower(a) for a in node.args])
            if special is not None:
                return special
        entrywise = _entrywise_marked(f)
        if entrywise is not None and len(node.args) == 1:  # \exp_{\odot}(T): entry by entry
            x = self.lower(node.args[0])
            if isinstance(x, Pending):
                raise CalculusError("cannot tell the size here")
            return e.elem(entrywise, x)
        if f.name in ("max", "min", "arg") or f.sub is not None:
            raise CalculusError(f"cannot differentiate `{function_latex(f)}` with a subscript")
        # f.sup is set: \log^2 x
        inner = self._apply(t.Apply(t.Func(f.name), node.args, node.parens))
        if isinstance(inner, Pending):
            raise CalculusError("cannot tell the size here")
        assert f.sup is not None
        p = self._exponent(f.sup)
        vector = inner.cols == ONE or not same(inner.rows, inner.cols)
        if not inner.is_scalar and vector and f.name.lstrip("\\") in e.ELEMENTWISE:
            if p.is_integer and 1 <= p <= 4:  # \tanh^2(W x): entrywise, as tanh is
                return e.had(*[inner] * int(p))
        return self._pow_value(inner, p, node)

    def _document_function(self, name: str, f: t.Node, node: t.Apply) -> Lowered | None:
        """A call of a function the document defines (its body, substituted), or a declared
        scalar before parentheses (``λ(x + y)``: a product); None if neither."""
        if name in self.env.functions:
            return self._call(self.env.functions[name], node)
        if name in self.env.vars and name not in self.env.numbers and name not in self.env.weak:
            info = self.env.vars[name]
            if info.shape.rows == ONE and info.shape.cols == ONE:  # λ(x + y): a product
                return self._product([f, *(in_parens(a) for a in node.args)])
        return None

    def _max_zero(self, node: t.Apply, name: str) -> Lowered:
        """``\\max(0, x)`` (relu) and ``\\min(0, x)``, the only maxima and minima that read."""
        written = max_arguments(node)
        if len(written) == 2 and any(is_zero_literal(a) for a in written):
            other = self.lower(written[1] if is_zero_literal(written[0]) else written[0])
            if name == "max":
                return e.elem("relu", other)
            return e.neg(e.elem("relu", e.neg(other)))
        if len(written) == 2:
            pair = _max_of_two(name, self.lower(written[0]), self.lower(written[1]))
            if pair is not None:
                return pair
        raise CalculusError(f"cannot differentiate `\\{name}` of these arguments")

    def _defined(self, fdef: FunctionDef) -> Lowered:
        if self.depth > 150 or fdef.key in self.expanding:
            raise CalculusError(f"the definition of `{key_text(fdef.key)}` refers to itself")
        self.expanding.add(fdef.key)
        saved, self.index = self.index, None  # the definition is read on its own
        try:
            return self._declared_diagonal(fdef, self._lower(fdef.body))
        finally:
            self.index = saved
            self.expanding.discard(fdef.key)

    def _declared_diagonal(self, fdef: FunctionDef, value: Lowered) -> Lowered:
        """A definition :func:`declared_diagonal` reads as the diagonal matrix: so made."""
        if not isinstance(value, Expr) or value.cols != ONE or value.is_scalar:
            return value
        if not declared_diagonal(fdef.key, fdef.body, self.env):
            return value
        if not same(self.env.vars[fdef.key].shape.rows, value.rows):
            return value
        return e.diag_matrix(value)

    def lower_name(self, key: str) -> Lowered | None:
        """The name ``key`` the document defines (no parameters), as a row using it reads it:
        a variable of its own with its value in ``names`` (``calculus.refold``)."""
        fdef = self.env.functions.get(key)
        if fdef is None or fdef.params or self.names is None:
            return None
        return self._name(fdef)

    def _name(self, fdef: FunctionDef) -> Lowered:
        """A defined name kept as a variable of its own (its value recorded in ``names``);
        a constant value (``k = 3``) or one whose size waits on its context is substituted."""
        assert self.names is not None
        known = self.names.get(fdef.key)
        if known is not None:
            return e.var(fdef.key, known.shape, _symmetric_value(known))
        try:
            value = self._defined(fdef)
        except CalculusError:
            standing = self._standing(fdef)
            if standing is None:
                raise
            return standing
        if isinstance(value, Pending) or not any(isinstance(x, e.Var) for x in value.walk()):
            return value
        self.names[fdef.key] = value
        return e.var(fdef.key, value.shape, _symmetric_value(value))  # D = diag(d): Dᵀ = D

    def _standing(self, fdef: FunctionDef) -> Expr | None:
        r"""A defined name whose definition does not read, standing as a constant of its
        declared (or averaged) shape, where it does not involve the variable (``opaque``) nor
        a parameter of the function whose body it is in (r = Ax in the body of f(x)); else
        None."""
        if fdef.key not in self.opaque or not fdef.names.isdisjoint(self.bound):
            return None
        info = self.env.vars.get(fdef.key) or self.like_its_family(fdef.key)
        if info is not None:
            symmetric = info.symmetric or self._symmetric_by_definition(fdef, info.shape)
            return e.var(fdef.key, info.shape, symmetric)
        expected = self._expected_shape(fdef)
        if expected is not None:  # \sigma_d^2 = \mathbb{E}[d^2]: a constant, d² a number
            return e.var(fdef.key, expected)
        return None

    def _symmetric_by_definition(self, fdef: FunctionDef, shape: Shape) -> bool:
        r"""Is the square name ``fdef`` defines symmetric by the form of its definition,
        through the names it is a multiple of (``\mathbf S_W = (n-K)\hat{\boldsymbol\Sigma}``
        of ``\hat{\boldsymbol\Sigma} = \frac{1}{n-K}\sum_k (X_k - \mathbf 1\mu_k')'(X_k -
        \mathbf 1\mu_k')``)?  Read where the definition does not lower (a sum over a family):
        a name standing for it is then sampled symmetric, as it is whatever its letters are."""
        if shape.is_scalar or not same(shape.rows, shape.cols):
            return False
        return _symmetric_by_form_through(fdef, self.env.functions, set())

    def _signal_values(self, body: t.Node) -> t.Node:
        r"""What an expectation averages, with each value of a declared signal at a time
        nothing declares (``d(k)`` of ``d(k) \in \mathbb{R}``, ``d(k)^2``, ``x(t)``) read as
        its letter: of the signal's declared shape (as the shape checker reads ``x(t)``), not
        its letter times a time of no shape.  Only for the shape of a name the document
        defines as an expectation (``\sigma_d^2 = \mathbb{E}[d(k)^2]``), a constant."""
        by: dict[int, t.Node] = {}
        for node in body.walk():
            if isinstance(node, t.Apply) and len(node.args) == 1 and self._signal(node.func):
                if self._a_time(node.args[0]):
                    by[id(node)] = node.func
            elif isinstance(node, t.Product):
                factors = self._signal_factors(node.factors)
                if factors is not None:
                    by[id(node)] = (
                        factors[0] if len(factors) == 1 else replace(node, factors=factors)
                    )
        return t.replaced(body, by) if by else body

    def _signal_factors(self, factors: tuple[t.Node, ...]) -> tuple[t.Node, ...] | None:
        """Factors with ``d``, ``(k)`` read as ``d`` (``d``, ``(k)^2`` as ``d^2``); None if
        no such pair is there."""
        out: list[t.Node] = []
        changed = False
        for f in factors:
            last = out[-1] if out else None
            if last is not None and self._signal(last):
                if isinstance(f, t.Paren) and self._a_time_paren(f):
                    changed = True
                    continue
                if (
                    isinstance(f, t.Power)
                    and isinstance(f.base, t.Paren)
                    and self._a_time_paren(f.base)
                ):
                    out[-1] = replace(f, base=last)
                    changed = True
                    continue
            out.append(f)
        return tuple(out) if changed else None

    def _signal(self, node: t.Node) -> bool:
        key = symbol_key(node)
        return (
            isinstance(node, (t.Symbol, t.Sub)) and key is not None and key[0] in self.env.vars
            and key[0] not in self.env.functions
        )  # fmt: skip

    def _a_time_paren(self, paren: t.Paren) -> bool:
        return (
            paren.open in ("(", "\\left(") and paren.body is not None and self._a_time(paren.body)
        )

    def _a_time(self, node: t.Node) -> bool:
        """``k``, ``t``: a time letter nothing declares."""
        return (
            isinstance(node, t.Symbol) and node.name in _TIMES and not node.font
            and not node.accents and node.name not in self.env.vars and node.name not in self.bound
        )  # fmt: skip

    def _expected_shape(self, fdef: FunctionDef) -> Shape | None:
        r"""The shape of a name the document defines as an expectation
        (``\sigma_d^2 = \mathbb{E}[d(k)^2]``, ``\mathbf R = \mathbb{E}[\mathbf x\mathbf x^\top]``):
        that of what is averaged, where it reads; None for any other definition.  (Only for a
        name whose definition does not involve the variable: it stands as a constant.)"""
        body = fdef.body
        if not (isinstance(body, t.Product) and len(body.factors) == 2):
            return None
        head, inner = body.factors
        if not is_expectation(head) or not isinstance(inner, t.Paren) or inner.body is None:
            return None
        averaged_body = self._signal_values(inner.body)  # (only its shape is read)
        try:
            averaged = self._defined(FunctionDef(fdef.key, (), averaged_body))
        except CalculusError:
            return None
        return averaged.shape if isinstance(averaged, Expr) else None

    def like_its_family(self, key: str) -> VarInfo | None:
        r"""``h_{t}``, defined by a recurrence the variable is not in, as a member of its
        declared family (``\mathbf{h}_0, \dots, \mathbf{h}_T \in \mathbb{R}^H``: one
        shape for every member, not depending on the label); None where there is none."""
        base, sep, _ = key.partition("_{")
        if not sep or not base:
            return None
        shapes = {
            info.shape
            for k, info in self.env.vars.items()
            if k != key and k.partition("_{")[0] == base and k.partition("_{")[1]
        }
        if len(shapes) != 1:
            return None
        shape = next(iter(shapes))
        labels = {
            k.partition("_{")[2].rstrip("}") for k in self.env.vars if k.startswith(base + "_{")
        }
        if {
            getattr(d, "name", "") for d in shape.rows.free_symbols | shape.cols.free_symbols
        } & labels:
            return None
        return VarInfo(key, shape, key)

    def _call(self, fdef: FunctionDef, node: t.Apply) -> Lowered:
        if (
            not fdef.params
            and isinstance(fdef.body, t.Func)
            and fdef.body.name.lstrip("\\") in e.ELEMENTWISE
        ):
            # "with $h = \tanh$": h another name of the function, applied as it
            return self._lower(replace(node, func=fdef.body))
        if len(node.args) != len(fdef.params):
            raise CalculusError(
                f"`{key_text(fdef.key)}` takes {len(fdef.params)} argument(s), given {len(node.args)}"
            )
        if self.depth > 150:
            raise CalculusError(f"the definition of `{key_text(fdef.key)}` refers to itself")
        template = self._template(fdef, node.func) if len(fdef.params) == 1 else None
        if (
            template is not None
            and not template.known
            and node is self.asked
            and all(symbol_key(a) is not None for a in node.args)
        ):
            try:
                return self._substituted(fdef, node)
            except CalculusError:
                pass  # (φ of a vector its body does not take whole: entrywise, φ')
        if template is not None:  # σ(t) = 1/(1 + e^{-t}): a function of numbers
            return self._on_numbers(fdef, template, node)
        return self._substituted(fdef, node)

    def _substituted(self, fdef: FunctionDef, node: t.Apply) -> Lowered:
        """The body of a function the document defines, its parameters bound to the arguments."""
        values = {p: self.lower(a) for p, a in zip(fdef.params, node.args, strict=True)}
        saved = self.bound
        self.bound = {**saved, **values}
        try:
            return self._lower(fdef.body)
        except CalculusError as exc:
            if not str(exc).startswith("the summand involves no entry") or not any(
                isinstance(n, t.BigOp) and n.op == "\\sum" for n in fdef.body.walk()
            ):
                raise
            raise CalculusError(  # E(w) + ½α wᵀw of E(w) = -\sum_n …: PRML's regularised error
                f"`{key_text(fdef.key)}` is defined by a sum over samples, which texgrad "
                "differentiates where a row is that sum alone, not yet inside a larger "
                "expression: write the sum in the row"
            ) from exc
        finally:
            self.bound = saved

    def _template(self, fdef: FunctionDef, written: t.Node) -> e.Template | None:
        """A function of one parameter as a function of numbers: its body read with the
        parameter a number; None where the body is written for arrays (a transpose, a norm,
        a trace …), does not read so, or involves another variable."""
        if fdef.key in self.templates:
            return self.templates[fdef.key]
        (param,) = fdef.params
        template = None
        if not written_for_arrays(fdef.body) and fdef.key not in self.expanding:
            saved = self.bound, self.index
            self.bound, self.index = {param: e.var(param, Shape(ONE, ONE))}, None
            self.expanding.add(fdef.key)
            try:
                body: Expr | None = self.lower(fdef.body)
            except CalculusError:
                body = None
            finally:
                self.bound, self.index = saved
                self.expanding.discard(fdef.key)
            if body is not None and body.is_scalar:
                consts = tuple(
                    sorted(
                        {v for v in body.walk() if isinstance(v, e.Var) and v.name != param},
                        key=lambda v: v.name,
                    )
                )
                template = e.Template(fdef.key, function_latex(written), param, body, 0, consts)
                template = replace(
                    template, known=known_as(template), derivative=self._named_density(fdef)
                )
        self.templates[fdef.key] = template
        return template

    def _named_density(self, fdef: FunctionDef) -> e.Template | None:
        r"""The function the text names ``fdef``'s derivative (the standard normal CDF
        ``\Phi``'s density ``\varphi``), as a function of numbers; None if there is none.
        (Φ′ is then written φ; the result is verified through both bodies.)"""
        density = self.env.functions.get(fdef.density) if fdef.density else None
        if density is None or len(density.params) != 1:
            return None
        from texgrad.reading.source import MappedText
        from texgrad.syntax.parse import parse_row

        letter = parse_row(MappedText.identity(fdef.density)).tree  # (how φ is printed)
        return self._template(density, letter) if letter is not None else None

    def _on_numbers(self, fdef: FunctionDef, template: e.Template, node: t.Apply) -> Expr:
        """A function of numbers applied to a number, or to each entry of an array — unless its
        body, given the array itself, reads as something else (then which is meant is unclear)."""
        x = self.lower(node.args[0])
        if not x.is_scalar:
            try:
                whole: Lowered | None = self._substituted(fdef, node)
            except CalculusError:
                whole = None
            if whole is not None and not (
                isinstance(whole, Expr) and entrywise_agrees(whole, template, x)
            ):
                raise CalculusError(
                    f"cannot tell whether `{template.latex}`, defined on numbers, applies to each "
                    f"entry of the {x.shape.short()} `{latex_of(node.args[0])}` or to it as a whole"
                )
        return named_function(template, x)

    def _derived(self, f: t.Prime, node: t.Apply) -> Lowered | None:
        r"""``\phi'(z)``: the derivative of a function of numbers the document defines."""
        base = f.base
        key = symbol_key(base) if not isinstance(base, t.Func) else (base.name, None)
        fdef = self.env.functions.get(key[0]) if key is not None else None
        if fdef is None or len(fdef.params) != 1 or len(node.args) != 1:
            return None
        template = self._template(fdef, base)
        if template is None:
            return None
        for _ in range(f.count):
            template = template_derivative(template)
        return e.applied(template, self.lower(node.args[0]))

    def _bigop(self, node: t.BigOp) -> Lowered:
        if node.op != "\\sum":
            raise CalculusError(big_op_refusal(node.op))
        index = sum_index(node.lower)
        summand = node.body
        levels = [(index, node)]
        while index is not None and isinstance(summand, t.BigOp) and summand.op == "\\sum":
            inner = sum_index(summand.lower)  # \sum_i \sum_j: one sum over (i, j)
            if inner is None:
                break
            levels.append((inner, summand))
            index, summand = index + inner, summand.body
        if index is None or len(index) > 2 or self.index is not None:
            raise CalculusError(unread_sum_index(node.lower))
        saved = self.index
        self.index = index
        try:
            body = self._entrywise(summand)
        finally:
            self.index = saved
        if body.is_scalar:
            written = ",".join(index)
            tagged = _tagged_by(summand, index) if summand is not None else None
            if tagged is not None:  # \bm{x}^{(i)}: samples numbered by a superscript
                raise CalculusError(
                    f"`{latex_of(tagged)}` numbers its samples by a superscript: a family "
                    f"written so is not read yet (write `{latex_of(tagged.base)}_{{{written}}}`)"
                )
            raise CalculusError(
                "the summand involves no entry of a declared "
                + ("vector" if len(index) == 1 else "matrix")
                + f" indexed by `{written}`"
            )
        _every_entry(levels, index, body)
        if body.cols != ONE:  # \sum_{i,j} over the entries of a matrix
            return e.mul(e.transpose(e.ones(body.rows, ONE)), body, e.ones(body.cols, ONE))
        return e.mul(e.transpose(e.ones(body.rows, ONE)), body)

    def _mentions_index(self, node: t.Node) -> bool:
        names = set(self.index or ())
        return any(
            isinstance(n, t.Sub) and names & set(index_names(n.index) or ()) for n in node.walk()
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
            return self._entrywise_sum(node)
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
            return self._entrywise_quotient(node)
        if isinstance(node, t.Sqrt) and node.index is None and node.body is not None:
            return e.hpow(self._entrywise(node.body), sympy.Rational(1, 2))  # √((Lx)_i² + β)
        if (
            isinstance(node, t.Apply)
            and function_name(node.func) in FUNCTION_NAMES
            and len(node.args) == 1
        ):
            return e.elem(
                FUNCTION_NAMES[function_name(node.func) or ""], self._entrywise(node.args[0])
            )
        if isinstance(node, t.Apply) and function_name(node.func) in ("max", "min"):
            hinge = self._entrywise_max_zero(node)
            if hinge is not None:
                return hinge
        x = self.lower(node)
        if not x.is_scalar and x.cols != ONE and len(self.index or ()) < 2:
            raise CalculusError(f"cannot sum the {x.shape.short()} `{latex_of(node)}` entrywise")
        return x

    def _entrywise_sum(self, node: t.Add) -> Expr:
        """A sum of summands, entrywise: a scalar term beside vector ones becomes a constant
        vector of their shape."""
        terms = []
        for sign, term in zip(node.signs, node.terms, strict=True):
            x = self._entrywise(term)
            terms.append(e.neg(x) if sign == "-" else x)
        vec = next((x for x in terms if not x.is_scalar), None)
        if vec is not None:
            terms = [e.mul(x, e.ones(vec.rows, vec.cols)) if x.is_scalar else x for x in terms]
        return e.add(*terms)

    def _entrywise_quotient(self, node: t.Frac) -> Expr:
        """A fraction of summands: a scalar denominator divides, a vector one divides entrywise."""
        num = self._entrywise(node.num)
        den = self._entrywise(node.den)
        if den.is_scalar:
            return e.mul(num, e.power(den, -1))
        return e.had(num, e.hpow(den, -1))

    def _entrywise_max_zero(self, node: t.Apply) -> Expr | None:
        """``\\max(0, ·)`` or ``\\min(0, ·)`` of a summand, entrywise; None for other arguments."""
        written = max_arguments(node)
        if len(written) == 2 and any(is_zero_literal(a) for a in written):
            other = self._entrywise(written[1] if is_zero_literal(written[0]) else written[0])
            if function_name(node.func) == "max":  # \sum_i \max(0, 1 - y_i z_i)
                return e.elem("relu", other)
            return e.neg(e.elem("relu", e.neg(other)))
        if len(written) == 2:  # \sum_i \max(\tau r_i, (\tau - 1) r_i): the pinball loss
            name = function_name(node.func) or "max"
            return _max_of_two(name, self._entrywise(written[0]), self._entrywise(written[1]))
        return None


def _max_of_two(name: str, a: Expr, b: Expr) -> Expr | None:
    """``\\max(a, b) = a + \\max(0, b - a)`` and ``\\min(a, b) = a - \\max(0, a - b)``,
    entry by entry, for a and b of one shape (differentiable wherever a ≠ b, as max(0, x) is
    where x ≠ 0); None for arguments of different shapes."""
    if a.shape != b.shape:
        return None
    if name == "max":
        return e.add(a, e.elem("relu", e.add(b, e.neg(a))))
    return e.add(a, e.neg(e.elem("relu", e.add(a, e.neg(b)))))


def plain_key(name: str) -> str:
    r"""The key of a plain letter held apart from its bold declaration: ``{\sigma}``."""
    return f"{{{name}}}"


def _every_entry(
    levels: list[tuple[tuple[str, ...] | None, t.BigOp]], index: tuple[str, ...], body: Expr
) -> None:
    r"""Refuse a sum over entries whose range is not every entry once: ``\sum_{i=2}^n x_i``
    (x ∈ ℝⁿ) leaves x_1 out and ``\sum_{i=0}^n x_i`` has n + 1 terms, so neither is
    ``\mathbf{1}^\top x``.  Read as every entry: no bounds, i = 1…n, or i = 0…n−1."""
    sizes = (body.rows, body.cols)
    for names, level in levels:
        for name in names or ():
            at = index.index(name)
            if at > 1 or (at == 1 and body.cols == ONE):
                continue
            why = _range_refusal(level, sizes[at])
            if why is not None:
                raise CalculusError(why)


def _range_refusal(level: t.BigOp, size: Dim) -> str | None:
    """Why the range of ``level`` is not 1…size (or 0…size−1); None where it is."""
    start: int | None = None
    lower = level.lower
    if isinstance(lower, t.Chain) and len(lower.items) == 2:
        first = lower.items[1]
        start = int(first.text) if isinstance(first, t.Number) and first.text.isdigit() else -1
    if level.upper is None and start in (None, 1):
        return None
    bound = dim_of(level.upper) if level.upper is not None else None
    if bound is not None and start in (None, 0, 1):
        count = sympy.expand(bound - (1 if start is None else start) + 1)
        if same(count, size):
            return None
    said = latex_of(level.lower) if level.lower is not None else ""
    upto = f"^{{{latex_of(level.upper)}}}" if level.upper is not None else ""
    return (
        f"the sum `\\sum_{{{said}}}{upto}` does not run over each of the {size} entries "
        f"once (1 to {size}, or 0 to {size} - 1): it is not read as the sum of every entry, "
        "and a part of the entries is not differentiated yet"
    )


def _member_then_transpose(node: t.Power) -> t.Tagged | None:
    r"""``W^{(2)\top}``, ``\mathbf{a}^{(l)T}`` (one superscript for the label and the
    transpose): the member ``W^{(2)}``, whose transpose the node is; None otherwise."""
    ex = node.exponent
    if not (isinstance(ex, t.Product) and len(ex.factors) == 2):
        return None
    label, mark = ex.factors
    if not isinstance(mark, t.Symbol) or mark.accents:
        return None
    spelled = mark.name if mark.font is None else f"\\{mark.font}{{{mark.name}}}"
    if TRANSPOSE_MARKS.get(spelled) is not False:  # (not H, \dagger: a conjugate)
        return None
    member = as_member(t.Power(node.base, label, start=node.start, end=label.end))
    return member if isinstance(member, t.Tagged) else None


def as_member(node: t.Node) -> t.Tagged | t.Sub | None:
    """A node that may name a member of a family: ``h_{t-1}``, ``W^{(1)}``, and ``W^{(l+1)}``
    (which the parser leaves a power of ``W``, its label having a sign); None otherwise."""
    if isinstance(node, t.Sub) or (isinstance(node, t.Tagged) and node.bracket):
        return node
    if not isinstance(node, t.Power):
        return None
    label = node.exponent
    if (
        isinstance(label, t.Paren)
        and label.open in ("(", "[")
        and label.body is not None
        and label_of(label.body) is not None
        and (key := symbol_key(node.base)) is not None
        and key[0] not in ("e", "\\exp")
    ):
        return t.Tagged(node.base, label.body, label.open, start=node.start, end=node.end,
                        from_macro=node.from_macro, span=node.span)  # fmt: skip
    return None


def _entrywise_marked(f: t.Func) -> str | None:
    r"""The function of ``\exp_{\odot}``, ``\log_{\circ}`` (a matrix function's name marked as
    applied entry by entry, as texgrad prints it of a square matrix); None for any other."""
    if (
        f.sup is not None
        or not isinstance(f.sub, t.Symbol)
        or f.sub.name not in ("\\odot", "\\circ")
    ):
        return None
    return FUNCTION_NAMES.get(f.name) if f.name in MATRIX_FUNCTION_NAMES else None


def _matrix_operation(name: str | None, x: Expr) -> Expr | None:
    """A function of a whole matrix or vector named by ``name`` (trace, determinant, diag,
    softmax, sum, matrix exponential, …), applied to ``x``; None for any other name."""
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
    if name == "vec":
        return e.vec(x)
    if name in ("adj", "adjugate"):  # of an invertible matrix, as sampled: det(X) X^{-1}
        return x if x.is_scalar else e.mul(e.det(x), e.inv(x))
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
    return None


def _quantity_before(f: t.Func, node: t.Apply, env: Env) -> bool:
    r"""``\mathrm{KL}\,\beta``: a quantity the document defines in upright letters (no
    parameters) before a factor without brackets, which it multiplies."""
    defined = env.functions.get(f.name)
    return defined is not None and not defined.params and not node.parens and f.sub is None


def _function_value(name: str, x: Expr) -> Expr:
    """A named scalar function of ``x``: of a square matrix, the matrix function when it has
    one; otherwise entrywise (``log det X`` stays the scalar log)."""
    fn = FUNCTION_NAMES[name]
    if functions_entrywise():  # the document says so: exp(-D/2ℓ²) of a Gram matrix
        return e.elem(fn, x)
    if name in MATRIX_FUNCTION_NAMES and not x.is_scalar and x.cols != ONE and same(x.rows, x.cols):
        return e.matfn(fn if fn != "log" else "log", x)
    if fn == "log" and isinstance(x, e.Det):
        return e.elem("log", x)
    return e.elem(fn, x)


# What each construct of the syntax tree is read by: a table built once, so that reading a
# node is one lookup (the tree's node classes have no subclasses, so its type is the key).
_READERS: dict[type[t.Node], Callable[[Lowerer, Any], Lowered]] = {
    t.Chain: Lowerer._chain,
    t.Unread: Lowerer._beyond,
    t.Func: Lowerer._named,
    t.Text: Lowerer._text,
    t.Symbol: Lowerer._symbol,
    t.Sub: Lowerer._symbol,
    t.Tagged: Lowerer._symbol,
    t.Number: Lowerer._number,
    t.Paren: Lowerer._paren,
    t.Add: Lowerer._add,
    t.Neg: Lowerer._neg,
    t.Product: Lowerer._product_node,
    t.BinOp: Lowerer._binop,
    t.Frac: Lowerer._frac,
    t.Power: Lowerer._power,
    t.Transpose: Lowerer._transpose,
    t.InverseTranspose: Lowerer._inverse_transpose,
    t.Prime: Lowerer._prime,
    t.Abs: Lowerer._abs,
    t.Norm: Lowerer._norm_node,
    t.Angle: Lowerer._angle,
    t.Sqrt: Lowerer._sqrt,
    t.Apply: Lowerer._apply,
    t.BigOp: Lowerer._bigop,
    t.Font: Lowerer._font,
    t.Delimited: Lowerer._delimited,
    t.Differential: Lowerer._differential,
    t.Cases: Lowerer._cases,
    t.Matrix: Lowerer._matrix,
    t.Nabla: Lowerer._already_derivative,
    t.Derivative: Lowerer._already_derivative,
    t.Partial: Lowerer._already_derivative,
}


def _ones_beside_matrix(p: Pending, shape: Expr) -> bool:
    r"""An unsized ``\mathbf{1}`` added to a matrix (``\mathbf{1} - H``, as the engine prints
    a matrix of ones): the matrix of ones of its shape, the one meaning such a sum has."""
    return p.what == "\\mathbf{1}" and p.rows is None and shape.cols != ONE and not shape.is_scalar


def _numbered_member(key: str, base: str) -> bool:
    """Is ``key`` a member of ``base``'s family with a number for label (``x_{0}``)?"""
    head, sep, rest = key.partition("_{")
    return bool(sep) and head == base and rest.endswith("}") and rest[:-1].isdigit()


def _lettered_members(variables: dict[str, VarInfo], base: str) -> tuple[str, ...]:
    """The labels, single letters but the usual ones, of the declared members of the family
    ``base`` (``b`` of ``\\mathbf{f}_b \\in \\mathbb{R}^d``, "action $b$ has the features")."""
    prefix = base + "_{"
    return tuple(
        label
        for k in variables
        if k.startswith(prefix)
        and len(label := k[len(prefix) : -1]) == 1
        and label.isalpha()
        and label not in SUBSCRIPT_LABELS
    )


def _under_another_label(
    base: str,
    tag: t.Node,
    declared: Callable[[str], Shape | None],
    numbered: list[str],
    lettered: tuple[str, ...] = (),
) -> Shape | None:
    r"""The shape of ``v_t`` where the family is declared under another letter (``\mathbf{v}_j
    \in \mathbb{R}^k``) or a number (the clean sample ``\mathbf{x}_0 \in \mathbb{R}^d`` of
    the noisy ``\mathbf{x}_t``: ``numbered``, those members' keys), one shape that does not
    depend on the label; None otherwise.  ``lettered``: the family's declared labels that
    are letters but the usual ones (``b`` of ``\mathbf{f}_b``): then ``\mathbf{f}_a``, any
    letter, is a member too."""
    label = label_of(tag)
    if label is None or label[1] != 0:
        return None
    letter_of = label[0] or ""
    if letter_of not in SUBSCRIPT_LABELS and not (
        lettered and len(letter_of) == 1 and letter_of.isalpha()
    ):
        return None
    shapes = []
    for letter in (*SUBSCRIPT_LABELS, *lettered, *numbered):
        if letter in numbered:
            s = declared(letter)
        else:
            s = declared(f"{base}_{{{letter}}}") if letter != label[0] else None
        if s is None:
            continue
        if any(
            getattr(x, "name", None) == letter for d in (s.rows, s.cols) for x in d.free_symbols
        ):
            return None
        shapes.append(s)
    return shapes[0] if shapes and all(s == shapes[0] for s in shapes) else None


def _other_letter(written: str, info: VarInfo, size: sympy.Expr) -> bool:
    r"""Whether the entries listed as ``written`` (``w`` of ``w_1, \dots, w_n``) are another
    letter than the declared vector ``info`` (``\mathbf w \in \mathbb{R}^d``): written in
    another font, and of another length (else they are its entries, as read before)."""
    if _flat(written) == _flat(info.latex):
        return False
    return info.shape.cols != ONE or not same(size, info.shape.rows)


def _flat(latex: str) -> str:
    return "".join(latex.split()).replace("{", "").replace("}", "")


def _symmetric_by_form_through(
    fdef: FunctionDef, functions: Mapping[str, FunctionDef], seen: set[str]
) -> bool:
    """:func:`~texgrad.shapes.properties.symmetric_by_form` of ``fdef``'s body, the names it
    uses that are defined (without parameters) so, however deep, counted symmetric."""
    seen.add(fdef.key)
    named = {
        k for k in sorted(fdef.names - seen)
        if (d := functions.get(k)) is not None and not d.params and len(seen) < 8
        and _symmetric_by_form_through(d, functions, seen)
    }  # fmt: skip
    return symmetric_by_form(fdef.body, named)


def _symmetric_value(value: Expr) -> bool:
    r"""Whether a defined name's value is symmetric by its form (``\operatorname{diag}(d)``,
    ``A^\top A``, ``A S A^\top``): its transpose simplifies to itself."""
    return value.rows == value.cols and not value.is_scalar and e.transpose(value) == value


def _tagged_by(summand: t.Node, index: tuple[str, ...]) -> t.Tagged | None:
    r"""A member ``\bm{x}^{(i)}`` of the summand labelled by the sum's index, if any."""
    for node in summand.walk():
        if isinstance(node, t.Tagged):
            label = label_of(node.tag)
            if label is not None and label[0] in index:
                return node
    return None


def _broadcast(terms: list[Expr], node: t.Add, env: Env) -> None:
    r"""Refuse a sum that adds a row or a column along a matrix (``X - \mu^\top`` with X n×d,
    ``XW + b``) as :func:`dims.broadcasts` reads it — the rule by which ``check`` leaves it
    alone — saying so: NumPy-style broadcasting, not a matrix expression, and no error (an
    identity, ``A\mathbf{1}_n + I_n``, is no broadcast: that sum is refused as mismatched)."""
    arrays = [x for x in terms if not x.is_scalar]
    first = arrays[0] if arrays else None
    plain = written_plainly(node, lambda key: key[0] in env.vars or key[0] in env.functions)
    for x in arrays[1:]:
        if first is None or (same(x.rows, first.rows) and same(x.cols, first.cols)):
            continue
        for small, big in ((x, first), (first, x)):
            if broadcast_verdict(small.shape, big.shape, plain) and not _identity(big):
                row = small.rows == ONE
                raise Broadcast(
                    f"`{latex_of(node)}` relies on broadcasting (NumPy-style): it adds a "
                    f"{'row' if row else 'column'} ({small.shape.short()}) to every "
                    f"{'row' if row else 'column'} of a {big.shape.short()} matrix. That is "
                    "not a matrix expression, so texgrad does not differentiate it; as one, "
                    + (
                        r"the row is \mathbf{1} times it"
                        if row
                        else r"the column is it times \mathbf{1}^\top"
                    )
                )
        return


def _identity(x: Expr) -> bool:
    r"""``I_n``, ``-\lambda I_n``: an identity, or a multiple of it."""
    if isinstance(x, e.Mul):
        return any(isinstance(f, e.Identity) for f in x.factors)
    return isinstance(x, e.Identity)
