r"""The calculus engine's own algebra: typed matrix expressions with known shapes.

The syntax tree says how a formula is *written*; this module says what it *means*:
every node has a shape (sympy dimensions), and the constructors (:func:`add`,
:func:`mul`, :func:`tr` …) keep expressions in a light canonical form so that
equal things compare equal — products flattened with the number in front,
transposes pushed down to symbols, zeros dropped, ``(A^\top)^\top = A``,
``A^\top = A`` for a symmetric ``A``.  Deeper rewriting (expanding, collecting
like terms, factoring) lives in :mod:`texgrad.calculus.simplify`.

A 1×1 value is a scalar wherever it stands: in a :class:`Mul` every 1×1 factor
scales, and the other factors form one conformable matrix chain, so
``x^\top y\, z`` (a scalar times ``z``) and ``A x`` (a chain) are both products.

The node classes and their constructors stay in one file although it is long: they are
one algebra, every engine module reads them as ``e.Mul`` / ``e.mul``, and the constructors
call each other to keep the canonical form (a transpose of a product is a product of
transposes, a power of a Gram product a norm, an inverse of a scaled matrix a scaled
inverse).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields

import sympy

from texgrad.calculus.sympy_dims import Dim, Shape, same, sympy_shape

__all__ = ["same"]

ONE = sympy.Integer(1)
ZERO_N = sympy.Integer(0)


def _is_one(d: object) -> bool:
    """``d == 1`` for a dimension, without sympy's comparison in the common cases (1 is
    a singleton; a symbol is never 1): the engine asks this very often."""
    return d is ONE or (not isinstance(d, sympy.Symbol) and d == ONE)


class CalculusError(Exception):
    """A construct the engine cannot handle, with a message for the user."""


class ShapeError(CalculusError):
    """Operands whose shapes do not fit (the expression itself is ill-formed)."""


class Broadcast(ShapeError):
    """A sum that adds a row or a column along a matrix (``X - \\mu``, ``XW + b``): NumPy-style
    broadcasting, which ``check`` leaves alone (``dims.broadcasts``, the one rule) — not a
    matrix expression, so not differentiated, and not called an error."""


class UnknownShape(CalculusError):
    """A symbol the document gives no shape (``node``: its syntax tree, to tell from its use
    what to suggest declaring; see :mod:`texgrad.calculus.reasons`)."""

    def __init__(self, node: object, written: str) -> None:
        super().__init__(
            f"the shape of `{written}` is unknown: declare it (e.g. `{written} \\in \\mathbb{{R}}^n`)"
        )
        self.node = node
        self.written = written


@dataclass(frozen=True, slots=True, kw_only=True)
class Expr:
    rows: Dim = field(default=ONE)
    cols: Dim = field(default=ONE)
    # the hash, computed at its first use (0: not yet; see _remember_hashes)
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    @property
    def shape(self) -> Shape:
        return Shape(self.rows, self.cols)

    @property
    def is_scalar(self) -> bool:
        return _is_one(self.rows) and _is_one(self.cols)

    @property
    def is_vector(self) -> bool:
        return _is_one(self.cols) and not _is_one(self.rows)

    def children(self) -> Iterator[Expr]:
        return iter(self._children())

    def _children(self) -> list[Expr]:
        out: list[Expr] = []
        for name in _child_fields(type(self)):
            v = getattr(self, name)
            if isinstance(v, Expr):
                out.append(v)
            elif isinstance(v, tuple):
                out.extend(x for x in v if isinstance(x, Expr))
        return out

    def walk(self) -> Iterator[Expr]:
        """This expression and all its parts, depth first, in order."""
        stack: list[Expr] = [self]
        while stack:
            x = stack.pop()
            yield x
            kids = x._children()
            kids.reverse()
            stack.extend(kids)


# The fields of each class that may hold parts (``dataclasses.fields`` per node is slow).
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in fields(cls) if f.name not in ("rows", "cols", "_hash"))
        _CHILD_FIELDS[cls] = names
    return names


# -- leaves ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Var(Expr):
    """A symbol of the document, by its key (``x`` for ``\\mathbf{x}``)."""

    name: str
    symmetric: bool = False


@dataclass(frozen=True, slots=True)
class Num(Expr):
    value: sympy.Expr  # a rational (or e, π)


@dataclass(frozen=True, slots=True)
class Identity(Expr):
    pass


@dataclass(frozen=True, slots=True)
class Commutation(Expr):
    """The commutation matrix ``K_{mn}`` (mn×mn): ``K_{mn} vec(X) = vec(Xᵀ)`` for an m×n X."""

    m: Dim = ONE
    n: Dim = ONE


@dataclass(frozen=True, slots=True)
class Ones(Expr):
    """The all-ones vector ``\\mathbf{1}`` (or matrix)."""


@dataclass(frozen=True, slots=True)
class Zero(Expr):
    pass


@dataclass(frozen=True, slots=True)
class D(Expr):
    """The differential ``\\mathrm{d}X`` of a variable."""

    var: Var


# -- operations -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Add(Expr):
    terms: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Mul(Expr):
    factors: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class T(Expr):
    """Transpose."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class Inv(Expr):
    arg: Expr


@dataclass(frozen=True, slots=True)
class Tr(Expr):
    arg: Expr


@dataclass(frozen=True, slots=True)
class Det(Expr):
    arg: Expr


@dataclass(frozen=True, slots=True)
class Pow(Expr):
    """A power: of a scalar, or a matrix power of a square matrix (integer or rational)."""

    arg: Expr
    exp: sympy.Expr


@dataclass(frozen=True, slots=True)
class Elem(Expr):
    """An elementwise function (of a scalar, a vector or a matrix)."""

    fn: str
    arg: Expr


@dataclass(frozen=True, slots=True)
class Had(Expr):
    """Hadamard (elementwise) product."""

    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class HPow(Expr):
    """Elementwise power; ``HPow(x, -1)`` is the elementwise reciprocal."""

    arg: Expr
    exp: sympy.Expr


@dataclass(frozen=True, slots=True)
class Kron(Expr):
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class DiagM(Expr):
    """``\\operatorname{diag}(v)``: the diagonal matrix of a vector."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class DiagV(Expr):
    """``\\operatorname{diag}(X)``: the vector of a matrix's diagonal."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class MatFn(Expr):
    """A matrix function of a square matrix: exp, log, sin, cos, sqrt."""

    fn: str
    arg: Expr


@dataclass(frozen=True, slots=True)
class ExpFrechet(Expr):
    r"""``\int_0^1 e^{sX} E e^{(1-s)X} ds``: the differential of ``e^X`` in direction E."""

    arg: Expr
    direction: Expr


@dataclass(frozen=True, slots=True)
class Softmax(Expr):
    arg: Expr


@dataclass(frozen=True, slots=True)
class Vec(Expr):
    r"""``\operatorname{vec}(X)``: the columns of X stacked into one column."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class Unvec(Expr):
    r"""``\operatorname{vec}^{-1}(y)``: a column of length rows·cols read back as a
    rows×cols matrix, column by column (the inverse of :class:`Vec`)."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class LSE(Expr):
    """log-sum-exp of a vector."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class Norm(Expr):
    """``\\|x\\|_2`` of a vector, ``\\|X\\|_F`` of a matrix, ``\\|x\\|_1``."""

    arg: Expr
    p: str  # "2", "F", "1"


@dataclass(frozen=True, slots=True)
class Piecewise(Expr):
    r"""``\begin{cases} v_1 & a_1 \le b_1 \\ v_2 & \text{otherwise} \end{cases}``: the value
    of the first row whose condition ``lefts[i] ops[i] rights[i]`` holds (1×1 sides; the
    op ``""`` always holds: otherwise)."""

    values: tuple[Expr, ...]
    lefts: tuple[Expr, ...]
    rights: tuple[Expr, ...]
    ops: tuple[str, ...]  # "<", "<=", ">", ">=", or "" for otherwise


@dataclass(frozen=True, slots=True)
class Template:
    r"""A function of one number as a document defines it (``\phi(z) = \log(1 + z^2)``): its
    ``body``, a 1×1 expression of the 1×1 variable ``param`` and of no other variable; ``primes``
    counts the derivatives taken (the body is then the derivative's).  Not an expression
    itself: its body is no part of the expressions that apply it."""

    name: str  # its key (``\phi``)
    latex: str  # as the document writes it (``\phi``, ``\operatorname{swish}``)
    param: str
    body: Expr
    primes: int = 0
    consts: tuple[Var, ...] = ()  # the other variables of its body (Huber's δ): constants
    known: str = ""  # the elementwise function its body is ("sigma" for s(t) = 1/(1+e^{-t}))
    # the function the text names its derivative (the normal CDF Φ's density φ), or None
    derivative: Template | None = None


@dataclass(frozen=True, slots=True)
class Applied(Expr):
    """A function the document defines on numbers (:class:`Template`), applied to each entry
    of ``arg``."""

    fn: Template
    arg: Expr
    given: tuple[Expr, ...] = ()  # the values of its constants (``fn.consts``), in order


def _remember_hashes(cls: type) -> None:
    """Each expression class's hash computed once per expression, then kept: an expression
    is a key of the engine's memos at every level of its simplification, and the hash the
    dataclass makes hashes every part again (and sympy's dimensions) at each look-up.  The
    kept hash is not pickled (a string's hash differs from process to process)."""
    sub: type
    for sub in cls.__subclasses__():
        made, setstate = sub.__dict__.get("__hash__"), sub.__dict__.get("__setstate__")
        if made is not None and setstate is not None:  # (a class before slots were added: none)
            setattr(sub, "__hash__", _kept_hash(made))  # noqa: B010 - a class's method replaced
            setattr(sub, "__setstate__", _fresh_state(setstate))  # noqa: B010
        _remember_hashes(sub)


def _kept_hash(made: Callable[[Expr], int]) -> Callable[[Expr], int]:
    def __hash__(self: Expr) -> int:
        h = self._hash
        if not h:
            h = made(self) or 1  # (0 means "not yet")
            object.__setattr__(self, "_hash", h)
        return h

    return __hash__


def _fresh_state(setstate: Callable[[Expr, object], None]) -> Callable[[Expr, object], None]:
    def __setstate__(self: Expr, state: object) -> None:
        setstate(self, state)
        object.__setattr__(self, "_hash", 0)

    return __setstate__


_remember_hashes(Expr)

RELATIONS = ("<", "<=", ">", ">=", "")


ELEMENTWISE = frozenset(
    {"exp", "log", "sin", "cos", "tanh", "sigma", "relu", "abs", "sqrt", "softplus",
     "sign", "step", "tan", "sinh", "cosh", "arctan", "erf"}
)  # fmt: skip
MATRIX_FUNCTIONS = frozenset({"exp", "log", "sin", "cos", "sqrt"})


# -- constructors: shapes checked, light canonical form --------------------------------


def num(value: object) -> Num:
    return Num(sympy.nsimplify(value) if isinstance(value, float) else sympy.sympify(value))


def var(name: str, shape: Shape, symmetric: bool = False) -> Var:
    shape = sympy_shape(shape)  # (a declaration's: see calculus/sympy_dims.py)
    return Var(name, symmetric, rows=shape.rows, cols=shape.cols)


def identity(n: Dim) -> Identity:
    return Identity(rows=n, cols=n)


def commutation(m: Dim, n: Dim) -> Commutation:
    """``K_{mn}``, with ``K_{mn} vec(X) = vec(Xᵀ)`` for an m×n X."""
    return Commutation(m, n, rows=m * n, cols=m * n)


def ones(rows: Dim, cols: Dim = ONE) -> Ones:
    return Ones(rows=rows, cols=cols)


def zero(rows: Dim, cols: Dim) -> Zero:
    return Zero(rows=rows, cols=cols)


def d(v: Var) -> D:
    return D(v, rows=v.rows, cols=v.cols)


def is_zero(e: Expr) -> bool:
    return isinstance(e, Zero) or (isinstance(e, Num) and e.value == 0)


def is_one(e: Expr) -> bool:
    return isinstance(e, Num) and e.value == 1


def _shape_text(e: Expr) -> str:
    return e.shape.short()


def add(*terms: Expr) -> Expr:
    """A sum; nested sums flattened, zeros dropped, numbers added up."""
    flat: list[Expr] = []
    for x in terms:
        flat.extend(x.terms if isinstance(x, Add) else (x,))
    rows = cols = None
    for x in flat:
        if rows is None:
            rows, cols = x.rows, x.cols
        elif not (same(rows, x.rows) and same(cols, x.cols)):
            raise ShapeError(f"cannot add a {rows}×{cols} and a {_shape_text(x)}")
    if rows is None:
        return num(0)
    total = sympy.Integer(0)
    kept: list[Expr] = []
    for x in flat:
        if isinstance(x, Num):
            total += x.value
        elif not is_zero(x):
            kept.append(x)
    if total != 0:
        kept.insert(0, num(total))
    if not kept:
        return num(0) if rows == ONE and cols == ONE else zero(rows, cols)
    if len(kept) == 1:
        return kept[0]
    return Add(tuple(kept), rows=rows, cols=cols)


def neg(e: Expr) -> Expr:
    return mul(num(-1), e)


def sub(a: Expr, b: Expr) -> Expr:
    return add(a, neg(b))


def chain_shape(factors: list[Expr] | tuple[Expr, ...]) -> tuple[Dim, Dim]:
    """The shape of a product: 1×1 factors scale, the rest multiply as matrices.

    A chain whose running product becomes 1×1 (``x^\\top y``) is a scalar from
    there on, so ``x^\\top y\\, z`` is a scalar times ``z``.
    """
    acc: tuple[Dim, Dim] | None = None
    for f in factors:
        if f.is_scalar:
            continue
        if acc is None or (_is_one(acc[0]) and _is_one(acc[1])):
            acc = (f.rows, f.cols)
        elif acc[1] is f.rows or same(acc[1], f.rows):
            acc = (acc[0], f.cols)
        else:
            raise ShapeError(
                f"cannot multiply a {acc[0]}×{acc[1]} by a {_shape_text(f)}: "
                f"inner dimensions {acc[1]} and {f.rows} differ"
            )
    return acc or (ONE, ONE)


def negative(v: sympy.Expr) -> bool:
    """Whether a coefficient is written with a minus: ``-2``, and ``-1/(n-1)`` whose sign
    SymPy cannot decide (a comparison ``v < 0`` would raise on it)."""
    sign = v.is_negative
    if sign is not None:
        return bool(sign)
    return bool(v.could_extract_minus_sign())


def mul(*factors: Expr) -> Expr:
    """A product; nested products flattened, numbers multiplied into one leading
    :class:`Num`, identities dropped, zero absorbing."""
    flat, (rows, cols) = _flatten(factors)
    i = 0
    while i < len(flat) - 1:  # 1^T 1 = n
        a, b = flat[i], flat[i + 1]
        if (
            isinstance(a, Ones)
            and isinstance(b, Ones)
            and a.rows == ONE
            and b.cols == ONE
            and same(a.cols, b.rows)
        ):  # (not the number 1 = 1_{1×1} before a column of ones: that scales it)
            flat[i : i + 2] = [num(a.cols)]
        i += 1
    coef = sympy.Integer(1)
    kept: list[Expr] = []
    for x in flat:
        if isinstance(x, Num):
            coef *= x.value
        elif is_zero(x):
            return num(0) if rows == ONE and cols == ONE else zero(rows, cols)
        elif isinstance(x, Identity) or (isinstance(x, Ones) and x.rows == x.cols == ONE):
            continue  # (I, and 1 = \mathbf{1} of one entry: the number 1)
        else:
            kept.append(x)
    if coef == 0:
        return num(0) if rows == ONE and cols == ONE else zero(rows, cols)
    if not kept:
        if rows == ONE and cols == ONE:
            return num(coef)
        base: Expr = identity(rows)
        return base if coef == 1 else Mul((num(coef), base), rows=rows, cols=cols)
    # what is left must still have the product's shape (I dropped from I·x^T y)
    if chain_shape(kept) != (rows, cols):
        kept.append(identity(rows))
    if coef != 1:
        kept.insert(0, num(coef))
    if len(kept) == 1:
        return kept[0]
    return Mul(tuple(kept), rows=rows, cols=cols)


def _flatten(factors: tuple[Expr, ...]) -> tuple[list[Expr], tuple[Dim, Dim]]:
    """The factors of a product with nested products flattened, and its shape."""
    flat: list[Expr] = []
    for x in factors:
        if isinstance(x, Mul) and not _scalar_group_breaks(x):
            flat.extend(x.factors)
        else:
            flat.append(x)
    try:
        return flat, chain_shape(flat)
    except ShapeError:
        # a scalar written as a product (1^T x) inside a chain (a^T μ b with μ = 1^T x,
        # or 1^T x 1): it scales, so it goes first, where its running product is its own
        front: list[Expr] = []
        rest: list[Expr] = []
        for x in factors:
            fs = x.factors if isinstance(x, Mul) else (x,)
            k = _scalar_prefix(fs)
            front.extend(fs[:k])
            rest.extend(fs[k:])
        if not front:
            raise
        return front + rest, chain_shape(front + rest)


def _scalar_prefix(factors: tuple[Expr, ...]) -> int:
    r"""How many leading factors make a scalar (``1^T x`` of ``1^T x\, 1``): 0 if none."""
    end = 0
    for i in range(len(factors)):
        try:
            rows, cols = chain_shape(factors[: i + 1])
        except ShapeError:
            break
        if _is_one(rows) and _is_one(cols):
            end = i + 1
    return end


def _scalar_group_breaks(m: Mul) -> bool:
    """Whether flattening a nested product would change its meaning: never, since
    1×1 factors and 1×1 running products both scale (see :func:`chain_shape`)."""
    return False


def transpose(e: Expr) -> Expr:
    """``e^\\top``, pushed down to symbols: ``(AB)^\\top = B^\\top A^\\top``."""
    if e.is_scalar and not isinstance(e, (Mul,)):
        return e
    if isinstance(e, Var):
        return e if e.symmetric else T(e, rows=e.cols, cols=e.rows)
    if isinstance(e, T):
        return e.arg
    if isinstance(e, (Identity, Zero, Ones)):
        return type(e)(rows=e.cols, cols=e.rows)
    if isinstance(e, Add):
        return add(*(transpose(x) for x in e.terms))
    if isinstance(e, Mul):
        return _transpose_product(e)
    if isinstance(e, Inv):
        return inv(transpose(e.arg))
    if isinstance(e, (Had,)):
        return had(*(transpose(x) for x in e.args))
    if isinstance(e, (Elem, HPow)):
        return _same_op(e, transpose(e.arg))
    if isinstance(e, Pow):
        return _transpose_power(e)
    if isinstance(e, MatFn):
        return matfn(e.fn, transpose(e.arg))
    if isinstance(e, DiagM):
        return e
    if isinstance(e, Piecewise):
        return piecewise(tuple(transpose(v) for v in e.values), e.lefts, e.rights, e.ops)
    if isinstance(e, Kron):
        return kron(transpose(e.left), transpose(e.right))
    return T(e, rows=e.cols, cols=e.rows)  # D (a differential) and the rest: marked transposed


def _transpose_product(e: Mul) -> Expr:
    """A product transposed: a product of scalars is itself, else the factors reorder
    (see :func:`_transpose_order`) and each is transposed."""
    if e.is_scalar and all(f.is_scalar for f in e.factors):
        return e
    return mul(*(transpose(x) for x in _transpose_order(e.factors)))


def _transpose_power(e: Pow) -> Expr:
    """A matrix power transposed: itself when its base is symmetric, else marked transposed."""
    if e.is_scalar or transpose(e.arg) == e.arg:
        return e  # a power of a symmetric matrix ((X^T X)^{1/2}) is symmetric
    return T(e, rows=e.cols, cols=e.rows)


def _transpose_order(factors: tuple[Expr, ...]) -> list[Expr]:
    r"""The factors of a transposed product, each to be transposed: scalars stay in front,
    the chain reverses.  A run of the chain that is 1×1 before the product ends
    (``w^\top x`` in ``w^\top x\, \mathbf{1}``) scales: it reverses within itself
    and stays in front."""
    scalars = [f for f in factors if f.is_scalar]
    chain = [f for f in factors if not f.is_scalar]
    if _reversible(chain):  # A x, x^T y, x^T 1 1^T: the whole chain reverses
        return scalars + list(reversed(chain))
    groups: list[list[Expr]] = []
    run: list[Expr] = []
    for f in chain:
        run.append(f)
        if chain_shape(run) == (ONE, ONE):
            groups.append(run)
            run = []
    rest = run
    if not rest or not groups:  # x^T y (all of it scalar), or A x: the whole chain reverses
        return scalars + list(reversed(chain))
    out = list(scalars)
    for g in groups:
        out.extend(reversed(g))
    return out + list(reversed(rest))


def _reversible(chain: list[Expr]) -> bool:
    r"""Whether the transposes of the chain's factors, in reverse order, still multiply
    (they do unless a 1×1 run inside the chain only scales, as ``w^\top x`` in
    ``w^\top x\, \mathbf{1}``)."""
    acc: tuple[Dim, Dim] | None = None
    for f in reversed(chain):
        rows, cols = f.cols, f.rows
        if acc is None or (_is_one(acc[0]) and _is_one(acc[1])):
            acc = (rows, cols)
        elif acc[1] is rows or same(acc[1], rows):
            acc = (acc[0], cols)
        else:
            return False
    return True


def _same_op(e: Elem | HPow, arg: Expr) -> Expr:
    if isinstance(e, Elem):
        return elem(e.fn, arg)
    return hpow(arg, e.exp)


def _square(e: Expr, what: str) -> None:
    if not same(e.rows, e.cols):
        raise ShapeError(f"{what} needs a square matrix, not a {_shape_text(e)}")


def inv(e: Expr) -> Expr:
    _square(e, "an inverse")
    if e.is_scalar:
        return power(e, -1)
    if isinstance(e, Inv):
        return e.arg
    if isinstance(e, Identity):
        return e
    if isinstance(e, Pow) and not e.exp.is_integer:
        return power(e.arg, -e.exp)  # (X^{1/2})^{-1} = X^{-1/2}
    if isinstance(e, DiagM):
        return diag_matrix(hpow(e.arg, -1))  # diag(v)^{-1} = diag(v^{∘-1})
    if isinstance(e, Mul) and isinstance(e.factors[0], Num) and len(e.factors) == 2:
        return mul(num(1 / e.factors[0].value), inv(e.factors[1]))
    if isinstance(e, Mul) and any(f.is_scalar for f in e.factors):
        # (sR)^{-1} = s^{-1}R^{-1}: the scale comes out (the GP evidence by a signal variance)
        scale = [f for f in e.factors if f.is_scalar]
        rest = [f for f in e.factors if not f.is_scalar]
        return mul(power(mul(*scale), -1), inv(mul(*rest)))
    return Inv(e, rows=e.rows, cols=e.cols)


def tr(e: Expr) -> Expr:
    _square(e, "a trace")
    if e.is_scalar:
        return e
    if isinstance(e, Identity):
        return num(e.rows)  # tr(I_n) = n
    if isinstance(e, Add):
        return add(*(tr(x) for x in e.terms))
    if isinstance(e, Mul):
        scalars = [f for f in e.factors if f.is_scalar]
        chain = [f for f in e.factors if not f.is_scalar]
        if scalars and chain:
            return mul(*scalars, tr(mul(*chain)))
        if len(chain) >= 2 and chain_shape(chain[1:] + chain[:1]) == (ONE, ONE):
            # tr(x y^T) = y^T x
            return mul(*(chain[1:] + chain[:1]))
    if isinstance(e, T):
        return tr(e.arg)
    if isinstance(e, Kron) and same(e.left.rows, e.left.cols):
        return mul(tr(e.left), tr(e.right))  # tr(A ⊗ B) = tr A tr B
    if isinstance(e, Zero):
        return num(0)
    if isinstance(e, Identity):
        return Tr(e, rows=ONE, cols=ONE) if not e.rows.is_number else num(e.rows)
    return Tr(e, rows=ONE, cols=ONE)


def det(e: Expr) -> Expr:
    _square(e, "a determinant")
    if e.is_scalar:
        return e
    if isinstance(e, T):
        return det(e.arg)
    lemma = _determinant_lemma(e)
    if lemma is not None:
        return lemma
    return Det(e, rows=ONE, cols=ONE)


def _determinant_lemma(e: Expr) -> Expr | None:
    """det(I + c u vᵀ) = 1 + c vᵀu (the matrix determinant lemma); None for another matrix."""
    if not (isinstance(e, Add) and len(e.terms) == 2):
        return None
    ident, outer = e.terms if isinstance(e.terms[0], Identity) else e.terms[::-1]
    if not (isinstance(ident, Identity) and isinstance(outer, Mul)):
        return None
    chain = [f for f in outer.factors if not f.is_scalar]
    if len(chain) != 2 or chain[0].cols != ONE or chain[1].rows != ONE:
        return None
    scalars = [f for f in outer.factors if f.is_scalar]
    return add(num(1), mul(*scalars, chain[1], chain[0]))


def power(e: Expr, p: object) -> Expr:
    """A power: scalar, or matrix power of a square matrix."""
    exp = sympy.nsimplify(p) if isinstance(p, float) else sympy.sympify(p)
    if exp == 1:
        return e
    if not e.is_scalar:
        _square(e, "a matrix power")
        if exp == 0:
            return identity(e.rows)
        if exp == -1:
            return inv(e)
    elif exp == 0:
        return num(1)
    else:
        base = gram_base(e)
        if base is not None:  # (x^T x)^{1/2} = ‖x‖₂, tr(X^T X)^{-2} = ‖X‖_F^{-4}
            return power(norm(base, "2" if base.cols == ONE else "F"), 2 * exp)
    if isinstance(e, Num):
        value = e.value**exp
        exact = bool(value.is_number and exp.is_integer and not value.free_symbols)  # 1/(2π)
        if (
            value.is_Rational
            or value in (sympy.E, sympy.pi)
            or exact
            or _dimension_number(value, exp)
        ):
            return num(value)
    if isinstance(e, Pow) and (e.is_scalar or (exp.is_integer and e.exp.is_integer)):
        return power(e.arg, e.exp * exp)
    if e.is_scalar and isinstance(e, Mul) and isinstance(e.factors[0], Num):
        c = e.factors[0].value
        if c > 0:
            return mul(power(e.factors[0], exp), power(mul(*e.factors[1:]), exp))
    if (
        e.is_scalar
        and isinstance(e, Mul)
        and exp.is_integer
        and all(f.is_scalar for f in e.factors)
        and any(isinstance(f, Pow) for f in e.factors)
    ):  # (a b^{-1})^{-1} = a^{-1} b, so that quotients cancel
        return mul(*(power(f, exp) for f in e.factors))
    return Pow(e, exp, rows=e.rows, cols=e.cols)


def gram_base(x: Expr) -> Expr | None:
    """a for aᵀa (a vector) and A for tr(AᵀA); None otherwise."""
    if isinstance(x, Tr):
        x = x.arg
    elif not x.is_scalar:
        return None  # x xᵀ is not a squared norm
    if not isinstance(x, Mul) or any(f.is_scalar for f in x.factors):
        return None
    n = len(x.factors)
    if n % 2:
        return None
    first, second = mul(*x.factors[: n // 2]), mul(*x.factors[n // 2 :])
    return second if transpose(first) == second else None


def _dimension_number(value: sympy.Expr, exp: sympy.Expr) -> bool:
    """``1/(2n)``: an integer power of a number made of dimensions (positive symbols)."""
    return bool(
        exp.is_integer
        and value.free_symbols
        and all(getattr(x, "is_positive", False) for x in value.free_symbols)
    )


def elem(fn: str, e: Expr) -> Expr:
    if fn not in ELEMENTWISE:
        raise CalculusError(f"unknown elementwise function `{fn}`")
    if isinstance(e, Num) and fn in ("exp", "log") and e.value in (0, 1, sympy.E):
        if fn == "exp" and e.value == 0:
            return num(1)
        if fn == "log" and e.value == 1:
            return num(0)
        if fn == "log" and e.value == sympy.E:
            return num(1)
    if fn == "log" and isinstance(e, Elem) and e.fn == "exp":
        return e.arg
    if isinstance(e, Elem) and e.fn == "relu" and fn in ("sign", "step", "abs", "relu"):
        # relu(u) ≥ 0, and > 0 exactly where u is: sign(relu(u)) = 1[relu(u) > 0] = 1[u > 0]
        return e if fn in ("abs", "relu") else Elem("step", e.arg, rows=e.rows, cols=e.cols)
    if (
        fn == "log"
        and isinstance(e, Mul)
        and len(e.factors) == 2
        and isinstance(e.factors[0], Ones)
        and isinstance(e.factors[1], Elem)
        and e.factors[1].fn == "exp"
        and e.factors[1].cols == ONE
    ):
        return lse(e.factors[1].arg)  # log 1ᵀ exp(z): log-sum-exp
    if fn == "log" and isinstance(e, Add) and len(e.terms) == 2:
        one, other = e.terms
        if (
            isinstance(one, (Num, Ones, Mul))
            and _is_ones_like(one)
            and isinstance(other, Elem)
            and other.fn == "exp"
        ):
            return elem("softplus", other.arg)  # log(1 + e^z): softplus
    return Elem(fn, e, rows=e.rows, cols=e.cols)


def had(*args: Expr) -> Expr:
    """Hadamard product: scalar operands and factors scale; powers of one base add up
    (``s \\odot s^{\\circ -1}`` cancels)."""
    flat: list[Expr] = []
    scalars: list[Expr] = []
    for x in args:
        if isinstance(x, Mul) and not x.is_scalar:
            x = _scaling_out(x, scalars)  # (c A) ⊙ B = c (A ⊙ B), (x^T x 1) ⊙ B = x^T x B
        if isinstance(x, Had):
            flat.extend(x.args)
        elif x.is_scalar:
            scalars.append(x)
        else:
            flat.append(x)
    if not flat:
        return mul(*scalars)
    for x in flat[1:]:
        if not (same(x.rows, flat[0].rows) and same(x.cols, flat[0].cols)):
            raise ShapeError(
                f"elementwise operands differ: {_shape_text(flat[0])} and {_shape_text(x)}"
            )
    rows, cols = flat[0].rows, flat[0].cols
    if any(is_zero(x) for x in flat):
        return zero(rows, cols)
    powers: dict[Expr, sympy.Expr] = {}
    for x in flat:
        if isinstance(x, Ones) or _all_ones(x):
            continue  # 1 1^T ⊙ A = A
        base, p = (x.arg, x.exp) if isinstance(x, HPow) else (x, sympy.Integer(1))
        powers[base] = powers.get(base, sympy.Integer(0)) + p
    fold_quotients(powers)  # sinh(u) ⊙ cosh(u)^{∘-1} = tanh(u)
    fold_indicators(powers)  # relu(u) ⊙ 1[u > 0] = relu(u)
    fold_softmax(powers)  # ((e^Z 1)^{∘-1} 1ᵀ) ⊙ e^Z = softmax(Z), row by row
    kept = [hpow(b, p) for b, p in powers.items() if p != 0]
    if not kept:
        core: Expr = ones(rows, cols)
    elif len(kept) == 1:
        core = kept[0]
    else:
        core = Had(tuple(kept), rows=rows, cols=cols)
    return mul(*scalars, core) if scalars else core


def _scaling_out(x: Mul, scalars: list[Expr]) -> Expr:
    r"""A product's scalar factors and its leading 1×1 groups (``x^\top x`` of
    ``x^\top x\, \mathbf{1}``) moved to ``scalars``; the rest of the product returned."""
    factors = [f for f in x.factors if not f.is_scalar]
    scalars.extend(f for f in x.factors if f.is_scalar)
    k = _scalar_prefix(tuple(factors))
    while 0 < k < len(factors):
        scalars.append(mul(*factors[:k]))
        factors = factors[k:]
        k = _scalar_prefix(tuple(factors))
    # and a trailing one after a column (1 (x^\top y) ⊙ B = (x^\top y) B: 1·s is s times 1)
    if len(factors) > 2 and factors[0].cols == ONE and factors[1].rows == ONE:
        rest = mul(*factors[1:])
        if rest.is_scalar:
            scalars.append(rest)
            factors = factors[:1]
    return mul(*factors) if len(factors) != len(x.factors) else x


_QUOTIENTS = (("sinh", "cosh", "tanh"), ("sin", "cos", "tan"))


def fold_quotients(powers: dict[Expr, sympy.Expr]) -> None:
    """In a product of powers (by base), sinh(u)^k cosh(u)^{-k} → tanh(u)^k and
    sin(u)^k cos(u)^{-k} → tan(u)^k."""
    for num_fn, den_fn, quotient in _QUOTIENTS:
        for base in list(powers):
            if isinstance(base, Elem) and base.fn == num_fn and base in powers:
                other = Elem(den_fn, base.arg, rows=base.rows, cols=base.cols)
                k = powers[base]
                if k > 0 and powers.get(other, 0) == -k:
                    del powers[base], powers[other]
                    q = Elem(quotient, base.arg, rows=base.rows, cols=base.cols)
                    powers[q] = powers.get(q, sympy.Integer(0)) + k


def fold_indicators(powers: dict[Expr, sympy.Expr]) -> None:
    """In a Hadamard product of powers (by base), 1[u > 0]^k (k > 0) beside relu(u)^j
    (j > 0) is 1: relu(u) is 0 where the indicator is, and the indicator 1 elsewhere; alone,
    1[u > 0]^k is 1[u > 0] (its entries are 0 and 1)."""
    for base in list(powers):
        if isinstance(base, Elem) and base.fn == "step" and powers[base] > 0:
            relu = Elem("relu", base.arg, rows=base.rows, cols=base.cols)
            if powers.get(relu, 0) > 0:
                del powers[base]
            else:
                powers[base] = sympy.Integer(1)


def fold_softmax(powers: dict[Expr, sympy.Expr]) -> None:
    """In a Hadamard product of powers (by base), exp(Z) beside the outer product of the
    reciprocal row sums of exp(Z) with ones, ``(exp(Z) 1)^{∘-1} 1ᵀ``, each once: the
    row-by-row softmax of the matrix Z (each row of exp(Z) divided by its sum)."""
    for base in list(powers):
        if not (isinstance(base, Elem) and base.fn == "exp" and base.cols != ONE):
            continue
        if powers[base] != 1:
            continue
        for other, k in list(powers.items()):
            if k == 1 and _row_sums_spread(other, base):
                del powers[base], powers[other]
                sm = Softmax(base.arg, rows=base.rows, cols=base.cols)
                powers[sm] = powers.get(sm, sympy.Integer(0)) + 1
                return


def _row_sums_spread(x: Expr, exp: Elem) -> bool:
    """``(exp 1)^{∘-1} 1ᵀ``: each row's reciprocal sum of ``exp``, spread along the row."""
    if not (isinstance(x, Mul) and len(x.factors) == 2):
        return False
    col, row = x.factors
    if not (isinstance(row, Ones) and row.rows == ONE and same(row.cols, exp.cols)):
        return False
    if not (isinstance(col, HPow) and col.exp == -1 and isinstance(col.arg, Mul)):
        return False
    inner = col.arg.factors
    return (
        len(inner) == 2 and inner[0] == exp and isinstance(inner[1], Ones) and inner[1].cols == ONE
    )


def _all_ones(x: Expr) -> bool:
    """The all-ones matrix written as an outer product of ones vectors (``\\mathbf{1}\\mathbf{1}^\top``)."""
    return isinstance(x, Mul) and all(isinstance(f, Ones) for f in x.factors)


def _is_ones_like(x: Expr) -> bool:
    """1, or the all-ones array (``1 + e^z`` of a vector is 𝟏 + e^z)."""
    if isinstance(x, Num):
        return bool(x.value == 1)
    if isinstance(x, Ones):
        return True
    return False


def applied(fn: Template, x: Expr, given: tuple[Expr, ...] | None = None) -> Expr:
    """``fn`` of each entry of ``x`` (its constants ``given``, by default themselves)."""
    return Applied(fn, x, fn.consts if given is None else given, rows=x.rows, cols=x.cols)


def hpow(e: Expr, p: object) -> Expr:
    exp = sympy.sympify(p)
    if exp == 1:
        return e
    if e.is_scalar:
        return power(e, exp)
    if isinstance(e, HPow):
        return hpow(e.arg, e.exp * exp)
    if isinstance(e, Had):  # (a ⊙ b)^{∘k} = a^{∘k} ⊙ b^{∘k}, so that p ⊘ (p ⊘ q) = q
        return had(*(hpow(a, exp) for a in e.args))
    if isinstance(e, Ones):
        return e
    return HPow(e, exp, rows=e.rows, cols=e.cols)


def kron(a: Expr, b: Expr) -> Expr:
    if a.is_scalar or b.is_scalar:
        return mul(a, b)
    if is_zero(a) or is_zero(b):
        return zero(a.rows * b.rows, a.cols * b.cols)
    return Kron(a, b, rows=a.rows * b.rows, cols=a.cols * b.cols)


def diag_matrix(v: Expr) -> Expr:
    if v.is_scalar:
        return v
    if v.cols != ONE:
        raise ShapeError(f"diag of a vector, not a {_shape_text(v)}")
    if isinstance(v, Ones):
        return identity(v.rows)
    return DiagM(v, rows=v.rows, cols=v.rows)


def diag_vector(m: Expr) -> Expr:
    _square(m, "the diagonal of a matrix")
    if m.is_scalar:
        return m
    if isinstance(m, DiagM):
        return m.arg
    if isinstance(m, T):
        return diag_vector(m.arg)  # diag(Aᵀ) = diag(A)
    if isinstance(m, Mul):
        chain = [f for f in m.factors if not f.is_scalar]
        if len(chain) == 2 and chain[0].cols == ONE and chain[1].rows == ONE:
            # diag(a b^T) = a ⊙ b
            return mul(*(f for f in m.factors if f.is_scalar), had(chain[0], transpose(chain[1])))
        if len(chain) == 3 and isinstance(chain[1], DiagM) and not has_d(m):
            # diag(B diag(x) C) = (B ⊙ Cᵀ) x
            scalars = (f for f in m.factors if f.is_scalar)
            return mul(*scalars, had(chain[0], transpose(chain[2])), chain[1].arg)
        if len(chain) == 2 and not has_d(m):
            # diag(A Bᵀ) = (A ⊙ B) 1, where the Hadamard product cancels ((Y ⊘ S) Sᵀ: Y 1)
            a, bt = chain
            h = had(a, transpose(bt))
            size = sum(len(x.args) if isinstance(x, Had) else 1 for x in (a, transpose(bt)))
            if not isinstance(h, Had) or len(h.args) < size:
                scalars = (f for f in m.factors if f.is_scalar)
                return mul(*scalars, h, ones(a.cols, ONE))
    if isinstance(m, Add):
        return add(*(diag_vector(t) for t in m.terms))
    if isinstance(m, Mul):  # diag(M) = diag(Mᵀ): one of the two, so that like terms meet
        flipped = transpose(m)
        if isinstance(flipped, Mul) and repr(flipped) < repr(m):
            m = flipped
    return DiagV(m, rows=m.rows, cols=ONE)


def matfn(fn: str, e: Expr) -> Expr:
    _square(e, f"the matrix function {fn}")
    if e.is_scalar:
        return elem(fn, e)
    if fn == "sqrt":
        return power(e, sympy.Rational(1, 2))
    return MatFn(fn, e, rows=e.rows, cols=e.cols)


def softmax(e: Expr) -> Expr:
    """softmax of a vector; of a matrix, row by row (each row sums to one: the convention
    of attention, ``softmax(QKᵀ/√d)V``)."""
    return Softmax(e, rows=e.rows, cols=e.cols)


def vec(x: Expr) -> Expr:
    """vec X, the columns stacked: a column vector is itself, vec(vec⁻¹ y) = y."""
    if x.cols == ONE:
        return x
    if x.rows == ONE:
        return transpose(x)
    if isinstance(x, Unvec):
        return x.arg
    if is_zero(x):
        return zero(x.rows * x.cols, ONE)
    return Vec(x, rows=x.rows * x.cols, cols=ONE)


def unvec(y: Expr, rows: Dim, cols: Dim) -> Expr:
    """vec⁻¹ y as a rows×cols matrix (y a column of rows·cols entries)."""
    if y.cols != ONE or not same(y.rows, rows * cols):
        raise ShapeError(f"vec⁻¹ of a {_shape_text(y)} as a {rows}×{cols} matrix")
    if cols == ONE:
        return y
    if isinstance(y, Vec) and same(y.arg.rows, rows):
        return y.arg
    if is_zero(y):
        return zero(rows, cols)
    commuting = _commuting_sylvester(y)
    if commuting is not None:
        return commuting
    roth = _roth(y, rows, cols)
    if roth is not None:
        return roth
    return Unvec(y, rows=rows, cols=cols)


def _roth(y: Expr, rows: Dim, cols: Dim) -> Expr | None:
    """vec⁻¹((A ⊗ B) vec X) = B X Aᵀ (Roth's column lemma), scalar factors kept; None
    for any other column."""
    if not isinstance(y, Mul):
        return None
    scalars = [f for f in y.factors if f.is_scalar]
    rest = [f for f in y.factors if not f.is_scalar]
    if len(rest) != 2 or not isinstance(rest[0], Kron) or not isinstance(rest[1], Vec):
        return None
    a, b, x = rest[0].left, rest[0].right, rest[1].arg
    if not (same(x.rows, b.cols) and same(x.cols, a.cols)):
        return None
    if not (same(b.rows, rows) and same(a.rows, cols)):
        return None
    return mul(*scalars, b, x, transpose(a))


def _commuting_sylvester(y: Expr) -> Expr | None:
    """vec⁻¹((I ⊗ R + Rᵀ ⊗ I)⁻¹ vec E) for R = X^{1/2} and an E that commutes with R (a
    power of X, as in d log det X^{1/2}): the solution ½ R⁻¹ E; None otherwise."""
    if not (isinstance(y, Mul) and len(y.factors) == 2):
        return None
    k, v = y.factors
    if not (isinstance(k, Inv) and isinstance(k.arg, Add) and isinstance(v, Vec)):
        return None
    if len(k.arg.terms) != 2 or not all(isinstance(t, Kron) for t in k.arg.terms):
        return None
    a, b = k.arg.terms
    assert isinstance(a, Kron) and isinstance(b, Kron)
    root = a.right
    if not (isinstance(a.left, Identity) and isinstance(b.right, Identity)):
        return None
    if b.left != transpose(root) or not (
        isinstance(root, Pow) and root.exp == sympy.Rational(1, 2)
    ):
        return None
    if _power_of(v.arg, root.arg):
        return mul(num(sympy.Rational(1, 2)), inv(root), v.arg)
    return _anticommutator_of(root, v.arg)


def _anticommutator_of(root: Expr, x: Expr) -> Expr | None:
    """C where ``x`` is R C + C R (the Sylvester equation R Y + Y R = x is solved by C,
    uniquely as R is positive definite); None otherwise."""
    if not (isinstance(x, Add) and len(x.terms) == 2):
        return None
    for first, second in (x.terms, x.terms[::-1]):
        a, b = _factors(first), _factors(second)
        if len(a) > 1 and len(b) > 1 and a[0] == root and b[-1] == root:
            c = mul(*a[1:])
            if c == mul(*b[:-1]) and not c.is_scalar:
                return c
    return None


def _factors(x: Expr) -> list[Expr]:
    """A product's matrix factors with its scalars put after the first (scalars commute:
    ``2 R C`` and ``2 C R`` both read as R, 2, C and C, 2, R)."""
    if not isinstance(x, Mul):
        return [x]
    scalars = [f for f in x.factors if f.is_scalar]
    chain = [f for f in x.factors if not f.is_scalar]
    return [chain[0], *scalars, *chain[1:]] if len(chain) > 1 else [x]


def _power_of(x: Expr, base: Expr) -> bool:
    """Whether ``x`` is a product of powers of ``base`` (and numbers, and identities)."""
    if x == base or isinstance(x, (Identity, Num)):
        return True
    if isinstance(x, (Pow, Inv)):
        return _power_of(x.arg, base)
    if isinstance(x, Mul):
        return all(_power_of(f, base) for f in x.factors)
    return False


def sylvester(root: Expr, direction: Expr) -> Expr:
    r"""The Y with root·Y + Y·root = direction, through its Kronecker sum:
    vec Y = (I ⊗ R + Rᵀ ⊗ I)⁻¹ vec E (the differential of the principal square root)."""
    n = root.rows
    i = identity(n)
    ksum = add(kron(i, root), kron(transpose(root), i))
    return unvec(mul(inv(ksum), vec(direction)), n, n)


def lse(e: Expr) -> Expr:
    if e.cols != ONE:
        raise ShapeError(f"log-sum-exp of a vector, not a {_shape_text(e)}")
    return LSE(e, rows=ONE, cols=ONE)


def norm(e: Expr, p: str) -> Expr:
    if e.is_scalar:
        return elem("abs", e)
    return Norm(e, p, rows=ONE, cols=ONE)


def inner(a: Expr, b: Expr) -> Expr:
    """⟨a, b⟩ = tr(aᵀb): ``a^\\top b`` for vectors."""
    if not (same(a.rows, b.rows) and same(a.cols, b.cols)):
        raise ShapeError(f"inner product of a {_shape_text(a)} and a {_shape_text(b)}")
    if a.is_scalar:
        return mul(a, b)
    if a.cols == ONE:
        return mul(transpose(a), b)
    return tr(mul(transpose(a), b))


# -- queries -----------------------------------------------------------------------------


def depends(e: Expr, v: Var) -> bool:
    """Whether ``e`` involves the variable ``v`` (or its differential)."""
    return any((isinstance(x, Var) and x.name == v.name) for x in e.walk())


def has_d(e: Expr) -> bool:
    return any(isinstance(x, D) for x in e.walk())


def substitute(e: Expr, mapping: dict[str, Expr]) -> Expr:
    """Replace variables by expressions (rebuilding through the constructors)."""
    if isinstance(e, Var):
        return mapping.get(e.name, e)
    if isinstance(e, D):
        key = "d:" + e.var.name
        return mapping.get(key, e)
    return rebuild(e, [substitute(c, mapping) for c in e.children()])


def piecewise(
    values: tuple[Expr, ...],
    lefts: tuple[Expr, ...],
    rights: tuple[Expr, ...],
    ops: tuple[str, ...],
) -> Expr:
    """A function defined by cases (rows in order; see :class:`Piecewise`)."""
    if not values or not len(values) == len(lefts) == len(rights) == len(ops):
        raise CalculusError("cases need a value and a condition in every row")
    first = values[0]
    for v in values[1:]:
        if not (same(v.rows, first.rows) and same(v.cols, first.cols)):
            raise ShapeError(f"the cases are a {_shape_text(first)} and a {_shape_text(v)}")
    if any(not (a.is_scalar and b.is_scalar) for a, b in zip(lefts, rights, strict=True)):
        raise CalculusError("a condition of the cases compares arrays, not numbers")
    if any(op not in RELATIONS for op in ops):
        raise CalculusError("cannot read a condition of the cases")
    if all(v == first for v in values):
        return first
    return Piecewise(values, lefts, rights, ops, rows=first.rows, cols=first.cols)


def rebuild(e: Expr, kids: list[Expr]) -> Expr:  # noqa: C901 - a constructor per node type
    """``e`` with new children, through the canonicalising constructors."""
    if isinstance(e, (Var, Num, Identity, Ones, Zero, D, Commutation)):
        return e
    if isinstance(e, Piecewise):
        n = len(e.ops)
        return piecewise(tuple(kids[:n]), tuple(kids[n : 2 * n]), tuple(kids[2 * n :]), e.ops)
    if isinstance(e, Add):
        return add(*kids)
    if isinstance(e, Mul):
        return mul(*kids)
    if isinstance(e, Had):
        return had(*kids)
    (a, *rest) = kids
    if isinstance(e, T):
        return transpose(a)
    if isinstance(e, Inv):
        return inv(a)
    if isinstance(e, Tr):
        return tr(a)
    if isinstance(e, Det):
        return det(a)
    if isinstance(e, Pow):
        return power(a, e.exp)
    if isinstance(e, Elem):
        return elem(e.fn, a)
    if isinstance(e, Applied):
        return applied(e.fn, a, tuple(rest))
    if isinstance(e, HPow):
        return hpow(a, e.exp)
    if isinstance(e, Kron):
        return kron(a, rest[0])
    if isinstance(e, DiagM):
        return diag_matrix(a)
    if isinstance(e, DiagV):
        return diag_vector(a)
    if isinstance(e, MatFn):
        return matfn(e.fn, a)
    if isinstance(e, ExpFrechet):
        return ExpFrechet(a, rest[0], rows=e.rows, cols=e.cols)
    if isinstance(e, Softmax):
        return softmax(a)
    if isinstance(e, Vec):
        return vec(a)
    if isinstance(e, Unvec):
        return unvec(a, e.rows, e.cols)
    if isinstance(e, LSE):
        return lse(a)
    if isinstance(e, Norm):
        return norm(a, e.p)
    # (no node is left out above; printing it here would make this module import the printer)
    raise CalculusError("cannot rebuild this expression")


def segments(factors: tuple[Expr, ...]) -> list[list[Expr]]:
    """Split a product into its scalar groups and (at most one) matrix chain.

    A 1×1 factor is a group of its own; a chain whose running product becomes
    1×1 before a factor it cannot multiply (``x^\\top y\\, z``) ends a group.
    """
    groups: list[list[Expr]] = []
    current: list[Expr] = []
    acc: tuple[object, object] | None = None
    for f in factors:
        if f.is_scalar:
            groups.append([f])
            continue
        if acc is not None and acc == (ONE, ONE) and f.rows != ONE:
            groups.append(current)
            current, acc = [], None
        current.append(f)
        acc = (f.rows, f.cols) if acc is None else (acc[0], f.cols)
    if current:
        groups.append(current)
    return groups
